/* The rule compiler (rulecomp.h): tasks -> reference-counted card rule keys.
 *
 * Bookkeeping: a key entry per distinct card rule (in a table by key bytes and one by handle),
 * and a task entry per XID holding pointers to its keys. A key's users are the tasks that hold
 * it, in the order they took it; a key with no users that is still (maybe) on the card is an
 * orphan, retried for deletion until the card lets it go. */
#include "rulecomp.h"

#include <stdlib.h>
#include <string.h>

#define MAX_SNAP 9728u
#define COUNTER_CHUNK 256u

struct key {
	struct clif_cmd_rule rule; /* as sent to the card; rule.handle is the key's handle */
	struct key *next_by_key;
	struct key *next_by_handle;
	struct task **users;
	uint32_t n_users;
	uint32_t cap_users;
	uint8_t on_card; /* the card has (or may have: a timed-out add) the rule */
};

struct task {
	uint8_t xid[16];
	struct task *next;
	uint32_t n_keys;
	struct key *keys[RULECOMP_MAX_TASK_RULES];
};

/* A chained hash table of power-of-two size. */
struct table {
	void **b;
	size_t mask;
	size_t n;
};

struct rulecomp {
	struct clif_card *card;
	uint16_t snap_len;
	uint32_t first_handle;
	uint32_t next_handle;
	uint32_t max_rules;
	struct table by_key;    /* struct key, next_by_key */
	struct table by_handle; /* struct key, next_by_handle */
	struct table by_xid;    /* struct task, next */
	size_t n_live;          /* keys with users */
	size_t n_orphans;       /* keys without users still on the card */
	const char *reason;
};

/* ---- hashing ---- */

static uint64_t fnv(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h ^ (h >> 29);
}

/* The bytes that make a key: everything after the handle. */
#define KEY_OFF offsetof(struct clif_cmd_rule, kind)
#define KEY_LEN (sizeof(struct clif_cmd_rule) - KEY_OFF)

static uint64_t key_hash(const struct clif_cmd_rule *r)
{
	return fnv((const uint8_t *)r + KEY_OFF, KEY_LEN);
}

static uint64_t handle_hash(uint32_t h)
{
	uint64_t x = h * 0x9e3779b97f4a7c15ull;

	return x ^ (x >> 32);
}

static int table_init(struct table *t, size_t size)
{
	t->b = calloc(size, sizeof(*t->b));
	t->mask = size - 1u;
	t->n = 0;
	return t->b ? 0 : -1;
}

/* ---- key table ---- */

static struct key **key_slot(struct rulecomp *rc, const struct clif_cmd_rule *r)
{
	return (struct key **)&rc->by_key.b[key_hash(r) & rc->by_key.mask];
}

static struct key *key_find(const struct rulecomp *rc, const struct clif_cmd_rule *r)
{
	struct key *k = rc->by_key.b[key_hash(r) & rc->by_key.mask];

	for (; k; k = k->next_by_key)
		if (!memcmp((const uint8_t *)&k->rule + KEY_OFF, (const uint8_t *)r + KEY_OFF, KEY_LEN))
			return k;
	return NULL;
}

static struct key *handle_find(const struct rulecomp *rc, uint32_t handle)
{
	struct key *k = rc->by_handle.b[handle_hash(handle) & rc->by_handle.mask];

	for (; k; k = k->next_by_handle)
		if (k->rule.handle == handle)
			return k;
	return NULL;
}

/* Doubles both key tables when they hold as many keys as buckets. Returns 0 or -1 (no memory:
 * the tables stay as they were, only longer chains). */
