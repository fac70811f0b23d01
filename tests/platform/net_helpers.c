/*
 * tests/platform/net_helpers.c -- see net_helpers.h.
 */
#include "net_helpers.h"

#include <stdlib.h>
#include <string.h>

/* ---- bounded runs ------------------------------------------------------ */

struct watchdog {
    spl_loop *loop;
    int fired;
};

static void watchdog_cb(spl_timer *t, void *arg)
{
    struct watchdog *w = arg;
    (void)t;
    w->fired = 1;
    spl_loop_stop(w->loop);
}

static int run_bounded(spl_loop *loop, uint32_t timeout_ms, int quiet)
{
    struct watchdog w;
    spl_timer *t = NULL;
    int rc;

    w.loop = loop;
    w.fired = 0;
    CHECK_OK(spl_timer_new(loop, &t));
    CHECK_OK(spl_timer_start(t, timeout_ms, 0, watchdog_cb, &w));
    rc = spl_loop_run(loop);
    spl_timer_free(t);
    CHECK_OK(rc);
    if (w.fired) {
        if (!quiet)
            tu_log("watchdog: the loop did not finish within %u ms",
                   (unsigned)timeout_ms);
        return SECIP_ETIMEDOUT;
    }
    return 0;
}

int nh_run(spl_loop *loop, uint32_t timeout_ms)
{
    return run_bounded(loop, timeout_ms, 0);
}

void nh_settle(spl_loop *loop, uint32_t ms)
{
    CHECK(run_bounded(loop, ms, 1) == SECIP_ETIMEDOUT);
}

void nh_count_hit(nh_count *c)
{
    CHECK(c->left > 0);
    if (--c->left == 0)
        spl_loop_stop(c->loop);
}

void nh_on_close(spl_tcp *h, void *arg)
{
    (void)h;
    nh_count_hit(arg);
}

uint64_t nh_elapsed_ms(uint64_t start_ms)
{
    return spl_clock_ms() - start_ms;
}

/* ---- a loop on its own thread ------------------------------------------ */

static void tloop_main(void *arg)
{
    nh_tloop *tl = arg;
    tl->rc = spl_loop_run(tl->loop);
}

void nh_tloop_init(nh_tloop *tl)
{
    memset(tl, 0, sizeof(*tl));
    CHECK_OK(spl_loop_new(&tl->loop));
}

void nh_tloop_start(nh_tloop *tl)
{
    CHECK_OK(spl_thread_create(&tl->thread, tloop_main, tl));
}

struct call {
    spl_post_fn fn;
    void *arg;
    spl_mutex *mu;
    spl_cond *cv;
    int done;
};

static void call_run(void *arg)
{
    struct call *c = arg;
    c->fn(c->arg);
    spl_mutex_lock(c->mu);
    c->done = 1;
    spl_cond_signal(c->cv);
    spl_mutex_unlock(c->mu);
}

void nh_tloop_call(nh_tloop *tl, spl_post_fn fn, void *arg)
{
    struct call c;
    uint64_t start = spl_clock_ms();

    memset(&c, 0, sizeof(c));
    c.fn = fn;
    c.arg = arg;
    CHECK_OK(spl_mutex_new(&c.mu));
    CHECK_OK(spl_cond_new(&c.cv));
    CHECK_OK(spl_loop_post(tl->loop, call_run, &c));
    spl_mutex_lock(c.mu);
    while (!c.done && nh_elapsed_ms(start) < 10000)
        (void)spl_cond_timedwait(c.cv, c.mu, 100);
    spl_mutex_unlock(c.mu);
    CHECK(c.done); /* a hung loop thread fails here, not in ctest's timeout */
    spl_cond_free(c.cv);
    spl_mutex_free(c.mu);
}

void nh_tloop_join(nh_tloop *tl)
{
    spl_thread_join(tl->thread);
    tl->thread = NULL;
    CHECK_OK(tl->rc);
}

void nh_tloop_free(nh_tloop *tl)
{
    spl_loop_free(tl->loop);
    tl->loop = NULL;
}

/* ---- connected pairs ---------------------------------------------------- */

struct pair_state {
    nh_count count;
    spl_tcp *listener;
    spl_tcp *client;
    spl_tcp *server;
    int connect_status;
    int accept_status;
};

static void pair_accepted(void *arg, int status, spl_tcp *conn)
{
    struct pair_state *s = arg;
    s->accept_status = status;
    s->server = conn;
    spl_tcp_close(s->listener, nh_on_close, &s->count);
    nh_count_hit(&s->count);
}

static void pair_connected(void *arg, int status, spl_tcp *conn)
{
    struct pair_state *s = arg;
    s->connect_status = status;
    s->client = conn;
    nh_count_hit(&s->count);
}

void nh_pair(spl_loop *loop, spl_tcp **client, spl_tcp **server)
{
    struct pair_state s;
    uint16_t port;

    memset(&s, 0, sizeof(s));
    s.count.loop = loop;
    s.count.left = 3; /* accept, connect, listener closed */
    s.connect_status = s.accept_status = 1;
    CHECK_OK(spl_tcp_listen(loop, "127.0.0.1", 0, 8, &s.listener));
    port = spl_tcp_local_port(s.listener);
    CHECK(port != 0);
    CHECK_OK(spl_tcp_accept(s.listener, NULL, pair_accepted, &s));
    CHECK_OK(
        spl_tcp_connect(loop, "127.0.0.1", port, 5000, pair_connected, &s));
    NH_RUN(loop, 10000);
    CHECK_OK(s.connect_status);
    CHECK_OK(s.accept_status);
    CHECK(s.client != NULL && s.server != NULL);
    *client = s.client;
    *server = s.server;
}

