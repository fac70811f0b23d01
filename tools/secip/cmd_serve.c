/*
 * tools/secip/cmd_serve.c -- `secip serve`: an echo server for scripts and
 * manual tests.  Every received message is printed on one line of stdout
 * and sent back unchanged (same type, same content), so that `secip send`
 * can check the round trip.
 *
 * Sessions use the blocking style: one handler thread per session.  The
 * main thread only waits for SIGINT/SIGTERM or for --max-sessions sessions
 * to finish, then stops the server (which closes the open sessions).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"
#include "platform.h"
#include "secip/secip.h"

#define SERVE_USAGE                                                            \
    "usage: secip serve --listen HOST:PORT [--key K.key [--cert C.pem]]\n"     \
    "                   [--ca CA.pem --require-client-cert] [--threads N]\n"   \
    "                   [--max-sessions N | --once]\n"                         \
    "  Serve secure sessions on HOST:PORT (PORT 0 picks a free port) and\n"    \
    "  echo every message back, printing it on one line: \"TEXT <text>\",\n"   \
    "  \"BYTES <n> <sha256>\", \"OBJECT <json>\" or \"LIST <json>\".\n"        \
    "  The first line is \"listening on HOST:PORT fingerprint <sha256>\"\n"    \
    "  (the key's SHA-256 for `secip send --pin`).  Without --key a fresh\n"   \
    "  2048-bit key and a self-signed certificate are used; without\n"         \
    "  --cert a self-signed certificate for --key.  --ca with\n"               \
    "  --require-client-cert refuses clients without a certificate from\n"     \
    "  that CA.  Runs until SIGINT/SIGTERM, or until N sessions ended.\n"      \
    "exit status: 0 stopped normally, 1 failure (bad key or certificate,\n"    \
    "  address in use, ...), 2 usage error\n"

typedef struct serve_opts {
    const char *listen, *key, *cert, *ca;
    int require_client_cert;
    unsigned long threads, max_sessions;
} serve_opts;

typedef struct serve_state {
    spl_mutex *lock; /* serialises stdout lines and the counter */
    unsigned long ended;
} serve_state;

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static int usage_error(const char *why)
{
    fprintf(stderr, "secip serve: %s (see secip serve --help)\n", why);
    return 2;
}

/* parse_args: print the usage error, and return -1. */
static int bad_usage(const char *why)
{
    usage_error(why);
    return -1;
}

static int parse_args(int argc, char **argv, serve_opts *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(SERVE_USAGE, stdout);
            return 1;
        } else if (strcmp(a, "--require-client-cert") == 0) {
            o->require_client_cert = 1;
        } else if (strcmp(a, "--once") == 0) {
            o->max_sessions = 1;
        } else if (v == NULL) {
            return bad_usage("unknown option or missing value");
        } else if (strcmp(a, "--listen") == 0) {
            o->listen = argv[++i];
        } else if (strcmp(a, "--key") == 0) {
            o->key = argv[++i];
        } else if (strcmp(a, "--cert") == 0) {
            o->cert = argv[++i];
        } else if (strcmp(a, "--ca") == 0) {
            o->ca = argv[++i];
        } else if (strcmp(a, "--threads") == 0) {
            if (cli_parse_uint(argv[++i], 1, 256, &o->threads) < 0)
                return bad_usage("--threads wants 1..256");
        } else if (strcmp(a, "--max-sessions") == 0) {
            if (cli_parse_uint(argv[++i], 1, 1000000000UL, &o->max_sessions) <
                0)
                return bad_usage("--max-sessions wants a positive number");
        } else {
            return bad_usage("unknown option");
        }
    }
    if (o->listen == NULL)
        return bad_usage("--listen HOST:PORT is required");
    if (o->cert != NULL && o->key == NULL)
        return bad_usage("--cert needs the matching --key");
    if ((o->ca != NULL) != (o->require_client_cert != 0))
        return bad_usage("--ca and --require-client-cert go together");
    return 0;
}

/* Send m back as the same type with the same content. */
static int echo_back(secip_session *s, const secip_message *m)
{
    size_t len = 0;
    const void *data = secip_message_data(m, &len);
    switch (secip_message_type(m)) {
    case SECIP_TEXT: return secip_session_send_text_len(s, data, len);
    case SECIP_OBJECT:
        return secip_session_send_object(s, secip_message_json(m));
    case SECIP_LIST: return secip_session_send_list(s, secip_message_json(m));
    default: /* BYTES, and the content of a FILE as bytes */
        return secip_session_send_bytes(s, data, len);
    }
}

