/* Fast-path encoder for HI3 CC PS-PDUs (TS 102 232-1 PS-PDU carrying one CCPayload with an
 * IPCC iPPackets payload, TS 102 232-3), issue 5.
 *
 * The constant parts of the PDU (li-psDomainId version43, LIID, authorizationCountryCode,
 * communicationIdentifier, interceptionPointID) are BER-encoded once by etsi_cc_init() into a
 * template held in the context. etsi_cc_encode() then writes one PDU per packet into the
 * caller's buffer: it encodes only the variable parts (sequenceNumber, timestamp, direction,
 * the iPPackets length and bytes), computes every enclosing definite length arithmetically
 * (one forward pass, no second pass), and copies the template pieces. No heap, no stdio.
 *
 * Layout (IMPLICIT TAGS, see asn1/CLIF-PS-PDU.asn):
 *   30 L  A1 L { 80 07 <oid> 81 L <liid> [82 02 <acc>] A3 L {...} 84 L <seq>
 *                [85 L <GeneralizedTime>] [86 L <ipid>] [A7 L {80 L <s> 81 L <us>} 88 01 <q>] }
 *         A2 L { A1 L { 30 L { 80 01 <dir> A2 L { A2 L { 80 04 05 03 12 02
 *                                                      A1 L { 80 L <IP datagram> } } } } } }
 * Lengths are definite and minimal (DER-style), so the PDU is also what a DER encoder gives,
 * except that a GeneralizedTime fraction keeps its configured digit count (trailing zeros are
 * not stripped; BER allows this).
 *
 * Thread safety: the context is read-only after etsi_cc_init(); encode may run concurrently
 * on one context. The caller owns sequence numbering (one counter per context, TS 102 232-1
 * §5.2.5). */
#ifndef CLIF_ETSI_CC_H
#define CLIF_ETSI_CC_H

#include <stddef.h>
#include <stdint.h>

#include "etsi_err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Error returns (negative; the same values as etsi_err.h, named for this encoder). */
enum etsi_cc_err {
	ETSI_CC_E_INVAL = ETSI_E_INVAL,    /* NULL pointer, or a field out of its ASN.1 range (init: LIID not
				    1..25 bytes, operatorIdentifier not 1..16, NEID over 16,
				    country codes not 2 printable chars, IPID not 1..8 printable,
				    bad timestamp form/qualifier/fraction digits; encode: direction
				    above 4) */
	ETSI_CC_E_TOOBIG = ETSI_E_TOOBIG,   /* encode: ip_len > ETSI_CC_MAX_PAYLOAD */
	ETSI_CC_E_NOSPACE = ETSI_E_NOSPACE,  /* encode: out_cap smaller than the PDU (nothing useful written) */
};

#define ETSI_CC_MAX_PAYLOAD 65535u
/* Worst-case PDU size around the payload: etsi_cc_encode never needs more than
 * ETSI_CC_MAX_OVERHEAD + ip_len bytes. */
#define ETSI_CC_MAX_OVERHEAD 256u

enum etsi_cc_ts_form {
	ETSI_CC_TS_MICRO = 0, /* microSecondTimeStamp [7] + timeStampQualifier [8] */
	ETSI_CC_TS_GENERALIZED = 1, /* timeStamp [5] GeneralizedTime, UTC "YYYYMMDDhhmmss[.f..]Z" */
};

/* payloadDirection values (PayloadDirection ENUMERATED). */
enum etsi_cc_dir {
	ETSI_CC_DIR_FROM_TARGET = 0,
	ETSI_CC_DIR_TO_TARGET = 1,
	ETSI_CC_DIR_INDETERMINATE = 2,
	ETSI_CC_DIR_COMBINED = 3,
	ETSI_CC_DIR_NOT_APPLICABLE = 4,
};

/* What etsi_cc_init() needs; strings are byte arrays with explicit lengths (not copied by
 * reference: the context keeps its own encoded copy). */
struct etsi_cc_config {
	const uint8_t *liid;          /* lawfulInterceptionIdentifier, 1..25 bytes */
	size_t liid_len;
	const char *auth_country;     /* authorizationCountryCode, 2 chars, or NULL: omitted */
	const uint8_t *operator_id;   /* operatorIdentifier, 1..16 bytes */
	size_t operator_id_len;
	const uint8_t *ne_id;         /* networkElementIdentifier, 1..16 bytes; NULL/0: omitted */
	size_t ne_id_len;
	uint32_t cin;                 /* communicationIdentityNumber (always sent) */
	const char *delivery_country; /* deliveryCountryCode, 2 chars, or NULL: omitted */
	const char *ipid;             /* interceptionPointID, 1..8 chars, or NULL: omitted */
	enum etsi_cc_ts_form ts_form;
	unsigned ts_qualifier;        /* MICRO: timeStampQualifier 0..3 (1 = timeOfInterception) */
	unsigned ts_frac_digits;      /* GENERALIZED: fraction digits 0..9 (0: no fraction) */
};

/* Pre-encoded constant parts. Opaque: fill with etsi_cc_init() only. */
struct etsi_cc_ctx {
	uint8_t hdr_a[112];      /* 80 oid .. A3 {..}: everything before sequenceNumber */
	uint8_t hdr_b[12];       /* 86 L ipid (between timeStamp and microSecondTimeStamp) */
	uint16_t hdr_a_len;
	uint16_t hdr_b_len;
	uint8_t ts_form;
	uint8_t ts_qualifier;
	uint8_t ts_frac_digits;
	uint8_t reserved;
};

/* Validates cfg and pre-encodes the template into ctx.
 * Returns 0, or ETSI_CC_E_INVAL (ctx then unusable). */
int etsi_cc_init(struct etsi_cc_ctx *ctx, const struct etsi_cc_config *cfg);

/* Encodes one PS-PDU into out[0..out_cap).
 *   seq     sequenceNumber (0..2^32-1)
 *   ts_ns   time of interception, nanoseconds since the Unix epoch (UTC)
 *   dir     payloadDirection, an enum etsi_cc_dir value (0..4)
 *   ip      the IP datagram (may be NULL when ip_len is 0)
 * Returns the PDU length (> 0), or ETSI_CC_E_INVAL (NULL ctx/out, NULL ip with ip_len > 0,
 * dir > 4), ETSI_CC_E_TOOBIG (ip_len > 65535), ETSI_CC_E_NOSPACE (out_cap too small; out
 * left unspecified). Every uint64_t ts_ns is a valid time: 2^64-1 ns is in the year 2554. */
long etsi_cc_encode(const struct etsi_cc_ctx *ctx, uint32_t seq, uint64_t ts_ns, unsigned dir,
		    const uint8_t *ip, uint32_t ip_len, uint8_t *out, size_t out_cap);

#ifdef __cplusplus
}
#endif
#endif
