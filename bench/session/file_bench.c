/*
 * bench/session/file_bench.c -- workload 6 of issue 8: one file sent disk
 * to disk over a secip session (secip_session_send_file), with the
 * library's SHA-256 check, reporting MiB/s and the peak RSS of both ends.
 *
 *   file_bench --workload file|file_tmpfs --mib N --key K --cert C
 *
 * "file" works in the current directory (the build tree's disk); the
 * receiver's final fsync is part of the timed transfer, so on a slow disk
 * that is what the figure measures.  "file_tmpfs" receives into /dev/shm
 * (memory; the source is the same file, read from the page cache), which
 * shows what the transfer path itself costs.
 *
 * The source file (bench-files/src-<N>.bin under the current directory) is
 * generated once with a deterministic pattern and kept for later rounds;
 * the server (a forked child, bench/peers/harness.c) receives into
 * bench-files/recv/, checksums the received file with the harness's own
 * checksum after the transfer (outside the timed part), deletes it and
 * answers (size, checksum, its peak RSS).  The client compares size and
 * checksum with those of the source before printing anything, so a figure
 * is only printed for a file that arrived intact.
 *
 * Timed: from the send call to the receiver's confirmation of the hash
 * (the call returns then).  Peak RSS is getrusage()'s ru_maxrss of each
 * process over the whole run, generation and checksum included.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "secip/client.h"
#include "secip/file.h"
#include "secip/server.h"

/* The source file lives in dir_base; received files go to dir_recv
 * (dir_base/recv, or a directory under /dev/shm). */
static char dir_base[128] = "bench-files";
static char dir_recv[160];
#define IO_CHUNK (1u << 20)

static const bh_opts *opt;
static const char *metric_prefix = "file";

static long peak_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss; /* KiB on Linux */
}

/* Checksum of a whole file, read in IO_CHUNK pieces. */
static int file_ck(const char *path, uint64_t *size, uint64_t *ck)
{
    static unsigned char buf[IO_CHUNK];
    bh_ck c;
    size_t n;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    bh_ck_init(&c);
    *size = 0;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        bh_ck_update(&c, buf, n);
        *size += n;
    }
    fclose(f);
    *ck = bh_ck_final(&c);
    return 0;
}

/* Server: a FILE message arrived (already SHA-256 verified by secip). */
static void on_message(secip_session *s, secip_message *m, void *ud)
{
    uint64_t out[3] = {0, 0, 0};
    const char *path = secip_message_file_path(m);
    (void)ud;
    if (secip_message_type(m) != SECIP_FILE || path == NULL ||
        file_ck(path, &out[0], &out[1]) != 0)
        fprintf(stderr, "file_bench server: unexpected message\n");
    if (path != NULL)
        remove(path);
    out[2] = (uint64_t)peak_rss_kib();
    if (secip_session_send_bytes(s, out, sizeof out) != 0)
        fprintf(stderr, "file_bench server: reply failed\n");
    secip_message_free(m);
}

static int serve(const bh_opts *o)
{
    static secip_key *key;
    static secip_cert *cert;
    secip_server *srv = NULL;
    secip_server_callbacks cbs = {NULL, on_message, NULL};
    secip_session_options so;
    (void)o;
    secip_session_options_init(&so);
    so.files_dir = dir_recv;
    so.file_memory_max = SECIP_FILE_MEMORY_NONE;
    so.file_flags = SECIP_FILES_OVERWRITE | SECIP_FILES_NO_RESUME;
    so.file_max_size = (opt->mib + 1) << 20;
    if (secip_key_load_file(opt->key, &key) != 0 ||
        secip_cert_load_file(opt->cert, &cert) != 0)
        bh_die("cannot load %s / %s: %s", opt->key, opt->cert,
               secip_last_error());
    if (secip_server_new(key, &srv) ||
        secip_server_set_certificate(srv, cert) ||
        secip_server_set_options(srv, &so) ||
        secip_server_set_callbacks(srv, &cbs, NULL) ||
        secip_server_start(srv, "127.0.0.1", 0))
        bh_die("server: %s", secip_last_error());
    return secip_server_port(srv);
}

