/* cmd_check.c — `encore check`: is the store sound? SQLite's quick_check of the file plus
 * Encore's invariants (store_check.c), one line each; exit 1 when anything is wrong. The store
 * is input too: run it after a crash, a copy or a hand edit. */
#include "cli/opts.h"
#include "base/json.h"
#include "store/store.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

static const enc_usage usage = {
    .name = "check",
    .about =
        "  checks the store: SQLite's quick_check of the file, then Encore's invariants (ids in\n"
        "  range, merges and owners that exist, times and amounts within bounds); exit 1 when\n"
        "  anything is wrong\n",
};

int cmd_check(enc_cli *cli, int argc, char **argv)
{
    static const enc_opt opts[] = {OPT_END()};
    int x = enc_opts_parse(cli, &usage, opts, argc, argv, NULL);
    if (x != ENC_OPTS_GO) return x;
    enc_err err = {0};
    enc_store_check_result r;
    enc_rc rc = enc_store_check(cli->st, (int64_t)time(NULL), &r, &err);
    if (rc) {
        enc_store_check_free(&r);
        return enc_cli_fail_err("check", &err);
    }
    if (cli->json) {
        enc_buf b = {0};
        enc_jw w;
        enc_jw_init(&w, &b);
        enc_jw_obj(&w);
        enc_jw_kbool(&w, "ok", r.failed == 0);
        enc_jw_key(&w, "checks");
        enc_jw_arr(&w);
        for (size_t i = 0; i < r.n; i++) {
            enc_jw_obj(&w);
            enc_jw_kstr(&w, "name", r.items[i].name);
            enc_jw_kstr(&w, "what", r.items[i].what);
            enc_jw_kint(&w, "broken", r.items[i].broken);
            enc_jw_kstr(&w, "detail", r.items[i].detail[0] ? r.items[i].detail : NULL);
            enc_jw_end(&w);
        }
        enc_jw_end(&w);
        enc_jw_end(&w);
        enc_cli_print(&b);
        enc_buf_free(&b);
    } else {
        for (size_t i = 0; i < r.n; i++) {
            const enc_store_check_item *it = &r.items[i];
            const char *mark = it->broken == 0 ? "ok  " : it->broken < 0 ? "??  " : "FAIL";
            printf("%s %-20s %s", mark, it->name, it->what);
            if (it->broken > 0)
                printf(": %lld %s%s%s%s", (long long)it->broken, it->broken == 1 ? "row" : "rows",
                       it->detail[0] ? " (" : "", it->detail, it->detail[0] ? ")" : "");
            else if (it->broken < 0) printf(": %s", it->detail);
            putchar('\n');
        }
        printf("%s\n", r.failed ? "the store has problems" : "the store is sound");
    }
    size_t failed = r.failed;
    enc_store_check_free(&r);
    if (failed) return enc_cli_fail("check", "%zu of the checks failed", failed);
    return ENC_EXIT_OK;
}
