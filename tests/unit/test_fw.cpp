// SPDX-License-Identifier: BSD-3-Clause
// The firmware core's service loop (fw/fw.h): identity block, heartbeat, reset, the punt ring
// from the data plane to the learner and back out through the mailbox, corrupt punt records,
// and the boot self-test on the default table geometry.
#include <string.h>

#include "fw_fixture.h"

#include <CppUTest/TestHarness.h>

namespace {

const uint32_t PUNT_RING = 4096;

// A record header written straight into the punt ring at off (as a broken card would).
void put_rec(uint32_t off, uint32_t rec_len, uint16_t cap_len, uint16_t flags = 0, uint8_t n_match = 1)
{
	struct clif_c2h_rec r;

	memset(&r, 0, sizeof(r));
	r.rec_len = rec_len;
	r.cap_len = cap_len;
	r.orig_len = cap_len;
	r.flags = flags;
	r.n_match = n_match;
	r.handle[0] = OWNER;
	r.side[0] = CLIF_SIDE_OUTER_DST;
	memcpy(g_punt_mem + off, &r, sizeof(r));
}

uint64_t stat_rule_used()
{
	struct clif_mbox_cmd c = cmd_plain(CLIF_OP_TABLE_STATS);
	struct clif_mbox_cpl cpl = post(&c);
	struct clif_table_stats s;

	LONGS_EQUAL(CLIF_MBOX_OK, cpl.status);
	memcpy(&s, (const void *)g_card.mbox.data, sizeof(s));
	return s.rule_used;
}

} // namespace

TEST_GROUP(Fw)
{
	struct pkt_buf f;
	struct fw &fw = g_card.fw;
	struct clif_ident &id = g_card.ident;

	void setup() override
	{
		card_start(PUNT_RING);
		pkt_reset(&f);
	}
	void teardown() override
	{
		card_stop();
	}
	// The punt ring was consumed to prod and published.
	void check_ring_drained()
	{
		UNSIGNED_LONGS_EQUAL(g_punt.prod, g_punt.cons);
	}
	// A card that moved prod to prod over what the ring holds: counted, nothing read, cons
	// set to prod; then (recover) the next good record is read.
	void corrupt_then_recover(uint32_t prod, bool recover = true)
	{
		g_punt.prod = prod;
		fw_poll(&fw);
		UNSIGNED_LONGLONGS_EQUAL(1, fw.ctr.punt_bad);
		UNSIGNED_LONGLONGS_EQUAL(0, fw.ctr.punt_records);
		UNSIGNED_LONGLONGS_EQUAL(0, fw.learn.ctr.frames);
		check_ring_drained();
		if (!recover)
			return;
		add_rule(mac_rule(OWNER, TGT_MAC));
		dhcp_ack(f);
		punt_frame(f);
		UNSIGNED_LONGLONGS_EQUAL(1, fw.ctr.punt_records);
		UNSIGNED_LONGLONGS_EQUAL(1, fw.learn.ctr.binds);
		UNSIGNED_LONGLONGS_EQUAL(1, fw.ctr.punt_bad);
		check_ring_drained();
	}
};

// ---- identity ----

TEST(Fw, InitFillsTheIdentityBlock)
{
	LONGS_EQUAL(CLIF_BLK_IDENT, id.hdr.type);
	LONGS_EQUAL(CLIF_IDENT_VERSION, id.hdr.version);
	LONGS_EQUAL(sizeof(struct clif_ident), id.hdr.size);
	UNSIGNED_LONGS_EQUAL(CLIF_IDENT_MAGIC, id.magic);
	LONGS_EQUAL(CLIF_ABI_MAJOR, id.abi_major);
	LONGS_EQUAL(CLIF_ABI_MINOR, id.abi_minor);
	UNSIGNED_LONGS_EQUAL(FW_VERSION_MAJOR << 16 | FW_VERSION_MINOR << 8 | FW_VERSION_PATCH, id.fw_version);
	LONGS_EQUAL(42, id.board_id);
	STRCMP_EQUAL("unit-test-card", (const char *)id.board_name);
	const uint8_t zero[20] = { 0 };
	MEMCMP_EQUAL(zero, id.build_id, sizeof(zero)); // no FW_BUILD_ID in the unit build
	LONGS_EQUAL(CLIF_STATUS_READY, id.status);
	LONGS_EQUAL(0, id.reset_gen);
	POINTERS_EQUAL(&id, fw_panic_ident);
	CHECK(g_fake_console.find("board unit-test-card") != std::string::npos);
}

