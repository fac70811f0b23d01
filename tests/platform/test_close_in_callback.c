/*
 * platform_close_in_callback: handles closed (or aborted) from inside
 * their own callbacks.
 *  1. close from a read callback while a 64 MiB write is stuck: the write
 *     completes once with SECIP_ECANCELED, then the close callback runs;
 *  2. close from a write callback while a read is pending: the read
 *     completes once with SECIP_ECANCELED, then the close callback;
 *  3. abort from a read callback: same guarantees as close;
 *  4. close the new handle inside the connect and the accept callbacks.
 */
#include <stdlib.h>
#include <string.h>

#include "net_helpers.h"

#define BIG ((size_t)64 << 20)

static unsigned char *g_big;

struct st {
    spl_loop *loop;
    spl_tcp *h;
    int reads, writes, closes, abort_mode;
    ptrdiff_t read_result, write_result;
    int close_after_both;
    unsigned char rbuf[16];
};

static void on_close(spl_tcp *h, void *arg)
{
    struct st *st = arg;
    (void)h;
    st->closes++;
    st->close_after_both = st->reads == 1 && st->writes == 1;
    spl_loop_stop(st->loop);
}

static void close_it(struct st *st)
{
    if (st->abort_mode)
        spl_tcp_abort(st->h, on_close, st);
    else
        spl_tcp_close(st->h, on_close, st);
}

static void read_then_close(spl_tcp *h, void *arg, ptrdiff_t result)
{
    struct st *st = arg;
    (void)h;
    st->reads++;
    st->read_result = result;
    if (result > 0)
        close_it(st);
}

static void write_then_close(spl_tcp *h, void *arg, ptrdiff_t result)
{
    struct st *st = arg;
    (void)h;
    st->writes++;
    st->write_result = result;
    if (result > 0)
        close_it(st);
}

static void count_read(spl_tcp *h, void *arg, ptrdiff_t result)
{
    struct st *st = arg;
    (void)h;
    st->reads++;
    st->read_result = result;
}

static void count_write(spl_tcp *h, void *arg, ptrdiff_t result)
{
    struct st *st = arg;
    (void)h;
    st->writes++;
    st->write_result = result;
}

static void peer_written(spl_tcp *h, void *arg, ptrdiff_t result)
{
    (void)h;
    (void)arg;
    CHECK(result == 1);
}

static void case_read_cb(spl_loop *loop, int abort_mode)
{
    struct st st;
    spl_tcp *peer;
    spl_iov iov;

    memset(&st, 0, sizeof(st));
    st.loop = loop;
    st.abort_mode = abort_mode;
    nh_pair(loop, &st.h, &peer);
    iov.base = g_big;
    iov.len = BIG;
    CHECK_OK(spl_tcp_write(st.h, &iov, 1, count_write, &st));
    CHECK_OK(
        spl_tcp_read(st.h, st.rbuf, sizeof(st.rbuf), read_then_close, &st));
    iov.base = "x";
    iov.len = 1;
    CHECK_OK(spl_tcp_write(peer, &iov, 1, peer_written, NULL));
    NH_RUN(loop, 10000);
    nh_settle(loop, 50); /* nothing late */
    tu_log("%s in read callback: write %s", abort_mode ? "abort" : "close",
           secip_strerror((int)st.write_result));
    CHECK(st.reads == 1 && st.read_result == 1);
    CHECK(st.writes == 1 && st.closes == 1 && st.close_after_both);
    CHECK_ERR(st.write_result, SECIP_ECANCELED);
    nh_close_all(loop, &peer, 1);
}

static void case_write_cb(spl_loop *loop)
{
    struct st st;
    spl_tcp *peer;
    spl_iov iov;

    memset(&st, 0, sizeof(st));
    st.loop = loop;
    nh_pair(loop, &st.h, &peer);
    CHECK_OK(spl_tcp_read(st.h, st.rbuf, sizeof(st.rbuf), count_read, &st));
    iov.base = "0123456789";
    iov.len = 10;
    CHECK_OK(spl_tcp_write(st.h, &iov, 1, write_then_close, &st));
    NH_RUN(loop, 10000);
    nh_settle(loop, 50);
    CHECK(st.writes == 1 && st.write_result == 10);
    CHECK(st.reads == 1 && st.closes == 1 && st.close_after_both);
    CHECK_ERR(st.read_result, SECIP_ECANCELED);
    nh_close_all(loop, &peer, 1);
}

static nh_count g_count;

static void close_new(void *arg, int status, spl_tcp *conn)
{
    (void)arg;
    CHECK_OK(status);
    spl_tcp_close(conn, nh_on_close, &g_count);
}

static void case_connect_accept(spl_loop *loop)
{
    spl_tcp *l;

    g_count.loop = loop;
    g_count.left = 2;
    CHECK_OK(spl_tcp_listen(loop, "127.0.0.1", 0, 4, &l));
    CHECK_OK(spl_tcp_accept(l, NULL, close_new, NULL));
    CHECK_OK(spl_tcp_connect(loop, "127.0.0.1", spl_tcp_local_port(l), 5000,
                             close_new, NULL));
    NH_RUN(loop, 10000);
    nh_close_all(loop, &l, 1);
}

int main(void)
{
    spl_loop *loop;

    g_big = calloc(1, BIG);
    CHECK(g_big != NULL);
    CHECK_OK(spl_loop_new(&loop));
    case_read_cb(loop, 0);
    case_read_cb(loop, 1);
    case_write_cb(loop);
    case_connect_accept(loop);
    tu_log("close from callbacks ok");
    spl_loop_free(loop);
    free(g_big);
    return 0;
}
