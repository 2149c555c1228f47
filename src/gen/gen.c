/* gen.c — the synthetic shop (see gen.h and docs/generator.md): a catalogue, then one
 * customer at a time their identity, purchase process, baskets, sessions, feedback and
 * consents, streamed into six CSV files through large buffers. Every customer draws from its
 * own random streams (seed, customer index), so the output is a pure function of the options.
 * The true parameters of the generative model are the constants just below. */
#include "gen/gen.h"
#include "gen/gen_int.h"
#include "base/map.h"
#include "base/mem.h"
#include "base/rng.h"
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ==== the true generative parameters (docs/generator.md, "Parameters") ====================== */
/* BG/NBD purchase process, time in days: lambda ~ Gamma(R, rate ALPHA), p ~ Beta(A, B) */
#define BG_R 0.55
#define BG_ALPHA 18.0
#define BG_A 0.9
#define BG_B 3.5
/* Gamma-Gamma spend per order (merchandise subtotal, USD; CNY = USD x CNY_PER_USD) */
#define GG_P 4.0
#define GG_Q 3.5
#define GG_GAMMA_USD 55.0
#define CNY_PER_USD 7.0
/* customers and orders */
#define NEVER_BUY_SHARE 0.12    /* registered, browse, never order */
#define RETURN_RATE 0.04        /* paid orders partly returned */
#define COMPLAINT_RATE 0.02     /* complaint after an order without a return */
#define COMPLAINT_RATE_RET 0.30 /* ... with a return */
#define COMPLAINT_CHURN 0.40    /* extra drop-out right after an order that drew a complaint */
#define CANCEL_RATE 0.03        /* a cancelled attempt precedes a paid order */
#define GUEST_RATE 0.35         /* guest orders per registered customer (Poisson mean) */
#define DUP_SHARE 0.02          /* second registrations of an earlier customer */
#define COUPON_A 0.6            /* P(coupon on an order) ~ Beta(COUPON_A, COUPON_B) */
#define COUPON_B 3.0
#define CATEGORY_CONC 1.2 /* Dirichlet concentration over top categories */
static const double COMP_PROB[GEN_MAX_COMP] = {0.60, 0.35, 0.20};
#define REPLENISH_MIN_FRAC 0.75 /* a consumable is due after 0.75 x its cycle ... */
#define REPLENISH_PROB 0.80     /* ... and re-bought at an order then with this probability */
#define REPLENISH_ADOPT 0.50    /* a first purchase of a consumable starts a habit */
#define REPLENISH_LAPSE 4.0     /* a habit not served for this many cycles is dropped */
/* behaviour around the purchases */
#define BROWSE_PER_ORDER 0.6 /* browsing-only sessions per order (Poisson mean) */
#define BROWSE_NEVER 2.5     /* sessions of a customer who never buys */
#define TRACKED_SHARE 0.70   /* online orders with a tracked session before them */
#define ABANDON_RATE 0.25    /* browsing sessions that end with an abandoned cart */
#define REVIEW_RATE 0.10
#define NPS_RATE 0.06
#define SURVEY_RATE 0.04
#define REVOKE_RATE 0.10 /* consents revoked later (+ REVOKE_COMPLAINT after a complaint) */
#define REVOKE_COMPLAINT 0.30
#define REGRANT_RATE 0.15
/* ============================================================================================ */

#define MAX_ORDERS 4096 /* per customer; the tail of Gamma(R, ALPHA) never gets near */
#define MAX_LINES 12
#define MAX_HELD 6
#define ROW_MAX 8192 /* no row is longer: every field comes from bounded tables */
#define OB_CAP (1u << 20)
#define DAY 86400LL

const char *const enc_gen_files[6] = {"customers.csv", "products.csv", "orders.csv",
                                      "events.csv",    "feedback.csv", "consents.csv"};
const char *const enc_gen_headers[6] = {
    "customer_id,name,email,phone,gender,birthday,country,region,city,occupation,timezone,"
    "registered_at,tier,points",
    "sku,name,category,brand,price,cost,currency,tier,replenish_days,complements,in_stock",
    "order_id,customer_id,time,status,channel,payment,coupon,discount,currency,country,sku,name,"
    "category,brand,qty,unit_price",
    "event_id,customer_id,time,type,sku,value,session,channel",
    "feedback_id,customer_id,time,kind,score,text,order_id,sku",
    "consent_id,customer_id,channel,purpose,status,time",
};
enum { F_CUST, F_PROD, F_ORD, F_EVT, F_FB, F_CONS };

void enc_gen_true_params(enc_gen_locale locale, enc_gen_params *o)
{
    memset(o, 0, sizeof *o);
    o->bg_r = BG_R;
    o->bg_alpha = BG_ALPHA;
    o->bg_a = BG_A;
    o->bg_b = BG_B;
    o->gg_p = GG_P;
    o->gg_q = GG_Q;
    o->gg_gamma = GG_GAMMA_USD * (locale == ENC_GEN_ZH ? CNY_PER_USD : 1.0);
    o->never_buy_share = NEVER_BUY_SHARE;
    o->complaint_rate = COMPLAINT_RATE;
    o->complaint_rate_ret = COMPLAINT_RATE_RET;
    o->complaint_churn = COMPLAINT_CHURN;
    o->return_rate = RETURN_RATE;
    o->cancel_rate = CANCEL_RATE;
    o->guest_orders_per_customer = GUEST_RATE;
    o->duplicate_share = DUP_SHARE;
    for (int k = 0; k < GEN_MAX_COMP; k++) o->complement_prob[k] = COMP_PROB[k];
    o->replenish_min_frac = REPLENISH_MIN_FRAC;
    o->replenish_prob = REPLENISH_PROB;
    o->coupon_a = COUPON_A;
    o->coupon_b = COUPON_B;
    o->category_conc = CATEGORY_CONC;
}

/* ---- output: one large buffer per file, rows appended without per-row checks ------------- */

typedef struct obuf {
    FILE *f;
    char *p;
    size_t len;
    int64_t rows;
    uint64_t bytes;
    bool err;
    const char *daytab; /* "YYYY-MM-DD" of days [day0, day0 + ndays), 10 bytes each (gen owns) */
    int64_t day0, ndays;
} obuf;

static void ob_flush(obuf *b)
{
    if (b->len && fwrite(b->p, 1, b->len, b->f) != b->len) b->err = true;
    b->bytes += b->len;
    b->len = 0;
}
/* Called once at the start of every row: afterwards ROW_MAX bytes may be appended. */
static inline void ob_row(obuf *b)
{
    if (OB_CAP - b->len < ROW_MAX) ob_flush(b);
    b->rows++;
}
static inline void ob_c(obuf *b, char c) { b->p[b->len++] = c; }
static inline void ob_mem(obuf *b, const char *s, size_t n)
{
    memcpy(b->p + b->len, s, n);
    b->len += n;
}
static inline void ob_s(obuf *b, const char *s) { ob_mem(b, s, strlen(s)); }
/* a field that may hold a comma, quote or line break: RFC 4180 quoting when it does */
static void ob_q(obuf *b, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        ob_s(b, s);
        return;
    }
    ob_c(b, '"');
    for (; *s; s++) {
        if (*s == '"') ob_c(b, '"');
        ob_c(b, *s);
    }
    ob_c(b, '"');
}
static inline void ob_u(obuf *b, uint64_t v)
{
    char t[24];
    int n = 0;
    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) ob_c(b, t[--n]);
}
static inline void ob_pad(obuf *b, uint64_t v, int width)
{
    char t[24];
    int n = 0;
    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n < width) t[n++] = '0';
    while (n) ob_c(b, t[--n]);
}
static inline void ob_id(obuf *b, char prefix, int64_t v, int width)
{
    ob_c(b, prefix);
    ob_pad(b, (uint64_t)v, width);
}
static inline void ob_money(obuf *b, int64_t minor)
{
    if (minor < 0) {
        ob_c(b, '-');
        minor = -minor;
    }
    ob_u(b, (uint64_t)(minor / 100));
    ob_c(b, '.');
    ob_pad(b, (uint64_t)(minor % 100), 2);
}
/* civil date from days since 1970-01-01 (H. Hinnant, "chrono-Compatible Low-Level Date
 * Algorithms"); the datetime module has the same, kept local so the generator stands alone */
static void civil(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}
static inline void ob_date(obuf *b, int64_t days)
{
    int y, m, d;
    civil(days, &y, &m, &d);
    ob_pad(b, (uint64_t)y, 4);
    ob_c(b, '-');
    ob_pad(b, (uint64_t)m, 2);
    ob_c(b, '-');
    ob_pad(b, (uint64_t)d, 2);
}
static inline void ob_2d(obuf *b, int v)
{
    b->p[b->len++] = (char)('0' + v / 10);
    b->p[b->len++] = (char)('0' + v % 10);
}
/* "YYYY-MM-DD HH:MM:SS": the date from the window's table when inside it */
static inline void ob_time(obuf *b, int64_t t)
{
    int64_t days = t >= 0 ? t / DAY : -((-t + DAY - 1) / DAY);
    int s = (int)(t - days * DAY);
    if (days >= b->day0 && days < b->day0 + b->ndays)
        ob_mem(b, b->daytab + (days - b->day0) * 10, 10);
    else ob_date(b, days);
    ob_c(b, ' ');
    ob_2d(b, s / 3600);
    ob_c(b, ':');
    ob_2d(b, s / 60 % 60);
    ob_c(b, ':');
    ob_2d(b, s % 60);
}

