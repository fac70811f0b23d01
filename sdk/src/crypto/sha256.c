/*
 * sdk/src/crypto/sha256.c -- SHA-256 contexts that use the x86 SHA
 * extensions when the processor has them (sha256_ni.c), else BearSSL.
 * Padding and buffering follow FIPS 180-4 section 5.1.1.
 */
#include "crypto/sha256.h"

#include <string.h>

#include "platform.h"

static const uint32_t sha256_iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372,
                                      0xa54ff53a, 0x510e527f, 0x9b05688c,
                                      0x1f83d9ab, 0x5be0cd19};

/* 0 unknown, 1 accelerated, 2 not. */
static spl_atomic g_accel;

int sp_sha256_accelerated(void)
{
    int v = (int)spl_atomic_load(&g_accel);
    if (v == 0) {
        v = sp_sha256_ni_available() ? 1 : 2;
        spl_atomic_store(&g_accel, v);
    }
    return v == 1;
}

void sp_sha256_init(sp_sha256_ctx *c)
{
    c->accel = sp_sha256_accelerated();
    c->count = 0;
    if (c->accel)
        memcpy(c->h, sha256_iv, sizeof c->h);
    else
        br_sha256_init(&c->br);
}

void sp_sha256_update(sp_sha256_ctx *c, const void *data, size_t len)
{
    const uint8_t *p = data;
    size_t used, take;

    if (!c->accel) {
        br_sha256_update(&c->br, data, len);
        return;
    }
    used = (size_t)(c->count & 63u);
    c->count += len;
    if (used != 0) {
        take = 64 - used < len ? 64 - used : len;
        memcpy(c->buf + used, p, take);
        p += take;
        len -= take;
        if (used + take < 64)
            return;
        sp_sha256_ni_blocks(c->h, c->buf, 1);
    }
    if (len >= 64) {
        sp_sha256_ni_blocks(c->h, p, len / 64);
        p += len & ~(size_t)63;
        len &= 63;
    }
    if (len != 0)
        memcpy(c->buf, p, len);
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

void sp_sha256_out(const sp_sha256_ctx *c, uint8_t out[32])
{
    uint32_t h[8];
    uint8_t block[128];
    size_t used, n, i;
    uint64_t bits;

    if (!c->accel) {
        br_sha256_out(&c->br, out);
        return;
    }
    /* The message, a 1 bit, zeros, and the 64-bit length in bits. */
    used = (size_t)(c->count & 63u);
    n = used < 56 ? 64 : 128;
    memset(block, 0, sizeof block);
    memcpy(block, c->buf, used);
    block[used] = 0x80;
    bits = c->count << 3;
    for (i = 0; i < 8; i++)
        block[n - 1 - i] = (uint8_t)(bits >> (8 * i));
    memcpy(h, c->h, sizeof h);
    sp_sha256_ni_blocks(h, block, n / 64);
    for (i = 0; i < 8; i++)
        put_be32(out + 4 * i, h[i]);
}
