/*
 * tests/files/vol_util.c -- see vol_util.h.
 */
#include "vol_util.h"

#include <bearssl.h>
#include <stdlib.h>
#include <string.h>

#define IO ((size_t)1 << 20)

uint64_t vu_size(uint64_t default_mib)
{
    const char *env = getenv("SECIP_VOLUME_MB");
    uint64_t mib = default_mib;

    if (env != NULL && *env != '\0') {
        char *end;
        unsigned long long v = strtoull(env, &end, 10);
        CHECK(*end == '\0' && v > 0 && v <= 65536);
        mib = v;
        tu_log("SECIP_VOLUME_MB=%llu: reduced size for a local run", v);
    }
    return mib * VU_MIB;
}

/* 8 pattern bytes per word: splitmix64 of the word's index, so any offset
 * can be regenerated and the data does not repeat.  Whole words are stored
 * at once (in the machine's byte order: the pattern only has to agree with
 * itself), which keeps sanitized builds -- one check per store -- fast. */
static void fill(uint64_t seed, uint64_t off, unsigned char *buf, size_t len)
{
    for (size_t i = 0; i < len; i += 8) {
        uint64_t x = (off + i) / 8 + seed * 0x9e3779b97f4a7c15ULL;
        x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
        x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
        x ^= x >> 31;
        memcpy(buf + i, &x, len - i < 8 ? len - i : 8);
    }
}

void vu_generate(const char *path, uint64_t seed, uint64_t size)
{
    unsigned char *buf = malloc(IO);
    spl_file *f = NULL;
    uint64_t off = 0;

    CHECK(buf != NULL);
    CHECK_OK(spl_file_open(
        path, SPL_FILE_WRITE | SPL_FILE_CREATE | SPL_FILE_TRUNC, &f));
    while (off < size) {
        size_t n = size - off < IO ? (size_t)(size - off) : IO;
        fill(seed, off, buf, n);
        CHECK(spl_file_pwrite(f, buf, n, off) == (ptrdiff_t)n);
        off += n;
    }
    /* On stable storage before the transfer starts: otherwise the kernel
     * writes this file back during the timed transfer and the receiver's
     * checkpoint syncs queue behind it (seconds on a slow disk). */
    CHECK_OK(spl_file_sync(f));
    spl_file_close(f);
    free(buf);
}

void vu_verify(const char *path, uint64_t seed, uint64_t size,
               uint8_t sha256[32])
{
    unsigned char *buf = malloc(IO), *want = malloc(IO);
    br_sha256_context h;
    spl_file *f = NULL;
    uint64_t off = 0;
    ptrdiff_t n;

    CHECK(buf != NULL && want != NULL);
    CHECK_OK(spl_file_open(path, SPL_FILE_READ, &f));
    br_sha256_init(&h);
    CHECK(spl_file_size(f) == (int64_t)size);
    while (off < size) {
        /* Whole 1 MiB pieces (a short read is continued), so that every
         * piece starts on a pattern word. */
        size_t want_n = size - off < IO ? (size_t)(size - off) : IO, got = 0;
        while (got < want_n) {
            n = spl_file_pread(f, buf + got, want_n - got, off + got);
            CHECK(n > 0);
            got += (size_t)n;
        }
        fill(seed, off, want, want_n);
        if (memcmp(buf, want, want_n) != 0)
            tu_log("content differs in the MiB at offset %llu",
                   (unsigned long long)off);
        CHECK(memcmp(buf, want, want_n) == 0);
        br_sha256_update(&h, buf, want_n);
        off += want_n;
    }
    CHECK(spl_file_pread(f, buf, 1, off) == 0); /* nothing beyond size */
    spl_file_close(f);
    br_sha256_out(&h, sha256);
    free(buf);
    free(want);
}

void vu_pair_open(vu_pair *p, const char *files_dir, secip_handler_fn fn,
                  void *ud)
{
    secip_session_options o;
    char fp[SECIP_FINGERPRINT_HEX_LEN + 1];

    memset(p, 0, sizeof *p);
    CHECK_OK(secip_key_generate(2048, &p->key));
    CHECK_OK(secip_key_fingerprint(p->key, fp));
    CHECK_OK(secip_server_new(p->key, &p->srv));
    secip_session_options_init(&o);
    o.files_dir = files_dir;
    CHECK_OK(secip_server_set_options(p->srv, &o));
    CHECK_OK(secip_server_set_handler(p->srv, fn, ud));
    CHECK_OK(secip_server_start(p->srv, "127.0.0.1", 0));
    CHECK_OK(secip_client_new(&p->cli));
    CHECK_OK(secip_client_set_pin(p->cli, fp));
    CHECK_OK(secip_client_connect(p->cli, "127.0.0.1",
                                  secip_server_port(p->srv), 10000, &p->s));
}

void vu_pair_close(vu_pair *p)
{
    secip_client_free(p->cli);
    secip_server_stop(p->srv);
    secip_server_free(p->srv);
    secip_key_free(p->key);
    memset(p, 0, sizeof *p);
}

void vu_check_peak_rss(uint64_t limit_mib)
{
    uint64_t peak = 0;

    CHECK_OK(spl_proc_peak_rss(&peak));
    tu_log("peak RSS %.1f MiB (bound %llu MiB%s)", (double)peak / VU_MIB,
           (unsigned long long)limit_mib,
           VU_SANITIZED ? ", not checked: sanitized build" : "");
    if (!VU_SANITIZED)
        CHECK(peak < limit_mib * VU_MIB);
}

void vu_remove(const char *path)
{
    (void)spl_file_remove(path);
}
