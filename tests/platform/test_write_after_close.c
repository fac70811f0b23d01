/*
 * platform_write_after_close: the peer closes gracefully (spl_tcp_close,
 * a FIN) and never reads again; we keep writing 1 KiB pieces, each from
 * the previous completion.  The first writes may succeed (the kernel takes
 * them; the peer's stack answers with a reset), but within 1,000 writes one
 * must fail with SECIP_ECONNRESET or SECIP_ECLOSED -- a result, never a
 * SIGPIPE -- and our read sees end of stream (0) or the reset.
 */
#include <string.h>

#include "net_helpers.h"

#define MAXWRITES 1000

struct st {
    spl_loop *loop;
    spl_tcp *h;
    int writes_ok, writes_failed, reads;
    ptrdiff_t fail_result, read_result;
    unsigned char piece[1024];
    unsigned char rbuf[64];
};

static void on_write(spl_tcp *h, void *arg, ptrdiff_t result);

static void write_next(struct st *s)
{
    spl_iov iov;
    int rc;
    iov.base = s->piece;
    iov.len = sizeof(s->piece);
    rc = spl_tcp_write(s->h, &iov, 1, on_write, s);
    if (rc < 0) { /* a synchronous refusal counts as the failure */
        s->writes_failed++;
        s->fail_result = rc;
        spl_loop_stop(s->loop);
    }
}

static void on_write(spl_tcp *h, void *arg, ptrdiff_t result)
{
    struct st *s = arg;
    (void)h;
    if (result < 0) {
        s->writes_failed++;
        s->fail_result = result;
        spl_loop_stop(s->loop);
        return;
    }
    CHECK(result == (ptrdiff_t)sizeof(s->piece));
    if (++s->writes_ok == MAXWRITES) {
        spl_loop_stop(s->loop);
        return;
    }
    write_next(s);
}

static void on_read(spl_tcp *h, void *arg, ptrdiff_t result)
{
    struct st *s = arg;
    (void)h;
    s->reads++;
    s->read_result = result;
}

int main(void)
{
    struct st s;
    spl_tcp *server;

    memset(&s, 0, sizeof(s));
    CHECK_OK(spl_loop_new(&s.loop));
    nh_pair(s.loop, &s.h, &server);
    nh_close_all(s.loop, &server, 1);

    CHECK_OK(spl_tcp_read(s.h, s.rbuf, sizeof(s.rbuf), on_read, &s));
    write_next(&s);
    NH_RUN(s.loop, 10000);
    if (s.reads == 0) /* the read may complete in a later iteration */
        nh_settle(s.loop, 200);
    tu_log("%d writes succeeded, then: %s; read: %d (%s)", s.writes_ok,
           s.writes_failed ? secip_strerror((int)s.fail_result) : "none",
           (int)s.read_result,
           s.read_result < 0 ? secip_strerror((int)s.read_result) : "eof");
    CHECK(s.writes_failed == 1);
    CHECK(s.writes_ok < MAXWRITES);
    CHECK(s.fail_result == SECIP_ECONNRESET || s.fail_result == SECIP_ECLOSED);
    CHECK(s.reads == 1);
    CHECK(s.read_result == 0 || s.read_result == SECIP_ECONNRESET ||
          s.read_result == SECIP_ECLOSED);
    nh_close_all(s.loop, &s.h, 1);
    spl_loop_free(s.loop);
    return 0;
}
