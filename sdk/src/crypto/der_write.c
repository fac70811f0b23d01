/*
 * sdk/src/crypto/der_write.c -- the DER writer (see der.h).
 *
 * Constructed elements are written contents-first: sp_dw_begin() remembers
 * where the contents start and sp_dw_end() slides them up to make room for
 * the header once their length is known.  Certificates are a few KiB, so
 * the copying costs nothing measurable and the code stays one pass.
 */
#include "crypto/der.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/util.h"
#include "secip/error.h"

/* Nothing secip encodes comes near this; it bounds hostile option sizes. */
#define DW_MAX (1u << 20)

void sp_dw_init(sp_dw *w)
{
    w->buf = NULL;
    w->len = 0;
    w->cap = 0;
    w->err = 0;
}

void sp_dw_free(sp_dw *w)
{
    if (w->buf != NULL) {
        sp_wipe(w->buf, w->cap);
        free(w->buf);
    }
    sp_dw_init(w);
}

int sp_dw_status(const sp_dw *w)
{
    return w->err;
}

static int dw_reserve(sp_dw *w, size_t extra)
{
    if (w->err)
        return -1;
    if (extra > DW_MAX || w->len + extra > DW_MAX) {
        w->err = SECIP_ETOOBIG;
        return -1;
    }
    if (w->len + extra <= w->cap)
        return 0;
    size_t ncap = w->cap ? w->cap : 256;
    while (ncap < w->len + extra)
        ncap *= 2;
    /* Not realloc: the old block may hold key bytes and must be wiped. */
    unsigned char *nb = malloc(ncap);
    if (nb == NULL) {
        w->err = SECIP_ENOMEM;
        return -1;
    }
    if (w->buf != NULL) {
        memcpy(nb, w->buf, w->len);
        sp_wipe(w->buf, w->cap);
        free(w->buf);
    }
    w->buf = nb;
    w->cap = ncap;
    return 0;
}

void sp_dw_raw(sp_dw *w, const void *data, size_t len)
{
    if (len == 0 || dw_reserve(w, len) < 0)
        return;
    memcpy(w->buf + w->len, data, len);
    w->len += len;
}

/* Encodes tag and length into hdr; returns the header size. */
static size_t make_header(unsigned char hdr[5], unsigned tag, size_t len)
{
    hdr[0] = (unsigned char)tag;
    if (len < 0x80) {
        hdr[1] = (unsigned char)len;
        return 2;
    }
    size_t n = len <= 0xff ? 1 : len <= 0xffff ? 2 : 3;
    hdr[1] = (unsigned char)(0x80 | n);
    for (size_t i = 0; i < n; i++)
        hdr[2 + i] = (unsigned char)(len >> (8 * (n - 1 - i)));
    return 2 + n;
}

void sp_dw_tlv(sp_dw *w, unsigned tag, const void *data, size_t len)
{
    unsigned char hdr[5];
    if (len > DW_MAX) {
        if (!w->err)
            w->err = SECIP_ETOOBIG;
        return;
    }
    sp_dw_raw(w, hdr, make_header(hdr, tag, len));
    sp_dw_raw(w, data, len);
}

size_t sp_dw_begin(sp_dw *w)
{
    return w->len;
}

void sp_dw_end(sp_dw *w, size_t mark, unsigned tag)
{
    if (w->err || mark > w->len)
        return;
    unsigned char hdr[5];
    size_t clen = w->len - mark;
    size_t hlen = make_header(hdr, tag, clen);
    if (dw_reserve(w, hlen) < 0)
        return;
    memmove(w->buf + mark + hlen, w->buf + mark, clen);
    memcpy(w->buf + mark, hdr, hlen);
    w->len += hlen;
}

void sp_dw_uint(sp_dw *w, const unsigned char *mag, size_t len)
{
    while (len > 0 && mag[0] == 0) {
        mag++;
        len--;
    }
    if (len == 0) {
        static const unsigned char zero = 0;
        sp_dw_tlv(w, DER_INTEGER, &zero, 1);
        return;
    }
    size_t mark = sp_dw_begin(w);
    if (mag[0] & 0x80) { /* keep it positive: two's complement */
        static const unsigned char pad = 0;
        sp_dw_raw(w, &pad, 1);
    }
    sp_dw_raw(w, mag, len);
    sp_dw_end(w, mark, DER_INTEGER);
}

void sp_dw_small_uint(sp_dw *w, unsigned long v)
{
    unsigned char b[sizeof(unsigned long)];
    for (size_t i = 0; i < sizeof b; i++)
        b[i] = (unsigned char)(v >> (8 * (sizeof b - 1 - i)));
    sp_dw_uint(w, b, sizeof b);
}

void sp_dw_bool(sp_dw *w, int v)
{
    unsigned char b = v ? 0xff : 0x00;
    sp_dw_tlv(w, DER_BOOLEAN, &b, 1);
}

void sp_dw_null(sp_dw *w)
{
    sp_dw_tlv(w, DER_NULL, NULL, 0);
}

void sp_dw_oid(sp_dw *w, const unsigned char *oid, size_t len)
{
    sp_dw_tlv(w, DER_OID, oid, len);
}

void sp_dw_bits(sp_dw *w, const void *data, size_t len)
{
    static const unsigned char unused = 0;
    size_t mark = sp_dw_begin(w);
    sp_dw_raw(w, &unused, 1);
    sp_dw_raw(w, data, len);
    sp_dw_end(w, mark, DER_BIT_STRING);
}

void sp_dw_str(sp_dw *w, unsigned tag, const char *s)
{
    sp_dw_tlv(w, tag, s, strlen(s));
}

static void put2(char *p, int v)
{
    p[0] = (char)('0' + v / 10 % 10);
    p[1] = (char)('0' + v % 10);
}

void sp_dw_time(sp_dw *w, int64_t t)
{
    sp_civil c;
    char s[16];
    size_t n = 0;
    sp_time_to_civil(t, &c);
    if (c.year < 0 || c.year > 9999) {
        if (!w->err)
            w->err = SECIP_EINVAL;
        return;
    }
    int utc = c.year >= 1950 && c.year <= 2049;
    if (!utc) {
        put2(s, (int)(c.year / 100));
        n = 2;
    }
    put2(s + n, (int)(c.year % 100));
    put2(s + n + 2, c.month);
    put2(s + n + 4, c.day);
    put2(s + n + 6, c.hour);
    put2(s + n + 8, c.min);
    put2(s + n + 10, c.sec);
    s[n + 12] = 'Z';
    sp_dw_tlv(w, utc ? DER_UTCTIME : DER_GENTIME, s, n + 13);
}
