/*
 * tools/secip/cmd_serve.c -- `secip serve`: an echo server for scripts and
 * manual tests.  Every received message is printed on one line of stdout
 * and sent back unchanged (same type, same content), so that `secip send`
 * can check the round trip.
 *
 * FILE messages (file transfers, secip/file.h) are not echoed: the
 * library already confirmed their SHA-256 to the sender.  With --files-dir
 * every received file ends up in that directory (large ones are written
 * there as they arrive, small ones held in memory are saved there) and one
 * line "FILE <name> <size> <sha256>" is printed, the hash computed from the
 * saved file itself.
 *
 * Sessions use the blocking style: one handler thread per session.  The
 * main thread only waits for SIGINT/SIGTERM or for --max-sessions sessions
 * to finish, then stops the server (which closes the open sessions).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_file.h"
#include "cli_util.h"
#include "commands.h"
#include "serve_limits.h"
#include "serve_revoke.h"
#include "platform.h"
#include "secip/file.h"
#include "secip/secip.h"

#define SERVE_USAGE                                                            \
    "usage: secip serve --listen HOST:PORT [--key K.key [--cert C.pem]]\n"     \
    "                   [--ca CA.pem --require-client-cert] [--threads N]\n"   \
    "                   [--max-sessions N | --once]\n"                         \
    "                   [--files-dir DIR [--file-memory-max BYTES]]\n"         \
    "  Serve secure sessions on HOST:PORT (PORT 0 picks a free port) and\n"    \
    "  echo every message back, printing it on one line: \"TEXT <text>\",\n"   \
    "  \"BYTES <n> <sha256>\", \"OBJECT <json>\" or \"LIST <json>\".\n"        \
    "  The first line is \"listening on HOST:PORT fingerprint <sha256>\"\n"    \
    "  (the key's SHA-256 for `secip send --pin`).  Without --key a fresh\n"   \
    "  2048-bit key and a self-signed certificate are used; without\n"         \
    "  --cert a self-signed certificate for --key.  --ca with\n"               \
    "  --require-client-cert refuses clients without a certificate from\n"     \
    "  that CA.  Runs until SIGINT/SIGTERM, or until N sessions ended.\n"      \
    "  --files-dir accepts file transfers (`secip send --file`) into DIR\n"    \
    "  (which must exist) and prints \"FILE <name> <size> <sha256>\" for\n"    \
    "  each, the hash read back from the saved file; files up to\n"            \
    "  --file-memory-max bytes (default 1 MiB) arrive in memory first.\n"      \
    "  --revocations makes the server fetch the CA's revocation list and\n"    \
    "  refuse revoked client certificates (with --ca).\n"                      \
    "exit status: 0 stopped normally, 1 failure (bad key or certificate,\n"    \
    "  address in use, ...), 2 usage error\n"

typedef struct serve_opts {
    const char *listen, *key, *cert, *ca, *files_dir;
    int require_client_cert;
    uint64_t file_memory_max; /* 0: the library's default */
    unsigned long threads, max_sessions;
    serve_limits limits; /* --session-limit ... (serve_limits.c) */
    serve_revoke revoke; /* --revocations (serve_revoke.c) */
} serve_opts;

typedef struct serve_state {
    spl_mutex *lock; /* serialises stdout lines and the counter */
    unsigned long ended;
    const char *files_dir; /* NULL: files stay in memory, printed as is */
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

/* A byte count in 1..2^63 (decimal); -1 when malformed. */
static int parse_bytes(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v == 0 || v > (1ull << 63))
        return -1;
    *out = v;
    return 0;
}

