/* csv.c — the streaming reader behind csv.h: first stage of ingest. Input comes from memory
 * (parsed where it lies), or from a file or pipe read in 1 MiB chunks into one window buffer;
 * GBK input is converted to UTF-8 by iconv as it is read. Each record is parsed by one pass of
 * a byte-class state machine that copies the unquoted bytes into a reusable output buffer and
 * NUL-terminates the fields: no allocation per record or field once the buffers are sized.
 *
 * Dialect decisions (docs/formats.md tells users):
 * - CSV and TSV share the RFC 4180 quoting rules (Excel writes quoted TSV too); in an unquoted
 *   field a quote is literal text; text after a closing quote is appended literally
 *   ("ab"cd -> abcd), as Python's csv module does with strict=False.
 * - A quoted field still open at the end of input, or after max_record bytes, is an
 *   unterminated quote: the record is reported and reading resumes at the physical line after
 *   the one where the record started, so the rows after a stray opening quote are kept.
 * - A record longer than max_record bytes with no quote open is skipped to its end; a record
 *   with more than max_fields fields is reported whole. Line ends: LF, CRLF or a lone CR. */
#include "base/csv.h"
#include "base/mem.h"
#include "base/buf.h"
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK ((size_t)1 << 20)
#define RAW_CAP ((size_t)256 << 10)
#define MAX_RECORD_LIMIT ((size_t)1 << 30)
#define MAX_FIELDS_LIMIT ((size_t)1 << 20)

enum { C_ORD = 0, C_QUOTE = 1, C_DELIM = 2, C_LF = 3, C_CR = 4 };
/* what parse_record found */
enum { P_OK, P_MORE, P_GROW, P_LONG, P_LONG_QUOTED, P_UNTERMINATED, P_TOO_MANY };
/* what the next call must discard before the next record */
enum { SKIP_NONE, SKIP_RECORD, SKIP_LINE };

struct enc_csv {
    enc_csv_opts o;
    /* source: a file descriptor, or memory */
    int fd;
    bool own_fd;
    const char *mem;
    size_t mem_n, mem_pos;
    bool src_eof;      /* the source has nothing more */
    uint64_t src_read; /* bytes taken from the source */
    uint64_t total;
    /* window being parsed: win[pos..wlen); eof = nothing will ever follow win[wlen-1] */
    const char *win;
    size_t wlen, pos;
    bool eof;
    char *buf; /* backing store of win for fd and GBK sources */
    size_t cap, max_cap;
    /* GBK: raw bytes not yet converted */
    bool gbk;
    iconv_t cd;
    char *raw;
    size_t raw_len, raw_cap;
    bool bom_checked;
    unsigned char cls[256];
    bool quoting;
    /* output of the current record; grows up to out_max as records need it */
    char *out;
    size_t out_cap, out_max;
    char **f;
    size_t *flen;
    size_t fcap;
    long line; /* line terminators consumed before win[pos] */
    /* resynchronisation after an oversized record */
    int skip;
    bool skip_quoted, skip_fstart;
};

static enc_rc validate_opts(const enc_csv_opts *in, enc_csv_opts *o, enc_err *err)
{
    enc_csv_opts d = {0};
    *o = in ? *in : d;
    if (o->max_record == 0) o->max_record = (size_t)1 << 20;
    if (o->max_fields == 0) o->max_fields = 4096;
    if (o->max_record > MAX_RECORD_LIMIT)
        return enc_fail(err, ENC_EUSAGE, "csv: max_record %zu above the limit of %zu bytes",
                        o->max_record, MAX_RECORD_LIMIT);
    if (o->max_fields > MAX_FIELDS_LIMIT)
        return enc_fail(err, ENC_EUSAGE, "csv: max_fields %zu above the limit of %zu",
                        o->max_fields, MAX_FIELDS_LIMIT);
    if (o->format != ENC_FMT_CSV && o->format != ENC_FMT_TSV && o->format != ENC_FMT_WS)
        return enc_fail(err, ENC_EUSAGE, "csv: unknown format %d", (int)o->format);
    if (o->encoding != ENC_UTF8 && o->encoding != ENC_GBK)
        return enc_fail(err, ENC_EUSAGE, "csv: unknown encoding %d", (int)o->encoding);
    return ENC_OK;
}

