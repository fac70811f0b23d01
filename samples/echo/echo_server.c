/*
 * samples/echo/echo_server.c -- the smallest useful secip server: it echoes
 * every message back to its sender.
 *
 *   echo_server [HOST [PORT]]          (default 127.0.0.1, port 0 = any)
 *
 * The server has no certificate of its own: secip generates a key and a
 * self-signed certificate at start, and prints the key's fingerprint so
 * that clients can pin it (see echo_client.c).  It runs until a line is
 * read from standard input, or standard input ends.
 *
 * Uses the public API only (#include <secip/secip.h>).
 */
#include <stdio.h>
#include <stdlib.h>

#include <secip/secip.h>

/* Send m back with the same type and content. */
static int echo(secip_session *s, const secip_message *m)
{
    size_t len = 0;
    const void *data = secip_message_data(m, &len);
    switch (secip_message_type(m)) {
    case SECIP_TEXT: return secip_session_send_text_len(s, data, len);
    case SECIP_OBJECT:
        return secip_session_send_object(s, secip_message_json(m));
    case SECIP_LIST: return secip_session_send_list(s, secip_message_json(m));
    default: return secip_session_send_bytes(s, data, len);
    }
}

/*
 * The blocking-style handler: secip runs it on a thread of its own for each
 * session, so it may simply loop on receive.  The session is closed when
 * the handler returns; receive fails once the client has closed it.
 */
static void handle_session(secip_session *s, void *user_data)
{
    secip_message *m;
    (void)user_data;
    while (secip_session_receive(s, &m, SECIP_WAIT_FOREVER) == 0) {
        int rc = echo(s, m);
        secip_message_free(m);
        if (rc < 0)
            break;
    }
}

int main(int argc, char **argv)
{
    const char *host = argc > 1 ? argv[1] : "127.0.0.1";
    long port = argc > 2 ? strtol(argv[2], NULL, 10) : 0;
    secip_key *key = NULL;
    secip_server *srv = NULL;
    char fp[SECIP_FINGERPRINT_HEX_LEN + 1];
    int rc;

    if (port < 0 || port > 65535) {
        fprintf(stderr, "usage: echo_server [HOST [PORT]]\n");
        return 2;
    }
    /* 1. A key: generated here; a real server would load one from a file
     *    with secip_key_load_file() and add a CA-issued certificate with
     *    secip_server_set_certificate(). */
    rc = secip_key_generate(2048, &key);
    if (rc == 0)
        rc = secip_key_fingerprint(key, fp);
    /* 2. A server with a per-session handler, listening on host:port. */
    if (rc == 0)
        rc = secip_server_new(key, &srv);
    if (rc == 0)
        rc = secip_server_set_handler(srv, handle_session, NULL);
    if (rc == 0)
        rc = secip_server_start(srv, host, (uint16_t)port);
    if (rc < 0) {
        fprintf(stderr, "echo_server: %s\n", secip_last_error());
        secip_server_free(srv);
        secip_key_free(key);
        return 1;
    }
    printf("listening on %s:%u fingerprint %s\n", host,
           (unsigned)secip_server_port(srv), fp);
    printf("press Enter to stop\n");
    fflush(stdout);

    /* 3. Serve until told to stop; stop() closes the open sessions. */
    while ((rc = getchar()) != EOF && rc != '\n')
        ;
    secip_server_stop(srv);
    secip_server_free(srv);
    secip_key_free(key);
    printf("stopped\n");
    return 0;
}