TEST(Fw, InitKeepsResetGenAndNextOffAndPadsTheBoardName)
{
	memset(&id, 0xa5, sizeof(id));
	id.reset_gen = 7;
	id.hdr.next_off = 0x1000;
	g_card.res.board_name = "a-board-name-that-is-far-too-long-for-32-bytes";
	LONGS_EQUAL(CLIF_MBOX_OK, fw_init(&fw, &g_card.res));
	LONGS_EQUAL(7, id.reset_gen);
	UNSIGNED_LONGS_EQUAL(0x1000, id.hdr.next_off);
	MEMCMP_EQUAL("a-board-name-that-is-far-too-lo", id.board_name, 32); // 31 characters and a NUL
	for (unsigned i = 0; i < sizeof(id.rsvd) / sizeof(id.rsvd[0]); i++)
		LONGS_EQUAL(0, id.rsvd[i]);
	LONGS_EQUAL(CLIF_STATUS_READY, id.status);
}

TEST(Fw, InitEnablesThePuntRing)
{
	LONGS_EQUAL(CLIF_RING_CTRL_ENABLE, g_punt.ctrl);
}

TEST(Fw, InitLeavesABadPuntRingAlone)
{
	g_punt.ctrl = 0;
	g_punt.size = 3000;
	LONGS_EQUAL(CLIF_MBOX_OK, fw_init(&fw, &g_card.res));
	LONGS_EQUAL(0, g_punt.ctrl);
	LONGS_EQUAL(0, fw_poll(&fw));
}

TEST(Fw, InitWithASmallArenaTakesFewerRules)
{
	struct tm_geometry g;

	tm_read_geometry(&g_tw, &g);
	g_card.res.arena_size = 64 + learn_arena_size() + 64 + tm_arena_size(&g, 1000);
	LONGS_EQUAL(CLIF_MBOX_OK, fw_init(&fw, &g_card.res));
	CHECK(fw.tm.max_rules >= 1000);
	CHECK(fw.tm.max_rules < FW_MAX_RULES);
	CHECK(g_fake_console.find("arena-limited") != std::string::npos);
}

TEST(Fw, InitWithATooSmallArenaFails)
{
	g_card.res.arena_size = 4096;
	LONGS_EQUAL(CLIF_MBOX_EFULL, fw_init(&fw, &g_card.res));
	LONGS_EQUAL(CLIF_STATUS_BOOTING, id.status);
}

TEST(Fw, InitWithoutGeometryFails)
{
	g_fake_after_doorbell = [] { g_tw.exact_ways = 0; }; // a window that reports no exact table
	g_tw.exact_ways = 0;
	LONGS_EQUAL(CLIF_MBOX_ERANGE, fw_init(&fw, &g_card.res));
	LONGS_EQUAL(CLIF_STATUS_BOOTING, id.status);
}

// ---- heartbeat, uptime, idle ----

TEST(Fw, HeartbeatTicksEveryPeriod)
{
	uint64_t t0 = g_fake_now_ns;

	LONGS_EQUAL(0, id.heartbeat);
	g_fake_now_ns = t0 + FW_HEARTBEAT_NS - 1;
	fw_poll(&fw);
	LONGS_EQUAL(0, id.heartbeat);
	g_fake_now_ns = t0 + FW_HEARTBEAT_NS;
	fw_poll(&fw);
	LONGS_EQUAL(1, id.heartbeat);
	fw_poll(&fw);
	LONGS_EQUAL(1, id.heartbeat);
	g_fake_now_ns = t0 + 2 * FW_HEARTBEAT_NS;
	fw_poll(&fw);
	LONGS_EQUAL(2, id.heartbeat);
}

