/*
 * sdk/src/crypto/der_time.c -- UTC date arithmetic for X.509 validity.
 *
 * Day counts use the well-known era-based conversion between a proleptic
 * Gregorian date and days since 1970-01-01, which needs no table and no
 * OS time functions (gmtime is not thread-safe everywhere, and timegm is
 * not portable).
 */
#include "crypto/der.h"

#include <stdio.h>

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Days since 1970-01-01 of y-m-d. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;                                  /* 0..399 */
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1; /* 0..365 */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; /* 0..146096 */
    return era * 146097 + doe - 719468;
}

void sp_time_to_civil(int64_t t, sp_civil *c)
{
    int64_t days = floor_div(t, 86400);
    int64_t secs = t - days * 86400;
    int64_t z = days + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    c->year = yoe + era * 400 + (m <= 2);
    c->month = m;
    c->day = d;
    c->hour = (int)(secs / 3600);
    c->min = (int)(secs / 60 % 60);
    c->sec = (int)(secs % 60);
}

int64_t sp_time_from_civil(const sp_civil *c)
{
    return days_from_civil(c->year, c->month, c->day) * 86400 +
           (int64_t)c->hour * 3600 + c->min * 60 + c->sec;
}

void sp_time_format_date(int64_t t, char *buf, size_t cap)
{
    sp_civil c;
    sp_time_to_civil(t, &c);
    snprintf(buf, cap, "%04d-%02d-%02d", (int)c.year, c.month, c.day);
}

void sp_time_format(int64_t t, char *buf, size_t cap)
{
    sp_civil c;
    sp_time_to_civil(t, &c);
    snprintf(buf, cap, "%04d-%02d-%02d %02d:%02d:%02d UTC", (int)c.year,
             c.month, c.day, c.hour, c.min, c.sec);
}
