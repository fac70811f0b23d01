/*
 * tests/net/test_net_limits.c -- server-wide resource limits (issue 9):
 * defaults and range checks of secip_server_limits; connections beyond
 * max_sessions_per_address and beyond max_sessions are reset at once
 * while the sessions already open keep working, and a freed slot is
 * usable again; a callback that outruns the peer gets SECIP_EAGAIN at
 * max_queued_bytes; a handler that does not read stops the session's
 * reading at max_queued_bytes of unread messages.
 *
 * Other sources than 127.0.0.1 are 127.0.0.2 and 127.0.0.3 (Linux and
 * Windows route all of 127/8 to the loopback).
 */
#include <stdio.h>
#include <string.h>

#include "net_util.h"
#include "platform.h"
#include "testutil.h"

static nt_pki pki;

/* ---- raw TCP connections that hold (or fail to hold) a session slot ---- */

#define RAW_MAX 8

typedef struct raw_conn {
    struct raw_set *set;
    spl_tcp *h;
    int connected, ended;
    uint64_t t_end;
    uint8_t buf[512];
} raw_conn;

typedef struct raw_set {
    spl_loop *loop;
    spl_mutex *mu; /* ended, t_end: written on the loop, read by main */
    spl_thread *thread;
    raw_conn c[RAW_MAX];
    int n;
} raw_set;

static void raw_read_cb(spl_tcp *h, void *arg, ptrdiff_t n)
{
    raw_conn *c = arg;
    if (n > 0 && spl_tcp_read(h, c->buf, sizeof c->buf, raw_read_cb, c) == 0)
        return;
    if (n != SECIP_ECANCELED) {
        spl_mutex_lock(c->set->mu);
        c->t_end = spl_clock_ms();
        c->ended = 1;
        spl_mutex_unlock(c->set->mu);
    }
}

static void raw_connect_cb(void *arg, int status, spl_tcp *conn)
{
    raw_conn *c = arg;
    if (status < 0) { /* reset before the connect completed: refused */
        CHECK(status == SECIP_ECONNRESET || status == SECIP_EIO);
        spl_mutex_lock(c->set->mu);
        c->t_end = spl_clock_ms();
        c->ended = 1;
        spl_mutex_unlock(c->set->mu);
        return;
    }
    c->h = conn;
    c->connected = 1;
    CHECK_OK(spl_tcp_read(conn, c->buf, sizeof c->buf, raw_read_cb, c));
}

static void raw_run(void *arg)
{
    raw_set *rs = arg;
    CHECK_OK(spl_loop_run(rs->loop));
}

static void raw_close_all(void *arg)
{
    raw_set *rs = arg;
    for (int i = 0; i < rs->n; i++)
        if (rs->c[i].h != NULL)
            spl_tcp_close(rs->c[i].h, NULL, NULL);
    spl_loop_stop(rs->loop);
}

/* Open n raw connections from local address `from` that send nothing. */
static void raw_open(raw_set *rs, const char *from, uint16_t port, int n)
{
    memset(rs, 0, sizeof *rs);
    rs->n = n;
    CHECK_OK(spl_mutex_new(&rs->mu));
    CHECK_OK(spl_loop_new(&rs->loop));
    for (int i = 0; i < n; i++) {
        rs->c[i].set = rs;
        CHECK_OK(spl_tcp_connect_from(rs->loop, from, "127.0.0.1", port, 5000,
                                      raw_connect_cb, &rs->c[i]));
    }
    CHECK_OK(spl_thread_create(&rs->thread, raw_run, rs));
}

static void raw_free(raw_set *rs)
{
    CHECK_OK(spl_loop_post(rs->loop, raw_close_all, rs));
    spl_thread_join(rs->thread);
    spl_loop_free(rs->loop);
    spl_mutex_free(rs->mu);
}

/* Connections of rs that ended by now; *last: the latest end time. */
static int raw_ended(raw_set *rs, uint64_t *last)
{
    int n = 0;
    spl_mutex_lock(rs->mu);
    for (int i = 0; i < rs->n; i++) {
        int e = rs->c[i].ended;
        if (e) {
            n++;
            if (last != NULL && rs->c[i].t_end > *last)
                *last = rs->c[i].t_end;
        }
    }
    spl_mutex_unlock(rs->mu);
    return n;
}

/* ---- the pieces ---------------------------------------------------------- */

