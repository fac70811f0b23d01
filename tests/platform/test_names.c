/*
 * platform_names: port 0 picks a free port that spl_tcp_local_port()
 * returns; peer names read "127.0.0.1:<port>" on both ends (the server
 * sees the client's port); a short buffer truncates with a NUL; a second
 * listen on the same port fails with SECIP_EADDRINUSE; "localhost" and a
 * negative backlog listen too; a connect to "localhost" reaches a listener
 * bound to 127.0.0.1 only (if "localhost" resolves to ::1 first, the
 * backend must move on to the next address); the per-handle data pointer,
 * spl_tcp_loop, Nagle and buffer options work on a live connection.
 */
#include <stdio.h>
#include <string.h>

#include "net_helpers.h"

static void test_names(spl_loop *loop)
{
    spl_tcp *c, *s, *both[2];
    char name[64], want[64], tiny[5];
    uint16_t cport, sport;
    int rc, marker;

    nh_pair(loop, &c, &s);
    cport = spl_tcp_local_port(c);
    sport = spl_tcp_local_port(s);
    CHECK(cport != 0 && sport != 0 && cport != sport);

    CHECK_OK(spl_tcp_peer_name(c, name, sizeof(name)));
    snprintf(want, sizeof(want), "127.0.0.1:%u", (unsigned)sport);
    tu_log("client's peer %s, local port %u", name, (unsigned)cport);
    CHECK(strcmp(name, want) == 0);
    CHECK_OK(spl_tcp_peer_name(s, name, sizeof(name)));
    snprintf(want, sizeof(want), "127.0.0.1:%u", (unsigned)cport);
    CHECK(strcmp(name, want) == 0);

    memset(tiny, 'x', sizeof(tiny));
    rc = spl_tcp_peer_name(s, tiny, sizeof(tiny));
    if (rc == 0) /* truncated: NUL-terminated prefix */
        CHECK(strcmp(tiny, "127.") == 0);
    else
        CHECK(rc < 0 && memchr(tiny, '\0', sizeof(tiny)) != NULL);

    CHECK(spl_tcp_loop(c) == loop && spl_tcp_loop(s) == loop);
    CHECK(spl_tcp_data(c) == NULL);
    spl_tcp_set_data(c, &marker);
    CHECK(spl_tcp_data(c) == &marker);
    CHECK_OK(spl_tcp_nodelay(c, 1));
    CHECK_OK(spl_tcp_nodelay(c, 0));
    CHECK_OK(spl_tcp_buffers(c, 256 * 1024, 0));
    CHECK_OK(spl_tcp_buffers(c, 0, 256 * 1024));
    both[0] = c;
    both[1] = s;
    nh_close_all(loop, both, 2);
}

static void test_listen_variants(spl_loop *loop)
{
    spl_tcp *a, *b = NULL, *h[3];
    uint16_t port;

    CHECK_OK(spl_tcp_listen(loop, "127.0.0.1", 0, 0, &a));
    port = spl_tcp_local_port(a);
    CHECK(port != 0);
    tu_log("port 0 picked %u", (unsigned)port);
    CHECK_ERR(spl_tcp_listen(loop, "127.0.0.1", port, 0, &b), SECIP_EADDRINUSE);
    CHECK(b == NULL);
    CHECK_OK(spl_tcp_listen(loop, "localhost", 0, 4, &b));
    CHECK(spl_tcp_local_port(b) != 0);
    h[0] = a;
    h[1] = b;
    /* (NULL = every IPv4 address is not tried: tests stay on loopback.) */
    CHECK_OK(spl_tcp_listen(loop, "127.0.0.1", 0, -1, &h[2]));
    CHECK(spl_tcp_local_port(h[2]) != 0);
    nh_close_all(loop, h, 3);
}

static void on_connected(void *arg, int status, spl_tcp *conn)
{
    nh_count *c = arg;
    CHECK_OK(status);
    spl_tcp_close(conn, nh_on_close, c);
}

static void on_accepted(void *arg, int status, spl_tcp *conn)
{
    nh_count *c = arg;
    CHECK_OK(status);
    spl_tcp_close(conn, nh_on_close, c);
}

static void test_connect_localhost(spl_loop *loop)
{
    spl_tcp *l;
    nh_count c;

    c.loop = loop;
    c.left = 2;
    CHECK_OK(spl_tcp_listen(loop, "127.0.0.1", 0, 4, &l));
    CHECK_OK(spl_tcp_accept(l, NULL, on_accepted, &c));
    CHECK_OK(spl_tcp_connect(loop, "localhost", spl_tcp_local_port(l), 5000,
                             on_connected, &c));
    NH_RUN(loop, 10000);
    nh_close_all(loop, &l, 1);
}

int main(void)
{
    spl_loop *loop;
    CHECK_OK(spl_loop_new(&loop));
    test_names(loop);
    test_listen_variants(loop);
    test_connect_localhost(loop);
    tu_log("connect to localhost ok");
    spl_loop_free(loop);
    return 0;
}
