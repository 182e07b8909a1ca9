/* HI2 IRI and TRI PS-PDU encoders (see etsi_pdu.h for the layouts). Like the CC fast path, each
 * encoder sizes every nested TLV first (innermost outwards), checks the whole PDU against
 * out_cap, then writes it in one forward pass: lengths are definite and minimal, so apart from
 * GeneralizedTime fractions (which keep their digit count) the output is what DER gives. */
#include "etsi_pdu.h"

#include <string.h>

#include "ber_put.h"

/* iPIRIObjId {5 3 18 1}: IPAccessPDU version18, IRI. */
static const uint8_t IPIRI_OBJID[] = {0x80, 0x04, 0x05, 0x03, 0x12, 0x01};

/* The microsecond form still sends timeStamp [5] (mandatory for IRI); six digits carry the
 * same microseconds as microSecondTimeStamp, so both say the same instant. */
#define MICRO_FRAC_DIGITS 6u

#define LONGEST_PREFIX_V4 32u
#define LONGEST_PREFIX_V6 128u

/* ---- PSHeader ---- */

/* A context not made by etsi_cc_init() could make the size arithmetic read past hdr_a/hdr_b
 * or write an unknown timestamp form, so it is refused like a NULL one. */
static int ctx_ok(const struct etsi_cc_ctx *ctx)
{
	return ctx != NULL && ctx->hdr_a_len >= 9 && ctx->hdr_a_len <= sizeof(ctx->hdr_a) &&
	       ctx->hdr_b_len <= sizeof(ctx->hdr_b) && ctx->ts_frac_digits <= 9 &&
	       ctx->ts_qualifier <= 3 &&
	       (ctx->ts_form == ETSI_CC_TS_MICRO || ctx->ts_form == ETSI_CC_TS_GENERALIZED);
}

static unsigned gt_frac(const struct etsi_cc_ctx *ctx)
{
	return ctx->ts_form == ETSI_CC_TS_MICRO ? MICRO_FRAC_DIGITS : ctx->ts_frac_digits;
}

static uint64_t ts_secs(uint64_t ts_ns)
{
	return ts_ns / 1000000000u;
}

static uint64_t ts_us(uint64_t ts_ns)
{
	return ts_ns % 1000000000u / 1000u;
}

/* microSecondTimeStamp content: seconds [0], microSeconds [1]. */
static size_t micro_len(uint64_t ts_ns)
{
	return ber_int_tlv_size(ts_secs(ts_ns)) + ber_int_tlv_size(ts_us(ts_ns));
}

/* PSHeader content: template A, sequenceNumber, timeStamp, template B (IPID), and in the
 * microsecond form microSecondTimeStamp and timeStampQualifier (tag order 84 85 86 A7 88). */
static size_t hdr_len(const struct etsi_cc_ctx *ctx, uint32_t seq, uint64_t ts_ns)
{
	size_t l = ctx->hdr_a_len + ber_int_tlv_size(seq) + ber_tlv_size(ber_gt_len(gt_frac(ctx))) +
		   ctx->hdr_b_len;
	if (ctx->ts_form == ETSI_CC_TS_MICRO)
		l += ber_tlv_size(micro_len(ts_ns)) + ber_int_tlv_size(ctx->ts_qualifier);
	return l;
}

static uint8_t *put_hdr(uint8_t *p, const struct etsi_cc_ctx *ctx, size_t len, uint32_t seq,
			uint64_t ts_ns)
{
	unsigned frac = gt_frac(ctx);
	p = ber_put_hdr(p, 0xa1, len);
	memcpy(p, ctx->hdr_a, ctx->hdr_a_len);
	p += ctx->hdr_a_len;
	p = ber_put_int(p, 0x84, seq);
	p = ber_put_hdr(p, 0x85, ber_gt_len(frac));
	p = ber_put_gt(p, ts_ns, frac);
	memcpy(p, ctx->hdr_b, ctx->hdr_b_len);
	p += ctx->hdr_b_len;
	if (ctx->ts_form == ETSI_CC_TS_MICRO) {
		p = ber_put_hdr(p, 0xa7, micro_len(ts_ns));
		p = ber_put_int(p, 0x80, ts_secs(ts_ns));
		p = ber_put_int(p, 0x81, ts_us(ts_ns));
		p = ber_put_int(p, 0x88, ctx->ts_qualifier);
	}
	return p;
}

/* ---- IRI: validation ---- */

static int target_ok(const struct etsi_iri *iri)
{
	if (iri->target_ip_len != 4 && iri->target_ip_len != 16)
		return 0;
	unsigned longest = iri->target_ip_len == 4 ? LONGEST_PREFIX_V4 : LONGEST_PREFIX_V6;
	return iri->ip_assignment <= 3 && iri->prefix_len <= longest;
}

/* Optional fields are checked only when `has` says they are sent. The octet counters stop
 * at 2^63-1 because that is what an LP64 asn1c decoder (and most others) hold in a long. */
