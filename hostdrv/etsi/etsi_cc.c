/* Fast-path HI3 CC PS-PDU encoder (see etsi_cc.h for the layout). */
#include "etsi_cc.h"

#include <string.h>

#include "ber_put.h"

/* li-psDomainId {0 4 0 2 2 5 1 43} (version43) and iPCCObjId {5 3 18 2} (version18). */
static const uint8_t DOMAIN_ID[] = {0x80, 0x07, 0x04, 0x00, 0x02, 0x02, 0x05, 0x01, 0x2b};
static const uint8_t IPCC_OBJID[] = {0x80, 0x04, 0x05, 0x03, 0x12, 0x02};

static int printable(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      strchr(" '()+,-./:=?", c) != NULL) || c == '\0')
			return 0;
	}
	return 1;
}

static int country_ok(const char *cc)
{
	return cc == NULL || (strlen(cc) == 2 && printable(cc, 2));
}


int etsi_cc_init(struct etsi_cc_ctx *ctx, const struct etsi_cc_config *cfg)
{
	if (ctx == NULL || cfg == NULL)
		return ETSI_CC_E_INVAL;
	memset(ctx, 0, sizeof(*ctx));
	if (cfg->liid == NULL || cfg->liid_len < 1 || cfg->liid_len > 25)
		return ETSI_CC_E_INVAL;
	if (cfg->operator_id == NULL || cfg->operator_id_len < 1 || cfg->operator_id_len > 16)
		return ETSI_CC_E_INVAL;
	if (cfg->ne_id_len > 16 || (cfg->ne_id == NULL && cfg->ne_id_len > 0))
		return ETSI_CC_E_INVAL;
	if (!country_ok(cfg->auth_country) || !country_ok(cfg->delivery_country))
		return ETSI_CC_E_INVAL;
	size_t ipid_len = cfg->ipid ? strlen(cfg->ipid) : 0;
	if (cfg->ipid && (ipid_len < 1 || ipid_len > 8 || !printable(cfg->ipid, ipid_len)))
		return ETSI_CC_E_INVAL;
	if (cfg->ts_form == ETSI_CC_TS_MICRO) {
		if (cfg->ts_qualifier > 3)
			return ETSI_CC_E_INVAL;
	} else if (cfg->ts_form == ETSI_CC_TS_GENERALIZED) {
		if (cfg->ts_frac_digits > 9)
			return ETSI_CC_E_INVAL;
	} else {
		return ETSI_CC_E_INVAL;
	}

	/* communicationIdentifier content: networkIdentifier, CIN, deliveryCountryCode. */
	size_t ni = ber_tlv_size(cfg->operator_id_len) + (cfg->ne_id_len ? ber_tlv_size(cfg->ne_id_len) : 0);
	size_t cin_n = ber_int_len(cfg->cin);
	size_t ci = ber_tlv_size(ni) + ber_tlv_size(cin_n) + (cfg->delivery_country ? ber_tlv_size(2) : 0);

	uint8_t *p = ctx->hdr_a;
	memcpy(p, DOMAIN_ID, sizeof(DOMAIN_ID));
	p += sizeof(DOMAIN_ID);
	p = ber_put_tlv(p, 0x81, cfg->liid, cfg->liid_len);
	if (cfg->auth_country)
		p = ber_put_tlv(p, 0x82, cfg->auth_country, 2);
	*p++ = 0xa3;
	p = ber_put_len(p, ci);
	*p++ = 0xa0;
	p = ber_put_len(p, ni);
	p = ber_put_tlv(p, 0x80, cfg->operator_id, cfg->operator_id_len);
	if (cfg->ne_id_len)
		p = ber_put_tlv(p, 0x81, cfg->ne_id, cfg->ne_id_len);
	*p++ = 0x81;
	*p++ = (uint8_t)cin_n;
	p = ber_put_int_bytes(p, cfg->cin, cin_n);
	if (cfg->delivery_country)
		p = ber_put_tlv(p, 0x82, cfg->delivery_country, 2);
	ctx->hdr_a_len = (uint16_t)(p - ctx->hdr_a);

	if (cfg->ipid)
		ctx->hdr_b_len = (uint16_t)(ber_put_tlv(ctx->hdr_b, 0x86, cfg->ipid, ipid_len) - ctx->hdr_b);
	ctx->ts_form = (uint8_t)cfg->ts_form;
	ctx->ts_qualifier = (uint8_t)cfg->ts_qualifier;
	ctx->ts_frac_digits = (uint8_t)cfg->ts_frac_digits;
	return 0;
}

/* ---- the per-packet path ----
 * Fields are written with fixed-size stores (no library calls, few branches) that may run a
 * few bytes past the field. Those bytes are always inside the PDU, whose size is checked
 * against out_cap first, and are overwritten by the following fields, because the PDU is
 * written strictly front to back; no store reaches past the PDU's end. */

static inline void store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void store_be64(uint8_t *p, uint64_t v)
{
	store_be32(p, (uint32_t)(v >> 32));
	store_be32(p + 4, (uint32_t)v);
}

