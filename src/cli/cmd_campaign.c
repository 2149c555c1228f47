/* cmd_campaign.c — `encore campaign plan|start|list|show|pause|resume|stop|policy|report|
 * measure`. A campaign file is read and checked (src/campaign/spec.h), planned over the store
 * (plan.h) and written to the outbox (run.h). `encore playbook` is cmd_playbook.c, `encore tick`
 * cmd_tick.c. */
#include "base/utf8.h"
#include "base/datetime.h"
#include "base/json.h"
#include "base/mem.h"
#include "campaign/campapi.h"
#include "campaign/campdb.h"
#include "campaign/playbook.h"
#include "campaign/journey.h"
#include "campaign/plan.h"
#include "campaign/sendopt.h"
#include "campaign/run.h"
#include "campaign/spec.h"
#include "cli/campaign_cli.h"
#include "delivery/outbox.h"
#include "measure/campreport.h"
#include "measure/mdoc.h"
#include "measure/msettings.h"
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char campaign_usage[] =
    "usage: encore campaign COMMAND [ARGS]\n"
    "  plan FILE [--at TIME] [--sample N] [--json]\n"
    "                          dry run: audience, holdout, variants, exclusions by reason,\n"
    "                          deferrals, and a sample of rendered messages\n"
    "  start FILE|NAME [--at TIME] [--json]\n"
    "                          save the campaign (running) and write its due messages into the\n"
    "                          outbox; a rerun adds nothing twice\n"
    "  list [--json]           the campaigns, highest priority first\n"
    "  show NAME [--json]      one campaign: state, watermark, members, messages, coupons, A/B\n"
    "  pause NAME | resume NAME | stop NAME\n"
    "                          pause or resume planning; stop also cancels its queued messages\n"
    "  policy [FILE] [--json]  show the contact policy shared by every campaign, or set it\n"
    "                          from FILE (caps, quiet hours, default zone, links)\n"
    "  report NAME [--at TIME] [--attribution last-touch|all] [--json]\n"
    "                          results per variant and for the holdout: funnel, conversions,\n"
    "                          revenue, cost, uplift over the holdout with 95% intervals and\n"
    "                          p-values, ROI, the A/B comparison; up to TIME (default now);\n"
    "                          an order counts for the campaign of its last touch (all: for\n"
    "                          every campaign whose window holds it)\n"
    "  measure [FILE] [--json] show the attribution window and message cost of each channel,\n"
    "                          or set them from FILE (docs/measurement.md)\n"
    "FILE: a campaign file (JSON; '-' reads stdin); docs/campaigns.md describes the format and\n"
    "'encore playbook list' the ready ones. TIME: \"YYYY-MM-DD[ HH:MM[:SS]]\" (UTC) or epoch\n"
    "seconds; default the current time.\n";

typedef struct opts {
    const char *pos[8];
    int npos;
    bool json;
    const char *at, *sample, *attribution;
    const char *at_name; /* --at or --now, as typed */
} opts;

/* the options a subcommand takes; any other one given is a usage error */
enum { O_JSON = 1, O_AT = 2, O_SAMPLE = 4 };

static int only_opts(const char *cmd, const char *usage, const char *sub, const opts *o,
                     int allowed)
{
    const char *bad = o->json && !(allowed & O_JSON)       ? "--json"
                      : o->at && !(allowed & O_AT)         ? o->at_name
                      : o->sample && !(allowed & O_SAMPLE) ? "--sample"
                                                           : NULL;
    if (bad && !sub) return enc_cli_usage(cmd, usage, "takes no %s", bad);
    if (bad) return enc_cli_usage(cmd, usage, "%s takes no %s", sub, bad);
    return ENC_EXIT_OK;
}

