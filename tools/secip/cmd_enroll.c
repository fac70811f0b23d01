/*
 * tools/secip/cmd_enroll.c -- `secip enroll --ca HOST:PORT --ca-cert FILE
 * --user NAME --out PREFIX`: generate a key, have the CA certify it, write
 * PREFIX.key (owner-only) and PREFIX.pem.  The password comes from
 * --password-file FILE, the SECIP_PASSWORD environment variable, or the
 * terminal (typed without echo), never from the command line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "platform.h"
#include "secip/ca.h"
#include "secip/secip.h"

#define ENROLL_MAX_NAMES 16
#define PREFIX_MAX       4000

/* The password: --password-file, else SECIP_PASSWORD, else typed on the
 * terminal without echo.  0, or 1 after printing why. */
static int read_password(const char *file, const char *user, char *buf,
                         size_t cap)
{
    const char *env = getenv("SECIP_PASSWORD");
    if (file != NULL) {
        FILE *f = fopen(file, "rb");
        if (f == NULL)
            return tool_fail("cannot open password file %s", file);
        size_t n = fread(buf, 1, cap - 1, f);
        fclose(f);
        buf[n] = '\0';
        buf[strcspn(buf, "\r\n")] = '\0';
    } else if (env != NULL) {
        if (strlen(env) >= cap)
            return tool_fail("password too long");
        memcpy(buf, env, strlen(env) + 1);
    } else {
        char prompt[160];
        snprintf(prompt, sizeof prompt, "Password for %.100s: ", user);
        int rc = spl_read_password(prompt, buf, cap);
        if (rc == SECIP_ENOTSUP)
            return tool_fail("no password: standard input is not a terminal; "
                             "use --password-file FILE or set "
                             "SECIP_PASSWORD");
        if (rc < 0)
            return tool_fail("reading the password: %s", secip_last_error());
    }
    return buf[0] == '\0' ? tool_fail("empty password") : 0;
}

static int split_hostport(const char *spec, char *host, size_t cap,
                          uint16_t *port)
{
    const char *colon = strrchr(spec, ':');
    char *end = NULL;
    if (colon == NULL || colon == spec || (size_t)(colon - spec) >= cap)
        return -1;
    unsigned long p = strtoul(colon + 1, &end, 10);
    if (colon[1] == '\0' || *end != '\0' || p == 0 || p > 65535)
        return -1;
    memcpy(host, spec, (size_t)(colon - spec));
    host[colon - spec] = '\0';
    *port = (uint16_t)p;
    return 0;
}

static int enroll_usage(void)
{
    fprintf(stderr, "usage: secip enroll --ca HOST:PORT --ca-cert FILE --user "
                    "NAME --out PREFIX [--password-file FILE] [--name "
                    "DNS|IP]...\n");
    return 2;
}

int cmd_enroll(int argc, char **argv)
{
    const char *ca = NULL, *ca_file = NULL, *user = NULL, *out = NULL;
    const char *pw_file = NULL, *names[ENROLL_MAX_NAMES];
    size_t nnames = 0;
    for (int i = 1; i < argc; i += 2) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (v == NULL)
            return enroll_usage();
        if (strcmp(a, "--ca") == 0)
            ca = v;
        else if (strcmp(a, "--ca-cert") == 0)
            ca_file = v;
        else if (strcmp(a, "--user") == 0)
            user = v;
        else if (strcmp(a, "--out") == 0)
            out = v;
        else if (strcmp(a, "--password-file") == 0)
            pw_file = v;
        else if (strcmp(a, "--name") == 0 && nnames < ENROLL_MAX_NAMES)
            names[nnames++] = v;
        else
            return enroll_usage();
    }
    char host[256], pw[1024], keyf[PREFIX_MAX + 8], certf[PREFIX_MAX + 8];
    uint16_t port = 0;
    if (ca == NULL || ca_file == NULL || user == NULL || out == NULL ||
        strlen(out) > PREFIX_MAX ||
        split_hostport(ca, host, sizeof host, &port) < 0)
        return enroll_usage();
    snprintf(keyf, sizeof keyf, "%s.key", out);
    snprintf(certf, sizeof certf, "%s.pem", out);
    if (read_password(pw_file, user, pw, sizeof pw) != 0)
        return 1;
    secip_cert *ca_cert = NULL, *cert = NULL;
    secip_key *key = NULL;
    char why[SECIP_CA_REASON_MAX];
    int rc = secip_cert_load_file(ca_file, &ca_cert);
    if (rc >= 0)
        rc = secip_key_generate(2048, &key);
    if (rc >= 0)
        rc = secip_ca_enroll(host, port, ca_cert, user, pw, key, names, nnames,
                             &cert, why);
    memset(pw, 0, sizeof pw);
    if (rc >= 0)
        rc = secip_key_save_private(key, keyf);
    if (rc >= 0)
        rc = secip_cert_save_file(cert, certf);
    if (rc >= 0)
        printf("enrolled %s: %s and %s (serial %s)\n", user, keyf, certf,
               secip_cert_serial_hex(cert));
    else if (rc == SECIP_EDENIED)
        tool_fail("enrollment denied: %s", why);
    else
        tool_fail("enroll: %s", secip_last_error());
    secip_cert_free(cert);
    secip_cert_free(ca_cert);
    secip_key_free(key);
    return rc < 0 ? 1 : 0;
}
