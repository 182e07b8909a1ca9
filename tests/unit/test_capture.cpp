// SPDX-License-Identifier: BSD-3-Clause
// Capture: clif_dp_frame() with real rings. Records, copy lengths, drops, pads and sequence
// numbers as hls/SEMANTICS.md sections 4-5 and include/clif/c2h.h say.
#include <string.h>

#include "dp_fixture.h"

#include <CppUTest/TestHarness.h>

namespace {

const uint32_t RING = 4096;

// Ethernet [+ 802.1Q vid] + IPv4 10.0.0.1 -> 10.0.0.2 TCP 1234 -> 80 with a counting payload up
// to len bytes (if larger than the headers).
void tcp4(struct pkt_buf &f, uint16_t len, int vid = -1, uint16_t frag = 0)
{
	uint16_t ip = start_tcp4(f, V4_S, V4_D, vid, frag);

	while (f.len < len)
		pkt_u8(&f, (uint8_t)(f.len * 7u + 3u));
	fix_ipv4_len(f, ip);
}

bool untouched(const uint8_t *mem, uint32_t off, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (mem[off + i] != RING_SENTINEL)
			return false;
	return true;
}

uint32_t rec_len_for(uint32_t cap_len)
{
	return CLIF_REC_HDR_BYTES + (cap_len + CLIF_REC_ALIGN - 1) / CLIF_REC_ALIGN * CLIF_REC_ALIGN;
}

} // namespace

TEST_GROUP(Capture)
{
	struct placer pl;
	struct pkt_buf f;

	void setup() override
	{
		start_placer(pl);
		rings_init(RING, RING);
		pkt_reset(&f);
	}
	void teardown() override
	{
		placer_fini(&pl);
	}

	// A rule in slot with handle 0x100 + slot, keyed on 10.0.0.1 (source) by a /32 prefix entry
	// (several rules can key the same address this way).
	void rule_on_src(uint32_t slot, uint16_t actions, uint16_t snap = 0)
	{
		struct clif_rule_entry r = rule(0x100 + slot, actions, snap);
		struct clif_prefix_entry e = prefix4(V4_S, 32, slot);

		LONGS_EQUAL(0, placer_rule(&pl, slot, &r));
		LONGS_EQUAL(0, placer_prefix(&pl, &e));
	}
	void exact_rule(uint32_t slot, uint32_t handle, uint16_t actions, const uint8_t *addr, uint8_t addr_type)
	{
		struct clif_rule_entry r = rule(handle, actions);
		struct clif_exact_entry e = exact(addr_type, addr, CLIF_SCOPE_ANY, 0, slot);

		LONGS_EQUAL(0, placer_rule(&pl, slot, &r));
		LONGS_EQUAL(0, placer_exact(&pl, &e));
	}
	void process(uint16_t vport = 0, uint64_t ts = 0)
	{
		memset(g_fwd, 0x5a, sizeof(g_fwd));
		run_frame(f, vport, ts);
	}
	void check_forwarded()
	{
		MEMCMP_EQUAL(f.b, g_fwd, f.len);
	}
	// The c2h ring refused the frame: one drop, counted there and in the counters, and nothing
	// written to the first n bytes of its memory.
	void check_dropped(uint32_t n)
	{
		LONGS_EQUAL(1, g_c2h.drops);
		LONGS_EQUAL(1, g_ctr.capture_drops);
		LONGS_EQUAL(0, g_c2h.prod);
		CHECK(untouched(g_c2h_mem, 0, n));
	}
};

