/*
 * sdk/src/files/file_state.h -- internal: the resume record of a partial
 * file, the identity that names it, and a process-wide registry of the
 * identities currently being received.
 */
#ifndef SP_FILES_STATE_H
#define SP_FILES_STATE_H

#include <stddef.h>
#include <stdint.h>

/** Bytes of a state record on disk. */
#define SP_FILE_STATE_LEN 120u

typedef struct sp_file_state {
    uint64_t size;
    int64_t mtime;
    int has_mtime;
    uint8_t id[32];     /* identity, see file_sink.h */
    uint64_t verified;  /* bytes on stable storage and hashed */
    uint8_t prefix[32]; /* SHA-256 of the first `verified` bytes */
} sp_file_state;

/** Fill st for a new transfer and compute its identity.  peer_tag may be
 *  NULL (32 zero bytes are used). */
void sp_file_state_init(sp_file_state *st, const char *safe_name, uint64_t size,
                        int64_t mtime, int has_mtime, const uint8_t *peer_tag);

/** 1 when a and b describe the same file (identity, size, mtime). */
int sp_file_state_same(const sp_file_state *a, const sp_file_state *b);

/** Write st to path atomically (owner-only). */
int sp_file_state_save(const char *path, const sp_file_state *st);

/**
 * Read a state record.  Errors: SECIP_ENOENT, SECIP_EFORMAT (wrong length,
 * magic or checksum: a torn or foreign file).  Records no detail: a missing
 * or bad record only means "no resume".
 */
int sp_file_state_load(const char *path, sp_file_state *st);

/** Register id as being received: 1 if it was free (now taken), 0 if
 *  another sink of this process holds it or the registry is full. */
int sp_file_state_claim(const uint8_t id[32]);

/** Release an identity taken with sp_file_state_claim(). */
void sp_file_state_release(const uint8_t id[32]);

/** Remove a file if it exists, leaving the thread's error detail as it
 *  was (used on cleanup paths after the real error was recorded).  NULL
 *  is fine. */
void sp_file_remove_quiet(const char *path);

/** strdup (not in C11), with SECIP_ENOMEM recorded on failure. */
char *sp_strdup(const char *s);

#endif /* SP_FILES_STATE_H */
