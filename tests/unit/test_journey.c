/* test_journey.c — journeys in campaign files (campaign/spec.c, campaign/journey.c): a file
 * read back into its steps and branches; then random journeys checked against a second,
 * brute-force reading of the same graph: a graph with a cycle is refused naming the cycle, an
 * acyclic one is accepted and `campaign plan`'s paths are exactly the paths a plain
 * enumeration finds. */
#include "harness.h"
#include "base/json.h"
#include "base/rng.h"
#include "campaign/journey.h"
#include "campaign/spec.h"
#include <jansson.h>
#include <stdio.h>
#include <string.h>

static const char head[] =
    "{\"name\": \"j\", \"trigger\": {\"type\": \"event\", \"event\": \"cart_abandoned\","
    " \"delay\": \"1h\"}, \"channels\": [\"email\", \"sms\"],"
    " \"offer\": {\"kind\": \"value\", \"amount\": %s, \"expires\": \"3d\"},"
    " \"journey\": {\"max_entries\": 3, \"reentry_after\": \"7d\", \"steps\": [%s]}}";

static enc_spec *parse(const char *steps, const char *amount, enc_err *err)
{
    char text[16384];
    snprintf(text, sizeof text, head, amount, steps);
    enc_spec *s = NULL;
    if (enc_spec_parse(text, strlen(text), NULL, &s, err)) return NULL;
    return s;
}

static void read_back(void)
{
    enc_err err = {0};
    enc_spec *s = parse(
        "{\"name\": \"a\", \"delay\": \"0s\", \"channel\": \"email\", \"wait\": \"2d\","
        " \"content\": {\"email\": {\"subject\": \"s\", \"text\": \"t\"}},"
        " \"branches\": [{\"name\": \"no\", \"when\": {\"opened\": false}, \"next\": \"b\"},"
        "  {\"name\": \"shoes\", \"when\": {\"clicked\": true, \"bought_category\": \"Shoes\"},"
        "   \"next\": \"end\"}], \"next\": \"c\"},"
        "{\"name\": \"b\", \"delay\": \"1h\", \"channel\": \"sms\", \"offer\": true,"
        " \"content\": {\"sms\": {\"text\": \"{{coupon.code}}\"}}},"
        "{\"name\": \"c\", \"delay\": \"3d\", \"channel\": \"email\","
        " \"content\": {\"email\": {\"subject\": \"s\", \"text\": \"t\"}}}",
        "[0, 5.00, 0]", &err);
    CHECK_MSG(s != NULL, "%s", err.msg);
    if (!s) return;
    const enc_journey *j = &s->journey;
    CHECK_INT(j->nsteps, 3);
    CHECK_INT(j->max_entries, 3);
    CHECK_INT(j->reentry_after, 7 * 86400);
    CHECK_INT(j->steps[0].wait, 2 * 86400);
    CHECK_INT(j->steps[0].nbranches, 2);
    CHECK_INT(j->steps[0].branches[0].next, 1);
    CHECK_INT(j->steps[0].branches[0].want[ENC_JC_OPENED], 0);
    CHECK_INT(j->steps[0].branches[0].want[ENC_JC_BOUGHT], -1);
    CHECK_INT(j->steps[0].branches[1].next, -1);
    CHECK_INT(j->steps[0].branches[1].want[ENC_JC_CLICKED], 1);
    CHECK_STR(j->steps[0].branches[1].category, "Shoes");
    CHECK_INT(j->steps[0].next, 2);
    CHECK_INT(j->steps[1].delay, 3600);
    CHECK_INT(j->steps[1].channel, CH_SMS);
    CHECK(j->steps[1].offer);
    CHECK(!j->steps[0].offer);
    CHECK_INT(j->steps[2].next, -1);
    CHECK_INT(s->variants[0].offer.namount, 3);
    CHECK_INT(s->variants[0].offer.amount[1], 500);
    enc_buf b = {0};
    enc_jw w;
    enc_jw_init(&w, &b);
    enc_journey_json(j, &w);
    CHECK(strstr(b.p, "\"paths\":[[\"a\",\"no\",\"b\",\"end\"],[\"a\",\"shoes\",\"end\"],"
                      "[\"a\",\"otherwise\",\"c\",\"end\"]]") != NULL);
    enc_buf_free(&b);
    enc_spec_free(s);
}

/* ---- random graphs against a brute-force reading ------------------------------------------- */

typedef struct graph {
    int n;
    int nb[ENC_JOURNEY_MAX_STEPS];
    int next[ENC_JOURNEY_MAX_STEPS][ENC_JOURNEY_MAX_BRANCHES + 1]; /* [nb] = the step's next */
} graph;

