/* cmd_recommend.c — `encore recommend`: recommendations for one customer (personal, cross-sell,
 * up-sell, cart complements) with a score and a reason; `--all` for every customer (timed);
 * `evaluate --split DATE` for the offline evaluation against the baselines. The store is read
 * once into a snapshot, the model (src/recommend/recommend.h) is built from it, then each
 * customer is a call into the model. */
#include "base/utf8.h"
#include "base/buf.h"
#include "base/csv.h"
#include "base/buf.h"
#include "base/file.h"
#include "base/datetime.h"
#include "base/json.h"
#include "base/mem.h"
#include "cli/basket_cli.h"
#include "cli/opts.h"
#include "cli/intel_cli.h"
#include "report/custview.h"
#include "ingest/clean.h"
#include "recommend/eval.h"
#include "recommend/recommend.h"
#include "store/store.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const enc_usage usage = {
    .name = "recommend",
    .synopsis = "CUSTOMER_ID [--kind K] [--n 10] [--as-of DATE] [--json] [options]\n"
                "--all [--kind K] [--n 10] [--out FILE.csv] [--json] [options]\n"
                "evaluate --split DATE [--k 10] [--end DATE] [--json] [options]",
    .about = "Products to offer a customer, each with a score and the reason. CUSTOMER_ID is the\n"
             "merchant's customer id, an email, a phone number, or #N (internal id). --all: every\n"
             "customer, a timing summary; --out FILE.csv writes the lists\n"
             "(customer_id,rank,sku,score,reason,anchor). evaluate: the methods judged on a time\n"
             "split (docs/recommend.md).\n",
    .min_args = 0,
    .max_args = 2,
    .late_setup = true,
};

typedef struct args {
    enc_rec_opts o;
    enc_rec_kind kind;
    long n, k;
    int64_t as_of, split, end;
    bool json, all, eval, has_split;
    const char *out, *who;
    const char **xsku, **xcat;
    size_t nxsku, nxcat;
    char **owned; /* strdup'ed list pieces */
    size_t nowned;
} args;

/* appends the comma-separated pieces of s to *list */
static void add_list(args *a, const char ***list, size_t *n, const char *s)
{
    const char *p = s;
    for (;;) {
        const char *q = strchr(p, ',');
        size_t len = q ? (size_t)(q - p) : strlen(p);
        if (len) {
            char *v = enc_xstrndup(p, len);
            a->owned = enc_xrealloc(a->owned, (a->nowned + 1) * sizeof *a->owned);
            a->owned[a->nowned++] = v;
            *list = enc_xrealloc(*list, (*n + 1) * sizeof **list);
            (*list)[(*n)++] = v;
        }
        if (!q) break;
        p = q + 1;
    }
}

static void args_free(args *a)
{
    for (size_t i = 0; i < a->nowned; i++) free(a->owned[i]);
    free(a->owned);
    free(a->xsku);
    free(a->xcat);
}

