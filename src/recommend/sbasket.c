/* sbasket.c — baskets from a snapshot (see sbasket.h): every product (or category) is interned
 * first, in snapshot order, so basket item k is snapshot id k; then one pass over the orders'
 * lines or over each customer's events fills the baskets. */
#include "recommend/sbasket.h"
#include "base/mem.h"
#include <stdlib.h>
#include <string.h>

bool enc_sb_source_parse(const char *s, enc_sb_source *out)
{
    if (!strcmp(s, "orders")) *out = ENC_SB_ORDERS;
    else if (!strcmp(s, "sessions")) *out = ENC_SB_SESSIONS;
    else return false;
    return true;
}

bool enc_sb_level_parse(const char *s, enc_sb_level *out)
{
    if (!strcmp(s, "product")) *out = ENC_SB_PRODUCT;
    else if (!strcmp(s, "category")) *out = ENC_SB_CATEGORY;
    else return false;
    return true;
}

/* the item of product p at the level, or -1 */
static int32_t item_of(const enc_snapshot *s, enc_sb_level level, int32_t p)
{
    if (p < 0) return -1;
    return level == ENC_SB_PRODUCT ? p : s->prod_cat[p];
}

static bool interest(uint8_t t)
{
    return t == EV_VIEW || t == EV_CLICK || t == EV_FAVORITE || t == EV_CART_ADD;
}

/* the session key of event k: its 32-bit session hash, else its UTC day with the top bit set,
 * so a day never equals a session */
static uint64_t session_key(const enc_snapshot *s, size_t k)
{
    if (s->ev_session[k]) return s->ev_session[k];
    int64_t t = s->ev_ts[k];
    int64_t day = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    return (uint64_t)day | (1ull << 63);
}

typedef struct kv {
    uint64_t key;
    int64_t at; /* position, so equal keys keep event order */
    int32_t item;
} kv;

static int cmp_kv(const void *a, const void *b)
{
    const kv *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return (x->at > y->at) - (x->at < y->at);
}

enc_rc enc_sbasket_build(const enc_snapshot *s, enc_sb_source src, enc_sb_level level,
                         enc_basket_set **out, enc_err *err)
{
    *out = NULL;
    enc_basket_set *set = enc_basket_new();
    size_t nitems = level == ENC_SB_PRODUCT ? s->nprod : s->cats.n;
    for (size_t i = 0; i < nitems; i++) {
        const char *l = level == ENC_SB_PRODUCT ? s->prod_sku[i] : s->cats.names[i];
        if (enc_basket_intern(set, l, strlen(l), err) != (int32_t)i) {
            enc_basket_free(set);
            return err && err->rc ? err->rc : enc_fail(err, ENC_EFAIL, "duplicate label '%s'", l);
        }
    }
    enc_rc rc = ENC_OK;
    int32_t *buf = NULL;
    size_t cap = 0;
    if (src == ENC_SB_ORDERS) {
        for (size_t o = 0; o < s->nord && !rc; o++) {
            size_t n = 0, lo = (size_t)s->line_off[o], hi = (size_t)s->line_off[o + 1];
            ENC_GROW(buf, cap, hi - lo + 1);
            for (size_t l = lo; l < hi; l++) {
                int32_t it = item_of(s, level, s->line_prod[l]);
                if (it >= 0) buf[n++] = it;
            }
            if (n) rc = enc_basket_add(set, buf, n, err);
        }
    } else {
        /* per customer: the interest events sorted by session key, one basket a key */
        kv *v = NULL;
        size_t vcap = 0;
        for (size_t c = 0; c < s->ncust && !rc; c++) {
            size_t lo = (size_t)s->ev_off[c], hi = (size_t)s->ev_off[c + 1], m = 0;
            ENC_GROW(v, vcap, hi - lo + 1);
            for (size_t k = lo; k < hi; k++) {
                if (!interest(s->ev_type[k])) continue;
                int32_t it = item_of(s, level, s->ev_prod[k]);
                if (it < 0) continue;
                v[m++] = (kv){session_key(s, k), (int64_t)k, it};
            }
            qsort(v, m, sizeof *v, cmp_kv);
            ENC_GROW(buf, cap, m + 1);
            for (size_t a = 0; a < m && !rc;) {
                size_t b = a, n = 0;
                while (b < m && v[b].key == v[a].key) buf[n++] = v[b++].item;
                rc = enc_basket_add(set, buf, n, err);
                a = b;
            }
        }
        free(v);
    }
    free(buf);
    if (rc) {
        enc_basket_free(set);
        return rc;
    }
    *out = set;
    return ENC_OK;
}
