/* fuzz_segment.c — libFuzzer target for the segment language (src/audience): the input is an
 * expression. It is checked against the registry (enc_aud_check), and when that passes it is
 * compiled and run over a small in-memory shop with saved segments (one of them a cycle).
 * Checks: an error always names a line and column inside the input; a check that passes also
 * compiles; parsing is a fixed point of printing (parse(print(x)) prints the same text); the
 * result set has no bits past the customer count. */
#include "audience/eval.h"
#include "audience/parser.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enc_store *st;
static enc_snapshot *snap;
static enc_aud_env *env;
static const int64_t now = 20254LL * 86400 + 43200;

static void setup(void)
{
    enc_err err;
    if (enc_store_open(":memory:", &st, &err)) abort();
    enc_put put;
    const char *cats[] = {"Electronics/Cameras", "Electronics/Lenses", "数码/相机"};
    int64_t pid[3];
    for (int i = 0; i < 3; i++) {
        char sku[8];
        snprintf(sku, sizeof sku, "A%d", i + 1);
        enc_product_rec p = {
            .sku = sku, .category = cats[i], .brand = i ? "Acme" : "小米", .in_stock = -1};
        enc_store_product_put(st, &p, false, &pid[i], &put, &err);
    }
    for (int c = 0; c < 70; c++) {
        char ext[8], bday[16];
        snprintf(ext, sizeof ext, "C%d", c);
        snprintf(bday, sizeof bday, "1990-%02d-%02d", 1 + c % 12, 1 + c % 28);
        enc_customer_rec r = {.source = "f",
                              .source_key = ext,
                              .external_id = ext,
                              .birthday = c % 5 ? bday : NULL,
                              .city = c % 2 ? "上海" : "Paris",
                              .points = c,
                              .has_points = true};
        int64_t id;
        enc_store_customer_insert(st, &r, &id, &err);
        for (int k = 0; k < c % 4; k++) {
            char key[16];
            snprintf(key, sizeof key, "O%d_%d", c, k);
            enc_order_rec o = {.source = "f",
                               .order_key = key,
                               .customer = id,
                               .ts = now - (int64_t)(c * 5 + k * 11) * 86400,
                               .status = "paid"};
            int64_t oid;
            enc_store_order_put(st, &o, &oid, &put, &err);
            enc_line_rec l = {.order_id = oid,
                              .line_no = 1,
                              .product_id = pid[(c + k) % 3],
                              .qty = 1,
                              .unit_price = 1000 + c,
                              .amount = 1000 + c,
                              .kind = "sale"};
            enc_store_line_put(st, &l, &put, &err);
            enc_store_order_refresh(st, oid, &err);
            snprintf(key, sizeof key, "E%d_%d", c, k);
            enc_event_rec e = {.source = "f",
                               .source_key = key,
                               .customer = id,
                               .ts = o.ts - 3600,
                               .type = k % 2 ? "view" : "cart_add",
                               .sku = k % 3 ? "A1" : "A2"};
            enc_store_event_put(st, &e, &put, &err);
        }
    }
    enc_store_segment_put(st, "a", "orders >= 1 and segment(\"b\")", 0, NULL, &err);
    enc_store_segment_put(st, "b", "points > 10", 0, NULL, &err);
    enc_store_segment_put(st, "loop", "segment(\"loop\")", 0, NULL, &err);
    if (enc_snapshot_load(st, now, &snap, &err)) abort();
    enc_aud_env_new(snap, st, now, &env, &err);
}

static void fixed_point(const uint8_t *data, size_t size)
{
    enc_arena *a = enc_arena_new(1 << 14);
    enc_aud_node *n;
    enc_err err;
    if (enc_aud_parse((const char *)data, size, a, &n, NULL, &err) == ENC_OK) {
        enc_buf b1 = {0}, b2 = {0};
        enc_aud_print(n, &b1);
        enc_aud_node *n2;
        if (enc_aud_parse(b1.p, b1.len, a, &n2, NULL, &err) != ENC_OK) {
            fprintf(stderr, "printed form does not parse: %s\n%s\n", err.msg, b1.p);
            abort();
        }
        enc_aud_print(n2, &b2);
        if (b1.len != b2.len || memcmp(b1.p, b2.p, b1.len) != 0) {
            fprintf(stderr, "not a fixed point:\n%s\n%s\n", b1.p, b2.p);
            abort();
        }
        enc_buf_free(&b1);
        enc_buf_free(&b2);
    }
    enc_arena_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!st) setup();
    enc_err err = {0};
    enc_aud_pos where = {0, 0};
    enc_rc rc = enc_aud_check(st, NULL, (const char *)data, size, &where, &err);
    if (rc) {
        /* the position is inside the input (or just past its end) */
        size_t lines = 1;
        for (size_t i = 0; i < size; i++) lines += data[i] == '\n';
        if (rc != ENC_EPARSE || strncmp(err.msg, "line ", 5) != 0 || where.line < 1 ||
            where.col < 1 || (size_t)where.line > lines || (size_t)where.col > size + 1) {
            fprintf(stderr, "bad error: rc %d at %d:%d: %s\n", rc, where.line, where.col, err.msg);
            abort();
        }
    } else {
        enc_aud_prog *p;
        if (enc_aud_compile(env, (const char *)data, size, &p, &where, &err)) {
            fprintf(stderr, "checked but does not compile: %s\n", err.msg);
            abort();
        }
        enc_aud_set set;
        enc_aud_run(p, &set);
        if (set.n % 64 && set.w[set.n / 64] >> (set.n % 64)) abort();
        if (enc_aud_set_count(&set) > set.n) abort();
        enc_aud_set_free(&set);
        enc_aud_prog_free(p);
    }
    fixed_point(data, size);
    return 0;
}
