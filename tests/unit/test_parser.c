/* test_parser.c — the segment language's front end (src/audience lexer, parser and the
 * compiler's checks): every error message, word for word, with the line and column it names;
 * precedence (not > and > or) and canonical printing; printing is a fixed point of parsing
 * (parse(print(x)) prints the same) over hand-picked and randomly generated expressions. */
#include "harness.h"
#include "audience/eval.h"
#include "audience/parser.h"
#include "base/rng.h"

typedef struct ecase {
    const char *src;
    const char *msg; /* the whole message: "line L, column C: ..." */
} ecase;

static enc_store *st; /* for segment(): saved segments */

/* Checks src fails with exactly msg and that *where agrees with the message's position. */
static void expect_error(const char *src, size_t len, const char *msg)
{
    enc_err err = {0};
    enc_aud_pos where = {0, 0};
    enc_rc rc = enc_aud_check(st, NULL, src, len, &where, &err);
    if (rc != ENC_EPARSE) {
        TH_FAIL("'%.60s': rc %d (want ENC_EPARSE), msg '%s'", src, rc, err.msg);
        return;
    }
    CHECK_MSG(!(strcmp(err.msg, msg) != 0), "'%.60s':\n     got  %s\n     want %s", src, err.msg,
              msg);
    int line, col;
    CHECK_MSG(!(sscanf(msg, "line %d, column %d", &line, &col) == 2 &&
                (where.line != line || where.col != col)),
              "'%.60s': where = %d:%d, message says %d:%d", src, where.line, where.col, line, col);
}

static const ecase lexer_cases[] = {
    {"clv > \"abc", "line 1, column 7: unterminated string (close it with \" on the same line)"},
    {"tag('abc\n')", "line 1, column 5: unterminated string (close it with ' on the same line)"},
    {"tag(\"a\\qb\")", "line 1, column 7: invalid escape '\\q' in string (use \\\" \\' \\\\ \\n "
                       "\\t \\r or \\uXXXX)"},
    {"tag(\"a\\\x01\")",
     "line 1, column 7: invalid escape in string (use \\\" \\' \\\\ \\n \\t \\r "
     "or \\uXXXX)"},
    {"tag(\"\\u12\")", "line 1, column 6: invalid \\u escape in string (expected four hex digits "
                       "of a character other than NUL or a lone surrogate)"},
    {"tag(\"\\ud800x\")", "line 1, column 6: invalid \\u escape in string (expected four hex "
                          "digits of a character other than NUL or a lone surrogate)"},
    {"tag(\"\\u0000\")", "line 1, column 6: invalid \\u escape in string (expected four hex "
                         "digits of a character other than NUL or a lone surrogate)"},
    {"tag(\"a\x01\")", "line 1, column 7: control character 0x01 in string"},
    {"tag(\"é\xff\")", "line 1, column 7: invalid UTF-8 in string"},
    {"tag(\"\xed\xa0\x80\")", "line 1, column 6: invalid UTF-8 in string"}, /* a surrogate */
    {"clv > 1.", "line 1, column 7: invalid number '1.' (expected a digit after '.')"},
    {"bought(within = 30x)", "line 1, column 17: unknown unit 'x' in '30x' (a duration ends in s, "
                             "m, h, d or w: 90s, 15m, 12h, 30d, 2w)"},
    {"bought(within = 3days)", "line 1, column 17: unknown unit 'days' in '3days' (a duration "
                               "ends in s, m, h, d or w: 90s, 15m, 12h, 30d, 2w)"},
    {"clv > 12345678901234567890123456789012345678901",
     "line 1, column 7: number too long (more than 40 characters)"},
    {"clv > 200 & orders > 1", "line 1, column 11: unexpected character '&' (write 'and')"},
    {"clv > 200 || orders > 1", "line 1, column 11: unexpected character '|' (write 'or')"},
    {"!tag(\"x\")", "line 1, column 1: unexpected character '!' (write 'not', or '!=' to compare)"},
    {"region in [\"a\"]", "line 1, column 11: unexpected character '[' (lists are written in "
                          "parentheses: in (1, 2))"},
    {"region in {\"a\"}", "line 1, column 11: unexpected character '{' (lists are written in "
                          "parentheses: in (1, 2))"},
    {"tag(\"abc\\", "line 1, column 5: unterminated string (close it with \" on the same line)"},
    {"clv ~ 2", "line 1, column 5: unexpected character '~'"},
    {"clv ＞ 200", "line 1, column 5: unexpected character '＞'"},
    {"city = \"上海\" and clv ＞ 2", "line 1, column 21: unexpected character '＞'"},
    {"clv\x01", "line 1, column 4: unexpected control character 0x01"},
    {"clv > 1 and \xff", "line 1, column 13: invalid UTF-8 byte 0xff"},
    {"-x", "line 1, column 1: unexpected character '-'"},
    {"clv > .5", "line 1, column 7: unexpected character '.'"},
};

