/*
 * sdk/src/net/server_crl.c -- secip_server_set_revocations(): the
 * revocation list a server checks client certificates against.
 *
 * The list is immutable and reference-counted (sdk/src/ca/crl.c): the
 * server holds one reference under srv->mu, and each session configured
 * afterwards takes its own (sp_server_crl_apply), so replacing the list
 * never pulls it from under a handshake in progress.
 */
#include "ca/ca_internal.h"
#include "error.h"
#include "net/server_impl.h"
#include "secip/ca.h"

int secip_server_set_revocations(secip_server *srv, const secip_ca_crl *crl)
{
    secip_ca_crl *old;
    if (srv == NULL)
        return sp_error_set(SECIP_EINVAL,
                            "secip_server_set_revocations: NULL server");
    if (crl != NULL && srv->client_ca != NULL &&
        !sp_crl_signed_by(crl, srv->client_ca))
        return sp_error_set(SECIP_EINVAL,
                            "revocation list: signed by another CA than "
                            "the one client certificates are checked "
                            "against");
    spl_mutex_lock(srv->mu);
    old = srv->crl;
    srv->crl = sp_crl_ref(crl);
    spl_mutex_unlock(srv->mu);
    secip_ca_crl_free(old);
    return 0;
}

void sp_server_crl_apply(secip_server *srv, sp_x509_rec *rec)
{
    spl_mutex_lock(srv->mu);
    sp_x509_rec_set_crl(rec, srv->crl);
    spl_mutex_unlock(srv->mu);
}

void sp_server_crl_drop(secip_server *srv)
{
    secip_ca_crl_free(srv->crl);
    srv->crl = NULL;
}
