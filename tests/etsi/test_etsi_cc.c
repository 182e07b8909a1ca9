/* etsi_cc (hostdrv/etsi, issue 5): the fast-path HI3 CC encoder against asn1c's decoder.
 * Every combination of LIID length, CIN, sequence number, payload length, IP version and
 * timestamp form is encoded, decoded with ber_decode(asn_DEF_PS_PDU), constraint-checked and
 * compared field by field (the microsecond form is also re-encoded with der_encode and must
 * match byte for byte). Two golden PDUs worked out by hand from the tag rules are checked
 * byte for byte, and the error returns are exercised. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "PS-PDU.h"
#include "CCPayload.h"
#include "etsi_cc.h"

#define SUITE "etsi-cc: "
#include "pdu_check.h"







static uint8_t out[ETSI_CC_MAX_OVERHEAD + ETSI_CC_MAX_PAYLOAD];
static uint8_t der[ETSI_CC_MAX_OVERHEAD + ETSI_CC_MAX_PAYLOAD];
static uint8_t pkt4[65535], pkt6[65535];

static void make_packets(void)
{
	static const uint8_t v4[] = {0x45, 0x00, 0xff, 0xff, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11,
				     0x00, 0x00, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02};
	static const uint8_t v6[] = {0x60, 0x00, 0x00, 0x00, 0xff, 0xd7, 0x11, 0x40, 0x20, 0x01,
				     0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
				     0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
	for (size_t i = 0; i < sizeof(pkt4); i++) {
		pkt4[i] = (uint8_t)(i * 7 + 3);
		pkt6[i] = (uint8_t)(i * 13 + 5);
	}
	memcpy(pkt4, v4, sizeof(v4));
	memcpy(pkt6, v6, sizeof(v6));
}


static int constraints_ok(const PS_PDU_t *pdu)
{
	char err[256];
	size_t errlen = sizeof(err);
	if (asn_check_constraints(&asn_DEF_PS_PDU, pdu, err, &errlen) != 0) {
		fprintf(stderr, "etsi-cc: constraints: %s (%s)\n", err, where);
		return 0;
	}
	return 1;
}

static void roundtrip(const struct etsi_cc_config *cfg, const struct etsi_cc_ctx *ctx,
		      uint32_t seq, uint64_t ts_ns, unsigned dir, const uint8_t *ip, uint32_t len)
{
	long n = etsi_cc_encode(ctx, seq, ts_ns, dir, ip, len, out, sizeof(out));
	CHECK(n > 0);
	if (n <= 0)
		return;
	/* Exactly n bytes needed: one less is refused. */
	CHECK(etsi_cc_encode(ctx, seq, ts_ns, dir, ip, len, der, (size_t)n - 1) == ETSI_CC_E_NOSPACE);
	CHECK((size_t)n <= ETSI_CC_MAX_OVERHEAD + len);

	PS_PDU_t *pdu = NULL;
	asn_dec_rval_t dr = ber_decode(0, &asn_DEF_PS_PDU, (void **)&pdu, out, (size_t)n);
	CHECK(dr.code == RC_OK && dr.consumed == (size_t)n);
	if (dr.code != RC_OK) {
		hex("undecodable", out, (size_t)n < 200 ? (size_t)n : 200);
		ASN_STRUCT_FREE(asn_DEF_PS_PDU, pdu);
		return;
	}
	CHECK(constraints_ok(pdu));

	const PSHeader_t *h = &pdu->pSHeader;
	check_header_ids(h, cfg, seq);
	if (cfg->ts_form == ETSI_CC_TS_MICRO) {
		CHECK(h->timeStamp == NULL);
		check_micro(h, cfg, ts_ns);
	} else {
		char gt[40];
		expect_gt(gt, ts_ns, cfg->ts_frac_digits);
		CHECK(str_eq(h->timeStamp, gt));
		CHECK(h->microSecondTimeStamp == NULL && h->timeStampQualifier == NULL);
		if (h->timeStamp) { /* and asn1c reads the same instant */
			int fv = 0, fd = 0;
			time_t t = asn_GT2time_frac(h->timeStamp, &fv, &fd, NULL, 0);
			CHECK((uint64_t)t == ts_ns / 1000000000u);
		}
	}

	CHECK(pdu->payload.present == Payload_PR_cCPayloadSequence);
	if (pdu->payload.present == Payload_PR_cCPayloadSequence) {
		CHECK(pdu->payload.choice.cCPayloadSequence.list.count == 1);
		const CCPayload_t *cc = pdu->payload.choice.cCPayloadSequence.list.array[0];
		CHECK(cc->payloadDirection && *cc->payloadDirection == (long)dir);
		CHECK(cc->timeStamp == NULL && cc->microSecondTimeStamp == NULL &&
		      cc->timeStampQualifier == NULL);
		CHECK(cc->cCContents.present == CCContents_PR_iPCC);
		const IPCC_t *ipcc = &cc->cCContents.choice.iPCC;
		static const unsigned long rel[] = {5, 3, 18, 2};
		unsigned long arcs[16];
		CHECK(RELATIVE_OID_get_arcs(&ipcc->iPCCObjId, arcs, sizeof(arcs[0]), 16) == 4 &&
		      memcmp(arcs, rel, sizeof(rel)) == 0);
		CHECK(ipcc->iPCCContents.present == IPCCContents_PR_iPPackets);
		CHECK(os_eq(&ipcc->iPCCContents.choice.iPPackets, ip, len));
	}

	/* Minimal definite lengths throughout: the microsecond form is exactly DER. */
	if (cfg->ts_form == ETSI_CC_TS_MICRO) {
		asn_enc_rval_t er = der_encode_to_buffer(&asn_DEF_PS_PDU, pdu, der, sizeof(der));
		CHECK(er.encoded == n && memcmp(der, out, (size_t)n) == 0);
	}
	ASN_STRUCT_FREE(asn_DEF_PS_PDU, pdu);
}

