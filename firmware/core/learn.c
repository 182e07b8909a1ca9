/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Learner (fw/learn.h): binds IP addresses to MAC-identified targets from punted frames.
 *
 * What a punt record's frame is read as, per punting rule (record handle[i], side[i]):
 *  - the rule must still be a host rule of kind EXACT on a MAC address with CLIF_ACT_PUNT
 *    (records that outlived their rule, or rules that are not MAC targets, bind nothing);
 *  - side bits OUTER_*: the outer layer, Ethernet at offset 0 with up to two VLAN tags
 *    (0x8100, 0x88a8, 0x9100);
 *  - side bits INNER_*: the inner layer of a VXLAN (UDP 4789), Geneve (UDP 6081, payload
 *    0x6558) or NVGRE (GRE 0x6558 with key) overlay, found by parsing the outer layer's
 *    Ethernet, IPv4 (with options) or IPv6 (UDP or GRE straight after the fixed header: outer
 *    IPv6 extension headers are not followed) and the overlay header; the inner Ethernet may
 *    carry up to two VLAN tags.
 *  - the record's outer_l3_off / inner_l3_off (when its outer_l3 / inner_l3 names an IP
 *    header) must agree with the offset found, and its L3 kind with the EtherType; a record
 *    that disagrees with its frame is malformed.
 * In that layer: ARP (htype 1, ptype 0x0800, hlen 6, plen 4, request or reply; sender MAC
 * must be the target's), DHCPv4 ACK (IPv4 not fragmented, UDP 67 -> 68, BOOTREPLY, htype 1,
 * hlen 6, magic cookie, options up to END; chaddr must be the target's; options overloaded
 * into sname/file are not read), IPv6 NA (ICMPv6 136 straight after the fixed header, hop limit
 * 255, code 0; MAC of the first target link-layer address option, else the layer's Ethernet
 * source; must be the target's). Every length is checked against the bytes the record holds
 * (cap_len) and against the enclosing header's own length; a punted copy cut short by the
 * rule's snap length is therefore malformed when the message does not fit.
 * Addresses that cannot belong to a host are not bound (0.0.0.0/8, 127/8, 224/4 and up; IPv6
 * unspecified, loopback and multicast).
 */
#include <stddef.h>
#include <stdint.h>
#include "fw/mem.h"

#include "clif/match.h"
#include "fw/learn.h"
#include "fw/log.h"

#define LEASE_NONE 0xffffffffu    /* binding without a DHCP lease: the configured age applies */
#define NS_PER_S 1000000000ull
#define MAX_TAGS 2u

#define ETH_IPV4 0x0800u
#define ETH_IPV6 0x86ddu
#define ETH_ARP 0x0806u
#define ETH_TEB 0x6558u

struct binding {
	uint64_t seen_ns;     /* last sighting */
	uint32_t lease_s;     /* DHCP lease or LEASE_NONE */
	uint32_t owner;       /* the MAC rule's handle */
	uint32_t rule;        /* the learned rule's handle */
	uint32_t scope_value; /* the owner's scope */
	uint16_t vport;       /* where it was last seen */
	uint8_t used;
	uint8_t addr_type;
	uint8_t scope_type;
	uint8_t source;       /* enum clif_learn_source */
	uint8_t mac[6];
	uint8_t addr[CLIF_ADDR_BYTES];
};

struct learn_state {
	struct binding b[LEARN_MAX_BINDINGS];
	struct clif_learn_event ev[LEARN_EVENT_QUEUE];
	uint32_t ev_head;     /* oldest event */
	uint32_t ev_count;
	uint32_t age_seen;    /* l->age_s the expiry bound was computed with */
	uint32_t rsvd;
	uint64_t next_check;  /* no binding expires before this time */
};

/* What one layer of a frame proves. */
struct evidence {
	uint8_t source;
	uint8_t addr_type;
	uint8_t mac[6];
	uint8_t addr[CLIF_ADDR_BYTES];
	uint32_t lease_s;
};

enum parse_result { P_NONE = 0, P_FOUND, P_IGNORED, P_MALFORMED };

/* ---- bounded reads ---- */

/* n bytes at off lie below end. */
static int fits(uint32_t end, uint32_t off, uint32_t n)
{
	return off <= end && n <= end - off;
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ---- headers ---- */

struct l2 {
	const uint8_t *src; /* Ethernet source MAC */
	uint16_t type;      /* EtherType after the tags */
	uint32_t next;      /* offset of what follows */
};

static int parse_eth(const uint8_t *f, uint32_t end, uint32_t off, struct l2 *l2)
{
	uint32_t tags = 0;
	uint16_t type;

	if (!fits(end, off, 14))
		return P_MALFORMED;
	l2->src = f + off + 6;
	type = be16(f + off + 12);
	off += 14;
	while (type == 0x8100u || type == 0x88a8u || type == 0x9100u) {
		if (tags == MAX_TAGS || !fits(end, off, 4))
			return P_MALFORMED;
		type = be16(f + off + 2);
		off += 4;
		tags++;
	}
	l2->type = type;
	l2->next = off;
	return P_FOUND;
}

struct l3 {
	uint8_t proto;     /* IPv4 protocol or IPv6 next header */
	uint8_t frag;      /* IPv4: MF or offset set */
	uint8_t hop_limit; /* IPv6 */
	uint32_t payload;  /* offset of the payload */
	uint32_t end;      /* end of the packet (by its own length) */
};

static int parse_ipv4(const uint8_t *f, uint32_t end, uint32_t off, struct l3 *ip)
{
	uint32_t ihl, tl;

	if (!fits(end, off, 20) || (f[off] >> 4) != 4u)
		return P_MALFORMED;
	ihl = (f[off] & 0x0fu) * 4u;
	tl = be16(f + off + 2);
	if (ihl < 20u || !fits(end, off, ihl) || tl < ihl || !fits(end, off, tl))
		return P_MALFORMED;
	ip->proto = f[off + 9];
	ip->frag = (be16(f + off + 6) & 0x3fffu) != 0;
	ip->hop_limit = 0;
	ip->payload = off + ihl;
	ip->end = off + tl;
	return P_FOUND;
}

static int parse_ipv6(const uint8_t *f, uint32_t end, uint32_t off, struct l3 *ip)
{
	uint32_t pl;

	if (!fits(end, off, 40) || (f[off] >> 4) != 6u)
		return P_MALFORMED;
	pl = be16(f + off + 4);
	if (!fits(end, off + 40u, pl))
		return P_MALFORMED;
	ip->proto = f[off + 6];
	ip->frag = 0;
	ip->hop_limit = f[off + 7];
	ip->payload = off + 40u;
	ip->end = off + 40u + pl;
	return P_FOUND;
}

static int host_v4(const uint8_t *a)
{
	return a[0] != 0 && a[0] != 127 && a[0] < 224;
}

static int host_v6(const uint8_t *a)
{
	static const uint8_t loopback[CLIF_ADDR_BYTES] = { [15] = 1 };
	static const uint8_t zero[CLIF_ADDR_BYTES];

	return a[0] != 0xff && memcmp(a, zero, sizeof(zero)) != 0 && memcmp(a, loopback, sizeof(loopback)) != 0;
}

/* ---- messages ---- */

static int parse_arp(const uint8_t *f, uint32_t end, uint32_t off, struct evidence *ev)
{
	uint16_t oper;

	if (!fits(end, off, 8))
		return P_MALFORMED;
	if (be16(f + off) != 1u || be16(f + off + 2) != ETH_IPV4)
		return P_IGNORED; /* another hardware or protocol family */
	if (f[off + 4] != 6u || f[off + 5] != 4u || !fits(end, off, 28))
		return P_MALFORMED;
	oper = be16(f + off + 6);
	if (oper != 1u && oper != 2u)
		return P_IGNORED;
	if (!host_v4(f + off + 14))
		return P_IGNORED; /* probes (sender 0.0.0.0) and nonsense */
	ev->source = CLIF_LEARN_SRC_ARP;
	ev->addr_type = CLIF_ADDR_IPV4;
	memcpy(ev->mac, f + off + 8, 6);
	memcpy(ev->addr, f + off + 14, 4);
	ev->lease_s = LEASE_NONE;
	return P_FOUND;
}

#define BOOTP_FIXED 236u
#define DHCP_COOKIE 0x63825363u

static int parse_dhcp(const uint8_t *f, uint32_t end, uint32_t off, struct evidence *ev)
{
	struct l3 ip;
	uint32_t p, ulen, b, o, uend, lease = LEASE_NONE;
	uint8_t msg = 0;
	int have_end = 0;

	if (parse_ipv4(f, end, off, &ip) != P_FOUND)
		return P_MALFORMED;
	if (ip.proto != 17u || ip.frag)
		return P_IGNORED;
	p = ip.payload;
	if (!fits(ip.end, p, 8))
		return P_MALFORMED;
	ulen = be16(f + p + 4);
	if (ulen < 8u || !fits(ip.end, p, ulen))
		return P_MALFORMED;
	if (be16(f + p) != 67u || be16(f + p + 2) != 68u)
		return P_IGNORED;
	b = p + 8u;
	uend = p + ulen;
	if (!fits(uend, b, BOOTP_FIXED + 4u))
		return P_MALFORMED;
	if (f[b] != 2u || f[b + 1] != 1u)
		return P_IGNORED; /* not a BOOTREPLY, not Ethernet */
	if (f[b + 2] != 6u)
		return P_MALFORMED;
	if (be32(f + b + BOOTP_FIXED) != DHCP_COOKIE)
		return P_IGNORED; /* plain BOOTP */
	/* Every step moves o forward by at least one byte: the walk ends. */
	for (o = b + BOOTP_FIXED + 4u; o < uend;) {
		uint8_t code = f[o], olen;

		if (code == 0u) {
			o++;
			continue;
		}
		if (code == 255u) {
			have_end = 1;
			break;
		}
		if (!fits(uend, o, 2))
			return P_MALFORMED;
		olen = f[o + 1];
		if (!fits(uend, o + 2u, olen))
			return P_MALFORMED;
		if (code == 53u) {
			if (olen != 1u)
				return P_MALFORMED;
			if (!msg)
				msg = f[o + 2];
		} else if (code == 51u) {
			if (olen != 4u)
				return P_MALFORMED;
			lease = be32(f + o + 2);
		}
		o += 2u + olen;
	}
	if (!have_end)
		return P_MALFORMED;
	if (msg != 5u || !host_v4(f + b + 16))
		return P_IGNORED; /* not an ACK, or an ACK to DHCPINFORM (yiaddr 0) */
	ev->source = CLIF_LEARN_SRC_DHCPV4;
	ev->addr_type = CLIF_ADDR_IPV4;
	memcpy(ev->mac, f + b + 28, 6);
	memcpy(ev->addr, f + b + 16, 4);
	ev->lease_s = lease;
	return P_FOUND;
}

static int parse_na(const uint8_t *f, uint32_t end, uint32_t off, const uint8_t *eth_src, struct evidence *ev)
{
	struct l3 ip;
	const uint8_t *mac = eth_src;
	uint32_t p, o;
	int have_tlla = 0;

	if (parse_ipv6(f, end, off, &ip) != P_FOUND)
		return P_MALFORMED;
	if (ip.proto != 58u)
		return P_IGNORED; /* extension headers are not followed */
	p = ip.payload;
	if (!fits(ip.end, p, 4))
		return P_MALFORMED;
	if (f[p] != 136u)
		return P_IGNORED;
	if (!fits(ip.end, p, 24) || f[p + 1] != 0u)
		return P_MALFORMED;
	if (ip.hop_limit != 255u)
		return P_IGNORED; /* not from the link (RFC 4861 7.1.2) */
	if (!host_v6(f + p + 8))
		return P_MALFORMED;
	/* Options: each at least 8 bytes (length 0 is malformed), so the walk ends. */
	for (o = p + 24u; o < ip.end;) {
		uint32_t olen;

		if (!fits(ip.end, o, 2))
			return P_MALFORMED;
		olen = (uint32_t)f[o + 1] * 8u;
		if (olen == 0u || !fits(ip.end, o, olen))
			return P_MALFORMED;
		if (f[o] == 2u && !have_tlla) {
			mac = f + o + 2;
			have_tlla = 1;
		}
		o += olen;
	}
	ev->source = CLIF_LEARN_SRC_ND;
	ev->addr_type = CLIF_ADDR_IPV6;
	memcpy(ev->mac, mac, 6);
	memcpy(ev->addr, f + p + 8, 16);
	ev->lease_s = LEASE_NONE;
	return P_FOUND;
}

/*
 * Offset of the inner Ethernet header of the record's overlay, and the end of the overlay's
 * payload (the inner layer's limit).
 */
static int find_inner(const uint8_t *f, uint32_t len, const struct clif_c2h_rec *rec, uint32_t *eth, uint32_t *lim)
{
	struct l2 o;
	struct l3 ip;
	uint32_t p;

	if (parse_eth(f, len, 0, &o) != P_FOUND)
		return P_MALFORMED;
	if (o.type == ETH_IPV4) {
		if (parse_ipv4(f, len, o.next, &ip) != P_FOUND)
			return P_MALFORMED;
		if (ip.frag)
			return P_IGNORED;
	} else if (o.type == ETH_IPV6) {
		if (parse_ipv6(f, len, o.next, &ip) != P_FOUND)
			return P_MALFORMED;
	} else {
		return P_MALFORMED; /* an overlay needs an outer IP header */
	}
	p = ip.payload;
	if (rec->overlay == CLIF_OVERLAY_VXLAN || rec->overlay == CLIF_OVERLAY_GENEVE) {
		uint32_t ulen, q;
		uint16_t dport = rec->overlay == CLIF_OVERLAY_VXLAN ? 4789u : 6081u;

		if (ip.proto != 17u)
			return P_IGNORED;
		if (!fits(ip.end, p, 8))
			return P_MALFORMED;
		ulen = be16(f + p + 4);
		if (ulen < 8u || !fits(ip.end, p, ulen))
			return P_MALFORMED;
		if (be16(f + p + 2) != dport)
			return P_MALFORMED;
		q = p + 8u;
		*lim = p + ulen;
		if (!fits(*lim, q, 8))
			return P_MALFORMED;
		if (rec->overlay == CLIF_OVERLAY_VXLAN) {
			if (!(f[q] & 0x08u))
				return P_MALFORMED;
			*eth = q + 8u;
		} else {
			uint32_t ol = (f[q] & 0x3fu) * 4u;

			if ((f[q] >> 6) != 0u || !fits(*lim, q, 8u + ol))
				return P_MALFORMED;
			if (be16(f + q + 2) != ETH_TEB)
				return P_IGNORED; /* no inner Ethernet: no MAC to learn for */
			*eth = q + 8u + ol;
		}
		return P_FOUND;
	}
	if (rec->overlay == CLIF_OVERLAY_NVGRE) {
		uint32_t h;
		uint16_t fl;

		if (ip.proto != 47u)
			return P_IGNORED;
		if (!fits(ip.end, p, 4))
			return P_MALFORMED;
		fl = be16(f + p);
		if (be16(f + p + 2) != ETH_TEB || (fl & 7u) || (fl & 0x4000u) || !(fl & 0x2000u))
			return P_MALFORMED;
		h = 8u + ((fl & 0x8000u) ? 4u : 0u) + ((fl & 0x1000u) ? 4u : 0u);
		if (!fits(ip.end, p, h))
			return P_MALFORMED;
		*eth = p + h;
		*lim = ip.end;
		return P_FOUND;
	}
	return P_MALFORMED; /* inner side bits without an overlay */
}

/* What layer (0 outer, 1 inner) of the record's frame proves. */
static int parse_layer(const uint8_t *f, const struct clif_c2h_rec *rec, uint32_t layer, struct evidence *ev)
{
	uint32_t len = rec->cap_len, eth = 0, lim = len, rec_off;
	uint8_t rec_l3;
	struct l2 l2;
	int r;

	if (layer) {
		r = find_inner(f, len, rec, &eth, &lim);
		if (r != P_FOUND)
			return r;
		rec_off = rec->inner_l3_off;
		rec_l3 = rec->inner_l3;
	} else {
		rec_off = rec->outer_l3_off;
		rec_l3 = rec->outer_l3;
	}
	if (parse_eth(f, lim, eth, &l2) != P_FOUND)
		return P_MALFORMED;
	/* The data plane's view of the layer must be the frame's. */
	if (rec_l3 == CLIF_L3_IPV4 && (l2.type != ETH_IPV4 || rec_off != l2.next))
		return P_MALFORMED;
	if (rec_l3 == CLIF_L3_IPV6 && (l2.type != ETH_IPV6 || rec_off != l2.next))
		return P_MALFORMED;
	if (rec_l3 > CLIF_L3_IPV6)
		return P_MALFORMED;
	switch (l2.type) {
	case ETH_ARP:
		return parse_arp(f, lim, l2.next, ev);
	case ETH_IPV4:
		return parse_dhcp(f, lim, l2.next, ev);
	case ETH_IPV6:
		return parse_na(f, lim, l2.next, l2.src, ev);
	default:
		return P_IGNORED;
	}
}

/* ---- bindings and events ---- */

static struct learn_state *st(struct learner *l)
{
	return (struct learn_state *)l->state;
}

static uint64_t life_ns(const struct learner *l, const struct binding *b)
{
	uint32_t s = l->age_s;

	if (b->lease_s != LEASE_NONE && b->lease_s < s)
		s = b->lease_s;
	return (uint64_t)s * NS_PER_S;
}

static void push_event(struct learner *l, const struct binding *b, uint8_t kind, uint64_t now_ns)
{
	struct learn_state *s = st(l);
	struct clif_learn_event *e;

	if (s->ev_count == LEARN_EVENT_QUEUE) { /* drop the oldest */
		s->ev_head = (s->ev_head + 1u) % LEARN_EVENT_QUEUE;
		s->ev_count--;
		l->ctr.events_lost++;
	}
	e = &s->ev[(s->ev_head + s->ev_count) % LEARN_EVENT_QUEUE];
	s->ev_count++;
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->source = b->source;
	e->addr_type = b->addr_type;
	e->handle = b->owner;
	e->ts_ns = now_ns;
	memcpy(e->mac, b->mac, 6);
	e->vport = b->vport;
	e->scope_value = b->scope_value;
	memcpy(e->addr, b->addr, CLIF_ADDR_BYTES);
}

static void unbind(struct learner *l, struct binding *b, uint64_t now_ns)
{
	(void)tm_delete(l->tm, b->rule); /* ENOENT only if the tables were reset under us */
	push_event(l, b, CLIF_LEARN_UNBIND, now_ns);
	l->ctr.unbinds++;
	b->used = 0;
}

/* Installs the exact capture rule for ev in owner's scope under a free learned handle. */
static int install(struct learner *l, const struct clif_cmd_rule *owner, const struct evidence *ev, uint32_t *handle)
{
	struct clif_cmd_rule r;
	uint32_t tries;
	int rc = CLIF_MBOX_EEXIST;

	memset(&r, 0, sizeof(r));
	r.hdr.opcode = CLIF_OP_RULE_ADD;
	r.kind = CLIF_RULE_EXACT;
	r.addr_type = ev->addr_type;
	r.scope_type = owner->scope_type;
	r.scope_value = owner->scope_value;
	memcpy(r.addr, ev->addr, ev->addr_type == CLIF_ADDR_IPV4 ? 4u : 16u);
	r.actions = CLIF_ACT_CAPTURE;
	r.snap_len = owner->snap_len;
	/* At most LEARN_MAX_BINDINGS learned handles are in use: a free one is that close. */
	for (tries = 0; tries <= LEARN_MAX_BINDINGS && rc == CLIF_MBOX_EEXIST; tries++) {
		r.handle = l->next_handle;
		l->next_handle = l->next_handle == 0xffffffffu ? LEARN_HANDLE_BASE : l->next_handle + 1u;
		rc = tm_add(l->tm, &r, owner->handle);
	}
	if (rc == CLIF_MBOX_OK)
		*handle = r.handle;
	return rc;
}

static void note_expiry(struct learner *l, const struct binding *b)
{
	struct learn_state *s = st(l);
	uint64_t exp = b->seen_ns + life_ns(l, b) + 1u;

	if (exp < s->next_check)
		s->next_check = exp;
}

/* The owner's rule sees ev's address: bind, refresh or move it. */
static void bind(struct learner *l, const struct clif_cmd_rule *owner, const struct evidence *ev, uint16_t vport,
		 uint64_t now_ns)
{
	struct learn_state *s = st(l);
	struct binding *found = NULL, *free_b = NULL, *b;
	uint32_t i, owned = 0, handle = 0;
	int rc;

	for (i = 0; i < LEARN_MAX_BINDINGS; i++) {
		b = &s->b[i];
		if (!b->used) {
			if (!free_b)
				free_b = b;
			continue;
		}
		if (b->owner == owner->handle)
			owned++;
		if (b->addr_type == ev->addr_type && b->scope_type == owner->scope_type &&
		    b->scope_value == owner->scope_value && memcmp(b->addr, ev->addr, CLIF_ADDR_BYTES) == 0)
			found = b;
	}
	if (found && found->owner == owner->handle) {
		found->seen_ns = now_ns;
		found->vport = vport;
		found->source = ev->source;
		if (ev->source == CLIF_LEARN_SRC_DHCPV4)
			found->lease_s = ev->lease_s;
		note_expiry(l, found);
		l->ctr.refreshes++;
		return;
	}
	if (owned >= LEARN_MAX_PER_OWNER || (!found && !free_b)) {
		l->ctr.table_full++;
		if (found) /* the address is no longer the old target's either way */
			unbind(l, found, now_ns);
		return;
	}
	/* New rule first, then the old owner's goes: the address stays captured throughout. */
	rc = install(l, owner, ev, &handle);
	if (found)
		unbind(l, found, now_ns);
	if (rc != CLIF_MBOX_OK) {
		l->ctr.table_full++;
		return;
	}
	b = found ? found : free_b;
	memset(b, 0, sizeof(*b));
	b->used = 1;
	b->seen_ns = now_ns;
	b->lease_s = ev->lease_s;
	b->owner = owner->handle;
	b->rule = handle;
	b->scope_type = owner->scope_type;
	b->scope_value = owner->scope_value;
	b->vport = vport;
	b->addr_type = ev->addr_type;
	b->source = ev->source;
	memcpy(b->mac, owner->addr, 6);
	memcpy(b->addr, ev->addr, CLIF_ADDR_BYTES);
	note_expiry(l, b);
	push_event(l, b, CLIF_LEARN_BIND, now_ns);
	l->ctr.binds++;
}

/* ---- API ---- */

size_t learn_arena_size(void)
{
	return sizeof(struct learn_state) + sizeof(uint64_t);
}

int learn_init(struct learner *l, struct tblmgr *tm, void *arena, size_t arena_size)
{
	uintptr_t a = (uintptr_t)arena, p = (a + 7u) & ~(uintptr_t)7u;

	memset(l, 0, sizeof(*l));
	if (!arena || arena_size < learn_arena_size())
		return CLIF_MBOX_EFULL;
	l->tm = tm;
	l->state = (void *)p;
	l->age_s = LEARN_DEFAULT_AGE_S;
	l->enabled = 1;
	learn_reset(l);
	return CLIF_MBOX_OK;
}

void learn_reset(struct learner *l)
{
	struct learn_state *s = st(l);

	memset(s, 0, sizeof(*s));
	s->age_seen = l->age_s;
	s->next_check = UINT64_MAX;
	l->next_handle = LEARN_HANDLE_BASE;
}

void learn_frame(struct learner *l, const struct clif_c2h_rec *rec, const uint8_t *frame, uint64_t now_ns)
{
	struct evidence ev[2];
	int res[2] = { P_NONE, P_NONE };
	int malformed = 0, used = 0;
	uint32_t i, layer, n = rec->n_match;

	if (!l->enabled)
		return;
	l->ctr.frames++;
	if (n > CLIF_REC_MAX_MATCH)
		n = CLIF_REC_MAX_MATCH;
	memset(ev, 0, sizeof(ev));
	for (i = 0; i < n; i++) {
		struct clif_cmd_rule owner;

		if (tm_get(l->tm, rec->handle[i], &owner) != CLIF_MBOX_OK)
			continue; /* the rule went after the frame was punted */
		if (owner.handle >= LEARN_HANDLE_BASE || owner.kind != CLIF_RULE_EXACT ||
		    owner.addr_type != CLIF_ADDR_MAC || !(owner.actions & CLIF_ACT_PUNT))
			continue;
		for (layer = 0; layer < 2u; layer++) {
			uint8_t bits = layer ? (CLIF_SIDE_INNER_SRC | CLIF_SIDE_INNER_DST)
					     : (CLIF_SIDE_OUTER_SRC | CLIF_SIDE_OUTER_DST);

			if (!(rec->side[i] & bits))
				continue;
			if (res[layer] == P_NONE)
				res[layer] = parse_layer(frame, rec, layer, &ev[layer]);
			if (res[layer] == P_MALFORMED)
				malformed = 1;
			if (res[layer] != P_FOUND || memcmp(ev[layer].mac, owner.addr, 6) != 0)
				continue;
			bind(l, &owner, &ev[layer], rec->vport, now_ns);
			used = 1;
		}
	}
	if (malformed)
		l->ctr.malformed++;
	else if (!used)
		l->ctr.ignored++;
}

void learn_age(struct learner *l, uint64_t now_ns)
{
	struct learn_state *s = st(l);
	uint32_t i;

	if (l->age_s != s->age_seen) { /* the configured age changed: every expiry moved */
		s->age_seen = l->age_s;
		s->next_check = 0;
	}
	if (now_ns < s->next_check)
		return;
	s->next_check = UINT64_MAX;
	for (i = 0; i < LEARN_MAX_BINDINGS; i++) {
		struct binding *b = &s->b[i];

		if (!b->used)
			continue;
		if (now_ns - b->seen_ns > life_ns(l, b) && now_ns > b->seen_ns)
			unbind(l, b, now_ns);
		else
			note_expiry(l, b);
	}
}

void learn_forget_owner(struct learner *l, uint32_t owner_handle, uint64_t now_ns)
{
	struct learn_state *s = st(l);
	uint32_t i;

	for (i = 0; i < LEARN_MAX_BINDINGS; i++)
		if (s->b[i].used && s->b[i].owner == owner_handle)
			unbind(l, &s->b[i], now_ns);
}

uint32_t learn_drain(struct learner *l, struct clif_learn_event *out, uint32_t max)
{
	struct learn_state *s = st(l);
	uint32_t n = 0;

	while (n < max && s->ev_count) {
		out[n++] = s->ev[s->ev_head];
		s->ev_head = (s->ev_head + 1u) % LEARN_EVENT_QUEUE;
		s->ev_count--;
	}
	return n;
}
