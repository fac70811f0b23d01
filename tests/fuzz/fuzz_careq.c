/*
 * tests/fuzz/fuzz_careq.c -- libFuzzer target: the CA server's request
 * handlers (sdk/src/ca/ca_ops.c, ca_admin.c) on hostile JSON objects, with
 * a real user database and a real CA.
 *
 * Once per process: a scratch directory with users.json (PBKDF2 at the
 * minimum 1000 iterations) holding "alice" (password "alice-pw"), the
 * admin "root" ("root-pw") and the disabled "bob" ("bob-pw"); a 2048-bit
 * CA key and CA certificate; one 2048-bit client key, certified for alice
 * and for root by real enroll requests.  That database is the pristine
 * copy every input starts from.
 *
 * Input: up to MAX_REQ requests, one per line, each the text of the
 * OBJECT message a CA client sends, handled in order on one simulated
 * session (so "challenge" then "renew" / "admin" works).  The session
 * layer's intake is applied first: a line that is not UTF-8 or not one
 * JSON object ends the session, as it would on the wire.  Top-level string
 * values that are placeholders are replaced before the request is handled,
 * so the fuzzer can reach the paths behind a signature:
 *   "$CERT"  alice's certificate     "$ROOT" root's certificate
 *   "$PUB"   the client public key   "$CA"   the CA certificate
 *   "$SERIAL" the serial of alice's certificate
 *   "$SIG"   the client key's signature of the proof text for this
 *            request's op, certificate and the session's current nonce.
 * The requests go through sp_ca_handle(), the dispatcher the CA server's
 * handler uses (enroll, challenge, renew, admin, revocations, else "unknown
 * operation"); the handlers run with no session (peer address "").
 *
 * Invariants: every request gets an answer, a JSON object whose "status"
 * is "granted", "denied" (with a "reason") or "ok", that serialises and
 * never carries a password or hash; "granted" carries a certificate that
 * chains to the CA for client use, names an enabled user of the database,
 * and comes with the CA certificate and its serial; "ok" answers carry a
 * fresh 64-hex nonce (challenge) or a revocation list signed by the CA
 * (revocations); afterwards the database still loads.  ASan/UBSan: no
 * crash, no leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ca/ca_server_impl.h"
#include "crypto/fileio.h"
#include "platform.h"
#include "secip/ca.h"
#include "secip/cert.h"
#include "secip/key.h"
#include "secip/password.h"
#include "secip/random.h"
#include "session/frame.h"
#include "session/json_intake.h"
#include "session/utf8.h"

#include "fuzz_util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_REQ  8
#define MAX_LINE (64u * 1024u)

static char g_dir[512], g_users[600], g_lock[600], g_audit[600];
static secip_key *g_ca_key, *g_key;
static secip_cert *g_ca_cert;
static char *g_ca_pem, *g_alice_pem, *g_root_pem, *g_pub_pem;
static char g_alice_serial[64];
static int g_debug;
static secip_ca_db *g_db;
static secip_ca_server *g_ca;
static char *g_pristine;
static size_t g_pristine_len;

static void cleanup(void)
{
    secip_ca_server_free(g_ca);
    secip_ca_db_free(g_db);
    secip_cert_free(g_ca_cert);
    secip_key_free(g_ca_key);
    secip_key_free(g_key);
    free(g_ca_pem);
    free(g_alice_pem);
    free(g_root_pem);
    free(g_pub_pem);
    free(g_pristine);
    remove(g_users);
    remove(g_lock);
    remove(g_audit);
    spl_dir_remove(g_dir);
}

static char *cert_pem(const secip_cert *c)
{
    int need = secip_cert_to_pem(c, NULL, 0);
    char *p = need > 0 ? malloc((size_t)need) : NULL;
    if (p == NULL || secip_cert_to_pem(c, p, (size_t)need) < 0)
        abort();
    return p;
}

/* Certify the client key for user through a real enroll request. */
static char *enroll(const char *user, const char *password)
{
    json_object *req = json_object_new_object(), *v = NULL;
    json_object_object_add(req, "op", json_object_new_string("enroll"));
    json_object_object_add(req, "username", json_object_new_string(user));
    json_object_object_add(req, "password", json_object_new_string(password));
    json_object_object_add(req, "public_key",
                           json_object_new_string(g_pub_pem));
    json_object *a = sp_ca_enroll(g_ca, NULL, req);
    if (!json_object_object_get_ex(a, "certificate", &v))
        abort();
    char *pem = malloc(json_object_get_string_len(v) + 1);
    if (pem == NULL)
        abort();
    memcpy(pem, json_object_get_string(v), json_object_get_string_len(v) + 1);
    json_object_put(a);
    json_object_put(req);
    return pem;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char pub[SECIP_KEY_PEM_MAX];
    secip_ca_policy pol;
    (void)argc;
    (void)argv;
    fz_scratch_dir(g_dir, sizeof g_dir, "careq");
    snprintf(g_users, sizeof g_users, "%s/users.json", g_dir);
    snprintf(g_lock, sizeof g_lock, "%s/users.json.lock", g_dir);
    snprintf(g_audit, sizeof g_audit, "%s/audit.log", g_dir);
    atexit(cleanup);
    g_debug = getenv("FUZZ_CAREQ_DEBUG") != NULL;
    if (secip_ca_db_open(g_dir, 1, &g_db) < 0 ||
        secip_ca_db_set_iterations(g_db, SECIP_PASSWORD_MIN_ITERATIONS) < 0 ||
        secip_ca_db_add_user(g_db, "alice", "alice-pw", 0) < 0 ||
        secip_ca_db_add_user(g_db, "root", "root-pw", 1) < 0 ||
        secip_ca_db_add_user(g_db, "bob", "bob-pw", 0) < 0 ||
        secip_ca_db_set_enabled(g_db, "bob", 0) < 0)
        abort();
    if (secip_key_generate(2048, &g_ca_key) < 0 ||
        secip_key_generate(2048, &g_key) < 0 ||
        secip_cert_create_ca(g_ca_key, "fuzz CA", NULL, 3650, &g_ca_cert) < 0 ||
        secip_key_to_pem(g_key, 0, pub, sizeof pub) < 0)
        abort();
    g_pub_pem = malloc(strlen(pub) + 1);
    if (g_pub_pem == NULL)
        abort();
    memcpy(g_pub_pem, pub, strlen(pub) + 1);
    g_ca_pem = cert_pem(g_ca_cert);
    if (secip_ca_server_new(g_ca_key, g_ca_cert, &g_ca) < 0 ||
        secip_ca_server_set_database(g_ca, g_db, g_audit) < 0)
        abort();
    /* Throttling stays real but short, so that one input's failures
     * barely change how the next is answered. */
    secip_ca_policy_init(&pol);
    pol.throttle_base_ms = 1;
    pol.throttle_max_ms = 1;
    pol.throttle_window_ms = 1;
    if (secip_ca_server_set_policy(g_ca, &pol) < 0)
        abort();
    g_alice_pem = enroll("alice", "alice-pw");
    g_root_pem = enroll("root", "root-pw");
    {
        secip_cert *c = NULL;
        if (secip_cert_load_pem(g_alice_pem, strlen(g_alice_pem), &c) < 0)
            abort();
        snprintf(g_alice_serial, sizeof g_alice_serial, "%s",
                 secip_cert_serial_hex(c));
        secip_cert_free(c);
    }
    if (sp_file_read_all(g_users, 1u << 20, &g_pristine, &g_pristine_len) < 0)
        abort();
    return 0;
}

