/*
 * sdk/src/net/session_files.h -- internal: file transfer over a session
 * (docs/PROTOCOL.md section 7), between the session core and the
 * session-independent file code of sdk/src/files/.
 *
 * Receiving (file_recv.c) runs on the session's loop thread: the decoder
 * hands FILE_* frames over in pieces (SP_EV_FILE, pointing into the
 * decrypted input), and the receiver feeds them to one sp_file_sink per
 * incoming transfer, writing chunk data straight from the input to the sink
 * (no copy), answering with FILE_ACCEPT / FILE_RECEIPT / FILE_CANCEL and
 * delivering the verified file like any message.  Its state is allocated on
 * the first file frame, so sessions that never see one do not pay for it.
 *
 * Sending (file_send.c) runs on an application thread (the blocking API) or
 * on a thread of its own (secip_session_send_file_ex): each outgoing
 * transfer is an sp_send_xfer registered in the session under s->mu.  The
 * loop thread records the receiver's answers in it and broadcasts s->cv;
 * the sending thread waits on s->cv, reads the file and queues chunks.
 *
 * Transfer ids: outgoing transfers take ids SP_XFER_ID_FIRST..65535, the
 * send queue gives fragmented messages ids below (encoder.c), so the two
 * never collide in the shared id space (PROTOCOL 7.1).
 */
#ifndef SP_NET_SESSION_FILES_H
#define SP_NET_SESSION_FILES_H

#include <stddef.h>
#include <stdint.h>

#include "platform.h"
#include "secip/session.h"
#include "session/decoder.h"

/** First id of outgoing transfers (the upper half of the id space). */
#define SP_XFER_ID_FIRST 32768u

/** Phases of an outgoing transfer, as the loop thread sees them. */
enum {
    SP_XS_BEGIN = 1, /* FILE_BEGIN queued: the first FILE_ACCEPT may come */
    SP_XS_PREFIX,    /* FILE_PREFIX queued: the second FILE_ACCEPT may come */
    SP_XS_DATA,      /* accepted: chunks flow, no FILE_ACCEPT is valid */
    SP_XS_END,       /* FILE_END queued: FILE_RECEIPT may come */
    SP_XS_OVER       /* cancelled or answered: nothing more is expected */
};

/** One outgoing transfer.  Fields are guarded by the session mutex. */
typedef struct sp_send_xfer {
    struct sp_send_xfer *next; /* s->sends list */
    uint16_t id;
    int phase;        /* SP_XS_* */
    uint64_t size;    /* announced size */
    int resumable;    /* RESUMABLE was announced */
    int have_accept;  /* a FILE_ACCEPT arrived and was not consumed */
    uint64_t offset;  /* its offset */
    uint8_t flags;    /* its flags */
    int have_receipt; /* FILE_RECEIPT arrived */
    uint8_t receipt[32];
    int peer_cancel;   /* the receiver cancelled (FILE_CANCEL role 1) */
    unsigned reason;   /* its reason code */
    char text[256];    /* its text */
    int local_cancel;  /* secip_session_cancel_file() was called */
    uint32_t inflight; /* chunks of this transfer in the send queue */
    uint64_t limit;    /* content may be sent up to here (FILE_WINDOW) */
} sp_send_xfer;

/**
 * The thread of a secip_session_send_file_ex() transfer (file_jobs.c).
 * It is linked in s->jobs from its start until it is joined: by the next
 * send_file_ex on the session (when finished), by sp_session_shutdown(),
 * or by the session's last release.  A thread never joins itself: a job
 * whose own release frees the session goes to a process-wide list that
 * the next send_file_ex joins.
 */
typedef struct sp_file_job {
    struct sp_file_job *next;
    spl_thread *thread;
    int finished; /* (mu) the thread no longer needs the session */
} sp_file_job;

/** Start fn(j) on a new thread and link j in s->jobs.  j must be the first
 *  member of a malloc'ed block, freed here once the thread is joined.
 *  Errors: those of spl_thread_create (nothing is linked). */
int sp_file_job_start(secip_session *s, sp_file_job *j, spl_thread_fn fn);

/** On the job's thread, first thing: remember which job this thread runs. */
void sp_file_job_enter(sp_file_job *j);

/** On the job's thread, last use of s before releasing it. */
void sp_file_job_done(secip_session *s, sp_file_job *j);

/** Join the session's finished jobs and the process-wide list. */
void sp_file_jobs_reap(secip_session *s);

/** sp_session_shutdown: wait for every job of s (but the calling one) to
 *  finish, and join them.  The session has ended, so they are ending. */
void sp_file_jobs_join(secip_session *s);

/** session_free: join the remaining jobs (all finished by then). */
void sp_file_jobs_free(secip_session *s);

/**
 * Loop thread: a piece of a file frame (SP_EV_FILE).  Per-transfer
 * problems are answered with FILE_CANCEL and return 0.  Returns a negative
 * code for a framing violation that must end the session, with *reason the
 * CLOSE reason (the detail is recorded).
 */
int sp_files_on_piece(secip_session *s, const sp_event *ev, unsigned *reason);

/**
 * Loop thread, or the last holder freeing the session: the session ended.
 * Every incoming transfer still open keeps its partial file for a resume
 * (unless it failed); the receiver's state is freed.
 */
void sp_files_session_end(secip_session *s);

/** Under s->mu, from on_send: a chunk node of x left the send queue. */
void sp_files_chunk_sent_locked(secip_session *s, sp_send_xfer *x);

/** Under s->mu: the outgoing transfer with this id, or NULL. */
sp_send_xfer *sp_files_find_send_locked(secip_session *s, uint16_t id);

/** Loop thread, for file_recv.c: hand a verified file to the application
 *  like a decoded message (session_loop.c). */
void sp_session_deliver_file(secip_session *s, secip_message *m);

#endif /* SP_NET_SESSION_FILES_H */
