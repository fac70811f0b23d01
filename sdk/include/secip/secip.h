/*
 * secip/secip.h -- everything of the public API in one include.
 *
 *   #include <secip/secip.h>
 *
 * pulls in errors, randomness, keys, certificates, messages, sessions,
 * servers and clients.  Each header can also be included on its own.
 */
#ifndef SECIP_SECIP_H
#define SECIP_SECIP_H

#include "secip/ca.h"
#include "secip/cert.h"
#include "secip/client.h"
#include "secip/error.h"
#include "secip/export.h"
#include "secip/file.h"
#include "secip/key.h"
#include "secip/message.h"
#include "secip/password.h"
#include "secip/random.h"
#include "secip/server.h"
#include "secip/session.h"

#endif /* SECIP_SECIP_H */
