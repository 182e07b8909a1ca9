/* etsi_pdu (hostdrv/etsi, issue 5): the HI2 IRI and TRI encoders against asn1c's decoder.
 * Every PDU is encoded, refused with one byte less room, re-encoded into exactly its size,
 * decoded with ber_decode(asn_DEF_PS_PDU), constraint-checked and compared field by field;
 * wherever DER must give the same bytes (every GeneralizedTime fraction has at most six digits
 * and no trailing zero) the decoded struct is re-encoded with der_encode and compared byte for
 * byte. Sweeps: IRI types, access events, each optional field on and off, IPv4/IPv6 targets
 * with and without prefix, username and LIID lengths, CIN, sequence number, octet counters,
 * both timestamp forms and every fraction digit count; the four TRI kinds; the sequence
 * counters; three golden PDUs worked out by hand; and one check per refused input. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "IPAddress.h"
#include "IRIPayload.h"
#include "PS-PDU.h"
#include "etsi_pdu.h"

#define SUITE "etsi-pdu: "
#include "pdu_check.h"

static long pdus, der_compared;


#define MAX_NS UINT64_MAX
#define TS_A 1795904100123456789ull /* 2026-11-28 22:15:00.123456789 */

static uint8_t out[4096], again[4096], der[4096];




/* ---- expectations, computed independently of the encoder ---- */

static uint64_t pow10u(unsigned n)
{
	uint64_t v = 1;
	while (n--)
		v *= 10u;
	return v;
}


/* asn1c's DER writer drops trailing fraction zeros and keeps at most six digits. */
static int gt_is_der(uint64_t ts_ns, unsigned frac)
{
	return frac == 0 || (frac <= 6 && ts_ns % 1000000000u / pow10u(9 - frac) % 10u != 0);
}

static void check_gt(const GeneralizedTime_t *gt, uint64_t ts_ns, unsigned frac)
{
	char want[40];
	expect_gt(want, ts_ns, frac);
	CHECK(str_eq(gt, want));
	if (gt) { /* and asn1c reads the same second */
		time_t t = asn_GT2time(gt, NULL, 0);
		CHECK((uint64_t)t == ts_ns / 1000000000u);
	}
}

static unsigned frac_of(const struct etsi_cc_config *cfg)
{
	return cfg->ts_form == ETSI_CC_TS_MICRO ? 6u : cfg->ts_frac_digits;
}

static void expect_mask(uint8_t m[4], unsigned prefix)
{
	memset(m, 0, 4);
	for (unsigned i = 0; i < prefix; i++)
		m[i / 8] |= (uint8_t)(0x80u >> (i % 8));
}

/* ---- decoding and comparing ---- */

static PS_PDU_t *decode(size_t n)
{
	PS_PDU_t *pdu = NULL;
	asn_dec_rval_t dr = ber_decode(0, &asn_DEF_PS_PDU, (void **)&pdu, out, n);
	CHECK(dr.code == RC_OK && dr.consumed == n);
	if (dr.code != RC_OK) {
		hex("undecodable", out, n);
		ASN_STRUCT_FREE(asn_DEF_PS_PDU, pdu);
		return NULL;
	}
	char err[256];
	size_t errlen = sizeof(err);
	int ok = asn_check_constraints(&asn_DEF_PS_PDU, pdu, err, &errlen) == 0;
	CHECK(ok);
	if (!ok)
		fprintf(stderr, "etsi-pdu: constraints: %s (%s)\n", err, where);
	return pdu;
}

static void check_der(PS_PDU_t *pdu, size_t n)
{
	asn_enc_rval_t er = der_encode_to_buffer(&asn_DEF_PS_PDU, pdu, der, sizeof(der));
	CHECK(er.encoded == (ssize_t)n && memcmp(der, out, n) == 0);
	der_compared++;
}

static void check_header(const PSHeader_t *h, const struct etsi_cc_config *cfg, uint32_t seq,
			 uint64_t ts_ns)
{
	check_header_ids(h, cfg, seq);
	check_gt(h->timeStamp, ts_ns, frac_of(cfg));
	if (cfg->ts_form == ETSI_CC_TS_MICRO) {
		check_micro(h, cfg, ts_ns);
	} else {
		CHECK(h->microSecondTimeStamp == NULL && h->timeStampQualifier == NULL);
	}
}

static void check_ipaddr(const IPAddress_t *a, const struct etsi_iri *iri)
{
	int v6 = iri->target_ip_len == 16;
	CHECK(a->iP_type == v6);
	CHECK(a->iP_value.present == IP_value_PR_iPBinaryAddress &&
	      os_eq(&a->iP_value.choice.iPBinaryAddress, iri->target_ip, iri->target_ip_len));
	if (iri->ip_assignment)
		CHECK(a->iP_assignment && *a->iP_assignment == (long)iri->ip_assignment);
	else
		CHECK(a->iP_assignment == NULL);
	if (v6 && iri->prefix_len)
		CHECK(a->iPv6PrefixLength && *a->iPv6PrefixLength == (long)iri->prefix_len);
	else
		CHECK(a->iPv6PrefixLength == NULL);
	if (!v6 && iri->prefix_len) {
		uint8_t m[4];
		expect_mask(m, iri->prefix_len);
		CHECK(os_eq(a->iPv4SubnetMask, m, 4));
	} else {
		CHECK(a->iPv4SubnetMask == NULL);
	}
	CHECK(a->iP_NAT_translated == NULL);
}