static enc_csv *reader_new(const enc_csv_opts *o)
{
    enc_csv *r = enc_xcalloc(1, sizeof *r);
    r->o = *o;
    r->fd = -1;
    r->cd = (iconv_t)-1;
    r->cls['\n'] = C_LF;
    r->cls['\r'] = C_CR;
    switch (o->format) {
    case ENC_FMT_CSV:
        r->cls[','] = C_DELIM;
        r->quoting = true;
        break;
    case ENC_FMT_TSV:
        r->cls['\t'] = C_DELIM;
        r->quoting = true;
        break;
    case ENC_FMT_WS:
        r->cls[' '] = C_DELIM;
        r->cls['\t'] = C_DELIM;
        break;
    }
    if (r->quoting) r->cls['"'] = C_QUOTE;
    /* A record's output is at most its input bytes plus a NUL per field (fields <= bytes + 1),
     * and parsing stops one or two bytes past max_record: 2 * max_record + 64 always holds it.
     * Start small; parse_record asks for more (P_GROW) when a record needs it. */
    r->out_max = 2 * o->max_record + 64;
    r->out_cap = r->out_max < 65536 ? r->out_max : 65536;
    r->out = enc_xmalloc(r->out_cap);
    r->fcap = o->max_fields < 64 ? o->max_fields : 64;
    r->f = enc_xmalloc(r->fcap * sizeof *r->f);
    r->flen = enc_xmalloc(r->fcap * sizeof *r->flen);
    return r;
}

/* Buffers for a chunked source (fd, or GBK from memory). */
static enc_rc setup_buffered(enc_csv *r, enc_err *err)
{
    /* the window must hold a whole record (max_record + 2 bytes) and a read; it starts at
     * 256 KiB (less for small input in memory) and grows only for long records */
    r->max_cap = r->o.max_record + CHUNK + 16;
    r->cap = (size_t)256 << 10;
    if (r->fd < 0 && r->mem_n + r->mem_n / 2 + 64 < r->cap) r->cap = r->mem_n + r->mem_n / 2 + 64;
    if (r->cap > r->max_cap) r->cap = r->max_cap;
    r->buf = enc_xmalloc(r->cap);
    r->win = r->buf;
    if (r->o.encoding == ENC_GBK) {
        /* GB18030 is the superset of GBK (and of CP936): it decodes every GBK file */
        r->cd = iconv_open("UTF-8", "GB18030");
        if (r->cd == (iconv_t)-1)
            return enc_fail(err, ENC_EFAIL, "csv: iconv cannot convert GB18030 to UTF-8: %s",
                            strerror(errno));
        r->gbk = true;
        r->raw_cap = r->fd < 0 && r->mem_n + 16 < RAW_CAP ? r->mem_n + 16 : RAW_CAP;
        r->raw = enc_xmalloc(r->raw_cap);
    }
    return ENC_OK;
}

/* Takes up to cap bytes from the source; 0 at its end, -1 on a read error. */
static ssize_t src_take(enc_csv *r, char *dst, size_t cap)
{
    if (r->fd < 0) {
        size_t k = r->mem_n - r->mem_pos;
        if (k > cap) k = cap;
        memcpy(dst, r->mem + r->mem_pos, k);
        r->mem_pos += k;
        r->src_read += k;
        return (ssize_t)k;
    }
    for (;;) {
        ssize_t k = read(r->fd, dst, cap);
        if (k < 0 && errno == EINTR) continue;
        if (k > 0) r->src_read += (uint64_t)k;
        return k;
    }
}