static int parse(const char *cmd, const char *usage, int argc, char **argv, opts *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--json") == 0) o->json = true;
        else if (strcmp(a, "--at") == 0 || strcmp(a, "--now") == 0 || strcmp(a, "--sample") == 0 ||
                 strcmp(a, "--attribution") == 0) {
            if (i + 1 >= argc) return enc_cli_usage(cmd, usage, "%s needs a value", a);
            if (strcmp(a, "--sample") == 0) o->sample = argv[++i];
            else if (strcmp(a, "--attribution") == 0) o->attribution = argv[++i];
            else o->at = argv[++i], o->at_name = a;
        } else if (strncmp(a, "--at=", 5) == 0 || strncmp(a, "--now=", 6) == 0) {
            o->at = strchr(a, '=') + 1;
            o->at_name = a[2] == 'a' ? "--at" : "--now";
        } else if (strncmp(a, "--sample=", 9) == 0) {
            o->sample = a + 9;
        } else if (a[0] == '-' && a[1]) {
            return enc_cli_usage(cmd, usage, "unknown option '%s'", a);
        } else {
            if (o->npos == 8) return enc_cli_usage(cmd, usage, "too many arguments");
            o->pos[o->npos++] = a;
        }
    }
    return ENC_EXIT_OK;
}

static bool clock_of(const opts *o, int64_t *now)
{
    if (!o->at) {
        *now = (int64_t)time(NULL);
        return true;
    }
    return enc_time_parse(o->at, now, NULL);
}

static char *read_all(const char *path, size_t *n, enc_err *err)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        enc_fail(err, ENC_EIO, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    enc_buf b = {0};
    char chunk[8192];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        enc_buf_add(&b, chunk, got);
        if (b.len > ENC_SPEC_MAX_BYTES) break;
    }
    bool bad = ferror(f);
    if (f != stdin) fclose(f);
    if (bad || b.len > ENC_SPEC_MAX_BYTES) {
        enc_buf_free(&b);
        enc_fail(err, bad ? ENC_EIO : ENC_ELIMIT, "%s: %s", path,
                 bad ? "read error" : "larger than 1 MiB");
        return NULL;
    }
    *n = b.len;
    return b.p ? enc_buf_steal(&b) : enc_xstrdup("");
}

/* Reads and checks a campaign file; prints the error. */
static int load_spec(const char *what, const char *path, enc_store *st, enc_spec **out)
{
    enc_err err = {0};
    size_t n = 0;
    char *text = read_all(path, &n, &err);
    if (!text) return enc_cli_fail_err(what, &err);
    enc_rc rc = enc_spec_parse(text, n, st, out, &err);
    free(text);
    if (rc) return enc_cli_fail(what, "%s: %s", path, err.msg);
    return ENC_EXIT_OK;
}

static void fmt_time(char *out, size_t cap, int64_t t)
{
    if (t) enc_fmt_datetime(out, cap, t);
    else snprintf(out, cap, "-");
}

/* ---- campaign plan ------------------------------------------------------------------------- */

