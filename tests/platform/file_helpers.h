/*
 * tests/platform/file_helpers.h -- scratch directories for the file tests.
 *
 * The contract has no way to remove a directory, so each run makes one new
 * directory named <prefix>-<random hex> in the current directory (CTest's
 * working directory is the build tree) and the tests remove every file they
 * create; the empty directory stays behind.
 */
#ifndef FILE_HELPERS_H
#define FILE_HELPERS_H

#include <stddef.h>

#include "platform.h"
#include "testutil.h"

/** Create a fresh directory "<prefix>-<16 hex digits>" into out. */
void fh_scratch_dir(const char *prefix, char *out, size_t len);

/** out = dir + "/" + name. */
void fh_join(char *out, size_t len, const char *dir, const char *name);

/** Write the whole string at offset 0 of a new/truncated file. */
void fh_write_file(const char *path, const char *text);

/** Check that the file holds exactly text. */
void fh_check_file(const char *path, const char *text);

#endif
