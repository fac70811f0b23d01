/*
 * platform/posix/posix_loop.c -- the epoll loop: creation, run/stop, posts
 * through an eventfd, the timer hook, and the pending and closing lists
 * that turn readiness into completions.
 *
 * One iteration of spl_loop_run():
 *   1. epoll_wait, with timeout 0 if work is already queued (pending
 *      handles, closed handles, a stop request), else until the next timer;
 *   2. dispatch the events: readiness flags, then the operations they allow;
 *   3. try the operations started since the last iteration (pending list);
 *   4. run due timers, then posted functions;
 *   5. finish closed handles: ECANCELED callbacks, close callback, free.
 * Freeing only in step 5 is what makes the events array of step 2 safe: a
 * callback may close a handle whose event is still further down the array.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "posix.h"

/* The loop this thread is running, for spl_loop_on_thread().  Thread-local
 * rather than a stored thread id, so that no other thread ever reads it. */
static _Thread_local const spl_loop *current_loop;

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void init_process(void)
{
    /* Nothing process-wide is needed: every socket write uses
     * MSG_NOSIGNAL, so SIGPIPE is never raised and its disposition (which
     * belongs to the application) is left alone. */
}

const char *spl_backend_name(void)
{
    return "epoll";
}

int spl_init(void)
{
    pthread_once(&init_once, init_process);
    return 0;
}

spl_timers *spl__loop_timers(spl_loop *loop)
{
    return &loop->timers;
}

/* ---- creation ---------------------------------------------------------- */

int spl_loop_new(spl_loop **out)
{
    struct epoll_event ev;
    spl_loop *loop;
    int rc;

    if (out == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_loop_new: NULL argument");
    *out = NULL;
    spl_init();
    loop = calloc(1, sizeof(*loop));
    if (loop == NULL)
        return sp_error_set(SECIP_ENOMEM, "spl_loop_new: out of memory");
    loop->epfd = -1;
    loop->wakefd = -1;
    atomic_init(&loop->stop, 0);
    spl_timers_init(&loop->timers);
    rc = spl_postq_init(&loop->posts);
    if (rc < 0) {
        free(loop);
        return rc;
    }
    loop->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (loop->epfd < 0) {
        rc = spl__os_error_as(SECIP_EIO, errno, "epoll_create1");
        goto fail;
    }
    loop->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (loop->wakefd < 0) {
        rc = spl__os_error_as(SECIP_EIO, errno, "eventfd");
        goto fail;
    }
    /* Level-triggered: the loop reads the counter back to zero each time. */
    ev.events = EPOLLIN;
    ev.data.ptr = NULL;
    if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, loop->wakefd, &ev) != 0) {
        rc = spl__os_error_as(SECIP_EIO, errno, "epoll_ctl(eventfd)");
        goto fail;
    }
    *out = loop;
    return 0;
fail:
    spl_loop_free(loop);
    return rc;
}

void spl_loop_free(spl_loop *loop)
{
    if (loop == NULL)
        return;
    /* Handles closed after the last run never got their completions; the
     * contract says the owner runs the loop once more, but do not leak
     * them (or skip their callbacks) if it did not. */
    while (loop->closing_head != NULL) {
        spl_tcp *h = loop->closing_head;
        loop->closing_head = h->close_next;
        if (loop->closing_head == NULL)
            loop->closing_tail = NULL;
        spl__tcp_finish_close(h);
    }
    if (loop->wakefd >= 0)
        close(loop->wakefd);
    if (loop->epfd >= 0)
        close(loop->epfd);
    spl_postq_fini(&loop->posts);
    spl_timers_fini(&loop->timers);
    free(loop);
}

/* ---- lists ------------------------------------------------------------- */

int spl__loop_add(spl_loop *loop, spl_tcp *h, int fd)
{
    struct epoll_event ev;

    /* Registered once, for both directions, edge-triggered: an operation
     * then costs only its own system call, with no epoll_ctl to arm or
     * disarm interest per operation (which is what level-triggered or
     * one-shot registration would need).  The price is that the backend
     * must remember EAGAIN per direction (can_read / can_write) and may
     * only wait after seeing it.  This is also safe from a thread other
     * than the loop's (spl_tcp_accept with another target loop). */
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.ptr = h;
    if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        int err = errno;
        int rc = spl__os_error_as(SECIP_EIO, err, "epoll_ctl(ADD, fd %d)", fd);
        errno = err; /* for callers that keep the OS error */
        return rc;
    }
    return 0;
}

void spl__pending_add(spl_tcp *h)
{
    spl_loop *loop = h->loop;

    if (h->in_pending)
        return;
    h->in_pending = 1;
    h->pend_next = NULL;
    h->pend_prev = loop->pend_tail;
    if (loop->pend_tail != NULL)
        loop->pend_tail->pend_next = h;
    else
        loop->pend_head = h;
    loop->pend_tail = h;
    loop->pend_count++;
}

