/* uptarget.c — narrowing an audience to its top share by predicted uplift (uptarget.h). */
#include "campaign/uptarget.h"
#include "base/mem.h"
#include "store/store_uplift.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct cand {
    double tau;
    size_t row;
    int64_t id;
} cand;

static int by_uplift(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->tau != y->tau) return x->tau > y->tau ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

enc_rc enc_uptarget_apply(enc_store *st, const char *campaign, double share, const enc_snapshot *s,
                          uint64_t **words, enc_err *err)
{
    int64_t *ids = NULL;
    double *tau = NULL;
    size_t ns = 0;
    enc_rc rc = enc_store_uplift_scores(st, campaign, &ids, &tau, &ns, err);
    if (rc) return rc;
    size_t nw = (s->ncust + 63) / 64;
    if (!*words) {
        *words = enc_xcalloc(nw ? nw : 1, sizeof **words);
        for (size_t i = 0; i < s->ncust; i++) (*words)[i / 64] |= 1ULL << (i % 64);
    }
    uint64_t *w = *words;
    cand *c = enc_xmalloc((ns ? ns : 1) * sizeof *c);
    size_t nc = 0;
    for (size_t i = 0; i < ns; i++) {
        ptrdiff_t k = enc_snapshot_find(s, ids[i]);
        if (k < 0 || !isfinite(tau[i]) || !(w[(size_t)k / 64] >> ((size_t)k % 64) & 1)) continue;
        c[nc++] = (cand){tau[i], (size_t)k, ids[i]};
    }
    qsort(c, nc, sizeof *c, by_uplift);
    size_t keep = (size_t)ceil(share * (double)nc - 1e-9);
    memset(w, 0, (nw ? nw : 1) * sizeof *w);
    for (size_t i = 0; i < keep && i < nc; i++) w[c[i].row / 64] |= 1ULL << (c[i].row % 64);
    free(c);
    free(ids);
    free(tau);
    return ENC_OK;
}