int enc_gen_parse_date(const char *s, int64_t *out)
{
    int y, m, d, n = 0;
    if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10)
        return 0;
    if (s[4] != '-' || s[7] != '-' || y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1) return 0;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[m - 1] + (m == 2 && leap)) return 0;
    *out = days_from_civil(y, m, d) * DAY;
    return 1;
}

/* ---- the catalogue ----------------------------------------------------------------------- */

typedef struct product {
    int leaf, tier, cycle, ncomp, qty_usual;
    int64_t price, cost; /* minor units */
    double pop;
    bool in_stock;
    int comp[GEN_MAX_COMP];
    const char *brand;
    char sku[16], name[160];
    char tail[320]; /* "sku,name,category,brand," quoted for CSV: order lines reuse it */
    char price_s[24];
    int tail_len, price_len;
} product;

typedef struct leafinfo {
    int first, n; /* products [first, first+n) sorted by price */
    char path[96];
} leafinfo;

/* ---- per-customer state ------------------------------------------------------------------ */

typedef struct ident {
    int gender; /* 0 unknown, 1 female, 2 male */
    const gen_name *first, *last;
    int city, occupation; /* occupation -1 = none */
    int64_t birth_days;   /* days since epoch, or INT64_MIN = none */
    char email[128], phone[40];
} ident;

typedef struct held {
    int prod;
    double last;
} held;

typedef struct order {
    double t; /* latent time, days since start */
    int64_t ts;
    bool ret, complaint;
} order;

typedef struct line {
    int prod, qty;
} line;

typedef struct cust {
    int64_t idx;
    enc_rng *r;
    const ident *id;
    double top_w[16];
    int channel, payment;
    double peak_hour, coupon_aff, nu, nps_base;
    int offset_s; /* local time offset */
    held held[MAX_HELD];
    int nheld;
    bool complained;
    int64_t complaint_ts;
} cust;

typedef struct gen {
    const enc_gen_opts *o;
    const gen_locale_tables *L;
    bool zh;
    double money; /* currency units per USD */
    int64_t start, end;
    double W; /* window in days */
    product *prod;
    int nprod;
    leafinfo *leaf;
    enc_alias a_first_f, a_first_m, a_last, a_city, a_domain;
    double leaf_w[32][16]; /* per top: weights of its leaves */
    int leaf_of[32][16], nleaf_of[32];
    double top_alpha[32];
    enc_alias *a_leafpop; /* per leaf: product popularity */
    obuf out[6];
    enc_imap *contacts;
    uint8_t *email_try, *phone_try;
    int64_t next_order, next_event, next_session, next_fb, next_consent;
    order *orders;
    char *daytab;
    int64_t day_first;
    enc_gen_counts c;
} gen;

static uint64_t seed_of(const gen *g) { return g->o->seed; }

static int64_t round_price(const gen *g, double usd)
{
    double v = usd * g->money;
    if (!g->zh) {
        if (v < 20) return (int64_t)floor(v * 2) * 50 + 49; /* 7.49, 7.99 */
        if (v < 200) return (int64_t)llround(v) * 100 - 10; /* 129.90 */
        return (int64_t)llround(v / 10) * 1000 - 100;       /* 1299.00 */
    }
    if (v < 100) return (int64_t)llround(v) * 100 - 10; /* 39.90 */
    return (int64_t)llround(v / 10) * 1000 - 100;       /* 899.00 */
}

static int cmp_price(const void *a, const void *b)
{
    const product *x = a, *y = b;
    return (x->price > y->price) - (x->price < y->price);
}

static void build_catalogue(gen *g)
{
    enc_rng r;
    enc_rng_seed_stream(&r, seed_of(g), 0xCA7A106ULL);
    int total = 0;
    for (size_t l = 0; l < gen_n_leaves; l++) total += gen_leaves[l].n;
    g->prod = enc_xcalloc((size_t)total, sizeof *g->prod);
    g->leaf = enc_xcalloc(gen_n_leaves, sizeof *g->leaf);
    g->a_leafpop = enc_xcalloc(gen_n_leaves, sizeof *g->a_leafpop);
    int k = 0;
    for (size_t l = 0; l < gen_n_leaves; l++) {
        const gen_leaf *lf = &gen_leaves[l];
        const gen_top *tp = &gen_tops[lf->top];
        leafinfo *li = &g->leaf[l];
        li->first = k;
        li->n = lf->n;
        snprintf(li->path, sizeof li->path, "%s/%s", g->zh ? tp->name_zh : tp->name_en,
                 g->zh ? lf->name_zh : lf->name_en);
        /* prices log-spaced over [lo, hi] with jitter */
        for (int i = 0; i < lf->n; i++) {
            product *p = &g->prod[k + i];
            double u = (i + enc_rng_range(&r, 0.1, 0.9)) / lf->n;
            double usd = lf->lo * pow(lf->hi / lf->lo, u);
            p->leaf = (int)l;
            p->price = round_price(g, usd);
            p->cost = (int64_t)llround((double)p->price * enc_rng_range(&r, 0.35, 0.70));
            p->in_stock = enc_rng_uniform(&r) < 0.95;
            p->brand =
                g->zh ? tp->brand_zh[enc_rng_below(&r, 5)] : tp->brand_en[enc_rng_below(&r, 5)];
            p->pop = 1.0 / pow(1.0 + (double)enc_rng_below(&r, (uint64_t)lf->n), 0.8);
        }
        qsort(&g->prod[k], (size_t)lf->n, sizeof *g->prod, cmp_price);
        for (int i = 0; i < lf->n; i++) {
            product *p = &g->prod[k + i];
            p->tier = 1 + i * 4 / lf->n;
            p->qty_usual = lf->multi && enc_rng_uniform(&r) < 0.3 ? 2 : 1;
            if (lf->cycle) {
                /* bigger packs (higher tiers) last longer */
                double f = 0.8 + 0.2 * (p->tier - 1) + enc_rng_range(&r, -0.1, 0.1);
                p->cycle = (int)llround(lf->cycle * f);
            }
            const char *noun =
                g->zh ? lf->noun_zh[enc_rng_below(&r, 3)] : lf->noun_en[enc_rng_below(&r, 3)];
            const char *tw = g->L->tier_word[p->tier - 1];
            char model[16];
            snprintf(model, sizeof model, "%c%d", "ASXZ"[enc_rng_below(&r, 4)],
                     10 * (i + 1) + (int)l % 10);
            if (lf->size_en[0]) {
                const char *size = g->zh ? lf->size_zh[p->tier - 1] : lf->size_en[p->tier - 1];
                if (g->zh) snprintf(p->name, sizeof p->name, "%s %s %s", p->brand, noun, size);
                else snprintf(p->name, sizeof p->name, "%s %s, %s", p->brand, noun, size);
            } else if (g->zh) {
                snprintf(p->name, sizeof p->name, "%s %s %s %s", p->brand, noun, model, tw);
            } else {
                snprintf(p->name, sizeof p->name, "%s %s %s%s%s", p->brand, noun, model,
                         *tw ? " " : "", tw);
            }
            snprintf(p->sku, sizeof p->sku, "P%05d", 10001 + k + i);
        }
        double *w = enc_xmalloc((size_t)lf->n * sizeof *w);
        for (int i = 0; i < lf->n; i++) w[i] = g->prod[k + i].pop;
        enc_alias_init(&g->a_leafpop[l], w, (size_t)lf->n);
        free(w);
        k += lf->n;
    }
    g->nprod = k;
    /* complements: each product points at specific products of its complement leaves, of a
     * matching price rank, so that (product -> complement) rules have real support */
    for (int i = 0; i < g->nprod; i++) {
        product *p = &g->prod[i];
        const gen_leaf *lf = &gen_leaves[p->leaf];
        int rank = i - g->leaf[p->leaf].first;
        for (int c = 0; c < GEN_MAX_COMP; c++) {
            if (lf->comp[c] < 0) continue;
            const leafinfo *cl = &g->leaf[lf->comp[c]];
            int j = rank * cl->n / lf->n + (int)enc_rng_below(&r, 3) - 1;
            if (j < 0) j = 0;
            if (j >= cl->n) j = cl->n - 1;
            p->comp[p->ncomp++] = cl->first + j;
        }
    }
    /* category preference structure */
    double popsum = 0;
    for (size_t t = 0; t < gen_n_tops; t++) popsum += gen_tops[t].pop;
    for (size_t t = 0; t < gen_n_tops; t++)
        g->top_alpha[t] = CATEGORY_CONC * gen_tops[t].pop / popsum;
    for (size_t l = 0; l < gen_n_leaves; l++) {
        int t = gen_leaves[l].top;
        g->leaf_of[t][g->nleaf_of[t]] = (int)l;
        g->leaf_w[t][g->nleaf_of[t]++] = gen_leaves[l].pop;
    }
}

