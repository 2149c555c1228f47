/* links.c — click and open tracking in rendered messages (see links.h): an HTML scanner that
 * finds the href of <a> and <area> tags (quotes, case, character references), a text scanner
 * that finds bare URLs, and the signed links of the tracking server that replace them. */
#include "campaign/links.h"
#include <stdint.h>
#include <string.h>
#include <strings.h>

enum { KEEP, UNTRACKED, TRACKED };

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
/* ASCII white space as HTML has it (tab, LF, FF, CR, space) */
static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static bool is_http(const char *u, size_t n)
{
    return (n >= 7 && strncasecmp(u, "http://", 7) == 0) ||
           (n >= 8 && strncasecmp(u, "https://", 8) == 0);
}

static size_t base_len(const char *b)
{
    size_t n = strlen(b);
    while (n && b[n - 1] == '/') n--;
    return n;
}

/* The length of the scheme and authority of an http(s) URL u (n bytes): up to the first '/',
 * '?', '#' or '\\' after "://", or n. */
static size_t authority_end(const char *u, size_t n)
{
    const char *p = memmem(u, n, "://", 3);
    size_t i = p ? (size_t)(p - u) + 3 : n;
    while (i < n && u[i] != '/' && u[i] != '?' && u[i] != '#' && u[i] != '\\') i++;
    return i;
}

/* Whether the host of u is one of l's hosts or a subdomain of one (ASCII case ignored). */
static bool host_allowed(const enc_links *l, const char *u, size_t n)
{
    if (!l->nhosts) return true;
    const char *p = memmem(u, n, "://", 3);
    if (!p) return false;
    size_t h0 = (size_t)(p - u) + 3, h1 = authority_end(u, n);
    for (size_t k = h0; k < h1; k++)
        if (u[k] == '@') return false; /* user info: never a shop link */
    size_t e = h0;
    while (e < h1 && u[e] != ':') e++; /* without the port */
    size_t hn = e - h0;
    for (size_t i = 0; i < l->nhosts; i++) {
        const char *a = l->hosts[i];
        size_t an = strlen(a);
        if (!an || an > hn) continue;
        if (strncasecmp(u + e - an, a, an) == 0 && (an == hn || u[e - an - 1] == '.')) return true;
    }
    return false;
}

/* Whether the scheme or host of the link at input offset off (raw bytes, n long) came from a
 * value rather than the template. */
static bool from_data(const enc_links *l, size_t off, const char *raw, size_t n)
{
    if (!l->data_mask) return false;
    size_t e = authority_end(raw, n);
    for (size_t k = 0; k < e; k++)
        if (l->data_mask[off + k]) return true;
    return false;
}

/* Decides on link u (n bytes, as the reader follows it) and, when it is to be tracked, appends
 * the click link to `click`. data: the link's scheme or host came from a value. */
static int track_one(enc_links *l, const char *u, size_t n, bool data, enc_buf *click)
{
    if (!is_http(u, n)) return KEEP;
    if (l->skip && strlen(l->skip) == n && memcmp(l->skip, u, n) == 0) return KEEP;
    size_t bn = base_len(l->base);
    if (n >= bn + 3 && strncasecmp(u, l->base, bn) == 0 && u[bn] == '/' &&
        (u[bn + 1] == 't' || u[bn + 1] == 'u') && u[bn + 2] == '/')
        return KEEP; /* the tracking server's own link (/t/c/, /t/o/, /u/) */
    if (data || !host_allowed(l, u, n)) {
        /* never sign a URL that arrived in customer data, nor one to a host not allowed: the
         * tracking server would redirect to it forever */
        l->refused++;
        return KEEP;
    }
    const char *why;
    if (!enc_token_url_ok(u, n, &why)) {
        l->untracked++;
        return UNTRACKED;
    }
    enc_token t = l->tok;
    t.kind = ENC_TOKEN_CLICK;
    memcpy(t.url, u, n);
    t.url[n] = 0;
    enc_err e = {0};
    if (enc_track_url(l->key, l->base, &t, click, &e)) {
        l->untracked++; /* a bad base or campaign: the caller checked them, so not reached */
        return UNTRACKED;
    }
    l->tracked++;
    return TRACKED;
}

