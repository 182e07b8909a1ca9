// SPDX-License-Identifier: BSD-3-Clause
// libclif against the in-process simulated card (simcard.h): open/close and the identity and ABI
// checks, the mailbox RPC (every status, timeouts, re-sends, resets), rules through the real
// firmware and data plane into the C2H ring, the consumer (views, pads, overflow, gaps,
// corruption) and reset detection.
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "fw_fixture.h"
#include "simcard.h"

#include "libclif.h"

#include <CppUTest/TestHarness.h>

namespace {

uint64_t mono_ns()
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void sleep_ms(uint32_t ms)
{
	struct timespec ts = { (time_t)(ms / 1000u), (long)(ms % 1000u) * 1000000L };

	nanosleep(&ts, nullptr);
}

struct clif_cmd_rule v4_rule(uint32_t handle, uint8_t kind, const uint8_t *addr, uint8_t plen, uint16_t snap,
			     uint8_t scope = CLIF_SCOPE_ANY, uint32_t scope_value = 0)
{
	struct clif_cmd_rule r;

	memset(&r, 0, sizeof(r));
	r.handle = handle;
	r.kind = kind;
	r.addr_type = CLIF_ADDR_IPV4;
	r.scope_type = scope;
	r.scope_value = scope_value;
	r.prefix_len = kind == CLIF_RULE_EXACT ? 0 : plen;
	memcpy(r.addr, addr, 4);
	r.actions = CLIF_ACT_CAPTURE;
	r.snap_len = snap;
	return r;
}

// Ethernet + IPv4 src -> dst + TCP with a counting payload up to len bytes.
void tcp_frame(struct pkt_buf &f, const uint8_t *src, const uint8_t *dst, uint16_t len, uint8_t salt = 0)
{
	uint16_t ip = start_tcp4(f, src, dst, -1, 0);

	while (f.len < len)
		pkt_u8(&f, (uint8_t)(f.len * 7u + 3u + salt));
	fix_ipv4_len(f, ip);
}

struct clif_mbox_cmd plain(uint16_t opcode)
{
	struct clif_mbox_cmd c;

	memset(&c, 0, sizeof(c));
	c.hdr.opcode = opcode;
	return c;
}

// The reset callback's record.
struct replay {
	uint32_t calls;
	uint32_t gen;
	int rc;
	struct clif_cmd_rule rule;
};

void replay_rules(struct clif_card *c, uint32_t gen, void *arg)
{
	struct replay *r = (struct replay *)arg;

	r->calls++;
	r->gen = gen;
	r->rc = clif_rule_add(c, &r->rule);
}

// Runs fn(arg) after ms milliseconds on another thread.
struct later {
	pthread_t th;
	uint32_t ms;
	void (*fn)(void);
};

void *later_main(void *p)
{
	struct later *l = (struct later *)p;

	sleep_ms(l->ms);
	l->fn();
	return nullptr;
}

void resume_card()
{
	simcard_pause(false);
}

void flr_card()
{
	__atomic_add_fetch(&simcard().hdr->reset_request, 1, __ATOMIC_ACQ_REL);
}

} // namespace

TEST_GROUP(Libclif)
{
	struct clif_card *c = nullptr;
	struct pkt_buf f;
	struct clif_rec_view v[64];

	void setup() override
	{
		simcard_start();
		pkt_reset(&f);
	}
	void teardown() override
	{
		clif_close(c);
		simcard_stop();
	}
	void open(uint32_t ring_size = 0, uint32_t timeout_ms = 0, uint32_t retries = 0)
	{
		struct clif_open_opts o = { ring_size, timeout_ms, retries };

		LONGS_EQUAL(CLIF_OK, clif_open(simcard_name(), &o, &c));
	}
	// Everything the card has written so far, as views (none released).
	int dequeue_all()
	{
		simcard_idle();
		int n = clif_c2h_dequeue(c, v, 64);
		CHECK(n >= 0);
		return n;
	}
	void check_frame(const struct clif_rec_view &rv, const struct pkt_buf &sent)
	{
		UNSIGNED_LONGS_EQUAL(sent.len, rv.hdr->orig_len);
		CHECK(rv.hdr->cap_len <= sent.len);
		MEMCMP_EQUAL(sent.b, rv.frame, rv.hdr->cap_len);
	}
};

// ---- open, identity, ABI ----