/* The signature "$SIG" stands for: over the proof text of this request. */
static json_object *signature(const sp_ca_conn *conn, json_object *req)
{
    const char *op = sp_json_str(req, "op", 0),
               *pem = sp_json_str(req, "certificate", 0);
    const char *action = sp_json_str(req, "action", 0),
               *target = sp_json_str(req, "target", 0);
    char fp[SECIP_FINGERPRINT_HEX_LEN + 1] = "", extra[300] = "";
    secip_cert *c = NULL;
    char *text, *sig = NULL;
    json_object *out;
    if (pem != NULL && secip_cert_load_pem(pem, strlen(pem), &c) == 0)
        (void)secip_cert_fingerprint(c, fp);
    secip_cert_free(c);
    if (action != NULL && target != NULL)
        snprintf(extra, sizeof extra, "%.100s\n%.100s\n", action, target);
    text = sp_ca_proof_text(op != NULL && strcmp(op, "admin") == 0
                                ? "secip-admin-v1"
                                : "secip-renew-v1",
                            conn->have_nonce ? conn->nonce : "", fp, extra);
    CHECK(text != NULL);
    CHECK(sp_ca_sign_b64(g_key, text, strlen(text), &sig) == 0);
    out = json_object_new_string(sig);
    free(sig);
    free(text);
    return out;
}

static void substitute(const sp_ca_conn *conn, json_object *req)
{
    static const char *const from[5] = {"$CERT", "$ROOT", "$PUB", "$CA",
                                        "$SERIAL"};
    const char *to[5] = {g_alice_pem, g_root_pem, g_pub_pem, g_ca_pem,
                         g_alice_serial};
    int want_sig = 0;
    json_object_object_foreach(req, key, v)
    {
        int hit = -1;
        if (!json_object_is_type(v, json_type_string))
            continue;
        for (int i = 0; i < 5; i++)
            if (strcmp(json_object_get_string(v), from[i]) == 0)
                hit = i;
        if (strcmp(json_object_get_string(v), "$SIG") == 0)
            want_sig = 1;
        /* Replaces (and releases) v; the walk goes on with the next key. */
        if (hit >= 0)
            json_object_object_add(req, key, json_object_new_string(to[hit]));
    }
    /* After the certificate is in place: the signature covers its
     * fingerprint. */
    if (want_sig) {
        json_object_object_foreach(req, k2, v2)
        {
            if (json_object_is_type(v2, json_type_string) &&
                strcmp(json_object_get_string(v2), "$SIG") == 0)
                json_object_object_add(req, k2, signature(conn, req));
        }
    }
}