static int iri_ok(const struct etsi_iri *iri)
{
	if (iri->iri_type < ETSI_IRI_BEGIN || iri->iri_type > ETSI_IRI_REPORT ||
	    iri->event > ETSI_EV_UNKNOWN || iri->access_type > 9 || iri->ip_version < 1 ||
	    iri->ip_version > 3)
		return 0;
	if (iri->username_len > ETSI_IRI_MAX_USERNAME ||
	    (iri->username == NULL && iri->username_len > 0))
		return 0;
	if ((iri->has & ETSI_IRI_HAS_TARGET_IP) && !target_ok(iri))
		return 0;
	if ((iri->has & ETSI_IRI_HAS_END_REASON) && iri->end_reason > ETSI_END_LEASE_EXPIRED)
		return 0;
	if ((iri->has & ETSI_IRI_HAS_OCTETS) &&
	    (iri->octets_rx > (uint64_t)INT64_MAX || iri->octets_tx > (uint64_t)INT64_MAX))
		return 0;
	return 1;
}

/* ---- IRI: targetIPAddress ---- */

static size_t ipaddr_len(const struct etsi_iri *iri)
{
	size_t l = ber_int_tlv_size(iri->target_ip_len == 16) +
		   ber_tlv_size(ber_tlv_size(iri->target_ip_len));
	if (iri->ip_assignment)
		l += ber_int_tlv_size(iri->ip_assignment);
	if (iri->prefix_len && iri->target_ip_len == 16)
		l += ber_int_tlv_size(iri->prefix_len);
	else if (iri->prefix_len)
		l += ber_tlv_size(4);
	return l;
}

static uint8_t *put_v4_mask(uint8_t *p, unsigned prefix_len)
{
	uint32_t mask = (uint32_t)(UINT64_C(0xffffffff) << (32u - prefix_len));
	uint8_t m[4] = {(uint8_t)(mask >> 24), (uint8_t)(mask >> 16), (uint8_t)(mask >> 8),
			(uint8_t)mask};
	return ber_put_tlv(p, 0x85, m, sizeof(m));
}

/* A4 body: iP-type [1], iP-value [2] (explicit CHOICE) { iPBinaryAddress [1] },
 * [iP-assignment [3]], then iPv6PrefixLength [4] or iPv4SubnetMask [5]. */
static uint8_t *put_ipaddr(uint8_t *p, const struct etsi_iri *iri)
{
	p = ber_put_int(p, 0x81, iri->target_ip_len == 16);
	p = ber_put_hdr(p, 0xa2, ber_tlv_size(iri->target_ip_len));
	p = ber_put_tlv(p, 0x81, iri->target_ip, iri->target_ip_len);
	if (iri->ip_assignment)
		p = ber_put_int(p, 0x83, iri->ip_assignment);
	if (iri->prefix_len && iri->target_ip_len == 16)
		p = ber_put_int(p, 0x84, iri->prefix_len);
	else if (iri->prefix_len)
		p = put_v4_mask(p, iri->prefix_len);
	return p;
}

/* ---- IRI: IPIRIContents ---- */

static size_t contents_len(const struct etsi_iri *iri, unsigned frac)
{
	size_t l = ber_int_tlv_size(iri->event) + ber_tlv_size(iri->username_len) +
		   ber_int_tlv_size(iri->access_type) + ber_int_tlv_size(iri->ip_version);
	if (iri->has & ETSI_IRI_HAS_TARGET_IP)
		l += ber_tlv_size(ipaddr_len(iri));
	if (iri->has & ETSI_IRI_HAS_START)
		l += ber_tlv_size(ber_gt_len(frac));
	if (iri->has & ETSI_IRI_HAS_END)
		l += ber_tlv_size(ber_gt_len(frac));
	if (iri->has & ETSI_IRI_HAS_END_REASON)
		l += ber_int_tlv_size(iri->end_reason);
	if (iri->has & ETSI_IRI_HAS_OCTETS)
		l += ber_int_tlv_size(iri->octets_rx) + ber_int_tlv_size(iri->octets_tx);
	return l;
}

static uint8_t *put_time(uint8_t *p, uint8_t tag, uint64_t ns, unsigned frac)
{
	p = ber_put_hdr(p, tag, ber_gt_len(frac));
	return ber_put_gt(p, ns, frac);
}

static uint8_t *put_contents(uint8_t *p, const struct etsi_iri *iri, unsigned frac)
{
	p = ber_put_int(p, 0x80, iri->event);
	p = ber_put_tlv(p, 0x81, iri->username, iri->username_len);
	p = ber_put_int(p, 0x82, iri->access_type);
	p = ber_put_int(p, 0x83, iri->ip_version);
	if (iri->has & ETSI_IRI_HAS_TARGET_IP) {
		p = ber_put_hdr(p, 0xa4, ipaddr_len(iri));
		p = put_ipaddr(p, iri);
	}
	if (iri->has & ETSI_IRI_HAS_START)
		p = put_time(p, 0x8a, iri->start_ns, frac);
	if (iri->has & ETSI_IRI_HAS_END)
		p = put_time(p, 0x8b, iri->end_ns, frac);
	if (iri->has & ETSI_IRI_HAS_END_REASON)
		p = ber_put_int(p, 0x8c, iri->end_reason);
	if (iri->has & ETSI_IRI_HAS_OCTETS) {
		p = ber_put_int(p, 0x8d, iri->octets_rx);
		p = ber_put_int(p, 0x8e, iri->octets_tx);
	}
	return p;
}

