/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * C-simulation testbench: drives the HLS data plane and the golden model with the same frames
 * and the same rules, and counts every difference: forwarded bytes, records (header fields and
 * captured bytes, pads, drops), data-plane counters, ring registers and per-rule hit counters.
 * Rules go to the data plane through the table window (placer.c) and to the golden model as
 * plain lists. Exit status: 0 when nothing differed.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp.h"
#include "golden/golden.h"
#include "pktgen.h"
#include "placer.h"

#define TB_MAX_RULES 320u
#define TB_MAX_EXACT 400u
#define TB_MAX_PREFIX 48u
#define TB_MAX_TERNARY 40u
#define TB_QUEUE 256u
#define TB_REPORT 10u

struct tb_rules {
	struct clif_rule_entry rules[TB_MAX_RULES];
	uint32_t n_rules;
	struct clif_exact_entry exact[TB_MAX_EXACT];
	uint32_t n_exact;
	struct clif_prefix_entry prefix[TB_MAX_PREFIX];
	uint32_t n_prefix;
	struct clif_ternary_entry ternary[TB_MAX_TERNARY];
	uint32_t n_ternary;
};

/* What a ring should hold: records (with their frame bytes) and pads, in order. */
struct tb_expect {
	struct clif_c2h_rec hdr;
	uint8_t data[CLIF_DP_MAX_FRAME];
};

struct tb_ring {
	const char *name;
	struct clif_ring_regs regs;
	uint8_t *mem;
	/* the testbench's own account of the ring */
	uint32_t prod, cons, seq;
	uint64_t records, drops, bytes;
	struct tb_expect *q;
	uint32_t q_head, q_len;
};

static uint64_t mismatches;
static uint64_t frame_no;

/* What the random traffic reached, so a reader can see the comparison was not vacuous. */
struct tb_coverage {
	uint64_t perr_bit[16];
	uint64_t overlay[4];
	uint64_t matched, overflow, captured, punted, drops, pads, burst_frames;
};
static struct tb_coverage cov;

static void report(const char *what, const uint8_t *frame, uint16_t len)
{
	uint32_t i;

	mismatches++;
	if (mismatches > TB_REPORT)
		return;
	fprintf(stderr, "csim: mismatch at frame %" PRIu64 ": %s\n  frame (%u bytes):", frame_no, what, len);
	for (i = 0; i < len && i < 160u; i++)
		fprintf(stderr, "%s%02x", i % 32u ? "" : "\n  ", frame[i]);
	fprintf(stderr, "\n");
}

static void dump_rec(const char *tag, const struct clif_c2h_rec *r)
{
	if (mismatches > TB_REPORT)
		return;
	fprintf(stderr,
		"  %s: len=%u flags=%#x n=%u ovl=%u h=%x/%x/%x/%x side=%x/%x/%x/%x orig=%u cap=%u vport=%u vlan=%u "
		"vni=%u l3=%u@%u/%u@%u perr=%#x seq=%u\n",
		tag, r->rec_len, r->flags, r->n_match, r->overlay, r->handle[0], r->handle[1], r->handle[2],
		r->handle[3], r->side[0], r->side[1], r->side[2], r->side[3], r->orig_len, r->cap_len, r->vport,
		r->vlan, r->vni, r->outer_l3, r->outer_l3_off, r->inner_l3, r->inner_l3_off, r->parse_err, r->seq);
}

/* ---- rules ---- */

static void random_addr(struct pkt_rng *r, const struct pkt_pool *p, uint8_t type, uint8_t *addr)
{
	uint32_t i = pkt_rng_below(r, PKT_POOL_ADDRS);

	memset(addr, 0, CLIF_ADDR_BYTES);
	if (type == CLIF_ADDR_IPV4)
		memcpy(addr, p->v4[i], 4);
	else if (type == CLIF_ADDR_IPV6)
		memcpy(addr, p->v6[i], 16);
	else
		memcpy(addr, p->mac[i], 6);
}

