/*
 * sdk/src/crypto/cert_issue.c -- issuing X.509 v3 certificates (RFC 5280)
 * with secip's DER writer, signed with sha256WithRSAEncryption.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/cert_internal.h"
#include "crypto/der.h"
#include "crypto/key_internal.h"
#include "crypto/rng.h"
#include "crypto/util.h"
#include "error.h"
#include "platform.h"

#define MAX_NAME_BYTES  64 /* ub-common-name, ub-organization-name */
#define MAX_DNS_BYTES   253
#define DAY             86400
#define CLOCK_SKEW_SECS 300

/* Strict UTF-8 (no overlongs, no surrogates) without control chars. */
static int valid_name(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    if (n == 0 || n > MAX_NAME_BYTES)
        return 0;
    for (size_t i = 0; i < n;) {
        unsigned c = p[i];
        size_t len = c < 0x80             ? 1
                     : (c & 0xe0) == 0xc0 ? 2
                     : (c & 0xf0) == 0xe0 ? 3
                     : (c & 0xf8) == 0xf0 ? 4
                                          : 0;
        if (len == 0 || i + len > n || c < 0x20 || c == 0x7f)
            return 0;
        unsigned cp = len == 1 ? c : c & (0x7f >> len);
        for (size_t k = 1; k < len; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (p[i + k] & 0x3f);
        }
        static const unsigned min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min_cp[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += len;
    }
    return 1;
}

/* A DNS name: labels of letters, digits and '-', optional "*." prefix. */
static int valid_dns(const char *s)
{
    size_t n = strlen(s), label = 0;
    if (n == 0 || n > MAX_DNS_BYTES)
        return 0;
    size_t i = 0;
    if (n > 2 && s[0] == '*' && s[1] == '.')
        i = 2;
    for (; i < n; i++) {
        char c = s[i];
        if (c == '.') {
            if (label == 0 || s[i - 1] == '-')
                return 0;
            label = 0;
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                   (c >= '0' && c <= '9') || c == '-' || c == '_') {
            if (++label > 63 || (label == 1 && c == '-'))
                return 0;
        } else {
            return 0;
        }
    }
    return label > 0 && s[n - 1] != '-';
}

static int check_options(const secip_cert_options *o)
{
    if (o->subject_cn == NULL || !valid_name(o->subject_cn))
        return sp_error_set(SECIP_EINVAL,
                            "subject CN must be 1 to 64 bytes of printable "
                            "UTF-8");
    if (o->subject_o != NULL && !valid_name(o->subject_o))
        return sp_error_set(SECIP_EINVAL,
                            "subject O must be 1 to 64 bytes of printable "
                            "UTF-8");
    if (o->dns_count > SECIP_CERT_MAX_SAN || o->ip_count > SECIP_CERT_MAX_SAN)
        return sp_error_set(SECIP_EINVAL, "more than %d DNS names or IPs",
                            SECIP_CERT_MAX_SAN);
    if ((o->dns_count > 0 && o->dns_names == NULL) ||
        (o->ip_count > 0 && o->ip_addrs == NULL))
        return sp_error_set(SECIP_EINVAL, "SAN array is NULL");
    for (size_t i = 0; i < o->dns_count; i++)
        if (o->dns_names[i] == NULL || !valid_dns(o->dns_names[i]))
            return sp_error_set(SECIP_EINVAL, "invalid DNS name \"%s\"",
                                o->dns_names[i] ? o->dns_names[i] : "(null)");
    for (size_t i = 0; i < o->ip_count; i++) {
        unsigned char ip[16];
        if (o->ip_addrs[i] == NULL || sp_ip_parse(o->ip_addrs[i], ip) < 0)
            return sp_error_set(SECIP_EINVAL, "invalid IP address \"%s\"",
                                o->ip_addrs[i] ? o->ip_addrs[i] : "(null)");
    }
    if (o->path_len < -1 || o->path_len > 100)
        return sp_error_set(SECIP_EINVAL, "path_len must be -1..100");
    if (o->key_usage & ~0x7fu)
        return sp_error_set(SECIP_EINVAL, "unknown key usage bits");
    if (o->ext_key_usage & ~(SECIP_EKU_SERVER | SECIP_EKU_CLIENT))
        return sp_error_set(SECIP_EINVAL, "unknown extended key usage bits");
    return 0;
}

static void write_name(sp_dw *w, const char *cn, const char *o)
{
    size_t name = sp_dw_begin(w);
    for (int i = 0; i < 2; i++) {
        const char *v = i == 0 ? o : cn;
        if (v == NULL)
            continue;
        size_t set = sp_dw_begin(w), atv = sp_dw_begin(w);
        sp_dw_oid(w, i == 0 ? sp_oid_o : sp_oid_cn, 3);
        sp_dw_str(w, DER_UTF8, v);
        sp_dw_end(w, atv, DER_SEQUENCE);
        sp_dw_end(w, set, DER_SET);
    }
    sp_dw_end(w, name, DER_SEQUENCE);
}

static void write_sig_alg(sp_dw *w)
{
    size_t m = sp_dw_begin(w);
    sp_dw_oid(w, sp_oid_sha256_rsa, sizeof sp_oid_sha256_rsa);
    sp_dw_null(w);
    sp_dw_end(w, m, DER_SEQUENCE);
}

typedef struct ext_mark {
    size_t ext, value;
} ext_mark;

static ext_mark ext_begin(sp_dw *w, const unsigned char *oid, int critical)
{
    ext_mark m;
    m.ext = sp_dw_begin(w);
    sp_dw_oid(w, oid, 3);
    if (critical)
        sp_dw_bool(w, 1);
    m.value = sp_dw_begin(w);
    return m;
}

static void ext_end(sp_dw *w, ext_mark m)
{
    sp_dw_end(w, m.value, DER_OCTET_STR);
    sp_dw_end(w, m.ext, DER_SEQUENCE);
}

static void write_key_usage(sp_dw *w, unsigned ku)
{
    /* Named BIT STRING: bit 0 is the most significant bit of the first
     * byte, and DER drops trailing zero bits (X.690 11.2.2). */
    unsigned char b[2] = {0, 0};
    for (unsigned i = 0; i < 7; i++)
        if (ku & (1u << i))
            b[1] |= (unsigned char)(0x80u >> i);
    while (!(b[1] & (1u << b[0])))
        b[0]++;
    ext_mark m = ext_begin(w, sp_oid_key_usage, 1);
    sp_dw_tlv(w, DER_BIT_STRING, b, 2);
    ext_end(w, m);
}

static void write_extensions(sp_dw *w, const secip_cert_options *o, unsigned ku,
                             const unsigned char ski[20],
                             const unsigned char *aki, size_t aki_len)
{
    size_t wrap = sp_dw_begin(w), list = sp_dw_begin(w);

    ext_mark m = ext_begin(w, sp_oid_basic_constraints, 1);
    size_t bc = sp_dw_begin(w);
    if (o->is_ca) { /* cA FALSE is the DEFAULT, so DER leaves it out */
        sp_dw_bool(w, 1);
        if (o->path_len >= 0)
            sp_dw_small_uint(w, (unsigned long)o->path_len);
    }
    sp_dw_end(w, bc, DER_SEQUENCE);
    ext_end(w, m);

    write_key_usage(w, ku);

    if (o->ext_key_usage != 0) {
        m = ext_begin(w, sp_oid_ext_key_usage, 0);
        size_t seq = sp_dw_begin(w);
        if (o->ext_key_usage & SECIP_EKU_SERVER)
            sp_dw_oid(w, sp_oid_server_auth, 8);
        if (o->ext_key_usage & SECIP_EKU_CLIENT)
            sp_dw_oid(w, sp_oid_client_auth, 8);
        sp_dw_end(w, seq, DER_SEQUENCE);
        ext_end(w, m);
    }
    if (o->dns_count + o->ip_count > 0) {
        m = ext_begin(w, sp_oid_san, 0);
        size_t seq = sp_dw_begin(w);
        for (size_t i = 0; i < o->dns_count; i++)
            sp_dw_str(w, DER_CONTEXT(2), o->dns_names[i]);
        for (size_t i = 0; i < o->ip_count; i++) {
            unsigned char ip[16];
            int n = sp_ip_parse(o->ip_addrs[i], ip);
            sp_dw_tlv(w, DER_CONTEXT(7), ip, (size_t)n);
        }
        sp_dw_end(w, seq, DER_SEQUENCE);
        ext_end(w, m);
    }
    m = ext_begin(w, sp_oid_ski, 0);
    sp_dw_tlv(w, DER_OCTET_STR, ski, 20);
    ext_end(w, m);

    m = ext_begin(w, sp_oid_aki, 0);
    size_t seq = sp_dw_begin(w);
    sp_dw_tlv(w, DER_CONTEXT(0), aki, aki_len);
    sp_dw_end(w, seq, DER_SEQUENCE);
    ext_end(w, m);

    sp_dw_end(w, list, DER_SEQUENCE);
    sp_dw_end(w, wrap, DER_EXPLICIT(3));
}

/* RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING
 * contents, i.e. of the DER RSAPublicKey. */
static int key_id(const secip_key *key, unsigned char out[20])
{
    sp_dw w;
    sp_dw_init(&w);
    size_t seq = sp_dw_begin(&w);
    sp_dw_uint(&w, key->pk.n, key->pk.nlen);
    sp_dw_uint(&w, key->pk.e, key->pk.elen);
    sp_dw_end(&w, seq, DER_SEQUENCE);
    int rc = sp_dw_status(&w);
    if (rc == 0)
        sp_sha1(w.buf, w.len, out);
    sp_dw_free(&w);
    return rc;
}

static int check_issuer(const secip_key *subject_key, const secip_cert *issuer,
                        const secip_key *issuer_key)
{
    if (!issuer_key->has_private)
        return sp_error_set(SECIP_EINVAL, "the issuer key has no private part");
    if (issuer == NULL) {
        if (!secip_key_public_equal(subject_key, issuer_key))
            return sp_error_set(SECIP_EINVAL,
                                "a self-signed certificate must be signed "
                                "with the subject's own key");
        return 0;
    }
    if (!issuer->is_ca || !(issuer->key_usage & SECIP_KU_KEY_CERT_SIGN))
        return sp_error_set(SECIP_EINVAL,
                            "issuer '%s' is not a CA certificate allowed to "
                            "sign certificates",
                            issuer->subject_cn);
    secip_key *ipk;
    int rc = secip_cert_public_key(issuer, &ipk);
    if (rc < 0)
        return rc;
    int same = secip_key_public_equal(ipk, issuer_key);
    secip_key_free(ipk);
    if (!same)
        return sp_error_set(SECIP_EINVAL,
                            "the issuer key does not belong to the issuer "
                            "certificate '%s'",
                            issuer->subject_cn);
    return 0;
}

static void write_tbs(sp_dw *w, const secip_cert_options *o,
                      const secip_key *subject_key, const secip_cert *issuer,
                      const unsigned char serial[16], int64_t nb, int64_t na,
                      const unsigned char ski[20], const unsigned char *aki,
                      size_t aki_len)
{
    unsigned ku = o->key_usage;
    if (ku == 0)
        ku = o->is_ca ? SECIP_KU_KEY_CERT_SIGN | SECIP_KU_CRL_SIGN |
                            SECIP_KU_DIGITAL_SIGNATURE
                      : SECIP_KU_DIGITAL_SIGNATURE | SECIP_KU_KEY_ENCIPHERMENT;
    size_t tbs = sp_dw_begin(w), ver = sp_dw_begin(w);
    sp_dw_small_uint(w, 2); /* v3 */
    sp_dw_end(w, ver, DER_EXPLICIT(0));
    sp_dw_uint(w, serial, 16);
    write_sig_alg(w);
    if (issuer != NULL)
        sp_dw_raw(w, issuer->subject_dn.p, issuer->subject_dn.len);
    else
        write_name(w, o->subject_cn, o->subject_o);
    size_t val = sp_dw_begin(w);
    sp_dw_time(w, nb);
    sp_dw_time(w, na);
    sp_dw_end(w, val, DER_SEQUENCE);
    write_name(w, o->subject_cn, o->subject_o);
    sp_key_write_spki(subject_key, w);
    write_extensions(w, o, ku, ski, aki, aki_len);
    sp_dw_end(w, tbs, DER_SEQUENCE);
}

/* Signs tbs[0..len) and wraps it into a Certificate in w. */
static int sign_cert(sp_dw *w, const unsigned char *tbs, size_t len,
                     const secip_key *issuer_key)
{
    unsigned char hash[32], sig[SP_RSA_MAX_BITS / 8];
    size_t sig_len = (issuer_key->sk.n_bitlen + 7) / 8;
    sp_sha256(tbs, len, hash);
    if (!br_rsa_pkcs1_sign_get_default()(BR_HASH_OID_SHA256, hash, 32,
                                         &issuer_key->sk, sig))
        return sp_error_set(SECIP_EINTERNAL, "RSA signing failed");
    size_t cert = sp_dw_begin(w);
    sp_dw_raw(w, tbs, len);
    write_sig_alg(w);
    sp_dw_bits(w, sig, sig_len);
    sp_dw_end(w, cert, DER_SEQUENCE);
    return sp_dw_status(w);
}

int secip_cert_issue(const secip_cert_options *opts,
                     const secip_key *subject_key, const secip_cert *issuer,
                     const secip_key *issuer_key, secip_cert **out)
{
    if (out == NULL || opts == NULL || subject_key == NULL ||
        issuer_key == NULL)
        return sp_error_set(SECIP_EINVAL, "secip_cert_issue: NULL argument");
    *out = NULL;
    int rc = check_options(opts);
    if (rc == 0)
        rc = check_issuer(subject_key, issuer, issuer_key);
    if (rc < 0)
        return rc;
    int64_t nb = opts->not_before != 0 ? opts->not_before
                                       : spl_time_now() - CLOCK_SKEW_SECS;
    int64_t na = opts->not_after != 0 ? opts->not_after : nb + 365 * DAY;
    if (na <= nb)
        return sp_error_set(SECIP_EINVAL, "not_after must be after not_before");
    if (nb < -62135596800 || na > 253402300799) /* years 1..9999 */
        return sp_error_set(SECIP_EINVAL, "validity outside years 1..9999");

    unsigned char serial[16], ski[20], aki_buf[20];
    const unsigned char *aki = aki_buf;
    size_t aki_len = sizeof aki_buf;
    rc = sp_random(serial, sizeof serial);
    if (rc < 0)
        return rc;
    serial[15] |= 1; /* never zero; sp_dw_uint keeps it positive */
    if ((rc = key_id(subject_key, ski)) < 0)
        return sp_error_set(rc, "cannot encode the subject key");
    if (issuer == NULL) {
        memcpy(aki_buf, ski, 20);
    } else if (issuer->ski.len > 0 && issuer->ski.len <= 64) {
        aki = issuer->ski.p;
        aki_len = issuer->ski.len;
    } else {
        sp_sha1(issuer->spki_bits.p, issuer->spki_bits.len, aki_buf);
    }

    sp_dw tbs, cert;
    sp_dw_init(&tbs);
    sp_dw_init(&cert);
    write_tbs(&tbs, opts, subject_key, issuer, serial, nb, na, ski, aki,
              aki_len);
    rc = sp_dw_status(&tbs);
    if (rc < 0)
        sp_error_set(rc, "cannot encode the certificate");
    else
        rc = sign_cert(&cert, tbs.buf, tbs.len, issuer_key);
    if (rc == 0)
        rc = sp_cert_parse(cert.buf, cert.len, out);
    else if (sp_dw_status(&cert) < 0)
        sp_error_set(rc, "cannot encode the certificate");
    sp_dw_free(&tbs);
    sp_dw_free(&cert);
    return rc;
}

int secip_cert_create_ca(const secip_key *key, const char *cn, const char *o,
                         int valid_days, secip_cert **out)
{
    if (valid_days < 1 || valid_days > 36500)
        return sp_error_set(SECIP_EINVAL, "valid_days must be 1..36500");
    secip_cert_options opts;
    secip_cert_options_init(&opts);
    opts.subject_cn = cn;
    opts.subject_o = o;
    opts.is_ca = 1;
    opts.not_before = spl_time_now() - CLOCK_SKEW_SECS;
    opts.not_after = opts.not_before + (int64_t)valid_days * DAY;
    return secip_cert_issue(&opts, key, NULL, key, out);
}
