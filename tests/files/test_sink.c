/*
 * tests/files/test_sink.c -- the receiving side: good and damaged
 * transfers, size limits, existing files, cancellation and resume.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/util.h"
#include "files/file_place.h"
#include "files/file_state.h"
#include "files_util.h"

static char dir[512];

static void config(sp_sink_config *cfg, int resume)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->dir = dir;
    cfg->place_flags = SP_PLACE_UNIQUE;
    cfg->resume = resume;
    cfg->checkpoint_bytes = 256u * 1024u;
}

/* Where a resumable sink keeps the partial file and state of a transfer. */
static void part_paths_in(const char *d, const char *name, uint64_t size,
                          char *part, char *state, size_t cap)
{
    sp_file_state st;
    char hex[33], n[64];

    sp_file_state_init(&st, name, size, 0, 0, NULL);
    sp_hex_encode(st.id, 16, hex);
    snprintf(n, sizeof n, ".secip-%s.part", hex);
    fu_join(part, cap, d, n);
    snprintf(n, sizeof n, ".secip-%s.state", hex);
    fu_join(state, cap, d, n);
}

static void part_paths(const char *name, uint64_t size, char *part, char *state,
                       size_t cap)
{
    part_paths_in(dir, name, size, part, state, cap);
}

static void check_clean(const char *name, uint64_t size)
{
    char part[700], state[700], final[700];

    part_paths(name, size, part, state, sizeof part);
    CHECK(!fu_exists(part));
    CHECK(!fu_exists(state));
    fu_join(final, sizeof final, dir, name);
    CHECK(!fu_exists(final));
}

static void good_transfer(void)
{
    sp_sink_config cfg;
    sp_file_source *src = NULL;
    char path[700], final[700], want[700];
    uint64_t size = 1024u * 1024u + 123u, sent;

    fu_join(path, sizeof path, dir, "src-good.bin");
    fu_write_pattern(path, 1, size);
    config(&cfg, 1);
    CHECK_OK(sp_file_source_open(path, &src));
    CHECK(strcmp(sp_file_source_name(src), "src-good.bin") == 0);
    CHECK(sp_file_source_size(src) == size);
    /* The sink saves under the announced name: rename the announcement by
     * using a memory source would lose the disk path, so receive into a
     * subdirectory instead. */
    {
        char sub[600];
        fu_join(sub, sizeof sub, dir, "in");
        CHECK_OK(spl_dir_create(sub, 1));
        cfg.dir = sub;
        CHECK_OK(fu_transfer(&cfg, src, 64u * 1024u, UINT64_MAX, final,
                             sizeof final, &sent));
        fu_join(want, sizeof want, sub, "src-good.bin");
        CHECK(strcmp(final, want) == 0);
    }
    CHECK(sent == size);
    fu_check_pattern(final, 1, size);
    sp_file_source_close(src);
    CHECK_OK(spl_file_remove(final));
    CHECK_OK(spl_file_remove(path));
    tu_log("good transfer: %llu bytes", (unsigned long long)size);
}

/* Drive a sink by hand: announce size, write data, end with hash. */
static int manual(const char *name, uint64_t announce, const uint8_t *data,
                  size_t len, const uint8_t hash[32], int *stage)
{
    sp_sink_config cfg;
    sp_file_sink *s = NULL;
    size_t off = 0;
    int rc;

    config(&cfg, 1);
    *stage = 0;
    rc = sp_file_sink_open(&cfg, name, strlen(name), announce, 0, 0, &s);
    if (rc < 0)
        return rc;
    *stage = 1;
    while (off < len) {
        size_t n = len - off < 1000 ? len - off : 1000;
        rc = sp_file_sink_write(s, off, data + off, n);
        if (rc < 0) {
            sp_file_sink_close(s, 1); /* failed: nothing is kept */
            return rc;
        }
        off += n;
    }
    *stage = 2;
    rc = sp_file_sink_finish(s, hash);
    sp_file_sink_close(s, 1);
    return rc;
}

