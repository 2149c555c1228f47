/* respond.c — simulated responses to a campaign (respond.h): reads the campaign's members, their
 * first delivered message and its coupon, and the shop's products from the store; draws each
 * customer's behaviour from a random stream of its own; writes the files. The generative model:
 *
 *   anchor    = sent_at of the customer's first delivered message (reached), else the
 *               earliest membership time (holdout, unreached)
 *   buys      ~ Bernoulli(base_rate + uplift [reached])         one order at most
 *   engages   = u < open_rate (opens), u < click_rate (clicks),  u ~ U(0,1), reached only
 *   click at  ~ anchor + U(1 min, min(1 day, window / 2))
 *   order at  ~ U(click or anchor, anchor + window)              whole seconds, inside
 *   subtotal  ~ Gamma(shape 4, mean aov)                         (the generator's Gamma-Gamma
 *               shape p = 4; docs/generator.md), filled with the shop's products as gen.c
 *               fills baskets: a primary item at 45-90% of the budget, then smaller ones
 *   coupon    ~ Bernoulli(coupon_use) for reached buyers whose message carried a coupon valid
 *               at the order time; the basket is topped up to the coupon's minimum spend
 *
 * so that the true uplift of the conversion rate is `uplift` exactly in expectation, whatever
 * the baskets and coupons. */
#include "gen/respond.h"
#include "base/buf.h"
#include "base/datetime.h"
#include "base/json.h"
#include "base/map.h"
#include "base/mem.h"
#include "base/rng.h"
#include "campaign/campdb.h"
#include "gen/gen.h"
#include "gen/gen_int.h"
#include "ingest/clean.h"
#include "store/respond_store.h"
#include "store/store_uplift.h"
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINES 6        /* lines of one order */
#define GAMMA_SHAPE 4.0    /* the generator's Gamma-Gamma p */
#define PAYLOAD_ITEM_P 0.5 /* a reached buyer's first item is one the message showed */

typedef struct prod {
    const char *sku, *name, *category, *brand;
    int64_t price;
} prod;

/* One customer to draw: member rows grouped, with the first delivered message. */
typedef struct cust {
    int64_t id, anchor;
    const char *ext, *country;
    int group;   /* 0 holdout, 1 reached, 2 unreached */
    double lift; /* the share of o->uplift this customer gets when reached (1, or 2 q) */
    int64_t msg_id;
    const char *channel, *payload;
    /* the message's coupon, when it had one */
    const char *code;
    bool percent;
    int64_t amount, min_spend, issued_at, expires_at;
} cust;

typedef struct rs {
    const enc_respond_opts *o;
    enc_store *st;
    enc_arena *a;
    prod *p; /* by price, then sku */
    size_t np;
    enc_smap *by_sku;
    cust *c;
    size_t nc, capc;
    enc_respond_counts *n;
    const char *click_url;
    char shop_url[600];
    FILE *orders, *events, *opens, *clicks;
    enc_buf row;
    enc_err *err;
} rs;

static enc_rc sqlfail(rs *r, const char *what) { return enc_store_scan_fail(r->st, r->err, what); }

/* A cursor, or NULL with the error set (what: "reading ..."). */
static enc_scan *prep(rs *r, enc_respq q, const char *campaign, const char *what)
{
    return enc_store_respq(r->st, q, campaign, what, r->err);
}

static const char *col(rs *r, enc_scan *s, int i)
{
    const char *v = (const char *)enc_scan_text(s, i);
    return v ? enc_arena_strndup(r->a, v, strlen(v)) : NULL;
}

/* ---- reading the store ------------------------------------------------------------------- */

