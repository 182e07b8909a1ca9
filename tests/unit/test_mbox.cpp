// SPDX-License-Identifier: BSD-3-Clause
// Mailbox server (fw_mbox_serve): every malformed command is refused with its status, counted,
// and changes nothing; every opcode's good path; the completion and the done ordering.
#include <string.h>

#include "fw_fixture.h"

#include <CppUTest/TestHarness.h>

namespace {

uint32_t rules_in_tables()
{
	struct clif_table_stats s;

	memset(&s, 0, sizeof(s));
	LONGS_EQUAL(CLIF_MBOX_OK, tm_stats(&g_card.fw.tm, &s));
	return s.rule_used;
}

struct clif_cmd_rule good_rule()
{
	return cmd_rule(7, CLIF_RULE_EXACT, CLIF_ADDR_IPV4, V4_S);
}

struct clif_cmd_rule ternary_rule()
{
	struct clif_cmd_rule r = cmd_rule(8, CLIF_RULE_TERNARY, CLIF_ADDR_IPV4, V4_S);

	r.prefix_len = 32;
	r.qual = CLIF_QUAL_PROTO | CLIF_QUAL_PORT_THIS | CLIF_QUAL_PORT_PEER;
	r.ip_proto = 6;
	r.port_this_lo = 80;
	r.port_this_hi = 80;
	r.port_peer_lo = 1024;
	r.port_peer_hi = 2047;
	r.priority = 5;
	return r;
}

struct clif_cmd_rule prefix_rule()
{
	const uint8_t net[4] = { 10, 0, 0, 0 };
	struct clif_cmd_rule r = cmd_rule(9, CLIF_RULE_PREFIX, CLIF_ADDR_IPV4, net);

	r.prefix_len = 8;
	return r;
}

} // namespace

TEST_GROUP(Mbox)
{
	struct fw &fw = g_card.fw;
	struct pkt_buf f_;

	void setup() override
	{
		card_start();
	}
	void teardown() override
	{
		card_stop();
	}
	// A refused command: the status, its opcode echoed, no data, counted, nothing installed.
	void refused(void *cmd, uint16_t status)
	{
		uint16_t op;

		memcpy(&op, cmd, sizeof(op));
		struct clif_mbox_cpl c = post(cmd);
		LONGS_EQUAL(status, c.status);
		LONGS_EQUAL(op, c.opcode);
		LONGS_EQUAL(0, c.data_len);
		UNSIGNED_LONGLONGS_EQUAL(1, fw.ctr.status[status]);
		LONGS_EQUAL(0, rules_in_tables());
	}
	void rule_refused(struct clif_cmd_rule r, uint16_t status)
	{
		refused(&r, status);
	}
};

// ---- the envelope ----

// While the host rewrites a command the doorbell reads CLIF_MBOX_NO_CMD: nothing is served.
TEST(Mbox, DoorbellNoCommandIsNotServed)
{
	struct clif_mbox_cmd c = cmd_plain(CLIF_OP_HEARTBEAT);

	post(&c);
	uint32_t done = g_card.mbox.done;
	g_card.mbox.doorbell = CLIF_MBOX_NO_CMD;
	c.hdr.seq = CLIF_MBOX_NO_CMD;
	memcpy((void *)&g_card.mbox.cmd, &c, sizeof(c));
	LONGS_EQUAL(FW_MBOX_NOT_SERVED, fw_mbox_serve(&fw));
	fw_poll(&fw); /* a service round must not answer it either */
	UNSIGNED_LONGS_EQUAL(done, g_card.mbox.done);
	UNSIGNED_LONGLONGS_EQUAL(1, fw.ctr.commands);
}

// A doorbell already answered is not served twice.
TEST(Mbox, AnsweredDoorbellIsNotServedAgain)
{
	struct clif_mbox_cmd c = cmd_plain(CLIF_OP_HEARTBEAT);

	post(&c);
	LONGS_EQUAL(FW_MBOX_NOT_SERVED, fw_mbox_serve(&fw));
	UNSIGNED_LONGLONGS_EQUAL(1, fw.ctr.commands);
}

TEST(Mbox, UnknownOpcode)
{
	struct clif_mbox_cmd c = cmd_plain(CLIF_OP_COUNT);

	refused(&c, CLIF_MBOX_EBADOP);
}

TEST(Mbox, OpcodeFarOutOfRange)
{
	struct clif_mbox_cmd c = cmd_plain(0xffff);

	refused(&c, CLIF_MBOX_EBADOP);
}

TEST(Mbox, LenNonZeroOnNop)
{
	struct clif_mbox_cmd c = cmd_plain(CLIF_OP_NOP);

	c.hdr.len = 4;
	refused(&c, CLIF_MBOX_EBADLEN);
}

TEST(Mbox, LenNonZeroOnRuleAdd)
{
	struct clif_cmd_rule r = good_rule();

	r.hdr.len = 64;
	rule_refused(r, CLIF_MBOX_EBADLEN);
}

