/* test_fpgrowth.c — unit tests for src/recommend/fpgrowth and rules against oracles:
 *  - many small random basket sets: FP-growth's itemsets equal a brute-force enumeration of every
 *    subset (same supports, nothing more), and the rules equal a brute-force rule set whose
 *    measures are counted from the baskets directly;
 *  - groceries: arules' published rule counts (5,668 at support 0.001 / confidence 0.5, 410 at
 *    0.8) and its top rules by lift;
 *  - retail.dat at supports 1% .. 0.05%, groceries and BMS1: itemsets and supports equal those of
 *    a plain Eclat (tid lists, Zaki 2000) written here. */
#include "harness.h"
#include "base/mem.h"
#include "recommend/basket.h"
#include "recommend/fpgrowth.h"
#include "recommend/rules.h"

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static int rndn(int n) { return (int)(rnd() % (uint64_t)n); }

/* ---- support thresholds ---- */

static void support_parse_and_min_count(void)
{
    enc_support s;
    CHECK(enc_support_parse("0.001", &s) && !s.is_count && s.value == 0.001);
    CHECK(enc_support_parse("10", &s) && s.is_count && s.value == 10);
    CHECK(enc_support_parse("1", &s) && s.is_count && s.value == 1);      /* a count of 1 */
    CHECK(enc_support_parse("1.0", &s) && !s.is_count && s.value == 1.0); /* 100% */
    CHECK(enc_support_parse("0.05%", &s) && !s.is_count && fabs(s.value - 0.0005) < 1e-18);
    CHECK(enc_support_parse("1e-3", &s) && !s.is_count && s.value == 0.001);
    CHECK(!enc_support_parse("0", &s));
    CHECK(!enc_support_parse("0.0", &s));
    CHECK(!enc_support_parse("1.5", &s));
    CHECK(!enc_support_parse("-1", &s));
    CHECK(!enc_support_parse("10%%", &s));
    CHECK(!enc_support_parse("abc", &s));
    CHECK(!enc_support_parse(" 0.1", &s));
    CHECK(!enc_support_parse("0.1x", &s));
    CHECK(!enc_support_parse("", &s));
    CHECK(!enc_support_parse("99999999999", &s));
    enc_support f = {false, 0.001};
    CHECK_INT(enc_support_min_count(&f, 9835), 10);  /* 9.835 -> 10 (arules: ceil) */
    CHECK_INT(enc_support_min_count(&f, 88162), 89); /* 88.162 -> 89 */
    f.value = 0.07;
    CHECK_INT(enc_support_min_count(&f, 100), 7); /* 0.07 * 100 = 7.000000000000001 in doubles */
    f.value = 0.5;
    CHECK_INT(enc_support_min_count(&f, 3), 2);
    CHECK_INT(enc_support_min_count(&f, 4), 2);
    f.value = 1e-9;
    CHECK_INT(enc_support_min_count(&f, 10), 1);
    enc_support c = {true, 12};
    CHECK_INT(enc_support_min_count(&c, 5), 12);
}

/* ---- brute force on small random sets ---- */

#define MAXI 11
typedef struct small {
    int m, nb;
    uint32_t bm[64]; /* basket masks */
    enc_basket_set *set;
} small;

static void small_make(small *s)
{
    s->m = 1 + rndn(MAXI);
    s->nb = rndn(41);
    s->set = enc_basket_new();
    enc_err err;
    char lab[8];
    for (int i = 0; i < s->m; i++) {
        int n = snprintf(lab, sizeof lab, "i%d", i);
        CHECK_INT(enc_basket_intern(s->set, lab, (size_t)n, &err), i);
    }
    /* skewed item probabilities and a few correlated pairs, so deep sets occur */
    int p[MAXI];
    for (int i = 0; i < s->m; i++) p[i] = 10 + rndn(80);
    for (int b = 0; b < s->nb; b++) {
        int32_t items[3 * MAXI];
        size_t n = 0;
        uint32_t mask = 0;
        for (int i = 0; i < s->m; i++)
            if (rndn(100) < p[i]) {
                items[n++] = i;
                mask |= 1u << i;
                if (rndn(4) == 0) items[n++] = i;   /* a repeat: counted once */
                if (i + 1 < s->m && rndn(3) == 0) { /* pull the next item along */
                    items[n++] = i + 1;
                    mask |= 1u << (i + 1);
                }
            }
        for (size_t k = n; k > 1; k--) { /* any order */
            size_t j = (size_t)rndn((int)k);
            int32_t t = items[k - 1];
            items[k - 1] = items[j];
            items[j] = t;
        }
        CHECK_INT(enc_basket_add(s->set, items, n, &err), ENC_OK);
        s->bm[b] = mask;
    }
}

