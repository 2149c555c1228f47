/* clean.c — the cleaners of clean.h: turn one field of a merchant's file (a time, a date, an
 * amount, a count, an email, a phone number, an id, a gender) into the store's form, or say
 * why not. Ingest calls them on every field it maps; they are pure and never allocate.
 * Numbers are parsed as exact decimal digits into int64 fixed point (no floating point);
 * times go through datetime.h. The accepted forms are listed for users in docs/formats.md. */
#include "ingest/clean.h"
#include <string.h>
#include <strings.h>

/* ---- text */

static bool ascii_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

void enc_trim(const char **s, size_t *n)
{
    const unsigned char *p = (const unsigned char *)*s;
    size_t k = *n;
    for (;;) {
        if (k >= 1 && ascii_space(p[0])) p++, k--;
        else if (k >= 2 && p[0] == 0xC2 && p[1] == 0xA0) p += 2, k -= 2;
        else if (k >= 3 && p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) p += 3, k -= 3;
        else break;
    }
    for (;;) {
        if (k >= 1 && ascii_space(p[k - 1])) k--;
        else if (k >= 2 && p[k - 2] == 0xC2 && p[k - 1] == 0xA0) k -= 2;
        else if (k >= 3 && p[k - 3] == 0xE3 && p[k - 2] == 0x80 && p[k - 1] == 0x80) k -= 3;
        else break;
    }
    *s = (const char *)p;
    *n = k;
}

/* Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF. */
bool enc_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *e = p + n;
    while (p < e) {
        unsigned c = *p;
        if (c < 0x80) {
            p++;
            continue;
        }
        unsigned lo = 0x80, hi = 0xBF;
        int more;
        if (c < 0xC2) return false; /* continuation byte, or overlong C0/C1 */
        else if (c < 0xE0) more = 1;
        else if (c < 0xF0) {
            more = 2;
            if (c == 0xE0) lo = 0xA0;      /* overlong */
            else if (c == 0xED) hi = 0x9F; /* surrogates U+D800..DFFF */
        } else if (c < 0xF5) {
            more = 3;
            if (c == 0xF0) lo = 0x90;      /* overlong */
            else if (c == 0xF4) hi = 0x8F; /* above U+10FFFF */
        } else return false;
        if (e - p <= more) return false;
        if (p[1] < lo || p[1] > hi) return false;
        for (int i = 2; i <= more; i++)
            if ((p[i] & 0xC0) != 0x80) return false;
        p += more + 1;
    }
    return true;
}

static bool starts(const char *p, const char *e, const char *lit)
{
    size_t k = strlen(lit);
    return (size_t)(e - p) >= k && memcmp(p, lit, k) == 0;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c; }

/* reads 1..maxd digits; returns their count (0 = none) */
static int digits(const char **pp, const char *e, int maxd, int *v)
{
    const char *p = *pp;
    int k = 0, x = 0;
    while (p < e && k < maxd && is_digit(*p)) x = x * 10 + (*p++ - '0'), k++;
    *pp = p;
    *v = x;
    return k;
}

static void skip_spaces(const char **pp, const char *e)
{
    while (*pp < e && (**pp == ' ' || **pp == '\t')) (*pp)++;
}

/* ---- dates and times */

typedef struct dt_parts {
    int y, mo, d, h, mi, s;
    bool has_off;
    int32_t off;
    bool is_epoch;
    int64_t epoch;
} dt_parts;

#define U8_NIAN "\xE5\xB9\xB4" /* 年 */
#define U8_YUE "\xE6\x9C\x88"  /* 月 */
#define U8_RI "\xE6\x97\xA5"   /* 日 */

