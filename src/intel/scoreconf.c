/* scoreconf.c — scoring settings: defaults, the JSON config file (jansson), the environment,
 * and the checks (see scoreconf.h; the format is documented in docs/scoring.md). Every key is
 * known by name: a misspelt key is an error, never silently ignored. */
#include "intel/scoreconf.h"
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>

static const char *const field_names[ENC_TF_COUNT] = {"recency_days",
                                                      "frequency",
                                                      "monetary",
                                                      "returns_amount",
                                                      "aov",
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
                                                      "price_sensitivity",
                                                      "cluster",
                                                      "rfm_segment",
                                                      "rfm_segment_cn",
                                                      "lifecycle",
                                                      "lifecycle_class",
                                                      "spend_tier",
                                                      "preferred_channel",
                                                      "preferred_payment",
                                                      "region",
                                                      "tags",
                                                      "top_categories",
                                                      "top_brands"};

const char *enc_tag_field_name(enc_tag_field f) { return f < ENC_TF_COUNT ? field_names[f] : "?"; }

void enc_score_config_default(enc_score_config *c)
{
    memset(c, 0, sizeof *c);
    c->money_digits = 2;
    c->threads = 2;
    enc_rfm_config_default(&c->rfm);
    enc_lc_config_default(&c->lc);
    c->gap_auto = true;
    c->churn_horizon_days = 90;
    c->churn_lambda = 1;
    c->churn_reasons = 3;
    c->clv_unit_days = 7;
    c->clv_months = 12;
    c->clv_discount = 0.01;
    c->cluster_k = 0;
    c->cluster_k_min = 2;
    c->cluster_k_max = 8;
    c->cluster_seed = 1;
    c->tag_active_days = 30;
    c->tag_big_spender_q = 0.9;
    c->tag_high_value_q = 0.9;
    c->tag_price_share = 0.5;
    c->tag_at_risk = 0.7;
}

void enc_score_config_free(enc_score_config *c)
{
    enc_arena_free(c->arena);
    c->arena = NULL;
    c->n_user_tags = 0;
}

enc_rc enc_score_config_set_unit(enc_score_config *c, const char *unit, enc_err *err)
{
    if (strcmp(unit, "week") == 0 || strcmp(unit, "weeks") == 0) c->clv_unit_days = 7;
    else if (strcmp(unit, "day") == 0 || strcmp(unit, "days") == 0) c->clv_unit_days = 1;
    else return enc_fail(err, ENC_EUSAGE, "CLV unit must be day or week, not '%s'", unit);
    return ENC_OK;
}

/* ---- JSON -------------------------------------------------------------------------------- */

typedef struct ctx {
    enc_score_config *c;
    const char *what;
    enc_err *err;
} ctx;

static enc_rc bad(ctx *x, const char *key, const char *why)
{
    return enc_fail(x->err, ENC_EUSAGE, "%s: %s: %s", x->what, key, why);
}

static enc_rc get_num(ctx *x, const char *key, json_t *v, double lo, double hi, double *out)
{
    if (!json_is_number(v)) return bad(x, key, "must be a number");
    double d = json_number_value(v);
    if (!(d >= lo && d <= hi)) {
        char why[96];
        snprintf(why, sizeof why, "must be between %g and %g", lo, hi);
        return bad(x, key, why);
    }
    *out = d;
    return ENC_OK;
}

static enc_rc get_int(ctx *x, const char *key, json_t *v, long lo, long hi, int *out)
{
    double d;
    if (!json_is_integer(v)) return bad(x, key, "must be a whole number");
    enc_rc rc = get_num(x, key, v, (double)lo, (double)hi, &d);
    if (!rc) *out = (int)d;
    return rc;
}

