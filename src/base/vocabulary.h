/* vocabulary.h — the vocabularies written once (X-macro lists, as libuv's UV_HANDLE_TYPE_MAP):
 * the channels and the event types. Each row is X(ID, "name", "synonyms"): ID the enum constant
 * (snapshot.h expands the enums), "name" the normalised word stored and shown, "synonyms" the
 * words an import maps to it ('|'-separated, ingest/vocab.c). Every list of these words expands
 * the macro: add a row here and the enum, the names, the import's synonyms, the campaign file's
 * content keys and the tracking token follow. The order is a wire format: a tracking token
 * carries a channel as its position here plus one (campaign/token.c), so append only. */
#ifndef ENCORE_BASE_VOCABULARY_H
#define ENCORE_BASE_VOCABULARY_H

#define ENC_CHANNEL_MAP(X)                                                                         \
    X(CH_EMAIL, "email", "email|e-mail|mail|edm|邮件|邮箱")                                        \
    X(CH_SMS, "sms", "sms|text|短信")                                                              \
    X(CH_PUSH, "push", "push|app|app_push|apppush|推送")                                           \
    X(CH_WECHAT, "wechat", "wechat|weixin|wx|微信")                                                \
    X(CH_INAPP, "inapp", "inapp|in_app|in-app|site|onsite|站内信")

/* events.type, normalised at import; anything else is "other" (EV_OTHER, after these) */
#define ENC_EV_TYPE_MAP(X)                                                                         \
    X(EV_VIEW, "view",                                                                             \
      "view|pageview|page_view|product_view|product viewed|browse|impression|浏览|查看")           \
    X(EV_CLICK, "click", "click|tap|点击")                                                         \
    X(EV_FAVORITE, "favorite",                                                                     \
      "favorite|favourite|fav|like|collect|wishlist|product added to wishlist|收藏|喜欢")          \
    X(EV_SHARE, "share", "share|product shared|分享|转发")                                         \
    X(EV_COMMENT, "comment", "comment|product reviewed|评论")                                      \
    X(EV_CART_ADD, "cart_add",                                                                     \
      "cart_add|add_to_cart|addtocart|cart|add_cart|product added|加购|加入购物车")                \
    X(EV_CART_REMOVE, "cart_remove",                                                               \
      "cart_remove|remove_from_cart|removefromcart|product removed|移出购物车")                    \
    X(EV_SEARCH, "search", "search|products searched|搜索")                                        \
    X(EV_CONSULT, "consult", "consult|consultation|chat|inquiry|enquiry|咨询|客服咨询")            \
    X(EV_MESSAGE_OPEN, "message_open", "message_open|open|email_open|email opened|打开")           \
    X(EV_MESSAGE_CLICK, "message_click", "message_click|email_click|email link clicked")           \
    X(EV_UNSUBSCRIBE, "unsubscribe", "unsubscribe|unsub|opt_out|unsubscribed|退订")                \
    X(EV_CHECKOUT, "checkout", "checkout|begin_checkout|checkout started|结算")                    \
    X(EV_PURCHASE, "purchase", "purchase|order|buy|order completed|购买|下单")                     \
    X(EV_LOGIN, "login", "login|signin|signed in|登录")

/* expanders for the common cases */
#define ENC_VOCAB_ID(id, name, syn) id,
#define ENC_VOCAB_NAME(id, name, syn) name,
#define ENC_VOCAB_ROW(id, name, syn) {name, syn},
#endif
