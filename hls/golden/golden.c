/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Golden reference model of the data plane (hls/SEMANTICS.md): a plain parser over the frame
 * bytes, linear scans over the rule lists, and the C2H/punt record a frame produces. It is
 * written independently of the HLS code so the C-simulation testbench can catch a bug in
 * either. The section numbers in comments refer to SEMANTICS.md.
 *
 * Parsing is a chain of calls (Ethernet -> IP -> transport -> overlay -> inner layer); since
 * nothing follows the inner layer, "stop" and "layer done" both end the chain, so every one of
 * them is a plain return and whatever was recorded before it stays recorded.
 */
#include <string.h>

#include "golden.h"

#define MAC_BYTES 6u

struct layer {
	int has_eth;
	uint8_t dmac[MAC_BYTES];
	uint8_t smac[MAC_BYTES];
	unsigned n_tags;
	uint16_t vid;          /* the first tag's VID, valid when n_tags > 0 */
	uint8_t l3;            /* enum clif_l3_type */
	uint16_t l3_off;
	uint8_t src[CLIF_ADDR_BYTES]; /* zero-padded, as keys carry them */
	uint8_t dst[CLIF_ADDR_BYTES];
	uint8_t ip_proto;
	int frag;
	int ports_valid;
	uint16_t sport;
	uint16_t dport;
};

struct parse {
	const uint8_t *f;
	uint32_t len;
	uint16_t perr;
	uint8_t overlay;       /* enum clif_overlay_type; NONE until an overlay is recorded */
	uint32_t vni;
	struct layer outer;
	struct layer inner;
};

static uint16_t be16(const struct parse *ps, uint32_t o)
{
	return (uint16_t)((ps->f[o] << 8) | ps->f[o + 1]);
}

static uint32_t be24(const struct parse *ps, uint32_t o)
{
	return ((uint32_t)ps->f[o] << 16) | ((uint32_t)ps->f[o + 1] << 8) | ps->f[o + 2];
}

/* Section 1. Returns 1 when n bytes at o may be read; otherwise sets the bit and returns 0,
 * and the caller stops. lim <= len, so a successful read never leaves the frame. */
static int get(struct parse *ps, uint32_t o, uint32_t n, uint32_t lim, uint16_t cut_bit)
{
	if (o + n > lim) {
		ps->perr |= cut_bit;
		return 0;
	}
	if (o + n > CLIF_DP_PARSE_BYTES) {
		ps->perr |= CLIF_PERR_WINDOW;
		return 0;
	}
	return 1;
}

static void parse_eth(struct parse *ps, struct layer *ly, int inner, uint32_t o, uint32_t lim);
static void parse_ipv4(struct parse *ps, struct layer *ly, int inner, uint32_t o, uint32_t lim);
static void parse_ipv6(struct parse *ps, struct layer *ly, int inner, uint32_t o, uint32_t lim);

static void parse_vxlan(struct parse *ps, uint32_t q, uint32_t lim)
{
	if (!get(ps, q, 8, lim, CLIF_PERR_OVL_HDR))
		return;
	if (!(ps->f[q] & 0x08)) {
		ps->perr |= CLIF_PERR_OVL_HDR;
		return;
	}
	ps->overlay = CLIF_OVERLAY_VXLAN;
	ps->vni = be24(ps, q + 4);
	parse_eth(ps, &ps->inner, 1, q + 8, lim);
}

static void parse_geneve(struct parse *ps, uint32_t q, uint32_t lim)
{
	uint32_t ol;
	uint16_t proto;

	if (!get(ps, q, 8, lim, CLIF_PERR_OVL_HDR))
		return;
	if ((ps->f[q] >> 6) != 0) {
		ps->perr |= CLIF_PERR_OVL_HDR;
		return;
	}
	ol = (uint32_t)(ps->f[q] & 0x3f) * 4;
	if (!get(ps, q, 8 + ol, lim, CLIF_PERR_OVL_HDR))
		return;
	ps->overlay = CLIF_OVERLAY_GENEVE;
	ps->vni = be24(ps, q + 4);
	proto = be16(ps, q + 2);
	if (proto == 0x6558)
		parse_eth(ps, &ps->inner, 1, q + 8 + ol, lim);
	else if (proto == 0x0800)
		parse_ipv4(ps, &ps->inner, 1, q + 8 + ol, lim);
	else if (proto == 0x86DD)
		parse_ipv6(ps, &ps->inner, 1, q + 8 + ol, lim);
	/* any other payload: no inner layer, and not an error */
}