static void check_contents(const IPIRIContents_t *c, const struct etsi_iri *iri, unsigned frac)
{
	CHECK(c->accessEventType == (long)iri->event);
	CHECK(os_eq(&c->targetUsername, iri->username, iri->username_len));
	CHECK(c->internetAccessType == (long)iri->access_type);
	CHECK(c->iPVersion == (long)iri->ip_version);
	if (iri->has & ETSI_IRI_HAS_TARGET_IP) {
		CHECK(c->targetIPAddress != NULL);
		if (c->targetIPAddress)
			check_ipaddr(c->targetIPAddress, iri);
	} else {
		CHECK(c->targetIPAddress == NULL);
	}
	if (iri->has & ETSI_IRI_HAS_START)
		check_gt(c->startTime, iri->start_ns, frac);
	else
		CHECK(c->startTime == NULL);
	if (iri->has & ETSI_IRI_HAS_END)
		check_gt(c->endTime, iri->end_ns, frac);
	else
		CHECK(c->endTime == NULL);
	if (iri->has & ETSI_IRI_HAS_END_REASON)
		CHECK(c->endReason && *c->endReason == (long)iri->end_reason);
	else
		CHECK(c->endReason == NULL);
	if (iri->has & ETSI_IRI_HAS_OCTETS) {
		CHECK(c->octetsReceived && (uint64_t)*c->octetsReceived == iri->octets_rx);
		CHECK(c->octetsTransmitted && (uint64_t)*c->octetsTransmitted == iri->octets_tx);
	} else {
		CHECK(c->octetsReceived == NULL && c->octetsTransmitted == NULL);
	}
	CHECK(c->targetNetworkID == NULL && c->targetCPEID == NULL && c->targetLocation == NULL &&
	      c->pOPPortNumber == NULL && c->callBackNumber == NULL && c->rawAAAData == NULL);
	CHECK(c->expectedEndTime == NULL && c->pOPPhoneNumber == NULL &&
	      c->pOPIdentifier == NULL && c->pOPIPAddress == NULL &&
	      c->additionalIPAddress == NULL && c->pOPPortID == NULL);
}

static void check_iri_payload(const Payload_t *pl, const struct etsi_iri *iri, unsigned frac)
{
	CHECK(pl->present == Payload_PR_iRIPayloadSequence);
	if (pl->present != Payload_PR_iRIPayloadSequence)
		return;
	CHECK(pl->choice.iRIPayloadSequence.list.count == 1);
	const IRIPayload_t *ip = pl->choice.iRIPayloadSequence.list.array[0];
	CHECK(ip->iRIType && *ip->iRIType == (long)iri->iri_type);
	CHECK(ip->timeStamp == NULL && ip->microSecondTimeStamp == NULL &&
	      ip->timeStampQualifier == NULL && ip->sessionDirection == NULL &&
	      ip->payloadDirection == NULL);
	CHECK(ip->iRIContents.present == IRIContents_PR_iPIRI);
	if (ip->iRIContents.present != IRIContents_PR_iPIRI)
		return;
	const IPIRI_t *ipiri = &ip->iRIContents.choice.iPIRI;
	unsigned long arcs[16];
	static const unsigned long rel[] = {5, 3, 18, 1};
	CHECK(RELATIVE_OID_get_arcs(&ipiri->iPIRIObjId, arcs, sizeof(arcs[0]), 16) == 4 &&
	      memcmp(arcs, rel, sizeof(rel)) == 0);
	check_contents(&ipiri->iPIRIContents, iri, frac);
}

/* Encodes with room to spare, with one byte too few and with exactly enough; returns the
 * length (0 on failure). */
static size_t encode_iri(const struct etsi_cc_ctx *ctx, uint32_t seq, uint64_t ts_ns,
			 const struct etsi_iri *iri)
{
	long n = etsi_iri_encode(ctx, seq, ts_ns, iri, out, sizeof(out));
	CHECK(n > 0 && n <= (long)ETSI_IRI_MAX_PDU);
	if (n <= 0)
		return 0;
	CHECK(etsi_iri_encode(ctx, seq, ts_ns, iri, again, (size_t)n - 1) == ETSI_E_NOSPACE);
	CHECK(etsi_iri_encode(ctx, seq, ts_ns, iri, again, (size_t)n) == n &&
	      memcmp(again, out, (size_t)n) == 0);
	return (size_t)n;
}

static void roundtrip_iri(const struct etsi_cc_config *cfg, const struct etsi_cc_ctx *ctx,
			  uint32_t seq, uint64_t ts_ns, const struct etsi_iri *iri)
{
	size_t n = encode_iri(ctx, seq, ts_ns, iri);
	PS_PDU_t *pdu = n ? decode(n) : NULL;
	if (pdu == NULL)
		return;
	unsigned frac = frac_of(cfg);
	check_header(&pdu->pSHeader, cfg, seq, ts_ns);
	check_iri_payload(&pdu->payload, iri, frac);
	if (gt_is_der(ts_ns, frac) &&
	    (!(iri->has & ETSI_IRI_HAS_START) || gt_is_der(iri->start_ns, frac)) &&
	    (!(iri->has & ETSI_IRI_HAS_END) || gt_is_der(iri->end_ns, frac)))
		check_der(pdu, n);
	ASN_STRUCT_FREE(asn_DEF_PS_PDU, pdu);
	pdus++;
}

