// SPDX-License-Identifier: BSD-3-Clause
// Match tables: the table window (include/clif/tblwin.h) and the lookups, hit list and hit
// counters of hls/SEMANTICS.md sections 3-4. Tables are programmed through the placer.
#include <string.h>

extern "C" {
#include "clif/exact_hash.h"
}

#include "dp_fixture.h"

#include <CppUTest/TestHarness.h>

namespace {

const uint16_t VXLAN_VNI = 5000;
const uint32_t C2H_RING = RING_MEM_BYTES, PUNT_RING = 4096; // ring sizes

// ---- frames ----

// Ethernet [+ 802.1Q vid] + IPv4 src -> dst, TCP 1234 -> 80, padded to len bytes (if larger).
void tcp4(struct pkt_buf &f, const uint8_t *src, const uint8_t *dst, int vid = -1, uint16_t len = 0)
{
	uint16_t ip = start_tcp4(f, src, dst, vid, 0);

	if (len > f.len)
		pkt_zeros(&f, (size_t)(len - f.len));
	fix_ipv4_len(f, ip);
}

void tcp6(struct pkt_buf &f)
{
	pkt_reset(&f);
	pkt_eth(&f, MAC_D, MAC_S, 0x86dd);
	pkt_ipv6(&f, V6_S, V6_D, 6, 20);
	pkt_tcp(&f, 1234, 80, 5);
}

void arp(struct pkt_buf &f)
{
	pkt_reset(&f);
	pkt_eth(&f, MAC_D, MAC_S, 0x0806);
	pkt_zeros(&f, 28);
}

// ---- entries ----

// Ternary IPv4 entry matching addr/32 (mask_all = 0: any address), no qualifiers.
struct clif_ternary_entry tern4(const uint8_t *addr, bool mask_all, uint16_t priority, uint32_t slot)
{
	struct clif_ternary_entry e;

	memset(&e, 0, sizeof(e));
	e.addr_type = CLIF_ADDR_IPV4;
	e.scope_type = CLIF_SCOPE_ANY;
	e.flags = CLIF_ENTRY_VALID;
	e.priority = priority;
	e.rule_slot = slot;
	if (mask_all) {
		memcpy(e.addr, addr, 4);
		memset(e.addr_mask, 0xff, 4);
	}
	return e;
}

// ---- running frames ----

struct dp_hits lookup(const struct pkt_buf &f, uint16_t vport = 0)
{
	struct dp_parsed p;
	struct dp_hits h;

	load_frame(f);
	dp_parse(g_in, f.len, &p);
	memset(&h, 0xa5, sizeof(h));
	dp_lookup(&p, vport, &h);
	return h;
}

void window_data(void *out, size_t n)
{
	uint32_t words[CLIF_TW_DATA_WORDS];

	for (unsigned i = 0; i < CLIF_TW_DATA_WORDS; i++)
		words[i] = g_tw.data[i];
	memcpy(out, words, n);
}

void check_one_hit(const struct dp_hits &h, uint32_t slot, uint8_t side)
{
	LONGS_EQUAL(1, h.n);
	LONGS_EQUAL(0, h.overflow);
	LONGS_EQUAL(slot, h.slot[0]);
	LONGS_EQUAL(side, h.side[0]);
}

void check_no_hit(const struct dp_hits &h)
{
	LONGS_EQUAL(0, h.n);
	LONGS_EQUAL(0, h.overflow);
}

} // namespace

// Every group resets the tables (start_placer) so tests are independent.
TEST_GROUP(TableWindow)
{
	struct placer pl;

	void setup() override
	{
		start_placer(pl);
	}
	void teardown() override
	{
		placer_fini(&pl);
	}
	uint32_t cmd(uint32_t table, uint32_t index, uint32_t command, const void *entry = nullptr,
		     uint32_t len = 0)
	{
		return placer_cmd(&pl, table, index, command, entry, len);
	}
};

TEST(TableWindow, GeometryRegistersAreTheBuildConfig)
{
	LONGS_EQUAL(CLIF_BLK_TBLWIN, g_tw.hdr.type);
	LONGS_EQUAL(sizeof(struct clif_tblwin_regs), g_tw.hdr.size);
	LONGS_EQUAL(CLIF_DP_EXACT_WAYS, g_tw.exact_ways);
	LONGS_EQUAL(CLIF_DP_EXACT_WAY_SIZE, g_tw.exact_way_size);
	LONGS_EQUAL(CLIF_DP_PREFIX_ENTRIES, g_tw.prefix_entries);
	LONGS_EQUAL(CLIF_DP_TERNARY_ENTRIES, g_tw.ternary_entries);
	LONGS_EQUAL(CLIF_DP_RULE_SLOTS, g_tw.rule_slots);
	UNSIGNED_LONGS_EQUAL(CLIF_DP_HASH_SEED, g_tw.hash_seed);
}

