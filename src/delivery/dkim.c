/* dkim.c — DKIM signing (dkim.h): RFC 6376 relaxed/relaxed over OpenSSL's EVP interface;
 * rsa-sha256 signs SHA-256 of the signed data with RSASSA-PKCS1-v1_5, ed25519-sha256 (RFC 8463
 * §3) signs the SHA-256 digest of the same data with PureEdDSA. */
#include "delivery/dkim.h"
#include "base/mem.h"
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

struct enc_dkim {
    EVP_PKEY *key;
    bool ed25519;
    char domain[254], selector[64];
};

const char *enc_dkim_algorithm(const enc_dkim *d)
{
    return d->ed25519 ? "ed25519-sha256" : "rsa-sha256";
}

/* letters, digits, '-', '_' and dots between labels: what d= and s= may hold here */
static bool dns_name_ok(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max || s[0] == '.' || s[n - 1] == '.') return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(isalnum(c) || c == '-' || c == '_' || c == '.')) return false;
        if (c == '.' && s[i + 1] == '.') return false;
    }
    return true;
}

static enc_rc key_file_open(const char *path, FILE **out, enc_err *err)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return enc_fail(err, ENC_EIO, "DKIM key %s: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return enc_fail(err, ENC_EUSAGE, "DKIM key %s: not a regular file", path);
    }
    if (sb.st_mode & (S_IRWXG | S_IRWXO)) {
        close(fd);
        return enc_fail(err, ENC_EUSAGE,
                        "DKIM key %s: readable by group or others (mode %03o): chmod 600 it", path,
                        (unsigned)(sb.st_mode & 0777));
    }
    if (sb.st_size > 64 * 1024) {
        close(fd);
        return enc_fail(err, ENC_ELIMIT, "DKIM key %s: larger than 64 KiB", path);
    }
    *out = fdopen(fd, "r");
    if (!*out) {
        close(fd);
        return enc_fail(err, ENC_EIO, "DKIM key %s: %s", path, strerror(errno));
    }
    return ENC_OK;
}

static enc_rc load_key(const char *path, EVP_PKEY **key, bool *ed, enc_err *err)
{
    FILE *f;
    if (key_file_open(path, &f, err)) return err->rc;
    *key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    if (!*key) return enc_fail(err, ENC_EPARSE, "DKIM key %s: not a PEM private key", path);
    int id = EVP_PKEY_get_base_id(*key);
    if (id == EVP_PKEY_ED25519) *ed = true;
    else if (id == EVP_PKEY_RSA) {
        *ed = false;
        if (EVP_PKEY_get_bits(*key) < 2048) {
            EVP_PKEY_free(*key);
            *key = NULL;
            return enc_fail(err, ENC_EUSAGE,
                            "DKIM key %s: RSA keys need at least 2048 bits (RFC 8301)", path);
        }
    } else {
        EVP_PKEY_free(*key);
        *key = NULL;
        return enc_fail(err, ENC_EUSAGE, "DKIM key %s: neither an RSA nor an Ed25519 key", path);
    }
    return ENC_OK;
}

enc_rc enc_dkim_open(const char *domain, const char *selector, const char *key_path, enc_dkim **out,
                     enc_err *err)
{
    *out = NULL;
    if (!domain || !dns_name_ok(domain, 253))
        return enc_fail(err, ENC_EUSAGE, "dkim_domain: not a domain name");
    if (!selector || !dns_name_ok(selector, 63))
        return enc_fail(err, ENC_EUSAGE, "dkim_selector: not a DNS label");
    if (!key_path || !*key_path)
        return enc_fail(err, ENC_EUSAGE, "dkim_key: the key file is required");
    enc_dkim *d = enc_xcalloc(1, sizeof *d);
    if (load_key(key_path, &d->key, &d->ed25519, err)) {
        free(d);
        return err->rc;
    }
    snprintf(d->domain, sizeof d->domain, "%s", domain);
    snprintf(d->selector, sizeof d->selector, "%s", selector);
    *out = d;
    return ENC_OK;
}

void enc_dkim_free(enc_dkim *d)
{
    if (!d) return;
    EVP_PKEY_free(d->key);
    free(d);
}

/* ---- canonicalisation ------------------------------------------------------------------- */

static bool wsp(char c) { return c == ' ' || c == '\t'; }

void enc_dkim_canon_header(const char *f, size_t n, enc_buf *out)
{
    /* name: lower case, without white space before the colon */
    const char *colon = memchr(f, ':', n);
    if (!colon) return;
    size_t nl = (size_t)(colon - f);
    while (nl && wsp(f[nl - 1])) nl--;
    for (size_t i = 0; i < nl; i++) enc_buf_addc(out, (char)tolower((unsigned char)f[i]));
    enc_buf_addc(out, ':');
    /* value: unfolded, runs of WSP as one SP, none at either end */
    const char *v = colon + 1, *end = f + n;
    while (end > v && (end[-1] == '\n' || end[-1] == '\r')) end--;
    bool pending = false, started = false;
    for (const char *p = v; p < end; p++) {
        char c = *p;
        if (c == '\r' || c == '\n') continue;
        if (wsp(c)) {
            pending = started;
            continue;
        }
        if (pending) enc_buf_addc(out, ' ');
        pending = false;
        started = true;
        enc_buf_addc(out, c);
    }
    enc_buf_adds(out, "\r\n");
}

