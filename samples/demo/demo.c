/*
 * samples/demo/demo.c -- a guided tour of secip, one readable line per step.
 *
 * Today the tour covers the platform layer (platform/platform.h): a loop on
 * its own thread, a listener on 127.0.0.1, a connection, 1 MiB echoed back
 * through completion-based reads and gather writes, and a clean close.
 * Later steps will add a certificate authority and a secure session.
 *
 * Structure: main() runs a table of steps in order.  Each step posts work to
 * the loop thread (handle functions may only be called there) and waits,
 * with a deadline, until the callbacks report an event or a failure.  That
 * keeps every step a short linear function that fills in its one line.
 *
 * Exit status: 0 when every step succeeded; 1 after printing one line that
 * names the step that failed and why.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"

#define DEMO_HOST    "127.0.0.1"
#define DEMO_BYTES   (1024u * 1024u) /* echoed payload */
#define DEMO_WRITES  8u              /* client writes of ... */
#define DEMO_IOVS    2u              /* ... this many buffers each */
#define DEMO_PIECE   (DEMO_BYTES / (DEMO_WRITES * DEMO_IOVS))
#define DEMO_ECHOBUF (64u * 1024u) /* server's echo buffer */
#define DEMO_WAIT_MS 10000u        /* deadline of each step */

/* Events the loop thread reports to main(), as bits of demo.events. */
enum {
    EV_LOOP_RUNNING = 1u << 0,
    EV_LISTENING = 1u << 1,
    EV_ACCEPTED = 1u << 2,
    EV_CONNECTED = 1u << 3,
    EV_ECHOED = 1u << 4,
    EV_SERVER_CLOSED = 1u << 5,
    EV_CLIENT_CLOSED = 1u << 6,
    EV_LISTENER_CLOSED = 1u << 7,
    EV_LOOP_DONE = 1u << 8
};

typedef struct demo {
    spl_loop *loop;
    spl_thread *thread;
    spl_mutex *mu;
    spl_cond *cv;

    /* Guarded by mu.  Everything below is written by the loop thread before
     * it raises the event that lets main() read it. */
    unsigned events;
    int err;
    char why[256];

    int loop_rc;
    spl_tcp *listener;
    spl_tcp *server; /* accepted side: echoes */
    spl_tcp *client; /* connecting side: sends and checks */
    uint16_t port;
    char peer[64];
    uint8_t *out; /* what the client sends */
    uint8_t *in;  /* what comes back to it */
    uint8_t echo[DEMO_ECHOBUF];
    uint8_t tail[16]; /* client read after the echo: must see end of stream */
    size_t written;
    unsigned writes;
    size_t got;
    uint64_t t_start;
    uint64_t t_echoed;
} demo;

/* ---- reporting between the loop thread and main() ---------------------- */

static void raise_event(demo *d, unsigned ev)
{
    spl_mutex_lock(d->mu);
    d->events |= ev;
    spl_cond_broadcast(d->cv);
    spl_mutex_unlock(d->mu);
}

/* Lets gcc and clang check fail()'s format strings. */
#if defined(__GNUC__)
#define DEMO_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define DEMO_PRINTF(a, b)
#endif

/* Records the first failure; main() prints it.  code may be 0 for a
 * failure that is not an error code (wrong data). */
static void fail(demo *d, int code, const char *fmt, ...) DEMO_PRINTF(3, 4);

static void fail(demo *d, int code, const char *fmt, ...)
{
    va_list ap;

    spl_mutex_lock(d->mu);
    if (d->err == 0) {
        d->err = code != 0 ? code : SECIP_EINTERNAL;
        va_start(ap, fmt);
        vsnprintf(d->why, sizeof(d->why), fmt, ap);
        va_end(ap);
    }
    spl_cond_broadcast(d->cv);
    spl_mutex_unlock(d->mu);
}

/* Waits until every event in `want` happened, a failure was recorded, or
 * the step's deadline passed.  Returns 0 or the failure code. */
static int wait_for(demo *d, unsigned want, const char *what)
{
    uint64_t deadline = spl_clock_ms() + DEMO_WAIT_MS;
    int err;

    spl_mutex_lock(d->mu);
    while ((d->events & want) != want && d->err == 0) {
        uint64_t now = spl_clock_ms();
        if (now >= deadline) {
            d->err = SECIP_ETIMEDOUT;
            snprintf(d->why, sizeof(d->why), "timed out after %u ms waiting %s",
                     DEMO_WAIT_MS, what);
            break;
        }
        (void)spl_cond_timedwait(d->cv, d->mu, deadline - now);
    }
    err = d->err;
    spl_mutex_unlock(d->mu);
    return err;
}

