/* The IP datagram of a captured frame. Ethernet frames go through the data plane's own parser
 * (hls/parser.c), so the layers stripped here are exactly those the card strips: VLAN tags,
 * and VXLAN, Geneve or NVGRE overlays. Link types without an Ethernet header get a neutral
 * 14-byte one put in front (zero MACs, the EtherType of their payload) so that they take the
 * same path. */
#include <pcap/pcap.h>
#include <string.h>

#include "encode.h"

#define ETH_HDR 14u
#define SLL_HDR 16u
#define SLL2_HDR 20u
#define ETHERTYPE_IPV4 0x0800u
#define ETHERTYPE_IPV6 0x86ddu

_Static_assert(sizeof(struct dp_beat) == CLIF_DP_BEAT_BYTES, "beats must be contiguous bytes");

int enc_framer_init(struct enc_framer *f, int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_LINUX_SLL:
#ifdef DLT_LINUX_SLL2
	case DLT_LINUX_SLL2:
#endif
		break;
	default:
		return -1;
	}
	memset(f, 0, sizeof(*f));
	f->dlt = dlt;
	return 0;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

/* How a frame of the capture's link type maps onto an Ethernet frame: bytes to drop from its
 * start, and the EtherType of a header to put in front (0: the frame is Ethernet already).
 * Returns -1 when the frame carries no IP at all. */
static int link_layer(int dlt, const uint8_t *data, uint32_t caplen, uint32_t *skip,
		      uint16_t *ethertype)
{
	*skip = 0;
	*ethertype = 0;
	switch (dlt) {
	case DLT_EN10MB:
		return 0;
	case DLT_RAW:
		if (caplen < 1)
			return -1;
		if (data[0] >> 4 == 4)
			*ethertype = ETHERTYPE_IPV4;
		else if (data[0] >> 4 == 6)
			*ethertype = ETHERTYPE_IPV6;
		else
			return -1;
		return 0;
	case DLT_IPV4:
		*ethertype = ETHERTYPE_IPV4;
		return 0;
	case DLT_IPV6:
		*ethertype = ETHERTYPE_IPV6;
		return 0;
	case DLT_LINUX_SLL: /* the protocol (an EtherType for Ethernet-like devices) ends it */
		if (caplen < SLL_HDR)
			return -1;
		*skip = SLL_HDR;
		*ethertype = rd16(data + 14);
		return 0;
#ifdef DLT_LINUX_SLL2
	case DLT_LINUX_SLL2: /* the protocol comes first */
		if (caplen < SLL2_HDR)
			return -1;
		*skip = SLL2_HDR;
		*ethertype = rd16(data);
		return 0;
#endif
	default:
		return -1;
	}
}

/* Copies the frame into the beats as the MAC would deliver it. Returns its length. */
static uint32_t load(struct enc_framer *f, const uint8_t *data, uint32_t n, uint16_t ethertype)
{
	uint8_t *buf = (uint8_t *)f->beats;
	uint32_t len = 0;

	if (ethertype) {
		memset(buf, 0, 12);
		buf[12] = (uint8_t)(ethertype >> 8);
		buf[13] = (uint8_t)ethertype;
		len = ETH_HDR;
	}
	memcpy(buf + len, data, n);
	len += n;
	/* What the previous frame left past this one goes back to zero: the beats look as if
	 * freshly zeroed for every frame, without clearing all of them each time. */
	if (f->used > len)
		memset(buf + len, 0, f->used - len);
	f->used = len;
	return len;
}

/* The datagram's own length, and the part of it the capture holds. */
static void datagram_bounds(struct enc_dgram *d, uint32_t avail)
{
	const uint8_t *ip = d->ip;
	uint32_t wire;

	if (d->family == 4) {
		uint32_t ihl = (ip[0] & 0x0fu) * 4u, tl = rd16(ip + 2);
		/* A total length shorter than the header says nothing: take what was captured. */
		wire = tl >= ihl ? tl : avail;
	} else {
		uint32_t pl = rd16(ip + 4);
		/* Payload length 0 with a hop-by-hop header: a jumbogram, sized by the capture. */
		wire = pl == 0 && ip[6] == 0 ? avail : 40u + pl;
	}
	d->wire_len = wire;
	d->len = wire < avail ? wire : avail;
	d->truncated = d->len < wire;
}

int enc_frame(struct enc_framer *f, const uint8_t *data, uint32_t caplen, struct enc_dgram *d)
{
	uint32_t skip;
	uint16_t ethertype;
	struct dp_parsed p;

	if (link_layer(f->dlt, data, caplen, &skip, &ethertype) < 0)
		return ENC_FRAME_NOT_IP;
	uint32_t framed = caplen - skip + (ethertype ? ETH_HDR : 0u);
	if (framed > CLIF_DP_MAX_FRAME)
		return ENC_FRAME_OVERSIZE;
	uint32_t len = load(f, data + skip, caplen - skip, ethertype);
	dp_parse(f->beats, (uint16_t)len, &p);

	/* The inner datagram when an overlay carried IP; otherwise the outer one. */
	const struct dp_layer *ly = &p.layer[0];
	if (p.overlay != CLIF_OVERLAY_NONE &&
	    (p.layer[1].l3 == CLIF_L3_IPV4 || p.layer[1].l3 == CLIF_L3_IPV6))
		ly = &p.layer[1];
	if (ly->l3 != CLIF_L3_IPV4 && ly->l3 != CLIF_L3_IPV6)
		return ENC_FRAME_NOT_IP;

	memset(d, 0, sizeof(*d));
	d->ip = (const uint8_t *)f->beats + ly->l3_off;
	d->family = ly->l3 == CLIF_L3_IPV4 ? 4 : 6;
	d->src = d->ip + (d->family == 4 ? 12 : 8);
	d->dst = d->ip + (d->family == 4 ? 16 : 24);
	datagram_bounds(d, len - ly->l3_off);
	d->proto = ly->ip_proto;
	/* The parser reads ports only from a datagram's first (or only) fragment. */
	if (ly->ports_valid && (d->proto == 6 || d->proto == 17 || d->proto == 132)) {
		d->ports_valid = 1;
		d->sport = ly->sport;
		d->dport = ly->dport;
	}
	return ENC_FRAME_IP;
}