TEST(TableWindow, UnknownTableIsBadTable)
{
	struct clif_rule_entry r = rule(1);

	LONGS_EQUAL(CLIF_TW_ST_BAD_TABLE, cmd(9, 0, CLIF_TW_CMD_WRITE, &r, sizeof(r)));
	LONGS_EQUAL(CLIF_TW_CMD_NONE, g_tw.cmd);
	LONGS_EQUAL(CLIF_TW_ST_BAD_TABLE, cmd(0, 0, CLIF_TW_CMD_READ));
	LONGS_EQUAL(CLIF_TW_CMD_NONE, g_tw.cmd);
}

TEST(TableWindow, IndexOutOfRangeIsBadIndex)
{
	struct clif_rule_entry r = rule(1);
	const uint32_t exact_size = CLIF_DP_EXACT_WAYS * CLIF_DP_EXACT_WAY_SIZE;

	LONGS_EQUAL(CLIF_TW_ST_DONE, cmd(CLIF_TBL_RULE, CLIF_DP_RULE_SLOTS - 1, CLIF_TW_CMD_WRITE, &r, sizeof(r)));
	LONGS_EQUAL(CLIF_TW_ST_BAD_INDEX, cmd(CLIF_TBL_RULE, CLIF_DP_RULE_SLOTS, CLIF_TW_CMD_WRITE, &r, sizeof(r)));
	LONGS_EQUAL(CLIF_TW_CMD_NONE, g_tw.cmd);
	LONGS_EQUAL(CLIF_TW_ST_DONE, cmd(CLIF_TBL_EXACT, exact_size - 1, CLIF_TW_CMD_READ));
	LONGS_EQUAL(CLIF_TW_ST_BAD_INDEX, cmd(CLIF_TBL_EXACT, exact_size, CLIF_TW_CMD_READ));
	LONGS_EQUAL(CLIF_TW_ST_BAD_INDEX, cmd(CLIF_TBL_PREFIX, CLIF_DP_PREFIX_ENTRIES, CLIF_TW_CMD_READ));
	LONGS_EQUAL(CLIF_TW_ST_BAD_INDEX, cmd(CLIF_TBL_TERNARY, CLIF_DP_TERNARY_ENTRIES, CLIF_TW_CMD_READ));
	LONGS_EQUAL(CLIF_TW_ST_BAD_INDEX, cmd(CLIF_TBL_HITS, CLIF_DP_RULE_SLOTS, CLIF_TW_CMD_READ));
	LONGS_EQUAL(CLIF_TW_ST_BAD_INDEX, cmd(CLIF_TBL_HITS, 0xffffffffu, CLIF_TW_CMD_CLEAR_HITS));
	LONGS_EQUAL(CLIF_TW_CMD_NONE, g_tw.cmd);
}

TEST(TableWindow, UnknownCommandIsBadCmd)
{
	LONGS_EQUAL(CLIF_TW_ST_BAD_CMD, cmd(CLIF_TBL_RULE, 0, 5));
	LONGS_EQUAL(CLIF_TW_CMD_NONE, g_tw.cmd);
	LONGS_EQUAL(CLIF_TW_ST_BAD_CMD, cmd(CLIF_TBL_RULE, 0, 0x80000000u));
	LONGS_EQUAL(CLIF_TW_CMD_NONE, g_tw.cmd);
}

TEST(TableWindow, WriteToHitsIsReadOnly)
{
	struct clif_hit_counter c = { 5, 500 };

	LONGS_EQUAL(CLIF_TW_ST_READ_ONLY, cmd(CLIF_TBL_HITS, 3, CLIF_TW_CMD_WRITE, &c, sizeof(c)));
	LONGS_EQUAL(CLIF_TW_CMD_NONE, g_tw.cmd);
	struct clif_hit_counter now = placer_hits(&pl, 3);
	LONGS_EQUAL(0, now.packets);
	LONGS_EQUAL(0, now.bytes);
}

TEST(TableWindow, CommandRegisterClearedAfterSuccess)
{
	struct clif_rule_entry r = rule(1);

	LONGS_EQUAL(CLIF_TW_ST_DONE, cmd(CLIF_TBL_RULE, 7, CLIF_TW_CMD_WRITE, &r, sizeof(r)));
	LONGS_EQUAL(CLIF_TW_CMD_NONE, g_tw.cmd);
	LONGS_EQUAL(CLIF_TW_ST_DONE, cmd(CLIF_TBL_RULE, 7, CLIF_TW_CMD_READ));
	LONGS_EQUAL(CLIF_TW_CMD_NONE, g_tw.cmd);
	LONGS_EQUAL(CLIF_TW_ST_DONE, cmd(CLIF_TBL_HITS, 7, CLIF_TW_CMD_CLEAR_HITS));
	LONGS_EQUAL(CLIF_TW_CMD_NONE, g_tw.cmd);
}

