/* intel_cli.c — helpers of the customer-intelligence commands (see intel_cli.h). */
#include "cli/intel_cli.h"
#include "base/datetime.h"
#include "ingest/clean.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool enc__parse_day(const char *s, int32_t *out)
{
    int y, m, d;
    char extra;
    if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3) return false;
    if (!enc_date_valid(y, m, d) || y < 1900 || y > 9999) return false;
    *out = (int32_t)enc_days_from_civil(y, m, d);
    return true;
}

bool enc__parse_day_end(const char *s, int64_t *out)
{
    bool timed;
    if (!enc_time_parse(s, out, &timed)) return false;
    if (!timed) *out += 86400; /* a bare date: the end of that day */
    return true;
}

void enc__fmt_day_end(char *out, size_t cap, int64_t end) { enc_fmt_date(out, cap, end - 1); }

int enc__load_config(const enc_cli *cli, const char *cmd, const char *path, enc_score_config *c)
{
    enc_score_config_default(c);
    enc_err err = {0};
    char beside[4096];
    if (!path || !*path) path = getenv("ENCORE_CONFIG");
    if (!path || !*path) {
        /* encore.conf in the directory of the store, when there is one */
        const char *slash = strrchr(cli->db_path, '/');
        int dl = slash ? (int)(slash - cli->db_path) : 0;
        snprintf(beside, sizeof beside, "%.*s%sencore.conf", dl, cli->db_path, slash ? "/" : "");
        if (access(beside, R_OK) == 0) path = beside;
        else path = NULL;
    }
    if (path && enc_score_config_file(c, path, &err)) {
        enc_score_config_free(c);
        return enc_cli_fail_err(cmd, &err);
    }
    if (enc_score_config_env(c, &err)) {
        enc_score_config_free(c);
        return enc_cli_fail_err(cmd, &err);
    }
    return ENC_EXIT_OK;
}

int enc__money_digits(const enc_cli *cli, const char *cmd, int *digits)
{
    enc_score_config cfg;
    int x = enc__load_config(cli, cmd, NULL, &cfg);
    if (x) return x;
    *digits = cfg.money_digits;
    enc_score_config_free(&cfg);
    return 0;
}

enc_rc enc__load_snapshot(const enc_cli *cli, enc_store *st, int64_t before, enc_snapshot **s,
                          enc_err *err)
{
    if (cli->tty) fprintf(stderr, "reading the store...");
    enc_rc rc = enc_snapshot_load(st, before, s, err);
    if (cli->tty) fprintf(stderr, "\r                   \r");
    return rc;
}
