/* SPDX-License-Identifier: BSD-3-Clause */
/* libclif's card handle (private to the library). */
#ifndef LIBCLIF_CARD_H
#define LIBCLIF_CARD_H

#include "backend.h"
#include "clif/bar.h"

/* Learn events the card answered beyond what the caller's buffer took (one LEARN_DRAIN answer). */
#define CLIF_LEARN_SPILL (CLIF_MBOX_DATA_BYTES / sizeof(struct clif_learn_event))

/* BAR0 offsets of the fields the library touches. */
#define CLIF_OFF_IDENT_STATUS (CLIF_BAR0_OFF_IDENT + offsetof(struct clif_ident, status))
#define CLIF_OFF_IDENT_HEARTBEAT (CLIF_BAR0_OFF_IDENT + offsetof(struct clif_ident, heartbeat))
#define CLIF_OFF_IDENT_RESET_GEN (CLIF_BAR0_OFF_IDENT + offsetof(struct clif_ident, reset_gen))
#define CLIF_OFF_MBOX_DOORBELL (CLIF_BAR0_OFF_MBOX + offsetof(struct clif_mbox_block, doorbell))
#define CLIF_OFF_MBOX_DONE (CLIF_BAR0_OFF_MBOX + offsetof(struct clif_mbox_block, done))
#define CLIF_OFF_MBOX_CMD (CLIF_BAR0_OFF_MBOX + offsetof(struct clif_mbox_block, cmd))
#define CLIF_OFF_MBOX_CPL (CLIF_BAR0_OFF_MBOX + offsetof(struct clif_mbox_block, cpl))
#define CLIF_OFF_MBOX_DATA (CLIF_BAR0_OFF_MBOX + offsetof(struct clif_mbox_block, data))
#define CLIF_OFF_RING (CLIF_BAR0_OFF_C2H + offsetof(struct clif_c2h_block, ring))
#define CLIF_OFF_RING_REG(f) (CLIF_OFF_RING + offsetof(struct clif_ring_regs, f))

struct clif_card {
	const struct clif_backend_ops *ops;
	void *be_priv; /* the backend's own state */
	struct clif_open_opts opts;

	/* ---- the library's state (clif.c, mbox.c, rules.c, c2h.c) ---- */
	int with_ring;           /* opened with a C2H ring (clif_open), not control-only */
	int last_status;         /* CLIF_MBOX_* of the last answer */
	uint32_t mbox_seq;       /* the last mailbox seq this handle sent (mbox.c) */
	int mbox_lock_fd;        /* the card's mailbox lock file (mbox_lock.c); -1: none */
	int mbox_seq_valid;
	uint32_t reset_gen;      /* the generation the library last armed the card for */
	uint32_t in_reset;       /* clif_poll() saw status RESET/BOOTING: re-arm once READY */
	uint32_t hb_last;        /* heartbeat last seen, and when it last moved */
	uint64_t hb_seen_ns;
	clif_reset_cb reset_cb;
	void *reset_arg;

	/* learn events answered but not yet handed out (rules.c) */
	struct clif_learn_event spill[CLIF_LEARN_SPILL];
	uint32_t spill_head, spill_n;

	/* C2H ring (c2h.c): [cons, rd) is dequeued and not released; pend[] holds the end
	 * (free-running) of each dequeued record, oldest at pend_head. */
	uint8_t *ring;
	uint64_t ring_dma;
	uint32_t ring_size;
	uint32_t rd;
	uint32_t cons;
	uint32_t *pend;
	uint32_t pend_mask;
	uint32_t pend_head, pend_n;
	uint32_t seq_next;
	int seq_valid;
	struct clif_c2h_stats c2h;
};

/* Library-internal (clif.c, mbox.c, c2h.c). */
uint64_t clif_now_ns_(void);
int clif_mbox_call_(struct clif_card *c, struct clif_mbox_cmd *cmd, struct clif_mbox_cpl *cpl, void *data,
		    uint32_t data_max, int expect_reset);
int clif_mbox_status_to_err_(int status);
/* The mailbox is one per card, and several processes may hold a handle (clifd, clifctl): a
 * command and its completion are exchanged under an advisory lock they share (mbox_lock.c). */
void clif_mbox_lock_open_(struct clif_card *c, const char *name);
void clif_mbox_lock_close_(struct clif_card *c);
int clif_mbox_lock_(struct clif_card *c, uint64_t end_ns);
void clif_mbox_unlock_(struct clif_card *c);
int clif_hello_(struct clif_card *c);
int clif_ring_arm_(struct clif_card *c);
void clif_ring_disarm_(struct clif_card *c);
int clif_after_reset_(struct clif_card *c, uint32_t gen);

#endif /* LIBCLIF_CARD_H */
