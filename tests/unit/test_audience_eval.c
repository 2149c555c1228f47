/* test_audience_eval.c — the segment evaluator (src/audience/eval.c, columns.c) against a second
 * implementation written plainly here: random shops (customers, products, orders with sale,
 * return and free lines, events, feedback, a consent ledger, profile rows) are written through
 * the store API and SQL, random expressions over every field, function and operator are
 * evaluated by the engine over columns and by the oracle below customer by customer from the
 * raw rows (libc timegm/gmtime for dates), and the two sets must be equal. Then hand-made cases
 * with known answers: cart_abandoned, birthdays around 29 February, the category rule, money
 * in currency units, value aliases, profiles after --now, merged customers, malformed lists. */
#include "harness.h"
#include "store/store_int.h"
#include "audience/eval.h"
#include "store/store_uplift.h"
#include "base/buf.h"
#include "base/rng.h"
#include <ctype.h>
#include <sqlite3.h>
#include <time.h>

#define DAYS 86400
#define NC_MAX 400

/* ---- the raw shop, as the test keeps it ---------------------------------------------------- */

typedef struct tprod {
    char sku[16];
    const char *cat, *brand;
    int64_t id;
} tprod;

typedef struct tline {
    int prod; /* index into prods, -1: no product */
    int qty;
    int64_t price;
} tline;

typedef struct tord {
    int cust; /* -1: guest */
    int64_t ts;
    const char *status;
    int nl; /* 0: no lines, total given */
    tline l[4];
    int64_t total;
} tord;

typedef struct tev {
    int cust;
    int64_t ts;
    const char *type;
    int prod; /* -1 none, -2 a sku that is not a product */
} tev;

typedef struct tfb {
    int cust;
    int64_t ts;
    const char *kind;
    bool has_score;
    double score;
} tfb;

typedef struct tcons {
    int cust;
    int64_t ts;
    const char *channel, *purpose;
    bool granted;
} tcons;

enum {
    P_RECENCY,
    P_FREQ,
    P_MONETARY,
    P_TENURE,
    P_R,
    P_F,
    P_M,
    P_PALIVE,
    P_E30,
    P_E90,
    P_E365,
    P_ESPEND,
    P_CLV,
    P_CHURN,
    P_NOD,
    P_PRICE,
    P_CLUSTER,
    P_NNUM
};
static const char *const pnum_cols[P_NNUM] = {"recency_days",
                                              "frequency",
                                              "monetary",
                                              "tenure_days",
                                              "r",
                                              "f",
                                              "m",
                                              "p_alive",
                                              "expected_purchases_30d",
                                              "expected_purchases_90d",
                                              "expected_purchases_365d",
                                              "expected_spend",
                                              "clv",
                                              "churn_risk",
                                              "next_order_date",
                                              "price_sensitivity",
                                              "cluster"};
enum { T_RFM, T_RFMCN, T_LC, T_LCC, T_SPEND, T_PCH, T_PPAY, T_CLABEL, T_NTXT };
static const char *const ptxt_cols[T_NTXT] = {
    "rfm_segment", "rfm_segment_cn",    "lifecycle",         "lifecycle_class",
    "spend_tier",  "preferred_channel", "preferred_payment", "cluster_label"};

typedef struct tcust {
    int64_t id;
    char ext[16];
    bool has_reg;
    int64_t reg;
    int by, bm, bd; /* bm = 0: no birthday */
    char gender;
    const char *region, *city, *tier, *tz;
    int64_t points;
    bool has_prof;
    int64_t prof_as_of;
    double pnum[P_NNUM]; /* NAN = NULL */
    const char *ptxt[T_NTXT];
    const char *tags[4], *topcats[3], *topbrands[3];
    int ntags, ntopcats, ntopbrands;
} tcust;

typedef struct shop {
    int64_t now;
    int np, nc, no, ne, nf, nk;
    tprod p[40];
    tcust c[NC_MAX];
    tord o[NC_MAX * 6];
    tev e[NC_MAX * 8];
    tfb f[NC_MAX * 3];
    tcons k[NC_MAX * 3];
} shop;

static const char *const cats[] = {"Electronics/Cameras/Mirrorless",
                                   "Electronics/Lenses",
                                   "Electronics > Cameras",
                                   "home/kitchen",
                                   "Coffee",
                                   "数码/相机",
                                   " Books / Comics ",
                                   NULL};
static const char *const brands[] = {"Acme", "acme", "Zeta", "小米", NULL};
static const char *const regions[] = {"CA", "NY", "England", "广东", NULL};
static const char *const cities[] = {"Los Angeles", "New York", "London", "深圳", NULL};
static const char *const tiers[] = {"bronze", "silver", "gold", NULL};
static const char *const zones[] = {"America/Los_Angeles", "Europe/London", "Asia/Shanghai", NULL};
static const char *const ev_types[] = {"view",    "cart_add", "cart_remove", "favorite",
                                       "consult", "search",   "click",       "share"};
static const char *const channels[] = {"email", "sms", "push", "wechat", "inapp", "all", "fax"};
static const char *const lc_vals[] = {"prospect",  "new",     "growing", "mature",
                                      "declining", "dormant", "churned"};
static const char *const lcc_vals[] = {"prospect",         "repeat",  "one_time",
                                       "active_non_buyer", "dormant", "lost"};
static const char *const rfm_vals[] = {"Champions",       "Loyal", "At Risk",
                                       "Can't Lose Them", "Lost",  "New"};
static const char *const rfmcn_vals[] = {"重要价值客户", "一般挽留客户", "重要挽留客户"};
static const char *const spend_vals[] = {"low", "mid", "high"};
static const char *const pch_vals[] = {"web", "app", "store"};
static const char *const ppay_vals[] = {"card", "alipay"};
static const char *const clabel_vals[] = {"bargain hunters", "loyal fans"};
static const char *const tag_vals[] = {"vip", "complainer", "high \"value\"", "新客", "a/b"};
static const char *const topcat_vals[] = {"Electronics/Cameras", "Coffee", "home > Kitchen",
                                          "数码/相机"};
static const char *const topbrand_vals[] = {"Acme", "ZETA", "小米"};

#define PICK(r, arr) (arr)[enc_rng_below((r), sizeof(arr) / sizeof *(arr))]
#define PICKN(r, arr) (arr)[enc_rng_below((r), sizeof(arr) / sizeof *(arr)-1)] /* no NULL */
#define MAYBE(r, arr) (enc_rng_below((r), 5) ? PICKN(r, arr) : NULL)

/* A time in [now - back, now + ahead): half of them on a half-day boundary (now is noon), so
 * windows (within = 7d, 12h), dates (midnight) and "at or after" meet rows exactly. */
static int64_t rnd_ts(enc_rng *r, int64_t now, int back_days, int ahead_days)
{
    if (enc_rng_below(r, 2))
        return now - (int64_t)back_days * DAYS +
               (int64_t)enc_rng_below(r, (uint64_t)(back_days + ahead_days) * 2) * (DAYS / 2);
    return now - (int64_t)back_days * DAYS +
           (int64_t)enc_rng_below(r, (uint64_t)(back_days + ahead_days) * DAYS);
}

static void gen_shop(shop *s, uint64_t seed, int ncust)
{
    enc_rng r;
    enc_rng_seed(&r, seed);
    memset(s, 0, sizeof *s);
    s->now = (int64_t)20254 * DAYS + 43200; /* 2025-06-15 12:00 UTC */
    s->np = 30;
    for (int i = 0; i < s->np; i++) {
        snprintf(s->p[i].sku, sizeof s->p[i].sku, "S%d", i);
        s->p[i].cat = PICK(&r, cats);
        s->p[i].brand = PICK(&r, brands);
    }
    s->nc = ncust;
    for (int i = 0; i < ncust; i++) {
        tcust *c = &s->c[i];
        snprintf(c->ext, sizeof c->ext, "C%03d", i);
        c->has_reg = enc_rng_below(&r, 6) != 0;
        c->reg = rnd_ts(&r, s->now, 900, 10);
        if (enc_rng_below(&r, 8)) {
            c->by = 1960 + (int)enc_rng_below(&r, 45);
            int k = (int)enc_rng_below(&r, 10);
            /* near the evaluation date, around the year's end, 29 February, or any day */
            if (k < 3) c->bm = 6, c->bd = 10 + (int)enc_rng_below(&r, 15);
            else if (k == 3) c->bm = 2, c->bd = 29, c->by = 1992;
            else if (k == 4) c->bm = 12, c->bd = 31;
            else c->bm = 1 + (int)enc_rng_below(&r, 12), c->bd = 1 + (int)enc_rng_below(&r, 28);
        }
        c->gender = "mf\0"[enc_rng_below(&r, 3)];
        c->region = PICK(&r, regions);
        c->city = PICK(&r, cities);
        c->tier = PICK(&r, tiers);
        c->tz = PICK(&r, zones);
        c->points = (int64_t)enc_rng_below(&r, 3000);
        c->has_prof = enc_rng_below(&r, 10) < 7;
        /* runs of earlier days, of today (visible all day: base/datetime.h), of tomorrow */
        int64_t asof[] = {s->now - DAYS, s->now - 3 * DAYS, s->now, s->now + DAYS,
                          s->now + 2 * DAYS};
        c->prof_as_of = asof[enc_rng_below(&r, 5)];
        for (int k = 0; k < P_NNUM; k++) c->pnum[k] = NAN;
        if (c->has_prof) {
            for (int k = 0; k < P_NNUM; k++) {
                if (k != P_FREQ && k != P_MONETARY && enc_rng_below(&r, 6) == 0) continue;
                double v;
                switch (k) {
                case P_RECENCY:
                case P_TENURE: v = enc_rng_range(&r, 0, 500); break;
                case P_FREQ: v = (double)enc_rng_below(&r, 8); break;
                case P_MONETARY:
                case P_ESPEND:
                case P_CLV: v = (double)enc_rng_below(&r, 60000); break;
                case P_R:
                case P_F:
                case P_M: v = 1 + (double)enc_rng_below(&r, 5); break;
                case P_PALIVE:
                case P_CHURN:
                case P_PRICE: v = enc_rng_uniform(&r); break;
                case P_E30:
                case P_E90:
                case P_E365: v = enc_rng_range(&r, 0, 4); break;
                case P_NOD: v = (double)rnd_ts(&r, s->now, 30, 60); break;
                default: v = (double)enc_rng_below(&r, 5); break;
                }
                c->pnum[k] = v;
            }
            const char *const *vals[T_NTXT] = {rfm_vals,   rfmcn_vals, lc_vals,   lcc_vals,
                                               spend_vals, pch_vals,   ppay_vals, clabel_vals};
            size_t nvals[T_NTXT] = {6, 3, 7, 6, 3, 3, 2, 2};
            for (int k = 0; k < T_NTXT; k++)
                c->ptxt[k] = enc_rng_below(&r, 6) ? vals[k][enc_rng_below(&r, nvals[k])] : NULL;
            c->ntags = (int)enc_rng_below(&r, 4);
            for (int k = 0; k < c->ntags; k++) c->tags[k] = PICK(&r, tag_vals);
            c->ntopcats = (int)enc_rng_below(&r, 3);
            for (int k = 0; k < c->ntopcats; k++) c->topcats[k] = PICK(&r, topcat_vals);
            c->ntopbrands = (int)enc_rng_below(&r, 3);
            for (int k = 0; k < c->ntopbrands; k++) c->topbrands[k] = PICK(&r, topbrand_vals);
        }
        /* orders */
        int no = (int)enc_rng_below(&r, 6);
        for (int j = 0; j < no; j++) {
            tord *o = &s->o[s->no++];
            o->cust = enc_rng_below(&r, 15) ? i : -1;
            o->ts = rnd_ts(&r, s->now, 500, 20);
            int st = (int)enc_rng_below(&r, 10);
            o->status = st < 7 ? "paid" : st < 9 ? "returned" : "cancelled";
            if (st < 7 && enc_rng_below(&r, 6) == 0) {
                o->nl = 0;
                o->total = (int64_t)enc_rng_below(&r, 20000) - 1000;
                continue;
            }
            o->nl = 1 + (int)enc_rng_below(&r, 3);
            for (int l = 0; l < o->nl; l++) {
                tline *ln = &o->l[l];
                ln->prod = enc_rng_below(&r, 12) ? (int)enc_rng_below(&r, (uint64_t)s->np) : -1;
                ln->qty = 1 + (int)enc_rng_below(&r, 3);
                ln->price = 100 + (int64_t)enc_rng_below(&r, 30000);
                int kind = (int)enc_rng_below(&r, 10);
                if (o->status[0] == 'r' || kind == 0) ln->qty = -ln->qty; /* a return line */
                else if (kind == 1) ln->price = 0;                        /* a free line */
            }
        }
        int ne = (int)enc_rng_below(&r, 9);
        for (int j = 0; j < ne; j++) {
            tev *e = &s->e[s->ne++];
            e->cust = i;
            e->ts = rnd_ts(&r, s->now, 60, 3);
            /* carts: often right before one of the customer's orders, sometimes after */
            if (j % 3 == 0 && no)
                e->ts = s->o[s->no - 1 - (int)enc_rng_below(&r, (uint64_t)no)].ts +
                        (enc_rng_below(&r, 3) ? (int64_t)enc_rng_below(&r, 7200) - 5400 : 0);
            e->type = PICK(&r, ev_types);
            int pk = (int)enc_rng_below(&r, 12);
            e->prod = pk == 0 ? -1 : pk == 1 ? -2 : (int)enc_rng_below(&r, (uint64_t)s->np);
            if (no && pk < 8) { /* a product of an order of theirs */
                const tord *o = &s->o[s->no - 1 - (int)enc_rng_below(&r, (uint64_t)no)];
                if (o->nl && o->l[0].prod >= 0) e->prod = o->l[0].prod;
            }
        }
        int nf = (int)enc_rng_below(&r, 3);
        for (int j = 0; j < nf; j++) {
            tfb *f = &s->f[s->nf++];
            f->cust = i;
            f->ts = rnd_ts(&r, s->now, 400, 5);
            static const char *const kinds[] = {"complaint", "nps", "review", "survey"};
            f->kind = PICK(&r, kinds);
            f->has_score = f->kind[0] != 'c' && enc_rng_below(&r, 5);
            f->score = (double)enc_rng_below(&r, 11);
        }
        int nk = (int)enc_rng_below(&r, 4);
        for (int j = 0; j < nk; j++) {
            tcons *k = &s->k[s->nk++];
            k->cust = i;
            k->ts = rnd_ts(&r, s->now, 400, 30);
            if (j && enc_rng_below(&r, 4) == 0) k->ts = s->k[s->nk - 2].ts; /* same second */
            k->channel = PICK(&r, channels);
            k->purpose = enc_rng_below(&r, 5) ? "marketing" : "service";
            k->granted = enc_rng_below(&r, 3) != 0;
        }
    }
}

