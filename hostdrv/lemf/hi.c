/* PS-PDUs (TS 102 232-1): decoded with the asn1c code of asn1/, recorded in the sink, and
 * keep-alives answered on the connection they came from. */
#include "lemf.h"

#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "PS-PDU.h"
#include "CCPayload.h"
#include "IRIPayload.h"
#include "IPAddress.h"
#include "MicroSecondTimeStamp.h"
#include "etsi_pdu.h"

#define JSON_MAX 4096

/* The PSHeader fields that identify a context (TS 102 232-1 §5.2.5) and its time. */
struct hdr {
	const OCTET_STRING_t *liid, *op, *ne, *dcc;
	const unsigned long *cin;
	uint32_t seq;
	int has_ts, micro;
	uint64_t ts_ns;
};

static int gt_to_ns(const GeneralizedTime_t *gt, uint64_t *ns)
{
	struct tm tm;
	int frac = 0;
	time_t t = asn_GT2time_prec(gt, &frac, 9, &tm, 1);
	if (t == (time_t)-1 || t < 0)
		return 0;
	*ns = (uint64_t)t * 1000000000u + (uint64_t)frac;
	return 1;
}

static void read_hdr(const PSHeader_t *h, struct hdr *o)
{
	memset(o, 0, sizeof(*o));
	o->liid = &h->lawfulInterceptionIdentifier;
	o->op = &h->communicationIdentifier.networkIdentifier.operatorIdentifier;
	o->ne = h->communicationIdentifier.networkIdentifier.networkElementIdentifier;
	o->dcc = h->communicationIdentifier.deliveryCountryCode;
	o->cin = h->communicationIdentifier.communicationIdentityNumber;
	o->seq = (uint32_t)h->sequenceNumber;
	if (h->microSecondTimeStamp) {
		o->has_ts = o->micro = 1;
		o->ts_ns = (uint64_t)h->microSecondTimeStamp->seconds * 1000000000u +
			   (uint64_t)h->microSecondTimeStamp->microSeconds * 1000u;
	} else if (h->timeStamp) {
		o->has_ts = gt_to_ns(h->timeStamp, &o->ts_ns);
	}
}

/* Context key: payload class, then each identifying field as presence, length, bytes. */
static size_t context_key(const struct hdr *h, const char *cls, uint8_t *k, size_t cap)
{
	size_t n = 0;
	const OCTET_STRING_t *f[4] = {h->liid, h->op, h->ne, h->dcc};
	size_t cl = strlen(cls);
	if (cl + 1 > cap)
		return 0;
	memcpy(k, cls, cl + 1);
	n = cl + 1;
	for (int i = 0; i < 4; i++) {
		size_t l = f[i] ? (size_t)f[i]->size : 0;
		if (n + 2 + l > cap)
			return 0;
		k[n++] = f[i] != NULL;
		k[n++] = (uint8_t)l;
		if (l)
			memcpy(k + n, f[i]->buf, l);
		n += l;
	}
	if (n + 5 > cap)
		return 0;
	k[n++] = h->cin != NULL;
	uint32_t cin = h->cin ? (uint32_t)*h->cin : 0;
	memcpy(k + n, &cin, 4);
	return n + 4;
}

static void json_hdr(char *j, const struct hdr *h)
{
	lemf_jcat(j, JSON_MAX, "\"liid\":");
	lemf_jstr(j, JSON_MAX, h->liid->buf, (size_t)h->liid->size);
	if (h->cin)
		lemf_jcat(j, JSON_MAX, ",\"cin\":%lu", *h->cin);
	lemf_jcat(j, JSON_MAX, ",\"seq\":%u", h->seq);
	if (h->has_ts) {
		lemf_jcat(j, JSON_MAX, ",\"time\":");
		lemf_jtime(j, JSON_MAX, h->ts_ns);
	}
}

static void record_seq(const struct lemf_conn *c, const struct hdr *h, const char *cls)
{
	uint8_t key[128];
	char desc[256];
	size_t n = context_key(h, cls, key, sizeof(key));
	desc[0] = '\0';
	lemf_jcat(desc, sizeof(desc), "{\"type\":\"%s\",\"liid\":", cls);
	lemf_jstr(desc, sizeof(desc), h->liid->buf, (size_t)h->liid->size);
	if (h->cin)
		lemf_jcat(desc, sizeof(desc), ",\"cin\":%lu", *h->cin);
	lemf_jcat(desc, sizeof(desc), "}");
	if (n)
		lemf_sink_seq(c, key, n, desc, h->seq);
}