TEST(Mbox, SeqDiffersFromTheDoorbell)
{
	struct clif_mbox_cmd c = cmd_plain(CLIF_OP_NOP);

	c.hdr.seq = 77;
	memcpy((void *)&g_card.mbox.cmd, &c, sizeof(c));
	g_card.mbox.doorbell = 1;
	fw_poll(&fw);
	LONGS_EQUAL(1, g_card.mbox.done);
	LONGS_EQUAL(1, g_card.mbox.cpl.seq);
	LONGS_EQUAL(CLIF_MBOX_EINVAL, g_card.mbox.cpl.status);
}

TEST(Mbox, NopBodyNotZero)
{
	struct clif_mbox_cmd c = cmd_plain(CLIF_OP_NOP);

	c.body[55] = 1;
	refused(&c, CLIF_MBOX_EINVAL);
}

TEST(Mbox, HeartbeatBodyNotZero)
{
	struct clif_mbox_cmd c = cmd_plain(CLIF_OP_HEARTBEAT);

	c.body[0] = 1;
	refused(&c, CLIF_MBOX_EINVAL);
}

TEST(Mbox, TableStatsBodyNotZero)
{
	struct clif_mbox_cmd c = cmd_plain(CLIF_OP_TABLE_STATS);

	c.body[10] = 1;
	refused(&c, CLIF_MBOX_EINVAL);
}

TEST(Mbox, LearnDrainBodyNotZero)
{
	struct clif_mbox_cmd c = cmd_plain(CLIF_OP_LEARN_DRAIN);

	c.body[0] = 42; // LEARN_DRAIN has no count: the data area's worth is returned
	refused(&c, CLIF_MBOX_EINVAL);
}

TEST(Mbox, ResetBodyNotZeroDoesNotReset)
{
	add_rule(good_rule());
	struct clif_mbox_cmd c = cmd_plain(CLIF_OP_RESET);
	c.body[3] = 1;
	LONGS_EQUAL(CLIF_MBOX_EINVAL, post_status(&c));
	LONGS_EQUAL(0, g_card.ident.reset_gen);
	LONGS_EQUAL(1, rules_in_tables());
}

// ---- HELLO ----

TEST(Mbox, HelloWithAnotherMajor)
{
	struct clif_cmd_hello h;

	memset(&h, 0, sizeof(h));
	h.hdr.opcode = CLIF_OP_HELLO;
	h.host_abi_major = CLIF_ABI_MAJOR + 1;
	struct clif_mbox_cpl c = post(&h);
	LONGS_EQUAL(CLIF_MBOX_EABI, c.status);
	UNSIGNED_LONGS_EQUAL(CLIF_ABI_MAJOR << 16 | CLIF_ABI_MINOR, c.result); // what the card speaks
	UNSIGNED_LONGLONGS_EQUAL(1, fw.ctr.status[CLIF_MBOX_EABI]);
}

TEST(Mbox, HelloWithMajorZero)
{
	struct clif_cmd_hello h;

	memset(&h, 0, sizeof(h));
	h.hdr.opcode = CLIF_OP_HELLO;
	refused(&h, CLIF_MBOX_EABI);
}

TEST(Mbox, HelloReservedNotZero)
{
	struct clif_cmd_hello h;

	memset(&h, 0, sizeof(h));
	h.hdr.opcode = CLIF_OP_HELLO;
	h.host_abi_major = CLIF_ABI_MAJOR;
	h.rsvd[12] = 1;
	refused(&h, CLIF_MBOX_EINVAL);
}

TEST(Mbox, HelloWithOurMajorAnyMinor)
{
	struct clif_cmd_hello h;

	memset(&h, 0, sizeof(h));
	h.hdr.opcode = CLIF_OP_HELLO;
	h.host_abi_major = CLIF_ABI_MAJOR;
	h.host_abi_minor = 9;
	struct clif_mbox_cpl c = post(&h);
	LONGS_EQUAL(CLIF_MBOX_OK, c.status);
	UNSIGNED_LONGS_EQUAL(CLIF_ABI_MAJOR << 16 | CLIF_ABI_MINOR, c.result);
}

// ---- RULE_ADD: every field ----

TEST(Mbox, RuleReserved0)
{
	struct clif_cmd_rule r = good_rule();

	r.rsvd[0] = 1;
	rule_refused(r, CLIF_MBOX_EINVAL);
}

TEST(Mbox, RuleReserved1)
{
	struct clif_cmd_rule r = good_rule();

	r.rsvd[1] = 0x80000000u;
	rule_refused(r, CLIF_MBOX_EINVAL);
}

TEST(Mbox, RuleReserved2)
{
	struct clif_cmd_rule r = good_rule();

	r.rsvd[2] = 2;
	rule_refused(r, CLIF_MBOX_EINVAL);
}

TEST(Mbox, RuleKindZero)
{
	struct clif_cmd_rule r = good_rule();

	r.kind = 0;
	rule_refused(r, CLIF_MBOX_ERANGE);
}

TEST(Mbox, RuleKindPastTernary)
{
	struct clif_cmd_rule r = good_rule();

	r.kind = CLIF_RULE_TERNARY + 1;
	rule_refused(r, CLIF_MBOX_ERANGE);
}

TEST(Mbox, RuleAddrTypeNone)
{
	struct clif_cmd_rule r = good_rule();

	r.addr_type = CLIF_ADDR_NONE;
	rule_refused(r, CLIF_MBOX_ERANGE);
}

