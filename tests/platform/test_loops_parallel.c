/*
 * platform_loops_parallel: four loops, each run by its own thread at the
 * same time, each with its own echo server, client and timer.  Every
 * thread streams 4 MiB of its own pattern (seed = thread number) through
 * its echo and checks it; every callback must run on its own loop's thread
 * and never on another.  Catches backend state shared between loops
 * (a global "current loop", one wake-up fd, a shared timer heap).
 */
#include <stdlib.h>
#include <string.h>

#include "net_helpers.h"

#define NLOOPS 4
#define SIZE   ((size_t)4 << 20)
#define PIECE  ((size_t)65536)

struct worker {
    int id;
    spl_loop *loop;
    nh_echo *echo;
    spl_tcp *h;
    unsigned char *tx;
    unsigned char rx[PIECE];
    size_t sent, received;
    int wrong_thread, bad, ticks, done;
};

static void check_thread(struct worker *w)
{
    if (!spl_loop_on_thread(w->loop))
        w->wrong_thread++;
}

static void on_write(spl_tcp *h, void *arg, ptrdiff_t result);

static void send_more(struct worker *w)
{
    spl_iov iov[2];
    size_t len = SIZE - w->sent < PIECE ? SIZE - w->sent : PIECE;

    iov[0].base = w->tx + w->sent;
    iov[0].len = len / 3;
    iov[1].base = w->tx + w->sent + len / 3;
    iov[1].len = len - len / 3;
    CHECK_OK(spl_tcp_write(w->h, iov, 2, on_write, w));
}

static void on_write(spl_tcp *h, void *arg, ptrdiff_t result)
{
    struct worker *w = arg;
    check_thread(w);
    CHECK(result > 0);
    w->sent += (size_t)result;
    if (w->sent < SIZE)
        send_more(w);
    else
        CHECK_OK(spl_tcp_shutdown(h));
}

static void on_read(spl_tcp *h, void *arg, ptrdiff_t result)
{
    struct worker *w = arg;
    check_thread(w);
    CHECK(result >= 0);
    if (result == 0) {
        w->done = 1;
        if (w->ticks >= 3) /* else the timer stops the loop */
            spl_loop_stop(w->loop);
        return;
    }
    if (w->received + (size_t)result > SIZE ||
        memcmp(w->rx, w->tx + w->received, (size_t)result) != 0)
        w->bad++;
    w->received += (size_t)result;
    CHECK_OK(spl_tcp_read(h, w->rx, sizeof(w->rx), on_read, w));
}

static void on_connect(void *arg, int status, spl_tcp *conn)
{
    struct worker *w = arg;
    check_thread(w);
    CHECK_OK(status);
    w->h = conn;
    CHECK_OK(spl_tcp_read(conn, w->rx, sizeof(w->rx), on_read, w));
    send_more(w);
}

static void on_tick(spl_timer *t, void *arg)
{
    struct worker *w = arg;
    (void)t;
    check_thread(w);
    if (++w->ticks == 3 && w->done)
        spl_loop_stop(w->loop);
}

static void echo_stopped(void *arg)
{
    struct worker *w = arg;
    spl_loop_stop(w->loop);
}

static void worker_main(void *arg)
{
    struct worker *w = arg;
    spl_timer *tick;

    CHECK_OK(spl_loop_new(&w->loop));
    w->echo = nh_echo_start(w->loop, "127.0.0.1", PIECE);
    CHECK_OK(spl_timer_new(w->loop, &tick));
    CHECK_OK(spl_timer_start(tick, 1, 1, on_tick, w));
    CHECK_OK(spl_tcp_connect(w->loop, "127.0.0.1", nh_echo_port(w->echo), 5000,
                             on_connect, w));
    NH_RUN(w->loop, 30000);
    spl_timer_free(tick);
    nh_close_all(w->loop, &w->h, 1);
    nh_echo_stop(w->echo, echo_stopped, w);
    NH_RUN(w->loop, 10000);
    nh_echo_free(w->echo);
    spl_loop_free(w->loop);
}

int main(void)
{
    struct worker *w = calloc(NLOOPS, sizeof(*w));
    spl_thread *th[NLOOPS];
    int i;

    CHECK(w != NULL);
    for (i = 0; i < NLOOPS; i++) {
        w[i].id = i;
        w[i].tx = malloc(SIZE);
        CHECK(w[i].tx != NULL);
        tu_fill((uint64_t)i + 1000, 0, w[i].tx, SIZE);
    }
    for (i = 0; i < NLOOPS; i++)
        CHECK_OK(spl_thread_create(&th[i], worker_main, &w[i]));
    for (i = 0; i < NLOOPS; i++)
        spl_thread_join(th[i]);
    for (i = 0; i < NLOOPS; i++) {
        tu_log("loop %d: %llu bytes echoed, %d ticks, %d wrong-thread calls", i,
               (unsigned long long)w[i].received, w[i].ticks,
               w[i].wrong_thread);
        CHECK(w[i].done);
        CHECK(w[i].received == SIZE);
        CHECK(w[i].bad == 0);
        CHECK(w[i].wrong_thread == 0);
        CHECK(w[i].ticks >= 3);
        free(w[i].tx);
    }
    free(w);
    return 0;
}
