/* test_vocab.c — the shared vocabularies: every canonical word maps to itself, synonyms
 * (English and Chinese) map to their word, unknown words to nothing, and no synonym belongs to
 * two words of one table. */
#include "harness.h"
#include "ingest/vocab.h"
#include "snapshot/snapshot.h"

static const enc_vocab *const tables[] = {
    enc_vocab_order_status, enc_vocab_event_type, enc_vocab_feedback_kind, enc_vocab_channel,
    enc_vocab_purpose,      enc_vocab_consent,    enc_vocab_yes_no};

static void canonical_and_unambiguous(void)
{
    for (size_t t = 0; t < sizeof tables / sizeof *tables; t++) {
        for (const enc_vocab *v = tables[t]; v->word; v++) {
            CHECK_STR(enc_vocab_find(tables[t], v->word), v->word);
            /* every synonym finds this word, not another one */
            char buf[512];
            snprintf(buf, sizeof buf, "%s", v->synonyms);
            for (char *save, *w = strtok_r(buf, "|", &save); w; w = strtok_r(NULL, "|", &save)) {
                const char *got = enc_vocab_find(tables[t], w);
                if (!got || strcmp(got, v->word) != 0)
                    TH_FAIL("'%s' maps to %s, not %s", w, got ? got : "nothing", v->word);
            }
        }
    }
}

static void synonyms_and_unknowns(void)
{
    CHECK_STR(enc_vocab_find(enc_vocab_order_status, "已完成"), "paid");
    CHECK_STR(enc_vocab_find(enc_vocab_order_status, "refunded"), "returned");
    CHECK(enc_vocab_find(enc_vocab_order_status, "pending") == NULL);
    CHECK_STR(enc_vocab_find(enc_vocab_channel, "微信"), "wechat");
    CHECK_STR(enc_vocab_find(enc_vocab_consent, "退订"), "revoked");
    CHECK_STR(enc_vocab_event_type_of("product added"), "cart_add");
    CHECK_STR(enc_vocab_event_type_of("收藏"), "favorite");
    CHECK_STR(enc_vocab_event_type_of("coupon_viewed"), "coupon_viewed"); /* plain words kept */
    CHECK(enc_vocab_event_type_of("bad type!") == NULL);
    CHECK(enc_vocab_event_type_of("") == NULL);
    CHECK(enc_vocab_word_in("a", "b|a|c"));
    CHECK(!enc_vocab_word_in("a", "ab|ba"));
}

/* one list (base/vocabulary.h): the import's words, the snapshot's enums and names agree */
static void one_list(void)
{
    int n = 0;
    for (const enc_vocab *v = enc_vocab_event_type; v->word; v++, n++) {
        CHECK_STR(enc_ev_type_name((enc_ev_type)n), v->word);
        CHECK_INT(enc_ev_type_parse(v->word), n);
    }
    CHECK_INT(n, EV_OTHER);
    CHECK_STR(enc_ev_type_name(EV_OTHER), "other");
    CHECK_INT(enc_ev_type_parse("no-such-type"), EV_OTHER);
    n = 0;
    for (const enc_vocab *v = enc_vocab_channel; v->word && strcmp(v->word, "all") != 0; v++, n++) {
        CHECK_STR(enc_channel_name((enc_channel)n), v->word);
        CHECK_INT(enc_channel_parse(v->word), n);
    }
    CHECK_INT(n, CH_NCHANNELS);
    CHECK_STR(enc_channel_name(CH_WECHAT), "wechat");
    CHECK_INT(enc_channel_parse("fax"), -1);
}

int main(void)
{
    RUN(one_list);
    RUN(canonical_and_unambiguous);
    RUN(synonyms_and_unknowns);
    return TEST_SUMMARY();
}
