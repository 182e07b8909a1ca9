/* x2x3 (hostdrv/etsi, issue 5): X2/X3 PDUs of TS 103 221-2 (header version 5).
 * Every subset of the optional attributes, with both IP versions, four payload lengths and
 * eight type/format pairs, is encoded, framed, parsed back and compared field by field; two
 * golden PDUs worked out by hand are checked byte for byte; each malformed input and each
 * encoder error has its own small check with the exact error code. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "x2x3.h"

static int failures;
static long checks;
static long round_trips;
static char where[160] = "";

#define CHECK(cond)                                                                           \
	do {                                                                                  \
		checks++;                                                                     \
		if (!(cond)) {                                                                \
			if (failures++ < 30)                                                  \
				fprintf(stderr, "x2x3: %s:%d: check failed: %s (%s)\n",       \
					__FILE__, __LINE__, #cond, where);                    \
		}                                                                             \
	} while (0)

#define NSEC 1000000000u

static uint8_t out[X2X3_MAX_PDU + 64];
static uint8_t big_payload[X2X3_MAX_PDU];
static uint8_t target_text[X2X3_MAX_TARGET_ATTR + 1];
static uint8_t buf[4096];

/* Test-side big-endian helpers, written independently of the library's. */
static uint32_t be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static void set16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static void set32(uint8_t *b, uint32_t v)
{
	set16(b, (uint16_t)(v >> 16));
	set16(b + 2, (uint16_t)v);
}

