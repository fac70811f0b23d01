/*
 * platform_loop: spl_loop_run / spl_loop_stop / spl_loop_post basics.
 *  - a timer stops a running loop; a stop before run makes run return at
 *    once, and the loop runs normally afterwards;
 *  - a stop from another thread ends the run;
 *  - a function posted from the loop thread runs later, never inside
 *    spl_loop_post, and on the loop thread;
 *  - posts queued before a stop still run, in posting order;
 *  - posted functions that post again keep running.
 */
#include <string.h>

#include "net_helpers.h"

static spl_loop *g_loop;
static int g_fired;

static void stop_timer_cb(spl_timer *t, void *arg)
{
    (void)t;
    (void)arg;
    g_fired++;
    spl_loop_stop(g_loop);
}

static void test_run_stop(void)
{
    spl_timer *t;
    uint64_t start = spl_clock_ms();

    g_fired = 0;
    CHECK_OK(spl_timer_new(g_loop, &t));
    CHECK_OK(spl_timer_start(t, 20, 0, stop_timer_cb, NULL));
    NH_RUN(g_loop, 5000);
    CHECK(g_fired == 1);
    CHECK(nh_elapsed_ms(start) >= 15);
    spl_timer_free(t);
}

static void test_stop_before_run(void)
{
    spl_timer *t;
    uint64_t start;

    g_fired = 0;
    CHECK_OK(spl_timer_new(g_loop, &t));
    CHECK_OK(spl_timer_start(t, 1000, 0, stop_timer_cb, NULL));
    spl_loop_stop(g_loop);
    spl_loop_stop(g_loop); /* more than once is fine */
    start = spl_clock_ms();
    CHECK_OK(spl_loop_run(g_loop));
    CHECK(nh_elapsed_ms(start) < 900); /* returned at once */
    CHECK(g_fired == 0);
    /* The stop was consumed: the next run lasts until the timer stops it. */
    NH_RUN(g_loop, 5000);
    CHECK(g_fired == 1);
    CHECK(nh_elapsed_ms(start) >= 950);
    spl_timer_free(t);
}

static spl_atomic g_other_on_thread;

static void stopper_main(void *arg)
{
    (void)arg;
    spl_sleep_ms(50);
    /* Not the loop thread: must say so. */
    spl_atomic_store(&g_other_on_thread, spl_loop_on_thread(g_loop) ? 1 : 0);
    spl_loop_stop(g_loop);
}

static void test_stop_from_thread(void)
{
    spl_thread *th;
    uint64_t start = spl_clock_ms();

    spl_atomic_store(&g_other_on_thread, 7);
    CHECK_OK(spl_thread_create(&th, stopper_main, NULL));
    NH_RUN(g_loop, 5000); /* a watchdog stop would fail here */
    spl_thread_join(th);
    CHECK(spl_atomic_load(&g_other_on_thread) == 0);
    CHECK(nh_elapsed_ms(start) >= 40);
}

struct post_probe {
    int ran;
    int on_thread;
    int ran_inside_post;
};

static int g_inside_post;

static void probe_fn(void *arg)
{
    struct post_probe *p = arg;
    p->ran++;
    p->on_thread = spl_loop_on_thread(g_loop);
    if (g_inside_post)
        p->ran_inside_post = 1;
    spl_loop_stop(g_loop);
}

static void post_from_loop_cb(spl_timer *t, void *arg)
{
    struct post_probe *p = arg;
    (void)t;
    CHECK(spl_loop_on_thread(g_loop));
    g_inside_post = 1;
    CHECK_OK(spl_loop_post(g_loop, probe_fn, p));
    g_inside_post = 0;
    CHECK(p->ran == 0); /* not run inside the call */
}

static void test_post_from_loop_thread(void)
{
    struct post_probe p;
    spl_timer *t;

    memset(&p, 0, sizeof(p));
    CHECK(!spl_loop_on_thread(g_loop)); /* nobody runs it now */
    CHECK_OK(spl_timer_new(g_loop, &t));
    CHECK_OK(spl_timer_start(t, 0, 0, post_from_loop_cb, &p));
    NH_RUN(g_loop, 5000);
    CHECK(p.ran == 1);
    CHECK(p.on_thread == 1);
    CHECK(p.ran_inside_post == 0);
    spl_timer_free(t);
}

#define NPOSTS 1000
static int g_order[NPOSTS];
static int g_norder;

static void order_fn(void *arg)
{
    CHECK(g_norder < NPOSTS);
    g_order[g_norder++] = (int)(intptr_t)arg;
}

static void test_posts_before_stop_run(void)
{
    int i;

    g_norder = 0;
    for (i = 0; i < NPOSTS; i++)
        CHECK_OK(spl_loop_post(g_loop, order_fn, (void *)(intptr_t)i));
    CHECK(g_norder == 0);
    spl_loop_stop(g_loop);
    CHECK_OK(spl_loop_run(g_loop));
    CHECK(g_norder == NPOSTS); /* queued before the stop: all ran */
    for (i = 0; i < NPOSTS; i++)
        CHECK(g_order[i] == i);
}

static int g_chain;

static void chain_fn(void *arg)
{
    (void)arg;
    if (++g_chain == NPOSTS) {
        spl_loop_stop(g_loop);
        return;
    }
    CHECK_OK(spl_loop_post(g_loop, chain_fn, NULL));
}

static void test_post_chain(void)
{
    g_chain = 0;
    CHECK_OK(spl_loop_post(g_loop, chain_fn, NULL));
    NH_RUN(g_loop, 10000);
    CHECK(g_chain == NPOSTS);
}

int main(void)
{
    CHECK_OK(spl_loop_new(&g_loop));
    test_run_stop();
    tu_log("run/stop ok");
    test_stop_before_run();
    tu_log("stop before run ok");
    test_stop_from_thread();
    tu_log("stop from another thread ok");
    test_post_from_loop_thread();
    tu_log("post from loop thread ok");
    test_posts_before_stop_run();
    tu_log("posts queued before stop ran in order");
    test_post_chain();
    tu_log("post chain ok");
    spl_loop_free(g_loop);
    return 0;
}
