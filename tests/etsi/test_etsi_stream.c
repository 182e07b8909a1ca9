/* etsi_stream (hostdrv/etsi, issue 5): framing of BER PS-PDU streams and X2/X3 streams.
 * etsi_ber_frame() is checked on hand-made TLVs (every length form, indefinite lengths,
 * end-of-contents, depth, size limits, multi-octet tags). The stream is driven by one runner
 * that feeds a byte string in chunks, drains etsi_stream_next(), optionally decodes each PDU
 * (asn1c for PS-PDUs, x2x3_parse for X2/X3) and rejects what does not decode, ends the
 * stream and drains again; the events are compared with the exact expected sequence, every
 * returned PDU is compared with the fed bytes at its offset, and the byte accounting
 * (fed == consumed PDU bytes + skipped + buffered) is asserted after every call. The valid
 * PS-PDUs come from etsi_cc_encode(); the X2/X3 PDUs are built by hand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "PS-PDU.h"
#include "etsi_cc.h"
#include "etsi_stream.h"
#include "x2x3.h"

static int failures;
static long checks;
static const char *where = "";

#define CHECK(cond)                                                                           \
	do {                                                                                  \
		checks++;                                                                     \
		if (!(cond)) {                                                                \
			if (failures++ < 40)                                                  \
				fprintf(stderr, "etsi-stream: %s:%d: check failed: %s (%s)\n", \
					__FILE__, __LINE__, #cond, where);                    \
		}                                                                             \
	} while (0)

/* ---- building blocks ---- */

static struct etsi_cc_ctx cc;
static const uint64_t TS = 1700000000123456000ull;

static void cc_setup(void)
{
	static const uint8_t liid[] = "STREAM-TEST";
	static const uint8_t op[] = "OP1";
	struct etsi_cc_config c = {
		.liid = liid, .liid_len = sizeof(liid) - 1, .operator_id = op,
		.operator_id_len = sizeof(op) - 1, .cin = 7, .ts_form = ETSI_CC_TS_MICRO,
		.ts_qualifier = 1,
	};
	if (etsi_cc_init(&cc, &c) != 0) {
		fprintf(stderr, "etsi-stream: etsi_cc_init failed\n");
		exit(1);
	}
}

/* A CC PS-PDU carrying an ip_len-byte "datagram" of bytes 0x40..0x7f: no 30 or 00 in it, so
 * nothing inside a PDU looks like the start of another. */
static size_t cc_pdu(uint8_t *out, uint32_t seq, uint32_t ip_len)
{
	static uint8_t ip[2048];
	for (size_t i = 0; i < sizeof(ip); i++)
		ip[i] = (uint8_t)(0x40 + (i * 7) % 64);
	long n = etsi_cc_encode(&cc, seq, TS, ETSI_CC_DIR_TO_TARGET, ip, ip_len, out, 4096);
	if (n <= 0) {
		fprintf(stderr, "etsi-stream: etsi_cc_encode failed\n");
		exit(1);
	}
	return (size_t)n;
}

static void put_be(uint8_t *p, uint64_t v, size_t n)
{
	for (size_t i = n; i-- > 0; v >>= 8)
		p[i] = (uint8_t)v;
}

/* An X2 (or X3) PDU by hand: fixed header, a sequence-number attribute, payload_len bytes. */
static size_t x2x3_pdu(uint8_t *out, uint16_t type, uint32_t seq, uint32_t payload_len)
{
	memset(out, 0, 48);
	put_be(out, X2X3_VERSION, 2);
	put_be(out + 2, type, 2);
	put_be(out + 4, 48, 4);
	put_be(out + 8, payload_len, 4);
	put_be(out + 12, X2X3_FMT_IPV6, 2); /* format 5 + direction 2 would read 00 05 00 02 */
	put_be(out + 14, X2X3_DIR_TO_TARGET, 2);
	for (int i = 0; i < 16; i++)
		out[16 + i] = (uint8_t)(0xa0 + i);
	put_be(out + 40, X2X3_ATTR_SEQ, 2);
	put_be(out + 42, 4, 2);
	put_be(out + 44, seq, 4);
	for (uint32_t i = 0; i < payload_len; i++)
		out[48 + i] = (uint8_t)(0x45 + i % 16);
	return 48 + payload_len;
}

/* Writes a BER length; returns its size. */
static size_t put_len(uint8_t *p, size_t l)
{
	if (l < 0x80) {
		p[0] = (uint8_t)l;
		return 1;
	}
	size_t n = l < 0x100 ? 1 : l < 0x10000 ? 2 : 3;
	p[0] = (uint8_t)(0x80 | n);
	put_be(p + 1, l, n);
	return n + 1;
}

/* Re-encodes a definite-length BER TLV tree with every constructed element in indefinite
 * form (one-octet tags, as etsi_cc writes). Returns the bytes written. */
static size_t to_indef(const uint8_t *in, size_t n, uint8_t *out)
{
	size_t i = 0, o = 0;
	while (i < n) {
		uint8_t tag = in[i++];
		size_t len = in[i++];
		if (len & 0x80) {
			size_t k = len & 0x7f;
			len = 0;
			while (k--)
				len = len << 8 | in[i++];
		}
		out[o++] = tag;
		if (tag & 0x20) {
			out[o++] = 0x80;
			o += to_indef(in + i, len, out + o);
			out[o++] = 0;
			out[o++] = 0;
		} else {
			o += put_len(out + o, len);
			memcpy(out + o, in + i, len);
			o += len;
		}
		i += len;
	}
	return o;
}