static int32_t small_count(const small *s, uint32_t mask)
{
    int32_t c = 0;
    for (int b = 0; b < s->nb; b++)
        if ((s->bm[b] & mask) == mask) c++;
    return c;
}

static uint32_t set_mask(const int32_t *items, int64_t n)
{
    uint32_t m = 0;
    for (int64_t i = 0; i < n; i++) m |= 1u << items[i];
    return m;
}

static int small_trial_itemsets(small *s, int32_t minc, int32_t max_len, enc_itemsets *got)
{
    enc_err err = {0};
    enc_fpg_opts o = {.min_count = minc, .max_len = max_len};
    CHECK_INT(enc_fpg_mine(s->set, &o, got, &err), ENC_OK);
    int32_t *seen = enc_xcalloc((size_t)1 << s->m, sizeof *seen);
    int bad = 0;
    for (size_t i = 0; i < got->n; i++) {
        int64_t n = got->off[i + 1] - got->off[i];
        const int32_t *it = got->items + got->off[i];
        for (int64_t k = 1; k < n; k++)
            if (it[k - 1] >= it[k]) bad++; /* ascending, no repeats */
        uint32_t mk = set_mask(it, n);
        if (seen[mk]++) bad++; /* reported twice */
        if (got->count[i] != small_count(s, mk)) bad++;
        if (got->count[i] < minc || n == 0 || (max_len && n > max_len)) bad++;
    }
    size_t expect = 0;
    for (uint32_t mk = 1; mk < (1u << s->m); mk++) {
        int pc = __builtin_popcount(mk);
        if (max_len && pc > max_len) continue;
        if (small_count(s, mk) >= minc) {
            expect++;
            if (!seen[mk]) bad++; /* missed */
        }
    }
    CHECK_INT(got->n, expect);
    CHECK_INT(bad, 0);
    free(seen);
    return bad == 0 && got->n == expect;
}

static void fpgrowth_equals_brute_force_on_random_sets(void)
{
    int ok = 0, trials = 600;
    size_t total = 0;
    for (int t = 0; t < trials; t++) {
        small s;
        small_make(&s);
        int32_t minc = 1 + rndn(s.nb > 3 ? s.nb / 3 : 1);
        int32_t max_len = rndn(3) == 0 ? 1 + rndn(4) : 0;
        enc_itemsets got = {0};
        ok += small_trial_itemsets(&s, minc, max_len, &got);
        total += got.n;
        enc_itemsets_free(&got);
        enc_basket_free(s.set);
    }
    CHECK_INT(ok, trials);
    CHECK(total > 10000); /* the trials found many sets, deep ones too */
}

typedef struct brule {
    uint32_t x, y;
} brule;

