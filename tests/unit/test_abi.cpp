// SPDX-License-Identifier: BSD-3-Clause
// ABI checks beyond the headers' _Static_asserts: byte order of what the card writes, distinct
// constants, and the mailbox's string helpers.
#include <string.h>

extern "C" {
#include "clif/abi.h"
#include "clif/c2h.h"
#include "clif/exact_hash.h"
#include "clif/mbox.h"
}

#include "dp_fixture.h"

#include <CppUTest/TestHarness.h>

namespace {

alignas(64) uint8_t g_mem[CLIF_RING_MIN_SIZE]; // a ring of the smallest size

uint64_t le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

bool single_bit(uint32_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

// Every value in vals is a single bit and no two are equal.
void check_distinct_bits(const uint32_t *vals, unsigned n)
{
	uint32_t seen = 0;

	for (unsigned i = 0; i < n; i++) {
		CHECK(single_bit(vals[i]));
		LONGS_EQUAL(0, seen & vals[i]);
		seen |= vals[i];
	}
}

} // namespace

TEST_GROUP(Abi)
{
	struct clif_ring_regs regs;
	struct clif_c2h_rec hdr;

	void setup() override
	{
		memset(&regs, 0, sizeof(regs));
		regs.size = sizeof(g_mem);
		regs.ctrl = CLIF_RING_CTRL_ENABLE;
		regs.seq = 0x0a0b0c0d;
		memset(g_mem, 0xee, sizeof(g_mem));
		for (unsigned i = 0; i < sizeof(g_in); i++)
			((uint8_t *)g_in)[i] = (uint8_t)(i * 13u + 1u);

		// Every field a distinct multi-byte pattern, so a swapped or shifted field shows.
		memset(&hdr, 0, sizeof(hdr));
		hdr.flags = 0x1234 & (CLIF_REC_F_TRUNCATED | CLIF_REC_F_PARSE_ERR | CLIF_REC_F_VLAN);
		hdr.n_match = 3;
		hdr.overlay = CLIF_OVERLAY_GENEVE;
		hdr.ts_ns = 0x0102030405060708ull;
		hdr.handle[0] = 0x11121314;
		hdr.handle[1] = 0x21222324;
		hdr.handle[2] = 0x31323334;
		hdr.handle[3] = 0;
		hdr.side[0] = 0x01;
		hdr.side[1] = 0x0a;
		hdr.side[2] = 0x0c;
		hdr.side[3] = 0;
		hdr.orig_len = 0x0456;
		hdr.cap_len = 100;
		hdr.vport = 0x7172;
		hdr.vlan = 0x0abc;
		hdr.vni = 0x00818283;
		hdr.outer_l3_off = 0x0122;
		hdr.inner_l3_off = 0x0133;
		hdr.outer_l3 = CLIF_L3_IPV6;
		hdr.inner_l3 = CLIF_L3_IPV4;
		hdr.parse_err = 0x0a5a & 0x0fff;
	}
	int put()
	{
		struct dp_ring ring = { &regs, g_mem };

		return dp_ring_put(ring, &hdr, g_in);
	}
};

TEST(Abi, RingRecordFieldsAreLittleEndianAtTheirOffsets)
{
	LONGS_EQUAL(1, put());
	const uint8_t *m = g_mem;
	UNSIGNED_LONGS_EQUAL(64 + 128, le(m + 0, 4));
	UNSIGNED_LONGS_EQUAL(hdr.flags, le(m + 4, 2));
	UNSIGNED_LONGS_EQUAL(3, m[6]);
	UNSIGNED_LONGS_EQUAL(CLIF_OVERLAY_GENEVE, m[7]);
	UNSIGNED_LONGLONGS_EQUAL(0x0102030405060708ull, le(m + 8, 8));
	UNSIGNED_LONGS_EQUAL(0x11121314, le(m + 16, 4));
	UNSIGNED_LONGS_EQUAL(0x21222324, le(m + 20, 4));
	UNSIGNED_LONGS_EQUAL(0x31323334, le(m + 24, 4));
	UNSIGNED_LONGS_EQUAL(0, le(m + 28, 4));
	UNSIGNED_LONGS_EQUAL(0x01, m[32]);
	UNSIGNED_LONGS_EQUAL(0x0a, m[33]);
	UNSIGNED_LONGS_EQUAL(0x0c, m[34]);
	UNSIGNED_LONGS_EQUAL(0, m[35]);
	UNSIGNED_LONGS_EQUAL(0x0456, le(m + 36, 2));
	UNSIGNED_LONGS_EQUAL(100, le(m + 38, 2));
	UNSIGNED_LONGS_EQUAL(0x7172, le(m + 40, 2));
	UNSIGNED_LONGS_EQUAL(0x0abc, le(m + 42, 2));
	UNSIGNED_LONGS_EQUAL(0x00818283, le(m + 44, 4));
	UNSIGNED_LONGS_EQUAL(0x0122, le(m + 48, 2));
	UNSIGNED_LONGS_EQUAL(0x0133, le(m + 50, 2));
	UNSIGNED_LONGS_EQUAL(CLIF_L3_IPV6, m[52]);
	UNSIGNED_LONGS_EQUAL(CLIF_L3_IPV4, m[53]);
	UNSIGNED_LONGS_EQUAL(hdr.parse_err, le(m + 54, 2));
	UNSIGNED_LONGS_EQUAL(0x0a0b0c0d, le(m + 56, 4));
	UNSIGNED_LONGS_EQUAL(0, le(m + 60, 4));
}

TEST(Abi, RingRecordDecodesThroughTheStruct)
{
	struct clif_c2h_rec got, want = hdr;

	LONGS_EQUAL(1, put());
	memcpy(&got, g_mem, sizeof(got));
	want.rec_len = 64 + 128;
	want.seq = 0x0a0b0c0d;
	want.rsvd = 0;
	MEMCMP_EQUAL(&want, &got, sizeof(got));
}

TEST(Abi, RingRecordFrameBytesFollowTheHeader)
{
	LONGS_EQUAL(1, put());
	MEMCMP_EQUAL(g_in, g_mem + CLIF_REC_HDR_BYTES, hdr.cap_len);
	LONGS_EQUAL(64 + 128, regs.prod);
	LONGS_EQUAL(0x0a0b0c0e, regs.seq);
	LONGS_EQUAL(1, regs.records);
	LONGS_EQUAL(100, regs.bytes);
	for (unsigned i = 64 + 128; i < sizeof(g_mem); i++)
		LONGS_EQUAL(0xee, g_mem[i]);
}

TEST(Abi, RingRecordOfEmptyCaptureIsHeaderOnly)
{
	hdr.cap_len = 0;
	LONGS_EQUAL(1, put());
	UNSIGNED_LONGS_EQUAL(CLIF_REC_HDR_BYTES, le(g_mem, 4));
	LONGS_EQUAL(CLIF_REC_HDR_BYTES, regs.prod);
}

TEST(Abi, BlockTypesAreDistinct)
{
	const uint32_t t[] = { CLIF_BLK_IDENT, CLIF_BLK_MBOX, CLIF_BLK_C2H, CLIF_BLK_DPCTR, CLIF_BLK_TBLWIN };
	const unsigned n = sizeof(t) / sizeof(t[0]);

	for (unsigned i = 0; i < n; i++) {
		CHECK(t[i] != 0);
		CHECK(t[i] <= 0xffff); // clif_blk_hdr.type is 16 bit
		for (unsigned j = i + 1; j < n; j++)
			CHECK(t[i] != t[j]);
	}
}

TEST(Abi, ParseErrorBitsAreDistinct)
{
	const uint32_t b[] = { CLIF_PERR_L2_TRUNC, CLIF_PERR_VLAN_DEPTH, CLIF_PERR_L3_TRUNC, CLIF_PERR_L3_HDR,
			       CLIF_PERR_L3_LEN, CLIF_PERR_EXT_DEPTH, CLIF_PERR_EXT_TRUNC, CLIF_PERR_L4_TRUNC,
			       CLIF_PERR_L4_HDR, CLIF_PERR_OVL_HDR, CLIF_PERR_OVL_NESTED, CLIF_PERR_WINDOW };

	check_distinct_bits(b, sizeof(b) / sizeof(b[0]));
}

TEST(Abi, RecordFlagsAreDistinct)
{
	const uint32_t b[] = { CLIF_REC_F_PAD, CLIF_REC_F_TRUNCATED, CLIF_REC_F_PARSE_ERR, CLIF_REC_F_LEARN_PUNT,
			       CLIF_REC_F_VLAN, CLIF_REC_F_VNI, CLIF_REC_F_FRAGMENT, CLIF_REC_F_MATCH_OVF };

	check_distinct_bits(b, sizeof(b) / sizeof(b[0]));
}

TEST(Abi, SideBitsAreOneBitPerLayerAndDirection)
{
	const uint32_t b[] = { CLIF_SIDE_OUTER_SRC, CLIF_SIDE_OUTER_DST, CLIF_SIDE_INNER_SRC, CLIF_SIDE_INNER_DST };

	check_distinct_bits(b, sizeof(b) / sizeof(b[0]));
}

TEST(Abi, ActionBitsAreDistinct)
{
	const uint32_t b[] = { CLIF_ACT_CAPTURE, CLIF_ACT_PUNT };

	check_distinct_bits(b, sizeof(b) / sizeof(b[0]));
	LONGS_EQUAL(CLIF_ACT_CAPTURE | CLIF_ACT_PUNT, CLIF_ACT_ALL);
}

TEST(Abi, TableWindowDataHoldsTheLargestEntry)
{
	CHECK(sizeof(struct clif_exact_entry) <= 4 * CLIF_TW_DATA_WORDS);
	CHECK(sizeof(struct clif_prefix_entry) <= 4 * CLIF_TW_DATA_WORDS);
	CHECK(sizeof(struct clif_ternary_entry) <= 4 * CLIF_TW_DATA_WORDS);
	CHECK(sizeof(struct clif_rule_entry) <= 4 * CLIF_TW_DATA_WORDS);
	CHECK(sizeof(struct clif_hit_counter) <= 4 * CLIF_TW_DATA_WORDS);
}

TEST(Abi, ExactBucketIsInsideTheWay)
{
	struct clif_exact_key k;

	memset(&k, 0, sizeof(k));
	k.addr_type = CLIF_ADDR_IPV4;
	for (uint32_t i = 0; i < 1000; i++) {
		k.addr[3] = (uint8_t)i;
		k.addr[2] = (uint8_t)(i >> 8);
		uint32_t h1 = clif_exact_hash(&k, CLIF_DP_HASH_SEED);
		uint32_t h2 = clif_exact_hash(&k, CLIF_DP_HASH_SEED ^ CLIF_EXACT_HASH_SEED2);
		for (uint32_t w = 0; w < CLIF_DP_EXACT_WAYS; w++)
			CHECK(clif_exact_bucket(h1, h2, w, CLIF_DP_EXACT_WAY_SIZE) < CLIF_DP_EXACT_WAY_SIZE);
	}
}

TEST(Abi, MboxStatusStrings)
{
	const char *unknown = clif_mbox_status_to_str(CLIF_MBOX_STATUS_COUNT);

	CHECK(unknown != nullptr);
	STRNCMP_EQUAL("unknown", unknown, 7);
	for (uint32_t a = 0; a < CLIF_MBOX_STATUS_COUNT; a++) {
		const char *s = clif_mbox_status_to_str(a);

		CHECK(s != nullptr);
		CHECK(s[0] != '\0');
		CHECK_TEXT(strcmp(s, unknown) != 0, "every status has its own string");
		for (uint32_t b = 0; b < a; b++)
			CHECK(strcmp(s, clif_mbox_status_to_str(b)) != 0);
	}
	STRNCMP_EQUAL("unknown", clif_mbox_status_to_str(CLIF_MBOX_STATUS_COUNT + 1), 7);
	STRNCMP_EQUAL("unknown", clif_mbox_status_to_str(0xffffffffu), 7);
}

TEST(Abi, MboxOpcodeStrings)
{
	const char *unknown = clif_mbox_opcode_to_str(CLIF_OP_COUNT);

	CHECK(unknown != nullptr);
	STRNCMP_EQUAL("unknown", unknown, 7);
	for (uint32_t a = 0; a < CLIF_OP_COUNT; a++) {
		const char *s = clif_mbox_opcode_to_str(a);

		CHECK(s != nullptr);
		CHECK(s[0] != '\0');
		CHECK_TEXT(strncmp(s, "unknown", 7) != 0, "every opcode has its own string");
		for (uint32_t b = 0; b < a; b++)
			CHECK(strcmp(s, clif_mbox_opcode_to_str(b)) != 0);
	}
	STRNCMP_EQUAL("unknown", clif_mbox_opcode_to_str(CLIF_OP_COUNT + 1), 7);
	STRNCMP_EQUAL("unknown", clif_mbox_opcode_to_str(0xffffffffu), 7);
}