static int post(demo *d, spl_post_fn fn)
{
    int rc = spl_loop_post(d->loop, fn, d);
    if (rc < 0)
        fail(d, rc, "spl_loop_post: %s", secip_last_error());
    return rc;
}

/* FNV-1a, 64 bits: small, and enough to show that the bytes match. */
static uint64_t fnv1a(const uint8_t *p, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    size_t i;

    for (i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* ---- loop thread: the server side (accept, then echo) ------------------- */

static void server_read_done(spl_tcp *h, void *arg, ptrdiff_t result);

static void server_closed(spl_tcp *h, void *arg)
{
    (void)h;
    raise_event(arg, EV_SERVER_CLOSED);
}

static void server_read_next(demo *d)
{
    int rc =
        spl_tcp_read(d->server, d->echo, sizeof(d->echo), server_read_done, d);
    if (rc < 0)
        fail(d, rc, "server read: %s", secip_last_error());
}

static void server_write_done(spl_tcp *h, void *arg, ptrdiff_t result)
{
    (void)h;
    if (result < 0) {
        fail(arg, (int)result, "server echo write: %s",
             secip_strerror((int)result));
        return;
    }
    server_read_next(arg);
}

static void server_read_done(spl_tcp *h, void *arg, ptrdiff_t result)
{
    demo *d = arg;
    spl_iov iov;
    int rc;

    if (result == 0) { /* client shut down: we are done too */
        spl_tcp_close(h, server_closed, d);
        return;
    }
    if (result < 0) {
        fail(d, (int)result, "server read: %s", secip_strerror((int)result));
        return;
    }
    iov.base = d->echo;
    iov.len = (size_t)result;
    rc = spl_tcp_write(h, &iov, 1, server_write_done, d);
    if (rc < 0)
        fail(d, rc, "server echo write: %s", secip_last_error());
}

static void accepted(void *arg, int status, spl_tcp *conn)
{
    demo *d = arg;

    if (status < 0) {
        fail(d, status, "accept: %s", secip_strerror(status));
        return;
    }
    d->server = conn;
    if (spl_tcp_peer_name(conn, d->peer, sizeof(d->peer)) < 0)
        snprintf(d->peer, sizeof(d->peer), "(unknown peer)");
    server_read_next(d);
    raise_event(d, EV_ACCEPTED);
}

/* ---- loop thread: the client side (send, check the echo) ---------------- */

static void client_read_done(spl_tcp *h, void *arg, ptrdiff_t result);

static void client_closed(spl_tcp *h, void *arg)
{
    (void)h;
    raise_event(arg, EV_CLIENT_CLOSED);
}

static void client_read_next(demo *d)
{
    uint8_t *buf = d->in + d->got;
    size_t len = DEMO_BYTES - d->got;
    int rc;

    if (d->got == DEMO_BYTES) { /* all echoed: the next read must see EOF */
        buf = d->tail;
        len = sizeof(d->tail);
    }
    rc = spl_tcp_read(d->client, buf, len, client_read_done, d);
    if (rc < 0)
        fail(d, rc, "client read: %s", secip_last_error());
}

static void client_read_done(spl_tcp *h, void *arg, ptrdiff_t result)
{
    demo *d = arg;

    if (result < 0) {
        fail(d, (int)result, "client read: %s", secip_strerror((int)result));
        return;
    }
    if (result == 0) {
        if (d->got != DEMO_BYTES) {
            fail(d, SECIP_EPROTO, "echo ended after %llu of %u bytes",
                 (unsigned long long)d->got, DEMO_BYTES);
            return;
        }
        spl_tcp_close(h, client_closed, d);
        return;
    }
    if (d->got == DEMO_BYTES) {
        fail(d, SECIP_EPROTO, "%lld unexpected bytes after the echo",
             (long long)result);
        return;
    }
    d->got += (size_t)result;
    if (d->got == DEMO_BYTES) {
        d->t_echoed = spl_clock_ns();
        raise_event(d, EV_ECHOED);
    }
    client_read_next(d);
}

static void client_write_next(demo *d);

static void client_write_done(spl_tcp *h, void *arg, ptrdiff_t result)
{
    demo *d = arg;

    (void)h;
    if (result < 0) {
        fail(d, (int)result, "client write: %s", secip_strerror((int)result));
        return;
    }
    if ((size_t)result != DEMO_PIECE * DEMO_IOVS) {
        fail(d, SECIP_EINTERNAL, "write completed %lld of %u bytes",
             (long long)result, DEMO_PIECE * DEMO_IOVS);
        return;
    }
    d->written += (size_t)result;
    d->writes++;
    if (d->written < DEMO_BYTES)
        client_write_next(d);
}

/* One gather write of DEMO_IOVS consecutive pieces of the payload. */
static void client_write_next(demo *d)
{
    spl_iov iov[DEMO_IOVS];
    unsigned i;
    int rc;

    for (i = 0; i < DEMO_IOVS; i++) {
        iov[i].base = d->out + d->written + i * DEMO_PIECE;
        iov[i].len = DEMO_PIECE;
    }
    rc = spl_tcp_write(d->client, iov, (int)DEMO_IOVS, client_write_done, d);
    if (rc < 0)
        fail(d, rc, "client write: %s", secip_last_error());
}

static void connected(void *arg, int status, spl_tcp *conn)
{
    demo *d = arg;

    if (status < 0) {
        fail(d, status, "connect %s:%u: %s", DEMO_HOST, (unsigned)d->port,
             secip_strerror(status));
        return;
    }
    d->client = conn;
    raise_event(d, EV_CONNECTED);
}

static void listener_closed(spl_tcp *h, void *arg)
{
    (void)h;
    raise_event(arg, EV_LISTENER_CLOSED);
}

/* ---- posted functions: what each step asks the loop thread to do -------- */

static void loop_thread(void *arg)
{
    demo *d = arg;
    int rc = spl_loop_run(d->loop);

    spl_mutex_lock(d->mu);
    d->loop_rc = rc;
    d->events |= EV_LOOP_DONE;
    spl_cond_broadcast(d->cv);
    spl_mutex_unlock(d->mu);
}

static void do_ping(void *arg)
{
    demo *d = arg;

    if (!spl_loop_on_thread(d->loop)) {
        fail(d, SECIP_EINTERNAL, "posted function ran off the loop thread");
        return;
    }
    raise_event(d, EV_LOOP_RUNNING);
}

static void do_listen(void *arg)
{
    demo *d = arg;
    int rc = spl_tcp_listen(d->loop, DEMO_HOST, 0, 0, &d->listener);

    if (rc < 0) {
        fail(d, rc, "listen: %s", secip_last_error());
        return;
    }
    d->port = spl_tcp_local_port(d->listener);
    rc = spl_tcp_accept(d->listener, NULL, accepted, d);
    if (rc < 0) {
        fail(d, rc, "accept: %s", secip_last_error());
        return;
    }
    raise_event(d, EV_LISTENING);
}

static void do_connect(void *arg)
{
    demo *d = arg;
    int rc = spl_tcp_connect(d->loop, DEMO_HOST, d->port, 5000, connected, d);

    if (rc < 0)
        fail(d, rc, "connect: %s", secip_last_error());
}

static void do_echo(void *arg)
{
    demo *d = arg;

    d->t_start = spl_clock_ns();
    client_read_next(d); /* read while writing: the echo must drain */
    client_write_next(d);
}

static void do_close(void *arg)
{
    demo *d = arg;
    int rc;

    /* The client half-closes; the server sees end of stream and closes,
     * which the client in turn reads as end of stream and closes. */
    rc = spl_tcp_shutdown(d->client);
    if (rc < 0)
        fail(d, rc, "shutdown: %s", secip_last_error());
    spl_tcp_close(d->listener, listener_closed, d);
}

/* ---- the steps -------------------------------------------------------- */

typedef int (*step_fn)(demo *d, char *line, size_t len);

static int step_loop(demo *d, char *line, size_t len)
{
    int rc = spl_loop_new(&d->loop);

    if (rc < 0) {
        fail(d, rc, "spl_loop_new: %s", secip_last_error());
        return rc;
    }
    rc = spl_thread_create(&d->thread, loop_thread, d);
    if (rc < 0) {
        fail(d, rc, "spl_thread_create: %s", secip_last_error());
        return rc;
    }
    if ((rc = post(d, do_ping)) < 0 ||
        (rc = wait_for(d, EV_LOOP_RUNNING, "for the loop thread")) < 0)
        return rc;
    snprintf(line, len, "loop started on %s backend, on its own thread",
             spl_backend_name());
    return 0;
}

static int step_listen(demo *d, char *line, size_t len)
{
    int rc;

    if ((rc = post(d, do_listen)) < 0 ||
        (rc = wait_for(d, EV_LISTENING, "for the listener")) < 0)
        return rc;
    snprintf(line, len, "listening on %s:%u (port picked by the OS)", DEMO_HOST,
             (unsigned)d->port);
    return 0;
}

static int step_connect(demo *d, char *line, size_t len)
{
    int rc;

    if ((rc = post(d, do_connect)) < 0 ||
        (rc = wait_for(d, EV_CONNECTED | EV_ACCEPTED, "to connect")) < 0)
        return rc;
    snprintf(line, len, "connected: server accepted %s", d->peer);
    return 0;
}

static int step_echo(demo *d, char *line, size_t len)
{
    uint64_t sum_out, sum_in;
    uint32_t x = 0x2545f491u;
    size_t i;
    int rc;

    d->out = malloc(DEMO_BYTES);
    d->in = malloc(DEMO_BYTES);
    if (d->out == NULL || d->in == NULL) {
        fail(d, SECIP_ENOMEM, "out of memory for %u bytes", DEMO_BYTES);
        return SECIP_ENOMEM;
    }
    for (i = 0; i < DEMO_BYTES; i++) { /* xorshift32: varied, repeatable */
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        d->out[i] = (uint8_t)x;
    }
    if ((rc = post(d, do_echo)) < 0 ||
        (rc = wait_for(d, EV_ECHOED, "for the echo")) < 0)
        return rc;
    sum_out = fnv1a(d->out, DEMO_BYTES);
    sum_in = fnv1a(d->in, DEMO_BYTES);
    if (sum_in != sum_out || memcmp(d->in, d->out, DEMO_BYTES) != 0) {
        fail(d, SECIP_EPROTO,
             "echo differs: checksum 0x%016llx, sent 0x%016llx",
             (unsigned long long)sum_in, (unsigned long long)sum_out);
        return SECIP_EPROTO;
    }
    snprintf(line, len,
             "sent 1 MiB in %u writes of %u buffers, echoed back in %.1f ms, "
             "checksum 0x%016llx matches",
             d->writes, DEMO_IOVS, (double)(d->t_echoed - d->t_start) / 1e6,
             (unsigned long long)sum_in);
    return 0;
}

static int step_close(demo *d, char *line, size_t len)
{
    const unsigned closed =
        EV_SERVER_CLOSED | EV_CLIENT_CLOSED | EV_LISTENER_CLOSED;
    int rc;

    if ((rc = post(d, do_close)) < 0 ||
        (rc = wait_for(d, closed, "for the handles to close")) < 0)
        return rc;
    spl_loop_stop(d->loop);
    if ((rc = wait_for(d, EV_LOOP_DONE, "for the loop to stop")) < 0)
        return rc;
    spl_thread_join(d->thread);
    d->thread = NULL;
    if (d->loop_rc < 0) {
        fail(d, d->loop_rc, "spl_loop_run: %s", secip_strerror(d->loop_rc));
        return d->loop_rc;
    }
    spl_loop_free(d->loop);
    d->loop = NULL;
    snprintf(line, len,
             "closed cleanly: end of stream both ways, loop stopped");
    return 0;
}

static const struct {
    const char *name;
    step_fn fn;
} steps[] = {
    {"loop", step_loop}, {"listen", step_listen}, {"connect", step_connect},
    {"echo", step_echo}, {"close", step_close},
};

int main(void)
{
    const size_t nsteps = sizeof(steps) / sizeof(steps[0]);
    static demo d; /* static: the echo buffer is too big for some stacks */
    char line[256];
    size_t i;

    if (spl_mutex_new(&d.mu) < 0 || spl_cond_new(&d.cv) < 0) {
        fprintf(stderr, "demo: cannot start: %s\n", secip_last_error());
        return 1;
    }
    for (i = 0; i < nsteps; i++) {
        line[0] = '\0';
        if (steps[i].fn(&d, line, sizeof(line)) < 0) {
            /* The failing step recorded its reason with fail(). */
            fprintf(stderr, "demo: FAILED at step %zu/%zu (%s): %s\n", i + 1,
                    nsteps, steps[i].name, d.why);
            return 1; /* the loop thread may still run: exit ends it */
        }
        printf("[%zu/%zu] %s\n", i + 1, nsteps, line);
        fflush(stdout);
    }
    free(d.out);
    free(d.in);
    spl_cond_free(d.cv);
    spl_mutex_free(d.mu);
    return 0;
}
