/*
 * sdk/src/net/tls_pump.h -- internal: BearSSL's TLS engine driven by the
 * platform layer's completions.
 *
 * One sp_tls belongs to one session and lives on one loop thread.  The pump
 * keeps at most one spl_tcp_read and one spl_tcp_write in flight, acks
 * exactly what completed, reads ciphertext in large chunks into a staging
 * buffer (so one system call serves several records instead of two per
 * record) and feeds the engine from it.  Outgoing records leave straight
 * from the engine's buffer while traffic is light; once a session sends
 * full-size records (bulk), finished records are gathered into an output
 * stage and leave several per system call (see SP_TLS_OSTAGE).  Plaintext
 * goes in and out through the owner's callbacks, which read from and write
 * into the engine's own buffers: no extra copy.
 *
 * Thread-safety: every function runs on the loop thread of the handle.
 */
#ifndef SP_NET_TLS_PUMP_H
#define SP_NET_TLS_PUMP_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#include "platform.h"

/**
 * Staging buffer for received ciphertext.  It starts small, so that an
 * idle session holds little memory, and grows to the large size the first
 * time a read fills it (bulk traffic), so that one read then serves many
 * 16 KiB records instead of two reads per record.  256 KiB rather than
 * 64 KiB: measured on loopback (docs/BENCHMARKS.md, workload 1), bulk took
 * about 9 % less CPU per GiB, from fewer reads and fewer wake-ups of the
 * sender.  After SP_TLS_STAGE_LIGHT reads in a row that each brought less
 * than SP_TLS_STAGE_MIN bytes, the stage goes back to the small size, so a
 * session that once received bulk does not keep 256 KiB while it idles.
 */
#define SP_TLS_STAGE_MIN   (4u * 1024u)
#define SP_TLS_STAGE_MAX   (256u * 1024u)
#define SP_TLS_STAGE_LIGHT 64

/**
 * Output stage: every finished record is copied into it (up to four full
 * records) while no write is in flight, and the stage leaves in one
 * write.  A session has one during its handshake (BearSSL seals a flight
 * one record at a time: ServerHello, Certificate, ... would otherwise take
 * one system call each) and, for good, from the first record of at least
 * SP_TLS_GATHER_MIN bytes (bulk).  Measured on loopback
 * (docs/BENCHMARKS.md, workloads 1 and 4): one system call and one TCP
 * segment per 64 KiB instead of per 16 KiB, and one per flight instead
 * of one per handshake record, cost less than the extra memcpy.
 */
#define SP_TLS_GATHER_MIN (8u * 1024u)
#define SP_TLS_OSTAGE     (4u * (16384u + 5u + 8u + 16u + 3u))

/** Error value an X.509 class returns to say "see our own detail". */
#define SP_TLS_X509_REJECTED BR_ERR_X509_NOT_TRUSTED

typedef struct sp_tls sp_tls;

/** What the owner of a pump provides; every callback runs on the loop. */
typedef struct sp_tls_ops {
    /** Plaintext arrived; consume up to len bytes and return how many were
     *  consumed (0: stop reading until sp_tls_pump() is called again). */
    size_t (*on_recv)(sp_tls *t, const uint8_t *p, size_t len);
    /** Room for plaintext: write up to cap bytes into p, return the count;
     *  set *flush to 1 when the record should leave now (end of a batch),
     *  to 2 when that was the last plaintext (then close_notify follows). */
    size_t (*on_send)(sp_tls *t, uint8_t *p, size_t cap, int *flush);
    /** The handshake completed (called once). */
    void (*on_open)(sp_tls *t);
    /** TLS ended: status 0 for a clean close, else a SECIP_E* code with a
     *  detail recorded on this thread.  Called once; the owner then closes
     *  the TCP handle. */
    void (*on_end)(sp_tls *t, int status);
} sp_tls_ops;

struct sp_tls {
    br_ssl_engine_context *eng; /* inside the owner's client/server ctx */
    spl_tcp *tcp;
    const sp_tls_ops *ops;
    void *owner;
    unsigned char *iobuf; /* BR_SSL_BUFSIZE_BIDI bytes */
    unsigned char *stage; /* stage_cap bytes */
    size_t stage_cap, stage_off, stage_len;
    unsigned light_reads;  /* small reads in a row into a large stage */
    unsigned char *ostage; /* SP_TLS_OSTAGE bytes, or NULL */
    size_t ostage_len;
    int ostage_keep;      /* a bulk record was seen: keep the stage */
    int reading, writing; /* operations in flight (writing 2: ostage) */
    size_t write_len;
    int pumping, again; /* re-entrancy guard */
    int opened, ended, local_close, peer_eof;
    int want_flush;
    uint64_t wire_in, wire_out;
};

/** The cipher suites, versions, curves and algorithms secip allows, set
 *  on a zeroed engine (client or server).  alpn: SP_ALPN. */
void sp_tls_engine_setup(br_ssl_engine_context *eng);

/**
 * Set up a pump on eng for tcp: allocates the engine buffer and the
 * staging buffer and injects entropy from secip's DRBG.  Call before the
 * client/server reset.  Errors: SECIP_ENOMEM, SECIP_EIO.
 */
int sp_tls_init(sp_tls *t, br_ssl_engine_context *eng, const sp_tls_ops *ops,
                void *owner);

/** Free the buffers (after the TCP handle is closed). */
void sp_tls_fini(sp_tls *t);

/** Attach the connected handle and start pumping. */
void sp_tls_start(sp_tls *t, spl_tcp *tcp);

/** Run the engine as far as it goes (reentrant-safe). */
void sp_tls_pump(sp_tls *t);

/** Start the TLS close (close_notify) after what is queued. */
void sp_tls_close(sp_tls *t);

/**
 * Loop thread: the engine's plaintext buffer, for writing a message into
 * it directly (no queue, no copy), or NULL when it is not available now
 * (handshake, closing, a record waiting to be written).  After writing n
 * bytes call sp_tls_direct_ack(); the record leaves with the next pump
 * (at once when called from inside the pump's callbacks).
 */
unsigned char *sp_tls_direct_buf(sp_tls *t, size_t *cap);
void sp_tls_direct_ack(sp_tls *t, size_t n);

/** Fail now with status (detail already recorded); calls on_end. */
void sp_tls_fail(sp_tls *t, int status);

#endif /* SP_NET_TLS_PUMP_H */
