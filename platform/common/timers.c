/*
 * platform/common/timers.c -- the spl_timer_* contract on a binary min-heap,
 * shared by both backends.
 *
 * A backend embeds one spl_timers in its loop, passes spl_timers_timeout()
 * to its OS wait (epoll_wait / GetQueuedCompletionStatusEx) and calls
 * spl_timers_run() after every wait.  Everything here runs on the loop's
 * thread, so nothing is locked.
 *
 * Ordering: the heap is keyed on (deadline_ms, seq).  seq is taken from a
 * per-loop counter at every start, so timers with equal deadlines fire in
 * start order, as platform.h promises.
 */
#include <stdint.h>
#include <stdlib.h>

#include "common/common.h"
#include "error.h"

#define HEAP_NONE SIZE_MAX

/* ---- heap primitives --------------------------------------------------- */

/* True when a must fire before b. */
static int timer_before(const struct spl_timer *a, const struct spl_timer *b)
{
    if (a->deadline_ms != b->deadline_ms)
        return a->deadline_ms < b->deadline_ms;
    return a->seq < b->seq;
}

static void heap_set(spl_timers *ts, size_t i, struct spl_timer *t)
{
    ts->heap[i] = t;
    t->heap_index = i;
}

static void sift_up(spl_timers *ts, size_t i)
{
    struct spl_timer *t = ts->heap[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!timer_before(t, ts->heap[parent]))
            break;
        heap_set(ts, i, ts->heap[parent]);
        i = parent;
    }
    heap_set(ts, i, t);
}

static void sift_down(spl_timers *ts, size_t i)
{
    struct spl_timer *t = ts->heap[i];
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= ts->len)
            break;
        if (child + 1 < ts->len &&
            timer_before(ts->heap[child + 1], ts->heap[child]))
            child++;
        if (!timer_before(ts->heap[child], t))
            break;
        heap_set(ts, i, ts->heap[child]);
        i = child;
    }
    heap_set(ts, i, t);
}

static int heap_reserve(spl_timers *ts)
{
    struct spl_timer **grown;
    size_t cap;

    if (ts->len < ts->cap)
        return 0;
    cap = ts->cap ? ts->cap * 2 : 16;
    if (cap > SIZE_MAX / sizeof(*grown))
        return sp_error_set(SECIP_ENOMEM, "timer heap: too many timers");
    grown = realloc(ts->heap, cap * sizeof(*grown));
    if (grown == NULL)
        return sp_error_set(SECIP_ENOMEM, "timer heap: out of memory");
    ts->heap = grown;
    ts->cap = cap;
    return 0;
}

static void heap_insert(spl_timers *ts, struct spl_timer *t)
{
    /* Capacity was reserved by the caller, so insertion cannot fail. */
    heap_set(ts, ts->len, t);
    ts->len++;
    sift_up(ts, t->heap_index);
}

static void heap_remove(spl_timers *ts, struct spl_timer *t)
{
    size_t i = t->heap_index;
    struct spl_timer *last;

    t->heap_index = HEAP_NONE;
    ts->len--;
    if (i == ts->len)
        return;
    last = ts->heap[ts->len];
    heap_set(ts, i, last);
    /* The moved element may belong either above or below its new slot. */
    if (i > 0 && timer_before(last, ts->heap[(i - 1) / 2]))
        sift_up(ts, i);
    else
        sift_down(ts, i);
}

/* now + delta, saturating instead of wrapping for huge timeouts. */
static uint64_t add_sat(uint64_t now, uint64_t delta)
{
    return delta > UINT64_MAX - now ? UINT64_MAX : now + delta;
}

/* ---- the heap as the backend sees it ----------------------------------- */

void spl_timers_init(spl_timers *ts)
{
    ts->heap = NULL;
    ts->len = 0;
    ts->cap = 0;
    ts->next_seq = 0;
}

void spl_timers_fini(spl_timers *ts)
{
    size_t i;
    /* Timers still active belong to their owners; just detach them. */
    for (i = 0; i < ts->len; i++)
        ts->heap[i]->heap_index = HEAP_NONE;
    free(ts->heap);
    spl_timers_init(ts);
}

int64_t spl_timers_timeout(const spl_timers *ts, uint64_t now_ms)
{
    uint64_t deadline;

    if (ts->len == 0)
        return -1;
    deadline = ts->heap[0]->deadline_ms;
    if (deadline <= now_ms)
        return 0;
    if (deadline - now_ms > (uint64_t)INT64_MAX)
        return INT64_MAX;
    return (int64_t)(deadline - now_ms);
}

int spl_timers_run(spl_timers *ts, uint64_t now_ms)
{
    /* Timers started (or restarted) by the callbacks below get a seq at or
     * above this limit and wait for the next call: a callback that restarts
     * its timer with a 0 timeout cannot keep the loop here forever.  Any
     * older due timer sorts before such a new one (its deadline is <= now_ms
     * and its seq is smaller), so stopping at the first new one skips no
     * older timer. */
    uint64_t seq_limit = ts->next_seq;
    int fired = 0;

    while (ts->len > 0) {
        struct spl_timer *t = ts->heap[0];
        spl_timer_cb cb;
        void *arg;

        if (t->deadline_ms > now_ms || t->seq >= seq_limit)
            break;
        heap_remove(ts, t);
        cb = t->cb;
        arg = t->arg;
        if (t->repeat_ms > 0) {
            /* Re-arm before the callback so that it can stop or free the
             * timer.  The slot just freed by heap_remove guarantees room.
             * Counting from now_ms rather than from the old deadline
             * avoids a burst of catch-up firings after a stall. */
            t->deadline_ms = add_sat(now_ms, t->repeat_ms);
            t->seq = ts->next_seq++;
            heap_insert(ts, t);
        }
        fired++;
        /* t may be freed by cb: do not touch it afterwards. */
        cb(t, arg);
    }
    return fired;
}

/* ---- the public spl_timer_* contract ----------------------------------- */

int spl_timer_new(spl_loop *loop, spl_timer **out)
{
    struct spl_timer *t;

    if (loop == NULL || out == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_timer_new: NULL argument");
    *out = NULL;
    t = calloc(1, sizeof(*t));
    if (t == NULL)
        return sp_error_set(SECIP_ENOMEM, "spl_timer_new: out of memory");
    t->loop = loop;
    t->heap_index = HEAP_NONE;
    *out = t;
    return 0;
}

int spl_timer_start(spl_timer *t, uint64_t timeout_ms, uint64_t repeat_ms,
                    spl_timer_cb cb, void *arg)
{
    spl_timers *ts;
    int rc;

    if (t == NULL || cb == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_timer_start: NULL argument");
    ts = spl__loop_timers(t->loop);
    if (t->heap_index != HEAP_NONE)
        heap_remove(ts, t);
    rc = heap_reserve(ts);
    if (rc < 0)
        return rc;
    t->deadline_ms = add_sat(spl_clock_ms(), timeout_ms);
    t->repeat_ms = repeat_ms;
    t->seq = ts->next_seq++;
    t->cb = cb;
    t->arg = arg;
    heap_insert(ts, t);
    return 0;
}

void spl_timer_stop(spl_timer *t)
{
    if (t == NULL || t->heap_index == HEAP_NONE)
        return;
    heap_remove(spl__loop_timers(t->loop), t);
}

void spl_timer_free(spl_timer *t)
{
    if (t == NULL)
        return;
    spl_timer_stop(t);
    free(t);
}
