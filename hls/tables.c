/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Match tables: storage, the table window the firmware programs them through, and the three
 * lookups (exact cuckoo, prefix, ternary) with the per-rule hit counters.
 *
 * Entries cross the table window as little-endian words in their include/clif layout; they are
 * unpacked here field by field at the offsets that layout fixes (offsetof), so the firmware's
 * structs and the data plane's view cannot drift apart.
 */
#include <stddef.h>

#include "clif/exact_hash.h"
#include "dp.h"

static struct clif_exact_entry exact_tbl[CLIF_DP_EXACT_WAYS][CLIF_DP_EXACT_WAY_SIZE];
static struct clif_exact_entry stash_tbl[CLIF_DP_EXACT_STASH];
static struct clif_prefix_entry prefix_tbl[CLIF_DP_PREFIX_ENTRIES];
static struct clif_ternary_entry ternary_tbl[CLIF_DP_TERNARY_ENTRIES];
static struct clif_rule_entry rule_tbl[CLIF_DP_RULE_SLOTS];
static struct clif_hit_counter hit_tbl[CLIF_DP_RULE_SLOTS];
static uint32_t prefix_count;
static uint32_t ternary_count;
/*
 * Valid exact entries per key class (address type x scope type), kept up to date from the
 * window writes. A probe of a class with no entries cannot hit, so it is skipped: in hardware
 * that saves memory-port bandwidth and power, in the C model it saves the memory accesses.
 */
static uint32_t exact_class_used[4][CLIF_SCOPE_COUNT];

static inline int exact_class_ok(uint32_t addr_type, uint32_t scope_type)
{
	return addr_type >= CLIF_ADDR_IPV4 && addr_type <= CLIF_ADDR_MAC && scope_type < CLIF_SCOPE_COUNT;
}

static void exact_store(struct clif_exact_entry *slot, struct clif_exact_entry e)
{
	if ((slot->flags & CLIF_ENTRY_VALID) && exact_class_ok(slot->key.addr_type, slot->key.scope_type))
		exact_class_used[slot->key.addr_type][slot->key.scope_type]--;
	if ((e.flags & CLIF_ENTRY_VALID) && exact_class_ok(e.key.addr_type, e.key.scope_type))
		exact_class_used[e.key.addr_type][e.key.scope_type]++;
	*slot = e;
}

/* ---- window data <-> entries ---- */

static inline uint8_t w8(const volatile uint32_t *d, uint32_t off)
{
	return (uint8_t)(d[off / 4u] >> (8u * (off % 4u)));
}

static inline uint16_t w16(const volatile uint32_t *d, uint32_t off)
{
	return (uint16_t)(w8(d, off) | (w8(d, off + 1) << 8));
}

static inline uint32_t w32(const volatile uint32_t *d, uint32_t off)
{
	return (uint32_t)w16(d, off) | ((uint32_t)w16(d, off + 2) << 16);
}

static void w_addr(const volatile uint32_t *d, uint32_t off, uint8_t *addr)
{
	uint32_t i;

	for (i = 0; i < CLIF_ADDR_BYTES; i++)
		addr[i] = w8(d, off + i);
}

static struct clif_exact_entry unpack_exact(const volatile uint32_t *d)
{
	struct clif_exact_entry e = { 0 };

	e.key.addr_type = w8(d, offsetof(struct clif_exact_entry, key.addr_type));
	e.key.scope_type = w8(d, offsetof(struct clif_exact_entry, key.scope_type));
	e.key.scope_value = w32(d, offsetof(struct clif_exact_entry, key.scope_value));
	w_addr(d, offsetof(struct clif_exact_entry, key.addr), e.key.addr);
	e.rule_slot = w32(d, offsetof(struct clif_exact_entry, rule_slot));
	e.flags = w32(d, offsetof(struct clif_exact_entry, flags));
	return e;
}

static struct clif_prefix_entry unpack_prefix(const volatile uint32_t *d)
{
	struct clif_prefix_entry e = { 0 };

	e.addr_type = w8(d, offsetof(struct clif_prefix_entry, addr_type));
	e.scope_type = w8(d, offsetof(struct clif_prefix_entry, scope_type));
	e.prefix_len = w8(d, offsetof(struct clif_prefix_entry, prefix_len));
	e.flags = w8(d, offsetof(struct clif_prefix_entry, flags));
	e.scope_value = w32(d, offsetof(struct clif_prefix_entry, scope_value));
	w_addr(d, offsetof(struct clif_prefix_entry, addr), e.addr);
	e.rule_slot = w32(d, offsetof(struct clif_prefix_entry, rule_slot));
	return e;
}

