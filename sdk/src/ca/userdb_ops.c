/*
 * sdk/src/ca/userdb_ops.c -- user database operations, each one a locked
 * load-modify-save transaction (see secip/ca.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca/ca_internal.h"
#include "error.h"
#include "secip/password.h"

/* Run op on the loaded database under the lock; save when op returns 1. */
typedef int (*db_op)(json_object *root, void *arg);

static int run(secip_ca_db *db, db_op op, void *arg)
{
    json_object *root = NULL;
    spl_file *lock = NULL;
    int rc = sp_cadb_begin(db, 0, &root, &lock);
    if (rc < 0)
        return rc;
    rc = op(root, arg);
    if (rc == 1)
        rc = sp_cadb_save(db, root);
    sp_cadb_end(db, root, lock);
    return rc < 0 ? rc : 0;
}

int secip_ca_db_set_iterations(secip_ca_db *db, uint32_t iterations)
{
    if (db == NULL ||
        (iterations != 0 && (iterations < SECIP_PASSWORD_MIN_ITERATIONS ||
                             iterations > SECIP_PASSWORD_MAX_ITERATIONS)))
        return sp_error_set(SECIP_EINVAL, "bad iteration count");
    db->iterations = iterations;
    return 0;
}

typedef struct user_arg {
    const char *name;
    const char *hash;
    int flag;
} user_arg;

static int op_add(json_object *root, void *p)
{
    user_arg *a = p;
    if (sp_cadb_user(root, a->name) != NULL)
        return sp_error_set(SECIP_EEXIST, "user '%s' already exists", a->name);
    json_object *users = NULL;
    json_object_object_get_ex(root, "users", &users);
    json_object *u = json_object_new_object();
    json_object_object_add(u, "hash", json_object_new_string(a->hash));
    json_object_object_add(u, "created", json_object_new_int64(spl_time_now()));
    json_object_object_add(u, "enabled", json_object_new_boolean(1));
    json_object_object_add(u, "admin", json_object_new_boolean(a->flag != 0));
    json_object_object_add(u, "certificates", json_object_new_array());
    json_object_object_add(users, a->name, u);
    return 1;
}

static int hash_password(secip_ca_db *db, const char *password, char *out)
{
    if (password == NULL || password[0] == '\0')
        return sp_error_set(SECIP_EINVAL, "empty password");
    return secip_password_hash(password, db->iterations, out,
                               SECIP_PASSWORD_HASH_MAX);
}

int secip_ca_db_add_user(secip_ca_db *db, const char *name,
                         const char *password, int admin)
{
    if (db == NULL || !sp_cadb_name_ok(name))
        return sp_error_set(SECIP_EINVAL,
                            "bad user name (1-64 of A-Z a-z 0-9 . _ @ -)");
    char hash[SECIP_PASSWORD_HASH_MAX];
    int rc = hash_password(db, password, hash);
    if (rc < 0)
        return rc;
    user_arg a = {name, hash, admin};
    return run(db, op_add, &a);
}

static int op_remove(json_object *root, void *p)
{
    user_arg *a = p;
    if (sp_cadb_user(root, a->name) == NULL)
        return sp_error_set(SECIP_ENOENT, "no user '%s'", a->name);
    json_object *users = NULL;
    json_object_object_get_ex(root, "users", &users);
    json_object_object_del(users, a->name);
    return 1;
}

int secip_ca_db_remove_user(secip_ca_db *db, const char *name)
{
    if (db == NULL || name == NULL)
        return sp_error_set(SECIP_EINVAL, "NULL argument");
    user_arg a = {name, NULL, 0};
    return run(db, op_remove, &a);
}

static int op_passwd(json_object *root, void *p)
{
    user_arg *a = p;
    json_object *u = sp_cadb_user(root, a->name);
    if (u == NULL)
        return sp_error_set(SECIP_ENOENT, "no user '%s'", a->name);
    json_object_object_add(u, "hash", json_object_new_string(a->hash));
    return 1;
}

int secip_ca_db_set_password(secip_ca_db *db, const char *name,
                             const char *password)
{
    if (db == NULL || name == NULL)
        return sp_error_set(SECIP_EINVAL, "NULL argument");
    char hash[SECIP_PASSWORD_HASH_MAX];
    int rc = hash_password(db, password, hash);
    if (rc < 0)
        return rc;
    user_arg a = {name, hash, 0};
    return run(db, op_passwd, &a);
}

static int op_enable(json_object *root, void *p)
{
    user_arg *a = p;
    json_object *u = sp_cadb_user(root, a->name);
    if (u == NULL)
        return sp_error_set(SECIP_ENOENT, "no user '%s'", a->name);
    json_object_object_add(u, "enabled", json_object_new_boolean(a->flag));
    return 1;
}

int secip_ca_db_set_enabled(secip_ca_db *db, const char *name, int enabled)
{
    if (db == NULL || name == NULL)
        return sp_error_set(SECIP_EINVAL, "NULL argument");
    user_arg a = {name, NULL, enabled != 0};
    return run(db, op_enable, &a);
}

static int op_revoke(json_object *root, void *p)
{
    user_arg *a = p;
    json_object *users = NULL;
    json_object_object_get_ex(root, "users", &users);
    json_object_object_foreach(users, name, u)
    {
        (void)name;
        json_object *certs = NULL;
        json_object_object_get_ex(u, "certificates", &certs);
        size_t n = json_object_array_length(certs);
        for (size_t i = 0; i < n; i++) {
            json_object *c = json_object_array_get_idx(certs, i), *v = NULL;
            json_object_object_get_ex(c, "serial", &v);
            if (strcmp(json_object_get_string(v), a->name) != 0)
                continue;
            json_object_object_get_ex(c, "revoked", &v);
            if (json_object_get_boolean(v))
                return sp_error_set(SECIP_EEXIST, "%s is already revoked",
                                    a->name);
            json_object_object_add(c, "revoked", json_object_new_boolean(1));
            json_object_object_add(c, "revoked_at",
                                   json_object_new_int64(spl_time_now()));
            return 1;
        }
    }
    return sp_error_set(SECIP_ENOENT, "no certificate with serial %s", a->name);
}

int secip_ca_db_revoke(secip_ca_db *db, const char *serial_hex)
{
    if (db == NULL || serial_hex == NULL)
        return sp_error_set(SECIP_EINVAL, "NULL argument");
    user_arg a = {serial_hex, NULL, 0};
    int rc = run(db, op_revoke, &a);
    if (rc == 0) {
        size_t n = strlen(db->dir) + 16;
        char *log = malloc(n);
        json_object *ev = json_object_new_object();
        json_object_object_add(ev, "event", json_object_new_string("revoked"));
        json_object_object_add(ev, "serial",
                               json_object_new_string(serial_hex));
        if (log != NULL)
            snprintf(log, n, "%s/audit.log", db->dir);
        sp_audit_append(log, ev);
        free(log);
    }
    return rc;
}

static int op_list(json_object *root, void *p)
{
    json_object *copy = NULL;
    if (json_object_deep_copy(root, &copy, NULL) != 0)
        return sp_error_set(SECIP_ENOMEM, "out of memory");
    json_object *users = NULL;
    json_object_object_get_ex(copy, "users", &users);
    json_object_object_foreach(users, name, u)
    {
        (void)name;
        json_object_object_del(u, "hash");
    }
    *(json_object **)p = copy;
    return 0;
}

int secip_ca_db_list(secip_ca_db *db, struct json_object **out)
{
    if (db == NULL || out == NULL)
        return sp_error_set(SECIP_EINVAL, "NULL argument");
    *out = NULL;
    return run(db, op_list, out);
}
