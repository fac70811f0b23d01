/*
 * sdk/src/crypto/pem.h -- internal: PEM decoding into a list of objects
 * (on br_pem_decoder) and PEM encoding (on br_pem_encode).
 */
#ifndef SP_CRYPTO_PEM_H
#define SP_CRYPTO_PEM_H

#include <stddef.h>

/** Largest PEM text secip parses (keys, certificates, chains). */
#define SP_PEM_MAX_TEXT (1u << 20)
/** Largest single decoded object. */
#define SP_PEM_MAX_OBJECT (64u * 1024u)
/** Most objects one text may hold. */
#define SP_PEM_MAX_OBJECTS 32

typedef struct sp_pem_obj {
    char name[128];     /* banner, e.g. "CERTIFICATE" */
    unsigned char *der; /* decoded bytes (owned) */
    size_t len;
} sp_pem_obj;

/**
 * Decode every PEM object of text[0..len-1].  Text outside objects is
 * ignored (OpenSSL writes comments there).  Ownership: *objs is freed with
 * sp_pem_free(), which wipes the bytes (they may be private keys).
 * Errors (detail recorded): SECIP_EFORMAT (no object, bad base64, missing
 * END line), SECIP_ETOOBIG, SECIP_ENOMEM.
 */
int sp_pem_decode(const char *text, size_t len, sp_pem_obj **objs,
                  size_t *count);

void sp_pem_free(sp_pem_obj *objs, size_t count);

/**
 * Append the PEM encoding of der under banner to *buf (a malloc'd,
 * NUL-terminated string of *len bytes; both start as NULL/0).
 * Errors: SECIP_ENOMEM, SECIP_ETOOBIG.
 */
int sp_pem_append(char **buf, size_t *len, const char *banner, const void *der,
                  size_t der_len);

#endif /* SP_CRYPTO_PEM_H */