static const ecase parser_cases[] = {
    {"", "line 1, column 1: expected an expression, found end of input"},
    {"  # only a comment\n", "line 2, column 1: expected an expression, found end of input"},
    {"not", "line 1, column 4: expected an expression, found end of input"},
    {"clv > 1 and", "line 1, column 12: expected an expression, found end of input"},
    {"clv >", "line 1, column 6: expected a value after '>', found end of input"},
    {"clv <> and", "line 1, column 8: expected a value after '<>', found 'and'"},
    {"(clv > 1", "line 1, column 9: expected ')' to close '(' at line 1, column 1, found end of "
                 "input"},
    {"region in \"a\"", "line 1, column 11: expected '(' to start the list after 'in', found "
                        "string \"a\""},
    {"orders in (1 2)", "line 1, column 14: expected ',' or ')' to close the list opened at line "
                        "1, column 11, found number 2"},
    {"orders in ()", "line 1, column 12: expected a value in the list, found ')'"},
    {"bought(category = )", "line 1, column 19: expected a value for argument 'category', found "
                            "')'"},
    {"bought(sku in \"a\")", "line 1, column 15: expected '(' to start the list after 'in', "
                             "found string \"a\""},
    {"bought(within = 1d, \"x\")", "line 1, column 21: positional argument after named "
                                   "arguments (write positional arguments first)"},
    {"bought(, )", "line 1, column 8: expected an argument, found ','"},
    {"bought(sku = \"a\" within = 1d)",
     "line 1, column 18: expected ',' or ')' to close the arguments of 'bought' opened at line "
     "1, column 7, found name 'within'"},
    {"orders not = 1", "line 1, column 12: expected 'in' or 'between' after 'not', found '='"},
    {"orders between 1 or 2", "line 1, column 18: expected 'and' between the two bounds, found "
                              "'or'"},
    {"orders between and", "line 1, column 16: expected a lower bound after 'between', found "
                           "'and'"},
    {"orders between 1 and", "line 1, column 21: expected an upper bound after 'and', found end "
                             "of input"},
    {"clv > 200 lifecycle", "line 1, column 11: expected 'and', 'or' or the end of the "
                            "expression, found name 'lifecycle'"},
    {"clv > 200 = 3", "line 1, column 11: expected 'and', 'or' or the end of the expression, "
                      "found '='"},
    {"clv > 200)", "line 1, column 10: unmatched ')'"},
    {"clv > 1\n  and orders >\n", "line 3, column 1: expected a value after '>', found end of "
                                  "input"},
    {"tag(\"一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一\" ",
     "line 1, column 49: expected ',' or ')' to close the arguments of 'tag' opened at line 1, "
     "column 4, found end of input"},
    {"clv > "
     "tag(\"一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一\" "
     "1)",
     "line 1, column 55: expected ',' or ')' to close the arguments of 'tag' opened at line 1, "
     "column 10, found number 1"},
    {"orders in (1, "
     "\"一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一\" 2",
     "line 1, column 59: expected ',' or ')' to close the list opened at line 1, column 11, "
     "found number 2"},
    {"orders = 1 "
     "\"一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一\"",
     "line 1, column 12: expected 'and', 'or' or the end of the expression, found string "
     "\"一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十...\""},
};