static void random_scope(struct pkt_rng *r, const struct pkt_pool *p, uint8_t *type, uint32_t *value)
{
	uint32_t c = pkt_rng_below(r, PKT_POOL_CTX);

	switch (pkt_rng_below(r, 5)) {
	case 0:
		*type = CLIF_SCOPE_VPORT;
		*value = p->vport[c];
		break;
	case 1:
		*type = CLIF_SCOPE_VLAN;
		*value = p->vid[c];
		break;
	case 2:
		*type = CLIF_SCOPE_VNI;
		*value = p->vni[c];
		break;
	default:
		*type = CLIF_SCOPE_ANY;
		*value = 0;
		break;
	}
}

/* Rule slots mostly name rules of this round; a few name empty or impossible slots. */
static uint32_t random_slot(struct pkt_rng *r, uint32_t n_rules)
{
	uint32_t x = pkt_rng_below(r, 100);

	if (x == 0)
		return 0xfffffff0u;
	return pkt_rng_below(r, n_rules + 4u);
}

static void random_rules(struct pkt_rng *r, const struct pkt_pool *p, struct tb_rules *t)
{
	static const uint8_t protos[] = { 6, 17, 132, 1, 58, 47 };
	static const uint16_t ports[] = { 53, 80, 443, 5060, 1000 };
	uint32_t i, n;

	memset(t, 0, sizeof(*t));
	t->n_rules = 1u + pkt_rng_below(r, TB_MAX_RULES);
	for (i = 0; i < t->n_rules; i++) {
		struct clif_rule_entry *e = &t->rules[i];
		uint32_t a = pkt_rng_below(r, 10);

		e->handle = (uint32_t)pkt_rng_next(r);
		e->actions = a < 5 ? CLIF_ACT_CAPTURE : a < 6 ? CLIF_ACT_PUNT : a < 7 ? CLIF_ACT_ALL : 0;
		e->snap_len = pkt_rng_below(r, 2) ? 0 : (uint16_t)(1u + pkt_rng_below(r, 2000));
		e->flags = pkt_rng_below(r, 12) ? CLIF_ENTRY_VALID : 0;
	}

	n = pkt_rng_below(r, TB_MAX_EXACT);
	for (i = 0; i < n; i++) {
		struct clif_exact_entry e = { 0 };
		uint32_t k, dup = 0, x = pkt_rng_below(r, 20);

		e.key.addr_type = x < 9 ? CLIF_ADDR_IPV4 : x < 15 ? CLIF_ADDR_IPV6 : CLIF_ADDR_MAC;
		random_addr(r, p, e.key.addr_type, e.key.addr);
		random_scope(r, p, &e.key.scope_type, &e.key.scope_value);
		e.rule_slot = random_slot(r, t->n_rules);
		e.flags = pkt_rng_below(r, 20) ? CLIF_ENTRY_VALID : 0;
		for (k = 0; k < t->n_exact; k++)
			dup |= !memcmp(&t->exact[k].key, &e.key, sizeof(e.key));
		if (!dup)
			t->exact[t->n_exact++] = e;
	}

	t->n_prefix = pkt_rng_below(r, TB_MAX_PREFIX);
	for (i = 0; i < t->n_prefix; i++) {
		struct clif_prefix_entry *e = &t->prefix[i];
		uint32_t max, b;

		e->addr_type = pkt_rng_below(r, 2) ? CLIF_ADDR_IPV4 : CLIF_ADDR_IPV6;
		max = e->addr_type == CLIF_ADDR_IPV4 ? 32u : 128u;
		random_addr(r, p, e->addr_type, e->addr);
		e->prefix_len = (uint8_t)(pkt_rng_below(r, 30) ? pkt_rng_below(r, max + 1u) : max + 1u);
		for (b = 0; b < CLIF_ADDR_BYTES; b++) {
			uint32_t keep = e->prefix_len >= 8u * b + 8u ? 8u : e->prefix_len > 8u * b ? e->prefix_len - 8u * b : 0u;

			e->addr[b] &= (uint8_t)(0xff00u >> keep);
		}
		random_scope(r, p, &e->scope_type, &e->scope_value);
		e->rule_slot = random_slot(r, t->n_rules);
		e->flags = pkt_rng_below(r, 20) ? CLIF_ENTRY_VALID : 0;
	}

	t->n_ternary = pkt_rng_below(r, TB_MAX_TERNARY);
	for (i = 0; i < t->n_ternary; i++) {
		struct clif_ternary_entry *e = &t->ternary[i];
		uint32_t len, b, max;

		e->addr_type = pkt_rng_below(r, 2) ? CLIF_ADDR_IPV4 : CLIF_ADDR_IPV6;
		max = e->addr_type == CLIF_ADDR_IPV4 ? 32u : 128u;
		random_addr(r, p, e->addr_type, e->addr);
		len = pkt_rng_below(r, max + 1u);
		for (b = 0; b < CLIF_ADDR_BYTES; b++) {
			uint32_t keep = len >= 8u * b + 8u ? 8u : len > 8u * b ? len - 8u * b : 0u;

			e->addr_mask[b] = pkt_rng_below(r, 8) ? (uint8_t)(0xff00u >> keep) : (uint8_t)pkt_rng_next(r);
		}
		if (pkt_rng_below(r, 2)) {
			e->ip_proto = protos[pkt_rng_below(r, sizeof(protos))];
			e->ip_proto_mask = 0xff;
		}
		if (pkt_rng_below(r, 2)) {
			e->port_this = ports[pkt_rng_below(r, 5)];
			e->port_this_mask = pkt_rng_below(r, 4) ? 0xffff : 0xfff0;
		}
		if (pkt_rng_below(r, 3) == 0) {
			e->port_peer = ports[pkt_rng_below(r, 5)];
			e->port_peer_mask = 0xffff;
		}
		e->priority = (uint16_t)pkt_rng_below(r, 8);
		random_scope(r, p, &e->scope_type, &e->scope_value);
		e->rule_slot = random_slot(r, t->n_rules);
		e->flags = pkt_rng_below(r, 20) ? CLIF_ENTRY_VALID : 0;
	}
}

