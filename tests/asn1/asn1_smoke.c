/* A PS-PDU through the code asn1c generates from asn1/ (a placeholder for the encoder's round-trip
 * suite): builds a HI3 PS-PDU carrying one IP datagram as IPCC, DER-encodes it, decodes it
 * back with the BER decoder, checks the constraints of both, compares the fields and the bytes
 * of a re-encoding, and checks the byte patterns TS 102 232 fixes (li-psDomainId, the IPCC
 * wrapping with its explicit CHOICE tags, the keep-alive TRI). Prints the encodings in hex. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "PS-PDU.h"
#include "CCPayload.h"

static int failures;

#define CHECK(cond)                                                                   \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "asn1-smoke: %s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #cond);                                     \
			failures++;                                                   \
		}                                                                     \
	} while (0)

static void hex(const char *what, const uint8_t *p, size_t n)
{
	printf("%s (%zu bytes):", what, n);
	for (size_t i = 0; i < n; i++)
		printf("%s%02x", i % 32 ? " " : "\n  ", p[i]);
	printf("\n");
}

static int contains(const uint8_t *hay, size_t n, const uint8_t *needle, size_t m)
{
	for (size_t i = 0; i + m <= n; i++)
		if (memcmp(hay + i, needle, m) == 0)
			return 1;
	return 0;
}

static int os_eq(const OCTET_STRING_t *os, const void *p, size_t n)
{
	return os && os->size == (int)n && memcmp(os->buf, p, n) == 0;
}

static int constraints_ok(const PS_PDU_t *pdu)
{
	char err[256];
	size_t errlen = sizeof(err);
	if (asn_check_constraints(&asn_DEF_PS_PDU, pdu, err, &errlen) != 0) {
		fprintf(stderr, "asn1-smoke: constraints: %s\n", err);
		return 0;
	}
	return 1;
}

/* The header every test PDU carries: version43 domain id, LIID, CIN 7, seq 42. */
static void fill_header(PSHeader_t *h, unsigned long seq)
{
	unsigned long domain[] = {0, 4, 0, 2, 2, 5, 1, 43};
	static unsigned long cin = 7;
	OBJECT_IDENTIFIER_set_arcs(&h->li_psDomainId, domain, sizeof(domain[0]), 8);
	OCTET_STRING_fromBuf(&h->lawfulInterceptionIdentifier, "LIID-0001", -1);
	OCTET_STRING_fromBuf(&h->communicationIdentifier.networkIdentifier.operatorIdentifier,
			     "clif-op", -1);
	h->communicationIdentifier.networkIdentifier.networkElementIdentifier =
		OCTET_STRING_new_fromBuf(&asn_DEF_OCTET_STRING, "nic-0", -1);
	h->communicationIdentifier.communicationIdentityNumber = calloc(1, sizeof(unsigned long));
	*h->communicationIdentifier.communicationIdentityNumber = cin;
	h->communicationIdentifier.deliveryCountryCode =
		OCTET_STRING_new_fromBuf(&asn_DEF_PrintableString, "DE", 2);
	h->sequenceNumber = seq;
	h->timeStamp = calloc(1, sizeof(GeneralizedTime_t));
	OCTET_STRING_fromBuf(h->timeStamp, "20261128221500.123Z", -1);
	h->microSecondTimeStamp = calloc(1, sizeof(*h->microSecondTimeStamp));
	h->microSecondTimeStamp->seconds = 1795904100L;
	h->microSecondTimeStamp->microSeconds = 123456;
	h->timeStampQualifier = calloc(1, sizeof(TimeStampQualifier_t));
	*h->timeStampQualifier = TimeStampQualifier_timeOfInterception;
}

static ssize_t encode(const PS_PDU_t *pdu, uint8_t *buf, size_t size)
{
	asn_enc_rval_t er = der_encode_to_buffer(&asn_DEF_PS_PDU, (void *)pdu, buf, size);
	if (er.encoded < 0)
		fprintf(stderr, "asn1-smoke: der_encode failed at %s\n",
			er.failed_type ? er.failed_type->name : "?");
	return er.encoded;
}