static int ps_pdu_decodes(const uint8_t *p, size_t n)
{
	PS_PDU_t *pdu = NULL;
	asn_dec_rval_t dr = ber_decode(0, &asn_DEF_PS_PDU, (void **)&pdu, p, n);
	int ok = dr.code == RC_OK && dr.consumed == n;
	if (ok) {
		char err[128];
		size_t errlen = sizeof(err);
		ok = asn_check_constraints(&asn_DEF_PS_PDU, pdu, err, &errlen) == 0;
	}
	ASN_STRUCT_FREE(asn_DEF_PS_PDU, pdu);
	return ok;
}

/* ---- the stream runner ---- */

enum { EV_PDU = 1, EV_END = 2 }; /* other kinds: the negative etsi_err */

struct ev {
	int kind;
	uint64_t off;
	uint64_t n;   /* PDU length, or the error's it->skipped */
	int rejected; /* PDU did not decode and was rejected */
};

#define MAX_EV 64

struct run {
	int fmt;
	size_t max_pdu;
	size_t chunk;   /* feed this many bytes at a time (0: all at once) */
	int decode;     /* decode each PDU and reject failures */
	int no_end;     /* do not call etsi_stream_end() */
	/* results */
	struct ev ev[MAX_EV];
	size_t nev;
	struct etsi_stream s;
};

struct acct {
	const uint8_t *in;
	uint64_t fed, accepted;
};

/* fed == consumed PDU bytes + skipped + buffered (a returned PDU stays buffered until the
 * next call consumes it), and the stream offset is everything consumed. */
static void check_accounting(const struct etsi_stream *s, const struct acct *a)
{
	uint64_t consumed = a->accepted - s->pending;
	CHECK(a->fed == consumed + s->skipped + (s->tail - s->head));
	CHECK(s->offset == consumed + s->skipped);
}

static int pdu_decodes(const struct etsi_stream *s, const uint8_t *p, size_t n)
{
	if (s->fmt == ETSI_STREAM_X2X3 || (s->fmt == ETSI_STREAM_AUTO && p[0] == 0x00)) {
		struct x2x3_pdu x;
		return x2x3_parse(p, n, &x) == 0;
	}
	return ps_pdu_decodes(p, n);
}

static void drain(struct run *r, struct acct *a)
{
	for (;;) {
		struct etsi_stream_item it;
		int rc = etsi_stream_next(&r->s, &it);
		if (rc == 1)
			a->accepted += it.len;
		check_accounting(&r->s, a);
		if (rc == 0)
			return;
		CHECK(r->nev < MAX_EV);
		if (r->nev >= MAX_EV)
			return;
		struct ev *e = &r->ev[r->nev++];
		e->kind = rc;
		e->off = it.offset;
		if (rc < 0) {
			CHECK(it.err == rc && it.pdu == NULL);
			e->n = it.skipped;
			continue;
		}
		CHECK(rc == 1 && it.err == 0);
		e->n = it.len;
		/* The PDU is exactly the fed bytes at its offset. */
		CHECK(it.offset + it.len <= a->fed && memcmp(it.pdu, a->in + it.offset, it.len) == 0);
		if (r->decode && !pdu_decodes(&r->s, it.pdu, it.len)) {
			etsi_stream_reject(&r->s);
			a->accepted -= it.len;
			e->rejected = 1;
			check_accounting(&r->s, a);
		}
	}
}

static void run(struct run *r, const uint8_t *in, size_t n)
{
	struct acct a = {.in = in};
	r->nev = 0;
	CHECK(etsi_stream_init(&r->s, (enum etsi_stream_format)r->fmt, r->max_pdu) == 0);
	size_t step = r->chunk ? r->chunk : n;
	for (size_t i = 0; i < n; i += step) {
		size_t k = n - i < step ? n - i : step;
		CHECK(etsi_stream_feed(&r->s, in + i, k) == k);
		a.fed += k;
		check_accounting(&r->s, &a);
		drain(r, &a);
	}
	if (!r->no_end) {
		CHECK(etsi_stream_end(&r->s) == r->s.tail - r->s.head);
		r->ev[r->nev++] = (struct ev){.kind = EV_END};
		drain(r, &a);
		CHECK(r->s.head == r->s.tail); /* nothing left after the end */
		CHECK(a.fed == a.accepted + r->s.skipped);
	}
}

static void expect(const struct run *r, const struct ev *want, size_t nwant)
{
	int same = r->nev == nwant;
	for (size_t i = 0; same && i < nwant; i++)
		same = r->ev[i].kind == want[i].kind && r->ev[i].off == want[i].off &&
		       r->ev[i].n == want[i].n && r->ev[i].rejected == want[i].rejected;
	CHECK(same);
	if (!same) {
		fprintf(stderr, "  got:");
		for (size_t i = 0; i < r->nev; i++)
			fprintf(stderr, " {%d,%llu,%llu%s}", r->ev[i].kind,
				(unsigned long long)r->ev[i].off, (unsigned long long)r->ev[i].n,
				r->ev[i].rejected ? ",rej" : "");
		fprintf(stderr, "\n  want:");
		for (size_t i = 0; i < nwant; i++)
			fprintf(stderr, " {%d,%llu,%llu%s}", want[i].kind,
				(unsigned long long)want[i].off, (unsigned long long)want[i].n,
				want[i].rejected ? ",rej" : "");
		fprintf(stderr, "\n");
	}
}

#define PDU(o, l) {EV_PDU, (o), (l), 0}
#define REJ(o, l) {EV_PDU, (o), (l), 1}
#define ERR(e, o, sk) {(e), (o), (sk), 0}
#define END {EV_END, 0, 0, 0}
#define EXPECT(r, ...)                                                                        \
	do {                                                                                  \
		static const struct ev want_[] = {__VA_ARGS__};                               \
		expect((r), want_, sizeof(want_) / sizeof(want_[0]));                         \
	} while (0)

static uint8_t in[1 << 16];
static size_t in_len;