TEST(TableWindow, ExactEntryReadsBackIdentical)
{
	struct clif_exact_entry e, back;

	memset(&e, 0, sizeof(e));
	e.key.addr_type = CLIF_ADDR_IPV6;
	e.key.scope_type = CLIF_SCOPE_VNI;
	e.key.scope_value = 0x00abcdef;
	for (unsigned i = 0; i < CLIF_ADDR_BYTES; i++)
		e.key.addr[i] = (uint8_t)(0xf0 + i);
	e.rule_slot = 0x0000fedc;
	e.flags = CLIF_ENTRY_VALID;
	LONGS_EQUAL(CLIF_TW_ST_DONE, cmd(CLIF_TBL_EXACT, 12345, CLIF_TW_CMD_WRITE, &e, sizeof(e)));
	memset((void *)g_tw.data, 0, sizeof(g_tw.data));
	LONGS_EQUAL(CLIF_TW_ST_DONE, cmd(CLIF_TBL_EXACT, 12345, CLIF_TW_CMD_READ));
	window_data(&back, sizeof(back));
	MEMCMP_EQUAL(&e, &back, sizeof(e));
}

TEST(TableWindow, PrefixEntryReadsBackIdentical)
{
	struct clif_prefix_entry e, back;

	memset(&e, 0, sizeof(e));
	e.addr_type = CLIF_ADDR_IPV6;
	e.scope_type = CLIF_SCOPE_VLAN;
	e.prefix_len = 48;
	e.flags = CLIF_ENTRY_VALID;
	e.scope_value = 0x0123;
	for (unsigned i = 0; i < 6; i++)
		e.addr[i] = (uint8_t)(0x21 + i);
	e.rule_slot = 0x00012345 % CLIF_DP_RULE_SLOTS;
	LONGS_EQUAL(CLIF_TW_ST_DONE, cmd(CLIF_TBL_PREFIX, CLIF_DP_PREFIX_ENTRIES - 1, CLIF_TW_CMD_WRITE, &e, sizeof(e)));
	memset((void *)g_tw.data, 0, sizeof(g_tw.data));
	LONGS_EQUAL(CLIF_TW_ST_DONE, cmd(CLIF_TBL_PREFIX, CLIF_DP_PREFIX_ENTRIES - 1, CLIF_TW_CMD_READ));
	window_data(&back, sizeof(back));
	MEMCMP_EQUAL(&e, &back, sizeof(e));
}

TEST(TableWindow, TernaryEntryReadsBackIdentical)
{
	struct clif_ternary_entry e, back;

	memset(&e, 0, sizeof(e));
	e.addr_type = CLIF_ADDR_IPV6;
	e.scope_type = CLIF_SCOPE_VPORT;
	e.flags = CLIF_ENTRY_VALID;
	e.ip_proto = 17;
	e.ip_proto_mask = 0xfe;
	e.priority = 0xbeef;
	e.scope_value = 0x1234;
	e.rule_slot = 0x0000cafe;
	for (unsigned i = 0; i < CLIF_ADDR_BYTES; i++) {
		e.addr[i] = (uint8_t)(0x10 + i);
		e.addr_mask[i] = (uint8_t)(0xff - i);
	}
	e.port_this = 0x1122;
	e.port_this_mask = 0x3344;
	e.port_peer = 0x5566;
	e.port_peer_mask = 0x7788;
	LONGS_EQUAL(CLIF_TW_ST_DONE, cmd(CLIF_TBL_TERNARY, 17, CLIF_TW_CMD_WRITE, &e, sizeof(e)));
	memset((void *)g_tw.data, 0, sizeof(g_tw.data));
	LONGS_EQUAL(CLIF_TW_ST_DONE, cmd(CLIF_TBL_TERNARY, 17, CLIF_TW_CMD_READ));
	window_data(&back, sizeof(back));
	MEMCMP_EQUAL(&e, &back, sizeof(e));
}

TEST(TableWindow, RuleEntryReadsBackIdentical)
{
	struct clif_rule_entry e = rule(0xdeadbeef, CLIF_ACT_ALL, 0x1234), back;

	LONGS_EQUAL(CLIF_TW_ST_DONE, cmd(CLIF_TBL_RULE, 4242, CLIF_TW_CMD_WRITE, &e, sizeof(e)));
	memset((void *)g_tw.data, 0, sizeof(g_tw.data));
	LONGS_EQUAL(CLIF_TW_ST_DONE, cmd(CLIF_TBL_RULE, 4242, CLIF_TW_CMD_READ));
	window_data(&back, sizeof(back));
	MEMCMP_EQUAL(&e, &back, sizeof(e));
}