static TRIPayload_PR tri_present(enum etsi_tri_kind kind)
{
	switch (kind) {
	case ETSI_TRI_TEST:
		return TRIPayload_PR_testPDU;
	case ETSI_TRI_KEEPALIVE:
		return TRIPayload_PR_keep_alive;
	case ETSI_TRI_KEEPALIVE_RESPONSE:
		return TRIPayload_PR_keep_aliveResponse;
	case ETSI_TRI_CIN_RESET:
		return TRIPayload_PR_cINReset;
	}
	return TRIPayload_PR_NOTHING;
}

static void roundtrip_tri(const struct etsi_cc_config *cfg, const struct etsi_cc_ctx *ctx,
			  uint32_t seq, uint64_t ts_ns, enum etsi_tri_kind kind)
{
	long n = etsi_tri_encode(ctx, seq, ts_ns, kind, out, sizeof(out));
	CHECK(n > 0 && n <= (long)ETSI_TRI_MAX_PDU);
	if (n <= 0)
		return;
	CHECK(etsi_tri_encode(ctx, seq, ts_ns, kind, again, (size_t)n - 1) == ETSI_E_NOSPACE);
	CHECK(etsi_tri_encode(ctx, seq, ts_ns, kind, again, (size_t)n) == n &&
	      memcmp(again, out, (size_t)n) == 0);
	/* The payload is always the last six bytes: A2 04 A2 02 8k 00. */
	const uint8_t tail[] = {0xa2, 0x04, 0xa2, 0x02, (uint8_t)(0x80 | kind), 0x00};
	CHECK(n > 6 && memcmp(out + n - 6, tail, 6) == 0);
	PS_PDU_t *pdu = decode((size_t)n);
	if (pdu == NULL)
		return;
	check_header(&pdu->pSHeader, cfg, seq, ts_ns);
	CHECK(pdu->payload.present == Payload_PR_tRIPayload &&
	      pdu->payload.choice.tRIPayload.present == tri_present(kind));
	if (gt_is_der(ts_ns, frac_of(cfg)))
		check_der(pdu, (size_t)n);
	ASN_STRUCT_FREE(asn_DEF_PS_PDU, pdu);
	pdus++;
}

/* ---- fixtures ---- */

static const uint8_t LIID[] = "LIID-abcdefghijklmnopqrstu"; /* 26 chars, at most 25 used */
static const uint8_t OPER[] = "clif-operator-01", NEID[] = "nic-0-port-1-vf7";
static const uint32_t CINS[] = {0, 1, 127, 128, 2147483648u, 4294967295u};
static const uint32_t SEQS[] = {0, 127, 128, 4294967295u};
static const uint64_t TSS[] = {TS_A, 1000002000ull, 0, 1700000000000000001ull, MAX_NS};
static uint8_t long_name[255];

static struct etsi_cc_config make_cfg(size_t liid_len, int micro, unsigned k)
{
	struct etsi_cc_config cfg = {
		.liid = LIID, .liid_len = liid_len,
		.auth_country = k % 2 ? "DE" : NULL,
		.operator_id = OPER, .operator_id_len = 1 + k % 16,
		.ne_id = k % 3 ? NEID : NULL, .ne_id_len = k % 3 ? 16 : 0,
		.cin = CINS[k % 6],
		.delivery_country = k % 4 < 2 ? "FR" : NULL,
		.ipid = k % 5 == 0 ? NULL : k % 5 == 1 ? "p" : "IP-01234",
		.ts_form = micro ? ETSI_CC_TS_MICRO : ETSI_CC_TS_GENERALIZED,
		.ts_qualifier = k % 4,
		.ts_frac_digits = k % 10,
	};
	return cfg;
}

static const uint8_t V4[4] = {10, 1, 2, 3};
static const uint8_t V6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x42};

static void set_target(struct etsi_iri *iri, int v6, unsigned prefix, unsigned assignment)
{
	iri->has |= ETSI_IRI_HAS_TARGET_IP;
	iri->target_ip_len = v6 ? 16 : 4;
	memcpy(iri->target_ip, v6 ? V6 : V4, iri->target_ip_len);
	iri->prefix_len = prefix;
	iri->ip_assignment = assignment;
}

/* A valid IRI whose every field is picked from k (the optional ones present per `has`). */
static struct etsi_iri make_iri(unsigned has, unsigned k)
{
	static const uint64_t octets[] = {0, 4294967296ull, 9223372036854775807ull, 1, 128};
	struct etsi_iri iri = {
		.iri_type = 1 + k % 4, .event = k % 11,
		.username = long_name, .username_len = (k * 37u) % 256u,
		.access_type = k % 10, .ip_version = 1 + k % 3,
		.start_ns = TS_A - k * 1000000999ull, .end_ns = TS_A + k * 86400000001ull,
		.end_reason = k % 5, .octets_rx = octets[k % 5], .octets_tx = octets[(k + 2) % 5],
	};
	if (has & ETSI_IRI_HAS_TARGET_IP)
		set_target(&iri, k % 2, (k / 2) % 2 ? (k % 2 ? 1 + k % 128 : 1 + k % 32) : 0,
			   k % 4);
	iri.has = has;
	return iri;
}

/* ---- sweeps ---- */

/* Every LIID length in both forms, each with all 32 combinations of optional fields at four
 * sequence numbers; the context's other fields (CIN, NEID, countries, IPID, qualifier,
 * fraction digits) vary with the LIID length. */