static void parse_gre(struct parse *ps, struct layer *ly, int inner, uint32_t p, uint32_t ipend)
{
	uint16_t f;
	uint32_t h, key;

	if (!get(ps, p, 4, ipend, CLIF_PERR_L4_TRUNC))
		return;
	if (ly->frag)
		return;
	if (be16(ps, p + 2) != 0x6558)
		return;
	if (inner) {
		ps->perr |= CLIF_PERR_OVL_NESTED;
		return;
	}
	f = be16(ps, p);
	if ((f & 7) != 0 || (f & 0x4000) || !(f & 0x2000)) {
		ps->perr |= CLIF_PERR_OVL_HDR;
		return;
	}
	h = 4 + ((f & 0x8000) ? 4u : 0u) + 4 + ((f & 0x1000) ? 4u : 0u);
	if (!get(ps, p, h, ipend, CLIF_PERR_OVL_HDR))
		return;
	key = p + 4 + ((f & 0x8000) ? 4u : 0u);
	ps->overlay = CLIF_OVERLAY_NVGRE;
	ps->vni = be24(ps, key);
	parse_eth(ps, &ps->inner, 1, p + h, ipend);
}

static void parse_udp(struct parse *ps, struct layer *ly, int inner, uint32_t p, uint32_t ipend)
{
	uint32_t ulen;

	if (!get(ps, p, 8, ipend, CLIF_PERR_L4_TRUNC))
		return;
	ly->ports_valid = 1;
	ly->sport = be16(ps, p);
	ly->dport = be16(ps, p + 2);
	if (ly->frag)
		return;
	ulen = be16(ps, p + 4);
	if (ulen < 8 || p + ulen > ipend) {
		ps->perr |= CLIF_PERR_L4_HDR;
		return;
	}
	if (ly->dport != 4789 && ly->dport != 6081)
		return;
	if (inner) {
		ps->perr |= CLIF_PERR_OVL_NESTED;
		return;
	}
	if (ly->dport == 4789)
		parse_vxlan(ps, p + 8, p + ulen);
	else
		parse_geneve(ps, p + 8, p + ulen);
}

static void parse_transport(struct parse *ps, struct layer *ly, int inner, uint32_t p,
			    uint32_t ipend)
{
	uint32_t doff;

	switch (ly->ip_proto) {
	case 6:
		if (!get(ps, p, 20, ipend, CLIF_PERR_L4_TRUNC))
			return;
		ly->ports_valid = 1;
		ly->sport = be16(ps, p);
		ly->dport = be16(ps, p + 2);
		doff = ps->f[p + 12] >> 4;
		if (doff < 5)
			ps->perr |= CLIF_PERR_L4_HDR;
		else if (p + doff * 4 > ipend)
			ps->perr |= CLIF_PERR_L4_TRUNC;
		return;
	case 17:
		parse_udp(ps, ly, inner, p, ipend);
		return;
	case 132:
		if (!get(ps, p, 12, ipend, CLIF_PERR_L4_TRUNC))
			return;
		ly->ports_valid = 1;
		ly->sport = be16(ps, p);
		ly->dport = be16(ps, p + 2);
		return;
	case 1:
	case 58:
		/* ICMP belongs to IPv4 and ICMPv6 to IPv6; crossed over they are "other" */
		if ((ly->ip_proto == 1) != (ly->l3 == CLIF_L3_IPV4))
			return;
		(void)get(ps, p, 4, ipend, CLIF_PERR_L4_TRUNC);
		return;
	case 47:
		parse_gre(ps, ly, inner, p, ipend);
		return;
	default:
		return;
	}
}

