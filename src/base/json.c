/* json.c — streaming JSON writer (see json.h). */
#include "base/json.h"
#include "base/utf8.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>

void enc_jw_init(enc_jw *w, enc_buf *out)
{
    memset(w, 0, sizeof *w);
    w->out = out;
    w->first[0] = true;
}

static void sep(enc_jw *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (!w->first[w->depth]) enc_buf_addc(w->out, ',');
    w->first[w->depth] = false;
}

static void open(enc_jw *w, char c)
{
    sep(w);
    enc_buf_addc(w->out, c);
    if (w->depth + 1 < ENC_JW_MAXDEPTH) w->depth++;
    w->first[w->depth] = true;
    w->close[w->depth] = c == '{' ? '}' : ']';
}

void enc_jw_obj(enc_jw *w) { open(w, '{'); }
void enc_jw_arr(enc_jw *w) { open(w, '['); }

void enc_jw_end(enc_jw *w)
{
    enc_buf_addc(w->out, w->close[w->depth] ? w->close[w->depth] : '}');
    if (w->depth > 0) w->depth--;
}

void enc_json_escape(enc_buf *b, const char *s, size_t n)
{
    enc_buf_addc(b, '"');
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char tmp[8];
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default:
            if (c < 0x20) {
                snprintf(tmp, sizeof tmp, "\\u%04x", c);
                esc = tmp;
            }
        }
        if (esc) {
            enc_buf_add(b, s + i - run, run);
            run = 0;
            enc_buf_adds(b, esc);
        } else {
            run++;
        }
    }
    enc_buf_add(b, s + n - run, run);
    enc_buf_addc(b, '"');
}

void enc_jw_key(enc_jw *w, const char *key)
{
    sep(w);
    enc_json_escape(w->out, key, strlen(key));
    enc_buf_addc(w->out, ':');
    w->after_key = true;
}

void enc_jw_raw(enc_jw *w, const char *s, size_t n)
{
    sep(w);
    enc_buf_add(w->out, s, n);
}

void enc_jw_strn(enc_jw *w, const char *s, size_t n)
{
    sep(w);
    enc_json_escape(w->out, s, n);
}

void enc_jw_str(enc_jw *w, const char *s)
{
    if (!s) {
        enc_jw_null(w);
        return;
    }
    enc_jw_strn(w, s, strlen(s));
}

void enc_jw_int(enc_jw *w, int64_t v)
{
    sep(w);
    enc_buf_printf(w->out, "%" PRId64, v);
}

void enc_jw_num(enc_jw *w, double v)
{
    if (!isfinite(v)) {
        enc_jw_null(w);
        return;
    }
    sep(w);
    char tmp[40];
    for (int prec = 10; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (strtod(tmp, NULL) == v) break;
    }
    enc_buf_adds(w->out, tmp);
}

void enc_jw_bool(enc_jw *w, bool v)
{
    sep(w);
    enc_buf_adds(w->out, v ? "true" : "false");
}

void enc_jw_null(enc_jw *w)
{
    sep(w);
    enc_buf_adds(w->out, "null");
}

void enc_money_format(char *out, size_t cap, int64_t minor, int digits)
{
    uint64_t a = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
    uint64_t scale = 1;
    for (int i = 0; i < digits; i++) scale *= 10;
    if (digits == 0) snprintf(out, cap, "%s%" PRIu64, minor < 0 ? "-" : "", a);
    else
        snprintf(out, cap, "%s%" PRIu64 ".%0*" PRIu64, minor < 0 ? "-" : "", a / scale, digits,
                 a % scale);
}

void enc_jw_money(enc_jw *w, int64_t minor, int digits)
{
    char tmp[48];
    enc_money_format(tmp, sizeof tmp, minor, digits);
    sep(w);
    enc_buf_adds(w->out, tmp);
}