static void rules_equal_brute_force_on_random_sets(void)
{
    int trials = 500, ok = 0;
    size_t total = 0;
    static const double confs[] = {0, 0.3, 0.5, 0.8, 1.0};
    for (int t = 0; t < trials; t++) {
        small s;
        small_make(&s);
        if (s.nb == 0) {
            enc_basket_free(s.set);
            ok++;
            continue;
        }
        int32_t minc = 1 + rndn(s.nb > 3 ? s.nb / 4 : 1);
        enc_rule_opts ro = {0};
        ro.min_confidence = rndn(3) ? confs[rndn(5)] : rndn(1000) / 1000.0;
        ro.min_lift = rndn(3) == 0 ? (rndn(2) ? 1.0 : 1.3) : 0;
        ro.max_consequent = (int32_t[]){1, 0, 2}[rndn(3)];
        ro.min_len = 1 + rndn(2);
        ro.max_len = rndn(3) == 0 ? 3 : 0;
        int32_t mine_len = rndn(2) ? ro.max_len : 0; /* the CLI mines to max_len; also without */
        enc_itemsets sets = {0};
        enc_err err = {0};
        enc_fpg_opts o = {.min_count = minc, .max_len = mine_len};
        CHECK_INT(enc_fpg_mine(s.set, &o, &sets, &err), ENC_OK);
        enc_rules rules = {0};
        CHECK_INT(enc_rules_mine(&sets, &ro, &rules, &err), ENC_OK);
        total += rules.n;
        /* brute force: every frequent Z, every nonempty Y of Z */
        uint8_t *want = enc_xcalloc((size_t)1 << (2 * s.m), 1);
        size_t n_want = 0;
        double N = s.nb;
        for (uint32_t z = 1; z < (1u << s.m); z++) {
            int k = __builtin_popcount(z);
            int32_t cz = small_count(&s, z);
            if (cz < minc || k < ro.min_len || (ro.max_len && k > ro.max_len)) continue;
            for (uint32_t y = z;; y = (y - 1) & z) {
                if (y == 0) break;
                uint32_t x = z & ~y;
                int ky = __builtin_popcount(y);
                if (ro.max_consequent && ky > ro.max_consequent) goto next;
                if (x == 0 && k > 1) goto next;
                int32_t cx = x ? small_count(&s, x) : s.nb, cy = small_count(&s, y);
                double conf = (double)cz / cx, lift = conf / (cy / N);
                if (conf < ro.min_confidence - 1e-12) goto next;
                if (ro.min_lift > 0 && lift < ro.min_lift - 1e-12) goto next;
                want[((size_t)x << s.m) | y] = 1;
                n_want++;
            next:;
            }
        }
        int bad = 0;
        for (size_t i = 0; i < rules.n; i++) {
            const enc_rule *u = &rules.r[i];
            const int32_t *it = rules.items + u->off;
            uint32_t x = set_mask(it, u->n_if), y = set_mask(it + u->n_if, u->n_then);
            for (int32_t q = 1; q < u->n_if; q++)
                if (it[q - 1] >= it[q]) bad++;
            for (int32_t q = 1; q < u->n_then; q++)
                if (it[u->n_if + q - 1] >= it[u->n_if + q]) bad++;
            if (u->n_then < 1 || (x & y)) bad++;
            size_t key = ((size_t)x << s.m) | y;
            if (want[key] != 1) bad++; /* not a brute-force rule, or reported twice */
            want[key] = 2;
            /* every reported rule meets its thresholds, measures counted from the baskets */
            int32_t cz = small_count(&s, x | y), cx = x ? small_count(&s, x) : s.nb,
                    cy = small_count(&s, y);
            double conf = (double)cz / cx, sy = cy / N;
            if (u->count != cz || u->count_if != cx || u->count_then != cy) bad++;
            if (cz < minc) bad++;
            if (u->confidence < ro.min_confidence - 1e-12) bad++;
            if (ro.min_lift > 0 && u->lift < ro.min_lift - 1e-12) bad++;
            if (fabs(u->support - cz / N) > 1e-12 || fabs(u->confidence - conf) > 1e-12) bad++;
            if (fabs(u->lift - conf / sy) > 1e-9 * u->lift) bad++;
            if (fabs(u->leverage - (cz / N - (cx / N) * sy)) > 1e-12) bad++;
            if (cz == cx ? !isinf(u->conviction)
                         : fabs(u->conviction - (1 - sy) / (1 - conf)) > 1e-9 * u->conviction)
                bad++;
        }
        CHECK_INT(rules.n, n_want);
        CHECK_INT(bad, 0);
        if (!bad && rules.n == n_want) ok++;
        /* sorted by lift, descending */
        enc_rules_sort(&rules, ENC_RULES_BY_LIFT);
        for (size_t i = 1; i < rules.n; i++)
            if (rules.r[i - 1].lift < rules.r[i].lift) bad++;
        enc_rules_sort(&rules, ENC_RULES_BY_CONFIDENCE);
        for (size_t i = 1; i < rules.n; i++)
            if (rules.r[i - 1].confidence < rules.r[i].confidence) bad++;
        CHECK_INT(bad, 0);
        free(want);
        enc_rules_free(&rules);
        enc_itemsets_free(&sets);
        enc_basket_free(s.set);
    }
    CHECK_INT(ok, trials);
    CHECK(total > 5000);
}

