/*
 * secip/cert.h -- X.509 v3 certificates: issuance, PEM loading and saving,
 * accessors and chain verification.
 *
 * secip issues standard certificates (RFC 5280) signed with
 * sha256WithRSAEncryption that OpenSSL, browsers and any TLS stack read:
 * a random positive 128-bit serial, issuer and subject names made of a
 * Common Name and an optional Organization, validity (UTCTime through
 * 2049, GeneralizedTime from 2050), and the extensions basicConstraints
 * (critical), keyUsage (critical), extendedKeyUsage, subjectAltName (DNS
 * names and IP addresses), subjectKeyIdentifier and authorityKeyIdentifier.
 *
 * A secip_cert is one certificate, optionally followed by the chain that
 * came with it: loading a PEM file that holds several certificates gives
 * the first one, with the others reachable through secip_cert_chain_get().
 * Verification takes such a leaf-plus-chain and checks it against one CA
 * certificate used as the trust anchor.
 *
 * Times are int64_t seconds since 1970-01-01T00:00:00Z.
 *
 * Thread-safety: a certificate is immutable once created, except for
 * secip_cert_chain_append(); any number of threads may read and verify the
 * same certificate at once.  secip_cert_free() and chain_append must not
 * race with other uses.  Every failing call records a detail for
 * secip_last_error().
 */
#ifndef SECIP_CERT_H
#define SECIP_CERT_H

#include <stddef.h>
#include <stdint.h>

#include "secip/error.h"
#include "secip/export.h"
#include "secip/key.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A certificate plus an optional chain of further certificates (opaque). */
typedef struct secip_cert secip_cert;

/* Key usage bits (RFC 5280 section 4.2.1.3). */
#define SECIP_KU_DIGITAL_SIGNATURE 0x01u
#define SECIP_KU_NON_REPUDIATION   0x02u
#define SECIP_KU_KEY_ENCIPHERMENT  0x04u
#define SECIP_KU_DATA_ENCIPHERMENT 0x08u
#define SECIP_KU_KEY_AGREEMENT     0x10u
#define SECIP_KU_KEY_CERT_SIGN     0x20u
#define SECIP_KU_CRL_SIGN          0x40u

/* Extended key usage bits: TLS server and client authentication. */
#define SECIP_EKU_SERVER 0x01u
#define SECIP_EKU_CLIENT 0x02u

/** Most DNS names, and most IP addresses, one certificate may carry. */
#define SECIP_CERT_MAX_SAN 32

/**
 * What to put into a new certificate.  Initialise with
 * secip_cert_options_init(), then set the fields you need.  The strings and
 * arrays are only read during secip_cert_issue().
 */
typedef struct secip_cert_options {
    /** Subject Common Name, 1..64 bytes of UTF-8.  Required. */
    const char *subject_cn;
    /** Subject Organization, or NULL for none. */
    const char *subject_o;
    /** DNS names for subjectAltName (ASCII; "*." wildcard allowed). */
    const char *const *dns_names;
    size_t dns_count;
    /** IP addresses for subjectAltName, as text ("127.0.0.1", "::1"). */
    const char *const *ip_addrs;
    size_t ip_count;
    /**
     * Validity.  not_before 0 means "now minus 5 minutes" (tolerates clock
     * skew); not_after 0 means not_before plus 365 days.
     */
    int64_t not_before;
    int64_t not_after;
    /** Non-zero for a CA certificate (basicConstraints cA = TRUE). */
    int is_ca;
    /** CA only: pathLenConstraint, or -1 (the default) for none. */
    int path_len;
    /**
     * SECIP_KU_* bits, or 0 for the defaults: keyCertSign | cRLSign |
     * digitalSignature for a CA, digitalSignature | keyEncipherment for an
     * end entity.
     */
    unsigned key_usage;
    /** SECIP_EKU_* bits; 0 leaves the extension out. */
    unsigned ext_key_usage;
} secip_cert_options;

/** Fill opts with the defaults (all zero, path_len -1). */
SECIP_API void secip_cert_options_init(secip_cert_options *opts);

