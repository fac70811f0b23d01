/*
 * platform_connect_refused: connecting to a loopback port that was just
 * bound and closed completes the connect callback once with
 * SECIP_ECONNREFUSED and a NULL handle, never inside spl_tcp_connect.
 * (Windows retries a refused SYN for about a second; Linux and Wine answer
 * at once.)
 */
#include "net_helpers.h"

struct result {
    nh_count count;
    int calls;
    int status;
    spl_tcp *conn;
};

static void on_connect(void *arg, int status, spl_tcp *conn)
{
    struct result *r = arg;
    r->calls++;
    r->status = status;
    r->conn = conn;
    nh_count_hit(&r->count);
}

int main(void)
{
    spl_loop *loop;
    spl_tcp *l;
    uint16_t port;
    struct result r = {{NULL, 1}, 0, 1, NULL};
    uint64_t start;

    CHECK_OK(spl_loop_new(&loop));
    r.count.loop = loop;
    CHECK_OK(spl_tcp_listen(loop, "127.0.0.1", 0, 4, &l));
    port = spl_tcp_local_port(l);
    CHECK(port != 0);
    nh_close_all(loop, &l, 1);

    start = spl_clock_ms();
    CHECK_OK(spl_tcp_connect(loop, "127.0.0.1", port, 10000, on_connect, &r));
    CHECK(r.calls == 0); /* never inside the call */
    NH_RUN(loop, 15000);
    tu_log("connect to closed port %u: %s after %u ms", (unsigned)port,
           secip_strerror(r.status), (unsigned)nh_elapsed_ms(start));
    CHECK(r.calls == 1);
    CHECK_ERR(r.status, SECIP_ECONNREFUSED);
    CHECK(r.conn == NULL);

    /* Again with the OS's own timeout (0). */
    r.calls = 0;
    r.count.left = 1;
    CHECK_OK(spl_tcp_connect(loop, "127.0.0.1", port, 0, on_connect, &r));
    NH_RUN(loop, 15000);
    CHECK(r.calls == 1);
    CHECK_ERR(r.status, SECIP_ECONNREFUSED);
    spl_loop_free(loop);
    return 0;
}
