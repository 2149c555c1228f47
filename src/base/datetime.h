/* datetime.h — civil dates, epoch seconds (UTC) and time zones. Zones are fixed offsets
 * ("+08:00") or IANA names read from the system's TZif files (/usr/share/zoneinfo, or $TZDIR);
 * no global TZ state is touched. Used by the cleaners (local times in files) and by sending
 * (quiet hours in the customer's zone). */
#ifndef ENCORE_DATETIME_H
#define ENCORE_DATETIME_H
#include "base/err.h"
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

/* Days since 1970-01-01 of a proleptic Gregorian date, and back (H. Hinnant's algorithms). */
int64_t enc_days_from_civil(int y, int m, int d);
void enc_civil_from_days(int64_t days, int *y, int *m, int *d);
bool enc_date_valid(int y, int m, int d);
/* "YYYY-MM-DD" and "YYYY-MM-DD HH:MM:SS" (UTC) into out (>= 20 / 32 bytes). */
void enc_fmt_date(char *out, size_t cap, int64_t epoch);
void enc_fmt_datetime(char *out, size_t cap, int64_t epoch);

/* The one parser of a time given on the command line (every --now, --at, --as-of, --since,
 * --until, --split, --end): epoch seconds (up to 12 digits); "YYYY-MM-DD" (midnight UTC);
 * "YYYY-MM-DD HH:MM" or "YYYY-MM-DDTHH:MM", optionally ":SS" and a fraction of a second
 * (dropped), then optionally "Z" or an offset ("+08:00", "+0800", "-05"); without one, UTC.
 * Years 1000-9999. *has_time (may be NULL) says whether a time of day was given, for options
 * where a bare date means the end of that day. False when s is not such a time. */
bool enc_time_parse(const char *s, int64_t *out, bool *has_time);
/* The texts enc_time_parse accepts, for usage and error messages. */
#define ENC_TIME_FORMS "YYYY-MM-DD[ HH:MM[:SS]][Z|+HH:MM] or epoch seconds"

typedef struct enc_tz enc_tz;
/* Loads a zone: "UTC", "Z", "+08:00", "+0800", "-05", or an IANA name ("Asia/Shanghai").
 * The caller frees it with enc_tz_free. */
enc_rc enc_tz_load(const char *name, enc_tz **out, enc_err *err);
void enc_tz_free(enc_tz *tz);
/* Builds a zone from the bytes of a TZif file (RFC 8536, versions 1 to 4; zones with leap
 * seconds are refused); name is copied. Used by enc_tz_load, tests and the fuzz target. */
enc_rc enc_tz_from_tzif(const void *data, size_t n, const char *name, enc_tz **out, enc_err *err);
const char *enc_tz_name(const enc_tz *tz);
/* Offset east of UTC in seconds in force at the instant utc. */
int enc_tz_offset(const enc_tz *tz, int64_t utc);
/* The UTC instant of a wall-clock time given as seconds since 1970-01-01 00:00 local. In a gap
 * (spring forward) the time is moved forward by the gap; in an overlap the earlier instant. */
int64_t enc_tz_local_to_utc(const enc_tz *tz, int64_t local);
/* The one "as of" convention (docs/scoring.md): a scoring run as of day D uses the data up to
 * the end of D and stores as_of = the end of D (midnight after it, exclusive). Its profiles are
 * visible at any time on D and after: an audience, a campaign or a report at `now` sees a run
 * when as_of - 1 day <= now. */
#define ENC_AS_OF_DAY 86400
static inline int64_t enc_as_of_visible_until(int64_t now) { return now + ENC_AS_OF_DAY; }
static inline int enc_as_of_visible(int64_t as_of, int64_t now)
{
    return as_of <= enc_as_of_visible_until(now);
}
#endif