TEST(Mbox, RuleAddrTypePastMac)
{
	struct clif_cmd_rule r = good_rule();

	r.addr_type = CLIF_ADDR_MAC + 1;
	rule_refused(r, CLIF_MBOX_ERANGE);
}

TEST(Mbox, RuleScopeTypePastVni)
{
	struct clif_cmd_rule r = good_rule();

	r.scope_type = CLIF_SCOPE_COUNT;
	rule_refused(r, CLIF_MBOX_ERANGE);
}

TEST(Mbox, RuleScopeAnyWithAValue)
{
	struct clif_cmd_rule r = good_rule();

	r.scope_value = 1;
	rule_refused(r, CLIF_MBOX_ERANGE);
}

TEST(Mbox, RuleVportWiderThan16Bits)
{
	struct clif_cmd_rule r = good_rule();

	r.scope_type = CLIF_SCOPE_VPORT;
	r.scope_value = 0x10000;
	rule_refused(r, CLIF_MBOX_ERANGE);
}

TEST(Mbox, RuleVlanWiderThan12Bits)
{
	struct clif_cmd_rule r = good_rule();

	r.scope_type = CLIF_SCOPE_VLAN;
	r.scope_value = 0x1000;
	rule_refused(r, CLIF_MBOX_ERANGE);
}

TEST(Mbox, RuleVniWiderThan24Bits)
{
	struct clif_cmd_rule r = good_rule();

	r.scope_type = CLIF_SCOPE_VNI;
	r.scope_value = 0x1000000;
	rule_refused(r, CLIF_MBOX_ERANGE);
}

TEST(Mbox, RuleScopeValuesAtTheirWidthAreAccepted)
{
	struct clif_cmd_rule r = good_rule();

	r.scope_type = CLIF_SCOPE_VPORT;
	r.scope_value = 0xffff;
	add_rule(r);
	r.handle++;
	r.scope_type = CLIF_SCOPE_VLAN;
	r.scope_value = 0xfff;
	add_rule(r);
	r.handle++;
	r.scope_type = CLIF_SCOPE_VNI;
	r.scope_value = 0xffffff;
	add_rule(r);
	LONGS_EQUAL(3, rules_in_tables());
}

TEST(Mbox, RulePrefixLenPast32ForIpv4)
{
	struct clif_cmd_rule r = prefix_rule();

	r.prefix_len = 33;
	rule_refused(r, CLIF_MBOX_ERANGE);
}

TEST(Mbox, RulePrefixLenPast128ForIpv6)
{
	struct clif_cmd_rule r = cmd_rule(9, CLIF_RULE_PREFIX, CLIF_ADDR_IPV6, V6_S);

	r.prefix_len = 129;
	rule_refused(r, CLIF_MBOX_ERANGE);
}

TEST(Mbox, RuleExactWithAPartialPrefixLen)
{
	struct clif_cmd_rule r = good_rule();

	r.prefix_len = 24;
	rule_refused(r, CLIF_MBOX_EINVAL);
}

TEST(Mbox, RuleExactWithTheFullPrefixLenIsAccepted)
{
	struct clif_cmd_rule r = good_rule();

	r.prefix_len = 32;
	add_rule(r);
	LONGS_EQUAL(1, rules_in_tables());
}

TEST(Mbox, RuleMacAsPrefix)
{
	struct clif_cmd_rule r = cmd_rule(9, CLIF_RULE_PREFIX, CLIF_ADDR_MAC, TGT_MAC);

	r.prefix_len = 24;
	rule_refused(r, CLIF_MBOX_EINVAL);
}

TEST(Mbox, RuleMacAsTernary)
{
	struct clif_cmd_rule r = cmd_rule(9, CLIF_RULE_TERNARY, CLIF_ADDR_MAC, TGT_MAC);

	rule_refused(r, CLIF_MBOX_EINVAL);
}

TEST(Mbox, RuleIpv4AddressPaddingNotZero)
{
	struct clif_cmd_rule r = good_rule();

	r.addr[4] = 1;
	rule_refused(r, CLIF_MBOX_EINVAL);
}

TEST(Mbox, RuleMacAddressPaddingNotZero)
{
	struct clif_cmd_rule r = mac_rule(9, TGT_MAC);

	r.addr[15] = 1;
	rule_refused(r, CLIF_MBOX_EINVAL);
}

TEST(Mbox, RulePrefixWithHostBitsSet)
{
	struct clif_cmd_rule r = prefix_rule();

	r.addr[3] = 1; // 10.0.0.1/8
	rule_refused(r, CLIF_MBOX_EINVAL);
}

TEST(Mbox, RuleUnknownActionBits)
{
	struct clif_cmd_rule r = good_rule();

	r.actions = CLIF_ACT_CAPTURE | 0x0004;
	rule_refused(r, CLIF_MBOX_EINVAL);
}

TEST(Mbox, RuleSnapLenPastTheLargestFrame)
{
	struct clif_cmd_rule r = good_rule();

	r.snap_len = 9729;
	rule_refused(r, CLIF_MBOX_ERANGE);
}