static const ecase compile_cases[] = {
    {"clvv > 200", "line 1, column 1: unknown field 'clvv' (did you mean 'clv'?)"},
    {"CLV > 200", "line 1, column 1: unknown field 'CLV' (did you mean 'clv'?)"},
    {"expected > 1",
     "line 1, column 1: unknown field 'expected' (did you mean 'expected_purchases_30d'?)"},
    {"orders > 1 and\n  wibble = 2", "line 2, column 3: unknown field 'wibble' (see 'encore "
                                     "audience fields')"},
    {"bougth(within = 1d)", "line 1, column 1: unknown function 'bougth' (did you mean 'bought'?)"},
    {"frobnicate()", "line 1, column 1: unknown function 'frobnicate' (see 'encore audience "
                     "fields')"},
    {"clv()", "line 1, column 1: 'clv' is a field, not a function (write it without parentheses)"},
    {"clv() > 1", "line 1, column 1: 'clv' is a field, not a function (write it without "
                  "parentheses)"},
    {"days_untl(birthday) < 3", "line 1, column 1: unknown function 'days_untl' (did you mean "
                                "'days_until'?)"},
    {"bought > 1", "line 1, column 1: 'bought' is a function: call it, e.g. bought(category = "
                   "\"camera\", within = 30d)"},
    {"not bought", "line 1, column 5: 'bought' is a function: call it, e.g. bought(category = "
                   "\"camera\", within = 30d)"},
    {"clv", "line 1, column 1: 'clv' is money, not a condition: compare it, e.g. clv > 200"},
    {"orders > 1 or region", "line 1, column 15: 'region' is text, not a condition: compare it, "
                             "e.g. region = \"CA\""},
    {"tags", "line 1, column 1: 'tags' is a list, not a condition: test it, e.g. tag(\"vip\")"},
    {"tags = \"x\"", "line 1, column 1: 'tags' is a list: test it with a function, e.g. "
                     "tag(\"vip\")"},
    {"5", "line 1, column 1: expected a condition (a comparison, a function such as bought(...), "
          "true or false), found number 5"},
    {"orders > 1 and \"x\"", "line 1, column 16: expected a condition (a comparison, a function "
                             "such as bought(...), true or false), found string \"x\""},
    {"not 30d", "line 1, column 5: expected a condition (a comparison, a function such as "
                "bought(...), true or false), found duration 30d"},
    {"(clv > 1) = true", "line 1, column 6: expected a value (a field, days_until(...) or a "
                         "literal), found a condition"},
    {"bought() > 1", "line 1, column 1: bought(...) is a condition, not a value: it cannot be "
                     "compared"},
    {"1 < 2", "line 1, column 3: a comparison needs a field on one side, found two literals"},
    {"clv > recency_days", "line 1, column 5: cannot compare 'clv' (money) with 'recency_days' "
                           "(days)"},
    {"region = city", "line 1, column 8: comparing two text fields is not supported"},
    {"region = orders", "line 1, column 8: cannot compare 'region' (text) with 'orders' (number)"},
    {"orders > \"x\"", "line 1, column 10: 'orders' is a number: compare it with a number, found "
                       "string \"x\""},
    {"clv > 30d", "line 1, column 7: 'clv' is money: compare it with an amount such as 200 or "
                  "19.99, found duration 30d"},
    {"last_order_days > true", "line 1, column 19: 'last_order_days' is days: compare it with a "
                               "number of days or a duration (30 or 30d), found true"},
    {"last_order_at > 5", "line 1, column 17: 'last_order_at' is a time: compare it with a date "
                          "such as \"2025-01-31\", found number 5"},
    {"region = 5", "line 1, column 10: 'region' is text: compare it with a string, found number "
                   "5"},
    {"5 = region", "line 1, column 1: 'region' is text: compare it with a string, found number "
                   "5"},
    {"region < \"x\"", "line 1, column 8: '<' does not apply to text field 'region' (use =, != "
                       "or in)"},
    {"region between \"a\" and \"b\"", "line 1, column 8: 'between' does not apply to text field "
                                       "'region'"},
    {"last_order_at > \"2025-13-01\"", "line 1, column 17: 'last_order_at' expects a date "
                                       "\"YYYY-MM-DD\" or \"YYYY-MM-DD HH:MM:SS\" (UTC), found "
                                       "string \"2025-13-01\""},
    {"registered_at between \"2025-01-01\" and \"2025-02-30\"",
     "line 1, column 40: 'registered_at' expects a date \"YYYY-MM-DD\" or \"YYYY-MM-DD "
     "HH:MM:SS\" (UTC), found string \"2025-02-30\""},
    {"registered_at in (\"2025-01-01 25:00:00\")",
     "line 1, column 19: 'registered_at' expects a date \"YYYY-MM-DD\" or \"YYYY-MM-DD "
     "HH:MM:SS\" (UTC), found string \"2025-01-01 25:00:00\""},
    {"lifecycle = \"dormnat\"", "line 1, column 13: unknown lifecycle 'dormnat' (did you mean "
                                "'dormant'? one of: prospect, new, growing, mature, declining, "
                                "dormant, churned)"},
    {"lifecycle in (\"new\", \"zzz\")", "line 1, column 22: unknown lifecycle 'zzz' (one of: "
                                        "prospect, new, growing, mature, declining, dormant, "
                                        "churned)"},
    {"gender = \"x\"", "line 1, column 10: unknown gender 'x' (one of: m, f)"},
    {"rfm_segment = \"At Rsk\"",
     "line 1, column 15: unknown rfm_segment 'At Rsk' (did you mean 'At Risk'? one of: "
     "Champions, Loyal, Potential Loyalist, New, Promising, Need Attention, About To Sleep, At "
     "Risk, Can't Lose Them, Hibernating, Lost)"},
    {"1 in (1)", "line 1, column 1: 'in' needs a field on its left, found number 1"},
    {"\"a\" between 1 and 2", "line 1, column 1: 'between' needs a field on its left, found "
                              "string \"a\""},
    {"days_until(birthdy) < 3", "line 1, column 12: days_until() expects birthday or "
                                "next_order_date, found name 'birthdy'"},
    {"days_until() < 3", "line 1, column 1: days_until() expects birthday or next_order_date, "
                         "found nothing"},
    {"days_until(\"birthday\") < 3", "line 1, column 12: days_until() expects birthday or "
                                     "next_order_date, found string \"birthday\""},
    {"days_until(birthday, 1) < 3", "line 1, column 22: days_until() takes one argument: "
                                    "birthday or next_order_date"},
    {"days_until(birthday)", "line 1, column 1: days_until(...) is days, not a condition: "
                             "compare it, e.g. days_until(birthday) <= 7"},
    {"bought(categroy = \"x\")", "line 1, column 8: bought(): unknown argument 'categroy' (did "
                                 "you mean 'category'? arguments: sku, category, brand, within, "
                                 "since, at_least)"},
    {"cart_abandoned(zzz = 1)", "line 1, column 16: cart_abandoned(): unknown argument 'zzz' "
                                "(arguments: sku, category, brand, within, since)"},
    {"viewed(type = \"view\")", "line 1, column 8: viewed(): unknown argument 'type' "
                                "(arguments: sku, category, brand, within, since, at_least)"},
    {"consent(channel = \"sms\")", "line 1, column 9: consent() takes no named arguments"},
    {"bought(within = 1d, within = 2d)", "line 1, column 21: bought(): argument 'within' given "
                                         "twice"},
    {"bought(within in (1d, 2d))", "line 1, column 8: bought(): argument 'within' takes one "
                                   "value: write within = ..."},
    {"bought(sku = 5)", "line 1, column 14: bought(): argument 'sku' expects a string, found "
                        "number 5"},
    {"viewed(brand in (\"a\", 30d))", "line 1, column 23: viewed(): argument 'brand' expects a "
                                      "string, found duration 30d"},
    {"bought(within = 30)", "line 1, column 17: bought(): argument 'within' expects a duration "
                            "such as 30d, found number 30"},
    {"bought(within = -1d)", "line 1, column 17: bought(): 'within' must be a positive duration"},
    {"bought(within = 0h)", "line 1, column 17: bought(): 'within' must be a positive duration"},
    {"bought(since = \"yesterday\")", "line 1, column 16: bought(): argument 'since' expects a "
                                      "date \"YYYY-MM-DD\" or \"YYYY-MM-DD HH:MM:SS\" (UTC), "
                                      "found string \"yesterday\""},
    {"bought(since = 20250101)", "line 1, column 16: bought(): argument 'since' expects a date "
                                 "\"YYYY-MM-DD\" or \"YYYY-MM-DD HH:MM:SS\" (UTC), found number "
                                 "20250101"},
    {"bought(at_least = 0)", "line 1, column 19: bought(): argument 'at_least' expects a whole "
                             "number of at least 1, found number 0"},
    {"viewed(at_least = 1.5)", "line 1, column 19: viewed(): argument 'at_least' expects a whole "
                               "number of at least 1, found number 1.5"},
    {"bought(\"camera\")", "line 1, column 8: bought() takes only named arguments: bought(sku=, "
                           "category=, brand=, within=DURATION, since=DATE, at_least=N)"},
    {"consent()", "line 1, column 1: consent() expects one argument: consent(CHANNEL)"},
    {"consent(\"sms\", \"email\")", "line 1, column 16: consent() expects one argument: "
                                    "consent(CHANNEL)"},
    {"consent(5)", "line 1, column 9: consent() expects a string, found number 5"},
    {"consent(\"fax\")", "line 1, column 9: consent(): unknown channel 'fax' (one of: email, "
                         "sms, push, wechat, inapp, any)"},
    {"consent(\"smss\")", "line 1, column 9: consent(): unknown channel 'smss' (did you mean "
                          "'sms'? one of: email, sms, push, wechat, inapp, any)"},
    {"tag(x)", "line 1, column 5: tag() expects a string, found name 'x'"},
    {"top_category()", "line 1, column 1: top_category() expects one argument: "
                       "top_category(CATEGORY)"},
    {"event(\"veiw\")", "line 1, column 7: event(): unknown event type 'veiw' (did you mean "
                        "'view'? one of: view, click, favorite, share, comment, cart_add, "
                        "cart_remove, search, consult, message_open, message_click, "
                        "unsubscribe, checkout, purchase, login, other)"},
    {"event(type in (\"view\", \"zap\"))", "line 1, column 24: event(): unknown event type 'zap' "
                                           "(one of: view, click, favorite, share, comment, "
                                           "cart_add, cart_remove, search, consult, "
                                           "message_open, message_click, unsubscribe, checkout, "
                                           "purchase, login, other)"},
    {"event(within = 1d)", "line 1, column 1: event() needs an event type, e.g. "
                           "event(\"favorite\", within = 14d)"},
    {"event(\"view\", type = \"click\")", "line 1, column 7: event() takes one event type: "
                                          "event(\"favorite\", ...) or event(type in "
                                          "(\"favorite\", \"share\"), ...)"},
    {"event(\"view\", \"click\")", "line 1, column 15: event() takes one event type: "
                                   "event(\"favorite\", ...) or event(type in (\"favorite\", "
                                   "\"share\"), ...)"},
    {"event(5)", "line 1, column 7: event() expects an event type string, found number 5"},
    {"event(type = 5)", "line 1, column 14: event(): argument 'type' expects a string, found "
                        "number 5"},
    {"known(5)", "line 1, column 7: known() expects a field name, e.g. known(clv), found number "
                 "5"},
    {"known(clvv)", "line 1, column 7: unknown field 'clvv' (did you mean 'clv'?)"},
    {"known(bought)", "line 1, column 7: 'bought' is a function: call it, e.g. bought(category "
                      "= \"camera\", within = 30d)"},
    {"known()", "line 1, column 1: known() expects one argument: known(FIELD)"},
    {"segment(\"nope\")", "line 1, column 9: segment(): unknown segment 'nope' (see 'encore "
                          "audience list')"},
    {"segment(vip)", "line 1, column 9: segment() expects a string, found name 'vip'"},
};

