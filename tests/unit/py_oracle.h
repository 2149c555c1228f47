/* py_oracle.h — runs a Python oracle (pandas / numpy / scipy from Debian's /usr/bin/python3)
 * from a unit test: the test writes its inputs to files in th_tmpdir(), runs a script given as a
 * string, and reads the oracle's answers back. Used only by tests, never by the product. When
 * the interpreter or its modules are missing the test is skipped, or fails under CI=true, like
 * th_data. */
#ifndef ENCORE_TEST_PY_ORACLE_H
#define ENCORE_TEST_PY_ORACLE_H
#include "harness.h"
#include <sys/wait.h>

#define PY_BIN "/usr/bin/python3"

/* True when PY_BIN can import the modules named (space separated, e.g. "numpy pandas"). */
static inline int py_have(const char *modules)
{
    char cmd[512], mods[256];
    snprintf(mods, sizeof mods, "%s", modules);
    for (char *p = mods; *p; p++)
        if (*p == ' ') *p = ',';
    snprintf(cmd, sizeof cmd, "%s -c 'import %s' >/dev/null 2>&1", PY_BIN, mods);
    if (access(PY_BIN, X_OK) == 0 && system(cmd) == 0) return 1;
    char why[512];
    snprintf(why, sizeof why, "python oracle %s with %s missing", PY_BIN, modules);
    th_skip(why);
    return 0;
}

/* Path of a file name inside the test's scratch directory (static buffer, one of four). */
static inline const char *py_path(const char *name)
{
    static char paths[4][512];
    static int next;
    char *p = paths[next++ & 3];
    snprintf(p, 512, "%s/%s", th_tmpdir(), name);
    return p;
}

/* Writes script to a file and runs it with the scratch directory as argv[1]. Returns the exit
 * status (0 = ok); the script's stderr goes to the test's stderr. */
static inline int py_run(const char *script)
{
    const char *file = py_path("oracle.py");
    FILE *f = fopen(file, "w");
    if (!f) return -1;
    fputs(script, f);
    fclose(f);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "%s %s %s", PY_BIN, file, th_tmpdir());
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static inline int py_write(const char *name, const void *p, size_t size, size_t n)
{
    FILE *f = fopen(py_path(name), "wb");
    if (!f) return -1;
    size_t w = fwrite(p, size, n, f);
    fclose(f);
    return w == n ? 0 : -1;
}

/* Reads up to n items; returns how many were read. */
static inline size_t py_read(const char *name, void *p, size_t size, size_t n)
{
    FILE *f = fopen(py_path(name), "rb");
    if (!f) return 0;
    size_t r = fread(p, size, n, f);
    fclose(f);
    return r;
}
#endif
