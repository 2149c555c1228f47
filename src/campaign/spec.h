/* spec.h — a campaign file: parsed from JSON and validated with field paths
 * ("content.email.subject: unknown field 'custmer.name'; did you mean 'customer.name'?") and
 * JSON positions ("line 3, column 7: ..."). Unknown keys are errors. Templates are compiled
 * here and checked against the fields given to them (enc_spec_fields). First step of the
 * campaign stage: spec -> trigger (trigger.h) -> planner (plan.h) -> outbox. The format is
 * documented in docs/campaigns.md; the shared contact policy (caps, quiet hours, links) is
 * parsed here too (enc_settings). */
#ifndef ENCORE_CAMPAIGN_SPEC_H
#define ENCORE_CAMPAIGN_SPEC_H
#include "base/err.h"
#include "campaign/policy.h"
#include "campaign/template.h"
#include "snapshot/snapshot.h"
#include "store/store.h"
#include <stdbool.h>
#include <stdint.h>

#define ENC_SPEC_MAX_BYTES (1 << 20) /* a campaign file */
#define ENC_SPEC_MAX_STEPS 8         /* delays of an event trigger */
#define ENC_SPEC_MAX_VARIANTS 8
#define ENC_SPEC_MAX_HOLIDAYS 128
#define ENC_SPEC_MAX_NAME 64         /* campaign and variant names: [A-Za-z0-9_.-] */
#define ENC_SPEC_DEFAULT_HOLDOUT 0.1 /* the control group of a file without "holdout" */

typedef enum enc_trig_kind {
    ENC_TRIG_ONCE,      /* one-off at a time (default: when started) */
    ENC_TRIG_RECURRING, /* every D from a start */
    ENC_TRIG_EVENT,     /* an event + delay(s) */
    ENC_TRIG_DATE,      /* birthday, membership anniversary, holidays (customer's local time) */
    ENC_TRIG_PREDICTED, /* predicted next order, replenishment due (customer's local time) */
} enc_trig_kind;

typedef enum enc_trig_event {
    ENC_EVT_FIRST_PURCHASE, /* the first sale order */
    ENC_EVT_PURCHASE,       /* every sale order */
    ENC_EVT_CART_ABANDONED, /* a cart_add followed by no cart_add and no order within the delay */
    ENC_EVT_NO_PURCHASE,    /* the latest sale order, when none followed it within the delay */
    ENC_EVT_BEHAVIOUR,      /* events of one type (view, favorite, ...): one a customer a day */
} enc_trig_event;

typedef enum enc_trig_date {
    ENC_DATE_BIRTHDAY,
    ENC_DATE_ANNIVERSARY,
    ENC_DATE_HOLIDAY
} enc_trig_date;
typedef enum enc_trig_pred { ENC_PRED_NEXT_ORDER, ENC_PRED_REPLENISHMENT } enc_trig_pred;

typedef struct enc_spec_holiday {
    char name[ENC_SPEC_MAX_NAME];
    int year, month, day; /* year 0: every year */
} enc_spec_holiday;

typedef struct enc_spec_trigger {
    enc_trig_kind kind;
    int64_t at;                /* once: epoch seconds; 0 = when the campaign is started */
    int64_t every, start, end; /* recurring: period (s); start 0 = when started; end 0 = none */
    enc_trig_event event;      /* event */
    int ev_type;               /* ENC_EVT_BEHAVIOUR: an enc_ev_type */
    int64_t delays[ENC_SPEC_MAX_STEPS]; /* event: one per step, increasing; date/predicted:
                                         * delays[0] is the signed offset (whole days) */
    int nsteps;                         /* 1 unless an event trigger lists several delays */
    enc_trig_date date;
    enc_trig_pred pred;
    int local_minute;           /* date/predicted: minutes after local midnight (default 600) */
    enc_spec_holiday *holidays; /* owned by the spec */
    int nholidays;
    int64_t catch_up; /* the first run looks back this far (default 1 day) */
} enc_spec_trigger;

typedef struct enc_spec_offer {
    bool present;
    bool percent;                       /* percent off, else a value off */
    int64_t amount[ENC_SPEC_MAX_STEPS]; /* percent points or minor units, per step; 0 = none */
    int namount;                        /* 1: the same on every step */
    int64_t min_spend;                  /* minor units, 0 = none */
    int64_t expires_after;              /* seconds after issue (0 = see expires_at) */
    int64_t expires_at;                 /* fixed instant (0 = none) */
    char prefix[13];
    int length; /* random characters (8..29, default 12) */
} enc_spec_offer;