static void save(const char *name, const char *expr)
{
    enc_err err;
    CHECK_MSG(!(enc_store_segment_put(st, name, expr, 1000, NULL, &err)), "save: %s", err.msg);
}

static void run_cases(const ecase *v, size_t n)
{
    for (size_t i = 0; i < n; i++) expect_error(v[i].src, strlen(v[i].src), v[i].msg);
}

static void lexer_errors(void) { run_cases(lexer_cases, sizeof lexer_cases / sizeof *lexer_cases); }
static void parser_errors(void)
{
    run_cases(parser_cases, sizeof parser_cases / sizeof *parser_cases);
}
static void compile_errors(void)
{
    run_cases(compile_cases, sizeof compile_cases / sizeof *compile_cases);
}

/* Errors that need generated input: limits, NUL bytes. */
static void limit_errors(void)
{
    char *s = malloc(ENC_AUD_MAX_SRC + 2);
    /* a string of 1025 bytes */
    memcpy(s, "tag(\"", 5);
    memset(s + 5, 'a', 1025);
    strcpy(s + 5 + 1025, "\")");
    expect_error(s, strlen(s), "line 1, column 5: string too long (more than 1024 bytes)");
    /* a name of 65 characters */
    memset(s, 'a', 65);
    strcpy(s + 65, " > 1");
    expect_error(s, strlen(s), "line 1, column 1: name too long (more than 64 characters)");
    /* nesting: 100 levels are fine, 101 are not */
    int k = 0;
    for (int i = 0; i < 100; i++) s[k++] = '(';
    k += sprintf(s + k, "orders > 1");
    for (int i = 0; i < 100; i++) s[k++] = ')';
    s[k] = 0;
    enc_err err;
    CHECK_INT(enc_aud_check(NULL, NULL, s, strlen(s), NULL, &err), ENC_OK);
    k = 0;
    for (int i = 0; i < 101; i++) s[k++] = '(';
    s[k] = 0;
    expect_error(s, strlen(s),
                 "line 1, column 101: expression nested too deeply (more than 100 levels)");
    k = 0;
    for (int i = 0; i < 101; i++) k += sprintf(s + k, "not ");
    expect_error(s, strlen(s),
                 "line 1, column 401: expression nested too deeply (more than 100 levels)");
    k = 0;
    for (int i = 0; i < 101; i++) k += sprintf(s + k, "f(");
    expect_error(s, strlen(s),
                 "line 1, column 202: expression nested too deeply (more than 100 levels)");
    /* the whole expression */
    memset(s, ' ', ENC_AUD_MAX_SRC + 1);
    memcpy(s, "orders > 1", 10);
    expect_error(s, ENC_AUD_MAX_SRC + 1,
                 "line 1, column 1: expression too long (65537 bytes; at most 65536)");
    CHECK_INT(enc_aud_check(NULL, NULL, s, ENC_AUD_MAX_SRC, NULL, &err), ENC_OK);
    /* a NUL byte inside the given length */
    expect_error("orders\0 > 1", 11, "line 1, column 7: unexpected control character 0x00");
    expect_error("tag(\"a\0\")", 9, "line 1, column 7: control character 0x00 in string");
    free(s);
}

