/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Boot self-test of the table manager against the table window (fw/fw.h): only tm_* calls.
 * Phases, each followed by tm_check():
 *  1. exact: distinct random keys (IPv4, IPv6, MAC in every scope) up to 95% of the ways'
 *     capacity (fewer if the rule slots or max_rules are fewer); every insert must succeed;
 *  2. delete a random half; 3. re-insert it (95% again, over a different layout);
 *  4. delete everything: the tables must be empty;
 *  5. prefix rules until the prefix table is full, one more must be refused with nothing
 *     changed; delete every other one, then the rest;
 *  6. ternary rules with port ranges until the ternary table refuses one (nothing changed);
 *     delete every other one, then the rest.
 * Keys come from a xorshift32 sequence, whose outputs do not repeat within 2^32 - 1 steps, so
 * exact keys are distinct by construction and can be generated again for the re-insert.
 * The tables are reset before and after. Runtime scales with the geometry.
 */
#include <stddef.h>
#include <stdint.h>
#include "fw/mem.h"

#include "fw/fw.h"
#include "fw/log.h"

#define MAX_REPORTS 8u /* failure lines printed; later failures are only counted */

struct st {
	struct tblmgr *tm;
	uint32_t failures;
};

static uint32_t xs32(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

static void failed(struct st *t, const char *what, uint32_t detail)
{
	if (t->failures < MAX_REPORTS)
		fw_printf("selftest: FAIL %s (%u)\n", what, detail);
	t->failures++;
}

static void expect(struct st *t, int got, int want, const char *what)
{
	if (got != want)
		failed(t, what, (uint32_t)got);
}

static void check(struct st *t, const char *phase)
{
	uint32_t v = tm_check(t->tm);

	if (v) {
		if (t->failures < MAX_REPORTS)
			fw_printf("selftest: FAIL tm_check after %s: %u violations\n", phase, v);
		t->failures += v;
	}
}

static struct clif_table_stats stats(struct st *t)
{
	struct clif_table_stats s;

	memset(&s, 0, sizeof(s));
	expect(t, tm_stats(t->tm, &s), CLIF_MBOX_OK, "tm_stats");
	return s;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* The exact rule for a distinct value v: its address holds all of v. */
static void exact_rule(struct clif_cmd_rule *r, uint32_t handle, uint32_t v)
{
	static const uint32_t scope_mask[CLIF_SCOPE_COUNT] = { 0u, 0xffffu, 0x0fffu, 0xffffffu };
	uint32_t sel = v & 3u, scope = (v >> 2) & 3u;

	memset(r, 0, sizeof(*r));
	r->hdr.opcode = CLIF_OP_RULE_ADD;
	r->handle = handle;
	r->kind = CLIF_RULE_EXACT;
	r->scope_type = (uint8_t)scope;
	r->scope_value = (v >> 5) & scope_mask[scope];
	if (sel <= 1u) {
		r->addr_type = CLIF_ADDR_IPV4;
		put_be32(r->addr, v);
	} else if (sel == 2u) {
		r->addr_type = CLIF_ADDR_IPV6;
		r->addr[0] = 0x20;
		r->addr[1] = 0x01;
		r->addr[2] = 0x0d;
		r->addr[3] = 0xb8;
		put_be32(r->addr + 12, v);
	} else {
		r->addr_type = CLIF_ADDR_MAC;
		r->addr[0] = 0x02;
		r->addr[1] = 0x53;
		put_be32(r->addr + 2, v);
	}
}

static void mask_prefix(uint8_t *addr, uint32_t len)
{
	uint32_t i;

	for (i = len; i < 128u; i++)
		addr[i / 8u] &= (uint8_t)~(0x80u >> (i % 8u));
}

/* A prefix (kind PREFIX) or ternary rule; vport scope i keeps keys distinct. */
static void cidr_rule(struct clif_cmd_rule *r, uint8_t kind, uint32_t handle, uint32_t i, uint32_t *rng)
{
	uint32_t v = xs32(rng), bits;

	memset(r, 0, sizeof(*r));
	r->hdr.opcode = CLIF_OP_RULE_ADD;
	r->handle = handle;
	r->kind = kind;
	r->scope_type = CLIF_SCOPE_VPORT;
	r->scope_value = i & 0xffffu;
	if (v & 1u) {
		r->addr_type = CLIF_ADDR_IPV4;
		bits = 32u;
	} else {
		r->addr_type = CLIF_ADDR_IPV6;
		bits = 128u;
		put_be32(r->addr + 4, xs32(rng));
		put_be32(r->addr + 8, xs32(rng));
		put_be32(r->addr + 12, xs32(rng));
	}
	put_be32(r->addr, xs32(rng));
	r->prefix_len = (uint8_t)(8u + xs32(rng) % (bits - 7u));
	mask_prefix(r->addr, r->prefix_len);
	if (kind == CLIF_RULE_TERNARY) {
		uint16_t lo = (uint16_t)xs32(rng), w = (uint16_t)(xs32(rng) % 200u);

		r->qual = CLIF_QUAL_PROTO | CLIF_QUAL_PORT_THIS;
		r->ip_proto = (v & 2u) ? 6u : 17u;
		r->port_this_lo = lo;
		r->port_this_hi = (uint16_t)(lo > 0xffffu - w ? 0xffffu : lo + w);
		r->priority = (uint16_t)xs32(rng);
	}
}

/* Exact keys n of them from key state k0: insert those the delete sequence d0 picks (all when
 * pick_all). Returns how many went in; stops at the first refusal when stop_on_fail. */
static uint32_t exact_pass(struct st *t, uint32_t k0, uint32_t d0, uint32_t n, int pick_all, int stop_on_fail,
			   uint32_t *first_fail)
{
	struct clif_cmd_rule r;
	uint32_t k = k0, d = d0, i, ok = 0;

	for (i = 0; i < n; i++) {
		uint32_t v = xs32(&k), pick = xs32(&d) & 1u;
		int rc;

		if (!pick_all && !pick)
			continue;
		exact_rule(&r, i + 1u, v);
		rc = tm_add(t->tm, &r, r.handle);
		if (rc == CLIF_MBOX_OK) {
			ok++;
			continue;
		}
		if (first_fail && *first_fail == 0)
			*first_fail = i + 1u;
		if (stop_on_fail)
			break;
		failed(t, "exact re-insert", (uint32_t)rc);
	}
	return ok;
}

static uint32_t pct10(uint32_t part, uint32_t whole)
{
	return whole ? (uint32_t)(((uint64_t)part * 1000u + whole / 2u) / whole) : 0u;
}

static void phase_exact(struct st *t, uint32_t seed)
{
	const struct tm_geometry *g = &t->tm->geo;
	uint32_t cap = g->ways * g->way_size, target = (uint32_t)(((uint64_t)cap * 95u + 99u) / 100u);
	uint32_t limit = target, k0 = seed, d0 = seed ^ 0x9e3779b9u, placed, deleted = 0, i, d, back, fail_at = 0;
	struct clif_table_stats s;
	struct clif_cmd_rule r;

	if (!d0)
		d0 = 1u;
	if (limit > g->rule_slots)
		limit = g->rule_slots;
	if (limit > t->tm->max_rules)
		limit = t->tm->max_rules;
	placed = exact_pass(t, k0, d0, limit, 1, 1, &fail_at);
	s = stats(t);
	fw_printf("selftest: exact %u/%u keys placed (%u.%u%%), stash %u, deepest search %u buckets\n", placed, cap,
		  pct10(placed, cap) / 10u, pct10(placed, cap) % 10u, s.exact_stash_used, t->tm->bfs_max_visited);
	if (limit < target)
		fw_printf("selftest: exact load limited to %u keys by %s\n", limit,
			  limit == t->tm->max_rules ? "max rules" : "rule slots");
	if (placed < limit)
		failed(t, "exact insert refused before the target load, key", fail_at);
	if (s.rule_used != placed)
		failed(t, "rule count after the exact fill", s.rule_used);
	check(t, "exact fill");

	d = d0;
	for (i = 0; i < placed; i++) {
		if (!(xs32(&d) & 1u))
			continue;
		expect(t, tm_delete(t->tm, i + 1u), CLIF_MBOX_OK, "exact delete");
		deleted++;
	}
	if (placed && tm_get(t->tm, placed + 1u, &r) != CLIF_MBOX_ENOENT)
		failed(t, "tm_get of a rule never added", placed + 1u);
	if (stats(t).rule_used != placed - deleted)
		failed(t, "rule count after deletes", stats(t).rule_used);
	check(t, "exact deletes");

	back = exact_pass(t, k0, d0, placed, 0, 0, NULL);
	if (back != deleted)
		failed(t, "exact keys re-inserted", back);
	fw_printf("selftest: exact deleted %u, re-inserted %u, stash %u\n", deleted, back, stats(t).exact_stash_used);
	check(t, "exact re-inserts");

	for (i = 0; i < placed; i++)
		expect(t, tm_delete(t->tm, i + 1u), CLIF_MBOX_OK, "exact delete all");
	s = stats(t);
	if (s.rule_used || s.exact_used || s.exact_stash_used)
		failed(t, "exact table not empty after deleting everything", s.exact_used);
	check(t, "exact empty");
}

/* Prefix (kind PREFIX) or ternary rules until the table refuses one. Returns rules added. */
static uint32_t phase_cidr(struct st *t, uint8_t kind, uint32_t seed, uint32_t *entries)
{
	const struct tm_geometry *g = &t->tm->geo;
	uint32_t cap = kind == CLIF_RULE_PREFIX ? g->prefix : g->ternary, budget = cap, rng = seed, n = 0, i;
	struct clif_table_stats before, after;
	struct clif_cmd_rule r;
	int rc = CLIF_MBOX_OK;

	if (budget > g->rule_slots - 1u)
		budget = g->rule_slots - 1u;
	if (budget > t->tm->max_rules - 1u)
		budget = t->tm->max_rules - 1u;
	if (budget > 0x10000u)
		budget = 0x10000u; /* distinct vport scopes */
	if (!rng)
		rng = 1u;
	for (i = 0; i < budget; i++) {
		before = stats(t);
		cidr_rule(&r, kind, i + 1u, i, &rng);
		rc = tm_add(t->tm, &r, r.handle);
		if (rc != CLIF_MBOX_OK)
			break;
		n++;
	}
	after = stats(t);
	*entries = kind == CLIF_RULE_PREFIX ? after.prefix_used : after.ternary_used;
	if (kind == CLIF_RULE_PREFIX && n < budget)
		failed(t, "prefix insert refused before the table was full, rule", n + 1u);
	if (rc != CLIF_MBOX_OK) {
		if (rc != CLIF_MBOX_EFULL)
			failed(t, "refused insert status", (uint32_t)rc);
		if (memcmp(&before, &after, sizeof(before)) != 0)
			failed(t, "a refused insert changed the tables", n + 1u);
	} else if (budget == cap) {
		/* The table is full: one more must be refused with nothing changed. */
		cidr_rule(&r, kind, budget + 1u, budget, &rng);
		r.scope_type = CLIF_SCOPE_ANY;
		r.scope_value = 0;
		rc = tm_add(t->tm, &r, r.handle);
		if (rc != CLIF_MBOX_EFULL)
			failed(t, "insert into a full table", (uint32_t)rc);
		before = stats(t);
		if (memcmp(&before, &after, sizeof(before)) != 0)
			failed(t, "a refused insert changed the tables", budget + 1u);
	}
	check(t, kind == CLIF_RULE_PREFIX ? "prefix fill" : "ternary fill");
	for (i = 0; i < n; i += 2u)
		expect(t, tm_delete(t->tm, i + 1u), CLIF_MBOX_OK, "cidr delete");
	check(t, kind == CLIF_RULE_PREFIX ? "prefix deletes" : "ternary deletes");
	for (i = 1; i < n; i += 2u)
		expect(t, tm_delete(t->tm, i + 1u), CLIF_MBOX_OK, "cidr delete");
	after = stats(t);
	if (after.rule_used || after.prefix_used || after.ternary_used)
		failed(t, "tables not empty after deleting everything", after.rule_used);
	check(t, kind == CLIF_RULE_PREFIX ? "prefix empty" : "ternary empty");
	return n;
}

int fw_selftest(struct fw *fw, uint32_t seed)
{
	struct st t = { &fw->tm, 0 };
	uint32_t s = seed ? seed : 0x2545f491u, np, nt, ep = 0, et = 0;

	tm_reset(&fw->tm);
	check(&t, "reset");
	phase_exact(&t, s);
	np = phase_cidr(&t, CLIF_RULE_PREFIX, s ^ 0x85ebca6bu, &ep);
	nt = phase_cidr(&t, CLIF_RULE_TERNARY, s ^ 0xc2b2ae35u, &et);
	fw_printf("selftest: prefix %u rules in %u entries, ternary %u rules in %u entries\n", np, ep, nt, et);
	tm_reset(&fw->tm);
	check(&t, "final reset");
	fw_printf("selftest: table manager: %u failures\n", t.failures);
	return (int)t.failures;
}
