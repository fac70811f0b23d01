/*
 * platform/platform.h -- the contract between secip's portable core and the
 * operating system.
 *
 * Everything secip needs from an OS is declared here and implemented twice:
 * platform/posix/ (epoll, pthreads, POSIX files) and platform/win32/ (IOCP,
 * Win32 threads, Win32 files).  CMake compiles exactly one backend.  Code
 * above platform/ (sdk/, tools/, tests/, bench/) includes this header and
 * never an OS header.  This header itself includes only standard C headers.
 *
 * Naming: every function of the contract is spl_<object>_<verb> ("secip
 * platform layer"); the portable core's internal tier uses sp_; the public
 * API uses secip_.
 *
 * Errors: every int-returning function returns 0 (or a count) on success and
 * a negative SECIP_E* code on failure, and records a human-readable detail
 * with the OS error code through sp_error_set() (sdk/src/error.h), so that
 * secip_last_error() explains a synchronous failure.  Asynchronous failures
 * reach the callback as a negative SECIP_E* code.
 *
 * ---------------------------------------------------------------------------
 * The I/O model: completions
 *
 * A loop (spl_loop) is run by exactly one thread.  Handles (TCP sockets,
 * listeners, timers) belong to one loop.  An operation is *started* with a
 * callback; the callback fires exactly once, on the loop's thread, with the
 * result: bytes transferred (>= 0) or a negative SECIP_E* code.  Rules that
 * both backends guarantee:
 *
 *  1. A callback never runs inside the call that started the operation
 *     (libuv's rule); it runs later from spl_loop_run().  So callers may start
 *     an operation while holding state that the callback also touches.
 *  2. A handle has at most one read and at most one write in flight (and a
 *     listener one accept).  Starting a second one returns SECIP_EBUSY and
 *     starts nothing.
 *  3. Closing a handle completes every outstanding operation exactly once
 *     with SECIP_ECANCELED, then calls the close callback, and only then is
 *     the handle's memory released.  Buffers passed to an operation must stay
 *     valid until that operation's callback has run.
 *  4. Handle functions (start, close, options) are called only from the
 *     loop's thread, or from any thread before spl_loop_run() has started and
 *     after it returned.  Cross-thread work goes through spl_loop_post(),
 *     the only loop function that is safe from any thread besides
 *     spl_loop_stop().
 *
 * The epoll backend emulates completions: each socket is registered once,
 * edge-triggered, for input and output; a started operation is tried at once
 * from the loop (never inside the starting call) and, on EAGAIN, waits for
 * the next edge.  The IOCP backend maps operations onto overlapped AcceptEx,
 * ConnectEx, WSARecv and WSASend; cancellation uses CancelIoEx and waits for
 * the kernel's completion before it calls back.
 * ---------------------------------------------------------------------------
 */
#ifndef SECIP_PLATFORM_H
#define SECIP_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#include "secip/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ========================================================================
 * Backend identity
 * ======================================================================== */

/** Name of the compiled I/O backend: "epoll" or "iocp".  Static string. */
const char *spl_backend_name(void);

/**
 * One-time process initialisation (Winsock startup on Windows, SIGPIPE
 * handling on POSIX).  Idempotent and thread-safe; every other spl_ function
 * that needs it calls it, so callers never have to.
 */
int spl_init(void);

/* ========================================================================
 * Loop
 * ======================================================================== */

typedef struct spl_loop spl_loop;

/** A function to run on a loop's thread (see spl_loop_post). */
typedef void (*spl_post_fn)(void *arg);

/**
 * Create a loop.  Ownership: the caller frees it with spl_loop_free() once
 * spl_loop_run() has returned and every handle of the loop is closed and its
 * close callback has run.  Errors: SECIP_ENOMEM, SECIP_EIO.
 */
int spl_loop_new(spl_loop **out);

