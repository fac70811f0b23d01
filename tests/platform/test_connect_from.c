/*
 * platform_connect_from: spl_tcp_connect_from() binds the chosen source
 * address before connecting: a listener on 127.0.0.1 sees the peer
 * 127.0.0.2 (and 127.0.0.1 with local NULL); the client's own port is
 * chosen by the OS; a source address that is not numeric fails at once
 * with SECIP_EADDR, one of the other family than the server fails with
 * SECIP_EADDR too, and one that is not local completes with SECIP_EADDR.
 */
#include <stdio.h>
#include <string.h>

#include "net_helpers.h"

typedef struct side {
    spl_loop *loop;
    int pending;
    int status;        /* of the last completion */
    spl_tcp *conns[2]; /* accepted, connected */
} side;

static void on_accept(void *arg, int status, spl_tcp *conn)
{
    side *s = arg;
    CHECK_OK(status);
    s->conns[0] = conn;
    if (--s->pending == 0)
        spl_loop_stop(s->loop);
}

static void on_connect(void *arg, int status, spl_tcp *conn)
{
    side *s = arg;
    s->status = status;
    s->conns[1] = conn;
    if (status < 0)
        CHECK(conn == NULL);
    if (--s->pending == 0)
        spl_loop_stop(s->loop);
}

/* Connect from local to the listener and check the peer names. */
static void connect_from(spl_loop *loop, spl_tcp *l, const char *local,
                         const char *want_ip)
{
    side s;
    char name[64], want[64];
    memset(&s, 0, sizeof s);
    s.loop = loop;
    s.pending = 2;
    CHECK_OK(spl_tcp_accept(l, NULL, on_accept, &s));
    CHECK_OK(spl_tcp_connect_from(loop, local, "127.0.0.1",
                                  spl_tcp_local_port(l), 5000, on_connect, &s));
    NH_RUN(loop, 10000);
    CHECK_OK(s.status);
    CHECK(s.conns[0] != NULL && s.conns[1] != NULL);
    CHECK_OK(spl_tcp_peer_name(s.conns[0], name, sizeof name));
    snprintf(want, sizeof want, "%s:%u", want_ip,
             (unsigned)spl_tcp_local_port(s.conns[1]));
    tu_log("from %s: the server sees %s", local ? local : "(any)", name);
    CHECK(strcmp(name, want) == 0);
    CHECK(spl_tcp_local_port(s.conns[1]) != 0);
    nh_close_all(loop, s.conns, 2);
}

/* A connect whose bind fails completes with SECIP_EADDR. */
static void bind_fails(spl_loop *loop, uint16_t port, const char *local)
{
    side s;
    memset(&s, 0, sizeof s);
    s.loop = loop;
    s.pending = 1;
    int rc = spl_tcp_connect_from(loop, local, "127.0.0.1", port, 5000,
                                  on_connect, &s);
    if (rc < 0) { /* refusing it at once is allowed too */
        CHECK(rc == SECIP_EADDR);
        return;
    }
    NH_RUN(loop, 10000);
    tu_log("from %s: %s", local, secip_last_error());
    CHECK(s.status == SECIP_EADDR);
}

int main(void)
{
    spl_loop *loop = NULL;
    spl_tcp *l = NULL;
    side s;
    CHECK_OK(spl_loop_new(&loop));
    CHECK_OK(spl_tcp_listen(loop, "127.0.0.1", 0, 0, &l));
    connect_from(loop, l, "127.0.0.2", "127.0.0.2");
    connect_from(loop, l, "127.0.0.1", "127.0.0.1");
    connect_from(loop, l, NULL, "127.0.0.1");
    memset(&s, 0, sizeof s);
    CHECK_ERR(spl_tcp_connect_from(loop, "localhost", "127.0.0.1",
                                   spl_tcp_local_port(l), 5000, on_connect, &s),
              SECIP_EADDR);
    CHECK_ERR(spl_tcp_connect_from(loop, "::1", "127.0.0.1",
                                   spl_tcp_local_port(l), 5000, on_connect, &s),
              SECIP_EADDR);
    /* TEST-NET-1 (RFC 5737) is never a local address. */
    bind_fails(loop, spl_tcp_local_port(l), "192.0.2.1");
    nh_close_all(loop, &l, 1);
    nh_settle(loop, 50);
    spl_loop_free(loop);
    tu_log("ok");
    return 0;
}