/* parses argv into a; returns ENC_OPTS_GO to go on (the store open), else an exit code */
static int parse(enc_cli *cli, int argc, char **argv, args *a)
{
    enc_rec_defaults(&a->o);
    a->kind = ENC_REC_PERSONAL;
    a->n = 10;
    a->k = 10;
    a->as_of = a->end = INT64_MAX;
    const char *kind = NULL, *support = NULL;
    long per_top = a->o.per_top, top_m = a->o.sim.top_m, buyers = a->o.up.min_buyers,
         threads = a->o.sim.threads;
    bool end_given = false;
    enc_strlist xsku = {0}, xcat = {0};
    const enc_opt opts[] = {
        OPT_STRING("kind", &kind, "K",
                   "personal (default): from everything the customer bought, carted,\n"
                   "favourited and viewed (item-to-item and rules), popular products\n"
                   "after; cross: what goes with their last order; up: better models of\n"
                   "what they looked at or bought; cart: what completes their abandoned\n"
                   "cart; popular, rules, itemsim: the evaluation's baselines"),
        OPT_INT("n", &a->n, "N", 1, 10000, "how many (default 10)"),
        OPT_TIME("as-of", &a->as_of, NULL, "the store as it was before TIME"),
        OPT_BOOL("all", &a->all, "every customer"),
        OPT_STRING("out", &a->out, "FILE.csv", "with --all: write the lists to FILE.csv"),
        OPT_TIME("split", &a->split, &a->has_split,
                 "evaluate: hide purchases from TIME on, build from what came before"),
        OPT_TIME("end", &a->end, &end_given,
                 "evaluate: the held-out window ends before TIME (default: everything)"),
        OPT_INT("k", &a->k, "K", 1, 10000, "evaluate: list length evaluated (default 10)"),
        OPT_STRING_LIST("exclude-sku", &xsku, "S",
                        "never recommend S (repeat, or a comma-separated list)"),
        OPT_STRING_LIST("exclude-category", &xcat, "C",
                        "never recommend products in category C or under it (repeat)"),
        OPT_BOOL("include-out-of-stock", &a->o.include_out_of_stock,
                 "recommend products marked out of stock too"),
        OPT_INT("per-category", &per_top, "N", 0, 1000000,
                "at most N products of one top category in a list (default 5;\n0: no limit)"),
        OPT_DOUBLE("half-life", &a->o.sim.half_life_days, "DAYS", 0, 1e6,
                   "time decay of interactions (default 180; 0: none)"),
        OPT_INT("neighbours", &top_m, "M", 1, 10000,
                "similar products kept per product (default 20)"),
        OPT_STRING("rule-support", &support, "S",
                   "rules' minimum support: a count (default 5) or a fraction"),
        OPT_DOUBLE("rule-confidence", &a->o.rule_confidence, "C", 0, 1,
                   "rules' minimum confidence (default 0.05)"),
        OPT_DOUBLE("rules-weight", &a->o.rules_weight, "W", 0, 1e6,
                   "personal: weight of rules beside item-to-item (default 0.5)"),
        OPT_DOUBLE("max-step", &a->o.up.max_step, "X", 1, 1e6,
                   "up-sell: at most X times the price (default 2)"),
        OPT_INT("min-buyers", &buyers, "N", 0, INT32_MAX,
                "up-sell: alternatives bought by at least N customers (default 3)"),
        OPT_INT("threads", &threads, "N", 1, 64, "threads for the similarity build (default 2)"),
        OPT_END(),
    };
    int rest;
    int x = enc_opts_parse(cli, &usage, opts, argc, argv, &rest);
    if (x != ENC_OPTS_GO) return x;
    a->json = cli->json;
    if (kind && !enc_rec_kind_parse(kind, &a->kind))
        return enc_opts_error(cli, &usage, opts, "--kind: unknown kind '%s'", kind);
    if (support && !enc_support_parse(support, &a->o.rule_support))
        return enc_opts_error(cli, &usage, opts,
                              "--rule-support: '%s' is neither a fraction nor a count", support);
    a->o.per_top = (int32_t)per_top;
    a->o.sim.top_m = (int32_t)top_m;
    a->o.up.min_buyers = (int32_t)buyers;
    a->o.sim.threads = (int)threads;
    for (int i = 0; i < xsku.n; i++) add_list(a, &a->xsku, &a->nxsku, xsku.v[i]);
    for (int i = 0; i < xcat.n; i++) add_list(a, &a->xcat, &a->nxcat, xcat.v[i]);
    a->o.exclude_sku = a->xsku;
    a->o.n_exclude_sku = a->nxsku;
    a->o.exclude_category = a->xcat;
    a->o.n_exclude_category = a->nxcat;
    if (rest > 0 && !strcmp(argv[1], "evaluate")) {
        a->eval = true;
        if (rest > 1) return enc_opts_error(cli, &usage, opts, "evaluate takes options only");
        if (!a->has_split) return enc_opts_error(cli, &usage, opts, "evaluate needs --split DATE");
        if (a->end <= a->split)
            return enc_opts_error(cli, &usage, opts, "--end is not after --split");
        return enc_opts_setup(cli, &usage);
    }
    if (a->has_split || end_given)
        return enc_opts_error(cli, &usage, opts, "--split and --end are for evaluate");
    if (a->all) {
        if (rest) return enc_opts_error(cli, &usage, opts, "--all takes no CUSTOMER_ID");
        return enc_opts_setup(cli, &usage);
    }
    if (a->out) return enc_opts_error(cli, &usage, opts, "--out is for --all");
    if (rest != 1)
        return enc_opts_error(cli, &usage, opts,
                              rest ? "one customer at a time" : "needs a CUSTOMER_ID");
    a->who = argv[1];
    return enc_opts_setup(cli, &usage);
}

