/*
 * sdk/src/crypto/rng.h -- internal: secip's process-wide random generator.
 *
 * One HMAC-DRBG (SHA-256) seeded from spl_random() on first use, behind an
 * spl_mutex, reseeded from the OS every SP_RNG_RESEED_BYTES of output.
 * Every part of the core that needs randomness (keys, serials, salts, TLS)
 * uses this instead of touching the OS directly.
 */
#ifndef SP_CRYPTO_RNG_H
#define SP_CRYPTO_RNG_H

#include <stddef.h>

#include <bearssl.h>

/**
 * Fill buf with len random bytes.  Thread-safe.
 * Errors: SECIP_EIO (OS randomness unavailable), SECIP_ENOMEM.
 */
int sp_random(void *buf, size_t len);

/**
 * A BearSSL PRNG object backed by the shared generator, for APIs that take
 * `const br_prng_class **` (RSA key generation, TLS engines).  Its generate
 * method is thread-safe; its init and update methods mix the given bytes
 * into the shared generator as additional input.  The returned pointer is
 * static and never freed.
 *
 * Because BearSSL's generate cannot report an error, callers must first
 * call sp_rng_ready() and check it succeeded.
 */
const br_prng_class **sp_rng_prng(void);

/**
 * Make sure the shared generator is seeded.  Returns 0, or SECIP_EIO /
 * SECIP_ENOMEM (detail recorded) when it cannot be.
 */
int sp_rng_ready(void);

/**
 * Initialise a private HMAC-DRBG seeded with 32 bytes of the shared
 * generator, for long computations (key generation) that would otherwise
 * hold the shared lock for every request.  Wipe it with sp_wipe() after use.
 */
int sp_rng_child(br_hmac_drbg_context *ctx);

#endif /* SP_CRYPTO_RNG_H */
