/*
 * tests/net/test_net_many.c -- 1,000 concurrent sessions on one callback
 * server, opened from 4 threads, each exchanging messages while all are
 * open; plus foreign-thread back-pressure on one session.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net_util.h"
#include "platform.h"
#include "testutil.h"

#define SESSIONS 1000
#define THREADS  4
#define PER      (SESSIONS / THREADS)
#define ROUNDS   3

static nt_pki pki;
static uint16_t port;
static secip_client *clients[SESSIONS];
static secip_session *sessions[SESSIONS];
static spl_atomic open_now;

static void cb_message(secip_session *s, secip_message *m, void *ud)
{
    size_t len;
    const void *d = secip_message_data(m, &len);
    (void)ud;
    /* The peer may already be gone when the test ends. */
    (void)secip_session_send_bytes(s, d, len);
    secip_message_free(m);
}

static void cb_open(secip_session *s, void *ud)
{
    (void)s;
    (void)ud;
    spl_atomic_add(&open_now, 1);
}

static void cb_close(secip_session *s, int st, void *ud)
{
    (void)s;
    (void)st;
    (void)ud;
    spl_atomic_add(&open_now, -1);
}

typedef struct job {
    int first;
    spl_atomic *stage;
} job;

static void connect_range(void *arg)
{
    job *j = arg;
    for (int i = j->first; i < j->first + PER; i++) {
        CHECK_OK(secip_client_new(&clients[i]));
        CHECK_OK(secip_client_connect(clients[i], "127.0.0.1", port, 30000,
                                      &sessions[i]));
    }
}

static void exchange_range(void *arg)
{
    job *j = arg;
    char msg[64];
    for (int r = 0; r < ROUNDS; r++) {
        for (int i = j->first; i < j->first + PER; i++) {
            snprintf(msg, sizeof msg, "session %d round %d", i, r);
            CHECK_OK(secip_session_send_bytes(sessions[i], msg, strlen(msg)));
        }
        for (int i = j->first; i < j->first + PER; i++) {
            snprintf(msg, sizeof msg, "session %d round %d", i, r);
            nt_expect(sessions[i], SECIP_BYTES, msg, strlen(msg));
        }
    }
}

static void run_threads(spl_thread_fn fn)
{
    spl_thread *t[THREADS];
    job jobs[THREADS];
    for (int i = 0; i < THREADS; i++) {
        jobs[i].first = i * PER;
        CHECK_OK(spl_thread_create(&t[i], fn, &jobs[i]));
    }
    for (int i = 0; i < THREADS; i++)
        spl_thread_join(t[i]);
}

/* A foreign thread sending far more than the high-water mark waits
 * instead of queueing without bound, and everything still arrives. */
static void test_backpressure(void)
{
    secip_session_options o;
    secip_client *c;
    secip_session *s;
    uint8_t chunk[4096];
    secip_session_stats st;

    secip_session_options_init(&o);
    o.send_high_water = 16 * 1024;
    CHECK_OK(secip_client_new(&c));
    CHECK_OK(secip_client_set_options(c, &o));
    CHECK_OK(secip_client_connect(c, "127.0.0.1", port, 10000, &s));
    tu_fill(3, 0, chunk, sizeof chunk);
    for (int i = 0; i < 2000; i++) /* 8 MiB, the echo comes back */
        CHECK_OK(secip_session_send_bytes(s, chunk, sizeof chunk));
    for (int i = 0; i < 2000; i++)
        nt_expect(s, SECIP_BYTES, chunk, sizeof chunk);
    secip_session_stats_get(s, &st);
    CHECK(st.messages_out == 2000 && st.messages_in == 2000);
    secip_client_free(c);
}

int main(void)
{
    secip_server_callbacks cbs = {cb_open, cb_message, cb_close};
    secip_server *srv;
    secip_server_limits lim;
    uint64_t t0;

    nt_pki_make(&pki);
    CHECK_OK(secip_server_new(pki.srv_key, &srv));
    CHECK_OK(secip_server_set_certificate(srv, pki.srv_cert));
    /* Every client comes from 127.0.0.1: lift the per-address limit. */
    secip_server_limits_init(&lim);
    lim.max_sessions_per_address = SESSIONS;
    CHECK_OK(secip_server_set_limits(srv, &lim));
    CHECK_OK(secip_server_set_callbacks(srv, &cbs, NULL));
    CHECK_OK(secip_server_start(srv, "127.0.0.1", 0));
    port = secip_server_port(srv);

    t0 = spl_clock_ms();
    run_threads(connect_range);
    tu_log("%d sessions open in %llu ms", SESSIONS,
           (unsigned long long)(spl_clock_ms() - t0));
    /* The server's side of a full handshake ends after the client's (its
     * Finished must first be written), so on_open may still be coming. */
    for (int i = 0; i < 500 && spl_atomic_load(&open_now) < SESSIONS; i++)
        spl_sleep_ms(10);
    CHECK(spl_atomic_load(&open_now) == SESSIONS);
    t0 = spl_clock_ms();
    run_threads(exchange_range);
    tu_log("%d messages echoed in %llu ms", SESSIONS * ROUNDS,
           (unsigned long long)(spl_clock_ms() - t0));
    CHECK(spl_atomic_load(&open_now) == SESSIONS);
    for (int i = 0; i < SESSIONS; i++)
        secip_client_free(clients[i]);
    for (int i = 0; i < 500 && spl_atomic_load(&open_now) > 0; i++)
        spl_sleep_ms(10);
    CHECK(spl_atomic_load(&open_now) == 0);

    test_backpressure();
    secip_server_free(srv);
    nt_pki_free(&pki);
    tu_log("ok");
    return 0;
}
