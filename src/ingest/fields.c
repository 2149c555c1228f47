/* fields.c — the field tables of each import kind, with default header aliases (English as
 * shops and ERPs export them, and Chinese as 有赞/淘宝/京东-style exports name them). */
#include "ingest/fields.h"
#include <string.h>

#define CUSTOMER_ID_ALIASES                                                                           \
    "customerid|custid|customer|clientid|memberid|userid|uid|buyerid|客户id|客户编号|会员id|" \
    "会员编号|会员号|用户id|买家id|顾客id"
#define EMAIL_ALIASES "email|emailaddress|mail|邮箱|电子邮箱|电子邮件|邮件地址"
#define PHONE_ALIASES                                                                                    \
    "phone|mobile|phonenumber|mobilephone|tel|telephone|cellphone|手机号|手机|电话|手机号码|" \
    "联系电话|联系方式"

static const enc_field_def customers[C_N] = {
    [C_ID] = {"customer_id", FT_ID, CUSTOMER_ID_ALIASES "|id", "the merchant's customer id"},
    [C_NAME] = {"name", FT_TEXT, "name|customername|fullname|姓名|客户名称|客户姓名|名字|昵称",
                "full name"},
    [C_EMAIL] = {"email", FT_EMAIL, EMAIL_ALIASES, "email address (lower-cased, checked)"},
    [C_PHONE] = {"phone", FT_PHONE, PHONE_ALIASES, "phone, normalised to E.164"},
    [C_GENDER] = {"gender", FT_GENDER, "gender|sex|性别", "m/f (male, 男, ...)"},
    [C_BIRTHDAY] = {"birthday", FT_DATE, "birthday|birthdate|dateofbirth|dob|生日|出生日期",
                    "date of birth"},
    [C_COUNTRY] = {"country", FT_TEXT, "country|国家", "country"},
    [C_REGION] = {"region", FT_TEXT, "region|state|province|省份|省|地区|区域",
                  "region, state or province"},
    [C_CITY] = {"city", FT_TEXT, "city|城市|市", "city"},
    [C_OCCUPATION] = {"occupation", FT_TEXT, "occupation|job|profession|职业", "occupation"},
    [C_TZ] = {"timezone", FT_TEXT, "timezone|tz|时区", "IANA time zone for sending"},
    [C_REGISTERED] = {"registered_at", FT_TIME,
                      "registeredat|registered|registrationdate|signupdate|signup|createdat|"
                      "注册时间|注册日期|入会时间",
                      "when the customer registered"},
    [C_TIER] = {"tier", FT_TEXT, "tier|level|membertier|memberlevel|会员等级|等级|会员级别",
                "member tier"},
    [C_POINTS] = {"points", FT_INT, "points|积分|会员积分", "loyalty points"},
    [C_WECHAT_OPENID] = {"wechat_openid", FT_TEXT, "wechatopenid|openid|微信openid",
                         "WeChat OpenID of the shop's official account (the WeChat address)"},
    [C_PUSH_TOKEN] = {"push_token", FT_TEXT, "pushtoken|devicetoken|推送令牌",
                      "a device token for push (FCM registration token or APNs token)"},
};

#define SKU_ALIASES                                                                                          \
    "sku|stockcode|productid|productcode|itemid|itemcode|goodsid|商品编号|商品id|商品编码|货号|" \
    "sku编码|skuid"
#define PRODUCT_NAME_ALIASES                                                                       \
    "name|productname|itemname|description|title|商品名称|商品名|品名|商品标题"
#define CATEGORY_ALIASES "category|categorypath|品类|类目|商品类目|分类|商品分类"

static const enc_field_def products[P_N] = {
    [P_SKU] = {"sku", FT_ID, SKU_ALIASES, "product code"},
    [P_NAME] = {"name", FT_TEXT, PRODUCT_NAME_ALIASES, "product name"},
    [P_CATEGORY] = {"category", FT_TEXT, CATEGORY_ALIASES,
                    "category path, e.g. Electronics/Cameras"},
    [P_BRAND] = {"brand", FT_TEXT, "brand|品牌", "brand"},
    [P_PRICE] = {"price", FT_MONEY, "price|listprice|unitprice|售价|价格|单价", "list price"},
    [P_COST] = {"cost", FT_MONEY, "cost|costprice|成本|成本价", "unit cost"},
    [P_CURRENCY] = {"currency", FT_CODE, "currency|币种|货币", "ISO 4217 code"},
    [P_TIER] = {"tier", FT_INT, "tier|pricetier|档次", "price tier within the category (up-sell)"},
    [P_REPLENISH] = {"replenish_days", FT_INT,
                     "replenishdays|replenishcycle|cycle|补货周期|使用周期",
                     "days one unit lasts (replenishment)"},
    [P_COMPLEMENTS] = {"complements", FT_TEXT, "complements|accessories|搭配|配件",
                       "skus that go with it, '|'-separated"},
    [P_IN_STOCK] = {"in_stock", FT_BOOL, "instock|stock|available|有货|库存状态", "1/0, yes/no"},
};

