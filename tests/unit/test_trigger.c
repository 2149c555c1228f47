/* test_trigger.c — which customers each trigger selects in a window, with a given
 * clock, on a hand-made shop whose answers are worked out below: one-off, recurring slots,
 * first purchase / purchase + delay, abandoned carts (one that went on, one that was bought),
 * no purchase for N days in steps, behaviour events one a day, birthdays at a local hour in
 * New York and Shanghai (29 February on 28 February), membership anniversaries, holidays,
 * replenishment (cycle x quantity) and the predicted next order. */
#include "campaign_fixture.h"
#include "campaign/trigger.h"
#include <math.h>

static int64_t D0; /* 2026-03-10 00:00 UTC (New York on EDT since 8 March: UTC-4) */
static int64_t c1, c2, c3, o1, o2, o3, o4;
static int32_t i1, i2, i3; /* snapshot indexes */

static enc_store *shop(void)
{
    D0 = fx_day(2026, 3, 10);
    enc_store *st = fx_open("trigger.db");
    if (!st) return NULL;
    enc_err err;
    enc_store_begin(st, &err);
    int64_t coffee = fx_product(st, "COFFEE", "Food/Coffee", 1990, 1, 7, NULL);
    int64_t mug = fx_product(st, "MUG", "Home/Mugs", 900, 1, 0, NULL);
    fx_product(st, "X", "Home/Mugs", 500, 1, 0, NULL);
    fx_product(st, "Y", "Home/Mugs", 700, 2, 0, NULL);
    c1 = fx_customer(st, "A", "a@x.org", NULL, "America/New_York", "1990-03-12",
                     fx_day(2024, 3, 11) + 12 * 3600);
    c2 = fx_customer(st, "B", "b@x.org", "+8613800000000", "Asia/Shanghai", "2000-02-29",
                     fx_day(2025, 3, 12) - 2 * 3600); /* 2025-03-12 06:00 in Shanghai */
    c3 = fx_customer(st, "C", NULL, NULL, NULL, NULL, 0);
    o1 = fx_order(st, "O1", c1, D0 - 10 * 86400, coffee, "COFFEE", 2, 1990, NULL);
    o2 = fx_order(st, "O2", c1, D0 - 86400 + 3 * 3600, mug, "MUG", 1, 900, NULL);
    o3 = fx_order(st, "O3", c2, D0 - 60 * 86400 + 10 * 3600, mug, "MUG", 1, 900, NULL);
    o4 = fx_order(st, "O4", c3, D0 + 12 * 3600 + 1800, mug, "MUG", 1, 900, NULL);
    fx_event(st, "E1", c1, D0 + 10 * 3600, "cart_add", "X");
    fx_event(st, "E2", c1, D0 + 10 * 3600 + 1800, "cart_add", "Y");
    fx_event(st, "E3", c3, D0 + 12 * 3600, "cart_add", "MUG");
    fx_event(st, "E4", c2, D0 + 1 * 3600, "view", "X");
    fx_event(st, "E5", c2, D0 + 5 * 3600, "view", "Y");
    fx_event(st, "E6", c2, D0 + 86400 + 2 * 3600, "view", "MUG");
    enc_store_commit(st, &err);
    return st;
}

typedef struct env {
    enc_snapshot *s;
    enc_tz *zones[8];
    enc_tz *tz[3];
} env;

static bool env_load(enc_store *st, int64_t as_of, env *e)
{
    memset(e, 0, sizeof *e);
    enc_err err;
    if (enc_snapshot_load(st, as_of, &e->s, &err)) {
        TH_FAIL("snapshot: %s", err.msg);
        return false;
    }
    if (e->s->ncust != 3) {
        TH_FAIL("customers %zu", e->s->ncust);
        return false;
    }
    i1 = (int32_t)enc_snapshot_find(e->s, c1);
    i2 = (int32_t)enc_snapshot_find(e->s, c2);
    i3 = (int32_t)enc_snapshot_find(e->s, c3);
    for (size_t z = 0; z < e->s->zones.n && z < 8; z++)
        enc_tz_load(e->s->zones.names[z], &e->zones[z], &err);
    for (int i = 0; i < 3; i++) e->tz[i] = e->s->tz[i] >= 0 ? e->zones[e->s->tz[i]] : NULL;
    return true;
}