static int program(struct placer *pl, const struct tb_rules *t, volatile struct clif_tblwin_regs *tw)
{
	uint32_t i;

	placer_fini(pl);
	if (placer_init(pl, tw))
		return -1;
	for (i = 0; i < t->n_rules; i++)
		if (placer_rule(pl, i, &t->rules[i]))
			return -1;
	/* every 16th exact entry goes to the stash while it has room */
	for (i = 0; i < t->n_exact; i++)
		if ((i % 16 == 5 ? placer_exact_stash(pl, &t->exact[i]) && placer_exact(pl, &t->exact[i])
				  : placer_exact(pl, &t->exact[i])))
			return -1;
	for (i = 0; i < t->n_prefix; i++)
		if (placer_prefix(pl, &t->prefix[i]))
			return -1;
	for (i = 0; i < t->n_ternary; i++)
		if (placer_ternary(pl, &t->ternary[i]))
			return -1;
	return 0;
}

/* ---- rings ---- */

static void ring_setup(struct tb_ring *rg, uint32_t size, int enabled)
{
	memset(&rg->regs, 0, sizeof(rg->regs));
	rg->regs.size = size;
	rg->regs.ctrl = enabled ? CLIF_RING_CTRL_ENABLE : 0;
	rg->prod = rg->cons = rg->seq = 0;
	rg->records = rg->drops = rg->bytes = 0;
	rg->q_head = rg->q_len = 0;
	memset(rg->mem, 0x5a, 65536);
}

/* The testbench's account of one copy offered to a ring (c2h.h rules). */
static void ring_expect(struct tb_ring *rg, const struct clif_c2h_rec *hdr, const uint8_t *frame)
{
	uint32_t size = rg->regs.size, rec_len = hdr->rec_len, pos, to_end, pad = 0;
	struct tb_expect *e;

	rg->seq++;
	if (!(rg->regs.ctrl & CLIF_RING_CTRL_ENABLE)) {
		rg->drops++;
		return;
	}
	pos = rg->prod % size;
	to_end = size - pos;
	if (rec_len > to_end)
		pad = to_end;
	if (pad + rec_len > size - (rg->prod - rg->cons)) {
		rg->drops++;
		return;
	}
	if (pad) {
		cov.pads++;
		e = &rg->q[(rg->q_head + rg->q_len++) % TB_QUEUE];
		memset(&e->hdr, 0, sizeof(e->hdr));
		e->hdr.rec_len = pad;
		e->hdr.flags = CLIF_REC_F_PAD;
	}
	e = &rg->q[(rg->q_head + rg->q_len++) % TB_QUEUE];
	e->hdr = *hdr;
	e->hdr.seq = rg->seq - 1u;
	memcpy(e->data, frame, hdr->cap_len);
	rg->prod += pad + rec_len;
	rg->records++;
	rg->bytes += hdr->cap_len;
}

