/*
 * platform_threads: threads, mutexes, condition variables, atomics.
 *  - 4 threads increment a plain counter under a mutex: no lost update;
 *  - 4 threads use spl_atomic_add and a spl_atomic_cas loop: exact totals;
 *  - a producer/consumer handshake through a condition variable;
 *  - broadcast wakes every waiter;
 *  - timedwait with nobody signalling returns SECIP_ETIMEDOUT after at
 *    least the timeout (minus a little slack for coarse OS clocks).
 */
#include "net_helpers.h"

#define NTHREADS 4
#define NITER    100000

static spl_mutex *g_mu;
static spl_cond *g_cv;
static int64_t g_counter; /* under g_mu */
static spl_atomic g_add, g_cas;

static void worker(void *arg)
{
    int i;
    (void)arg;
    for (i = 0; i < NITER; i++) {
        int64_t old;
        spl_mutex_lock(g_mu);
        g_counter++;
        spl_mutex_unlock(g_mu);
        spl_atomic_add(&g_add, 1);
        do {
            old = spl_atomic_load(&g_cas);
        } while (!spl_atomic_cas(&g_cas, old, old + 2));
    }
}

static void test_counters(void)
{
    spl_thread *th[NTHREADS];
    int i;

    spl_atomic_store(&g_add, 0);
    spl_atomic_store(&g_cas, 0);
    for (i = 0; i < NTHREADS; i++)
        CHECK_OK(spl_thread_create(&th[i], worker, NULL));
    for (i = 0; i < NTHREADS; i++)
        spl_thread_join(th[i]);
    CHECK(g_counter == (int64_t)NTHREADS * NITER);
    CHECK(spl_atomic_load(&g_add) == (int64_t)NTHREADS * NITER);
    CHECK(spl_atomic_load(&g_cas) == (int64_t)2 * NTHREADS * NITER);
}

static void test_atomic_values(void)
{
    spl_atomic a;
    spl_atomic_store(&a, 5);
    CHECK(spl_atomic_add(&a, 10) == 15); /* returns the new value */
    CHECK(spl_atomic_add(&a, -20) == -5);
    CHECK(spl_atomic_cas(&a, 7, 1) == 0); /* mismatch: unchanged */
    CHECK(spl_atomic_load(&a) == -5);
    CHECK(spl_atomic_cas(&a, -5, (int64_t)1 << 40) == 1);
    CHECK(spl_atomic_load(&a) == (int64_t)1 << 40); /* 64-bit wide */
}

/* Producer/consumer: a one-slot mailbox. */
static int g_slot, g_full, g_sum;

static void consumer(void *arg)
{
    int i;
    (void)arg;
    for (i = 0; i < 1000; i++) {
        spl_mutex_lock(g_mu);
        while (!g_full)
            spl_cond_wait(g_cv, g_mu);
        g_sum += g_slot;
        g_full = 0;
        spl_cond_broadcast(g_cv);
        spl_mutex_unlock(g_mu);
    }
}

static void test_handshake(void)
{
    spl_thread *th;
    int i;

    CHECK_OK(spl_thread_create(&th, consumer, NULL));
    for (i = 1; i <= 1000; i++) {
        spl_mutex_lock(g_mu);
        while (g_full)
            spl_cond_wait(g_cv, g_mu);
        g_slot = i;
        g_full = 1;
        spl_cond_broadcast(g_cv);
        spl_mutex_unlock(g_mu);
    }
    spl_thread_join(th);
    CHECK(g_sum == 1000 * 1001 / 2);
}

static int g_gate, g_woken;

static void gate_waiter(void *arg)
{
    (void)arg;
    spl_mutex_lock(g_mu);
    while (!g_gate)
        (void)spl_cond_timedwait(g_cv, g_mu, 5000);
    g_woken++;
    spl_mutex_unlock(g_mu);
}

static void test_broadcast(void)
{
    spl_thread *th[3];
    uint64_t start = spl_clock_ms();
    int i;

    for (i = 0; i < 3; i++)
        CHECK_OK(spl_thread_create(&th[i], gate_waiter, NULL));
    spl_sleep_ms(50);
    spl_mutex_lock(g_mu);
    g_gate = 1;
    spl_cond_broadcast(g_cv);
    spl_mutex_unlock(g_mu);
    for (i = 0; i < 3; i++)
        spl_thread_join(th[i]);
    CHECK(g_woken == 3);
    CHECK(nh_elapsed_ms(start) < 4000); /* woken, not timed out */
}

static void test_timedwait(void)
{
    uint64_t t0;
    int rc;

    spl_mutex_lock(g_mu);
    t0 = spl_clock_ns();
    rc = spl_cond_timedwait(g_cv, g_mu, 100);
    t0 = (spl_clock_ns() - t0) / 1000000;
    spl_mutex_unlock(g_mu);
    tu_log("timedwait(100 ms) returned %d after %u ms", rc, (unsigned)t0);
    CHECK_ERR(rc, SECIP_ETIMEDOUT);
    CHECK(t0 >= 80); /* slack for 15.6 ms Windows ticks */
    CHECK(t0 < 5000);

    spl_mutex_lock(g_mu);
    rc = spl_cond_timedwait(g_cv, g_mu, 0);
    spl_mutex_unlock(g_mu);
    CHECK(rc == 0 || rc == SECIP_ETIMEDOUT);
}

int main(void)
{
    uint64_t t0;

    CHECK(spl_cpu_count() >= 1);
    tu_log("cpus: %d", spl_cpu_count());
    CHECK_OK(spl_mutex_new(&g_mu));
    CHECK_OK(spl_cond_new(&g_cv));
    test_counters();
    tu_log("mutex counter and atomics ok");
    test_atomic_values();
    test_handshake();
    tu_log("cond handshake ok");
    test_broadcast();
    tu_log("broadcast ok");
    test_timedwait();
    t0 = spl_clock_ms();
    spl_sleep_ms(50);
    CHECK(nh_elapsed_ms(t0) >= 40);
    spl_cond_free(g_cv);
    spl_mutex_free(g_mu);
    return 0;
}
