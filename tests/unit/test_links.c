/* test_links.c — the link rewriter (src/campaign/links.h): HTML hrefs (quotes, case, character
 * references, comments, scripts, the first href), bare URLs in text (sentence punctuation,
 * brackets, CJK text), what is never rewritten (mailto:, tel:, the unsubscribe link, the
 * tracking server's own links), what cannot be signed (left as written and counted), the open
 * pixel, and that every click link verifies with the server's key and names the original URL. */
#include "campaign/links.h"
#include "harness.h"
#include <sodium.h>

#define BASE "https://t.example"
#define UNSUB BASE "/u/AAAA.BBBB"

static enc_token_key key;

static void links_init(enc_links *l, const char *base)
{
    memset(l, 0, sizeof *l);
    l->key = &key;
    l->base = base;
    l->skip = UNSUB;
    l->tok.message_id = 42;
    l->tok.customer_id = 7;
    snprintf(l->tok.channel, sizeof l->tok.channel, "email");
    snprintf(l->tok.campaign, sizeof l->tok.campaign, "spring");
}

/* html (or text) through the rewriter into a malloc'ed string; counts into *l */
static char *html(enc_links *l, const char *in, unsigned flags)
{
    enc_buf b = {0};
    enc_buf_adds(&b, "");
    enc_links_html(l, in, strlen(in), flags, &b);
    return enc_buf_steal(&b);
}
static char *text(enc_links *l, const char *in)
{
    enc_buf b = {0};
    enc_buf_adds(&b, "");
    enc_links_text(l, in, strlen(in), &b);
    return enc_buf_steal(&b);
}

/* Undoes the HTML escaping of the rewriter's output (&amp; &lt; &gt; &quot; &#39;) in place. */
static void unescape(char *s)
{
    static const struct {
        const char *e;
        char c;
    } t[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
    char *o = s;
    for (char *p = s; *p;) {
        size_t k;
        for (k = 0; k < 5; k++)
            if (strncmp(p, t[k].e, strlen(t[k].e)) == 0) break;
        if (k < 5) {
            *o++ = t[k].c;
            p += strlen(t[k].e);
        } else {
            *o++ = *p++;
        }
    }
    *o = 0;
}

/* The n-th (0-based) tracking link of `kind` ("/t/c/" or "/t/o/") in s after base: verifies its
 * token (strict base64url, the MAC under the test key) into *t. false when there is none. */
static bool nth_token(const char *s, const char *base, const char *kind, int n, enc_token *t)
{
    char pre[256];
    snprintf(pre, sizeof pre, "%s%s", base, kind);
    const char *p = s;
    for (int i = 0;; i++) {
        p = strstr(p, pre);
        if (!p) return false;
        p += strlen(pre);
        if (i == n) break;
    }
    /* PAYLOAD "." MAC, the MAC 22 characters (a '.' may follow in running text) */
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t len = strspn(p, b64);
    if (p[len] == '.') len += 1 + (strspn(p + len + 1, b64) < 22 ? strspn(p + len + 1, b64) : 22);
    enc_err err = {0};
    if (enc_token_check(&key, p, len, 0, t, &err) != ENC_OK) {
        TH_FAIL("token %.*s: %s", (int)len, p, err.msg);
        return false;
    }
    return true;
}

static int count(const char *s, const char *pat)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, pat)); p += strlen(pat)) n++;
    return n;
}