static enc_rc get_edges(ctx *x, const char *key, json_t *v, int k, double *edges, bool *fixed)
{
    if (json_is_null(v)) {
        *fixed = false;
        return ENC_OK;
    }
    if (!json_is_array(v) || (int)json_array_size(v) != k - 1) {
        char why[96];
        snprintf(why, sizeof why, "must be an array of k - 1 = %d ascending thresholds", k - 1);
        return bad(x, key, why);
    }
    for (int i = 0; i < k - 1; i++) {
        json_t *e = json_array_get(v, (size_t)i);
        if (!json_is_number(e)) return bad(x, key, "thresholds must be numbers");
        edges[i] = json_number_value(e);
        if (i && !(edges[i] > edges[i - 1]))
            return bad(x, key, "thresholds must be strictly ascending");
    }
    *fixed = true;
    return ENC_OK;
}

static enc_rc parse_rfm(ctx *x, json_t *o)
{
    enc_score_config *c = x->c;
    if (!json_is_object(o)) return bad(x, "rfm", "must be an object");
    json_t *v;
    const char *k;
    /* k first: the edges' lengths depend on it */
    if ((v = json_object_get(o, "k")) && get_int(x, "rfm.k", v, 2, ENC_RFM_MAX_K, &c->rfm.k))
        return ENC_EUSAGE;
    json_object_foreach(o, k, v)
    {
        enc_rc rc = ENC_OK;
        if (strcmp(k, "k") == 0) continue;
        else if (strcmp(k, "ties") == 0) {
            const char *s = json_string_value(v);
            if (s && strcmp(s, "low") == 0) c->rfm.ties = ENC_RFM_TIES_LOW;
            else if (s && strcmp(s, "first") == 0) c->rfm.ties = ENC_RFM_TIES_FIRST;
            else rc = bad(x, "rfm.ties", "must be \"low\" or \"first\"");
        } else if (strcmp(k, "recency_edges") == 0)
            rc = get_edges(x, "rfm.recency_edges", v, c->rfm.k, c->r_edges, &c->r_fixed);
        else if (strcmp(k, "frequency_edges") == 0)
            rc = get_edges(x, "rfm.frequency_edges", v, c->rfm.k, c->f_edges, &c->f_fixed);
        else if (strcmp(k, "monetary_edges") == 0)
            rc = get_edges(x, "rfm.monetary_edges", v, c->rfm.k, c->m_edges, &c->m_fixed);
        else {
            char key[160];
            snprintf(key, sizeof key, "rfm.%s", k);
            rc = bad(x, key,
                     "unknown setting (k, ties, recency_edges, frequency_edges, monetary_edges)");
        }
        if (rc) return rc;
    }
    return ENC_OK;
}

static enc_rc parse_lifecycle(ctx *x, json_t *o)
{
    enc_lc_config *l = &x->c->lc;
    if (!json_is_object(o)) return bad(x, "lifecycle", "must be an object");
    struct {
        const char *name;
        double *d;
        int *i;
    } keys[] = {
        {"new_days", &l->new_days, NULL},
        {"mature_days", &l->mature_days, NULL},
        {"mature_occasions", NULL, &l->mature_occasions},
        {"declining_drift", &l->declining_drift, NULL},
        {"declining_overdue", &l->declining_overdue, NULL},
        {"dormant_overdue", &l->dormant_overdue, NULL},
        {"dormant_min_days", &l->dormant_min_days, NULL},
        {"dormant_p_alive", &l->dormant_p_alive, NULL},
        {"churned_overdue", &l->churned_overdue, NULL},
        {"churned_min_days", &l->churned_min_days, NULL},
        {"churned_p_alive", &l->churned_p_alive, NULL},
        {"window_days", &l->window_days, NULL},
        {"lost_days", &l->lost_days, NULL},
        {"min_events", NULL, &l->min_events},
    };
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        char key[160];
        snprintf(key, sizeof key, "lifecycle.%s", k);
        if (strcmp(k, "default_gap_days") == 0) {
            if (json_is_string(v) && strcmp(json_string_value(v), "auto") == 0) {
                x->c->gap_auto = true;
                continue;
            }
            if (get_num(x, key, v, 1e-6, 1e6, &l->default_gap_days)) return ENC_EUSAGE;
            x->c->gap_auto = false;
            continue;
        }
        size_t i = 0;
        while (i < sizeof keys / sizeof *keys && strcmp(keys[i].name, k) != 0) i++;
        if (i == sizeof keys / sizeof *keys)
            return bad(x, key, "unknown setting (see docs/scoring.md)");
        enc_rc rc = keys[i].d ? get_num(x, key, v, 0, 1e6, keys[i].d)
                              : get_int(x, key, v, 0, 1000000, keys[i].i);
        if (rc) return rc;
    }
    return ENC_OK;
}