static void handle_session(secip_session *s, void *ud)
{
    serve_state *st = ud;
    const char *name = secip_session_peer_name(s);
    secip_message *m;
    int rc;

    spl_mutex_lock(st->lock);
    printf("session %s open, client %s\n", secip_session_peer_address(s),
           name != NULL ? name : "anonymous");
    fflush(stdout);
    spl_mutex_unlock(st->lock);
    while ((rc = secip_session_receive(s, &m, SECIP_WAIT_FOREVER)) == 0) {
        spl_mutex_lock(st->lock);
        cli_print_message(stdout, m);
        fflush(stdout);
        spl_mutex_unlock(st->lock);
        rc = echo_back(s, m);
        secip_message_free(m);
        if (rc < 0)
            break;
    }
    const char *why = rc == SECIP_ECLOSED ? "normal" : secip_last_error();
    spl_mutex_lock(st->lock);
    printf("session %s closed: ", secip_session_peer_address(s));
    tool_print_safe(stdout, why);
    fputc('\n', stdout);
    fflush(stdout);
    st->ended++;
    spl_mutex_unlock(st->lock);
}

/* Load the key, certificate and client CA named by the options. */
static int load_identity(const serve_opts *o, secip_key **key,
                         secip_cert **cert, secip_cert **ca)
{
    if (o->key != NULL) {
        if (secip_key_load_file(o->key, key) < 0)
            return tool_fail("%s: %s", o->key, secip_last_error());
    } else if (secip_key_generate(2048, key) < 0) {
        return tool_fail("key generation: %s", secip_last_error());
    }
    if (o->cert != NULL && secip_cert_load_file(o->cert, cert) < 0)
        return tool_fail("%s: %s", o->cert, secip_last_error());
    if (o->ca != NULL && secip_cert_load_file(o->ca, ca) < 0)
        return tool_fail("%s: %s", o->ca, secip_last_error());
    return 0;
}

static int configure(const serve_opts *o, secip_server *srv,
                     const secip_cert *cert, const secip_cert *ca,
                     serve_state *st)
{
    if (cert != NULL && secip_server_set_certificate(srv, cert) < 0)
        return tool_fail("%s: %s", o->cert, secip_last_error());
    if (ca != NULL && secip_server_require_client_cert(srv, ca) < 0)
        return tool_fail("%s: %s", o->ca, secip_last_error());
    if (o->threads > 0 && secip_server_set_threads(srv, (int)o->threads) < 0)
        return tool_fail("%s", secip_last_error());
    if (secip_server_set_handler(srv, handle_session, st) < 0)
        return tool_fail("%s", secip_last_error());
    return 0;
}

/* Wait for a signal or for enough ended sessions. */
static void wait_for_end(const serve_opts *o, serve_state *st)
{
    while (!stop_requested) {
        spl_mutex_lock(st->lock);
        int done = o->max_sessions > 0 && st->ended >= o->max_sessions;
        spl_mutex_unlock(st->lock);
        if (done)
            break;
        spl_sleep_ms(50);
    }
}

static int serve(const serve_opts *o, const char *host, uint16_t port,
                 serve_state *st)
{
    secip_key *key = NULL;
    secip_cert *cert = NULL, *ca = NULL;
    secip_server *srv = NULL;
    char fp[SECIP_FINGERPRINT_HEX_LEN + 1];
    int rc = load_identity(o, &key, &cert, &ca);

    if (rc == 0 && secip_server_new(key, &srv) < 0)
        rc = tool_fail("%s", secip_last_error());
    if (rc == 0)
        rc = configure(o, srv, cert, ca, st);
    if (rc == 0 && secip_key_fingerprint(key, fp) < 0)
        rc = tool_fail("%s", secip_last_error());
    if (rc == 0 && secip_server_start(srv, host, port) < 0)
        rc =
            tool_fail("cannot listen on %s: %s", o->listen, secip_last_error());
    if (rc == 0) {
        int v6 = strchr(host, ':') != NULL;
        spl_mutex_lock(st->lock);
        printf("listening on %s%s%s:%u fingerprint %s\n", v6 ? "[" : "", host,
               v6 ? "]" : "", (unsigned)secip_server_port(srv), fp);
        fflush(stdout);
        spl_mutex_unlock(st->lock);
        wait_for_end(o, st);
        secip_server_stop(srv);
        printf("stopped after %lu session(s)\n", st->ended);
    }
    secip_server_free(srv);
    secip_cert_free(ca);
    secip_cert_free(cert);
    secip_key_free(key);
    return rc;
}

int cmd_serve(int argc, char **argv)
{
    serve_opts o;
    serve_state st;
    char host[CLI_HOST_MAX + 1];
    uint16_t port;
    int rc = parse_args(argc, argv, &o);

    if (rc != 0)
        return rc > 0 ? 0 : 2; /* --help: 0; usage error: 2 */
    if (cli_parse_hostport(o.listen, host, &port) < 0)
        return usage_error("--listen wants HOST:PORT, e.g. 127.0.0.1:0");
    memset(&st, 0, sizeof st);
    if (spl_mutex_new(&st.lock) < 0)
        return tool_fail("out of memory");
    stop_requested = 0;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    rc = serve(&o, host, port, &st);
    spl_mutex_free(st.lock);
    return rc;
}
