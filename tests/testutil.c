/*
 * tests/testutil.c -- see testutil.h.
 */
#include "testutil.h"

#include <stdarg.h>
#include <stdlib.h>

void tu_fail(const char *file, int line, const char *expr, const char *what)
{
    fprintf(stderr, "%s:%d: check failed: %s", file, line, expr);
    if (what != NULL)
        fprintf(stderr, " (%s)", what);
    fprintf(stderr, "\n  last error: %s\n", secip_last_error());
    fflush(stderr);
    exit(1);
}

void tu_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

uint8_t tu_pattern(uint64_t seed, uint64_t i)
{
    /* Cheap, position-addressable, not periodic at small powers of two. */
    uint64_t x =
        (i + 1) * 0x9e3779b97f4a7c15ULL ^ (seed * 0xbf58476d1ce4e5b9ULL);
    x ^= x >> 29;
    return (uint8_t)(x ^ (x >> 17));
}

void tu_fill(uint64_t seed, uint64_t off, void *buf, size_t len)
{
    uint8_t *p = buf;
    for (size_t i = 0; i < len; i++)
        p[i] = tu_pattern(seed, off + i);
}

uint64_t tu_fnv(uint64_t h, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}