/* A numeric setting of a section (a key table instead of a strcmp chain): its name, where it
 * goes in enc_score_config, its kind (double, int, or uint64 read as a whole number) and bounds. */
typedef struct setting {
    const char *name;
    size_t off;
    char kind; /* 'd' double, 'i' int, 'u' uint64_t */
    double lo, hi;
} setting;
#define KEY(n, field, kind, lo, hi)                                                                \
    {                                                                                              \
        n, offsetof(enc_score_config, field), kind, lo, hi                                         \
    }

/* Reads the settings of section `sec` (an object) by the table; a key the table lacks is an
 * error listing the table's keys. `skip` (may be NULL) names a key the caller reads itself. */
static enc_rc read_keys(ctx *x, const char *sec, json_t *o, const setting *keys, size_t n,
                        const char *skip)
{
    if (!json_is_object(o)) return bad(x, sec, "must be an object");
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        if (skip && strcmp(k, skip) == 0) continue;
        char name[160];
        snprintf(name, sizeof name, "%s.%s", sec, k);
        size_t i = 0;
        while (i < n && strcmp(keys[i].name, k) != 0) i++;
        if (i == n) {
            char why[400];
            size_t l = (size_t)snprintf(why, sizeof why, "unknown setting (");
            for (size_t j = 0; j < n && l < sizeof why; j++)
                l += (size_t)snprintf(why + l, sizeof why - l, "%s%s", j ? ", " : "", keys[j].name);
            if (skip && l < sizeof why)
                l += (size_t)snprintf(why + l, sizeof why - l, ", %s", skip);
            if (l < sizeof why) snprintf(why + l, sizeof why - l, ")");
            return bad(x, name, why);
        }
        char *at = (char *)x->c + keys[i].off;
        int iv;
        enc_rc rc;
        if (keys[i].kind == 'd') rc = get_num(x, name, v, keys[i].lo, keys[i].hi, (double *)at);
        else if ((rc = get_int(x, name, v, (long)keys[i].lo, (long)keys[i].hi, &iv)) == ENC_OK) {
            if (keys[i].kind == 'u') *(uint64_t *)at = (uint64_t)iv;
            else *(int *)at = iv;
        }
        if (rc) return rc;
    }
    return ENC_OK;
}

static enc_rc parse_churn(ctx *x, json_t *o)
{
    static const setting keys[] = {
        KEY("horizon_days", churn_horizon_days, 'd', 1, 3650),
        KEY("lambda", churn_lambda, 'd', 1e-6, 1e6),
        KEY("reasons", churn_reasons, 'i', 1, 5),
    };
    return read_keys(x, "churn", o, keys, sizeof keys / sizeof *keys, NULL);
}

static enc_rc parse_clv(ctx *x, json_t *o)
{
    static const setting keys[] = {
        KEY("months", clv_months, 'i', 1, 1200),
        KEY("discount_rate", clv_discount, 'd', 0, 1),
    };
    json_t *v = json_object_get(o, "unit");
    if (v && json_is_object(o)) {
        enc_rc rc = json_is_string(v)
                        ? enc_score_config_set_unit(x->c, json_string_value(v), x->err)
                        : bad(x, "clv.unit", "must be \"day\" or \"week\"");
        if (rc) return rc;
    }
    return read_keys(x, "clv", o, keys, sizeof keys / sizeof *keys, "unit");
}