static void add(const void *p, size_t n)
{
	memcpy(in + in_len, p, n);
	in_len += n;
}

/* ---- etsi_ber_frame on hand-made TLVs ---- */

static long frame(const uint8_t *p, size_t n)
{
	return etsi_ber_frame(p, n, 1000);
}

/* Every proper prefix needs more input; the whole is framed to exactly n (also with a byte
 * of the next PDU after it). */
static void frame_exact(const uint8_t *p, size_t n, size_t max_pdu)
{
	static uint8_t more[8192];
	int prefixes_wait = 1;
	for (size_t i = 0; i < n; i++)
		prefixes_wait &= etsi_ber_frame(p, i, max_pdu) == 0;
	CHECK(prefixes_wait);
	CHECK(etsi_ber_frame(p, n, max_pdu) == (long)n);
	memcpy(more, p, n);
	more[n] = 0x30;
	CHECK(etsi_ber_frame(more, n + 1, max_pdu) == (long)n);
}

static void test_ber_frame_lengths(void)
{
	where = "ber lengths";
	static const uint8_t shortf[] = {0x30, 0x03, 0x01, 0x02, 0x03};
	static const uint8_t long1[] = {0x30, 0x81, 0x02, 0xaa, 0xbb};
	static const uint8_t long4[] = {0x30, 0x84, 0x00, 0x00, 0x00, 0x02, 0xaa, 0xbb};
	static const uint8_t empty[] = {0x30, 0x00};
	frame_exact(shortf, sizeof(shortf), 1000);
	frame_exact(long1, sizeof(long1), 1000);
	frame_exact(long4, sizeof(long4), 1000); /* non-minimal long form is valid BER */
	frame_exact(empty, sizeof(empty), 1000);
	CHECK(frame(NULL, 0) == 0);
	static const uint8_t tag31[] = {0x31, 0x00}, tagA1[] = {0xa1, 0x00};
	CHECK(frame(tag31, 1) == ETSI_E_TAG);
	CHECK(frame(tagA1, 2) == ETSI_E_TAG);
	static const uint8_t ff[] = {0x30, 0xff, 0, 0, 0, 0, 0, 0};
	static const uint8_t l85[] = {0x30, 0x85, 0, 0, 0, 0, 1, 0};
	static const uint8_t lfe[] = {0x30, 0xfe, 0, 0, 0, 0, 0, 0};
	CHECK(frame(ff, 2) == ETSI_E_LENGTH);
	CHECK(frame(l85, 2) == ETSI_E_LENGTH);
	CHECK(frame(lfe, 8) == ETSI_E_LENGTH);
}

static void test_ber_frame_limits(void)
{
	where = "ber max_pdu";
	/* Known too big from the length octets alone, before the content arrives. */
	static const uint8_t big4[] = {0x30, 0x84, 0x00, 0x01, 0x00, 0x00};
	static const uint8_t big2[] = {0x30, 0x82, 0x03, 0xe6}; /* 4 + 998 = 1002 */
	static const uint8_t fit2[] = {0x30, 0x82, 0x03, 0xe4}; /* 4 + 996 = 1000 */
	CHECK(frame(big4, 5) == 0);
	CHECK(frame(big4, 6) == ETSI_E_TOOBIG);
	CHECK(frame(big2, 4) == ETSI_E_TOOBIG);
	CHECK(frame(fit2, 4) == 0);
	CHECK(etsi_ber_frame(big2, 4, 1002) == 0);
	static const uint8_t max4[] = {0x30, 0x84, 0xff, 0xff, 0xff, 0xff};
	CHECK(frame(max4, 6) == ETSI_E_TOOBIG);
	/* Inside an indefinite PDU, a constructed child too big for max_pdu is refused from its
	 * header, before anything inside it (here an indefinite primitive) is looked at. */
	static const uint8_t big_child[] = {0x30, 0x80, 0xa1, 0x82, 0x01, 0x00, 0x04, 0x80};
	CHECK(etsi_ber_frame(big_child, sizeof(big_child), 64) == ETSI_E_TOOBIG);
	CHECK(etsi_ber_frame(big_child, sizeof(big_child), 1000) == ETSI_E_INDEF);

	/* Indefinite: exactly max_pdu fits; one more byte anywhere is too big, known as soon as
	 * a length or the end-of-contents position passes max_pdu. */
	uint8_t ind[80];
	memset(ind, 0x55, sizeof(ind));
	ind[0] = 0x30, ind[1] = 0x80, ind[2] = 0x04, ind[3] = 58; /* 2 + 2 + 58 + 2 = 64 */
	ind[62] = 0, ind[63] = 0;
	frame_exact(ind, 64, 64);
	ind[3] = 62; /* primitive ends at 66 > 64: known from its length octet */
	CHECK(etsi_ber_frame(ind, 4, 64) == ETSI_E_TOOBIG);
	ind[3] = 59, ind[63] = 0, ind[64] = 0; /* end-of-contents would end at 65 */
	CHECK(etsi_ber_frame(ind, 63, 64) == 0);
	CHECK(etsi_ber_frame(ind, 64, 64) == ETSI_E_TOOBIG);
}

