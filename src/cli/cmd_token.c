/* cmd_token.c — `encore token`: mints a signed tracking token (click, open, unsubscribe) or
 * the whole tracking URL with --base-url, as the campaign engine does through enc_track_url;
 * `encore token check TOKEN` verifies one and shows what it says. Uses the same secret as
 * `encore serve` (--secret-file, $ENCORE_SECRET, or DB.secret). */
#include "cli/cli.h"
#include "base/datetime.h"
#include "base/json.h"
#include "campaign/token.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage[] =
    "usage: encore token click|open|unsubscribe --message ID --customer ID [--campaign KEY]\n"
    "                   [--channel CH] [--url URL] [--expires WHEN] [--base-url URL]\n"
    "                   [--secret-file FILE] [--json]\n"
    "       encore token check TOKEN [--secret-file FILE] [--json]\n\n"
    "Prints a signed token for a tracking link (docs/server.md), or with --base-url the link\n"
    "itself: BASE/t/c/TOKEN (click), BASE/t/o/TOKEN (open pixel), BASE/u/TOKEN (unsubscribe).\n"
    "'check' verifies a token and prints what it carries (exit 1 when it is not valid).\n\n"
    "options:\n"
    "  --message ID       the outbox message id (default 0)\n"
    "  --customer ID      the customer's internal id (#N in 'encore customer')\n"
    "  --campaign KEY     campaign key: up to 64 of A-Z a-z 0-9 . _ : -\n"
    "  --channel CH       email, sms, push, wechat or inapp (unsubscribe: required)\n"
    "  --url URL          click target, http:// or https:// (click: required)\n"
    "  --expires WHEN     a time (2025-12-31, 2025-12-31T23:59:59Z, epoch seconds) or a duration\n"
    "                     from now (30d, 12h); default: never\n"
    "  --base-url URL     print the full tracking URL under this base (default $ENCORE_BASE_URL)\n"
    "  --secret-file FILE the signing secret (default $ENCORE_SECRET, else DB.secret)\n"
    "  --json             print one JSON document\n"
    "  --help             this text\n";

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

int cmd_token(enc_cli *cli, int argc, char **argv)
{
    enum { O_MSG = 1, O_CUST, O_CAMP, O_CHAN, O_URL, O_EXP, O_BASE, O_SECRET, O_JSON, O_HELP };
    static const struct option longopts[] = {
        {"message", required_argument, 0, O_MSG},
        {"customer", required_argument, 0, O_CUST},
        {"campaign", required_argument, 0, O_CAMP},
        {"channel", required_argument, 0, O_CHAN},
        {"url", required_argument, 0, O_URL},
        {"expires", required_argument, 0, O_EXP},
        {"base-url", required_argument, 0, O_BASE},
        {"secret-file", required_argument, 0, O_SECRET},
        {"json", no_argument, 0, O_JSON},
        {"help", no_argument, 0, O_HELP},
        {0, 0, 0, 0},
    };
    if (enc_cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return ENC_EXIT_OK;
    }
    enc_token t = {0};
    const char *secret_file = NULL, *base = getenv("ENCORE_BASE_URL");
    bool json = false;
    int64_t now = (int64_t)time(NULL);
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        switch (ch) {
        case O_MSG:
            if (!parse_id(optarg, &t.message_id))
                return enc_cli_usage("token", usage, "--message: '%s' is not an id", optarg);
            break;
        case O_CUST:
            if (!parse_id(optarg + (optarg[0] == '#'), &t.customer_id))
                return enc_cli_usage("token", usage, "--customer: '%s' is not an id", optarg);
            break;
        case O_CAMP:
            if (!enc_token_campaign_ok(optarg, strlen(optarg)))
                return enc_cli_usage("token", usage, "--campaign: up to 64 of A-Z a-z 0-9 . _ : -");
            snprintf(t.campaign, sizeof t.campaign, "%s", optarg);
            break;
        case O_CHAN:
            if (strlen(optarg) >= sizeof t.channel)
                return enc_cli_usage("token", usage,
                                     "--channel: email, sms, push, wechat or inapp");
            snprintf(t.channel, sizeof t.channel, "%s", optarg);
            break;
        case O_URL:
            if (strlen(optarg) > ENC_TOKEN_URL_MAX)
                return enc_cli_usage("token", usage, "--url: longer than %d bytes",
                                     ENC_TOKEN_URL_MAX);
            snprintf(t.url, sizeof t.url, "%s", optarg);
            break;
        case O_EXP:
            if (!parse_when(optarg, now, &t.expires))
                return enc_cli_usage("token", usage,
                                     "--expires: '%s' is not a time or a duration (30d, 12h)",
                                     optarg);
            break;
        case O_BASE: base = optarg; break;
        case O_SECRET: secret_file = optarg; break;
        case O_JSON: json = true; break;
        case ':': return enc_cli_usage("token", usage, "%s needs a value", argv[optind - 1]);
        default: return enc_cli_usage("token", usage, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return enc_cli_usage("token", usage, "needs click, open, unsubscribe or check");
    const char *what = argv[optind++];
    const char *tok_in = NULL;
    if (strcmp(what, "check") == 0) {
        if (optind >= argc) return enc_cli_usage("token", usage, "check needs a TOKEN");
        tok_in = argv[optind++];
    } else if (strcmp(what, "click") == 0) t.kind = ENC_TOKEN_CLICK;
    else if (strcmp(what, "open") == 0) t.kind = ENC_TOKEN_OPEN;
    else if (strcmp(what, "unsubscribe") == 0) t.kind = ENC_TOKEN_UNSUB;
    else
        return enc_cli_usage("token", usage, "'%s' is not click, open, unsubscribe or check", what);
    if (optind < argc)
        return enc_cli_usage("token", usage, "unexpected argument '%s'", argv[optind]);

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
