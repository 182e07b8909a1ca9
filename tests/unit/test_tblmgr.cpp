// SPDX-License-Identifier: BSD-3-Clause
// Table manager (firmware/core/tblmgr.c) against the real data plane: every rule goes through
// the table window that fw_port_fake's doorbell serves with clif_dp_tblwin(), and every
// outcome is read back through the window or looked up with dp_lookup().
#include <stdlib.h>
#include <string.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

extern "C" {
#include "clif/exact_hash.h"
#include "fw/tblmgr.h"
}

#include "dp_fixture.h"
#include "fw_port_fake.h"

#include <CppUTest/TestHarness.h>

namespace {

const uint32_t MAX_RULES = 65536;
const uint8_t UNUSED_V4[4] = { 198, 51, 100, 1 };   // no rule covers it
const uint8_t UNUSED_V6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
const uint8_t UNUSED_MAC[6] = { 0x02, 0xff, 0xff, 0xff, 0xff, 0xff };
const uint8_t OUTER_V4_S[4] = { 192, 0, 2, 1 };
const uint8_t OUTER_V4_D[4] = { 192, 0, 2, 2 };

size_t addr_len(uint8_t type)
{
	return type == CLIF_ADDR_IPV4 ? 4 : type == CLIF_ADDR_MAC ? 6 : 16;
}

// ---- rules ----

struct clif_cmd_rule base_rule(uint32_t handle, uint8_t kind, uint8_t type, const uint8_t *addr)
{
	struct clif_cmd_rule r;

	memset(&r, 0, sizeof(r));
	r.hdr.opcode = CLIF_OP_RULE_ADD;
	r.handle = handle;
	r.kind = kind;
	r.addr_type = type;
	memcpy(r.addr, addr, addr_len(type));
	r.actions = CLIF_ACT_CAPTURE;
	return r;
}

struct clif_cmd_rule exact_rule(uint32_t handle, uint8_t type, const uint8_t *addr, uint8_t scope = CLIF_SCOPE_ANY,
				uint32_t value = 0, uint16_t actions = CLIF_ACT_CAPTURE, uint16_t snap = 0)
{
	struct clif_cmd_rule r = base_rule(handle, CLIF_RULE_EXACT, type, addr);

	r.scope_type = scope;
	r.scope_value = value;
	r.actions = actions;
	r.snap_len = snap;
	return r;
}

struct clif_cmd_rule v4_rule(uint32_t handle, uint32_t a) // exact IPv4 a (host order), scope any
{
	uint8_t addr[4] = { (uint8_t)(a >> 24), (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a };

	return exact_rule(handle, CLIF_ADDR_IPV4, addr);
}

struct clif_cmd_rule prefix_rule(uint32_t handle, const uint8_t *addr4, uint8_t len)
{
	struct clif_cmd_rule r = base_rule(handle, CLIF_RULE_PREFIX, CLIF_ADDR_IPV4, addr4);

	r.prefix_len = len;
	return r;
}

struct clif_cmd_rule ternary_rule(uint32_t handle, const uint8_t *addr4, uint8_t len, uint16_t priority)
{
	struct clif_cmd_rule r = base_rule(handle, CLIF_RULE_TERNARY, CLIF_ADDR_IPV4, addr4);

	r.prefix_len = len;
	r.priority = priority;
	return r;
}

void port_this(struct clif_cmd_rule &r, uint16_t lo, uint16_t hi)
{
	r.qual |= CLIF_QUAL_PORT_THIS;
	r.port_this_lo = lo;
	r.port_this_hi = hi;
}

void port_peer(struct clif_cmd_rule &r, uint16_t lo, uint16_t hi)
{
	r.qual |= CLIF_QUAL_PORT_PEER;
	r.port_peer_lo = lo;
	r.port_peer_hi = hi;
}

// ---- lookups through the data plane ----

// One address looked up as the source of a hand-built parse result in the given scope (the
// inner layer of a VXLAN overlay for VNI), with protocol and ports for ternary rules.
struct Probe {
	uint8_t type = CLIF_ADDR_IPV4;
	uint8_t addr[16] = { 0 };
	uint8_t scope = CLIF_SCOPE_ANY;
	uint32_t value = 0;
	uint8_t proto = 6;
	uint16_t sport = 1234;
	uint16_t dport = 80;
};

Probe probe_of(const struct clif_cmd_rule &r)
{
	Probe p;

	p.type = r.addr_type;
	memcpy(p.addr, r.addr, 16);
	p.scope = r.scope_type;
	p.value = r.scope_value;
	return p;
}

Probe probe4(const uint8_t *addr, uint16_t sport = 1234, uint16_t dport = 80, uint8_t proto = 6)
{
	Probe p;

	memcpy(p.addr, addr, 4);
	p.sport = sport;
	p.dport = dport;
	p.proto = proto;
	return p;
}

struct dp_hits lookup(const Probe &p)
{
	struct dp_parsed d;
	struct dp_hits h;
	uint16_t vport = 0;
	unsigned li = p.scope == CLIF_SCOPE_VNI ? 1 : 0;

	memset(&d, 0, sizeof(d));
	if (li == 1) {
		d.overlay = CLIF_OVERLAY_VXLAN;
		d.vni = p.value;
		d.layer[0].l3 = CLIF_L3_IPV4;
		memcpy(d.layer[0].src, OUTER_V4_S, 4);
		memcpy(d.layer[0].dst, OUTER_V4_D, 4);
	}
	if (p.scope == CLIF_SCOPE_VPORT)
		vport = (uint16_t)p.value;
	struct dp_layer &ly = d.layer[li];
	if (p.scope == CLIF_SCOPE_VLAN) {
		ly.n_vlan = 1;
		ly.vid = (uint16_t)p.value;
	}
	if (p.type == CLIF_ADDR_MAC) {
		ly.has_eth = 1;
		memcpy(ly.smac, p.addr, 6);
		memcpy(ly.dmac, UNUSED_MAC, 6);
	} else {
		ly.l3 = p.type == CLIF_ADDR_IPV4 ? CLIF_L3_IPV4 : CLIF_L3_IPV6;
		memcpy(ly.src, p.addr, 16);
		memcpy(ly.dst, p.type == CLIF_ADDR_IPV4 ? UNUSED_V4 : UNUSED_V6, addr_len(p.type));
		ly.ip_proto = p.proto;
		ly.ports_valid = 1;
		ly.sport = p.sport;
		ly.dport = p.dport;
	}
	memset(&h, 0xa5, sizeof(h));
	dp_lookup(&d, vport, &h);
	return h;
}

// The hit whose slot reports handle, or -1.
int hit_of(const struct dp_hits &h, uint32_t handle)
{
	for (uint32_t i = 0; i < h.n; i++) {
		struct clif_rule_entry e = dp_rule(h.slot[i]);

		if ((e.flags & CLIF_ENTRY_VALID) && e.handle == handle)
			return (int)i;
	}
	return -1;
}

bool reports(const Probe &p, uint32_t handle)
{
	return hit_of(lookup(p), handle) >= 0;
}

// The slot that reports handle for probe p (fails the test when there is none).
uint32_t slot_for(const Probe &p, uint32_t handle)
{
	struct dp_hits h = lookup(p);
	int i = hit_of(h, handle);

	CHECK_TEXT(i >= 0, "rule not found by dp_lookup");
	return i >= 0 ? h.slot[i] : 0xffffffffu;
}

// ---- a minimal-cover count written independently of the firmware's (a trie split) ----

uint32_t cover_count(uint32_t lo, uint32_t hi)
{
	std::vector<std::pair<uint32_t, uint32_t>> todo = { { 0u, 65536u } };
	uint32_t n = 0;

	while (!todo.empty()) {
		auto [base, size] = todo.back();
		todo.pop_back();
		if (base > hi || base + size - 1 < lo)
			continue;
		if (base >= lo && base + size - 1 <= hi) {
			n++;
			continue;
		}
		todo.push_back({ base, size / 2 });
		todo.push_back({ base + size / 2, size / 2 });
	}
	return n;
}

// ---- the fixture ----

class TmFixture : public Utest {
public:
	struct clif_tblwin_regs tw;
	struct tblmgr tm;
	void *arena = nullptr;
	size_t arena_bytes = 0;

	void setup() override
	{
		struct tm_geometry g;

		clif_dp_reset();
		memset(&tw, 0, sizeof(tw));
		g_fake_after_doorbell = nullptr;
		g_fake_console.clear();
		tm_read_geometry(&tw, &g);
		arena_bytes = tm_arena_size(&g, MAX_RULES);
		CHECK(arena_bytes > 0);
		arena = malloc(arena_bytes);
		CHECK(arena != nullptr);
		LONGS_EQUAL(CLIF_MBOX_OK, tm_init(&tm, &tw, arena, arena_bytes, MAX_RULES));
	}
	void teardown() override
	{
		g_fake_after_doorbell = nullptr;
		std::string().swap(g_fake_console); // what the firmware printed goes with the test
		free(arena);
	}

	struct clif_table_stats stats()
	{
		struct clif_table_stats st;

		LONGS_EQUAL(CLIF_MBOX_OK, tm_stats(&tm, &st));
		return st;
	}
	// Reads an entry through the window (between table-manager calls: the window is idle).
	void read_entry(uint32_t table, uint32_t index, void *out, size_t n)
	{
		uint32_t words[CLIF_TW_DATA_WORDS];

		tw.table = table;
		tw.index = index;
		tw.cmd = CLIF_TW_CMD_READ;
		clif_dp_tblwin(&tw);
		LONGS_EQUAL(CLIF_TW_ST_DONE, tw.status);
		for (unsigned i = 0; i < CLIF_TW_DATA_WORDS; i++)
			words[i] = tw.data[i];
		memcpy(out, words, n);
	}
	struct clif_rule_entry rule_entry(uint32_t slot)
	{
		struct clif_rule_entry e;

		read_entry(CLIF_TBL_RULE, slot, &e, sizeof(e));
		return e;
	}
	struct clif_hit_counter hits(uint32_t slot)
	{
		struct clif_hit_counter c;