static void test_ber_frame_indef(void)
{
	where = "ber indefinite";
	/* Nested indefinite levels, a primitive and a definite constructed child. */
	static const uint8_t nested[] = {0x30, 0x80, 0xa1, 0x80, 0x80, 0x01, 0x07, 0xa2, 0x03,
					 0x04, 0x01, 0x09, 0x00, 0x00, 0xa2, 0x80, 0x00, 0x00,
					 0x00, 0x00};
	frame_exact(nested, sizeof(nested), 1000);
	static const uint8_t eoc_only[] = {0x30, 0x80, 0x00, 0x00};
	frame_exact(eoc_only, sizeof(eoc_only), 1000);
	/* A definite child of an indefinite level may itself hold an indefinite element. */
	static const uint8_t mixed[] = {0x30, 0x80, 0xa1, 0x06, 0xa0, 0x80, 0x80, 0x00, 0x00,
					0x00, 0x00, 0x00};
	frame_exact(mixed, sizeof(mixed), 1000);

	/* Multi-octet tag numbers: 1F/3F low bits, then base-128 octets while the high bit is
	 * set (a constructed [high] indefinite, and a primitive with a 3-octet tag number). */
	static const uint8_t hightag[] = {0x30, 0x80, 0xbf, 0x81, 0x05, 0x80, 0x9f, 0x82,
					  0x80, 0x01, 0x02, 0x01, 0xff, 0x00, 0x00, 0x00, 0x00};
	frame_exact(hightag, sizeof(hightag), 1000);
	/* A tag octet 00 inside a high tag number is a tag octet, not an end-of-contents. */
	static const uint8_t hightag0[] = {0x30, 0x80, 0x9f, 0x80, 0x00, 0x00, 0x00, 0x00};
	frame_exact(hightag0, sizeof(hightag0), 1000);

	where = "ber indefinite errors";
	static const uint8_t prim[] = {0x30, 0x80, 0x04, 0x80, 0x00, 0x00, 0x00, 0x00};
	CHECK(frame(prim, 3) == 0);
	CHECK(frame(prim, 4) == ETSI_E_INDEF);
	static const uint8_t prim_hi[] = {0x30, 0x80, 0x9f, 0x81, 0x05, 0x80};
	CHECK(frame(prim_hi, sizeof(prim_hi)) == ETSI_E_INDEF);
	static const uint8_t eoc01[] = {0x30, 0x80, 0x00, 0x01, 0x00};
	CHECK(frame(eoc01, 3) == 0);
	CHECK(frame(eoc01, 4) == ETSI_E_INDEF);
	static const uint8_t eoc_in_def[] = {0x30, 0x80, 0xa1, 0x02, 0x00, 0x00, 0x00, 0x00};
	CHECK(frame(eoc_in_def, 8) == ETSI_E_INDEF);
	static const uint8_t overrun[] = {0x30, 0x80, 0xa1, 0x03, 0x04, 0x05, 0x01, 0x02,
					  0x03, 0x04, 0x05, 0x00, 0x00};
	CHECK(frame(overrun, 6) == ETSI_E_LENGTH);
	/* an indefinite child whose end-of-contents, or whose own header, passes the end of its
	 * definite parent */
	static const uint8_t indef_overrun[] = {0x30, 0x80, 0xa1, 0x02, 0xa0, 0x80, 0x00, 0x00,
						0x00, 0x00};
	CHECK(frame(indef_overrun, 7) == 0);
	CHECK(frame(indef_overrun, 8) == ETSI_E_LENGTH);
	static const uint8_t hdr_overrun[] = {0x30, 0x80, 0xa1, 0x01, 0xa0, 0x80, 0x00, 0x00};
	CHECK(frame(hdr_overrun, 6) == ETSI_E_LENGTH);
	static const uint8_t inner_ff[] = {0x30, 0x80, 0x04, 0xff};
	CHECK(frame(inner_ff, 4) == ETSI_E_LENGTH);
	static const uint8_t inner_85[] = {0x30, 0x80, 0x04, 0x85, 0, 0, 0, 0, 1};
	CHECK(frame(inner_85, 4) == ETSI_E_LENGTH);
}

/* 30 80, then levels-1 nested A0 80, then the end-of-contents of every level. */
static size_t nest(uint8_t *p, unsigned levels)
{
	size_t n = 0;
	for (unsigned i = 0; i < levels; i++) {
		p[n++] = i ? 0xa0 : 0x30;
		p[n++] = 0x80;
	}
	for (unsigned i = 0; i < levels; i++) {
		p[n++] = 0;
		p[n++] = 0;
	}
	return n;
}

/* 30 80, then levels-1 nested definite A0 (the innermost empty), then 00 00. */
static size_t def_nest(uint8_t *p, unsigned levels)
{
	size_t n = 0;
	p[n++] = 0x30;
	p[n++] = 0x80;
	for (unsigned i = 0; i + 1 < levels; i++) {
		p[n++] = 0xa0;
		p[n++] = (uint8_t)(2 * (levels - 2 - i));
	}
	p[n++] = 0;
	p[n++] = 0;
	return n;
}

static void test_ber_frame_depth(void)
{
	where = "ber depth";
	uint8_t p[4 * 40];
	size_t n = nest(p, ETSI_MAX_DEPTH);
	CHECK(n == 128);
	frame_exact(p, n, 1000);
	n = nest(p, ETSI_MAX_DEPTH + 1);
	CHECK(frame(p, 2 * ETSI_MAX_DEPTH + 1) == 0);
	CHECK(frame(p, 2 * ETSI_MAX_DEPTH + 2) == ETSI_E_DEPTH);
	CHECK(frame(p, n) == ETSI_E_DEPTH);
	/* Definite constructed levels count too, even an empty innermost one. */
	uint8_t d[80];
	n = def_nest(d, ETSI_MAX_DEPTH);
	CHECK(n == 66);
	frame_exact(d, n, 1000);
	n = def_nest(d, ETSI_MAX_DEPTH + 1);
	CHECK(frame(d, n - 3) == 0);
	CHECK(frame(d, n - 2) == ETSI_E_DEPTH);
}

/* ---- the stream ---- */