static struct clif_ternary_entry unpack_ternary(const volatile uint32_t *d)
{
	struct clif_ternary_entry e = { 0 };

	e.addr_type = w8(d, offsetof(struct clif_ternary_entry, addr_type));
	e.scope_type = w8(d, offsetof(struct clif_ternary_entry, scope_type));
	e.flags = w8(d, offsetof(struct clif_ternary_entry, flags));
	e.ip_proto = w8(d, offsetof(struct clif_ternary_entry, ip_proto));
	e.ip_proto_mask = w8(d, offsetof(struct clif_ternary_entry, ip_proto_mask));
	e.priority = w16(d, offsetof(struct clif_ternary_entry, priority));
	e.scope_value = w32(d, offsetof(struct clif_ternary_entry, scope_value));
	e.rule_slot = w32(d, offsetof(struct clif_ternary_entry, rule_slot));
	w_addr(d, offsetof(struct clif_ternary_entry, addr), e.addr);
	w_addr(d, offsetof(struct clif_ternary_entry, addr_mask), e.addr_mask);
	e.port_this = w16(d, offsetof(struct clif_ternary_entry, port_this));
	e.port_this_mask = w16(d, offsetof(struct clif_ternary_entry, port_this_mask));
	e.port_peer = w16(d, offsetof(struct clif_ternary_entry, port_peer));
	e.port_peer_mask = w16(d, offsetof(struct clif_ternary_entry, port_peer_mask));
	return e;
}

static struct clif_rule_entry unpack_rule(const volatile uint32_t *d)
{
	struct clif_rule_entry e = { 0 };

	e.handle = w32(d, offsetof(struct clif_rule_entry, handle));
	e.actions = w16(d, offsetof(struct clif_rule_entry, actions));
	e.snap_len = w16(d, offsetof(struct clif_rule_entry, snap_len));
	e.flags = w32(d, offsetof(struct clif_rule_entry, flags));
	return e;
}

/* Words of a little-endian byte image, for reads back through the window. */
static void put_words(volatile uint32_t *d, const uint8_t *img, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < CLIF_TW_DATA_WORDS; i++) {
		uint32_t w = 0, b;

		for (b = 0; b < 4u; b++)
			if (4u * i + b < n)
				w |= (uint32_t)img[4u * i + b] << (8u * b);
		d[i] = w;
	}
}

static void put_le(uint8_t *img, uint32_t off, uint64_t v, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		img[off + i] = (uint8_t)(v >> (8u * i));
}

static void pack_exact(uint8_t *img, const struct clif_exact_entry *e)
{
	uint32_t i;

	put_le(img, offsetof(struct clif_exact_entry, key.addr_type), e->key.addr_type, 1);
	put_le(img, offsetof(struct clif_exact_entry, key.scope_type), e->key.scope_type, 1);
	put_le(img, offsetof(struct clif_exact_entry, key.scope_value), e->key.scope_value, 4);
	for (i = 0; i < CLIF_ADDR_BYTES; i++)
		img[offsetof(struct clif_exact_entry, key.addr) + i] = e->key.addr[i];
	put_le(img, offsetof(struct clif_exact_entry, rule_slot), e->rule_slot, 4);
	put_le(img, offsetof(struct clif_exact_entry, flags), e->flags, 4);
}

static void pack_prefix(uint8_t *img, const struct clif_prefix_entry *e)
{
	uint32_t i;

	put_le(img, offsetof(struct clif_prefix_entry, addr_type), e->addr_type, 1);
	put_le(img, offsetof(struct clif_prefix_entry, scope_type), e->scope_type, 1);
	put_le(img, offsetof(struct clif_prefix_entry, prefix_len), e->prefix_len, 1);
	put_le(img, offsetof(struct clif_prefix_entry, flags), e->flags, 1);
	put_le(img, offsetof(struct clif_prefix_entry, scope_value), e->scope_value, 4);
	for (i = 0; i < CLIF_ADDR_BYTES; i++)
		img[offsetof(struct clif_prefix_entry, addr) + i] = e->addr[i];
	put_le(img, offsetof(struct clif_prefix_entry, rule_slot), e->rule_slot, 4);
}

