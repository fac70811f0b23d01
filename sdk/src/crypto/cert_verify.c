/*
 * sdk/src/crypto/cert_verify.c -- chain validation against one trusted CA
 * with BearSSL's X.509 "minimal" engine, plus the checks it leaves to the
 * caller (extended key usage, IP address names, the CA's own validity),
 * and failure details that name the cause.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/cert_internal.h"
#include "crypto/der.h"
#include "crypto/util.h"
#include "error.h"
#include "platform.h"

#define MIN_RSA_BYTES 256 /* 2048 bits */

/* "chat.example, 10.0.0.1" -- the names a certificate is valid for. */
static void names_of(const secip_cert *c, char *buf, size_t cap)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < c->dns_count + c->ip_count && o < cap; i++) {
        const char *n =
            i < c->dns_count ? c->dns[i] : c->ips[i - c->dns_count].text;
        int w = snprintf(buf + o, cap - o, "%s%s", i ? ", " : "", n);
        if (w < 0)
            break;
        o += (size_t)w;
    }
    if (buf[0] == '\0')
        snprintf(buf, cap, "%s",
                 c->subject_cn[0] ? c->subject_cn : "no name at all");
}

static int name_mismatch(const secip_cert *leaf, const char *expected)
{
    char names[400];
    names_of(leaf, names, sizeof names);
    return sp_error_set(SECIP_EVERIFY,
                        "name mismatch: expected %s, certificate is for %s",
                        expected, names);
}

/* Which certificate of the chain is outside its validity, and how. */
static int validity_failure(const secip_cert *cert, int64_t at)
{
    for (size_t i = 0; i <= cert->chain_len; i++) {
        const secip_cert *c = i == 0 ? cert : cert->chain[i - 1];
        char date[32], who[160];
        who[0] = '\0';
        if (i > 0)
            snprintf(who, sizeof who,
                     "chain certificate '%s': ", c->subject_cn);
        if (at > c->not_after) {
            sp_time_format_date(c->not_after, date, sizeof date);
            return sp_error_set(SECIP_EVERIFY, "%scertificate expired on %s",
                                who, date);
        }
        if (at < c->not_before) {
            sp_time_format_date(c->not_before, date, sizeof date);
            return sp_error_set(
                SECIP_EVERIFY, "%scertificate is not yet valid (valid from %s)",
                who, date);
        }
    }
    return sp_error_set(SECIP_EVERIFY,
                        "certificate is outside its validity period");
}

/* 1 when issuer's key made cert's signature, 0 when not, -1 when this
 * code cannot tell (EC keys, other signature algorithms). */
static int signed_by(const secip_cert *cert, const br_x509_pkey *issuer)
{
    static const struct {
        unsigned char last;
        const br_hash_class *h;
        const unsigned char *oid;
    } algs[3] = {{0x0b, &br_sha256_vtable, BR_HASH_OID_SHA256},
                 {0x0c, &br_sha384_vtable, BR_HASH_OID_SHA384},
                 {0x0d, &br_sha512_vtable, BR_HASH_OID_SHA512}};
    if (issuer->key_type != BR_KEYTYPE_RSA ||
        cert->sig_alg.len != sizeof sp_oid_sha256_rsa ||
        memcmp(cert->sig_alg.p, sp_oid_sha256_rsa, 8) != 0)
        return -1;
    for (int i = 0; i < 3; i++) {
        if (cert->sig_alg.p[8] != algs[i].last)
            continue;
        br_hash_compat_context hc;
        unsigned char want[64], got[64];
        size_t hlen =
            (algs[i].h->desc >> BR_HASHDESC_OUT_OFF) & BR_HASHDESC_OUT_MASK;
        algs[i].h->init(&hc.vtable);
        algs[i].h->update(&hc.vtable, cert->tbs.p, cert->tbs.len);
        algs[i].h->out(&hc.vtable, want);
        if (!br_rsa_pkcs1_vrfy_get_default()(cert->sig.p, cert->sig.len,
                                             algs[i].oid, hlen,
                                             &issuer->key.rsa, got))
            return 0;
        return memcmp(got, want, hlen) == 0;
    }
    return -1;
}

