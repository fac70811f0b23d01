/*
 * platform_timers: the spl_timer_* contract.
 *  - one-shot timers fire in deadline order, equal deadlines in start order;
 *  - a repeating timer fires N times, then a stop from its callback ends it;
 *  - a timer stopped before its deadline never fires;
 *  - a callback may free its own timer (one-shot and repeating);
 *  - restart moves the deadline; a callback may restart its own timer;
 *  - a callback that stops or frees another timer due in the same
 *    iteration keeps that one from firing;
 *  - 2,000 timers all fire, none early, in deadline order.
 */
#include <string.h>

#include "net_helpers.h"

static spl_loop *g_loop;

#define MAXLOG 4096
static int g_log[MAXLOG];
static int g_nlog;

static void log_cb(spl_timer *t, void *arg)
{
    (void)t;
    CHECK(g_nlog < MAXLOG);
    g_log[g_nlog++] = (int)(intptr_t)arg;
}

static void stop_cb(spl_timer *t, void *arg)
{
    (void)t;
    (void)arg;
    spl_loop_stop(g_loop);
}

static void test_order(void)
{
    /* timeouts; ties must come out in start order */
    static const uint64_t ms[] = {30, 10, 20, 20, 0, 20, 10, 0, 30};
    static const int want[] = {4, 7, 1, 6, 2, 3, 5, 0, 8};
    spl_timer *t[9], *end;
    int i;

    g_nlog = 0;
    for (i = 0; i < 9; i++) {
        CHECK_OK(spl_timer_new(g_loop, &t[i]));
        CHECK_OK(spl_timer_start(t[i], ms[i], 0, log_cb, (void *)(intptr_t)i));
    }
    CHECK(g_nlog == 0); /* never inside start */
    CHECK_OK(spl_timer_new(g_loop, &end));
    CHECK_OK(spl_timer_start(end, 80, 0, stop_cb, NULL));
    NH_RUN(g_loop, 5000);
    CHECK(g_nlog == 9);
    for (i = 0; i < 9; i++)
        CHECK(g_log[i] == want[i]);
    for (i = 0; i < 9; i++)
        spl_timer_free(t[i]);
    spl_timer_free(end);
}

struct rep {
    int count;
    int limit;
    uint64_t first_ms, last_ms;
};

static void rep_cb(spl_timer *t, void *arg)
{
    struct rep *r = arg;
    if (r->count == 0)
        r->first_ms = spl_clock_ms();
    r->last_ms = spl_clock_ms();
    CHECK(r->count < r->limit); /* would fire after the stop */
    if (++r->count == r->limit)
        spl_timer_stop(t);
}

static void test_repeat(void)
{
    struct rep r;
    spl_timer *t, *end, *never;
    uint64_t start = spl_clock_ms();

    memset(&r, 0, sizeof(r));
    r.limit = 10;
    g_nlog = 0;
    CHECK_OK(spl_timer_new(g_loop, &t));
    CHECK_OK(spl_timer_start(t, 5, 5, rep_cb, &r));
    CHECK_OK(spl_timer_new(g_loop, &never));
    CHECK_OK(spl_timer_start(never, 10, 0, log_cb, (void *)(intptr_t)99));
    spl_timer_stop(never); /* stopped before firing: never fires */
    CHECK_OK(spl_timer_new(g_loop, &end));
    /* Far after the 10 repeats (50 ms), so that a loaded machine still
     * gets all of them in before the stop. */
    CHECK_OK(spl_timer_start(end, 1000, 0, stop_cb, NULL));
    NH_RUN(g_loop, 5000);
    CHECK(r.count == 10);
    CHECK(r.first_ms - start >= 4);
    CHECK(r.last_ms - start >= 45); /* 10 periods of 5 ms, minus rounding */
    CHECK(g_nlog == 0);
    spl_timer_free(t);
    spl_timer_free(never);
    spl_timer_free(end);
}

static int g_freed;

static void free_self_cb(spl_timer *t, void *arg)
{
    (void)arg;
    g_freed++;
    spl_timer_free(t); /* ASan would catch a use after this */
}

static void test_free_self(void)
{
    spl_timer *a, *b, *c, *end;

    g_freed = 0;
    CHECK_OK(spl_timer_new(g_loop, &a));
    CHECK_OK(spl_timer_new(g_loop, &b));
    CHECK_OK(spl_timer_new(g_loop, &c));
    CHECK_OK(spl_timer_start(a, 5, 0, free_self_cb, NULL));
    CHECK_OK(spl_timer_start(b, 5, 3, free_self_cb, NULL)); /* repeating */
    CHECK_OK(spl_timer_start(c, 5, 0, free_self_cb, NULL)); /* same deadline */
    CHECK_OK(spl_timer_new(g_loop, &end));
    CHECK_OK(spl_timer_start(end, 60, 0, stop_cb, NULL));
    NH_RUN(g_loop, 5000);
    CHECK(g_freed == 3);
    spl_timer_free(end);
}

struct restart {
    uint64_t started_ms, fired_ms;
    int fired;
    int probe_saw_fired;
};

static void restart_fire_cb(spl_timer *t, void *arg)
{
    struct restart *r = arg;
    (void)t;
    r->fired++;
    r->fired_ms = spl_clock_ms();
}

static void restart_probe_cb(spl_timer *t, void *arg)
{
    struct restart *r = arg;
    (void)t;
    r->probe_saw_fired = r->fired;
}

