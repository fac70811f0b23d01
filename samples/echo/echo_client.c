/*
 * samples/echo/echo_client.c -- connects to an echo server, sends a text
 * and a block of bytes, and checks that both come back unchanged.
 *
 *   echo_client HOST PORT FINGERPRINT [TEXT]
 *
 * FINGERPRINT is the server key's SHA-256 printed by echo_server: the
 * client pins it, so it talks to that server and nobody else.  (With a CA,
 * use secip_client_set_ca() instead.)  It then reconnects once to show
 * that the second handshake resumes the TLS session.
 *
 * Uses the public API only (#include <secip/secip.h>).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <secip/secip.h>

/* Receive one message and check that it is type/data; 0 when it is. */
static int expect_echo(secip_session *s, int type, const void *data, size_t len)
{
    secip_message *m = NULL;
    size_t got = 0;
    const void *p;
    int ok;

    if (secip_session_receive(s, &m, 10000) < 0) {
        fprintf(stderr, "echo_client: no echo: %s\n", secip_last_error());
        return -1;
    }
    p = secip_message_data(m, &got);
    ok = secip_message_type(m) == type && got == len &&
         (len == 0 || memcmp(p, data, len) == 0);
    printf("echo of %s, %u bytes: %s\n", secip_message_type_name(type),
           (unsigned)len, ok ? "identical" : "DIFFERENT");
    secip_message_free(m);
    return ok ? 0 : -1;
}

/* One session: a text and 4 KiB of bytes, each echoed. */
static int exchange(secip_session *s, const char *text)
{
    unsigned char block[4096];
    secip_session_stats st;
    size_t i;

    for (i = 0; i < sizeof block; i++)
        block[i] = (unsigned char)(i * 7);
    if (secip_session_send_text(s, text) < 0 ||
        secip_session_send_bytes(s, block, sizeof block) < 0) {
        fprintf(stderr, "echo_client: send: %s\n", secip_last_error());
        return -1;
    }
    if (expect_echo(s, SECIP_TEXT, text, strlen(text)) < 0 ||
        expect_echo(s, SECIP_BYTES, block, sizeof block) < 0)
        return -1;
    secip_session_stats_get(s, &st);
    printf("session: verified %d, resumed %d, handshake %u us\n",
           secip_session_verified(s), st.resumed, (unsigned)st.handshake_us);
    return 0;
}

int main(int argc, char **argv)
{
    secip_client *c = NULL;
    secip_session *s = NULL;
    long port;
    int rc, round;

    if (argc < 4 || argc > 5) {
        fprintf(stderr, "usage: echo_client HOST PORT FINGERPRINT [TEXT]\n");
        return 2;
    }
    port = strtol(argv[2], NULL, 10);
    if (port <= 0 || port > 65535) {
        fprintf(stderr, "echo_client: bad port %s\n", argv[2]);
        return 2;
    }
    rc = secip_client_new(&c);
    if (rc == 0)
        rc = secip_client_set_pin(c, argv[3]);
    /* Connect twice: the second handshake resumes the first session. */
    for (round = 0; rc == 0 && round < 2; round++) {
        rc = secip_client_connect(c, argv[1], (uint16_t)port, 10000, &s);
        if (rc < 0)
            break;
        if (exchange(s, argc > 4 ? argv[4] : "hello, secip") < 0) {
            secip_client_free(c);
            return 1;
        }
    }
    if (rc < 0)
        fprintf(stderr, "echo_client: %s\n", secip_last_error());
    /* Freeing the client closes its session gracefully. */
    secip_client_free(c);
    return rc < 0 ? 1 : 0;
}
