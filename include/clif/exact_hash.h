/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The exact table's hash, part of the ABI: the data plane probes with it and the firmware
 * places entries with it, so both must compute the same bits. It is written with shifts,
 * xors and 32-bit multiplies over the key's fields (no byte-order or pointer tricks) so the
 * same text synthesizes in HLS and compiles for the ARM cores and the host.
 *
 * A key's candidate bucket in way w is (h1 + w * h2) mod way_size, with h1 and h2 the hash
 * under the table's seed and under seed ^ CLIF_EXACT_HASH_SEED2, h2 forced odd.
 */
#ifndef CLIF_EXACT_HASH_H
#define CLIF_EXACT_HASH_H

#include "match.h"

#define CLIF_EXACT_HASH_SEED2 0x5bd1e995u

static inline uint32_t clif_hash_round(uint32_t h, uint32_t w)
{
	w *= 0xcc9e2d51u;
	w = (w << 15) | (w >> 17);
	w *= 0x1b873593u;
	h ^= w;
	h = (h << 13) | (h >> 19);
	return h * 5u + 0xe6546b64u;
}

static inline uint32_t clif_exact_hash(const struct clif_exact_key *k, uint32_t seed)
{
	uint32_t h = seed;
	uint32_t i;

	h = clif_hash_round(h, (uint32_t)k->addr_type | ((uint32_t)k->scope_type << 8));
	h = clif_hash_round(h, k->scope_value);
	for (i = 0; i < CLIF_ADDR_BYTES / 4u; i++) {
		uint32_t w = (uint32_t)k->addr[4 * i] | ((uint32_t)k->addr[4 * i + 1] << 8) |
			     ((uint32_t)k->addr[4 * i + 2] << 16) | ((uint32_t)k->addr[4 * i + 3] << 24);
		h = clif_hash_round(h, w);
	}
	h ^= 24u;
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/* Bucket of a key in one way; way_size is a power of two. */
static inline uint32_t clif_exact_bucket(uint32_t h1, uint32_t h2, uint32_t way, uint32_t way_size)
{
	return (h1 + way * (h2 | 1u)) & (way_size - 1u);
}

#endif /* CLIF_EXACT_HASH_H */
