/*
 * tests/files/test_big.c -- a 256 MiB patterned file streamed from a
 * source to a sink in 64 KiB chunks, the way a session moves it: memory
 * stays bounded (checked from the process's own accounting where the OS
 * offers it: /proc/self/status on Linux), the SHA-256 is verified and the
 * result is identical.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files/file_place.h"
#include "files_util.h"

#define SIZE  (256ull * 1024u * 1024u + 12345u)
#define CHUNK (64u * 1024u)

/* Peak resident set in KiB (VmHWM), or -1 when unavailable (Windows). */
static long peak_rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;

    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "VmHWM:", 6) == 0)
            kib = strtol(line + 6, NULL, 10);
    fclose(f);
    return kib;
}

int main(void)
{
    char dir[512], sub[600], path[700], final[700], want[700];
    sp_sink_config cfg;
    sp_file_source *src = NULL;
    uint64_t sent = 0, t0;
    long before, after;

    fu_scratch(".", "files-big", dir, sizeof dir);
    fu_join(sub, sizeof sub, dir, "in");
    CHECK_OK(spl_dir_create(sub, 1));
    fu_join(path, sizeof path, dir, "big.bin");
    fu_write_pattern(path, 42, SIZE);

    memset(&cfg, 0, sizeof cfg);
    cfg.dir = sub;
    cfg.resume = 1;
    cfg.place_flags = SP_PLACE_UNIQUE;
    before = peak_rss_kib();
    t0 = spl_clock_ms();
    CHECK_OK(sp_file_source_open(path, &src));
    CHECK_OK(
        fu_transfer(&cfg, src, CHUNK, UINT64_MAX, final, sizeof final, &sent));
    sp_file_source_close(src);
    after = peak_rss_kib();
    tu_log("%llu bytes in %llu ms; peak RSS %ld KiB before, %ld KiB after",
           (unsigned long long)sent, (unsigned long long)(spl_clock_ms() - t0),
           before, after);
    CHECK(sent == SIZE);
    fu_join(want, sizeof want, sub, "big.bin");
    CHECK(strcmp(final, want) == 0);
    /* A 256 MiB file must not raise the peak by more than 16 MiB. */
    if (before >= 0)
        CHECK(after - before < 16 * 1024);
    fu_check_pattern(final, 42, SIZE);
    CHECK_OK(spl_file_remove(final));
    CHECK_OK(spl_file_remove(path));
    return 0;
}
