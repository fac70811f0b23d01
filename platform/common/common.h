/*
 * platform/common/common.h -- internal: pieces of the platform layer that
 * both backends share, written once in portable C.
 *
 *  - the timer heap behind spl_timer_* (common/timers.c implements the whole
 *    spl_timer_* contract on top of it);
 *  - the cross-thread post queue behind spl_loop_post (common/postq.c).
 *
 * A backend embeds one spl_timers and one spl_postq in its struct spl_loop,
 * and provides the two hooks declared at the bottom.
 */
#ifndef SPL_COMMON_H
#define SPL_COMMON_H

#include "platform.h"

/* ---- timers ------------------------------------------------------------ */

struct spl_timer {
    spl_loop *loop;
    uint64_t deadline_ms; /* spl_clock_ms() value at which it fires */
    uint64_t repeat_ms;   /* 0 = one-shot */
    uint64_t seq;         /* start order, breaks deadline ties */
    size_t heap_index;    /* position in the heap, SIZE_MAX when inactive */
    spl_timer_cb cb;
    void *arg;
};

/** A binary min-heap of active timers, ordered by (deadline, seq). */
typedef struct spl_timers {
    struct spl_timer **heap;
    size_t len;
    size_t cap;
    uint64_t next_seq;
} spl_timers;

void spl_timers_init(spl_timers *ts);
/** Frees the heap array; timers themselves belong to their owners. */
void spl_timers_fini(spl_timers *ts);

/**
 * Milliseconds until the earliest deadline (0 if one is due), or -1 when no
 * timer is active: what the backend passes to epoll_wait / GQCS.
 */
int64_t spl_timers_timeout(const spl_timers *ts, uint64_t now_ms);

/** Fire every timer due at now_ms, in order.  Returns the number fired. */
int spl_timers_run(spl_timers *ts, uint64_t now_ms);

/* ---- post queue -------------------------------------------------------- */

typedef struct spl_post_item {
    struct spl_post_item *next;
    spl_post_fn fn;
    void *arg;
} spl_post_item;

/**
 * Multi-producer, single-consumer queue of posted functions.  Producers
 * append under a mutex (held for a pointer swap only); the loop takes the
 * whole list at once and runs it without the lock.
 */
typedef struct spl_postq {
    spl_mutex *lock;
    spl_post_item *head;
    spl_post_item *tail;
} spl_postq;

int spl_postq_init(spl_postq *q);
/** Runs nothing; frees any items still queued. */
void spl_postq_fini(spl_postq *q);

/**
 * Append fn(arg).  Returns 1 if the queue was empty before (the caller must
 * then wake the loop), 0 if not, or SECIP_ENOMEM.
 */
int spl_postq_push(spl_postq *q, spl_post_fn fn, void *arg);

/** Run every queued item (including ones posted while running). */
int spl_postq_run(spl_postq *q);

/* ---- backend hooks ----------------------------------------------------- */

/** The timer heap embedded in a backend's loop. */
spl_timers *spl__loop_timers(spl_loop *loop);

#endif /* SPL_COMMON_H */
