/* track.c — tracking hits written to the store (see track.h). */
#include "server/track.h"
#include "base/json.h"
#include "delivery/outbox.h"
#include <sqlite3.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

void enc_track_hit_init(enc_track_hit *h, const enc_token *t, int64_t now)
{
    uint8_t rnd[16];
    h->tok = *t;
    h->ts = now;
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(h->key, sizeof h->key, rnd, sizeof rnd);
}

/* The customer the token names, after merges; 0 when unknown. */
static enc_rc customer(enc_store *st, int64_t id, int64_t *out, enc_err *err)
{
    *out = 0;
    if (id <= 0) return ENC_OK;
    char buf[24];
    snprintf(buf, sizeof buf, "%lld", (long long)id);
    return enc_store_customer_lookup(st, "id", buf, out, err);
}

/* An unsubscribe also suppresses the message's address on its channel at once, so that messages
 * already queued for it are not sent (the dispatcher checks suppressions when it claims). */
static enc_rc suppress_address(enc_store *st, const enc_track_hit *h, enc_err *err)
{
    if (h->tok.message_id <= 0) return ENC_OK;
    sqlite3_stmt *q;
    sqlite3 *db = enc__store_db(st);
    if (sqlite3_prepare_v2(db, "SELECT channel, address FROM messages WHERE id = ?1", -1, &q,
                           NULL) != SQLITE_OK)
        return enc_fail(err, ENC_EDB, "unsubscribe: reading the message: %s", sqlite3_errmsg(db));
    sqlite3_bind_int64(q, 1, h->tok.message_id);
    enc_rc rc = ENC_OK;
    if (sqlite3_step(q) == SQLITE_ROW) {
        const char *ch = (const char *)sqlite3_column_text(q, 0),
                   *addr = (const char *)sqlite3_column_text(q, 1);
        enc_outbox *ob;
        if (ch && addr && *addr && !(rc = enc_outbox_open(st, &ob, err))) {
            rc = enc_outbox_suppress(ob, ch, addr, "unsubscribe", ENC_UNSUB_SOURCE, h->ts, err);
            enc_outbox_close(ob);
        }
    }
    sqlite3_finalize(q);
    return rc;
}

static void props(const enc_track_hit *h, enc_buf *b)
{
    enc_jw w;
    enc_jw_init(&w, b);
    enc_jw_obj(&w);
    enc_jw_kint(&w, "message_id", h->tok.message_id);
    if (h->tok.campaign[0]) enc_jw_kstr(&w, "campaign", h->tok.campaign);
    if (h->tok.url[0]) enc_jw_kstr(&w, "url", h->tok.url);
    if (h->tok.kind == ENC_TOKEN_UNSUB) enc_jw_kstr(&w, "channel", h->tok.channel);
    enc_jw_end(&w);
}

enc_rc enc_track_apply(enc_store *st, const enc_track_hit *h, enc_track_outcome *out, enc_err *err)
{
    *out = ENC_TRACK_RECORDED;
    int64_t cust;
    if (customer(st, h->tok.customer_id, &cust, err)) return ENC_EDB;
    const char *letter = h->tok.kind == ENC_TOKEN_CLICK  ? "c"
                         : h->tok.kind == ENC_TOKEN_OPEN ? "o"
                                                         : "u";
    char key[96];
    snprintf(key, sizeof key, "%s:%lld:%s", letter, (long long)h->tok.message_id, h->key);
    enc_put p;
    if (h->tok.kind == ENC_TOKEN_UNSUB) {
        if (suppress_address(st, h, err)) return ENC_EDB;
        if (!cust) {
            *out = ENC_TRACK_NO_CUSTOMER;
            return ENC_OK;
        }
        int state;
        if (enc_store_consent_state(st, cust, h->tok.channel, "marketing", &state, err))
            return ENC_EDB;
        if (state == 0) {
            *out = ENC_TRACK_ALREADY;
            return ENC_OK;
        }
        enc_consent_rec c = {0};
        c.source = ENC_UNSUB_SOURCE;
        c.source_key = key;
        c.customer = cust;
        c.ts = h->ts;
        c.channel = h->tok.channel;
        c.purpose = "marketing";
        c.granted = false;
        if (enc_store_consent_put(st, &c, &p, err)) return ENC_EDB;
    }
    enc_buf b = {0};
    props(h, &b);
    enc_event_rec e = {0};
    e.source = ENC_TRACK_SOURCE;
    e.source_key = key;
    e.customer = cust;
    e.ts = h->ts;
    e.type = h->tok.kind == ENC_TOKEN_CLICK  ? "message_click"
             : h->tok.kind == ENC_TOKEN_OPEN ? "message_open"
                                             : "unsubscribe";
    e.channel = h->tok.channel[0] ? h->tok.channel : NULL;
    e.props = b.p;
    enc_rc rc = enc_store_event_add(st, &e, &p, err);
    enc_buf_free(&b);
    return rc;
}
