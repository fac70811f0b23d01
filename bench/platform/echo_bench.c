/*
 * bench/platform/echo_bench.c -- loopback echo throughput of the platform
 * layer, next to a plain blocking-socket copy measured in the same run.
 *
 *   echo_bench [--mib N] [--rounds R] [--buf KiB] [--iov G]
 *              [--only platform|blocking] [--smoke]
 *
 * Each round runs both peers once, alternating which goes first (A B, B A,
 * ...) so that neither always gets the warmer machine.  A run streams N MiB
 * from a client to an echo server and back; the figure is payload bytes
 * (one direction) per second, in MB/s (10^6 bytes).  Every receiver counts
 * and checksums what it gets, and a run that does not match the stream is
 * an error, never a figure.
 *
 * --only runs one peer, for profiling it alone (strace -c, perf stat).
 * --smoke runs one round of a few odd-sized MiB, for CI: it asserts that
 * the benchmark builds and works, nothing about speed.
 *
 * Exit status: 0, or 1 after one line naming the failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "echo_common.h"
#include "platform.h"

#define MAX_ROUNDS 100

typedef struct opts {
    uint64_t total;
    unsigned rounds;
    size_t buf;
    int iovs;
    int only; /* 0 both, 1 platform, 2 blocking */
} opts;

static void usage(void)
{
    fprintf(stderr,
            "usage: echo_bench [--mib N] [--rounds R] [--buf KiB] [--iov G]\n"
            "                  [--only platform|blocking] [--smoke]\n"
            "  --mib N     MiB echoed per run (default 1024)\n"
            "  --rounds R  rounds of both peers, 1..%d (default 5)\n"
            "  --buf KiB   send/receive buffer size, 1..1024 (default 64)\n"
            "  --iov G     buffers per gather write, 1..%d (default 4)\n"
            "  --only P    run one peer only (for profiling)\n"
            "  --smoke     one quick round of odd sizes (CI)\n",
            MAX_ROUNDS, SPL_IOV_MAX);
}

/* Parses a decimal number in [lo, hi]; returns 0 or -1. */
static int parse_num(const char *s, unsigned long lo, unsigned long hi,
                     unsigned long *out)
{
    char *end;
    unsigned long v;

    if (s == NULL || *s < '0' || *s > '9')
        return -1;
    v = strtoul(s, &end, 10);
    if (*end != '\0' || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int parse_args(int argc, char **argv, opts *o)
{
    unsigned long v;
    int i;

    o->total = 1024ull << 20;
    o->rounds = 5;
    o->buf = 64u << 10;
    o->iovs = 4;
    o->only = 0;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--smoke") == 0) {
            /* Odd sizes: chunks, reads and words all end mid-way. */
            o->total = (3ull << 20) + 777;
            o->rounds = 1;
            o->buf = 12345;
            o->iovs = 3;
            continue;
        }
        if (strcmp(a, "--mib") == 0 && parse_num(val, 1, 1u << 20, &v) == 0)
            o->total = (uint64_t)v << 20;
        else if (strcmp(a, "--rounds") == 0 &&
                 parse_num(val, 1, MAX_ROUNDS, &v) == 0)
            o->rounds = (unsigned)v;
        else if (strcmp(a, "--buf") == 0 && parse_num(val, 1, 1024, &v) == 0)
            o->buf = (size_t)v << 10;
        else if (strcmp(a, "--only") == 0 && val != NULL &&
                 (strcmp(val, "platform") == 0 || strcmp(val, "blocking") == 0))
            o->only = strcmp(val, "platform") == 0 ? 1 : 2;
        else if (strcmp(a, "--iov") == 0 &&
                 parse_num(val, 1, SPL_IOV_MAX, &v) == 0)
            o->iovs = (int)v;
        else {
            usage();
            return -1;
        }
        i++;
    }
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of n values (sorts them). */
static double median(double *v, unsigned n)
{
    qsort(v, n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void summary(const char *name, double *v, unsigned n, double *med)
{
    *med = median(v, n);
    printf("%-28s median %9.1f   min %9.1f   max %9.1f  MB/s\n", name, *med,
           v[0], v[n - 1]);
}

int main(int argc, char **argv)
{
    static double plat[MAX_ROUNDS], blk[MAX_ROUNDS];
    echo_cfg cfg;
    echo_result res;
    opts o;
    double mp = 0, mb = 0;
    unsigned r;
    int k;

    if (parse_args(argc, argv, &o) < 0)
        return 1;
    if (spl_init() < 0) {
        fprintf(stderr, "echo_bench: init: %s\n", secip_last_error());
        return 1;
    }
    echo_pattern_init();
    memset(&cfg, 0, sizeof(cfg));
    cfg.total = o.total;
    cfg.buf = o.buf;
    cfg.iovs = o.iovs;
    /* Generous: 30 s plus 10 MB/s, far below any healthy loopback. */
    cfg.timeout_ms = 30000u + (uint32_t)(o.total / 10000u);
    cfg.expected = echo_expected(o.total);

    printf("echo_bench: %s backend, %.2f MiB per run, %zu-byte buffers, "
           "%d per gather write, %u round(s)\n",
           spl_backend_name(), (double)o.total / 1048576.0, o.buf, o.iovs,
           o.rounds);
    printf("MB/s = 10^6 payload bytes per second echoed (each byte crosses "
           "loopback twice); every run verified by count and checksum\n");
    for (r = 0; r < o.rounds; r++) {
        /* Alternate the order: A B, B A, A B, ... */
        for (k = 0; k < 2; k++) {
            int platform_turn = (k == 0) == (r % 2 == 0);
            int rc;
            if (o.only != 0 && platform_turn != (o.only == 1))
                continue;
            rc = platform_turn ? platform_echo_run(&cfg, &res)
                               : blocking_echo_run(&cfg, &res);
            if (rc < 0) {
                fprintf(stderr, "echo_bench: round %u: %s\n", r + 1, res.why);
                return 1;
            }
            if (res.seconds <= 0)
                res.seconds = 1e-9;
            (platform_turn ? plat : blk)[r] =
                (double)o.total / res.seconds / 1e6;
        }
        printf("round %2u/%u:", r + 1, o.rounds);
        if (o.only != 2)
            printf(" platform echo %9.1f MB/s", plat[r]);
        if (o.only == 0)
            printf(" |");
        if (o.only != 1)
            printf(" blocking copy %9.1f MB/s", blk[r]);
        printf("\n");
        fflush(stdout);
    }
    if (o.only != 2)
        summary("platform echo (spl_tcp):", plat, o.rounds, &mp);
    if (o.only != 1)
        summary("blocking send/recv copy:", blk, o.rounds, &mb);
    if (o.only == 0)
        printf("ratio platform/blocking (medians): %.2f\n", mp / mb);
    return 0;
}