TEST(Libclif, OpenSaysHelloArmsTheRingAndCloseDisarmsIt)
{
	uint64_t cmds = simcard().fw->ctr.commands;

	open();
	STRCMP_EQUAL("sim", clif_backend(c));
	struct clif_ident id;
	LONGS_EQUAL(CLIF_OK, clif_identity(c, &id));
	UNSIGNED_LONGS_EQUAL(CLIF_IDENT_MAGIC, id.magic);
	UNSIGNED_LONGS_EQUAL(CLIF_ABI_MAJOR, id.abi_major);
	UNSIGNED_LONGS_EQUAL(CLIF_STATUS_READY, id.status);
	STRCMP_EQUAL("libclif-test-card", (const char *)id.board_name);
	simcard_idle();
	UNSIGNED_LONGLONGS_EQUAL(cmds + 1, simcard().fw->ctr.commands); // HELLO
	UNSIGNED_LONGLONGS_EQUAL(cmds + 1, simcard().fw->ctr.status[CLIF_MBOX_OK]);
	LONGS_EQUAL(CLIF_MBOX_OK, clif_last_status(c));
	UNSIGNED_LONGS_EQUAL(CLIF_RING_CTRL_ENABLE, simcard().c2h->ctrl);
	UNSIGNED_LONGS_EQUAL(4u << 20, simcard().c2h->size);
	UNSIGNED_LONGS_EQUAL(simcard().c2h->prod, simcard().c2h->cons);
	clif_close(c);
	c = nullptr;
	UNSIGNED_LONGS_EQUAL(0, simcard().c2h->ctrl);
}

TEST(Libclif, OpenRefusesBadNamesAndOptions)
{
	struct clif_open_opts small = { 2048, 0, 0 }, odd = { 12288, 0, 0 };

	LONGS_EQUAL(CLIF_E_INVAL, clif_open(nullptr, nullptr, &c));
	LONGS_EQUAL(CLIF_E_INVAL, clif_open("sim", nullptr, &c));
	LONGS_EQUAL(CLIF_E_INVAL, clif_open("sim:", nullptr, &c));
	LONGS_EQUAL(CLIF_E_INVAL, clif_open(":0", nullptr, &c));
	LONGS_EQUAL(CLIF_E_INVAL, clif_open("pcie:0", nullptr, &c));
	LONGS_EQUAL(CLIF_E_INVAL, clif_open("sim:x1", nullptr, &c));
	LONGS_EQUAL(CLIF_E_INVAL, clif_open(simcard_name(), &small, &c));
	LONGS_EQUAL(CLIF_E_INVAL, clif_open(simcard_name(), &odd, &c));
	LONGS_EQUAL(CLIF_E_NODEV, clif_open("sim:999999999", nullptr, &c));
	POINTERS_EQUAL(nullptr, c);
	STRCMP_EQUAL("no such card", clif_strerror(CLIF_E_NODEV));
	STRCMP_EQUAL("unknown error", clif_strerror(-1000));
}

TEST(Libclif, WrongAbiMajorIsRefusedBeforeAnyCommand)
{
	simcard_pause(true);
	uint32_t bell = simcard().mbox->doorbell;
	simcard().ident->abi_major = CLIF_ABI_MAJOR + 1;
	LONGS_EQUAL(CLIF_E_ABI, clif_open(simcard_name(), nullptr, &c));
	POINTERS_EQUAL(nullptr, c);
	simcard().ident->abi_major = CLIF_ABI_MAJOR;
	simcard().ident->magic = 0x12345678;
	LONGS_EQUAL(CLIF_E_NODEV, clif_open(simcard_name(), nullptr, &c));
	simcard().ident->magic = CLIF_IDENT_MAGIC;
	UNSIGNED_LONGS_EQUAL(bell, simcard().mbox->doorbell); // nothing was sent
	UNSIGNED_LONGS_EQUAL(0, simcard().c2h->ctrl);         // nor the ring touched
	simcard_pause(false);
	open();
}

TEST(Libclif, SimHeaderIsChecked)
{
	struct clif_sim_hdr *h = simcard().hdr;

	h->version = CLIF_SIM_VERSION + 1;
	LONGS_EQUAL(CLIF_E_ABI, clif_open(simcard_name(), nullptr, &c));
	h->version = CLIF_SIM_VERSION;
	h->dma_size = 1ull << 40;
	LONGS_EQUAL(CLIF_E_IO, clif_open(simcard_name(), nullptr, &c));
	h->dma_size = 8u << 20;
	h->magic = 0;
	LONGS_EQUAL(CLIF_E_NODEV, clif_open(simcard_name(), nullptr, &c));
	h->magic = CLIF_SIM_MAGIC;
	struct clif_open_opts big = { 16u << 20, 0, 0 }; // more than the DMA region
	LONGS_EQUAL(CLIF_E_NOMEM, clif_open(simcard_name(), &big, &c));
	POINTERS_EQUAL(nullptr, c);
}

