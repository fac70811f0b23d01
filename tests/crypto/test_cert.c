/*
 * tests/crypto/test_cert.c -- X.509 issuance, accessors, PEM and chains,
 * and verification: the happy paths and every failure the issue names
 * (tampered signature, wrong CA, expired, not yet valid, name mismatch,
 * garbage and truncated input, weak keys), each with its exact detail.
 */
#include <stdlib.h>
#include <string.h>

#include "platform.h"
#include "secip/cert.h"
#include "testutil.h"
#include "vectors.h"

#define DAY 86400
#define T0  1767225600 /* 2026-01-01T00:00:00Z */

static secip_key *ca_key, *leaf_key, *other_key;

static void expect_detail(const char *want, int exact)
{
    const char *got = secip_last_error();
    if (exact ? strcmp(got, want) != 0 : strstr(got, want) == NULL) {
        fprintf(stderr, "detail: \"%s\"\nwanted: \"%s\"\n", got, want);
        CHECK(!"unexpected error detail");
    }
}

static secip_cert *make_ca(const secip_key *key, const char *cn,
                           int64_t not_after)
{
    secip_cert_options o;
    secip_cert *c;
    secip_cert_options_init(&o);
    o.subject_cn = cn;
    o.subject_o = "secip tests";
    o.is_ca = 1;
    o.not_before = T0 - DAY;
    o.not_after = not_after;
    CHECK_OK(secip_cert_issue(&o, key, NULL, key, &c));
    return c;
}

static secip_cert *make_leaf(const secip_cert *ca, const secip_key *ca_k,
                             const char *const *dns, size_t ndns,
                             const char *const *ips, size_t nips, unsigned eku)
{
    secip_cert_options o;
    secip_cert *c;
    secip_cert_options_init(&o);
    o.subject_cn = "chat.example";
    o.dns_names = dns;
    o.dns_count = ndns;
    o.ip_addrs = ips;
    o.ip_count = nips;
    o.not_before = T0;
    o.not_after = T0 + DAY;
    o.ext_key_usage = eku;
    CHECK_OK(secip_cert_issue(&o, leaf_key, ca, ca_k, &c));
    return c;
}

static void test_issue_and_accessors(secip_cert *ca, secip_cert *leaf)
{
    CHECK(secip_cert_is_ca(ca) && !secip_cert_is_ca(leaf));
    CHECK(secip_cert_path_len(ca) == -1);
    CHECK(strcmp(secip_cert_subject_cn(ca), "secip Test CA") == 0);
    CHECK(strcmp(secip_cert_issuer_cn(ca), "secip Test CA") == 0);
    CHECK(strcmp(secip_cert_subject_o(ca), "secip tests") == 0);
    CHECK(strcmp(secip_cert_subject_cn(leaf), "chat.example") == 0);
    CHECK(strcmp(secip_cert_issuer_cn(leaf), "secip Test CA") == 0);
    CHECK(strcmp(secip_cert_subject_o(leaf), "") == 0);
    CHECK(secip_cert_not_before(leaf) == T0);
    CHECK(secip_cert_not_after(leaf) == T0 + DAY);
    CHECK(secip_cert_dns_count(leaf) == 2);
    CHECK(strcmp(secip_cert_dns_name(leaf, 0), "chat.example") == 0);
    CHECK(strcmp(secip_cert_dns_name(leaf, 1), "*.chat.example") == 0);
    CHECK(secip_cert_dns_name(leaf, 2) == NULL);
    CHECK(secip_cert_ip_count(leaf) == 2);
    CHECK(strcmp(secip_cert_ip(leaf, 0), "127.0.0.1") == 0);
    CHECK(strcmp(secip_cert_ip(leaf, 1), "::1") == 0);
    CHECK(secip_cert_key_usage(ca) ==
          (SECIP_KU_KEY_CERT_SIGN | SECIP_KU_CRL_SIGN |
           SECIP_KU_DIGITAL_SIGNATURE));
    CHECK(secip_cert_key_usage(leaf) ==
          (SECIP_KU_DIGITAL_SIGNATURE | SECIP_KU_KEY_ENCIPHERMENT));
    CHECK(secip_cert_ext_key_usage(leaf) ==
          (SECIP_EKU_SERVER | SECIP_EKU_CLIENT));
    /* 128-bit positive serials: at most 32 hex digits, distinct. */
    const char *s1 = secip_cert_serial_hex(ca),
               *s2 = secip_cert_serial_hex(leaf);
    CHECK(strlen(s1) >= 16 && strlen(s1) <= 32 && strcmp(s1, s2) != 0);
    /* The public key in the certificate is the subject's. */
    secip_key *pk;
    CHECK_OK(secip_cert_public_key(leaf, &pk));
    CHECK(secip_key_public_equal(pk, leaf_key) && !secip_key_has_private(pk));
    secip_key_free(pk);
    char fp[65], fp2[65];
    CHECK_OK(secip_cert_fingerprint(leaf, fp));
    CHECK_OK(secip_cert_fingerprint(ca, fp2));
    CHECK(strlen(fp) == 64 && strcmp(fp, fp2) != 0);
    size_t len;
    CHECK(secip_cert_der(leaf, &len) != NULL && len > 500);
    tu_log("issued CA serial %s, leaf serial %s", s1, s2);
}

