/* test_gen.c — unit tests for src/gen: determinism (same seed, same bytes), exact headers and
 * column counts, and that the written data carry the generative structure: the share of repeat
 * buyers and the mean number of repeat orders against the BG/NBD expectation (closed form of
 * Fader, Hardie & Lee 2005 and a numerical integral), Gamma-Gamma spend, complements, returns
 * referring to purchases, complaint-driven churn, duplicate identities, consent ledgers. The files
 * are read back with an RFC 4180 reader of the tests' own (csv_back.h), not with the
 * generator's code. */
#include "harness.h"
#include "csv_back.h"
#include "gen/gen.h"
#include <ctype.h>
#include <stdbool.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_hyperg.h>
#include <sys/stat.h>
#include <time.h>

static const char *dir_for(const char *name)
{
    static char d[8][300];
    static int k;
    char *p = d[k++ % 8];
    snprintf(p, 300, "%s/%s", th_tmpdir(), name);
    return p;
}

static enc_gen_counts run(const char *dir, int64_t n, uint64_t seed, enc_gen_locale loc)
{
    enc_gen_opts o = {.customers = n, .seed = seed, .out_dir = dir, .locale = loc};
    enc_gen_counts c;
    enc_err err = {0};
    memset(&c, 0, sizeof c);
    enc_rc rc = enc_gen_run(&o, &c, &err);
    CHECK_MSG(!(rc), "enc_gen_run: %s", err.msg);
    return c;
}

static const char *const FILES[6] = {"customers.csv", "products.csv", "orders.csv",
                                     "events.csv",    "feedback.csv", "consents.csv"};

/* ---- determinism, headers, shape --------------------------------------------------------- */

static void same_seed_same_bytes(void)
{
    const char *a = dir_for("det_a"), *b = dir_for("det_b"), *c = dir_for("det_c"),
               *z1 = dir_for("det_z1"), *z2 = dir_for("det_z2");
    run(a, 3000, 7, ENC_GEN_EN);
    run(b, 3000, 7, ENC_GEN_EN);
    run(c, 3000, 8, ENC_GEN_EN);
    run(z1, 1500, 7, ENC_GEN_ZH);
    run(z2, 1500, 7, ENC_GEN_ZH);
    char pa[400], pb[400], pc[400];
    for (int f = 0; f < 6; f++) {
        snprintf(pa, sizeof pa, "%s/%s", a, FILES[f]);
        snprintf(pb, sizeof pb, "%s/%s", b, FILES[f]);
        snprintf(pc, sizeof pc, "%s/%s", c, FILES[f]);
        CHECK_MSG(!(!same_file(pa, pb)), "%s differs between two runs with seed 7", FILES[f]);
        CHECK_MSG(!(same_file(pa, pc)), "%s is the same for seeds 7 and 8", FILES[f]);
        snprintf(pa, sizeof pa, "%s/%s", z1, FILES[f]);
        snprintf(pb, sizeof pb, "%s/%s", z2, FILES[f]);
        CHECK_MSG(!(!same_file(pa, pb)), "zh %s differs between two runs with seed 7", FILES[f]);
    }
}

static void headers_exact_and_columns_agree(void)
{
    static const char *const want[6] = {
        "customer_id,name,email,phone,gender,birthday,country,region,city,occupation,timezone,"
        "registered_at,tier,points",
        "sku,name,category,brand,price,cost,currency,tier,replenish_days,complements,in_stock",
        "order_id,customer_id,time,status,channel,payment,coupon,discount,currency,country,sku,"
        "name,category,brand,qty,unit_price",
        "event_id,customer_id,time,type,sku,value,session,channel",
        "feedback_id,customer_id,time,kind,score,text,order_id,sku",
        "consent_id,customer_id,channel,purpose,status,time",
    };
    /* the column of each file that holds a time, -1 none */
    static const int time_col[6] = {11, -1, 2, 2, 2, 5};
    const char *locs[2] = {dir_for("shape_en"), dir_for("shape_zh")};
    run(locs[0], 4000, 21, ENC_GEN_EN);
    run(locs[1], 4000, 21, ENC_GEN_ZH);
    for (int l = 0; l < 2; l++) {
        for (int fi = 0; fi < 6; fi++) {
            file *f = fopen_csv(locs[l], FILES[fi]);
            if (!f) {
                TH_FAIL("%s missing", FILES[fi]);
                continue;
            }
            const char *nl = strchr(f->data, '\n');
            CHECK_MSG(!(!nl || (size_t)(nl - f->data) != strlen(want[fi]) ||
                        strncmp(f->data, want[fi], strlen(want[fi]))),
                      "%s header is not \"%s\"", FILES[fi], want[fi]);
            int ncol = next_rec(f), n, bad = 0, badtime = 0, quoted = 0;
            long rows = 0;
            while ((n = next_rec(f)) != 0) {
                rows++;
                CHECK_MSG(!(n != ncol && bad++ < 3), "%s row %ld: %d fields, header has %d",
                          FILES[fi], rows, n, ncol);
                if (n == ncol && time_col[fi] >= 0) {
                    int64_t t = parse_ts(f->field[time_col[fi]]);
                    CHECK_MSG(
                        !((t < ENC_GEN_DEFAULT_START || t >= ENC_GEN_DEFAULT_END) && badtime++ < 3),
                        "%s row %ld: time '%s' outside the window", FILES[fi], rows,
                        f->field[time_col[fi]]);
                }
            }
            for (const char *p = f->data; *p; p++) quoted += *p == '"';
            CHECK_MSG(!(rows == 0), "%s has no rows", FILES[fi]);
            /* product names ("Coffee Beans, 500g"; '15.6"'), review texts, occupations need quotes
             */
            CHECK_MSG(!(l == 0 && (fi == 1 || fi == 2 || fi == 4) && quoted == 0),
                      "%s: nothing quoted", FILES[fi]);
            fclose_csv(f);
        }
    }
}