static int same_dn(const sp_slice *a, const sp_slice *b)
{
    return a->len == b->len && memcmp(a->p, b->p, a->len) == 0;
}

/* BearSSL reports "not trusted" both for a foreign issuer and for a
 * signature that does not verify under the anchor's key; tell them apart
 * by walking the chain towards the CA. */
static int not_trusted(const secip_cert *cert, const secip_cert *ca)
{
    for (size_t i = 0; i <= cert->chain_len; i++) {
        const secip_cert *c = i == 0 ? cert : cert->chain[i - 1];
        const secip_cert *up = NULL;
        if (same_dn(&c->issuer_dn, &ca->subject_dn))
            up = ca;
        else if (i < cert->chain_len)
            up = cert->chain[i];
        if (up == NULL || !same_dn(&c->issuer_dn, &up->subject_dn))
            break;
        if (signed_by(c, &up->pkey) == 0)
            return sp_error_set(SECIP_EVERIFY,
                                "bad signature on certificate '%s': it was "
                                "altered or not signed by the key of '%s'",
                                c->subject_cn, up->subject_cn);
        if (up == ca)
            break;
    }
    return sp_error_set(SECIP_EVERIFY, "issuer is not the trusted CA");
}

/* Which issuer of the chain is not a CA, or has its path length
 * constraint exceeded (BearSSL reports both as "not a CA"). */
static int not_ca(const secip_cert *cert)
{
    for (size_t i = 1; i <= cert->chain_len; i++) {
        const secip_cert *c = cert->chain[i - 1];
        if (!c->is_ca)
            return sp_error_set(SECIP_EVERIFY,
                                "certificate '%s' in the chain is not a CA",
                                c->subject_cn);
        if (c->path_len >= 0 && (long)i - 1 > c->path_len)
            return sp_error_set(SECIP_EVERIFY,
                                "path length constraint of '%s' exceeded "
                                "(allows %d intermediate CAs below it)",
                                c->subject_cn, c->path_len);
    }
    return sp_error_set(SECIP_EVERIFY,
                        "an issuing certificate in the chain is not a CA");
}

/* BearSSL does not apply the anchor's own pathLenConstraint. */
static int check_anchor_path_len(const secip_cert *cert, const secip_cert *ca)
{
    if (ca->path_len < 0)
        return 0;
    long below = 0;
    for (size_t i = 0; i < cert->chain_len; i++)
        if (!same_dn(&cert->chain[i]->subject_dn, &ca->subject_dn))
            below++;
    if (below > ca->path_len)
        return sp_error_set(SECIP_EVERIFY,
                            "path length constraint of '%s' exceeded "
                            "(allows %d intermediate CAs below it)",
                            ca->subject_cn, ca->path_len);
    return 0;
}

