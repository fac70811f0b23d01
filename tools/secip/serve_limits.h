/*
 * tools/secip/serve_limits.h -- the resource-limit options of
 * `secip serve` (issue 9), kept apart from cmd_serve.c:
 *
 *   --session-limit N       sessions held at once (max_sessions)
 *   --max-per-address N     sessions held at once per peer IP address
 *   --handshake-timeout MS  TLS handshake deadline (ms)
 *   --idle-timeout MS       close sessions silent for this long (ms)
 *   --max-queued BYTES      bytes queued per session and direction
 *   --max-message BYTES     largest message accepted
 *
 * BYTES accepts a k, m or g suffix (KiB, MiB, GiB).  Options not given
 * keep the library's defaults (secip/server.h, docs/SECURITY.md).
 * (`--max-sessions N` of `secip serve` means "exit after N sessions", so
 * the session limit is spelled --session-limit.)
 */
#ifndef SECIP_TOOLS_SERVE_LIMITS_H
#define SECIP_TOOLS_SERVE_LIMITS_H

#include <stdint.h>

#include "secip/secip.h"

/** Usage lines for the options above (for the --help text). */
#define SERVE_LIMITS_USAGE                                                     \
    "  limits (defaults in docs/SECURITY.md): [--session-limit N]\n"           \
    "    [--max-per-address N] [--handshake-timeout MS] [--idle-timeout MS]\n" \
    "    [--max-queued BYTES] [--max-message BYTES]   (BYTES: 1k, 16m, ...)\n"

/** What the options asked for; zero fields were not given. */
typedef struct serve_limits {
    secip_server_limits lim; /* zero fields: defaults */
    uint32_t handshake_timeout_ms, idle_timeout_ms;
    uint64_t max_message;
} serve_limits;

/** Start with nothing given. */
void serve_limits_init(serve_limits *sl);

/**
 * Try argv[*i] as one of the limit options.  Returns 1 when it was one
 * (its value consumed: *i now indexes the value), 0 when it is not a limit
 * option (nothing changed), -1 on a bad or missing value after printing
 * "secip serve: <why>" on stderr.
 */
int serve_limits_parse(serve_limits *sl, int argc, char **argv, int *i);

/**
 * Apply the limits to srv (before secip_server_start, after the other
 * options are set): the timeouts and max_message are merged into the
 * server's session options (secip_server_get_options, then
 * secip_server_set_options: nothing else in them changes), the
 * server-wide ones set with secip_server_set_limits().  Returns 0, or 1
 * after printing "secip: <why>" on stderr (the library rejected a value).
 */
int serve_limits_apply(const serve_limits *sl, secip_server *srv);

#endif /* SECIP_TOOLS_SERVE_LIMITS_H */
