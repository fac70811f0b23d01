/*
 * bench/platform/platform_peer.c -- one echo run through the platform layer.
 *
 * Two loops, each on its own thread:
 *  - server loop: accepts one connection and echoes it.  It keeps a ring of
 *    ECHO_RING buffers so that a read into one buffer overlaps the write of
 *    the others, and writes every filled buffer in one gather write.
 *  - client loop: connects, streams the pattern with gather writes of
 *    cfg->iovs chunks, and at the same time reads the echo into one buffer
 *    of cfg->buf bytes, checksumming it.
 * Both the server and the client count and checksum what they receive; the
 * run fails unless both match the stream.  The calling thread only sets up,
 * waits (bounded) and tears down.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "echo_common.h"
#include "platform.h"

#define ECHO_RING 4

typedef struct run {
    const echo_cfg *cfg;
    spl_mutex *mu;
    spl_cond *cv;
    /* Guarded by mu. */
    int err;
    char why[192];
    int listening;
    int stopped; /* loops whose spl_loop_run() returned */

    /* Server: touched on the server loop thread (and by main after join). */
    spl_loop *sloop;
    spl_thread *sthread;
    spl_tcp *listener;
    spl_tcp *sconn;
    int s_open;    /* handles not yet closed */
    int s_closing; /* close of everything started */
    uint16_t port;
    uint8_t *ring[ECHO_RING];
    size_t ring_len[ECHO_RING];
    unsigned head;   /* oldest filled buffer */
    unsigned filled; /* filled buffers, from head on */
    unsigned inflight_w;
    int reading;
    int eof;
    echo_sum ssum;

    /* Client: touched on the client loop thread (and by main after join). */
    spl_loop *cloop;
    spl_thread *cthread;
    spl_tcp *cconn;
    int c_state; /* 0 idle, 1 connecting, 2 open, 3 closing/closed */
    int c_abort;
    uint64_t wpos;
    size_t wlen; /* bytes of the write in flight */
    uint64_t rcount;
    uint8_t *rbuf;
    echo_sum csum;
    uint64_t t0, t1;
} run;

/* Lets gcc and clang check fail()'s format strings. */
#if defined(__GNUC__)
#define BENCH_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define BENCH_PRINTF(a, b)
#endif

/* Records the first failure (one line); main reports it. */
static void fail(run *r, const char *fmt, ...) BENCH_PRINTF(2, 3);

static void fail(run *r, const char *fmt, ...)
{
    va_list ap;

    spl_mutex_lock(r->mu);
    if (r->err == 0) {
        r->err = 1;
        va_start(ap, fmt);
        vsnprintf(r->why, sizeof(r->why), fmt, ap);
        va_end(ap);
    }
    spl_cond_broadcast(r->cv);
    spl_mutex_unlock(r->mu);
}

static void loop_thread_common(run *r, spl_loop *loop)
{
    int rc = spl_loop_run(loop);

    if (rc < 0)
        fail(r, "spl_loop_run: %s", secip_strerror(rc));
    spl_mutex_lock(r->mu);
    r->stopped++;
    spl_cond_broadcast(r->cv);
    spl_mutex_unlock(r->mu);
}

static void server_thread(void *arg)
{
    run *r = arg;
    loop_thread_common(r, r->sloop);
}

static void client_thread(void *arg)
{
    run *r = arg;
    loop_thread_common(r, r->cloop);
}

/* ---- server: accept one connection, echo it ---------------------------- */

static void server_kick(run *r);

static void server_handle_closed(spl_tcp *h, void *arg)
{
    run *r = arg;

    (void)h;
    if (--r->s_open == 0)
        spl_loop_stop(r->sloop);
}

/* Closes whatever the server still has open; the loop stops after the last
 * close callback.  Idempotent. */
static void server_close_all(run *r)
{
    if (r->s_closing)
        return;
    r->s_closing = 1;
    if (r->listener != NULL)
        spl_tcp_close(r->listener, server_handle_closed, r);
    if (r->sconn != NULL)
        spl_tcp_close(r->sconn, server_handle_closed, r);
    if (r->s_open == 0)
        spl_loop_stop(r->sloop);
}

static void server_abort(void *arg)
{
    server_close_all(arg);
}