static void test_verify_ok(secip_cert *ca, secip_cert *leaf)
{
    int64_t at = T0 + 3600;
    CHECK_OK(secip_cert_verify(leaf, ca, "chat.example", at, SECIP_EKU_SERVER));
    CHECK_OK(secip_cert_verify(leaf, ca, "files.chat.example", at, 0));
    CHECK_OK(secip_cert_verify(leaf, ca, "127.0.0.1", at, SECIP_EKU_CLIENT));
    CHECK_OK(secip_cert_verify(leaf, ca, "::1", at, 0));
    CHECK_OK(secip_cert_verify(leaf, ca, NULL, at, 0));
    CHECK_OK(secip_cert_verify(ca, ca, NULL, at, 0));
}

static void test_verify_failures(secip_cert *ca, secip_cert *leaf)
{
    int64_t at = T0 + 3600;
    /* Expired and not yet valid. */
    CHECK_ERR(secip_cert_verify(leaf, ca, "chat.example", T0 + 30 * DAY, 0),
              SECIP_EVERIFY);
    expect_detail("certificate expired on 2026-01-02", 1);
    CHECK_ERR(secip_cert_verify(leaf, ca, "chat.example", T0 - 3600, 0),
              SECIP_EVERIFY);
    expect_detail("certificate is not yet valid (valid from 2026-01-01)", 1);

    /* Name mismatch: DNS and IP. */
    static const char *const one[] = {"chat.example"};
    secip_cert *plain = make_leaf(ca, ca_key, one, 1, NULL, 0, 0);
    CHECK_ERR(secip_cert_verify(plain, ca, "files.example", at, 0),
              SECIP_EVERIFY);
    expect_detail("name mismatch: expected files.example, certificate is for "
                  "chat.example",
                  1);
    CHECK_ERR(secip_cert_verify(leaf, ca, "10.1.2.3", at, 0), SECIP_EVERIFY);
    expect_detail("name mismatch: expected 10.1.2.3, certificate is for "
                  "chat.example, *.chat.example, 127.0.0.1, ::1",
                  1);
    CHECK_ERR(secip_cert_verify(leaf, ca, "a.b.chat.example", at, 0),
              SECIP_EVERIFY);

    /* Extended key usage: no extension means any use. */
    CHECK_OK(secip_cert_verify(plain, ca, "chat.example", at,
                               SECIP_EKU_SERVER | SECIP_EKU_CLIENT));
    secip_cert_free(plain);
    secip_cert *client =
        make_leaf(ca, ca_key, one, 1, NULL, 0, SECIP_EKU_CLIENT);
    CHECK_OK(secip_cert_verify(client, ca, NULL, at, SECIP_EKU_CLIENT));
    CHECK_ERR(secip_cert_verify(client, ca, NULL, at, SECIP_EKU_SERVER),
              SECIP_EVERIFY);
    expect_detail("not valid for TLS server authentication", 0);
    secip_cert_free(client);

    /* Wrong CA, by name and (same name) by key. */
    secip_cert *other = make_ca(other_key, "Other CA", T0 + 3650 * DAY);
    CHECK_ERR(secip_cert_verify(leaf, other, "chat.example", at, 0),
              SECIP_EVERIFY);
    expect_detail("issuer is not the trusted CA", 1);
    secip_cert *twin = make_ca(other_key, "secip Test CA", T0 + 3650 * DAY);
    CHECK_ERR(secip_cert_verify(leaf, twin, "chat.example", at, 0),
              SECIP_EVERIFY);
    expect_detail("bad signature on certificate 'chat.example'", 0);
    secip_cert_free(twin);

    /* A leaf is no trust anchor. */
    CHECK_ERR(secip_cert_verify(leaf, leaf, NULL, at, 0), SECIP_EVERIFY);
    expect_detail("is not a CA certificate", 0);

    /* An expired CA. */
    secip_cert *old = make_ca(ca_key, "secip Test CA", T0 + 10);
    CHECK_ERR(secip_cert_verify(leaf, old, NULL, at, 0), SECIP_EVERIFY);
    expect_detail("trusted CA 'secip Test CA' expired on 2026-01-01", 1);
    secip_cert_free(old);
    secip_cert_free(other);
    tu_log("verification failures named correctly");
}

