/*
 * samples/ca_demo/ca_demo.c -- the newcomer's tour of secip's certificate
 * authority, one readable line per step:
 *   a CA comes up, two users are registered, a server enrolls and serves in
 *   certificate mode, a client enrolls, verifies the server and exchanges
 *   text, bytes, a file, an object and a list, then a wrong password is
 *   denied.
 * Exit status 0 when every step worked.
 */
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "platform.h" /* a scratch directory for the CA's files */
#include "secip/ca.h"
#include "secip/secip.h"

static int step_no;

#if defined(__GNUC__)
#define DEMO_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define DEMO_PRINTF(a, b)
#endif

static void step(const char *fmt, ...) DEMO_PRINTF(1, 2);

static void step(const char *fmt, ...)
{
    va_list ap;
    printf("[%2d] ", ++step_no);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

static int fail(const char *what)
{
    printf("FAILED: %s: %s\n", what, secip_last_error());
    return 1;
}

/* The application server: echo every message back. */
static void echo(secip_session *s, void *ud)
{
    secip_message *m = NULL;
    (void)ud;
    while (secip_session_receive(s, &m, 10000) == 0) {
        size_t len = 0;
        const void *data = secip_message_data(m, &len);
        switch (secip_message_type(m)) {
        case SECIP_TEXT: secip_session_send_text_len(s, data, len); break;
        case SECIP_OBJECT:
            secip_session_send_object(s, secip_message_json(m));
            break;
        case SECIP_LIST:
            secip_session_send_list(s, secip_message_json(m));
            break;
        case SECIP_FILE: /* small files arrive in memory: send them back */
            secip_session_send_file_data(s, secip_message_file_name(m), data,
                                         len);
            break;
        default: secip_session_send_bytes(s, data, len);
        }
        secip_message_free(m);
    }
}

/* Receive the echo of what was just sent and compare the raw content. */
static int check_echo(secip_session *s, int type, const char *expect,
                      size_t len)
{
    secip_message *m = NULL;
    size_t got = 0;
    if (secip_session_receive(s, &m, 10000) < 0)
        return fail("receive");
    const void *data = secip_message_data(m, &got);
    int ok = secip_message_type(m) == type && got == len &&
             memcmp(data, expect, len) == 0;
    secip_message_free(m);
    return ok ? 0 : fail("echo differs");
}

/* The file step's content and name. */
static const char notes[] = "secip moves files too: announced, chunked, "
                            "resumable, and SHA-256 checked by the receiver.\n";
#define NOTES_NAME "notes.txt"

typedef struct tour {
    char dir[64];
    secip_key *ca_key, *srv_key, *cli_key;
    secip_cert *ca_cert, *srv_cert, *cli_cert;
    secip_ca_db *db;
    secip_ca_server *ca;
    secip_server *srv;
    secip_client *cli;
} tour;

static int ca_up(tour *t)
{
    unsigned char r[4];
    if (spl_random(r, sizeof r) < 0)
        return fail("random");
    snprintf(t->dir, sizeof t->dir, "ca_demo-%02x%02x%02x%02x", r[0], r[1],
             r[2], r[3]);
    if (spl_dir_create(t->dir, 1) < 0 ||
        secip_key_generate(2048, &t->ca_key) < 0 ||
        secip_cert_create_ca(t->ca_key, "Demo CA", NULL, 30, &t->ca_cert) < 0 ||
        secip_ca_db_open(t->dir, 1, &t->db) < 0 ||
        secip_ca_server_new(t->ca_key, t->ca_cert, &t->ca) < 0 ||
        secip_ca_server_set_database(t->ca, t->db, NULL) < 0 ||
        secip_ca_server_start(t->ca, "127.0.0.1", 0) < 0)
        return fail("CA");
    step("CA \"%s\" is up on 127.0.0.1:%u (files in %s)",
         secip_cert_subject_cn(t->ca_cert),
         (unsigned)secip_ca_server_port(t->ca), t->dir);
    if (secip_ca_db_add_user(t->db, "files-server", "server-secret", 0) < 0 ||
        secip_ca_db_add_user(t->db, "alice", "alice-secret", 0) < 0)
        return fail("users");
    step("registered two users: %s and %s (PBKDF2 hashes only)", "files-server",
         "alice");
    return 0;
}

static int server_up(tour *t)
{
    const char *names[] = {"localhost", "127.0.0.1"};
    uint16_t cap = secip_ca_server_port(t->ca);
    if (secip_key_generate(2048, &t->srv_key) < 0 ||
        secip_ca_enroll("127.0.0.1", cap, t->ca_cert, "files-server",
                        "server-secret", t->srv_key, names, 2, &t->srv_cert,
                        NULL) < 0)
        return fail("server enrollment");
    step("server enrolled: certificate %s for %s",
         secip_cert_serial_hex(t->srv_cert), "localhost, 127.0.0.1");
    if (secip_server_new(t->srv_key, &t->srv) < 0 ||
        secip_server_set_certificate(t->srv, t->srv_cert) < 0 ||
        secip_server_require_client_cert(t->srv, t->ca_cert) < 0 ||
        secip_server_set_handler(t->srv, echo, NULL) < 0 ||
        secip_server_start(t->srv, "127.0.0.1", 0) < 0)
        return fail("server start");
    step("server serves in certificate mode on 127.0.0.1:%u (clients need "
         "a certificate from the CA)",
         (unsigned)secip_server_port(t->srv));
    return 0;
}

/* Send a file from disk, get it echoed back, check it and save it. */
static int file_step(const tour *t, secip_session *s)
{
    char path[128], inbox[128], saved[256];
    snprintf(path, sizeof path, "%s/%s", t->dir, NOTES_NAME);
    snprintf(inbox, sizeof inbox, "%s/inbox", t->dir);
    FILE *f = fopen(path, "wb");
    if (f == NULL ||
        fwrite(notes, 1, sizeof notes - 1, f) != sizeof notes - 1 ||
        fclose(f) != 0)
        return fail("writing the demo file");
    if (secip_session_send_file(s, path) < 0)
        return fail("send file");
    secip_message *m = NULL;
    size_t len = 0;
    if (secip_session_receive(s, &m, 10000) < 0)
        return fail("receive file");
    const void *data = secip_message_data(m, &len);
    int ok = secip_message_type(m) == SECIP_FILE &&
             strcmp(secip_message_file_name(m), NOTES_NAME) == 0 &&
             len == sizeof notes - 1 && memcmp(data, notes, len) == 0 &&
             spl_dir_create(inbox, 1) >= 0 &&
             secip_message_save_ex(m, inbox, 0, saved, sizeof saved) >= 0;
    secip_message_free(m);
    if (!ok)
        return fail("file echo");
    step("file exchanged: %s (%u bytes, SHA-256 confirmed by the receiver), "
         "saved back as %s",
         NOTES_NAME, (unsigned)(sizeof notes - 1), saved);
    return 0;
}

static int client_talks(tour *t)
{
    uint16_t cap = secip_ca_server_port(t->ca);
    secip_session *s = NULL;
    if (secip_key_generate(2048, &t->cli_key) < 0 ||
        secip_request_certificate("127.0.0.1", cap, t->ca_cert, "alice",
                                  "alice-secret", t->cli_key, &t->cli_cert) < 0)
        return fail("client enrollment");
    step("client enrolled as %s: certificate %s",
         secip_cert_subject_cn(t->cli_cert),
         secip_cert_serial_hex(t->cli_cert));
    if (secip_client_new(&t->cli) < 0 ||
        secip_client_set_ca(t->cli, t->ca_cert) < 0 ||
        secip_client_set_identity(t->cli, t->cli_key, t->cli_cert) < 0 ||
        secip_client_connect(t->cli, "127.0.0.1", secip_server_port(t->srv),
                             10000, &s) < 0)
        return fail("connect");
    step("client verified the server (%s) against the CA",
         secip_session_peer_name(s));
    const unsigned char bytes[] = {0x00, 0x01, 0xfe, 0xff};
    json_object *obj = json_tokener_parse("{\"greeting\":\"hi\",\"n\":42}");
    json_object *list = json_tokener_parse("[1,\"two\",3.5,null]");
    const char *ot =
        json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN);
    const char *lt =
        json_object_to_json_string_ext(list, JSON_C_TO_STRING_PLAIN);
    int rc = secip_session_send_text(s, "hello, secip") < 0 ||
             check_echo(s, SECIP_TEXT, "hello, secip", 12);
    if (rc == 0)
        step("text exchanged: \"%s\"", "hello, secip");
    rc = rc || secip_session_send_bytes(s, bytes, sizeof bytes) < 0 ||
         check_echo(s, SECIP_BYTES, (const char *)bytes, sizeof bytes);
    if (rc == 0)
        step("bytes exchanged: 00 01 fe ff");
    rc = rc || file_step(t, s);
    rc = rc || secip_session_send_object(s, obj) < 0 ||
         check_echo(s, SECIP_OBJECT, ot, strlen(ot));
    if (rc == 0)
        step("object exchanged: %s", ot);
    rc = rc || secip_session_send_list(s, list) < 0 ||
         check_echo(s, SECIP_LIST, lt, strlen(lt));
    if (rc == 0)
        step("list exchanged: %s", lt);
    json_object_put(obj);
    json_object_put(list);
    return rc;
}

static int wrong_password(tour *t)
{
    secip_cert *cert = NULL;
    char why[SECIP_CA_REASON_MAX];
    int rc = secip_ca_enroll("127.0.0.1", secip_ca_server_port(t->ca),
                             t->ca_cert, "alice", "not-the-password",
                             t->cli_key, NULL, 0, &cert, why);
    secip_cert_free(cert);
    if (rc != SECIP_EDENIED)
        return fail("a wrong password was not denied");
    step("wrong password denied by the CA: \"%s\"", why);
    return 0;
}

int main(void)
{
    tour t;
    memset(&t, 0, sizeof t);
    int rc = ca_up(&t);
    rc = rc || server_up(&t);
    rc = rc || client_talks(&t);
    rc = rc || wrong_password(&t);
    secip_client_free(t.cli);
    secip_server_free(t.srv);
    secip_ca_server_free(t.ca);
    secip_ca_db_free(t.db);
    secip_cert_free(t.cli_cert);
    secip_cert_free(t.srv_cert);
    secip_cert_free(t.ca_cert);
    secip_key_free(t.cli_key);
    secip_key_free(t.srv_key);
    secip_key_free(t.ca_key);
    if (rc == 0)
        step("tour complete");
    return rc;
}
