/* test_privacy.c — unit tests for privacy by design (issue 16): the master key's sources and
 * checks (base/seal.c), the blind index against an independent implementation (Python's
 * hashlib BLAKE2b with libsodium's crypto_kdf parameters), the suppression list as identity
 * resolution sees it (ingest/identity.c), and the data-subject export's coverage of every
 * column of the schema that names a customer (store/store_privacy.c). */
#include "harness.h"
#include "store/store_int.h"
#include "py_oracle.h"
#include "base/json.h"
#include "base/seal.h"
#include "ingest/identity.h"
#include "privacy/erase.h"
#include "privacy/export.h"
#include "store/privacy.h"
#include <jansson.h>
#include <sodium.h>
#include <sqlite3.h>
#include <sys/stat.h>

static enc_store *fresh(const char *name, char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", th_tmpdir(), name);
    unlink(path);
    char key[600];
    snprintf(key, sizeof key, "%s.key", path);
    unlink(key);
    enc_store *st = NULL;
    enc_err err = {0};
    if (enc_store_open(path, &st, &err)) TH_FAIL("open: %s", err.msg);
    return st;
}

static void hex(const uint8_t *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) snprintf(out + 2 * i, 3, "%02x", p[i]);
}

static void blind_known_answer(void)
{
    /* master = 00 01 .. 1f; expected values from hashlib.blake2b (tests/oracle/blind_index.py) */
    char mhex[65];
    uint8_t m[32];
    for (int i = 0; i < 32; i++) m[i] = (uint8_t)i;
    hex(m, 32, mhex);
    enc_mkey k;
    enc_err err;
    CHECK_INT(enc_mkey_from_hex(mhex, 64, &k, &err), ENC_OK);
    char out[65];
    hex(k.blind, 32, out);
    CHECK_STR(out, "d85c91c8cae5f5862eff833f4d9cb446861a6de0d6c37abf0b40ae22cc6a248a");
    uint8_t h[ENC_BLIND_BYTES], h2[ENC_BLIND_BYTES];
    enc_blind(&k, "email", "alice@example.com", h);
    hex(h, ENC_BLIND_BYTES, out);
    CHECK_STR(out, "8a06d78d91e16c631f7ec2a995270be7");
    /* the kind is part of the input: the same text as a phone is another index */
    enc_blind(&k, "phone", "alice@example.com", h2);
    CHECK(memcmp(h, h2, sizeof h) != 0);
    /* another key, another index */
    mhex[0] = mhex[0] == 'f' ? 'e' : 'f';
    enc_mkey k2;
    CHECK_INT(enc_mkey_from_hex(mhex, 64, &k2, &err), ENC_OK);
    enc_blind(&k2, "email", "alice@example.com", h2);
    CHECK(memcmp(h, h2, sizeof h) != 0);
    /* malformed keys */
    CHECK_INT(enc_mkey_from_hex(mhex, 63, &k2, &err), ENC_EUSAGE);
    CHECK_INT(enc_mkey_from_hex("zz", 2, &k2, &err), ENC_EUSAGE);
    char bad[65];
    memcpy(bad, mhex, 65);
    bad[10] = 'g';
    CHECK_INT(enc_mkey_from_hex(bad, 64, &k2, &err), ENC_EUSAGE);
}

static void master_key_sources(void)
{
    char db[512], file[600];
    snprintf(db, sizeof db, "%s/keys.db", th_tmpdir());
    snprintf(file, sizeof file, "%s.key", db);
    unlink(file);
    unsetenv("ENCORE_MASTER_KEY");
    enc_mkey a, b;
    bool found;
    char where[700];
    enc_err err;
    CHECK_INT(enc_mkey_load(db, false, &a, &found, where, sizeof where, &err), ENC_OK);
    CHECK(!found);
    CHECK_INT(enc_mkey_load(db, true, &a, &found, where, sizeof where, &err), ENC_OK);
    CHECK(found);
    CHECK(strstr(where, "(new)") != NULL);
    struct stat sb;
    CHECK(stat(file, &sb) == 0 && (sb.st_mode & 0777) == 0600);
    CHECK_INT(enc_mkey_load(db, false, &b, &found, NULL, 0, &err), ENC_OK);
    CHECK(found && memcmp(a.master, b.master, 32) == 0);
    /* readable by others: refused with the fix */
    chmod(file, 0644);
    CHECK_INT(enc_mkey_load(db, false, &b, &found, NULL, 0, &err), ENC_EUSAGE);
    CHECK(strstr(err.msg, "chmod 600") != NULL);
    chmod(file, 0600);
    /* a damaged file: a clear error naming it */
    FILE *f = fopen(file, "w");
    fputs("not a key\n", f);
    fclose(f);
    CHECK_INT(enc_mkey_load(db, false, &b, &found, NULL, 0, &err), ENC_EUSAGE);
    CHECK(strstr(err.msg, "64 hex digits") != NULL && strstr(err.msg, file) != NULL);
    /* the environment wins */
    setenv("ENCORE_MASTER_KEY", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
           1);
    CHECK_INT(enc_mkey_load(db, false, &b, &found, where, sizeof where, &err), ENC_OK);
    CHECK(found && b.master[1] == 0x11);
    CHECK_STR(where, "ENCORE_MASTER_KEY");
    setenv("ENCORE_MASTER_KEY", "short", 1);
    CHECK_INT(enc_mkey_load(db, false, &b, &found, NULL, 0, &err), ENC_EUSAGE);
    CHECK(strstr(err.msg, "ENCORE_MASTER_KEY") != NULL);
    unsetenv("ENCORE_MASTER_KEY");
    unlink(file);
}