static void test_tampering(secip_cert *ca, secip_cert *leaf)
{
    size_t len;
    const unsigned char *der = secip_cert_der(leaf, &len);
    unsigned char *copy = malloc(len);
    CHECK(copy != NULL);
    secip_cert *t;

    /* Flip a bit of the signature. */
    memcpy(copy, der, len);
    copy[len - 1] ^= 0x01;
    CHECK_OK(secip_cert_load_der(copy, len, &t));
    CHECK_ERR(secip_cert_verify(t, ca, "chat.example", T0 + 60, 0),
              SECIP_EVERIFY);
    expect_detail("bad signature on certificate", 0);
    secip_cert_free(t);

    /* Change the subject name: the signature no longer matches. */
    memcpy(copy, der, len);
    unsigned char *p = NULL;
    for (size_t i = 0; i + 12 <= len; i++)
        if (memcmp(copy + i, "chat.example", 12) == 0) {
            p = copy + i;
            break;
        }
    CHECK(p != NULL);
    p[0] = 'x';
    CHECK_OK(secip_cert_load_der(copy, len, &t));
    CHECK(strcmp(secip_cert_subject_cn(t), "xhat.example") == 0);
    CHECK_ERR(secip_cert_verify(t, ca, NULL, T0 + 60, 0), SECIP_EVERIFY);
    secip_cert_free(t);

    /* Every truncation, and random corruption, fail without crashing. */
    for (size_t cut = 0; cut < len; cut++)
        CHECK(secip_cert_load_der(der, cut, &t) < 0);
    unsigned ok = 0;
    for (uint64_t i = 0; i < 2000; i++) {
        memcpy(copy, der, len);
        for (int k = 0; k < 3; k++)
            copy[(tu_pattern(i, (uint64_t)k) * 131u + i * 7919u) % len] ^=
                (unsigned char)(1u << (i % 8));
        if (secip_cert_load_der(copy, len, &t) == 0) {
            ok++;
            CHECK(secip_cert_verify(t, ca, NULL, T0 + 60, 0) < 0);
            secip_cert_free(t);
        }
    }
    free(copy);

    /* Garbage DER and PEM. */
    static const unsigned char junk[] = {0x30, 0x03, 0x02, 0x01, 0x05};
    CHECK_ERR(secip_cert_load_der(junk, sizeof junk, &t), SECIP_EFORMAT);
    expect_detail("malformed certificate", 0);
    CHECK_ERR(secip_cert_load_der("\x01\x02\x03", 3, &t), SECIP_EFORMAT);
    const char *text = "-----BEGIN CERTIFICATE-----\nAAECAwQF\n"
                       "-----END CERTIFICATE-----\n";
    CHECK_ERR(secip_cert_load_pem(text, strlen(text), &t), SECIP_EFORMAT);
    text = "-----BEGIN CERTIFICATE-----\nMIIB\n";
    CHECK_ERR(secip_cert_load_pem(text, strlen(text), &t), SECIP_EFORMAT);
    expect_detail("truncated", 0);
    CHECK_ERR(secip_cert_load_pem("hello", 5, &t), SECIP_EFORMAT);
    /* BEGIN lines without their five dashes, or whose label ends in
     * dashes (found by fuzz_pem). */
    text = "-----BEGIN CERTIFICATE--\n-----END CERTIFICATE-----\n";
    CHECK_ERR(secip_cert_load_pem(text, strlen(text), &t), SECIP_EFORMAT);
    expect_detail("malformed BEGIN line", 0);
    static const char nuls[] = "-----BEGIN CERTIFICATE--\0\0\n"
                               "-----END CERTIFICATE-----\n";
    CHECK_ERR(secip_cert_load_pem(nuls, sizeof nuls - 1, &t), SECIP_EFORMAT);
    expect_detail("malformed BEGIN line", 0);
    tu_log("tampered and garbage certificates rejected (%u mutants parsed, "
           "none verified)",
           ok);
}

