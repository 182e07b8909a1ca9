/* HI2 (IRI) and TRI PS-PDUs, and the per-context sequence numbers (TS 102 232-1, -3), issue 5.
 *
 * These PDUs share the PSHeader template of the CC fast path: one struct etsi_cc_ctx per
 * (LIID, operator, NE, CIN, delivery country) built by etsi_cc_init() serves CC, IRI and TRI
 * alike. Like etsi_cc_encode(), the encoders here write into the caller's buffer with
 * definite minimal lengths, no heap and no stdio.
 *
 * IRI PDU (IMPLICIT TAGS, asn1/CLIF-PS-PDU.asn):
 *   30 L  A1 L { <PSHeader as for CC, but timeStamp [5] always present: TS 102 232-1 makes
 *                 it mandatory for IRI; in the microsecond form [7] and [8] follow as well> }
 *         A2 L { A0 L { 30 L { 80 01 <iRIType>
 *                             A2 L { A2 L { 80 04 05 03 12 01            iPIRIObjId
 *                                           A1 L { IPIRIContents } } } } } }
 * IPIRIContents: 80 accessEventType, 81 targetUsername, 82 internetAccessType, 83 iPVersion,
 *   [A4 targetIPAddress], [8A startTime], [8B endTime], [8C endReason], [8D octetsReceived],
 *   [8E octetsTransmitted]   (in tag order, as DER requires).
 * targetIPAddress: 30-less SEQUENCE body under A4: 81 01 <0 v4|1 v6>  A2 L { 81 L <addr> }
 *   [83 01 <assignment>] [84 01 <v6 prefix len>] [85 04 <v4 subnet mask>].
 * startTime/endTime use GeneralizedTime with the context's fraction digits (microsecond form:
 * 6 digits).
 *
 * TRI PDU: the PSHeader (timeStamp [5] always present, as for IRI) then
 *   A2 L { A2 L { <alternative> } }    e.g. keep-alive: A2 04 A2 02 83 00.
 */
#ifndef CLIF_ETSI_PDU_H
#define CLIF_ETSI_PDU_H

#include <stddef.h>
#include <stdint.h>

#include "etsi_cc.h"
#include "etsi_err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- sequence numbers (TS 102 232-1 §5.2.5) ----
 * One counter per context and payload type: IRI and CC separately, and each TRI class
 * separately. A context is what one struct etsi_cc_ctx describes, so the caller keeps one
 * struct etsi_seq next to each context. Counters start at 0 and wrap after 2^32-1. */
enum etsi_seq_class {
	ETSI_SEQ_IRI = 0,
	ETSI_SEQ_CC = 1,
	ETSI_SEQ_KEEPALIVE = 2, /* keep-alives (the response echoes the request's number) */
	ETSI_SEQ_TEST = 3,      /* test PDUs */
	ETSI_SEQ_CLASSES = 4,
};

struct etsi_seq {
	uint32_t next[ETSI_SEQ_CLASSES];
};

/* Returns the number for the next PDU of class c and advances the counter (mod 2^32). */
static inline uint32_t etsi_seq_take(struct etsi_seq *s, enum etsi_seq_class c)
{
	return s->next[c]++;
}

/* ---- HI2: IP access IRI (IPIRI) ---- */

enum etsi_iri_type { /* IRIType */
	ETSI_IRI_BEGIN = 1,
	ETSI_IRI_END = 2,
	ETSI_IRI_CONTINUE = 3,
	ETSI_IRI_REPORT = 4,
};

enum etsi_access_event { /* AccessEventType (the values CLIF sends) */
	ETSI_EV_ACCESS_ATTEMPT = 0,
	ETSI_EV_ACCESS_ACCEPT = 1,
	ETSI_EV_SESSION_START = 4,
	ETSI_EV_SESSION_END = 5,
	ETSI_EV_INTERIM_UPDATE = 6,
	ETSI_EV_START_WITH_SESSION_ACTIVE = 7,
	ETSI_EV_ACCESS_END = 8,
	ETSI_EV_END_WITH_SESSION_ACTIVE = 9,
	ETSI_EV_UNKNOWN = 10,
};

enum etsi_end_reason { /* EndReason */
	ETSI_END_UNDEFINED = 0,
	ETSI_END_REGULAR_LOGOFF = 1,
	ETSI_END_CONNECTION_LOSS = 2,
	ETSI_END_CONNECTION_TIMEOUT = 3,
	ETSI_END_LEASE_EXPIRED = 4,
};