static int do_plan(enc_cli *cli, const opts *o)
{
    if (o->npos != 2) return enc_cli_usage("campaign", campaign_usage, "plan needs one FILE");
    int64_t now;
    if (!clock_of(o, &now))
        return enc_cli_usage("campaign", campaign_usage,
                             "--at '%s': not a time (" ENC_TIME_FORMS ")", o->at);
    long sample = 5;
    if (o->sample && !enc_cli_parse_long(o->sample, 0, 1000, &sample))
        return enc_cli_usage("campaign", campaign_usage, "--sample: 0 to 1000");
    enc_err err = {0};
    enc_store *st;
    if (enc_store_open(cli->db_path, &st, &err)) return enc_cli_fail_err("campaign", &err);
    enc_spec *spec = NULL;
    int rc = load_spec("campaign", o->pos[1], st, &spec);
    enc_settings set;
    enc_plan_opts po;
    char winner[ENC_SPEC_MAX_NAME];
    enc_plan *p = NULL;
    if (rc) goto out;
    if (enc_settings_load(st, &set, &err) ||
        enc_campaign_plan_opts(st, spec, now, &po, winner, sizeof winner, &err) ||
        enc_plan_build(st, spec, &set, &po, &p, &err)) {
        rc = enc_cli_fail_err("campaign", &err);
        goto out;
    }
    const enc_decide_out *c = enc_plan_counts(p);
    if (o->json) {
        enc_buf b = {0};
        enc_jw w;
        enc_jw_init(&w, &b);
        enc_plan_json(p, (size_t)sample, &w);
        enc_cli_print(&b);
        enc_buf_free(&b);
    } else {
        char a[40], f[40];
        fmt_time(a, sizeof a, now);
        fmt_time(f, sizeof f, enc_plan_from(p));
        printf("campaign %s: %s trigger, window %s .. %s UTC\n", spec->name,
               enc_trig_kind_name(spec->trigger.kind), f, a);
        printf("  audience    %10zu\n  eligible    %10lld\n  holdout     %10lld\n",
               enc_plan_size(p), (long long)c->n[ENC_DEC_MESSAGE],
               (long long)c->n[ENC_DEC_HOLDOUT]);
        for (int v = 0; v < spec->nvariants; v++)
            printf("    variant %-10s %6lld\n", spec->variants[v].name, (long long)c->variants[v]);
        printf("  excluded:\n");
        for (int d = ENC_DEC_EXITED; d < ENC_DEC_COUNT; d++)
            printf("    %-14s %7lld\n", enc_decision_name((enc_decision)d), (long long)c->n[d]);
        printf("  deferred: %lld out of quiet hours, %lld by frequency caps; %zu queued messages "
               "of lower priority moved\n",
               (long long)c->deferred_quiet, (long long)c->deferred_cap, c->ndisp);
        printf("  coupons to issue: %lld\n", (long long)c->coupons);
        const enc_sendopt_stats *so = enc_plan_sendopt(p);
        if (so) {
            printf("  send time optimal: %lld of %lld moved (%lld with history); local hour:",
                   (long long)so->moved, (long long)so->considered, (long long)so->with_history);
            for (int h = 0; h < 24; h++)
                if (so->hours[h]) printf(" %02d:%lld", h, (long long)so->hours[h]);
            printf("\n");
        }
        enc_plan_sms_stats sms;
        enc_plan_sms(p, &sms);
        if (sms.checked)
            printf("  sms: longest %d characters (%s), %d segment%s\n", sms.max_chars,
                   sms.max_ucs2 ? "UCS-2: 70 in one, 67 a part" : "GSM-7: 160 in one, 153 a part",
                   sms.max_segments, sms.max_segments == 1 ? "" : "s");
        if (spec->journey.nsteps) {
            enc_buf jb = {0};
            enc_journey_text(&spec->journey, &jb);
            fputs(jb.p, stdout);
            enc_buf_free(&jb);
        }
        printf("  (--json shows a sample of rendered messages)\n");
        char warn[256];
        if (enc_plan_warning(p, warn, sizeof warn))
            fprintf(stderr, "encore: campaign: warning: %s\n", warn);
        if (sms.over)
            fprintf(stderr,
                    "encore: campaign: warning: %lld SMS longer than %d segments"
                    " (sms_max_segments)\n",
                    (long long)sms.over, sms.limit);
    }
out:
    enc_plan_free(p);
    enc_spec_free(spec);
    enc_store_close(st);
    return rc;
}

/* ---- campaign start ------------------------------------------------------------------------ */