static void test_restart(void)
{
    struct restart r;
    spl_timer *t, *probe, *end;

    memset(&r, 0, sizeof(r));
    CHECK_OK(spl_timer_new(g_loop, &t));
    CHECK_OK(spl_timer_start(t, 10, 0, restart_fire_cb, &r));
    r.started_ms = spl_clock_ms();
    CHECK_OK(spl_timer_start(t, 120, 0, restart_fire_cb, &r));
    CHECK_OK(spl_timer_new(g_loop, &probe));
    CHECK_OK(spl_timer_start(probe, 50, 0, restart_probe_cb, &r));
    CHECK_OK(spl_timer_new(g_loop, &end));
    CHECK_OK(spl_timer_start(end, 250, 0, stop_cb, NULL));
    NH_RUN(g_loop, 5000);
    CHECK(r.probe_saw_fired == 0); /* the 10 ms deadline was replaced */
    CHECK(r.fired == 1);
    CHECK(r.fired_ms - r.started_ms >= 115);
    spl_timer_free(t);
    spl_timer_free(probe);
    spl_timer_free(end);
}

static int g_self_restarts;

static void self_restart_cb(spl_timer *t, void *arg)
{
    (void)arg;
    if (++g_self_restarts == 5) {
        spl_loop_stop(g_loop);
        return;
    }
    CHECK_OK(spl_timer_start(t, (uint64_t)g_self_restarts, 0, self_restart_cb,
                             NULL));
    CHECK(g_self_restarts < 5);
}

static void test_restart_from_callback(void)
{
    spl_timer *t;

    g_self_restarts = 0;
    CHECK_OK(spl_timer_new(g_loop, &t));
    CHECK_OK(spl_timer_start(t, 1, 0, self_restart_cb, NULL));
    NH_RUN(g_loop, 5000);
    CHECK(g_self_restarts == 5);
    spl_timer_free(t);
}

/* Three timers due together: the first stops the second and frees the
 * third, so neither may fire (and ASan sees no use after free). */
static spl_timer *g_victims[2];
static int g_victim_fired;

static void victim_cb(spl_timer *t, void *arg)
{
    (void)t;
    (void)arg;
    g_victim_fired++;
}

static void killer_cb(spl_timer *t, void *arg)
{
    (void)t;
    (void)arg;
    spl_timer_stop(g_victims[0]);
    spl_timer_free(g_victims[1]);
    g_victims[1] = NULL;
}

static void test_kill_others(void)
{
    spl_timer *killer, *end;

    g_victim_fired = 0;
    CHECK_OK(spl_timer_new(g_loop, &killer));
    CHECK_OK(spl_timer_new(g_loop, &g_victims[0]));
    CHECK_OK(spl_timer_new(g_loop, &g_victims[1]));
    CHECK_OK(spl_timer_start(killer, 10, 0, killer_cb, NULL));
    CHECK_OK(spl_timer_start(g_victims[0], 10, 0, victim_cb, NULL));
    CHECK_OK(spl_timer_start(g_victims[1], 10, 0, victim_cb, NULL));
    CHECK_OK(spl_timer_new(g_loop, &end));
    CHECK_OK(spl_timer_start(end, 60, 0, stop_cb, NULL));
    NH_RUN(g_loop, 5000);
    CHECK(g_victim_fired == 0);
    CHECK(g_victims[1] == NULL);
    spl_timer_free(g_victims[0]);
    spl_timer_free(killer);
    spl_timer_free(end);
}

#define NMANY 2000
struct many {
    uint64_t start_ms, start_hi_ms, timeout, fired_ms;
    int order;
};
static struct many g_many[NMANY];
static int g_nfired;

static void many_cb(spl_timer *t, void *arg)
{
    struct many *m = arg;
    (void)t;
    CHECK(m->order == -1); /* fires once */
    m->fired_ms = spl_clock_ms();
    m->order = g_nfired;
    g_log[g_nfired++] = (int)(m - g_many);
    if (g_nfired == NMANY)
        spl_loop_stop(g_loop);
}

static void test_many(void)
{
    static spl_timer *t[NMANY];
    uint64_t x = 12345;
    int i;

    g_nfired = 0;
    for (i = 0; i < NMANY; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        g_many[i].timeout = (x >> 33) % 60;
        g_many[i].order = -1;
        CHECK_OK(spl_timer_new(g_loop, &t[i]));
        g_many[i].start_ms = spl_clock_ms();
        CHECK_OK(
            spl_timer_start(t[i], g_many[i].timeout, 0, many_cb, &g_many[i]));
        g_many[i].start_hi_ms = spl_clock_ms();
    }
    NH_RUN(g_loop, 10000);
    CHECK(g_nfired == NMANY);
    for (i = 0; i < NMANY; i++) {
        struct many *m = &g_many[i];
        CHECK(m->fired_ms - m->start_ms >= m->timeout); /* never early */
    }
    /* Deadline order.  The backend read its clock somewhere between our
     * start_ms and start_hi_ms (far apart when the machine is loaded), so
     * if a fired before b: a.start + a.timeout <= b.start_hi + b.timeout. */
    for (i = 1; i < NMANY; i++) {
        struct many *a = &g_many[g_log[i - 1]], *b = &g_many[g_log[i]];
        CHECK(a->start_ms + a->timeout <= b->start_hi_ms + b->timeout);
    }
    for (i = 0; i < NMANY; i++)
        spl_timer_free(t[i]);
}

int main(void)
{
    CHECK_OK(spl_loop_new(&g_loop));
    test_order();
    tu_log("deadline/tie order ok");
    test_repeat();
    tu_log("repeat and stop-before-fire ok");
    test_free_self();
    tu_log("free from own callback ok");
    test_restart();
    tu_log("restart moves the deadline ok");
    test_restart_from_callback();
    tu_log("restart from own callback ok");
    test_kill_others();
    tu_log("stop/free of another due timer ok");
    test_many();
    tu_log("2000 timers ok");
    spl_loop_free(g_loop);
    return 0;
}
