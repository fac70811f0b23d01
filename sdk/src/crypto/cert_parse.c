/*
 * sdk/src/crypto/cert_parse.c -- decoding a DER certificate into the
 * fields secip exposes.  BearSSL's br_x509_decoder checks the overall
 * structure and extracts the public key; secip's own DER reader extracts
 * everything BearSSL does not expose (serial, issuer, validity, SANs,
 * extensions).  Every byte is treated as hostile.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/cert_internal.h"
#include "crypto/der.h"
#include "crypto/util.h"
#include "error.h"

const unsigned char sp_oid_sha256_rsa[9] = {0x2a, 0x86, 0x48, 0x86, 0xf7,
                                            0x0d, 0x01, 0x01, 0x0b};
const unsigned char sp_oid_cn[3] = {0x55, 0x04, 0x03};
const unsigned char sp_oid_o[3] = {0x55, 0x04, 0x0a};
const unsigned char sp_oid_basic_constraints[3] = {0x55, 0x1d, 0x13};
const unsigned char sp_oid_key_usage[3] = {0x55, 0x1d, 0x0f};
const unsigned char sp_oid_ext_key_usage[3] = {0x55, 0x1d, 0x25};
const unsigned char sp_oid_san[3] = {0x55, 0x1d, 0x11};
const unsigned char sp_oid_ski[3] = {0x55, 0x1d, 0x0e};
const unsigned char sp_oid_aki[3] = {0x55, 0x1d, 0x23};
const unsigned char sp_oid_server_auth[8] = {0x2b, 0x06, 0x01, 0x05,
                                             0x05, 0x07, 0x03, 0x01};
const unsigned char sp_oid_client_auth[8] = {0x2b, 0x06, 0x01, 0x05,
                                             0x05, 0x07, 0x03, 0x02};
static const unsigned char oid_any_eku[4] = {0x55, 0x1d, 0x25, 0x00};

#define MAX_NAME_LEN 1024

static int bad(const char *what)
{
    return sp_error_set(SECIP_EFORMAT, "malformed certificate: %s", what);
}

/* A name string as a new C string; NUL bytes are refused because they
 * make "good.example\0.evil" compare equal to "good.example" in C. */
static int copy_string(const sp_tlv *t, char **out)
{
    if (t->len > MAX_NAME_LEN || memchr(t->val, 0, t->len) != NULL)
        return bad("name with a NUL byte or over 1024 bytes");
    char *s = malloc(t->len + 1);
    if (s == NULL)
        return sp_error_set(SECIP_ENOMEM, "out of memory parsing a cert");
    memcpy(s, t->val, t->len);
    s[t->len] = '\0';
    free(*out);
    *out = s;
    return 0;
}

static int is_string_tag(unsigned tag)
{
    return tag == DER_UTF8 || tag == DER_PRINTABLE || tag == DER_IA5 ||
           tag == DER_T61;
}

/* Name ::= SEQUENCE OF SET OF { type OID, value }; picks CN and O (the
 * last occurrence, the most specific one). */
static int parse_name(const sp_tlv *name, char **cn, char **o)
{
    sp_der rdns, set, atv;
    sp_tlv rdn, seq, oid, val;
    sp_der_enter(name, &rdns);
    while (!sp_der_empty(&rdns)) {
        if (sp_der_expect(&rdns, DER_SET, &rdn) < 0)
            return bad("name");
        sp_der_enter(&rdn, &set);
        while (!sp_der_empty(&set)) {
            if (sp_der_expect(&set, DER_SEQUENCE, &seq) < 0)
                return bad("name attribute");
            sp_der_enter(&seq, &atv);
            if (sp_der_expect(&atv, DER_OID, &oid) < 0 ||
                sp_der_next(&atv, &val) < 0)
                return bad("name attribute");
            char **dst = NULL;
            if (sp_der_oid_is(&oid, sp_oid_cn, sizeof sp_oid_cn))
                dst = cn;
            else if (o != NULL &&
                     sp_der_oid_is(&oid, sp_oid_o, sizeof sp_oid_o))
                dst = o;
            if (dst != NULL && is_string_tag(val.tag)) {
                int rc = copy_string(&val, dst);
                if (rc < 0)
                    return rc;
            }
        }
    }
    return 0;
}

