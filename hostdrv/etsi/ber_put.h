/* BER writing helpers for the ETSI encoders (libclif-etsi, issue 5): definite minimal lengths,
 * minimal two's-complement INTEGERs, one-octet tags, UTC GeneralizedTime. Every writer takes
 * a cursor and returns the cursor after what it wrote; the caller has already checked that the
 * buffer holds the whole PDU (the size helpers give that size without writing anything), so no
 * writer checks bounds. No heap, no stdio. */
#ifndef CLIF_ETSI_BER_PUT_H
#define CLIF_ETSI_BER_PUT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Content octets of a non-negative INTEGER (or ENUMERATED) in minimal two's complement: a
 * value with its top bit set needs a leading 00, so 2^63..2^64-1 take 9. */
static inline size_t ber_int_len(uint64_t v)
{
	/* (significant bits + 8) / 8: one spare bit for the sign, whole octets */
	return (size_t)(72 - __builtin_clzll(v | 1u)) / 8u;
}

/* v as n big-endian octets (n from ber_int_len; with 9, the first is the sign octet 00). */
static inline uint8_t *ber_put_int_bytes(uint8_t *p, uint64_t v, size_t n)
{
	for (size_t i = n; i-- > 0;) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
	return p + n;
}

/* Octets of a definite length field: short form below 128, else 81/82/83 + 1..3 octets. */
static inline size_t ber_len_len(size_t l)
{
	return 1u + (l >= 0x80u) + (l >= 0x100u) + (l >= 0x10000u);
}

static inline uint8_t *ber_put_len(uint8_t *p, size_t l)
{
	size_t n = ber_len_len(l);
	if (n == 1) {
		*p++ = (uint8_t)l;
		return p;
	}
	*p++ = (uint8_t)(0x80 | (n - 1));
	for (size_t i = n - 1; i-- > 0;)
		*p++ = (uint8_t)(l >> (8 * i));
	return p;
}

/* Whole TLV size for l content octets under a one-octet tag. */
static inline size_t ber_tlv_size(size_t l)
{
	return 1 + ber_len_len(l) + l;
}

/* Tag and length of a constructed (or primitive) TLV whose content follows. */
static inline uint8_t *ber_put_hdr(uint8_t *p, uint8_t tag, size_t l)
{
	*p++ = tag;
	return ber_put_len(p, l);
}

/* A whole primitive TLV with n content octets copied from v (v may be NULL when n is 0). */
static inline uint8_t *ber_put_tlv(uint8_t *p, uint8_t tag, const void *v, size_t n)
{
	p = ber_put_hdr(p, tag, n);
	if (n)
		memcpy(p, v, n);
	return p + n;
}

/* A whole INTEGER/ENUMERATED TLV: tag, length, minimal content. */
static inline size_t ber_int_tlv_size(uint64_t v)
{
	return 2 + ber_int_len(v);
}

static inline uint8_t *ber_put_int(uint8_t *p, uint8_t tag, uint64_t v)
{
	size_t n = ber_int_len(v);
	*p++ = tag;
	*p++ = (uint8_t)n;
	return ber_put_int_bytes(p, v, n);
}

/* Content octets of a GeneralizedTime "YYYYMMDDhhmmss[.f..]Z" with frac (0..9) digits. */
static inline size_t ber_gt_len(unsigned frac)
{
	return 15u + (frac ? 1u + frac : 0u);
}

static inline uint8_t *ber_put_digits(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = n; i-- > 0;) {
		p[i] = (uint8_t)('0' + v % 10u);
		v /= 10u;
	}
	return p + n;
}

/* The ber_gt_len(frac) content octets of a UTC GeneralizedTime for ts_ns nanoseconds since the
 * Unix epoch; the fraction is truncated, never rounded (rounding could carry into the seconds).
 * No range check is needed: 2^64-1 ns is 2554-07-21, well inside the four-digit year. */
static inline uint8_t *ber_put_gt(uint8_t *p, uint64_t ts_ns, unsigned frac)
{
	uint64_t secs = ts_ns / 1000000000u, ns = ts_ns % 1000000000u;
	uint64_t days = secs / 86400u, sod = secs % 86400u;
	/* Days to civil date (H. Hinnant's algorithm, proleptic Gregorian, days >= 0). */
	uint64_t z = days + 719468u, era = z / 146097u, doe = z - era * 146097u;
	uint64_t yoe = (doe - doe / 1460u + doe / 36524u - doe / 146096u) / 365u;
	uint64_t doy = doe - (365u * yoe + yoe / 4u - yoe / 100u);
	uint64_t mp = (5u * doy + 2u) / 153u;
	uint64_t d = doy - (153u * mp + 2u) / 5u + 1u, m = mp < 10u ? mp + 3u : mp - 9u;
	uint64_t y = yoe + era * 400u + (m <= 2u);
	p = ber_put_digits(p, y, 4);
	p = ber_put_digits(p, m, 2);
	p = ber_put_digits(p, d, 2);
	p = ber_put_digits(p, sod / 3600u, 2);
	p = ber_put_digits(p, sod / 60u % 60u, 2);
	p = ber_put_digits(p, sod % 60u, 2);
	if (frac) {
		uint64_t div = 1;
		for (unsigned i = frac; i < 9; i++)
			div *= 10u;
		*p++ = '.';
		p = ber_put_digits(p, ns / div, frac);
	}
	*p++ = 'Z';
	return p;
}

#endif
