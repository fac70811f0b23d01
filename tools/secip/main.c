/*
 * tools/secip/main.c -- the `secip` command-line program: a dispatcher
 * that hands argv to the subcommand named by argv[1].
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *usage;
} command;

static const command commands[] = {
    {"keygen", cmd_keygen,
     "keygen --bits 2048|3072|4096 --out NAME [--force]\n"
     "      generate an RSA key: NAME.key (PKCS#8, owner-only), NAME.pub"},
    {"cert", cmd_cert,
     "cert show FILE\n"
     "      print the certificates of a PEM file"},
    {"serve", cmd_serve,
     "serve --listen HOST:PORT [--key K.key [--cert C.pem]]\n"
     "            [--ca CA.pem --require-client-cert] [--threads N] [--once]\n"
     "      echo server: print each message received and send it back"},
    {"send", cmd_send,
     "send --connect HOST:PORT (--ca CA.pem [--name N] | --pin SHA256 |\n"
     "            --insecure) (--text T | --bytes-file F | --json-file F)\n"
     "      send one message and check its echo"},
    {"enroll", cmd_enroll,
     "enroll --ca HOST:PORT --ca-cert CA.pem --user NAME --out PREFIX\n"
     "            [--password-file F] [--name DNS|IP]...\n"
     "      get a certificate from a secip CA: PREFIX.key, PREFIX.pem\n"
     "      (password from --password-file or SECIP_PASSWORD)"},
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
    fprintf(f, "usage: secip <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  secip %s\n", commands[i].usage);
}

int tool_fail(const char *fmt, ...)
{
    va_list ap;
    fputs("secip: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 1;
}

void tool_print_safe(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p < 0x20 || *p >= 0x7f)
            fprintf(f, "\\x%02x", *p);
        else
            fputc(*p, f);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "secip: unknown command \"");
    tool_print_safe(stderr, argv[1]);
    fprintf(stderr, "\"\n");
    usage(stderr);
    return 2;
}