TEST(Libclif, CardInFaultIsRefused)
{
	simcard_pause(true);
	simcard().ident->status = CLIF_STATUS_FAULT;
	LONGS_EQUAL(CLIF_E_FAULT, clif_open(simcard_name(), nullptr, &c));
	simcard().ident->status = CLIF_STATUS_READY;
	simcard_pause(false);
	open();
	simcard().ident->status = CLIF_STATUS_FAULT;
	LONGS_EQUAL(CLIF_E_FAULT, clif_poll(c, 0));
	simcard().ident->status = CLIF_STATUS_READY;
	LONGS_EQUAL(CLIF_OK, clif_poll(c, 0));
}

TEST(Libclif, ControlHandleLeavesTheRingAlone)
{
	LONGS_EQUAL(CLIF_OK, clif_open_control(simcard_name(), nullptr, &c));
	UNSIGNED_LONGS_EQUAL(0, simcard().c2h->ctrl);
	LONGS_EQUAL(CLIF_E_INVAL, clif_c2h_dequeue(c, v, 4));
	struct clif_table_stats ts;
	LONGS_EQUAL(CLIF_OK, clif_table_stats(c, &ts));
	CHECK(ts.rule_capacity > 0);
}

// ---- mailbox ----

TEST(Libclif, EveryCardStatusMapsToItsError)
{
	static const struct {
		int status, err;
	} map[] = {
		{ CLIF_MBOX_OK, CLIF_OK },          { CLIF_MBOX_EBADOP, CLIF_E_INVAL }, { CLIF_MBOX_EBADLEN, CLIF_E_INVAL },
		{ CLIF_MBOX_ERANGE, CLIF_E_RANGE }, { CLIF_MBOX_ENOENT, CLIF_E_NOENT }, { CLIF_MBOX_EEXIST, CLIF_E_EXIST },
		{ CLIF_MBOX_EFULL, CLIF_E_FULL },   { CLIF_MBOX_EINVAL, CLIF_E_RANGE }, { CLIF_MBOX_EABI, CLIF_E_ABI },
		{ CLIF_MBOX_EBUSY, CLIF_E_RESET },  { 77, CLIF_E_CARD },
	};

	open();
	for (const auto &m : map) {
		struct clif_mbox_cmd cmd = plain(CLIF_OP_NOP);
		struct clif_mbox_cpl cpl;

		simcard_inject_status(m.status);
		LONGS_EQUAL(m.err, clif_mbox_call(c, &cmd, &cpl, nullptr, 0));
		LONGS_EQUAL(m.status, clif_last_status(c));
		UNSIGNED_LONGS_EQUAL(cmd.hdr.seq, cpl.seq);
	}
}

TEST(Libclif, FirmwareStatusesComeBackMapped)
{
	open();
	struct clif_mbox_cmd cmd = plain(200);
	LONGS_EQUAL(CLIF_E_INVAL, clif_mbox_call(c, &cmd, nullptr, nullptr, 0));
	LONGS_EQUAL(CLIF_MBOX_EBADOP, clif_last_status(c));
	cmd = plain(CLIF_OP_NOP);
	cmd.hdr.len = 8;
	LONGS_EQUAL(CLIF_E_INVAL, clif_mbox_call(c, &cmd, nullptr, nullptr, 0));
	LONGS_EQUAL(CLIF_MBOX_EBADLEN, clif_last_status(c));
	cmd = plain(CLIF_OP_NOP);
	cmd.body[3] = 1;
	LONGS_EQUAL(CLIF_E_RANGE, clif_mbox_call(c, &cmd, nullptr, nullptr, 0));
	LONGS_EQUAL(CLIF_MBOX_EINVAL, clif_last_status(c));
	struct clif_cmd_hello h;
	memset(&h, 0, sizeof(h));
	h.hdr.opcode = CLIF_OP_HELLO;
	h.host_abi_major = CLIF_ABI_MAJOR + 3;
	LONGS_EQUAL(CLIF_E_ABI, clif_mbox_call(c, (struct clif_mbox_cmd *)(void *)&h, nullptr, nullptr, 0));
	LONGS_EQUAL(CLIF_MBOX_EABI, clif_last_status(c));

	struct clif_cmd_rule r = v4_rule(0x10, CLIF_RULE_EXACT, V4_S, 0, 0);
	r.kind = 9;
	LONGS_EQUAL(CLIF_E_RANGE, clif_rule_add(c, &r));
	LONGS_EQUAL(CLIF_MBOX_ERANGE, clif_last_status(c));
	LONGS_EQUAL(CLIF_E_NOENT, clif_rule_delete(c, 0x10));
	r = v4_rule(0x10, CLIF_RULE_EXACT, V4_S, 0, 0);
	LONGS_EQUAL(CLIF_OK, clif_rule_add(c, &r));
	LONGS_EQUAL(CLIF_E_EXIST, clif_rule_add(c, &r));
	LONGS_EQUAL(CLIF_MBOX_EEXIST, clif_last_status(c));
	LONGS_EQUAL(CLIF_E_RANGE, clif_config(c, 999, 1));

	// The ternary table fills up: EFULL.
	struct clif_table_stats ts;
	LONGS_EQUAL(CLIF_OK, clif_table_stats(c, &ts));
	int rc = CLIF_OK;
	uint32_t added = 0;
	for (uint32_t i = 0; i <= ts.ternary_capacity && rc == CLIF_OK; i++) {
		uint8_t a[4] = { 10, (uint8_t)(i >> 8), (uint8_t)i, 0 };
		struct clif_cmd_rule t = v4_rule(0x1000 + i, CLIF_RULE_TERNARY, a, 24, 0);

		t.qual = CLIF_QUAL_PROTO;
		t.ip_proto = 6;
		rc = clif_rule_add(c, &t);
		added += rc == CLIF_OK;
	}
	LONGS_EQUAL(CLIF_E_FULL, rc);
	LONGS_EQUAL(CLIF_MBOX_EFULL, clif_last_status(c));
	UNSIGNED_LONGS_EQUAL(ts.ternary_capacity, added);
}