static void html_links_rewritten(void)
{
    enc_links l;
    links_init(&l, BASE);
    const char *in = "<p>Hi</p><a href=\"https://shop.example/p/1?utm=a&amp;b=2\">One</a>\n"
                     "<A class=x HREF='https://Shop.Example/p/2?q=&#38;&#x26;z'>Two</A>"
                     "<a href=https://shop.example/p/3>Three</a>"
                     "<a\n  title=\"a > b\"\n  href = \"  https://shop.example/p/4 \" >Four</a>"
                     "<area shape=rect href=\"http://shop.example:8080/p/5#top\">";
    char *out = html(&l, in, ENC_LINKS_CLICKS);
    CHECK_INT(l.tracked, 5);
    CHECK_INT(l.untracked, 0);
    CHECK_INT(count(out, BASE "/t/c/"), 5);
    CHECK(strstr(out, "shop.example") == NULL); /* every target is inside a token */
    /* the markup around each link is kept: quotes as they were, unquoted ones get " */
    CHECK(strncmp(out, "<p>Hi</p><a href=\"" BASE "/t/c/",
                  strlen("<p>Hi</p><a href=\"" BASE "/t/c/")) == 0);
    CHECK(strstr(out, "\">One</a>\n<A class=x HREF='" BASE "/t/c/") != NULL);
    CHECK(strstr(out, "'>Two</A><a href=\"" BASE "/t/c/") != NULL);
    CHECK(strstr(out, "\">Three</a><a\n  title=\"a > b\"\n  href = \"" BASE "/t/c/") != NULL);
    CHECK(strstr(out, "\" >Four</a><area shape=rect href=\"" BASE "/t/c/") != NULL);
    /* each token names the message and the target as a browser reads it: references decoded,
     * surrounding white space dropped */
    const char *want[5] = {"https://shop.example/p/1?utm=a&b=2", "https://Shop.Example/p/2?q=&&z",
                           "https://shop.example/p/3", "https://shop.example/p/4",
                           "http://shop.example:8080/p/5#top"};
    for (int i = 0; i < 5; i++) {
        enc_token t;
        if (!nth_token(out, BASE, "/t/c/", i, &t)) {
            TH_FAIL("link %d missing", i);
            continue;
        }
        CHECK_INT(t.kind, ENC_TOKEN_CLICK);
        CHECK_STR(t.url, want[i]);
        CHECK_INT(t.message_id, 42);
        CHECK_INT(t.customer_id, 7);
        CHECK_STR(t.campaign, "spring");
        CHECK_STR(t.channel, "email");
    }
    free(out);
}

static void html_left_alone(void)
{
    enc_links l;
    links_init(&l, BASE);
    /* not http(s), the unsubscribe link (as the template escapes it, and raw), the tracking
     * server's own links, links in comments and scripts, hrefs of other tags, attributes that
     * only look like href, an unterminated tag */
    const char *in =
        "<a href=\"mailto:help@shop.example?subject=a&amp;b\">m</a><a href='tel:+15550100'>t</a>"
        "<a href=\"/relative\">r</a><a href=\"#top\">h</a><a href=\"javascript:alert(1)\">j</a>"
        "<a href=\"" UNSUB "\">unsubscribe</a><a href=\"" BASE "/t/o/x.y\">o</a>"
        "<a href=\"" BASE "/u/other\">u</a><a href=\"" BASE "/t/c/x.y\">c</a>"
        "<!-- <a href=\"https://shop.example/in-comment\"> --><!--[if mso]><a "
        "href=\"https://shop.example/mso\">o</a><![endif]-->"
        "<script>var a = '<a href=\"https://shop.example/in-script\">';</script>"
        "<STYLE>a[href=\"https://shop.example/css\"]{}</STYLE>"
        "<link href=\"https://shop.example/style.css\"><img src=\"https://shop.example/i.png\">"
        "<abbr href=\"https://shop.example/abbr\">x</abbr><a data-href=\"https://shop.example/d\" "
        "xhref=\"https://shop.example/x\">d</a><a name=\"x\">n</a><a href>empty</a>"
        "<a href=\"https://shop.example/unterminated";
    char *out = html(&l, in, ENC_LINKS_CLICKS);
    CHECK_STR(out, in);
    CHECK_INT(l.tracked, 0);
    CHECK_INT(l.untracked, 0);
    free(out);
    /* flags 0: the input as it is; opens only: links untouched */
    const char *doc = "<html><body><a href=\"https://shop.example/\">s</a></body></html>";
    out = html(&l, doc, 0);
    CHECK_STR(out, doc);
    free(out);
    out = html(&l, doc, ENC_LINKS_OPEN);
    CHECK(strstr(out, "<a href=\"https://shop.example/\">s</a><img src=\"" BASE "/t/o/") != NULL);
    CHECK_INT(l.tracked, 0);
    free(out);
}

static void html_first_href_and_escaping(void)
{
    enc_links l;
    /* a base holding '&' (a legal URL): the new link is escaped for HTML */
    links_init(&l, "https://t.example/x&y/");
    char *out = html(&l, "<a href=\"https://a.example/1\" href=\"https://b.example/2\">x</a>",
                     ENC_LINKS_CLICKS);
    CHECK_INT(l.tracked, 1);
    CHECK(strstr(out, "href=\"https://t.example/x&amp;y/t/c/") != NULL);
    CHECK(strstr(out, "href=\"https://b.example/2\"") != NULL); /* browsers read the first */
    unescape(out);
    enc_token t;
    if (nth_token(out, "https://t.example/x&y", "/t/c/", 0, &t))
        CHECK_STR(t.url, "https://a.example/1");
    free(out);
}

