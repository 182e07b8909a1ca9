/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * clif-demo-traffic: which IP datagram of a frame each demo target gets as CC.
 *
 * The card (hls/SEMANTICS.md) looks up the outer layer and, after VXLAN, the inner layer; a MAC
 * key matches a layer's Ethernet source or destination, an IP key its source or destination
 * address; a VNI-scoped key fits the inner layer of a tunnel with that VNI only, an ANY-scoped
 * key fits both layers. clifd's rule compiler (hostdrv/clifd/rulecomp.h) makes an exact IPv4 or
 * IPv6 key of an address target, a prefix key of a CIDR and an exact MAC key (scope ANY unless
 * the task has one) of a MAC. The CC is the datagram of the layer that matched, cut to its IP
 * length. The demo frames are well formed: this reads only what they contain (Ethernet without
 * VLAN tags, IPv4 or IPv6 without extension headers, VXLAN to UDP 4789).
 */
#include <string.h>

#include "demo_traffic.h"

const char *const dt_label_name[DT_LABELS] = { "vni", "mac", "v6", "cidr" };
const char *const dt_label_line[DT_LABELS] = {
	"vni ipv4 10.0.0.5 vni:5001",
	"mac mac 52:54:00:c0:00:03 any",
	"v6 ipv6 2001:db8:1::10 any",
	"cidr ipv4cidr 198.51.100.0/24 any",
};

static const uint8_t t_vni_ip[4] = { 10, 0, 0, 5 };
static const uint8_t t_mac[6] = { 0x52, 0x54, 0x00, 0xc0, 0x00, 0x03 };
static const uint8_t t_v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10 };
static const uint8_t t_cidr[3] = { 198, 51, 100 }; /* /24 */
#define T_VNI 5001u

static uint32_t be16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

/* One layer as the card sees it. */
struct layer {
	int present;
	const uint8_t *mac_dst, *mac_src;
	int l3; /* 0 none, 4, 6 */
	size_t l3_off, l3_len;
	const uint8_t *src, *dst;
};

/* Parses the Ethernet layer at off (limit end). Returns the offset of a VXLAN payload's inner
 * Ethernet and sets *vni, or 0 when the layer has no tunnel. */
static size_t parse_layer(const uint8_t *f, size_t off, size_t end, struct layer *l, uint32_t *vni)
{
	const uint8_t *ip;
	uint32_t type;

	memset(l, 0, sizeof(*l));
	if (off + 14u > end)
		return 0;
	l->present = 1;
	l->mac_dst = f + off;
	l->mac_src = f + off + 6;
	type = be16(f + off + 12);
	ip = f + off + 14;
	if (type == 0x0800 && off + 34u <= end && (ip[0] >> 4) == 4) {
		size_t ihl = (size_t)(ip[0] & 15u) * 4u, tl = be16(ip + 2);

		if (off + 14u + tl > end || tl < ihl)
			return 0;
		l->l3 = 4;
		l->l3_off = off + 14u;
		l->l3_len = tl;
		l->src = ip + 12;
		l->dst = ip + 16;
		if (ip[9] == 17 && tl >= ihl + 16u && be16(ip + ihl + 2) == 4789u && (ip[ihl + 8] & 0x08u)) {
			*vni = (uint32_t)ip[ihl + 12] << 16 | (uint32_t)ip[ihl + 13] << 8 | ip[ihl + 14];
			return off + 14u + ihl + 16u;
		}
	} else if (type == 0x86dd && off + 54u <= end && (ip[0] >> 4) == 6) {
		size_t pl = be16(ip + 4);

		if (off + 54u + pl > end)
			return 0;
		l->l3 = 6;
		l->l3_off = off + 14u;
		l->l3_len = 40u + pl;
		l->src = ip + 8;
		l->dst = ip + 24;
	}
	return 0;
}

static int hit(enum dt_label lab, const struct layer *l, int inner, uint32_t vni)
{
	if (!l->present)
		return 0;
	switch (lab) {
	case DT_VNI:
		return inner && vni == T_VNI && l->l3 == 4 && (!memcmp(l->src, t_vni_ip, 4) || !memcmp(l->dst, t_vni_ip, 4));
	case DT_MAC:
		return !memcmp(l->mac_src, t_mac, 6) || !memcmp(l->mac_dst, t_mac, 6);
	case DT_V6:
		return l->l3 == 6 && (!memcmp(l->src, t_v6, 16) || !memcmp(l->dst, t_v6, 16));
	case DT_CIDR:
		return l->l3 == 4 && (!memcmp(l->src, t_cidr, 3) || !memcmp(l->dst, t_cidr, 3));
	default:
		return 0;
	}
}

int dt_cc_of(enum dt_label lab, const uint8_t *frame, size_t len, size_t *off, size_t *dlen)
{
	struct layer outer, inner;
	uint32_t vni = 0;
	size_t in_off = parse_layer(frame, 0, len, &outer, &vni);
	const struct layer *l = NULL;

	memset(&inner, 0, sizeof(inner));
	if (in_off) {
		uint32_t unused = 0;

		/* the tunnel ends where the outer datagram does, not at the frame's padding */
		parse_layer(frame, in_off, outer.l3_off + outer.l3_len, &inner, &unused);
	}
	/* The outer layer first: a frame matched outside carries the tunnel as its CC. */
	if (hit(lab, &outer, 0, 0))
		l = &outer;
	else if (hit(lab, &inner, 1, vni))
		l = &inner;
	/* Frames without IP (ARP) are copied by the card but carry no datagram to deliver. */
	if (!l || !l->l3)
		return 0;
	*off = l->l3_off;
	*dlen = l->l3_len;
	return 1;
}
