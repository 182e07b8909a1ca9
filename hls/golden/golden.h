/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Golden model of the data plane: hls/SEMANTICS.md written as plainly as possible, over a
 * contiguous frame buffer and plain rule lists, with linear scans. It shares no code with the
 * HLS data plane; the C-simulation testbench compares the two packet by packet.
 */
#ifndef CLIF_GOLDEN_H
#define CLIF_GOLDEN_H

#include <stdint.h>

#include "clif/c2h.h"
#include "clif/match.h"
#include "../dp_config.h"

/* The rules as lists. exact: any order; prefix and ternary: in table index order (the
 * testbench places entry i at index i, so prefix_count = n_prefix); rules: index = slot. */
struct golden_tables {
	const struct clif_exact_entry *exact;
	uint32_t n_exact;
	const struct clif_prefix_entry *prefix;
	uint32_t n_prefix;
	const struct clif_ternary_entry *ternary;
	uint32_t n_ternary;
	const struct clif_rule_entry *rules;
	uint32_t n_rules;
};

struct golden_result {
	uint16_t parse_err;            /* CLIF_PERR_* */
	int overflow;                  /* the frame counts in match_overflow */
	uint32_t n_hits;               /* hit list, SEMANTICS.md section 3 */
	uint32_t hit_slot[CLIF_DP_MAX_HITS];
	uint8_t hit_side[CLIF_DP_MAX_HITS];
	int capture;                   /* a C2H record is due */
	struct clif_c2h_rec cap_rec;   /* every field but seq (0 here) */
	int punt;                      /* a punt record is due */
	struct clif_c2h_rec punt_rec;  /* every field but seq (0 here) */
};

/* Runs one frame of len bytes (len <= CLIF_DP_MAX_FRAME) through the model. */
void golden_frame(const struct golden_tables *t, const uint8_t *frame, uint16_t len,
		  uint16_t vport, uint64_t ts_ns, struct golden_result *out);

#endif /* CLIF_GOLDEN_H */