static void jw_time(enc_jw *w, const char *key, int64_t t)
{
    enc_jw_key(w, key);
    if (t == INT64_MAX || t == ENC_NO_TIME) {
        enc_jw_null(w);
        return;
    }
    char buf[40];
    enc_fmt_datetime(buf, sizeof buf, t);
    enc_jw_str(w, buf);
}

static double now_s(void) { return enc__now(); }
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void jw_metrics(enc_jw *w, const char *key, const enc_eval_metrics *m)
{
    if (key) {
        enc_jw_key(w, key);
        enc_jw_obj(w);
    }
    enc_jw_knum(w, "hit_rate", m->hit_rate);
    enc_jw_knum(w, "recall", m->recall);
    enc_jw_knum(w, "map", m->map);
    enc_jw_knum(w, "coverage", m->coverage);
    enc_jw_kint(w, "hits", (int64_t)m->hits);
    enc_jw_kint(w, "products", (int64_t)m->products);
    if (key) enc_jw_end(w);
}

static void jw_latency(enc_jw *w, const char *key, const enc_latency *l)
{
    enc_jw_key(w, key);
    enc_jw_obj(w);
    enc_jw_knum(w, "mean", l->mean);
    enc_jw_knum(w, "p50", l->p50);
    enc_jw_knum(w, "p99", l->p99);
    enc_jw_knum(w, "max", l->max);
    enc_jw_end(w);
}

static void jw_model(enc_jw *w, const enc_rec_model *m, double build)
{
    enc_jw_key(w, "model");
    enc_jw_obj(w);
    enc_jw_knum(w, "build_seconds", build);
    enc_jw_knum(w, "similarity_seconds", m->sim_seconds);
    enc_jw_knum(w, "rules_seconds", m->rules_seconds);
    enc_jw_knum(w, "upsell_seconds", m->up_seconds);
    enc_jw_kint(w, "customers", (int64_t)m->s->ncust);
    enc_jw_kint(w, "products", (int64_t)m->s->nprod);
    enc_jw_kint(w, "neighbours", m->sim.nb_off[m->sim.nprod]);
    enc_jw_kint(w, "rules", (int64_t)m->n_rules);
    enc_jw_kint(w, "rule_min_count", m->rule_min_count);
    enc_jw_kint(w, "upsell_pairs", m->up.off[m->up.nprod]);
    enc_jw_kint(w, "blocked", (int64_t)m->n_blocked);
    enc_jw_knum(w, "half_life_days", m->o.sim.half_life_days);
    enc_jw_end(w);
}

