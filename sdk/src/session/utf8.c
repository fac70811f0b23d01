/*
 * sdk/src/session/utf8.c -- strict, incremental UTF-8 validation.
 *
 * Lead bytes decide how many continuation bytes follow and, for the lead
 * bytes whose second byte is restricted (E0, ED, F0, F4), the range of that
 * second byte; every other continuation byte is 80..BF.  This is the
 * byte-range formulation of Unicode 15, table 3-7, which rules out
 * overlongs, surrogates and code points above U+10FFFF without decoding.
 */
#include "utf8.h"

void sp_utf8_init(sp_utf8 *u)
{
    u->need = 0;
    u->lo = 0x80;
    u->hi = 0xbf;
    u->pos = 0;
}

/* Sets need/lo/hi for lead byte c; returns -1 when c cannot start a
 * character (continuation byte, C0, C1, F5..FF). */
static int lead(sp_utf8 *u, uint8_t c)
{
    u->lo = 0x80;
    u->hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
        u->need = 1;
    } else if (c >= 0xe0 && c <= 0xef) {
        u->need = 2;
        if (c == 0xe0)
            u->lo = 0xa0; /* below: overlong */
        else if (c == 0xed)
            u->hi = 0x9f; /* above: surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        u->need = 3;
        if (c == 0xf0)
            u->lo = 0x90; /* below: overlong */
        else if (c == 0xf4)
            u->hi = 0x8f; /* above: > U+10FFFF */
    } else {
        return -1;
    }
    return 0;
}

int sp_utf8_feed(sp_utf8 *u, const uint8_t *p, size_t len, uint64_t *bad_at)
{
    size_t i = 0;

    while (i < len) {
        uint8_t c = p[i];
        if (u->need == 0) {
            /* Fast path: runs of ASCII need no state. */
            if (c < 0x80) {
                i++;
                continue;
            }
            if (lead(u, c) < 0)
                goto bad;
        } else {
            if (c < u->lo || c > u->hi)
                goto bad;
            u->need--;
            u->lo = 0x80;
            u->hi = 0xbf;
        }
        i++;
    }
    u->pos += len;
    return 0;
bad:
    if (bad_at != NULL)
        *bad_at = u->pos + i;
    return -1;
}

int sp_utf8_complete(const sp_utf8 *u)
{
    return u->need == 0;
}

int sp_utf8_valid(const uint8_t *p, size_t len)
{
    sp_utf8 u;
    sp_utf8_init(&u);
    return sp_utf8_feed(&u, p, len, NULL) == 0 && sp_utf8_complete(&u);
}

size_t sp_utf8_cut(const uint8_t *p, size_t len)
{
    size_t n = len;
    size_t back = 0;

    /* Walk back over at most 3 continuation bytes to the lead byte. */
    while (n > 0 && back < 4 && (p[n - 1] & 0xc0) == 0x80) {
        n--;
        back++;
    }
    if (n == 0)
        return 0;
    {
        uint8_t c = p[n - 1];
        size_t want = c < 0x80 ? 0 : c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
        /* Keep the last character only when all its bytes are present. */
        return want == back ? len : n - 1;
    }
}