static void limits_and_errors(void)
{
    /* one basket of 20 items, min count 1: 2^20 - 1 sets; a cap stops it with ENC_ELIMIT */
    enc_basket_set *s = enc_basket_new();
    enc_err err = {0};
    int32_t ids[20];
    for (int i = 0; i < 20; i++) ids[i] = enc_basket_intern_key(s, i, &err);
    CHECK_INT(enc_basket_add(s, ids, 20, &err), ENC_OK);
    enc_itemsets r = {0};
    enc_fpg_opts o = {.min_count = 1, .max_sets = 1000};
    CHECK_INT(enc_fpg_mine(s, &o, &r, &err), ENC_ELIMIT);
    CHECK_INT(r.n, 0);
    o.max_sets = 0;
    o.max_len = 2; /* single path cut at 2: 20 + 190 */
    CHECK_INT(enc_fpg_mine(s, &o, &r, &err), ENC_OK);
    CHECK_INT(r.n, 210);
    enc_itemsets_free(&r);
    o.max_len = 0;
    CHECK_INT(enc_fpg_mine(s, &o, &r, &err), ENC_OK);
    CHECK_INT(r.n, (1 << 20) - 1);
    CHECK_INT(r.max_size, 20);
    size_t by[20];
    enc_itemsets_by_size(&r, by);
    CHECK_INT(by[9], 184756); /* C(20, 10) */
    enc_itemsets_free(&r);
    o.min_count = 0;
    CHECK_INT(enc_fpg_mine(s, &o, &r, &err), ENC_EUSAGE);
    o.min_count = 2;
    CHECK_INT(enc_fpg_mine(s, &o, &r, &err), ENC_OK);
    CHECK_INT(r.n, 0);
    /* rules need every subset: a hand-made set without its subsets is refused */
    enc_itemsets bad = {0};
    bad.n_baskets = 1;
    int32_t two[] = {0, 1};
    enc_itemsets_push(&bad, two, 2, 1);
    enc_rules rules = {0};
    enc_rule_opts ro = {.min_confidence = 0.5, .max_consequent = 1};
    CHECK_INT(enc_rules_mine(&bad, &ro, &rules, &err), ENC_EUSAGE);
    ro.min_confidence = 1.5;
    CHECK_INT(enc_rules_mine(&r, &ro, &rules, &err), ENC_EUSAGE);
    enc_itemsets_free(&bad);
    enc_itemsets_free(&r);
    enc_basket_free(s);
}

/* ---- groceries: arules' published numbers ---- */

static enc_basket_set *load(const char *rel)
{
    const char *p = th_data(rel);
    if (!p) return NULL;
    enc_basket_set *s = NULL;
    enc_err err = {0};
    CHECK_INT(enc_basket_read_file(p, ENC_BASKET_AUTO, &s, &err), ENC_OK);
    return s;
}

static const enc_basket_set *label_set;
static int cmp_label(const void *a, const void *b)
{
    size_t na, nb;
    const char *x = enc_basket_label(label_set, *(const int32_t *)a, &na);
    const char *y = enc_basket_label(label_set, *(const int32_t *)b, &nb);
    int c = memcmp(x, y, na < nb ? na : nb);
    return c ? c : (na > nb) - (na < nb);
}