/**
 * Issue a certificate for subject_key's public key, signed by issuer_key.
 *
 * issuer is the issuing CA's certificate: the new certificate's issuer name
 * and authorityKeyIdentifier are taken from it, and issuer_key must be its
 * private key (checked).  With issuer NULL the certificate is self-signed:
 * issuer_key must then be subject_key.  subject_key may be a public key.
 *
 * Ownership: every argument stays the caller's; *out is a new certificate
 * (without a chain) freed with secip_cert_free(), NULL on failure.
 * Thread-safety: safe from any thread.
 * Errors: SECIP_EINVAL (NULL or invalid option: empty or over-long name,
 * bad DNS name or IP address, too many SANs, not_after <= not_before,
 * issuer not a CA, issuer_key not the issuer's key or without private
 * half), SECIP_ENOMEM, SECIP_EIO (no randomness for the serial).
 */
SECIP_API int secip_cert_issue(const secip_cert_options *opts,
                               const secip_key *subject_key,
                               const secip_cert *issuer,
                               const secip_key *issuer_key, secip_cert **out);

/**
 * Convenience: a self-signed CA certificate named cn (Organization o, may
 * be NULL) for key, valid from 5 minutes ago for valid_days days (1..36500),
 * without a path length limit, key usage keyCertSign | cRLSign |
 * digitalSignature.  Ownership and errors as secip_cert_issue().
 */
SECIP_API int secip_cert_create_ca(const secip_key *key, const char *cn,
                                   const char *o, int valid_days,
                                   secip_cert **out);

/**
 * Parse one DER certificate.  Ownership: der is copied; *out is freed with
 * secip_cert_free().  Errors: SECIP_EINVAL, SECIP_EFORMAT (malformed,
 * trailing bytes, not X.509 v1-v3), SECIP_ETOOBIG (over 64 KiB),
 * SECIP_ENOMEM.
 */
SECIP_API int secip_cert_load_der(const void *der, size_t len,
                                  secip_cert **out);

/**
 * Parse the "CERTIFICATE" objects of PEM text (other objects, such as
 * keys, are skipped): *out is the first certificate, the following ones
 * form its chain, in file order (at most 16).  The text need not be
 * NUL-terminated.  Ownership as secip_cert_load_der().
 * Errors: SECIP_EFORMAT (no certificate, bad PEM or DER), SECIP_ETOOBIG
 * (over 1 MiB or 16 certificates), SECIP_EINVAL, SECIP_ENOMEM.
 */
SECIP_API int secip_cert_load_pem(const char *pem, size_t len,
                                  secip_cert **out);

/** Load a PEM file as secip_cert_load_pem(); plus the file errors. */
SECIP_API int secip_cert_load_file(const char *path, secip_cert **out);

/**
 * Write the certificate and its chain as PEM to path (atomic replace,
 * mode 0644).  Errors: SECIP_EINVAL, SECIP_ENOMEM and the file errors.
 */
SECIP_API int secip_cert_save_file(const secip_cert *cert, const char *path);

/**
 * Encode the certificate and its chain as PEM into buf (NUL-terminated).
 * Returns the text length without the NUL; with buf NULL or cap too small
 * nothing is written and the needed size (length + 1) is returned as a
 * positive number.  Errors: SECIP_EINVAL, SECIP_ENOMEM.
 */
SECIP_API int secip_cert_to_pem(const secip_cert *cert, char *buf, size_t cap);

/**
 * Append a copy of extra (and of extra's own chain) to cert's chain.
 * Errors: SECIP_EINVAL, SECIP_ETOOBIG (over 16), SECIP_ENOMEM.
 * Not thread-safe with respect to other uses of cert.
 */
SECIP_API int secip_cert_chain_append(secip_cert *cert,
                                      const secip_cert *extra);

/** Number of certificates chained after cert (0 for a lone certificate). */
SECIP_API size_t secip_cert_chain_length(const secip_cert *cert);

/**
 * The i-th certificate of cert's chain (0-based), or NULL when out of
 * range.  Borrowed: valid as long as cert; do not free it.
 */
SECIP_API const secip_cert *secip_cert_chain_get(const secip_cert *cert,
                                                 size_t i);

/**
 * Accessors.  Strings are borrowed, NUL-terminated and valid as long as the
 * certificate; they are "" when the field is absent (and for a NULL cert).
 */