static void env_free(env *e)
{
    for (int z = 0; z < 8; z++) enc_tz_free(e->zones[z]);
    enc_snapshot_free(e->s);
}

static enc_spec *spec_of(const char *trigger)
{
    char buf[2048];
    snprintf(buf, sizeof buf,
             "{\"name\":\"t\",\"trigger\":%s,\"channels\":[\"email\"],"
             "\"content\":{\"email\":{\"subject\":\"s\",\"text\":\"t\"}}}",
             trigger);
    enc_spec *s = NULL;
    enc_err err;
    if (enc_spec_parse(buf, strlen(buf), NULL, &s, &err)) TH_FAIL("spec %s: %s", trigger, err.msg);
    return s;
}

/* Runs trigger json over (from, to] with data as of `to` (+1 s so `to` itself is in). */
static size_t sel(enc_store *st, const char *trigger, int64_t from, int64_t to, enc_occ_list *out,
                  const double *next_order, const uint64_t *members)
{
    memset(out, 0, sizeof *out);
    enc_spec *s = spec_of(trigger);
    if (!s) return 0;
    env e;
    if (!env_load(st, to + 1, &e)) {
        enc_spec_free(s);
        return 0;
    }
    enc_trig_ctx c = {e.s,     e.tz, next_order, members, s->trigger.at ? s->trigger.at : from + 1,
                      from + 1};
    enc_err err;
    if (enc_trigger_select(&s->trigger, &c, from, to, out, &err)) TH_FAIL("select: %s", err.msg);
    /* products by sku, for checking */
    for (size_t k = 0; k < out->n; k++)
        for (int32_t p = 0; p < out->v[k].nprod; p++) {
            int32_t id = out->prod[out->v[k].prod_off + p];
            out->prod[out->v[k].prod_off + p] = (int32_t)e.s->prod_sku[id][0]; /* first letter */
        }
    env_free(&e);
    enc_spec_free(s);
    return out->n;
}

static const enc_occ *find(const enc_occ_list *l, int32_t cust, const char *key)
{
    for (size_t k = 0; k < l->n; k++)
        if (l->v[k].cust == cust && strcmp(l->v[k].key, key) == 0) return &l->v[k];
    return NULL;
}

static void one_off_and_recurring(void)
{
    enc_store *st = shop();
    if (!st) return;
    enc_occ_list l;
    /* once at D0 09:00: everyone, in the window that holds it, once */
    CHECK_INT(
        sel(st, "{\"type\":\"once\",\"at\":\"2026-03-10 09:00\"}", D0, D0 + 86400, &l, NULL, NULL),
        3);
    const enc_occ *o = find(&l, i2, "once");
    CHECK(o && o->due == D0 + 9 * 3600);
    enc_occ_list_free(&l);
    CHECK_INT(sel(st, "{\"type\":\"once\",\"at\":\"2026-03-10 09:00\"}", D0 + 9 * 3600, D0 + 86400,
                  &l, NULL, NULL),
              0);
    enc_occ_list_free(&l);
    /* only the audience's members */
    uint64_t members = 1ull << i3;
    CHECK_INT(sel(st, "{\"type\":\"once\",\"at\":\"2026-03-10 09:00\"}", D0, D0 + 86400, &l, NULL,
                  &members),
              1);
    CHECK(find(&l, i3, "once") != NULL);
    enc_occ_list_free(&l);
    /* weekly from D0: the slot of 17 March, keyed by it; nothing in a window without one */
    const char *weekly = "{\"type\":\"recurring\",\"every\":\"7d\",\"start\":\"2026-03-10\"}";
    CHECK_INT(sel(st, weekly, D0 + 6 * 86400, D0 + 8 * 86400, &l, NULL, NULL), 3);
    o = find(&l, i1, "run:2026-03-17T00:00:00");
    CHECK(o && o->due == D0 + 7 * 86400);
    enc_occ_list_free(&l);
    CHECK_INT(sel(st, weekly, D0 + 7 * 86400, D0 + 8 * 86400, &l, NULL, NULL), 0);
    enc_occ_list_free(&l);
    /* several missed slots: only the latest */
    CHECK_INT(sel(st, weekly, D0 - 1, D0 + 15 * 86400, &l, NULL, NULL), 3);
    CHECK(find(&l, i1, "run:2026-03-24T00:00:00") != NULL);
    enc_occ_list_free(&l);
    /* past the end: nothing */
    CHECK_INT(sel(st,
                  "{\"type\":\"recurring\",\"every\":\"7d\",\"start\":\"2026-03-10\",\"end\":"
                  "\"2026-03-15\"}",
                  D0 + 6 * 86400, D0 + 8 * 86400, &l, NULL, NULL),
              0);
    enc_occ_list_free(&l);
    enc_store_close(st);
}

