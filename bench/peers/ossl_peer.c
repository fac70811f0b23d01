/*
 * bench/peers/ossl_peer.c -- OpenSSL peer: blocking SSL over TCP.
 * bulk (TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256 or TLS 1.3 AES-128-GCM, --tls),
 * msg (4-byte length prefix + payload in one SSL_write per message), lat
 * (echo), hs (full and resumed handshakes), idle (SSL_MODE_RELEASE_BUFFERS).
 */
#define _DEFAULT_SOURCE
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static const bh_opts *opt;
static int lfd;
static SSL_CTX *sctx;

static void ossl_die(const char *what)
{
    ERR_print_errors_fp(stderr);
    bh_die("openssl: %s", what);
}

static void set_version(SSL_CTX *c)
{
    int v = opt->tls == 13 ? TLS1_3_VERSION : TLS1_2_VERSION;
    SSL_CTX_set_min_proto_version(c, v);
    SSL_CTX_set_max_proto_version(c, v);
    if (!SSL_CTX_set_cipher_list(c, "ECDHE-RSA-AES128-GCM-SHA256") ||
        !SSL_CTX_set_ciphersuites(c, "TLS_AES_128_GCM_SHA256"))
        ossl_die("ciphers");
}

static int read_full(SSL *s, void *buf, size_t len)
{
    unsigned char *p = buf;
    while (len) {
        int r = SSL_read(s, p, len > 1 << 30 ? 1 << 30 : (int)len);
        if (r <= 0)
            return -1;
        p += r;
        len -= (size_t)r;
    }
    return 0;
}

static int write_full(SSL *s, const void *buf, size_t len)
{
    return SSL_write(s, buf, (int)len) == (int)len ? 0 : -1;
}

static void serve_data(SSL *s)
{
    static unsigned char buf[1 << 20];
    bh_ck ck;
    uint64_t msgs = 0, got = 0;
    bh_ck_init(&ck);
    if (!strcmp(opt->workload, "bulk")) {
        while (got < opt->mib << 20) {
            int r = SSL_read(s, buf, sizeof(buf));
            if (r <= 0)
                break;
            bh_ck_update(&ck, buf, (size_t)r);
            got += (uint64_t)r;
        }
        msgs = got;
    } else {
        unsigned char hdr[4];
        while (read_full(s, hdr, 4) == 0) {
            uint32_t n = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 |
                         (uint32_t)hdr[2] << 8 | hdr[3];
            if (n > sizeof(buf) - 4 || read_full(s, buf + 4, n))
                break;
            if (!strcmp(opt->workload, "lat")) {
                memcpy(buf, hdr, 4);
                write_full(s, buf, n + 4);
                continue;
            }
            bh_ck_update(&ck, buf + 4, n);
            if (++msgs == opt->count)
                break;
        }
    }
    uint64_t out[2] = {msgs, bh_ck_final(&ck)};
    write_full(s, out, sizeof(out));
}

static void accept_loop(void *arg)
{
    int idle = !strcmp(opt->workload, "idle");
    SSL **keep = idle ? calloc(opt->sessions, sizeof(SSL *)) : NULL;
    uint64_t nkeep = 0;
    char b;
    (void)arg;
    for (;;) {
        int fd = bh_accept(lfd);
        if (fd < 0)
            return;
        SSL *s = SSL_new(sctx);
        SSL_set_fd(s, fd);
        if (SSL_accept(s) != 1) {
            SSL_free(s);
            close(fd);
            continue;
        }
        bh_counter_add(1);
        if (idle && nkeep < opt->sessions) {
            keep[nkeep++] = s; /* held open, never serviced */
            continue;
        }
        if (!strcmp(opt->workload, "hs"))
            SSL_read(s, &b, 1); /* until the client's close_notify */
        else
            serve_data(s);
        SSL_shutdown(s);
        SSL_free(s);
        close(fd);
    }
}

