/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CLIF card ABI: the parts every block shares.
 *
 * Rules for every header in include/clif (the card ABI):
 *  - only <stdint.h> and <stddef.h>; fixed-width fields; no pointers, no long, no bitfields;
 *  - every multi-byte field is little-endian on the wire and in card memory;
 *  - reserved fields are explicit and must be written as zero, ignored on read;
 *  - every struct carries _Static_assert checks on its size and on the offsets HLS or assembly use.
 * HLS, firmware, clif-cardsim and libclif include these files; nothing else defines these layouts.
 */
#ifndef CLIF_ABI_H
#define CLIF_ABI_H

#include <stddef.h>
#include <stdint.h>

/* C++ (the CppUTest suites) spells C11's _Static_assert as static_assert. */
#if defined(__cplusplus) && !defined(_Static_assert)
#define _Static_assert static_assert
#endif

#define CLIF_ABI_MAJOR 1u /* bumped on any incompatible change; hosts refuse an unknown major */
#define CLIF_ABI_MINOR 0u /* bumped on compatible additions */

/* Address kinds a match key can carry (clif_*_key.addr_type). 0 marks an empty entry. */
enum clif_addr_type {
	CLIF_ADDR_NONE = 0,
	CLIF_ADDR_IPV4 = 1, /* addr[0..3], network byte order, addr[4..15] zero */
	CLIF_ADDR_IPV6 = 2, /* addr[0..15], network byte order */
	CLIF_ADDR_MAC = 3,  /* addr[0..5] as on the wire, addr[6..15] zero */
};
#define CLIF_ADDR_BYTES 16u

/*
 * Scope of a key: which part of the packet's context must equal scope_value.
 * ANY ignores the context. VPORT is the card's virtual port the frame crossed, VLAN the
 * VID of the outermost 802.1Q/802.1ad tag of the layer, VNI the VXLAN/Geneve VNI or NVGRE
 * VSID of the overlay (inner layer only).
 */
enum clif_scope_type {
	CLIF_SCOPE_ANY = 0,
	CLIF_SCOPE_VPORT = 1,
	CLIF_SCOPE_VLAN = 2,
	CLIF_SCOPE_VNI = 3,
};
#define CLIF_SCOPE_COUNT 4u

/* Which side of the packet matched a rule: a bitmask, one bit per (layer, direction). */
#define CLIF_SIDE_OUTER_SRC 0x01u
#define CLIF_SIDE_OUTER_DST 0x02u
#define CLIF_SIDE_INNER_SRC 0x04u
#define CLIF_SIDE_INNER_DST 0x08u

/* Network-layer kinds reported in C2H records. */
enum clif_l3_type {
	CLIF_L3_NONE = 0,
	CLIF_L3_IPV4 = 1,
	CLIF_L3_IPV6 = 2,
};

/* Overlay kinds reported in C2H records. */
enum clif_overlay_type {
	CLIF_OVERLAY_NONE = 0,
	CLIF_OVERLAY_VXLAN = 1,  /* UDP destination port 4789 */
	CLIF_OVERLAY_GENEVE = 2, /* UDP destination port 6081 */
	CLIF_OVERLAY_NVGRE = 3,  /* GRE protocol 0x6558 */
};

/* Every register block starts with this header; blocks are chained by next_off (0 ends the chain). */
struct clif_blk_hdr {
	uint16_t type;     /* enum clif_blk_type */
	uint16_t version;  /* layout version of this block */
	uint32_t next_off; /* byte offset of the next block from the start of the BAR, 0 = last */
	uint32_t size;     /* bytes of this block, header included */
	uint32_t rsvd;
};
_Static_assert(sizeof(struct clif_blk_hdr) == 16, "clif_blk_hdr is 16 bytes");

enum clif_blk_type {
	CLIF_BLK_IDENT = 0x4944,   /* 'ID' */
	CLIF_BLK_MBOX = 0x4d42,    /* 'MB' */
	CLIF_BLK_C2H = 0x4332,     /* 'C2' */
	CLIF_BLK_DPCTR = 0x4443,   /* 'DC' */
	CLIF_BLK_TBLWIN = 0x5457,  /* 'TW' (card-internal AXI-lite, not in BAR0) */
};

#endif /* CLIF_ABI_H */
