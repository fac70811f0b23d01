/*
 * tests/crypto/test_kat.c -- known-answer tests for the primitives secip's
 * keys, certificates and password hashes rest on: SHA-256 (FIPS 180-4
 * examples), HMAC-SHA256 (RFC 4231 test cases 1-4, 6, 7), PBKDF2-HMAC-
 * SHA256 (RFC 7914 section 11 and the widely published password/salt
 * vectors), base64 (RFC 4648), plus the password hash strings and the
 * shared random generator under concurrent use.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/rng.h"
#include "crypto/util.h"
#include "platform.h"
#include "secip/password.h"
#include "secip/random.h"
#include "testutil.h"

static void unhex(const char *hex, unsigned char *out, size_t *len)
{
    size_t n = strlen(hex) / 2;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        CHECK(sscanf(hex + 2 * i, "%2x", &v) == 1);
        out[i] = (unsigned char)v;
    }
    *len = n;
}

static void check_hex(const unsigned char *got, size_t len, const char *want)
{
    char hex[2 * 128 + 1];
    CHECK(len <= 128);
    sp_hex_encode(got, len, hex);
    if (strcmp(hex, want) != 0) {
        fprintf(stderr, "got  %s\nwant %s\n", hex, want);
        CHECK(!"known answer mismatch");
    }
}

static void test_sha256(void)
{
    static const struct {
        const char *msg;
        const char *digest;
    } v[] = {
        {"",
         "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc",
         "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    };
    unsigned char d[32];
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        sp_sha256(v[i].msg, strlen(v[i].msg), d);
        check_hex(d, 32, v[i].digest);
    }
    /* One million 'a' (FIPS 180-2 appendix B.3). */
    char *m = malloc(1000000);
    CHECK(m != NULL);
    memset(m, 'a', 1000000);
    sp_sha256(m, 1000000, d);
    free(m);
    check_hex(
        d, 32,
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    tu_log("SHA-256: 4 vectors ok");
}