/* ---- the purchase process ---------------------------------------------------------------- */

typedef struct bgp {
    double r, alpha, a, b, t, cd;
} bgp;

/* integrand of E[X(t)] over p ~ Beta(a, b): given lambda and p, repeat purchases of a buyer still
 * active after the first order form a Poisson process stopped after each repeat with probability
 * p' = 1 - (1-p)(1-cd), so E[X | lambda, p] = (1 - exp(-lambda p' t)) / p'; averaging over
 * lambda ~ Gamma(r, alpha) gives (1 - (alpha / (alpha + p' t))^r) / p' (Fader et al. 2005, eq. 7).
 */
static double ex_integrand(double p, void *v)
{
    const bgp *b = v;
    double pp = 1 - (1 - p) * (1 - b->cd);
    double e = pp < 1e-12 ? b->r * b->t / b->alpha
                          : (1 - pow(b->alpha / (b->alpha + pp * b->t), b->r)) / pp;
    return gsl_ran_beta_pdf(p, b->a, b->b) * e;
}

static double expected_repeats(gsl_integration_workspace *w, bgp b)
{
    gsl_function F = {ex_integrand, &b};
    double res, abserr;
    gsl_integration_qags(&F, 0, 1, 0, 1e-9, 1000, w, &res, &abserr);
    return (1 - b.cd) * res;
}