static void iri_matrix(void)
{
	unsigned k = 0;
	for (size_t li = 1; li <= 25; li++)
		for (int micro = 0; micro < 2; micro++) {
			struct etsi_cc_config cfg = make_cfg(li, micro, (unsigned)li);
			struct etsi_cc_ctx ctx;
			CHECK(etsi_cc_init(&ctx, &cfg) == 0);
			for (unsigned has = 0; has < 32; has++)
				for (size_t s = 0; s < 4; s++, k++) {
					struct etsi_iri iri = make_iri(has, k);
					uint64_t ts = TSS[k % 5];
					snprintf(where, sizeof(where),
						 "matrix liid %zu micro %d has %#x seq %u k %u", li,
						 micro, has, SEQS[s], k);
					roundtrip_iri(&cfg, &ctx, SEQS[s], ts, &iri);
				}
		}
}

/* One dimension at a time on a fixed context, in both forms. */
static void iri_sweeps(int micro)
{
	struct etsi_cc_config cfg = make_cfg(7, micro, 7);
	struct etsi_cc_ctx ctx;
	CHECK(etsi_cc_init(&ctx, &cfg) == 0);
	struct etsi_iri base = make_iri(0, 0);
	base.username_len = 5;

	for (unsigned t = 1; t <= 4; t++)
		for (unsigned ev = 0; ev <= 10; ev++) {
			struct etsi_iri iri = base;
			iri.iri_type = t;
			iri.event = ev;
			snprintf(where, sizeof(where), "micro %d type %u event %u", micro, t, ev);
			roundtrip_iri(&cfg, &ctx, 1, TS_A, &iri);
		}
	static const unsigned v4p[] = {0, 1, 8, 24, 31, 32}, v6p[] = {0, 1, 64, 127, 128};
	for (unsigned a = 0; a <= 3; a++) {
		for (size_t i = 0; i < 6; i++) {
			struct etsi_iri iri = base;
			set_target(&iri, 0, v4p[i], a);
			snprintf(where, sizeof(where), "micro %d v4 /%u as %u", micro, v4p[i], a);
			roundtrip_iri(&cfg, &ctx, 2, TS_A, &iri);
		}
		for (size_t i = 0; i < 5; i++) {
			struct etsi_iri iri = base;
			set_target(&iri, 1, v6p[i], a);
			snprintf(where, sizeof(where), "micro %d v6 /%u as %u", micro, v6p[i], a);
			roundtrip_iri(&cfg, &ctx, 3, TS_A, &iri);
		}
	}
	static const size_t names[] = {0, 1, 127, 128, 255};
	for (size_t i = 0; i < 5; i++) {
		struct etsi_iri iri = base;
		iri.username_len = names[i];
		iri.username = names[i] ? long_name : NULL;
		snprintf(where, sizeof(where), "micro %d username %zu", micro, names[i]);
		roundtrip_iri(&cfg, &ctx, 4, TS_A, &iri);
	}
	for (unsigned v = 0; v <= 9; v++) {
		struct etsi_iri iri = base;
		iri.access_type = v;
		iri.ip_version = 1 + v % 3;
		iri.has = ETSI_IRI_HAS_END_REASON;
		iri.end_reason = v % 5;
		snprintf(where, sizeof(where), "micro %d access %u", micro, v);
		roundtrip_iri(&cfg, &ctx, 5, TS_A, &iri);
	}
	static const uint64_t octets[] = {0, 4294967296ull, 9223372036854775807ull};
	for (size_t r = 0; r < 3; r++)
		for (size_t t = 0; t < 3; t++) {
			struct etsi_iri iri = base;
			iri.has = ETSI_IRI_HAS_OCTETS;
			iri.octets_rx = octets[r];
			iri.octets_tx = octets[t];
			snprintf(where, sizeof(where), "micro %d octets %zu %zu", micro, r, t);
			roundtrip_iri(&cfg, &ctx, 6, TS_A, &iri);
		}
	for (size_t t = 0; t < 5; t++) { /* epoch and 2^64-1 ns (2554-07-21) as every time */
		struct etsi_iri iri = base;
		iri.has = ETSI_IRI_HAS_START | ETSI_IRI_HAS_END;
		iri.start_ns = TSS[t];
		iri.end_ns = TSS[(t + 1) % 5];
		snprintf(where, sizeof(where), "micro %d times %zu", micro, t);
		roundtrip_iri(&cfg, &ctx, 7, TSS[(t + 2) % 5], &iri);
	}
}

/* GeneralizedTime form with every fraction digit count, IRI and TRI. */
static void frac_sweep(void)
{
	for (unsigned f = 0; f <= 9; f++) {
		struct etsi_cc_config cfg = make_cfg(3, 0, 3);
		cfg.ts_frac_digits = f;
		struct etsi_cc_ctx ctx;
		CHECK(etsi_cc_init(&ctx, &cfg) == 0);
		struct etsi_iri iri = make_iri(ETSI_IRI_HAS_START | ETSI_IRI_HAS_END, 3);
		iri.start_ns = TS_A;
		iri.end_ns = TS_A + 987654321u;
		snprintf(where, sizeof(where), "frac %u", f);
		roundtrip_iri(&cfg, &ctx, 9, TS_A + 1000000u, &iri);
		roundtrip_tri(&cfg, &ctx, 9, TS_A, ETSI_TRI_KEEPALIVE);
	}
}

