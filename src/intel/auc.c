/* auc.c — ROC AUC by one sort (rank.c) and a walk over runs of equal scores: each positive in a
 * run beats every negative below the run and ties with the negatives inside it, so
 * 2U = sum over runs of 2 pos_run * neg_below + pos_run * neg_run, AUC = U / (n_pos n_neg)
 * (Mann & Whitney 1947; Hanley & McNeil 1982). Counted in integers: exact for n < 2^32. */
#include "intel/auc.h"
#include "intel/rank.h"
#include <math.h>

size_t enc_auc_ws_size(size_t n) { return enc_rank_ws_size(n); }

enc_rc enc_auc(const double *score, const uint8_t *label, size_t n, double *auc, void *ws,
               enc_err *err)
{
    if (n > ENC_RANK_MAX_N) return enc_fail(err, ENC_ELIMIT, "auc: %zu scores: too many", n);
    uint64_t npos = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(score[i])) return enc_fail(err, ENC_EUSAGE, "auc: score %zu is not a number", i);
        npos += label[i] != 0;
    }
    uint64_t nneg = n - npos;
    if (!npos || !nneg)
        return enc_fail(err, ENC_EUSAGE, "auc: needs both outcomes (%llu positive, %llu negative)",
                        (unsigned long long)npos, (unsigned long long)nneg);
    const uint64_t *key;
    const uint32_t *ord = enc_rank_argsort(score, n, ws, &key);
    uint64_t u2 = 0, neg_below = 0;
    for (size_t s = 0; s < n;) {
        uint64_t pos = 0, neg = 0;
        size_t e = s;
        for (; e < n && key[e] == key[s]; e++) {
            if (label[ord[e]]) pos++;
            else neg++;
        }
        u2 += 2 * pos * neg_below + pos * neg;
        neg_below += neg;
        s = e;
    }
    *auc = (double)u2 / (2.0 * (double)npos * (double)nneg);
    return ENC_OK;
}
