/*
 * tests/files/test_wire_hostile.c -- hostile file frames against a
 * receiving server (issue 5): a table of hostile names, each saved inside
 * the download directory under a safe name or refused, nothing outside it;
 * a corrupted chunk, a wrong final hash, data beyond the announced size and
 * a transfer cut halfway each leave no file under the final name and give
 * the sender a clear error, and the session stays usable after each
 * per-transfer error.
 *
 * Frames are injected with sp_session_send_raw(); to see the receiver's
 * answers the test registers a transfer record in the sending session the
 * way file_send.c does, so the loop thread fills it in.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/util.h"
#include "files/file_proto.h"
#include "files_util.h"
#include "fs_util.h"
#include "net/session_files.h"
#include "net/session_impl.h"
#include "platform.h"
#include "secip/secip.h"
#include "testutil.h"

static char parent[600], dir[700];
static sp_send_xfer fake;
static uint16_t next_id = 100;

static void inject(secip_session *s, const uint8_t *p, int len)
{
    CHECK(len > 0);
    CHECK_OK(sp_session_send_raw(s, p, (size_t)len));
}

/* Announce name[0..nlen) with size bytes; register the record. */
static void begin(secip_session *s, const void *name, size_t nlen,
                  uint64_t size)
{
    uint8_t frame[SP_FRAME_HEADER_LEN + SP_FILE_CTL_MAX];
    sp_file_begin b;
    memset(&fake, 0, sizeof fake);
    fake.id = next_id++;
    fake.size = size;
    fake.phase = SP_XS_BEGIN;
    spl_mutex_lock(s->mu);
    fake.next = s->sends;
    s->sends = &fake;
    spl_mutex_unlock(s->mu);
    memset(&b, 0, sizeof b);
    b.size = size;
    b.name = name;
    b.name_len = nlen;
    inject(s, frame, sp_encode_file_begin(frame, sizeof frame, fake.id, &b));
}

static void forget(secip_session *s)
{
    spl_mutex_lock(s->mu);
    CHECK(s->sends == &fake);
    s->sends = fake.next;
    spl_mutex_unlock(s->mu);
}

/* Wait for an answer: 1 = accepted, 2 = receipt, 0 = cancelled. */
static int answer(secip_session *s)
{
    int r = -1;
    uint64_t end = spl_clock_ms() + 10000;
    spl_mutex_lock(s->mu);
    while (r < 0 && spl_clock_ms() < end) {
        if (fake.peer_cancel)
            r = 0;
        else if (fake.have_accept)
            r = 1;
        else if (fake.have_receipt)
            r = 2;
        else
            (void)spl_cond_timedwait(s->cv, s->mu, 50);
    }
    fake.have_accept = 0;
    spl_mutex_unlock(s->mu);
    CHECK(r >= 0);
    return r;
}

static void set_phase(secip_session *s, int phase)
{
    spl_mutex_lock(s->mu);
    fake.phase = phase;
    spl_mutex_unlock(s->mu);
}

static void chunk(secip_session *s, uint64_t off, const void *data, size_t len)
{
    uint8_t *buf = malloc(SP_FILE_CHUNK_HEAD + len);
    CHECK(buf != NULL);
    CHECK(sp_encode_file_chunk_head(buf, fake.id, off, len) > 0);
    memcpy(buf + SP_FILE_CHUNK_HEAD, data, len);
    inject(s, buf, (int)(SP_FILE_CHUNK_HEAD + len));
    free(buf);
}

static void end(secip_session *s, const uint8_t hash[32])
{
    uint8_t frame[SP_FRAME_HEADER_LEN + 32];
    set_phase(s, SP_XS_END);
    inject(
        s, frame,
        sp_encode_file_hash(frame, sizeof frame, SP_T_FILE_END, fake.id, hash));
}

/* Our FILE_CANCEL answering the receiver's (PROTOCOL 7.6). */
static void cancel_back(secip_session *s)
{
    uint8_t frame[SP_FRAME_HEADER_LEN + 16];
    inject(s, frame,
           sp_encode_file_cancel(frame, sizeof frame, fake.id,
                                 SP_FILE_ROLE_SENDER, SP_R_NORMAL, ""));
}

/* The session still carries messages. */
static void still_usable(fs_server *f, secip_session *s)
{
    secip_message *m;
    CHECK_OK(secip_session_send_text(s, "sync"));
    m = fs_next(f, 10000);
    CHECK(m != NULL && secip_message_type(m) == SECIP_TEXT);
    secip_message_free(m);
}