static void tri_sweep(void)
{
	static const enum etsi_tri_kind kinds[] = {ETSI_TRI_TEST, ETSI_TRI_KEEPALIVE,
						   ETSI_TRI_KEEPALIVE_RESPONSE, ETSI_TRI_CIN_RESET};
	for (int micro = 0; micro < 2; micro++)
		for (unsigned k = 0; k < 12; k++) {
			struct etsi_cc_config cfg = make_cfg(1 + k * 2, micro, k);
			struct etsi_cc_ctx ctx;
			CHECK(etsi_cc_init(&ctx, &cfg) == 0);
			for (size_t i = 0; i < 4; i++) {
				snprintf(where, sizeof(where), "tri micro %d k %u kind %d", micro, k,
					 kinds[i]);
				roundtrip_tri(&cfg, &ctx, SEQS[(k + i) % 4], TSS[(k + i) % 5],
					      kinds[i]);
			}
		}
}

static void cin_reset(void)
{
	snprintf(where, sizeof(where), "cin reset");
	for (int micro = 0; micro < 2; micro++) {
		struct etsi_cc_config df = make_cfg(25, micro, 11), rc, keep = df;
		etsi_tri_cin_reset_config(&rc, &df);
		CHECK(rc.liid_len == 1 && rc.liid[0] == '-' && rc.cin == 0);
		CHECK(rc.auth_country == df.auth_country && rc.operator_id == df.operator_id &&
		      rc.operator_id_len == df.operator_id_len && rc.ne_id == df.ne_id &&
		      rc.ne_id_len == df.ne_id_len && rc.delivery_country == df.delivery_country &&
		      rc.ipid == df.ipid && rc.ts_form == df.ts_form &&
		      rc.ts_qualifier == df.ts_qualifier && rc.ts_frac_digits == df.ts_frac_digits);
		CHECK(memcmp(&keep, &df, sizeof(df)) == 0); /* the DF's own config untouched */
		etsi_tri_cin_reset_config(&df, &df);        /* in place */
		CHECK(df.liid_len == 1 && df.liid[0] == '-' && df.cin == 0 &&
		      df.operator_id == keep.operator_id && df.ipid == keep.ipid);
		struct etsi_cc_ctx ctx;
		CHECK(etsi_cc_init(&ctx, &rc) == 0);
		roundtrip_tri(&rc, &ctx, 0, TS_A, ETSI_TRI_CIN_RESET);
	}
	struct etsi_cc_config c = make_cfg(4, 1, 4), before = c;
	etsi_tri_cin_reset_config(&c, NULL);
	CHECK(memcmp(&c, &before, sizeof(c)) == 0);
	etsi_tri_cin_reset_config(NULL, &c); /* must not crash */
}

static void seq_counters(void)
{
	snprintf(where, sizeof(where), "sequence counters");
	struct etsi_seq s = {{0}};
	CHECK(etsi_seq_take(&s, ETSI_SEQ_IRI) == 0);
	CHECK(etsi_seq_take(&s, ETSI_SEQ_IRI) == 1);
	CHECK(etsi_seq_take(&s, ETSI_SEQ_IRI) == 2);
	CHECK(etsi_seq_take(&s, ETSI_SEQ_CC) == 0);
	CHECK(etsi_seq_take(&s, ETSI_SEQ_KEEPALIVE) == 0);
	CHECK(etsi_seq_take(&s, ETSI_SEQ_TEST) == 0);
	CHECK(etsi_seq_take(&s, ETSI_SEQ_CC) == 1);
	CHECK(etsi_seq_take(&s, ETSI_SEQ_IRI) == 3);
	s.next[ETSI_SEQ_KEEPALIVE] = 0xfffffffeu;
	CHECK(etsi_seq_take(&s, ETSI_SEQ_KEEPALIVE) == 0xfffffffeu);
	CHECK(etsi_seq_take(&s, ETSI_SEQ_KEEPALIVE) == 0xffffffffu);
	CHECK(etsi_seq_take(&s, ETSI_SEQ_KEEPALIVE) == 0); /* wraps after 2^32-1 */
	CHECK(etsi_seq_take(&s, ETSI_SEQ_KEEPALIVE) == 1);
	CHECK(s.next[ETSI_SEQ_IRI] == 4 && s.next[ETSI_SEQ_CC] == 2 && s.next[ETSI_SEQ_TEST] == 1);
}

/* ---- golden vectors, worked out by hand from the tag rules ---- */

static void golden_check(const char *name, long n, const uint8_t *want, size_t len)
{
	snprintf(where, sizeof(where), "golden %s", name);
	CHECK(n == (long)len && memcmp(out, want, len) == 0);
	if (n != (long)len || memcmp(out, want, len) != 0)
		hex(name, out, n > 0 ? (size_t)n : 0);
}

/* Keep-alive, microsecond form: LIID "A", operator "op", CIN 1, seq 5, 1970-01-01 00:00:01
 * plus 2 us, timeOfInterception. */