/* Fills raw up to at least `want` bytes (or the end of the source). */
static int raw_fill(enc_csv *r, size_t want, enc_err *err)
{
    while (!r->src_eof && r->raw_len < want) {
        ssize_t k = src_take(r, r->raw + r->raw_len, r->raw_cap - r->raw_len);
        if (k < 0) {
            enc_fail(err, ENC_EIO, "csv: read: %s", strerror(errno));
            return -1;
        }
        if (k == 0) r->src_eof = true;
        r->raw_len += (size_t)k;
    }
    return 0;
}

/* Converts raw GBK bytes into buf[wlen..cap). Bytes that are not GBK become 0xFF, which UTF-8
 * never contains, so the parser can refuse the records that hold them. */
static int gbk_convert(enc_csv *r, enc_err *err)
{
    size_t before = r->wlen;
    while (r->wlen == before) {
        /* one read at a time, so a slow pipe is parsed as it arrives */
        if (r->raw_len < r->raw_cap && raw_fill(r, r->raw_len + 1, err) < 0) return -1;
        if (r->raw_len == 0) {
            r->eof = true;
            return 0;
        }
        char *in = r->raw, *ob = r->buf + r->wlen;
        size_t inl = r->raw_len, obl = r->cap - r->wlen;
        while (inl > 0 && obl > 0) {
            size_t k = iconv(r->cd, &in, &inl, &ob, &obl);
            if (k != (size_t)-1) break;
            if (errno == E2BIG) break;
            if (errno == EINVAL && !r->src_eof) break; /* incomplete sequence: wait for more */
            /* EILSEQ, or a sequence cut off by the end of input */
            *ob++ = (char)0xFF;
            obl--;
            in++;
            inl--;
        }
        memmove(r->raw, in, inl);
        r->raw_len = inl;
        r->wlen = (size_t)(ob - r->buf);
        if (r->wlen == before && !r->src_eof && r->raw_len == r->raw_cap) {
            /* cannot happen with a sane iconv: RAW_CAP bytes always convert to something */
            enc_fail(err, ENC_EIO, "csv: GBK conversion made no progress");
            return -1;
        }
    }
    return 0;
}

/* Makes more input visible after win[wlen]: moves the unparsed tail to the front of the
 * buffer and reads. Returns -1 on a read error (err set). */
static int fill(enc_csv *r, enc_err *err)
{
    if (r->eof) return 0;
    if (r->pos > 0) {
        memmove(r->buf, r->buf + r->pos, r->wlen - r->pos);
        r->wlen -= r->pos;
        r->pos = 0;
    }
    if (r->cap - r->wlen < 64 || (r->cap - r->wlen < r->cap / 4 && r->cap < r->max_cap)) {
        size_t c = r->cap * 2 > r->max_cap ? r->max_cap : r->cap * 2;
        if (c < r->wlen + 64) c = r->wlen + 64; /* cannot pass max_cap: wlen <= max_record + 2 */
        r->buf = enc_xrealloc(r->buf, c);
        r->win = r->buf;
        r->cap = c;
    }
    if (r->gbk) return gbk_convert(r, err);
    size_t room = r->cap - r->wlen;
    ssize_t k = src_take(r, r->buf + r->wlen, room > CHUNK ? CHUNK : room);
    if (k < 0) {
        enc_fail(err, ENC_EIO, "csv: read: %s", strerror(errno));
        return -1;
    }
    if (k == 0) r->eof = true;
    r->wlen += (size_t)k;
    return 0;
}

/* A BOM tells the truth about the encoding: strip it, and read a GBK-labelled file that
 * starts with a UTF-8 BOM as UTF-8. */
