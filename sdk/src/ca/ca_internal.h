/*
 * sdk/src/ca/ca_internal.h -- internal: database transactions, throttling
 * and revocation-list helpers shared by the CA server and client.
 */
#ifndef SP_CA_INTERNAL_H
#define SP_CA_INTERNAL_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "platform.h"
#include "secip/ca.h"

struct secip_ca_db {
    char *dir;
    char *path;      /* dir/users.json */
    char *lock_path; /* dir/users.json.lock */
    uint32_t iterations;
    spl_mutex *mu; /* serialises threads of this process (flock is per fd) */
};

/**
 * Begin a transaction: take the in-process mutex and the file lock, then
 * load and check users.json into *root (a fresh empty database when the
 * file is missing and create is set).  Always pair with sp_cadb_end().
 */
int sp_cadb_begin(secip_ca_db *db, int create, json_object **root,
                  spl_file **lock);

/** Write root atomically (temp, fsync, rename, fsync dir). */
int sp_cadb_save(secip_ca_db *db, json_object *root);

/** Release root, the file lock and the mutex. */
void sp_cadb_end(secip_ca_db *db, json_object *root, spl_file *lock);

/** The user object of name in root's "users", or NULL. */
json_object *sp_cadb_user(json_object *root, const char *name);

/**
 * Append ev plus "time" as one JSON line to the audit log at path (under a
 * lock on the log, so several processes interleave whole lines).  Consumes
 * ev.  Best effort: an audit failure does not fail the operation.
 */
void sp_audit_append(const char *path, json_object *ev);

/** 1 if name is a valid user name. */
int sp_cadb_name_ok(const char *name);

/* Throttling of failed logins: keys are "u:<name>" and "a:<address>". */
typedef struct sp_throttle sp_throttle;
int sp_throttle_new(sp_throttle **out);
void sp_throttle_free(sp_throttle *t);
void sp_throttle_config(sp_throttle *t, uint32_t base_ms, uint32_t max_ms,
                        uint32_t window_ms);
/** 0 if key may try now, else the ms to wait. */
uint64_t sp_throttle_check(sp_throttle *t, const char *key);
/** Record a failure of key: the next try waits base * 2^(n-1), capped. */
void sp_throttle_fail(sp_throttle *t, const char *key);
/** Forget key's failures (after a success). */
void sp_throttle_clear(sp_throttle *t, const char *key);

/** Build the signed revocation list object of root (see PROTOCOL.md). */
int sp_crl_build(json_object *root, const secip_key *ca_key, int64_t now,
                 int64_t validity, json_object **out);
/** Verify and parse a received list. */
int sp_crl_parse(json_object *obj, const secip_cert *ca_cert,
                 secip_ca_crl **out);

/**
 * Take one more reference on an immutable list (NULL gives NULL); release
 * it with secip_ca_crl_free(), which frees the list with its last
 * reference.  Thread-safe.
 */
secip_ca_crl *sp_crl_ref(const secip_ca_crl *crl);
/** 1 if crl was verified with the key of ca (its issuer), else 0. */
int sp_crl_signed_by(const secip_ca_crl *crl, const secip_cert *ca);

/** RSA PKCS#1 v1.5 SHA-256 signature of data into base64 text (malloc). */
int sp_ca_sign_b64(const secip_key *key, const void *data, size_t len,
                   char **b64);
/** Verify such a signature with key's public half.  0 or SECIP_EVERIFY. */
int sp_ca_verify_b64(const secip_key *key, const void *data, size_t len,
                     const char *b64);

#endif /* SP_CA_INTERNAL_H */
