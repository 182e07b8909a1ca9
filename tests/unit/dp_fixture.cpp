// SPDX-License-Identifier: BSD-3-Clause
// The unit suites' shared builders and state (dp_fixture.h).
#include "dp_fixture.h"

#include <string.h>

#include <CppUTest/TestHarness.h>

struct clif_tblwin_regs g_tw;
struct dp_beat g_in[CLIF_DP_MAX_BEATS];
struct dp_beat g_fwd[CLIF_DP_MAX_BEATS];
alignas(64) uint8_t g_c2h_mem[RING_MEM_BYTES];
alignas(64) uint8_t g_punt_mem[RING_MEM_BYTES];
struct clif_ring_regs g_c2h, g_punt;
struct clif_dp_counters g_ctr;

// ---- frames ----

void fix_ipv4_len(struct pkt_buf &f, uint16_t ip)
{
	pkt_put_be16(&f, (uint16_t)(ip + 2), (uint16_t)(f.len - ip));
}

uint16_t start_tcp4(struct pkt_buf &f, const uint8_t *src, const uint8_t *dst, int vid, uint16_t frag)
{
	pkt_reset(&f);
	if (vid >= 0) {
		pkt_eth(&f, MAC_D, MAC_S, 0x8100);
		pkt_vlan(&f, (uint16_t)vid, 0x0800);
	} else {
		pkt_eth(&f, MAC_D, MAC_S, 0x0800);
	}
	uint16_t ip = pkt_ipv4(&f, src, dst, 6, 0, 0, frag);
	pkt_tcp(&f, 1234, 80, 5);
	return ip;
}

void vxlan_tcp4(struct pkt_buf &f, uint32_t vni, uint16_t inner_frag)
{
	pkt_reset(&f);
	pkt_eth(&f, MAC_D, MAC_S, 0x0800);
	pkt_ipv4(&f, V4_S, V4_D, 17, 8 + 8 + 54, 0, 0);
	pkt_udp(&f, 49152, 4789, 8 + 54);
	pkt_vxlan(&f, vni);
	pkt_eth(&f, MAC_D, MAC_S, 0x0800);
	pkt_ipv4(&f, IV4_S, IV4_D, 6, 20, 0, inner_frag);
	pkt_tcp(&f, 4321, 443, 5);
}

// ---- table entries ----

struct clif_rule_entry rule(uint32_t handle, uint16_t actions, uint16_t snap_len)
{
	struct clif_rule_entry r;

	memset(&r, 0, sizeof(r));
	r.handle = handle;
	r.actions = actions;
	r.snap_len = snap_len;
	r.flags = CLIF_ENTRY_VALID;
	return r;
}

struct clif_exact_entry exact(uint8_t addr_type, const uint8_t *addr, uint8_t scope, uint32_t value,
			      uint32_t slot)
{
	struct clif_exact_entry e;
	size_t n = addr_type == CLIF_ADDR_IPV4 ? 4 : addr_type == CLIF_ADDR_MAC ? 6 : 16;

	memset(&e, 0, sizeof(e));
	e.key.addr_type = addr_type;
	e.key.scope_type = scope;
	e.key.scope_value = value;
	memcpy(e.key.addr, addr, n);
	e.rule_slot = slot;
	e.flags = CLIF_ENTRY_VALID;
	return e;
}

struct clif_prefix_entry prefix4(const uint8_t *addr, uint8_t len, uint32_t slot)
{
	struct clif_prefix_entry e;

	memset(&e, 0, sizeof(e));
	e.addr_type = CLIF_ADDR_IPV4;
	e.scope_type = CLIF_SCOPE_ANY;
	e.prefix_len = len;
	e.flags = CLIF_ENTRY_VALID;
	for (unsigned i = 0; i < 4; i++) {
		unsigned keep = len >= 8 * (i + 1) ? 8 : len > 8 * i ? len - 8 * i : 0;
		e.addr[i] = (uint8_t)(addr[i] & (0xff00u >> keep));
	}
	e.rule_slot = slot;
	return e;
}

// ---- running the data plane ----

void start_placer(struct placer &pl)
{
	memset(&g_tw, 0, sizeof(g_tw));
	clif_dp_reset();
	LONGS_EQUAL(0, placer_init(&pl, &g_tw));
}

static void ring_init(struct clif_ring_regs &r, uint8_t *mem, uint32_t size)
{
	memset(&r, 0, sizeof(r));
	r.size = size;
	r.ctrl = CLIF_RING_CTRL_ENABLE;
	memset(mem, RING_SENTINEL, RING_MEM_BYTES);
}

void rings_init(uint32_t c2h_size, uint32_t punt_size)
{
	ring_init(g_c2h, g_c2h_mem, c2h_size);
	ring_init(g_punt, g_punt_mem, punt_size);
	memset(&g_ctr, 0, sizeof(g_ctr));
}

void load_frame(const struct pkt_buf &f)
{
	memset(g_in, 0, sizeof(g_in));
	memcpy(g_in, f.b, f.len);
}

void run_frame(const struct pkt_buf &f, uint16_t vport, uint64_t ts)
{
	struct dp_meta meta;
	struct dp_ring c2h = { &g_c2h, g_c2h_mem };
	struct dp_ring punt = { &g_punt, g_punt_mem };

	load_frame(f);
	memset(&meta, 0, sizeof(meta));
	meta.frame_len = f.len;
	meta.vport = vport;
	meta.ts_ns = ts;
	clif_dp_frame(g_in, g_fwd, &meta, c2h, punt, &g_ctr);
}

struct clif_c2h_rec rec_at(const uint8_t *mem, uint32_t off)
{
	struct clif_c2h_rec r;

	memcpy(&r, mem + off, sizeof(r));
	return r;
}