/* Which optional IPIRIContents fields an etsi_iri carries. */
#define ETSI_IRI_HAS_TARGET_IP 0x01u
#define ETSI_IRI_HAS_START 0x02u
#define ETSI_IRI_HAS_END 0x04u
#define ETSI_IRI_HAS_END_REASON 0x08u
#define ETSI_IRI_HAS_OCTETS 0x10u /* octetsReceived and octetsTransmitted together */

/* Longest targetUsername the encoder accepts (the field is an unbounded OCTET STRING). */
#define ETSI_IRI_MAX_USERNAME 255u
/* An IRI PDU never exceeds this many bytes. */
#define ETSI_IRI_MAX_PDU 1024u

struct etsi_iri {
	unsigned iri_type;         /* enum etsi_iri_type, 1..4 */
	unsigned event;            /* accessEventType 0..10 */
	const uint8_t *username;   /* targetUsername (mandatory; 0 bytes allowed, NULL if 0) */
	size_t username_len;       /* <= ETSI_IRI_MAX_USERNAME */
	unsigned access_type;      /* internetAccessType 0..9 (CLIF: lAN = 4) */
	unsigned ip_version;       /* iPVersion 1 v4, 2 v6, 3 both */
	unsigned has;              /* ETSI_IRI_HAS_* */
	uint8_t target_ip[16];     /* HAS_TARGET_IP: 4 or 16 bytes used */
	unsigned target_ip_len;    /* 4 or 16 */
	unsigned ip_assignment;    /* iP-assignment 1 static, 2 dynamic, 3 notKnown; 0: omitted */
	unsigned prefix_len;       /* 0: omitted; IPv6: iPv6PrefixLength 1..128; IPv4: 1..32,
				      sent as iPv4SubnetMask */
	uint64_t start_ns;         /* HAS_START: startTime, ns since the Unix epoch */
	uint64_t end_ns;           /* HAS_END: endTime */
	unsigned end_reason;       /* HAS_END_REASON: 0..4 */
	uint64_t octets_rx;        /* HAS_OCTETS: octetsReceived (to the target), <= 2^63-1 */
	uint64_t octets_tx;        /* HAS_OCTETS: octetsTransmitted (from the target), <= 2^63-1 */
};

/* Encodes one IRI PS-PDU (one IRIPayload carrying an IPIRI) into out[0..out_cap).
 *   ctx     the context's PSHeader template (etsi_cc_init())
 *   seq     sequenceNumber (the caller takes it from ETSI_SEQ_IRI)
 *   ts_ns   PSHeader timestamp, ns since the Unix epoch
 * Returns the PDU length (> 0, <= ETSI_IRI_MAX_PDU), or ETSI_E_INVAL (NULL ctx/iri/out, a
 * field out of range: iri_type, event, access_type, ip_version, target_ip_len, ip_assignment,
 * prefix_len, end_reason, octets above 2^63-1, username too long or NULL with a length, a
 * context not made by etsi_cc_init()), ETSI_E_NOSPACE (out_cap too small). */
long etsi_iri_encode(const struct etsi_cc_ctx *ctx, uint32_t seq, uint64_t ts_ns,
		     const struct etsi_iri *iri, uint8_t *out, size_t out_cap);

/* ---- TRI ---- */

enum etsi_tri_kind { /* the TRIPayload alternative's tag number */
	ETSI_TRI_TEST = 1,
	ETSI_TRI_KEEPALIVE = 3,
	ETSI_TRI_KEEPALIVE_RESPONSE = 4,
	ETSI_TRI_CIN_RESET = 7,
};

/* A TRI PDU never exceeds this many bytes. */
#define ETSI_TRI_MAX_PDU 256u

/* Encodes one TRI PS-PDU of the given kind (all four are NULL alternatives).
 * Per TS 102 232-1 §6.2.2 a CIN reset is sent with LIID "-", CIN 0 and sequence number 0:
 * build its context with those values (etsi_tri_cin_reset_config() helps).
 * A keep-alive response carries the sequence number of the keep-alive it answers.
 * Returns the PDU length (> 0), or ETSI_E_INVAL (NULL ctx/out, unknown kind, a context not
 * made by etsi_cc_init()), ETSI_E_NOSPACE. */
long etsi_tri_encode(const struct etsi_cc_ctx *ctx, uint32_t seq, uint64_t ts_ns,
		     enum etsi_tri_kind kind, uint8_t *out, size_t out_cap);

/* Fills *cfg for a CIN reset context from a DF's own config: LIID "-", CIN 0, same operator,
 * NE, countries, IPID and timestamp form. cfg may be the same object as df. */
void etsi_tri_cin_reset_config(struct etsi_cc_config *cfg, const struct etsi_cc_config *df);

#ifdef __cplusplus
}
#endif
#endif
