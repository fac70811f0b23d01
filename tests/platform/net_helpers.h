/*
 * tests/platform/net_helpers.h -- small building blocks shared by the
 * platform tests: bounded loop runs, loops on their own thread, connected
 * TCP pairs and an echo server.  Written only against platform/platform.h,
 * so the same code drives the epoll and the IOCP backend.
 *
 * Every helper fails the test (through testutil's CHECK) rather than
 * returning errors: the tests stay short, and a failure names its line.
 */
#ifndef NET_HELPERS_H
#define NET_HELPERS_H

#include <stddef.h>
#include <stdint.h>

#include "platform.h"
#include "testutil.h"

/* ---- bounded runs ------------------------------------------------------ */

/**
 * Run loop on the calling thread until the test stops it or timeout_ms
 * elapse (a watchdog timer then stops it).  Returns 0 when the test stopped
 * the loop, SECIP_ETIMEDOUT when the watchdog did.  Fails the test if
 * spl_loop_run() itself fails.
 */
int nh_run(spl_loop *loop, uint32_t timeout_ms);

/**
 * Run loop for ms milliseconds and check that nothing stopped it earlier:
 * used after a test's events to prove that no late or duplicate callback
 * arrives.
 */
void nh_settle(spl_loop *loop, uint32_t ms);

/** nh_run() that fails the test when the watchdog fires. */
#define NH_RUN(loop, ms) CHECK(nh_run((loop), (ms)) == 0)

/** A countdown that stops its loop when it reaches zero (loop thread). */
typedef struct nh_count {
    spl_loop *loop;
    int left;
} nh_count;

void nh_count_hit(nh_count *c);

/** Close callback whose arg is an nh_count: counts one close. */
void nh_on_close(spl_tcp *h, void *arg);

/** Milliseconds elapsed since start_ms (spl_clock_ms). */
uint64_t nh_elapsed_ms(uint64_t start_ms);

/* ---- a loop on its own thread ------------------------------------------ */

typedef struct nh_tloop {
    spl_loop *loop;
    spl_thread *thread;
    int rc; /* spl_loop_run's result, valid after join */
} nh_tloop;

/** Create the loop (not yet running). */
void nh_tloop_init(nh_tloop *tl);
/** Start a thread that runs the loop. */
void nh_tloop_start(nh_tloop *tl);
/** Run fn(arg) on the loop's thread and wait (at most 10 s) until it ran. */
void nh_tloop_call(nh_tloop *tl, spl_post_fn fn, void *arg);
/** Join the thread (someone must have stopped the loop) and check rc. */
void nh_tloop_join(nh_tloop *tl);
/** Free the loop after join. */
void nh_tloop_free(nh_tloop *tl);

/* ---- connected pairs ---------------------------------------------------- */

/**
 * Make a connected TCP pair over 127.0.0.1 on loop (which must not be
 * running: this runs it).  Both handles belong to loop.
 */
void nh_pair(spl_loop *loop, spl_tcp **client, spl_tcp **server);

/** Close n handles and run loop until every close callback has run. */
void nh_close_all(spl_loop *loop, spl_tcp **h, int n);

/* ---- echo server -------------------------------------------------------- */

typedef struct nh_echo nh_echo;

/**
 * Listen on host (port 0) and echo everything every connection sends; a
 * connection that reads end of stream shuts down its side and closes.
 * bufsize is the per-connection buffer.  Call on loop's thread or before the
 * loop runs.
 */
nh_echo *nh_echo_start(spl_loop *loop, const char *host, size_t bufsize);
uint16_t nh_echo_port(const nh_echo *e);
/** Connections accepted so far (any thread). */
int64_t nh_echo_accepted(nh_echo *e);
/** Bytes echoed so far (any thread). */
int64_t nh_echo_bytes(nh_echo *e);

/**
 * Close the listener and every connection (loop thread); done(arg) runs
 * once every handle's close callback has run.
 */
void nh_echo_stop(nh_echo *e, void (*done)(void *), void *arg);

/** Stop an echo server running on tl's loop, then stop and join tl. */
void nh_echo_stop_tloop(nh_echo *e, nh_tloop *tl);

/** Free the server after its done callback ran. */
void nh_echo_free(nh_echo *e);

#endif
