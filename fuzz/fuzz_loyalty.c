/* fuzz_loyalty.c — libFuzzer target for the loyalty programme file (src/loyalty/programme.c):
 * whatever it accepts has sorted tiers from 0 with distinct minima, multipliers within bounds
 * and rewards that cost points; whatever it refuses leaves no allocation and says why. */
#include "loyalty/ledger.h"
#include "loyalty/programme.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enc_programme p;
    enc_err err = {0};
    if (enc_prog_parse((const char *)data, size, "fuzz", &p, &err) != ENC_OK) {
        if (!err.msg[0] || p.tiers || p.rewards || p.cats || p.skus) abort();
        return 0;
    }
    if (p.ntiers == 0 || p.tiers[0].min != 0) abort();
    for (size_t i = 1; i < p.ntiers; i++)
        if (p.tiers[i].min <= p.tiers[i - 1].min) abort();
    if (p.rate100 < 0 || p.rate100 > 10000 || p.unit < 1) abort();
    for (size_t i = 0; i < p.nrewards; i++)
        if (p.rewards[i].points < 1) abort();
    enc_earn_line l = {123456, "SKU", "a/b", true};
    for (size_t t = 0; t < p.ntiers; t++)
        if (enc_ledger_order_points(&p, &l, 1, 123456, 100, 1767225600, p.tiers[t].mult100) < 0)
            abort();
    enc_prog_free(&p);
    return 0;
}