/* the CSV pieces every order line of a product repeats, written once */
static void cache_product_fields(gen *g)
{
    obuf t = {.p = enc_xmalloc(ROW_MAX)};
    for (int i = 0; i < g->nprod; i++) {
        product *p = &g->prod[i];
        t.len = 0;
        ob_s(&t, p->sku);
        ob_c(&t, ',');
        ob_q(&t, p->name);
        ob_c(&t, ',');
        ob_q(&t, g->leaf[p->leaf].path);
        ob_c(&t, ',');
        ob_q(&t, p->brand);
        ob_c(&t, ',');
        if (t.len >= sizeof p->tail) t.len = 0; /* cannot happen: names are bounded */
        memcpy(p->tail, t.p, t.len);
        p->tail_len = (int)t.len;
        t.len = 0;
        ob_money(&t, p->price);
        memcpy(p->price_s, t.p, t.len);
        p->price_len = (int)t.len;
    }
    free(t.p);
}

static void write_products(gen *g)
{
    obuf *b = &g->out[F_PROD];
    for (int i = 0; i < g->nprod; i++) {
        const product *p = &g->prod[i];
        ob_row(b);
        ob_s(b, p->sku);
        ob_c(b, ',');
        ob_q(b, p->name);
        ob_c(b, ',');
        ob_q(b, g->leaf[p->leaf].path);
        ob_c(b, ',');
        ob_q(b, p->brand);
        ob_c(b, ',');
        ob_money(b, p->price);
        ob_c(b, ',');
        ob_money(b, p->cost);
        ob_c(b, ',');
        ob_s(b, g->L->currency);
        ob_c(b, ',');
        ob_u(b, (uint64_t)p->tier);
        ob_c(b, ',');
        if (p->cycle) ob_u(b, (uint64_t)p->cycle);
        ob_c(b, ',');
        for (int c = 0; c < p->ncomp; c++) {
            if (c) ob_c(b, '|');
            ob_s(b, g->prod[p->comp[c]].sku);
        }
        ob_c(b, ',');
        ob_s(b, p->in_stock ? "true" : "false");
        ob_c(b, '\n');
    }
}

/* ---- identities -------------------------------------------------------------------------- */

/* stream numbers: customer i uses 8i + k */
enum { S_IDENT = 0, S_BEHAV = 1, S_GUEST = 2 };

static bool is_dup(const gen *g, int64_t idx)
{
    if (idx == 0) return false;
    enc_rng r;
    enc_rng_seed_stream(&r, seed_of(g), (uint64_t)idx * 8 + S_IDENT);
    return enc_rng_uniform(&r) < DUP_SHARE;
}

static void ascii_lower(char *out, size_t cap, const gen_name *n)
{
    const char *s = n->roman ? n->roman : n->s;
    size_t k = 0;
    for (; *s && k + 1 < cap; s++) {
        char c = *s;
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out[k++] = c;
    }
    out[k] = 0;
}

/* The email candidate number `attempt` of customer idx. style and domain come from the
 * identity stream; the digits from a per-attempt stream. */
static void email_candidate(const gen *g, int64_t idx, const ident *id, int style, int domain,
                            int attempt, char *out, size_t cap)
{
    enc_rng r;
    enc_rng_seed_stream(&r, seed_of(g) ^ 0xE3A11ULL, (uint64_t)idx * 256 + (uint64_t)attempt);
    const char *dom = g->L->email_domains.s[domain];
    char fn[32], ln[32], num[24] = "";
    ascii_lower(fn, sizeof fn, id->first);
    ascii_lower(ln, sizeof ln, id->last);
    if (g->zh && strcmp(dom, "qq.com") == 0) { /* QQ numbers */
        int digits = 6 + (int)enc_rng_below(&r, 5);
        uint64_t v = 1 + enc_rng_below(&r, 9);
        for (int i = 1; i < digits; i++) v = v * 10 + enc_rng_below(&r, 10);
        snprintf(out, cap, "%llu@%s", (unsigned long long)v, dom);
        return;
    }
    double u = enc_rng_uniform(&r);
    if (attempt > 0 || u < 0.45) {
        int digits = 2 + attempt / 2 + (int)enc_rng_below(&r, 2);
        uint64_t v = enc_rng_below(&r, 9) + 1;
        for (int i = 1; i < digits; i++) v = v * 10 + enc_rng_below(&r, 10);
        snprintf(num, sizeof num, "%llu", (unsigned long long)v);
    } else if (u < 0.6 && id->birth_days != INT64_MIN) {
        int y, m, d;
        civil(id->birth_days, &y, &m, &d);
        if (enc_rng_uniform(&r) < 0.5) snprintf(num, sizeof num, "%d", y);
        else snprintf(num, sizeof num, "%02d", y % 100);
    }
    switch (style) {
    case 0: snprintf(out, cap, "%s.%s%s@%s", fn, ln, num, dom); break;
    case 1: snprintf(out, cap, "%s%s%s@%s", fn, ln, num, dom); break;
    case 2: snprintf(out, cap, "%c%s%s@%s", fn[0] ? fn[0] : 'x', ln, num, dom); break;
    case 3: snprintf(out, cap, "%s_%s%s@%s", fn, ln, num, dom); break;
    default: snprintf(out, cap, "%s%s%s@%s", ln, fn, num, dom); break;
    }
}

static const int zh_mobile_prefix[] = {130, 131, 132, 133, 134, 135, 136, 137, 138, 139,
                                       147, 150, 151, 152, 153, 155, 156, 157, 158, 159,
                                       166, 172, 173, 175, 176, 177, 178, 180, 181, 182,
                                       183, 184, 185, 186, 187, 188, 189, 191, 198, 199};

/* phone candidate: digits (E.164 without '+') into key, the display form into out */
static void phone_candidate(const gen *g, int64_t idx, const ident *id, int attempt, int fmt,
                            char *key, size_t kcap, char *out, size_t cap)
{
    enc_rng r;
    enc_rng_seed_stream(&r, seed_of(g) ^ 0x9403EULL, (uint64_t)idx * 256 + (uint64_t)attempt);
    const gen_city *c = &g->L->cities[id->city];
    if (g->zh) {
        int pre = zh_mobile_prefix[enc_rng_below(&r, sizeof zh_mobile_prefix /
                                                         sizeof zh_mobile_prefix[0])];
        unsigned a = (unsigned)enc_rng_below(&r, 10000), b = (unsigned)enc_rng_below(&r, 10000);
        snprintf(key, kcap, "86%d%04u%04u", pre, a, b);
        if (fmt == 1) snprintf(out, cap, "+86 %d %04u %04u", pre, a, b);
        else if (fmt == 2) snprintf(out, cap, "+86%d%04u%04u", pre, a, b);
        else if (fmt == 3) snprintf(out, cap, "%d-%04u-%04u", pre, a, b);
        else snprintf(out, cap, "%d%04u%04u", pre, a, b);
    } else if (strcmp(c->country, "GB") == 0) {
        unsigned a = 700 + (unsigned)enc_rng_below(&r, 300),
                 b = (unsigned)enc_rng_below(&r, 1000000);
        snprintf(key, kcap, "447%03u%06u", a, b);
        if (fmt == 1) snprintf(out, cap, "+447%03u%06u", a, b);
        else if (fmt == 2) snprintf(out, cap, "+44 (0)7%03u %06u", a, b);
        else snprintf(out, cap, "+44 7%03u %06u", a, b);
    } else {
        int na = c->area[2] ? 3 : c->area[1] ? 2 : 1;
        const char *area = c->area[enc_rng_below(&r, (uint64_t)na)];
        unsigned ex = 200 + (unsigned)enc_rng_below(&r, 800),
                 ln = (unsigned)enc_rng_below(&r, 10000);
        snprintf(key, kcap, "1%s%03u%04u", area, ex, ln);
        if (fmt == 1) snprintf(out, cap, "+1 (%s) %03u-%04u", area, ex, ln);
        else if (fmt == 2) snprintf(out, cap, "+1%s%03u%04u", area, ex, ln);
        else if (fmt == 3) snprintf(out, cap, "+1.%s.%03u.%04u", area, ex, ln);
        else snprintf(out, cap, "+1 %s-%03u-%04u", area, ex, ln);
    }
}

static int64_t contact_key(const char *s, char kind)
{
    char t[160];
    size_t n = 0;
    t[n++] = kind;
    for (; *s && n + 1 < sizeof t; s++)
        t[n++] = (char)(*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s);
    return (int64_t)enc_hash_bytes(t, n);
}

/* The identity of customer idx. commit: choose unique contacts now and record the attempt
 * numbers; else replay them (to copy an earlier customer for a duplicate registration). */
