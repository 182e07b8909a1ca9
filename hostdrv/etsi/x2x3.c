/* X2/X3 PDUs (TS 103 221-2 §5): see x2x3.h for the wire layout and the contract. */
#include "x2x3.h"

#include <limits.h>
#include <string.h>

#define NSEC_PER_SEC 1000000000u
/* Version(2) + PDU type(2) + header length(4) + payload length(4): enough to frame a PDU. */
#define FRAME_PREFIX 12u
/* Type(2) + length(2) in front of every conditional attribute. */
#define ATTR_HDR 4u

static uint8_t *put16(uint8_t *o, uint16_t v)
{
	o[0] = (uint8_t)(v >> 8);
	o[1] = (uint8_t)v;
	return o + 2;
}

static uint8_t *put32(uint8_t *o, uint32_t v)
{
	return put16(put16(o, (uint16_t)(v >> 16)), (uint16_t)v);
}

static uint8_t *put64(uint8_t *o, uint64_t v)
{
	return put32(put32(o, (uint32_t)(v >> 32)), (uint32_t)v);
}

static uint16_t get16(const uint8_t *b)
{
	return (uint16_t)((unsigned)b[0] << 8 | b[1]);
}

static uint32_t get32(const uint8_t *b)
{
	return (uint32_t)get16(b) << 16 | get16(b + 2);
}

static uint64_t get64(const uint8_t *b)
{
	return (uint64_t)get32(b) << 32 | get32(b + 4);
}

static int is_keepalive(unsigned type)
{
	return type == X2X3_PDU_KEEPALIVE || type == X2X3_PDU_KEEPALIVE_ACK;
}

static int type_ok(unsigned type)
{
	return type >= X2X3_PDU_X2 && type <= X2X3_PDU_KEEPALIVE_ACK;
}

/* ---- encoder ---- */

static uint8_t *put_attr_hdr(uint8_t *o, uint16_t type, uint16_t len)
{
	return put16(put16(o, type), len);
}

static uint8_t *put_attr_bytes(uint8_t *o, uint16_t type, const uint8_t *v, uint16_t len)
{
	o = put_attr_hdr(o, type, len);
	if (len > 0)
		memcpy(o, v, len);
	return o + len;
}

/* Fields of an X2/X3 PDU the wire cannot carry or the standard does not define. Fields whose
 * HAS_ flag is clear are not looked at: they are not sent. */
static int check_fields(const struct x2x3_pdu *p)
{
	if (p->payload_format > X2X3_FMT_MAX || p->payload_dir > X2X3_DIR_NOT_APPLICABLE)
		return ETSI_E_INVAL;
	if ((p->has & (X2X3_HAS_SRC_IP | X2X3_HAS_DST_IP)) && p->ip_len != 4 && p->ip_len != 16)
		return ETSI_E_INVAL;
	if ((p->has & X2X3_HAS_TIMESTAMP) && p->ts_nsec >= NSEC_PER_SEC)
		return ETSI_E_INVAL;
	if ((p->has & X2X3_HAS_MATCHED_TARGET) &&
	    (p->matched_target_len > X2X3_MAX_TARGET_ATTR ||
	     (p->matched_target == NULL && p->matched_target_len > 0)))
		return ETSI_E_INVAL;
	if (p->payload == NULL && p->payload_len > 0)
		return ETSI_E_INVAL;
	return 0;
}

static size_t attrs_len(const struct x2x3_pdu *p)
{
	size_t n = 0;
	if (p->has & X2X3_HAS_SEQ)
		n += ATTR_HDR + 4;
	if (p->has & X2X3_HAS_TIMESTAMP)
		n += ATTR_HDR + 8;
	if (p->has & X2X3_HAS_SRC_IP)
		n += ATTR_HDR + p->ip_len;
	if (p->has & X2X3_HAS_DST_IP)
		n += ATTR_HDR + p->ip_len;
	if (p->has & X2X3_HAS_SRC_PORT)
		n += ATTR_HDR + 2;
	if (p->has & X2X3_HAS_DST_PORT)
		n += ATTR_HDR + 2;
	if (p->has & X2X3_HAS_IP_PROTO)
		n += ATTR_HDR + 1;
	if (p->has & X2X3_HAS_MATCHED_TARGET)
		n += ATTR_HDR + p->matched_target_len;
	return n;
}

/* Ascending type order; the IPv4 (10/11) and IPv6 (12/13) pairs are exclusive, so the
 * source address is written before the destination either way. */
