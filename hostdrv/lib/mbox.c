/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Mailbox RPC (include/clif/mbox.h): one command in flight, a fresh seq per attempt, the
 * command words first and the doorbell last, a bounded wait for done == seq, re-sends after a
 * timeout, the card's status mapped to CLIF_E_*.
 */
#include <string.h>
#include <time.h>

#include "card.h"

int clif_mbox_status_to_err_(int status)
{
	switch (status) {
	case CLIF_MBOX_OK: return CLIF_OK;
	case CLIF_MBOX_EBADOP: return CLIF_E_INVAL;
	case CLIF_MBOX_EBADLEN: return CLIF_E_INVAL;
	case CLIF_MBOX_ERANGE: return CLIF_E_RANGE;
	case CLIF_MBOX_ENOENT: return CLIF_E_NOENT;
	case CLIF_MBOX_EEXIST: return CLIF_E_EXIST;
	case CLIF_MBOX_EFULL: return CLIF_E_FULL;
	case CLIF_MBOX_EINVAL: return CLIF_E_RANGE;
	case CLIF_MBOX_EABI: return CLIF_E_ABI;
	case CLIF_MBOX_EBUSY: return CLIF_E_RESET;
	default: return CLIF_E_CARD;
	}
}

/*
 * Waits for done == seq until end_ns. Returns 0, CLIF_E_TIMEOUT, CLIF_E_RESET (the generation
 * moved from gen, unless expect_reset), CLIF_E_FAULT.
 */
static int wait_done(struct clif_card *c, uint32_t seq, uint64_t end_ns, uint32_t gen, int expect_reset)
{
	const struct timespec nap = { 0, 20000 };
	uint32_t spins = 0;

	for (;;) {
		if (c->ops->read32(c, CLIF_OFF_MBOX_DONE) == seq) {
			__atomic_thread_fence(__ATOMIC_ACQUIRE); /* the completion was written before done */
			return CLIF_OK;
		}
		if (!expect_reset && c->ops->read32(c, CLIF_OFF_IDENT_RESET_GEN) != gen)
			return CLIF_E_RESET;
		if (c->ops->read32(c, CLIF_OFF_IDENT_STATUS) == CLIF_STATUS_FAULT)
			return CLIF_E_FAULT;
		if (clif_now_ns_() >= end_ns)
			return CLIF_E_TIMEOUT;
		/* Most answers come within microseconds: spin a little, then nap. */
		if (++spins > 64)
			nanosleep(&nap, NULL);
	}
}

/* The next command's seq: counts on from the last one this handle sent (or, the first time,
 * from the card's doorbell), skipping CLIF_MBOX_NO_CMD and the card's done value. */
static uint32_t mbox_next_seq(struct clif_card *c)
{
	uint32_t done = c->ops->read32(c, CLIF_OFF_MBOX_DONE);
	uint32_t seq;

	if (!c->mbox_seq_valid) {
		c->mbox_seq = c->ops->read32(c, CLIF_OFF_MBOX_DOORBELL);
		c->mbox_seq_valid = 1;
	}
	seq = c->mbox_seq + 1u;
	while (seq == CLIF_MBOX_NO_CMD || seq == done)
		seq++;
	c->mbox_seq = seq;
	return seq;
}

static int exchange(struct clif_card *c, struct clif_mbox_cmd *cmd, struct clif_mbox_cpl *cpl, void *data,
		    uint32_t data_max, int expect_reset);

int clif_mbox_call_(struct clif_card *c, struct clif_mbox_cmd *cmd, struct clif_mbox_cpl *cpl, void *data,
		    uint32_t data_max, int expect_reset)
{
	int rc;

	if (!c || !cmd || (data_max && !data))
		return CLIF_E_INVAL;
	/* Another host's command in flight holds the lock for one mailbox wait at most. */
	if (clif_mbox_lock_(c, clif_now_ns_() + (uint64_t)c->opts.mbox_timeout_ms * 1000000ull) != CLIF_OK)
		return CLIF_E_TIMEOUT;
	rc = exchange(c, cmd, cpl, data, data_max, expect_reset);
	clif_mbox_unlock_(c);
	return rc;
}

/* One command and its completion, under the mailbox lock. */
static int exchange(struct clif_card *c, struct clif_mbox_cmd *cmd, struct clif_mbox_cpl *cpl, void *data,
		    uint32_t data_max, int expect_reset)
{
	struct clif_mbox_cpl local;
	uint32_t attempt, gen, n;
	int rc = CLIF_E_TIMEOUT;

	if (!c || !cmd || (data_max && !data))
		return CLIF_E_INVAL;
	if (!cpl)
		cpl = &local;
	gen = c->ops->read32(c, CLIF_OFF_IDENT_RESET_GEN);
	for (attempt = 0; attempt <= c->opts.mbox_retries; attempt++) {
		/* A seq the card has not seen: it serves a doorbell that differs from the last it
		 * answered (done), never CLIF_MBOX_NO_CMD, and never one an abandoned command had. */
		uint32_t seq = mbox_next_seq(c);
		uint64_t end;

		cmd->hdr.seq = seq;
		/* No command while it is rewritten: a card still copying the abandoned one drops
		 * its copy instead of serving half of each (mbox.h). */
		c->ops->write32(c, CLIF_OFF_MBOX_DOORBELL, CLIF_MBOX_NO_CMD);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (c->ops->write_block(c, CLIF_OFF_MBOX_CMD, cmd, sizeof(*cmd)))
			return CLIF_E_IO;
		__atomic_thread_fence(__ATOMIC_RELEASE); /* the command before the doorbell */
		c->ops->write32(c, CLIF_OFF_MBOX_DOORBELL, seq);
		end = clif_now_ns_() + (uint64_t)c->opts.mbox_timeout_ms * 1000000ull;
		rc = wait_done(c, seq, end, gen, expect_reset);
		if (rc == CLIF_E_TIMEOUT)
			continue;
		if (rc)
			return rc;
		if (c->ops->read_block(c, CLIF_OFF_MBOX_CPL, cpl, sizeof(*cpl)))
			return CLIF_E_IO;
		if (cpl->seq != seq)
			return CLIF_E_IO;
		c->last_status = cpl->status;
		if (cpl->status != CLIF_MBOX_OK)
			return clif_mbox_status_to_err_(cpl->status);
		n = cpl->data_len;
		if (n > CLIF_MBOX_DATA_BYTES)
			return CLIF_E_IO;
		if (n > data_max)
			n = data_max;
		if (n && c->ops->read_block(c, CLIF_OFF_MBOX_DATA, data, n))
			return CLIF_E_IO;
		return CLIF_OK;
	}
	return rc;
}

int clif_mbox_call(struct clif_card *c, struct clif_mbox_cmd *cmd, struct clif_mbox_cpl *cpl, void *data,
		   uint32_t data_max)
{
	return clif_mbox_call_(c, cmd, cpl, data, data_max, cmd && cmd->hdr.opcode == CLIF_OP_RESET);
}
