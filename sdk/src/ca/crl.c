/*
 * sdk/src/ca/crl.c -- signed revocation lists and the CA's RSA signatures
 * (PKCS#1 v1.5 with SHA-256 over a canonical text; see PROTOCOL.md).
 */
#include <bearssl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca/ca_internal.h"
#include "crypto/cert_internal.h"
#include "crypto/key_internal.h"
#include "crypto/util.h"
#include "error.h"
#include "session/json_intake.h"

#define CRL_MAX_ENTRIES 100000
#define SIG_MAX         512 /* 4096-bit RSA */

/* Immutable once parsed, so that sessions on any thread may read it; the
 * application and every client, server and session that uses the list
 * hold a reference (see sp_crl_ref). */
struct secip_ca_crl {
    spl_atomic refs;
    unsigned char issuer[32]; /* SHA-256 of the signing CA's SPKI */
    int64_t issued, next_update;
    size_t count;
    char (*serial)[41];
    char (*fp)[65];
};

int sp_ca_sign_b64(const secip_key *key, const void *data, size_t len,
                   char **b64)
{
    const br_rsa_private_key *sk = sp_key_rsa_sk(key);
    if (sk == NULL)
        return sp_error_set(SECIP_EINVAL, "signing key has no private part");
    unsigned char hash[32], sig[SIG_MAX];
    sp_sha256(data, len, hash);
    size_t slen = (sk->n_bitlen + 7) / 8;
    if (slen > SIG_MAX ||
        !br_rsa_pkcs1_sign_get_default()(BR_HASH_OID_SHA256, hash, 32, sk, sig))
        return sp_error_set(SECIP_EINTERNAL, "RSA signature failed");
    size_t cap = slen * 4 / 3 + 8;
    *b64 = malloc(cap);
    if (*b64 == NULL)
        return sp_error_set(SECIP_ENOMEM, "out of memory");
    (void)sp_b64_encode(sig, slen, *b64, cap);
    return 0;
}

int sp_ca_verify_b64(const secip_key *key, const void *data, size_t len,
                     const char *b64)
{
    const br_rsa_public_key *pk = sp_key_rsa_pk(key);
    unsigned char hash[32], got[32], sig[SIG_MAX];
    int n = sp_b64_decode(b64, strlen(b64), sig, sizeof sig);
    if (pk == NULL || n <= 0 || (size_t)n != (pk->nlen))
        return sp_error_set(SECIP_EVERIFY, "malformed signature");
    sp_sha256(data, len, hash);
    if (!br_rsa_pkcs1_vrfy_get_default()(sig, (size_t)n, BR_HASH_OID_SHA256, 32,
                                         pk, got) ||
        !sp_ct_equal(hash, got, 32))
        return sp_error_set(SECIP_EVERIFY, "bad signature");
    return 0;
}

/* Append to a growing text buffer; returns 0 or SECIP_ENOMEM. */
static int put(char **buf, size_t *len, size_t *cap, const char *s)
{
    size_t n = strlen(s);
    if (*len + n + 1 > *cap) {
        size_t nc = (*cap + n + 1) * 2;
        char *b = realloc(*buf, nc);
        if (b == NULL)
            return sp_error_set(SECIP_ENOMEM, "out of memory");
        *buf = b;
        *cap = nc;
    }
    memcpy(*buf + *len, s, n + 1);
    *len += n;
    return 0;
}

static int int_of(json_object *o, const char *key, int64_t *out)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(o, key, &v) ||
        !json_object_is_type(v, json_type_int))
        return -1;
    *out = json_object_get_int64(v);
    return 0;
}

/* The canonical text that is signed: see PROTOCOL.md. */
static int canonical(json_object *crl, char **text, size_t *len)
{
    char line[200];
    size_t cap = 0;
    int64_t issued = 0, next = 0;
    json_object *list = NULL;
    *text = NULL;
    *len = 0;
    if (int_of(crl, "issued", &issued) < 0 ||
        int_of(crl, "next_update", &next) < 0 ||
        !json_object_object_get_ex(crl, "revoked", &list) ||
        !json_object_is_type(list, json_type_array) ||
        json_object_array_length(list) > CRL_MAX_ENTRIES)
        return sp_error_set(SECIP_EPROTO, "malformed revocation list");
    snprintf(line, sizeof line, "secip-crl-v1\n%" PRId64 "\n%" PRId64 "\n",
             issued, next);
    int rc = put(text, len, &cap, line);
    size_t n = json_object_array_length(list);
    for (size_t i = 0; rc >= 0 && i < n; i++) {
        json_object *e = json_object_array_get_idx(list, i);
        const char *serial = sp_json_str(e, "serial", 0);
        const char *fp = sp_json_str(e, "key_fingerprint", 0);
        int64_t at = 0;
        if (serial == NULL || fp == NULL || strlen(serial) > 40 ||
            strlen(fp) != 64 || int_of(e, "revoked_at", &at) < 0) {
            rc = sp_error_set(SECIP_EPROTO, "malformed revocation entry");
            break;
        }
        snprintf(line, sizeof line, "%s %s %" PRId64 "\n", serial, fp, at);
        rc = put(text, len, &cap, line);
    }
    if (rc < 0) {
        free(*text);
        *text = NULL;
    }
    return rc;
}