void enc_dkim_canon_body(const char *b, size_t n, enc_buf *out)
{
    size_t blank = 0; /* empty lines held back: trailing ones are dropped */
    const char *p = b, *end = b + n;
    while (p < end) {
        const char *eol = p;
        while (eol < end && *eol != '\n') eol++;
        const char *le = eol;
        if (le > p && le[-1] == '\r') le--;
        /* the line reduced: WSP runs as one SP, none at the end */
        enc_buf line = {0};
        bool pending = false;
        for (const char *q = p; q < le; q++) {
            if (wsp(*q)) {
                pending = true;
                continue;
            }
            if (pending) enc_buf_addc(&line, ' ');
            pending = false;
            enc_buf_addc(&line, *q);
        }
        bool last_unterminated = eol == end;
        if (line.len == 0 && !last_unterminated) blank++;
        else if (line.len > 0 || !last_unterminated) {
            for (; blank; blank--) enc_buf_adds(out, "\r\n");
            enc_buf_add(out, line.p, line.len);
            enc_buf_adds(out, "\r\n");
        }
        enc_buf_free(&line);
        p = eol < end ? eol + 1 : end;
    }
}

/* ---- signing ---------------------------------------------------------------------------- */

static void b64(enc_buf *out, const unsigned char *p, size_t n)
{
    size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    char *t = enc_xmalloc(cap);
    sodium_bin2base64(t, cap, p, n, sodium_base64_VARIANT_ORIGINAL);
    enc_buf_adds(out, t);
    free(t);
}

/* The last field named name (case-insensitive) in the header block h[0..n): *f, *fl. */
static bool find_field(const char *h, size_t n, const char *name, const char **f, size_t *fl)
{
    size_t nl = strlen(name);
    bool found = false;
    const char *p = h, *end = h + n;
    while (p < end) {
        /* a field runs to the CRLF not followed by WSP */
        const char *q = p;
        for (;;) {
            const char *nlp = memchr(q, '\n', (size_t)(end - q));
            if (!nlp) {
                q = end;
                break;
            }
            q = nlp + 1;
            if (q >= end || !wsp(*q)) break;
        }
        size_t k = 0;
        while (p + k < q && p[k] != ':' && !wsp(p[k])) k++;
        if (k == nl && strncasecmp(p, name, nl) == 0) {
            *f = p;
            *fl = (size_t)(q - p);
            found = true;
        }
        p = q;
    }
    return found;
}

static enc_rc sign_bytes(const enc_dkim *d, const unsigned char *data, size_t n, enc_buf *sig,
                         enc_err *err)
{
    EVP_MD_CTX *mc = EVP_MD_CTX_new();
    unsigned char digest[32], out[1024];
    size_t olen = sizeof out;
    bool ok;
    if (d->ed25519) {
        /* RFC 8463 §3: the Ed25519 signature of the SHA-256 hash of the data */
        unsigned int dl = 0;
        ok = EVP_Digest(data, n, digest, &dl, EVP_sha256(), NULL) == 1 &&
             EVP_DigestSignInit(mc, NULL, NULL, NULL, d->key) == 1 &&
             EVP_DigestSign(mc, out, &olen, digest, dl) == 1;
    } else {
        ok = EVP_DigestSignInit(mc, NULL, EVP_sha256(), NULL, d->key) == 1 &&
             EVP_DigestSignUpdate(mc, data, n) == 1 && EVP_DigestSignFinal(mc, NULL, &olen) == 1 &&
             olen <= sizeof out && EVP_DigestSignFinal(mc, out, &olen) == 1;
    }
    EVP_MD_CTX_free(mc);
    if (!ok) return enc_fail(err, ENC_EFAIL, "DKIM: signing failed");
    b64(sig, out, olen);
    return ENC_OK;
}

