/*
 * tools/secip/send_file.c -- `secip send --file`: one file transfer with a
 * progress report (see cli_file.h).
 *
 * secip_session_send_file_ex() runs the transfer on a thread of its own
 * and calls back from there; this thread only waits for on_done.  The
 * progress state is touched by that thread alone (the callbacks come from
 * it, one at a time); the result crosses threads under the mutex.
 */
#include <stdio.h>
#include <string.h>

#include "cli_file.h"
#include "commands.h"
#include "platform.h"
#include "progress.h"
#include "secip/file.h"
#include "secip/secip.h"

typedef struct send_state {
    spl_mutex *lock;
    spl_cond *cond;
    cli_progress progress;
    uint64_t done, total;
    int finished;
    int status;
    char why[256]; /* the failure detail, taken on the transfer's thread */
    char sha_hex[65];
} send_state;

static void on_progress(secip_session *s, uint32_t transfer, uint64_t done,
                        uint64_t total, void *arg)
{
    send_state *st = arg;
    (void)s;
    (void)transfer;
    st->done = done;
    st->total = total;
    cli_progress_update(&st->progress, done, total);
}

static void on_done(secip_session *s, uint32_t transfer, int status,
                    const uint8_t *sha256, void *arg)
{
    send_state *st = arg;
    (void)s;
    (void)transfer;
    if (status == 0)
        cli_progress_finish(&st->progress, st->total, st->total);
    else if (st->progress.started && st->progress.tty)
        cli_progress_finish(&st->progress, st->done, st->total);
    spl_mutex_lock(st->lock);
    st->status = status;
    if (status == 0 && sha256 != NULL)
        cli_hex32(sha256, st->sha_hex);
    else if (status < 0) /* the detail is on this thread */
        snprintf(st->why, sizeof st->why, "%s", secip_last_error());
    st->finished = 1;
    spl_cond_signal(st->cond);
    spl_mutex_unlock(st->lock);
}

/* The last component of path, as the library announces it. */
static const char *base_name(const char *path)
{
    const char *b = path;
    for (const char *p = path; *p != '\0'; p++)
        if (*p == '/' || *p == '\\')
            b = p + 1;
    return b;
}

/* The size of the file for the final report, should no progress callback
 * tell it (0 when unknown: the transfer then reports the error). */
static uint64_t file_size(const char *path)
{
    spl_file *f = NULL;
    int64_t n;
    if (spl_file_open(path, SPL_FILE_READ, &f) < 0)
        return 0;
    n = spl_file_size(f);
    spl_file_close(f);
    return n > 0 ? (uint64_t)n : 0;
}

static int wait_done(send_state *st)
{
    spl_mutex_lock(st->lock);
    /* on_done comes exactly once, also when the session dies. */
    while (!st->finished)
        spl_cond_timedwait(st->cond, st->lock, 1000);
    spl_mutex_unlock(st->lock);
    return st->status;
}

int cli_send_file(secip_session *s, const char *path)
{
    send_state st;
    secip_file_send_opts opts;
    uint32_t id = 0;
    int rc;

    memset(&st, 0, sizeof st);
    if (spl_mutex_new(&st.lock) < 0 || spl_cond_new(&st.cond) < 0) {
        spl_mutex_free(st.lock);
        return tool_fail("out of memory");
    }
    cli_progress_init(&st.progress, stderr, spl_isatty(2));
    st.total = file_size(path);
    memset(&opts, 0, sizeof opts);
    opts.on_progress = on_progress;
    opts.on_done = on_done;
    opts.arg = &st;
    rc = secip_session_send_file_ex(s, path, NULL, 0, &opts, &id);
    if (rc < 0)
        rc = tool_fail("%s: %s", path, secip_last_error());
    else if (wait_done(&st) < 0)
        rc = tool_fail("%s: %s", path, st.why);
    else {
        printf("file ok: ");
        tool_print_safe(stdout, base_name(path));
        printf(" %llu %s\n", (unsigned long long)st.total, st.sha_hex);
        rc = 0;
    }
    spl_cond_free(st.cond);
    spl_mutex_free(st.lock);
    return rc;
}