static int check_bom(enc_csv *r, enc_err *err)
{
    static const char bom[3] = {(char)0xEF, (char)0xBB, (char)0xBF};
    r->bom_checked = true;
    if (r->gbk) {
        if (raw_fill(r, 3, err) < 0) return -1;
        if (r->raw_len >= 3 && memcmp(r->raw, bom, 3) == 0) {
            memmove(r->raw, r->raw + 3, r->raw_len - 3);
            r->raw_len -= 3;
            /* the rest is UTF-8: pass raw bytes through unconverted */
            iconv_close(r->cd);
            r->cd = (iconv_t)-1;
            r->gbk = false;
            memcpy(r->buf + r->wlen, r->raw, r->raw_len);
            r->wlen += r->raw_len;
            r->raw_len = 0;
            if (r->src_eof) r->eof = true;
        }
        return 0;
    }
    while (r->wlen - r->pos < 3 && !r->eof)
        if (fill(r, err) < 0) return -1;
    if (r->wlen - r->pos >= 3 && memcmp(r->win + r->pos, bom, 3) == 0) r->pos += 3;
    return 0;
}

enc_rc enc_csv_open_mem(enc_csv **out, const char *data, size_t n, const enc_csv_opts *o,
                        enc_err *err)
{
    enc_csv_opts v;
    enc_rc rc = validate_opts(o, &v, err);
    *out = NULL;
    if (rc) return rc;
    enc_csv *r = reader_new(&v);
    r->mem = data ? data : "";
    r->mem_n = n;
    r->total = n;
    if (v.encoding == ENC_UTF8) {
        r->win = r->mem;
        r->wlen = n;
        r->eof = r->src_eof = true;
        r->src_read = n;
    } else if ((rc = setup_buffered(r, err))) {
        enc_csv_close(r);
        return rc;
    }
    *out = r;
    return ENC_OK;
}

enc_rc enc_csv_open(enc_csv **out, const char *path, const enc_csv_opts *o, enc_err *err)
{
    enc_csv_opts v;
    enc_rc rc = validate_opts(o, &v, err);
    *out = NULL;
    if (rc) return rc;
    int fd = 0;
    bool own = false;
    if (strcmp(path, "-") != 0) {
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) return enc_fail(err, ENC_EIO, "%s: %s", path, strerror(errno));
        own = true;
    }
    struct stat st;
    bool st_ok = fstat(fd, &st) == 0;
    if (!st_ok || S_ISDIR(st.st_mode)) {
        enc_rc e =
            enc_fail(err, ENC_EIO, "%s: %s", path, st_ok ? "is a directory" : strerror(errno));
        if (own) close(fd);
        return e;
    }
    enc_csv *r = reader_new(&v);
    r->fd = fd;
    r->own_fd = own;
    if (S_ISREG(st.st_mode)) {
        r->total = (uint64_t)st.st_size;
        posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    }
    if ((rc = setup_buffered(r, err))) {
        enc_csv_close(r);
        return rc;
    }
    *out = r;
    return ENC_OK;
}

void enc_csv_close(enc_csv *r)
{
    if (!r) return;
    if (r->own_fd) close(r->fd);
    if (r->cd != (iconv_t)-1) iconv_close(r->cd);
    free(r->buf);
    free(r->raw);
    free(r->out);
    free(r->f);
    free(r->flen);
    free(r);
}

uint64_t enc_csv_bytes_read(const enc_csv *r)
{
    if (r->fd < 0 && !r->buf) return r->pos; /* UTF-8 from memory */
    if (r->gbk) return r->src_read - r->raw_len;
    uint64_t pending = r->wlen - r->pos;
    return r->src_read > pending ? r->src_read - pending : 0;
}

uint64_t enc_csv_bytes_total(const enc_csv *r) { return r->total; }

enc_csv_format enc_csv_sniff(const char *line, size_t n)
{
    if (memchr(line, '\t', n)) return ENC_FMT_TSV;
    if (memchr(line, ',', n)) return ENC_FMT_CSV;
    return ENC_FMT_WS;
}

