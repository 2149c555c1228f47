/* store_analytics.c — SQLite reads for the analytics, the customer view and the segment editor
 * (store_analytics.h). */
#include "store/store_analytics.h"
#include "store/store_int.h"
#include <stdio.h>
#include <string.h>

enc_rc enc_store_currency(enc_store *st, char *out, size_t cap, enc_err *err)
{
    sqlite3_stmt *s;
    if (cap) out[0] = 0;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT currency FROM orders WHERE currency IS NOT NULL AND"
                           " currency != '' LIMIT 1",
                           -1, &s, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "reading the currency");
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        const unsigned char *c = sqlite3_column_text(s, 0);
        bool ok = c && strlen((const char *)c) == 3;
        for (int i = 0; ok && i < 3; i++) ok = c[i] >= 'A' && c[i] <= 'Z';
        if (ok && cap >= 4) snprintf(out, cap, "%s", (const char *)c);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return enc__store_sqlfail(st, err, "reading the currency");
    return ENC_OK;
}
