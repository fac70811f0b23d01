/*
 * platform_many_conns: 1,000 concurrent connections to an echo server on its
 * own loop thread.  Each client writes a 600-byte message unique to it (two
 * iov pieces), reads the echo until complete and checks it; all 1,000 stay
 * open until every one has verified, so they are really concurrent.
 * Connections that fail are counted and reported with their error, so a
 * limit (descriptors, backlog, Wine) shows up by name instead of as a hang.
 */
#include <stdlib.h>
#include <string.h>

#include "net_helpers.h"

#define NCONN 1000
#define MSG   600

struct conn {
    struct state *st;
    spl_tcp *h;
    int id;
    size_t got;
    unsigned char tx[MSG], rx[MSG];
};

struct state {
    spl_loop *loop;
    struct conn *c;
    int connected, verified, failed, finished;
    int first_error;
};

static void finish(struct state *st)
{
    if (++st->finished == NCONN)
        spl_loop_stop(st->loop);
}

static void conn_failed(struct conn *c, const char *what, int code)
{
    struct state *st = c->st;
    if (st->failed++ < 5)
        tu_log("conn %d: %s failed: %s", c->id, what, secip_strerror(code));
    if (st->first_error == 0)
        st->first_error = code;
    finish(st);
}

static void on_read(spl_tcp *h, void *arg, ptrdiff_t result)
{
    struct conn *c = arg;
    if (result <= 0) {
        conn_failed(c, "read", result == 0 ? SECIP_ECLOSED : (int)result);
        return;
    }
    c->got += (size_t)result;
    if (c->got < MSG) {
        CHECK_OK(spl_tcp_read(h, c->rx + c->got, MSG - c->got, on_read, c));
        return;
    }
    CHECK(c->got == MSG);
    if (memcmp(c->rx, c->tx, MSG) != 0) {
        conn_failed(c, "verify", SECIP_EPROTO);
        return;
    }
    c->st->verified++;
    finish(c->st);
}

static void on_write(spl_tcp *h, void *arg, ptrdiff_t result)
{
    struct conn *c = arg;
    (void)h;
    if (result != MSG)
        conn_failed(c, "write", result < 0 ? (int)result : SECIP_EIO);
}

static void on_connect(void *arg, int status, spl_tcp *h)
{
    struct conn *c = arg;
    spl_iov iov[2];

    if (status < 0) {
        conn_failed(c, "connect", status);
        return;
    }
    c->h = h;
    c->st->connected++;
    iov[0].base = c->tx;
    iov[0].len = 17;
    iov[1].base = c->tx + 17;
    iov[1].len = MSG - 17;
    CHECK_OK(spl_tcp_write(h, iov, 2, on_write, c));
    CHECK_OK(spl_tcp_read(h, c->rx, MSG, on_read, c));
}

static void close_all(struct state *st)
{
    nh_count cnt;
    int i;

    cnt.loop = st->loop;
    cnt.left = 0;
    for (i = 0; i < NCONN; i++)
        if (st->c[i].h != NULL)
            cnt.left++;
    for (i = 0; i < NCONN; i++)
        if (st->c[i].h != NULL)
            spl_tcp_close(st->c[i].h, nh_on_close, &cnt);
    if (cnt.left > 0)
        NH_RUN(st->loop, 20000);
}

int main(void)
{
    nh_tloop server;
    nh_echo *echo;
    struct state st;
    uint64_t start;
    int i;

    nh_tloop_init(&server);
    echo = nh_echo_start(server.loop, "127.0.0.1", 4096);
    nh_tloop_start(&server);

    memset(&st, 0, sizeof(st));
    st.c = calloc(NCONN, sizeof(*st.c));
    CHECK(st.c != NULL);
    CHECK_OK(spl_loop_new(&st.loop));
    start = spl_clock_ms();
    for (i = 0; i < NCONN; i++) {
        st.c[i].st = &st;
        st.c[i].id = i;
        tu_fill((uint64_t)i, 0, st.c[i].tx, MSG);
        CHECK_OK(spl_tcp_connect(st.loop, "127.0.0.1", nh_echo_port(echo),
                                 20000, on_connect, &st.c[i]));
    }
    NH_RUN(st.loop, 60000);
    tu_log("%d connected, %d verified, %d failed in %u ms (server accepted "
           "%d)",
           st.connected, st.verified, st.failed, (unsigned)nh_elapsed_ms(start),
           (int)nh_echo_accepted(echo));
    CHECK(st.failed == 0);
    CHECK(st.connected == NCONN);
    CHECK(st.verified == NCONN);
    CHECK(nh_echo_accepted(echo) == NCONN);
    /* The server counts bytes when its write completes, which may be just
     * after our read did: wait a little for the count. */
    for (i = 0; i < 500 && nh_echo_bytes(echo) != (int64_t)NCONN * MSG; i++)
        spl_sleep_ms(10);
    CHECK(nh_echo_bytes(echo) == (int64_t)NCONN * MSG);

    close_all(&st);
    nh_echo_stop_tloop(echo, &server);
    nh_echo_free(echo);
    nh_tloop_free(&server);
    spl_loop_free(st.loop);
    free(st.c);
    return 0;
}
