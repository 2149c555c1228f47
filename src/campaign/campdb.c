/* campdb.c — what campaigns keep in the store beyond plain rows (see campdb.h): saving a
 * campaign from its spec, the contact-policy settings as JSON, coupon codes drawn until one
 * is unused, and redemption matching orders' coupon codes. The rows themselves are read and
 * written through store/campaign_store.h. */
#include "campaign/campdb.h"
#include "base/mem.h"
#include "base/coupon.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(ENC_CAMP_NAME_MAX == ENC_SPEC_MAX_NAME, "campaign names fit the store's rows");

enc_rc enc_camp_put(enc_store *st, const enc_spec *spec, const char *state, int64_t now,
                    bool *created, enc_err *err)
{
    return enc_camp_store_put(st, spec->name, spec->text, state, spec->priority, spec->on_cap_defer,
                              now, created, err);
}

enc_rc enc_camp_started(enc_store *st, const enc_spec *spec, int64_t now, enc_err *err)
{
    return enc_camp_store_started(st, spec->name, now, spec->ab ? spec->ab_decide_after : 0, err);
}

enc_rc enc_history_load(enc_store *st, int64_t since, enc_history *out, enc_err *err)
{
    return enc_history_scan(st, since, enc_channel_parse, out, err);
}

/* ---- coupons ----------------------------------------------------------------------------- */

/* Redemption: the unredeemed coupons by normalised code; the slot of the coupon being checked,
 * zeroed once it is redeemed so that later orders with the code do not redeem it again. */
typedef struct redeem_ctx {
    enc_smap *open;
    int64_t *cur;
} redeem_ctx;

static void redeem_open(void *ctx, const char *norm, int64_t id)
{
    redeem_ctx *r = ctx;
    enc_smap_put(r->open, norm, strlen(norm), id, NULL);
}

static int64_t redeem_match(void *ctx, const char *code)
{
    redeem_ctx *r = ctx;
    char norm[ENC_COUPON_MAX];
    r->cur = NULL;
    if (strlen(code) >= ENC_COUPON_MAX) return 0;
    enc_coupon_check(code, 0, norm); /* normalises; the check is redone below */
    int64_t *id = enc_smap_get(r->open, norm, strlen(norm));
    if (!id || *id <= 0) return 0;
    r->cur = id;
    return *id;
}

static bool redeem_check(void *ctx, const char *code, const char *issued, int64_t ts, int64_t from,
                         int64_t until)
{
    redeem_ctx *r = ctx;
    /* the prefix is what precedes the first dash of the issued code */
    const char *dash = strchr(issued, '-');
    size_t plen = dash ? (size_t)(dash - issued) : 0;
    char chk[ENC_COUPON_MAX];
    if (!enc_coupon_check(code, plen, chk) && !enc_coupon_check(code, 0, chk)) return false;
    if (ts < from || (until && ts > until)) return false;
    *r->cur = 0; /* redeemed: later orders with the code do not redeem it again */
    return true;
}

enc_rc enc_coupon_redeem(enc_store *st, int64_t *n, enc_err *err)
{
    *n = 0;
    char *wm = NULL;
    if (enc_camp_setting_get(st, "redeem_order_id", &wm, err)) return ENC_EDB;
    int64_t last = wm ? strtoll(wm, NULL, 10) : 0;
    free(wm);
    redeem_ctx r = {.open = enc_smap_new(1024)};
    enc_rc rc = enc_coupon_open_scan(st, redeem_open, &r, err);
    if (rc) {
        enc_smap_free(r.open);
        return rc;
    }
    int64_t maxid = enc_orders_max_id(st);
    if (enc_smap_count(r.open) > 0 && maxid > last) {
        enc_coupon_redeem_ops ops = {redeem_match, redeem_check, &r};
        rc = enc_coupon_redeem_orders(st, last, maxid, &ops, n, err);
    }
    enc_smap_free(r.open);
    return rc;
}

/* ---- settings ---------------------------------------------------------------------------- */

enc_rc enc_settings_load(enc_store *st, enc_settings *out, enc_err *err)
{
    enc_settings_default(out);
    char *v;
    if (enc_camp_setting_get(st, "policy", &v, err)) return ENC_EDB;
    if (!v) return ENC_OK;
    enc_rc rc = enc_settings_parse(v, strlen(v), out, err);
    free(v);
    return rc;
}

enc_rc enc_settings_save(enc_store *st, const enc_settings *s, enc_err *err)
{
    enc_buf b = {0};
    enc_settings_json(s, &b);
    enc_rc rc = enc_camp_setting_put(st, "policy", b.p, err);
    enc_buf_free(&b);
    return rc;
}
