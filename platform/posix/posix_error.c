/*
 * platform/posix/posix_error.c -- errno to SECIP_E* mapping.
 *
 * Every OS failure in the POSIX backend goes through spl__os_error(), so the
 * detail text of secip_last_error() always has the same shape:
 * "connect 127.0.0.1:9: Connection refused (os error 111)".
 */
/* The XSI strerror_r (returning int) is the portable one; _GNU_SOURCE would
 * select glibc's char * variant instead. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "posix_error.h"

int spl__errno_code(int err)
{
    switch (err) {
    case ENOMEM:
    case ENOBUFS: return SECIP_ENOMEM;
    case ECONNREFUSED: return SECIP_ECONNREFUSED;
    case ECONNRESET:
    case ECONNABORTED:
    case EPIPE: return SECIP_ECONNRESET;
    case ETIMEDOUT: return SECIP_ETIMEDOUT;
    case ENETUNREACH:
    case EHOSTUNREACH:
    case ENETDOWN:
#ifdef EHOSTDOWN
    case EHOSTDOWN:
#endif
        return SECIP_EUNREACH;
    case EADDRINUSE: return SECIP_EADDRINUSE;
    case EADDRNOTAVAIL:
    case EAFNOSUPPORT: return SECIP_EADDR;
    case EACCES:
    case EPERM:
    case EROFS: return SECIP_EPERM;
    case EEXIST:
    case ENOTEMPTY: return SECIP_EEXIST;
    case ENOENT:
    case ENOTDIR: return SECIP_ENOENT;
#if EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK:
#endif
    case EAGAIN: return SECIP_EAGAIN;
    case EINVAL: return SECIP_EINVAL;
    case ECANCELED: return SECIP_ECANCELED;
#if defined(EOPNOTSUPP) && EOPNOTSUPP != ENOTSUP
    case EOPNOTSUPP:
#endif
    case ENOTSUP: return SECIP_ENOTSUP;
    case EFBIG: return SECIP_ETOOBIG;
    case ENOTCONN:
    case EBADF: return SECIP_ECLOSED;
    default: return SECIP_EIO;
    }
}

static int vrecord(int code, int err, const char *fmt, va_list ap)
    SP_PRINTF(3, 0);

static int vrecord(int code, int err, const char *fmt, va_list ap)
{
    char what[256];
    char msg[128];

    vsnprintf(what, sizeof(what), fmt, ap);
    if (strerror_r(err, msg, sizeof(msg)) != 0)
        snprintf(msg, sizeof(msg), "unknown error");
    return sp_error_set(code, "%s: %s (os error %d)", what, msg, err);
}

int spl__os_error(int err, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = vrecord(spl__errno_code(err), err, fmt, ap);
    va_end(ap);
    return rc;
}

int spl__os_error_as(int code, int err, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = vrecord(code, err, fmt, ap);
    va_end(ap);
    return rc;
}