/* The user named by cn is in the database and enabled. */
static int enabled_user(const char *cn)
{
    json_object *list = NULL, *users = NULL, *u = NULL, *e = NULL;
    int ok;
    CHECK(secip_ca_db_list(g_db, &list) == 0);
    ok = json_object_object_get_ex(list, "users", &users) &&
         json_object_object_get_ex(users, cn, &u) &&
         json_object_object_get_ex(u, "enabled", &e) &&
         json_object_get_boolean(e);
    json_object_put(list);
    return ok;
}

static void check_granted(json_object *a, const char *op)
{
    const char *pem = sp_json_str(a, "certificate", 0),
               *ca = sp_json_str(a, "ca_certificate", 0);
    const char *serial = sp_json_str(a, "serial", 0);
    secip_cert *c = NULL;
    CHECK(strcmp(op, "enroll") == 0 || strcmp(op, "renew") == 0);
    CHECK(pem != NULL && ca != NULL && serial != NULL);
    CHECK(strcmp(ca, g_ca_pem) == 0);
    CHECK(secip_cert_load_pem(pem, strlen(pem), &c) == 0);
    CHECK(secip_cert_verify(c, g_ca_cert, NULL, 0, SECIP_EKU_CLIENT) == 0);
    CHECK(strcmp(secip_cert_serial_hex(c), serial) == 0);
    CHECK(enabled_user(secip_cert_subject_cn(c)));
    secip_cert_free(c);
}

static void check_ok(json_object *a, const char *op)
{
    json_object *crl = NULL;
    secip_ca_crl *parsed = NULL;
    if (strcmp(op, "challenge") == 0) {
        const char *n = sp_json_str(a, "nonce", 0);
        CHECK(n != NULL && strlen(n) == 64 &&
              strspn(n, "0123456789abcdef") == 64);
    } else if (strcmp(op, "revocations") == 0) {
        CHECK(json_object_object_get_ex(a, "revocations", &crl));
        CHECK(sp_crl_parse(crl, g_ca_cert, &parsed) == 0);
        secip_ca_crl_free(parsed);
    } else {
        CHECK(strcmp(op, "admin") == 0);
    }
}

static void check_answer(json_object *a, const char *op)
{
    const char *status = sp_json_str(a, "status", 0), *text;
    CHECK(a != NULL && json_object_is_type(a, json_type_object));
    CHECK(status != NULL);
    CHECK(!json_object_object_get_ex(a, "password", NULL) &&
          !json_object_object_get_ex(a, "hash", NULL));
    text = json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN);
    CHECK(text != NULL && strstr(text, "-pw\"") == NULL);
    if (strcmp(status, "denied") == 0) {
        const char *why = sp_json_str(a, "reason", 0);
        CHECK(why != NULL && why[0] != '\0');
    } else if (strcmp(status, "granted") == 0) {
        check_granted(a, op);
    } else {
        CHECK(strcmp(status, "ok") == 0);
        check_ok(a, op);
    }
}

static void reset_db(void)
{
    FILE *f = fopen(g_users, "wb");
    CHECK(f != NULL);
    CHECK(fwrite(g_pristine, 1, g_pristine_len, f) == g_pristine_len);
    CHECK(fclose(f) == 0);
    remove(g_audit);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sp_ca_conn conn;
    json_object *list = NULL;
    size_t at = 0;

    reset_db();
    memset(&conn, 0, sizeof conn);
    for (int i = 0; i < MAX_REQ && at < size; i++) {
        const uint8_t *nl = memchr(data + at, '\n', size - at);
        size_t len = nl != NULL ? (size_t)(nl - (data + at)) : size - at;
        json_object *req = NULL, *a;
        const char *op;
        if (len > MAX_LINE || !sp_utf8_valid(data + at, len) ||
            sp_json_parse(data + at, len, SP_T_OBJECT, SP_DEFAULT_JSON_DEPTH,
                          &req) < 0)
            break; /* the session would end here */
        at += len + 1;
        substitute(&conn, req);
        op = sp_json_str(req, "op", 0);
        if (op == NULL)
            op = "";
        a = sp_ca_handle(g_ca, NULL, &conn, req);
        if (g_debug) /* FUZZ_CAREQ_DEBUG=1: show each answer (seed work) */
            fprintf(stderr, "%s -> %.200s\n", op,
                    json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN));
        check_answer(a, op);
        json_object_put(a);
        json_object_put(req);
    }
    /* Whatever happened, the database still loads. */
    CHECK(secip_ca_db_list(g_db, &list) == 0);
    json_object_put(list);
    return 0;
}
