/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: arbitrary bytes as a frame through the HLS data plane and the golden
 * model. Sanitizers catch any read outside the frame; the two models must also agree on the
 * forwarded bytes, the parse exceptions, and the record, or the fuzzer stops with the input.
 * Input: 2 bytes of vport, then the frame (at most CLIF_DP_MAX_FRAME bytes).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dp.h"
#include "golden/golden.h"
#include "placer.h"

/* Broad rules so that most frames reach the capture writer: every IPv4 and IPv6 address,
 * one exact MAC, and a ternary TCP/80 qualifier. */
static struct clif_rule_entry rules[3];
static struct clif_prefix_entry prefixes[2];
static struct clif_ternary_entry ternaries[1];
static struct clif_exact_entry exacts[1];
static struct golden_tables gt;
static struct clif_tblwin_regs tw;
static struct clif_ring_regs c2h_regs, punt_regs;
static uint8_t c2h_mem[65536], punt_mem[65536];
static struct clif_dp_counters ctr;

static void setup(void)
{
	static struct placer pl;
	uint32_t i;

	for (i = 0; i < 3; i++) {
		rules[i].handle = 0x100u + i;
		rules[i].actions = i == 1 ? CLIF_ACT_ALL : CLIF_ACT_CAPTURE;
		rules[i].snap_len = i == 2 ? 96 : 0;
		rules[i].flags = CLIF_ENTRY_VALID;
	}
	prefixes[0] = (struct clif_prefix_entry){ .addr_type = CLIF_ADDR_IPV4, .flags = CLIF_ENTRY_VALID, .rule_slot = 0 };
	prefixes[1] = (struct clif_prefix_entry){ .addr_type = CLIF_ADDR_IPV6, .flags = CLIF_ENTRY_VALID, .rule_slot = 0 };
	exacts[0] = (struct clif_exact_entry){ .key = { .addr_type = CLIF_ADDR_MAC, .addr = { 0x02, 0, 0, 0, 0, 1 } },
					       .rule_slot = 1, .flags = CLIF_ENTRY_VALID };
	ternaries[0] = (struct clif_ternary_entry){ .addr_type = CLIF_ADDR_IPV4, .flags = CLIF_ENTRY_VALID,
						    .ip_proto = 6, .ip_proto_mask = 0xff, .port_peer = 80,
						    .port_peer_mask = 0xffff, .rule_slot = 2 };
	if (placer_init(&pl, &tw))
		abort();
	for (i = 0; i < 3; i++)
		placer_rule(&pl, i, &rules[i]);
	placer_prefix(&pl, &prefixes[0]);
	placer_prefix(&pl, &prefixes[1]);
	placer_exact(&pl, &exacts[0]);
	placer_ternary(&pl, &ternaries[0]);
	placer_fini(&pl);
	gt = (struct golden_tables){ exacts, 1, prefixes, 2, ternaries, 1, rules, 3 };
	c2h_regs.size = punt_regs.size = sizeof(c2h_mem);
	c2h_regs.ctrl = punt_regs.ctrl = CLIF_RING_CTRL_ENABLE;
}

static void check_record(const struct clif_ring_regs *r, const uint8_t *mem, uint32_t prod_before,
			 const struct clif_c2h_rec *want, const uint8_t *frame)
{
	struct clif_c2h_rec got, exp = *want;
	uint32_t pos = prod_before % r->size;

	memcpy(&got, mem + pos, sizeof(got));
	if (got.flags & CLIF_REC_F_PAD) {
		pos = 0;
		memcpy(&got, mem, sizeof(got));
	}
	exp.seq = got.seq;
	if (memcmp(&got, &exp, sizeof(got)) || memcmp(mem + pos + CLIF_REC_HDR_BYTES, frame, exp.cap_len))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dp_beat in[CLIF_DP_MAX_BEATS], fwd[CLIF_DP_MAX_BEATS];
	static int ready;
	struct dp_meta meta = { 0 };
	struct golden_result g;
	uint32_t c2h_prod, punt_prod;
	uint16_t len;

	if (!ready) {
		setup();
		ready = 1;
	}
	if (size < 2)
		return 0;
	len = (uint16_t)(size - 2 > CLIF_DP_MAX_FRAME ? CLIF_DP_MAX_FRAME : size - 2);
	meta.vport = (uint16_t)(data[0] | data[1] << 8);
	meta.frame_len = len;
	memcpy(in, data + 2, len);
	c2h_prod = c2h_regs.prod;
	punt_prod = punt_regs.prod;

	clif_dp_top(in, fwd, &meta, 1, &tw, &c2h_regs, c2h_mem, &punt_regs, punt_mem, &ctr);
	golden_frame(&gt, data + 2, len, meta.vport, 0, &g);

	if (memcmp(fwd, data + 2, len))
		abort();
	if (g.capture != (c2h_regs.prod != c2h_prod) || g.punt != (punt_regs.prod != punt_prod))
		abort();
	if (g.capture)
		check_record(&c2h_regs, c2h_mem, c2h_prod, &g.cap_rec, data + 2);
	if (g.punt)
		check_record(&punt_regs, punt_mem, punt_prod, &g.punt_rec, data + 2);
	/* the consumer keeps up, so every copy fits */
	c2h_regs.cons = c2h_regs.prod;
	punt_regs.cons = punt_regs.prod;
	return 0;
}
