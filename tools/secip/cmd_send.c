/*
 * tools/secip/cmd_send.c -- `secip send`: open a session, send one message,
 * wait for its echo (from `secip serve` or any echo server) and check that
 * the echo has the same type and content.
 *
 * Trust is always explicit: exactly one of --ca, --pin or --insecure, so a
 * script can never end up unauthenticated by forgetting an option.
 *
 * --file sends a file as a transfer instead (secip/file.h): streamed from
 * disk with a progress report, done when the receiver confirms its SHA-256
 * (no echo, and no size limit but the receiver's).
 */
#include <json-c/json.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_file.h"
#include "cli_util.h"
#include "commands.h"
#include "secip/secip.h"

/* Largest --bytes-file/--json-file: the default message limit of a secip
 * peer (--file has none). */
#define SEND_FILE_MAX ((size_t)64 * 1024 * 1024)
/* JSON nesting accepted from --json-file (a secip peer accepts 64). */
#define SEND_JSON_DEPTH 64

#define SEND_USAGE                                                             \
    "usage: secip send --connect HOST:PORT\n"                                  \
    "                  (--ca CA.pem [--name NAME] | --pin SHA256HEX |\n"       \
    "                   --insecure)\n"                                         \
    "                  [--key K.key --cert C.pem] [--timeout MS]\n"            \
    "                  (--text T | --bytes-file F | --json-file F |\n"         \
    "                   --file PATH)\n"                                        \
    "  Send one message, wait for the echo and check that it is identical.\n"  \
    "  Trust (exactly one): --ca verifies the server's chain and name "        \
    "(NAME,\n"                                                                 \
    "  else HOST); --pin checks the SHA-256 of the server's key; --insecure\n" \
    "  encrypts without authenticating the server.  --key/--cert present a\n"  \
    "  client certificate.  --json-file sends an OBJECT or a LIST.\n"          \
    "  --timeout bounds the connect and the wait for the echo (10000 ms).\n"   \
    "  --file streams PATH (any size) as a file transfer instead: progress\n"  \
    "  on stderr (a bar on a terminal, else a line per 10%), then\n"           \
    "  \"file ok: <name> <size> <sha256>\" once the receiver confirmed the\n"  \
    "  SHA-256 (`secip serve --files-dir DIR` saves it).\n"                    \
    "exit status: 0 echo received and identical (--file: the receiver\n"       \
    "  confirmed the SHA-256), 1 failure (connection, verification, echo\n"    \
    "  missing or different, file refused; one line on stderr),\n"             \
    "  2 usage error\n"

typedef struct send_opts {
    const char *connect, *ca, *name, *pin, *key, *cert;
    const char *text, *bytes_file, *json_file, *file;
    int insecure;
    unsigned long timeout_ms;
} send_opts;

/* What was sent, to compare the echo with. */
typedef struct sent_msg {
    int type;
    unsigned char *data; /* TEXT and BYTES */
    size_t len;
    json_object *json; /* OBJECT and LIST */
} sent_msg;

static int bad_usage(const char *why)
{
    fprintf(stderr, "secip send: %s (see secip send --help)\n", why);
    return -1;
}

static int check_opts(const send_opts *o)
{
    int trust = (o->ca != NULL) + (o->pin != NULL) + (o->insecure != 0);
    int what = (o->text != NULL) + (o->bytes_file != NULL) +
               (o->json_file != NULL) + (o->file != NULL);
    if (o->connect == NULL)
        return bad_usage("--connect HOST:PORT is required");
    if (trust != 1)
        return bad_usage("choose exactly one of --ca, --pin and --insecure");
    if (o->name != NULL && o->ca == NULL)
        return bad_usage("--name only applies with --ca");
    if ((o->key != NULL) != (o->cert != NULL))
        return bad_usage("--key and --cert go together");
    if (what != 1)
        return bad_usage("choose exactly one of --text, --bytes-file, "
                         "--json-file and --file");
    return 0;
}