/* ---- writing it through the store ---------------------------------------------------------- */

static void json_list(char *out, size_t cap, const char *const *v, int n)
{
    size_t o = (size_t)snprintf(out, cap, "[");
    for (int i = 0; i < n; i++) {
        o += (size_t)snprintf(out + o, cap - o, "%s\"", i ? ", " : "");
        for (const char *p = v[i]; *p; p++) {
            if (*p == '"' || *p == '\\') o += (size_t)snprintf(out + o, cap - o, "\\%c", *p);
            else if (*p == '/' && i % 2) o += (size_t)snprintf(out + o, cap - o, "\\/");
            else out[o++] = *p;
        }
        o += (size_t)snprintf(out + o, cap - o, "\"");
    }
    snprintf(out + o, cap - o, "]");
}

static enc_store *write_shop(shop *s, const char *file)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", th_tmpdir(), file);
    unlink(path);
    enc_store *st;
    enc_err err;
    if (enc_store_open(path, &st, &err)) {
        TH_FAIL("open: %s", err.msg);
        return NULL;
    }
    enc_store_begin(st, &err);
    enc_put put;
    for (int i = 0; i < s->np; i++) {
        enc_product_rec p = {
            .sku = s->p[i].sku, .category = s->p[i].cat, .brand = s->p[i].brand, .in_stock = -1};
        CHECK_MSG(!(enc_store_product_put(st, &p, false, &s->p[i].id, &put, &err)), "%s", err.msg);
    }
    for (int i = 0; i < s->nc; i++) {
        tcust *c = &s->c[i];
        char bday[16];
        snprintf(bday, sizeof bday, "%04d-%02d-%02d", c->by, c->bm, c->bd);
        char g[2] = {c->gender, 0};
        enc_customer_rec cr = {.source = "t",
                               .source_key = c->ext,
                               .external_id = c->ext,
                               .birthday = c->bm ? bday : NULL,
                               .gender = c->gender ? g : NULL,
                               .region = c->region,
                               .city = c->city,
                               .tier = c->tier,
                               .tz = c->tz,
                               .registered_at = c->reg,
                               .has_registered = c->has_reg,
                               .points = c->points,
                               .has_points = true};
        CHECK_MSG(!(enc_store_customer_insert(st, &cr, &c->id, &err)), "%s", err.msg);
    }
    for (int i = 0; i < s->no; i++) {
        tord *o = &s->o[i];
        char key[16];
        snprintf(key, sizeof key, "O%d", i);
        enc_order_rec orec = {.source = "t",
                              .order_key = key,
                              .customer = o->cust >= 0 ? s->c[o->cust].id : 0,
                              .ts = o->ts,
                              .status = o->status,
                              .total = o->total,
                              .has_total = o->nl == 0};
        int64_t oid;
        CHECK_MSG(!(enc_store_order_put(st, &orec, &oid, &put, &err)), "%s", err.msg);
        for (int l = 0; l < o->nl; l++) {
            tline *ln = &o->l[l];
            enc_line_rec lr = {.order_id = oid,
                               .line_no = l + 1,
                               .product_id = ln->prod >= 0 ? s->p[ln->prod].id : 0,
                               .qty = ln->qty,
                               .unit_price = ln->price,
                               .amount = ln->qty * ln->price,
                               .kind = ln->qty < 0     ? "return"
                                       : ln->price > 0 ? "sale"
                                                       : "free"};
            CHECK_MSG(!(enc_store_line_put(st, &lr, &put, &err)), "%s", err.msg);
        }
        if (o->nl) enc_store_order_refresh(st, oid, &err);
    }
    for (int i = 0; i < s->ne; i++) {
        tev *e = &s->e[i];
        char key[16];
        snprintf(key, sizeof key, "E%d", i);
        enc_event_rec er = {.source = "t",
                            .source_key = key,
                            .customer = s->c[e->cust].id,
                            .ts = e->ts,
                            .type = e->type,
                            .sku = e->prod >= 0    ? s->p[e->prod].sku
                                   : e->prod == -2 ? "NOPE"
                                                   : NULL};
        CHECK_MSG(!(enc_store_event_put(st, &er, &put, &err)), "%s", err.msg);
    }
    for (int i = 0; i < s->nf; i++) {
        tfb *f = &s->f[i];
        char key[16];
        snprintf(key, sizeof key, "F%d", i);
        enc_feedback_rec fr = {.source = "t",
                               .source_key = key,
                               .customer = s->c[f->cust].id,
                               .ts = f->ts,
                               .kind = f->kind,
                               .score = f->score,
                               .has_score = f->has_score};
        CHECK_MSG(!(enc_store_feedback_put(st, &fr, &put, &err)), "%s", err.msg);
    }
    for (int i = 0; i < s->nk; i++) {
        tcons *k = &s->k[i];
        char key[16];
        snprintf(key, sizeof key, "K%d", i);
        enc_consent_rec kr = {.source = "t",
                              .source_key = key,
                              .customer = s->c[k->cust].id,
                              .ts = k->ts,
                              .channel = k->channel,
                              .purpose = k->purpose,
                              .granted = k->granted};
        CHECK_MSG(!(enc_store_consent_put(st, &kr, &put, &err)), "%s", err.msg);
    }
    /* profile rows, as the scoring stage writes them */
    sqlite3 *db = enc__store_db(st);
    char sql[2048];
    int o = snprintf(sql, sizeof sql, "INSERT INTO profiles(customer_id, run_id, as_of");
    for (int k = 0; k < P_NNUM; k++)
        o += snprintf(sql + o, sizeof sql - (size_t)o, ", %s", pnum_cols[k]);
    for (int k = 0; k < T_NTXT; k++)
        o += snprintf(sql + o, sizeof sql - (size_t)o, ", %s", ptxt_cols[k]);
    o += snprintf(sql + o, sizeof sql - (size_t)o,
                  ", tags, top_categories, top_brands) VALUES(?, 1, ?");
    for (int k = 0; k < P_NNUM + T_NTXT + 3; k++)
        o += snprintf(sql + o, sizeof sql - (size_t)o, ", ?");
    snprintf(sql + o, sizeof sql - (size_t)o, ")");
    sqlite3_stmt *q;
    CHECK_MSG(!(sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK), "%s", sqlite3_errmsg(db));
    for (int i = 0; i < s->nc; i++) {
        tcust *c = &s->c[i];
        if (!c->has_prof) continue;
        sqlite3_reset(q);
        sqlite3_clear_bindings(q);
        sqlite3_bind_int64(q, 1, c->id);
        sqlite3_bind_int64(q, 2, c->prof_as_of);
        for (int k = 0; k < P_NNUM; k++) {
            if (isnan(c->pnum[k])) continue;
            bool integer = k == P_FREQ || k == P_MONETARY || k == P_ESPEND || k == P_CLV ||
                           k == P_NOD || k == P_R || k == P_F || k == P_M || k == P_CLUSTER;
            if (integer) sqlite3_bind_int64(q, 3 + k, (int64_t)c->pnum[k]);
            else sqlite3_bind_double(q, 3 + k, c->pnum[k]);
        }
        for (int k = 0; k < T_NTXT; k++)
            if (c->ptxt[k]) sqlite3_bind_text(q, 3 + P_NNUM + k, c->ptxt[k], -1, SQLITE_STATIC);
        char lists[3][400];
        json_list(lists[0], sizeof lists[0], c->tags, c->ntags);
        json_list(lists[1], sizeof lists[1], c->topcats, c->ntopcats);
        json_list(lists[2], sizeof lists[2], c->topbrands, c->ntopbrands);
        for (int k = 0; k < 3; k++)
            if (k || c->ntags || i % 2) /* an empty tag list is sometimes NULL */
                sqlite3_bind_text(q, 3 + P_NNUM + T_NTXT + k, lists[k], -1, SQLITE_TRANSIENT);
        CHECK_MSG(!(sqlite3_step(q) != SQLITE_DONE), "profile: %s", sqlite3_errmsg(db));
    }
    sqlite3_finalize(q);
    enc_store_commit(st, &err);
    return st;
}

/* ---- the oracle: customer by customer, from the raw rows ----------------------------------- */

static const shop *S;

static bool is_sale_order(const tord *o)
{
    if (o->cust < 0 || strcmp(o->status, "paid") != 0 || o->ts >= S->now) return false;
    int64_t sales = 0;
    if (!o->nl) sales = o->total > 0 ? o->total : 0;
    for (int l = 0; l < o->nl; l++)
        if (o->l[l].qty > 0 && o->l[l].price > 0) sales += o->l[l].qty * o->l[l].price;
    return sales > 0;
}

static int64_t order_sales(const tord *o)
{
    if (!o->nl) return o->total;
    int64_t sales = 0;
    for (int l = 0; l < o->nl; l++)
        if (o->l[l].qty > 0 && o->l[l].price > 0) sales += o->l[l].qty * o->l[l].price;
    return sales;
}

static bool has_sale_line_of(const tord *o, int prod)
{
    for (int l = 0; l < o->nl; l++)
        if (o->l[l].prod == prod && o->l[l].qty > 0 && o->l[l].price > 0) return true;
    return false;
}

