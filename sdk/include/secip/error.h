/*
 * secip/error.h -- error codes and error details.
 *
 * Every secip function that can fail returns an int: 0 (SECIP_OK) or a
 * positive count on success, a negative SECIP_E* code on failure.  The code
 * says what kind of failure it was; secip_last_error() gives a sentence for a
 * human ("certificate expired on 2026-01-02", "connect 127.0.0.1:9: connection
 * refused (os error 111)").
 *
 * The library never calls exit() or abort() because of bad input: hostile
 * bytes, bad arguments and exhausted resources all come back as codes.
 */
#ifndef SECIP_ERROR_H
#define SECIP_ERROR_H

#include "secip/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Success. */
#define SECIP_OK 0
/** An argument is invalid (NULL where an object is required, bad range). */
#define SECIP_EINVAL (-1)
/** Out of memory, or an allocation would exceed a configured limit. */
#define SECIP_ENOMEM (-2)
/** An I/O error reported by the operating system (see the detail). */
#define SECIP_EIO (-3)
/** The operation was cancelled because its handle was closed. */
#define SECIP_ECANCELED (-4)
/** The operation did not complete in time. */
#define SECIP_ETIMEDOUT (-5)
/** The peer refused the connection (nothing listens there). */
#define SECIP_ECONNREFUSED (-6)
/** The peer reset the connection, or the pipe broke while writing. */
#define SECIP_ECONNRESET (-7)
/** The address is already in use. */
#define SECIP_EADDRINUSE (-8)
/** A host name could not be resolved, or an address is not available. */
#define SECIP_EADDR (-9)
/** The object is busy: an operation of that kind is already in flight. */
#define SECIP_EBUSY (-10)
/** The object is closed, or the connection was closed by the peer. */
#define SECIP_ECLOSED (-11)
/** The peer violated the protocol (bad frame, bad TLS record, ...). */
#define SECIP_EPROTO (-12)
/** The TLS layer failed (handshake failure, alert, bad record). */
#define SECIP_ETLS (-13)
/** A certificate or key did not pass verification. */
#define SECIP_EVERIFY (-14)
/** A size exceeds a configured or protocol limit. */
#define SECIP_ETOOBIG (-15)
/** Permission denied by the operating system or by policy. */
#define SECIP_EPERM (-16)
/** The file or object already exists. */
#define SECIP_EEXIST (-17)
/** The file or object does not exist. */
#define SECIP_ENOENT (-18)
/** The operation is not supported here. */
#define SECIP_ENOTSUP (-19)
/** Malformed input: bad PEM, DER, JSON, UTF-8, file name, ... */
#define SECIP_EFORMAT (-20)
/** The operation would block and the caller asked not to wait. */
#define SECIP_EAGAIN (-21)
/** The network or host is unreachable. */
#define SECIP_EUNREACH (-22)
/** Access denied by the peer (enrollment refused, bad password, ...). */
#define SECIP_EDENIED (-23)
/** Internal consistency failure: a bug in secip; please report it. */
#define SECIP_EINTERNAL (-24)

/**
 * Short, constant description of an error code ("connection refused").
 *
 * Ownership: returns a pointer to a static string; do not free it.
 * Thread-safety: safe from any thread.
 * Errors: an unknown code gives "unknown error".
 */
SECIP_API const char *secip_strerror(int code);

/**
 * Detail of the last error that a secip call reported on this thread.
 *
 * The text names the cause as precisely as the library knows it, including
 * the operating system's own error code where there is one.  It is replaced
 * by the next failing call on the same thread and is not cleared by
 * successful calls, so read it right after the failing call.
 *
 * Ownership: returns a pointer to thread-local storage owned by the library,
 * valid until the next secip call on this thread; do not free it.
 * Thread-safety: each thread has its own detail.
 * Errors: none; "" when no error was recorded yet on this thread.
 */
SECIP_API const char *secip_last_error(void);

/**
 * Code of the last error that a secip call recorded on this thread
 * (SECIP_OK when none).  Same lifetime rules as secip_last_error().
 */
SECIP_API int secip_last_error_code(void);

#ifdef __cplusplus
}
#endif

#endif /* SECIP_ERROR_H */