/**
 * Run the loop on the calling thread until spl_loop_stop() is called.
 * Returns 0 after a stop, or a negative code if the OS wait itself failed.
 * Posted functions and completions that are already queued when stop is
 * requested still run before it returns.
 */
int spl_loop_run(spl_loop *loop);

/**
 * Ask the loop to return from spl_loop_run().  Thread-safe; may be called
 * before run (the next run then returns at once) and more than once.
 */
void spl_loop_stop(spl_loop *loop);

/**
 * Queue fn(arg) to run once on the loop's thread, in posting order for
 * posts from one thread.  Thread-safe, never blocks on the loop, never runs
 * fn inside the call.  The wake-up uses an eventfd (POSIX) or
 * PostQueuedCompletionStatus (Windows), and is only issued when the queue
 * was empty.  Errors: SECIP_ENOMEM (fn will not run).
 */
int spl_loop_post(spl_loop *loop, spl_post_fn fn, void *arg);

/** True when the calling thread is the thread running the loop. */
int spl_loop_on_thread(const spl_loop *loop);

/** Free a loop (see spl_loop_new for when that is allowed). NULL is fine. */
void spl_loop_free(spl_loop *loop);

/* ========================================================================
 * Timers
 * ======================================================================== */

typedef struct spl_timer spl_timer;

/** Timer callback: runs on the loop thread. */
typedef void (*spl_timer_cb)(spl_timer *t, void *arg);

/** Create a stopped timer on loop.  Free with spl_timer_free().  Loop thread.
 */
int spl_timer_new(spl_loop *loop, spl_timer **out);

/**
 * Start (or restart) the timer: cb fires after timeout_ms, then every
 * repeat_ms if repeat_ms > 0.  Timers that expire in the same loop
 * iteration fire in order of their deadlines, ties in start order.
 * A callback may start, stop or free its own timer.  Loop thread only.
 */
int spl_timer_start(spl_timer *t, uint64_t timeout_ms, uint64_t repeat_ms,
                    spl_timer_cb cb, void *arg);

/** Stop the timer; its callback will not fire until started again. */
void spl_timer_stop(spl_timer *t);

/** Stop and free the timer at once (timers have no close callback). */
void spl_timer_free(spl_timer *t);

/* ========================================================================
 * TCP
 * ======================================================================== */

typedef struct spl_tcp spl_tcp;

/** A buffer of a gather write. */
typedef struct spl_iov {
    const void *base;
    size_t len;
} spl_iov;

/** Maximum number of buffers in one spl_tcp_write(). */
#define SPL_IOV_MAX 64

/**
 * Completion of a read or a write.  result: for a read, the number of bytes
 * read (> 0), 0 at end of stream (the peer shut down its side), or a
 * negative code; for a write, the total number of bytes written (all of
 * them) or a negative code.
 */
typedef void (*spl_io_cb)(spl_tcp *h, void *arg, ptrdiff_t result);

/**
 * Completion of a connect or an accept.  On success status is 0 and conn is
 * a new open handle owned by the callee (close it with spl_tcp_close());
 * on failure status is negative and conn is NULL.
 */
typedef void (*spl_conn_cb)(void *arg, int status, spl_tcp *conn);

/** Close callback: the handle's memory is released after it returns. */
typedef void (*spl_close_cb)(spl_tcp *h, void *arg);

/**
 * Bind and listen.  host is a numeric IPv4 or IPv6 address or a name
 * ("127.0.0.1", "::1", "localhost"; NULL or "" means every IPv4 address).
 * port 0 picks a free port: read it with spl_tcp_local_port().
 * backlog <= 0 uses the OS maximum.  Ownership: *out belongs to the caller,
 * close it with spl_tcp_close().  Errors: SECIP_EADDRINUSE, SECIP_EADDR,
 * SECIP_EPERM, SECIP_EIO.
 */
int spl_tcp_listen(spl_loop *loop, const char *host, uint16_t port, int backlog,
                   spl_tcp **out);

