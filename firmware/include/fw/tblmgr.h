/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Table manager: owns the data plane's match tables. It decides where every entry goes and
 * writes it through the table window; the data plane only looks up.
 *
 * Rules come as struct clif_cmd_rule (the mailbox format, already validated by the mailbox
 * server). Each rule gets one key; rules with identical keys share it (a reference count) and
 * share its rule slot: the slot reports the oldest sharing rule's handle, captures when any
 * of them captures, punts when any punts, and copies the longest snap length (0 = whole frame
 * wins). Deleting a rule updates the slot; deleting the last one frees the key.
 *
 * Exact keys: cuckoo placement over the ways (geometry from the window), a breadth-first
 * search over kick chains bounded by TM_BFS_NODES, then the stash. Moves are make-before-break:
 * every key already installed stays findable in one of its buckets or the stash after every
 * single window write (the data plane replaces a whole entry between two frames). Target:
 * >= 95% of the ways' capacity before the first refused insert.
 * Prefix entries are kept packed in [0, prefix_count). Ternary rules expand their port ranges
 * into value/mask entries; entries are kept packed in [0, ternary_count).
 *
 * Every function returns an enum clif_mbox_status (0 = CLIF_MBOX_OK).
 */
#ifndef FW_TBLMGR_H
#define FW_TBLMGR_H

#include <stddef.h>
#include <stdint.h>

#include "clif/mbox.h"
#include "clif/tblwin.h"

#define TM_BFS_NODES 512u      /* buckets a breadth-first placement search may visit */
#define TM_TERNARY_EXPAND 64u  /* ternary entries one rule may expand to (port ranges) */
#define TM_TW_WAIT_POLLS 100000u /* polls of the window's cmd register before fw_panic() */

struct tm_geometry {
	uint32_t ways;
	uint32_t way_size;
	uint32_t stash;
	uint32_t prefix;
	uint32_t ternary;
	uint32_t rule_slots;
	uint32_t seed;
};


struct tblmgr {
	volatile struct clif_tblwin_regs *tw;
	struct tm_geometry geo;
	uint32_t max_rules;
	void *state; /* carved from the arena given to tm_init() */
	uint64_t window_writes;
	uint32_t bfs_max_visited; /* largest search so far, for tuning */
};

/* Arena bytes tm_init() needs for a geometry and at most max_rules rules. */
size_t tm_arena_size(const struct tm_geometry *g, uint32_t max_rules);

/* Reads the geometry from the window's read-only registers. */
void tm_read_geometry(volatile struct clif_tblwin_regs *tw, struct tm_geometry *g);

/*
 * Resets the tables through the window and sets up the manager in arena.
 * Returns CLIF_MBOX_OK, or CLIF_MBOX_EFULL when the arena is too small for the geometry and
 * max_rules, CLIF_MBOX_ERANGE for a geometry the manager cannot use (way size not a power of
 * two, no ways).
 */
int tm_init(struct tblmgr *tm, volatile struct clif_tblwin_regs *tw, void *arena, size_t arena_size,
	    uint32_t max_rules);

/*
 * Adds a rule. report_handle is the handle its slot reports in records (r->handle for host
 * rules; the owning MAC rule's handle for addresses the learner installs).
 * Returns CLIF_MBOX_OK, CLIF_MBOX_EEXIST (handle in use), CLIF_MBOX_EFULL (no room in the table
 * the key needs, or too many rules), CLIF_MBOX_EINVAL (fields that do not make sense together).
 * On an error nothing changed.
 */
int tm_add(struct tblmgr *tm, const struct clif_cmd_rule *r, uint32_t report_handle);

/*
 * Replaces a rule's key, actions and qualifiers; the new key is installed before the old one
 * goes (make-before-break). Returns CLIF_MBOX_OK, CLIF_MBOX_ENOENT, CLIF_MBOX_EFULL,
 * CLIF_MBOX_EINVAL; on an error the old rule stays.
 */
int tm_modify(struct tblmgr *tm, const struct clif_cmd_rule *r, uint32_t report_handle);

/* Removes a rule. Returns CLIF_MBOX_OK or CLIF_MBOX_ENOENT. */
int tm_delete(struct tblmgr *tm, uint32_t handle);

/* Looks a rule up; returns CLIF_MBOX_OK and copies it, or CLIF_MBOX_ENOENT. */
int tm_get(const struct tblmgr *tm, uint32_t handle, struct clif_cmd_rule *out);

/* Fills the table statistics (capacities and use). Returns CLIF_MBOX_OK. */
int tm_stats(const struct tblmgr *tm, struct clif_table_stats *st);

/*
 * Hit counters of the rules with handle >= first, in handle order, at most max of them, read
 * through the window (rules that share a slot report the slot's counters). *n gets the count.
 * Returns CLIF_MBOX_OK.
 */
int tm_counters(struct tblmgr *tm, uint32_t first, struct clif_rule_counter *out, uint32_t max, uint32_t *n);

/* Empties every table (window RESET) and forgets every rule. */
void tm_reset(struct tblmgr *tm);

/*
 * Checks the manager's own invariants against the window (reads every entry back): each key
 * in one of its buckets or the stash, slots and reference counts consistent, prefix and
 * ternary tables packed. Returns the number of violations (0 = consistent); for tests and the
 * boot self-test.
 */
uint32_t tm_check(struct tblmgr *tm);

#endif /* FW_TBLMGR_H */