int sp_crl_build(json_object *root, const secip_key *ca_key, int64_t now,
                 int64_t validity, json_object **out)
{
    json_object *crl = json_object_new_object(),
                *list = json_object_new_array();
    json_object *users = NULL;
    json_object_object_add(crl, "issued", json_object_new_int64(now));
    json_object_object_add(crl, "next_update",
                           json_object_new_int64(now + validity));
    json_object_object_add(crl, "revoked", list);
    json_object_object_get_ex(root, "users", &users);
    json_object_object_foreach(users, name, u)
    {
        (void)name;
        json_object *certs = NULL;
        json_object_object_get_ex(u, "certificates", &certs);
        size_t n = json_object_array_length(certs);
        for (size_t i = 0; i < n; i++) {
            json_object *c = json_object_array_get_idx(certs, i), *v = NULL;
            json_object_object_get_ex(c, "revoked", &v);
            if (!json_object_get_boolean(v))
                continue;
            json_object *e = json_object_new_object();
            const char *keys[] = {"serial", "key_fingerprint", "revoked_at"};
            for (size_t k = 0; k < 3; k++) {
                json_object_object_get_ex(c, keys[k], &v);
                json_object_object_add(e, keys[k], json_object_get(v));
            }
            json_object_array_add(list, e);
        }
    }
    char *text = NULL, *sig = NULL;
    size_t len = 0;
    int rc = canonical(crl, &text, &len);
    if (rc >= 0)
        rc = sp_ca_sign_b64(ca_key, text, len, &sig);
    free(text);
    if (rc < 0) {
        json_object_put(crl);
        return rc;
    }
    json_object_object_add(crl, "signature", json_object_new_string(sig));
    free(sig);
    *out = crl;
    return 0;
}

int sp_crl_parse(json_object *obj, const secip_cert *ca_cert,
                 secip_ca_crl **out)
{
    char *text = NULL;
    size_t len = 0;
    const char *sig = sp_json_str(obj, "signature", 0);
    if (sig == NULL)
        return sp_error_set(SECIP_EPROTO, "revocation list without signature");
    int rc = canonical(obj, &text, &len);
    if (rc < 0)
        return rc;
    secip_key *pub = NULL;
    rc = secip_cert_public_key(ca_cert, &pub);
    if (rc >= 0)
        rc = sp_ca_verify_b64(pub, text, len, sig);
    secip_key_free(pub);
    free(text);
    if (rc < 0)
        return sp_error_wrap(SECIP_EVERIFY, "revocation list");
    json_object *list = NULL;
    json_object_object_get_ex(obj, "revoked", &list);
    size_t n = json_object_array_length(list);
    secip_ca_crl *c = calloc(1, sizeof *c);
    if (c != NULL) {
        c->serial = calloc(n + 1, sizeof *c->serial);
        c->fp = calloc(n + 1, sizeof *c->fp);
    }
    if (c == NULL || c->serial == NULL || c->fp == NULL) {
        secip_ca_crl_free(c);
        return sp_error_set(SECIP_ENOMEM, "out of memory");
    }
    spl_atomic_store(&c->refs, 1);
    sp_sha256(ca_cert->spki.p, ca_cert->spki.len, c->issuer);
    int_of(obj, "issued", &c->issued);
    int_of(obj, "next_update", &c->next_update);
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(list, i);
        snprintf(c->serial[i], sizeof c->serial[i], "%s",
                 sp_json_str(e, "serial", 0));
        snprintf(c->fp[i], sizeof c->fp[i], "%s",
                 sp_json_str(e, "key_fingerprint", 0));
    }
    c->count = n;
    *out = c;
    return 0;
}

int64_t secip_ca_crl_issued(const secip_ca_crl *crl)
{
    return crl != NULL ? crl->issued : 0;
}

int64_t secip_ca_crl_next_update(const secip_ca_crl *crl)
{
    return crl != NULL ? crl->next_update : 0;
}

size_t secip_ca_crl_count(const secip_ca_crl *crl)
{
    return crl != NULL ? crl->count : 0;
}

int secip_ca_crl_has_serial(const secip_ca_crl *crl, const char *serial_hex)
{
    if (crl == NULL || serial_hex == NULL)
        return 0;
    for (size_t i = 0; i < crl->count; i++)
        if (strcmp(crl->serial[i], serial_hex) == 0)
            return 1;
    return 0;
}

int secip_ca_crl_check_session(const secip_ca_crl *crl, const secip_session *s)
{
    char fp[65];
    if (crl == NULL || s == NULL)
        return sp_error_set(SECIP_EINVAL, "NULL argument");
    int rc = secip_session_peer_fingerprint(s, fp);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < crl->count; i++)
        if (strcmp(crl->fp[i], fp) == 0)
            return sp_error_set(SECIP_EVERIFY, "peer certificate revoked");
    return 0;
}

secip_ca_crl *sp_crl_ref(const secip_ca_crl *crl)
{
    secip_ca_crl *c = (secip_ca_crl *)(uintptr_t)crl; /* refs only */
    if (c != NULL)
        spl_atomic_add(&c->refs, 1);
    return c;
}

int sp_crl_signed_by(const secip_ca_crl *crl, const secip_cert *ca)
{
    unsigned char fp[32];
    if (crl == NULL || ca == NULL)
        return 0;
    sp_sha256(ca->spki.p, ca->spki.len, fp);
    return memcmp(fp, crl->issuer, sizeof fp) == 0;
}

void secip_ca_crl_free(secip_ca_crl *crl)
{
    if (crl == NULL || spl_atomic_add(&crl->refs, -1) > 0)
        return;
    free(crl->serial);
    free(crl->fp);
    free(crl);
}
