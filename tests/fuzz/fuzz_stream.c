/* libFuzzer target for the ETSI stream framer (hostdrv/etsi/etsi_stream.c), issue 5.
 *
 * Input: byte 0 picks the format (bits 0-1: 0 or 3 AUTO, 1 BER, 2 X2/X3), the largest chunk
 * (bits 2-3: 1, 7, 64 or 1024 bytes; the sizes come from a generator seeded with byte 0) and
 * max_pdu (bit 7: 256 bytes, else 64 KiB); the rest is the byte stream. It is fed in chunks, etsi_stream_next() is drained
 * after each one, every PS-PDU is decoded with asn1c (ber_decode + asn_check_constraints)
 * and every X2/X3 PDU with x2x3_parse(), and what does not decode is rejected; then the
 * stream is ended and drained. The target aborts (a finding) when:
 *   - a returned PDU is not exactly the fed bytes at its offset, or lies outside the buffer;
 *   - events go backwards, or an error code is not one the contract lists (ETSI_E_TRUNC
 *     only after the end);
 *   - the byte accounting breaks: fed == consumed PDU bytes + skipped + buffered after every
 *     call, and after the final drain nothing is buffered and fed == accepted + skipped;
 *   - the statistics disagree with what the target saw.
 * Built with clang -fsanitize=fuzzer,address,undefined, together with sanitizer-built copies
 * of the library and of asn1c's generated code.
 *
 * Built with -DFUZZ_STREAM_MKSEEDS instead, this file is the seed generator: it writes a few
 * valid and damaged streams (PS-PDUs from etsi_cc_encode, X2/X3 PDUs by hand) to a folder. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "etsi_cc.h"
#include "etsi_stream.h"
#include "x2x3.h"

#ifndef FUZZ_STREAM_MKSEEDS

#include "PS-PDU.h"

#define REQUIRE(c)                                                                            \
	do {                                                                                  \
		if (!(c))                                                                     \
			abort();                                                              \
	} while (0)

struct seen {
	const uint8_t *in;
	uint64_t fed;
	uint64_t accepted; /* bytes of PDUs returned and not rejected (a pending one included) */
	uint64_t next_off; /* no event may start before this */
	uint64_t pdus, rejected, errors;
};

static void check_accounting(const struct etsi_stream *s, const struct seen *v)
{
	REQUIRE(s->pending <= v->accepted && s->head <= s->tail && s->tail <= s->cap);
	uint64_t consumed = v->accepted - s->pending;
	REQUIRE(v->fed == consumed + s->skipped + (s->tail - s->head));
	REQUIRE(s->offset == consumed + s->skipped);
	REQUIRE(s->pdus == v->pdus && s->rejected == v->rejected && s->errors == v->errors);
}

static int ps_pdu_ok(const uint8_t *p, size_t n)
{
	/* A receiver bounds asn1c's recursion (it skips unknown extensions recursively). */
	asn_codec_ctx_t ctx = {.max_stack_size = 64 * 1024};
	PS_PDU_t *pdu = NULL;
	asn_dec_rval_t dr = ber_decode(&ctx, &asn_DEF_PS_PDU, (void **)&pdu, p, n);
	int ok = dr.code == RC_OK && dr.consumed == n;
	if (ok) {
		char err[256];
		size_t errlen = sizeof(err);
		ok = asn_check_constraints(&asn_DEF_PS_PDU, pdu, err, &errlen) == 0;
	}
	ASN_STRUCT_FREE(asn_DEF_PS_PDU, pdu);
	return ok;
}

static int x2x3_ok(const uint8_t *p, size_t n)
{
	struct x2x3_pdu x;
	if (x2x3_parse(p, n, &x) != 0)
		return 0;
	REQUIRE(x.header_len >= X2X3_FIXED_HDR && (uint64_t)x.header_len + x.payload_len == n);
	REQUIRE(x.payload == p + x.header_len);
	return 1;
}

static int error_ok(int rc, int ended)
{
	switch (rc) {
	case ETSI_E_TAG:
	case ETSI_E_LENGTH:
	case ETSI_E_INDEF:
	case ETSI_E_DEPTH:
	case ETSI_E_TOOBIG:
		return 1;
	case ETSI_E_TRUNC:
		return ended;
	default:
		return 0;
	}
}

