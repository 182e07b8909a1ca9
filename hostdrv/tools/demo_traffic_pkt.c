/* SPDX-License-Identifier: BSD-3-Clause */
/* clif-demo-traffic: frame builders (demo_traffic.h). Everything is written big-endian by
 * hand so that the frames do not depend on the host's byte order. */
#include <string.h>

#include "demo_traffic.h"

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

uint32_t dt_sum(const uint8_t *p, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1u)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

uint16_t dt_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)~sum;
}

static size_t eth(uint8_t *p, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	put16(p + 12, type);
	return 14;
}

static size_t ipv4(uint8_t *p, const uint8_t *src, const uint8_t *dst, uint8_t proto, uint16_t id, size_t plen)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	put16(p + 2, (uint32_t)(20 + plen));
	put16(p + 4, id);
	put16(p + 6, 0x4000); /* DF */
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, src, 4);
	memcpy(p + 16, dst, 4);
	put16(p + 10, dt_fold(dt_sum(p, 20, 0)));
	return 20;
}

static size_t ipv6(uint8_t *p, const uint8_t *src, const uint8_t *dst, uint8_t nh, size_t plen)
{
	memset(p, 0, 40);
	p[0] = 0x60;
	put16(p + 4, (uint32_t)plen);
	p[6] = nh;
	p[7] = nh == 58 ? 255 : 64; /* neighbour discovery insists on 255 */
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
	return 40;
}

/* The checksum field's offset in an L4 header, or 0 for protocols without one here. */
static size_t csum_at(uint8_t proto)
{
	switch (proto) {
	case 6:
		return 16;
	case 17:
		return 6;
	case 58:
		return 2;
	default:
		return 0;
	}
}

/* Fills the TCP/UDP/ICMPv6 checksum of the l4len bytes at l4 over the pseudo-header. */
static void l4_csum(uint8_t *l4, size_t l4len, uint8_t proto, int v6, const uint8_t *src, const uint8_t *dst)
{
	size_t at = csum_at(proto);
	uint32_t sum;
	uint8_t tail[8];
	uint16_t c;

	if (!at)
		return;
	put16(l4 + at, 0);
	sum = dt_sum(src, v6 ? 16u : 4u, 0);
	sum = dt_sum(dst, v6 ? 16u : 4u, sum);
	if (v6) {
		put32(tail, (uint32_t)l4len);
		put32(tail + 4, proto);
		sum = dt_sum(tail, 8, sum);
	} else {
		sum += proto;
		sum += (uint32_t)l4len;
	}
	c = dt_fold(dt_sum(l4, l4len, sum));
	if (proto == 17 && c == 0)
		c = 0xffff; /* UDP: 0 means "no checksum" */
	put16(l4 + at, c);
}