/* The export covers every customer-referencing column of the schema; a new table that names a
 * customer is listed and not covered, so this test fails until the export takes it in. */
static void export_covers_schema(void)
{
    char path[512];
    enc_store *st = fresh("cover.db", path, sizeof path);
    if (!st) return;
    char **cols;
    size_t n;
    enc_err err;
    CHECK_INT(enc_store_customer_columns(st, &cols, &n, &err), ENC_OK);
    CHECK_MSG(n >= 14, "only %zu customer columns found", n);
    for (size_t i = 0; i < n; i++) {
        CHECK_MSG(enc_store_export_covers(cols[i]),
                  "%s names a customer and the data-subject export does not cover it "
                  "(store_privacy.c, export_sections)",
                  cols[i]);
        free(cols[i]);
    }
    free(cols);
    /* the check can fail: a table another branch might add */
    CHECK_INT(sqlite3_exec(enc__store_db(st),
                           "CREATE TABLE loyalty_ledger(id INTEGER PRIMARY KEY, customer_id "
                           "INTEGER, points INTEGER)",
                           NULL, NULL, NULL),
              SQLITE_OK);
    CHECK_INT(enc_store_customer_columns(st, &cols, &n, &err), ENC_OK);
    bool listed = false;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(cols[i], "loyalty_ledger.customer_id") == 0) {
            listed = true;
            CHECK(!enc_store_export_covers(cols[i]));
        }
        free(cols[i]);
    }
    free(cols);
    CHECK(listed);
    enc_store_close(st);
}

static void add_customer(enc_store *st, enc_ident *id, const char *ext, const char *email,
                         const char *name, int64_t *cust)
{
    enc_customer_rec r = {.name = name, .email = email};
    bool created;
    enc_err err;
    CHECK_INT(enc_ident_resolve(id, ext, email, NULL, &r, cust, &created, &err), ENC_OK);
    CHECK(created);
}

/* Erasure through the store and the resolver that import uses: the identities go on the
 * suppression list, a later resolve of any of them is refused and creates nobody; the export of
 * another customer is complete and holds nothing of the erased one. */
