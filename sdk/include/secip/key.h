/*
 * secip/key.h -- RSA keys: generation, PEM loading and saving, fingerprints.
 *
 * A secip_key holds an RSA key pair (private key plus its public half) or a
 * public key alone.  Keys are 2048, 3072 or 4096 bits with any public
 * exponent that fits in 32 bits (generated keys use 65537); anything smaller
 * than 2048 bits is refused everywhere, because such keys are too weak to
 * protect anything today.
 *
 * Formats: private keys are read in PKCS#8 ("BEGIN PRIVATE KEY") and PKCS#1
 * ("BEGIN RSA PRIVATE KEY") PEM and written as PKCS#8; public keys are read
 * and written as SubjectPublicKeyInfo ("BEGIN PUBLIC KEY"), and read as
 * PKCS#1 ("BEGIN RSA PUBLIC KEY").  Encrypted private keys are not
 * supported (SECIP_ENOTSUP).
 *
 * Thread-safety: a key is immutable after it was created, so any number of
 * threads may use one key at the same time; only secip_key_free() must not
 * race with other uses of the same key.  Every function records a detail for
 * secip_last_error() when it fails.
 */
#ifndef SECIP_KEY_H
#define SECIP_KEY_H

#include <stddef.h>

#include "secip/error.h"
#include "secip/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An RSA key pair or public key (opaque). */
typedef struct secip_key secip_key;

/** Length of a fingerprint in hex digits (SHA-256), without the NUL. */
#define SECIP_FINGERPRINT_HEX_LEN 64

/** Largest PEM text any secip key encodes to, in bytes including the NUL. */
#define SECIP_KEY_PEM_MAX 4096

/**
 * Generate a new RSA key pair with public exponent 65537.
 *
 * bits must be 2048, 3072 or 4096.  Takes from a fraction of a second
 * (2048) to several seconds (4096).  Randomness comes from secip's
 * HMAC-DRBG, seeded by the operating system.
 *
 * Ownership: on success *out is a new key that the caller frees with
 * secip_key_free(); on failure *out is set to NULL.
 * Thread-safety: safe from any thread.
 * Errors: SECIP_EINVAL (out is NULL, or bits is not 2048/3072/4096; the
 * detail says why), SECIP_ENOMEM, SECIP_EIO (no OS randomness).
 */
SECIP_API int secip_key_generate(unsigned bits, secip_key **out);

/**
 * Load a key from PEM text: the first private or public key object in
 * pem[0..len-1] (PKCS#8, PKCS#1 private, SPKI or PKCS#1 public).  Other
 * objects such as certificates are skipped.  The text need not be
 * NUL-terminated.
 *
 * Ownership: the caller keeps pem; *out is a new key freed with
 * secip_key_free() (NULL on failure).
 * Thread-safety: safe from any thread.
 * Errors: SECIP_EINVAL (NULL argument, key smaller than 2048 or larger than
 * 4096 bits), SECIP_EFORMAT (no key object, bad base64, malformed DER,
 * inconsistent key), SECIP_ENOTSUP (encrypted or non-RSA key),
 * SECIP_ETOOBIG (more than 1 MiB of text), SECIP_ENOMEM.
 */
SECIP_API int secip_key_load_pem(const char *pem, size_t len, secip_key **out);

/**
 * Load a key from a PEM file, as secip_key_load_pem().
 *
 * Errors: those of secip_key_load_pem(), plus SECIP_ENOENT, SECIP_EPERM
 * and SECIP_EIO from opening and reading the file.
 */
SECIP_API int secip_key_load_file(const char *path, secip_key **out);

/**
 * Write the private key as PKCS#8 PEM to path, replacing the file
 * atomically if it exists.  The file is created owner-only (mode 0600 on
 * POSIX, owner-only ACL on Windows) before any key byte is written.
 *
 * Ownership: key stays the caller's.
 * Thread-safety: safe from any thread (concurrent saves to the same path:
 * the last rename wins, the file is never half-written).
 * Errors: SECIP_EINVAL (NULL argument, or the key has no private half),
 * SECIP_ENOMEM, and the file errors of the platform layer (SECIP_EPERM,
 * SECIP_ENOENT for a missing directory, SECIP_EIO).
 */
SECIP_API int secip_key_save_private(const secip_key *key, const char *path);

/**
 * Write the public key as SubjectPublicKeyInfo PEM ("BEGIN PUBLIC KEY") to
 * path, replacing it atomically.  Errors as secip_key_save_private(),
 * except that a public-only key is fine.
 */
SECIP_API int secip_key_save_public(const secip_key *key, const char *path);

/**
 * Encode the key as PEM text into buf (NUL-terminated): the private key as
 * PKCS#8 when private is non-zero, else the public key as SPKI.
 *
 * Returns the length of the text (without the NUL) on success.  When buf is
 * NULL or cap is too small, nothing is written and SECIP_ETOOBIG is
 * returned; SECIP_KEY_PEM_MAX is always enough.  The private text is a
 * secret: wipe buf after use.
 * Thread-safety: safe from any thread.
 * Errors: SECIP_EINVAL (NULL key, no private half), SECIP_ETOOBIG,
 * SECIP_ENOMEM.
 */
SECIP_API int secip_key_to_pem(const secip_key *key, int private_part,
                               char *buf, size_t cap);

/**
 * SHA-256 fingerprint of the key's SubjectPublicKeyInfo DER encoding (what
 * `openssl pkey -pubout -outform DER | sha256sum` prints), as 64 lowercase
 * hex digits and a NUL in hex[0..64].  Two keys with the same fingerprint
 * are the same public key.
 *
 * Errors: SECIP_EINVAL (NULL argument), SECIP_ENOMEM.
 */
SECIP_API int secip_key_fingerprint(const secip_key *key,
                                    char hex[SECIP_FINGERPRINT_HEX_LEN + 1]);

/** Modulus size in bits (2048..4096), or SECIP_EINVAL for NULL. */
SECIP_API int secip_key_bits(const secip_key *key);

/** 1 if the key has its private half, 0 if it is a public key (or NULL). */
SECIP_API int secip_key_has_private(const secip_key *key);

/**
 * 1 if a and b hold the same public key (modulus and exponent), 0 if not or
 * if either is NULL.  Not constant-time: public keys are not secret.
 */
SECIP_API int secip_key_public_equal(const secip_key *a, const secip_key *b);

/**
 * Free a key, wiping its secret material first.  NULL is fine.
 * Must not run while another thread still uses the key.
 */
SECIP_API void secip_key_free(secip_key *key);

#ifdef __cplusplus
}
#endif

#endif /* SECIP_KEY_H */
