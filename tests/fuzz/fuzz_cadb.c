/*
 * tests/fuzz/fuzz_cadb.c -- libFuzzer target: the CA user-database loader
 * (sdk/src/ca/userdb.c).  The input is written as users.json into a
 * private scratch directory and opened with secip_ca_db_open(), the path a
 * CA takes at start-up and before every request.
 *
 * Invariants: a database that opens also lists (secip_ca_db_list gives an
 * object with a "users" object and no password hash), and opening the
 * same file twice gives the same verdict.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "platform.h"
#include "secip/ca.h"
#include "secip/random.h"

#include "fuzz_util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char g_dir[512];
static char g_file[600];
static char g_lock[600];

static void cleanup(void)
{
    remove(g_file);
    remove(g_lock);
    spl_dir_remove(g_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_scratch_dir(g_dir, sizeof g_dir, "cadb");
    snprintf(g_file, sizeof g_file, "%s/users.json", g_dir);
    snprintf(g_lock, sizeof g_lock, "%s/users.json.lock", g_dir);
    atexit(cleanup);
    return 0;
}

static int open_db(secip_ca_db **db)
{
    int rc = secip_ca_db_open(g_dir, 0, db);
    if ((rc == 0) != (*db != NULL))
        __builtin_trap();
    return rc;
}

/* Every user of the listing is an object without its password hash. */
static void no_hashes(json_object *users)
{
    json_object_object_foreach(users, name, u)
    {
        (void)name;
        if (!json_object_is_type(u, json_type_object) ||
            json_object_object_get_ex(u, "hash", NULL))
            __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f;
    secip_ca_db *db = NULL, *db2 = NULL;
    json_object *list = NULL, *users = NULL;
    int rc, rc2;

    if (size > 256 * 1024)
        return 0;
    f = fopen(g_file, "wb");
    if (f == NULL)
        return 0;
    if (size > 0 && fwrite(data, 1, size, f) != size) {
        fclose(f);
        return 0;
    }
    if (fclose(f) != 0)
        return 0;
    rc = open_db(&db);
    rc2 = open_db(&db2);
    if ((rc == 0) != (rc2 == 0))
        __builtin_trap();
    if (rc == 0) {
        if (secip_ca_db_list(db, &list) != 0)
            __builtin_trap();
        if (!json_object_is_type(list, json_type_object) ||
            !json_object_object_get_ex(list, "users", &users) ||
            !json_object_is_type(users, json_type_object))
            __builtin_trap();
        no_hashes(users);
        json_object_put(list);
    }
    secip_ca_db_free(db2);
    secip_ca_db_free(db);
    return 0;
}