static void erase_and_suppress(void)
{
    char path[512];
    enc_store *st = fresh("erase.db", path, sizeof path);
    if (!st) return;
    enc_err err = {0};
    enc_ident *id = enc_ident_new(st, "t.csv");
    int64_t a, b;
    CHECK_INT(enc_store_begin(st, &err), ENC_OK);
    add_customer(st, id, "A1", "ann@example.com", "Ann Erased", &a);
    add_customer(st, id, "B1", "bob@example.com", "Bob Kept", &b);
    enc_order_rec o = {.source = "t.csv",
                       .order_key = "O1",
                       .customer = a,
                       .ts = 1700000000,
                       .status = "paid",
                       .total = 1234,
                       .has_total = true,
                       .items = 1};
    int64_t oid;
    enc_put p;
    CHECK_INT(enc_store_order_put(st, &o, &oid, &p, &err), ENC_OK);
    CHECK_INT(enc_store_commit(st, &err), ENC_OK);
    enc_ident_free(id);

    enc_erase_opts eo = {.reason = "request 1", .actor = "test", .client = "unit", .now = 1};
    enc_erase_result r;
    eo.reason = "from ANN@example.com";
    CHECK_INT(enc_privacy_erase(st, a, &eo, &r, &err), ENC_EUSAGE); /* case-insensitive */
    eo.reason = "request 1";
    CHECK_INT(enc_privacy_erase(st, a, &eo, &r, &err), ENC_OK);
    CHECK_INT(r.store.records, 1);
    CHECK_INT(r.store.suppressed, 2); /* ext A1, email */
    CHECK_INT(r.store.orders_kept, 1);
    /* again: only the compaction; the store refuses a second erasure itself */
    CHECK_INT(enc_privacy_erase(st, a, &eo, &r, &err), ENC_OK);
    CHECK(r.already && r.store.identities == 0 && r.store.suppressed == 0);
    enc_store_erase_req again = {.customer = a, .now = 2, .actor = "test"};
    enc_store_erased e2;
    CHECK_INT(enc_store_customer_erase(st, &again, &e2, &err), ENC_EUSAGE);
    CHECK(strstr(err.msg, "already erased") != NULL);
    CHECK_INT(enc_privacy_erase(st, 999, &eo, &r, &err), ENC_ENOTFOUND);

    /* a new resolver (a later import) refuses both identities, creates nobody */
    id = enc_ident_new(st, "again.csv");
    enc_customer_rec cr = {.name = "Ann Erased"};
    int64_t c;
    bool created;
    CHECK_INT(enc_store_begin(st, &err), ENC_OK);
    CHECK_INT(enc_ident_resolve(id, NULL, "ann@example.com", NULL, &cr, &c, &created, &err),
              ENC_OK);
    CHECK(enc_ident_was_suppressed(id) && c == 0 && !created);
    CHECK_INT(enc_ident_resolve(id, "A1", NULL, NULL, &cr, &c, &created, &err), ENC_OK);
    CHECK(enc_ident_was_suppressed(id) && c == 0 && !created);
    CHECK_INT(enc_ident_resolve(id, "B1", NULL, NULL, &cr, &c, &created, &err), ENC_OK);
    CHECK(!enc_ident_was_suppressed(id) && c == b);
    CHECK_INT(enc_ident_suppressed(id), 2);
    CHECK_INT(enc_store_commit(st, &err), ENC_OK);
    enc_ident_free(id);

    /* the export of Bob: his record and identities, nothing of Ann */
    enc_buf buf = {0};
    enc_jw w;
    enc_jw_init(&w, &buf);
    CHECK_INT(enc_privacy_export(st, b, 5, &w, &err), ENC_OK);
    json_t *d = json_loads(buf.p, 0, NULL);
    CHECK(d != NULL);
    CHECK_STR(json_string_value(json_object_get(d, "format")), ENC_EXPORT_FORMAT);
    CHECK_INT(json_array_size(json_object_get(d, "identities")), 2);
    CHECK_STR(json_string_value(
                  json_object_get(json_array_get(json_object_get(d, "records"), 0), "name")),
              "Bob Kept");
    CHECK(strstr(buf.p, "ann@") == NULL && strstr(buf.p, "Ann") == NULL);
    json_decref(d);
    enc_buf_free(&buf);

    /* without the master key, the suppression list cannot be read: a clear error */
    char key[600];
    snprintf(key, sizeof key, "%s.key", path);
    char moved[620];
    snprintf(moved, sizeof moved, "%s.moved", key);
    CHECK(rename(key, moved) == 0);
    id = enc_ident_new(st, "nokey.csv");
    CHECK_INT(enc_ident_resolve(id, "B1", NULL, NULL, &cr, &c, &created, &err), ENC_EUSAGE);
    CHECK(strstr(err.msg, "no master key") != NULL);
    enc_ident_free(id);
    CHECK(rename(moved, key) == 0);
    enc_store_close(st);
}

static void master_hex(enc_mkey *k, uint8_t fill)
{
    char h[65];
    uint8_t m[32];
    memset(m, fill, sizeof m);
    hex(m, 32, h);
    enc_err err;
    if (enc_mkey_from_hex(h, 64, k, &err)) TH_FAIL("key: %s", err.msg);
}

/* Data keys wrapped under the master key, fields sealed under a data key: round trips, bound to
 * their customer and field, refused when altered; the wrong master key is a clear error; a new
 * master key re-wraps (rotation) and the fields still open. */