/* "{a,b} => {c}" with labels in byte order within each side, as arules prints them */
static const char *rule_text(const enc_basket_set *s, const enc_rules *r, size_t i)
{
    static char out[512];
    const enc_rule *u = &r->r[i];
    int32_t ids[64];
    int32_t n_all = u->n_if + u->n_then;
    if (n_all > 64) return "(too long)";
    memcpy(ids, r->items + u->off, (size_t)n_all * sizeof *ids);
    label_set = s;
    qsort(ids, (size_t)u->n_if, sizeof *ids, cmp_label);
    qsort(ids + u->n_if, (size_t)u->n_then, sizeof *ids, cmp_label);
    size_t n = 0;
    for (int32_t k = 0; k < n_all; k++) {
        size_t len;
        const char *l = enc_basket_label(s, ids[k], &len);
        n += (size_t)snprintf(out + n, sizeof out - n, "%s%s%.*s", k == 0 ? "{" : "",
                              k == u->n_if ? "} => {"
                              : k          ? ","
                                           : "",
                              (int)len, l);
    }
    snprintf(out + n, sizeof out - n, "}");
    return out;
}

static void groceries_matches_arules(void)
{
    enc_basket_set *s = load("baskets/groceries_baskets.csv");
    if (!s) return;
    enc_support sup = {false, 0.001};
    enc_fpg_opts o = {.min_count = enc_support_min_count(&sup, enc_basket_count(s)), .max_len = 10};
    enc_itemsets sets = {0};
    enc_err err = {0};
    CHECK_INT(enc_fpg_mine(s, &o, &sets, &err), ENC_OK);
    /* arules' apriori defaults: minlen 1, maxlen 10, one-item consequents */
    enc_rule_opts ro = {.min_confidence = 0.5, .min_len = 1, .max_len = 10, .max_consequent = 1};
    enc_rules rules = {0};
    CHECK_INT(enc_rules_mine(&sets, &ro, &rules, &err), ENC_OK);
    CHECK_INT(rules.n, 5668);
    /* arules: inspect(head(sort(rules, by = "lift"), 3)) */
    enc_rules_sort(&rules, ENC_RULES_BY_LIFT);
    if (rules.n >= 3) {
        CHECK_STR(rule_text(s, &rules, 0), "{Instant food products,soda} => {hamburger meat}");
        CHECK_NEAR(rules.r[0].support, 0.001220132, 1e-6);
        CHECK_NEAR(rules.r[0].confidence, 0.6315789, 1e-6);
        CHECK_NEAR(rules.r[0].lift, 18.995654, 1e-6);
        CHECK_STR(rule_text(s, &rules, 1), "{popcorn,soda} => {salty snack}");
        CHECK_NEAR(rules.r[1].lift, 16.697793, 1e-6);
        CHECK_STR(rule_text(s, &rules, 2), "{baking powder,flour} => {sugar}");
        CHECK_NEAR(rules.r[2].lift, 16.408075, 1e-6);
    }
    enc_rules_free(&rules);
    ro.min_confidence = 0.8;
    CHECK_INT(enc_rules_mine(&sets, &ro, &rules, &err), ENC_OK);
    CHECK_INT(rules.n, 410);
    enc_rules_free(&rules);
    /* more items in the consequent only add rules */
    ro.max_consequent = 0;
    CHECK_INT(enc_rules_mine(&sets, &ro, &rules, &err), ENC_OK);
    CHECK(rules.n > 410);
    enc_rules_free(&rules);
    enc_itemsets_free(&sets);
    enc_basket_free(s);
}

/* ---- a second miner: Eclat over tid lists, for the real data ---- */

typedef struct eclat {
    enc_basket_view v;
    int32_t *pos; /* item id -> index in the class at hand, -1 */
    int32_t *cnt; /* per class index: baskets counted */
    int32_t minc;
    int32_t nb;
    uint64_t **bits; /* per frequent item: its baskets as a bitmap */
    int32_t *prefix; /* item ids */
    enc_itemsets *out;
} eclat;

typedef struct eclass {
    int32_t item;
    int32_t n;
    int32_t *tids;
} eclass;

/* cls[0..k): the extensions of prefix[0..d), each with the baskets holding prefix + item.
 * For prefix + a, the support of each later b is counted by walking a's baskets (so a rare a
 * costs little), then the tid list of prefix + a + b is a's list filtered by b's bitmap. */