static int run_evaluate(enc_cli *cli, args *a)
{
    enc_err err = {0};
    enc_snapshot *train = NULL, *full = NULL;
    enc_rc rc = enc_snapshot_load(cli->st, a->split, &train, &err);
    if (!rc) rc = enc_snapshot_load(cli->st, a->end, &full, &err);
    enc_rec_model m = {0};
    double t0 = now_s(), build = 0;
    if (!rc) rc = enc_rec_model_build(train, &a->o, &m, &err);
    build = now_s() - t0;
    enc_eval_result r;
    const enc_rec_kind methods[] = {ENC_REC_PERSONAL, ENC_REC_POPULAR, ENC_REC_RULES,
                                    ENC_REC_ITEMSIM};
    if (!rc) rc = enc_eval_run(&m, full, (int)a->k, methods, 4, &r, &err);
    if (rc) {
        enc_rec_model_free(&m);
        enc_snapshot_free(train);
        enc_snapshot_free(full);
        return enc_cli_fail_err("recommend", &err);
    }
    const enc_eval_metrics *P = &r.m[ENC_REC_PERSONAL], *B = &r.m[ENC_REC_POPULAR];
    double lift = B->hit_rate > 0 ? P->hit_rate / B->hit_rate : NAN;
    enc_buf out = {0};
    if (a->json) {
        enc_jw w;
        enc_jw_init(&w, &out);
        enc_jw_obj(&w);
        jw_time(&w, "split", r.split);
        jw_time(&w, "end", a->end);
        enc_jw_kint(&w, "k", r.k);
        enc_jw_kint(&w, "customers", (int64_t)r.customers);
        enc_jw_kint(&w, "catalogue", (int64_t)r.catalogue);
        enc_jw_knum(&w, "heldout_mean", r.heldout_mean);
        jw_metrics(&w, NULL, P);
        jw_metrics(&w, "baseline_popularity", B);
        jw_metrics(&w, "baseline_rules", &r.m[ENC_REC_RULES]);
        jw_metrics(&w, "baseline_itemsim", &r.m[ENC_REC_ITEMSIM]);
        enc_jw_knum(&w, "hit_rate_vs_popularity", lift);
        jw_model(&w, &m, build);
        jw_latency(&w, "latency_us", &r.wall);
        jw_latency(&w, "cpu_us", &r.cpu);
        enc_jw_end(&w);
    } else {
        char sd[40];
        enc_fmt_date(sd, sizeof sd, r.split);
        enc_buf_printf(&out,
                       "split %s, K = %d: %zu customers with history before and new purchases "
                       "after (%.1f held-out products each)\n\n",
                       sd, r.k, r.customers, r.heldout_mean);
        enc_buf_printf(&out, "%-22s %9s %9s %9s %9s\n", "method", "hit rate", "recall", "MAP",
                       "coverage");
        static const struct {
            enc_rec_kind k;
            const char *name;
        } rows[] = {{ENC_REC_PERSONAL, "personal"},
                    {ENC_REC_POPULAR, "popularity (baseline)"},
                    {ENC_REC_RULES, "rules only"},
                    {ENC_REC_ITEMSIM, "item-to-item only"}};
        for (size_t i = 0; i < 4; i++) {
            const enc_eval_metrics *x = &r.m[rows[i].k];
            enc_buf_printf(&out, "%-22s %9.4f %9.4f %9.4f %9.4f\n", rows[i].name, x->hit_rate,
                           x->recall, x->map, x->coverage);
        }
        if (isfinite(lift))
            enc_buf_printf(&out, "\npersonal hit rate = %.2f x popularity's; ", lift);
        else enc_buf_printf(&out, "\npopularity has no hit to compare with; ");
        enc_buf_printf(&out,
                       "model built in %.3f s; one customer in %.1f us on average (p99 %.1f us;"
                       " CPU %.1f us, p99 %.1f us)",
                       build, r.wall.mean, r.wall.p99, r.cpu.mean, r.cpu.p99);
    }
    enc_cli_print(&out);
    enc_buf_free(&out);
    enc_rec_model_free(&m);
    enc_snapshot_free(train);
    enc_snapshot_free(full);
    return ENC_EXIT_OK;
}

/* RFC 4180, formulas neutralised (base/csv.h): skus and ids come from merchants' files */
static void csv_field(FILE *f, const char *s)
{
    enc_buf b = {0};
    enc_csv_cell(&b, s, strlen(s));
    if (b.len) fwrite(b.p, 1, b.len, f);
    enc_buf_free(&b);
}

