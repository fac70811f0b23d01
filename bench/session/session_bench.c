/*
 * bench/session/session_bench.c -- secip's side of the benchmarks (issue 8):
 * bulk, 64-byte message rate, request/response latency, handshakes and idle
 * session memory, over the public session API only.  The process harness
 * (fork, server CPU and RSS) is bench/peers/harness.c.
 *
 * The server uses event callbacks (no thread per session); the client is
 * the blocking client API, except for latency, which is measured both ways:
 * "secip" with client callbacks (each echo answered on the loop thread, as
 * an event-driven program would) and "secip_blocking" with
 * send + secip_session_receive from the caller's thread.  Every receiver
 * checksums what it got and returns count + checksum, which the sender compares
 * before printing.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "secip/client.h"
#include "secip/server.h"

static const bh_opts *opt;
static int is_lat, is_bulk; /* workload, decoded once (not per message) */

/* Per-session receive state, kept in the session's user data. */
typedef struct rx {
    uint64_t sum; /* sum of the per-message checksums (see msg_hash) */
    uint64_t bytes, msgs;
} rx;

/*
 * secip delivers messages in the order they complete (docs/PROTOCOL.md,
 * "Delivery order"): a message fragmented across frames -- every large
 * message sent before the peer's HELLO announced its frame size -- can be
 * overtaken by a later one.  So both ends check the multiset of messages:
 * their count and the sum of one checksum per message, which any corrupted,
 * lost or duplicated message changes.
 */
static uint64_t msg_hash(const void *p, size_t len)
{
    bh_ck c;
    bh_ck_init(&c);
    bh_ck_update(&c, p, len);
    return bh_ck_final(&c);
}

static void on_open(secip_session *s, void *ud)
{
    rx *r = calloc(1, sizeof(*r));
    (void)ud;
    secip_session_set_user_data(s, r);
    bh_counter_add(1);
}

static void reply_sum(secip_session *s, rx *r)
{
    uint64_t out[2] = {r->msgs, r->sum};
    if (secip_session_send_bytes(s, out, sizeof(out)) != 0)
        fprintf(stderr, "server: reply failed\n");
}

static void on_message(secip_session *s, secip_message *m, void *ud)
{
    rx *r = secip_session_user_data(s);
    size_t len = 0;
    const void *d = secip_message_data(m, &len);
    (void)ud;
    if (r == NULL) {
        secip_message_free(m);
        return;
    }
    if (is_lat) {
        if (secip_session_send_bytes(s, d, len) != 0)
            fprintf(stderr, "server: echo failed\n");
    } else {
        r->sum += msg_hash(d, len);
        r->bytes += len;
        r->msgs++;
        if ((is_bulk && r->bytes == opt->mib << 20) ||
            (!is_bulk && r->msgs == opt->count))
            reply_sum(s, r);
    }
    secip_message_free(m);
}

static void on_close(secip_session *s, int status, void *ud)
{
    (void)status;
    (void)ud;
    free(secip_session_user_data(s));
    secip_session_set_user_data(s, NULL);
}

static secip_key *key;
static secip_cert *cert;

static void load_identity(void)
{
    if (secip_key_load_file(opt->key, &key) != 0 ||
        secip_cert_load_file(opt->cert, &cert) != 0)
        bh_die("cannot load %s / %s: %s", opt->key, opt->cert,
               secip_last_error());
}

static int serve(const bh_opts *o)
{
    secip_server *srv = NULL;
    secip_server_callbacks cbs = {on_open, on_message, on_close};
    opt = o;
    is_lat = !strcmp(o->workload, "lat");
    is_bulk = !strcmp(o->workload, "bulk");
    load_identity();
    /* Every client of the benchmark comes from 127.0.0.1: the per-address
     * limit (64 by default) would refuse the idle workload's sessions. */
    secip_server_limits lim;
    secip_server_limits_init(&lim);
    lim.max_sessions = 1000000;
    lim.max_sessions_per_address = 1000000;
    if (secip_server_new(key, &srv) || secip_server_set_limits(srv, &lim) ||
        secip_server_set_certificate(srv, cert) ||
        secip_server_set_callbacks(srv, &cbs, NULL) ||
        secip_server_start(srv, "127.0.0.1", 0))
        bh_die("server: %s", secip_last_error());
    return secip_server_port(srv);
}

static secip_session *connect_one(secip_client *c, int port)
{
    secip_session *s = NULL;
    if (secip_client_connect(c, "127.0.0.1", (uint16_t)port, 30000, &s))
        bh_die("connect: %s", secip_last_error());
    return s;
}

static secip_message *recv_one(secip_session *s, size_t want)
{
    secip_message *m = NULL;
    size_t len = 0;
    if (secip_session_receive(s, &m, 60000) != 0)
        bh_die("receive: %s", secip_last_error());
    secip_message_data(m, &len);
    if (len != want)
        bh_die("unexpected reply of %zu bytes", len);
    return m;
}