static enc_rc load_products(rs *r)
{
    enc_scan *s;
    if (!(s = prep(r, ENC_RESPQ_PRODUCTS, NULL, "reading products"))) return r->err->rc;
    size_t cap = 0;
    int rc;
    while ((rc = enc_scan_next(s)) == 1) {
        ENC_GROW(r->p, cap, r->np + 1);
        prod *p = &r->p[r->np++];
        p->sku = col(r, s, 0);
        p->name = col(r, s, 1);
        p->category = col(r, s, 2);
        p->brand = col(r, s, 3);
        p->price = enc_scan_i64(s, 4);
    }
    enc_scan_close(s);
    if (rc != 0) return sqlfail(r, "reading products");
    if (!r->np)
        return enc_fail(r->err, ENC_EFAIL,
                        "the shop has no product in stock with a price: import products first");
    r->by_sku = enc_smap_new(r->np);
    for (size_t i = 0; i < r->np; i++)
        enc_smap_put(r->by_sku, r->p[i].sku, strlen(r->p[i].sku), (int64_t)i, NULL);
    return ENC_OK;
}

/* The orders' currency (the most common one), and the mean paid subtotal. */
static enc_rc load_shop(rs *r)
{
    enc_respond_counts *n = r->n;
    snprintf(n->currency, sizeof n->currency, "USD");
    enc_scan *s;
    if (!(s = prep(r, ENC_RESPQ_CURRENCY, NULL, "reading the currency"))) return r->err->rc;
    if (enc_scan_next(s) == 1 && enc_scan_text(s, 0))
        snprintf(n->currency, sizeof n->currency, "%s", (const char *)enc_scan_text(s, 0));
    enc_scan_close(s);
    n->digits = enc_currency_digits(n->currency);
    if (r->o->aov > 0) {
        n->aov = llround(r->o->aov * pow(10, n->digits));
        return ENC_OK;
    }
    if (!(s = prep(r, ENC_RESPQ_AOV, NULL, "reading the mean order"))) return r->err->rc;
    if (enc_scan_next(s) == 1 && !enc_scan_null(s, 0)) n->aov = llround(enc_scan_double(s, 0));
    enc_scan_close(s);
    if (n->aov <= 0) n->aov = 2 * r->p[r->np / 2].price; /* no orders yet: two median items */
    return ENC_OK;
}

/* Members, one per customer, in customer order, then each one's first delivered message and
 * its coupon. */
static enc_rc load_members(rs *r)
{
    enc_scan *s;
    if (!(s = prep(r, ENC_RESPQ_MEMBERS, r->o->campaign, "reading the campaign's members")))
        return r->err->rc;
    int rc;
    while ((rc = enc_scan_next(s)) == 1) {
        ENC_GROW(r->c, r->capc, r->nc + 1);
        cust *c = &r->c[r->nc++];
        memset(c, 0, sizeof *c);
        c->id = enc_scan_i64(s, 0);
        c->group = enc_scan_int(s, 1) ? 0 : 2;
        c->anchor = enc_scan_i64(s, 2);
        c->ext = col(r, s, 3);
        c->country = col(r, s, 4);
    }
    enc_scan_close(s);
    if (rc != 0) return sqlfail(r, "reading the campaign's members");
    if (!(s = prep(r, ENC_RESPQ_MESSAGES, r->o->campaign, "reading the campaign's messages")))
        return r->err->rc;
    size_t i = 0;
    int64_t last = 0;
    while ((rc = enc_scan_next(s)) == 1) {
        int64_t id = enc_scan_i64(s, 0);
        if (id == last) continue; /* the first delivered message only */
        last = id;
        while (i < r->nc && r->c[i].id < id) i++;
        if (i == r->nc) break;
        cust *c = &r->c[i];
        if (c->id != id || c->group == 0) continue; /* not a member, or held out */
        c->group = 1;
        c->msg_id = enc_scan_i64(s, 1);
        c->channel = col(r, s, 2);
        c->anchor = enc_scan_i64(s, 3);
        c->payload = col(r, s, 4);
        c->code = col(r, s, 5);
        if (c->code) {
            const char *kind = (const char *)enc_scan_text(s, 6);
            c->percent = kind && strcmp(kind, "percent") == 0;
            c->amount = enc_scan_i64(s, 7);
            c->min_spend = enc_scan_i64(s, 8);
            c->issued_at = enc_scan_i64(s, 9);
            c->expires_at = enc_scan_i64(s, 10);
        }
    }
    enc_scan_close(s);
    if (rc < 0) return sqlfail(r, "reading the campaign's messages");
    return ENC_OK;
}