TEST(Capture, RecordLayoutAndFrameBytes)
{
	exact_rule(5, 0xc0ffee01, CLIF_ACT_CAPTURE, V4_D, CLIF_ADDR_IPV4);
	tcp4(f, 100, 100);
	process(3, 0x1122334455667788ull);
	check_forwarded();

	struct clif_c2h_rec r = rec_at(g_c2h_mem, 0);
	LONGS_EQUAL(64 + 128, r.rec_len);
	LONGS_EQUAL(CLIF_REC_F_VLAN, r.flags);
	LONGS_EQUAL(1, r.n_match);
	LONGS_EQUAL(CLIF_OVERLAY_NONE, r.overlay);
	UNSIGNED_LONGLONGS_EQUAL(0x1122334455667788ull, r.ts_ns);
	UNSIGNED_LONGS_EQUAL(0xc0ffee01, r.handle[0]);
	LONGS_EQUAL(0, r.handle[1]);
	LONGS_EQUAL(0, r.handle[2]);
	LONGS_EQUAL(0, r.handle[3]);
	LONGS_EQUAL(CLIF_SIDE_OUTER_DST, r.side[0]);
	LONGS_EQUAL(0, r.side[1]);
	LONGS_EQUAL(0, r.side[2]);
	LONGS_EQUAL(0, r.side[3]);
	LONGS_EQUAL(100, r.orig_len);
	LONGS_EQUAL(100, r.cap_len);
	LONGS_EQUAL(3, r.vport);
	LONGS_EQUAL(100, r.vlan);
	LONGS_EQUAL(0, r.vni);
	LONGS_EQUAL(18, r.outer_l3_off);
	LONGS_EQUAL(0, r.inner_l3_off);
	LONGS_EQUAL(CLIF_L3_IPV4, r.outer_l3);
	LONGS_EQUAL(CLIF_L3_NONE, r.inner_l3);
	LONGS_EQUAL(0, r.parse_err);
	LONGS_EQUAL(0, r.seq);
	LONGS_EQUAL(0, r.rsvd);
	MEMCMP_EQUAL(f.b, g_c2h_mem + 64, 100);
	CHECK(untouched(g_c2h_mem, 192, RING - 192));

	LONGS_EQUAL(192, g_c2h.prod);
	LONGS_EQUAL(1, g_c2h.seq);
	LONGS_EQUAL(1, g_c2h.records);
	LONGS_EQUAL(100, g_c2h.bytes);
	LONGS_EQUAL(0, g_c2h.drops);
	LONGS_EQUAL(1, g_ctr.frames);
	LONGS_EQUAL(100, g_ctr.bytes);
	LONGS_EQUAL(0, g_ctr.parse_errors);
	LONGS_EQUAL(1, g_ctr.matched);
	LONGS_EQUAL(1, g_ctr.captured);
	LONGS_EQUAL(0, g_ctr.capture_drops);
	LONGS_EQUAL(0, g_ctr.punted);
	LONGS_EQUAL(0, g_ctr.punt_drops);
	LONGS_EQUAL(0, g_ctr.match_overflow);
	LONGS_EQUAL(0, g_punt.prod);
	LONGS_EQUAL(0, g_punt.seq);
}

TEST(Capture, SecondRecordFollowsTheFirst)
{
	rule_on_src(1, CLIF_ACT_CAPTURE);
	tcp4(f, 70);
	process();
	tcp4(f, 64);
	process();
	struct clif_c2h_rec r = rec_at(g_c2h_mem, rec_len_for(70));
	LONGS_EQUAL(rec_len_for(64), r.rec_len);
	LONGS_EQUAL(1, r.seq);
	LONGS_EQUAL(64, r.orig_len);
	LONGS_EQUAL(rec_len_for(70) + rec_len_for(64), g_c2h.prod);
	LONGS_EQUAL(2, g_c2h.records);
	LONGS_EQUAL(70 + 64, g_c2h.bytes);
}

