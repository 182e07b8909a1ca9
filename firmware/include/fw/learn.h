/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Learner: binds IP addresses to MAC-identified targets from the frames their rules punt
 * (rules with CLIF_ACT_PUNT on a CLIF_ADDR_MAC key):
 *  - DHCPv4 ACK (UDP 67 -> 68, BOOTREPLY, option 53 = 5): yiaddr belongs to chaddr; the lease
 *    time (option 51), if shorter than the configured age, sets the binding's life;
 *  - ARP request or reply: the sender protocol address belongs to the sender hardware address;
 *  - IPv6 neighbour advertisement (ICMPv6 136): the target address belongs to the target
 *    link-layer address option, or to the Ethernet source without one.
 * A binding installs an exact rule for the IP, in the MAC rule's scope, capturing with the MAC
 * rule's snap length and reporting the MAC rule's handle, and emits a BIND event; it is
 * refreshed by every new sighting and removed (UNBIND event) when it ages out, when the IP
 * moves to another target, or when the MAC rule goes. Punted frames are hostile: every length
 * is checked, malformed frames are counted and dropped.
 * Bindings are keyed by (address, the MAC rule's scope). A new address is refused (table_full)
 * when its target already holds LEARN_MAX_PER_OWNER addresses or the binding table is full.
 * Which layers, encapsulations and messages are read: see firmware/core/learn.c.
 */
#ifndef FW_LEARN_H
#define FW_LEARN_H

#include <stdint.h>

#include "clif/c2h.h"
#include "clif/mbox.h"
#include "tblmgr.h"

#define LEARN_MAX_BINDINGS 1024u
#define LEARN_EVENT_QUEUE 256u           /* events waiting for CLIF_OP_LEARN_DRAIN */
#define LEARN_DEFAULT_AGE_S 3600u
#define LEARN_HANDLE_BASE 0x80000000u    /* handles of learned rules; host handles stay below */
#define LEARN_MAX_PER_OWNER 16u          /* addresses one MAC target may hold at once */

struct learn_counters {
	uint64_t frames;      /* punted frames looked at */
	uint64_t malformed;   /* frames whose headers or options did not hold together */
	uint64_t ignored;     /* well-formed frames that bind nothing (other messages, other MACs) */
	uint64_t binds;
	uint64_t refreshes;
	uint64_t unbinds;
	uint64_t table_full;  /* bindings refused: no room in the binding table or the match tables */
	uint64_t events_lost; /* events dropped because the queue was full (oldest first) */
};

struct learner {
	struct tblmgr *tm;
	uint32_t age_s;
	uint32_t enabled;
	struct learn_counters ctr;
	void *state; /* bindings and the event queue, carved from an arena */
	uint32_t next_handle;
};

/* Arena bytes learn_init() needs. */
size_t learn_arena_size(void);

/* Returns CLIF_MBOX_OK, or CLIF_MBOX_EFULL when the arena is too small. */
int learn_init(struct learner *l, struct tblmgr *tm, void *arena, size_t arena_size);

/*
 * One punt-ring record: rec (already checked to lie inside the ring) and its cap_len frame
 * bytes. Binds what the frame proves for the record's punting rules. now_ns stamps events.
 */
void learn_frame(struct learner *l, const struct clif_c2h_rec *rec, const uint8_t *frame, uint64_t now_ns);

/* Removes bindings not refreshed within their life. */
void learn_age(struct learner *l, uint64_t now_ns);

/* The host deleted (or changed) a MAC rule: its bindings and their rules go. */
void learn_forget_owner(struct learner *l, uint32_t owner_handle, uint64_t now_ns);

/* Copies up to max queued events to out, oldest first; returns how many. */
uint32_t learn_drain(struct learner *l, struct clif_learn_event *out, uint32_t max);

/* Forgets every binding and event (card reset: the tables are empty already). */
void learn_reset(struct learner *l);

#endif /* FW_LEARN_H */