/* "HH:MM[:SS[.fff]]" then optional AM/PM and UTC offset; p is at the hour */
static const char *parse_time_part(const char **pp, const char *e, dt_parts *o)
{
    const char *p = *pp;
    if (digits(&p, e, 2, &o->h) == 0 || p == e || *p++ != ':') return "not a time";
    if (digits(&p, e, 2, &o->mi) != 2) return "not a time";
    if (p < e && *p == ':') {
        p++;
        if (digits(&p, e, 2, &o->s) != 2) return "not a time";
        if (p < e && (*p == '.' || *p == ',')) { /* fraction: dropped (seconds resolution) */
            p++;
            const char *q = p;
            while (p < e && is_digit(*p)) p++;
            if (p == q || p - q > 9) return "not a time";
        }
    }
    const char *q = p;
    skip_spaces(&q, e);
    if (e - q >= 2 && (lower(q[1]) == 'm') && (lower(q[0]) == 'a' || lower(q[0]) == 'p')) {
        if (o->h < 1 || o->h > 12) return "hour out of range";
        bool pm = lower(q[0]) == 'p';
        o->h = o->h % 12 + (pm ? 12 : 0);
        p = q + 2;
        q = p;
        skip_spaces(&q, e);
    }
    /* offset: Z, UTC, GMT, +HH[:MM], +HHMM; a space before it is allowed */
    if (q < e && (*q == 'Z' || *q == 'z') && q + 1 == e) {
        o->has_off = true;
        o->off = 0;
        p = q + 1;
    } else if (e - q == 3 && (strncmp(q, "UTC", 3) == 0 || strncmp(q, "GMT", 3) == 0)) {
        o->has_off = true;
        o->off = 0;
        p = e;
    } else if (q < e && (*q == '+' || *q == '-')) {
        int sign = *q == '-' ? -1 : 1, oh, om = 0;
        q++;
        if (digits(&q, e, 2, &oh) != 2) return "bad UTC offset";
        if (q < e && *q == ':') q++;
        if (q < e) {
            if (digits(&q, e, 2, &om) != 2) return "bad UTC offset";
        }
        if (oh > 18 || om > 59 || (oh == 18 && om)) return "bad UTC offset";
        o->has_off = true;
        o->off = sign * (oh * 3600 + om * 60);
        p = q;
    }
    *pp = p;
    return NULL;
}

static const char *parse_dt(const char *s, size_t n, dt_parts *o, bool epochs)
{
    const char *p = s, *e = s + n, *why;
    memset(o, 0, sizeof *o);
    if (n == 0) return "empty";
    size_t nd = 0;
    while (nd < n && is_digit(s[nd])) nd++;
    if (nd == n) { /* all digits */
        if (n == 8) {
            digits(&p, e, 4, &o->y);
            digits(&p, e, 2, &o->mo);
            digits(&p, e, 2, &o->d);
            goto check;
        }
        if (epochs && (n == 9 || n == 10 || n == 13)) {
            int64_t v = 0;
            for (size_t i = 0; i < n; i++) v = v * 10 + (s[i] - '0');
            o->is_epoch = true;
            o->epoch = n == 13 ? v / 1000 : v;
            return NULL;
        }
        return "not a date";
    }
    bool allow_t = false;
    if (nd == 4 && (s[4] == '-' || s[4] == '/')) { /* YYYY-MM-DD, YYYY/MM/DD */
        char sep = s[4];
        digits(&p, e, 4, &o->y);
        p++;
        if (digits(&p, e, 2, &o->mo) == 0 || p == e || *p++ != sep) return "not a date";
        if (digits(&p, e, 2, &o->d) == 0) return "not a date";
        allow_t = sep == '-';
    } else if ((nd == 1 || nd == 2) && s[nd] == '/') { /* MM/DD/YYYY */
        digits(&p, e, 2, &o->mo);
        p++;
        if (digits(&p, e, 2, &o->d) == 0 || p == e || *p++ != '/') return "not a date";
        if (digits(&p, e, 4, &o->y) != 4) return "not a date";
    } else if (nd == 4 && starts(s + 4, e, U8_NIAN)) { /* 2024年3月5日 */
        digits(&p, e, 4, &o->y);
        p += 3;
        if (digits(&p, e, 2, &o->mo) == 0 || !starts(p, e, U8_YUE)) return "not a date";
        p += 3;
        if (digits(&p, e, 2, &o->d) == 0 || !starts(p, e, U8_RI)) return "not a date";
        p += 3;
        if (p < e && is_digit(*p)) { /* 2024年3月5日10:20 */
            if ((why = parse_time_part(&p, e, o))) return why;
            goto end;
        }
    } else {
        return "not a date";
    }
    if (p < e && is_digit(*p)) return "not a date";
    if (p < e) { /* a time part: 'T' (ISO) or blanks, then the time */
        if (allow_t && (*p == 'T' || *p == 't')) p++;
        else if (*p == ' ' || *p == '\t') skip_spaces(&p, e);
        else return "not a date";
        if ((why = parse_time_part(&p, e, o))) return why;
    }
end:
    if (p != e) return "trailing text";
check:
    if (o->y < 1) return "year out of range";
    if (o->mo < 1 || o->mo > 12) return "month out of range";
    if (!enc_date_valid(o->y, o->mo, o->d)) return "day out of range";
    if (o->h > 23) return "hour out of range";
    if (o->mi > 59) return "minute out of range";
    if (o->s > 59) return "second out of range";
    return NULL;
}

