/*
 * platform_files: the spl_file_* and spl_dir_* contract.
 *  - CREATE|EXCL|OWNER_ONLY creates, a second EXCL open gives SECIP_EEXIST;
 *  - pwrite/pread at offsets, holes read as zeros, reads stop at the end;
 *  - size, truncate (shrink and extend), sync, TRUNC on open;
 *  - lock/unlock, twice, and close while locked;
 *  - rename over an existing file replaces its content; the source is gone;
 *  - remove, SECIP_ENOENT for missing files; a UTF-8 file name;
 *  - spl_dir_create / spl_dir_exists / spl_dir_sync / spl_dir_remove;
 *  - spl_file_mtime.
 */
#include <string.h>

#include "file_helpers.h"

static char g_dir[128];

static void test_create_excl(const char *path)
{
    spl_file *f = NULL;
    int flags = SPL_FILE_READ | SPL_FILE_WRITE | SPL_FILE_CREATE |
                SPL_FILE_EXCL | SPL_FILE_OWNER_ONLY;

    CHECK_OK(spl_file_open(path, flags, &f));
    CHECK(f != NULL);
    CHECK(spl_file_size(f) == 0);
    spl_file_close(f);
    f = NULL;
    CHECK_ERR(spl_file_open(path, flags, &f), SECIP_EEXIST);
    CHECK(f == NULL);
}

static void test_read_write(const char *path)
{
    spl_file *f;
    unsigned char w[100], r[2000];
    size_t i;

    CHECK_OK(spl_file_open(path, SPL_FILE_READ | SPL_FILE_WRITE, &f));
    tu_fill(1, 0, w, sizeof(w));
    CHECK(spl_file_pwrite(f, w, 100, 0) == 100);
    CHECK(spl_file_pwrite(f, w, 50, 1000) == 50);
    CHECK(spl_file_size(f) == 1050);
    CHECK(spl_file_pread(f, r, 50, 1000) == 50);
    CHECK(memcmp(r, w, 50) == 0);
    CHECK(spl_file_pread(f, r, sizeof(r), 0) == 1050);
    CHECK(memcmp(r, w, 100) == 0);
    for (i = 100; i < 1000; i++)
        CHECK(r[i] == 0); /* the hole */
    CHECK(memcmp(r + 1000, w, 50) == 0);
    CHECK(spl_file_pread(f, r, 100, 1040) == 10); /* short at the end */
    CHECK(spl_file_pread(f, r, 100, 1050) == 0);  /* at the end */
    CHECK(spl_file_pread(f, r, 100, 99999) == 0); /* past the end */
    /* Overwrite in the middle. */
    CHECK(spl_file_pwrite(f, "XYZ", 3, 10) == 3);
    CHECK(spl_file_pread(f, r, 5, 9) == 5);
    CHECK(r[0] == w[9] && memcmp(r + 1, "XYZ", 3) == 0 && r[4] == w[13]);

    CHECK_OK(spl_file_truncate(f, 500));
    CHECK(spl_file_size(f) == 500);
    CHECK(spl_file_pread(f, r, sizeof(r), 0) == 500);
    CHECK_OK(spl_file_truncate(f, 2000));
    CHECK(spl_file_size(f) == 2000);
    CHECK(spl_file_pread(f, r, sizeof(r), 0) == 2000);
    for (i = 500; i < 2000; i++)
        CHECK(r[i] == 0);
    CHECK_OK(spl_file_sync(f));

    CHECK_OK(spl_file_lock(f));
    CHECK_OK(spl_file_unlock(f));
    CHECK_OK(spl_file_lock(f));
    CHECK_OK(spl_file_unlock(f));
    CHECK_OK(spl_file_lock(f));
    spl_file_close(f); /* releases the lock */
    CHECK_OK(spl_file_open(path, SPL_FILE_READ | SPL_FILE_WRITE, &f));
    CHECK_OK(spl_file_lock(f)); /* would block forever if it had not */
    CHECK_OK(spl_file_unlock(f));
    spl_file_close(f);

    /* TRUNC empties it. */
    CHECK_OK(spl_file_open(path, SPL_FILE_WRITE | SPL_FILE_TRUNC, &f));
    CHECK(spl_file_size(f) == 0);
    spl_file_close(f);
}