static void damaged(void)
{
    enum { N = 10000 };
    static uint8_t data[N + 1];
    uint8_t h[32], bad[32];
    char final[700];
    int stage;

    tu_fill(2, 0, data, sizeof data);
    sp_sha256(data, N, h);
    memcpy(bad, h, 32);
    bad[31] ^= 1;

    /* Sanity: the manual path works for good data. */
    CHECK_OK(manual("ok.bin", N, data, N, h, &stage));
    fu_join(final, sizeof final, dir, "ok.bin");
    fu_check_content(final, data, N);
    CHECK_OK(spl_file_remove(final));

    /* A corrupted chunk: the end hash (of the real content) mismatches. */
    data[5000] ^= 0x40;
    CHECK_ERR(manual("corrupt.bin", N, data, N, h, &stage), SECIP_EVERIFY);
    CHECK(stage == 2);
    CHECK(strstr(secip_last_error(), "SHA-256") != NULL);
    tu_log("corrupted chunk: %s", secip_last_error());
    check_clean("corrupt.bin", N);
    data[5000] ^= 0x40;

    /* A wrong final hash. */
    CHECK_ERR(manual("wronghash.bin", N, data, N, bad, &stage), SECIP_EVERIFY);
    check_clean("wronghash.bin", N);

    /* Cut halfway, then FILE_END. */
    CHECK_ERR(manual("short.bin", N, data, N / 2, h, &stage), SECIP_EPROTO);
    CHECK(strstr(secip_last_error(), "short transfer") != NULL);
    tu_log("short transfer: %s", secip_last_error());
    check_clean("short.bin", N);

    /* Larger than announced: refused before the extra byte is written. */
    CHECK_ERR(manual("big.bin", N, data, N + 1, h, &stage), SECIP_ETOOBIG);
    CHECK(stage == 1);
    tu_log("larger than announced: %s", secip_last_error());
    check_clean("big.bin", N);

    /* Empty file. */
    sp_sha256(data, 0, h);
    CHECK_OK(manual("empty.bin", 0, data, 0, h, &stage));
    fu_join(final, sizeof final, dir, "empty.bin");
    CHECK(fu_size(final) == 0);
    CHECK_OK(spl_file_remove(final));
}

static void limits_and_protocol(void)
{
    sp_sink_config cfg;
    sp_file_sink *s = NULL;
    char part[700], state[700], missing[700];
    uint8_t buf[16] = {0}, h[32] = {0};

    config(&cfg, 1);
    cfg.max_size = 1000;
    CHECK_ERR(sp_file_sink_open(&cfg, "huge.bin", 8, 1001, 0, 0, &s),
              SECIP_ETOOBIG);
    CHECK(s == NULL);
    tu_log("above the maximum: %s", secip_last_error());
    part_paths("huge.bin", 1001, part, state, sizeof part);
    CHECK(!fu_exists(part));
    CHECK_ERR(sp_file_sink_open(&cfg, "x", 1, UINT64_MAX, 0, 0, &s),
              SECIP_ETOOBIG);
    fu_join(missing, sizeof missing, dir, "no-such-dir");
    cfg.dir = missing;
    CHECK_ERR(sp_file_sink_open(&cfg, "x", 1, 10, 0, 0, &s), SECIP_ENOENT);

    /* Out-of-order offsets, data after a failure, END twice. */
    config(&cfg, 1);
    CHECK_OK(sp_file_sink_open(&cfg, "order.bin", 9, 32, 0, 0, &s));
    CHECK_ERR(sp_file_sink_prove(s, 0, h), SECIP_EPROTO);
    sp_file_sink_close(s, 1);
    CHECK_OK(sp_file_sink_open(&cfg, "order.bin", 9, 32, 0, 0, &s));
    CHECK_OK(sp_file_sink_write(s, 0, buf, 16));
    CHECK_ERR(sp_file_sink_write(s, 0, buf, 16), SECIP_EPROTO);
    CHECK_ERR(sp_file_sink_write(s, 16, buf, 16), SECIP_EPROTO); /* failed */
    sp_file_sink_close(s, 1);
    check_clean("order.bin", 32);
}

static void existing(void)
{
    sp_sink_config cfg;
    sp_file_source *src = NULL;
    char path[700], final[700];
    const char *news = "new content";

    fu_join(path, sizeof path, dir, "doc.txt");
    fu_write_pattern(path, 9, 100);
    config(&cfg, 1);
    CHECK_OK(sp_file_source_open_mem("doc.txt", news, strlen(news), &src));
    CHECK_OK(fu_transfer(&cfg, src, 4, UINT64_MAX, final, sizeof final, NULL));
    sp_file_source_close(src);
    fu_join(path, sizeof path, dir, "doc (1).txt");
    CHECK(strcmp(final, path) == 0);
    fu_check_content(final, news, strlen(news));
    fu_join(path, sizeof path, dir, "doc.txt");
    fu_check_pattern(path, 9, 100); /* untouched */

    /* Exact name only: refused, the old file stays, nothing new. */
    cfg.place_flags = 0;
    CHECK_OK(sp_file_source_open_mem("doc.txt", news, strlen(news), &src));
    CHECK_ERR(fu_transfer(&cfg, src, 4, UINT64_MAX, NULL, 0, NULL),
              SECIP_EEXIST);
    tu_log("existing file: %s", secip_last_error());
    sp_file_source_close(src);
    fu_check_pattern(path, 9, 100);
    check_clean("doc (2).txt", strlen(news));

    /* Overwrite when asked. */
    cfg.place_flags = SP_PLACE_OVERWRITE;
    CHECK_OK(sp_file_source_open_mem("doc.txt", news, strlen(news), &src));
    CHECK_OK(fu_transfer(&cfg, src, 4, UINT64_MAX, final, sizeof final, NULL));
    sp_file_source_close(src);
    CHECK(strcmp(final, path) == 0);
    fu_check_content(path, news, strlen(news));
    CHECK_OK(spl_file_remove(path));
    fu_join(path, sizeof path, dir, "doc (1).txt");
    CHECK_OK(spl_file_remove(path));
}