static void server_read_done(spl_tcp *h, void *arg, ptrdiff_t n)
{
    run *r = arg;
    unsigned slot = (r->head + r->filled) % ECHO_RING;

    (void)h;
    r->reading = 0;
    if (r->s_closing)
        return;
    if (n < 0) {
        fail(r, "server read: %s", secip_strerror((int)n));
        server_close_all(r);
        return;
    }
    if (n == 0) {
        r->eof = 1;
    } else {
        echo_sum_add(&r->ssum, r->ring[slot], (size_t)n);
        r->ring_len[slot] = (size_t)n;
        r->filled++;
    }
    server_kick(r);
}

static void server_write_done(spl_tcp *h, void *arg, ptrdiff_t n)
{
    run *r = arg;

    (void)h;
    if (r->s_closing)
        return;
    if (n < 0) {
        fail(r, "server write: %s", secip_strerror((int)n));
        server_close_all(r);
        return;
    }
    r->head = (r->head + r->inflight_w) % ECHO_RING;
    r->filled -= r->inflight_w;
    r->inflight_w = 0;
    server_kick(r);
}

/* Starts whatever can run: a read into a free buffer, a gather write of the
 * filled ones; closes once the client's end of stream is fully echoed. */
static void server_kick(run *r)
{
    spl_iov iov[ECHO_RING];
    unsigned i;
    int rc;

    if (!r->reading && !r->eof && r->filled < ECHO_RING) {
        unsigned slot = (r->head + r->filled) % ECHO_RING;
        rc = spl_tcp_read(r->sconn, r->ring[slot], r->cfg->buf,
                          server_read_done, r);
        if (rc < 0) {
            fail(r, "server read: %s", secip_last_error());
            server_close_all(r);
            return;
        }
        r->reading = 1;
    }
    if (r->inflight_w == 0 && r->filled > 0) {
        for (i = 0; i < r->filled; i++) {
            unsigned slot = (r->head + i) % ECHO_RING;
            iov[i].base = r->ring[slot];
            iov[i].len = r->ring_len[slot];
        }
        rc = spl_tcp_write(r->sconn, iov, (int)r->filled, server_write_done, r);
        if (rc < 0) {
            fail(r, "server write: %s", secip_last_error());
            server_close_all(r);
            return;
        }
        r->inflight_w = r->filled;
    }
    if (r->eof && r->filled == 0 && r->inflight_w == 0)
        server_close_all(r);
}

static void server_accepted(void *arg, int status, spl_tcp *conn)
{
    run *r = arg;

    if (status < 0) {
        if (!r->s_closing)
            fail(r, "accept: %s", secip_strerror(status));
        server_close_all(r);
        return;
    }
    if (r->s_closing) { /* aborted meanwhile: the connection is not wanted */
        r->s_open++;
        spl_tcp_close(conn, server_handle_closed, r);
        return;
    }
    r->sconn = conn;
    r->s_open++;
    /* One connection per run: the listener is no longer needed. */
    spl_tcp_close(r->listener, server_handle_closed, r);
    r->listener = NULL;
    server_kick(r);
}

static void server_start(void *arg)
{
    run *r = arg;
    int rc = spl_tcp_listen(r->sloop, "127.0.0.1", 0, 1, &r->listener);

    if (rc < 0) {
        fail(r, "listen: %s", secip_last_error());
        server_close_all(r);
        return;
    }
    r->s_open++;
    r->port = spl_tcp_local_port(r->listener);
    rc = spl_tcp_accept(r->listener, NULL, server_accepted, r);
    if (rc < 0) {
        fail(r, "accept: %s", secip_last_error());
        server_close_all(r);
        return;
    }
    spl_mutex_lock(r->mu);
    r->listening = 1;
    spl_cond_broadcast(r->cv);
    spl_mutex_unlock(r->mu);
}

/* ---- client: stream the pattern, check the echo ------------------------ */

static void client_closed(spl_tcp *h, void *arg)
{
    run *r = arg;

    (void)h;
    spl_loop_stop(r->cloop);
}

static void client_close(run *r)
{
    if (r->c_state == 2) {
        r->c_state = 3;
        spl_tcp_close(r->cconn, client_closed, r);
    } else if (r->c_state == 0) {
        r->c_state = 3;
        spl_loop_stop(r->cloop);
    }
    /* connecting: the connect callback sees c_abort and closes. */
}

static void client_abort(void *arg)
{
    run *r = arg;

    r->c_abort = 1;
    client_close(r);
}

static void client_write_done(spl_tcp *h, void *arg, ptrdiff_t n);

