/*
 * tests/crypto/test_key.c -- RSA keys: generation and its limits, PEM
 * round trips through files and memory, PKCS#1 input, fingerprints, and
 * hostile or weak input that must fail with a clear error.
 */
#include <stdlib.h>
#include <string.h>

#include "platform.h"
#include "secip/key.h"
#include "testutil.h"
#include "vectors.h"

static void expect_detail(const char *needle)
{
    if (strstr(secip_last_error(), needle) == NULL) {
        fprintf(stderr, "detail \"%s\" lacks \"%s\"\n", secip_last_error(),
                needle);
        CHECK(!"unexpected error detail");
    }
}

static void test_generate_limits(void)
{
    secip_key *k = (secip_key *)1;
    CHECK_ERR(secip_key_generate(1024, &k), SECIP_EINVAL);
    CHECK(k == NULL);
    expect_detail("at least 2048");
    CHECK_ERR(secip_key_generate(2047, &k), SECIP_EINVAL);
    CHECK_ERR(secip_key_generate(2500, &k), SECIP_EINVAL);
    expect_detail("2048, 3072 or 4096");
    CHECK_ERR(secip_key_generate(8192, &k), SECIP_EINVAL);
    CHECK_ERR(secip_key_generate(2048, NULL), SECIP_EINVAL);
}

static void test_roundtrip(secip_key *k)
{
    char fp[65], fp2[65], fp3[65];
    CHECK(secip_key_bits(k) == 2048);
    CHECK(secip_key_has_private(k));
    CHECK_OK(secip_key_fingerprint(k, fp));
    CHECK(strlen(fp) == 64);

    /* Files: private (PKCS#8) and public (SPKI). */
    (void)spl_file_remove("test_key_a.key");
    (void)spl_file_remove("test_key_a.pub");
    CHECK_OK(secip_key_save_private(k, "test_key_a.key"));
    CHECK_OK(secip_key_save_public(k, "test_key_a.pub"));
    /* Saving again replaces the files atomically. */
    CHECK_OK(secip_key_save_private(k, "test_key_a.key"));

    secip_key *priv, *pub;
    CHECK_OK(secip_key_load_file("test_key_a.key", &priv));
    CHECK_OK(secip_key_load_file("test_key_a.pub", &pub));
    CHECK(secip_key_has_private(priv));
    CHECK(!secip_key_has_private(pub));
    CHECK(secip_key_public_equal(k, priv));
    CHECK(secip_key_public_equal(k, pub));
    CHECK_OK(secip_key_fingerprint(priv, fp2));
    CHECK_OK(secip_key_fingerprint(pub, fp3));
    CHECK(strcmp(fp, fp2) == 0 && strcmp(fp, fp3) == 0);

    /* A public key cannot be saved as a private one. */
    CHECK_ERR(secip_key_save_private(pub, "test_key_b.key"), SECIP_EINVAL);
    expect_detail("no private part");

    /* Memory round trip; the private text starts with the PKCS#8 banner. */
    char pem[SECIP_KEY_PEM_MAX];
    int n = secip_key_to_pem(priv, 1, pem, sizeof pem);
    CHECK(n > 0 && (size_t)n == strlen(pem));
    CHECK(strncmp(pem, "-----BEGIN PRIVATE KEY-----\n", 28) == 0);
    secip_key *again;
    CHECK_OK(secip_key_load_pem(pem, (size_t)n, &again));
    CHECK(secip_key_public_equal(k, again));
    /* The re-encoded key is byte-identical (deterministic encoding). */
    char pem2[SECIP_KEY_PEM_MAX];
    CHECK(secip_key_to_pem(again, 1, pem2, sizeof pem2) == n);
    CHECK(memcmp(pem, pem2, (size_t)n) == 0);
    CHECK_ERR(secip_key_to_pem(priv, 1, pem2, 100), SECIP_ETOOBIG);
    n = secip_key_to_pem(pub, 0, pem, sizeof pem);
    CHECK(n > 0 && strncmp(pem, "-----BEGIN PUBLIC KEY-----\n", 27) == 0);

    /* A PEM without its final newline still loads. */
    n = secip_key_to_pem(priv, 1, pem, sizeof pem);
    secip_key_free(again);
    CHECK_OK(secip_key_load_pem(pem, (size_t)n - 1, &again));
    secip_key_free(again);

    secip_key_free(priv);
    secip_key_free(pub);
    CHECK_OK(spl_file_remove("test_key_a.key"));
    CHECK_OK(spl_file_remove("test_key_a.pub"));
    tu_log("key round trips ok, fingerprint %s", fp);
}

