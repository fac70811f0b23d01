/*
 * sdk/src/crypto/key.c -- RSA key objects: generation, element storage,
 * SPKI encoding and parsing, fingerprints.
 */
#include "crypto/key_internal.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/rng.h"
#include "crypto/util.h"
#include "error.h"

const unsigned char sp_oid_rsa_encryption[9] = {0x2a, 0x86, 0x48, 0x86, 0xf7,
                                                0x0d, 0x01, 0x01, 0x01};

#define RSA_F4 65537u

/* Strip leading zero bytes of a big-endian integer. */
static const unsigned char *trim(const unsigned char *p, size_t *len)
{
    while (*len > 0 && p[0] == 0) {
        p++;
        (*len)--;
    }
    return p;
}

static unsigned bit_length(const unsigned char *n, size_t len)
{
    if (len == 0)
        return 0;
    unsigned bits = (unsigned)(len - 1) * 8;
    for (unsigned top = n[0]; top != 0; top >>= 1)
        bits++;
    return bits;
}

/* Copies src into the block at *pos and returns where it landed. */
static unsigned char *put(secip_key *k, size_t *pos, const void *src,
                          size_t len)
{
    unsigned char *dst = k->mem + *pos;
    if (len > 0)
        memcpy(dst, src, len);
    *pos += len;
    return dst;
}

int sp_key_from_parts(const br_rsa_public_key *pk, const br_rsa_private_key *sk,
                      const unsigned char *d, size_t dlen, secip_key **out)
{
    *out = NULL;
    size_t nlen = pk->nlen, elen = pk->elen;
    const unsigned char *n = trim(pk->n, &nlen);
    const unsigned char *e = trim(pk->e, &elen);
    unsigned bits = bit_length(n, nlen);
    if (bits < SP_RSA_MIN_BITS)
        return sp_error_set(SECIP_EINVAL,
                            "RSA key of %u bits is too weak: secip requires "
                            "at least %d bits",
                            bits, SP_RSA_MIN_BITS);
    if (bits > SP_RSA_MAX_BITS)
        return sp_error_set(SECIP_EINVAL,
                            "RSA key of %u bits is larger than the supported "
                            "maximum of %d bits",
                            bits, SP_RSA_MAX_BITS);
    if (elen == 0 || elen > 4 || !(e[elen - 1] & 1))
        return sp_error_set(SECIP_EFORMAT, "invalid RSA public exponent");

    size_t total = nlen + elen;
    if (sk != NULL)
        total += sk->plen + sk->qlen + sk->dplen + sk->dqlen + sk->iqlen + dlen;
    secip_key *k = calloc(1, sizeof *k);
    if (k == NULL || (k->mem = malloc(total)) == NULL) {
        free(k);
        return sp_error_set(SECIP_ENOMEM, "out of memory for an RSA key");
    }
    k->mem_len = total;
    size_t pos = 0;
    k->bits = bits;
    k->pk.n = put(k, &pos, n, nlen);
    k->pk.nlen = nlen;
    k->pk.e = put(k, &pos, e, elen);
    k->pk.elen = elen;
    if (sk != NULL) {
        k->has_private = 1;
        k->sk.n_bitlen = bits;
        k->sk.p = put(k, &pos, sk->p, sk->plen);
        k->sk.plen = sk->plen;
        k->sk.q = put(k, &pos, sk->q, sk->qlen);
        k->sk.qlen = sk->qlen;
        k->sk.dp = put(k, &pos, sk->dp, sk->dplen);
        k->sk.dplen = sk->dplen;
        k->sk.dq = put(k, &pos, sk->dq, sk->dqlen);
        k->sk.dqlen = sk->dqlen;
        k->sk.iq = put(k, &pos, sk->iq, sk->iqlen);
        k->sk.iqlen = sk->iqlen;
        k->d = put(k, &pos, d, dlen);
        k->dlen = dlen;
    }
    *out = k;
    return 0;
}