/* Compare the server's (count, checksum) with ours. */
static void check_sum(secip_session *s, uint64_t msgs, uint64_t sum)
{
    uint64_t got[2];
    size_t len;
    secip_message *m = recv_one(s, sizeof(got));
    memcpy(got, secip_message_data(m, &len), sizeof(got));
    secip_message_free(m);
    if (got[0] != msgs || got[1] != sum)
        bh_die("verification failed: server got %llu msgs (sum %016llx), "
               "client sent %llu (sum %016llx)",
               (unsigned long long)got[0], (unsigned long long)got[1],
               (unsigned long long)msgs, (unsigned long long)sum);
}

static void run_bulk(int port)
{
    secip_client *c = NULL;
    uint64_t total = opt->mib << 20, sent = 0, msgs = 0, sum = 0;
    unsigned char *buf = malloc(opt->chunk + 4096);
    if (buf == NULL || secip_client_new(&c))
        bh_die("setup");
    bh_fill(buf, opt->chunk + 4096, 1);
    secip_session *s = connect_one(c, port);
    bh_bulk span;
    bh_bulk_begin(&span);
    while (sent < total) {
        size_t n =
            total - sent < opt->chunk ? (size_t)(total - sent) : opt->chunk;
        const unsigned char *p = buf + (msgs % 512) * 8;
        if (secip_session_send_bytes(s, p, n))
            bh_die("send: %s", secip_last_error());
        sum += msg_hash(p, n);
        sent += n;
        msgs++;
    }
    check_sum(s, msgs, sum);
    bh_bulk_end(&span, "secip", opt->mib);
    secip_client_free(c);
    free(buf);
}

static void run_msg(int port)
{
    secip_client *c = NULL;
    unsigned char *buf = malloc(opt->msg_size + 4096);
    uint64_t sum = 0;
    if (buf == NULL || secip_client_new(&c))
        bh_die("setup");
    bh_fill(buf, opt->msg_size + 4096, 2);
    secip_session *s = connect_one(c, port);
    double t0 = bh_now();
    for (uint64_t i = 0; i < opt->count; i++) {
        const unsigned char *p = buf + (i % 4096);
        if (secip_session_send_bytes(s, p, opt->msg_size))
            bh_die("send: %s", secip_last_error());
        sum += msg_hash(p, opt->msg_size);
    }
    check_sum(s, opt->count, sum);
    double dt = bh_now() - t0;
    bh_result("msg_per_s", "secip", (double)opt->count / dt);
    secip_client_free(c);
    free(buf);
}

static void report_latency(const char *impl, double *us, uint64_t n)
{
    qsort(us, n, sizeof(double), bh_cmp_double);
    bh_result("lat_p50_us", impl, us[n / 2]);
    bh_result("lat_p99_us", impl, us[(n * 99) / 100]);
}

static void run_lat_blocking(int port)
{
    secip_client *c = NULL;
    unsigned char buf[65536];
    double *us = malloc(opt->count * sizeof(double));
    if (us == NULL || secip_client_new(&c))
        bh_die("setup");
    secip_session *s = connect_one(c, port);
    for (uint64_t i = 0; i < opt->count; i++) {
        size_t len;
        bh_fill(buf, opt->msg_size, i);
        double t0 = bh_now();
        if (secip_session_send_bytes(s, buf, opt->msg_size))
            bh_die("send: %s", secip_last_error());
        secip_message *m = recv_one(s, opt->msg_size);
        us[i] = (bh_now() - t0) * 1e6;
        if (memcmp(secip_message_data(m, &len), buf, opt->msg_size))
            bh_die("echo mismatch");
        secip_message_free(m);
    }
    report_latency("secip_blocking", us, opt->count);
    secip_client_free(c);
    free(us);
}

/* Event style: the loop thread times each echo and sends the next
 * request from the callback; the main thread only waits for the end. */
typedef struct lat_run {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint64_t i;
    int done;
    double t0, *us;
    unsigned char buf[65536];
} lat_run;

static void lat_send(secip_session *s, lat_run *L)
{
    bh_fill(L->buf, opt->msg_size, L->i);
    L->t0 = bh_now();
    if (secip_session_send_bytes(s, L->buf, opt->msg_size))
        bh_die("send: %s", secip_last_error());
}

static void lat_on_message(secip_session *s, secip_message *m, void *ud)
{
    lat_run *L = ud;
    double now = bh_now();
    size_t len = 0;
    const void *d = secip_message_data(m, &len);
    if (len != opt->msg_size || memcmp(d, L->buf, len) != 0)
        bh_die("echo mismatch");
    secip_message_free(m);
    L->us[L->i] = (now - L->t0) * 1e6;
    if (++L->i < opt->count) {
        lat_send(s, L);
        return;
    }
    pthread_mutex_lock(&L->mu);
    L->done = 1;
    pthread_cond_signal(&L->cv);
    pthread_mutex_unlock(&L->mu);
}