/* ---- baskets ----------------------------------------------------------------------------- */

/* Index of the first product priced at least v (np when none). */
static size_t lower(const rs *r, int64_t v)
{
    size_t lo = 0, hi = r->np;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->p[mid].price < v) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* A product for a budget: uniform among those priced at 45-90% of it, else the dearest
 * within it, else the cheapest. */
static size_t pick(const rs *r, enc_rng *g, int64_t budget)
{
    size_t a = lower(r, (int64_t)(0.45 * (double)budget)),
           b = lower(r, (int64_t)(0.9 * (double)budget) + 1);
    if (b > a) return a + enc_rng_below(g, b - a);
    size_t k = lower(r, budget + 1);
    return k ? k - 1 : 0;
}

/* A sku the message showed (payload.items), when the shop has it; else SIZE_MAX. */
static size_t payload_item(const rs *r, enc_rng *g, const char *payload)
{
    if (!payload) return SIZE_MAX;
    json_t *p = json_loads(payload, 0, NULL);
    json_t *items = json_object_get(p, "items");
    size_t n = json_array_size(items), out = SIZE_MAX;
    if (n) {
        const char *sku = json_string_value(json_array_get(items, enc_rng_below(g, n)));
        int64_t *at = sku ? enc_smap_get(r->by_sku, sku, strlen(sku)) : NULL;
        if (at) out = (size_t)*at;
    }
    json_decref(p);
    return out;
}

typedef struct basket {
    size_t item[MAX_LINES + 4];
    int64_t qty[MAX_LINES + 4];
    int n;
    int64_t subtotal;
} basket;

static void add(const rs *r, basket *b, size_t i, int64_t qty)
{
    b->item[b->n] = i;
    b->qty[b->n++] = qty;
    b->subtotal += qty * r->p[i].price;
}

/* Fills b towards the target subtotal z, then tops it up to min_spend. */
static void fill(const rs *r, enc_rng *g, basket *b, int64_t z, size_t first, int64_t min_spend)
{
    memset(b, 0, sizeof *b);
    add(r, b, first != SIZE_MAX ? first : pick(r, g, z), 1);
    while (b->n < MAX_LINES && z - b->subtotal > (int64_t)(0.08 * (double)z)) {
        int64_t left = z - b->subtotal;
        size_t k = lower(r, left + 1); /* products within what is left */
        if (!k) break;
        size_t i = enc_rng_below(g, k);
        /* cheap goods come in twos now and then */
        int64_t q = r->p[i].price * 10 < z && enc_rng_bernoulli(g, 0.3) && 2 * r->p[i].price <= left
                        ? 2
                        : 1;
        add(r, b, i, q);
    }
    while (b->subtotal < min_spend && b->n < MAX_LINES + 4) {
        size_t i = lower(r, min_spend - b->subtotal); /* the cheapest that closes the gap */
        add(r, b, i < r->np ? i : r->np - 1, 1);
    }
}

/* ---- writing ----------------------------------------------------------------------------- */

static void field(enc_buf *b, const char *s)
{
    if (!s) return;
    if (!strpbrk(s, ",\"\r\n")) {
        enc_buf_adds(b, s);
        return;
    }
    enc_buf_addc(b, '"');
    for (; *s; s++) {
        if (*s == '"') enc_buf_addc(b, '"');
        enc_buf_addc(b, *s);
    }
    enc_buf_addc(b, '"');
}

static void money(enc_buf *b, int64_t minor, int digits)
{
    char t[48];
    enc_money_format(t, sizeof t, minor, digits);
    enc_buf_adds(b, t);
}