TEST(TableWindow, CountsAboveCapacityAreClamped)
{
	struct clif_rule_entry r = rule(1);
	struct clif_prefix_entry pe = prefix4(V4_S, 32, 1);
	struct clif_ternary_entry te = tern4(V4_D, true, 1, 2);
	struct pkt_buf f;

	placer_rule(&pl, 1, &r);
	placer_rule(&pl, 2, &r);
	cmd(CLIF_TBL_PREFIX, 0, CLIF_TW_CMD_WRITE, &pe, sizeof(pe));
	cmd(CLIF_TBL_TERNARY, 0, CLIF_TW_CMD_WRITE, &te, sizeof(te));
	g_tw.prefix_count = 0xffffffffu;
	g_tw.ternary_count = CLIF_DP_TERNARY_ENTRIES + 1;
	clif_dp_tblwin(&g_tw);
	tcp4(f, V4_S, V4_D);
	struct dp_hits h = lookup(f);
	LONGS_EQUAL(2, h.n);
	LONGS_EQUAL(1, h.slot[0]);
	LONGS_EQUAL(CLIF_SIDE_OUTER_SRC, h.side[0]);
	LONGS_EQUAL(2, h.slot[1]);
	LONGS_EQUAL(CLIF_SIDE_OUTER_DST, h.side[1]);
}

TEST(TableWindow, ResetEmptiesEverything)
{
	struct clif_rule_entry r = rule(1, CLIF_ACT_CAPTURE);
	struct clif_exact_entry ee = exact(CLIF_ADDR_IPV4, V4_S, CLIF_SCOPE_ANY, 0, 1);
	struct clif_prefix_entry pe = prefix4(V4_S, 32, 1);
	struct clif_ternary_entry te = tern4(V4_S, true, 1, 1);
	struct pkt_buf f;

	placer_rule(&pl, 1, &r);
	LONGS_EQUAL(0, placer_exact(&pl, &ee));
	LONGS_EQUAL(0, placer_prefix(&pl, &pe));
	LONGS_EQUAL(0, placer_ternary(&pl, &te));
	tcp4(f, V4_S, V4_D);
	rings_init(C2H_RING, PUNT_RING);
	run_frame(f);
	LONGS_EQUAL(1, placer_hits(&pl, 1).packets);

	LONGS_EQUAL(CLIF_TW_ST_DONE, cmd(0, 0, CLIF_TW_CMD_RESET));
	LONGS_EQUAL(CLIF_TW_CMD_NONE, g_tw.cmd);
	// Even with the counts set again, nothing is left to hit.
	g_tw.prefix_count = 1;
	g_tw.ternary_count = 1;
	clif_dp_tblwin(&g_tw);
	check_no_hit(lookup(f));
	struct clif_hit_counter c = placer_hits(&pl, 1);
	LONGS_EQUAL(0, c.packets);
	LONGS_EQUAL(0, c.bytes);
	struct clif_rule_entry back;
	cmd(CLIF_TBL_RULE, 1, CLIF_TW_CMD_READ);
	window_data(&back, sizeof(back));
	LONGS_EQUAL(0, back.flags & CLIF_ENTRY_VALID);
	struct clif_prefix_entry pback;
	cmd(CLIF_TBL_PREFIX, 0, CLIF_TW_CMD_READ);
	window_data(&pback, sizeof(pback));
	LONGS_EQUAL(0, pback.flags & CLIF_ENTRY_VALID);
	struct clif_ternary_entry tback;
	cmd(CLIF_TBL_TERNARY, 0, CLIF_TW_CMD_READ);
	window_data(&tback, sizeof(tback));
	LONGS_EQUAL(0, tback.flags & CLIF_ENTRY_VALID);
}

TEST(TableWindow, ClearHitsZeroesOneCounter)
{
	struct clif_rule_entry r = rule(1);
	struct clif_prefix_entry p1 = prefix4(V4_S, 32, 1);
	struct clif_prefix_entry p2 = prefix4(V4_S, 32, 2);
	struct pkt_buf f;

	placer_rule(&pl, 1, &r);
	placer_rule(&pl, 2, &r);
	placer_prefix(&pl, &p1);
	placer_prefix(&pl, &p2);
	tcp4(f, V4_S, V4_D);
	rings_init(C2H_RING, PUNT_RING);
	run_frame(f);
	LONGS_EQUAL(CLIF_TW_ST_DONE, cmd(CLIF_TBL_HITS, 1, CLIF_TW_CMD_CLEAR_HITS));
	LONGS_EQUAL(0, placer_hits(&pl, 1).packets);
	LONGS_EQUAL(0, placer_hits(&pl, 1).bytes);
	LONGS_EQUAL(1, placer_hits(&pl, 2).packets);
	LONGS_EQUAL(f.len, placer_hits(&pl, 2).bytes);
}

// ---------------------------------------------------------------------------------------------

