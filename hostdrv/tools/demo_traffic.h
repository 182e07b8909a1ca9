/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * clif-demo-traffic's frame builders (demo_traffic_pkt.c): Ethernet, IPv4/IPv6, TCP, UDP,
 * VXLAN, ARP, DHCPv4 and IPv6 neighbour advertisements, with real lengths and checksums, and
 * the classifier (demo_traffic_cc.c) that says which IP datagram of a frame each demo target
 * gets as CC, by the card's matching rules (hls/SEMANTICS.md sections 2 and 3).
 */
#ifndef DEMO_TRAFFIC_H
#define DEMO_TRAFFIC_H

#include <stddef.h>
#include <stdint.h>

#define DT_FRAME_MAX 2048u
#define DT_ETH_MIN 60u /* frames are padded to this (no FCS in a capture) */

/* One end of a conversation: the MAC it uses on the wire (for a routed peer, its gateway's)
 * and its address. */
struct dt_end {
	uint8_t mac[6];
	uint8_t ip[16]; /* IPv4 in ip[0..3] */
};

/* VXLAN underlay: each side's VTEP (MAC, IPv4) and the tenant's VNI. */
struct dt_vxlan {
	uint32_t vni;
	uint8_t vtep_mac[2][6];
	uint8_t vtep_ip[2][4];
};

/* A conversation between end a (side 0) and end b (side 1). */
struct dt_flow {
	struct dt_end e[2];
	int v6;
	const struct dt_vxlan *vx; /* NULL: untagged, not encapsulated */
	uint16_t port[2];
	uint16_t ip_id[2];
	uint32_t seq[2]; /* TCP: the next sequence number each side sends */
	uint8_t fill;    /* payload pattern seed */
};

/* Ones' complement sum of len bytes added to sum (not folded). */
uint32_t dt_sum(const uint8_t *p, size_t len, uint32_t sum);
/* Folds and complements a dt_sum(). */
uint16_t dt_fold(uint32_t sum);

/*
 * Builds a frame from side `from` of f carrying an IP datagram with protocol proto whose
 * payload is the l4len bytes at l4 (a TCP or UDP header's checksum field is filled in here,
 * ICMPv6 too). IPv4 gets a fresh identification from f->ip_id. dst_mac/src_ip/dst_ip override
 * the flow's when not NULL (broadcasts, DHCP's 0.0.0.0). Returns the frame length (padded to
 * DT_ETH_MIN), or 0 when it would exceed DT_FRAME_MAX.
 */
size_t dt_ip_frame(uint8_t *out, struct dt_flow *f, int from, uint8_t proto, const uint8_t *l4, size_t l4len,
		   const uint8_t *dst_mac, const uint8_t *src_ip, const uint8_t *dst_ip);

/* A TCP segment from side `from` with flags and plen payload bytes (pattern from f->fill);
 * advances f->seq[from] by the payload (and by 1 for SYN and FIN). ack acknowledges the
 * other side's f->seq. Returns the frame length, 0 when too long. */
size_t dt_tcp(uint8_t *out, struct dt_flow *f, int from, uint8_t flags, size_t plen);

/* A UDP datagram from side `from` with the given payload. Returns the frame length or 0. */
size_t dt_udp(uint8_t *out, struct dt_flow *f, int from, const uint8_t *payload, size_t plen);

/* An ARP request (op 1) or reply (op 2): Ethernet from src_mac to dst_mac, sender (src_mac,
 * spa), target (tha, tpa). Returns the frame length. */
size_t dt_arp(uint8_t *out, uint16_t op, const uint8_t *dst_mac, const uint8_t *src_mac, const uint8_t *spa,
	      const uint8_t *tha, const uint8_t *tpa);

#define DT_TCP_FIN 0x01u
#define DT_TCP_SYN 0x02u
#define DT_TCP_PSH 0x08u
#define DT_TCP_ACK 0x10u

/* ---- what the card copies (demo_traffic_cc.c) ---- */

enum dt_label { DT_VNI, DT_MAC, DT_V6, DT_CIDR, DT_LABELS };

/* The labels' names, X1-side kinds, values and scopes, as scenario.txt lists them. */
extern const char *const dt_label_name[DT_LABELS];
extern const char *const dt_label_line[DT_LABELS];

/*
 * For label l: whether the card copies frame (len bytes) for that target and, if so, the
 * offset and length of the IP datagram the CC carries (the inner one when the target matched
 * inside a VXLAN tunnel; trimmed to the IP header's length, so Ethernet padding is not part of
 * it). Returns 1 and sets *off, *dlen, or 0.
 */
int dt_cc_of(enum dt_label l, const uint8_t *frame, size_t len, size_t *off, size_t *dlen);

#endif /* DEMO_TRAFFIC_H */