/* ---- copying the input through ---------------------------------------------------------- */

typedef struct scan {
    const char *s;
    size_t n, done; /* the input is in out up to `done` */
    enc_buf *out;
} scan;

static void copy_to(scan *c, size_t upto)
{
    if (upto > c->done) {
        enc_buf_add(c->out, c->s + c->done, upto - c->done);
        c->done = upto;
    }
}

static void html_esc(enc_buf *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) switch (s[i]) {
        case '&': enc_buf_adds(out, "&amp;"); break;
        case '<': enc_buf_adds(out, "&lt;"); break;
        case '>': enc_buf_adds(out, "&gt;"); break;
        case '"': enc_buf_adds(out, "&quot;"); break;
        case '\'': enc_buf_adds(out, "&#39;"); break;
        default: enc_buf_addc(out, s[i]);
        }
}

/* ---- HTML -------------------------------------------------------------------------------- */

static bool name_is(const char *s, size_t n, const char *name)
{
    return strlen(name) == n && strncasecmp(s, name, n) == 0;
}

/* The first occurrence of pat (m bytes, any case) in s[0, n), or NULL. */
static const char *find_ci(const char *s, size_t n, const char *pat, size_t m)
{
    for (size_t i = 0; i + m <= n; i++)
        if (strncasecmp(s + i, pat, m) == 0) return s + i;
    return NULL;
}

/* The named character references HTML reads without a ';' (WHATWG HTML, "named character
 * references": the legacy ones). In an attribute such a name followed by '=' stays literal. */
static const char *const legacy_names[] = {
    "AElig",  "AMP",    "Aacute", "Acirc",  "Agrave", "Aring",  "Atilde", "Auml",   "COPY",
    "Ccedil", "ETH",    "Eacute", "Ecirc",  "Egrave", "Euml",   "GT",     "Iacute", "Icirc",
    "Igrave", "Iuml",   "LT",     "Ntilde", "Oacute", "Ocirc",  "Ograve", "Oslash", "Otilde",
    "Ouml",   "QUOT",   "REG",    "THORN",  "Uacute", "Ucirc",  "Ugrave", "Uuml",   "Yacute",
    "aacute", "acirc",  "acute",  "aelig",  "agrave", "amp",    "aring",  "atilde", "auml",
    "brvbar", "ccedil", "cedil",  "cent",   "copy",   "curren", "deg",    "divide", "eacute",
    "ecirc",  "egrave", "eth",    "euml",   "frac12", "frac14", "frac34", "iacute", "icirc",
    "iexcl",  "igrave", "iquest", "iuml",   "laquo",  "lt",     "macr",   "micro",  "middot",
    "nbsp",   "not",    "ntilde", "oacute", "ocirc",  "ograve", "ordf",   "ordm",   "oslash",
    "otilde", "ouml",   "para",   "plusmn", "pound",  "quot",   "raquo",  "reg",    "sect",
    "shy",    "sup1",   "sup2",   "sup3",   "szlig",  "thorn",  "times",  "uacute", "ucirc",
    "ugrave", "uml",    "uuml",   "yacute", "yen",    "yuml",   NULL};

static bool legacy_name(const char *s, size_t n)
{
    for (int i = 0; legacy_names[i]; i++)
        if (strlen(legacy_names[i]) == n && memcmp(legacy_names[i], s, n) == 0) return true;
    return false;
}

/* The ASCII character of a named reference a URL may hold, or -1. */
static int named_ascii(const char *s, size_t n)
{
    static const struct {
        const char *name;
        char c;
    } t[] = {{"amp", '&'}, {"AMP", '&'},  {"lt", '<'},   {"LT", '<'},   {"gt", '>'},
             {"GT", '>'},  {"quot", '"'}, {"QUOT", '"'}, {"apos", '\''}};
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        if (strlen(t[i].name) == n && memcmp(t[i].name, s, n) == 0) return (unsigned char)t[i].c;
    return -1;
}

