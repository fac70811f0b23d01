/*
 * tests/crypto/interop_driver.c -- the secip side of the openssl interop
 * test (interop.sh): makes keys and every kind of certificate secip
 * issues, and loads and verifies what openssl made.
 *
 *   interop_driver mkall                 write ca/leaf/client/inter/leaf2/far
 *   interop_driver loadkey FILE          print bits, private?, fingerprint
 *   interop_driver loadcert FILE         print the certificate's fields
 *   interop_driver verify CERT CA [NAME] exit 0 if CERT verifies against CA
 *   interop_driver issue CAKEY CACERT OUT  issue a leaf with that CA
 *
 * Exit status 0 on success; on failure the reason is printed on stderr.
 */
#include <stdio.h>
#include <string.h>

#include "secip/cert.h"
#include "secip/key.h"

#define DAY 86400

static int die(const char *what)
{
    /* The detail names the file already where one is involved. */
    fprintf(stderr, "%s failed: %s\n", what, secip_last_error());
    return 1;
}

static int issue(const secip_key *key, const secip_cert *ca,
                 const secip_key *ca_key, const secip_cert_options *o,
                 const char *path, secip_cert **out)
{
    secip_cert *c;
    if (secip_cert_issue(o, key, ca, ca_key, &c) < 0)
        return die(path);
    if (secip_cert_save_file(c, path) < 0)
        return die(path);
    if (out != NULL)
        *out = c;
    else
        secip_cert_free(c);
    return 0;
}

static int mkall(void)
{
    secip_key *ca_key, *leaf_key;
    secip_cert *ca, *inter, *leaf2;
    secip_cert_options o;
    if (secip_key_generate(2048, &ca_key) < 0 ||
        secip_key_generate(2048, &leaf_key) < 0)
        return die("keygen");
    if (secip_key_save_private(ca_key, "ca.key") < 0 ||
        secip_key_save_public(ca_key, "ca.pub") < 0 ||
        secip_key_save_private(leaf_key, "leaf.key") < 0)
        return die("save key");
    if (secip_cert_create_ca(ca_key, "secip Interop CA", "secip", 3650, &ca) <
            0 ||
        secip_cert_save_file(ca, "ca.pem") < 0)
        return die("ca.pem");

    static const char *const dns[] = {"chat.example", "*.chat.example"};
    static const char *const ips[] = {"127.0.0.1", "::1"};
    secip_cert_options_init(&o);
    o.subject_cn = "chat.example";
    o.subject_o = "secip";
    o.dns_names = dns;
    o.dns_count = 2;
    o.ip_addrs = ips;
    o.ip_count = 2;
    o.ext_key_usage = SECIP_EKU_SERVER;
    if (issue(leaf_key, ca, ca_key, &o, "leaf.pem", NULL))
        return 1;

    secip_cert_options_init(&o);
    o.subject_cn = "alice";
    o.ext_key_usage = SECIP_EKU_CLIENT;
    if (issue(leaf_key, ca, ca_key, &o, "client.pem", NULL))
        return 1;

    secip_cert_options_init(&o);
    o.subject_cn = "secip Interop Intermediate";
    o.is_ca = 1;
    o.path_len = 0;
    if (issue(ca_key, ca, ca_key, &o, "inter.pem", &inter))
        return 1;
    /* (The intermediate reuses the CA key: the chain logic is what is
     * tested, and it saves a slow key generation.) */

    static const char *const dns2[] = {"files.example"};
    secip_cert_options_init(&o);
    o.subject_cn = "files.example";
    o.dns_names = dns2;
    o.dns_count = 1;
    o.ext_key_usage = SECIP_EKU_SERVER | SECIP_EKU_CLIENT;
    if (issue(leaf_key, inter, ca_key, &o, "leaf2.pem", &leaf2))
        return 1;
    if (secip_cert_chain_append(leaf2, inter) < 0 ||
        secip_cert_save_file(leaf2, "leaf2-chain.pem") < 0)
        return die("leaf2-chain.pem");

    secip_cert_options_init(&o);
    o.subject_cn = "far.example";
    o.not_before = 2524607999; /* 2049-12-31 */
    o.not_after = 4102444800;  /* 2100-01-01 */
    if (issue(leaf_key, ca, ca_key, &o, "far.pem", NULL))
        return 1;

    secip_cert_free(leaf2);
    secip_cert_free(inter);
    secip_cert_free(ca);
    secip_key_free(ca_key);
    secip_key_free(leaf_key);
    return 0;
}