static void test_pkcs1_input(void)
{
    secip_key *k;
    char fp[65];
    CHECK_OK(secip_key_load_pem(pkcs1_key_pem, strlen(pkcs1_key_pem), &k));
    CHECK(secip_key_bits(k) == 2048 && secip_key_has_private(k));
    CHECK_OK(secip_key_fingerprint(k, fp));
    /* `openssl pkey -in K -pubout -outform DER | sha256sum` */
    CHECK(strcmp(fp, "b000836853114106b6b6a812907376ad7a905d23ca01d0f92e5610e02"
                     "2b8c69b") == 0);
    /* Re-encoded as PKCS#8 and read back: the same key. */
    char pem[SECIP_KEY_PEM_MAX];
    int n = secip_key_to_pem(k, 1, pem, sizeof pem);
    CHECK(n > 0);
    secip_key *k8;
    CHECK_OK(secip_key_load_pem(pem, (size_t)n, &k8));
    CHECK(secip_key_public_equal(k, k8));
    secip_key_free(k8);
    secip_key_free(k);
}

static void test_bad_input(void)
{
    secip_key *k = NULL;
    /* A 1024-bit key from openssl: refused, and the detail says why. */
    CHECK_ERR(secip_key_load_pem(weak_key_pem, strlen(weak_key_pem), &k),
              SECIP_EINVAL);
    CHECK(k == NULL);
    expect_detail("1024 bits is too weak");

    const char *garbage = "this is not a key at all\n";
    CHECK_ERR(secip_key_load_pem(garbage, strlen(garbage), &k), SECIP_EFORMAT);
    expect_detail("no PEM object");
    CHECK_ERR(secip_key_load_pem("", 0, &k), SECIP_EFORMAT);

    /* Truncated: every prefix of a real key (short of the END line's
     * final newline, which is optional) fails without crashing. */
    size_t len = strlen(pkcs1_key_pem);
    for (size_t cut = 0; cut + 1 < len; cut += 7)
        CHECK(secip_key_load_pem(pkcs1_key_pem, cut, &k) < 0 && k == NULL);

    /* Bad base64 inside valid banners. */
    const char *badb64 = "-----BEGIN PRIVATE KEY-----\nMII$$$$\n"
                         "-----END PRIVATE KEY-----\n";
    CHECK_ERR(secip_key_load_pem(badb64, strlen(badb64), &k), SECIP_EFORMAT);

    /* Garbage DER inside a valid PEM. */
    const char *badder = "-----BEGIN PRIVATE KEY-----\nAAECAwQFBgcICQoLDA==\n"
                         "-----END PRIVATE KEY-----\n";
    CHECK_ERR(secip_key_load_pem(badder, strlen(badder), &k), SECIP_EFORMAT);
    const char *badpub = "-----BEGIN PUBLIC KEY-----\nMAMCAQA=\n"
                         "-----END PUBLIC KEY-----\n";
    CHECK_ERR(secip_key_load_pem(badpub, strlen(badpub), &k), SECIP_EFORMAT);

    /* Encrypted keys are named as unsupported. */
    const char *enc = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAEC\n"
                      "-----END ENCRYPTED PRIVATE KEY-----\n";
    CHECK_ERR(secip_key_load_pem(enc, strlen(enc), &k), SECIP_ENOTSUP);

    /* A certificate is not a key. */
    CHECK_ERR(secip_key_load_pem(weak_cert_pem, strlen(weak_cert_pem), &k),
              SECIP_EFORMAT);

    /* Random mutations of a real key never crash the decoders. */
    char *buf = malloc(len + 1);
    CHECK(buf != NULL);
    for (uint64_t i = 0; i < 300; i++) {
        memcpy(buf, pkcs1_key_pem, len + 1);
        size_t pos = 32 + (size_t)(tu_pattern(i, 0) * 7 + i * 13) % (len - 64);
        buf[pos] = (char)('A' + tu_pattern(i, 1) % 26);
        if (secip_key_load_pem(buf, len, &k) == 0)
            secip_key_free(k);
    }
    free(buf);

    CHECK_ERR(secip_key_load_file("does-not-exist.key", &k), SECIP_ENOENT);
    expect_detail("does-not-exist.key");
    CHECK_ERR(secip_key_load_pem(NULL, 0, &k), SECIP_EINVAL);
    secip_key_free(NULL);
    tu_log("bad key input rejected cleanly");
}

int main(void)
{
    test_generate_limits();
    uint64_t t0 = spl_clock_ms();
    secip_key *k;
    CHECK_OK(secip_key_generate(2048, &k));
    tu_log("RSA-2048 key generated in %llu ms",
           (unsigned long long)(spl_clock_ms() - t0));
    test_roundtrip(k);
    secip_key_free(k);
    test_pkcs1_input();
    test_bad_input();
    return 0;
}
