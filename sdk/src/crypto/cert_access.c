/*
 * sdk/src/crypto/cert_access.c -- read-only accessors of secip_cert.
 */
#include <string.h>

#include "crypto/cert_internal.h"
#include "crypto/key_internal.h"
#include "crypto/util.h"
#include "error.h"

const char *secip_cert_subject_cn(const secip_cert *cert)
{
    return cert != NULL ? cert->subject_cn : "";
}

const char *secip_cert_subject_o(const secip_cert *cert)
{
    return cert != NULL ? cert->subject_o : "";
}

const char *secip_cert_issuer_cn(const secip_cert *cert)
{
    return cert != NULL ? cert->issuer_cn : "";
}

const char *secip_cert_serial_hex(const secip_cert *cert)
{
    return cert != NULL ? cert->serial_hex : "";
}

int64_t secip_cert_not_before(const secip_cert *cert)
{
    return cert != NULL ? cert->not_before : 0;
}

int64_t secip_cert_not_after(const secip_cert *cert)
{
    return cert != NULL ? cert->not_after : 0;
}

size_t secip_cert_dns_count(const secip_cert *cert)
{
    return cert != NULL ? cert->dns_count : 0;
}

const char *secip_cert_dns_name(const secip_cert *cert, size_t i)
{
    return cert != NULL && i < cert->dns_count ? cert->dns[i] : NULL;
}

size_t secip_cert_ip_count(const secip_cert *cert)
{
    return cert != NULL ? cert->ip_count : 0;
}

const char *secip_cert_ip(const secip_cert *cert, size_t i)
{
    return cert != NULL && i < cert->ip_count ? cert->ips[i].text : NULL;
}

int secip_cert_is_ca(const secip_cert *cert)
{
    return cert != NULL && cert->is_ca;
}

int secip_cert_path_len(const secip_cert *cert)
{
    return cert != NULL ? cert->path_len : -1;
}

unsigned secip_cert_key_usage(const secip_cert *cert)
{
    return cert != NULL ? cert->key_usage : 0;
}

unsigned secip_cert_ext_key_usage(const secip_cert *cert)
{
    return cert != NULL ? cert->ext_key_usage : 0;
}

const unsigned char *secip_cert_der(const secip_cert *cert, size_t *len)
{
    if (cert == NULL) {
        if (len != NULL)
            *len = 0;
        return NULL;
    }
    if (len != NULL)
        *len = cert->der_len;
    return cert->der;
}

int secip_cert_public_key(const secip_cert *cert, secip_key **out)
{
    if (cert == NULL || out == NULL)
        return sp_error_set(SECIP_EINVAL,
                            "secip_cert_public_key: NULL argument");
    return sp_key_parse_spki(cert->spki.p, cert->spki.len, out);
}

int secip_cert_fingerprint(const secip_cert *cert,
                           char hex[SECIP_FINGERPRINT_HEX_LEN + 1])
{
    if (cert == NULL || hex == NULL)
        return sp_error_set(SECIP_EINVAL,
                            "secip_cert_fingerprint: NULL argument");
    unsigned char h[32];
    sp_sha256(cert->der, cert->der_len, h);
    sp_hex_encode(h, sizeof h, hex);
    return 0;
}

void secip_cert_options_init(secip_cert_options *opts)
{
    if (opts == NULL)
        return;
    memset(opts, 0, sizeof *opts);
    opts->path_len = -1;
}
