/*
 * sdk/src/ca/ca_admin.c -- administrative requests, allowed only to users
 * with the admin flag who prove possession of their certificate's key
 * (challenge + signature, as for renew): revoke a serial, enable or
 * disable a user.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca/ca_server_impl.h"
#include "error.h"
#include "session/json_intake.h"

#define ADMIN_ARG_MAX 64

static const char *arg(json_object *req, const char *key)
{
    const char *v = sp_json_str(req, key, ADMIN_ARG_MAX);
    if (v == NULL || v[0] == '\0' || strchr(v, '\n') != NULL)
        return NULL;
    return v;
}

static int flag(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

/* Is the proven certificate's owner an enabled admin with a live cert? */
static const char *authorise(json_object *root, const secip_cert *cert)
{
    const char *user = secip_cert_subject_cn(cert);
    json_object *u = sp_cadb_user(root, user);
    json_object *e = sp_ca_find_cert(root, user, secip_cert_serial_hex(cert));
    if (u == NULL || e == NULL)
        return "unknown certificate";
    if (!flag(u, "enabled"))
        return "user disabled";
    if (flag(e, "revoked"))
        return "revoked";
    if (!flag(u, "admin"))
        return "not an admin";
    return NULL;
}

static const char *do_revoke(json_object *root, const char *serial)
{
    json_object *users = NULL;
    json_object_object_get_ex(root, "users", &users);
    json_object_object_foreach(users, name, u)
    {
        (void)u;
        json_object *e = sp_ca_find_cert(root, name, serial);
        if (e == NULL)
            continue;
        if (flag(e, "revoked"))
            return "already revoked";
        json_object_object_add(e, "revoked", json_object_new_boolean(1));
        json_object_object_add(e, "revoked_at",
                               json_object_new_int64(spl_time_now()));
        return NULL;
    }
    return "no such certificate";
}

static const char *perform(json_object *root, const char *action,
                           const char *target)
{
    if (strcmp(action, "revoke") == 0)
        return do_revoke(root, target);
    json_object *u = sp_cadb_user(root, target);
    if (u == NULL)
        return "unknown user";
    json_object_object_add(
        u, "enabled", json_object_new_boolean(strcmp(action, "enable") == 0));
    return NULL;
}

json_object *sp_ca_admin(secip_ca_server *ca, secip_session *s,
                         sp_ca_conn *conn, json_object *req)
{
    const char *action = arg(req, "action"), *target = arg(req, "target");
    char extra[2 * ADMIN_ARG_MAX + 4];
    secip_cert *cert = NULL;
    if (action == NULL || target == NULL ||
        (strcmp(action, "revoke") != 0 && strcmp(action, "enable") != 0 &&
         strcmp(action, "disable") != 0)) {
        conn->have_nonce = 0;
        return sp_ca_deny(ca, s, NULL, "bad request", 0);
    }
    snprintf(extra, sizeof extra, "%s\n%s\n", action, target);
    const char *why =
        sp_ca_prove(ca, conn, req, "secip-admin-v1", extra, &cert);
    json_object *root = NULL;
    spl_file *lock = NULL;
    if (why == NULL) {
        if (sp_cadb_begin(ca->db, 0, &root, &lock) < 0) {
            why = "database unavailable";
        } else {
            why = authorise(root, cert);
            if (why == NULL)
                why = perform(root, action, target);
            if (why == NULL && sp_cadb_save(ca->db, root) < 0)
                why = "internal error";
            sp_cadb_end(ca->db, root, lock);
        }
    }
    const char *user = secip_cert_subject_cn(cert);
    json_object *a;
    if (why != NULL) {
        a = sp_ca_deny(ca, s, user[0] != '\0' ? user : NULL, why, 0);
    } else {
        sp_ca_audit_event(ca, s,
                          strcmp(action, "revoke") == 0 ? "revoked" : action,
                          user, "target", target);
        a = json_object_new_object();
        json_object_object_add(a, "status", json_object_new_string("ok"));
    }
    secip_cert_free(cert);
    return a;
}