static int key_tables_grow(struct rulecomp *rc)
{
	size_t size = (rc->by_key.mask + 1u) * 2u, i;
	void **kb, **hb;

	if (rc->by_key.n < rc->by_key.mask + 1u)
		return 0;
	kb = calloc(size, sizeof(*kb));
	hb = calloc(size, sizeof(*hb));
	if (!kb || !hb) {
		free(kb);
		free(hb);
		return -1;
	}
	for (i = 0; i <= rc->by_key.mask; i++) {
		struct key *k = rc->by_key.b[i], *nx;

		for (; k; k = nx) {
			nx = k->next_by_key;
			k->next_by_key = kb[key_hash(&k->rule) & (size - 1u)];
			kb[key_hash(&k->rule) & (size - 1u)] = k;
		}
		k = rc->by_handle.b[i];
		for (; k; k = nx) {
			nx = k->next_by_handle;
			k->next_by_handle = hb[handle_hash(k->rule.handle) & (size - 1u)];
			hb[handle_hash(k->rule.handle) & (size - 1u)] = k;
		}
	}
	free(rc->by_key.b);
	free(rc->by_handle.b);
	rc->by_key.b = kb;
	rc->by_handle.b = hb;
	rc->by_key.mask = rc->by_handle.mask = size - 1u;
	return 0;
}

/* A free handle: upwards from the last one, wrapping to first_handle; never one in use. */
static uint32_t handle_alloc(struct rulecomp *rc)
{
	size_t tries;

	for (tries = 0; tries <= rc->by_key.n; tries++) {
		uint32_t h = rc->next_handle;

		rc->next_handle = h + 1u >= RULECOMP_HANDLE_LIMIT ? rc->first_handle : h + 1u;
		if (!handle_find(rc, h))
			return h;
	}
	return 0;
}

/* A new key for r (not on the card yet, no users), or NULL without memory or handles. */
static struct key *key_new(struct rulecomp *rc, const struct clif_cmd_rule *r)
{
	struct key *k;
	struct key **ks;
	struct key **hs;
	uint32_t h;

	key_tables_grow(rc);
	h = handle_alloc(rc);
	if (!h)
		return NULL;
	k = calloc(1, sizeof(*k));
	if (!k)
		return NULL;
	k->rule = *r;
	k->rule.handle = h;
	ks = key_slot(rc, r);
	k->next_by_key = *ks;
	*ks = k;
	hs = (struct key **)&rc->by_handle.b[handle_hash(h) & rc->by_handle.mask];
	k->next_by_handle = *hs;
	*hs = k;
	rc->by_key.n++;
	return k;
}

static void key_free(struct rulecomp *rc, struct key *k)
{
	struct key **p = key_slot(rc, &k->rule);

	while (*p != k)
		p = &(*p)->next_by_key;
	*p = k->next_by_key;
	p = (struct key **)&rc->by_handle.b[handle_hash(k->rule.handle) & rc->by_handle.mask];
	while (*p != k)
		p = &(*p)->next_by_handle;
	*p = k->next_by_handle;
	rc->by_key.n--;
	free(k->users);
	free(k);
}

/* ---- task table ---- */

static struct task **task_slot(const struct rulecomp *rc, const uint8_t xid[16])
{
	return (struct task **)&rc->by_xid.b[fnv(xid, 16) & rc->by_xid.mask];
}

static struct task *task_find(const struct rulecomp *rc, const uint8_t xid[16])
{
	struct task *t = *task_slot(rc, xid);

	for (; t; t = t->next)
		if (!memcmp(t->xid, xid, 16))
			return t;
	return NULL;
}

static void task_grow(struct rulecomp *rc)
{
	size_t size = (rc->by_xid.mask + 1u) * 2u, i;
	void **b;

	if (rc->by_xid.n < rc->by_xid.mask + 1u)
		return;
	b = calloc(size, sizeof(*b));
	if (!b)
		return; /* longer chains, still correct */
	for (i = 0; i <= rc->by_xid.mask; i++) {
		struct task *t = rc->by_xid.b[i], *nx;

		for (; t; t = nx) {
			nx = t->next;
			t->next = b[fnv(t->xid, 16) & (size - 1u)];
			b[fnv(t->xid, 16) & (size - 1u)] = t;
		}
	}
	free(rc->by_xid.b);
	rc->by_xid.b = b;
	rc->by_xid.mask = size - 1u;
}

