/*
 * tests/files/files_util.h -- helpers of the file-transfer tests: scratch
 * directories, reading files back, and a whole source -> sink transfer the
 * way a session performs it (BEGIN, ACCEPT, [PREFIX], CHUNKs, END).
 */
#ifndef FILES_UTIL_H
#define FILES_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "files/file_sink.h"
#include "files/file_source.h"
#include "platform.h"
#include "testutil.h"

/** Create a fresh directory "<base>/<prefix>-<hex>" (base "." for the
 *  working directory) into out. */
void fu_scratch(const char *base, const char *prefix, char *out, size_t len);

/** out = dir + "/" + name. */
void fu_join(char *out, size_t len, const char *dir, const char *name);

/** 1 if path can be opened for reading. */
int fu_exists(const char *path);

/** Size of the file at path, -1 if it cannot be opened. */
int64_t fu_size(const char *path);

/** Check that the file at path holds exactly data[0..len). */
void fu_check_content(const char *path, const void *data, size_t len);

/** Check that the file at path holds bytes [0, size) of pattern seed. */
void fu_check_pattern(const char *path, uint64_t seed, uint64_t size);

/** Write bytes [0, size) of pattern seed to a new file at path. */
void fu_write_pattern(const char *path, uint64_t seed, uint64_t size);

/**
 * Drive a transfer from src into a new sink on cfg, chunk bytes at a time.
 * Stops after `stop_at` content bytes when stop_at < size (the connection
 * "drops": the sink is closed with keep_partial = 1) and returns 1.
 * Otherwise ends with FILE_END and returns the finish result (0 or a
 * negative code); *final receives a copy of the final path (cap bytes).
 * *sent (if not NULL) counts the content bytes that went "on the wire".
 */
int fu_transfer(const sp_sink_config *cfg, sp_file_source *src, size_t chunk,
                uint64_t stop_at, char *final, size_t cap, uint64_t *sent);

#endif
