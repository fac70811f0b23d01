/*
 * sdk/src/files/file_sink.h -- internal: the receiving end of one file
 * transfer (docs/PROTOCOL.md section 7), independent of any session.
 *
 * A sink turns FILE_BEGIN / FILE_PREFIX / FILE_CHUNK / FILE_END into a file
 * on disk, and never lets a byte reach the final name before the SHA-256 of
 * the whole content matched:
 *
 *   sp_file_sink_open()    FILE_BEGIN: sanitise the name, check the size
 *                          against the limit (nothing is created when it
 *                          is refused); a file up to cfg->memory_max is
 *                          received into memory (no files, no resume),
 *                          a larger one into the partial file
 *                          "<dir>/.secip-<id>.part" (owner-only, exclusive);
 *   sp_file_sink_offset()  the offset to put in FILE_ACCEPT, and whether a
 *                          prefix proof is needed (resume);
 *   sp_file_sink_prove()   FILE_PREFIX: check the sender's prefix hash
 *                          against the partial file (re-hashed from disk);
 *   sp_file_sink_write()   FILE_CHUNK: sequential data, hashed as it is
 *                          written; data past the announced size is refused
 *                          before it is written;
 *   sp_file_sink_finish()  FILE_END: constant-time hash comparison, fsync,
 *                          rename into place (file_place.h), directory sync;
 *   sp_file_sink_close()   releases the sink; an unfinished transfer either
 *                          keeps its partial file and state for a resume
 *                          (connection lost) or removes them (cancelled).
 *
 * Memory: a sink holds a fixed few hundred bytes; re-hashing a partial file
 * on resume uses one SP_FILE_IO_CHUNK buffer for the duration of the call.
 *
 * Resume state: "<dir>/.secip-<id>.state", a 120-byte record written with
 * sp_file_write_atomic() (magic "SECIPST1", size, mtime, flags, the 32-byte
 * identity, the verified offset N, the SHA-256 of the first N bytes, and a
 * 16-byte checksum).  <id> is 32 hex digits of the identity
 * SHA-256("secip-file-id/1" || peer tag || u64 size || i64 mtime ||
 * u8 has_mtime || safe name): the same file from the same peer finds its
 * partial again, anything else does not.  The state is refreshed every
 * checkpoint_bytes of data (after an fsync of the partial; 4 MiB by
 * default, so that one sync stalls the loop thread briefly) and when the
 * sink is closed with keep_partial, so a resume offset never covers bytes
 * that were not on stable storage.
 *
 * Concurrency: a sink is used by one thread at a time.  Sinks of the same
 * identity in one process exclude each other (the second one gets a private,
 * non-resumable partial file).  Two processes receiving the same identity
 * into the same directory at once are not supported; the final hash check
 * still keeps a damaged file from reaching its final name.
 */
#ifndef SP_FILES_SINK_H
#define SP_FILES_SINK_H

#include <stddef.h>
#include <stdint.h>

/** Size of the reads and writes the file code does at once (and the chunk
 *  size senders are advised to use). */
#define SP_FILE_IO_CHUNK (64u * 1024u)

/** Default interval between resume checkpoints. */
#define SP_FILE_CHECKPOINT_DEFAULT (4ull * 1024u * 1024u)

typedef struct sp_sink_config {
    const char *dir;           /* target directory; must exist unless
                                  every accepted file fits in memory */
    uint64_t memory_max;       /* files up to this size stay in memory;
                                  0 = every file goes to disk */
    uint64_t max_size;         /* largest accepted file; 0 = no limit */
    int place_flags;           /* SP_PLACE_UNIQUE / SP_PLACE_OVERWRITE */
    int resume;                /* keep and reuse partial files */
    const uint8_t *peer_tag;   /* 32 bytes naming the peer, or NULL */
    uint64_t checkpoint_bytes; /* 0 = SP_FILE_CHECKPOINT_DEFAULT */
} sp_sink_config;

typedef struct sp_file_sink sp_file_sink;