TEST_GROUP(Lookup)
{
	struct placer pl;
	struct pkt_buf f;

	void setup() override
	{
		start_placer(pl);
		rings_init(C2H_RING, PUNT_RING);
		pkt_reset(&f);
	}
	void teardown() override
	{
		placer_fini(&pl);
	}
	void add_rule(uint32_t slot, uint16_t actions = 0, uint16_t snap = 0)
	{
		struct clif_rule_entry r = rule(0x1000 + slot, actions, snap);

		LONGS_EQUAL(0, placer_rule(&pl, slot, &r));
	}
	void add_exact(uint8_t type, const uint8_t *addr, uint8_t scope, uint32_t value, uint32_t slot)
	{
		struct clif_exact_entry e = exact(type, addr, scope, value, slot);

		LONGS_EQUAL(0, placer_exact(&pl, &e));
	}
	void add_prefix(const struct clif_prefix_entry &e)
	{
		LONGS_EQUAL(0, placer_prefix(&pl, &e));
	}
	void add_ternary(const struct clif_ternary_entry &e)
	{
		LONGS_EQUAL(0, placer_ternary(&pl, &e));
	}
};

TEST(Lookup, ExactAnyScopeHits)
{
	add_rule(1);
	add_exact(CLIF_ADDR_IPV4, V4_S, CLIF_SCOPE_ANY, 0, 1);
	tcp4(f, V4_S, V4_D);
	check_one_hit(lookup(f, 9), 1, CLIF_SIDE_OUTER_SRC);
}

TEST(Lookup, ExactIpv6Hits)
{
	add_rule(1);
	add_exact(CLIF_ADDR_IPV6, V6_D, CLIF_SCOPE_ANY, 0, 1);
	tcp6(f);
	check_one_hit(lookup(f), 1, CLIF_SIDE_OUTER_DST);
}

TEST(Lookup, ExactVportScopeHitsOnlyThatVport)
{
	add_rule(1);
	add_exact(CLIF_ADDR_IPV4, V4_S, CLIF_SCOPE_VPORT, 7, 1);
	tcp4(f, V4_S, V4_D);
	check_one_hit(lookup(f, 7), 1, CLIF_SIDE_OUTER_SRC);
	check_no_hit(lookup(f, 8));
}

TEST(Lookup, ExactVlanScopeHitsOnlyThatVid)
{
	add_rule(1);
	add_exact(CLIF_ADDR_IPV4, V4_S, CLIF_SCOPE_VLAN, 100, 1);
	tcp4(f, V4_S, V4_D, 100);
	check_one_hit(lookup(f), 1, CLIF_SIDE_OUTER_SRC);
	tcp4(f, V4_S, V4_D, 101);
	check_no_hit(lookup(f));
	tcp4(f, V4_S, V4_D);
	check_no_hit(lookup(f));
}

TEST(Lookup, VlanScopeNeedsATag)
{
	add_rule(1);
	add_exact(CLIF_ADDR_IPV4, V4_S, CLIF_SCOPE_VLAN, 0, 1);
	tcp4(f, V4_S, V4_D);
	check_no_hit(lookup(f));
	tcp4(f, V4_S, V4_D, 0);
	check_one_hit(lookup(f), 1, CLIF_SIDE_OUTER_SRC);
}

TEST(Lookup, ExactVniScopeHitsInnerLayer)
{
	add_rule(1);
	add_exact(CLIF_ADDR_IPV4, IV4_S, CLIF_SCOPE_VNI, VXLAN_VNI, 1);
	vxlan_tcp4(f, VXLAN_VNI);
	check_one_hit(lookup(f), 1, CLIF_SIDE_INNER_SRC);
}

TEST(Lookup, ExactVniScopeNeverHitsOuterLayer)
{
	add_rule(1);
	add_exact(CLIF_ADDR_IPV4, V4_S, CLIF_SCOPE_VNI, VXLAN_VNI, 1);
	vxlan_tcp4(f, VXLAN_VNI);
	check_no_hit(lookup(f));
}

TEST(Lookup, ExactVniScopeOtherVniMisses)
{
	add_rule(1);
	add_exact(CLIF_ADDR_IPV4, IV4_S, CLIF_SCOPE_VNI, VXLAN_VNI + 1, 1);
	vxlan_tcp4(f, VXLAN_VNI);
	check_no_hit(lookup(f));
}

TEST(Lookup, ExactAnyScopeHitsInnerLayer)
{
	add_rule(1);
	add_exact(CLIF_ADDR_IPV4, IV4_D, CLIF_SCOPE_ANY, 0, 1);
	vxlan_tcp4(f, VXLAN_VNI);
	check_one_hit(lookup(f), 1, CLIF_SIDE_INNER_DST);
}

TEST(Lookup, ExactEntryOverwrittenByInvalidStopsHitting)
{
	struct clif_exact_entry e = exact(CLIF_ADDR_IPV4, V4_S, CLIF_SCOPE_ANY, 0, 1), none;

	add_rule(1);
	uint32_t h1 = clif_exact_hash(&e.key, CLIF_DP_HASH_SEED);
	uint32_t h2 = clif_exact_hash(&e.key, CLIF_DP_HASH_SEED ^ CLIF_EXACT_HASH_SEED2);
	uint32_t idx = 2 * CLIF_DP_EXACT_WAY_SIZE + clif_exact_bucket(h1, h2, 2, CLIF_DP_EXACT_WAY_SIZE);
	LONGS_EQUAL(CLIF_TW_ST_DONE, placer_cmd(&pl, CLIF_TBL_EXACT, idx, CLIF_TW_CMD_WRITE, &e, sizeof(e)));
	tcp4(f, V4_S, V4_D);
	check_one_hit(lookup(f), 1, CLIF_SIDE_OUTER_SRC);

	memset(&none, 0, sizeof(none));
	LONGS_EQUAL(CLIF_TW_ST_DONE, placer_cmd(&pl, CLIF_TBL_EXACT, idx, CLIF_TW_CMD_WRITE, &none, sizeof(none)));
	check_no_hit(lookup(f));
}

