/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frame builder and random frame generator (see pktgen.h). The random mix is tuned so that a
 * testbench comparing the HLS data plane with the golden model over ~1M frames reaches every
 * branch of hls/SEMANTICS.md: addresses and contexts come mostly from the pool so rules hit,
 * lengths are right unless a frame is deliberately damaged, and a large minority is damaged in
 * one or more of the ways the parser must notice.
 */
#include "pktgen.h"

#include <string.h>

/* ------------------------------------------------------------------------------------------ */
/* Random numbers                                                                             */

void pkt_rng_seed(struct pkt_rng *r, uint64_t seed)
{
	/* splitmix64 finaliser: nearby seeds give unrelated streams, and since it is a bijection
	 * only one seed lands on xorshift's all-zero fixed point, which is then moved off it. */
	uint64_t z = seed + 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	r->s = z ? z : 0x9e3779b97f4a7c15ull;
}

uint64_t pkt_rng_next(struct pkt_rng *r)
{
	uint64_t x = r->s;

	if (x == 0) /* a zero-initialised, never seeded generator would stick at 0 */
		x = 0x9e3779b97f4a7c15ull;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->s = x;
	return x * 0x2545f4914f6cdd1dull;
}

uint32_t pkt_rng_below(struct pkt_rng *r, uint32_t n)
{
	/* Multiply-shift on the high half (the better-mixed bits); bias is below 2^-32. */
	return (uint32_t)(((pkt_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* ------------------------------------------------------------------------------------------ */
/* Pool                                                                                       */

static int pool_has(const uint8_t *arr, size_t stride, unsigned n, const uint8_t *x)
{
	for (unsigned i = 0; i < n; i++)
		if (memcmp(arr + (size_t)i * stride, x, stride) == 0)
			return 1;
	return 0;
}

/* Bumps the last two bytes as a counter until x is new: deterministic and always terminates,
 * as every array holds far fewer entries than the 65536 values a bump cycles through. */
static void pool_dedupe(const uint8_t *arr, size_t stride, unsigned n, uint8_t *x)
{
	while (pool_has(arr, stride, n, x)) {
		uint16_t v = (uint16_t)((x[stride - 2] << 8 | x[stride - 1]) + 1u);
		x[stride - 2] = (uint8_t)(v >> 8);
		x[stride - 1] = (uint8_t)v;
	}
}

static int ctx_has(const uint32_t *arr, unsigned n, uint32_t v)
{
	for (unsigned i = 0; i < n; i++)
		if (arr[i] == v)
			return 1;
	return 0;
}

static int ctx16_has(const uint16_t *arr, unsigned n, uint16_t v)
{
	for (unsigned i = 0; i < n; i++)
		if (arr[i] == v)
			return 1;
	return 0;
}

void pkt_pool_init(struct pkt_pool *p, struct pkt_rng *r)
{
	static const uint8_t v4_pfx[4][2] = {{10, 1}, {10, 2}, {192, 168}, {172, 16}};
	static const uint8_t v6_pfx[3][6] = {
		{0x20, 0x01, 0x0d, 0xb8, 0x00, 0xaa},
		{0x20, 0x01, 0x0d, 0xb8, 0x00, 0xbb},
		{0xfd, 0x12, 0x34, 0x56, 0x78, 0x9a},
	};
	static const uint8_t ouis[4][3] = {
		{0x00, 0x1b, 0x21}, {0x3c, 0xfd, 0xfe}, {0x52, 0x54, 0x00}, {0x02, 0xc1, 0x1f}};
	unsigned i, k;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < PKT_POOL_ADDRS; i++) {
		uint8_t a[4], m[6], s[16];

		/* A small third octet and /64 subnet id make /24 and /64 rules cover several too. */
		memcpy(a, v4_pfx[pkt_rng_below(r, 4)], 2);
		a[2] = (uint8_t)pkt_rng_below(r, 8);
		a[3] = (uint8_t)(1 + pkt_rng_below(r, 254));
		pool_dedupe(&p->v4[0][0], 4, i, a);
		memcpy(p->v4[i], a, 4);

		memcpy(s, v6_pfx[pkt_rng_below(r, 3)], 6);
		s[6] = 0;
		s[7] = (uint8_t)pkt_rng_below(r, 4);
		for (k = 8; k < 16; k++)
			s[k] = (uint8_t)pkt_rng_next(r);
		pool_dedupe(&p->v6[0][0], 16, i, s);
		memcpy(p->v6[i], s, 16);

		memcpy(m, ouis[pkt_rng_below(r, 4)], 3);
		for (k = 3; k < 6; k++)
			m[k] = (uint8_t)pkt_rng_next(r);
		pool_dedupe(&p->mac[0][0], 6, i, m);
		memcpy(p->mac[i], m, 6);
	}
	for (i = 0; i < PKT_POOL_CTX; i++) {
		uint32_t vni = pkt_rng_below(r, 2) ? 1 + pkt_rng_below(r, 4096)
						   : 1 + pkt_rng_below(r, 0xfffffe);
		uint16_t vid = (uint16_t)(1 + pkt_rng_below(r, 4094));
		uint16_t vp = (uint16_t)pkt_rng_below(r, 32);

		while (ctx_has(p->vni, i, vni))
			vni = vni % 0xffffffu + 1;
		while (ctx16_has(p->vid, i, vid))
			vid = (uint16_t)(vid % 4094u + 1);
		while (ctx16_has(p->vport, i, vp))
			vp = (uint16_t)((vp + 1u) % 32u);
		p->vni[i] = vni;
		p->vid[i] = vid;
		p->vport[i] = vp;
	}
}

/* ------------------------------------------------------------------------------------------ */
/* Builder                                                                                    */

static size_t room(const struct pkt_buf *b)
{
	return b->len < CLIF_DP_MAX_FRAME ? CLIF_DP_MAX_FRAME - b->len : 0;
}

void pkt_reset(struct pkt_buf *b)
{
	b->len = 0; /* no clearing: every byte below len is written before it is counted */
}

void pkt_bytes(struct pkt_buf *b, const void *data, size_t n)
{
	size_t k = room(b);

	if (n < k)
		k = n;
	if (k == 0)
		return;
	memcpy(b->b + b->len, data, k);
	b->len = (uint16_t)(b->len + k);
}

void pkt_zeros(struct pkt_buf *b, size_t n)
{
	size_t k = room(b);

	if (n < k)
		k = n;
	if (k == 0)
		return;
	memset(b->b + b->len, 0, k);
	b->len = (uint16_t)(b->len + k);
}

void pkt_u8(struct pkt_buf *b, uint8_t v)
{
	pkt_bytes(b, &v, 1);
}

void pkt_be16(struct pkt_buf *b, uint16_t v)
{
	uint8_t t[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	pkt_bytes(b, t, 2);
}

void pkt_be32(struct pkt_buf *b, uint32_t v)
{
	uint8_t t[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};

	pkt_bytes(b, t, 4);
}

void pkt_put_be16(struct pkt_buf *b, uint16_t off, uint16_t v)
{
	/* Only bytes that exist are patched: a header the cap cut off stays cut off. */
	uint32_t end = b->len < CLIF_DP_MAX_FRAME ? b->len : CLIF_DP_MAX_FRAME;

	if (off < end)
		b->b[off] = (uint8_t)(v >> 8);
	if ((uint32_t)off + 1 < end)
		b->b[off + 1] = (uint8_t)v;
}

/* Byte patch with the same rule, for the generator's single-byte damage. */
static void put_u8(struct pkt_buf *b, uint32_t off, uint8_t v)
{
	if (off < b->len && off < CLIF_DP_MAX_FRAME)
		b->b[off] = v;
}

static uint8_t get_u8(const struct pkt_buf *b, uint32_t off)
{
	return off < b->len && off < CLIF_DP_MAX_FRAME ? b->b[off] : 0;
}

void pkt_eth(struct pkt_buf *b, const uint8_t dst[6], const uint8_t src[6], uint16_t type)
{
	pkt_bytes(b, dst, 6);
	pkt_bytes(b, src, 6);
	pkt_be16(b, type);
}

void pkt_vlan(struct pkt_buf *b, uint16_t vid, uint16_t type)
{
	pkt_be16(b, (uint16_t)(vid & 0x0fffu));
	pkt_be16(b, type);
}

uint16_t pkt_ipv4(struct pkt_buf *b, const uint8_t src[4], const uint8_t dst[4], uint8_t proto,
		  uint16_t payload_len, uint8_t opt_words, uint16_t frag_field)
{
	uint16_t off = b->len;
	uint8_t nop[40];

	/* IHL is 4 bits: opt_words above 10 wraps there but the option bytes are still written,
	 * which is one more way for a test to make a lying header. */
	pkt_u8(b, (uint8_t)(0x40u | ((5u + opt_words) & 0x0fu)));
	pkt_u8(b, 0);
	pkt_be16(b, (uint16_t)(20u + 4u * opt_words + payload_len));
	pkt_be16(b, 0);
	pkt_be16(b, frag_field);
	pkt_u8(b, 64);
	pkt_u8(b, proto);
	pkt_be16(b, 0);
	pkt_bytes(b, src, 4);
	pkt_bytes(b, dst, 4);
	memset(nop, 0x01, sizeof(nop));
	for (size_t left = 4u * (size_t)opt_words; left > 0;) {
		size_t k = left < sizeof(nop) ? left : sizeof(nop);

		pkt_bytes(b, nop, k);
		left -= k;
	}
	return off;
}

uint16_t pkt_ipv6(struct pkt_buf *b, const uint8_t src[16], const uint8_t dst[16], uint8_t next,
		  uint16_t payload_len)
{
	uint16_t off = b->len;

	pkt_be32(b, 0x60000000u);
	pkt_be16(b, payload_len);
	pkt_u8(b, next);
	pkt_u8(b, 64);
	pkt_bytes(b, src, 16);
	pkt_bytes(b, dst, 16);
	return off;
}

void pkt_v6_ext(struct pkt_buf *b, uint8_t next, uint8_t hlen)
{
	pkt_u8(b, next);
	pkt_u8(b, hlen);
	/* Zero bytes are Pad1 options, so hop-by-hop and destination options stay valid. */
	pkt_zeros(b, 8u * ((size_t)hlen + 1u) - 2u);
}

void pkt_v6_frag(struct pkt_buf *b, uint8_t next, uint16_t offset_units, int more)
{
	pkt_u8(b, next);
	pkt_u8(b, 0);
	pkt_be16(b, (uint16_t)((offset_units & 0x1fffu) << 3 | (more ? 1u : 0u)));
	pkt_be32(b, 0);
}

void pkt_tcp(struct pkt_buf *b, uint16_t sport, uint16_t dport, uint8_t doff)
{
	uint8_t nop[40];

	pkt_be16(b, sport);
	pkt_be16(b, dport);
	pkt_be32(b, 0);
	pkt_be32(b, 0);
	pkt_u8(b, (uint8_t)(doff << 4));
	pkt_u8(b, 0x10); /* ACK */
	pkt_be16(b, 0xffff);
	pkt_be32(b, 0); /* checksum, urgent pointer */
	if (doff > 5 && doff <= 15) {
		memset(nop, 0x01, sizeof(nop));
		pkt_bytes(b, nop, (size_t)(doff - 5) * 4u);
	}
}

void pkt_udp(struct pkt_buf *b, uint16_t sport, uint16_t dport, uint16_t payload_len)
{
	pkt_be16(b, sport);
	pkt_be16(b, dport);
	pkt_be16(b, (uint16_t)(8u + payload_len));
	pkt_be16(b, 0);
}

void pkt_sctp(struct pkt_buf *b, uint16_t sport, uint16_t dport)
{
	pkt_be16(b, sport);
	pkt_be16(b, dport);
	pkt_be32(b, 0); /* verification tag */
	pkt_be32(b, 0); /* checksum */
}

void pkt_icmp(struct pkt_buf *b, uint8_t type, uint8_t code)
{
	pkt_u8(b, type);
	pkt_u8(b, code);
	pkt_be16(b, 0);
	pkt_be32(b, 0);
}

void pkt_vxlan(struct pkt_buf *b, uint32_t vni)
{
	pkt_be32(b, 0x08000000u);
	pkt_be32(b, (vni & 0xffffffu) << 8);
}

void pkt_geneve(struct pkt_buf *b, uint32_t vni, uint8_t opt_words, uint16_t proto)
{
	/* byte 0 is taken as given, so a caller can set the version bits; only the 6-bit
	 * length part of it counts toward the option bytes actually written. */
	pkt_u8(b, opt_words);
	pkt_u8(b, 0);
	pkt_be16(b, proto);
	pkt_be32(b, (vni & 0xffffffu) << 8);
	pkt_zeros(b, 4u * (size_t)(opt_words & 0x3fu));
}

void pkt_nvgre(struct pkt_buf *b, uint32_t vsid, uint8_t flow)
{
	pkt_be16(b, 0x2000);
	pkt_be16(b, 0x6558);
	pkt_be32(b, (vsid & 0xffffffu) << 8 | flow);
}

/* ------------------------------------------------------------------------------------------ */
/* Random frames                                                                              */

/* Damage kinds. Some are applied while a header is written (they change what follows),
 * the length lies after the frame is complete (they must know the real end). */
#define D_TRUNC (1u << 0)         /* cut the finished frame short */
#define D_TINY (1u << 1)          /* 0..13 bytes */
#define D_VLAN_DEEP (1u << 2)     /* 3-4 tags */
#define D_V4_HDR (1u << 3)        /* IHL < 5 or version != 4 */
#define D_V4_LEN (1u << 4)        /* total length lies */
#define D_V6_HDR (1u << 5)        /* version != 6 */
#define D_V6_LEN (1u << 6)        /* payload length lies */
#define D_EXT_LEN (1u << 7)       /* an extension header runs past the packet */
#define D_EXT_DEEP (1u << 8)      /* 7-12 extension headers: both sides of the limit */
#define D_TCP_DOFF (1u << 9)      /* data offset < 5 or past the packet */
#define D_UDP_LEN (1u << 10)      /* UDP length lies */
#define D_VXLAN_FLAG (1u << 11)   /* I flag clear */
#define D_GENEVE_VER (1u << 12)   /* version != 0 */
#define D_GENEVE_OPTLEN (1u << 13) /* options past the end */
#define D_GRE_BAD (1u << 14)      /* routing, version, no key, or cut short */
#define D_NESTED (1u << 15)       /* an overlay inside the overlay */
#define D_WINDOW (1u << 16)       /* headers pushed past the parse window */

/* Damage that belongs to one layer; the rest is frame-wide or about the overlay. */
#define D_LAYER (D_VLAN_DEEP | D_V4_HDR | D_V4_LEN | D_V6_HDR | D_V6_LEN | D_EXT_LEN | \
		 D_EXT_DEEP | D_TCP_DOFF | D_UDP_LEN)

enum { OV_NONE, OV_VXLAN, OV_GENEVE, OV_NVGRE };

/* What one layer must contain; zero fields are free choices. */
struct lspec {
	uint32_t dmg;   /* D_LAYER bits for this layer, plus the overlay bits on the outer one */
	uint8_t l3;     /* 4 or 6 */
	uint8_t l4;     /* IP protocol */
	uint8_t ovl;    /* outer: the overlay to build; inner: the overlay to nest (damage) */
	uint8_t no_eth; /* Geneve payload starting at IP */
};

/* A length field set to "end of content - base" once the frame is complete. */
struct lfix {
	uint16_t field, base, sub;
	uint16_t add;
};

enum { P_V4_LEN, P_V6_LEN, P_UDP_LEN, P_EXT_LEN, P_AH_LEN };
struct lpost {
	uint8_t kind;
	uint16_t off;
};

#define GEN_MARKS 64u
struct gen {
	struct pkt_rng *r;
	const struct pkt_pool *p;
	struct pkt_buf *b;
	struct lspec in;     /* the inner layer, built by the overlay */
	uint16_t gproto;     /* Geneve protocol type */
	int inflate;         /* D_WINDOW: grow headers */
	uint32_t budget;     /* bytes the grown headers still share */
	int long_payload;    /* the next payload is jumbo-sized */
	struct lfix fix[8];
	unsigned nfix;
	struct lpost post[8];
	unsigned npost;
	uint16_t mark[GEN_MARKS]; /* header starts, where truncation is most interesting */
	unsigned nmark;
};

static uint32_t rb(struct gen *g, uint32_t n)
{
	return pkt_rng_below(g->r, n);
}

static int chance(struct gen *g, uint32_t pct)
{
	return rb(g, 100) < pct;
}

static void mark(struct gen *g)
{
	if (g->nmark < GEN_MARKS)
		g->mark[g->nmark++] = g->b->len;
}

static void add_fix(struct gen *g, uint16_t field, uint16_t base, uint16_t sub, uint16_t add)
{
	if (g->nfix < sizeof(g->fix) / sizeof(g->fix[0]))
		g->fix[g->nfix++] = (struct lfix){field, base, sub, add};
}

static void add_post(struct gen *g, uint8_t kind, uint16_t off)
{
	if (g->npost < sizeof(g->post) / sizeof(g->post[0]))
		g->post[g->npost++] = (struct lpost){kind, off};
}

static void rnd_fill(struct gen *g, uint8_t *d, size_t n)
{
	while (n > 0) {
		uint64_t v = pkt_rng_next(g->r);
		size_t k = n < 8 ? n : 8;

		for (size_t i = 0; i < k; i++)
			d[i] = (uint8_t)(v >> (8 * i));
		d += k;
		n -= k;
	}
}

static void rnd_bytes(struct gen *g, size_t n)
{
	size_t k = room(g->b);

	if (n < k)
		k = n;
	rnd_fill(g, g->b->b + g->b->len, k);
	g->b->len = (uint16_t)(g->b->len + k);
}

/*
 * Bytes for one grown header out of the frame's budget. The budget rather than a size per
 * header puts the window's edge inside every kind of header in turn, not only the first
 * big one.
 */
static uint32_t grow(struct gen *g, uint32_t max)
{
	uint32_t n = g->budget < max ? g->budget : max;

	if (chance(g, 50))
		n = rb(g, n + 1);
	g->budget -= n;
	return n;
}

/* The innermost data of a frame: short mostly, now and then jumbo so long frames appear. */
static void payload(struct gen *g)
{
	uint32_t n;

	if (g->long_payload) {
		g->long_payload = 0;
		n = 200 + rb(g, 8800);
	} else {
		n = rb(g, 201);
	}
	rnd_bytes(g, n);
}

static void pick_mac(struct gen *g, uint8_t m[6], int dst)
{
	uint32_t r = rb(g, 100);

	if (r < 80) {
		memcpy(m, g->p->mac[rb(g, PKT_POOL_ADDRS)], 6);
	} else if (r < 92 || !dst) {
		rnd_fill(g, m, 6);
	} else if (r < 96) {
		memset(m, 0xff, 6);
	} else {
		static const uint8_t mc4[3] = {0x01, 0x00, 0x5e};

		rnd_fill(g, m, 6);
		if (r < 98) {
			memcpy(m, mc4, 3);
		} else {
			m[0] = 0x33;
			m[1] = 0x33;
		}
	}
}

static void pick_v4(struct gen *g, uint8_t a[4])
{
	static const uint8_t special[4][4] = {
		{0, 0, 0, 0}, {255, 255, 255, 255}, {224, 0, 0, 251}, {127, 0, 0, 1}};
	uint32_t r = rb(g, 100);

	if (r < 85)
		memcpy(a, g->p->v4[rb(g, PKT_POOL_ADDRS)], 4);
	else if (r < 95)
		rnd_fill(g, a, 4);
	else
		memcpy(a, special[rb(g, 4)], 4);
}

static void pick_v6(struct gen *g, uint8_t a[16])
{
	uint32_t r = rb(g, 100);

	if (r < 85) {
		memcpy(a, g->p->v6[rb(g, PKT_POOL_ADDRS)], 16);
	} else if (r < 95) {
		rnd_fill(g, a, 16);
	} else {
		memset(a, 0, 16);
		switch (rb(g, 4)) {
		case 0: /* :: */
			break;
		case 1: /* ::1 */
			a[15] = 1;
			break;
		case 2: /* ff02::1 */
			a[0] = 0xff;
			a[1] = 0x02;
			a[15] = 1;
			break;
		default: /* fe80::/64 */
			a[0] = 0xfe;
			a[1] = 0x80;
			rnd_fill(g, a + 8, 8);
			break;
		}
	}
}

static uint16_t pick_vid(struct gen *g)
{
	/* Off-pool VIDs include 0 and 4095, which the parser treats like any other. */
	return chance(g, 80) ? g->p->vid[rb(g, PKT_POOL_CTX)] : (uint16_t)rb(g, 4096);
}

static uint32_t pick_vni(struct gen *g)
{
	return chance(g, 85) ? g->p->vni[rb(g, PKT_POOL_CTX)] & 0xffffffu
			     : (uint32_t)pkt_rng_next(g->r) & 0xffffffu;
}

static uint16_t port_from_set(struct gen *g)
{
	static const uint16_t fixed[4] = {53, 80, 443, 5060};
	uint32_t i = rb(g, 15);

	return i < 4 ? fixed[i] : (uint16_t)(1000 + i - 4);
}

static uint16_t pick_dport(struct gen *g)
{
	return chance(g, 55) ? port_from_set(g) : (uint16_t)rb(g, 65536);
}

static uint16_t pick_sport(struct gen *g)
{
	return chance(g, 20) ? port_from_set(g) : (uint16_t)(1024 + rb(g, 64512));
}

static void gen_layer(struct gen *g, int inner, const struct lspec *s);

static uint8_t pick_proto(struct gen *g, const struct lspec *s, int v6)
{
	static const uint8_t other[8] = {50, 89, 103, 2, 4, 41, 0, 255};
	uint32_t r;

	if (s->ovl == OV_VXLAN || s->ovl == OV_GENEVE)
		return 17;
	if (s->ovl == OV_NVGRE)
		return 47;
	if (s->l4)
		return s->l4;
	r = rb(g, 100);
	if (r < 32)
		return 6;
	if (r < 66)
		return 17;
	if (r < 73)
		return 132;
	if (r < 81)
		return v6 ? 58 : 1;
	if (r < 83) /* the other family's ICMP is just another protocol */
		return v6 ? 1 : 58;
	if (r < 89)
		return 47;
	if (r < 96)
		return other[rb(g, 8)];
	return (uint8_t)rb(g, 256);
}

static void gen_tcp(struct gen *g, const struct lspec *s)
{
	uint16_t sp = pick_sport(g), dp = pick_dport(g), off = g->b->len;
	uint8_t doff;

	if (s->dmg & D_TCP_DOFF) {
		if (chance(g, 50)) {
			pkt_tcp(g->b, sp, dp, (uint8_t)rb(g, 5));
			payload(g);
		} else {
			/* Options claimed but the packet ends inside them. */
			doff = (uint8_t)(6 + rb(g, 10));
			pkt_tcp(g->b, sp, dp, 5);
			put_u8(g->b, off + 12u, (uint8_t)(doff << 4));
			rnd_bytes(g, rb(g, (doff - 5u) * 4u));
		}
		return;
	}
	doff = chance(g, 60) ? 5 : (uint8_t)(6 + rb(g, 10));
	pkt_tcp(g->b, sp, dp, doff);
	if (chance(g, 5)) /* NS and reserved bits share the byte with the data offset */
		put_u8(g->b, off + 12u, (uint8_t)(doff << 4 | rb(g, 16)));
	payload(g);
}

/* An overlay header where none may be (inner layer): the parser must stop at it. */
static void gen_nested(struct gen *g, int kind)
{
	uint32_t vni = pick_vni(g);

	if (kind == OV_VXLAN)
		pkt_vxlan(g->b, vni);
	else if (kind == OV_GENEVE)
		pkt_geneve(g->b, vni, (uint8_t)rb(g, 3), 0x6558);
	else
		pkt_nvgre(g->b, vni, (uint8_t)rb(g, 256));
	payload(g);
}

static void gen_vxlan(struct gen *g, const struct lspec *s)
{
	uint16_t off = g->b->len;

	mark(g);
	pkt_vxlan(g->b, pick_vni(g));
	if (s->dmg & D_VXLAN_FLAG)
		put_u8(g->b, off, (uint8_t)(rb(g, 256) & ~0x08u));
	else if (chance(g, 5)) /* other flag bits (GBP, GPE) do not matter */
		put_u8(g->b, off, (uint8_t)(rb(g, 256) | 0x08u));
	gen_layer(g, 1, &g->in);
}

static void gen_geneve(struct gen *g, const struct lspec *s)
{
	uint16_t off = g->b->len;
	uint8_t words;

	mark(g);
	if (s->dmg & D_GENEVE_OPTLEN) {
		uint8_t declared = (uint8_t)(1 + rb(g, 63));

		pkt_geneve(g->b, pick_vni(g), 0, g->gproto);
		put_u8(g->b, off, declared);
		rnd_bytes(g, rb(g, declared * 4u));
		return;
	}
	if (g->inflate)
		words = (uint8_t)(grow(g, 252) / 4);
	else
		words = chance(g, 70) ? 0 : (uint8_t)(1 + rb(g, 10));
	pkt_geneve(g->b, pick_vni(g), words, g->gproto);
	if (s->dmg & D_GENEVE_VER)
		put_u8(g->b, off, (uint8_t)(words | (1 + rb(g, 3)) << 6));
	if (chance(g, 5)) /* O and C flags do not matter */
		put_u8(g->b, off + 1u, (uint8_t)rb(g, 256));
	if (g->gproto == 0x6558 || g->gproto == 0x0800 || g->gproto == 0x86DD)
		gen_layer(g, 1, &g->in);
	else
		payload(g);
}

static void gen_gre(struct gen *g, int inner, const struct lspec *s)
{
	uint16_t f;
	uint32_t vni;
	uint8_t flow;

	if (inner && s->ovl == OV_NVGRE) {
		gen_nested(g, OV_NVGRE);
		return;
	}
	if (inner || s->ovl != OV_NVGRE) {
		/* Plain GRE: anything but transparent Ethernet, so no overlay. */
		static const uint16_t protos[6] = {0x0800, 0x86DD, 0x88BE, 0x22EB, 0x8847, 0x0001};
		uint16_t proto = protos[rb(g, 6)];

		f = chance(g, 30) ? 0x2000 : 0;
		pkt_be16(g->b, f);
		pkt_be16(g->b, proto);
		if (f)
			pkt_be32(g->b, (uint32_t)pkt_rng_next(g->r));
		payload(g);
		return;
	}

	f = 0x2000;
	if (chance(g, 15))
		f |= 0x8000; /* checksum present: moves the key */
	if (chance(g, 15))
		f |= 0x1000; /* sequence number present: lengthens the header */
	if (chance(g, 5))
		f |= (uint16_t)((rb(g, 256) << 3) & 0x07f8u); /* ignored bits */
	if (s->dmg & D_GRE_BAD) {
		unsigned hlen = 4u + ((f & 0x8000) ? 4u : 0u) + 4u + ((f & 0x1000) ? 4u : 0u);

		switch (rb(g, 4)) {
		case 0:
			f |= (uint16_t)(1 + rb(g, 7));
			break;
		case 1:
			f |= 0x4000;
			break;
		case 2:
			f &= (uint16_t)~0x2000u;
			break;
		default: /* valid flags, header cut short by the packet's end */
			pkt_be16(g->b, f);
			pkt_be16(g->b, 0x6558);
			rnd_bytes(g, rb(g, hlen - 4u));
			return;
		}
	}
	vni = pick_vni(g);
	flow = (uint8_t)rb(g, 256);
	if (f == 0x2000) {
		pkt_nvgre(g->b, vni, flow);
	} else {
		pkt_be16(g->b, f);
		pkt_be16(g->b, 0x6558);
		if (f & 0x8000)
			pkt_be32(g->b, 0);
		if (f & 0x2000)
			pkt_be32(g->b, vni << 8 | flow);
		if (f & 0x1000)
			pkt_be32(g->b, (uint32_t)pkt_rng_next(g->r));
	}
	gen_layer(g, 1, &g->in);
}

static void gen_udp(struct gen *g, int inner, const struct lspec *s, int frag)
{
	uint16_t sp = pick_sport(g), dp, off = g->b->len;
	int ov = s->ovl == OV_VXLAN || s->ovl == OV_GENEVE ? s->ovl : OV_NONE;

	dp = ov == OV_VXLAN ? 4789 : ov == OV_GENEVE ? 6081 : pick_dport(g);
	pkt_udp(g->b, sp, dp, 0);
	/* A first fragment's UDP length covers the whole datagram; the parser must not care. */
	add_fix(g, off + 4u, off, 0, frag && chance(g, 50) ? (uint16_t)rb(g, 3000) : 0);
	if (s->dmg & D_UDP_LEN)
		add_post(g, P_UDP_LEN, off);
	if (ov == OV_NONE)
		payload(g);
	else if (inner)
		gen_nested(g, ov);
	else if (ov == OV_VXLAN)
		gen_vxlan(g, s);
	else
		gen_geneve(g, s);
}

static void gen_l4(struct gen *g, int inner, const struct lspec *s, uint8_t proto, int frag)
{
	static const uint8_t icmp4[4] = {0, 3, 8, 11};
	static const uint8_t icmp6[8] = {1, 2, 3, 128, 129, 133, 135, 136};
	uint16_t sp; /* rng draws in separate statements: argument order is unspecified */

	mark(g);
	switch (proto) {
	case 6:
		gen_tcp(g, s);
		break;
	case 17:
		gen_udp(g, inner, s, frag);
		break;
	case 132:
		sp = pick_sport(g);
		pkt_sctp(g->b, sp, pick_dport(g));
		payload(g);
		break;
	case 1:
		sp = icmp4[rb(g, 4)];
		pkt_icmp(g->b, (uint8_t)sp, (uint8_t)rb(g, 4));
		payload(g);
		break;
	case 58:
		pkt_icmp(g->b, icmp6[rb(g, 8)], 0);
		payload(g);
		break;
	case 47:
		gen_gre(g, inner, s);
		break;
	default:
		payload(g);
		break;
	}
}

static void gen_ipv4(struct gen *g, int inner, const struct lspec *s)
{
	uint8_t src[4], dst[4], opt = 0, proto;
	uint16_t frag, off;
	int need_l4 = s->l4 || s->ovl;
	uint32_t r = rb(g, 100);

	pick_v4(g, src);
	pick_v4(g, dst);
	if (g->inflate)
		opt = (uint8_t)(grow(g, 40) / 4);
	else if (chance(g, 15))
		opt = (uint8_t)(1 + rb(g, 10));
	/* Frames whose damage or overlay lies above L3 keep fragments rare, or it is never reached. */
	if (need_l4 && r >= 3) {
		frag = r < 50 ? 0x4000 : 0;
	} else if (need_l4 || (r >= 70 && r < 80)) {
		frag = 0x2000; /* first fragment: transport still parsed */
	} else if (r < 40) {
		frag = 0x4000;
	} else if (r < 70) {
		frag = 0;
	} else {
		frag = chance(g, 50) ? 0x2000 : 0;
		frag |= (uint16_t)(1 + rb(g, 0x1fff));
	}
	if (chance(g, 2)) /* the reserved bit is not a fragment */
		frag |= 0x8000;
	proto = pick_proto(g, s, 0);

	mark(g);
	off = pkt_ipv4(g->b, src, dst, proto, 0, opt, frag);
	add_fix(g, off + 2u, off, 0, 0);
	if (s->dmg & D_V4_HDR) {
		static const uint8_t badver[6] = {0, 1, 5, 6, 7, 15};

		if (chance(g, 50))
			put_u8(g->b, off, (uint8_t)(badver[rb(g, 6)] << 4 | ((5u + opt) & 0x0fu)));
		else
			put_u8(g->b, off, (uint8_t)(0x40u | rb(g, 5)));
	}
	if (s->dmg & D_V4_LEN)
		add_post(g, P_V4_LEN, off);
	if (frag & 0x1fff)
		payload(g);
	else
		gen_l4(g, inner, s, proto, (frag & 0x2000) != 0);
}

static void gen_ipv6(struct gen *g, int inner, const struct lspec *s)
{
	/* hop-by-hop is weighted in twice so chains often start the usual way */
	static const uint8_t ext_types[9] = {0, 0, 43, 60, 51, 44, 135, 139, 140};
	uint8_t src[16], dst[16], ext[12], proto;
	uint16_t off, cand[12];
	uint8_t cand_ah[12];
	unsigned n, i, ncand = 0;
	int need_l4 = s->l4 || s->ovl, frag = 0, nonfirst = 0;

	pick_v6(g, src);
	pick_v6(g, dst);
	proto = pick_proto(g, s, 1);
	if (s->dmg & D_EXT_DEEP)
		n = 7 + rb(g, 6);
	else if (g->inflate)
		n = 1 + rb(g, 4);
	else if (s->dmg & D_EXT_LEN)
		n = 1 + rb(g, 4);
	else
		n = chance(g, 60) ? 0 : 1 + rb(g, 4);
	for (i = 0; i < n; i++) {
		uint8_t t = ext_types[rb(g, 9)];

		if (t == 44 && (s->dmg & D_EXT_LEN))
			t = 60; /* a fragment header has no length to lie with */
		if (t == 44 && !need_l4 && !(s->dmg & D_EXT_DEEP) && chance(g, 50)) {
			nonfirst = 1; /* the parser stops here, so the chain does too */
			n = i + 1;
		}
		ext[i] = t;
	}

	mark(g);
	off = pkt_ipv6(g->b, src, dst, n ? ext[0] : proto, 0);
	add_fix(g, off + 4u, off, 40, 0);
	if (chance(g, 5)) { /* traffic class and flow label share the version's word */
		put_u8(g->b, off, (uint8_t)(0x60u | rb(g, 16)));
		put_u8(g->b, off + 1u, (uint8_t)rb(g, 256));
	}
	if (s->dmg & D_V6_HDR) {
		static const uint8_t badver[5] = {0, 4, 5, 7, 15};

		put_u8(g->b, off, (uint8_t)(badver[rb(g, 5)] << 4 | (get_u8(g->b, off) & 0x0fu)));
	}
	if (s->dmg & D_V6_LEN)
		add_post(g, P_V6_LEN, off);

	for (i = 0; i < n; i++) {
		uint8_t next = i + 1 < n ? ext[i + 1] : proto, h;
		uint16_t eoff = g->b->len;

		mark(g);
		if (ext[i] == 44) {
			int last = nonfirst && i + 1 == n;
			uint16_t fo = last ? (uint16_t)(1 + rb(g, 0x1fff)) : 0;

			pkt_v6_frag(g->b, next, fo, last ? chance(g, 50) : 1);
			frag = 1;
			continue;
		}
		if (ext[i] == 51) {
			/* AH counts 4-byte words minus 2, unlike the other headers */
			h = g->inflate ? (uint8_t)(1 + grow(g, 1016) / 4)
							: (uint8_t)(1 + rb(g, 6));
			pkt_u8(g->b, next);
			pkt_u8(g->b, h);
			pkt_be16(g->b, 0);
			pkt_be32(g->b, (uint32_t)pkt_rng_next(g->r)); /* SPI */
			pkt_zeros(g->b, ((size_t)h + 2u) * 4u - 8u);
		} else {
			if (g->inflate)
				h = (uint8_t)(grow(g, 2040) / 8);
			else
				h = chance(g, 70) ? 0 : (uint8_t)(1 + rb(g, 3));
			pkt_v6_ext(g->b, next, h);
		}
		if (ncand < 12) {
			cand[ncand] = eoff;
			cand_ah[ncand++] = ext[i] == 51;
		}
	}
	if ((s->dmg & D_EXT_LEN) && ncand) {
		i = rb(g, ncand);
		add_post(g, cand_ah[i] ? P_AH_LEN : P_EXT_LEN, cand[i]);
	}
	if (nonfirst)
		payload(g);
	else
		gen_l4(g, inner, s, proto, frag);
}

static void gen_arp(struct gen *g)
{
	uint8_t m[6], a[4];

	pkt_be16(g->b, 1);
	pkt_be16(g->b, 0x0800);
	pkt_u8(g->b, 6);
	pkt_u8(g->b, 4);
	pkt_be16(g->b, (uint16_t)(1 + rb(g, 2)));
	pick_mac(g, m, 0);
	pkt_bytes(g->b, m, 6);
	pick_v4(g, a);
	pkt_bytes(g->b, a, 4);
	pkt_zeros(g->b, 6);
	pick_v4(g, a);
	pkt_bytes(g->b, a, 4);
}

static uint16_t pick_ethertype(struct gen *g, const struct lspec *s)
{
	static const uint16_t other[8] = {0x88CC, 0x8847, 0x88E5, 0x88F7, 0x8906, 0x9000, 0x0842,
					  0x86DC};
	uint32_t r;

	if (s->l3 == 4)
		return 0x0800;
	if (s->l3 == 6)
		return 0x86DD;
	if (s->l4 || s->ovl)
		return chance(g, 55) ? 0x0800 : 0x86DD;
	r = rb(g, 100);
	if (r < 46)
		return 0x0800;
	if (r < 81)
		return 0x86DD;
	if (r < 87)
		return 0x0806;
	if (r < 94)
		return other[rb(g, 8)];
	if (r < 97) /* 802.3 length field */
		return (uint16_t)(46 + rb(g, 1455));
	return (uint16_t)(0x0600 + rb(g, 0x10000 - 0x0600));
}

static uint16_t gen_l2(struct gen *g, const struct lspec *s)
{
	static const uint16_t tpids[3] = {0x8100, 0x88A8, 0x9100};
	uint8_t dst[6], src[6];
	uint16_t type, tp[4];
	unsigned ntag, i;
	uint32_t r = rb(g, 100);

	pick_mac(g, dst, 1);
	pick_mac(g, src, 0);
	if (s->dmg & D_VLAN_DEEP)
		ntag = 3 + rb(g, 2);
	else if (g->inflate)
		ntag = rb(g, 3);
	else
		ntag = r < 55 ? 0 : r < 85 ? 1 : 2;
	for (i = 0; i < ntag; i++)
		tp[i] = tpids[rb(g, 3)];
	type = pick_ethertype(g, s);

	mark(g);
	pkt_eth(g->b, dst, src, ntag ? tp[0] : type);
	for (i = 0; i < ntag; i++) {
		uint16_t vid = pick_vid(g), off = g->b->len;

		mark(g);
		pkt_vlan(g->b, vid, i + 1 < ntag ? tp[i + 1] : type);
		if (chance(g, 10)) /* PCP and DEI must not leak into the VID */
			pkt_put_be16(g->b, off, (uint16_t)(rb(g, 16) << 12 | vid));
	}
	return type;
}

static void gen_layer(struct gen *g, int inner, const struct lspec *s)
{
	uint16_t type;

	if (s->no_eth) {
		type = s->l3 == 6 ? 0x86DD : 0x0800;
	} else {
		type = gen_l2(g, s);
	}
	if (type == 0x0800) {
		gen_ipv4(g, inner, s);
	} else if (type == 0x86DD) {
		gen_ipv6(g, inner, s);
	} else {
		mark(g);
		if (type == 0x0806)
			gen_arp(g);
		else
			payload(g);
	}
}

/* The post-build lies: each knows the true value and picks one that is wrong (or, as a
 * variant, shorter but legal, which moves the limit the next headers are read under). */
static void apply_post(struct gen *g, const struct lpost *pp, uint16_t end)
{
	struct pkt_buf *b = g->b;
	uint32_t actual = end - pp->off, v;

	switch (pp->kind) {
	case P_V4_LEN: {
		uint32_t ihl4 = (get_u8(b, pp->off) & 0x0fu) * 4u;

		switch (rb(g, 4)) {
		case 0:
			v = rb(g, ihl4 ? ihl4 : 1);
			break;
		case 1:
			v = actual + 1 + rb(g, 64);
			break;
		case 2:
			v = chance(g, 50) ? 0xffff : actual + 1 + rb(g, 9000);
			break;
		default:
			v = actual > ihl4 ? ihl4 + rb(g, actual - ihl4) : rb(g, ihl4 + 1);
			break;
		}
		pkt_put_be16(b, (uint16_t)(pp->off + 2u), (uint16_t)(v > 0xffff ? 0xffff : v));
		break;
	}
	case P_V6_LEN:
		actual = actual >= 40 ? actual - 40 : 0;
		switch (rb(g, 3)) {
		case 0:
			v = actual + 1 + rb(g, 64);
			break;
		case 1:
			v = chance(g, 50) ? 0xffff : actual + 1 + rb(g, 9000);
			break;
		default:
			v = rb(g, actual + 1);
			break;
		}
		pkt_put_be16(b, (uint16_t)(pp->off + 4u), (uint16_t)(v > 0xffff ? 0xffff : v));
		break;
	case P_UDP_LEN:
		switch (rb(g, 4)) {
		case 0:
			v = rb(g, 8);
			break;
		case 1:
			v = actual + 1 + rb(g, 64);
			break;
		case 2:
			v = 0xffff;
			break;
		default: /* the overlay's limit shrinks into the inner frame */
			v = actual > 8 ? 8 + rb(g, actual - 8) : rb(g, 8);
			break;
		}
		pkt_put_be16(b, (uint16_t)(pp->off + 4u), (uint16_t)(v > 0xffff ? 0xffff : v));
		break;
	case P_EXT_LEN:
		/* smallest h with (h+1)*8 > actual, plus a little */
		v = actual / 8 + rb(g, 4);
		put_u8(b, pp->off + 1u, (uint8_t)(v > 255 ? 255 : v));
		break;
	case P_AH_LEN:
		/* smallest h with (h+2)*4 > actual, plus a little */
		v = (actual / 4 >= 1 ? actual / 4 - 1 : 0) + rb(g, 4);
		put_u8(b, pp->off + 1u, (uint8_t)(v > 255 ? 255 : v));
		break;
	default:
		break;
	}
}

static const struct {
	uint32_t bit;
	uint8_t weight;
} dmg_table[] = {
	{D_TRUNC, 24},     {D_TINY, 3},         {D_VLAN_DEEP, 5},     {D_V4_HDR, 5},
	{D_V4_LEN, 6},     {D_V6_HDR, 4},       {D_V6_LEN, 6},        {D_EXT_LEN, 5},
	{D_EXT_DEEP, 5},   {D_TCP_DOFF, 6},     {D_UDP_LEN, 7},       {D_VXLAN_FLAG, 4},
	{D_GENEVE_VER, 3}, {D_GENEVE_OPTLEN, 4}, {D_GRE_BAD, 5},      {D_NESTED, 6},
	{D_WINDOW, 8},
};

static uint32_t pick_damage(struct gen *g)
{
	uint32_t total = 0, r;
	size_t i;

	for (i = 0; i < sizeof(dmg_table) / sizeof(dmg_table[0]); i++)
		total += dmg_table[i].weight;
	r = rb(g, total);
	for (i = 0; r >= dmg_table[i].weight; i++)
		r -= dmg_table[i].weight;
	return dmg_table[i].bit;
}

/* Gives a layer one piece of damage with what it needs underneath; drops it if the layer
 * already needs something else. */
static void assign_damage(struct lspec *s, uint32_t bit)
{
	uint8_t l3 = 0, l4 = 0;

	if (bit & (D_V4_HDR | D_V4_LEN))
		l3 = 4;
	if (bit & (D_V6_HDR | D_V6_LEN | D_EXT_LEN | D_EXT_DEEP))
		l3 = 6;
	if (bit & D_TCP_DOFF)
		l4 = 6;
	if (bit & D_UDP_LEN)
		l4 = 17;
	if ((l3 && s->l3 && s->l3 != l3) || (l4 && s->l4 && s->l4 != l4))
		return;
	if (l3)
		s->l3 = l3;
	if (l4)
		s->l4 = l4;
	s->dmg |= bit;
}

uint16_t pkt_random(struct pkt_rng *r, const struct pkt_pool *p, uint8_t *buf, uint16_t *vport)
{
	struct pkt_buf pb;
	struct gen g;
	struct lspec out;
	uint32_t dmg = 0, x;
	uint16_t end;
	unsigned i;
	int ovl = OV_NONE;

	memset(&g, 0, sizeof(g));
	memset(&out, 0, sizeof(out));
	g.r = r;
	g.p = p;
	g.b = &pb;
	pkt_reset(&pb);

	*vport = chance(&g, 85) ? p->vport[rb(&g, PKT_POOL_CTX)] : (uint16_t)rb(&g, 65536);

	if (chance(&g, 40)) {
		x = rb(&g, 100);
		for (i = x < 70 ? 1 : x < 92 ? 2 : 3; i > 0; i--)
			dmg |= pick_damage(&g);
	}

	if (dmg & D_VXLAN_FLAG)
		ovl = OV_VXLAN;
	else if (dmg & (D_GENEVE_VER | D_GENEVE_OPTLEN))
		ovl = OV_GENEVE;
	else if (dmg & D_GRE_BAD)
		ovl = OV_NVGRE;
	else if ((dmg & D_NESTED) || ((dmg & D_WINDOW) && chance(&g, 50)) || chance(&g, 32))
		ovl = (dmg & D_WINDOW) && chance(&g, 70) ? OV_GENEVE : (int)(1 + rb(&g, 3));
	out.ovl = (uint8_t)ovl;
	out.dmg = dmg & (D_VXLAN_FLAG | D_GENEVE_VER | D_GENEVE_OPTLEN | D_GRE_BAD);
	g.inflate = (dmg & D_WINDOW) != 0;
	g.budget = 200 + rb(&g, 380);
	g.long_payload = chance(&g, 4) && !(dmg & D_EXT_LEN);

	for (x = 1; x != 0; x <<= 1) {
		int to_inner;

		if (!(dmg & D_LAYER & x))
			continue;
		/* The outer layer of an overlay frame must stay UDP or GRE. */
		to_inner = ovl != OV_NONE &&
			   (chance(&g, 50) || x == D_TCP_DOFF || (x == D_UDP_LEN && ovl == OV_NVGRE));
		assign_damage(to_inner ? &g.in : &out, x);
	}
	if ((dmg & D_NESTED) && ovl != OV_NONE && g.in.l4 != 6) {
		g.in.ovl = (uint8_t)(g.in.l4 == 17 ? 1 + rb(&g, 2) : 1 + rb(&g, 3));
		if (!g.in.l4)
			g.in.l4 = g.in.ovl == OV_NVGRE ? 47 : 17;
	}
	if (g.inflate && ovl == OV_NONE && !out.l3 && chance(&g, 60))
		out.l3 = 6;

	/* Geneve may carry IP directly; an inner layer that needs VLAN tags needs Ethernet. */
	g.gproto = 0x6558;
	if (ovl == OV_GENEVE && !(g.in.dmg & D_VLAN_DEEP)) {
		x = rb(&g, 100);
		if (x >= 80 && x < 87 && g.in.l3 != 6) {
			g.gproto = 0x0800;
			g.in.l3 = 4;
			g.in.no_eth = 1;
		} else if (x >= 87 && x < 94 && g.in.l3 != 4) {
			g.gproto = 0x86DD;
			g.in.l3 = 6;
			g.in.no_eth = 1;
		} else if (x >= 94 && !g.in.dmg && !g.in.ovl) {
			g.gproto = chance(&g, 50) ? 0x88CC : (uint16_t)rb(&g, 65536);
			if (g.gproto == 0x6558 || g.gproto == 0x0800 || g.gproto == 0x86DD)
				g.gproto = 0x8847;
		}
	}

	gen_layer(&g, 0, &out);

	end = pb.len;
	for (i = 0; i < g.nfix; i++) {
		const struct lfix *f = &g.fix[i];

		pkt_put_be16(&pb, f->field, (uint16_t)(end - f->base - f->sub + f->add));
	}
	for (i = 0; i < g.npost; i++)
		apply_post(&g, &g.post[i], end);

	/* Ethernet padding after the IP packet: lengths stay right, the frame grows. */
	if (chance(&g, 12) && pb.len < 60)
		pkt_zeros(&pb, 60u - pb.len);
	if (chance(&g, 6))
		rnd_bytes(&g, 1 + rb(&g, 64));

	if (dmg & D_TRUNC) {
		uint32_t cut;

		if (g.nmark && chance(&g, 65)) {
			uint32_t m = rb(&g, g.nmark), start = g.mark[m];
			uint32_t stop = m + 1 < g.nmark ? g.mark[m + 1] : pb.len;
			uint32_t span = stop > start ? stop - start : 0;

			if (span > 80)
				span = 80;
			cut = start + rb(&g, span + 1);
		} else {
			cut = rb(&g, (uint32_t)pb.len + 1);
		}
		if (cut < pb.len)
			pb.len = (uint16_t)cut;
	}
	if ((dmg & D_TINY) && pb.len > 13)
		pb.len = (uint16_t)rb(&g, 14);

	memcpy(buf, pb.b, pb.len);
	return pb.len;
}
