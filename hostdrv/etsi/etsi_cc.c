/* Fast-path HI3 CC PS-PDU encoder (see etsi_cc.h for the layout). */
#include "etsi_cc.h"

#include <string.h>

/* li-psDomainId {0 4 0 2 2 5 1 43} (version43) and iPCCObjId {5 3 18 2} (version18). */
static const uint8_t DOMAIN_ID[] = {0x80, 0x07, 0x04, 0x00, 0x02, 0x02, 0x05, 0x01, 0x2b};
static const uint8_t IPCC_OBJID[] = {0x80, 0x04, 0x05, 0x03, 0x12, 0x02};

/* Octets of the minimal two's-complement INTEGER encoding of a non-negative value. */
static size_t int_len(uint64_t v)
{
	size_t n = 1;
	while (n < 9 && v >= (UINT64_C(1) << (8 * n - 1)))
		n++;
	return n;
}

static uint8_t *put_int(uint8_t *p, uint64_t v, size_t n)
{
	for (size_t i = n; i-- > 0;) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
	return p + n;
}

/* Octets of a definite length field (short form, or long form with 1..3 octets). */
static size_t len_len(size_t l)
{
	return l < 0x80 ? 1 : l < 0x100 ? 2 : l < 0x10000 ? 3 : 4;
}

static uint8_t *put_len(uint8_t *p, size_t l)
{
	size_t n = len_len(l);
	if (n == 1) {
		*p++ = (uint8_t)l;
		return p;
	}
	*p++ = (uint8_t)(0x80 | (n - 1));
	for (size_t i = n - 1; i-- > 0;)
		*p++ = (uint8_t)(l >> (8 * i));
	return p;
}

/* Whole TLV size for a content of l octets (one-octet tag). */
static size_t tlv(size_t l)
{
	return 1 + len_len(l) + l;
}

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

static uint8_t *put_tlv(uint8_t *p, uint8_t tag, const void *v, size_t n)
{
	*p++ = tag;
	p = put_len(p, n);
	memcpy(p, v, n);
	return p + n;
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
	size_t ni = tlv(cfg->operator_id_len) + (cfg->ne_id_len ? tlv(cfg->ne_id_len) : 0);
	size_t cin_n = int_len(cfg->cin);
	size_t ci = tlv(ni) + tlv(cin_n) + (cfg->delivery_country ? tlv(2) : 0);

	uint8_t *p = ctx->hdr_a;
	memcpy(p, DOMAIN_ID, sizeof(DOMAIN_ID));
	p += sizeof(DOMAIN_ID);
	p = put_tlv(p, 0x81, cfg->liid, cfg->liid_len);
	if (cfg->auth_country)
		p = put_tlv(p, 0x82, cfg->auth_country, 2);
	*p++ = 0xa3;
	p = put_len(p, ci);
	*p++ = 0xa0;
	p = put_len(p, ni);
	p = put_tlv(p, 0x80, cfg->operator_id, cfg->operator_id_len);
	if (cfg->ne_id_len)
		p = put_tlv(p, 0x81, cfg->ne_id, cfg->ne_id_len);
	*p++ = 0x81;
	*p++ = (uint8_t)cin_n;
	p = put_int(p, cfg->cin, cin_n);
	if (cfg->delivery_country)
		p = put_tlv(p, 0x82, cfg->delivery_country, 2);
	ctx->hdr_a_len = (uint16_t)(p - ctx->hdr_a);

	if (cfg->ipid)
		ctx->hdr_b_len = (uint16_t)(put_tlv(ctx->hdr_b, 0x86, cfg->ipid, ipid_len) - ctx->hdr_b);
	ctx->ts_form = (uint8_t)cfg->ts_form;
	ctx->ts_qualifier = (uint8_t)cfg->ts_qualifier;
	ctx->ts_frac_digits = (uint8_t)cfg->ts_frac_digits;
	return 0;
}

static uint8_t *put_digits(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = n; i-- > 0;) {
		p[i] = (uint8_t)('0' + v % 10);
		v /= 10;
	}
	return p + n;
}

/* GeneralizedTime "YYYYMMDDhhmmss[.f{d}]Z" (UTC); 0 if the year passes 9999. */
static int put_gt(uint8_t *p, uint64_t ts_ns, unsigned frac)
{
	uint64_t secs = ts_ns / 1000000000u, ns = ts_ns % 1000000000u;
	uint64_t days = secs / 86400u, sod = secs % 86400u;
	/* civil_from_days (H. Hinnant), for days >= 0 since 1970-01-01. */
	uint64_t z = days + 719468u, era = z / 146097u, doe = z - era * 146097u;
	uint64_t yoe = (doe - doe / 1460u + doe / 36524u - doe / 146096u) / 365u;
	uint64_t doy = doe - (365u * yoe + yoe / 4u - yoe / 100u);
	uint64_t mp = (5u * doy + 2u) / 153u;
	uint64_t d = doy - (153u * mp + 2u) / 5u + 1u, m = mp < 10u ? mp + 3u : mp - 9u;
	uint64_t y = yoe + era * 400u + (m <= 2u);
	if (y > 9999u)
		return 0;
	p = put_digits(p, y, 4);
	p = put_digits(p, m, 2);
	p = put_digits(p, d, 2);
	p = put_digits(p, sod / 3600u, 2);
	p = put_digits(p, sod / 60u % 60u, 2);
	p = put_digits(p, sod % 60u, 2);
	if (frac) {
		uint64_t div = 1;
		for (unsigned i = frac; i < 9; i++)
			div *= 10u;
		*p++ = '.';
		p = put_digits(p, ns / div, frac);
	}
	*p = 'Z';
	return 1;
}

