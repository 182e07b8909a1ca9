/* SPDX-License-Identifier: BSD-3-Clause */
/* Data-plane counters: a read-only block in BAR0, written by the data plane. */
#ifndef CLIF_DPCTR_H
#define CLIF_DPCTR_H

#include "abi.h"

struct clif_dp_counters {
	struct clif_blk_hdr hdr;   /* type CLIF_BLK_DPCTR */
	uint64_t frames;           /* frames seen (and forwarded: every frame is forwarded) */
	uint64_t bytes;
	uint64_t parse_errors;     /* frames with any CLIF_PERR_* bit */
	uint64_t matched;          /* frames that hit at least one rule */
	uint64_t captured;         /* copies written to the C2H ring */
	uint64_t capture_drops;    /* copies lost because the C2H ring was full or disabled */
	uint64_t punted;           /* copies written to the punt ring */
	uint64_t punt_drops;
	uint64_t match_overflow;   /* frames that hit more rules than one record or the hit list holds */
	uint64_t rsvd[7];
};
_Static_assert(sizeof(struct clif_dp_counters) == 144, "clif_dp_counters is 144 bytes");
_Static_assert(offsetof(struct clif_dp_counters, frames) == 16, "dpctr frames offset");

#endif /* CLIF_DPCTR_H */
