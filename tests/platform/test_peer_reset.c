/*
 * platform_peer_reset: the peer aborts (spl_tcp_abort, an RST) while we
 * write 64 MiB it never reads.  Our write completes once with
 * SECIP_ECONNRESET or SECIP_ECLOSED, never success; our pending read ends
 * with one of those too (or 0); a further write after the reset also fails
 * cleanly.  On POSIX a write to a reset socket raises SIGPIPE unless the
 * backend suppresses it: reaching the end of this test proves it did.
 */
#include <stdlib.h>
#include <string.h>

#include "net_helpers.h"

#define BIG ((size_t)64 << 20)

struct st {
    spl_loop *loop;
    spl_tcp *client, *server;
    int writes, reads, aborted;
    ptrdiff_t write_result, read_result;
    unsigned char rbuf[64];
    int phase;
};

static void on_read(spl_tcp *h, void *arg, ptrdiff_t result)
{
    struct st *s = arg;
    (void)h;
    s->reads++;
    s->read_result = result;
    if (s->writes == s->phase + 1 && s->reads == 1)
        spl_loop_stop(s->loop);
}

static void on_write(spl_tcp *h, void *arg, ptrdiff_t result)
{
    struct st *s = arg;
    (void)h;
    s->writes++;
    s->write_result = result;
    if (s->reads == 1 || s->phase == 1)
        spl_loop_stop(s->loop);
}

static void on_aborted(spl_tcp *h, void *arg)
{
    struct st *s = arg;
    (void)h;
    s->aborted++;
}

static void abort_peer(spl_timer *t, void *arg)
{
    struct st *s = arg;
    (void)t;
    CHECK(s->writes == 0); /* still stuck: the peer never read */
    spl_tcp_abort(s->server, on_aborted, s);
}

static int reset_like(ptrdiff_t r)
{
    return r == SECIP_ECONNRESET || r == SECIP_ECLOSED;
}

int main(void)
{
    struct st s;
    spl_timer *t;
    spl_iov iov;
    unsigned char *big = malloc(BIG);
    int rc;

    CHECK(big != NULL);
    tu_fill(3, 0, big, BIG);
    memset(&s, 0, sizeof(s));
    CHECK_OK(spl_loop_new(&s.loop));
    nh_pair(s.loop, &s.client, &s.server);

    iov.base = big;
    iov.len = BIG;
    CHECK_OK(spl_tcp_write(s.client, &iov, 1, on_write, &s));
    CHECK_OK(spl_tcp_read(s.client, s.rbuf, sizeof(s.rbuf), on_read, &s));
    CHECK_OK(spl_timer_new(s.loop, &t));
    CHECK_OK(spl_timer_start(t, 100, 0, abort_peer, &s));
    NH_RUN(s.loop, 10000);
    tu_log("after the peer's reset: write %s, read %s",
           secip_strerror((int)s.write_result),
           s.read_result == 0 ? "end of stream"
                              : secip_strerror((int)s.read_result));
    CHECK(s.aborted == 1);
    CHECK(s.writes == 1 && s.reads == 1);
    CHECK(reset_like(s.write_result));
    CHECK(reset_like(s.read_result) || s.read_result == 0);

    /* Write again to the reset connection: fails, no signal. */
    s.phase = 1;
    iov.len = 4096;
    rc = spl_tcp_write(s.client, &iov, 1, on_write, &s);
    if (rc < 0) { /* refusing at once is fine too */
        tu_log("second write refused at once: %s", secip_strerror(rc));
        CHECK(reset_like(rc));
    } else {
        NH_RUN(s.loop, 10000);
        CHECK(s.writes == 2);
        tu_log("second write: %s", secip_strerror((int)s.write_result));
        CHECK(reset_like(s.write_result));
    }

    spl_timer_free(t);
    nh_close_all(s.loop, &s.client, 1);
    spl_loop_free(s.loop);
    free(big);
    return 0;
}