static void pack_ternary(uint8_t *img, const struct clif_ternary_entry *e)
{
	uint32_t i;

	put_le(img, offsetof(struct clif_ternary_entry, addr_type), e->addr_type, 1);
	put_le(img, offsetof(struct clif_ternary_entry, scope_type), e->scope_type, 1);
	put_le(img, offsetof(struct clif_ternary_entry, flags), e->flags, 1);
	put_le(img, offsetof(struct clif_ternary_entry, ip_proto), e->ip_proto, 1);
	put_le(img, offsetof(struct clif_ternary_entry, ip_proto_mask), e->ip_proto_mask, 1);
	put_le(img, offsetof(struct clif_ternary_entry, priority), e->priority, 2);
	put_le(img, offsetof(struct clif_ternary_entry, scope_value), e->scope_value, 4);
	put_le(img, offsetof(struct clif_ternary_entry, rule_slot), e->rule_slot, 4);
	for (i = 0; i < CLIF_ADDR_BYTES; i++) {
		img[offsetof(struct clif_ternary_entry, addr) + i] = e->addr[i];
		img[offsetof(struct clif_ternary_entry, addr_mask) + i] = e->addr_mask[i];
	}
	put_le(img, offsetof(struct clif_ternary_entry, port_this), e->port_this, 2);
	put_le(img, offsetof(struct clif_ternary_entry, port_this_mask), e->port_this_mask, 2);
	put_le(img, offsetof(struct clif_ternary_entry, port_peer), e->port_peer, 2);
	put_le(img, offsetof(struct clif_ternary_entry, port_peer_mask), e->port_peer_mask, 2);
}

static void pack_rule(uint8_t *img, const struct clif_rule_entry *e)
{
	put_le(img, offsetof(struct clif_rule_entry, handle), e->handle, 4);
	put_le(img, offsetof(struct clif_rule_entry, actions), e->actions, 2);
	put_le(img, offsetof(struct clif_rule_entry, snap_len), e->snap_len, 2);
	put_le(img, offsetof(struct clif_rule_entry, flags), e->flags, 4);
}

static void pack_hits(uint8_t *img, const struct clif_hit_counter *c)
{
	put_le(img, offsetof(struct clif_hit_counter, packets), c->packets, 8);
	put_le(img, offsetof(struct clif_hit_counter, bytes), c->bytes, 8);
}

/* ---- table window ---- */

static uint32_t tw_table_size(uint32_t table)
{
	switch (table) {
	case CLIF_TBL_EXACT: return CLIF_DP_EXACT_WAYS * CLIF_DP_EXACT_WAY_SIZE;
	case CLIF_TBL_EXACT_STASH: return CLIF_DP_EXACT_STASH;
	case CLIF_TBL_PREFIX: return CLIF_DP_PREFIX_ENTRIES;
	case CLIF_TBL_TERNARY: return CLIF_DP_TERNARY_ENTRIES;
	case CLIF_TBL_RULE:
	case CLIF_TBL_HITS: return CLIF_DP_RULE_SLOTS;
	default: return 0;
	}
}

static uint32_t tw_write(uint32_t table, uint32_t idx, const volatile uint32_t *d)
{
	switch (table) {
	case CLIF_TBL_EXACT:
		exact_store(&exact_tbl[idx / CLIF_DP_EXACT_WAY_SIZE][idx % CLIF_DP_EXACT_WAY_SIZE], unpack_exact(d));
		break;
	case CLIF_TBL_EXACT_STASH:
		exact_store(&stash_tbl[idx], unpack_exact(d));
		break;
	case CLIF_TBL_PREFIX:
		prefix_tbl[idx] = unpack_prefix(d);
		break;
	case CLIF_TBL_TERNARY:
		ternary_tbl[idx] = unpack_ternary(d);
		break;
	case CLIF_TBL_RULE:
		rule_tbl[idx] = unpack_rule(d);
		break;
	default:
		return CLIF_TW_ST_READ_ONLY;
	}
	return CLIF_TW_ST_DONE;
}

