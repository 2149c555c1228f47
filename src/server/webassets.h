/* webassets.h — the web console's built files (web/, bundled and embedded by scripts/embed-web
 * into the generated webassets.c) and the lookup `encore serve` uses for every GET that matches
 * no API route: `/` and the console's client-side routes answer index.html, `/assets/...` the
 * bundle. Server side of the flow's front door; nothing here reads the store. */
#ifndef ENC_SERVER_WEBASSETS_H
#define ENC_SERVER_WEBASSETS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct enc_webasset {
    const char *path;         /* "/index.html", "/assets/app.js", ... */
    const char *content_type; /* "text/javascript; charset=utf-8", ... */
    size_t len;
    const char *data; /* len bytes (plus the literal's NUL) */
} enc_webasset;

extern const enc_webasset enc_webassets[]; /* generated: webassets.c */
extern const int enc_webassets_count;

/* The file to answer for a GET of `path` (the URL's path, without query): an embedded file by
 * its exact path; index.html for `/` and for the console's client-side routes (/login,
 * /customers, /segments, /campaigns, /deliverability, /settings and paths below them whose
 * segments are letters, digits, UTF-8, space or one of -_.%@+, none empty or "." or "..", and
 * whose last segment has no dot); false for anything else (404). Results point into static
 * storage: nothing to free. */
bool enc_webasset_get(const char *path, const unsigned char **data, size_t *len,
                      const char **content_type);

#endif
