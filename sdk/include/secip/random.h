/*
 * secip/random.h -- cryptographically strong random bytes.
 *
 * secip draws its randomness (keys, serial numbers, salts, TLS) from one
 * process-wide HMAC-DRBG (SHA-256, NIST SP 800-90A) seeded from the
 * operating system's generator (getrandom / BCryptGenRandom) on first use
 * and reseeded from it regularly.
 */
#ifndef SECIP_RANDOM_H
#define SECIP_RANDOM_H

#include <stddef.h>

#include "secip/error.h"
#include "secip/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Fill buf[0..len-1] with random bytes.
 *
 * Ownership: buf is the caller's.
 * Thread-safety: safe from any thread (the generator is behind a lock).
 * Errors: SECIP_EINVAL (buf NULL with len > 0), SECIP_EIO (the operating
 * system gave no randomness to seed the generator; nothing useful was
 * written), SECIP_ENOMEM.
 */
SECIP_API int secip_random(void *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* SECIP_RANDOM_H */