TEST(Fw, LateHeartbeatTicksOnceThenKeepsPeriod)
{
	uint64_t t0 = g_fake_now_ns;

	g_fake_now_ns = t0 + 50 * FW_HEARTBEAT_NS;
	fw_poll(&fw);
	LONGS_EQUAL(1, id.heartbeat);
	g_fake_now_ns += FW_HEARTBEAT_NS - 1;
	fw_poll(&fw);
	LONGS_EQUAL(1, id.heartbeat);
	g_fake_now_ns += 1;
	fw_poll(&fw);
	LONGS_EQUAL(2, id.heartbeat);
}

TEST(Fw, UptimeFollowsTheClock)
{
	g_fake_now_ns += 123456789;
	fw_poll(&fw);
	UNSIGNED_LONGLONGS_EQUAL(123456789, id.uptime_ns);
}

TEST(Fw, PollWithNothingToDoReturnsZero)
{
	LONGS_EQUAL(0, fw_poll(&fw));
	LONGS_EQUAL(0, g_card.mbox.done);
}

TEST(Fw, PollServingACommandReturnsOne)
{
	struct clif_mbox_cmd c = cmd_plain(CLIF_OP_NOP);

	c.hdr.seq = 1;
	memcpy((void *)&g_card.mbox.cmd, &c, sizeof(c));
	g_card.mbox.doorbell = 1;
	LONGS_EQUAL(1, fw_poll(&fw));
	LONGS_EQUAL(1, g_card.mbox.done);
	LONGS_EQUAL(0, fw_poll(&fw)); // answered once
	UNSIGNED_LONGLONGS_EQUAL(1, fw.ctr.commands);
}

TEST(Fw, CommandPostedBeforeBootIsServed)
{
	struct clif_mbox_cmd c = cmd_plain(CLIF_OP_NOP);

	c.hdr.seq = 5;
	memcpy((void *)&g_card.mbox.cmd, &c, sizeof(c));
	g_card.mbox.doorbell = 5;
	g_card.mbox.done = 4;
	LONGS_EQUAL(CLIF_MBOX_OK, fw_init(&fw, &g_card.res));
	LONGS_EQUAL(1, fw_poll(&fw));
	LONGS_EQUAL(5, g_card.mbox.done);
	LONGS_EQUAL(CLIF_MBOX_OK, g_card.mbox.cpl.status);
}

// ---- reset ----

TEST(Fw, ResetBumpsResetGenAndEmptiesTables)
{
	add_rule(cmd_rule(1, CLIF_RULE_EXACT, CLIF_ADDR_IPV4, V4_S));
	struct clif_cmd_rule p = cmd_rule(2, CLIF_RULE_PREFIX, CLIF_ADDR_IPV4, V4_FAR);
	p.prefix_len = 32;
	add_rule(p);
	LONGS_EQUAL(2, stat_rule_used());
	fw_reset(&fw);
	LONGS_EQUAL(1, id.reset_gen);
	LONGS_EQUAL(CLIF_STATUS_READY, id.status);
	UNSIGNED_LONGLONGS_EQUAL(1, fw.ctr.resets);
	LONGS_EQUAL(0, stat_rule_used());
	struct clif_cmd_rule r;
	LONGS_EQUAL(CLIF_MBOX_ENOENT, tm_get(&fw.tm, 1, &r));
	// The data plane no longer captures what the rule matched.
	rings_init(RING_MEM_BYTES, PUNT_RING);
	start_tcp4(f, V4_S, V4_D, -1, 0);
	run_frame(f);
	LONGS_EQUAL(0, g_ctr.matched);
	LONGS_EQUAL(0, g_c2h.prod);
}