size_t dt_ip_frame(uint8_t *out, struct dt_flow *f, int from, uint8_t proto, const uint8_t *l4, size_t l4len,
		   const uint8_t *dst_mac, const uint8_t *src_ip, const uint8_t *dst_ip)
{
	const uint8_t *sip = src_ip ? src_ip : f->e[from].ip, *dip = dst_ip ? dst_ip : f->e[!from].ip;
	size_t ovh = f->vx ? 14u + 20u + 8u + 8u : 0u, iph = f->v6 ? 40u : 20u, n;
	uint8_t *in = out + ovh, *ip = in + 14, *seg = ip + iph;

	if (ovh + 14u + iph + l4len > DT_FRAME_MAX)
		return 0;
	eth(in, dst_mac ? dst_mac : f->e[!from].mac, f->e[from].mac, f->v6 ? 0x86dd : 0x0800);
	memmove(seg, l4, l4len);
	if (f->v6)
		ipv6(ip, sip, dip, proto, l4len);
	else
		ipv4(ip, sip, dip, proto, f->ip_id[from]++, l4len);
	l4_csum(seg, l4len, proto, f->v6, sip, dip);
	n = 14u + iph + l4len;
	if (f->vx) {
		const struct dt_vxlan *vx = f->vx;
		uint8_t *o = out, *oip = o + 14, *udp = oip + 20, *vxh = udp + 8;
		uint32_t h = dt_sum(sip, 4, dt_sum(dip, 4, 0)); /* the VTEP's per-flow source port */

		eth(o, vx->vtep_mac[!from], vx->vtep_mac[from], 0x0800);
		memset(vxh, 0, 8);
		vxh[0] = 0x08;
		put32(vxh + 4, vx->vni << 8);
		put16(udp, 49152u + ((h ^ f->port[0] ^ f->port[1]) & 0x3fffu));
		put16(udp + 2, 4789);
		put16(udp + 4, (uint32_t)(8u + 8u + n));
		ipv4(oip, vx->vtep_ip[from], vx->vtep_ip[!from], 17, f->ip_id[from]++, 8u + 8u + n);
		l4_csum(udp, 8u + 8u + n, 17, 0, vx->vtep_ip[from], vx->vtep_ip[!from]);
		n += ovh;
	}
	if (n < DT_ETH_MIN) {
		memset(out + n, 0, DT_ETH_MIN - n);
		n = DT_ETH_MIN;
	}
	return n;
}

size_t dt_tcp(uint8_t *out, struct dt_flow *f, int from, uint8_t flags, size_t plen)
{
	uint8_t seg[DT_FRAME_MAX];
	size_t hl = (flags & DT_TCP_SYN) ? 24u : 20u, i;
	uint32_t start = f->seq[from];

	if (hl + plen > sizeof(seg))
		return 0;
	memset(seg, 0, hl);
	put16(seg, f->port[from]);
	put16(seg + 2, f->port[!from]);
	put32(seg + 4, f->seq[from]);
	if (flags & DT_TCP_ACK)
		put32(seg + 8, f->seq[!from]);
	seg[12] = (uint8_t)(hl / 4u << 4);
	seg[13] = flags;
	put16(seg + 14, 64240);
	if (hl == 24u) { /* MSS option, as every real SYN has */
		seg[20] = 2;
		seg[21] = 4;
		put16(seg + 22, f->v6 ? 1440u : 1460u);
	}
	for (i = 0; i < plen; i++) /* readable, and different per flow, side and offset */
		seg[hl + i] = (uint8_t)(' ' + (f->fill + from * 7u + start + i) % 95u);
	f->seq[from] += (uint32_t)plen + ((flags & (DT_TCP_SYN | DT_TCP_FIN)) ? 1u : 0u);
	return dt_ip_frame(out, f, from, 6, seg, hl + plen, NULL, NULL, NULL);
}

size_t dt_udp(uint8_t *out, struct dt_flow *f, int from, const uint8_t *payload, size_t plen)
{
	uint8_t seg[DT_FRAME_MAX];

	if (8u + plen > sizeof(seg))
		return 0;
	put16(seg, f->port[from]);
	put16(seg + 2, f->port[!from]);
	put16(seg + 4, (uint32_t)(8u + plen));
	put16(seg + 6, 0);
	memcpy(seg + 8, payload, plen);
	return dt_ip_frame(out, f, from, 17, seg, 8u + plen, NULL, NULL, NULL);
}

size_t dt_arp(uint8_t *out, uint16_t op, const uint8_t *dst_mac, const uint8_t *src_mac, const uint8_t *spa,
	      const uint8_t *tha, const uint8_t *tpa)
{
	uint8_t *a = out + eth(out, dst_mac, src_mac, 0x0806);

	put16(a, 1);
	put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, op);
	memcpy(a + 8, src_mac, 6);
	memcpy(a + 14, spa, 4);
	memcpy(a + 18, tha, 6);
	memcpy(a + 24, tpa, 4);
	memset(out + 42, 0, DT_ETH_MIN - 42u);
	return DT_ETH_MIN;
}