static enc_rc put(rs *r, FILE *f, const char *name)
{
    if (fwrite(r->row.p, 1, r->row.len, f) != r->row.len)
        return enc_fail(r->err, ENC_EIO, "%s/%s: %s", r->o->out_dir, name, strerror(errno));
    enc_buf_reset(&r->row);
    return ENC_OK;
}

static enc_rc write_order(rs *r, const cust *c, enc_rng *g, const basket *b, int64_t ts,
                          const char *coupon, int64_t discount)
{
    char t[32], id[96];
    enc_fmt_datetime(t, sizeof t, ts);
    snprintf(id, sizeof id, "R-%s-%lld", r->o->campaign, (long long)c->id);
    const char *chan = enc_rng_bernoulli(g, 0.5) ? "web" : "app";
    for (int k = 0; k < b->n; k++) {
        const prod *p = &r->p[b->item[k]];
        enc_buf_printf(&r->row, "%s,", id);
        field(&r->row, c->ext);
        enc_buf_printf(&r->row, ",%s,paid,%s,card,", t, chan);
        field(&r->row, coupon);
        enc_buf_addc(&r->row, ',');
        money(&r->row, discount, r->n->digits);
        enc_buf_printf(&r->row, ",%s,", r->n->currency);
        field(&r->row, c->country);
        enc_buf_addc(&r->row, ',');
        field(&r->row, p->sku);
        enc_buf_addc(&r->row, ',');
        field(&r->row, p->name);
        enc_buf_addc(&r->row, ',');
        field(&r->row, p->category);
        enc_buf_addc(&r->row, ',');
        field(&r->row, p->brand);
        enc_buf_printf(&r->row, ",%lld,", (long long)b->qty[k]);
        money(&r->row, p->price, r->n->digits);
        enc_buf_addc(&r->row, '\n');
    }
    return put(r, r->orders, "orders.csv");
}

/* An open or a click: a tracking URL to hit, or an event row as the server would record it. */
static enc_rc write_hit(rs *r, const cust *c, bool click, int64_t ts)
{
    if (r->o->base_url) {
        enc_token t = {.kind = click ? ENC_TOKEN_CLICK : ENC_TOKEN_OPEN,
                       .message_id = c->msg_id,
                       .customer_id = c->id};
        snprintf(t.channel, sizeof t.channel, "%s",
                 c->channel && strlen(c->channel) < sizeof t.channel ? c->channel : "");
        snprintf(t.campaign, sizeof t.campaign, "%s", r->o->campaign);
        if (click) snprintf(t.url, sizeof t.url, "%s", r->click_url);
        if (enc_track_url(r->o->key, r->o->base_url, &t, &r->row, r->err)) return r->err->rc;
        enc_buf_addc(&r->row, '\n');
        return put(r, click ? r->clicks : r->opens, click ? "clicks.txt" : "opens.txt");
    }
    char t[32];
    enc_fmt_datetime(t, sizeof t, ts);
    enc_buf_printf(&r->row, "R-%s-%lld-%c,", r->o->campaign, (long long)c->id, click ? 'c' : 'o');
    field(&r->row, c->ext);
    enc_buf_printf(&r->row, ",%s,%s,,,,", t, click ? "message_click" : "message_open");
    field(&r->row, c->channel);
    enc_buf_addc(&r->row, ',');
    enc_buf props = {0};
    enc_jw w;
    enc_jw_init(&w, &props);
    enc_jw_obj(&w);
    enc_jw_kint(&w, "message_id", c->msg_id);
    enc_jw_kstr(&w, "campaign", r->o->campaign);
    if (click) enc_jw_kstr(&w, "url", r->click_url);
    enc_jw_end(&w);
    field(&r->row, props.p);
    enc_buf_free(&props);
    enc_buf_addc(&r->row, '\n');
    return put(r, r->events, "events.csv");
}

