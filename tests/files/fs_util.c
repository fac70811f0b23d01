/*
 * tests/files/fs_util.c -- see fs_util.h.
 */
#include "fs_util.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/util.h"
#include "platform.h"
#include "testutil.h"
#include <bearssl.h>

#define QMAX 256

struct fs_server {
    secip_server *srv;
    spl_mutex *mu;
    spl_cond *cv;
    secip_message *q[QMAX];
    size_t head, count;
    int closes, last_status;
    secip_session *last;
};

static secip_key *key;

secip_key *fs_key(void)
{
    if (key == NULL)
        CHECK_OK(secip_key_generate(2048, &key));
    return key;
}

static void cb_open(secip_session *s, void *ud)
{
    fs_server *f = ud;
    spl_mutex_lock(f->mu);
    f->last = s;
    spl_mutex_unlock(f->mu);
}

static void cb_message(secip_session *s, secip_message *m, void *ud)
{
    fs_server *f = ud;
    (void)s;
    spl_mutex_lock(f->mu);
    if (f->count < QMAX) {
        f->q[(f->head + f->count) % QMAX] = m;
        f->count++;
        m = NULL;
    }
    spl_cond_broadcast(f->cv);
    spl_mutex_unlock(f->mu);
    secip_message_free(m);
}

static void cb_close(secip_session *s, int st, void *ud)
{
    fs_server *f = ud;
    spl_mutex_lock(f->mu);
    if (f->last == s)
        f->last = NULL;
    f->closes++;
    f->last_status = st;
    spl_cond_broadcast(f->cv);
    spl_mutex_unlock(f->mu);
}

fs_server *fs_start(const secip_session_options *o)
{
    static const secip_server_callbacks cbs = {cb_open, cb_message, cb_close};
    fs_server *f = calloc(1, sizeof *f);
    CHECK(f != NULL);
    CHECK_OK(spl_mutex_new(&f->mu));
    CHECK_OK(spl_cond_new(&f->cv));
    CHECK_OK(secip_server_new(fs_key(), &f->srv));
    if (o != NULL)
        CHECK_OK(secip_server_set_options(f->srv, o));
    CHECK_OK(secip_server_set_threads(f->srv, 1));
    CHECK_OK(secip_server_set_callbacks(f->srv, &cbs, f));
    CHECK_OK(secip_server_start(f->srv, "127.0.0.1", 0));
    return f;
}

uint16_t fs_port(const fs_server *f)
{
    return secip_server_port(f->srv);
}

secip_message *fs_next(fs_server *f, int timeout_ms)
{
    uint64_t end = spl_clock_ms() + (uint64_t)timeout_ms;
    secip_message *m = NULL;
    spl_mutex_lock(f->mu);
    while (f->count == 0 && spl_clock_ms() < end)
        (void)spl_cond_timedwait(f->cv, f->mu, end - spl_clock_ms());
    if (f->count > 0) {
        m = f->q[f->head];
        f->head = (f->head + 1) % QMAX;
        f->count--;
    }
    spl_mutex_unlock(f->mu);
    return m;
}

int fs_closes(fs_server *f, int *last_status)
{
    int n;
    spl_mutex_lock(f->mu);
    n = f->closes;
    if (last_status != NULL)
        *last_status = f->last_status;
    spl_mutex_unlock(f->mu);
    return n;
}

void fs_wait_closes(fs_server *f, int n)
{
    uint64_t end = spl_clock_ms() + 10000;
    spl_mutex_lock(f->mu);
    while (f->closes < n && spl_clock_ms() < end)
        (void)spl_cond_timedwait(f->cv, f->mu, end - spl_clock_ms());
    CHECK(f->closes >= n);
    spl_mutex_unlock(f->mu);
}

secip_session *fs_last_session(fs_server *f)
{
    secip_session *s;
    spl_mutex_lock(f->mu);
    s = f->last;
    spl_mutex_unlock(f->mu);
    return s;
}

void fs_stop(fs_server *f)
{
    secip_server_free(f->srv);
    while (f->count > 0) {
        secip_message_free(f->q[f->head]);
        f->head = (f->head + 1) % QMAX;
        f->count--;
    }
    spl_cond_free(f->cv);
    spl_mutex_free(f->mu);
    free(f);
}

secip_session *fs_connect(fs_server *f, const secip_session_options *o,
                          secip_client **c)
{
    secip_session *s = NULL;
    CHECK_OK(secip_client_new(c));
    if (o != NULL)
        CHECK_OK(secip_client_set_options(*c, o));
    CHECK_OK(secip_client_connect(*c, "127.0.0.1", fs_port(f), 10000, &s));
    return s;
}

void fs_pattern(void *buf, size_t len, uint64_t seed, uint64_t pos)
{
    uint8_t *p = buf;
    for (size_t i = 0; i < len; i++) {
        uint64_t x = (pos + i) * 0x9e3779b97f4a7c15ull + seed;
        p[i] = (uint8_t)(x >> 29 ^ x >> 7);
    }
}

void fs_file_sha256(const char *path, uint8_t out[32])
{
    br_sha256_context c;
    spl_file *fh = NULL;
    uint8_t *buf = malloc(65536);
    uint64_t off = 0;
    ptrdiff_t got;
    CHECK(buf != NULL);
    CHECK_OK(spl_file_open(path, SPL_FILE_READ, &fh));
    br_sha256_init(&c);
    while ((got = spl_file_pread(fh, buf, 65536, off)) > 0) {
        br_sha256_update(&c, buf, (size_t)got);
        off += (uint64_t)got;
    }
    CHECK(got == 0);
    br_sha256_out(&c, out);
    spl_file_close(fh);
    free(buf);
}