static uint8_t *put_attrs(uint8_t *o, const struct x2x3_pdu *p)
{
	int v6 = p->ip_len == 16;
	if (p->has & X2X3_HAS_SEQ)
		o = put32(put_attr_hdr(o, X2X3_ATTR_SEQ, 4), p->seq);
	if (p->has & X2X3_HAS_TIMESTAMP)
		o = put32(put32(put_attr_hdr(o, X2X3_ATTR_TIMESTAMP, 8), p->ts_sec), p->ts_nsec);
	if (p->has & X2X3_HAS_SRC_IP)
		o = put_attr_bytes(o, v6 ? X2X3_ATTR_SRC_IPV6 : X2X3_ATTR_SRC_IPV4, p->src_ip,
				   p->ip_len);
	if (p->has & X2X3_HAS_DST_IP)
		o = put_attr_bytes(o, v6 ? X2X3_ATTR_DST_IPV6 : X2X3_ATTR_DST_IPV4, p->dst_ip,
				   p->ip_len);
	if (p->has & X2X3_HAS_SRC_PORT)
		o = put16(put_attr_hdr(o, X2X3_ATTR_SRC_PORT, 2), p->src_port);
	if (p->has & X2X3_HAS_DST_PORT)
		o = put16(put_attr_hdr(o, X2X3_ATTR_DST_PORT, 2), p->dst_port);
	if (p->has & X2X3_HAS_IP_PROTO) {
		o = put_attr_hdr(o, X2X3_ATTR_IP_PROTO, 1);
		*o++ = p->ip_proto;
	}
	if (p->has & X2X3_HAS_MATCHED_TARGET)
		o = put_attr_bytes(o, X2X3_ATTR_MATCHED_TARGET, p->matched_target,
				   p->matched_target_len);
	return o;
}

static uint8_t *put_fixed(uint8_t *o, const struct x2x3_pdu *p, uint32_t header_len)
{
	o = put16(o, X2X3_VERSION);
	o = put16(o, p->pdu_type);
	o = put32(o, header_len);
	o = put32(o, p->payload_len);
	o = put16(o, p->payload_format);
	o = put16(o, p->payload_dir);
	memcpy(o, p->xid, sizeof(p->xid));
	return put64(o + sizeof(p->xid), p->correlation_id);
}

/* The standard sets only version, type and header length, plus the sequence attribute; the
 * rest of p is deliberately ignored so a caller may reuse a data PDU's struct. */
static long encode_keepalive(const struct x2x3_pdu *p, uint8_t *out, size_t out_cap)
{
	const uint32_t len = X2X3_FIXED_HDR + ATTR_HDR + 4;
	if (!(p->has & X2X3_HAS_SEQ))
		return ETSI_E_INVAL;
	if (out_cap < len)
		return ETSI_E_NOSPACE;
	memset(out, 0, X2X3_FIXED_HDR);
	put32(put16(put16(out, X2X3_VERSION), p->pdu_type), len);
	put32(put_attr_hdr(out + X2X3_FIXED_HDR, X2X3_ATTR_SEQ, 4), p->seq);
	return (long)len;
}

long x2x3_encode(const struct x2x3_pdu *p, uint8_t *out, size_t out_cap)
{
	if (p == NULL || out == NULL || !type_ok(p->pdu_type))
		return ETSI_E_INVAL;
	if (is_keepalive(p->pdu_type))
		return encode_keepalive(p, out, out_cap);
	int err = check_fields(p);
	if (err)
		return err;
	size_t header_len = X2X3_FIXED_HDR + attrs_len(p);
	uint64_t total = (uint64_t)header_len + p->payload_len;
	if (total > X2X3_MAX_PDU)
		return ETSI_E_TOOBIG;
	if (total > out_cap)
		return ETSI_E_NOSPACE;
	uint8_t *o = put_attrs(put_fixed(out, p, (uint32_t)header_len), p);
	if (p->payload_len > 0)
		memcpy(o, p->payload, p->payload_len);
	return (long)total;
}

/* ---- framer ---- */

long x2x3_frame_len(const uint8_t *buf, size_t avail, size_t max_pdu)
{
	if (avail < FRAME_PREFIX)
		return 0;
	if (buf == NULL)
		return ETSI_E_INVAL;
	if (get16(buf) != X2X3_VERSION || !type_ok(get16(buf + 2)))
		return ETSI_E_TAG;
	uint32_t header_len = get32(buf + 4);
	uint64_t total = (uint64_t)header_len + get32(buf + 8);
	if (header_len < X2X3_FIXED_HDR || total > max_pdu || total > LONG_MAX)
		return ETSI_E_LENGTH;
	return (long)total;
}

/* ---- parser ---- */

/* Value size of each fixed-size attribute type the parser interprets (0: variable). */
static unsigned fixed_size(unsigned type)
{
	switch (type) {
	case X2X3_ATTR_SEQ:
	case X2X3_ATTR_SRC_IPV4:
	case X2X3_ATTR_DST_IPV4:
		return 4;
	case X2X3_ATTR_TIMESTAMP:
		return 8;
	case X2X3_ATTR_SRC_IPV6:
	case X2X3_ATTR_DST_IPV6:
		return 16;
	case X2X3_ATTR_SRC_PORT:
	case X2X3_ATTR_DST_PORT:
		return 2;
	case X2X3_ATTR_IP_PROTO:
		return 1;
	default:
		return 0;
	}
}

static int interpreted(unsigned type)
{
	return type >= X2X3_ATTR_SEQ && type <= X2X3_ATTR_MATCHED_TARGET;
}

static int is_ip(unsigned type)
{
	return type >= X2X3_ATTR_SRC_IPV4 && type <= X2X3_ATTR_DST_IPV6;
}

