// SPDX-License-Identifier: BSD-3-Clause
// The firmware-core suites' card, mailbox driver and frame builders (fw_fixture.h).
#include "fw_fixture.h"

#include <string.h>

#include <CppUTest/TestHarness.h>

struct card g_card;

namespace {
const size_t ARENA_BYTES = 64u << 20;
alignas(64) uint8_t arena[ARENA_BYTES];
} // namespace

uint8_t *const g_arena = arena;
const size_t g_arena_size = ARENA_BYTES;

void card_start(uint32_t punt_size)
{
	memset(&g_card, 0, sizeof(g_card));
	memset(&g_tw, 0, sizeof(g_tw));
	clif_dp_reset();
	clif_dp_tblwin(&g_tw); // a model answers its geometry registers once it has run
	rings_init(RING_MEM_BYTES, punt_size);
	g_punt.ctrl = 0; // fw_init() enables the punt ring
	g_fake_now_ns = 1000000000ull;
	g_fake_console.clear();
	g_fake_after_doorbell = nullptr;

	g_card.res.ident = &g_card.ident;
	g_card.res.mbox = &g_card.mbox;
	g_card.res.tw = &g_tw;
	g_card.res.punt = &g_punt;
	g_card.res.punt_mem = g_punt_mem;
	g_card.res.arena = g_arena;
	g_card.res.arena_size = g_arena_size;
	g_card.res.board_name = "unit-test-card";
	g_card.res.compatible = "clif,unit";
	g_card.res.board_id = 42;
	LONGS_EQUAL(CLIF_MBOX_OK, fw_init(&g_card.fw, &g_card.res));
}

void card_stop()
{
	g_fake_after_doorbell = nullptr;
	std::string().swap(g_fake_console);
}

struct clif_mbox_cpl post(void *cmd)
{
	struct clif_mbox_cmd_hdr h;
	struct clif_mbox_cpl cpl;

	g_card.seq++;
	memcpy(&h, cmd, sizeof(h));
	h.seq = g_card.seq;
	memcpy(cmd, &h, sizeof(h));
	memcpy((void *)&g_card.mbox.cmd, cmd, CLIF_MBOX_CMD_BYTES);
	g_card.mbox.doorbell = g_card.seq;
	fw_poll(&g_card.fw);
	UNSIGNED_LONGS_EQUAL(g_card.seq, g_card.mbox.done);
	memcpy(&cpl, (const void *)&g_card.mbox.cpl, sizeof(cpl));
	return cpl;
}

uint16_t post_status(void *cmd)
{
	return post(cmd).status;
}

struct clif_cmd_rule cmd_rule(uint32_t handle, uint8_t kind, uint8_t addr_type, const uint8_t *addr, uint16_t actions,
			      uint16_t snap, uint8_t scope, uint32_t scope_value)
{
	struct clif_cmd_rule r;

	memset(&r, 0, sizeof(r));
	r.hdr.opcode = CLIF_OP_RULE_ADD;
	r.handle = handle;
	r.kind = kind;
	r.addr_type = addr_type;
	r.scope_type = scope;
	r.scope_value = scope_value;
	memcpy(r.addr, addr, addr_type == CLIF_ADDR_IPV4 ? 4 : addr_type == CLIF_ADDR_MAC ? 6 : 16);
	r.actions = actions;
	r.snap_len = snap;
	return r;
}

struct clif_cmd_rule mac_rule(uint32_t handle, const uint8_t *mac, uint16_t snap, uint8_t scope, uint32_t scope_value)
{
	return cmd_rule(handle, CLIF_RULE_EXACT, CLIF_ADDR_MAC, mac, CLIF_ACT_PUNT, snap, scope, scope_value);
}

struct clif_mbox_cmd cmd_plain(uint16_t opcode)
{
	struct clif_mbox_cmd c;

	memset(&c, 0, sizeof(c));
	c.hdr.opcode = opcode;
	return c;
}

struct clif_cmd_config cmd_config(uint32_t key, uint64_t value)
{
	struct clif_cmd_config c;

	memset(&c, 0, sizeof(c));
	c.hdr.opcode = CLIF_OP_CONFIG;
	c.key = key;
	c.value = value;
	return c;
}

void add_rule(struct clif_cmd_rule r)
{
	r.hdr.opcode = CLIF_OP_RULE_ADD;
	LONGS_EQUAL(CLIF_MBOX_OK, post_status(&r));
}

uint32_t drain(struct clif_learn_event *out, uint32_t max)
{
	struct clif_mbox_cmd c = cmd_plain(CLIF_OP_LEARN_DRAIN);
	struct clif_mbox_cpl cpl = post(&c);
	uint32_t n = cpl.result;

	LONGS_EQUAL(CLIF_MBOX_OK, cpl.status);
	LONGS_EQUAL(n * sizeof(struct clif_learn_event), cpl.data_len);
	CHECK(n <= max);
	memcpy(out, (const void *)g_card.mbox.data, n * sizeof(struct clif_learn_event));
	return n;
}

// ---- frames ----

static void eth_tags(struct pkt_buf &f, const uint8_t *dst, const uint8_t *src, uint16_t type, int vid, int vid2)
{
	if (vid < 0) {
		pkt_eth(&f, dst, src, type);
		return;
	}
	if (vid2 < 0) {
		pkt_eth(&f, dst, src, 0x8100);
		pkt_vlan(&f, (uint16_t)vid, type);
		return;
	}
	pkt_eth(&f, dst, src, 0x88a8);
	pkt_vlan(&f, (uint16_t)vid, 0x8100);
	pkt_vlan(&f, (uint16_t)vid2, type);
}

