/*
 * tests/files/vol_util.h -- helpers of the volume acceptance tests
 * (test_volume.c, test_hol.c): sizes from the environment, patterned files
 * generated with their SHA-256, a real server and client on 127.0.0.1 in
 * the test process, and the peak-RSS bound (skipped under sanitizers).
 */
#ifndef VOL_UTIL_H
#define VOL_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "platform.h"
#include "secip/secip.h"
#include "testutil.h"

/* Sanitized builds: shadow memory and quarantine make RSS meaningless;
 * ThreadSanitizer also slows every memory access of the library several
 * times (VU_TSAN), which timing bounds must allow for. */
#if defined(__SANITIZE_THREAD__)
#define VU_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define VU_TSAN 1
#endif
#endif
#ifndef VU_TSAN
#define VU_TSAN 0
#endif
#if VU_TSAN || defined(__SANITIZE_ADDRESS__)
#define VU_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define VU_SANITIZED 1
#endif
#endif
#ifndef VU_SANITIZED
#define VU_SANITIZED 0
#endif

#define VU_MIB ((uint64_t)1 << 20)

/**
 * The test size: default_mib MiB, or $SECIP_VOLUME_MB MiB when that is set
 * (for quick local runs; CI leaves it unset).
 */
uint64_t vu_size(uint64_t default_mib);

/** Write size patterned bytes (seed) to a new file at path, 1 MiB at a
 *  time. */
void vu_generate(const char *path, uint64_t seed, uint64_t size);

/**
 * Check that the file at path holds exactly size patterned bytes (seed),
 * reading it 1 MiB at a time, and compute its SHA-256 on the way (one
 * pass: hashing is what a 2 GiB check costs).
 */
void vu_verify(const char *path, uint64_t seed, uint64_t size,
               uint8_t sha256[32]);

/** A server with files_dir = dir and a pinned client session to it. */
typedef struct vu_pair {
    secip_key *key;
    secip_server *srv;
    secip_client *cli;
    secip_session *s; /* the client's session */
} vu_pair;

/** Start the server (handler fn with ud) and connect the client. */
void vu_pair_open(vu_pair *p, const char *files_dir, secip_handler_fn fn,
                  void *ud);

/** Close the client, stop and free the server. */
void vu_pair_close(vu_pair *p);

/**
 * Log the peak RSS and check it is below limit_mib MiB, except in
 * sanitized builds (logged as skipped).
 */
void vu_check_peak_rss(uint64_t limit_mib);

/** Remove path if it exists (cleanup; errors ignored). */
void vu_remove(const char *path);

#endif