static int all_zero(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

/* Reports only the offset of the first difference: the bytes may hold an XID or a target. */
static int same_bytes(const uint8_t *a, long n, const uint8_t *b, size_t m)
{
	if (n < 0 || (size_t)n != m) {
		fprintf(stderr, "x2x3: length %ld, expected %zu\n", n, m);
		return 0;
	}
	for (size_t i = 0; i < m; i++)
		if (a[i] != b[i]) {
			fprintf(stderr, "x2x3: first difference at offset %zu\n", i);
			return 0;
		}
	return 1;
}

/* ---- golden PDUs, worked out by hand from TS 103 221-2 §5 ---- */

static const char GOLDEN_TARGET[] = "<ipv4Address>192.0.2.1</ipv4Address>";

static const uint8_t GOLDEN_X3[] = {
	0x00, 0x05,             /* version 5 */
	0x00, 0x02,             /* PDU type 2: X3 */
	0x00, 0x00, 0x00, 0x85, /* header length 133 = 40 fixed + 93 of attributes */
	0x00, 0x00, 0x00, 0x04, /* payload length 4 */
	0x00, 0x05,             /* payload format 5: IPv4 */
	0x00, 0x03,             /* payload direction 3: from target */
	/* XID 00112233-4455-6677-8899-aabbccddeeff */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
	0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
	/* correlation ID 0x0102030405060708 */
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	/* @40: type 8 sequence number, length 4, value 42 */
	0x00, 0x08, 0x00, 0x04, 0x00, 0x00, 0x00, 0x2a,
	/* @48: type 9 timestamp, length 8: 1700000000 s = 0x6553f100, 123456789 ns = 0x075bcd15 */
	0x00, 0x09, 0x00, 0x08, 0x65, 0x53, 0xf1, 0x00, 0x07, 0x5b, 0xcd, 0x15,
	/* @60: type 10 source IPv4, length 4: 192.0.2.1 */
	0x00, 0x0a, 0x00, 0x04, 0xc0, 0x00, 0x02, 0x01,
	/* @68: type 11 destination IPv4, length 4: 198.51.100.7 */
	0x00, 0x0b, 0x00, 0x04, 0xc6, 0x33, 0x64, 0x07,
	/* @76: type 14 source port, length 2: 54321 = 0xd431 */
	0x00, 0x0e, 0x00, 0x02, 0xd4, 0x31,
	/* @82: type 15 destination port, length 2: 443 = 0x01bb */
	0x00, 0x0f, 0x00, 0x02, 0x01, 0xbb,
	/* @88: type 16 IP protocol, length 1: 6 (TCP) */
	0x00, 0x10, 0x00, 0x01, 0x06,
	/* @93: type 17 matched target, length 36 = 13 + 9 + 14 */
	0x00, 0x11, 0x00, 0x24,
	/* @97: "<ipv4Address>" */
	0x3c, 0x69, 0x70, 0x76, 0x34, 0x41, 0x64, 0x64, 0x72, 0x65, 0x73, 0x73, 0x3e,
	/* "192.0.2.1" */
	0x31, 0x39, 0x32, 0x2e, 0x30, 0x2e, 0x32, 0x2e, 0x31,
	/* "</ipv4Address>" */
	0x3c, 0x2f, 0x69, 0x70, 0x76, 0x34, 0x41, 0x64, 0x64, 0x72, 0x65, 0x73, 0x73, 0x3e,
	/* @133: payload */
	0xde, 0xad, 0xbe, 0xef,
};
_Static_assert(sizeof(GOLDEN_X3) == 137, "40 + 93 + 4");

static const uint8_t GOLDEN_KEEPALIVE[] = {
	0x00, 0x05,             /* version 5 */
	0x00, 0x03,             /* PDU type 3: keepalive */
	0x00, 0x00, 0x00, 0x30, /* header length 48 = 40 fixed + 8 */
	0x00, 0x00, 0x00, 0x00, /* payload length 0 */
	0x00, 0x00,             /* payload format 0: keepalive */
	0x00, 0x00,             /* payload direction 0: keepalive */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* XID 0 */
	0, 0, 0, 0, 0, 0, 0, 0, /* correlation ID 0 */
	/* @40: type 8 sequence number, length 4, value 7 */
	0x00, 0x08, 0x00, 0x04, 0x00, 0x00, 0x00, 0x07,
};
_Static_assert(sizeof(GOLDEN_KEEPALIVE) == 48, "40 + 8");

static const uint8_t GOLDEN_PAYLOAD[] = {0xde, 0xad, 0xbe, 0xef};

static void golden_x3_pdu(struct x2x3_pdu *q)
{
	static const uint8_t xid[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
					0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
	memset(q, 0, sizeof(*q));
	q->pdu_type = X2X3_PDU_X3;
	q->payload_format = X2X3_FMT_IPV4;
	q->payload_dir = X2X3_DIR_FROM_TARGET;
	memcpy(q->xid, xid, sizeof(xid));
	q->correlation_id = 0x0102030405060708u;
	q->has = 0xff;
	q->seq = 42;
	q->ts_sec = 1700000000u;
	q->ts_nsec = 123456789u;
	q->ip_len = 4;
	memcpy(q->src_ip, (const uint8_t[]){192, 0, 2, 1}, 4);
	memcpy(q->dst_ip, (const uint8_t[]){198, 51, 100, 7}, 4);
	q->src_port = 54321;
	q->dst_port = 443;
	q->ip_proto = 6;
	q->matched_target = (const uint8_t *)GOLDEN_TARGET;
	q->matched_target_len = (uint16_t)strlen(GOLDEN_TARGET);
	q->payload = GOLDEN_PAYLOAD;
	q->payload_len = sizeof(GOLDEN_PAYLOAD);
}

static void golden(void)
{
	struct x2x3_pdu q, r;
	snprintf(where, sizeof(where), "golden X3");
	golden_x3_pdu(&q);
	long n = x2x3_encode(&q, out, sizeof(out));
	CHECK(same_bytes(out, n, GOLDEN_X3, sizeof(GOLDEN_X3)));
	CHECK(x2x3_frame_len(GOLDEN_X3, 12, X2X3_MAX_PDU) == 137);
	CHECK(x2x3_parse(GOLDEN_X3, sizeof(GOLDEN_X3), &r) == 0);
	CHECK(r.pdu_type == 2 && r.payload_format == 5 && r.payload_dir == 3);
	CHECK(memcmp(r.xid, q.xid, 16) == 0);
	CHECK(r.correlation_id == 0x0102030405060708u);
	CHECK(r.has == 0xff);
	CHECK(r.seq == 42);
	CHECK(r.ts_sec == 1700000000u && r.ts_nsec == 123456789u);
	CHECK(r.ip_len == 4);
	CHECK(memcmp(r.src_ip, (const uint8_t[16]){192, 0, 2, 1}, 16) == 0);
	CHECK(memcmp(r.dst_ip, (const uint8_t[16]){198, 51, 100, 7}, 16) == 0);
	CHECK(r.src_port == 54321 && r.dst_port == 443 && r.ip_proto == 6);
	CHECK(r.matched_target == GOLDEN_X3 + 97 && r.matched_target_len == 36);
	CHECK(memcmp(r.matched_target, GOLDEN_TARGET, 36) == 0);
	CHECK(r.payload == GOLDEN_X3 + 133 && r.payload_len == 4);
	CHECK(r.header_len == 133 && r.unknown_attrs == 0 && r.repeated_attrs == 0);

	snprintf(where, sizeof(where), "golden keepalive");
	memset(&q, 0, sizeof(q));
	q.pdu_type = X2X3_PDU_KEEPALIVE;
	q.has = X2X3_HAS_SEQ;
	q.seq = 7;
	n = x2x3_encode(&q, out, sizeof(out));
	CHECK(same_bytes(out, n, GOLDEN_KEEPALIVE, sizeof(GOLDEN_KEEPALIVE)));
	CHECK(x2x3_frame_len(GOLDEN_KEEPALIVE, 12, X2X3_MAX_PDU) == 48);
	CHECK(x2x3_parse(GOLDEN_KEEPALIVE, sizeof(GOLDEN_KEEPALIVE), &r) == 0);
	CHECK(r.pdu_type == 3 && r.payload_format == 0 && r.payload_dir == 0);
	CHECK(all_zero(r.xid, 16) && r.correlation_id == 0);
	CHECK(r.has == X2X3_HAS_SEQ && r.seq == 7);
	CHECK(r.header_len == 48 && r.payload_len == 0 && r.payload == GOLDEN_KEEPALIVE + 48);
	CHECK(r.unknown_attrs == 0 && r.repeated_attrs == 0);
}

/* ---- round trip over every attribute subset ---- */

static void fill(struct x2x3_pdu *q, unsigned has, unsigned ip_len, uint32_t plen, uint16_t type,
		 uint16_t fmt, unsigned i)
{
	static const uint16_t target_lens[] = {1, 36, X2X3_MAX_TARGET_ATTR};
	memset(q, 0, sizeof(*q));
	q->pdu_type = type;
	q->payload_format = fmt;
	q->payload_dir = (uint16_t)(i % 6);
	for (unsigned k = 0; k < 16; k++)
		q->xid[k] = (uint8_t)(i * 31 + k * 17 + 1);
	q->correlation_id = (uint64_t)i * UINT64_C(0x9e3779b97f4a7c15);
	q->has = has;
	/* Every field is filled even when its flag is clear: the encoder must not send it. */
	q->seq = i % 3 == 0 ? UINT32_MAX : i * 2654435761u;
	q->ts_sec = i % 4 == 0 ? UINT32_MAX : 1700000000u + i;
	q->ts_nsec = i % 5 == 0 ? NSEC - 1 : (i * 7919u) % NSEC;
	/* Without an address ip_len is ignored, so an invalid value must not matter. */
	q->ip_len = (uint8_t)((has & (X2X3_HAS_SRC_IP | X2X3_HAS_DST_IP)) ? ip_len : 7);
	for (unsigned k = 0; k < 16; k++) {
		q->src_ip[k] = (uint8_t)(0xa0 + k + i);
		q->dst_ip[k] = (uint8_t)(0x50 + 3 * k + i);
	}
	q->src_port = (uint16_t)(i % 4 == 1 ? 0xffff : i * 13);
	q->dst_port = (uint16_t)(i % 4 == 2 ? 0 : i * 7 + 1);
	q->ip_proto = (uint8_t)(i * 5);
	q->matched_target = target_text;
	q->matched_target_len = target_lens[i % 3];
	q->payload = plen == 0 && i % 2 ? NULL : big_payload + (i % 7);
	q->payload_len = plen;
}

/* Header length worked out from the flags alone, independently of the encoder. */
static uint32_t expected_header_len(const struct x2x3_pdu *q)
{
	uint32_t n = 40;
	n += q->has & X2X3_HAS_SEQ ? 8 : 0;
	n += q->has & X2X3_HAS_TIMESTAMP ? 12 : 0;
	n += q->has & X2X3_HAS_SRC_IP ? 4u + q->ip_len : 0;
	n += q->has & X2X3_HAS_DST_IP ? 4u + q->ip_len : 0;
	n += q->has & X2X3_HAS_SRC_PORT ? 6 : 0;
	n += q->has & X2X3_HAS_DST_PORT ? 6 : 0;
	n += q->has & X2X3_HAS_IP_PROTO ? 5 : 0;
	n += q->has & X2X3_HAS_MATCHED_TARGET ? 4u + q->matched_target_len : 0;
	return n;
}

static void check_ip(const uint8_t *got, const uint8_t *want, int present, unsigned ip_len)
{
	if (present) {
		CHECK(memcmp(got, want, ip_len) == 0);
		CHECK(all_zero(got + ip_len, 16 - ip_len));
	} else {
		CHECK(all_zero(got, 16));
	}
}

static void compare(const struct x2x3_pdu *q, const struct x2x3_pdu *r, const uint8_t *pdu)
{
	unsigned h = q->has;
	int ip = (h & (X2X3_HAS_SRC_IP | X2X3_HAS_DST_IP)) != 0;
	CHECK(r->pdu_type == q->pdu_type);
	CHECK(r->payload_format == q->payload_format);
	CHECK(r->payload_dir == q->payload_dir);
	CHECK(memcmp(r->xid, q->xid, 16) == 0);
	CHECK(r->correlation_id == q->correlation_id);
	CHECK(r->has == h);
	CHECK(r->seq == (h & X2X3_HAS_SEQ ? q->seq : 0));
	CHECK(r->ts_sec == (h & X2X3_HAS_TIMESTAMP ? q->ts_sec : 0));
	CHECK(r->ts_nsec == (h & X2X3_HAS_TIMESTAMP ? q->ts_nsec : 0));
	CHECK(r->ip_len == (ip ? q->ip_len : 0));
	check_ip(r->src_ip, q->src_ip, (h & X2X3_HAS_SRC_IP) != 0, q->ip_len);
	check_ip(r->dst_ip, q->dst_ip, (h & X2X3_HAS_DST_IP) != 0, q->ip_len);
	CHECK(r->src_port == (h & X2X3_HAS_SRC_PORT ? q->src_port : 0));
	CHECK(r->dst_port == (h & X2X3_HAS_DST_PORT ? q->dst_port : 0));
	CHECK(r->ip_proto == (h & X2X3_HAS_IP_PROTO ? q->ip_proto : 0));
	if (h & X2X3_HAS_MATCHED_TARGET) {
		/* The encoder writes the target last, right before the payload. */
		CHECK(r->matched_target == pdu + r->header_len - q->matched_target_len);
		CHECK(r->matched_target_len == q->matched_target_len);
		CHECK(memcmp(r->matched_target, q->matched_target, q->matched_target_len) == 0);
	} else {
		CHECK(r->matched_target == NULL && r->matched_target_len == 0);
	}
	CHECK(r->header_len == expected_header_len(q));
	CHECK(r->header_len <= X2X3_MAX_HDR);
	CHECK(r->payload == pdu + r->header_len);
	CHECK(r->payload_len == q->payload_len);
	CHECK(q->payload_len == 0 || memcmp(r->payload, q->payload, q->payload_len) == 0);
	CHECK(r->unknown_attrs == 0 && r->repeated_attrs == 0);
}

static void round_trip(const struct x2x3_pdu *q)
{
	struct x2x3_pdu r;
	long n = x2x3_encode(q, out, sizeof(out));
	uint32_t hl = expected_header_len(q);
	CHECK(n == (long)(hl + q->payload_len));
	if (n <= 0)
		return;
	/* The fixed header, read back without the parser. */
	CHECK(out[0] == 0 && out[1] == 5 && out[2] == 0 && out[3] == q->pdu_type);
	CHECK(be32(out + 4) == hl && be32(out + 8) == q->payload_len);
	CHECK(x2x3_frame_len(out, 12, X2X3_MAX_PDU) == n);
	CHECK(x2x3_frame_len(out, (size_t)n, X2X3_MAX_PDU) == n);
	CHECK(x2x3_parse(out, (size_t)n, &r) == 0);
	compare(q, &r, out);
	round_trips++;
}

static void matrix(void)
{
	static const uint32_t plens[] = {0, 1, 1500, 65535};
	static const uint16_t fmts[] = {X2X3_FMT_ETSI_102232, X2X3_FMT_IPV4, X2X3_FMT_IPV6,
					X2X3_FMT_ETHERNET};
	static const uint16_t types[] = {X2X3_PDU_X2, X2X3_PDU_X3};
	unsigned i = 0;
	for (unsigned has = 0; has < 256; has++)
		for (unsigned v = 0; v < 2; v++)
			for (unsigned p = 0; p < 4; p++)
				for (unsigned t = 0; t < 2; t++)
					for (unsigned f = 0; f < 4; f++, i++) {
						struct x2x3_pdu q;
						unsigned ipl = v ? 16 : 4;
						fill(&q, has, ipl, plens[p], types[t], fmts[f], i);
						snprintf(where, sizeof(where),
							 "has 0x%02x ip %u plen %u type %u fmt %u",
							 has, ipl, (unsigned)plens[p],
							 (unsigned)types[t], (unsigned)fmts[f]);
						round_trip(&q);
					}
}

/* ---- keepalives ---- */

static void keepalive_one(uint16_t type, uint32_t seq)
{
	struct x2x3_pdu q, junk, r;
	uint8_t clean[64];
	snprintf(where, sizeof(where), "keepalive type %u seq %u", (unsigned)type, (unsigned)seq);
	memset(&q, 0, sizeof(q));
	q.pdu_type = type;
	q.has = X2X3_HAS_SEQ;
	q.seq = seq;
	long n = x2x3_encode(&q, clean, sizeof(clean));
	CHECK(n == 48);
	CHECK(clean[3] == type && be32(clean + 4) == 48 && be32(clean + 44) == seq);
	CHECK(x2x3_frame_len(clean, 48, 48) == 48);
	CHECK(x2x3_parse(clean, 48, &r) == 0);
	CHECK(r.pdu_type == type && r.payload_format == 0 && r.payload_dir == 0);
	CHECK(all_zero(r.xid, 16) && r.correlation_id == 0);
	CHECK(r.has == X2X3_HAS_SEQ && r.seq == seq);
	CHECK(r.header_len == 48 && r.payload_len == 0);
	round_trips++;

	/* A data PDU's struct turned into a keepalive: everything but type and seq ignored. */
	golden_x3_pdu(&junk);
	junk.pdu_type = type;
	junk.seq = seq;
	CHECK(same_bytes(out, x2x3_encode(&junk, out, sizeof(out)), clean, 48));
	/* Even fields the encoder would refuse in a data PDU. */
	junk.payload_format = 99;
	junk.payload_dir = 9;
	junk.ip_len = 5;
	junk.ts_nsec = 2 * NSEC;
	junk.matched_target_len = 1000;
	junk.payload = NULL;
	junk.payload_len = UINT32_MAX;
	CHECK(same_bytes(out, x2x3_encode(&junk, out, sizeof(out)), clean, 48));
}

static void keepalives(void)
{
	keepalive_one(X2X3_PDU_KEEPALIVE, 0);
	keepalive_one(X2X3_PDU_KEEPALIVE, 7);
	keepalive_one(X2X3_PDU_KEEPALIVE, UINT32_MAX);
	keepalive_one(X2X3_PDU_KEEPALIVE_ACK, 0);
	keepalive_one(X2X3_PDU_KEEPALIVE_ACK, 7);
	keepalive_one(X2X3_PDU_KEEPALIVE_ACK, UINT32_MAX);
}

/* ---- malformed input ---- */

/* A valid X2 PDU (format 5, direction 2, XID/CID 0) with these attribute bytes and plen
 * payload bytes of 0x5a, built by hand. Returns its length. */
static size_t build(const uint8_t *attrs, size_t alen, uint32_t plen)
{
	memset(buf, 0, 40);
	set16(buf, 5);
	set16(buf + 2, X2X3_PDU_X2);
	set32(buf + 4, (uint32_t)(40 + alen));
	set32(buf + 8, plen);
	set16(buf + 12, X2X3_FMT_IPV4);
	set16(buf + 14, X2X3_DIR_TO_TARGET);
	memcpy(buf + 40, attrs, alen);
	memset(buf + 40 + alen, 0x5a, plen);
	return 40 + alen + plen;
}

/* The golden X3 PDU with one 16- or 32-bit field at off replaced. */
static const uint8_t *golden_with(size_t off, uint32_t v, int wide)
{
	memcpy(buf, GOLDEN_X3, sizeof(GOLDEN_X3));
	if (wide)
		set32(buf + off, v);
	else
		set16(buf + off, (uint16_t)v);
	return buf;
}

static int parse_golden_with(size_t off, uint32_t v, int wide)
{
	struct x2x3_pdu r;
	return x2x3_parse(golden_with(off, v, wide), sizeof(GOLDEN_X3), &r);
}

static long frame_golden_with(size_t off, uint32_t v, int wide)
{
	return x2x3_frame_len(golden_with(off, v, wide), sizeof(GOLDEN_X3), X2X3_MAX_PDU);
}

static int parse_attrs(const uint8_t *attrs, size_t alen, struct x2x3_pdu *r)
{
	size_t n = build(attrs, alen, 3);
	return x2x3_parse(buf, n, r);
}

static void malformed_header(void)
{
	struct x2x3_pdu r;
	snprintf(where, sizeof(where), "malformed header");
	/* fewer than 12 bytes */
	CHECK(x2x3_frame_len(GOLDEN_X3, 11, X2X3_MAX_PDU) == 0);
	CHECK(x2x3_frame_len(GOLDEN_X3, 0, X2X3_MAX_PDU) == 0);
	CHECK(x2x3_parse(GOLDEN_X3, 11, &r) == ETSI_E_LENGTH);
	/* version 4 and 6 */
	CHECK(frame_golden_with(0, 4, 0) == ETSI_E_TAG);
	CHECK(parse_golden_with(0, 4, 0) == ETSI_E_TAG);
	CHECK(frame_golden_with(0, 6, 0) == ETSI_E_TAG);
	CHECK(parse_golden_with(0, 6, 0) == ETSI_E_TAG);
	/* pdu type 0 and 5 */
	CHECK(frame_golden_with(2, 0, 0) == ETSI_E_TAG);
	CHECK(parse_golden_with(2, 0, 0) == ETSI_E_TAG);
	CHECK(frame_golden_with(2, 5, 0) == ETSI_E_TAG);
	CHECK(parse_golden_with(2, 5, 0) == ETSI_E_TAG);
	/* header length 39 */
	CHECK(frame_golden_with(4, 39, 1) == ETSI_E_LENGTH);
	CHECK(parse_golden_with(4, 39, 1) == ETSI_E_LENGTH);
	/* header length beyond len (137) */
	CHECK(parse_golden_with(4, 138, 1) == ETSI_E_LENGTH);
	CHECK(parse_golden_with(4, UINT32_MAX, 1) == ETSI_E_LENGTH);
	/* header + payload over max_pdu */
	CHECK(x2x3_frame_len(GOLDEN_X3, 137, 136) == ETSI_E_LENGTH);
	CHECK(x2x3_frame_len(GOLDEN_X3, 137, 137) == 137);
	CHECK(frame_golden_with(8, UINT32_MAX, 1) == ETSI_E_LENGTH);
	/* payload length disagreeing with len */
	CHECK(parse_golden_with(8, 5, 1) == ETSI_E_LENGTH);
	CHECK(parse_golden_with(8, 3, 1) == ETSI_E_LENGTH);
	CHECK(x2x3_parse(GOLDEN_X3, 136, &r) == ETSI_E_LENGTH);
	/* direction 6 (5 is the last defined) */
	CHECK(parse_golden_with(14, 6, 0) == ETSI_E_INVAL);
	CHECK(parse_golden_with(14, 5, 0) == 0);
	/* keepalive carrying a payload */
	memcpy(buf, GOLDEN_KEEPALIVE, 48);
	set32(buf + 8, 1);
	buf[48] = 0;
	CHECK(x2x3_parse(buf, 49, &r) == ETSI_E_INVAL);
	/* NULL arguments */
	CHECK(x2x3_parse(NULL, 137, &r) == ETSI_E_INVAL);
	CHECK(x2x3_parse(GOLDEN_X3, 137, NULL) == ETSI_E_INVAL);
}

static void malformed_attrs(void)
{
	struct x2x3_pdu r;
	snprintf(where, sizeof(where), "malformed attributes");
	/* attribute header cut: 2 bytes left after a good sequence attribute (an unknown type,
	 * so only the cut itself can make it fail) */
	static const uint8_t cut[] = {0, 8, 0, 4, 0, 0, 0, 1, 0, 99};
	CHECK(parse_attrs(cut, sizeof(cut), &r) == ETSI_E_ATTR);
	/* value overrunning the header by one byte, then the same fitting exactly */
	static const uint8_t over[] = {0, 17, 0, 5, 'a', 'b', 'c', 'd'};
	CHECK(parse_attrs(over, sizeof(over), &r) == ETSI_E_ATTR);
	static const uint8_t fits[] = {0, 17, 0, 4, 'a', 'b', 'c', 'd'};
	CHECK(parse_attrs(fits, sizeof(fits), &r) == 0);
	CHECK(r.matched_target == buf + 44 && r.matched_target_len == 4 && r.payload_len == 3);
	/* timestamp nanoseconds 10^9 = 0x3b9aca00, and 10^9 - 1 accepted */
	static const uint8_t ts_bad[] = {0, 9, 0, 8, 0, 0, 0, 1, 0x3b, 0x9a, 0xca, 0x00};
	CHECK(parse_attrs(ts_bad, sizeof(ts_bad), &r) == ETSI_E_ATTR);
	static const uint8_t ts_max[] = {0, 9, 0, 8, 0, 0, 0, 1, 0x3b, 0x9a, 0xc9, 0xff};
	CHECK(parse_attrs(ts_max, sizeof(ts_max), &r) == 0);
	CHECK(r.ts_sec == 1 && r.ts_nsec == NSEC - 1);
	/* mixed IP versions, either way round */
	static const uint8_t mixed46[] = {0, 10, 0, 4, 10, 0, 0, 1,
					  0, 13, 0, 16, 0x20, 1, 0xd, 0xb8, 0, 0, 0, 0,
					  0, 0, 0, 0, 0, 0, 0, 1};
	CHECK(parse_attrs(mixed46, sizeof(mixed46), &r) == ETSI_E_ATTR);
	static const uint8_t mixed64[] = {0, 12, 0, 16, 0x20, 1, 0xd, 0xb8, 0, 0, 0, 0,
					  0, 0, 0, 0, 0, 0, 0, 1,
					  0, 11, 0, 4, 10, 0, 0, 1};
	CHECK(parse_attrs(mixed64, sizeof(mixed64), &r) == ETSI_E_ATTR);
	/* repeated sequence number: the first wins */
	static const uint8_t rep[] = {0, 8, 0, 4, 0, 0, 0, 1, 0, 8, 0, 4, 0, 0, 0, 2};
	CHECK(parse_attrs(rep, sizeof(rep), &r) == 0);
	CHECK(r.has == X2X3_HAS_SEQ && r.seq == 1 && r.repeated_attrs == 1);
	CHECK(r.unknown_attrs == 0);
	/* a second matched target counts as a repeat; the first is kept */
	static const uint8_t rep17[] = {0, 17, 0, 1, 'x', 0, 17, 0, 1, 'y'};
	CHECK(parse_attrs(rep17, sizeof(rep17), &r) == 0);
	CHECK(r.matched_target == buf + 44 && r.matched_target_len == 1 && r.repeated_attrs == 1);
	/* unknown type 99 skipped */
	static const uint8_t unk[] = {0, 99, 0, 3, 1, 2, 3, 0, 8, 0, 4, 0, 0, 0, 9};
	CHECK(parse_attrs(unk, sizeof(unk), &r) == 0);
	CHECK(r.unknown_attrs == 1 && r.repeated_attrs == 0);
	CHECK(r.has == X2X3_HAS_SEQ && r.seq == 9);
	/* defined but uninterpreted types are skipped the same way */
	static const uint8_t nfid[] = {0, 6, 0, 2, 'n', 'f', 0, 21, 0, 0};
	CHECK(parse_attrs(nfid, sizeof(nfid), &r) == 0);
	CHECK(r.unknown_attrs == 2 && r.has == 0);
}

/* Each fixed-size type one byte short and one byte long. */
static void wrong_sizes(void)
{
	static const struct {
		uint8_t type, size;
	} fixed[] = {{8, 4}, {9, 8}, {10, 4}, {11, 4}, {12, 16}, {13, 16}, {14, 2}, {15, 2}, {16, 1}};
	struct x2x3_pdu r;
	uint8_t a[4 + 17];
	memset(a, 0, sizeof(a));
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		unsigned t = fixed[i].type, s = fixed[i].size;
		snprintf(where, sizeof(where), "attribute type %u length", t);
		set16(a, (uint16_t)t);
		set16(a + 2, (uint16_t)(s - 1));
		CHECK(parse_attrs(a, 4 + s - 1, &r) == ETSI_E_ATTR);
		set16(a + 2, (uint16_t)(s + 1));
		CHECK(parse_attrs(a, 4 + s + 1, &r) == ETSI_E_ATTR);
		set16(a + 2, (uint16_t)s);
		CHECK(parse_attrs(a, 4 + s, &r) == 0);
	}
}

/* ---- encoder errors ---- */

static long enc(const struct x2x3_pdu *q)
{
	return x2x3_encode(q, out, sizeof(out));
}

static void encode_errors(void)
{
	struct x2x3_pdu q;
	snprintf(where, sizeof(where), "encoder errors");
	golden_x3_pdu(&q);
	CHECK(x2x3_encode(NULL, out, sizeof(out)) == ETSI_E_INVAL);
	CHECK(x2x3_encode(&q, NULL, sizeof(out)) == ETSI_E_INVAL);

	q.pdu_type = 0;
	CHECK(enc(&q) == ETSI_E_INVAL);
	q.pdu_type = 5;
	CHECK(enc(&q) == ETSI_E_INVAL);
	golden_x3_pdu(&q);
	q.payload_format = X2X3_FMT_MAX + 1;
	CHECK(enc(&q) == ETSI_E_INVAL);
	q.payload_format = X2X3_FMT_MAX;
	CHECK(enc(&q) == 137);
	golden_x3_pdu(&q);
	q.payload_dir = 6;
	CHECK(enc(&q) == ETSI_E_INVAL);

	golden_x3_pdu(&q);
	q.ip_len = 0;
	CHECK(enc(&q) == ETSI_E_INVAL);
	q.ip_len = 6;
	CHECK(enc(&q) == ETSI_E_INVAL);
	q.has = X2X3_HAS_DST_IP;
	q.ip_len = 8;
	CHECK(enc(&q) == ETSI_E_INVAL);
	q.has = X2X3_HAS_SRC_IP;
	CHECK(enc(&q) == ETSI_E_INVAL);

	golden_x3_pdu(&q);
	q.ts_nsec = NSEC;
	CHECK(enc(&q) == ETSI_E_INVAL);

	golden_x3_pdu(&q);
	q.matched_target = target_text;
	q.matched_target_len = X2X3_MAX_TARGET_ATTR + 1;
	CHECK(enc(&q) == ETSI_E_INVAL);
	q.matched_target_len = X2X3_MAX_TARGET_ATTR;
	CHECK(enc(&q) == 137 - 36 + X2X3_MAX_TARGET_ATTR);

	golden_x3_pdu(&q);
	q.payload = NULL;
	CHECK(enc(&q) == ETSI_E_INVAL);
	q.payload_len = 0;
	CHECK(enc(&q) == 133);

	memset(&q, 0, sizeof(q));
	q.pdu_type = X2X3_PDU_KEEPALIVE;
	CHECK(enc(&q) == ETSI_E_INVAL);
	q.pdu_type = X2X3_PDU_KEEPALIVE_ACK;
	CHECK(enc(&q) == ETSI_E_INVAL);
}

static void encode_sizes(void)
{
	struct x2x3_pdu q;
	snprintf(where, sizeof(where), "encoder sizes");
	memset(&q, 0, sizeof(q));
	q.pdu_type = X2X3_PDU_X3;
	q.payload_format = X2X3_FMT_ETHERNET;
	q.payload = big_payload;
	/* header + payload over X2X3_MAX_PDU, and exactly at it */
	q.payload_len = X2X3_MAX_PDU - 40 + 1;
	CHECK(enc(&q) == ETSI_E_TOOBIG);
	q.payload_len = X2X3_MAX_PDU - 40;
	CHECK(enc(&q) == (long)X2X3_MAX_PDU);
	q.has = X2X3_HAS_SEQ; /* the attributes count too */
	CHECK(enc(&q) == ETSI_E_TOOBIG);
	q.payload_len = UINT32_MAX;
	CHECK(enc(&q) == ETSI_E_TOOBIG);

	/* out_cap one short, then exact */
	golden_x3_pdu(&q);
	CHECK(x2x3_encode(&q, out, 136) == ETSI_E_NOSPACE);
	CHECK(x2x3_encode(&q, out, 137) == 137);
	CHECK(x2x3_encode(&q, out, 0) == ETSI_E_NOSPACE);
	q.pdu_type = X2X3_PDU_KEEPALIVE;
	CHECK(x2x3_encode(&q, out, 47) == ETSI_E_NOSPACE);
	CHECK(x2x3_encode(&q, out, 48) == 48);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(big_payload); i++)
		big_payload[i] = (uint8_t)(i * 7 + (i >> 9) + 3);
	for (size_t i = 0; i < sizeof(target_text); i++)
		target_text[i] = (uint8_t)('a' + i % 26);
	golden();
	keepalives();
	matrix();
	malformed_header();
	malformed_attrs();
	wrong_sizes();
	encode_errors();
	encode_sizes();
	printf("x2x3: %ld PDUs round-tripped\n", round_trips);
	printf("x2x3: %ld checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