static int loadkey(const char *path)
{
    secip_key *k;
    char fp[65];
    if (secip_key_load_file(path, &k) < 0 || secip_key_fingerprint(k, fp) < 0)
        return die(path);
    printf("bits %d private %d fingerprint %s\n", secip_key_bits(k),
           secip_key_has_private(k), fp);
    secip_key_free(k);
    return 0;
}

static int loadcert(const char *path)
{
    secip_cert *c;
    char fp[65];
    if (secip_cert_load_file(path, &c) < 0 || secip_cert_fingerprint(c, fp) < 0)
        return die(path);
    printf("subject %s\nissuer %s\nserial %s\nca %d\nfingerprint %s\n",
           secip_cert_subject_cn(c), secip_cert_issuer_cn(c),
           secip_cert_serial_hex(c), secip_cert_is_ca(c), fp);
    for (size_t i = 0; i < secip_cert_dns_count(c); i++)
        printf("dns %s\n", secip_cert_dns_name(c, i));
    for (size_t i = 0; i < secip_cert_ip_count(c); i++)
        printf("ip %s\n", secip_cert_ip(c, i));
    secip_key *k;
    if (secip_cert_public_key(c, &k) == 0) {
        secip_key_fingerprint(k, fp);
        printf("key %s\n", fp);
        secip_key_free(k);
    }
    secip_cert_free(c);
    return 0;
}

static int verify(const char *cert, const char *ca, const char *name)
{
    secip_cert *c, *a;
    if (secip_cert_load_file(cert, &c) < 0)
        return die(cert);
    if (secip_cert_load_file(ca, &a) < 0)
        return die(ca);
    int rc = secip_cert_verify(c, a, name, 0, 0);
    if (rc < 0)
        fprintf(stderr, "verify: %s\n", secip_last_error());
    else
        printf("verified\n");
    secip_cert_free(c);
    secip_cert_free(a);
    return rc < 0;
}

static int issue_with(const char *keyf, const char *certf, const char *out)
{
    secip_key *ca_key, *leaf_key;
    secip_cert *ca;
    secip_cert_options o;
    if (secip_key_load_file(keyf, &ca_key) < 0)
        return die(keyf);
    if (secip_cert_load_file(certf, &ca) < 0)
        return die(certf);
    if (secip_key_generate(2048, &leaf_key) < 0)
        return die("keygen");
    static const char *const dns[] = {"secip-leaf.example"};
    secip_cert_options_init(&o);
    o.subject_cn = "secip-leaf.example";
    o.dns_names = dns;
    o.dns_count = 1;
    o.ext_key_usage = SECIP_EKU_SERVER;
    int rc = issue(leaf_key, ca, ca_key, &o, out, NULL);
    secip_cert_free(ca);
    secip_key_free(ca_key);
    secip_key_free(leaf_key);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "mkall") == 0)
        return mkall();
    if (argc == 3 && strcmp(argv[1], "loadkey") == 0)
        return loadkey(argv[2]);
    if (argc == 3 && strcmp(argv[1], "loadcert") == 0)
        return loadcert(argv[2]);
    if ((argc == 4 || argc == 5) && strcmp(argv[1], "verify") == 0)
        return verify(argv[2], argv[3], argc == 5 ? argv[4] : NULL);
    if (argc == 5 && strcmp(argv[1], "issue") == 0)
        return issue_with(argv[2], argv[3], argv[4]);
    fprintf(stderr, "usage: see the comment at the top of interop_driver.c\n");
    return 2;
}