static void matrix(void)
{
	static const size_t liid_lens[] = {1, 7, 25};
	static const uint32_t cins[] = {0, 1, 4294967295u};
	static const uint32_t seqs[] = {0, 127, 128, 255, 256, 2147483648u, 4294967295u};
	static const uint32_t lens[] = {0, 1, 127, 128, 255, 256, 65535};
	static const uint8_t liid[] = "LIID-abcdefghijklmnopqrstu"; /* 26 chars, 25 used */
	static const uint8_t op[] = "clif-operator-01", ne[] = "nic-0";
	long pdus = 0;
	for (size_t li = 0; li < 3; li++)
		for (size_t c = 0; c < 3; c++)
			for (int form = 0; form < 2; form++) {
				struct etsi_cc_config cfg = {
					.liid = liid, .liid_len = liid_lens[li],
					.auth_country = li == 1 ? NULL : "DE",
					.operator_id = op, .operator_id_len = 16,
					.ne_id = c == 1 ? NULL : ne, .ne_id_len = c == 1 ? 0 : 5,
					.cin = cins[c],
					.delivery_country = c == 2 ? NULL : "FR",
					.ipid = form ? "IP-01234" : (li == 0 ? "p" : NULL),
					.ts_form = form ? ETSI_CC_TS_GENERALIZED : ETSI_CC_TS_MICRO,
					.ts_qualifier = (unsigned)(li + c) % 4,
					.ts_frac_digits = (unsigned)(li * 3 + c * 3) % 10,
				};
				struct etsi_cc_ctx ctx;
				CHECK(etsi_cc_init(&ctx, &cfg) == 0);
				for (size_t s = 0; s < 7; s++)
					for (size_t l = 0; l < 7; l++)
						for (int v6 = 0; v6 < 2; v6++) {
							uint64_t ts = 1795904100123456789ull +
								      s * 86400123457ull * 37u +
								      l * 999999999ull;
							if (s == 6)
								ts = 0; /* epoch, zero fields */
							snprintf(where, sizeof(where),
								 "liid %zu cin %u form %d seq %u len %u v%d",
								 liid_lens[li], cins[c], form, seqs[s],
								 lens[l], v6 ? 6 : 4);
							roundtrip(&cfg, &ctx, seqs[s], ts,
								  (unsigned)(s + l) % 5,
								  v6 ? pkt6 : pkt4, lens[l]);
							pdus++;
						}
			}
	printf("etsi-cc: %ld PDUs round-tripped through asn1c\n", pdus);
}

