/*
 * sdk/src/crypto/fileio.h -- internal: whole-file reads and atomic writes
 * on the platform layer's file API (keys and certificates are small).
 */
#ifndef SP_CRYPTO_FILEIO_H
#define SP_CRYPTO_FILEIO_H

#include <stddef.h>

/**
 * Read all of path into a new buffer (NUL-terminated for convenience; the
 * NUL is not counted in *len).  Files larger than max are refused with
 * SECIP_ETOOBIG.  Ownership: the caller wipes and frees *buf.
 * Errors: those of spl_file_open/pread, SECIP_ETOOBIG, SECIP_ENOMEM.
 */
int sp_file_read_all(const char *path, size_t max, char **buf, size_t *len);

/**
 * Replace path with data: written to a fresh temporary file beside it
 * (created exclusively, owner-only when owner_only), flushed, then renamed
 * over path, so readers see the old or the new contents, never a mix, and
 * a secret is never readable by others even for a moment.
 */
int sp_file_write_atomic(const char *path, const void *data, size_t len,
                         int owner_only);

#endif /* SP_CRYPTO_FILEIO_H */