bool enc_clean_time(const char *s, size_t n, const enc_tz *tz, int64_t *epoch, const char **why)
{
    dt_parts o;
    enc_trim(&s, &n);
    if ((*why = parse_dt(s, n, &o, true))) return false;
    if (o.is_epoch) {
        *epoch = o.epoch;
        return true;
    }
    int64_t local = enc_days_from_civil(o.y, o.mo, o.d) * 86400 + o.h * 3600 + o.mi * 60 + o.s;
    if (o.has_off) *epoch = local - o.off;
    else if (tz) *epoch = enc_tz_local_to_utc(tz, local);
    else *epoch = local;
    return true;
}

bool enc_clean_date(const char *s, size_t n, int *y, int *m, int *d, const char **why)
{
    dt_parts o;
    enc_trim(&s, &n);
    if ((*why = parse_dt(s, n, &o, false))) return false;
    *y = o.y;
    *m = o.mo;
    *d = o.d;
    return true;
}

/* ---- numbers */

/* a currency mark before or after an amount: a symbol, a 3-letter code, "US$"-style
 * two letters and a symbol, or 元; returns its length in bytes, 0 when there is none */
static size_t currency_at(const char *p, const char *e, bool suffix)
{
    static const char *const sym[] = {"\xC2\xA5",     "\xEF\xBF\xA5", "$",
                                      "\xE2\x82\xAC", "\xC2\xA3",     "\xE5\x85\x83"};
    for (size_t i = 0; i < sizeof sym / sizeof sym[0]; i++) {
        if (i == 5 && !suffix) continue; /* 元 follows the amount */
        if (starts(p, e, sym[i])) return strlen(sym[i]);
    }
    size_t k = 0;
    while (p + k < e && p[k] >= 'A' && p[k] <= 'Z') k++;
    if (p + k < e && ((p[k] >= 'a' && p[k] <= 'z') || (suffix && is_digit(p[k])))) return 0;
    if (k == 2 && !suffix && p + 2 < e && p[2] == '$') return 3; /* US$ HK$ NT$ */
    if (k == 3) return 3;                                        /* CNY USD RMB */
    return 0;
}

typedef struct num_parts {
    bool neg;
    const char *ip, *fp; /* integer digits (commas allowed between groups), fraction digits */
    size_t il, fl;
} num_parts;

/* The grammar shared by money, decimals and integers:
 *   [ ( ] [sign] [currency] [sign] digits[,ddd]*[.digits] [currency] [ ) ]   (blanks between) */
static const char *parse_num(const char *s, size_t n, bool money, num_parts *o)
{
    const char *p = s, *e = s + n;
    memset(o, 0, sizeof *o);
    if (n == 0) return "empty";
    bool paren = false, signed_ = false;
    int cur = 0; /* currency marks before the amount: "RMB¥" has two */
    if (money && n >= 2 && s[0] == '(' && s[n - 1] == ')') {
        paren = true;
        o->neg = true;
        p++;
        e--;
    }
    for (;;) { /* prefix: sign and currency in either order */
        skip_spaces(&p, e);
        if (p < e && (*p == '-' || *p == '+') && !signed_) {
            if (paren) return "bad sign";
            o->neg = *p == '-';
            signed_ = true;
            p++;
            continue;
        }
        if (starts(p, e, "\xE2\x88\x92") && !signed_ && !paren) { /* U+2212 minus sign */
            o->neg = signed_ = true;
            p += 3;
            continue;
        }
        size_t k;
        if (money && cur < 2 && (k = currency_at(p, e, false))) {
            cur++;
            p += k;
            continue;
        }
        break;
    }
    o->ip = p;
    const char *grp = NULL; /* start of the current comma group */
    while (p < e && (is_digit(*p) || *p == ',')) {
        if (*p == ',') {
            if (p == o->ip || (grp ? p - grp != 3 : p - o->ip > 3))
                return "misplaced thousands separator";
            grp = p + 1;
        }
        p++;
    }
    o->il = (size_t)(p - o->ip);
    if (grp && p - grp != 3) return "misplaced thousands separator";
    if (p < e && *p == '.') {
        o->fp = ++p;
        while (p < e && is_digit(*p)) p++;
        o->fl = (size_t)(p - o->fp);
    }
    if (o->il == 0 && o->fl == 0) return "not a number";
    if (p < e && (*p == 'e' || *p == 'E') && p + 1 < e &&
        (is_digit(p[1]) || p[1] == '-' || p[1] == '+'))
        return "exponent not accepted";
    skip_spaces(&p, e);
    size_t k;
    if (money && p < e && (k = currency_at(p, e, true))) {
        p += k;
        skip_spaces(&p, e);
        if (p < e && (k = currency_at(p, e, true))) p += k; /* "12 元 RMB" */
        skip_spaces(&p, e);
    }
    if (p != e) return "not a number";
    return NULL;
}

