/* calendar.c — the festival calendar (calendar.h).
 *
 * The Chinese calendar as the Purple Mountain Observatory computes it (GB/T 33661-2017,
 * "Calculation and promulgation of the Chinese calendar"; H. Aslaksen, "The Mathematics of the
 * Chinese Calendar", 2010): a month begins on the day (UTC+8) of a new moon; the winter solstice
 * falls in month 11; when 13 new moons begin between one month 11 and the next, the first month of
 * them that holds no principal term (the Sun at a multiple of 30 degrees) is the leap month.
 *
 * Days are counted in UTC+8 from 1929 and in Beijing local mean time before (cst_day).
 *
 * New moons: Meeus, Astronomical Algorithms (2nd ed., 1998), ch. 49 — the mean phase, the 25
 * periodic terms and the 14 planetary arguments; a few seconds of error. The Sun: VSOP87 as
 * abridged in Meeus App. III (the Earth's L and R series), ch. 25's FK5 correction (-0.09033"),
 * the nutation in longitude of ch. 22 (low-accuracy form, 0.5") and the aberration
 * (-20.4898"/R); about one arc second, i.e. half a minute in the time of a solar term. Both
 * are in Terrestrial Time; ΔT (Espenak & Meeus, NASA's polynomial expressions) turns them into
 * UT. */
#include "campaign/calendar.h"
#include "base/datetime.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PI 3.14159265358979323846
#define RAD (PI / 180)
#define JD_UNIX 2440587.5 /* Julian Day of 1970-01-01 00:00 UT */
#define CST (8.0 / 24)    /* China Standard Time, UTC+8 */
#define JD_1929 2425612.5 /* 1929-01-01 00:00 UT */

/* ---- ΔT ------------------------------------------------------------------------------------- */

double enc_cal_delta_t(double y)
{
    double t;
    if (y < 1920) {
        t = y - 1900;
        return -2.79 + 1.494119 * t - 0.0598939 * t * t + 0.0061966 * t * t * t -
               0.000197 * t * t * t * t;
    }
    if (y < 1941) {
        t = y - 1920;
        return 21.20 + 0.84493 * t - 0.076100 * t * t + 0.0020936 * t * t * t;
    }
    if (y < 1961) {
        t = y - 1950;
        return 29.07 + 0.407 * t - t * t / 233 + t * t * t / 2547;
    }
    if (y < 1986) {
        t = y - 1975;
        return 45.45 + 1.067 * t - t * t / 260 - t * t * t / 718;
    }
    if (y < 2005) {
        t = y - 2000;
        return 63.86 + 0.3345 * t - 0.060374 * t * t + 0.0017275 * t * t * t +
               0.000651814 * t * t * t * t + 0.00002373599 * t * t * t * t * t;
    }
    if (y < 2050) {
        t = y - 2000;
        return 62.92 + 0.32217 * t + 0.005589 * t * t;
    }
    t = (y - 1820) / 100;
    return -20 + 32 * t * t - 0.5628 * (2150 - y);
}

/* UT Julian Day of a JDE */
static double jde_to_jd(double jde)
{
    double year = 2000 + (jde - 2451545.0) / 365.25;
    return jde - enc_cal_delta_t(year) / 86400;
}

/* The civil day (days since 1970-01-01) in China of a JDE: UTC+8 (the meridian 120 degrees
 * east) from 1929, when the calendar's computation moved to it; before, Beijing's local mean
 * time (116 degrees 25 minutes east, UTC+7:45:40), which the almanacs of 1900-1928 used. */
static int64_t cst_day(double jde)
{
    double jd = jde_to_jd(jde);
    double zone = jd < JD_1929 ? (116.0 + 25.0 / 60) / 360 : CST;
    return (int64_t)floor(jd - JD_UNIX + zone);
}

/* ---- new moons (Meeus ch. 49) ------------------------------------------------------------- */

