/* datetime.c — civil dates, epoch seconds and time zones behind datetime.h. Zones are fixed
 * offsets or IANA zones read from TZif files (RFC 8536: v1, and the 64-bit data of v2+, with
 * the POSIX TZ footer rule for instants after the last transition). Nothing here touches the
 * process's TZ or calls tzset: a zone is a value. Used by the cleaners and by sending. */
#include "base/datetime.h"
#include "base/mem.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- civil dates: H. Hinnant, "chrono-Compatible Low-Level Date Algorithms" (2013),
 * days_from_civil and civil_from_days, proleptic Gregorian, day 0 = 1970-01-01. */

int64_t enc_days_from_civil(int y, int m, int d)
{
    int64_t yy = (int64_t)y - (m <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;                                  /* [0, 399] */
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

void enc_civil_from_days(int64_t z, int *y, int *m, int *d)
{
    /* keep |z| where the arithmetic cannot overflow (±2.9e14 years is beyond any use) */
    if (z > INT64_MAX / 4) z = INT64_MAX / 4;
    if (z < INT64_MIN / 4) z = INT64_MIN / 4;
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;                                      /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    int64_t yy = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100); /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                      /* [0, 11] */
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    yy += *m <= 2;
    *y = yy > INT32_MAX ? INT32_MAX : yy < INT32_MIN ? INT32_MIN : (int)yy;
}

static bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int month_days(int64_t y, int m)
{
    static const int md[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : md[m - 1];
}

bool enc_date_valid(int y, int m, int d)
{
    return m >= 1 && m <= 12 && d >= 1 && d <= month_days(y, m);
}

/* n decimal digits at p into *v; false when one is not a digit */
static bool digits(const char *p, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return false;
        *v = *v * 10 + (p[i] - '0');
    }
    return true;
}

bool enc_time_parse(const char *s, int64_t *out, bool *has_time)
{
    if (!s) return false;
    size_t n = strlen(s);
    if (n >= 1 && n <= 12 && strspn(s, "0123456789") == n) { /* epoch seconds */
        int64_t e = 0;
        for (size_t i = 0; i < n; i++) e = e * 10 + (s[i] - '0');
        *out = e;
        if (has_time) *has_time = true;
        return true;
    }
    int y, mo, d, hh = 0, mi = 0, ss = 0;
    if (n < 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
        !digits(s + 8, 2, &d) || y < 1000 || !enc_date_valid(y, mo, d))
        return false;
    const char *p = s + 10;
    bool timed = false;
    if (*p == ' ' || *p == 'T') {
        if (!digits(p + 1, 2, &hh) || p[3] != ':' || !digits(p + 4, 2, &mi)) return false;
        p += 6;
        if (*p == ':') {
            if (!digits(p + 1, 2, &ss)) return false;
            p += 3;
            if (*p == '.' || *p == ',') { /* a fraction of a second: dropped */
                size_t f = strspn(p + 1, "0123456789");
                if (f == 0 || f > 9) return false;
                p += 1 + f;
            }
        }
        if (hh > 23 || mi > 59 || ss > 59) return false;
        timed = true;
    }
    int off = 0; /* seconds east of UTC */
    if (*p == 'Z' && timed) {
        p++;
    } else if ((*p == '+' || *p == '-') && timed) {
        int sign = *p == '-' ? -1 : 1, oh, om = 0;
        if (!digits(p + 1, 2, &oh)) return false;
        p += 3;
        if (*p == ':') {
            if (!digits(p + 1, 2, &om)) return false;
            p += 3;
        } else if (*p >= '0' && *p <= '9') {
            if (!digits(p, 2, &om)) return false;
            p += 2;
        }
        if (oh > 14 || om > 59) return false;
        off = sign * (oh * 3600 + om * 60);
    }
    if (*p) return false;
    *out = enc_days_from_civil(y, mo, d) * 86400 + hh * 3600 + mi * 60 + ss - off;
    if (has_time) *has_time = timed;
    return true;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

void enc_fmt_date(char *out, size_t cap, int64_t epoch)
{
    int y, m, d;
    enc_civil_from_days(floor_div(epoch, 86400), &y, &m, &d);
    snprintf(out, cap, "%04d-%02d-%02d", y, m, d);
}

void enc_fmt_datetime(char *out, size_t cap, int64_t epoch)
{
    int y, m, d;
    int64_t days = floor_div(epoch, 86400);
    int64_t s = epoch - days * 86400;
    enc_civil_from_days(days, &y, &m, &d);
    snprintf(out, cap, "%04d-%02d-%02d %02d:%02d:%02d", y, m, d, (int)(s / 3600),
             (int)(s / 60 % 60), (int)(s % 60));
}

/* ---- zones */

typedef struct ttype {
    int32_t off;
    bool dst;
} ttype;

/* a POSIX TZ rule date: Jn (kind 'J', n 1..365, Feb 29 never counted), n (kind 'n', 0..365),
 * Mm.w.d (kind 'M'); secs = local time of day of the change (may be negative or > 24 h) */
typedef struct rule_date {
    char kind;
    int n, m, w, wd;
    int32_t secs;
} rule_date;

typedef struct posix_tz {
    bool has, has_dst;
    int32_t std_off, dst_off; /* east of UTC */
    rule_date start, end;
} posix_tz;

struct enc_tz {
    char *name;
    bool fixed;
    int32_t fixed_off;
    size_t ntrans, ntypes;
    int64_t *trans;
    uint8_t *idx;
    ttype *types;
    posix_tz footer;
};

#define MAX_FIXED_OFF (18 * 3600)

void enc_tz_free(enc_tz *tz)
{
    if (!tz) return;
    free(tz->name);
    free(tz->trans);
    free(tz->idx);
    free(tz->types);
    free(tz);
}

const char *enc_tz_name(const enc_tz *tz) { return tz->name; }

static int parse_digits(const char **pp, const char *e, int maxd, int *v)
{
    const char *p = *pp;
    int n = 0, x = 0;
    while (p < e && n < maxd && *p >= '0' && *p <= '9') {
        x = x * 10 + (*p++ - '0');
        n++;
    }
    *pp = p;
    *v = x;
    return n;
}

/* "+08:00", "+0800", "+08", "+8", "-05:30", "+8:00", optionally after "UTC" or "GMT" (there
 * "UTC+8" means 8 hours east, as people write it, not the POSIX reading). */
static bool parse_fixed(const char *s, int32_t *off)
{
    size_t n = strlen(s);
    const char *p = s, *e = s + n;
    if (n == 1 && (*s == 'Z' || *s == 'z')) {
        *off = 0;
        return true;
    }
    if (n >= 3 && (strncasecmp(s, "UTC", 3) == 0 || strncasecmp(s, "GMT", 3) == 0)) {
        p += 3;
        if (p == e) {
            *off = 0;
            return true;
        }
    }
    if (p == e || (*p != '+' && *p != '-')) return false;
    int sign = *p++ == '-' ? -1 : 1;
    int h, mi = 0;
    int nd = parse_digits(&p, e, 2, &h);
    if (nd == 0) return false;
    if (p < e) {
        if (*p == ':') p++;
        else if (nd == 1) return false; /* "+830" is ambiguous */
        if (parse_digits(&p, e, 2, &mi) != 2) return false;
    }
    if (p != e || mi >= 60) return false;
    int32_t o = h * 3600 + mi * 60;
    if (o > MAX_FIXED_OFF) return false;
    *off = sign * o;
    return true;
}

static void fixed_name(char *out, size_t cap, int32_t off)
{
    if (off == 0) {
        snprintf(out, cap, "UTC");
        return;
    }
    int32_t a = off < 0 ? -off : off;
    snprintf(out, cap, "%c%02d:%02d", off < 0 ? '-' : '+', (int)(a / 3600), (int)(a / 60 % 60));
}

/* ---- POSIX TZ strings (the TZif footer), as RFC 8536 section 3.3 extends them */

static bool ptz_name(const char **pp, const char *e)
{
    const char *p = *pp;
    if (p < e && *p == '<') {
        const char *q = ++p;
        while (p < e && *p != '>') {
            if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                  (*p >= '0' && *p <= '9') || *p == '+' || *p == '-'))
                return false;
            p++;
        }
        if (p == e || p - q < 3) return false;
        *pp = p + 1;
        return true;
    }
    const char *q = p;
    while (p < e && ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))) p++;
    if (p - q < 3) return false;
    *pp = p;
    return true;
}