		read_entry(CLIF_TBL_HITS, slot, &c, sizeof(c));
		return c;
	}
	void add_ok(const struct clif_cmd_rule &r)
	{
		LONGS_EQUAL(CLIF_MBOX_OK, tm_add(&tm, &r, r.handle));
	}
	// Counts frames for the slots a probe hits, as the data plane's action stage does.
	void count(const Probe &p, uint16_t frame_len)
	{
		struct dp_hits h = lookup(p);

		dp_count_hits(&h, frame_len);
	}
};

} // namespace

// =====================================================================================
// Basics and error statuses
// =====================================================================================

TEST_GROUP_BASE(TblMgr, TmFixture){};

TEST(TblMgr, InitReadsGeometryFromTheWindow)
{
	LONGS_EQUAL(CLIF_DP_EXACT_WAYS, tm.geo.ways);
	LONGS_EQUAL(CLIF_DP_EXACT_WAY_SIZE, tm.geo.way_size);
	LONGS_EQUAL(CLIF_DP_EXACT_STASH, tm.geo.stash);
	LONGS_EQUAL(CLIF_DP_PREFIX_ENTRIES, tm.geo.prefix);
	LONGS_EQUAL(CLIF_DP_TERNARY_ENTRIES, tm.geo.ternary);
	LONGS_EQUAL(CLIF_DP_RULE_SLOTS, tm.geo.rule_slots);
	LONGS_EQUAL(CLIF_DP_HASH_SEED, tm.geo.seed);
	struct clif_table_stats st = stats();
	LONGS_EQUAL(CLIF_DP_EXACT_WAYS * CLIF_DP_EXACT_WAY_SIZE, st.exact_capacity);
	LONGS_EQUAL(CLIF_DP_PREFIX_ENTRIES, st.prefix_capacity);
	LONGS_EQUAL(CLIF_DP_TERNARY_ENTRIES, st.ternary_capacity);
	LONGS_EQUAL(MAX_RULES, st.rule_capacity);
	LONGS_EQUAL(0, st.exact_used + st.exact_stash_used + st.prefix_used + st.ternary_used + st.rule_used);
	LONGS_EQUAL(0, tm_check(&tm));
}

TEST(TblMgr, InitEmptiesTablesThePlacerFilled)
{
	struct placer pl;

	LONGS_EQUAL(0, placer_init(&pl, &tw));
	struct clif_rule_entry re = rule(77);
	LONGS_EQUAL(0, placer_rule(&pl, 3, &re));
	struct clif_exact_entry e = exact(CLIF_ADDR_IPV4, V4_S, CLIF_SCOPE_ANY, 0, 3);
	LONGS_EQUAL(0, placer_exact(&pl, &e));
	placer_fini(&pl);
	CHECK(reports(probe4(V4_S), 77));

	LONGS_EQUAL(CLIF_MBOX_OK, tm_init(&tm, &tw, arena, arena_bytes, MAX_RULES));
	CHECK_FALSE(reports(probe4(V4_S), 77));
	LONGS_EQUAL(0, tm_check(&tm));
}

TEST(TblMgr, InitArenaTooSmallIsEfull)
{
	LONGS_EQUAL(CLIF_MBOX_EFULL, tm_init(&tm, &tw, arena, arena_bytes - 1, MAX_RULES));
	LONGS_EQUAL(CLIF_MBOX_EFULL, tm_init(&tm, &tw, arena, arena_bytes, MAX_RULES + 1));
}

TEST(TblMgr, InitGeometryWithoutPowerOfTwoWaySizeIsErange)
{
	struct clif_tblwin_regs bad;

	memset(&bad, 0, sizeof(bad));
	bad.exact_ways = 4;
	bad.exact_way_size = 1000;
	bad.rule_slots = 16;
	LONGS_EQUAL(CLIF_MBOX_ERANGE, tm_init(&tm, &bad, arena, arena_bytes, 4));
	bad.exact_way_size = 1024;
	bad.exact_ways = 0;
	bad.cmd = CLIF_TW_CMD_READ; // keeps tm_read_geometry from asking the model
	LONGS_EQUAL(CLIF_MBOX_ERANGE, tm_init(&tm, &bad, arena, arena_bytes, 4));
}

TEST(TblMgr, AddGetDelete)
{
	struct clif_cmd_rule r = exact_rule(42, CLIF_ADDR_IPV4, V4_S, CLIF_SCOPE_ANY, 0, CLIF_ACT_CAPTURE, 128);
	struct clif_cmd_rule got;

	LONGS_EQUAL(CLIF_MBOX_ENOENT, tm_get(&tm, 42, &got));
	LONGS_EQUAL(CLIF_MBOX_OK, tm_add(&tm, &r, 42));
	LONGS_EQUAL(CLIF_MBOX_OK, tm_get(&tm, 42, &got));
	MEMCMP_EQUAL(&r, &got, sizeof(r));
	LONGS_EQUAL(1, stats().exact_used);
	LONGS_EQUAL(1, stats().rule_used);

	uint32_t slot = slot_for(probe4(V4_S), 42);
	struct clif_rule_entry e = rule_entry(slot);
	LONGS_EQUAL(42, e.handle);
	LONGS_EQUAL(CLIF_ACT_CAPTURE, e.actions);
	LONGS_EQUAL(128, e.snap_len);
	LONGS_EQUAL(CLIF_ENTRY_VALID, e.flags);
	CHECK_FALSE(reports(probe4(V4_D), 42));
	LONGS_EQUAL(0, tm_check(&tm));

	LONGS_EQUAL(CLIF_MBOX_OK, tm_delete(&tm, 42));
	LONGS_EQUAL(CLIF_MBOX_ENOENT, tm_get(&tm, 42, &got));
	CHECK_FALSE(reports(probe4(V4_S), 42));
	LONGS_EQUAL(0, rule_entry(slot).flags);
	LONGS_EQUAL(0, stats().exact_used);
	LONGS_EQUAL(0, stats().rule_used);
	LONGS_EQUAL(0, tm_check(&tm));
}

TEST(TblMgr, ReportHandleIsWhatTheSlotReports)
{
	struct clif_cmd_rule r = exact_rule(0x80000001u, CLIF_ADDR_IPV4, V4_S);

	LONGS_EQUAL(CLIF_MBOX_OK, tm_add(&tm, &r, 7)); // a learned address reporting MAC rule 7
	CHECK(reports(probe4(V4_S), 7));
	CHECK_FALSE(reports(probe4(V4_S), 0x80000001u));
	struct clif_cmd_rule got;
	LONGS_EQUAL(CLIF_MBOX_OK, tm_get(&tm, 0x80000001u, &got));
	LONGS_EQUAL(0x80000001u, got.handle);
}

TEST(TblMgr, EveryKindAndScopeHitsThroughTheDataPlane)
{
	struct clif_cmd_rule rules[] = {
		exact_rule(1, CLIF_ADDR_IPV4, V4_S),
		exact_rule(2, CLIF_ADDR_IPV6, V6_S),
		exact_rule(3, CLIF_ADDR_MAC, MAC_S),
		exact_rule(4, CLIF_ADDR_IPV4, V4_D, CLIF_SCOPE_VPORT, 9),
		exact_rule(5, CLIF_ADDR_IPV4, V4_D, CLIF_SCOPE_VLAN, 100),
		exact_rule(6, CLIF_ADDR_IPV4, IV4_S, CLIF_SCOPE_VNI, 5000),
		exact_rule(7, CLIF_ADDR_MAC, MAC_D, CLIF_SCOPE_VLAN, 4095),
		exact_rule(8, CLIF_ADDR_IPV6, V6_D, CLIF_SCOPE_VNI, 0xffffff),
	};
	for (const auto &r : rules)
		add_ok(r);
	for (const auto &r : rules)
		CHECK_TEXT(reports(probe_of(r), r.handle), "rule does not hit in its scope");
	// Out of scope: the VPORT rule on another vport, the VLAN rule without the tag.
	Probe p = probe_of(rules[3]);
	p.value = 10;
	CHECK_FALSE(reports(p, 4));
	p = probe_of(rules[4]);
	p.scope = CLIF_SCOPE_ANY;
	CHECK_FALSE(reports(p, 5));
	LONGS_EQUAL(8, stats().exact_used);
	LONGS_EQUAL(0, tm_check(&tm));
}

TEST(TblMgr, FrameThroughTheDataPlaneIsCaptured)
{
	struct pkt_buf f;

	add_ok(exact_rule(31, CLIF_ADDR_IPV4, V4_S, CLIF_SCOPE_ANY, 0, CLIF_ACT_CAPTURE, 64));
	rings_init(RING_MEM_BYTES, 4096);
	uint16_t ip = start_tcp4(f, V4_S, V4_D, -1, 0);
	pkt_zeros(&f, 200);
	fix_ipv4_len(f, ip);
	run_frame(f, 0, 0);
	LONGS_EQUAL(1, g_ctr.captured);
	struct clif_c2h_rec rec = rec_at(g_c2h_mem, 0);
	LONGS_EQUAL(1, rec.n_match);
	LONGS_EQUAL(31, rec.handle[0]);
	LONGS_EQUAL(64, rec.cap_len);
}

TEST(TblMgr, AddExistingHandleIsEexist)
{
	add_ok(exact_rule(5, CLIF_ADDR_IPV4, V4_S));
	struct clif_cmd_rule other = exact_rule(5, CLIF_ADDR_IPV4, V4_D);
	uint64_t writes = tm.window_writes;

	LONGS_EQUAL(CLIF_MBOX_EEXIST, tm_add(&tm, &other, 5));
	LONGS_EQUAL(writes, tm.window_writes);
	CHECK_FALSE(reports(probe4(V4_D), 5));
	LONGS_EQUAL(1, stats().rule_used);
	LONGS_EQUAL(0, tm_check(&tm));
}

TEST(TblMgr, UnknownHandleIsEnoent)
{
	struct clif_cmd_rule r = exact_rule(9, CLIF_ADDR_IPV4, V4_S), got;

	LONGS_EQUAL(CLIF_MBOX_ENOENT, tm_delete(&tm, 9));
	LONGS_EQUAL(CLIF_MBOX_ENOENT, tm_modify(&tm, &r, 9));
	LONGS_EQUAL(CLIF_MBOX_ENOENT, tm_get(&tm, 9, &got));
	add_ok(r);
	LONGS_EQUAL(CLIF_MBOX_OK, tm_delete(&tm, 9));
	LONGS_EQUAL(CLIF_MBOX_ENOENT, tm_delete(&tm, 9));
	LONGS_EQUAL(0, stats().rule_used);
}

TEST(TblMgr, InvalidFieldCombinationsAreEinvalAndChangeNothing)
{
	std::vector<struct clif_cmd_rule> bad;
	struct clif_cmd_rule r;

	r = exact_rule(1, CLIF_ADDR_IPV4, V4_S); r.kind = 0; bad.push_back(r);
	r = exact_rule(1, CLIF_ADDR_IPV4, V4_S); r.kind = 4; bad.push_back(r);
	r = exact_rule(1, CLIF_ADDR_IPV4, V4_S); r.addr_type = CLIF_ADDR_NONE; bad.push_back(r);
	r = exact_rule(1, CLIF_ADDR_IPV4, V4_S); r.addr_type = 4; bad.push_back(r);
	r = exact_rule(1, CLIF_ADDR_IPV4, V4_S); r.addr[4] = 1; bad.push_back(r);      // past an IPv4 address
	r = exact_rule(1, CLIF_ADDR_MAC, MAC_S); r.addr[6] = 1; bad.push_back(r);      // past a MAC
	r = exact_rule(1, CLIF_ADDR_IPV4, V4_S); r.scope_type = 4; bad.push_back(r);
	r = exact_rule(1, CLIF_ADDR_IPV4, V4_S, CLIF_SCOPE_ANY, 3); bad.push_back(r);  // ANY has no value
	r = exact_rule(1, CLIF_ADDR_IPV4, V4_S, CLIF_SCOPE_VLAN, 4096); bad.push_back(r);
	r = exact_rule(1, CLIF_ADDR_IPV4, V4_S, CLIF_SCOPE_VPORT, 0x10000); bad.push_back(r);
	r = exact_rule(1, CLIF_ADDR_IPV4, V4_S, CLIF_SCOPE_VNI, 0x1000000); bad.push_back(r);
	r = exact_rule(1, CLIF_ADDR_IPV4, V4_S); r.actions = 0x0004; bad.push_back(r); // unknown action
	r = prefix_rule(1, V4_S, 33); bad.push_back(r);
	r = prefix_rule(1, V4_S, 8); r.addr_type = CLIF_ADDR_MAC; bad.push_back(r);    // prefix of a MAC
	r = base_rule(1, CLIF_RULE_PREFIX, CLIF_ADDR_IPV6, V6_S); r.prefix_len = 129; bad.push_back(r);
	r = ternary_rule(1, V4_S, 24, 1); r.addr_type = CLIF_ADDR_MAC; bad.push_back(r);
	r = ternary_rule(1, V4_S, 40, 1); bad.push_back(r);
	r = ternary_rule(1, V4_S, 24, 1); r.qual = 0x08; bad.push_back(r);             // unknown qualifier
	r = ternary_rule(1, V4_S, 24, 1); port_this(r, 2000, 1999); bad.push_back(r);
	r = ternary_rule(1, V4_S, 24, 1); port_peer(r, 5, 4); bad.push_back(r);
	// 1..65534 needs 30 blocks on each side: 900 entries > TM_TERNARY_EXPAND.
	r = ternary_rule(1, V4_S, 24, 1); port_this(r, 1, 65534); port_peer(r, 1, 65534); bad.push_back(r);

	add_ok(exact_rule(2, CLIF_ADDR_IPV4, V4_D));
	for (size_t i = 0; i < bad.size(); i++) {
		uint64_t writes = tm.window_writes;
		struct clif_cmd_rule m = bad[i];

		LONGS_EQUAL_TEXT(CLIF_MBOX_EINVAL, tm_add(&tm, &bad[i], 1), std::to_string(i).c_str());
		m.handle = 2;
		LONGS_EQUAL_TEXT(CLIF_MBOX_EINVAL, tm_modify(&tm, &m, 2), std::to_string(i).c_str());
		LONGS_EQUAL(writes, tm.window_writes);
	}
	LONGS_EQUAL(1, stats().rule_used);
	CHECK(reports(probe4(V4_D), 2));
	LONGS_EQUAL(0, tm_check(&tm));
}

TEST(TblMgr, UnqualifiedFieldsAreIgnored)
{
	// An exact rule ignores prefix_len, priority, protocol and port fields; a prefix rule
	// ignores the ternary ones (including a reversed port range).
	struct clif_cmd_rule r = exact_rule(1, CLIF_ADDR_IPV4, V4_S);

	r.prefix_len = 200;
	r.priority = 9;
	r.port_this_lo = 9;
	r.port_this_hi = 1;
	r.qual = 0xff;
	add_ok(r);
	r = prefix_rule(2, V4_FAR, 16);
	r.qual = 0xff;
	r.port_peer_lo = 9;
	add_ok(r);
	r = ternary_rule(3, V4_D, 32, 1);
	r.port_this_lo = 9; // not qualified: ignored
	r.port_this_hi = 1;
	add_ok(r);
	CHECK(reports(probe4(V4_S), 1));
	CHECK(reports(probe4(V4_FAR), 2));
	CHECK(reports(probe4(V4_D, 7, 7, 17), 3));
	LONGS_EQUAL(1, stats().ternary_used);
	LONGS_EQUAL(0, tm_check(&tm));
}

TEST(TblMgr, RuleCountLimitIsEfull)
{
	LONGS_EQUAL(CLIF_MBOX_OK, tm_init(&tm, &tw, arena, arena_bytes, 3));
	add_ok(exact_rule(1, CLIF_ADDR_IPV4, V4_S));
	add_ok(exact_rule(2, CLIF_ADDR_IPV4, V4_D));
	add_ok(prefix_rule(3, V4_FAR, 16));
	struct clif_cmd_rule more = exact_rule(4, CLIF_ADDR_IPV6, V6_S);
	struct clif_cmd_rule same_key = exact_rule(5, CLIF_ADDR_IPV4, V4_S); // would share a slot
	LONGS_EQUAL(CLIF_MBOX_EFULL, tm_add(&tm, &more, 4));
	LONGS_EQUAL(CLIF_MBOX_EFULL, tm_add(&tm, &same_key, 5));
	LONGS_EQUAL(3, stats().rule_used);
	LONGS_EQUAL(3, stats().rule_capacity);
	// A modify needs no extra rule and, as the sole rule of its key, no extra slot.
	struct clif_cmd_rule m = exact_rule(1, CLIF_ADDR_IPV6, V6_S);
	LONGS_EQUAL(CLIF_MBOX_OK, tm_modify(&tm, &m, 1));
	CHECK(reports(probe_of(m), 1));
	LONGS_EQUAL(CLIF_MBOX_OK, tm_delete(&tm, 2));
	add_ok(more);
	LONGS_EQUAL(0, tm_check(&tm));
}

TEST(TblMgr, PrefixTableFullIsEfull)
{
	for (uint32_t i = 0; i < CLIF_DP_PREFIX_ENTRIES; i++) {
		uint8_t a[4] = { 10, (uint8_t)(i >> 8), (uint8_t)i, 0 };

		add_ok(prefix_rule(100 + i, a, 24));
	}
	uint8_t a[4] = { 11, 0, 0, 0 };
	struct clif_cmd_rule r = prefix_rule(99, a, 24);
	uint64_t writes = tm.window_writes;
	LONGS_EQUAL(CLIF_MBOX_EFULL, tm_add(&tm, &r, 99));
	LONGS_EQUAL(writes, tm.window_writes);
	// The same key as an installed prefix shares its entry: no room needed.
	uint8_t b[4] = { 10, 0, 5, 77 };
	add_ok(prefix_rule(98, b, 24));
	LONGS_EQUAL(CLIF_DP_PREFIX_ENTRIES, stats().prefix_used);
	LONGS_EQUAL(CLIF_DP_PREFIX_ENTRIES, tw.prefix_count);
	LONGS_EQUAL(0, tm_check(&tm));
	LONGS_EQUAL(CLIF_MBOX_OK, tm_delete(&tm, 100));
	add_ok(r);
	CHECK(reports(probe4(a), 99));
	LONGS_EQUAL(0, tm_check(&tm));
}

TEST(TblMgr, TernaryTableFullIsEfull)
{
	// 1000..1999 is 7 blocks, 8000..8063 one, 0..6 three (0-3, 4-5, 6): 7 * 3 = 21 entries.
	uint8_t a[4] = { 10, 9, 0, 0 };
	struct clif_cmd_rule r = ternary_rule(1, a, 16, 5);
	port_this(r, 1000, 1999);
	port_peer(r, 0, 6);
	add_ok(r);
	LONGS_EQUAL(21, stats().ternary_used);
	uint32_t used = 21, h = 2;
	while (used < CLIF_DP_TERNARY_ENTRIES) {
		uint8_t b[4] = { 10, 10, (uint8_t)h, 0 };

		add_ok(ternary_rule(h++, b, 24, 1));
		used++;
	}
	LONGS_EQUAL(CLIF_DP_TERNARY_ENTRIES, stats().ternary_used);
	uint8_t c[4] = { 10, 11, 0, 0 };
	struct clif_cmd_rule one = ternary_rule(500, c, 24, 1);
	LONGS_EQUAL(CLIF_MBOX_EFULL, tm_add(&tm, &one, 500));
	// Room for 20 entries is not room for 21.
	for (uint32_t i = 2; i < 22; i++)
		LONGS_EQUAL(CLIF_MBOX_OK, tm_delete(&tm, i));
	r.handle = 501;
	r.priority = 6; // another key
	LONGS_EQUAL(CLIF_MBOX_EFULL, tm_add(&tm, &r, 501));
	LONGS_EQUAL(CLIF_MBOX_OK, tm_add(&tm, &one, 500));
	LONGS_EQUAL(CLIF_DP_TERNARY_ENTRIES - 19, stats().ternary_used);
	LONGS_EQUAL(0, tm_check(&tm));
}

// =====================================================================================
// Modify
// =====================================================================================

TEST(TblMgr, ModifyMovesTheKeyAndKeepsTheSlotAndCounters)
{
	add_ok(exact_rule(3, CLIF_ADDR_IPV4, V4_S));
	uint32_t slot = slot_for(probe4(V4_S), 3);
	count(probe4(V4_S), 100);
	struct clif_cmd_rule m = exact_rule(3, CLIF_ADDR_IPV6, V6_D, CLIF_SCOPE_VPORT, 4, CLIF_ACT_PUNT, 96);
	LONGS_EQUAL(CLIF_MBOX_OK, tm_modify(&tm, &m, 3));
	CHECK_FALSE(reports(probe4(V4_S), 3));
	LONGS_EQUAL(slot, slot_for(probe_of(m), 3));
	struct clif_rule_entry e = rule_entry(slot);
	LONGS_EQUAL(CLIF_ACT_PUNT, e.actions);
	LONGS_EQUAL(96, e.snap_len);
	LONGS_EQUAL(1, hits(slot).packets);
	struct clif_cmd_rule got;
	LONGS_EQUAL(CLIF_MBOX_OK, tm_get(&tm, 3, &got));
	MEMCMP_EQUAL(&m, &got, sizeof(m));
	LONGS_EQUAL(1, stats().exact_used);
	LONGS_EQUAL(0, tm_check(&tm));
}

TEST(TblMgr, ModifyAcrossTables)
{
	add_ok(exact_rule(3, CLIF_ADDR_IPV4, V4_S));
	struct clif_cmd_rule p = prefix_rule(3, V4_FAR, 16);
	LONGS_EQUAL(CLIF_MBOX_OK, tm_modify(&tm, &p, 3));
	CHECK(reports(probe4(V4_FAR), 3));
	CHECK_FALSE(reports(probe4(V4_S), 3));
	struct clif_cmd_rule t = ternary_rule(3, V4_D, 32, 4);
	port_this(t, 80, 80);
	LONGS_EQUAL(CLIF_MBOX_OK, tm_modify(&tm, &t, 3));
	CHECK(reports(probe4(V4_D, 80), 3));
	CHECK_FALSE(reports(probe4(V4_FAR), 3));
	struct clif_table_stats st = stats();
	LONGS_EQUAL(0, st.exact_used);
	LONGS_EQUAL(0, st.prefix_used);
	LONGS_EQUAL(1, st.ternary_used);
	LONGS_EQUAL(0, tw.prefix_count);
	LONGS_EQUAL(0, tm_check(&tm));
}

TEST(TblMgr, ModifyActionsOnlyRewritesTheRuleEntry)
{
	add_ok(exact_rule(3, CLIF_ADDR_IPV4, V4_S));
	uint32_t slot = slot_for(probe4(V4_S), 3);
	struct clif_cmd_rule m = exact_rule(3, CLIF_ADDR_IPV4, V4_S, CLIF_SCOPE_ANY, 0, CLIF_ACT_ALL, 300);
	uint64_t writes = tm.window_writes;
	LONGS_EQUAL(CLIF_MBOX_OK, tm_modify(&tm, &m, 3));
	LONGS_EQUAL(writes + 1, tm.window_writes);
	LONGS_EQUAL(CLIF_ACT_ALL, rule_entry(slot).actions);
	LONGS_EQUAL(300, rule_entry(slot).snap_len);
	LONGS_EQUAL(0, tm_check(&tm));
}

TEST(TblMgr, ModifyIntoAFullTableFailsAndTheOldRuleStays)
{
	add_ok(exact_rule(3, CLIF_ADDR_IPV4, V4_S));
	for (uint32_t i = 0; i < CLIF_DP_PREFIX_ENTRIES; i++) {
		uint8_t a[4] = { 10, (uint8_t)(i >> 8), (uint8_t)i, 0 };

		add_ok(prefix_rule(100 + i, a, 24));
	}
	struct clif_cmd_rule old = exact_rule(3, CLIF_ADDR_IPV4, V4_S), got;
	struct clif_cmd_rule m = prefix_rule(3, V4_FAR, 16);
	uint64_t writes = tm.window_writes;
	LONGS_EQUAL(CLIF_MBOX_EFULL, tm_modify(&tm, &m, 3));
	LONGS_EQUAL(writes, tm.window_writes);
	CHECK(reports(probe4(V4_S), 3));
	LONGS_EQUAL(CLIF_MBOX_OK, tm_get(&tm, 3, &got));
	MEMCMP_EQUAL(&old, &got, sizeof(old));
	LONGS_EQUAL(0, tm_check(&tm));
}

TEST(TblMgr, ModifyOntoAnInstalledKeyJoinsIt)
{
	add_ok(exact_rule(1, CLIF_ADDR_IPV4, V4_S));
	add_ok(exact_rule(2, CLIF_ADDR_IPV4, V4_D, CLIF_SCOPE_ANY, 0, CLIF_ACT_PUNT));
	uint32_t slot1 = slot_for(probe4(V4_S), 1);
	uint32_t slot2 = slot_for(probe4(V4_D), 2);
	struct clif_cmd_rule m = exact_rule(2, CLIF_ADDR_IPV4, V4_S, CLIF_SCOPE_ANY, 0, CLIF_ACT_PUNT);
	LONGS_EQUAL(CLIF_MBOX_OK, tm_modify(&tm, &m, 2));
	CHECK_FALSE(reports(probe4(V4_D), 2));
	LONGS_EQUAL(slot1, slot_for(probe4(V4_S), 1)); // the older rule reports
	LONGS_EQUAL(CLIF_ACT_ALL, rule_entry(slot1).actions);
	LONGS_EQUAL(0, rule_entry(slot2).flags);
	LONGS_EQUAL(1, stats().exact_used);
	LONGS_EQUAL(2, stats().rule_used);
	LONGS_EQUAL(0, tm_check(&tm));
}

namespace {
struct ModifyWatch {
	Probe before, after;
	uint32_t handle;
	uint64_t doorbells = 0, lost = 0;
	bool after_seen = false, before_after_new = false;
};
ModifyWatch *g_modify_watch;

void modify_hook()
{
	ModifyWatch &w = *g_modify_watch;
	bool b = reports(w.before, w.handle), a = reports(w.after, w.handle);

	w.doorbells++;
	if (!a && !b)
		w.lost++;
	if (a)
		w.after_seen = true;
	if (!a && w.after_seen)
		w.lost++; // the new key went away again
}
} // namespace

TEST(TblMgr, ModifyIsMakeBeforeBreakForEveryKind)
{
	const struct clif_cmd_rule steps[] = {
		exact_rule(8, CLIF_ADDR_IPV4, V4_S),
		exact_rule(8, CLIF_ADDR_IPV6, V6_S),
		prefix_rule(8, V4_FAR, 12),
		ternary_rule(8, V4_D, 32, 3),
		prefix_rule(8, V4_FAR, 20),
		exact_rule(8, CLIF_ADDR_MAC, MAC_S),
	};
	ModifyWatch w;

	// Other rules on both sides of each table so that entries move when the old key goes.
	add_ok(prefix_rule(20, IV4_S, 32));
	add_ok(ternary_rule(21, IV4_D, 32, 3));
	add_ok(steps[0]);
	add_ok(prefix_rule(22, IV4_D, 32));
	add_ok(ternary_rule(23, IV4_S, 32, 3));
	g_modify_watch = &w;
	w.handle = 8;
	for (size_t i = 1; i < sizeof(steps) / sizeof(steps[0]); i++) {
		w.before = probe_of(steps[i - 1]);
		w.after = probe_of(steps[i]);
		w.after_seen = false;
		g_fake_after_doorbell = modify_hook;
		LONGS_EQUAL(CLIF_MBOX_OK, tm_modify(&tm, &steps[i], 8));
		g_fake_after_doorbell = nullptr;
		CHECK(reports(w.after, 8));
		CHECK_FALSE(reports(w.before, 8));
		for (uint32_t h : { 20u, 21u, 22u, 23u }) {
			struct clif_cmd_rule r;

			LONGS_EQUAL(CLIF_MBOX_OK, tm_get(&tm, h, &r));
			CHECK(reports(probe_of(r), h));
		}
	}
	CHECK(w.doorbells > 10);
	LONGS_EQUAL(0, w.lost);
	LONGS_EQUAL(0, tm_check(&tm));
}

// =====================================================================================
// Shared keys
// =====================================================================================

TEST(TblMgr, RulesWithTheSameKeyShareOneSlot)
{
	add_ok(exact_rule(10, CLIF_ADDR_IPV4, V4_S, CLIF_SCOPE_ANY, 0, CLIF_ACT_CAPTURE, 64));
	uint32_t slot = slot_for(probe4(V4_S), 10);
	add_ok(exact_rule(20, CLIF_ADDR_IPV4, V4_S, CLIF_SCOPE_ANY, 0, CLIF_ACT_PUNT, 128));
	struct clif_table_stats st = stats();
	LONGS_EQUAL(1, st.exact_used);
	LONGS_EQUAL(2, st.rule_used);
	struct dp_hits h = lookup(probe4(V4_S));
	LONGS_EQUAL(1, h.n);
	LONGS_EQUAL(slot, h.slot[0]);
	struct clif_rule_entry e = rule_entry(slot);
	LONGS_EQUAL(10, e.handle); // the older rule
	LONGS_EQUAL(CLIF_ACT_ALL, e.actions);
	LONGS_EQUAL(128, e.snap_len);
	LONGS_EQUAL(0, tm_check(&tm));

	// Whole frame wins; a rule that copies nothing does not widen the copy.
	add_ok(exact_rule(30, CLIF_ADDR_IPV4, V4_S, CLIF_SCOPE_ANY, 0, 0, 0));
	LONGS_EQUAL(128, rule_entry(slot).snap_len);
	add_ok(exact_rule(40, CLIF_ADDR_IPV4, V4_S, CLIF_SCOPE_ANY, 0, CLIF_ACT_CAPTURE, 0));
	LONGS_EQUAL(0, rule_entry(slot).snap_len);
	LONGS_EQUAL(CLIF_MBOX_OK, tm_delete(&tm, 40));
	LONGS_EQUAL(CLIF_MBOX_OK, tm_delete(&tm, 30));

	// The older rule goes: the slot now reports the other, with its actions only.
	LONGS_EQUAL(CLIF_MBOX_OK, tm_delete(&tm, 10));
	e = rule_entry(slot);
	LONGS_EQUAL(20, e.handle);
	LONGS_EQUAL(CLIF_ACT_PUNT, e.actions);
	LONGS_EQUAL(128, e.snap_len);
	LONGS_EQUAL(slot, slot_for(probe4(V4_S), 20));
	LONGS_EQUAL(0, tm_check(&tm));

	LONGS_EQUAL(CLIF_MBOX_OK, tm_delete(&tm, 20));
	CHECK_FALSE(reports(probe4(V4_S), 20));
	LONGS_EQUAL(0, stats().exact_used);
	LONGS_EQUAL(0, rule_entry(slot).flags);
	LONGS_EQUAL(0, tm_check(&tm));
}

TEST(TblMgr, SharedKeyCountersAreTheSlotsCounters)
{
	uint32_t n;
	struct clif_rule_counter c[4];

	add_ok(exact_rule(10, CLIF_ADDR_IPV4, V4_S));
	add_ok(exact_rule(20, CLIF_ADDR_IPV4, V4_S));
	add_ok(exact_rule(15, CLIF_ADDR_IPV4, V4_D));
	count(probe4(V4_S), 100);
	count(probe4(V4_S), 50);
	count(probe4(V4_D), 70);
	LONGS_EQUAL(CLIF_MBOX_OK, tm_counters(&tm, 0, c, 4, &n));
	LONGS_EQUAL(3, n);
	LONGS_EQUAL(10, c[0].handle);
	LONGS_EQUAL(2, c[0].packets);
	LONGS_EQUAL(150, c[0].bytes);
	LONGS_EQUAL(15, c[1].handle);
	LONGS_EQUAL(1, c[1].packets);
	LONGS_EQUAL(70, c[1].bytes);
	LONGS_EQUAL(20, c[2].handle);
	LONGS_EQUAL(2, c[2].packets);
	LONGS_EQUAL(150, c[2].bytes);
	LONGS_EQUAL(0, c[2].rsvd);
}

TEST(TblMgr, PrefixAndTernaryKeysShareToo)
{
	uint8_t a[4] = { 10, 1, 2, 3 }, b[4] = { 10, 1, 99, 7 }; // the same /16

	add_ok(prefix_rule(1, a, 16));
	add_ok(prefix_rule(2, b, 16));
	LONGS_EQUAL(1, stats().prefix_used);
	struct clif_cmd_rule t1 = ternary_rule(3, a, 16, 7), t2 = ternary_rule(4, b, 16, 7);
	port_this(t1, 1000, 1999);
	port_this(t2, 1000, 1999);
	add_ok(t1);
	add_ok(t2);
	LONGS_EQUAL(7, stats().ternary_used);
	// A port range of 0..65535 is no qualifier: the same key as none.
	struct clif_cmd_rule t3 = ternary_rule(5, a, 16, 2), t4 = ternary_rule(6, a, 16, 2);
	port_peer(t4, 0, 65535);
	add_ok(t3);
	add_ok(t4);
	LONGS_EQUAL(8, stats().ternary_used);
	CHECK(reports(probe4(a, 1500), 3));
	LONGS_EQUAL(0, tm_check(&tm));
	LONGS_EQUAL(CLIF_MBOX_OK, tm_delete(&tm, 3));
	CHECK(reports(probe4(a, 1500), 4));
	LONGS_EQUAL(CLIF_MBOX_OK, tm_delete(&tm, 1));
	CHECK(reports(probe4(b), 2));
	LONGS_EQUAL(0, tm_check(&tm));
}

// =====================================================================================
// Prefix table
// =====================================================================================

TEST(TblMgr, OverlappingPrefixesBothHit)
{
	uint8_t net8[4] = { 10, 0, 0, 0 }, net16[4] = { 10, 1, 0, 0 };
	uint8_t in16[4] = { 10, 1, 2, 3 }, in8[4] = { 10, 2, 0, 1 }, out[4] = { 11, 1, 2, 3 };

	add_ok(prefix_rule(8, net8, 8));
	add_ok(prefix_rule(16, net16, 16));
	CHECK(reports(probe4(in16), 8));
	CHECK(reports(probe4(in16), 16));
	CHECK(reports(probe4(in8), 8));
	CHECK_FALSE(reports(probe4(in8), 16));
	CHECK_FALSE(reports(probe4(out), 8));
	LONGS_EQUAL(2, tw.prefix_count);
	LONGS_EQUAL(CLIF_MBOX_OK, tm_delete(&tm, 8));
	CHECK_FALSE(reports(probe4(in16), 8));
	CHECK(reports(probe4(in16), 16));
	LONGS_EQUAL(1, tw.prefix_count);
	LONGS_EQUAL(0, tm_check(&tm));
}

TEST(TblMgr, PrefixHostBitsAreMaskedOffTheEntry)
{
	uint8_t a[4] = { 10, 1, 2, 3 }, other[4] = { 10, 1, 200, 9 };
	struct clif_cmd_rule r = prefix_rule(1, a, 16), got;
	struct clif_prefix_entry e;

	add_ok(r);
	CHECK(reports(probe4(other), 1));
	read_entry(CLIF_TBL_PREFIX, 0, &e, sizeof(e));
	LONGS_EQUAL(0, e.addr[2]);
	LONGS_EQUAL(0, e.addr[3]);
	LONGS_EQUAL(CLIF_MBOX_OK, tm_get(&tm, 1, &got));
	MEMCMP_EQUAL(&r, &got, sizeof(r)); // the rule as given
}

TEST(TblMgr, Ipv6PrefixAndZeroLength)
{
	struct clif_cmd_rule r = base_rule(1, CLIF_RULE_PREFIX, CLIF_ADDR_IPV6, V6_S);

	r.prefix_len = 64;
	add_ok(r);
	struct clif_cmd_rule all = prefix_rule(2, V4_S, 0);
	add_ok(all);
	Probe p = probe_of(r);
	p.addr[15] = 0x77;
	CHECK(reports(p, 1));
	CHECK(reports(probe4(V4_FAR), 2));
	CHECK_FALSE(reports(p, 2)); // IPv4 /0 is not IPv6
	LONGS_EQUAL(0, tm_check(&tm));
}

namespace {
struct PackedWatch {
	std::vector<std::pair<Probe, uint32_t>> keep; // must stay found: probe, handle
	uint64_t doorbells = 0, lost = 0;
};
PackedWatch *g_packed_watch;

void packed_hook()
{
	PackedWatch &w = *g_packed_watch;

	w.doorbells++;
	for (const auto &k : w.keep)
		if (!reports(k.first, k.second))
			w.lost++;
}
} // namespace

TEST(TblMgr, PrefixDeleteKeepsEveryOtherEntryFoundAtEveryWrite)
{
	PackedWatch w;

	for (uint32_t i = 0; i < 12; i++) {
		uint8_t a[4] = { 10, 50, (uint8_t)i, 1 };

		add_ok(prefix_rule(i, a, 32));
		if (i != 3 && i != 11 && i != 6)
			w.keep.push_back({ probe4(a), i });
	}
	g_packed_watch = &w;
	g_fake_after_doorbell = packed_hook;
	LONGS_EQUAL(CLIF_MBOX_OK, tm_delete(&tm, 3));  // middle
	LONGS_EQUAL(CLIF_MBOX_OK, tm_delete(&tm, 11)); // the last
	LONGS_EQUAL(CLIF_MBOX_OK, tm_delete(&tm, 6));
	g_fake_after_doorbell = nullptr;
	CHECK(w.doorbells >= 9);
	LONGS_EQUAL(0, w.lost);
	LONGS_EQUAL(9, tw.prefix_count);
	for (uint32_t gone : { 3u, 11u, 6u }) {
		uint8_t a[4] = { 10, 50, (uint8_t)gone, 1 };

		CHECK_FALSE(reports(probe4(a), gone));
	}
	LONGS_EQUAL(0, tm_check(&tm));
}

// =====================================================================================
// Ternary table
// =====================================================================================

TEST(TblMgr, TernaryPortRangesMatchExactlyTheRange)
{
	struct clif_cmd_rule r = ternary_rule(1, V4_S, 32, 1);

	port_this(r, 1000, 1999);
	add_ok(r);
	LONGS_EQUAL(cover_count(1000, 1999), stats().ternary_used);
	LONGS_EQUAL(7, stats().ternary_used);
	CHECK_FALSE(reports(probe4(V4_S, 999), 1));
	CHECK(reports(probe4(V4_S, 1000), 1));
	CHECK(reports(probe4(V4_S, 1999), 1));
	CHECK_FALSE(reports(probe4(V4_S, 2000), 1));
	for (uint32_t port = 0; port < 65536; port++) {
		bool in = port >= 1000 && port <= 1999;

		if (reports(probe4(V4_S, (uint16_t)port), 1) != in)
			FAIL(("port " + std::to_string(port)).c_str());
	}
	LONGS_EQUAL(0, tm_check(&tm));
}

TEST(TblMgr, TernarySinglePortAndFullRange)
{
	struct clif_cmd_rule web = ternary_rule(1, V4_S, 32, 1);
	struct clif_cmd_rule all = ternary_rule(2, V4_D, 32, 1);

	port_peer(web, 80, 80);
	port_this(all, 0, 65535);
	port_peer(all, 0, 65535);
	add_ok(web);
	add_ok(all);
	LONGS_EQUAL(2, stats().ternary_used);
	CHECK_FALSE(reports(probe4(V4_S, 5, 79), 1));
	CHECK(reports(probe4(V4_S, 5, 80), 1));
	CHECK_FALSE(reports(probe4(V4_S, 5, 81), 1));
	CHECK(reports(probe4(V4_D, 0, 0), 2));
	CHECK(reports(probe4(V4_D, 65535, 65535), 2));
	CHECK(reports(probe4(V4_D, 1, 40000, 17), 2));
}

TEST(TblMgr, TernaryPortPairsAreTheCrossProduct)
{
	struct clif_cmd_rule r = ternary_rule(1, V4_S, 32, 1);

	port_this(r, 5, 10);    // 5, 6-7, 8-9, 10
	port_peer(r, 100, 103); // 100-103
	r.qual |= CLIF_QUAL_PROTO;
	r.ip_proto = 17;
	add_ok(r);
	LONGS_EQUAL(cover_count(5, 10) * cover_count(100, 103), stats().ternary_used);
	for (uint32_t t = 0; t < 20; t++)
		for (uint32_t p = 95; p < 110; p++) {
			bool in = t >= 5 && t <= 10 && p >= 100 && p <= 103;

			CHECK(reports(probe4(V4_S, (uint16_t)t, (uint16_t)p, 17), 1) == in);
			CHECK_FALSE(reports(probe4(V4_S, (uint16_t)t, (uint16_t)p, 6), 1));
		}
	LONGS_EQUAL(0, tm_check(&tm));
}

TEST(TblMgr, TernaryPortThisIsTheLookedUpSidesPort)
{
	// The destination side's "this" port is the destination port.
	struct clif_cmd_rule r = ternary_rule(1, UNUSED_V4, 32, 1);

	port_this(r, 80, 80);
	add_ok(r);
	CHECK(reports(probe4(V4_S, 1234, 80), 1)); // UNUSED_V4 is the probe's destination
	CHECK_FALSE(reports(probe4(V4_S, 80, 1234), 1));
}

TEST(TblMgr, TernaryHigherPriorityWins)
{
	uint8_t net8[4] = { 10, 0, 0, 0 }, net16[4] = { 10, 1, 0, 0 };
	uint8_t in16[4] = { 10, 1, 2, 3 }, in8[4] = { 10, 2, 0, 1 };

	add_ok(ternary_rule(1, net16, 16, 20));
	add_ok(ternary_rule(2, net8, 8, 10));
	add_ok(ternary_rule(3, net8, 8, 30)); // different priority: another key
	CHECK(reports(probe4(in16), 3));
	CHECK_FALSE(reports(probe4(in16), 1));
	CHECK_FALSE(reports(probe4(in16), 2));
	LONGS_EQUAL(CLIF_MBOX_OK, tm_delete(&tm, 3));
	CHECK(reports(probe4(in16), 1));
	CHECK(reports(probe4(in8), 2));
	LONGS_EQUAL(1, lookup(probe4(in16)).n);
	LONGS_EQUAL(0, tm_check(&tm));
}

TEST(TblMgr, TernaryTieGoesToTheOlderRuleAfterDeletes)
{
	uint8_t net8[4] = { 10, 0, 0, 0 }, net16[4] = { 10, 1, 0, 0 }, in[4] = { 10, 1, 2, 3 };
	uint8_t other[4] = { 172, 16, 0, 0 };

	// [W p9][X p50 older][Z p50 newer]: deleting W must not move Z ahead of X.
	add_ok(ternary_rule(1, other, 16, 9));
	add_ok(ternary_rule(2, net8, 8, 50));
	add_ok(ternary_rule(3, net16, 16, 50));
	CHECK(reports(probe4(in), 2));
	LONGS_EQUAL(CLIF_MBOX_OK, tm_delete(&tm, 1));
	CHECK(reports(probe4(in), 2));
	CHECK_FALSE(reports(probe4(in), 3));
	LONGS_EQUAL(0, tm_check(&tm));
	LONGS_EQUAL(CLIF_MBOX_OK, tm_delete(&tm, 2));
	CHECK(reports(probe4(in), 3));
	LONGS_EQUAL(0, tm_check(&tm));
}

TEST(TblMgr, TernaryTieFollowsTheOldestRuleOfASharedKey)
{
	uint8_t net8[4] = { 10, 0, 0, 0 }, net16[4] = { 10, 1, 0, 0 }, in[4] = { 10, 1, 2, 3 };

	add_ok(ternary_rule(1, net8, 8, 50));   // key K1, age 1
	add_ok(ternary_rule(2, net16, 16, 50)); // key K2, age 2
	add_ok(ternary_rule(3, net8, 8, 50));   // joins K1
	CHECK(reports(probe4(in), 1));
	// K1's oldest rule goes: K1 now ranks as rule 3, younger than rule 2.
	LONGS_EQUAL(CLIF_MBOX_OK, tm_delete(&tm, 1));
	CHECK(reports(probe4(in), 2));
	CHECK_FALSE(reports(probe4(in), 3));
	LONGS_EQUAL(0, tm_check(&tm));
	LONGS_EQUAL(CLIF_MBOX_OK, tm_delete(&tm, 2));
	CHECK(reports(probe4(in), 3));
	LONGS_EQUAL(0, tm_check(&tm));
}

TEST(TblMgr, TernaryDeleteKeepsEveryOtherRuleFoundAtEveryWrite)
{
	PackedWatch w;

	// Ranges (several entries per rule) and equal priorities, so deletes shift as well as move.
	for (uint32_t i = 0; i < 10; i++) {
		uint8_t a[4] = { 10, 60, (uint8_t)i, 1 };
		struct clif_cmd_rule r = ternary_rule(i, a, 32, (uint16_t)(i % 3));

		port_this(r, 1000, 1010);
		add_ok(r);
		if (i != 2 && i != 5 && i != 9) {
			w.keep.push_back({ probe4(a, 1000), i });
			w.keep.push_back({ probe4(a, 1010), i });
		}
	}
	g_packed_watch = &w;
	g_fake_after_doorbell = packed_hook;
	for (uint32_t h : { 2u, 5u, 9u })
		LONGS_EQUAL(CLIF_MBOX_OK, tm_delete(&tm, h));
	g_fake_after_doorbell = nullptr;
	CHECK(w.doorbells > 20);
	LONGS_EQUAL(0, w.lost);
	LONGS_EQUAL(7 * cover_count(1000, 1010), tw.ternary_count);
	LONGS_EQUAL(0, tm_check(&tm));
}

// =====================================================================================
// Counters and reset
// =====================================================================================

TEST(TblMgr, CountersInHandleOrderFromFirst)
{
	const uint32_t handles[] = { 50, 7, 900, 33, 8 };
	struct clif_rule_counter c[8];
	uint32_t n = 99;

	for (uint32_t i = 0; i < 5; i++)
		add_ok(v4_rule(handles[i], 0x0a000100u + i));
	for (uint32_t i = 0; i < 5; i++)
		for (uint32_t k = 0; k <= i; k++)
			count(probe_of(v4_rule(0, 0x0a000100u + i)), (uint16_t)(60 + i));
	LONGS_EQUAL(CLIF_MBOX_OK, tm_counters(&tm, 0, c, 8, &n));
	LONGS_EQUAL(5, n);
	const uint32_t sorted[] = { 7, 8, 33, 50, 900 }, index[] = { 1, 4, 3, 0, 2 };
	for (uint32_t i = 0; i < 5; i++) {
		LONGS_EQUAL(sorted[i], c[i].handle);
		LONGS_EQUAL(index[i] + 1, c[i].packets);
		LONGS_EQUAL((index[i] + 1) * (60 + index[i]), c[i].bytes);
	}
	LONGS_EQUAL(CLIF_MBOX_OK, tm_counters(&tm, 9, c, 2, &n));
	LONGS_EQUAL(2, n);
	LONGS_EQUAL(33, c[0].handle);
	LONGS_EQUAL(50, c[1].handle);
	LONGS_EQUAL(CLIF_MBOX_OK, tm_counters(&tm, 901, c, 8, &n));
	LONGS_EQUAL(0, n);
	LONGS_EQUAL(CLIF_MBOX_OK, tm_counters(&tm, 0, c, 0, &n));
	LONGS_EQUAL(0, n);
}

TEST(TblMgr, CountersFromFramesThroughTheDataPlane)
{
	struct pkt_buf f;
	struct clif_rule_counter c[2];
	uint32_t n;

	add_ok(exact_rule(4, CLIF_ADDR_IPV4, V4_S));
	add_ok(prefix_rule(5, V4_D, 24));
	rings_init(RING_MEM_BYTES, 4096);
	uint16_t ip = start_tcp4(f, V4_S, V4_D, -1, 0);
	fix_ipv4_len(f, ip);
	run_frame(f, 0, 0);
	run_frame(f, 0, 0);
	LONGS_EQUAL(CLIF_MBOX_OK, tm_counters(&tm, 0, c, 2, &n));
	LONGS_EQUAL(2, n);
	LONGS_EQUAL(2, c[0].packets);
	LONGS_EQUAL(2u * f.len, c[0].bytes);
	LONGS_EQUAL(5, c[1].handle);
	LONGS_EQUAL(2, c[1].packets);
}

TEST(TblMgr, AReusedSlotStartsWithZeroCounters)
{
	add_ok(exact_rule(1, CLIF_ADDR_IPV4, V4_S));
	uint32_t slot = slot_for(probe4(V4_S), 1);
	count(probe4(V4_S), 64);
	LONGS_EQUAL(CLIF_MBOX_OK, tm_delete(&tm, 1));
	add_ok(exact_rule(2, CLIF_ADDR_IPV4, V4_D));
	LONGS_EQUAL(slot, slot_for(probe4(V4_D), 2));
	LONGS_EQUAL(0, hits(slot).packets);
}

TEST(TblMgr, ResetForgetsEverything)
{
	add_ok(exact_rule(1, CLIF_ADDR_IPV4, V4_S));
	add_ok(prefix_rule(2, V4_D, 24));
	add_ok(ternary_rule(3, V4_FAR, 16, 1));
	tm_reset(&tm);
	struct clif_table_stats st = stats();
	LONGS_EQUAL(0, st.exact_used + st.prefix_used + st.ternary_used + st.rule_used);
	LONGS_EQUAL(0, tw.prefix_count + tw.ternary_count);
	CHECK_FALSE(reports(probe4(V4_S), 1));
	CHECK_FALSE(reports(probe4(V4_D), 2));
	CHECK_FALSE(reports(probe4(V4_FAR), 3));
	LONGS_EQUAL(0, tm_check(&tm));
	add_ok(exact_rule(1, CLIF_ADDR_IPV4, V4_S));
	CHECK(reports(probe4(V4_S), 1));
}

TEST(TblMgr, CheckNoticesATableChangedBehindItsBack)
{
	add_ok(exact_rule(1, CLIF_ADDR_IPV4, V4_S));
	add_ok(prefix_rule(2, V4_D, 24));
	LONGS_EQUAL(0, tm_check(&tm));
	struct placer pl; // a second writer, as a bug would be
	memset(&pl, 0, sizeof(pl));
	pl.tw = &tw;
	struct clif_prefix_entry none;
	memset(&none, 0, sizeof(none));
	placer_cmd(&pl, CLIF_TBL_PREFIX, 0, CLIF_TW_CMD_WRITE, &none, sizeof(none));
	CHECK(tm_check(&tm) >= 1);
	CHECK(g_fake_console.find("tblmgr: check:") != std::string::npos);
}

// =====================================================================================
// Exact table: load, stash, make-before-break
// =====================================================================================

namespace {

// Distinct random-looking IPv4 keys: a bijection of a counter (murmur3's finalizer) under a
// seed, so no two keys are equal and no set is needed.
struct KeyGen {
	uint32_t seed, i = 0;

