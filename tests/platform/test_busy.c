/*
 * platform_busy: one read and one write in flight per handle.  A second
 * read while one is pending returns SECIP_EBUSY at once and never calls
 * back; likewise a second write while a 64 MiB write is stuck.  After the
 * close, the first read and write complete once with SECIP_ECANCELED.
 */
#include <stdlib.h>
#include <string.h>

#include "net_helpers.h"

#define BIG ((size_t)64 << 20)

static int g_reads, g_writes;
static ptrdiff_t g_read_result, g_write_result;

static void on_read(spl_tcp *h, void *arg, ptrdiff_t result)
{
    (void)h;
    (void)arg;
    g_reads++;
    g_read_result = result;
}

static void on_write(spl_tcp *h, void *arg, ptrdiff_t result)
{
    (void)h;
    (void)arg;
    g_writes++;
    g_write_result = result;
}

static void never(spl_tcp *h, void *arg, ptrdiff_t result)
{
    (void)h;
    (void)arg;
    (void)result;
    CHECK(!"a refused operation must never call back");
}

int main(void)
{
    spl_loop *loop;
    spl_tcp *c, *s;
    unsigned char rbuf[64], rbuf2[64];
    unsigned char *big = calloc(1, BIG);
    spl_iov iov;

    CHECK(big != NULL);
    CHECK_OK(spl_loop_new(&loop));
    nh_pair(loop, &c, &s);

    CHECK_OK(spl_tcp_read(c, rbuf, sizeof(rbuf), on_read, NULL));
    CHECK_ERR(spl_tcp_read(c, rbuf2, sizeof(rbuf2), never, NULL), SECIP_EBUSY);
    iov.base = big;
    iov.len = BIG;
    CHECK_OK(spl_tcp_write(c, &iov, 1, on_write, NULL));
    CHECK_ERR(spl_tcp_write(c, &iov, 1, never, NULL), SECIP_EBUSY);

    /* Still busy after the loop has tried them. */
    nh_settle(loop, 100);
    CHECK(g_reads == 0 && g_writes == 0);
    CHECK_ERR(spl_tcp_read(c, rbuf2, sizeof(rbuf2), never, NULL), SECIP_EBUSY);
    CHECK_ERR(spl_tcp_write(c, &iov, 1, never, NULL), SECIP_EBUSY);

    nh_close_all(loop, &c, 1);
    CHECK(g_reads == 1 && g_writes == 1);
    CHECK_ERR(g_read_result, SECIP_ECANCELED);
    CHECK_ERR(g_write_result, SECIP_ECANCELED);
    tu_log("second read/write refused with EBUSY; first ones cancelled");

    nh_close_all(loop, &s, 1);
    spl_loop_free(loop);
    free(big);
    return 0;
}
