/*
 * sdk/src/net/file_jobs.c -- the threads of secip_session_send_file_ex():
 * who joins them (see sp_file_job in session_files.h).
 *
 * Each thread is joined by someone else once it no longer needs the
 * session: the next send_file_ex on the session, the session's shutdown by
 * its owner (which waits for them: the session has ended, so they are
 * ending), or the session's last release.  When the last release is the
 * job's own, the session is freed on the job's thread, which cannot join
 * itself: the job then goes to a process-wide list that the next
 * send_file_ex joins.
 */
#include <stdlib.h>

#include "error.h"
#include "net/session_files.h"
#include "net/session_impl.h"

#if defined(_MSC_VER) && !defined(__clang__)
#define SP_THREAD_LOCAL __declspec(thread)
#else
#define SP_THREAD_LOCAL _Thread_local
#endif

static SP_THREAD_LOCAL sp_file_job *tl_job; /* the job this thread runs */

static spl_atomic orphan_lock;
static sp_file_job *orphans; /* jobs whose thread freed their session */

static void orphans_enter(void)
{
    while (!spl_atomic_cas(&orphan_lock, 0, 1))
        spl_sleep_ms(0);
}

static void join_list(sp_file_job *j)
{
    while (j != NULL) {
        sp_file_job *next = j->next;
        spl_thread_join(j->thread);
        free(j);
        j = next;
    }
}

int sp_file_job_start(secip_session *s, sp_file_job *j, spl_thread_fn fn)
{
    int rc;
    /* Under mu so that nobody sees the job before its thread is set. */
    spl_mutex_lock(s->mu);
    rc = spl_thread_create(&j->thread, fn, j);
    if (rc == 0) {
        j->next = s->jobs;
        s->jobs = j;
    }
    spl_mutex_unlock(s->mu);
    return rc;
}

void sp_file_job_enter(sp_file_job *j)
{
    tl_job = j;
}

void sp_file_job_done(secip_session *s, sp_file_job *j)
{
    spl_mutex_lock(s->mu);
    j->finished = 1;
    spl_cond_broadcast(s->cv);
    spl_mutex_unlock(s->mu);
}

/* Unlink the jobs that are finished (all when `all`), never the calling
 * thread's own.  Caller holds mu. */
static sp_file_job *take_locked(secip_session *s, int all)
{
    sp_file_job **pp = &s->jobs, *out = NULL;
    while (*pp != NULL) {
        sp_file_job *j = *pp;
        if (j != tl_job && (all || j->finished)) {
            *pp = j->next;
            j->next = out;
            out = j;
        } else {
            pp = &j->next;
        }
    }
    return out;
}

void sp_file_jobs_reap(secip_session *s)
{
    sp_file_job *mine, *orphaned;
    spl_mutex_lock(s->mu);
    mine = take_locked(s, 0);
    spl_mutex_unlock(s->mu);
    join_list(mine);
    orphans_enter();
    orphaned = orphans;
    orphans = NULL;
    spl_atomic_store(&orphan_lock, 0);
    join_list(orphaned);
}

static int others_running_locked(const secip_session *s)
{
    for (const sp_file_job *j = s->jobs; j != NULL; j = j->next)
        if (j != tl_job && !j->finished)
            return 1;
    return 0;
}

void sp_file_jobs_join(secip_session *s)
{
    sp_file_job *done;
    spl_mutex_lock(s->mu);
    while (others_running_locked(s))
        spl_cond_wait(s->cv, s->mu);
    done = take_locked(s, 1);
    spl_mutex_unlock(s->mu);
    join_list(done);
}

void sp_file_jobs_free(secip_session *s)
{
    sp_file_job *j = s->jobs;
    s->jobs = NULL;
    while (j != NULL) {
        sp_file_job *next = j->next;
        if (j == tl_job) { /* this very thread: it ends right after */
            orphans_enter();
            j->next = orphans;
            orphans = j;
            spl_atomic_store(&orphan_lock, 0);
        } else {
            spl_thread_join(j->thread);
            free(j);
        }
        j = next;
    }
}
