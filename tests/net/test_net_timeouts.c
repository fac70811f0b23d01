/*
 * tests/net/test_net_timeouts.c -- keep-alive pings keep an idle session
 * open past the peer's idle timeout; without them the peer closes it with
 * "idle timeout"; bad options are refused; a message above the peer's
 * announced limit is refused locally; a connect to a closed port fails
 * with "connection refused".
 */
#include <string.h>

#include "net_util.h"
#include "platform.h"
#include "testutil.h"

static nt_pki pki;

int main(void)
{
    secip_session_options so, co;
    secip_server *srv;
    secip_client *c;
    secip_session *s;
    secip_message *m = NULL;
    uint16_t port;
    uint64_t t0;

    nt_pki_make(&pki);
    secip_session_options_init(&so);
    so.idle_timeout_ms = 700;
    so.keepalive_ms = 60000;
    CHECK_OK(secip_server_new(pki.srv_key, &srv));
    so.max_frame = 100; /* below the protocol's 16 KiB minimum */
    CHECK_ERR(secip_server_set_options(srv, &so), SECIP_EINVAL);
    so.max_frame = 0;
    so.max_message = 100000;
    CHECK_OK(secip_server_set_options(srv, &so));
    CHECK_OK(secip_server_set_handler(srv, nt_echo_handler, NULL));
    CHECK_OK(secip_server_start(srv, "127.0.0.1", 0));
    port = secip_server_port(srv);

    /* The client pings every 200 ms: the session outlives 700 ms idle. */
    secip_session_options_init(&co);
    co.keepalive_ms = 200;
    CHECK_OK(secip_client_new(&c));
    CHECK_OK(secip_client_set_options(c, &co));
    CHECK_OK(secip_client_connect(c, "127.0.0.1", port, 10000, &s));
    CHECK_ERR(secip_session_receive(s, &m, 1500), SECIP_ETIMEDOUT);
    CHECK(!secip_session_is_closed(s));
    CHECK_OK(secip_session_send_text(s, "alive"));
    nt_expect(s, SECIP_TEXT, "alive", 5);
    /* The server's HELLO (before its echo) announced 100000-byte messages:
     * a larger one is refused locally and the session stays usable. */
    {
        static uint8_t big[100001];
        CHECK_ERR(secip_session_send_bytes(s, big, sizeof big), SECIP_ETOOBIG);
        CHECK(nt_detail_has("message limit"));
        CHECK_OK(secip_session_send_bytes(s, big, sizeof big - 1));
        nt_expect(s, SECIP_BYTES, big, sizeof big - 1);
    }
    secip_client_free(c);

    /* Without pings the server closes the idle session. */
    CHECK_OK(secip_client_new(&c));
    CHECK_OK(secip_client_connect(c, "127.0.0.1", port, 10000, &s));
    t0 = spl_clock_ms();
    CHECK_ERR(secip_session_receive(s, &m, 5000), SECIP_ETIMEDOUT);
    CHECK(nt_detail_has("idle timeout"));
    CHECK(spl_clock_ms() - t0 < 3000);
    secip_client_free(c);
    secip_server_free(srv);

    /* Nothing listens on the port any more. */
    CHECK_OK(secip_client_new(&c));
    CHECK_ERR(secip_client_connect(c, "127.0.0.1", port, 5000, &s),
              SECIP_ECONNREFUSED);
    CHECK(nt_detail_has("refused"));
    secip_client_free(c);
    nt_pki_free(&pki);
    tu_log("ok");
    return 0;
}