/* [+-]hh[:mm[:ss]] with hh <= maxh; seconds into *v */
static bool ptz_time(const char **pp, const char *e, int maxh, int32_t *v)
{
    const char *p = *pp;
    int sign = 1, h, mi = 0, se = 0;
    if (p < e && (*p == '+' || *p == '-')) sign = *p++ == '-' ? -1 : 1;
    if (parse_digits(&p, e, 3, &h) == 0 || h > maxh) return false;
    if (p < e && *p == ':') {
        p++;
        if (parse_digits(&p, e, 2, &mi) != 2 || mi > 59) return false;
        if (p < e && *p == ':') {
            p++;
            if (parse_digits(&p, e, 2, &se) != 2 || se > 59) return false;
        }
    }
    *v = sign * (h * 3600 + mi * 60 + se);
    *pp = p;
    return true;
}

static bool ptz_rule(const char **pp, const char *e, rule_date *r)
{
    const char *p = *pp;
    memset(r, 0, sizeof *r);
    if (p < e && *p == 'J') {
        p++;
        r->kind = 'J';
        if (parse_digits(&p, e, 3, &r->n) == 0 || r->n < 1 || r->n > 365) return false;
    } else if (p < e && *p == 'M') {
        p++;
        r->kind = 'M';
        if (parse_digits(&p, e, 2, &r->m) == 0 || r->m < 1 || r->m > 12) return false;
        if (p == e || *p++ != '.') return false;
        if (parse_digits(&p, e, 1, &r->w) == 0 || r->w < 1 || r->w > 5) return false;
        if (p == e || *p++ != '.') return false;
        if (parse_digits(&p, e, 1, &r->wd) == 0 || r->wd > 6) return false;
    } else {
        r->kind = 'n';
        if (parse_digits(&p, e, 3, &r->n) == 0 || r->n > 365) return false;
    }
    r->secs = 7200;
    if (p < e && *p == '/') {
        p++;
        if (!ptz_time(&p, e, 167, &r->secs)) return false;
    }
    *pp = p;
    return true;
}