static int run_all(const args *a, const enc_rec_model *m, double load, double build)
{
    const enc_snapshot *s = m->s;
    FILE *f = NULL;
    if (a->out && !(f = enc_fopen_private(a->out, false))) /* 0600 */
        return enc_cli_fail("recommend", "%s: %s", a->out, strerror(errno));
    if (f) fputs("customer_id,rank,sku,score,reason,anchor\n", f);
    enc_rec_ws *w = enc_rec_ws_new(m);
    enc_rec_item *top = enc_xmalloc((size_t)a->n * sizeof *top);
    double *lat = enc_xmalloc((s->ncust ? s->ncust : 1) * sizeof *lat);
    double *cpu = enc_xmalloc((s->ncust ? s->ncust : 1) * sizeof *cpu);
    size_t items = 0, nonempty = 0;
    char why[512], ext[32];
    for (size_t c = 0; c < s->ncust; c++) {
        double t0 = now_s(), c0 = cpu_s();
        size_t n = enc_rec_recommend(m, a->kind, c, w, (size_t)a->n, top);
        cpu[c] = (cpu_s() - c0) * 1e6;
        lat[c] = (now_s() - t0) * 1e6;
        items += n;
        nonempty += n > 0;
        if (!f) continue;
        const char *id = s->cust_ext[c];
        if (!id) {
            snprintf(ext, sizeof ext, "#%lld", (long long)s->cust_id[c]);
            id = ext;
        }
        for (size_t i = 0; i < n; i++) {
            enc_rec_reason_text(m, &top[i], why, sizeof why);
            csv_field(f, id);
            fprintf(f, ",%zu,", i + 1);
            csv_field(f, s->prod_sku[top[i].prod]);
            fprintf(f, ",%.6g,", top[i].score);
            csv_field(f, why);
            fputc(',', f);
            if (top[i].anchor >= 0) csv_field(f, s->prod_sku[top[i].anchor]);
            fputc('\n', f);
        }
    }
    bool werr = f && (ferror(f) | (fclose(f) != 0));
    size_t nc = s->ncust;
    enc_latency wall, cl;
    enc_latency_summary(lat, nc, &wall);
    enc_latency_summary(cpu, nc, &cl);
    enc_buf out = {0};
    if (a->json) {
        enc_jw jw;
        enc_jw_init(&jw, &out);
        enc_jw_obj(&jw);
        enc_jw_kstr(&jw, "kind", enc_rec_kind_name(a->kind));
        jw_time(&jw, "as_of", a->as_of);
        enc_jw_kint(&jw, "n", a->n);
        enc_jw_kint(&jw, "customers", (int64_t)nc);
        enc_jw_kint(&jw, "customers_with_items", (int64_t)nonempty);
        enc_jw_kint(&jw, "items", (int64_t)items);
        enc_jw_knum(&jw, "load_seconds", load);
        jw_model(&jw, m, build);
        jw_latency(&jw, "latency_us", &wall);
        jw_latency(&jw, "cpu_us", &cl);
        if (a->out) enc_jw_kstr(&jw, "out", a->out);
        enc_jw_end(&jw);
    } else {
        enc_buf_printf(&out,
                       "%s recommendations for %zu customers (%zu with some): %zu items\n"
                       "store read in %.3f s, model built in %.3f s; per customer %.1f us mean, "
                       "%.1f us p99, %.1f us max (CPU %.1f us mean, %.1f us p99)",
                       enc_rec_kind_name(a->kind), nc, nonempty, items, load, build, wall.mean,
                       wall.p99, wall.max, cl.mean, cl.p99);
        if (a->out) enc_buf_printf(&out, "\nwritten to %s", a->out);
    }
    enc_cli_print(&out);
    enc_buf_free(&out);
    free(lat);
    free(cpu);
    free(top);
    enc_rec_ws_free(w);
    if (werr) return enc_cli_fail("recommend", "%s: write failed", a->out);
    return ENC_EXIT_OK;
}

