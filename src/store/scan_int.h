/* scan_int.h — for the store files that hold the modules' queries (store_snapshot.c, ...):
 * opening a cursor on a statement of their own. */
#ifndef ENCORE_SCAN_INT_H
#define ENCORE_SCAN_INT_H
#include "store/scan_store.h"

/* A cursor on sql (prepared now; NULL with err set to "what: <message>" on failure). The caller
 * closes it with enc_scan_close. */
enc_scan *enc__scan_prepare(enc_store *st, const char *sql, const char *what, enc_err *err);
#endif