static const char *fixed_point(const num_parts *o, int scale, int64_t *out)
{
    uint64_t mag = 0;
    const uint64_t lim = (uint64_t)INT64_MAX;
    for (size_t i = 0; i < o->il; i++) {
        if (o->ip[i] == ',') continue;
        uint64_t dg = (uint64_t)(o->ip[i] - '0');
        if (mag > lim / 10 || (mag == lim / 10 && dg > lim % 10)) return "number too large";
        mag = mag * 10 + dg;
    }
    for (int i = 0; i < scale; i++) {
        uint64_t dg = (size_t)i < o->fl ? (uint64_t)(o->fp[i] - '0') : 0;
        if (mag > lim / 10 || (mag == lim / 10 && dg > lim % 10)) return "number too large";
        mag = mag * 10 + dg;
    }
    /* round half away from zero: the magnitude goes up when the first dropped digit is >= 5 */
    if ((size_t)scale < o->fl && o->fp[scale] >= '5') {
        if (mag == lim) return "number too large";
        mag++;
    }
    *out = o->neg ? -(int64_t)mag : (int64_t)mag;
    return NULL;
}

bool enc_clean_decimal(const char *s, size_t n, int scale, int64_t *out, const char **why)
{
    num_parts o;
    enc_trim(&s, &n);
    if (scale < 0 || scale > 18) {
        *why = "bad scale";
        return false;
    }
    if ((*why = parse_num(s, n, true, &o))) return false;
    return !(*why = fixed_point(&o, scale, out));
}

bool enc_clean_money(const char *s, size_t n, int digits_, int64_t *minor, const char **why)
{
    return enc_clean_decimal(s, n, digits_, minor, why);
}

bool enc_clean_int(const char *s, size_t n, int64_t *out, const char **why)
{
    num_parts o;
    enc_trim(&s, &n);
    if ((*why = parse_num(s, n, false, &o))) return false;
    for (size_t i = 0; i < o.fl; i++) {
        if (o.fp[i] != '0') {
            *why = "not a whole number";
            return false;
        }
    }
    return !(*why = fixed_point(&o, 0, out));
}

int enc_currency_digits(const char *code)
{
    static const char zero[] = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF "
                               "XPF";
    static const char three[] = "BHD IQD JOD KWD LYD OMR TND";
    if (!code || strlen(code) != 3) return 2;
    char c[4] = {0};
    for (int i = 0; i < 3; i++) {
        c[i] = code[i] >= 'a' && code[i] <= 'z' ? (char)(code[i] - 32) : code[i];
        if (c[i] < 'A' || c[i] > 'Z') return 2;
    }
    if (strstr(zero, c)) return 0;
    if (strstr(three, c)) return 3;
    return 2;
}

/* ---- email */

static bool local_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit((char)c) ||
           (c != 0 && strchr("!#$%&'*+/=?^_`{|}~-.", c) != NULL) || c >= 0x80;
}

