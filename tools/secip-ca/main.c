/*
 * tools/secip-ca/main.c -- `secip-ca --dir DIR <command>`: set up a CA,
 * manage its users and certificates, and serve enrollment requests.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca_tool.h"
#include "platform.h"
#include "secip/ca.h"
#include "secip/secip.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: secip-ca --dir DIR [--password-file FILE] "
               "[--iterations N] <command>\n\n"
               "commands:\n"
               "  init                       create DIR/ca.key, DIR/ca.pem and "
               "an empty DIR/users.json\n"
               "  user add NAME [--admin]    register a user\n"
               "  user remove NAME           delete a user\n"
               "  user passwd NAME           set a new password\n"
               "  user enable|disable NAME   allow or refuse enrollment\n"
               "  user list                  table of users\n"
               "  serve --listen HOST:PORT   run the CA server\n"
               "  revoke SERIAL              revoke a certificate\n"
               "  issued                     table of issued certificates\n\n"
               "Passwords (user add, user passwd) come from the first line of "
               "--password-file FILE,\nelse from the SECIP_PASSWORD "
               "environment variable, else from the terminal\n(typed twice, "
               "not echoed); never from the command line.\n");
}

int ca_fail(const char *fmt, ...)
{
    va_list ap;
    fputs("secip-ca: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 1;
}

/* Type the password twice (without echo) when confirm is set. */
static int prompt_password(const char *name, int confirm, char *buf, size_t cap)
{
    char prompt[160], again[1024];
    snprintf(prompt, sizeof prompt, "Password for %s: ", name);
    int rc = spl_read_password(prompt, buf, cap);
    if (rc == SECIP_ENOTSUP)
        return ca_fail("no password: standard input is not a terminal; use "
                       "--password-file FILE or set SECIP_PASSWORD");
    if (rc < 0)
        return ca_fail("reading the password: %s", secip_last_error());
    if (!confirm)
        return 0;
    snprintf(prompt, sizeof prompt, "Repeat the password for %s: ", name);
    rc = spl_read_password(prompt, again, sizeof again);
    int same = rc >= 0 && strcmp(buf, again) == 0;
    memset(again, 0, sizeof again);
    if (!same)
        memset(buf, 0, cap);
    if (rc < 0)
        return ca_fail("reading the password: %s", secip_last_error());
    if (!same)
        return ca_fail("the passwords do not match");
    return 0;
}

int ca_read_password(const ca_opts *o, const char *name, int confirm, char *buf,
                     size_t cap)
{
    const char *env = getenv("SECIP_PASSWORD");
    if (o->password_file != NULL) {
        FILE *f = fopen(o->password_file, "rb");
        if (f == NULL)
            return ca_fail("cannot open password file %s", o->password_file);
        size_t n = fread(buf, 1, cap - 1, f);
        fclose(f);
        buf[n] = '\0';
        buf[strcspn(buf, "\r\n")] = '\0';
    } else if (env != NULL) {
        if (strlen(env) >= cap)
            return ca_fail("password too long");
        memcpy(buf, env, strlen(env) + 1);
    } else if (prompt_password(name, confirm, buf, cap) != 0) {
        return 1;
    }
    if (buf[0] == '\0')
        return ca_fail("empty password");
    return 0;
}

int ca_cmd_init(const ca_opts *o, int argc, char **argv)
{
    (void)argv;
    if (argc != 1)
        return ca_fail("init takes no arguments");
    char keyp[4200], certp[4200];
    snprintf(keyp, sizeof keyp, "%s/ca.key", o->dir);
    snprintf(certp, sizeof certp, "%s/ca.pem", o->dir);
    if (!spl_dir_exists(o->dir) && spl_dir_create(o->dir, 1) < 0)
        return ca_fail("cannot create %s: %s", o->dir, secip_last_error());
    spl_file *f = NULL;
    if (spl_file_open(keyp, SPL_FILE_READ, &f) >= 0) {
        spl_file_close(f);
        return ca_fail("%s already exists: this directory holds a CA", keyp);
    }
    secip_key *key = NULL;
    secip_cert *cert = NULL;
    secip_ca_db *db = NULL;
    int rc = secip_key_generate(2048, &key);
    if (rc >= 0)
        rc = secip_cert_create_ca(key, "secip CA", NULL, 3650, &cert);
    if (rc >= 0)
        rc = secip_key_save_private(key, keyp);
    if (rc >= 0)
        rc = secip_cert_save_file(cert, certp);
    if (rc >= 0)
        rc = secip_ca_db_open(o->dir, 1, &db);
    if (rc >= 0)
        printf("CA ready in %s: ca.key, ca.pem (serial %s), users.json\n",
               o->dir, secip_cert_serial_hex(cert));
    secip_ca_db_free(db);
    secip_cert_free(cert);
    secip_key_free(key);
    return rc < 0 ? ca_fail("init: %s", secip_last_error()) : 0;
}

int main(int argc, char **argv)
{
    ca_opts o = {NULL, NULL, 0};
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
            o.dir = argv[++i];
        } else if (strcmp(argv[i], "--password-file") == 0 && i + 1 < argc) {
            o.password_file = argv[++i];
        } else if (strcmp(argv[i], "--iterations") == 0 && i + 1 < argc) {
            o.iterations = (uint32_t)strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (o.dir == NULL || i >= argc) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[i];
    argc -= i;
    argv += i;
    if (strcmp(cmd, "init") == 0)
        return ca_cmd_init(&o, argc, argv);
    if (strcmp(cmd, "user") == 0)
        return ca_cmd_user(&o, argc, argv);
    if (strcmp(cmd, "revoke") == 0)
        return ca_cmd_revoke(&o, argc, argv);
    if (strcmp(cmd, "issued") == 0)
        return ca_cmd_issued(&o, argc, argv);
    if (strcmp(cmd, "serve") == 0)
        return ca_cmd_serve(&o, argc, argv);
    usage(stderr);
    return 2;
}