static void client_write_next(run *r)
{
    spl_iov iov[SPL_IOV_MAX];
    uint64_t pos = r->wpos;
    int i, rc;

    for (i = 0; i < r->cfg->iovs; i++) {
        const uint8_t *p;
        size_t len = echo_chunk(pos, r->cfg->total, r->cfg->buf, &p);
        if (len == 0)
            break;
        iov[i].base = p;
        iov[i].len = len;
        pos += len;
    }
    r->wlen = (size_t)(pos - r->wpos);
    rc = spl_tcp_write(r->cconn, iov, i, client_write_done, r);
    if (rc < 0) {
        fail(r, "client write: %s", secip_last_error());
        client_close(r);
    }
}

static void client_write_done(spl_tcp *h, void *arg, ptrdiff_t n)
{
    run *r = arg;
    int rc;

    if (r->c_state != 2)
        return;
    if (n < 0 || (size_t)n != r->wlen) {
        fail(r, "client write: %s (%lld of %llu bytes)",
             n < 0 ? secip_strerror((int)n) : "short", (long long)n,
             (unsigned long long)r->wlen);
        client_close(r);
        return;
    }
    r->wpos += (uint64_t)n;
    if (r->wpos < r->cfg->total) {
        client_write_next(r);
        return;
    }
    rc = spl_tcp_shutdown(h); /* the server echoes, then closes */
    if (rc < 0) {
        fail(r, "client shutdown: %s", secip_last_error());
        client_close(r);
    }
}

static void client_read_done(spl_tcp *h, void *arg, ptrdiff_t n)
{
    run *r = arg;
    int rc;

    if (r->c_state != 2)
        return;
    if (n < 0) {
        fail(r, "client read: %s", secip_strerror((int)n));
        client_close(r);
        return;
    }
    if (n == 0) {
        if (r->rcount != r->cfg->total)
            fail(r, "echo ended after %llu of %llu bytes",
                 (unsigned long long)r->rcount,
                 (unsigned long long)r->cfg->total);
        client_close(r);
        return;
    }
    echo_sum_add(&r->csum, r->rbuf, (size_t)n);
    r->rcount += (uint64_t)n;
    if (r->rcount >= r->cfg->total) {
        if (r->rcount > r->cfg->total) {
            fail(r, "echo returned %llu bytes, %llu sent",
                 (unsigned long long)r->rcount,
                 (unsigned long long)r->cfg->total);
            client_close(r);
            return;
        }
        r->t1 = spl_clock_ns();
    }
    rc = spl_tcp_read(h, r->rbuf, r->cfg->buf, client_read_done, r);
    if (rc < 0) {
        fail(r, "client read: %s", secip_last_error());
        client_close(r);
    }
}

static void client_connected(void *arg, int status, spl_tcp *conn)
{
    run *r = arg;
    int rc;

    if (status < 0) {
        fail(r, "connect: %s", secip_strerror(status));
        r->c_state = 0;
        client_close(r);
        return;
    }
    r->cconn = conn;
    r->c_state = 2;
    if (r->c_abort) {
        client_close(r);
        return;
    }
    r->t0 = spl_clock_ns();
    rc = spl_tcp_read(conn, r->rbuf, r->cfg->buf, client_read_done, r);
    if (rc < 0) {
        fail(r, "client read: %s", secip_last_error());
        client_close(r);
        return;
    }
    client_write_next(r);
}

static void client_start(void *arg)
{
    run *r = arg;
    int rc;

    if (r->c_abort)
        return;
    rc = spl_tcp_connect(r->cloop, "127.0.0.1", r->port, 5000, client_connected,
                         r);
    if (rc < 0) {
        fail(r, "connect: %s", secip_last_error());
        client_close(r);
        return;
    }
    r->c_state = 1;
}

/* ---- the run ----------------------------------------------------------- */

/* Waits until cond(r) holds, or a failure was recorded, or the deadline
 * passed.  Returns 1 if cond holds.  Called with mu held. */
static int wait_locked(run *r, int (*cond)(const run *), uint64_t deadline)
{
    while (!cond(r) && r->err == 0) {
        uint64_t now = spl_clock_ms();
        if (now >= deadline)
            return 0;
        (void)spl_cond_timedwait(r->cv, r->mu, deadline - now);
    }
    return cond(r);
}

static int is_listening(const run *r)
{
    return r->listening;
}

/* Waits for both loops to stop; on the first failure asks both sides to
 * close what they have, so that the loops stop soon after.  Returns -1 if
 * the deadline passed first. */