enum { DEC_OK, DEC_BAD, DEC_LONG };

/* Decodes the character references of attribute value v (n bytes) into out (cap bytes,
 * NUL-terminated), as a browser reads them. DEC_BAD for one that is not ASCII or that we do
 * not know (another named reference, a numeric one without ';'), DEC_LONG when the value does
 * not fit; *len is then what was decoded before. */
static int attr_decode(const char *v, size_t n, char *out, size_t cap, size_t *len)
{
    size_t o = 0;
    int rc = DEC_OK;
    for (size_t i = 0; i < n;) {
        int got = (unsigned char)v[i];
        size_t adv = 1;
        if (v[i] == '&') {
            size_t k = i + 1;
            if (k < n && v[k] == '#') {
                bool hex = ++k < n && (v[k] == 'x' || v[k] == 'X');
                if (hex) k++;
                size_t d0 = k;
                uint32_t cp = 0;
                for (; k < n && k - d0 < 8; k++) {
                    char d = v[k];
                    int x = d >= '0' && d <= '9'          ? d - '0'
                            : hex && d >= 'a' && d <= 'f' ? d - 'a' + 10
                            : hex && d >= 'A' && d <= 'F' ? d - 'A' + 10
                                                          : -1;
                    if (x < 0) break;
                    cp = cp * (hex ? 16 : 10) + (uint32_t)x;
                }
                if (k == d0 || k >= n || v[k] != ';' || cp == 0 || cp > 0x7e) {
                    rc = DEC_BAD;
                    break;
                }
                got = (int)cp;
                adv = k + 1 - i;
            } else {
                size_t r0 = k;
                while (k < n && is_alnum(v[k])) k++;
                size_t rl = k - r0;
                if (rl && k < n && v[k] == ';') {
                    if ((got = named_ascii(v + r0, rl)) < 0) {
                        rc = DEC_BAD;
                        break;
                    }
                    adv = k + 1 - i;
                } else if (rl && !(k < n && v[k] == '=') && legacy_name(v + r0, rl)) {
                    /* "&amp" without ';' at the end or before a non-'=' character: a browser
                     * decodes it (with a parse error) */
                    if ((got = named_ascii(v + r0, rl)) < 0) {
                        rc = DEC_BAD;
                        break;
                    }
                    adv = k - i;
                } /* else a literal '&' */
            }
        }
        if (o + 1 >= cap) {
            rc = DEC_LONG;
            break;
        }
        out[o++] = (char)got;
        i += adv;
    }
    out[o] = 0;
    *len = o;
    return rc;
}

/* The href value s[v0, v1) of a link tag, quoted with q (0 = unquoted). */
static void rewrite_href(enc_links *l, scan *c, size_t v0, size_t v1, char q, enc_buf *click)
{
    char url[ENC_TOKEN_URL_MAX + 2];
    size_t un;
    int dec = attr_decode(c->s + v0, v1 - v0, url, sizeof url, &un);
    /* a URL attribute is read without its surrounding ASCII white space (WHATWG URL) */
    size_t a = 0;
    while (a < un && is_space(url[a])) a++;
    if (dec == DEC_OK)
        while (un > a && is_space(url[un - 1])) un--;
    if (!is_http(url + a, un - a)) return;
    if (dec != DEC_OK) {
        l->untracked++;
        return;
    }
    enc_buf_reset(click);
    if (track_one(l, url + a, un - a, from_data(l, v0, c->s + v0, v1 - v0), click) != TRACKED)
        return;
    copy_to(c, q ? v0 - 1 : v0);
    char qq = q == '\'' ? '\'' : '"';
    enc_buf_addc(c->out, qq);
    html_esc(c->out, click->p, click->len);
    enc_buf_addc(c->out, qq);
    c->done = q ? v1 + 1 : v1;
}

/* Inserts s (n bytes) into b at offset at. */
static void buf_insert(enc_buf *b, size_t at, const char *s, size_t n)
{
    size_t old = b->len;
    enc_buf_add(b, s, n); /* grows b; the bytes are put in place below */
    memmove(b->p + at + n, b->p + at, old - at);
    memcpy(b->p + at, s, n);
}

