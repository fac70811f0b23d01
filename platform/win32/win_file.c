/*
 * platform/win32/win_file.c -- files and directories with the wide Win32
 * file API.
 *
 * Paths arrive as UTF-8 and are converted to UTF-16; paths too long for
 * MAX_PATH are made absolute and given the "\\?\" prefix, which lifts the
 * limit.  Handles are opened for synchronous I/O; positional reads and
 * writes pass the offset in an OVERLAPPED, which a synchronous handle
 * honours without needing a shared file pointer.  Files are opened with
 * every FILE_SHARE_* flag, so that -- as on POSIX -- an open file can be
 * renamed over or deleted.
 *
 * Owner-only: a security descriptor whose protected DACL grants full
 * access to the user of the process token and to nobody else (no inherited
 * entries from the parent directory).
 */
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "win_impl.h"

/* Largest single ReadFile/WriteFile. */
#define FILE_CHUNK_MAX 0x40000000UL
/* Paths at least this long get the "\\?\" prefix (MAX_PATH is 260, and
 * CreateDirectoryW allows only 248). */
#define LONG_PATH 240

struct spl_file {
    HANDLE h;
};

/* ---- paths ------------------------------------------------------------- */

/* UTF-8 path to a newly allocated UTF-16 path (free() it). */
static int wide_path(const char *path, wchar_t **out)
{
    wchar_t *w, *full, *res;
    DWORD n;
    int rc;
    size_t plen;

    *out = NULL;
    if (path == NULL)
        return sp_error_set(SECIP_EINVAL, "NULL path");
    rc = spl__win_utf16(path, &w);
    if (rc < 0)
        return rc;
    if (wcslen(w) < LONG_PATH || wcsncmp(w, L"\\\\?\\", 4) == 0) {
        *out = w;
        return 0;
    }
    /* "\\?\" paths are passed through unparsed: they must be absolute,
     * with backslashes and no "." or ".." parts.  GetFullPathNameW does
     * exactly that normalisation. */
    n = GetFullPathNameW(w, 0, NULL, NULL);
    full = n > 0 ? malloc((size_t)n * sizeof *full) : NULL;
    if (full == NULL || GetFullPathNameW(w, n, full, NULL) >= n) {
        rc =
            full == NULL && n > 0
                ? sp_error_set(SECIP_ENOMEM, "path: out of memory")
                : spl__win_error(GetLastError(), "full path of '%.200s'", path);
        free(full);
        free(w);
        return rc;
    }
    free(w);
    plen = wcslen(full);
    res = malloc((plen + 8) * sizeof *res);
    if (res == NULL) {
        free(full);
        return sp_error_set(SECIP_ENOMEM, "path: out of memory");
    }
    /* memcpy rather than wcscpy/wcscat, which MSVC flags as unsafe. */
    if (wcsncmp(full, L"\\\\", 2) == 0) { /* \\server\share\... */
        memcpy(res, L"\\\\?\\UNC\\", 8 * sizeof *res);
        memcpy(res + 8, full + 2, (plen - 1) * sizeof *res); /* with NUL */
    } else {
        memcpy(res, L"\\\\?\\", 4 * sizeof *res);
        memcpy(res + 4, full, (plen + 1) * sizeof *res);
    }
    free(full);
    *out = res;
    return 0;
}

/* ---- owner-only security ----------------------------------------------- */

typedef struct owner_sd {
    SECURITY_ATTRIBUTES sa;
    SECURITY_DESCRIPTOR sd;
    TOKEN_USER *user;
    ACL *acl;
} owner_sd;

static void owner_sd_free(owner_sd *o)
{
    free(o->user);
    free(o->acl);
}

