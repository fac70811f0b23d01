/*
 * tests/fuzz/fuzz_der.c -- libFuzzer target: the DER reader primitives.
 *
 * The input is walked as a tree of TLVs (constructed elements entered,
 * nesting bounded).  Invariants for every element the reader accepts:
 *  - tag, contents and whole encoding lie inside the input, contents at
 *    the end of the encoding;
 *  - DER is canonical, so the writer re-encodes the element from its tag
 *    and contents to exactly the same bytes;
 *  - an INTEGER accepted by sp_der_uint / sp_der_small_uint re-encodes
 *    (sp_dw_uint / sp_dw_small_uint) to the same bytes;
 *  - a time accepted by sp_der_time survives a civil-date round trip.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "crypto/der.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *g_lo, *g_hi;

static int inside(const unsigned char *p, size_t len)
{
    return p >= g_lo && p <= g_hi && len <= (size_t)(g_hi - p);
}

static void same_as(const sp_dw *w, const sp_tlv *t)
{
    if (sp_dw_status(w) != 0)
        return; /* out of memory is not a finding */
    if (w->len != t->raw_len || memcmp(w->buf, t->raw, t->raw_len) != 0)
        __builtin_trap();
}

static void check_tlv(const sp_tlv *t)
{
    sp_dw w;
    const unsigned char *mag;
    size_t mag_len;
    long v;
    int64_t tm;

    if (!inside(t->raw, t->raw_len) || !inside(t->val, t->len))
        __builtin_trap();
    if (t->raw[0] != t->tag || t->val + t->len != t->raw + t->raw_len)
        __builtin_trap();
    sp_dw_init(&w);
    sp_dw_tlv(&w, t->tag, t->val, t->len);
    same_as(&w, t);
    sp_dw_free(&w);
    if (sp_der_uint(t, &mag, &mag_len) == 0) {
        if (!inside(mag, mag_len))
            __builtin_trap();
        sp_dw_init(&w);
        sp_dw_uint(&w, mag, mag_len);
        same_as(&w, t);
        sp_dw_free(&w);
    }
    if (sp_der_small_uint(t, &v) == 0) {
        if (v < 0)
            __builtin_trap();
        sp_dw_init(&w);
        sp_dw_small_uint(&w, (unsigned long)v);
        same_as(&w, t);
        sp_dw_free(&w);
    }
    if (sp_der_time(t, &tm) == 0) {
        sp_civil c;
        sp_time_to_civil(tm, &c);
        if (sp_time_from_civil(&c) != tm)
            __builtin_trap();
    }
}

static void walk(sp_der *d, int depth)
{
    sp_tlv t;
    int guard = 0;

    while (!sp_der_empty(d) && guard++ < 4096) {
        int peek = sp_der_peek(d);
        if (sp_der_next(d, &t) != 0)
            return;
        if (peek != (int)t.tag)
            __builtin_trap();
        check_tlv(&t);
        if ((t.tag & 0x20) && depth < 32) {
            sp_der inner;
            sp_der_enter(&t, &inner);
            walk(&inner, depth + 1);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sp_der d;
    sp_tlv t;

    g_lo = data;
    g_hi = data + size;
    sp_der_init(&d, data, size);
    walk(&d, 0);
    /* sp_der_expect agrees with peek + next. */
    sp_der_init(&d, data, size);
    if (size > 0 && sp_der_expect(&d, data[0], &t) == 0 && t.tag != data[0])
        __builtin_trap();
    return 0;
}