/* Rejects what the struct could not represent truthfully: a wrong size, a timestamp that is
 * not a time, or addresses of both IP versions (there is a single ip_len). */
static int check_attr(const struct x2x3_pdu *p, unsigned type, const uint8_t *v, unsigned len)
{
	unsigned want = fixed_size(type);
	if (want != 0 && len != want)
		return ETSI_E_ATTR;
	if (type == X2X3_ATTR_TIMESTAMP && get32(v + 4) >= NSEC_PER_SEC)
		return ETSI_E_ATTR;
	if (is_ip(type) && p->ip_len != 0 && p->ip_len != len)
		return ETSI_E_ATTR;
	return 0;
}

static void store_attr(struct x2x3_pdu *p, unsigned type, const uint8_t *v, unsigned len)
{
	switch (type) {
	case X2X3_ATTR_SEQ:
		p->has |= X2X3_HAS_SEQ;
		p->seq = get32(v);
		break;
	case X2X3_ATTR_TIMESTAMP:
		p->has |= X2X3_HAS_TIMESTAMP;
		p->ts_sec = get32(v);
		p->ts_nsec = get32(v + 4);
		break;
	case X2X3_ATTR_SRC_IPV4:
	case X2X3_ATTR_SRC_IPV6:
		p->has |= X2X3_HAS_SRC_IP;
		p->ip_len = (uint8_t)len;
		memcpy(p->src_ip, v, len);
		break;
	case X2X3_ATTR_DST_IPV4:
	case X2X3_ATTR_DST_IPV6:
		p->has |= X2X3_HAS_DST_IP;
		p->ip_len = (uint8_t)len;
		memcpy(p->dst_ip, v, len);
		break;
	case X2X3_ATTR_SRC_PORT:
		p->has |= X2X3_HAS_SRC_PORT;
		p->src_port = get16(v);
		break;
	case X2X3_ATTR_DST_PORT:
		p->has |= X2X3_HAS_DST_PORT;
		p->dst_port = get16(v);
		break;
	case X2X3_ATTR_IP_PROTO:
		p->has |= X2X3_HAS_IP_PROTO;
		p->ip_proto = v[0];
		break;
	default: /* X2X3_ATTR_MATCHED_TARGET */
		p->has |= X2X3_HAS_MATCHED_TARGET;
		p->matched_target = v;
		p->matched_target_len = (uint16_t)len;
		break;
	}
}

/* seen: bit t set once an attribute of interpreted type t has been stored. */
static int take_attr(struct x2x3_pdu *p, unsigned type, const uint8_t *v, unsigned len,
		     uint32_t *seen)
{
	if (!interpreted(type)) {
		p->unknown_attrs++;
		return 0;
	}
	int err = check_attr(p, type, v, len);
	if (err)
		return err;
	if (*seen & (UINT32_C(1) << type)) {
		p->repeated_attrs++;
		return 0;
	}
	*seen |= UINT32_C(1) << type;
	store_attr(p, type, v, len);
	return 0;
}

static int walk_attrs(const uint8_t *buf, uint32_t header_len, struct x2x3_pdu *p)
{
	uint32_t seen = 0;
	for (uint32_t off = X2X3_FIXED_HDR; off < header_len;) {
		if (header_len - off < ATTR_HDR)
			return ETSI_E_ATTR;
		unsigned type = get16(buf + off), len = get16(buf + off + 2);
		off += ATTR_HDR;
		if (len > header_len - off)
			return ETSI_E_ATTR;
		int err = take_attr(p, type, buf + off, len, &seen);
		if (err)
			return err;
		off += len;
	}
	return 0;
}

static int check_lengths(const uint8_t *buf, size_t len)
{
	uint32_t header_len = get32(buf + 4);
	if (header_len < X2X3_FIXED_HDR || header_len > len)
		return ETSI_E_LENGTH;
	if ((uint64_t)header_len + get32(buf + 8) != len)
		return ETSI_E_LENGTH;
	return 0;
}

int x2x3_parse(const uint8_t *buf, size_t len, struct x2x3_pdu *p)
{
	if (buf == NULL || p == NULL)
		return ETSI_E_INVAL;
	memset(p, 0, sizeof(*p));
	if (len < FRAME_PREFIX)
		return ETSI_E_LENGTH;
	if (get16(buf) != X2X3_VERSION || !type_ok(get16(buf + 2)))
		return ETSI_E_TAG;
	int err = check_lengths(buf, len);
	if (err)
		return err;
	p->pdu_type = get16(buf + 2);
	p->header_len = get32(buf + 4);
	p->payload_len = get32(buf + 8);
	p->payload_format = get16(buf + 12);
	p->payload_dir = get16(buf + 14);
	if (p->payload_dir > X2X3_DIR_NOT_APPLICABLE)
		return ETSI_E_INVAL;
	if (is_keepalive(p->pdu_type) && p->payload_len != 0)
		return ETSI_E_INVAL;
	memcpy(p->xid, buf + 16, sizeof(p->xid));
	p->correlation_id = get64(buf + 32);
	p->payload = buf + p->header_len;
	return walk_attrs(buf, p->header_len, p);
}
