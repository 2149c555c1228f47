/* msettings.h — the measurement settings: the attribution window of each channel and the
 * cost of a message on it, shop-wide with per-campaign overrides. One JSON document kept in
 * campaign_settings under the key "measure" (`encore campaign measure [FILE]`; format in
 * docs/measurement.md). Read by attribution (attribution.h) and the campaign report. */
#ifndef ENCORE_MEASURE_MSETTINGS_H
#define ENCORE_MEASURE_MSETTINGS_H
#include "base/err.h"
#include "base/json.h"
#include "snapshot/snapshot.h"
#include "store/store.h"
#include <stdint.h>

#define ENC_MSET_MAX_BYTES (1 << 20)
#define ENC_MSET_DEFAULT_WINDOW (7 * 86400)

typedef struct enc_mset {
    int64_t window[CH_NCHANNELS];  /* seconds after a delivery or click (> 0) */
    double msg_cost[CH_NCHANNELS]; /* per message accepted by the provider, in major units of
                                    * the currency (0.002 = a fifth of a cent) */
} enc_mset;

/* Every window 7 days, every cost 0. */
void enc_mset_default(enc_mset *s);

/* Checks the whole document (every campaign's entry too) and applies its shop-wide part, then
 * the entry of `campaign` (may be NULL), over *s. Errors name the path ("windows.emial:
 * unknown channel ...") or the JSON position; *s is unchanged on error. */
enc_rc enc_mset_parse(const char *text, size_t n, const char *campaign, enc_mset *s, enc_err *err);

/* The stored document (malloc'ed; the caller frees) or NULL when none is stored. */
enc_rc enc_mset_text(enc_store *st, char **out, enc_err *err);
/* The settings in force for `campaign` (may be NULL): defaults, then the stored document. */
enc_rc enc_mset_load(enc_store *st, const char *campaign, enc_mset *out, enc_err *err);
/* Checks the document and stores it (replacing the previous one). */
enc_rc enc_mset_save(enc_store *st, const char *text, size_t n, enc_err *err);

/* "7d", "36h", "90m", "45s": the largest whole unit of seconds (weeks are written as days). */
void enc_mset_fmt_window(char *out, size_t cap, int64_t seconds);
/* Writes the keys "windows" ({"email": "7d", ...}) and "message_cost" ({"email": 0.002, ...})
 * with the values in force into the open object of w. */
void enc_mset_json(const enc_mset *s, enc_jw *w);
#endif
