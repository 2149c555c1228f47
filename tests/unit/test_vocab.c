/* test_vocab.c — the shared vocabularies: every canonical word maps to itself, synonyms
 * (English and Chinese) map to their word, unknown words to nothing, and no synonym belongs to
 * two words of one table. */
#include "harness.h"
#include "ingest/vocab.h"

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

int main(void)
{
    RUN(canonical_and_unambiguous);
    RUN(synonyms_and_unknowns);
    return TEST_SUMMARY();
}
