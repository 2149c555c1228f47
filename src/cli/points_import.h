/* points_import.h — `encore points import FILE`: opening balances and tiers from the shop's
 * previous system, a CSV row a member (docs/loyalty.md names the columns). */
#ifndef ENCORE_POINTS_IMPORT_H
#define ENCORE_POINTS_IMPORT_H
#include "loyalty/programme.h"
#include "store/store.h"
#include <stdbool.h>
#include <stdint.h>

/* Imports every good row of path at now through enc_loyalty_import, one transaction a row: a
 * bad row is named on stderr by file, line and field and the others are kept; a member whose
 * opening balance was already imported is counted as skipped, so a re-import changes nothing.
 * Prints the counts (JSON with json). Returns the exit code: 1 when the file cannot be read, its
 * header lacks a column, or every row was rejected. */
int enc__points_import_file(enc_store *st, const enc_programme *p, const char *path, int64_t now,
                            bool json);
#endif