static void run_lat_events(int port)
{
    secip_client_callbacks cbs = {lat_on_message, NULL};
    secip_client *c = NULL;
    lat_run *L = calloc(1, sizeof *L);
    if (L == NULL || (L->us = malloc(opt->count * sizeof(double))) == NULL ||
        secip_client_new(&c) || secip_client_set_callbacks(c, &cbs, L))
        bh_die("setup");
    pthread_mutex_init(&L->mu, NULL);
    pthread_cond_init(&L->cv, NULL);
    secip_session *s = connect_one(c, port);
    lat_send(s, L);
    pthread_mutex_lock(&L->mu);
    while (!L->done)
        pthread_cond_wait(&L->cv, &L->mu);
    pthread_mutex_unlock(&L->mu);
    report_latency("secip", L->us, opt->count);
    secip_client_free(c);
    pthread_cond_destroy(&L->cv);
    pthread_mutex_destroy(&L->mu);
    free(L->us);
    free(L);
}

static void run_lat(int port)
{
    run_lat_events(port);
    run_lat_blocking(port);
}

/* n connections; fresh client each time (full) or one client (resumed). */
static double handshakes(int port, uint64_t n, int resumed, long *opened)
{
    secip_client *c = NULL;
    double cpu0, cpu1;
    secip_session_stats st;
    if (resumed) {
        if (secip_client_new(&c))
            bh_die("setup");
        secip_session_close(connect_one(c, port)); /* prime the ticket */
    }
    if (bh_ctl_snapshot(&cpu0, NULL, NULL))
        bh_die("ctl");
    for (uint64_t i = 0; i < n; i++) {
        if (!resumed && secip_client_new(&c))
            bh_die("setup");
        secip_session *s = connect_one(c, port);
        secip_session_stats_get(s, &st);
        if (st.resumed != resumed)
            bh_die("resumed=%d, expected %d", st.resumed, resumed);
        secip_session_close(s);
        if (!resumed)
            secip_client_free(c);
    }
    if (bh_ctl_snapshot(&cpu1, NULL, opened))
        bh_die("ctl");
    if (resumed)
        secip_client_free(c);
    return (double)n / (cpu1 - cpu0);
}

static void run_hs(int port)
{
    long k0 = 0, k = 0, want = 2 * (long)opt->count + 1;
    secip_client *keeper = NULL;
    /* Keeps the process-wide client loop threads alive: otherwise freeing
     * each full-handshake client would stop and restart them. */
    if (secip_client_new(&keeper))
        bh_die("setup");
    bh_ctl_snapshot(NULL, NULL, &k0);
    double full = handshakes(port, opt->count, 0, &k);
    double res = handshakes(port, opt->count, 1, &k);
    /* on_open may run just after the client's connect returned */
    for (int tries = 0; tries < 2000 && k - k0 < want; tries++)
        bh_ctl_snapshot(NULL, NULL, &k);
    if (k - k0 != want)
        bh_die("server counted %ld of %ld sessions", k - k0, want);
    bh_result("hs_full_per_cpu_s", "secip", full);
    bh_result("hs_resumed_per_cpu_s", "secip", res);
    secip_client_free(keeper);
}

static void run_idle(int port)
{
    uint64_t n = opt->sessions;
    secip_client **cs = calloc(n, sizeof(*cs));
    long rss0, rss1 = 0, k = 0, heap0 = 0;
    if (cs == NULL || bh_ctl_snapshot(NULL, &rss0, NULL) ||
        ((heap0 = bh_last_heap) < 0))
        bh_die("setup");
    double t0 = bh_now();
    for (uint64_t i = 0; i < n; i++) {
        if (secip_client_new(&cs[i]))
            bh_die("setup");
        connect_one(cs[i], port);
    }
    double dt = bh_now() - t0;
    for (int tries = 0; tries < 1000 && k < (long)n; tries++)
        bh_ctl_snapshot(NULL, &rss1, &k);
    if (k != (long)n)
        bh_die("server has %ld of %llu sessions", k, (unsigned long long)n);
    bh_result("idle_KiB_per_session", "secip",
              (double)(rss1 - rss0) / (double)n / 1024.0);
    bh_result("idle_heap_KiB_per_session", "secip",
              (double)(bh_last_heap - heap0) / (double)n / 1024.0);
    bh_result("idle_open_all_s", "secip", dt);
    for (uint64_t i = 0; i < n; i++)
        secip_client_free(cs[i]);
    free(cs);
}

int main(int argc, char **argv)
{
    bh_opts o;
    bh_parse(&o, argc, argv);
    opt = &o;
    int port = bh_spawn(&o, serve);
    if (!strcmp(o.workload, "bulk"))
        run_bulk(port);
    else if (!strcmp(o.workload, "msg"))
        run_msg(port);
    else if (!strcmp(o.workload, "lat"))
        run_lat(port);
    else if (!strcmp(o.workload, "hs"))
        run_hs(port);
    else if (!strcmp(o.workload, "idle"))
        run_idle(port);
    else
        bh_die("unknown workload %s", o.workload);
    return bh_ctl_quit() == 0 ? 0 : 1;
}
