/* clifd's rule compiler (issue 6): a task's target identifiers and cloud scope become card
 * rules (include/clif/mbox.h, struct clif_cmd_rule) installed through libclif.
 *
 * Supported target combinations (anything else: X1_E_TARGET_COMBINATION, 3020, before the
 * card is touched; rulecomp_check() says so):
 *  - one or more address targets: ipv4Address, ipv6Address, ipv4Cidr, ipv6Cidr, macAddress,
 *    in any mix;
 *  - address targets qualified by tcpPort / udpPort / tcpPortRange / udpPortRange: the
 *    qualifiers apply to every IP address target of the task (the cross product), the port
 *    being the target's own port (CLIF_QUAL_PORT_THIS: the port on the side whose address
 *    matched). Not allowed together with a macAddress target: the card has no MAC key with
 *    port qualifiers and the addresses the card learns for a MAC are unqualified;
 *  - the scope (VNI, VLAN or virtual port, model.h) applies to every rule of the task.
 * Refused with 3020: no address target; port qualifiers without an IP address target; a MAC
 * mixed with port qualifiers; more than CLIFD_MAX_TARGETS targets or more than
 * RULECOMP_MAX_TASK_RULES rules; a prefix length outside 0..32 / 0..128 (host kinds: 32 /
 * 128, or 0 meaning "host"); a MAC that is not unicast (group bit set, or all zero: it names
 * no device, and would copy everyone's broadcasts); a port range with lo > hi (tcpPort /
 * udpPort use port_lo only); a scope type or value the card cannot carry (ANY with a value,
 * vport > 16 bit, VLAN > 12 bit, VNI > 24 bit). An unknown target kind: X1_E_TARGET_TYPE
 * (3010). Duplicate targets in one task are one key.
 *
 * How each target compiles (one rule each, snap length from the options, actions CAPTURE):
 *  - ipv4Address / ipv6Address, and a CIDR of /32 or /128: EXACT on the address in the scope;
 *  - ipv4Cidr / ipv6Cidr: PREFIX (host bits past the prefix length are cleared, so 10.0.0.1/24
 *    and 10.0.0.0/24 are the same key);
 *  - macAddress: EXACT on the MAC with CAPTURE | PUNT: its frames are captured, and the
 *    firmware learns the IP addresses bound to it (DHCPv4, ARP, IPv6 NA) and installs exact
 *    capture rules for them in the same scope, reporting the MAC rule's handle in C2H records
 *    (so the tasks of a learned address are the tasks of the MAC rule's handle);
 *  - IP address x port qualifier: TERNARY on the address under its prefix with CLIF_QUAL_PROTO
 *    (6 or 17) and CLIF_QUAL_PORT_THIS (the inclusive range). The data plane reports at most
 *    one ternary hit per lookup (the highest priority): the priority is the narrower key's, so
 *    when two tasks' ternary keys overlap the more specific one wins (longer prefix first, then
 *    the narrower port range). A packet in the overlap of two different ternary keys reaches
 *    only the winning key's tasks (a card limit; identical keys are shared and reach all).
 *    Likewise the firmware lets rules with identical match keys share one slot that reports
 *    the oldest rule's handle: an address a MAC target learned that is also another task's
 *    address target is reported under one of the two handles only.
 *
 * Keys and handles: a key is (kind, address type, address, prefix, scope, actions,
 * qualifiers). A key already installed for another task is shared: reference-counted, not
 * installed twice; when its count drops to 0 it is deleted from the card. Handles are
 * allocated upwards from opts.first_handle and not reused while the allocator has not
 * wrapped (a C2H record still in flight for a deleted rule must never be attributed to a
 * newer rule's tasks). Host handles stay below 0x80000000 (the learned range).
 *
 * Everything is in memory: two hash tables (by key, by handle), O(1) per lookup. Nothing here
 * logs a target or an XID; error reasons are fixed strings that name no target.
 * Threads: one rulecomp is used by one thread at a time (like its card handle).
 */
#ifndef CLIFD_RULECOMP_H
#define CLIFD_RULECOMP_H

#include <stddef.h>
#include <stdint.h>

#include "libclif.h"
#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Rules one task may compile to (address targets x port qualifiers, MAC included). */
#define RULECOMP_MAX_TASK_RULES 64u
/* The default first handle: 0 is never used (records carry 0 in unused handle entries). */
#define RULECOMP_FIRST_HANDLE 1u
/* One past the last host handle (firmware's learned range starts here). */
#define RULECOMP_HANDLE_LIMIT 0x80000000u

/* Fixed reasons (rulecomp_last_reason(), rulecomp_check()'s *reason): none names a target. */
#define RULECOMP_WHY_CAPACITY "card rule capacity reached"
#define RULECOMP_WHY_CARD "card error"
#define RULECOMP_WHY_RESET "card reset during the change"
#define RULECOMP_WHY_NOMEM "out of memory"

struct rulecomp;

struct rulecomp_opts {
	uint16_t snap_len;     /* bytes captured per frame, 0 = whole frame (card max 9728) */
	uint32_t first_handle; /* first rule handle to allocate; 0: RULECOMP_FIRST_HANDLE */
	uint32_t max_rules;    /* card rules this rulecomp may hold at once, 0 = no limit of its
				  own (the card's tables are the limit); more: as card full */
};

/*
 * A rule compiler for card (used for every card call; NULL compiles and counts without a card,
 * for tests of the bookkeeping and for a daemon that has lost its card; the first
 * rulecomp_replay() with a card set by rulecomp_set_card() installs everything). o may be
 * NULL (defaults). Returns NULL when out of memory or when o is out of range (snap_len >
 * 9728, first_handle >= RULECOMP_HANDLE_LIMIT).
 */
