/*
 * sdk/src/net/loopset.c -- loop threads (see loopset.h).
 */
#include "net/loopset.h"

#include <stdlib.h>

#include "error.h"

static void run_loop(void *arg)
{
    /* A failing OS wait ends this thread; sessions on it then time out. */
    (void)spl_loop_run(arg);
}

static void free_set(sp_loopset *ls)
{
    for (int i = 0; i < ls->n; i++)
        spl_loop_free(ls->loops[i]);
    free(ls->loops);
    free(ls->threads);
    free(ls);
}

int sp_loopset_start(int n, sp_loopset **out)
{
    sp_loopset *ls;
    int rc = 0, started = 0;

    *out = NULL;
    if (n <= 0)
        n = spl_cpu_count();
    if (n > 256)
        n = 256; /* more threads than that only costs memory */
    ls = calloc(1, sizeof *ls);
    if (ls == NULL)
        return sp_error_set(SECIP_ENOMEM, "out of memory for loop threads");
    ls->loops = calloc((size_t)n, sizeof *ls->loops);
    ls->threads = calloc((size_t)n, sizeof *ls->threads);
    if (ls->loops == NULL || ls->threads == NULL) {
        free_set(ls);
        return sp_error_set(SECIP_ENOMEM, "out of memory for loop threads");
    }
    for (ls->n = 0; ls->n < n && rc == 0; ls->n++)
        rc = spl_loop_new(&ls->loops[ls->n]);
    if (rc < 0) {
        ls->n--; /* the failed slot holds nothing */
        free_set(ls);
        return rc;
    }
    for (; started < n && rc == 0; started++)
        rc = spl_thread_create(&ls->threads[started], run_loop,
                               ls->loops[started]);
    if (rc < 0) {
        started--;
        for (int i = 0; i < started; i++) {
            spl_loop_stop(ls->loops[i]);
            spl_thread_join(ls->threads[i]);
        }
        free_set(ls);
        return rc;
    }
    *out = ls;
    return 0;
}

spl_loop *sp_loopset_pick(sp_loopset *ls)
{
    int64_t i = spl_atomic_add(&ls->next, 1);
    return ls->loops[(size_t)(i % ls->n)];
}

void sp_loopset_stop(sp_loopset *ls)
{
    if (ls == NULL)
        return;
    for (int i = 0; i < ls->n; i++)
        spl_loop_stop(ls->loops[i]);
    for (int i = 0; i < ls->n; i++)
        spl_thread_join(ls->threads[i]);
    free_set(ls);
}

/* ---- the clients' shared set --------------------------------------------
 * Guarded by a spin lock built on spl_atomic: the platform layer has no
 * static mutex initialiser, and the lock is held only around start/stop.
 */
static spl_atomic g_lock;
static sp_loopset *g_set;
static int g_refs;

static void glock(void)
{
    while (!spl_atomic_cas(&g_lock, 0, 1))
        spl_sleep_ms(1);
}

static void gunlock(void)
{
    spl_atomic_store(&g_lock, 0);
}

int sp_client_loops_acquire(sp_loopset **out)
{
    int rc = 0;
    glock();
    if (g_refs == 0)
        rc = sp_loopset_start(0, &g_set);
    if (rc == 0) {
        g_refs++;
        *out = g_set;
    }
    gunlock();
    return rc;
}

void sp_client_loops_release(void)
{
    sp_loopset *stop = NULL;
    glock();
    if (g_refs > 0 && --g_refs == 0) {
        stop = g_set;
        g_set = NULL;
    }
    /* Stopping under the lock keeps a racing acquire from seeing a set
     * that is going away. */
    sp_loopset_stop(stop);
    gunlock();
}