/* does a path from i come back to a step on it? (plain recursion over every path) */
static bool cyclic_from(const graph *g, int i, bool *on)
{
    if (on[i]) return true;
    on[i] = true;
    for (int b = 0; b <= g->nb[i]; b++)
        if (g->next[i][b] >= 0 && cyclic_from(g, g->next[i][b], on)) return true;
    on[i] = false;
    return false;
}

static bool reachable(const graph *g, int from, int to, int depth)
{
    if (from == to) return true;
    if (depth > g->n) return false;
    for (int b = 0; b <= g->nb[from]; b++)
        if (g->next[from][b] >= 0 && reachable(g, g->next[from][b], to, depth + 1)) return true;
    return false;
}

static long count_paths(const graph *g, int i)
{
    long n = 0;
    for (int b = 0; b <= g->nb[i]; b++) n += g->next[i][b] < 0 ? 1 : count_paths(g, g->next[i][b]);
    return n;
}

static void random_journeys(void)
{
    enc_rng r;
    enc_rng_seed(&r, 19);
    int accepted = 0, cycles = 0, unreachable = 0;
    for (int t = 0; t < 400; t++) {
        graph g = {.n = 1 + (int)enc_rng_below(&r, 6)};
        bool dag = enc_rng_below(&r, 2) == 0;
        for (int i = 0; i < g.n; i++) {
            g.nb[i] = (int)enc_rng_below(&r, 3);
            for (int b = 0; b <= g.nb[i]; b++) {
                int k = (int)enc_rng_below(&r, (uint64_t)g.n + 1) - 1; /* -1: the end */
                if (dag && k >= 0 && k <= i) k = -1;                   /* only forward: no cycle */
                g.next[i][b] = k;
            }
        }
        char steps[12000];
        size_t l = 0;
        for (int i = 0; i < g.n; i++) {
            l +=
                (size_t)snprintf(steps + l, sizeof steps - l,
                                 "%s{\"name\": \"s%d\", \"delay\": \"1h\", \"channel\": \"email\","
                                 " \"content\": {\"email\": {\"subject\": \"x\", \"text\": \"y\"}}",
                                 i ? "," : "", i);
            if (g.nb[i]) {
                l += (size_t)snprintf(steps + l, sizeof steps - l,
                                      ", \"wait\": \"1d\", \"branches\": [");
                for (int b = 0; b < g.nb[i]; b++) {
                    char nx[16];
                    if (g.next[i][b] < 0) snprintf(nx, sizeof nx, "end");
                    else snprintf(nx, sizeof nx, "s%d", g.next[i][b]);
                    l += (size_t)snprintf(steps + l, sizeof steps - l,
                                          "%s{\"name\": \"b%d\", \"when\": {\"opened\": %s},"
                                          " \"next\": \"%s\"}",
                                          b ? "," : "", b, b % 2 ? "true" : "false", nx);
                }
                l += (size_t)snprintf(steps + l, sizeof steps - l, "]");
            }
            if (g.next[i][g.nb[i]] >= 0)
                l += (size_t)snprintf(steps + l, sizeof steps - l, ", \"next\": \"s%d\"",
                                      g.next[i][g.nb[i]]);
            l += (size_t)snprintf(steps + l, sizeof steps - l, "}");
        }
        bool cyc = false, unreach = false;
        for (int i = 0; i < g.n && !cyc; i++) {
            bool on[ENC_JOURNEY_MAX_STEPS] = {false};
            cyc = cyclic_from(&g, i, on);
        }
        for (int i = 1; i < g.n; i++) unreach |= !reachable(&g, 0, i, 0);
        enc_err err = {0};
        enc_spec *s = parse(steps, "5.00", &err);
        if (cyc) {
            cycles++;
            CHECK_MSG(s == NULL && strstr(err.msg, "journey.steps: the steps make a cycle"),
                      "case %d: a cycle accepted or misnamed: %s", t, err.msg);
        } else if (unreach) {
            unreachable++;
            CHECK_MSG(s == NULL && strstr(err.msg, "no path reaches step"),
                      "case %d: an unreachable step accepted: %s", t, err.msg);
        } else {
            accepted++;
            CHECK_MSG(s != NULL, "case %d: %s", t, err.msg);
            if (s) {
                enc_buf b = {0};
                enc_jw w;
                enc_jw_init(&w, &b);
                enc_journey_json(&s->journey, &w);
                json_t *doc = json_loads(b.p, 0, NULL);
                CHECK_INT((long)json_array_size(json_object_get(doc, "paths")), count_paths(&g, 0));
                json_decref(doc);
                enc_buf_free(&b);
            }
        }
        enc_spec_free(s);
    }
    /* each kind of graph came up often enough to mean something */
    CHECK_MSG(accepted > 50 && cycles > 50 && unreachable > 20,
              "%d accepted, %d cycles, %d unreachable", accepted, cycles, unreachable);
}

int main(void)
{
    RUN(read_back);
    RUN(random_journeys);
    return TEST_SUMMARY();
}