void spl__pending_remove(spl_tcp *h)
{
    spl_loop *loop = h->loop;

    if (!h->in_pending)
        return;
    if (h->pend_prev != NULL)
        h->pend_prev->pend_next = h->pend_next;
    else
        loop->pend_head = h->pend_next;
    if (h->pend_next != NULL)
        h->pend_next->pend_prev = h->pend_prev;
    else
        loop->pend_tail = h->pend_prev;
    h->pend_prev = NULL;
    h->pend_next = NULL;
    h->in_pending = 0;
    loop->pend_count--;
}

void spl__closing_add(spl_tcp *h)
{
    spl_loop *loop = h->loop;

    h->close_next = NULL;
    if (loop->closing_tail != NULL)
        loop->closing_tail->close_next = h;
    else
        loop->closing_head = h;
    loop->closing_tail = h;
}

/* Try the handles queued before this pass.  Handles queued by the callbacks
 * run here wait for the next iteration, so a peer that always has data
 * cannot keep the loop from its timers and other handles. */
/* Passes over the pending list per loop iteration (see loop_once). */
#define SPL_PENDING_PASSES 16

static void run_pending(spl_loop *loop)
{
    size_t n = loop->pend_count;

    while (n-- > 0 && loop->pend_head != NULL) {
        spl_tcp *h = loop->pend_head;
        spl__pending_remove(h);
        spl__tcp_process(h);
    }
}

static void run_closing(spl_loop *loop)
{
    /* Close callbacks may close more handles: they are appended and
     * finished in this same pass (each handle closes only once). */
    while (loop->closing_head != NULL) {
        spl_tcp *h = loop->closing_head;
        loop->closing_head = h->close_next;
        if (loop->closing_head == NULL)
            loop->closing_tail = NULL;
        spl__tcp_finish_close(h);
    }
}

/* ---- running ----------------------------------------------------------- */

static void drain_wakefd(spl_loop *loop)
{
    uint64_t count;
    ssize_t n;

    do {
        n = read(loop->wakefd, &count, sizeof(count));
    } while (n < 0 && errno == EINTR);
}

static int wait_timeout(spl_loop *loop, int stopping)
{
    int64_t t;

    if (stopping || loop->pend_head != NULL || loop->closing_head != NULL)
        return 0;
    t = spl_timers_timeout(&loop->timers, spl_clock_ms());
    if (t < 0)
        return -1;
    return t > INT_MAX ? INT_MAX : (int)t;
}

/* One iteration; returns 0 or a negative code if epoll_wait failed. */
static int loop_once(spl_loop *loop, int stopping)
{
    int n, i;

    n = epoll_wait(loop->epfd, loop->events, SPL_MAX_EVENTS,
                   wait_timeout(loop, stopping));
    if (n < 0) {
        if (errno != EINTR)
            return spl__os_error_as(SECIP_EIO, errno, "epoll_wait");
        n = 0;
    }
    for (i = 0; i < n; i++) {
        spl_tcp *h = loop->events[i].data.ptr;
        if (h == NULL)
            drain_wakefd(loop); /* before the post queue is taken below */
        else
            spl__tcp_event(h, loop->events[i].events);
    }
    /* A completion callback usually starts the next operation on the same
     * handle, which puts it back on the pending list.  Trying it again now,
     * rather than after another epoll_wait(timeout 0), saves the empty poll
     * that would otherwise follow most reads (measured: about a third of all
     * epoll_wait calls in a bulk echo).  Bounded, so that a handle that is
     * always ready cannot starve timers and posts. */
    for (i = 0; i < SPL_PENDING_PASSES && loop->pend_head != NULL; i++)
        run_pending(loop);
    spl_timers_run(&loop->timers, spl_clock_ms());
    spl_postq_run(&loop->posts);
    run_closing(loop);
    return 0;
}

int spl_loop_run(spl_loop *loop)
{
    const spl_loop *outer;
    int rc = 0;

    if (loop == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_loop_run: NULL loop");
    outer = current_loop;
    current_loop = loop;
    for (;;) {
        /* Read the flag before the iteration: whatever was queued before
         * the stop request is then handled by this last, non-blocking
         * iteration. */
        int stopping = atomic_load(&loop->stop);
        rc = loop_once(loop, stopping);
        if (rc < 0 || stopping)
            break;
    }
    /* Consume the request so that the loop can be run again. */
    atomic_store(&loop->stop, 0);
    current_loop = outer;
    return rc;
}

static void wake(spl_loop *loop)
{
    uint64_t one = 1;
    ssize_t n;

    /* EAGAIN would mean the counter is near 2^64: it is nonzero, so the
     * loop is woken anyway. */
    do {
        n = write(loop->wakefd, &one, sizeof(one));
    } while (n < 0 && errno == EINTR);
}

void spl_loop_stop(spl_loop *loop)
{
    if (loop == NULL)
        return;
    atomic_store(&loop->stop, 1);
    wake(loop);
}

int spl_loop_post(spl_loop *loop, spl_post_fn fn, void *arg)
{
    int rc;

    if (loop == NULL || fn == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_loop_post: NULL argument");
    rc = spl_postq_push(&loop->posts, fn, arg);
    if (rc < 0)
        return rc;
    if (rc == 1)
        wake(loop);
    return 0;
}

int spl_loop_on_thread(const spl_loop *loop)
{
    return loop != NULL && current_loop == loop;
}
