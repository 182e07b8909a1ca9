/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Table window: the AXI-lite register block through which the card's firmware programs the
 * data plane's match tables. It is card-internal (not in BAR0).
 *
 * Protocol (one entry at a time):
 *  write:  put the entry's bytes in data[] (little-endian words), set table and index, then
 *          write CLIF_TW_CMD_WRITE to cmd. The data plane replaces the whole entry between two
 *          packets: a lookup sees the old entry or the new one, never a mix.
 *  read:   set table and index, write CLIF_TW_CMD_READ; data[] then holds the entry.
 *  clear:  table CLIF_TBL_HITS, index = rule slot, CLIF_TW_CMD_CLEAR_HITS zeroes that rule's
 *          hit counter (any other table answers CLIF_TW_ST_BAD_TABLE).
 *  reset:  CLIF_TW_CMD_RESET invalidates every entry, zeroes every hit counter and sets
 *          prefix_count and ternary_count to 0.
 * cmd is written last (it is the doorbell). status reads CLIF_TW_ST_DONE or an error.
 * Geometry registers are read-only and tell the firmware the sizes this bitstream was built with.
 */
#ifndef CLIF_TBLWIN_H
#define CLIF_TBLWIN_H

#include "abi.h"

enum clif_tw_table {
	CLIF_TBL_EXACT = 1,   /* index = way * exact_way_size + bucket; entry clif_exact_entry */
	CLIF_TBL_PREFIX = 2,  /* entry clif_prefix_entry */
	CLIF_TBL_TERNARY = 3, /* entry clif_ternary_entry */
	CLIF_TBL_RULE = 4,    /* index = rule slot; entry clif_rule_entry */
	CLIF_TBL_HITS = 5,    /* index = rule slot; clif_hit_counter, read-only */
	CLIF_TBL_EXACT_STASH = 6, /* clif_exact_entry; a few entries compared with every probe */
};

enum clif_tw_cmd {
	CLIF_TW_CMD_NONE = 0,
	CLIF_TW_CMD_WRITE = 1,
	CLIF_TW_CMD_READ = 2,
	CLIF_TW_CMD_CLEAR_HITS = 3,
	CLIF_TW_CMD_RESET = 4,
};

enum clif_tw_status {
	CLIF_TW_ST_IDLE = 0,
	CLIF_TW_ST_DONE = 1,
	CLIF_TW_ST_BAD_TABLE = 2,
	CLIF_TW_ST_BAD_INDEX = 3,
	CLIF_TW_ST_BAD_CMD = 4,
	CLIF_TW_ST_READ_ONLY = 5,
};

#define CLIF_TW_DATA_WORDS 16u /* 64 bytes: the largest entry */

struct clif_tblwin_regs {
	struct clif_blk_hdr hdr;  /* type CLIF_BLK_TBLWIN */
	/* read-only geometry */
	uint32_t exact_ways;
	uint32_t exact_way_size;  /* a power of two */
	uint32_t prefix_entries;
	uint32_t ternary_entries;
	uint32_t rule_slots;
	uint32_t hash_seed;       /* seed of clif_exact_hash() in this bitstream */
	uint32_t exact_stash_entries; /* keys that found no bucket can live here */
	uint32_t rsvd0;
	/* read-write */
	uint32_t prefix_count;    /* entries [0, prefix_count) are searched */
	uint32_t ternary_count;   /* entries [0, ternary_count) are searched */
	uint32_t table;           /* enum clif_tw_table */
	uint32_t index;
	uint32_t status;          /* enum clif_tw_status, written by the data plane */
	uint32_t cmd;             /* enum clif_tw_cmd: the doorbell, written last */
	uint32_t rsvd1[2];
	uint32_t data[CLIF_TW_DATA_WORDS];
};
_Static_assert(sizeof(struct clif_tblwin_regs) == 144, "clif_tblwin_regs is 144 bytes");
_Static_assert(offsetof(struct clif_tblwin_regs, exact_ways) == 16, "tw geometry offset");
_Static_assert(offsetof(struct clif_tblwin_regs, prefix_count) == 48, "tw prefix_count offset");
_Static_assert(offsetof(struct clif_tblwin_regs, cmd) == 68, "tw cmd offset");
_Static_assert(offsetof(struct clif_tblwin_regs, data) == 80, "tw data offset");

#endif /* CLIF_TBLWIN_H */