void enc__run_result_text(const enc_run_result *r)
{
    if (r->error[0]) {
        printf("  %-24s failed: %s\n", r->name, r->error);
        return;
    }
    printf("  %-24s audience %lld, messages %lld (%lld new in the outbox), holdout %lld, "
           "excluded %lld, coupons %lld%s%s%s\n",
           r->name, (long long)r->audience, (long long)r->messages, (long long)r->added,
           (long long)r->holdout, (long long)r->excluded, (long long)r->coupons,
           r->decided ? ", A/B winner " : "", r->decided ? r->winner : "",
           r->rolled_out ? " (rolled out)" : "");
    if ((r->decided || r->rolled_out) && r->rule[0])
        printf("  %-24s A/B: %s %s: %s\n", "", r->winner,
               r->significant == 1   ? "is significant"
               : r->significant == 0 ? "is NOT significant"
                                     : "chosen",
               r->rule);
    if (r->links_tracked || r->links_untracked)
        printf("  %-24s links tracked %lld, left untracked %lld%s\n", "",
               (long long)r->links_tracked, (long long)r->links_untracked,
               r->links_untracked ? " (a token cannot carry them: percent-encode, at most 1024"
                                    " bytes; docs/campaigns.md)"
                                  : "");
}

static int do_start(enc_cli *cli, const opts *o)
{
    if (o->npos != 2)
        return enc_cli_usage("campaign", campaign_usage, "start needs one FILE or NAME");
    int64_t now;
    if (!clock_of(o, &now))
        return enc_cli_usage("campaign", campaign_usage,
                             "--at '%s': not a time (" ENC_TIME_FORMS ")", o->at);
    enc_err err = {0};
    enc_store *st;
    if (enc_store_open(cli->db_path, &st, &err)) return enc_cli_fail_err("campaign", &err);
    enc_spec *spec = NULL;
    int rc;
    FILE *f = strcmp(o->pos[1], "-") == 0 ? NULL : fopen(o->pos[1], "rb");
    if (f || strcmp(o->pos[1], "-") == 0) {
        if (f) fclose(f);
        rc = load_spec("campaign", o->pos[1], st, &spec);
    } else {
        /* not a file: a stored (e.g. installed) campaign of that name */
        enc_camp_row row;
        if (enc_camp_get(st, o->pos[1], &row, &err)) {
            rc = enc_cli_fail("campaign", "%s: neither a campaign file nor a stored campaign",
                              o->pos[1]);
        } else {
            rc = ENC_EXIT_OK;
            if (enc_spec_parse(row.spec, strlen(row.spec), st, &spec, &err))
                rc = enc_cli_fail("campaign", "%s: %s", o->pos[1], err.msg);
            enc_camp_row_free(&row);
        }
    }
    if (!rc) {
        enc_run_result r;
        if (enc_campaign_start(st, spec, now, &r, &err)) {
            rc = enc_cli_fail_err("campaign", &err);
        } else if (o->json) {
            enc_buf b = {0};
            enc_jw w;
            enc_jw_init(&w, &b);
            enc_run_result_json(&w, &r);
            enc_cli_print(&b);
            enc_buf_free(&b);
        } else {
            printf("started %s\n", spec->name);
            enc__run_result_text(&r);
        }
    }
    enc_spec_free(spec);
    enc_store_close(st);
    return rc;
}

/* ---- list, show, pause, resume, stop ------------------------------------------------------- */