static void golden(void)
{
	snprintf(where, sizeof(where), "golden");
	/* 1: microsecond form. LIID "A", operator "op", CIN 1, seq 128, 1 s + 2 us,
	 * timeOfInterception, fromTarget, a 1-byte payload. */
	static const uint8_t g1[] = {
		0x30, 0x40,
		0xa1, 0x26,
		0x80, 0x07, 0x04, 0x00, 0x02, 0x02, 0x05, 0x01, 0x2b, /* li-psDomainId v43 */
		0x81, 0x01, 0x41,                                     /* LIID */
		0xa3, 0x09, 0xa0, 0x04, 0x80, 0x02, 0x6f, 0x70,       /* networkIdentifier */
		0x81, 0x01, 0x01,                                     /* CIN 1 */
		0x84, 0x02, 0x00, 0x80,                               /* seq 128 */
		0xa7, 0x06, 0x80, 0x01, 0x01, 0x81, 0x01, 0x02,       /* 1 s, 2 us */
		0x88, 0x01, 0x01,                                     /* timeOfInterception */
		0xa2, 0x16,                                           /* payload */
		0xa1, 0x14,                                           /* cCPayloadSequence */
		0x30, 0x12,                                           /* CCPayload */
		0x80, 0x01, 0x00,                                     /* fromTarget */
		0xa2, 0x0d,                                           /* cCContents */
		0xa2, 0x0b,                                           /* iPCC */
		0x80, 0x04, 0x05, 0x03, 0x12, 0x02,                   /* iPCCObjId 5.3.18.2 */
		0xa1, 0x03,                                           /* iPCCContents */
		0x80, 0x01, 0x45,                                     /* iPPackets */
	};
	static const uint8_t one = 0x45;
	struct etsi_cc_config c1 = {.liid = (const uint8_t *)"A", .liid_len = 1,
				    .operator_id = (const uint8_t *)"op", .operator_id_len = 2,
				    .cin = 1, .ts_form = ETSI_CC_TS_MICRO, .ts_qualifier = 1};
	struct etsi_cc_ctx ctx;
	CHECK(etsi_cc_init(&ctx, &c1) == 0);
	long n = etsi_cc_encode(&ctx, 128, 1000002000ull, ETSI_CC_DIR_FROM_TARGET, &one, 1, out,
				sizeof(out));
	CHECK(n == (long)sizeof(g1) && memcmp(out, g1, sizeof(g1)) == 0);
	if (n != (long)sizeof(g1) || memcmp(out, g1, sizeof(g1)) != 0)
		hex("golden 1 got", out, n > 0 ? (size_t)n : 0);
	roundtrip(&c1, &ctx, 128, 1000002000ull, 0, &one, 1);

	/* 2: GeneralizedTime form with milliseconds. LIID "LI", authorization DE, operator "o",
	 * NE "n", CIN 0, delivery FR, IPID "ip1", seq 255, 2026-11-28 22:15:00.123456789,
	 * toTarget, an empty payload. */
	static const uint8_t g2[] = {
		0x30, 0x59,
		0xa1, 0x40,
		0x80, 0x07, 0x04, 0x00, 0x02, 0x02, 0x05, 0x01, 0x2b,
		0x81, 0x02, 0x4c, 0x49,                               /* LIID "LI" */
		0x82, 0x02, 0x44, 0x45,                               /* "DE" */
		0xa3, 0x0f, 0xa0, 0x06, 0x80, 0x01, 0x6f, 0x81, 0x01, 0x6e,
		0x81, 0x01, 0x00,                                     /* CIN 0 */
		0x82, 0x02, 0x46, 0x52,                               /* "FR" */
		0x84, 0x02, 0x00, 0xff,                               /* seq 255 */
		0x85, 0x13, '2', '0', '2', '6', '1', '1', '2', '8', '2', '2', '1', '5', '0', '0',
		'.', '1', '2', '3', 'Z',
		0x86, 0x03, 'i', 'p', '1',
		0xa2, 0x15,
		0xa1, 0x13,
		0x30, 0x11,
		0x80, 0x01, 0x01,                                     /* toTarget */
		0xa2, 0x0c,
		0xa2, 0x0a,
		0x80, 0x04, 0x05, 0x03, 0x12, 0x02,
		0xa1, 0x02,
		0x80, 0x00,                                           /* empty iPPackets */
	};
	struct etsi_cc_config c2 = {.liid = (const uint8_t *)"LI", .liid_len = 2,
				    .auth_country = "DE",
				    .operator_id = (const uint8_t *)"o", .operator_id_len = 1,
				    .ne_id = (const uint8_t *)"n", .ne_id_len = 1, .cin = 0,
				    .delivery_country = "FR", .ipid = "ip1",
				    .ts_form = ETSI_CC_TS_GENERALIZED, .ts_frac_digits = 3};
	CHECK(etsi_cc_init(&ctx, &c2) == 0);
	n = etsi_cc_encode(&ctx, 255, 1795904100123456789ull, ETSI_CC_DIR_TO_TARGET, NULL, 0, out,
			   sizeof(out));
	CHECK(n == (long)sizeof(g2) && memcmp(out, g2, sizeof(g2)) == 0);
	if (n != (long)sizeof(g2) || memcmp(out, g2, sizeof(g2)) != 0)
		hex("golden 2 got", out, n > 0 ? (size_t)n : 0);
	roundtrip(&c2, &ctx, 255, 1795904100123456789ull, 1, NULL, 0);
	printf("etsi-cc: 2 golden vectors match\n");
}

