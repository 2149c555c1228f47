/* sendtime_fit.c — best hours from the store (see sendtime_fit.h). One scan keeps each
 * response as a 2-byte code (slot x 3 + kind) behind its customer, so 100k customers need no
 * 168-slot array each; the population is summed on the way, then each customer's slots are
 * rebuilt in turn and scored. */
#include "intel/sendtime_fit.h"
#include "base/mem.h"
#include <stdlib.h>
#include <string.h>

const double enc_sendtime_weight[ENC_ST_KINDS] = {1, 2, 3};

typedef struct fit_ctx {
    const enc_tz *tz;
    enc_sendtime_pop *pop;
    uint16_t *code;
    size_t ncode, capcode;
    enc_sendtime_best_row *rows;
    size_t *start; /* rows[i]'s first code */
    size_t nrows, caprows, capstart;
} fit_ctx;

static int on_row(void *vctx, int64_t customer_id, int64_t ts, enc_sendtime_kind kind)
{
    fit_ctx *c = vctx;
    if (c->nrows == 0 || c->rows[c->nrows - 1].customer_id != customer_id) {
        ENC_GROW(c->rows, c->caprows, c->nrows + 1);
        ENC_GROW(c->start, c->capstart, c->nrows + 1);
        c->rows[c->nrows] = (enc_sendtime_best_row){customer_id, 0, -1};
        c->start[c->nrows++] = c->ncode;
    }
    int off = c->tz ? enc_tz_offset(c->tz, ts) : 0;
    int slot = enc_sendtime_slot(ts, off);
    ENC_GROW(c->code, c->capcode, c->ncode + 1);
    c->code[c->ncode++] = (uint16_t)(slot * ENC_ST_KINDS + (int)kind);
    c->pop->count[slot] += enc_sendtime_weight[kind];
    c->rows[c->nrows - 1].responses += enc_sendtime_weight[kind];
    return 0;
}

static void slots_of(const enc_sendtime_model *m, size_t i, double *slots)
{
    memset(slots, 0, ENC_SENDTIME_SLOTS * sizeof *slots);
    size_t end = i + 1 < m->n ? m->start[i + 1] : m->ncode;
    for (size_t k = m->start[i]; k < end; k++)
        slots[m->code[k] / ENC_ST_KINDS] += enc_sendtime_weight[m->code[k] % ENC_ST_KINDS];
}

enc_rc enc_sendtime_model_fit(enc_store *st, const enc_tz *tz, int64_t since, int64_t until,
                              double prior, enc_sendtime_model *m, enc_err *err)
{
    memset(m, 0, sizeof *m);
    enc_sendtime_pop_init(&m->pop, prior);
    fit_ctx c = {.tz = tz, .pop = &m->pop};
    enc_rc r = enc_store_sendtime_scan(st, since, until, on_row, &c, err);
    m->rows = c.rows;
    m->n = c.nrows;
    m->start = c.start;
    m->code = c.code;
    m->ncode = c.ncode;
    if (r) return r;
    enc_sendtime_pop_finish(&m->pop);
    double slots[ENC_SENDTIME_SLOTS], score[ENC_SENDTIME_SLOTS];
    for (size_t i = 0; i < m->n; i++) {
        slots_of(m, i, slots);
        m->rows[i].best = (int16_t)enc_sendtime_best(&m->pop, slots, NULL, score);
    }
    return ENC_OK;
}

void enc_sendtime_model_free(enc_sendtime_model *m)
{
    free(m->rows);
    free(m->start);
    free(m->code);
    memset(m, 0, sizeof *m);
}

void enc_sendtime_model_scores(const enc_sendtime_model *m, ptrdiff_t i, double *score)
{
    double slots[ENC_SENDTIME_SLOTS] = {0};
    if (i >= 0 && (size_t)i < m->n) slots_of(m, (size_t)i, slots);
    enc_sendtime_best(&m->pop, slots, NULL, score);
}

enc_rc enc_sendtime_fit(enc_store *st, const enc_tz *tz, int64_t since, int64_t until, double prior,
                        const uint8_t *allowed, enc_sendtime_best_row **out, size_t *n,
                        enc_sendtime_pop *pop, enc_err *err)
{
    *out = NULL;
    *n = 0;
    enc_sendtime_model m;
    enc_rc r = enc_sendtime_model_fit(st, tz, since, until, prior, &m, err);
    if (r) {
        enc_sendtime_model_free(&m);
        return r;
    }
    if (allowed) {
        double slots[ENC_SENDTIME_SLOTS], score[ENC_SENDTIME_SLOTS];
        for (size_t i = 0; i < m.n; i++) {
            slots_of(&m, i, slots);
            m.rows[i].best = (int16_t)enc_sendtime_best(&m.pop, slots, allowed, score);
        }
    }
    if (pop) *pop = m.pop;
    *out = m.rows;
    *n = m.n;
    m.rows = NULL;
    enc_sendtime_model_free(&m);
    return ENC_OK;
}

ptrdiff_t enc_sendtime_find(const enc_sendtime_best_row *rows, size_t n, int64_t customer_id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (rows[mid].customer_id < customer_id) lo = mid + 1;
        else hi = mid;
    }
    return lo < n && rows[lo].customer_id == customer_id ? (ptrdiff_t)lo : -1;
}