static void ident_base(gen *g, int64_t idx, ident *id, enc_rng *r, bool commit, bool *has_email,
                       bool *has_phone)
{
    const gen_locale_tables *L = g->L;
    double u = enc_rng_uniform(r);
    id->gender = u < 0.51 ? 1 : u < 0.98 ? 2 : 0;
    bool fem = id->gender == 1 || (id->gender == 0 && enc_rng_uniform(r) < 0.5);
    id->first = fem ? &L->first_f[enc_alias_draw(&g->a_first_f, r)]
                    : &L->first_m[enc_alias_draw(&g->a_first_m, r)];
    id->last = &L->last[enc_alias_draw(&g->a_last, r)];
    id->city = (int)enc_alias_draw(&g->a_city, r);
    double age = enc_rng_normal(r, 37, 12);
    if (age < 18) age = 18 + enc_rng_uniform(r) * 4;
    if (age > 85) age = 85;
    bool bday = enc_rng_uniform(r) < 0.9;
    int64_t bd = g->end / DAY - (int64_t)(age * 365.25);
    id->birth_days = bday ? bd : INT64_MIN;
    id->occupation = enc_rng_uniform(r) < 0.8 ? (int)enc_rng_below(r, L->occupations.n) : -1;
    *has_email = enc_rng_uniform(r) < (g->zh ? 0.55 : 0.97);
    *has_phone = enc_rng_uniform(r) < (g->zh ? 0.98 : 0.65);
    if (!*has_email && !*has_phone) *has_phone = true;
    int style = (int)enc_rng_below(r, 5), domain = (int)enc_alias_draw(&g->a_domain, r);
    double fu = enc_rng_uniform(r);
    int pfmt = fu < 0.85 ? 0 : fu < 0.93 ? 1 : fu < 0.97 ? 2 : 3;
    bool upper = enc_rng_uniform(r) < 0.02;
    id->email[0] = id->phone[0] = 0;
    if (*has_email) {
        char cand[128];
        int a = commit ? 0 : g->email_try[idx];
        for (;; a++) {
            email_candidate(g, idx, id, style, domain, a, cand, sizeof cand);
            if (!commit) break;
            bool added;
            enc_imap_put(g->contacts, contact_key(cand, 'e'), 1, &added);
            if (added || a == 255) break;
        }
        if (commit) g->email_try[idx] = (uint8_t)a;
        memcpy(id->email, cand, sizeof cand);
        if (upper && id->email[0] >= 'a' && id->email[0] <= 'z')
            id->email[0] = (char)(id->email[0] - 32);
    }
    if (*has_phone) {
        char key[40], cand[40];
        int a = commit ? 0 : g->phone_try[idx];
        for (;; a++) {
            phone_candidate(g, idx, id, a, pfmt, key, sizeof key, cand, sizeof cand);
            if (!commit) break;
            bool added;
            enc_imap_put(g->contacts, contact_key(key, 'p'), 1, &added);
            if (added || a == 255) break;
        }
        if (commit) g->phone_try[idx] = (uint8_t)a;
        memcpy(id->phone, cand, sizeof cand);
    }
}

/* Variants of a shared contact as a second registration would type it. */
static void vary_email(char *e, enc_rng *r)
{
    if (enc_rng_uniform(r) < 0.35) { /* capitalised name part and domain */
        bool start = true;
        for (char *s = e; *s; s++) {
            if (start && *s >= 'a' && *s <= 'z') *s = (char)(*s - 32);
            start = *s == '.' || *s == '@' || *s == '_';
        }
    }
}

static void ident_make(gen *g, int64_t idx, ident *id)
{
    enc_rng r;
    enc_rng_seed_stream(&r, seed_of(g), (uint64_t)idx * 8 + S_IDENT);
    /* drawn for customer 0 too: replaying an original for its duplicate skips exactly one draw */
    bool dup = enc_rng_uniform(&r) < DUP_SHARE && idx > 0;
    int64_t of = -1;
    if (dup) {
        for (int tries = 0; tries < 8 && of < 0; tries++) {
            int64_t back = 1 + (int64_t)enc_rng_below(&r, (uint64_t)(idx < 50000 ? idx : 50000));
            if (!is_dup(g, idx - back)) of = idx - back;
        }
    }
    bool has_email, has_phone;
    if (of < 0) {
        ident_base(g, idx, id, &r, true, &has_email, &has_phone);
        return;
    }
    /* a second registration of customer `of`: the same person, sharing a phone, an email, or
     * both; the other contact is new or missing */
    enc_rng pr;
    enc_rng_seed_stream(&pr, seed_of(g), (uint64_t)of * 8 + S_IDENT);
    enc_rng_uniform(&pr); /* its dup draw */
    ident orig;
    bool o_email, o_phone;
    ident_base(g, of, &orig, &pr, false, &o_email, &o_phone);
    double u = enc_rng_uniform(&r);
    int kind = u < 0.5 ? 1 : u < 0.85 ? 2 : 3; /* 1 phone, 2 email, 3 both */
    if (kind == 1 && !o_phone) kind = 2;
    if (kind == 2 && !o_email) kind = 1;
    if (kind == 3 && !(o_phone && o_email)) kind = o_phone ? 1 : 2;
    /* draw a fresh identity for the unshared contact, then overwrite the person's fields */
    ident_base(g, idx, id, &r, true, &has_email, &has_phone);
    id->gender = orig.gender;
    id->first = orig.first;
    id->last = orig.last;
    id->city = orig.city;
    id->birth_days = orig.birth_days;
    if (kind & 1) {
        /* the same number typed differently, re-drawn from the original's attempt stream */
        char key[40];
        phone_candidate(g, of, &orig, g->phone_try[of], (int)enc_rng_below(&r, 4), key, sizeof key,
                        id->phone, sizeof id->phone);
    } else if (enc_rng_uniform(&r) < 0.4) {
        id->phone[0] = 0;
    }
    if (kind & 2) {
        memcpy(id->email, orig.email, sizeof id->email);
        vary_email(id->email, &r);
    } else if (enc_rng_uniform(&r) < 0.4 && id->phone[0]) {
        id->email[0] = 0;
    }
    if (!id->email[0] && !id->phone[0]) memcpy(id->email, orig.email, sizeof id->email);
    if (kind == 1) g->c.dup_phone++;
    else if (kind == 2) g->c.dup_email++;
    else g->c.dup_both++;
}

/* ---- time placement ---------------------------------------------------------------------- */

/* UTC instant of latent time t (days since start) placed at a local hour drawn around the
 * customer's habitual hour, kept inside the window. */
static int64_t place(const gen *g, const cust *c, double t)
{
    int64_t abs_s = g->start + (int64_t)(t * DAY);
    int64_t local = abs_s + c->offset_s;
    int64_t lday = local >= 0 ? local / DAY : -((-local + DAY - 1) / DAY);
    double h = fmod(c->peak_hour + enc_rng_normal(c->r, 0, 2.6) + 48.0, 24.0);
    int64_t ts = lday * DAY + (int64_t)(h * 3600.0) - c->offset_s;
    if (ts < g->start) ts = g->start + (int64_t)enc_rng_below(c->r, 3600);
    if (ts >= g->end) ts = g->end - 1 - (int64_t)enc_rng_below(c->r, 3600);
    return ts;
}

/* first purchase date: acquisition grows over the window, with a bump in November-December */
static double draw_acquisition(const gen *g, enc_rng *r)
{
    for (;;) {
        double t = enc_rng_uniform(r) * g->W;
        int64_t days = g->start / DAY + (int64_t)t;
        int y, m, d;
        civil(days, &y, &m, &d);
        double f = (1.0 + 0.6 * t / g->W) * (m == 11 ? 1.6 : m == 12 ? 1.35 : 1.0);
        if (enc_rng_uniform(r) * 1.6 * 1.6 < f) return t;
    }
}

/* ---- baskets ----------------------------------------------------------------------------- */

static int pick_leaf(const gen *g, const double *top_w, enc_rng *r)
{
    int t = (int)enc_rng_categorical(r, top_w, gen_n_tops);
    return g->leaf_of[t][enc_rng_categorical(r, g->leaf_w[t], (size_t)g->nleaf_of[t])];
}

/* A product of leaf l priced near target: the nearest by price and its neighbours, weighted by
 * popularity and closeness. */
static int near_price(const gen *g, int l, double target, enc_rng *r)
{
    const leafinfo *li = &g->leaf[l];
    int lo = 0, hi = li->n - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if ((double)g->prod[li->first + mid].price < target) lo = mid + 1;
        else hi = mid;
    }
    if (lo > 0 && target - (double)g->prod[li->first + lo - 1].price <
                      (double)g->prod[li->first + lo].price - target)
        lo--;
    double w[3];
    int cand[3], n = 0;
    for (int j = lo - 1; j <= lo + 1; j++) {
        if (j < 0 || j >= li->n) continue;
        const product *p = &g->prod[li->first + j];
        cand[n] = li->first + j;
        w[n++] = p->pop / (1.0 + 8.0 * fabs(log((double)p->price / (target > 1 ? target : 1))));
    }
    return cand[enc_rng_categorical(r, w, (size_t)n)];
}

static int add_line(line *ls, int n, int prod, int qty)
{
    for (int i = 0; i < n; i++)
        if (ls[i].prod == prod) {
            ls[i].qty += qty;
            return n;
        }
    if (n == MAX_LINES) return n;
    ls[n].prod = prod;
    ls[n].qty = qty;
    return n + 1;
}

