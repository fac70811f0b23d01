/*
 * tests/crypto/test_sha256.c -- the bulk SHA-256 (crypto/sha256.h): FIPS
 * 180-4 example vectors, and agreement with BearSSL's implementation over
 * every length from 0 to 300 bytes and random splits of the input, which
 * exercises the block buffering and both padding cases.  Prints which
 * implementation ran (the SHA extensions where the CPU has them).
 */
#include <stdio.h>
#include <string.h>

#include "crypto/sha256.h"
#include "testutil.h"

static void hex(const uint8_t *d, char *out)
{
    static const char digits[] = "0123456789abcdef";
    int i;
    for (i = 0; i < 32; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[64] = 0;
}

static void check_vector(const char *msg, size_t repeat, const char *want)
{
    sp_sha256_ctx c;
    uint8_t d[32];
    char got[65];
    size_t i;
    sp_sha256_init(&c);
    for (i = 0; i < repeat; i++)
        sp_sha256_update(&c, msg, strlen(msg));
    sp_sha256_out(&c, d);
    hex(d, got);
    CHECK(strcmp(got, want) == 0);
}

/* Same digest as BearSSL, fed in pieces cut at pseudo-random places. */
static void check_against_bearssl(const uint8_t *buf, size_t len,
                                  uint32_t *seed)
{
    sp_sha256_ctx c;
    br_sha256_context b;
    uint8_t d1[32], d2[32];
    size_t off = 0, n;
    sp_sha256_init(&c);
    while (off < len) {
        *seed = *seed * 1103515245u + 12345u;
        n = (*seed >> 16) % 130u;
        if (n > len - off)
            n = len - off;
        sp_sha256_update(&c, buf + off, n);
        off += n;
    }
    sp_sha256_out(&c, d1);
    br_sha256_init(&b);
    br_sha256_update(&b, buf, len);
    br_sha256_out(&b, d2);
    CHECK(memcmp(d1, d2, 32) == 0);
}

int main(void)
{
    static uint8_t buf[70000];
    uint32_t seed = 7;
    size_t i;

    tu_log("sha256: %s", sp_sha256_accelerated() ? "x86 SHA extensions"
                                                 : "BearSSL (portable)");
    check_vector(
        "", 1,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    check_vector(
        "abc", 1,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    check_vector(
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    check_vector(
        "a", 1000000,
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    for (i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 131u + (i >> 8));
    for (i = 0; i <= 300; i++)
        check_against_bearssl(buf, i, &seed);
    check_against_bearssl(buf, sizeof buf, &seed);
    tu_log("sha256: ok");
    return 0;
}
