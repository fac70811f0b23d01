/*
 * secip/file.h -- received files: their name, size and content, saving
 * them safely, and the file-name sanitiser.
 *
 * A FILE message (secip_message_type() == SECIP_FILE) is a file that a peer
 * sent and whose SHA-256 the library has already verified.  Its content is
 * either in memory (small files: secip_message_data() returns it) or in a
 * file on disk (files above the session's in-memory limit are written to
 * the download directory as they arrive; secip_message_data() then returns
 * "" with length 0 and secip_message_file_path() tells where it is).
 *
 * Names: the name a peer announces is hostile input.  The library reduces it
 * to a safe base name before anything else sees it (secip_file_safe_name()
 * documents the rules), so secip_message_file_name() is always a single
 * component that stays inside the directory it is joined to, on Linux and
 * on Windows alike.
 *
 * Saving never overwrites an existing file unless asked to: by default the
 * first free name among "name.ext", "name (1).ext", ... "name (999).ext" is
 * used, reserved atomically so that a file created concurrently is never
 * replaced.  Saved files are readable and writable by the owner only.
 *
 * Thread-safety: as for every message (secip/message.h): reading functions
 * may run concurrently; secip_message_save() moves a disk-backed file and
 * updates the message, so it must not run concurrently with other calls on
 * the same message.
 */
#ifndef SECIP_FILE_H
#define SECIP_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "secip/error.h"
#include "secip/export.h"
#include "secip/message.h"
#include "secip/session.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Longest safe file name in bytes (without the terminating NUL). */
#define SECIP_FILE_NAME_MAX 240

/**
 * Reduce a file name from an untrusted source to a safe base name, or
 * refuse it.  name[0..len) need not be NUL-terminated.
 *
 * Refused (SECIP_EFORMAT, detail says why): empty, longer than 4096 bytes,
 * not valid UTF-8, containing a NUL byte, ending with a separator, or empty
 * once trailing dots and spaces are removed (".", "..", "...").
 * Rewritten: only the part after the last '/' or '\' is kept ("../../x",
 * "C:\x" and "\\server\share\x" all give "x"); control characters (newlines
 * included), the characters < > : " | ? * and Unicode bidi controls become
 * '_'; trailing dots and spaces are removed; a leading '.' becomes '_';
 * Windows device names (CON, PRN, AUX, NUL, COM0-9, LPT0-9, CONIN$,
 * CONOUT$, in any case, with or without extension: "nul.txt") get a '_'
 * prefix; names longer than SECIP_FILE_NAME_MAX bytes are cut on a
 * character boundary, keeping a short extension.  "%2e%2e" is not decoded.
 *
 * Ownership: out (cap >= SECIP_FILE_NAME_MAX + 1 bytes) receives the
 * NUL-terminated result.  Thread-safety: any thread.
 * Returns the length of the safe name.  Errors: SECIP_EFORMAT,
 * SECIP_EINVAL (NULL out, cap too small), SECIP_ENOMEM.
 */
SECIP_API int secip_file_safe_name(const void *name, size_t len, char *out,
                                   size_t cap);

/**
 * The safe base name of a FILE message ("report.pdf").
 * Ownership: owned by the message, valid until secip_message_free().
 * Errors: NULL (detail recorded) when m is NULL or not a FILE message.
 */
SECIP_API const char *secip_message_file_name(const secip_message *m);

/**
 * The extension of the safe name without its dot ("pdf"; "gz" for
 * "a.tar.gz"), or "" when the name has none.  Owned by the message.
 * Errors: NULL when m is NULL or not a FILE message.
 */
SECIP_API const char *secip_message_file_extension(const secip_message *m);

/**
 * The size of the file's content in bytes.
 * Errors: SECIP_EINVAL when m is NULL or not a FILE message.
 */
SECIP_API int64_t secip_message_file_size(const secip_message *m);

/**
 * Where the content of a disk-backed FILE message is (a path in the
 * download directory, or wherever secip_message_save() moved it), or NULL
 * when the content is in memory (or m is not a FILE message).
 * Owned by the message, valid until the next save or secip_message_free().
 */
SECIP_API const char *secip_message_file_path(const secip_message *m);

/** secip_message_save_ex() flags. */
#define SECIP_SAVE_OVERWRITE 0x01 /**< replace an existing file */
#define SECIP_SAVE_EXACT                                                       \
    0x02 /**< fail with SECIP_EEXIST rather than                               \
              pick "name (n).ext" */

/**
 * Save the content of a FILE message.
 *
 * If path_or_dir is an existing directory, the file is saved in it under
 * the message's safe name (or "name (n).ext" when that is taken).
 * Otherwise path_or_dir is the full path of the new file, chosen by the
 * caller; it must not exist yet.  Existing files are never overwritten.
 *
 * In-memory content is written to a temporary file in the target directory,
 * flushed to disk and renamed into place, so the final name never holds a
 * partial file.  Disk-backed content is moved (renamed; copied and then
 * removed when the target is on another volume), and the message then
 * refers to the new location.
 *
 * Errors: SECIP_EINVAL (NULL arguments, not a FILE message), SECIP_EEXIST
 * (the path exists), SECIP_ENOENT (the parent directory does not exist),
 * SECIP_EPERM, SECIP_EIO, SECIP_ENOMEM.  On failure no file remains under
 * the target name.
 */
SECIP_API int secip_message_save(secip_message *m, const char *path_or_dir);

