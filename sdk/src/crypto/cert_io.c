/*
 * sdk/src/crypto/cert_io.c -- certificates in and out: DER, PEM, files,
 * chains, and freeing.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/cert_internal.h"
#include "crypto/fileio.h"
#include "crypto/pem.h"
#include "crypto/util.h"
#include "error.h"

void secip_cert_free(secip_cert *cert)
{
    if (cert == NULL)
        return;
    for (size_t i = 0; i < cert->chain_len; i++)
        secip_cert_free(cert->chain[i]);
    free(cert->chain);
    for (size_t i = 0; i < cert->dns_count; i++)
        free(cert->dns[i]);
    free(cert->dns);
    free(cert->ips);
    free(cert->subject_cn);
    free(cert->subject_o);
    free(cert->issuer_cn);
    free(cert->der);
    free(cert);
}

int secip_cert_load_der(const void *der, size_t len, secip_cert **out)
{
    if (out == NULL || (der == NULL && len > 0))
        return sp_error_set(SECIP_EINVAL, "secip_cert_load_der: NULL argument");
    return sp_cert_parse(der, len, out);
}

/* Appends c (taking it) to cert's chain. */
static int chain_push(secip_cert *cert, secip_cert *c)
{
    if (cert->chain_len >= SP_CERT_MAX_CHAIN) {
        secip_cert_free(c);
        return sp_error_set(SECIP_ETOOBIG,
                            "certificate chain longer than %d certificates",
                            SP_CERT_MAX_CHAIN);
    }
    secip_cert **n =
        realloc(cert->chain, (cert->chain_len + 1) * sizeof *cert->chain);
    if (n == NULL) {
        secip_cert_free(c);
        return sp_error_set(SECIP_ENOMEM, "out of memory for a chain");
    }
    cert->chain = n;
    cert->chain[cert->chain_len++] = c;
    return 0;
}

int secip_cert_load_pem(const char *pem, size_t len, secip_cert **out)
{
    if (out == NULL || pem == NULL)
        return sp_error_set(SECIP_EINVAL, "secip_cert_load_pem: NULL argument");
    *out = NULL;
    sp_pem_obj *objs;
    size_t count;
    int rc = sp_pem_decode(pem, len, &objs, &count);
    if (rc < 0)
        return rc;
    secip_cert *first = NULL;
    size_t index = 0;
    for (size_t i = 0; i < count && rc == 0; i++) {
        if (strcmp(objs[i].name, "CERTIFICATE") != 0 &&
            strcmp(objs[i].name, "X509 CERTIFICATE") != 0)
            continue;
        secip_cert *c;
        rc = sp_cert_parse(objs[i].der, objs[i].len, &c);
        if (rc < 0) {
            sp_error_wrap(rc, "certificate %lu of the PEM text",
                          (unsigned long)index + 1);
            break;
        }
        index++;
        if (first == NULL)
            first = c;
        else
            rc = chain_push(first, c);
    }
    sp_pem_free(objs, count);
    if (rc == 0 && first == NULL)
        rc = sp_error_set(SECIP_EFORMAT, "no CERTIFICATE in the PEM text");
    if (rc < 0) {
        secip_cert_free(first);
        return rc;
    }
    *out = first;
    return 0;
}

int secip_cert_load_file(const char *path, secip_cert **out)
{
    if (out == NULL || path == NULL)
        return sp_error_set(SECIP_EINVAL,
                            "secip_cert_load_file: NULL argument");
    *out = NULL;
    char *text;
    size_t len;
    int rc = sp_file_read_all(path, SP_PEM_MAX_TEXT, &text, &len);
    if (rc < 0)
        return rc;
    rc = secip_cert_load_pem(text, len, out);
    if (rc < 0)
        sp_error_wrap(rc, "%s", path);
    free(text);
    return rc;
}

