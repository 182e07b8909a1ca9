/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The firmware's table manager (firmware/core/tblmgr.c) placing exact keys in the data plane's
 * default table (4 ways x 16K buckets + stash) through the real HLS table window, against a
 * plain open-addressing linear-probing table of the same capacity written here (no window).
 * Host build, one core. Prints "bench: <name> <value> <unit>" lines; everything else is
 * prefixed "info:". Timings are the best of three runs over the same keys.
 *
 * Keys: distinct random IPv4 host addresses, scope any, as warrant targets are.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clif/exact_hash.h"
#include "dp.h"
#include "fw/port.h"
#include "fw/tblmgr.h"

#define RUNS 3u
#define LOAD_SEEDS 3u
#define MAX_RULES 65536u

/* ---- the porting interface, for a host process whose table window is the C model ---- */

void plat_putc(char c)
{
	putchar(c);
}

uint64_t plat_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void plat_stop(int status)
{
	fflush(stdout);
	exit(status);
}

void plat_tw_doorbell(volatile struct clif_tblwin_regs *tw)
{
	clif_dp_tblwin(tw);
}

/* ---- keys ---- */

/* Distinct keys: a bijection of a counter (murmur3's finalizer) under a seed. */
static uint32_t key_addr(uint32_t seed, uint32_t i)
{
	uint32_t h = (i + 1u) ^ seed;

	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

static void make_rule(struct clif_cmd_rule *r, uint32_t handle, uint32_t a)
{
	memset(r, 0, sizeof(*r));
	r->handle = handle;
	r->kind = CLIF_RULE_EXACT;
	r->addr_type = CLIF_ADDR_IPV4;
	r->scope_type = CLIF_SCOPE_ANY;
	r->addr[0] = (uint8_t)(a >> 24);
	r->addr[1] = (uint8_t)(a >> 16);
	r->addr[2] = (uint8_t)(a >> 8);
	r->addr[3] = (uint8_t)a;
	r->actions = CLIF_ACT_CAPTURE;
}

static void make_key(struct clif_exact_key *k, uint32_t a)
{
	memset(k, 0, sizeof(*k));
	k->addr_type = CLIF_ADDR_IPV4;
	k->scope_type = CLIF_SCOPE_ANY;
	k->addr[0] = (uint8_t)(a >> 24);
	k->addr[1] = (uint8_t)(a >> 16);
	k->addr[2] = (uint8_t)(a >> 8);
	k->addr[3] = (uint8_t)a;
}

/* ---- linear probing: the same entries in one array of the same capacity ---- */

struct lp_table {
	struct clif_exact_entry *e;
	uint32_t mask;
	uint32_t seed;
};

/* Returns the probes used, 0 when the key was already there. */
static uint32_t lp_insert(struct lp_table *t, const struct clif_exact_key *k, uint32_t slot)
{
	uint32_t i = clif_exact_hash(k, t->seed) & t->mask, probes = 1;

	while (t->e[i].flags & CLIF_ENTRY_VALID) {
		if (memcmp(&t->e[i].key, k, sizeof(*k)) == 0)
			return 0;
		i = (i + 1u) & t->mask;
		probes++;
	}
	t->e[i].key = *k;
	t->e[i].rule_slot = slot;
	t->e[i].flags = CLIF_ENTRY_VALID;
	return probes;
}

/* Probes until the key or an empty entry. */
static uint32_t lp_probes(const struct lp_table *t, const struct clif_exact_key *k)
{
	uint32_t i = clif_exact_hash(k, t->seed) & t->mask, probes = 1;

	while ((t->e[i].flags & CLIF_ENTRY_VALID) && memcmp(&t->e[i].key, k, sizeof(*k)) != 0) {
		i = (i + 1u) & t->mask;
		probes++;
	}
	return probes;
}

/* ---- the runs ---- */

static struct clif_tblwin_regs tw;
static struct tblmgr tm;
static void *arena;
static size_t arena_size;

static void fw_reset_tables(void)
{
	if (tm_init(&tm, &tw, arena, arena_size, MAX_RULES) != CLIF_MBOX_OK) {
		fprintf(stderr, "bench: tm_init failed\n");
		exit(1);
	}
}

/* Inserts n keys; returns seconds. */
static double fw_insert(uint32_t seed, uint32_t n)
{
	struct clif_cmd_rule r;
	uint64_t t0;
	uint32_t i;

	fw_reset_tables();
	t0 = plat_now_ns();
	for (i = 0; i < n; i++) {
		make_rule(&r, i + 1u, key_addr(seed, i));
		if (tm_add(&tm, &r, r.handle) != CLIF_MBOX_OK) {
			fprintf(stderr, "bench: insert %u of %u refused\n", i, n);
			exit(1);
		}
	}
	return (double)(plat_now_ns() - t0) * 1e-9;
}

static double lp_insert_all(struct lp_table *t, uint32_t seed, uint32_t n, uint64_t *probes)
{
	struct clif_exact_key k;
	uint64_t t0, p = 0;
	uint32_t i;

	memset(t->e, 0, ((size_t)t->mask + 1u) * sizeof(*t->e));
	t0 = plat_now_ns();
	for (i = 0; i < n; i++) {
		make_key(&k, key_addr(seed, i));
		p += lp_insert(t, &k, i);
	}
	*probes = p;
	return (double)(plat_now_ns() - t0) * 1e-9;
}

int main(void)
{
	const uint32_t seed = 0x7ab1e001u;
	struct tm_geometry g;
	struct clif_table_stats st;
	struct lp_table lp;
	struct clif_exact_key k;
	uint32_t capacity, n90, i, run, s;
	double fw_best = 1e30, lp_best = 1e30, worst_load = 101.0;
	uint64_t lp_insert_probes = 0, hit_probes = 0, miss_probes = 0, writes = 0;
	uint32_t max_probe = 0;

	clif_dp_reset();
	tm_read_geometry(&tw, &g);
	arena_size = tm_arena_size(&g, MAX_RULES);
	arena = malloc(arena_size);
	capacity = g.ways * g.way_size;
	lp.mask = capacity - 1u;
	lp.seed = g.seed;
	lp.e = calloc(capacity, sizeof(*lp.e));
	if (!arena || !lp.e || capacity == 0) {
		fprintf(stderr, "bench: out of memory\n");
		return 1;
	}
	n90 = (uint32_t)((uint64_t)capacity * 90u / 100u);
	printf("info: exact table %u ways x %u buckets + %u stash, table manager arena %zu bytes for %u rules\n",
	       g.ways, g.way_size, g.stash, arena_size, MAX_RULES);

	/* Inserts to 90% load, window writes included. */
	for (run = 0; run < RUNS; run++) {
		double t = fw_insert(seed, n90);

		if (t < fw_best)
			fw_best = t;
		writes = tm.window_writes;
	}
	tm_stats(&tm, &st);
	printf("info: %u keys to 90%% load: %u in the ways, %u in the stash, %llu window commands, "
	       "largest search %u buckets, tm_check %u\n",
	       n90, st.exact_used, st.exact_stash_used, (unsigned long long)writes, tm.bfs_max_visited, tm_check(&tm));

	for (run = 0; run < RUNS; run++) {
		double t = lp_insert_all(&lp, seed, n90, &lp_insert_probes);

		if (t < lp_best)
			lp_best = t;
	}
	for (i = 0; i < n90; i++) {
		uint32_t p;

		make_key(&k, key_addr(seed, i));
		p = lp_probes(&lp, &k);
		hit_probes += p;
		if (p > max_probe)
			max_probe = p;
		make_key(&k, key_addr(seed ^ 0x55555555u, i) | 1u); /* almost surely absent */
		miss_probes += lp_probes(&lp, &k);
	}

	/* Random keys until the first refusal, for a few key sets. */
	for (s = 0; s < LOAD_SEEDS; s++) {
		struct clif_cmd_rule r;
		double load;

		fw_reset_tables();
		for (i = 0;; i++) {
			make_rule(&r, i + 1u, key_addr(seed + 0x1000u * (s + 1u), i));
			if (tm_add(&tm, &r, r.handle) != CLIF_MBOX_OK)
				break;
		}
		tm_stats(&tm, &st);
		load = 100.0 * st.exact_used / capacity;
		printf("info: key set %u: first refusal after %u keys, ways %.2f%% full, stash %u of %u\n", s, i, load,
		       st.exact_stash_used, g.stash);
		if (load < worst_load)
			worst_load = load;
	}

	printf("bench: fw_table_inserts_per_s %.0f inserts/s\n", n90 / fw_best);
	printf("bench: fw_table_max_load_pct %.2f %%\n", worst_load);
	printf("bench: linear_probe_inserts_per_s %.0f inserts/s\n", n90 / lp_best);
	printf("bench: fw_table_vs_linear_probe %.3f x\n", (n90 / fw_best) / (n90 / lp_best));
	printf("bench: linear_probe_mean_probe_len_at_90pct %.2f probes\n", (double)hit_probes / n90);
	printf("info: linear probing at 90%%: %.2f probes per insert, %.2f per lookup of an absent key, "
	       "longest lookup %u; the exact table reads %u buckets (in parallel) + %u stash entries for any lookup\n",
	       (double)lp_insert_probes / n90, (double)miss_probes / n90, max_probe, g.ways, g.stash);
	printf("info: fw_table_max_load_pct is the lowest of %u key sets\n", LOAD_SEEDS);
	free(lp.e);
	free(arena);
	return 0;
}