static void parse_ipv4(struct parse *ps, struct layer *ly, int inner, uint32_t o, uint32_t lim)
{
	uint32_t ihl, tl, ipend;
	uint16_t frag;

	if (!get(ps, o, 20, lim, CLIF_PERR_L3_TRUNC))
		return;
	ihl = ps->f[o] & 0x0f;
	if ((ps->f[o] >> 4) != 4 || ihl < 5) {
		ps->perr |= CLIF_PERR_L3_HDR;
		return;
	}
	ly->l3 = CLIF_L3_IPV4;
	ly->l3_off = (uint16_t)o;
	ly->ip_proto = ps->f[o + 9];
	memcpy(ly->src, ps->f + o + 12, 4);
	memcpy(ly->dst, ps->f + o + 16, 4);

	/* L3 stays keyed from here on, even when the options are cut short */
	if (!get(ps, o, ihl * 4, lim, CLIF_PERR_L3_TRUNC))
		return;
	tl = be16(ps, o + 2);
	if (tl < ihl * 4 || o + tl > lim) {
		ps->perr |= CLIF_PERR_L3_LEN;
		ipend = lim;
	} else {
		ipend = o + tl;
	}
	frag = be16(ps, o + 6);
	ly->frag = (frag & 0x2000) || (frag & 0x1fff);
	if (frag & 0x1fff)
		return;
	parse_transport(ps, ly, inner, o + ihl * 4, ipend);
}

static int v6_ext_generic(uint8_t nh)
{
	return nh == 0 || nh == 43 || nh == 60 || nh == 135 || nh == 139 || nh == 140;
}

static void parse_ipv6(struct parse *ps, struct layer *ly, int inner, uint32_t o, uint32_t lim)
{
	uint32_t pl, ipend, p, len;
	uint8_t nh;
	unsigned i;

	if (!get(ps, o, 40, lim, CLIF_PERR_L3_TRUNC))
		return;
	if ((ps->f[o] >> 4) != 6) {
		ps->perr |= CLIF_PERR_L3_HDR;
		return;
	}
	ly->l3 = CLIF_L3_IPV6;
	ly->l3_off = (uint16_t)o;
	memcpy(ly->src, ps->f + o + 8, 16);
	memcpy(ly->dst, ps->f + o + 24, 16);
	pl = be16(ps, o + 4);
	if (o + 40 + pl > lim) {
		ps->perr |= CLIF_PERR_L3_LEN;
		ipend = lim;
	} else {
		ipend = o + 40 + pl;
	}
	nh = ps->f[o + 6];
	p = o + 40;
	/* ip_proto tracks every nh as it is read, so a stop anywhere leaves the last one */
	ly->ip_proto = nh;

	for (i = 0; i < CLIF_DP_V6_EXT_MAX; i++) {
		if (v6_ext_generic(nh) || nh == 51) {
			if (!get(ps, p, 8, ipend, CLIF_PERR_EXT_TRUNC))
				return;
			if (nh == 51)
				len = ((uint32_t)ps->f[p + 1] + 2) * 4;
			else
				len = ((uint32_t)ps->f[p + 1] + 1) * 8;
			if (!get(ps, p, len, ipend, CLIF_PERR_EXT_TRUNC))
				return;
			nh = ps->f[p];
			ly->ip_proto = nh;
			p += len;
		} else if (nh == 44) {
			if (!get(ps, p, 8, ipend, CLIF_PERR_EXT_TRUNC))
				return;
			ly->frag = 1;
			nh = ps->f[p];
			ly->ip_proto = nh;
			if ((be16(ps, p + 2) >> 3) != 0)
				return;
			p += 8;
		} else {
			break;
		}
	}
	/* the chain ended within the limit only if the header after the last one followed is
	 * not an extension header itself */
	if (v6_ext_generic(nh) || nh == 51 || nh == 44) {
		ps->perr |= CLIF_PERR_EXT_DEPTH;
		return;
	}
	parse_transport(ps, ly, inner, p, ipend);
}

static void parse_eth(struct parse *ps, struct layer *ly, int inner, uint32_t o, uint32_t lim)
{
	uint16_t type;

	if (!get(ps, o, 14, lim, CLIF_PERR_L2_TRUNC))
		return;
	ly->has_eth = 1;
	memcpy(ly->dmac, ps->f + o, MAC_BYTES);
	memcpy(ly->smac, ps->f + o + 6, MAC_BYTES);
	type = be16(ps, o + 12);
	o += 14;
	while (type == 0x8100 || type == 0x88A8 || type == 0x9100) {
		if (ly->n_tags == CLIF_DP_VLAN_MAX) {
			ps->perr |= CLIF_PERR_VLAN_DEPTH;
			return;
		}
		if (!get(ps, o, 4, lim, CLIF_PERR_L2_TRUNC))
			return;
		if (ly->n_tags == 0)
			ly->vid = be16(ps, o) & 0x0fff;
		ly->n_tags++;
		type = be16(ps, o + 2);
		o += 4;
	}
	if (type == 0x0800)
		parse_ipv4(ps, ly, inner, o, lim);
	else if (type == 0x86DD)
		parse_ipv6(ps, ly, inner, o, lim);
}

