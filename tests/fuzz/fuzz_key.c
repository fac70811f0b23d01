/*
 * tests/fuzz/fuzz_key.c -- libFuzzer target: RSA key loading, from PEM
 * text and from DER (wrapped into PEM under each banner secip accepts,
 * since secip_key_load_pem is the only key entry point).
 *
 * Input: byte 0 bit 7 set means "the rest is DER" and bits 0-1 pick the
 * banner; clear means "the rest is PEM text".  Invariants for an accepted
 * key:
 *  - 2048..4096 bits;
 *  - its public half written as PEM loads back to an equal public key
 *    with the same fingerprint, and so does its private half (PKCS#8).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/pem.h"
#include "secip/key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const banners[4] = {"PRIVATE KEY", "RSA PRIVATE KEY",
                                       "PUBLIC KEY", "RSA PUBLIC KEY"};

static void round_trip(const secip_key *k, int priv)
{
    char pem[SECIP_KEY_PEM_MAX];
    char fp1[SECIP_FINGERPRINT_HEX_LEN + 1], fp2[SECIP_FINGERPRINT_HEX_LEN + 1];
    secip_key *k2 = NULL;
    int n = secip_key_to_pem(k, priv, pem, sizeof pem);

    if (n < 0)
        __builtin_trap(); /* SECIP_KEY_PEM_MAX is documented as enough */
    if (secip_key_load_pem(pem, (size_t)n, &k2) != 0)
        __builtin_trap();
    if (!secip_key_public_equal(k, k2) || secip_key_has_private(k2) != priv)
        __builtin_trap();
    if (secip_key_fingerprint(k, fp1) == 0 &&
        (secip_key_fingerprint(k2, fp2) != 0 || strcmp(fp1, fp2) != 0))
        __builtin_trap();
    memset(pem, 0, sizeof pem);
    secip_key_free(k2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    secip_key *k = NULL;
    char *text = NULL;
    size_t tlen = 0;
    int rc, bits;

    if (size < 1 || size > 16 * 1024)
        return 0;
    if (data[0] & 0x80) {
        if (sp_pem_append(&text, &tlen, banners[data[0] & 3], data + 1,
                          size - 1) != 0)
            return 0;
        rc = secip_key_load_pem(text, tlen, &k);
        free(text);
    } else {
        rc = secip_key_load_pem((const char *)data + 1, size - 1, &k);
    }
    if (rc != 0) {
        if (k != NULL)
            __builtin_trap(); /* *out is NULL on failure */
        return 0;
    }
    bits = secip_key_bits(k);
    if (bits < 2048 || bits > 4096)
        __builtin_trap();
    round_trip(k, 0);
    if (secip_key_has_private(k))
        round_trip(k, 1);
    secip_key_free(k);
    return 0;
}
