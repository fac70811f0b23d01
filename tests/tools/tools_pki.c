/*
 * tests/tools/tools_pki.c -- makes the certificates for the `secip serve` /
 * `secip send` shell tests with the public API (secip has no cert-issuing
 * subcommand yet).  Keys come from `secip keygen`, so that path is tested
 * too.
 *
 *   tools_pki ca NAME CN
 *       NAME.key (new) and NAME.pem: a self-signed CA
 *   tools_pki issue CA NAME CN server|client [SAN...]
 *       NAME.pem for the existing key NAME.key, signed by CA.key/CA.pem;
 *       a SAN with a digit first or a ':' is an IP address, else a DNS name
 *
 * Exit status 0 on success, 1 with a line on stderr otherwise.
 */
#include <stdio.h>
#include <string.h>

#include "secip/secip.h"

#define MAX_SAN 8

static int fail(const char *what)
{
    fprintf(stderr, "tools_pki: %s: %s\n", what, secip_last_error());
    return 1;
}

static void path_of(char *buf, size_t cap, const char *name, const char *ext)
{
    snprintf(buf, cap, "%s%s", name, ext);
}

static int make_ca(const char *name, const char *cn)
{
    char p[1024];
    secip_key *key = NULL;
    secip_cert *ca = NULL;
    int rc = 0;
    if (secip_key_generate(2048, &key) < 0)
        return fail("keygen");
    path_of(p, sizeof p, name, ".key");
    if (secip_key_save_private(key, p) < 0)
        rc = fail(p);
    if (rc == 0 && secip_cert_create_ca(key, cn, "secip tests", 30, &ca) < 0)
        rc = fail("create CA");
    path_of(p, sizeof p, name, ".pem");
    if (rc == 0 && secip_cert_save_file(ca, p) < 0)
        rc = fail(p);
    secip_cert_free(ca);
    secip_key_free(key);
    return rc;
}

static int issue(int argc, char **argv)
{
    const char *dns[MAX_SAN], *ips[MAX_SAN];
    char p[1024];
    secip_key *ca_key = NULL, *key = NULL;
    secip_cert *ca = NULL, *cert = NULL;
    secip_cert_options o;
    int rc = 0;

    secip_cert_options_init(&o);
    o.subject_cn = argv[4];
    o.ext_key_usage =
        strcmp(argv[5], "server") == 0 ? SECIP_EKU_SERVER : SECIP_EKU_CLIENT;
    for (int i = 6; i < argc && i < 6 + MAX_SAN; i++) {
        const char *s = argv[i];
        if ((s[0] >= '0' && s[0] <= '9') || strchr(s, ':') != NULL)
            ips[o.ip_count++] = s;
        else
            dns[o.dns_count++] = s;
    }
    o.dns_names = dns;
    o.ip_addrs = ips;
    path_of(p, sizeof p, argv[2], ".key");
    if (secip_key_load_file(p, &ca_key) < 0)
        return fail(p);
    path_of(p, sizeof p, argv[2], ".pem");
    if (secip_cert_load_file(p, &ca) < 0)
        rc = fail(p);
    path_of(p, sizeof p, argv[3], ".key");
    if (rc == 0 && secip_key_load_file(p, &key) < 0)
        rc = fail(p);
    if (rc == 0 && secip_cert_issue(&o, key, ca, ca_key, &cert) < 0)
        rc = fail("issue");
    path_of(p, sizeof p, argv[3], ".pem");
    if (rc == 0 && secip_cert_save_file(cert, p) < 0)
        rc = fail(p);
    secip_cert_free(cert);
    secip_cert_free(ca);
    secip_key_free(key);
    secip_key_free(ca_key);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "ca") == 0)
        return make_ca(argv[2], argv[3]);
    if (argc >= 6 && strcmp(argv[1], "issue") == 0)
        return issue(argc, argv);
    fprintf(stderr, "usage: tools_pki ca NAME CN | "
                    "tools_pki issue CA NAME CN server|client [SAN...]\n");
    return 1;
}