/* Tag, length n and the n-octet INTEGER v (n <= 6) in one 8-byte store. */
static inline uint8_t *put_int_tlv(uint8_t *p, uint8_t tag, uint64_t v, unsigned n)
{
	store_be64(p, (uint64_t)tag << 56 | (uint64_t)n << 48 | v << (8u * (6u - n)));
	return p + 2 + n;
}

/* Tag and the minimal definite length l (< 2^24); stores 5 bytes. */
static inline uint8_t *put_tl(uint8_t *p, uint8_t tag, size_t l)
{
	unsigned extra = (unsigned)ber_len_len(l) - 1u; /* octets after the first */
	uint32_t field = extra ? (0x80u | extra) << (8u * extra) | (uint32_t)l : (uint32_t)l;
	p[0] = tag;
	store_be32(p + 1, field << (8u * (3u - extra)));
	return p + 2 + extra;
}

/* hdr_a in whole 16-byte blocks. Its largest size (LIID 25, operator and NE 16, a 5-octet CIN,
 * both country codes) is 91 octets, so the last block ends within the array. */
_Static_assert(sizeof(((struct etsi_cc_ctx *)0)->hdr_a) >= 96, "hdr_a block copy");

static inline uint8_t *put_hdr_a(uint8_t *p, const struct etsi_cc_ctx *ctx)
{
	size_t n = ctx->hdr_a_len; /* read once: the stores could alias it */
	for (size_t i = 0; i < n; i += 16)
		memcpy(p + i, ctx->hdr_a + i, 16);
	return p + n;
}

/* The payload wrapper: everything of payload [2] before the IP datagram,
 *   A2 L2 A1 L3 30 L4 80 01 dir A2 L5 A2 L6 <iPCCObjId> A1 L7 80 L,
 * L7..L2 being the content lengths of iPCCContents, iPCC, cCContents, CCPayload,
 * cCPayloadSequence and payload. For most datagram sizes all eight length fields have one
 * form, and each length is the datagram's plus a constant: these shapes are written whole. */
#define WRAP_SHORT_MAX 106u  /* up to here every length is short (L2 = ip_len + 21 < 128) */
#define WRAP_SHORT_SIZE 23u
#define WRAP_LONG_MIN 256u   /* from here to WRAP_LONG_MAX every length is 82 hh ll */
#define WRAP_LONG_MAX 65502u /* (L2 = ip_len + 33 < 65536) */
#define WRAP_LONG_SIZE 37u

static inline void store_be16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The two shapes: the template, then the lengths (and the direction) in their places. */
static uint8_t *put_wrap_short(uint8_t *p, unsigned dir, uint32_t ip_len)
{
	static const uint8_t tmpl[WRAP_SHORT_SIZE] = {
		0xa2, 0, 0xa1, 0, 0x30, 0, 0x80, 0x01, 0, 0xa2, 0, 0xa2, 0,
		0x80, 0x04, 0x05, 0x03, 0x12, 0x02, 0xa1, 0, 0x80, 0};
	const uint8_t n = (uint8_t)ip_len;
	memcpy(p, tmpl, sizeof(tmpl));
	p[1] = n + 21;
	p[3] = n + 19;
	p[5] = n + 17;
	p[8] = (uint8_t)dir;
	p[10] = n + 12;
	p[12] = n + 10;
	p[20] = n + 2;
	p[22] = n;
	return p + sizeof(tmpl);
}

static uint8_t *put_wrap_long(uint8_t *p, unsigned dir, uint32_t ip_len)
{
	static const uint8_t tmpl[WRAP_LONG_SIZE] = {
		0xa2, 0x82, 0, 0, 0xa1, 0x82, 0, 0, 0x30, 0x82, 0, 0, 0x80, 0x01, 0,
		0xa2, 0x82, 0, 0, 0xa2, 0x82, 0, 0, 0x80, 0x04, 0x05, 0x03, 0x12, 0x02,
		0xa1, 0x82, 0, 0, 0x80, 0x82, 0, 0};
	memcpy(p, tmpl, sizeof(tmpl));
	store_be16(p + 2, ip_len + 33);
	store_be16(p + 6, ip_len + 29);
	store_be16(p + 10, ip_len + 25);
	p[14] = (uint8_t)dir;
	store_be16(p + 17, ip_len + 18);
	store_be16(p + 21, ip_len + 14);
	store_be16(p + 31, ip_len + 4);
	store_be16(p + 35, ip_len);
	return p + sizeof(tmpl);
}

/* Any other datagram size: the lengths from the inside out. */
struct wrap_lens {
	size_t l2, l3, l4, l5, l6, l7;
};

static void wrap_lens(struct wrap_lens *w, uint32_t ip_len)
{
	w->l7 = ber_tlv_size(ip_len);                      /* iPCCContents [1]: 80 L ip */
	w->l6 = sizeof(IPCC_OBJID) + ber_tlv_size(w->l7);  /* iPCC [2] */
	w->l5 = ber_tlv_size(w->l6);                       /* cCContents [2] */
	w->l4 = 3 + ber_tlv_size(w->l5);                   /* CCPayload: 80 01 dir, A2 .. */
	w->l3 = ber_tlv_size(w->l4);                       /* cCPayloadSequence [1] */
	w->l2 = ber_tlv_size(w->l3);                       /* payload [2] */
}