static void purchases(void)
{
    enc_store *st = shop();
    if (!st) return;
    enc_occ_list l;
    char key[64];
    /* first purchase + 1 day: A's first order (O1, D0 - 10 d) is due at D0 - 9 d */
    CHECK_INT(sel(st, "{\"type\":\"event\",\"event\":\"first_purchase\",\"delay\":\"1d\"}",
                  D0 - 9 * 86400 - 1, D0 - 9 * 86400, &l, NULL, NULL),
              1);
    snprintf(key, sizeof key, "order:%lld#1", (long long)o1);
    const enc_occ *o = find(&l, i1, key);
    CHECK(o && o->due == D0 - 9 * 86400 && o->ref == D0 - 10 * 86400 && o->nprod == 1);
    if (o && o->nprod == 1) CHECK_INT(l.prod[o->prod_off], 'C');
    enc_occ_list_free(&l);
    /* C's first order (D0 12:30) is due at D0 + 1 d 12:30, not before */
    CHECK_INT(sel(st, "{\"type\":\"event\",\"event\":\"first_purchase\",\"delay\":\"1d\"}", D0,
                  D0 + 86400 + 12 * 3600 + 1799, &l, NULL, NULL),
              0);
    enc_occ_list_free(&l);
    CHECK_INT(sel(st, "{\"type\":\"event\",\"event\":\"first_purchase\",\"delay\":\"1d\"}", D0,
                  D0 + 86400 + 12 * 3600 + 1800, &l, NULL, NULL),
              1);
    enc_occ_list_free(&l);
    /* every purchase + 1 day in (D0 - 1 d, D0 + 1 d]: A's second order only */
    CHECK_INT(sel(st, "{\"type\":\"event\",\"event\":\"purchase\",\"delay\":\"1d\"}", D0 - 86400,
                  D0 + 86400, &l, NULL, NULL),
              1);
    snprintf(key, sizeof key, "order:%lld#1", (long long)o2);
    o = find(&l, i1, key);
    CHECK(o && o->due == D0 + 3 * 3600);
    enc_occ_list_free(&l);
    /* no purchase for 30 and 60 days: B's only order (D0 - 60 d + 10 h) reaches step 2 at D0 10:00
     */
    const char *np = "{\"type\":\"event\",\"event\":\"no_purchase\",\"delays\":[\"30d\",\"60d\"]}";
    CHECK_INT(sel(st, np, D0, D0 + 86400, &l, NULL, NULL), 1);
    snprintf(key, sizeof key, "lastorder:%lld#2", (long long)o3);
    o = find(&l, i2, key);
    CHECK(o && o->step == 1 && o->due == D0 + 10 * 3600 && o->info == 60);
    enc_occ_list_free(&l);
    CHECK_INT(sel(st, np, D0 - 30 * 86400, D0 - 30 * 86400 + 86400, &l, NULL, NULL), 1);
    snprintf(key, sizeof key, "lastorder:%lld#1", (long long)o3);
    CHECK(find(&l, i2, key) != NULL);
    enc_occ_list_free(&l);
    enc_store_close(st);
}

