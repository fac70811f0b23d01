/*
 * tests/files/test_hol.c -- files_hol (issue 5 acceptance): while a 1 GiB
 * file transfer runs on a session, 1,000 small BYTES messages sent on the
 * same session from another thread must each arrive within 100 ms of
 * their send: a large file never holds small messages back.
 *
 * The small messages are paced by the transfer's own progress, spread
 * evenly over its first 85%, so they are steady over the transfer whatever
 * the machine's speed.  Each carries its sequence number and its send time
 * (spl_clock_ns, one clock: both ends are in this process).  The test
 * proves the overlap: the last small message must arrive while the file is
 * still in progress (neither confirmed to the sender nor delivered to the
 * receiver), or it would prove nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "files_util.h"
#include "vol_util.h"

#define SEED      1126u
#define NAME      "hol.bin"
#define SMALL     1000
#define SMALL_LEN 64
/* The acceptance bound: 100 ms.  Under ThreadSanitizer, which slows the
 * library's every memory access several times, 1 s still tells a small
 * message that passed the file from one stuck behind it (seconds); the
 * bound itself is asserted in the other builds (Release, ASan, Wine). */
#define LIMIT_NS ((VU_TSAN ? 1000ull : 100ull) * 1000 * 1000)
#define SPREAD   85 /* percent of the transfer the small messages span */

typedef struct hol_state {
    spl_mutex *lock;
    spl_cond *cond;
    spl_atomic progress;       /* bytes handed to the session (on_progress) */
    spl_atomic sent_done;      /* 1 once on_done ran */
    int status;                /* on_done's status */
    uint8_t sha[32];           /* the SHA-256 the receiver confirmed */
    uint64_t send_call_max_ns; /* longest secip_session_send_bytes call */
    /* Receiver side (handler thread). */
    uint64_t lat_ns[SMALL];
    uint64_t seq_lat_ns[SMALL]; /* by sequence number, for the log */
    unsigned char seen[SMALL];
    int received, bad, file_arrived, small_before_file;
    int last_in_progress; /* file unfinished when the last small came */
    char path[1024];
    int64_t size;
} hol_state;

static char g_src[1024], g_final[1024], g_dst[1024], g_in[1024], g_dir[1024];

