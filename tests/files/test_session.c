/*
 * tests/files/test_session.c -- files over secure sessions (issue 5): small
 * files in memory, larger ones in the download directory, the blocking and
 * the event-driven send API (also from a callback server's loop thread),
 * cancelling, the receiver's refusals, and messages that do not wait for a
 * file.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/util.h"
#include "files_util.h"
#include "fs_util.h"
#include "platform.h"
#include "secip/secip.h"
#include "testutil.h"

static char dir[600];

typedef struct track {
    spl_mutex *mu;
    int done, status, progress_calls, cancel_at_first;
    uint64_t last_done, total;
    uint8_t sha[32];
    uint32_t id;
    secip_session *s;
} track;

static void on_progress(secip_session *s, uint32_t t, uint64_t done,
                        uint64_t total, void *arg)
{
    track *k = arg;
    int cancel;
    spl_mutex_lock(k->mu);
    CHECK(done >= k->last_done && done <= total);
    k->last_done = done;
    k->total = total;
    k->progress_calls++;
    cancel = k->cancel_at_first && k->progress_calls == 1;
    spl_mutex_unlock(k->mu);
    if (cancel)
        CHECK_OK(secip_session_cancel_file(s, t));
}

static void on_done(secip_session *s, uint32_t t, int status,
                    const uint8_t *sha, void *arg)
{
    track *k = arg;
    (void)s;
    spl_mutex_lock(k->mu);
    CHECK(k->done == 0); /* exactly once */
    k->done = 1;
    k->status = status;
    k->id = t;
    if (sha != NULL)
        memcpy(k->sha, sha, 32);
    CHECK((status == 0) == (sha != NULL));
    spl_mutex_unlock(k->mu);
}

static void track_init(track *k)
{
    memset(k, 0, sizeof *k);
    CHECK_OK(spl_mutex_new(&k->mu));
}

static int track_wait(track *k)
{
    int done = 0;
    for (int i = 0; i < 2000 && !done; i++) {
        spl_mutex_lock(k->mu);
        done = k->done;
        spl_mutex_unlock(k->mu);
        if (!done)
            spl_sleep_ms(10);
    }
    CHECK(done);
    return k->status;
}

static secip_message *expect_file(fs_server *f, const char *name, uint64_t size)
{
    secip_message *m = fs_next(f, 10000);
    CHECK(m != NULL);
    CHECK(secip_message_type(m) == SECIP_FILE);
    CHECK(strcmp(secip_message_file_name(m), name) == 0);
    CHECK(secip_message_file_size(m) == (int64_t)size);
    return m;
}

/* Small files arrive in memory: name, extension, size, data. */
static void test_memory(fs_server *f)
{
    secip_client *c;
    secip_session *s = fs_connect(f, NULL, &c);
    const char *hello = "hello, file";
    secip_message *m;
    char path[700];
    const void *d;
    size_t len;

    CHECK_OK(
        secip_session_send_file_data(s, "greeting.txt", hello, strlen(hello)));
    m = expect_file(f, "greeting.txt", strlen(hello));
    CHECK(strcmp(secip_message_file_extension(m), "txt") == 0);
    CHECK(secip_message_file_path(m) == NULL);
    d = secip_message_data(m, &len);
    CHECK(len == strlen(hello) && memcmp(d, hello, len) == 0);
    secip_message_free(m);

    /* an empty file, and a small one from disk */
    CHECK_OK(secip_session_send_file_data(s, "empty", "", 0));
    m = expect_file(f, "empty", 0);
    CHECK(strcmp(secip_message_file_extension(m), "") == 0);
    secip_message_free(m);
    fu_join(path, sizeof path, dir, "small.tar.gz");
    fu_write_pattern(path, 5, 3000);
    CHECK_OK(secip_session_send_file(s, path));
    m = expect_file(f, "small.tar.gz", 3000);
    CHECK(strcmp(secip_message_file_extension(m), "gz") == 0);
    d = secip_message_data(m, &len);
    CHECK(len == 3000);
    secip_message_free(m);
    CHECK_OK(spl_file_remove(path));
    secip_client_free(c);
}

/* Above the memory limit a file lands in files_dir. */
static void test_disk(fs_server *f, const char *recv_dir)
{
    secip_client *c;
    secip_session *s = fs_connect(f, NULL, &c);
    secip_session_stats st;
    secip_message *m;
    char path[700], want[800];
    uint64_t size = 700u * 1024u + 13u;
    size_t len = 1;

    fu_join(path, sizeof path, dir, "report.bin");
    fu_write_pattern(path, 9, size);
    CHECK_OK(secip_session_send_file(s, path));
    m = expect_file(f, "report.bin", size);
    fu_join(want, sizeof want, recv_dir, "report.bin");
    CHECK(secip_message_file_path(m) != NULL);
    CHECK(strcmp(secip_message_file_path(m), want) == 0);
    (void)secip_message_data(m, &len);
    CHECK(len == 0);
    fu_check_pattern(want, 9, size);
    secip_message_free(m);
    secip_session_stats_get(s, &st);
    CHECK(st.bytes_out >= size);

    /* the same name again: never overwritten */
    CHECK_OK(secip_session_send_file(s, path));
    m = expect_file(f, "report.bin", size);
    fu_join(want, sizeof want, recv_dir, "report (1).bin");
    CHECK(strcmp(secip_message_file_path(m), want) == 0);
    secip_message_free(m);
    CHECK_OK(spl_file_remove(path));
    secip_client_free(c);
}