/**
 * secip_message_save() with flags (SECIP_SAVE_*), reporting the path that
 * was used: when saved_path is not NULL, it receives the NUL-terminated path
 * (cut to cap bytes).  SECIP_SAVE_OVERWRITE replaces an existing file
 * atomically; SECIP_SAVE_EXACT, for a directory target, fails with
 * SECIP_EEXIST when the safe name is taken.
 */
SECIP_API int secip_message_save_ex(secip_message *m, const char *path_or_dir,
                                    unsigned flags, char *saved_path,
                                    size_t cap);

/* ---- sending files ------------------------------------------------------
 *
 * A file goes as a transfer (docs/PROTOCOL.md section 7): the receiver first
 * accepts it (or refuses it: too large, no download directory, busy), the
 * content follows in chunks that interleave with other messages, and the
 * receiver confirms the SHA-256 of the whole content before the send counts
 * as done.  Files are read in chunks, never whole, by the thread that runs
 * the transfer, never by a loop thread.  When a transfer to the same
 * receiver was interrupted (connection lost), sending the same file again
 * continues from the last offset the receiver had safely stored, once the
 * sender has proved it holds the same prefix.
 */

/**
 * Progress of a transfer: done of total content bytes have been handed to
 * the session (resumed bytes count as done from the start).  Called from
 * the thread running the transfer, at most about every 256 KiB and once at
 * the end.  Must not block for long; may call any session function.
 */
typedef void (*secip_file_progress_fn)(secip_session *s, uint32_t transfer,
                                       uint64_t done, uint64_t total,
                                       void *arg);

/**
 * End of a transfer: status 0 when the receiver confirmed the content's
 * SHA-256 (given in sha256), or the error that ended it (SECIP_EDENIED:
 * the receiver refused or cancelled it, with its reason in the detail of
 * secip_last_error() on this thread; SECIP_ECANCELED: cancelled here;
 * SECIP_ECLOSED / SECIP_ECONNRESET: the session ended; file errors).
 * sha256 is NULL on failure.  Called exactly once per started transfer,
 * from the thread running it.
 */
typedef void (*secip_file_done_fn)(secip_session *s, uint32_t transfer,
                                   int status, const uint8_t *sha256,
                                   void *arg);

/** Options of secip_session_send_file_ex(); zero-initialise. */
typedef struct secip_file_send_opts {
    /** Name announced to the peer (NULL: the last component of path; for
     *  data, required).  The receiver sanitises it anyway. */
    const char *name;
    secip_file_progress_fn on_progress; /**< may be NULL */
    secip_file_done_fn on_done;         /**< may be NULL */
    void *arg;                          /**< passed to both callbacks */
} secip_file_send_opts;

/**
 * Send the file at path and wait until the receiver confirmed its SHA-256.
 * The announced name is path's last component; the modification time goes
 * along.  Resumes an interrupted transfer of the same file to the same
 * receiver.
 *
 * Thread-safety: any thread but a loop thread (inside a callback use
 * secip_session_send_file_ex()); other sends on the session may run
 * meanwhile, and their messages are not held back by the file.
 * Errors: SECIP_EINVAL (NULL arguments, called on a loop thread),
 * file errors opening or reading path (SECIP_ENOENT, SECIP_EPERM,
 * SECIP_EIO), SECIP_EDENIED (the receiver refused or cancelled; its reason
 * is in the detail), SECIP_ECLOSED and the session's errors.
 */
SECIP_API int secip_session_send_file(secip_session *s, const char *path);

/**
 * Send data[0..len) as a file named name and wait for the receiver's
 * confirmation, like secip_session_send_file().  data is only read during
 * the call.  Not resumable (there is no file to come back to).
 */
SECIP_API int secip_session_send_file_data(secip_session *s, const char *name,
                                           const void *data, size_t len);

/**
 * Start sending a file without waiting: the file at path, or, when path is
 * NULL, data[0..len) under opts->name.  The transfer runs on a thread of
 * its own, which calls opts->on_progress and then opts->on_done exactly
 * once.  *transfer (may be NULL) receives the transfer's id for
 * secip_session_cancel_file().
 *
 * Ownership: path and opts are copied; data is borrowed and must stay
 * valid and unchanged until on_done has been called.  The thread holds a
 * reference on the session; when the session's owner ends it (for
 * example secip_client_free()), the transfer ends with the session's error
 * and the owner waits until its callbacks have returned.
 * Thread-safety: any thread, loop threads included.
 * Errors (nothing started, no callback): SECIP_EINVAL, SECIP_ECLOSED,
 * errors opening path, SECIP_ENOMEM, SECIP_EBUSY (32,768 transfers in
 * progress on the session).  Later failures go to on_done.
 */
SECIP_API int secip_session_send_file_ex(secip_session *s, const char *path,
                                         const void *data, size_t len,
                                         const secip_file_send_opts *opts,
                                         uint32_t *transfer);

/**
 * Cancel an outgoing transfer: the peer is told (FILE_CANCEL), its partial
 * data is discarded, and the transfer ends with SECIP_ECANCELED (a waiting
 * secip_session_send_file() returns it; on_done receives it).
 * Errors: SECIP_EINVAL (NULL session), SECIP_ENOENT (no such transfer in
 * progress, for example because it just finished).  Any thread.
 */
SECIP_API int secip_session_cancel_file(secip_session *s, uint32_t transfer);

#ifdef __cplusplus
}
#endif

#endif /* SECIP_FILE_H */