static void task_insert(struct rulecomp *rc, struct task *t)
{
	struct task **s;

	task_grow(rc);
	s = task_slot(rc, t->xid);
	t->next = *s;
	*s = t;
	rc->by_xid.n++;
}

static void task_unlink(struct rulecomp *rc, struct task *t)
{
	struct task **p = task_slot(rc, t->xid);

	while (*p != t)
		p = &(*p)->next;
	*p = t->next;
	rc->by_xid.n--;
}

/* ---- checking and compiling ---- */

static int is_ip(uint8_t kind)
{
	return kind >= CLIFD_TGT_IPV4 && kind <= CLIFD_TGT_IPV6_CIDR;
}

static int is_port(uint8_t kind)
{
	return kind >= CLIFD_TGT_TCP_PORT && kind <= CLIFD_TGT_UDP_PORT_RANGE;
}

static int is_range(uint8_t kind)
{
	return kind == CLIFD_TGT_TCP_PORT_RANGE || kind == CLIFD_TGT_UDP_PORT_RANGE;
}

static uint32_t ip_bits(uint8_t kind)
{
	return kind == CLIFD_TGT_IPV4 || kind == CLIFD_TGT_IPV4_CIDR ? 32u : 128u;
}

static int fail_check(const char **reason, const char *why, int code)
{
	if (reason)
		*reason = why;
	return code;
}

int rulecomp_check(const struct clifd_task *t, const char **reason)
{
	static const uint32_t scope_max[CLIF_SCOPE_COUNT] = { 0u, 0xffffu, 0x0fffu, 0xffffffu };
	uint32_t i, n_ip = 0, n_mac = 0, n_port = 0;

	if (reason)
		*reason = "";
	if (!t)
		return fail_check(reason, "no task", X1_E_TARGET_COMBINATION);
	if (t->n_targets == 0)
		return fail_check(reason, "no target identifier", X1_E_TARGET_COMBINATION);
	if (t->n_targets > CLIFD_MAX_TARGETS)
		return fail_check(reason, "too many target identifiers", X1_E_TARGET_COMBINATION);
	for (i = 0; i < t->n_targets; i++) {
		const struct clifd_target *g = &t->targets[i];

		if (is_ip(g->kind)) {
			uint32_t bits = ip_bits(g->kind);
			int host = g->kind == CLIFD_TGT_IPV4 || g->kind == CLIFD_TGT_IPV6;

			if (host ? g->prefix_len != 0 && g->prefix_len != bits : g->prefix_len > bits)
				return fail_check(reason, "prefix length out of range", X1_E_TARGET_COMBINATION);
			n_ip++;
		} else if (g->kind == CLIFD_TGT_MAC) {
			if (g->prefix_len != 0 && g->prefix_len != 48)
				return fail_check(reason, "MAC address length", X1_E_TARGET_COMBINATION);
			/* A group address names no device: a warrant on it would copy everyone's
			 * broadcasts. */
			if ((g->addr[0] & 1u) || !memcmp(g->addr, "\0\0\0\0\0\0", 6))
				return fail_check(reason, "MAC target is not a unicast address",
						  X1_E_TARGET_COMBINATION);
			n_mac++;
		} else if (is_port(g->kind)) {
			if (is_range(g->kind) && g->port_lo > g->port_hi)
				return fail_check(reason, "port range with lower bound above upper bound",
						  X1_E_TARGET_COMBINATION);
			n_port++;
		} else {
			return fail_check(reason, "unsupported target identifier type", X1_E_TARGET_TYPE);
		}
	}
	if (n_ip + n_mac == 0)
		return fail_check(reason, "port qualifier without an address target", X1_E_TARGET_COMBINATION);
	if (n_port && n_mac)
		return fail_check(reason, "port qualifier with a MAC target", X1_E_TARGET_COMBINATION);
	if ((n_port ? n_ip * n_port : n_ip + n_mac) > RULECOMP_MAX_TASK_RULES)
		return fail_check(reason, "too many target combinations", X1_E_TARGET_COMBINATION);
	if (t->scope_type >= CLIF_SCOPE_COUNT)
		return fail_check(reason, "unsupported scope type", X1_E_TARGET_COMBINATION);
	if (t->scope_value > scope_max[t->scope_type])
		return fail_check(reason, "scope value out of range", X1_E_TARGET_COMBINATION);
	return X1_OK;
}