int secip_key_generate(unsigned bits, secip_key **out)
{
    if (out == NULL)
        return sp_error_set(SECIP_EINVAL, "secip_key_generate: out is NULL");
    *out = NULL;
    if (bits < SP_RSA_MIN_BITS)
        return sp_error_set(SECIP_EINVAL,
                            "RSA key size %u is too weak: secip requires at "
                            "least 2048 bits (2048, 3072 or 4096)",
                            bits);
    if (bits != 2048 && bits != 3072 && bits != 4096)
        return sp_error_set(SECIP_EINVAL,
                            "unsupported RSA key size %u: use 2048, 3072 or "
                            "4096",
                            bits);

    /* Worst case sizes, so one set of buffers serves every size. */
    unsigned char kpriv[BR_RSA_KBUF_PRIV_SIZE(SP_RSA_MAX_BITS)];
    unsigned char kpub[BR_RSA_KBUF_PUB_SIZE(SP_RSA_MAX_BITS)];
    unsigned char d[SP_RSA_MAX_BITS / 8];
    br_rsa_private_key sk;
    br_rsa_public_key pk;
    br_hmac_drbg_context rng;

    int rc = sp_rng_child(&rng);
    if (rc < 0)
        return rc;
    uint32_t ok = br_rsa_keygen_get_default()(&rng.vtable, &sk, kpriv, &pk,
                                              kpub, bits, RSA_F4);
    size_t dlen = 0;
    if (ok)
        dlen = br_rsa_compute_privexp_get_default()(d, &sk, RSA_F4);
    if (!ok || dlen == 0)
        rc = sp_error_set(SECIP_EINTERNAL, "RSA key generation failed");
    else
        rc = sp_key_from_parts(&pk, &sk, d, dlen, out);
    sp_wipe(&rng, sizeof rng);
    sp_wipe(kpriv, sizeof kpriv);
    sp_wipe(d, sizeof d);
    sp_wipe(&sk, sizeof sk);
    return rc;
}

void secip_key_free(secip_key *key)
{
    if (key == NULL)
        return;
    if (key->mem != NULL) {
        sp_wipe(key->mem, key->mem_len);
        free(key->mem);
    }
    sp_wipe(key, sizeof *key);
    free(key);
}

const br_rsa_public_key *sp_key_rsa_pk(const secip_key *key)
{
    return key != NULL ? &key->pk : NULL;
}

const br_rsa_private_key *sp_key_rsa_sk(const secip_key *key)
{
    return key != NULL && key->has_private ? &key->sk : NULL;
}

int secip_key_bits(const secip_key *key)
{
    if (key == NULL)
        return sp_error_set(SECIP_EINVAL, "secip_key_bits: key is NULL");
    return (int)key->bits;
}

int secip_key_has_private(const secip_key *key)
{
    return key != NULL && key->has_private;
}

int secip_key_public_equal(const secip_key *a, const secip_key *b)
{
    if (a == NULL || b == NULL)
        return 0;
    return a->pk.nlen == b->pk.nlen && a->pk.elen == b->pk.elen &&
           memcmp(a->pk.n, b->pk.n, a->pk.nlen) == 0 &&
           memcmp(a->pk.e, b->pk.e, a->pk.elen) == 0;
}

void sp_key_write_spki(const secip_key *key, sp_dw *w)
{
    /* SubjectPublicKeyInfo { AlgorithmIdentifier { rsaEncryption, NULL },
     *   BIT STRING { RSAPublicKey { n, e } } }  (RFC 3279 2.3.1) */
    size_t spki = sp_dw_begin(w);
    size_t alg = sp_dw_begin(w);
    sp_dw_oid(w, sp_oid_rsa_encryption, sizeof sp_oid_rsa_encryption);
    sp_dw_null(w);
    sp_dw_end(w, alg, DER_SEQUENCE);
    size_t bits = sp_dw_begin(w);
    static const unsigned char unused = 0;
    sp_dw_raw(w, &unused, 1);
    size_t rsapk = sp_dw_begin(w);
    sp_dw_uint(w, key->pk.n, key->pk.nlen);
    sp_dw_uint(w, key->pk.e, key->pk.elen);
    sp_dw_end(w, rsapk, DER_SEQUENCE);
    sp_dw_end(w, bits, DER_BIT_STRING);
    sp_dw_end(w, spki, DER_SEQUENCE);
}

