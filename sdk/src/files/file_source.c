/*
 * sdk/src/files/file_source.c -- see file_source.h.
 */
#include "files/file_source.h"

#include <bearssl.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/sha256.h"
#include "error.h"
#include "files/file_sink.h"
#include "files/file_state.h"
#include "files/safename.h"
#include "platform.h"

struct sp_file_source {
    spl_file *f;        /* NULL for memory sources */
    const uint8_t *mem; /* memory sources */
    char *name;
    uint64_t size;
    uint64_t next;
    int64_t mtime;
    int has_mtime;
    sp_sha256_ctx sha;
};

static int source_new(const char *name, sp_file_source **out)
{
    sp_file_source *s;

    if (name == NULL || name[0] == 0)
        return sp_error_set(SECIP_EINVAL, "file source: empty file name");
    s = calloc(1, sizeof *s);
    if (s == NULL)
        return sp_error_set(SECIP_ENOMEM, "file source: out of memory");
    s->name = sp_strdup(name);
    if (s->name == NULL) {
        free(s);
        return SECIP_ENOMEM;
    }
    sp_sha256_init(&s->sha);
    *out = s;
    return 0;
}

int sp_file_source_open(const char *path, sp_file_source **out)
{
    sp_file_source *s = NULL;
    int64_t size;
    int rc;

    if (path == NULL || out == NULL)
        return sp_error_set(SECIP_EINVAL, "file source: NULL argument");
    *out = NULL;
    if (spl_dir_exists(path))
        return sp_error_set(SECIP_EINVAL, "%s is a directory", path);
    rc = source_new(sp_path_base(path), &s);
    if (rc < 0)
        return rc;
    rc = spl_file_open(path, SPL_FILE_READ, &s->f);
    if (rc < 0) {
        sp_file_source_close(s);
        return rc;
    }
    size = spl_file_size(s->f);
    if (size < 0) {
        sp_file_source_close(s);
        return (int)size;
    }
    s->size = (uint64_t)size;
    *out = s;
    return 0;
}

int sp_file_source_use_file_mtime(sp_file_source *s)
{
    int64_t mtime;
    int rc;
    if (s == NULL || s->f == NULL)
        return sp_error_set(SECIP_EINVAL, "file source: not a file");
    rc = spl_file_mtime(s->f, &mtime);
    if (rc == 0)
        sp_file_source_set_mtime(s, mtime);
    return rc;
}

int sp_file_source_open_mem(const char *name, const void *data, size_t len,
                            sp_file_source **out)
{
    sp_file_source *s = NULL;
    int rc;

    if (out == NULL || (data == NULL && len > 0))
        return sp_error_set(SECIP_EINVAL, "file source: NULL argument");
    *out = NULL;
    rc = source_new(name, &s);
    if (rc < 0)
        return rc;
    s->mem = data;
    s->size = len;
    *out = s;
    return 0;
}

void sp_file_source_set_mtime(sp_file_source *s, int64_t mtime)
{
    s->mtime = mtime;
    s->has_mtime = 1;
}

const char *sp_file_source_name(const sp_file_source *s)
{
    return s->name;
}

uint64_t sp_file_source_size(const sp_file_source *s)
{
    return s->size;
}

int64_t sp_file_source_mtime(const sp_file_source *s, int *has_mtime)
{
    if (has_mtime != NULL)
        *has_mtime = s->has_mtime;
    return s->mtime;
}

uint64_t sp_file_source_offset(const sp_file_source *s)
{
    return s->next;
}

/* Read exactly len bytes at off (len <= size - off), without hashing. */
static int read_exact(sp_file_source *s, uint64_t off, uint8_t *buf, size_t len)
{
    size_t got = 0;
    ptrdiff_t n;

    if (s->mem != NULL || s->f == NULL) {
        if (len > 0)
            memcpy(buf, s->mem + off, len);
        return 0;
    }
    while (got < len) {
        n = spl_file_pread(s->f, buf + got, len - got, off + got);
        if (n < 0)
            return (int)n;
        if (n == 0)
            return sp_error_set(SECIP_EIO,
                                "%s ended at %llu bytes; it had %llu when the "
                                "transfer started",
                                s->name, (unsigned long long)(off + got),
                                (unsigned long long)s->size);
        got += (size_t)n;
    }
    return 0;
}

ptrdiff_t sp_file_source_read(sp_file_source *s, uint64_t off, void *buf,
                              size_t len)
{
    int rc;

    if (s == NULL || (buf == NULL && len > 0))
        return sp_error_set(SECIP_EINVAL, "file source: bad argument");
    if (off != s->next)
        return sp_error_set(
            SECIP_EINVAL, "file source %s: read at %llu, expected %llu",
            s->name, (unsigned long long)off, (unsigned long long)s->next);
    if (len > s->size - s->next)
        len = (size_t)(s->size - s->next);
    if (len > (size_t)PTRDIFF_MAX)
        len = (size_t)PTRDIFF_MAX;
    rc = read_exact(s, off, buf, len);
    if (rc < 0)
        return rc;
    sp_sha256_update(&s->sha, buf, len);
    s->next += len;
    return (ptrdiff_t)len;
}

int sp_file_source_prefix(sp_file_source *s, uint64_t n, uint8_t out[32])
{
    uint8_t *buf;
    uint64_t off = 0;
    int rc = 0;

    if (s == NULL || out == NULL || n > s->size)
        return sp_error_set(SECIP_EINVAL,
                            "file source: prefix beyond the file size");
    sp_sha256_init(&s->sha);
    s->next = 0;
    if (s->mem != NULL) {
        sp_sha256_update(&s->sha, s->mem, (size_t)n);
    } else {
        buf = malloc(SP_FILE_IO_CHUNK);
        if (buf == NULL)
            return sp_error_set(SECIP_ENOMEM, "file source: out of memory");
        while (off < n && rc == 0) {
            size_t want = n - off < SP_FILE_IO_CHUNK ? (size_t)(n - off)
                                                     : SP_FILE_IO_CHUNK;
            rc = read_exact(s, off, buf, want);
            if (rc == 0)
                sp_sha256_update(&s->sha, buf, want);
            off += want;
        }
        free(buf);
        if (rc < 0)
            return rc;
    }
    s->next = n;
    sp_sha256_out(&s->sha, out);
    return 0;
}

int sp_file_source_hash(const sp_file_source *s, uint8_t out[32])
{
    if (s == NULL || out == NULL || s->next != s->size)
        return sp_error_set(SECIP_EINVAL,
                            "file source: the content was not read whole");
    sp_sha256_out(&s->sha, out);
    return 0;
}

void sp_file_source_close(sp_file_source *s)
{
    if (s == NULL)
        return;
    spl_file_close(s->f);
    free(s->name);
    free(s);
}