/* Bits needed for the width of [lo, hi]: 0 for one port, 16 for all of them. */
static uint32_t width_bits(uint16_t lo, uint16_t hi)
{
	uint32_t w = (uint32_t)hi - lo, b = 0;

	while (w) {
		b++;
		w >>= 1;
	}
	return b;
}

/* The base rule of an address target in t's scope (actions and snap length set). */
static void base_rule(const struct rulecomp *rc, const struct clifd_task *t, const struct clifd_target *g,
		      struct clif_cmd_rule *r)
{
	uint32_t bits, plen, i;

	memset(r, 0, sizeof(*r));
	r->scope_type = t->scope_type;
	r->scope_value = t->scope_value;
	r->snap_len = rc->snap_len;
	r->actions = CLIF_ACT_CAPTURE;
	if (g->kind == CLIFD_TGT_MAC) {
		r->kind = CLIF_RULE_EXACT;
		r->addr_type = CLIF_ADDR_MAC;
		memcpy(r->addr, g->addr, 6);
		r->actions = CLIF_ACT_CAPTURE | CLIF_ACT_PUNT; /* the learn action */
		return;
	}
	bits = ip_bits(g->kind);
	r->addr_type = bits == 32u ? CLIF_ADDR_IPV4 : CLIF_ADDR_IPV6;
	memcpy(r->addr, g->addr, bits / 8u);
	plen = g->kind == CLIFD_TGT_IPV4 || g->kind == CLIFD_TGT_IPV6 ? bits : g->prefix_len;
	for (i = plen; i < bits; i++) /* the card wants the bits past the prefix clear */
		r->addr[i / 8u] &= (uint8_t)~(0x80u >> (i % 8u));
	if (plen == bits) {
		r->kind = CLIF_RULE_EXACT;
	} else {
		r->kind = CLIF_RULE_PREFIX;
		r->prefix_len = (uint8_t)plen;
	}
}

/* Makes r (from base_rule) a TERNARY rule under port qualifier p. Priority: the more specific
 * key wins a lookup (longer prefix, then the narrower port range). */
static void qualify(struct clif_cmd_rule *r, const struct clifd_target *p)
{
	uint32_t bits = r->addr_type == CLIF_ADDR_IPV4 ? 32u : 128u;
	uint32_t plen = r->kind == CLIF_RULE_EXACT ? bits : r->prefix_len;

	r->kind = CLIF_RULE_TERNARY;
	r->prefix_len = (uint8_t)plen;
	r->qual = CLIF_QUAL_PROTO | CLIF_QUAL_PORT_THIS;
	r->ip_proto = p->kind == CLIFD_TGT_TCP_PORT || p->kind == CLIFD_TGT_TCP_PORT_RANGE ? CLIFD_TRANSPORT_TCP
											     : CLIFD_TRANSPORT_UDP;
	r->port_this_lo = p->port_lo;
	r->port_this_hi = is_range(p->kind) ? p->port_hi : p->port_lo; /* a single port: lo only */
	r->priority = (uint16_t)(1u + plen * 17u + (16u - width_bits(r->port_this_lo, r->port_this_hi)));
}

static int same_key(const struct clif_cmd_rule *a, const struct clif_cmd_rule *b)
{
	return !memcmp((const uint8_t *)a + KEY_OFF, (const uint8_t *)b + KEY_OFF, KEY_LEN);
}

