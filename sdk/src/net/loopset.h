/*
 * sdk/src/net/loopset.h -- internal: a set of loop threads.
 *
 * A server owns one set; every client shares one process-wide set that
 * lives while at least one secip_client exists.  Sessions are spread over
 * the loops round-robin, and each session is then touched by its loop's
 * thread only (plus the mutex-protected queues of session.c).
 *
 * Thread-safety: sp_loopset_pick() from any thread; start and stop from
 * one thread, never from a loop thread.
 */
#ifndef SP_NET_LOOPSET_H
#define SP_NET_LOOPSET_H

#include "platform.h"

typedef struct sp_loopset {
    int n;
    spl_loop **loops;
    spl_thread **threads;
    spl_atomic next;
} sp_loopset;

/**
 * Start n loop threads (n <= 0: one per CPU).  Errors: SECIP_ENOMEM,
 * SECIP_EIO (thread or loop creation failed); nothing is left running.
 */
int sp_loopset_start(int n, sp_loopset **out);

/** The next loop, round-robin. */
spl_loop *sp_loopset_pick(sp_loopset *ls);

/**
 * Stop every loop, join the threads and free the set.  Every handle on
 * the loops must be closed before (sessions ended).  NULL is fine.
 */
void sp_loopset_stop(sp_loopset *ls);

/** The shared loop set of clients: take a reference (starting it). */
int sp_client_loops_acquire(sp_loopset **out);

/** Drop a reference; the last one stops the set. */
void sp_client_loops_release(void);

#endif /* SP_NET_LOOPSET_H */
