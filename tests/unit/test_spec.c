/* test_spec.c — campaign files (src/campaign/spec.c): every validation error with its
 * field path (or JSON position), a full file read back field by field, durations and times,
 * the contact-policy settings, and the ten playbooks: each parses, and the embedded copy
 * (generated playbooks.c) is byte-identical to its JSON file (a stale generation fails). */
#include "harness.h"
#include "campaign/playbook.h"
#include "campaign/spec.h"
#include <sys/stat.h>

#define BASE_CONTENT "\"content\":{\"email\":{\"subject\":\"Hi\",\"text\":\"t\"}}"
#define BASE "\"name\":\"c\",\"trigger\":{\"type\":\"once\"},\"channels\":[\"email\"]," BASE_CONTENT

static void errors_name_their_place(void)
{
    struct {
        const char *json, *msg;
    } cases[] = {
        {"{\"name\": }", "line 1, column 10: "},
        {"{\"name\":\"a\",\"name\":\"b\"}", "line 1, column 18: duplicate object key"},
        {"[1]", "(top): expected an object, got an array"},
        {"{" BASE ",\"holdot\":0.1}", "holdot: unknown key; did you mean 'holdout'?"},
        {"{\"trigger\":{\"type\":\"once\"},\"channels\":[\"email\"]," BASE_CONTENT "}",
         "name: required"},
        {"{\"name\":5}", "name: expected a string, got a number"},
        {"{\"name\":\"a b\"}", "name: 1 to 63 of A-Z a-z 0-9 . _ -"},
        {"{\"name\":\"c\",\"channels\":[\"email\"]," BASE_CONTENT "}",
         "trigger: required (once, recurring, event, date or predicted)"},
        {"{\"name\":\"c\",\"trigger\":{\"type\":\"weekly\"}}",
         "trigger.type: 'weekly' is not a trigger type (once, recurring, event, date, predicted)"},
        {"{\"name\":\"c\",\"trigger\":{\"type\":\"once\",\"delay\":\"1h\"}}",
         "trigger.delay: unknown key"},
        {"{\"name\":\"c\",\"trigger\":{\"type\":\"once\",\"at\":\"tomorrow\"}}",
         "trigger.at: expected a time \"YYYY-MM-DD[ HH:MM[:SS]]\" (UTC)"},
        {"{\"name\":\"c\",\"trigger\":{\"type\":\"event\",\"event\":\"checkout_done\",\"delay\":"
         "\"1h\"}}",
         "trigger.event: 'checkout_done' is not an event: first_purchase, purchase, "
         "cart_abandoned, "
         "no_purchase, or an event type (view, favorite, search, ...)"},
        {"{\"name\":\"c\",\"trigger\":{\"type\":\"event\",\"event\":\"purchase\"}}",
         "trigger.delay: required (a duration such as \"1h\"; \"delays\": [...] for steps)"},
        {"{\"name\":\"c\",\"trigger\":{\"type\":\"event\",\"event\":\"purchase\",\"delay\":"
         "\"soon\"}}",
         "trigger.delay: expected a duration like \"30m\", \"1h\", \"3d\" or \"2w\""},
        {"{\"name\":\"c\",\"trigger\":{\"type\":\"event\",\"event\":\"purchase\",\"delay\":\"1h\","
         "\"delays\":[\"2h\"]}}",
         "trigger: give \"delay\" or \"delays\", not both"},
        {"{\"name\":\"c\",\"trigger\":{\"type\":\"event\",\"event\":\"cart_abandoned\",\"delays\":["
         "\"2h\",\"1h\"]}}",
         "trigger.delays[1]: delays must increase"},
        {"{\"name\":\"c\",\"trigger\":{\"type\":\"event\",\"event\":\"no_purchase\",\"delay\":"
         "\"12h\"}}",
         "trigger.delay: no_purchase counts days: at least \"1d\""},
        {"{\"name\":\"c\",\"trigger\":{\"type\":\"recurring\"}}",
         "trigger.every: required (a duration such as \"7d\")"},
        {"{\"name\":\"c\",\"trigger\":{\"type\":\"recurring\",\"every\":\"30m\"}}",
         "trigger.every: at least 1h"},
        {"{\"name\":\"c\",\"trigger\":{\"type\":\"date\",\"date\":\"birthday\",\"offset\":\"-3h\"}"
         "}",
         "trigger.offset: whole days (\"-3d\", \"1d\")"},
        {"{\"name\":\"c\",\"trigger\":{\"type\":\"date\",\"date\":\"birthday\",\"at\":\"9am\"}}",
         "trigger.at: expected a local time \"HH:MM\""},
        {"{\"name\":\"c\",\"trigger\":{\"type\":\"date\",\"date\":\"nameday\"}}",
         "trigger.date: 'nameday' is not birthday, anniversary or holiday"},
        {"{\"name\":\"c\",\"trigger\":{\"type\":\"date\",\"date\":\"holiday\"}}",
         "trigger.holidays: required with \"date\": \"holiday\""},
        {"{\"name\":\"c\",\"trigger\":{\"type\":\"date\",\"date\":\"holiday\",\"holidays\":[{"
         "\"name\":\"x\",\"date\":\"13-01\"}]}}",
         "trigger.holidays[0].date: expected \"MM-DD\" (every year) or \"YYYY-MM-DD\""},
        {"{\"name\":\"c\",\"trigger\":{\"type\":\"predicted\",\"date\":\"churn\"}}",
         "trigger.date: 'churn' is not next_order or replenishment"},
        {"{\"name\":\"c\",\"trigger\":{\"type\":\"once\"}," BASE_CONTENT "}",
         "channels: required: channels in order of preference, e.g. [\"email\", \"sms\"]"},
        {"{\"name\":\"c\",\"trigger\":{\"type\":\"once\"},\"channels\":[\"email\",\"fax\"]}",
         "channels[1]: expected one of email, sms, push, wechat, inapp"},
        {"{\"name\":\"c\",\"trigger\":{\"type\":\"once\"},\"channels\":[\"email\",\"email\"]}",
         "channels[1]: 'email' listed twice"},
        {"{" BASE ",\"exit\":[\"bored\"]}", "exit[0]: expected bought, unsubscribed or complained"},
        {"{\"name\":\"c\",\"trigger\":{\"type\":\"once\"},\"channels\":[\"email\",\"sms\"]"
         "," BASE_CONTENT "}",
         "content.sms: required: the channel is listed in \"channels\""},
        {"{\"name\":\"c\",\"trigger\":{\"type\":\"once\"},\"channels\":[\"email\"],\"content\":{"
         "\"email\":{\"text\":\"t\"}}}",
         "content.email: needs a \"subject\""},
        {"{\"name\":\"c\",\"trigger\":{\"type\":\"once\"},\"channels\":[\"email\"],\"content\":{"
         "\"email\":{\"subject\":\"s\"}}}",
         "content.email: needs \"text\" or \"html\""},
        {"{\"name\":\"c\",\"trigger\":{\"type\":\"once\"},\"channels\":[\"sms\"],\"content\":{"
         "\"sms\":{\"subject\":\"s\"}}}",
         "content.sms.subject: unknown key"},
        {"{\"name\":\"c\",\"trigger\":{\"type\":\"once\"},\"channels\":[\"push\"],\"content\":{"
         "\"push\":{\"title\":\"s\"}}}",
         "content.push: needs \"text\""},
        {"{\"name\":\"c\",\"trigger\":{\"type\":\"once\"},\"channels\":[\"email\"],\"content\":{"
         "\"email\":{\"subject\":\"Hi {{name\",\"text\":\"t\"}}}",
         "content.email.subject: line 1, column 10: expected '}}'"},
        {"{\"name\":\"c\",\"trigger\":{\"type\":\"once\"},\"channels\":[\"email\"],\"content\":{"
         "\"email\":{\"subject\":\"s\",\"text\":\"Hi {{custmer.name}}\"}}}",
         "content.email.text: unknown field 'custmer.name'; did you mean 'customer.name'?"},
        {"{\"name\":\"c\",\"trigger\":{\"type\":\"once\"},\"channels\":[\"sms\"],\"content\":{"
         "\"sms\":{\"text\":\"{{password}}\"}}}",
         "content.sms.text: unknown field 'password' (templates see only the fields listed in "
         "docs/campaigns.md)"},
        {"{\"name\":\"c\",\"trigger\":{\"type\":\"once\"},\"channels\":[\"sms\"],\"content\":{"
         "\"sms\":{\"text\":\"{{#items}}{{nme}}{{/items}}\"}}}",
         "content.sms.text: unknown field 'items.nme'; did you mean 'name'?"},
        {"{\"name\":\"c\",\"trigger\":{\"type\":\"once\"},\"channels\":[\"sms\"],\"content\":{"
         "\"sms\":{\"text\":\"{{env.HOME}}\"}}}",
         "content.sms.text: unknown field 'env.HOME' (templates see only the fields listed in "
         "docs/campaigns.md)"},
        {"{\"name\":\"c\",\"trigger\":{\"type\":\"once\"},\"channels\":[\"email\"],\"content\":{"
         "\"fax\":{}}}",
         "content.fax: unknown key"},
        {"{" BASE ",\"offer\":{\"kind\":\"free\",\"amount\":1}}",
         "offer.kind: 'free' is not percent or value"},
        {"{" BASE ",\"offer\":{\"kind\":\"value\"}}", "offer.amount: required"},
        {"{" BASE ",\"offer\":{\"kind\":\"percent\",\"amount\":150}}",
         "offer.amount: 150 is not within 1..100"},
        {"{" BASE ",\"offer\":{\"kind\":\"percent\",\"amount\":12.5}}",
         "offer.amount: whole percent points"},
        {"{" BASE ",\"offer\":{\"kind\":\"value\",\"amount\":[1,2]}}",
         "offer.amount: 2 amounts for 1 steps (one per step of the trigger)"},
        {"{" BASE ",\"offer\":{\"kind\":\"value\",\"amount\":5,\"expires\":\"soon\"}}",
         "offer.expires: expected a duration after issue (\"30d\") or a time (\"2026-01-31\")"},
        {"{" BASE ",\"offer\":{\"kind\":\"value\",\"amount\":5,\"prefix\":\"wb-1\"}}",
         "offer.prefix: up to 12 of A-Z and 0-9"},
        {"{" BASE ",\"offer\":{\"kind\":\"value\",\"amount\":5,\"length\":5}}",
         "offer.length: 5 is not within 8..29"},
        {"{" BASE ",\"offer\":{\"kind\":\"value\",\"amount\":5,\"minspend\":5}}",
         "offer.minspend: unknown key; did you mean 'min_spend'?"},
        {"{" BASE ",\"holdout\":0.95}", "holdout: 0.95 is not within 0..0.9"},
        {"{" BASE ",\"priority\":10}", "priority: 10 is not within 0..9"},
        {"{" BASE ",\"priority\":2.5}", "priority: a whole number 0..9 (9 first)"},
        {"{" BASE ",\"variants\":[{\"name\":\"A\",\"share\":0.5},{\"name\":\"B\",\"share\":0.4}]}",
         "variants: the shares add up to 0.9, not 1"},
        {"{" BASE ",\"variants\":[{\"name\":\"A\",\"share\":0.5},{\"name\":\"A\",\"share\":0.5}]}",
         "variants[1].name: 'A' used twice"},
        {"{" BASE ",\"variants\":[{\"name\":\"A\"}]}",
         "variants[0].share: required (the variants' shares add up to 1)"},
        {"{" BASE ",\"variants\":[{\"name\":\"A\",\"share\":0.5},{\"name\":\"B\",\"share\":0.5,"
         "\"content\":{\"email\":{\"subject\":\"{{coupon.cod}}\"}}}]}",
         "variants[1].content.email.subject: unknown field 'coupon.cod'; did you mean "
         "'coupon.code'?"},
        {"{" BASE ",\"variants\":[]}", "variants: expected an array of 1 to 8 variants"},
        {"{" BASE ",\"on_cap\":\"skip\"}", "on_cap: expected defer or drop"},
        {"{" BASE ",\"send_within\":\"30m\"}", "send_within: at least 1h"},
        {"{" BASE ",\"track_links\":\"no\"}", "track_links: expected true or false, got a string"},
        {"{" BASE ",\"track_opens\":0}", "track_opens: expected true or false, got a number"},
        {"{" BASE ",\"track_link\":false}", "track_link: unknown key; did you mean 'track_links'?"},
        {"{" BASE ",\"items\":{\"from\":\"magic\"}}",
         "items.from: expected recommended, trigger, top_categories, complements, upsell or "
         "new_arrivals"},
        {"{" BASE ",\"items\":{\"from\":\"trigger\",\"kind\":\"cross\"}}",
         "items.kind: only with \"from\": \"recommended\""},
        {"{" BASE ",\"items\":{\"from\":\"recommended\",\"kind\":\"down\"}}",
         "items.kind: expected personal, cross, up or cart"},
        {"{" BASE ",\"budget\":{\"mesages\":10}}",
         "budget.mesages: unknown key; did you mean 'messages'?"},
        {"{" BASE ",\"budget\":{\"messages\":-1}}", "budget.messages: -1 is not within 0..1e+12"},
        {"{" BASE ",\"ab\":{\"test_share\":0.2,\"decide_after\":\"1d\"}}",
         "ab: an A/B test needs at least two variants"},
        {"{\"name\":\"c\",\"trigger\":{\"type\":\"event\",\"event\":\"purchase\",\"delay\":\"1d\"},"
         "\"channels\":[\"email\"]," BASE_CONTENT
         ",\"variants\":[{\"name\":\"A\",\"share\":0.5},{\"name\":\"B\",\"share\":0.5}],\"ab\":{"
         "\"test_share\":0.2,\"decide_after\":\"1d\"}}",
         "ab: test-then-roll-out needs a once or recurring trigger"},
        {"{" BASE ",\"variants\":[{\"name\":\"A\",\"share\":0.5},{\"name\":\"B\",\"share\":0.5}],"
         "\"ab\":{\"decide_after\":\"1d\"}}",
         "ab.test_share: required (the share of the audience that tests the variants)"},
        {"{" BASE ",\"variants\":[{\"name\":\"A\",\"share\":0.5},{\"name\":\"B\",\"share\":0.5}],"
         "\"ab\":{\"test_share\":0.2,\"decide_after\":\"1d\",\"metric\":\"opens\"}}",
         "ab.metric: expected conversion, revenue or click"},
        {"{\"name\":\"c\",\"audience\":\"orders >\"}", "audience: line 1, column 9: "},
        {"{\"name\":\"c\",\"audience\":\"ordrs > 1\"}", "audience: line 1, column 1: "},
        {"{\"name\":\"c\",\"audience\":{\"segmnt\":\"vip\"}}",
         "audience.segmnt: unknown key; did you mean 'segment'?"},
        {"{\"name\":\"c\",\"audience\":[1]}",
         "audience: expected an expression (a string) or {\"segment\": NAME}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        enc_spec *s = NULL;
        enc_err err = {0};
        enc_rc rc = enc_spec_parse(cases[i].json, strlen(cases[i].json), NULL, &s, &err);
        if (rc != ENC_EPARSE) TH_FAIL("case %zu: rc %d (want a parse error): %s", i, rc, err.msg);
        if (strncmp(err.msg, cases[i].msg, strlen(cases[i].msg)) != 0)
            TH_FAIL("case %zu:\n    got  '%s'\n    want '%s'", i, err.msg, cases[i].msg);
        CHECK(s == NULL);
    }
    /* bounded input */
    size_t n = ENC_SPEC_MAX_BYTES + 10;
    char *big = malloc(n);
    memset(big, ' ', n);
    enc_spec *s;
    enc_err err;
    CHECK_INT(enc_spec_parse(big, n, NULL, &s, &err), ENC_ELIMIT);
    free(big);
}

static const char full[] =
    "{\n"
    "  \"name\": \"spring-sale\",\n"
    "  \"description\": \"d\",\n"
    "  \"audience\": {\"segment\": \"vip\"},\n"
    "  \"trigger\": {\"type\": \"event\", \"event\": \"no_purchase\", \"delays\": [\"30d\", "
    "\"60d\"], \"catch_up\": \"2d\"},\n"
    "  \"exit\": [\"bought\", \"complained\"],\n"
    "  \"offer\": {\"kind\": \"percent\", \"amount\": [10, 20], \"min_spend\": 49.90, \"expires\": "
    "\"2026-05-31\", \"prefix\": \"SPRING\", \"length\": 10},\n"
    "  \"items\": {\"from\": \"upsell\", \"max\": 5},\n"
    "  \"channels\": [\"sms\", \"email\"],\n"
    "  \"content\": {\n"
    "    \"email\": {\"subject\": \"{{customer.first_name | \\\"Hi\\\"}}\", \"html\": "
    "\"{{#items}}<b>{{name}}</b>{{/items}}{{#coupon.code}}{{coupon.code}}{{/coupon.code}}\"},\n"
    "    \"sms\": {\"text\": \"{{coupon.value}} off: {{coupon.code}} {{unsubscribe_url}}\"}\n"
    "  },\n"
    "  \"variants\": [{\"name\": \"A\", \"share\": 0.25}, {\"name\": \"B\", \"share\": 0.75, "
    "\"offer\": {\"kind\": \"value\", \"amount\": [5, 8.5]},\n"
    "                \"content\": {\"sms\": {\"text\": \"B {{coupon.code}}\"}}}],\n"
    "  \"holdout\": 0.15, \"priority\": 7, \"budget\": {\"messages\": 1000, \"coupons\": 400},\n"
    "  \"on_cap\": \"drop\", \"send_within\": \"2d\", \"track_links\": false\n"
    "}\n";

static void full_file_read_back(void)
{
    enc_spec *s;
    enc_err err = {0};
    if (enc_spec_parse(full, strlen(full), NULL, &s, &err)) {
        TH_FAIL("%s", err.msg);
        return;
    }
    CHECK_STR(s->name, "spring-sale");
    CHECK_STR(s->description, "d");
    CHECK_STR(s->audience, "segment(\"vip\")");
    CHECK_INT(s->trigger.kind, ENC_TRIG_EVENT);
    CHECK_INT(s->trigger.event, ENC_EVT_NO_PURCHASE);
    CHECK_INT(s->trigger.nsteps, 2);
    CHECK_INT(s->trigger.delays[0], 30 * 86400);
    CHECK_INT(s->trigger.delays[1], 60 * 86400);
    CHECK_INT(s->trigger.catch_up, 2 * 86400);
    CHECK_INT(s->exit, ENC_EXIT_BOUGHT | ENC_EXIT_COMPLAINED);
    CHECK_INT(s->nchannels, 2);
    CHECK_INT(s->channels[0], CH_SMS);
    CHECK_INT(s->channels[1], CH_EMAIL);
    CHECK_INT(s->nvariants, 2);
    CHECK_STR(s->variants[0].name, "A");
    CHECK_NEAR(s->variants[0].share, 0.25, 1e-12);
    const enc_spec_offer *a = &s->variants[0].offer, *b = &s->variants[1].offer;
    CHECK(a->percent);
    CHECK_INT(a->amount[0], 10);
    CHECK_INT(a->amount[1], 20);
    CHECK_INT(a->min_spend, 4990);
    CHECK_INT(a->expires_at, 1780185600); /* 2026-05-31 00:00 UTC */
    CHECK_STR(a->prefix, "SPRING");
    CHECK_INT(a->length, 10);
    CHECK(!b->percent);
    CHECK_INT(b->amount[0], 500);
    CHECK_INT(b->amount[1], 850);
    CHECK_INT(b->length, 12);
    /* the variant's own sms text, the campaign's email */
    CHECK_STR(s->variants[1].content[CH_SMS].src[ENC_PART_TEXT], "B {{coupon.code}}");
    CHECK_STR(s->variants[0].content[CH_SMS].src[ENC_PART_TEXT],
              "{{coupon.value}} off: {{coupon.code}} {{unsubscribe_url}}");
    CHECK(s->variants[1].content[CH_EMAIL].tpl[ENC_PART_HTML] != NULL);
    CHECK(s->variants[1].content[CH_EMAIL].tpl[ENC_PART_TEXT] == NULL);
    CHECK_NEAR(s->holdout, 0.15, 1e-12);
    CHECK_INT(s->priority, 7);
    CHECK_INT(s->budget_messages, 1000);
    CHECK_INT(s->budget_coupons, 400);
    CHECK(!s->on_cap_defer);
    CHECK_INT(s->send_within, 2 * 86400);
    CHECK_INT(s->items_from, ENC_ITEMS_UPSELL);
    CHECK_INT(s->items_max, 5);
    CHECK(!s->track_links);
    CHECK(s->track_opens);
    CHECK_STR(s->text, full);
    enc_spec_free(s);

    /* defaults */
    const char *min = "{" BASE "}";
    if (enc_spec_parse(min, strlen(min), NULL, &s, &err)) {
        TH_FAIL("%s", err.msg);
        return;
    }
    CHECK(s->audience == NULL);
    CHECK_INT(s->nvariants, 1);
    CHECK_STR(s->variants[0].name, "A");
    CHECK_INT(s->priority, 5);
    CHECK(s->on_cap_defer);
    CHECK_INT(s->send_within, 7 * 86400);
    CHECK_INT(s->budget_messages, -1);
    CHECK_INT(s->trigger.catch_up, 86400);
    CHECK_INT(s->trigger.at, 0);
    CHECK(s->track_links && s->track_opens);
    enc_spec_free(s);
}

static void durations_and_times(void)
{
    int64_t v;
    CHECK(enc_spec_duration("90s", false, &v) && v == 90);
    CHECK(enc_spec_duration("30m", false, &v) && v == 1800);
    CHECK(enc_spec_duration("1h", false, &v) && v == 3600);
    CHECK(enc_spec_duration("3d", false, &v) && v == 3 * 86400);
    CHECK(enc_spec_duration("2w", false, &v) && v == 14 * 86400);
    CHECK(enc_spec_duration("-3d", true, &v) && v == -3 * 86400);
    CHECK(!enc_spec_duration("-3d", false, &v));
    CHECK(!enc_spec_duration("3", false, &v));
    CHECK(!enc_spec_duration("d", false, &v));
    CHECK(!enc_spec_duration("1.5h", false, &v));
    CHECK(!enc_spec_duration("99999999999d", false, &v));
    CHECK(enc_spec_time("2026-03-14", &v) && v == 1773446400);
    CHECK(enc_spec_time("2026-03-14 09:30", &v) && v == 1773446400 + 9 * 3600 + 1800);
    CHECK(enc_spec_time("2026-03-14T09:30:15Z", &v) && v == 1773446400 + 9 * 3600 + 1815);
    CHECK(enc_spec_time("1773446400", &v) && v == 1773446400);
    CHECK(!enc_spec_time("2026-02-30", &v));
    CHECK(!enc_spec_time("2026-03-14 25:00", &v));
    CHECK(!enc_spec_time("14/03/2026", &v));
}

static void settings_parse_and_round_trip(void)
{
    enc_settings s;
    enc_settings_default(&s);
    CHECK_INT(s.policy.ncaps, 2);
    CHECK_INT(s.policy.quiet_start, 21 * 60);
    CHECK_INT(s.policy.quiet_end, 8 * 60);
    const char *j =
        "{\"caps\":[{\"channel\":\"all\",\"max\":3,\"window\":\"7d\"},{\"channel\":"
        "\"sms\",\"max\":1,\"window\":\"2d\"},"
        "{\"channel\":\"email\",\"max\":1,\"window\":\"12h\"}],"
        "\"quiet_hours\":{\"start\":\"22:30\",\"end\":\"07:15\"},\"default_timezone\":"
        "\"Asia/Shanghai\","
        "\"shop_name\":\"Acme\",\"track_base_url\":\"https://t.acme.example:8443/e//\"}";
    enc_err err = {0};
    CHECK_INT(enc_settings_parse(j, strlen(j), &s, &err), ENC_OK);
    CHECK_INT(s.policy.ncaps, 3);
    CHECK_INT(s.policy.caps[0].channel, ENC_CAP_ALL_CHANNELS);
    CHECK_INT(s.policy.caps[1].window, 2 * 86400);
    CHECK_INT(s.policy.caps[2].channel, CH_EMAIL);
    CHECK_INT(s.policy.quiet_start, 22 * 60 + 30);
    CHECK_INT(s.policy.quiet_end, 7 * 60 + 15);
    CHECK_STR(s.default_tz, "Asia/Shanghai");
    CHECK_STR(s.shop_name, "Acme");
    enc_buf b = {0};
    enc_settings_json(&s, &b);
    enc_settings t;
    enc_settings_default(&t);
    CHECK_INT(enc_settings_parse(b.p, b.len, &t, &err), ENC_OK);
    CHECK(memcmp(&s.policy, &t.policy, sizeof s.policy) == 0);
    CHECK_STR(t.default_tz, s.default_tz);
    CHECK_STR(s.track_base_url, "https://t.acme.example:8443/e");
    CHECK_STR(t.track_base_url, s.track_base_url);
    enc_buf_free(&b);
    /* off by default */
    enc_settings_default(&t);
    CHECK_STR(t.track_base_url, "");
    /* no quiet hours */
    CHECK_INT(enc_settings_parse("{\"quiet_hours\":null}", 20, &t, &err), ENC_OK);
    CHECK_INT(t.policy.quiet_start, t.policy.quiet_end);

    struct {
        const char *json, *msg;
    } bad[] = {
        {"{\"caps\":[{\"channel\":\"fax\",\"max\":1,\"window\":\"1d\"}]}",
         "caps[0].channel: expected all, email, sms, push, wechat or inapp"},
        {"{\"caps\":[{\"channel\":\"sms\",\"window\":\"1d\"}]}", "caps[0].max: required"},
        {"{\"caps\":[{\"channel\":\"sms\",\"max\":1,\"window\":\"day\"}]}",
         "caps[0].window: expected a duration"},
        {"{\"quiet_hours\":{\"start\":\"21h\",\"end\":\"08:00\"}}",
         "quiet_hours: expected local times \"HH:MM\""},
        {"{\"default_timezone\":\"Mars/Olympus\"}", "default_timezone: "},
        {"{\"quiet\":1}", "quiet: unknown key; did you mean 'quiet_hours'?"},
        {"{\"track_base_url\":\"t.example\"}",
         "track_base_url: expected the tracking server's base URL (http:// or https://, no"
         " query): url must start with http:// or https://"},
        {"{\"track_base_url\":\"https://t.example/x?a=1\"}",
         "track_base_url: expected the tracking server's base URL (http:// or https://, no"
         " query): it has a query or fragment"},
        {"{\"track_base_url\":\"https://user@t.example\"}", "track_base_url: expected"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        enc_settings u;
        enc_settings_default(&u);
        CHECK_INT(enc_settings_parse(bad[i].json, strlen(bad[i].json), &u, &err), ENC_EPARSE);
        if (strncmp(err.msg, bad[i].msg, strlen(bad[i].msg)) != 0)
            TH_FAIL("settings case %zu: got '%s', want '%s'", i, err.msg, bad[i].msg);
        CHECK_INT(u.policy.ncaps, 2); /* unchanged on error */
    }
}

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)len + 1);
    *n = fread(b, 1, (size_t)len, f);
    b[*n] = 0;
    fclose(f);
    return b;
}