static void html_unsignable_counted(void)
{
    enc_links l;
    links_init(&l, BASE);
    char longurl[1200];
    snprintf(longurl, sizeof longurl, "https://shop.example/");
    memset(longurl + 21, 'a', 1100);
    longurl[1121] = 0;
    enc_buf in = {0};
    enc_buf_printf(
        &in,
        "<a href=\"%s\">long</a>"                                /* over 1,024 bytes */
        "<a href=\"https://shop.example/a b\">space</a>"         /* must be %20 */
        "<a href=\"https://shop.example/\xe4\xba\xa7\">utf8</a>" /* must be %-encoded */
        "<a href=\"https://user@shop.example/\">userinfo</a>"
        "<a href=\"https://shop.example/?a=1&copy;\">named</a>"   /* a reference we do not read */
        "<a href=\"https://shop.example/?a=1&#233;\">numeric</a>" /* not ASCII */
        "<a href=\"https://shop.example/?a&amp\">legacy</a>"
        "<a href=\"https://shop.example/?a=1&copy=2&b\">literal</a>", /* '&' stays */
        longurl);
    char *out = html(&l, in.p, ENC_LINKS_CLICKS);
    CHECK_INT(l.untracked, 6);
    CHECK_INT(l.tracked, 2); /* "&amp" at the end is '&' to a browser; "&copy=" is literal */
    enc_token t;
    if (nth_token(out, BASE, "/t/c/", 0, &t)) CHECK_STR(t.url, "https://shop.example/?a&");
    if (nth_token(out, BASE, "/t/c/", 1, &t))
        CHECK_STR(t.url, "https://shop.example/?a=1&copy=2&b");
    /* the untracked ones are exactly as written */
    CHECK(strstr(out, longurl) != NULL);
    CHECK(strstr(out, "href=\"https://shop.example/a b\"") != NULL);
    CHECK(strstr(out, "href=\"https://user@shop.example/\"") != NULL);
    CHECK(strstr(out, "href=\"https://shop.example/?a=1&copy;\"") != NULL);
    CHECK(strstr(out, "href=\"https://shop.example/?a=1&#233;\"") != NULL);
    free(out);
    /* the longest target a token carries: 1,024 bytes */
    longurl[1024] = 0;
    enc_buf_reset(&in);
    enc_buf_printf(&in, "<a href='%s'>x</a>", longurl);
    links_init(&l, BASE);
    out = html(&l, in.p, ENC_LINKS_CLICKS);
    CHECK_INT(l.tracked, 1);
    if (nth_token(out, BASE, "/t/c/", 0, &t)) CHECK_STR(t.url, longurl);
    free(out);
    longurl[1024] = 'a';
    longurl[1025] = 0;
    enc_buf_reset(&in);
    enc_buf_printf(&in, "<a href='%s'>x</a>", longurl);
    links_init(&l, BASE);
    out = html(&l, in.p, ENC_LINKS_CLICKS);
    CHECK_INT(l.untracked, 1);
    CHECK_STR(out, in.p);
    free(out);
    enc_buf_free(&in);
}

static void open_pixel(void)
{
    enc_links l;
    links_init(&l, BASE);
    char *out = html(&l, "<html><body><p>x</p></BODY><!-- </body> --></html>",
                     ENC_LINKS_CLICKS | ENC_LINKS_OPEN);
    /* before the last </body> tag (not the one in a comment) */
    const char *img = strstr(out, "<img src=\"" BASE "/t/o/");
    const char *body = strstr(out, "</BODY>");
    CHECK(img && body && img < body && strstr(img, "\">") < body);
    CHECK(strstr(out, "width=\"1\" height=\"1\" alt=\"\"") != NULL);
    CHECK_INT(count(out, "<img"), 1);
    enc_token t;
    if (nth_token(out, BASE, "/t/o/", 0, &t)) {
        CHECK_INT(t.kind, ENC_TOKEN_OPEN);
        CHECK_INT(t.message_id, 42);
        CHECK_INT(t.customer_id, 7);
        CHECK_STR(t.url, "");
    }
    free(out);
    /* no body: at the end */
    out = html(&l, "<p>x</p>", ENC_LINKS_OPEN);
    CHECK(strncmp(out, "<p>x</p><img src=\"" BASE "/t/o/",
                  strlen("<p>x</p><img src=\"" BASE "/t/o/")) == 0);
    CHECK(out[strlen(out) - 1] == '>');
    free(out);
}

