/*
 * platform_accept_other_loop: a listener on loop A (main thread) accepts
 * connections into loop B (its own thread).  The accept callback runs on
 * A's thread; the new handle reports loop B; the test posts to B, which
 * starts the handle's read and write there, and every callback of that
 * handle runs on B's thread.  Each server side echoes one message reversed
 * (so a bypass of the server could not pass) and closes on B.
 */
#include <string.h>

#include "net_helpers.h"

#define NCONN 4
#define MSG   32

static spl_loop *g_a;
static nh_tloop g_b;

struct srv {
    spl_tcp *h;
    unsigned char buf[MSG];
    size_t got;
    spl_atomic done; /* set on B when the close callback ran */
    int wrong_thread;
};

struct cli {
    spl_tcp *h;
    unsigned char tx[MSG], rx[MSG];
    size_t got;
};

static struct srv g_srv[NCONN];
static struct cli g_cli[NCONN];
static spl_tcp *g_listener;
static int g_accepted, g_verified;

static void srv_closed(spl_tcp *h, void *arg)
{
    struct srv *s = arg;
    (void)h;
    if (!spl_loop_on_thread(g_b.loop))
        s->wrong_thread++;
    spl_atomic_store(&s->done, 1);
}

static void srv_written(spl_tcp *h, void *arg, ptrdiff_t result)
{
    struct srv *s = arg;
    if (!spl_loop_on_thread(g_b.loop) || result != MSG)
        s->wrong_thread++;
    spl_tcp_close(h, srv_closed, s);
}

static void srv_read(spl_tcp *h, void *arg, ptrdiff_t result)
{
    struct srv *s = arg;
    spl_iov iov;
    size_t i;
    unsigned char t;

    if (!spl_loop_on_thread(g_b.loop) || result <= 0) {
        s->wrong_thread++;
        spl_tcp_close(h, srv_closed, s);
        return;
    }
    s->got += (size_t)result;
    if (s->got < MSG) {
        CHECK_OK(spl_tcp_read(h, s->buf + s->got, MSG - s->got, srv_read, s));
        return;
    }
    for (i = 0; i < MSG / 2; i++) {
        t = s->buf[i];
        s->buf[i] = s->buf[MSG - 1 - i];
        s->buf[MSG - 1 - i] = t;
    }
    iov.base = s->buf;
    iov.len = MSG;
    CHECK_OK(spl_tcp_write(h, &iov, 1, srv_written, s));
}

/* Runs on B: the first operation of the accepted handle. */
static void srv_start(void *arg)
{
    struct srv *s = arg;
    if (!spl_loop_on_thread(g_b.loop) || spl_loop_on_thread(g_a))
        s->wrong_thread++;
    CHECK_OK(spl_tcp_read(s->h, s->buf, MSG, srv_read, s));
}

static void on_accept(void *arg, int status, spl_tcp *conn)
{
    (void)arg;
    CHECK_OK(status);
    CHECK(spl_loop_on_thread(g_a)); /* callback on the listener's loop */
    CHECK(spl_tcp_loop(conn) == g_b.loop);
    g_srv[g_accepted].h = conn;
    CHECK_OK(spl_loop_post(g_b.loop, srv_start, &g_srv[g_accepted]));
    if (++g_accepted < NCONN)
        CHECK_OK(spl_tcp_accept(g_listener, g_b.loop, on_accept, NULL));
}

static void cli_read(spl_tcp *h, void *arg, ptrdiff_t result)
{
    struct cli *c = arg;
    size_t i;

    CHECK(result > 0);
    CHECK(spl_loop_on_thread(g_a));
    c->got += (size_t)result;
    if (c->got < MSG) {
        CHECK_OK(spl_tcp_read(h, c->rx + c->got, MSG - c->got, cli_read, c));
        return;
    }
    for (i = 0; i < MSG; i++)
        CHECK(c->rx[i] == c->tx[MSG - 1 - i]);
    if (++g_verified == NCONN)
        spl_loop_stop(g_a);
}

static void cli_written(spl_tcp *h, void *arg, ptrdiff_t result)
{
    (void)h;
    (void)arg;
    CHECK(result == MSG);
}

static void cli_connected(void *arg, int status, spl_tcp *conn)
{
    struct cli *c = arg;
    spl_iov iov;

    CHECK_OK(status);
    c->h = conn;
    iov.base = c->tx;
    iov.len = MSG;
    CHECK_OK(spl_tcp_write(conn, &iov, 1, cli_written, c));
    CHECK_OK(spl_tcp_read(conn, c->rx, MSG, cli_read, c));
}

int main(void)
{
    spl_tcp *h[NCONN + 1];
    int i, waited;

    CHECK_OK(spl_loop_new(&g_a));
    nh_tloop_init(&g_b);
    nh_tloop_start(&g_b);
    CHECK_OK(spl_tcp_listen(g_a, "127.0.0.1", 0, 16, &g_listener));
    CHECK_OK(spl_tcp_accept(g_listener, g_b.loop, on_accept, NULL));
    for (i = 0; i < NCONN; i++) {
        tu_fill((uint64_t)i + 100, 0, g_cli[i].tx, MSG);
        CHECK_OK(spl_tcp_connect(g_a, "127.0.0.1",
                                 spl_tcp_local_port(g_listener), 5000,
                                 cli_connected, &g_cli[i]));
    }
    NH_RUN(g_a, 10000);
    CHECK(g_accepted == NCONN && g_verified == NCONN);

    /* The server sides close on B once they have written. */
    for (i = 0, waited = 0; i < NCONN && waited < 500; waited++) {
        if (spl_atomic_load(&g_srv[i].done))
            i++;
        else
            spl_sleep_ms(10);
    }
    CHECK(i == NCONN);
    spl_loop_stop(g_b.loop);
    nh_tloop_join(&g_b);
    for (i = 0; i < NCONN; i++)
        CHECK(g_srv[i].wrong_thread == 0);
    tu_log("%d connections accepted on A, served on B", NCONN);

    for (i = 0; i < NCONN; i++)
        h[i] = g_cli[i].h;
    h[NCONN] = g_listener;
    nh_close_all(g_a, h, NCONN + 1);
    nh_tloop_free(&g_b);
    spl_loop_free(g_a);
    return 0;
}