static bool parse_posix_tz(const char *s, size_t n, posix_tz *z)
{
    const char *p = s, *e = s + n;
    int32_t v;
    memset(z, 0, sizeof *z);
    if (n == 0) return true; /* no footer */
    if (!ptz_name(&p, e) || !ptz_time(&p, e, 24, &v)) return false;
    z->has = true;
    z->std_off = -v; /* POSIX offsets are west of UTC */
    if (p == e) return true;
    if (!ptz_name(&p, e)) return false;
    z->has_dst = true;
    z->dst_off = z->std_off + 3600;
    if (p < e && *p != ',') {
        if (!ptz_time(&p, e, 24, &v)) return false;
        z->dst_off = -v;
    }
    if (p == e) { /* no rule given: the US rules, as glibc assumes */
        z->start = (rule_date){'M', 0, 3, 2, 0, 7200};
        z->end = (rule_date){'M', 0, 11, 1, 0, 7200};
        return true;
    }
    if (*p++ != ',' || !ptz_rule(&p, e, &z->start)) return false;
    if (p == e || *p++ != ',' || !ptz_rule(&p, e, &z->end)) return false;
    return p == e;
}

/* days since the epoch of the day a rule names in year y */
static int64_t rule_day(const rule_date *r, int64_t y)
{
    int64_t jan1 = enc_days_from_civil((int)y, 1, 1);
    if (r->kind == 'J') return jan1 + r->n - 1 + (is_leap(y) && r->n >= 60);
    if (r->kind == 'n') return jan1 + r->n;
    int64_t first = enc_days_from_civil((int)y, r->m, 1);
    int64_t wd_first = ((first + 4) % 7 + 7) % 7; /* 1970-01-01 was a Thursday (4) */
    int64_t day = first + (r->wd - wd_first + 7) % 7 + (int64_t)(r->w - 1) * 7;
    while (day >= first + month_days(y, r->m)) day -= 7; /* w = 5: the last such weekday */
    return day;
}

