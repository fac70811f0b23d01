/*
 * platform/win32/win_loop.c -- process initialisation and the loop: one I/O
 * completion port per loop, drained in batches with
 * GetQueuedCompletionStatusEx.
 *
 * One iteration of spl_loop_run():
 *   1. run deferred completions and finished closes (win_tcp.c);
 *   2. fire due timers (common/timers.c);
 *   3. wait on the port until the next timer deadline (no wait when step 1
 *      left work or a stop is pending), and dispatch what arrived:
 *      overlapped completions (WIN_KEY_IO), the post queue (WIN_KEY_POST),
 *      stop requests (WIN_KEY_STOP).
 *
 * Cross-thread posts go through the shared queue (common/postq.c); only the
 * push that makes the queue non-empty posts a WIN_KEY_POST packet, so a
 * storm of posts costs one packet per batch the loop picks up.
 */
#include <stdlib.h>

#include "win_impl.h"

#define WIN_BATCH        128 /* completions dequeued per wait */
#define WIN_DRAIN_PASSES 64  /* bound on the final drain after a stop */

/* ---- process initialisation -------------------------------------------- */

static INIT_ONCE init_once = INIT_ONCE_STATIC_INIT;
static int init_code;         /* 0 or the SECIP_E* code of the failure */
static DWORD init_os_error;   /* OS error of the failure */
static const char *init_what; /* which step failed */

static BOOL CALLBACK init_process(PINIT_ONCE once, PVOID param, PVOID *ctx)
{
    WSADATA wsa;
    int rc;

    (void)once;
    (void)param;
    (void)ctx;
    /* Never paired with WSACleanup: sockets may live until process exit,
     * and Winsock's reference count makes a late cleanup unsafe for other
     * users in the same process. */
    rc = WSAStartup(MAKEWORD(2, 2), &wsa);
    if (rc != 0) {
        init_what = "WSAStartup";
        init_os_error = (DWORD)rc;
        init_code = spl__win_map_error((DWORD)rc);
        return TRUE;
    }
    rc = spl__win_conn_init();
    if (rc < 0) {
        init_what = "load AcceptEx/ConnectEx";
        init_os_error = (DWORD)WSAGetLastError();
        init_code = rc;
    }
    return TRUE;
}

const char *spl_backend_name(void)
{
    return "iocp";
}

int spl_init(void)
{
    InitOnceExecuteOnce(&init_once, init_process, NULL, NULL);
    if (init_code < 0)
        return spl__win_error(init_os_error, "%s", init_what);
    return 0;
}

/* ---- the loop ------------------------------------------------------------ */

spl_timers *spl__loop_timers(spl_loop *loop)
{
    return &loop->timers;
}

