/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Parser: a bounded state machine over the first CLIF_DP_PARSE_BEATS beats of the frame.
 * Each step decodes one header; every read is checked against the layer's limit and the
 * parse window first (SEMANTICS.md section 1), so no byte outside the frame is ever read.
 */
#include "dp.h"

/* The longest walk is 31 steps: per layer Ethernet, two tags and the dispatch, IPv6, eight
 * extension headers and the dispatch, the transport header, plus the overlay header. */
#define DP_PARSE_STEPS 32u

enum dp_state {
	ST_ETH,
	ST_ETHERTYPE,
	ST_IPV4,
	ST_IPV6,
	ST_V6EXT,
	ST_L4,
	ST_VXLAN,
	ST_GENEVE,
	ST_DONE,
};

#define ETH_P_IPV4 0x0800u
#define ETH_P_IPV6 0x86ddu
#define ETH_P_8021Q 0x8100u
#define ETH_P_8021AD 0x88a8u
#define ETH_P_QINQ_OLD 0x9100u
#define ETH_P_TEB 0x6558u /* transparent Ethernet bridging */

#define IPPROTO_HOPOPTS 0u
#define IPPROTO_ICMP 1u
#define IPPROTO_TCP 6u
#define IPPROTO_UDP 17u
#define IPPROTO_ROUTING 43u
#define IPPROTO_FRAGMENT 44u
#define IPPROTO_GRE 47u
#define IPPROTO_AH 51u
#define IPPROTO_ICMPV6 58u
#define IPPROTO_DSTOPTS 60u
#define IPPROTO_SCTP 132u
#define IPPROTO_MOBILITY 135u
#define IPPROTO_HIP 139u
#define IPPROTO_SHIM6 140u

#define UDP_PORT_VXLAN 4789u
#define UDP_PORT_GENEVE 6081u

#define GRE_F_CSUM 0x8000u
#define GRE_F_ROUTING 0x4000u
#define GRE_F_KEY 0x2000u
#define GRE_F_SEQ 0x1000u
#define GRE_VERSION_MASK 0x0007u

/* The parse window: the first CLIF_DP_PARSE_BEATS beats, as one register array. */
typedef uint8_t dp_window[CLIF_DP_PARSE_BYTES];

static inline uint8_t rd8(const dp_window in, uint32_t off)
{
	return in[off];
}

static inline uint16_t rd16(const dp_window in, uint32_t off)
{
	return (uint16_t)((in[off] << 8) | in[off + 1]);
}

static inline uint32_t rd24(const dp_window in, uint32_t off)
{
	return ((uint32_t)in[off] << 16) | ((uint32_t)in[off + 1] << 8) | in[off + 2];
}

/* May n bytes at off be read under limit lim? Sets cut_bit or CLIF_PERR_WINDOW when not. */
static inline int fetch(uint32_t off, uint32_t n, uint32_t lim, uint16_t cut_bit, uint16_t *perr)
{
	if (off + n > lim) {
		*perr |= cut_bit;
		return 0;
	}
	if (off + n > CLIF_DP_PARSE_BYTES) {
		*perr |= CLIF_PERR_WINDOW;
		return 0;
	}
	return 1;
}

static void copy_bytes(const dp_window in, uint32_t off, uint8_t *dst, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n && i < CLIF_ADDR_BYTES; i++) {
#pragma HLS UNROLL
		dst[i] = in[off + i];
	}
}

static inline int is_v6_ext(uint32_t nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS ||
	       nh == IPPROTO_MOBILITY || nh == IPPROTO_HIP || nh == IPPROTO_SHIM6 ||
	       nh == IPPROTO_AH || nh == IPPROTO_FRAGMENT;
}

static inline int is_vlan_tpid(uint32_t type)
{
	return type == ETH_P_8021Q || type == ETH_P_8021AD || type == ETH_P_QINQ_OLD;
}

/* Where a validated overlay header hands over to the inner layer. */
static enum dp_state inner_start(uint32_t proto)
{
	if (proto == ETH_P_TEB)
		return ST_ETH;
	if (proto == ETH_P_IPV4)
		return ST_IPV4;
	if (proto == ETH_P_IPV6)
		return ST_IPV6;
	return ST_DONE;
}