TEST(Fw, ResetForgetsBindingsAndEvents)
{
	add_rule(mac_rule(OWNER, TGT_MAC));
	dhcp_ack(f);
	punt_frame(f);
	UNSIGNED_LONGLONGS_EQUAL(1, fw.learn.ctr.binds);
	fw_reset(&fw);
	struct clif_learn_event ev[4];
	LONGS_EQUAL(0, drain(ev, 4));
	g_fake_now_ns += 10 * 3600 * 1000000000ull; // nothing left to age out
	fw_poll(&fw);
	UNSIGNED_LONGLONGS_EQUAL(0, fw.learn.ctr.unbinds);
}

TEST(Fw, ResetDropsWhatThePuntRingHolds)
{
	add_rule(mac_rule(OWNER, TGT_MAC));
	dhcp_ack(f);
	run_frame(f); // punted, not consumed yet
	CHECK(g_punt.prod != g_punt.cons);
	fw_reset(&fw);
	check_ring_drained();
	fw_poll(&fw);
	UNSIGNED_LONGLONGS_EQUAL(0, fw.ctr.punt_records);
}

// ---- the punt ring ----

TEST(Fw, PuntedDhcpAckComesOutAsABindEventThroughTheMailbox)
{
	add_rule(mac_rule(OWNER, TGT_MAC, 0, CLIF_SCOPE_VPORT, 3));
	dhcp_ack(f);
	run_frame(f, 3, 7);
	LONGS_EQUAL(1, g_ctr.punted);
	CHECK(g_punt.prod > 0);
	g_fake_now_ns = 5000000000ull;
	LONGS_EQUAL(1, fw_poll(&fw));
	check_ring_drained();
	UNSIGNED_LONGLONGS_EQUAL(1, fw.ctr.punt_records);

	struct clif_learn_event ev[4];
	LONGS_EQUAL(1, drain(ev, 4));
	check_event(ev[0], CLIF_LEARN_BIND, CLIF_LEARN_SRC_DHCPV4, CLIF_ADDR_IPV4, OWNER, TGT_MAC, TGT_IP, 3, 3);
	UNSIGNED_LONGLONGS_EQUAL(5000000000ull, ev[0].ts_ns);
	LONGS_EQUAL(0, drain(ev, 4));
}

TEST(Fw, PadRecordsAreSkipped)
{
	add_rule(mac_rule(OWNER, TGT_MAC));
	dhcp_ack(f);
	uint32_t n = 0;
	// 384-byte records: the eleventh needs a pad at the end of the 4 KiB ring.
	while (n < 11) {
		punt_frame(f);
		n++;
	}
	CHECK(g_punt.prod > PUNT_RING);
	UNSIGNED_LONGLONGS_EQUAL(11, fw.ctr.punt_records);
	UNSIGNED_LONGLONGS_EQUAL(0, fw.ctr.punt_bad);
	UNSIGNED_LONGLONGS_EQUAL(1, fw.learn.ctr.binds);
	UNSIGNED_LONGLONGS_EQUAL(10, fw.learn.ctr.refreshes);
	check_ring_drained();
}

TEST(Fw, OneRoundConsumesAtMostTheBudget)
{
	card_start(RING_MEM_BYTES);
	add_rule(mac_rule(OWNER, TGT_MAC));
	arp_frame(f, SRV_MAC, TGT_MAC, 1, TGT_MAC, TGT_IP, SRV_IP);
	for (unsigned i = 0; i < FW_PUNT_BUDGET + 6; i++)
		run_frame(f);
	LONGS_EQUAL(FW_PUNT_BUDGET + 6, g_ctr.punted);
	fw_poll(&fw);
	UNSIGNED_LONGLONGS_EQUAL(FW_PUNT_BUDGET, fw.ctr.punt_records);
	fw_poll(&fw);
	UNSIGNED_LONGLONGS_EQUAL(FW_PUNT_BUDGET + 6, fw.ctr.punt_records);
	check_ring_drained();
}

