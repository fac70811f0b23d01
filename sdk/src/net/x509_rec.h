/*
 * sdk/src/net/x509_rec.h -- internal: the X.509 engine secip gives BearSSL.
 *
 * One class serves every trust mode.  It records the peer's chain as
 * BearSSL streams it (bounded: at most SP_CERT_MAX_CHAIN certificates of at
 * most SP_CERT_MAX_DER bytes each, checked before anything is allocated),
 * parses the leaf with secip's certificate parser, and at the end of the
 * chain applies the policy:
 *
 *  - SP_TRUST_NONE: accept any chain (no-CA mode: encrypted, not verified);
 *  - SP_TRUST_CA:   secip_cert_verify() against the CA, with the expected
 *                   name (DNS or IP) and the extended key usage;
 *  - SP_TRUST_PIN:  the SHA-256 of the leaf's SubjectPublicKeyInfo must
 *                   equal the pin (constant-time compare).
 *
 * In CA mode, when a revocation list (secip/ca.h) signed by that CA is
 * attached, a leaf whose serial the list names is rejected ("certificate
 * revoked (serial ...)").
 *
 * In every mode it keeps the key's fingerprint and the leaf's name.  A
 * rejection records a human-readable detail in `detail`, because the
 * engine itself only carries a number.
 *
 * Thread-safety: used by one engine on one loop thread.
 */
#ifndef SP_NET_X509_REC_H
#define SP_NET_X509_REC_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#include "secip/ca.h"
#include "secip/cert.h"

#define SP_TRUST_NONE 0
#define SP_TRUST_CA   1
#define SP_TRUST_PIN  2

typedef struct sp_x509_rec {
    const br_x509_class *vtable; /* first: BearSSL passes &rec->vtable */
    /* policy (set before the handshake) */
    int mode;
    const secip_cert *ca;
    char name[256]; /* expected name, "" for none */
    unsigned usage; /* SECIP_EKU_SERVER or SECIP_EKU_CLIENT */
    unsigned char pin[32];
    secip_ca_crl *crl; /* a reference, or NULL; see sp_x509_rec_set_crl */
    /* what arrived */
    unsigned char *der[16];
    size_t der_len[16];
    size_t der_have;
    int count;
    int bad; /* 1 once the chain broke a limit */
    secip_cert *leaf;
    /* results */
    int rejected; /* 1 after a policy failure, see detail */
    int verified;
    int have_fp;
    char fingerprint[65];
    char peer_cn[256];
    char detail[512];
} sp_x509_rec;

/** Prepare rec with the given mode (name, ca and pin are set by the
 *  caller afterwards). */
void sp_x509_rec_init(sp_x509_rec *rec, int mode);

/**
 * Attach a revocation list (a new reference is taken; NULL detaches).
 * Kept across sp_x509_rec_reset(), released by sp_x509_rec_fini().
 */
void sp_x509_rec_set_crl(sp_x509_rec *rec, const secip_ca_crl *crl);

/* server_crl.c: the server's revocation list (secip_server_set_revocations)
 * handed to the sessions it configures, and released when it is freed. */
struct secip_server;
void sp_server_crl_apply(struct secip_server *srv, sp_x509_rec *rec);
void sp_server_crl_drop(struct secip_server *srv);

/** Forget a previous chain (before a new handshake). */
void sp_x509_rec_reset(sp_x509_rec *rec);

/** Release everything rec holds. */
void sp_x509_rec_fini(sp_x509_rec *rec);

/**
 * Parse "ab:cd..." or "abcd..." (64 hex digits, case-insensitive) into
 * out[32].  Errors: SECIP_EFORMAT.
 */
int sp_parse_fingerprint(const char *hex, unsigned char out[32]);

#endif /* SP_NET_X509_REC_H */