static int owner_sd_init(owner_sd *o, int is_dir)
{
    HANDLE tok;
    DWORD n = 0, err;
    DWORD acl_len;
    PSID sid;

    memset(o, 0, sizeof *o);
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok))
        return spl__win_error(GetLastError(), "open process token");
    GetTokenInformation(tok, TokenUser, NULL, 0, &n);
    o->user = n > 0 ? malloc(n) : NULL;
    if (o->user == NULL ||
        !GetTokenInformation(tok, TokenUser, o->user, n, &n)) {
        err = o->user == NULL ? ERROR_NOT_ENOUGH_MEMORY : GetLastError();
        CloseHandle(tok);
        owner_sd_free(o);
        return spl__win_error(err, "read the process user");
    }
    CloseHandle(tok);
    sid = o->user->User.Sid;
    acl_len = (DWORD)(sizeof(ACL) + sizeof(ACCESS_ALLOWED_ACE) - sizeof(DWORD) +
                      GetLengthSid(sid));
    o->acl = malloc(acl_len);
    if (o->acl == NULL) {
        owner_sd_free(o);
        return sp_error_set(SECIP_ENOMEM, "owner-only ACL: out of memory");
    }
    /* A directory's entry is inherited by what is created inside it. */
    if (!InitializeAcl(o->acl, acl_len, ACL_REVISION) ||
        !AddAccessAllowedAceEx(
            o->acl, ACL_REVISION,
            is_dir ? OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE : 0,
            FILE_ALL_ACCESS, sid) ||
        !InitializeSecurityDescriptor(&o->sd, SECURITY_DESCRIPTOR_REVISION) ||
        !SetSecurityDescriptorDacl(&o->sd, TRUE, o->acl, FALSE) ||
        !SetSecurityDescriptorControl(&o->sd, SE_DACL_PROTECTED,
                                      SE_DACL_PROTECTED)) {
        err = GetLastError();
        owner_sd_free(o);
        return spl__win_error(err, "build owner-only security descriptor");
    }
    o->sa.nLength = sizeof o->sa;
    o->sa.lpSecurityDescriptor = &o->sd;
    o->sa.bInheritHandle = FALSE;
    return 0;
}

/* ---- open and close ---------------------------------------------------- */

static DWORD disposition(int flags)
{
    if (flags & SPL_FILE_CREATE) {
        if (flags & SPL_FILE_EXCL)
            return CREATE_NEW;
        return (flags & SPL_FILE_TRUNC) ? CREATE_ALWAYS : OPEN_ALWAYS;
    }
    return (flags & SPL_FILE_TRUNC) ? TRUNCATE_EXISTING : OPEN_EXISTING;
}

