/*
 * A one-file consumer of an installed secip SDK: built by the install tests
 * with pkg-config (cc app.c $(pkg-config --cflags --libs secip)) and with
 * CMake (find_package(secip), CMakeLists.txt beside this file), on Linux and
 * for Windows.  It exercises the public API end to end without a network:
 * generate a key, issue a self-signed CA certificate, verify it against
 * itself, print both fingerprints, and check secip_strerror().
 *
 * Prints "consumer: ok" and exits 0 on success; exits 1 with the error
 * detail otherwise.
 */
#include <stdio.h>
#include <string.h>

#include <secip/secip.h>

static int fail(const char *what, int rc)
{
    fprintf(stderr, "consumer: %s failed: %s (%s)\n", what, secip_strerror(rc),
            secip_last_error());
    return 1;
}

int main(void)
{
    secip_key *key = NULL;
    secip_cert *cert = NULL;
    char key_fp[SECIP_FINGERPRINT_HEX_LEN + 1];
    char cert_fp[SECIP_FINGERPRINT_HEX_LEN + 1];
    const char *text;
    int rc;
    int status = 1;

    rc = secip_key_generate(2048, &key);
    if (rc != SECIP_OK) {
        return fail("secip_key_generate", rc);
    }
    rc = secip_cert_create_ca(key, "consumer test CA", "secip", 1, &cert);
    if (rc != SECIP_OK) {
        fail("secip_cert_create_ca", rc);
        goto out;
    }
    rc = secip_cert_verify(cert, cert, NULL, 0, 0);
    if (rc != SECIP_OK) {
        fail("secip_cert_verify", rc);
        goto out;
    }
    rc = secip_key_fingerprint(key, key_fp);
    if (rc != SECIP_OK) {
        fail("secip_key_fingerprint", rc);
        goto out;
    }
    rc = secip_cert_fingerprint(cert, cert_fp);
    if (rc != SECIP_OK) {
        fail("secip_cert_fingerprint", rc);
        goto out;
    }
    /* A library error code must map to a real sentence. */
    text = secip_strerror(SECIP_EVERIFY);
    if (text == NULL || strlen(text) == 0 ||
        strlen(key_fp) != SECIP_FINGERPRINT_HEX_LEN) {
        fprintf(stderr, "consumer: unexpected strerror or fingerprint\n");
        goto out;
    }
    printf("consumer: CN %s, key %s\n", secip_cert_subject_cn(cert), key_fp);
    printf("consumer: cert sha256 %s\n", cert_fp);
    printf("consumer: strerror(SECIP_EVERIFY) = %s\n", text);
    printf("consumer: ok\n");
    status = 0;
out:
    secip_cert_free(cert);
    secip_key_free(key);
    return status;
}