/* t's rules, each key once. Returns how many (t checked before). */
static uint32_t compile(const struct rulecomp *rc, const struct clifd_task *t,
			struct clif_cmd_rule out[RULECOMP_MAX_TASK_RULES])
{
	uint32_t i, j, k, n = 0, n_port = 0;

	for (i = 0; i < t->n_targets; i++)
		n_port += is_port(t->targets[i].kind);
	for (i = 0; i < t->n_targets; i++) {
		const struct clifd_target *g = &t->targets[i];
		struct clif_cmd_rule base;

		if (is_port(g->kind))
			continue;
		base_rule(rc, t, g, &base);
		for (j = 0; j < (n_port ? t->n_targets : 1u); j++) {
			struct clif_cmd_rule r = base;

			if (n_port) {
				if (!is_port(t->targets[j].kind))
					continue;
				qualify(&r, &t->targets[j]);
			}
			for (k = 0; k < n && !same_key(&out[k], &r); k++)
				;
			if (k == n && n < RULECOMP_MAX_TASK_RULES)
				out[n++] = r;
		}
	}
	return n;
}

/* ---- the card ---- */

static const char *why_of(int err)
{
	switch (err) {
	case CLIF_E_FULL: return RULECOMP_WHY_CAPACITY;
	case CLIF_E_RESET: return RULECOMP_WHY_RESET;
	case CLIF_E_NOMEM: return RULECOMP_WHY_NOMEM;
	default: return RULECOMP_WHY_CARD;
	}
}

/* Puts k on the card. A handle already in use there is ours (the range is this rulecomp's): a
 * rule left by an earlier run or an add that timed out after the card executed it; it is
 * rewritten to k's rule. Returns 0 or a CLIF_E_* code. */
static int card_install(struct rulecomp *rc, struct key *k)
{
	int err;

	if (!rc->card)
		return 0;
	err = clif_rule_add(rc->card, &k->rule);
	if (err == CLIF_E_EXIST)
		err = clif_rule_modify(rc->card, &k->rule);
	if (err == 0 || err == CLIF_E_TIMEOUT)
		k->on_card = 1; /* a timed-out add may have been executed: delete it to be sure */
	return err;
}

/* Takes k off the card. Returns 0 (gone, or never there) or a CLIF_E_* code. */
static int card_delete(struct rulecomp *rc, struct key *k)
{
	int err;

	if (!k->on_card || !rc->card) {
		k->on_card = 0;
		return 0;
	}
	err = clif_rule_delete(rc->card, k->rule.handle);
	if (err == 0 || err == CLIF_E_NOENT)
		k->on_card = 0;
	return k->on_card ? err : 0;
}

/* k lost its last user: off the card and freed, or kept as an orphan. Returns 0 or the
 * deletion's error. */
static int key_release(struct rulecomp *rc, struct key *k)
{
	int err = card_delete(rc, k);

	rc->n_live--;
	if (err) {
		rc->n_orphans++;
		return err;
	}
	key_free(rc, k);
	return 0;
}

/* Deletes what orphans the card now lets go. */
static void sweep_orphans(struct rulecomp *rc)
{
	size_t i;

	if (!rc->n_orphans)
		return;
	for (i = 0; i <= rc->by_key.mask; i++) {
		struct key *k = rc->by_key.b[i], *nx;

		for (; k; k = nx) {
			nx = k->next_by_key;
			if (k->n_users == 0 && card_delete(rc, k) == 0) {
				rc->n_orphans--;
				key_free(rc, k);
			}
		}
	}
}

/* ---- references ---- */

static int user_add(struct key *k, struct task *t)
{
	if (k->n_users == k->cap_users) {
		uint32_t cap = k->cap_users ? k->cap_users * 2u : 2u;
		struct task **u = realloc(k->users, cap * sizeof(*u));

		if (!u)
			return -1;
		k->users = u;
		k->cap_users = cap;
	}
	k->users[k->n_users++] = t;
	return 0;
}

