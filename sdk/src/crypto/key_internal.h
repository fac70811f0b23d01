/*
 * sdk/src/crypto/key_internal.h -- internal: the layout of secip_key and
 * the helpers that certificates and TLS use.
 */
#ifndef SP_CRYPTO_KEY_INTERNAL_H
#define SP_CRYPTO_KEY_INTERNAL_H

#include <bearssl.h>

#include "crypto/der.h"
#include "secip/key.h"

#define SP_RSA_MIN_BITS 2048
#define SP_RSA_MAX_BITS 4096

struct secip_key {
    unsigned bits;
    int has_private;
    br_rsa_public_key pk;  /* n, e point into mem */
    br_rsa_private_key sk; /* p, q, dp, dq, iq point into mem (if private) */
    unsigned char *d;      /* private exponent, for PKCS#8 output */
    size_t dlen;
    unsigned char *mem; /* one block holding every element */
    size_t mem_len;
};

/**
 * Build a key from its elements (copied).  sk and d may be NULL for a
 * public key.  Checks the size (2048..4096 bits, SECIP_EINVAL with a
 * detail naming the size).
 */
int sp_key_from_parts(const br_rsa_public_key *pk, const br_rsa_private_key *sk,
                      const unsigned char *d, size_t dlen, secip_key **out);

/** BearSSL views of a key for TLS and signing (valid as long as key). */
const br_rsa_public_key *sp_key_rsa_pk(const secip_key *key);
const br_rsa_private_key *sp_key_rsa_sk(const secip_key *key); /* or NULL */

/** Append the SubjectPublicKeyInfo DER of key to w. */
void sp_key_write_spki(const secip_key *key, sp_dw *w);

/**
 * Parse a SubjectPublicKeyInfo (RSA only) into a public key.
 * Errors: SECIP_EFORMAT, SECIP_ENOTSUP (another algorithm), SECIP_EINVAL
 * (size), SECIP_ENOMEM.
 */
int sp_key_parse_spki(const unsigned char *der, size_t len, secip_key **out);

/** Parse a PKCS#1 RSAPublicKey ("BEGIN RSA PUBLIC KEY"); as above. */
int sp_key_parse_rsa_public(const unsigned char *der, size_t len,
                            secip_key **out);

/** Encoded rsaEncryption OID (1.2.840.113549.1.1.1). */
extern const unsigned char sp_oid_rsa_encryption[9];

#endif /* SP_CRYPTO_KEY_INTERNAL_H */