static void test_chain_and_pem(secip_cert *ca)
{
    /* Root -> intermediate (pathLen 0) -> leaf. */
    secip_cert_options o;
    secip_cert_options_init(&o);
    o.subject_cn = "secip Intermediate";
    o.is_ca = 1;
    o.path_len = 0;
    o.not_before = T0 - DAY;
    o.not_after = T0 + 365 * DAY;
    secip_cert *inter, *leaf;
    CHECK_OK(secip_cert_issue(&o, other_key, ca, ca_key, &inter));
    CHECK(secip_cert_path_len(inter) == 0);
    static const char *const dns[] = {"files.example"};
    secip_cert_options_init(&o);
    o.subject_cn = "files.example";
    o.dns_names = dns;
    o.dns_count = 1;
    o.not_before = T0;
    o.not_after = T0 + 2 * 365 * DAY; /* outlives the intermediate */
    CHECK_OK(secip_cert_issue(&o, leaf_key, inter, other_key, &leaf));
    CHECK(strcmp(secip_cert_issuer_cn(leaf), "secip Intermediate") == 0);

    CHECK_ERR(secip_cert_verify(leaf, ca, "files.example", T0 + 60, 0),
              SECIP_EVERIFY);
    expect_detail("issuer is not the trusted CA", 1);
    CHECK_OK(secip_cert_chain_append(leaf, inter));
    CHECK(secip_cert_chain_length(leaf) == 1);
    CHECK_OK(secip_cert_verify(leaf, ca, "files.example", T0 + 60, 0));
    /* The intermediate expires first: named as such. */
    CHECK_ERR(secip_cert_verify(leaf, ca, "files.example", T0 + 400 * DAY, 0),
              SECIP_EVERIFY);
    expect_detail("chain certificate 'secip Intermediate': certificate "
                  "expired on 2027-01-01",
                  1);

    /* A "full chain" that ends with the root itself verifies too. */
    secip_cert *full;
    size_t flen;
    const unsigned char *fder = secip_cert_der(leaf, &flen);
    CHECK_OK(secip_cert_load_der(fder, flen, &full));
    CHECK_OK(secip_cert_chain_append(full, inter));
    CHECK_OK(secip_cert_chain_append(full, ca));
    CHECK(secip_cert_chain_length(full) == 2);
    CHECK_OK(secip_cert_verify(full, ca, "files.example", T0 + 60, 0));
    secip_cert_free(full);

    /* PEM file round trip keeps the chain. */
    CHECK_OK(secip_cert_save_file(leaf, "test_cert_chain.pem"));
    secip_cert *back;
    CHECK_OK(secip_cert_load_file("test_cert_chain.pem", &back));
    CHECK(secip_cert_chain_length(back) == 1);
    size_t a, b;
    const unsigned char *da = secip_cert_der(leaf, &a),
                        *db = secip_cert_der(back, &b);
    CHECK(a == b && memcmp(da, db, a) == 0);
    CHECK(strcmp(secip_cert_subject_cn(secip_cert_chain_get(back, 0)),
                 "secip Intermediate") == 0);
    CHECK(secip_cert_chain_get(back, 1) == NULL);
    CHECK_OK(secip_cert_verify(back, ca, "files.example", T0 + 60, 0));
    int need = secip_cert_to_pem(back, NULL, 0);
    CHECK(need > 100);
    char *pem = malloc((size_t)need);
    CHECK(pem != NULL);
    CHECK(secip_cert_to_pem(back, pem, (size_t)need) == need - 1);
    CHECK(strncmp(pem, "-----BEGIN CERTIFICATE-----\n", 28) == 0);
    free(pem);
    CHECK_OK(spl_file_remove("test_cert_chain.pem"));

    /* An intermediate with pathLen 0 cannot issue another CA. */
    secip_cert_options_init(&o);
    o.subject_cn = "Too Deep";
    o.is_ca = 1;
    o.not_before = T0 - DAY;
    o.not_after = T0 + DAY;
    secip_cert *deep, *deep_leaf;
    CHECK_OK(secip_cert_issue(&o, leaf_key, inter, other_key, &deep));
    secip_cert_options_init(&o);
    o.subject_cn = "deep.example";
    o.not_before = T0;
    o.not_after = T0 + DAY;
    CHECK_OK(secip_cert_issue(&o, ca_key, deep, leaf_key, &deep_leaf));
    CHECK_OK(secip_cert_chain_append(deep_leaf, deep));
    CHECK_OK(secip_cert_chain_append(deep_leaf, inter));
    CHECK_ERR(secip_cert_verify(deep_leaf, ca, NULL, T0 + 60, 0),
              SECIP_EVERIFY);
    expect_detail("path length constraint of 'secip Intermediate' exceeded "
                  "(allows 0 intermediate CAs below it)",
                  1);
    secip_cert_free(deep_leaf);
    secip_cert_free(deep);

    secip_cert_free(back);
    secip_cert_free(leaf);
    secip_cert_free(inter);
    tu_log("chains and PEM files ok");
}