static void cleanup(void)
{
    vu_remove(g_src);
    vu_remove(g_final);
    vu_remove(g_dst);
    if (g_in[0] != '\0')
        (void)spl_dir_remove(g_in);
    if (g_dir[0] != '\0')
        (void)spl_dir_remove(g_dir);
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* One small message: [seq u64][send time u64][filler]. */
static void on_small(hol_state *st, const secip_message *m, uint64_t now)
{
    size_t len = 0;
    const unsigned char *d = secip_message_data(m, &len);
    uint64_t seq, t;

    if (len != SMALL_LEN) {
        st->bad++;
        return;
    }
    seq = get_u64(d);
    t = get_u64(d + 8);
    if (seq >= SMALL || st->seen[seq] || t > now) {
        st->bad++;
        return;
    }
    st->seen[seq] = 1;
    st->lat_ns[st->received++] = now - t;
    st->seq_lat_ns[seq] = now - t;
    if (st->received == SMALL)
        st->last_in_progress =
            !st->file_arrived && spl_atomic_load(&st->sent_done) == 0;
}

static void handler(secip_session *s, void *ud)
{
    hol_state *st = ud;
    secip_message *m;

    while (secip_session_receive(s, &m, SECIP_WAIT_FOREVER) == 0) {
        uint64_t now = spl_clock_ns();
        spl_mutex_lock(st->lock);
        if (secip_message_type(m) == SECIP_BYTES) {
            on_small(st, m, now);
        } else if (secip_message_type(m) == SECIP_FILE) {
            const char *p = secip_message_file_path(m);
            snprintf(st->path, sizeof st->path, "%s", p != NULL ? p : "");
            st->size = secip_message_file_size(m);
            st->small_before_file = st->received;
            st->file_arrived = 1;
            spl_cond_broadcast(st->cond);
        } else {
            st->bad++;
        }
        spl_mutex_unlock(st->lock);
        secip_message_free(m);
    }
}

static void on_progress(secip_session *s, uint32_t id, uint64_t done,
                        uint64_t total, void *arg)
{
    hol_state *st = arg;
    (void)s;
    (void)id;
    (void)total;
    spl_mutex_lock(st->lock);
    spl_atomic_store(&st->progress, (int64_t)done);
    spl_cond_broadcast(st->cond);
    spl_mutex_unlock(st->lock);
}

static void on_done(secip_session *s, uint32_t id, int status,
                    const uint8_t *sha256, void *arg)
{
    hol_state *st = arg;
    (void)s;
    (void)id;
    spl_mutex_lock(st->lock);
    st->status = status;
    if (sha256 != NULL)
        memcpy(st->sha, sha256, 32);
    spl_atomic_store(&st->sent_done, 1);
    spl_cond_broadcast(st->cond);
    spl_mutex_unlock(st->lock);
}

/* Send the small messages as the transfer progresses; returns the span
 * between the first and the last send in ns. */
static uint64_t send_small(hol_state *st, secip_session *s, uint64_t size)
{
    unsigned char msg[SMALL_LEN];
    uint64_t first = 0, t, deadline = spl_clock_ms() + 300000;

    memset(msg, 0xa5, sizeof msg);
    for (uint64_t i = 0; i < SMALL; i++) {
        uint64_t target = size / 100 * SPREAD / SMALL * (i + 1);
        /* Wait on the condition on_progress signals, not by polling: a
         * 1 ms sleep loop costs two system calls a millisecond, which
         * under Wine compete with the transfer for this machine's cores. */
        spl_mutex_lock(st->lock);
        while ((uint64_t)spl_atomic_load(&st->progress) < target &&
               spl_atomic_load(&st->sent_done) == 0) {
            CHECK(spl_clock_ms() < deadline);
            spl_cond_timedwait(st->cond, st->lock, 100);
        }
        spl_mutex_unlock(st->lock);
        /* A transfer that ended before the small ones proves nothing. */
        CHECK(spl_atomic_load(&st->sent_done) == 0);
        put_u64(msg, i);
        put_u64(msg + 8, spl_clock_ns());
        if (i == 0)
            first = get_u64(msg + 8);
        CHECK_OK(secip_session_send_bytes(s, msg, sizeof msg));
        /* Time spent inside the send call: the sender's share of a delay
         * (the rest is in transit), for the log. */
        t = spl_clock_ns() - get_u64(msg + 8);
        if (t > st->send_call_max_ns)
            st->send_call_max_ns = t;
    }
    return spl_clock_ns() - first;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Log the slowest message with its neighbours' latencies: a lone slow
 * one points at the receiving thread, a run of them at the transport. */
static void log_slowest(const hol_state *st)
{
    char line[256];
    int worst = 0, at = 0;

    for (int i = 1; i < SMALL; i++)
        if (st->seq_lat_ns[i] > st->seq_lat_ns[worst])
            worst = i;
    for (int i = worst - 4; i <= worst + 4; i++)
        if (i >= 0 && i < SMALL && at < (int)sizeof line - 16)
            at += snprintf(line + at, sizeof line - (size_t)at, " %.1f",
                           (double)st->seq_lat_ns[i] / 1e6);
    tu_log("slowest: message %d; ms for messages %d..%d:%s", worst,
           worst < 4 ? 0 : worst - 4,
           worst + 4 >= SMALL ? SMALL - 1 : worst + 4, line);
}

static void wait_end(hol_state *st)
{
    uint64_t t0 = spl_clock_ms();

    spl_mutex_lock(st->lock);
    while ((!st->file_arrived || spl_atomic_load(&st->sent_done) == 0) &&
           spl_clock_ms() - t0 < 120000)
        spl_cond_timedwait(st->cond, st->lock, 1000);
    spl_mutex_unlock(st->lock);
    CHECK(st->file_arrived && spl_atomic_load(&st->sent_done) == 1);
}

int main(void)
{
    uint64_t size = vu_size(1024), t0, t1, span;
    uint8_t got[32];
    secip_file_send_opts opts;
    hol_state *st = calloc(1, sizeof *st);
    int i;
    vu_pair p;

    CHECK(st != NULL);
    CHECK_OK(spl_init());
    CHECK_OK(spl_mutex_new(&st->lock));
    CHECK_OK(spl_cond_new(&st->cond));
    fu_scratch(".", "files-hol", g_dir, sizeof g_dir);
    atexit(cleanup);
    fu_join(g_in, sizeof g_in, g_dir, "in");
    CHECK_OK(spl_dir_create(g_in, 1));
    fu_join(g_src, sizeof g_src, g_dir, NAME);
    fu_join(g_final, sizeof g_final, g_in, NAME);
    vu_generate(g_src, SEED, size);

    vu_pair_open(&p, g_in, handler, st);
    memset(&opts, 0, sizeof opts);
    opts.on_progress = on_progress;
    opts.on_done = on_done;
    opts.arg = st;
    t0 = spl_clock_ns();
    CHECK_OK(secip_session_send_file_ex(p.s, g_src, NULL, 0, &opts, NULL));
    span = send_small(st, p.s, size);
    wait_end(st);
    t1 = spl_clock_ns();
    CHECK_OK(st->status);
    snprintf(g_dst, sizeof g_dst, "%s", st->path);

    qsort(st->lat_ns, (size_t)st->received, sizeof st->lat_ns[0], cmp_u64);
    tu_log("transfer of %llu MiB: %.1f s; small messages sent over %.1f s",
           (unsigned long long)(size / VU_MIB), (double)(t1 - t0) / 1e9,
           (double)span / 1e9);
    tu_log("%d small messages before the file; latency median %.2f ms, "
           "p99 %.2f ms, max %.2f ms",
           st->small_before_file,
           st->received > 0 ? (double)st->lat_ns[st->received / 2] / 1e6 : 0,
           st->received > 0 ? (double)st->lat_ns[st->received * 99 / 100] / 1e6
                            : 0,
           st->received > 0 ? (double)st->lat_ns[st->received - 1] / 1e6 : 0);
    for (i = 0; i < st->received && st->lat_ns[i] <= LIMIT_NS; i++)
        ;
    tu_log("%d over %llu ms; longest send call %.2f ms", st->received - i,
           (unsigned long long)(LIMIT_NS / 1000000),
           (double)st->send_call_max_ns / 1e6);
    log_slowest(st);
    CHECK(st->bad == 0);
    CHECK(st->received == SMALL);
    CHECK(st->small_before_file == SMALL);
    CHECK(st->last_in_progress);
    CHECK(st->lat_ns[SMALL - 1] <= LIMIT_NS);

    vu_pair_close(&p);
    CHECK(st->size == (int64_t)size);
    vu_verify(st->path, SEED, size, got);
    CHECK(memcmp(got, st->sha, 32) == 0);
    vu_check_peak_rss(64);
    spl_cond_free(st->cond);
    spl_mutex_free(st->lock);
    free(st);
    tu_log("files_hol: all checks passed");
    return 0;
}