static int add_dns(secip_cert *c, const sp_tlv *t)
{
    if (c->dns_count + c->ip_count >= SP_CERT_MAX_NAMES)
        return bad("too many subjectAltName entries");
    if (c->dns_count % 8 == 0) {
        char **n = realloc(c->dns, (c->dns_count + 8) * sizeof *n);
        if (n == NULL)
            return sp_error_set(SECIP_ENOMEM, "out of memory parsing a cert");
        c->dns = n;
    }
    c->dns[c->dns_count] = NULL;
    int rc = copy_string(t, &c->dns[c->dns_count]);
    if (rc == 0)
        c->dns_count++;
    return rc;
}

static int add_ip(secip_cert *c, const sp_tlv *t)
{
    if (t->len != 4 && t->len != 16)
        return bad("iPAddress of a length other than 4 or 16");
    if (c->dns_count + c->ip_count >= SP_CERT_MAX_NAMES)
        return bad("too many subjectAltName entries");
    if (c->ip_count % 8 == 0) {
        sp_cert_ip *n = realloc(c->ips, (c->ip_count + 8) * sizeof *n);
        if (n == NULL)
            return sp_error_set(SECIP_ENOMEM, "out of memory parsing a cert");
        c->ips = n;
    }
    sp_cert_ip *ip = &c->ips[c->ip_count++];
    memcpy(ip->addr, t->val, t->len);
    ip->len = t->len;
    sp_ip_format(ip->addr, ip->len, ip->text);
    return 0;
}