/* "/level/level/" in lower case, levels trimmed, for a plain substring test of the rule */
static void norm_path(const char *p, char *out, size_t cap)
{
    size_t o = 0;
    out[o++] = '/';
    while (*p && o + 2 < cap) {
        while (*p == ' ') p++;
        const char *e = p;
        while (*e && *e != '/' && *e != '>') e++;
        const char *b = e;
        while (b > p && b[-1] == ' ') b--;
        if (b > p) {
            for (const char *q = p; q < b && o + 2 < cap; q++)
                out[o++] = (char)tolower((unsigned char)*q);
            out[o++] = '/';
        }
        p = *e ? e + 1 : e;
    }
    out[o] = 0;
}

static bool oracle_cat(const char *path, const char *pattern)
{
    if (!path) return false;
    char a[256], b[256];
    norm_path(path, a, sizeof a);
    norm_path(pattern, b, sizeof b);
    return strlen(b) > 1 && strstr(a, b) != NULL;
}

static bool ieq(const char *a, const char *b)
{
    if (!a || !b) return false;
    while (*a && *b && tolower((unsigned char)*a) == tolower((unsigned char)*b)) a++, b++;
    return *a == *b;
}

/* Product filters of a behaviour function: up to 2 values each; NULL: no filter. */
typedef struct pfilter {
    const char *sku[2], *cat[2], *brand[2];
    int nsku, ncat, nbrand;
} pfilter;

static bool pf_any(const pfilter *f) { return f->nsku || f->ncat || f->nbrand; }

static bool pf_match(const pfilter *f, int prod)
{
    if (prod < 0) return false;
    const tprod *p = &S->p[prod];
    bool ok = true;
    if (f->nsku) {
        bool m = false;
        for (int i = 0; i < f->nsku; i++) m |= strcmp(p->sku, f->sku[i]) == 0;
        ok &= m;
    }
    if (f->ncat) {
        bool m = false;
        for (int i = 0; i < f->ncat; i++) m |= oracle_cat(p->cat, f->cat[i]);
        ok &= m;
    }
    if (f->nbrand) {
        bool m = false;
        for (int i = 0; i < f->nbrand; i++) m |= ieq(p->brand, f->brand[i]);
        ok &= m;
    }
    return ok;
}

/* the value of a numeric field for customer c (NAN = missing), in the engine's units */
static double field_num(const char *name, int c)
{
    const tcust *cu = &S->c[c];
    int64_t now = S->now;
    int n = 0;
    int64_t sum = 0, first = INT64_MAX, last = INT64_MIN;
    for (int i = 0; i < S->no; i++) {
        const tord *o = &S->o[i];
        if (o->cust != c || !is_sale_order(o)) continue;
        n++;
        sum += order_sales(o);
        if (o->ts < first) first = o->ts;
        if (o->ts > last) last = o->ts;
    }
    if (!strcmp(name, "orders")) return n;
    if (!strcmp(name, "total_spent")) return (double)sum;
    if (!strcmp(name, "aov")) return n ? (double)sum / n : NAN;
    if (!strcmp(name, "first_order_at")) return n ? (double)first : NAN;
    if (!strcmp(name, "last_order_at")) return n ? (double)last : NAN;
    if (!strcmp(name, "first_order_days")) return n ? (double)(now - first) / DAYS : NAN;
    if (!strcmp(name, "last_order_days")) return n ? (double)(now - last) / DAYS : NAN;
    if (!strcmp(name, "returns") || !strcmp(name, "returns_amount")) {
        int cnt = 0;
        int64_t amt = 0;
        for (int i = 0; i < S->no; i++) {
            const tord *o = &S->o[i];
            if (o->cust != c || o->ts >= now) continue;
            int64_t ret = 0;
            bool any = false;
            for (int l = 0; l < o->nl; l++)
                if (o->l[l].qty < 0) ret += -o->l[l].qty * o->l[l].price, any = true;
            if (!strcmp(o->status, "returned") || (!strcmp(o->status, "paid") && any)) {
                cnt++;
                amt += ret;
            }
        }
        return !strcmp(name, "returns") ? cnt : (double)amt;
    }
    if (!strcmp(name, "complaints") || !strcmp(name, "last_complaint_days") ||
        !strcmp(name, "nps") || !strcmp(name, "review_score")) {
        int cnt = 0, reviews = 0, fid = -1;
        int64_t lastc = INT64_MIN, lastn = INT64_MIN;
        double nps = NAN, rsum = 0;
        for (int i = 0; i < S->nf; i++) {
            const tfb *f = &S->f[i];
            if (f->cust != c || f->ts >= now) continue;
            if (!strcmp(f->kind, "complaint")) {
                cnt++;
                if (f->ts >= lastc) lastc = f->ts;
            } else if (!strcmp(f->kind, "nps") && f->has_score &&
                       (f->ts > lastn || (f->ts == lastn && i > fid))) {
                lastn = f->ts, fid = i, nps = f->score;
            } else if (!strcmp(f->kind, "review") && f->has_score) {
                rsum += f->score, reviews++;
            }
        }
        if (!strcmp(name, "complaints")) return cnt;
        if (!strcmp(name, "last_complaint_days")) return cnt ? (double)(now - lastc) / DAYS : NAN;
        if (!strcmp(name, "nps")) return nps;
        return reviews ? (double)(float)((float)rsum / (float)reviews) : NAN;
    }
    if (!strcmp(name, "consults") || !strcmp(name, "events") || !strcmp(name, "last_event_days")) {
        int cons = 0, cnt = 0;
        int64_t lt = INT64_MIN;
        for (int i = 0; i < S->ne; i++) {
            const tev *e = &S->e[i];
            if (e->cust != c || e->ts >= now) continue;
            cnt++;
            cons += !strcmp(e->type, "consult");
            if (e->ts > lt) lt = e->ts;
        }
        if (!strcmp(name, "consults")) return cons;
        if (!strcmp(name, "events")) return cnt;
        return cnt ? (double)(now - lt) / DAYS : NAN;
    }
    if (!strcmp(name, "points")) return (double)cu->points;
    /* loyalty fields: this shop has no programme and no ledger (their values with one are
     * checked by tests/e2e/test_loyalty.sh) */
    if (!strcmp(name, "points_balance") || !strcmp(name, "points_expiring_30d")) return 0;
    if (!strcmp(name, "tier_since") || !strcmp(name, "next_tier_gap") ||
        !strcmp(name, "upgraded_days") || !strcmp(name, "tier_drop_days"))
        return NAN;
    if (!strcmp(name, "registered_at")) return cu->has_reg ? (double)cu->reg : NAN;
    if (!strcmp(name, "registered_days")) return cu->has_reg ? (double)(now - cu->reg) / DAYS : NAN;
    if (!strcmp(name, "birth_month")) return cu->bm ? cu->bm : NAN;
    bool prof = cu->has_prof && cu->prof_as_of - DAYS <= now;
    if (!strcmp(name, "scored_at")) return prof ? (double)cu->prof_as_of : NAN;
    for (int k = 0; k < P_NNUM; k++)
        if (!strcmp(name, pnum_cols[k])) return prof ? cu->pnum[k] : NAN;
    TH_FAIL("oracle: no numeric field %s", name);
    return NAN;
}

static const char *field_text(const char *name, int c)
{
    const tcust *cu = &S->c[c];
    if (!strcmp(name, "region")) return cu->region;
    if (!strcmp(name, "city")) return cu->city;
    if (!strcmp(name, "tier")) return cu->tier;
    if (!strcmp(name, "timezone")) return cu->tz;
    if (!strcmp(name, "gender")) return cu->gender == 'm' ? "m" : cu->gender == 'f' ? "f" : NULL;
    bool prof = cu->has_prof && cu->prof_as_of - DAYS <= S->now;
    for (int k = 0; k < T_NTXT; k++)
        if (!strcmp(name, ptxt_cols[k])) return prof ? cu->ptxt[k] : NULL;
    TH_FAIL("oracle: no text field %s", name);
    return NULL;
}

/* days to the next birthday by walking the calendar with gmtime */
static double oracle_days_until_birthday(int c)
{
    const tcust *cu = &S->c[c];
    if (!cu->bm) return NAN;
    time_t day0 = (time_t)(S->now - ((S->now % DAYS) + DAYS) % DAYS);
    for (int k = 0; k < 400; k++) {
        time_t t = day0 + (time_t)k * DAYS;
        struct tm tm;
        gmtime_r(&t, &tm);
        int y = tm.tm_year + 1900, m = tm.tm_mon + 1, d = tm.tm_mday;
        bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        if (m == cu->bm && d == cu->bd) return k;
        if (cu->bm == 2 && cu->bd == 29 && !leap && m == 2 && d == 28) return k;
    }
    return NAN;
}

static bool oracle_consent(int c, int ch) /* ch: 0..4, 5 = any */
{
    static const char *const names[] = {"email", "sms", "push", "wechat", "inapp"};
    bool on[5] = {false};
    /* the ledger in (time, insertion) order */
    int idx[NC_MAX * 3], n = 0;
    for (int i = 0; i < S->nk; i++)
        if (S->k[i].cust == c && S->k[i].ts < S->now && !strcmp(S->k[i].purpose, "marketing"))
            idx[n++] = i;
    for (int a = 1; a < n; a++)
        for (int b = a; b > 0 && S->k[idx[b - 1]].ts > S->k[idx[b]].ts; b--) {
            int t = idx[b];
            idx[b] = idx[b - 1];
            idx[b - 1] = t;
        }
    for (int j = 0; j < n; j++) {
        const tcons *k = &S->k[idx[j]];
        for (int x = 0; x < 5; x++)
            if (!strcmp(k->channel, "all") || !strcmp(k->channel, names[x])) on[x] = k->granted;
    }
    if (ch < 5) return on[ch];
    return on[0] || on[1] || on[2] || on[3] || on[4];
}

/* ---- random expressions: text for the engine, a tree for the oracle ------------------------ */

typedef enum xkind {
    X_AND,
    X_OR,
    X_NOT,
    X_CONST,
    X_NUM,
    X_NUM_IN,
    X_NUM_BETWEEN,
    X_TXT,
    X_COLCOL,
    X_KNOWN,
    X_BDAY,
    X_NOD,
    X_BOUGHT,
    X_VIEWED,
    X_EVENT,
    X_CART,
    X_CONSENT,
    X_LIST,
    X_SEG
} xkind;

typedef struct xnode {
    xkind kind;
    struct xnode *a, *b;
    bool val, neg;
    const char *field, *field2;
    int op; /* 0 = 1 != 2 < 3 <= 4 > 5 >= */
    int nv;
    double lo[4], hi[4]; /* literal intervals [lo, hi], both inclusive */
    const char *sv[4];
    /* behaviour */
    pfilter pf;
    int64_t from;
    int at_least;
    const char *types[2];
    int ntypes, ch, list; /* list: 0 tags 1 top_categories 2 top_brands, with sv[0]; -1 known */
} xnode;

typedef struct fdesc {
    const char *name;
    char type; /* n number, $ money, d days, t time */
} fdesc;

static const fdesc numf[] = {{"orders", 'n'},
                             {"total_spent", '$'},
                             {"aov", '$'},
                             {"first_order_at", 't'},
                             {"last_order_at", 't'},
                             {"first_order_days", 'd'},
                             {"last_order_days", 'd'},
                             {"returns", 'n'},
                             {"returns_amount", '$'},
                             {"complaints", 'n'},
                             {"last_complaint_days", 'd'},
                             {"nps", 'n'},
                             {"review_score", 'n'},
                             {"consults", 'n'},
                             {"events", 'n'},
                             {"last_event_days", 'd'},
                             {"points", 'n'},
                             {"registered_at", 't'},
                             {"registered_days", 'd'},
                             {"birth_month", 'n'},
                             {"recency_days", 'd'},
                             {"frequency", 'n'},
                             {"monetary", '$'},
                             {"tenure_days", 'd'},
                             {"r", 'n'},
                             {"f", 'n'},
                             {"m", 'n'},
                             {"p_alive", 'n'},
                             {"expected_purchases_30d", 'n'},
                             {"expected_purchases_90d", 'n'},
                             {"expected_purchases_365d", 'n'},
                             {"expected_spend", '$'},
                             {"clv", '$'},
                             {"churn_risk", 'n'},
                             {"next_order_date", 't'},
                             {"price_sensitivity", 'n'},
                             {"cluster", 'n'},
                             {"scored_at", 't'},
                             {"points_balance", 'n'},
                             {"points_expiring_30d", 'n'},
                             {"tier_since", 't'},
                             {"next_tier_gap", 'n'},
                             {"upgraded_days", 'd'},
                             {"tier_drop_days", 'd'}};