/* Fills ls with a basket whose subtotal approximates z (minor units): due consumables first,
 * then a primary item with its complements, then items that fill what is left. */
static int build_basket(gen *g, cust *c, double t, double z, line *ls, int64_t *subtotal)
{
    enc_rng *r = c->r;
    int n = 0;
    double rem = z;
    for (int h = 0; h < c->nheld; h++) {
        const product *p = &g->prod[c->held[h].prod];
        double since = t - c->held[h].last;
        if (since > REPLENISH_LAPSE * p->cycle) { /* lapsed: forget the habit */
            c->held[h--] = c->held[--c->nheld];
            continue;
        }
        if (since >= REPLENISH_MIN_FRAC * p->cycle && enc_rng_uniform(r) < REPLENISH_PROB &&
            (n == 0 || (double)p->price * p->qty_usual <= rem + 0.1 * z)) {
            n = add_line(ls, n, c->held[h].prod, p->qty_usual);
            rem -= (double)p->price * p->qty_usual;
            c->held[h].last = t;
            g->c.replenishments++;
        }
    }
    if (rem > 0 || n == 0) {
        int l = -1;
        for (int tries = 0; tries < 4; tries++) {
            l = pick_leaf(g, c->top_w, r);
            if ((double)g->prod[g->leaf[l].first].price <= (rem > 0 ? rem : 0) * 1.15) break;
        }
        if (n == 0 || (double)g->prod[g->leaf[l].first].price <= rem * 1.15) {
            double target = rem * enc_rng_range(r, n ? 0.5 : 0.45, 0.9);
            int pi = near_price(g, l, target, r);
            const product *p = &g->prod[pi];
            int qty = 1;
            if (gen_leaves[l].multi && (double)p->price * 2 <= target) {
                qty = (int)llround(target / (double)p->price * enc_rng_range(r, 0.5, 1.0));
                if (qty < 1) qty = 1;
                if (qty > 6) qty = 6;
            }
            n = add_line(ls, n, pi, qty);
            rem -= (double)p->price * qty;
            for (int k = 0; k < p->ncomp; k++) {
                const product *q = &g->prod[p->comp[k]];
                if (enc_rng_uniform(r) < COMP_PROB[k] &&
                    (double)q->price <= (rem > 0 ? rem : 0) + 0.4 * z) {
                    n = add_line(ls, n, p->comp[k], 1);
                    rem -= (double)q->price;
                    g->c.complement_lines++;
                }
            }
        }
    }
    for (int tries = 0; rem > 0.08 * z && n < 8 && tries < 6;) {
        int l = pick_leaf(g, c->top_w, r);
        int pi = near_price(g, l, rem * enc_rng_range(r, 0.75, 1.0), r);
        const product *p = &g->prod[pi];
        if ((double)p->price > rem * 1.1) {
            tries++;
            continue;
        }
        int qty = 1;
        if (gen_leaves[l].multi && (double)p->price * 2 <= rem)
            qty = 1 + (enc_rng_uniform(r) < 0.3);
        n = add_line(ls, n, pi, qty);
        rem -= (double)p->price * qty;
    }
    int64_t s = 0;
    for (int i = 0; i < n; i++) {
        const product *p = &g->prod[ls[i].prod];
        s += p->price * ls[i].qty;
        if (p->cycle) { /* track consumables for replenishment */
            int h = 0;
            while (h < c->nheld && c->held[h].prod != ls[i].prod) h++;
            if (h == c->nheld) {
                if (enc_rng_uniform(r) >= REPLENISH_ADOPT) continue;
                if (c->nheld < MAX_HELD) c->nheld++;
                else { /* replace the longest unbought */ h = 0;
                    for (int k = 1; k < MAX_HELD; k++)
                        if (c->held[k].last < c->held[h].last) h = k;
                }
                c->held[h].prod = ls[i].prod;
            }
            c->held[h].last = t;
        }
    }
    *subtotal = s;
    return n;
}

/* ---- rows -------------------------------------------------------------------------------- */

static void order_row_head(gen *g, obuf *b, int64_t oid, bool ret_suffix, int64_t cidx, int64_t ts,
                           const char *status, int channel, int payment, const char *coupon,
                           int64_t discount, int city)
{
    ob_id(b, 'O', oid, 8);
    if (ret_suffix) ob_s(b, "-R");
    ob_c(b, ',');
    if (cidx >= 0) ob_id(b, 'C', cidx + 1, 7);
    ob_c(b, ',');
    ob_time(b, ts);
    ob_c(b, ',');
    ob_s(b, status);
    ob_c(b, ',');
    ob_s(b, g->L->channels.s[channel]);
    ob_c(b, ',');
    ob_s(b, g->L->payments.s[payment]);
    ob_c(b, ',');
    if (coupon) ob_s(b, coupon);
    ob_c(b, ',');
    ob_money(b, discount);
    ob_c(b, ',');
    ob_s(b, g->L->currency);
    ob_c(b, ',');
    ob_s(b, g->L->cities[city].country);
    ob_c(b, ',');
}

/* one row per line; the order's fields are formatted once and copied to each line */
static void write_order(gen *g, int64_t oid, bool ret_suffix, int64_t cidx, int64_t ts,
                        const char *status, int channel, int payment, const char *coupon,
                        int64_t discount, int city, const line *ls, int n, int sign)
{
    obuf *b = &g->out[F_ORD];
    char head[512];
    obuf h = {.p = head, .daytab = b->daytab, .day0 = b->day0, .ndays = b->ndays};
    order_row_head(g, &h, oid, ret_suffix, cidx, ts, status, channel, payment, coupon, discount,
                   city);
    for (int i = 0; i < n; i++) {
        const product *p = &g->prod[ls[i].prod];
        ob_row(b);
        ob_mem(b, head, h.len);
        ob_mem(b, p->tail, (size_t)p->tail_len);
        if (sign < 0) ob_c(b, '-');
        ob_u(b, (uint64_t)ls[i].qty);
        ob_c(b, ',');
        ob_mem(b, p->price_s, (size_t)p->price_len);
        ob_c(b, '\n');
    }
}

/* an event; value is a money amount in minor units (the cart events' qty x price), or -1 */
static void event_row(gen *g, const cust *c, int64_t ts, const char *type, int prod, int64_t value,
                      int64_t session, int channel)
{
    if (ts < g->start || ts >= g->end) return;
    obuf *b = &g->out[F_EVT];
    ob_row(b);
    ob_id(b, 'E', ++g->next_event, 9);
    ob_c(b, ',');
    ob_id(b, 'C', c->idx + 1, 7);
    ob_c(b, ',');
    ob_time(b, ts);
    ob_c(b, ',');
    ob_s(b, type);
    ob_c(b, ',');
    if (prod >= 0) ob_s(b, g->prod[prod].sku);
    ob_c(b, ',');
    if (value >= 0) ob_money(b, value);
    ob_c(b, ',');
    if (session > 0) ob_id(b, 'S', session, 8);
    ob_c(b, ',');
    ob_s(b, g->L->channels.s[channel]);
    ob_c(b, '\n');
}

static void feedback_row(gen *g, const cust *c, int64_t ts, const char *kind, int score,
                         const char *text, int64_t oid, int prod)
{
    if (ts < g->start || ts >= g->end) return;
    obuf *b = &g->out[F_FB];
    ob_row(b);
    ob_id(b, 'F', ++g->next_fb, 8);
    ob_c(b, ',');
    ob_id(b, 'C', c->idx + 1, 7);
    ob_c(b, ',');
    ob_time(b, ts);
    ob_c(b, ',');
    ob_s(b, kind);
    ob_c(b, ',');
    if (score >= 0) ob_u(b, (uint64_t)score);
    ob_c(b, ',');
    if (text) ob_q(b, text);
    ob_c(b, ',');
    if (oid > 0) ob_id(b, 'O', oid, 8);
    ob_c(b, ',');
    if (prod >= 0) ob_s(b, g->prod[prod].sku);
    ob_c(b, '\n');
}

static void consent_row(gen *g, int64_t cidx, const char *channel, bool granted, int64_t ts)
{
    obuf *b = &g->out[F_CONS];
    ob_row(b);
    ob_c(b, 'K');
    ob_pad(b, (uint64_t)++g->next_consent, 8);
    ob_c(b, ',');
    ob_id(b, 'C', cidx + 1, 7);
    ob_c(b, ',');
    ob_s(b, channel);
    ob_s(b, ",marketing,");
    ob_s(b, granted ? "granted" : "revoked");
    ob_c(b, ',');
    ob_time(b, ts);
    ob_c(b, '\n');
}

static const char *pick(const gen_strs *s, enc_rng *r) { return s->s[enc_rng_below(r, s->n)]; }

/* gaps between events of a session, seconds */
static int64_t gap(enc_rng *r, double mean)
{
    return 3 + (int64_t)enc_rng_exponential(r, 1.0 / mean);
}

/* a browsing session with no order: views, maybe a search or a click that led to the first
 * product, then a favourite, a share, a consultation, or an abandoned cart */