/* ---- Section 3: lookups ---- */

struct lookup {
	const struct golden_tables *t;
	struct golden_result *out;
	const struct layer *ly;
	int inner;
	uint16_t vport;
	uint8_t overlay;
	uint32_t vni;
};

static void add_hit(struct lookup *lk, uint32_t slot, uint8_t side)
{
	struct golden_result *out = lk->out;
	uint32_t i;

	if (slot >= lk->t->n_rules || !(lk->t->rules[slot].flags & CLIF_ENTRY_VALID))
		return;
	for (i = 0; i < out->n_hits; i++) {
		if (out->hit_slot[i] == slot) {
			out->hit_side[i] |= side;
			return;
		}
	}
	if (out->n_hits == CLIF_DP_MAX_HITS) {
		out->overflow = 1;
		return;
	}
	out->hit_slot[out->n_hits] = slot;
	out->hit_side[out->n_hits] = side;
	out->n_hits++;
}

static int scope_fits(const struct lookup *lk, uint8_t scope_type, uint32_t scope_value)
{
	switch (scope_type) {
	case CLIF_SCOPE_ANY:
		return 1;
	case CLIF_SCOPE_VPORT:
		return scope_value == lk->vport;
	case CLIF_SCOPE_VLAN:
		return lk->ly->n_tags > 0 && scope_value == lk->ly->vid;
	case CLIF_SCOPE_VNI:
		return lk->inner && lk->overlay != CLIF_OVERLAY_NONE && scope_value == lk->vni;
	default:
		return 0;
	}
}

static uint8_t l3_addr_type(const struct layer *ly)
{
	return ly->l3 == CLIF_L3_IPV4 ? CLIF_ADDR_IPV4 : CLIF_ADDR_IPV6;
}

/* One probe of the exact table. A real key occurs at most once in the hash table, so the
 * first equal entry is the only one. rsvd is part of the hashed key: nonzero never matches. */
static void exact_probe(struct lookup *lk, uint8_t addr_type, uint8_t scope_type,
			uint32_t scope_value, const uint8_t addr[CLIF_ADDR_BYTES], uint8_t side)
{
	const struct golden_tables *t = lk->t;
	uint32_t i;

	for (i = 0; i < t->n_exact; i++) {
		const struct clif_exact_entry *e = &t->exact[i];

		if (!(e->flags & CLIF_ENTRY_VALID))
			continue;
		if (e->key.addr_type == addr_type && e->key.scope_type == scope_type &&
		    e->key.rsvd == 0 && e->key.scope_value == scope_value &&
		    memcmp(e->key.addr, addr, CLIF_ADDR_BYTES) == 0) {
			add_hit(lk, e->rule_slot, side);
			return;
		}
	}
}

static void exact_kind(struct lookup *lk, uint8_t addr_type, const uint8_t addr[CLIF_ADDR_BYTES],
		       uint8_t side)
{
	exact_probe(lk, addr_type, CLIF_SCOPE_ANY, 0, addr, side);
	exact_probe(lk, addr_type, CLIF_SCOPE_VPORT, lk->vport, addr, side);
	if (lk->ly->n_tags > 0)
		exact_probe(lk, addr_type, CLIF_SCOPE_VLAN, lk->ly->vid, addr, side);
	if (lk->inner && lk->overlay != CLIF_OVERLAY_NONE)
		exact_probe(lk, addr_type, CLIF_SCOPE_VNI, lk->vni, addr, side);
}

static int prefix_covers(const uint8_t *a, const uint8_t *e, unsigned bits)
{
	unsigned i;

	for (i = 0; i < bits; i++) {
		unsigned sh = 7 - (i % 8);

		if (((a[i / 8] >> sh) & 1) != ((e[i / 8] >> sh) & 1))
			return 0;
	}
	return 1;
}