static const char *const textf[] = {"region",
                                    "city",
                                    "tier",
                                    "timezone",
                                    "gender",
                                    "rfm_segment",
                                    "rfm_segment_cn",
                                    "lifecycle",
                                    "lifecycle_class",
                                    "spend_tier",
                                    "preferred_channel",
                                    "preferred_payment",
                                    "cluster_label"};
static const char *const opnames[] = {"=", "!=", "<", "<=", ">", ">="};

typedef struct gen_ctx {
    enc_rng r;
    enc_buf b;
    xnode pool[256];
    int used;
    bool segments; /* may refer to the saved segments */
} gen_ctx;

/* saved segments: random expressions too, kept with their trees */
#define NSEG 4
static struct gen_ctx *seg_ctx[NSEG];
static struct xnode *seg_tree[NSEG];
static struct xnode *gen_expr(struct gen_ctx *g, int depth);

static xnode *xnew(gen_ctx *g, xkind k)
{
    if (g->used == 256) abort();
    xnode *x = &g->pool[g->used++];
    memset(x, 0, sizeof *x);
    x->kind = k;
    return x;
}

/* A literal for a field of type t: its text into the buffer, its meaning as [lo, hi]. */
static void literal(gen_ctx *g, char t, double *lo, double *hi)
{
    enc_rng *r = &g->r;
    int64_t now = S->now;
    switch (t) {
    case '$': {
        int64_t cents = (int64_t)enc_rng_below(r, 60000);
        if (enc_rng_below(r, 2))
            cents -= cents % 100, enc_buf_printf(&g->b, "%lld", (long long)(cents / 100));
        else if (enc_rng_below(r, 2))
            cents -= cents % 10, enc_buf_printf(&g->b, "%lld.%lld", (long long)(cents / 100),
                                                (long long)(cents % 100 / 10));
        else
            enc_buf_printf(&g->b, "%lld.%02lld", (long long)(cents / 100),
                           (long long)(cents % 100));
        *lo = *hi = (double)cents;
        return;
    }
    case 'd': {
        int k = (int)enc_rng_below(r, 4);
        if (k == 0) {
            int d = (int)enc_rng_below(r, 500);
            enc_buf_printf(&g->b, "%d", d);
            *lo = *hi = d;
        } else if (k == 1) {
            int d = (int)enc_rng_below(r, 400);
            enc_buf_printf(&g->b, "%dd", d);
            *lo = *hi = d;
        } else if (k == 2) {
            int h = (int)enc_rng_below(r, 2000);
            enc_buf_printf(&g->b, "%dh", h);
            *lo = *hi = h / 24.0;
        } else {
            int w = (int)enc_rng_below(r, 60);
            enc_buf_printf(&g->b, "%dw", w);
            *lo = *hi = w * 7.0;
        }
        return;
    }
    case 't': {
        int64_t t0 = now - 600 * (int64_t)DAYS + (int64_t)enc_rng_below(r, 700 * (uint64_t)DAYS);
        time_t tt = (time_t)t0;
        struct tm tm;
        gmtime_r(&tt, &tm);
        if (enc_rng_below(r, 3)) {
            enc_buf_printf(&g->b, "\"%04d-%02d-%02d\"", tm.tm_year + 1900, tm.tm_mon + 1,
                           tm.tm_mday);
            tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
            *lo = (double)timegm(&tm);
            *hi = *lo + DAYS - 0.5; /* the whole day: t < start + 1 day (times are whole seconds) */
        } else {
            enc_buf_printf(&g->b, "\"%04d-%02d-%02d %02d:%02d:%02d\"", tm.tm_year + 1900,
                           tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
            *lo = *hi = (double)timegm(&tm);
        }
        return;
    }
    default: {
        int k = (int)enc_rng_below(r, 3);
        double v = k == 0   ? (double)enc_rng_below(r, 6)
                   : k == 1 ? (double)enc_rng_below(r, 3000)
                            : enc_rng_below(r, 100) / 100.0;
        if (k == 2) enc_buf_printf(&g->b, "%.2f", v);
        else enc_buf_printf(&g->b, "%g", v);
        *lo = *hi = v;
    }
    }
}

static void gen_pfilter(gen_ctx *g, pfilter *f, bool *first)
{
    enc_rng *r = &g->r;
    static const char *const catpats[] = {
        "cameras", "Electronics", "electronics/cameras", "Cameras > Mirrorless", "Camera",
        "KITCHEN", "相机",        "books/comics",        "Lenses/Electronics"};
    static const char *const brandpats[] = {"acme", "ZETA", "小米", "nobody"};
    int k = (int)enc_rng_below(r, 8);
    if (k == 0 || k == 4) {
        f->nsku = 1 + (int)enc_rng_below(r, 2);
        for (int i = 0; i < f->nsku; i++) f->sku[i] = S->p[enc_rng_below(r, (uint64_t)S->np)].sku;
        if (f->nsku == 1) enc_buf_printf(&g->b, "%ssku = \"%s\"", *first ? "" : ", ", f->sku[0]);
        else
            enc_buf_printf(&g->b, "%ssku in (\"%s\", '%s')", *first ? "" : ", ", f->sku[0],
                           f->sku[1]);
        *first = false;
    }
    if (k == 1 || k == 4 || k == 5) {
        f->ncat = 1 + (int)enc_rng_below(r, 2);
        for (int i = 0; i < f->ncat; i++) f->cat[i] = PICK(r, catpats);
        if (f->ncat == 1)
            enc_buf_printf(&g->b, "%scategory = \"%s\"", *first ? "" : ", ", f->cat[0]);
        else
            enc_buf_printf(&g->b, "%scategory in (\"%s\", \"%s\")", *first ? "" : ", ", f->cat[0],
                           f->cat[1]);
        *first = false;
    }
    if (k == 2 || k == 5) {
        f->nbrand = 1;
        f->brand[0] = PICK(r, brandpats);
        enc_buf_printf(&g->b, "%sbrand = \"%s\"", *first ? "" : ", ", f->brand[0]);
        *first = false;
    }
}

static void gen_window(gen_ctx *g, xnode *x, bool *first)
{
    enc_rng *r = &g->r;
    x->from = INT64_MIN;
    int k = (int)enc_rng_below(r, 4);
    if (k == 1 || k == 3) {
        static const char *const durs[] = {"1d", "12h", "7d", "30d", "2w", "90d", "400d", "45m"};
        static const int64_t secs[] = {DAYS,      43200,     7 * DAYS,   30 * DAYS,
                                       14 * DAYS, 90 * DAYS, 400 * DAYS, 2700};
        int i = (int)enc_rng_below(r, 8);
        enc_buf_printf(&g->b, "%swithin = %s", *first ? "" : ", ", durs[i]);
        x->from = S->now - secs[i];
        *first = false;
    }
    if (k == 2 || k == 3) {
        int64_t t0 = S->now - (int64_t)enc_rng_below(r, 400) * DAYS;
        time_t tt = (time_t)t0;
        struct tm tm;
        gmtime_r(&tt, &tm);
        enc_buf_printf(&g->b, "%ssince = \"%04d-%02d-%02d\"", *first ? "" : ", ", tm.tm_year + 1900,
                       tm.tm_mon + 1, tm.tm_mday);
        tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
        int64_t since = (int64_t)timegm(&tm);
        if (since > x->from) x->from = since;
        *first = false;
    }
}

static xnode *gen_atom(gen_ctx *g)
{
    enc_rng *r = &g->r;
    int k = (int)enc_rng_below(r, 20);
    xnode *x;
    switch (k) {
    case 0:
    case 1:
    case 2: { /* field op literal (or literal op field) */
        const fdesc *f = &numf[enc_rng_below(r, sizeof numf / sizeof *numf)];
        x = xnew(g, X_NUM);
        x->field = f->name;
        x->op = (int)enc_rng_below(r, 6);
        x->nv = 1;
        if (enc_rng_below(r, 4) == 0) { /* literal on the left: the operator flips */
            static const int flip[] = {0, 1, 4, 5, 2, 3};
            literal(g, f->type, &x->lo[0], &x->hi[0]);
            enc_buf_printf(&g->b, " %s %s", opnames[flip[x->op]], f->name);
        } else {
            enc_buf_printf(&g->b, "%s %s ", f->name, opnames[x->op]);
            literal(g, f->type, &x->lo[0], &x->hi[0]);
        }
        return x;
    }
    case 3: {
        const fdesc *f = &numf[enc_rng_below(r, sizeof numf / sizeof *numf)];
        x = xnew(g, X_NUM_IN);
        x->field = f->name;
        x->neg = enc_rng_below(r, 3) == 0;
        x->nv = 1 + (int)enc_rng_below(r, 3);
        enc_buf_printf(&g->b, "%s %sin (", f->name, x->neg ? "not " : "");
        for (int i = 0; i < x->nv; i++) {
            if (i) enc_buf_adds(&g->b, ", ");
            literal(g, f->type, &x->lo[i], &x->hi[i]);
        }
        enc_buf_adds(&g->b, ")");
        return x;
    }
    case 4: {
        const fdesc *f = &numf[enc_rng_below(r, sizeof numf / sizeof *numf)];
        x = xnew(g, X_NUM_BETWEEN);
        x->field = f->name;
        x->neg = enc_rng_below(r, 3) == 0;
        enc_buf_printf(&g->b, "%s %sbetween ", f->name, x->neg ? "not " : "");
        double l1, h1, l2, h2;
        literal(g, f->type, &l1, &h1);
        enc_buf_adds(&g->b, " and ");
        literal(g, f->type, &l2, &h2);
        x->lo[0] = l1;
        x->hi[0] = h2;
        return x;
    }
    case 5:
    case 6: { /* text */
        const char *name = textf[enc_rng_below(r, sizeof textf / sizeof *textf)];
        x = xnew(g, X_TXT);
        x->field = name;
        /* values seen in the data for this field, plus an absent one for free text */
        const char *vals[16];
        int nv = 0;
        for (int c = 0; c < S->nc && nv < 12; c++) {
            const char *v = NULL;
            const tcust *cu = &S->c[c];
            if (!strcmp(name, "region")) v = cu->region;
            else if (!strcmp(name, "city")) v = cu->city;
            else if (!strcmp(name, "tier")) v = cu->tier;
            else if (!strcmp(name, "timezone")) v = cu->tz;
            else if (!strcmp(name, "gender"))
                v = cu->gender == 'm' ? "m" : cu->gender == 'f' ? "f" : NULL;
            else
                for (int t = 0; t < T_NTXT; t++)
                    if (!strcmp(name, ptxt_cols[t])) v = cu->ptxt[t];
            bool dup = false;
            for (int i = 0; i < nv; i++) dup |= v && !strcmp(vals[i], v);
            if (v && !dup) vals[nv++] = v;
        }
        bool domain = !strcmp(name, "gender") || !strcmp(name, "lifecycle") ||
                      !strcmp(name, "lifecycle_class") || !strcmp(name, "rfm_segment") ||
                      !strcmp(name, "rfm_segment_cn");
        if (!domain) vals[nv++] = "Nowhere";
        if (!nv)
            vals[nv++] = !strcmp(name, "gender")            ? "f"
                         : !strcmp(name, "lifecycle")       ? "new"
                         : !strcmp(name, "lifecycle_class") ? "lost"
                         : !strcmp(name, "rfm_segment")     ? "Lost"
                                                            : "重要价值客户";
        int form = (int)enc_rng_below(r, 4);
        x->neg = form == 1 || form == 3;
        x->nv = form < 2 ? 1 : 1 + (int)enc_rng_below(r, 3);
        for (int i = 0; i < x->nv; i++) x->sv[i] = vals[enc_rng_below(r, (uint64_t)nv)];
        if (form < 2) {
            enc_buf_printf(&g->b, "%s %s \"%s\"", name, form ? "!=" : "=", x->sv[0]);
        } else {
            enc_buf_printf(&g->b, "%s %sin (", name, form == 3 ? "not " : "");
            for (int i = 0; i < x->nv; i++)
                enc_buf_printf(&g->b, "%s\"%s\"", i ? ", " : "", x->sv[i]);
            enc_buf_adds(&g->b, ")");
        }
        return x;
    }
    case 7: {
        static const char *const pairs[][2] = {{"clv", "monetary"},
                                               {"clv", "expected_spend"},
                                               {"total_spent", "monetary"},
                                               {"recency_days", "last_order_days"},
                                               {"last_order_at", "next_order_date"},
                                               {"orders", "frequency"},
                                               {"aov", "expected_spend"}};
        int p = (int)enc_rng_below(r, 7);
        x = xnew(g, X_COLCOL);
        x->field = pairs[p][0];
        x->field2 = pairs[p][1];
        x->op = (int)enc_rng_below(r, 6);
        enc_buf_printf(&g->b, "%s %s %s", x->field, opnames[x->op], x->field2);
        return x;
    }
    case 8: {
        x = xnew(g, X_KNOWN);
        int t = (int)enc_rng_below(r, 3);
        if (t == 0) x->field = numf[enc_rng_below(r, sizeof numf / sizeof *numf)].name;
        else if (t == 1) x->field = textf[enc_rng_below(r, sizeof textf / sizeof *textf)];
        else {
            static const char *const lists[] = {"tags", "top_categories", "top_brands"};
            x->kind = X_LIST;
            x->list = (int)enc_rng_below(r, 3);
            x->field = lists[x->list];
            x->sv[0] = NULL;
        }
        enc_buf_printf(&g->b, "known(%s)", x->field);
        return x;
    }
    case 9: {
        x = xnew(g, X_BDAY);
        x->op = (int)enc_rng_below(r, 6);
        int v = (int)enc_rng_below(r, 20);
        if (enc_rng_below(r, 2))
            enc_buf_printf(&g->b, "days_until(birthday) %s %d", opnames[x->op], v);
        else enc_buf_printf(&g->b, "days_until(birthday) %s %dd", opnames[x->op], v);
        x->lo[0] = x->hi[0] = v;
        return x;
    }
    case 10: {
        x = xnew(g, X_NOD);
        x->op = (int)enc_rng_below(r, 6);
        int v = (int)enc_rng_below(r, 60) - 20;
        enc_buf_printf(&g->b, "days_until(next_order_date) %s %d", opnames[x->op], v);
        x->lo[0] = x->hi[0] = v;
        return x;
    }
    case 11:
    case 12:
    case 13:
    case 14: {
        static const xkind kinds[] = {X_BOUGHT, X_VIEWED, X_EVENT, X_CART};
        static const char *const fn[] = {"bought", "viewed", "event", "cart_abandoned"};
        int f = k - 11;
        x = xnew(g, kinds[f]);
        enc_buf_printf(&g->b, "%s(", fn[f]);
        bool first = true;
        if (x->kind == X_EVENT) {
            static const char *const types[] = {"view",    "cart_add", "favorite",
                                                "consult", "search",   "share"};
            x->ntypes = 1 + (int)enc_rng_below(r, 2);
            for (int i = 0; i < x->ntypes; i++) x->types[i] = PICK(r, types);
            if (x->ntypes == 1 && enc_rng_below(r, 2)) enc_buf_printf(&g->b, "\"%s\"", x->types[0]);
            else if (x->ntypes == 1) enc_buf_printf(&g->b, "type = \"%s\"", x->types[0]);
            else enc_buf_printf(&g->b, "type in (\"%s\", \"%s\")", x->types[0], x->types[1]);
            first = false;
        }
        gen_pfilter(g, &x->pf, &first);
        gen_window(g, x, &first);
        x->at_least = 1;
        if (x->kind != X_CART && enc_rng_below(r, 3) == 0) {
            x->at_least = 1 + (int)enc_rng_below(r, 3);
            enc_buf_printf(&g->b, "%sat_least = %d", first ? "" : ", ", x->at_least);
        }
        enc_buf_adds(&g->b, ")");
        return x;
    }
    case 15: {
        static const char *const chs[] = {"email", "sms", "push", "wechat", "inapp", "any"};
        x = xnew(g, X_CONSENT);
        x->ch = (int)enc_rng_below(r, 6);
        enc_buf_printf(&g->b, "consent(\"%s\")",
                       enc_rng_below(r, 4) ? chs[x->ch]
                       : x->ch == 1        ? "SMS"
                                           : chs[x->ch]);
        return x;
    }
    case 16:
    case 17: {
        static const char *const fn[] = {"tag", "top_category", "top_brand"};
        static const char *const pats[][6] = {
            {"vip", "complainer", "high \\\"value\\\"", "新客", "a/b", "VIP"},
            {"cameras", "Electronics", "coffee", "kitchen", "相机", "Electronics/Cameras"},
            {"acme", "zeta", "小米", "Acme", "nobody", "ZETA"}};
        static const char *const raw[][6] = {
            {"vip", "complainer", "high \"value\"", "新客", "a/b", "VIP"},
            {"cameras", "Electronics", "coffee", "kitchen", "相机", "Electronics/Cameras"},
            {"acme", "zeta", "小米", "Acme", "nobody", "ZETA"}};
        x = xnew(g, X_LIST);
        x->list = (int)enc_rng_below(r, 3);
        int i = (int)enc_rng_below(r, 6);
        x->sv[0] = raw[x->list][i];
        enc_buf_printf(&g->b, "%s(\"%s\")", fn[x->list], pats[x->list][i]);
        return x;
    }
    case 18:
        if (g->segments) {
            x = xnew(g, X_SEG);
            x->ch = (int)enc_rng_below(r, NSEG);
            enc_buf_printf(&g->b, "segment(\"s%d\")", x->ch);
            return x;
        }
        /* fall through */
    default:
        x = xnew(g, X_CONST);
        x->val = enc_rng_below(r, 2);
        enc_buf_adds(&g->b, x->val ? "true" : "false");
        return x;
    }
}

static xnode *gen_expr(gen_ctx *g, int depth)
{
    int k = depth >= 3 ? 0 : (int)enc_rng_below(&g->r, 5);
    if (k <= 1) return gen_atom(g);
    if (k == 2) {
        xnode *x = xnew(g, X_NOT);
        enc_buf_adds(&g->b, "not (");
        x->a = gen_expr(g, depth + 1);
        enc_buf_adds(&g->b, ")");
        return x;
    }
    xnode *x = xnew(g, k == 3 ? X_AND : X_OR);
    enc_buf_adds(&g->b, "(");
    x->a = gen_expr(g, depth + 1);
    enc_buf_adds(&g->b, k == 3 ? " and\n " : " or ");
    x->b = gen_expr(g, depth + 1);
    enc_buf_adds(&g->b, ")");
    return x;
}

static bool cmp(double v, int op, double lo, double hi)
{
    if (isnan(v)) return false;
    switch (op) {
    case 0: return v >= lo && v <= hi;
    case 1: return !(v >= lo && v <= hi);
    case 2: return v < lo;
    case 3: return v <= hi;
    case 4: return v > hi;
    default: return v >= lo;
    }
}

static bool eval_oracle(const xnode *x, int c)
{
    const tcust *cu = &S->c[c];
    bool prof = cu->has_prof && cu->prof_as_of - DAYS <= S->now;
    int64_t now = S->now;
    switch (x->kind) {
    case X_AND: return eval_oracle(x->a, c) && eval_oracle(x->b, c);
    case X_OR: return eval_oracle(x->a, c) || eval_oracle(x->b, c);
    case X_NOT: return !eval_oracle(x->a, c);
    case X_CONST: return x->val;
    case X_NUM: return cmp(field_num(x->field, c), x->op, x->lo[0], x->hi[0]);
    case X_NUM_IN: {
        double v = field_num(x->field, c);
        if (isnan(v)) return false;
        bool in = false;
        for (int i = 0; i < x->nv; i++) in |= v >= x->lo[i] && v <= x->hi[i];
        return in != x->neg;
    }
    case X_NUM_BETWEEN: {
        double v = field_num(x->field, c);
        if (isnan(v)) return false;
        return (v >= x->lo[0] && v <= x->hi[0]) != x->neg;
    }
    case X_TXT: {
        const char *v = field_text(x->field, c);
        if (!v) return false;
        bool in = false;
        for (int i = 0; i < x->nv; i++) in |= !strcmp(v, x->sv[i]);
        return in != x->neg;
    }
    case X_COLCOL: {
        double a = field_num(x->field, c), b = field_num(x->field2, c);
        if (isnan(a) || isnan(b)) return false;
        switch (x->op) {
        case 0: return a == b;
        case 1: return a != b;
        case 2: return a < b;
        case 3: return a <= b;
        case 4: return a > b;
        default: return a >= b;
        }
    }
    case X_KNOWN: {
        for (size_t i = 0; i < sizeof textf / sizeof *textf; i++)
            if (!strcmp(x->field, textf[i])) return field_text(x->field, c) != NULL;
        return !isnan(field_num(x->field, c));
    }
    case X_BDAY: return cmp(oracle_days_until_birthday(c), x->op, x->lo[0], x->hi[0]);
    case X_NOD: {
        double nod = prof ? cu->pnum[P_NOD] : NAN;
        return cmp((nod - (double)now) / DAYS, x->op, x->lo[0], x->hi[0]);
    }
    case X_BOUGHT: {
        int cnt = 0;
        for (int i = 0; i < S->no; i++) {
            const tord *o = &S->o[i];
            if (o->cust != c || !is_sale_order(o) || o->ts < x->from) continue;
            bool hit = !pf_any(&x->pf);
            for (int l = 0; l < o->nl && !hit; l++)
                hit = o->l[l].qty > 0 && o->l[l].price > 0 && pf_match(&x->pf, o->l[l].prod);
            cnt += hit;
        }
        return cnt >= x->at_least;
    }
    case X_VIEWED:
    case X_EVENT: {
        int cnt = 0;
        for (int i = 0; i < S->ne; i++) {
            const tev *e = &S->e[i];
            if (e->cust != c || e->ts >= now || e->ts < x->from) continue;
            bool type = x->kind == X_VIEWED ? !strcmp(e->type, "view") : false;
            for (int t = 0; t < x->ntypes; t++) type |= !strcmp(e->type, x->types[t]);
            if (!type) continue;
            if (pf_any(&x->pf) && !pf_match(&x->pf, e->prod)) continue;
            cnt++;
        }
        return cnt >= x->at_least;
    }
    case X_CART: {
        for (int i = 0; i < S->ne; i++) {
            const tev *e = &S->e[i];
            if (e->cust != c || e->ts >= now || e->ts < x->from || strcmp(e->type, "cart_add"))
                continue;
            int p = e->prod >= 0 ? e->prod : -1;
            if (pf_any(&x->pf) && !pf_match(&x->pf, p)) continue;
            bool bought_after = false;
            for (int j = 0; j < S->no && !bought_after; j++) {
                const tord *o = &S->o[j];
                if (o->cust != c || !is_sale_order(o) || o->ts < e->ts) continue;
                bought_after = p < 0 ? true : has_sale_line_of(o, p);
            }
            if (!bought_after) return true;
        }
        return false;
    }
    case X_CONSENT: return oracle_consent(c, x->ch);
    case X_SEG: return eval_oracle(seg_tree[x->ch], c);
    case X_LIST: {
        if (!prof) return false;
        const char *const *v = x->list == 0 ? cu->tags : x->list == 1 ? cu->topcats : cu->topbrands;
        int n = x->list == 0 ? cu->ntags : x->list == 1 ? cu->ntopcats : cu->ntopbrands;
        if (!x->sv[0]) return n > 0;
        for (int i = 0; i < n; i++)
            if (x->list == 0   ? !strcmp(v[i], x->sv[0])
                : x->list == 1 ? oracle_cat(v[i], x->sv[0])
                               : ieq(v[i], x->sv[0]))
                return true;
        return false;
    }
    }
    return false;
}

/* ---- the comparison -------------------------------------------------------------------------- */

static void make_segments(uint64_t seed, enc_store *st)
{
    for (int k = 0; k < NSEG; k++) {
        if (!seg_ctx[k]) seg_ctx[k] = calloc(1, sizeof *seg_ctx[k]);
        gen_ctx *g = seg_ctx[k];
        g->used = 0;
        enc_buf_reset(&g->b);
        enc_rng_seed(&g->r, seed * 1000 + (uint64_t)k);
        seg_tree[k] = gen_expr(g, 1);
        if (st) {
            char name[16];
            snprintf(name, sizeof name, "s%d", k);
            enc_err err;
            CHECK_MSG(!(enc_store_segment_put(st, name, g->b.p, 0, NULL, &err)), "%s", err.msg);
        }
    }
}

static void free_segments(void)
{
    for (int k = 0; k < NSEG; k++) {
        if (seg_ctx[k]) enc_buf_free(&seg_ctx[k]->b);
        free(seg_ctx[k]);
        seg_ctx[k] = NULL;
    }
}

static shop the_shop;

static void random_against_oracle(uint64_t seed, int ncust, int nexpr)
{
    shop *s = &the_shop;
    gen_shop(s, seed, ncust);
    S = s;
    char file[64];
    snprintf(file, sizeof file, "eval%llu.db", (unsigned long long)seed);
    enc_store *st = write_shop(s, file);
    if (!st) return;
    enc_err err;
    enc_snapshot *snap;
    if (enc_snapshot_load(st, s->now, &snap, &err)) {
        TH_FAIL("snapshot: %s", err.msg);
        return;
    }
    CHECK_INT(snap->ncust, s->nc);
    enc_aud_env *env;
    enc_aud_env_new(snap, st, s->now, &env, &err);
    make_segments(seed, st);
    gen_ctx *g = calloc(1, sizeof *g);
    g->segments = true;
    enc_rng_seed(&g->r, seed * 7 + 1);
    int failures = 0, nonempty = 0, nonfull = 0, partial = 0, narrow = 0;
    for (int i = 0; i < nexpr && failures < 5; i++) {
        g->used = 0;
        enc_buf_reset(&g->b);
        xnode *x = gen_expr(g, 0);
        enc_aud_set set;
        enc_aud_pos where;
        if (enc_aud_select(env, g->b.p, g->b.len, &set, &where, &err)) {
            TH_FAIL("expression %d: %s\n    %s", i, err.msg, g->b.p);
            failures++;
            continue;
        }
        size_t count = 0;
        for (int c = 0; c < s->nc; c++) {
            bool want = eval_oracle(x, c), got = enc_aud_set_has(&set, (size_t)c);
            count += want;
            if (want != got) {
                TH_FAIL("expression %d, customer %s: engine %d, oracle %d\n    %s", i, s->c[c].ext,
                        got, want, g->b.p);
                failures++;
                break;
            }
        }
        CHECK_INT(enc_aud_set_count(&set), count);
        nonempty += count > 0;
        nonfull += count < (size_t)s->nc;
        /* one expression in four again over a snapshot read with only what it needs (parts,
         * windows), as `encore audience count` reads it: the same customers */
        if (i % 4 == 0 && !failures) {
            enc_snapshot_opts need;
            enc_snapshot *part = NULL;
            enc_aud_env *penv = NULL;
            enc_aud_set pset = {0};
            if (enc_aud_needs(st, g->b.p, g->b.len, s->now, &need, &where, &err) ||
                enc_snapshot_load_opts(st, s->now, &need, &part, &err) ||
                enc_aud_env_new(part, st, s->now, &penv, &err) ||
                enc_aud_select(penv, g->b.p, g->b.len, &pset, &where, &err)) {
                TH_FAIL("expression %d over the parts it needs: %s\n    %s", i, err.msg, g->b.p);
                failures++;
            } else {
                partial++;
                bool same = pset.n == set.n &&
                            memcmp(pset.w, set.w, (set.n + 63) / 64 * sizeof *set.w) == 0;
                if (!same) {
                    TH_FAIL("expression %d: other customers over the parts it needs\n    %s", i,
                            g->b.p);
                    failures++;
                }
                /* less than every order and every event */
                const enc_snapshot_opts *l = &part->loaded;
                narrow += !(l->parts & ENC_SNAP_ORDERS) || !(l->parts & ENC_SNAP_EVENTS) ||
                          l->orders_from > INT64_MIN || l->events_from > INT64_MIN;
            }
            enc_aud_set_free(&pset);
            enc_aud_env_free(penv);
            enc_snapshot_free(part);
        }
        enc_aud_set_free(&set);
    }
    CHECK(narrow > partial / 2); /* most read less than all the orders and events */
    /* the expressions were not trivial: most select some customers and leave out others */
    CHECK(nonempty > nexpr / 2);
    CHECK(nonfull > nexpr / 2);
    printf("# seed %llu: %d expressions over %d customers, %d non-empty, %d not everyone; %d"
           " over the parts they need, %d of them without all the orders and events\n",
           (unsigned long long)seed, nexpr, ncust, nonempty, nonfull, partial, narrow);
    enc_buf_free(&g->b);
    free(g);
    free_segments();
    enc_aud_env_free(env);
    enc_snapshot_free(snap);
    enc_store_close(st);
}

static void oracle_seed1(void) { random_against_oracle(1, 300, 1500); }
static void oracle_seed2(void) { random_against_oracle(2, 120, 1500); }
static void oracle_seed3(void) { random_against_oracle(3, 257, 1000); }

/* Every field and function appears in the random expressions above. */
static void coverage(void)
{
    gen_ctx *g = calloc(1, sizeof *g);
    g->segments = true;
    enc_rng_seed(&g->r, 1 * 7 + 1);
    S = &the_shop;
    gen_shop(&the_shop, 1, 300);
    make_segments(1, NULL);
    enc_buf all = {0};
    for (int i = 0; i < 1500; i++) {
        g->used = 0;
        enc_buf_reset(&g->b);
        gen_expr(g, 0);
        enc_buf_adds(&all, g->b.p);
        enc_buf_addc(&all, '\n');
    }
    for (int f = 0; f < AUD_F_COUNT; f++) {
        if (f == AUD_FN_UPLIFT) continue; /* needs a stored model: uplift_fn below */
        char pat[80];
        snprintf(pat, sizeof pat, "%s%s", enc_aud_fields[f].name,
                 enc_aud_fields[f].from == AUD_FROM_FUNC ? "(" : "");
        CHECK_MSG(!(!strstr(all.p, pat)), "never generated: %s", pat);
    }
    const char *ops[] = {" = ",    " != ",        " < ",       " <= ",          " > ",    " >= ",
                         " in (",  " not in (",   " between ", " not between ", "not (",  " and\n",
                         " or ",   "true",        "false",     "at_least",      "within", "since",
                         "sku in", "category in", "brand =",   "type in",       "\"any\""};
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
        CHECK_MSG(!(!strstr(all.p, ops[i])), "never generated: '%s'", ops[i]);
    enc_buf_free(&all);
    enc_buf_free(&g->b);
    free(g);
    free_segments();
}

/* ---- hand-made cases ---------------------------------------------------------------------------
 */

static enc_store *hst;
static enc_err herr;

static int64_t hcust(const char *ext, const char *bday)
{
    enc_customer_rec r = {.source = "h", .source_key = ext, .external_id = ext, .birthday = bday};
    int64_t id = 0;
    CHECK_MSG(!(enc_store_customer_insert(hst, &r, &id, &herr)), "%s", herr.msg);
    return id;
}

static int64_t hprod(const char *sku, const char *cat)
{
    enc_product_rec p = {.sku = sku, .category = cat, .in_stock = -1};
    int64_t id;
    enc_put put;
    enc_store_product_put(hst, &p, false, &id, &put, &herr);
    return id;
}

static void horder(const char *key, int64_t cust, int64_t ts, int64_t prod)
{
    enc_order_rec o = {
        .source = "h", .order_key = key, .customer = cust, .ts = ts, .status = "paid"};
    int64_t oid;
    enc_put put;
    enc_store_order_put(hst, &o, &oid, &put, &herr);
    enc_line_rec l = {.order_id = oid,
                      .line_no = 1,
                      .product_id = prod,
                      .qty = 1,
                      .unit_price = 1000,
                      .amount = 1000,
                      .kind = "sale"};
    enc_store_line_put(hst, &l, &put, &herr);
    enc_store_order_refresh(hst, oid, &herr);
}

static void hevent(const char *key, int64_t cust, int64_t ts, const char *type, const char *sku)
{
    enc_event_rec e = {
        .source = "h", .source_key = key, .customer = cust, .ts = ts, .type = type, .sku = sku};
    enc_put put;
    enc_store_event_put(hst, &e, &put, &herr);
}

static void hopen(const char *file)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", th_tmpdir(), file);
    unlink(path);
    CHECK_MSG(!(enc_store_open(path, &hst, &herr)), "open: %s", herr.msg);
}

