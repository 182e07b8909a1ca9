/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The synthesis top: one kernel owns the tables, so the table window and the frame path are
 * served by the same function. Window commands run before the frame, which gives the
 * "between two frames" replacement the window protocol promises. Arguments are flat (no
 * pointers inside structs) so that each becomes one interface port.
 */
#include "dp.h"

void clif_dp_top(const struct dp_beat in[CLIF_DP_MAX_BEATS], struct dp_beat fwd[CLIF_DP_MAX_BEATS],
		 const struct dp_meta *meta, uint32_t have_frame, volatile struct clif_tblwin_regs *tw,
		 volatile struct clif_ring_regs *c2h_regs, uint8_t *c2h_mem, volatile struct clif_ring_regs *punt_regs,
		 uint8_t *punt_mem, volatile struct clif_dp_counters *ctr)
{
#pragma HLS INTERFACE axis port = in
#pragma HLS INTERFACE axis port = fwd
#pragma HLS INTERFACE s_axilite port = meta bundle = ctrl
#pragma HLS INTERFACE s_axilite port = have_frame bundle = ctrl
#pragma HLS INTERFACE s_axilite port = tw bundle = tblwin
#pragma HLS INTERFACE s_axilite port = c2h_regs bundle = ctrl
#pragma HLS INTERFACE m_axi port = c2h_mem offset = slave bundle = host
#pragma HLS INTERFACE s_axilite port = punt_regs bundle = ctrl
#pragma HLS INTERFACE m_axi port = punt_mem offset = slave bundle = card
#pragma HLS INTERFACE s_axilite port = ctr bundle = ctrl
#pragma HLS INTERFACE s_axilite port = return bundle = ctrl
	struct dp_ring c2h, punt;

	c2h.regs = c2h_regs;
	c2h.mem = c2h_mem;
	punt.regs = punt_regs;
	punt.mem = punt_mem;
	clif_dp_tblwin(tw);
	if (have_frame)
		clif_dp_frame(in, fwd, meta, c2h, punt, ctr);
}