static int parse_args(int argc, char **argv, serve_opts *o)
{
    int lr;
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(SERVE_USAGE SERVE_LIMITS_USAGE SERVE_REVOKE_USAGE, stdout);
            return 1;
        } else if (strcmp(a, "--require-client-cert") == 0) {
            o->require_client_cert = 1;
        } else if (strcmp(a, "--once") == 0) {
            o->max_sessions = 1;
        } else if ((lr = serve_limits_parse(&o->limits, argc, argv, &i)) ||
                   (lr = serve_revoke_parse(&o->revoke, argc, argv, &i))) {
            if (lr < 0)
                return -1;
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
        } else if (strcmp(a, "--files-dir") == 0) {
            o->files_dir = argv[++i];
        } else if (strcmp(a, "--file-memory-max") == 0) {
            if (parse_bytes(argv[++i], &o->file_memory_max) < 0)
                return bad_usage("--file-memory-max wants a byte count");
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
    if (o->revoke.host[0] == '\0' && o->revoke.every_s != 0)
        return bad_usage("--revocations-every needs --revocations");
    if (o->revoke.host[0] != '\0' && o->ca == NULL)
        return bad_usage("--revocations needs --ca (the CA that signs the "
                         "list)");
    if (o->file_memory_max != 0 && o->files_dir == NULL)
        return bad_usage("--file-memory-max needs --files-dir");
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

/* Save a received file into the files directory (unless it is there
 * already) and print its line, hashing what was saved.  A file that cannot
 * be saved or read back is reported on stderr; the session goes on. */
static void report_file(serve_state *st, secip_message *m)
{
    char path[4096], hex[65];
    const char *where = secip_message_file_path(m);
    uint64_t size = 0;
    int rc = 0;

    if (where == NULL && st->files_dir != NULL) {
        rc = secip_message_save_ex(m, st->files_dir, 0, path, sizeof path);
        where = path;
    }
    if (rc == 0 && where != NULL) {
        rc = cli_sha256_file(where, hex, &size);
    } else if (rc == 0) { /* in memory, no directory to save it in */
        size_t len = 0;
        const void *data = secip_message_data(m, &len);
        cli_sha256_hex(data, len, hex);
        size = len;
    }
    spl_mutex_lock(st->lock);
    if (rc < 0) {
        fprintf(stderr, "secip: received file ");
        tool_print_safe(stderr, secip_message_file_name(m));
        fprintf(stderr, " not saved: %s\n", secip_last_error());
    } else {
        fputs("FILE ", stdout);
        tool_print_safe(stdout, secip_message_file_name(m));
        printf(" %llu %s\n", (unsigned long long)size, hex);
        fflush(stdout);
    }
    spl_mutex_unlock(st->lock);
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
        if (secip_message_type(m) == SECIP_FILE) {
            report_file(st, m);
            secip_message_free(m);
            continue;
        }
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
    if (o->files_dir != NULL) {
        secip_session_options so;
        if (!spl_dir_exists(o->files_dir))
            return tool_fail("--files-dir %s: not a directory", o->files_dir);
        secip_session_options_init(&so);
        so.files_dir = o->files_dir;
        if (o->file_memory_max != 0)
            so.file_memory_max = o->file_memory_max;
        if (secip_server_set_options(srv, &so) < 0)
            return tool_fail("%s", secip_last_error());
    }
    if (serve_limits_apply(&o->limits, srv) != 0)
        return 1;
    if (o->threads > 0 && secip_server_set_threads(srv, (int)o->threads) < 0)
        return tool_fail("%s", secip_last_error());
    if (secip_server_set_handler(srv, handle_session, st) < 0)
        return tool_fail("%s", secip_last_error());
    return 0;
}

/* Wait for a signal or for enough ended sessions, refreshing the
 * revocation list when due. */
static void wait_for_end(serve_opts *o, serve_state *st, secip_server *srv,
                         const secip_cert *ca)
{
    while (!stop_requested) {
        serve_revoke_tick(&o->revoke, srv, ca);
        spl_mutex_lock(st->lock);
        int done = o->max_sessions > 0 && st->ended >= o->max_sessions;
        spl_mutex_unlock(st->lock);
        if (done)
            break;
        spl_sleep_ms(50);
    }
}

static int serve(serve_opts *o, const char *host, uint16_t port,
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
    if (rc == 0)
        rc = serve_revoke_start(&o->revoke, srv, ca);
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
        wait_for_end(o, st, srv, ca);
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
    st.files_dir = o.files_dir;
    if (spl_mutex_new(&st.lock) < 0)
        return tool_fail("out of memory");
    stop_requested = 0;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    rc = serve(&o, host, port, &st);
    spl_mutex_free(st.lock);
    return rc;
}