static void cc_roundtrip(void)
{
	/* A minimal IPv4/UDP datagram as the intercepted packet. */
	static const uint8_t pkt[] = {0x45, 0x00, 0x00, 0x1c, 0x12, 0x34, 0x00, 0x00, 0x40, 0x11,
				      0x00, 0x00, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02,
				      0x30, 0x39, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00};
	unsigned long ipcc_oid[] = {5, 3, 18, 2}; /* the setter takes a non-const pointer */
	PS_PDU_t pdu;
	memset(&pdu, 0, sizeof(pdu));
	fill_header(&pdu.pSHeader, 42);

	CCPayload_t *cc = calloc(1, sizeof(*cc));
	cc->payloadDirection = calloc(1, sizeof(PayloadDirection_t));
	*cc->payloadDirection = PayloadDirection_fromTarget;
	cc->cCContents.present = CCContents_PR_iPCC;
	IPCC_t *ipcc = &cc->cCContents.choice.iPCC;
	RELATIVE_OID_set_arcs(&ipcc->iPCCObjId, ipcc_oid, sizeof(ipcc_oid[0]), 4);
	ipcc->iPCCContents.present = IPCCContents_PR_iPPackets;
	OCTET_STRING_fromBuf(&ipcc->iPCCContents.choice.iPPackets, (const char *)pkt, sizeof(pkt));
	pdu.payload.present = Payload_PR_cCPayloadSequence;
	ASN_SEQUENCE_ADD(&pdu.payload.choice.cCPayloadSequence.list, cc);

	CHECK(constraints_ok(&pdu));
	uint8_t buf[1024], buf2[1024];
	ssize_t n = encode(&pdu, buf, sizeof(buf));
	CHECK(n > 0);
	if (n <= 0)
		goto out;
	hex("cc pdu", buf, (size_t)n);

	/* Byte patterns fixed by the standard. */
	static const uint8_t domain[] = {0x80, 0x07, 0x04, 0x00, 0x02, 0x02, 0x05, 0x01, 0x2b};
	static const uint8_t ipcc_hdr[] = {0xa2, 0x28, 0xa2, 0x26, 0x80, 0x04, 0x05, 0x03, 0x12,
					   0x02, 0xa1, 0x1e, 0x80, 0x1c};
	static const uint8_t seq[] = {0x84, 0x01, 0x2a};
	CHECK(buf[0] == 0x30);
	CHECK(contains(buf, (size_t)n, domain, sizeof(domain)));
	CHECK(contains(buf, (size_t)n, seq, sizeof(seq)));
	CHECK(contains(buf, (size_t)n, ipcc_hdr, sizeof(ipcc_hdr)));
	CHECK(memcmp(buf + n - sizeof(pkt), pkt, sizeof(pkt)) == 0);

	PS_PDU_t *back = NULL;
	asn_dec_rval_t dr = ber_decode(0, &asn_DEF_PS_PDU, (void **)&back, buf, (size_t)n);
	CHECK(dr.code == RC_OK && dr.consumed == (size_t)n);
	if (dr.code != RC_OK)
		goto out_back;
	CHECK(constraints_ok(back));

	const PSHeader_t *h = &back->pSHeader;
	unsigned long arcs[16];
	int narcs = OBJECT_IDENTIFIER_get_arcs(&h->li_psDomainId, arcs, sizeof(arcs[0]), 16);
	CHECK(narcs == 8 && arcs[6] == 1 && arcs[7] == 43);
	CHECK(os_eq(&h->lawfulInterceptionIdentifier, "LIID-0001", 9));
	CHECK(os_eq(&h->communicationIdentifier.networkIdentifier.operatorIdentifier, "clif-op", 7));
	CHECK(os_eq(h->communicationIdentifier.networkIdentifier.networkElementIdentifier, "nic-0",
		    5));
	CHECK(h->communicationIdentifier.communicationIdentityNumber &&
	      *h->communicationIdentifier.communicationIdentityNumber == 7);
	CHECK(os_eq(h->communicationIdentifier.deliveryCountryCode, "DE", 2));
	CHECK(h->sequenceNumber == 42);
	CHECK(os_eq(h->timeStamp, "20261128221500.123Z", 19));
	CHECK(h->microSecondTimeStamp && h->microSecondTimeStamp->seconds == 1795904100L &&
	      h->microSecondTimeStamp->microSeconds == 123456);
	CHECK(h->timeStampQualifier &&
	      *h->timeStampQualifier == TimeStampQualifier_timeOfInterception);
	CHECK(h->authorizationCountryCode == NULL && h->interceptionPointID == NULL);

	CHECK(back->payload.present == Payload_PR_cCPayloadSequence);
	CHECK(back->payload.choice.cCPayloadSequence.list.count == 1);
	if (back->payload.present == Payload_PR_cCPayloadSequence &&
	    back->payload.choice.cCPayloadSequence.list.count == 1) {
		const CCPayload_t *c = back->payload.choice.cCPayloadSequence.list.array[0];
		CHECK(c->payloadDirection && *c->payloadDirection == PayloadDirection_fromTarget);
		CHECK(c->timeStamp == NULL);
		CHECK(c->cCContents.present == CCContents_PR_iPCC);
		const IPCC_t *ip = &c->cCContents.choice.iPCC;
		narcs = RELATIVE_OID_get_arcs(&ip->iPCCObjId, arcs, sizeof(arcs[0]), 16);
		CHECK(narcs == 4 && arcs[0] == 5 && arcs[1] == 3 && arcs[2] == 18 && arcs[3] == 2);
		CHECK(ip->iPCCContents.present == IPCCContents_PR_iPPackets);
		CHECK(os_eq(&ip->iPCCContents.choice.iPPackets, pkt, sizeof(pkt)));
	}

	/* The decoded PDU encodes to the same bytes. */
	ssize_t n2 = encode(back, buf2, sizeof(buf2));
	CHECK(n2 == n && memcmp(buf, buf2, (size_t)n) == 0);

	/* A truncated encoding asks for more; a corrupted outer tag is refused. */
	PS_PDU_t *part = NULL;
	dr = ber_decode(0, &asn_DEF_PS_PDU, (void **)&part, buf, (size_t)n - 5);
	CHECK(dr.code == RC_WMORE);
	ASN_STRUCT_FREE(asn_DEF_PS_PDU, part);
	part = NULL;
	buf[0] = 0x31;
	dr = ber_decode(0, &asn_DEF_PS_PDU, (void **)&part, buf, (size_t)n);
	CHECK(dr.code == RC_FAIL);
	ASN_STRUCT_FREE(asn_DEF_PS_PDU, part);

out_back:
	ASN_STRUCT_FREE(asn_DEF_PS_PDU, back);
out:
	ASN_STRUCT_FREE_CONTENTS_ONLY(asn_DEF_PS_PDU, &pdu);
}