static void tw_read(uint32_t table, uint32_t idx, volatile uint32_t *d)
{
	uint8_t img[4u * CLIF_TW_DATA_WORDS] = { 0 };

	switch (table) {
	case CLIF_TBL_EXACT:
		pack_exact(img, &exact_tbl[idx / CLIF_DP_EXACT_WAY_SIZE][idx % CLIF_DP_EXACT_WAY_SIZE]);
		break;
	case CLIF_TBL_EXACT_STASH:
		pack_exact(img, &stash_tbl[idx]);
		break;
	case CLIF_TBL_PREFIX:
		pack_prefix(img, &prefix_tbl[idx]);
		break;
	case CLIF_TBL_TERNARY:
		pack_ternary(img, &ternary_tbl[idx]);
		break;
	case CLIF_TBL_RULE:
		pack_rule(img, &rule_tbl[idx]);
		break;
	default:
		pack_hits(img, &hit_tbl[idx]);
		break;
	}
	put_words(d, img, sizeof(img));
}

void clif_dp_reset(void)
{
	static const struct clif_exact_entry no_exact;
	static const struct clif_prefix_entry no_prefix;
	static const struct clif_ternary_entry no_ternary;
	static const struct clif_rule_entry no_rule;
	static const struct clif_hit_counter no_hits;
	uint32_t w, i;

	for (w = 0; w < CLIF_DP_EXACT_WAYS; w++)
		for (i = 0; i < CLIF_DP_EXACT_WAY_SIZE; i++)
			exact_tbl[w][i] = no_exact;
	for (i = 0; i < CLIF_DP_EXACT_STASH; i++)
		stash_tbl[i] = no_exact;
	for (i = 0; i < CLIF_DP_PREFIX_ENTRIES; i++)
		prefix_tbl[i] = no_prefix;
	for (i = 0; i < CLIF_DP_TERNARY_ENTRIES; i++)
		ternary_tbl[i] = no_ternary;
	for (i = 0; i < CLIF_DP_RULE_SLOTS; i++) {
		rule_tbl[i] = no_rule;
		hit_tbl[i] = no_hits;
	}
	for (w = 0; w < 4u; w++)
		for (i = 0; i < CLIF_SCOPE_COUNT; i++)
			exact_class_used[w][i] = 0;
	prefix_count = 0;
	ternary_count = 0;
}

void clif_dp_tblwin(volatile struct clif_tblwin_regs *tw)
{
	uint32_t cmd = tw->cmd, table = tw->table, idx = tw->index, st;

	tw->hdr.type = CLIF_BLK_TBLWIN;
	tw->hdr.version = 1;
	tw->hdr.size = sizeof(struct clif_tblwin_regs);
	tw->exact_ways = CLIF_DP_EXACT_WAYS;
	tw->exact_way_size = CLIF_DP_EXACT_WAY_SIZE;
	tw->prefix_entries = CLIF_DP_PREFIX_ENTRIES;
	tw->ternary_entries = CLIF_DP_TERNARY_ENTRIES;
	tw->rule_slots = CLIF_DP_RULE_SLOTS;
	tw->hash_seed = CLIF_DP_HASH_SEED;
	tw->exact_stash_entries = CLIF_DP_EXACT_STASH;
	/* Counts beyond the table are clamped: the lookup loops must stay bounded. */
	prefix_count = tw->prefix_count < CLIF_DP_PREFIX_ENTRIES ? tw->prefix_count : CLIF_DP_PREFIX_ENTRIES;
	ternary_count = tw->ternary_count < CLIF_DP_TERNARY_ENTRIES ? tw->ternary_count : CLIF_DP_TERNARY_ENTRIES;
	if (cmd == CLIF_TW_CMD_NONE)
		return;

	if (cmd == CLIF_TW_CMD_RESET) {
		clif_dp_reset();
		tw->prefix_count = 0;
		tw->ternary_count = 0;
		st = CLIF_TW_ST_DONE;
	} else if (cmd != CLIF_TW_CMD_WRITE && cmd != CLIF_TW_CMD_READ && cmd != CLIF_TW_CMD_CLEAR_HITS) {
		st = CLIF_TW_ST_BAD_CMD;
	} else if (tw_table_size(table) == 0) {
		st = CLIF_TW_ST_BAD_TABLE;
	} else if (idx >= tw_table_size(table)) {
		st = CLIF_TW_ST_BAD_INDEX;
	} else if (cmd == CLIF_TW_CMD_WRITE) {
		st = tw_write(table, idx, tw->data);
	} else if (cmd == CLIF_TW_CMD_READ) {
		tw_read(table, idx, tw->data);
		st = CLIF_TW_ST_DONE;
	} else if (table == CLIF_TBL_HITS) {
		hit_tbl[idx].packets = 0;
		hit_tbl[idx].bytes = 0;
		st = CLIF_TW_ST_DONE;
	} else {
		st = CLIF_TW_ST_BAD_TABLE;
	}
	tw->status = st;
	tw->cmd = CLIF_TW_CMD_NONE;
}

