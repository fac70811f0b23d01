/*
 * tests/net/test_net_basic.c -- a blocking echo server with a CA-issued
 * certificate; clients in CA, pinned and no-CA mode; every message type
 * both ways; wrong CA, wrong name and wrong pin refused; resumption.
 */
#include <string.h>

#include "net_util.h"
#include "platform.h"
#include "testutil.h"

static nt_pki pki;

static secip_client *client_ca(const char *name)
{
    secip_client *c = NULL;
    CHECK_OK(secip_client_new(&c));
    CHECK_OK(secip_client_set_ca(c, pki.ca));
    if (name != NULL)
        CHECK_OK(secip_client_set_server_name(c, name));
    return c;
}

static void test_ca_mode(uint16_t port, const char *srv_fp)
{
    secip_client *c = client_ca(NULL);
    secip_session *s = NULL;
    secip_session_stats st;
    char fp[65];

    CHECK_OK(secip_client_connect(c, "127.0.0.1", port, 10000, &s));
    CHECK(secip_session_verified(s) == 1);
    CHECK(strcmp(secip_session_peer_name(s), "127.0.0.1") == 0);
    CHECK_OK(secip_session_peer_fingerprint(s, fp));
    CHECK(strcmp(fp, srv_fp) == 0);
    nt_roundtrip_all(s);
    secip_session_stats_get(s, &st);
    CHECK(st.messages_out == 6 && st.messages_in == 6);
    CHECK(st.bytes_out > 300000 && st.bytes_in == st.bytes_out);
    CHECK(st.wire_out > st.bytes_out);
    CHECK(st.resumed == 0);
    tu_log("full handshake %llu us", (unsigned long long)st.handshake_us);

    /* Second connection resumes, and stays verified. */
    CHECK_OK(secip_client_connect(c, "127.0.0.1", port, 10000, &s));
    secip_session_stats_get(s, &st);
    CHECK(st.resumed == 1);
    CHECK(secip_session_verified(s) == 1);
    CHECK_OK(secip_session_peer_fingerprint(s, fp));
    CHECK(strcmp(fp, srv_fp) == 0);
    CHECK_OK(secip_session_send_text(s, "again"));
    nt_expect(s, SECIP_TEXT, "again", 5);
    tu_log("resumed handshake %llu us", (unsigned long long)st.handshake_us);
    CHECK_OK(secip_session_close(s));
    CHECK_ERR(secip_session_send_text(s, "late"), SECIP_ECLOSED);
    secip_client_free(c);

    /* DNS name from set_server_name, connecting by address. */
    c = client_ca("server.test");
    CHECK_OK(secip_client_connect(c, "127.0.0.1", port, 10000, &s));
    CHECK(strcmp(secip_session_peer_name(s), "server.test") == 0);
    secip_client_free(c);

    /* Host name from connect. */
    c = client_ca(NULL);
    CHECK_OK(secip_client_connect(c, "localhost", port, 10000, &s));
    CHECK(strcmp(secip_session_peer_name(s), "localhost") == 0);
    secip_client_free(c);
}

static void test_refusals(uint16_t port, const char *srv_fp)
{
    secip_client *c;
    secip_session *s = NULL;
    secip_key *okey;
    secip_cert *oca;
    char pin[80];

    c = client_ca("other.test");
    CHECK_ERR(secip_client_connect(c, "127.0.0.1", port, 10000, &s),
              SECIP_EVERIFY);
    CHECK(nt_detail_has("name mismatch"));
    CHECK(s == NULL);
    secip_client_free(c);

    nt_other_ca(&okey, &oca);
    CHECK_OK(secip_client_new(&c));
    CHECK_OK(secip_client_set_ca(c, oca));
    CHECK_ERR(secip_client_connect(c, "127.0.0.1", port, 10000, &s),
              SECIP_EVERIFY);
    CHECK(nt_detail_has("not the trusted CA") || nt_detail_has("signature"));
    secip_client_free(c);
    secip_cert_free(oca);
    secip_key_free(okey);

    CHECK_OK(secip_client_new(&c));
    CHECK_ERR(secip_client_set_pin(c, "12zz"), SECIP_EFORMAT);
    memcpy(pin, srv_fp, 65);
    pin[0] = pin[0] == '0' ? '1' : '0';
    CHECK_OK(secip_client_set_pin(c, pin));
    CHECK_ERR(secip_client_connect(c, "127.0.0.1", port, 10000, &s),
              SECIP_EVERIFY);
    CHECK(nt_detail_has("pin mismatch"));
    secip_client_free(c);
}

static void test_pin_and_noca(uint16_t port, const char *srv_fp)
{
    secip_client *c;
    secip_session *s = NULL;
    char fp[65], upper[80];

    CHECK_OK(secip_client_new(&c));
    for (int i = 0; i < 64; i++) /* uppercase with a colon, also accepted */
        upper[i] = (char)(srv_fp[i] >= 'a' ? srv_fp[i] - 32 : srv_fp[i]);
    upper[64] = '\0';
    memmove(upper + 3, upper + 2, 63);
    upper[2] = ':';
    CHECK_OK(secip_client_set_pin(c, upper));
    CHECK_OK(secip_client_connect(c, "127.0.0.1", port, 10000, &s));
    CHECK(secip_session_verified(s) == 1);
    nt_roundtrip_all(s);
    secip_client_free(c);

    CHECK_OK(secip_client_new(&c));
    CHECK_OK(secip_client_connect(c, "127.0.0.1", port, 10000, &s));
    CHECK(secip_session_verified(s) == 0);
    CHECK(secip_session_peer_name(s) == NULL);
    CHECK_OK(secip_session_peer_fingerprint(s, fp));
    CHECK(strcmp(fp, srv_fp) == 0);
    nt_roundtrip_all(s);
    secip_client_free(c);
}

int main(void)
{
    secip_server *srv = NULL;
    char srv_fp[65];
    uint16_t port;

    nt_pki_make(&pki);
    CHECK_OK(secip_key_fingerprint(pki.srv_key, srv_fp));
    CHECK_OK(secip_server_new(pki.srv_key, &srv));
    CHECK_ERR(secip_server_set_certificate(srv, pki.cli_cert), SECIP_EINVAL);
    CHECK_OK(secip_server_set_certificate(srv, pki.srv_cert));
    CHECK_ERR(secip_server_start(srv, "127.0.0.1", 0), SECIP_EINVAL);
    CHECK_OK(secip_server_set_handler(srv, nt_echo_handler, NULL));
    CHECK_OK(secip_server_start(srv, "127.0.0.1", 0));
    port = secip_server_port(srv);
    CHECK(port != 0);

    test_ca_mode(port, srv_fp);
    test_refusals(port, srv_fp);
    test_pin_and_noca(port, srv_fp);

    CHECK_OK(secip_server_stop(srv));
    secip_server_free(srv);
    nt_pki_free(&pki);
    tu_log("ok");
    return 0;
}