static void test_far_future_and_options(secip_cert *ca)
{
    /* Validity past 2049 is GeneralizedTime; read back exactly. */
    secip_cert_options o;
    secip_cert *c;
    secip_cert_options_init(&o);
    o.subject_cn = "far.example";
    o.not_before = 2524607999; /* 2049-12-31T23:59:59Z, UTCTime */
    o.not_after = 4102444800;  /* 2100-01-01T00:00:00Z, GeneralizedTime */
    CHECK_OK(secip_cert_issue(&o, leaf_key, ca, ca_key, &c));
    CHECK(secip_cert_not_before(c) == 2524607999);
    CHECK(secip_cert_not_after(c) == 4102444800);
    size_t len;
    const unsigned char *der = secip_cert_der(c, &len);
    int gen = 0, utc = 0;
    for (size_t i = 0; i + 17 <= len; i++) {
        if (der[i] == 0x18 && der[i + 1] == 15 &&
            memcmp(der + i + 2, "21000101000000Z", 15) == 0)
            gen = 1;
        if (der[i] == 0x17 && der[i + 1] == 13 &&
            memcmp(der + i + 2, "491231235959Z", 13) == 0)
            utc = 1;
    }
    CHECK(gen && utc);
    secip_cert_free(c);

    /* Invalid options. */
    static const char *const bad_dns[] = {"bad name"};
    static const char *const bad_ip[] = {"300.1.1.1"};
    secip_cert_options_init(&o);
    CHECK_ERR(secip_cert_issue(&o, leaf_key, ca, ca_key, &c), SECIP_EINVAL);
    expect_detail("subject CN", 0);
    o.subject_cn = "x";
    o.dns_names = bad_dns;
    o.dns_count = 1;
    CHECK_ERR(secip_cert_issue(&o, leaf_key, ca, ca_key, &c), SECIP_EINVAL);
    expect_detail("invalid DNS name \"bad name\"", 1);
    o.dns_count = 0;
    o.ip_addrs = bad_ip;
    o.ip_count = 1;
    CHECK_ERR(secip_cert_issue(&o, leaf_key, ca, ca_key, &c), SECIP_EINVAL);
    o.ip_count = 0;
    o.not_before = T0;
    o.not_after = T0;
    CHECK_ERR(secip_cert_issue(&o, leaf_key, ca, ca_key, &c), SECIP_EINVAL);
    o.not_after = 0; /* default: a year */
    CHECK_ERR(secip_cert_issue(&o, leaf_key, ca, other_key, &c), SECIP_EINVAL);
    expect_detail("does not belong to the issuer", 0);
    CHECK_ERR(secip_cert_issue(&o, leaf_key, NULL, ca_key, &c), SECIP_EINVAL);
    expect_detail("self-signed", 0);
    CHECK_OK(secip_cert_issue(&o, leaf_key, ca, ca_key, &c));
    CHECK(secip_cert_not_after(c) - secip_cert_not_before(c) == 365 * DAY);
    secip_cert *not_ca = c;
    CHECK_ERR(secip_cert_issue(&o, other_key, not_ca, leaf_key, &c),
              SECIP_EINVAL);
    expect_detail("is not a CA", 0);
    secip_cert_free(not_ca);
    secip_key *pub;
    CHECK_OK(secip_cert_public_key(ca, &pub));
    CHECK_ERR(secip_cert_issue(&o, leaf_key, ca, pub, &c), SECIP_EINVAL);
    secip_key_free(pub);

    /* The convenience CA. */
    CHECK_OK(secip_cert_create_ca(ca_key, "Quick CA", NULL, 30, &c));
    CHECK(secip_cert_is_ca(c));
    CHECK_OK(secip_cert_verify(c, c, NULL, 0, 0));
    secip_cert_free(c);
    CHECK_ERR(secip_cert_create_ca(ca_key, "Quick CA", NULL, 0, &c),
              SECIP_EINVAL);
}

