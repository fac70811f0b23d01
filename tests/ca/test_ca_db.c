/*
 * tests/ca/test_ca_db.c -- the user database: operations, strict loading
 * of hostile files, no clear-text passwords on disk.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca_util.h"

static char dir[512];

static void write_db(const char *text, size_t len)
{
    char path[600];
    spl_file *f = NULL;
    snprintf(path, sizeof path, "%s/users.json", dir);
    CHECK_OK(spl_file_open(
        path, SPL_FILE_WRITE | SPL_FILE_CREATE | SPL_FILE_TRUNC, &f));
    CHECK(spl_file_pwrite(f, text, len, 0) == (ptrdiff_t)len);
    spl_file_close(f);
}

static void expect_hostile(const char *what, const char *text, size_t len)
{
    secip_ca_db *db = NULL;
    write_db(text, len);
    int rc = secip_ca_db_open(dir, 0, &db);
    tu_log("%s: %s", what, secip_last_error());
    CHECK(rc == SECIP_EFORMAT || rc == SECIP_ETOOBIG);
    CHECK(db == NULL);
}

static void hostile_files(void)
{
    static const char *bad[] = {
        "",
        "[]",
        "{\"format\":\"secip-ca-users\",\"version\":1,\"generation\":0}",
        "{\"format\":\"other\",\"version\":1,\"generation\":0,\"users\":{}}",
        "{\"format\":\"secip-ca-users\",\"version\":2,\"generation\":0,"
        "\"users\":{}}",
        "{\"format\":\"secip-ca-users\",\"version\":1,\"generation\":0,"
        "\"users\":{\"bad name\":{}}}",
        "{\"format\":\"secip-ca-users\",\"version\":1,\"generation\":0,"
        "\"users\":{\"a\":{\"hash\":1,\"created\":0,\"enabled\":true,"
        "\"admin\":false,\"certificates\":[]}}}",
        "{\"format\":\"secip-ca-users\",\"version\":1,\"generation\":0,"
        "\"users\":{}} trailing",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]"
        "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_hostile("hostile", bad[i], strlen(bad[i]));
    expect_hostile("NUL byte", "{\"a\0\":1}", 8);
    size_t big = SECIP_CA_DB_MAX_BYTES + 10;
    char *huge = malloc(big);
    CHECK(huge != NULL);
    memset(huge, ' ', big);
    expect_hostile("too big", huge, big);
    free(huge);
}

int main(void)
{
    unsigned char r[6];
    CHECK_OK(spl_random(r, sizeof r));
    snprintf(dir, sizeof dir, "db-%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2],
             r[3], r[4], r[5]);
    CHECK_OK(spl_dir_create(dir, 1));
    secip_ca_db *db = NULL;
    CHECK_ERR(secip_ca_db_open(dir, 0, &db), SECIP_ENOENT);
    CHECK_OK(secip_ca_db_open(dir, 1, &db));
    CHECK_OK(secip_ca_db_set_iterations(db, 1000));
    CHECK_OK(secip_ca_db_add_user(db, "alice", "s3cret-password", 1));
    CHECK_OK(secip_ca_db_add_user(db, "bob@example.org", "pw", 0));
    CHECK_ERR(secip_ca_db_add_user(db, "alice", "x", 0), SECIP_EEXIST);
    CHECK_ERR(secip_ca_db_add_user(db, "bad name", "x", 0), SECIP_EINVAL);
    CHECK_ERR(secip_ca_db_add_user(db, "", "x", 0), SECIP_EINVAL);
    CHECK_ERR(secip_ca_db_add_user(db, "carol", "", 0), SECIP_EINVAL);
    CHECK_OK(secip_ca_db_set_password(db, "alice", "n3w-password"));
    CHECK_ERR(secip_ca_db_set_password(db, "nobody", "x"), SECIP_ENOENT);
    CHECK_OK(secip_ca_db_set_enabled(db, "bob@example.org", 0));
    CHECK_ERR(secip_ca_db_remove_user(db, "nobody"), SECIP_ENOENT);
    CHECK_ERR(secip_ca_db_revoke(db, "abcdef"), SECIP_ENOENT);

    json_object *list = NULL, *users = NULL, *u = NULL, *v = NULL;
    CHECK_OK(secip_ca_db_list(db, &list));
    CHECK(json_object_object_get_ex(list, "users", &users));
    CHECK(json_object_object_length(users) == 2);
    CHECK(json_object_object_get_ex(users, "bob@example.org", &u));
    CHECK(json_object_object_get_ex(u, "enabled", &v));
    CHECK(!json_object_get_boolean(v));
    CHECK(!json_object_object_get_ex(u, "hash", &v));
    json_object_put(list);

    /* The file holds PBKDF2 strings, never the passwords. */
    char path[600];
    snprintf(path, sizeof path, "%s/users.json", dir);
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    static char text[65536];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    CHECK(strstr(text, "n3w-password") == NULL);
    CHECK(strstr(text, "$pbkdf2-sha256$i=1000$") != NULL);

    CHECK_OK(secip_ca_db_remove_user(db, "bob@example.org"));
    secip_ca_db_free(db);
    CHECK_OK(secip_ca_db_open(dir, 0, &db));
    CHECK_OK(secip_ca_db_list(db, &list));
    CHECK(json_object_object_get_ex(list, "users", &users));
    CHECK(json_object_object_length(users) == 1);
    json_object_put(list);
    secip_ca_db_free(db);

    hostile_files();
    tu_log("ok");
    return 0;
}
