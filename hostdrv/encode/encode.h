/* clif-encode: a pcap turned into the byte stream CLIF would deliver for one target (issue 5).
 * The parts: options.c (command line), target.c (the target prefix and its X1 identifier),
 * frame.c (the IP datagram of a frame, found with the data plane's own parser), sink.c (the
 * buffered output: file, TCP or TLS), emit.c (the PDUs, with libclif-etsi), main.c.
 *
 * Nothing here logs an LIID, XID or target address. */
#ifndef CLIF_ENCODE_H
#define CLIF_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "dp.h"
#include "etsi_cc.h"
#include "etsi_pdu.h"

/* Exit codes. */
#define ENC_EXIT_OK 0
#define ENC_EXIT_IO 1    /* output file, network or TLS failure */
#define ENC_EXIT_USAGE 2 /* bad option value, unreadable or invalid capture, unsupported link type */

#define ENC_NAME "clif-encode"
#define ENC_VERSION "1.0"

/* ---- target (target.c) ---- */

struct enc_target {
	uint8_t family;      /* 4 or 6 */
	uint8_t has_prefix;  /* given as ADDR/PREFIX (an X1 ...Cidr identifier) */
	uint8_t prefix;      /* 1..32 or 1..128; the full length for a host */
	uint8_t addr[16];    /* host bits past the prefix cleared */
	char xml[96];        /* the X1 TargetIdentifier, e.g. <ipv4Cidr>10.0.0.0/24</ipv4Cidr> */
	uint16_t xml_len;
};

/* Parses "ADDR" or "ADDR/PREFIX" (IPv4 dotted quad or IPv6 text, prefix 1..32 / 1..128) and
 * builds the X1 identifier. Returns 0, or -1 when the text is not such an address. */
int enc_target_parse(struct enc_target *t, const char *text);

/* Which side of a datagram lies within the target: ENC_SIDE_SRC | ENC_SIDE_DST, or 0. */
#define ENC_SIDE_SRC 1u
#define ENC_SIDE_DST 2u
struct enc_dgram;
unsigned enc_target_sides(const struct enc_target *t, const struct enc_dgram *d);

/* ---- options (options.c) ---- */

enum enc_format {
	ENC_FMT_HI = 0,   /* TS 102 232-1 stream: HI2 IRI and HI3 CC PS-PDUs */
	ENC_FMT_X2X3 = 1, /* TS 103 221-2 X2/X3 PDUs */
};

struct enc_options {
	const char *in_path;
	const char *out_path;     /* -w; "-" is standard output */
	const char *send_to;      /* --send HOST:PORT */
	int tls;
	const char *cert, *key, *ca, *servername;
	const uint8_t *liid;
	size_t liid_len;
	struct enc_target target;
	enum enc_format format;
	uint32_t cin;
	const char *operator_id;
	const char *ne_id;        /* NULL: omitted */
	const char *country;      /* NULL: omitted */
	const char *ipid;         /* NULL: omitted */
	enum etsi_cc_ts_form ts_form;
	unsigned ts_frac_digits;
	uint32_t first_seq;
	uint8_t xid[16];
	int have_xid;
	int no_iri;
};

/* Parses argv into *o. Returns -1 to go on, otherwise the exit code: ENC_EXIT_OK after --help
 * or --version (printed to stdout), ENC_EXIT_USAGE after a message on stderr. */
int enc_options_parse(struct enc_options *o, int argc, char **argv);

/* ---- frames (frame.c) ---- */

/* The IP datagram found in one frame; every pointer points into the framer's buffer and is
 * valid until the next enc_frame() call. */
struct enc_dgram {
	const uint8_t *ip;      /* first byte of the IP header */
	uint32_t len;           /* captured bytes of the datagram (what is delivered) */
	uint32_t wire_len;      /* its length by its own header (>= len) */
	uint8_t family;         /* 4 or 6 */
	uint8_t proto;          /* IPv4 protocol, or the IPv6 upper-layer next header */
	uint8_t ports_valid;    /* TCP/UDP/SCTP header present: not a later fragment */
	uint8_t truncated;      /* len < wire_len: the capture cut the datagram short */
	uint16_t sport, dport;
	const uint8_t *src, *dst; /* 4 or 16 bytes inside ip */
};