static int32_t footer_offset(const posix_tz *z, int64_t t)
{
    if (!z->has_dst) return z->std_off;
    if (t > ((int64_t)1 << 60)) t = (int64_t)1 << 60; /* far beyond any year the rule serves */
    if (t < -((int64_t)1 << 60)) t = -((int64_t)1 << 60);
    int y, m, d;
    int64_t lt = t + z->std_off;
    enc_civil_from_days(floor_div(lt, 86400), &y, &m, &d);
    /* DST starts at a local standard time and ends at a local daylight time */
    int64_t start = rule_day(&z->start, y) * 86400 + z->start.secs - z->std_off;
    int64_t end = rule_day(&z->end, y) * 86400 + z->end.secs - z->dst_off;
    bool dst = start < end ? (start <= t && t < end) : !(end <= t && t < start);
    return dst ? z->dst_off : z->std_off;
}

/* ---- TZif (RFC 8536) */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

typedef struct tzif_hdr {
    int version;
    uint32_t isut, isstd, leap, time, type, chars;
} tzif_hdr;

static bool read_hdr(const unsigned char *p, size_t n, tzif_hdr *h)
{
    if (n < 44 || memcmp(p, "TZif", 4) != 0) return false;
    h->version = p[4] == 0 ? 1 : p[4] - '0';
    h->isut = be32(p + 20);
    h->isstd = be32(p + 24);
    h->leap = be32(p + 28);
    h->time = be32(p + 32);
    h->type = be32(p + 36);
    h->chars = be32(p + 40);
    return h->version >= 1 && h->version <= 9;
}

static size_t block_size(const tzif_hdr *h, size_t tsize)
{
    /* counts are < 2^32 and size_t is 64-bit: no overflow */
    return (size_t)h->time * (tsize + 1) + (size_t)h->type * 6 + h->chars +
           (size_t)h->leap * (tsize + 4) + h->isstd + h->isut;
}

enc_rc enc_tz_from_tzif(const void *data, size_t n, const char *name, enc_tz **out, enc_err *err)
{
    const unsigned char *p = data;
    tzif_hdr h;
    size_t tsize = 4;
    *out = NULL;
    if (!read_hdr(p, n, &h)) return enc_fail(err, ENC_EPARSE, "zone %s: not a TZif file", name);
    if (h.version >= 2) {
        size_t skip = 44 + block_size(&h, 4);
        if (skip > n || !read_hdr(p + skip, n - skip, &h))
            return enc_fail(err, ENC_EPARSE, "zone %s: truncated TZif file", name);
        p += skip;
        n -= skip;
        tsize = 8;
    }
    if (h.type == 0 || h.type > 256 || h.chars == 0 || (h.isut && h.isut != h.type) ||
        (h.isstd && h.isstd != h.type))
        return enc_fail(err, ENC_EPARSE, "zone %s: bad TZif counts", name);
    if (h.leap)
        return enc_fail(err, ENC_EPARSE, "zone %s: leap-second zones are not supported", name);
    size_t need = 44 + block_size(&h, tsize);
    if (need > n) return enc_fail(err, ENC_EPARSE, "zone %s: truncated TZif file", name);
    const unsigned char *q = p + 44;
    enc_tz *tz = enc_xcalloc(1, sizeof *tz);
    tz->name = enc_xstrdup(name);
    tz->ntrans = h.time;
    tz->ntypes = h.type;
    tz->trans = enc_xmalloc((h.time ? h.time : 1) * sizeof *tz->trans);
    tz->idx = enc_xmalloc(h.time ? h.time : 1);
    tz->types = enc_xmalloc(h.type * sizeof *tz->types);
    for (size_t i = 0; i < h.time; i++, q += tsize) {
        tz->trans[i] = tsize == 8 ? be64(q) : (int32_t)be32(q);
        if (i && tz->trans[i] <= tz->trans[i - 1]) {
            enc_tz_free(tz);
            return enc_fail(err, ENC_EPARSE, "zone %s: transitions out of order", name);
        }
    }
    for (size_t i = 0; i < h.time; i++) {
        tz->idx[i] = q[i];
        if (q[i] >= h.type) {
            enc_tz_free(tz);
            return enc_fail(err, ENC_EPARSE, "zone %s: bad time type index", name);
        }
    }
    q += h.time;
    for (size_t i = 0; i < h.type; i++, q += 6) {
        int32_t off = (int32_t)be32(q);
        if (off < -25 * 3600 || off > 26 * 3600 || q[4] > 1 || q[5] >= h.chars) {
            enc_tz_free(tz);
            return enc_fail(err, ENC_EPARSE, "zone %s: bad time type", name);
        }
        tz->types[i] = (ttype){off, q[4] == 1};
    }
    if (tsize == 8) {
        /* footer: "\n" POSIX-TZ "\n" */
        const char *f = (const char *)p + need, *fe = (const char *)p + n;
        const char *nl = f < fe && *f == '\n' ? memchr(f + 1, '\n', (size_t)(fe - f - 1)) : NULL;
        if (!nl || !parse_posix_tz(f + 1, (size_t)(nl - f - 1), &tz->footer)) {
            enc_tz_free(tz);
            return enc_fail(err, ENC_EPARSE, "zone %s: bad TZ string footer", name);
        }
    }
    *out = tz;
    return ENC_OK;
}