double enc_cal_new_moon_jde(double k)
{
    double T = k / 1236.85, T2 = T * T, T3 = T2 * T, T4 = T3 * T;
    double jde =
        2451550.09766 + 29.530588861 * k + 0.00015437 * T2 - 0.000000150 * T3 + 0.00000000073 * T4;
    double E = 1 - 0.002516 * T - 0.0000074 * T2;
    double M = (2.5534 + 29.10535670 * k - 0.0000014 * T2 - 0.00000011 * T3) * RAD;
    double Mp =
        (201.5643 + 385.81693528 * k + 0.0107582 * T2 + 0.00001238 * T3 - 0.000000058 * T4) * RAD;
    double F =
        (160.7108 + 390.67050284 * k - 0.0016118 * T2 - 0.00000227 * T3 + 0.000000011 * T4) * RAD;
    double O = (124.7746 - 1.56375588 * k + 0.0020672 * T2 + 0.00000215 * T3) * RAD;
    jde += -0.40720 * sin(Mp) + 0.17241 * E * sin(M) + 0.01608 * sin(2 * Mp) +
           0.01039 * sin(2 * F) + 0.00739 * E * sin(Mp - M) - 0.00514 * E * sin(Mp + M) +
           0.00208 * E * E * sin(2 * M) - 0.00111 * sin(Mp - 2 * F) - 0.00057 * sin(Mp + 2 * F) +
           0.00056 * E * sin(2 * Mp + M) - 0.00042 * sin(3 * Mp) + 0.00042 * E * sin(M + 2 * F) +
           0.00038 * E * sin(M - 2 * F) - 0.00024 * E * sin(2 * Mp - M) - 0.00017 * sin(O) -
           0.00007 * sin(Mp + 2 * M) + 0.00004 * sin(2 * Mp - 2 * F) + 0.00004 * sin(3 * M) +
           0.00003 * sin(Mp + M - 2 * F) + 0.00003 * sin(2 * Mp + 2 * F) -
           0.00003 * sin(Mp + M + 2 * F) + 0.00003 * sin(Mp - M + 2 * F) -
           0.00002 * sin(Mp - M - 2 * F) - 0.00002 * sin(3 * Mp + M) + 0.00002 * sin(4 * Mp);
    /* the planetary arguments A1..A14 (degrees) and their coefficients (days) */
    static const double a0[14] = {299.77, 251.88, 251.83, 349.42, 84.66,  141.74, 207.14,
                                  154.84, 34.52,  207.19, 291.34, 161.72, 239.56, 331.55};
    static const double a1[14] = {0.107408,  0.016321,  26.651886, 36.412478, 18.206239,
                                  53.303771, 2.453732,  7.306860,  27.261239, 0.121824,
                                  1.844379,  24.198154, 25.513099, 3.592518};
    static const double c[14] = {0.000325, 0.000165, 0.000164, 0.000126, 0.000110,
                                 0.000062, 0.000060, 0.000056, 0.000047, 0.000042,
                                 0.000040, 0.000037, 0.000035, 0.000023};
    for (int i = 0; i < 14; i++) {
        double a = a0[i] + a1[i] * k - (i == 0 ? 0.009173 * T2 : 0);
        jde += c[i] * sin(a * RAD);
    }
    return jde;
}

/* ---- the Sun (VSOP87 abridged, Meeus App. III) --------------------------------------------- */

typedef struct term {
    double a, b, c;
} term;

