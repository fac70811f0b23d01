/*
 * sdk/src/files/file_place.c -- see file_place.h.
 */
#include "files/file_place.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/rng.h"
#include "crypto/util.h"
#include "error.h"
#include "files/safename.h"
#include "platform.h"

/* Reserve path by creating it exclusively; 0, SECIP_EEXIST or an error. */
static int reserve(const char *path)
{
    spl_file *f = NULL;
    int rc = spl_file_open(path,
                           SPL_FILE_WRITE | SPL_FILE_CREATE | SPL_FILE_EXCL |
                               SPL_FILE_OWNER_ONLY,
                           &f);

    spl_file_close(f);
    return rc;
}

/* Move tmp over the reserved (or, with overwrite, existing) path. */
static int move_to(const char *tmp_path, const char *path, int reserved)
{
    int rc = spl_file_rename(tmp_path, path);

    if (rc < 0 && reserved)
        spl_file_remove(path);
    return rc;
}

int sp_file_place(const char *tmp_path, const char *dir, const char *name,
                  int flags, char **final_out)
{
    char alt[SP_SAFENAME_MAX + 32];
    unsigned n, tries = (flags & SP_PLACE_UNIQUE) ? SP_PLACE_TRIES : 0;
    char *path = NULL;
    int rc = SECIP_EEXIST;

    if (final_out != NULL)
        *final_out = NULL;
    for (n = 0; n <= tries; n++) {
        if (sp_safename_alt(name, n, alt, sizeof alt) < 0)
            return sp_error_set(SECIP_EINVAL, "file name too long: %s", name);
        path = sp_path_join(dir, alt);
        if (path == NULL)
            return SECIP_ENOMEM;
        if (flags & SP_PLACE_OVERWRITE) {
            rc = move_to(tmp_path, path, 0);
            break;
        }
        rc = reserve(path);
        if (rc == 0) {
            rc = move_to(tmp_path, path, 1);
            break;
        }
        free(path);
        path = NULL;
        if (rc != SECIP_EEXIST)
            return rc;
    }
    if (path == NULL)
        return sp_error_set(SECIP_EEXIST,
                            "%s/%s already exists%s; not overwritten", dir,
                            name, tries ? " (and so do its alternatives)" : "");
    if (rc < 0) {
        free(path);
        return rc;
    }
    /* The data was synced before; this makes the new name durable. */
    rc = spl_dir_sync(dir);
    if (rc < 0) {
        free(path);
        return rc;
    }
    if (final_out != NULL)
        *final_out = path;
    else
        free(path);
    return 0;
}

int sp_file_temp(const char *dir, const char *tag, spl_file **f_out,
                 char **path_out)
{
    unsigned char rnd[8];
    char name[96], hex[17];
    char *path;
    int rc;

    *f_out = NULL;
    *path_out = NULL;
    rc = sp_random(rnd, sizeof rnd);
    if (rc < 0)
        return rc;
    sp_hex_encode(rnd, sizeof rnd, hex);
    snprintf(name, sizeof name, ".secip-%.40s-%s.tmp", tag, hex);
    path = sp_path_join(dir, name);
    if (path == NULL)
        return SECIP_ENOMEM;
    rc = spl_file_open(path,
                       SPL_FILE_READ | SPL_FILE_WRITE | SPL_FILE_CREATE |
                           SPL_FILE_EXCL | SPL_FILE_OWNER_ONLY,
                       f_out);
    if (rc < 0) {
        free(path);
        return rc;
    }
    *path_out = path;
    return 0;
}
