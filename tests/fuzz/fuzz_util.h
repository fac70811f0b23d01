/*
 * tests/fuzz/fuzz_util.h -- what several fuzz targets share: an invariant
 * check that traps (libFuzzer then saves the input), and a private scratch
 * directory under $TMPDIR for the targets that touch the file system.
 */
#ifndef FUZZ_UTIL_H
#define FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "platform.h"
#include "secip/random.h"

/* A broken invariant: say which, then trap so libFuzzer keeps the input. */
#define CHECK(c)                                                               \
    do {                                                                       \
        if (!(c)) {                                                            \
            fprintf(stderr, "%s: check failed line %d: %s\n", __FILE__,        \
                    __LINE__, #c);                                             \
            __builtin_trap();                                                  \
        }                                                                      \
    } while (0)

/* Create "$TMPDIR/secip-fuzz-<tag>-<12 random hex digits>" (owner only)
 * into dir; aborts on failure (the target cannot run without it). */
static inline void fz_scratch_dir(char *dir, size_t cap, const char *tag)
{
    const char *tmp = getenv("TMPDIR");
    uint8_t r[6];
    if (secip_random(r, sizeof r) != 0)
        abort();
    snprintf(dir, cap, "%s/secip-fuzz-%s-%02x%02x%02x%02x%02x%02x",
             tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp", tag, r[0], r[1],
             r[2], r[3], r[4], r[5]);
    if (spl_dir_create(dir, 1) < 0)
        abort();
}

#endif /* FUZZ_UTIL_H */