static void prefix_scan(struct lookup *lk, const uint8_t addr[CLIF_ADDR_BYTES], uint8_t side)
{
	const struct golden_tables *t = lk->t;
	uint8_t at = l3_addr_type(lk->ly);
	unsigned max_bits = at == CLIF_ADDR_IPV4 ? 32 : 128;
	uint32_t i;

	for (i = 0; i < t->n_prefix; i++) {
		const struct clif_prefix_entry *e = &t->prefix[i];

		if (!(e->flags & CLIF_ENTRY_VALID) || e->addr_type != at ||
		    !scope_fits(lk, e->scope_type, e->scope_value) || e->prefix_len > max_bits)
			continue;
		if (prefix_covers(addr, e->addr, e->prefix_len))
			add_hit(lk, e->rule_slot, side);
	}
}

/* The winner is chosen before its rule slot is checked: an invalid rule behind the best entry
 * is a lost hit, not a reason to fall back to the next-best entry. */
static void ternary_scan(struct lookup *lk, const uint8_t addr[CLIF_ADDR_BYTES],
			 uint16_t port_this, uint16_t port_peer, uint8_t side)
{
	const struct golden_tables *t = lk->t;
	uint8_t at = l3_addr_type(lk->ly);
	const struct clif_ternary_entry *best = NULL;
	uint32_t i;
	unsigned b;

	for (i = 0; i < t->n_ternary; i++) {
		const struct clif_ternary_entry *e = &t->ternary[i];
		int ok = 1;

		if (!(e->flags & CLIF_ENTRY_VALID) || e->addr_type != at ||
		    !scope_fits(lk, e->scope_type, e->scope_value))
			continue;
		for (b = 0; b < CLIF_ADDR_BYTES; b++)
			if ((addr[b] ^ e->addr[b]) & e->addr_mask[b])
				ok = 0;
		if ((lk->ly->ip_proto ^ e->ip_proto) & e->ip_proto_mask)
			ok = 0;
		if ((port_this ^ e->port_this) & e->port_this_mask)
			ok = 0;
		if ((port_peer ^ e->port_peer) & e->port_peer_mask)
			ok = 0;
		if (ok && (best == NULL || e->priority > best->priority))
			best = e;
	}
	if (best != NULL)
		add_hit(lk, best->rule_slot, side);
}

static void lookup_side(struct lookup *lk, int is_src, uint8_t side)
{
	const struct layer *ly = lk->ly;
	uint8_t mac[CLIF_ADDR_BYTES];
	const uint8_t *ip = is_src ? ly->src : ly->dst;
	uint16_t port_this = 0, port_peer = 0;

	if (ly->ports_valid) {
		port_this = is_src ? ly->sport : ly->dport;
		port_peer = is_src ? ly->dport : ly->sport;
	}
	if (ly->l3 != CLIF_L3_NONE)
		exact_kind(lk, l3_addr_type(ly), ip, side);
	if (ly->has_eth) {
		memset(mac, 0, sizeof(mac));
		memcpy(mac, is_src ? ly->smac : ly->dmac, MAC_BYTES);
		exact_kind(lk, CLIF_ADDR_MAC, mac, side);
	}
	if (ly->l3 != CLIF_L3_NONE) {
		prefix_scan(lk, ip, side);
		ternary_scan(lk, ip, port_this, port_peer, side);
	}
}

/* ---- Sections 4 and 5: lists and records ---- */

static uint16_t copy_len(const struct golden_tables *t, const uint32_t *list, uint32_t n,
			 uint16_t len)
{
	uint16_t snap = 0;
	uint32_t i;

	for (i = 0; i < n; i++) {
		uint16_t s = t->rules[list[i]].snap_len;

		if (s == 0)
			return len;
		if (s > snap)
			snap = s;
	}
	return snap < len ? snap : len;
}

static void make_record(const struct golden_tables *t, const struct parse *ps,
			const struct golden_result *out, const uint32_t *list_idx, uint32_t n,
			int punt_nonempty, int hit_overflow, int whole_frame, uint16_t vport, uint64_t ts_ns,
			struct clif_c2h_rec *rec)
{
	uint32_t slots[CLIF_DP_MAX_HITS];
	uint32_t i;
	uint16_t cap;

	for (i = 0; i < n; i++)
		slots[i] = out->hit_slot[list_idx[i]];
	cap = whole_frame ? (uint16_t)ps->len : copy_len(t, slots, n, (uint16_t)ps->len);