/* Content of one channel: template sources (NULL when absent) and their compiled forms. */
#define ENC_SPEC_MAX_DATA 8 /* keys of a WeChat template message's data */
typedef enum {
    ENC_PART_SUBJECT,
    ENC_PART_TITLE,
    ENC_PART_TEXT,
    ENC_PART_HTML,
    ENC_PART_LINK,        /* push: the deep link opened on tap */
    ENC_PART_BADGE,       /* push: the app icon's badge number */
    ENC_PART_TEMPLATE_ID, /* wechat: the template (or subscription) message's template_id */
    ENC_PART_URL,         /* wechat: the page opened on tap */
    ENC_PART_MP_APPID,    /* wechat: miniprogram.appid */
    ENC_PART_MP_PAGEPATH, /* wechat: miniprogram.pagepath */
    ENC_PART_DATA0,       /* wechat: data values, keys in data_key[] */
    ENC_NPARTS = ENC_PART_DATA0 + ENC_SPEC_MAX_DATA
} enc_part;
typedef struct enc_spec_content {
    bool present;
    char *src[ENC_NPARTS];
    enc_tpl *tpl[ENC_NPARTS];
    char data_key[ENC_SPEC_MAX_DATA][33]; /* wechat: the data keys ("thing1"), "" unused */
} enc_spec_content;

typedef struct enc_spec_variant {
    char name[ENC_SPEC_MAX_NAME];
    double share;
    enc_spec_content content[CH_NCHANNELS]; /* the campaign's content, overridden by the
                                             * variant's own parts */
    enc_spec_offer offer;                   /* the campaign's offer unless the variant has one */
} enc_spec_variant;

enum { ENC_EXIT_BOUGHT = 1, ENC_EXIT_UNSUBSCRIBED = 2, ENC_EXIT_COMPLAINED = 4 };

typedef enum enc_items_from {
    ENC_ITEMS_NONE,
    ENC_ITEMS_TRIGGER,        /* the products of the occurrence (cart, replenishment, viewed) */
    ENC_ITEMS_TOP_CATEGORIES, /* best sellers of the customer's top categories, not yet bought */
    ENC_ITEMS_COMPLEMENTS,    /* complements of the products bought (products.complements) */
    ENC_ITEMS_UPSELL,         /* the next tier of the same leaf category as the trigger's */
    ENC_ITEMS_NEW_ARRIVALS,   /* first sold in the last 30 days, in the customer's categories */
    ENC_ITEMS_RECOMMENDED,    /* the recommendation engine (src/recommend), of items_kind */
} enc_items_from;

typedef enum enc_ab_metric { ENC_AB_CONVERSION, ENC_AB_REVENUE, ENC_AB_CLICK } enc_ab_metric;

/* ---- journeys (docs/campaigns.md, "Journeys"): steps, each a message, and branches on what
 * the customer did within the step's window after it was sent ---------------------------- */
#define ENC_JOURNEY_MAX_STEPS ENC_SPEC_MAX_STEPS /* an offer has an amount per step */
#define ENC_JOURNEY_MAX_BRANCHES 8
/* what a branch looks at in the step's window (sent, sent + wait]: the step's own message
 * opened or clicked, a sale order, an unsubscribe event */
typedef enum enc_jcond {
    ENC_JC_OPENED,
    ENC_JC_CLICKED,
    ENC_JC_BOUGHT,
    ENC_JC_UNSUBSCRIBED,
    ENC_JC_NCOND
} enc_jcond;
typedef struct enc_jbranch {
    char name[ENC_SPEC_MAX_NAME];
    int8_t want[ENC_JC_NCOND]; /* 1 must have happened, 0 must not, -1 either */
    char category[128];        /* bought_category: a sale order with a product in this
                                * category (its full path or its top level); "" = none */
    int next;                  /* step index; -1 = the journey ends */
} enc_jbranch;
typedef struct enc_jstep {
    char name[ENC_SPEC_MAX_NAME];
    int64_t delay; /* first step: after the entry; others: after the previous step's window */
    int channel;   /* enc_channel */
    enc_spec_content content[CH_NCHANNELS]; /* only [channel] is present */
    bool offer;   /* the message carries the campaign's offer (its amount for this step) */
    int64_t wait; /* the window the branches look at, after the send */
    enc_jbranch branches[ENC_JOURNEY_MAX_BRANCHES]; /* the first that holds is taken */
    int nbranches;
    int next; /* when no branch holds (or there are none), after the wait; -1 = the end */
} enc_jstep;
typedef struct enc_journey {
    enc_jstep *steps; /* owned by the spec; NULL for a single-message campaign */
    int nsteps;
    int max_entries;       /* journeys a customer may enter over the campaign's life; 0 = any */
    int64_t reentry_after; /* a new entry at least this long after the previous one; 0 = any */
} enc_journey;

