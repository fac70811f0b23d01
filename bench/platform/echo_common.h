/*
 * bench/platform/echo_common.h -- what both echo peers of echo_bench share:
 * the run configuration, the byte stream they send and the checksum every
 * receiver computes, so that no figure can come from a broken transfer.
 *
 * The stream is a 1 MiB block of pseudo-random bytes repeated: byte p of a
 * run is echo_pattern()[p % ECHO_PATTERN_LEN].  Senders send straight out
 * of the block (no copy), in chunks of at most cfg->buf bytes that never
 * cross the block's end, so both peers issue the same chunk sizes.
 */
#ifndef SECIP_BENCH_ECHO_COMMON_H
#define SECIP_BENCH_ECHO_COMMON_H

#include <stddef.h>
#include <stdint.h>

#define ECHO_PATTERN_LEN (1024u * 1024u)

typedef struct echo_cfg {
    uint64_t total;      /* payload bytes per run, one direction */
    size_t buf;          /* bytes per send / receive buffer, <= 1 MiB */
    int iovs;            /* buffers per gather write (platform client) */
    uint32_t timeout_ms; /* bound on one run, setup included */
    uint64_t expected;   /* checksum of the whole stream (echo_expected) */
} echo_cfg;

/* Outcome of one run.  why is set (one line) when the run fails. */
typedef struct echo_result {
    double seconds; /* first byte sent .. last byte of the echo received */
    char why[256];
} echo_result;

/* Fills the pattern block.  Call once before any run. */
void echo_pattern_init(void);
const uint8_t *echo_pattern(void);

/* Chunk of the stream that starts at pos: sets *p and returns its length,
 * min(max, bytes to the block's end, total - pos).  0 when pos >= total. */
size_t echo_chunk(uint64_t pos, uint64_t total, size_t max, const uint8_t **p);

/* A Fletcher-style running checksum over 64-bit words.  It is independent
 * of how the stream is split into reads, and runs at many GB/s so that it
 * does not limit what it checks. */
typedef struct echo_sum {
    uint64_t a, b;
    uint64_t count;
    uint8_t part[8];
    unsigned plen;
} echo_sum;

void echo_sum_init(echo_sum *s);
void echo_sum_add(echo_sum *s, const void *buf, size_t len);
/* Checksum of everything added, including its length. */
uint64_t echo_sum_final(const echo_sum *s);

/* Checksum of the whole stream of cfg->total bytes. */
uint64_t echo_expected(uint64_t total);

/* One run of each peer; 0 on success (counts and checksums verified by
 * every receiver) or -1 with res->why set. */
int platform_echo_run(const echo_cfg *cfg, echo_result *res);
int blocking_echo_run(const echo_cfg *cfg, echo_result *res);

#endif