static void check_defaults(void)
{
    secip_server_limits l, got;
    secip_server *srv;
    secip_server_limits_init(&l);
    CHECK(l.max_sessions == 10000);
    CHECK(l.max_sessions_per_address == 64);
    CHECK(l.max_queued_bytes == 16u * 1024u * 1024u);
    secip_server_limits_init(NULL);
    CHECK_OK(secip_server_new(pki.srv_key, &srv));
    memset(&got, 0xff, sizeof got);
    secip_server_get_limits(srv, &got);
    CHECK(memcmp(&got, &l, sizeof l) == 0);
    CHECK(secip_server_refused(srv) == 0);
    memset(&l, 0, sizeof l); /* zero: the defaults */
    CHECK_OK(secip_server_set_limits(srv, &l));
    secip_server_get_limits(srv, &got);
    CHECK(got.max_sessions == 10000 && got.max_queued_bytes == 16777216u);
    l.max_queued_bytes = 1000;
    CHECK_ERR(secip_server_set_limits(srv, &l), SECIP_EINVAL);
    CHECK(nt_detail_has("max_queued_bytes"));
    l.max_queued_bytes = 0;
    l.max_sessions = 2000000;
    CHECK_ERR(secip_server_set_limits(srv, &l), SECIP_EINVAL);
    CHECK(nt_detail_has("max_sessions"));
    CHECK_ERR(secip_server_set_limits(srv, NULL), SECIP_EINVAL);
    CHECK_ERR(secip_server_set_limits(NULL, &l), SECIP_EINVAL);
    secip_server_get_limits(srv, &got); /* unchanged by the failures */
    CHECK(got.max_sessions == 10000);
    secip_server_free(srv);
}

static secip_client *connect_ok(uint16_t port)
{
    secip_client *c;
    secip_session *s;
    CHECK_OK(secip_client_new(&c));
    CHECK_OK(secip_client_connect(c, "127.0.0.1", port, 10000, &s));
    CHECK_OK(secip_session_send_text(s, "hi"));
    nt_expect(s, SECIP_TEXT, "hi", 2);
    return c;
}

/* A connection over a limit fails long before the handshake timeout. */
static void connect_refused(uint16_t port)
{
    secip_client *c;
    secip_session *s = NULL;
    uint64_t t0 = spl_clock_ms();
    int rc;
    CHECK_OK(secip_client_new(&c));
    rc = secip_client_connect(c, "127.0.0.1", port, 10000, &s);
    CHECK(rc < 0);
    CHECK(rc != SECIP_ETIMEDOUT);
    tu_log("refused in %llu ms: %s", (unsigned long long)(spl_clock_ms() - t0),
           secip_last_error());
    CHECK(spl_clock_ms() - t0 < 2000);
    secip_client_free(c);
}

static void wait_refused(secip_server *srv, uint64_t want)
{
    for (int i = 0; i < 200 && secip_server_refused(srv) < want; i++)
        spl_sleep_ms(10);
    CHECK(secip_server_refused(srv) == want);
}

static void check_session_limits(void)
{
    secip_server_limits l;
    secip_session_options so;
    secip_server *srv;
    secip_client *c[3];
    raw_set held, over;
    uint64_t t0, last = 0;
    uint16_t port;

    secip_server_limits_init(&l);
    l.max_sessions = 5;
    l.max_sessions_per_address = 3;
    secip_session_options_init(&so);
    so.handshake_timeout_ms = 3000;
    CHECK_OK(secip_server_new(pki.srv_key, &srv));
    CHECK_OK(secip_server_set_limits(srv, &l));
    CHECK_OK(secip_server_set_options(srv, &so));
    CHECK_OK(secip_server_set_handler(srv, nt_echo_handler, NULL));
    CHECK_OK(secip_server_start(srv, "127.0.0.1", 0));
    port = secip_server_port(srv);

    for (int i = 0; i < 3; i++)
        c[i] = connect_ok(port);
    /* a fourth from the same address: reset at once */
    connect_refused(port);
    wait_refused(srv, 1);

    /* two silent connections from 127.0.0.2 take the last two slots... */
    raw_open(&held, "127.0.0.2", port, 2);
    spl_sleep_ms(300);
    CHECK(raw_ended(&held, NULL) == 0);
    /* ...so one from 127.0.0.3 is over max_sessions: reset at once */
    t0 = spl_clock_ms();
    raw_open(&over, "127.0.0.3", port, 1);
    for (int i = 0; i < 100 && raw_ended(&over, NULL) < 1; i++)
        spl_sleep_ms(10);
    CHECK(raw_ended(&over, &last) == 1);
    CHECK(last - t0 < 1000);
    wait_refused(srv, 2);
    raw_free(&over);

    /* the open sessions keep working */
    for (int i = 0; i < 3; i++)
        nt_roundtrip_all(secip_client_session(c[i]));

    /* the handshake timeout frees the silent ones' slots */
    t0 = spl_clock_ms();
    for (int i = 0; i < 600 && raw_ended(&held, NULL) < 2; i++)
        spl_sleep_ms(10);
    CHECK(raw_ended(&held, NULL) == 2);
    tu_log("silent connections reset after %llu ms more",
           (unsigned long long)(spl_clock_ms() - t0));
    raw_free(&held);

    /* a closed session gives its slot back */
    secip_client_free(c[2]);
    spl_sleep_ms(300); /* the server notices the close */
    c[2] = connect_ok(port);
    for (int i = 0; i < 3; i++)
        secip_client_free(c[i]);
    secip_server_free(srv);
}

/* ---- max_queued_bytes ---------------------------------------------------- */

#define BIG (40u * 1024u)

static spl_mutex *cap_mu;
static int cap_rc = 1, cap_sent;
static char cap_detail[256];