static int do_list(enc_cli *cli, const opts *o)
{
    enc_err err = {0};
    enc_store *st;
    if (enc_store_open(cli->db_path, &st, &err)) return enc_cli_fail_err("campaign", &err);
    enc_camp_row *rows;
    size_t n;
    if (enc_camp_list(st, &rows, &n, &err)) {
        enc_store_close(st);
        return enc_cli_fail_err("campaign", &err);
    }
    enc_buf b = {0};
    enc_jw w;
    enc_jw_init(&w, &b);
    enc_jw_obj(&w);
    enc_jw_key(&w, "campaigns");
    enc_jw_arr(&w);
    if (!o->json)
        printf("%-28s %-8s %8s  %-19s  %s\n", "name", "state", "priority", "planned until",
               "trigger");
    for (size_t i = 0; i < n; i++) {
        char t[40];
        fmt_time(t, sizeof t, rows[i].processed_to);
        enc_spec *sp = NULL;
        enc_err e2 = {0};
        const char *trig = "?";
        if (!enc_spec_parse(rows[i].spec, strlen(rows[i].spec), NULL, &sp, &e2))
            trig = enc_trig_kind_name(sp->trigger.kind);
        if (o->json) {
            enc_jw_obj(&w);
            enc_jw_kstr(&w, "name", rows[i].name);
            enc_jw_kstr(&w, "state", rows[i].state);
            enc_jw_kint(&w, "priority", rows[i].priority);
            enc_jw_kstr(&w, "trigger", trig);
            enc_jw_kstr(&w, "planned_until", rows[i].processed_to ? t : NULL);
            enc_jw_end(&w);
        } else {
            enc_utf8_fpad(stdout, rows[i].name, 28); /* CJK names take two columns a character */
            printf(" %-8s %8d  %-19s  %s\n", rows[i].state, rows[i].priority, t, trig);
        }
        enc_spec_free(sp);
        enc_camp_row_free(&rows[i]);
    }
    enc_jw_end(&w);
    enc_jw_end(&w);
    if (o->json) enc_cli_print(&b);
    enc_buf_free(&b);
    free(rows);
    enc_store_close(st);
    return ENC_EXIT_OK;
}

static int do_show(enc_cli *cli, const opts *o)
{
    if (o->npos != 2) return enc_cli_usage("campaign", campaign_usage, "show needs a NAME");
    enc_err err = {0};
    enc_store *st;
    if (enc_store_open(cli->db_path, &st, &err)) return enc_cli_fail_err("campaign", &err);
    enc_camp_row row;
    enc_camp_counts c;
    if (enc_camp_get(st, o->pos[1], &row, &err)) {
        enc_store_close(st);
        return enc_cli_fail_err("campaign", &err);
    }
    if (enc_camp_counts_get(st, row.name, &c, &err)) {
        enc_camp_row_free(&row);
        enc_store_close(st);
        return enc_cli_fail_err("campaign", &err);
    }
    static const char *const states[] = {"queued",    "sending",   "sent",       "failed", "dead",
                                         "reconcile", "cancelled", "suppressed", "expired"};
    char t1[40], t2[40], t3[40], t4[40];
    fmt_time(t1, sizeof t1, row.created_at);
    fmt_time(t2, sizeof t2, row.updated_at);
    fmt_time(t3, sizeof t3, row.started_at);
    fmt_time(t4, sizeof t4, row.processed_to);
    if (o->json) { /* the document GET /v1/campaigns/{name} answers */
        enc_buf b = {0};
        enc_jw w;
        enc_jw_init(&w, &b);
        enc_rc r = enc_campaign_show_json(st, row.name, &w, &err);
        if (r) {
            enc_buf_free(&b);
            enc_camp_row_free(&row);
            enc_store_close(st);
            return enc_cli_fail_err("campaign", &err);
        }
        enc_cli_print(&b);
        enc_buf_free(&b);
    } else {
        printf("campaign %s: %s, priority %d\n", row.name, row.state, row.priority);
        printf("  created %s, updated %s, started %s; planned until %s UTC\n", t1, t2, t3, t4);
        printf("  members %lld (holdout %lld, messages planned %lld, sent %lld, cancelled %lld,"
               " expired %lld)\n",
               (long long)c.members, (long long)c.holdout, (long long)c.messages,
               (long long)c.by_state[2], (long long)c.by_state[6], (long long)c.by_state[8]);
        printf("  customers %lld, holdout customers %lld (distinct, scheduled ones included;"
               " members count a customer once per entry)\n",
               (long long)c.customers, (long long)c.holdout_customers);
        printf("  outbox:");
        for (int i = 0; i < 9; i++)
            if (c.by_state[i]) printf(" %s %lld", states[i], (long long)c.by_state[i]);
        if (c.nexpired) {
            printf("\n  expired by reason:");
            for (int i = 0; i < c.nexpired; i++)
                printf(" %s %lld", c.expired[i].reason, (long long)c.expired[i].n);
        }
        printf("\n  coupons: %lld issued (%lld sent with their message, %lld revoked), %lld"
               " redeemed\n",
               (long long)c.coupons, (long long)c.coupons_sent, (long long)c.coupons_revoked,
               (long long)c.redeemed);
        if (row.ab_decide_at) {
            printf("  A/B: %s%s", row.ab_winner[0] ? "winner " : "undecided",
                   row.ab_winner[0] ? row.ab_winner : "");
            json_t *rep = row.ab_report ? json_loads(row.ab_report, 0, NULL) : NULL;
            json_t *sig = json_object_get(rep, "significant"), *rule = json_object_get(rep, "rule");
            if (row.ab_winner[0] && json_is_boolean(sig))
                printf(", %s", json_is_true(sig) ? "significant" : "NOT significant");
            if (row.ab_winner[0] && json_is_string(rule))
                printf("; rule: %s", json_string_value(rule));
            printf("\n");
            json_decref(rep);
        }
    }
    enc_camp_row_free(&row);
    enc_store_close(st);
    return ENC_EXIT_OK;
}

