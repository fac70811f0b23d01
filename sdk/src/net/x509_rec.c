/*
 * sdk/src/net/x509_rec.c -- the recording X.509 class (see x509_rec.h).
 */
#include "net/x509_rec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca/ca_internal.h"
#include "crypto/cert_internal.h"
#include "crypto/util.h"
#include "error.h"
#include "net/tls_pump.h"

#define REC(ctx) ((sp_x509_rec *)(void *)(ctx))

static void rec_start_chain(const br_x509_class **ctx, const char *name)
{
    (void)name; /* the expected name is ours, not the engine's */
    sp_x509_rec_reset(REC(ctx));
}

static void rec_start_cert(const br_x509_class **ctx, uint32_t length)
{
    sp_x509_rec *r = REC(ctx);
    if (r->bad)
        return;
    /* Check the announced length before allocating anything. */
    if (r->count >= SP_CERT_MAX_CHAIN || length == 0 ||
        length > SP_CERT_MAX_DER) {
        r->bad = 1;
        return;
    }
    r->der[r->count] = malloc(length);
    if (r->der[r->count] == NULL) {
        r->bad = 1;
        return;
    }
    r->der_len[r->count] = length;
    r->der_have = 0;
    r->count++;
}

static void rec_append(const br_x509_class **ctx, const unsigned char *buf,
                       size_t len)
{
    sp_x509_rec *r = REC(ctx);
    size_t i;
    if (r->bad || r->count == 0)
        return;
    i = (size_t)r->count - 1;
    if (len > r->der_len[i] - r->der_have) {
        r->bad = 1;
        return;
    }
    memcpy(r->der[i] + r->der_have, buf, len);
    r->der_have += len;
}

static void rec_end_cert(const br_x509_class **ctx)
{
    sp_x509_rec *r = REC(ctx);
    if (!r->bad && r->count > 0 && r->der_have != r->der_len[r->count - 1])
        r->bad = 1;
}

static unsigned reject(sp_x509_rec *r)
{
    snprintf(r->detail, sizeof r->detail, "%s", secip_last_error());
    r->rejected = 1;
    return SP_TLS_X509_REJECTED;
}