/* ---- IRI: the PDU ---- */

/* Content lengths of the nested TLVs, innermost first. */
struct iri_sizes {
	size_t contents; /* iPIRIContents [1] A1 */
	size_t ipiri;    /* iPIRI [2] A2: objid + contents */
	size_t choice;   /* iRIContents [2] A2: the explicit CHOICE wrapper */
	size_t payload1; /* IRIPayload 30 */
	size_t seqof;    /* iRIPayloadSequence [0] A0 */
	size_t payload;  /* payload [2] A2 */
	size_t hdr;      /* pSHeader [1] A1 */
	size_t pdu;      /* PS-PDU 30 */
};

static void iri_size(struct iri_sizes *s, const struct etsi_cc_ctx *ctx, uint32_t seq,
		     uint64_t ts_ns, const struct etsi_iri *iri)
{
	s->contents = contents_len(iri, gt_frac(ctx));
	s->ipiri = sizeof(IPIRI_OBJID) + ber_tlv_size(s->contents);
	s->choice = ber_tlv_size(s->ipiri);
	s->payload1 = ber_int_tlv_size(iri->iri_type) + ber_tlv_size(s->choice);
	s->seqof = ber_tlv_size(s->payload1);
	s->payload = ber_tlv_size(s->seqof);
	s->hdr = hdr_len(ctx, seq, ts_ns);
	s->pdu = ber_tlv_size(s->hdr) + ber_tlv_size(s->payload);
}

long etsi_iri_encode(const struct etsi_cc_ctx *ctx, uint32_t seq, uint64_t ts_ns,
		     const struct etsi_iri *iri, uint8_t *out, size_t out_cap)
{
	if (!ctx_ok(ctx) || iri == NULL || out == NULL || !iri_ok(iri))
		return ETSI_E_INVAL;
	struct iri_sizes s;
	iri_size(&s, ctx, seq, ts_ns, iri);
	if (ber_tlv_size(s.pdu) > out_cap)
		return ETSI_E_NOSPACE;

	uint8_t *p = ber_put_hdr(out, 0x30, s.pdu);
	p = put_hdr(p, ctx, s.hdr, seq, ts_ns);
	p = ber_put_hdr(p, 0xa2, s.payload);
	p = ber_put_hdr(p, 0xa0, s.seqof);
	p = ber_put_hdr(p, 0x30, s.payload1);
	p = ber_put_int(p, 0x80, iri->iri_type);
	p = ber_put_hdr(p, 0xa2, s.choice);
	p = ber_put_hdr(p, 0xa2, s.ipiri);
	memcpy(p, IPIRI_OBJID, sizeof(IPIRI_OBJID));
	p += sizeof(IPIRI_OBJID);
	p = ber_put_hdr(p, 0xa1, s.contents);
	p = put_contents(p, iri, gt_frac(ctx));
	return (long)(p - out);
}

/* ---- TRI ---- */

static int tri_kind_ok(enum etsi_tri_kind kind)
{
	return kind == ETSI_TRI_TEST || kind == ETSI_TRI_KEEPALIVE ||
	       kind == ETSI_TRI_KEEPALIVE_RESPONSE || kind == ETSI_TRI_CIN_RESET;
}

/* payload [2] { tRIPayload [2] { [kind] NULL } }: both wrappers are explicit CHOICE tags. */
#define TRI_PAYLOAD_LEN 6u

long etsi_tri_encode(const struct etsi_cc_ctx *ctx, uint32_t seq, uint64_t ts_ns,
		     enum etsi_tri_kind kind, uint8_t *out, size_t out_cap)
{
	if (!ctx_ok(ctx) || out == NULL || !tri_kind_ok(kind))
		return ETSI_E_INVAL;
	size_t hdr = hdr_len(ctx, seq, ts_ns);
	size_t pdu = ber_tlv_size(hdr) + TRI_PAYLOAD_LEN;
	if (ber_tlv_size(pdu) > out_cap)
		return ETSI_E_NOSPACE;

	uint8_t *p = ber_put_hdr(out, 0x30, pdu);
	p = put_hdr(p, ctx, hdr, seq, ts_ns);
	p = ber_put_hdr(p, 0xa2, 4);
	p = ber_put_hdr(p, 0xa2, 2);
	p = ber_put_hdr(p, (uint8_t)(0x80 | kind), 0);
	return (long)(p - out);
}

void etsi_tri_cin_reset_config(struct etsi_cc_config *cfg, const struct etsi_cc_config *df)
{
	/* TS 102 232-1 §6.2.2: the reset names no interception, so LIID "-" and CIN 0. */
	static const uint8_t NO_LIID[] = {'-'};
	if (cfg == NULL || df == NULL)
		return;
	struct etsi_cc_config c = *df; /* via a copy: cfg may alias df */
	c.liid = NO_LIID;
	c.liid_len = sizeof(NO_LIID);
	c.cin = 0;
	*cfg = c;
}