static int run_one(const args *a, const enc_rec_model *m, ptrdiff_t c, double build)
{
    const enc_snapshot *s = m->s;
    enc_rec_ws *w = enc_rec_ws_new(m);
    enc_rec_item *top = enc_xmalloc((size_t)a->n * sizeof *top);
    double t0 = now_s();
    size_t n = enc_rec_recommend(m, a->kind, (size_t)c, w, (size_t)a->n, top);
    double call = now_s() - t0;
    int32_t cart[64];
    size_t ncart = a->kind == ENC_REC_CART ? enc_rec_abandoned_cart(m, (size_t)c, w, cart, 64) : 0;
    if (ncart > 64) ncart = 64;
    char why[512];
    enc_buf out = {0};
    const char *ext = s->cust_ext[c];
    if (a->json) {
        enc_jw jw;
        enc_jw_init(&jw, &out);
        enc_jw_obj(&jw);
        enc_jw_kstr(&jw, "customer", ext);
        enc_jw_kint(&jw, "id", s->cust_id[c]);
        enc_jw_kstr(&jw, "kind", enc_rec_kind_name(a->kind));
        jw_time(&jw, "as_of", a->as_of);
        if (a->kind == ENC_REC_CART) {
            enc_jw_key(&jw, "cart");
            enc_jw_arr(&jw);
            for (size_t i = 0; i < ncart; i++) enc_jw_str(&jw, s->prod_sku[cart[i]]);
            enc_jw_end(&jw);
        }
        enc_jw_key(&jw, "items");
        enc_jw_arr(&jw);
        for (size_t i = 0; i < n; i++) {
            const enc_rec_item *it = &top[i];
            enc_rec_reason_text(m, it, why, sizeof why);
            enc_jw_obj(&jw);
            enc_jw_kstr(&jw, "sku", s->prod_sku[it->prod]);
            enc_jw_kstr(&jw, "name", s->prod_name[it->prod]);
            enc_jw_kstr(&jw, "category",
                        s->prod_cat[it->prod] >= 0 ? s->cats.names[s->prod_cat[it->prod]] : NULL);
            enc_jw_knum(&jw, "score", it->score);
            enc_jw_kstr(&jw, "reason", why);
            enc_jw_kstr(&jw, "reason_code", enc_rec_reason_name((enc_rec_reason)it->reason));
            enc_jw_kstr(&jw, "anchor", it->anchor >= 0 ? s->prod_sku[it->anchor] : NULL);
            enc_jw_end(&jw);
        }
        enc_jw_end(&jw);
        enc_jw_knum(&jw, "build_seconds", build);
        enc_jw_knum(&jw, "seconds", call);
        enc_jw_end(&jw);
    } else {
        char idb[32];
        if (!ext) snprintf(idb, sizeof idb, "#%lld", (long long)s->cust_id[c]);
        enc_buf_printf(&out,
                       "%s recommendations for %s: %zu (model %.3f s, this customer %.1f us)\n",
                       enc_rec_kind_name(a->kind), ext ? ext : idb, n, build, call * 1e6);
        if (a->kind == ENC_REC_CART) {
            enc_buf_printf(&out, "abandoned cart:");
            for (size_t i = 0; i < ncart; i++) enc_buf_printf(&out, " %s", s->prod_sku[cart[i]]);
            if (!ncart) enc_buf_printf(&out, " (none)");
            enc_buf_addc(&out, '\n');
        }
        if (n) {
            size_t ws = 3, wn = 4;
            for (size_t i = 0; i < n; i++) {
                size_t l1 =
                    enc_utf8_width(s->prod_sku[top[i].prod], strlen(s->prod_sku[top[i].prod]));
                const char *nm = s->prod_name[top[i].prod] ? s->prod_name[top[i].prod] : "";
                size_t l2 = enc_utf8_width(nm, strlen(nm));
                if (l1 > ws) ws = l1;
                if (l2 > wn) wn = l2 > 48 ? 48 : l2;
            }
            enc_buf_printf(&out, "\n %3s  %-*s  %-*s  %8s  %s\n", "#", (int)ws, "sku", (int)wn,
                           "name", "score", "reason");
            for (size_t i = 0; i < n; i++) {
                const enc_rec_item *it = &top[i];
                const char *sku = s->prod_sku[it->prod];
                const char *nm = s->prod_name[it->prod] ? s->prod_name[it->prod] : "";
                size_t l1 = enc_utf8_width(sku, strlen(sku)), l2 = enc_utf8_width(nm, strlen(nm));
                enc_rec_reason_text(m, it, why, sizeof why);
                enc_buf_printf(&out, " %3zu  %s%*s  %s%*s  %8.4f  %s\n", i + 1, sku, (int)(ws - l1),
                               "", nm, l2 < wn ? (int)(wn - l2) : 0, "", it->score, why);
            }
        }
        if (out.len && out.p[out.len - 1] == '\n') out.p[--out.len] = 0;
    }
    enc_cli_print(&out);
    enc_buf_free(&out);
    free(top);
    enc_rec_ws_free(w);
    return ENC_EXIT_OK;
}

int cmd_recommend(enc_cli *cli, int argc, char **argv)
{
    args a = {0};
    int rc = parse(cli, argc, argv, &a);
    if (rc != ENC_OPTS_GO) {
        args_free(&a);
        return rc;
    }
    if (a.eval) {
        rc = run_evaluate(cli, &a);
        args_free(&a);
        return rc;
    }
    enc_err err = {0};
    enc_store *st = cli->st;
    int64_t id = 0;
    enc_rc r = a.who ? enc_custview_find(st, a.who, &id, &err) : ENC_OK;
    if (!r && a.who && !id) {
        rc = enc_cli_fail("recommend", "no customer '%s'", a.who);
        args_free(&a);
        return rc;
    }
    enc_snapshot *s = NULL;
    double t0 = now_s();
    if (!r) r = enc_snapshot_load(st, a.as_of, &s, &err);
    double load = now_s() - t0;
    enc_rec_model m = {0};
    t0 = now_s();
    if (!r) r = enc_rec_model_build(s, &a.o, &m, &err);
    double build = now_s() - t0;
    if (r) {
        enc_snapshot_free(s);
        args_free(&a);
        return enc_cli_fail_err("recommend", &err);
    }
    if (a.all) {
        rc = run_all(&a, &m, load, build);
    } else {
        ptrdiff_t c = enc_snapshot_find(s, id);
        if (c < 0) rc = enc_cli_fail("recommend", "customer '%s' is merged into another", a.who);
        else rc = run_one(&a, &m, c, build);
    }
    enc_rec_model_free(&m);
    enc_snapshot_free(s);
    args_free(&a);
    return rc;
}