static void sealed_fields(void)
{
    enc_mkey mk, other;
    master_hex(&mk, 0x42);
    master_hex(&other, 0x43);
    enc_dkey dk, back;
    enc_dkey_new(&dk);
    uint8_t w[ENC_WRAPPED_BYTES];
    enc_dkey_wrap(&mk, 7, &dk, w);
    enc_err err;
    CHECK_INT(enc_dkey_unwrap(&mk, 7, w, sizeof w, &back, &err), ENC_OK);
    CHECK(memcmp(dk.k, back.k, 32) == 0);
    CHECK_INT(enc_dkey_unwrap(&other, 7, w, sizeof w, &back, &err), ENC_EUSAGE);
    CHECK(strstr(err.msg, "master key does not open") != NULL);
    CHECK_INT(enc_dkey_unwrap(&mk, 8, w, sizeof w, &back, &err), ENC_EUSAGE); /* another customer */
    CHECK_INT(enc_dkey_unwrap(&mk, 7, w, sizeof w - 1, &back, &err), ENC_EPARSE);

    const char *name = "王芳 Wang Fang";
    uint8_t sealed[128], opened[128];
    size_t n = strlen(name), got;
    enc_seal(&dk, 7, "name", name, n, sealed);
    CHECK(memmem(sealed, n + ENC_SEAL_OVERHEAD, "Wang", 4) == NULL);
    CHECK_INT(
        enc_open(&dk, 7, "name", sealed, n + ENC_SEAL_OVERHEAD, opened, sizeof opened, &got, &err),
        ENC_OK);
    CHECK(got == n && memcmp(opened, name, n) == 0);
    CHECK_INT(
        enc_open(&dk, 7, "email", sealed, n + ENC_SEAL_OVERHEAD, opened, sizeof opened, &got, &err),
        ENC_EUSAGE); /* moved to another field */
    CHECK_INT(
        enc_open(&dk, 8, "name", sealed, n + ENC_SEAL_OVERHEAD, opened, sizeof opened, &got, &err),
        ENC_EUSAGE); /* to another customer */
    for (size_t i = 0; i < n + ENC_SEAL_OVERHEAD; i += 7) {
        sealed[i] ^= 0x01;
        enc_rc rc = enc_open(&dk, 7, "name", sealed, n + ENC_SEAL_OVERHEAD, opened, sizeof opened,
                             &got, &err);
        CHECK_MSG(rc != ENC_OK, "byte %zu altered and still opened", i);
        sealed[i] ^= 0x01;
    }
    CHECK_INT(
        enc_open(&dk, 7, "name", sealed, ENC_SEAL_OVERHEAD - 1, opened, sizeof opened, &got, &err),
        ENC_EPARSE);
    /* rotation: unwrap under the old master key, wrap under the new; the field still opens */
    uint8_t w2[ENC_WRAPPED_BYTES];
    CHECK_INT(enc_dkey_unwrap(&mk, 7, w, sizeof w, &back, &err), ENC_OK);
    enc_dkey_wrap(&other, 7, &back, w2);
    CHECK_INT(enc_dkey_unwrap(&other, 7, w2, sizeof w2, &back, &err), ENC_OK);
    CHECK_INT(enc_open(&back, 7, "name", sealed, n + ENC_SEAL_OVERHEAD, opened, sizeof opened, &got,
                       &err),
              ENC_OK);
    CHECK_INT(enc_dkey_unwrap(&mk, 7, w2, sizeof w2, &back, &err), ENC_EUSAGE);
}

/* The formats against a second implementation (PyNaCl, tests/oracle/sealed_field.py): it opens
 * what C sealed, and C opens what it sealed. */
static void sealed_fields_oracle(void)
{
    if (!py_have("nacl")) return;
    enc_mkey mk;
    master_hex(&mk, 0x5a);
    enc_dkey dk;
    enc_dkey_new(&dk);
    uint8_t w[ENC_WRAPPED_BYTES], sealed[64];
    const char *email = "ann@example.com";
    enc_dkey_wrap(&mk, 123456789012LL, &dk, w);
    enc_seal(&dk, 123456789012LL, "email", email, strlen(email), sealed);
    char mh[65], wh[2 * ENC_WRAPPED_BYTES + 1], sh[2 * sizeof sealed + 1];
    hex(mk.master, 32, mh);
    hex(w, sizeof w, wh);
    hex(sealed, strlen(email) + ENC_SEAL_OVERHEAD, sh);
    FILE *f = fopen(py_path("sealed.txt"), "w");
    fprintf(f, "%s\n123456789012\nemail\n%s\n%s\n", mh, wh, sh);
    fclose(f);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s tests/oracle/sealed_field.py %s", PY_BIN, th_tmpdir());
    CHECK_INT(system(cmd), 0);
    char line1[256] = "", line2[256] = "";
    f = fopen(py_path("opened.txt"), "r");
    CHECK(f && fgets(line1, sizeof line1, f) && fgets(line2, sizeof line2, f));
    if (f) fclose(f);
    char want[64];
    hex((const uint8_t *)email, strlen(email), want);
    CHECK(strncmp(line1, want, strlen(want)) == 0);
    uint8_t theirs[128], opened[128];
    size_t tn = strcspn(line2, "\n") / 2, got;
    for (size_t i = 0; i < tn; i++) sscanf(line2 + 2 * i, "%2hhx", &theirs[i]);
    enc_err err;
    CHECK_INT(enc_open(&dk, 123456789012LL, "email", theirs, tn, opened, sizeof opened, &got, &err),
              ENC_OK);
    CHECK(got == 11 && memcmp(opened, "oracle text", 11) == 0);
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    RUN(blind_known_answer);
    RUN(master_key_sources);
    RUN(export_covers_schema);
    RUN(erase_and_suppress);
    RUN(sealed_fields);
    RUN(sealed_fields_oracle);
    return TEST_SUMMARY();
}