// A cuckoo move: the key written in its new way first, then removed from the old one.
TEST(Lookup, ExactEntryMovedBetweenWaysKeepsHitting)
{
	struct clif_exact_entry e = exact(CLIF_ADDR_IPV4, V4_S, CLIF_SCOPE_ANY, 0, 1), none;
	uint32_t idx[CLIF_DP_EXACT_WAYS];

	add_rule(1);
	memset(&none, 0, sizeof(none));
	uint32_t h1 = clif_exact_hash(&e.key, CLIF_DP_HASH_SEED);
	uint32_t h2 = clif_exact_hash(&e.key, CLIF_DP_HASH_SEED ^ CLIF_EXACT_HASH_SEED2);
	for (uint32_t w = 0; w < CLIF_DP_EXACT_WAYS; w++)
		idx[w] = w * CLIF_DP_EXACT_WAY_SIZE + clif_exact_bucket(h1, h2, w, CLIF_DP_EXACT_WAY_SIZE);
	tcp4(f, V4_S, V4_D);
	for (uint32_t w = 0; w + 1 < CLIF_DP_EXACT_WAYS; w++) {
		placer_cmd(&pl, CLIF_TBL_EXACT, idx[w], CLIF_TW_CMD_WRITE, &e, sizeof(e));
		check_one_hit(lookup(f), 1, CLIF_SIDE_OUTER_SRC);
		placer_cmd(&pl, CLIF_TBL_EXACT, idx[w + 1], CLIF_TW_CMD_WRITE, &e, sizeof(e));
		placer_cmd(&pl, CLIF_TBL_EXACT, idx[w], CLIF_TW_CMD_WRITE, &none, sizeof(none));
		check_one_hit(lookup(f), 1, CLIF_SIDE_OUTER_SRC);
	}
}

TEST(Lookup, MacKeyHits)
{
	add_rule(1);
	add_rule(2);
	add_exact(CLIF_ADDR_MAC, MAC_S, CLIF_SCOPE_ANY, 0, 1);
	add_exact(CLIF_ADDR_MAC, MAC_D, CLIF_SCOPE_VPORT, 3, 2);
	tcp4(f, V4_S, V4_D);
	struct dp_hits h = lookup(f, 3);
	LONGS_EQUAL(2, h.n);
	LONGS_EQUAL(1, h.slot[0]);
	LONGS_EQUAL(CLIF_SIDE_OUTER_SRC, h.side[0]);
	LONGS_EQUAL(2, h.slot[1]);
	LONGS_EQUAL(CLIF_SIDE_OUTER_DST, h.side[1]);
}

TEST(Lookup, MacKeyHitsFrameWithoutL3)
{
	add_rule(1);
	add_exact(CLIF_ADDR_MAC, MAC_S, CLIF_SCOPE_ANY, 0, 1);
	arp(f);
	check_one_hit(lookup(f), 1, CLIF_SIDE_OUTER_SRC);
}

TEST(Lookup, OverlappingPrefixesBothHitInIndexOrder)
{
	add_rule(10);
	add_rule(20);
	add_prefix(prefix4(V4_S, 24, 20));
	add_prefix(prefix4(V4_S, 8, 10));
	tcp4(f, V4_S, V4_FAR);
	struct dp_hits h = lookup(f);
	LONGS_EQUAL(2, h.n);
	LONGS_EQUAL(20, h.slot[0]);
	LONGS_EQUAL(10, h.slot[1]);
	LONGS_EQUAL(CLIF_SIDE_OUTER_SRC, h.side[0]);
	LONGS_EQUAL(CLIF_SIDE_OUTER_SRC, h.side[1]);
}

TEST(Lookup, PrefixDoesNotHitOutsideIt)
{
	add_rule(1);
	add_prefix(prefix4(V4_FAR, 24, 1));
	tcp4(f, V4_S, V4_D);
	check_no_hit(lookup(f));
}

TEST(Lookup, PrefixLength33OnIpv4NeverHits)
{
	add_rule(1);
	add_prefix(prefix4(V4_S, 33, 1));
	tcp4(f, V4_S, V4_D);
	check_no_hit(lookup(f));
}