static void resume(void)
{
    sp_sink_config cfg;
    sp_file_source *src = NULL;
    char path[700], final[700], part[700], state[700], sub[600];
    uint64_t size = 3u * 1024u * 1024u + 77u, half = size / 2, sent;

    fu_join(sub, sizeof sub, dir, "resume-in");
    CHECK_OK(spl_dir_create(sub, 1));
    fu_join(path, sizeof path, dir, "movie.bin");
    fu_write_pattern(path, 3, size);
    config(&cfg, 1);
    cfg.dir = sub;

    /* The connection drops at 50%: partial file and state stay. */
    CHECK_OK(sp_file_source_open(path, &src));
    CHECK(fu_transfer(&cfg, src, 64u * 1024u, half, NULL, 0, &sent) == 1);
    sp_file_source_close(src);
    CHECK(sent > 0 && sent <= half);
    part_paths_in(sub, "movie.bin", size, part, state, sizeof part);
    CHECK(fu_size(part) == (int64_t)sent);
    CHECK(fu_size(state) > 0);

    /* Sending again transfers only the rest and verifies the prefix. */
    {
        uint64_t first = sent;
        CHECK_OK(sp_file_source_open(path, &src));
        CHECK_OK(fu_transfer(&cfg, src, 64u * 1024u, UINT64_MAX, final,
                             sizeof final, &sent));
        sp_file_source_close(src);
        tu_log("resume: %llu bytes before the drop, %llu after, of %llu",
               (unsigned long long)first, (unsigned long long)sent,
               (unsigned long long)size);
        CHECK(sent == size - first);
    }
    fu_check_pattern(final, 3, size);
    CHECK(!fu_exists(part) && !fu_exists(state));
    CHECK_OK(spl_file_remove(final));

    /* The file changed between the attempts (same name and size): the
     * prefix proof fails and the transfer starts over. */
    CHECK_OK(sp_file_source_open(path, &src));
    CHECK(fu_transfer(&cfg, src, 64u * 1024u, half, NULL, 0, &sent) == 1);
    sp_file_source_close(src);
    fu_write_pattern(path, 4, size);
    CHECK_OK(sp_file_source_open(path, &src));
    CHECK_OK(fu_transfer(&cfg, src, 64u * 1024u, UINT64_MAX, final,
                         sizeof final, &sent));
    sp_file_source_close(src);
    CHECK(sent == size);
    fu_check_pattern(final, 4, size);
    CHECK_OK(spl_file_remove(final));

    /* The sender cannot prove prefixes: the offer is declined, all bytes
     * are sent again. */
    CHECK_OK(sp_file_source_open(path, &src));
    CHECK(fu_transfer(&cfg, src, 64u * 1024u, half, NULL, 0, &sent) == 1);
    sp_file_source_close(src);
    {
        sp_file_sink *s = NULL;
        int prove = 0;
        CHECK_OK(sp_file_sink_open(&cfg, "movie.bin", 9, size, 0, 0, &s));
        CHECK(sp_file_sink_offset(s, &prove) > 0 && prove);
        CHECK_OK(sp_file_sink_decline(s));
        CHECK(sp_file_sink_offset(s, &prove) == 0 && !prove);
        CHECK_ERR(sp_file_sink_decline(s), SECIP_EPROTO);
        sp_file_sink_close(s, 1); /* nothing received: nothing kept */
    }
    CHECK(!fu_exists(part) && !fu_exists(state));

    /* The partial file was damaged locally after it was verified: the
     * re-hash disagrees with the recorded prefix, so it starts over. */
    CHECK_OK(sp_file_source_open(path, &src));
    CHECK(fu_transfer(&cfg, src, 64u * 1024u, half, NULL, 0, &sent) == 1);
    sp_file_source_close(src);
    {
        spl_file *pf = NULL;
        CHECK_OK(spl_file_open(part, SPL_FILE_WRITE, &pf));
        CHECK(spl_file_pwrite(pf, "X", 1, 1000) == 1);
        spl_file_close(pf);
    }
    CHECK_OK(sp_file_source_open(path, &src));
    CHECK_OK(fu_transfer(&cfg, src, 64u * 1024u, UINT64_MAX, final,
                         sizeof final, &sent));
    sp_file_source_close(src);
    CHECK(sent == size);
    fu_check_pattern(final, 4, size);
    CHECK_OK(spl_file_remove(final));

    /* A damaged state record is ignored (no resume, no harm). */
    CHECK_OK(sp_file_source_open(path, &src));
    CHECK(fu_transfer(&cfg, src, 64u * 1024u, half, NULL, 0, &sent) == 1);
    sp_file_source_close(src);
    fu_write_pattern(state, 5, 120);
    CHECK_OK(sp_file_source_open(path, &src));
    CHECK_OK(fu_transfer(&cfg, src, 64u * 1024u, UINT64_MAX, final,
                         sizeof final, &sent));
    sp_file_source_close(src);
    CHECK(sent == size);
    fu_check_pattern(final, 4, size);
    CHECK_OK(spl_file_remove(final));

    /* A cancelled transfer (closed without keep) leaves nothing. */
    CHECK_OK(sp_file_source_open(path, &src));
    {
        sp_file_sink *s = NULL;
        uint8_t buf[1000];
        CHECK_OK(sp_file_sink_open(&cfg, "movie.bin", 9, size, 0, 0, &s));
        CHECK(sp_file_source_read(src, 0, buf, sizeof buf) == 1000);
        CHECK_OK(sp_file_sink_write(s, 0, buf, sizeof buf));
        sp_file_sink_close(s, 0);
    }
    sp_file_source_close(src);
    CHECK(!fu_exists(part) && !fu_exists(state));

    /* Resume disabled: a dropped transfer leaves nothing either. */
    cfg.resume = 0;
    CHECK_OK(sp_file_source_open(path, &src));
    CHECK(fu_transfer(&cfg, src, 64u * 1024u, half, NULL, 0, &sent) == 1);
    sp_file_source_close(src);
    CHECK(!fu_exists(part) && !fu_exists(state));
    /* ... and a complete one, synced in the background every checkpoint
     * interval like a resumable one but without a state file, arrives
     * whole. */
    CHECK_OK(sp_file_source_open(path, &src));
    CHECK_OK(fu_transfer(&cfg, src, 64u * 1024u, UINT64_MAX, final,
                         sizeof final, &sent));
    sp_file_source_close(src);
    CHECK(sent == size && !fu_exists(state));
    fu_check_pattern(final, 4, size);
    CHECK_OK(spl_file_remove(final));
    CHECK_OK(spl_file_remove(path));
}

