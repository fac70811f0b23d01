/*
 * tests/fuzz/fuzz_cert.c -- libFuzzer target: X.509 certificate parsing
 * (one DER certificate, or a PEM chain) and every accessor.
 *
 * Input: byte 0 bit 0 clear means "the rest is one DER certificate", set
 * means "the rest is PEM text (a chain)".  Invariants for an accepted
 * certificate:
 *  - every accessor returns a NUL-terminated string or a value in its
 *    documented range, and out-of-range indexes give NULL;
 *  - the stored DER reloads to a certificate with the same fingerprint,
 *    serial and names;
 *  - secip_cert_to_pem output reloads to the same chain (same DER each).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "secip/cert.h"
#include "secip/key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t touch(const char *s)
{
    if (s == NULL)
        __builtin_trap();
    return strlen(s);
}

static void accessors(const secip_cert *c)
{
    size_t i, n, len = 0;
    secip_key *k = NULL;
    char fp[SECIP_FINGERPRINT_HEX_LEN + 1];
    const unsigned char *der;
    int pl;

    touch(secip_cert_subject_cn(c));
    touch(secip_cert_subject_o(c));
    touch(secip_cert_issuer_cn(c));
    if (touch(secip_cert_serial_hex(c)) == 0)
        __builtin_trap(); /* "0" at least */
    (void)secip_cert_not_before(c);
    (void)secip_cert_not_after(c);
    n = secip_cert_dns_count(c);
    for (i = 0; i < n; i++)
        touch(secip_cert_dns_name(c, i));
    if (secip_cert_dns_name(c, n) != NULL)
        __builtin_trap();
    n = secip_cert_ip_count(c);
    for (i = 0; i < n; i++)
        touch(secip_cert_ip(c, i));
    if (secip_cert_ip(c, n) != NULL)
        __builtin_trap();
    if (secip_cert_is_ca(c) != 0 && secip_cert_is_ca(c) != 1)
        __builtin_trap();
    pl = secip_cert_path_len(c);
    if (pl < -1)
        __builtin_trap();
    (void)secip_cert_key_usage(c);
    (void)secip_cert_ext_key_usage(c);
    der = secip_cert_der(c, &len);
    if (der == NULL || len == 0)
        __builtin_trap();
    if (secip_cert_fingerprint(c, fp) != 0 || strlen(fp) != 64)
        __builtin_trap();
    if (secip_cert_public_key(c, &k) == 0)
        secip_key_free(k);
}

/* The stored DER reloads to an equivalent certificate. */
static void reload(const secip_cert *c)
{
    secip_cert *c2 = NULL;
    size_t len;
    const unsigned char *der = secip_cert_der(c, &len);
    char fp1[SECIP_FINGERPRINT_HEX_LEN + 1], fp2[SECIP_FINGERPRINT_HEX_LEN + 1];

    if (secip_cert_load_der(der, len, &c2) != 0)
        __builtin_trap();
    if (secip_cert_fingerprint(c, fp1) != 0 ||
        secip_cert_fingerprint(c2, fp2) != 0 || strcmp(fp1, fp2) != 0)
        __builtin_trap();
    if (strcmp(secip_cert_serial_hex(c), secip_cert_serial_hex(c2)) != 0 ||
        strcmp(secip_cert_subject_cn(c), secip_cert_subject_cn(c2)) != 0 ||
        strcmp(secip_cert_issuer_cn(c), secip_cert_issuer_cn(c2)) != 0 ||
        secip_cert_dns_count(c) != secip_cert_dns_count(c2))
        __builtin_trap();
    secip_cert_free(c2);
}

static void pem_round_trip(const secip_cert *c)
{
    secip_cert *c2 = NULL;
    int need = secip_cert_to_pem(c, NULL, 0);
    char *buf;
    size_t i, n = secip_cert_chain_length(c);

    if (need <= 0)
        __builtin_trap();
    buf = malloc((size_t)need);
    if (buf == NULL)
        return;
    if (secip_cert_to_pem(c, buf, (size_t)need) != need - 1)
        __builtin_trap();
    if (secip_cert_load_pem(buf, (size_t)need - 1, &c2) != 0)
        __builtin_trap();
    if (secip_cert_chain_length(c2) != n)
        __builtin_trap();
    for (i = 0; i <= n; i++) {
        const secip_cert *a = i == 0 ? c : secip_cert_chain_get(c, i - 1);
        const secip_cert *b = i == 0 ? c2 : secip_cert_chain_get(c2, i - 1);
        size_t la, lb;
        const unsigned char *da = secip_cert_der(a, &la);
        const unsigned char *db = secip_cert_der(b, &lb);
        if (la != lb || memcmp(da, db, la) != 0)
            __builtin_trap();
    }
    secip_cert_free(c2);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    secip_cert *c = NULL;
    size_t i, n;
    int rc;

    if (size < 1 || size > 128 * 1024)
        return 0;
    if (data[0] & 1)
        rc = secip_cert_load_pem((const char *)data + 1, size - 1, &c);
    else
        rc = secip_cert_load_der(data + 1, size - 1, &c);
    if (rc != 0) {
        if (c != NULL)
            __builtin_trap();
        return 0;
    }
    n = secip_cert_chain_length(c);
    if (n > 16 || ((data[0] & 1) == 0 && n != 0))
        __builtin_trap();
    accessors(c);
    reload(c);
    for (i = 0; i < n; i++) {
        const secip_cert *e = secip_cert_chain_get(c, i);
        if (e == NULL)
            __builtin_trap();
        accessors(e);
        reload(e);
    }
    if (secip_cert_chain_get(c, n) != NULL)
        __builtin_trap();
    pem_round_trip(c);
    secip_cert_free(c);
    return 0;
}
