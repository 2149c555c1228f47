/* fuzz_basket.c — libFuzzer target for the basket file reader (src/recommend/basket.c) in each
 * format; what it accepts is checked (baskets ascending without repeats, ids in the dictionary)
 * and then mined (FP-growth, rules) with bounds, so odd shapes reach the miner too. */
#include "recommend/basket.h"
#include "recommend/fpgrowth.h"
#include "recommend/rules.h"
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enc_basket_format fmts[] = {ENC_BASKET_AUTO, ENC_BASKET_WS, ENC_BASKET_CSV};
    for (int f = 0; f < 3; f++) {
        enc_basket_set *s = NULL;
        enc_err err;
        if (enc_basket_read_mem((const char *)data, size, fmts[f], "fuzz", &s, &err)) continue;
        enc_basket_view v = enc_basket_get_view(s);
        for (int32_t b = 0; b < v.n_baskets; b++)
            for (int64_t i = v.off[b]; i < v.off[b + 1]; i++) {
                if (v.items[i] < 0 || v.items[i] >= v.n_items) abort();
                if (i > v.off[b] && v.items[i - 1] >= v.items[i]) abort();
            }
        for (int32_t id = 0; id < v.n_items; id++) {
            size_t len;
            const char *l = enc_basket_label(s, id, &len);
            if (!l || enc_basket_find(s, l, len) != id) abort();
        }
        /* mine what the auto format read, bounded so one input stays fast */
        enc_fpg_opts o = {.min_count = 1 + (int32_t)(size % 3), .max_len = 3, .max_sets = 500};
        enc_itemsets sets = {0};
        if (f == 0 && enc_fpg_mine(s, &o, &sets, &err) == ENC_OK) {
            enc_rule_opts ro = {.min_confidence = 0.5, .max_consequent = 0, .max_rules = 2000};
            enc_rules rules = {0};
            if (enc_rules_mine(&sets, &ro, &rules, &err) == ENC_OK)
                for (size_t i = 0; i < rules.n; i++)
                    if (rules.r[i].confidence < 0.5 - 1e-9 || rules.r[i].count < o.min_count)
                        abort();
            enc_rules_free(&rules);
        }
        enc_itemsets_free(&sets);
        enc_basket_free(s);
    }
    return 0;
}
