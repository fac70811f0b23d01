/*
 * tests/files/fs_util.h -- fixtures of the file-over-session tests: a
 * callback server on 127.0.0.1 (port 0) with given session options that
 * collects the messages it receives, and a client connected to it.
 */
#ifndef FS_UTIL_H
#define FS_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "secip/secip.h"

typedef struct fs_server fs_server;

/** The RSA key every server of the program uses (generated once). */
secip_key *fs_key(void);

/** Start a callback server with options o (NULL: defaults). */
fs_server *fs_start(const secip_session_options *o);
uint16_t fs_port(const fs_server *f);

/** The next message the server received, waiting at most timeout_ms;
 *  NULL when none came.  The caller frees it. */
secip_message *fs_next(fs_server *f, int timeout_ms);

/** Number of server sessions that ended so far, and the last status. */
int fs_closes(fs_server *f, int *last_status);

/** Wait until at least n server sessions ended (10 s at most). */
void fs_wait_closes(fs_server *f, int n);

/** The server's most recently opened session (NULL before any). */
secip_session *fs_last_session(fs_server *f);

void fs_stop(fs_server *f);

/** Connect a new client (client options o may be NULL) to f. */
secip_session *fs_connect(fs_server *f, const secip_session_options *o,
                          secip_client **c);

/** Fill buf with a byte pattern depending on seed and position. */
void fs_pattern(void *buf, size_t len, uint64_t seed, uint64_t pos);

/** SHA-256 of the file at path (-1 rc on error via CHECK). */
void fs_file_sha256(const char *path, uint8_t out[32]);

#endif
