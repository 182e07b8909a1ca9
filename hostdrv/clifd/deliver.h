/* Delivery of TS 102 232-1 PS-PDUs, or TS 103 221-2 X2/X3 PDUs, to one LEMF (HI2/HI3 or
 * X2/X3 destination), issue 7 item 2.
 *
 * clifd is the TCP client (TS 102 232-1 §6.2): one struct deliver per destination owns a
 * sender thread that connects over TLS (1.2 minimum, 1.3 preferred, mutual authentication,
 * the LEMF's certificate checked against the configured CA and name or IP), reconnects with
 * exponential backoff, and writes the PDUs queued by deliver_submit() in order.
 *
 * Loss avoidance (§6.3): the last resend_bytes of written PDUs (whole PDUs) stay in a cyclic
 * resend buffer and are written again after every reconnect, so data the LEMF had not yet
 * stored when the connection broke arrives anyway; the LEMF tolerates the duplicates.
 *
 * Keep-alive (§6.3, TRI): when nothing was written for TIME1 a keep-alive is sent with its
 * own sequence counter; if no keep-aliveResponse with a sequence number we sent arrives
 * within TIME2 one more keep-alive is sent, and if none arrives within TIME3 of the first the
 * connection is closed and re-established. Keep-alives go out between PDU writes, never
 * behind the whole backlog. A write that makes no progress for TIME3 also closes the
 * connection.
 *
 * X2/X3 mode (protocol DELIVER_X2X3, TS 103 221-2): the same sender, queue, resend buffer,
 * TLS and reconnect; submitted PDUs are encoded X2/X3 PDUs. The keep-alive is an X2/X3
 * Keepalive PDU whose sequence attribute comes from its own counter, and the answer expected
 * is a Keepalive Acknowledgement echoing a sequence number we sent. TS 103 221-2 names the
 * timers differently and has no retry: TIME_P1 (idle time before a keepalive, default 60 s,
 * DELIVER_X2X3_TIME_P1_MS) is time1_ms, TIME_P2 (no acknowledgement within it: reconnect,
 * default 180 s, DELIVER_X2X3_TIME_P2_MS) is time3_ms, and time2_ms is ignored. The
 * keep-alive PSHeader fields (operator id, NE id, country) are not used either.
 *
 * Memory: the queue, the resend buffer and one PDU of scratch are allocated by deliver_new();
 * nothing is allocated per PDU. Nothing identifying (LIIDs, targets) is ever logged: this
 * module logs nothing at all; errors surface through deliver_stats().
 *
 * Spool (issue 7): with spool_path set, a PDU that does not fit in the memory queue goes to a
 * bounded on-disk spool (spool.h) instead of being refused, and so does every later PDU until
 * the spool is empty again, so that order is kept: the sender writes the memory queue, then the
 * spool, oldest first. When the spool is full its oldest PDUs are dropped, counted in
 * spool_dropped_pdus and lost_pdus. The spool file outlives the sender: a new sender on the
 * same file delivers what an earlier one (or a crashed clifd) left in it. The spool is read
 * and written under the submitters' lock, one PDU at a time, so keep-alives still go out
 * between PDUs while a backlog drains. */
#ifndef CLIFD_DELIVER_H
#define CLIFD_DELIVER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum deliver_protocol {
	DELIVER_TS102232 = 0, /* TS 102 232-1 PS-PDUs, TRI keep-alives (the zero default) */
	DELIVER_X2X3 = 1,     /* TS 103 221-2 X2/X3 PDUs, X2/X3 Keepalive / Acknowledgement */
};

/* TS 103 221-2 default timers, for time1_ms and time3_ms in X2/X3 mode. */
#define DELIVER_X2X3_TIME_P1_MS 60000u  /* TIME_P1: keepalive after this much idle time */
#define DELIVER_X2X3_TIME_P2_MS 180000u /* TIME_P2: no acknowledgement in time: reconnect */

struct deliver_config {
	enum deliver_protocol protocol;
	const char *host;           /* LEMF address or name (getaddrinfo) */
	uint16_t port;
	const char *server_name;    /* name or IP literal the LEMF certificate must carry;
				       NULL: host. A name is also sent as SNI. */
	const char *ca_file;        /* PEM CA(s) that issued the LEMF's certificate */
	const char *cert_file;      /* clifd's client certificate chain (PEM) */
	const char *key_file;       /* its private key (PEM) */
	unsigned time1_ms;          /* TIME1 (X2/X3: TIME_P1): idle time before a keep-alive
				       (>= 10) */
	unsigned time2_ms;          /* TIME2: wait for a keep-aliveResponse before a retry
				       (X2/X3: ignored, no retry) */
	unsigned time3_ms;          /* TIME3 (X2/X3: TIME_P2): wait for an answer before the
				       connection is declared dead; > time2_ms (X2/X3: > 0) */
	unsigned backoff_initial_ms; /* first reconnect delay (>= 1), doubled per failure... */
	unsigned backoff_max_ms;    /* ...up to this (>= backoff_initial_ms) */
	size_t resend_bytes;        /* resend buffer size (0: no resend) */
	size_t queue_bytes;         /* queue size; each PDU takes its length + 4 */
	size_t max_pdu;             /* largest PDU accepted; 0: 65535 + 256 */
	const char *spool_path;     /* on-disk spool file (created 0600); NULL: no spool */
	uint64_t spool_bytes;       /* its size, header included; 0: no spool */
	/* The keep-alives' PSHeader: operatorIdentifier (1..16 bytes), networkElementIdentifier
	 * (0..16), delivery country (NULL: omitted). They carry LIID "-" and CIN 0, as the
	 * connection-level TRI PDUs of TS 102 232-1 §6.2.2 do. */
	const uint8_t *operator_id;
	size_t operator_id_len;
	const uint8_t *ne_id;
	size_t ne_id_len;
	const char *delivery_country;
};