int spl_file_open(const char *path, int flags, spl_file **out)
{
    DWORD access = 0;
    owner_sd o;
    int use_sd = (flags & SPL_FILE_OWNER_ONLY) && (flags & SPL_FILE_CREATE);
    wchar_t *wp;
    HANDLE h;
    spl_file *f;
    int rc;

    if (out == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_file_open: NULL argument");
    *out = NULL;
    if (flags & SPL_FILE_READ)
        access |= GENERIC_READ;
    if (flags & SPL_FILE_WRITE)
        access |= GENERIC_WRITE;
    if (access == 0 || ((flags & SPL_FILE_TRUNC) && !(flags & SPL_FILE_WRITE)))
        return sp_error_set(SECIP_EINVAL, "open '%.200s': bad flags 0x%x",
                            path ? path : "", (unsigned)flags);
    f = malloc(sizeof *f);
    if (f == NULL)
        return sp_error_set(SECIP_ENOMEM, "open: out of memory");
    rc = wide_path(path, &wp);
    if (rc == 0 && use_sd && (rc = owner_sd_init(&o, 0)) < 0)
        free(wp);
    if (rc < 0) {
        free(f);
        return rc;
    }
    h = CreateFileW(
        wp, access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
        use_sd ? &o.sa : NULL, disposition(flags), FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE)
        rc = spl__win_error(GetLastError(), "open '%.200s'", path);
    free(wp);
    if (use_sd)
        owner_sd_free(&o);
    if (rc < 0) {
        free(f);
        return rc;
    }
    f->h = h;
    *out = f;
    return 0;
}

void spl_file_close(spl_file *f)
{
    if (f == NULL)
        return;
    CloseHandle(f->h); /* also releases a lock still held */
    free(f);
}

/* ---- positional I/O ------------------------------------------------------ */

static void set_offset(OVERLAPPED *ov, uint64_t off)
{
    memset(ov, 0, sizeof *ov);
    ov->Offset = (DWORD)off;
    ov->OffsetHigh = (DWORD)(off >> 32);
}

ptrdiff_t spl_file_pread(spl_file *f, void *buf, size_t len, uint64_t off)
{
    OVERLAPPED ov;
    DWORD got = 0;
    DWORD n = len > FILE_CHUNK_MAX ? FILE_CHUNK_MAX : (DWORD)len;

    if (f == NULL || (buf == NULL && len > 0))
        return sp_error_set(SECIP_EINVAL, "spl_file_pread: bad argument");
    if (len == 0)
        return 0;
    set_offset(&ov, off);
    if (!ReadFile(f->h, buf, n, &got, &ov)) {
        DWORD err = GetLastError();
        if (err == ERROR_HANDLE_EOF) /* offset at or past the end */
            return 0;
        return spl__win_error(err, "read file at offset %llu",
                              (unsigned long long)off);
    }
    return (ptrdiff_t)got;
}

ptrdiff_t spl_file_pwrite(spl_file *f, const void *buf, size_t len,
                          uint64_t off)
{
    const unsigned char *p = buf;
    size_t done = 0;

    if (f == NULL || (buf == NULL && len > 0) || len > (size_t)PTRDIFF_MAX)
        return sp_error_set(SECIP_EINVAL, "spl_file_pwrite: bad argument");
    while (done < len) {
        OVERLAPPED ov;
        DWORD put = 0;
        size_t left = len - done;
        DWORD n = left > FILE_CHUNK_MAX ? FILE_CHUNK_MAX : (DWORD)left;

        set_offset(&ov, off + done);
        if (!WriteFile(f->h, p + done, n, &put, &ov))
            return spl__win_error(GetLastError(), "write file at offset %llu",
                                  (unsigned long long)(off + done));
        if (put == 0)
            return sp_error_set(SECIP_EIO, "write file: no progress");
        done += put;
    }
    return (ptrdiff_t)len;
}

int64_t spl_file_size(spl_file *f)
{
    LARGE_INTEGER sz;

    if (f == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_file_size: NULL file");
    if (!GetFileSizeEx(f->h, &sz))
        return spl__win_error(GetLastError(), "file size");
    return sz.QuadPart;
}

int spl_file_mtime(spl_file *f, int64_t *out)
{
    FILETIME ft;
    ULARGE_INTEGER t;

    if (f == NULL || out == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_file_mtime: NULL argument");
    if (!GetFileTime(f->h, NULL, NULL, &ft))
        return spl__win_error(GetLastError(), "file time");
    /* FILETIME counts 100 ns ticks since 1601-01-01; 11644473600 s lie
     * between that and the Unix epoch. */
    t.LowPart = ft.dwLowDateTime;
    t.HighPart = ft.dwHighDateTime;
    *out = (int64_t)(t.QuadPart / 10000000u) - INT64_C(11644473600);
    return 0;
}

int spl_file_truncate(spl_file *f, uint64_t size)
{
    FILE_END_OF_FILE_INFO eof;

    if (f == NULL || size > (uint64_t)INT64_MAX)
        return sp_error_set(SECIP_EINVAL, "spl_file_truncate: bad argument");
    /* Sets the size without moving any file pointer. */
    eof.EndOfFile.QuadPart = (LONGLONG)size;
    if (!SetFileInformationByHandle(f->h, FileEndOfFileInfo, &eof, sizeof eof))
        return spl__win_error(GetLastError(), "truncate file to %llu",
                              (unsigned long long)size);
    return 0;
}

int spl_file_sync(spl_file *f)
{
    if (f == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_file_sync: NULL file");
    if (!FlushFileBuffers(f->h))
        return spl__win_error(GetLastError(), "flush file");
    return 0;
}

/* ---- locks --------------------------------------------------------------- */

/* Windows byte-range locks are mandatory: a locked byte cannot be read or
 * written through another handle.  Locking one byte far past any real data
 * (locks beyond the end of file are allowed) gives the advisory lock the
 * contract wants: lock holders exclude each other, data I/O is unaffected. */
#define LOCK_OFFSET_HIGH 0x40000000UL /* byte 2^62 */

int spl_file_lock(spl_file *f)
{
    OVERLAPPED ov;

    if (f == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_file_lock: NULL file");
    memset(&ov, 0, sizeof ov);
    ov.OffsetHigh = LOCK_OFFSET_HIGH;
    /* Synchronous handle: blocks until the lock is granted. */
    if (!LockFileEx(f->h, LOCKFILE_EXCLUSIVE_LOCK, 0, 1, 0, &ov))
        return spl__win_error(GetLastError(), "lock file");
    return 0;
}

int spl_file_unlock(spl_file *f)
{
    OVERLAPPED ov;

    if (f == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_file_unlock: NULL file");
    memset(&ov, 0, sizeof ov);
    ov.OffsetHigh = LOCK_OFFSET_HIGH;
    if (!UnlockFileEx(f->h, 0, 1, 0, &ov))
        return spl__win_error(GetLastError(), "unlock file");
    return 0;
}

/* ---- names and directories ------------------------------------------- */

int spl_file_rename(const char *from, const char *to)
{
    wchar_t *wf, *wt;
    int rc;

    rc = wide_path(from, &wf);
    if (rc < 0)
        return rc;
    rc = wide_path(to, &wt);
    if (rc < 0) {
        free(wf);
        return rc;
    }
    /* WRITE_THROUGH: returns only once the rename is on disk. */
    if (!MoveFileExW(wf, wt,
                     MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
        rc = spl__win_error(GetLastError(), "rename '%.200s' to '%.200s'", from,
                            to);
    free(wf);
    free(wt);
    return rc;
}

int spl_file_remove(const char *path)
{
    wchar_t *wp;
    int rc = wide_path(path, &wp);

    if (rc < 0)
        return rc;
    if (!DeleteFileW(wp))
        rc = spl__win_error(GetLastError(), "remove '%.200s'", path);
    free(wp);
    return rc;
}

int spl_dir_create(const char *path, int owner_only)
{
    owner_sd o;
    wchar_t *wp;
    int rc = wide_path(path, &wp);

    if (rc < 0)
        return rc;
    if (owner_only && (rc = owner_sd_init(&o, 1)) < 0) {
        free(wp);
        return rc;
    }
    if (!CreateDirectoryW(wp, owner_only ? &o.sa : NULL))
        rc = spl__win_error(GetLastError(), "create directory '%.200s'", path);
    if (owner_only)
        owner_sd_free(&o);
    free(wp);
    return rc;
}

int spl_dir_remove(const char *path)
{
    wchar_t *wp;
    int rc = wide_path(path, &wp);

    if (rc < 0)
        return rc;
    if (!RemoveDirectoryW(wp))
        rc = spl__win_error(GetLastError(), "remove directory '%.200s'", path);
    free(wp);
    return rc;
}

int spl_dir_exists(const char *path)
{
    wchar_t *wp;
    DWORD attr;

    if (wide_path(path, &wp) < 0)
        return 0;
    attr = GetFileAttributesW(wp);
    free(wp);
    return attr != INVALID_FILE_ATTRIBUTES &&
           (attr & FILE_ATTRIBUTE_DIRECTORY) != 0;
}

int spl_dir_sync(const char *path)
{
    /* NTFS journals directory entries itself and renames are already
     * written through (MOVEFILE_WRITE_THROUGH); there is nothing to flush.
     * Still report a missing directory, as POSIX's open() would. */
    if (!spl_dir_exists(path))
        return sp_error_set(SECIP_ENOENT, "sync directory '%.200s': not found",
                            path ? path : "");
    return 0;
}
