/*
 * tools/secip/serve_revoke.c -- fetching and refreshing the revocation
 * list of `secip serve` (see serve_revoke.h).
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "platform.h"
#include "serve_revoke.h"

#define DEFAULT_EVERY_S 300ul

int serve_revoke_parse(serve_revoke *r, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    const char *v = *i + 1 < argc ? argv[*i + 1] : NULL;

    if (strcmp(a, "--revocations") != 0 &&
        strcmp(a, "--revocations-every") != 0)
        return 0;
    if (v == NULL) {
        fprintf(stderr, "secip serve: %s needs a value\n", a);
        return -1;
    }
    ++*i;
    if (strcmp(a, "--revocations") == 0) {
        if (cli_parse_hostport(v, r->host, &r->port) < 0 || r->port == 0) {
            fprintf(stderr, "secip serve: --revocations wants the CA "
                            "server's HOST:PORT\n");
            return -1;
        }
    } else if (cli_parse_uint(v, 1, 86400ul * 365, &r->every_s) < 0) {
        fprintf(stderr, "secip serve: --revocations-every wants seconds "
                        "(1 or more)\n");
        return -1;
    }
    return 1;
}

/* Fetch and install a list; 0 or a SECIP_E* code (detail recorded). */
static int fetch(serve_revoke *r, secip_server *srv, const secip_cert *ca)
{
    secip_ca_crl *crl = NULL;
    int rc = secip_ca_fetch_revocations(r->host, r->port, ca, &crl);

    if (rc == 0)
        rc = secip_server_set_revocations(srv, crl);
    if (rc == 0)
        printf("revocations from %s:%u: %zu revoked certificate(s)\n", r->host,
               (unsigned)r->port, secip_ca_crl_count(crl));
    fflush(stdout);
    secip_ca_crl_free(crl); /* the server keeps its own reference */
    r->next_ms = spl_clock_ms() +
                 (uint64_t)(r->every_s ? r->every_s : DEFAULT_EVERY_S) * 1000u;
    return rc;
}

int serve_revoke_start(serve_revoke *r, secip_server *srv, const secip_cert *ca)
{
    if (r->host[0] == '\0')
        return 0;
    if (fetch(r, srv, ca) < 0)
        return tool_fail("revocations from %s:%u: %s", r->host,
                         (unsigned)r->port, secip_last_error());
    return 0;
}

void serve_revoke_tick(serve_revoke *r, secip_server *srv, const secip_cert *ca)
{
    if (r->host[0] == '\0' || spl_clock_ms() < r->next_ms)
        return;
    if (fetch(r, srv, ca) < 0)
        fprintf(stderr,
                "secip: revocations from %s:%u: %s (keeping the last list)\n",
                r->host, (unsigned)r->port, secip_last_error());
}
