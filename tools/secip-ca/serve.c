/*
 * tools/secip-ca/serve.c -- `serve --listen HOST:PORT`: run the CA server
 * on the directory's key, certificate and database until killed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca_tool.h"
#include "platform.h"
#include "secip/ca.h"
#include "secip/secip.h"

static int split_listen(const char *spec, char *host, size_t cap,
                        uint16_t *port)
{
    const char *colon = strrchr(spec, ':');
    if (colon == NULL || (size_t)(colon - spec) >= cap)
        return -1;
    char *end = NULL;
    unsigned long p = strtoul(colon + 1, &end, 10);
    if (*end != '\0' || p > 65535 || colon[1] == '\0')
        return -1;
    memcpy(host, spec, (size_t)(colon - spec));
    host[colon - spec] = '\0';
    *port = (uint16_t)p;
    return 0;
}

int ca_cmd_serve(const ca_opts *o, int argc, char **argv)
{
    char host[256], keyp[4200], certp[4200];
    uint16_t port = 0;
    if (argc != 3 || strcmp(argv[1], "--listen") != 0 ||
        split_listen(argv[2], host, sizeof host, &port) < 0)
        return ca_fail("serve --listen HOST:PORT");
    snprintf(keyp, sizeof keyp, "%s/ca.key", o->dir);
    snprintf(certp, sizeof certp, "%s/ca.pem", o->dir);
    secip_key *key = NULL;
    secip_cert *cert = NULL;
    secip_ca_db *db = NULL;
    secip_ca_server *srv = NULL;
    int rc = secip_key_load_file(keyp, &key);
    if (rc >= 0)
        rc = secip_cert_load_file(certp, &cert);
    if (rc >= 0)
        rc = secip_ca_db_open(o->dir, 0, &db);
    if (rc >= 0)
        rc = secip_ca_server_new(key, cert, &srv);
    if (rc >= 0)
        rc = secip_ca_server_set_database(srv, db, NULL);
    if (rc >= 0)
        rc = secip_ca_server_start(srv, host, port);
    if (rc >= 0) {
        printf("secip-ca: serving %s on %s:%u\n", o->dir, host,
               (unsigned)secip_ca_server_port(srv));
        fflush(stdout);
        for (;;) /* until the process is stopped */
            spl_sleep_ms(1000);
    }
    int err = ca_fail("serve: %s", secip_last_error());
    secip_ca_server_free(srv);
    secip_ca_db_free(db);
    secip_cert_free(cert);
    secip_key_free(key);
    return err;
}