long etsi_cc_encode(const struct etsi_cc_ctx *ctx, uint32_t seq, uint64_t ts_ns, unsigned dir,
		    const uint8_t *ip, uint32_t ip_len, uint8_t *out, size_t out_cap)
{
	if (ctx == NULL || out == NULL || (ip == NULL && ip_len > 0) || dir > 4)
		return ETSI_CC_E_INVAL;
	if (ip_len > ETSI_CC_MAX_PAYLOAD)
		return ETSI_CC_E_TOOBIG;

	/* Variable header parts. */
	size_t seq_n = int_len(seq);
	uint64_t secs = ts_ns / 1000000000u, us = ts_ns % 1000000000u / 1000u;
	size_t secs_n = int_len(secs), us_n = int_len(us), gt_n = 0, ts_tlv;
	if (ctx->ts_form == ETSI_CC_TS_GENERALIZED) {
		gt_n = 15u + (ctx->ts_frac_digits ? 1u + ctx->ts_frac_digits : 0u);
		ts_tlv = 2 + gt_n;
	} else {
		ts_tlv = 2 + (2 + secs_n) + (2 + us_n) + 3; /* A7 {80 81} 88 01 q */
	}
	size_t l1 = ctx->hdr_a_len + 2 + seq_n + ts_tlv + ctx->hdr_b_len;

	/* Payload, from the inside out. */
	size_t l7 = tlv(ip_len);                   /* iPCCContents [1]: 80 L ip */
	size_t l6 = sizeof(IPCC_OBJID) + tlv(l7);  /* iPCC [2] */
	size_t l5 = tlv(l6);                       /* cCContents [2] */
	size_t l4 = 3 + tlv(l5);                   /* CCPayload: 80 01 dir, A2 .. */
	size_t l3 = tlv(l4);                       /* cCPayloadSequence [1] */
	size_t l2 = tlv(l3);                       /* payload [2] */
	size_t l0 = tlv(l1) + tlv(l2);
	size_t total = tlv(l0);
	if (total > out_cap)
		return ETSI_CC_E_NOSPACE;

	uint8_t *p = out;
	*p++ = 0x30;
	p = put_len(p, l0);
	*p++ = 0xa1;
	p = put_len(p, l1);
	memcpy(p, ctx->hdr_a, ctx->hdr_a_len);
	p += ctx->hdr_a_len;
	*p++ = 0x84;
	*p++ = (uint8_t)seq_n;
	p = put_int(p, seq, seq_n);
	if (ctx->ts_form == ETSI_CC_TS_GENERALIZED) {
		*p++ = 0x85;
		*p++ = (uint8_t)gt_n;
		if (!put_gt(p, ts_ns, ctx->ts_frac_digits))
			return ETSI_CC_E_INVAL;
		p += gt_n;
	}
	memcpy(p, ctx->hdr_b, ctx->hdr_b_len);
	p += ctx->hdr_b_len;
	if (ctx->ts_form == ETSI_CC_TS_MICRO) {
		*p++ = 0xa7;
		*p++ = (uint8_t)(4 + secs_n + us_n);
		*p++ = 0x80;
		*p++ = (uint8_t)secs_n;
		p = put_int(p, secs, secs_n);
		*p++ = 0x81;
		*p++ = (uint8_t)us_n;
		p = put_int(p, us, us_n);
		*p++ = 0x88;
		*p++ = 0x01;
		*p++ = ctx->ts_qualifier;
	}
	*p++ = 0xa2;
	p = put_len(p, l2);
	*p++ = 0xa1;
	p = put_len(p, l3);
	*p++ = 0x30;
	p = put_len(p, l4);
	*p++ = 0x80;
	*p++ = 0x01;
	*p++ = (uint8_t)dir;
	*p++ = 0xa2;
	p = put_len(p, l5);
	*p++ = 0xa2;
	p = put_len(p, l6);
	memcpy(p, IPCC_OBJID, sizeof(IPCC_OBJID));
	p += sizeof(IPCC_OBJID);
	*p++ = 0xa1;
	p = put_len(p, l7);
	*p++ = 0x80;
	p = put_len(p, ip_len);
	if (ip_len)
		memcpy(p, ip, ip_len);
	p += ip_len;
	return (long)(p - out);
}