void enc_jw_kstr(enc_jw *w, const char *k, const char *s) { enc_jw_key(w, k), enc_jw_str(w, s); }
void enc_jw_kint(enc_jw *w, const char *k, int64_t v) { enc_jw_key(w, k), enc_jw_int(w, v); }
void enc_jw_knum(enc_jw *w, const char *k, double v) { enc_jw_key(w, k), enc_jw_num(w, v); }
void enc_jw_kbool(enc_jw *w, const char *k, bool v) { enc_jw_key(w, k), enc_jw_bool(w, v); }

double enc_round_dp(double v, int decimals)
{
    double scale = pow(10, decimals);
    if (!isfinite(v) || fabs(v) * scale >= 9007199254740992.0) return v; /* 2^53 */
    double r = round(v * scale) / scale;
    return r == 0 ? 0 : r;
}

void enc_jw_round(enc_jw *w, double v, int decimals) { enc_jw_num(w, enc_round_dp(v, decimals)); }
void enc_jw_kround(enc_jw *w, const char *k, double v, int decimals)
{
    enc_jw_key(w, k), enc_jw_round(w, v, decimals);
}

/* ---- reading: a JSON array of strings (as the profiles table keeps lists) ---- */

static int hexval(const char *s, size_t i, size_t n)
{
    if (i + 4 > n) return -1;
    int v = 0;
    for (size_t k = i; k < i + 4; k++) {
        char c = s[k];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0) return -1;
        v = v * 16 + d;
    }
    return v;
}

int enc_json_strings(const char *s, size_t n, char *buf, const char **items, size_t *lens, int cap)
{
    size_t i = 0, o = 0;
    int k = 0;
#define WS()                                                                                       \
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++
    WS();
    if (i == n) return 0;
    if (n - i >= 4 && memcmp(s + i, "null", 4) == 0) {
        i += 4;
        WS();
        return i == n ? 0 : -1;
    }
    if (s[i++] != '[') return -1;
    WS();
    if (i < n && s[i] == ']') {
        i++;
        WS();
        return i == n ? 0 : -1;
    }
    for (;;) {
        WS();
        if (i >= n || s[i++] != '"') return -1;
        if (k == cap) return -1;
        items[k] = buf + o;
        size_t start = o;
        for (;;) {
            if (i >= n) return -1;
            unsigned char c = (unsigned char)s[i++];
            if (c == '"') break;
            if (c < 0x20) return -1;
            if (c != '\\') {
                buf[o++] = (char)c;
                continue;
            }
            if (i >= n) return -1;
            char esc = s[i++];
            switch (esc) {
            case '"':
            case '\\':
            case '/': buf[o++] = esc; break;
            case 'b': buf[o++] = '\b'; break;
            case 'f': buf[o++] = '\f'; break;
            case 'n': buf[o++] = '\n'; break;
            case 'r': buf[o++] = '\r'; break;
            case 't': buf[o++] = '\t'; break;
            case 'u': {
                int cp = hexval(s, i, n);
                if (cp < 0) return -1;
                i += 4;
                if (cp >= 0xd800 && cp <= 0xdbff) {
                    int lo =
                        i + 1 < n && s[i] == '\\' && s[i + 1] == 'u' ? hexval(s, i + 2, n) : -1;
                    if (lo < 0xdc00 || lo > 0xdfff) return -1;
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                    i += 6;
                } else if (cp >= 0xdc00 && cp <= 0xdfff) {
                    return -1;
                }
                if (cp == 0) return -1;
                /* an escape never takes more bytes than it had in the input (6 or 12) */
                o += enc_utf8_put(buf + o, (uint32_t)cp);
                break;
            }
            default: return -1;
            }
        }
        buf[o++] = 0;
        lens[k++] = o - 1 - start;
        WS();
        if (i < n && s[i] == ',') {
            i++;
            continue;
        }
        if (i < n && s[i] == ']') {
            i++;
            WS();
            return i == n ? k : -1;
        }
        return -1;
    }
#undef WS
}
