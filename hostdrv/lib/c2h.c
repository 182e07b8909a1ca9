/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * C2H ring consumer (include/clif/c2h.h, hls/SEMANTICS.md section 5). The card owns prod, the
 * library cons; both are free-running byte counters. The library reads records from its own
 * position rd (cons <= rd <= prod): the caller holds [cons, rd) as views until it releases
 * them. No allocation and no formatting per record.
 */
#include <stdlib.h>
#include <string.h>

#include "card.h"

static void ring_write(struct clif_card *c, uint32_t off, uint32_t v)
{
	c->ops->write32(c, off, v);
}

static uint32_t ring_read(struct clif_card *c, uint32_t off)
{
	return c->ops->read32(c, off);
}

/*
 * Arms the ring: memory on first use, then base, size, cons (= prod: whatever the card wrote
 * before is not ours) and ENABLE, in that order, with the ring disabled while it changes.
 */
int clif_ring_arm_(struct clif_card *c)
{
	uint32_t prod;
	int rc;

	if (!c->ring) {
		uint32_t slots = c->opts.ring_size / CLIF_REC_ALIGN;

		c->pend = calloc(slots, sizeof(*c->pend));
		if (!c->pend)
			return CLIF_E_NOMEM;
		c->pend_mask = slots - 1u;
		rc = c->ops->ring_alloc(c, c->opts.ring_size, &c->ring, &c->ring_dma);
		if (rc) {
			free(c->pend);
			c->pend = NULL;
			c->ring = NULL;
			return rc;
		}
		c->ring_size = c->opts.ring_size;
	}
	ring_write(c, CLIF_OFF_RING_REG(ctrl), 0);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	ring_write(c, CLIF_OFF_RING_REG(base_lo), (uint32_t)c->ring_dma);
	ring_write(c, CLIF_OFF_RING_REG(base_hi), (uint32_t)(c->ring_dma >> 32));
	ring_write(c, CLIF_OFF_RING_REG(size), c->ring_size);
	prod = ring_read(c, CLIF_OFF_RING_REG(prod));
	ring_write(c, CLIF_OFF_RING_REG(cons), prod);
	c->rd = prod;
	c->cons = prod;
	c->pend_head = 0;
	c->pend_n = 0;
	c->seq_valid = 0;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	ring_write(c, CLIF_OFF_RING_REG(ctrl), CLIF_RING_CTRL_ENABLE);
	return CLIF_OK;
}

void clif_ring_disarm_(struct clif_card *c)
{
	if (!c->ring)
		return;
	ring_write(c, CLIF_OFF_RING_REG(ctrl), 0); /* the card stops writing memory about to go */
	c->ops->ring_free(c);
	c->ring = NULL;
	free(c->pend);
	c->pend = NULL;
}

/* With nothing held by the caller, everything up to rd (pads, skipped bytes) goes back. */
static void release_idle(struct clif_card *c)
{
	if (c->pend_n == 0 && c->cons != c->rd) {
		c->cons = c->rd;
		__atomic_thread_fence(__ATOMIC_RELEASE); /* our reads of the bytes before the card's reuse */
		ring_write(c, CLIF_OFF_RING_REG(cons), c->cons);
	}
}

/* The bytes [rd, prod) visible to the CPU (a no-op on coherent backends). */
static int sync_range(struct clif_card *c, uint32_t rd, uint32_t prod)
{
	uint32_t mask = c->ring_size - 1u, off = rd & mask, n = prod - rd;

	if (!c->ops->ring_sync || !n)
		return 0;
	if (off + n <= c->ring_size)
		return c->ops->ring_sync(c, off, n);
	if (c->ops->ring_sync(c, off, c->ring_size - off))
		return -1;
	return c->ops->ring_sync(c, 0, n - (c->ring_size - off));
}

static int corrupt(struct clif_card *c, uint32_t prod)
{
	c->c2h.corrupt++;
	c->rd = prod; /* resynchronise: everything the card wrote so far is given up */
	c->seq_valid = 0;
	release_idle(c);
	return CLIF_E_IO;
}