static void eclat_rec(eclat *e, eclass *cls, int32_t k, int32_t d)
{
    for (int32_t a = 0; a < k; a++) {
        e->prefix[d] = cls[a].item;
        enc_itemsets_push(e->out, e->prefix, d + 1, cls[a].n);
        for (int32_t b = a + 1; b < k; b++) {
            e->pos[cls[b].item] = b;
            e->cnt[b] = 0;
        }
        for (int32_t i = 0; i < cls[a].n; i++) {
            int32_t x = cls[a].tids[i];
            for (int64_t j = e->v.off[x]; j < e->v.off[x + 1]; j++) {
                int32_t b = e->pos[e->v.items[j]];
                if (b > a) e->cnt[b]++;
            }
        }
        for (int32_t b = a + 1; b < k; b++) e->pos[cls[b].item] = -1;
        eclass *next = enc_xmalloc((size_t)(k - a) * sizeof *next);
        int32_t nk = 0;
        for (int32_t b = a + 1; b < k; b++) {
            if (e->cnt[b] < e->minc) continue;
            const uint64_t *bb = e->bits[cls[b].item];
            int32_t *t = enc_xmalloc((size_t)e->cnt[b] * sizeof *t), n = 0;
            for (int32_t i = 0; i < cls[a].n; i++) {
                int32_t x = cls[a].tids[i];
                if (bb[x >> 6] >> (x & 63) & 1) t[n++] = x;
            }
            next[nk++] = (eclass){cls[b].item, n, t};
        }
        eclat_rec(e, next, nk, d + 1);
        for (int32_t b = 0; b < nk; b++) free(next[b].tids);
        free(next);
    }
}

static int cmp_eclass(const void *a, const void *b)
{
    const eclass *x = a, *y = b;
    if (x->n != y->n) return x->n < y->n ? -1 : 1; /* rarest first: short tid lists lead */
    return x->item < y->item ? -1 : 1;
}

static void eclat_mine(const enc_basket_set *s, int32_t minc, enc_itemsets *out)
{
    enc_basket_view v = enc_basket_get_view(s);
    memset(out, 0, sizeof *out);
    out->n_baskets = v.n_baskets;
    int32_t *freq = enc_xcalloc((size_t)v.n_items + 1, sizeof *freq);
    for (int64_t i = 0; i < v.off[v.n_baskets]; i++) freq[v.items[i]]++;
    eclass *cls = enc_xmalloc(((size_t)v.n_items + 1) * sizeof *cls);
    int32_t k = 0;
    eclat e = {.v = v, .minc = minc, .nb = v.n_baskets, .out = out};
    e.pos = enc_xmalloc(((size_t)v.n_items + 1) * sizeof *e.pos);
    e.cnt = enc_xmalloc(((size_t)v.n_items + 1) * sizeof *e.cnt);
    for (int32_t i = 0; i < v.n_items; i++) e.pos[i] = -1;
    e.bits = enc_xcalloc((size_t)v.n_items + 1, sizeof *e.bits);
    size_t words = ((size_t)v.n_baskets + 63) / 64;
    for (int32_t i = 0; i < v.n_items; i++)
        if (freq[i] >= minc) {
            cls[k++] = (eclass){i, 0, enc_xmalloc((size_t)freq[i] * sizeof(int32_t))};
            e.bits[i] = enc_xcalloc(words, sizeof(uint64_t));
        }
    for (int32_t b = 0; b < v.n_baskets; b++)
        for (int64_t i = v.off[b]; i < v.off[b + 1]; i++) {
            int32_t it = v.items[i];
            if (!e.bits[it]) continue;
            e.bits[it][b >> 6] |= 1ull << (b & 63);
        }
    for (int32_t c = 0; c < k; c++) { /* tid lists in basket order */
        int32_t it = cls[c].item;
        for (int32_t b = 0; b < v.n_baskets; b++)
            if (e.bits[it][b >> 6] >> (b & 63) & 1) cls[c].tids[cls[c].n++] = b;
    }
    qsort(cls, (size_t)k, sizeof *cls, cmp_eclass);
    e.prefix = enc_xmalloc(((size_t)k + 1) * sizeof *e.prefix);
    eclat_rec(&e, cls, k, 0);
    for (int32_t c = 0; c < k; c++) free(cls[c].tids);
    for (int32_t i = 0; i < v.n_items; i++) free(e.bits[i]);
    free(e.bits);
    free(e.prefix);
    free(e.pos);
    free(e.cnt);
    free(cls);
    free(freq);
}

