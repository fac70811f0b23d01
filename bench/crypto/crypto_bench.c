/*
 * bench/crypto/crypto_bench.c -- how fast secip's RSA is on this machine:
 * RSA-2048 key generation time (a few keys: it varies a lot per key),
 * PKCS#1 v1.5 SHA-256 signatures and verifications per second, plus
 * certificate issuance/verification and password hashing for context.
 *
 *   crypto_bench [--keys N] [--seconds S]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bearssl.h>

#include "crypto/key_internal.h"
#include "platform.h"
#include "secip/cert.h"
#include "secip/key.h"
#include "secip/password.h"

static int die(const char *what)
{
    fprintf(stderr, "crypto_bench: %s: %s\n", what, secip_last_error());
    return 1;
}

static double now_s(void)
{
    return (double)spl_clock_ns() / 1e9;
}

static int bench_keygen(int keys, secip_key **keep)
{
    double min = 1e9, max = 0, total = 0;
    for (int i = 0; i < keys; i++) {
        secip_key *k;
        double t0 = now_s();
        if (secip_key_generate(2048, &k) < 0)
            return die("keygen");
        double dt = now_s() - t0;
        total += dt;
        min = dt < min ? dt : min;
        max = dt > max ? dt : max;
        if (i == 0)
            *keep = k;
        else
            secip_key_free(k);
    }
    printf("RSA-2048 keygen:  %d keys, mean %.1f ms, min %.1f ms, "
           "max %.1f ms\n",
           keys, total / keys * 1e3, min * 1e3, max * 1e3);
    return 0;
}

static int bench_sign_verify(const secip_key *k, double seconds)
{
    const br_rsa_private_key *sk = sp_key_rsa_sk(k);
    const br_rsa_public_key *pk = sp_key_rsa_pk(k);
    br_rsa_pkcs1_sign sign = br_rsa_pkcs1_sign_get_default();
    br_rsa_pkcs1_vrfy vrfy = br_rsa_pkcs1_vrfy_get_default();
    unsigned char hash[32], sig[512], out[32];
    memset(hash, 0x42, sizeof hash);

    long n = 0;
    double t0 = now_s(), t;
    do {
        if (!sign(BR_HASH_OID_SHA256, hash, 32, sk, sig))
            return die("sign");
        n++;
        t = now_s();
    } while (t - t0 < seconds);
    printf("RSA-2048 sign:    %.0f signatures/s (%ld in %.2f s)\n",
           n / (t - t0), n, t - t0);

    n = 0;
    t0 = now_s();
    do {
        if (!vrfy(sig, 256, BR_HASH_OID_SHA256, 32, pk, out) ||
            memcmp(out, hash, 32) != 0)
            return die("verify");
        n++;
        t = now_s();
    } while (t - t0 < seconds);
    printf("RSA-2048 verify:  %.0f verifications/s (%ld in %.2f s)\n",
           n / (t - t0), n, t - t0);
    return 0;
}

static int bench_certs(const secip_key *k, double seconds)
{
    secip_cert *ca, *leaf = NULL;
    if (secip_cert_create_ca(k, "Bench CA", NULL, 30, &ca) < 0)
        return die("create CA");
    secip_cert_options o;
    secip_cert_options_init(&o);
    o.subject_cn = "bench.example";
    static const char *const dns[] = {"bench.example"};
    o.dns_names = dns;
    o.dns_count = 1;
    long n = 0;
    double t0 = now_s(), t;
    do {
        secip_cert_free(leaf);
        if (secip_cert_issue(&o, k, ca, k, &leaf) < 0)
            return die("issue");
        n++;
        t = now_s();
    } while (t - t0 < seconds);
    printf("cert issue:       %.0f certificates/s\n", n / (t - t0));
    n = 0;
    t0 = now_s();
    do {
        if (secip_cert_verify(leaf, ca, "bench.example", 0, 0) < 0)
            return die("verify");
        n++;
        t = now_s();
    } while (t - t0 < seconds);
    printf("cert verify:      %.0f chains/s\n", n / (t - t0));
    secip_cert_free(leaf);
    secip_cert_free(ca);
    return 0;
}

static int bench_password(void)
{
    char h[SECIP_PASSWORD_HASH_MAX];
    double t0 = now_s();
    if (secip_password_hash("bench", 0, h, sizeof h) < 0)
        return die("password hash");
    printf("password hash:    %.0f ms (PBKDF2-HMAC-SHA256, %u iterations)\n",
           (now_s() - t0) * 1e3, SECIP_PASSWORD_DEFAULT_ITERATIONS);
    return 0;
}

int main(int argc, char **argv)
{
    int keys = 5;
    double seconds = 2.0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--keys") == 0 && i + 1 < argc) {
            keys = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
            seconds = atof(argv[++i]);
        } else {
            fprintf(stderr, "usage: crypto_bench [--keys N] [--seconds S]\n");
            return 2;
        }
    }
    if (keys < 1 || keys > 1000 || !(seconds > 0 && seconds <= 600)) {
        fprintf(stderr, "crypto_bench: --keys 1..1000, --seconds 0..600\n");
        return 2;
    }
    secip_key *k = NULL;
    if (bench_keygen(keys, &k) || bench_sign_verify(k, seconds) ||
        bench_certs(k, seconds) || bench_password())
        return 1;
    secip_key_free(k);
    return 0;
}