static void browse_session(gen *g, cust *c, int64_t ts)
{
    enc_rng *r = c->r;
    int64_t sid = ++g->next_session;
    int ch = enc_rng_uniform(r) < 0.85 ? c->channel : (int)enc_rng_below(r, g->L->channels.n);
    if (strcmp(g->L->channels.s[ch], "store") == 0) ch = 0;
    g->c.sessions++;
    int l = pick_leaf(g, c->top_w, r);
    int last = g->leaf[l].first + (int)enc_alias_draw(&g->a_leafpop[l], r);
    double u = enc_rng_uniform(r);
    if (u < 0.3) {
        event_row(g, c, ts, "search", last, -1, sid, ch);
        ts += gap(r, 20);
    } else if (u < 0.55) {
        event_row(g, c, ts, "click", last, -1, sid, ch);
        ts += gap(r, 10);
    }
    int views = 1 + (int)enc_rng_geometric(r, 0.5);
    for (int v = 0; v < views; v++) {
        if (v) {
            if (enc_rng_uniform(r) < 0.3) l = pick_leaf(g, c->top_w, r);
            last = g->leaf[l].first + (int)enc_alias_draw(&g->a_leafpop[l], r);
        }
        event_row(g, c, ts, "view", last, -1, sid, ch);
        ts += gap(r, 40);
    }
    const product *p = &g->prod[last];
    u = enc_rng_uniform(r);
    if (u < ABANDON_RATE) {
        event_row(g, c, ts, "cart_add", last, p->price, sid, ch);
        g->c.abandoned_carts++;
        if (enc_rng_uniform(r) < 0.25)
            event_row(g, c, ts + gap(r, 120), "cart_remove", last, p->price, sid, ch);
    } else if (u < ABANDON_RATE + 0.08) {
        event_row(g, c, ts, "favorite", last, -1, sid, ch);
    } else if (u < ABANDON_RATE + 0.11) {
        event_row(g, c, ts, "share", last, -1, sid, ch);
    } else if (u < ABANDON_RATE + 0.13) {
        event_row(g, c, ts, "consult", last, -1, sid, ch);
    }
}

/* the session that leads to an order placed at ts */
static void purchase_session(gen *g, cust *c, int64_t ts, const line *ls, int n, int ch)
{
    enc_rng *r = c->r;
    int64_t sid = ++g->next_session;
    g->c.sessions++;
    /* lay the slots out backwards from the order, then write events forwards: a search, per
     * line an alternative's view and the view, an alternative added and removed or a
     * consultation, per line a cart_add */
    int64_t t = ts - 60 - (int64_t)enc_rng_exponential(r, 1.0 / 120);
    int64_t times[3 * MAX_LINES + 4];
    int k = 0, nev = 3 * n + 2;
    for (int i = 0; i < nev; i++) {
        times[nev - 1 - i] = t;
        t -= gap(r, 40);
    }
    if (enc_rng_uniform(r) < 0.4) event_row(g, c, times[k], "search", ls[0].prod, -1, sid, ch);
    k++;
    int alt = -1;
    for (int i = 0; i < n; i++) {
        const product *p = &g->prod[ls[i].prod];
        if (enc_rng_uniform(r) < 0.25) { /* compared with another product of the leaf first */
            const leafinfo *li = &g->leaf[p->leaf];
            alt = li->first + (int)enc_rng_below(r, (uint64_t)li->n);
            event_row(g, c, times[k], "view", alt, -1, sid, ch);
        }
        k++;
        event_row(g, c, times[k++], "view", ls[i].prod, -1, sid, ch);
    }
    if (alt >= 0 && enc_rng_uniform(r) < 0.25) {
        event_row(g, c, times[k], "cart_add", alt, g->prod[alt].price, sid, ch);
        event_row(g, c, times[k] + 15, "cart_remove", alt, g->prod[alt].price, sid, ch);
    } else if (enc_rng_uniform(r) < 0.04) {
        event_row(g, c, times[k], "consult", ls[0].prod, -1, sid, ch);
    }
    k++;
    for (int i = 0; i < n && k < nev; i++)
        event_row(g, c, times[k++], "cart_add", ls[i].prod, g->prod[ls[i].prod].price * ls[i].qty,
                  sid, ch);
}

static int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

/* coupon and discount of an order with the given subtotal, or NULL */
static const char *draw_coupon(gen *g, cust *c, bool first, int64_t ts, int64_t subtotal,
                               int64_t *discount)
{
    enc_rng *r = c->r;
    *discount = 0;
    if (enc_rng_uniform(r) >= c->coupon_aff) return NULL;
    const gen_locale_tables *L = g->L;
    int y, month, d;
    civil(ts / DAY, &y, &month, &d);
    for (int tries = 0; tries < 8; tries++) {
        const gen_coupon *cp = &L->coupons[enc_rng_below(r, L->n_coupons)];
        if (tries == 0 && enc_rng_uniform(r) < 0.6) { /* the welcome or the season's coupon */
            for (size_t i = 0; i < L->n_coupons; i++)
                if ((first && L->coupons[i].first_only) || (!first && L->coupons[i].month == month))
                    cp = &L->coupons[i];
        }
        if (cp->first_only && !first) continue;
        if (cp->month && cp->month != month) continue;
        if (cp->pct > 0) *discount = (int64_t)llround((double)subtotal * cp->pct / 100.0);
        else if ((double)subtotal >= cp->min * g->money * 100)
            *discount = (int64_t)llround(cp->fixed * g->money * 100);
        else continue;
        if (*discount > subtotal) *discount = subtotal;
        if (*discount <= 0) continue;
        return cp->code;
    }
    *discount = 0;
    return NULL;
}

static int channel_of_order(gen *g, cust *c)
{
    if (enc_rng_uniform(c->r) < 0.8) return c->channel;
    return (int)enc_rng_categorical(c->r, g->L->channel_w, g->L->channels.n);
}

/* ---- one customer ------------------------------------------------------------------------ */

