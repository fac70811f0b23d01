/*
 * bench/peers/tcp_peer.c -- raw TCP yardstick: bulk (plain stream), message
 * rate and latency (4-byte big-endian length prefix, one write() per
 * message).  No encryption: the ceiling of what the loopback allows.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static const bh_opts *opt;
static int lfd;

static void put_len(unsigned char *p, uint32_t n)
{
    p[0] = (unsigned char)(n >> 24);
    p[1] = (unsigned char)(n >> 16);
    p[2] = (unsigned char)(n >> 8);
    p[3] = (unsigned char)n;
}

static uint32_t get_len(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

/* Server side of one connection; replies (count, checksum) or echoes. */
static void serve_conn(void *arg)
{
    int fd = (int)(intptr_t)arg;
    static unsigned char buf[1 << 20];
    bh_ck ck;
    uint64_t msgs = 0, got = 0;
    bh_ck_init(&ck);
    if (!strcmp(opt->workload, "bulk")) {
        uint64_t total = opt->mib << 20;
        while (got < total) {
            size_t want = total - got < sizeof(buf) ? total - got : sizeof(buf);
            ssize_t r = read(fd, buf, want);
            if (r <= 0)
                break;
            bh_ck_update(&ck, buf, (size_t)r);
            got += (uint64_t)r;
        }
        msgs = got;
    } else {
        unsigned char hdr[4];
        while (bh_read_full(fd, hdr, 4) == 0) {
            uint32_t n = get_len(hdr);
            if (n > sizeof(buf) - 4 || bh_read_full(fd, buf + 4, n))
                break;
            if (!strcmp(opt->workload, "lat")) {
                memcpy(buf, hdr, 4);
                bh_write_full(fd, buf, n + 4);
                continue;
            }
            bh_ck_update(&ck, buf + 4, n);
            if (++msgs == opt->count)
                break;
        }
    }
    uint64_t out[2] = {msgs, bh_ck_final(&ck)};
    bh_write_full(fd, out, sizeof(out));
    close(fd);
}

static void accept_loop(void *arg)
{
    (void)arg;
    for (;;) {
        int fd = bh_accept(lfd);
        if (fd < 0 || bh_thread(serve_conn, (void *)(intptr_t)fd))
            return;
    }
}

static int serve(const bh_opts *o)
{
    int port;
    opt = o;
    lfd = bh_listen(&port);
    if (lfd < 0 || bh_thread(accept_loop, NULL))
        return -1;
    return port;
}

static void check_sum(int fd, uint64_t msgs, const bh_ck *ck)
{
    uint64_t got[2];
    if (bh_read_full(fd, got, sizeof(got)) || got[0] != msgs ||
        got[1] != bh_ck_final(ck))
        bh_die("verification failed");
}

int main(int argc, char **argv)
{
    bh_opts o;
    bh_ck ck;
    bh_parse(&o, argc, argv);
    opt = &o;
    int port = bh_spawn(&o, serve);
    int fd = bh_connect(port);
    size_t cap = o.chunk + 8192;
    unsigned char *buf = malloc(cap);
    if (fd < 0 || buf == NULL)
        bh_die("connect");
    bh_ck_init(&ck);
    if (!strcmp(o.workload, "bulk")) {
        uint64_t total = o.mib << 20, sent = 0, i = 0;
        bh_fill(buf, cap, 1);
        bh_bulk span;
        bh_bulk_begin(&span);
        for (; sent < total; i++) {
            size_t n =
                total - sent < o.chunk ? (size_t)(total - sent) : o.chunk;
            const unsigned char *p = buf + (i % 512) * 8;
            if (bh_write_full(fd, p, n))
                bh_die("write");
            bh_ck_update(&ck, p, n);
            sent += n;
        }
        check_sum(fd, total, &ck);
        bh_bulk_end(&span, "tcp", o.mib);
    } else if (!strcmp(o.workload, "msg")) {
        bh_fill(buf, cap, 2);
        double t0 = bh_now();
        for (uint64_t i = 0; i < o.count; i++) {
            unsigned char m[4 + 65536];
            memcpy(m + 4, buf + (i % 4096), o.msg_size);
            put_len(m, (uint32_t)o.msg_size);
            if (bh_write_full(fd, m, o.msg_size + 4))
                bh_die("write");
            bh_ck_update(&ck, m + 4, o.msg_size);
        }
        check_sum(fd, o.count, &ck);
        bh_result("msg_per_s", "tcp", (double)o.count / (bh_now() - t0));
    } else if (!strcmp(o.workload, "lat")) {
        double *us = malloc(o.count * sizeof(double));
        unsigned char m[4 + 65536], r[4 + 65536];
        for (uint64_t i = 0; i < o.count; i++) {
            bh_fill(m + 4, o.msg_size, i);
            put_len(m, (uint32_t)o.msg_size);
            double t0 = bh_now();
            if (bh_write_full(fd, m, o.msg_size + 4) ||
                bh_read_full(fd, r, o.msg_size + 4))
                bh_die("io");
            us[i] = (bh_now() - t0) * 1e6;
            if (memcmp(m, r, o.msg_size + 4))
                bh_die("echo mismatch");
        }
        qsort(us, o.count, sizeof(double), bh_cmp_double);
        bh_result("lat_p50_us", "tcp", us[o.count / 2]);
        bh_result("lat_p99_us", "tcp", us[(o.count * 99) / 100]);
    } else {
        bh_die("tcp: unsupported workload %s", o.workload);
    }
    close(fd);
    free(buf);
    return bh_ctl_quit() == 0 ? 0 : 1;
}
