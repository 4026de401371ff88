/* RFC 3339 section 5.6, read strictly: every accepted text has one meaning
 * and the calendar arithmetic is done here, not by the C library, whose
 * mktime and timegm depend on the process's time zone or are not standard. */

#include <stdbool.h>
#include <stddef.h>

#include "core/rfc3339.h"

/* n decimal digits at *p into *v, advancing *p. */
static bool digits(const char **p, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return false;
        x = x * 10 + (c - '0');
    }
    *p += n;
    *v = x;
    return true;
}

static bool expect(const char **p, char c)
{
    if (**p != c)
        return false;
    (*p)++;
    return true;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

l2w_status l2w_rfc3339_parse(int64_t *out, const char *text, l2w_err *err)
{
    const char *p = text ? text : "";
    int y, mo, d, h, mi, s;
    if (!digits(&p, 4, &y) || !expect(&p, '-') || !digits(&p, 2, &mo) || !expect(&p, '-') || !digits(&p, 2, &d)) {
        l2w_err_set(err, "expected an RFC 3339 time such as 2026-11-22T14:05:00Z: the date is not YYYY-MM-DD");
        return L2W_ERR_INVALID;
    }
    if (!(expect(&p, 'T') || expect(&p, 't')) || !digits(&p, 2, &h) || !expect(&p, ':') || !digits(&p, 2, &mi) ||
        !expect(&p, ':') || !digits(&p, 2, &s)) {
        l2w_err_set(err, "expected an RFC 3339 time such as 2026-11-22T14:05:00Z: no THH:MM:SS after the date");
        return L2W_ERR_INVALID;
    }
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 59) {
        l2w_err_set(err, "%.10s %02d:%02d:%02d is not a date and time of day (leap seconds are not taken)", text, h,
                    mi, s);
        return L2W_ERR_INVALID;
    }
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9') {
            l2w_err_set(err, "a '.' after the seconds must be followed by digits");
            return L2W_ERR_INVALID;
        }
        while (*p >= '0' && *p <= '9')
            p++;
    }
    int offset_s = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1, oh, om;
        p++;
        if (!digits(&p, 2, &oh) || !expect(&p, ':') || !digits(&p, 2, &om) || oh > 23 || om > 59) {
            l2w_err_set(err, "the offset must be Z or +HH:MM / -HH:MM");
            return L2W_ERR_INVALID;
        }
        offset_s = sign * (oh * 3600 + om * 60);
    } else {
        l2w_err_set(err, "the time needs a zone: Z or +HH:MM / -HH:MM after the seconds");
        return L2W_ERR_INVALID;
    }
    if (*p != '\0') {
        l2w_err_set(err, "unexpected text after the time zone");
        return L2W_ERR_INVALID;
    }
    *out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset_s;
    return L2W_OK;
}
