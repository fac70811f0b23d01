/*
 * sdk/src/error.c -- error codes to text, and the thread-local error detail.
 */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* C11 spells thread-local storage _Thread_local; MSVC's C mode spells it
 * __declspec(thread).  Both give each thread its own detail without locks. */
#if defined(_MSC_VER)
#define SP_THREAD_LOCAL __declspec(thread)
#else
#define SP_THREAD_LOCAL _Thread_local
#endif

#define SP_DETAIL_MAX 512

static SP_THREAD_LOCAL char tl_detail[SP_DETAIL_MAX];
static SP_THREAD_LOCAL int tl_code;

const char *secip_strerror(int code)
{
    switch (code) {
    case SECIP_OK: return "success";
    case SECIP_EINVAL: return "invalid argument";
    case SECIP_ENOMEM: return "out of memory";
    case SECIP_EIO: return "input/output error";
    case SECIP_ECANCELED: return "operation cancelled";
    case SECIP_ETIMEDOUT: return "timed out";
    case SECIP_ECONNREFUSED: return "connection refused";
    case SECIP_ECONNRESET: return "connection reset by peer";
    case SECIP_EADDRINUSE: return "address already in use";
    case SECIP_EADDR: return "address not found or not available";
    case SECIP_EBUSY: return "operation already in progress";
    case SECIP_ECLOSED: return "closed";
    case SECIP_EPROTO: return "protocol error";
    case SECIP_ETLS: return "TLS failure";
    case SECIP_EVERIFY: return "verification failed";
    case SECIP_ETOOBIG: return "size exceeds a limit";
    case SECIP_EPERM: return "permission denied";
    case SECIP_EEXIST: return "already exists";
    case SECIP_ENOENT: return "no such file or object";
    case SECIP_ENOTSUP: return "not supported";
    case SECIP_EFORMAT: return "malformed input";
    case SECIP_EAGAIN: return "would block";
    case SECIP_EUNREACH: return "network unreachable";
    case SECIP_EDENIED: return "access denied";
    case SECIP_EINTERNAL: return "internal error";
    default: return "unknown error";
    }
}

int sp_error_set(int code, const char *fmt, ...)
{
    tl_code = code;
    if (fmt == NULL) {
        snprintf(tl_detail, sizeof tl_detail, "%s", secip_strerror(code));
        return code;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tl_detail, sizeof tl_detail, fmt, ap);
    va_end(ap);
    return code;
}

void sp_error_clear(void)
{
    tl_code = SECIP_OK;
    tl_detail[0] = '\0';
}

const char *secip_last_error(void)
{
    return tl_detail;
}

int secip_last_error_code(void)
{
    return tl_code;
}