static const term L0[] = {
    {175347046, 0, 0},           {3341656, 4.6692568, 6283.07585},
    {34894, 4.6261, 12566.1517}, {3497, 2.7441, 5753.3849},
    {3418, 2.8289, 3.5231},      {3136, 3.6277, 77713.7715},
    {2676, 4.4181, 7860.4194},   {2343, 6.1352, 3930.2097},
    {1324, 0.7425, 11506.7698},  {1273, 2.0371, 529.691},
    {1199, 1.1096, 1577.3435},   {990, 5.233, 5884.927},
    {902, 2.045, 26.298},        {857, 3.508, 398.149},
    {780, 1.179, 5223.694},      {753, 2.533, 5507.553},
    {505, 4.583, 18849.228},     {492, 4.205, 775.523},
    {357, 2.92, 0.067},          {317, 5.849, 11790.629},
    {284, 1.899, 796.298},       {271, 0.315, 10977.079},
    {243, 0.345, 5486.778},      {206, 4.806, 2544.314},
    {205, 1.869, 5573.143},      {202, 2.4458, 6069.777},
    {156, 0.833, 213.299},       {132, 3.411, 2942.463},
    {126, 1.083, 20.775},        {115, 0.645, 0.98},
    {103, 0.636, 4694.003},      {102, 0.976, 15720.839},
    {102, 4.267, 7.114},         {99, 6.21, 2146.17},
    {98, 0.68, 155.42},          {86, 5.98, 161000.69},
    {85, 1.3, 6275.96},          {85, 3.67, 71430.7},
    {80, 1.81, 17260.15},        {79, 3.04, 12036.46},
    {75, 1.76, 5088.63},         {74, 3.5, 3154.69},
    {74, 4.68, 801.82},          {70, 0.83, 9437.76},
    {62, 3.98, 8827.39},         {61, 1.82, 7084.9},
    {57, 2.78, 6286.6},          {56, 4.39, 14143.5},
    {56, 3.47, 6279.55},         {52, 0.19, 12139.55},
    {52, 1.33, 1748.02},         {51, 0.28, 5856.48},
    {49, 0.49, 1194.45},         {41, 5.37, 8429.24},
    {41, 2.4, 19651.05},         {39, 6.17, 10447.39},
    {37, 6.04, 10213.29},        {37, 2.57, 1059.38},
    {36, 1.71, 2352.87},         {36, 1.78, 6812.77},
    {33, 0.59, 17789.85},        {30, 0.44, 83996.85},
    {30, 2.74, 1349.87},         {25, 3.16, 4690.48},
};
static const term L1[] = {
    {628331966747, 0, 0},       {206059, 2.678235, 6283.07585},
    {4303, 2.6351, 12566.1517}, {425, 1.59, 3.523},
    {119, 5.796, 26.298},       {109, 2.966, 1577.344},
    {93, 2.59, 18849.23},       {72, 1.14, 529.69},
    {68, 1.87, 398.15},         {67, 4.41, 5507.55},
    {59, 2.89, 5223.69},        {56, 2.17, 155.42},
    {45, 0.4, 796.3},           {36, 0.47, 775.52},
    {29, 2.65, 7.11},           {21, 5.34, 0.98},
    {19, 1.85, 5486.78},        {19, 4.97, 213.3},
    {17, 2.99, 6275.96},        {16, 0.03, 2544.31},
    {16, 1.43, 2146.17},        {15, 1.21, 10977.08},
    {12, 2.83, 1748.02},        {12, 3.26, 5088.63},
    {12, 5.27, 1194.45},        {12, 2.08, 4694},
    {11, 0.77, 553.57},         {10, 1.3, 6286.6},
    {10, 4.24, 1349.87},        {9, 2.7, 242.73},
    {9, 5.64, 951.72},          {8, 5.3, 2352.87},
    {6, 2.65, 9437.76},         {6, 4.67, 4690.48},
};
static const term L2[] = {
    {52919, 0, 0},     {8720, 1.0721, 6283.0758}, {309, 0.867, 12566.152}, {27, 0.05, 3.52},
    {16, 5.19, 26.3},  {16, 3.68, 155.42},        {10, 0.76, 18849.23},    {9, 2.06, 77713.77},
    {7, 0.83, 775.52}, {5, 4.66, 1577.34},        {4, 1.03, 7.11},         {4, 3.44, 5573.14},
    {3, 5.14, 796.3},  {3, 6.05, 5507.55},        {3, 1.19, 242.73},       {3, 6.12, 529.69},
    {3, 0.31, 398.15}, {3, 2.28, 553.57},         {2, 4.38, 5223.69},      {2, 3.75, 0.98},
};
static const term L3[] = {
    {289, 5.844, 6283.076}, {35, 0, 0},         {17, 5.49, 12566.15}, {3, 5.2, 155.42},
    {1, 4.72, 3.52},        {1, 5.3, 18849.23}, {1, 5.97, 242.73},
};
static const term L4[] = {{114, 3.142, 0}, {8, 4.13, 6283.08}, {1, 3.84, 12566.15}};
static const term L5[] = {{1, 3.14, 0}};
static const term R0[] = {
    {100013989, 0, 0},
    {1670700, 3.0984635, 6283.07585},
    {13956, 3.05525, 12566.1517},
    {3084, 5.1985, 77713.7715},
    {1628, 1.1739, 5753.3849},
    {1576, 2.8469, 7860.4194},
    {925, 5.453, 11506.77},
    {542, 4.564, 3930.21},
    {472, 3.661, 5884.927},
    {346, 0.964, 5507.553},
    {329, 5.9, 5223.694},
    {307, 0.299, 5573.143},
    {243, 4.273, 11790.629},
    {212, 5.847, 1577.344},
    {186, 5.022, 10977.079},
    {175, 3.012, 18849.228},
    {110, 5.055, 5486.778},
    {98, 0.89, 6069.78},
    {86, 5.69, 15720.84},
    {86, 1.27, 161000.69},
    {65, 0.27, 17260.15},
    {63, 0.92, 529.69},
    {57, 2.01, 83996.85},
    {56, 5.24, 71430.7},
    {49, 3.25, 2544.31},
    {47, 2.58, 775.52},
    {45, 5.54, 9437.76},
    {43, 6.01, 6275.96},
    {39, 5.36, 4694},
    {38, 2.39, 8827.39},
    {37, 0.83, 19651.05},
    {37, 4.9, 12139.55},
    {36, 1.67, 12036.46},
    {35, 1.84, 2942.46},
    {33, 0.24, 7084.9},
    {32, 0.18, 5088.63},
    {32, 1.78, 398.15},
    {28, 1.21, 6286.6},
    {28, 1.9, 6279.55},
    {26, 4.59, 10447.39},
};
static const term R1[] = {
    {103019, 1.10749, 6283.07585},
    {1721, 1.0644, 12566.1517},
    {702, 3.142, 0},
    {32, 1.02, 18849.23},
    {31, 2.84, 5507.55},
    {25, 1.32, 5223.69},
    {18, 1.42, 1577.34},
    {10, 5.91, 10977.08},
    {9, 1.42, 6275.96},
    {9, 0.27, 5486.78},
};
static const term R2[] = {{4359, 5.7846, 6283.0758}, {124, 5.579, 12566.152}, {12, 3.14, 0},
                          {9, 3.63, 77713.77},       {6, 1.87, 5573.14},      {3, 5.47, 18849}};
static const term R3[] = {{145, 4.273, 6283.076}, {7, 3.92, 12566.15}};
static const term R4[] = {{4, 2.56, 6283.08}};

