/*
 * sdk/src/crypto/sha256.h -- internal: SHA-256 for bulk data (file
 * transfers hash every byte on both ends).
 *
 * BearSSL's SHA-256 is portable C (about 200 MB/s here), which made it the
 * largest cost of a file transfer (docs/BENCHMARKS.md, workload 6).  On
 * x86-64 processors with the SHA extensions this context compresses blocks
 * with them instead (several times faster); elsewhere it is BearSSL's
 * implementation.  The choice is made once per process from CPUID.
 * The interface mirrors br_sha256_*: contexts are plain values (copyable),
 * used by one thread at a time.
 */
#ifndef SP_CRYPTO_SHA256_H
#define SP_CRYPTO_SHA256_H

#include <bearssl.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sp_sha256_ctx {
    int accel; /* 1: the SHA extensions path below; 0: BearSSL's */
    br_sha256_context br;
    uint32_t h[8];
    uint8_t buf[64];
    uint64_t count; /* bytes hashed so far */
} sp_sha256_ctx;

void sp_sha256_init(sp_sha256_ctx *c);
void sp_sha256_update(sp_sha256_ctx *c, const void *data, size_t len);
/** The digest of what was hashed so far (c is not changed). */
void sp_sha256_out(const sp_sha256_ctx *c, uint8_t out[32]);

/** 1 when the SHA extensions are used in this process. */
int sp_sha256_accelerated(void);

/* Internal to sha256.c / sha256_ni.c. */
int sp_sha256_ni_available(void);
void sp_sha256_ni_blocks(uint32_t h[8], const uint8_t *p, size_t blocks);

#endif /* SP_CRYPTO_SHA256_H */