/**
 * Accept one connection.  The new handle belongs to target (NULL means the
 * listener's loop): the callback runs on the listener's loop thread, but the
 * new handle's operations must then be started from target's thread (post
 * there).  Call again from the callback to accept the next connection.
 * Errors (synchronous): SECIP_EBUSY, SECIP_ECLOSED.  Closing the listener
 * completes a pending accept with SECIP_ECANCELED.
 */
int spl_tcp_accept(spl_tcp *listener, spl_loop *target, spl_conn_cb cb,
                   void *arg);

/**
 * Connect to host:port with a timeout (0 = the OS's own).  The host is
 * resolved on the calling thread (numeric addresses never block).  The
 * callback gets SECIP_ECONNREFUSED, SECIP_ETIMEDOUT, SECIP_EUNREACH or
 * SECIP_EADDR on failure.  Synchronous errors: SECIP_EADDR (no such host),
 * SECIP_ENOMEM, SECIP_EIO.
 */
int spl_tcp_connect(spl_loop *loop, const char *host, uint16_t port,
                    uint32_t timeout_ms, spl_conn_cb cb, void *arg);

/**
 * spl_tcp_connect() from a chosen local address: the socket is bound to
 * local_host (a numeric address such as "127.0.0.2", port chosen by the
 * OS) before connecting.  local_host NULL behaves as spl_tcp_connect().
 * Extra synchronous error: SECIP_EADDR (local_host is not a numeric address
 * of the peer's family); binding failures complete with SECIP_EADDR.
 */
int spl_tcp_connect_from(spl_loop *loop, const char *local_host,
                         const char *host, uint16_t port, uint32_t timeout_ms,
                         spl_conn_cb cb, void *arg);

/**
 * Read up to len (> 0) bytes into buf.  Completes as soon as at least one
 * byte is available.  buf must stay valid until the callback has run.
 */
int spl_tcp_read(spl_tcp *h, void *buf, size_t len, spl_io_cb cb, void *arg);

/**
 * Write all bytes of iov[0..n-1] (1 <= n <= SPL_IOV_MAX) in order, with as
 * few system calls as the OS allows (writev / one WSASend).  The iov array
 * is copied; the buffers it points at must stay valid until the callback.
 * Peer resets come back as SECIP_ECONNRESET (never a signal).
 */
int spl_tcp_write(spl_tcp *h, const spl_iov *iov, int n, spl_io_cb cb,
                  void *arg);

/**
 * Shut down the sending direction (the peer reads end of stream).  If a
 * write is in flight, the shutdown takes effect once it has completed; a
 * write started after the shutdown fails with SECIP_ECLOSED.
 */
int spl_tcp_shutdown(spl_tcp *h);

/**
 * Close the handle: outstanding operations complete with SECIP_ECANCELED,
 * then cb (may be NULL) runs, then the memory is released.  Never fails;
 * calling it twice is a bug the backends ignore.  Loop thread only.
 */
void spl_tcp_close(spl_tcp *h, spl_close_cb cb, void *arg);

/** Abort the connection: like close, but the peer sees a reset (RST). */
void spl_tcp_abort(spl_tcp *h, spl_close_cb cb, void *arg);

/** Local port of a listener or connection, 0 if unknown. */
uint16_t spl_tcp_local_port(const spl_tcp *h);

/**
 * Peer address as text, "127.0.0.1:5000" or "[::1]:5000", into buf
 * (NUL-terminated, truncated to len).  Returns 0 or a negative code.
 */
int spl_tcp_peer_name(const spl_tcp *h, char *buf, size_t len);

/**
 * Disable (on != 0) or enable Nagle's algorithm.  Accepted and connected
 * sockets start with Nagle disabled (TCP_NODELAY): secip batches small
 * messages itself, and Nagle would only add latency to the last record.
 */
int spl_tcp_nodelay(spl_tcp *h, int on);

