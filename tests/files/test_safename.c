/*
 * tests/files/test_safename.c -- hostile file names.
 *
 * Every name of the table is first reduced with secip_file_safe_name() and
 * compared with the expected result (or refusal), then actually received
 * through a file sink into a target directory: a refused name creates
 * nothing, an accepted one lands in the target directory (under its safe
 * name or an alternative) and can be read back there, and none of the
 * places a naive join would have written to exists afterwards.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files/file_place.h"
#include "files/safename.h"
#include "files_util.h"
#include "secip/file.h"
#include "session/utf8.h"

typedef struct hostile {
    const char *name;
    int len;          /* -1: strlen(name) */
    const char *want; /* NULL: refused */
} hostile;

static const hostile table[] = {
    {"../../x", -1, "x"},
    {"/etc/passwd", -1, "passwd"},
    {"C:\\x", -1, "x"},
    {"..\\\\x", -1, "x"},
    {"CON", -1, "_CON"},
    {"a\0b", 3, NULL},
    {"line1\nline2", -1, "line1_line2"},
    {"evil\r\n.txt", -1, "evil__.txt"},
    {".", -1, NULL},
    {"..", -1, NULL},
    {"", -1, NULL},
    {"NUL.txt", -1, "_NUL.txt"},
    {"con", -1, "_con"},
    {"x.", -1, "x"},
    {"x ", -1, "x"},
    {"a/b", -1, "b"},
    {"\\\\server\\share", -1, "share"},
    {"%2e%2e", -1, "%2e%2e"},
    {"a/", -1, NULL},
    {"../", -1, NULL},
    {"...", -1, NULL},
    {"  ", -1, NULL},
    {"..\\..", -1, NULL},
    {"COM1", -1, "_COM1"},
    {"lpt9.log", -1, "_lpt9.log"},
    {"COM10", -1, "COM10"},
    {"CON .txt", -1, "_CON .txt"},
    {"aux.tar.gz", -1, "_aux.tar.gz"},
    {"CONOUT$", -1, "_CONOUT$"},
    {"COM\xc2\xb9", -1, "_COM\xc2\xb9"},
    {"<>:\"|?*", -1, "_______"},
    {"C:x", -1, "C_x"},
    {"file.txt:stream", -1, "file.txt_stream"},
    {".bashrc", -1, "_bashrc"},
    {".secip-0123.part", -1, "_secip-0123.part"},
    {"\xff\xfe", -1, NULL},
    {"\xc0\xaf", -1, NULL},     /* overlong '/' */
    {"\xed\xa0\x80", -1, NULL}, /* surrogate */
    {"report\xe2\x80\xaetxt.exe", -1, "report_txt.exe"},
    {"trailing. . .", -1, "trailing"},
    {"\xe6\x97\xa5\xe6\x9c\xac.txt", -1, "\xe6\x97\xa5\xe6\x9c\xac.txt"},
    {"x\x7f", -1, "x_"},
    {"\x1b[31mred", -1, "_[31mred"},
    {"a\\..\\..\\b.txt", -1, "b.txt"},
    {"tab\there", -1, "tab_here"},
    {"plain.txt", -1, "plain.txt"},
};

#define NTABLE (sizeof table / sizeof table[0])

/* Names built at run time: long ones. */
static void long_names(void)
{
    char in[5000], out[SECIP_FILE_NAME_MAX + 1];
    char again[SECIP_FILE_NAME_MAX + 1];
    int n;

    memset(in, 'a', 300);
    n = secip_file_safe_name(in, 300, out, sizeof out);
    CHECK(n == SECIP_FILE_NAME_MAX && strspn(out, "a") == (size_t)n);
    memcpy(in + 300, ".txt", 4);
    n = secip_file_safe_name(in, 304, out, sizeof out);
    CHECK(n == SECIP_FILE_NAME_MAX);
    CHECK(strcmp(out + n - 4, ".txt") == 0 &&
          strspn(out, "a") == (size_t)n - 4);
    /* 'x' and 150 two-byte characters: byte 240 falls inside a character,
     * so the cut stops one byte short, on a character boundary. */
    in[0] = 'x';
    for (n = 1; n < 301; n += 2) {
        in[n] = (char)0xc3;
        in[n + 1] = (char)0xa9;
    }
    n = secip_file_safe_name(in, 301, out, sizeof out);
    CHECK(n == SECIP_FILE_NAME_MAX - 1);
    CHECK(sp_utf8_valid((const uint8_t *)out, (size_t)n));
    /* Above the input limit: refused. */
    memset(in, 'b', sizeof in);
    CHECK_ERR(secip_file_safe_name(in, sizeof in, out, sizeof out),
              SECIP_EFORMAT);
    /* A long device name is still guarded: "CON" + 300 spaces + ".txt"
     * is cut, and keeps its '_'. */
    memcpy(in, "CON", 3);
    memset(in + 3, ' ', 300);
    memcpy(in + 303, ".txt", 4);
    n = secip_file_safe_name(in, 307, out, sizeof out);
    CHECK(n > 0 && n <= SECIP_FILE_NAME_MAX && out[0] == '_');
    /* A device name of the maximum length makes room for its prefix, and
     * sanitising any output again changes nothing (found by fuzzing). */
    memcpy(in, "nul.", 4);
    memset(in + 4, 'a', 300);
    n = secip_file_safe_name(in, 304, out, sizeof out);
    CHECK(n == SECIP_FILE_NAME_MAX && strncmp(out, "_nul.", 5) == 0);
    CHECK(secip_file_safe_name(out, (size_t)n, again, sizeof again) == n &&
          strcmp(out, again) == 0);
    CHECK_ERR(secip_file_safe_name("x", 1, out, 10), SECIP_EINVAL);
}