typedef struct enc_spec {
    char name[ENC_SPEC_MAX_NAME];
    char *description;
    char *audience; /* a segment expression ({"segment": N} becomes segment("N")); NULL = all */
    enc_spec_trigger trigger;
    unsigned exit; /* ENC_EXIT_* bits */
    int channels[CH_NCHANNELS];
    int nchannels;
    enc_spec_variant variants[ENC_SPEC_MAX_VARIANTS];
    int nvariants;  /* at least 1 ("A" when the file names none) */
    double holdout; /* [0, 0.9]; ENC_SPEC_DEFAULT_HOLDOUT when the file has none */
    /* "uplift_top": {"campaign": C, "share": X}: only the top X of the audience by C's stored
     * predicted uplift (encore uplift evaluate C); share 0 = off */
    char uplift_from[ENC_SPEC_MAX_NAME];
    double uplift_share;
    int priority;                            /* 0..9, 9 first (the outbox's) */
    int64_t budget_messages, budget_coupons; /* -1 = no limit */
    bool on_cap_defer;                       /* over a frequency cap: defer (true) or drop */
    int64_t send_within; /* a message that cannot go out within this of its due time is
                          * dropped (quiet hours, deferral); default 7 days */
    enc_items_from items_from;
    int items_max;
    int items_kind; /* ENC_ITEMS_RECOMMENDED: an enc_rec_kind (personal, cross, up, cart) */
    bool ab;        /* A/B test then roll-out */
    double ab_test_share;
    int64_t ab_decide_after;
    enc_ab_metric ab_metric;
    bool track_links;    /* "track_links" (default true): links become signed click links when
                          * the policy gives the tracking server (track_base_url; links.h) */
    bool track_opens;    /* "track_opens" (default true): HTML emails carry the open pixel */
    bool transactional;  /* "transactional" (default false): order and service mail, exempt
                          * from List-Unsubscribe and the send-time contact policy */
    char *text;          /* the file as given (stored with the campaign) */
    const char *purpose; /* "purpose": "marketing" (default) or "service" (the default of a
                          * transactional campaign): only customers whose consent for it is in
                          * force on a channel are sent on it (static text) */
    enc_journey journey; /* "journey": steps and branches; nsteps 0 = one message per occurrence */
    bool send_optimal;   /* "send_time": "optimal" (default "due"): each message moves to the
                          * customer's best hour of the week within 7 days (intel/sendtime_fit.h) */
} enc_spec;

/* Parses and validates a campaign file. st (may be NULL) resolves saved segments when the
 * audience is checked; without it an audience naming segment() is checked when planned.
 * Errors: ENC_EPARSE with "line L, column C: ..." (JSON) or "PATH: ..." (fields), ENC_ELIMIT
 * past ENC_SPEC_MAX_BYTES. The caller frees *out with enc_spec_free. */
enc_rc enc_spec_parse(const char *text, size_t n, enc_store *st, enc_spec **out, enc_err *err);
void enc_spec_free(enc_spec *s);

/* The names templates may use, NULL-terminated: scalar fields, then list fields, whose item
 * fields are enc_spec_item_fields. */
extern const char *const enc_spec_fields[];
extern const char *const enc_spec_list_fields[];
extern const char *const enc_spec_item_fields[];

/* Durations "90s", "30m", "1h", "3d", "2w" (an optional leading '-' when allow_neg) into
 * seconds; false when malformed. */
bool enc_spec_duration(const char *s, bool allow_neg, int64_t *out);
/* Times in a campaign file: enc_time_parse (base/datetime.h), the parser of every time option;
 * false when malformed. */
bool enc_spec_time(const char *s, int64_t *out);
const char *enc_trig_kind_name(enc_trig_kind k);
const char *enc_trig_event_name(const enc_spec_trigger *t);

/* ---- the shared contact policy and links (one per store; `encore campaign policy`) ------- */
typedef struct enc_settings {
    enc_policy policy;
    char default_tz[64];       /* for customers without a zone (default "UTC") */
    char unsubscribe_url[512]; /* base of the unsubscribe link */
    char track_base_url[512];  /* the tracking server (`encore serve`) for click links and open
                                * pixels, without a trailing '/'; "" = no tracking (default) */
    char shop_name[128], shop_url[512];
    char sms_signature[64]; /* put before every SMS text ("【优选】": Chinese providers require
                             * the signature); "" = none */
    int sms_max_segments;   /* plan warns about SMS longer than this (default 3) */
    /* hosts whose links may become signed click links (and their subdomains); none given:
     * the host of shop_url. Links to other hosts are left as written (open redirects) */
    char link_hosts[16][254];
    int nlink_hosts;
} enc_settings;
void enc_settings_default(enc_settings *s);
/* Parses settings JSON over the defaults in *s (keys given replace them; unknown keys are
 * errors, with paths as above). */
enc_rc enc_settings_parse(const char *text, size_t n, enc_settings *s, enc_err *err);
/* Writes s as JSON (the form enc_settings_parse reads) into out. */
void enc_settings_json(const enc_settings *s, enc_buf *out);
#endif
