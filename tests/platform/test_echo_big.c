/*
 * platform_echo_big: 256 MiB through a loopback echo server.
 *
 * The echo server runs on its own loop thread; the client, on the main
 * thread, sends a patterned stream with gather writes of four pieces of
 * varying sizes while it reads the echo back, checks every byte against
 * the pattern and an FNV-1a checksum of what it sent, then shuts down its
 * side and expects end of stream after exactly 256 MiB.
 *
 * Stream byte i is tu_pattern(SEED, i % PERIOD), kept in a table (filled
 * with tu_fill) that the write pieces point into and the reader memcmp()s
 * against: per-byte pattern work would make the sanitizer builds (TSan
 * especially) take minutes.  PERIOD is odd, so it never lines up with the
 * chunk or buffer sizes and a lost, doubled or reordered piece shows.
 */
#include <stdlib.h>
#include <string.h>

#include "net_helpers.h"

#define TOTAL    ((uint64_t)256 << 20)
#define CHUNK    ((size_t)256 << 10)
#define SEED     42
#define DEADLINE 100000 /* ms, inside CTest's 120 s */
#define PERIOD   ((size_t)1000003)

/* table[j] = pattern(j % PERIOD) for j < PERIOD + CHUNK, so that every
 * CHUNK-long window of the stream is contiguous in it. */
static unsigned char *g_table;

static const unsigned char *stream_at(uint64_t off)
{
    return g_table + (size_t)(off % PERIOD);
}

struct client {
    spl_loop *loop;
    spl_tcp *h;
    const unsigned char *tx;
    unsigned char *rx;
    uint64_t sent, received;
    uint64_t fnv_tx, fnv_rx;
    uint64_t writes;
    int eof, failed;
};

static void on_read(spl_tcp *h, void *arg, ptrdiff_t result);
static void send_next(struct client *c);

static void fail(struct client *c, const char *what, ptrdiff_t result)
{
    tu_log("%s failed: %s", what, secip_strerror((int)result));
    c->failed = 1;
    spl_loop_stop(c->loop);
}

static void on_write(spl_tcp *h, void *arg, ptrdiff_t result)
{
    struct client *c = arg;
    (void)h;
    if (result <= 0) {
        fail(c, "write", result);
        return;
    }
    c->sent += (uint64_t)result;
    send_next(c);
}

static void send_next(struct client *c)
{
    spl_iov iov[4];
    size_t len, cut1, cut2, cut3;
    uint64_t k = c->writes++;

    if (c->sent == TOTAL) {
        CHECK_OK(spl_tcp_shutdown(c->h));
        return;
    }
    len = CHUNK;
    if (TOTAL - c->sent < len)
        len = (size_t)(TOTAL - c->sent);
    c->tx = stream_at(c->sent);
    c->fnv_tx = tu_fnv(c->fnv_tx, c->tx, len);
    /* Four pieces whose sizes change with every write, 1 byte and up. */
    cut1 = 1 + (size_t)(k * 7919 % 4096);
    cut2 = cut1 + 1 + (size_t)(k % 3);
    cut3 = cut2 + 1 + (size_t)(k * 104729 % (len / 2));
    CHECK(cut3 < len); /* len is CHUNK: every piece is non-empty */
    iov[0].base = c->tx;
    iov[0].len = cut1;
    iov[1].base = c->tx + cut1;
    iov[1].len = cut2 - cut1;
    iov[2].base = c->tx + cut2;
    iov[2].len = cut3 - cut2;
    iov[3].base = c->tx + cut3;
    iov[3].len = len - cut3;
    CHECK_OK(spl_tcp_write(c->h, iov, 4, on_write, c));
}

static void on_read(spl_tcp *h, void *arg, ptrdiff_t result)
{
    struct client *c = arg;
    size_t n;

    if (result < 0) {
        fail(c, "read", result);
        return;
    }
    if (result == 0) {
        c->eof = 1;
        spl_loop_stop(c->loop);
        return;
    }
    n = (size_t)result;
    if (c->received + n > TOTAL) {
        fail(c, "read (more bytes than sent)", SECIP_EPROTO);
        return;
    }
    if (memcmp(c->rx, stream_at(c->received), n) != 0) {
        tu_log("bytes %llu..%llu differ", (unsigned long long)c->received,
               (unsigned long long)(c->received + n));
        fail(c, "verify", SECIP_EPROTO);
        return;
    }
    c->fnv_rx = tu_fnv(c->fnv_rx, c->rx, n);
    c->received += n;
    CHECK_OK(spl_tcp_read(h, c->rx, CHUNK, on_read, c));
}

static void on_connect(void *arg, int status, spl_tcp *conn)
{
    struct client *c = arg;
    if (status < 0) {
        fail(c, "connect", status);
        return;
    }
    c->h = conn;
    CHECK_OK(spl_tcp_read(conn, c->rx, CHUNK, on_read, c));
    send_next(c);
}

int main(void)
{
    nh_tloop server;
    nh_echo *echo;
    struct client c;
    uint64_t start;
    double secs;

    nh_tloop_init(&server);
    echo = nh_echo_start(server.loop, "127.0.0.1", CHUNK);
    nh_tloop_start(&server);

    g_table = malloc(PERIOD + CHUNK);
    CHECK(g_table != NULL);
    tu_fill(SEED, 0, g_table, PERIOD);
    memcpy(g_table + PERIOD, g_table, CHUNK);
    memset(&c, 0, sizeof(c));
    c.rx = malloc(CHUNK);
    CHECK(c.rx != NULL);
    c.fnv_tx = c.fnv_rx = TU_FNV_INIT;
    CHECK_OK(spl_loop_new(&c.loop));
    start = spl_clock_ms();
    CHECK_OK(spl_tcp_connect(c.loop, "127.0.0.1", nh_echo_port(echo), 5000,
                             on_connect, &c));
    NH_RUN(c.loop, DEADLINE);
    secs = (double)nh_elapsed_ms(start) / 1000.0;
    tu_log("sent %llu, received %llu in %.2f s (%.1f MiB/s each way)",
           (unsigned long long)c.sent, (unsigned long long)c.received, secs,
           (double)c.received / 1048576.0 / (secs > 0 ? secs : 1));
    CHECK(!c.failed);
    CHECK(c.eof);
    CHECK(c.sent == TOTAL);
    CHECK(c.received == TOTAL);
    CHECK(c.fnv_rx == c.fnv_tx);
    tu_log("checksum %016llx matches", (unsigned long long)c.fnv_rx);
    CHECK(nh_echo_bytes(echo) == (int64_t)TOTAL);

    nh_close_all(c.loop, &c.h, 1);
    nh_echo_stop_tloop(echo, &server);
    nh_echo_free(echo);
    nh_tloop_free(&server);
    spl_loop_free(c.loop);
    free(g_table);
    free(c.rx);
    return 0;
}
