/*
 * sdk/src/crypto/key_pem.c -- loading and saving keys as PEM.
 *
 * Private keys are decoded by BearSSL's br_skey_decoder (PKCS#1 and
 * PKCS#8).  It yields only the CRT elements, so the modulus, the public
 * exponent and the private exponent -- needed to write PKCS#8 back and to
 * know the public key -- are read from the same DER with secip's reader,
 * and the modulus is checked against the primes.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/fileio.h"
#include "crypto/key_internal.h"
#include "crypto/pem.h"
#include "crypto/util.h"
#include "error.h"

/* The elements secip reads itself from an RSAPrivateKey. */
typedef struct rsa_ned {
    const unsigned char *n, *e, *d;
    size_t nlen, elen, dlen;
} rsa_ned;

/* RSAPrivateKey ::= SEQUENCE { version, n, e, d, p, q, dp, dq, qinv, ... } */
static int parse_pkcs1(const unsigned char *der, size_t len, rsa_ned *k)
{
    sp_der d, in;
    sp_tlv seq, ver, n, e, dd;
    long v;
    sp_der_init(&d, der, len);
    if (sp_der_expect(&d, DER_SEQUENCE, &seq) < 0 || !sp_der_empty(&d))
        return -1;
    sp_der_enter(&seq, &in);
    if (sp_der_expect(&in, DER_INTEGER, &ver) < 0 ||
        sp_der_small_uint(&ver, &v) < 0 || v != 0 ||
        sp_der_expect(&in, DER_INTEGER, &n) < 0 ||
        sp_der_expect(&in, DER_INTEGER, &e) < 0 ||
        sp_der_expect(&in, DER_INTEGER, &dd) < 0)
        return -1;
    if (sp_der_uint(&n, &k->n, &k->nlen) < 0 ||
        sp_der_uint(&e, &k->e, &k->elen) < 0 ||
        sp_der_uint(&dd, &k->d, &k->dlen) < 0)
        return -1;
    return 0;
}

/* PrivateKeyInfo ::= SEQUENCE { version, AlgorithmIdentifier,
 *   privateKey OCTET STRING, ... }; anything else is taken as PKCS#1. */
static int parse_private(const unsigned char *der, size_t len, rsa_ned *k)
{
    sp_der d, in, alg_in;
    sp_tlv seq, ver, alg, oid, octets;
    sp_der_init(&d, der, len);
    if (sp_der_expect(&d, DER_SEQUENCE, &seq) < 0)
        return -1;
    sp_der_enter(&seq, &in);
    if (sp_der_expect(&in, DER_INTEGER, &ver) < 0)
        return -1;
    if (sp_der_peek(&in) != DER_SEQUENCE)
        return parse_pkcs1(der, len, k);
    if (sp_der_expect(&in, DER_SEQUENCE, &alg) < 0 ||
        sp_der_expect(&in, DER_OCTET_STR, &octets) < 0)
        return -1;
    sp_der_enter(&alg, &alg_in);
    if (sp_der_expect(&alg_in, DER_OID, &oid) < 0 ||
        !sp_der_oid_is(&oid, sp_oid_rsa_encryption,
                       sizeof sp_oid_rsa_encryption))
        return -1;
    return parse_pkcs1(octets.val, octets.len, k);
}

/* 1 when sk's primes multiply to the modulus n. */
static int modulus_matches(const br_rsa_private_key *sk, const unsigned char *n,
                           size_t nlen)
{
    br_rsa_compute_modulus cm = br_rsa_compute_modulus_get_default();
    size_t mlen = cm(NULL, sk);
    if (mlen == 0) {
        /* BearSSL 0.6's i31 code has a limit below 4096 bits here; the
         * i15 code does not. */
        cm = br_rsa_i15_compute_modulus;
        mlen = cm(NULL, sk);
    }
    if (mlen == 0 || mlen != nlen)
        return 0;
    unsigned char *m = malloc(mlen);
    if (m == NULL)
        return 0;
    int ok = cm(m, sk) == mlen && memcmp(m, n, nlen) == 0;
    free(m);
    return ok;
}

static int load_private(const unsigned char *der, size_t len, secip_key **out)
{
    br_skey_decoder_context *dc = malloc(sizeof *dc);
    if (dc == NULL)
        return sp_error_set(SECIP_ENOMEM, "out of memory decoding a key");
    br_skey_decoder_init(dc);
    br_skey_decoder_push(dc, der, len);
    int err = br_skey_decoder_last_error(dc);
    int rc;
    rsa_ned k;
    const br_rsa_private_key *sk = br_skey_decoder_get_rsa(dc);
    if (err != 0) {
        rc = sp_error_set(SECIP_EFORMAT,
                          "malformed private key (decoder error %d)", err);
    } else if (br_skey_decoder_key_type(dc) != BR_KEYTYPE_RSA || sk == NULL) {
        rc = sp_error_set(SECIP_ENOTSUP,
                          "private key is not an RSA key (only RSA keys are "
                          "supported)");
    } else if (parse_private(der, len, &k) < 0) {
        rc = sp_error_set(SECIP_EFORMAT, "malformed RSA private key");
    } else {
        br_rsa_public_key pk;
        pk.n = (unsigned char *)(uintptr_t)k.n;
        pk.nlen = k.nlen;
        pk.e = (unsigned char *)(uintptr_t)k.e;
        pk.elen = k.elen;
        rc = sp_key_from_parts(&pk, sk, k.d, k.dlen, out);
        if (rc == 0 && !modulus_matches(sk, k.n, k.nlen)) {
            secip_key_free(*out);
            *out = NULL;
            rc = sp_error_set(SECIP_EFORMAT,
                              "inconsistent RSA private key: the modulus "
                              "does not match the primes");
        }
    }
    sp_wipe(dc, sizeof *dc);
    free(dc);
    return rc;
}