/* Room for field number nf (nf < max_fields). */
static inline void field_room(enc_csv *r, size_t nf)
{
    if (nf < r->fcap) return;
    size_t c = r->fcap * 2;
    if (c > r->o.max_fields) c = r->o.max_fields;
    r->f = enc_xrealloc(r->f, c * sizeof *r->f);
    r->flen = enc_xrealloc(r->flen, c * sizeof *r->flen);
    r->fcap = c;
}

/* Parses the record at win[pos]. On P_OK, P_TOO_MANY, P_LONG and P_LONG_QUOTED, *endp is where
 * parsing stopped and *lines the line terminators passed. Fields land in r->out. */
static int parse_record(enc_csv *r, size_t *nfp, size_t *endp, long *lines)
{
    const unsigned char *s = (const unsigned char *)r->win + r->pos;
    const unsigned char *e = (const unsigned char *)r->win + r->wlen;
    size_t maxr = r->o.max_record, maxf = r->o.max_fields;
    /* scanning stops at hl: one byte more than a record may hold, or what the output buffer
     * can take (then P_GROW, and the record is parsed again with a larger one) */
    size_t lim = maxr + 1, olim = (r->out_cap - 32) / 2;
    if (olim < lim) lim = olim;
    const unsigned char *hl = (size_t)(e - s) > lim ? s + lim : e;
    const unsigned char *cls = r->cls;
    const unsigned char *p = s;
    bool eof = r->eof;
    char *o = r->out;
    size_t nf = 0;
    long nl = 0;
    int rc;

#define END_FIELD()                                                                                \
    do {                                                                                           \
        if (nf < maxf) {                                                                           \
            r->flen[nf] = (size_t)(o - r->f[nf]);                                                  \
            *o++ = 0;                                                                              \
        }                                                                                          \
        nf++;                                                                                      \
    } while (0)

    if (r->o.format == ENC_FMT_WS) {
        /* the caller skipped leading blanks: p is at a field's first byte */
    ws_field:
        if (nf < maxf) {
            field_room(r, nf);
            r->f[nf] = o;
        }
        while (p < hl && cls[*p] <= C_QUOTE) *o++ = (char)*p++;
        END_FIELD();
        while (p < hl && cls[*p] == C_DELIM) p++;
        if (p >= hl) {
            if ((size_t)(p - s) > maxr) goto too_long;
            if (p < e) return P_GROW;
            if (!eof) return P_MORE;
            goto done;
        }
        if (cls[*p] == C_LF) {
            p++;
            nl++;
            goto done;
        }
        if (cls[*p] == C_CR) goto cr;
        goto ws_field;
    }

field:
    if (nf < maxf) {
        field_room(r, nf);
        r->f[nf] = o;
    }
    if (p < hl && *p == '"' && r->quoting) {
        p++;
        goto quoted;
    }
unquoted:
    while (p < hl && cls[*p] <= C_QUOTE) *o++ = (char)*p++;
    if (p >= hl) {
        if ((size_t)(p - s) > maxr) goto too_long;
        if (p < e) return P_GROW;
        if (!eof) return P_MORE;
        END_FIELD();
        goto done;
    }
    END_FIELD();
    switch (cls[*p]) {
    case C_DELIM: p++; goto field;
    case C_LF:
        p++;
        nl++;
        goto done;
    default: goto cr;
    }

quoted:
    for (;;) {
        while (p < hl && *p != '"') {
            if (*p == '\n' || (*p == '\r' && (p + 1 >= e || p[1] != '\n'))) nl++;
            *o++ = (char)*p++;
        }
        if (p >= hl) {
            if ((size_t)(p - s) > maxr) {
                rc = P_LONG_QUOTED;
                goto out;
            }
            if (p < e) return P_GROW;
            if (!eof) return P_MORE;
            return P_UNTERMINATED;
        }
        if (p + 1 < e) {
            if (p[1] == '"') {
                *o++ = '"';
                p += 2;
                continue;
            }
        } else if (!eof) {
            return P_MORE; /* "" may straddle the window's end */
        }
        p++; /* closing quote; what follows up to the delimiter is literal text */
        goto unquoted;
    }

cr: /* *p is a CR ending the record: CRLF or a lone CR */
    p++;
    if (p < e) {
        if (*p == '\n') p++;
    } else if (!eof) {
        return P_MORE;
    }
    nl++;
done:
    rc = nf > maxf ? P_TOO_MANY : P_OK;
out:
    *nfp = nf;
    *endp = (size_t)(p - (const unsigned char *)r->win);
    *lines = nl;
    return rc;
too_long:
    rc = P_LONG;
    goto out;
#undef END_FIELD
}