static void segment_errors(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/parse.db", th_tmpdir());
    unlink(path);
    enc_err err;
    if (enc_store_open(path, &st, &err)) {
        TH_FAIL("open: %s", err.msg);
        return;
    }
    save("a", "segment(\"b\")");
    save("b", "orders > 1 and\n  segment(\"c\")");
    save("c", "segment(\"a\")");
    save("self", "segment(\"self\")");
    save("bad", "orders > 1 and clvv > 2");
    save("uses_bad", "clv > 1 or segment(\"bad\")");
    save("broken", "orders >");
    save("ok", "orders > 1");
    expect_error("segment(\"a\")", 12,
                 "line 1, column 9: in segment 'a': line 1, column 9: in "
                 "segment 'b': line 2, column 11: in segment 'c': line 1, "
                 "column 9: segment(): cycle: a -> b -> c -> a");
    expect_error("orders > 0 and segment(\"self\")", 30,
                 "line 1, column 24: in segment 'self': line 1, column 9: segment(): cycle: "
                 "self -> self");
    expect_error("segment(\"uses_bad\")", 19,
                 "line 1, column 9: in segment 'uses_bad': line 1, column 20: in segment 'bad': "
                 "line 1, column 16: unknown field 'clvv' (did you mean 'clv'?)");
    expect_error("segment(\"broken\")", 17,
                 "line 1, column 9: in segment 'broken': line 1, "
                 "column 9: expected a value after '>', found end of "
                 "input");
    /* saving "ok" as segment("x") where x uses ok: the check sees the cycle through self */
    save("x", "segment(\"ok\")");
    CHECK_INT(enc_aud_check(st, "ok", "segment(\"x\")", 12, NULL, &err), ENC_EPARSE);
    CHECK_STR(err.msg, "line 1, column 9: in segment 'x': line 1, column 9: segment(): cycle: ok "
                       "-> x -> ok");
    CHECK_INT(enc_aud_check(st, NULL, "segment(\"x\") and segment(\"ok\")", 30, NULL, &err),
              ENC_OK);
    /* nesting of saved segments: 16 deep is fine, 17 is not */
    char name[16], expr[64];
    for (int i = 0; i < 17; i++) {
        snprintf(name, sizeof name, "n%d", i);
        if (i < 16) snprintf(expr, sizeof expr, "segment(\"n%d\")", i + 1);
        else snprintf(expr, sizeof expr, "orders > 1");
        save(name, expr);
    }
    CHECK_INT(enc_aud_check(st, NULL, "segment(\"n1\")", 13, NULL, &err), ENC_OK);
    enc_aud_pos where;
    CHECK_INT(enc_aud_check(st, NULL, "segment(\"n0\")", 13, &where, &err), ENC_EPARSE);
    CHECK(strstr(err.msg, "in segment 'n15': line 1, column 9: segment(): saved segments nested "
                          "more than 16 deep") != NULL);
    CHECK_INT(where.line, 1);
    CHECK_INT(where.col, 9);
    /* refs */
    enc_arena *a = enc_arena_new(1024);
    const char **refs;
    size_t nr;
    CHECK_INT(enc_aud_segment_refs("segment(\"a\") or (tag(\"x\") and segment('b'))", 43, a, &refs,
                                   &nr, &err),
              ENC_OK);
    CHECK_INT(nr, 2);
    if (nr == 2) {
        CHECK_STR(refs[0], "a");
        CHECK_STR(refs[1], "b");
    }
    enc_arena_free(a);
    enc_store_close(st);
    st = NULL;
}

