/* SPDX-License-Identifier: BSD-3-Clause */
/* Software placer: cuckoo insertion by random walk, prefix and ternary entries appended. */
#include <stdlib.h>
#include <string.h>

#include "clif/exact_hash.h"
#include "dp.h"
#include "placer.h"

uint32_t placer_cmd(struct placer *pl, uint32_t table, uint32_t index, uint32_t cmd, const void *entry,
		    uint32_t entry_len)
{
	uint32_t words[CLIF_TW_DATA_WORDS] = { 0 };
	uint32_t i;

	/* The host is little-endian like the ABI, so a struct's bytes are its window words. */
	if (entry)
		memcpy(words, entry, entry_len);
	for (i = 0; i < CLIF_TW_DATA_WORDS; i++)
		pl->tw->data[i] = words[i];
	pl->tw->table = table;
	pl->tw->index = index;
	pl->tw->cmd = cmd;
	clif_dp_tblwin(pl->tw);
	return pl->tw->status;
}

int placer_init(struct placer *pl, volatile struct clif_tblwin_regs *tw)
{
	memset(pl, 0, sizeof(*pl));
	pl->tw = tw;
	tw->prefix_count = 0;
	tw->ternary_count = 0;
	placer_cmd(pl, 0, 0, CLIF_TW_CMD_RESET, NULL, 0);
	pl->ways = tw->exact_ways;
	pl->way_size = tw->exact_way_size;
	pl->seed = tw->hash_seed;
	pl->kicks = 500;
	pl->rng = 0x9e3779b97f4a7c15ull;
	pl->shadow = calloc((size_t)pl->ways * pl->way_size, sizeof(*pl->shadow));
	return pl->shadow ? 0 : -1;
}

void placer_fini(struct placer *pl)
{
	free(pl->shadow);
	pl->shadow = NULL;
}

int placer_rule(struct placer *pl, uint32_t slot, const struct clif_rule_entry *r)
{
	return placer_cmd(pl, CLIF_TBL_RULE, slot, CLIF_TW_CMD_WRITE, r, sizeof(*r)) == CLIF_TW_ST_DONE ? 0 : -1;
}

static uint32_t bucket_of(const struct placer *pl, const struct clif_exact_key *k, uint32_t way)
{
	uint32_t h1 = clif_exact_hash(k, pl->seed);
	uint32_t h2 = clif_exact_hash(k, pl->seed ^ CLIF_EXACT_HASH_SEED2);

	return clif_exact_bucket(h1, h2, way, pl->way_size);
}

static void put_exact(struct placer *pl, uint32_t way, uint32_t bucket, const struct clif_exact_entry *e)
{
	uint32_t idx = way * pl->way_size + bucket;

	pl->shadow[idx] = *e;
	placer_cmd(pl, CLIF_TBL_EXACT, idx, CLIF_TW_CMD_WRITE, e, sizeof(*e));
}

int placer_exact(struct placer *pl, const struct clif_exact_entry *e)
{
	struct clif_exact_entry cur = *e;
	uint32_t kick, w;

	for (kick = 0; kick <= pl->kicks; kick++) {
		uint32_t victim_way;

		for (w = 0; w < pl->ways; w++) {
			uint32_t b = bucket_of(pl, &cur.key, w);

			if (!(pl->shadow[w * pl->way_size + b].flags & CLIF_ENTRY_VALID)) {
				put_exact(pl, w, b, &cur);
				return 0;
			}
		}
		/* Every candidate is taken: evict one at random and place it next round. */
		pl->rng ^= pl->rng << 13;
		pl->rng ^= pl->rng >> 7;
		pl->rng ^= pl->rng << 17;
		victim_way = (uint32_t)(pl->rng % pl->ways);
		{
			uint32_t b = bucket_of(pl, &cur.key, victim_way);
			struct clif_exact_entry victim = pl->shadow[victim_way * pl->way_size + b];

			put_exact(pl, victim_way, b, &cur);
			cur = victim;
		}
	}
	/* The walk ended with cur homeless: the stash takes it, or the table is full (and cur,
	 * possibly an earlier entry, is lost: the testbench treats that as fatal). */
	return placer_exact_stash(pl, &cur);
}

int placer_exact_stash(struct placer *pl, const struct clif_exact_entry *e)
{
	if (pl->stash_used >= pl->tw->exact_stash_entries)
		return -1;
	placer_cmd(pl, CLIF_TBL_EXACT_STASH, pl->stash_used++, CLIF_TW_CMD_WRITE, e, sizeof(*e));
	return 0;
}

int placer_prefix(struct placer *pl, const struct clif_prefix_entry *e)
{
	if (pl->prefix_used >= pl->tw->prefix_entries)
		return -1;
	placer_cmd(pl, CLIF_TBL_PREFIX, pl->prefix_used, CLIF_TW_CMD_WRITE, e, sizeof(*e));
	pl->prefix_used++;
	pl->tw->prefix_count = pl->prefix_used;
	clif_dp_tblwin(pl->tw);
	return 0;
}

int placer_ternary(struct placer *pl, const struct clif_ternary_entry *e)
{
	if (pl->ternary_used >= pl->tw->ternary_entries)
		return -1;
	placer_cmd(pl, CLIF_TBL_TERNARY, pl->ternary_used, CLIF_TW_CMD_WRITE, e, sizeof(*e));
	pl->ternary_used++;
	pl->tw->ternary_count = pl->ternary_used;
	clif_dp_tblwin(pl->tw);
	return 0;
}

struct clif_hit_counter placer_hits(struct placer *pl, uint32_t slot)
{
	struct clif_hit_counter c;
	uint32_t words[CLIF_TW_DATA_WORDS], i;

	placer_cmd(pl, CLIF_TBL_HITS, slot, CLIF_TW_CMD_READ, NULL, 0);
	for (i = 0; i < CLIF_TW_DATA_WORDS; i++)
		words[i] = pl->tw->data[i];
	memcpy(&c, words, sizeof(c));
	return c;
}