enum enc_frame_kind {
	ENC_FRAME_IP = 0,       /* *d describes the datagram */
	ENC_FRAME_NOT_IP = 1,   /* no IPv4/IPv6 layer (ARP, LLDP, a bad IP header...) */
	ENC_FRAME_OVERSIZE = 2, /* more than CLIF_DP_MAX_FRAME bytes: the card's MAC never takes it */
};

struct enc_framer {
	int dlt;
	uint32_t used;          /* bytes of beats written by the last frame */
	struct dp_beat beats[CLIF_DP_MAX_BEATS];
};

/* Prepares for a capture of libpcap link type dlt. Returns 0, or -1 if the link type is not
 * supported (see enc_dlt_supported). */
int enc_framer_init(struct enc_framer *f, int dlt);

/* Finds the datagram of one captured frame. Returns an enum enc_frame_kind. */
int enc_frame(struct enc_framer *f, const uint8_t *data, uint32_t caplen, struct enc_dgram *d);

/* ---- output (sink.c) ---- */

/* Largest single reservation: a CC PDU around a full-size frame, or an X2/X3 PDU. */
#define ENC_SINK_MAX_ITEM (ETSI_CC_MAX_OVERHEAD + ETSI_CC_MAX_PAYLOAD + 1024u)

struct enc_sink {
	int fd;
	int close_fd;           /* 0 for standard output */
	int net;                /* a TCP connection (--send) */
	SSL_CTX *ctx;
	SSL *ssl;
	int tls_up;             /* handshake done: close with close_notify */
	uint8_t *buf;
	size_t len, cap;
	uint64_t bytes;         /* handed to the file or socket */
	int failed;             /* a write failed (reported once) */
};

/* Opens the output named by the options (-w or --send). Returns 0, or -1 after a message. */
int enc_sink_open(struct enc_sink *s, const struct enc_options *o);

/* Room for n <= ENC_SINK_MAX_ITEM bytes at the end of the buffer (writing out what is buffered
 * first if needed). Returns NULL after a write failure (reported once). */
uint8_t *enc_sink_reserve(struct enc_sink *s, size_t n);

/* Keeps n bytes written at the last reservation. */
void enc_sink_commit(struct enc_sink *s, size_t n);

/* Writes out the rest and closes. A connection is closed in order (TLS: close_notify) and the
 * receiver's own close awaited for a few seconds, so that one that refused or broke the session
 * is reported. Returns 0, or -1 after a message. */
int enc_sink_close(struct enc_sink *s);

/* ---- PDUs (emit.c) ---- */

enum enc_pdu_kind { ENC_PDU_IRI, ENC_PDU_CC, ENC_PDU_X2, ENC_PDU_X3, ENC_PDU_KINDS };

struct enc_emitter {
	const struct enc_options *o;
	struct enc_sink *out;
	struct etsi_cc_ctx cc;
	struct etsi_seq seq;      /* IRI and CC counters */
	uint32_t x2_seq, x3_seq;
	uint64_t matched;
	uint64_t first_ns, last_ns;
	uint64_t octets_rx, octets_tx; /* to / from the target */
	uint64_t pdus[ENC_PDU_KINDS];
};

/* Builds the PSHeader template from the options. Returns 0, or -1 after a message. */
int enc_emit_init(struct enc_emitter *e, const struct enc_options *o, struct enc_sink *out);

/* One matched datagram (sides from enc_target_sides, non-zero) captured at ts_ns: the IRI
 * BEGIN first if it is the first one, then its CC or X3. Returns 0, or -1 (output failed, or
 * the encoder refused: reported). */
int enc_emit_packet(struct enc_emitter *e, const struct enc_dgram *d, unsigned sides,
		    uint64_t ts_ns);

/* The IRI END after the last matched datagram (nothing if none matched). Returns 0 or -1. */
int enc_emit_finish(struct enc_emitter *e);

#endif
