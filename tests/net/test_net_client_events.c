/*
 * tests/net/test_net_client_events.c -- the client's event style
 * (secip_client_set_callbacks): messages reach on_message on the loop
 * thread, a callback can answer from there (a ping-pong chain driven only
 * by callbacks), receive is refused, on_close reports the end once, and
 * NULL callbacks bring back the blocking style.
 */
#include <stdio.h>
#include <string.h>

#include "net_util.h"
#include "platform.h"
#include "testutil.h"

#define ROUNDS 1000

static nt_pki pki;

/* What the callbacks saw (under nt_lock); they run on the client's loop
 * thread.  Ends are counted by nt_on_close. */
static int got, bad;

/* Wait (bounded: 10 s) until *p reaches want. */
static int wait_for(const int *p, int want)
{
    for (int i = 0; i < 1000 && nt_get(p) < want; i++)
        spl_sleep_ms(10);
    return nt_get(p) >= want;
}

/* Each echo carries its round number; the callback checks it and sends
 * the next round from the loop thread until ROUNDS are done. */
static void on_message(secip_session *s, secip_message *m, void *ud)
{
    uint32_t n = 0;
    size_t len = 0;
    const void *d = secip_message_data(m, &len);
    int ok = secip_message_type(m) == SECIP_BYTES && len == sizeof n;
    (void)ud;
    if (ok)
        memcpy(&n, d, sizeof n);
    secip_message_free(m);
    nt_lock();
    if (!ok || n != (uint32_t)got)
        bad++;
    got++;
    nt_unlock();
    if (++n < ROUNDS && secip_session_send_bytes(s, &n, sizeof n) != 0) {
        nt_lock();
        bad++;
        nt_unlock();
    }
}

static secip_server *start_echo(uint16_t *port)
{
    secip_server *srv;
    CHECK_OK(secip_server_new(pki.srv_key, &srv));
    CHECK_OK(secip_server_set_certificate(srv, pki.srv_cert));
    CHECK_OK(secip_server_set_handler(srv, nt_echo_handler, NULL));
    CHECK_OK(secip_server_start(srv, "127.0.0.1", 0));
    *port = secip_server_port(srv);
    return srv;
}

static void test_ping_pong(void)
{
    secip_client_callbacks cbs = {on_message, nt_on_close};
    secip_client *c;
    secip_session *s = NULL;
    secip_message *m = NULL;
    uint32_t first = 0;
    uint16_t port;
    secip_server *srv = start_echo(&port);

    CHECK_OK(secip_client_new(&c));
    CHECK_ERR(secip_client_set_callbacks(NULL, &cbs, NULL), SECIP_EINVAL);
    CHECK_OK(secip_client_set_ca(c, pki.ca));
    CHECK_OK(secip_client_set_callbacks(c, &cbs, NULL));
    CHECK_OK(secip_client_connect(c, "127.0.0.1", port, 10000, &s));
    CHECK_ERR(secip_session_receive(s, &m, 10), SECIP_EINVAL);
    CHECK(m == NULL);
    CHECK(nt_detail_has("on_message"));

    /* One send from this thread; the other ROUNDS - 1 from on_message. */
    CHECK_OK(secip_session_send_bytes(s, &first, sizeof first));
    CHECK(wait_for(&got, ROUNDS));
    spl_sleep_ms(50); /* nothing more may arrive */
    CHECK(nt_get(&got) == ROUNDS);
    CHECK(nt_get(&bad) == 0);
    CHECK(nt_get(&nt_closed_count) == 0);
    tu_log("%d round trips driven by callbacks", ROUNDS);

    /* The server goes away: on_close reports it, once. */
    secip_server_free(srv);
    CHECK(wait_for(&nt_closed_count, 1));
    spl_sleep_ms(50);
    CHECK(nt_get(&nt_closed_count) == 1);
    CHECK(nt_get(&nt_last_status) < 0);
    tu_log("on_close: %d (%s)", nt_get(&nt_last_status),
           secip_strerror(nt_get(&nt_last_status)));
    CHECK(secip_session_is_closed(s));
    secip_client_free(c);
}

/* on_close alone keeps the blocking receive; NULL restores it fully. */
static void test_close_only_and_reset(void)
{
    secip_client_callbacks cbs = {NULL, nt_on_close};
    secip_client *c;
    secip_session *s = NULL;
    uint16_t port;
    secip_server *srv = start_echo(&port);

    nt_lock();
    nt_closed_count = 0;
    nt_unlock();
    CHECK_OK(secip_client_new(&c));
    CHECK_OK(secip_client_set_ca(c, pki.ca));
    CHECK_OK(secip_client_set_callbacks(c, &cbs, NULL));
    CHECK_OK(secip_client_connect(c, "127.0.0.1", port, 10000, &s));
    nt_roundtrip_all(s);
    CHECK_OK(secip_session_close(s));
    CHECK(wait_for(&nt_closed_count, 1));
    CHECK(nt_get(&nt_last_status) == SECIP_ECLOSED);

    /* A failed connect opened no session: no on_close for it. */
    CHECK(secip_client_connect(c, "127.0.0.1", 1, 2000, &s) < 0);
    spl_sleep_ms(50);
    CHECK(nt_get(&nt_closed_count) == 1);

    CHECK_OK(secip_client_set_callbacks(c, NULL, NULL));
    CHECK_OK(secip_client_connect(c, "127.0.0.1", port, 10000, &s));
    nt_roundtrip_all(s);
    secip_client_free(c); /* closes the session: no callback any more */
    CHECK(nt_get(&nt_closed_count) == 1);
    secip_server_free(srv);
}

int main(void)
{
    nt_shared_init();
    nt_pki_make(&pki);
    test_ping_pong();
    test_close_only_and_reset();
    nt_pki_free(&pki);
    nt_shared_free();
    tu_log("ok");
    return 0;
}
