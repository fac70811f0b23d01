/*
 * platform/posix/posix_file.c -- files and directories on POSIX
 * descriptors: positioned I/O that survives EINTR and short transfers,
 * fsync, flock-based locking, rename, and directory durability.
 */
#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "platform.h"
#include "posix_error.h"

struct spl_file {
    int fd;
};

/* Errors a file function may report per platform.h; anything else is EIO
 * (with the OS error kept in the detail). */
static int file_code(int err)
{
    int code = spl__errno_code(err);

    if (code != SECIP_ENOENT && code != SECIP_EEXIST && code != SECIP_EPERM &&
        code != SECIP_ENOMEM && code != SECIP_EINVAL && code != SECIP_ETOOBIG)
        code = SECIP_EIO;
    return code;
}

static int file_error(int err, const char *what, const char *path)
{
    return spl__os_error_as(file_code(err), err, "%s %s", what, path);
}

int spl_file_open(const char *path, int flags, spl_file **out)
{
    int oflags = O_CLOEXEC;
    mode_t mode = (flags & SPL_FILE_OWNER_ONLY) ? 0600 : 0666;
    spl_file *f;
    int fd;

    if (path == NULL || out == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_file_open: NULL argument");
    *out = NULL;
    switch (flags & (SPL_FILE_READ | SPL_FILE_WRITE)) {
    case SPL_FILE_READ: oflags |= O_RDONLY; break;
    case SPL_FILE_WRITE: oflags |= O_WRONLY; break;
    case SPL_FILE_READ | SPL_FILE_WRITE: oflags |= O_RDWR; break;
    default:
        return sp_error_set(SECIP_EINVAL, "open %s: neither read nor write",
                            path);
    }
    if (flags & SPL_FILE_CREATE)
        oflags |= O_CREAT;
    if ((flags & SPL_FILE_EXCL) && (flags & SPL_FILE_CREATE))
        oflags |= O_EXCL;
    if (flags & SPL_FILE_TRUNC)
        oflags |= O_TRUNC;
    f = malloc(sizeof(*f));
    if (f == NULL)
        return sp_error_set(SECIP_ENOMEM, "open %s: out of memory", path);
    do {
        fd = open(path, oflags, mode);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        int err = errno;
        free(f);
        return file_error(err, "open", path);
    }
    f->fd = fd;
    *out = f;
    return 0;
}

/* Offsets are off_t (64-bit); larger ones cannot be addressed. */
static int bad_offset(uint64_t off, size_t len)
{
    return off > (uint64_t)INT64_MAX || len > (uint64_t)INT64_MAX - off;
}

ptrdiff_t spl_file_pread(spl_file *f, void *buf, size_t len, uint64_t off)
{
    unsigned char *p = buf;
    size_t done = 0;

    if (f == NULL || (buf == NULL && len > 0))
        return sp_error_set(SECIP_EINVAL, "spl_file_pread: bad argument");
    if (len > (size_t)PTRDIFF_MAX)
        len = (size_t)PTRDIFF_MAX;
    if (bad_offset(off, len))
        return sp_error_set(SECIP_EINVAL, "spl_file_pread: offset too large");
    /* Loop over short reads so callers get everything up to end of file. */
    while (done < len) {
        ssize_t n = pread(f->fd, p + done, len - done, (off_t)(off + done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return spl__os_error_as(SECIP_EIO, errno, "pread (fd %d)", f->fd);
        }
        if (n == 0)
            break;
        done += (size_t)n;
    }
    return (ptrdiff_t)done;
}

ptrdiff_t spl_file_pwrite(spl_file *f, const void *buf, size_t len,
                          uint64_t off)
{
    const unsigned char *p = buf;
    size_t done = 0;

    if (f == NULL || (buf == NULL && len > 0) || len > (size_t)PTRDIFF_MAX)
        return sp_error_set(SECIP_EINVAL, "spl_file_pwrite: bad argument");
    if (bad_offset(off, len))
        return sp_error_set(SECIP_EINVAL, "spl_file_pwrite: offset too large");
    while (done < len) {
        ssize_t n = pwrite(f->fd, p + done, len - done, (off_t)(off + done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return spl__os_error(errno, "pwrite (fd %d)", f->fd);
        }
        if (n == 0) /* should not happen for len > 0; avoid spinning */
            return spl__os_error_as(SECIP_EIO, EIO, "pwrite (fd %d)", f->fd);
        done += (size_t)n;
    }
    return (ptrdiff_t)done;
}

int64_t spl_file_size(spl_file *f)
{
    struct stat st;

    if (f == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_file_size: NULL file");
    if (fstat(f->fd, &st) != 0)
        return spl__os_error_as(SECIP_EIO, errno, "fstat (fd %d)", f->fd);
    return (int64_t)st.st_size;
}

int spl_file_mtime(spl_file *f, int64_t *out)
{
    struct stat st;

    if (f == NULL || out == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_file_mtime: NULL argument");
    if (fstat(f->fd, &st) != 0)
        return spl__os_error_as(SECIP_EIO, errno, "fstat (fd %d)", f->fd);
    *out = (int64_t)st.st_mtime;
    return 0;
}

int spl_file_truncate(spl_file *f, uint64_t size)
{
    int rc;

    if (f == NULL || size > (uint64_t)INT64_MAX)
        return sp_error_set(SECIP_EINVAL, "spl_file_truncate: bad argument");
    do {
        rc = ftruncate(f->fd, (off_t)size);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0)
        return spl__os_error(errno, "ftruncate (fd %d)", f->fd);
    return 0;
}

int spl_file_sync(spl_file *f)
{
    if (f == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_file_sync: NULL file");
    /* fsync, not fdatasync: the size is metadata a reader depends on. */
    if (fsync(f->fd) != 0)
        return spl__os_error_as(SECIP_EIO, errno, "fsync (fd %d)", f->fd);
    return 0;
}

/* flock rather than fcntl locks: flock locks belong to the open file, so
 * two opens in one process exclude each other (as LockFileEx does on
 * Windows), closing another descriptor of the file does not drop the lock,
 * and a read-only file can be locked too. */
int spl_file_lock(spl_file *f)
{
    int rc;

    if (f == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_file_lock: NULL file");
    do {
        rc = flock(f->fd, LOCK_EX);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0)
        return spl__os_error_as(SECIP_EIO, errno, "flock (fd %d)", f->fd);
    return 0;
}

int spl_file_unlock(spl_file *f)
{
    if (f == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_file_unlock: NULL file");
    if (flock(f->fd, LOCK_UN) != 0)
        return spl__os_error_as(SECIP_EIO, errno, "flock(UN) (fd %d)", f->fd);
    return 0;
}

void spl_file_close(spl_file *f)
{
    if (f == NULL)
        return;
    /* Not retried on EINTR: on Linux the descriptor is gone either way. */
    close(f->fd);
    free(f);
}

int spl_file_rename(const char *from, const char *to)
{
    if (from == NULL || to == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_file_rename: NULL path");
    if (rename(from, to) != 0) {
        int err = errno;
        return spl__os_error_as(file_code(err), err, "rename %s -> %s", from,
                                to);
    }
    return 0;
}

int spl_file_remove(const char *path)
{
    if (path == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_file_remove: NULL path");
    if (unlink(path) != 0)
        return file_error(errno, "unlink", path);
    return 0;
}

int spl_dir_create(const char *path, int owner_only)
{
    if (path == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_dir_create: NULL path");
    if (mkdir(path, owner_only ? 0700 : 0777) != 0)
        return file_error(errno, "mkdir", path);
    return 0;
}

int spl_dir_remove(const char *path)
{
    if (path == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_dir_remove: NULL path");
    if (rmdir(path) != 0)
        return file_error(errno, "rmdir", path);
    return 0;
}

int spl_dir_exists(const char *path)
{
    struct stat st;

    if (path == NULL)
        return 0;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int spl_dir_sync(const char *path)
{
    int fd, rc;

    if (path == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_dir_sync: NULL path");
    do {
        fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return file_error(errno, "open directory", path);
    rc = fsync(fd);
    /* Some file systems cannot sync a directory (EINVAL): nothing to do. */
    if (rc != 0 && errno != EINVAL) {
        int err = errno;
        close(fd);
        return spl__os_error_as(SECIP_EIO, err, "fsync directory %s", path);
    }
    close(fd);
    return 0;
}