/* ---- one customer ------------------------------------------------------------------------ */

static enc_rc respond(rs *r, const cust *c, uint64_t key)
{
    const enc_respond_opts *o = r->o;
    enc_respond_group *G = c->group == 0   ? &r->n->holdout
                           : c->group == 1 ? &r->n->reached
                                           : &r->n->unreached;
    enc_rng g;
    enc_rng_seed_stream(&g, key, (uint64_t)c->id);
    /* every draw is made whatever the group, so a customer's draws do not depend on others */
    double u_buy = enc_rng_uniform(&g), u_eng = enc_rng_uniform(&g), u_click = enc_rng_uniform(&g);
    double u_time = enc_rng_uniform(&g), u_coupon = enc_rng_uniform(&g);
    G->customers++;
    int64_t w = o->window;
    int64_t click_at = 0;
    if (c->group == 1) {
        double lo = 60, hi = fmin(86400.0, (double)w / 2);
        click_at = c->anchor + (int64_t)(lo + u_click * (hi > lo ? hi - lo : 0));
        bool opened = u_eng < o->open_rate, clicked = u_eng < o->click_rate;
        if (opened) {
            G->opens++;
            if (write_hit(r, c, false, click_at - 30)) return r->err->rc;
        }
        if (clicked) {
            G->clicks++;
            if (write_hit(r, c, true, click_at)) return r->err->rc;
        } else {
            click_at = 0;
        }
    }
    double rate = o->base_rate + (c->group == 1 ? o->uplift * c->lift : 0);
    if (!(u_buy < rate)) return ENC_OK;
    /* the order: strictly inside (start, anchor + window) */
    int64_t start = click_at ? click_at : c->anchor, end = c->anchor + w;
    int64_t ts = start + 1 + (int64_t)(u_time * (double)(end - start - 1));
    if (ts >= end) ts = end - 1;
    bool coupon = c->group == 1 && c->code && u_coupon < o->coupon_use && c->issued_at <= ts &&
                  (!c->expires_at || ts <= c->expires_at);
    double z = enc_rng_gamma(&g, GAMMA_SHAPE, (double)r->n->aov / GAMMA_SHAPE);
    size_t first = c->group == 1 && enc_rng_bernoulli(&g, PAYLOAD_ITEM_P)
                       ? payload_item(r, &g, c->payload)
                       : SIZE_MAX;
    basket b;
    fill(r, &g, &b, (int64_t)z > 1 ? (int64_t)z : 1, first, coupon ? c->min_spend : 0);
    int64_t discount = 0;
    if (coupon) {
        /* value: the amount (at most the subtotal); percent: of the subtotal, rounded half up */
        discount = c->percent ? (b.subtotal * c->amount + 50) / 100 : c->amount;
        if (discount > b.subtotal) discount = b.subtotal;
        G->coupon_orders++;
    }
    G->buyers++;
    G->lines += b.n;
    G->revenue += b.subtotal;
    G->discount += discount;
    return write_order(r, c, &g, &b, ts, coupon ? c->code : NULL, discount);
}

/* ---- driver ------------------------------------------------------------------------------ */