static void test_init(void)
{
	where = "init";
	struct etsi_stream s;
	CHECK(etsi_stream_init(NULL, ETSI_STREAM_BER, 0) == ETSI_E_INVAL);
	CHECK(etsi_stream_init(&s, (enum etsi_stream_format)3, 0) == ETSI_E_INVAL);
	CHECK(s.buf == NULL);
	CHECK(etsi_stream_init(&s, (enum etsi_stream_format)-1, 0) == ETSI_E_INVAL);
	CHECK(etsi_stream_init(&s, ETSI_STREAM_BER, 63) == ETSI_E_INVAL);
	CHECK(etsi_stream_init(&s, ETSI_STREAM_BER, 64u * 1024 * 1024 + 1) == ETSI_E_INVAL);
	etsi_stream_free(&s); /* safe after a failed init */
	CHECK(etsi_stream_init(&s, ETSI_STREAM_X2X3, 0) == 0);
	CHECK(s.max_pdu == ETSI_STREAM_DEFAULT_MAX_PDU && s.cap == 2 * ETSI_STREAM_DEFAULT_MAX_PDU);
	CHECK(s.fmt == ETSI_STREAM_X2X3 && s.head == 0 && s.tail == 0 && s.offset == 0);
	etsi_stream_free(&s);
	CHECK(s.buf == NULL);
	etsi_stream_free(&s);
	etsi_stream_free(NULL);
	CHECK(etsi_stream_init(&s, ETSI_STREAM_AUTO, 64) == 0);
	CHECK(s.cap == 128 && s.fmt == ETSI_STREAM_AUTO);
	struct etsi_stream_item it;
	CHECK(etsi_stream_next(&s, &it) == 0);
	etsi_stream_reject(&s); /* nothing pending: no effect */
	CHECK(s.rejected == 0 && s.skipped == 0 && s.head == 0);
	CHECK(etsi_stream_next(&s, NULL) == ETSI_E_INVAL);
	CHECK(etsi_stream_next(NULL, &it) == ETSI_E_INVAL);
	etsi_stream_free(&s);
}

static void test_whole_and_bytewise(void)
{
	where = "three PDUs, one piece and byte by byte";
	uint8_t p[3][2048];
	size_t l0 = cc_pdu(p[0], 0, 20), l1 = cc_pdu(p[1], 1, 200), l2 = cc_pdu(p[2], 2, 1000);
	CHECK(p[0][1] < 0x80 && p[1][1] == 0x82 && p[2][1] == 0x82);
	in_len = 0;
	add(p[0], l0), add(p[1], l1), add(p[2], l2);
	for (size_t chunk = 0; chunk <= 7; chunk++) {
		struct run r = {.fmt = ETSI_STREAM_BER, .chunk = chunk == 7 ? 333 : chunk,
				.decode = 1};
		run(&r, in, in_len);
		const struct ev want[] = {PDU(0, l0), PDU(l0, l1), PDU(l0 + l1, l2), END};
		expect(&r, want, 4);
		CHECK(r.s.pdus == 3 && r.s.errors == 0 && r.s.skipped == 0 && r.s.rejected == 0);
		etsi_stream_free(&r.s);
	}
}

static void test_back_to_back(void)
{
	where = "two PDUs back to back";
	uint8_t a[256], b[256];
	size_t la = cc_pdu(a, 10, 8), lb = cc_pdu(b, 11, 9);
	in_len = 0;
	add(a, la), add(b, lb);
	struct run r = {.fmt = ETSI_STREAM_BER, .decode = 1, .no_end = 1};
	run(&r, in, in_len);
	const struct ev want[] = {PDU(0, la), PDU(la, lb)};
	expect(&r, want, 2);
	struct etsi_stream_item it;
	CHECK(etsi_stream_next(&r.s, &it) == 0);
	CHECK(r.s.head == r.s.tail && r.s.offset == la + lb && r.s.pdus == 2);
	etsi_stream_free(&r.s);
}

static void test_indef_pdu(void)
{
	where = "indefinite-length PS-PDU";
	uint8_t def[512], ind[1024], b[256];
	size_t ld = cc_pdu(def, 3, 100);
	size_t li = to_indef(def, ld, ind);
	CHECK(ind[0] == 0x30 && ind[1] == 0x80 && ind[li - 2] == 0 && ind[li - 1] == 0);
	CHECK(ps_pdu_decodes(ind, li)); /* the re-encoding is valid BER */
	frame_exact(ind, li, 1000);
	size_t lb = cc_pdu(b, 4, 5);
	in_len = 0;
	add(ind, li), add(b, lb);
	for (size_t chunk = 0; chunk <= 1; chunk++) {
		struct run r = {.fmt = ETSI_STREAM_BER, .decode = 1, .chunk = chunk};
		run(&r, in, in_len);
		const struct ev want[] = {PDU(0, li), PDU(li, lb), END};
		expect(&r, want, 3);
		etsi_stream_free(&r.s);
	}
}

/* garbage then a good PDU: one error at offset 0 that skips exactly the garbage */
static void one_error_then_pdu(const uint8_t *bad, size_t nbad, int err)
{
	uint8_t g[256];
	size_t lg = cc_pdu(g, 5, 16);
	in_len = 0;
	add(bad, nbad), add(g, lg);
	struct run r = {.fmt = ETSI_STREAM_BER, .decode = 1};
	run(&r, in, in_len);
	const struct ev want[] = {ERR(err, 0, nbad), PDU(nbad, lg), END};
	expect(&r, want, 3);
	CHECK(r.s.errors == 1 && r.s.skipped == nbad && r.s.pdus == 1);
	etsi_stream_free(&r.s);
}

