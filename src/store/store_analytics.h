/* store_analytics.h — the store reads behind the analytics, the customer view and the segment
 * editor (src/measure/analytics.c, src/report/custview.c, the API): the shop's currency, the
 * per-run segment history and the migration between two scoring runs. Part of the store
 * interface (store.h); kept in its own header so that it grows without touching store.h. */
#ifndef ENCORE_STORE_ANALYTICS_H
#define ENCORE_STORE_ANALYTICS_H
#include "store/store.h"

/* The shop's currency: the code on the orders (the first one found, as attribution takes it)
 * into out (>= 4 bytes), "" when the orders name none or the stored value is not three capital
 * letters. */
enc_rc enc_store_currency(enc_store *st, char *out, size_t cap, enc_err *err);
#endif