/* Two sinks of the same identity at once: the second one gets a private
 * partial file, and both complete under distinct names. */
static void concurrent(void)
{
    sp_sink_config cfg;
    sp_file_sink *a = NULL, *b = NULL;
    const char *text = "same file twice";
    size_t n = strlen(text);
    uint8_t h[32];
    char pa[700], pb[700];

    config(&cfg, 1);
    sp_sha256(text, n, h);
    CHECK_OK(sp_file_sink_open(&cfg, "twice.txt", 9, n, 0, 0, &a));
    CHECK_OK(sp_file_sink_open(&cfg, "twice.txt", 9, n, 0, 0, &b));
    CHECK_OK(sp_file_sink_write(a, 0, text, 5));
    CHECK_OK(sp_file_sink_write(b, 0, text, n));
    CHECK_OK(sp_file_sink_write(a, 5, text + 5, n - 5));
    CHECK_OK(sp_file_sink_finish(b, h));
    CHECK_OK(sp_file_sink_finish(a, h));
    snprintf(pa, sizeof pa, "%s", sp_file_sink_path(a));
    snprintf(pb, sizeof pb, "%s", sp_file_sink_path(b));
    CHECK(strcmp(pa, pb) != 0);
    fu_check_content(pa, text, n);
    fu_check_content(pb, text, n);
    sp_file_sink_close(a, 1);
    sp_file_sink_close(b, 1);
    CHECK_OK(spl_file_remove(pa));
    CHECK_OK(spl_file_remove(pb));
}

int main(void)
{
    fu_scratch(".", "files-sink", dir, sizeof dir);
    good_transfer();
    damaged();
    limits_and_protocol();
    existing();
    resume();
    concurrent();
    return 0;
}
