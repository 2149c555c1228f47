/* calendar.h — the festival calendar campaigns plan around: for a Gregorian year and a region,
 * the Chinese festivals of the lunisolar calendar (春节, 元宵, 端午, 七夕, 中秋, 重阳, 腊八, 小年,
 * 除夕) and 清明 from the solar terms, computed astronomically for 1900-2100 (new moons and the
 * Sun's longitude after Meeus, in China Standard Time, UTC+8); shopping days (618, 双十一 ...);
 * Western holidays (Easter by the Gregorian computus, Black Friday, Mother's and Father's Day by
 * each country's rule) and each region's public holidays. Used by `encore calendar`; campaign
 * date triggers that name a holiday come later. docs/calendar.md lists every date and rule. */
#ifndef ENCORE_CALENDAR_H
#define ENCORE_CALENDAR_H
#include "base/err.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ENC_CAL_YEAR_MIN 1900
#define ENC_CAL_NONE INT64_MIN /* no such day */
#define ENC_CAL_YEAR_MAX 2100

typedef enum { ENC_CAL_FESTIVAL, ENC_CAL_SHOPPING, ENC_CAL_PUBLIC } enc_cal_kind;

/* the regions, written once (X-macro): the enum and the names expand it */
/* clang-format off */
#define ENC_CAL_REGIONS(X) X(CN) X(HK) X(TW) X(US) X(GB) X(DE) X(FR) X(JP)
/* clang-format on */
typedef enum {
#define ENC_CAL_REGION_ENUM(id) ENC_CAL_##id,
    ENC_CAL_REGIONS(ENC_CAL_REGION_ENUM)
#undef ENC_CAL_REGION_ENUM
        ENC_CAL_NREGIONS
} enc_cal_region;

typedef struct enc_cal_event {
    int64_t day;         /* days since 1970-01-01 */
    const char *name;    /* static strings */
    const char *name_zh; /* the Chinese name (simplified; traditional for HK and TW) */
    enc_cal_kind kind;
} enc_cal_event;

/* "CN" ... "JP" (case-insensitive) into *r; false when unknown. */
bool enc_cal_region_parse(const char *s, enc_cal_region *r);
const char *enc_cal_region_name(enc_cal_region r);
const char *enc_cal_kind_name(enc_cal_kind k); /* festival, shopping, public */

/* The events of Gregorian `year` (ENC_CAL_YEAR_MIN..MAX) in `region`, by date then name, into
 * out (cap entries; 64 is always enough); *n gets the count. ENC_EUSAGE for a year outside the
 * range. */
enc_rc enc_calendar_year(int year, enc_cal_region region, enc_cal_event *out, size_t cap, size_t *n,
                         enc_err *err);

/* ---- the astronomy and the lunisolar calendar underneath (exposed for the tests) ---------- */

/* Julian Ephemeris Day of the k-th new moon after the one of 2000-01-06 (Meeus, Astronomical
 * Algorithms, 2nd ed., ch. 49, with the periodic and planetary corrections). */
double enc_cal_new_moon_jde(double k);
/* The Sun's apparent geocentric longitude in degrees [0, 360) at a Julian Ephemeris Day (VSOP87
 * abridged as in Meeus, App. III, FK5 correction, nutation in longitude and aberration). */
double enc_cal_sun_longitude(double jde);
/* TT - UT in seconds for a decimal year (Espenak & Meeus polynomials, valid 1900-2150). */
double enc_cal_delta_t(double year);
/* The day (days since 1970-01-01, in UTC+8) on which the Sun's apparent longitude reaches
 * `degrees` (a multiple of 15: a solar term) in Gregorian `year`. */
int64_t enc_cal_solar_term_day(int year, int degrees);
/* The day of lunar month `month` (1-12; `leap` for the intercalary month after it), day `day`
 * (1-30) of the Chinese year that begins in Gregorian `year`; ENC_CAL_NONE when that month or day
 * does not exist (no such leap month, or day 30 of a 29-day month). */
int64_t enc_cal_lunar_day(int year, int month, bool leap, int day);
/* The intercalary month of the Chinese year that begins in Gregorian `year`, 0 when none. */
int enc_cal_leap_month(int year);
#endif
