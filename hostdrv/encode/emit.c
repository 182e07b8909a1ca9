/* The PDUs of one interception: an IRI BEGIN at the first matched datagram, one CC (or X3)
 * per matched datagram, an IRI END after the last. Each PDU is encoded straight into the
 * output buffer: no allocation and no formatting per packet. */
#include <stdio.h>
#include <string.h>

#include "encode.h"
#include "etsi_pdu.h"
#include "x2x3.h"

#define NS_PER_S 1000000000u

int enc_emit_init(struct enc_emitter *e, const struct enc_options *o, struct enc_sink *out)
{
	struct etsi_cc_config cfg = {
		.liid = o->liid,
		.liid_len = o->liid_len,
		.auth_country = o->country,
		.operator_id = (const uint8_t *)o->operator_id,
		.operator_id_len = strlen(o->operator_id),
		.ne_id = (const uint8_t *)o->ne_id,
		.ne_id_len = o->ne_id ? strlen(o->ne_id) : 0,
		.cin = o->cin,
		.delivery_country = o->country,
		.ipid = o->ipid,
		.ts_form = o->ts_form,
		.ts_qualifier = 1, /* timeOfInterception: the capture's own time */
		.ts_frac_digits = o->ts_frac_digits,
	};

	memset(e, 0, sizeof(*e));
	e->o = o;
	e->out = out;
	int rc = etsi_cc_init(&e->cc, &cfg);
	if (rc < 0) {
		fprintf(stderr, ENC_NAME ": cannot build the PDU header: %s\n", etsi_strerror(rc));
		return -1;
	}
	for (unsigned c = 0; c < ETSI_SEQ_CLASSES; c++)
		e->seq.next[c] = o->first_seq;
	e->x2_seq = o->first_seq;
	e->x3_seq = o->first_seq;
	return 0;
}

static int encoder_failed(long rc)
{
	fprintf(stderr, ENC_NAME ": the encoder refused a PDU: %s\n", etsi_strerror((int)rc));
	return -1;
}

/* The IPIRI of the interception's start (BEGIN) or end (END). */
static void fill_iri(const struct enc_emitter *e, unsigned type, struct etsi_iri *iri)
{
	const struct enc_target *t = &e->o->target;

	memset(iri, 0, sizeof(*iri));
	iri->iri_type = type;
	iri->event = type == ETSI_IRI_BEGIN ? ETSI_EV_START_WITH_SESSION_ACTIVE : ETSI_EV_ACCESS_END;
	iri->username = (const uint8_t *)""; /* targetUsername is mandatory; none is known */
	iri->access_type = 4; /* lAN */
	iri->ip_version = t->family == 4 ? 1u : 2u;
	iri->has = ETSI_IRI_HAS_TARGET_IP | ETSI_IRI_HAS_START;
	memcpy(iri->target_ip, t->addr, 16);
	iri->target_ip_len = t->family == 4 ? 4u : 16u;
	iri->ip_assignment = 3; /* notKnown */
	iri->prefix_len = t->has_prefix ? t->prefix : 0u;
	iri->start_ns = e->first_ns;
	if (type == ETSI_IRI_END) {
		iri->has |= ETSI_IRI_HAS_END | ETSI_IRI_HAS_END_REASON | ETSI_IRI_HAS_OCTETS;
		iri->end_ns = e->last_ns;
		iri->end_reason = ETSI_END_UNDEFINED;
		iri->octets_rx = e->octets_rx;
		iri->octets_tx = e->octets_tx;
	}
}

/* Encodes the IRI PS-PDU into out. Returns its length or a negative etsi_err. */
static long encode_iri(struct enc_emitter *e, unsigned type, uint64_t ts_ns, uint8_t *out,
		       size_t cap)
{
	struct etsi_iri iri;

	fill_iri(e, type, &iri);
	return etsi_iri_encode(&e->cc, etsi_seq_take(&e->seq, ETSI_SEQ_IRI), ts_ns, &iri, out, cap);
}

/* The fixed part and attributes every X2/X3 PDU of this run carries. */
static void x2x3_common(const struct enc_emitter *e, struct x2x3_pdu *p, uint16_t type,
			uint64_t ts_ns)
{
	memset(p, 0, sizeof(*p));
	p->pdu_type = type;
	memcpy(p->xid, e->o->xid, sizeof(p->xid));
	p->correlation_id = e->o->cin;
	p->has = X2X3_HAS_SEQ | X2X3_HAS_TIMESTAMP | X2X3_HAS_MATCHED_TARGET;
	p->ts_sec = (uint32_t)(ts_ns / NS_PER_S);
	p->ts_nsec = (uint32_t)(ts_ns % NS_PER_S);
	p->matched_target = (const uint8_t *)e->o->target.xml;
	p->matched_target_len = e->o->target.xml_len;
}

