/*
 * tests/net/test_net_interop.c -- interoperability with OpenSSL's command
 * line tools (run only natively, when `openssl` is found):
 *   - `openssl s_client -CAfile ca.pem -verify_return_error -alpn secip/1`
 *     completes a handshake with a secip server and verifies its chain;
 *   - a secip client completes a handshake with `openssl s_server` and
 *     verifies its certificate against the CA.
 * Usage: test_net_interop /path/to/openssl
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net_util.h"
#include "platform.h"
#include "testutil.h"

static nt_pki pki;

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = calloc(1, 1 << 20);
    size_t n;
    CHECK(f != NULL && buf != NULL);
    n = fread(buf, 1, (1 << 20) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void s_client_vs_secip(const char *openssl)
{
    secip_server *srv;
    char cmd[1024];
    char *out;
    int rc;
    CHECK_OK(secip_server_new(pki.srv_key, &srv));
    CHECK_OK(secip_server_set_certificate(srv, pki.srv_cert));
    CHECK_OK(secip_server_set_handler(srv, nt_echo_handler, NULL));
    CHECK_OK(secip_server_start(srv, "127.0.0.1", 0));
    snprintf(cmd, sizeof cmd,
             "%s s_client -connect 127.0.0.1:%u -CAfile interop_ca.pem "
             "-verify_return_error -alpn secip/1 </dev/null "
             ">interop_s_client.txt 2>&1",
             openssl, (unsigned)secip_server_port(srv));
    rc = system(cmd);
    out = slurp("interop_s_client.txt");
    tu_log("s_client exit %d", rc);
    if (strstr(out, "Verify return code: 0 (ok)") == NULL ||
        strstr(out, "ALPN protocol: secip/1") == NULL ||
        strstr(out, "TLSv1.2") == NULL)
        tu_log("%s", out);
    CHECK(rc == 0);
    CHECK(strstr(out, "Verify return code: 0 (ok)") != NULL);
    CHECK(strstr(out, "ALPN protocol: secip/1") != NULL);
    CHECK(strstr(out, "TLSv1.2") != NULL);
    free(out);
    secip_server_free(srv);
}

/* A port nothing listens on right now (bound and released). */
static uint16_t free_port(void)
{
    secip_server *srv;
    uint16_t port;
    CHECK_OK(secip_server_new(pki.srv_key, &srv));
    CHECK_OK(secip_server_set_handler(srv, nt_echo_handler, NULL));
    CHECK_OK(secip_server_start(srv, "127.0.0.1", 0));
    port = secip_server_port(srv);
    secip_server_free(srv);
    return port;
}

static void secip_vs_s_server(const char *openssl)
{
    char cmd[1024];
    secip_client *c;
    secip_session *s = NULL;
    uint16_t port = free_port();
    int rc = SECIP_ECONNREFUSED;
    snprintf(cmd, sizeof cmd,
             "(sleep 15 | timeout 30 %s s_server -accept 127.0.0.1:%u "
             "-naccept 1 -cert interop_srv.pem -key interop_srv.key "
             "-alpn secip/1 -tls1_2 >interop_s_server.txt 2>&1) "
             ">/dev/null 2>&1 &",
             openssl, (unsigned)port);
    CHECK(system(cmd) == 0);
    CHECK_OK(secip_client_new(&c));
    CHECK_OK(secip_client_set_ca(c, pki.ca));
    CHECK_OK(secip_client_set_server_name(c, "server.test"));
    /* s_server needs a moment to listen: retry refused connects.  Its
     * stdin stays open (sleep) because end of input makes it quit. */
    for (int i = 0; i < 100 && rc == SECIP_ECONNREFUSED; i++) {
        rc = secip_client_connect(c, "127.0.0.1", port, 5000, &s);
        if (rc == SECIP_ECONNREFUSED)
            spl_sleep_ms(100);
    }
    if (rc < 0)
        tu_log("connect: %s", secip_last_error());
    CHECK_OK(rc);
    CHECK(secip_session_verified(s) == 1);
    CHECK(strcmp(secip_session_peer_name(s), "server.test") == 0);
    secip_client_free(c); /* s_server exits after this one connection */
}

int main(int argc, char **argv)
{
    CHECK(argc == 2);
    nt_pki_make(&pki);
    CHECK_OK(secip_cert_save_file(pki.ca, "interop_ca.pem"));
    CHECK_OK(secip_cert_save_file(pki.srv_cert, "interop_srv.pem"));
    CHECK_OK(secip_key_save_private(pki.srv_key, "interop_srv.key"));
    s_client_vs_secip(argv[1]);
    secip_vs_s_server(argv[1]);
    nt_pki_free(&pki);
    tu_log("ok");
    return 0;
}