/* fp must equal the sets of ec (sorted) with count >= minc; both are sorted canonically */
static void compare_with(const enc_itemsets *fp, const enc_itemsets *ec, int32_t minc,
                         size_t *n_out)
{
    size_t j = 0, n = 0;
    int bad = 0;
    for (size_t i = 0; i < ec->n; i++) {
        if (ec->count[i] < minc) continue;
        n++;
        if (j >= fp->n) {
            bad++;
            continue;
        }
        int64_t a = ec->off[i + 1] - ec->off[i], b = fp->off[j + 1] - fp->off[j];
        if (a != b ||
            memcmp(ec->items + ec->off[i], fp->items + fp->off[j], (size_t)a * sizeof(int32_t)) ||
            ec->count[i] != fp->count[j])
            bad++;
        j++;
    }
    CHECK_INT(fp->n, n);
    CHECK_INT(bad, 0);
    *n_out = n;
}

static void check_against_eclat(const char *rel, const double *supports, int n_sup,
                                const size_t *min_sets)
{
    enc_basket_set *s = load(rel);
    if (!s) return;
    int32_t nb = enc_basket_count(s);
    int32_t lowest = INT32_MAX;
    for (int i = 0; i < n_sup; i++) {
        enc_support sup = {false, supports[i]};
        int32_t c = enc_support_min_count(&sup, nb);
        if (c < lowest) lowest = c;
    }
    /* one Eclat run at the lowest threshold holds every higher threshold's sets */
    enc_itemsets ec = {0};
    eclat_mine(s, lowest, &ec);
    enc_itemsets_sort(&ec);
    for (int i = 0; i < n_sup; i++) {
        enc_support sup = {false, supports[i]};
        enc_fpg_opts o = {.min_count = enc_support_min_count(&sup, nb)};
        enc_itemsets fp = {0};
        enc_err err = {0};
        CHECK_INT(enc_fpg_mine(s, &o, &fp, &err), ENC_OK);
        enc_itemsets_sort(&fp);
        size_t n = 0;
        compare_with(&fp, &ec, o.min_count, &n);
        CHECK(n >= min_sets[i]); /* the comparison covered real work */
        printf("# %s support %g (count %d): %zu itemsets, largest %d items\n", rel, supports[i],
               o.min_count, fp.n, fp.max_size);
        enc_itemsets_free(&fp);
    }
    enc_itemsets_free(&ec);
    enc_basket_free(s);
}

static void retail_equals_eclat(void)
{
    static const double sup[] = {0.01, 0.005, 0.0025, 0.001, 0.0005};
    static const size_t min_sets[] = {100, 400, 1500, 7000, 19000};
    check_against_eclat("baskets/retail.dat", sup, 5, min_sets);
}

static void groceries_and_bms1_equal_eclat(void)
{
    static const double gs[] = {0.01, 0.001};
    static const size_t gmin[] = {300, 13000};
    check_against_eclat("baskets/groceries_baskets.csv", gs, 2, gmin);
    static const double bs[] = {0.002, 0.001};
    static const size_t bmin[] = {700, 3900};
    check_against_eclat("baskets/BMS1.dat", bs, 2, bmin);
}

int main(void)
{
    RUN(support_parse_and_min_count);
    RUN(fpgrowth_equals_brute_force_on_random_sets);
    RUN(rules_equal_brute_force_on_random_sets);
    RUN(limits_and_errors);
    RUN(groceries_matches_arules);
    RUN(retail_equals_eclat);
    RUN(groceries_and_bms1_equal_eclat);
    return TEST_SUMMARY();
}