static int put_iri(struct enc_emitter *e, unsigned type, uint64_t ts_ns)
{
	uint8_t iri[ETSI_IRI_MAX_PDU];
	uint8_t *out = enc_sink_reserve(e->out, ENC_SINK_MAX_ITEM);
	long n;

	if (out == NULL)
		return -1;
	if (e->o->format == ENC_FMT_HI) {
		n = encode_iri(e, type, ts_ns, out, ENC_SINK_MAX_ITEM);
		if (n < 0)
			return encoder_failed(n);
		e->pdus[ENC_PDU_IRI]++;
	} else {
		struct x2x3_pdu p;
		long ilen = encode_iri(e, type, ts_ns, iri, sizeof(iri));
		if (ilen < 0)
			return encoder_failed(ilen);
		x2x3_common(e, &p, X2X3_PDU_X2, ts_ns);
		p.payload_format = X2X3_FMT_ETSI_102232;
		p.payload_dir = X2X3_DIR_NOT_APPLICABLE; /* an IRI record has no direction */
		p.seq = e->x2_seq++;
		p.payload = iri;
		p.payload_len = (uint32_t)ilen;
		n = x2x3_encode(&p, out, ENC_SINK_MAX_ITEM);
		if (n < 0)
			return encoder_failed(n);
		e->pdus[ENC_PDU_X2]++;
	}
	enc_sink_commit(e->out, (size_t)n);
	return 0;
}

/* HI3 payloadDirection / X3 direction of a datagram. A datagram whose source and destination
 * both lie in the target prefix is the target talking to itself: neither "from" nor "to"
 * describes it alone, so HI3 says indeterminate and X3 unknown. */
static unsigned hi3_dir(unsigned sides)
{
	if (sides == ENC_SIDE_SRC)
		return ETSI_CC_DIR_FROM_TARGET;
	if (sides == ENC_SIDE_DST)
		return ETSI_CC_DIR_TO_TARGET;
	return ETSI_CC_DIR_INDETERMINATE;
}

static uint16_t x3_dir(unsigned sides)
{
	if (sides == ENC_SIDE_SRC)
		return X2X3_DIR_FROM_TARGET;
	if (sides == ENC_SIDE_DST)
		return X2X3_DIR_TO_TARGET;
	return X2X3_DIR_UNKNOWN;
}

static long encode_x3(struct enc_emitter *e, const struct enc_dgram *d, unsigned sides,
		      uint64_t ts_ns, uint8_t *out)
{
	struct x2x3_pdu p;
	unsigned alen = d->family == 4 ? 4u : 16u;

	x2x3_common(e, &p, X2X3_PDU_X3, ts_ns);
	p.payload_format = d->family == 4 ? X2X3_FMT_IPV4 : X2X3_FMT_IPV6;
	p.payload_dir = x3_dir(sides);
	p.seq = e->x3_seq++;
	p.has |= X2X3_HAS_SRC_IP | X2X3_HAS_DST_IP | X2X3_HAS_IP_PROTO;
	p.ip_len = (uint8_t)alen;
	memcpy(p.src_ip, d->src, alen);
	memcpy(p.dst_ip, d->dst, alen);
	p.ip_proto = d->proto;
	if (d->ports_valid) {
		p.has |= X2X3_HAS_SRC_PORT | X2X3_HAS_DST_PORT;
		p.src_port = d->sport;
		p.dst_port = d->dport;
	}
	p.payload = d->ip;
	p.payload_len = d->len;
	return x2x3_encode(&p, out, ENC_SINK_MAX_ITEM);
}

int enc_emit_packet(struct enc_emitter *e, const struct enc_dgram *d, unsigned sides,
		    uint64_t ts_ns)
{
	if (e->matched++ == 0) {
		e->first_ns = ts_ns;
		if (!e->o->no_iri && put_iri(e, ETSI_IRI_BEGIN, ts_ns) < 0)
			return -1;
	}
	e->last_ns = ts_ns;
	/* Octets by the datagram's own length: what crossed the wire, even if the capture
	 * kept less. A datagram the target sends itself counts both ways. */
	if (sides & ENC_SIDE_DST)
		e->octets_rx += d->wire_len;
	if (sides & ENC_SIDE_SRC)
		e->octets_tx += d->wire_len;

	uint8_t *out = enc_sink_reserve(e->out, ENC_SINK_MAX_ITEM);
	long n;
	if (out == NULL)
		return -1;
	int hi = e->o->format == ENC_FMT_HI;
	if (hi)
		n = etsi_cc_encode(&e->cc, etsi_seq_take(&e->seq, ETSI_SEQ_CC), ts_ns,
				   hi3_dir(sides), d->ip, d->len, out, ENC_SINK_MAX_ITEM);
	else
		n = encode_x3(e, d, sides, ts_ns, out);
	if (n < 0)
		return encoder_failed(n);
	e->pdus[hi ? ENC_PDU_CC : ENC_PDU_X3]++;
	enc_sink_commit(e->out, (size_t)n);
	return 0;
}

int enc_emit_finish(struct enc_emitter *e)
{
	if (e->matched == 0 || e->o->no_iri)
		return 0;
	return put_iri(e, ETSI_IRI_END, e->last_ns);
}