static void drain(struct etsi_stream *s, struct seen *v)
{
	for (;;) {
		struct etsi_stream_item it;
		int rc = etsi_stream_next(s, &it);
		if (rc == 0) {
			check_accounting(s, v);
			return;
		}
		REQUIRE(it.offset >= v->next_off);
		if (rc < 0) {
			REQUIRE(error_ok(rc, s->ended) && it.err == rc && it.skipped >= 1);
			REQUIRE(it.offset + it.skipped <= v->fed);
			v->errors++;
			v->next_off = it.offset + it.skipped;
			check_accounting(s, v);
			continue;
		}
		REQUIRE(rc == 1 && it.err == 0 && it.len > 0 && it.len <= s->max_pdu);
		REQUIRE(it.pdu == s->buf + s->head && s->head + it.len <= s->tail);
		REQUIRE(it.offset == s->offset && it.offset + it.len <= v->fed);
		REQUIRE(memcmp(it.pdu, v->in + it.offset, it.len) == 0);
		REQUIRE(s->fmt != ETSI_STREAM_AUTO);
		v->accepted += it.len;
		v->pdus++;
		check_accounting(s, v);
		int ok = s->fmt == ETSI_STREAM_BER ? ps_pdu_ok(it.pdu, it.len) : x2x3_ok(it.pdu, it.len);
		if (ok) {
			v->next_off = it.offset + it.len;
			continue;
		}
		etsi_stream_reject(s);
		v->accepted -= it.len;
		v->pdus--;
		v->rejected++;
		v->next_off = it.offset + 1;
		check_accounting(s, v);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t caps[4] = {1, 7, 64, 1024};
	if (size < 1)
		return 0;
	unsigned ctl = data[0];
	const uint8_t *in = data + 1;
	size_t n = size - 1;
	struct etsi_stream s;
	if (etsi_stream_init(&s, (enum etsi_stream_format)((ctl & 3) % 3), ctl & 0x80 ? 256 : 65536))
		abort();
	struct seen v = {.in = in};
	uint32_t rng = ctl * 2654435761u + 1;
	size_t cap = caps[(ctl >> 2) & 3];
	for (size_t pos = 0; pos < n;) {
		rng = rng * 1103515245u + 12345u;
		size_t want = 1 + (rng >> 16) % cap;
		want = want < n - pos ? want : n - pos;
		size_t took = etsi_stream_feed(&s, in + pos, want);
		/* After a drain less than max_pdu is buffered, so there is always room. */
		REQUIRE(took > 0 && took <= want);
		pos += took;
		v.fed += took;
		check_accounting(&s, &v);
		drain(&s, &v);
	}
	REQUIRE(etsi_stream_end(&s) == s.tail - s.head);
	drain(&s, &v);
	REQUIRE(s.head == s.tail && v.fed == v.accepted + s.skipped && s.offset == v.fed);
	REQUIRE(v.fed == n);
	etsi_stream_free(&s);
	return 0;
}

#else /* FUZZ_STREAM_MKSEEDS */

#include <stdio.h>

/* byte 0 of an input: format (AUTO 0, BER 1, X2X3 2) plus the chunk cap and max_pdu bits */
#define CTL(fmt, capsel, small) ((uint8_t)((fmt) | (capsel) << 2 | ((small) ? 0x80 : 0)))

static uint8_t buf[1 << 16];
static size_t len;

static void add(const void *p, size_t n)
{
	if (len + n <= sizeof(buf)) {
		memcpy(buf + len, p, n);
		len += n;
	}
}

static void add_cc(const struct etsi_cc_ctx *cc, uint32_t seq, uint32_t ip_len)
{
	static uint8_t ip[2048], out[4096];
	for (size_t i = 0; i < sizeof(ip); i++)
		ip[i] = (uint8_t)(i * 37 + 11);
	ip[0] = 0x45;
	long n = etsi_cc_encode(cc, seq, 1700000000123456789ull, seq % 5, ip, ip_len, out,
				sizeof(out));
	if (n > 0)
		add(out, (size_t)n);
}

static void add_x2x3(uint16_t type, uint32_t seq, uint32_t payload_len)
{
	uint8_t h[48 + 64] = {0};
	h[1] = X2X3_VERSION;
	h[3] = (uint8_t)type;
	h[7] = 48;
	h[11] = (uint8_t)payload_len;
	h[13] = type <= 2 ? X2X3_FMT_IPV4 : 0;
	h[15] = type <= 2 ? X2X3_DIR_FROM_TARGET : 0;
	for (int i = 0; i < 16 && type <= 2; i++)
		h[16 + i] = (uint8_t)(0x10 * i + 1);
	h[41] = X2X3_ATTR_SEQ;
	h[43] = 4;
	h[47] = (uint8_t)seq;
	for (uint32_t i = 0; i < payload_len && i < 64; i++)
		h[48 + i] = (uint8_t)(0x45 + i);
	add(h, 48 + (payload_len < 64 ? payload_len : 64));
}

static int write_seed(const char *dir, int *k)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/seed-%02d", dir, (*k)++);
	FILE *f = fopen(path, "wb");
	if (f == NULL || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "fuzz-stream-mkseeds: cannot write %s\n", path);
		return -1;
	}
	len = 0;
	return 0;
}

