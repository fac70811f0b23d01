/*
 * platform_read_sizes: reads return at most what was asked for, and every
 * byte arrives once and in order whatever the read sizes (1, 2, 3, ... 97
 * bytes, cycling) -- a backend that reads more than len into the buffer or
 * drops the rest of a segment fails here.  The bytes after each read's len
 * in the buffer are guarded and must stay untouched.  Also: a read of 0
 * bytes or with no buffer is refused at once, and no callback ever runs
 * inside the spl_tcp_read / spl_tcp_write that started it, even when the
 * data is already there.
 */
#include <string.h>

#include "net_helpers.h"

#define TOTAL 20000
#define SEED  11
#define GUARD 0xa5

struct st {
    spl_loop *loop;
    spl_tcp *c, *s;
    unsigned char tx[TOTAL];
    unsigned char rx[128];
    size_t got, want_len;
    int reads, inside, writes;
};

static void on_read(spl_tcp *h, void *arg, ptrdiff_t result);

static void start_read(struct st *st)
{
    st->want_len = 1 + (size_t)(st->reads % 97);
    memset(st->rx, GUARD, sizeof(st->rx));
    st->inside = 1;
    CHECK_OK(spl_tcp_read(st->s, st->rx, st->want_len, on_read, st));
    st->inside = 0;
}

static void on_read(spl_tcp *h, void *arg, ptrdiff_t result)
{
    struct st *st = arg;
    size_t i;
    (void)h;

    CHECK(!st->inside);
    CHECK(result > 0);
    CHECK((size_t)result <= st->want_len);
    for (i = (size_t)result; i < sizeof(st->rx); i++)
        CHECK(st->rx[i] == GUARD);
    CHECK(memcmp(st->rx, st->tx + st->got, (size_t)result) == 0);
    st->got += (size_t)result;
    st->reads++;
    if (st->got == TOTAL) {
        spl_loop_stop(st->loop);
        return;
    }
    start_read(st);
}

static void on_write(spl_tcp *h, void *arg, ptrdiff_t result)
{
    struct st *st = arg;
    (void)h;
    CHECK(!st->inside);
    CHECK(result == TOTAL);
    st->writes++;
}

static void never(spl_tcp *h, void *arg, ptrdiff_t result)
{
    (void)h;
    (void)arg;
    (void)result;
    CHECK(!"a refused read must never call back");
}

int main(void)
{
    static struct st st;
    spl_tcp *both[2];
    spl_iov iov;

    CHECK_OK(spl_loop_new(&st.loop));
    nh_pair(st.loop, &st.c, &st.s);
    tu_fill(SEED, 0, st.tx, TOTAL);

    CHECK(spl_tcp_read(st.s, st.rx, 0, never, NULL) < 0);
    CHECK(spl_tcp_read(st.s, NULL, 10, never, NULL) < 0);

    iov.base = st.tx;
    iov.len = TOTAL;
    st.inside = 1;
    CHECK_OK(spl_tcp_write(st.c, &iov, 1, on_write, &st));
    st.inside = 0;
    /* Let the data arrive before the first read is started. */
    nh_settle(st.loop, 100);
    CHECK(st.writes == 1);
    start_read(&st);
    NH_RUN(st.loop, 10000);
    tu_log("%d bytes in %d reads of 1..97 bytes", (int)st.got, st.reads);
    CHECK(st.got == TOTAL);
    both[0] = st.c;
    both[1] = st.s;
    nh_close_all(st.loop, both, 2);
    spl_loop_free(st.loop);
    return 0;
}