/* Consumes everything the data plane produced and holds it against the expectation. */
static void ring_drain(struct tb_ring *rg, const uint8_t *frame, uint16_t len)
{
	uint32_t prod = __atomic_load_n(&rg->regs.prod, __ATOMIC_ACQUIRE);
	uint32_t cons = rg->regs.cons;
	char what[96];

	if (prod != rg->prod) {
		snprintf(what, sizeof(what), "%s ring prod %u, expected %u", rg->name, prod, rg->prod);
		report(what, frame, len);
	}
	while (cons != prod && rg->q_len) {
		struct clif_c2h_rec got;
		struct tb_expect *e = &rg->q[rg->q_head];
		uint32_t size = rg->regs.size, pos = cons % size;

		memcpy(&got, rg->mem + pos, sizeof(got));
		if (e->hdr.flags & CLIF_REC_F_PAD ? got.rec_len != e->hdr.rec_len || got.flags != CLIF_REC_F_PAD
						  : memcmp(&got, &e->hdr, sizeof(got)) ||
							    memcmp(rg->mem + pos + CLIF_REC_HDR_BYTES, e->data,
								   e->hdr.cap_len)) {
			snprintf(what, sizeof(what), "%s record differs", rg->name);
			report(what, frame, len);
			dump_rec("data plane", &got);
			dump_rec("golden    ", &e->hdr);
		}
		if (got.rec_len < CLIF_REC_HDR_BYTES || got.rec_len % CLIF_REC_ALIGN) {
			report("record length corrupt, giving up on this ring state", frame, len);
			cons = prod;
			break;
		}
		cons += got.rec_len;
		rg->q_head = (rg->q_head + 1u) % TB_QUEUE;
		rg->q_len--;
	}
	if (cons != prod || rg->q_len) {
		snprintf(what, sizeof(what), "%s ring holds %u more records than expected", rg->name, rg->q_len);
		report(what, frame, len);
	}
	rg->cons = rg->prod;
	rg->q_len = 0;
	__atomic_store_n(&rg->regs.cons, prod, __ATOMIC_RELEASE);
}

static void ring_check_regs(struct tb_ring *rg)
{
	char what[128];

	if (rg->regs.seq != rg->seq || rg->regs.records != rg->records || rg->regs.drops != rg->drops ||
	    rg->regs.bytes != rg->bytes) {
		snprintf(what, sizeof(what), "%s ring registers seq %u/%u records %" PRIu64 "/%" PRIu64
			 " drops %" PRIu64 "/%" PRIu64, rg->name, rg->regs.seq, rg->seq, rg->regs.records,
			 rg->records, rg->regs.drops, rg->drops);
		report(what, NULL, 0);
	}
}

/* ---- main loop ---- */

struct tb_counts {
	struct clif_dp_counters ctr;
	struct clif_hit_counter hits[TB_MAX_RULES];
};

static void check_counts(struct placer *pl, const struct tb_rules *t, const struct tb_counts *want,
			 const volatile struct clif_dp_counters *got)
{
	uint32_t i;

	if (got->frames != want->ctr.frames || got->bytes != want->ctr.bytes ||
	    got->parse_errors != want->ctr.parse_errors || got->matched != want->ctr.matched ||
	    got->captured != want->ctr.captured || got->capture_drops != want->ctr.capture_drops ||
	    got->punted != want->ctr.punted || got->punt_drops != want->ctr.punt_drops ||
	    got->match_overflow != want->ctr.match_overflow)
		report("data-plane counters differ", NULL, 0);
	for (i = 0; i < t->n_rules; i++) {
		struct clif_hit_counter h = placer_hits(pl, i);

		if (h.packets != want->hits[i].packets || h.bytes != want->hits[i].bytes) {
			char what[96];

			snprintf(what, sizeof(what), "hit counter of slot %u: %" PRIu64 " packets, expected %" PRIu64, i,
				 h.packets, want->hits[i].packets);
			report(what, NULL, 0);
		}
	}
}

