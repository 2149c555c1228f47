/* vocab.h — the words merchants' files and APIs use for the same thing, mapped to Encore's
 * one word: order statuses, event types, feedback kinds, consent channels, purposes and
 * answers, yes/no. Shared by import and the HTTP ingest so both read data the same way.
 * Matching is on lower-cased text (ASCII letters folded; Chinese words as they are). */
#ifndef ENCORE_VOCAB_H
#define ENCORE_VOCAB_H
#include <stdbool.h>

typedef struct enc_vocab {
    const char *word;     /* the canonical word */
    const char *synonyms; /* '|'-separated lower-case forms, the canonical one included */
} enc_vocab;

extern const enc_vocab enc_vocab_order_status[];  /* paid, returned, cancelled */
extern const enc_vocab enc_vocab_event_type[];    /* view, click, favorite, ... */
extern const enc_vocab enc_vocab_feedback_kind[]; /* nps, survey, review, complaint */
extern const enc_vocab enc_vocab_channel[];       /* email, sms, push, wechat, inapp, all */
extern const enc_vocab enc_vocab_purpose[];       /* marketing, service, analytics */
extern const enc_vocab enc_vocab_consent[];       /* granted, revoked */
extern const enc_vocab enc_vocab_yes_no[];        /* yes, no */

/* The canonical word for a lower-cased value, or NULL (tables end with a NULL word). */
const char *enc_vocab_find(const enc_vocab *table, const char *lower);
/* The list of canonical words, for messages: "paid, returned or cancelled". */
const char *enc_vocab_choices(const enc_vocab *table);
/* An event type: a known synonym's canonical type, else the value itself when it is a plain
 * word ([a-z0-9_]+), else NULL. */
const char *enc_vocab_event_type_of(const char *lower);
/* True when s is one of the '|'-separated words of list. */
bool enc_vocab_word_in(const char *s, const char *list);
#endif