static void cap_on_message(secip_session *s, secip_message *m, void *ud)
{
    static uint8_t big[BIG];
    int rc = 0, sent = 0;
    (void)ud;
    secip_message_free(m);
    /* on the loop thread nothing drains between these sends */
    for (int i = 0; i < 20 && rc == 0; i++) {
        rc = secip_session_send_bytes(s, big, sizeof big);
        if (rc == 0)
            sent++;
    }
    spl_mutex_lock(cap_mu);
    cap_rc = rc;
    cap_sent = sent;
    snprintf(cap_detail, sizeof cap_detail, "%s", secip_last_error());
    spl_mutex_unlock(cap_mu);
    CHECK_OK(secip_session_send_text(s, "done")); /* small: still fits */
}

static void check_send_cap(void)
{
    static const uint8_t zero[BIG];
    secip_server_limits l;
    secip_server_callbacks cbs;
    secip_server *srv;
    secip_client *c;
    secip_session *s;
    int rc = 1, sent = 0, got = 0;

    CHECK_OK(spl_mutex_new(&cap_mu));
    secip_server_limits_init(&l);
    l.max_queued_bytes = 64 * 1024;
    memset(&cbs, 0, sizeof cbs);
    cbs.on_message = cap_on_message;
    CHECK_OK(secip_server_new(pki.srv_key, &srv));
    CHECK_OK(secip_server_set_limits(srv, &l));
    CHECK_OK(secip_server_set_callbacks(srv, &cbs, NULL));
    CHECK_OK(secip_server_start(srv, "127.0.0.1", 0));
    CHECK_OK(secip_client_new(&c));
    CHECK_OK(secip_client_connect(c, "127.0.0.1", secip_server_port(srv), 10000,
                                  &s));
    CHECK_OK(secip_session_send_text(s, "go"));
    for (int i = 0; i < 25; i++) { /* the big ones, then "done" */
        secip_message *m;
        size_t len = 0;
        const void *d;
        CHECK_OK(secip_session_receive(s, &m, 5000));
        d = secip_message_data(m, &len);
        if (secip_message_type(m) == SECIP_TEXT) {
            CHECK(len == 4 && memcmp(d, "done", 4) == 0);
            secip_message_free(m);
            break;
        }
        CHECK(len == BIG && memcmp(d, zero, BIG) == 0);
        got++;
        secip_message_free(m);
    }
    spl_mutex_lock(cap_mu);
    rc = cap_rc;
    sent = cap_sent;
    spl_mutex_unlock(cap_mu);
    tu_log("callback queued %d x 40 KiB, then: %s", sent, cap_detail);
    CHECK_ERR(rc, SECIP_EAGAIN);
    CHECK(strstr(cap_detail, "max_queued_bytes") != NULL);
    CHECK(sent >= 1 && sent <= 2);
    CHECK(got == sent);
    CHECK(!secip_session_is_closed(s)); /* the session goes on */
    secip_client_free(c);
    secip_server_free(srv);
    spl_mutex_free(cap_mu);
}

/* A handler that reads nothing for a while: the server holds at most
 * max_queued_bytes (+ one message) of unread messages. */
#define MSG  (30u * 1024u)
#define NMSG 20
static uint64_t unread_seen;

static void lazy_handler(secip_session *s, void *ud)
{
    secip_session_stats st;
    secip_message *m;
    (void)ud;
    spl_sleep_ms(1000);
    secip_session_stats_get(s, &st);
    unread_seen = st.bytes_in;
    for (int i = 0; i < NMSG; i++) {
        if (secip_session_receive(s, &m, 5000) < 0)
            break;
        secip_message_free(m);
    }
    (void)secip_session_send_text(s, "all read");
    while (secip_session_receive(s, &m, 5000) == 0)
        secip_message_free(m);
}

static void check_recv_cap(void)
{
    static uint8_t msg[MSG];
    secip_server_limits l;
    secip_server *srv;
    secip_client *c;
    secip_session *s;

    secip_server_limits_init(&l);
    l.max_queued_bytes = 64 * 1024;
    CHECK_OK(secip_server_new(pki.srv_key, &srv));
    CHECK_OK(secip_server_set_limits(srv, &l));
    CHECK_OK(secip_server_set_handler(srv, lazy_handler, NULL));
    CHECK_OK(secip_server_start(srv, "127.0.0.1", 0));
    CHECK_OK(secip_client_new(&c));
    CHECK_OK(secip_client_connect(c, "127.0.0.1", secip_server_port(srv), 10000,
                                  &s));
    for (int i = 0; i < NMSG; i++)
        CHECK_OK(secip_session_send_bytes(s, msg, sizeof msg));
    nt_expect(s, SECIP_TEXT, "all read", 8);
    tu_log("unread bytes held: %llu of %u sent",
           (unsigned long long)unread_seen, NMSG * MSG);
    CHECK(unread_seen >= 64 * 1024);
    CHECK(unread_seen <= 64 * 1024 + MSG);
    secip_client_free(c);
    secip_server_free(srv);
}

int main(void)
{
    nt_pki_make(&pki);
    check_defaults();
    check_session_limits();
    check_send_cap();
    check_recv_cap();
    nt_pki_free(&pki);
    tu_log("ok");
    return 0;
}
