/*
 * tools/secip/cli_util.c -- helpers shared by `secip serve` and `secip send`
 * (see cli_util.h).
 */
#include "cli_util.h"

#include <bearssl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

int cli_parse_uint(const char *s, unsigned long min, unsigned long max,
                   unsigned long *out)
{
    char *end;
    unsigned long v;
    if (s == NULL || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int cli_parse_hostport(const char *s, char host[CLI_HOST_MAX + 1],
                       uint16_t *port)
{
    const char *colon, *hs = s;
    size_t hlen;
    unsigned long p;

    if (s == NULL)
        return -1;
    if (s[0] == '[') { /* [IPv6]:PORT, the brackets are not the host's */
        const char *close = strchr(s, ']');
        if (close == NULL || close[1] != ':')
            return -1;
        hs = s + 1;
        hlen = (size_t)(close - hs);
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (colon == NULL)
            return -1;
        hlen = (size_t)(colon - s);
    }
    if (hlen == 0 || hlen > CLI_HOST_MAX)
        return -1;
    if (cli_parse_uint(colon + 1, 0, 65535, &p) < 0)
        return -1;
    memcpy(host, hs, hlen);
    host[hlen] = '\0';
    *port = (uint16_t)p;
    return 0;
}

int cli_read_file(const char *path, size_t max, unsigned char **data,
                  size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t n = 0, cap = 0;

    if (f == NULL) {
        tool_fail("cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    /* Grow as we read rather than trusting a size query: the file may be a
     * pipe, or change under us.  max bounds what we ever allocate. */
    for (;;) {
        if (n == cap) {
            size_t ncap = cap == 0 ? 65536 : cap * 2;
            unsigned char *nb;
            if (ncap > max + 1)
                ncap = max + 1;
            if (ncap <= cap) {
                fclose(f);
                free(buf);
                tool_fail("%s is larger than %llu bytes", path,
                          (unsigned long long)max);
                return -1;
            }
            nb = realloc(buf, ncap + 1);
            if (nb == NULL) {
                fclose(f);
                free(buf);
                tool_fail("out of memory reading %s", path);
                return -1;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        fclose(f);
        free(buf);
        tool_fail("cannot read %s", path);
        return -1;
    }
    fclose(f);
    if (n > max) {
        free(buf);
        tool_fail("%s is larger than %llu bytes", path,
                  (unsigned long long)max);
        return -1;
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return 0;
}

void cli_sha256_hex(const void *data, size_t len, char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    br_sha256_context ctx;
    unsigned char out[32];

    br_sha256_init(&ctx);
    br_sha256_update(&ctx, data, len);
    br_sha256_out(&ctx, out);
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[out[i] >> 4];
        hex[2 * i + 1] = digits[out[i] & 15];
    }
    hex[64] = '\0';
}

/* Escape like tool_print_safe, but over a length: TEXT may hold U+0000. */
static void print_safe_len(FILE *f, const unsigned char *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (p[i] < 0x20 || p[i] >= 0x7f)
            fprintf(f, "\\x%02x", p[i]);
        else
            fputc(p[i], f);
    }
}

void cli_print_message(FILE *f, const secip_message *m)
{
    int type = secip_message_type(m);
    size_t len = 0;
    const unsigned char *data = secip_message_data(m, &len);
    char hex[65];

    fputs(secip_message_type_name(type), f);
    if (type == SECIP_BYTES || type == SECIP_FILE) {
        cli_sha256_hex(data, len, hex);
        fprintf(f, " %llu %s\n", (unsigned long long)len, hex);
        return;
    }
    fputc(' ', f);
    print_safe_len(f, data, len);
    fputc('\n', f);
}
