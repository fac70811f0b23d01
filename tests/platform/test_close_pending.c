/*
 * platform_close_pending: closing a handle with a read and a write in
 * flight completes each exactly once with SECIP_ECANCELED, before the close
 * callback, which runs exactly once.  Three cases:
 *  a) close right after starting both, before the loop ran;
 *  b) close from a timer once the write is stuck in a full socket buffer
 *     (64 MiB that the peer never reads cannot be completed);
 *  c) a 10-byte write that may finish first: its callback then gets 10,
 *     otherwise SECIP_ECANCELED -- nothing else, and exactly once.
 * ASan checks that nothing leaks or is used after release.
 */
#include <stdlib.h>
#include <string.h>

#include "net_helpers.h"

#define BIG ((size_t)64 << 20)

struct ops {
    spl_loop *loop;
    int reads, writes, closes;
    ptrdiff_t read_result, write_result;
    int order_ok; /* close callback saw both ops completed */
    unsigned char rbuf[256];
};

static void on_read(spl_tcp *h, void *arg, ptrdiff_t result)
{
    struct ops *o = arg;
    (void)h;
    o->reads++;
    o->read_result = result;
}

static void on_write(spl_tcp *h, void *arg, ptrdiff_t result)
{
    struct ops *o = arg;
    (void)h;
    o->writes++;
    o->write_result = result;
}

static void on_close(spl_tcp *h, void *arg)
{
    struct ops *o = arg;
    (void)h;
    o->closes++;
    o->order_ok = o->reads == 1 && o->writes == 1;
    spl_loop_stop(o->loop);
}

static void start_ops(spl_tcp *h, struct ops *o, const void *wbuf, size_t len)
{
    spl_iov iov;
    iov.base = wbuf;
    iov.len = len;
    CHECK_OK(spl_tcp_read(h, o->rbuf, sizeof(o->rbuf), on_read, o));
    CHECK_OK(spl_tcp_write(h, &iov, 1, on_write, o));
}

static void check_done(struct ops *o, const char *name, size_t len)
{
    tu_log("%s: read %d x %d, write %d x %d, close x %d", name,
           (int)o->read_result, o->reads, (int)o->write_result, o->writes,
           o->closes);
    CHECK(o->reads == 1 && o->writes == 1 && o->closes == 1);
    CHECK(o->order_ok);
    CHECK_ERR(o->read_result, SECIP_ECANCELED);
    if (len == BIG)
        CHECK_ERR(o->write_result, SECIP_ECANCELED);
    else
        CHECK(o->write_result == SECIP_ECANCELED ||
              o->write_result == (ptrdiff_t)len);
}

static void case_immediate(spl_loop *loop, const unsigned char *big)
{
    spl_tcp *c, *s;
    struct ops o;

    memset(&o, 0, sizeof(o));
    o.loop = loop;
    nh_pair(loop, &c, &s);
    start_ops(c, &o, big, BIG);
    spl_tcp_close(c, on_close, &o);
    CHECK(o.reads == 0 && o.writes == 0 && o.closes == 0); /* not inside */
    NH_RUN(loop, 10000);
    nh_settle(loop, 50); /* no late or second callback */
    check_done(&o, "close at once", BIG);
    nh_close_all(loop, &s, 1);
}

static struct ops *g_timer_ops;
static spl_tcp *g_timer_handle;

static void close_from_timer(spl_timer *t, void *arg)
{
    (void)t;
    (void)arg;
    CHECK(g_timer_ops->reads == 0 && g_timer_ops->writes == 0);
    spl_tcp_close(g_timer_handle, on_close, g_timer_ops);
}

static void case_stuck_write(spl_loop *loop, const unsigned char *big)
{
    spl_tcp *c, *s;
    spl_timer *t;
    struct ops o;

    memset(&o, 0, sizeof(o));
    o.loop = loop;
    nh_pair(loop, &c, &s);
    start_ops(c, &o, big, BIG);
    g_timer_ops = &o;
    g_timer_handle = c;
    CHECK_OK(spl_timer_new(loop, &t));
    CHECK_OK(spl_timer_start(t, 100, 0, close_from_timer, NULL));
    NH_RUN(loop, 10000);
    nh_settle(loop, 50); /* no late or second callback */
    check_done(&o, "close with a stuck write", BIG);
    spl_timer_free(t);
    nh_close_all(loop, &s, 1);
}

static void case_small_write(spl_loop *loop)
{
    spl_tcp *c, *s;
    struct ops o;
    static const char ten[10] = "0123456789";

    memset(&o, 0, sizeof(o));
    o.loop = loop;
    nh_pair(loop, &c, &s);
    start_ops(c, &o, ten, sizeof(ten));
    spl_tcp_close(c, on_close, &o);
    NH_RUN(loop, 10000);
    nh_settle(loop, 50); /* no late or second callback */
    check_done(&o, "close with a small write", sizeof(ten));
    nh_close_all(loop, &s, 1);
}

int main(void)
{
    spl_loop *loop;
    unsigned char *big = malloc(BIG);

    CHECK(big != NULL);
    memset(big, 0x5a, BIG);
    CHECK_OK(spl_loop_new(&loop));
    case_immediate(loop, big);
    case_stuck_write(loop, big);
    case_small_write(loop);
    spl_loop_free(loop);
    free(big);
    return 0;
}
