/* vocab.c — the vocabularies of vocab.h. */
#include "ingest/vocab.h"
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
    {"view", "view|pageview|page_view|product_view|product viewed|browse|impression|浏览|查看"},
    {"click", "click|tap|点击"},
    {"favorite",
     "favorite|favourite|fav|like|collect|wishlist|product added to wishlist|收藏|喜欢"},
    {"share", "share|product shared|分享|转发"},
    {"comment", "comment|product reviewed|评论"},
    {"cart_add", "cart_add|add_to_cart|addtocart|cart|add_cart|product added|加购|加入购物车"},
    {"cart_remove", "cart_remove|remove_from_cart|removefromcart|product removed|移出购物车"},
    {"search", "search|products searched|搜索"},
    {"consult", "consult|consultation|chat|inquiry|enquiry|咨询|客服咨询"},
    {"message_open", "message_open|open|email_open|email opened|打开"},
    {"message_click", "message_click|email_click|email link clicked"},
    {"unsubscribe", "unsubscribe|unsub|opt_out|unsubscribed|退订"},
    {"checkout", "checkout|begin_checkout|checkout started|结算"},
    {"purchase", "purchase|order|buy|order completed|购买|下单"},
    {"login", "login|signin|signed in|登录"},
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
    {"email", "email|e-mail|mail|edm|邮件|邮箱"},
    {"sms", "sms|text|短信"},
    {"push", "push|app|app_push|apppush|推送"},
    {"wechat", "wechat|weixin|wx|微信"},
    {"inapp", "inapp|in_app|in-app|site|onsite|站内信"},
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