static int cert_pem(const secip_cert *cert, char **text, size_t *len)
{
    *text = NULL;
    *len = 0;
    int rc = sp_pem_append(text, len, "CERTIFICATE", cert->der, cert->der_len);
    for (size_t i = 0; rc == 0 && i < cert->chain_len; i++)
        rc = sp_pem_append(text, len, "CERTIFICATE", cert->chain[i]->der,
                           cert->chain[i]->der_len);
    if (rc < 0) {
        free(*text);
        *text = NULL;
    }
    return rc;
}

int secip_cert_to_pem(const secip_cert *cert, char *buf, size_t cap)
{
    if (cert == NULL)
        return sp_error_set(SECIP_EINVAL, "secip_cert_to_pem: cert is NULL");
    char *text;
    size_t len;
    int rc = cert_pem(cert, &text, &len);
    if (rc < 0)
        return rc;
    if (len + 1 > 0x7fffffff) {
        free(text);
        return sp_error_set(SECIP_ETOOBIG, "PEM output too large");
    }
    if (buf == NULL || cap < len + 1) {
        rc = (int)(len + 1);
    } else {
        memcpy(buf, text, len + 1);
        rc = (int)len;
    }
    free(text);
    return rc;
}

int secip_cert_save_file(const secip_cert *cert, const char *path)
{
    if (cert == NULL || path == NULL)
        return sp_error_set(SECIP_EINVAL,
                            "secip_cert_save_file: NULL argument");
    char *text;
    size_t len;
    int rc = cert_pem(cert, &text, &len);
    if (rc < 0)
        return rc;
    rc = sp_file_write_atomic(path, text, len, 0);
    free(text);
    return rc;
}

int secip_cert_chain_append(secip_cert *cert, const secip_cert *extra)
{
    if (cert == NULL || extra == NULL)
        return sp_error_set(SECIP_EINVAL,
                            "secip_cert_chain_append: NULL argument");
    if (cert->chain_len + 1 + extra->chain_len > SP_CERT_MAX_CHAIN)
        return sp_error_set(SECIP_ETOOBIG,
                            "certificate chain longer than %d certificates",
                            SP_CERT_MAX_CHAIN);
    for (size_t i = 0; i <= extra->chain_len; i++) {
        const secip_cert *src = i == 0 ? extra : extra->chain[i - 1];
        secip_cert *c;
        int rc = sp_cert_parse(src->der, src->der_len, &c);
        if (rc == 0)
            rc = chain_push(cert, c);
        if (rc < 0)
            return rc;
    }
    return 0;
}

size_t secip_cert_chain_length(const secip_cert *cert)
{
    return cert != NULL ? cert->chain_len : 0;
}

const secip_cert *secip_cert_chain_get(const secip_cert *cert, size_t i)
{
    if (cert == NULL || i >= cert->chain_len)
        return NULL;
    return cert->chain[i];
}

int sp_cert_br_chain(const secip_cert *cert, br_x509_certificate **out,
                     size_t *count)
{
    *out = NULL;
    *count = 0;
    if (cert == NULL)
        return sp_error_set(SECIP_EINVAL, "certificate is NULL");
    size_t n = 1 + cert->chain_len;
    br_x509_certificate *v = calloc(n, sizeof *v);
    if (v == NULL)
        return sp_error_set(SECIP_ENOMEM, "out of memory for a chain");
    for (size_t i = 0; i < n; i++) {
        const secip_cert *c = i == 0 ? cert : cert->chain[i - 1];
        v[i].data = c->der;
        v[i].data_len = c->der_len;
    }
    *out = v;
    *count = n;
    return 0;
}

void sp_cert_br_time(int64_t t, uint32_t *days, uint32_t *seconds)
{
    /* BearSSL counts days from 0000-01-01; 1970-01-01 is day 719528. */
    int64_t d = t / 86400, s = t % 86400;
    if (s < 0) {
        s += 86400;
        d--;
    }
    d += 719528;
    *days = d < 0 ? 0 : (uint32_t)d;
    *seconds = (uint32_t)s;
}