static int map_error(unsigned err, const secip_cert *cert, const secip_cert *ca,
                     const char *name, int64_t at)
{
    switch (err) {
    case BR_ERR_X509_EXPIRED: return validity_failure(cert, at);
    case BR_ERR_X509_NOT_TRUSTED: return not_trusted(cert, ca);
    case BR_ERR_X509_BAD_SIGNATURE:
        return sp_error_set(
            SECIP_EVERIFY,
            "bad signature on certificate '%s': it was altered or "
            "not signed by the key of '%s'",
            cert->subject_cn, ca->subject_cn);
    case BR_ERR_X509_BAD_SERVER_NAME: return name_mismatch(cert, name);
    case BR_ERR_X509_NOT_CA: return not_ca(cert);
    case BR_ERR_X509_FORBIDDEN_KEY_USAGE:
        return sp_error_set(
            SECIP_EVERIFY,
            "key usage of a certificate forbids this use (an issuer "
            "without keyCertSign, or a leaf without the needed "
            "usage)");
    case BR_ERR_X509_WEAK_PUBLIC_KEY:
        return sp_error_set(
            SECIP_EVERIFY,
            "a certificate's RSA key is too weak (at least 2048 bits "
            "required)");
    case BR_ERR_X509_CRITICAL_EXTENSION:
        return sp_error_set(SECIP_EVERIFY,
                            "a certificate has an unsupported critical "
                            "extension");
    case BR_ERR_X509_UNSUPPORTED:
        return sp_error_set(SECIP_EVERIFY,
                            "a certificate uses an unsupported algorithm");
    case BR_ERR_X509_LIMIT_EXCEEDED:
        return sp_error_set(SECIP_EVERIFY,
                            "a certificate exceeds a decoder limit");
    case BR_ERR_X509_DN_MISMATCH:
        return sp_error_set(SECIP_EVERIFY,
                            "the chain is out of order (issuer and subject "
                            "names do not link)");
    default:
        return sp_error_set(SECIP_EVERIFY,
                            "malformed certificate in the chain (BearSSL "
                            "X.509 error %u)",
                            err);
    }
}

/* Runs BearSSL's engine over the chain; returns its error code (0 = ok)
 * and the key usages it validated. */
void sp_cert_trust_anchor(const secip_cert *ca, br_x509_trust_anchor *ta)
{
    memset(ta, 0, sizeof *ta);
    ta->dn.data = (unsigned char *)(uintptr_t)ca->subject_dn.p;
    ta->dn.len = ca->subject_dn.len;
    ta->flags = BR_X509_TA_CA;
    ta->pkey = ca->pkey;
}

void sp_cert_minimal_init(br_x509_minimal_context *x,
                          const br_x509_trust_anchor *ta, int64_t at)
{
    uint32_t days, secs;
    br_x509_minimal_init(x, &br_sha256_vtable, ta, 1);
    /* SHA-256 and up only: SHA-1 signatures are forgeable today. */
    br_x509_minimal_set_hash(x, br_sha256_ID, &br_sha256_vtable);
    br_x509_minimal_set_hash(x, br_sha384_ID, &br_sha384_vtable);
    br_x509_minimal_set_hash(x, br_sha512_ID, &br_sha512_vtable);
    br_x509_minimal_set_rsa(x, br_rsa_pkcs1_vrfy_get_default());
    br_x509_minimal_set_ecdsa(x, br_ec_get_default(),
                              br_ecdsa_vrfy_asn1_get_default());
    br_x509_minimal_set_minrsa(x, MIN_RSA_BYTES);
    sp_cert_br_time(at, &days, &secs);
    br_x509_minimal_set_time(x, days, secs);
}

int sp_cert_explain(unsigned err, const secip_cert *cert, const secip_cert *ca,
                    const char *name, int64_t at)
{
    return map_error(err, cert, ca, name, at);
}

static unsigned run_minimal(const secip_cert *cert,
                            const br_x509_trust_anchor *ta,
                            const char *server_name, int64_t at,
                            unsigned *usages)
{
    br_x509_minimal_context *x = malloc(sizeof *x);
    if (x == NULL)
        return 0xffffu;
    sp_cert_minimal_init(x, ta, at);

    const br_x509_class **vt = &x->vtable;
    (*vt)->start_chain(vt, server_name);
    for (size_t i = 0; i <= cert->chain_len; i++) {
        const secip_cert *c = i == 0 ? cert : cert->chain[i - 1];
        (*vt)->start_cert(vt, (uint32_t)c->der_len);
        (*vt)->append(vt, c->der, c->der_len);
        (*vt)->end_cert(vt);
    }
    unsigned err = (*vt)->end_chain(vt);
    *usages = 0;
    if (err == 0 && (*vt)->get_pkey(vt, usages) == NULL)
        err = BR_ERR_X509_UNEXPECTED;
    free(x);
    return err;
}

