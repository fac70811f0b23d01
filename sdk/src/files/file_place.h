/*
 * sdk/src/files/file_place.h -- internal: moving a finished temporary file
 * to its final name without ever replacing somebody else's file.
 *
 * Policy (documented for users in secip/file.h):
 *  - by default an existing file is never replaced: the final name is
 *    reserved by creating it exclusively (O_EXCL / CREATE_NEW), and the
 *    temporary file is then renamed over that reservation, so a file that
 *    appears concurrently is never clobbered;
 *  - when the name is taken, "stem (1).ext" ... "stem (999).ext" are tried
 *    in turn (SP_PLACE_UNIQUE), or the move fails with SECIP_EEXIST;
 *  - SP_PLACE_OVERWRITE replaces an existing file atomically;
 *  - the directory is synced afterwards so the new name survives a crash.
 */
#ifndef SP_FILES_PLACE_H
#define SP_FILES_PLACE_H

#include "platform.h"

#define SP_PLACE_UNIQUE    0x01 /* pick "name (n).ext" when name is taken */
#define SP_PLACE_OVERWRITE 0x02 /* replace an existing file */

/** Alternatives tried with SP_PLACE_UNIQUE before giving up. */
#define SP_PLACE_TRIES 999u

/**
 * Rename tmp_path to dir/name (name is a single safe component).  On
 * success *final_out (if not NULL) receives the path used (free() it).
 * On failure tmp_path is left where it was, and no reservation remains.
 * Errors: SECIP_EEXIST (taken and not UNIQUE, or every alternative taken),
 * those of spl_file_open / spl_file_rename, SECIP_ENOMEM.
 */
int sp_file_place(const char *tmp_path, const char *dir, const char *name,
                  int flags, char **final_out);

/**
 * Create a fresh temporary file in dir, named ".secip-<tag>-<random>.tmp",
 * exclusive and owner-only, open for reading and writing.
 * *path_out receives its path (free() it).
 */
int sp_file_temp(const char *dir, const char *tag, spl_file **f_out,
                 char **path_out);

#endif /* SP_FILES_PLACE_H */