static void one_customer(gen *g, int64_t idx)
{
    ident id;
    ident_make(g, idx, &id);
    enc_rng r;
    enc_rng_seed_stream(&r, seed_of(g), (uint64_t)idx * 8 + S_BEHAV);
    cust c = {.idx = idx, .r = &r, .id = &id};
    const gen_locale_tables *L = g->L;
    const gen_city *city = &L->cities[id.city];
    c.offset_s = city->utc_offset_min * 60;
    bool never = enc_rng_uniform(&r) < NEVER_BUY_SHARE;
    double lambda = enc_rng_gamma(&r, BG_R, 1.0 / BG_ALPHA);
    double p_drop = enc_rng_beta(&r, BG_A, BG_B);
    c.nu = enc_rng_gamma(&r, GG_Q, 1.0 / (GG_GAMMA_USD * g->money));
    c.coupon_aff = enc_rng_beta(&r, COUPON_A, COUPON_B);
    enc_rng_dirichlet(&r, g->top_alpha, gen_n_tops, c.top_w);
    c.channel = (int)enc_rng_categorical(&r, L->channel_w, L->channels.n);
    c.payment = (int)enc_rng_categorical(&r, L->payment_w, L->payments.n);
    c.peak_hour = fmod(enc_rng_normal(&r, 20.0, 2.5) + 24.0, 24.0);
    c.nps_base = 10.5 - 14.0 * p_drop + enc_rng_normal(&r, 0, 1.2);
    double t_acq = never ? enc_rng_uniform(&r) * g->W : draw_acquisition(g, &r);
    double t_reg = t_acq - (enc_rng_uniform(&r) < 0.5 ? enc_rng_exponential(&r, 1.0 / 30)
                                                      : enc_rng_uniform(&r) * 0.01);
    if (t_reg < 0) t_reg = enc_rng_uniform(&r) * t_acq;
    int64_t reg_ts = g->start + (int64_t)(t_reg * DAY);
    if (reg_ts >= g->end) reg_ts = g->end - 1;

    /* the purchase process (BG/NBD with complaint-driven extra drop-out) */
    int n = 0;
    bool dropped = false;
    if (!never) {
        double t = t_acq;
        for (;;) {
            order *o = &g->orders[n++];
            o->t = t;
            o->ret = enc_rng_uniform(&r) < RETURN_RATE;
            o->complaint = enc_rng_uniform(&r) < (o->ret ? COMPLAINT_RATE_RET : COMPLAINT_RATE);
            if (o->complaint && enc_rng_uniform(&r) < COMPLAINT_CHURN) {
                dropped = true;
                break;
            }
            if (n > 1 && enc_rng_uniform(&r) < p_drop) {
                dropped = true;
                break;
            }
            t += enc_rng_exponential(&r, lambda);
            if (t >= g->W || n == MAX_ORDERS) break;
        }
        for (int i = 0; i < n; i++) g->orders[i].ts = place(g, &c, g->orders[i].t);
        for (int i = 1; i < n; i++) { /* placement may swap two orders of one day */
            order o = g->orders[i];
            int j = i;
            for (; j > 0 && g->orders[j - 1].ts > o.ts; j--) g->orders[j] = g->orders[j - 1];
            g->orders[j] = o;
        }
        g->c.buyers++;
        if (n > 1) g->c.repeat_buyers++;
        if (g->orders[0].ts < reg_ts)
            reg_ts = g->orders[0].ts - 60 - (int64_t)enc_rng_below(&r, 1800);
        if (reg_ts < g->start) reg_ts = g->start;
    }

    /* orders with their sessions, returns, complaints, reviews */
    line ls[MAX_LINES];
    int64_t spend = 0;
    for (int i = 0; i < n; i++) {
        order *o = &g->orders[i];
        double z = enc_rng_gamma(&r, GG_P, 1.0 / c.nu) * 100.0; /* minor units */
        int64_t sub;
        int nl = build_basket(g, &c, o->t, z, ls, &sub);
        g->c.spend_target_sum += z / 100.0;
        g->c.spend_real_sum += (double)sub / 100.0;
        int ch = channel_of_order(g, &c);
        int pay = enc_rng_uniform(&r) < 0.85 ? c.payment : (int)enc_rng_below(&r, L->payments.n);
        bool store = strcmp(L->channels.s[ch], "store") == 0;
        int64_t disc;
        const char *coupon = draw_coupon(g, &c, i == 0, o->ts, sub, &disc);
        if (!store && enc_rng_uniform(&r) < TRACKED_SHARE)
            purchase_session(g, &c, o->ts, ls, nl, ch);
        if (enc_rng_uniform(&r) < CANCEL_RATE) {
            int64_t cts = o->ts - 120 - (int64_t)enc_rng_below(&r, 3 * 3600);
            if (cts >= g->start) {
                write_order(g, ++g->next_order, false, idx, cts, "cancelled", ch, pay, coupon, disc,
                            id.city, ls, nl, 1);
                g->c.cancelled_orders++;
            }
        }
        int64_t oid = ++g->next_order;
        write_order(g, oid, false, idx, o->ts, "paid", ch, pay, coupon, disc, id.city, ls, nl, 1);
        g->c.paid_orders++;
        if (coupon) g->c.coupon_orders++;
        spend += sub - disc;
        int64_t ret_ts = -1;
        int ret_prod = ls[0].prod;
        if (o->ret) {
            ret_ts = o->ts + (int64_t)(enc_rng_range(&r, 2, 30) * DAY);
            line rl[MAX_LINES];
            int nr = 0;
            for (int k = 0; k < nl; k++)
                if (enc_rng_uniform(&r) < 0.6) {
                    rl[nr].prod = ls[k].prod;
                    rl[nr++].qty = ls[k].qty > 1 && enc_rng_uniform(&r) < 0.5 ? 1 : ls[k].qty;
                }
            if (!nr) {
                int k = (int)enc_rng_below(&r, (uint64_t)nl);
                rl[nr++] = ls[k];
            }
            ret_prod = rl[0].prod;
            if (ret_ts < g->end) {
                write_order(g, oid, true, idx, ret_ts, "returned", ch, pay, NULL, 0, id.city, rl,
                            nr, -1);
                g->c.returned_orders++;
                for (int k = 0; k < nr; k++) spend -= g->prod[rl[k].prod].price * rl[k].qty;
            }
        }
        if (o->complaint) {
            int64_t cts =
                (ret_ts > 0 ? ret_ts : o->ts) + (int64_t)(enc_rng_range(&r, 0.5, 10) * DAY);
            if (cts < g->end) {
                feedback_row(g, &c, cts, "complaint", -1, pick(&L->complaints, &r), oid, ret_prod);
                g->c.complaints++;
                if (!c.complained) c.complaint_ts = cts;
                c.complained = true;
                if (enc_rng_uniform(&r) < 0.5)
                    event_row(g, &c, cts - 600, "consult", ret_prod, -1, ++g->next_session, ch);
            }
        }
        if (enc_rng_uniform(&r) < REVIEW_RATE) {
            int k = (int)enc_rng_below(&r, (uint64_t)nl);
            double mu = o->ret ? 1.6 : 2.5 + 0.25 * c.nps_base;
            int score = clampi((int)lround(enc_rng_normal(&r, mu, 0.9)), 1, 5);
            int64_t rts = o->ts + (int64_t)(enc_rng_range(&r, 3, 20) * DAY);
            if (rts < g->end) {
                feedback_row(g, &c, rts, "review", score, pick(&L->review[score - 1], &r), oid,
                             ls[k].prod);
                g->c.reviews++;
                if (enc_rng_uniform(&r) < 0.5)
                    event_row(g, &c, rts, "comment", ls[k].prod, -1, ++g->next_session, ch);
            }
        }
        if (enc_rng_uniform(&r) < NPS_RATE) {
            int s = clampi(
                (int)lround(c.nps_base + enc_rng_normal(&r, 0, 1.2) - (c.complained ? 3 : 0)), 0,
                10);
            int64_t nts = o->ts + 7 * DAY + (int64_t)enc_rng_below(&r, DAY);
            if (nts < g->end) {
                feedback_row(g, &c, nts, "nps", s, NULL, -1, -1);
                g->c.nps++;
            }
        }
    }
    /* browsing without an order: while active, then fading after drop-out */
    double span_from = (double)(reg_ts - g->start) / DAY, span_to = g->W;
    if (never) span_to = span_from + enc_rng_exponential(&r, 1.0 / 120);
    else if (dropped) span_to = g->orders[n - 1].t + enc_rng_exponential(&r, 1.0 / 30);
    if (span_to > g->W) span_to = g->W;
    if (span_to > span_from) {
        uint64_t ns = enc_rng_poisson(&r, never ? BROWSE_NEVER : BROWSE_PER_ORDER * n);
        for (uint64_t s = 0; s < ns; s++)
            browse_session(g, &c, place(g, &c, enc_rng_range(&r, span_from, span_to)));
    }
    if (enc_rng_uniform(&r) < SURVEY_RATE) {
        int64_t sts = reg_ts + (int64_t)(enc_rng_uniform(&r) * (double)(g->end - reg_ts));
        int s = clampi((int)lround(c.nps_base / 2 + enc_rng_normal(&r, 0, 0.8)), 1, 5);
        feedback_row(g, &c, sts, "survey", s,
                     enc_rng_uniform(&r) < 0.6 ? pick(&L->survey_answers, &r) : NULL, -1, -1);
        g->c.surveys++;
    }

    /* consents: a ledger of grants at registration, some revoked later, a few granted again */
    static const char *const ch_en[] = {"email", "sms", "push", "inapp"};
    static const char *const ch_zh[] = {"wechat", "sms", "email", "push", "inapp"};
    static const double p_en[] = {0.65, 0.35, 0.30, 0.45}, p_zh[] = {0.55, 0.50, 0.20, 0.35, 0.40};
    const char *const *chs = g->zh ? ch_zh : ch_en;
    const double *pg = g->zh ? p_zh : p_en;
    int nch = g->zh ? 5 : 4;
    for (int k = 0; k < nch; k++) {
        if (!strcmp(chs[k], "email") && !id.email[0]) continue;
        if (!strcmp(chs[k], "sms") && !id.phone[0]) continue;
        if (enc_rng_uniform(&r) >= pg[k]) continue;
        consent_row(g, idx, chs[k], true, reg_ts);
        double pr = REVOKE_RATE + (c.complained ? REVOKE_COMPLAINT : 0);
        if (enc_rng_uniform(&r) < pr) {
            int64_t from = c.complained ? c.complaint_ts : reg_ts + DAY;
            if (from >= g->end - 1) continue;
            int64_t rts = from + (int64_t)(enc_rng_uniform(&r) * (double)(g->end - from) *
                                           (c.complained ? 0.1 : 1.0));
            consent_row(g, idx, chs[k], false, rts);
            g->c.revocations++;
            if (enc_rng_uniform(&r) < REGRANT_RATE && rts < g->end - DAY) {
                int64_t gts = rts + (int64_t)(enc_rng_uniform(&r) * (double)(g->end - rts - 1));
                consent_row(g, idx, chs[k], true, gts);
            }
        }
    }

    /* the customer row: member tier and points from what they spent */
    double spent = (double)spend / 100.0 / g->money; /* USD */
    const char *tier = spent >= 3000   ? "platinum"
                       : spent >= 1000 ? "gold"
                       : spent >= 300  ? "silver"
                                       : "bronze";
    int64_t points = spend > 0 ? (int64_t)((double)spend / 100.0 * enc_rng_range(&r, 0.2, 1.0)) : 0;
    obuf *b = &g->out[F_CUST];
    ob_row(b);
    ob_id(b, 'C', idx + 1, 7);
    ob_c(b, ',');
    char name[96];
    if (g->zh) snprintf(name, sizeof name, "%s%s", id.last->s, id.first->s);
    else snprintf(name, sizeof name, "%s %s", id.first->s, id.last->s);
    ob_q(b, name);
    ob_c(b, ',');
    ob_q(b, id.email);
    ob_c(b, ',');
    ob_q(b, id.phone);
    ob_c(b, ',');
    if (id.gender)
        ob_s(b, g->zh ? (id.gender == 1 ? "女" : "男") : (id.gender == 1 ? "female" : "male"));
    ob_c(b, ',');
    if (id.birth_days != INT64_MIN) ob_date(b, id.birth_days);
    ob_c(b, ',');
    ob_s(b, city->country);
    ob_c(b, ',');
    ob_q(b, city->region);
    ob_c(b, ',');
    ob_q(b, city->city);
    ob_c(b, ',');
    if (id.occupation >= 0) ob_q(b, L->occupations.s[id.occupation]);
    ob_c(b, ',');
    ob_s(b, city->tz);
    ob_c(b, ',');
    ob_time(b, reg_ts);
    ob_c(b, ',');
    ob_s(b, tier);
    ob_c(b, ',');
    ob_u(b, (uint64_t)points);
    ob_c(b, '\n');

    /* guest orders placed by people without an account, spread over the window */
    enc_rng gr;
    enc_rng_seed_stream(&gr, seed_of(g), (uint64_t)idx * 8 + S_GUEST);
    uint64_t ng = enc_rng_poisson(&gr, GUEST_RATE);
    for (uint64_t k = 0; k < ng; k++) {
        cust gc = {.idx = -1, .r = &gr};
        int gcity = (int)enc_alias_draw(&g->a_city, &gr);
        gc.offset_s = L->cities[gcity].utc_offset_min * 60;
        gc.peak_hour = fmod(enc_rng_normal(&gr, 20.0, 3.0) + 24.0, 24.0);
        gc.nu = enc_rng_gamma(&gr, GG_Q, 1.0 / (GG_GAMMA_USD * g->money));
        gc.coupon_aff = 0.05;
        for (size_t t = 0; t < gen_n_tops; t++) gc.top_w[t] = g->top_alpha[t];
        int64_t ts = place(g, &gc, enc_rng_uniform(&gr) * g->W);
        int64_t sub, disc;
        int nl = build_basket(g, &gc, 0, enc_rng_gamma(&gr, GG_P, 1.0 / gc.nu) * 100.0, ls, &sub);
        const char *coupon = draw_coupon(g, &gc, false, ts, sub, &disc);
        int ch = (int)enc_rng_categorical(&gr, L->channel_w, L->channels.n);
        int pay = (int)enc_rng_categorical(&gr, L->payment_w, L->payments.n);
        write_order(g, ++g->next_order, false, -1, ts, "paid", ch, pay, coupon, disc, gcity, ls, nl,
                    1);
        g->c.guest_orders++;
        if (coupon) g->c.coupon_orders++;
    }
}