/* Places a naive implementation would have written to. */
static void check_no_escape(const char *root)
{
    static const char *const escapes[] = {
        "x", "passwd", "share", "b", "b.txt", "../x", "etc/passwd", "line2",
    };
    char p[1024];
    size_t i;

    for (i = 0; i < sizeof escapes / sizeof escapes[0]; i++) {
        fu_join(p, sizeof p, root, escapes[i]);
        CHECK(!fu_exists(p));
    }
}

/* The final path must be target/<want> or target/<want (n)>. */
static void check_final(const char *target, const char *final, const char *want)
{
    char alt[SP_SAFENAME_MAX + 32], p[1024];
    unsigned n;

    for (n = 0; n < 10; n++) {
        CHECK(sp_safename_alt(want, n, alt, sizeof alt) > 0);
        fu_join(p, sizeof p, target, alt);
        if (strcmp(p, final) == 0)
            return;
    }
    tu_log("final path %s does not match %s in %s", final, want, target);
    CHECK(!"final path outside the expected names");
}

static void receive_all(void)
{
    char root[512], target[600], final[1024], out[SECIP_FILE_NAME_MAX + 1];
    sp_sink_config cfg;
    size_t i, len;
    int accepted = 0, refused = 0;

    fu_scratch(".", "files-safename", root, sizeof root);
    fu_join(target, sizeof target, root, "target");
    CHECK_OK(spl_dir_create(target, 1));
    memset(&cfg, 0, sizeof cfg);
    cfg.dir = target;
    cfg.place_flags = SP_PLACE_UNIQUE;
    cfg.resume = 1;
    for (i = 0; i < NTABLE; i++) {
        const hostile *h = &table[i];
        char content[64];
        sp_file_source *src = NULL;
        int rc;

        len = h->len < 0 ? strlen(h->name) : (size_t)h->len;
        rc = secip_file_safe_name(h->name, len, out, sizeof out);
        if (h->want == NULL) {
            if (rc != SECIP_EFORMAT)
                tu_log("entry %u: expected a refusal, got %d '%s'", (unsigned)i,
                       rc, out);
            CHECK_ERR(rc, SECIP_EFORMAT);
            CHECK(secip_last_error()[0] != 0);
        } else {
            if (rc < 0 || strcmp(out, h->want) != 0)
                tu_log("entry %u: expected '%s', got %d '%s' (%s)", (unsigned)i,
                       h->want, rc, out, secip_last_error());
            CHECK(rc == (int)strlen(h->want) && strcmp(out, h->want) == 0);
        }
        /* Now through a sink, with the raw name as a peer would send it. */
        snprintf(content, sizeof content, "content of entry %u", (unsigned)i);
        CHECK_OK(
            sp_file_source_open_mem("unused", content, strlen(content), &src));
        {
            sp_file_sink *sink = NULL;
            unsigned char hsh[32];
            char got[64];
            rc = sp_file_sink_open(&cfg, h->name, len, strlen(content), 0, 0,
                                   &sink);
            if (h->want == NULL) {
                CHECK_ERR(rc, SECIP_EFORMAT);
                CHECK(sink == NULL);
                refused++;
            } else {
                CHECK_OK(rc);
                CHECK(sp_file_source_read(src, 0, got, sizeof got) ==
                      (ptrdiff_t)strlen(content));
                CHECK_OK(sp_file_sink_write(sink, 0, got, strlen(content)));
                CHECK_OK(sp_file_source_hash(src, hsh));
                CHECK_OK(sp_file_sink_finish(sink, hsh));
                snprintf(final, sizeof final, "%s", sp_file_sink_path(sink));
                sp_file_sink_close(sink, 0);
                check_final(target, final, h->want);
                fu_check_content(final, content, strlen(content));
                CHECK_OK(spl_file_remove(final));
                accepted++;
            }
        }
        sp_file_source_close(src);
        check_no_escape(root);
        check_no_escape(target);
    }
    tu_log("%d names accepted under safe names, %d refused", accepted, refused);
    CHECK(accepted + refused >= 25);
}

int main(void)
{
    receive_all();
    long_names();
    return 0;
}
