/*
 * tools/secip/cmd_cert.c -- `secip cert show FILE`: print every certificate
 * of a PEM file (subject, issuer, serial, validity, SANs, usages, key and
 * fingerprints).  Text from the file is printed escaped.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "secip/cert.h"

static void print_time(const char *label, int64_t t)
{
    char buf[64];
    time_t tt = (time_t)t;
    struct tm *tm = gmtime(&tt); /* single-threaded program */
    if (tm != NULL && strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", tm))
        printf("%s%s\n", label, buf);
    else
        printf("%s%lld (seconds since 1970)\n", label, (long long)t);
}

static void print_usages(const secip_cert *c)
{
    static const char *const ku[] = {"digitalSignature", "nonRepudiation",
                                     "keyEncipherment",  "dataEncipherment",
                                     "keyAgreement",     "keyCertSign",
                                     "cRLSign"};
    unsigned bits = secip_cert_key_usage(c);
    printf("key usage:    ");
    if (bits == 0xffffffffu) {
        printf("(any)\n");
    } else {
        const char *sep = "";
        for (unsigned i = 0; i < 7; i++)
            if (bits & (1u << i)) {
                printf("%s%s", sep, ku[i]);
                sep = ", ";
            }
        printf("\n");
    }
    unsigned eku = secip_cert_ext_key_usage(c);
    if (eku == 0xffffffffu)
        printf("ext. usage:   (any)\n");
    else
        printf("ext. usage:   %s%s%s\n",
               eku & SECIP_EKU_SERVER ? "serverAuth" : "",
               (eku & SECIP_EKU_SERVER) && (eku & SECIP_EKU_CLIENT) ? ", " : "",
               eku & SECIP_EKU_CLIENT ? "clientAuth" : "");
}

static void show_one(const secip_cert *c)
{
    char fp[SECIP_FINGERPRINT_HEX_LEN + 1];
    printf("subject:      CN=");
    tool_print_safe(stdout, secip_cert_subject_cn(c));
    if (secip_cert_subject_o(c)[0] != '\0') {
        printf(", O=");
        tool_print_safe(stdout, secip_cert_subject_o(c));
    }
    printf("\nissuer:       CN=");
    tool_print_safe(stdout, secip_cert_issuer_cn(c));
    printf("\nserial:       %s\n", secip_cert_serial_hex(c));
    print_time("not before:   ", secip_cert_not_before(c));
    print_time("not after:    ", secip_cert_not_after(c));
    printf("SANs:         ");
    size_t nd = secip_cert_dns_count(c), ni = secip_cert_ip_count(c);
    for (size_t i = 0; i < nd; i++) {
        printf("%sDNS:", i ? ", " : "");
        tool_print_safe(stdout, secip_cert_dns_name(c, i));
    }
    for (size_t i = 0; i < ni; i++)
        printf("%sIP:%s", i + nd ? ", " : "", secip_cert_ip(c, i));
    printf("%s\n", nd + ni == 0 ? "(none)" : "");
    if (secip_cert_is_ca(c)) {
        if (secip_cert_path_len(c) >= 0)
            printf("CA:           yes (path length %d)\n",
                   secip_cert_path_len(c));
        else
            printf("CA:           yes\n");
    } else {
        printf("CA:           no\n");
    }
    print_usages(c);
    secip_key *k;
    if (secip_cert_public_key(c, &k) == 0) {
        secip_key_fingerprint(k, fp);
        printf("public key:   RSA %d bits, SPKI SHA-256 %s\n",
               secip_key_bits(k), fp);
        secip_key_free(k);
    } else {
        printf("public key:   (%s)\n", secip_last_error());
    }
    secip_cert_fingerprint(c, fp);
    printf("fingerprint:  SHA-256 %s\n", fp);
}

static int show(const char *path)
{
    secip_cert *cert;
    if (secip_cert_load_file(path, &cert) < 0)
        return tool_fail("%s", secip_last_error());
    size_t n = secip_cert_chain_length(cert);
    for (size_t i = 0; i <= n; i++) {
        if (n > 0)
            printf("%scertificate %lu of %lu\n", i ? "\n" : "",
                   (unsigned long)i + 1, (unsigned long)n + 1);
        show_one(i == 0 ? cert : secip_cert_chain_get(cert, i - 1));
    }
    secip_cert_free(cert);
    return 0;
}

int cmd_cert(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "show") == 0)
        return show(argv[2]);
    fprintf(stderr, "usage: secip cert show FILE\n");
    return 2;
}
