/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * C2H (card-to-host) capture ring: the registers in BAR0 and the record format in host memory.
 * The firmware's punt ring (frames punted for address learning) uses the same registers and
 * records in card memory.
 *
 * The ring is size bytes of memory (a power of two, at least 4 KiB) holding records. A record
 * is a 64-byte header followed by cap_len frame bytes, padded to a multiple of 64 (rec_len).
 * Records never wrap: when one would cross the end of the ring, the card first writes a pad
 * record (CLIF_REC_F_PAD, no frame bytes) that fills the ring to its end.
 * prod and cons are free-running byte counters (mod 2^32); the card owns prod, the host cons.
 * Bytes [cons, prod) hold complete records. The card writes a record's bytes before it moves
 * prod. When a record does not fit in size - (prod - cons) bytes the copy is dropped and
 * counted (drops); the forwarded frame is never held back. A ring that is not enabled, has a
 * bad size, a prod that is not a multiple of 64 or a cons that is not in [prod - size, prod]
 * drops every copy the same way. seq counts every copy the card
 * attempted, dropped or not, so a consumer sees a gap in seq where copies were lost.
 */
#ifndef CLIF_C2H_H
#define CLIF_C2H_H

#include "abi.h"

#define CLIF_REC_ALIGN 64u
#define CLIF_REC_HDR_BYTES 64u
#define CLIF_REC_MAX_MATCH 4u /* rule handles one record carries */
#define CLIF_RING_MIN_SIZE 4096u

/* clif_ring_regs.ctrl */
#define CLIF_RING_CTRL_ENABLE 0x1u

struct clif_ring_regs {
	uint32_t base_lo;   /* DMA address of the ring memory (sim: offset into the DMA region) */
	uint32_t base_hi;
	uint32_t size;      /* bytes, power of two, >= CLIF_RING_MIN_SIZE */
	uint32_t ctrl;      /* CLIF_RING_CTRL_* */
	uint32_t prod;      /* written by the card */
	uint32_t cons;      /* written by the consumer */
	uint32_t seq;       /* next record sequence number */
	uint32_t rsvd0;
	uint64_t records;   /* records written (pads excluded) */
	uint64_t drops;     /* copies dropped because the ring was full or disabled */
	uint64_t bytes;     /* frame bytes written */
	uint32_t rsvd1[2];
};
_Static_assert(sizeof(struct clif_ring_regs) == 64, "clif_ring_regs is 64 bytes");
_Static_assert(offsetof(struct clif_ring_regs, prod) == 16, "ring prod offset");
_Static_assert(offsetof(struct clif_ring_regs, cons) == 20, "ring cons offset");

/* BAR0 C2H block: one capture ring. */
struct clif_c2h_block {
	struct clif_blk_hdr hdr;  /* type CLIF_BLK_C2H */
	uint32_t ring_count;      /* rings in this block (1 in ABI 1) */
	uint32_t rsvd[11];
	struct clif_ring_regs ring[1];
};
_Static_assert(sizeof(struct clif_c2h_block) == 128, "clif_c2h_block is 128 bytes");
_Static_assert(offsetof(struct clif_c2h_block, ring) == 64, "c2h ring offset");

/* clif_c2h_rec.flags */
#define CLIF_REC_F_PAD 0x0001u        /* filler to the end of the ring: skip rec_len bytes */
#define CLIF_REC_F_TRUNCATED 0x0002u  /* cap_len < orig_len */
#define CLIF_REC_F_PARSE_ERR 0x0004u  /* parse_err holds CLIF_PERR_* bits */
#define CLIF_REC_F_LEARN_PUNT 0x0008u /* the frame was also punted to the firmware */
#define CLIF_REC_F_VLAN 0x0010u       /* vlan is valid */
#define CLIF_REC_F_VNI 0x0020u        /* vni is valid */
#define CLIF_REC_F_FRAGMENT 0x0040u   /* the keyed IP packet is a fragment */
#define CLIF_REC_F_MATCH_OVF 0x0080u  /* more rules matched than the record lists */

/*
 * Parse exceptions (clif_c2h_rec.parse_err). The frame is forwarded as it came; the fields
 * parsed before the exception are still keyed.
 */