/* ---- printing and precedence ------------------------------------------------------------- */

static char *canon(const char *src)
{
    enc_arena *a = enc_arena_new(4096);
    enc_aud_node *n;
    enc_err err;
    char *out = NULL;
    if (enc_aud_parse(src, strlen(src), a, &n, NULL, &err) == ENC_OK) {
        enc_buf b = {0};
        enc_aud_print(n, &b);
        out = enc_buf_steal(&b);
    } else {
        TH_FAIL("parse '%s': %s", src, err.msg);
    }
    enc_arena_free(a);
    return out;
}

static void expect_canon(const char *src, const char *want)
{
    char *got = canon(src);
    if (!got) return;
    CHECK_STR(got, want);
    char *again = canon(got); /* a fixed point */
    if (again) CHECK_STR(again, got);
    free(got);
    free(again);
}

static void precedence(void)
{
    expect_canon("a = 1 or b = 2 and not c = 3", "(a = 1 or (b = 2 and (not c = 3)))");
    expect_canon("not a = 1 and b = 2", "((not a = 1) and b = 2)");
    expect_canon("not (a = 1 and b = 2)", "(not (a = 1 and b = 2))");
    expect_canon("not not x = 1", "(not (not x = 1))");
    expect_canon("a = 1 and b = 2 and c = 3 or d = 4 or e = 5",
                 "((a = 1 and b = 2 and c = 3) or d = 4 or e = 5)");
    expect_canon("(a = 1 and b = 2) and c = 3", "((a = 1 and b = 2) and c = 3)");
    expect_canon("a = 1 and (b = 2 or c = 3)", "(a = 1 and (b = 2 or c = 3))");
    expect_canon("x between 1 and 2 and y = 3", "(x between 1 and 2 and y = 3)");
    expect_canon("x not between 1 and 2 or y not in (1,2)",
                 "(x not between 1 and 2 or y not in (1, 2))");
    expect_canon("A = 1 AND B = 2 Or NOT c", "((A = 1 and B = 2) or (not c))");
    expect_canon("a == 1 and b <> 2 and c != 3 and d<=4 and e>=5 and f<6 and g>7",
                 "(a = 1 and b != 2 and c != 3 and d <= 4 and e >= 5 and f < 6 and g > 7)");
    expect_canon("bought(category = \"camera\", within = 30d) and not bought(category = 'lens')",
                 "(bought(category = \"camera\", within = 30d) and (not bought(category = "
                 "\"lens\")))");
    expect_canon("bought(sku in ('A1', \"A2\"), at_least=2)",
                 "bought(sku in (\"A1\", \"A2\"), at_least = 2)");
    expect_canon("days_until(birthday) <= 7", "days_until(birthday) <= 7");
    expect_canon("cart_abandoned()", "cart_abandoned()");
    expect_canon("x = -3.25 or y = 12h or z = 2w or w = 15m or v = 90s",
                 "(x = -3.25 or y = 12h or z = 2w or w = 15m or v = 90s)");
    expect_canon("t = true or f = false", "(t = true or f = false)");
    expect_canon("x = 'it\\'s' and y = \"a\\\"b\\\\c\\/d\"",
                 "(x = \"it's\" and y = \"a\\\"b\\\\c/d\")");
    expect_canon("x = \"tab\\there\\nline\\r\"", "x = \"tab\\there\\nline\\r\"");
    expect_canon("x = \"\\u00e9\\u4E0A\\ud83d\\ude00\"", "x = \"é上😀\"");
    expect_canon("city = \"上海\"", "city = \"上海\"");
    expect_canon("x = \"\\u0001\"", "x = \"\\u0001\"");
    expect_canon("clv > 1 # money\n  and lifecycle = \"new\" # stage\n",
                 "(clv > 1 and lifecycle = \"new\")");
    expect_canon("f(a, b = 1)", "f(a, b = 1)");
    /* comparisons as operands keep their parentheses (found by fuzz_segment) */
    expect_canon("not bought=(category = \"lens\")", "(not bought = (category = \"lens\"))");
    expect_canon("f((a = 1), b = (c in (1)))", "f((a = 1), b = (c in (1)))");
    expect_canon("(a between 1 and 2) in ((b = 1), 2)", "(a between 1 and 2) in ((b = 1), 2)");
    expect_canon("not not (clv > x) < -3", "(not (not (clv > x) < -3))");
}