static bool iana_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 255 || s[0] == '/' || s[n - 1] == '/') return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '/' || c == '_' || c == '-' || c == '+' || c == '.'))
            return false;
        if (c == '.' && (i == 0 || s[i - 1] == '/')) return false; /* no ".", "..", hidden */
        if (c == '/' && s[i + 1] == '/') return false;
    }
    return true;
}

enc_rc enc_tz_load(const char *name, enc_tz **out, enc_err *err)
{
    *out = NULL;
    if (!name) return enc_fail(err, ENC_EUSAGE, "time zone: no name");
    int32_t off;
    if (parse_fixed(name, &off)) {
        enc_tz *tz = enc_xcalloc(1, sizeof *tz);
        char nm[16];
        fixed_name(nm, sizeof nm, off);
        tz->name = enc_xstrdup(nm);
        tz->fixed = true;
        tz->fixed_off = off;
        *out = tz;
        return ENC_OK;
    }
    if (!iana_name_ok(name))
        return enc_fail(err, ENC_EUSAGE, "time zone \"%.64s\": not an offset or a zone name", name);
    const char *dir = getenv("TZDIR");
    if (!dir || !*dir) dir = "/usr/share/zoneinfo";
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return enc_fail(err, errno == ENOENT ? ENC_ENOTFOUND : ENC_EIO, "time zone %s: %s: %s",
                        name, path, strerror(errno));
    size_t cap = 1 << 20; /* real zone files are a few KiB */
    unsigned char *buf = enc_xmalloc(cap);
    size_t n = fread(buf, 1, cap, f);
    bool bad = ferror(f) != 0;
    fclose(f);
    enc_rc rc;
    if (bad || n == cap) rc = enc_fail(err, ENC_EIO, "time zone %s: cannot read %s", name, path);
    else rc = enc_tz_from_tzif(buf, n, name, out, err);
    free(buf);
    return rc;
}

int enc_tz_offset(const enc_tz *tz, int64_t utc)
{
    if (tz->fixed) return tz->fixed_off;
    size_t n = tz->ntrans;
    if (n == 0) return tz->footer.has ? footer_offset(&tz->footer, utc) : tz->types[0].off;
    if (utc < tz->trans[0]) return tz->types[0].off; /* RFC 8536 3.2: type 0 before the first */
    if (utc >= tz->trans[n - 1] && tz->footer.has) return footer_offset(&tz->footer, utc);
    size_t lo = 0, hi = n; /* largest i with trans[i] <= utc */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (tz->trans[mid] <= utc) lo = mid;
        else hi = mid;
    }
    return tz->types[tz->idx[lo]].off;
}

/* A wall time L is u + off(u) for the instants u that show it. The offsets in force a day
 * before and a day after bracket every transition near L (zones change at most once a day).
 * Valid candidates: the earliest wins (overlap). None: a gap, and L read with the offset
 * from before the gap lands the same distance past it. */
int64_t enc_tz_local_to_utc(const enc_tz *tz, int64_t local)
{
    if (tz->fixed) return local - tz->fixed_off;
    if (local > ((int64_t)1 << 60) || local < -((int64_t)1 << 60))
        return local - enc_tz_offset(tz, local); /* no arithmetic near the int64 limits */
    int32_t a = enc_tz_offset(tz, local - 86400), b = enc_tz_offset(tz, local + 86400);
    int64_t ua = local - a, ub = local - b;
    bool va = enc_tz_offset(tz, ua) == a, vb = enc_tz_offset(tz, ub) == b;
    if (va && vb) return ua < ub ? ua : ub;
    if (va) return ua;
    if (vb) return ub;
    return ua;
}