/* ---- lookups ---- */

struct dp_ctx {
	uint16_t vport;
	uint8_t has_vlan;
	uint8_t has_vni;
	uint16_t vid;
	uint32_t vni;
};

static inline int scope_fits(uint32_t type, uint32_t value, const struct dp_ctx *c)
{
	switch (type) {
	case CLIF_SCOPE_ANY: return 1;
	case CLIF_SCOPE_VPORT: return value == c->vport;
	case CLIF_SCOPE_VLAN: return c->has_vlan && value == c->vid;
	case CLIF_SCOPE_VNI: return c->has_vni && value == c->vni;
	default: return 0;
	}
}

static inline int key_equal(const struct clif_exact_key *a, const struct clif_exact_key *b)
{
	uint32_t i;
	uint8_t diff = (uint8_t)((a->addr_type ^ b->addr_type) | (a->scope_type ^ b->scope_type));

	for (i = 0; i < CLIF_ADDR_BYTES; i++)
		diff |= a->addr[i] ^ b->addr[i];
	return diff == 0 && a->scope_value == b->scope_value && a->rsvd == b->rsvd;
}

static void hit_add(struct dp_hits *h, uint32_t slot, uint8_t side)
{
	uint32_t i;

	if (slot >= CLIF_DP_RULE_SLOTS || !(rule_tbl[slot].flags & CLIF_ENTRY_VALID))
		return;
	for (i = 0; i < CLIF_DP_MAX_HITS; i++) {
		if (i < h->n && h->slot[i] == slot) {
			h->side[i] |= side;
			return;
		}
	}
	if (h->n == CLIF_DP_MAX_HITS) {
		h->overflow = 1;
		return;
	}
	h->slot[h->n] = slot;
	h->side[h->n] = side;
	h->n++;
}

/*
 * Exact lookups run as three stages, as the hardware pipelines them: build every probe key of
 * the frame and hash it, read every way of every probe (independent reads: parallel memories
 * in hardware, overlapping cache misses in the C model) and the stash, then compare. While the
 * firmware moves a key (make-before-break) it sits in two places naming the same rule slot, so
 * the first equal valid entry is the hit.
 */
#ifdef __SYNTHESIS__
#define DP_PREFETCH(p) ((void)0)
#else
#define DP_PREFETCH(p) __builtin_prefetch(p)
#endif

/* addr: CLIF_ADDR_BYTES, zero-padded. */
static void add_probes(const uint8_t *addr, uint8_t addr_type, const struct dp_ctx *c, uint8_t group,
		       struct dp_probes *pr)
{
	static const uint8_t scopes[CLIF_SCOPE_COUNT] = {
		CLIF_SCOPE_ANY, CLIF_SCOPE_VPORT, CLIF_SCOPE_VLAN, CLIF_SCOPE_VNI
	};
	uint32_t s, i;

	for (s = 0; s < CLIF_SCOPE_COUNT; s++) {
		struct dp_probe *p = &pr->p[pr->n];
		uint32_t value;

		switch (scopes[s]) {
		case CLIF_SCOPE_ANY: value = 0; break;
		case CLIF_SCOPE_VPORT: value = c->vport; break;
		case CLIF_SCOPE_VLAN: value = c->vid; break;
		default: value = c->vni; break;
		}
		if (!exact_class_used[addr_type][scopes[s]] || !scope_fits(scopes[s], value, c))
			continue;
		p->key.addr_type = addr_type;
		p->key.scope_type = scopes[s];
		p->key.rsvd = 0;
		p->key.scope_value = value;
		for (i = 0; i < CLIF_ADDR_BYTES; i++)
			p->key.addr[i] = addr[i];
		p->group = group;
		p->hit = 0;
		pr->n++;
	}
}