static int do_state(enc_cli *cli, const opts *o, const char *sub)
{
    if (o->npos != 2) return enc_cli_usage("campaign", campaign_usage, "%s needs a NAME", sub);
    int64_t now;
    if (!clock_of(o, &now))
        return enc_cli_usage("campaign", campaign_usage,
                             "--at '%s': not a time (" ENC_TIME_FORMS ")", o->at);
    enc_err err = {0};
    enc_store *st;
    if (enc_store_open(cli->db_path, &st, &err)) return enc_cli_fail_err("campaign", &err);
    int rc = ENC_EXIT_OK;
    const char *to = NULL;
    int64_t cancelled = 0, revoked = 0;
    if (enc_campaign_change(st, o->pos[1], sub, now, &to, &cancelled, &revoked, &err)) {
        rc = enc_cli_fail_err("campaign", &err);
        goto out;
    }
    const char *name = o->pos[1];
    if (!rc) {
        if (o->json) {
            enc_buf b = {0};
            enc_jw w;
            enc_jw_init(&w, &b);
            enc_campaign_change_json(&w, name, to, cancelled, revoked);
            enc_cli_print(&b);
            enc_buf_free(&b);
        } else {
            printf("%s: %s", name, to);
            if (strcmp(sub, "stop") == 0)
                printf(" (%lld queued messages cancelled, %lld unsent coupons revoked)",
                       (long long)cancelled, (long long)revoked);
            printf("\n");
        }
    }
out:
    enc_store_close(st);
    return rc;
}

