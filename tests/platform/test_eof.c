/*
 * platform_eof: end of stream and half-close.
 * The client writes "hello" and shuts down its sending side; the server
 * reads "hello" then 0 (end of stream); with its own side still open the
 * server writes "world" back, which the client reads, then the server shuts
 * down and the client reads 0.  A read after end of stream reads 0 again.
 */
#include <string.h>

#include "net_helpers.h"

struct side {
    spl_loop *loop;
    char buf[64];
    size_t len;
    int eof;
    int writes;
};

static void on_read(spl_tcp *h, void *arg, ptrdiff_t result)
{
    struct side *s = arg;
    CHECK(result >= 0);
    if (result == 0) {
        s->eof++;
        spl_loop_stop(s->loop);
        return;
    }
    s->len += (size_t)result;
    CHECK(s->len < sizeof(s->buf));
    CHECK_OK(
        spl_tcp_read(h, s->buf + s->len, sizeof(s->buf) - s->len, on_read, s));
}

static void on_write(spl_tcp *h, void *arg, ptrdiff_t result)
{
    struct side *s = arg;
    (void)h;
    CHECK(result == 5);
    s->writes++;
}

static void write5(spl_tcp *h, struct side *s, const char *text)
{
    spl_iov iov;
    iov.base = text;
    iov.len = 5;
    CHECK_OK(spl_tcp_write(h, &iov, 1, on_write, s));
}

int main(void)
{
    spl_loop *loop;
    spl_tcp *c, *sv;
    struct side cs, ss;
    spl_tcp *both[2];

    CHECK_OK(spl_loop_new(&loop));
    nh_pair(loop, &c, &sv);
    memset(&cs, 0, sizeof(cs));
    memset(&ss, 0, sizeof(ss));
    cs.loop = ss.loop = loop;

    /* client -> server, then client shuts down */
    CHECK_OK(spl_tcp_read(sv, ss.buf, sizeof(ss.buf), on_read, &ss));
    write5(c, &cs, "hello");
    CHECK_OK(spl_tcp_shutdown(c));
    NH_RUN(loop, 5000);
    CHECK(ss.eof == 1);
    CHECK(ss.len == 5 && memcmp(ss.buf, "hello", 5) == 0);
    CHECK(cs.writes == 1);
    tu_log("server read \"hello\" then end of stream");

    /* half-close: the server can still write, the client still read */
    CHECK_OK(spl_tcp_read(c, cs.buf, sizeof(cs.buf), on_read, &cs));
    write5(sv, &ss, "world");
    CHECK_OK(spl_tcp_shutdown(sv));
    NH_RUN(loop, 5000);
    CHECK(cs.eof == 1);
    CHECK(cs.len == 5 && memcmp(cs.buf, "world", 5) == 0);
    CHECK(ss.writes == 1);
    tu_log("client read \"world\" after its own shutdown, then end of stream");

    /* End of stream is sticky, and although the backend already knows it,
     * the callback must not run inside spl_tcp_read. */
    CHECK_OK(spl_tcp_read(sv, ss.buf, sizeof(ss.buf), on_read, &ss));
    CHECK(ss.eof == 1);
    NH_RUN(loop, 5000);
    CHECK(ss.eof == 2);

    both[0] = c;
    both[1] = sv;
    nh_close_all(loop, both, 2);
    spl_loop_free(loop);
    return 0;
}
