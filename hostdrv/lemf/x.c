/* X2/X3 PDUs (TS 103 221-2): parsed, recorded in the sink, keepalives acknowledged. An X2
 * PDU whose payload is a TS 102 232-1 PS-PDU is decoded as one. */
#include "lemf.h"

#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <string.h>

#include "x2x3.h"

#define JSON_MAX 4096

static void uuid_text(char out[37], const uint8_t x[16])
{
	static const char hexd[] = "0123456789abcdef";
	size_t o = 0;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hexd[x[i] >> 4];
		out[o++] = hexd[x[i] & 15];
	}
	out[o] = '\0';
}

static const char *kind_name(unsigned pdu_type)
{
	switch (pdu_type) {
	case X2X3_PDU_X2:
		return "X2";
	case X2X3_PDU_X3:
		return "X3";
	case X2X3_PDU_KEEPALIVE:
		return "X-keepalive";
	default:
		return "X-keepalive-ack";
	}
}

static void record_seq(const struct lemf_conn *c, const struct x2x3_pdu *p, const char *xid)
{
	uint8_t key[1 + 16 + 8];
	char desc[160];
	key[0] = (uint8_t)p->pdu_type;
	memcpy(key + 1, p->xid, 16);
	memcpy(key + 17, &p->correlation_id, 8);
	desc[0] = '\0';
	lemf_jcat(desc, sizeof(desc), "{\"type\":\"%s\",\"xid\":\"%s\",\"correlation_id\":%llu}",
		  kind_name(p->pdu_type), xid, (unsigned long long)p->correlation_id);
	lemf_sink_seq(c, key, p->pdu_type == X2X3_PDU_KEEPALIVE ? 1 : sizeof(key), desc, p->seq);
}

static void addr_json(char *j, const char *field, const uint8_t *a, unsigned len)
{
	char t[INET6_ADDRSTRLEN];
	inet_ntop(len == 4 ? AF_INET : AF_INET6, a, t, sizeof(t));
	lemf_jcat(j, JSON_MAX, ",\"%s\":\"%s\"", field, t);
}

static void answer_keepalive(struct lemf_conn *c, uint32_t seq)
{
	struct x2x3_pdu ack = {0};
	uint8_t out[X2X3_FIXED_HDR + 16];
	ack.pdu_type = X2X3_PDU_KEEPALIVE_ACK;
	ack.has = X2X3_HAS_SEQ;
	ack.seq = seq;
	long n = x2x3_encode(&ack, out, sizeof(out));
	if (n > 0 && c->reply) {
		if (c->reply(c, out, (size_t)n) == 0)
			lemf_sink_count(LEMF_N_REPLIES, 1);
		else
			fprintf(stderr, "clif-lemf: connection %u: could not send a keepalive acknowledgement\n",
				c->id);
	}
}

