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

enc_rc enc_sendtime_fit(enc_store *st, const enc_tz *tz, int64_t since, int64_t until, double prior,
                        const uint8_t *allowed, enc_sendtime_best_row **out, size_t *n,
                        enc_sendtime_pop *pop, enc_err *err)
{
    *out = NULL;
    *n = 0;
    enc_sendtime_pop local;
    if (!pop) pop = &local;
    enc_sendtime_pop_init(pop, prior);
    fit_ctx c = {.tz = tz, .pop = pop};
    enc_rc r = enc_store_sendtime_scan(st, since, until, on_row, &c, err);
    if (r) {
        free(c.code);
        free(c.rows);
        free(c.start);
        return r;
    }
    enc_sendtime_pop_finish(pop);
    double slots[ENC_SENDTIME_SLOTS], score[ENC_SENDTIME_SLOTS];
    for (size_t i = 0; i < c.nrows; i++) {
        memset(slots, 0, sizeof slots);
        size_t end = i + 1 < c.nrows ? c.start[i + 1] : c.ncode;
        for (size_t k = c.start[i]; k < end; k++)
            slots[c.code[k] / ENC_ST_KINDS] += enc_sendtime_weight[c.code[k] % ENC_ST_KINDS];
        c.rows[i].best = (int16_t)enc_sendtime_best(pop, slots, allowed, score);
    }
    free(c.code);
    free(c.start);
    *out = c.rows;
    *n = c.nrows;
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