TEST(Capture, FrameWithoutHitIsForwardedAndCounted)
{
	rule_on_src(1, CLIF_ACT_CAPTURE);
	pkt_eth(&f, MAC_D, MAC_S, 0x0800);
	pkt_ipv4(&f, V4_FAR, V4_D, 6, 20, 0, 0);
	pkt_tcp(&f, 1, 2, 5);
	process();
	check_forwarded();
	LONGS_EQUAL(1, g_ctr.frames);
	LONGS_EQUAL(f.len, g_ctr.bytes);
	LONGS_EQUAL(0, g_ctr.matched);
	LONGS_EQUAL(0, g_ctr.captured);
	LONGS_EQUAL(0, g_c2h.prod);
	LONGS_EQUAL(0, g_c2h.seq);
	CHECK(untouched(g_c2h_mem, 0, RING));
}

TEST(Capture, SnapLenTruncates)
{
	rule_on_src(1, CLIF_ACT_CAPTURE, 64);
	tcp4(f, 200);
	process();
	struct clif_c2h_rec r = rec_at(g_c2h_mem, 0);
	LONGS_EQUAL(128, r.rec_len);
	LONGS_EQUAL(CLIF_REC_F_TRUNCATED, r.flags);
	LONGS_EQUAL(200, r.orig_len);
	LONGS_EQUAL(64, r.cap_len);
	MEMCMP_EQUAL(f.b, g_c2h_mem + 64, 64);
	LONGS_EQUAL(128, g_c2h.prod);
	LONGS_EQUAL(64, g_c2h.bytes);
}

TEST(Capture, SnapLenAboveFrameLengthCapturesWholeFrame)
{
	rule_on_src(1, CLIF_ACT_CAPTURE, 1000);
	tcp4(f, 200);
	process();
	struct clif_c2h_rec r = rec_at(g_c2h_mem, 0);
	LONGS_EQUAL(200, r.cap_len);
	LONGS_EQUAL(0, r.flags & CLIF_REC_F_TRUNCATED);
	LONGS_EQUAL(rec_len_for(200), r.rec_len);
}

// A 9600-byte jumbo frame is forwarded whole and captured whole into a ring large enough.
TEST(Capture, JumboFrameIsForwardedAndCapturedWhole)
{
	rings_init(RING_MEM_BYTES, RING);
	rule_on_src(1, CLIF_ACT_CAPTURE, 0);
	tcp4(f, 9600);
	LONGS_EQUAL(9600, f.len);
	process();
	check_forwarded();
	struct clif_c2h_rec r = rec_at(g_c2h_mem, 0);
	LONGS_EQUAL(9600, r.orig_len);
	LONGS_EQUAL(9600, r.cap_len);
	LONGS_EQUAL(0, r.flags & CLIF_REC_F_TRUNCATED);
	LONGS_EQUAL(rec_len_for(9600), r.rec_len);
	MEMCMP_EQUAL(f.b, g_c2h_mem + CLIF_REC_HDR_BYTES, 9600);
	LONGS_EQUAL(rec_len_for(9600), g_c2h.prod);
	LONGS_EQUAL(1, g_ctr.captured);
}

TEST(Capture, LargestSnapLenOfTheListWins)
{
	rule_on_src(1, CLIF_ACT_CAPTURE, 64);
	rule_on_src(2, CLIF_ACT_CAPTURE, 96);
	tcp4(f, 200);
	process();
	struct clif_c2h_rec r = rec_at(g_c2h_mem, 0);
	LONGS_EQUAL(2, r.n_match);
	LONGS_EQUAL(96, r.cap_len);
	LONGS_EQUAL(CLIF_REC_F_TRUNCATED, r.flags & CLIF_REC_F_TRUNCATED);
	LONGS_EQUAL(64 + 128, r.rec_len);
}

TEST(Capture, ZeroSnapLenInTheListMeansWholeFrame)
{
	rule_on_src(1, CLIF_ACT_CAPTURE, 64);
	rule_on_src(2, CLIF_ACT_CAPTURE, 0);
	tcp4(f, 200);
	process();
	struct clif_c2h_rec r = rec_at(g_c2h_mem, 0);
	LONGS_EQUAL(200, r.cap_len);
	LONGS_EQUAL(0, r.flags & CLIF_REC_F_TRUNCATED);
}