	explicit KeyGen(uint32_t s) : seed(s) {}
	uint32_t next()
	{
		for (;;) {
			uint32_t h = ++i ^ seed;

			h ^= h >> 16;
			h *= 0x85ebca6bu;
			h ^= h >> 13;
			h *= 0xc2b2ae35u;
			h ^= h >> 16;
			if (h != 0)
				return h;
		}
	}
};

} // namespace

TEST(TblMgr, LoadReachesNinetyFivePercentBeforeTheFirstRefusal)
{
	KeyGen kg(0x5eed0001u);
	std::vector<uint32_t> addrs;
	struct clif_table_stats st;
	const uint32_t capacity = CLIF_DP_EXACT_WAYS * CLIF_DP_EXACT_WAY_SIZE;
	int status;
	uint32_t refused_addr;

	for (;;) {
		uint32_t a = kg.next();
		struct clif_cmd_rule r = v4_rule((uint32_t)addrs.size() + 1, a);

		status = tm_add(&tm, &r, r.handle);
		refused_addr = a;
		if (status != CLIF_MBOX_OK)
			break;
		addrs.push_back(a);
	}
	LONGS_EQUAL(CLIF_MBOX_EFULL, status);
	st = stats();
	CHECK_TEXT(st.exact_used * 100u >= capacity * 95u, ("load " + std::to_string(st.exact_used)).c_str());
	LONGS_EQUAL(CLIF_DP_EXACT_STASH, st.exact_stash_used);
	LONGS_EQUAL(addrs.size(), st.exact_used + st.exact_stash_used);
	CHECK(tm.bfs_max_visited > CLIF_DP_EXACT_WAYS);
	CHECK(tm.bfs_max_visited <= TM_BFS_NODES);

	// The refusal wrote nothing and lost nothing: the same key again, watched.
	uint64_t writes = tm.window_writes;
	struct clif_cmd_rule r = v4_rule(0xfffffff0u, refused_addr);
	LONGS_EQUAL(CLIF_MBOX_EFULL, tm_add(&tm, &r, r.handle));
	CHECK_FALSE(reports(probe_of(r), r.handle));
	LONGS_EQUAL(writes, tm.window_writes);
	struct clif_table_stats after = stats();
	MEMCMP_EQUAL(&st, &after, sizeof(st));
	LONGS_EQUAL(0, tm_check(&tm));
	for (size_t i = 0; i < addrs.size(); i++)
		if (!reports(probe_of(v4_rule(0, addrs[i])), (uint32_t)i + 1))
			FAIL(("key lost: rule " + std::to_string(i + 1)).c_str());
	// A key that shares an installed key still fits: it needs no entry.
	struct clif_cmd_rule shared = v4_rule(0xfffffff1u, addrs[100]);
	LONGS_EQUAL(CLIF_MBOX_OK, tm_add(&tm, &shared, shared.handle));
}

TEST(TblMgr, StashKeysMoveBackWhenABucketFrees)
{
	KeyGen kg(0x5eed0002u);
	std::vector<uint32_t> addrs; // rule i + 1's address
	uint32_t h = 1;
	const uint32_t ecap = CLIF_DP_EXACT_WAYS * CLIF_DP_EXACT_WAY_SIZE;

	while (stats().exact_stash_used < 3) {
		uint32_t a = kg.next();
		struct clif_cmd_rule r = v4_rule(h, a);

		LONGS_EQUAL(CLIF_MBOX_OK, tm_add(&tm, &r, h));
		addrs.push_back(a);
		h++;
	}
	// For each stash key, free its bucket in way 2: the key must come back into the ways.
	for (uint32_t i = 0; i < CLIF_DP_EXACT_STASH; i++) {
		struct clif_exact_entry s, occ;

		read_entry(CLIF_TBL_EXACT_STASH, i, &s, sizeof(s));
		if (!(s.flags & CLIF_ENTRY_VALID))
			continue;
		uint32_t h1 = clif_exact_hash(&s.key, CLIF_DP_HASH_SEED);
		uint32_t h2 = clif_exact_hash(&s.key, CLIF_DP_HASH_SEED ^ CLIF_EXACT_HASH_SEED2);
		uint32_t pos = 2 * CLIF_DP_EXACT_WAY_SIZE + clif_exact_bucket(h1, h2, 2, CLIF_DP_EXACT_WAY_SIZE);
		read_entry(CLIF_TBL_EXACT, pos, &occ, sizeof(occ));
		uint32_t a = (uint32_t)occ.key.addr[0] << 24 | (uint32_t)occ.key.addr[1] << 16 |
			     (uint32_t)occ.key.addr[2] << 8 | occ.key.addr[3];
		uint32_t stashed = stats().exact_stash_used;
		auto it = std::find(addrs.begin(), addrs.end(), a);
		CHECK(it != addrs.end());
		// The stash key stays found at every write while it moves.
		uint32_t sa = (uint32_t)s.key.addr[0] << 24 | (uint32_t)s.key.addr[1] << 16 |
			      (uint32_t)s.key.addr[2] << 8 | s.key.addr[3];
		auto sit = std::find(addrs.begin(), addrs.end(), sa);
		CHECK(sit != addrs.end());
		PackedWatch w;
		w.keep.push_back({ probe_of(v4_rule(0, sa)), (uint32_t)(sit - addrs.begin()) + 1 });
		g_packed_watch = &w;
		g_fake_after_doorbell = packed_hook;
		LONGS_EQUAL(CLIF_MBOX_OK, tm_delete(&tm, (uint32_t)(it - addrs.begin()) + 1));
		g_fake_after_doorbell = nullptr;
		LONGS_EQUAL(0, w.lost);
		CHECK(w.doorbells >= 3);
		LONGS_EQUAL(stashed - 1, stats().exact_stash_used);
		read_entry(CLIF_TBL_EXACT, pos, &occ, sizeof(occ));
		MEMCMP_EQUAL(&s, &occ, sizeof(s));
		read_entry(CLIF_TBL_EXACT_STASH, i, &s, sizeof(s));
		LONGS_EQUAL(0, s.flags & CLIF_ENTRY_VALID);
	}
	LONGS_EQUAL(0, stats().exact_stash_used);
	CHECK(stats().exact_used > ecap * 9 / 10);
	LONGS_EQUAL(0, tm_check(&tm));
}

namespace {

// Watches every window write while keys are inserted at high load: after each single write,
// every key that a write displaced during the current insert (the keys on the kick path) and
// a random sample of the installed keys must still be found by the data plane, in their slot.
struct MbbWatch {
	struct clif_tblwin_regs *tw;
	uint32_t ecap;
	std::vector<struct clif_exact_entry> mirror; // what each exact position holds
	std::vector<std::pair<uint32_t, uint32_t>> installed; // address, slot
	std::vector<std::pair<uint32_t, uint32_t>> path;      // displaced during this insert
	struct pkt_rng rng;
	uint64_t doorbells = 0, displaced = 0, checks = 0, lost = 0;
	size_t longest_path = 0;
};
MbbWatch *g_mbb;

uint32_t addr_of(const struct clif_exact_key &k)
{
	return (uint32_t)k.addr[0] << 24 | (uint32_t)k.addr[1] << 16 | (uint32_t)k.addr[2] << 8 | k.addr[3];
}

bool found_in_slot(uint32_t a, uint32_t slot)
{
	struct dp_hits h = lookup(probe_of(v4_rule(0, a)));

	for (uint32_t i = 0; i < h.n; i++)
		if (h.slot[i] == slot)
			return true;
	return false;
}

void mbb_hook()
{
	MbbWatch &m = *g_mbb;
	uint32_t table = m.tw->table;

	m.doorbells++;
	if (table == CLIF_TBL_EXACT || table == CLIF_TBL_EXACT_STASH) {
		// data[] holds the entry now at (table, index): written, or read back.
		uint32_t words[8];
		struct clif_exact_entry e;
		uint32_t pos = m.tw->index + (table == CLIF_TBL_EXACT ? 0 : m.ecap);

		for (unsigned i = 0; i < 8; i++)
			words[i] = m.tw->data[i];
		memcpy(&e, words, sizeof(e));
		const struct clif_exact_entry &old = m.mirror[pos];
		if ((old.flags & CLIF_ENTRY_VALID) &&
		    (!(e.flags & CLIF_ENTRY_VALID) || memcmp(&old.key, &e.key, sizeof(e.key)) != 0)) {
			m.path.push_back({ addr_of(old.key), old.rule_slot });
			m.displaced++;
			if (m.path.size() > m.longest_path)
				m.longest_path = m.path.size();
		}
		m.mirror[pos] = e;
	}
	for (const auto &k : m.path) {
		m.checks++;
		if (!found_in_slot(k.first, k.second))
			m.lost++;
	}
	for (unsigned i = 0; i < 16 && !m.installed.empty(); i++) {
		const auto &k = m.installed[pkt_rng_below(&m.rng, (uint32_t)m.installed.size())];

		m.checks++;
		if (!found_in_slot(k.first, k.second))
			m.lost++;
	}
}

} // namespace

TEST(TblMgr, ExactMovesAreMakeBeforeBreakAtHighLoad)
{
	const uint32_t ecap = CLIF_DP_EXACT_WAYS * CLIF_DP_EXACT_WAY_SIZE;
	KeyGen kg(0x5eed0003u);
	MbbWatch m;
	uint32_t h = 1;

	pkt_rng_seed(&m.rng, 42);
	m.tw = &tw;
	m.ecap = ecap;
	while (stats().exact_used < ecap * 90u / 100u) {
		uint32_t a = kg.next();
		struct clif_cmd_rule r = v4_rule(h, a);

		LONGS_EQUAL(CLIF_MBOX_OK, tm_add(&tm, &r, h));
		m.installed.push_back({ a, 0 });
		h++;
	}
	// The table as it is now, read through the window, and each key's slot.
	m.mirror.resize(ecap + CLIF_DP_EXACT_STASH);
	for (uint32_t pos = 0; pos < ecap + CLIF_DP_EXACT_STASH; pos++) {
		if (pos < ecap)
			read_entry(CLIF_TBL_EXACT, pos, &m.mirror[pos], sizeof(m.mirror[pos]));
		else
			read_entry(CLIF_TBL_EXACT_STASH, pos - ecap, &m.mirror[pos], sizeof(m.mirror[pos]));
	}
	for (uint32_t i = 0; i < m.installed.size(); i++)
		m.installed[i].second = slot_for(probe_of(v4_rule(0, m.installed[i].first)), i + 1);

	g_mbb = &m;
	g_fake_after_doorbell = mbb_hook;
	uint32_t kicked_inserts = 0;
	while (stats().exact_used < ecap * 95u / 100u) {
		uint32_t a = kg.next();
		struct clif_cmd_rule r = v4_rule(h, a);
		uint64_t before = m.displaced;

		m.path.clear();
		LONGS_EQUAL(CLIF_MBOX_OK, tm_add(&tm, &r, h));
		kicked_inserts += m.displaced != before;
		m.installed.push_back({ a, slot_for(probe_of(r), h) });
		h++;
		if (m.lost)
			break;
	}
	g_fake_after_doorbell = nullptr;
	LONGS_EQUAL(0, m.lost);
	CHECK(kicked_inserts > 500);
	CHECK(m.longest_path >= 3);
	CHECK(m.checks > 100000);
	LONGS_EQUAL(0, tm_check(&tm));
}

// =====================================================================================
// Random operations against a reference
// =====================================================================================

namespace {

struct RefRule {
	struct clif_cmd_rule r;
	uint64_t join;
};

// The key a rule needs, as bytes; equal strings = identical keys (the reference's own
// normalization: masked prefix bits, unqualified ranges as 0..65535).
std::string ref_key(const struct clif_cmd_rule &r)
{
	std::string k;
	uint8_t addr[16];

	memcpy(addr, r.addr, 16);
	if (r.kind != CLIF_RULE_EXACT)
		for (unsigned b = 0; b < 16; b++) {
			unsigned keep = r.prefix_len >= 8 * (b + 1) ? 8 : r.prefix_len > 8 * b ? r.prefix_len - 8 * b : 0;
			addr[b] &= (uint8_t)(0xff00u >> keep);
		}
	k += (char)r.kind;
	k += (char)r.addr_type;
	k += (char)r.scope_type;
	k += std::to_string(r.scope_value) + "/";
	k.append((const char *)addr, 16);
	if (r.kind == CLIF_RULE_EXACT)
		return k;
	k += "/" + std::to_string(r.prefix_len);
	if (r.kind == CLIF_RULE_PREFIX)
		return k;
	k += "/p" + std::to_string(r.priority);
	k += (r.qual & CLIF_QUAL_PROTO) ? "/proto" + std::to_string(r.ip_proto) : "/any";
	k += (r.qual & CLIF_QUAL_PORT_THIS) ? "/t" + std::to_string(r.port_this_lo) + "-" + std::to_string(r.port_this_hi)
					     : "/t0-65535";
	k += (r.qual & CLIF_QUAL_PORT_PEER) ? "/r" + std::to_string(r.port_peer_lo) + "-" + std::to_string(r.port_peer_hi)
					     : "/r0-65535";
	return k;
}

bool ternary_matches(const struct clif_cmd_rule &t, const Probe &p)
{
	for (unsigned b = 0; b < 4; b++) {
		unsigned keep = t.prefix_len >= 8 * (b + 1) ? 8 : t.prefix_len > 8 * b ? t.prefix_len - 8 * b : 0;
		uint8_t mask = (uint8_t)(0xff00u >> keep);

		if ((t.addr[b] & mask) != (p.addr[b] & mask))
			return false;
	}
	if ((t.qual & CLIF_QUAL_PROTO) && t.ip_proto != p.proto)
		return false;
	if ((t.qual & CLIF_QUAL_PORT_THIS) && (p.sport < t.port_this_lo || p.sport > t.port_this_hi))
		return false;
	if ((t.qual & CLIF_QUAL_PORT_PEER) && (p.dport < t.port_peer_lo || p.dport > t.port_peer_hi))
		return false;
	return true;
}

class Reference {
public:
	std::map<uint32_t, RefRule> live;
	std::map<uint32_t, struct clif_cmd_rule> gone;
	std::map<std::string, std::vector<const RefRule *>> by_key; // built by reindex()
	uint64_t seq = 0;

