/*
 * sdk/src/crypto/password.c -- PBKDF2-HMAC-SHA256 (RFC 8018) and the PHC
 * style password hash strings of secip/password.h.
 */
#include "secip/password.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bearssl.h>

#include "crypto/rng.h"
#include "crypto/util.h"
#include "error.h"

#define SALT_LEN 16
#define HASH_LEN 32
#define PREFIX   "$pbkdf2-sha256$i="

int secip_pbkdf2_sha256(const void *password, size_t password_len,
                        const void *salt, size_t salt_len, uint32_t iterations,
                        void *out, size_t out_len)
{
    if ((password == NULL && password_len > 0) ||
        (salt == NULL && salt_len > 0) || out == NULL || out_len == 0 ||
        out_len > (1u << 20) || iterations == 0)
        return sp_error_set(SECIP_EINVAL, "secip_pbkdf2_sha256: bad argument");
    br_hmac_key_context kc;
    br_hmac_context hc;
    unsigned char u[HASH_LEN], t[HASH_LEN], be[4];
    unsigned char *dst = out;
    /* The key schedule (inner and outer pads) is computed once; every
     * iteration then costs two SHA-256 compressions. */
    br_hmac_key_init(&kc, &br_sha256_vtable, password, password_len);
    for (uint32_t block = 1; out_len > 0; block++) {
        be[0] = (unsigned char)(block >> 24);
        be[1] = (unsigned char)(block >> 16);
        be[2] = (unsigned char)(block >> 8);
        be[3] = (unsigned char)block;
        br_hmac_init(&hc, &kc, 0);
        br_hmac_update(&hc, salt, salt_len);
        br_hmac_update(&hc, be, 4);
        br_hmac_out(&hc, u);
        memcpy(t, u, HASH_LEN);
        for (uint32_t i = 1; i < iterations; i++) {
            br_hmac_init(&hc, &kc, 0);
            br_hmac_update(&hc, u, HASH_LEN);
            br_hmac_out(&hc, u);
            for (size_t k = 0; k < HASH_LEN; k++)
                t[k] ^= u[k];
        }
        size_t n = out_len < HASH_LEN ? out_len : HASH_LEN;
        memcpy(dst, t, n);
        dst += n;
        out_len -= n;
    }
    sp_wipe(&kc, sizeof kc);
    sp_wipe(&hc, sizeof hc);
    sp_wipe(u, sizeof u);
    sp_wipe(t, sizeof t);
    return 0;
}

int secip_password_hash(const char *password, uint32_t iterations, char *out,
                        size_t out_len)
{
    if (password == NULL || out == NULL)
        return sp_error_set(SECIP_EINVAL, "secip_password_hash: NULL argument");
    if (iterations == 0)
        iterations = SECIP_PASSWORD_DEFAULT_ITERATIONS;
    if (iterations < SECIP_PASSWORD_MIN_ITERATIONS ||
        iterations > SECIP_PASSWORD_MAX_ITERATIONS)
        return sp_error_set(SECIP_EINVAL, "iteration count %lu outside %u..%u",
                            (unsigned long)iterations,
                            SECIP_PASSWORD_MIN_ITERATIONS,
                            SECIP_PASSWORD_MAX_ITERATIONS);
    unsigned char salt[SALT_LEN], hash[HASH_LEN];
    char salt64[32], hash64[48];
    int rc = sp_random(salt, sizeof salt);
    if (rc < 0)
        return rc;
    rc = secip_pbkdf2_sha256(password, strlen(password), salt, sizeof salt,
                             iterations, hash, sizeof hash);
    if (rc < 0)
        return rc;
    sp_b64_encode(salt, sizeof salt, salt64, sizeof salt64);
    sp_b64_encode(hash, sizeof hash, hash64, sizeof hash64);
    sp_wipe(hash, sizeof hash);
    int n = snprintf(out, out_len, PREFIX "%lu$%s$%s",
                     (unsigned long)iterations, salt64, hash64);
    if (n < 0 || (size_t)n >= out_len) {
        sp_wipe(out, out_len);
        return sp_error_set(SECIP_ETOOBIG,
                            "password hash buffer too small (need %d bytes)",
                            SECIP_PASSWORD_HASH_MAX);
    }
    return 0;
}

/* Splits "$pbkdf2-sha256$i=N$salt$hash"; 0 or -1. */
static int parse_hash(const char *s, uint32_t *iter, unsigned char *salt,
                      int *salt_len, unsigned char hash[HASH_LEN])
{
    size_t plen = strlen(PREFIX);
    if (strlen(s) >= SECIP_PASSWORD_HASH_MAX || strncmp(s, PREFIX, plen) != 0)
        return -1;
    const char *p = s + plen;
    uint32_t v = 0;
    int digits = 0;
    for (; *p >= '0' && *p <= '9' && digits < 9; p++, digits++)
        v = v * 10 + (uint32_t)(*p - '0');
    if (digits == 0 || *p != '$' || v < SECIP_PASSWORD_MIN_ITERATIONS ||
        v > SECIP_PASSWORD_MAX_ITERATIONS)
        return -1;
    const char *salt64 = p + 1;
    const char *sep = strchr(salt64, '$');
    if (sep == NULL)
        return -1;
    *salt_len = sp_b64_decode(salt64, (size_t)(sep - salt64), salt, 64);
    int hl = sp_b64_decode(sep + 1, strlen(sep + 1), hash, HASH_LEN);
    if (*salt_len < 8 || hl != HASH_LEN)
        return -1;
    *iter = v;
    return 0;
}

int secip_password_verify(const char *password, const char *hash)
{
    if (password == NULL || hash == NULL)
        return sp_error_set(SECIP_EINVAL,
                            "secip_password_verify: NULL argument");
    unsigned char salt[64], want[HASH_LEN], got[HASH_LEN];
    int salt_len;
    uint32_t iter;
    if (parse_hash(hash, &iter, salt, &salt_len, want) < 0)
        return sp_error_set(SECIP_EFORMAT, "not a secip password hash "
                                           "($pbkdf2-sha256$i=N$salt$hash)");
    int rc = secip_pbkdf2_sha256(password, strlen(password), salt,
                                 (size_t)salt_len, iter, got, sizeof got);
    if (rc < 0)
        return rc;
    int same = sp_ct_equal(got, want, HASH_LEN);
    sp_wipe(got, sizeof got);
    sp_wipe(want, sizeof want);
    return same ? 0 : sp_error_set(SECIP_EDENIED, "wrong password");
}