static void integral_matches_closed_form(void)
{
    /* with no complaint effect the integral is the published closed form:
     * E[X(t)] = (a+b-1)/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1; t/(alpha+t))] */
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(1000);
    /* CDNOW's published estimates (weeks) and the generator's (days) */
    const bgp cases[] = {{0.243, 4.414, 0.793, 2.426, 39, 0},
                         {0.243, 4.414, 0.793, 2.426, 78, 0},
                         {0.55, 18, 0.9, 3.5, 30, 0},
                         {0.55, 18, 0.9, 3.5, 700, 0},
                         {1.2, 10, 2.5, 4.0, 100, 0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bgp b = cases[i];
        double z = b.t / (b.alpha + b.t);
        double cf = (b.a + b.b - 1) / (b.a - 1) *
                    (1 - pow(b.alpha / (b.alpha + b.t), b.r) *
                             gsl_sf_hyperg_2F1(b.r, b.b, b.a + b.b - 1, z));
        CHECK_NEAR(expected_repeats(w, b), cf, 1e-6);
    }
    /* for a > 1 and t -> infinity the number of repeats is geometric given p: E[1/p] =
     * (a+b-1)/(a-1) */
    bgp big = {1.2, 10, 2.5, 4.0, 1e7, 0};
    CHECK_NEAR(expected_repeats(w, big), (big.a + big.b - 1) / (big.a - 1), 1e-3);
    gsl_integration_workspace_free(w);
}

typedef struct order_rec {
    int64_t id, cust, ts, sub, disc;
    int status; /* 0 paid, 1 returned, 2 cancelled */
    bool complaint;
} order_rec;

typedef struct shop {
    enc_gen_counts c;
    enc_gen_params p;
    int64_t ncust;
    order_rec *ord; /* indexed by order number (O%08d); returns kept apart */
    int64_t nord;
    int64_t *paid_n, *first_ts; /* per customer */
} shop;

static void load_shop(shop *s, const char *dir, int64_t n, uint64_t seed)
{
    memset(s, 0, sizeof *s);
    s->c = run(dir, n, seed, ENC_GEN_EN);
    enc_gen_true_params(ENC_GEN_EN, &s->p);
    s->ncust = n;
    s->nord = s->c.orders + 2;
    s->ord = calloc((size_t)s->nord, sizeof *s->ord);
    s->paid_n = calloc((size_t)n, sizeof *s->paid_n);
    s->first_ts = calloc((size_t)n, sizeof *s->first_ts);
    file *f = fopen_csv(dir, "orders.csv");
    if (!f) return;
    next_rec(f);
    int64_t prev = -1;
    while (next_rec(f) == 16) {
        if (strstr(f->field[0], "-R")) continue; /* returns: checked separately */
        int64_t id = atoll(f->field[0] + 1);
        if (id <= 0 || id >= s->nord) {
            TH_FAIL("order id %s out of range", f->field[0]);
            break;
        }
        order_rec *o = &s->ord[id];
        o->id = id;
        o->cust = f->field[1][0] ? atoll(f->field[1] + 1) - 1 : -1;
        o->ts = parse_ts(f->field[2]);
        o->status = !strcmp(f->field[3], "paid") ? 0 : !strcmp(f->field[3], "returned") ? 1 : 2;
        o->disc = money(f->field[7]);
        o->sub += atoll(f->field[14]) * money(f->field[15]);
        if (id != prev && o->status == 0 && o->cust >= 0) {
            s->paid_n[o->cust]++;
            if (!s->first_ts[o->cust] || o->ts < s->first_ts[o->cust]) s->first_ts[o->cust] = o->ts;
        }
        prev = id;
    }
    fclose_csv(f);
    f = fopen_csv(dir, "feedback.csv");
    next_rec(f);
    while (next_rec(f) == 8)
        if (!strcmp(f->field[3], "complaint") && f->field[6][0])
            s->ord[atoll(f->field[6] + 1)].complaint = true;
    fclose_csv(f);
}

static void free_shop(shop *s)
{
    free(s->ord);
    free(s->paid_n);
    free(s->first_ts);
}

static shop big; /* one larger shop shared by the statistical tests */

static void repeat_buyers_match_bgnbd(void)
{
    const enc_gen_params *p = &big.p;
    double c = (1 - p->return_rate) * p->complaint_rate + p->return_rate * p->complaint_rate_ret;
    double cd = c * p->complaint_churn;
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(1000);
    static double ex_cache[1000];
    static bool have[1000];
    long buyers = 0, repeaters = 0;
    double sum_p0 = 0, var_rep = 0, sum_x = 0, sum_x2 = 0, sum_ex = 0;
    for (int64_t i = 0; i < big.ncust; i++) {
        if (!big.paid_n[i]) continue;
        buyers++;
        double T = (double)(ENC_GEN_DEFAULT_END - big.first_ts[i]) / 86400.0;
        int d = (int)T;
        if (d < 0 || d >= 1000) {
            TH_FAIL("first order outside the window");
            break;
        }
        if (!have[d]) { /* cache by day: T varies by < 1 day within */
            bgp b = {p->bg_r, p->bg_alpha, p->bg_a, p->bg_b, d + 0.5, cd};
            ex_cache[d] = expected_repeats(w, b);
            have[d] = true;
        }
        /* P(X(T) = 0) = cd + (1 - cd) (alpha / (alpha + T))^r */
        double p0 = cd + (1 - cd) * pow(p->bg_alpha / (p->bg_alpha + T), p->bg_r);
        sum_p0 += p0;
        var_rep += p0 * (1 - p0);
        long x = (long)big.paid_n[i] - 1;
        repeaters += x > 0;
        sum_x += (double)x;
        sum_x2 += (double)x * (double)x;
        sum_ex += ex_cache[d];
    }
    gsl_integration_workspace_free(w);
    double nb = (double)buyers;
    double share = repeaters / nb, want = 1 - sum_p0 / nb, se = sqrt(var_rep) / nb;
    printf("    repeat buyers %.4f, BG/NBD implies %.4f (se %.4f); buyers %ld of %lld\n", share,
           want, se, buyers, (long long)big.ncust);
    CHECK_MSG(!(fabs(share - want) > 4 * se), "repeat share %.4f vs %.4f (4 se = %.4f)", share,
              want, 4 * se);
    double mx = sum_x / nb, sd = sqrt(sum_x2 / nb - mx * mx), mex = sum_ex / nb;
    printf("    repeat orders per buyer %.4f, BG/NBD implies %.4f (se %.4f)\n", mx, mex,
           sd / sqrt(nb));
    CHECK_MSG(!(fabs(mx - mex) > 4 * sd / sqrt(nb)), "mean repeats %.4f vs %.4f", mx, mex);
    /* buyers: 1 - never_buy_share of the customers (binomial) */
    double q = 1 - p->never_buy_share, seb = sqrt(q * (1 - q) / (double)big.ncust);
    CHECK_MSG(!(fabs(nb / (double)big.ncust - q) > 4 * seb), "buyer share %.4f vs %.4f",
              nb / (double)big.ncust, q);
    CHECK_INT(buyers, big.c.buyers);
    CHECK_INT(repeaters, big.c.repeat_buyers);
}

static void spend_matches_gamma_gamma(void)
{
    /* order subtotals: mean p gamma / (q - 1) (cluster-robust se over customers), and within a
     * customer var/mean^2 = 1/p (the Gamma(p, nu) shape), checked on customers with 8+ orders */
    const enc_gen_params *p = &big.p;
    double want = p->gg_p * p->gg_gamma / (p->gg_q - 1);
    double *csum = calloc((size_t)big.ncust, sizeof *csum),
           *csq = calloc((size_t)big.ncust, sizeof *csq);
    long *cn = calloc((size_t)big.ncust, sizeof *cn);
    double tot = 0;
    long n = 0;
    for (int64_t i = 1; i < big.nord; i++) {
        const order_rec *o = &big.ord[i];
        if (!o->id || o->status != 0 || o->cust < 0) continue;
        double z = (double)o->sub / 100.0;
        csum[o->cust] += z;
        csq[o->cust] += z * z;
        cn[o->cust]++;
        tot += z;
        n++;
    }
    double m = tot / (double)n, v = 0, cv2 = 0;
    long ncv = 0;
    for (int64_t i = 0; i < big.ncust; i++) {
        if (!cn[i]) continue;
        double d = csum[i] - (double)cn[i] * m;
        v += d * d;
        if (cn[i] >= 8) {
            double mu = csum[i] / (double)cn[i],
                   s2 = (csq[i] - (double)cn[i] * mu * mu) / (double)(cn[i] - 1);
            cv2 += s2 / (mu * mu);
            ncv++;
        }
    }
    double se = sqrt(v) / (double)n;
    printf("    spend per order %.2f, Gamma-Gamma mean %.2f (se %.2f); within-customer CV^2 %.4f "
           "vs 1/p %.4f (%ld customers)\n",
           m, want, se, cv2 / (double)ncv, 1 / p->gg_p, ncv);
    CHECK_MSG(!(fabs(m - want) > 4 * se + 0.02 * want), "mean spend %.2f vs %.2f", m, want);
    CHECK_MSG(!(ncv < 100 || fabs(cv2 / (double)ncv - 1 / p->gg_p) > 0.12 / p->gg_p),
              "within-customer CV^2 %.4f vs %.4f", cv2 / (double)ncv, 1 / p->gg_p);
    free(csum);
    free(csq);
    free(cn);
}

static void complaints_raise_dropout(void)
{
    /* the share of paid orders that are a customer's last, with and without a complaint */
    long last_c = 0, n_c = 0, last_o = 0, n_o = 0;
    int64_t *last_ts = calloc((size_t)big.ncust, sizeof *last_ts);
    for (int64_t i = 1; i < big.nord; i++) {
        const order_rec *o = &big.ord[i];
        if (o->id && o->status == 0 && o->cust >= 0 && o->ts > last_ts[o->cust])
            last_ts[o->cust] = o->ts;
    }
    for (int64_t i = 1; i < big.nord; i++) {
        const order_rec *o = &big.ord[i];
        if (!o->id || o->status != 0 || o->cust < 0) continue;
        if (o->ts > ENC_GEN_DEFAULT_END - 180 * 86400LL) continue; /* leave time for a next order */
        bool last = o->ts == last_ts[o->cust];
        if (o->complaint) n_c++, last_c += last;
        else n_o++, last_o += last;
    }
    double pc = (double)last_c / (double)n_c, po = (double)last_o / (double)n_o;
    printf("    P(last order | complaint) %.3f (n %ld) vs %.3f without\n", pc, n_c, po);
    CHECK(n_c > 200);
    CHECK(pc - po > 0.15);
    free(last_ts);
}

static void coupons_and_guests(void)
{
    long coupons = 0, paid = 0, guests = 0, bad = 0;
    for (int64_t i = 1; i < big.nord; i++) {
        const order_rec *o = &big.ord[i];
        if (!o->id || o->status != 0) continue;
        paid++;
        guests += o->cust < 0;
        if (o->disc > 0) {
            coupons++;
            bad += o->disc > o->sub;
        }
        bad += o->disc < 0 || o->disc == INT64_MIN;
    }
    CHECK_INT(bad, 0);
    CHECK_INT(guests, big.c.guest_orders);
    CHECK_INT(coupons, big.c.coupon_orders);
    /* guests: Poisson(GUEST_RATE) per registered customer */
    CHECK(fabs((double)guests / (double)big.ncust - big.p.guest_orders_per_customer) <
          4 * sqrt(big.p.guest_orders_per_customer / (double)big.ncust));
    /* coupons on roughly E[Beta(a, b)] of the orders; some draws find no applicable coupon */
    double share = (double)coupons / (double)paid,
           ea = big.p.coupon_a / (big.p.coupon_a + big.p.coupon_b);
    printf("    coupon share %.3f (E[affinity] %.3f), guest orders %ld\n", share, ea, guests);
    CHECK(share > 0.5 * ea && share < 1.1 * ea);
}

static void returns_refer_to_purchases(void)
{
    const char *dir = dir_for("big");
    file *f = fopen_csv(dir, "orders.csv");
    next_rec(f);
    long nret = 0, bad = 0, lines = 0;
    char last[32] = "";
    /* products of every paid order, to check the returned sku was bought */
    while (next_rec(f) == 16) {
        if (!strstr(f->field[0], "-R")) continue;
        lines++;
        if (strcmp(last, f->field[0])) nret++;
        snprintf(last, sizeof last, "%s", f->field[0]);
        int64_t id = atoll(f->field[0] + 1);
        const order_rec *o = id > 0 && id < big.nord ? &big.ord[id] : NULL;
        int64_t cust = f->field[1][0] ? atoll(f->field[1] + 1) - 1 : -2;
        if (!o || !o->id || o->status != 0 || o->cust != cust || parse_ts(f->field[2]) <= o->ts ||
            strcmp(f->field[3], "returned") || atoll(f->field[14]) >= 0) {
            CHECK_MSG(!(bad++ < 3), "return %s does not refer to an earlier paid order of %s",
                      f->field[0], f->field[1]);
        }
    }
    fclose_csv(f);
    CHECK_INT(nret, big.c.returned_orders);
    double paid = (double)big.c.paid_orders, want = big.p.return_rate;
    /* returns falling after the window's end are not written: a little under the rate */
    printf("    returned orders %ld, %.4f of paid orders (rate %.4f)\n", nret, nret / paid, want);
    CHECK(nret / paid > 0.85 * want && nret / paid < want + 4 * sqrt(want / paid));
    CHECK(lines >= nret);
}

static void complements_are_bought_together(void)
{
    /* products.csv lists complements; in paid baskets P(complement | product) must be far above
     * P(complement): association rules exist */
    const char *dir = dir_for("big");
    file *f = fopen_csv(dir, "products.csv");
    next_rec(f);
    int np = 0;
    static int comp0[4096];
    while (next_rec(f) == 11) {
        int sku = atoi(f->field[0] + 1) - 10001;
        if (sku < 0 || sku >= 4096) continue;
        comp0[sku] = f->field[9][0] ? atoi(f->field[9] + 1) - 10001 : -1;
        if (sku + 1 > np) np = sku + 1;
    }
    fclose_csv(f);
    static long with[4096], both[4096], freq[4096];
    long baskets = 0;
    static int basket[64];
    int nb = 0;
    char cur[32] = "";
    f = fopen_csv(dir, "orders.csv");
    next_rec(f);
    for (;;) {
        int n = next_rec(f);
        bool flush = n != 16 || strcmp(cur, f->field[0]);
        if (flush && nb) {
            baskets++;
            for (int i = 0; i < nb; i++) {
                freq[basket[i]]++;
                int c = comp0[basket[i]];
                if (c < 0) continue;
                with[basket[i]]++;
                for (int j = 0; j < nb; j++) both[basket[i]] += basket[j] == c;
            }
            nb = 0;
        }
        if (n != 16) break;
        snprintf(cur, sizeof cur, "%s", f->field[0]);
        if (strcmp(f->field[3], "paid")) continue;
        int sku = atoi(f->field[10] + 1) - 10001;
        if (sku >= 0 && sku < np && nb < 64) basket[nb++] = sku;
    }
    fclose_csv(f);
    double conf = 0, lift = 0;
    int rules = 0;
    for (int i = 0; i < np; i++) {
        if (with[i] < 30 || comp0[i] < 0) continue;
        double cf = (double)both[i] / (double)with[i];
        conf += cf;
        lift += cf / ((double)freq[comp0[i]] / (double)baskets);
        rules++;
    }
    printf(
        "    %d products with complements bought 30+ times: mean confidence %.3f, mean lift %.1f\n",
        rules, conf / rules, lift / rules);
    CHECK(rules > 50);
    CHECK(conf / rules > 0.2);
    CHECK(lift / rules > 10);
}

/* a phone as digits with its country code: separators and "(0)" dropped, bare Chinese mobiles
 * (11 digits 1[3-9]...) given 86 when zh */
static void norm_phone(const char *s, bool zh, char *out)
{
    size_t k = 0;
    for (; *s && k < 30; s++)
        if (isdigit((unsigned char)*s)) out[k++] = *s;
    out[k] = 0;
    if (k == 13 && !strncmp(out, "4407", 4)) memmove(out + 2, out + 3, 11);
    if (zh && k == 11 && out[0] == '1') {
        memmove(out + 2, out, 12);
        out[0] = '8';
        out[1] = '6';
    }
}

static void duplicate_identities_counted(void)
{
    /* customers whose phone (digits, +86 added to bare Chinese mobiles) or email (lower case)
     * was seen on an earlier customer; every such customer is a deliberate duplicate */
    const char *dir = dir_for("big");
    file *f = fopen_csv(dir, "customers.csv");
    next_rec(f);
    size_t cap = 1 << 22;
    uint64_t *tab = calloc(cap, sizeof *tab);
    long dup_p = 0, dup_e = 0, dup_b = 0;
    while (next_rec(f) == 14) {
        char ph[64] = "", em[160] = "";
        norm_phone(f->field[3], false, ph);
        size_t k = 0;
        for (const char *s = f->field[2]; *s && k < 150; s++)
            em[k++] = (char)tolower((unsigned char)*s);
        em[k] = 0;
        bool seen[2] = {false, false};
        const char *keys[2] = {ph, em};
        for (int j = 0; j < 2; j++) {
            if (!keys[j][0]) continue;
            uint64_t h = 1469598103934665603ULL ^ (uint64_t)j;
            for (const char *s = keys[j]; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
            h |= 1;
            size_t i = h & (cap - 1);
            while (tab[i] && tab[i] != h) i = (i + 1) & (cap - 1);
            seen[j] = tab[i] == h;
            tab[i] = h;
        }
        if (seen[0] && seen[1]) dup_b++;
        else if (seen[0]) dup_p++;
        else if (seen[1]) dup_e++;
    }
    fclose_csv(f);
    free(tab);
    printf("    duplicates: phone %ld, email %ld, both %ld\n", dup_p, dup_e, dup_b);
    CHECK_INT(dup_p, big.c.dup_phone);
    CHECK_INT(dup_e, big.c.dup_email);
    CHECK_INT(dup_b, big.c.dup_both);
    double tot = (double)(dup_p + dup_e + dup_b), want = big.p.duplicate_share * (double)big.ncust;
    CHECK(fabs(tot - want) < 5 * sqrt(want));
}

static void consents_are_a_ledger(void)
{
    const char *dir = dir_for("big");
    file *f = fopen_csv(dir, "consents.csv");
    next_rec(f);
    char key[64] = "";
    int last_status = -1;
    int64_t last_t = 0;
    long bad = 0, revoked = 0, rows = 0;
    while (next_rec(f) == 6) {
        rows++;
        char k[64];
        snprintf(k, sizeof k, "%s/%s", f->field[1], f->field[2]);
        int st = !strcmp(f->field[4], "granted") ? 1 : !strcmp(f->field[4], "revoked") ? 0 : -1;
        int64_t t = parse_ts(f->field[5]);
        bool fresh = strcmp(k, key) != 0;
        if (strcmp(f->field[3], "marketing") || st < 0 || t < 0) bad++;
        else if (fresh && st != 1) bad++;                            /* first entry grants */
        else if (!fresh && (st == last_status || t < last_t)) bad++; /* alternates, in time order */
        revoked += st == 0;
        snprintf(key, sizeof key, "%s", k);
        last_status = st;
        last_t = t;
    }
    fclose_csv(f);
    CHECK_INT(bad, 0);
    CHECK_INT(revoked, big.c.revocations);
    CHECK(revoked > rows / 40);
}

static void events_hold_abandoned_carts(void)
{
    /* sessions with a cart_add and no order of that customer within 6 hours after */
    const char *dir = dir_for("big");
    /* per customer: sorted times of their paid orders */
    int64_t **ots = calloc((size_t)big.ncust, sizeof *ots);
    int *on = calloc((size_t)big.ncust, sizeof *on);
    for (int64_t i = 1; i < big.nord; i++) {
        const order_rec *o = &big.ord[i];
        if (!o->id || o->status != 0 || o->cust < 0) continue;
        ots[o->cust] = realloc(ots[o->cust], (size_t)(on[o->cust] + 1) * sizeof **ots);
        ots[o->cust][on[o->cust]++] = o->ts;
    }
    file *f = fopen_csv(dir, "events.csv");
    next_rec(f);
    static const char *types[] = {"view",   "click", "favorite", "cart_add", "cart_remove",
                                  "search", "share", "comment",  "consult"};
    long seen[9] = {0}, abandoned = 0, bad = 0;
    while (next_rec(f) == 8) {
        int t = -1;
        for (int k = 0; k < 9; k++)
            if (!strcmp(f->field[3], types[k])) t = k;
        if (t < 0) {
            CHECK_MSG(!(bad++ < 3), "event type '%s'", f->field[3]);
            continue;
        }
        seen[t]++;
        if (t != 3) continue;
        int64_t c = atoll(f->field[1] + 1) - 1, ts = parse_ts(f->field[2]);
        bool followed = false;
        for (int k = 0; k < on[c]; k++) followed |= ots[c][k] >= ts && ots[c][k] - ts < 6 * 3600;
        abandoned += !followed;
    }
    fclose_csv(f);
    for (int k = 0; k < 9; k++) CHECK_MSG(!(!seen[k]), "no '%s' events", types[k]);
    printf("    cart_add events with no order within 6 h: %ld (generator's abandoned carts %lld)\n",
           abandoned, (long long)big.c.abandoned_carts);
    CHECK(abandoned >= big.c.abandoned_carts * 8 / 10);
    CHECK(abandoned > 0);
    for (int64_t i = 0; i < big.ncust; i++) free(ots[i]);
    free(ots);
    free(on);
}

static void replenishment_follows_cycles(void)
{
    /* the same consumable re-bought by the same customer: intervals mostly beyond 0.75 x cycle */
    const char *dir = dir_for("big");
    file *f = fopen_csv(dir, "products.csv");
    next_rec(f);
    static int cycle[4096];
    while (next_rec(f) == 11) cycle[atoi(f->field[0] + 1) - 10001] = atoi(f->field[8]);
    fclose_csv(f);
    /* last purchase time per (customer, sku): customers' orders are contiguous in the file */
    f = fopen_csv(dir, "orders.csv");
    next_rec(f);
    static int64_t lastbuy[4096];
    static char lastorder[4096][16];
    int64_t cur = -1;
    long pairs = 0, early = 0;
    double ratio_sum = 0;
    while (next_rec(f) == 16) {
        if (strcmp(f->field[3], "paid") || !f->field[1][0]) continue;
        int64_t c = atoll(f->field[1] + 1);
        if (c != cur) {
            memset(lastbuy, 0, sizeof lastbuy);
            cur = c;
        }
        int sku = atoi(f->field[10] + 1) - 10001;
        if (sku < 0 || sku >= 4096 || !cycle[sku]) continue;
        int64_t ts = parse_ts(f->field[2]);
        if (lastbuy[sku] && strcmp(lastorder[sku], f->field[0])) {
            double r = (double)(ts - lastbuy[sku]) / 86400.0 / cycle[sku];
            pairs++;
            early += r < 0.7; /* 0.75 of the latent time, less the placement within a day */
            ratio_sum += r;
        }
        lastbuy[sku] = ts;
        snprintf(lastorder[sku], sizeof lastorder[sku], "%s", f->field[0]);
    }
    fclose_csv(f);
    printf("    consumable re-buys %ld, %.1f%% before 0.7 cycle, mean interval %.2f cycles\n",
           pairs, 100.0 * early / pairs, ratio_sum / pairs);
    CHECK(pairs > 1000);
    CHECK((double)early / pairs < 0.25);  /* early re-buys only when picked as a new item */
    CHECK(pairs >= big.c.replenishments); /* every replenishment line is a re-buy */
}

static void chinese_locale(void)
{
    const char *dir = dir_for("shape_zh"); /* written by headers_exact_and_columns_agree */
    file *f = fopen_csv(dir, "customers.csv");
    if (!f) {
        TH_FAIL("%s/customers.csv missing", dir);
        return;
    }
    next_rec(f);
    long bad_phone = 0, cjk_names = 0, rows = 0, cn = 0;
    while (next_rec(f) == 14) {
        rows++;
        const char *ph = f->field[3];
        char d[40];
        norm_phone(ph, true, d);
        const char *m = d + 2;
        if (ph[0] && !(strlen(d) == 13 && !strncmp(d, "86", 2) && m[0] == '1' && m[1] >= '3' &&
                       m[1] <= '9')) {
            CHECK_MSG(!(bad_phone++ < 3), "not a Chinese mobile: %s", ph);
        }
        /* a CJK ideograph is three UTF-8 bytes starting 0xE4..0xE9 */
        unsigned char c0 = (unsigned char)f->field[1][0];
        cjk_names += c0 >= 0xE4 && c0 <= 0xE9 && strlen(f->field[1]) >= 6;
        cn += !strcmp(f->field[6], "CN");
    }
    fclose_csv(f);
    CHECK_INT(bad_phone, 0);
    CHECK_INT(cjk_names, rows);
    CHECK_INT(cn, rows);
    f = fopen_csv(dir, "orders.csv");
    next_rec(f);
    long cny = 0, n = 0;
    while (next_rec(f) == 16) {
        n++;
        cny += !strcmp(f->field[8], "CNY");
    }
    fclose_csv(f);
    CHECK_INT(cny, n);
    f = fopen_csv(dir, "products.csv");
    next_rec(f);
    CHECK(next_rec(f) == 11 && !strcmp(f->field[2], "数码/相机"));
    fclose_csv(f);
}

static void options_are_checked(void)
{
    enc_err err = {0};
    enc_gen_opts o = {.customers = 0, .seed = 1, .out_dir = dir_for("opt")};
    CHECK_INT(enc_gen_run(&o, NULL, &err), ENC_EUSAGE);
    o.customers = 10;
    o.start = ENC_GEN_DEFAULT_START;
    o.end = ENC_GEN_DEFAULT_START + 3 * 86400;
    CHECK_INT(enc_gen_run(&o, NULL, &err), ENC_EUSAGE);
    o.end = ENC_GEN_DEFAULT_START + 3 * 86400 + 5; /* not midnight */
    CHECK_INT(enc_gen_run(&o, NULL, &err), ENC_EUSAGE);
    /* an output "directory" that is a file */
    char path[400];
    snprintf(path, sizeof path, "%s/plainfile", th_tmpdir());
    FILE *fp = fopen(path, "w");
    fclose(fp);
    o.start = o.end = 0;
    o.out_dir = path;
    CHECK_INT(enc_gen_run(&o, NULL, &err), ENC_EIO);
    int64_t t;
    CHECK(enc_gen_parse_date("2024-02-29", &t) && t == 1709164800);
    CHECK(!enc_gen_parse_date("2023-02-29", &t));
    CHECK(!enc_gen_parse_date("2024-13-01", &t));
    CHECK(!enc_gen_parse_date("2024-1-01", &t));
    CHECK(!enc_gen_parse_date("2024-01-01x", &t));
    CHECK(!enc_gen_parse_date("", &t));
    CHECK(enc_gen_parse_date("2000-12-31", &t) && t == 978220800);
}

static void custom_window(void)
{
    const char *dir = dir_for("window");
    int64_t s, e;
    enc_gen_parse_date("2022-03-01", &s);
    enc_gen_parse_date("2022-06-01", &e);
    enc_gen_opts o = {.customers = 800, .seed = 5, .out_dir = dir, .start = s, .end = e};
    enc_err err = {0};
    enc_gen_counts c;
    CHECK_INT(enc_gen_run(&o, &c, &err), ENC_OK);
    static const int time_col[6] = {11, -1, 2, 2, 2, 5};
    long bad = 0;
    for (int fi = 0; fi < 6; fi++) {
        if (time_col[fi] < 0) continue;
        file *f = fopen_csv(dir, FILES[fi]);
        next_rec(f);
        while (next_rec(f) > 0) {
            int64_t t = parse_ts(f->field[time_col[fi]]);
            CHECK_MSG(!((t < s || t >= e) && bad++ < 3), "%s: %s outside the window", FILES[fi],
                      f->field[time_col[fi]]);
        }
        fclose_csv(f);
    }
    CHECK(c.paid_orders > 800);
}

int main(void)
{
    RUN(same_seed_same_bytes);
    RUN(headers_exact_and_columns_agree);
    RUN(integral_matches_closed_form);
    load_shop(&big, dir_for("big"), 30000, 11);
    RUN(repeat_buyers_match_bgnbd);
    RUN(spend_matches_gamma_gamma);
    RUN(complaints_raise_dropout);
    RUN(coupons_and_guests);
    RUN(returns_refer_to_purchases);
    RUN(complements_are_bought_together);
    RUN(duplicate_identities_counted);
    RUN(consents_are_a_ledger);
    RUN(events_hold_abandoned_carts);
    RUN(replenishment_follows_cycles);
    free_shop(&big);
    RUN(chinese_locale);
    RUN(options_are_checked);
    RUN(custom_window);
    return TEST_SUMMARY();
}