/* the ext ids of the customers matching expr, space-separated */
static char *members(int64_t now, const char *expr)
{
    static char out[2048];
    out[0] = 0;
    enc_snapshot *snap;
    enc_aud_env *env;
    enc_aud_set set;
    if (enc_snapshot_load(hst, now, &snap, &herr)) {
        TH_FAIL("snapshot: %s", herr.msg);
        return out;
    }
    enc_aud_env_new(snap, hst, now, &env, &herr);
    if (enc_aud_select(env, expr, strlen(expr), &set, NULL, &herr)) {
        snprintf(out, sizeof out, "error: %s", herr.msg);
    } else {
        size_t o = 0;
        for (size_t i = 0; i < snap->ncust; i++)
            if (enc_aud_set_has(&set, i))
                o += (size_t)snprintf(out + o, sizeof out - o, "%s%s", o ? " " : "",
                                      snap->cust_ext[i]);
        enc_aud_set_free(&set);
    }
    enc_aud_env_free(env);
    enc_snapshot_free(snap);
    return out;
}

static void cart_abandoned(void)
{
    hopen("cart.db");
    int64_t now = 1000 * (int64_t)DAYS, h = 3600;
    int64_t a = hprod("A", "X/Cameras"), b = hprod("B", "X/Lenses");
    (void)b;
    int64_t c1 = hcust("bought_it_later", NULL), c2 = hcust("bought_before", NULL),
            c3 = hcust("bought_other", NULL), c4 = hcust("no_purchase", NULL),
            c5 = hcust("same_second", NULL), c6 = hcust("old_cart", NULL),
            c7 = hcust("unknown_product", NULL), c8 = hcust("unknown_product_no_order", NULL),
            c9 = hcust("bought_after_now", NULL), c10 = hcust("two_carts_one_bought", NULL);
    hevent("e1", c1, now - 10 * h, "cart_add", "A");
    horder("o1", c1, now - 9 * h, a);
    horder("o2", c2, now - 11 * h, a);
    hevent("e2", c2, now - 10 * h, "cart_add", "A");
    hevent("e3", c3, now - 10 * h, "cart_add", "A");
    horder("o3", c3, now - 9 * h, b);
    hevent("e4", c4, now - 10 * h, "cart_add", "B");
    hevent("e5", c5, now - 10 * h, "cart_add", "A");
    horder("o5", c5, now - 10 * h, a);
    hevent("e6", c6, now - 50 * h, "cart_add", "A");
    hevent("e7", c7, now - 10 * h, "cart_add", "NOPE");
    horder("o7", c7, now - 5 * h, b);
    hevent("e8", c8, now - 10 * h, "cart_add", NULL);
    hevent("e9", c9, now - 10 * h, "cart_add", "A");
    horder("o9", c9, now + 1 * h, a);
    hevent("e10", c10, now - 10 * h, "cart_add", "A");
    hevent("e11", c10, now - 8 * h, "cart_add", "B");
    horder("o10", c10, now - 7 * h, a);
    CHECK_STR(members(now, "cart_abandoned(within = 1d)"),
              "bought_before bought_other no_purchase unknown_product_no_order bought_after_now "
              "two_carts_one_bought");
    CHECK_STR(members(now, "cart_abandoned(within = 3d)"),
              "bought_before bought_other no_purchase old_cart unknown_product_no_order "
              "bought_after_now two_carts_one_bought");
    CHECK_STR(members(now, "cart_abandoned(within = 1d, category = \"cameras\")"),
              "bought_before bought_other bought_after_now");
    CHECK_STR(members(now, "cart_abandoned(sku = \"B\")"), "no_purchase two_carts_one_bought");
    CHECK_STR(members(now, "cart_abandoned(category = \"nothing\")"), "");
    /* seen from later, after bought_after_now's order */
    CHECK_STR(members(now + 2 * h, "cart_abandoned(within = 1d, sku = \"A\")"),
              "bought_before bought_other");
    enc_store_close(hst);
}