static const char *const DIRS[] = {"fromTarget", "toTarget", "indeterminate", "combined", "notapplicable"};
static const char *const IRI_TYPES[] = {"?", "BEGIN", "END", "CONTINUE", "REPORT"};
static const char *const EVENTS[] = {
	"accessAttempt", "accessAccept", "accessReject", "accessFailed", "sessionStart", "sessionEnd",
	"interimUpdate", "startOfInterceptionWithSessionActive", "accessEnd",
	"endOfInterceptionWithSessionActive", "unknown"};
static const char *const END_REASONS[] = {"undefined", "regularLogoff", "connectionLoss",
					  "connectionTimeout", "leaseExpired"};

static const char *name_of(const char *const *names, size_t n, long v)
{
	return v >= 0 && (size_t)v < n ? names[v] : NULL;
}

static void json_enum(char *j, const char *field, const char *const *names, size_t n, long v)
{
	const char *s = name_of(names, n, v);
	if (s)
		lemf_jcat(j, JSON_MAX, ",\"%s\":\"%s\"", field, s);
	else
		lemf_jcat(j, JSON_MAX, ",\"%s\":%ld", field, v);
}

static void json_gt(char *j, const char *field, const GeneralizedTime_t *gt)
{
	uint64_t ns;
	if (gt == NULL)
		return;
	lemf_jcat(j, JSON_MAX, ",\"%s\":", field);
	if (gt_to_ns(gt, &ns))
		lemf_jtime(j, JSON_MAX, ns);
	else
		lemf_jstr(j, JSON_MAX, gt->buf, (size_t)gt->size);
}

static void json_ip(char *j, const char *field, const IPAddress_t *a)
{
	char text[INET6_ADDRSTRLEN] = "";
	if (a == NULL)
		return;
	if (a->iP_value.present == IP_value_PR_iPBinaryAddress) {
		const OCTET_STRING_t *b = &a->iP_value.choice.iPBinaryAddress;
		if (b->size == 4)
			inet_ntop(AF_INET, b->buf, text, sizeof(text));
		else if (b->size == 16)
			inet_ntop(AF_INET6, b->buf, text, sizeof(text));
	} else if (a->iP_value.present == IP_value_PR_iPTextAddress) {
		const IA5String_t *t = &a->iP_value.choice.iPTextAddress;
		size_t n = (size_t)t->size < sizeof(text) - 1 ? (size_t)t->size : sizeof(text) - 1;
		memcpy(text, t->buf, n);
		text[n] = '\0';
	}
	lemf_jcat(j, JSON_MAX, ",\"%s\":", field);
	lemf_jstr(j, JSON_MAX, (const uint8_t *)text, strlen(text));
	if (a->iPv6PrefixLength)
		lemf_jcat(j, JSON_MAX, ",\"%s_prefix\":%ld", field, *a->iPv6PrefixLength);
	if (a->iPv4SubnetMask && a->iPv4SubnetMask->size == 4) {
		const uint8_t *m = a->iPv4SubnetMask->buf;
		lemf_jcat(j, JSON_MAX, ",\"%s_mask\":\"%u.%u.%u.%u\"", field, m[0], m[1], m[2], m[3]);
	}
}

static void iri_payload(struct lemf_conn *c, const struct hdr *h, const IRIPayload_t *p, uint64_t off)
{
	char j[JSON_MAX] = "";
	lemf_jcat(j, JSON_MAX, "\"offset\":%llu,\"pdu\":\"IRI\",", (unsigned long long)off);
	json_hdr(j, h);
	if (p->iRIType)
		json_enum(j, "iri_type", IRI_TYPES, 5, *p->iRIType);
	if (p->iRIContents.present != IRIContents_PR_iPIRI) {
		lemf_jcat(j, JSON_MAX, ",\"contents\":\"not IP access\"");
		lemf_sink_event(c, j);
		return;
	}
	const IPIRIContents_t *r = &p->iRIContents.choice.iPIRI.iPIRIContents;
	json_enum(j, "event", EVENTS, 11, r->accessEventType);
	lemf_jcat(j, JSON_MAX, ",\"username\":");
	lemf_jstr(j, JSON_MAX, r->targetUsername.buf, (size_t)r->targetUsername.size);
	lemf_jcat(j, JSON_MAX, ",\"access_type\":%ld,\"ip_version\":%ld", r->internetAccessType, r->iPVersion);
	json_ip(j, "target_ip", r->targetIPAddress);
	json_gt(j, "start", r->startTime);
	json_gt(j, "end", r->endTime);
	if (r->endReason)
		json_enum(j, "end_reason", END_REASONS, 5, *r->endReason);
	if (r->octetsReceived)
		lemf_jcat(j, JSON_MAX, ",\"octets_received\":%ld", *r->octetsReceived);
	if (r->octetsTransmitted)
		lemf_jcat(j, JSON_MAX, ",\"octets_transmitted\":%ld", *r->octetsTransmitted);
	lemf_sink_event(c, j);
}

