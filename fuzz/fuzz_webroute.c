/* fuzz_webroute.c — libFuzzer target for the console's path lookup (src/server/webroute.c):
 * any bytes as a GET path. What it answers must be an embedded file, whole (len bytes before
 * the literal's NUL); index.html only for / and paths under the console's roots, never for a
 * path with a ".." segment; an asset only by its exact path. */
#include "server/webassets.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096) return 0;
    char *path = malloc(size + 1);
    if (!path) return 0;
    memcpy(path, data, size);
    path[size] = 0; /* a C string: what libmicrohttpd hands over stops at the first NUL */
    const unsigned char *d;
    size_t n;
    const char *ct;
    if (enc_webasset_get(path, &d, &n, &ct)) {
        const enc_webasset *hit = NULL;
        for (int i = 0; i < enc_webassets_count; i++)
            if ((const unsigned char *)enc_webassets[i].data == d) hit = &enc_webassets[i];
        if (!hit || hit->len != n || strcmp(hit->content_type, ct) != 0 || d[n] != 0) abort();
        if (strcmp(hit->path, "/index.html") == 0) {
            if (strstr(path, "/../") || strstr(path, "/./") || strstr(path, "//")) abort();
            size_t pl = strlen(path);
            if (pl >= 3 && strcmp(path + pl - 3, "/..") == 0) abort();
        } else if (strcmp(hit->path, path) != 0) {
            abort();
        }
    }
    free(path);
    return 0;
}