void enc_links_html(enc_links *l, const char *s, size_t n, unsigned flags, enc_buf *out)
{
    scan c = {s, n, 0, out};
    enc_buf click = {0};
    size_t body_at = SIZE_MAX; /* where in out the last </body> tag starts */
    size_t i = 0;
    while (i < n) {
        const char *lt = memchr(s + i, '<', n - i);
        if (!lt) break;
        i = (size_t)(lt - s);
        if (n - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
            const char *e = n - i >= 7 ? memmem(s + i + 4, n - i - 4, "-->", 3) : NULL;
            i = e ? (size_t)(e - s) + 3 : n;
            continue;
        }
        size_t j = i + 1;
        bool closing = j < n && s[j] == '/';
        if (closing) j++;
        if (j >= n || !is_alpha(s[j])) {
            i++;
            continue;
        }
        size_t nb = j;
        while (j < n && is_alnum(s[j])) j++;
        size_t nl = j - nb;
        if (closing) {
            if (name_is(s + nb, nl, "body")) {
                copy_to(&c, i);
                body_at = out->len;
            }
            i = j;
            continue;
        }
        bool link = name_is(s + nb, nl, "a") || name_is(s + nb, nl, "area");
        bool raw = name_is(s + nb, nl, "script") || name_is(s + nb, nl, "style");
        /* the attributes, to the end of the tag (a '>' inside quotes does not end it) */
        bool ended = false, has_href = false;
        size_t h0 = 0, h1 = 0;
        char hq = 0;
        while (j < n) {
            while (j < n && (is_space(s[j]) || s[j] == '/')) j++;
            if (j >= n) break;
            if (s[j] == '>') {
                ended = true;
                j++;
                break;
            }
            size_t an = j++; /* a name has at least one character, even '=' */
            while (j < n && !is_space(s[j]) && s[j] != '/' && s[j] != '>' && s[j] != '=') j++;
            size_t al = j - an, k = j;
            while (k < n && is_space(s[k])) k++;
            if (k >= n || s[k] != '=') continue; /* no value */
            j = k + 1;
            while (j < n && is_space(s[j])) j++;
            size_t v0, v1;
            char q = 0;
            if (j < n && (s[j] == '"' || s[j] == '\'')) {
                q = s[j];
                const char *e = memchr(s + j + 1, q, n - j - 1);
                if (!e) {
                    j = n;
                    break;
                }
                v0 = j + 1;
                v1 = (size_t)(e - s);
                j = v1 + 1;
            } else {
                v0 = j;
                while (j < n && !is_space(s[j]) && s[j] != '>') j++;
                v1 = j;
            }
            if (link && !has_href && name_is(s + an, al, "href")) {
                has_href = true; /* browsers read the first */
                h0 = v0, h1 = v1, hq = q;
            }
        }
        if (ended && has_href && (flags & ENC_LINKS_CLICKS))
            rewrite_href(l, &c, h0, h1, hq, &click);
        i = j;
        if (raw && ended) { /* script and style hold text up to their end tag */
            char end[9];
            memcpy(end, "</", 2);
            memcpy(end + 2, s + nb, nl);
            const char *e = find_ci(s + i, n - i, end, nl + 2);
            i = e ? (size_t)(e - s) : n;
        }
    }
    copy_to(&c, n);
    if (flags & ENC_LINKS_OPEN) {
        enc_token t = l->tok;
        t.kind = ENC_TOKEN_OPEN;
        t.url[0] = 0;
        enc_err e = {0};
        enc_buf_reset(&click);
        if (!enc_track_url(l->key, l->base, &t, &click, &e)) {
            enc_buf px = {0};
            enc_buf_adds(&px, "<img src=\"");
            html_esc(&px, click.p, click.len);
            enc_buf_adds(&px, "\" width=\"1\" height=\"1\" alt=\"\""
                              " style=\"display:block;width:1px;height:1px;border:0\">");
            if (body_at != SIZE_MAX) buf_insert(out, body_at, px.p, px.len);
            else enc_buf_add(out, px.p, px.len);
            enc_buf_free(&px);
        }
    }
    enc_buf_free(&click);
}

