/*
 * tests/files/test_resume.c -- resuming a file transfer (issue 5): a 64 MiB
 * file, the connection killed at about 50% (from the sender's progress
 * callback), then sent again on a new session: the second session's wire
 * bytes stay under 60% of the size, the result is identical, and no
 * partial or state file remains.
 */
#include <stdlib.h>
#include <string.h>

#include "files_util.h"
#include "fs_util.h"
#include "net/session_impl.h"
#include "platform.h"
#include "secip/secip.h"
#include "testutil.h"

#define SIZE (64ull * 1024u * 1024u)

static void kill_at_half(secip_session *s, uint32_t t, uint64_t done,
                         uint64_t total, void *arg)
{
    int *killed = arg;
    (void)t;
    if (!*killed && done >= total / 2) {
        *killed = 1;
        sp_session_abort(s, SECIP_ECONNRESET, "test: connection killed");
    }
}

static void on_done(secip_session *s, uint32_t t, int status,
                    const uint8_t *sha, void *arg)
{
    (void)s;
    (void)t;
    (void)sha;
    (void)arg;
    tu_log("first transfer ended: %d", status);
}

int main(void)
{
    secip_session_options o;
    secip_session_stats st;
    secip_file_send_opts fo;
    secip_client *c;
    secip_session *s;
    secip_message *m;
    fs_server *f;
    char dir[600], in[700], src[700], got[800];
    uint8_t a[32], b[32];
    int killed = 0;

    fu_scratch(".", "files-resume", dir, sizeof dir);
    fu_join(in, sizeof in, dir, "in");
    CHECK_OK(spl_dir_create(in, 1));
    fu_join(src, sizeof src, dir, "big.bin");
    fu_write_pattern(src, 77, SIZE);

    secip_session_options_init(&o);
    o.files_dir = in;
    f = fs_start(&o);

    /* First attempt: killed at 50%. */
    s = fs_connect(f, NULL, &c);
    memset(&fo, 0, sizeof fo);
    fo.on_progress = kill_at_half;
    fo.on_done = on_done;
    fo.arg = &killed;
    fu_join(got, sizeof got, in, "big.bin");
    {
        /* the interrupted one, event-driven so the callback can kill it */
        uint32_t id;
        int n = fs_closes(f, NULL);
        CHECK_OK(secip_session_send_file_ex(s, src, NULL, 0, &fo, &id));
        for (int i = 0; i < 3000 && !secip_session_is_closed(s); i++)
            spl_sleep_ms(10);
        CHECK(killed);
        fs_wait_closes(f, n + 1); /* the receiver kept its partial file */
    }
    secip_client_free(c);
    CHECK(fs_next(f, 200) == NULL);

    /* Second attempt on a new session: only the rest goes. */
    s = fs_connect(f, NULL, &c);
    CHECK_OK(secip_session_send_file(s, src));
    secip_session_stats_get(s, &st);
    tu_log("second session: %llu payload bytes, %llu wire bytes out of %llu",
           (unsigned long long)st.bytes_out, (unsigned long long)st.wire_out,
           (unsigned long long)SIZE);
    CHECK(st.wire_out < SIZE * 6 / 10);
    m = fs_next(f, 30000);
    CHECK(m != NULL && secip_message_type(m) == SECIP_FILE);
    CHECK(strcmp(secip_message_file_path(m), got) == 0);
    secip_message_free(m);
    fs_file_sha256(src, a);
    fs_file_sha256(got, b);
    CHECK(memcmp(a, b, 32) == 0);
    secip_client_free(c);
    fs_stop(f);

    /* No partial or state file remains: once the result is removed the
     * download directory must be empty (spl_dir_remove fails otherwise;
     * the platform layer has no directory listing). */
    CHECK_OK(spl_file_remove(got));
    CHECK_OK(spl_dir_remove(in));
    CHECK_OK(spl_file_remove(src));
    CHECK_OK(spl_dir_remove(dir));
    tu_log("ok");
    return 0;
}