/* Random expressions from the grammar: printing is a fixed point of parsing. */
static void gen(enc_rng *r, enc_buf *b, int depth)
{
    static const char *const names[] = {"clv", "orders", "region", "lifecycle", "x_1"};
    static const char *const lits[] = {"1",       "-2.5", "30d",      "12h",   "\"a b\"",
                                       "'q\\'x'", "true", "\"上海\"", "0.001", "\"\\n\\u00e9\""};
    static const char *const ops[] = {"=", "==", "!=", "<>", "<", "<=", ">", ">="};
    int k = depth > 4 ? (int)enc_rng_below(r, 3) : (int)enc_rng_below(r, 10);
    switch (k) {
    case 0:
        enc_buf_printf(b, "%s %s %s", names[enc_rng_below(r, 5)], ops[enc_rng_below(r, 8)],
                       lits[enc_rng_below(r, 10)]);
        break;
    case 1:
        enc_buf_printf(b, "%s %sin (%s, %s)", names[enc_rng_below(r, 5)],
                       enc_rng_below(r, 2) ? "not " : "", lits[enc_rng_below(r, 10)],
                       lits[enc_rng_below(r, 10)]);
        break;
    case 2:
        enc_buf_printf(b, "f%d(sku = %s, within=%s)", (int)enc_rng_below(r, 3),
                       lits[enc_rng_below(r, 10)], lits[enc_rng_below(r, 10)]);
        break;
    case 3:
    case 4:
        enc_buf_adds(b, "(");
        gen(r, b, depth + 1);
        enc_buf_adds(b, k == 3 ? " and " : " or ");
        gen(r, b, depth + 1);
        enc_buf_adds(b, ")");
        break;
    case 5:
        gen(r, b, depth + 1);
        enc_buf_adds(b, enc_rng_below(r, 2) ? " AND " : "\n or ");
        gen(r, b, depth + 1);
        break;
    case 6:
        enc_buf_adds(b, "not ");
        gen(r, b, depth + 1);
        break;
    case 7:
        enc_buf_printf(b, "%s between %s and %s", names[enc_rng_below(r, 5)],
                       lits[enc_rng_below(r, 10)], lits[enc_rng_below(r, 10)]);
        break;
    case 8: { /* a comparison as an operand */
        bool outer = enc_rng_below(r, 2);
        enc_buf_printf(b, "%s%s = (", outer ? "(" : "", names[enc_rng_below(r, 5)]);
        gen(r, b, depth + 1);
        enc_buf_adds(b, outer ? ")) = 1" : ")");
        break;
    }
    default:
        enc_buf_printf(b, "g(%s, (%s in (1)))", lits[enc_rng_below(r, 10)],
                       names[enc_rng_below(r, 5)]);
        break;
    }
}