enc_rc enc_dkim_sign(const enc_dkim *d, const char *msg, size_t n, int64_t now, enc_buf *out,
                     enc_err *err)
{
    /* headers end at the first empty line */
    const char *sep = NULL;
    for (size_t i = 0; i + 1 < n; i++)
        if (msg[i] == '\n' &&
            (msg[i + 1] == '\n' || (msg[i + 1] == '\r' && i + 2 < n && msg[i + 2] == '\n'))) {
            sep = msg + i + 1;
            break;
        }
    if (!sep) return enc_fail(err, ENC_EUSAGE, "DKIM: the message has no body separator");
    size_t hn = (size_t)(sep - msg);
    const char *body = sep + (*sep == '\r' ? 2 : 1);
    enc_buf cb = {0};
    enc_dkim_canon_body(body, (size_t)(msg + n - body), &cb);
    unsigned char bh[32];
    unsigned int bl = 0;
    EVP_Digest(cb.p ? cb.p : "", cb.len, bh, &bl, EVP_sha256(), NULL);
    enc_buf_free(&cb);

    enc_buf data = {0}, hlist = {0};
    char names[] = ENC_DKIM_HEADERS;
    for (char *save = NULL, *t = strtok_r(names, ":", &save); t; t = strtok_r(NULL, ":", &save)) {
        const char *f;
        size_t fl;
        if (!find_field(msg, hn, t, &f, &fl)) continue;
        enc_dkim_canon_header(f, fl, &data);
        if (hlist.len) enc_buf_addc(&hlist, ':');
        enc_buf_adds(&hlist, t);
    }
    enc_buf hdr = {0};
    enc_buf_printf(&hdr,
                   "DKIM-Signature: v=1; a=%s; c=relaxed/relaxed; d=%s; s=%s;\r\n\tt=%lld; h=",
                   enc_dkim_algorithm(d), d->domain, d->selector, (long long)now);
    enc_buf_add(&hdr, hlist.p, hlist.len);
    enc_buf_adds(&hdr, ";\r\n\tbh=");
    b64(&hdr, bh, 32);
    enc_buf_adds(&hdr, ";\r\n\tb=");
    /* the signature field itself, with b= empty and no CRLF, ends the signed data (§3.7) */
    size_t at = data.len;
    enc_dkim_canon_header(hdr.p, hdr.len, &data);
    data.len = at + (data.len - at - 2);
    enc_buf sig = {0};
    enc_rc rc = sign_bytes(d, (const unsigned char *)data.p, data.len, &sig, err);
    if (!rc) {
        enc_buf_add(out, hdr.p, hdr.len);
        enc_buf_add(out, sig.p, sig.len);
        enc_buf_adds(out, "\r\n");
    }
    enc_buf_free(&sig);
    enc_buf_free(&hdr);
    enc_buf_free(&hlist);
    enc_buf_free(&data);
    return rc;
}

/* ---- keys ------------------------------------------------------------------------------- */

static enc_rc record_of(EVP_PKEY *k, enc_buf *record, enc_err *err)
{
    if (EVP_PKEY_get_base_id(k) == EVP_PKEY_ED25519) {
        unsigned char pub[32];
        size_t pl = sizeof pub;
        if (EVP_PKEY_get_raw_public_key(k, pub, &pl) != 1 || pl != 32)
            return enc_fail(err, ENC_EFAIL, "DKIM: reading the public key failed");
        enc_buf_adds(record, "v=DKIM1; k=ed25519; p=");
        b64(record, pub, pl);
        return ENC_OK;
    }
    unsigned char *der = NULL;
    int dl = i2d_PUBKEY(k, &der);
    if (dl <= 0) return enc_fail(err, ENC_EFAIL, "DKIM: encoding the public key failed");
    enc_buf_adds(record, "v=DKIM1; k=rsa; p=");
    b64(record, der, (size_t)dl);
    OPENSSL_free(der);
    return ENC_OK;
}

enc_rc enc_dkim_record(const char *key_path, enc_buf *record, enc_err *err)
{
    EVP_PKEY *k;
    bool ed;
    if (load_key(key_path, &k, &ed, err)) return err->rc;
    enc_rc rc = record_of(k, record, err);
    EVP_PKEY_free(k);
    return rc;
}

enc_rc enc_dkim_keygen(const char *algorithm, const char *path, enc_buf *record, enc_err *err)
{
    EVP_PKEY *k = NULL;
    if (!algorithm || strcmp(algorithm, "rsa") == 0) k = EVP_RSA_gen(2048);
    else if (strcmp(algorithm, "ed25519") == 0) k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    else return enc_fail(err, ENC_EUSAGE, "--algorithm: rsa or ed25519");
    if (!k) return enc_fail(err, ENC_EFAIL, "DKIM: generating the key failed");
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        EVP_PKEY_free(k);
        return enc_fail(err, ENC_EIO, "%s: %s%s", path, strerror(errno),
                        errno == EEXIST ? " (a key file is never overwritten)" : "");
    }
    fchmod(fd, 0600); /* whatever the umask */
    FILE *f = fdopen(fd, "w");
    bool ok = f && PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) == 1;
    if (f) ok = fclose(f) == 0 && ok;
    else close(fd);
    if (!ok) {
        unlink(path);
        EVP_PKEY_free(k);
        return enc_fail(err, ENC_EIO, "%s: writing the key failed", path);
    }
    enc_rc rc = record_of(k, record, err);
    EVP_PKEY_free(k);
    return rc;
}