/* Returns 0, 1 for --help, -1 for a usage error. */
static int parse_args(int argc, char **argv, send_opts *o)
{
    static const struct {
        const char *name;
        size_t off;
    } str_opts[] = {
        {"--connect", offsetof(send_opts, connect)},
        {"--ca", offsetof(send_opts, ca)},
        {"--name", offsetof(send_opts, name)},
        {"--pin", offsetof(send_opts, pin)},
        {"--key", offsetof(send_opts, key)},
        {"--cert", offsetof(send_opts, cert)},
        {"--text", offsetof(send_opts, text)},
        {"--bytes-file", offsetof(send_opts, bytes_file)},
        {"--json-file", offsetof(send_opts, json_file)},
        {"--file", offsetof(send_opts, file)},
    };
    memset(o, 0, sizeof *o);
    o->timeout_ms = 10000;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        size_t k, n = sizeof str_opts / sizeof str_opts[0];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(SEND_USAGE, stdout);
            return 1;
        }
        if (strcmp(a, "--insecure") == 0) {
            o->insecure = 1;
            continue;
        }
        if (i + 1 >= argc)
            return bad_usage("unknown option or missing value");
        if (strcmp(a, "--timeout") == 0) {
            if (cli_parse_uint(argv[++i], 1, 3600000, &o->timeout_ms) < 0)
                return bad_usage("--timeout wants 1..3600000 ms");
            continue;
        }
        for (k = 0; k < n && strcmp(a, str_opts[k].name) != 0; k++)
            ;
        if (k == n)
            return bad_usage("unknown option");
        *(const char **)((char *)o + str_opts[k].off) = argv[++i];
    }
    return check_opts(o);
}