	void reindex()
	{
		by_key.clear();
		for (const auto &kv : live)
			by_key[ref_key(kv.second.r)].push_back(&kv.second);
		for (auto &kv : by_key)
			std::sort(kv.second.begin(), kv.second.end(),
				  [](const RefRule *a, const RefRule *b) { return a->join < b->join; });
	}
	// The rules sharing r's key, oldest first.
	const std::vector<const RefRule *> &sharing(const struct clif_cmd_rule &r) const
	{
		return by_key.at(ref_key(r));
	}
	struct clif_rule_entry entry(const struct clif_cmd_rule &r) const
	{
		struct clif_rule_entry e;
		bool copies = false, whole = false;
		uint16_t snap = 0;
		const auto &v = sharing(r);

		memset(&e, 0, sizeof(e));
		e.handle = v.front()->r.handle;
		e.flags = CLIF_ENTRY_VALID;
		for (const RefRule *x : v)
			copies |= (x->r.actions & CLIF_ACT_ALL) != 0;
		for (const RefRule *x : v) {
			e.actions |= x->r.actions;
			if (copies && !(x->r.actions & CLIF_ACT_ALL))
				continue;
			whole |= x->r.snap_len == 0;
			snap = std::max(snap, x->r.snap_len);
		}
		e.snap_len = whole ? 0 : snap;
		return e;
	}
	uint64_t key_age(const struct clif_cmd_rule &r) const
	{
		return sharing(r).front()->join;
	}
	// The handle the data plane's single ternary hit should report for a probe, or 0.
	uint32_t ternary_winner(const Probe &p) const
	{
		const RefRule *best = nullptr;

		for (const auto &kv : live) {
			const struct clif_cmd_rule &t = kv.second.r;

			if (t.kind != CLIF_RULE_TERNARY || !ternary_matches(t, p))
				continue;
			if (!best || t.priority > best->r.priority ||
			    (t.priority == best->r.priority && key_age(t) < key_age(best->r)))
				best = &kv.second;
		}
		return best ? entry(best->r).handle : 0;
	}
	size_t ternary_entries() const
	{
		std::set<std::string> keys;
		size_t n = 0;

		for (const auto &kv : live)
			if (kv.second.r.kind == CLIF_RULE_TERNARY && keys.insert(ref_key(kv.second.r)).second)
				n += expansion(kv.second.r);
		return n;
	}
	static size_t expansion(const struct clif_cmd_rule &t)
	{
		uint32_t a = (t.qual & CLIF_QUAL_PORT_THIS) ? cover_count(t.port_this_lo, t.port_this_hi) : 1;
		uint32_t b = (t.qual & CLIF_QUAL_PORT_PEER) ? cover_count(t.port_peer_lo, t.port_peer_hi) : 1;

		return (size_t)a * b;
	}
	size_t ternary_rules() const
	{
		size_t n = 0;

		for (const auto &kv : live)
			n += kv.second.r.kind == CLIF_RULE_TERNARY;
		return n;
	}
};

class RandomRules {
public:
	struct pkt_rng rng;
	std::vector<std::array<uint8_t, 16>> v4, v6, mac, pfx, tern;