int clif_c2h_dequeue(struct clif_card *c, struct clif_rec_view *views, uint32_t max)
{
	uint32_t size, mask, prod, rd, n = 0;

	if (!c || (!views && max))
		return CLIF_E_INVAL;
	if (!c->ring)
		return CLIF_E_INVAL;
	size = c->ring_size;
	mask = size - 1u;
	if (max > c->pend_mask + 1u - c->pend_n)
		max = c->pend_mask + 1u - c->pend_n;
	prod = ring_read(c, CLIF_OFF_RING_REG(prod));
	__atomic_thread_fence(__ATOMIC_ACQUIRE); /* the records below prod are written */
	rd = c->rd;
	if (prod == rd || !max) {
		release_idle(c);
		return 0;
	}
	if (prod - rd > size || prod % CLIF_REC_ALIGN) {
		/* A card reset clears the ring registers: not corruption, clif_poll() re-arms. */
		if (c->ops->read32(c, CLIF_OFF_IDENT_RESET_GEN) != c->reset_gen ||
		    !(ring_read(c, CLIF_OFF_RING_REG(ctrl)) & CLIF_RING_CTRL_ENABLE))
			return CLIF_E_RESET;
		return corrupt(c, prod);
	}
	if (sync_range(c, rd, prod))
		return CLIF_E_IO;
	while (rd != prod && n < max) {
		uint32_t off = rd & mask, avail = prod - rd;
		const struct clif_c2h_rec *h = (const struct clif_c2h_rec *)(const void *)(c->ring + off);
		uint32_t len;

		if (avail < CLIF_REC_HDR_BYTES)
			goto bad;
		len = h->rec_len;
		if (len < CLIF_REC_HDR_BYTES || len % CLIF_REC_ALIGN || len > size - off || len > avail)
			goto bad;
		if (h->flags & CLIF_REC_F_PAD) {
			if (len != size - off)
				goto bad;
			rd += len;
			continue;
		}
		if (h->cap_len > len - CLIF_REC_HDR_BYTES || h->n_match > CLIF_REC_MAX_MATCH)
			goto bad;
		if (c->seq_valid && h->seq != c->seq_next) {
			uint32_t gap = h->seq - c->seq_next;

			if (gap < 0x80000000u) /* a step back is not a loss (the card restarted its count) */
				c->c2h.seq_gaps += gap;
		}
		c->seq_next = h->seq + 1u;
		c->seq_valid = 1;
		rd += len;
		views[n].hdr = h;
		views[n].frame = (const uint8_t *)h + CLIF_REC_HDR_BYTES;
		c->pend[(c->pend_head + c->pend_n) & c->pend_mask] = rd;
		c->pend_n++;
		c->c2h.records++;
		c->c2h.bytes += h->cap_len;
		n++;
	}
	c->rd = rd;
	release_idle(c);
	return (int)n;
bad:
	c->rd = rd;
	if (n) /* hand out the good ones; the next call meets the bad record again */
		return (int)n;
	return corrupt(c, prod);
}

void clif_c2h_release(struct clif_card *c, uint32_t n)
{
	if (!c || !c->ring || !n)
		return;
	if (n > c->pend_n)
		n = c->pend_n;
	if (!n)
		return;
	c->cons = c->pend[(c->pend_head + n - 1u) & c->pend_mask];
	c->pend_head = (c->pend_head + n) & c->pend_mask;
	c->pend_n -= n;
	if (c->pend_n == 0)
		c->cons = c->rd; /* pads after the last record go back too */
	__atomic_thread_fence(__ATOMIC_RELEASE); /* our reads of the records before the card's reuse */
	ring_write(c, CLIF_OFF_RING_REG(cons), c->cons);
}

int clif_c2h_stats(struct clif_card *c, struct clif_c2h_stats *out)
{
	uint64_t drops;

	if (!c || !out)
		return CLIF_E_INVAL;
	*out = c->c2h;
	if (c->ops->read_block(c, CLIF_OFF_RING_REG(drops), &drops, sizeof(drops)))
		return CLIF_E_IO;
	out->card_drops = drops;
	return CLIF_OK;
}