static int serve(const bh_opts *o)
{
    int port;
    opt = o;
    sctx = SSL_CTX_new(TLS_server_method());
    if (sctx == NULL)
        ossl_die("ctx");
    set_version(sctx);
    if (SSL_CTX_use_certificate_file(sctx, o->cert, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_use_PrivateKey_file(sctx, o->key, SSL_FILETYPE_PEM) != 1)
        ossl_die("key/cert");
    if (!strcmp(o->workload, "idle"))
        SSL_CTX_set_mode(sctx, SSL_MODE_RELEASE_BUFFERS);
    lfd = bh_listen(&port);
    if (lfd < 0 || bh_thread(accept_loop, NULL))
        return -1;
    return port;
}

static SSL_CTX *cctx;

static SSL *connect_one(int port, SSL_SESSION *resume)
{
    int fd = bh_connect(port);
    SSL *s = SSL_new(cctx);
    if (fd < 0 || s == NULL)
        bh_die("connect");
    SSL_set_fd(s, fd);
    if (resume)
        SSL_set_session(s, resume);
    if (SSL_connect(s) != 1)
        ossl_die("handshake");
    if (resume && !SSL_session_reused(s))
        bh_die("not resumed");
    return s;
}

static void finish(SSL *s)
{
    int fd = SSL_get_fd(s);
    SSL_shutdown(s);
    SSL_free(s);
    close(fd);
}

static void check_sum(SSL *s, uint64_t msgs, const bh_ck *ck)
{
    uint64_t got[2];
    if (read_full(s, got, sizeof(got)) || got[0] != msgs ||
        got[1] != bh_ck_final(ck))
        bh_die("verification failed");
}

static const char *impl_name(void)
{
    return opt->tls == 13 ? "openssl13" : "openssl12";
}

static void run_bulk(int port)
{
    size_t cap = opt->chunk + 4096;
    unsigned char *buf = malloc(cap);
    uint64_t total = opt->mib << 20, sent = 0, i = 0;
    bh_ck ck;
    bh_fill(buf, cap, 1);
    bh_ck_init(&ck);
    SSL *s = connect_one(port, NULL);
    bh_bulk span;
    bh_bulk_begin(&span);
    for (; sent < total; i++) {
        size_t n =
            total - sent < opt->chunk ? (size_t)(total - sent) : opt->chunk;
        const unsigned char *p = buf + (i % 512) * 8;
        if (write_full(s, p, n))
            ossl_die("write");
        bh_ck_update(&ck, p, n);
        sent += n;
    }
    check_sum(s, total, &ck);
    bh_bulk_end(&span, impl_name(), opt->mib);
    finish(s);
    free(buf);
}

static void run_msg_lat(int port, int lat)
{
    unsigned char *pat = malloc(opt->msg_size + 4096);
    unsigned char m[4 + 65536], r[4 + 65536];
    double *us = lat ? malloc(opt->count * sizeof(double)) : NULL;
    bh_ck ck;
    bh_fill(pat, opt->msg_size + 4096, 2);
    bh_ck_init(&ck);
    SSL *s = connect_one(port, NULL);
    uint32_t n = (uint32_t)opt->msg_size;
    m[0] = (unsigned char)(n >> 24);
    m[1] = (unsigned char)(n >> 16);
    m[2] = (unsigned char)(n >> 8);
    m[3] = (unsigned char)n;
    double t0 = bh_now();
    for (uint64_t i = 0; i < opt->count; i++) {
        if (lat)
            bh_fill(m + 4, n, i);
        else
            memcpy(m + 4, pat + (i % 4096), n);
        double t1 = bh_now();
        if (write_full(s, m, n + 4))
            ossl_die("write");
        if (lat) {
            if (read_full(s, r, n + 4) || memcmp(m, r, n + 4))
                bh_die("echo mismatch");
            us[i] = (bh_now() - t1) * 1e6;
        } else {
            bh_ck_update(&ck, m + 4, n);
        }
    }
    if (lat) {
        qsort(us, opt->count, sizeof(double), bh_cmp_double);
        bh_result("lat_p50_us", "openssl12", us[opt->count / 2]);
        bh_result("lat_p99_us", "openssl12", us[(opt->count * 99) / 100]);
    } else {
        check_sum(s, opt->count, &ck);
        bh_result("msg_per_s", "openssl12",
                  (double)opt->count / (bh_now() - t0));
    }
    finish(s);
    free(pat);
    free(us);
}

static double handshakes(int port, int resumed)
{
    double c0, c1;
    SSL_SESSION *sess = NULL;
    if (resumed) {
        SSL *s = connect_one(port, NULL);
        sess = SSL_get1_session(s);
        finish(s);
    }
    bh_ctl_snapshot(&c0, NULL, NULL);
    for (uint64_t i = 0; i < opt->count; i++)
        finish(connect_one(port, sess));
    bh_ctl_snapshot(&c1, NULL, NULL);
    if (sess)
        SSL_SESSION_free(sess);
    return (double)opt->count / (c1 - c0);
}

static void run_hs(int port)
{
    long k0 = 0, k1 = 0;
    bh_ctl_snapshot(NULL, NULL, &k0);
    double full = handshakes(port, 0);
    double res = handshakes(port, 1);
    usleep(100000);
    bh_ctl_snapshot(NULL, NULL, &k1);
    if (k1 - k0 != 2 * (long)opt->count + 1)
        bh_die("server counted %ld sessions", k1 - k0);
    bh_result("hs_full_per_cpu_s", "openssl12", full);
    bh_result("hs_resumed_per_cpu_s", "openssl12", res);
}

static void run_idle(int port)
{
    uint64_t n = opt->sessions;
    SSL **ss = calloc(n, sizeof(*ss));
    long rss0, rss1 = 0, k = 0;
    bh_ctl_snapshot(NULL, &rss0, NULL);
    long heap0 = bh_last_heap;
    double t0 = bh_now();
    for (uint64_t i = 0; i < n; i++)
        ss[i] = connect_one(port, NULL);
    double dt = bh_now() - t0;
    for (int tries = 0; tries < 1000 && k < (long)n; tries++)
        bh_ctl_snapshot(NULL, &rss1, &k);
    if (k != (long)n)
        bh_die("server has %ld sessions", k);
    bh_result("idle_KiB_per_session", "openssl12",
              (double)(rss1 - rss0) / (double)n / 1024.0);
    bh_result("idle_heap_KiB_per_session", "openssl12",
              (double)(bh_last_heap - heap0) / (double)n / 1024.0);
    bh_result("idle_open_all_s", "openssl12", dt);
    for (uint64_t i = 0; i < n; i++) {
        close(SSL_get_fd(ss[i]));
        SSL_free(ss[i]);
    }
    free(ss);
}

int main(int argc, char **argv)
{
    bh_opts o;
    bh_parse(&o, argc, argv);
    opt = &o;
    int port = bh_spawn(&o, serve);
    cctx = SSL_CTX_new(TLS_client_method());
    set_version(cctx);
    SSL_CTX_set_verify(cctx, SSL_VERIFY_NONE, NULL);
    if (!strcmp(o.workload, "bulk"))
        run_bulk(port);
    else if (!strcmp(o.workload, "msg"))
        run_msg_lat(port, 0);
    else if (!strcmp(o.workload, "lat"))
        run_msg_lat(port, 1);
    else if (!strcmp(o.workload, "hs"))
        run_hs(port);
    else if (!strcmp(o.workload, "idle"))
        run_idle(port);
    else
        bh_die("unknown workload %s", o.workload);
    return bh_ctl_quit() == 0 ? 0 : 1;
}
