/* abdecide.c — the A/B decision of running campaigns and the scheduler's step that decides
 * them before each campaign advances (see abdecide.h); here, not in the campaign runner, so that
 * the campaign stage never includes measure. */
#include "measure/abdecide.h"
#include "base/json.h"
#include "base/mem.h"
#include "campaign/campdb.h"
#include "measure/campreport.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enc_rc enc_ab_decide(enc_store *st, const enc_spec *spec, int64_t until, int64_t now, char *winner,
                     size_t cap, int *significant, char *rule, size_t rule_cap, enc_err *err)
{
    enc_attr *a;
    enc_attr_opts o = {.as_of = until, .spec = spec};
    if (enc_attr_run(st, spec->name, &o, &a, err)) return err->rc;
    enc_ab_result ab;
    enc_ab_compare(a, spec->ab_metric, &ab);
    /* a variant without members is never the leader; with none at all (or a leader the file
     * no longer names), the first */
    const char *name = spec->variants[0].name;
    for (int v = 0; v < spec->nvariants; v++)
        if (a->nvariants && strcmp(spec->variants[v].name, a->g[ab.leader].name) == 0)
            name = spec->variants[v].name;
    enc_buf b = {0};
    enc_jw w;
    enc_jw_init(&w, &b);
    enc_jw_obj(&w);
    enc_ab_json(a, &ab, &w);
    enc_jw_kstr(&w, "winner", name);
    /* which rule chose it, kept with the decision: tick, show and the reports say it */
    enc_ab_rule(&ab, rule, rule_cap, NULL);
    *significant = ab.significant;
    enc_jw_kstr(&w, "rule", rule);
    enc_jw_end(&w);
    snprintf(winner, cap, "%s", name);
    enc_attr_free(a);
    enc_rc rc = enc_camp_set_ab(st, spec->name, winner, now, b.p, err);
    enc_buf_free(&b);
    return rc;
}

enc_rc enc_tick(enc_store *st, int64_t now, enc_run_result **res, size_t *n, int64_t *redeemed,
                enc_err *err)
{
    *res = NULL;
    *n = 0;
    if (enc_coupon_redeem(st, redeemed, err)) return err->rc;
    enc_camp_row *rows;
    size_t nrows;
    if (enc_camp_list(st, &rows, &nrows, err)) return err->rc;
    *res = enc_xcalloc(nrows + 1, sizeof **res);
    for (size_t i = 0; i < nrows; i++) {
        const enc_camp_row *row = &rows[i];
        if (strcmp(row->state, "running") == 0) {
            enc_run_result *r = &(*res)[(*n)++];
            enc_err e2 = {0};
            enc_rc rc = ENC_OK;
            if (!row->ab_winner[0] && row->ab_decide_at && now >= row->ab_decide_at) {
                /* an A/B test whose time has come: decided before the campaign advances */
                enc_spec *spec;
                if (!(rc = enc_spec_parse(row->spec, strlen(row->spec), st, &spec, &e2))) {
                    char winner[ENC_SPEC_MAX_NAME], rule[200];
                    int sig;
                    if (spec->ab)
                        rc = enc_ab_decide(st, spec, row->ab_decide_at, now, winner, sizeof winner,
                                           &sig, rule, sizeof rule, &e2);
                    enc_spec_free(spec);
                }
            }
            if (!rc) rc = enc_campaign_advance(st, row->name, now, r, &e2);
            if (rc) {
                snprintf(r->name, sizeof r->name, "%s", row->name);
                snprintf(r->error, sizeof r->error, "%.500s", e2.msg);
            }
        }
        enc_camp_row_free(&rows[i]);
    }
    free(rows);
    return ENC_OK;
}
