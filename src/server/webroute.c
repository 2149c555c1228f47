/* webroute.c — which embedded console file answers a GET path (see webassets.h). The console
 * routes on the client (history API), so a reload of /customers/42 must get index.html, while
 * a mistyped /assets/x.js or an unknown /v1/ path must stay a 404. */
#include "server/webassets.h"
#include <string.h>

#define WEB_PATH_MAX 512

static const enc_webasset *find(const char *path)
{
    for (int i = 0; i < enc_webassets_count; i++)
        if (strcmp(enc_webassets[i].path, path) == 0) return &enc_webassets[i];
    return NULL;
}

/* The console's client-side routes (web/src/main.js, ROUTES): their first path segment. Any
 * other path stays a 404, so a mistyped URL or a probe is not answered with the page. */
static const char *const client_roots[] = {"login",     "customers",      "segments",
                                           "campaigns", "deliverability", "settings"};

static bool known_root(const char *seg, size_t n)
{
    for (size_t i = 0; i < sizeof client_roots / sizeof *client_roots; i++)
        if (strlen(client_roots[i]) == n && memcmp(client_roots[i], seg, n) == 0) return true;
    return false;
}

/* a client-side route: /ROOT/seg/... under a known root, of letters, digits, UTF-8 and -_.%@+ and
 * space, no empty or dot-dot segment, and no dot in the last segment (so /favicon.ico or /x.js is
 * not answered with HTML) */
static bool client_route(const char *path)
{
    size_t n = strlen(path);
    if (n < 2 || n > WEB_PATH_MAX || path[0] != '/') return false;
    const char *seg = path + 1;
    size_t rn = strcspn(seg, "/");
    if (!known_root(seg, rn)) return false;
    for (const char *p = seg;; p++) {
        if (*p == '/' || *p == 0) {
            size_t sl = (size_t)(p - seg);
            if (sl == 0 && *p == '/') return false;
            if ((sl == 1 && seg[0] == '.') || (sl == 2 && seg[0] == '.' && seg[1] == '.'))
                return false;
            if (*p == 0) return sl == 0 || memchr(seg, '.', sl) == NULL;
            seg = p + 1;
            continue;
        }
        unsigned char ch = (unsigned char)*p;
        /* names may be UTF-8 (a campaign called 双十一) and hold spaces (percent-decoded) */
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch >= 0x80 || strchr("-_.%@+ ", ch) != NULL;
        if (!ok) return false;
    }
}

bool enc_webasset_get(const char *path, const unsigned char **data, size_t *len,
                      const char **content_type)
{
    if (!path) return false;
    const enc_webasset *a = NULL;
    if (strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0 || client_route(path))
        a = find("/index.html");
    else if (strncmp(path, "/assets/", 8) == 0 && strlen(path) <= WEB_PATH_MAX) a = find(path);
    if (!a) return false;
    *data = (const unsigned char *)a->data;
    *len = a->len;
    *content_type = a->content_type;
    return true;
}
