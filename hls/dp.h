/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The CLIF data plane (synthesizable C): parser, match tables, capture writer.
 * What it computes is specified in hls/SEMANTICS.md; layouts come from include/clif.
 *
 * Ports of the synthesis top, clif_dp_top() (hls/top.c): s_axis frame beats in, m_axis frame
 * beats out (forwarded as they came), m_axi to the C2H ring in host memory and to the punt
 * ring in card memory, s_axilite for the table window (include/clif/tblwin.h, used by the
 * firmware), ring registers and counters. The tables are the kernel's own state (static
 * arrays): one data plane per program.
 */
#ifndef CLIF_DP_H
#define CLIF_DP_H

#include <stdint.h>

#include "clif/c2h.h"
#include "clif/dpctr.h"
#include "clif/match.h"
#include "clif/tblwin.h"
#include "dp_config.h"

/* One 512-bit beat of the frame stream. */
struct dp_beat {
	uint8_t data[CLIF_DP_BEAT_BYTES];
};

/* Side-band data the MAC delivers with a frame (AXI-stream tuser). */
struct dp_meta {
	uint16_t frame_len; /* bytes, <= CLIF_DP_MAX_FRAME (the MAC drops longer frames) */
	uint16_t vport;
	uint32_t rsvd;
	uint64_t ts_ns;
};

/* A ring as the data plane writes it: registers plus the memory they describe. */
struct dp_ring {
	volatile struct clif_ring_regs *regs;
	uint8_t *mem; /* regs->size bytes */
};

/*
 * Processes one frame: forwards it to fwd unchanged, parses it, looks it up, counts hits and
 * writes a record to the C2H ring and/or the punt ring. ctr is the BAR0 counters block.
 */
void clif_dp_frame(const struct dp_beat in[CLIF_DP_MAX_BEATS], struct dp_beat fwd[CLIF_DP_MAX_BEATS],
		   const struct dp_meta *meta, struct dp_ring c2h, struct dp_ring punt,
		   volatile struct clif_dp_counters *ctr);

/*
 * The C model's burst entry (clif-cardsim, benchmarks): up to CLIF_DP_BURST frames, with
 * exactly the results of that many clif_dp_frame() calls in a row. Returns the number of
 * frames processed: min(n, CLIF_DP_BURST). The front half of every frame
 * (forward, parse, probe hashing) runs before the back half of the first, as frames overlap in
 * the hardware pipeline, so the model's table reads overlap too. Not a synthesis top.
 */
#define CLIF_DP_BURST 16u
uint32_t clif_dp_burst(const struct dp_beat *const in[], struct dp_beat *const fwd[], const struct dp_meta meta[],
		       uint32_t n, struct dp_ring c2h, struct dp_ring punt, volatile struct clif_dp_counters *ctr);

/*
 * Serves the table window: fills the geometry registers and, if cmd is set, executes it,
 * writes status and clears cmd. Called between frames (the hardware arbitrates the same way).
 */
void clif_dp_tblwin(volatile struct clif_tblwin_regs *tw);

/*
 * The synthesis top (hls/top.c): serves the table window, then, if have_frame, one frame.
 * Flat arguments, one per interface port.
 */
void clif_dp_top(const struct dp_beat in[CLIF_DP_MAX_BEATS], struct dp_beat fwd[CLIF_DP_MAX_BEATS],
		 const struct dp_meta *meta, uint32_t have_frame, volatile struct clif_tblwin_regs *tw,
		 volatile struct clif_ring_regs *c2h_regs, uint8_t *c2h_mem, volatile struct clif_ring_regs *punt_regs,
		 uint8_t *punt_mem, volatile struct clif_dp_counters *ctr);

/* Power-on state: every table entry invalid, every hit counter and the counts zero. */
void clif_dp_reset(void);

/* ---- internal stages, exposed for unit tests ---- */

struct dp_layer {
	uint8_t has_eth;
	uint8_t n_vlan;
	uint16_t vid;          /* first tag's VID */
	uint8_t dmac[CLIF_ADDR_BYTES]; /* 6 bytes, zero-padded as keys carry them */
	uint8_t smac[CLIF_ADDR_BYTES];
	uint8_t l3;            /* enum clif_l3_type */
	uint8_t ip_proto;
	uint8_t frag;
	uint8_t ports_valid;
	uint16_t l3_off;
	uint16_t sport;
	uint16_t dport;
	uint16_t rsvd;
	uint8_t src[CLIF_ADDR_BYTES]; /* zero-padded */
	uint8_t dst[CLIF_ADDR_BYTES];
};

struct dp_parsed {
	struct dp_layer layer[2]; /* outer, inner */
	uint8_t overlay;          /* enum clif_overlay_type; set once the overlay header is valid */
	uint8_t rsvd;
	uint16_t perr;            /* CLIF_PERR_* */
	uint32_t vni;
};

/* Parses the frame held in beats (frame_len <= CLIF_DP_MAX_FRAME). */
void dp_parse(const struct dp_beat in[CLIF_DP_MAX_BEATS], uint16_t frame_len, struct dp_parsed *out);

struct dp_hits {
	uint32_t n;
	uint8_t overflow;
	uint8_t rsvd[3];
	uint32_t slot[CLIF_DP_MAX_HITS];
	uint8_t side[CLIF_DP_MAX_HITS];
};

/* The exact probes of one frame: at most 2 layers x 2 sides x 2 address kinds x 4 scopes. */
#define DP_MAX_PROBES (2u * 2u * 2u * CLIF_SCOPE_COUNT)

struct dp_probe {
	struct clif_exact_key key;
	uint32_t bucket[CLIF_DP_EXACT_WAYS];
	uint32_t slot;
	uint8_t group; /* 2 * layer + side */
	uint8_t hit;
	uint16_t rsvd;
};

struct dp_probes {
	uint32_t n;
	struct dp_probe p[DP_MAX_PROBES];
};

/*
 * Looks the parsed frame up in every table and builds its hit list, in two stages as the
 * pipeline runs them: prepare builds and hashes the exact probe keys and starts the bucket
 * reads; finish compares, orders the hits and runs the prefix and ternary tables.
 * dp_lookup() is both in a row.
 */
void dp_lookup_prepare(const struct dp_parsed *p, uint16_t vport, struct dp_probes *pr);
void dp_lookup_finish(const struct dp_parsed *p, uint16_t vport, struct dp_probes *pr, struct dp_hits *hits);
void dp_lookup(const struct dp_parsed *p, uint16_t vport, struct dp_hits *hits);

/* Reads a rule entry (for the action stage). */
struct clif_rule_entry dp_rule(uint32_t slot);

/* Counts one frame's hits in the per-rule hit counters. */
void dp_count_hits(const struct dp_hits *hits, uint16_t frame_len);

/*
 * Writes one record (header + the frame's first hdr.cap_len bytes) to a ring.
 * Returns 1 when written, 0 when dropped (ring disabled, misconfigured or full).
 */
int dp_ring_put(struct dp_ring ring, const struct clif_c2h_rec *hdr,
		const struct dp_beat in[CLIF_DP_MAX_BEATS]);

#endif /* CLIF_DP_H */