static void user_del(struct key *k, const struct task *t)
{
	uint32_t i;

	for (i = 0; i < k->n_users && k->users[i] != t; i++)
		;
	if (i == k->n_users)
		return;
	memmove(&k->users[i], &k->users[i + 1u], (k->n_users - i - 1u) * sizeof(*k->users));
	k->n_users--;
}

/* Drops t's references to its first n keys, last first. Returns 0 or the first card error. */
static int unref(struct rulecomp *rc, struct task *t, uint32_t n)
{
	int first_err = 0;

	while (n--) {
		struct key *k = t->keys[n];

		user_del(k, t);
		if (k->n_users == 0) {
			int err = key_release(rc, k);

			if (err && !first_err)
				first_err = err;
		}
	}
	t->n_keys = 0;
	return first_err;
}

/* Takes t's references to rules[0..n): shared keys are counted, new ones installed. All or
 * nothing. Returns 0, or the failure's CLIF_E_* code (rc->reason set). */
static int ref_all(struct rulecomp *rc, struct task *t, const struct clif_cmd_rule *rules, uint32_t n)
{
	uint32_t i;

	t->n_keys = 0;
	for (i = 0; i < n; i++) {
		struct key *k = key_find(rc, &rules[i]);
		int err = 0;

		if (k && k->n_users == 0) {
			/* An orphan with this very key: alive again; the card may still hold it. */
			rc->n_orphans--;
			rc->n_live++;
			err = card_install(rc, k);
		} else if (k && !k->on_card) {
			err = card_install(rc, k); /* a key an earlier replay could not place */
		} else if (!k) {
			if (rc->max_rules && rc->n_live + rc->n_orphans >= rc->max_rules) {
				err = CLIF_E_FULL;
			} else if (!(k = key_new(rc, &rules[i]))) {
				err = CLIF_E_NOMEM;
			} else {
				rc->n_live++;
				err = card_install(rc, k);
			}
		}
		if (!err && user_add(k, t))
			err = CLIF_E_NOMEM;
		if (err) {
			rc->reason = why_of(err);
			if (k && k->n_users == 0)
				key_release(rc, k);
			unref(rc, t, i);
			return err;
		}
		t->keys[i] = k;
		t->n_keys = i + 1u;
	}
	return 0;
}

/* ---- public ---- */

struct rulecomp *rulecomp_new(struct clif_card *card, const struct rulecomp_opts *o)
{
	struct rulecomp *rc;

	if (o && (o->snap_len > MAX_SNAP || o->first_handle >= RULECOMP_HANDLE_LIMIT))
		return NULL;
	rc = calloc(1, sizeof(*rc));
	if (!rc)
		return NULL;
	rc->card = card;
	rc->snap_len = o ? o->snap_len : 0;
	rc->first_handle = o && o->first_handle ? o->first_handle : RULECOMP_FIRST_HANDLE;
	rc->next_handle = rc->first_handle;
	rc->max_rules = o ? o->max_rules : 0;
	rc->reason = "";
	if (table_init(&rc->by_key, 64) || table_init(&rc->by_handle, 64) || table_init(&rc->by_xid, 64)) {
		rulecomp_free(rc);
		return NULL;
	}
	return rc;
}

void rulecomp_free(struct rulecomp *rc)
{
	size_t i;

	if (!rc)
		return;
	if (rc->by_xid.b)
		for (i = 0; i <= rc->by_xid.mask; i++) {
			struct task *t = rc->by_xid.b[i], *nx;

			for (; t; t = nx) {
				nx = t->next;
				free(t);
			}
		}
	if (rc->by_key.b)
		for (i = 0; i <= rc->by_key.mask; i++) {
			struct key *k = rc->by_key.b[i], *nx;

			for (; k; k = nx) {
				nx = k->next_by_key;
				free(k->users);
				free(k);
			}
		}
	free(rc->by_xid.b);
	free(rc->by_key.b);
	free(rc->by_handle.b);
	free(rc);
}

void rulecomp_set_card(struct rulecomp *rc, struct clif_card *card)
{
	rc->card = card;
}

