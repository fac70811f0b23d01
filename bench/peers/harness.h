/*
 * bench/peers/harness.h -- the process harness shared by every benchmark
 * contender (secip and its peers).  POSIX only: it forks, reads
 * /proc/self/statm and getrusage(), which is why it lives with the peers and
 * never in the SDK.
 *
 * Each contender program is one binary that forks itself: the child is the
 * server, the parent the client.  The child reports its listening port, then
 * answers control commands from the parent over a pipe:
 *   'c' -> one line "cpu=<seconds> rss=<bytes> n=<counter>"  (a snapshot)
 *   'q' -> exit
 * so that server CPU (handshakes) and server RSS (idle sessions) are
 * measured in the server process only.
 *
 * Every result is printed by the client as one line:
 *   RESULT <metric> <impl> <value>
 * and only after the receiver's count and checksum matched the sender's.
 */
#ifndef BENCH_HARNESS_H
#define BENCH_HARNESS_H

#include <stddef.h>
#include <stdint.h>

/* Workload sizes and switches, parsed from the command line. */
typedef struct bh_opts {
    const char *workload; /* bulk | msg | lat | hs | idle | sign */
    uint64_t mib;         /* bulk: MiB to send */
    uint64_t count;       /* msg: messages; lat: round trips; hs: handshakes */
    uint64_t sessions;    /* idle: sessions to hold open */
    size_t msg_size;      /* msg/lat payload bytes (64) */
    size_t chunk;         /* bulk: bytes per send call */
    int tls;              /* 12 or 13 for the OpenSSL peer */
    const char *key;      /* PEM RSA key, PEM certificate */
    const char *cert;
} bh_opts;

void bh_parse(bh_opts *o, int argc, char **argv);

/* Fletcher-style 64-bit running checksum over a byte stream, independent
 * of how the stream is cut into pieces. */
typedef struct bh_ck {
    uint64_t a, b, n;
    unsigned char pend[8];
    unsigned npend;
} bh_ck;
void bh_ck_init(bh_ck *c);
void bh_ck_update(bh_ck *c, const void *p, size_t len);
uint64_t bh_ck_final(const bh_ck *c);

/* Deterministic pattern buffer (xorshift), so receiver and sender agree. */
void bh_fill(void *buf, size_t len, uint64_t seed);

double bh_now(void);         /* monotonic seconds */
double bh_cpu(void);         /* this process's user+sys CPU seconds */
long bh_rss(void);           /* resident bytes from /proc/self/statm */
void bh_counter_add(long n); /* a counter reported by 'c' (atomic) */
long bh_counter(void);

/* Fork.  In the child, run srv(o, ctx) which must start listening and
 * return the port (>0) or -1; then the control loop runs and the child
 * exits.  In the parent, returns the server's port; bh_ctl_* then talk to
 * the child. */
typedef int (*bh_server_fn)(const bh_opts *o);
int bh_spawn(const bh_opts *o, bh_server_fn srv);
/* Snapshot of the server: CPU seconds, RSS bytes, counter. */
int bh_ctl_snapshot(double *cpu, long *rss, long *counter);
/* Server heap bytes in use (glibc mallinfo2) at the last snapshot. */
extern long bh_last_heap;
/*
 * Bulk figures over the timed span of a transfer: bh_bulk_begin() after
 * the handshake, bh_bulk_end() once the receiver has confirmed the data.
 * Prints RESULT bulk_MiBps and RESULT bulk_cpu_s_per_GiB: user + system
 * CPU seconds of both processes per GiB.  The kernel leaves the
 * hypervisor's steal out of process CPU time, so the second figure does
 * not move when another tenant takes the machine's cores, which the first
 * one does.
 */
typedef struct bh_bulk {
    double t0, cpu0, srv0;
} bh_bulk;
void bh_bulk_begin(bh_bulk *b);
void bh_bulk_end(const bh_bulk *b, const char *impl, uint64_t mib);
/* Ask the server to exit and reap it; returns its exit status. */
int bh_ctl_quit(void);

/* Plain-socket helpers used by the peers (blocking, TCP_NODELAY). */
int bh_listen(int *port); /* 127.0.0.1:0, returns fd */
int bh_accept(int lfd);
int bh_connect(int port);
int bh_read_full(int fd, void *buf, size_t len); /* 0 ok, -1 EOF/err */
int bh_write_full(int fd, const void *buf, size_t len);
/* Run fn(arg) on a detached thread. */
int bh_thread(void (*fn)(void *), void *arg);

void bh_result(const char *metric, const char *impl, double value);
void bh_die(const char *fmt, ...);
int bh_cmp_double(const void *a, const void *b);

#endif
