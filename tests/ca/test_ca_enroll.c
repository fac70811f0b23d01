/*
 * tests/ca/test_ca_enroll.c -- enrollment end to end: grants, the distinct
 * denials, issued certificates that verify (also with `openssl verify`
 * where available), renewal, the signed revocation list, a cert-mode
 * server refusing a revoked client once it refreshes its list (and a
 * client refusing a revoked server), and changes made through another
 * database handle (as the secip-ca tool does) seen without a restart.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca_util.h"

static const char small_key[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDGyLOGZgSp5AHKPoBFfw5K4NNd\n"
    "QQpDAsw1qZvN+oja9nD2hl05LD5QoQ1Iyqrpm+Mzhta/1TMi4okhJSESZS3zVfjc\n"
    "8SNZHX38QjfalvlTuhGkyMIVod8cWZ4QZzaCiqA87RnTTVhomvnPBu7gVFQmWwHj\n"
    "4DVi4c2aPVN5lL0+EQIDAQAB\n"
    "-----END PUBLIC KEY-----\n";

static ct_ca ca;

static void expect_denied(const char *user, const char *pw,
                          const secip_key *key, const char *reason)
{
    secip_cert *cert = NULL;
    char why[SECIP_CA_REASON_MAX];
    spl_sleep_ms(20); /* past the (tiny) test back-off of earlier failures */
    CHECK_ERR(secip_ca_enroll("127.0.0.1", ca.port, ca.cert, user, pw, key,
                              NULL, 0, &cert, why),
              SECIP_EDENIED);
    CHECK(cert == NULL);
    tu_log("%s: denied (%s)", user, why);
    CHECK(strcmp(why, reason) == 0);
}

static void openssl_verify(const secip_cert *cert)
{
    const char *openssl = getenv("SECIP_TEST_OPENSSL");
    char cmd[2048], leaf[600], root[600];
    if (openssl == NULL) {
        tu_log("openssl verify: skipped (no openssl)");
        return;
    }
    snprintf(leaf, sizeof leaf, "%s/leaf.pem", ca.dir);
    snprintf(root, sizeof root, "%s/ca.pem", ca.dir);
    CHECK_OK(secip_cert_save_file(cert, leaf));
    CHECK_OK(secip_cert_save_file(ca.cert, root));
    snprintf(cmd, sizeof cmd, "\"%s\" verify -CAfile \"%s\" \"%s\"", openssl,
             root, leaf);
    CHECK(system(cmd) == 0);
}

/* Cert-mode server: echoes one text.  Revoked peers never get here: the
 * library refuses them in the handshake once a list is loaded. */
static void echo_one(secip_session *s, void *ud)
{
    (void)ud;
    secip_message *m = NULL;
    if (secip_session_receive(s, &m, 5000) == 0) {
        (void)secip_session_send_text(s, secip_message_text(m));
        secip_message_free(m);
    }
}

/* Connect with identity (key, cert) and echo one text: 0 or an error. */
static int try_session(uint16_t port, const secip_key *key,
                       const secip_cert *cert)
{
    secip_client *c = NULL;
    secip_session *s = NULL;
    secip_message *m = NULL;
    CHECK_OK(secip_client_new(&c));
    CHECK_OK(secip_client_set_ca(c, ca.cert));
    CHECK_OK(secip_client_set_identity(c, key, cert));
    CHECK_OK(secip_client_set_server_name(c, "localhost"));
    int rc = secip_client_connect(c, "127.0.0.1", port, 10000, &s);
    if (rc >= 0)
        rc = secip_session_send_text(s, "hello");
    if (rc >= 0)
        rc = secip_session_receive(s, &m, 5000);
    if (rc >= 0)
        CHECK(strcmp(secip_message_text(m), "hello") == 0);
    secip_message_free(m);
    secip_client_free(c);
    return rc;
}

/* A client in CA mode with list crl (and bob's identity, which the
 * server requires) connects to port: 0 or an error. */
static secip_key *id_key;
static secip_cert *id_cert;

