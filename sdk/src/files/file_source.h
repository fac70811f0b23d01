/*
 * sdk/src/files/file_source.h -- internal: the sending end of one file
 * transfer (docs/PROTOCOL.md section 7), independent of any session.
 *
 * A source reads a file (or borrowed memory) sequentially in caller-sized
 * chunks, hashing as it goes, so the SHA-256 for FILE_END is ready when the
 * last chunk has been read, and memory stays at the caller's one chunk
 * buffer whatever the file size.  For a resume it produces the SHA-256 of
 * the first N bytes (FILE_PREFIX) and continues from N.
 *
 * The size is fixed when the source is opened: a file that grows meanwhile
 * is sent as it was (the first `size` bytes); one that shrinks fails the
 * read with SECIP_EIO.
 *
 * Thread-safety: one thread at a time per source.
 */
#ifndef SP_FILES_SOURCE_H
#define SP_FILES_SOURCE_H

#include <stddef.h>
#include <stdint.h>

typedef struct sp_file_source sp_file_source;

/**
 * Open path for sending.  The name offered to the peer is the last
 * component of path (the receiver sanitises it anyway).
 * Ownership: *out belongs to the caller; sp_file_source_close() it.
 * Errors: those of spl_file_open (SECIP_ENOENT, SECIP_EPERM, ...),
 * SECIP_EINVAL (a directory or an empty name), SECIP_ENOMEM.
 */
int sp_file_source_open(const char *path, sp_file_source **out);

/**
 * A source over data[0..len), sent under name.  data is borrowed and must
 * stay valid and unchanged until the source is closed; name is copied.
 */
int sp_file_source_open_mem(const char *name, const void *data, size_t len,
                            sp_file_source **out);

/** Set the modification time announced in FILE_BEGIN (seconds since
 *  1970).  Without it the transfer has no mtime. */
void sp_file_source_set_mtime(sp_file_source *s, int64_t mtime);

/** Announce the modification time of the opened file (file sources only).
 *  Errors: SECIP_EINVAL (a memory source), those of spl_file_mtime. */
int sp_file_source_use_file_mtime(sp_file_source *s);

/** Name, size and mtime to announce (*has_mtime may be NULL). */
const char *sp_file_source_name(const sp_file_source *s);
uint64_t sp_file_source_size(const sp_file_source *s);
int64_t sp_file_source_mtime(const sp_file_source *s, int *has_mtime);

/** Offset of the next byte read will return. */
uint64_t sp_file_source_offset(const sp_file_source *s);

/**
 * Read the next chunk: up to len bytes at off, which must equal
 * sp_file_source_offset().  Returns the count (0 once size bytes were
 * read).  Errors: SECIP_EINVAL (off out of sequence), SECIP_EIO (the file
 * ended before its size: it shrank), read errors.
 */
ptrdiff_t sp_file_source_read(sp_file_source *s, uint64_t off, void *buf,
                              size_t len);

/**
 * SHA-256 of the first n bytes (n <= size) into out, and continue reading
 * at n.  Reads the prefix again with one internal chunk buffer.
 * Errors: SECIP_EINVAL (n > size), SECIP_EIO, SECIP_ENOMEM.
 */
int sp_file_source_prefix(sp_file_source *s, uint64_t n, uint8_t out[32]);

/** SHA-256 of the whole content, once every byte was read.
 *  Errors: SECIP_EINVAL when bytes remain. */
int sp_file_source_hash(const sp_file_source *s, uint8_t out[32]);

/** Close the file (memory sources only forget the pointer).  NULL is
 *  fine. */
void sp_file_source_close(sp_file_source *s);

#endif /* SP_FILES_SOURCE_H */
