/*
 * sdk/src/crypto/fileio.c -- see fileio.h.
 */
#include "crypto/fileio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/rng.h"
#include "crypto/util.h"
#include "error.h"
#include "platform.h"

int sp_file_read_all(const char *path, size_t max, char **buf, size_t *len)
{
    spl_file *f = NULL;
    *buf = NULL;
    *len = 0;
    int rc = spl_file_open(path, SPL_FILE_READ, &f);
    if (rc < 0)
        return sp_error_wrap(rc, "cannot open %s", path);
    int64_t size = spl_file_size(f);
    if (size < 0) {
        spl_file_close(f);
        return (int)size;
    }
    if ((uint64_t)size > max) {
        spl_file_close(f);
        return sp_error_set(SECIP_ETOOBIG,
                            "%s is too large (more than %lu bytes)", path,
                            (unsigned long)max);
    }
    char *b = malloc((size_t)size + 1);
    if (b == NULL) {
        spl_file_close(f);
        return sp_error_set(SECIP_ENOMEM, "out of memory reading %s", path);
    }
    size_t got = 0;
    while (got < (size_t)size) {
        ptrdiff_t n = spl_file_pread(f, b + got, (size_t)size - got, got);
        if (n < 0) {
            rc = sp_error_wrap((int)n, "cannot read %s", path);
            sp_wipe(b, (size_t)size);
            free(b);
            spl_file_close(f);
            return rc;
        }
        if (n == 0)
            break; /* the file shrank meanwhile: take what is there */
        got += (size_t)n;
    }
    spl_file_close(f);
    b[got] = '\0';
    *buf = b;
    *len = got;
    return 0;
}

int sp_file_write_atomic(const char *path, const void *data, size_t len,
                         int owner_only)
{
    unsigned char rnd[8];
    char suffix[17];
    size_t plen = strlen(path);
    int rc = sp_random(rnd, sizeof rnd);
    if (rc < 0)
        return rc;
    sp_hex_encode(rnd, sizeof rnd, suffix);
    char *tmp = malloc(plen + 32);
    if (tmp == NULL)
        return sp_error_set(SECIP_ENOMEM, "out of memory writing %s", path);
    snprintf(tmp, plen + 32, "%s.%s.tmp", path, suffix);

    spl_file *f = NULL;
    int flags = SPL_FILE_WRITE | SPL_FILE_CREATE | SPL_FILE_EXCL |
                (owner_only ? SPL_FILE_OWNER_ONLY : 0);
    rc = spl_file_open(tmp, flags, &f);
    if (rc < 0) {
        rc = sp_error_wrap(rc, "cannot create %s", tmp);
        free(tmp);
        return rc;
    }
    ptrdiff_t n = spl_file_pwrite(f, data, len, 0);
    rc = n < 0 ? (int)n : spl_file_sync(f);
    spl_file_close(f);
    if (rc >= 0)
        rc = spl_file_rename(tmp, path);
    if (rc < 0) {
        rc = sp_error_wrap(rc, "cannot write %s", path);
        (void)spl_file_remove(tmp);
    }
    free(tmp);
    return rc < 0 ? rc : 0;
}