static int try_server(uint16_t port, const secip_ca_crl *list)
{
    secip_client *c = NULL;
    secip_session *s = NULL;
    CHECK_OK(secip_client_new(&c));
    CHECK_OK(secip_client_set_ca(c, ca.cert));
    CHECK_OK(secip_client_set_server_name(c, "localhost"));
    CHECK_OK(secip_client_set_revocations(c, list));
    CHECK_OK(secip_client_set_identity(c, id_key, id_cert));
    int rc = secip_client_connect(c, "127.0.0.1", port, 10000, &s);
    secip_client_free(c);
    return rc;
}

static void test_revocation(secip_key *akey, secip_cert *acert, secip_key *bkey,
                            secip_cert *bcert)
{
    secip_key *skey = NULL;
    secip_cert *scert = NULL;
    secip_server *srv = NULL;
    const char *names[] = {"localhost", "127.0.0.1"};
    char serial[80];
    CHECK_OK(secip_key_generate(2048, &skey));
    CHECK_OK(secip_ca_db_add_user(ca.db, "server1", "server-pw", 0));
    CHECK_OK(secip_ca_enroll("127.0.0.1", ca.port, ca.cert, "server1",
                             "server-pw", skey, names, 2, &scert, NULL));
    CHECK(secip_cert_dns_count(scert) == 1 && secip_cert_ip_count(scert) == 1);
    CHECK_OK(secip_server_new(skey, &srv));
    CHECK_OK(secip_server_set_certificate(srv, scert));
    CHECK_OK(secip_server_require_client_cert(srv, ca.cert));
    CHECK_OK(secip_server_set_handler(srv, echo_one, NULL));
    CHECK_OK(secip_server_start(srv, "127.0.0.1", 0));
    uint16_t port = secip_server_port(srv);

    /* The server loads the CA's current (empty) list. */
    secip_ca_crl *list = NULL;
    CHECK_OK(secip_ca_fetch_revocations("127.0.0.1", ca.port, ca.cert, &list));
    CHECK(secip_ca_crl_count(list) == 0);
    CHECK_OK(secip_server_set_revocations(srv, list));
    secip_ca_crl_free(list); /* the server keeps its own reference */
    CHECK_OK(try_session(port, akey, acert));
    tu_log("alice talks to the cert-mode server before revocation");

    snprintf(serial, sizeof serial, "%s", secip_cert_serial_hex(acert));
    CHECK_OK(secip_ca_db_revoke(ca.db, serial));
    CHECK_ERR(secip_ca_db_revoke(ca.db, serial), SECIP_EEXIST);
    CHECK_OK(try_session(port, akey, acert)); /* the old list is loaded */
    tu_log("revoked alice still accepted until the server refreshes");

    /* The server refreshes its revocation list from the CA server. */
    CHECK_OK(secip_ca_fetch_revocations("127.0.0.1", ca.port, ca.cert, &list));
    CHECK(secip_ca_crl_count(list) >= 1);
    CHECK(secip_ca_crl_has_serial(list, serial));
    CHECK(secip_ca_crl_next_update(list) > secip_ca_crl_issued(list));
    CHECK_OK(secip_server_set_revocations(srv, list));
    CHECK(try_session(port, akey, acert) < 0);
    tu_log("revoked alice refused once the server refreshed its list: %s",
           secip_last_error());
    CHECK_OK(try_session(port, bkey, bcert));
    tu_log("bob (not revoked) still talks");
    CHECK_OK(secip_server_set_revocations(srv, NULL));
    CHECK_OK(try_session(port, akey, acert));
    CHECK_OK(secip_server_set_revocations(srv, list));
    CHECK(try_session(port, akey, acert) < 0);
    tu_log("removing the list lets alice in again; setting it refuses her");

    /* The other direction: a client refuses a revoked server. */
    id_key = bkey;
    id_cert = bcert;
    CHECK_OK(try_server(port, list)); /* server1 is not revoked yet */
    secip_ca_crl_free(list);
    CHECK_OK(secip_ca_db_revoke(ca.db, secip_cert_serial_hex(scert)));
    CHECK_OK(secip_ca_fetch_revocations("127.0.0.1", ca.port, ca.cert, &list));
    CHECK_OK(try_server(port, NULL)); /* without a list: accepted */
    CHECK_ERR(try_server(port, list), SECIP_EVERIFY);
    CHECK(strstr(secip_last_error(), "certificate revoked (serial ") != NULL);
    CHECK(strstr(secip_last_error(), secip_cert_serial_hex(scert)) != NULL);
    tu_log("client refuses the revoked server: %s", secip_last_error());
    secip_ca_crl_free(list);

    char why[SECIP_CA_REASON_MAX];
    secip_cert *again = NULL;
    CHECK_ERR(
        secip_ca_renew("127.0.0.1", ca.port, ca.cert, akey, acert, &again, why),
        SECIP_EDENIED);
    CHECK(strcmp(why, "revoked") == 0);
    secip_server_free(srv);
    secip_cert_free(scert);
    secip_key_free(skey);
}

