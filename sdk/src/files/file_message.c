/*
 * sdk/src/files/file_message.c -- FILE messages: constructors, accessors
 * and secip_message_save().
 */
#include "files/file_message.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "files/file_place.h"
#include "files/file_sink.h"
#include "files/file_state.h"
#include "files/safename.h"
#include "platform.h"
#include "secip/file.h"
#include "session/message_impl.h"

secip_message *sp_message_new_file_mem(const char *safe_name, const void *data,
                                       size_t len)
{
    secip_message *m = sp_message_new(SECIP_FILE, len);

    if (m == NULL)
        return NULL;
    m->file_name = sp_strdup(safe_name);
    if (m->file_name == NULL) {
        secip_message_free(m);
        return NULL;
    }
    sp_message_append(m, data, len);
    m->file_size = len;
    return m;
}

secip_message *sp_message_new_file_disk(const char *safe_name, const char *path,
                                        uint64_t size)
{
    secip_message *m = sp_message_new(SECIP_FILE, 0);

    if (m == NULL)
        return NULL;
    m->file_name = sp_strdup(safe_name);
    m->file_path = m->file_name ? sp_strdup(path) : NULL;
    if (m->file_path == NULL) {
        secip_message_free(m);
        return NULL;
    }
    m->file_size = size;
    return m;
}

int secip_file_safe_name(const void *name, size_t len, char *out, size_t cap)
{
    return sp_safename(name, len, out, cap);
}

static int not_file(const secip_message *m, const char *fn)
{
    return sp_error_set(SECIP_EINVAL, "%s: %s", fn,
                        m == NULL ? "NULL message" : "not a FILE message");
}

const char *secip_message_file_name(const secip_message *m)
{
    if (m == NULL || m->type != SECIP_FILE || m->file_name == NULL) {
        not_file(m, "secip_message_file_name");
        return NULL;
    }
    return m->file_name;
}

const char *secip_message_file_extension(const secip_message *m)
{
    const char *dot;

    if (m == NULL || m->type != SECIP_FILE || m->file_name == NULL) {
        not_file(m, "secip_message_file_extension");
        return NULL;
    }
    /* A safe name never starts with '.', so a dot is never the first. */
    dot = strrchr(m->file_name, '.');
    return dot != NULL ? dot + 1 : "";
}

int64_t secip_message_file_size(const secip_message *m)
{
    if (m == NULL || m->type != SECIP_FILE)
        return not_file(m, "secip_message_file_size");
    return (int64_t)m->file_size;
}

const char *secip_message_file_path(const secip_message *m)
{
    if (m == NULL || m->type != SECIP_FILE)
        return NULL;
    return m->file_path;
}

/* ---- saving -------------------------------------------------------------- */

/* Write data (or copy the file at src) into a new temporary file in dir,
 * synced; *tmp_out receives its path. */
static int fill_temp(const char *dir, const void *data, uint64_t len,
                     const char *src, char **tmp_out)
{
    spl_file *f = NULL, *in = NULL;
    uint8_t *buf = NULL;
    uint64_t off = 0;
    ptrdiff_t n = 0;
    int rc;

    rc = sp_file_temp(dir, "save", &f, tmp_out);
    if (rc < 0)
        return rc;
    if (src == NULL) {
        n = spl_file_pwrite(f, data, (size_t)len, 0);
    } else if ((rc = spl_file_open(src, SPL_FILE_READ, &in)) == 0) {
        buf = malloc(SP_FILE_IO_CHUNK);
        if (buf == NULL)
            n = sp_error_set(SECIP_ENOMEM, "save: out of memory");
        while (buf != NULL && off < len) {
            n = spl_file_pread(in, buf, SP_FILE_IO_CHUNK, off);
            if (n == 0)
                n = sp_error_set(SECIP_EIO, "%s is shorter than expected", src);
            if (n < 0)
                break;
            n = spl_file_pwrite(f, buf, (size_t)n, off);
            if (n < 0)
                break;
            off += (uint64_t)n;
        }
        free(buf);
        spl_file_close(in);
    }
    if (rc == 0 && n < 0)
        rc = (int)n;
    if (rc == 0)
        rc = spl_file_sync(f);
    spl_file_close(f);
    if (rc < 0) {
        sp_file_remove_quiet(*tmp_out);
        free(*tmp_out);
        *tmp_out = NULL;
    }
    return rc;
}

/* Put the message's content at dir/name under place flags pf. */
static int save_to(secip_message *m, const char *dir, const char *name, int pf,
                   char **final)
{
    char *tmp = NULL;
    int rc;

    if (m->file_path != NULL) {
        rc = sp_file_place(m->file_path, dir, name, pf, final);
        if (rc != SECIP_EIO)
            return rc; /* done, or a failure a copy would not fix */
        /* Another volume (EXDEV): copy, then drop the original. */
        rc = fill_temp(dir, NULL, m->file_size, m->file_path, &tmp);
    } else {
        rc = fill_temp(dir, m->data, m->len, NULL, &tmp);
    }
    if (rc == 0) {
        rc = sp_file_place(tmp, dir, name, pf, final);
        if (rc < 0)
            sp_file_remove_quiet(tmp);
        else if (m->file_path != NULL)
            sp_file_remove_quiet(m->file_path);
    }
    free(tmp);
    return rc;
}

int secip_message_save_ex(secip_message *m, const char *path_or_dir,
                          unsigned flags, char *saved_path, size_t cap)
{
    char *dir = NULL, *final = NULL;
    const char *name;
    int pf, rc;

    if (m == NULL || m->type != SECIP_FILE || m->file_name == NULL)
        return not_file(m, "secip_message_save");
    if (path_or_dir == NULL || path_or_dir[0] == 0)
        return sp_error_set(SECIP_EINVAL, "secip_message_save: no path");
    pf = (flags & SECIP_SAVE_OVERWRITE) ? SP_PLACE_OVERWRITE : 0;
    if (spl_dir_exists(path_or_dir)) {
        dir = sp_strdup(path_or_dir);
        name = m->file_name;
        if (!(flags & SECIP_SAVE_EXACT))
            pf |= SP_PLACE_UNIQUE;
    } else {
        dir = sp_path_dir(path_or_dir);
        name = sp_path_base(path_or_dir);
        if (dir != NULL && !spl_dir_exists(dir)) {
            rc = sp_error_set(SECIP_ENOENT, "directory %s does not exist", dir);
            free(dir);
            return rc;
        }
    }
    if (dir == NULL)
        return SECIP_ENOMEM;
    if (name[0] == 0 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
        free(dir);
        return sp_error_set(SECIP_EINVAL, "save: '%s' names no file",
                            path_or_dir);
    }
    rc = save_to(m, dir, name, pf, &final);
    free(dir);
    if (rc < 0)
        return rc;
    if (saved_path != NULL && cap > 0)
        snprintf(saved_path, cap, "%s", final);
    if (m->file_path != NULL) {
        free(m->file_path);
        m->file_path = final;
    } else {
        free(final);
    }
    return 0;
}

int secip_message_save(secip_message *m, const char *path_or_dir)
{
    return secip_message_save_ex(m, path_or_dir, 0, NULL, 0);
}
