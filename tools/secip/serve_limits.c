/*
 * tools/secip/serve_limits.c -- parsing and applying the resource-limit
 * options of `secip serve` (see serve_limits.h).
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "serve_limits.h"

void serve_limits_init(serve_limits *sl)
{
    memset(sl, 0, sizeof *sl);
}

/* A decimal number with an optional k/m/g (binary) suffix, 1..max. */
static int parse_size(const char *s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0, mul = 1;
    size_t n = 0;
    if (s == NULL)
        return -1;
    while (s[n] >= '0' && s[n] <= '9') {
        uint64_t d = (uint64_t)(s[n] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
        n++;
    }
    if (n == 0 || n > 20)
        return -1;
    switch (s[n]) {
    case '\0': break;
    case 'k':
    case 'K': mul = 1024u; break;
    case 'm':
    case 'M': mul = 1024u * 1024u; break;
    case 'g':
    case 'G': mul = 1024u * 1024u * 1024u; break;
    default: return -1;
    }
    if (s[n] != '\0' && s[n + 1] != '\0')
        return -1;
    if (v == 0 || v > max / mul)
        return -1;
    *out = v * mul;
    return 0;
}

static int bad(const char *opt, const char *want)
{
    fprintf(stderr, "secip serve: %s wants %s (see secip serve --help)\n", opt,
            want);
    return -1;
}

int serve_limits_parse(serve_limits *sl, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    const char *v = *i + 1 < argc ? argv[*i + 1] : NULL;
    uint64_t x;

    if (strcmp(a, "--session-limit") == 0) {
        if (parse_size(v, 1000000u, &x) < 0)
            return bad(a, "1..1000000");
        sl->lim.max_sessions = (uint32_t)x;
    } else if (strcmp(a, "--max-per-address") == 0) {
        if (parse_size(v, 1000000u, &x) < 0)
            return bad(a, "1..1000000");
        sl->lim.max_sessions_per_address = (uint32_t)x;
    } else if (strcmp(a, "--handshake-timeout") == 0) {
        if (parse_size(v, UINT32_MAX, &x) < 0)
            return bad(a, "milliseconds (1..4294967295)");
        sl->handshake_timeout_ms = (uint32_t)x;
    } else if (strcmp(a, "--idle-timeout") == 0) {
        if (parse_size(v, UINT32_MAX, &x) < 0)
            return bad(a, "milliseconds (1..4294967295)");
        sl->idle_timeout_ms = (uint32_t)x;
    } else if (strcmp(a, "--max-queued") == 0) {
        if (parse_size(v, (uint64_t)1 << 40, &x) < 0)
            return bad(a, "bytes (64k..1024g)");
        sl->lim.max_queued_bytes = x;
    } else if (strcmp(a, "--max-message") == 0) {
        if (parse_size(v, (uint64_t)1 << 40, &x) < 0)
            return bad(a, "bytes (1..1024g)");
        sl->max_message = x;
    } else {
        return 0;
    }
    (*i)++;
    return 1;
}

int serve_limits_apply(const serve_limits *sl, secip_server *srv)
{
    secip_session_options o;
    secip_session_options *opts = &o;
    /* start from what the other options already set (files, ...) */
    secip_server_get_options(srv, &o);
    if (sl->handshake_timeout_ms != 0)
        opts->handshake_timeout_ms = sl->handshake_timeout_ms;
    if (sl->idle_timeout_ms != 0) {
        opts->idle_timeout_ms = sl->idle_timeout_ms;
        /* keep-alive pings must come before the idle deadline */
        if (opts->keepalive_ms == 0 ||
            opts->keepalive_ms >= sl->idle_timeout_ms)
            opts->keepalive_ms =
                sl->idle_timeout_ms > 1 ? sl->idle_timeout_ms / 2 : 1;
    }
    if (sl->max_message != 0)
        opts->max_message = sl->max_message;
    if (secip_server_set_options(srv, opts) < 0)
        return tool_fail("limits: %s", secip_last_error());
    if (secip_server_set_limits(srv, &sl->lim) < 0)
        return tool_fail("limits: %s", secip_last_error());
    return 0;
}
