/*
 * platform/posix/posix_thread.c -- threads, mutexes, condition variables
 * and atomics on pthreads and the GCC/Clang __atomic builtins.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "platform.h"
#include "posix_error.h"

struct spl_thread {
    pthread_t tid;
    spl_thread_fn fn;
    void *arg;
};

struct spl_mutex {
    pthread_mutex_t m;
};

struct spl_cond {
    pthread_cond_t c;
};

/* ---- threads ----------------------------------------------------------- */

static void *thread_main(void *p)
{
    spl_thread *t = p;
    t->fn(t->arg);
    return NULL;
}

int spl_thread_create(spl_thread **out, spl_thread_fn fn, void *arg)
{
    spl_thread *t;
    int err;

    if (out == NULL || fn == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_thread_create: NULL argument");
    *out = NULL;
    t = malloc(sizeof(*t));
    if (t == NULL)
        return sp_error_set(SECIP_ENOMEM, "spl_thread_create: out of memory");
    t->fn = fn;
    t->arg = arg;
    err = pthread_create(&t->tid, NULL, thread_main, t);
    if (err != 0) {
        free(t);
        /* EAGAIN here means "no resources for another thread". */
        if (err == EAGAIN)
            err = ENOMEM;
        return spl__os_error(err, "pthread_create");
    }
    *out = t;
    return 0;
}

void spl_thread_join(spl_thread *t)
{
    if (t == NULL)
        return;
    pthread_join(t->tid, NULL);
    free(t);
}

/* ---- mutex ------------------------------------------------------------- */

int spl_mutex_new(spl_mutex **out)
{
    spl_mutex *m;
    int err;

    if (out == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_mutex_new: NULL argument");
    *out = NULL;
    m = malloc(sizeof(*m));
    if (m == NULL)
        return sp_error_set(SECIP_ENOMEM, "spl_mutex_new: out of memory");
    err = pthread_mutex_init(&m->m, NULL);
    if (err != 0) {
        free(m);
        return spl__os_error(err, "pthread_mutex_init");
    }
    *out = m;
    return 0;
}

void spl_mutex_free(spl_mutex *m)
{
    if (m == NULL)
        return;
    pthread_mutex_destroy(&m->m);
    free(m);
}

void spl_mutex_lock(spl_mutex *m)
{
    pthread_mutex_lock(&m->m);
}

void spl_mutex_unlock(spl_mutex *m)
{
    pthread_mutex_unlock(&m->m);
}

/* ---- condition variable ------------------------------------------------ */

int spl_cond_new(spl_cond **out)
{
    pthread_condattr_t attr;
    spl_cond *c;
    int err;

    if (out == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_cond_new: NULL argument");
    *out = NULL;
    c = malloc(sizeof(*c));
    if (c == NULL)
        return sp_error_set(SECIP_ENOMEM, "spl_cond_new: out of memory");
    /* Timed waits measure on the monotonic clock, so that a wall-clock step
     * neither shortens nor stretches them. */
    err = pthread_condattr_init(&attr);
    if (err == 0) {
        err = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
        if (err == 0)
            err = pthread_cond_init(&c->c, &attr);
        pthread_condattr_destroy(&attr);
    }
    if (err != 0) {
        free(c);
        return spl__os_error(err, "pthread_cond_init");
    }
    *out = c;
    return 0;
}

void spl_cond_free(spl_cond *c)
{
    if (c == NULL)
        return;
    pthread_cond_destroy(&c->c);
    free(c);
}

void spl_cond_wait(spl_cond *c, spl_mutex *m)
{
    pthread_cond_wait(&c->c, &m->m);
}

int spl_cond_timedwait(spl_cond *c, spl_mutex *m, uint64_t timeout_ms)
{
    struct timespec ts;
    uint64_t sec = timeout_ms / 1000;
    int err;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    /* Clamp absurd timeouts (about 68 years from now still fits). */
    if (sec > (uint64_t)0x7fffffff)
        sec = 0x7fffffff;
    ts.tv_sec += (time_t)sec;
    ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    err = pthread_cond_timedwait(&c->c, &m->m, &ts);
    if (err == ETIMEDOUT)
        return sp_error_set(SECIP_ETIMEDOUT,
                            "condition wait: timed out after %llu ms",
                            (unsigned long long)timeout_ms);
    return 0;
}

void spl_cond_signal(spl_cond *c)
{
    pthread_cond_signal(&c->c);
}

void spl_cond_broadcast(spl_cond *c)
{
    pthread_cond_broadcast(&c->c);
}

/* ---- atomics ----------------------------------------------------------- */

int64_t spl_atomic_load(spl_atomic *a)
{
    return __atomic_load_n(&a->v, __ATOMIC_SEQ_CST);
}

void spl_atomic_store(spl_atomic *a, int64_t v)
{
    __atomic_store_n(&a->v, v, __ATOMIC_SEQ_CST);
}

int64_t spl_atomic_add(spl_atomic *a, int64_t delta)
{
    return __atomic_add_fetch(&a->v, delta, __ATOMIC_SEQ_CST);
}

int spl_atomic_cas(spl_atomic *a, int64_t expected, int64_t desired)
{
    return __atomic_compare_exchange_n(&a->v, &expected, desired, 0,
                                       __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}
