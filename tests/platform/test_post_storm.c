/*
 * platform_post_storm: 4 threads each post 100,000 functions to one running
 * loop, each carrying (thread, seq).  Every post must arrive exactly once,
 * on the loop thread, and the posts of one thread in posting order; nothing
 * may arrive after the last one.
 */
#include <stdlib.h>

#include "net_helpers.h"

#define NTHREADS 4
#define NPOSTS   100000

struct item {
    int thread;
    int seq;
};

static spl_loop *g_loop;
static struct item *g_items; /* NTHREADS * NPOSTS, written before posting */
static int g_next[NTHREADS]; /* loop thread only */
static int64_t g_total;      /* loop thread only */
static int g_bad;            /* loop thread only */
static spl_atomic g_post_errors;

static void arrive(void *arg)
{
    const struct item *it = arg;
    if (!spl_loop_on_thread(g_loop) || it->thread < 0 ||
        it->thread >= NTHREADS || it->seq != g_next[it->thread]) {
        if (g_bad++ < 5)
            tu_log("out of order: thread %d seq %d, expected %d", it->thread,
                   it->seq,
                   it->thread >= 0 && it->thread < NTHREADS ? g_next[it->thread]
                                                            : -1);
    } else {
        g_next[it->thread]++;
    }
    if (++g_total == (int64_t)NTHREADS * NPOSTS)
        spl_loop_stop(g_loop);
}

static void poster(void *arg)
{
    int t = (int)(intptr_t)arg;
    int i;
    for (i = 0; i < NPOSTS; i++) {
        struct item *it = &g_items[t * NPOSTS + i];
        if (spl_loop_post(g_loop, arrive, it) < 0)
            spl_atomic_add(&g_post_errors, 1);
    }
}

static void late_stop(spl_timer *t, void *arg)
{
    (void)t;
    (void)arg;
    spl_loop_stop(g_loop);
}

int main(void)
{
    spl_thread *th[NTHREADS];
    spl_timer *t;
    uint64_t start = spl_clock_ms();
    int i, j;

    g_items = malloc(sizeof(*g_items) * NTHREADS * NPOSTS);
    CHECK(g_items != NULL);
    for (i = 0; i < NTHREADS; i++)
        for (j = 0; j < NPOSTS; j++) {
            g_items[i * NPOSTS + j].thread = i;
            g_items[i * NPOSTS + j].seq = j;
        }
    CHECK_OK(spl_loop_new(&g_loop));
    for (i = 0; i < NTHREADS; i++)
        CHECK_OK(spl_thread_create(&th[i], poster, (void *)(intptr_t)i));
    NH_RUN(g_loop, 60000);
    for (i = 0; i < NTHREADS; i++)
        spl_thread_join(th[i]);
    CHECK(spl_atomic_load(&g_post_errors) == 0);
    tu_log("%d posts arrived in %u ms", (int)g_total,
           (unsigned)nh_elapsed_ms(start));
    CHECK(g_bad == 0);
    CHECK(g_total == (int64_t)NTHREADS * NPOSTS);
    for (i = 0; i < NTHREADS; i++)
        CHECK(g_next[i] == NPOSTS);
    /* Run a little longer: nothing may arrive twice. */
    CHECK_OK(spl_timer_new(g_loop, &t));
    CHECK_OK(spl_timer_start(t, 100, 0, late_stop, NULL));
    NH_RUN(g_loop, 5000);
    CHECK(g_total == (int64_t)NTHREADS * NPOSTS);
    spl_timer_free(t);
    spl_loop_free(g_loop);
    free(g_items);
    return 0;
}