TEST(Libclif, TimeoutWithinTheBoundThenARetryThatSucceeds)
{
	open(0, 300, 2); // 300 ms per wait, two re-sends: 900 ms in all
	simcard_pause(true);
	struct clif_mbox_cmd cmd = plain(CLIF_OP_HEARTBEAT);
	uint32_t bell = simcard().mbox->doorbell;
	uint64_t t0 = mono_ns();
	LONGS_EQUAL(CLIF_E_TIMEOUT, clif_mbox_call(c, &cmd, nullptr, nullptr, 0));
	uint64_t took = mono_ns() - t0;
	CHECK(took >= 900000000ull);
	CHECK(took < 1500000000ull);
	UNSIGNED_LONGS_EQUAL(bell + 3, simcard().mbox->doorbell); // a new seq per attempt

	// The firmware comes back during the second wait (300-600 ms): a re-sent seq is answered.
	uint64_t cmds = simcard().fw->ctr.commands;
	struct later l = { {}, 450, resume_card };
	LONGS_EQUAL(0, pthread_create(&l.th, nullptr, later_main, &l));
	struct clif_mbox_cpl cpl;
	cmd = plain(CLIF_OP_HEARTBEAT);
	LONGS_EQUAL(CLIF_OK, clif_mbox_call(c, &cmd, &cpl, nullptr, 0));
	pthread_join(l.th, nullptr);
	UNSIGNED_LONGS_EQUAL(cmd.hdr.seq, cpl.seq);
	CHECK(cpl.seq == bell + 5 || cpl.seq == bell + 6); // the first attempt of this call timed out
	UNSIGNED_LONGS_EQUAL(CLIF_OP_HEARTBEAT, cpl.opcode);
	simcard_idle();
	UNSIGNED_LONGLONGS_EQUAL(cmds + 1, simcard().fw->ctr.commands); // only the last seq was served
}

TEST(Libclif, ResetDuringTheWaitIsReported)
{
	open(0, 2000, 1);
	simcard_pause(true);
	struct later l = { {}, 50, flr_card };
	LONGS_EQUAL(0, pthread_create(&l.th, nullptr, later_main, &l));
	struct clif_mbox_cmd cmd = plain(CLIF_OP_NOP);
	uint64_t t0 = mono_ns();
	LONGS_EQUAL(CLIF_E_RESET, clif_mbox_call(c, &cmd, nullptr, nullptr, 0));
	CHECK(mono_ns() - t0 < 1000000000ull);
	pthread_join(l.th, nullptr);
	simcard_pause(false);
	LONGS_EQUAL(CLIF_OK, clif_poll(c, 0)); // re-arms and says hello again
	UNSIGNED_LONGS_EQUAL(CLIF_RING_CTRL_ENABLE, simcard().c2h->ctrl);
	LONGS_EQUAL(CLIF_OK, clif_mbox_call(c, &cmd, nullptr, nullptr, 0));
}

// ---- rules through the data plane ----