static double series(const term *t, size_t n, double tau)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += t[i].a * cos(t[i].b + t[i].c * tau);
    return s;
}
#define SERIES(t, tau) series(t, sizeof t / sizeof *t, tau)

double enc_cal_sun_longitude(double jde)
{
    double tau = (jde - 2451545.0) / 365250; /* Julian millennia from J2000.0 */
    double L =
        (SERIES(L0, tau) +
         tau *
             (SERIES(L1, tau) +
              tau * (SERIES(L2, tau) +
                     tau * (SERIES(L3, tau) + tau * (SERIES(L4, tau) + tau * SERIES(L5, tau)))))) /
        1e8;
    double R = (SERIES(R0, tau) +
                tau * (SERIES(R1, tau) +
                       tau * (SERIES(R2, tau) + tau * (SERIES(R3, tau) + tau * SERIES(R4, tau))))) /
               1e8;
    double lon = L / RAD + 180; /* geocentric: the Earth's heliocentric longitude + 180 */
    double T = 10 * tau;        /* Julian centuries */
    double omega = (125.04452 - 1934.136261 * T) * RAD;
    double ls = (280.4665 + 36000.7698 * T) * RAD, lm = (218.3165 + 481267.8813 * T) * RAD;
    double dpsi = -17.20 * sin(omega) - 1.32 * sin(2 * ls) - 0.23 * sin(2 * lm) +
                  0.21 * sin(2 * omega); /* arc seconds */
    lon += (-0.09033 + dpsi - 20.4898 / R) / 3600;
    lon = fmod(lon, 360);
    return lon < 0 ? lon + 360 : lon;
}

/* the JDE at which the Sun's apparent longitude reaches `deg`, near jde0 (within ~ 20 days) */
static double sun_at(double deg, double jde0)
{
    double jde = jde0;
    for (int i = 0; i < 50; i++) {
        double d = deg - enc_cal_sun_longitude(jde);
        d = fmod(d + 540, 360) - 180; /* (-180, 180] */
        double step = d * 365.2422 / 360;
        jde += step;
        if (fabs(step) < 1e-7) break;
    }
    return jde;
}

static double jd_of(int y, int m, int d) { return (double)enc_days_from_civil(y, m, d) + JD_UNIX; }

int64_t enc_cal_solar_term_day(int year, int degrees)
{
    /* the Sun is at 0 degrees about March 20; each degree is about 1.0146 days later */
    double base = jd_of(year, 3, 20) + 0.5;
    double guess = base + fmod(degrees + 360, 360) * 365.2422 / 360;
    if (degrees >= 285) guess -= 365.2422; /* 285..345: January to mid-March of `year` */
    return cst_day(sun_at(degrees, guess));
}

/* ---- the lunisolar calendar ---------------------------------------------------------------- */

/* the k of the new moon nearest a JD */
static double k_near(double jd) { return floor((jd - 2451550.09766) / 29.530588861 + 0.5); }

/* the CST day of the new moon on or before `day` */
static int64_t new_moon_on_or_before(int64_t day, double *k_out)
{
    double k = k_near((double)day + JD_UNIX) + 1;
    while (cst_day(enc_cal_new_moon_jde(k)) > day) k--;
    if (k_out) *k_out = k;
    return cst_day(enc_cal_new_moon_jde(k));
}

typedef struct lmonth {
    int64_t start;
    int num;
    bool leap;
} lmonth;

/* The months of the sui from the month 11 holding the winter solstice of Gregorian `y` to the
 * month before the next month 11: 12 or 13 of them into m; returns the count. */
static int sui(int y, lmonth *m)
{
    int64_t ws1 = enc_cal_solar_term_day(y, 270), ws2 = enc_cal_solar_term_day(y + 1, 270);
    double k;
    (void)new_moon_on_or_before(ws1, &k); /* month 11 begins with the k-th new moon */
    int64_t next11 = new_moon_on_or_before(ws2, NULL);
    int64_t starts[15];
    int n = 0;
    for (double kk = k; n < 15; kk++) {
        int64_t s = cst_day(enc_cal_new_moon_jde(kk));
        if (s >= next11) break;
        starts[n++] = s;
    }
    starts[n] = next11;
    /* the principal terms (the Sun at 270, 300, ..., 240 degrees) of the sui */
    int64_t zq[13];
    for (int i = 0; i < 12; i++) {
        int deg = (270 + 30 * i) % 360;
        zq[i] = enc_cal_solar_term_day(i == 0 ? y : y + 1, deg); /* 300.. in the next year */
    }
    zq[12] = ws2;
    bool leap_done = n != 13;
    int num = 11;
    for (int i = 0; i < n; i++) {
        m[i].start = starts[i];
        m[i].leap = false;
        if (i > 0) {
            bool has_zq = false;
            for (int z = 0; z < 13 && !has_zq; z++)
                has_zq = zq[z] >= starts[i] && zq[z] < starts[i + 1];
            if (!leap_done && !has_zq) {
                m[i].leap = true;
                leap_done = true;
            } else {
                num = num % 12 + 1;
            }
        }
        m[i].num = num;
    }
    return n;
}

