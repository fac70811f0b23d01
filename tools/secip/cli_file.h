/*
 * tools/secip/cli_file.h -- helpers of the file-transfer commands: the
 * SHA-256 of a file on disk, read in chunks (cli_file.c), and sending a
 * file with a progress report (send_file.c).
 */
#ifndef SECIP_TOOLS_CLI_FILE_H
#define SECIP_TOOLS_CLI_FILE_H

#include <stdint.h>

#include "secip/session.h"

/**
 * SHA-256 of the whole file at path as 64 lowercase hex digits and a NUL;
 * *size (may be NULL) receives the number of bytes hashed.  The file is
 * read in 256 KiB chunks, so any size works in bounded memory.
 * Returns 0, or a negative SECIP_E* code with the detail in
 * secip_last_error().
 */
int cli_sha256_file(const char *path, char hex[65], uint64_t *size);

/** 32 raw digest bytes as 64 lowercase hex digits and a NUL. */
void cli_hex32(const uint8_t digest[32], char hex[65]);

/**
 * Send the file at path on s and wait until the transfer ended, reporting
 * progress on stderr (cli_progress: a bar when stderr is a terminal).  On
 * success prints "file ok: <name> <size> <sha256>" on stdout, the SHA-256
 * being the one the receiver confirmed.  Returns 0, or 1 after printing
 * "secip: <reason>" on stderr.
 */
int cli_send_file(secip_session *s, const char *path);

#endif /* SECIP_TOOLS_CLI_FILE_H */
