/* cmd_token.c — `encore token`: mints a signed tracking token (click, open, unsubscribe) or
 * the whole tracking URL with --base-url, as the campaign engine does through enc_track_url;
 * `encore token check TOKEN` verifies one and shows what it says. Uses the same secret as
 * `encore serve` (--secret-file, $ENCORE_SECRET, or DB.secret). */
#include "cli/opts.h"
#include "base/datetime.h"
#include "base/json.h"
#include "campaign/token.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char about[] =
    "Prints a signed token for a tracking link (docs/server.md), or with --base-url the link\n"
    "itself: BASE/t/c/TOKEN (click), BASE/t/o/TOKEN (open pixel), BASE/u/TOKEN (unsubscribe).\n"
    "'check' verifies a token and prints what it carries (exit 1 when it is not valid).\n";

static bool parse_id(const char *s, int64_t *out)
{
    long v;
    if (!enc_cli_parse_long(s, 0, INT64_MAX, &v)) return false;
    *out = v;
    return true;
}

/* "30d", "12h", "90m" from now, or a time (enc_time_parse, the one parser of the commands). */
static bool parse_when(const char *s, int64_t now, int64_t *out)
{
    size_t n = strlen(s);
    if (n >= 2 && strchr("dhm", s[n - 1])) {
        char num[32];
        long v;
        if (n - 1 >= sizeof num) return false;
        memcpy(num, s, n - 1);
        num[n - 1] = 0;
        if (!enc_cli_parse_long(num, 1, 100L * 366, &v)) return false;
        *out = now + v * (s[n - 1] == 'd' ? 86400 : s[n - 1] == 'h' ? 3600 : 60);
        return true;
    }
    return enc_time_parse(s, out, NULL) && *out > 0;
}

static void token_json(enc_jw *w, const enc_token *t)
{
    static const char *const kinds[] = {"", "click", "open", "unsubscribe"};
    enc_jw_kstr(w, "kind", kinds[t->kind]);
    enc_jw_kint(w, "message_id", t->message_id);
    enc_jw_kint(w, "customer_id", t->customer_id);
    enc_jw_kstr(w, "campaign", t->campaign);
    enc_jw_kstr(w, "channel", t->channel);
    if (t->kind == ENC_TOKEN_CLICK) enc_jw_kstr(w, "url", t->url);
    enc_jw_key(w, "expires");
    if (t->expires) {
        char b[40];
        enc_fmt_datetime(b, sizeof b, t->expires);
        enc_jw_str(w, b);
    } else {
        enc_jw_null(w);
    }
}