static void golden_keepalive(void)
{
	static const uint8_t g[] = {
		0x30, 0x45,                                           /* PS-PDU, 69 */
		0xa1, 0x3d,                                           /* pSHeader, 61 */
		0x80, 0x07, 0x04, 0x00, 0x02, 0x02, 0x05, 0x01, 0x2b, /* li-psDomainId v43 */
		0x81, 0x01, 0x41,                                     /* LIID "A" */
		0xa3, 0x09,                                           /* communicationIdentifier */
		0xa0, 0x04, 0x80, 0x02, 0x6f, 0x70,                   /*  operatorIdentifier "op" */
		0x81, 0x01, 0x01,                                     /*  CIN 1 */
		0x84, 0x01, 0x05,                                     /* sequenceNumber 5 */
		0x85, 0x16, '1', '9', '7', '0', '0', '1', '0', '1',   /* timeStamp, 22 chars */
		'0', '0', '0', '0', '0', '1', '.', '0', '0', '0', '0', '0', '2', 'Z',
		0xa7, 0x06, 0x80, 0x01, 0x01, 0x81, 0x01, 0x02,       /* 1 s, 2 us */
		0x88, 0x01, 0x01,                                     /* timeOfInterception */
		0xa2, 0x04, 0xa2, 0x02, 0x83, 0x00,                   /* payload: keep-alive */
	};
	struct etsi_cc_config c = {.liid = (const uint8_t *)"A", .liid_len = 1,
				   .operator_id = (const uint8_t *)"op", .operator_id_len = 2,
				   .cin = 1, .ts_form = ETSI_CC_TS_MICRO, .ts_qualifier = 1};
	struct etsi_cc_ctx ctx;
	CHECK(etsi_cc_init(&ctx, &c) == 0);
	long n = etsi_tri_encode(&ctx, 5, 1000002000ull, ETSI_TRI_KEEPALIVE, out, sizeof(out));
	golden_check("keep-alive", n, g, sizeof(g));
	roundtrip_tri(&c, &ctx, 5, 1000002000ull, ETSI_TRI_KEEPALIVE);
}

/* CIN reset, GeneralizedTime form with milliseconds, derived from a DF context (LIID "LI",
 * authorization DE, operator "o", NE "n", CIN 77, delivery FR, IPID "ip1"): LIID "-", CIN 0,
 * seq 0, 2026-11-28 22:15:00.123. */
static void golden_cin_reset(void)
{
	static const uint8_t g[] = {
		0x30, 0x46,                                           /* PS-PDU, 70 */
		0xa1, 0x3e,                                           /* pSHeader, 62 */
		0x80, 0x07, 0x04, 0x00, 0x02, 0x02, 0x05, 0x01, 0x2b, /* li-psDomainId v43 */
		0x81, 0x01, 0x2d,                                     /* LIID "-" */
		0x82, 0x02, 0x44, 0x45,                               /* authorization "DE" */
		0xa3, 0x0f,                                           /* communicationIdentifier */
		0xa0, 0x06, 0x80, 0x01, 0x6f, 0x81, 0x01, 0x6e,       /*  operator "o", NE "n" */
		0x81, 0x01, 0x00,                                     /*  CIN 0 */
		0x82, 0x02, 0x46, 0x52,                               /*  delivery "FR" */
		0x84, 0x01, 0x00,                                     /* sequenceNumber 0 */
		0x85, 0x13, '2', '0', '2', '6', '1', '1', '2', '8',   /* timeStamp, 19 chars */
		'2', '2', '1', '5', '0', '0', '.', '1', '2', '3', 'Z',
		0x86, 0x03, 'i', 'p', '1',                            /* interceptionPointID */
		0xa2, 0x04, 0xa2, 0x02, 0x87, 0x00,                   /* payload: cINReset */
	};
	struct etsi_cc_config df = {.liid = (const uint8_t *)"LI", .liid_len = 2,
				    .auth_country = "DE",
				    .operator_id = (const uint8_t *)"o", .operator_id_len = 1,
				    .ne_id = (const uint8_t *)"n", .ne_id_len = 1, .cin = 77,
				    .delivery_country = "FR", .ipid = "ip1",
				    .ts_form = ETSI_CC_TS_GENERALIZED, .ts_frac_digits = 3};
	struct etsi_cc_config rc;
	etsi_tri_cin_reset_config(&rc, &df);
	struct etsi_cc_ctx ctx;
	CHECK(etsi_cc_init(&ctx, &rc) == 0);
	long n = etsi_tri_encode(&ctx, 0, TS_A, ETSI_TRI_CIN_RESET, out, sizeof(out));
	golden_check("cin-reset", n, g, sizeof(g));
	roundtrip_tri(&rc, &ctx, 0, TS_A, ETSI_TRI_CIN_RESET);
}

/* IRI BEGIN, GeneralizedTime form without fraction: LIID "LI1", operator "op", CIN 128,
 * seq 1, 2023-11-14 22:13:20; accessAccept, username "u1", lAN, IPv4, target 10.0.0.1/24
 * assigned dynamically, startTime the same instant. */