TEST(Capture, DisabledRingDropsAndSeqAdvances)
{
	rule_on_src(1, CLIF_ACT_CAPTURE);
	g_c2h.ctrl = 0;
	tcp4(f, 100);
	process();
	check_forwarded();
	LONGS_EQUAL(1, g_c2h.drops);
	LONGS_EQUAL(1, g_ctr.capture_drops);
	LONGS_EQUAL(0, g_ctr.captured);
	LONGS_EQUAL(1, g_ctr.matched);
	LONGS_EQUAL(1, g_c2h.seq);
	LONGS_EQUAL(0, g_c2h.prod);
	LONGS_EQUAL(0, g_c2h.records);
	CHECK(untouched(g_c2h_mem, 0, RING));

	g_c2h.ctrl = CLIF_RING_CTRL_ENABLE;
	process();
	LONGS_EQUAL(1, rec_at(g_c2h_mem, 0).seq);
	LONGS_EQUAL(1, g_ctr.captured);
}

TEST(Capture, SizeNotPowerOfTwoDrops)
{
	rule_on_src(1, CLIF_ACT_CAPTURE);
	g_c2h.size = 6144;
	tcp4(f, 100);
	process();
	check_dropped(6144);
	LONGS_EQUAL(1, g_c2h.seq);
}

TEST(Capture, SizeBelowMinimumDrops)
{
	rule_on_src(1, CLIF_ACT_CAPTURE);
	g_c2h.size = 2048;
	tcp4(f, 100);
	process();
	check_dropped(2048);
}

TEST(Capture, FullRingDropsAndSeqGapShows)
{
	rule_on_src(1, CLIF_ACT_CAPTURE);
	tcp4(f, 960); // records of 1024 bytes: four fill the ring
	for (int i = 0; i < 4; i++)
		process();
	LONGS_EQUAL(4096, g_c2h.prod);

	process(); // no room
	check_forwarded();
	LONGS_EQUAL(1, g_c2h.drops);
	LONGS_EQUAL(1, g_ctr.capture_drops);
	LONGS_EQUAL(4, g_ctr.captured);
	LONGS_EQUAL(4096, g_c2h.prod);
	LONGS_EQUAL(5, g_c2h.seq);
	LONGS_EQUAL(0, rec_at(g_c2h_mem, 0).seq); // the oldest record is not overwritten

	g_c2h.cons = 1024; // the consumer frees the oldest record
	process();
	LONGS_EQUAL(5120, g_c2h.prod);
	LONGS_EQUAL(3, rec_at(g_c2h_mem, 3072).seq);
	LONGS_EQUAL(5, rec_at(g_c2h_mem, 0).seq); // 4 is missing: a visible gap
	LONGS_EQUAL(5, g_ctr.captured);
}

TEST(Capture, RecordCrossingTheEndIsPrecededByAPad)
{
	rule_on_src(1, CLIF_ACT_CAPTURE);
	tcp4(f, 960);
	for (int i = 0; i < 3; i++)
		process();
	g_c2h.cons = 3072;
	tcp4(f, 1000); // 1088-byte record, 1024 bytes left to the end
	process();

	const uint8_t *pad = g_c2h_mem + 3072;
	struct clif_c2h_rec pr = rec_at(g_c2h_mem, 3072);
	LONGS_EQUAL(1024, pr.rec_len);
	LONGS_EQUAL(CLIF_REC_F_PAD, pr.flags);
	for (uint32_t i = 6; i < CLIF_REC_HDR_BYTES; i++)
		LONGS_EQUAL(0, pad[i]);

	struct clif_c2h_rec r = rec_at(g_c2h_mem, 0);
	LONGS_EQUAL(1088, r.rec_len);
	LONGS_EQUAL(0, r.flags & CLIF_REC_F_PAD);
	LONGS_EQUAL(1000, r.orig_len);
	LONGS_EQUAL(3, r.seq);
	MEMCMP_EQUAL(f.b, g_c2h_mem + 64, 1000);
	LONGS_EQUAL(3072 + 1024 + 1088, g_c2h.prod);
	LONGS_EQUAL(4, g_c2h.seq);     // the pad takes no sequence number
	LONGS_EQUAL(4, g_c2h.records); // nor counts as a record
	LONGS_EQUAL(4, g_ctr.captured);
}

