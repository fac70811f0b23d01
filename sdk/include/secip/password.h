/*
 * secip/password.h -- password hashing for user databases (PBKDF2).
 *
 * Passwords are hashed with PBKDF2-HMAC-SHA256 (RFC 8018) over a random
 * 16-byte salt into a self-describing string in the PHC format:
 *
 *     $pbkdf2-sha256$i=210000$<salt, base64>$<32-byte hash, base64>
 *
 * (standard base64 alphabet without padding).  The iteration count is
 * stored in the string, so it can be raised later without breaking old
 * entries.  Verification recomputes the hash and compares in constant time.
 */
#ifndef SECIP_PASSWORD_H
#define SECIP_PASSWORD_H

#include <stddef.h>
#include <stdint.h>

#include "secip/error.h"
#include "secip/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Default iteration count (OWASP's 2023 figure for PBKDF2-HMAC-SHA256). */
#define SECIP_PASSWORD_DEFAULT_ITERATIONS 210000u
/** Smallest and largest accepted iteration counts. */
#define SECIP_PASSWORD_MIN_ITERATIONS 1000u
#define SECIP_PASSWORD_MAX_ITERATIONS 10000000u
/** Buffer size that always holds a hash string, NUL included. */
#define SECIP_PASSWORD_HASH_MAX 128

/**
 * Hash password (NUL-terminated UTF-8, any length) with a fresh random salt
 * and iterations rounds (0 means SECIP_PASSWORD_DEFAULT_ITERATIONS) into
 * out (NUL-terminated, at most SECIP_PASSWORD_HASH_MAX bytes).
 *
 * Takes roughly 0.1-0.3 s at the default count, on purpose.
 * Ownership: all buffers are the caller's.
 * Thread-safety: safe from any thread.
 * Errors: SECIP_EINVAL (NULL argument, iterations outside
 * [SECIP_PASSWORD_MIN_ITERATIONS, SECIP_PASSWORD_MAX_ITERATIONS]),
 * SECIP_ETOOBIG (out_len too small), SECIP_EIO (no randomness).
 */
SECIP_API int secip_password_hash(const char *password, uint32_t iterations,
                                  char *out, size_t out_len);

/**
 * Check password against a string made by secip_password_hash().
 *
 * Returns 0 when it matches.  The comparison of the derived hash runs in
 * constant time.
 * Thread-safety: safe from any thread.
 * Errors: SECIP_EDENIED (wrong password), SECIP_EFORMAT (not a valid hash
 * string, or an iteration count outside the accepted range), SECIP_EINVAL
 * (NULL argument).
 */
SECIP_API int secip_password_verify(const char *password, const char *hash);

/**
 * Raw PBKDF2-HMAC-SHA256 (RFC 8018 section 5.2): derive out_len bytes from
 * password and salt with iterations rounds (>= 1).  Exposed for protocols
 * that need the primitive and for known-answer tests.
 * Thread-safety: safe from any thread.
 * Errors: SECIP_EINVAL (NULL pointer with non-zero length, iterations 0,
 * out_len 0 or larger than 2^20).
 */
SECIP_API int secip_pbkdf2_sha256(const void *password, size_t password_len,
                                  const void *salt, size_t salt_len,
                                  uint32_t iterations, void *out,
                                  size_t out_len);

#ifdef __cplusplus
}
#endif

#endif /* SECIP_PASSWORD_H */