static int wait_stopped(run *r, uint64_t deadline)
{
    int aborted = 0;

    spl_mutex_lock(r->mu);
    while (r->stopped < 2) {
        uint64_t now = spl_clock_ms();
        if (r->err != 0 && !aborted) {
            aborted = 1;
            spl_mutex_unlock(r->mu);
            (void)spl_loop_post(r->sloop, server_abort, r);
            (void)spl_loop_post(r->cloop, client_abort, r);
            spl_mutex_lock(r->mu);
            continue;
        }
        if (now >= deadline) {
            spl_mutex_unlock(r->mu);
            return -1;
        }
        (void)spl_cond_timedwait(r->cv, r->mu, deadline - now);
    }
    spl_mutex_unlock(r->mu);
    return 0;
}

static int setup(run *r, const echo_cfg *cfg)
{
    int i;

    memset(r, 0, sizeof(*r));
    r->cfg = cfg;
    echo_sum_init(&r->ssum);
    echo_sum_init(&r->csum);
    if (spl_mutex_new(&r->mu) < 0 || spl_cond_new(&r->cv) < 0 ||
        spl_loop_new(&r->sloop) < 0 || spl_loop_new(&r->cloop) < 0)
        return -1;
    r->rbuf = malloc(cfg->buf);
    if (r->rbuf == NULL)
        return -1;
    for (i = 0; i < ECHO_RING; i++) {
        r->ring[i] = malloc(cfg->buf);
        if (r->ring[i] == NULL)
            return -1;
    }
    return 0;
}

static void teardown(run *r)
{
    int i;

    spl_loop_free(r->sloop);
    spl_loop_free(r->cloop);
    spl_cond_free(r->cv);
    spl_mutex_free(r->mu);
    free(r->rbuf);
    for (i = 0; i < ECHO_RING; i++)
        free(r->ring[i]);
}

static int verify(run *r, echo_result *res)
{
    uint64_t want = r->cfg->expected;

    if (r->err != 0) {
        snprintf(res->why, sizeof(res->why), "platform echo: %s", r->why);
        return -1;
    }
    if (r->rcount != r->cfg->total || echo_sum_final(&r->csum) != want ||
        r->ssum.count != r->cfg->total || echo_sum_final(&r->ssum) != want) {
        snprintf(res->why, sizeof(res->why),
                 "platform echo: data mismatch (server got %llu bytes, "
                 "client got %llu, checksums %s/%s)",
                 (unsigned long long)r->ssum.count,
                 (unsigned long long)r->rcount,
                 echo_sum_final(&r->ssum) == want ? "ok" : "BAD",
                 echo_sum_final(&r->csum) == want ? "ok" : "BAD");
        return -1;
    }
    res->seconds = (double)(r->t1 - r->t0) / 1e9;
    return 0;
}

int platform_echo_run(const echo_cfg *cfg, echo_result *res)
{
    static run r; /* static: a failed run exits the process, see below */
    uint64_t deadline = spl_clock_ms() + cfg->timeout_ms;
    int ok;

    memset(res, 0, sizeof(*res));
    if (setup(&r, cfg) < 0) {
        snprintf(res->why, sizeof(res->why), "platform echo setup: %s",
                 secip_last_error());
        return -1;
    }
    if (spl_thread_create(&r.sthread, server_thread, &r) < 0 ||
        spl_thread_create(&r.cthread, client_thread, &r) < 0 ||
        spl_loop_post(r.sloop, server_start, &r) < 0) {
        snprintf(res->why, sizeof(res->why), "platform echo start: %s",
                 secip_last_error());
        return -1; /* threads may run: the caller exits */
    }
    spl_mutex_lock(r.mu);
    ok = wait_locked(&r, is_listening, deadline);
    spl_mutex_unlock(r.mu);
    if (ok)
        (void)spl_loop_post(r.cloop, client_start, &r);
    else
        (void)spl_loop_post(r.cloop, client_abort, &r);
    if (wait_stopped(&r, deadline) < 0) {
        /* Loops still running with handles open: nothing can be freed
         * safely, and the caller exits after printing the reason. */
        snprintf(res->why, sizeof(res->why),
                 "platform echo: no result within %u ms (%s)", cfg->timeout_ms,
                 r.err ? r.why : "stalled");
        return -1;
    }
    spl_thread_join(r.sthread);
    spl_thread_join(r.cthread);
    ok = verify(&r, res);
    teardown(&r);
    return ok;
}