/**
 * Start receiving a file announced as name[0..name_len) (raw, from the
 * peer), size bytes, modification time mtime (seconds since 1970, only
 * meaningful when has_mtime).
 * Ownership: *out belongs to the caller: release it with
 * sp_file_sink_close().  cfg is copied (cfg->dir too).
 * Errors: SECIP_EFORMAT (name refused), SECIP_ETOOBIG (size above
 * cfg->max_size; nothing was created), SECIP_ENOENT (no such directory),
 * SECIP_EINVAL, SECIP_ENOMEM, file errors.
 */
int sp_file_sink_open(const sp_sink_config *cfg, const void *name,
                      size_t name_len, uint64_t size, int64_t mtime,
                      int has_mtime, sp_file_sink **out);

/**
 * The offset to send in FILE_ACCEPT.  *prove is set to 1 when the offset
 * is a resume offset that the sender must prove with FILE_PREFIX first.
 */
uint64_t sp_file_sink_offset(const sp_file_sink *s, int *prove);

/**
 * Check FILE_PREFIX: the sender's SHA-256 of its first off bytes.
 * Returns 1 when the partial file holds exactly those bytes (data then
 * continues at off), 0 when it does not (the partial is emptied and data
 * must start at 0: answer with FILE_ACCEPT offset 0).
 * Errors: SECIP_EPROTO (no proof expected, or off is not the offered
 * offset), file errors.
 */
int sp_file_sink_prove(sp_file_sink *s, uint64_t off, const uint8_t hash[32]);

/**
 * Give up a resume offer (the sender did not set RESUMABLE): the partial
 * file is emptied and data starts at 0.  Errors: SECIP_EPROTO when no
 * offer is pending, file errors.
 */
int sp_file_sink_decline(sp_file_sink *s);

/**
 * Write FILE_CHUNK data at off, which must be the number of bytes received
 * so far.  Errors (final: the sink is failed, and its partial file is
 * removed when it is closed, whatever keep_partial says):
 * SECIP_EPROTO (wrong offset, a proof is pending, already finished),
 * SECIP_ETOOBIG (the data would pass the announced size; nothing of it is
 * written), file errors.
 */
int sp_file_sink_write(sp_file_sink *s, uint64_t off, const void *data,
                       size_t len);

/**
 * FILE_END: compare hash with the SHA-256 of the content (constant time),
 * sync and move the file into place.
 * Errors (final; no file under the final name; the partial file is
 * removed when the sink is closed):
 * SECIP_EPROTO (fewer bytes than announced: a short transfer),
 * SECIP_EVERIFY (hash mismatch), SECIP_EEXIST (the name is taken and the
 * policy forbids alternatives), file errors.
 */
int sp_file_sink_finish(sp_file_sink *s, const uint8_t hash[32]);

/** The safe name (NUL-terminated; owned by the sink). */
const char *sp_file_sink_name(const sp_file_sink *s);

/** After a successful finish: the final path (owned by the sink). */
const char *sp_file_sink_path(const sp_file_sink *s);

/** The SHA-256 of the content after a successful finish (32 bytes). */
const uint8_t *sp_file_sink_hash(const sp_file_sink *s);

/** Bytes received so far (including a proven prefix). */
uint64_t sp_file_sink_received(const sp_file_sink *s);

/** Announced size. */
uint64_t sp_file_sink_size(const sp_file_sink *s);

/**
 * After a successful finish: the FILE message to deliver (content in memory
 * for files up to cfg->memory_max, else the final path on disk).  The
 * caller owns it.  Returns NULL with SECIP_ENOMEM or SECIP_EINVAL (not
 * finished, or already taken: memory content is handed over only once).
 */
struct secip_message *sp_file_sink_message(sp_file_sink *s);

/** 1 when the sink keeps the content in memory (no files at all). */
int sp_file_sink_in_memory(const sp_file_sink *s);

/**
 * Release the sink.  After a successful finish nothing happens to the
 * files.  Otherwise, with keep_partial and resume enabled, the partial file
 * is synced and its state written so that the same transfer can resume;
 * without, the partial file and its state are removed.  NULL is fine.
 */
void sp_file_sink_close(sp_file_sink *s, int keep_partial);

#endif /* SP_FILES_SINK_H */