static int load_json(const char *path, sent_msg *msg)
{
    unsigned char *text;
    size_t len;
    json_tokener *tok;
    if (cli_read_file(path, SEND_FILE_MAX, &text, &len) < 0)
        return -1;
    tok = json_tokener_new_ex(SEND_JSON_DEPTH);
    if (tok == NULL || len > (size_t)INT32_MAX) {
        free(text);
        json_tokener_free(tok);
        return tool_fail("%s: cannot parse (out of memory or too large)", path);
    }
    msg->json = json_tokener_parse_ex(tok, (const char *)text, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t used = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    /* Only white space may follow the value. */
    while (jerr == json_tokener_success && used < len &&
           strchr(" \t\r\n", text[used]) != NULL)
        used++;
    free(text);
    if (jerr != json_tokener_success || msg->json == NULL)
        return tool_fail("%s: invalid JSON: %s", path,
                         msg->json == NULL && jerr == json_tokener_success
                             ? "null"
                             : json_tokener_error_desc(jerr));
    if (used != len)
        return tool_fail("%s: invalid JSON: data after the value", path);
    if (json_object_is_type(msg->json, json_type_object))
        msg->type = SECIP_OBJECT;
    else if (json_object_is_type(msg->json, json_type_array))
        msg->type = SECIP_LIST;
    else
        return tool_fail("%s: JSON must be an object or an array", path);
    return 0;
}

static int load_message(const send_opts *o, sent_msg *msg)
{
    memset(msg, 0, sizeof *msg);
    if (o->text != NULL) {
        msg->type = SECIP_TEXT;
        msg->len = strlen(o->text);
        msg->data = malloc(msg->len + 1);
        if (msg->data == NULL)
            return tool_fail("out of memory");
        memcpy(msg->data, o->text, msg->len + 1);
        return 0;
    }
    if (o->bytes_file != NULL) {
        msg->type = SECIP_BYTES;
        return cli_read_file(o->bytes_file, SEND_FILE_MAX, &msg->data,
                             &msg->len);
    }
    return load_json(o->json_file, msg);
}

static int configure_trust(const send_opts *o, secip_client *c, secip_cert **ca,
                           secip_key **key, secip_cert **cert)
{
    if (o->ca != NULL) {
        if (secip_cert_load_file(o->ca, ca) < 0)
            return tool_fail("%s: %s", o->ca, secip_last_error());
        if (secip_client_set_ca(c, *ca) < 0)
            return tool_fail("%s", secip_last_error());
        if (o->name != NULL && secip_client_set_server_name(c, o->name) < 0)
            return tool_fail("--name: %s", secip_last_error());
    } else if (o->pin != NULL && secip_client_set_pin(c, o->pin) < 0) {
        return tool_fail("--pin: %s", secip_last_error());
    }
    if (o->key != NULL) {
        if (secip_key_load_file(o->key, key) < 0)
            return tool_fail("%s: %s", o->key, secip_last_error());
        if (secip_cert_load_file(o->cert, cert) < 0)
            return tool_fail("%s: %s", o->cert, secip_last_error());
        if (secip_client_set_identity(c, *key, *cert) < 0)
            return tool_fail("%s", secip_last_error());
    }
    return 0;
}

static int send_message(secip_session *s, const sent_msg *msg)
{
    switch (msg->type) {
    case SECIP_TEXT:
        return secip_session_send_text_len(s, (const char *)msg->data,
                                           msg->len);
    case SECIP_BYTES: return secip_session_send_bytes(s, msg->data, msg->len);
    case SECIP_OBJECT: return secip_session_send_object(s, msg->json);
    default: return secip_session_send_list(s, msg->json);
    }
}

/* 0 when the echo m is identical to what was sent, else fails. */
static int compare_echo(const sent_msg *msg, const secip_message *m)
{
    int type = secip_message_type(m);
    size_t len = 0;
    const void *data = secip_message_data(m, &len);
    if (type != msg->type)
        return tool_fail("echo mismatch: sent %s, received %s",
                         secip_message_type_name(msg->type),
                         secip_message_type_name(type));
    if (msg->json != NULL) {
        if (!json_object_equal(msg->json, secip_message_json(m)))
            return tool_fail("echo mismatch: the %s content differs",
                             secip_message_type_name(type));
        return 0;
    }
    if (len != msg->len || (len > 0 && memcmp(data, msg->data, len) != 0))
        return tool_fail("echo mismatch: sent %llu bytes, received %llu "
                         "different bytes",
                         (unsigned long long)msg->len, (unsigned long long)len);
    return 0;
}

static int connect_fail(const char *addr, int rc)
{
    if (rc == SECIP_EVERIFY)
        return tool_fail("verification failed: %s", secip_last_error());
    return tool_fail("cannot connect to %s: %s", addr, secip_last_error());
}

/* "server <name>, verified|NOT verified, fingerprint <hex>" on stdout. */
static void print_server(secip_session *s)
{
    char fp[SECIP_FINGERPRINT_HEX_LEN + 1];
    const char *name = secip_session_peer_name(s);
    if (secip_session_peer_fingerprint(s, fp) < 0)
        strcpy(fp, "-");
    printf("server %s, %s, fingerprint %s\n",
           name != NULL ? name : "(not authenticated)",
           secip_session_verified(s) ? "verified" : "NOT verified", fp);
}

static int exchange(const send_opts *o, secip_client *c, const sent_msg *msg)
{
    char host[CLI_HOST_MAX + 1];
    uint16_t port;
    secip_session *s = NULL;
    secip_message *m = NULL;
    int rc;

    if (cli_parse_hostport(o->connect, host, &port) < 0 || port == 0)
        return tool_fail("--connect wants HOST:PORT, e.g. 127.0.0.1:5000");
    rc = secip_client_connect(c, host, port, (int)o->timeout_ms, &s);
    if (rc < 0)
        return connect_fail(o->connect, rc);
    if (o->file != NULL) {
        rc = cli_send_file(s, o->file);
        if (rc == 0)
            print_server(s);
        secip_session_close(s);
        return rc;
    }
    if (send_message(s, msg) < 0)
        return tool_fail("send: %s", secip_last_error());
    rc = secip_session_receive(s, &m, (int)o->timeout_ms);
    if (rc == SECIP_ETIMEDOUT)
        return tool_fail("no echo within %lu ms", o->timeout_ms);
    if (rc < 0)
        return tool_fail("no echo: %s", secip_last_error());
    rc = compare_echo(msg, m);
    if (rc == 0) {
        printf("echo ok: ");
        cli_print_message(stdout, m);
        print_server(s);
    }
    secip_message_free(m);
    secip_session_close(s);
    return rc;
}

int cmd_send(int argc, char **argv)
{
    send_opts o;
    sent_msg msg;
    secip_client *c = NULL;
    secip_cert *ca = NULL, *cert = NULL;
    secip_key *key = NULL;
    int rc = parse_args(argc, argv, &o);

    if (rc != 0)
        return rc > 0 ? 0 : 2;
    memset(&msg, 0, sizeof msg);
    if (o.file == NULL)
        rc = load_message(&o, &msg);
    if (rc == 0 && secip_client_new(&c) < 0)
        rc = tool_fail("%s", secip_last_error());
    if (rc == 0)
        rc = configure_trust(&o, c, &ca, &key, &cert);
    if (rc == 0)
        rc = exchange(&o, c, &msg);
    secip_client_free(c);
    secip_cert_free(cert);
    secip_key_free(key);
    secip_cert_free(ca);
    free(msg.data);
    json_object_put(msg.json);
    return rc != 0 ? 1 : 0;
}