static void test_weak_cert(void)
{
    secip_cert *w;
    CHECK_OK(secip_cert_load_pem(weak_cert_pem, strlen(weak_cert_pem), &w));
    CHECK(strcmp(secip_cert_subject_cn(w), "weak.example") == 0);
    secip_key *k;
    CHECK_ERR(secip_cert_public_key(w, &k), SECIP_EINVAL);
    expect_detail("1024 bits is too weak", 0);
    CHECK_ERR(secip_cert_verify(w, w, NULL, 0, 0), SECIP_EVERIFY);
    expect_detail("below 2048 bits", 0);
    secip_cert_free(w);
}

int main(void)
{
    uint64_t t0 = spl_clock_ms();
    CHECK_OK(secip_key_generate(2048, &ca_key));
    CHECK_OK(secip_key_generate(2048, &leaf_key));
    CHECK_OK(secip_key_generate(2048, &other_key));
    tu_log("3 keys in %llu ms", (unsigned long long)(spl_clock_ms() - t0));

    secip_cert *ca = make_ca(ca_key, "secip Test CA", T0 + 3650 * DAY);
    static const char *const dns[] = {"chat.example", "*.chat.example"};
    static const char *const ips[] = {"127.0.0.1", "::1"};
    secip_cert *leaf = make_leaf(ca, ca_key, dns, 2, ips, 2,
                                 SECIP_EKU_SERVER | SECIP_EKU_CLIENT);
    test_issue_and_accessors(ca, leaf);
    test_verify_ok(ca, leaf);
    test_verify_failures(ca, leaf);
    test_tampering(ca, leaf);
    test_chain_and_pem(ca);
    test_far_future_and_options(ca);
    test_weak_cert();

    secip_cert_free(leaf);
    secip_cert_free(ca);
    secip_key_free(ca_key);
    secip_key_free(leaf_key);
    secip_key_free(other_key);
    secip_cert_free(NULL);
    return 0;
}
