/*
 * tools/secip/serve_revoke.h -- revocation checking for `secip serve`:
 *
 *   --revocations HOST:PORT   fetch the revocation list from the CA server
 *                             at HOST:PORT (verified with --ca's key) at
 *                             start, and again every --revocations-every
 *                             seconds (default 300)
 *
 * With it, a client whose certificate the CA revoked is refused at the
 * handshake (secip_server_set_revocations), without a restart.  At start
 * a list that cannot be fetched or verified is an error: the server does
 * not run without the checks it was asked for.  Later a failed refresh
 * keeps the last good list and says so on stderr.  A new list applies to
 * handshakes from then on; sessions already open are not re-checked.
 */
#ifndef SECIP_TOOLS_SERVE_REVOKE_H
#define SECIP_TOOLS_SERVE_REVOKE_H

#include <stdint.h>

#include "cli_util.h"
#include "secip/secip.h"

#define SERVE_REVOKE_USAGE                                                     \
    "  revocations: [--revocations CA_HOST:PORT [--revocations-every S]]\n"    \
    "    (needs --ca; refuses clients the CA revoked, list fetched at start\n" \
    "    and every S seconds, default 300)\n"

typedef struct serve_revoke {
    char host[CLI_HOST_MAX + 1]; /* empty: no revocation checking */
    uint16_t port;
    unsigned long every_s; /* 0: not given (300) */
    uint64_t next_ms;      /* when to fetch again (spl_clock_ms) */
} serve_revoke;

/**
 * Try argv[*i] as one of the options above.  Returns 1 when it was one
 * (*i now indexes its value), 0 when not, -1 after printing a usage error.
 */
int serve_revoke_parse(serve_revoke *r, int argc, char **argv, int *i);

/** Fetch, verify and install the first list.  0, or 1 after printing
 *  "secip: <why>" on stderr. */
int serve_revoke_start(serve_revoke *r, secip_server *srv,
                       const secip_cert *ca);

/** Fetch again when due (call it often; it returns at once otherwise). */
void serve_revoke_tick(serve_revoke *r, secip_server *srv,
                       const secip_cert *ca);

#endif /* SECIP_TOOLS_SERVE_REVOKE_H */