TEST(Mbox, RuleSnapLenOfTheLargestFrameIsAccepted)
{
	struct clif_cmd_rule r = good_rule();

	r.snap_len = 9728;
	add_rule(r);
	LONGS_EQUAL(1, rules_in_tables());
}

TEST(Mbox, RuleUnknownQualifierBits)
{
	struct clif_cmd_rule r = ternary_rule();

	r.qual |= 0x08;
	rule_refused(r, CLIF_MBOX_EINVAL);
}

TEST(Mbox, RulePortThisLoAboveHi)
{
	struct clif_cmd_rule r = ternary_rule();

	r.port_this_lo = 81;
	r.port_this_hi = 80;
	rule_refused(r, CLIF_MBOX_EINVAL);
}

TEST(Mbox, RulePortPeerLoAboveHi)
{
	struct clif_cmd_rule r = ternary_rule();

	r.port_peer_lo = 2048;
	rule_refused(r, CLIF_MBOX_EINVAL);
}

TEST(Mbox, RuleProtoWithoutItsQualifier)
{
	struct clif_cmd_rule r = ternary_rule();

	r.qual &= (uint8_t)~CLIF_QUAL_PROTO;
	rule_refused(r, CLIF_MBOX_EINVAL);
}

TEST(Mbox, RulePortsWithoutTheirQualifier)
{
	struct clif_cmd_rule r = ternary_rule();

	r.qual &= (uint8_t)~CLIF_QUAL_PORT_PEER;
	rule_refused(r, CLIF_MBOX_EINVAL);
}

TEST(Mbox, RuleTernaryFieldsOnAnExactRule)
{
	struct clif_cmd_rule r = good_rule();

	r.priority = 1;
	rule_refused(r, CLIF_MBOX_EINVAL);
}

TEST(Mbox, RuleHandleInTheLearnedRange)
{
	struct clif_cmd_rule r = good_rule();

	r.handle = LEARN_HANDLE_BASE;
	rule_refused(r, CLIF_MBOX_ERANGE);
}

TEST(Mbox, RuleHandleTopOfTheLearnedRange)
{
	struct clif_cmd_rule r = good_rule();

	r.handle = 0xffffffffu;
	rule_refused(r, CLIF_MBOX_ERANGE);
}

// ---- RULE_ADD / MODIFY / DELETE good paths and table answers ----

TEST(Mbox, RuleAddInstallsTheRule)
{
	struct clif_cmd_rule r = good_rule(), got;

	r.snap_len = 128;
	struct clif_mbox_cpl c = post(&r);
	LONGS_EQUAL(CLIF_MBOX_OK, c.status);
	LONGS_EQUAL(CLIF_OP_RULE_ADD, c.opcode);
	UNSIGNED_LONGS_EQUAL(7, c.result);
	LONGS_EQUAL(0, c.data_len);
	LONGS_EQUAL(CLIF_MBOX_OK, tm_get(&fw.tm, 7, &got));
	LONGS_EQUAL(CLIF_RULE_EXACT, got.kind);
	MEMCMP_EQUAL(r.addr, got.addr, 16);
	LONGS_EQUAL(128, got.snap_len);
	// and the data plane captures what it names, reporting handle 7
	start_tcp4(f_, V4_S, V4_D, -1, 0);
	run_frame(f_);
	LONGS_EQUAL(1, g_ctr.captured);
	UNSIGNED_LONGS_EQUAL(7, rec_at(g_c2h_mem, 0).handle[0]);
}

TEST(Mbox, EveryRuleKindIsAccepted)
{
	add_rule(good_rule());
	add_rule(prefix_rule());
	add_rule(ternary_rule());
	add_rule(mac_rule(10, TGT_MAC));
	LONGS_EQUAL(4, rules_in_tables());
}

TEST(Mbox, RuleAddTwiceIsEexist)
{
	add_rule(good_rule());
	struct clif_cmd_rule r = good_rule();
	LONGS_EQUAL(CLIF_MBOX_EEXIST, post_status(&r));
	UNSIGNED_LONGLONGS_EQUAL(1, fw.ctr.status[CLIF_MBOX_EEXIST]);
}

TEST(Mbox, RuleModifyChangesTheRule)
{
	add_rule(good_rule());
	struct clif_cmd_rule r = good_rule(), got;
	r.hdr.opcode = CLIF_OP_RULE_MODIFY;
	memcpy(r.addr, V4_D, 4);
	r.snap_len = 96;
	LONGS_EQUAL(CLIF_MBOX_OK, post_status(&r));
	LONGS_EQUAL(CLIF_MBOX_OK, tm_get(&fw.tm, 7, &got));
	MEMCMP_EQUAL(V4_D, got.addr, 4);
	LONGS_EQUAL(96, got.snap_len);
	LONGS_EQUAL(1, rules_in_tables());
}

TEST(Mbox, RuleModifyOfAnUnknownHandle)
{
	struct clif_cmd_rule r = good_rule();

	r.hdr.opcode = CLIF_OP_RULE_MODIFY;
	refused(&r, CLIF_MBOX_ENOENT);
}