/* ---- driver ------------------------------------------------------------------------------ */

enc_rc enc__gen_mkdirs(const char *dir, enc_err *err)
{
    char p[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof p)
        return enc_fail(err, ENC_EUSAGE, "output directory name is empty or too long");
    memcpy(p, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (p[i] != '/' && p[i] != 0) continue;
        char save = p[i];
        p[i] = 0;
        if (mkdir(p, 0777) != 0 && errno != EEXIST)
            return enc_fail(err, ENC_EIO, "%s: %s", p, strerror(errno));
        p[i] = save;
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return enc_fail(err, ENC_EIO, "%s: not a directory", dir);
    return ENC_OK;
}

static void alias_names(enc_alias *a, const gen_name *v, size_t n)
{
    double *w = enc_xmalloc(n * sizeof *w);
    for (size_t i = 0; i < n; i++) w[i] = v[i].w;
    enc_alias_init(a, w, n);
    free(w);
}

static void gen_free(gen *g)
{
    for (int f = 0; f < 6; f++) {
        if (g->out[f].f) fclose(g->out[f].f);
        free(g->out[f].p);
    }
    if (g->a_leafpop)
        for (size_t l = 0; l < gen_n_leaves; l++) enc_alias_free(&g->a_leafpop[l]);
    free(g->a_leafpop);
    enc_alias_free(&g->a_first_f);
    enc_alias_free(&g->a_first_m);
    enc_alias_free(&g->a_last);
    enc_alias_free(&g->a_city);
    enc_alias_free(&g->a_domain);
    if (g->contacts) enc_imap_free(g->contacts);
    free(g->email_try);
    free(g->phone_try);
    free(g->prod);
    free(g->leaf);
    free(g->orders);
    free(g->daytab);
}

enc_rc enc_gen_run(const enc_gen_opts *o, enc_gen_counts *counts, enc_err *err)
{
    if (o->customers < 1 || o->customers > ENC_GEN_MAX_CUSTOMERS)
        return enc_fail(err, ENC_EUSAGE, "customers must be between 1 and %lld",
                        (long long)ENC_GEN_MAX_CUSTOMERS);
    if (!o->out_dir || !*o->out_dir) return enc_fail(err, ENC_EUSAGE, "no output directory");
    if (o->locale != ENC_GEN_EN && o->locale != ENC_GEN_ZH)
        return enc_fail(err, ENC_EUSAGE, "unknown locale");
    int64_t start = o->start ? o->start : ENC_GEN_DEFAULT_START,
            end = o->end ? o->end : ENC_GEN_DEFAULT_END;
    if (start % DAY || end % DAY)
        return enc_fail(err, ENC_EUSAGE, "the window must start and end at midnight UTC");
    if (end - start < 7 * DAY)
        return enc_fail(err, ENC_EUSAGE, "the window must be at least 7 days long");
    enc_rc rc = enc__gen_mkdirs(o->out_dir, err);
    if (rc) return rc;

    gen g = {0};
    g.o = o;
    g.zh = o->locale == ENC_GEN_ZH;
    g.L = g.zh ? &gen_tables_zh : &gen_tables_en;
    g.money = g.zh ? CNY_PER_USD : 1.0;
    g.start = start;
    g.end = end;
    g.W = (double)(end - start) / DAY;
    for (int f = 0; f < 6; f++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", o->out_dir, enc_gen_files[f]);
        g.out[f].f = fopen(path, "wb");
        if (!g.out[f].f) {
            rc = enc_fail(err, ENC_EIO, "%s: %s", path, strerror(errno));
            gen_free(&g);
            return rc;
        }
        g.out[f].p = enc_xmalloc(OB_CAP);
        ob_s(&g.out[f], enc_gen_headers[f]);
        ob_c(&g.out[f], '\n');
    }
    alias_names(&g.a_first_f, g.L->first_f, g.L->n_first_f);
    alias_names(&g.a_first_m, g.L->first_m, g.L->n_first_m);
    alias_names(&g.a_last, g.L->last, g.L->n_last);
    double w[64];
    for (size_t i = 0; i < g.L->n_cities; i++) w[i] = g.L->cities[i].w;
    enc_alias_init(&g.a_city, w, g.L->n_cities);
    enc_alias_init(&g.a_domain, g.L->domain_w, g.L->email_domains.n);
    g.contacts = enc_imap_new((size_t)o->customers * 2);
    g.email_try = enc_xcalloc((size_t)o->customers, 1);
    g.phone_try = enc_xcalloc((size_t)o->customers, 1);
    g.orders = enc_xmalloc(MAX_ORDERS * sizeof *g.orders);

    /* the dates of the window (and a day either side for local-time placement) */
    g.day_first = start / DAY - 1;
    int64_t ndays = (end - start) / DAY + 2;
    g.daytab = enc_xmalloc((size_t)ndays * 10);
    for (int64_t d = 0; d < ndays; d++) {
        obuf t = {.p = g.daytab + d * 10};
        ob_date(&t, g.day_first + d);
    }
    for (int f = 0; f < 6; f++) {
        g.out[f].daytab = g.daytab;
        g.out[f].day0 = g.day_first;
        g.out[f].ndays = ndays;
    }
    build_catalogue(&g);
    cache_product_fields(&g);
    write_products(&g);
    for (int64_t i = 0; i < o->customers; i++) {
        one_customer(&g, i);
        if (o->progress && (i & 16383) == 16383) o->progress(o->progress_ctx, i + 1, o->customers);
    }
    if (o->progress) o->progress(o->progress_ctx, o->customers, o->customers);

    g.c.orders = g.next_order + g.c.returned_orders; /* returns are ids of their own ("-R") */
    g.c.customers = g.out[F_CUST].rows;
    g.c.products = g.out[F_PROD].rows;
    g.c.order_lines = g.out[F_ORD].rows;
    g.c.events = g.out[F_EVT].rows;
    g.c.feedback = g.out[F_FB].rows;
    g.c.consents = g.out[F_CONS].rows;
    rc = ENC_OK;
    for (int f = 0; f < 6; f++) {
        ob_flush(&g.out[f]);
        g.c.bytes[f] = (int64_t)g.out[f].bytes;
        bool bad = g.out[f].err || ferror(g.out[f].f);
        bad |= fclose(g.out[f].f) != 0;
        g.out[f].f = NULL;
        if (bad && !rc)
            rc = enc_fail(err, ENC_EIO, "%s/%s: write failed: %s", o->out_dir, enc_gen_files[f],
                          strerror(errno));
    }
    if (counts) *counts = g.c;
    gen_free(&g);
    return rc;
}
