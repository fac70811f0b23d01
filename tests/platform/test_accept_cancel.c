/*
 * platform_accept_cancel: closing a listener with an accept pending
 * completes the accept exactly once with SECIP_ECANCELED and a NULL handle,
 * before the listener's close callback.  Twice: closed from a timer while
 * the loop waits, and closed right after starting the accept.  A second
 * accept while one is pending gets SECIP_EBUSY.
 */
#include <string.h>

#include "net_helpers.h"

struct st {
    spl_loop *loop;
    spl_tcp *listener;
    int accepts, closes;
    int status;
    spl_tcp *conn;
    int order_ok;
};

static void on_accept(void *arg, int status, spl_tcp *conn)
{
    struct st *s = arg;
    s->accepts++;
    s->status = status;
    s->conn = conn;
}

static void on_busy_accept(void *arg, int status, spl_tcp *conn)
{
    (void)arg;
    (void)status;
    (void)conn;
    CHECK(!"the refused second accept must never call back");
}

static void on_close(spl_tcp *h, void *arg)
{
    struct st *s = arg;
    (void)h;
    s->closes++;
    s->order_ok = s->accepts == 1;
    spl_loop_stop(s->loop);
}

static void close_listener(spl_timer *t, void *arg)
{
    struct st *s = arg;
    (void)t;
    CHECK(s->accepts == 0);
    spl_tcp_close(s->listener, on_close, s);
}

static void check(struct st *s, const char *name)
{
    tu_log("%s: accept x %d -> %s, close x %d", name, s->accepts,
           secip_strerror(s->status), s->closes);
    CHECK(s->accepts == 1 && s->closes == 1 && s->order_ok);
    CHECK_ERR(s->status, SECIP_ECANCELED);
    CHECK(s->conn == NULL);
}

int main(void)
{
    struct st s;
    spl_loop *loop;
    spl_timer *t;

    CHECK_OK(spl_loop_new(&loop));

    memset(&s, 0, sizeof(s));
    s.loop = loop;
    CHECK_OK(spl_tcp_listen(loop, "127.0.0.1", 0, 0, &s.listener));
    CHECK_OK(spl_tcp_accept(s.listener, NULL, on_accept, &s));
    CHECK_ERR(spl_tcp_accept(s.listener, NULL, on_busy_accept, &s),
              SECIP_EBUSY);
    CHECK_OK(spl_timer_new(loop, &t));
    CHECK_OK(spl_timer_start(t, 50, 0, close_listener, &s));
    NH_RUN(loop, 5000);
    nh_settle(loop, 50); /* nothing late */
    check(&s, "closed while waiting");
    spl_timer_free(t);

    memset(&s, 0, sizeof(s));
    s.loop = loop;
    CHECK_OK(spl_tcp_listen(loop, "127.0.0.1", 0, 0, &s.listener));
    CHECK_OK(spl_tcp_accept(s.listener, NULL, on_accept, &s));
    spl_tcp_close(s.listener, on_close, &s);
    CHECK(s.accepts == 0 && s.closes == 0);
    NH_RUN(loop, 5000);
    nh_settle(loop, 50);
    check(&s, "closed at once");

    spl_loop_free(loop);
    return 0;
}