static int parse_san(secip_cert *c, sp_der *v)
{
    sp_tlv seq, gn;
    sp_der names;
    if (sp_der_expect(v, DER_SEQUENCE, &seq) < 0)
        return bad("subjectAltName");
    sp_der_enter(&seq, &names);
    while (!sp_der_empty(&names)) {
        if (sp_der_next(&names, &gn) < 0)
            return bad("subjectAltName entry");
        int rc = 0;
        if (gn.tag == DER_CONTEXT(2))
            rc = add_dns(c, &gn);
        else if (gn.tag == DER_CONTEXT(7))
            rc = add_ip(c, &gn);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int parse_basic_constraints(secip_cert *c, sp_der *v)
{
    sp_tlv seq, t;
    sp_der in;
    long pl;
    if (sp_der_expect(v, DER_SEQUENCE, &seq) < 0)
        return bad("basicConstraints");
    sp_der_enter(&seq, &in);
    if (sp_der_peek(&in) == DER_BOOLEAN) {
        if (sp_der_next(&in, &t) < 0 || t.len != 1)
            return bad("basicConstraints");
        c->is_ca = t.val[0] != 0;
    }
    if (sp_der_peek(&in) == DER_INTEGER) {
        if (sp_der_next(&in, &t) < 0 || sp_der_small_uint(&t, &pl) < 0 ||
            pl > 1000)
            return bad("pathLenConstraint");
        c->path_len = (int)pl;
    }
    return 0;
}

static int parse_key_usage(secip_cert *c, sp_der *v)
{
    sp_tlv bits;
    if (sp_der_expect(v, DER_BIT_STRING, &bits) < 0 || bits.len < 1 ||
        bits.val[0] > 7)
        return bad("keyUsage");
    c->has_key_usage = 1;
    c->key_usage = 0;
    for (unsigned i = 0; i < 7 && i / 8 + 1 < bits.len; i++)
        if (bits.val[1 + i / 8] & (0x80u >> (i % 8)))
            c->key_usage |= 1u << i;
    return 0;
}

static int parse_eku(secip_cert *c, sp_der *v)
{
    sp_tlv seq, oid;
    sp_der in;
    if (sp_der_expect(v, DER_SEQUENCE, &seq) < 0)
        return bad("extendedKeyUsage");
    sp_der_enter(&seq, &in);
    c->has_ext_key_usage = 1;
    c->ext_key_usage = 0;
    while (!sp_der_empty(&in)) {
        if (sp_der_expect(&in, DER_OID, &oid) < 0)
            return bad("extendedKeyUsage");
        if (sp_der_oid_is(&oid, sp_oid_server_auth, 8))
            c->ext_key_usage |= SECIP_EKU_SERVER;
        else if (sp_der_oid_is(&oid, sp_oid_client_auth, 8))
            c->ext_key_usage |= SECIP_EKU_CLIENT;
        else if (sp_der_oid_is(&oid, oid_any_eku, sizeof oid_any_eku))
            c->ext_key_usage |= SECIP_EKU_SERVER | SECIP_EKU_CLIENT;
    }
    return 0;
}

static int parse_key_ids(secip_cert *c, sp_der *v, int is_aki)
{
    sp_tlv t, id;
    sp_der in;
    if (!is_aki) {
        if (sp_der_expect(v, DER_OCTET_STR, &t) < 0)
            return bad("subjectKeyIdentifier");
        c->ski.p = t.val;
        c->ski.len = t.len;
        return 0;
    }
    if (sp_der_expect(v, DER_SEQUENCE, &t) < 0)
        return bad("authorityKeyIdentifier");
    sp_der_enter(&t, &in);
    if (sp_der_expect(&in, DER_CONTEXT(0), &id) == 0) {
        c->aki.p = id.val;
        c->aki.len = id.len;
    }
    return 0;
}

/* One Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE,
 * extnValue OCTET STRING }; unknown ones are left to BearSSL's verifier,
 * which refuses unknown critical extensions. */
static int parse_extension(secip_cert *c, const sp_tlv *ext, unsigned *seen)
{
    sp_der in, v;
    sp_tlv oid, t, val;
    sp_der_enter(ext, &in);
    if (sp_der_expect(&in, DER_OID, &oid) < 0)
        return bad("extension");
    if (sp_der_peek(&in) == DER_BOOLEAN && sp_der_next(&in, &t) < 0)
        return bad("extension");
    if (sp_der_expect(&in, DER_OCTET_STR, &val) < 0 || !sp_der_empty(&in))
        return bad("extension");
    sp_der_enter(&val, &v);
    static const unsigned char *const oids[] = {
        sp_oid_san,       sp_oid_basic_constraints,
        sp_oid_key_usage, sp_oid_ext_key_usage,
        sp_oid_ski,       sp_oid_aki};
    for (unsigned i = 0; i < 6; i++) {
        if (!sp_der_oid_is(&oid, oids[i], 3))
            continue;
        if (*seen & (1u << i))
            return bad("duplicate extension");
        *seen |= 1u << i;
        switch (i) {
        case 0: return parse_san(c, &v);
        case 1: return parse_basic_constraints(c, &v);
        case 2: return parse_key_usage(c, &v);
        case 3: return parse_eku(c, &v);
        default: return parse_key_ids(c, &v, i == 5);
        }
    }
    return 0;
}

static int parse_extensions(secip_cert *c, const sp_tlv *wrap)
{
    sp_der outer, list;
    sp_tlv seq, ext;
    unsigned seen = 0;
    sp_der_enter(wrap, &outer);
    if (sp_der_expect(&outer, DER_SEQUENCE, &seq) < 0 || !sp_der_empty(&outer))
        return bad("extensions");
    sp_der_enter(&seq, &list);
    while (!sp_der_empty(&list)) {
        if (sp_der_expect(&list, DER_SEQUENCE, &ext) < 0)
            return bad("extension");
        int rc = parse_extension(c, &ext, &seen);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int parse_serial(secip_cert *c, const sp_tlv *t)
{
    /* RFC 5280 allows up to 20 octets; tolerate a little more, and
     * negative serials (seen in the wild), shown as their raw bytes. */
    if (t->len == 0 || t->len > 32)
        return bad("serial number");
    const unsigned char *p = t->val;
    size_t n = t->len;
    while (n > 1 && p[0] == 0) {
        p++;
        n--;
    }
    sp_hex_encode(p, n, c->serial_hex);
    if (c->serial_hex[0] == '0' && c->serial_hex[1] != '\0')
        memmove(c->serial_hex, c->serial_hex + 1, strlen(c->serial_hex));
    return 0;
}

static int parse_validity(secip_cert *c, const sp_tlv *t)
{
    sp_der in;
    sp_tlv nb, na;
    sp_der_enter(t, &in);
    if (sp_der_next(&in, &nb) < 0 || sp_der_next(&in, &na) < 0 ||
        !sp_der_empty(&in) || sp_der_time(&nb, &c->not_before) < 0 ||
        sp_der_time(&na, &c->not_after) < 0)
        return bad("validity");
    return 0;
}

static int parse_spki_bits(secip_cert *c, const sp_tlv *spki)
{
    sp_der in;
    sp_tlv alg, bits;
    sp_der_enter(spki, &in);
    if (sp_der_expect(&in, DER_SEQUENCE, &alg) < 0 ||
        sp_der_expect(&in, DER_BIT_STRING, &bits) < 0 || bits.len < 1)
        return bad("subjectPublicKeyInfo");
    c->spki.p = spki->raw;
    c->spki.len = spki->raw_len;
    c->spki_bits.p = bits.val + 1;
    c->spki_bits.len = bits.len - 1;
    return 0;
}

/* TBSCertificate, field by field (RFC 5280 4.1). */
static int parse_tbs(secip_cert *c, const sp_tlv *tbs)
{
    sp_der in;
    sp_tlv t, serial, alg, issuer, validity, subject, spki;
    sp_der_enter(tbs, &in);
    if (sp_der_peek(&in) == DER_EXPLICIT(0) && sp_der_next(&in, &t) < 0)
        return bad("version");
    if (sp_der_expect(&in, DER_INTEGER, &serial) < 0 ||
        sp_der_expect(&in, DER_SEQUENCE, &alg) < 0 ||
        sp_der_expect(&in, DER_SEQUENCE, &issuer) < 0 ||
        sp_der_expect(&in, DER_SEQUENCE, &validity) < 0 ||
        sp_der_expect(&in, DER_SEQUENCE, &subject) < 0 ||
        sp_der_expect(&in, DER_SEQUENCE, &spki) < 0)
        return bad("TBSCertificate");
    c->tbs_sig_alg.p = alg.raw;
    c->tbs_sig_alg.len = alg.raw_len;
    int rc = parse_serial(c, &serial);
    if (rc == 0)
        rc = parse_name(&issuer, &c->issuer_cn, NULL);
    if (rc == 0)
        rc = parse_name(&subject, &c->subject_cn, &c->subject_o);
    if (rc == 0)
        rc = parse_validity(c, &validity);
    if (rc == 0)
        rc = parse_spki_bits(c, &spki);
    if (rc < 0)
        return rc;
    c->issuer_dn.p = issuer.raw;
    c->issuer_dn.len = issuer.raw_len;
    c->subject_dn.p = subject.raw;
    c->subject_dn.len = subject.raw_len;
    if (sp_der_peek(&in) == DER_CONTEXT(1) && sp_der_next(&in, &t) < 0)
        return bad("issuerUniqueID");
    if (sp_der_peek(&in) == DER_CONTEXT(2) && sp_der_next(&in, &t) < 0)
        return bad("subjectUniqueID");
    if (sp_der_peek(&in) == DER_EXPLICIT(3)) {
        if (sp_der_next(&in, &t) < 0)
            return bad("extensions");
        rc = parse_extensions(c, &t);
        if (rc < 0)
            return rc;
    }
    return sp_der_empty(&in) ? 0 : bad("trailing data in TBSCertificate");
}

/* Copies BearSSL's view of the public key (for trust anchors). */
static int decode_pkey(secip_cert *c)
{
    br_x509_decoder_context *dc = malloc(sizeof *dc);
    if (dc == NULL)
        return sp_error_set(SECIP_ENOMEM, "out of memory parsing a cert");
    br_x509_decoder_init(dc, NULL, NULL);
    br_x509_decoder_push(dc, c->der, c->der_len);
    int err = br_x509_decoder_last_error(dc);
    const br_x509_pkey *pk = br_x509_decoder_get_pkey(dc);
    int rc = 0;
    if (err != 0 || pk == NULL) {
        rc = sp_error_set(err == BR_ERR_X509_UNSUPPORTED ? SECIP_ENOTSUP
                                                         : SECIP_EFORMAT,
                          "certificate rejected by the X.509 decoder "
                          "(BearSSL error %d)",
                          err);
    } else if (pk->key_type == BR_KEYTYPE_RSA &&
               pk->key.rsa.nlen + pk->key.rsa.elen <= sizeof c->pkey_buf) {
        const br_rsa_public_key *r = &pk->key.rsa;
        c->pkey.key_type = BR_KEYTYPE_RSA;
        memcpy(c->pkey_buf, r->n, r->nlen);
        memcpy(c->pkey_buf + r->nlen, r->e, r->elen);
        c->pkey.key.rsa.n = c->pkey_buf;
        c->pkey.key.rsa.nlen = r->nlen;
        c->pkey.key.rsa.e = c->pkey_buf + r->nlen;
        c->pkey.key.rsa.elen = r->elen;
        size_t n = r->nlen;
        const unsigned char *p = r->n;
        for (; n > 0 && *p == 0; p++, n--)
            ;
        c->pkey_bits = n == 0 ? 0 : (unsigned)(n - 1) * 8;
        for (unsigned top = n ? *p : 0; top != 0; top >>= 1)
            c->pkey_bits++;
    } else if (pk->key_type == BR_KEYTYPE_EC &&
               pk->key.ec.qlen <= sizeof c->pkey_buf) {
        c->pkey.key_type = BR_KEYTYPE_EC;
        memcpy(c->pkey_buf, pk->key.ec.q, pk->key.ec.qlen);
        c->pkey.key.ec.curve = pk->key.ec.curve;
        c->pkey.key.ec.q = c->pkey_buf;
        c->pkey.key.ec.qlen = pk->key.ec.qlen;
    } else {
        rc = sp_error_set(SECIP_ENOTSUP, "unsupported certificate key");
    }
    free(dc);
    return rc;
}

static int parse_all(secip_cert *c)
{
    sp_der d, in;
    sp_tlv cert, tbs, alg, sig;
    sp_der_init(&d, c->der, c->der_len);
    if (sp_der_expect(&d, DER_SEQUENCE, &cert) < 0)
        return bad("not a DER certificate");
    if (!sp_der_empty(&d))
        return bad("trailing bytes after the certificate");
    sp_der_enter(&cert, &in);
    if (sp_der_expect(&in, DER_SEQUENCE, &tbs) < 0 ||
        sp_der_expect(&in, DER_SEQUENCE, &alg) < 0 ||
        sp_der_expect(&in, DER_BIT_STRING, &sig) < 0 || !sp_der_empty(&in))
        return bad("outer structure");
    c->tbs.p = tbs.raw;
    c->tbs.len = tbs.raw_len;
    sp_der alg_in;
    sp_tlv oid;
    sp_der_enter(&alg, &alg_in);
    if (sp_der_expect(&alg_in, DER_OID, &oid) < 0 || sig.len < 1 ||
        sig.val[0] != 0)
        return bad("signature");
    c->sig_alg.p = oid.val;
    c->sig_alg.len = oid.len;
    c->sig.p = sig.val + 1;
    c->sig.len = sig.len - 1;
    int rc = parse_tbs(c, &tbs);
    if (rc < 0)
        return rc;
    /* RFC 5280 4.1.1.2: the unsigned outer algorithm must repeat the
     * signed one exactly, or an attacker could alter it freely. */
    if (alg.raw_len != c->tbs_sig_alg.len ||
        memcmp(alg.raw, c->tbs_sig_alg.p, alg.raw_len) != 0)
        return bad("signature algorithm differs from the signed one");
    return decode_pkey(c);
}

static char *empty_string(void)
{
    return calloc(1, 1);
}

int sp_cert_parse(const unsigned char *der, size_t len, secip_cert **out)
{
    *out = NULL;
    if (len > SP_CERT_MAX_DER)
        return sp_error_set(SECIP_ETOOBIG, "certificate larger than 64 KiB");
    secip_cert *c = calloc(1, sizeof *c);
    if (c == NULL)
        return sp_error_set(SECIP_ENOMEM, "out of memory parsing a cert");
    c->path_len = -1;
    c->key_usage = 0xffffffffu;
    c->ext_key_usage = 0xffffffffu;
    c->der = malloc(len > 0 ? len : 1);
    c->subject_cn = empty_string();
    c->subject_o = empty_string();
    c->issuer_cn = empty_string();
    if (c->der == NULL || !c->subject_cn || !c->subject_o || !c->issuer_cn) {
        secip_cert_free(c);
        return sp_error_set(SECIP_ENOMEM, "out of memory parsing a cert");
    }
    if (len > 0)
        memcpy(c->der, der, len);
    c->der_len = len;
    int rc = parse_all(c);
    if (rc < 0) {
        secip_cert_free(c);
        return rc;
    }
    *out = c;
    return 0;
}