TEST(Capture, PadIsNotWrittenWhenTheRecordWouldNotFit)
{
	rule_on_src(1, CLIF_ACT_CAPTURE);
	tcp4(f, 960);
	for (int i = 0; i < 3; i++)
		process();
	g_c2h.cons = 1024; // 2048 free: the pad (1024) would fit, pad + record (2112) not
	tcp4(f, 1000);
	process();
	LONGS_EQUAL(1, g_c2h.drops);
	LONGS_EQUAL(1, g_ctr.capture_drops);
	LONGS_EQUAL(3072, g_c2h.prod);
	LONGS_EQUAL(4, g_c2h.seq);
	CHECK(untouched(g_c2h_mem, 3072, 1024));
	LONGS_EQUAL(0, rec_at(g_c2h_mem, 0).seq);
}

TEST(Capture, ConsumerIndexAheadOfProducerDrops)
{
	rule_on_src(1, CLIF_ACT_CAPTURE);
	g_c2h.cons = 0x10000; // prod - cons > size
	tcp4(f, 100);
	process();
	check_dropped(RING);
	LONGS_EQUAL(1, g_c2h.seq);
}

TEST(Capture, PuntRuleWritesToThePuntRingOnly)
{
	rule_on_src(1, CLIF_ACT_PUNT);
	tcp4(f, 100);
	process();
	struct clif_c2h_rec r = rec_at(g_punt_mem, 0);
	LONGS_EQUAL(CLIF_REC_F_LEARN_PUNT, r.flags);
	LONGS_EQUAL(1, r.n_match);
	LONGS_EQUAL(0x101, r.handle[0]);
	LONGS_EQUAL(CLIF_SIDE_OUTER_SRC, r.side[0]);
	LONGS_EQUAL(100, r.cap_len);
	LONGS_EQUAL(0, r.seq);
	MEMCMP_EQUAL(f.b, g_punt_mem + 64, 100);
	LONGS_EQUAL(rec_len_for(100), g_punt.prod);
	LONGS_EQUAL(1, g_ctr.punted);
	LONGS_EQUAL(0, g_ctr.captured);
	LONGS_EQUAL(0, g_c2h.prod);
	LONGS_EQUAL(0, g_c2h.seq);
	CHECK(untouched(g_c2h_mem, 0, RING));
}

TEST(Capture, CaptureRecordCarriesLearnPuntWhenAlsoPunted)
{
	rule_on_src(1, CLIF_ACT_CAPTURE);
	rule_on_src(2, CLIF_ACT_PUNT, 64);
	tcp4(f, 200);
	process();
	struct clif_c2h_rec c = rec_at(g_c2h_mem, 0);
	LONGS_EQUAL(CLIF_REC_F_LEARN_PUNT, c.flags);
	LONGS_EQUAL(1, c.n_match);
	LONGS_EQUAL(0x101, c.handle[0]);
	LONGS_EQUAL(200, c.cap_len);
	// the punt copy is whole although the punting rule's snap length is 64
	struct clif_c2h_rec p = rec_at(g_punt_mem, 0);
	LONGS_EQUAL(CLIF_REC_F_LEARN_PUNT, p.flags);
	LONGS_EQUAL(1, p.n_match);
	LONGS_EQUAL(0x102, p.handle[0]);
	LONGS_EQUAL(200, p.cap_len);
	LONGS_EQUAL(1, g_ctr.captured);
	LONGS_EQUAL(1, g_ctr.punted);
}