static void birthdays(void)
{
    hopen("bday.db");
    hcust("feb29", "1992-02-29");
    hcust("feb28", "1990-02-28");
    hcust("mar01", "1985-03-01");
    hcust("dec31", "1970-12-31");
    hcust("jan01", "1971-01-01");
    hcust("none", NULL);
    struct {
        int y, m, d;
        const char *expr, *want;
    } cases[] = {
        /* 2025 is a common year: 29 Feb birthdays fall on 28 Feb */
        {2025, 2, 28, "days_until(birthday) = 0", "feb29 feb28"},
        {2025, 2, 27, "days_until(birthday) = 1", "feb29 feb28"},
        {2025, 3, 1, "days_until(birthday) = 0", "mar01"},
        {2025, 3, 1, "days_until(birthday) = 364", "feb29 feb28"}, /* 2026-02-28 */
        /* 2024 is a leap year: 29 Feb itself */
        {2024, 2, 28, "days_until(birthday) = 0", "feb28"},
        {2024, 2, 28, "days_until(birthday) = 1", "feb29"},
        {2024, 2, 29, "days_until(birthday) = 0", "feb29"},
        {2024, 2, 29, "days_until(birthday) = 1", "mar01"},
        {2024, 2, 29, "days_until(birthday) = 365", "feb28"}, /* 2025-02-28 */
        /* 2027-03-01: the next 28 Feb is in 2028 (leap), so 29 Feb is the day */
        {2027, 3, 1, "days_until(birthday) = 365", "feb29"},
        {2027, 3, 1, "days_until(birthday) = 364", "feb28"},
        /* across the year's end */
        {2025, 12, 31, "days_until(birthday) <= 1", "dec31 jan01"},
        {2025, 12, 30, "days_until(birthday) between 1 and 2", "dec31 jan01"},
        {2025, 12, 30, "days_until(birthday) < 2d", "dec31"},
        {2025, 12, 30, "known(birth_month) and not (days_until(birthday) > 0)", ""},
        {2025, 12, 30, "birth_month = 2", "feb29 feb28"},
        {2025, 12, 30, "not known(birth_month)", "none"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct tm tm = {.tm_year = cases[i].y - 1900,
                        .tm_mon = cases[i].m - 1,
                        .tm_mday = cases[i].d,
                        .tm_hour = 23,
                        .tm_min = 59};
        int64_t now = (int64_t)timegm(&tm); /* late in the day: still that day */
        const char *got = members(now, cases[i].expr);
        CHECK_MSG(!(strcmp(got, cases[i].want) != 0), "%04d-%02d-%02d %s: got '%s', want '%s'",
                  cases[i].y, cases[i].m, cases[i].d, cases[i].expr, got, cases[i].want);
    }
    enc_store_close(hst);
}

static void categories(void)
{
    struct {
        const char *path, *pat;
        bool want;
    } v[] = {
        {"Electronics/Cameras/Mirrorless", "cameras", true},
        {"Electronics/Cameras/Mirrorless", "Electronics", true},
        {"Electronics/Cameras/Mirrorless", "electronics/cameras", true},
        {"Electronics/Cameras/Mirrorless", "Cameras > Mirrorless", true},
        {"Electronics/Cameras/Mirrorless", "Electronics/Cameras/Mirrorless", true},
        {"Electronics/Cameras/Mirrorless", "Camera", false},
        {"Electronics/Cameras/Mirrorless", "Electronics/Mirrorless", false},
        {"Electronics/Cameras/Mirrorless", "Mirrorless/Cameras", false},
        {"Electronics/Cameras/Mirrorless", "Electronics/Cameras/Mirrorless/X", false},
        {" Home > Kitchen ", "kitchen", true},
        {"Home/Kitchen Tools", "kitchen", false},
        {"数码/相机", "相机", true},
        {"数码/相机", "数码", true},
        {"Coffee", "coffee", true},
        {"Coffee", "", false},
        {"Coffee", " / ", false},
    };
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        CHECK_MSG(!(enc_aud_category_match(v[i].path, v[i].pat) != v[i].want),
                  "'%s' ~ '%s': want %d", v[i].path, v[i].pat, v[i].want);
        CHECK_MSG(!(oracle_cat(v[i].path, v[i].pat) != v[i].want), "oracle: '%s' ~ '%s': want %d",
                  v[i].path, v[i].pat, v[i].want);
    }
}