struct rulecomp *rulecomp_new(struct clif_card *card, const struct rulecomp_opts *o);

/* Frees the bookkeeping; the card's rules stay (a restarted daemon finds them, see
 * rulecomp_reconcile()). NULL is allowed. */
void rulecomp_free(struct rulecomp *rc);

/* Changes the card the rulecomp talks to (after the daemon reopened it); nothing is sent:
 * call rulecomp_replay() or rulecomp_reconcile() next. */
void rulecomp_set_card(struct rulecomp *rc, struct clif_card *card);

/*
 * Validates t's target combination and scope without touching any card (the list at the top
 * of this file). reason (may be NULL) gets a fixed text naming no target, "" for X1_OK.
 * Returns X1_OK, X1_E_TARGET_TYPE (3010) or X1_E_TARGET_COMBINATION (3020).
 */
int rulecomp_check(const struct clifd_task *t, const char **reason);

/*
 * Compiles t and installs the keys no other task holds yet; shares the others. All or
 * nothing: on any failure every rule this call installed is deleted again and every reference
 * it took is dropped. Returns X1_OK, or:
 *   X1_E_TARGET_TYPE / X1_E_TARGET_COMBINATION  as rulecomp_check();
 *   X1_E_XID_EXISTS  a task with t's XID is already compiled here;
 *   X1_E_ACTIVATE    the card is full (CLIF_E_FULL, or opts.max_rules reached: reason
 *                    RULECOMP_WHY_CAPACITY), the card refused or did not answer (RULECOMP_WHY_CARD),
 *                    the card reset meanwhile (RULECOMP_WHY_RESET; replay follows), no memory.
 * rulecomp_last_reason() has the reason of the last failure.
 */
int rulecomp_add_task(struct rulecomp *rc, const struct clifd_task *t);

/*
 * Drops the task's references; keys whose count reaches 0 are deleted from the card. A key
 * the card failed to delete is kept as an orphan (serving no task, so its records are
 * dropped) and retried by every later add, remove and reconcile. Returns X1_OK,
 * X1_E_XID_UNKNOWN, or X1_E_DEACTIVATE when a card deletion failed (the task is gone from the
 * rulecomp all the same; the orphan is retried).
 */
int rulecomp_remove_task(struct rulecomp *rc, const uint8_t xid[16]);

/*
 * Replaces the task with t's XID by t, make-before-break: t's keys are referenced (installed
 * when new) first, then the old task's references are dropped, so a key both hold never leaves
 * the card. On a failure the old task stays exactly as it was. Returns X1_OK,
 * X1_E_XID_UNKNOWN, X1_E_TARGET_TYPE / X1_E_TARGET_COMBINATION, or X1_E_MODIFY (reasons as
 * rulecomp_add_task()).
 */
int rulecomp_modify_task(struct rulecomp *rc, const struct clifd_task *t);

/*
 * After a card reset (clif_poll() ran the reset callback; the card's tables are empty):
 * forgets the orphans and installs every live key again under its handle. Keeps going past
 * failures. Returns 0, or the number of keys the card did not take (they stay live and are
 * retried by the next replay), or a negative CLIF_E_* when the card is unusable
 * (CLIF_E_RESET, CLIF_E_TIMEOUT, CLIF_E_FAULT, CLIF_E_NODEV, CLIF_E_IO: nothing more was tried).
 */
int rulecomp_replay(struct rulecomp *rc);

/*
 * For a daemon that starts with rules possibly left on the card by its previous run (add its
 * stored tasks first, then reconcile): reads the card's host handles from opts.first_handle up
 * (clif_rule_counters), deletes every rule there that is not a live key of this rulecomp
 * (orphans included), rewrites live keys that are present (clif_rule_modify: the handle may
 * have held another key before) and installs the missing ones. Handles below first_handle are
 * left alone. Returns as rulecomp_replay().
 */
int rulecomp_reconcile(struct rulecomp *rc);

/* The fixed reason of the last failure of add, modify or remove ("" if none). Never NULL. */
const char *rulecomp_last_reason(const struct rulecomp *rc);

/* ---- queries ---- */

size_t rulecomp_task_count(const struct rulecomp *rc);
/* Live keys (card rules this rulecomp holds; orphans not included). */
size_t rulecomp_rule_count(const struct rulecomp *rc);
/* Orphans: keys serving no task that the card failed to delete. */
size_t rulecomp_orphan_count(const struct rulecomp *rc);

/* 1 if a task with this XID is compiled here, else 0. */
int rulecomp_has_task(const struct rulecomp *rc, const uint8_t xid[16]);

/*
 * The tasks a card rule handle serves (a C2H record's handle[i]; learned addresses report their
 * MAC rule's handle). Copies up to max XIDs into xids (may be NULL with max 0), in the order
 * the tasks took the key. Returns the total number of tasks (may exceed max), 0 for an unknown
 * handle or an orphan. O(1) to find the handle.
 */
size_t rulecomp_tasks_of_handle(const struct rulecomp *rc, uint32_t handle, uint8_t (*xids)[16], size_t max);

/*
 * The rule handles of a task, in the order of its targets. Copies up to max into handles
 * (may be NULL with max 0). Returns the total number (may exceed max), or -1 for an unknown
 * XID.
 */
int rulecomp_rules_of_task(const struct rulecomp *rc, const uint8_t xid[16], uint32_t *handles, size_t max);

/* The card rule of a handle as installed (hdr zero). Returns 0, or -1 for an unknown handle.
 * For tests and clifctl; the rule holds a target: never log it. */
int rulecomp_rule_of_handle(const struct rulecomp *rc, uint32_t handle, struct clif_cmd_rule *out);

#ifdef __cplusplus
}
#endif
#endif