static int check_ip_name(const secip_cert *leaf, const char *name,
                         const unsigned char *ip, int iplen)
{
    for (size_t i = 0; i < leaf->ip_count; i++)
        if (leaf->ips[i].len == (size_t)iplen &&
            memcmp(leaf->ips[i].addr, ip, (size_t)iplen) == 0)
            return 0;
    return name_mismatch(leaf, name);
}

static int check_usage(const secip_cert *leaf, unsigned usage,
                       unsigned br_usages)
{
    static const struct {
        unsigned bit;
        const char *what;
    } eku[2] = {{SECIP_EKU_SERVER, "TLS server"},
                {SECIP_EKU_CLIENT, "TLS client"}};
    for (int i = 0; i < 2; i++)
        if ((usage & eku[i].bit) && !(leaf->ext_key_usage & eku[i].bit))
            return sp_error_set(
                SECIP_EVERIFY,
                "certificate '%s' is not valid for %s authentication "
                "(extended key usage)",
                leaf->subject_cn, eku[i].what);
    /* TLS 1.2 with ECDHE signs with the key; RSA key exchange encrypts. */
    if (usage != 0 && !(br_usages & (BR_KEYTYPE_SIGN | BR_KEYTYPE_KEYX)))
        return sp_error_set(
            SECIP_EVERIFY,
            "certificate '%s' key usage allows neither signing nor "
            "key exchange",
            leaf->subject_cn);
    return 0;
}

static int check_anchor(const secip_cert *ca, int64_t at)
{
    char date[32];
    if (!ca->is_ca)
        return sp_error_set(SECIP_EVERIFY,
                            "trusted certificate '%s' is not a CA certificate",
                            ca->subject_cn);
    if (ca->pkey.key_type == BR_KEYTYPE_RSA && ca->pkey_bits < 2048)
        return sp_error_set(SECIP_EVERIFY,
                            "trusted CA '%s' has an RSA key below 2048 bits",
                            ca->subject_cn);
    if (at > ca->not_after) {
        sp_time_format_date(ca->not_after, date, sizeof date);
        return sp_error_set(SECIP_EVERIFY, "trusted CA '%s' expired on %s",
                            ca->subject_cn, date);
    }
    if (at < ca->not_before) {
        sp_time_format_date(ca->not_before, date, sizeof date);
        return sp_error_set(SECIP_EVERIFY,
                            "trusted CA '%s' is not yet valid (valid from %s)",
                            ca->subject_cn, date);
    }
    return 0;
}

int secip_cert_verify(const secip_cert *cert, const secip_cert *ca,
                      const char *expected_name, int64_t at_time,
                      unsigned usage)
{
    if (cert == NULL || ca == NULL)
        return sp_error_set(SECIP_EINVAL, "secip_cert_verify: NULL argument");
    int64_t at = at_time != 0 ? at_time : spl_time_now();
    int rc = check_anchor(ca, at);
    if (rc < 0)
        return rc;

    br_x509_trust_anchor ta;
    sp_cert_trust_anchor(ca, &ta);

    /* BearSSL matches DNS names only; an IP address is checked here. */
    unsigned char ip[16];
    int iplen = expected_name != NULL && expected_name[0] != '\0'
                    ? sp_ip_parse(expected_name, ip)
                    : -1;
    const char *dns =
        iplen > 0 || expected_name == NULL || expected_name[0] == '\0'
            ? NULL
            : expected_name;
    unsigned usages = 0;
    unsigned err = run_minimal(cert, &ta, dns, at, &usages);
    if (err == 0xffffu)
        return sp_error_set(SECIP_ENOMEM, "out of memory verifying a chain");
    if (err != 0)
        return map_error(err, cert, ca, expected_name, at);
    if (iplen > 0 && (rc = check_ip_name(cert, expected_name, ip, iplen)) < 0)
        return rc;
    if ((rc = check_anchor_path_len(cert, ca)) < 0)
        return rc;
    return check_usage(cert, usage, usages);
}