static enc_rc check_opts(const enc_respond_opts *o, enc_err *err)
{
    if (!o->campaign || !*o->campaign) return enc_fail(err, ENC_EUSAGE, "a campaign is required");
    if (!o->out_dir || !*o->out_dir)
        return enc_fail(err, ENC_EUSAGE, "an output directory is required");
    const struct {
        const char *name;
        double v;
    } rates[] = {{"base rate", o->base_rate},
                 {"open rate", o->open_rate},
                 {"click rate", o->click_rate},
                 {"coupon use", o->coupon_use}};
    for (size_t i = 0; i < sizeof rates / sizeof *rates; i++)
        if (!(rates[i].v >= 0 && rates[i].v <= 1))
            return enc_fail(err, ENC_EUSAGE, "%s: %g is not a probability (0 to 1)", rates[i].name,
                            rates[i].v);
    double t = o->base_rate + (o->uplift_by ? 2 : 1) * o->uplift;
    if (o->uplift_by && !(o->base_rate >= 0 && t >= 0 && t <= 1))
        return enc_fail(err, ENC_EUSAGE,
                        "base rate + 2 x uplift = %g: not a probability (0 to 1); with"
                        " uplift by a feature the most persuadable get twice the uplift",
                        t);
    if (!(t >= 0 && t <= 1))
        return enc_fail(err, ENC_EUSAGE, "base rate + uplift = %g: not a probability (0 to 1)", t);
    if (o->window < 0 || o->window > 365 * 86400)
        return enc_fail(err, ENC_EUSAGE, "window: from 1 second to 365 days");
    if (!(o->aov >= 0 && o->aov < 1e12)) return enc_fail(err, ENC_EUSAGE, "aov: a positive amount");
    if (o->base_url && !o->key)
        return enc_fail(err, ENC_EUSAGE, "tracking URLs need the token key");
    return ENC_OK;
}

static enc_rc open_out(rs *r, const char *name, const char *header, FILE **f)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", r->o->out_dir, name);
    *f = fopen(path, "wb");
    if (!*f) return enc_fail(r->err, ENC_EIO, "%s: %s", path, strerror(errno));
    if (header && fprintf(*f, "%s\n", header) < 0)
        return enc_fail(r->err, ENC_EIO, "%s: %s", path, strerror(errno));
    return ENC_OK;
}

static enc_rc close_out(rs *r, FILE **f, const char *name, enc_rc rc)
{
    if (!*f) return rc;
    if (fclose(*f) != 0 && !rc)
        rc = enc_fail(r->err, ENC_EIO, "%s/%s: %s", r->o->out_dir, name, strerror(errno));
    *f = NULL;
    return rc;
}

typedef struct ranked {
    double v;
    size_t i;
} ranked;

static int cmp_ranked(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->v != y->v) return x->v < y->v ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* Heterogeneous uplift (o->uplift_by): each member's lift = 2 q, q the mid-rank share of the
 * feature's value among the members (ties share their mean rank; missing values rank lowest),
 * the feature computed from the paid orders before the customer's anchor. */
static enc_rc heterogeneous(rs *r)
{
    for (size_t i = 0; i < r->nc; i++) r->c[i].lift = 1;
    if (!r->o->uplift_by || r->nc < 2) return ENC_OK;
    int f = -1;
    for (int j = 0; j < ENC_UPLIFT_NF; j++)
        if (strcmp(r->o->uplift_by, enc_uplift_feature_name[j]) == 0) f = j;
    if (f < 0)
        return enc_fail(r->err, ENC_EUSAGE,
                        "uplift by '%.60s': not a feature (recency_days, orders, sales,"
                        " tenure_days)",
                        r->o->uplift_by);
    size_t n = r->nc;
    int64_t *ids = enc_xmalloc(n * sizeof *ids), *at = enc_xmalloc(n * sizeof *at);
    double *X = enc_xmalloc(n * ENC_UPLIFT_NF * sizeof *X);
    ranked *k = enc_xmalloc(n * sizeof *k);
    for (size_t i = 0; i < n; i++) ids[i] = r->c[i].id, at[i] = r->c[i].anchor;
    enc_rc rc = enc_store_uplift_features(r->st, ids, at, 0, n, X, r->err);
    if (!rc) {
        for (size_t i = 0; i < n; i++) {
            double v = X[i * ENC_UPLIFT_NF + f];
            k[i] = (ranked){isfinite(v) ? v : -INFINITY, i};
        }
        qsort(k, n, sizeof *k, cmp_ranked);
        for (size_t a = 0; a < n;) {
            size_t b = a;
            while (b + 1 < n && k[b + 1].v == k[a].v) b++;
            double q = ((double)a + (double)b) / 2 / (double)(n - 1);
            for (size_t t = a; t <= b; t++) r->c[k[t].i].lift = 2 * q;
            a = b + 1;
        }
    }
    free(ids);
    free(at);
    free(X);
    free(k);
    return rc;
}

