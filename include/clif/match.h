/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Match table entry formats, as the firmware writes them through the table window (tblwin.h)
 * and as the data plane stores them.
 *
 * Every table entry points at a rule slot; the rule table holds what to do on a hit and the
 * host's rule handle. Table entries move (cuckoo kicks); rule slots do not, so per-rule hit
 * counters are indexed by rule slot.
 */
#ifndef CLIF_MATCH_H
#define CLIF_MATCH_H

#include "abi.h"

/* Entry flags (all tables). */
#define CLIF_ENTRY_VALID 0x01u

/* Exact-match key: one address in one scope. The hash (exact_hash.h) covers every field but rsvd. */
struct clif_exact_key {
	uint8_t addr_type;    /* enum clif_addr_type */
	uint8_t scope_type;   /* enum clif_scope_type */
	uint16_t rsvd;
	uint32_t scope_value; /* 0 for CLIF_SCOPE_ANY; vport (16 bit), VID (12 bit) or VNI (24 bit) */
	uint8_t addr[CLIF_ADDR_BYTES];
};
_Static_assert(sizeof(struct clif_exact_key) == 24, "clif_exact_key is 24 bytes");
_Static_assert(offsetof(struct clif_exact_key, scope_value) == 4, "exact key scope offset");
_Static_assert(offsetof(struct clif_exact_key, addr) == 8, "exact key addr offset");

struct clif_exact_entry {
	struct clif_exact_key key;
	uint32_t rule_slot;
	uint32_t flags;       /* CLIF_ENTRY_VALID */
};
_Static_assert(sizeof(struct clif_exact_entry) == 32, "clif_exact_entry is 32 bytes");
_Static_assert(offsetof(struct clif_exact_entry, rule_slot) == 24, "exact entry slot offset");

/*
 * Prefix entry: the first prefix_len bits of addr, in one scope. Every valid prefix entry
 * that covers an address fires (not only the longest): two CIDR warrants that overlap both
 * get the copy. Entries are kept packed in [0, prefix_count) (tblwin.h); order is hit order.
 */
struct clif_prefix_entry {
	uint8_t addr_type;    /* CLIF_ADDR_IPV4 or CLIF_ADDR_IPV6 */
	uint8_t scope_type;
	uint8_t prefix_len;   /* 0..32 or 0..128 */
	uint8_t flags;        /* CLIF_ENTRY_VALID */
	uint32_t scope_value;
	uint8_t addr[CLIF_ADDR_BYTES]; /* bits past prefix_len are zero */
	uint32_t rule_slot;
	uint32_t rsvd;
};
_Static_assert(sizeof(struct clif_prefix_entry) == 32, "clif_prefix_entry is 32 bytes");
_Static_assert(offsetof(struct clif_prefix_entry, addr) == 8, "prefix entry addr offset");
_Static_assert(offsetof(struct clif_prefix_entry, rule_slot) == 24, "prefix entry slot offset");

/*
 * Ternary entry: an address under a mask plus protocol and port qualifiers. "this" is the
 * port on the side whose address is being looked up, "peer" the other side's. Per lookup the
 * matching entry with the highest priority wins (ties: lowest index). Port ranges are
 * expanded to value/mask pairs by the firmware. Entries are packed in [0, ternary_count).
 */
struct clif_ternary_entry {
	uint8_t addr_type;      /* CLIF_ADDR_IPV4 or CLIF_ADDR_IPV6 */
	uint8_t scope_type;
	uint8_t flags;          /* CLIF_ENTRY_VALID */
	uint8_t ip_proto;
	uint8_t ip_proto_mask;
	uint8_t rsvd0;
	uint16_t priority;      /* larger wins */
	uint32_t scope_value;
	uint32_t rule_slot;
	uint8_t addr[CLIF_ADDR_BYTES];
	uint8_t addr_mask[CLIF_ADDR_BYTES];
	uint16_t port_this;
	uint16_t port_this_mask;
	uint16_t port_peer;
	uint16_t port_peer_mask;
	uint32_t rsvd1[2];
};
_Static_assert(sizeof(struct clif_ternary_entry) == 64, "clif_ternary_entry is 64 bytes");
_Static_assert(offsetof(struct clif_ternary_entry, addr) == 16, "ternary entry addr offset");
_Static_assert(offsetof(struct clif_ternary_entry, port_this) == 48, "ternary entry port offset");

/* Rule actions (clif_rule_entry.actions). Every hit is counted; these say what else happens. */
#define CLIF_ACT_CAPTURE 0x0001u /* copy to the host C2H ring, snap_len bytes (0 = whole frame) */
#define CLIF_ACT_PUNT 0x0002u    /* copy to the firmware's punt ring (address learning) */
#define CLIF_ACT_ALL (CLIF_ACT_CAPTURE | CLIF_ACT_PUNT)

struct clif_rule_entry {
	uint32_t handle;   /* the host's rule handle, reported in C2H records */
	uint16_t actions;  /* CLIF_ACT_* */
	uint16_t snap_len; /* bytes of a C2H copy, 0 = whole frame (punt copies are always whole) */
	uint32_t flags;    /* CLIF_ENTRY_VALID */
	uint32_t rsvd;
};
_Static_assert(sizeof(struct clif_rule_entry) == 16, "clif_rule_entry is 16 bytes");

/* Per-rule hit counter, read through the table window (CLIF_TBL_HITS). */
struct clif_hit_counter {
	uint64_t packets;
	uint64_t bytes;    /* original frame lengths */
};
_Static_assert(sizeof(struct clif_hit_counter) == 16, "clif_hit_counter is 16 bytes");

#endif /* CLIF_MATCH_H */