static void playbooks_parse_and_match_their_files(void)
{
    CHECK_INT(enc_playbooks_count, 15);
    static const char *const want[] = {
        "first-purchase-thanks", "cart-reminder", "win-back", "vip-perks", "birthday",
        "replenishment", "cross-sell", "upsell-browsers", "new-arrivals", "nps-survey",
        /* loyalty (issue 15) */
        "member-day", "points-expiring", "reward-ready", "tier-upgraded", "tier-drop-warning"};
    for (size_t i = 0; i < 15; i++) CHECK(enc_playbook_find(want[i]) != NULL);
    CHECK(enc_playbook_find("nope") == NULL);
    /* the source folder, from this file's path (tests/unit/..) */
    char dir[512];
    snprintf(dir, sizeof dir, "%s", __FILE__);
    char *cut = strstr(dir, "tests/unit/");
    if (cut) snprintf(cut, sizeof dir - (size_t)(cut - dir), "src/campaign/playbooks");
    else snprintf(dir, sizeof dir, "src/campaign/playbooks");
    for (int i = 0; i < enc_playbooks_count; i++) {
        const enc_playbook *pb = &enc_playbooks[i];
        enc_spec *s;
        enc_err err = {0};
        if (enc_spec_parse(pb->text, strlen(pb->text), NULL, &s, &err)) {
            TH_FAIL("playbook %s: %s", pb->name, err.msg);
            continue;
        }
        CHECK_STR(s->name, pb->name);
        CHECK(s->description && strlen(s->description) > 20);
        enc_spec_free(s);
        char path[700];
        snprintf(path, sizeof path, "%s/%s.json", dir, pb->name);
        size_t n;
        char *file = slurp(path, &n);
        if (!file) {
            TH_FAIL("cannot read %s", path);
            continue;
        }
        if (n != strlen(pb->text) || memcmp(file, pb->text, n) != 0)
            TH_FAIL("%s differs from the embedded copy: run 'make playbooks'", path);
        free(file);
    }
}

int main(void)
{
    RUN(errors_name_their_place);
    RUN(full_file_read_back);
    RUN(durations_and_times);
    RUN(settings_parse_and_round_trip);
    RUN(playbooks_parse_and_match_their_files);
    return TEST_SUMMARY();
}