void dhcp_frame(struct pkt_buf &f, const uint8_t *eth_dst, const uint8_t *chaddr, const uint8_t *yiaddr,
		const uint8_t *opts, size_t n_opts, int vid, int vid2)
{
	uint16_t payload = (uint16_t)(236 + 4 + n_opts);
	uint8_t fixed[236];

	pkt_reset(&f);
	eth_tags(f, eth_dst, SRV_MAC, 0x0800, vid, vid2);
	pkt_ipv4(&f, SRV_IP, yiaddr, 17, (uint16_t)(8 + payload), 0, 0);
	pkt_udp(&f, 67, 68, payload);
	memset(fixed, 0, sizeof(fixed));
	fixed[0] = 2; // BOOTREPLY
	fixed[1] = 1; // Ethernet
	fixed[2] = 6;
	fixed[4] = 0x12; // xid
	memcpy(fixed + 16, yiaddr, 4);
	memcpy(fixed + 20, SRV_IP, 4); // siaddr
	memcpy(fixed + 28, chaddr, 6);
	pkt_bytes(&f, fixed, sizeof(fixed));
	pkt_be32(&f, 0x63825363u);
	pkt_bytes(&f, opts, n_opts);
}

void dhcp_msg(struct pkt_buf &f, uint8_t type, const uint8_t *eth_dst, const uint8_t *chaddr, const uint8_t *yiaddr,
	      uint32_t lease, int vid, int vid2)
{
	uint8_t o[16];
	size_t n = 0;

	o[n++] = 53;
	o[n++] = 1;
	o[n++] = type;
	if (lease) {
		o[n++] = 51;
		o[n++] = 4;
		o[n++] = (uint8_t)(lease >> 24);
		o[n++] = (uint8_t)(lease >> 16);
		o[n++] = (uint8_t)(lease >> 8);
		o[n++] = (uint8_t)lease;
	}
	o[n++] = 255;
	dhcp_frame(f, eth_dst, chaddr, yiaddr, o, n, vid, vid2);
}

void dhcp_ack(struct pkt_buf &f, const uint8_t *yiaddr, uint32_t lease)
{
	dhcp_msg(f, 5, TGT_MAC, TGT_MAC, yiaddr, lease);
}

void arp_frame(struct pkt_buf &f, const uint8_t *eth_dst, const uint8_t *eth_src, uint16_t oper, const uint8_t *sha,
	       const uint8_t *spa, const uint8_t *tpa, int vid)
{
	static const uint8_t zero_mac[6] = { 0 };

	pkt_reset(&f);
	eth_tags(f, eth_dst, eth_src, 0x0806, vid, -1);
	pkt_be16(&f, 1);
	pkt_be16(&f, 0x0800);
	pkt_u8(&f, 6);
	pkt_u8(&f, 4);
	pkt_be16(&f, oper);
	pkt_bytes(&f, sha, 6);
	pkt_bytes(&f, spa, 4);
	pkt_bytes(&f, oper == 2 ? eth_dst : zero_mac, 6);
	pkt_bytes(&f, tpa, 4);
}

void fix_ipv6_len(struct pkt_buf &f, uint16_t ip)
{
	pkt_put_be16(&f, (uint16_t)(ip + 4), (uint16_t)(f.len - ip - 40));
}

void na_frame(struct pkt_buf &f, const uint8_t *eth_dst, const uint8_t *eth_src, const uint8_t *target,
	      const uint8_t *tlla, uint8_t hop)
{
	static const uint8_t all_nodes[16] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };

	pkt_reset(&f);
	pkt_eth(&f, eth_dst, eth_src, 0x86dd);
	uint16_t ip = pkt_ipv6(&f, target, all_nodes, 58, 0);
	f.b[ip + 7] = hop;
	pkt_u8(&f, 136);
	pkt_u8(&f, 0);
	pkt_be16(&f, 0);          // checksum (not read)
	pkt_be32(&f, 0x60000000); // solicited, override
	pkt_bytes(&f, target, 16);
	if (tlla) {
		pkt_u8(&f, 2);
		pkt_u8(&f, 1);
		pkt_bytes(&f, tlla, 6);
	}
	fix_ipv6_len(f, ip);
}

void punt_frame(const struct pkt_buf &f, uint16_t vport)
{
	run_frame(f, vport, 7);
	fw_poll(&g_card.fw);
}

void check_event(const struct clif_learn_event &e, uint8_t kind, uint8_t source, uint8_t addr_type, uint32_t handle,
		 const uint8_t *mac, const uint8_t *addr, uint16_t vport, uint32_t scope_value)
{
	uint8_t a[16] = { 0 };

	memcpy(a, addr, addr_type == CLIF_ADDR_IPV4 ? 4 : 16);
	LONGS_EQUAL(kind, e.kind);
	LONGS_EQUAL(source, e.source);
	LONGS_EQUAL(addr_type, e.addr_type);
	LONGS_EQUAL(0, e.rsvd0);
	UNSIGNED_LONGS_EQUAL(handle, e.handle);
	MEMCMP_EQUAL(mac, e.mac, 6);
	LONGS_EQUAL(vport, e.vport);
	UNSIGNED_LONGS_EQUAL(scope_value, e.scope_value);
	LONGS_EQUAL(0, e.rsvd1);
	MEMCMP_EQUAL(a, e.addr, 16);
}