static uint8_t *put_wrap_any(uint8_t *p, unsigned dir, uint32_t ip_len)
{
	struct wrap_lens w;
	wrap_lens(&w, ip_len);
	p = put_tl(p, 0xa2, w.l2);
	p = put_tl(p, 0xa1, w.l3);
	p = put_tl(p, 0x30, w.l4);
	p[0] = 0x80;
	p[1] = 0x01;
	p[2] = (uint8_t)dir;
	p = put_tl(p + 3, 0xa2, w.l5);
	p = put_tl(p, 0xa2, w.l6);
	memcpy(p, IPCC_OBJID, sizeof(IPCC_OBJID));
	p += sizeof(IPCC_OBJID);
	/* The last two fields are followed only by the datagram, which may be shorter than a
	 * store's spill: short ones are written exactly. */
	if (w.l7 < 0x80) {
		p[0] = 0xa1;
		p[1] = (uint8_t)w.l7;
		p[2] = 0x80;
		p[3] = (uint8_t)ip_len;
		return p + 4;
	}
	p = put_tl(p, 0xa1, w.l7); /* ip_len >= 126: the spills land in the datagram */
	return put_tl(p, 0x80, ip_len);
}

static inline int wrap_is_short(uint32_t ip_len)
{
	return ip_len <= WRAP_SHORT_MAX;
}

static inline int wrap_is_long(uint32_t ip_len)
{
	return ip_len >= WRAP_LONG_MIN && ip_len <= WRAP_LONG_MAX;
}

/* Octets of the payload wrapper. */
static inline size_t wrap_size(uint32_t ip_len)
{
	if (wrap_is_short(ip_len))
		return WRAP_SHORT_SIZE;
	if (wrap_is_long(ip_len))
		return WRAP_LONG_SIZE;
	struct wrap_lens w;
	wrap_lens(&w, ip_len);
	return ber_tlv_size(w.l2) - ip_len;
}

static inline uint8_t *put_wrap(uint8_t *p, unsigned dir, uint32_t ip_len)
{
	if (wrap_is_short(ip_len))
		return put_wrap_short(p, dir, ip_len);
	if (wrap_is_long(ip_len))
		return put_wrap_long(p, dir, ip_len);
	return put_wrap_any(p, dir, ip_len);
}

long etsi_cc_encode(const struct etsi_cc_ctx *ctx, uint32_t seq, uint64_t ts_ns, unsigned dir,
		    const uint8_t *ip, uint32_t ip_len, uint8_t *out, size_t out_cap)
{
	if (ctx == NULL || out == NULL || (ip == NULL && ip_len > 0) || dir > 4)
		return ETSI_CC_E_INVAL;
	if (ip_len > ETSI_CC_MAX_PAYLOAD)
		return ETSI_CC_E_TOOBIG;

	/* Variable header parts. */
	unsigned seq_n = ber_int_len(seq);
	uint64_t secs = ts_ns / 1000000000u, us = ts_ns % 1000000000u / 1000u;
	unsigned secs_n = ber_int_len(secs), us_n = ber_int_len(us);
	size_t gt_n = 0, ts_tlv;
	if (ctx->ts_form == ETSI_CC_TS_GENERALIZED) {
		gt_n = ber_gt_len(ctx->ts_frac_digits);
		ts_tlv = 2 + gt_n;
	} else {
		ts_tlv = 2 + (2 + secs_n) + (2 + us_n) + 3; /* A7 {80 81} 88 01 q */
	}
	size_t l1 = ctx->hdr_a_len + 2 + seq_n + ts_tlv + ctx->hdr_b_len;
	size_t l0 = ber_tlv_size(l1) + wrap_size(ip_len) + ip_len;
	if (ber_tlv_size(l0) > out_cap)
		return ETSI_CC_E_NOSPACE;

	uint8_t *p = put_tl(out, 0x30, l0);
	p = put_tl(p, 0xa1, l1);
	p = put_hdr_a(p, ctx);
	p = put_int_tlv(p, 0x84, seq, seq_n);
	if (ctx->ts_form == ETSI_CC_TS_GENERALIZED) {
		*p++ = 0x85;
		*p++ = (uint8_t)gt_n;
		p = ber_put_gt(p, ts_ns, ctx->ts_frac_digits);
	}
	memcpy(p, ctx->hdr_b, sizeof(ctx->hdr_b)); /* the whole array: a fixed-size copy */
	p += ctx->hdr_b_len;
	if (ctx->ts_form == ETSI_CC_TS_MICRO) {
		*p++ = 0xa7;
		*p++ = (uint8_t)(4 + secs_n + us_n);
		p = put_int_tlv(p, 0x80, secs, secs_n);
		p = put_int_tlv(p, 0x81, us, us_n);
		*p++ = 0x88;
		*p++ = 0x01;
		*p++ = ctx->ts_qualifier;
	}
	p = put_wrap(p, dir, ip_len);
	if (ip_len)
		memcpy(p, ip, ip_len);
	return (long)(p + ip_len - out);
}