static void test_stream_errors(void)
{
	where = "stream: tag 31";
	static const uint8_t t31[] = {0x31, 0x03, 0x02, 0x01, 0x05};
	one_error_then_pdu(t31, sizeof(t31), ETSI_E_TAG);
	where = "stream: length FF";
	static const uint8_t lff[] = {0x30, 0xff, 0x01, 0x02};
	one_error_then_pdu(lff, sizeof(lff), ETSI_E_LENGTH);
	where = "stream: length 85";
	static const uint8_t l85[] = {0x30, 0x85, 0x00, 0x00, 0x00, 0x00, 0x04, 0xa1};
	one_error_then_pdu(l85, sizeof(l85), ETSI_E_LENGTH);
	where = "stream: indefinite primitive";
	static const uint8_t prim[] = {0x30, 0x80, 0x04, 0x80, 0x01, 0x00, 0x00, 0x00, 0x00};
	one_error_then_pdu(prim, sizeof(prim), ETSI_E_INDEF);
	where = "stream: EOC 00 01";
	static const uint8_t eoc[] = {0x30, 0x80, 0x00, 0x01, 0x00};
	one_error_then_pdu(eoc, sizeof(eoc), ETSI_E_INDEF);
	where = "stream: depth 33";
	uint8_t deep[4 * 40];
	size_t nd = nest(deep, ETSI_MAX_DEPTH + 1);
	one_error_then_pdu(deep, nd, ETSI_E_DEPTH);

	where = "stream: same error fed byte by byte";
	uint8_t g[256];
	size_t lg = cc_pdu(g, 5, 16);
	in_len = 0;
	add(t31, sizeof(t31)), add(g, lg);
	struct run r = {.fmt = ETSI_STREAM_BER, .decode = 1, .chunk = 1};
	run(&r, in, in_len);
	/* reported once, at the first byte; the rest of the region is dropped silently */
	const struct ev want[] = {ERR(ETSI_E_TAG, 0, 1), PDU(sizeof(t31), lg), END};
	expect(&r, want, 3);
	CHECK(r.s.errors == 1 && r.s.skipped == sizeof(t31));
	etsi_stream_free(&r.s);
}

static void test_garbage_between(void)
{
	where = "garbage between two PDUs";
	uint8_t a[256], b[256];
	size_t la = cc_pdu(a, 1, 30), lb = cc_pdu(b, 2, 31);
	/* stray 30s that are no candidate (no A1 after the length, a reserved length, a 5-octet
	 * length, an A1 among the 4 length octets) and an X2/X3 start, no candidate in BER */
	static const uint8_t junk[] = {0xde, 0x30, 0x05, 0x02, 0x01, 0x00, 0x30, 0xff, 0xa1,
				       0x30, 0x85, 0x00, 0xa1, 0x30, 0x84, 0x00, 0x00, 0x01,
				       0xa1, 0x00, 0x05, 0x00, 0x01};
	in_len = 0;
	add(a, la), add(junk, sizeof(junk)), add(b, lb);
	for (size_t chunk = 0; chunk <= 1; chunk++) {
		struct run r = {.fmt = ETSI_STREAM_BER, .decode = 1, .chunk = chunk};
		run(&r, in, in_len);
		const struct ev want[] = {PDU(0, la), ERR(ETSI_E_TAG, la, chunk ? 1 : sizeof(junk)),
					  PDU(la + sizeof(junk), lb), END};
		expect(&r, want, 4);
		CHECK(r.s.skipped == sizeof(junk) && r.s.errors == 1);
		etsi_stream_free(&r.s);
	}
}

static void test_toobig(void)
{
	where = "PDU over max_pdu";
	uint8_t big[1024], g[256];
	size_t lbig = cc_pdu(big, 1, 250), lg = cc_pdu(g, 2, 40);
	CHECK(lbig > 256 && lg <= 256 && lbig + lg <= 512);
	in_len = 0;
	add(big, lbig), add(g, lg);
	struct run r = {.fmt = ETSI_STREAM_BER, .max_pdu = 256, .decode = 1};
	run(&r, in, in_len);
	const struct ev want[] = {ERR(ETSI_E_TOOBIG, 0, lbig), PDU(lbig, lg), END};
	expect(&r, want, 3);
	etsi_stream_free(&r.s);
	/* Reported from the header alone, before the body arrives. */
	struct etsi_stream s;
	struct etsi_stream_item it;
	CHECK(etsi_stream_init(&s, ETSI_STREAM_BER, 256) == 0);
	CHECK(etsi_stream_feed(&s, big, 4) == 4);
	CHECK(etsi_stream_next(&s, &it) == ETSI_E_TOOBIG && it.offset == 0 && it.skipped == 4);
	CHECK(s.resyncing == 1 && s.head == s.tail);
	etsi_stream_free(&s);
}

static void test_truncated(void)
{
	where = "truncated PDU at the end";
	uint8_t a[256], b[256];
	size_t la = cc_pdu(a, 1, 30), lb = cc_pdu(b, 2, 31);
	in_len = 0;
	add(a, la), add(b, 30);
	(void)lb;
	struct run r = {.fmt = ETSI_STREAM_BER, .decode = 1};
	run(&r, in, in_len);
	const struct ev want[] = {PDU(0, la), END, ERR(ETSI_E_TRUNC, la, 30)};
	expect(&r, want, 3);
	CHECK(r.s.skipped == 30 && r.s.pdus == 1 && r.s.errors == 1);
	etsi_stream_free(&r.s);
}