bool enc_clean_email(const char *s, size_t n, char *out, size_t cap, const char **why)
{
    enc_trim(&s, &n);
    if (n >= 7 && strncasecmp(s, "mailto:", 7) == 0) s += 7, n -= 7;
    if (n == 0) return *why = "empty", false;
    if (n > 254) return *why = "too long", false;
    const char *at = memchr(s, '@', n);
    if (!at) return *why = "no @", false;
    if (memchr(at + 1, '@', n - (size_t)(at - s) - 1)) return *why = "more than one @", false;
    size_t ll = (size_t)(at - s), dl = n - ll - 1;
    if (ll == 0) return *why = "empty local part", false;
    if (ll > 64) return *why = "local part too long", false;
    for (size_t i = 0; i < ll; i++) {
        if (!local_char((unsigned char)s[i])) return *why = "bad character in local part", false;
        if (s[i] == '.' && (i == 0 || i == ll - 1 || s[i - 1] == '.'))
            return *why = "misplaced dot in local part", false;
    }
    if (!enc_utf8_valid(s, ll)) return *why = "bad character in local part", false;
    const char *d = at + 1;
    if (dl == 0) return *why = "no domain", false;
    if (!memchr(d, '.', dl)) return *why = "domain has no dot", false;
    size_t lab = 0; /* start of the current label */
    for (size_t i = 0; i <= dl; i++) {
        if (i == dl || d[i] == '.') {
            size_t len = i - lab;
            if (len == 0 || len > 63 || d[lab] == '-' || d[i - 1] == '-')
                return *why = "bad domain", false;
            if (i == dl) { /* top-level: letters, or an IDN "xn--" label */
                bool idn = len > 4 && strncasecmp(d + lab, "xn--", 4) == 0;
                if (len < 2) return *why = "bad top-level domain", false;
                for (size_t j = lab; j < i && !idn; j++)
                    if (!((d[j] >= 'a' && d[j] <= 'z') || (d[j] >= 'A' && d[j] <= 'Z')))
                        return *why = "bad top-level domain", false;
            }
            lab = i + 1;
            continue;
        }
        char c = lower(d[i]);
        if (!((c >= 'a' && c <= 'z') || is_digit(c) || c == '-')) return *why = "bad domain", false;
    }
    if (cap < n + 1) return *why = "too long", false;
    for (size_t i = 0; i < n; i++) out[i] = lower(s[i]);
    out[n] = 0;
    return true;
}

/* ---- phone */

bool enc_clean_phone(const char *s, size_t n, const char *default_cc, char *out, size_t cap,
                     const char **why)
{
    char dg[24];
    size_t nd = 0;
    bool plus = false;
    const char *p, *e;
    enc_trim(&s, &n);
    if (n == 0) return *why = "empty", false;
    if (n >= 4 && strncasecmp(s, "tel:", 4) == 0) s += 4, n -= 4;
    for (p = s, e = s + n; p < e;) {
        unsigned char c = (unsigned char)*p;
        if (c == '(' && nd > 0 && starts(p, e, "(0)")) {
            p += 3; /* "+44 (0)20 ...": the optional trunk prefix, never dialled from abroad */
        } else if (is_digit((char)c)) {
            if (nd == sizeof dg) return *why = "too long", false;
            dg[nd++] = (char)c;
            p++;
        } else if (starts(p, e, "\xEF\xBC") && p + 2 < e && (unsigned char)p[2] >= 0x90 &&
                   (unsigned char)p[2] <= 0x99) { /* full-width digits ０-９ */
            if (nd == sizeof dg) return *why = "too long", false;
            dg[nd++] = (char)('0' + (unsigned char)p[2] - 0x90);
            p += 3;
        } else if (c == '+' || starts(p, e, "\xEF\xBC\x8B")) { /* + or ＋ */
            if (plus || nd) return *why = "misplaced +", false;
            plus = true;
            p += c == '+' ? 1 : 3;
        } else if (c == ' ' || c == '\t' || c == '-' || c == '.' || c == '(' || c == ')' ||
                   c == '/') {
            p++;
        } else if (starts(p, e, "\xC2\xA0")) {
            p += 2;
        } else {
            return *why = "bad character", false;
        }
    }
    if (nd == 0) return *why = "no digits", false;
    char num[40];
    size_t nn = 0;
    if (plus) {
        memcpy(num, dg, nd), nn = nd;
    } else if (nd > 2 && dg[0] == '0' && dg[1] == '0') {
        memcpy(num, dg + 2, nd - 2), nn = nd - 2;
    } else if (nd == 11 && dg[0] == '1' && dg[1] >= '3') { /* Chinese mobile 1[3-9]x{9} */
        memcpy(num, "86", 2);
        memcpy(num + 2, dg, nd), nn = nd + 2;
    } else if (nd == 13 && dg[0] == '8' && dg[1] == '6' && dg[2] == '1' && dg[3] >= '3') {
        memcpy(num, dg, nd), nn = nd;
    } else {
        if (!default_cc) return *why = "no country code", false;
        const char *cc = default_cc[0] == '+' ? default_cc + 1 : default_cc;
        size_t cl = strlen(cc);
        if (cl < 1 || cl > 3 || cc[0] == '0') return *why = "bad default country code", false;
        for (size_t i = 0; i < cl; i++)
            if (!is_digit(cc[i])) return *why = "bad default country code", false;
        const char *nat = dg;
        size_t nl = nd;
        /* already international, only without the '+' (447700900123 with --phone-cc 44):
         * the country code followed by a full national number (8+ digits, no trunk 0) */
        if (nd >= cl + 8 && nd <= 15 && memcmp(dg, cc, cl) == 0 && dg[cl] != '0' &&
            strcmp(cc, "1") != 0)
            nat += cl, nl -= cl;
        else if (strcmp(cc, "1") == 0 && nl == 11 && nat[0] == '1') nat++, nl--; /* 1-212-... */
        else if (nat[0] == '0' && strcmp(cc, "39") != 0)
            nat++, nl--; /* trunk prefix; Italy keeps it */
        if (nl == 0) return *why = "too short", false;
        memcpy(num, cc, cl);
        memcpy(num + cl, nat, nl);
        nn = cl + nl;
    }
    if (nn == 0 || num[0] == '0') return *why = "bad country code", false;
    if (nn < 8) return *why = "too short", false;
    if (nn > 15) return *why = "too long", false;
    if (num[0] == '8' && num[1] == '6' && num[2] == '1' && num[3] >= '3' && nn != 13)
        return *why = "bad Chinese mobile number", false;
    if (cap < nn + 2) return *why = "output too small", false;
    out[0] = '+';
    memcpy(out + 1, num, nn);
    out[nn + 1] = 0;
    return true;
}

