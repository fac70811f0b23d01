/*
 * tests/files/files_util.c -- see files_util.h.
 */
#include "files_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fu_scratch(const char *base, const char *prefix, char *out, size_t len)
{
    unsigned char r[8];
    int i, n;

    CHECK_OK(spl_random(r, sizeof r));
    n = snprintf(out, len, "%s/%s-", base, prefix);
    CHECK(n > 0 && (size_t)n + 17 < len);
    for (i = 0; i < 8; i++)
        snprintf(out + n + 2 * i, 3, "%02x", r[i]);
    CHECK_OK(spl_dir_create(out, 1));
}

void fu_join(char *out, size_t len, const char *dir, const char *name)
{
    int n = snprintf(out, len, "%s/%s", dir, name);
    CHECK(n > 0 && (size_t)n < len);
}

int fu_exists(const char *path)
{
    spl_file *f = NULL;

    if (spl_file_open(path, SPL_FILE_READ, &f) < 0)
        return 0;
    spl_file_close(f);
    return 1;
}

int64_t fu_size(const char *path)
{
    spl_file *f = NULL;
    int64_t n;

    if (spl_file_open(path, SPL_FILE_READ, &f) < 0)
        return -1;
    n = spl_file_size(f);
    spl_file_close(f);
    return n;
}

void fu_check_content(const char *path, const void *data, size_t len)
{
    spl_file *f = NULL;
    unsigned char *buf = malloc(len + 1);
    ptrdiff_t n;

    CHECK(buf != NULL);
    CHECK_OK(spl_file_open(path, SPL_FILE_READ, &f));
    CHECK(spl_file_size(f) == (int64_t)len);
    n = spl_file_pread(f, buf, len + 1, 0);
    CHECK(n == (ptrdiff_t)len);
    CHECK(len == 0 || memcmp(buf, data, len) == 0);
    spl_file_close(f);
    free(buf);
}

#define IO (1024u * 1024u)

void fu_check_pattern(const char *path, uint64_t seed, uint64_t size)
{
    unsigned char *buf = malloc(IO), *want = malloc(IO);
    spl_file *f = NULL;
    uint64_t off = 0;

    CHECK(buf != NULL && want != NULL);
    CHECK_OK(spl_file_open(path, SPL_FILE_READ, &f));
    CHECK(spl_file_size(f) == (int64_t)size);
    while (off < size) {
        size_t n = size - off < IO ? (size_t)(size - off) : IO;
        CHECK(spl_file_pread(f, buf, n, off) == (ptrdiff_t)n);
        tu_fill(seed, off, want, n);
        CHECK(memcmp(buf, want, n) == 0);
        off += n;
    }
    spl_file_close(f);
    free(buf);
    free(want);
}

void fu_write_pattern(const char *path, uint64_t seed, uint64_t size)
{
    unsigned char *buf = malloc(IO);
    spl_file *f = NULL;
    uint64_t off = 0;

    CHECK(buf != NULL);
    CHECK_OK(spl_file_open(
        path, SPL_FILE_WRITE | SPL_FILE_CREATE | SPL_FILE_TRUNC, &f));
    while (off < size) {
        size_t n = size - off < IO ? (size_t)(size - off) : IO;
        tu_fill(seed, off, buf, n);
        CHECK(spl_file_pwrite(f, buf, n, off) == (ptrdiff_t)n);
        off += n;
    }
    spl_file_close(f);
    free(buf);
}

int fu_transfer(const sp_sink_config *cfg, sp_file_source *src, size_t chunk,
                uint64_t stop_at, char *final, size_t cap, uint64_t *sent)
{
    const char *name = sp_file_source_name(src);
    uint64_t size = sp_file_source_size(src), off;
    unsigned char *buf = malloc(chunk);
    unsigned char h[32];
    sp_file_sink *sink = NULL;
    int has_mtime, prove, rc;
    int64_t mtime = sp_file_source_mtime(src, &has_mtime);
    ptrdiff_t n;

    CHECK(buf != NULL);
    if (sent != NULL)
        *sent = 0;
    rc = sp_file_sink_open(cfg, name, strlen(name), size, mtime, has_mtime,
                           &sink);
    if (rc < 0) {
        free(buf);
        return rc;
    }
    /* FILE_ACCEPT, and FILE_PREFIX when the receiver offers a resume. */
    off = sp_file_sink_offset(sink, &prove);
    if (prove) {
        CHECK_OK(sp_file_source_prefix(src, off, h));
        rc = sp_file_sink_prove(sink, off, h);
        CHECK_OK(rc);
        off = sp_file_sink_offset(sink, &prove);
        CHECK(!prove);
        if (rc == 0)
            CHECK_OK(sp_file_source_prefix(src, 0, h)); /* restart */
    }
    CHECK(sp_file_source_offset(src) == off);
    while (off < size) {
        n = sp_file_source_read(src, off, buf, chunk);
        CHECK(n > 0);
        if (off + (uint64_t)n > stop_at) {
            sp_file_sink_close(sink, 1);
            free(buf);
            return 1;
        }
        rc = sp_file_sink_write(sink, off, buf, (size_t)n);
        if (rc < 0) {
            sp_file_sink_close(sink, 0);
            free(buf);
            return rc;
        }
        if (sent != NULL)
            *sent += (uint64_t)n;
        off += (uint64_t)n;
    }
    CHECK_OK(sp_file_source_hash(src, h));
    rc = sp_file_sink_finish(sink, h);
    if (rc == 0 && final != NULL)
        snprintf(final, cap, "%s", sp_file_sink_path(sink));
    sp_file_sink_close(sink, 0);
    free(buf);
    return rc;
}