/* send_file_ex: progress and done callbacks; cancel; interleaving. */
static void test_ex(fs_server *f, const char *recv_dir)
{
    secip_client *c;
    secip_session *s = fs_connect(f, NULL, &c);
    secip_file_send_opts o;
    size_t size = 3u * 1024u * 1024u, len;
    uint8_t *data = malloc(size), sha[32];
    secip_message *m;
    char path[800];
    track k;
    uint32_t id = 0;
    int texts = 0, file_seen = 0, text_before_file = 0;

    CHECK(data != NULL);
    fs_pattern(data, size, 1, 0);
    track_init(&k);
    memset(&o, 0, sizeof o);
    o.name = "movie.mp4";
    o.on_progress = on_progress;
    o.on_done = on_done;
    o.arg = &k;
    CHECK_OK(secip_session_send_file_ex(s, NULL, data, size, &o, &id));
    CHECK(id != 0);
    /* messages sent meanwhile do not wait for the file */
    for (int i = 0; i < 10; i++)
        CHECK_OK(secip_session_send_text(s, "beside the file"));
    while (texts < 10 || !file_seen) {
        m = fs_next(f, 10000);
        CHECK(m != NULL);
        if (secip_message_type(m) == SECIP_TEXT) {
            texts++;
            if (!file_seen)
                text_before_file++;
        } else {
            CHECK(secip_message_type(m) == SECIP_FILE);
            CHECK(strcmp(secip_message_file_name(m), "movie.mp4") == 0);
            fu_check_content(secip_message_file_path(m), data, size);
            file_seen = 1;
        }
        secip_message_free(m);
    }
    tu_log("texts before the 3 MiB file: %d of 10", text_before_file);
    CHECK(text_before_file >= 1);
    CHECK(track_wait(&k) == 0);
    CHECK(k.id == id);
    CHECK(k.last_done == size && k.total == size);
    CHECK(k.progress_calls >= 2 && k.progress_calls <= 13);
    sp_sha256(data, size, sha);
    CHECK(memcmp(sha, k.sha, 32) == 0);
    CHECK_ERR(secip_session_cancel_file(s, id), SECIP_ENOENT);
    spl_mutex_free(k.mu);

    /* cancelled by the sender at its first progress report */
    track_init(&k);
    k.cancel_at_first = 1;
    o.name = "cancelled.bin";
    CHECK_OK(secip_session_send_file_ex(s, NULL, data, size, &o, NULL));
    CHECK(track_wait(&k) == SECIP_ECANCELED);
    spl_mutex_free(k.mu);
    CHECK_OK(secip_session_send_text(s, "after the cancel"));
    m = fs_next(f, 10000);
    CHECK(m != NULL && secip_message_type(m) == SECIP_TEXT);
    secip_message_free(m);
    fu_join(path, sizeof path, recv_dir, "cancelled.bin");
    CHECK(!fu_exists(path));
    (void)len;
    free(data);
    secip_client_free(c);
}

/* Refusals: each gives SECIP_EDENIED with the receiver's reason. */
static void refused(const secip_session_options *so, size_t size,
                    const char *why)
{
    fs_server *f = fs_start(so);
    secip_client *c;
    secip_session *s = fs_connect(f, NULL, &c);
    uint8_t *data = calloc(1, size);
    CHECK(data != NULL);
    CHECK_ERR(secip_session_send_file_data(s, "x.bin", data, size),
              SECIP_EDENIED);
    tu_log("refused: %s", secip_last_error());
    CHECK(strstr(secip_last_error(), why) != NULL);
    /* the session stays usable */
    CHECK_OK(secip_session_send_text(s, "still here"));
    secip_message *m = fs_next(f, 10000);
    CHECK(m != NULL && secip_message_type(m) == SECIP_TEXT);
    secip_message_free(m);
    free(data);
    secip_client_free(c);
    fs_stop(f);
}

typedef struct busy_ctx {
    track k;
    int second_rc;
    char detail[512];
} busy_ctx;

static void busy_progress(secip_session *s, uint32_t t, uint64_t done,
                          uint64_t total, void *arg)
{
    busy_ctx *b = arg;
    static const char small[] = "second";
    (void)t;
    (void)total;
    if (b->k.progress_calls++ == 0 && done < total) {
        b->second_rc =
            secip_session_send_file_data(s, "second.txt", small, sizeof small);
        snprintf(b->detail, sizeof b->detail, "%s", secip_last_error());
    }
}