/* A keep-alive TRI: the payload bytes are A2 04 A2 02 83 00 (TS 102 232-1). */
static void keepalive(void)
{
	PS_PDU_t pdu;
	memset(&pdu, 0, sizeof(pdu));
	fill_header(&pdu.pSHeader, 0);
	pdu.payload.present = Payload_PR_tRIPayload;
	pdu.payload.choice.tRIPayload.present = TRIPayload_PR_keep_alive;

	CHECK(constraints_ok(&pdu));
	uint8_t buf[512];
	ssize_t n = encode(&pdu, buf, sizeof(buf));
	CHECK(n > 6);
	if (n > 6) {
		static const uint8_t ka[] = {0xa2, 0x04, 0xa2, 0x02, 0x83, 0x00};
		hex("keep-alive pdu", buf, (size_t)n);
		CHECK(memcmp(buf + n - sizeof(ka), ka, sizeof(ka)) == 0);
		PS_PDU_t *back = NULL;
		asn_dec_rval_t dr = ber_decode(0, &asn_DEF_PS_PDU, (void **)&back, buf, (size_t)n);
		CHECK(dr.code == RC_OK && back && back->payload.present == Payload_PR_tRIPayload &&
		      back->payload.choice.tRIPayload.present == TRIPayload_PR_keep_alive);
		ASN_STRUCT_FREE(asn_DEF_PS_PDU, back);
	}
	ASN_STRUCT_FREE_CONTENTS_ONLY(asn_DEF_PS_PDU, &pdu);
}

int main(void)
{
	cc_roundtrip();
	keepalive();
	if (failures) {
		printf("asn1-smoke: %d checks failed\n", failures);
		return 1;
	}
	printf("asn1-smoke: PS-PDU IPCC and keep-alive round trips OK\n");
	return 0;
}