int rulecomp_add_task(struct rulecomp *rc, const struct clifd_task *t)
{
	struct clif_cmd_rule rules[RULECOMP_MAX_TASK_RULES];
	struct task *nt;
	uint32_t n;
	int x1 = rulecomp_check(t, &rc->reason);

	if (x1 != X1_OK)
		return x1;
	if (task_find(rc, t->xid)) {
		rc->reason = "task already active";
		return X1_E_XID_EXISTS;
	}
	sweep_orphans(rc);
	n = compile(rc, t, rules);
	nt = calloc(1, sizeof(*nt));
	if (!nt) {
		rc->reason = RULECOMP_WHY_NOMEM;
		return X1_E_ACTIVATE;
	}
	memcpy(nt->xid, t->xid, 16);
	if (ref_all(rc, nt, rules, n)) {
		free(nt);
		return X1_E_ACTIVATE;
	}
	task_insert(rc, nt);
	rc->reason = "";
	return X1_OK;
}

int rulecomp_remove_task(struct rulecomp *rc, const uint8_t xid[16])
{
	struct task *t = task_find(rc, xid);
	int err;

	if (!t) {
		rc->reason = "unknown task";
		return X1_E_XID_UNKNOWN;
	}
	sweep_orphans(rc);
	task_unlink(rc, t);
	err = unref(rc, t, t->n_keys);
	free(t);
	rc->reason = err ? why_of(err) : "";
	return err ? X1_E_DEACTIVATE : X1_OK;
}

int rulecomp_modify_task(struct rulecomp *rc, const struct clifd_task *t)
{
	struct clif_cmd_rule rules[RULECOMP_MAX_TASK_RULES];
	struct task *old, *nt;
	uint32_t n;
	int x1 = rulecomp_check(t, &rc->reason);

	if (x1 != X1_OK)
		return x1;
	old = task_find(rc, t->xid);
	if (!old) {
		rc->reason = "unknown task";
		return X1_E_XID_UNKNOWN;
	}
	sweep_orphans(rc);
	n = compile(rc, t, rules);
	nt = calloc(1, sizeof(*nt));
	if (!nt) {
		rc->reason = RULECOMP_WHY_NOMEM;
		return X1_E_MODIFY;
	}
	memcpy(nt->xid, t->xid, 16);
	/* Make: the new references first (a key both hold now has two users)... */
	if (ref_all(rc, nt, rules, n)) {
		free(nt);
		return X1_E_MODIFY;
	}
	/* ...then break: the old task's; what only it held leaves the card. A failed deletion
	 * leaves an orphan for the sweep: the modification itself has happened. */
	task_unlink(rc, old);
	unref(rc, old, old->n_keys);
	free(old);
	task_insert(rc, nt);
	rc->reason = "";
	return X1_OK;
}

/* Errors after which talking on to the card is pointless. */
static int card_unusable(int err)
{
	return err == CLIF_E_RESET || err == CLIF_E_TIMEOUT || err == CLIF_E_FAULT || err == CLIF_E_NODEV ||
	       err == CLIF_E_IO || err == CLIF_E_INVAL;
}

/* Installs every live key (present[] flags aside); returns as rulecomp_replay(). */
static int install_live(struct rulecomp *rc, int only_absent)
{
	size_t i;
	int failed = 0;

	for (i = 0; i <= rc->by_key.mask; i++) {
		struct key *k = rc->by_key.b[i];

		for (; k; k = k->next_by_key) {
			int err;

			if (k->n_users == 0 || (only_absent && k->on_card))
				continue;
			err = card_install(rc, k);
			if (err && card_unusable(err))
				return err;
			if (err)
				failed++;
		}
	}
	return failed;
}