static void exact_hash_stage(struct dp_probes *pr)
{
	uint32_t i, w;

	for (i = 0; i < DP_MAX_PROBES; i++) {
#pragma HLS UNROLL
		uint32_t h1, h2;

		if (i >= pr->n)
			break;
		h1 = clif_exact_hash(&pr->p[i].key, CLIF_DP_HASH_SEED);
		h2 = clif_exact_hash(&pr->p[i].key, CLIF_DP_HASH_SEED ^ CLIF_EXACT_HASH_SEED2);
		for (w = 0; w < CLIF_DP_EXACT_WAYS; w++) {
			pr->p[i].bucket[w] = clif_exact_bucket(h1, h2, w, CLIF_DP_EXACT_WAY_SIZE);
			DP_PREFETCH(&exact_tbl[w][pr->p[i].bucket[w]]);
		}
	}
}

static void exact_read_stage(struct dp_probes *pr)
{
	uint32_t i, w;

	for (i = 0; i < DP_MAX_PROBES; i++) {
		if (i >= pr->n)
			break;
		for (w = 0; w < CLIF_DP_EXACT_WAYS; w++) {
#pragma HLS UNROLL
			const struct clif_exact_entry *e = &exact_tbl[w][pr->p[i].bucket[w]];

			if (!pr->p[i].hit && (e->flags & CLIF_ENTRY_VALID) && key_equal(&e->key, &pr->p[i].key)) {
				pr->p[i].hit = 1;
				pr->p[i].slot = e->rule_slot;
			}
		}
		for (w = 0; w < CLIF_DP_EXACT_STASH; w++) {
#pragma HLS UNROLL
			const struct clif_exact_entry *e = &stash_tbl[w];

			if (!pr->p[i].hit && (e->flags & CLIF_ENTRY_VALID) && key_equal(&e->key, &pr->p[i].key)) {
				pr->p[i].hit = 1;
				pr->p[i].slot = e->rule_slot;
			}
		}
	}
}

static inline uint8_t prefix_mask(uint32_t byte, uint32_t len)
{
	if (len >= 8u * byte + 8u)
		return 0xff;
	if (len <= 8u * byte)
		return 0;
	return (uint8_t)(0xffu << (8u - (len - 8u * byte)));
}

static void prefix_lookups(uint8_t addr_type, const uint8_t *ip, const struct dp_ctx *c, uint8_t side,
			   struct dp_hits *h)
{
	uint32_t maxlen = addr_type == CLIF_ADDR_IPV4 ? 32u : 128u;
	uint32_t i, b;

	for (i = 0; i < CLIF_DP_PREFIX_ENTRIES; i++) {
#pragma HLS UNROLL
		const struct clif_prefix_entry *e = &prefix_tbl[i];
		uint8_t diff = 0;

		if (i >= prefix_count)
			break;
		if (!(e->flags & CLIF_ENTRY_VALID) || e->addr_type != addr_type || e->prefix_len > maxlen ||
		    !scope_fits(e->scope_type, e->scope_value, c))
			continue;
		for (b = 0; b < CLIF_ADDR_BYTES; b++)
			diff |= (ip[b] ^ e->addr[b]) & prefix_mask(b, e->prefix_len);
		if (diff == 0)
			hit_add(h, e->rule_slot, side);
	}
}

static void ternary_lookup(uint8_t addr_type, const uint8_t *ip, uint8_t proto, uint16_t port_this,
			   uint16_t port_peer, const struct dp_ctx *c, uint8_t side, struct dp_hits *h)
{
	uint32_t i, b, best = 0;
	int found = 0;

	for (i = 0; i < CLIF_DP_TERNARY_ENTRIES; i++) {
#pragma HLS UNROLL
		const struct clif_ternary_entry *e = &ternary_tbl[i];
		uint8_t diff = 0;

		if (i >= ternary_count)
			break;
		if (!(e->flags & CLIF_ENTRY_VALID) || e->addr_type != addr_type ||
		    !scope_fits(e->scope_type, e->scope_value, c))
			continue;
		for (b = 0; b < CLIF_ADDR_BYTES; b++)
			diff |= (ip[b] ^ e->addr[b]) & e->addr_mask[b];
		diff |= (proto ^ e->ip_proto) & e->ip_proto_mask;
		if (diff || ((port_this ^ e->port_this) & e->port_this_mask) ||
		    ((port_peer ^ e->port_peer) & e->port_peer_mask))
			continue;
		if (!found || e->priority > ternary_tbl[best].priority) {
			best = i;
			found = 1;
		}
	}
	if (found)
		hit_add(h, ternary_tbl[best].rule_slot, side);
}