static enc_rc parse_cluster(ctx *x, json_t *o)
{
    static const setting keys[] = {
        KEY("k", cluster_k, 'i', 0, 16),
        KEY("k_min", cluster_k_min, 'i', 2, 16),
        KEY("k_max", cluster_k_max, 'i', 2, 16),
        KEY("seed", cluster_seed, 'u', 0, 2147483647),
    };
    return read_keys(x, "cluster", o, keys, sizeof keys / sizeof *keys, NULL);
}

static enc_rc parse_tag_thresholds(ctx *x, json_t *o)
{
    static const setting keys[] = {
        KEY("active_days", tag_active_days, 'd', 1, 3650),
        KEY("big_spender_quantile", tag_big_spender_q, 'd', 0, 1),
        KEY("high_value_quantile", tag_high_value_q, 'd', 0, 1),
        KEY("price_sensitive_share", tag_price_share, 'd', 0, 1),
        KEY("at_risk_churn", tag_at_risk, 'd', 0, 1),
    };
    return read_keys(x, "system_tags", o, keys, sizeof keys / sizeof *keys, NULL);
}

static const char *astr(ctx *x, const char *s)
{
    if (!x->c->arena) x->c->arena = enc_arena_new(4096);
    return enc_arena_strndup(x->c->arena, s, strlen(s));
}

static enc_rc parse_cond(ctx *x, const char *where, json_t *o, enc_tag_cond *cd)
{
    char key[200];
    if (!json_is_object(o))
        return bad(x, where, "a condition is an object {\"field\", \"op\", \"value\"}");
    const char *fname = json_string_value(json_object_get(o, "field"));
    const char *op = json_string_value(json_object_get(o, "op"));
    json_t *val = json_object_get(o, "value");
    if (json_object_size(o) != 3 || !fname || !op || !val)
        return bad(x, where, "a condition has exactly \"field\", \"op\" and \"value\"");
    int f = 0;
    while (f < ENC_TF_COUNT && strcmp(field_names[f], fname) != 0) f++;
    snprintf(key, sizeof key, "%s.field", where);
    if (f == ENC_TF_COUNT)
        return bad(x, key, "not a profile field a tag can test (see docs/scoring.md)");
    cd->field = (enc_tag_field)f;
    static const char *const ops[] = {"=", "!=", "<", "<=", ">", ">=", "in", "has"};
    int o_ = 0;
    while (o_ < 8 && strcmp(ops[o_], op) != 0) o_++;
    snprintf(key, sizeof key, "%s.op", where);
    if (o_ == 8) return bad(x, key, "must be one of = != < <= > >= in has");
    cd->op = (enc_tag_op)o_;
    snprintf(key, sizeof key, "%s.value", where);
    bool is_num = f < ENC_TF_FIRST_STR, is_list = f >= ENC_TF_FIRST_LIST;
    if (cd->op == ENC_OP_HAS) {
        if (!is_list)
            return bad(x, key, "'has' tests a list field (tags, top_categories, top_brands)");
        if (!json_is_string(val)) return bad(x, key, "must be a string");
        cd->str = astr(x, json_string_value(val));
    } else if (is_list) {
        return bad(x, key, "a list field takes 'has'");
    } else if (cd->op == ENC_OP_IN) {
        if (!json_is_array(val) || !json_array_size(val) || json_array_size(val) > ENC_TAG_MAX_SET)
            return bad(x, key, "'in' takes an array of 1 to 32 values");
        size_t i;
        json_t *e;
        json_array_foreach(val, i, e)
        {
            if (is_num ? !json_is_number(e) : !json_is_string(e))
                return bad(x, key, is_num ? "values must be numbers" : "values must be strings");
            if (is_num) cd->setnum[i] = json_number_value(e);
            else cd->set[i] = astr(x, json_string_value(e));
        }
        cd->nset = json_array_size(val);
    } else if (is_num) {
        if (!json_is_number(val)) return bad(x, key, "must be a number");
        cd->num = json_number_value(val);
    } else {
        if (cd->op != ENC_OP_EQ && cd->op != ENC_OP_NE) return bad(x, key, "strings take = != in");
        if (!json_is_string(val)) return bad(x, key, "must be a string");
        cd->str = astr(x, json_string_value(val));
    }
    return ENC_OK;
}