int rulecomp_replay(struct rulecomp *rc)
{
	size_t i;

	if (!rc->card)
		return CLIF_E_NODEV;
	/* The card is empty: orphans are gone, and nothing is on it. */
	for (i = 0; i <= rc->by_key.mask; i++) {
		struct key *k = rc->by_key.b[i], *nx;

		for (; k; k = nx) {
			nx = k->next_by_key;
			k->on_card = 0;
			if (k->n_users == 0) {
				rc->n_orphans--;
				key_free(rc, k);
			}
		}
	}
	return install_live(rc, 0);
}

int rulecomp_reconcile(struct rulecomp *rc)
{
	struct clif_rule_counter buf[COUNTER_CHUNK];
	uint32_t first = rc->first_handle;
	size_t i;
	int failed = 0;

	if (!rc->card)
		return CLIF_E_NODEV;
	for (i = 0; i <= rc->by_key.mask; i++) {
		struct key *k;

		for (k = rc->by_key.b[i]; k; k = k->next_by_key)
			k->on_card = 0;
	}
	for (;;) {
		uint32_t n = 0, j;
		int err = clif_rule_counters(rc->card, first, buf, COUNTER_CHUNK, &n);

		if (err)
			return err;
		for (j = 0; j < n && buf[j].handle < RULECOMP_HANDLE_LIMIT; j++) {
			struct key *k = handle_find(rc, buf[j].handle);

			if (k && k->n_users) {
				/* The handle may have held another key in an earlier run. */
				err = clif_rule_modify(rc->card, &k->rule);
				if (!err)
					k->on_card = 1;
			} else {
				err = clif_rule_delete(rc->card, buf[j].handle);
				if (err == CLIF_E_NOENT)
					err = 0;
				if (!err && k) {
					rc->n_orphans--;
					key_free(rc, k);
				} else if (k) {
					k->on_card = 1;
				}
			}
			if (err && card_unusable(err))
				return err;
			if (err)
				failed++;
		}
		if (n < COUNTER_CHUNK || j < n)
			break;
		first = buf[n - 1].handle + 1u;
	}
	/* Orphans the card did not list are gone already. */
	for (i = 0; i <= rc->by_key.mask; i++) {
		struct key *k = rc->by_key.b[i], *nx;

		for (; k; k = nx) {
			nx = k->next_by_key;
			if (k->n_users == 0 && !k->on_card) {
				rc->n_orphans--;
				key_free(rc, k);
			}
		}
	}
	{
		int more = install_live(rc, 1);

		return more < 0 ? more : failed + more;
	}
}

const char *rulecomp_last_reason(const struct rulecomp *rc)
{
	return rc->reason ? rc->reason : "";
}

size_t rulecomp_task_count(const struct rulecomp *rc)
{
	return rc->by_xid.n;
}

size_t rulecomp_rule_count(const struct rulecomp *rc)
{
	return rc->n_live;
}

size_t rulecomp_orphan_count(const struct rulecomp *rc)
{
	return rc->n_orphans;
}

int rulecomp_has_task(const struct rulecomp *rc, const uint8_t xid[16])
{
	return task_find(rc, xid) != NULL;
}

size_t rulecomp_tasks_of_handle(const struct rulecomp *rc, uint32_t handle, uint8_t (*xids)[16], size_t max)
{
	const struct key *k = handle_find(rc, handle);
	size_t i;

	if (!k)
		return 0;
	for (i = 0; i < k->n_users && i < max; i++)
		memcpy(xids[i], k->users[i]->xid, 16);
	return k->n_users;
}

int rulecomp_rules_of_task(const struct rulecomp *rc, const uint8_t xid[16], uint32_t *handles, size_t max)
{
	const struct task *t = task_find(rc, xid);
	uint32_t i;

	if (!t)
		return -1;
	for (i = 0; i < t->n_keys && i < max; i++)
		handles[i] = t->keys[i]->rule.handle;
	return (int)t->n_keys;
}

int rulecomp_rule_of_handle(const struct rulecomp *rc, uint32_t handle, struct clif_cmd_rule *out)
{
	const struct key *k = handle_find(rc, handle);

	if (!k)
		return -1;
	*out = k->rule;
	return 0;
}