typedef struct hname {
    const char *name;
    size_t len; /* 0: strlen */
} hname;

static void check_inside(const char *path)
{
    size_t n = strlen(dir);
    const char *rest = path + n + 1;
    CHECK(strncmp(path, dir, n) == 0 && path[n] == '/');
    CHECK(strchr(rest, '/') == NULL && strchr(rest, '\\') == NULL);
    CHECK(strcmp(rest, ".") != 0 && strcmp(rest, "..") != 0);
    CHECK(rest[0] != '.');
    CHECK(fu_exists(path));
}

static void test_names(fs_server *f, secip_session *s)
{
    static char long_name[301];
    static const hname names[] = {
        {"../../x", 0},
        {"/etc/passwd", 0},
        {"C:\\x", 0},
        {"..\\x", 0},
        {"..\\\\x", 0},
        {"CON", 0},
        {"nul.txt", 0},
        {"a\0b", 3},
        {long_name, 300},
        {"line\nbreak", 0},
        {"cr\rlf", 0},
        {".", 0},
        {"..", 0},
        {"...", 0},
        {"trailing. . .", 0},
        {"trailing ", 0},
        {"\xe2\x80\xaegpj.exe", 0},
        {"\\\\server\\share\\x", 0},
        {"%2e%2e", 0},
        {"%2e%2e%2fx", 0},
        {"\xff\xfe", 0},
        {"\xc0\xaf", 0},
        {"a/", 0},
        {"COM1.txt", 0},
        {"lpt9", 0},
        {"CONIN$", 0},
        {"aux.tar.gz", 0},
        {"stream:x", 0},
        {"pipe|star*?", 0},
        {".hidden", 0},
        {"x/..", 0},
        {"COM\xc2\xb9", 0},
        {"tab\there", 0},
        {"x", 0},
    };
    static const uint8_t content[] = "z";
    uint8_t hash[32];
    char path[800];
    int saved = 0, refusals = 0;

    memset(long_name, 'L', 300);
    sp_sha256(content, 1, hash);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t len = names[i].len ? names[i].len : strlen(names[i].name);
        secip_message *m;
        begin(s, names[i].name, len, 1);
        if (answer(s) == 0) {
            tu_log("refused: %s", fake.text);
            CHECK(fake.reason == SP_R_INVALID_DATA);
            cancel_back(s);
            forget(s);
            refusals++;
            still_usable(f, s);
            continue;
        }
        set_phase(s, SP_XS_DATA);
        chunk(s, 0, content, 1);
        end(s, hash);
        CHECK(answer(s) == 2);
        forget(s);
        m = fs_next(f, 10000);
        CHECK(m != NULL && secip_message_type(m) == SECIP_FILE);
        tu_log("saved as %s", secip_message_file_path(m));
        check_inside(secip_message_file_path(m));
        secip_message_free(m);
        saved++;
    }
    tu_log("%d names saved safely, %d refused", saved, refusals);
    CHECK(saved >= 20 && refusals >= 5);
    /* nothing escaped into the parent directory or elsewhere nearby */
    fu_join(path, sizeof path, parent, "x");
    CHECK(!fu_exists(path));
    fu_join(path, sizeof path, parent, "passwd");
    CHECK(!fu_exists(path));
    fu_join(path, sizeof path, parent, "..\\x");
    CHECK(!fu_exists(path));
    fu_join(path, sizeof path, dir, "../x");
    CHECK(!fu_exists(path));
    fu_join(path, sizeof path, dir, "CON");
    CHECK(!fu_exists(path));
}