/* Leaf plus chain as one secip_cert for secip_cert_verify(). */
static int build_chain(sp_x509_rec *r)
{
    for (int i = 1; i < r->count; i++) {
        secip_cert *c = NULL;
        int rc = sp_cert_parse(r->der[i], r->der_len[i], &c);
        if (rc < 0)
            return rc;
        rc = secip_cert_chain_append(r->leaf, c);
        secip_cert_free(c);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* A list applies to the certificates of the CA that signed it: serials
 * are unique per issuer only. */
static int revoked(sp_x509_rec *r)
{
    const char *serial = secip_cert_serial_hex(r->leaf);
    if (r->crl == NULL || !sp_crl_signed_by(r->crl, r->ca) ||
        !secip_ca_crl_has_serial(r->crl, serial))
        return 0;
    sp_error_set(SECIP_EVERIFY, "certificate revoked (serial %s, CN %s)",
                 serial, r->leaf->subject_cn);
    return 1;
}

static unsigned apply_policy(sp_x509_rec *r)
{
    unsigned char fp[32];
    int rc;

    sp_sha256(r->leaf->spki.p, r->leaf->spki.len, fp);
    sp_hex_encode(fp, sizeof fp, r->fingerprint);
    r->have_fp = 1;
    snprintf(r->peer_cn, sizeof r->peer_cn, "%s", r->leaf->subject_cn);
    if (r->leaf->pkey.key_type != BR_KEYTYPE_RSA) {
        sp_error_set(SECIP_EVERIFY, "peer certificate has no RSA key");
        return reject(r);
    }
    switch (r->mode) {
    case SP_TRUST_CA:
        rc = build_chain(r);
        if (rc >= 0)
            rc = secip_cert_verify(r->leaf, r->ca, r->name[0] ? r->name : NULL,
                                   0, r->usage);
        if (rc < 0) {
            sp_error_wrap(SECIP_EVERIFY, "peer certificate rejected");
            return reject(r);
        }
        if (revoked(r))
            return reject(r);
        r->verified = 1;
        break;
    case SP_TRUST_PIN:
        if (!sp_ct_equal(fp, r->pin, sizeof fp)) {
            sp_error_set(SECIP_EVERIFY,
                         "pin mismatch: the peer's key has fingerprint %s",
                         r->fingerprint);
            return reject(r);
        }
        r->verified = 1;
        break;
    default: break;
    }
    return 0;
}

static unsigned rec_end_chain(const br_x509_class **ctx)
{
    sp_x509_rec *r = REC(ctx);
    if (r->bad || r->count == 0) {
        sp_error_set(SECIP_EVERIFY, r->count == 0
                                        ? "the peer sent no certificate"
                                        : "the peer's certificate chain is too "
                                          "long or malformed");
        return reject(r);
    }
    if (sp_cert_parse(r->der[0], r->der_len[0], &r->leaf) < 0) {
        sp_error_wrap(SECIP_EVERIFY, "peer certificate unreadable");
        return reject(r);
    }
    return apply_policy(r);
}

static const br_x509_pkey *rec_get_pkey(const br_x509_class *const *ctx,
                                        unsigned *usages)
{
    const sp_x509_rec *r = (const sp_x509_rec *)(const void *)ctx;
    if (r->leaf == NULL || r->rejected)
        return NULL;
    if (usages != NULL) {
        unsigned u = 0;
        if (!r->leaf->has_key_usage ||
            (r->leaf->key_usage & SECIP_KU_DIGITAL_SIGNATURE))
            u |= BR_KEYTYPE_SIGN;
        if (!r->leaf->has_key_usage ||
            (r->leaf->key_usage & SECIP_KU_KEY_ENCIPHERMENT))
            u |= BR_KEYTYPE_KEYX;
        *usages = u;
    }
    return &r->leaf->pkey;
}

static const br_x509_class rec_vtable = {
    sizeof(sp_x509_rec), rec_start_chain, rec_start_cert, rec_append,
    rec_end_cert,        rec_end_chain,   rec_get_pkey};

void sp_x509_rec_init(sp_x509_rec *rec, int mode)
{
    memset(rec, 0, sizeof *rec);
    rec->vtable = &rec_vtable;
    rec->mode = mode;
}

void sp_x509_rec_reset(sp_x509_rec *r)
{
    for (int i = 0; i < r->count; i++)
        free(r->der[i]);
    secip_cert_free(r->leaf);
    r->leaf = NULL;
    r->count = 0;
    r->der_have = 0;
    r->bad = 0;
    r->rejected = 0;
    r->verified = 0;
    r->have_fp = 0;
    r->fingerprint[0] = '\0';
    r->peer_cn[0] = '\0';
    r->detail[0] = '\0';
}

void sp_x509_rec_set_crl(sp_x509_rec *rec, const secip_ca_crl *crl)
{
    secip_ca_crl *old = rec->crl;
    rec->crl = sp_crl_ref(crl);
    secip_ca_crl_free(old);
}

void sp_x509_rec_fini(sp_x509_rec *rec)
{
    sp_x509_rec_reset(rec);
    secip_ca_crl_free(rec->crl);
    rec->crl = NULL;
}

int sp_parse_fingerprint(const char *hex, unsigned char out[32])
{
    size_t n = 0;
    int hi = -1;
    if (hex == NULL)
        return sp_error_set(SECIP_EFORMAT, "pin: NULL fingerprint");
    for (const char *p = hex; *p; p++) {
        int v;
        if (*p == ':')
            continue;
        v = sp_hex_value(*p);
        if (v < 0 || n >= 32)
            return sp_error_set(SECIP_EFORMAT,
                                "pin: expected 64 hex digits (SHA-256), "
                                "got '%.80s'",
                                hex);
        if (hi < 0) {
            hi = v;
        } else {
            out[n++] = (unsigned char)(hi << 4 | v);
            hi = -1;
        }
    }
    if (n != 32 || hi >= 0)
        return sp_error_set(SECIP_EFORMAT,
                            "pin: expected 64 hex digits (SHA-256), got "
                            "'%.80s'",
                            hex);
    return 0;
}