/* "cc-" plus the LIID bytes as a C string (a NUL inside an LIID ends it early; the file
 * name escaping keeps everything else distinct). */
static void cc_key(char *key, size_t cap, const OCTET_STRING_t *liid)
{
	size_t n = (size_t)liid->size < cap - 4 ? (size_t)liid->size : cap - 4;
	memcpy(key, "cc-", 3);
	memcpy(key + 3, liid->buf, n);
	key[3 + n] = '\0';
}

static void cc_payload(struct lemf_conn *c, const struct hdr *h, const CCPayload_t *p, uint64_t off)
{
	char j[JSON_MAX] = "", key[64];
	lemf_jcat(j, JSON_MAX, "\"offset\":%llu,\"pdu\":\"CC\",", (unsigned long long)off);
	json_hdr(j, h);
	if (p->payloadDirection)
		json_enum(j, "direction", DIRS, 5, *p->payloadDirection);
	if (p->cCContents.present != CCContents_PR_iPCC) {
		lemf_jcat(j, JSON_MAX, ",\"contents\":\"not IP access\"");
		lemf_sink_event(c, j);
		return;
	}
	const IPCCContents_t *cc = &p->cCContents.choice.iPCC.iPCCContents;
	const OCTET_STRING_t *pkt = NULL;
	if (cc->present == IPCCContents_PR_iPPackets) {
		pkt = &cc->choice.iPPackets;
	} else if (cc->present == IPCCContents_PR_iPTruncatedPacket) {
		pkt = &cc->choice.iPTruncatedPacket.truncatedPacket;
		lemf_jcat(j, JSON_MAX, ",\"truncated\":true");
		if (cc->choice.iPTruncatedPacket.originalLength)
			lemf_jcat(j, JSON_MAX, ",\"original_length\":%ld",
				  *cc->choice.iPTruncatedPacket.originalLength);
	}
	if (pkt) {
		lemf_jcat(j, JSON_MAX, ",\"length\":%d", pkt->size);
		cc_key(key, sizeof(key), h->liid);
		lemf_sink_packet(key, DLT_RAW, h->ts_ns, pkt->buf, (size_t)pkt->size);
	} else {
		lemf_jcat(j, JSON_MAX, ",\"contents\":\"unknown IPCC alternative\"");
	}
	lemf_sink_event(c, j);
}

static const char *const TRI_NAMES[] = {
	"integrityCheck", "testPDU", "paddingPDU", "keep-alive", "keep-aliveResponse", "firstSegmentFlag",
	"lastSegmentFlag", "cINReset", "operatorLeaMessage", "optionRequest", "optionResponse",
	"optionComplete", "pDUAcknowledgementRequest", "pDUAcknowledgementResponse"};

/* TRIPayload_PR values count from 1 (0 is "nothing"). */
static const char *tri_name(TRIPayload_PR pr)
{
	return pr >= 1 && (size_t)pr <= sizeof(TRI_NAMES) / sizeof(TRI_NAMES[0]) ? TRI_NAMES[pr - 1] : "unknown";
}

static int copy_os(const OCTET_STRING_t *os, size_t lo, size_t hi, const uint8_t **p, size_t *n)
{
	if (os == NULL || (size_t)os->size < lo || (size_t)os->size > hi)
		return 0;
	*p = os->buf;
	*n = (size_t)os->size;
	return 1;
}

/* keep-aliveResponse: same sequence number, the keep-alive's identifying fields where they
 * are valid (TS 102 232-1 §6.3.4 only requires the timestamp and domain ID to be right). */