/** Set the kernel send and receive buffer sizes (0 leaves one unchanged). */
int spl_tcp_buffers(spl_tcp *h, int sndbuf, int rcvbuf);

/** The loop a handle belongs to. */
spl_loop *spl_tcp_loop(const spl_tcp *h);

/** Opaque per-handle user pointer, for the owner's convenience. */
void spl_tcp_set_data(spl_tcp *h, void *data);
void *spl_tcp_data(const spl_tcp *h);

/* ========================================================================
 * Threads and synchronisation
 * ======================================================================== */

typedef struct spl_thread spl_thread;
typedef struct spl_mutex spl_mutex;
typedef struct spl_cond spl_cond;

typedef void (*spl_thread_fn)(void *arg);

/** Start a thread running fn(arg).  Join it with spl_thread_join(). */
int spl_thread_create(spl_thread **out, spl_thread_fn fn, void *arg);

/** Wait for the thread to finish and free it. */
void spl_thread_join(spl_thread *t);

/** Mutex (not recursive).  Lock and unlock never fail on a valid mutex. */
int spl_mutex_new(spl_mutex **out);
void spl_mutex_free(spl_mutex *m);
void spl_mutex_lock(spl_mutex *m);
void spl_mutex_unlock(spl_mutex *m);

/** Condition variable used with an spl_mutex. */
int spl_cond_new(spl_cond **out);
void spl_cond_free(spl_cond *c);
void spl_cond_wait(spl_cond *c, spl_mutex *m);
/** Wait at most timeout_ms; returns 0 when signalled, SECIP_ETIMEDOUT. */
int spl_cond_timedwait(spl_cond *c, spl_mutex *m, uint64_t timeout_ms);
void spl_cond_signal(spl_cond *c);
void spl_cond_broadcast(spl_cond *c);

/** Number of online CPUs (at least 1). */
int spl_cpu_count(void);

/** Sleep the calling thread. */
void spl_sleep_ms(uint32_t ms);

/* Atomics: sequentially consistent, on naturally aligned integers.  They
 * are functions rather than C11 <stdatomic.h> so that MSVC's C mode, which
 * lacks it, builds the same core. */
typedef struct spl_atomic {
    volatile int64_t v;
} spl_atomic;

int64_t spl_atomic_load(spl_atomic *a);
void spl_atomic_store(spl_atomic *a, int64_t v);
/** Add delta and return the new value. */
int64_t spl_atomic_add(spl_atomic *a, int64_t delta);
/** If *a == expected, store desired and return 1; otherwise return 0. */
int spl_atomic_cas(spl_atomic *a, int64_t expected, int64_t desired);

/* ========================================================================
 * Time and randomness
 * ======================================================================== */

/** Monotonic clock in nanoseconds from an arbitrary origin. */
uint64_t spl_clock_ns(void);

/** Monotonic clock in milliseconds. */
uint64_t spl_clock_ms(void);

/** Wall-clock time: seconds since 1970-01-01T00:00:00Z. */
int64_t spl_time_now(void);

/**
 * Fill buf with len bytes from the OS's cryptographic random source
 * (getrandom / BCryptGenRandom).  Thread-safe.  Errors: SECIP_EIO.
 */
int spl_random(void *buf, size_t len);

/* ========================================================================
 * Files.  Paths are UTF-8 (converted to UTF-16 on Windows).
 * ======================================================================== */

typedef struct spl_file spl_file;

#define SPL_FILE_READ       0x01 /**< open for reading */
#define SPL_FILE_WRITE      0x02 /**< open for writing */
#define SPL_FILE_CREATE     0x04 /**< create if missing */
#define SPL_FILE_EXCL       0x08 /**< with CREATE: fail if it exists */
#define SPL_FILE_TRUNC      0x10 /**< truncate to 0 bytes */
#define SPL_FILE_OWNER_ONLY 0x20 /**< a created file is owner-only (0600) */

