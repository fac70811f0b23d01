/*
 * tests/net/test_net_server.c -- callback-style server requiring client
 * certificates (with, without, from the wrong CA); a self-signed server
 * (blocking style) seen from no-CA and CA clients; stopping a server while
 * sessions are open.
 */
#include <stdio.h>
#include <string.h>

#include "net_util.h"
#include "platform.h"
#include "testutil.h"

static nt_pki pki;

/* What the callbacks saw (under nt_lock); they run on loop threads. */
static int opened;
static char last_peer[64];

static void cb_open(secip_session *s, void *ud)
{
    const char *n = secip_session_peer_name(s);
    (void)ud;
    CHECK(secip_session_verified(s) == 1);
    nt_lock();
    opened++;
    snprintf(last_peer, sizeof last_peer, "%s", n ? n : "(null)");
    nt_unlock();
}

static void cb_message(secip_session *s, secip_message *m, void *ud)
{
    size_t len;
    const void *d = secip_message_data(m, &len);
    (void)ud;
    switch (secip_message_type(m)) {
    case SECIP_BYTES: CHECK_OK(secip_session_send_bytes(s, d, len)); break;
    case SECIP_TEXT: CHECK_OK(secip_session_send_text_len(s, d, len)); break;
    case SECIP_OBJECT:
        CHECK_OK(secip_session_send_object(s, secip_message_json(m)));
        break;
    default: CHECK_OK(secip_session_send_list(s, secip_message_json(m)));
    }
    secip_message_free(m);
}

static void test_client_certs(void)
{
    secip_server_callbacks cbs = {cb_open, cb_message, nt_on_close};
    secip_server *srv;
    secip_client *c;
    secip_session *s = NULL;
    secip_key *okey;
    secip_cert *oca, *ocert;
    secip_cert_options o;
    uint16_t port;
    int rc;

    CHECK_OK(secip_server_new(pki.srv_key, &srv));
    CHECK_OK(secip_server_set_certificate(srv, pki.srv_cert));
    CHECK_OK(secip_server_require_client_cert(srv, pki.ca));
    CHECK_OK(secip_server_set_callbacks(srv, &cbs, NULL));
    CHECK_OK(secip_server_set_threads(srv, 2));
    CHECK_OK(secip_server_start(srv, "127.0.0.1", 0));
    CHECK_ERR(secip_server_start(srv, "127.0.0.1", 0), SECIP_EBUSY);
    port = secip_server_port(srv);

    /* With a certificate from the CA: the server names the client. */
    CHECK_OK(secip_client_new(&c));
    CHECK_OK(secip_client_set_ca(c, pki.ca));
    CHECK_ERR(secip_client_set_identity(c, pki.cli_key, pki.srv_cert),
              SECIP_EINVAL);
    CHECK_OK(secip_client_set_identity(c, pki.cli_key, pki.cli_cert));
    CHECK_OK(secip_client_connect(c, "127.0.0.1", port, 10000, &s));
    nt_roundtrip_all(s);
    CHECK(nt_get(&opened) == 1);
    nt_lock();
    CHECK(strcmp(last_peer, "alice") == 0);
    nt_unlock();
    secip_client_free(c);

    /* Without a certificate: refused. */
    CHECK_OK(secip_client_new(&c));
    CHECK_OK(secip_client_set_ca(c, pki.ca));
    rc = secip_client_connect(c, "127.0.0.1", port, 10000, &s);
    tu_log("no client cert: %d %s", rc, secip_last_error());
    CHECK(rc == SECIP_ETLS || rc == SECIP_ECONNRESET);
    secip_client_free(c);

    /* With a certificate from another CA: refused. */
    nt_other_ca(&okey, &oca);
    secip_cert_options_init(&o);
    o.subject_cn = "mallory";
    o.ext_key_usage = SECIP_EKU_CLIENT;
    CHECK_OK(secip_cert_issue(&o, pki.cli_key, oca, okey, &ocert));
    CHECK_OK(secip_client_new(&c));
    CHECK_OK(secip_client_set_ca(c, pki.ca));
    CHECK_OK(secip_client_set_identity(c, pki.cli_key, ocert));
    rc = secip_client_connect(c, "127.0.0.1", port, 10000, &s);
    tu_log("wrong client CA: %d %s", rc, secip_last_error());
    CHECK(rc == SECIP_ETLS || rc == SECIP_ECONNRESET);
    secip_client_free(c);
    secip_cert_free(ocert);
    secip_cert_free(oca);
    secip_key_free(okey);

    CHECK(nt_get(&opened) == 1);
    for (int i = 0; i < 200 && nt_get(&nt_closed_count) < 1; i++)
        spl_sleep_ms(10);
    CHECK(nt_get(&nt_closed_count) == 1);
    CHECK(nt_get(&nt_last_status) == SECIP_ECLOSED);
    secip_server_free(srv);
}

static void test_self_signed_and_stop(void)
{
    secip_server *srv;
    secip_client *c;
    secip_session *s = NULL;
    secip_message *m = NULL;
    char fp[65], want[65];
    uint16_t port;

    CHECK_OK(secip_server_new(pki.srv_key, &srv));
    CHECK_OK(secip_server_set_handler(srv, nt_echo_handler, NULL));
    CHECK_OK(secip_server_start(srv, "127.0.0.1", 0));
    port = secip_server_port(srv);

    CHECK_OK(secip_client_new(&c));
    CHECK_OK(secip_client_connect(c, "127.0.0.1", port, 10000, &s));
    CHECK(secip_session_verified(s) == 0);
    CHECK_OK(secip_session_peer_fingerprint(s, fp));
    CHECK_OK(secip_key_fingerprint(pki.srv_key, want));
    CHECK(strcmp(fp, want) == 0);
    nt_roundtrip_all(s);

    /* Stopping the server ends the open session with "going away". */
    CHECK_OK(secip_server_stop(srv));
    CHECK_ERR(secip_session_receive(s, &m, 5000), SECIP_ECLOSED);
    CHECK(nt_detail_has("going away"));
    CHECK(secip_session_is_closed(s));
    secip_client_free(c);

    /* A self-signed server does not pass a CA client. */
    CHECK_OK(secip_server_start(srv, "127.0.0.1", 0));
    port = secip_server_port(srv);
    CHECK_OK(secip_client_new(&c));
    CHECK_OK(secip_client_set_ca(c, pki.ca));
    CHECK_ERR(secip_client_connect(c, "127.0.0.1", port, 10000, &s),
              SECIP_EVERIFY);
    secip_client_free(c);
    secip_server_free(srv);
}

int main(void)
{
    nt_shared_init();
    nt_pki_make(&pki);
    test_client_certs();
    test_self_signed_and_stop();
    nt_pki_free(&pki);
    nt_shared_free();
    tu_log("ok");
    return 0;
}
