/*
 * tools/secip/cli_util.h -- small helpers shared by the `secip serve` and
 * `secip send` subcommands: HOST:PORT parsing, whole-file loading, SHA-256
 * in hex, and the one-line rendering of a received message.
 */
#ifndef SECIP_TOOLS_CLI_UTIL_H
#define SECIP_TOOLS_CLI_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "secip/message.h"

/** Longest host part accepted in HOST:PORT. */
#define CLI_HOST_MAX 255

/**
 * Split "HOST:PORT" (or "[IPv6]:PORT") into host (NUL-terminated, at most
 * CLI_HOST_MAX bytes) and port (0..65535).  Returns 0, or -1 with nothing
 * useful in host when s is malformed.
 */
int cli_parse_hostport(const char *s, char host[CLI_HOST_MAX + 1],
                       uint16_t *port);

/**
 * Read the whole file at path into a new buffer of *len bytes (plus a NUL
 * not counted), refusing files larger than max bytes.  The caller frees
 * *data with free().  Returns 0, or -1 after printing "secip: <reason>" on
 * stderr.
 */
int cli_read_file(const char *path, size_t max, unsigned char **data,
                  size_t *len);

/** SHA-256 of data[0..len-1] as 64 lowercase hex digits and a NUL. */
void cli_sha256_hex(const void *data, size_t len, char hex[65]);

/**
 * Print the one-line summary of m on f: "TEXT <text>", "BYTES <n> <sha256>",
 * "OBJECT <json>", "LIST <json>" or "FILE <n> <sha256>", with control
 * characters and non-ASCII bytes escaped (\xNN), followed by a newline.
 * The caller serialises concurrent callers.
 */
void cli_print_message(FILE *f, const secip_message *m);

/**
 * Parse an unsigned decimal number in [min, max] from s into *out.
 * Returns 0, or -1 when s is not such a number.
 */
int cli_parse_uint(const char *s, unsigned long min, unsigned long max,
                   unsigned long *out);

#endif /* SECIP_TOOLS_CLI_UTIL_H */
