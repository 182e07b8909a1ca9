/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A small software placer for the testbench and the benchmark: programs the data plane's
 * tables through the table window exactly as the firmware does (the firmware's table manager,
 * with make-before-break updates and a stash, is a separate component).
 */
#ifndef CLIF_PLACER_H
#define CLIF_PLACER_H

#include <stdint.h>

#include "clif/match.h"
#include "clif/tblwin.h"

struct placer {
	volatile struct clif_tblwin_regs *tw;
	uint32_t ways;
	uint32_t way_size;
	uint32_t seed;
	uint32_t prefix_used;
	uint32_t ternary_used;
	uint32_t kicks;                 /* random-walk budget per insert */
	uint32_t stash_used;
	struct clif_exact_entry *shadow; /* ways * way_size: what the window holds */
	uint64_t rng;
};

/* Resets the data plane's tables through the window and reads its geometry.
 * Returns 0, or -1 if the shadow table cannot be allocated. */
int placer_init(struct placer *pl, volatile struct clif_tblwin_regs *tw);
void placer_fini(struct placer *pl);

/* One window command; returns the window's status (CLIF_TW_ST_*). */
uint32_t placer_cmd(struct placer *pl, uint32_t table, uint32_t index, uint32_t cmd, const void *entry,
		    uint32_t entry_len);

/* Each returns 0, or -1 when the table is full (exact: no place within the kick budget). */
int placer_rule(struct placer *pl, uint32_t slot, const struct clif_rule_entry *r);
int placer_exact(struct placer *pl, const struct clif_exact_entry *e);
int placer_prefix(struct placer *pl, const struct clif_prefix_entry *e);
int placer_ternary(struct placer *pl, const struct clif_ternary_entry *e);
/* Puts an exact entry straight into the stash (exact inserts also fall back to it). */
int placer_exact_stash(struct placer *pl, const struct clif_exact_entry *e);

/* Reads a rule's hit counter through the window. */
struct clif_hit_counter placer_hits(struct placer *pl, uint32_t slot);

#endif /* CLIF_PLACER_H */