#define CLIF_PERR_L2_TRUNC 0x0001u    /* Ethernet header or VLAN tag cut short (0-byte frames too) */
#define CLIF_PERR_VLAN_DEPTH 0x0002u  /* more than two VLAN tags: L3 not keyed */
#define CLIF_PERR_L3_TRUNC 0x0004u    /* IP header (or IPv4 options) cut short */
#define CLIF_PERR_L3_HDR 0x0008u      /* bad IP version or IHL: L3 not keyed */
#define CLIF_PERR_L3_LEN 0x0010u      /* IP total/payload length disagrees with the frame */
#define CLIF_PERR_EXT_DEPTH 0x0020u   /* IPv6 extension chain longer than the parser follows */
#define CLIF_PERR_EXT_TRUNC 0x0040u   /* IPv6 extension header cut short */
#define CLIF_PERR_L4_TRUNC 0x0080u    /* transport header cut short */
#define CLIF_PERR_L4_HDR 0x0100u      /* bad TCP data offset or UDP length */
#define CLIF_PERR_OVL_HDR 0x0200u     /* bad or cut-short VXLAN/Geneve/GRE header */
#define CLIF_PERR_OVL_NESTED 0x0400u  /* an overlay inside the overlay: not keyed deeper */
#define CLIF_PERR_WINDOW 0x0800u      /* headers continue past the parse window */

struct clif_c2h_rec {
	uint32_t rec_len;       /* header + frame bytes, padded to CLIF_REC_ALIGN */
	uint16_t flags;         /* CLIF_REC_F_* */
	uint8_t n_match;        /* valid entries in handle[] and side[] */
	uint8_t overlay;        /* enum clif_overlay_type */
	uint64_t ts_ns;         /* arrival time at the card's MAC */
	uint32_t handle[CLIF_REC_MAX_MATCH];
	uint8_t side[CLIF_REC_MAX_MATCH]; /* CLIF_SIDE_* bits per handle */
	uint16_t orig_len;      /* frame length on the wire (without FCS) */
	uint16_t cap_len;       /* frame bytes that follow the header */
	uint16_t vport;
	uint16_t vlan;          /* VID of the outer layer's outermost tag (CLIF_REC_F_VLAN) */
	uint32_t vni;           /* VNI or VSID (CLIF_REC_F_VNI) */
	uint16_t outer_l3_off;  /* offset of the outer IP header in the frame, 0 if none */
	uint16_t inner_l3_off;  /* offset of the overlay's inner IP header, 0 if none */
	uint8_t outer_l3;       /* enum clif_l3_type */
	uint8_t inner_l3;
	uint16_t parse_err;     /* CLIF_PERR_* */
	uint32_t seq;           /* ring sequence number of this copy */
	uint32_t rsvd;
};
_Static_assert(sizeof(struct clif_c2h_rec) == CLIF_REC_HDR_BYTES, "clif_c2h_rec is 64 bytes");
_Static_assert(offsetof(struct clif_c2h_rec, flags) == 4, "rec flags offset");
_Static_assert(offsetof(struct clif_c2h_rec, n_match) == 6, "rec n_match offset");
_Static_assert(offsetof(struct clif_c2h_rec, overlay) == 7, "rec overlay offset");
_Static_assert(offsetof(struct clif_c2h_rec, ts_ns) == 8, "rec ts offset");
_Static_assert(offsetof(struct clif_c2h_rec, handle) == 16, "rec handle offset");
_Static_assert(offsetof(struct clif_c2h_rec, side) == 32, "rec side offset");
_Static_assert(offsetof(struct clif_c2h_rec, orig_len) == 36, "rec orig_len offset");
_Static_assert(offsetof(struct clif_c2h_rec, cap_len) == 38, "rec cap_len offset");
_Static_assert(offsetof(struct clif_c2h_rec, vport) == 40, "rec vport offset");
_Static_assert(offsetof(struct clif_c2h_rec, vlan) == 42, "rec vlan offset");
_Static_assert(offsetof(struct clif_c2h_rec, vni) == 44, "rec vni offset");
_Static_assert(offsetof(struct clif_c2h_rec, outer_l3_off) == 48, "rec outer_l3_off offset");
_Static_assert(offsetof(struct clif_c2h_rec, inner_l3_off) == 50, "rec inner_l3_off offset");
_Static_assert(offsetof(struct clif_c2h_rec, outer_l3) == 52, "rec outer_l3 offset");
_Static_assert(offsetof(struct clif_c2h_rec, inner_l3) == 53, "rec inner_l3 offset");
_Static_assert(offsetof(struct clif_c2h_rec, parse_err) == 54, "rec parse_err offset");
_Static_assert(offsetof(struct clif_c2h_rec, seq) == 56, "rec seq offset");

#endif /* CLIF_C2H_H */
