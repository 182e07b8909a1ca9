/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Table manager (fw/tblmgr.h): places rules in the data plane's match tables through the table
 * window and keeps a shadow of everything it wrote.
 *
 * State, all carved from the arena given to tm_init() (tm_arena_size() computes it):
 *  - rules: one record per rule (the mailbox rule as given, its report handle, its key, its
 *    place in the key's list of sharing rules), found by handle through an open-addressing map;
 *  - keys: one record per installed key (normalized from the rule), with its rule slot, its
 *    sharing rules oldest first, and where its entries are;
 *  - shadows of the tables: the key at every exact position (ways, then stash) and at every
 *    prefix and ternary index, plus the prefix and ternary entries as written;
 *  - scratch for the breadth-first placement search.
 *
 * Window order for a new key: clear the slot's hit counter, write the slot's rule entry, then
 * the key's table entries (a hit on a slot whose rule entry is not valid would be ignored). For
 * a key that goes: its table entries first, then the rule entry (invalid).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "clif/exact_hash.h"
#include "clif/match.h"
#include "clif/mbox.h"
#include "clif/tblwin.h"
#include "fw/log.h"
#include "fw/port.h"
#include "fw/tblmgr.h"

#define TM_NIL 0xffffffffu
#define TM_MAX_WAYS 16u         /* ways the manager handles (the data plane has 4) */
#define TM_VIS_SIZE 2048u       /* visited set of one search: a power of two >= 2 * TM_BFS_NODES */
#define TM_PORT_COVER 32u       /* a 16-bit range is covered by at most 30 value/mask pairs */
#define TM_CHECK_REPORTS 16u    /* violations tm_check() prints */
#define TM_ALIGN 64u

_Static_assert(TM_VIS_SIZE >= 2u * TM_BFS_NODES + TM_MAX_WAYS, "visited set too small");
_Static_assert((TM_VIS_SIZE & (TM_VIS_SIZE - 1u)) == 0, "visited set size is a power of two");

/*
 * A rule's key, normalized so that keys that match the same packets compare equal with
 * memcmp: bytes past the address's length are zero, prefix and ternary addresses are masked
 * to prefix_len, an unqualified port range is 0..65535, an unqualified protocol is 0.
 */
struct tm_key {
	uint8_t kind; /* enum clif_rule_kind */
	uint8_t addr_type;
	uint8_t scope_type;
	uint8_t prefix_len; /* PREFIX, TERNARY */
	uint32_t scope_value;
	uint8_t addr[CLIF_ADDR_BYTES];
	uint16_t priority; /* TERNARY */
	uint8_t qual;      /* TERNARY: CLIF_QUAL_PROTO or 0 (ports are in the ranges) */
	uint8_t ip_proto;
	uint16_t pt_lo, pt_hi, pp_lo, pp_hi;
};
_Static_assert(sizeof(struct tm_key) == 36, "tm_key has no padding (compared with memcmp)");

struct tm_keyrec {
	struct tm_key k;   /* k.kind == 0: free record */
	uint32_t slot;
	uint64_t tie_seq;  /* TERNARY: the age equal priorities are ordered by (older first) */
	uint32_t refcnt;
	uint32_t head, tail; /* sharing rules, oldest first */
	uint32_t h1, h2;   /* EXACT: hashes under the seed and seed ^ CLIF_EXACT_HASH_SEED2 */
	uint32_t pos;      /* EXACT: way * way_size + bucket, or ecap + stash index; PREFIX: index */
	uint32_t nent;     /* TERNARY: entries */
};

struct tm_rule {
	struct clif_cmd_rule r;
	uint64_t join_seq; /* when the rule joined its key: its age among the key's rules */
	uint32_t report_handle;
	uint32_t key;      /* TM_NIL: free record */
	uint32_t prev, next;
};

struct tm_vis {
	uint32_t pos, gen;
};

struct tm_hent {
	uint32_t handle;
	uint32_t rule; /* rule index + 1, 0 = empty */
};

struct tm_state {
	uint32_t nrules;   /* max_rules */
	uint32_t nkeys;    /* max_rules + 1: a modify holds the old and the new key for a moment */
	uint32_t nslots;   /* slots used: min(rule_slots, nkeys) */
	uint32_t ecap;     /* ways * way_size */
	uint32_t hmask;    /* handle map size - 1 */
	struct tm_rule *rules;
	uint32_t *rule_free;
	struct tm_keyrec *keys;
	uint32_t *key_free;
	uint32_t *slot_free;
	uint32_t *slot_key; /* key using a slot, TM_NIL when free */
	struct tm_hent *hmap; /* handle -> rule */
	uint32_t *epos;     /* key at each exact position: ecap way positions, then the stash */
	uint32_t *ppos;
	struct clif_prefix_entry *pent;
	uint32_t *tpos;
	struct clif_ternary_entry *tent;
	uint32_t *q_pos, *q_par, *path; /* search queue and the path it found */
	struct tm_vis *vis;
	uint32_t vis_gen;
	uint32_t rule_free_n, key_free_n, slot_free_n;
	uint32_t rules_used, keys_used, exact_used, stash_used, prefix_n, ternary_n;
	uint64_t seq;
	uint32_t check_reports;
};

/* A placement decided before anything is written. */
struct tm_plan {
	uint32_t h1, h2; /* EXACT */
	uint32_t n;      /* EXACT: positions in state->path; TERNARY: entries */
};

static inline struct tm_state *st_of(const struct tblmgr *tm)
{
	return (struct tm_state *)tm->state;
}

/* ---- table window ---- */

static void tw_exec(struct tblmgr *tm, uint32_t table, uint32_t index, uint32_t cmd)
{
	volatile struct clif_tblwin_regs *tw = tm->tw;
	uint32_t polls = 0, status;

	tw->table = table;
	tw->index = index;
	tw->cmd = cmd; /* the doorbell: last */
	plat_tw_doorbell(tw);
	while (tw->cmd != CLIF_TW_CMD_NONE) {
		if (++polls >= TM_TW_WAIT_POLLS) {
			fw_printf("tblmgr: table window: cmd %u table %u index %u not served\n", cmd, table, index);
			fw_panic("table window does not answer");
		}
	}
	status = tw->status;
	if (status != CLIF_TW_ST_DONE) {
		fw_printf("tblmgr: table window: cmd %u table %u index %u status %u\n", cmd, table, index, status);
		fw_panic("table window refused a command");
	}
	if (cmd != CLIF_TW_CMD_READ)
		tm->window_writes++;
}

/* Entry bytes are the window's data words (little-endian, as the host and the ARM cores are). */
static void tw_write(struct tblmgr *tm, uint32_t table, uint32_t index, const void *entry, uint32_t len)
{
	uint32_t words[CLIF_TW_DATA_WORDS];
	uint32_t i, n = (len + 3u) / 4u;

	memset(words, 0, sizeof(words));
	memcpy(words, entry, len);
	for (i = 0; i < n; i++)
		tm->tw->data[i] = words[i];
	tw_exec(tm, table, index, CLIF_TW_CMD_WRITE);
}

static void tw_read(struct tblmgr *tm, uint32_t table, uint32_t index, void *out, uint32_t len)
{
	uint32_t words[CLIF_TW_DATA_WORDS];
	uint32_t i;

	tw_exec(tm, table, index, CLIF_TW_CMD_READ);
	for (i = 0; i < CLIF_TW_DATA_WORDS; i++)
		words[i] = tm->tw->data[i];
	memcpy(out, words, len);
}

static void set_prefix_count(struct tblmgr *tm, uint32_t n)
{
	st_of(tm)->prefix_n = n;
	tm->tw->prefix_count = n;
	plat_tw_doorbell(tm->tw); /* models pick the count up when served */
	tm->window_writes++;
}

static void set_ternary_count(struct tblmgr *tm, uint32_t n)
{
	st_of(tm)->ternary_n = n;
	tm->tw->ternary_count = n;
	plat_tw_doorbell(tm->tw);
	tm->window_writes++;
}

/* ---- geometry and arena ---- */

void tm_read_geometry(volatile struct clif_tblwin_regs *tw, struct tm_geometry *g)
{
	/* Hardware shows the geometry from reset; a model fills it the first time it is served. */
	if (tw->exact_ways == 0 && tw->cmd == CLIF_TW_CMD_NONE)
		plat_tw_doorbell(tw);
	g->ways = tw->exact_ways;
	g->way_size = tw->exact_way_size;
	g->stash = tw->exact_stash_entries;
	g->prefix = tw->prefix_entries;
	g->ternary = tw->ternary_entries;
	g->rule_slots = tw->rule_slots;
	g->seed = tw->hash_seed;
}

static int geometry_ok(const struct tm_geometry *g)
{
	uint64_t positions = (uint64_t)g->ways * g->way_size + g->stash;

	return g->ways != 0 && g->ways <= TM_MAX_WAYS && g->way_size != 0 && (g->way_size & (g->way_size - 1u)) == 0 &&
	       g->rule_slots != 0 && positions < TM_NIL && g->prefix < TM_NIL && g->ternary < TM_NIL;
}

struct tm_layout {
	size_t state, rules, rule_free, keys, key_free, slot_free, slot_key, hmap, epos, ppos, pent, tpos, tent;
	size_t q_pos, q_par, path, vis, total;
	uint32_t nkeys, nslots, hsize;
};

static size_t take(size_t *at, size_t bytes)
{
	size_t off = (*at + TM_ALIGN - 1u) & ~(size_t)(TM_ALIGN - 1u);

	*at = off + bytes;
	return off;
}

static void layout(const struct tm_geometry *g, uint32_t max_rules, struct tm_layout *l)
{
	size_t at = 0, positions = (size_t)g->ways * g->way_size + g->stash;

	l->nkeys = max_rules + 1u;
	l->nslots = g->rule_slots < l->nkeys ? g->rule_slots : l->nkeys;
	l->hsize = 16u;
	while (l->hsize < 2u * (uint64_t)max_rules)
		l->hsize *= 2u;
	l->state = take(&at, sizeof(struct tm_state));
	l->rules = take(&at, (size_t)max_rules * sizeof(struct tm_rule));
	l->rule_free = take(&at, (size_t)max_rules * sizeof(uint32_t));
	l->keys = take(&at, (size_t)l->nkeys * sizeof(struct tm_keyrec));
	l->key_free = take(&at, (size_t)l->nkeys * sizeof(uint32_t));
	l->slot_free = take(&at, (size_t)l->nslots * sizeof(uint32_t));
	l->slot_key = take(&at, (size_t)l->nslots * sizeof(uint32_t));
	l->hmap = take(&at, (size_t)l->hsize * sizeof(struct tm_hent));
	l->epos = take(&at, positions * sizeof(uint32_t));
	l->ppos = take(&at, (size_t)g->prefix * sizeof(uint32_t));
	l->pent = take(&at, (size_t)g->prefix * sizeof(struct clif_prefix_entry));
	l->tpos = take(&at, (size_t)g->ternary * sizeof(uint32_t));
	l->tent = take(&at, (size_t)g->ternary * sizeof(struct clif_ternary_entry));
	l->q_pos = take(&at, TM_BFS_NODES * sizeof(uint32_t));
	l->q_par = take(&at, TM_BFS_NODES * sizeof(uint32_t));
	l->path = take(&at, (TM_BFS_NODES + 1u) * sizeof(uint32_t));
	l->vis = take(&at, TM_VIS_SIZE * sizeof(struct tm_vis));
	l->total = at + TM_ALIGN; /* the arena may start anywhere */
}

size_t tm_arena_size(const struct tm_geometry *g, uint32_t max_rules)
{
	struct tm_layout l;

	if (!geometry_ok(g) || max_rules >= TM_NIL - 1u)
		return 0;
	layout(g, max_rules, &l);
	return l.total;
}

/* Forgets every rule and key (the tables are empty). */
static void state_clear(struct tblmgr *tm)
{
	struct tm_state *s = st_of(tm);
	uint32_t i, positions = s->ecap + tm->geo.stash;

	for (i = 0; i < s->nrules; i++) {
		s->rules[i].key = TM_NIL;
		s->rule_free[i] = s->nrules - 1u - i; /* popped from the end: index 0 first */
	}
	for (i = 0; i < s->nkeys; i++) {
		memset(&s->keys[i], 0, sizeof(s->keys[i]));
		s->key_free[i] = s->nkeys - 1u - i;
	}
	for (i = 0; i < s->nslots; i++) {
		s->slot_free[i] = s->nslots - 1u - i; /* slot 0 first */
		s->slot_key[i] = TM_NIL;
	}
	memset(s->hmap, 0, (size_t)(s->hmask + 1u) * sizeof(*s->hmap));
	for (i = 0; i < positions; i++)
		s->epos[i] = TM_NIL;
	for (i = 0; i < tm->geo.prefix; i++)
		s->ppos[i] = TM_NIL;
	memset(s->pent, 0, (size_t)tm->geo.prefix * sizeof(*s->pent));
	for (i = 0; i < tm->geo.ternary; i++)
		s->tpos[i] = TM_NIL;
	memset(s->tent, 0, (size_t)tm->geo.ternary * sizeof(*s->tent));
	memset(s->vis, 0, TM_VIS_SIZE * sizeof(*s->vis));
	s->vis_gen = 0;
	s->rule_free_n = s->nrules;
	s->key_free_n = s->nkeys;
	s->slot_free_n = s->nslots;
	s->rules_used = s->keys_used = s->exact_used = s->stash_used = 0;
	s->prefix_n = s->ternary_n = 0;
	s->seq = 0;
}

static void window_reset(struct tblmgr *tm)
{
	tm->tw->prefix_count = 0;
	tm->tw->ternary_count = 0;
	tw_exec(tm, 0, 0, CLIF_TW_CMD_RESET);
}

int tm_init(struct tblmgr *tm, volatile struct clif_tblwin_regs *tw, void *arena, size_t arena_size,
	    uint32_t max_rules)
{
	struct tm_layout l;
	struct tm_state *s;
	uint8_t *base;

	memset(tm, 0, sizeof(*tm));
	tm->tw = tw;
	tm->max_rules = max_rules;
	tm_read_geometry(tw, &tm->geo);
	if (!geometry_ok(&tm->geo))
		return CLIF_MBOX_ERANGE;
	if (max_rules >= TM_NIL - 1u || !arena || arena_size < tm_arena_size(&tm->geo, max_rules))
		return CLIF_MBOX_EFULL;
	layout(&tm->geo, max_rules, &l);
	base = (uint8_t *)(((uintptr_t)arena + TM_ALIGN - 1u) & ~(uintptr_t)(TM_ALIGN - 1u));
	s = (struct tm_state *)(base + l.state);
	memset(s, 0, sizeof(*s));
	s->nrules = max_rules;
	s->nkeys = l.nkeys;
	s->nslots = l.nslots;
	s->ecap = tm->geo.ways * tm->geo.way_size;
	s->hmask = l.hsize - 1u;
	s->rules = (struct tm_rule *)(base + l.rules);
	s->rule_free = (uint32_t *)(base + l.rule_free);
	s->keys = (struct tm_keyrec *)(base + l.keys);
	s->key_free = (uint32_t *)(base + l.key_free);
	s->slot_free = (uint32_t *)(base + l.slot_free);
	s->slot_key = (uint32_t *)(base + l.slot_key);
	s->hmap = (struct tm_hent *)(base + l.hmap);
	s->epos = (uint32_t *)(base + l.epos);
	s->ppos = (uint32_t *)(base + l.ppos);
	s->pent = (struct clif_prefix_entry *)(base + l.pent);
	s->tpos = (uint32_t *)(base + l.tpos);
	s->tent = (struct clif_ternary_entry *)(base + l.tent);
	s->q_pos = (uint32_t *)(base + l.q_pos);
	s->q_par = (uint32_t *)(base + l.q_par);
	s->path = (uint32_t *)(base + l.path);
	s->vis = (struct tm_vis *)(base + l.vis);
	tm->state = s;
	state_clear(tm);
	window_reset(tm);
	return CLIF_MBOX_OK;
}

void tm_reset(struct tblmgr *tm)
{
	window_reset(tm);
	state_clear(tm);
}

/* ---- handle map: open addressing, linear probing, backward-shift deletion ---- */

static inline uint32_t hmap_home(const struct tm_state *s, uint32_t handle)
{
	uint32_t h = handle * 0x9e3779b1u;

	return (h ^ (h >> 16)) & s->hmask;
}

static uint32_t hmap_find(const struct tm_state *s, uint32_t handle)
{
	uint32_t i = hmap_home(s, handle);

	while (s->hmap[i].rule) {
		if (s->hmap[i].handle == handle)
			return s->hmap[i].rule - 1u;
		i = (i + 1u) & s->hmask;
	}
	return TM_NIL;
}

static void hmap_insert(struct tm_state *s, uint32_t handle, uint32_t ri)
{
	uint32_t i = hmap_home(s, handle);

	while (s->hmap[i].rule)
		i = (i + 1u) & s->hmask;
	s->hmap[i].handle = handle;
	s->hmap[i].rule = ri + 1u;
}

static void hmap_remove(struct tm_state *s, uint32_t handle)
{
	uint32_t i = hmap_home(s, handle), j;

	while (s->hmap[i].rule && s->hmap[i].handle != handle)
		i = (i + 1u) & s->hmask;
	FW_ASSERT(s->hmap[i].rule != 0);
	j = i;
	for (;;) {
		uint32_t home;

		j = (j + 1u) & s->hmask;
		if (!s->hmap[j].rule)
			break;
		home = hmap_home(s, s->hmap[j].handle);
		/* Move j into the hole at i unless its home lies cyclically in (i, j]. */
		if (((j - home) & s->hmask) >= ((j - i) & s->hmask)) {
			s->hmap[i] = s->hmap[j];
			i = j;
		}
	}
	s->hmap[i].rule = 0;
	s->hmap[i].handle = 0;
}

/* ---- keys ---- */

static uint32_t addr_bytes(uint32_t addr_type)
{
	switch (addr_type) {
	case CLIF_ADDR_IPV4: return 4u;
	case CLIF_ADDR_IPV6: return 16u;
	case CLIF_ADDR_MAC: return 6u;
	default: return 0;
	}
}

static int scope_ok(uint32_t type, uint32_t value)
{
	switch (type) {
	case CLIF_SCOPE_ANY: return value == 0;
	case CLIF_SCOPE_VPORT: return value <= 0xffffu;
	case CLIF_SCOPE_VLAN: return value <= 0xfffu;
	case CLIF_SCOPE_VNI: return value <= 0xffffffu;
	default: return 0;
	}
}

static inline uint8_t prefix_byte_mask(uint32_t byte, uint32_t len)
{
	if (len >= 8u * byte + 8u)
		return 0xffu;
	if (len <= 8u * byte)
		return 0;
	return (uint8_t)(0xffu << (8u - (len - 8u * byte)));
}

/* Minimal cover of [lo, hi] by aligned power-of-two blocks; returns the count. */
static uint32_t port_cover(uint32_t lo, uint32_t hi, uint16_t *val, uint16_t *mask)
{
	uint32_t a = lo, n = 0;

	while (a <= hi) {
		uint32_t size = 1;

		while (size < 0x10000u && (a & (2u * size - 1u)) == 0 && a + 2u * size - 1u <= hi)
			size *= 2u;
		if (n < TM_PORT_COVER) {
			val[n] = (uint16_t)a;
			mask[n] = (uint16_t)~(size - 1u);
		}
		n++;
		a += size;
	}
	return n;
}

static uint32_t ternary_expansion(const struct tm_key *k)
{
	uint16_t v[TM_PORT_COVER], m[TM_PORT_COVER];

	return port_cover(k->pt_lo, k->pt_hi, v, m) * port_cover(k->pp_lo, k->pp_hi, v, m);
}

/* Validates a rule and builds its normalized key. */
static int rule_key(const struct clif_cmd_rule *r, struct tm_key *k)
{
	uint32_t n = addr_bytes(r->addr_type), i;

	memset(k, 0, sizeof(*k));
	if (r->kind < CLIF_RULE_EXACT || r->kind > CLIF_RULE_TERNARY || n == 0 ||
	    !scope_ok(r->scope_type, r->scope_value) || (r->actions & ~CLIF_ACT_ALL) != 0)
		return CLIF_MBOX_EINVAL;
	for (i = n; i < CLIF_ADDR_BYTES; i++)
		if (r->addr[i])
			return CLIF_MBOX_EINVAL;
	k->kind = r->kind;
	k->addr_type = r->addr_type;
	k->scope_type = r->scope_type;
	k->scope_value = r->scope_value;
	memcpy(k->addr, r->addr, CLIF_ADDR_BYTES);
	if (r->kind == CLIF_RULE_EXACT)
		return CLIF_MBOX_OK;
	/* The data plane looks prefixes and ternary entries up for IP addresses only. */
	if (r->addr_type == CLIF_ADDR_MAC || r->prefix_len > 8u * n)
		return CLIF_MBOX_EINVAL;
	k->prefix_len = r->prefix_len;
	for (i = 0; i < CLIF_ADDR_BYTES; i++)
		k->addr[i] &= prefix_byte_mask(i, r->prefix_len);
	if (r->kind == CLIF_RULE_PREFIX)
		return CLIF_MBOX_OK;
	if (r->qual & ~(uint32_t)(CLIF_QUAL_PROTO | CLIF_QUAL_PORT_THIS | CLIF_QUAL_PORT_PEER))
		return CLIF_MBOX_EINVAL;
	k->priority = r->priority;
	k->pt_lo = 0;
	k->pt_hi = 0xffffu;
	k->pp_lo = 0;
	k->pp_hi = 0xffffu;
	if (r->qual & CLIF_QUAL_PROTO) {
		k->qual = CLIF_QUAL_PROTO;
		k->ip_proto = r->ip_proto;
	}
	if (r->qual & CLIF_QUAL_PORT_THIS) {
		if (r->port_this_lo > r->port_this_hi)
			return CLIF_MBOX_EINVAL;
		k->pt_lo = r->port_this_lo;
		k->pt_hi = r->port_this_hi;
	}
	if (r->qual & CLIF_QUAL_PORT_PEER) {
		if (r->port_peer_lo > r->port_peer_hi)
			return CLIF_MBOX_EINVAL;
		k->pp_lo = r->port_peer_lo;
		k->pp_hi = r->port_peer_hi;
	}
	/* More entries than one rule may take: no table could hold it, so not EFULL. */
	if (ternary_expansion(k) > TM_TERNARY_EXPAND)
		return CLIF_MBOX_EINVAL;
	return CLIF_MBOX_OK;
}

static inline int key_eq(const struct tm_key *a, const struct tm_key *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static void exact_key_of(const struct tm_key *k, struct clif_exact_key *ek)
{
	memset(ek, 0, sizeof(*ek));
	ek->addr_type = k->addr_type;
	ek->scope_type = k->scope_type;
	ek->scope_value = k->scope_value;
	memcpy(ek->addr, k->addr, CLIF_ADDR_BYTES);
}

static void exact_hashes(const struct tblmgr *tm, const struct tm_key *k, uint32_t *h1, uint32_t *h2)
{
	struct clif_exact_key ek;

	exact_key_of(k, &ek);
	*h1 = clif_exact_hash(&ek, tm->geo.seed);
	*h2 = clif_exact_hash(&ek, tm->geo.seed ^ CLIF_EXACT_HASH_SEED2);
}

static inline uint32_t way_pos(const struct tblmgr *tm, uint32_t h1, uint32_t h2, uint32_t w)
{
	return w * tm->geo.way_size + clif_exact_bucket(h1, h2, w, tm->geo.way_size);
}

static void exact_entry(const struct tm_keyrec *kr, struct clif_exact_entry *e)
{
	memset(e, 0, sizeof(*e));
	exact_key_of(&kr->k, &e->key);
	e->rule_slot = kr->slot;
	e->flags = CLIF_ENTRY_VALID;
}

static void prefix_entry(const struct tm_keyrec *kr, struct clif_prefix_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->addr_type = kr->k.addr_type;
	e->scope_type = kr->k.scope_type;
	e->prefix_len = kr->k.prefix_len;
	e->flags = CLIF_ENTRY_VALID;
	e->scope_value = kr->k.scope_value;
	memcpy(e->addr, kr->k.addr, CLIF_ADDR_BYTES);
	e->rule_slot = kr->slot;
}

/* Entry i (0 <= i < ternary_expansion) of a ternary key: this-port block i / n_peer, peer i % n_peer. */
static void ternary_entry(const struct tm_keyrec *kr, uint32_t i, struct clif_ternary_entry *e)
{
	uint16_t tv[TM_PORT_COVER], tmask[TM_PORT_COVER], pv[TM_PORT_COVER], pmask[TM_PORT_COVER];
	uint32_t np, b;

	port_cover(kr->k.pt_lo, kr->k.pt_hi, tv, tmask);
	np = port_cover(kr->k.pp_lo, kr->k.pp_hi, pv, pmask);
	memset(e, 0, sizeof(*e));
	e->addr_type = kr->k.addr_type;
	e->scope_type = kr->k.scope_type;
	e->flags = CLIF_ENTRY_VALID;
	if (kr->k.qual & CLIF_QUAL_PROTO) {
		e->ip_proto = kr->k.ip_proto;
		e->ip_proto_mask = 0xffu;
	}
	e->priority = kr->k.priority;
	e->scope_value = kr->k.scope_value;
	e->rule_slot = kr->slot;
	memcpy(e->addr, kr->k.addr, CLIF_ADDR_BYTES);
	for (b = 0; b < CLIF_ADDR_BYTES; b++)
		e->addr_mask[b] = prefix_byte_mask(b, kr->k.prefix_len);
	e->port_this = tv[i / np];
	e->port_this_mask = tmask[i / np];
	e->port_peer = pv[i % np];
	e->port_peer_mask = pmask[i % np];
}

/* The installed key equal to k, or TM_NIL. pl: the key's hashes (EXACT). */
static uint32_t key_find(const struct tblmgr *tm, const struct tm_key *k, const struct tm_plan *pl)
{
	const struct tm_state *s = st_of(tm);
	uint32_t i, w;

	switch (k->kind) {
	case CLIF_RULE_EXACT:
		for (w = 0; w < tm->geo.ways; w++) {
			uint32_t kid = s->epos[way_pos(tm, pl->h1, pl->h2, w)];

			if (kid != TM_NIL && key_eq(&s->keys[kid].k, k))
				return kid;
		}
		for (i = 0; i < tm->geo.stash; i++) {
			uint32_t kid = s->epos[s->ecap + i];

			if (kid != TM_NIL && key_eq(&s->keys[kid].k, k))
				return kid;
		}
		return TM_NIL;
	case CLIF_RULE_PREFIX:
		for (i = 0; i < s->prefix_n; i++)
			if (key_eq(&s->keys[s->ppos[i]].k, k))
				return s->ppos[i];
		return TM_NIL;
	default:
		for (i = 0; i < s->ternary_n; i++)
			if (key_eq(&s->keys[s->tpos[i]].k, k))
				return s->tpos[i];
		return TM_NIL;
	}
}

/* ---- rule slots: the rule entry a key's slot holds ---- */

static void slot_entry(const struct tm_state *s, const struct tm_keyrec *kr, struct clif_rule_entry *e)
{
	uint32_t ri, copies = 0;
	uint16_t snap_any = 0, snap_copy = 0;
	int whole_any = 0, whole_copy = 0;

	memset(e, 0, sizeof(*e));
	e->handle = s->rules[kr->head].report_handle; /* the oldest sharing rule */
	e->flags = CLIF_ENTRY_VALID;
	for (ri = kr->head; ri != TM_NIL; ri = s->rules[ri].next) {
		const struct clif_cmd_rule *r = &s->rules[ri].r;

		e->actions |= r->actions;
		/* The snap length only matters to rules that copy the frame (capture or punt). */
		if (r->actions & CLIF_ACT_ALL) {
			copies++;
			whole_copy |= r->snap_len == 0;
			if (r->snap_len > snap_copy)
				snap_copy = r->snap_len;
		}
		whole_any |= r->snap_len == 0;
		if (r->snap_len > snap_any)
			snap_any = r->snap_len;
	}
	if (copies)
		e->snap_len = whole_copy ? 0 : snap_copy;
	else
		e->snap_len = whole_any ? 0 : snap_any;
}

static void slot_sync(struct tblmgr *tm, uint32_t kid)
{
	struct clif_rule_entry e;

	slot_entry(st_of(tm), &st_of(tm)->keys[kid], &e);
	tw_write(tm, CLIF_TBL_RULE, st_of(tm)->keys[kid].slot, &e, sizeof(e));
}

static void slot_release(struct tblmgr *tm, uint32_t slot)
{
	struct tm_state *s = st_of(tm);
	struct clif_rule_entry e;

	memset(&e, 0, sizeof(e));
	tw_write(tm, CLIF_TBL_RULE, slot, &e, sizeof(e));
	s->slot_key[slot] = TM_NIL;
	s->slot_free[s->slot_free_n++] = slot;
}

/* ---- sharing lists ---- */

static void key_link_tail(struct tm_state *s, uint32_t kid, uint32_t ri)
{
	struct tm_keyrec *kr = &s->keys[kid];

	s->rules[ri].key = kid;
	s->rules[ri].prev = kr->tail;
	s->rules[ri].next = TM_NIL;
	if (kr->tail != TM_NIL)
		s->rules[kr->tail].next = ri;
	else
		kr->head = ri;
	kr->tail = ri;
	kr->refcnt++;
}

static void key_unlink(struct tm_state *s, uint32_t kid, uint32_t ri)
{
	struct tm_keyrec *kr = &s->keys[kid];
	struct tm_rule *ru = &s->rules[ri];

	if (ru->prev != TM_NIL)
		s->rules[ru->prev].next = ru->next;
	else
		kr->head = ru->next;
	if (ru->next != TM_NIL)
		s->rules[ru->next].prev = ru->prev;
	else
		kr->tail = ru->prev;
	ru->prev = ru->next = TM_NIL;
	ru->key = TM_NIL;
	kr->refcnt--;
}

/* ---- exact table ---- */

/* Writes key kid (TM_NIL: an invalid entry) at an exact position (ways, then stash). */
static void exact_put(struct tblmgr *tm, uint32_t pos, uint32_t kid)
{
	struct tm_state *s = st_of(tm);
	struct clif_exact_entry e;

	if (kid != TM_NIL) {
		exact_entry(&s->keys[kid], &e);
		s->keys[kid].pos = pos;
	} else {
		memset(&e, 0, sizeof(e));
	}
	if (pos < s->ecap)
		tw_write(tm, CLIF_TBL_EXACT, pos, &e, sizeof(e));
	else
		tw_write(tm, CLIF_TBL_EXACT_STASH, pos - s->ecap, &e, sizeof(e));
	s->epos[pos] = kid;
}

static int vis_add(struct tm_state *s, uint32_t pos)
{
	uint32_t i = (pos * 0x9e3779b1u) >> 21; /* 11 bits: TM_VIS_SIZE */

	i &= TM_VIS_SIZE - 1u;
	while (s->vis[i].gen == s->vis_gen) {
		if (s->vis[i].pos == pos)
			return 0;
		i = (i + 1u) & (TM_VIS_SIZE - 1u);
	}
	s->vis[i].pos = pos;
	s->vis[i].gen = s->vis_gen;
	return 1;
}

/*
 * Finds room for a key with hashes h1, h2 without writing anything. On success state->path
 * holds *n positions: path[0] is one of the key's buckets, path[n - 1] is free, and the key
 * at path[i] can move to path[i + 1] (one of its other buckets). n == 1 with path[0] >= ecap
 * is a free stash entry. Breadth-first over kick chains, at most TM_BFS_NODES buckets queued,
 * so the path found is a shortest one. Returns CLIF_MBOX_OK or CLIF_MBOX_EFULL.
 */
static int exact_plan(struct tblmgr *tm, uint32_t h1, uint32_t h2, uint32_t *n)
{
	struct tm_state *s = st_of(tm);
	uint32_t ways = tm->geo.ways, head = 0, tail = 0, w, i;

	for (w = 0; w < ways; w++) {
		uint32_t p = way_pos(tm, h1, h2, w);

		if (s->epos[p] == TM_NIL) {
			s->path[0] = p;
			*n = 1;
			return CLIF_MBOX_OK;
		}
	}
	if (++s->vis_gen == 0) {
		memset(s->vis, 0, TM_VIS_SIZE * sizeof(*s->vis));
		s->vis_gen = 1;
	}
	for (w = 0; w < ways && tail < TM_BFS_NODES; w++) {
		uint32_t p = way_pos(tm, h1, h2, w);

		if (vis_add(s, p)) {
			s->q_pos[tail] = p;
			s->q_par[tail++] = TM_NIL;
		}
	}
	while (head < tail) {
		uint32_t node = head++;
		const struct tm_keyrec *kr = &s->keys[s->epos[s->q_pos[node]]];

		for (w = 0; w < ways; w++) {
			uint32_t p = way_pos(tm, kr->h1, kr->h2, w), len, j;

			if (p == s->q_pos[node])
				continue;
			if (s->epos[p] == TM_NIL) {
				len = 2;
				for (j = s->q_par[node]; j != TM_NIL; j = s->q_par[j])
					len++;
				s->path[len - 1u] = p;
				i = len - 2u;
				for (j = node; j != TM_NIL; j = s->q_par[j])
					s->path[i--] = s->q_pos[j];
				*n = len;
				if (tail > tm->bfs_max_visited)
					tm->bfs_max_visited = tail;
				return CLIF_MBOX_OK;
			}
			if (tail < TM_BFS_NODES && vis_add(s, p)) {
				s->q_pos[tail] = p;
				s->q_par[tail++] = node;
			}
		}
	}
	if (tail > tm->bfs_max_visited)
		tm->bfs_max_visited = tail;
	for (i = 0; i < tm->geo.stash; i++) {
		if (s->epos[s->ecap + i] == TM_NIL) {
			s->path[0] = s->ecap + i;
			*n = 1;
			return CLIF_MBOX_OK;
		}
	}
	return CLIF_MBOX_EFULL;
}

/*
 * Installs key kid along a planned path, make-before-break.
 *
 * INVARIANT: at every instant (after every single window write) each installed exact key is
 * findable in one of its buckets or in the stash. The path is executed from its free end:
 * the last key of the chain is written into the free bucket first, then its old bucket is
 * overwritten with the key before it in the chain, and so on; the new key is written last,
 * over the bucket the first key of the chain has already left. Between two writes the key
 * that just moved sits in two buckets, both naming its own rule slot, so a lookup that finds
 * either gets the same hit (the data plane takes the first equal entry).
 */
static void exact_exec(struct tblmgr *tm, uint32_t kid, uint32_t n)
{
	struct tm_state *s = st_of(tm);
	uint32_t i;

	for (i = n - 1u; i > 0; i--)
		exact_put(tm, s->path[i], s->epos[s->path[i - 1u]]); /* copy first, ... */
	exact_put(tm, s->path[0], kid);                          /* ... overwrite the old copy last */
	if (s->path[0] >= s->ecap)
		s->stash_used++;
	else
		s->exact_used++;
}

/* Moves stash keys whose bucket became free back into the ways (make-before-break). */
static void stash_pull_back(struct tblmgr *tm)
{
	struct tm_state *s = st_of(tm);
	uint32_t i, w;

	for (i = 0; i < tm->geo.stash && s->stash_used; i++) {
		uint32_t kid = s->epos[s->ecap + i];

		if (kid == TM_NIL)
			continue;
		for (w = 0; w < tm->geo.ways; w++) {
			uint32_t p = way_pos(tm, s->keys[kid].h1, s->keys[kid].h2, w);

			if (s->epos[p] == TM_NIL) {
				exact_put(tm, p, kid);            /* in its bucket and the stash ... */
				exact_put(tm, s->ecap + i, TM_NIL); /* ... then only in the bucket */
				s->stash_used--;
				s->exact_used++;
				break;
			}
		}
	}
}

static void exact_remove(struct tblmgr *tm, uint32_t kid)
{
	struct tm_state *s = st_of(tm);
	uint32_t pos = s->keys[kid].pos;

	exact_put(tm, pos, TM_NIL);
	if (pos >= s->ecap) {
		s->stash_used--;
	} else {
		s->exact_used--;
		stash_pull_back(tm);
	}
}

/* ---- prefix table: packed in [0, prefix_n) ---- */

static void prefix_put(struct tblmgr *tm, uint32_t i, const struct clif_prefix_entry *e, uint32_t kid)
{
	struct tm_state *s = st_of(tm);

	tw_write(tm, CLIF_TBL_PREFIX, i, e, sizeof(*e));
	s->pent[i] = *e;
	s->ppos[i] = kid;
	if (kid != TM_NIL)
		s->keys[kid].pos = i;
}

static void prefix_add(struct tblmgr *tm, uint32_t kid)
{
	struct tm_state *s = st_of(tm);
	struct clif_prefix_entry e;

	prefix_entry(&s->keys[kid], &e);
	prefix_put(tm, s->prefix_n, &e, kid); /* past the count: not searched yet */
	set_prefix_count(tm, s->prefix_n + 1u);
}

/*
 * The last entry moves into the hole (written first: it is then searched at both indexes; the
 * removed key disappears with that write), then the count drops below the old copy, which is
 * then invalidated. Every other entry stays in [0, count) throughout. Prefix entries all fire,
 * so their order carries no meaning beyond the order of hits.
 */
static void prefix_remove(struct tblmgr *tm, uint32_t kid)
{
	struct tm_state *s = st_of(tm);
	struct clif_prefix_entry none;
	uint32_t hole = s->keys[kid].pos, last = s->prefix_n - 1u;

	if (hole != last)
		prefix_put(tm, hole, &s->pent[last], s->ppos[last]);
	set_prefix_count(tm, last);
	memset(&none, 0, sizeof(none));
	prefix_put(tm, last, &none, TM_NIL);
}

/* ---- ternary table: packed in [0, ternary_n) ----
 *
 * Order: the data plane takes the matching entry with the highest priority, ties to the lowest
 * index. Entries of equal priority are kept in the order of their keys' tie_seq (the age of the
 * key's oldest rule), so a tie goes to the older rule. Entries of one key are disjoint (port
 * blocks), so their order among themselves does not matter.
 */

static void ternary_put(struct tblmgr *tm, uint32_t i, const struct clif_ternary_entry *e, uint32_t kid)
{
	struct tm_state *s = st_of(tm);

	tw_write(tm, CLIF_TBL_TERNARY, i, e, sizeof(*e));
	s->tent[i] = *e;
	s->tpos[i] = kid;
}

static void ternary_clear(struct tblmgr *tm, uint32_t i)
{
	struct clif_ternary_entry none;

	memset(&none, 0, sizeof(none));
	ternary_put(tm, i, &none, TM_NIL);
}

/* A new key is the newest: its entries go after every other, and appear with one count write. */
static void ternary_add(struct tblmgr *tm, uint32_t kid, uint32_t n)
{
	struct tm_state *s = st_of(tm);
	struct clif_ternary_entry e;
	uint32_t i;

	for (i = 0; i < n; i++) {
		ternary_entry(&s->keys[kid], i, &e);
		ternary_put(tm, s->ternary_n + i, &e, kid);
	}
	s->keys[kid].nent = n;
	set_ternary_count(tm, s->ternary_n + n);
}

/*
 * Removes the entry at hole (keeping every other entry searched and the tie order):
 *  - the last entry moves into the hole when no entry of the same priority (of another key)
 *    lies between them: moving it ahead of those would give it ties it must lose;
 *  - otherwise the entries after the hole shift down one by one (each is copied before its
 *    old index is overwritten, so each is always searched and order is kept).
 * Then the count drops and the index past it is invalidated.
 */
static void ternary_remove_at(struct tblmgr *tm, uint32_t hole)
{
	struct tm_state *s = st_of(tm);
	uint32_t last = s->ternary_n - 1u, j;
	int move = 1;

	for (j = hole + 1u; j < last && move; j++)
		if (s->tent[j].priority == s->tent[last].priority && s->tpos[j] != s->tpos[last])
			move = 0;
	if (hole != last) {
		if (move) {
			ternary_put(tm, hole, &s->tent[last], s->tpos[last]);
		} else {
			for (j = hole + 1u; j <= last; j++)
				ternary_put(tm, j - 1u, &s->tent[j], s->tpos[j]);
		}
	}
	set_ternary_count(tm, last);
	ternary_clear(tm, last);
}

static void ternary_remove(struct tblmgr *tm, uint32_t kid)
{
	struct tm_state *s = st_of(tm);

	/* The key's highest entry first: moves and shifts then never touch its lower ones. */
	while (s->keys[kid].nent) {
		uint32_t i = s->ternary_n;

		while (i > 0 && s->tpos[i - 1u] != kid)
			i--;
		FW_ASSERT(i > 0);
		ternary_remove_at(tm, i - 1u);
		s->keys[kid].nent--;
	}
}

/*
 * The key's oldest rule went: the key now ranks by a younger rule's age, so its entries move
 * after the entries of equal priority whose keys are older than that (each entry is copied
 * to the spare index past the count first, then the entries in between shift down, then it
 * is written at its new index and the spare copy goes). Needs one free ternary entry; with
 * none the key keeps its rank (tie_seq unchanged).
 */
static void ternary_reage(struct tblmgr *tm, uint32_t kid)
{
	struct tm_state *s = st_of(tm);
	struct tm_keyrec *kr = &s->keys[kid];
	uint64_t age = s->rules[kr->head].join_seq;
	uint32_t done = 0, from = s->ternary_n;

	if (age <= kr->tie_seq)
		return;
	if (s->ternary_n >= tm->geo.ternary) {
		fw_printf("tblmgr: ternary table full: key of slot %u keeps its tie rank\n", kr->slot);
		return;
	}
	while (done < kr->nent) {
		uint32_t h = from, t = TM_NIL, j;
		struct clif_ternary_entry x;

		while (h > 0 && s->tpos[h - 1u] != kid)
			h--;
		FW_ASSERT(h > 0);
		h--;
		from = h;
		done++;
		for (j = h + 1u; j < s->ternary_n; j++)
			if (s->tpos[j] != kid && s->tent[j].priority == kr->k.priority && s->keys[s->tpos[j]].tie_seq < age)
				t = j;
		if (t == TM_NIL)
			continue;
		x = s->tent[h];
		ternary_put(tm, s->ternary_n, &x, kid);
		set_ternary_count(tm, s->ternary_n + 1u);
		for (j = h + 1u; j <= t; j++)
			ternary_put(tm, j - 1u, &s->tent[j], s->tpos[j]);
		ternary_put(tm, t, &x, kid);
		set_ternary_count(tm, s->ternary_n - 1u);
		ternary_clear(tm, s->ternary_n);
	}
	kr->tie_seq = age;
}

/* ---- keys: plan, commit, remove ---- */

/* The plan's hashes, for an exact key. */
static void plan_start(const struct tblmgr *tm, const struct tm_key *k, struct tm_plan *pl)
{
	memset(pl, 0, sizeof(*pl));
	if (k->kind == CLIF_RULE_EXACT)
		exact_hashes(tm, k, &pl->h1, &pl->h2);
}

/*
 * Decides where a new key goes (pl from plan_start); writes nothing. need_slot: the key needs
 * a new rule slot.
 */
static int key_plan(struct tblmgr *tm, const struct tm_key *k, int need_slot, struct tm_plan *pl)
{
	struct tm_state *s = st_of(tm);

	if ((need_slot && s->slot_free_n == 0) || s->key_free_n == 0)
		return CLIF_MBOX_EFULL;
	switch (k->kind) {
	case CLIF_RULE_EXACT:
		return exact_plan(tm, pl->h1, pl->h2, &pl->n);
	case CLIF_RULE_PREFIX:
		return s->prefix_n < tm->geo.prefix ? CLIF_MBOX_OK : CLIF_MBOX_EFULL;
	default:
		pl->n = ternary_expansion(k);
		return s->ternary_n + pl->n <= tm->geo.ternary ? CLIF_MBOX_OK : CLIF_MBOX_EFULL;
	}
}

/* Installs a planned key with rule ri as its only rule, in slot (TM_NIL: a new slot). */
static uint32_t key_commit(struct tblmgr *tm, const struct tm_key *k, const struct tm_plan *pl, uint32_t slot,
			   uint32_t ri)
{
	struct tm_state *s = st_of(tm);
	struct tm_keyrec *kr;
	uint32_t kid = s->key_free[--s->key_free_n];
	int fresh = slot == TM_NIL;

	if (fresh)
		slot = s->slot_free[--s->slot_free_n];
	kr = &s->keys[kid];
	memset(kr, 0, sizeof(*kr));
	kr->k = *k;
	kr->slot = slot;
	kr->head = kr->tail = TM_NIL;
	kr->pos = TM_NIL;
	kr->h1 = pl->h1;
	kr->h2 = pl->h2;
	key_link_tail(s, kid, ri);
	kr->tie_seq = s->rules[ri].join_seq;
	s->slot_key[slot] = kid;
	s->keys_used++;
	if (fresh)
		tw_exec(tm, CLIF_TBL_HITS, slot, CLIF_TW_CMD_CLEAR_HITS);
	slot_sync(tm, kid);
	switch (k->kind) {
	case CLIF_RULE_EXACT:
		exact_exec(tm, kid, pl->n);
		break;
	case CLIF_RULE_PREFIX:
		prefix_add(tm, kid);
		break;
	default:
		ternary_add(tm, kid, pl->n);
		break;
	}
	return kid;
}

/* Removes a key's table entries and frees its record (not its slot). */
static void key_remove(struct tblmgr *tm, uint32_t kid)
{
	struct tm_state *s = st_of(tm);

	switch (s->keys[kid].k.kind) {
	case CLIF_RULE_EXACT:
		exact_remove(tm, kid);
		break;
	case CLIF_RULE_PREFIX:
		prefix_remove(tm, kid);
		break;
	default:
		ternary_remove(tm, kid);
		break;
	}
	memset(&s->keys[kid], 0, sizeof(s->keys[kid]));
	s->key_free[s->key_free_n++] = kid;
	s->keys_used--;
}

/* After a rule left key kid (head_before: the key's oldest rule before it left). */
static void key_after_leave(struct tblmgr *tm, uint32_t kid, uint32_t head_before)
{
	struct tm_state *s = st_of(tm);
	uint32_t slot = s->keys[kid].slot;

	if (s->keys[kid].refcnt == 0) {
		key_remove(tm, kid);
		slot_release(tm, slot);
		return;
	}
	slot_sync(tm, kid);
	if (s->keys[kid].k.kind == CLIF_RULE_TERNARY && s->keys[kid].head != head_before)
		ternary_reage(tm, kid);
}

/* ---- the API ---- */

int tm_add(struct tblmgr *tm, const struct clif_cmd_rule *r, uint32_t report_handle)
{
	struct tm_state *s = st_of(tm);
	struct tm_key k;
	struct tm_plan pl;
	struct tm_rule *ru;
	uint32_t kid, ri;
	int st = rule_key(r, &k);

	if (st != CLIF_MBOX_OK)
		return st;
	if (hmap_find(s, r->handle) != TM_NIL)
		return CLIF_MBOX_EEXIST;
	if (s->rules_used >= s->nrules)
		return CLIF_MBOX_EFULL;
	plan_start(tm, &k, &pl);
	kid = key_find(tm, &k, &pl);
	if (kid == TM_NIL) {
		st = key_plan(tm, &k, 1, &pl);
		if (st != CLIF_MBOX_OK)
			return st;
	}
	ri = s->rule_free[--s->rule_free_n];
	ru = &s->rules[ri];
	ru->r = *r;
	ru->report_handle = report_handle;
	ru->join_seq = ++s->seq;
	ru->prev = ru->next = TM_NIL;
	if (kid != TM_NIL) {
		key_link_tail(s, kid, ri);
		slot_sync(tm, kid);
	} else {
		key_commit(tm, &k, &pl, TM_NIL, ri);
	}
	hmap_insert(s, r->handle, ri);
	s->rules_used++;
	return CLIF_MBOX_OK;
}

int tm_modify(struct tblmgr *tm, const struct clif_cmd_rule *r, uint32_t report_handle)
{
	struct tm_state *s = st_of(tm);
	struct tm_key k;
	struct tm_plan pl;
	struct tm_rule *ru;
	uint32_t ri, old, kid, head_before;
	int st = rule_key(r, &k);

	if (st != CLIF_MBOX_OK)
		return st;
	ri = hmap_find(s, r->handle);
	if (ri == TM_NIL)
		return CLIF_MBOX_ENOENT;
	ru = &s->rules[ri];
	old = ru->key;
	if (key_eq(&s->keys[old].k, &k)) {
		/* Same key: new actions, snap length or report handle; one rule-entry write. */
		ru->r = *r;
		ru->report_handle = report_handle;
		slot_sync(tm, old);
		return CLIF_MBOX_OK;
	}
	plan_start(tm, &k, &pl);
	kid = key_find(tm, &k, &pl);
	if (kid == TM_NIL) {
		/* The sole rule of its key keeps its slot (and its counters): the new key's entries
		 * name the same slot as the old key's until those go. */
		st = key_plan(tm, &k, s->keys[old].refcnt > 1u, &pl);
		if (st != CLIF_MBOX_OK)
			return st;
	}
	head_before = s->keys[old].head;
	key_unlink(s, old, ri);
	ru->r = *r;
	ru->report_handle = report_handle;
	ru->join_seq = ++s->seq;
	if (kid != TM_NIL) {
		key_link_tail(s, kid, ri);
		slot_sync(tm, kid);               /* the new key now carries the rule ... */
		key_after_leave(tm, old, head_before); /* ... before the old one drops it */
	} else if (s->keys[old].refcnt == 0) {
		key_commit(tm, &k, &pl, s->keys[old].slot, ri);
		key_remove(tm, old);
	} else {
		key_commit(tm, &k, &pl, TM_NIL, ri);
		key_after_leave(tm, old, head_before);
	}
	return CLIF_MBOX_OK;
}

int tm_delete(struct tblmgr *tm, uint32_t handle)
{
	struct tm_state *s = st_of(tm);
	uint32_t ri = hmap_find(s, handle), kid, head_before;

	if (ri == TM_NIL)
		return CLIF_MBOX_ENOENT;
	kid = s->rules[ri].key;
	head_before = s->keys[kid].head;
	key_unlink(s, kid, ri);
	key_after_leave(tm, kid, head_before);
	hmap_remove(s, handle);
	s->rules[ri].key = TM_NIL;
	s->rule_free[s->rule_free_n++] = ri;
	s->rules_used--;
	return CLIF_MBOX_OK;
}

int tm_get(const struct tblmgr *tm, uint32_t handle, struct clif_cmd_rule *out)
{
	const struct tm_state *s = st_of(tm);
	uint32_t ri = hmap_find(s, handle);

	if (ri == TM_NIL)
		return CLIF_MBOX_ENOENT;
	*out = s->rules[ri].r;
	return CLIF_MBOX_OK;
}

/*
 * exact_capacity and exact_used count the ways' buckets (the load factor); keys in the stash
 * are counted in exact_stash_used only. Prefix and ternary use counts entries; rule_capacity is
 * max_rules.
 */
int tm_stats(const struct tblmgr *tm, struct clif_table_stats *st)
{
	const struct tm_state *s = st_of(tm);

	memset(st, 0, sizeof(*st));
	st->exact_capacity = s->ecap;
	st->exact_used = s->exact_used;
	st->exact_stash_used = s->stash_used;
	st->prefix_capacity = tm->geo.prefix;
	st->prefix_used = s->prefix_n;
	st->ternary_capacity = tm->geo.ternary;
	st->ternary_used = s->ternary_n;
	st->rule_capacity = s->nrules;
	st->rule_used = s->rules_used;
	return CLIF_MBOX_OK;
}

static void heap_down(struct clif_rule_counter *h, uint32_t i, uint32_t n)
{
	for (;;) {
		uint32_t c = 2u * i + 1u;
		struct clif_rule_counter t;

		if (c >= n)
			return;
		if (c + 1u < n && h[c + 1u].handle > h[c].handle)
			c++;
		if (h[i].handle >= h[c].handle)
			return;
		t = h[i];
		h[i] = h[c];
		h[c] = t;
		i = c;
	}
}

int tm_counters(struct tblmgr *tm, uint32_t first, struct clif_rule_counter *out, uint32_t max, uint32_t *n)
{
	struct tm_state *s = st_of(tm);
	uint32_t ri, cnt = 0, i;

	/* The max smallest handles >= first: a max-heap on handle in out[] (rsvd holds the rule). */
	for (ri = 0; ri < s->nrules && max; ri++) {
		uint32_t h = s->rules[ri].r.handle;

		if (s->rules[ri].key == TM_NIL || h < first)
			continue;
		if (cnt < max) {
			i = cnt++;
			out[i].handle = h;
			out[i].rsvd = ri;
			while (i > 0 && out[(i - 1u) / 2u].handle < out[i].handle) {
				struct clif_rule_counter t = out[i];

				out[i] = out[(i - 1u) / 2u];
				out[(i - 1u) / 2u] = t;
				i = (i - 1u) / 2u;
			}
		} else if (h < out[0].handle) {
			out[0].handle = h;
			out[0].rsvd = ri;
			heap_down(out, 0, cnt);
		}
	}
	for (i = cnt; i > 1u; i--) {
		struct clif_rule_counter t = out[0];

		out[0] = out[i - 1u];
		out[i - 1u] = t;
		heap_down(out, 0, i - 1u);
	}
	for (i = 0; i < cnt; i++) {
		struct clif_hit_counter c;

		tw_read(tm, CLIF_TBL_HITS, s->keys[s->rules[out[i].rsvd].key].slot, &c, sizeof(c));
		out[i].rsvd = 0;
		out[i].packets = c.packets;
		out[i].bytes = c.bytes;
	}
	*n = cnt;
	return CLIF_MBOX_OK;
}

/* ---- self-check ---- */

static uint32_t bad(struct tblmgr *tm, const char *what, uint32_t a, uint32_t b)
{
	struct tm_state *s = st_of(tm);

	if (s->check_reports < TM_CHECK_REPORTS)
		fw_printf("tblmgr: check: %s (%u, %u)\n", what, a, b);
	s->check_reports++;
	return 1;
}

static uint32_t check_rules_and_keys(struct tblmgr *tm)
{
	struct tm_state *s = st_of(tm);
	uint32_t v = 0, ri, kid, live = 0, keys = 0, mapped = 0, i;

	for (ri = 0; ri < s->nrules; ri++) {
		if (s->rules[ri].key == TM_NIL)
			continue;
		live++;
		if (hmap_find(s, s->rules[ri].r.handle) != ri)
			v += bad(tm, "rule not found by its handle", ri, s->rules[ri].r.handle);
		if (s->rules[ri].key >= s->nkeys || s->keys[s->rules[ri].key].k.kind == 0)
			v += bad(tm, "rule names no key", ri, s->rules[ri].key);
	}
	for (i = 0; i <= s->hmask; i++)
		mapped += s->hmap[i].rule != 0;
	if (live != s->rules_used || mapped != live || live + s->rule_free_n != s->nrules)
		v += bad(tm, "rule count", live, s->rules_used);
	for (kid = 0; kid < s->nkeys; kid++) {
		struct tm_keyrec *kr = &s->keys[kid];
		struct clif_rule_entry want, got;
		uint32_t n = 0, prev = TM_NIL;
		uint64_t seq = 0;

		if (kr->k.kind == 0)
			continue;
		keys++;
		for (ri = kr->head; ri != TM_NIL && n <= s->nrules; ri = s->rules[ri].next, n++) {
			if (s->rules[ri].key != kid || s->rules[ri].prev != prev || s->rules[ri].join_seq <= seq)
				v += bad(tm, "sharing list", kid, ri);
			seq = s->rules[ri].join_seq;
			prev = ri;
		}
		if (n != kr->refcnt || n == 0 || kr->tail != prev)
			v += bad(tm, "reference count", kid, n);
		if (kr->slot >= s->nslots || s->slot_key[kr->slot] != kid) {
			v += bad(tm, "key's slot", kid, kr->slot);
			continue;
		}
		if (n == 0)
			continue;
		slot_entry(s, kr, &want);
		tw_read(tm, CLIF_TBL_RULE, kr->slot, &got, sizeof(got));
		if (memcmp(&want, &got, sizeof(want)) != 0)
			v += bad(tm, "rule entry", kr->slot, got.handle);
		if (kr->k.kind == CLIF_RULE_TERNARY && kr->nent != ternary_expansion(&kr->k))
			v += bad(tm, "ternary entry count", kid, kr->nent);
	}
	if (keys != s->keys_used || keys + s->key_free_n != s->nkeys || keys + s->slot_free_n != s->nslots)
		v += bad(tm, "key count", keys, s->keys_used);
	for (i = 0; i < s->nslots; i++) {
		struct clif_rule_entry got;

		if (s->slot_key[i] != TM_NIL)
			continue;
		tw_read(tm, CLIF_TBL_RULE, i, &got, sizeof(got));
		if (got.flags & CLIF_ENTRY_VALID)
			v += bad(tm, "free slot's rule entry valid", i, got.handle);
	}
	return v;
}

static uint32_t check_exact(struct tblmgr *tm)
{
	struct tm_state *s = st_of(tm);
	uint32_t v = 0, pos, ways = 0, stash = 0, w;

	for (pos = 0; pos < s->ecap + tm->geo.stash; pos++) {
		struct clif_exact_entry got, want;
		uint32_t kid = s->epos[pos];
		struct tm_keyrec *kr;
		uint32_t h1, h2;
		int home = pos >= s->ecap;

		if (pos < s->ecap)
			tw_read(tm, CLIF_TBL_EXACT, pos, &got, sizeof(got));
		else
			tw_read(tm, CLIF_TBL_EXACT_STASH, pos - s->ecap, &got, sizeof(got));
		if (kid == TM_NIL) {
			if (got.flags & CLIF_ENTRY_VALID)
				v += bad(tm, "exact entry valid where none belongs", pos, got.rule_slot);
			continue;
		}
		if (kid >= s->nkeys || s->keys[kid].k.kind != CLIF_RULE_EXACT || s->keys[kid].pos != pos) {
			v += bad(tm, "exact position's key", pos, kid);
			continue;
		}
		kr = &s->keys[kid];
		exact_entry(kr, &want);
		if (memcmp(&want, &got, sizeof(want)) != 0)
			v += bad(tm, "exact entry differs", pos, got.rule_slot);
		exact_hashes(tm, &kr->k, &h1, &h2);
		if (h1 != kr->h1 || h2 != kr->h2)
			v += bad(tm, "exact hashes", pos, kid);
		for (w = 0; w < tm->geo.ways; w++)
			home |= way_pos(tm, h1, h2, w) == pos;
		if (!home)
			v += bad(tm, "exact key outside its buckets", pos, kid);
		if (pos < s->ecap)
			ways++;
		else
			stash++;
	}
	for (w = 0; w < s->nkeys; w++)
		if (s->keys[w].k.kind == CLIF_RULE_EXACT &&
		    (s->keys[w].pos >= s->ecap + tm->geo.stash || s->epos[s->keys[w].pos] != w))
			v += bad(tm, "exact key not at its position", w, s->keys[w].pos);
	if (ways != s->exact_used || stash != s->stash_used)
		v += bad(tm, "exact counts", ways, stash);
	return v;
}

static uint32_t check_prefix(struct tblmgr *tm)
{
	struct tm_state *s = st_of(tm);
	uint32_t v = 0, i, kid;

	if (tm->tw->prefix_count != s->prefix_n)
		v += bad(tm, "prefix count register", tm->tw->prefix_count, s->prefix_n);
	for (i = 0; i < tm->geo.prefix; i++) {
		struct clif_prefix_entry got, want;

		tw_read(tm, CLIF_TBL_PREFIX, i, &got, sizeof(got));
		if (i >= s->prefix_n) {
			if ((got.flags & CLIF_ENTRY_VALID) || s->ppos[i] != TM_NIL)
				v += bad(tm, "prefix entry past the count", i, got.rule_slot);
			continue;
		}
		kid = s->ppos[i];
		if (kid >= s->nkeys || s->keys[kid].k.kind != CLIF_RULE_PREFIX || s->keys[kid].pos != i) {
			v += bad(tm, "prefix index's key", i, kid);
			continue;
		}
		prefix_entry(&s->keys[kid], &want);
		if (memcmp(&want, &got, sizeof(want)) != 0 || memcmp(&want, &s->pent[i], sizeof(want)) != 0)
			v += bad(tm, "prefix entry differs", i, got.rule_slot);
	}
	for (kid = 0; kid < s->nkeys; kid++)
		if (s->keys[kid].k.kind == CLIF_RULE_PREFIX &&
		    (s->keys[kid].pos >= s->prefix_n || s->ppos[s->keys[kid].pos] != kid))
			v += bad(tm, "prefix key not at its index", kid, s->keys[kid].pos);
	return v;
}

static uint32_t check_ternary(struct tblmgr *tm)
{
	struct tm_state *s = st_of(tm);
	uint32_t v = 0, i, j, kid, total = 0;

	if (tm->tw->ternary_count != s->ternary_n)
		v += bad(tm, "ternary count register", tm->tw->ternary_count, s->ternary_n);
	for (i = 0; i < tm->geo.ternary; i++) {
		struct clif_ternary_entry got;

		tw_read(tm, CLIF_TBL_TERNARY, i, &got, sizeof(got));
		if (i >= s->ternary_n) {
			if ((got.flags & CLIF_ENTRY_VALID) || s->tpos[i] != TM_NIL)
				v += bad(tm, "ternary entry past the count", i, got.rule_slot);
			continue;
		}
		kid = s->tpos[i];
		if (kid >= s->nkeys || s->keys[kid].k.kind != CLIF_RULE_TERNARY) {
			v += bad(tm, "ternary index's key", i, kid);
			continue;
		}
		if (memcmp(&got, &s->tent[i], sizeof(got)) != 0)
			v += bad(tm, "ternary entry differs from the shadow", i, got.rule_slot);
		/* Tie order: equal priorities in the order of their keys' ages. */
		for (j = i + 1u; j < s->ternary_n; j++) {
			uint32_t other = s->tpos[j];

			if (other != kid && other < s->nkeys && s->tent[j].priority == s->tent[i].priority &&
			    s->keys[other].tie_seq < s->keys[kid].tie_seq)
				v += bad(tm, "ternary tie order", i, j);
		}
	}
	/* Each key's entries: exactly its expansion, each once. */
	for (kid = 0; kid < s->nkeys; kid++) {
		struct tm_keyrec *kr = &s->keys[kid];
		uint32_t e, n = 0;

		if (kr->k.kind != CLIF_RULE_TERNARY)
			continue;
		for (i = 0; i < s->ternary_n; i++)
			n += s->tpos[i] == kid;
		if (n != kr->nent)
			v += bad(tm, "ternary key's entries", kid, n);
		total += n;
		for (e = 0; e < kr->nent; e++) {
			struct clif_ternary_entry want;
			uint32_t found = 0;

			ternary_entry(kr, e, &want);
			for (i = 0; i < s->ternary_n; i++)
				found += s->tpos[i] == kid && memcmp(&want, &s->tent[i], sizeof(want)) == 0;
			if (found != 1)
				v += bad(tm, "ternary expansion entry", kid, e);
		}
	}
	if (total != s->ternary_n)
		v += bad(tm, "ternary count", total, s->ternary_n);
	return v;
}

uint32_t tm_check(struct tblmgr *tm)
{
	st_of(tm)->check_reports = 0;
	return check_rules_and_keys(tm) + check_exact(tm) + check_prefix(tm) + check_ternary(tm);
}
