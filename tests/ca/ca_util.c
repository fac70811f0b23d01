/*
 * tests/ca/ca_util.c -- see ca_util.h.
 */
#include "ca_util.h"

#include <stdio.h>
#include <string.h>

void ct_ca_start(ct_ca *ca, const char *prefix, const secip_ca_policy *p)
{
    unsigned char r[8];
    memset(ca, 0, sizeof *ca);
    CHECK_OK(spl_random(r, sizeof r));
    int n = snprintf(ca->dir, sizeof ca->dir, "%s-", prefix);
    for (int i = 0; i < 8; i++)
        n += snprintf(ca->dir + n, sizeof ca->dir - (size_t)n, "%02x", r[i]);
    CHECK_OK(spl_dir_create(ca->dir, 1));
    CHECK_OK(secip_key_generate(2048, &ca->key));
    CHECK_OK(secip_cert_create_ca(ca->key, "Test CA", NULL, 30, &ca->cert));
    CHECK_OK(secip_ca_db_open(ca->dir, 1, &ca->db));
    CHECK_OK(secip_ca_db_set_iterations(ca->db, 1000));
    CHECK_OK(secip_ca_server_new(ca->key, ca->cert, &ca->srv));
    CHECK_OK(secip_ca_server_set_database(ca->srv, ca->db, NULL));
    if (p != NULL)
        CHECK_OK(secip_ca_server_set_policy(ca->srv, p));
    CHECK_OK(secip_ca_server_start(ca->srv, "127.0.0.1", 0));
    ca->port = secip_ca_server_port(ca->srv);
    CHECK(ca->port != 0);
}

void ct_ca_stop(ct_ca *ca)
{
    secip_ca_server_free(ca->srv);
    secip_ca_db_free(ca->db);
    secip_cert_free(ca->cert);
    secip_key_free(ca->key);
}

json_object *ct_ca_raw(const ct_ca *ca, json_object *req)
{
    secip_key *pub = NULL;
    char fp[65];
    secip_client *c = NULL;
    secip_session *s = NULL;
    secip_message *m = NULL;
    CHECK_OK(secip_cert_public_key(ca->cert, &pub));
    CHECK_OK(secip_key_fingerprint(pub, fp));
    secip_key_free(pub);
    CHECK_OK(secip_client_new(&c));
    CHECK_OK(secip_client_set_pin(c, fp));
    CHECK_OK(secip_client_connect(c, "127.0.0.1", ca->port, 10000, &s));
    CHECK_OK(secip_session_send_object(s, req));
    json_object_put(req);
    CHECK_OK(secip_session_receive(s, &m, 10000));
    CHECK(secip_message_type(m) == SECIP_OBJECT);
    json_object *ans = json_object_get(secip_message_json(m));
    secip_message_free(m);
    secip_client_free(c);
    return ans;
}

const char *ct_reason(json_object *ans)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(ans, "reason", &v))
        return "";
    return json_object_get_string(v);
}