static void errors(void)
{
	snprintf(where, sizeof(where), "errors");
	static const uint8_t liid[26] = "abcdefghijklmnopqrstuvwxyz";
	struct etsi_cc_config c = {.liid = liid, .liid_len = 26,
				   .operator_id = liid, .operator_id_len = 16,
				   .ts_form = ETSI_CC_TS_MICRO};
	struct etsi_cc_ctx ctx;
	CHECK(etsi_cc_init(&ctx, &c) == ETSI_CC_E_INVAL);
	c.liid_len = 0;
	CHECK(etsi_cc_init(&ctx, &c) == ETSI_CC_E_INVAL);
	c.liid_len = 25;
	c.operator_id_len = 17;
	CHECK(etsi_cc_init(&ctx, &c) == ETSI_CC_E_INVAL);
	c.operator_id_len = 16;
	c.ne_id = liid;
	c.ne_id_len = 17;
	CHECK(etsi_cc_init(&ctx, &c) == ETSI_CC_E_INVAL);
	c.ne_id_len = 16;
	c.auth_country = "DEU";
	CHECK(etsi_cc_init(&ctx, &c) == ETSI_CC_E_INVAL);
	c.auth_country = "D_";
	CHECK(etsi_cc_init(&ctx, &c) == ETSI_CC_E_INVAL);
	c.auth_country = "DE";
	c.ipid = "123456789";
	CHECK(etsi_cc_init(&ctx, &c) == ETSI_CC_E_INVAL);
	c.ipid = "";
	CHECK(etsi_cc_init(&ctx, &c) == ETSI_CC_E_INVAL);
	c.ipid = "12345678";
	c.ts_qualifier = 4;
	CHECK(etsi_cc_init(&ctx, &c) == ETSI_CC_E_INVAL);
	c.ts_qualifier = 3;
	CHECK(etsi_cc_init(&ctx, &c) == 0);
	CHECK(etsi_cc_init(NULL, &c) == ETSI_CC_E_INVAL);
	CHECK(etsi_cc_init(&ctx, NULL) == ETSI_CC_E_INVAL);
	CHECK(etsi_cc_encode(&ctx, 1, 0, 5, pkt4, 20, out, sizeof(out)) == ETSI_CC_E_INVAL);
	CHECK(etsi_cc_encode(&ctx, 1, 0, 0, NULL, 20, out, sizeof(out)) == ETSI_CC_E_INVAL);
	CHECK(etsi_cc_encode(&ctx, 1, 0, 0, pkt4, 20, NULL, sizeof(out)) == ETSI_CC_E_INVAL);
	CHECK(etsi_cc_encode(NULL, 1, 0, 0, pkt4, 20, out, sizeof(out)) == ETSI_CC_E_INVAL);
	CHECK(etsi_cc_encode(&ctx, 1, 0, 0, pkt4, 65536, out, sizeof(out)) == ETSI_CC_E_TOOBIG);
	CHECK(etsi_cc_encode(&ctx, 1, 0, 0, pkt4, 20, out, 0) == ETSI_CC_E_NOSPACE);
	/* Largest header fields, largest payload: within the documented bound. */
	long n = etsi_cc_encode(&ctx, 4294967295u, UINT64_MAX, 4, pkt4, 65535, out, sizeof(out));
	CHECK(n > 0 && (size_t)n <= ETSI_CC_MAX_OVERHEAD + 65535u);
}

int main(void)
{
	make_packets();
	golden();
	errors();
	matrix();
	printf("etsi-cc: %ld checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