TEST(Mbox, RuleModifyIsValidatedLikeAdd)
{
	add_rule(good_rule());
	struct clif_cmd_rule r = good_rule(), got;
	r.hdr.opcode = CLIF_OP_RULE_MODIFY;
	r.kind = 9;
	r.snap_len = 5;
	LONGS_EQUAL(CLIF_MBOX_ERANGE, post_status(&r));
	LONGS_EQUAL(CLIF_MBOX_OK, tm_get(&fw.tm, 7, &got));
	LONGS_EQUAL(0, got.snap_len); // untouched
}

TEST(Mbox, RuleDeleteRemovesTheRule)
{
	add_rule(good_rule());
	struct clif_cmd_handle d;
	memset(&d, 0, sizeof(d));
	d.hdr.opcode = CLIF_OP_RULE_DELETE;
	d.handle = 7;
	struct clif_mbox_cpl c = post(&d);
	LONGS_EQUAL(CLIF_MBOX_OK, c.status);
	UNSIGNED_LONGS_EQUAL(7, c.result);
	LONGS_EQUAL(0, rules_in_tables());
}

TEST(Mbox, RuleDeleteOfAnUnknownHandle)
{
	struct clif_cmd_handle d;

	memset(&d, 0, sizeof(d));
	d.hdr.opcode = CLIF_OP_RULE_DELETE;
	d.handle = 7;
	refused(&d, CLIF_MBOX_ENOENT);
}

TEST(Mbox, RuleDeleteOfALearnedHandle)
{
	struct clif_cmd_handle d;

	memset(&d, 0, sizeof(d));
	d.hdr.opcode = CLIF_OP_RULE_DELETE;
	d.handle = LEARN_HANDLE_BASE;
	refused(&d, CLIF_MBOX_ERANGE);
}

TEST(Mbox, RuleDeleteReservedNotZero)
{
	add_rule(good_rule());
	struct clif_cmd_handle d;
	memset(&d, 0, sizeof(d));
	d.hdr.opcode = CLIF_OP_RULE_DELETE;
	d.handle = 7;
	d.rsvd[5] = 1;
	LONGS_EQUAL(CLIF_MBOX_EINVAL, post_status(&d));
	LONGS_EQUAL(1, rules_in_tables());
}

TEST(Mbox, TableStatsReportsTheTables)
{
	add_rule(good_rule());
	add_rule(prefix_rule());
	struct clif_mbox_cmd c = cmd_plain(CLIF_OP_TABLE_STATS);
	struct clif_mbox_cpl cpl = post(&c);
	LONGS_EQUAL(CLIF_MBOX_OK, cpl.status);
	LONGS_EQUAL(sizeof(struct clif_table_stats), cpl.data_len);
	struct clif_table_stats got, want;
	memcpy(&got, (const void *)g_card.mbox.data, sizeof(got));
	LONGS_EQUAL(CLIF_MBOX_OK, tm_stats(&fw.tm, &want));
	MEMCMP_EQUAL(&want, &got, sizeof(got));
	UNSIGNED_LONGS_EQUAL(CLIF_DP_EXACT_WAYS * CLIF_DP_EXACT_WAY_SIZE, got.exact_capacity);
	UNSIGNED_LONGS_EQUAL(CLIF_DP_PREFIX_ENTRIES, got.prefix_capacity);
	LONGS_EQUAL(2, got.rule_used);
	LONGS_EQUAL(1, got.prefix_used);
}

// ---- COUNTER_READ ----

TEST(Mbox, CounterReadFromAHandleOn)
{
	const uint8_t a[4] = { 10, 9, 0, 1 }, b[4] = { 10, 9, 0, 2 }, c4[4] = { 10, 9, 0, 3 };
	add_rule(cmd_rule(5, CLIF_RULE_EXACT, CLIF_ADDR_IPV4, a));
	add_rule(cmd_rule(9, CLIF_RULE_EXACT, CLIF_ADDR_IPV4, b));
	add_rule(cmd_rule(12, CLIF_RULE_EXACT, CLIF_ADDR_IPV4, c4));
	rings_init(RING_MEM_BYTES, 4096);
	start_tcp4(f_, b, V4_D, -1, 0);
	run_frame(f_);
	run_frame(f_);
	start_tcp4(f_, c4, V4_D, -1, 0);
	run_frame(f_);

	struct clif_cmd_counter_read q;
	memset(&q, 0, sizeof(q));
	q.hdr.opcode = CLIF_OP_COUNTER_READ;
	q.first_handle = 6;
	q.max_count = 10;
	struct clif_mbox_cpl cpl = post(&q);
	LONGS_EQUAL(CLIF_MBOX_OK, cpl.status);
	UNSIGNED_LONGS_EQUAL(2, cpl.result);
	LONGS_EQUAL(2 * sizeof(struct clif_rule_counter), cpl.data_len);
	struct clif_rule_counter rc[2];
	memcpy(rc, (const void *)g_card.mbox.data, sizeof(rc));
	UNSIGNED_LONGS_EQUAL(9, rc[0].handle);
	UNSIGNED_LONGLONGS_EQUAL(2, rc[0].packets);
	UNSIGNED_LONGLONGS_EQUAL(2 * f_.len, rc[0].bytes);
	UNSIGNED_LONGS_EQUAL(12, rc[1].handle);
	UNSIGNED_LONGLONGS_EQUAL(1, rc[1].packets);
	LONGS_EQUAL(0, rc[1].rsvd);
}