static int do_policy(enc_cli *cli, const opts *o)
{
    if (o->npos > 2)
        return enc_cli_usage("campaign", campaign_usage, "policy takes at most one FILE");
    enc_err err = {0};
    enc_store *st;
    if (enc_store_open(cli->db_path, &st, &err)) return enc_cli_fail_err("campaign", &err);
    enc_settings set;
    int rc = ENC_EXIT_OK;
    if (enc_settings_load(st, &set, &err)) {
        rc = enc_cli_fail_err("campaign", &err);
        goto out;
    }
    if (o->npos == 2) {
        size_t n = 0;
        char *text = read_all(o->pos[1], &n, &err);
        if (!text) {
            rc = enc_cli_fail_err("campaign", &err);
            goto out;
        }
        enc_rc r = enc_settings_parse(text, n, &set, &err);
        free(text);
        if (r) {
            rc = enc_cli_fail("campaign", "%s: %s", o->pos[1], err.msg);
            goto out;
        }
        if (enc_settings_save(st, &set, &err)) {
            rc = enc_cli_fail_err("campaign", &err);
            goto out;
        }
    }
    enc_buf b = {0};
    enc_settings_json(&set, &b);
    if (o->json || o->npos == 2) {
        enc_cli_print(&b);
    } else {
        printf("contact policy (every campaign):\n");
        for (int i = 0; i < set.policy.ncaps; i++) {
            const enc_cap *c = &set.policy.caps[i];
            printf("  at most %d message%s on %s in %lld h\n", c->max, c->max == 1 ? "" : "s",
                   c->channel == ENC_CAP_ALL_CHANNELS ? "all channels"
                                                      : enc_channel_name((enc_channel)c->channel),
                   (long long)(c->window / 3600));
        }
        if (set.policy.quiet_start != set.policy.quiet_end)
            printf("  quiet hours %02d:%02d-%02d:%02d in the customer's zone (default %s)\n",
                   set.policy.quiet_start / 60, set.policy.quiet_start % 60,
                   set.policy.quiet_end / 60, set.policy.quiet_end % 60, set.default_tz);
        else printf("  no quiet hours\n");
        printf("  unsubscribe links: %s\n", set.unsubscribe_url);
        if (set.track_base_url[0])
            printf(
                "  tracking: clicks %s/t/c/..., opens %s/t/o/... (campaigns may turn them off)\n",
                set.track_base_url, set.track_base_url);
        else printf("  tracking: off (no track_base_url)\n");
        printf("  shop: %s (%s)\n", set.shop_name, set.shop_url);
    }
    enc_buf_free(&b);
out:
    enc_store_close(st);
    return rc;
}

/* ---- campaign report, campaign measure (src/measure, docs/measurement.md) ------------------ */

static int do_report(enc_cli *cli, const opts *o)
{
    if (o->npos != 2) return enc_cli_usage("campaign", campaign_usage, "report needs a NAME");
    bool all = false;
    if (o->attribution) {
        if (strcmp(o->attribution, "all") == 0) all = true;
        else if (strcmp(o->attribution, "last-touch") != 0 &&
                 strcmp(o->attribution, "last_touch") != 0)
            return enc_cli_usage("campaign", campaign_usage,
                                 "--attribution: last-touch (default) or all");
    }
    int64_t as_of;
    if (!clock_of(o, &as_of))
        return enc_cli_usage("campaign", campaign_usage,
                             "--at '%s': not a time (" ENC_TIME_FORMS ")", o->at);
    enc_err err = {0};
    enc_store *st;
    if (enc_store_open(cli->db_path, &st, &err)) return enc_cli_fail_err("campaign", &err);
    enc_campreport *r;
    if (enc_campreport_build_rule(st, o->pos[1], as_of, all, &r, &err)) {
        enc_store_close(st);
        return enc_cli_fail_err("campaign report", &err);
    }
    enc_buf b = {0};
    if (o->json) {
        enc_jw w;
        enc_jw_init(&w, &b);
        enc_campreport_json(r, &w);
        enc_cli_print(&b);
    } else {
        enc_campreport_text(r, &b);
        fputs(b.p, stdout);
    }
    enc_buf_free(&b);
    enc_campreport_free(r);
    enc_store_close(st);
    return ENC_EXIT_OK;
}

static void mset_print(const char *who, const enc_mset *s)
{
    printf("%s:\n", who);
    for (int c = 0; c < CH_NCHANNELS; c++) {
        char d[32];
        enc_mset_fmt_window(d, sizeof d, s->window[c]);
        printf("  %-7s window %-6s cost per message %g\n", enc_channel_name((enc_channel)c), d,
               s->msg_cost[c]);
    }
}