static enc_rc run(rs *r)
{
    const enc_respond_opts *o = r->o;
    enc_scan *s;
    if (!(s = prep(r, ENC_RESPQ_CAMPAIGN, o->campaign, "reading campaigns"))) return r->err->rc;
    bool found = enc_scan_next(s) == 1;
    enc_scan_close(s);
    if (!found) return enc_fail(r->err, ENC_ENOTFOUND, "no campaign named '%s'", o->campaign);
    if (load_products(r) || load_shop(r) || load_members(r) || heterogeneous(r)) return r->err->rc;
    r->click_url = o->click_url;
    if (!r->click_url) { /* the shop's address from the campaign policy */
        enc_settings set;
        if (enc_settings_load(r->st, &set, r->err)) return r->err->rc;
        snprintf(r->shop_url, sizeof r->shop_url, "%s", set.shop_url);
        r->click_url = r->shop_url;
    }
    const char *why;
    if (!enc_token_url_ok(r->click_url, strlen(r->click_url), &why))
        return enc_fail(r->err, ENC_EUSAGE, "click target '%.100s': %s", r->click_url, why);
    if (enc__gen_mkdirs(o->out_dir, r->err)) return r->err->rc;
    if (open_out(r, "orders.csv", enc_gen_headers[2], &r->orders)) return r->err->rc;
    if (o->base_url) {
        if (open_out(r, "opens.txt", NULL, &r->opens) ||
            open_out(r, "clicks.txt", NULL, &r->clicks))
            return r->err->rc;
    } else {
        char hdr[200];
        snprintf(hdr, sizeof hdr, "%s,properties", enc_gen_headers[3]);
        if (open_out(r, "events.csv", hdr, &r->events)) return r->err->rc;
    }
    uint64_t key =
        o->seed ^ enc_rng_keyed_hash(0x656e636f7265ULL, o->campaign, strlen(o->campaign));
    for (size_t i = 0; i < r->nc; i++) {
        const cust *c = &r->c[i];
        if ((o->since && c->anchor < o->since) || (o->until && c->anchor >= o->until)) {
            r->n->outside++;
            continue;
        }
        if (!c->ext) {
            r->n->no_id++;
            continue;
        }
        if (!r->n->first_anchor || c->anchor < r->n->first_anchor) r->n->first_anchor = c->anchor;
        if (c->anchor > r->n->last_anchor) r->n->last_anchor = c->anchor;
        if (respond(r, c, key)) return r->err->rc;
    }
    return ENC_OK;
}

enc_rc enc_respond_run(enc_store *st, const enc_respond_opts *opts, enc_respond_counts *counts,
                       enc_err *err)
{
    enc_respond_counts dummy;
    enc_respond_counts *n = counts ? counts : &dummy;
    memset(n, 0, sizeof *n);
    if (check_opts(opts, err)) return err->rc;
    enc_respond_opts o = *opts;
    if (!o.window) o.window = ENC_RESPOND_DEFAULT_WINDOW;
    rs r = {.o = &o, .st = st, .a = enc_arena_new(1 << 16), .n = n, .err = err};
    enc_rc rc = run(&r);
    rc = close_out(&r, &r.orders, "orders.csv", rc);
    rc = close_out(&r, &r.events, "events.csv", rc);
    rc = close_out(&r, &r.opens, "opens.txt", rc);
    rc = close_out(&r, &r.clicks, "clicks.txt", rc);
    n->products = (int64_t)r.np;
    enc_buf_free(&r.row);
    enc_smap_free(r.by_sku);
    free(r.p);
    free(r.c);
    enc_arena_free(r.a);
    return rc;
}
