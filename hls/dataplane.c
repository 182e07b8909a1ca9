/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Data-plane top: forward, parse, look up, count, copy. The forwarded stream does not depend
 * on anything the match path computes: a frame leaves exactly as it came, and a full ring only
 * ever costs the copy.
 */
#include "dp.h"

/*
 * Fills a record's rule list (the first CLIF_REC_MAX_MATCH hit-list rules with the action), its
 * copy length (punt copies are whole frames: the learner reads DHCP options whatever the
 * capture snap length) and the flags that depend on the list. Returns 1 when the list was
 * longer than a record holds.
 */
static int build_list(const struct dp_hits *hits, uint16_t action, uint16_t frame_len, struct clif_c2h_rec *rec)
{
	uint32_t i, snap = 0, n = 0, whole = 0;

	for (i = 0; i < CLIF_DP_MAX_HITS; i++) {
		struct clif_rule_entry r;

		if (i >= hits->n)
			break;
		r = dp_rule(hits->slot[i]);
		if (!(r.actions & action))
			continue;
		if (n < CLIF_REC_MAX_MATCH) {
			rec->handle[n] = r.handle;
			rec->side[n] = hits->side[i];
		}
		n++;
		if (r.snap_len == 0)
			whole = 1;
		else if (r.snap_len > snap)
			snap = r.snap_len;
	}
	rec->n_match = (uint8_t)(n < CLIF_REC_MAX_MATCH ? n : CLIF_REC_MAX_MATCH);
	if (action == CLIF_ACT_PUNT)
		whole = 1;
	rec->cap_len = (uint16_t)(whole || snap > frame_len ? frame_len : snap);
	if (rec->cap_len < frame_len)
		rec->flags |= CLIF_REC_F_TRUNCATED;
	if (hits->overflow || n > CLIF_REC_MAX_MATCH)
		rec->flags |= CLIF_REC_F_MATCH_OVF;
	return n > CLIF_REC_MAX_MATCH;
}

static void emit(struct dp_ring ring, const struct clif_c2h_rec *rec, const struct dp_beat in[CLIF_DP_MAX_BEATS],
		 volatile uint64_t *written, volatile uint64_t *dropped)
{
	if (dp_ring_put(ring, rec, in))
		*written = *written + 1u;
	else
		*dropped = *dropped + 1u;
}

/* Everything that does not depend on the table contents' answers: forward, parse, hash. */
static uint16_t frame_front(const struct dp_beat in[CLIF_DP_MAX_BEATS], struct dp_beat fwd[CLIF_DP_MAX_BEATS],
			    const struct dp_meta *meta, struct dp_parsed *p, struct dp_probes *pr)
{
	uint16_t len = meta->frame_len < CLIF_DP_MAX_FRAME ? meta->frame_len : CLIF_DP_MAX_FRAME;
	uint32_t nbeats = (len + CLIF_DP_BEAT_BYTES - 1u) / CLIF_DP_BEAT_BYTES, b;

	for (b = 0; b < CLIF_DP_MAX_BEATS; b++) {
#pragma HLS PIPELINE II = 1
		if (b >= nbeats)
			break;
		fwd[b] = in[b];
	}
	dp_parse(in, len, p);
	dp_lookup_prepare(p, meta->vport, pr);
	return len;
}

/* Lookups, counters and copies. */
static void frame_back(const struct dp_beat in[CLIF_DP_MAX_BEATS], const struct dp_meta *meta, uint16_t len,
		       const struct dp_parsed *p, struct dp_probes *pr, struct dp_ring c2h, struct dp_ring punt,
		       volatile struct clif_dp_counters *ctr)
{
	static const struct clif_c2h_rec blank;
	struct dp_hits hits;
	struct clif_c2h_rec cap = blank, pun;
	int overflow;

	dp_lookup_finish(p, meta->vport, pr, &hits);
	dp_count_hits(&hits, len);

	ctr->frames = ctr->frames + 1u;
	ctr->bytes = ctr->bytes + len;
	if (p->perr)
		ctr->parse_errors = ctr->parse_errors + 1u;
	if (hits.n == 0)
		return;
	ctr->matched = ctr->matched + 1u;

	if (p->perr)
		cap.flags |= CLIF_REC_F_PARSE_ERR;
	if (p->layer[0].n_vlan)
		cap.flags |= CLIF_REC_F_VLAN;
	if (p->overlay != CLIF_OVERLAY_NONE)
		cap.flags |= CLIF_REC_F_VNI;
	if (p->layer[0].frag || p->layer[1].frag)
		cap.flags |= CLIF_REC_F_FRAGMENT;
	cap.ts_ns = meta->ts_ns;
	cap.orig_len = len;
	cap.vport = meta->vport;
	cap.vlan = p->layer[0].n_vlan ? p->layer[0].vid : 0u;
	cap.vni = p->vni;
	cap.overlay = p->overlay;
	cap.outer_l3 = p->layer[0].l3;
	cap.inner_l3 = p->layer[1].l3;
	cap.outer_l3_off = p->layer[0].l3_off;
	cap.inner_l3_off = p->layer[1].l3_off;
	cap.parse_err = p->perr;
	pun = cap;

	overflow = build_list(&hits, CLIF_ACT_CAPTURE, len, &cap);
	overflow |= build_list(&hits, CLIF_ACT_PUNT, len, &pun);
	if (hits.overflow || overflow)
		ctr->match_overflow = ctr->match_overflow + 1u;

	if (pun.n_match) {
		pun.flags |= CLIF_REC_F_LEARN_PUNT;
		cap.flags |= CLIF_REC_F_LEARN_PUNT;
		emit(punt, &pun, in, &ctr->punted, &ctr->punt_drops);
	}
	if (cap.n_match)
		emit(c2h, &cap, in, &ctr->captured, &ctr->capture_drops);
}

void clif_dp_frame(const struct dp_beat in[CLIF_DP_MAX_BEATS], struct dp_beat fwd[CLIF_DP_MAX_BEATS],
		   const struct dp_meta *meta, struct dp_ring c2h, struct dp_ring punt,
		   volatile struct clif_dp_counters *ctr)
{
#pragma HLS INLINE off
	struct dp_parsed p;
	struct dp_probes pr;
	uint16_t len = frame_front(in, fwd, meta, &p, &pr);

	frame_back(in, meta, len, &p, &pr, c2h, punt, ctr);
}

uint32_t clif_dp_burst(const struct dp_beat *const in[], struct dp_beat *const fwd[], const struct dp_meta meta[],
		       uint32_t n, struct dp_ring c2h, struct dp_ring punt, volatile struct clif_dp_counters *ctr)
{
	struct dp_parsed p[CLIF_DP_BURST];
	struct dp_probes pr[CLIF_DP_BURST];
	uint16_t len[CLIF_DP_BURST];
	uint32_t i;

	if (n > CLIF_DP_BURST)
		n = CLIF_DP_BURST;
	for (i = 0; i < n; i++)
		len[i] = frame_front(in[i], fwd[i], &meta[i], &p[i], &pr[i]);
	for (i = 0; i < n; i++)
		frame_back(in[i], &meta[i], len[i], &p[i], &pr[i], c2h, punt, ctr);
	return n;
}
