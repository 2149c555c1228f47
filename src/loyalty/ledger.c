/* ledger.c — the points arithmetic of ledger.h: order points with multipliers and caps, lot
 * expiry dates, oldest-first consumption. Exact integer arithmetic throughout (128-bit where a
 * product of amounts and multipliers could exceed 64 bits). */
#include "loyalty/ledger.h"
#include "base/datetime.h"
#include <string.h>

/* the multiplier of one line in hundredths: its SKU's, else the longest category prefix's
 * (a category path "A/B/C" matches "A" and "A/B" at a '/' boundary), else 100 */
static int64_t line_mult(const enc_programme *p, const enc_earn_line *l)
{
    for (size_t i = 0; l->sku && i < p->nskus; i++)
        if (strcmp(p->skus[i].key, l->sku) == 0) return p->skus[i].mult100;
    int64_t m = 100;
    size_t best = 0;
    for (size_t i = 0; l->category && i < p->ncats; i++) {
        size_t k = strlen(p->cats[i].key);
        if (k > best && strncmp(l->category, p->cats[i].key, k) == 0 &&
            (l->category[k] == 0 || l->category[k] == '/')) {
            best = k;
            m = p->cats[i].mult100;
        }
    }
    return m;
}

int64_t enc_ledger_order_points(const enc_programme *p, const enc_earn_line *lines, size_t n,
                                int64_t total, int64_t discount, int64_t ts, int64_t tier_mult100)
{
    int64_t net = total - discount;
    if (net <= 0) return 0;
    __int128 wsum = 0;
    int64_t sales = 0;
    for (size_t i = 0; i < n; i++) {
        if (!lines[i].sale || lines[i].amount <= 0) continue;
        sales += lines[i].amount;
        wsum += (__int128)lines[i].amount * line_mult(p, &lines[i]);
    }
    if (n == 0) { /* an order without lines: its total at multiplier 1 */
        sales = total;
        wsum = (__int128)total * 100;
    }
    if (sales <= 0) return 0;
    __int128 weighted = wsum * net / sales;
    int64_t day = 100;
    if (p->member_day) {
        int y, m, d;
        enc_civil_from_days(ts >= 0 ? ts / 86400 : (ts - 86399) / 86400, &y, &m, &d);
        if (d == p->member_day) day = p->member_day_mult100;
    }
    __int128 num = weighted * p->rate100 * tier_mult100 * day;
    __int128 den = (__int128)p->unit * 100 * 100 * 100 * 100;
    __int128 pts = num / den;
    return pts > INT64_MAX / 4 ? INT64_MAX / 4 : (int64_t)pts;
}

int64_t enc_ledger_capped(const enc_programme *p, int64_t points, int64_t earned_today)
{
    if (p->cap_order && points > p->cap_order) points = p->cap_order;
    if (p->cap_day) {
        int64_t left = p->cap_day - earned_today;
        if (left < 0) left = 0;
        if (points > left) points = left;
    }
    return points;
}

int64_t enc_ledger_add_months(int64_t ts, int n)
{
    int64_t days = ts >= 0 ? ts / 86400 : (ts - 86399) / 86400;
    int64_t sod = ts - days * 86400;
    int y, m, d;
    enc_civil_from_days(days, &y, &m, &d);
    int64_t mi = (int64_t)y * 12 + (m - 1) + n;
    int ny = (int)(mi >= 0 ? mi / 12 : (mi - 11) / 12), nm = (int)(mi - (int64_t)ny * 12) + 1;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int last = mdays[nm - 1];
    if (nm == 2 && ((ny % 4 == 0 && ny % 100 != 0) || ny % 400 == 0)) last = 29;
    if (d > last) d = last;
    return enc_days_from_civil(ny, nm, d) * 86400 + sod;
}

int64_t enc_ledger_expires_at(const enc_programme *p, int64_t ts)
{
    int y, m, d;
    switch (p->expiry) {
    case ENC_EXPIRY_MONTHS: return enc_ledger_add_months(ts, p->expiry_n);
    case ENC_EXPIRY_END_OF_YEAR:
        enc_civil_from_days(ts >= 0 ? ts / 86400 : (ts - 86399) / 86400, &y, &m, &d);
        return enc_days_from_civil(y + p->expiry_n + 1, 1, 1) * 86400;
    case ENC_EXPIRY_NEVER: break;
    }
    return 0;
}

int64_t enc_ledger_next_review(const enc_programme *p, int64_t after)
{
    int y, m, d;
    enc_civil_from_days(after >= 0 ? after / 86400 : (after - 86399) / 86400, &y, &m, &d);
    for (int k = 0; k < 2; k++) {
        int64_t r = enc_days_from_civil(y + k, p->review_month, p->review_day) * 86400;
        if (r > after) return r;
    }
    return enc_days_from_civil(y + 2, p->review_month, p->review_day) * 86400;
}

int64_t enc_ledger_take(const enc_lot *lots, size_t n, int64_t first, int64_t want, int64_t *take)
{
    int64_t got = 0;
    memset(take, 0, n * sizeof *take);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n && got < want; i++) {
            if (lots[i].remaining <= 0) continue;
            if ((pass == 0) != (first && lots[i].id == first)) continue;
            int64_t t = lots[i].remaining - take[i];
            if (t > want - got) t = want - got;
            take[i] += t;
            got += t;
        }
    return got;
}

int64_t enc_ledger_lots_sum(const enc_lot *lots, size_t n)
{
    int64_t s = 0;
    for (size_t i = 0; i < n; i++) s += lots[i].remaining;
    return s;
}
