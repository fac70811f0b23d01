/*
 * sdk/src/error.h -- internal: recording error details for secip_last_error().
 *
 * Used by the portable core and by the platform backends (which are part of
 * the same library).  The detail is thread-local, so recording never takes a
 * lock.
 */
#ifndef SP_ERROR_H
#define SP_ERROR_H

#include "secip/error.h"

#if defined(__GNUC__)
#define SP_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define SP_PRINTF(a, b)
#endif

/**
 * Record code and a printf-style detail for the calling thread, and return
 * code, so that a failure path reads `return sp_error_set(SECIP_EIO, ...)`.
 * The detail is truncated to 511 bytes.  fmt may be NULL: the detail is then
 * secip_strerror(code).
 */
int sp_error_set(int code, const char *fmt, ...) SP_PRINTF(2, 3);

/** Forget the calling thread's error (secip_last_error() returns ""). */
void sp_error_clear(void);

#endif /* SP_ERROR_H */