static int parse_rsa_public(const unsigned char *der, size_t len,
                            secip_key **out)
{
    sp_der d, in;
    sp_tlv seq, n, e;
    const unsigned char *nv, *ev;
    br_rsa_public_key pk;
    sp_der_init(&d, der, len);
    if (sp_der_expect(&d, DER_SEQUENCE, &seq) < 0 || !sp_der_empty(&d))
        return sp_error_set(SECIP_EFORMAT, "malformed RSA public key");
    sp_der_enter(&seq, &in);
    if (sp_der_expect(&in, DER_INTEGER, &n) < 0 ||
        sp_der_expect(&in, DER_INTEGER, &e) < 0 || !sp_der_empty(&in) ||
        sp_der_uint(&n, &nv, &pk.nlen) < 0 ||
        sp_der_uint(&e, &ev, &pk.elen) < 0)
        return sp_error_set(SECIP_EFORMAT, "malformed RSA public key");
    /* BearSSL's struct is not const-qualified; the bytes are only read. */
    pk.n = (unsigned char *)(uintptr_t)nv;
    pk.e = (unsigned char *)(uintptr_t)ev;
    return sp_key_from_parts(&pk, NULL, NULL, 0, out);
}

int sp_key_parse_spki(const unsigned char *der, size_t len, secip_key **out)
{
    sp_der d, in, alg_in;
    sp_tlv spki, alg, oid, bits;
    *out = NULL;
    sp_der_init(&d, der, len);
    if (sp_der_expect(&d, DER_SEQUENCE, &spki) < 0 || !sp_der_empty(&d))
        return sp_error_set(SECIP_EFORMAT, "malformed SubjectPublicKeyInfo");
    sp_der_enter(&spki, &in);
    if (sp_der_expect(&in, DER_SEQUENCE, &alg) < 0 ||
        sp_der_expect(&in, DER_BIT_STRING, &bits) < 0 || !sp_der_empty(&in))
        return sp_error_set(SECIP_EFORMAT, "malformed SubjectPublicKeyInfo");
    sp_der_enter(&alg, &alg_in);
    if (sp_der_expect(&alg_in, DER_OID, &oid) < 0)
        return sp_error_set(SECIP_EFORMAT, "malformed SubjectPublicKeyInfo");
    if (!sp_der_oid_is(&oid, sp_oid_rsa_encryption,
                       sizeof sp_oid_rsa_encryption))
        return sp_error_set(SECIP_ENOTSUP,
                            "public key is not an RSA key (only RSA keys are "
                            "supported)");
    if (bits.len < 1 || bits.val[0] != 0)
        return sp_error_set(SECIP_EFORMAT, "malformed public key bit string");
    return parse_rsa_public(bits.val + 1, bits.len - 1, out);
}

int sp_key_parse_rsa_public(const unsigned char *der, size_t len,
                            secip_key **out)
{
    *out = NULL;
    return parse_rsa_public(der, len, out);
}

int secip_key_fingerprint(const secip_key *key,
                          char hex[SECIP_FINGERPRINT_HEX_LEN + 1])
{
    if (key == NULL || hex == NULL)
        return sp_error_set(SECIP_EINVAL,
                            "secip_key_fingerprint: NULL argument");
    sp_dw w;
    unsigned char h[32];
    sp_dw_init(&w);
    sp_key_write_spki(key, &w);
    int rc = sp_dw_status(&w);
    if (rc < 0) {
        sp_dw_free(&w);
        return sp_error_set(rc, "cannot encode the public key");
    }
    sp_sha256(w.buf, w.len, h);
    sp_dw_free(&w);
    sp_hex_encode(h, sizeof h, hex);
    return 0;
}