TEST(Libclif, RulesCaptureThroughTheDataPlaneWithExactRecords)
{
	open();
	const uint8_t net[4] = { 10, 0, 0, 0 };
	struct clif_cmd_rule host = v4_rule(0x10, CLIF_RULE_EXACT, V4_S, 0, 0);
	struct clif_cmd_rule cidr = v4_rule(0x20, CLIF_RULE_PREFIX, net, 24, 128);
	struct clif_cmd_rule inner = v4_rule(0x30, CLIF_RULE_EXACT, IV4_D, 0, 0, CLIF_SCOPE_VNI, 5000);
	LONGS_EQUAL(CLIF_OK, clif_rule_add(c, &host));
	LONGS_EQUAL(CLIF_OK, clif_rule_add(c, &cidr));
	LONGS_EQUAL(CLIF_OK, clif_rule_add(c, &inner));

	struct pkt_buf f1, f2, f3, f4;
	pkt_reset(&f1);
	tcp_frame(f1, V4_S, V4_FAR, 300); // host (whole frame) and the /24, both on the source
	pkt_reset(&f2);
	tcp_frame(f2, V4_D, V4_FAR, 600); // the /24 only: 128 bytes
	pkt_reset(&f3);
	vxlan_tcp4(f3, 5000); // outer 10.0.0.1 -> 10.0.0.2, inner 192.168.7.1 -> .2 in VNI 5000
	pkt_reset(&f4);
	tcp_frame(f4, V4_FAR, IV4_S, 200); // nobody's
	uint64_t t_before = mono_ns();
	simcard_frame(f1, 3);
	simcard_frame(f2, 4);
	simcard_frame(f4, 5);
	simcard_frame(f3, 6);

	LONGS_EQUAL(3, dequeue_all());
	const struct clif_c2h_rec *r = v[0].hdr;
	LONGS_EQUAL(2, r->n_match);
	UNSIGNED_LONGS_EQUAL(0x10, r->handle[0]);
	UNSIGNED_LONGS_EQUAL(0x20, r->handle[1]);
	LONGS_EQUAL(CLIF_SIDE_OUTER_SRC, r->side[0]);
	LONGS_EQUAL(CLIF_SIDE_OUTER_SRC, r->side[1]);
	LONGS_EQUAL(3, r->vport);
	LONGS_EQUAL(300, r->cap_len);
	LONGS_EQUAL(0, r->flags);
	check_frame(v[0], f1);
	CHECK(r->ts_ns >= t_before);

	r = v[1].hdr;
	LONGS_EQUAL(1, r->n_match);
	UNSIGNED_LONGS_EQUAL(0x20, r->handle[0]);
	LONGS_EQUAL(CLIF_SIDE_OUTER_SRC, r->side[0]);
	LONGS_EQUAL(4, r->vport);
	LONGS_EQUAL(128, r->cap_len);
	LONGS_EQUAL(CLIF_REC_F_TRUNCATED, r->flags);
	check_frame(v[1], f2);
	CHECK(r->ts_ns >= v[0].hdr->ts_ns);
	UNSIGNED_LONGS_EQUAL(v[0].hdr->seq + 1, r->seq);

	r = v[2].hdr;
	LONGS_EQUAL(3, r->n_match);
	UNSIGNED_LONGS_EQUAL(0x10, r->handle[0]);
	UNSIGNED_LONGS_EQUAL(0x20, r->handle[1]);
	UNSIGNED_LONGS_EQUAL(0x30, r->handle[2]);
	LONGS_EQUAL(CLIF_SIDE_OUTER_SRC, r->side[0]);
	LONGS_EQUAL(CLIF_SIDE_OUTER_SRC | CLIF_SIDE_OUTER_DST, r->side[1]);
	LONGS_EQUAL(CLIF_SIDE_INNER_DST, r->side[2]);
	LONGS_EQUAL(6, r->vport);
	LONGS_EQUAL(CLIF_REC_F_VNI, r->flags);
	UNSIGNED_LONGS_EQUAL(5000, r->vni);
	LONGS_EQUAL(CLIF_OVERLAY_VXLAN, r->overlay);
	LONGS_EQUAL(f3.len, r->cap_len);
	check_frame(v[2], f3);
	CHECK(r->ts_ns >= v[1].hdr->ts_ns);
	UNSIGNED_LONGS_EQUAL(v[0].hdr->seq + 2, r->seq); // the unmatched frame took no seq
	clif_c2h_release(c, 3);
	UNSIGNED_LONGS_EQUAL(simcard().c2h->prod, simcard().c2h->cons);

	struct clif_c2h_stats cs;
	LONGS_EQUAL(CLIF_OK, clif_c2h_stats(c, &cs));
	UNSIGNED_LONGLONGS_EQUAL(3, cs.records);
	UNSIGNED_LONGLONGS_EQUAL(300 + 128 + f3.len, cs.bytes);
	UNSIGNED_LONGLONGS_EQUAL(0, cs.seq_gaps + cs.card_drops + cs.corrupt);

	struct clif_rule_counter rc[8];
	uint32_t n = 0;
	LONGS_EQUAL(CLIF_OK, clif_rule_counters(c, 0, rc, 8, &n));
	LONGS_EQUAL(3, n);
	UNSIGNED_LONGS_EQUAL(0x10, rc[0].handle);
	UNSIGNED_LONGLONGS_EQUAL(2, rc[0].packets);
	UNSIGNED_LONGLONGS_EQUAL(f1.len + f3.len, rc[0].bytes);
	UNSIGNED_LONGS_EQUAL(0x20, rc[1].handle);
	UNSIGNED_LONGLONGS_EQUAL(3, rc[1].packets);
	UNSIGNED_LONGS_EQUAL(0x30, rc[2].handle);
	UNSIGNED_LONGLONGS_EQUAL(1, rc[2].packets);
	LONGS_EQUAL(CLIF_OK, clif_rule_counters(c, 0x11, rc, 1, &n));
	LONGS_EQUAL(1, n);
	UNSIGNED_LONGS_EQUAL(0x20, rc[0].handle);
	struct clif_dp_counters dc;
	LONGS_EQUAL(CLIF_OK, clif_dp_counters(c, &dc));
	UNSIGNED_LONGLONGS_EQUAL(4, dc.frames);
	UNSIGNED_LONGLONGS_EQUAL(3, dc.matched);
	UNSIGNED_LONGLONGS_EQUAL(3, dc.captured);

	// Deleted: nothing more arrives.
	LONGS_EQUAL(CLIF_OK, clif_rule_delete(c, 0x10));
	LONGS_EQUAL(CLIF_OK, clif_rule_delete(c, 0x20));
	LONGS_EQUAL(CLIF_OK, clif_rule_delete(c, 0x30));
	simcard_frame(f1, 3);
	simcard_frame(f2, 4);
	simcard_frame(f3, 6);
	LONGS_EQUAL(0, dequeue_all());
	LONGS_EQUAL(CLIF_OK, clif_dp_counters(c, &dc));
	UNSIGNED_LONGLONGS_EQUAL(7, dc.frames);
	UNSIGNED_LONGLONGS_EQUAL(3, dc.captured);
	struct clif_table_stats ts;
	LONGS_EQUAL(CLIF_OK, clif_table_stats(c, &ts));
	UNSIGNED_LONGS_EQUAL(0, ts.rule_used);
}