/* The months of the Chinese year beginning in Gregorian `year` (12 or 13), with the start of the
 * next year after them in m[n].start; returns n. */
static int lunar_year(int year, lmonth *m)
{
    lmonth a[28];
    int na = sui(year - 1, a);
    na += sui(year, a + na);
    int first = 0;
    while (first < na && !(a[first].num == 1 && !a[first].leap)) first++;
    int n = 0;
    for (int i = first; i < na; i++) {
        if (i > first && a[i].num == 1 && !a[i].leap) {
            m[n].start = a[i].start;
            return n;
        }
        m[n++] = a[i];
    }
    /* the next year's first month lies in the sui after: its month 11 + 2 or 3 months */
    lmonth b[15];
    int nb = sui(year + 1, b);
    for (int i = 0; i < nb; i++)
        if (b[i].num == 1 && !b[i].leap) {
            m[n].start = b[i].start;
            break;
        }
    return n;
}

int enc_cal_leap_month(int year)
{
    lmonth m[16];
    int n = lunar_year(year, m);
    for (int i = 0; i < n; i++)
        if (m[i].leap) return m[i].num;
    return 0;
}

int64_t enc_cal_lunar_day(int year, int month_num, bool leap, int day)
{
    if (year < ENC_CAL_YEAR_MIN - 1 || year > ENC_CAL_YEAR_MAX + 1 || month_num < 1 ||
        month_num > 12 || day < 1 || day > 30)
        return ENC_CAL_NONE;
    lmonth m[16];
    int n = lunar_year(year, m);
    for (int i = 0; i < n; i++)
        if (m[i].num == month_num && m[i].leap == leap) {
            int64_t d = m[i].start + day - 1;
            return d < m[i + 1].start ? d : ENC_CAL_NONE;
        }
    return ENC_CAL_NONE;
}

/* ---- Western dates ------------------------------------------------------------------------- */

/* Easter Sunday: the anonymous Gregorian algorithm (Meeus ch. 8; "Butcher's algorithm") */
static int64_t easter(int y)
{
    int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4, f = (b + 8) / 25,
        g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30, i = c / 4, k = c % 4,
        l = (32 + 2 * e + 2 * i - h - k) % 7, m = (a + 11 * h + 22 * l) / 451,
        month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;
    return enc_days_from_civil(y, month, day);
}

static int weekday(int64_t day) { return (int)(((day + 4) % 7 + 7) % 7); } /* 0 = Sunday */

/* the n-th (1..5; -1 = last) weekday wd (0 = Sunday) of a month */
static int64_t nth_weekday(int y, int m, int wd, int n)
{
    if (n > 0) {
        int64_t first = enc_days_from_civil(y, m, 1);
        return first + (wd - weekday(first) + 7) % 7 + 7 * (n - 1);
    }
    int64_t last = enc_days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) - 1;
    return last - (weekday(last) - wd + 7) % 7;
}

/* ---- the calendar of a year ---------------------------------------------------------------- */

typedef struct builder {
    enc_cal_event *out;
    size_t cap, n;
    int year;
} builder;

static void add(builder *b, int64_t day, const char *name, const char *zh, enc_cal_kind kind)
{
    int y, m, d;
    if (day == ENC_CAL_NONE) return;
    enc_civil_from_days(day, &y, &m, &d);
    if (y != b->year || b->n >= b->cap) return;
    b->out[b->n++] = (enc_cal_event){day, name, zh, kind};
}

static void add_md(builder *b, int m, int d, const char *name, const char *zh, enc_cal_kind kind)
{
    add(b, enc_days_from_civil(b->year, m, d), name, zh, kind);
}

/* a lunar date of the Chinese year beginning in `year - 1` and in `year` (either may fall in the
 * Gregorian year) */
static void add_lunar(builder *b, int month, int day, const char *name, const char *zh,
                      enc_cal_kind kind)
{
    for (int ly = b->year - 1; ly <= b->year; ly++)
        add(b, enc_cal_lunar_day(ly, month, false, day), name, zh, kind);
}

/* 除夕: the last day of the Chinese year, the eve of 春节 */
static void add_new_year_eve(builder *b, enc_cal_kind kind, const char *zh)
{
    for (int ly = b->year; ly <= b->year + 1; ly++)
        add(b, enc_cal_lunar_day(ly, 1, false, 1) - 1, "Lunar New Year's Eve", zh, kind);
    /* (the first day of a Chinese year always exists: no ENC_CAL_NONE to step back from) */
}

static int cmp_event(const void *x, const void *y)
{
    const enc_cal_event *a = x, *b = y;
    if (a->day != b->day) return a->day < b->day ? -1 : 1;
    return strcmp(a->name, b->name);
}