TEST(Mbox, CounterReadCapsMaxCountToTheDataArea)
{
	uint8_t a[4] = { 10, 8, 0, 0 };
	for (uint32_t h = 1; h <= 100; h++) {
		a[3] = (uint8_t)h;
		add_rule(cmd_rule(h, CLIF_RULE_EXACT, CLIF_ADDR_IPV4, a));
	}
	struct clif_cmd_counter_read q;
	memset(&q, 0, sizeof(q));
	q.hdr.opcode = CLIF_OP_COUNTER_READ;
	q.max_count = 1000;
	struct clif_mbox_cpl cpl = post(&q);
	const uint32_t fit = CLIF_MBOX_DATA_BYTES / sizeof(struct clif_rule_counter);
	LONGS_EQUAL(CLIF_MBOX_OK, cpl.status);
	UNSIGNED_LONGS_EQUAL(fit, cpl.result);
	LONGS_EQUAL(fit * sizeof(struct clif_rule_counter), cpl.data_len);
	struct clif_rule_counter last;
	memcpy(&last, (const uint8_t *)g_card.mbox.data + (fit - 1) * sizeof(last), sizeof(last));
	UNSIGNED_LONGS_EQUAL(fit, last.handle); // handles 1..fit, in order
}

TEST(Mbox, CounterReadOfNone)
{
	add_rule(good_rule());
	struct clif_cmd_counter_read q;
	memset(&q, 0, sizeof(q));
	q.hdr.opcode = CLIF_OP_COUNTER_READ;
	struct clif_mbox_cpl cpl = post(&q);
	LONGS_EQUAL(CLIF_MBOX_OK, cpl.status);
	LONGS_EQUAL(0, cpl.result);
	LONGS_EQUAL(0, cpl.data_len);
}

TEST(Mbox, CounterReadReservedNotZero)
{
	struct clif_cmd_counter_read q;

	memset(&q, 0, sizeof(q));
	q.hdr.opcode = CLIF_OP_COUNTER_READ;
	q.max_count = 1;
	q.rsvd[11] = 1;
	refused(&q, CLIF_MBOX_EINVAL);
}

// ---- CONFIG ----

TEST(Mbox, ConfigLearnAge)
{
	struct clif_cmd_config c = cmd_config(CLIF_CFG_LEARN_AGE_S, 60);

	LONGS_EQUAL(CLIF_MBOX_OK, post_status(&c));
	LONGS_EQUAL(60, fw.learn.age_s);
}

TEST(Mbox, ConfigHeartbeatPeriod)
{
	struct clif_cmd_config c = cmd_config(CLIF_CFG_HEARTBEAT_MS, 10);
	uint32_t hb = g_card.ident.heartbeat;

	LONGS_EQUAL(CLIF_MBOX_OK, post_status(&c));
	g_fake_now_ns += 10000000;
	fw_poll(&fw);
	UNSIGNED_LONGS_EQUAL(hb + 1, g_card.ident.heartbeat);
	g_fake_now_ns += 10000000;
	fw_poll(&fw);
	UNSIGNED_LONGS_EQUAL(hb + 2, g_card.ident.heartbeat);
}

TEST(Mbox, ConfigLearnEnable)
{
	struct clif_cmd_config c = cmd_config(CLIF_CFG_LEARN_ENABLE, 0);

	LONGS_EQUAL(CLIF_MBOX_OK, post_status(&c));
	LONGS_EQUAL(0, fw.learn_enabled);
	LONGS_EQUAL(0, fw.learn.enabled);
	c = cmd_config(CLIF_CFG_LEARN_ENABLE, 1);
	LONGS_EQUAL(CLIF_MBOX_OK, post_status(&c));
	LONGS_EQUAL(1, fw.learn.enabled);
}

TEST(Mbox, ConfigUnknownKey)
{
	struct clif_cmd_config c = cmd_config(CLIF_CFG_LEARN_ENABLE + 1, 0);

	refused(&c, CLIF_MBOX_ERANGE);
}

TEST(Mbox, ConfigKeyZero)
{
	struct clif_cmd_config c = cmd_config(0, 0);

	refused(&c, CLIF_MBOX_ERANGE);
}

TEST(Mbox, ConfigReserved0NotZero)
{
	struct clif_cmd_config c = cmd_config(CLIF_CFG_LEARN_AGE_S, 60);

	c.rsvd0 = 1;
	refused(&c, CLIF_MBOX_EINVAL);
	LONGS_EQUAL(LEARN_DEFAULT_AGE_S, fw.learn.age_s);
}

TEST(Mbox, ConfigReservedNotZero)
{
	struct clif_cmd_config c = cmd_config(CLIF_CFG_LEARN_AGE_S, 60);

	c.rsvd[9] = 1;
	refused(&c, CLIF_MBOX_EINVAL);
}

TEST(Mbox, ConfigLearnAgeZero)
{
	struct clif_cmd_config c = cmd_config(CLIF_CFG_LEARN_AGE_S, 0);

	refused(&c, CLIF_MBOX_ERANGE);
}

