/*
 * bench/peers/bearssl_peer.c -- BearSSL's engine driven by a plain blocking
 * pump (br_sslio over blocking sockets, one connection at a time): the
 * lower bound of what secip's event loop adds on top of the same engine.
 * TLS 1.2, ECDHE-RSA-AES128-GCM-SHA256 (secip's first choice); the client
 * pins the server's RSA key (br_x509_knownkey).  Workloads: bulk, hs, and
 * sign (RSA-2048 PKCS#1 signatures per second: the full-handshake bound).
 */
#define _DEFAULT_SOURCE
#include <bearssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static const bh_opts *opt;
static int lfd;
static br_skey_decoder_context skey;
static br_x509_decoder_context xdc;
static br_x509_certificate chain;
static const br_rsa_private_key *rsa_sk;
static const br_x509_pkey *srv_pk;

static void pem_cb(void *ctx, const void *data, size_t len)
{
    br_x509_certificate *c = ctx;
    c->data = realloc(c->data, c->data_len + len);
    memcpy(c->data + c->data_len, data, len);
    c->data_len += len;
}

/* DER of the first object of a PEM file. */
static br_x509_certificate load_der(const char *path)
{
    br_pem_decoder_context pc;
    br_x509_certificate out = {NULL, 0};
    static char text[1 << 16];
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(text, 1, sizeof(text), f) : 0, off = 0;
    int in_obj = 0;
    if (f)
        fclose(f);
    br_pem_decoder_init(&pc);
    while (off < n) {
        off += br_pem_decoder_push(&pc, text + off, n - off);
        switch (br_pem_decoder_event(&pc)) {
        case BR_PEM_BEGIN_OBJ:
            in_obj = 1;
            br_pem_decoder_setdest(&pc, pem_cb, &out);
            break;
        case BR_PEM_END_OBJ:
            if (in_obj)
                return out;
            break;
        case BR_PEM_ERROR: bh_die("bad PEM in %s", path);
        }
    }
    bh_die("no PEM object in %s", path);
    return out;
}

static void load_identity(void)
{
    br_x509_certificate k = load_der(opt->key);
    chain = load_der(opt->cert);
    br_skey_decoder_init(&skey);
    br_skey_decoder_push(&skey, k.data, k.data_len);
    rsa_sk = br_skey_decoder_get_rsa(&skey);
    br_x509_decoder_init(&xdc, NULL, NULL);
    br_x509_decoder_push(&xdc, chain.data, chain.data_len);
    srv_pk = br_x509_decoder_get_pkey(&xdc);
    if (rsa_sk == NULL || srv_pk == NULL || srv_pk->key_type != BR_KEYTYPE_RSA)
        bh_die("cannot decode RSA key/cert");
}

static int sock_read(void *ctx, unsigned char *buf, size_t len)
{
    ssize_t r = read(*(int *)ctx, buf, len);
    return r <= 0 ? -1 : (int)r;
}

static int sock_write(void *ctx, const unsigned char *buf, size_t len)
{
    ssize_t r = write(*(int *)ctx, buf, len);
    return r <= 0 ? -1 : (int)r;
}

static const uint16_t suites[] = {BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256};
static unsigned char srv_iobuf[BR_SSL_BUFSIZE_BIDI];
static unsigned char cache_buf[64 * 1024];

static void serve_conn(br_ssl_server_context *sc, br_sslio_context *io)
{
    static unsigned char buf[1 << 16];
    bh_ck ck;
    uint64_t got = 0, total = opt->mib << 20;
    if (!strcmp(opt->workload, "hs")) {
        if (br_sslio_read(io, buf, 1) == 1)
            bh_counter_add(1);
        br_sslio_close(io);
        return;
    }
    bh_ck_init(&ck);
    while (got < total) {
        size_t want = total - got < sizeof(buf) ? total - got : sizeof(buf);
        int r = br_sslio_read(io, buf, want);
        if (r <= 0)
            break;
        bh_ck_update(&ck, buf, (size_t)r);
        got += (uint64_t)r;
    }
    uint64_t out[2] = {got, bh_ck_final(&ck)};
    br_sslio_write_all(io, out, sizeof(out));
    br_sslio_flush(io);
    br_sslio_close(io);
    (void)sc;
}

