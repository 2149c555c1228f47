/* fuzz_campaign_spec.c — libFuzzer target for campaign files and policy settings (outside input
 * read by `encore campaign plan|start|policy`): any bytes are either a campaign, or rejected
 * with an error that names a JSON position ("line L, column C") or a field path; a campaign
 * that is accepted has consistent parts (variants' shares add up to 1, every listed channel has
 * compiled content, steps and offer amounts agree; a journey's steps each have compiled content
 * on their channel, every "next" names a step or the end, and no path comes back to a step). */
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
        const enc_journey *j = &s->journey;
        for (int i = 0; i < j->nsteps; i++) {
            const enc_jstep *st = &j->steps[i];
            const enc_spec_content *cc = &st->content[st->channel];
            if (!cc->present ||
                !cc->tpl[ENC_PART_TEXT + (st->channel == CH_EMAIL && !cc->tpl[ENC_PART_TEXT])])
                __builtin_trap();
            for (int b = 0; b <= st->nbranches; b++) {
                int nx = b < st->nbranches ? st->branches[b].next : st->next;
                /* acyclic: with the steps in any order, a path is at most nsteps long, so a
                 * step's successors are checked by walking at most nsteps hops */
                if (nx < -1 || nx >= j->nsteps) __builtin_trap();
            }
        }
        for (int i = 0; i < j->nsteps; i++) {
            /* the longest path from step i ends within nsteps hops */
            int depth[ENC_JOURNEY_MAX_STEPS] = {0};
            for (int round = 0; round < j->nsteps + 1; round++)
                for (int k = 0; k < j->nsteps; k++) {
                    const enc_jstep *st = &j->steps[k];
                    for (int b = 0; b <= st->nbranches; b++) {
                        int nx = b < st->nbranches ? st->branches[b].next : st->next;
                        if (nx >= 0 && depth[nx] < depth[k] + 1) depth[nx] = depth[k] + 1;
                    }
                }
            for (int k = 0; k < j->nsteps; k++)
                if (depth[k] >= j->nsteps) __builtin_trap();
        }
        int steps = j->nsteps ? j->nsteps : s->trigger.nsteps;
        double sum = 0;
        for (int v = 0; v < s->nvariants; v++) {
            sum += s->variants[v].share;
            for (int c = 0; c < s->nchannels && !j->nsteps; c++) {
                const enc_spec_content *cc = &s->variants[v].content[s->channels[c]];
                if (!cc->present || !cc->tpl[ENC_PART_TEXT + (s->channels[c] == CH_EMAIL &&
                                                              !cc->tpl[ENC_PART_TEXT])])
                    __builtin_trap();
            }
            const enc_spec_offer *f = &s->variants[v].offer;
            if (f->present && f->namount != 1 && f->namount != steps) __builtin_trap();
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