SECIP_API const char *secip_cert_subject_cn(const secip_cert *cert);
SECIP_API const char *secip_cert_subject_o(const secip_cert *cert);
SECIP_API const char *secip_cert_issuer_cn(const secip_cert *cert);
/** Serial number as lowercase hex without leading zeros ("0" for zero). */
SECIP_API const char *secip_cert_serial_hex(const secip_cert *cert);
/** Validity bounds (0 for a NULL cert). */
SECIP_API int64_t secip_cert_not_before(const secip_cert *cert);
SECIP_API int64_t secip_cert_not_after(const secip_cert *cert);
/** Number of dNSName entries of subjectAltName, and entry i (or NULL). */
SECIP_API size_t secip_cert_dns_count(const secip_cert *cert);
SECIP_API const char *secip_cert_dns_name(const secip_cert *cert, size_t i);
/** Number of iPAddress entries, and entry i as text ("10.0.0.1", "::1"). */
SECIP_API size_t secip_cert_ip_count(const secip_cert *cert);
SECIP_API const char *secip_cert_ip(const secip_cert *cert, size_t i);
/** 1 when basicConstraints says cA = TRUE, else 0. */
SECIP_API int secip_cert_is_ca(const secip_cert *cert);
/** pathLenConstraint of a CA, or -1 when absent. */
SECIP_API int secip_cert_path_len(const secip_cert *cert);
/** SECIP_KU_* bits; all bits set when the extension is absent. */
SECIP_API unsigned secip_cert_key_usage(const secip_cert *cert);
/** SECIP_EKU_* bits; all bits set when the extension is absent. */
SECIP_API unsigned secip_cert_ext_key_usage(const secip_cert *cert);
/**
 * The DER encoding (borrowed, valid as long as cert) and its length in
 * *len; NULL for a NULL argument.
 */
SECIP_API const unsigned char *secip_cert_der(const secip_cert *cert,
                                              size_t *len);

/**
 * The certificate's public key as a new public-only key (caller frees it).
 * Errors: SECIP_EINVAL, SECIP_ENOTSUP (not an RSA key), SECIP_EINVAL for
 * an RSA key outside 2048..4096 bits, SECIP_ENOMEM.
 */
SECIP_API int secip_cert_public_key(const secip_cert *cert, secip_key **out);

/**
 * SHA-256 fingerprint of the certificate's DER encoding (what
 * `openssl x509 -noout -fingerprint -sha256` shows, without colons), as
 * 64 lowercase hex digits and a NUL.  Errors: SECIP_EINVAL.
 */
SECIP_API int secip_cert_fingerprint(const secip_cert *cert,
                                     char hex[SECIP_FINGERPRINT_HEX_LEN + 1]);

/**
 * Check that cert (with the chain it carries, leaf first) chains up to ca,
 * the trusted CA certificate, using BearSSL's X.509 "minimal" engine:
 * signatures, validity at at_time, CA constraints and key usage, and RSA
 * keys of at least 2048 bits.
 *
 * at_time: seconds since the epoch, or 0 for now.
 * expected_name: a DNS name (matched against the dNSName SANs, wildcards
 * included, or the CN when there is no SAN) or an IP address (matched
 * against the iPAddress SANs); NULL skips the name check.
 * usage: SECIP_EKU_SERVER and/or SECIP_EKU_CLIENT that the leaf must allow
 * (when it has an extendedKeyUsage extension), or 0.
 *
 * Returns 0 when the chain is valid.  On failure the detail names the cause,
 * for example "certificate expired on 2026-01-02", "certificate is not yet
 * valid (valid from 2026-01-02)", "issuer is not the trusted CA",
 * "name mismatch: expected files.example, certificate is for chat.example",
 * "bad signature on certificate 'leaf'".
 * Thread-safety: safe from any thread, also on shared certificates.
 * Errors: SECIP_EVERIFY (verification failed, including a CA certificate
 * that is not a CA, has expired or has an RSA key below 2048 bits),
 * SECIP_EINVAL (NULL cert or ca), SECIP_ENOMEM.
 */
SECIP_API int secip_cert_verify(const secip_cert *cert, const secip_cert *ca,
                                const char *expected_name, int64_t at_time,
                                unsigned usage);

/** Free a certificate and its chain.  NULL is fine. */
SECIP_API void secip_cert_free(secip_cert *cert);

#ifdef __cplusplus
}
#endif

#endif /* SECIP_CERT_H */