/* ---- ids and genders */

bool enc_clean_id(const char *s, size_t n, char *out, size_t cap, const char **why)
{
    enc_trim(&s, &n);
    if (n == 0) return *why = "empty", false;
    if (n > 128) return *why = "too long", false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7F) return *why = "control character", false;
        if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] < 0xA0) /* C1: U+0080..U+009F */
            return *why = "control character", false;
    }
    if (!enc_utf8_valid(s, n)) return *why = "not UTF-8", false;
    /* "17850.0" (an integer written by a float column) -> "17850" */
    size_t i = 0;
    while (i < n && is_digit(s[i])) i++;
    if (i > 0 && i + 1 < n && s[i] == '.') {
        size_t j = i + 1;
        while (j < n && s[j] == '0') j++;
        if (j == n) n = i;
    }
    if (cap < n + 1) return *why = "too long", false;
    memcpy(out, s, n);
    out[n] = 0;
    return true;
}

int enc_clean_gender(const char *s, size_t n)
{
    static const char *const male[] = {"m",
                                       "male",
                                       "man",
                                       "\xE7\x94\xB7",
                                       "\xE5\x85\x88\xE7\x94\x9F",
                                       "1",
                                       "\xE7\x94\xB7\xE6\x80\xA7"};
    static const char *const female[] = {"f",
                                         "female",
                                         "woman",
                                         "\xE5\xA5\xB3",
                                         "\xE5\xA5\xB3\xE5\xA3\xAB",
                                         "2",
                                         "\xE5\xA5\xB3\xE6\x80\xA7"};
    char low[16];
    enc_trim(&s, &n);
    if (n == 0 || n >= sizeof low) return 0;
    for (size_t i = 0; i < n; i++) low[i] = lower(s[i]);
    low[n] = 0;
    if (strlen(low) != n) return 0; /* an embedded NUL */
    for (size_t i = 0; i < sizeof male / sizeof male[0]; i++)
        if (strcmp(low, male[i]) == 0) return 'm';
    for (size_t i = 0; i < sizeof female / sizeof female[0]; i++)
        if (strcmp(low, female[i]) == 0) return 'f';
    return 0;
}