static void accept_loop(void *arg)
{
    static br_ssl_server_context sc;
    static br_ssl_session_cache_lru lru;
    br_sslio_context io;
    (void)arg;
    br_ssl_session_cache_lru_init(&lru, cache_buf, sizeof(cache_buf));
    for (;;) {
        int fd = bh_accept(lfd);
        if (fd < 0)
            return;
        br_ssl_server_init_full_rsa(&sc, &chain, 1, rsa_sk);
        br_ssl_engine_set_versions(&sc.eng, BR_TLS12, BR_TLS12);
        br_ssl_engine_set_suites(&sc.eng, suites, 1);
        br_ssl_engine_set_buffer(&sc.eng, srv_iobuf, sizeof(srv_iobuf), 1);
        br_ssl_server_set_cache(&sc, &lru.vtable);
        br_ssl_server_reset(&sc);
        br_sslio_init(&io, &sc.eng, sock_read, &fd, sock_write, &fd);
        serve_conn(&sc, &io);
        close(fd);
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

static br_ssl_client_context cc;
static br_x509_minimal_context xmin;
static br_x509_knownkey_context xk;
static unsigned char cli_iobuf[BR_SSL_BUFSIZE_BIDI];
static int cli_fd;
static br_sslio_context cio;

/* Connect and handshake; with params, offer that session for resumption. */
static void client_open(int port, br_ssl_session_parameters *params)
{
    cli_fd = bh_connect(port);
    if (cli_fd < 0)
        bh_die("connect");
    br_ssl_client_init_full(&cc, &xmin, NULL, 0);
    br_x509_knownkey_init_rsa(&xk, &srv_pk->key.rsa,
                              BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN);
    br_ssl_engine_set_x509(&cc.eng, &xk.vtable);
    br_ssl_engine_set_versions(&cc.eng, BR_TLS12, BR_TLS12);
    br_ssl_engine_set_suites(&cc.eng, suites, 1);
    br_ssl_engine_set_buffer(&cc.eng, cli_iobuf, sizeof(cli_iobuf), 1);
    if (params)
        br_ssl_engine_set_session_parameters(&cc.eng, params);
    br_ssl_client_reset(&cc, NULL, params != NULL);
    br_sslio_init(&cio, &cc.eng, sock_read, &cli_fd, sock_write, &cli_fd);
}

static void client_close(void)
{
    br_sslio_close(&cio);
    close(cli_fd);
    if (br_ssl_engine_last_error(&cc.eng) != BR_ERR_OK)
        bh_die("bearssl client error %d", br_ssl_engine_last_error(&cc.eng));
}

static void run_bulk(int port)
{
    size_t cap = opt->chunk + 4096;
    unsigned char *buf = malloc(cap);
    uint64_t total = opt->mib << 20, sent = 0, i = 0, got[2];
    bh_ck ck;
    bh_fill(buf, cap, 1);
    bh_ck_init(&ck);
    client_open(port, NULL);
    bh_bulk span;
    bh_bulk_begin(&span);
    for (; sent < total; i++) {
        size_t n =
            total - sent < opt->chunk ? (size_t)(total - sent) : opt->chunk;
        const unsigned char *p = buf + (i % 512) * 8;
        if (br_sslio_write_all(&cio, p, n))
            bh_die("write (err %d)", br_ssl_engine_last_error(&cc.eng));
        bh_ck_update(&ck, p, n);
        sent += n;
    }
    br_sslio_flush(&cio);
    if (br_sslio_read_all(&cio, got, sizeof(got)) || got[0] != total ||
        got[1] != bh_ck_final(&ck))
        bh_die("verification failed");
    bh_bulk_end(&span, "bearssl", opt->mib);
    client_close();
    free(buf);
}

static double handshakes(int port, int resumed)
{
    br_ssl_session_parameters params;
    double c0, c1;
    if (resumed) {
        client_open(port, NULL);
        br_sslio_write_all(&cio, "x", 1);
        br_sslio_flush(&cio);
        br_ssl_engine_get_session_parameters(&cc.eng, &params);
        client_close();
    }
    bh_ctl_snapshot(&c0, NULL, NULL);
    for (uint64_t i = 0; i < opt->count; i++) {
        client_open(port, resumed ? &params : NULL);
        if (br_sslio_write_all(&cio, "x", 1) || br_sslio_flush(&cio))
            bh_die("handshake (err %d)", br_ssl_engine_last_error(&cc.eng));
        if (resumed) {
            br_ssl_session_parameters now;
            br_ssl_engine_get_session_parameters(&cc.eng, &now);
            if (memcmp(now.session_id, params.session_id, 32))
                bh_die("not resumed");
        }
        client_close();
    }
    bh_ctl_snapshot(&c1, NULL, NULL);
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
    bh_result("hs_full_per_cpu_s", "bearssl", full);
    bh_result("hs_resumed_per_cpu_s", "bearssl", res);
}

static void run_sign(void)
{
    br_rsa_pkcs1_sign sign = br_rsa_pkcs1_sign_get_default();
    unsigned char hash[32] = {1}, sig[512];
    uint64_t n = 0;
    double t0 = bh_now(), c0 = bh_cpu();
    while (bh_now() - t0 < 1.0 || n < 10) {
        hash[n & 31]++;
        if (!sign(BR_HASH_OID_SHA256, hash, 32, rsa_sk, sig))
            bh_die("sign failed");
        n++;
    }
    bh_result("rsa2048_sign_per_cpu_s", "bearssl", (double)n / (bh_cpu() - c0));
}

int main(int argc, char **argv)
{
    bh_opts o;
    bh_parse(&o, argc, argv);
    opt = &o;
    load_identity();
    if (!strcmp(o.workload, "sign")) {
        run_sign();
        return 0;
    }
    int port = bh_spawn(&o, serve);
    if (!strcmp(o.workload, "bulk"))
        run_bulk(port);
    else if (!strcmp(o.workload, "hs"))
        run_hs(port);
    else
        bh_die("bearssl: unsupported workload %s", o.workload);
    return bh_ctl_quit() == 0 ? 0 : 1;
}