static void chinese(builder *b, enc_cal_region r)
{
    bool cn = r == ENC_CAL_CN, tw = r == ENC_CAL_TW, hk = r == ENC_CAL_HK;
    enc_cal_kind pub = ENC_CAL_PUBLIC, fest = ENC_CAL_FESTIVAL;
    add_new_year_eve(b, cn || tw ? pub : fest, "除夕");
    add_lunar(b, 1, 1, "Spring Festival (Lunar New Year)", tw || hk ? "春節" : "春节", pub);
    add_lunar(b, 1, 15, "Lantern Festival", tw || hk ? "元宵節" : "元宵节", fest);
    add_lunar(b, 5, 5, "Dragon Boat Festival", tw || hk ? "端午節" : "端午节", pub);
    add_lunar(b, 7, 7, "Qixi Festival", "七夕", fest);
    add_lunar(b, 8, 15, "Mid-Autumn Festival", tw || hk ? "中秋節" : "中秋节", pub);
    add_lunar(b, 9, 9, "Double Ninth Festival", tw || hk ? "重陽節" : "重阳节", hk ? pub : fest);
    add_lunar(b, 12, 8, "Laba Festival", tw || hk ? "臘八節" : "腊八节", fest);
    /* 小年: the 23rd of the 12th month in the north (and the official calendar), 24th in the
     * south; listed by the northern custom */
    add_lunar(b, 12, 23, "Little New Year", "小年", fest);
    add(b, enc_cal_solar_term_day(b->year, 15), "Qingming Festival (Tomb-Sweeping Day)",
        tw || hk ? "清明節" : "清明节", pub);
    add(b, enc_cal_solar_term_day(b->year, 270), "Winter Solstice", "冬至", fest);
    if (hk) add_lunar(b, 4, 8, "Buddha's Birthday", "佛誕", pub);
}