static const enc_field_def orders[O_N] = {
    [O_ORDER_ID] = {"order_id", FT_ID,
                    "orderid|orderno|ordernumber|invoiceno|invoice|invoiceid|invoicenumber|订单号|"
                    "订单编号|订单id|单号",
                    "order id (derived from source and row when absent)"},
    [O_CUSTOMER_ID] = {"customer_id", FT_ID, CUSTOMER_ID_ALIASES,
                       "the merchant's customer id (empty: guest)"},
    [O_EMAIL] = {"email", FT_EMAIL, EMAIL_ALIASES, "customer email (identifies the customer)"},
    [O_PHONE] = {"phone", FT_PHONE, PHONE_ALIASES "|收货人手机|收货人电话",
                 "customer phone (identifies the customer)"},
    [O_TIME] = {"time", FT_TIME,
                "time|ordertime|orderdate|date|invoicedate|datetime|createdat|purchasetime|"
                "purchasedate|paidat|下单时间|订单时间|付款时间|支付时间|创建时间|日期|时间",
                "when the order was placed"},
    [O_STATUS] = {"status", FT_TEXT, "status|orderstatus|订单状态|状态|交易状态",
                  "paid / returned / cancelled"},
    [O_CHANNEL] = {"channel", FT_TEXT, "channel|saleschannel|source|渠道|来源渠道|订单来源",
                   "sales channel"},
    [O_PAYMENT] = {"payment", FT_TEXT, "payment|paymentmethod|paymenttype|paidby|支付方式|付款方式",
                   "payment method"},
    [O_COUPON] = {"coupon", FT_TEXT, "coupon|couponcode|promocode|优惠券|优惠码|券码",
                  "coupon code used"},
    [O_DISCOUNT] = {"discount", FT_MONEY, "discount|discountamount|优惠金额|折扣金额|优惠",
                    "discount amount"},
    [O_CURRENCY] = {"currency", FT_CODE, "currency|币种|货币", "ISO 4217 code"},
    [O_COUNTRY] = {"country", FT_TEXT, "country|国家", "country of the order"},
    [O_SKU] = {"sku", FT_ID, SKU_ALIASES, "product code of the line"},
    [O_NAME] = {"name", FT_TEXT, PRODUCT_NAME_ALIASES, "product name of the line"},
    [O_CATEGORY] = {"category", FT_TEXT, CATEGORY_ALIASES, "product category of the line"},
    [O_BRAND] = {"brand", FT_TEXT, "brand|品牌", "product brand of the line"},
    [O_QTY] = {"qty", FT_INT, "qty|quantity|units|数量|购买数量|件数|商品数量",
               "quantity (negative: returned)"},
    [O_UNIT_PRICE] = {"unit_price", FT_MONEY, "unitprice|price|单价|价格|商品单价", "unit price"},
    [O_AMOUNT] = {"amount", FT_MONEY, "amount|lineamount|linetotal|subtotal|金额|小计|商品金额",
                  "line amount (default qty × unit_price)"},
    [O_TOTAL] =
        {"total", FT_MONEY,
         "total|ordertotal|totalamount|ordertamount|订单金额|实付金额|总金额|实付款|订单总额",
         "order total, for orders without lines"},
};

static const enc_field_def events[E_N] = {
    [E_EVENT_ID] = {"event_id", FT_ID, "eventid|id|messageid|事件id",
                    "event id (derived from source and row when absent)"},
    [E_CUSTOMER_ID] = {"customer_id", FT_ID, CUSTOMER_ID_ALIASES, "customer id (empty: anonymous)"},
    [E_EMAIL] = {"email", FT_EMAIL, EMAIL_ALIASES, "customer email"},
    [E_PHONE] = {"phone", FT_PHONE, PHONE_ALIASES, "customer phone"},
    [E_TIME] = {"time", FT_TIME,
                "time|timestamp|eventtime|date|datetime|createdat|时间|行为时间|发生时间", "when"},
    [E_TYPE] =
        {"type", FT_TEXT,
         "type|event|eventtype|action|behavior|behaviour|行为|行为类型|事件|事件类型",
         "view, click, favorite, share, comment, cart_add, cart_remove, search, consult, ..."},
    [E_SKU] = {"sku", FT_ID, SKU_ALIASES, "product concerned"},
    [E_VALUE] = {"value", FT_MONEY, "value|amount|金额", "money value, if any"},
    [E_SESSION] = {"session", FT_TEXT, "session|sessionid|会话|会话id", "browsing session"},
    [E_CHANNEL] = {"channel", FT_TEXT, "channel|platform|渠道|平台", "where it happened"},
    [E_PROPS] = {"properties", FT_TEXT, "properties|props|extra|attributes|属性",
                 "other properties (JSON text)"},
};