static void test_lying_length(void)
{
	uint8_t a[1024], b[256];
	size_t la = cc_pdu(a, 1, 300), lb = cc_pdu(b, 2, 20);
	CHECK(a[1] == 0x82);
	size_t claimed = (size_t)a[2] << 8 | a[3];

	where = "outer length far too long";
	put_be(a + 2, claimed + 500, 2);
	in_len = 0;
	add(a, la), add(b, lb);
	struct run r = {.fmt = ETSI_STREAM_BER, .decode = 1};
	run(&r, in, in_len);
	/* Nothing before the end (A might still complete); at the end A is cut short, and B,
	 * which lies inside A's claimed extent, is still found. */
	const struct ev want[] = {END, ERR(ETSI_E_TRUNC, 0, la), PDU(la, lb)};
	expect(&r, want, 3);
	etsi_stream_free(&r.s);

	where = "outer length 3 too long";
	put_be(a + 2, claimed + 3, 2);
	in_len = 0;
	add(a, la), add(b, lb);
	struct run r2 = {.fmt = ETSI_STREAM_BER, .decode = 1};
	run(&r2, in, in_len);
	/* A frames with 3 bytes of B, does not decode, is rejected; B is found at its start. */
	const struct ev want2[] = {REJ(0, la + 3), PDU(la, lb), END};
	expect(&r2, want2, 3);
	CHECK(r2.s.rejected == 1 && r2.s.pdus == 1 && r2.s.skipped == la && r2.s.errors == 0);
	etsi_stream_free(&r2.s);
}

static void test_reject(void)
{
	where = "reject resumes at the next byte";
	uint8_t g[256], w[300];
	size_t lg = cc_pdu(g, 9, 4);
	/* A SEQUENCE wrapped around a whole PS-PDU frames, but is no PS-PDU. */
	w[0] = 0x30;
	size_t hl = 1 + put_len(w + 1, lg);
	memcpy(w + hl, g, lg);
	in_len = 0;
	add(w, hl + lg);
	struct run r = {.fmt = ETSI_STREAM_BER, .decode = 1};
	run(&r, in, in_len);
	const struct ev want[] = {REJ(0, hl + lg), PDU(hl, lg), END};
	expect(&r, want, 3);
	CHECK(r.s.skipped == hl && r.s.rejected == 1 && r.s.pdus == 1 && r.s.errors == 0);
	etsi_stream_free(&r.s);

	where = "reject by hand";
	struct etsi_stream s;
	struct etsi_stream_item it;
	CHECK(etsi_stream_init(&s, ETSI_STREAM_BER, 0) == 0);
	CHECK(etsi_stream_feed(&s, w, hl + lg) == hl + lg);
	CHECK(etsi_stream_next(&s, &it) == 1 && it.pdu == s.buf && it.len == hl + lg);
	CHECK(s.pending == hl + lg && s.pdus == 1);
	etsi_stream_reject(&s);
	CHECK(s.pending == 0 && s.pdus == 0 && s.rejected == 1 && s.skipped == 1 &&
	      s.offset == 1 && s.resyncing == 1);
	CHECK(etsi_stream_next(&s, &it) == 1 && it.offset == hl && it.len == lg && it.err == 0);
	CHECK(memcmp(it.pdu, g, lg) == 0 && s.skipped == hl);
	/* A feed consumes the pending PDU: a reject after it has nothing to reject. */
	CHECK(etsi_stream_feed(&s, g, 1) == 1);
	CHECK(s.pending == 0 && s.offset == hl + lg && s.tail - s.head == 1);
	etsi_stream_reject(&s);
	CHECK(s.rejected == 1 && s.skipped == hl);
	CHECK(etsi_stream_end(&s) == 1);
	CHECK(etsi_stream_feed(&s, g, 5) == 0); /* nothing taken after the end */
	size_t room;
	CHECK(etsi_stream_space(&s, &room) == NULL && room == 0);
	CHECK(etsi_stream_next(&s, &it) == ETSI_E_TRUNC && it.offset == hl + lg && it.skipped == 1);
	CHECK(etsi_stream_next(&s, &it) == 0);
	etsi_stream_free(&s);
}

static void test_x2x3(void)
{
	uint8_t a[256], b[256];
	size_t la = x2x3_pdu(a, X2X3_PDU_X2, 1, 10), lb = x2x3_pdu(b, X2X3_PDU_X3, 2, 0);
	/* near misses: type 7, a lone byte, version 5 with type 0 (00 05 00 then B's 00) */
	static const uint8_t junk[] = {0x00, 0x05, 0x00, 0x07, 0xff, 0x00, 0x05, 0x00};
	in_len = 0;
	add(a, la), add(junk, sizeof(junk)), add(b, lb);
	for (size_t chunk = 0; chunk <= 1; chunk++) {
		where = chunk ? "x2x3 garbage, byte by byte" : "x2x3 garbage";
		struct run r = {.fmt = ETSI_STREAM_X2X3, .decode = 1, .chunk = chunk};
		run(&r, in, in_len);
		/* byte by byte the error is known once 00 05 00 07 is in: 4 bytes dropped */
		const struct ev want[] = {PDU(0, la), ERR(ETSI_E_TAG, la, chunk ? 4 : sizeof(junk)),
					  PDU(la + sizeof(junk), lb), END};
		expect(&r, want, 4);
		CHECK(r.s.skipped == sizeof(junk) && r.s.errors == 1 && r.s.pdus == 2);
		etsi_stream_free(&r.s);
	}

	where = "x2x3 header length 39";
	uint8_t c[256];
	size_t lc = x2x3_pdu(c, X2X3_PDU_X2, 3, 4);
	put_be(c + 4, 39, 4);
	in_len = 0;
	add(c, lc), add(b, lb);
	struct run r = {.fmt = ETSI_STREAM_X2X3, .decode = 1};
	run(&r, in, in_len);
	const struct ev want[] = {ERR(ETSI_E_LENGTH, 0, lc), PDU(lc, lb), END};
	expect(&r, want, 3);
	etsi_stream_free(&r.s);

	where = "x2x3 truncated";
	in_len = 0;
	add(a, la), add(b, 6);
	struct run r2 = {.fmt = ETSI_STREAM_X2X3, .decode = 1};
	run(&r2, in, in_len);
	const struct ev want2[] = {PDU(0, la), END, ERR(ETSI_E_TRUNC, la, 6)};
	expect(&r2, want2, 3);
	etsi_stream_free(&r2.s);
}