static enc_rc parse_tags(ctx *x, json_t *a)
{
    enc_score_config *c = x->c;
    if (!json_is_array(a)) return bad(x, "tags", "must be an array of tag rules");
    if (json_array_size(a) > ENC_MAX_USER_TAGS) return bad(x, "tags", "at most 64 user tags");
    c->n_user_tags = 0;
    size_t i;
    json_t *t;
    json_array_foreach(a, i, t)
    {
        char where[96];
        snprintf(where, sizeof where, "tags[%zu]", i);
        if (!json_is_object(t)) return bad(x, where, "must be an object");
        enc_user_tag *u = &c->user_tags[c->n_user_tags];
        memset(u, 0, sizeof *u);
        const char *name = json_string_value(json_object_get(t, "name"));
        if (!name || !*name || strlen(name) > 64)
            return bad(x, where, "needs a \"name\" (1 to 64 characters)");
        for (const char *p = name; *p; p++)
            if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20)
                return bad(x, where, "a tag name has no quotes, backslashes or control characters");
        for (size_t j = 0; j < c->n_user_tags; j++)
            if (strcmp(c->user_tags[j].name, name) == 0)
                return bad(x, where, "a tag of that name is defined already");
        u->name = astr(x, name);
        json_t *all = json_object_get(t, "all");
        if (all) {
            if (json_object_size(t) != 2)
                return bad(x, where, "a tag with \"all\" has only \"name\" and \"all\"");
            if (!json_is_array(all) || !json_array_size(all) ||
                json_array_size(all) > ENC_TAG_MAX_CONDS)
                return bad(x, where, "\"all\" is an array of 1 to 8 conditions");
            size_t j;
            json_t *cd;
            json_array_foreach(all, j, cd)
            {
                char w2[128];
                snprintf(w2, sizeof w2, "%s.all[%zu]", where, j);
                if (parse_cond(x, w2, cd, &u->cond[j])) return ENC_EUSAGE;
            }
            u->ncond = (int)json_array_size(all);
        } else {
            json_t *copy = json_copy(t);
            json_object_del(copy, "name");
            enc_rc rc = parse_cond(x, where, copy, &u->cond[0]);
            json_decref(copy);
            if (rc) return rc;
            u->ncond = 1;
        }
        c->n_user_tags++;
    }
    return ENC_OK;
}

/* the sections of the file, each read by its function */
static const struct {
    const char *name;
    enc_rc (*read)(ctx *x, json_t *o);
} sections[] = {
    {"rfm", parse_rfm},   {"lifecycle", parse_lifecycle}, {"churn", parse_churn},
    {"clv", parse_clv},   {"cluster", parse_cluster},     {"system_tags", parse_tag_thresholds},
    {"tags", parse_tags},
};
#define NSECTIONS (sizeof sections / sizeof *sections)

enc_rc enc_score_config_json(enc_score_config *c, const char *text, size_t len, const char *what,
                             enc_err *err)
{
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return enc_fail(err, ENC_EPARSE, "%s: line %d, column %d: %s", what, je.line, je.column,
                        je.text);
    ctx x = {c, what, err};
    enc_rc rc = ENC_OK;
    if (!json_is_object(root)) rc = bad(&x, "(top)", "the config is a JSON object");
    const char *k;
    json_t *v;
    if (!rc) json_object_foreach(root, k, v)
        {
            size_t i = 0;
            while (i < NSECTIONS && strcmp(sections[i].name, k) != 0) i++;
            if (strcmp(k, "currency_decimals") == 0) rc = get_int(&x, k, v, 0, 4, &c->money_digits);
            else if (strcmp(k, "threads") == 0) rc = get_int(&x, k, v, 1, 64, &c->threads);
            else if (i < NSECTIONS) rc = sections[i].read(&x, v);
            else
                rc = bad(&x, k,
                         "unknown setting (currency_decimals, threads, rfm, lifecycle, churn, clv,"
                         " cluster, system_tags, tags)");
            if (rc) break;
        }
    json_decref(root);
    if (!rc && (rc = enc_score_config_check(c, err))) {
        char m[sizeof err->msg];
        snprintf(m, sizeof m, "%s", err->msg);
        enc_fail(err, rc, "%s: %.900s", what, m);
    }
    return rc;
}