/* Discards input after an oversized record. SKIP_RECORD runs to the record's end, quote-aware
 * (a quoted field longer than max_record ends that: the rest of its line is dropped);
 * SKIP_LINE runs to the end of the physical line. Returns 1 when done, 0 when it needs more. */
static int skip_input(enc_csv *r)
{
    const unsigned char *p = (const unsigned char *)r->win + r->pos;
    const unsigned char *e = (const unsigned char *)r->win + r->wlen;
    while (p < e) {
        unsigned char c = *p;
        if (r->skip == SKIP_RECORD && r->skip_quoted) {
            /* inside a quoted field: whatever it holds is text, never rows, however long it
             * is; skipping stores nothing, so there is no bound to fall back on */
            if (c == '"' || c == '\r') {
                if (p + 1 >= e && !r->eof) break; /* need the next byte */
                bool next_is = p + 1 < e && p[1] == (c == '"' ? '"' : '\n');
                if (c == '"') {
                    if (next_is) {
                        p += 2;
                        continue;
                    }
                    r->skip_quoted = false;
                    r->skip_fstart = false;
                } else if (!next_is) {
                    r->line++;
                }
            } else if (c == '\n') {
                r->line++;
            }
            p++;
            continue;
        }
        if (c == '\n' || c == '\r') {
            if (c == '\r') {
                if (p + 1 >= e && !r->eof) break;
                if (p + 1 < e && p[1] == '\n') p++;
            }
            p++;
            r->line++;
            r->skip = SKIP_NONE;
            break;
        }
        if (r->skip == SKIP_RECORD && r->quoting) {
            if (c == '"' && r->skip_fstart) {
                r->skip_quoted = true;
            }
            r->skip_fstart = r->cls[c] == C_DELIM;
        }
        p++;
    }
    r->pos = (size_t)(p - (const unsigned char *)r->win);
    if (r->skip == SKIP_NONE) return 1;
    if (r->eof && r->pos == r->wlen) {
        r->skip = SKIP_NONE;
        return 1;
    }
    return 0;
}

