/*
 * tests/files/test_save.c -- FILE messages: accessors and
 * secip_message_save() for content in memory and on disk.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/util.h"
#include "files/file_message.h"
#include "files/file_sink.h"
#include "files_util.h"
#include "secip/file.h"
#include "session/message_impl.h"

static char dir[512];

static void accessors(void)
{
    secip_message *m = sp_message_new_file_mem("a.tar.gz", "xyz", 3);
    secip_message *t = sp_message_new(SECIP_TEXT, 0);
    size_t len = 0;

    CHECK(m != NULL && t != NULL);
    CHECK(secip_message_type(m) == SECIP_FILE);
    CHECK(strcmp(secip_message_file_name(m), "a.tar.gz") == 0);
    CHECK(strcmp(secip_message_file_extension(m), "gz") == 0);
    CHECK(secip_message_file_size(m) == 3);
    CHECK(secip_message_file_path(m) == NULL);
    CHECK(memcmp(secip_message_data(m, &len), "xyz", 4) == 0 && len == 3);
    secip_message_free(m);

    m = sp_message_new_file_mem("noext", "", 0);
    CHECK(m != NULL);
    CHECK(strcmp(secip_message_file_extension(m), "") == 0);
    CHECK(secip_message_file_size(m) == 0);
    secip_message_free(m);

    CHECK(secip_message_file_name(t) == NULL);
    CHECK(secip_message_file_extension(NULL) == NULL);
    CHECK_ERR(secip_message_file_size(t), SECIP_EINVAL);
    CHECK_ERR(secip_message_save(t, dir), SECIP_EINVAL);
    CHECK_ERR(secip_message_save(NULL, dir), SECIP_EINVAL);
    secip_message_free(t);
}

static void save_memory(void)
{
    const char *text = "quarterly numbers";
    secip_message *m =
        sp_message_new_file_mem("report.pdf", text, strlen(text));
    char p[700], got[700], missing[700];

    CHECK(m != NULL);
    CHECK_OK(secip_message_save_ex(m, dir, 0, got, sizeof got));
    fu_join(p, sizeof p, dir, "report.pdf");
    CHECK(strcmp(got, p) == 0);
    fu_check_content(p, text, strlen(text));
    /* Saved again: an alternative name, the first copy untouched. */
    CHECK_OK(secip_message_save_ex(m, dir, 0, got, sizeof got));
    fu_join(p, sizeof p, dir, "report (1).pdf");
    CHECK(strcmp(got, p) == 0);
    fu_check_content(p, text, strlen(text));
    CHECK_ERR(secip_message_save_ex(m, dir, SECIP_SAVE_EXACT, NULL, 0),
              SECIP_EEXIST);
    /* An explicit path: must not exist, unless OVERWRITE. */
    fu_join(p, sizeof p, dir, "chosen.bin");
    CHECK_OK(secip_message_save(m, p));
    fu_check_content(p, text, strlen(text));
    fu_write_pattern(p, 7, 10);
    CHECK_ERR(secip_message_save(m, p), SECIP_EEXIST);
    fu_check_pattern(p, 7, 10);
    CHECK_OK(secip_message_save_ex(m, p, SECIP_SAVE_OVERWRITE, NULL, 0));
    fu_check_content(p, text, strlen(text));
    CHECK_OK(spl_file_remove(p));
    fu_join(missing, sizeof missing, dir, "no/such/dir/x");
    CHECK_ERR(secip_message_save(m, missing), SECIP_ENOENT);
    secip_message_free(m);
    fu_join(p, sizeof p, dir, "report.pdf");
    CHECK_OK(spl_file_remove(p));
    fu_join(p, sizeof p, dir, "report (1).pdf");
    CHECK_OK(spl_file_remove(p));
}

static void save_disk(void)
{
    char a[600], b[600], src[700], dst[700];
    secip_message *m;
    uint64_t size = 300000;

    fu_join(a, sizeof a, dir, "downloads");
    fu_join(b, sizeof b, dir, "keep");
    CHECK_OK(spl_dir_create(a, 1));
    CHECK_OK(spl_dir_create(b, 1));
    fu_join(src, sizeof src, a, "photo.jpg");
    fu_write_pattern(src, 11, size);
    m = sp_message_new_file_disk("photo.jpg", src, size);
    CHECK(m != NULL);
    CHECK(strcmp(secip_message_file_path(m), src) == 0);
    CHECK(secip_message_file_size(m) == (int64_t)size);
    CHECK_OK(secip_message_save(m, b));
    fu_join(dst, sizeof dst, b, "photo.jpg");
    CHECK(strcmp(secip_message_file_path(m), dst) == 0);
    CHECK(!fu_exists(src)); /* moved, not copied */
    fu_check_pattern(dst, 11, size);
    /* Saving into the same directory again picks another name. */
    CHECK_OK(secip_message_save(m, b));
    fu_join(dst, sizeof dst, b, "photo (1).jpg");
    CHECK(strcmp(secip_message_file_path(m), dst) == 0);
    fu_check_pattern(dst, 11, size);
    CHECK_OK(spl_file_remove(dst));
    secip_message_free(m);
}

