/*
 * tools/secip-ca/users.c -- `user ...`, `revoke` and `issued`: database
 * administration.  Every change is one locked, crash-safe transaction of
 * the library (a running server sees it at its next request).
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ca_tool.h"
#include "secip/ca.h"
#include "secip/secip.h"

static void fmt_time(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm *tm = t > 0 ? gmtime(&tt) : NULL;
    if (tm == NULL || strftime(out, 32, "%Y-%m-%d %H:%M:%SZ", tm) == 0)
        snprintf(out, 32, "-");
}

static int open_db(const ca_opts *o, secip_ca_db **db)
{
    if (secip_ca_db_open(o->dir, 0, db) < 0)
        return ca_fail("%s", secip_last_error());
    if (o->iterations != 0 &&
        secip_ca_db_set_iterations(*db, o->iterations) < 0) {
        secip_ca_db_free(*db);
        return ca_fail("%s", secip_last_error());
    }
    return 0;
}

static int64_t get_i(json_object *o, const char *k)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, k, &v) ? json_object_get_int64(v) : 0;
}

static int get_b(json_object *o, const char *k)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, k, &v) && json_object_get_boolean(v);
}

static const char *get_s(json_object *o, const char *k)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : "";
}

static int list_users(secip_ca_db *db)
{
    json_object *root = NULL, *users = NULL;
    if (secip_ca_db_list(db, &root) < 0)
        return ca_fail("%s", secip_last_error());
    json_object_object_get_ex(root, "users", &users);
    printf("%-24s %-8s %-6s %-12s %s\n", "NAME", "ENABLED", "ADMIN",
           "CERTIFICATES", "LAST ISSUED");
    json_object_object_foreach(users, name, u)
    {
        json_object *certs = NULL;
        json_object_object_get_ex(u, "certificates", &certs);
        size_t n = json_object_array_length(certs);
        int64_t last = 0;
        for (size_t i = 0; i < n; i++) {
            int64_t t = get_i(json_object_array_get_idx(certs, i), "issued");
            last = t > last ? t : last;
        }
        char when[32];
        fmt_time(last, when);
        printf("%-24s %-8s %-6s %-12llu %s\n", name,
               get_b(u, "enabled") ? "yes" : "no",
               get_b(u, "admin") ? "yes" : "no", (unsigned long long)n, when);
    }
    json_object_put(root);
    return 0;
}

int ca_cmd_user(const ca_opts *o, int argc, char **argv)
{
    if (argc < 2)
        return ca_fail("user: add|remove|passwd|enable|disable NAME, or list");
    const char *sub = argv[1];
    secip_ca_db *db = NULL;
    if (open_db(o, &db) != 0)
        return 1;
    int rc = 0;
    if (strcmp(sub, "list") == 0) {
        rc = list_users(db);
        secip_ca_db_free(db);
        return rc;
    }
    if (argc < 3 || (argc > 3 && !(argc == 4 && strcmp(sub, "add") == 0 &&
                                   strcmp(argv[3], "--admin") == 0))) {
        secip_ca_db_free(db);
        return ca_fail("user %s: expected NAME", sub);
    }
    const char *name = argv[2];
    char pw[1024];
    if (strcmp(sub, "add") == 0 || strcmp(sub, "passwd") == 0) {
        if (ca_read_password(o, name, 1, pw, sizeof pw) != 0) {
            secip_ca_db_free(db);
            return 1;
        }
        rc = strcmp(sub, "add") == 0
                 ? secip_ca_db_add_user(db, name, pw, argc == 4)
                 : secip_ca_db_set_password(db, name, pw);
        memset(pw, 0, sizeof pw);
    } else if (strcmp(sub, "remove") == 0) {
        rc = secip_ca_db_remove_user(db, name);
    } else if (strcmp(sub, "enable") == 0 || strcmp(sub, "disable") == 0) {
        rc = secip_ca_db_set_enabled(db, name, strcmp(sub, "enable") == 0);
    } else {
        secip_ca_db_free(db);
        return ca_fail("user: unknown subcommand %s", sub);
    }
    secip_ca_db_free(db);
    if (rc < 0)
        return ca_fail("user %s %s: %s", sub, name, secip_last_error());
    printf("user %s: %s done\n", name, sub);
    return 0;
}

int ca_cmd_revoke(const ca_opts *o, int argc, char **argv)
{
    if (argc != 2)
        return ca_fail("revoke SERIAL");
    secip_ca_db *db = NULL;
    if (open_db(o, &db) != 0)
        return 1;
    int rc = secip_ca_db_revoke(db, argv[1]);
    secip_ca_db_free(db);
    if (rc < 0)
        return ca_fail("revoke: %s", secip_last_error());
    printf("revoked %s\n", argv[1]);
    return 0;
}

int ca_cmd_issued(const ca_opts *o, int argc, char **argv)
{
    (void)argv;
    if (argc != 1)
        return ca_fail("issued takes no arguments");
    secip_ca_db *db = NULL;
    json_object *root = NULL, *users = NULL;
    if (open_db(o, &db) != 0)
        return 1;
    int rc = secip_ca_db_list(db, &root);
    secip_ca_db_free(db);
    if (rc < 0)
        return ca_fail("%s", secip_last_error());
    json_object_object_get_ex(root, "users", &users);
    printf("%-34s %-20s %-21s %-21s %s\n", "SERIAL", "USER", "ISSUED",
           "NOT AFTER", "STATUS");
    json_object_object_foreach(users, name, u)
    {
        json_object *certs = NULL;
        json_object_object_get_ex(u, "certificates", &certs);
        for (size_t i = 0; i < json_object_array_length(certs); i++) {
            json_object *c = json_object_array_get_idx(certs, i);
            char a[32], b[32];
            fmt_time(get_i(c, "issued"), a);
            fmt_time(get_i(c, "not_after"), b);
            printf("%-34s %-20s %-21s %-21s %s\n", get_s(c, "serial"), name, a,
                   b, get_b(c, "revoked") ? "revoked" : "valid");
        }
    }
    json_object_put(root);
    return 0;
}
