/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Data-plane build parameters. Each can be overridden with -D at build time (a bitstream is
 * built for one set); the firmware reads the sizes back from the table window's geometry
 * registers, so nothing outside hls/ hard-codes them.
 */
#ifndef CLIF_DP_CONFIG_H
#define CLIF_DP_CONFIG_H

#include "clif/abi.h"

#ifndef CLIF_DP_EXACT_WAYS
#define CLIF_DP_EXACT_WAYS 4u         /* cuckoo ways, one memory each, probed in parallel */
#endif
#ifndef CLIF_DP_EXACT_WAY_SIZE
#define CLIF_DP_EXACT_WAY_SIZE 16384u /* buckets per way (power of two): 64K entries */
#endif
#ifndef CLIF_DP_EXACT_STASH
#define CLIF_DP_EXACT_STASH 8u        /* exact entries outside the ways, compared with every probe */
#endif
#ifndef CLIF_DP_PREFIX_ENTRIES
#define CLIF_DP_PREFIX_ENTRIES 1024u
#endif
#ifndef CLIF_DP_TERNARY_ENTRIES
#define CLIF_DP_TERNARY_ENTRIES 256u
#endif
#ifndef CLIF_DP_RULE_SLOTS
#define CLIF_DP_RULE_SLOTS 65536u
#endif
#ifndef CLIF_DP_HASH_SEED
#define CLIF_DP_HASH_SEED 0x2545f491u
#endif

#define CLIF_DP_BEAT_BYTES 64u         /* 512-bit AXI stream */
#define CLIF_DP_MAX_FRAME 9728u        /* the MAC's largest frame (jumbo, without FCS) */
#define CLIF_DP_MAX_BEATS ((CLIF_DP_MAX_FRAME + CLIF_DP_BEAT_BYTES - 1u) / CLIF_DP_BEAT_BYTES)
#define CLIF_DP_PARSE_BEATS 8u         /* beats the parser sees */
#define CLIF_DP_PARSE_BYTES (CLIF_DP_PARSE_BEATS * CLIF_DP_BEAT_BYTES)
#define CLIF_DP_VLAN_MAX 2u            /* tags per layer: 802.1Q, QinQ */
#define CLIF_DP_V6_EXT_MAX 8u          /* IPv6 extension headers followed per layer */
#define CLIF_DP_MAX_HITS 16u           /* distinct rules one frame can hit and be counted for */

_Static_assert((CLIF_DP_EXACT_WAY_SIZE & (CLIF_DP_EXACT_WAY_SIZE - 1u)) == 0,
	       "CLIF_DP_EXACT_WAY_SIZE must be a power of two");
_Static_assert(CLIF_DP_MAX_FRAME <= 0xffffu, "frame lengths are 16-bit in records");

#endif /* CLIF_DP_CONFIG_H */