enc_rc enc_score_config_file(enc_score_config *c, const char *path, enc_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return enc_fail(err, ENC_EIO, "%s: %s", path, strerror(errno));
    enum { CAP = 1 << 20 };
    char *buf = enc_xmalloc(CAP + 1);
    size_t n = fread(buf, 1, CAP + 1, f);
    int bad_read = ferror(f);
    fclose(f);
    enc_rc rc;
    if (bad_read) rc = enc_fail(err, ENC_EIO, "%s: read error", path);
    else if (n > CAP) rc = enc_fail(err, ENC_ELIMIT, "%s: larger than 1 MB", path);
    else rc = enc_score_config_json(c, buf, n, path, err);
    free(buf);
    return rc;
}

static bool env_num(const char *name, double lo, double hi, double *out, enc_err *err, enc_rc *rc)
{
    const char *s = getenv(name);
    if (!s || !*s) return false;
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    if (errno || end == s || *end || !(d >= lo && d <= hi)) {
        *rc = enc_fail(err, ENC_EUSAGE, "%s=%s: must be a number from %g to %g", name, s, lo, hi);
        return false;
    }
    *out = d;
    return true;
}

enc_rc enc_score_config_env(enc_score_config *c, enc_err *err)
{
    enc_rc rc = ENC_OK;
    double d;
    if (env_num("ENCORE_CHURN_HORIZON", 1, 3650, &d, err, &rc)) c->churn_horizon_days = d;
    if (!rc && env_num("ENCORE_CLUSTERS", 0, 16, &d, err, &rc)) {
        if (d != floor(d)) rc = enc_fail(err, ENC_EUSAGE, "ENCORE_CLUSTERS: a whole number");
        c->cluster_k = (int)d;
    }
    if (!rc && env_num("ENCORE_THREADS", 1, 64, &d, err, &rc)) c->threads = (int)d;
    if (!rc && env_num("ENCORE_CLV_MONTHS", 1, 1200, &d, err, &rc)) c->clv_months = (int)d;
    if (!rc && env_num("ENCORE_DISCOUNT_RATE", 0, 1, &d, err, &rc)) c->clv_discount = d;
    const char *u = getenv("ENCORE_CLV_UNIT");
    if (!rc && u && *u) rc = enc_score_config_set_unit(c, u, err);
    if (!rc) rc = enc_score_config_check(c, err);
    return rc;
}

enc_rc enc_score_config_check(const enc_score_config *c, enc_err *err)
{
    if (c->rfm.k < 2 || c->rfm.k > ENC_RFM_MAX_K)
        return enc_fail(err, ENC_EUSAGE, "rfm.k must be 2..%d", ENC_RFM_MAX_K);
    if (c->cluster_k_min > c->cluster_k_max)
        return enc_fail(err, ENC_EUSAGE, "cluster.k_min must not exceed cluster.k_max");
    if (c->cluster_k == 1)
        return enc_fail(err, ENC_EUSAGE, "cluster.k must be 0 (choose) or 2..16");
    if (!(c->churn_horizon_days >= 1))
        return enc_fail(err, ENC_EUSAGE, "churn horizon must be at least 1 day");
    if (c->threads < 1 || c->threads > 64)
        return enc_fail(err, ENC_EUSAGE, "threads must be 1..64");
    return enc_lc_config_check(&c->lc, err);
}
