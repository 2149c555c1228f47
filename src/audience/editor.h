/* editor.h — what a segment editor needs from the audience stage, as JSON documents for both
 * front doors (`encore audience fields|preview`, GET /v1/segments/fields, POST
 * /v1/segments/count): the language's fields and functions generated from the registry
 * (fields.h), and a preview of an expression — how many customers match, out of how many, a
 * sample of them with a few scores, and how long it took. Expression errors come back with
 * their line and column. Nothing here prints. */
#ifndef ENCORE_AUDIENCE_EDITOR_H
#define ENCORE_AUDIENCE_EDITOR_H
#include "audience/lexer.h"
#include "base/err.h"
#include "store/store.h"
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct enc_jw;

/* Writes {"fields": [{"name", "type", "source", "help", "example"[, "values"]}], "functions":
 * [{"name", "returns", "args", "help", "example"}]} — every row of enc_aud_fields. */
void enc_aud_registry_json(struct enc_jw *w);

#define ENC_AUD_SAMPLE_MAX 100
typedef struct enc_aud_preview_opts {
    int64_t now;          /* the evaluation time (epoch seconds) */
    int sample;           /* customers in the sample, 0..ENC_AUD_SAMPLE_MAX */
    bool mask;            /* personal data of the sample masked (base/mask.h) */
    int digits;           /* decimals of money */
    const char *currency; /* written beside the money; may be NULL */
} enc_aud_preview_opts;

/* Evaluates src[0, len) as `encore audience count` does (the snapshot read as far as the
 * expression needs, through the column caches) and writes {"count", "total", "expression"
 * (canonical), "currency", "sample": [{"id", "customer_id", "name", "email", "phone",
 * "orders", "revenue", "lifecycle", "rfm_segment", "clv", "churn_risk"}], "ms", "timing":
 * {"load_ms", "compile_ms", "evaluate_ms", "sample_ms"}}. The sample is spread evenly over the
 * matches in store id order (the same customers for the same data). An expression error is
 * ENC_EPARSE with err's message "line L, column C: ..." and *where set; nothing is written
 * then. */
enc_rc enc_aud_preview_json(enc_store *st, const char *src, size_t len,
                            const enc_aud_preview_opts *o, struct enc_jw *w, enc_aud_pos *where,
                            enc_err *err);

/* Writes the customers matching src[0, len) at `now` as CSV onto out, in store id order: a
 * header, then id, customer_id, name, email, phone, orders, revenue, lifecycle, rfm_segment,
 * clv, churn_risk (money with `digits` decimals). Fields are quoted as RFC 4180 says, and one
 * starting with = + - @ gets a leading ' (no formula runs when a spreadsheet opens the file).
 * *rows gets the customers written. Expression errors as enc_aud_preview_json's; ENC_EIO when
 * writing fails. */
enc_rc enc_aud_export_csv(enc_store *st, const char *src, size_t len, int64_t now, int digits,
                          FILE *out, size_t *rows, enc_aud_pos *where, enc_err *err);
#endif