static void profile_sql(const char *sql)
{
    char *msg = NULL;
    CHECK_MSG(!(sqlite3_exec(enc__store_db(hst), sql, NULL, NULL, &msg) != SQLITE_OK), "%s: %s",
              sql, msg);
    sqlite3_free(msg);
}

static void profiles(void)
{
    hopen("prof.db");
    int64_t now = 1000 * (int64_t)DAYS;
    int64_t a = hcust("a", NULL), b = hcust("b", NULL), c = hcust("c", NULL), d = hcust("d", NULL);
    hcust("e", NULL);
    char sql[1024];
    /* clv 200.00 exactly, 200.01; the scorer's spelling of values may be a key or any case */
    snprintf(sql, sizeof sql,
             "INSERT INTO profiles(customer_id, run_id, as_of, clv, rfm_segment, lifecycle, tags,"
             " rfm_segment_cn) VALUES"
             " (%lld, 1, %lld, 20000, 'cant_lose', 'Dormant', '[\"vip\",\"x\\u00e9\"]', 'important "
             "value'),"
             " (%lld, 1, %lld, 20001, 'Can''t Lose Them', 'dormant', '[]', '重要价值客户'),"
             " (%lld, 1, %lld, 19999, 'weird', 'new', NULL, NULL),"
             " (%lld, 1, %lld, 99999, 'Champions', 'new', '[\"vip\"]', NULL)",
             (long long)a, (long long)(now - DAYS), (long long)b, (long long)now, (long long)c,
             (long long)(now - DAYS), (long long)d, (long long)(now + DAYS + 1));
    profile_sql(sql);
    CHECK_STR(members(now, "clv > 200"), "b");
    CHECK_STR(members(now, "clv >= 200"), "a b");
    CHECK_STR(members(now, "clv = 200.00"), "a");
    CHECK_STR(members(now, "clv = 200.01"), "b");
    CHECK_STR(members(now, "clv between 199.99 and 200"), "a c");
    CHECK_STR(members(now, "clv < 200.005"), "a c");
    CHECK_STR(members(now, "rfm_segment = \"Can't Lose Them\""), "a b");
    CHECK_STR(members(now, "rfm_segment = \"cant_lose\""), "a b");
    CHECK_STR(members(now, "rfm_segment != \"Champions\""), "a b c"); /* d's row is after now */
    CHECK_STR(members(now, "rfm_segment_cn = \"important_value\""), "a b");
    CHECK_STR(members(now, "lifecycle = \"DORMANT\""), "a b");
    CHECK_STR(members(now, "tag(\"vip\")"), "a");
    CHECK_STR(members(now, "tag(\"xé\")"), "a");
    CHECK_STR(members(now, "not tag(\"vip\")"), "b c d e");
    CHECK_STR(members(now, "known(clv)"), "a b c");
    CHECK_STR(members(now, "not known(clv)"), "d e");
    CHECK_STR(members(now, "not (clv > 200)"), "a c d e");
    CHECK_STR(members(now, "clv <= 200"), "a c");
    CHECK_STR(members(now, "scored_at = \"1972-09-26\""), "a c"); /* as_of: day 999 */
    /* seen a day later, d's profile is in */
    CHECK_STR(members(now + DAYS, "clv > 200"), "b d");
    /* the as-of convention (issue 12): a run as of day D (as_of = the end of D) is visible at
     * any time on D, to its last second */
    snprintf(sql, sizeof sql, "UPDATE profiles SET as_of = %lld WHERE customer_id = %lld",
             (long long)(now + DAYS), (long long)d);
    profile_sql(sql);
    CHECK_STR(members(now, "clv > 200"), "b d");
    CHECK_STR(members(now + DAYS - 1, "clv > 200"), "b d");
    CHECK_STR(members(now - 1, "clv > 200"), "b");
    snprintf(sql, sizeof sql, "UPDATE profiles SET as_of = %lld WHERE customer_id = %lld",
             (long long)(now + DAYS + 1), (long long)d);
    profile_sql(sql);
    /* lists seen before are not parsed again: the same texts give the same lists, the empty
     * one included */
    int64_t f = hcust("f", NULL), g = hcust("g", NULL);
    snprintf(sql, sizeof sql,
             "INSERT INTO profiles(customer_id, run_id, as_of, tags) VALUES"
             " (%lld, 1, %lld, '[]'), (%lld, 1, %lld, '[\"vip\",\"x\\u00e9\"]')",
             (long long)f, (long long)(now - DAYS), (long long)g, (long long)(now - DAYS));
    profile_sql(sql);
    CHECK_STR(members(now, "tag(\"xé\")"), "a g");
    CHECK_STR(members(now, "known(tags)"), "a g");
    CHECK_STR(members(now, "known(clv) or known(tags)"), "a b c g");
    /* a malformed list is an error, not an empty list */
    snprintf(sql, sizeof sql, "UPDATE profiles SET tags = '[\"vip\",]' WHERE customer_id = %lld",
             (long long)c);
    profile_sql(sql);
    char want[200];
    snprintf(want, sizeof want,
             "error: profiles: customer %lld: tags is not a JSON array of at most 1024 strings",
             (long long)c);
    CHECK_STR(members(now, "tag(\"vip\")"), want);
    CHECK_STR(members(now, "clv > 200"), "b"); /* other fields still work */
    enc_store_close(hst);
}

static void merged_and_empty(void)
{
    hopen("merged.db");
    int64_t now = 1000 * (int64_t)DAYS;
    /* an empty store: every expression gives an empty set */
    CHECK_STR(members(now, "orders >= 0 or true"), "");
    int64_t a = hcust("a", NULL), b = hcust("b", NULL);
    int64_t p = hprod("P", "Cat");
    horder("o1", b, now - DAYS, p);
    enc_store_customer_merge(hst, b, a, "test", "test", "test", &herr);
    CHECK_STR(members(now, "orders = 1"), "a");
    CHECK_STR(members(now, "true"), "a");
    CHECK_STR(members(now, "false"), "");
    enc_store_close(hst);
}

