/*
 * sdk/src/crypto/der_read.c -- the hardened DER reader (see der.h).
 */
#include "crypto/der.h"

#include <string.h>

void sp_der_init(sp_der *d, const void *buf, size_t len)
{
    d->p = buf;
    d->len = buf != NULL ? len : 0;
}

int sp_der_empty(const sp_der *d)
{
    return d->len == 0;
}

int sp_der_peek(const sp_der *d)
{
    return d->len > 0 ? d->p[0] : -1;
}

int sp_der_next(sp_der *d, sp_tlv *t)
{
    const unsigned char *p = d->p;
    size_t left = d->len;
    if (left < 2)
        return -1;
    unsigned tag = p[0];
    if ((tag & 0x1f) == 0x1f)
        return -1; /* high tag numbers: nothing we read uses them */
    size_t len = p[1], hdr = 2;
    if (len & 0x80) {
        size_t n = len & 0x7f;
        /* 0x80 is BER's indefinite length; >3 bytes is beyond any limit. */
        if (n == 0 || n > 3 || left < 2 + n)
            return -1;
        len = 0;
        for (size_t i = 0; i < n; i++)
            len = (len << 8) | p[2 + i];
        /* DER: the shortest form, so no leading zero byte, and the long
         * form only for lengths of 128 and more. */
        if (p[2] == 0 || len < 0x80)
            return -1;
        hdr += n;
    }
    if (len > left - hdr)
        return -1;
    t->tag = tag;
    t->val = p + hdr;
    t->len = len;
    t->raw = p;
    t->raw_len = hdr + len;
    d->p += hdr + len;
    d->len -= hdr + len;
    return 0;
}

int sp_der_expect(sp_der *d, unsigned tag, sp_tlv *t)
{
    sp_der save = *d;
    if (sp_der_next(d, t) < 0)
        return -1;
    if (t->tag != tag) {
        *d = save;
        return -1;
    }
    return 0;
}

void sp_der_enter(const sp_tlv *t, sp_der *inner)
{
    sp_der_init(inner, t->val, t->len);
}

int sp_der_uint(const sp_tlv *t, const unsigned char **mag, size_t *mag_len)
{
    if (t->tag != DER_INTEGER || t->len == 0)
        return -1;
    const unsigned char *v = t->val;
    size_t n = t->len;
    if (v[0] & 0x80)
        return -1; /* negative */
    if (n > 1 && v[0] == 0 && !(v[1] & 0x80))
        return -1; /* non-minimal */
    if (n > 1 && v[0] == 0) {
        v++;
        n--;
    }
    *mag = v;
    *mag_len = n;
    return 0;
}

int sp_der_small_uint(const sp_tlv *t, long *out)
{
    const unsigned char *m;
    size_t n;
    if (sp_der_uint(t, &m, &n) < 0 || n > 3)
        return -1;
    long v = 0;
    for (size_t i = 0; i < n; i++)
        v = (v << 8) | m[i];
    *out = v;
    return 0;
}

int sp_der_oid_is(const sp_tlv *t, const unsigned char *oid, size_t len)
{
    return t->tag == DER_OID && t->len == len && memcmp(t->val, oid, len) == 0;
}

static int digits(const unsigned char *p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return 0;
}

static int days_in_month(int64_t y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 ? 28 + leap : dm[m - 1];
}

int sp_der_time(const sp_tlv *t, int64_t *out)
{
    /* RFC 5280 4.1.2.5: YYMMDDHHMMSSZ or YYYYMMDDHHMMSSZ, seconds present,
     * Zulu only, no fractions. */
    const unsigned char *p = t->val;
    int yw;
    if (t->tag == DER_UTCTIME && t->len == 13)
        yw = 2;
    else if (t->tag == DER_GENTIME && t->len == 15)
        yw = 4;
    else
        return -1;
    if (p[t->len - 1] != 'Z')
        return -1;
    int y, mo, d, h, mi, s;
    if (digits(p, yw, &y) < 0 || digits(p + yw, 2, &mo) < 0 ||
        digits(p + yw + 2, 2, &d) < 0 || digits(p + yw + 4, 2, &h) < 0 ||
        digits(p + yw + 6, 2, &mi) < 0 || digits(p + yw + 8, 2, &s) < 0)
        return -1;
    if (yw == 2)
        y += y < 50 ? 2000 : 1900;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 ||
        mi > 59 || s > 60)
        return -1;
    sp_civil c = {y, mo, d, h, mi, s == 60 ? 59 : s};
    *out = sp_time_from_civil(&c);
    return 0;
}
