/*
 * sdk/src/ca/userdb.c -- the CA's user database file: strict loading and
 * crash-safe saving under an exclusive lock (see secip/ca.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca/ca_internal.h"
#include "crypto/fileio.h"
#include "crypto/util.h"
#include "error.h"

#define DB_FORMAT    "secip-ca-users"
#define DB_MAX_DEPTH 8

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p != NULL)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

int sp_cadb_name_ok(const char *name)
{
    size_t n = name != NULL ? strlen(name) : 0;
    if (n == 0 || n > SECIP_CA_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '@' ||
                 c == '-';
        if (!ok)
            return 0;
    }
    return 1;
}

json_object *sp_cadb_user(json_object *root, const char *name)
{
    json_object *users = NULL, *u = NULL;
    if (!json_object_object_get_ex(root, "users", &users))
        return NULL;
    if (!json_object_object_get_ex(users, name, &u))
        return NULL;
    return u;
}

/* A field of obj with the given type, or NULL. */
static json_object *field(json_object *obj, const char *key, json_type t)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, t))
        return NULL;
    return v;
}

static int bad(const char *path, const char *what)
{
    return sp_error_set(SECIP_EFORMAT, "%s: not a valid user database: %s",
                        path, what);
}

static int hex_ok(const char *s, size_t min, size_t max)
{
    size_t n = strlen(s);
    if (n < min || n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

static int check_cert(const char *path, json_object *c)
{
    json_object *serial = field(c, "serial", json_type_string);
    json_object *fp = field(c, "key_fingerprint", json_type_string);
    if (!json_object_is_type(c, json_type_object) || serial == NULL ||
        fp == NULL || field(c, "issued", json_type_int) == NULL ||
        field(c, "not_after", json_type_int) == NULL ||
        field(c, "revoked", json_type_boolean) == NULL ||
        field(c, "revoked_at", json_type_int) == NULL ||
        json_object_object_length(c) != 6)
        return bad(path, "malformed certificate entry");
    if (!hex_ok(json_object_get_string(serial), 1, 40) ||
        !hex_ok(json_object_get_string(fp), 64, 64))
        return bad(path, "bad serial or key fingerprint");
    return 0;
}

static int check_user(const char *path, const char *name, json_object *u)
{
    if (!sp_cadb_name_ok(name))
        return bad(path, "bad user name");
    json_object *hash = field(u, "hash", json_type_string);
    json_object *certs = field(u, "certificates", json_type_array);
    if (!json_object_is_type(u, json_type_object) || hash == NULL ||
        certs == NULL || field(u, "created", json_type_int) == NULL ||
        field(u, "enabled", json_type_boolean) == NULL ||
        field(u, "admin", json_type_boolean) == NULL ||
        json_object_object_length(u) != 5)
        return bad(path, "malformed user entry");
    if (json_object_get_string_len(hash) >= 128)
        return bad(path, "password hash too long");
    size_t n = json_object_array_length(certs);
    if (n > 100000)
        return bad(path, "too many certificates");
    for (size_t i = 0; i < n; i++) {
        int rc = check_cert(path, json_object_array_get_idx(certs, i));
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int check_root(const char *path, json_object *root)
{
    json_object *fmt = field(root, "format", json_type_string);
    json_object *ver = field(root, "version", json_type_int);
    json_object *users = field(root, "users", json_type_object);
    if (!json_object_is_type(root, json_type_object) || fmt == NULL ||
        ver == NULL || users == NULL ||
        field(root, "generation", json_type_int) == NULL)
        return bad(path, "missing format, version, generation or users");
    if (strcmp(json_object_get_string(fmt), DB_FORMAT) != 0 ||
        json_object_get_int64(ver) != 1)
        return bad(path, "unknown format or version");
    json_object_object_foreach(users, name, u)
    {
        int rc = check_user(path, name, u);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static json_object *empty_db(void)
{
    json_object *root = json_object_new_object();
    if (root == NULL)
        return NULL;
    json_object_object_add(root, "format", json_object_new_string(DB_FORMAT));
    json_object_object_add(root, "version", json_object_new_int(1));
    json_object_object_add(root, "generation", json_object_new_int64(0));
    json_object_object_add(root, "users", json_object_new_object());
    return root;
}

static int parse_db(const char *path, const char *text, size_t len,
                    json_object **out)
{
    if (len == 0)
        return bad(path, "empty file");
    if (memchr(text, 0, len) != NULL)
        return bad(path, "contains a NUL byte");
    json_tokener *tok = json_tokener_new_ex(DB_MAX_DEPTH);
    if (tok == NULL)
        return sp_error_set(SECIP_ENOMEM, "out of memory");
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    json_object *root = json_tokener_parse_ex(tok, text, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t used = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (root == NULL || jerr != json_tokener_success) {
        json_object_put(root);
        return sp_error_set(SECIP_EFORMAT, "%s: not a valid user database: %s",
                            path, json_tokener_error_desc(jerr));
    }
    for (; used < len; used++) {
        char c = text[used];
        if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
            json_object_put(root);
            return bad(path, "trailing data");
        }
    }
    int rc = check_root(path, root);
    if (rc < 0) {
        json_object_put(root);
        return rc;
    }
    *out = root;
    return 0;
}

static int load(secip_ca_db *db, int create, json_object **out)
{
    char *text = NULL;
    size_t len = 0;
    int rc = sp_file_read_all(db->path, SECIP_CA_DB_MAX_BYTES, &text, &len);
    if (rc == SECIP_ENOENT && create) {
        *out = empty_db();
        return *out != NULL ? 0 : sp_error_set(SECIP_ENOMEM, "out of memory");
    }
    if (rc < 0)
        return sp_error_wrap(rc, "cannot read user database %s", db->path);
    rc = parse_db(db->path, text, len, out);
    free(text);
    return rc;
}

int sp_cadb_begin(secip_ca_db *db, int create, json_object **root,
                  spl_file **lock)
{
    *root = NULL;
    *lock = NULL;
    spl_mutex_lock(db->mu);
    int rc = spl_file_open(db->lock_path,
                           SPL_FILE_READ | SPL_FILE_WRITE | SPL_FILE_CREATE |
                               SPL_FILE_OWNER_ONLY,
                           lock);
    if (rc >= 0 && (rc = spl_file_lock(*lock)) < 0) {
        spl_file_close(*lock);
        *lock = NULL;
    }
    if (rc < 0) {
        spl_mutex_unlock(db->mu);
        return sp_error_wrap(rc, "cannot lock %s", db->lock_path);
    }
    rc = load(db, create, root);
    if (rc < 0) {
        spl_file_close(*lock);
        *lock = NULL;
        spl_mutex_unlock(db->mu);
    }
    return rc;
}

void sp_cadb_end(secip_ca_db *db, json_object *root, spl_file *lock)
{
    json_object_put(root);
    if (lock != NULL) {
        (void)spl_file_unlock(lock);
        spl_file_close(lock);
        spl_mutex_unlock(db->mu);
    }
}

int sp_cadb_save(secip_ca_db *db, json_object *root)
{
    json_object *gen = NULL;
    if (json_object_object_get_ex(root, "generation", &gen))
        json_object_set_int64(gen, json_object_get_int64(gen) + 1);
    size_t len = 0;
    const char *text = json_object_to_json_string_length(
        root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
    if (text == NULL)
        return sp_error_set(SECIP_ENOMEM, "out of memory");
    char *tmp = join(db->dir, "users.json.tmp");
    if (tmp == NULL)
        return sp_error_set(SECIP_ENOMEM, "out of memory");
    spl_file *f = NULL;
    int rc = spl_file_open(tmp,
                           SPL_FILE_WRITE | SPL_FILE_CREATE | SPL_FILE_TRUNC |
                               SPL_FILE_OWNER_ONLY,
                           &f);
    if (rc >= 0) {
        ptrdiff_t n = spl_file_pwrite(f, text, len, 0);
        if (n >= 0)
            n = spl_file_pwrite(f, "\n", 1, len);
        rc = n < 0 ? (int)n : spl_file_sync(f);
        spl_file_close(f);
    }
    if (rc >= 0)
        rc = spl_file_rename(tmp, db->path);
    if (rc >= 0)
        rc = spl_dir_sync(db->dir);
    free(tmp);
    if (rc < 0)
        return sp_error_wrap(rc, "cannot save user database %s", db->path);
    return 0;
}

int secip_ca_db_open(const char *dir, int create, secip_ca_db **out)
{
    if (out != NULL)
        *out = NULL;
    if (dir == NULL || out == NULL || dir[0] == '\0')
        return sp_error_set(SECIP_EINVAL, "secip_ca_db_open: NULL argument");
    secip_ca_db *db = calloc(1, sizeof *db);
    if (db == NULL)
        return sp_error_set(SECIP_ENOMEM, "out of memory");
    size_t n = strlen(dir) + 1;
    db->dir = malloc(n);
    if (db->dir != NULL)
        memcpy(db->dir, dir, n);
    db->path = join(dir, "users.json");
    db->lock_path = join(dir, "users.json.lock");
    if (db->dir == NULL || db->path == NULL || db->lock_path == NULL ||
        spl_mutex_new(&db->mu) < 0) {
        secip_ca_db_free(db);
        return sp_error_set(SECIP_ENOMEM, "out of memory");
    }
    json_object *root = NULL;
    spl_file *lock = NULL;
    int rc = sp_cadb_begin(db, create, &root, &lock);
    if (rc >= 0) {
        spl_file *probe = NULL;
        if (create &&
            spl_file_open(db->path, SPL_FILE_READ, &probe) == SECIP_ENOENT)
            rc = sp_cadb_save(db, root);
        spl_file_close(probe);
        sp_cadb_end(db, root, lock);
    }
    if (rc < 0) {
        secip_ca_db_free(db);
        return rc;
    }
    *out = db;
    return 0;
}

void secip_ca_db_free(secip_ca_db *db)
{
    if (db == NULL)
        return;
    if (db->mu != NULL)
        spl_mutex_free(db->mu);
    free(db->dir);
    free(db->path);
    free(db->lock_path);
    free(db);
}

void sp_audit_append(const char *path, json_object *ev)
{
    json_object_object_add(ev, "time", json_object_new_int64(spl_time_now()));
    size_t len = 0;
    const char *line = json_object_to_json_string_length(
        ev, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
    spl_file *f = NULL;
    if (line != NULL && path != NULL &&
        spl_file_open(path,
                      SPL_FILE_WRITE | SPL_FILE_CREATE | SPL_FILE_OWNER_ONLY,
                      &f) >= 0) {
        /* The lock orders appends from several processes. */
        if (spl_file_lock(f) >= 0) {
            int64_t end = spl_file_size(f);
            if (end >= 0 && spl_file_pwrite(f, line, len, (uint64_t)end) >= 0)
                (void)spl_file_pwrite(f, "\n", 1, (uint64_t)end + len);
            (void)spl_file_unlock(f);
        }
        spl_file_close(f);
    }
    json_object_put(ev);
}