static void test_rename_remove(const char *a, const char *b)
{
    spl_file *f = NULL;

    fh_write_file(a, "old content that is longer");
    fh_write_file(b, "new");
    CHECK_OK(spl_file_rename(b, a)); /* replaces a */
    fh_check_file(a, "new");
    CHECK_ERR(spl_file_open(b, SPL_FILE_READ, &f), SECIP_ENOENT);
    CHECK(f == NULL);
    CHECK_ERR(spl_file_rename(b, a), SECIP_ENOENT);
    CHECK_OK(spl_file_remove(a));
    CHECK_ERR(spl_file_remove(a), SECIP_ENOENT);
    CHECK_ERR(spl_file_open(a, SPL_FILE_READ | SPL_FILE_WRITE, &f),
              SECIP_ENOENT);
}

static void test_dirs(void)
{
    char sub[192], file[256];

    CHECK(spl_dir_exists(g_dir) == 1);
    CHECK_ERR(spl_dir_create(g_dir, 1), SECIP_EEXIST);
    fh_join(sub, sizeof(sub), g_dir, "sub");
    CHECK(spl_dir_exists(sub) == 0);
    CHECK_OK(spl_dir_create(sub, 0));
    CHECK(spl_dir_exists(sub) == 1);
    CHECK_OK(spl_dir_sync(sub));
    fh_join(file, sizeof(file), sub, "f.txt");
    fh_write_file(file, "x");
    CHECK(spl_dir_exists(file) == 0); /* a file is not a directory */
    CHECK_ERR(spl_dir_remove(sub), SECIP_EEXIST); /* not empty */
    CHECK_OK(spl_file_remove(file));
    CHECK_OK(spl_dir_sync(g_dir));
    CHECK_OK(spl_dir_remove(sub));
    CHECK(spl_dir_exists(sub) == 0);
    CHECK_ERR(spl_dir_remove(sub), SECIP_ENOENT);
}

static void test_mtime(const char *path)
{
    spl_file *f = NULL;
    int64_t t = 0, now = spl_time_now();

    fh_write_file(path, "m");
    CHECK_OK(spl_file_open(path, SPL_FILE_READ, &f));
    CHECK_OK(spl_file_mtime(f, &t));
    spl_file_close(f);
    /* Written just now: within a generous minute of the wall clock (file
     * systems round times, and clocks of VMs drift). */
    CHECK(t > now - 60 && t < now + 60);
    CHECK_ERR(spl_file_mtime(NULL, &t), SECIP_EINVAL);
    CHECK_OK(spl_file_remove(path));
}

static void test_utf8_name(void)
{
    /* "üñí-файл.txt" in UTF-8 */
    char path[256];
    fh_join(path, sizeof(path), g_dir,
            "\xc3\xbc\xc3\xb1\xc3\xad-\xd1\x84\xd0\xb0\xd0\xb9\xd0\xbb.txt");
    fh_write_file(path, "unicode");
    fh_check_file(path, "unicode");
    CHECK_OK(spl_file_remove(path));
    CHECK_ERR(spl_file_remove(path), SECIP_ENOENT);
}

int main(void)
{
    char a[256], b[256], missing[256];
    spl_file *f = NULL;

    fh_scratch_dir("platform_files", g_dir, sizeof(g_dir));
    tu_log("scratch dir: %s", g_dir);
    fh_join(a, sizeof(a), g_dir, "a.bin");
    fh_join(b, sizeof(b), g_dir, "b.bin");
    fh_join(missing, sizeof(missing), g_dir, "missing/x.bin");

    CHECK_ERR(spl_file_open(a, SPL_FILE_READ, &f), SECIP_ENOENT);
    CHECK_ERR(spl_file_open(missing, SPL_FILE_WRITE | SPL_FILE_CREATE, &f),
              SECIP_ENOENT);
    test_create_excl(a);
    tu_log("create/excl ok");
    test_read_write(a);
    tu_log("pread/pwrite/size/truncate/sync/lock ok");
    CHECK_OK(spl_file_remove(a));
    test_rename_remove(a, b);
    tu_log("rename over existing/remove ok");
    test_dirs();
    test_utf8_name();
    test_mtime(a);
    tu_log("dirs, mtime and UTF-8 names ok");
    spl_file_close(NULL);
    CHECK_OK(spl_dir_remove(g_dir));
    return 0;
}