static void test_auto(void)
{
	uint8_t p[2][256];
	where = "auto: BER";
	size_t l0 = cc_pdu(p[0], 1, 10), l1 = cc_pdu(p[1], 2, 11);
	in_len = 0;
	add(p[0], l0), add(p[1], l1);
	struct run r = {.fmt = ETSI_STREAM_AUTO, .decode = 1, .chunk = 1};
	run(&r, in, in_len);
	const struct ev want[] = {PDU(0, l0), PDU(l0, l1), END};
	expect(&r, want, 3);
	CHECK(r.s.fmt == ETSI_STREAM_BER);
	etsi_stream_free(&r.s);

	where = "auto: X2/X3";
	l0 = x2x3_pdu(p[0], X2X3_PDU_X2, 1, 3), l1 = x2x3_pdu(p[1], X2X3_PDU_KEEPALIVE, 2, 0);
	in_len = 0;
	add(p[0], l0), add(p[1], l1);
	struct run r2 = {.fmt = ETSI_STREAM_AUTO, .decode = 1, .chunk = 1};
	run(&r2, in, in_len);
	const struct ev want2[] = {PDU(0, l0), PDU(l0, l1), END};
	expect(&r2, want2, 3);
	CHECK(r2.s.fmt == ETSI_STREAM_X2X3);
	etsi_stream_free(&r2.s);

	where = "auto: garbage first, then X2/X3";
	static const uint8_t junk[] = {0x31, 0x30, 0x02, 0xa2, 0x00, 0x05};
	in_len = 0;
	add(junk, sizeof(junk)), add(p[0], l0);
	struct run r3 = {.fmt = ETSI_STREAM_AUTO, .decode = 1};
	run(&r3, in, in_len);
	const struct ev want3[] = {ERR(ETSI_E_TAG, 0, sizeof(junk)), PDU(sizeof(junk), l0), END};
	expect(&r3, want3, 3);
	CHECK(r3.s.fmt == ETSI_STREAM_X2X3);
	etsi_stream_free(&r3.s);

	where = "auto: the first PDU returned fixes the format at once";
	struct etsi_stream s;
	struct etsi_stream_item it;
	CHECK(etsi_stream_init(&s, ETSI_STREAM_AUTO, 0) == 0);
	CHECK(etsi_stream_feed(&s, p[0], 3) == 3);
	CHECK(etsi_stream_next(&s, &it) == 0 && s.fmt == ETSI_STREAM_AUTO);
	CHECK(etsi_stream_feed(&s, p[0] + 3, l0 - 3) == l0 - 3);
	CHECK(etsi_stream_next(&s, &it) == 1 && it.len == l0 && s.fmt == ETSI_STREAM_X2X3);
	etsi_stream_reject(&s);
	CHECK(s.fmt == ETSI_STREAM_X2X3);
	/* From now on a BER PDU is no candidate: dropped as part of the rejected region (the
	 * rejection was its report). */
	uint8_t b[256];
	size_t lb = cc_pdu(b, 1, 10);
	CHECK(etsi_stream_feed(&s, b, lb) == lb);
	CHECK(etsi_stream_next(&s, &it) == 0);
	CHECK(s.skipped == l0 + lb && s.rejected == 1 && s.pdus == 0 && s.errors == 0);
	/* An X2/X3 PDU after it is found. */
	CHECK(etsi_stream_feed(&s, p[1], l1) == l1);
	CHECK(etsi_stream_next(&s, &it) == 1 && it.offset == l0 + lb && it.len == l1);
	etsi_stream_free(&s);
}

/* Many PDUs through a small buffer in odd-sized chunks: the buffer is compacted many times
 * and nothing is lost or reordered. */
static void test_compaction(void)
{
	where = "compaction";
	static struct ev want[MAX_EV];
	size_t nw = 0;
	in_len = 0;
	for (uint32_t i = 0; i < 40; i++) {
		uint8_t p[256];
		size_t l = cc_pdu(p, i, 60 + i);
		want[nw++] = (struct ev){EV_PDU, in_len, l, 0};
		add(p, l);
	}
	want[nw++] = (struct ev){.kind = EV_END};
	struct run r = {.fmt = ETSI_STREAM_BER, .max_pdu = 256, .chunk = 37, .decode = 1};
	run(&r, in, in_len);
	expect(&r, want, nw);
	etsi_stream_free(&r.s);

	/* space()/commit() by hand: the room offered never drops below max_pdu once drained. */
	struct etsi_stream s;
	struct etsi_stream_item it;
	CHECK(etsi_stream_init(&s, ETSI_STREAM_BER, 256) == 0);
	size_t pos = 0, got = 0, min_room = SIZE_MAX;
	while (pos < in_len) {
		size_t room;
		uint8_t *w = etsi_stream_space(&s, &room);
		CHECK(w != NULL);
		if (w == NULL)
			break;
		min_room = room < min_room ? room : min_room;
		size_t k = in_len - pos < 100 ? in_len - pos : 100;
		k = k < room ? k : room;
		memcpy(w, in + pos, k);
		etsi_stream_commit(&s, k);
		pos += k;
		while (etsi_stream_next(&s, &it) == 1)
			got++;
	}
	CHECK(got == 40 && min_room >= 256 && s.head == s.tail);
	etsi_stream_free(&s);
}

int main(void)
{
	cc_setup();
	test_ber_frame_lengths();
	test_ber_frame_limits();
	test_ber_frame_indef();
	test_ber_frame_depth();
	test_init();
	test_whole_and_bytewise();
	test_back_to_back();
	test_indef_pdu();
	test_stream_errors();
	test_garbage_between();
	test_toobig();
	test_truncated();
	test_lying_length();
	test_reject();
	test_x2x3();
	test_auto();
	test_compaction();
	printf("etsi-stream: %ld checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