/* A transfer the receiver must reject; no file may appear under name. */
static void broken(fs_server *f, secip_session *s, const char *name, int kind)
{
    static uint8_t data[4096];
    uint8_t hash[32];
    char path[800];
    fs_pattern(data, sizeof data, (uint64_t)kind, 0);
    sp_sha256(data, sizeof data, hash);
    begin(s, name, strlen(name), sizeof data);
    CHECK(answer(s) == 1);
    set_phase(s, SP_XS_DATA);
    if (kind == 0) { /* corrupted chunk: one bit flipped in transit */
        data[100] ^= 1;
        chunk(s, 0, data, sizeof data);
        end(s, hash);
    } else if (kind == 1) { /* wrong final hash */
        chunk(s, 0, data, sizeof data);
        hash[0] ^= 0x80;
        end(s, hash);
    } else { /* more data than announced */
        chunk(s, 0, data, 2048);
        chunk(s, 2048, data, sizeof data);
        end(s, hash);
    }
    CHECK(answer(s) == 0);
    tu_log("%s: %s", name, fake.text);
    CHECK(fake.reason == (kind == 2 ? SP_R_TOO_BIG : SP_R_INVALID_DATA));
    CHECK(strstr(fake.text, kind == 2 ? "larger" : "SHA-256") != NULL);
    cancel_back(s);
    forget(s);
    still_usable(f, s);
    fu_join(path, sizeof path, dir, name);
    CHECK(!fu_exists(path));
}

static void cut_at_half(secip_session *s, uint32_t t, uint64_t done,
                        uint64_t total, void *arg)
{
    int *cut = arg;
    (void)t;
    if (!*cut && done >= total / 2) {
        *cut = 1;
        sp_session_abort(s, SECIP_ECONNRESET, "test: cut halfway");
    }
}

static spl_atomic done_status = {1};
static void on_done(secip_session *s, uint32_t t, int status,
                    const uint8_t *sha, void *arg)
{
    (void)s;
    (void)t;
    (void)sha;
    (void)arg;
    tu_log("cut transfer: %d %s", status, secip_last_error());
    spl_atomic_store(&done_status, status);
}

static void test_cut(fs_server *f)
{
    size_t size = 4u * 1024u * 1024u;
    uint8_t *data = calloc(1, size);
    secip_file_send_opts o;
    secip_client *c;
    secip_session *s = fs_connect(f, NULL, &c);
    char path[800];
    int cut = 0, n = fs_closes(f, NULL);
    CHECK(data != NULL);
    memset(&o, 0, sizeof o);
    o.name = "cut.bin";
    o.on_progress = cut_at_half;
    o.on_done = on_done;
    o.arg = &cut;
    CHECK_OK(secip_session_send_file_ex(s, NULL, data, size, &o, NULL));
    for (int i = 0; i < 1000 && spl_atomic_load(&done_status) == 1; i++)
        spl_sleep_ms(10);
    CHECK(spl_atomic_load(&done_status) < 0);
    CHECK(cut); /* written before the abort that ended the transfer */
    fs_wait_closes(f, n + 1);
    fu_join(path, sizeof path, dir, "cut.bin");
    CHECK(!fu_exists(path));
    secip_client_free(c);
    free(data);
}

/* A FILE_BEGIN with an empty name is a protocol error (PROTOCOL 7.2). */
static void test_empty_name(fs_server *f)
{
    uint8_t frame[SP_FRAME_HEADER_LEN + SP_FILE_BEGIN_FIXED] = {
        SP_T_FILE_BEGIN, SP_F_FIN, 0, 9, 0, 0, 0, SP_FILE_BEGIN_FIXED};
    secip_client *c;
    secip_session *s = fs_connect(f, NULL, &c);
    secip_message *m = NULL;
    int n = fs_closes(f, NULL), st = 0;
    CHECK_OK(sp_session_send_raw(s, frame, sizeof frame));
    CHECK_ERR(secip_session_receive(s, &m, 5000), SECIP_EPROTO);
    fs_wait_closes(f, n + 1);
    (void)fs_closes(f, &st);
    CHECK(st == SECIP_EPROTO);
    secip_client_free(c);
}

int main(void)
{
    secip_session_options o;
    secip_client *c;
    secip_session *s;
    fs_server *f;

    fu_scratch(".", "files-hostile", parent, sizeof parent);
    fu_join(dir, sizeof dir, parent, "in");
    CHECK_OK(spl_dir_create(dir, 1));
    secip_session_options_init(&o);
    o.files_dir = dir;
    o.file_memory_max = SECIP_FILE_MEMORY_NONE; /* everything to disk */
    f = fs_start(&o);
    s = fs_connect(f, NULL, &c);
    test_names(f, s);
    broken(f, s, "corrupt.bin", 0);
    broken(f, s, "badhash.bin", 1);
    broken(f, s, "toolong.bin", 2);
    secip_client_free(c);
    test_cut(f);
    test_empty_name(f);
    fs_stop(f);
    tu_log("ok");
    return 0;
}