static const enc_field_def feedback[F_N] = {
    [F_FEEDBACK_ID] = {"feedback_id", FT_ID, "feedbackid|id|reviewid|ticketid|工单号|评价id",
                       "id (derived when absent)"},
    [F_CUSTOMER_ID] = {"customer_id", FT_ID, CUSTOMER_ID_ALIASES, "customer id"},
    [F_EMAIL] = {"email", FT_EMAIL, EMAIL_ALIASES, "customer email"},
    [F_PHONE] = {"phone", FT_PHONE, PHONE_ALIASES, "customer phone"},
    [F_TIME] = {"time", FT_TIME, "time|date|createdat|submittedat|时间|日期|评价时间|投诉时间",
                "when"},
    [F_KIND] = {"kind", FT_TEXT, "kind|type|feedbacktype|类型|反馈类型",
                "nps, survey, review, complaint"},
    [F_SCORE] = {"score", FT_NUM, "score|rating|nps|stars|评分|分数|星级", "nps 0-10, review 1-5"},
    [F_TEXT] = {"text", FT_TEXT, "text|comment|content|review|body|内容|评价|评价内容|投诉内容",
                "what they said"},
    [F_ORDER_ID] = {"order_id", FT_ID, "orderid|orderno|订单号|订单编号", "order concerned"},
    [F_SKU] = {"sku", FT_ID, SKU_ALIASES, "product concerned"},
};

static const enc_field_def consents[K_N] = {
    [K_CONSENT_ID] = {"consent_id", FT_ID, "consentid|id", "id (derived when absent)"},
    [K_CUSTOMER_ID] = {"customer_id", FT_ID, CUSTOMER_ID_ALIASES, "customer id"},
    [K_EMAIL] = {"email", FT_EMAIL, EMAIL_ALIASES, "customer email"},
    [K_PHONE] = {"phone", FT_PHONE, PHONE_ALIASES, "customer phone"},
    [K_CHANNEL] = {"channel", FT_TEXT, "channel|渠道|通道", "email, sms, push, wechat, inapp, all"},
    [K_PURPOSE] = {"purpose", FT_TEXT, "purpose|用途|目的", "marketing (default) or service"},
    [K_STATUS] = {"status", FT_TEXT, "status|consent|granted|optin|状态|是否同意",
                  "granted / revoked (yes/no, opt-in/opt-out, 同意/退订)"},
    [K_TIME] = {"time", FT_TIME, "time|date|at|updatedat|createdat|时间|日期",
                "when it was given or revoked"},
};

static const struct {
    const char *name;
    const enc_field_def *fields;
    size_t n;
} kinds[ENC_KIND_COUNT] = {
    [ENC_KIND_CUSTOMERS] = {"customers", customers, C_N},
    [ENC_KIND_PRODUCTS] = {"products", products, P_N},
    [ENC_KIND_ORDERS] = {"orders", orders, O_N},
    [ENC_KIND_EVENTS] = {"events", events, E_N},
    [ENC_KIND_FEEDBACK] = {"feedback", feedback, F_N},
    [ENC_KIND_CONSENTS] = {"consents", consents, K_N},
};

const enc_field_def *enc_kind_fields(enc_kind k, size_t *n)
{
    *n = kinds[k].n;
    return kinds[k].fields;
}

const char *enc_kind_name(enc_kind k) { return kinds[k].name; }

bool enc_kind_parse(const char *s, enc_kind *k)
{
    for (int i = 0; i < ENC_KIND_COUNT; i++)
        if (strcmp(s, kinds[i].name) == 0) {
            *k = (enc_kind)i;
            return true;
        }
    return false;
}

int enc_field_find(enc_kind k, const char *name)
{
    for (size_t i = 0; i < kinds[k].n; i++)
        if (strcmp(kinds[k].fields[i].name, name) == 0) return (int)i;
    return -1;
}

void enc_header_norm(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '_' || c == '-' || c == '.' || c == '(' || c == ')' || c == '\t' ||
            c == '"')
            continue;
        out[o++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    out[o] = 0;
}

static bool in_alias_list(const char *list, const char *h)
{
    size_t hn = strlen(h);
    if (!hn) return false;
    for (const char *p = list; *p;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == hn && memcmp(p, h, hn) == 0) return true;
        if (!bar) break;
        p = bar + 1;
    }
    return false;
}

int enc_field_by_header(enc_kind k, const char *h)
{
    char canon[64];
    for (size_t i = 0; i < kinds[k].n; i++) {
        const enc_field_def *f = &kinds[k].fields[i];
        enc_header_norm(f->name, strlen(f->name), canon, sizeof canon);
        if (strcmp(canon, h) == 0 || in_alias_list(f->aliases, h)) return (int)i;
    }
    return -1;
}