void nh_close_all(spl_loop *loop, spl_tcp **h, int n)
{
    nh_count c;
    int i;

    c.loop = loop;
    c.left = n;
    for (i = 0; i < n; i++)
        spl_tcp_close(h[i], nh_on_close, &c);
    NH_RUN(loop, 10000);
    CHECK(c.left == 0);
}

/* ---- echo server -------------------------------------------------------- */

struct echo_conn {
    nh_echo *srv;
    spl_tcp *h;
    struct echo_conn *prev, *next;
    int closing;
    unsigned char *buf;
};

struct nh_echo {
    spl_loop *loop;
    spl_tcp *listener;
    size_t bufsize;
    uint16_t port;
    struct echo_conn *conns;
    int open; /* handles whose close callback has not run */
    int stopping;
    void (*done)(void *);
    void *done_arg;
    spl_atomic accepted;
    spl_atomic bytes;
};

static void echo_handle_gone(nh_echo *e)
{
    CHECK(e->open > 0);
    if (--e->open == 0 && e->stopping && e->done != NULL)
        e->done(e->done_arg);
}

static void echo_conn_closed(spl_tcp *h, void *arg)
{
    struct echo_conn *c = arg;
    nh_echo *e = c->srv;
    (void)h;
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        e->conns = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    free(c->buf);
    free(c);
    echo_handle_gone(e);
}

static void echo_conn_close(struct echo_conn *c)
{
    if (c->closing)
        return;
    c->closing = 1;
    spl_tcp_close(c->h, echo_conn_closed, c);
}

static void echo_read_done(spl_tcp *h, void *arg, ptrdiff_t result);

static void echo_write_done(spl_tcp *h, void *arg, ptrdiff_t result)
{
    struct echo_conn *c = arg;
    if (result < 0 || c->closing) {
        echo_conn_close(c);
        return;
    }
    spl_atomic_add(&c->srv->bytes, (int64_t)result);
    if (spl_tcp_read(h, c->buf, c->srv->bufsize, echo_read_done, c) < 0)
        echo_conn_close(c);
}

static void echo_read_done(spl_tcp *h, void *arg, ptrdiff_t result)
{
    struct echo_conn *c = arg;
    spl_iov iov;

    if (result == 0 && !c->closing) {
        (void)spl_tcp_shutdown(h);
        echo_conn_close(c);
        return;
    }
    if (result < 0 || c->closing) {
        echo_conn_close(c);
        return;
    }
    iov.base = c->buf;
    iov.len = (size_t)result;
    if (spl_tcp_write(h, &iov, 1, echo_write_done, c) < 0)
        echo_conn_close(c);
}

static void echo_listener_closed(spl_tcp *h, void *arg)
{
    (void)h;
    echo_handle_gone(arg);
}

static void echo_accepted(void *arg, int status, spl_tcp *conn)
{
    nh_echo *e = arg;
    struct echo_conn *c;

    if (status < 0) {
        if (!e->stopping)
            tu_log("echo: accept failed: %s", secip_strerror(status));
        CHECK(conn == NULL);
        return;
    }
    CHECK(conn != NULL);
    c = calloc(1, sizeof(*c));
    CHECK(c != NULL);
    c->buf = malloc(e->bufsize);
    CHECK(c->buf != NULL);
    c->srv = e;
    c->h = conn;
    c->next = e->conns;
    if (c->next != NULL)
        c->next->prev = c;
    e->conns = c;
    e->open++;
    spl_atomic_add(&e->accepted, 1);
    if (e->stopping) {
        echo_conn_close(c);
        return;
    }
    if (spl_tcp_read(conn, c->buf, e->bufsize, echo_read_done, c) < 0)
        echo_conn_close(c);
    CHECK_OK(spl_tcp_accept(e->listener, NULL, echo_accepted, e));
}

nh_echo *nh_echo_start(spl_loop *loop, const char *host, size_t bufsize)
{
    nh_echo *e = calloc(1, sizeof(*e));
    CHECK(e != NULL);
    e->loop = loop;
    e->bufsize = bufsize;
    CHECK_OK(spl_tcp_listen(loop, host, 0, 0, &e->listener));
    e->port = spl_tcp_local_port(e->listener);
    CHECK(e->port != 0);
    e->open = 1;
    CHECK_OK(spl_tcp_accept(e->listener, NULL, echo_accepted, e));
    return e;
}

uint16_t nh_echo_port(const nh_echo *e)
{
    return e->port;
}

int64_t nh_echo_accepted(nh_echo *e)
{
    return spl_atomic_load(&e->accepted);
}

int64_t nh_echo_bytes(nh_echo *e)
{
    return spl_atomic_load(&e->bytes);
}

void nh_echo_stop(nh_echo *e, void (*done)(void *), void *arg)
{
    struct echo_conn *c, *next;

    CHECK(!e->stopping);
    e->stopping = 1;
    e->done = done;
    e->done_arg = arg;
    spl_tcp_close(e->listener, echo_listener_closed, e);
    for (c = e->conns; c != NULL; c = next) {
        next = c->next; /* close callbacks run later, never inside close */
        echo_conn_close(c);
    }
}

static void stop_loop_done(void *arg)
{
    spl_loop_stop(arg);
}

static void echo_stop_posted(void *arg)
{
    nh_echo *e = arg;
    nh_echo_stop(e, stop_loop_done, e->loop);
}

void nh_echo_stop_tloop(nh_echo *e, nh_tloop *tl)
{
    CHECK_OK(spl_loop_post(tl->loop, echo_stop_posted, e));
    nh_tloop_join(tl);
    CHECK(e->open == 0);
}

void nh_echo_free(nh_echo *e)
{
    free(e);
}