static void test_small_key(void)
{
    json_object *req = json_object_new_object();
    json_object_object_add(req, "op", json_object_new_string("enroll"));
    json_object_object_add(req, "username", json_object_new_string("bob"));
    json_object_object_add(req, "password", json_object_new_string("bob-pw"));
    json_object_object_add(req, "public_key",
                           json_object_new_string(small_key));
    json_object *ans = ct_ca_raw(&ca, req);
    CHECK(strcmp(ct_reason(ans), "key too small") == 0);
    json_object_put(ans);
    req = json_object_new_object();
    json_object_object_add(req, "op", json_object_new_string("bogus"));
    ans = ct_ca_raw(&ca, req);
    CHECK(strcmp(ct_reason(ans), "unknown operation") == 0);
    json_object_put(ans);
    tu_log("1024-bit key and unknown operation refused");
}

static void test_admin(secip_key *akey, secip_cert *acert, secip_key *bkey,
                       secip_cert *bcert)
{
    secip_key *rkey = NULL;
    secip_cert *rcert = NULL;
    char why[SECIP_CA_REASON_MAX];
    CHECK_OK(secip_key_generate(2048, &rkey));
    CHECK_OK(secip_ca_db_add_user(ca.db, "root", "root-pw", 1));
    CHECK_OK(secip_request_certificate("127.0.0.1", ca.port, ca.cert, "root",
                                       "root-pw", rkey, &rcert));
    /* bob is no admin. */
    CHECK_ERR(secip_ca_admin("127.0.0.1", ca.port, ca.cert, bkey, bcert,
                             "disable", "carol", why),
              SECIP_EDENIED);
    CHECK(strcmp(why, "not an admin") == 0);
    /* A signature by another key than the certificate's is refused. */
    CHECK_ERR(secip_ca_admin("127.0.0.1", ca.port, ca.cert, akey, rcert,
                             "disable", "carol", why),
              SECIP_EDENIED);
    CHECK(strcmp(why, "bad signature") == 0);
    CHECK_OK(secip_ca_admin("127.0.0.1", ca.port, ca.cert, rkey, rcert,
                            "disable", "carol", why));
    expect_denied("carol", "carol-pw", bkey, "user disabled");
    CHECK_OK(secip_ca_admin("127.0.0.1", ca.port, ca.cert, rkey, rcert,
                            "revoke", secip_cert_serial_hex(bcert), why));
    CHECK_ERR(secip_ca_admin("127.0.0.1", ca.port, ca.cert, rkey, rcert,
                             "revoke", secip_cert_serial_hex(bcert), why),
              SECIP_EDENIED);
    CHECK(strcmp(why, "already revoked") == 0);
    secip_ca_crl *list = NULL;
    CHECK_OK(secip_ca_fetch_revocations("127.0.0.1", ca.port, ca.cert, &list));
    CHECK(secip_ca_crl_has_serial(list, secip_cert_serial_hex(bcert)));
    secip_ca_crl_free(list);
    (void)acert;
    tu_log("admin operations: only for the admin's proven certificate");
    secip_cert_free(rcert);
    secip_key_free(rkey);
}