	explicit RandomRules(uint64_t seed)
	{
		pkt_rng_seed(&rng, seed);
		auto fill = [this](std::vector<std::array<uint8_t, 16>> &pool, size_t n, size_t len, uint8_t first,
				   uint8_t second) {
			for (size_t i = 0; i < n; i++) {
				std::array<uint8_t, 16> a{};

				for (size_t b = 0; b < len; b++)
					a[b] = (uint8_t)pkt_rng_next(&rng);
				a[0] = first;
				if (second)
					a[1] = second;
				pool.push_back(a);
			}
		};
		fill(v4, 300, 4, 10, 0);
		fill(v6, 200, 16, 0x20, 0x01);
		fill(mac, 200, 6, 0x02, 0);
		fill(pfx, 40, 4, 10, 0);
		fill(tern, 24, 4, 10, 200);
	}
	uint32_t below(uint32_t n)
	{
		return pkt_rng_below(&rng, n);
	}
	struct clif_cmd_rule make(uint32_t handle, bool allow_ternary)
	{
		uint32_t kind = below(allow_ternary ? 10 : 8);
		struct clif_cmd_rule r;

		if (kind < 5) { // exact: IPv4, IPv6 or MAC in any scope
			static const uint8_t types[3] = { CLIF_ADDR_IPV4, CLIF_ADDR_IPV6, CLIF_ADDR_MAC };
			uint8_t type = types[below(3)];
			const auto &pool = type == CLIF_ADDR_IPV4 ? v4 : type == CLIF_ADDR_IPV6 ? v6 : mac;
			uint8_t scope = (uint8_t)below(CLIF_SCOPE_COUNT);

			r = exact_rule(handle, type, pool[below((uint32_t)pool.size())].data(), scope,
				       scope == CLIF_SCOPE_ANY ? 0 : 1 + below(3));
		} else if (kind < 8) { // prefix, host bits set at random
			static const uint8_t lens[] = { 8, 12, 16, 20, 24, 28, 32 };
			std::array<uint8_t, 16> a = pfx[below((uint32_t)pfx.size())];

			a[3] = (uint8_t)below(256);
			r = prefix_rule(handle, a.data(), lens[below(7)]);
		} else { // ternary: small ranges, equal priorities often
			static const uint8_t lens[] = { 16, 24, 32 };

			r = ternary_rule(handle, tern[below((uint32_t)tern.size())].data(), lens[below(3)],
					 (uint16_t)(1 + below(3)));
			if (below(2))
				port_this(r, (uint16_t)(1000 + below(4)), (uint16_t)(1003 + below(4)));
			if (below(3) == 0)
				port_peer(r, 80, (uint16_t)(80 + below(2)));
			if (below(2)) {
				r.qual |= CLIF_QUAL_PROTO;
				r.ip_proto = below(2) ? 6 : 17;
			}
		}
		r.actions = (uint16_t)below(4);
		r.snap_len = (uint16_t)(below(3) * 64);
		return r;
	}
};

Probe probe_for(const struct clif_cmd_rule &r)
{
	Probe p = probe_of(r);

	if (r.kind == CLIF_RULE_TERNARY) {
		p.proto = (r.qual & CLIF_QUAL_PROTO) ? r.ip_proto : 6;
		p.sport = (r.qual & CLIF_QUAL_PORT_THIS) ? r.port_this_lo : 1234;
		p.dport = (r.qual & CLIF_QUAL_PORT_PEER) ? r.port_peer_hi : 80;
	}
	return p;
}

} // namespace

TEST_GROUP_BASE(TblMgrRandom, TmFixture)
{
	Reference ref;

	void verify()
	{
		ref.reindex();
		LONGS_EQUAL(0, tm_check(&tm));
		LONGS_EQUAL(ref.live.size(), stats().rule_used);
		LONGS_EQUAL(ref.ternary_entries(), stats().ternary_used);
		for (const auto &kv : ref.live) {
			const struct clif_cmd_rule &r = kv.second.r;
			struct clif_cmd_rule got;
			Probe p = probe_for(r);

			LONGS_EQUAL(CLIF_MBOX_OK, tm_get(&tm, kv.first, &got));
			MEMCMP_EQUAL(&r, &got, sizeof(r));
			if (r.kind == CLIF_RULE_TERNARY) {
				uint32_t want = ref.ternary_winner(p);
				struct dp_hits h = lookup(p);

				CHECK(want != 0);
				CHECK_TEXT(hit_of(h, want) >= 0, ("ternary winner " + std::to_string(want)).c_str());
				// No other ternary rule's slot hit.
				for (const auto &o : ref.live)
					if (o.second.r.kind == CLIF_RULE_TERNARY && o.first != want)
						CHECK(hit_of(h, o.first) < 0);
				continue;
			}
			struct clif_rule_entry want = ref.entry(r);
			struct dp_hits h = lookup(p);
			int i = hit_of(h, want.handle);

			CHECK_TEXT(i >= 0, ("rule not found: " + std::to_string(kv.first)).c_str());
			if (i >= 0) {
				struct clif_rule_entry e = dp_rule(h.slot[i]);

				MEMCMP_EQUAL(&want, &e, sizeof(want));
			}
		}
		for (const auto &kv : ref.gone)
			CHECK_TEXT(hit_of(lookup(probe_for(kv.second)), kv.first) < 0,
				   ("deleted rule found: " + std::to_string(kv.first)).c_str());
	}
};

TEST(TblMgrRandom, ThousandsOfAddsModifiesAndDeletesMatchTheReference)
{
	RandomRules gen(0x7ab1e5eedull);
	uint32_t next_handle = 1;
	uint32_t counts[8] = { 0 };

	for (int phase = 0; phase < 4; phase++) {
		for (int op = 0; op < 2500; op++) {
			uint32_t what = gen.below(100);
			bool allow_ternary = ref.ternary_rules() < 30;

			if (what < 45 || ref.live.empty()) {
				struct clif_cmd_rule r = gen.make(next_handle, allow_ternary);

				LONGS_EQUAL(CLIF_MBOX_OK, tm_add(&tm, &r, r.handle));
				ref.live[r.handle] = RefRule{ r, ++ref.seq };
				next_handle++;
				counts[0]++;
			} else if (what < 70) {
				auto it = ref.live.begin();
				std::advance(it, gen.below((uint32_t)ref.live.size()));
				uint32_t h = it->first;

				LONGS_EQUAL(CLIF_MBOX_OK, tm_delete(&tm, h));
				ref.gone[h] = it->second.r;
				ref.live.erase(it);
				counts[1]++;
			} else if (what < 95) {
				auto it = ref.live.begin();
				std::advance(it, gen.below((uint32_t)ref.live.size()));
				struct clif_cmd_rule m = gen.make(it->first, allow_ternary);

				if (gen.below(4) == 0) { // same key, other actions
					m = it->second.r;
					m.actions = (uint16_t)gen.below(4);
					m.snap_len = (uint16_t)(gen.below(3) * 96);
				}
				LONGS_EQUAL(CLIF_MBOX_OK, tm_modify(&tm, &m, m.handle));
				if (ref_key(m) != ref_key(it->second.r))
					it->second.join = ++ref.seq;
				it->second.r = m;
				counts[2]++;
			} else if (what < 97) {
				auto it = ref.live.begin();
				std::advance(it, gen.below((uint32_t)ref.live.size()));
				struct clif_cmd_rule r = gen.make(it->first, false);

				LONGS_EQUAL(CLIF_MBOX_EEXIST, tm_add(&tm, &r, r.handle));
				counts[3]++;
			} else if (!ref.gone.empty()) {
				auto it = ref.gone.begin();
				std::advance(it, gen.below((uint32_t)ref.gone.size()));
				struct clif_cmd_rule r = it->second;

				LONGS_EQUAL(CLIF_MBOX_ENOENT, tm_delete(&tm, it->first));
				LONGS_EQUAL(CLIF_MBOX_ENOENT, tm_modify(&tm, &r, it->first));
				counts[4]++;
			}
		}
		verify();
	}
	CHECK(counts[0] > 3000);
	CHECK(counts[1] > 1500);
	CHECK(counts[2] > 1500);
	CHECK(counts[3] > 50);
	CHECK(counts[4] > 50);
	CHECK(ref.live.size() > 1000);
	// Everything goes; the tables end empty.
	while (!ref.live.empty()) {
		LONGS_EQUAL(CLIF_MBOX_OK, tm_delete(&tm, ref.live.begin()->first));
		ref.gone[ref.live.begin()->first] = ref.live.begin()->second.r;
		ref.live.erase(ref.live.begin());
	}
	verify();
	struct clif_table_stats st = stats();
	LONGS_EQUAL(0, st.exact_used + st.exact_stash_used + st.prefix_used + st.ternary_used + st.rule_used);
}
