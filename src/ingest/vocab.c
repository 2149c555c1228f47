/* vocab.c — the vocabularies of vocab.h. */
#include "ingest/vocab.h"
#include "base/vocabulary.h"
#include <string.h>

const enc_vocab enc_vocab_order_status[] = {
    {"paid", "paid|complete|completed|success|succeeded|shipped|delivered|fulfilled|closed|done|"
             "已付款|已支付|已完成|交易成功|已发货|已签收|待发货|待收货|交易完成|已收货"},
    {"returned", "returned|refunded|return|refund|partially refunded|退货|退款|已退款|已退货|"
                 "退货退款|售后完成"},
    {"cancelled", "cancelled|canceled|cancel|void|voided|已取消|取消|交易关闭|已关闭"},
    {NULL, NULL},
};

const enc_vocab enc_vocab_event_type[] = {
    ENC_EV_TYPE_MAP(ENC_VOCAB_ROW) /* base/vocabulary.h */
    {NULL, NULL},
};

const enc_vocab enc_vocab_feedback_kind[] = {
    {"nps", "nps|净推荐值"},
    {"survey", "survey|questionnaire|csat|问卷|满意度"},
    {"review", "review|rating|comment|评价|评论|商品评价"},
    {"complaint", "complaint|complain|投诉|售后投诉"},
    {NULL, NULL},
};

const enc_vocab enc_vocab_channel[] = {
    ENC_CHANNEL_MAP(ENC_VOCAB_ROW) /* base/vocabulary.h */
    {"all", "all|any|全部"},
    {NULL, NULL},
};

const enc_vocab enc_vocab_purpose[] = {
    {"marketing", "marketing|promotion|promotional|营销|推广"},
    {"service", "service|transactional|notification|服务|通知"},
    {"analytics", "analytics|analysis|profiling|statistics|分析|统计"},
    {NULL, NULL},
};

const enc_vocab enc_vocab_consent[] = {
    {"granted", "granted|grant|yes|y|true|1|opt-in|optin|opted_in|subscribed|同意|是|订阅"},
    {"revoked", "revoked|revoke|no|n|false|0|opt-out|optout|opted_out|unsubscribed|withdrawn|"
                "拒绝|否|退订|取消订阅"},
    {NULL, NULL},
};

const enc_vocab enc_vocab_yes_no[] = {
    {"yes", "1|yes|y|true|t|in stock|instock|available|有货|是|在售"},
    {"no", "0|no|n|false|f|out of stock|sold out|unavailable|缺货|否|无货|下架"},
    {NULL, NULL},
};

bool enc_vocab_word_in(const char *s, const char *list)
{
    size_t n = strlen(s);
    for (const char *p = list; *p;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && memcmp(p, s, n) == 0) return true;
        if (!bar) break;
        p = bar + 1;
    }
    return false;
}

const char *enc_vocab_find(const enc_vocab *table, const char *lower)
{
    for (const enc_vocab *v = table; v->word; v++)
        if (enc_vocab_word_in(lower, v->synonyms)) return v->word;
    return NULL;
}

const char *enc_vocab_choices(const enc_vocab *table)
{
    if (table == enc_vocab_order_status) return "paid, returned or cancelled";
    if (table == enc_vocab_feedback_kind) return "nps, survey, review, complaint";
    if (table == enc_vocab_channel) return "email, sms, push, wechat, inapp, all";
    if (table == enc_vocab_purpose) return "marketing, service, analytics";
    if (table == enc_vocab_consent) return "granted, revoked";
    if (table == enc_vocab_yes_no) return "yes, no";
    return "view, click, favorite, share, comment, cart_add, cart_remove, search, consult, ...";
}

const char *enc_vocab_event_type_of(const char *lower)
{
    const char *t = enc_vocab_find(enc_vocab_event_type, lower);
    if (t) return t;
    for (const char *p = lower; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) return NULL;
    return *lower ? lower : NULL;
}