TEST(Lookup, PrefixLength0HitsEveryAddress)
{
	add_rule(1);
	add_prefix(prefix4(V4_S, 0, 1));
	vxlan_tcp4(f, VXLAN_VNI);
	check_one_hit(lookup(f), 1,
		      CLIF_SIDE_OUTER_SRC | CLIF_SIDE_OUTER_DST | CLIF_SIDE_INNER_SRC | CLIF_SIDE_INNER_DST);
}

TEST(Lookup, PrefixOfOtherAddressTypeMisses)
{
	add_rule(1);
	add_prefix(prefix4(V4_S, 0, 1));
	tcp6(f);
	check_no_hit(lookup(f));
}

TEST(Lookup, PrefixScopeMustFit)
{
	struct clif_prefix_entry e = prefix4(V4_S, 24, 1);

	add_rule(1);
	e.scope_type = CLIF_SCOPE_VLAN;
	e.scope_value = 100;
	add_prefix(e);
	tcp4(f, V4_S, V4_FAR, 100);
	check_one_hit(lookup(f), 1, CLIF_SIDE_OUTER_SRC);
	tcp4(f, V4_S, V4_FAR, 101);
	check_no_hit(lookup(f));
	tcp4(f, V4_S, V4_FAR);
	check_no_hit(lookup(f));
}

TEST(Lookup, TernaryVniScopeFitsOnlyTheInnerLayer)
{
	struct clif_ternary_entry e = tern4(V4_S, false, 1, 1); // any address

	add_rule(1);
	e.scope_type = CLIF_SCOPE_VNI;
	e.scope_value = VXLAN_VNI;
	add_ternary(e);
	vxlan_tcp4(f, VXLAN_VNI);
	check_one_hit(lookup(f), 1, CLIF_SIDE_INNER_SRC | CLIF_SIDE_INNER_DST);
}

TEST(Lookup, TernaryVportScope)
{
	struct clif_ternary_entry e = tern4(V4_S, true, 1, 1);

	add_rule(1);
	e.scope_type = CLIF_SCOPE_VPORT;
	e.scope_value = 12;
	add_ternary(e);
	tcp4(f, V4_S, V4_D);
	check_one_hit(lookup(f, 12), 1, CLIF_SIDE_OUTER_SRC);
	check_no_hit(lookup(f, 13));
}

TEST(Lookup, TernaryHighestPriorityWins)
{
	add_rule(1);
	add_rule(2);
	add_rule(3);
	add_ternary(tern4(V4_S, true, 10, 1));
	add_ternary(tern4(V4_S, true, 20, 2));
	add_ternary(tern4(V4_S, true, 15, 3));
	tcp4(f, V4_S, V4_D);
	check_one_hit(lookup(f), 2, CLIF_SIDE_OUTER_SRC);
}

TEST(Lookup, TernaryTieGoesToLowestIndex)
{
	add_rule(1);
	add_rule(2);
	add_ternary(tern4(V4_S, true, 5, 2));
	add_ternary(tern4(V4_S, true, 5, 1));
	tcp4(f, V4_S, V4_D);
	check_one_hit(lookup(f), 2, CLIF_SIDE_OUTER_SRC);
}

TEST(Lookup, TernaryPortThisIsThisSidesPort)
{
	struct clif_ternary_entry e = tern4(V4_S, false, 1, 1);

	add_rule(1);
	e.port_this = 80;
	e.port_this_mask = 0xffff;
	add_ternary(e);
	tcp4(f, V4_S, V4_D); // 1234 -> 80
	check_one_hit(lookup(f), 1, CLIF_SIDE_OUTER_DST);
}

TEST(Lookup, TernaryPortPeerIsTheOtherSidesPort)
{
	struct clif_ternary_entry e = tern4(V4_S, false, 1, 1);

	add_rule(1);
	e.port_peer = 80;
	e.port_peer_mask = 0xffff;
	add_ternary(e);
	tcp4(f, V4_S, V4_D); // 1234 -> 80
	check_one_hit(lookup(f), 1, CLIF_SIDE_OUTER_SRC);
}

TEST(Lookup, TernaryProtocolUnderMask)
{
	struct clif_ternary_entry udp_only = tern4(V4_S, true, 10, 1);
	struct clif_ternary_entry tcp_ish = tern4(V4_S, true, 5, 2);

	add_rule(1);
	add_rule(2);
	udp_only.ip_proto = 17;
	udp_only.ip_proto_mask = 0xff;
	tcp_ish.ip_proto = 0x04; // 4..7 under 0xfc: takes TCP (6)
	tcp_ish.ip_proto_mask = 0xfc;
	add_ternary(udp_only);
	add_ternary(tcp_ish);
	tcp4(f, V4_S, V4_D);
	check_one_hit(lookup(f), 2, CLIF_SIDE_OUTER_SRC);
}

TEST(Lookup, TernaryWinnerWithInvalidRuleHidesLowerPriority)
{
	add_rule(2);
	add_ternary(tern4(V4_S, true, 10, 9)); // slot 9 has no rule
	add_ternary(tern4(V4_S, true, 5, 2));
	tcp4(f, V4_S, V4_D);
	check_no_hit(lookup(f));
}

