/*
 * bench/peers/zmq_peer.c -- ZeroMQ PUSH/PULL with CURVE (msg workload): one
 * zmq_send() per 64-byte message.  The PULL side checksums every message
 * and publishes the checksum through the harness counter, which the sender
 * polls and compares (ZeroMQ has no reply path on PUSH/PULL).
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "harness.h"

static const bh_opts *opt;
static char srv_pub[41], srv_sec[41];
static void *pull;

static long fold(uint64_t x)
{
    return (long)(x | 1) & 0x7fffffffffffffffL;
}

static void pull_loop(void *arg)
{
    unsigned char buf[65536];
    bh_ck ck;
    (void)arg;
    bh_ck_init(&ck);
    for (uint64_t i = 0; i < opt->count; i++) {
        int n = zmq_recv(pull, buf, sizeof(buf), 0);
        if (n != (int)opt->msg_size)
            bh_die("zmq_recv returned %d", n);
        bh_ck_update(&ck, buf, (size_t)n);
    }
    bh_counter_add(fold(bh_ck_final(&ck)));
}

static int serve(const bh_opts *o)
{
    char ep[256];
    size_t len = sizeof(ep);
    int one = 1;
    opt = o;
    void *ctx = zmq_ctx_new();
    pull = zmq_socket(ctx, ZMQ_PULL);
    if (zmq_setsockopt(pull, ZMQ_CURVE_SERVER, &one, sizeof(one)) ||
        zmq_setsockopt(pull, ZMQ_CURVE_SECRETKEY, srv_sec, 40) ||
        zmq_bind(pull, "tcp://127.0.0.1:*") ||
        zmq_getsockopt(pull, ZMQ_LAST_ENDPOINT, ep, &len))
        return -1;
    if (bh_thread(pull_loop, NULL))
        return -1;
    return atoi(strrchr(ep, ':') + 1);
}

int main(int argc, char **argv)
{
    bh_opts o;
    char pub[41], sec[41], ep[64];
    unsigned char *pat;
    bh_ck ck;
    long got = 0;
    bh_parse(&o, argc, argv);
    opt = &o;
    if (strcmp(o.workload, "msg"))
        bh_die("zmq: unsupported workload %s", o.workload);
    if (zmq_curve_keypair(srv_pub, srv_sec) || zmq_curve_keypair(pub, sec))
        bh_die("zmq built without CURVE");
    int port = bh_spawn(&o, serve);
    void *ctx = zmq_ctx_new();
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    snprintf(ep, sizeof(ep), "tcp://127.0.0.1:%d", port);
    if (zmq_setsockopt(push, ZMQ_CURVE_SERVERKEY, srv_pub, 40) ||
        zmq_setsockopt(push, ZMQ_CURVE_PUBLICKEY, pub, 40) ||
        zmq_setsockopt(push, ZMQ_CURVE_SECRETKEY, sec, 40) ||
        zmq_connect(push, ep))
        bh_die("zmq connect: %s", zmq_strerror(zmq_errno()));
    pat = malloc(o.msg_size + 4096);
    bh_fill(pat, o.msg_size + 4096, 2);
    bh_ck_init(&ck);
    double t0 = bh_now();
    for (uint64_t i = 0; i < o.count; i++) {
        const unsigned char *p = pat + (i % 4096);
        if (zmq_send(push, p, o.msg_size, 0) != (int)o.msg_size)
            bh_die("zmq_send: %s", zmq_strerror(zmq_errno()));
        bh_ck_update(&ck, p, o.msg_size);
    }
    for (int tries = 0; got == 0 && tries < 600000; tries++) {
        if (bh_ctl_snapshot(NULL, NULL, &got))
            bh_die("ctl");
        if (got == 0)
            usleep(100);
    }
    double dt = bh_now() - t0;
    if (got != fold(bh_ck_final(&ck)))
        bh_die("verification failed");
    bh_result("msg_per_s", "zmq_curve", (double)o.count / dt);
    zmq_close(push);
    zmq_ctx_term(ctx);
    free(pat);
    return bh_ctl_quit() == 0 ? 0 : 1;
}