static void golden_iri_begin(void)
{
	static const uint8_t g[] = {
		0x30, 0x79,                                           /* PS-PDU, 121 */
		0xa1, 0x2e,                                           /* pSHeader, 46 */
		0x80, 0x07, 0x04, 0x00, 0x02, 0x02, 0x05, 0x01, 0x2b, /* li-psDomainId v43 */
		0x81, 0x03, 0x4c, 0x49, 0x31,                         /* LIID "LI1" */
		0xa3, 0x0a,                                           /* communicationIdentifier */
		0xa0, 0x04, 0x80, 0x02, 0x6f, 0x70,                   /*  operatorIdentifier "op" */
		0x81, 0x02, 0x00, 0x80,                               /*  CIN 128 (sign octet) */
		0x84, 0x01, 0x01,                                     /* sequenceNumber 1 */
		0x85, 0x0f, '2', '0', '2', '3', '1', '1', '1', '4',   /* timeStamp, 15 chars */
		'2', '2', '1', '3', '2', '0', 'Z',
		0xa2, 0x47,                                           /* payload, 71 */
		0xa0, 0x45,                                           /* iRIPayloadSequence, 69 */
		0x30, 0x43,                                           /* IRIPayload, 67 */
		0x80, 0x01, 0x01,                                     /* iRIType iRI-Begin */
		0xa2, 0x3e,                                           /* iRIContents, 62 */
		0xa2, 0x3c,                                           /* iPIRI, 60 */
		0x80, 0x04, 0x05, 0x03, 0x12, 0x01,                   /* iPIRIObjId 5.3.18.1 */
		0xa1, 0x34,                                           /* iPIRIContents, 52 */
		0x80, 0x01, 0x01,                                     /*  accessAccept */
		0x81, 0x02, 'u', '1',                                 /*  targetUsername */
		0x82, 0x01, 0x04,                                     /*  internetAccessType lAN */
		0x83, 0x01, 0x01,                                     /*  iPVersion iPV4 */
		0xa4, 0x14,                                           /*  targetIPAddress, 20 */
		0x81, 0x01, 0x00,                                     /*   iP-type iPV4 */
		0xa2, 0x06, 0x81, 0x04, 0x0a, 0x00, 0x00, 0x01,       /*   iPBinaryAddress */
		0x83, 0x01, 0x02,                                     /*   iP-assignment dynamic */
		0x85, 0x04, 0xff, 0xff, 0xff, 0x00,                   /*   iPv4SubnetMask /24 */
		0x8a, 0x0f, '2', '0', '2', '3', '1', '1', '1', '4',   /*  startTime */
		'2', '2', '1', '3', '2', '0', 'Z',
	};
	struct etsi_cc_config c = {.liid = (const uint8_t *)"LI1", .liid_len = 3,
				   .operator_id = (const uint8_t *)"op", .operator_id_len = 2,
				   .cin = 128, .ts_form = ETSI_CC_TS_GENERALIZED,
				   .ts_frac_digits = 0};
	struct etsi_cc_ctx ctx;
	CHECK(etsi_cc_init(&ctx, &c) == 0);
	struct etsi_iri iri = {
		.iri_type = ETSI_IRI_BEGIN, .event = ETSI_EV_ACCESS_ACCEPT,
		.username = (const uint8_t *)"u1", .username_len = 2,
		.access_type = 4, .ip_version = 1,
		.has = ETSI_IRI_HAS_TARGET_IP | ETSI_IRI_HAS_START,
		.target_ip = {10, 0, 0, 1}, .target_ip_len = 4,
		.ip_assignment = 2, .prefix_len = 24,
		.start_ns = 1700000000000000000ull,
	};
	long n = etsi_iri_encode(&ctx, 1, 1700000000000000000ull, &iri, out, sizeof(out));
	golden_check("iri-begin", n, g, sizeof(g));
	roundtrip_iri(&c, &ctx, 1, 1700000000000000000ull, &iri);
}

/* ---- refused inputs: one check each ---- */

static void iri_errors(void)
{
	snprintf(where, sizeof(where), "iri errors");
	struct etsi_cc_config cfg = make_cfg(5, 1, 5);
	struct etsi_cc_ctx ctx, bad;
	CHECK(etsi_cc_init(&ctx, &cfg) == 0);
	const struct etsi_iri ok = make_iri(31, 5);
	struct etsi_iri i;
	CHECK(etsi_iri_encode(&ctx, 0, TS_A, &ok, out, sizeof(out)) > 0);
#define REFUSED(field, value)                                                                 \
	do {                                                                                  \
		i = ok;                                                                       \
		i.field = value;                                                              \
		CHECK(etsi_iri_encode(&ctx, 0, TS_A, &i, out, sizeof(out)) == ETSI_E_INVAL);  \
	} while (0)
	CHECK(etsi_iri_encode(NULL, 0, TS_A, &ok, out, sizeof(out)) == ETSI_E_INVAL);
	CHECK(etsi_iri_encode(&ctx, 0, TS_A, NULL, out, sizeof(out)) == ETSI_E_INVAL);
	CHECK(etsi_iri_encode(&ctx, 0, TS_A, &ok, NULL, sizeof(out)) == ETSI_E_INVAL);
	memset(&bad, 0, sizeof(bad)); /* not made by etsi_cc_init() */
	CHECK(etsi_iri_encode(&bad, 0, TS_A, &ok, out, sizeof(out)) == ETSI_E_INVAL);
	bad = ctx;
	bad.ts_form = 2;
	CHECK(etsi_iri_encode(&bad, 0, TS_A, &ok, out, sizeof(out)) == ETSI_E_INVAL);
	REFUSED(iri_type, 0);
	REFUSED(iri_type, 5);
	REFUSED(event, 11);
	REFUSED(access_type, 10);
	REFUSED(ip_version, 0);
	REFUSED(ip_version, 4);
	REFUSED(target_ip_len, 0);
	REFUSED(target_ip_len, 5);
	REFUSED(ip_assignment, 4);
	i = ok;
	set_target(&i, 0, 33, 1);
	CHECK(etsi_iri_encode(&ctx, 0, TS_A, &i, out, sizeof(out)) == ETSI_E_INVAL);
	i = ok;
	set_target(&i, 1, 129, 1);
	CHECK(etsi_iri_encode(&ctx, 0, TS_A, &i, out, sizeof(out)) == ETSI_E_INVAL);
	REFUSED(end_reason, 5);
	REFUSED(octets_rx, 9223372036854775808ull);
	REFUSED(octets_tx, 9223372036854775808ull);
	REFUSED(username_len, 256);
	i = ok;
	i.username = NULL;
	i.username_len = 1;
	CHECK(etsi_iri_encode(&ctx, 0, TS_A, &i, out, sizeof(out)) == ETSI_E_INVAL);
#undef REFUSED
	/* Fields of absent optional parts are not looked at. */
	i = make_iri(0, 5);
	i.target_ip_len = 5;
	i.end_reason = 99;
	i.octets_rx = UINT64_MAX;
	CHECK(etsi_iri_encode(&ctx, 0, TS_A, &i, out, sizeof(out)) > 0);
	/* No time is out of range: 2^64-1 ns is 2554-07-21 (checked in the sweeps), so the
	 * "past 9999-12-31" refusal in the contract cannot arise from a uint64_t. */
	CHECK(etsi_iri_encode(&ctx, 0, TS_A, &ok, out, 0) == ETSI_E_NOSPACE);
}