/* Sinks hand over FILE messages: in memory up to memory_max, on disk
 * above it. */
static void sink_messages(void)
{
    enum { N = 5000 };
    static uint8_t data[N];
    sp_sink_config cfg;
    sp_file_sink *s = NULL;
    secip_message *m;
    uint8_t h[32];
    size_t len = 0;
    const uint8_t *got;
    char p[700];

    tu_fill(21, 0, data, N);
    sp_sha256(data, N, h);
    memset(&cfg, 0, sizeof cfg);
    cfg.memory_max = N;
    CHECK_OK(sp_file_sink_open(&cfg, "memo.txt", 8, N, 0, 0, &s));
    CHECK(sp_file_sink_in_memory(s));
    CHECK(sp_file_sink_message(s) == NULL); /* not finished */
    CHECK_OK(sp_file_sink_write(s, 0, data, 100));
    CHECK_OK(sp_file_sink_write(s, 100, data + 100, N - 100));
    CHECK_ERR(sp_file_sink_write(s, N, data, 1), SECIP_ETOOBIG);
    sp_file_sink_close(s, 1);
    CHECK_OK(sp_file_sink_open(&cfg, "memo.txt", 8, N, 0, 0, &s));
    CHECK_OK(sp_file_sink_write(s, 0, data, N));
    CHECK_OK(sp_file_sink_finish(s, h));
    m = sp_file_sink_message(s);
    CHECK(m != NULL);
    CHECK(sp_file_sink_message(s) == NULL); /* handed over once */
    sp_file_sink_close(s, 1);
    CHECK(strcmp(secip_message_file_name(m), "memo.txt") == 0);
    CHECK(secip_message_file_size(m) == N);
    CHECK(secip_message_file_path(m) == NULL);
    got = secip_message_data(m, &len);
    CHECK(len == N && memcmp(got, data, N) == 0);
    CHECK_OK(secip_message_save(m, dir));
    fu_join(p, sizeof p, dir, "memo.txt");
    fu_check_content(p, data, N);
    CHECK_OK(spl_file_remove(p));
    secip_message_free(m);

    /* Damaged in memory: no message. */
    CHECK_OK(sp_file_sink_open(&cfg, "memo.txt", 8, N, 0, 0, &s));
    CHECK_OK(sp_file_sink_write(s, 0, data, N - 1));
    CHECK_OK(sp_file_sink_write(s, N - 1, "?", 1));
    CHECK_ERR(sp_file_sink_finish(s, h), SECIP_EVERIFY);
    CHECK(sp_file_sink_message(s) == NULL);
    sp_file_sink_close(s, 1);

    /* Too big for memory and no download directory: refused. */
    CHECK_ERR(sp_file_sink_open(&cfg, "big.bin", 7, N + 1, 0, 0, &s),
              SECIP_EPERM);

    /* Above memory_max with a directory: on disk. */
    cfg.memory_max = 10;
    cfg.dir = dir;
    CHECK_OK(sp_file_sink_open(&cfg, "disk.bin", 8, N, 0, 0, &s));
    CHECK(!sp_file_sink_in_memory(s));
    CHECK_OK(sp_file_sink_write(s, 0, data, N));
    CHECK_OK(sp_file_sink_finish(s, h));
    m = sp_file_sink_message(s);
    sp_file_sink_close(s, 1);
    CHECK(m != NULL);
    fu_join(p, sizeof p, dir, "disk.bin");
    CHECK(strcmp(secip_message_file_path(m), p) == 0);
    CHECK(secip_message_file_size(m) == N);
    fu_check_content(p, data, N);
    secip_message_free(m);
    CHECK_OK(spl_file_remove(p));
}

int main(void)
{
    fu_scratch(".", "files-save", dir, sizeof dir);
    accessors();
    save_memory();
    save_disk();
    sink_messages();
    return 0;
}
