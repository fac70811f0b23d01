/*
 * tools/secip/cmd_keygen.c -- `secip keygen --bits N --out NAME`: a new RSA
 * key pair written as NAME.key (PKCS#8 PEM, owner-only) and NAME.pub (SPKI
 * PEM).  Existing files are not overwritten unless --force is given.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "platform.h"
#include "secip/key.h"

#define PATH_MAX_LEN 4096

static int exists(const char *path)
{
    spl_file *f;
    if (spl_file_open(path, SPL_FILE_READ, &f) < 0)
        return 0;
    spl_file_close(f);
    return 1;
}

int cmd_keygen(int argc, char **argv)
{
    unsigned long bits = 2048;
    const char *out = NULL;
    int force = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--bits") == 0 && i + 1 < argc) {
            char *end;
            bits = strtoul(argv[++i], &end, 10);
            if (*end != '\0' || bits > 65536)
                return tool_fail("--bits wants 2048, 3072 or 4096");
        } else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
            out = argv[++i];
        } else if (strcmp(argv[i], "--force") == 0) {
            force = 1;
        } else {
            fprintf(stderr, "usage: secip keygen --bits 2048|3072|4096 "
                            "--out NAME [--force]\n");
            return 2;
        }
    }
    if (out == NULL || out[0] == '\0') {
        fprintf(stderr, "secip keygen: --out NAME is required\n");
        return 2;
    }
    if (strlen(out) > PATH_MAX_LEN)
        return tool_fail("--out name is too long");
    char keyf[PATH_MAX_LEN + 8], pubf[PATH_MAX_LEN + 8];
    snprintf(keyf, sizeof keyf, "%s.key", out);
    snprintf(pubf, sizeof pubf, "%s.pub", out);
    if (!force && (exists(keyf) || exists(pubf)))
        return tool_fail("%s or %s already exists (use --force to replace)",
                         keyf, pubf);

    secip_key *key;
    char fp[SECIP_FINGERPRINT_HEX_LEN + 1];
    uint64_t t0 = spl_clock_ms();
    if (secip_key_generate((unsigned)bits, &key) < 0)
        return tool_fail("%s", secip_last_error());
    uint64_t ms = spl_clock_ms() - t0;
    int rc = secip_key_save_private(key, keyf);
    if (rc == 0)
        rc = secip_key_save_public(key, pubf);
    if (rc == 0)
        rc = secip_key_fingerprint(key, fp);
    secip_key_free(key);
    if (rc < 0)
        return tool_fail("%s", secip_last_error());
    printf("generated RSA-%lu key in %.1f s\n", bits, (double)ms / 1000.0);
    printf("private key: %s (owner-only)\n", keyf);
    printf("public key:  %s\n", pubf);
    printf("fingerprint: %s\n", fp);
    return 0;
}
