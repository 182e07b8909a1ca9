/* SPDX-License-Identifier: BSD-3-Clause */
/* Identity block: the first block of BAR0. Written by firmware, read by the host. */
#ifndef CLIF_IDENT_H
#define CLIF_IDENT_H

#include "abi.h"

#define CLIF_IDENT_MAGIC 0x46494c43u /* "CLIF" read as little-endian bytes */
#define CLIF_IDENT_VERSION 1u

/* clif_ident.status */
enum clif_card_status {
	CLIF_STATUS_BOOTING = 0,
	CLIF_STATUS_READY = 1,  /* mailbox served, tables live */
	CLIF_STATUS_FAULT = 2,  /* firmware stopped on an unrecoverable hardware error */
	CLIF_STATUS_RESET = 3,  /* reset in progress; wait for READY and a new reset_gen */
};

struct clif_ident {
	struct clif_blk_hdr hdr;  /* type CLIF_BLK_IDENT */
	uint32_t magic;           /* CLIF_IDENT_MAGIC */
	uint16_t abi_major;       /* CLIF_ABI_MAJOR of the firmware */
	uint16_t abi_minor;
	uint32_t fw_version;      /* major << 16 | minor << 8 | patch */
	uint32_t board_id;        /* enum in boards data; informational */
	uint8_t build_id[20];     /* git commit of the firmware build */
	uint32_t status;          /* enum clif_card_status */
	uint32_t heartbeat;       /* incremented by firmware at least once a second */
	uint32_t reset_gen;       /* incremented on every card reset; tables are empty after it changes */
	uint64_t uptime_ns;
	uint8_t board_name[32];   /* NUL-padded, from the device tree */
	uint32_t rsvd[38];
};
_Static_assert(sizeof(struct clif_ident) == 256, "clif_ident is 256 bytes");
_Static_assert(offsetof(struct clif_ident, magic) == 16, "ident magic offset");
_Static_assert(offsetof(struct clif_ident, abi_major) == 20, "ident abi_major offset");
_Static_assert(offsetof(struct clif_ident, status) == 52, "ident status offset");
_Static_assert(offsetof(struct clif_ident, heartbeat) == 56, "ident heartbeat offset");
_Static_assert(offsetof(struct clif_ident, reset_gen) == 60, "ident reset_gen offset");
_Static_assert(offsetof(struct clif_ident, uptime_ns) == 64, "ident uptime offset");

#endif /* CLIF_IDENT_H */