TEST(Mbox, ConfigLearnAgeAboveAWeek)
{
	struct clif_cmd_config c = cmd_config(CLIF_CFG_LEARN_AGE_S, 604801);

	refused(&c, CLIF_MBOX_ERANGE);
	LONGS_EQUAL(LEARN_DEFAULT_AGE_S, fw.learn.age_s);
}

TEST(Mbox, ConfigLearnAgeIn64BitsOnly)
{
	struct clif_cmd_config c = cmd_config(CLIF_CFG_LEARN_AGE_S, 0x100000000ull + 60);

	refused(&c, CLIF_MBOX_ERANGE);
}

TEST(Mbox, ConfigHeartbeatZero)
{
	struct clif_cmd_config c = cmd_config(CLIF_CFG_HEARTBEAT_MS, 0);

	refused(&c, CLIF_MBOX_ERANGE);
}

TEST(Mbox, ConfigHeartbeatSlowerThanASecond)
{
	struct clif_cmd_config c = cmd_config(CLIF_CFG_HEARTBEAT_MS, 1001);

	refused(&c, CLIF_MBOX_ERANGE);
}

TEST(Mbox, ConfigLearnEnableTwo)
{
	struct clif_cmd_config c = cmd_config(CLIF_CFG_LEARN_ENABLE, 2);

	refused(&c, CLIF_MBOX_ERANGE);
	LONGS_EQUAL(1, fw.learn.enabled);
}

// ---- LEARN_DRAIN, HEARTBEAT, RESET, NOP ----

TEST(Mbox, LearnDrainWithNothingQueued)
{
	struct clif_mbox_cmd c = cmd_plain(CLIF_OP_LEARN_DRAIN);
	struct clif_mbox_cpl cpl = post(&c);

	LONGS_EQUAL(CLIF_MBOX_OK, cpl.status);
	LONGS_EQUAL(0, cpl.result);
	LONGS_EQUAL(0, cpl.data_len);
}

static_assert(LEARN_MAX_PER_OWNER >= 16, "LearnDrainReturnsWhatFitsTheDataArea binds 16 per target");
TEST(Mbox, LearnDrainReturnsWhatFitsTheDataArea)
{
	struct pkt_buf f;
	uint8_t ip[4] = { 10, 1, 0, 0 };
	const uint32_t fit = CLIF_MBOX_DATA_BYTES / sizeof(struct clif_learn_event);

	// 64 binds: 16 addresses for each of 4 targets
	for (uint32_t t = 0; t < 4; t++) {
		uint8_t mac[6] = { 0x02, 0, 0, 0, 1, (uint8_t)t };
		add_rule(mac_rule(OWNER + t, mac));
		for (uint32_t i = 0; i < 16; i++) {
			ip[2] = (uint8_t)t;
			ip[3] = (uint8_t)(i + 1);
			dhcp_msg(f, 5, mac, mac, ip);
			punt_frame(f);
		}
	}
	UNSIGNED_LONGLONGS_EQUAL(64, fw.learn.ctr.binds);
	struct clif_mbox_cmd c = cmd_plain(CLIF_OP_LEARN_DRAIN);
	struct clif_mbox_cpl cpl = post(&c);
	LONGS_EQUAL(CLIF_MBOX_OK, cpl.status);
	UNSIGNED_LONGS_EQUAL(fit, cpl.result);
	LONGS_EQUAL(fit * sizeof(struct clif_learn_event), cpl.data_len);
	struct clif_learn_event e;
	memcpy(&e, (const void *)g_card.mbox.data, sizeof(e));
	uint8_t first[4] = { 10, 1, 0, 1 };
	MEMCMP_EQUAL(first, e.addr, 4); // oldest first
	c = cmd_plain(CLIF_OP_LEARN_DRAIN);
	cpl = post(&c);
	UNSIGNED_LONGS_EQUAL(64 - fit, cpl.result);
}

TEST(Mbox, HeartbeatAnswersTheCounter)
{
	g_fake_now_ns += 3 * FW_HEARTBEAT_NS;
	fw_poll(&fw);
	struct clif_mbox_cmd c = cmd_plain(CLIF_OP_HEARTBEAT);
	struct clif_mbox_cpl cpl = post(&c);
	LONGS_EQUAL(CLIF_MBOX_OK, cpl.status);
	UNSIGNED_LONGS_EQUAL(g_card.ident.heartbeat, cpl.result);
	CHECK(cpl.result > 0);
}

TEST(Mbox, ResetEmptiesTheTables)
{
	add_rule(good_rule());
	add_rule(ternary_rule());
	struct clif_mbox_cmd c = cmd_plain(CLIF_OP_RESET);
	struct clif_mbox_cpl cpl = post(&c);
	LONGS_EQUAL(CLIF_MBOX_OK, cpl.status);
	UNSIGNED_LONGS_EQUAL(1, cpl.result);
	LONGS_EQUAL(1, g_card.ident.reset_gen);
	LONGS_EQUAL(CLIF_STATUS_READY, g_card.ident.status);
	LONGS_EQUAL(0, rules_in_tables());
	add_rule(good_rule()); // the handle is free again
}

