/* X2/X3 PDUs (ETSI TS 103 221-2, header version 5): encoder, framer and parser, issue 5.
 *
 * Wire layout (big-endian):
 *   0 version(2)=5  2 pduType(2)  4 headerLength(4)  8 payloadLength(4)  12 payloadFormat(2)
 *   14 payloadDirection(2)  16 XID(16)  32 correlationID(8)  40 attributes (TLV: type(2)
 *   length(2) value)  HL payload(PL)
 * The encoder writes attributes in ascending type order, each at most once except the
 * matched target identifier (17), which it writes once. The parser accepts any order, keeps
 * the first occurrence of single-occurrence types, counts the rest and skips unknown types.
 *
 * No heap, no stdio: usable per packet.
 */
#ifndef CLIF_X2X3_H
#define CLIF_X2X3_H

#include <stddef.h>
#include <stdint.h>

#include "etsi_err.h"

#ifdef __cplusplus
extern "C" {
#endif

#define X2X3_VERSION 5u
#define X2X3_FIXED_HDR 40u
/* Largest header + payload the framer/parser accept by default (the wire format allows 4 GiB;
 * a receiver must bound it). */
#define X2X3_MAX_PDU (1u << 20)

enum x2x3_pdu_type {
	X2X3_PDU_X2 = 1,
	X2X3_PDU_X3 = 2,
	X2X3_PDU_KEEPALIVE = 3,
	X2X3_PDU_KEEPALIVE_ACK = 4,
};

enum x2x3_format {
	X2X3_FMT_KEEPALIVE = 0,
	X2X3_FMT_ETSI_102232 = 1, /* payload: one BER PS-PDU (TS 102 232-1) */
	X2X3_FMT_3GPP_33128 = 2,
	X2X3_FMT_3GPP_33108 = 3,
	X2X3_FMT_PROPRIETARY = 4,
	X2X3_FMT_IPV4 = 5,
	X2X3_FMT_IPV6 = 6,
	X2X3_FMT_ETHERNET = 7,
	X2X3_FMT_MAX = 16, /* highest format value defined by V1.6.1 */
};

enum x2x3_direction {
	X2X3_DIR_KEEPALIVE = 0,
	X2X3_DIR_UNKNOWN = 1,
	X2X3_DIR_TO_TARGET = 2,
	X2X3_DIR_FROM_TARGET = 3,
	X2X3_DIR_MULTIPLE = 4,
	X2X3_DIR_NOT_APPLICABLE = 5,
};

enum x2x3_attr_type {
	X2X3_ATTR_ETSI_102232 = 1,
	X2X3_ATTR_DID = 5,
	X2X3_ATTR_NFID = 6,
	X2X3_ATTR_IPID = 7,
	X2X3_ATTR_SEQ = 8,          /* 4 octets */
	X2X3_ATTR_TIMESTAMP = 9,    /* 8 octets: seconds(4) nanoseconds(4) */
	X2X3_ATTR_SRC_IPV4 = 10,
	X2X3_ATTR_DST_IPV4 = 11,
	X2X3_ATTR_SRC_IPV6 = 12,
	X2X3_ATTR_DST_IPV6 = 13,
	X2X3_ATTR_SRC_PORT = 14,    /* 2 octets */
	X2X3_ATTR_DST_PORT = 15,
	X2X3_ATTR_IP_PROTO = 16,    /* 1 octet */
	X2X3_ATTR_MATCHED_TARGET = 17, /* UTF-8 X1 TargetIdentifier XML, e.g. <ipv4Address>..</..> */
};

/* Which optional attributes a struct x2x3_pdu carries (encode input, parse output). */
#define X2X3_HAS_SEQ 0x01u
#define X2X3_HAS_TIMESTAMP 0x02u
#define X2X3_HAS_SRC_IP 0x04u  /* src_ip with ip_len 4 or 16 */
#define X2X3_HAS_DST_IP 0x08u
#define X2X3_HAS_SRC_PORT 0x10u
#define X2X3_HAS_DST_PORT 0x20u
#define X2X3_HAS_IP_PROTO 0x40u
#define X2X3_HAS_MATCHED_TARGET 0x80u

/* Longest matched-target attribute value the encoder writes. */
#define X2X3_MAX_TARGET_ATTR 512u
/* An encoded header (fixed part + every attribute above) never exceeds this. */
#define X2X3_MAX_HDR (X2X3_FIXED_HDR + 96u + X2X3_MAX_TARGET_ATTR)

struct x2x3_pdu {
	uint16_t pdu_type;        /* enum x2x3_pdu_type */
	uint16_t payload_format;  /* enum x2x3_format */
	uint16_t payload_dir;     /* enum x2x3_direction */
	uint8_t xid[16];          /* the task's XID (UUID bytes in network order) */
	uint64_t correlation_id;
	unsigned has;             /* X2X3_HAS_* */
	uint32_t seq;
	uint32_t ts_sec, ts_nsec; /* ts_nsec < 10^9 */
	uint8_t ip_len;           /* 4 or 16 when HAS_SRC_IP/HAS_DST_IP */
	uint8_t src_ip[16], dst_ip[16];
	uint16_t src_port, dst_port;
	uint8_t ip_proto;
	const uint8_t *matched_target; /* UTF-8, not NUL-terminated */
	uint16_t matched_target_len;
	const uint8_t *payload;
	uint32_t payload_len;
	/* parse output only */
	uint32_t header_len;
	uint32_t unknown_attrs;   /* attributes of types the parser does not interpret */
	uint32_t repeated_attrs;  /* repeats of single-occurrence types (ignored) */
};

/* Encodes one PDU. Keepalive/ack PDUs (pdu_type 3/4) are written as the standard says:
 * format 0, direction 0, XID and correlation 0, no payload, only the sequence attribute
 * (HAS_SEQ required) whatever else p holds.
 * Returns the PDU length, or ETSI_E_INVAL (NULL p/out, pdu_type not 1..4, format above
 * X2X3_FMT_MAX, direction above 5, ip_len not 4/16 with an address, ts_nsec >= 10^9,
 * matched target over X2X3_MAX_TARGET_ATTR, payload NULL with a length),
 * ETSI_E_TOOBIG (payload_len + header over X2X3_MAX_PDU), ETSI_E_NOSPACE. */
long x2x3_encode(const struct x2x3_pdu *p, uint8_t *out, size_t out_cap);

/* Framing for a byte stream: looks at the first avail bytes of buf.
 * Returns the whole PDU length (header + payload) when buf starts with a PDU header whose
 * lengths are sane, even if fewer bytes are available yet (the caller compares with avail);
 * 0 if fewer than 12 bytes are available; ETSI_E_TAG (version not 5 or pdu type not 1..4),
 * ETSI_E_LENGTH (header length below 40, or header + payload over max_pdu). */
long x2x3_frame_len(const uint8_t *buf, size_t avail, size_t max_pdu);

/* Parses one complete PDU of exactly len bytes into *p; p->payload and p->matched_target
 * point into buf. Returns 0, or ETSI_E_TAG, ETSI_E_LENGTH (lengths disagree with len),
 * ETSI_E_ATTR (attribute overruns the header, or wrong size for its type), ETSI_E_INVAL
 * (NULL arguments, payload direction above 5, keepalive with a payload). */
int x2x3_parse(const uint8_t *buf, size_t len, struct x2x3_pdu *p);

#ifdef __cplusplus
}
#endif
#endif
