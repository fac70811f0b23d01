/*
 * tests/platform/file_helpers.c -- see file_helpers.h.
 */
#include "file_helpers.h"

#include <stdio.h>
#include <string.h>

void fh_scratch_dir(const char *prefix, char *out, size_t len)
{
    unsigned char r[8];
    char hex[17];
    int i;

    CHECK_OK(spl_random(r, sizeof(r)));
    for (i = 0; i < 8; i++)
        snprintf(hex + 2 * i, 3, "%02x", r[i]);
    CHECK(strlen(prefix) + 18 < len);
    snprintf(out, len, "%s-%s", prefix, hex);
    CHECK_OK(spl_dir_create(out, 1));
}

void fh_join(char *out, size_t len, const char *dir, const char *name)
{
    CHECK(strlen(dir) + strlen(name) + 2 <= len);
    snprintf(out, len, "%s/%s", dir, name);
}

void fh_write_file(const char *path, const char *text)
{
    spl_file *f;
    size_t n = strlen(text);

    CHECK_OK(spl_file_open(
        path, SPL_FILE_WRITE | SPL_FILE_CREATE | SPL_FILE_TRUNC, &f));
    CHECK(spl_file_pwrite(f, text, n, 0) == (ptrdiff_t)n);
    spl_file_close(f);
}

void fh_check_file(const char *path, const char *text)
{
    spl_file *f;
    char buf[256];
    size_t n = strlen(text);
    ptrdiff_t got;

    CHECK(n < sizeof(buf));
    CHECK_OK(spl_file_open(path, SPL_FILE_READ, &f));
    CHECK(spl_file_size(f) == (int64_t)n);
    got = spl_file_pread(f, buf, sizeof(buf), 0);
    CHECK(got == (ptrdiff_t)n);
    CHECK(memcmp(buf, text, n) == 0);
    spl_file_close(f);
}