/* The source file: generated once per size, then reused. */
static void make_source(const char *path, uint64_t *ck)
{
    static unsigned char buf[IO_CHUNK];
    uint64_t size = 0, want = opt->mib << 20, i;
    bh_ck c;
    FILE *f;
    if (file_ck(path, &size, ck) == 0 && size == want)
        return;
    f = fopen(path, "wb");
    if (f == NULL)
        bh_die("cannot create %s: %s", path, strerror(errno));
    bh_ck_init(&c);
    for (i = 0; i < opt->mib; i++) {
        bh_fill(buf, sizeof buf, i + 1);
        bh_ck_update(&c, buf, sizeof buf);
        if (fwrite(buf, 1, sizeof buf, f) != sizeof buf)
            bh_die("cannot write %s: %s", path, strerror(errno));
    }
    if (fclose(f) != 0)
        bh_die("cannot write %s", path);
    *ck = bh_ck_final(&c);
}

static void result(const char *what, double v)
{
    char metric[64];
    snprintf(metric, sizeof metric, "%s_%s", metric_prefix, what);
    bh_result(metric, "secip", v);
}

static void run_file(int port, const char *src, uint64_t src_ck)
{
    secip_client *c = NULL;
    secip_session *s = NULL;
    secip_message *m = NULL;
    uint64_t got[3];
    size_t len = 0;
    const void *d;
    double t0, dt;

    if (secip_client_new(&c) ||
        secip_client_connect(c, "127.0.0.1", (uint16_t)port, 30000, &s))
        bh_die("connect: %s", secip_last_error());
    t0 = bh_now();
    if (secip_session_send_file(s, src) != 0)
        bh_die("send_file: %s", secip_last_error());
    dt = bh_now() - t0;
    if (secip_session_receive(s, &m, 600000) != 0)
        bh_die("receive: %s", secip_last_error());
    d = secip_message_data(m, &len);
    if (len != sizeof got)
        bh_die("unexpected reply of %zu bytes", len);
    memcpy(got, d, sizeof got);
    secip_message_free(m);
    if (got[0] != opt->mib << 20 || got[1] != src_ck)
        bh_die("server received %llu bytes, checksum %s",
               (unsigned long long)got[0],
               got[1] == src_ck ? "ok" : "DIFFERENT");
    secip_client_free(c);
    result("MiBps", (double)opt->mib / dt);
    result("peak_rss_MiB_sender", (double)peak_rss_kib() / 1024.0);
    result("peak_rss_MiB_receiver", (double)got[2] / 1024.0);
}

int main(int argc, char **argv)
{
    static bh_opts o;
    char src[256];
    uint64_t ck = 0;
    int tmpfs = 0;
    int port, rc;
    bh_parse(&o, argc, argv);
    opt = &o;
    snprintf(dir_recv, sizeof dir_recv, "%s/recv", dir_base);
    if (strcmp(o.workload, "file_tmpfs") == 0) {
        snprintf(dir_recv, sizeof dir_recv, "/dev/shm/secip-file-bench-%ld",
                 (long)getpid());
        metric_prefix = "file_tmpfs";
        tmpfs = 1;
    } else if (strcmp(o.workload, "file") != 0) {
        bh_die("file_bench: unknown workload %s", o.workload);
    }
    if ((mkdir(dir_base, 0700) != 0 && errno != EEXIST) ||
        (mkdir(dir_recv, 0700) != 0 && errno != EEXIST))
        bh_die("cannot create %s: %s", dir_recv, strerror(errno));
    snprintf(src, sizeof src, "%s/src-%llu.bin", dir_base,
             (unsigned long long)o.mib);
    make_source(src, &ck);
    port = bh_spawn(&o, serve);
    run_file(port, src, ck);
    rc = bh_ctl_quit() == 0 ? 0 : 1;
    if (tmpfs && rmdir(dir_recv) != 0) /* memory: leave nothing there */
        fprintf(stderr, "file_bench: cannot remove %s\n", dir_recv);
    return rc;
}
