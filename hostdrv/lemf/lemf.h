/* clif-lemf: a LEMF-side receiver of CLIF's handover streams for acceptance tests (issue 5).
 *
 * One thread per connection (or per -r file) frames the byte stream (etsi_stream), decodes
 * each PDU (asn1c for PS-PDUs, x2x3_parse for X2/X3), answers keep-alives on the same
 * connection, and hands what it decoded to the sink, which owns every output file and the
 * sequence-continuity table behind one mutex. */
#ifndef CLIF_LEMF_H
#define CLIF_LEMF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "etsi_stream.h"

/* ---- configuration (main.c) ---- */
struct lemf_opts {
	const char *out_dir;     /* -o: pcaps, events.jsonl */
	const char *raw_dir;     /* --raw: the received bytes per connection, or NULL */
	int strict;              /* --strict: exit 3 at the first undecodable PDU */
	int fmt;                 /* enum etsi_stream_format */
	size_t max_pdu;
	int quiet;
};

extern struct lemf_opts lemf_opts;

/* ---- one input (a connection or a file) ---- */
struct lemf_conn {
	unsigned id;             /* 1, 2, ... in accept order (files too) */
	const char *peer;        /* "address:port" or the file name, for messages */
	/* reply path for keep-alive responses and acks; NULL for files */
	int (*reply)(struct lemf_conn *c, const uint8_t *buf, size_t len);
	void *io;                /* the transport's state (net.c) */
	FILE *raw;               /* --raw output, or NULL */
	struct etsi_stream stream;
	uint64_t bytes;
	int failed;              /* strict mode tripped, or a reply could not be sent */
};

/* Opens the connection's raw file and stream. Returns 0 or -1 (message printed). */
int lemf_conn_open(struct lemf_conn *c);

/* Feeds received bytes: frames, decodes, replies, records. Returns 0, or -1 when strict mode
 * tripped (the caller stops reading). */
int lemf_conn_input(struct lemf_conn *c, const uint8_t *data, size_t n);

/* End of input: drains the stream, reports a PDU cut short. Returns 0 or -1 (strict). */
int lemf_conn_close(struct lemf_conn *c);

/* ---- decoding (hi.c, x.c) ---- */

/* Decodes one framed PS-PDU and records it (sink). Returns 0, or ETSI_E_DECODE when asn1c
 * refuses it (the caller rejects it in the stream). */
int lemf_hi_pdu(struct lemf_conn *c, const uint8_t *pdu, size_t len, uint64_t offset);

/* Parses one framed X2/X3 PDU and records it. Returns 0 or a negative etsi_err. */
int lemf_x_pdu(struct lemf_conn *c, const uint8_t *pdu, size_t len, uint64_t offset);

/* ---- the sink (sink.c): outputs and sequence continuity; all functions lock ---- */

int lemf_sink_open(const char *out_dir);
void lemf_sink_close(void);
/* Flushes buffered output (after each batch a connection processed). */
void lemf_sink_flush(void);

/* A JSON event line: the caller passes the object's members (already JSON), the sink adds
 * "conn" and writes one line. */
void lemf_sink_event(const struct lemf_conn *c, const char *members);

/* Appends one packet to the pcap of a key ("cc-<liid>" or "x3-<xid>"): linktype is
 * DLT_RAW or DLT_EN10MB. */
void lemf_sink_packet(const char *key, int linktype, uint64_t ts_ns, const uint8_t *pkt, size_t len);

/* Sequence continuity: ctx is an opaque byte key (the context's fields), desc its JSON
 * description for reports. Records seq; writes "gap" / "duplicate" events when it breaks. */
void lemf_sink_seq(const struct lemf_conn *c, const void *ctx, size_t ctx_len, const char *desc,
		   uint32_t seq);

/* Counts and the end-of-run summary. */
enum lemf_count {
	LEMF_N_IRI, LEMF_N_CC, LEMF_N_TRI, LEMF_N_X2, LEMF_N_X3, LEMF_N_XKEEP, LEMF_N_OTHER,
	LEMF_N_UNDECODABLE, LEMF_N_FRAMING, LEMF_N_SKIPPED_BYTES, LEMF_N_GAPS, LEMF_N_MISSING,
	LEMF_N_DUPS, LEMF_N_REPLIES, LEMF_N_CONNS, LEMF_N_BYTES, LEMF_N_COUNTS
};
void lemf_sink_count(enum lemf_count k, uint64_t n);
uint64_t lemf_sink_get(enum lemf_count k);
void lemf_sink_summary(FILE *f);

/* ---- JSON helpers (sink.c) ---- */

/* Appends to buf (NUL-terminated, capacity cap) as printf would; never overruns. */
void lemf_jcat(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Appends a JSON string literal of n raw bytes (escaping quotes, backslash, control and
 * non-ASCII bytes as \u00XX). */
void lemf_jstr(char *buf, size_t cap, const uint8_t *s, size_t n);
/* Appends "YYYY-MM-DDThh:mm:ss.nnnnnnnnnZ" for ns since the epoch (quoted). */
void lemf_jtime(char *buf, size_t cap, uint64_t ts_ns);

#endif
