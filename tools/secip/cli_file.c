/*
 * tools/secip/cli_file.c -- see cli_file.h.
 */
#include "cli_file.h"

#include <bearssl.h>
#include <stdlib.h>

#include "platform.h"
#include "secip/error.h"

#define HASH_CHUNK ((size_t)256 * 1024)

void cli_hex32(const uint8_t digest[32], char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 15];
    }
    hex[64] = '\0';
}

int cli_sha256_file(const char *path, char hex[65], uint64_t *size)
{
    br_sha256_context ctx;
    uint8_t digest[32];
    unsigned char *buf;
    spl_file *f = NULL;
    uint64_t off = 0;
    ptrdiff_t n;
    int rc;

    buf = malloc(HASH_CHUNK);
    if (buf == NULL)
        return SECIP_ENOMEM;
    rc = spl_file_open(path, SPL_FILE_READ, &f);
    if (rc < 0) {
        free(buf);
        return rc;
    }
    br_sha256_init(&ctx);
    /* A short read is not the end: only 0 is. */
    while ((n = spl_file_pread(f, buf, HASH_CHUNK, off)) > 0) {
        br_sha256_update(&ctx, buf, (size_t)n);
        off += (uint64_t)n;
    }
    spl_file_close(f);
    free(buf);
    if (n < 0)
        return (int)n;
    br_sha256_out(&ctx, digest);
    cli_hex32(digest, hex);
    if (size != NULL)
        *size = off;
    return 0;
}
