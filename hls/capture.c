/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Capture writer: puts a record (header + frame bytes) into a ring laid out as
 * include/clif/c2h.h says. The record's bytes are written before prod moves, so a consumer
 * that reads prod and then the bytes below it never sees a half-written record. A full ring
 * drops the copy; it never waits.
 */
#include <stddef.h>

#include "dp.h"

#ifdef __SYNTHESIS__
#define DP_LOAD_ACQUIRE(p) (*(p))
#define DP_STORE_RELEASE(p, v) (*(p) = (v))
#else
/* In C simulation and clif-cardsim the consumer is another thread or process. */
#define DP_LOAD_ACQUIRE(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define DP_STORE_RELEASE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#endif

static inline void st_le(uint8_t *dst, uint32_t off, uint64_t v, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		dst[off + i] = (uint8_t)(v >> (8u * i));
}

#define ST_FIELD(dst, field, v) \
	st_le((dst), offsetof(struct clif_c2h_rec, field), (v), sizeof(((struct clif_c2h_rec){ 0 }).field))

static void write_header(uint8_t *dst, const struct clif_c2h_rec *h, uint32_t rec_len, uint32_t seq)
{
	uint32_t i;

	ST_FIELD(dst, rec_len, rec_len);
	ST_FIELD(dst, flags, h->flags);
	ST_FIELD(dst, n_match, h->n_match);
	ST_FIELD(dst, overlay, h->overlay);
	ST_FIELD(dst, ts_ns, h->ts_ns);
	for (i = 0; i < CLIF_REC_MAX_MATCH; i++) {
		st_le(dst, offsetof(struct clif_c2h_rec, handle) + 4u * i, h->handle[i], 4);
		st_le(dst, offsetof(struct clif_c2h_rec, side) + i, h->side[i], 1);
	}
	ST_FIELD(dst, orig_len, h->orig_len);
	ST_FIELD(dst, cap_len, h->cap_len);
	ST_FIELD(dst, vport, h->vport);
	ST_FIELD(dst, vlan, h->vlan);
	ST_FIELD(dst, vni, h->vni);
	ST_FIELD(dst, outer_l3_off, h->outer_l3_off);
	ST_FIELD(dst, inner_l3_off, h->inner_l3_off);
	ST_FIELD(dst, outer_l3, h->outer_l3);
	ST_FIELD(dst, inner_l3, h->inner_l3);
	ST_FIELD(dst, parse_err, h->parse_err);
	ST_FIELD(dst, seq, seq);
	ST_FIELD(dst, rsvd, 0);
}

static void write_pad(uint8_t *dst, uint32_t len)
{
	uint32_t i;

	for (i = 0; i < CLIF_REC_HDR_BYTES; i++)
		dst[i] = 0;
	ST_FIELD(dst, rec_len, len);
	ST_FIELD(dst, flags, CLIF_REC_F_PAD);
}

int dp_ring_put(struct dp_ring ring, const struct clif_c2h_rec *hdr, const struct dp_beat in[CLIF_DP_MAX_BEATS])
{
	volatile struct clif_ring_regs *r = ring.regs;
	uint32_t size = r->size, prod = r->prod, seq = r->seq;
	uint32_t cons = DP_LOAD_ACQUIRE(&r->cons);
	uint32_t rec_len = CLIF_REC_HDR_BYTES + ((hdr->cap_len + CLIF_REC_ALIGN - 1u) & ~(CLIF_REC_ALIGN - 1u));
	uint32_t pos, to_end, pad, used, b, nbeats;
	uint8_t *dst;

	r->seq = seq + 1u;
	if (!(r->ctrl & CLIF_RING_CTRL_ENABLE) || size < CLIF_RING_MIN_SIZE || (size & (size - 1u)) ||
	    prod % CLIF_REC_ALIGN) {
		r->drops = r->drops + 1u;
		return 0;
	}
	pos = prod & (size - 1u);
	to_end = size - pos;
	pad = rec_len > to_end ? to_end : 0u;
	used = prod - cons;
	if (used > size || pad + rec_len > size - used) {
		r->drops = r->drops + 1u;
		return 0;
	}
	if (pad) {
		write_pad(ring.mem + pos, pad);
		pos = 0;
	}
	dst = ring.mem + pos;
	write_header(dst, hdr, rec_len, seq);
	nbeats = (hdr->cap_len + CLIF_DP_BEAT_BYTES - 1u) / CLIF_DP_BEAT_BYTES;
	for (b = 0; b < CLIF_DP_MAX_BEATS; b++) {
#pragma HLS PIPELINE II = 1
		uint32_t n = hdr->cap_len - b * CLIF_DP_BEAT_BYTES, i;

		if (b >= nbeats)
			break;
		if (n > CLIF_DP_BEAT_BYTES)
			n = CLIF_DP_BEAT_BYTES;
		for (i = 0; i < CLIF_DP_BEAT_BYTES; i++)
			if (i < n)
				dst[CLIF_REC_HDR_BYTES + b * CLIF_DP_BEAT_BYTES + i] = in[b].data[i];
	}
	r->records = r->records + 1u;
	r->bytes = r->bytes + hdr->cap_len;
	DP_STORE_RELEASE(&r->prod, prod + pad + rec_len);
	return 1;
}