static void region_dates(builder *b, enc_cal_region r)
{
    int y = b->year;
    int64_t e = easter(y);
    enc_cal_kind P = ENC_CAL_PUBLIC, F = ENC_CAL_FESTIVAL, S = ENC_CAL_SHOPPING;
    int64_t black_friday = nth_weekday(y, 11, 4, 4) + 1;
    switch (r) {
    case ENC_CAL_CN:
        chinese(b, r);
        add_md(b, 1, 1, "New Year's Day", "元旦", P);
        add_md(b, 2, 14, "Valentine's Day", "情人节", F);
        add_md(b, 3, 8, "Women's Day (Queen's Day sales)", "妇女节（女王节）", S);
        add_md(b, 5, 1, "Labour Day", "劳动节", P);
        add_md(b, 5, 20, "520 (online Valentine's Day)", "520网络情人节", S);
        add(b, nth_weekday(y, 5, 0, 2), "Mother's Day", "母亲节", F);
        add_md(b, 6, 18, "618 Shopping Festival", "618购物节", S);
        add(b, nth_weekday(y, 6, 0, 3), "Father's Day", "父亲节", F);
        add_md(b, 10, 1, "National Day", "国庆节", P);
        add_md(b, 11, 11, "Singles' Day (Double 11)", "双十一", S);
        add_md(b, 12, 12, "Double 12", "双十二", S);
        add_md(b, 12, 25, "Christmas", "圣诞节", F);
        /* 年货节: the New Year goods fair opens on 腊八 ("过了腊八就是年") */
        for (int ly = y - 1; ly <= y; ly++)
            add(b, enc_cal_lunar_day(ly, 12, false, 8), "New Year Shopping Festival", "年货节", S);
        break;
    case ENC_CAL_HK:
        chinese(b, r);
        add_md(b, 1, 1, "New Year's Day", "元旦", P);
        add_md(b, 2, 14, "Valentine's Day", "情人節", F);
        add(b, e - 2, "Good Friday", "耶穌受難節", P);
        add(b, e + 1, "Easter Monday", "復活節星期一", P);
        add(b, nth_weekday(y, 5, 0, 2), "Mother's Day", "母親節", F);
        add(b, nth_weekday(y, 6, 0, 3), "Father's Day", "父親節", F);
        add_md(b, 5, 1, "Labour Day", "勞動節", P);
        if (y >= 1997) add_md(b, 7, 1, "HKSAR Establishment Day", "香港特別行政區成立紀念日", P);
        if (y >= 1997) add_md(b, 10, 1, "National Day", "國慶日", P);
        add_md(b, 11, 11, "Singles' Day (Double 11)", "雙十一", S);
        add_md(b, 12, 25, "Christmas Day", "聖誕節", P);
        add_md(b, 12, 26, "Boxing Day", "聖誕節翌日", P);
        break;
    case ENC_CAL_TW:
        chinese(b, r);
        add_md(b, 1, 1, "Founding Day (New Year's Day)", "中華民國開國紀念日", P);
        add_md(b, 2, 14, "Valentine's Day", "情人節", F);
        if (y >= 1997) add_md(b, 2, 28, "Peace Memorial Day", "和平紀念日", P);
        add_md(b, 4, 4, "Children's Day", "兒童節", P);
        add(b, nth_weekday(y, 5, 0, 2), "Mother's Day", "母親節", F);
        add_md(b, 8, 8, "Father's Day", "父親節", F);
        add_md(b, 10, 10, "National Day (Double Tenth)", "國慶日（雙十節）", P);
        add_md(b, 11, 11, "Singles' Day (Double 11)", "雙十一", S);
        add_md(b, 12, 25, "Christmas", "聖誕節", F);
        break;
    case ENC_CAL_US:
        add_md(b, 1, 1, "New Year's Day", "元旦", P);
        if (y >= 1986)
            add(b, nth_weekday(y, 1, 1, 3), "Martin Luther King Jr. Day", "马丁·路德·金纪念日", P);
        add_md(b, 2, 14, "Valentine's Day", "情人节", F);
        if (y >= 1971) add(b, nth_weekday(y, 2, 1, 3), "Presidents' Day", "总统日", P);
        add(b, e, "Easter Sunday", "复活节", F);
        add(b, nth_weekday(y, 5, 0, 2), "Mother's Day", "母亲节", F);
        if (y >= 1971) add(b, nth_weekday(y, 5, 1, -1), "Memorial Day", "阵亡将士纪念日", P);
        add(b, nth_weekday(y, 6, 0, 3), "Father's Day", "父亲节", F);
        if (y >= 2021) add_md(b, 6, 19, "Juneteenth", "六月节", P);
        add_md(b, 7, 4, "Independence Day", "独立日", P);
        add(b, nth_weekday(y, 9, 1, 1), "Labor Day", "劳动节", P);
        if (y >= 1971) add(b, nth_weekday(y, 10, 1, 2), "Columbus Day", "哥伦布日", P);
        add_md(b, 10, 31, "Halloween", "万圣节", F);
        add_md(b, 11, 11, "Veterans Day", "退伍军人节", P);
        add(b, nth_weekday(y, 11, 4, 4), "Thanksgiving Day", "感恩节", P);
        add(b, black_friday, "Black Friday", "黑色星期五", S);
        add(b, black_friday + 3, "Cyber Monday", "网络星期一", S);
        add_md(b, 12, 25, "Christmas Day", "圣诞节", P);
        break;
    case ENC_CAL_GB:
        add_md(b, 1, 1, "New Year's Day", "元旦", P);
        add_md(b, 2, 14, "Valentine's Day", "情人节", F);
        add(b, e - 21, "Mothering Sunday", "母亲节", F); /* the fourth Sunday of Lent */
        add(b, e - 2, "Good Friday", "耶稣受难日", P);
        add(b, e, "Easter Sunday", "复活节", F);
        add(b, e + 1, "Easter Monday", "复活节星期一", P);
        if (y >= 1978)
            add(b, nth_weekday(y, 5, 1, 1), "Early May Bank Holiday", "五月初银行假日", P);
        if (y >= 1971) add(b, nth_weekday(y, 5, 1, -1), "Spring Bank Holiday", "春季银行假日", P);
        add(b, nth_weekday(y, 6, 0, 3), "Father's Day", "父亲节", F);
        if (y >= 1971) add(b, nth_weekday(y, 8, 1, -1), "Summer Bank Holiday", "夏季银行假日", P);
        add_md(b, 10, 31, "Halloween", "万圣节", F);
        add(b, black_friday, "Black Friday", "黑色星期五", S);
        add_md(b, 12, 25, "Christmas Day", "圣诞节", P);
        add_md(b, 12, 26, "Boxing Day", "节礼日", P);
        break;
    case ENC_CAL_DE:
        add_md(b, 1, 1, "Neujahr", "元旦", P);
        add_md(b, 2, 14, "Valentinstag", "情人节", F);
        add(b, e - 2, "Karfreitag", "耶稣受难日", P);
        add(b, e, "Ostersonntag", "复活节", F);
        add(b, e + 1, "Ostermontag", "复活节星期一", P);
        add_md(b, 5, 1, "Tag der Arbeit", "劳动节", P);
        add(b, nth_weekday(y, 5, 0, 2), "Muttertag", "母亲节", F);
        add(b, e + 39, "Christi Himmelfahrt (Vatertag)", "耶稣升天节（父亲节）", P);
        add(b, e + 50, "Pfingstmontag", "圣灵降临节星期一", P);
        if (y >= 1990) add_md(b, 10, 3, "Tag der Deutschen Einheit", "德国统一日", P);
        add(b, black_friday, "Black Friday", "黑色星期五", S);
        add_md(b, 12, 24, "Heiligabend", "平安夜", F);
        add_md(b, 12, 25, "1. Weihnachtstag", "圣诞节", P);
        add_md(b, 12, 26, "2. Weihnachtstag", "圣诞节第二天", P);
        break;
    case ENC_CAL_FR: {
        /* Fête des mères: the last Sunday of May, or the first of June when that is Pentecost */
        int64_t mothers = nth_weekday(y, 5, 0, -1);
        if (mothers == e + 49) mothers += 7;
        add_md(b, 1, 1, "Jour de l'an", "元旦", P);
        add_md(b, 2, 14, "Saint-Valentin", "情人节", F);
        add(b, e, "Pâques", "复活节", F);
        add(b, e + 1, "Lundi de Pâques", "复活节星期一", P);
        add_md(b, 5, 1, "Fête du Travail", "劳动节", P);
        add_md(b, 5, 8, "Victoire 1945", "二战胜利纪念日", P);
        add(b, e + 39, "Ascension", "耶稣升天节", P);
        add(b, e + 50, "Lundi de Pentecôte", "圣灵降临节星期一", P);
        add(b, mothers, "Fête des mères", "母亲节", F);
        add(b, nth_weekday(y, 6, 0, 3), "Fête des pères", "父亲节", F);
        add_md(b, 7, 14, "Fête nationale", "国庆日", P);
        add_md(b, 8, 15, "Assomption", "圣母升天节", P);
        add_md(b, 11, 1, "Toussaint", "诸圣节", P);
        add_md(b, 11, 11, "Armistice 1918", "停战纪念日", P);
        add(b, black_friday, "Black Friday", "黑色星期五", S);
        add_md(b, 12, 25, "Noël", "圣诞节", P);
        break;
    }
    case ENC_CAL_JP:
        add_md(b, 1, 1, "New Year's Day (Ganjitsu)", "元日", P);
        add(b, y >= 2000 ? nth_weekday(y, 1, 1, 2) : enc_days_from_civil(y, 1, 15),
            "Coming of Age Day", "成人之日", P);
        add_md(b, 2, 11, "National Foundation Day", "建国纪念日", P);
        add_md(b, 2, 14, "Valentine's Day", "情人节", F);
        if (y >= 2020) add_md(b, 2, 23, "Emperor's Birthday", "天皇诞生日", P);
        add_md(b, 3, 14, "White Day", "白色情人节", F);
        add(b, enc_cal_solar_term_day(y, 0), "Vernal Equinox Day", "春分之日", P);
        add_md(b, 4, 29, "Showa Day", "昭和之日", P);
        add_md(b, 5, 3, "Constitution Day", "宪法纪念日", P);
        add_md(b, 5, 4, "Greenery Day", "绿之日", P);
        add_md(b, 5, 5, "Children's Day", "儿童节", P);
        add(b, nth_weekday(y, 5, 0, 2), "Mother's Day", "母亲节", F);
        add(b, nth_weekday(y, 6, 0, 3), "Father's Day", "父亲节", F);
        if (y >= 2003) add(b, nth_weekday(y, 7, 1, 3), "Marine Day", "海之日", P);
        if (y >= 2016) add_md(b, 8, 11, "Mountain Day", "山之日", P);
        if (y >= 2003) add(b, nth_weekday(y, 9, 1, 3), "Respect for the Aged Day", "敬老之日", P);
        add(b, enc_cal_solar_term_day(y, 180), "Autumnal Equinox Day", "秋分之日", P);
        if (y >= 2000) add(b, nth_weekday(y, 10, 1, 2), "Sports Day", "体育之日", P);
        add_md(b, 11, 3, "Culture Day", "文化之日", P);
        add_md(b, 11, 23, "Labour Thanksgiving Day", "勤劳感谢日", P);
        add(b, black_friday, "Black Friday", "黑色星期五", S);
        add_md(b, 12, 25, "Christmas", "圣诞节", F);
        break;
    default: break;
    }
}

