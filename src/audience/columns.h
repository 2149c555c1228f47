/* columns.h — the data a segment expression is evaluated over: one column per field of the
 * registry (fields.h), aligned with the snapshot's customers (index i = s->cust_id[i]).
 * Store fields are computed from the snapshot on first use; profile fields are read from the
 * profiles table in one query for all the columns an expression needs. Between the snapshot
 * (src/snapshot) and the evaluator (eval.h); export reads columns from here too. */
#ifndef ENCORE_AUDIENCE_COLUMNS_H
#define ENCORE_AUDIENCE_COLUMNS_H
#include "audience/fields.h"
#include "base/err.h"
#include "snapshot/snapshot.h"
#include "store/store.h"

typedef struct enc_aud_env enc_aud_env;

/* Binds a snapshot, the store it came from (for profiles and saved segments; may be NULL:
 * then no profile has a row and segment() is unknown) and the evaluation time `now` (epoch
 * seconds: windows such as within = 30d end there, *_days fields count to it). Take the
 * snapshot as of `now` (enc_snapshot_load(st, now, ...)). Profile rows whose as_of is after
 * `now` are left out. Neither s nor st is owned; both must outlive the env; free the env with
 * enc_aud_env_free. */
enc_rc enc_aud_env_new(const enc_snapshot *s, enc_store *st, int64_t now, enc_aud_env **out,
                       enc_err *err);
void enc_aud_env_free(enc_aud_env *e);
const enc_snapshot *enc_aud_env_snapshot(const enc_aud_env *e);
enc_store *enc_aud_env_store(const enc_aud_env *e);
int64_t enc_aud_env_now(const enc_aud_env *e);
/* Customers whose profile row is in use (0 until a profile column has been loaded). */
size_t enc_aud_env_profiles(const enc_aud_env *e);

/* A field's values over the customers; everything is owned by the env. A store field whose
 * part the snapshot was read without is an error (ENC_EUSAGE), not an empty column. */
typedef struct enc_aud_col {
    enc_aud_type type;
    const double *num;        /* NUM, MONEY (minor units), DAYS, TIME (epoch s); NAN = missing */
    const int32_t *txt;       /* TEXT: value id, -1 = missing */
    const char *const *names; /* TEXT and LIST: value id -> string */
    size_t nnames;
    size_t ndomain;     /* TEXT with a domain: ids below this are the domain's indexes */
    const int64_t *off; /* LIST: customer i holds item[off[i] .. off[i+1]) */
    const int32_t *item;
} enc_aud_col;

/* Adds to *o what the column of field f reads from the snapshot (a store field: its part, all
 * history; a profile field or a function: nothing). */
void enc_aud_column_needs(int f, enc_snapshot_opts *o);
/* Loads the columns of the fields flagged in need[AUD_F_COUNT] that are not loaded yet (all
 * profile columns in one query). */
enc_rc enc_aud_env_need(enc_aud_env *e, const bool *need, enc_err *err);
/* The column of field f (a field, not a function), loading it when needed. */
enc_rc enc_aud_env_column(enc_aud_env *e, int f, enc_aud_col *out, enc_err *err);

#endif