TEST(Libclif, ModifyChangesTheSnapLength)
{
	open();
	struct clif_cmd_rule r = v4_rule(0x44, CLIF_RULE_EXACT, V4_S, 0, 0);
	LONGS_EQUAL(CLIF_OK, clif_rule_add(c, &r));
	r.snap_len = 64;
	LONGS_EQUAL(CLIF_OK, clif_rule_modify(c, &r));
	tcp_frame(f, V4_S, V4_FAR, 500);
	simcard_frame(f);
	LONGS_EQUAL(1, dequeue_all());
	LONGS_EQUAL(64, v[0].hdr->cap_len);
	LONGS_EQUAL(500, v[0].hdr->orig_len);
	LONGS_EQUAL(128, v[0].hdr->rec_len);
	clif_c2h_release(c, 1);
	r.handle = 0x45;
	LONGS_EQUAL(CLIF_E_NOENT, clif_rule_modify(c, &r));
}

TEST(Libclif, LearnEventsDrainThroughTheHandle)
{
	open();
	struct clif_cmd_rule m = mac_rule(OWNER, TGT_MAC);
	LONGS_EQUAL(CLIF_OK, clif_rule_add(c, &m));
	const uint8_t ip2[4] = { 10, 1, 2, 9 };
	dhcp_ack(f);
	simcard_frame(f, 4);
	dhcp_ack(f, ip2);
	simcard_frame(f, 4);
	simcard_idle();
	simcard_idle();

	// One event at a time: what one answer carried beyond that is kept for the next call.
	struct clif_learn_event e[4];
	uint32_t n = 0, total = 0, binds = 0;
	do {
		LONGS_EQUAL(CLIF_OK, clif_learn_drain(c, e, 1, &n));
		if (n) {
			LONGS_EQUAL(CLIF_LEARN_SRC_DHCPV4, e[0].source);
			UNSIGNED_LONGS_EQUAL(OWNER, e[0].handle);
			MEMCMP_EQUAL(TGT_MAC, e[0].mac, 6);
			binds += e[0].kind == CLIF_LEARN_BIND;
		}
		total += n;
	} while (n && total < 16);
	CHECK(binds >= 2);
	LONGS_EQUAL(CLIF_OK, clif_learn_drain(c, e, 4, &n));
	LONGS_EQUAL(0, n);
	LONGS_EQUAL(CLIF_OK, clif_config(c, CLIF_CFG_LEARN_AGE_S, 60));
}

// ---- the consumer ----