static void busy_done(secip_session *s, uint32_t t, int status,
                      const uint8_t *sha, void *arg)
{
    on_done(s, t, status, sha, &((busy_ctx *)arg)->k);
}

static void test_refusals(void)
{
    secip_session_options o;
    fs_server *f;
    secip_client *c;
    secip_session *s;
    secip_file_send_opts fo;
    size_t size = 2u * 1024u * 1024u;
    uint8_t *data = calloc(1, size);
    busy_ctx b;
    secip_message *m;

    secip_session_options_init(&o);
    o.file_flags = SECIP_FILES_REFUSE;
    refused(&o, 10, "files are not accepted");
    secip_session_options_init(&o);
    o.file_memory_max = 1000;
    refused(&o, 5000, "no download directory");
    secip_session_options_init(&o);
    o.files_dir = dir;
    o.file_max_size = 4096;
    refused(&o, 5000, "too big");

    /* busy: one incoming transfer at a time */
    secip_session_options_init(&o);
    o.files_dir = dir;
    o.max_transfers = 1;
    o.file_memory_max = SECIP_FILE_MEMORY_NONE;
    f = fs_start(&o);
    s = fs_connect(f, NULL, &c);
    memset(&b, 0, sizeof b);
    CHECK_OK(spl_mutex_new(&b.k.mu));
    memset(&fo, 0, sizeof fo);
    fo.name = "first.bin";
    fo.on_progress = busy_progress;
    fo.on_done = busy_done;
    fo.arg = &b;
    CHECK(data != NULL);
    CHECK_OK(secip_session_send_file_ex(s, NULL, data, size, &fo, NULL));
    CHECK(track_wait(&b.k) == 0);
    tu_log("second transfer: %d %s", b.second_rc, b.detail);
    CHECK(b.second_rc == SECIP_EDENIED && strstr(b.detail, "busy") != NULL);
    m = expect_file(f, "first.bin", size);
    secip_message_free(m);
    spl_mutex_free(b.k.mu);
    free(data);
    secip_client_free(c);
    fs_stop(f);
}

/* A callback server sends a file from its loop thread (send_file_ex). */
static track cb_track;
static void cb_message(secip_session *s, secip_message *m, void *ud)
{
    static const char content[] = "from the server's loop";
    secip_file_send_opts o;
    (void)ud;
    memset(&o, 0, sizeof o);
    o.name = "served.txt";
    o.on_done = on_done;
    o.arg = &cb_track;
    CHECK_ERR(secip_session_send_file_data(s, "x", "y", 1), SECIP_EINVAL);
    CHECK_OK(
        secip_session_send_file_ex(s, NULL, content, sizeof content, &o, NULL));
    secip_message_free(m);
}

static void test_from_callback(void)
{
    secip_server_callbacks cbs = {NULL, cb_message, NULL};
    secip_server *srv;
    secip_client *c;
    secip_session *s;
    secip_message *m;
    size_t len;
    const void *d;

    track_init(&cb_track);
    CHECK_OK(secip_server_new(fs_key(), &srv));
    CHECK_OK(secip_server_set_callbacks(srv, &cbs, NULL));
    CHECK_OK(secip_server_start(srv, "127.0.0.1", 0));
    CHECK_OK(secip_client_new(&c));
    CHECK_OK(secip_client_connect(c, "127.0.0.1", secip_server_port(srv), 10000,
                                  &s));
    CHECK_OK(secip_session_send_text(s, "send me a file"));
    CHECK_OK(secip_session_receive(s, &m, 10000));
    CHECK(secip_message_type(m) == SECIP_FILE);
    CHECK(strcmp(secip_message_file_name(m), "served.txt") == 0);
    d = secip_message_data(m, &len);
    CHECK(len == sizeof "from the server's loop" &&
          memcmp(d, "from the server's loop", len) == 0);
    secip_message_free(m);
    CHECK(track_wait(&cb_track) == 0);
    secip_client_free(c);
    secip_server_free(srv);
    spl_mutex_free(cb_track.mu);
}

int main(void)
{
    secip_session_options o;
    char recv_dir[700];
    fs_server *f;

    fu_scratch(".", "files-session", dir, sizeof dir);
    fu_join(recv_dir, sizeof recv_dir, dir, "in");
    CHECK_OK(spl_dir_create(recv_dir, 1));
    secip_session_options_init(&o);
    o.files_dir = recv_dir;
    o.file_memory_max = 64u * 1024u;
    f = fs_start(&o);
    test_memory(f);
    test_disk(f, recv_dir);
    test_ex(f, recv_dir);
    fs_stop(f);
    test_refusals();
    test_from_callback();
    tu_log("ok");
    return 0;
}