/* click, open, unsubscribe and check: one body, told apart by argv[0] */
static int token_sub(enc_cli *cli, int argc, char **argv)
{
    const char *what = argv[0];
    bool check = strcmp(what, "check") == 0;
    char name[32];
    snprintf(name, sizeof name, "token %s", what);
    const enc_usage usage = {
        .name = name,
        .synopsis = check ? "TOKEN [--secret-file FILE] [--json]"
                          : "--message ID --customer ID [options] [--json]",
        .about = about,
        .min_args = check,
        .max_args = check,
        .args_msg = "check needs a TOKEN",
    };
    enc_token t = {0};
    const char *secret_file = NULL, *base = getenv("ENCORE_BASE_URL");
    const char *msg = NULL, *cust = NULL, *camp = NULL, *chan = NULL, *url_s = NULL,
               *expires = NULL;
    int64_t now = (int64_t)time(NULL);
    const enc_opt mint_opts[] = {
        OPT_STRING("message", &msg, "ID", "the outbox message id (default 0)"),
        OPT_STRING("customer", &cust, "ID", "the customer's internal id (#N in 'encore customer')"),
        OPT_STRING("campaign", &camp, "KEY", "campaign key: up to 64 of A-Z a-z 0-9 . _ : -"),
        OPT_STRING("channel", &chan, "CH",
                   "email, sms, push, wechat or inapp (unsubscribe: required)"),
        OPT_STRING("url", &url_s, "URL", "click target, http:// or https:// (click: required)"),
        OPT_STRING("expires", &expires, "WHEN",
                   "a time or a duration from now (30d, 12h); default: never"),
        OPT_STRING("base-url", &base, "URL",
                   "print the full tracking URL under this base (default $ENCORE_BASE_URL)"),
        OPT_STRING("secret-file", &secret_file, "FILE",
                   "the signing secret (default $ENCORE_SECRET, else DB.secret)"),
        OPT_END(),
    };
    const enc_opt check_opts[] = {
        OPT_STRING("secret-file", &secret_file, "FILE",
                   "the signing secret (default $ENCORE_SECRET, else DB.secret)"),
        OPT_END(),
    };
    const enc_opt *opts = check ? check_opts : mint_opts;
    int x = enc_opts_parse(cli, &usage, opts, argc, argv, NULL);
    if (x != ENC_OPTS_GO) return x;
    bool json = cli->json;
    const char *tok_in = check ? argv[1] : NULL;
    t.kind = strcmp(what, "click") == 0  ? ENC_TOKEN_CLICK
             : strcmp(what, "open") == 0 ? ENC_TOKEN_OPEN
                                         : ENC_TOKEN_UNSUB;
    if (msg && !parse_id(msg, &t.message_id))
        return enc_opts_error(cli, &usage, opts, "--message: '%s' is not an id", msg);
    if (cust && !parse_id(cust + (cust[0] == '#'), &t.customer_id))
        return enc_opts_error(cli, &usage, opts, "--customer: '%s' is not an id", cust);
    if (camp) {
        if (!enc_token_campaign_ok(camp, strlen(camp)))
            return enc_opts_error(cli, &usage, opts, "--campaign: up to 64 of A-Z a-z 0-9 . _ : -");
        snprintf(t.campaign, sizeof t.campaign, "%s", camp);
    }
    if (chan) {
        if (strlen(chan) >= sizeof t.channel)
            return enc_opts_error(cli, &usage, opts,
                                  "--channel: email, sms, push, wechat or inapp");
        snprintf(t.channel, sizeof t.channel, "%s", chan);
    }
    if (url_s) {
        if (strlen(url_s) > ENC_TOKEN_URL_MAX)
            return enc_opts_error(cli, &usage, opts, "--url: longer than %d bytes",
                                  ENC_TOKEN_URL_MAX);
        snprintf(t.url, sizeof t.url, "%s", url_s);
    }
    if (expires && !parse_when(expires, now, &t.expires))
        return enc_opts_error(cli, &usage, opts,
                              "--expires: '%s' is not a time or a duration (30d, 12h)", expires);

    enc_err err = {0};
    enc_token_key key;
    if (enc_token_key_load(secret_file, getenv("ENCORE_SECRET"), cli->db_path, &key, NULL, 0, &err))
        return enc_cli_fail_err("token", &err);
    enc_buf b = {0};
    enc_jw w;
    enc_jw_init(&w, &b);
    if (tok_in) {
        enc_token got;
        if (enc_token_check(&key, tok_in, strlen(tok_in), now, &got, &err))
            return enc_cli_fail("token", "not valid: %s", err.msg);
        enc_jw_obj(&w);
        enc_jw_kbool(&w, "valid", true);
        token_json(&w, &got);
        enc_jw_end(&w);
        if (json) {
            enc_cli_print(&b);
        } else {
            printf("valid %s token: message %lld, customer %lld",
                   got.kind == ENC_TOKEN_CLICK  ? "click"
                   : got.kind == ENC_TOKEN_OPEN ? "open"
                                                : "unsubscribe",
                   (long long)got.message_id, (long long)got.customer_id);
            if (got.campaign[0]) printf(", campaign %s", got.campaign);
            if (got.channel[0]) printf(", channel %s", got.channel);
            if (got.url[0]) printf(", url %s", got.url);
            if (got.expires) {
                char e[40];
                enc_fmt_datetime(e, sizeof e, got.expires);
                printf(", expires %s", e);
            }
            putchar('\n');
        }
        enc_buf_free(&b);
        return ENC_EXIT_OK;
    }
    char tok[ENC_TOKEN_BUF];
    if (enc_token_make(&key, &t, tok, &err)) return enc_cli_fail_err("token", &err);
    enc_buf url = {0};
    if (base && *base && enc_track_url(&key, base, &t, &url, &err)) {
        enc_buf_free(&b);
        return enc_cli_fail_err("token", &err);
    }
    if (json) {
        enc_jw_obj(&w);
        enc_jw_kstr(&w, "token", tok);
        if (url.p) enc_jw_kstr(&w, "url", url.p);
        token_json(&w, &t);
        enc_jw_end(&w);
        enc_cli_print(&b);
    } else {
        puts(url.p ? url.p : tok);
    }
    enc_buf_free(&url);
    enc_buf_free(&b);
    return ENC_EXIT_OK;
}

int cmd_token(enc_cli *cli, int argc, char **argv)
{
    static const enc_subcmd subs[] = {
        {"click", token_sub, "a click token (or link with --base-url)"},
        {"open", token_sub, "an open-pixel token"},
        {"unsubscribe", token_sub, "an unsubscribe token"},
        {"check", token_sub, "verify a token and print what it carries"},
        {NULL},
    };
    return enc_opts_subcommand(cli, "token", about, subs, NULL, argc, argv);
}