void dp_parse(const struct dp_beat beats[CLIF_DP_MAX_BEATS], uint16_t frame_len, struct dp_parsed *out)
{
	static const struct dp_parsed empty;
	dp_window in;
#pragma HLS ARRAY_PARTITION variable = in complete
	enum dp_state st = ST_ETH;
	uint32_t off = 0;        /* start of the next header */
	uint32_t lim = frame_len; /* end of the current layer */
	uint32_t ipend = frame_len;
	uint32_t type = 0;       /* EtherType being dispatched */
	uint32_t nh = 0;         /* IP protocol / next header being dispatched */
	uint32_t ext_n = 0;
	uint32_t li = 0;         /* 0 outer, 1 inner */
	uint32_t step;
	uint16_t perr = 0;

	/* Only bytes below frame_len are ever read (fetch() checks), so the tail stays unset. */
	for (step = 0; step < CLIF_DP_PARSE_BEATS; step++) {
		uint32_t i;

		if (step * CLIF_DP_BEAT_BYTES >= frame_len)
			break;
		for (i = 0; i < CLIF_DP_BEAT_BYTES; i++)
			in[step * CLIF_DP_BEAT_BYTES + i] = beats[step].data[i];
	}

	*out = empty;
	for (step = 0; step < DP_PARSE_STEPS; step++) {
		/* Unrolled: one frame per clock needs every step as its own pipeline stage. */
#pragma HLS UNROLL
		struct dp_layer *ly = &out->layer[li];

		if (st == ST_DONE)
			break;
		switch (st) {
		case ST_ETH:
			if (!fetch(off, 14, lim, CLIF_PERR_L2_TRUNC, &perr)) {
				st = ST_DONE;
				break;
			}
			ly->has_eth = 1;
			copy_bytes(in, off, ly->dmac, 6);
			copy_bytes(in, off + 6, ly->smac, 6);
			type = rd16(in, off + 12);
			off += 14;
			st = ST_ETHERTYPE;
			break;
		case ST_ETHERTYPE:
			if (is_vlan_tpid(type)) {
				if (ly->n_vlan == CLIF_DP_VLAN_MAX) {
					perr |= CLIF_PERR_VLAN_DEPTH;
					st = ST_DONE;
					break;
				}
				if (!fetch(off, 4, lim, CLIF_PERR_L2_TRUNC, &perr)) {
					st = ST_DONE;
					break;
				}
				if (ly->n_vlan == 0)
					ly->vid = rd16(in, off) & 0x0fffu;
				ly->n_vlan++;
				type = rd16(in, off + 2);
				off += 4;
			} else if (type == ETH_P_IPV4) {
				st = ST_IPV4;
			} else if (type == ETH_P_IPV6) {
				st = ST_IPV6;
			} else {
				st = ST_DONE;
			}
			break;
		case ST_IPV4: {
			uint32_t b0, ihl4, tl, ff;

			if (!fetch(off, 20, lim, CLIF_PERR_L3_TRUNC, &perr)) {
				st = ST_DONE;
				break;
			}
			b0 = rd8(in, off);
			if ((b0 >> 4) != 4u || (b0 & 0x0fu) < 5u) {
				perr |= CLIF_PERR_L3_HDR;
				st = ST_DONE;
				break;
			}
			ly->l3 = CLIF_L3_IPV4;
			ly->l3_off = (uint16_t)off;
			ly->ip_proto = rd8(in, off + 9);
			copy_bytes(in, off + 12, ly->src, 4);
			copy_bytes(in, off + 16, ly->dst, 4);
			ihl4 = (b0 & 0x0fu) * 4u;
			if (!fetch(off, ihl4, lim, CLIF_PERR_L3_TRUNC, &perr)) {
				st = ST_DONE;
				break;
			}
			tl = rd16(in, off + 2);
			if (tl < ihl4 || off + tl > lim) {
				perr |= CLIF_PERR_L3_LEN;
				ipend = lim;
			} else {
				ipend = off + tl;
			}
			ff = rd16(in, off + 6);
			if (ff & 0x3fffu)
				ly->frag = 1;
			if (ff & 0x1fffu) {
				st = ST_DONE;
				break;
			}
			nh = ly->ip_proto;
			off += ihl4;
			st = ST_L4;
			break;
		}
		case ST_IPV6: {
			uint32_t pl;

			if (!fetch(off, 40, lim, CLIF_PERR_L3_TRUNC, &perr)) {
				st = ST_DONE;
				break;
			}
			if ((rd8(in, off) >> 4) != 6u) {
				perr |= CLIF_PERR_L3_HDR;
				st = ST_DONE;
				break;
			}
			ly->l3 = CLIF_L3_IPV6;
			ly->l3_off = (uint16_t)off;
			copy_bytes(in, off + 8, ly->src, 16);
			copy_bytes(in, off + 24, ly->dst, 16);
			pl = rd16(in, off + 4);
			if (off + 40u + pl > lim) {
				perr |= CLIF_PERR_L3_LEN;
				ipend = lim;
			} else {
				ipend = off + 40u + pl;
			}
			nh = rd8(in, off + 6);
			ly->ip_proto = (uint8_t)nh;
			off += 40;
			ext_n = 0;
			st = ST_V6EXT;
			break;
		}
		case ST_V6EXT: {
			uint32_t len;

			if (!is_v6_ext(nh)) {
				st = ST_L4;
				break;
			}
			if (ext_n == CLIF_DP_V6_EXT_MAX) {
				perr |= CLIF_PERR_EXT_DEPTH;
				st = ST_DONE;
				break;
			}
			if (!fetch(off, 8, ipend, CLIF_PERR_EXT_TRUNC, &perr)) {
				st = ST_DONE;
				break;
			}
			ext_n++;
			if (nh == IPPROTO_FRAGMENT) {
				ly->frag = 1;
				nh = rd8(in, off);
				ly->ip_proto = (uint8_t)nh;
				if (rd16(in, off + 2) >> 3) {
					st = ST_DONE;
					break;
				}
				off += 8;
				break;
			}
			if (nh == IPPROTO_AH)
				len = (rd8(in, off + 1) + 2u) * 4u;
			else
				len = (rd8(in, off + 1) + 1u) * 8u;
			if (!fetch(off, len, ipend, CLIF_PERR_EXT_TRUNC, &perr)) {
				st = ST_DONE;
				break;
			}
			nh = rd8(in, off);
			ly->ip_proto = (uint8_t)nh;
			off += len;
			break;
		}
		case ST_L4:
			st = ST_DONE;
			if (nh == IPPROTO_TCP) {
				uint32_t doff;

				if (!fetch(off, 20, ipend, CLIF_PERR_L4_TRUNC, &perr))
					break;
				ly->ports_valid = 1;
				ly->sport = rd16(in, off);
				ly->dport = rd16(in, off + 2);
				doff = rd8(in, off + 12) >> 4;
				if (doff < 5u)
					perr |= CLIF_PERR_L4_HDR;
				else if (off + doff * 4u > ipend)
					perr |= CLIF_PERR_L4_TRUNC;
			} else if (nh == IPPROTO_UDP) {
				uint32_t ulen;

				if (!fetch(off, 8, ipend, CLIF_PERR_L4_TRUNC, &perr))
					break;
				ly->ports_valid = 1;
				ly->sport = rd16(in, off);
				ly->dport = rd16(in, off + 2);
				if (ly->frag)
					break;
				ulen = rd16(in, off + 4);
				if (ulen < 8u || off + ulen > ipend) {
					perr |= CLIF_PERR_L4_HDR;
					break;
				}
				if (ly->dport != UDP_PORT_VXLAN && ly->dport != UDP_PORT_GENEVE)
					break;
				if (li != 0) {
					perr |= CLIF_PERR_OVL_NESTED;
					break;
				}
				lim = off + ulen;
				st = ly->dport == UDP_PORT_VXLAN ? ST_VXLAN : ST_GENEVE;
				off += 8;
			} else if (nh == IPPROTO_SCTP) {
				if (!fetch(off, 12, ipend, CLIF_PERR_L4_TRUNC, &perr))
					break;
				ly->ports_valid = 1;
				ly->sport = rd16(in, off);
				ly->dport = rd16(in, off + 2);
			} else if ((nh == IPPROTO_ICMP && ly->l3 == CLIF_L3_IPV4) ||
				   (nh == IPPROTO_ICMPV6 && ly->l3 == CLIF_L3_IPV6)) {
				(void)fetch(off, 4, ipend, CLIF_PERR_L4_TRUNC, &perr);
			} else if (nh == IPPROTO_GRE) {
				uint32_t f, hlen, key_off;

				if (!fetch(off, 4, ipend, CLIF_PERR_L4_TRUNC, &perr))
					break;
				if (ly->frag || rd16(in, off + 2) != ETH_P_TEB)
					break;
				if (li != 0) {
					perr |= CLIF_PERR_OVL_NESTED;
					break;
				}
				f = rd16(in, off);
				if ((f & GRE_VERSION_MASK) || (f & GRE_F_ROUTING) || !(f & GRE_F_KEY)) {
					perr |= CLIF_PERR_OVL_HDR;
					break;
				}
				key_off = 4u + ((f & GRE_F_CSUM) ? 4u : 0u);
				hlen = key_off + 4u + ((f & GRE_F_SEQ) ? 4u : 0u);
				if (!fetch(off, hlen, ipend, CLIF_PERR_OVL_HDR, &perr))
					break;
				out->overlay = CLIF_OVERLAY_NVGRE;
				out->vni = rd24(in, off + key_off);
				lim = ipend;
				off += hlen;
				li = 1;
				st = ST_ETH;
			}
			break;
		case ST_VXLAN:
			st = ST_DONE;
			if (!fetch(off, 8, lim, CLIF_PERR_OVL_HDR, &perr))
				break;
			if (!(rd8(in, off) & 0x08u)) {
				perr |= CLIF_PERR_OVL_HDR;
				break;
			}
			out->overlay = CLIF_OVERLAY_VXLAN;
			out->vni = rd24(in, off + 4);
			off += 8;
			li = 1;
			st = ST_ETH;
			break;
		case ST_GENEVE: {
			uint32_t b0, hlen;

			st = ST_DONE;
			if (!fetch(off, 8, lim, CLIF_PERR_OVL_HDR, &perr))
				break;
			b0 = rd8(in, off);
			if (b0 >> 6) {
				perr |= CLIF_PERR_OVL_HDR;
				break;
			}
			hlen = 8u + (b0 & 0x3fu) * 4u;
			if (!fetch(off, hlen, lim, CLIF_PERR_OVL_HDR, &perr))
				break;
			out->overlay = CLIF_OVERLAY_GENEVE;
			out->vni = rd24(in, off + 4);
			st = inner_start(rd16(in, off + 2));
			off += hlen;
			li = 1;
			break;
		}
		case ST_DONE:
			break;
		}
	}
	out->perr = perr;
}