TEST(Mbox, NopAnswersOk)
{
	struct clif_mbox_cmd c = cmd_plain(CLIF_OP_NOP);
	struct clif_mbox_cpl cpl = post(&c);

	LONGS_EQUAL(CLIF_MBOX_OK, cpl.status);
	LONGS_EQUAL(CLIF_OP_NOP, cpl.opcode);
	LONGS_EQUAL(0, cpl.result);
	LONGS_EQUAL(0, cpl.data_len);
}

// ---- the completion, ordering and counting ----

TEST(Mbox, CompletionEchoesSeqAndOpcode)
{
	struct clif_mbox_cmd c = cmd_plain(CLIF_OP_NOP);

	g_card.seq = 0xfffffff0u;
	struct clif_mbox_cpl cpl = post(&c);
	UNSIGNED_LONGS_EQUAL(0xfffffff1u, cpl.seq);
	UNSIGNED_LONGS_EQUAL(0xfffffff1u, g_card.mbox.done);
	LONGS_EQUAL(CLIF_OP_NOP, cpl.opcode);
	LONGS_EQUAL(0, cpl.rsvd);
}

// done is written after the completion: when the doorbell runs (the table manager writes the
// window during RULE_ADD) done still holds the previous seq.
TEST(Mbox, DoneIsWrittenLast)
{
	static uint32_t done_seen;
	static uint16_t status_seen;

	struct clif_mbox_cmd n = cmd_plain(CLIF_OP_NOP);
	post(&n);
	done_seen = 0;
	g_card.mbox.cpl.status = 0x5555;
	g_fake_after_doorbell = [] {
		done_seen = g_card.mbox.done;
		status_seen = g_card.mbox.cpl.status;
	};
	struct clif_cmd_rule r = good_rule();
	LONGS_EQUAL(CLIF_MBOX_OK, post_status(&r));
	LONGS_EQUAL(1, done_seen);
	LONGS_EQUAL(0x5555, status_seen);
	LONGS_EQUAL(2, g_card.mbox.done);
}

// The command is copied before it is looked at: a host scribbling over it while the card is
// busy with it changes nothing.
TEST(Mbox, CommandIsReadOnce)
{
	g_fake_after_doorbell = [] {
		memset((void *)&g_card.mbox.cmd.body, 0xff, sizeof(g_card.mbox.cmd.body));
	};
	struct clif_cmd_rule r = good_rule(), got;
	LONGS_EQUAL(CLIF_MBOX_OK, post_status(&r));
	g_fake_after_doorbell = nullptr;
	LONGS_EQUAL(CLIF_MBOX_OK, tm_get(&fw.tm, 7, &got));
	MEMCMP_EQUAL(V4_S, got.addr, 4);
	LONGS_EQUAL(CLIF_ACT_CAPTURE, got.actions);
}

TEST(Mbox, SameDoorbellIsNotServedAgain)
{
	struct clif_mbox_cmd c = cmd_plain(CLIF_OP_NOP);

	post(&c);
	LONGS_EQUAL(0, fw_poll(&fw));
	UNSIGNED_LONGLONGS_EQUAL(1, fw.ctr.commands);
}

TEST(Mbox, AnswersAreCountedByStatus)
{
	struct clif_mbox_cmd bad = cmd_plain(CLIF_OP_COUNT), nop = cmd_plain(CLIF_OP_NOP);
	struct clif_cmd_config cfg = cmd_config(99, 0);

	post(&bad);
	post(&bad);
	post(&nop);
	post(&cfg);
	UNSIGNED_LONGLONGS_EQUAL(4, fw.ctr.commands);
	UNSIGNED_LONGLONGS_EQUAL(2, fw.ctr.status[CLIF_MBOX_EBADOP]);
	UNSIGNED_LONGLONGS_EQUAL(1, fw.ctr.status[CLIF_MBOX_OK]);
	UNSIGNED_LONGLONGS_EQUAL(1, fw.ctr.status[CLIF_MBOX_ERANGE]);
}

TEST(Mbox, KeepsServingAfterErrors)
{
	for (uint16_t op = CLIF_OP_COUNT; op < CLIF_OP_COUNT + 20; op++) {
		struct clif_mbox_cmd c = cmd_plain(op);
		LONGS_EQUAL(CLIF_MBOX_EBADOP, post_status(&c));
	}
	struct clif_cmd_rule r = good_rule();
	r.kind = 0;
	LONGS_EQUAL(CLIF_MBOX_ERANGE, post_status(&r));
	add_rule(good_rule());
	LONGS_EQUAL(1, rules_in_tables());
	LONGS_EQUAL(CLIF_STATUS_READY, g_card.ident.status);
}

TEST(Mbox, ErrorsAreLoggedWithoutTheAddress)
{
	struct clif_cmd_rule r = cmd_rule(7, CLIF_RULE_EXACT, CLIF_ADDR_IPV4, TGT_IP);

	r.rsvd[0] = 1;
	post(&r);
	CHECK(g_fake_console.find("rule-add") != std::string::npos);
	CHECK(g_fake_console.find("invalid field combination") != std::string::npos);
	CHECK(g_fake_console.find("10.1.2.3") == std::string::npos);
	CHECK(g_fake_console.find("0a010203") == std::string::npos);
	CHECK(g_fake_console.find("302010a") == std::string::npos);
}