static void layer_ctx(const struct dp_parsed *p, uint32_t li, uint16_t vport, struct dp_ctx *c)
{
	c->vport = vport;
	c->has_vlan = p->layer[li].n_vlan != 0;
	c->vid = p->layer[li].vid;
	c->has_vni = li == 1;
	c->vni = p->vni;
}

void dp_lookup_prepare(const struct dp_parsed *p, uint16_t vport, struct dp_probes *pr)
{
	uint32_t layers = p->overlay == CLIF_OVERLAY_NONE ? 1u : 2u;
	uint32_t g;

	pr->n = 0;
	for (g = 0; g < 2u * layers; g++) {
		const struct dp_layer *ly = &p->layer[g / 2u];
		struct dp_ctx c;

		layer_ctx(p, g / 2u, vport, &c);
		if (ly->l3 != CLIF_L3_NONE)
			add_probes(g % 2u ? ly->dst : ly->src, ly->l3 == CLIF_L3_IPV4 ? CLIF_ADDR_IPV4 : CLIF_ADDR_IPV6,
				   &c, (uint8_t)g, pr);
		if (ly->has_eth)
			add_probes(g % 2u ? ly->dmac : ly->smac, CLIF_ADDR_MAC, &c, (uint8_t)g, pr);
	}
	exact_hash_stage(pr);
}

void dp_lookup_finish(const struct dp_parsed *p, uint16_t vport, struct dp_probes *pr, struct dp_hits *hits)
{
	/* Each way is its own memory (parallel probes); prefix and ternary entries sit in
	 * registers so every entry is compared at once. */
#pragma HLS ARRAY_PARTITION variable = exact_tbl complete dim = 1
#pragma HLS BIND_STORAGE variable = exact_tbl type = ram_2p impl = uram
#pragma HLS BIND_STORAGE variable = rule_tbl type = ram_2p impl = uram
#pragma HLS BIND_STORAGE variable = hit_tbl type = ram_2p impl = uram
#pragma HLS ARRAY_PARTITION variable = stash_tbl complete
#pragma HLS ARRAY_PARTITION variable = prefix_tbl complete
#pragma HLS ARRAY_PARTITION variable = ternary_tbl complete
	static const struct dp_hits none;
	uint32_t layers = p->overlay == CLIF_OVERLAY_NONE ? 1u : 2u;
	uint32_t g, i;

	*hits = none;
	exact_read_stage(pr);

	/* Hit order: per (layer, side) group, exact probes in order, then prefix, then ternary. */
	for (g = 0; g < 2u * layers; g++) {
		const struct dp_layer *ly = &p->layer[g / 2u];
		uint8_t bit = (uint8_t)(1u << g);
		const uint8_t *ip = g % 2u ? ly->dst : ly->src;
		uint8_t at = ly->l3 == CLIF_L3_IPV4 ? CLIF_ADDR_IPV4 : CLIF_ADDR_IPV6;
		uint16_t pt = 0, pp = 0;
		struct dp_ctx c;

		for (i = 0; i < DP_MAX_PROBES; i++) {
			if (i >= pr->n)
				break;
			if (pr->p[i].group == g && pr->p[i].hit)
				hit_add(hits, pr->p[i].slot, bit);
		}
		if (ly->l3 == CLIF_L3_NONE)
			continue;
		if (ly->ports_valid) {
			pt = g % 2u ? ly->dport : ly->sport;
			pp = g % 2u ? ly->sport : ly->dport;
		}
		layer_ctx(p, g / 2u, vport, &c);
		prefix_lookups(at, ip, &c, bit, hits);
		ternary_lookup(at, ip, ly->ip_proto, pt, pp, &c, bit, hits);
	}
}

void dp_lookup(const struct dp_parsed *p, uint16_t vport, struct dp_hits *hits)
{
	struct dp_probes pr;

	dp_lookup_prepare(p, vport, &pr);
	dp_lookup_finish(p, vport, &pr, hits);
}

struct clif_rule_entry dp_rule(uint32_t slot)
{
	return rule_tbl[slot % CLIF_DP_RULE_SLOTS];
}

void dp_count_hits(const struct dp_hits *hits, uint16_t frame_len)
{
	uint32_t i;

	for (i = 0; i < CLIF_DP_MAX_HITS; i++) {
		if (i >= hits->n)
			break;
		hit_tbl[hits->slot[i]].packets++;
		hit_tbl[hits->slot[i]].bytes += frame_len;
	}
}