TEST(Capture, CaptureAndPuntInOneRuleWritesBothRings)
{
	rule_on_src(1, CLIF_ACT_ALL);
	tcp4(f, 100);
	process();
	struct clif_c2h_rec c = rec_at(g_c2h_mem, 0);
	struct clif_c2h_rec p = rec_at(g_punt_mem, 0);
	LONGS_EQUAL(CLIF_REC_F_LEARN_PUNT, c.flags);
	LONGS_EQUAL(CLIF_REC_F_LEARN_PUNT, p.flags);
	LONGS_EQUAL(0x101, c.handle[0]);
	LONGS_EQUAL(0x101, p.handle[0]);
	LONGS_EQUAL(1, g_ctr.captured);
	LONGS_EQUAL(1, g_ctr.punted);
}

TEST(Capture, PuntRingDropCountedSeparately)
{
	rule_on_src(1, CLIF_ACT_ALL);
	g_punt.ctrl = 0;
	tcp4(f, 100);
	process();
	LONGS_EQUAL(1, g_ctr.punt_drops);
	LONGS_EQUAL(0, g_ctr.punted);
	LONGS_EQUAL(1, g_punt.drops);
	LONGS_EQUAL(1, g_punt.seq);
	LONGS_EQUAL(1, g_ctr.captured);
	LONGS_EQUAL(0, g_ctr.capture_drops);
	// The punt list was not empty, so the capture record still says so.
	LONGS_EQUAL(CLIF_REC_F_LEARN_PUNT, rec_at(g_c2h_mem, 0).flags);
}

TEST(Capture, PuntListOverflowFlagsOnlyThePuntRecord)
{
	rule_on_src(1, CLIF_ACT_CAPTURE);
	for (uint32_t s = 2; s <= 6; s++)
		rule_on_src(s, CLIF_ACT_PUNT);
	tcp4(f, 100);
	process();
	struct clif_c2h_rec c = rec_at(g_c2h_mem, 0);
	struct clif_c2h_rec p = rec_at(g_punt_mem, 0);
	LONGS_EQUAL(0, c.flags & CLIF_REC_F_MATCH_OVF);
	LONGS_EQUAL(1, c.n_match);
	LONGS_EQUAL(CLIF_REC_F_MATCH_OVF, p.flags & CLIF_REC_F_MATCH_OVF);
	LONGS_EQUAL(4, p.n_match);
	LONGS_EQUAL(0x102, p.handle[0]);
	LONGS_EQUAL(0x105, p.handle[3]);
	LONGS_EQUAL(1, g_ctr.match_overflow);
}

TEST(Capture, CountOnlyRuleWritesNoRecord)
{
	rule_on_src(1, 0);
	tcp4(f, 100);
	process();
	check_forwarded();
	LONGS_EQUAL(1, g_ctr.matched);
	LONGS_EQUAL(0, g_ctr.captured);
	LONGS_EQUAL(0, g_ctr.punted);
	LONGS_EQUAL(0, g_c2h.seq);
	LONGS_EQUAL(0, g_punt.seq);
	CHECK(untouched(g_c2h_mem, 0, RING));
	CHECK(untouched(g_punt_mem, 0, RING));
	struct clif_hit_counter h = placer_hits(&pl, 1);
	LONGS_EQUAL(1, h.packets);
	LONGS_EQUAL(100, h.bytes);
}

