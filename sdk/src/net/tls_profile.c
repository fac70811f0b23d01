/*
 * sdk/src/net/tls_profile.c -- what secip asks of BearSSL's engine: TLS 1.2
 * only, the ECDHE_RSA AEAD suites, X25519 and P-256, ALPN, no
 * renegotiation, and the fastest record implementations this CPU has
 * (see sp_tls_engine_setup() in tls_pump.h).
 */
#include "net/tls_pump.h"

#include "platform.h"
#include "session/frame.h"

/* Preference order: AES-128-GCM is fastest where AES-NI exists, ChaCha20
 * where it does not; AES-256-GCM for peers that insist. */
static const uint16_t suites[] = {
    BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
};

static const char *alpn_names[] = {SP_ALPN};

/* BearSSL's default EC implementation supports more curves than secip
 * offers; these wrappers present it with only X25519 and P-256. */
static const unsigned char *ec_generator(int curve, size_t *len)
{
    return br_ec_get_default()->generator(curve, len);
}

static const unsigned char *ec_order(int curve, size_t *len)
{
    return br_ec_get_default()->order(curve, len);
}

static size_t ec_xoff(int curve, size_t *len)
{
    return br_ec_get_default()->xoff(curve, len);
}

static uint32_t ec_mul(unsigned char *g, size_t glen, const unsigned char *x,
                       size_t xlen, int curve)
{
    return br_ec_get_default()->mul(g, glen, x, xlen, curve);
}

static size_t ec_mulgen(unsigned char *r, const unsigned char *x, size_t xlen,
                        int curve)
{
    return br_ec_get_default()->mulgen(r, x, xlen, curve);
}

static uint32_t ec_muladd(unsigned char *a, const unsigned char *b, size_t len,
                          const unsigned char *x, size_t xlen,
                          const unsigned char *y, size_t ylen, int curve)
{
    return br_ec_get_default()->muladd(a, b, len, x, xlen, y, ylen, curve);
}

static const br_ec_impl ec_secip = {((uint32_t)1 << BR_EC_curve25519) |
                                        ((uint32_t)1 << BR_EC_secp256r1),
                                    ec_generator,
                                    ec_order,
                                    ec_xoff,
                                    ec_mul,
                                    ec_mulgen,
                                    ec_muladd};

/*
 * The CPU-dependent implementations (AES-NI, PCLMULQDQ, SSE2, 64-bit
 * multiply), found once per process.  br_ssl_engine_set_default_aes_gcm()
 * and _chapol() ask CPUID on every call, three times per engine; under a
 * hypervisor each CPUID is a VM exit (6 us measured on the benchmark
 * machine), which made them ~20 us of every handshake.  The fallbacks are
 * the ones BearSSL's defaults pick on 64-bit targets.
 */
typedef struct cpu_impls {
    const br_block_ctr_class *aes_ctr;
    br_ghash ghash;
    br_chacha20_run chacha20;
    br_poly1305_run poly1305;
} cpu_impls;

enum { IMPLS_UNKNOWN = 0, IMPLS_BUSY = 1, IMPLS_READY = 2 };
static cpu_impls g_impls;
static spl_atomic g_impls_state;

/* The cached set, or NULL while another thread is finding it (the caller
 * then uses BearSSL's defaults once). */
static const cpu_impls *find_impls(void)
{
    cpu_impls f;
    if (spl_atomic_load(&g_impls_state) == IMPLS_READY)
        return &g_impls;
    if (!spl_atomic_cas(&g_impls_state, IMPLS_UNKNOWN, IMPLS_BUSY))
        return NULL;
    f.aes_ctr = br_aes_x86ni_ctr_get_vtable();
    if (f.aes_ctr == NULL)
        f.aes_ctr = &br_aes_ct64_ctr_vtable;
    f.ghash = br_ghash_pclmul_get();
    if (f.ghash == 0)
        f.ghash = &br_ghash_ctmul64;
    f.chacha20 = br_chacha20_sse2_get();
    if (f.chacha20 == 0)
        f.chacha20 = &br_chacha20_ct_run;
    f.poly1305 = br_poly1305_ctmulq_get();
    if (f.poly1305 == 0)
        f.poly1305 = &br_poly1305_ctmul_run;
    g_impls = f;
    spl_atomic_store(&g_impls_state, IMPLS_READY); /* publishes g_impls */
    return &g_impls;
}

static void set_ciphers(br_ssl_engine_context *eng)
{
    const cpu_impls *im = find_impls();
    if (im == NULL) {
        br_ssl_engine_set_default_aes_gcm(eng);
        br_ssl_engine_set_default_chapol(eng);
        return;
    }
    br_ssl_engine_set_gcm(eng, &br_sslrec_in_gcm_vtable,
                          &br_sslrec_out_gcm_vtable);
    br_ssl_engine_set_aes_ctr(eng, im->aes_ctr);
    br_ssl_engine_set_ghash(eng, im->ghash);
    br_ssl_engine_set_chapol(eng, &br_sslrec_in_chapol_vtable,
                             &br_sslrec_out_chapol_vtable);
    br_ssl_engine_set_chacha20(eng, im->chacha20);
    br_ssl_engine_set_poly1305(eng, im->poly1305);
}

void sp_tls_engine_setup(br_ssl_engine_context *eng)
{
    br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
    br_ssl_engine_set_suites(eng, suites, sizeof suites / sizeof suites[0]);
    /* SHA-256 and SHA-384 for the PRFs and handshake signatures; SHA-512
     * only as a signature hash (RSA PKCS#1 v1.5). */
    br_ssl_engine_set_hash(eng, br_sha256_ID, &br_sha256_vtable);
    br_ssl_engine_set_hash(eng, br_sha384_ID, &br_sha384_vtable);
    br_ssl_engine_set_hash(eng, br_sha512_ID, &br_sha512_vtable);
    br_ssl_engine_set_prf_sha256(eng, &br_tls12_sha256_prf);
    br_ssl_engine_set_prf_sha384(eng, &br_tls12_sha384_prf);
    set_ciphers(eng);
    br_ssl_engine_set_ec(eng, &ec_secip);
    br_ssl_engine_set_rsavrfy(eng, br_rsa_pkcs1_vrfy_get_default());
    br_ssl_engine_set_protocol_names(eng, alpn_names, 1);
    br_ssl_engine_add_flags(eng, BR_OPT_NO_RENEGOTIATION);
}
