/* optout.h — recognises SMS opt-out replies (STOP, UNSUBSCRIBE, TD, T, 退订, 取消订阅, ...):
 * the inbound half of SMS consent. The tracking server passes each inbound reply here (through
 * enc_outbox_sms_reply, which suppresses the number). Pure functions, no allocation. */
#ifndef ENCORE_OPTOUT_H
#define ENCORE_OPTOUT_H
#include <stdbool.h>
#include <stddef.h>

/* True when the whole reply, trimmed of white space (ASCII, ideographic, no-break) and of
 * trailing punctuation (. ! 。 ！), with full-width ASCII folded to half-width and letters
 * compared without case, is one of the opt-out words (list in optout.c and docs/delivery.md).
 * A sentence that merely contains a word ("stop by tomorrow") is not an opt-out. */
bool enc_optout_match(const char *text);
/* The normalised form enc_optout_match compares (for tests and logs); out gets at most cap-1
 * bytes and a NUL. Returns the length written. */
size_t enc_optout_normalise(const char *text, char *out, size_t cap);
#endif