static void text_urls(void)
{
    enc_links l;
    links_init(&l, BASE);
    const char *in =
        "https://shop.example/start Shop: https://shop.example/p/1?a=1&b=2. Also "
        "(see https://en.example/wiki/Foo_(bar)), <https://shop.example/angle> and "
        "'HTTPS://SHOP.EXAMPLE/Q'; end http://shop.example:81/x?y=z!\n"
        "\xe7\x82\xb9\xe5\x87\xbbhttps://shop.example/cn\xef\xbc\x8c\xe9\xa2\x86\xe5\x8f\x96 "
        "\xe8\xa7\x81https://shop.example/cn2\xe3\x80\x82"
        "https://shop.example/tail";
    char *out = text(&l, in);
    CHECK_INT(l.tracked, 9);
    CHECK_INT(l.untracked, 0);
    const char *want[9] = {"https://shop.example/start",
                           "https://shop.example/p/1?a=1&b=2",
                           "https://en.example/wiki/Foo_(bar)",
                           "https://shop.example/angle",
                           "HTTPS://SHOP.EXAMPLE/Q",
                           "http://shop.example:81/x?y=z",
                           "https://shop.example/cn",
                           "https://shop.example/cn2",
                           "https://shop.example/tail"};
    for (int i = 0; i < 9; i++) {
        enc_token t;
        if (nth_token(out, BASE, "/t/c/", i, &t)) CHECK_STR(t.url, want[i]);
    }
    /* the punctuation and text around each URL stays */
    CHECK(strstr(out, ". Also (see " BASE "/t/c/") != NULL);
    CHECK(strstr(out, "), <" BASE "/t/c/") != NULL);
    CHECK(strstr(out, "> and '" BASE "/t/c/") != NULL);
    CHECK(strstr(out, "'; end " BASE "/t/c/") != NULL);
    CHECK(strstr(out, "!\n\xe7\x82\xb9\xe5\x87\xbb" BASE "/t/c/") != NULL);
    CHECK(strstr(out, "\xef\xbc\x8c\xe9\xa2\x86\xe5\x8f\x96 \xe8\xa7\x81" BASE "/t/c/") != NULL);
    CHECK(strstr(out, "\xe3\x80\x82" BASE "/t/c/") != NULL);
    CHECK(strstr(out, "shop.example") == NULL);
    free(out);
}

static void text_left_alone(void)
{
    enc_links l;
    links_init(&l, BASE);
    char longurl[1100];
    snprintf(longurl, sizeof longurl, "https://shop.example/");
    memset(longurl + 21, 'b', 1050);
    longurl[1071] = 0;
    enc_buf in = {0};
    enc_buf_printf(&in,
                   "Write to mailto:help@shop.example or call tel:+15550100.\n"
                   "Unsubscribe: " UNSUB "\nOpen: " BASE "/t/o/a.b\nxhttps://shop.example/glued "
                   "ftp://shop.example/f https:/one-slash\n"
                   "%s\n"                                            /* too long */
                   "https://shop.example/\xe4\xba\xa7\xe5\x93\x81\n" /* runs into CJK letters */
                   "https://shop.example/{x}|\n"                     /* must be %%-encoded */
                   "http:// alone",
                   longurl);
    char *out = text(&l, in.p);
    CHECK_STR(out, in.p);
    CHECK_INT(l.tracked, 0);
    CHECK_INT(l.untracked, 4);
    free(out);
    enc_buf_free(&in);
}

/* Property: over many generated documents, every click link verifies and names one of the
 * targets put in, in order; the output without its links is the input without its links. */