TEST(Libclif, FullRingDropsCountedAsGapsWithoutCorruption)
{
	open(4096);
	struct clif_cmd_rule r = v4_rule(0x10, CLIF_RULE_EXACT, V4_S, 0, 0);
	LONGS_EQUAL(CLIF_OK, clif_rule_add(c, &r));
	tcp_frame(f, V4_S, V4_FAR, 200); // 320-byte records: 12 fit in 4096
	for (int i = 0; i < 40; i++)
		simcard_frame(f);
	int n = dequeue_all();
	LONGS_EQUAL(12, n);
	for (int i = 0; i < n; i++) {
		UNSIGNED_LONGS_EQUAL(i, v[i].hdr->seq);
		check_frame(v[i], f);
	}
	LONGS_EQUAL(0, clif_c2h_dequeue(c, v, 64)); // nothing new while nothing was released
	struct clif_c2h_stats cs;
	LONGS_EQUAL(CLIF_OK, clif_c2h_stats(c, &cs));
	UNSIGNED_LONGLONGS_EQUAL(28, cs.card_drops);
	UNSIGNED_LONGLONGS_EQUAL(0, cs.seq_gaps); // not seen yet: the next record shows it
	struct clif_dp_counters dc;
	LONGS_EQUAL(CLIF_OK, clif_dp_counters(c, &dc));
	UNSIGNED_LONGLONGS_EQUAL(28, dc.capture_drops);

	clif_c2h_release(c, 5); // partly: room for the end's pad and five records
	for (int i = 0; i < 5; i++)
		simcard_frame(f);
	LONGS_EQUAL(5, dequeue_all()); // the end's pad skipped
	UNSIGNED_LONGS_EQUAL(40, v[0].hdr->seq);
	clif_c2h_release(c, 200);
	LONGS_EQUAL(CLIF_OK, clif_c2h_stats(c, &cs));
	UNSIGNED_LONGLONGS_EQUAL(0, cs.corrupt);
	UNSIGNED_LONGLONGS_EQUAL(17, cs.records);
	UNSIGNED_LONGLONGS_EQUAL(28, cs.seq_gaps);
	UNSIGNED_LONGLONGS_EQUAL(28, cs.card_drops);
	UNSIGNED_LONGS_EQUAL(simcard().c2h->prod, simcard().c2h->cons);
}

TEST(Libclif, ManyWrapsWithPadsAndPartialReleases)
{
	open(16384);
	struct clif_cmd_rule r = v4_rule(0x10, CLIF_RULE_EXACT, V4_S, 0, 0);
	LONGS_EQUAL(CLIF_OK, clif_rule_add(c, &r));
	struct pkt_rng rng;
	pkt_rng_seed(&rng, 7);
	static struct pkt_buf sent[8];
	uint32_t next_seq = 0, held = 0;
	for (int round = 0; round < 300; round++) {
		uint32_t k = 1 + pkt_rng_below(&rng, 8);
		for (uint32_t i = 0; i < k; i++) {
			pkt_reset(&sent[i]);
			tcp_frame(sent[i], V4_S, V4_FAR, (uint16_t)(60 + pkt_rng_below(&rng, 1400)), (uint8_t)round);
			simcard_frame(sent[i]);
		}
		int n = dequeue_all();
		LONGS_EQUAL(k, n); // 8 records of at most 1536 bytes and a pad fit in 16384
		for (int i = 0; i < n; i++) {
			UNSIGNED_LONGS_EQUAL(next_seq++, v[i].hdr->seq);
			check_frame(v[i], sent[i]);
		}
		held += n;
		uint32_t rel = pkt_rng_below(&rng, held + 1);
		clif_c2h_release(c, rel);
		held -= rel;
		clif_c2h_release(c, held); // the rest, separately
		held = 0;
	}
	struct clif_c2h_stats cs;
	LONGS_EQUAL(CLIF_OK, clif_c2h_stats(c, &cs));
	UNSIGNED_LONGLONGS_EQUAL(next_seq, cs.records);
	UNSIGNED_LONGLONGS_EQUAL(0, cs.seq_gaps + cs.card_drops + cs.corrupt);
}