static void tri_errors(void)
{
	snprintf(where, sizeof(where), "tri errors");
	struct etsi_cc_config cfg = make_cfg(5, 0, 5);
	struct etsi_cc_ctx ctx, bad;
	CHECK(etsi_cc_init(&ctx, &cfg) == 0);
	CHECK(etsi_tri_encode(NULL, 0, TS_A, ETSI_TRI_KEEPALIVE, out, 256) == ETSI_E_INVAL);
	CHECK(etsi_tri_encode(&ctx, 0, TS_A, ETSI_TRI_KEEPALIVE, NULL, 256) == ETSI_E_INVAL);
	bad = ctx;
	bad.ts_frac_digits = 10;
	CHECK(etsi_tri_encode(&bad, 0, TS_A, ETSI_TRI_KEEPALIVE, out, 256) == ETSI_E_INVAL);
	CHECK(etsi_tri_encode(&ctx, 0, TS_A, (enum etsi_tri_kind)0, out, 256) == ETSI_E_INVAL);
	CHECK(etsi_tri_encode(&ctx, 0, TS_A, (enum etsi_tri_kind)2, out, 256) == ETSI_E_INVAL);
	CHECK(etsi_tri_encode(&ctx, 0, TS_A, (enum etsi_tri_kind)8, out, 256) == ETSI_E_INVAL);
	CHECK(etsi_tri_encode(&ctx, 0, TS_A, ETSI_TRI_KEEPALIVE, out, 0) == ETSI_E_NOSPACE);
}

/* The biggest IRI and TRI (longest header fields, every optional field at its widest) stay
 * within the documented bounds. */
static void largest(void)
{
	snprintf(where, sizeof(where), "largest");
	long worst_iri = 0, worst_tri = 0;
	for (int micro = 0; micro < 2; micro++) {
		struct etsi_cc_config cfg = make_cfg(25, micro, 3);
		cfg.auth_country = "DE";
		cfg.delivery_country = "FR";
		cfg.ne_id = NEID;
		cfg.ne_id_len = 16;
		cfg.operator_id_len = 16;
		cfg.ipid = "IP-01234";
		cfg.ts_frac_digits = 9;
		cfg.cin = 4294967295u;
		struct etsi_cc_ctx ctx;
		CHECK(etsi_cc_init(&ctx, &cfg) == 0);
		struct etsi_iri iri = make_iri(31, 0);
		iri.username_len = 255;
		set_target(&iri, 1, 128, 3);
		iri.start_ns = iri.end_ns = MAX_NS;
		iri.end_reason = 4;
		iri.octets_rx = iri.octets_tx = 9223372036854775807ull;
		long n = etsi_iri_encode(&ctx, 4294967295u, MAX_NS, &iri, out, sizeof(out));
		CHECK(n > 0 && n <= (long)ETSI_IRI_MAX_PDU);
		roundtrip_iri(&cfg, &ctx, 4294967295u, MAX_NS, &iri);
		worst_iri = n > worst_iri ? n : worst_iri;
		n = etsi_tri_encode(&ctx, 4294967295u, MAX_NS, ETSI_TRI_CIN_RESET, out, sizeof(out));
		CHECK(n > 0 && n <= (long)ETSI_TRI_MAX_PDU);
		worst_tri = n > worst_tri ? n : worst_tri;
	}
	printf("etsi-pdu: largest IRI %ld bytes (bound %u), largest TRI %ld bytes (bound %u)\n",
	       worst_iri, ETSI_IRI_MAX_PDU, worst_tri, ETSI_TRI_MAX_PDU);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(long_name); i++)
		long_name[i] = (uint8_t)(i * 31u + 7u);
	golden_keepalive();
	golden_cin_reset();
	golden_iri_begin();
	printf("etsi-pdu: 3 golden vectors match\n");
	seq_counters();
	iri_errors();
	tri_errors();
	cin_reset();
	iri_sweeps(0);
	iri_sweeps(1);
	frac_sweep();
	tri_sweep();
	largest();
	iri_matrix();
	printf("etsi-pdu: %ld PDUs round-tripped through asn1c\n", pdus);
	printf("etsi-pdu: %ld of them re-encoded by der_encode to identical bytes\n", der_compared);
	printf("etsi-pdu: %ld checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
