/* test_fields.c — unit tests for src/ingest/fields.c: every documented header synonym of every
 * import kind finds its own field (a synonym claimed by an earlier field would be dead, and a
 * misspelt one, as `ordertamount` was, matches nothing a shop writes), in the spellings shops
 * use (case, spaces, underscores); unknown headers match nothing. */
#include "harness.h"
#include "ingest/fields.h"
#include <string.h>

static void every_synonym_finds_its_field(void)
{
    long checked = 0;
    for (int k = 0; k < ENC_KIND_COUNT; k++) {
        size_t n;
        const enc_field_def *f = enc_kind_fields((enc_kind)k, &n);
        for (size_t i = 0; i < n; i++) {
            char norm[128];
            enc_header_norm(f[i].name, strlen(f[i].name), norm, sizeof norm);
            if (enc_field_by_header((enc_kind)k, norm) != (int)i)
                TH_FAIL("%s.%s: its own name does not find it", enc_kind_name((enc_kind)k),
                        f[i].name);
            for (const char *p = f[i].aliases; *p;) {
                const char *bar = strchr(p, '|');
                size_t len = bar ? (size_t)(bar - p) : strlen(p);
                char alias[128];
                snprintf(alias, sizeof alias, "%.*s", (int)len, p);
                enc_header_norm(alias, strlen(alias), norm, sizeof norm);
                int got = enc_field_by_header((enc_kind)k, norm);
                if (got != (int)i)
                    TH_FAIL("%s: header '%s' finds %s, not %s", enc_kind_name((enc_kind)k), alias,
                            got < 0 ? "nothing" : f[got].name, f[i].name);
                checked++;
                if (!bar) break;
                p = bar + 1;
            }
        }
    }
    CHECK(checked > 200);
}

static void spellings_shops_use(void)
{
    char norm[128];
    static const struct {
        enc_kind k;
        const char *header, *field;
    } cases[] = {
        {ENC_KIND_ORDERS, "order_amount", "total"},
        {ENC_KIND_ORDERS, "Order Amount", "total"},
        {ENC_KIND_ORDERS, "InvoiceNo", "order_id"},
        {ENC_KIND_ORDERS, "Unit Price", "unit_price"},
        {ENC_KIND_ORDERS, "下单时间", "time"},
        {ENC_KIND_CUSTOMERS, "Customer-ID", "customer_id"},
        {ENC_KIND_CUSTOMERS, "E-mail Address", "email"},
        {ENC_KIND_CUSTOMERS, "手机号码", "phone"},
        {ENC_KIND_EVENTS, "event.type", "type"},
        {ENC_KIND_CONSENTS, "opt_in", "status"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        enc_header_norm(cases[i].header, strlen(cases[i].header), norm, sizeof norm);
        int f = enc_field_by_header(cases[i].k, norm);
        size_t n;
        const enc_field_def *defs = enc_kind_fields(cases[i].k, &n);
        CHECK_STR(f >= 0 ? defs[f].name : "(none)", cases[i].field);
    }
    enc_header_norm("ordertamount", 12, norm, sizeof norm);
    CHECK_INT(enc_field_by_header(ENC_KIND_ORDERS, norm), -1);
    enc_header_norm("colour", 6, norm, sizeof norm);
    CHECK_INT(enc_field_by_header(ENC_KIND_ORDERS, norm), -1);
    CHECK_INT(enc_field_by_header(ENC_KIND_ORDERS, ""), -1);
}

int main(void)
{
    RUN(every_synonym_finds_its_field);
    RUN(spellings_shops_use);
    return TEST_SUMMARY();
}