static void answer_keepalive(struct lemf_conn *c, const struct hdr *h)
{
	static const uint8_t dash[] = "-", lemf[] = "LEMF";
	struct etsi_cc_config cfg = {0};
	struct etsi_cc_ctx ctx;
	uint8_t out[ETSI_TRI_MAX_PDU];
	char dcc[3] = "";
	if (!copy_os(h->liid, 1, 25, &cfg.liid, &cfg.liid_len)) {
		cfg.liid = dash;
		cfg.liid_len = 1;
	}
	if (!copy_os(h->op, 1, 16, &cfg.operator_id, &cfg.operator_id_len)) {
		cfg.operator_id = lemf;
		cfg.operator_id_len = 4;
	}
	copy_os(h->ne, 1, 16, &cfg.ne_id, &cfg.ne_id_len);
	if (h->dcc && h->dcc->size == 2) {
		memcpy(dcc, h->dcc->buf, 2);
		cfg.delivery_country = dcc;
	}
	cfg.cin = h->cin ? (uint32_t)*h->cin : 0;
	cfg.ts_form = h->micro ? ETSI_CC_TS_MICRO : ETSI_CC_TS_GENERALIZED;
	cfg.ts_qualifier = 1;
	cfg.ts_frac_digits = 6;
	if (etsi_cc_init(&ctx, &cfg) != 0) {
		cfg.delivery_country = NULL;
		cfg.ne_id = NULL;
		cfg.ne_id_len = 0;
		if (etsi_cc_init(&ctx, &cfg) != 0)
			return;
	}
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	long n = etsi_tri_encode(&ctx, h->seq, (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec,
				 ETSI_TRI_KEEPALIVE_RESPONSE, out, sizeof(out));
	if (n > 0 && c->reply) {
		if (c->reply(c, out, (size_t)n) == 0)
			lemf_sink_count(LEMF_N_REPLIES, 1);
		else
			fprintf(stderr, "clif-lemf: connection %u: could not send a keep-alive response\n", c->id);
	}
}

static void tri_payload(struct lemf_conn *c, const struct hdr *h, const TRIPayload_t *t, uint64_t off)
{
	char j[JSON_MAX] = "";
	const char *name = tri_name(t->present);
	lemf_jcat(j, JSON_MAX, "\"offset\":%llu,\"pdu\":\"TRI\",\"tri\":\"%s\",", (unsigned long long)off, name);
	json_hdr(j, h);
	lemf_sink_event(c, j);
	record_seq(c, h, name);
	if (t->present == TRIPayload_PR_keep_alive)
		answer_keepalive(c, h);
}

int lemf_hi_pdu(struct lemf_conn *c, const uint8_t *pdu, size_t len, uint64_t offset)
{
	PS_PDU_t *p = NULL;
	char why[256] = "";
	size_t why_len = sizeof(why);
	asn_dec_rval_t rv = ber_decode(NULL, &asn_DEF_PS_PDU, (void **)&p, pdu, len);
	int bad = 0;
	if (rv.code != RC_OK) {
		snprintf(why, sizeof(why), "BER decoding failed at byte %zu of the PDU", rv.consumed);
		bad = 1;
	} else if (rv.consumed != len) {
		snprintf(why, sizeof(why), "%zu bytes after the PS-PDU inside its length", len - rv.consumed);
		bad = 1;
	} else if (asn_check_constraints(&asn_DEF_PS_PDU, p, why, &why_len) != 0) {
		bad = 1;
	}
	if (bad) {
		char j[JSON_MAX] = "";
		lemf_jcat(j, JSON_MAX, "\"offset\":%llu,\"event\":\"undecodable\",\"length\":%zu,\"reason\":",
			  (unsigned long long)offset, len);
		lemf_jstr(j, JSON_MAX, (const uint8_t *)why, strnlen(why, sizeof(why)));
		lemf_sink_event(c, j);
		ASN_STRUCT_FREE(asn_DEF_PS_PDU, p);
		return ETSI_E_DECODE;
	}

	struct hdr h;
	read_hdr(&p->pSHeader, &h);
	const Payload_t *pl = &p->payload;
	switch (pl->present) {
	case Payload_PR_iRIPayloadSequence:
		lemf_sink_count(LEMF_N_IRI, 1);
		record_seq(c, &h, "IRI");
		for (int i = 0; i < pl->choice.iRIPayloadSequence.list.count; i++)
			iri_payload(c, &h, pl->choice.iRIPayloadSequence.list.array[i], offset);
		break;
	case Payload_PR_cCPayloadSequence:
		lemf_sink_count(LEMF_N_CC, 1);
		record_seq(c, &h, "CC");
		for (int i = 0; i < pl->choice.cCPayloadSequence.list.count; i++)
			cc_payload(c, &h, pl->choice.cCPayloadSequence.list.array[i], offset);
		break;
	case Payload_PR_tRIPayload:
		lemf_sink_count(LEMF_N_TRI, 1);
		tri_payload(c, &h, &pl->choice.tRIPayload, offset);
		break;
	default: {
		/* An extension alternative (HI1 operation, encryption container, ...): valid BER that
		 * this receiver does not interpret. */
		char j[JSON_MAX] = "";
		lemf_sink_count(LEMF_N_OTHER, 1);
		lemf_jcat(j, JSON_MAX, "\"offset\":%llu,\"pdu\":\"other\",", (unsigned long long)offset);
		json_hdr(j, &h);
		lemf_sink_event(c, j);
		break;
	}
	}
	ASN_STRUCT_FREE(asn_DEF_PS_PDU, p);
	return 0;
}