static void html_round_trip(void)
{
    static const char *const targets[] = {
        "https://shop.example/p/1",      "https://shop.example/p?a=1&b=2&c=%20",
        "http://[::1]:8080/x#frag",      "https://shop.example/p/'quote'",
        "https://shop.example/;a,b=c+d", "https://xn--fsq.example/~user/(x)",
    };
    enc_links l;
    uint64_t s = 12345;
    int bad = 0;
    for (int doc = 0; doc < 200; doc++) {
        links_init(&l, BASE);
        enc_buf in = {0};
        int want[8], nwant = 0;
        for (int k = 0; k < 8; k++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            int t = (int)((s >> 33) % 6), q = (int)((s >> 40) % 3);
            const char *u = targets[t];
            /* escape as an author would: & and the quote character */
            enc_buf esc = {0};
            for (const char *p = u; *p; p++) {
                if (*p == '&') enc_buf_adds(&esc, (s >> 50) & 1 ? "&amp;" : "&#38;");
                else if (*p == '\'') enc_buf_adds(&esc, "&#39;");
                else enc_buf_addc(&esc, *p);
            }
            const char *qs = q == 0 ? "\"" : q == 1 ? "'" : "";
            enc_buf_printf(&in, "<p>%d</p><%s %s=%s%s%s>x</a>", k, (s >> 45) & 1 ? "a" : "A",
                           (s >> 46) & 1 ? "href" : "HREF", qs, esc.p, qs);
            want[nwant++] = t;
            enc_buf_free(&esc);
        }
        char *out = html(&l, in.p, ENC_LINKS_CLICKS);
        if (l.tracked != nwant) bad++;
        for (int k = 0; k < nwant; k++) {
            enc_token t;
            if (!nth_token(out, BASE, "/t/c/", k, &t) || strcmp(t.url, targets[want[k]]) != 0)
                bad++;
        }
        free(out);
        enc_buf_free(&in);
    }
    CHECK_INT(bad, 0);
}

/* The open redirect (issue 12): a URL that arrived in customer data is never signed, nor one to
 * a host off the allow-list (subdomains allowed; user info and look-alike hosts refused). */
static void only_template_links_to_allowed_hosts(void)
{
    enc_links l;
    links_init(&l, "https://t.example");
    static const char *const hosts[] = {"shop.example"};
    l.hosts = hosts;
    l.nhosts = 1;
    const char *in = "Hi https://evil.example/phish, see https://shop.example/sale";
    uint8_t mask[128] = {0};
    const char *ev = strstr(in, "https://evil");
    for (size_t k = 0; k < strlen("https://evil.example/phish"); k++) mask[ev - in + k] = 1;
    l.data_mask = mask;
    char *out = text(&l, in);
    CHECK(strstr(out, "Hi https://evil.example/phish, see https://t.example/t/c/") == out);
    CHECK_INT(l.tracked, 1);
    CHECK_INT(l.refused, 1);
    free(out);
    /* a link whose host came from data even though its scheme was written: refused */
    links_init(&l, "https://t.example");
    l.hosts = hosts;
    l.nhosts = 1;
    const char *in2 = "go https://shop.example.x/";
    uint8_t mask2[64] = {0};
    mask2[strlen("go https://shop.example")] = 1; /* ".x" typed by the customer */
    mask2[strlen("go https://shop.example") + 1] = 1;
    l.data_mask = mask2;
    out = text(&l, in2);
    CHECK_STR(out, in2);
    CHECK_INT(l.refused, 1);
    free(out);
    /* the allow-list */
    links_init(&l, "https://t.example");
    l.hosts = hosts;
    l.nhosts = 1;
    out = text(&l,
               "a https://m.shop.example/x b https://SHOP.example:8443/y c https://other.example/ "
               "d https://shop.example@evil.example/ e https://shop.example.evil.example/ "
               "f https://evilshop.example/");
    CHECK_INT(l.tracked, 2);
    CHECK_INT(l.refused, 4);
    CHECK(strstr(out, "c https://other.example/ d https://shop.example@evil.example/ e "
                      "https://shop.example.evil.example/ f https://evilshop.example/") != NULL);
    free(out);
    /* HTML: an href that came from customer data */
    links_init(&l, "https://t.example");
    l.hosts = hosts;
    l.nhosts = 1;
    const char *h =
        "<a href=\"https://shop.example/ok\">a</a><a href=\"https://evil.example/\">b</a>";
    uint8_t mask3[160] = {0};
    const char *e3 = strstr(h, "https://evil");
    for (size_t k = 0; k < strlen("https://evil.example/"); k++) mask3[e3 - h + k] = 1;
    l.data_mask = mask3;
    l.hosts = NULL;
    l.nhosts = 0; /* no allow-list: only the data rule */
    out = html(&l, h, ENC_LINKS_CLICKS);
    CHECK_INT(l.tracked, 1);
    CHECK_INT(l.refused, 1);
    CHECK(strstr(out, "href=\"https://evil.example/\"") != NULL);
    free(out);
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    enc_err err;
    enc_token_key_from("a test secret of enough bytes", 29, &key, &err);
    RUN(html_links_rewritten);
    RUN(html_left_alone);
    RUN(html_first_href_and_escaping);
    RUN(html_unsignable_counted);
    RUN(open_pixel);
    RUN(text_urls);
    RUN(text_left_alone);
    RUN(html_round_trip);
    RUN(only_template_links_to_allowed_hosts);
    return TEST_SUMMARY();
}
