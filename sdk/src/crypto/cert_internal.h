/*
 * sdk/src/crypto/cert_internal.h -- internal: the layout of secip_cert,
 * the OIDs certificates use, and helpers for TLS.
 */
#ifndef SP_CRYPTO_CERT_INTERNAL_H
#define SP_CRYPTO_CERT_INTERNAL_H

#include <bearssl.h>

#include "secip/cert.h"

#define SP_CERT_MAX_DER   (64u * 1024u)
#define SP_CERT_MAX_CHAIN 16
#define SP_CERT_MAX_NAMES 256 /* SAN entries kept from a parsed cert */

typedef struct sp_cert_ip {
    unsigned char addr[16];
    size_t len; /* 4 or 16 */
    char text[46];
} sp_cert_ip;

typedef struct sp_slice {
    const unsigned char *p;
    size_t len;
} sp_slice;

struct secip_cert {
    unsigned char *der; /* owned; every slice points into it */
    size_t der_len;
    sp_slice tbs, issuer_dn, subject_dn, spki, spki_bits, ski, aki;
    sp_slice sig_alg, sig; /* outer signature algorithm OID, signature */
    sp_slice tbs_sig_alg;  /* the signed AlgorithmIdentifier, whole */
    char serial_hex[72];
    char *subject_cn, *subject_o, *issuer_cn; /* owned, never NULL */
    int64_t not_before, not_after;
    char **dns; /* owned array of owned strings */
    size_t dns_count;
    sp_cert_ip *ips;
    size_t ip_count;
    int is_ca, path_len;
    unsigned key_usage, ext_key_usage; /* all ones when absent */
    int has_key_usage, has_ext_key_usage;
    /* The public key as BearSSL decoded it (RSA or EC), for trust anchors;
     * its pointers point into pkey_buf. */
    br_x509_pkey pkey;
    unsigned char pkey_buf[BR_X509_BUFSIZE_KEY];
    unsigned pkey_bits; /* RSA modulus size, 0 for EC */
    secip_cert **chain; /* owned; chained certificates have no chain */
    size_t chain_len;
};

/** Parse der (copied) into a new certificate.  Errors recorded. */
int sp_cert_parse(const unsigned char *der, size_t len, secip_cert **out);

/**
 * The chain as BearSSL wants it for a TLS server or client: cert first,
 * then its chain.  *out is a malloc'd array (free() it) whose entries
 * point into the certificates.
 */
int sp_cert_br_chain(const secip_cert *cert, br_x509_certificate **out,
                     size_t *count);

/** Time conversion for br_x509_minimal_set_time(). */
void sp_cert_br_time(int64_t t, uint32_t *days, uint32_t *seconds);

/**
 * For TLS: the CA certificate as a BearSSL trust anchor (pointing into ca,
 * valid as long as ca), and a br_x509_minimal engine configured exactly as
 * secip_cert_verify() uses it (SHA-256/384/512, RSA >= 2048 bits, ECDSA,
 * validation time `at`).
 */
void sp_cert_trust_anchor(const secip_cert *ca, br_x509_trust_anchor *ta);
void sp_cert_minimal_init(br_x509_minimal_context *x,
                          const br_x509_trust_anchor *ta, int64_t at);

/**
 * Record the detail for a BR_ERR_X509_* code as secip_cert_verify() does
 * ("certificate expired on ...", "issuer is not the trusted CA", ...);
 * cert is the peer's chain (leaf first) as parsed by secip.  Returns
 * SECIP_EVERIFY.
 */
int sp_cert_explain(unsigned err, const secip_cert *cert, const secip_cert *ca,
                    const char *name, int64_t at);

/* Encoded OID contents. */
extern const unsigned char sp_oid_sha256_rsa[9];
extern const unsigned char sp_oid_cn[3];
extern const unsigned char sp_oid_o[3];
extern const unsigned char sp_oid_basic_constraints[3];
extern const unsigned char sp_oid_key_usage[3];
extern const unsigned char sp_oid_ext_key_usage[3];
extern const unsigned char sp_oid_san[3];
extern const unsigned char sp_oid_ski[3];
extern const unsigned char sp_oid_aki[3];
extern const unsigned char sp_oid_server_auth[8];
extern const unsigned char sp_oid_client_auth[8];

#endif /* SP_CRYPTO_CERT_INTERNAL_H */