/* ---- text -------------------------------------------------------------------------------- */

/* The code point of the UTF-8 sequence at s (n bytes) into *cp; its length, or 0 when it is
 * not well formed. */
static size_t utf8_at(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char b = s[0];
    size_t len = b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 && b < 0xE0 ? 2 : 0;
    if (!len || len > n) return 0;
    uint32_t v = b & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
    for (size_t k = 1; k < len; k++) {
        if ((s[k] & 0xC0) != 0x80) return 0;
        v = v << 6 | (s[k] & 0x3F);
    }
    *cp = v;
    return len;
}

/* Unicode spaces and punctuation that end a URL in running text: no-break space, « », the
 * General Punctuation block (spaces, dashes, quotes, ellipsis), CJK Symbols and Punctuation
 * (、。「」【】, the ideographic space), and the full-width ASCII punctuation (，！？：；（）). */
static bool ends_url(uint32_t cp)
{
    return cp == 0xA0 || cp == 0xAB || cp == 0xBB || (cp >= 0x2000 && cp <= 0x206F) ||
           (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF01 && cp <= 0xFF0F) ||
           (cp >= 0xFF1A && cp <= 0xFF20) || (cp >= 0xFF3B && cp <= 0xFF40) ||
           (cp >= 0xFF5B && cp <= 0xFF65) || cp == 0xFEFF;
}

/* The end of the URL that starts at s[i]: the run of characters up to white space, a control
 * character, < > ", or a Unicode space or punctuation mark. Other characters (a letter of
 * another script, '{', a bad byte) stay in the run, so that such a URL is refused whole
 * rather than cut short. */
static size_t url_run(const char *s, size_t n, size_t i)
{
    while (i < n) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x80) {
            if (ch <= 0x20 || ch == 0x7F || ch == '<' || ch == '>' || ch == '"') break;
            i++;
            continue;
        }
        uint32_t cp;
        size_t len = utf8_at((const unsigned char *)s + i, n - i, &cp);
        if (len && ends_url(cp)) break;
        i += len ? len : 1;
    }
    return i;
}

/* Drops the punctuation that ends a sentence rather than the URL s[a, b): . , ; : ! ? * ' and
 * a closing bracket without its opening one inside. */
static size_t url_trim(const char *s, size_t a, size_t b)
{
    long bal[3] = {0, 0, 0}; /* ( ) , [ ], { }: opened minus closed */
    static const char open[] = "([{", close[] = ")]}";
    for (size_t k = a; k < b; k++)
        for (int x = 0; x < 3; x++) bal[x] += (s[k] == open[x]) - (s[k] == close[x]);
    while (b > a) {
        char ch = s[b - 1];
        if (ch && strchr(".,;:!?*'", ch)) {
            b--;
            continue;
        }
        const char *cl = ch ? strchr(close, ch) : NULL;
        if (cl && bal[cl - close] < 0) {
            bal[cl - close]++;
            b--;
            continue;
        }
        break;
    }
    return b;
}

void enc_links_text(enc_links *l, const char *s, size_t n, enc_buf *out)
{
    scan c = {s, n, 0, out};
    enc_buf click = {0};
    for (size_t i = 0; i + 7 <= n;) {
        if ((s[i] != 'h' && s[i] != 'H') || !is_http(s + i, n - i) || (i && is_alnum(s[i - 1]))) {
            i++;
            continue;
        }
        size_t b = url_trim(s, i, url_run(s, n, i));
        enc_buf_reset(&click);
        if (track_one(l, s + i, b - i, from_data(l, i, s + i, b - i), &click) == TRACKED) {
            copy_to(&c, i);
            enc_buf_add(out, click.p, click.len);
            c.done = b;
        }
        i = b;
    }
    copy_to(&c, n);
    enc_buf_free(&click);
}
