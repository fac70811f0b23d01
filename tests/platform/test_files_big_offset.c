/*
 * platform_files_big_offset: offsets and sizes beyond 32 bits (the IOCP
 * backend splits them into OVERLAPPED.Offset/OffsetHigh).  The file is
 * sparse on Linux (and under Wine on Linux); on real NTFS the OS may fill
 * 4 GiB of zeros, so this test is labelled slow.
 */
#include <string.h>

#include "file_helpers.h"

int main(void)
{
    char dir[128], path[256];
    spl_file *f;
    const uint64_t off = ((uint64_t)1 << 32) + 17;
    unsigned char w[64], r[64];

    fh_scratch_dir("platform_bigoff", dir, sizeof(dir));
    fh_join(path, sizeof(path), dir, "big.bin");
    CHECK_OK(spl_file_open(
        path, SPL_FILE_READ | SPL_FILE_WRITE | SPL_FILE_CREATE | SPL_FILE_EXCL,
        &f));
    tu_fill(7, 0, w, sizeof(w));
    CHECK(spl_file_pwrite(f, w, sizeof(w), off) == (ptrdiff_t)sizeof(w));
    CHECK(spl_file_size(f) == (int64_t)(off + sizeof(w)));
    memset(r, 0, sizeof(r));
    CHECK(spl_file_pread(f, r, sizeof(r), off) == (ptrdiff_t)sizeof(r));
    CHECK(memcmp(r, w, sizeof(w)) == 0);
    /* The low 32 bits alone (17) must read back as a hole, not our data. */
    CHECK(spl_file_pread(f, r, sizeof(r), 17) == (ptrdiff_t)sizeof(r));
    CHECK(r[0] == 0 && r[63] == 0);
    CHECK_OK(spl_file_truncate(f, off + 1));
    CHECK(spl_file_size(f) == (int64_t)(off + 1));
    CHECK(spl_file_pread(f, r, sizeof(r), off) == 1);
    CHECK(r[0] == w[0]);
    spl_file_close(f);
    CHECK_OK(spl_file_remove(path));
    tu_log("64-bit offsets ok");
    return 0;
}
