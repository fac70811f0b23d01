/*
 * platform_shutdown_pending: spl_tcp_shutdown while a 4 MiB write is still
 * in flight (the peer has not read yet).  The write must still complete
 * with all its bytes, and the peer must read every byte, in order, before
 * end of stream: a shutdown never cuts off data that was already handed to
 * spl_tcp_write.  (platform.h does not spell this out; both backends are
 * expected to behave like this, and the session layer relies on it for a
 * clean close after the last message.)
 */
#include <stdlib.h>
#include <string.h>

#include "net_helpers.h"

#define SIZE ((size_t)4 << 20)
#define SEED 9

struct st {
    spl_loop *loop;
    unsigned char *tx;
    unsigned char rx[65536];
    uint64_t received;
    ptrdiff_t write_result;
    int writes, eof, bad;
};

static void on_write(spl_tcp *h, void *arg, ptrdiff_t result)
{
    struct st *st = arg;
    (void)h;
    st->writes++;
    st->write_result = result;
}

static void on_read(spl_tcp *h, void *arg, ptrdiff_t result)
{
    struct st *st = arg;

    CHECK(result >= 0);
    if (result == 0) {
        st->eof = 1;
        spl_loop_stop(st->loop);
        return;
    }
    if (st->received + (uint64_t)result > SIZE ||
        memcmp(st->rx, st->tx + st->received, (size_t)result) != 0)
        st->bad++;
    st->received += (uint64_t)result;
    CHECK_OK(spl_tcp_read(h, st->rx, sizeof(st->rx), on_read, st));
}

int main(void)
{
    struct st st;
    spl_tcp *c, *s, *both[2];
    spl_iov iov;
    int rc;

    memset(&st, 0, sizeof(st));
    st.tx = malloc(SIZE);
    CHECK(st.tx != NULL);
    tu_fill(SEED, 0, st.tx, SIZE);
    CHECK_OK(spl_loop_new(&st.loop));
    nh_pair(st.loop, &c, &s);

    iov.base = st.tx;
    iov.len = SIZE;
    CHECK_OK(spl_tcp_write(c, &iov, 1, on_write, &st));
    rc = spl_tcp_shutdown(c);
    tu_log("shutdown with a write in flight returned %d", rc);
    CHECK_OK(rc);
    CHECK_OK(spl_tcp_read(s, st.rx, sizeof(st.rx), on_read, &st));
    NH_RUN(st.loop, 20000);
    if (st.writes == 0)
        nh_settle(st.loop, 200);
    tu_log("write: %d, peer read %llu bytes then %s", (int)st.write_result,
           (unsigned long long)st.received, st.eof ? "end of stream" : "?");
    CHECK(st.writes == 1);
    CHECK(st.write_result == (ptrdiff_t)SIZE);
    CHECK(st.bad == 0);
    CHECK(st.received == SIZE);
    CHECK(st.eof);
    both[0] = c;
    both[1] = s;
    nh_close_all(st.loop, both, 2);
    spl_loop_free(st.loop);
    free(st.tx);
    return 0;
}
