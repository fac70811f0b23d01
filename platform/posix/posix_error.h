/*
 * platform/posix/posix_error.h -- internal: errno to SECIP_E* mapping for
 * the POSIX backend.
 */
#ifndef SPL_POSIX_ERROR_H
#define SPL_POSIX_ERROR_H

#include "error.h" /* sdk/src/error.h: sp_error_set, SP_PRINTF */

/** The SECIP_E* code for an errno value (never 0; unknown ones: SECIP_EIO).
 */
int spl__errno_code(int err);

/**
 * Record the detail "<what>: <strerror(err)> (os error <err>)" for the
 * calling thread, where <what> is formatted from fmt, and return
 * spl__errno_code(err).  Pass errno explicitly: it is read before anything
 * else could change it.
 */
int spl__os_error(int err, const char *fmt, ...) SP_PRINTF(2, 3);

/** Like spl__os_error() but records and returns the given code instead of
 * the mapped one (for contracts that promise e.g. only SECIP_EIO). */
int spl__os_error_as(int code, int err, const char *fmt, ...) SP_PRINTF(3, 4);

#endif /* SPL_POSIX_ERROR_H */