/* Decodes one PEM object by its banner; 1 if it was not a key. */
static int load_object(const sp_pem_obj *o, secip_key **out)
{
    if (strcmp(o->name, "PRIVATE KEY") == 0 ||
        strcmp(o->name, "RSA PRIVATE KEY") == 0)
        return load_private(o->der, o->len, out);
    if (strcmp(o->name, "PUBLIC KEY") == 0)
        return sp_key_parse_spki(o->der, o->len, out);
    if (strcmp(o->name, "RSA PUBLIC KEY") == 0)
        return sp_key_parse_rsa_public(o->der, o->len, out);
    if (strcmp(o->name, "ENCRYPTED PRIVATE KEY") == 0 ||
        strstr(o->name, "ENCRYPTED") != NULL)
        return sp_error_set(SECIP_ENOTSUP,
                            "encrypted private keys are not supported "
                            "(decrypt it first, e.g. with openssl pkey)");
    if (strcmp(o->name, "EC PRIVATE KEY") == 0)
        return sp_error_set(SECIP_ENOTSUP,
                            "EC keys are not supported (only RSA)");
    return 1;
}

int secip_key_load_pem(const char *pem, size_t len, secip_key **out)
{
    if (out == NULL || pem == NULL)
        return sp_error_set(SECIP_EINVAL, "secip_key_load_pem: NULL argument");
    *out = NULL;
    sp_pem_obj *objs;
    size_t count;
    int rc = sp_pem_decode(pem, len, &objs, &count);
    if (rc < 0)
        return rc;
    rc = 1;
    for (size_t i = 0; i < count && rc == 1; i++)
        rc = load_object(&objs[i], out);
    sp_pem_free(objs, count);
    if (rc == 1)
        return sp_error_set(SECIP_EFORMAT,
                            "no private or public key in the PEM text");
    return rc;
}

int secip_key_load_file(const char *path, secip_key **out)
{
    if (out == NULL || path == NULL)
        return sp_error_set(SECIP_EINVAL, "secip_key_load_file: NULL argument");
    *out = NULL;
    char *text;
    size_t len;
    int rc = sp_file_read_all(path, SP_PEM_MAX_TEXT, &text, &len);
    if (rc < 0)
        return rc;
    rc = secip_key_load_pem(text, len, out);
    if (rc < 0)
        sp_error_wrap(rc, "%s", path);
    sp_wipe(text, len);
    free(text);
    return rc;
}

/* PEM text of the key into a new buffer (caller wipes and frees). */
static int key_pem(const secip_key *key, int private_part, char **text,
                   size_t *len)
{
    *text = NULL;
    *len = 0;
    if (key == NULL)
        return sp_error_set(SECIP_EINVAL, "key is NULL");
    if (private_part && !key->has_private)
        return sp_error_set(SECIP_EINVAL,
                            "the key has no private part to save");
    if (!private_part) {
        sp_dw w;
        sp_dw_init(&w);
        sp_key_write_spki(key, &w);
        int rc = sp_dw_status(&w);
        if (rc == 0)
            rc = sp_pem_append(text, len, "PUBLIC KEY", w.buf, w.len);
        else
            sp_error_set(rc, "cannot encode the public key");
        sp_dw_free(&w);
        return rc;
    }
    size_t dlen =
        br_encode_rsa_pkcs8_der(NULL, &key->sk, &key->pk, key->d, key->dlen);
    unsigned char *der = dlen > 0 ? malloc(dlen) : NULL;
    if (der == NULL)
        return sp_error_set(SECIP_ENOMEM, "cannot encode the private key");
    br_encode_rsa_pkcs8_der(der, &key->sk, &key->pk, key->d, key->dlen);
    int rc = sp_pem_append(text, len, "PRIVATE KEY", der, dlen);
    sp_wipe(der, dlen);
    free(der);
    return rc;
}

int secip_key_to_pem(const secip_key *key, int private_part, char *buf,
                     size_t cap)
{
    char *text;
    size_t len;
    int rc = key_pem(key, private_part, &text, &len);
    if (rc < 0)
        return rc;
    if (buf == NULL || cap < len + 1) {
        rc = sp_error_set(SECIP_ETOOBIG,
                          "PEM buffer too small: %lu bytes needed",
                          (unsigned long)(len + 1));
    } else {
        memcpy(buf, text, len + 1);
        rc = (int)len;
    }
    sp_wipe(text, len);
    free(text);
    return rc;
}

static int key_save(const secip_key *key, int private_part, const char *path)
{
    if (path == NULL)
        return sp_error_set(SECIP_EINVAL, "path is NULL");
    char *text;
    size_t len;
    int rc = key_pem(key, private_part, &text, &len);
    if (rc < 0)
        return rc;
    rc = sp_file_write_atomic(path, text, len, private_part);
    sp_wipe(text, len);
    free(text);
    return rc;
}

int secip_key_save_private(const secip_key *key, const char *path)
{
    return key_save(key, 1, path);
}

int secip_key_save_public(const secip_key *key, const char *path)
{
    return key_save(key, 0, path);
}
