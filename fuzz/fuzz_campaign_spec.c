/* fuzz_campaign_spec.c — libFuzzer target for campaign files and policy settings (outside input
 * read by `encore campaign plan|start|policy`): any bytes are either a campaign, or rejected
 * with an error that names a JSON position ("line L, column C") or a field path; a campaign
 * that is accepted has consistent parts (variants' shares add up to 1, every listed channel has
 * compiled content, steps and offer amounts agree). */
#include "campaign/spec.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enc_spec *s;
    enc_err err;
    enc_rc rc = enc_spec_parse((const char *)data, size, NULL, &s, &err);
    if (rc != ENC_OK) {
        if (rc != ENC_EPARSE && rc != ENC_ELIMIT) __builtin_trap();
        if (!err.msg[0] || strchr(err.msg, ':') == NULL) __builtin_trap();
    } else {
        double sum = 0;
        for (int v = 0; v < s->nvariants; v++) {
            sum += s->variants[v].share;
            for (int c = 0; c < s->nchannels; c++) {
                const enc_spec_content *cc = &s->variants[v].content[s->channels[c]];
                if (!cc->present || !cc->tpl[ENC_PART_TEXT + (s->channels[c] == CH_EMAIL &&
                                                              !cc->tpl[ENC_PART_TEXT])])
                    __builtin_trap();
            }
            const enc_spec_offer *f = &s->variants[v].offer;
            if (f->present && f->namount != 1 && f->namount != s->trigger.nsteps) __builtin_trap();
        }
        if (s->nvariants < 1 || fabs(sum - 1) > 1e-9 || s->priority < 0 || s->priority > 9)
            __builtin_trap();
        enc_spec_free(s);
    }
    enc_settings set;
    enc_settings_default(&set);
    if (enc_settings_parse((const char *)data, size, &set, &err) == ENC_OK) {
        if (set.policy.ncaps > ENC_POLICY_MAX_CAPS) __builtin_trap();
    }
    return 0;
}