int main(int argc, char **argv)
{
	static struct dp_beat in[CLIF_DP_BURST][CLIF_DP_MAX_BEATS], fwd[CLIF_DP_BURST][CLIF_DP_MAX_BEATS];
	static uint8_t frames[CLIF_DP_BURST][CLIF_DP_MAX_FRAME];
	static uint16_t lens[CLIF_DP_BURST];
	static struct dp_meta meta[CLIF_DP_BURST];
	const struct dp_beat *in_p[CLIF_DP_BURST];
	struct dp_beat *fwd_p[CLIF_DP_BURST];
	static struct tb_rules rules;
	static struct tb_counts want;
	static struct clif_dp_counters ctr;
	static struct clif_tblwin_regs tw;
	static struct tb_ring c2h = { .name = "c2h" }, punt = { .name = "punt" };
	struct placer pl = { 0 };
	struct pkt_rng rng;
	struct pkt_pool pool;
	uint64_t packets = 1000000, seed = 1, round_len = 20000, n;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--packets") && i + 1 < argc)
			packets = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--round") && i + 1 < argc)
			round_len = strtoull(argv[++i], NULL, 0);
		else {
			fprintf(stderr, "usage: %s [--packets N] [--seed S] [--round FRAMES_PER_RULE_SET]\n", argv[0]);
			return 2;
		}
	}
	if (round_len == 0)
		round_len = 1;
	for (i = 0; i < (int)CLIF_DP_BURST; i++) {
		in_p[i] = in[i];
		fwd_p[i] = fwd[i];
	}
	c2h.mem = malloc(65536);
	punt.mem = malloc(65536);
	c2h.q = malloc(TB_QUEUE * sizeof(*c2h.q));
	punt.q = malloc(TB_QUEUE * sizeof(*punt.q));
	if (!c2h.mem || !punt.mem || !c2h.q || !punt.q) {
		fprintf(stderr, "csim: out of memory\n");
		return 2;
	}
	pkt_rng_seed(&rng, seed);
	pkt_pool_init(&pool, &rng);

	for (n = 0; n < packets;) {
		struct golden_tables gt;
		/* A third of the rule sets run against small rings drained in bursts: pads and drops. */
		int stall = pkt_rng_below(&rng, 3) == 0;
		uint32_t drain_every = stall ? 1u + pkt_rng_below(&rng, 40) : 1u;
		int burst = pkt_rng_below(&rng, 2);
		uint64_t end = n + round_len < packets ? n + round_len : packets;

		random_rules(&rng, &pool, &rules);
		if (program(&pl, &rules, &tw)) {
			fprintf(stderr, "csim: placing a rule set failed\n");
			return 2;
		}
		gt = (struct golden_tables){ rules.exact, rules.n_exact, rules.prefix, rules.n_prefix,
					     rules.ternary, rules.n_ternary, rules.rules, rules.n_rules };
		memset(&want, 0, sizeof(want));
		memset(&ctr, 0, sizeof(ctr));
		ring_setup(&c2h, stall ? 4096u << pkt_rng_below(&rng, 2) : 65536u, pkt_rng_below(&rng, 50) != 0);
		ring_setup(&punt, stall ? 4096u : 65536u, pkt_rng_below(&rng, 50) != 0);

		while (n < end) {
			/* In burst rule sets the frames go through clif_dp_burst() in groups of 1-16. */
			uint32_t k = burst ? 1u + pkt_rng_below(&rng, CLIF_DP_BURST) : 1u, j;
			int drain = 0;

			if (k > end - n)
				k = (uint32_t)(end - n);
			for (j = 0; j < k; j++, n++) {
				uint8_t *frame = frames[j];
				struct golden_result g;
				uint16_t vport;
				uint32_t f;

				frame_no = n;
				lens[j] = pkt_random(&rng, &pool, frame, &vport);
				memcpy(in[j], frame, lens[j]);
				/* bytes past the frame hold garbage: a read beyond it shows as a mismatch */
				memset((uint8_t *)in[j] + lens[j], 0xa5,
				       sizeof(in[j]) - lens[j] < CLIF_DP_BEAT_BYTES ? sizeof(in[j]) - lens[j]
										    : CLIF_DP_BEAT_BYTES);
				meta[j] = (struct dp_meta){ .frame_len = lens[j], .vport = vport,
							    .ts_ns = 1000000000ull + n * 672u };
				golden_frame(&gt, frame, lens[j], vport, meta[j].ts_ns, &g);

				for (f = 0; f < 16u; f++)
					cov.perr_bit[f] += (g.parse_err >> f) & 1u;
				cov.overlay[g.cap_rec.overlay & 3u] += g.capture;
				cov.matched += g.n_hits != 0;
				cov.overflow += g.overflow != 0;
				cov.burst_frames += burst;
				want.ctr.frames++;
				want.ctr.bytes += lens[j];
				want.ctr.parse_errors += g.parse_err != 0;
				want.ctr.matched += g.n_hits != 0;
				want.ctr.match_overflow += g.overflow != 0;
				for (f = 0; f < g.n_hits; f++) {
					want.hits[g.hit_slot[f]].packets++;
					want.hits[g.hit_slot[f]].bytes += lens[j];
				}
				if (g.punt) {
					uint64_t before = punt.drops;

					ring_expect(&punt, &g.punt_rec, frame);
					want.ctr.punted += punt.drops == before;
					want.ctr.punt_drops += punt.drops != before;
				}
				if (g.capture) {
					uint64_t before = c2h.drops;

					ring_expect(&c2h, &g.cap_rec, frame);
					want.ctr.captured += c2h.drops == before;
					want.ctr.capture_drops += c2h.drops != before;
				}
				if ((n + 1u) % drain_every == 0 || n + 1u == end)
					drain = 1;
			}
			if (burst) {
				clif_dp_burst(in_p, fwd_p, meta, k, (struct dp_ring){ &c2h.regs, c2h.mem },
					      (struct dp_ring){ &punt.regs, punt.mem }, &ctr);
			} else {
				clif_dp_frame(in[0], fwd[0], &meta[0], (struct dp_ring){ &c2h.regs, c2h.mem },
					      (struct dp_ring){ &punt.regs, punt.mem }, &ctr);
			}
			for (j = 0; j < k; j++)
				if (memcmp(fwd[j], frames[j], lens[j]))
					report("forwarded frame differs from the input", frames[j], lens[j]);
			if (drain) {
				ring_drain(&c2h, frames[k - 1u], lens[k - 1u]);
				ring_drain(&punt, frames[k - 1u], lens[k - 1u]);
			}
		}
		ring_check_regs(&c2h);
		ring_check_regs(&punt);
		cov.captured += c2h.records;
		cov.punted += punt.records;
		cov.drops += c2h.drops + punt.drops;
		check_counts(&pl, &rules, &want, &ctr);
	}
	placer_fini(&pl);
	printf("csim: coverage: matched %" PRIu64 " captured %" PRIu64 " punted %" PRIu64 " dropped %" PRIu64
	       " pads %" PRIu64 " hit-overflow %" PRIu64 " through clif_dp_burst %" PRIu64 "\n",
	       cov.matched, cov.captured, cov.punted, cov.drops, cov.pads, cov.overflow, cov.burst_frames);
	printf("csim: coverage: captured by overlay none/vxlan/geneve/nvgre %" PRIu64 "/%" PRIu64 "/%" PRIu64
	       "/%" PRIu64 "\n", cov.overlay[0], cov.overlay[1], cov.overlay[2], cov.overlay[3]);
	printf("csim: coverage: frames per parse exception bit 0..11:");
	for (i = 0; i < 12; i++)
		printf(" %" PRIu64, cov.perr_bit[i]);
	printf("\n");
	printf("csim: %" PRIu64 " packets, seed %" PRIu64 ", %" PRIu64 " mismatches\n", packets, seed, mismatches);
	free(c2h.mem);
	free(punt.mem);
	free(c2h.q);
	free(punt.q);
	return mismatches ? 1 : 0;
}