TEST(Fw, LearningDisabledStillDrainsTheRing)
{
	struct clif_cmd_config c = cmd_config(CLIF_CFG_LEARN_ENABLE, 0);
	LONGS_EQUAL(CLIF_MBOX_OK, post_status(&c));
	add_rule(mac_rule(OWNER, TGT_MAC));
	dhcp_ack(f);
	punt_frame(f);
	UNSIGNED_LONGLONGS_EQUAL(1, fw.ctr.punt_records);
	UNSIGNED_LONGLONGS_EQUAL(0, fw.learn.ctr.frames);
	UNSIGNED_LONGLONGS_EQUAL(0, fw.learn.ctr.binds);
	check_ring_drained();
}

TEST(Fw, CorruptRecordLengthNotAMultipleOf64)
{
	put_rec(0, 100, 30);
	corrupt_then_recover(128);
}

TEST(Fw, CorruptRecordLengthZero)
{
	put_rec(0, 0, 0);
	corrupt_then_recover(128);
}

TEST(Fw, CorruptRecordLengthBelowTheHeader)
{
	put_rec(0, 0x20, 0);
	corrupt_then_recover(128);
}

TEST(Fw, CorruptRecordPastProd)
{
	put_rec(0, 256, 100);
	corrupt_then_recover(128);
}

TEST(Fw, CorruptRecordPastTheRingEnd)
{
	g_punt.prod = g_punt.cons = PUNT_RING - 128;
	put_rec(PUNT_RING - 128, 256, 100);
	corrupt_then_recover(PUNT_RING + 128);
}

TEST(Fw, CorruptCapLenPastTheRecord)
{
	put_rec(0, 128, 65);
	corrupt_then_recover(128);
}

TEST(Fw, CorruptMatchCount)
{
	put_rec(0, 128, 60, 0, CLIF_REC_MAX_MATCH + 1);
	corrupt_then_recover(128);
}

TEST(Fw, CorruptPadShortOfTheRingEnd)
{
	put_rec(0, 128, 0, CLIF_REC_F_PAD, 0);
	corrupt_then_recover(128);
}

TEST(Fw, CorruptProdNotAligned)
{
	put_rec(0, 128, 60);
	corrupt_then_recover(100, false); // the data plane drops on a misaligned prod itself
}

TEST(Fw, CorruptProdTooFarAhead)
{
	put_rec(0, 128, 60);
	corrupt_then_recover(PUNT_RING + 64);
}

TEST(Fw, GoodRecordsBeforeACorruptOneAreConsumed)
{
	add_rule(mac_rule(OWNER, TGT_MAC));
	dhcp_ack(f);
	run_frame(f);
	uint32_t off = g_punt.prod;
	put_rec(off, 64 + 64, 100); // cap_len past its record
	g_punt.prod = off + 128;
	fw_poll(&fw);
	UNSIGNED_LONGLONGS_EQUAL(1, fw.ctr.punt_records);
	UNSIGNED_LONGLONGS_EQUAL(1, fw.learn.ctr.binds);
	UNSIGNED_LONGLONGS_EQUAL(1, fw.ctr.punt_bad);
	check_ring_drained();
}

// ---- self-test ----

TEST(Fw, SelftestPassesOnTheDefaultGeometry)
{
	LONGS_EQUAL(0, fw_selftest(&fw, 1));
	CHECK(g_fake_console.find("selftest: exact ") != std::string::npos);
	CHECK(g_fake_console.find("selftest: table manager: 0 failures") != std::string::npos);
	LONGS_EQUAL(0, stat_rule_used()); // leaves the tables empty
	UNSIGNED_LONGS_EQUAL(0, tm_check(&fw.tm));
}