int main(void)
{
    secip_ca_policy pol;
    secip_ca_policy_init(&pol);
    pol.throttle_base_ms = 1;
    pol.throttle_max_ms = 10;
    pol.throttle_window_ms = 10;
    ct_ca_start(&ca, "enroll", &pol);
    CHECK_OK(secip_ca_db_add_user(ca.db, "alice", "alice-pw", 0));
    CHECK_OK(secip_ca_db_add_user(ca.db, "bob", "bob-pw", 0));
    CHECK_OK(secip_ca_db_add_user(ca.db, "carol", "carol-pw", 0));
    CHECK_OK(secip_ca_db_set_enabled(ca.db, "carol", 0));

    secip_key *akey = NULL, *bkey = NULL;
    secip_cert *acert = NULL, *bcert = NULL, *renewed = NULL;
    CHECK_OK(secip_key_generate(2048, &akey));
    CHECK_OK(secip_key_generate(2048, &bkey));
    CHECK_OK(secip_request_certificate("127.0.0.1", ca.port, ca.cert, "alice",
                                       "alice-pw", akey, &acert));
    CHECK(strcmp(secip_cert_subject_cn(acert), "alice") == 0);
    CHECK_OK(secip_cert_verify(acert, ca.cert, NULL, 0, SECIP_EKU_CLIENT));
    int64_t life = secip_cert_not_after(acert) - secip_cert_not_before(acert);
    CHECK(life >= 365 * 86400 && life <= 365 * 86400 + 600);
    tu_log("alice enrolled: serial %s", secip_cert_serial_hex(acert));
    openssl_verify(acert);

    expect_denied("alice", "wrong-pw", akey, "wrong password");
    expect_denied("mallory", "alice-pw", akey, "unknown user");
    expect_denied("carol", "carol-pw", akey, "user disabled");
    test_small_key();

    /* Another handle on the same files: the server sees the change at the
     * next request (no restart). */
    secip_ca_db *other = NULL;
    CHECK_OK(secip_ca_db_open(ca.dir, 0, &other));
    CHECK_OK(secip_ca_db_set_enabled(other, "carol", 1));
    CHECK_OK(secip_ca_db_set_password(other, "bob", "bob-pw2"));
    secip_ca_db_free(other);
    secip_cert *ccert = NULL;
    CHECK_OK(secip_request_certificate("127.0.0.1", ca.port, ca.cert, "carol",
                                       "carol-pw", bkey, &ccert));
    secip_cert_free(ccert);
    expect_denied("bob", "bob-pw", bkey, "wrong password");
    spl_sleep_ms(20);
    CHECK_OK(secip_request_certificate("127.0.0.1", ca.port, ca.cert, "bob",
                                       "bob-pw2", bkey, &bcert));
    tu_log("changes through another handle seen without a restart");

    CHECK_OK(secip_ca_renew("127.0.0.1", ca.port, ca.cert, akey, acert,
                            &renewed, NULL));
    CHECK(strcmp(secip_cert_serial_hex(renewed),
                 secip_cert_serial_hex(acert)) != 0);
    CHECK_OK(secip_cert_verify(renewed, ca.cert, NULL, 0, SECIP_EKU_CLIENT));
    CHECK(strcmp(secip_cert_subject_cn(renewed), "alice") == 0);
    tu_log("alice renewed: serial %s", secip_cert_serial_hex(renewed));
    /* Renewal with a key that does not match the certificate fails. */
    secip_cert *bad = NULL;
    CHECK_ERR(
        secip_ca_renew("127.0.0.1", ca.port, ca.cert, bkey, acert, &bad, NULL),
        SECIP_EDENIED);

    test_revocation(akey, renewed, bkey, bcert);
    test_admin(akey, acert, bkey, bcert);

    json_object *list = NULL;
    CHECK_OK(secip_ca_db_list(ca.db, &list));
    const char *text = json_object_to_json_string(list);
    CHECK(strstr(text, "alice-pw") == NULL && strstr(text, "pbkdf2") == NULL);
    json_object_put(list);

    secip_cert_free(acert);
    secip_cert_free(bcert);
    secip_cert_free(renewed);
    secip_key_free(akey);
    secip_key_free(bkey);
    ct_ca_stop(&ca);
    tu_log("ok");
    return 0;
}