static int do_measure(enc_cli *cli, const opts *o)
{
    if (o->npos > 2)
        return enc_cli_usage("campaign", campaign_usage, "measure takes at most one FILE");
    enc_err err = {0};
    enc_store *st;
    if (enc_store_open(cli->db_path, &st, &err)) return enc_cli_fail_err("campaign", &err);
    int rc = ENC_EXIT_OK;
    char *text = NULL;
    json_t *doc = NULL;
    if (o->npos == 2) {
        size_t n = 0;
        char *in = read_all(o->pos[1], &n, &err);
        if (!in) {
            rc = enc_cli_fail_err("campaign", &err);
            goto out;
        }
        enc_rc r = enc_mset_save(st, in, n, &err);
        free(in);
        if (r) {
            rc = enc_cli_fail("campaign", "%s: %s", o->pos[1], err.msg);
            goto out;
        }
    }
    enc_mset shop;
    if (enc_mset_load(st, NULL, &shop, &err) || enc_mset_text(st, &text, &err)) {
        rc = enc_cli_fail_err("campaign", &err);
        goto out;
    }
    doc = text ? json_loads(text, 0, NULL) : NULL;
    json_t *camps = json_object_get(doc, "campaigns");
    const char *name;
    json_t *v;
    enc_buf b = {0};
    enc_jw w;
    enc_jw_init(&w, &b);
    if (o->json && enc_mset_doc_json(st, &w, &err)) { /* the document of GET /v1/measurement */
        enc_buf_free(&b);
        rc = enc_cli_fail_err("campaign", &err);
        goto out;
    }
    if (o->json) {
        enc_cli_print(&b);
    } else {
        mset_print("attribution windows and message costs (every campaign)", &shop);
        json_object_foreach(camps, name, v)
        {
            enc_mset c;
            enc_mset_load(st, name, &c, &err);
            char who[128];
            snprintf(who, sizeof who, "campaign %s", name);
            mset_print(who, &c);
        }
    }
    enc_buf_free(&b);
out:
    json_decref(doc);
    free(text);
    enc_store_close(st);
    return rc;
}

int cmd_campaign(enc_cli *cli, int argc, char **argv)
{
    if (enc_cli_wants_help(argc, argv)) {
        fputs(campaign_usage, stdout);
        return ENC_EXIT_OK;
    }
    opts o;
    int rc = parse("campaign", campaign_usage, argc, argv, &o);
    if (rc) return rc;
    if (o.npos < 1) return enc_cli_usage("campaign", campaign_usage, "needs a command");
    const char *sub = o.pos[0];
    static const struct {
        const char *sub;
        int opts;
    } takes[] = {
        {"plan", O_JSON | O_AT | O_SAMPLE},
        {"start", O_JSON | O_AT},
        {"list", O_JSON},
        {"show", O_JSON},
        {"pause", O_JSON | O_AT},
        {"resume", O_JSON | O_AT},
        {"stop", O_JSON | O_AT},
        {"policy", O_JSON},
        {"report", O_JSON | O_AT},
        {"measure", O_JSON},
    };
    for (size_t i = 0; i < sizeof takes / sizeof *takes; i++)
        if (strcmp(sub, takes[i].sub) == 0 &&
            (rc = only_opts("campaign", campaign_usage, sub, &o, takes[i].opts)))
            return rc;
    if (strcmp(sub, "list") == 0 && o.npos != 1)
        return enc_cli_usage("campaign", campaign_usage, "list takes no arguments");
    if (o.attribution && strcmp(sub, "report") != 0)
        return enc_cli_usage("campaign", campaign_usage, "--attribution is an option of report");
    if (strcmp(sub, "plan") == 0) return do_plan(cli, &o);
    if (strcmp(sub, "start") == 0) return do_start(cli, &o);
    if (strcmp(sub, "list") == 0) return do_list(cli, &o);
    if (strcmp(sub, "show") == 0) return do_show(cli, &o);
    if (strcmp(sub, "pause") == 0 || strcmp(sub, "resume") == 0 || strcmp(sub, "stop") == 0)
        return do_state(cli, &o, sub);
    if (strcmp(sub, "policy") == 0) return do_policy(cli, &o);
    if (strcmp(sub, "report") == 0) return do_report(cli, &o);
    if (strcmp(sub, "measure") == 0) return do_measure(cli, &o);
    return enc_cli_usage("campaign", campaign_usage, "unknown command '%s'", sub);
}