int spl_loop_new(spl_loop **out)
{
    spl_loop *loop;
    int rc;

    if (out == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_loop_new: NULL argument");
    *out = NULL;
    rc = spl_init();
    if (rc < 0)
        return rc;
    loop = calloc(1, sizeof *loop);
    if (loop == NULL)
        return sp_error_set(SECIP_ENOMEM, "spl_loop_new: out of memory");
    /* One concurrent thread: only the loop's own thread dequeues. */
    loop->port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
    if (loop->port == NULL) {
        rc = spl__win_error(GetLastError(), "CreateIoCompletionPort");
        free(loop);
        return rc;
    }
    rc = spl_postq_init(&loop->postq);
    if (rc < 0) {
        CloseHandle(loop->port);
        free(loop);
        return rc;
    }
    spl_timers_init(&loop->timers);
    *out = loop;
    return 0;
}

void spl_loop_free(spl_loop *loop)
{
    if (loop == NULL)
        return;
    /* Packets still queued (stale wake-ups) go away with the port. */
    CloseHandle(loop->port);
    spl_timers_fini(&loop->timers);
    spl_postq_fini(&loop->postq);
    free(loop);
}

static void dispatch(spl_loop *loop, const OVERLAPPED_ENTRY *e)
{
    if (e->lpCompletionKey == WIN_KEY_IO && e->lpOverlapped != NULL)
        spl__win_io_complete(e->lpOverlapped, e->dwNumberOfBytesTransferred);
    else if (e->lpCompletionKey == WIN_KEY_POST)
        spl_postq_run(&loop->postq);
    /* WIN_KEY_STOP only woke the wait; the flag says the rest. */
}

/* Milliseconds to wait: 0 when busy, else until the next timer (never
 * past INFINITE - 1), INFINITE without timers. */
static DWORD wait_ms(spl_loop *loop, int busy)
{
    int64_t t;

    if (busy)
        return 0;
    t = spl_timers_timeout(&loop->timers, spl_clock_ms());
    if (t < 0)
        return INFINITE;
    if (t >= (int64_t)INFINITE)
        return INFINITE - 1;
    return (DWORD)t;
}

/* Deferred completions or finished closes waiting for the next pass. */
static int has_work(const spl_loop *loop)
{
    return loop->deferred_head != NULL || loop->endgame != NULL;
}

int spl_loop_run(spl_loop *loop)
{
    OVERLAPPED_ENTRY ents[WIN_BATCH];
    int drain_passes = 0;
    int rc = 0;

    if (loop == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_loop_run: NULL loop");
    InterlockedExchange(&loop->thread_id, (LONG)GetCurrentThreadId());
    for (;;) {
        int stopping = InterlockedCompareExchange(&loop->stop, 0, 0) != 0;
        ULONG n = 0;
        ULONG i;

        spl__win_loop_service(loop);
        spl_timers_run(&loop->timers, spl_clock_ms());
        /* Timer callbacks may have queued deferred work: do not sleep. */
        if (!GetQueuedCompletionStatusEx(
                loop->port, ents, WIN_BATCH, &n,
                wait_ms(loop, stopping || has_work(loop)), FALSE)) {
            DWORD err = GetLastError();
            if (err != WAIT_TIMEOUT) {
                rc = spl__win_error(err, "GetQueuedCompletionStatusEx");
                break;
            }
            n = 0;
        }
        for (i = 0; i < n; i++)
            dispatch(loop, &ents[i]);
        /* After a stop, keep going without waiting until nothing is left
         * (bounded, so a busy peer cannot keep the loop from stopping;
         * what is left then runs in the next spl_loop_run). */
        if (stopping &&
            ((n == 0 && !has_work(loop)) || ++drain_passes >= WIN_DRAIN_PASSES))
            break;
    }
    InterlockedExchange(&loop->stop, 0);
    InterlockedExchange(&loop->thread_id, 0);
    return rc;
}

void spl_loop_stop(spl_loop *loop)
{
    if (loop == NULL)
        return;
    /* Only the first request needs a packet to wake the wait. */
    if (InterlockedExchange(&loop->stop, 1) == 0)
        PostQueuedCompletionStatus(loop->port, 0, WIN_KEY_STOP, NULL);
}

int spl_loop_post(spl_loop *loop, spl_post_fn fn, void *arg)
{
    int rc;

    if (loop == NULL || fn == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_loop_post: NULL argument");
    rc = spl_postq_push(&loop->postq, fn, arg);
    if (rc == 1 &&
        !PostQueuedCompletionStatus(loop->port, 0, WIN_KEY_POST, NULL)) {
        /* The item stays queued and runs with the next successful
         * wake-up; report the failure all the same. */
        return spl__win_error(GetLastError(), "PostQueuedCompletionStatus");
    }
    return rc < 0 ? rc : 0;
}

int spl_loop_on_thread(const spl_loop *loop)
{
    /* Reads of an aligned LONG are atomic on Windows; thread ids are never
     * 0, the value while no thread runs the loop. */
    LONG id = loop->thread_id;
    return id != 0 && (DWORD)id == GetCurrentThreadId();
}