/**
 * Open a file.  Errors: SECIP_ENOENT, SECIP_EEXIST, SECIP_EPERM, SECIP_EIO.
 * Ownership: the caller closes *out with spl_file_close().
 */
int spl_file_open(const char *path, int flags, spl_file **out);

/** Read up to len bytes at offset; returns the count (0 at end) or error. */
ptrdiff_t spl_file_pread(spl_file *f, void *buf, size_t len, uint64_t off);

/** Write all len bytes at offset; returns len or a negative code. */
ptrdiff_t spl_file_pwrite(spl_file *f, const void *buf, size_t len,
                          uint64_t off);

/** Size of the open file in bytes, or a negative code. */
int64_t spl_file_size(spl_file *f);

/**
 * Last modification time of the open file, in seconds since 1970-01-01Z,
 * into *out.  Errors: SECIP_EINVAL, SECIP_EIO.
 */
int spl_file_mtime(spl_file *f, int64_t *out);

/** Truncate or extend the file to size bytes. */
int spl_file_truncate(spl_file *f, uint64_t size);

/** Flush data and metadata to stable storage. */
int spl_file_sync(spl_file *f);

/**
 * Take (blocking) an exclusive advisory lock on the whole file, shared by
 * every process that uses spl_file_lock on it; released by unlock or close.
 */
int spl_file_lock(spl_file *f);
int spl_file_unlock(spl_file *f);

/** Close the file (NULL is fine). */
void spl_file_close(spl_file *f);

/**
 * Rename from over to, atomically replacing an existing `to` (rename(2) /
 * MoveFileEx with MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH).
 */
int spl_file_rename(const char *from, const char *to);

/** Delete a file.  SECIP_ENOENT if it does not exist. */
int spl_file_remove(const char *path);

/** Create a directory (owner-only if owner_only); SECIP_EEXIST if there. */
int spl_dir_create(const char *path, int owner_only);

/**
 * Remove an empty directory.  Errors: SECIP_ENOENT, SECIP_EEXIST (not
 * empty), SECIP_EPERM, SECIP_EIO.
 */
int spl_dir_remove(const char *path);

/** 1 if path is an existing directory, 0 if not. */
int spl_dir_exists(const char *path);

/** Flush a directory's entries to storage (no-op where the OS has none). */
int spl_dir_sync(const char *path);

/* ---- process and terminal ----------------------------------------------- */

/**
 * Peak resident memory of this process so far, in bytes (getrusage
 * ru_maxrss / PeakWorkingSetSize).  Errors: SECIP_EIO (OS error recorded).
 */
int spl_proc_peak_rss(uint64_t *out);

/**
 * Current resident memory of this process in bytes (/proc/self/statm /
 * WorkingSetSize).  Errors: SECIP_EIO.
 */
int spl_proc_rss(uint64_t *out);

/**
 * This process's id (getpid / GetCurrentProcessId).  The random generator
 * compares it on every call to notice that it runs in a fork()ed child,
 * whose copy of the generator state must not repeat the parent's output.
 * Never fails.
 */
uint64_t spl_proc_id(void);

/**
 * Print prompt on the controlling terminal (or console) and read one line
 * without echoing it, into buf (NUL-terminated, the newline removed).
 * Echo is restored before returning, also on error.  Returns the length.
 * Errors: SECIP_ENOTSUP (stdin is not a terminal: use a password file),
 * SECIP_ETOOBIG (the line did not fit in cap - 1 bytes; buf is wiped),
 * SECIP_EIO.  The caller wipes buf after use.
 */
int spl_read_password(const char *prompt, char *buf, size_t cap);

/**
 * 1 when the given standard stream (1 = stdout, 2 = stderr) is a terminal,
 * 0 otherwise (progress bars are drawn only on terminals).
 */
int spl_isatty(int stream);

#ifdef __cplusplus
}
#endif

#endif /* SECIP_PLATFORM_H */