int enc_csv_next(enc_csv *r, enc_csv_row *row, enc_err *err)
{
    row->n = 0;
    row->f = NULL;
    row->len = NULL;
    if (!r->bom_checked && check_bom(r, err) < 0) return -2;
    for (;;) {
        if (r->skip != SKIP_NONE) {
            if (!skip_input(r)) {
                if (fill(r, err) < 0) return -2;
                continue;
            }
        }
        /* skip blank lines (and, for whitespace columns, leading blanks) */
        const char *w = r->win;
        size_t pos = r->pos, wlen = r->wlen;
        bool need = false;
        while (pos < wlen) {
            char c = w[pos];
            if (c == '\n') {
                r->line++;
                pos++;
            } else if (c == '\r') {
                if (pos + 1 >= wlen && !r->eof) {
                    need = true;
                    break;
                }
                pos += (pos + 1 < wlen && w[pos + 1] == '\n') ? 2 : 1;
                r->line++;
            } else if (r->o.format == ENC_FMT_WS && (c == ' ' || c == '\t')) {
                pos++;
            } else {
                break;
            }
        }
        r->pos = pos;
        if (pos == wlen) {
            if (r->eof) return 0;
            need = true;
        }
        if (need) {
            if (fill(r, err) < 0) return -2;
            continue;
        }

        size_t nf = 0, end = 0;
        long nl = 0;
        int rc = parse_record(r, &nf, &end, &nl);
        if (rc == P_MORE) {
            if (fill(r, err) < 0) return -2;
            continue;
        }
        if (rc == P_GROW) { /* a long record: parse it again with room for its output */
            r->out_cap = r->out_cap * 2 > r->out_max ? r->out_max : r->out_cap * 2;
            free(r->out);
            r->out = enc_xmalloc(r->out_cap);
            continue;
        }
        row->line = r->line + 1;
        switch (rc) {
        case P_OK:
            if (r->gbk && memchr(r->win + r->pos, 0xFF, end - r->pos)) {
                r->pos = end;
                r->line += nl;
                enc_fail(err, ENC_EPARSE, "line %ld: invalid GBK byte sequence", row->line);
                return -1;
            }
            r->pos = end;
            r->line += nl;
            row->n = nf;
            row->f = r->f;
            row->len = r->flen;
            return 1;
        case P_TOO_MANY:
            r->pos = end;
            r->line += nl;
            enc_fail(err, ENC_ELIMIT, "line %ld: record has %zu fields, more than the limit of %zu",
                     row->line, nf, r->o.max_fields);
            return -1;
        case P_LONG:
            r->pos = end;
            r->line += nl;
            r->skip = SKIP_RECORD;
            r->skip_quoted = false;
            r->skip_fstart = false;
            enc_fail(err, ENC_ELIMIT, "line %ld: record longer than the limit of %zu bytes",
                     row->line, r->o.max_record);
            return -1;
        case P_LONG_QUOTED:
            /* the record is rejected, and reading resumes after the field's closing quote and
             * the end of its record: text a customer wrote inside quotes never becomes rows */
            r->pos = end;
            r->line += nl;
            r->skip = SKIP_RECORD;
            r->skip_quoted = true;
            r->skip_fstart = false;
            enc_fail(err, ENC_ELIMIT,
                     "line %ld: record longer than the limit of %zu bytes (a quoted field; skipped"
                     " to its closing quote)",
                     row->line, r->o.max_record);
            return -1;
        default: /* P_UNTERMINATED: everything after the quote is inside the field */
            r->pos = r->wlen;
            r->line += nl;
            enc_fail(err, ENC_EPARSE,
                     "line %ld: unterminated quoted field: the quote opened here is never closed,"
                     " so the %ld lines after it are not read as rows",
                     row->line, nl);
            return -1;
        }
    }
}

/* ---- writing -------------------------------------------------------------------------------- */

static bool plain_number(const char *s, size_t n)
{
    size_t i = 0, digits = 0;
    if (i < n && (s[i] == '-' || s[i] == '+')) i++;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) digits++;
    if (i < n && s[i] == '.') {
        i++;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) digits++;
    }
    return digits > 0 && i == n;
}

int enc_csv_cell_risky(const char *s, size_t n)
{
    if (!n) return 0;
    char c = s[0];
    if (c != '=' && c != '+' && c != '-' && c != '@' && c != '\t' && c != '\r') return 0;
    return !plain_number(s, n);
}

void enc_csv_cell(enc_buf *b, const char *s, size_t n)
{
    bool risky = enc_csv_cell_risky(s, n);
    bool quote = false;
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (quote) enc_buf_addc(b, '"');
    if (risky) enc_buf_addc(b, '\'');
    if (!quote) {
        enc_buf_add(b, s, n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"') enc_buf_addc(b, '"');
        enc_buf_addc(b, s[i]);
    }
    enc_buf_addc(b, '"');
}
