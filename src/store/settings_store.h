/* settings_store.h — the shop's keyed settings (table campaign_settings: one JSON text per key,
 * e.g. "measure" for the measurement settings of src/measure/msettings.c). Part of the store
 * interface (store.h), in its own header. */
#ifndef ENCORE_SETTINGS_STORE_H
#define ENCORE_SETTINGS_STORE_H
#include "store/store.h"
#include <stddef.h>

/* The text stored under key into *out (malloc'ed; the caller frees it), NULL when there is
 * none. Errors read "what: <message>". */
enc_rc enc_store_settings_get(enc_store *st, const char *key, const char *what, char **out,
                              enc_err *err);
/* Stores text (n bytes) under key, replacing what was there. */
enc_rc enc_store_settings_put(enc_store *st, const char *key, const char *what, const char *text,
                              size_t n, enc_err *err);
#endif
