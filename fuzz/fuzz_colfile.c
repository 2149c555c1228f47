/* fuzz_colfile.c — libFuzzer target for the column files' reader (src/snapshot/colfile.c):
 * the input, given a valid prefix hash (enc__colfile_seal) so that the section table and the
 * strings behind it are what gets exercised, is written to a file and opened; every section
 * is looked up and every string set that passes enc_colfile_strings is walked to its ends. */
#include "snapshot/colfile.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    if (!path[0]) snprintf(path, sizeof path, "/tmp/fuzz_colfile.%ld", (long)getpid());
    size_t head = size ? data[0] % 64 : 0;
    uint8_t *buf = malloc(size ? size : 1);
    memcpy(buf, data, size);
    enc__colfile_seal(buf, size, "FUZZFILE", head); /* too short: left as it is */
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    if (size && fwrite(buf, 1, size, f) != size) abort();
    fclose(f);
    free(buf);
    enc_colfile m;
    if (enc_colfile_open(path, "FUZZFILE", head, &m) == NULL) {
        for (int64_t k = 0; k < m.nsect; k++) {
            char name[32];
            memcpy(name, m.sec[k].name, sizeof m.sec[k].name);
            name[sizeof m.sec[k].name] = 0;
            int64_t bytes;
            const uint8_t *p = enc_colfile_find(&m, name, &bytes);
            if (!p) abort();
            volatile uint8_t sum = 0;
            for (int64_t i = 0; i < bytes; i++) sum ^= p[i];
            size_t nl = strlen(name);
            if (nl > 4 && strcmp(name + nl - 4, ".off") == 0) {
                name[nl - 4] = 0;
                const int64_t *off;
                const char *str;
                if (enc_colfile_strings(&m, name, bytes / 8, &off, &str))
                    for (int64_t i = 0; i < bytes / 8; i++) {
                        const char *s = enc_colfile_str(off, str, (size_t)i);
                        if (s) sum ^= (uint8_t)strlen(s);
                    }
            }
            (void)sum;
        }
        enc_colfile_close(&m);
    }
    unlink(path);
    return 0;
}
