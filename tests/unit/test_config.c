/* test_config.c — src/delivery/config.c: the delivery configuration's precedence (flags over
 * environment over file), parse errors with their line, secret masking. */
#include "harness.h"
#include "base/json.h"
#include "delivery/channel.h"
#include "delivery/config.h"

static void config_precedence_and_masking(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/delivery.json", th_tmpdir());
    FILE *f = fopen(path, "w");
    fputs("{\"dispatch\": {\"batch\": 50, \"max_attempts\": 5},\n"
          " \"channels\": {\n"
          "  \"email\": {\"kind\": \"smtp\", \"url\": \"smtp://file\", \"password\": \"p-file\","
          "  \"from\": \"a@b\", \"rate\": 5},\n"
          "  \"sms-cn\": {\"kind\": \"webhook\", \"url\": \"http://file\", \"secret\": \"s-file\","
          "  \"headers\": {\"Authorization\": \"Bearer T\", \"X-Plain\": \"p\"}}}}\n",
          f);
    fclose(f);
    char *env[] = {"ENCORE_CHANNEL_EMAIL_URL=smtp://env",
                   "ENCORE_CHANNEL_EMAIL_PASSWORD=p-env",
                   "ENCORE_CHANNEL_SMS_CN_SECRET=s-env",
                   "ENCORE_CHANNEL_BOX_KIND=inbox",
                   "OTHER=1",
                   NULL};
    const char *sets[] = {"email.url=smtp://flag", "hook.kind=file", "hook.path=/tmp/x"};
    enc_delivery_config c;
    enc_err err = {0};
    CHECK_INT(enc_delivery_config_load(path, env, sets, 3, &c, &err), ENC_OK);
    json_t *em = json_object_get(c.channels, "email");
    CHECK_STR(enc_opt_str(em, "url", ""), "smtp://flag"); /* flag over env over file */
    CHECK_STR(enc_opt_str(em, "password", ""), "p-env");  /* env over file */
    CHECK_NEAR(enc_opt_num(em, "rate", 0), 5, 0);
    CHECK_STR(enc_opt_str(json_object_get(c.channels, "sms-cn"), "secret", ""), "s-env");
    CHECK_STR(enc_opt_str(json_object_get(c.channels, "box"), "kind", ""), "inbox");
    CHECK_STR(enc_opt_str(json_object_get(c.channels, "hook"), "kind", ""), "file");
    CHECK_INT(c.batch, 50);
    CHECK_INT(c.retry.max_attempts, 5);
    /* what the environment and the flags set over the file, by name and source (the last
     * source wins: email.url from both ends as the command line's); nothing from the file */
    json_t *ov = c.overrides;
    CHECK_STR(json_string_value(json_object_get(json_object_get(ov, "email"), "url")),
              "command line");
    CHECK_STR(json_string_value(json_object_get(json_object_get(ov, "email"), "password")),
              "environment");
    CHECK(json_object_get(json_object_get(ov, "email"), "rate") == NULL);
    CHECK(json_object_get(json_object_get(ov, "email"), "from") == NULL);
    CHECK_STR(json_string_value(json_object_get(json_object_get(ov, "sms-cn"), "secret")),
              "environment");
    CHECK_STR(json_string_value(json_object_get(json_object_get(ov, "box"), "kind")),
              "environment");
    CHECK_INT(json_object_size(json_object_get(ov, "hook")), 2);
    CHECK_INT(json_object_size(ov), 4);
    char *ovs = json_dumps(ov, 0);
    CHECK(strstr(ovs, "p-env") == NULL && strstr(ovs, "s-env") == NULL); /* names, no values */
    free(ovs);
    enc_buf b = {0};
    enc_jw w;
    enc_jw_init(&w, &b);
    enc_delivery_config_json(&c, &w);
    CHECK(strstr(b.p, "p-env") == NULL);
    CHECK(strstr(b.p, "s-env") == NULL);
    CHECK(strstr(b.p, "Bearer") == NULL);
    CHECK(strstr(b.p, "\"X-Plain\":\"p\"") != NULL);
    CHECK(strstr(b.p, "smtp://flag") != NULL);
    enc_buf_free(&b);
    enc_delivery_config_free(&c);
    /* errors: unknown kind, malformed --set, bad JSON with position */
    const char *bad[] = {"x.kind=carrier-pigeon"};
    CHECK_INT(enc_delivery_config_load(NULL, NULL, bad, 1, &c, &err), ENC_EUSAGE);
    CHECK(strstr(err.msg, "carrier-pigeon") != NULL);
    const char *bad2[] = {"nodot"};
    CHECK_INT(enc_delivery_config_load(NULL, NULL, bad2, 1, &c, &err), ENC_EUSAGE);
    f = fopen(path, "w");
    fputs("{\"channels\": {\n  \"a\": }\n", f);
    fclose(f);
    CHECK_INT(enc_delivery_config_load(path, NULL, NULL, 0, &c, &err), ENC_EPARSE);
    CHECK(strstr(err.msg, ":2:") != NULL);
    CHECK(enc_delivery_opt_secret("smtp_password"));
    CHECK(enc_delivery_opt_secret("Authorization"));
    CHECK(!enc_delivery_opt_secret("url"));
}