static void carts_and_behaviour(void)
{
    enc_store *st = shop();
    if (!st) return;
    enc_occ_list l;
    char key[64];
    /* A added X at 10:00 and Y at 10:30: the cart went on, so only the 10:30 add is
     * abandoned (1 h: 11:30; 24 h: next day 10:30), with both products. C added at 12:00 and
     * bought at 12:30: not abandoned. */
    const char *cart =
        "{\"type\":\"event\",\"event\":\"cart_abandoned\",\"delays\":[\"1h\",\"24h\"]}";
    CHECK_INT(sel(st, cart, D0, D0 + 2 * 86400, &l, NULL, NULL), 2);
    int64_t t = D0 + 10 * 3600 + 1800;
    snprintf(key, sizeof key, "cart:%lld#1", (long long)t);
    const enc_occ *o = find(&l, i1, key);
    CHECK(o && o->due == t + 3600 && o->ref == t && o->nprod == 2);
    if (o && o->nprod == 2) {
        CHECK_INT(l.prod[o->prod_off], 'Y');
        CHECK_INT(l.prod[o->prod_off + 1], 'X');
    }
    snprintf(key, sizeof key, "cart:%lld#2", (long long)t);
    o = find(&l, i1, key);
    CHECK(o && o->step == 1 && o->due == t + 86400);
    enc_occ_list_free(&l);
    /* before 11:30 nothing is due */
    CHECK_INT(sel(st, cart, D0, t + 3599, &l, NULL, NULL), 0);
    enc_occ_list_free(&l);
    /* views: B viewed at 01:00 and 05:00 on D0 (one occurrence, due 02:00, both products)
     * and at 02:00 the next day */
    const char *view = "{\"type\":\"event\",\"event\":\"view\",\"delay\":\"1h\"}";
    CHECK_INT(sel(st, view, D0, D0 + 2 * 86400, &l, NULL, NULL), 2);
    o = find(&l, i2, "view:2026-03-10#1");
    CHECK(o && o->due == D0 + 2 * 3600 && o->nprod == 2);
    o = find(&l, i2, "view:2026-03-11#1");
    CHECK(o && o->due == D0 + 86400 + 3 * 3600 && o->nprod == 1);
    enc_occ_list_free(&l);
    enc_store_close(st);
}

