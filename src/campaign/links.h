/* links.h — click and open tracking in rendered messages: every http(s) link of a message body
 * becomes a signed click link of the tracking server (BASE/t/c/TOKEN, src/campaign/token.h) that
 * redirects to it, and an HTML email gets a 1x1 open pixel (BASE/t/o/TOKEN). The planner
 * (plan.c) runs it on each rendered part after the template, before the message goes to the
 * outbox; `encore serve` records the clicks and opens (src/server/track.c) that measurement
 * counts (src/measure/attribution.c).
 *
 * HTML: the href of <a> and <area> tags (any case, quoted with " or ', or unquoted; the first
 * href of a tag, as browsers read it), with character references decoded before signing
 * (&amp; &lt; &gt; &quot; &apos; &#N; &#xH;) and the new link escaped for HTML; comments and
 * the contents of <script> and <style> are left alone. Text: bare http:// and https:// URLs
 * that do not follow a letter or digit, up to white space, < > ", a control character or a
 * Unicode space or punctuation mark (U+00A0, U+2000-U+206F, U+3000-U+303F, full-width
 * punctuation), without trailing . , ; : ! ? * ' and unbalanced ) ] }.
 *
 * Left as written: links that are not http(s) (mailto:, tel:, #top, relative), the message's
 * unsubscribe link, links already on the tracking server (BASE/t/..., BASE/u/...), and links
 * a token cannot carry (enc_token_url_ok refuses them: over 1,024 bytes, characters that must
 * be percent-encoded, user info, an unknown character reference) — the last are counted as
 * untracked, so that a campaign can say how many of its links go out untracked. A URL in text
 * that runs into other characters (non-ASCII letters) is never cut short: it is untracked.
 * No allocation beyond the output buffer. */
#ifndef ENCORE_CAMPAIGN_LINKS_H
#define ENCORE_CAMPAIGN_LINKS_H
#include "base/buf.h"
#include "campaign/token.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a message's tracking links say, and what was done with them. Borrowed pointers. */
typedef struct enc_links {
    const enc_token_key *key;
    const char *base;  /* the tracking server's base URL (a trailing '/' is dropped) */
    const char *skip;  /* a link left as written (the message's unsubscribe link), or NULL */
    enc_token tok;     /* channel, message id, customer and campaign of every token; kind and
                        * url are set per link */
    int64_t tracked;   /* links rewritten (added to) */
    int64_t untracked; /* http(s) links left as written because no token can carry them */
    /* Open-redirect defence (issue 12): only links written in the template are signed, and only
     * to allowed hosts. data_mask (NULL: every byte is the template's) has one byte per input
     * byte, 1 where it came from a value (enc_tpl_render_marked): a link whose scheme or host
     * holds such a byte is left as written. hosts[0..nhosts) (nhosts 0: any host) are the
     * allowed hosts; a subdomain of one is allowed too. */
    const uint8_t *data_mask;
    const char *const *hosts;
    size_t nhosts;
    int64_t refused; /* http(s) links left as written: from customer data, or to another host */
} enc_links;

enum {
    ENC_LINKS_CLICKS = 1, /* rewrite links */
    ENC_LINKS_OPEN = 2,   /* HTML: add the open pixel before the last </body>, else at the end */
};

/* Appends html (n bytes) to out with the tracking `flags` asks for. */
void enc_links_html(enc_links *l, const char *html, size_t n, unsigned flags, enc_buf *out);
/* Appends text (n bytes) to out with its bare http(s) URLs rewritten. */
void enc_links_text(enc_links *l, const char *text, size_t n, enc_buf *out);
#endif