/* a channel's quiet hours (HH:MM-HH:MM, may cross midnight) and its on/off switch */
static void quiet_hours_and_enabled(void)
{
    int a = -1, b = -1;
    CHECK(enc_quiet_parse("21:00-08:00", &a, &b));
    CHECK_INT(a, 21 * 60);
    CHECK_INT(b, 8 * 60);
    CHECK(enc_quiet_parse("00:00-23:59", &a, &b));
    CHECK_INT(b, 23 * 60 + 59);
    static const char *const bad[] = {
        "",          "21:00",       "21:00-08:00x", "24:00-08:00", "21:60-08:00",
        "8:00-9:00", "21:00-21:00", "21-00-08:00",  "2a:00-08:00", "21:00 08:00",
        NULL};
    for (int i = 0; bad[i]; i++) CHECK(!enc_quiet_parse(bad[i], &a, &b));
    CHECK(!enc_quiet_parse(NULL, &a, &b));
    /* crossing midnight: 21:00 in, 07:59 in, 08:00 out, 20:59 out */
    CHECK(enc_quiet_inside(21 * 60, 8 * 60, 21 * 60));
    CHECK(enc_quiet_inside(21 * 60, 8 * 60, 7 * 60 + 59));
    CHECK(!enc_quiet_inside(21 * 60, 8 * 60, 8 * 60));
    CHECK(!enc_quiet_inside(21 * 60, 8 * 60, 20 * 60 + 59));
    /* within a day: [12:00, 14:00) */
    CHECK(enc_quiet_inside(12 * 60, 14 * 60, 12 * 60));
    CHECK(!enc_quiet_inside(12 * 60, 14 * 60, 14 * 60));
    CHECK(!enc_quiet_inside(12 * 60, 14 * 60, 0));
    /* the loader: a bad quiet_hours is refused naming the channel; "enabled": false leaves the
     * channel out, and a flag turns it back on */
    const char *sets1[] = {"sms.kind=file", "sms.path=/tmp/x", "sms.quiet_hours=25:00-08:00"};
    enc_delivery_config c;
    enc_err err = {0};
    CHECK_INT(enc_delivery_config_load(NULL, NULL, sets1, 3, &c, &err), ENC_EUSAGE);
    CHECK(strstr(err.msg, "\"sms\"") && strstr(err.msg, "quiet_hours"));
    const char *sets2[] = {"sms.kind=file", "sms.path=/tmp/x", "sms.enabled=false",
                           "push.kind=file", "push.path=/tmp/y"};
    enc_err_clear(&err);
    CHECK_INT(enc_delivery_config_load(NULL, NULL, sets2, 5, &c, &err), ENC_OK);
    CHECK(json_object_get(c.channels, "sms") == NULL);
    CHECK(json_object_get(c.channels, "push") != NULL);
    enc_delivery_config_free(&c);
    const char *sets3[] = {"sms.kind=file", "sms.path=/tmp/x", "sms.enabled=false",
                           "sms.enabled=true"};
    CHECK_INT(enc_delivery_config_load(NULL, NULL, sets3, 4, &c, &err), ENC_OK);
    CHECK(json_object_get(c.channels, "sms") != NULL);
    enc_delivery_config_free(&c);
    /* the file beside the store unless one is given */
    char p[256];
    bool exists = true;
    enc_delivery_config_path(NULL, "/nonexistent-dir/shop.db", p, sizeof p, &exists);
    CHECK_STR(p, "/nonexistent-dir/shop.db.delivery.json");
    CHECK(!exists);
    enc_delivery_config_path("/etc/hostname", "/x/shop.db", p, sizeof p, &exists);
    CHECK_STR(p, "/etc/hostname");
    CHECK(exists);
}

int main(void)
{
    RUN(config_precedence_and_masking);
    RUN(quiet_hours_and_enabled);
    return TEST_SUMMARY();
}