TEST(Lookup, HitOnInvalidRuleIsIgnored)
{
	add_exact(CLIF_ADDR_IPV4, V4_S, CLIF_SCOPE_ANY, 0, 9); // no rule in slot 9
	add_prefix(prefix4(V4_S, 32, CLIF_DP_RULE_SLOTS));     // slot out of range
	tcp4(f, V4_S, V4_D);
	check_no_hit(lookup(f));
}

TEST(Lookup, HitOrderIsLayerSideThenTable)
{
	add_rule(1);
	add_rule(2);
	add_rule(3);
	add_rule(4);
	add_exact(CLIF_ADDR_IPV4, V4_D, CLIF_SCOPE_ANY, 0, 1);
	add_prefix(prefix4(V4_S, 32, 2));
	add_ternary(tern4(V4_S, true, 1, 3));
	add_exact(CLIF_ADDR_IPV4, V4_S, CLIF_SCOPE_ANY, 0, 4);
	tcp4(f, V4_S, V4_D);
	struct dp_hits h = lookup(f);
	LONGS_EQUAL(4, h.n);
	LONGS_EQUAL(4, h.slot[0]);
	LONGS_EQUAL(2, h.slot[1]);
	LONGS_EQUAL(3, h.slot[2]);
	LONGS_EQUAL(1, h.slot[3]);
}

TEST(Lookup, SameRuleOnBothSidesIsOneHitWithBothBits)
{
	add_rule(4);
	add_exact(CLIF_ADDR_IPV4, V4_S, CLIF_SCOPE_ANY, 0, 4);
	add_exact(CLIF_ADDR_IPV4, V4_D, CLIF_SCOPE_ANY, 0, 4);
	tcp4(f, V4_S, V4_D);
	check_one_hit(lookup(f), 4, CLIF_SIDE_OUTER_SRC | CLIF_SIDE_OUTER_DST);
}

TEST(Lookup, SeventeenRulesFillTheHitListAndOverflow)
{
	for (uint32_t s = 100; s < 117; s++) {
		add_rule(s);
		add_prefix(prefix4(V4_S, 32, s));
	}
	tcp4(f, V4_S, V4_D);
	struct dp_hits h = lookup(f);
	LONGS_EQUAL(CLIF_DP_MAX_HITS, h.n);
	LONGS_EQUAL(1, h.overflow);
	for (uint32_t i = 0; i < CLIF_DP_MAX_HITS; i++)
		LONGS_EQUAL(100 + i, h.slot[i]);

	run_frame(f);
	LONGS_EQUAL(1, g_ctr.match_overflow);
	LONGS_EQUAL(1, placer_hits(&pl, 115).packets);
	LONGS_EQUAL(0, placer_hits(&pl, 116).packets);
}

TEST(Lookup, FiveCaptureRulesRecordFourAndOverflow)
{
	for (uint32_t s = 1; s <= 5; s++) {
		add_rule(s, CLIF_ACT_CAPTURE);
		add_prefix(prefix4(V4_S, 32, s));
	}
	tcp4(f, V4_S, V4_D);
	run_frame(f);
	struct clif_c2h_rec r = rec_at(g_c2h_mem, 0);
	LONGS_EQUAL(4, r.n_match);
	for (uint32_t i = 0; i < 4; i++) {
		LONGS_EQUAL(0x1000 + 1 + i, r.handle[i]);
		LONGS_EQUAL(CLIF_SIDE_OUTER_SRC, r.side[i]);
	}
	LONGS_EQUAL(CLIF_REC_F_MATCH_OVF, r.flags & CLIF_REC_F_MATCH_OVF);
	LONGS_EQUAL(1, g_ctr.match_overflow);
	LONGS_EQUAL(1, g_ctr.captured);
	for (uint32_t s = 1; s <= 5; s++)
		LONGS_EQUAL(1, placer_hits(&pl, s).packets);
}

TEST(Lookup, HitCountersCountPacketsAndBytes)
{
	add_rule(7);
	add_exact(CLIF_ADDR_IPV4, V4_S, CLIF_SCOPE_ANY, 0, 7);
	add_exact(CLIF_ADDR_IPV4, V4_D, CLIF_SCOPE_ANY, 0, 7); // both sides: still one count
	tcp4(f, V4_S, V4_D, -1, 60);
	run_frame(f);
	tcp4(f, V4_S, V4_D, -1, 100);
	run_frame(f);
	tcp4(f, V4_S, V4_D, -1, 1500);
	run_frame(f);
	tcp4(f, V4_FAR, V4_FAR, -1, 200); // misses
	run_frame(f);
	struct clif_hit_counter c = placer_hits(&pl, 7);
	LONGS_EQUAL(3, c.packets);
	LONGS_EQUAL(60 + 100 + 1500, c.bytes);
	LONGS_EQUAL(4, g_ctr.frames);
	LONGS_EQUAL(3, g_ctr.matched);
}