enc_rc enc_calendar_year(int year, enc_cal_region region, enc_cal_event *out, size_t cap, size_t *n,
                         enc_err *err)
{
    *n = 0;
    if (year < ENC_CAL_YEAR_MIN || year > ENC_CAL_YEAR_MAX)
        return enc_fail(err, ENC_EUSAGE, "year %d is outside %d-%d", year, ENC_CAL_YEAR_MIN,
                        ENC_CAL_YEAR_MAX);
    if ((int)region < 0 || region >= ENC_CAL_NREGIONS)
        return enc_fail(err, ENC_EUSAGE, "unknown region");
    builder b = {out, cap, 0, year};
    region_dates(&b, region);
    qsort(out, b.n, sizeof *out, cmp_event);
    *n = b.n;
    return ENC_OK;
}

static const char *const region_names[] = {
#define ENC_CAL_REGION_STR(id) #id,
    ENC_CAL_REGIONS(ENC_CAL_REGION_STR)
#undef ENC_CAL_REGION_STR
};

bool enc_cal_region_parse(const char *s, enc_cal_region *r)
{
    for (int i = 0; i < ENC_CAL_NREGIONS; i++)
        if (strcasecmp(s, region_names[i]) == 0) {
            *r = (enc_cal_region)i;
            return true;
        }
    return false;
}

const char *enc_cal_region_name(enc_cal_region r)
{
    return (int)r >= 0 && r < ENC_CAL_NREGIONS ? region_names[r] : "?";
}

const char *enc_cal_kind_name(enc_cal_kind k)
{
    return k == ENC_CAL_SHOPPING ? "shopping" : k == ENC_CAL_PUBLIC ? "public" : "festival";
}
