/*
 * tests/ca/ca_util.h -- a CA in a scratch directory, served on 127.0.0.1.
 */
#ifndef CA_UTIL_H
#define CA_UTIL_H

#include <json-c/json.h>

#include "platform.h"
#include "secip/ca.h"
#include "secip/client.h"
#include "secip/secip.h"
#include "testutil.h"

typedef struct ct_ca {
    char dir[512];
    secip_key *key;
    secip_cert *cert;
    secip_ca_db *db;
    secip_ca_server *srv;
    uint16_t port;
} ct_ca;

/** Scratch directory, CA key and certificate, empty database (1000 PBKDF2
 *  iterations), server on 127.0.0.1 with policy p (NULL: defaults). */
void ct_ca_start(ct_ca *ca, const char *prefix, const secip_ca_policy *p);
void ct_ca_stop(ct_ca *ca);

/** Send one raw request object (consumed) over a pinned session and return
 *  the answer (caller puts it). */
json_object *ct_ca_raw(const ct_ca *ca, json_object *req);

/** The "reason" of an answer, or "". */
const char *ct_reason(json_object *ans);

#endif