	memset(rec, 0, sizeof(*rec));
	rec->rec_len = CLIF_REC_HDR_BYTES +
		       (((uint32_t)cap + CLIF_REC_ALIGN - 1) / CLIF_REC_ALIGN) * CLIF_REC_ALIGN;
	rec->ts_ns = ts_ns;
	rec->orig_len = (uint16_t)ps->len;
	rec->cap_len = cap;
	rec->vport = vport;
	rec->n_match = (uint8_t)(n < CLIF_REC_MAX_MATCH ? n : CLIF_REC_MAX_MATCH);
	for (i = 0; i < rec->n_match; i++) {
		rec->handle[i] = t->rules[slots[i]].handle;
		rec->side[i] = out->hit_side[list_idx[i]];
	}
	if (cap < ps->len)
		rec->flags |= CLIF_REC_F_TRUNCATED;
	if (ps->perr)
		rec->flags |= CLIF_REC_F_PARSE_ERR;
	if (punt_nonempty)
		rec->flags |= CLIF_REC_F_LEARN_PUNT;
	if (ps->outer.n_tags > 0) {
		rec->flags |= CLIF_REC_F_VLAN;
		rec->vlan = ps->outer.vid;
	}
	if (ps->overlay != CLIF_OVERLAY_NONE) {
		rec->flags |= CLIF_REC_F_VNI;
		rec->vni = ps->vni;
		rec->overlay = ps->overlay;
	}
	if (ps->outer.frag || ps->inner.frag)
		rec->flags |= CLIF_REC_F_FRAGMENT;
	if (hit_overflow || n > CLIF_REC_MAX_MATCH)
		rec->flags |= CLIF_REC_F_MATCH_OVF;
	rec->outer_l3 = ps->outer.l3;
	rec->inner_l3 = ps->inner.l3;
	rec->outer_l3_off = ps->outer.l3_off;
	rec->inner_l3_off = ps->inner.l3_off;
	rec->parse_err = ps->perr;
}

void golden_frame(const struct golden_tables *t, const uint8_t *frame, uint16_t len,
		  uint16_t vport, uint64_t ts_ns, struct golden_result *out)
{
	struct parse ps;
	struct lookup lk;
	uint32_t cap_idx[CLIF_DP_MAX_HITS], punt_idx[CLIF_DP_MAX_HITS];
	uint32_t n_cap = 0, n_punt = 0, i;
	int hit_overflow;

	memset(out, 0, sizeof(*out));
	memset(&ps, 0, sizeof(ps));
	ps.f = frame;
	ps.len = len;
	parse_eth(&ps, &ps.outer, 0, 0, len);
	out->parse_err = ps.perr;

	memset(&lk, 0, sizeof(lk));
	lk.t = t;
	lk.out = out;
	lk.vport = vport;
	lk.overlay = ps.overlay;
	lk.vni = ps.vni;
	lk.ly = &ps.outer;
	lk.inner = 0;
	lookup_side(&lk, 1, CLIF_SIDE_OUTER_SRC);
	lookup_side(&lk, 0, CLIF_SIDE_OUTER_DST);
	if (ps.overlay != CLIF_OVERLAY_NONE) {
		lk.ly = &ps.inner;
		lk.inner = 1;
		lookup_side(&lk, 1, CLIF_SIDE_INNER_SRC);
		lookup_side(&lk, 0, CLIF_SIDE_INNER_DST);
	}
	hit_overflow = out->overflow;

	for (i = 0; i < out->n_hits; i++) {
		uint16_t act = t->rules[out->hit_slot[i]].actions;

		if (act & CLIF_ACT_CAPTURE)
			cap_idx[n_cap++] = i;
		if (act & CLIF_ACT_PUNT)
			punt_idx[n_punt++] = i;
	}
	if (n_cap > CLIF_REC_MAX_MATCH || n_punt > CLIF_REC_MAX_MATCH)
		out->overflow = 1;

	if (n_cap > 0) {
		out->capture = 1;
		make_record(t, &ps, out, cap_idx, n_cap, n_punt > 0, hit_overflow, 0, vport, ts_ns,
			    &out->cap_rec);
	}
	if (n_punt > 0) {
		out->punt = 1;
		make_record(t, &ps, out, punt_idx, n_punt, 1, hit_overflow, 1, vport, ts_ns,
			    &out->punt_rec);
	}
}