static void test_hmac(void)
{
    /* RFC 4231; case 5 (truncated output) does not apply. */
    static const struct {
        const char *key_hex, *data, *data_hex, *mac;
    } v[] = {
        {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There", NULL,
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
        {"4a656665", "what do ya want for nothing?", NULL,
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
        {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL,
         "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
         "dddddddddddddddddddddddddddddddd",
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
        {"0102030405060708090a0b0c0d0e0f10111213141516171819", NULL,
         "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
         "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
        {NULL, "Test Using Larger Than Block-Size Key - Hash Key First", NULL,
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
        {NULL,
         "This is a test using a larger than block-size key and a larger "
         "than block-size data. The key needs to be hashed before being used "
         "by the HMAC algorithm.",
         NULL,
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        unsigned char key[131], data[128], mac[32];
        size_t klen, dlen;
        if (v[i].key_hex != NULL) {
            unhex(v[i].key_hex, key, &klen);
        } else { /* cases 6 and 7: 131 bytes of 0xaa */
            memset(key, 0xaa, sizeof key);
            klen = sizeof key;
        }
        const void *d = v[i].data;
        if (v[i].data_hex != NULL) {
            unhex(v[i].data_hex, data, &dlen);
            d = data;
        } else {
            dlen = strlen(v[i].data);
        }
        sp_hmac_sha256(key, klen, d, dlen, mac);
        check_hex(mac, 32, v[i].mac);
    }
    tu_log("HMAC-SHA256: RFC 4231 cases 1-4, 6, 7 ok");
}

static void test_pbkdf2(void)
{
    static const struct {
        const char *pw, *salt;
        uint32_t iter;
        size_t len;
        const char *dk;
    } v[] = {
        {"password", "salt", 1, 32,
         "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b"},
        {"password", "salt", 2, 32,
         "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43"},
        {"password", "salt", 4096, 32,
         "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"},
        {"passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt",
         4096, 40,
         "348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1c63"
         "5518c7dac47e9"},
        /* RFC 7914 section 11 (64-byte outputs: two PBKDF2 blocks). */
        {"passwd", "salt", 1, 64,
         "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49"
         "ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"},
        {"Password", "NaCl", 80000, 64,
         "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56a1"
         "d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        unsigned char dk[64];
        CHECK_OK(secip_pbkdf2_sha256(v[i].pw, strlen(v[i].pw), v[i].salt,
                                     strlen(v[i].salt), v[i].iter, dk,
                                     v[i].len));
        check_hex(dk, v[i].len, v[i].dk);
    }
    unsigned char dk[32];
    CHECK_ERR(secip_pbkdf2_sha256("p", 1, "s", 1, 0, dk, 32), SECIP_EINVAL);
    CHECK_ERR(secip_pbkdf2_sha256("p", 1, "s", 1, 1, dk, 0), SECIP_EINVAL);
    tu_log("PBKDF2-HMAC-SHA256: 6 vectors ok");
}

static void test_base64(void)
{
    /* RFC 4648 section 10, without padding. */
    static const char *const in[] = {"",     "f",     "fo",    "foo",
                                     "foob", "fooba", "foobar"};
    static const char *const out[] = {"",       "Zg",      "Zm8",     "Zm9v",
                                      "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
    for (size_t i = 0; i < 7; i++) {
        char t[16];
        unsigned char b[16];
        CHECK(sp_b64_encode(in[i], strlen(in[i]), t, sizeof t) ==
              (int)strlen(out[i]));
        CHECK(strcmp(t, out[i]) == 0);
        CHECK(sp_b64_decode(t, strlen(t), b, sizeof b) == (int)strlen(in[i]));
        CHECK(memcmp(b, in[i], strlen(in[i])) == 0);
    }
    unsigned char b[16];
    CHECK(sp_b64_decode("Zm9v!", 5, b, sizeof b) < 0);
    CHECK(sp_b64_decode("Z", 1, b, sizeof b) < 0);
    CHECK(sp_b64_decode("Zh", 2, b, sizeof b) < 0); /* non-zero spare bits */
    CHECK(sp_b64_decode("Zm9vYmFy", 8, b, 5) == SECIP_ETOOBIG);
}

static void test_password(void)
{
    char h1[SECIP_PASSWORD_HASH_MAX], h2[SECIP_PASSWORD_HASH_MAX];
    uint64_t t0 = spl_clock_ms();
    CHECK_OK(secip_password_hash("correct horse", 0, h1, sizeof h1));
    tu_log("password hash at default count took %llu ms: %s",
           (unsigned long long)(spl_clock_ms() - t0), h1);
    CHECK(strncmp(h1, "$pbkdf2-sha256$i=210000$", 24) == 0);
    CHECK_OK(secip_password_verify("correct horse", h1));
    CHECK_ERR(secip_password_verify("correct horsE", h1), SECIP_EDENIED);
    CHECK_ERR(secip_password_verify("", h1), SECIP_EDENIED);

    /* Same password, fresh salt: different strings, both verify. */
    CHECK_OK(secip_password_hash("pw", 1000, h1, sizeof h1));
    CHECK_OK(secip_password_hash("pw", 1000, h2, sizeof h2));
    CHECK(strcmp(h1, h2) != 0);
    CHECK_OK(secip_password_verify("pw", h2));

    /* A hash string computed independently (salt "saltsaltsaltsalt"). */
    unsigned char dk[32];
    char b64[48], s[128];
    CHECK_OK(
        secip_pbkdf2_sha256("pw", 2, "saltsaltsaltsalt", 16, 1000, dk, 32));
    sp_b64_encode(dk, 32, b64, sizeof b64);
    snprintf(s, sizeof s, "$pbkdf2-sha256$i=1000$c2FsdHNhbHRzYWx0c2FsdA$%s",
             b64);
    CHECK_OK(secip_password_verify("pw", s));

    CHECK_ERR(secip_password_hash("pw", 10, h1, sizeof h1), SECIP_EINVAL);
    CHECK_ERR(secip_password_hash("pw", 1000, h1, 20), SECIP_ETOOBIG);
    CHECK_ERR(secip_password_verify("pw", "plain"), SECIP_EFORMAT);
    CHECK_ERR(secip_password_verify("pw", "$pbkdf2-sha256$i=99999999999$a$b"),
              SECIP_EFORMAT);
    CHECK_ERR(secip_password_verify("pw", "$pbkdf2-sha256$i=1000$c2FsdA$x"),
              SECIP_EFORMAT);
    CHECK_ERR(secip_password_verify(NULL, h1), SECIP_EINVAL);
    tu_log("password hashing ok");
}

#define RNG_THREADS 4
#define RNG_ROUNDS  2000

static void rng_worker(void *arg)
{
    unsigned char *out = arg;
    for (int i = 0; i < RNG_ROUNDS; i++)
        if (secip_random(out + (i % 8) * 32, 32) < 0)
            out[0] ^= 1; /* cannot happen; detected below via equality */
}

static void test_random(void)
{
    /* Concurrent use from several threads (TSan and ASan watch this). */
    static unsigned char out[RNG_THREADS][256];
    spl_thread *t[RNG_THREADS];
    for (int i = 0; i < RNG_THREADS; i++)
        CHECK_OK(spl_thread_create(&t[i], rng_worker, out[i]));
    for (int i = 0; i < RNG_THREADS; i++)
        spl_thread_join(t[i]);
    for (int i = 0; i < RNG_THREADS; i++)
        for (int j = i + 1; j < RNG_THREADS; j++)
            CHECK(memcmp(out[i], out[j], sizeof out[i]) != 0);
    /* The BearSSL-facing PRNG object draws from the same generator. */
    unsigned char a[32], b[32];
    const br_prng_class **p = sp_rng_prng();
    CHECK_OK(sp_rng_ready());
    (*p)->generate(p, a, sizeof a);
    (*p)->generate(p, b, sizeof b);
    CHECK(memcmp(a, b, sizeof a) != 0);
    CHECK_ERR(secip_random(NULL, 1), SECIP_EINVAL);
    CHECK_OK(secip_random(NULL, 0));
    tu_log("random generator ok");
}

int main(void)
{
    test_sha256();
    test_hmac();
    test_pbkdf2();
    test_base64();
    test_password();
    test_random();
    return 0;
}
