/*
 * tests/testutil.h -- minimal assertions for secip's tests.
 *
 * A failed check prints file:line, the expression and secip_last_error(),
 * then exits with status 1 so CTest reports the test as failed.  Tests are
 * plain programs: main() returns 0 on success.
 */
#ifndef SECIP_TESTUTIL_H
#define SECIP_TESTUTIL_H

#include <stdint.h>
#include <stdio.h>

#include "secip/error.h"

void tu_fail(const char *file, int line, const char *expr, const char *what);

#define CHECK(expr)                                                            \
    do {                                                                       \
        if (!(expr))                                                           \
            tu_fail(__FILE__, __LINE__, #expr, NULL);                          \
    } while (0)

/* Checks that an int-returning secip call succeeded (>= 0). */
#define CHECK_OK(expr)                                                         \
    do {                                                                       \
        long long tu_rc_ = (long long)(expr);                                  \
        if (tu_rc_ < 0)                                                        \
            tu_fail(__FILE__, __LINE__, #expr, secip_strerror((int)tu_rc_));   \
    } while (0)

/* Checks that a call failed with exactly the given code. */
#define CHECK_ERR(expr, code)                                                  \
    do {                                                                       \
        long long tu_rc_ = (long long)(expr);                                  \
        if (tu_rc_ != (code))                                                  \
            tu_fail(__FILE__, __LINE__, #expr, secip_strerror((int)tu_rc_));   \
    } while (0)

/* printf-style format checking for tu_log (also keeps clang's
 * -Wformat-nonliteral quiet about its vprintf). */
#if defined(__GNUC__)
#define TU_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define TU_PRINTF(a, b)
#endif

/* Prints a progress line (to stdout, shown by ctest --output-on-failure).
 * On Windows the C runtime's printf has no %zu: cast sizes to unsigned
 * long long and use %llu. */
void tu_log(const char *fmt, ...) TU_PRINTF(1, 2);

/* A deterministic byte pattern: byte i of stream `seed`. */
uint8_t tu_pattern(uint64_t seed, uint64_t i);

/* Fills buf with bytes [off, off+len) of pattern stream `seed`. */
void tu_fill(uint64_t seed, uint64_t off, void *buf, size_t len);

/* FNV-1a 64-bit running checksum: start with TU_FNV_INIT. */
#define TU_FNV_INIT 0xcbf29ce484222325ULL
uint64_t tu_fnv(uint64_t h, const void *buf, size_t len);

#endif