/* Re-encodes the last PDU added (from offset start) with every constructed element in
 * indefinite form. */
static size_t indef(const uint8_t *p, size_t n, uint8_t *o)
{
	size_t i = 0, w = 0;
	while (i < n) {
		uint8_t tag = p[i++];
		size_t l = p[i++];
		if (l & 0x80) {
			size_t k = l & 0x7f;
			for (l = 0; k--;)
				l = l << 8 | p[i++];
		}
		o[w++] = tag;
		if (tag & 0x20) {
			o[w++] = 0x80;
			w += indef(p + i, l, o + w);
			o[w++] = 0;
			o[w++] = 0;
		} else {
			size_t h = l < 0x80 ? 0 : l < 0x100 ? 1 : 2;
			o[w++] = (uint8_t)(h ? 0x80 | h : l);
			for (size_t b = h; b-- > 0;)
				o[w++] = (uint8_t)(l >> (8 * b));
			memcpy(o + w, p + i, l);
			w += l;
		}
		i += l;
	}
	return w;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	static const uint8_t liid[] = "SEED", op[] = "OPERATOR";
	struct etsi_cc_config c = {
		.liid = liid, .liid_len = 4, .operator_id = op, .operator_id_len = 8,
		.cin = 1234, .ts_form = ETSI_CC_TS_MICRO, .ts_qualifier = 1,
	};
	struct etsi_cc_ctx micro, gt;
	if (etsi_cc_init(&micro, &c) != 0)
		return 1;
	c.ts_form = ETSI_CC_TS_GENERALIZED;
	c.ts_frac_digits = 3;
	c.ipid = "POI1";
	if (etsi_cc_init(&gt, &c) != 0)
		return 1;
	int k = 0, bad = 0;
	static const uint8_t junk[] = {0x31, 0x30, 0x05, 0x02, 0x00, 0x05, 0x00, 0x07, 0xff};

	/* 1-4: valid BER streams in each format byte and chunking */
	for (int i = 0; i < 4; i++) {
		add((uint8_t[]){CTL(i % 2, i, i == 3)}, 1);
		add_cc(&micro, 0, 20);
		add_cc(&gt, 1, 150);
		add_cc(&micro, 2, i == 3 ? 40 : 600);
		bad |= write_seed(argv[1], &k);
	}
	/* 5: indefinite-length PDU, then a definite one */
	{
		static uint8_t def[4096], ind[8192];
		add((uint8_t[]){CTL(1, 2, 0)}, 1);
		size_t start = len;
		add_cc(&micro, 3, 60);
		size_t dn = len - start;
		memcpy(def, buf + start, dn);
		len = start;
		add(ind, indef(def, dn, ind));
		add_cc(&gt, 4, 10);
		bad |= write_seed(argv[1], &k);
	}
	/* 6: garbage, a PDU, garbage, a PDU cut short */
	add((uint8_t[]){CTL(1, 1, 0)}, 1);
	add(junk, sizeof(junk));
	add_cc(&micro, 5, 30);
	add(junk, sizeof(junk));
	add_cc(&micro, 6, 30);
	len -= 20;
	bad |= write_seed(argv[1], &k);
	/* 7: a lying outer length (3 too long) */
	{
		add((uint8_t[]){CTL(1, 3, 0)}, 1);
		size_t start = len;
		add_cc(&micro, 7, 40);
		buf[start + 1] = (uint8_t)(buf[start + 1] + 3);
		add_cc(&micro, 8, 41);
		bad |= write_seed(argv[1], &k);
	}
	/* 8-9: X2/X3 streams (fixed format and AUTO) with garbage between */
	for (int i = 0; i < 2; i++) {
		add((uint8_t[]){CTL(i ? 0 : 2, 1 + i, 0)}, 1);
		add_x2x3(X2X3_PDU_X2, 0, 20);
		add(junk, sizeof(junk));
		add_x2x3(X2X3_PDU_X3, 1, 60);
		add_x2x3(X2X3_PDU_KEEPALIVE, 2, 0);
		bad |= write_seed(argv[1], &k);
	}
	/* 10: deep indefinite nesting (33 levels) then a PDU, small max_pdu */
	add((uint8_t[]){CTL(1, 2, 1)}, 1);
	for (int i = 0; i < 33; i++)
		add((uint8_t[]){i ? 0xa0 : 0x30, 0x80}, 2);
	for (int i = 0; i < 33; i++)
		add((uint8_t[]){0, 0}, 2);
	add_cc(&micro, 9, 8);
	bad |= write_seed(argv[1], &k);
	return bad ? 1 : 0;
}

#endif