static void dates_in_the_customers_zone(void)
{
    enc_store *st = shop();
    if (!st) return;
    enc_occ_list l;
    /* A's birthday, 12 March, at 09:00 in New York (EDT, UTC-4) = 13:00 UTC */
    const char *bd = "{\"type\":\"date\",\"date\":\"birthday\",\"at\":\"09:00\"}";
    CHECK_INT(sel(st, bd, D0 + 2 * 86400, D0 + 3 * 86400, &l, NULL, NULL), 1);
    const enc_occ *o = find(&l, i1, "birthday:2026-03-12");
    CHECK(o && o->due == D0 + 2 * 86400 + 13 * 3600);
    enc_occ_list_free(&l);
    /* the window ends 1 s before: not yet */
    CHECK_INT(sel(st, bd, D0 + 2 * 86400, D0 + 2 * 86400 + 13 * 3600 - 1, &l, NULL, NULL), 0);
    enc_occ_list_free(&l);
    /* a day before */
    CHECK_INT(sel(st,
                  "{\"type\":\"date\",\"date\":\"birthday\",\"at\":\"09:00\",\"offset\":\"-1d\"}",
                  D0 + 86400, D0 + 2 * 86400, &l, NULL, NULL),
              1);
    o = find(&l, i1, "birthday:2026-03-12");
    CHECK(o && o->due == D0 + 86400 + 13 * 3600);
    enc_occ_list_free(&l);
    /* B, born 29 February, in Shanghai (UTC+8): 28 February 2026 at 09:00 = 01:00 UTC */
    int64_t feb28 = fx_day(2026, 2, 28);
    CHECK_INT(sel(st, bd, feb28 - 86400, feb28 + 86400, &l, NULL, NULL), 1);
    o = find(&l, i2, "birthday:2026-02-28");
    CHECK(o && o->due == feb28 + 3600);
    enc_occ_list_free(&l);
    /* anniversaries at 10:00 local: A registered 2024-03-11 08:00 in New York (2 years on
     * 11 March, 14:00 UTC); B 2025-03-12 06:00 in Shanghai (1 year on 12 March, 02:00 UTC) */
    const char *an = "{\"type\":\"date\",\"date\":\"anniversary\"}";
    CHECK_INT(sel(st, an, D0, D0 + 3 * 86400, &l, NULL, NULL), 2);
    o = find(&l, i1, "anniversary:2026-03-11");
    CHECK(o && o->due == D0 + 86400 + 14 * 3600 && o->info == 2);
    o = find(&l, i2, "anniversary:2026-03-12");
    CHECK(o && o->due == D0 + 2 * 86400 + 2 * 3600 && o->info == 1);
    enc_occ_list_free(&l);
    /* a holiday on 11 March at 10:00 local for everyone (C has no zone: UTC) */
    const char *hol = "{\"type\":\"date\",\"date\":\"holiday\",\"holidays\":[{\"name\":\"Spring\","
                      "\"date\":\"03-11\"},"
                      "{\"name\":\"Once\",\"date\":\"2027-03-11\"}]}";
    CHECK_INT(sel(st, hol, D0, D0 + 2 * 86400, &l, NULL, NULL), 3);
    o = find(&l, i3, "holiday:Spring:2026-03-11");
    CHECK(o && o->due == D0 + 86400 + 10 * 3600 && o->info == 0);
    o = find(&l, i2, "holiday:Spring:2026-03-11");
    CHECK(o && o->due == D0 + 86400 + 2 * 3600);
    enc_occ_list_free(&l);
    enc_store_close(st);
}

static void predicted_dates(void)
{
    enc_store *st = shop();
    if (!st) return;
    enc_occ_list l;
    /* A bought 2 x COFFEE (7-day cycle) on D0 - 10 d = 27 February 19:00 in New York: runs out
     * on 27 Feb + 14 d = 13 March; reminded 3 days before at 10:00 EDT = 14:00 UTC on D0 */
    const char *rep =
        "{\"type\":\"predicted\",\"date\":\"replenishment\",\"offset\":\"-3d\",\"at\":\"10:00\"}";
    CHECK_INT(sel(st, rep, D0, D0 + 86400, &l, NULL, NULL), 1);
    const enc_occ *o = find(&l, i1, "replenish:2026-03-13");
    CHECK(o && o->due == D0 + 14 * 3600 && o->nprod == 1 && o->ref == D0 - 10 * 86400);
    if (o && o->nprod) CHECK_INT(l.prod[o->prod_off], 'C');
    enc_occ_list_free(&l);
    /* the predicted next order (profiles): B's on D0 + 5 d 06:00 UTC = 15 March 14:00 in
     * Shanghai; two days before at 10:00 local = 13 March 02:00 UTC */
    double next[3] = {NAN, NAN, NAN};
    next[i2] = (double)(D0 + 5 * 86400 + 6 * 3600);
    const char *nx = "{\"type\":\"predicted\",\"date\":\"next_order\",\"offset\":\"-2d\"}";
    CHECK_INT(sel(st, nx, D0 + 3 * 86400, D0 + 4 * 86400, &l, next, NULL), 1);
    o = find(&l, i2, "next_order:2026-03-15");
    CHECK(o && o->due == fx_day(2026, 3, 13) + 2 * 3600);
    enc_occ_list_free(&l);
    /* without the profile column: nobody */
    CHECK_INT(sel(st, nx, D0 + 3 * 86400, D0 + 4 * 86400, &l, NULL, NULL), 0);
    enc_occ_list_free(&l);
    enc_store_close(st);
}

int main(void)
{
    RUN(one_off_and_recurring);
    RUN(purchases);
    RUN(carts_and_behaviour);
    RUN(dates_in_the_customers_zone);
    RUN(predicted_dates);
    return TEST_SUMMARY();
}