int lemf_x_pdu(struct lemf_conn *c, const uint8_t *pdu, size_t len, uint64_t offset)
{
	struct x2x3_pdu p;
	char j[JSON_MAX] = "", xid[37];
	int rc = x2x3_parse(pdu, len, &p);
	if (rc != 0) {
		lemf_jcat(j, JSON_MAX, "\"offset\":%llu,\"event\":\"undecodable\",\"length\":%zu,\"reason\":\"%s\"",
			  (unsigned long long)offset, len, etsi_strerror(rc));
		lemf_sink_event(c, j);
		return rc;
	}
	uuid_text(xid, p.xid);
	if (p.pdu_type == X2X3_PDU_KEEPALIVE || p.pdu_type == X2X3_PDU_KEEPALIVE_ACK) {
		lemf_sink_count(LEMF_N_XKEEP, 1);
		lemf_jcat(j, JSON_MAX, "\"offset\":%llu,\"pdu\":\"%s\"", (unsigned long long)offset,
			  kind_name(p.pdu_type));
		if (p.has & X2X3_HAS_SEQ)
			lemf_jcat(j, JSON_MAX, ",\"seq\":%u", p.seq);
		lemf_sink_event(c, j);
		if (p.pdu_type == X2X3_PDU_KEEPALIVE && (p.has & X2X3_HAS_SEQ)) {
			record_seq(c, &p, xid);
			answer_keepalive(c, p.seq);
		}
		return 0;
	}

	lemf_sink_count(p.pdu_type == X2X3_PDU_X2 ? LEMF_N_X2 : LEMF_N_X3, 1);
	lemf_jcat(j, JSON_MAX,
		  "\"offset\":%llu,\"pdu\":\"%s\",\"xid\":\"%s\",\"correlation_id\":%llu,\"format\":%u,"
		  "\"direction\":%u,\"length\":%u",
		  (unsigned long long)offset, kind_name(p.pdu_type), xid, (unsigned long long)p.correlation_id,
		  p.payload_format, p.payload_dir, p.payload_len);
	uint64_t ts_ns = 0;
	if (p.has & X2X3_HAS_SEQ)
		lemf_jcat(j, JSON_MAX, ",\"seq\":%u", p.seq);
	if (p.has & X2X3_HAS_TIMESTAMP) {
		ts_ns = (uint64_t)p.ts_sec * 1000000000u + p.ts_nsec;
		lemf_jcat(j, JSON_MAX, ",\"time\":");
		lemf_jtime(j, JSON_MAX, ts_ns);
	}
	if (p.has & X2X3_HAS_SRC_IP)
		addr_json(j, "src", p.src_ip, p.ip_len);
	if (p.has & X2X3_HAS_DST_IP)
		addr_json(j, "dst", p.dst_ip, p.ip_len);
	if (p.has & X2X3_HAS_SRC_PORT)
		lemf_jcat(j, JSON_MAX, ",\"sport\":%u", p.src_port);
	if (p.has & X2X3_HAS_DST_PORT)
		lemf_jcat(j, JSON_MAX, ",\"dport\":%u", p.dst_port);
	if (p.has & X2X3_HAS_IP_PROTO)
		lemf_jcat(j, JSON_MAX, ",\"ip_proto\":%u", p.ip_proto);
	if (p.has & X2X3_HAS_MATCHED_TARGET) {
		lemf_jcat(j, JSON_MAX, ",\"matched_target\":");
		lemf_jstr(j, JSON_MAX, p.matched_target, p.matched_target_len);
	}
	if (p.unknown_attrs || p.repeated_attrs)
		lemf_jcat(j, JSON_MAX, ",\"unknown_attributes\":%u,\"repeated_attributes\":%u", p.unknown_attrs,
			  p.repeated_attrs);
	lemf_sink_event(c, j);
	if (p.has & X2X3_HAS_SEQ)
		record_seq(c, &p, xid);

	char key[48];
	snprintf(key, sizeof(key), "x3-%s", xid);
	if (p.pdu_type == X2X3_PDU_X3 &&
	    (p.payload_format == X2X3_FMT_IPV4 || p.payload_format == X2X3_FMT_IPV6))
		lemf_sink_packet(key, DLT_RAW, ts_ns, p.payload, p.payload_len);
	else if (p.pdu_type == X2X3_PDU_X3 && p.payload_format == X2X3_FMT_ETHERNET)
		lemf_sink_packet(key, DLT_EN10MB, ts_ns, p.payload, p.payload_len);
	else if (p.payload_format == X2X3_FMT_ETSI_102232 && p.payload_len > 0 &&
		 lemf_hi_pdu(c, p.payload, p.payload_len, offset + p.header_len) != 0) {
		/* the X2/X3 PDU itself was fine: the stream stays in step, but the content is lost */
		lemf_sink_count(LEMF_N_UNDECODABLE, 1);
		if (lemf_opts.strict)
			c->failed = 1;
	}
	return 0;
}
