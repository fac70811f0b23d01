/*
 * A one-file consumer of an installed secip SDK: built by the install tests
 * with pkg-config (cc app.c $(pkg-config --cflags --libs secip)) and with
 * CMake (find_package(secip), CMakeLists.txt beside this file), on Linux and
 * for Windows.  It exercises the public API end to end without a network:
 * generate a key, issue a self-signed CA certificate, verify it against
 * itself, print both fingerprints, and check secip_strerror().
 *
 * With arguments HOST PORT PIN it then also completes a verified secure
 * session against a running `secip serve` (whose key fingerprint is PIN):
 * connect in pinned mode, send a TEXT message, receive the echo and check
 * that the session is verified and the echo identical.
 *
 * Prints "consumer: ok" and exits 0 on success; exits 1 with the error
 * detail otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <secip/secip.h>

static int fail(const char *what, int rc)
{
    fprintf(stderr, "consumer: %s failed: %s (%s)\n", what, secip_strerror(rc),
            secip_last_error());
    return 1;
}

/* Pinned session against `secip serve`: send, receive the echo, compare. */
static int session_check(const char *host, const char *port, const char *pin)
{
    static const char hello[] = "hello from an installed consumer";
    secip_client *c = NULL;
    secip_session *s = NULL;
    secip_message *m = NULL;
    int rc, status = 1;

    if ((rc = secip_client_new(&c)) != SECIP_OK)
        return fail("secip_client_new", rc);
    if ((rc = secip_client_set_pin(c, pin)) != SECIP_OK) {
        fail("secip_client_set_pin", rc);
        goto out;
    }
    rc = secip_client_connect(c, host, (uint16_t)atoi(port), 10000, &s);
    if (rc != SECIP_OK) {
        fail("secip_client_connect", rc);
        goto out;
    }
    if (!secip_session_verified(s)) {
        fprintf(stderr, "consumer: session is not verified\n");
        goto out;
    }
    if ((rc = secip_session_send_text(s, hello)) != SECIP_OK) {
        fail("secip_session_send_text", rc);
        goto out;
    }
    if ((rc = secip_session_receive(s, &m, 10000)) != SECIP_OK) {
        fail("secip_session_receive", rc);
        goto out;
    }
    if (secip_message_type(m) != SECIP_TEXT ||
        strcmp(secip_message_text(m), hello) != 0) {
        fprintf(stderr, "consumer: the echo differs from what was sent\n");
        goto out;
    }
    printf("consumer: verified session with %s:%s, echo matches\n", host, port);
    status = 0;
out:
    secip_message_free(m);
    secip_client_free(c);
    return status;
}

int main(int argc, char **argv)
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
    if (argc == 4 && session_check(argv[1], argv[2], argv[3]) != 0)
        goto out;
    printf("consumer: ok\n");
    status = 0;
out:
    secip_cert_free(cert);
    secip_key_free(key);
    return status;
}
