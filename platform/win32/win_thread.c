/*
 * platform/win32/win_thread.c -- threads, mutexes, condition variables and
 * atomics on Win32.
 *
 * Threads start with _beginthreadex rather than CreateThread so that the C
 * runtime sets up its per-thread state (errno, locale) for them, with both
 * the Microsoft CRTs and mingw's msvcrt.  Mutexes are slim reader/writer
 * locks used exclusively (no kernel object, cannot fail to initialise);
 * condition variables are CONDITION_VARIABLEs, which work with them.
 */
#include <process.h>
#include <stdlib.h>

#include "win_impl.h"

struct spl_thread {
    HANDLE handle;
    spl_thread_fn fn;
    void *arg;
};

struct spl_mutex {
    SRWLOCK lock;
};

struct spl_cond {
    CONDITION_VARIABLE cv;
};

static unsigned __stdcall thread_main(void *p)
{
    spl_thread *t = p;
    t->fn(t->arg);
    return 0;
}

int spl_thread_create(spl_thread **out, spl_thread_fn fn, void *arg)
{
    spl_thread *t;
    uintptr_t h;

    if (out == NULL || fn == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_thread_create: NULL argument");
    *out = NULL;
    t = calloc(1, sizeof *t);
    if (t == NULL)
        return sp_error_set(SECIP_ENOMEM, "spl_thread_create: out of memory");
    t->fn = fn;
    t->arg = arg;
    h = _beginthreadex(NULL, 0, thread_main, t, 0, NULL);
    if (h == 0) {
        /* _beginthreadex sets errno, and GetLastError() for OS failures. */
        DWORD err = GetLastError();
        free(t);
        return spl__win_error(err ? err : ERROR_NOT_ENOUGH_MEMORY,
                              "create thread");
    }
    t->handle = (HANDLE)h;
    *out = t;
    return 0;
}

void spl_thread_join(spl_thread *t)
{
    if (t == NULL)
        return;
    WaitForSingleObject(t->handle, INFINITE);
    CloseHandle(t->handle);
    free(t);
}

int spl_mutex_new(spl_mutex **out)
{
    spl_mutex *m;

    if (out == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_mutex_new: NULL argument");
    m = malloc(sizeof *m);
    if (m == NULL) {
        *out = NULL;
        return sp_error_set(SECIP_ENOMEM, "spl_mutex_new: out of memory");
    }
    InitializeSRWLock(&m->lock);
    *out = m;
    return 0;
}

void spl_mutex_free(spl_mutex *m)
{
    /* An SRW lock owns no kernel resources. */
    free(m);
}

void spl_mutex_lock(spl_mutex *m)
{
    AcquireSRWLockExclusive(&m->lock);
}

void spl_mutex_unlock(spl_mutex *m)
{
    ReleaseSRWLockExclusive(&m->lock);
}

int spl_cond_new(spl_cond **out)
{
    spl_cond *c;

    if (out == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_cond_new: NULL argument");
    c = malloc(sizeof *c);
    if (c == NULL) {
        *out = NULL;
        return sp_error_set(SECIP_ENOMEM, "spl_cond_new: out of memory");
    }
    InitializeConditionVariable(&c->cv);
    *out = c;
    return 0;
}

void spl_cond_free(spl_cond *c)
{
    free(c);
}

void spl_cond_wait(spl_cond *c, spl_mutex *m)
{
    SleepConditionVariableSRW(&c->cv, &m->lock, INFINITE, 0);
}

int spl_cond_timedwait(spl_cond *c, spl_mutex *m, uint64_t timeout_ms)
{
    /* INFINITE is 0xFFFFFFFF: clamp below it so a huge timeout still ends
     * (after ~49 days; callers re-check their predicate anyway). */
    DWORD ms = timeout_ms >= INFINITE ? INFINITE - 1 : (DWORD)timeout_ms;

    if (SleepConditionVariableSRW(&c->cv, &m->lock, ms, 0))
        return 0;
    if (GetLastError() == ERROR_TIMEOUT)
        return SECIP_ETIMEDOUT;
    /* Documented failures other than the timeout do not exist for SRW
     * waits; treat anything else as a spurious wake-up. */
    return 0;
}

void spl_cond_signal(spl_cond *c)
{
    WakeConditionVariable(&c->cv);
}

void spl_cond_broadcast(spl_cond *c)
{
    WakeAllConditionVariable(&c->cv);
}

int spl_cpu_count(void)
{
    /* Every processor group, not only the calling thread's (a machine
     * with more than 64 CPUs has several groups). */
    DWORD n = GetActiveProcessorCount(ALL_PROCESSOR_GROUPS);

    if (n == 0) {
        SYSTEM_INFO si;
        GetSystemInfo(&si);
        n = si.dwNumberOfProcessors;
    }
    if (n < 1)
        return 1;
    return n > 65535 ? 65535 : (int)n;
}

void spl_sleep_ms(uint32_t ms)
{
    Sleep(ms == INFINITE ? INFINITE - 1 : ms);
}

/* The Interlocked functions are full barriers: sequentially consistent. */

int64_t spl_atomic_load(spl_atomic *a)
{
    return InterlockedCompareExchange64((LONG64 volatile *)&a->v, 0, 0);
}

void spl_atomic_store(spl_atomic *a, int64_t v)
{
    InterlockedExchange64((LONG64 volatile *)&a->v, v);
}

int64_t spl_atomic_add(spl_atomic *a, int64_t delta)
{
    return InterlockedExchangeAdd64((LONG64 volatile *)&a->v, delta) + delta;
}

int spl_atomic_cas(spl_atomic *a, int64_t expected, int64_t desired)
{
    return InterlockedCompareExchange64((LONG64 volatile *)&a->v, desired,
                                        expected) == expected;
}