TEST(Capture, ParseErrorFrameIsForwardedCountedAndCaptured)
{
	rule_on_src(1, CLIF_ACT_CAPTURE);
	tcp4(f, 100);
	pkt_put_be16(&f, 16, 1000); // IPv4 total length beyond the frame
	process();
	check_forwarded();
	LONGS_EQUAL(1, g_ctr.parse_errors);
	LONGS_EQUAL(1, g_ctr.captured);
	struct clif_c2h_rec r = rec_at(g_c2h_mem, 0);
	LONGS_EQUAL(CLIF_REC_F_PARSE_ERR, r.flags);
	LONGS_EQUAL(CLIF_PERR_L3_LEN, r.parse_err);
	LONGS_EQUAL(CLIF_L3_IPV4, r.outer_l3);
	LONGS_EQUAL(14, r.outer_l3_off);
}

TEST(Capture, ParseErrorFrameWithoutHitIsCountedOnly)
{
	rule_on_src(1, CLIF_ACT_CAPTURE);
	tcp4(f, 100);
	f.b[14] = 0x55; // IPv4 version 5: no L3
	process();
	check_forwarded();
	LONGS_EQUAL(1, g_ctr.frames);
	LONGS_EQUAL(1, g_ctr.parse_errors);
	LONGS_EQUAL(0, g_ctr.matched);
	LONGS_EQUAL(0, g_c2h.seq);
}

TEST(Capture, OverlayFieldsInTheRecord)
{
	exact_rule(3, 0xabc, CLIF_ACT_CAPTURE, IV4_S, CLIF_ADDR_IPV4);
	vxlan_tcp4(f, 0x00abcdef);
	process();
	struct clif_c2h_rec r = rec_at(g_c2h_mem, 0);
	LONGS_EQUAL(CLIF_REC_F_VNI, r.flags);
	LONGS_EQUAL(CLIF_OVERLAY_VXLAN, r.overlay);
	LONGS_EQUAL(0x00abcdef, r.vni);
	LONGS_EQUAL(0, r.vlan);
	LONGS_EQUAL(CLIF_L3_IPV4, r.outer_l3);
	LONGS_EQUAL(14, r.outer_l3_off);
	LONGS_EQUAL(CLIF_L3_IPV4, r.inner_l3);
	LONGS_EQUAL(64, r.inner_l3_off);
	LONGS_EQUAL(CLIF_SIDE_INNER_SRC, r.side[0]);
	LONGS_EQUAL(0xabc, r.handle[0]);
}

TEST(Capture, FragmentFlagInTheRecord)
{
	rule_on_src(1, CLIF_ACT_CAPTURE);
	tcp4(f, 100, -1, 0x0010); // non-first fragment
	process();
	struct clif_c2h_rec r = rec_at(g_c2h_mem, 0);
	LONGS_EQUAL(CLIF_REC_F_FRAGMENT, r.flags);
	LONGS_EQUAL(0, r.parse_err);
}

TEST(Capture, FragmentFlagFromTheInnerLayer)
{
	exact_rule(3, 0xabc, CLIF_ACT_CAPTURE, IV4_S, CLIF_ADDR_IPV4);
	vxlan_tcp4(f, 7, 0x2000); // inner first fragment
	process();
	struct clif_c2h_rec r = rec_at(g_c2h_mem, 0);
	LONGS_EQUAL(CLIF_REC_F_VNI | CLIF_REC_F_FRAGMENT, r.flags);
	LONGS_EQUAL(7, r.vni);
}

TEST(Capture, MacRuleOnFrameWithoutL3)
{
	exact_rule(2, 0x77, CLIF_ACT_CAPTURE, MAC_S, CLIF_ADDR_MAC);
	pkt_eth(&f, MAC_D, MAC_S, 0x0806);
	pkt_zeros(&f, 46);
	process();
	struct clif_c2h_rec r = rec_at(g_c2h_mem, 0);
	LONGS_EQUAL(0, r.flags);
	LONGS_EQUAL(CLIF_L3_NONE, r.outer_l3);
	LONGS_EQUAL(0, r.outer_l3_off);
	LONGS_EQUAL(60, r.cap_len);
	LONGS_EQUAL(CLIF_SIDE_OUTER_SRC, r.side[0]);
}