struct deliver_stats {
	uint64_t sent_pdus;         /* queued PDUs written to a connection, or kept in the resend
				       buffer when the connection broke while writing them */
	uint64_t sent_bytes;        /* their bytes */
	uint64_t resent_pdus;       /* PDUs written again from the resend buffer */
	uint64_t connects;          /* connections established (TLS handshake done) */
	uint64_t reconnects;        /* connections established after a previous one broke */
	uint64_t connect_failures;  /* TCP or TLS set-up failures (bad certificate included) */
	uint64_t keepalives_sent;
	uint64_t keepalives_answered; /* keep-aliveResponses (X2/X3: Keepalive
					 Acknowledgements) matching one we sent */
	uint64_t keepalive_timeouts;  /* connections closed because TIME3 (TIME_P2) expired */
	uint64_t lost_pdus;         /* refused by deliver_submit (-ENOSPC, -EIO), dropped from a
				       full or unreadable spool, or broken mid-write and not in
				       the resend buffer */
	uint64_t queued_bytes;      /* bytes waiting in the queue now */
	uint64_t spool_dropped_pdus; /* oldest spooled PDUs dropped to make room (in lost_pdus) */
	uint64_t spooled_pdus;      /* PDUs waiting in the spool now */
	uint64_t spooled_bytes;     /* spool bytes in use now (each PDU takes its length + 16) */
	int connected;              /* 1 while a connection is up */
};

struct deliver;

/* Validates c, loads the TLS material, allocates the buffers and starts the sender thread
 * (which connects in the background). The strings in c are not kept after the call.
 * Returns the sender, or NULL with errno: EINVAL (NULL c or host, port 0, missing TLS
 * files, protocol unknown, time1_ms < 10, time3_ms <= time2_ms or time2_ms 0 (TS 102 232-1),
 * time3_ms 0 (X2/X3), backoff 0 or max < initial, queue_bytes smaller than one max_pdu + 4,
 * operator id not 1..16 or NE id over 16 (TS 102 232-1 only), spool_bytes too small for one
 * max_pdu + 56), EPROTO (the CA, certificate or key does not load, or the key does not match;
 * or the spool file exists and is not a spool), the spool file's open/read/write errno,
 * ENOMEM, or pthread_create's error. */
struct deliver *deliver_new(const struct deliver_config *c);

/* Copies one encoded PS-PDU (X2/X3 mode: X2/X3 PDU) into the queue; never blocks on the network.
 * With a spool, a PDU that does not fit in the queue (or arrives while the spool is not empty)
 * is written to the spool, dropping its oldest PDUs if it is full; this may block on the disk.
 * Returns 0, -EINVAL (NULL d or pdu, len 0), -EMSGSIZE (len > max_pdu), -ENOSPC (queue full
 * and no spool: the PDU is dropped and counted in lost_pdus), -EIO (the spool write failed:
 * likewise). Thread-safe. */
int deliver_submit(struct deliver *d, const uint8_t *pdu, size_t len);

/* deliver_submit() for n PDUs laid out one after the other in buf (lengths in lens), under one
 * lock and with at most one wake-up of the sender: the capture path hands over a burst at a
 * time. ok[i] gets 1 for each PDU queued or spooled, 0 for one refused (length 0 or over
 * max_pdu, or dropped as deliver_submit() drops it, counted in lost_pdus but for the
 * lengths). Returns how many were refused, or -EINVAL (NULL d, or NULL buf, lens or ok with
 * n > 0). Thread-safe. */
int deliver_submit_batch(struct deliver *d, const uint8_t *buf, const uint32_t *lens, unsigned n, uint8_t *ok);

/* Waits until every PDU queued or spooled so far has been written (queue and spool empty, no
 * write in progress).
 * Returns 0, -ETIMEDOUT after timeout_ms, -EINVAL (NULL d). */
int deliver_flush(struct deliver *d, unsigned timeout_ms);

/* A consistent snapshot of the counters. */
void deliver_stats(struct deliver *d, struct deliver_stats *out);

/* Stops the sender thread (closing the connection; queued PDUs not yet written are dropped,
 * call deliver_flush() first to avoid that; spooled ones stay in the spool file) and frees
 * everything. NULL is a no-op. */
void deliver_free(struct deliver *d);

#ifdef __cplusplus
}
#endif
#endif
