/* fuzz_msettings.c — libFuzzer target for the measurement settings (src/measure/msettings.c),
 * the JSON document `encore campaign measure FILE` reads: whatever it accepts gives positive
 * windows and finite, non-negative costs on every channel, for the shop and for a campaign,
 * and a rejected document leaves the settings as they were. */
#include "measure/msettings.h"
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check(const enc_mset *s)
{
    for (int c = 0; c < CH_NCHANNELS; c++)
        if (s->window[c] <= 0 || !isfinite(s->msg_cost[c]) || s->msg_cost[c] < 0) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {NULL, "vip", "win-back"};
    for (int k = 0; k < 3; k++) {
        enc_mset s, before;
        enc_mset_default(&s);
        s.window[CH_SMS] = 123;
        before = s;
        enc_err err;
        if (enc_mset_parse((const char *)data, size, names[k], &s, &err) == ENC_OK) check(&s);
        else if (memcmp(&s, &before, sizeof s) != 0 || !err.msg[0]) abort();
    }
    return 0;
}