/* The API campaigns use: one env, many programs; sets, indexes, the canonical text. */
static void api(void)
{
    hopen("api.db");
    int64_t now = 1000 * (int64_t)DAYS;
    char ext[16];
    for (int i = 0; i < 130; i++) {
        snprintf(ext, sizeof ext, "c%d", i);
        enc_customer_rec r = {
            .source = "h", .source_key = ext, .external_id = ext, .points = i, .has_points = true};
        int64_t id;
        enc_store_customer_insert(hst, &r, &id, &herr);
    }
    enc_snapshot *snap;
    enc_snapshot_load(hst, now, &snap, &herr);
    enc_aud_env *env;
    enc_aud_env_new(snap, hst, now, &env, &herr);
    enc_aud_prog *p;
    CHECK_INT(enc_aud_compile(env, "points >= 64 and not points > 127 or points = 0",
                              strlen("points >= 64 and not points > 127 or points = 0"), &p, NULL,
                              &herr),
              ENC_OK);
    CHECK_STR(enc_aud_prog_text(p), "((points >= 64 and (not points > 127)) or points = 0)");
    enc_aud_set set;
    enc_aud_run(p, &set);
    CHECK_INT(set.n, 130);
    CHECK_INT(enc_aud_set_count(&set), 65);
    int32_t idx[130];
    CHECK_INT(enc_aud_set_indexes(&set, idx), 65);
    CHECK_INT(idx[0], 0);
    CHECK_INT(idx[1], 64);
    CHECK_INT(idx[64], 127);
    CHECK_INT(set.w[2] >> 2, 0); /* bits past n stay 0 */
    enc_aud_set_free(&set);
    enc_aud_prog_free(p);
    /* saved segments inside expressions match the inline expression */
    enc_store_segment_put(hst, "mid", "points between 10 and 20", now, NULL, &herr);
    enc_aud_set s1, s2;
    CHECK_INT(enc_aud_select(env, "segment(\"mid\") and points != 15",
                             strlen("segment(\"mid\") and points != 15"), &s1, NULL, &herr),
              ENC_OK);
    CHECK_INT(enc_aud_select(env, "points between 10 and 20 and points != 15",
                             strlen("points between 10 and 20 and points != 15"), &s2, NULL, &herr),
              ENC_OK);
    CHECK_INT(enc_aud_set_count(&s1), 10);
    CHECK(memcmp(s1.w, s2.w, 3 * sizeof *s1.w) == 0);
    enc_aud_set_free(&s1);
    enc_aud_set_free(&s2);
    /* an error leaves an empty set */
    CHECK_INT(enc_aud_select(env, "pointz > 1", strlen("pointz > 1"), &s1, NULL, &herr),
              ENC_EPARSE);
    CHECK(s1.w == NULL);
    enc_aud_env_free(env);
    enc_snapshot_free(snap);
    /* no store: profile fields are missing, segment() is unknown */
    enc_snapshot_load(hst, now, &snap, &herr);
    enc_aud_env_new(snap, NULL, now, &env, &herr);
    CHECK_INT(enc_aud_select(env, "not known(clv) and points < 3",
                             strlen("not known(clv) and points < 3"), &s1, NULL, &herr),
              ENC_OK);
    CHECK_INT(enc_aud_set_count(&s1), 3);
    enc_aud_set_free(&s1);
    CHECK_INT(enc_aud_select(env, "segment(\"mid\")", strlen("segment(\"mid\")"), &s1, NULL, &herr),
              ENC_EPARSE);
    enc_aud_env_free(env);
    enc_snapshot_free(snap);
    enc_store_close(hst);
}

/* "parts orders_from events_from" of what expr needs at now, windows as days before now (all
 * history: "-"), or the error */
static char *needs(int64_t now, const char *expr)
{
    static char out[1200];
    enc_snapshot_opts o;
    if (enc_aud_needs(hst, expr, strlen(expr), now, &o, NULL, &herr)) {
        snprintf(out, sizeof out, "error: %s", herr.msg);
        return out;
    }
    static const char *const names[] = {"customers", "products", "orders",   "lines",  "returns",
                                        "events",    "feedback", "consents", "details"};
    size_t k = 0;
    for (int b = 0; b < 9; b++)
        if (o.parts >> b & 1) k += (size_t)snprintf(out + k, sizeof out - k, "%s,", names[b]);
    if (!k) k = (size_t)snprintf(out, sizeof out, "none,");
    out[k - 1] = ' ';
    int64_t w[2] = {o.orders_from, o.events_from};
    bool has[2] = {(o.parts & (ENC_SNAP_ORDERS | ENC_SNAP_LINES)) != 0,
                   (o.parts & ENC_SNAP_EVENTS) != 0};
    for (int i = 0; i < 2; i++) {
        if (!has[i]) k += (size_t)snprintf(out + k, sizeof out - k, "%s", i ? " ." : ".");
        else if (w[i] == INT64_MIN)
            k += (size_t)snprintf(out + k, sizeof out - k, "%s", i ? " -" : "-");
        else
            k += (size_t)snprintf(out + k, sizeof out - k, "%s%g", i ? " " : "",
                                  (double)(now - w[i]) / (double)DAYS);
    }
    return out;
}

static void snapshot_needs(void)
{
    hopen("needs.db");
    int64_t now = 1000 * (int64_t)DAYS;
    int64_t a = hcust("a", "1990-05-01"), p = hprod("P", "X/Cameras");
    horder("o1", a, now - 40 * (int64_t)DAYS, p);
    horder("o2", a, now - 2 * (int64_t)DAYS, p);
    hevent("e1", a, now - 20 * (int64_t)DAYS, "view", "P");
    hevent("e2", a, now - 1 * (int64_t)DAYS, "cart_add", "P");
    enc_store_segment_put(hst, "recent", "bought(within = 10d)", now, NULL, &herr);
    /* profile fields read no part of the store beyond the customers' ids */
    CHECK_STR(needs(now, "clv > 200 and lifecycle = \"dormant\" and tag(\"vip\")"), "none . .");
    CHECK_STR(needs(now, "days_until(next_order_date) < 3"), "none . .");
    /* store fields: their part, all history */
    CHECK_STR(needs(now, "orders > 2"), "orders - .");
    CHECK_STR(needs(now, "last_order_days < 30"), "orders - .");
    CHECK_STR(needs(now, "returns_amount > 0"), "returns . .");
    CHECK_STR(needs(now, "nps < 7 or complaints > 0"), "feedback . .");
    CHECK_STR(needs(now, "consults > 1"), "events . -");
    CHECK_STR(needs(now, "region = \"CA\" or days_until(birthday) < 7"), "customers . .");
    CHECK_STR(needs(now, "consent(\"sms\")"), "consents . .");
    /* functions: their window; lines only with a product filter */
    CHECK_STR(needs(now, "bought(within = 30d)"), "orders 30 .");
    CHECK_STR(needs(now, "bought(category = \"cameras\", within = 30d)"),
              "lines 30 ."); /* the loader adds what lines imply (orders, products) */
    CHECK_STR(needs(now, "bought(within = 30d, since = \"1970-01-01\")"), "orders 30 .");
    CHECK_STR(needs(now, "bought(within = 3000d, since = \"1970-01-01\")"), "orders 1000 .");
    CHECK_STR(needs(now, "viewed(within = 7d) and event(\"favorite\", within = 14d)"),
              "events . 14");
    CHECK_STR(needs(now, "cart_abandoned(within = 1d)"), "lines,events 1 1");
    /* the widest window wins, all history widest of all */
    CHECK_STR(needs(now, "bought(within = 30d) or not bought(within = 90d)"), "orders 90 .");
    CHECK_STR(needs(now, "bought(within = 30d) and orders > 1"), "orders - .");
    CHECK_STR(needs(now, "viewed(within = 7d) or events > 3"), "events . -");
    /* saved segments bring their own */
    CHECK_STR(needs(now, "segment(\"recent\") and consent(\"email\")"), "orders,consents 10 .");
    CHECK(strncmp(needs(now, "bougth(within = 1d)"), "error: line 1, column 1: unknown function",
                  40) == 0);
    /* the needs read exactly enough: the same members as over the whole store */
    const char *const exprs[] = {"bought(within = 30d)",        "bought(within = 3d, sku = \"P\")",
                                 "viewed(within = 30d)",        "viewed(within = 10d)",
                                 "cart_abandoned(within = 2d)", "segment(\"recent\")",
                                 "days_until(birthday) > 0"};
    for (size_t k = 0; k < sizeof exprs / sizeof *exprs; k++) {
        enc_snapshot_opts o;
        enc_snapshot *part;
        enc_aud_env *env;
        enc_aud_set set;
        CHECK_INT(enc_aud_needs(hst, exprs[k], strlen(exprs[k]), now, &o, NULL, &herr), ENC_OK);
        CHECK_INT(enc_snapshot_load_opts(hst, now, &o, &part, &herr), ENC_OK);
        enc_aud_env_new(part, hst, now, &env, &herr);
        CHECK_INT(enc_aud_select(env, exprs[k], strlen(exprs[k]), &set, NULL, &herr), ENC_OK);
        bool want = strcmp(members(now, exprs[k]), "a") == 0;
        CHECK_MSG(!(set.n != 1 || enc_aud_set_has(&set, 0) != want), "%s", exprs[k]);
        CHECK(k == 3 ? !want : want); /* a's view is 20 days old */
        enc_aud_set_free(&set);
        /* a snapshot without what an expression needs is refused, not read as empty */
        const char *more = k == 0 ? "bought(within = 60d)" : "orders > 0";
        enc_aud_prog *prog = NULL;
        CHECK_INT(enc_aud_compile(env, more, strlen(more), &prog, NULL, &herr), ENC_EUSAGE);
        CHECK(strstr(herr.msg, "the snapshot was read without") != NULL);
        CHECK(prog == NULL);
        enc_aud_col col;
        CHECK_INT(enc_aud_env_column(env, AUD_F_TOTAL_SPENT, &col, &herr), ENC_EUSAGE);
        CHECK_STR(herr.msg, "'total_spent': the snapshot was read without its data");
        enc_aud_env_free(env);
        enc_snapshot_free(part);
    }
    enc_store_close(hst);
}

/* uplift("CAMPAIGN") reads the predicted uplifts `encore uplift evaluate` stored (the random
 * expressions of the oracle tests leave it out: their shops hold no campaign) */
static void uplift_fn(void)
{
    hopen("uplift.db");
    int64_t id[5];
    const char *ext[] = {"a", "b", "c", "d", "e"};
    for (int i = 0; i < 5; i++) id[i] = hcust(ext[i], NULL);
    double tau[4] = {0.30, -0.05, 0.10, NAN}; /* e has no score at all */
    CHECK_MSG(!enc_store_uplift_save(hst, "offer", 1, "{}", id, tau, 4, &herr), "%s", herr.msg);
    int64_t now = 1767225600;
    struct {
        const char *expr, *want;
    } cases[] = {
        {"uplift(\"offer\") > 0.05", "a c"},
        {"uplift(\"offer\") < 0", "b"},
        {"uplift(\"offer\") between 0.1 and 0.3", "a c"},
        {"not (uplift(\"offer\") > 0.05)", "b d e"},
        {"known(points) and not (uplift(\"offer\") >= -1)", "d e"},
        {"uplift(\"other\") > 0", "error: "},
        {"uplift(offer) > 0", "error: "},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *got = members(now, cases[i].expr);
        CHECK_MSG(!(strncmp(got, cases[i].want, strlen(cases[i].want)) != 0 ||
                    (strncmp(cases[i].want, "error", 5) != 0 && strcmp(got, cases[i].want) != 0)),
                  "%s: got '%s', want '%s'", cases[i].expr, got, cases[i].want);
    }
    CHECK(strstr(members(now, "uplift(\"other\") > 0"), "no uplift model for campaign 'other'"));
    enc_store_close(hst);
}

int main(void)
{
    RUN(categories);
    RUN(snapshot_needs);
    RUN(coverage);
    RUN(oracle_seed1);
    RUN(oracle_seed2);
    RUN(oracle_seed3);
    RUN(cart_abandoned);
    RUN(birthdays);
    RUN(uplift_fn);
    RUN(profiles);
    RUN(merged_and_empty);
    RUN(api);
    return TEST_SUMMARY();
}