static void random_round_trip(void)
{
    enc_rng r;
    enc_rng_seed(&r, 20251123);
    for (int i = 0; i < 2000; i++) {
        enc_buf b = {0};
        gen(&r, &b, 0);
        char *once = canon(b.p);
        char *twice = once ? canon(once) : NULL;
        CHECK_MSG(!(once && twice && strcmp(once, twice) != 0),
                  "not a fixed point:\n  %s\n  %s\n  %s", b.p, once, twice);
        free(once);
        free(twice);
        enc_buf_free(&b);
    }
}

/* Columns count characters, lines count newlines; tokens report where they start. */
static void positions(void)
{
    enc_arena *a = enc_arena_new(1024);
    enc_aud_lexer lx;
    const char *src = "a\n  \"上海\" 30d\t(\n#c\n>=";
    enc_aud_lex_init(&lx, src, strlen(src), a);
    enc_aud_tok t;
    enc_err err;
    int want[][3] = {{AUD_T_NAME, 1, 1},    {AUD_T_STRING, 2, 3}, {AUD_T_DURATION, 2, 8},
                     {AUD_T_LPAREN, 2, 12}, {AUD_T_GE, 4, 1},     {AUD_T_EOF, 4, 3}};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        CHECK_INT(enc_aud_lex_next(&lx, &t, NULL, &err), ENC_OK);
        CHECK_INT(t.kind, want[i][0]);
        CHECK_INT(t.pos.line, want[i][1]);
        CHECK_INT(t.pos.col, want[i][2]);
    }
    /* duration values in seconds */
    src = "90s 15m 12h 30d 2w 1.5d";
    enc_aud_lex_init(&lx, src, strlen(src), a);
    double secs[] = {90, 900, 43200, 2592000, 1209600, 129600};
    for (int i = 0; i < 6; i++) {
        enc_aud_lex_next(&lx, &t, NULL, &err);
        CHECK_INT(t.kind, AUD_T_DURATION);
        CHECK_NEAR(t.num, secs[i], 1e-12);
    }
    enc_arena_free(a);
}

int main(void)
{
    RUN(lexer_errors);
    RUN(parser_errors);
    RUN(compile_errors);
    RUN(limit_errors);
    RUN(segment_errors);
    RUN(precedence);
    RUN(random_round_trip);
    RUN(positions);
    return TEST_SUMMARY();
}
