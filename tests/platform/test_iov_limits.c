/*
 * platform_iov_limits: a gather write of SPL_IOV_MAX pieces of different
 * sizes (including 1-byte ones) arrives whole and in order, twice in a
 * row; n = 0 and n = SPL_IOV_MAX + 1 are refused at once with a negative
 * code, start nothing and never call back.
 */
#include <string.h>

#include "net_helpers.h"

#define SEED 5

struct st {
    spl_loop *loop;
    int writes;
    ptrdiff_t last_write;
    uint64_t received, expect;
    unsigned char rx[8192];
    int bad;
};

static void on_write(spl_tcp *h, void *arg, ptrdiff_t result)
{
    struct st *st = arg;
    (void)h;
    st->writes++;
    st->last_write = result;
}

static void never(spl_tcp *h, void *arg, ptrdiff_t result)
{
    (void)h;
    (void)arg;
    (void)result;
    CHECK(!"a refused write must never call back");
}

static void on_read(spl_tcp *h, void *arg, ptrdiff_t result)
{
    struct st *st = arg;
    size_t i;

    CHECK(result > 0);
    for (i = 0; i < (size_t)result; i++)
        if (st->rx[i] != tu_pattern(SEED, st->received + i))
            st->bad++;
    st->received += (uint64_t)result;
    if (st->received >= st->expect) {
        spl_loop_stop(st->loop);
        return;
    }
    CHECK_OK(spl_tcp_read(h, st->rx, sizeof(st->rx), on_read, st));
}

int main(void)
{
    static unsigned char data[2][SPL_IOV_MAX * 300];
    spl_iov iov[SPL_IOV_MAX + 1];
    struct st st;
    spl_tcp *c, *s, *both[2];
    size_t at, len, total;
    int round, i, rc;

    memset(&st, 0, sizeof(st));
    CHECK_OK(spl_loop_new(&st.loop));
    nh_pair(st.loop, &c, &s);

    rc = spl_tcp_write(c, iov, 0, never, NULL);
    CHECK(rc < 0);
    tu_log("n = 0: %s", secip_strerror(rc));
    for (i = 0; i <= SPL_IOV_MAX; i++) {
        iov[i].base = data[0];
        iov[i].len = 1;
    }
    rc = spl_tcp_write(c, iov, SPL_IOV_MAX + 1, never, NULL);
    CHECK(rc < 0);
    tu_log("n = SPL_IOV_MAX + 1: %s", secip_strerror(rc));

    for (round = 0; round < 2; round++) {
        total = 0;
        for (i = 0, at = 0; i < SPL_IOV_MAX; i++) {
            len = i % 5 == 0 ? 1 : (size_t)(i * 13 % 290) + 1;
            iov[i].base = data[round] + at;
            iov[i].len = len;
            at += len;
        }
        total = at;
        tu_fill(SEED, st.expect, data[round], total);
        st.expect += total;
        CHECK_OK(spl_tcp_write(c, iov, SPL_IOV_MAX, on_write, &st));
        CHECK_OK(spl_tcp_read(s, st.rx, sizeof(st.rx), on_read, &st));
        NH_RUN(st.loop, 5000);
        if (st.writes != round + 1) /* the write's completion may trail */
            nh_settle(st.loop, 100);
        CHECK(st.writes == round + 1);
        CHECK(st.last_write == (ptrdiff_t)total);
        CHECK(st.received == st.expect);
        CHECK(st.bad == 0);
        tu_log("round %d: %d pieces, %u bytes in order", round, SPL_IOV_MAX,
               (unsigned)total);
    }
    both[0] = c;
    both[1] = s;
    nh_close_all(st.loop, both, 2);
    spl_loop_free(st.loop);
    return 0;
}
