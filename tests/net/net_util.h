/*
 * tests/net/net_util.h -- fixtures of the session tests: a small PKI
 * (generated once per test program), an echo handler, message checks and a
 * raw TCP peer on the platform layer for hostile input.
 */
#ifndef NET_UTIL_H
#define NET_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "secip/secip.h"

typedef struct nt_pki {
    secip_key *ca_key, *srv_key, *cli_key;
    secip_cert *ca;       /* "Test CA" */
    secip_cert *srv_cert; /* CN server.test, DNS localhost + server.test,
                             IP 127.0.0.1, EKU server */
    secip_cert *cli_cert; /* CN alice, EKU client */
} nt_pki;

/** Keys are 2048-bit RSA; generating three takes a moment. */
void nt_pki_make(nt_pki *p);
void nt_pki_free(nt_pki *p);

/** A second, unrelated CA with its key (for "wrong CA" tests). */
void nt_other_ca(secip_key **key, secip_cert **ca);

/** Blocking handler: echo every message back until the session ends. */
void nt_echo_handler(secip_session *s, void *ud);

/** Send one message of each type and check the echoes. */
void nt_roundtrip_all(secip_session *s);

/** Receive one message (5 s at most) and check its type and content. */
void nt_expect(secip_session *s, int type, const void *data, size_t len);

/**
 * Raw TCP peer: connect to 127.0.0.1:port, write len bytes, then (if
 * wait_close) read until the server closes, at most timeout_ms.  Returns
 * 1 if the server closed the connection within the time, 0 if not.
 */
int nt_raw_peer(uint16_t port, const void *data, size_t len,
                uint32_t timeout_ms);

/** True when s (the detail of the last error) contains needle. */
int nt_detail_has(const char *needle);

/*
 * State that callbacks (loop threads) and the test thread share, under one
 * mutex: nt_lock()/nt_unlock() around writes, nt_get() to read.
 * nt_on_close() is an on_close for servers and clients alike: it counts
 * the ends into nt_closed_count and keeps the last status.
 */
void nt_shared_init(void);
void nt_shared_free(void);
void nt_lock(void);
void nt_unlock(void);
int nt_get(const int *p);
extern int nt_closed_count, nt_last_status;
void nt_on_close(secip_session *s, int status, void *ud);

#endif