TEST(Libclif, CorruptRecordIsCountedAndTheRingResynchronised)
{
	open(8192);
	struct clif_cmd_rule r = v4_rule(0x10, CLIF_RULE_EXACT, V4_S, 0, 0);
	LONGS_EQUAL(CLIF_OK, clif_rule_add(c, &r));
	tcp_frame(f, V4_S, V4_FAR, 100); // 192-byte records
	for (int i = 0; i < 4; i++)
		simcard_frame(f);
	simcard_idle();
	uint8_t *ring = simcard().dma; // the ring is the first allocation of the DMA region
	struct clif_c2h_rec *second = (struct clif_c2h_rec *)(void *)(ring + (simcard().c2h->prod - 3 * 192) % 8192);
	second->rec_len = 100;
	LONGS_EQUAL(1, clif_c2h_dequeue(c, v, 64)); // the good one before
	LONGS_EQUAL(CLIF_E_IO, clif_c2h_dequeue(c, v, 64));
	LONGS_EQUAL(0, clif_c2h_dequeue(c, v, 64));
	clif_c2h_release(c, 1);
	UNSIGNED_LONGS_EQUAL(simcard().c2h->prod, simcard().c2h->cons); // the bad bytes went back too

	// A frame length the record cannot hold.
	simcard_frame(f);
	simcard_idle();
	struct clif_c2h_rec *last = (struct clif_c2h_rec *)(void *)(ring + (simcard().c2h->prod - 192) % 8192);
	last->cap_len = 200;
	LONGS_EQUAL(CLIF_E_IO, clif_c2h_dequeue(c, v, 64));
	UNSIGNED_LONGS_EQUAL(simcard().c2h->prod, simcard().c2h->cons);

	// Afterwards records flow again.
	simcard_frame(f);
	LONGS_EQUAL(1, dequeue_all());
	check_frame(v[0], f);
	clif_c2h_release(c, 1);
	struct clif_c2h_stats cs;
	LONGS_EQUAL(CLIF_OK, clif_c2h_stats(c, &cs));
	UNSIGNED_LONGLONGS_EQUAL(2, cs.corrupt);
	UNSIGNED_LONGLONGS_EQUAL(2, cs.records);
	UNSIGNED_LONGLONGS_EQUAL(0, cs.seq_gaps);
}

// ---- resets and health ----

TEST(Libclif, ResetIsDetectedAndTheCallbackReplaysTheRules)
{
	open();
	struct replay rp;
	memset(&rp, 0, sizeof(rp));
	rp.rule = v4_rule(0x10, CLIF_RULE_EXACT, V4_S, 0, 0);
	clif_on_reset(c, replay_rules, &rp);
	LONGS_EQUAL(CLIF_OK, clif_rule_add(c, &rp.rule));
	tcp_frame(f, V4_S, V4_FAR, 100);
	simcard_frame(f);
	LONGS_EQUAL(1, dequeue_all());
	clif_c2h_release(c, 1);
	LONGS_EQUAL(CLIF_OK, clif_poll(c, 0));
	LONGS_EQUAL(0, rp.calls);

	uint32_t gen = simcard().ident->reset_gen;
	simcard_flr();
	simcard_frame(f); // tables empty, ring registers cleared: nothing
	simcard_idle();
	LONGS_EQUAL(CLIF_E_RESET, clif_c2h_dequeue(c, v, 64)); // the ring is gone until clif_poll()
	LONGS_EQUAL(CLIF_OK, clif_poll(c, 0));
	LONGS_EQUAL(1, rp.calls);
	UNSIGNED_LONGS_EQUAL(gen + 1, rp.gen);
	LONGS_EQUAL(CLIF_OK, rp.rc);
	UNSIGNED_LONGS_EQUAL(CLIF_RING_CTRL_ENABLE, simcard().c2h->ctrl);
	simcard_frame(f);
	LONGS_EQUAL(1, dequeue_all());
	UNSIGNED_LONGS_EQUAL(0x10, v[0].hdr->handle[0]);
	clif_c2h_release(c, 1);
	LONGS_EQUAL(CLIF_OK, clif_poll(c, 0));
	LONGS_EQUAL(1, rp.calls);

	// A reset the host asks for: the same replay, at once.
	LONGS_EQUAL(CLIF_OK, clif_card_reset(c));
	LONGS_EQUAL(2, rp.calls);
	UNSIGNED_LONGS_EQUAL(gen + 2, rp.gen);
	LONGS_EQUAL(CLIF_OK, rp.rc);
	simcard_frame(f);
	LONGS_EQUAL(1, dequeue_all());
	UNSIGNED_LONGS_EQUAL(0x10, v[0].hdr->handle[0]);
	clif_c2h_release(c, 1);
	LONGS_EQUAL(CLIF_OK, clif_poll(c, 0));
	LONGS_EQUAL(2, rp.calls);
}

TEST(Libclif, StoppedHeartbeatTimesOut)
{
	open();
	LONGS_EQUAL(CLIF_OK, clif_poll(c, 300));
	simcard_pause(true);
	LONGS_EQUAL(CLIF_OK, clif_poll(c, 300)); // the last heartbeat before the pause
	sleep_ms(450);
	LONGS_EQUAL(CLIF_E_TIMEOUT, clif_poll(c, 300));
	simcard_pause(false);
	uint64_t end = mono_ns() + 2000000000ull;
	int rc;
	do {
		sleep_ms(20);
		rc = clif_poll(c, 300);
	} while (rc != CLIF_OK && mono_ns() < end);
	LONGS_EQUAL(CLIF_OK, rc);
}
