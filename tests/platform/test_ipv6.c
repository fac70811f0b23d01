/*
 * platform_ipv6: listen on ::1 with port 0, connect to it, exchange a
 * message both ways, and check the peer names ("[::1]:<port>").
 * When the OS has no IPv6 loopback, spl_tcp_listen("::1") fails with
 * SECIP_EADDR: the test then exits 77, which CTest reports as skipped.
 */
#include <stdio.h>
#include <string.h>

#include "net_helpers.h"

struct st {
    nh_count count;
    spl_tcp *listener, *client, *server;
    int cstatus, astatus;
    char buf[16];
    size_t len;
};

static void on_accept(void *arg, int status, spl_tcp *conn)
{
    struct st *s = arg;
    s->astatus = status;
    s->server = conn;
    nh_count_hit(&s->count);
}

static void on_connect(void *arg, int status, spl_tcp *conn)
{
    struct st *s = arg;
    s->cstatus = status;
    s->client = conn;
    nh_count_hit(&s->count);
}

static void on_read(spl_tcp *h, void *arg, ptrdiff_t result)
{
    struct st *s = arg;
    CHECK(result > 0);
    s->len += (size_t)result;
    if (s->len < 4) {
        CHECK_OK(spl_tcp_read(h, s->buf + s->len, 4 - s->len, on_read, s));
        return;
    }
    nh_count_hit(&s->count);
}

static void on_write(spl_tcp *h, void *arg, ptrdiff_t result)
{
    struct st *s = arg;
    (void)h;
    CHECK(result == 4);
    nh_count_hit(&s->count);
}

int main(void)
{
    spl_loop *loop;
    struct st s;
    spl_iov iov;
    uint16_t port;
    char name[64], want[64];
    spl_tcp *h[3];
    int rc;

    CHECK_OK(spl_loop_new(&loop));
    memset(&s, 0, sizeof(s));
    s.count.loop = loop;
    rc = spl_tcp_listen(loop, "::1", 0, 8, &s.listener);
    if (rc == SECIP_EADDR) {
        tu_log("SKIP: no IPv6 loopback here (%s)", secip_last_error());
        spl_loop_free(loop);
        return 77;
    }
    CHECK_OK(rc);
    port = spl_tcp_local_port(s.listener);
    CHECK(port != 0);
    s.count.left = 2;
    CHECK_OK(spl_tcp_accept(s.listener, NULL, on_accept, &s));
    CHECK_OK(spl_tcp_connect(loop, "::1", port, 5000, on_connect, &s));
    NH_RUN(loop, 10000);
    CHECK_OK(s.cstatus);
    CHECK_OK(s.astatus);

    CHECK_OK(spl_tcp_peer_name(s.client, name, sizeof(name)));
    snprintf(want, sizeof(want), "[::1]:%u", (unsigned)port);
    tu_log("client's peer: %s", name);
    CHECK(strcmp(name, want) == 0);
    CHECK_OK(spl_tcp_peer_name(s.server, name, sizeof(name)));
    snprintf(want, sizeof(want), "[::1]:%u",
             (unsigned)spl_tcp_local_port(s.client));
    tu_log("server's peer: %s", name);
    CHECK(strcmp(name, want) == 0);

    s.count.left = 2;
    iov.base = "ping";
    iov.len = 4;
    CHECK_OK(spl_tcp_read(s.server, s.buf, 4, on_read, &s));
    CHECK_OK(spl_tcp_write(s.client, &iov, 1, on_write, &s));
    NH_RUN(loop, 5000);
    CHECK(memcmp(s.buf, "ping", 4) == 0);

    h[0] = s.listener;
    h[1] = s.client;
    h[2] = s.server;
    nh_close_all(loop, h, 3);
    spl_loop_free(loop);
    return 0;
}
