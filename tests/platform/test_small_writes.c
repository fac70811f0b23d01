/*
 * platform_small_writes: 10,000 small writes (1 to 64 bytes, one to three
 * iov pieces), each started from the previous one's completion, arrive in
 * order: the reader checks every byte against one continuous pattern
 * stream and the total, then sees end of stream after the writer's
 * shutdown.  Nagle is off, so this also exercises many tiny segments.
 */
#include <string.h>

#include "net_helpers.h"

#define NWRITES 10000
#define SEED    77

struct st {
    spl_loop *loop;
    spl_tcp *c, *s;
    int writes;
    uint64_t sent, received;
    unsigned char tx[64], rx[4096];
    int eof, bad;
};

static void on_write(spl_tcp *h, void *arg, ptrdiff_t result);

static void write_next(struct st *st)
{
    spl_iov iov[3];
    size_t len = 1 + (size_t)(st->writes * 37 % 64);
    int n = 1 + st->writes % 3, i;
    size_t at = 0, piece;

    if (len < (size_t)n)
        n = (int)len;
    tu_fill(SEED, st->sent, st->tx, len);
    for (i = 0; i < n; i++) {
        piece = i == n - 1 ? len - at : (len - at) / (size_t)(n - i);
        iov[i].base = st->tx + at;
        iov[i].len = piece;
        at += piece;
    }
    CHECK_OK(spl_tcp_write(st->c, iov, n, on_write, st));
}

static void on_write(spl_tcp *h, void *arg, ptrdiff_t result)
{
    struct st *st = arg;
    CHECK(result > 0);
    st->sent += (uint64_t)result;
    if (++st->writes == NWRITES) {
        CHECK_OK(spl_tcp_shutdown(h));
        return;
    }
    write_next(st);
}

static void on_read(spl_tcp *h, void *arg, ptrdiff_t result)
{
    struct st *st = arg;
    size_t i;

    CHECK(result >= 0);
    if (result == 0) {
        st->eof = 1;
        spl_loop_stop(st->loop);
        return;
    }
    for (i = 0; i < (size_t)result; i++)
        if (st->rx[i] != tu_pattern(SEED, st->received + i))
            st->bad++;
    st->received += (uint64_t)result;
    CHECK_OK(spl_tcp_read(h, st->rx, sizeof(st->rx), on_read, st));
}

int main(void)
{
    struct st st;
    spl_tcp *both[2];
    uint64_t start;

    memset(&st, 0, sizeof(st));
    CHECK_OK(spl_loop_new(&st.loop));
    nh_pair(st.loop, &st.c, &st.s);
    CHECK_OK(spl_tcp_nodelay(st.c, 1));
    start = spl_clock_ms();
    CHECK_OK(spl_tcp_read(st.s, st.rx, sizeof(st.rx), on_read, &st));
    write_next(&st);
    NH_RUN(st.loop, 30000);
    tu_log("%d writes, %llu bytes sent, %llu received in %u ms", st.writes,
           (unsigned long long)st.sent, (unsigned long long)st.received,
           (unsigned)nh_elapsed_ms(start));
    CHECK(st.writes == NWRITES);
    CHECK(st.eof);
    CHECK(st.bad == 0);
    CHECK(st.received == st.sent);
    both[0] = st.c;
    both[1] = st.s;
    nh_close_all(st.loop, both, 2);
    spl_loop_free(st.loop);
    return 0;
}
