/* track.h — what a tracking hit writes: a click or an open becomes a message_click or
 * message_open event; an unsubscribe suppresses the message's address on its outbox channel
 * (so queued messages to it are not sent), appends a revocation of marketing consent for the
 * message's channel to the consent ledger and records an unsubscribe event, once: a customer
 * whose consent is already revoked gets nothing new. The server verifies the token (token.h)
 * on its HTTP threads and applies the hit on its writer thread. */
#ifndef ENCORE_TRACK_H
#define ENCORE_TRACK_H
#include "campaign/token.h"
#include "store/store.h"

#define ENC_TRACK_SOURCE "track"       /* events.source of tracking events */
#define ENC_UNSUB_SOURCE "unsubscribe" /* consents.source of unsubscribes */

typedef struct enc_track_hit {
    enc_token tok; /* verified */
    int64_t ts;
    char key[33]; /* random hex: the hit's own source_key part (every click is an event) */
} enc_track_hit;

typedef enum enc_track_outcome {
    ENC_TRACK_RECORDED,
    ENC_TRACK_ALREADY,     /* unsubscribe: consent was revoked already; nothing written */
    ENC_TRACK_NO_CUSTOMER, /* unsubscribe: the token's customer is not in the store */
} enc_track_outcome;

/* A hit of token t at time now, with a fresh random key. */
void enc_track_hit_init(enc_track_hit *h, const enc_token *t, int64_t now);
/* Writes the hit through st inside the caller's transaction. The token's customer is followed
 * through merges; clicks and opens of an unknown customer are kept without one. */
enc_rc enc_track_apply(enc_store *st, const enc_track_hit *h, enc_track_outcome *out, enc_err *err);

/* Whether an unsubscribe POST body is an RFC 8058 one-click request: a form, encoded as
 * application/x-www-form-urlencoded (also when content_type is NULL) or multipart/form-data
 * (the encoding RFC 8058 §3.1 recommends; the boundary from content_type), holding the field
 * List-Unsubscribe with the value One-Click, among any other fields in any order. Any other
 * content type is refused. Reads only body[0..n). */
bool enc_track_oneclick_ok(const char *content_type, const char *body, size_t n);
#endif
