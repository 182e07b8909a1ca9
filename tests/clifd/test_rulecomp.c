/* clif-test-clifd-rulecomp BIN_DIR: the rule compiler (hostdrv/clifd/rulecomp.h) against a
 * real BIN_DIR/clif-cardsim through libclif. What the card holds is read back from the card
 * (table statistics per table, the handles its counters list) and compared with exact
 * expectations: the rules each target kind compiles to, the scope, shared keys and their
 * reference counts, make-before-break modification, all-or-nothing activation when the card's
 * ternary table fills (and with a rule limit), the 3010/3020 refusals (which touch nothing),
 * replay after a card reset, reconciliation with rules a previous run left, a card whose
 * mailbox stops answering (X1_E_ACTIVATE "card error", orphans deleted once it answers again),
 * and traffic from a pcap the card plays: each compiled rule captures its target's frames
 * (ports included), a MAC target's rule punts and the card learns the MAC's IPv4 address, and
 * nothing else is captured.
 * Prints "clifd-rulecomp: N checks, 0 failures"; exit 1 on any failure. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "clif/bar.h"
#include "clif/simshm.h"
#include "libclif.h"
#include "model.h"
#include "rulecomp.h"

#include "../sim/cardsim_proc.h"
#include "../sim/cardsim_watchdog.h"

#define CHECK_PROG "clifd-rulecomp"
#include "check.h"

#define MAX_H 4096u

static struct clif_card *card;
static char card_name[32];

/* ---- building tasks ---- */

static void xid_of(uint8_t xid[16], uint32_t n)
{
	memset(xid, 0, 16);
	xid[0] = 0x5a;
	xid[12] = (uint8_t)(n >> 24);
	xid[13] = (uint8_t)(n >> 16);
	xid[14] = (uint8_t)(n >> 8);
	xid[15] = (uint8_t)n;
}

static void task_init(struct clifd_task *t, uint32_t n)
{
	memset(t, 0, sizeof(*t));
	xid_of(t->xid, n);
	t->scope_type = CLIF_SCOPE_ANY;
	t->delivery = CLIFD_X2_AND_X3;
}

static struct clifd_target *tgt(struct clifd_task *t, uint8_t kind)
{
	struct clifd_target *g = &t->targets[t->n_targets++];

	memset(g, 0, sizeof(*g));
	g->kind = kind;
	return g;
}

static void v4(struct clifd_task *t, uint8_t a, uint8_t b, uint8_t c, uint8_t d, int plen)
{
	struct clifd_target *g = tgt(t, plen < 0 ? CLIFD_TGT_IPV4 : CLIFD_TGT_IPV4_CIDR);

	g->prefix_len = plen < 0 ? 32 : (uint8_t)plen;
	g->addr[0] = a;
	g->addr[1] = b;
	g->addr[2] = c;
	g->addr[3] = d;
}

static void v6(struct clifd_task *t, uint16_t first, uint16_t last, int plen)
{
	struct clifd_target *g = tgt(t, plen < 0 ? CLIFD_TGT_IPV6 : CLIFD_TGT_IPV6_CIDR);

	g->prefix_len = plen < 0 ? 128 : (uint8_t)plen;
	g->addr[0] = (uint8_t)(first >> 8);
	g->addr[1] = (uint8_t)first;
	g->addr[14] = (uint8_t)(last >> 8);
	g->addr[15] = (uint8_t)last;
}

static void mac(struct clifd_task *t, uint8_t last)
{
	struct clifd_target *g = tgt(t, CLIFD_TGT_MAC);
	static const uint8_t m[6] = { 0x02, 0x00, 0x5e, 0x10, 0x20, 0x00 };

	g->prefix_len = 48;
	memcpy(g->addr, m, 6);
	g->addr[5] = last;
}

static void port(struct clifd_task *t, uint8_t kind, uint16_t lo, uint16_t hi)
{
	struct clifd_target *g = tgt(t, kind);

	g->port_lo = lo;
	g->port_hi = hi;
}

/* ---- reading the card ---- */

static struct clif_table_stats stats(void)
{
	struct clif_table_stats s;

	check_rc(clif_table_stats(card, &s), "table stats");
	return s;
}

/* The card's host rule handles (below the learned range), ascending. Returns how many. */
static uint32_t card_handles(uint32_t *out)
{
	static struct clif_rule_counter buf[MAX_H];
	uint32_t n = 0, i, k = 0;

	check_rc(clif_rule_counters(card, 0, buf, MAX_H, &n), "rule counters");
	for (i = 0; i < n; i++)
		if (buf[i].handle < RULECOMP_HANDLE_LIMIT)
			out[k++] = buf[i].handle;
	return k;
}

static int card_has(uint32_t handle)
{
	static uint32_t h[MAX_H];
	uint32_t n = card_handles(h), i;

	for (i = 0; i < n; i++)
		if (h[i] == handle)
			return 1;
	return 0;
}

static uint32_t n_host_rules(void)
{
	static uint32_t h[MAX_H];

	return card_handles(h);
}

static int same_stats(const struct clif_table_stats *a, const struct clif_table_stats *b)
{
	return a->exact_used == b->exact_used && a->prefix_used == b->prefix_used &&
	       a->ternary_used == b->ternary_used && a->rule_used == b->rule_used;
}

static struct clif_cmd_rule rule_of(struct rulecomp *rc, uint32_t h)
{
	struct clif_cmd_rule r;

	memset(&r, 0, sizeof(r));
	if (rulecomp_rule_of_handle(rc, h, &r))
		die("no rule for handle %u", h);
	return r;
}

static uint32_t one_handle(struct rulecomp *rc, const uint8_t xid[16])
{
	uint32_t h[2] = { 0, 0 };

	CHECK(rulecomp_rules_of_task(rc, xid, h, 2) == 1);
	return h[0];
}

/* ---- 3010 / 3020: refusals without a card ---- */

static void expect_refused(struct rulecomp *rc, const struct clifd_task *t, int code)
{
	const char *why = NULL;
	struct clif_table_stats s0 = stats(), s1;
	uint32_t n0 = n_host_rules();

	CHECK(rulecomp_check(t, &why) == code);
	CHECK(why && *why);
	CHECK(rulecomp_add_task(rc, t) == code);
	CHECK(!rulecomp_has_task(rc, t->xid));
	s1 = stats();
	CHECK(same_stats(&s0, &s1));
	CHECK(n_host_rules() == n0);
}

static void test_refusals(struct rulecomp *rc)
{
	struct clifd_task t;
	const char *why = NULL;
	uint32_t i;

	task_init(&t, 1); /* no target */
	expect_refused(rc, &t, X1_E_TARGET_COMBINATION);
	task_init(&t, 2); /* a port without an address */
	port(&t, CLIFD_TGT_TCP_PORT, 80, 80);
	expect_refused(rc, &t, X1_E_TARGET_COMBINATION);
	task_init(&t, 3); /* a port range without an address */
	port(&t, CLIFD_TGT_UDP_PORT_RANGE, 1000, 2000);
	expect_refused(rc, &t, X1_E_TARGET_COMBINATION);
	task_init(&t, 4); /* MAC with a port qualifier */
	mac(&t, 1);
	port(&t, CLIFD_TGT_TCP_PORT, 80, 80);
	expect_refused(rc, &t, X1_E_TARGET_COMBINATION);
	task_init(&t, 5); /* MAC and IPv4 with a port qualifier */
	mac(&t, 1);
	v4(&t, 10, 0, 0, 1, -1);
	port(&t, CLIFD_TGT_UDP_PORT, 53, 53);
	expect_refused(rc, &t, X1_E_TARGET_COMBINATION);
	task_init(&t, 6); /* unknown target kind */
	tgt(&t, 42);
	expect_refused(rc, &t, X1_E_TARGET_TYPE);
	task_init(&t, 7); /* kind 0 */
	v4(&t, 10, 0, 0, 1, -1);
	tgt(&t, 0);
	expect_refused(rc, &t, X1_E_TARGET_TYPE);
	task_init(&t, 8); /* IPv4 CIDR /33 */
	v4(&t, 10, 0, 0, 0, 33);
	expect_refused(rc, &t, X1_E_TARGET_COMBINATION);
	task_init(&t, 9); /* IPv6 CIDR /129 */
	v6(&t, 0x2001, 0, 129);
	expect_refused(rc, &t, X1_E_TARGET_COMBINATION);
	task_init(&t, 10); /* an IPv4 host with a partial prefix length */
	v4(&t, 10, 0, 0, 1, -1);
	t.targets[0].prefix_len = 24;
	expect_refused(rc, &t, X1_E_TARGET_COMBINATION);
	task_init(&t, 11); /* a port range lo > hi */
	v4(&t, 10, 0, 0, 1, -1);
	port(&t, CLIFD_TGT_TCP_PORT_RANGE, 2000, 1000);
	expect_refused(rc, &t, X1_E_TARGET_COMBINATION);
	task_init(&t, 12); /* VLAN 4096 */
	v4(&t, 10, 0, 0, 1, -1);
	t.scope_type = CLIF_SCOPE_VLAN;
	t.scope_value = 4096;
	expect_refused(rc, &t, X1_E_TARGET_COMBINATION);
	task_init(&t, 13); /* VNI wider than 24 bits */
	v4(&t, 10, 0, 0, 1, -1);
	t.scope_type = CLIF_SCOPE_VNI;
	t.scope_value = 0x1000000;
	expect_refused(rc, &t, X1_E_TARGET_COMBINATION);
	task_init(&t, 14); /* vport wider than 16 bits */
	v4(&t, 10, 0, 0, 1, -1);
	t.scope_type = CLIF_SCOPE_VPORT;
	t.scope_value = 0x10000;
	expect_refused(rc, &t, X1_E_TARGET_COMBINATION);
	task_init(&t, 15); /* scope ANY with a value */
	v4(&t, 10, 0, 0, 1, -1);
	t.scope_value = 7;
	expect_refused(rc, &t, X1_E_TARGET_COMBINATION);
	task_init(&t, 16); /* unknown scope type */
	v4(&t, 10, 0, 0, 1, -1);
	t.scope_type = CLIF_SCOPE_COUNT;
	expect_refused(rc, &t, X1_E_TARGET_COMBINATION);
	task_init(&t, 17); /* a broadcast MAC */
	mac(&t, 1);
	memset(t.targets[0].addr, 0xff, 6);
	expect_refused(rc, &t, X1_E_TARGET_COMBINATION);
	task_init(&t, 18); /* a multicast MAC */
	mac(&t, 1);
	t.targets[0].addr[0] = 0x01;
	expect_refused(rc, &t, X1_E_TARGET_COMBINATION);
	task_init(&t, 19); /* an all-zero MAC */
	mac(&t, 1);
	memset(t.targets[0].addr, 0, 6);
	expect_refused(rc, &t, X1_E_TARGET_COMBINATION);
	task_init(&t, 20); /* more targets than a task holds */
	for (i = 0; i < CLIFD_MAX_TARGETS; i++)
		v4(&t, 10, 0, 1, (uint8_t)i, -1);
	t.n_targets = CLIFD_MAX_TARGETS + 1;
	expect_refused(rc, &t, X1_E_TARGET_COMBINATION);

	/* Accepted limits: 8 addresses x 8 ports = 64 rules; a VLAN of 4095; IPv4 /0. */
	task_init(&t, 21);
	for (i = 0; i < 8; i++)
		v4(&t, 10, 0, 2, (uint8_t)i, -1);
	for (i = 0; i < 8; i++)
		port(&t, CLIFD_TGT_UDP_PORT, (uint16_t)(100 + i), 0);
	CHECK(rulecomp_check(&t, &why) == X1_OK);
	CHECK(why && !*why);
	task_init(&t, 22);
	v4(&t, 10, 0, 0, 1, -1);
	t.scope_type = CLIF_SCOPE_VLAN;
	t.scope_value = 4095;
	CHECK(rulecomp_check(&t, NULL) == X1_OK);
	task_init(&t, 23);
	v4(&t, 0, 0, 0, 0, 0);
	CHECK(rulecomp_check(&t, NULL) == X1_OK);
	CHECK(rulecomp_check(NULL, &why) == X1_E_TARGET_COMBINATION);
}

/* ---- what each target kind compiles to ---- */

static void test_kinds(struct rulecomp *rc)
{
	struct clifd_task t;
	struct clif_table_stats s0 = stats(), s;
	struct clif_cmd_rule r;
	uint32_t h[RULECOMP_MAX_TASK_RULES], h1, i;
	uint8_t xids[4][16];

	/* IPv4 host: one exact rule, capturing, scope ANY. */
	task_init(&t, 100);
	v4(&t, 10, 1, 0, 1, -1);
	CHECK(rulecomp_add_task(rc, &t) == X1_OK);
	h1 = one_handle(rc, t.xid);
	s = stats();
	CHECK(s.exact_used == s0.exact_used + 1 && s.rule_used == s0.rule_used + 1);
	CHECK(s.prefix_used == s0.prefix_used && s.ternary_used == s0.ternary_used);
	CHECK(card_has(h1));
	r = rule_of(rc, h1);
	CHECK(r.kind == CLIF_RULE_EXACT && r.addr_type == CLIF_ADDR_IPV4 && r.actions == CLIF_ACT_CAPTURE);
	CHECK(r.scope_type == CLIF_SCOPE_ANY && r.scope_value == 0 && r.snap_len == 128);
	CHECK(r.addr[0] == 10 && r.addr[1] == 1 && r.addr[2] == 0 && r.addr[3] == 1 && r.addr[4] == 0);
	CHECK(rulecomp_tasks_of_handle(rc, h1, xids, 4) == 1 && !memcmp(xids[0], t.xid, 16));
	CHECK(rulecomp_add_task(rc, &t) == X1_E_XID_EXISTS);
	CHECK(rulecomp_rule_count(rc) == 1 && rulecomp_task_count(rc) == 1);
	CHECK(rulecomp_remove_task(rc, t.xid) == X1_OK);
	CHECK(!card_has(h1));
	s = stats();
	CHECK(same_stats(&s, &s0));
	CHECK(rulecomp_remove_task(rc, t.xid) == X1_E_XID_UNKNOWN);
	CHECK(rulecomp_tasks_of_handle(rc, h1, xids, 4) == 0);

	/* IPv4 CIDR: one prefix rule, host bits cleared. */
	task_init(&t, 101);
	v4(&t, 10, 20, 30, 40, 16);
	CHECK(rulecomp_add_task(rc, &t) == X1_OK);
	h1 = one_handle(rc, t.xid);
	s = stats();
	CHECK(s.prefix_used == s0.prefix_used + 1 && s.exact_used == s0.exact_used);
	CHECK(s.ternary_used == s0.ternary_used && s.rule_used == s0.rule_used + 1);
	r = rule_of(rc, h1);
	CHECK(r.kind == CLIF_RULE_PREFIX && r.prefix_len == 16 && r.addr[1] == 20 && r.addr[2] == 0 && r.addr[3] == 0);
	CHECK(card_has(h1));
	CHECK(rulecomp_remove_task(rc, t.xid) == X1_OK);

	/* IPv4 /32 CIDR: an exact rule. */
	task_init(&t, 102);
	v4(&t, 10, 20, 30, 40, 32);
	CHECK(rulecomp_add_task(rc, &t) == X1_OK);
	r = rule_of(rc, one_handle(rc, t.xid));
	CHECK(r.kind == CLIF_RULE_EXACT && r.prefix_len == 0);
	s = stats();
	CHECK(s.exact_used == s0.exact_used + 1 && s.prefix_used == s0.prefix_used);
	CHECK(rulecomp_remove_task(rc, t.xid) == X1_OK);

	/* IPv6 host and /64 in one task: one exact and one prefix rule. */
	task_init(&t, 103);
	v6(&t, 0x2001, 0x0042, -1);
	v6(&t, 0x2001, 0x0042, 64);
	CHECK(rulecomp_add_task(rc, &t) == X1_OK);
	CHECK(rulecomp_rules_of_task(rc, t.xid, h, RULECOMP_MAX_TASK_RULES) == 2);
	s = stats();
	CHECK(s.exact_used == s0.exact_used + 1 && s.prefix_used == s0.prefix_used + 1);
	CHECK(s.rule_used == s0.rule_used + 2 && s.ternary_used == s0.ternary_used);
	r = rule_of(rc, h[0]);
	CHECK(r.kind == CLIF_RULE_EXACT && r.addr_type == CLIF_ADDR_IPV6 && r.addr[15] == 0x42);
	r = rule_of(rc, h[1]);
	CHECK(r.kind == CLIF_RULE_PREFIX && r.addr_type == CLIF_ADDR_IPV6 && r.prefix_len == 64 && r.addr[15] == 0);
	CHECK(card_has(h[0]) && card_has(h[1]));
	CHECK(rulecomp_remove_task(rc, t.xid) == X1_OK);
	CHECK(!card_has(h[0]) && !card_has(h[1]));

	/* MAC: an exact MAC rule with the learn action (punt) as well as capture. */
	task_init(&t, 104);
	mac(&t, 0x99);
	CHECK(rulecomp_add_task(rc, &t) == X1_OK);
	h1 = one_handle(rc, t.xid);
	r = rule_of(rc, h1);
	CHECK(r.kind == CLIF_RULE_EXACT && r.addr_type == CLIF_ADDR_MAC);
	CHECK(r.actions == (CLIF_ACT_CAPTURE | CLIF_ACT_PUNT));
	CHECK(r.addr[5] == 0x99 && r.addr[6] == 0);
	s = stats();
	CHECK(s.exact_used == s0.exact_used + 1 && s.rule_used == s0.rule_used + 1);
	CHECK(card_has(h1));
	CHECK(rulecomp_remove_task(rc, t.xid) == X1_OK);

	/* Two addresses x tcp 80 and udp 1000-1999: four ternary rules, port on the target's side. */
	task_init(&t, 105);
	v4(&t, 10, 3, 0, 1, -1);
	v4(&t, 10, 4, 0, 0, 24);
	port(&t, CLIFD_TGT_TCP_PORT, 80, 0);
	port(&t, CLIFD_TGT_UDP_PORT_RANGE, 1000, 1999);
	CHECK(rulecomp_add_task(rc, &t) == X1_OK);
	CHECK(rulecomp_rules_of_task(rc, t.xid, h, RULECOMP_MAX_TASK_RULES) == 4);
	s = stats();
	CHECK(s.exact_used == s0.exact_used && s.prefix_used == s0.prefix_used);
	CHECK(s.rule_used == s0.rule_used + 4);
	/* 80: one entry; 1000-1999: 1000-1007, 1008-1023, 1024-1535, 1536-1791, 1792-1919,
	 * 1920-1983, 1984-1999 = 7 entries; each for two addresses. */
	CHECK(s.ternary_used == s0.ternary_used + 16);
	for (i = 0; i < 4; i++) {
		r = rule_of(rc, h[i]);
		CHECK(r.kind == CLIF_RULE_TERNARY && r.addr_type == CLIF_ADDR_IPV4);
		CHECK(r.qual == (CLIF_QUAL_PROTO | CLIF_QUAL_PORT_THIS) && r.port_peer_lo == 0 && r.port_peer_hi == 0);
		CHECK(r.prefix_len == (i < 2 ? 32 : 24));
		CHECK(r.ip_proto == (i % 2 ? 17 : 6));
		CHECK(r.port_this_lo == (i % 2 ? 1000 : 80) && r.port_this_hi == (i % 2 ? 1999 : 80));
		CHECK(card_has(h[i]));
	}
	/* The more specific key outranks: /32 over /24, one port over a range. */
	CHECK(rule_of(rc, h[0]).priority > rule_of(rc, h[1]).priority);
	CHECK(rule_of(rc, h[1]).priority > rule_of(rc, h[3]).priority);
	CHECK(rule_of(rc, h[0]).priority > rule_of(rc, h[2]).priority);
	CHECK(rulecomp_remove_task(rc, t.xid) == X1_OK);
	s = stats();
	CHECK(same_stats(&s, &s0));

	/* Scope: VNI 5001 on every rule (IPv4, IPv6 CIDR, MAC). */
	task_init(&t, 106);
	v4(&t, 10, 5, 0, 1, -1);
	v6(&t, 0xfd00, 0, 48);
	mac(&t, 0x55);
	t.scope_type = CLIF_SCOPE_VNI;
	t.scope_value = 5001;
	CHECK(rulecomp_add_task(rc, &t) == X1_OK);
	CHECK(rulecomp_rules_of_task(rc, t.xid, h, RULECOMP_MAX_TASK_RULES) == 3);
	for (i = 0; i < 3; i++) {
		r = rule_of(rc, h[i]);
		CHECK(r.scope_type == CLIF_SCOPE_VNI && r.scope_value == 5001);
		CHECK(card_has(h[i]));
	}
	s = stats();
	CHECK(s.exact_used == s0.exact_used + 2 && s.prefix_used == s0.prefix_used + 1);
	/* The same address in another scope is another key. */
	{
		struct clifd_task u;

		task_init(&u, 107);
		v4(&u, 10, 5, 0, 1, -1);
		u.scope_type = CLIF_SCOPE_VLAN;
		u.scope_value = 12;
		CHECK(rulecomp_add_task(rc, &u) == X1_OK);
		h1 = one_handle(rc, u.xid);
		CHECK(h1 != h[0]);
		r = rule_of(rc, h1);
		CHECK(r.scope_type == CLIF_SCOPE_VLAN && r.scope_value == 12);
		s = stats();
		CHECK(s.exact_used == s0.exact_used + 3);
		CHECK(rulecomp_remove_task(rc, u.xid) == X1_OK);
	}
	/* A port-qualified task in a vport scope: the ternary rule carries it too. */
	{
		struct clifd_task u;

		task_init(&u, 108);
		v4(&u, 10, 5, 0, 1, -1);
		port(&u, CLIFD_TGT_UDP_PORT, 53, 53);
		u.scope_type = CLIF_SCOPE_VPORT;
		u.scope_value = 3;
		CHECK(rulecomp_add_task(rc, &u) == X1_OK);
		r = rule_of(rc, one_handle(rc, u.xid));
		CHECK(r.kind == CLIF_RULE_TERNARY && r.scope_type == CLIF_SCOPE_VPORT && r.scope_value == 3);
		CHECK(rulecomp_remove_task(rc, u.xid) == X1_OK);
	}
	CHECK(rulecomp_remove_task(rc, t.xid) == X1_OK);

	/* Duplicate targets in one task: one key. */
	task_init(&t, 109);
	v4(&t, 10, 6, 0, 1, -1);
	v4(&t, 10, 6, 0, 1, -1);
	v4(&t, 10, 6, 0, 1, 32);
	CHECK(rulecomp_add_task(rc, &t) == X1_OK);
	CHECK(rulecomp_rules_of_task(rc, t.xid, NULL, 0) == 1);
	CHECK(rulecomp_remove_task(rc, t.xid) == X1_OK);

	s = stats();
	CHECK(same_stats(&s, &s0));
	CHECK(rulecomp_rule_count(rc) == 0 && rulecomp_task_count(rc) == 0 && n_host_rules() == 0);
}

/* ---- shared keys ---- */

static void test_sharing(struct rulecomp *rc)
{
	struct clifd_task a, b;
	struct clif_table_stats s0 = stats(), s;
	uint32_t ha[4], hb[4];
	uint8_t xids[4][16];

	task_init(&a, 200);
	v4(&a, 10, 7, 0, 1, -1);
	v4(&a, 10, 7, 0, 0, 24);
	task_init(&b, 201);
	v4(&b, 10, 7, 0, 1, 32);   /* the same key as a's host */
	v4(&b, 10, 7, 0, 99, 24);  /* the same network as a's, host bits set */
	v4(&b, 10, 8, 0, 1, -1);   /* b's own */
	CHECK(rulecomp_add_task(rc, &a) == X1_OK);
	CHECK(rulecomp_add_task(rc, &b) == X1_OK);
	CHECK(rulecomp_rules_of_task(rc, a.xid, ha, 4) == 2);
	CHECK(rulecomp_rules_of_task(rc, b.xid, hb, 4) == 3);
	CHECK(ha[0] == hb[0] && ha[1] == hb[1] && hb[2] != ha[0] && hb[2] != ha[1]);
	CHECK(rulecomp_rule_count(rc) == 3 && n_host_rules() == 3);
	s = stats();
	CHECK(s.exact_used == s0.exact_used + 2 && s.prefix_used == s0.prefix_used + 1);
	CHECK(s.rule_used == s0.rule_used + 3);
	CHECK(rulecomp_tasks_of_handle(rc, ha[0], xids, 4) == 2);
	CHECK(!memcmp(xids[0], a.xid, 16) && !memcmp(xids[1], b.xid, 16));
	CHECK(rulecomp_tasks_of_handle(rc, ha[0], xids, 1) == 2); /* total beyond max */
	CHECK(rulecomp_tasks_of_handle(rc, hb[2], xids, 4) == 1 && !memcmp(xids[0], b.xid, 16));

	/* Removing a keeps the shared keys; they now serve b alone. */
	CHECK(rulecomp_remove_task(rc, a.xid) == X1_OK);
	CHECK(card_has(ha[0]) && card_has(ha[1]) && card_has(hb[2]));
	CHECK(rulecomp_rule_count(rc) == 3 && n_host_rules() == 3);
	CHECK(rulecomp_tasks_of_handle(rc, ha[0], xids, 4) == 1 && !memcmp(xids[0], b.xid, 16));
	s = stats();
	CHECK(s.rule_used == s0.rule_used + 3);

	/* Removing b deletes them. */
	CHECK(rulecomp_remove_task(rc, b.xid) == X1_OK);
	CHECK(!card_has(ha[0]) && !card_has(ha[1]) && !card_has(hb[2]));
	CHECK(rulecomp_rule_count(rc) == 0 && n_host_rules() == 0);
	s = stats();
	CHECK(same_stats(&s, &s0));

	/* Handles are not reused: a key added again gets a new one. */
	CHECK(rulecomp_add_task(rc, &a) == X1_OK);
	CHECK(rulecomp_rules_of_task(rc, a.xid, hb, 4) == 2);
	CHECK(hb[0] != ha[0] && hb[1] != ha[1]);
	CHECK(rulecomp_remove_task(rc, a.xid) == X1_OK);
}

/* ---- modify: make before break ---- */

static void test_modify(struct rulecomp *rc)
{
	struct clifd_task a, a2, bad;
	struct clif_table_stats s0 = stats(), s1, s;
	uint32_t h[4], h2[4];

	task_init(&a, 300);
	v4(&a, 10, 9, 0, 1, -1); /* X */
	v4(&a, 10, 9, 0, 2, -1); /* Y */
	CHECK(rulecomp_add_task(rc, &a) == X1_OK);
	CHECK(rulecomp_rules_of_task(rc, a.xid, h, 4) == 2);

	task_init(&a2, 300);
	v4(&a2, 10, 9, 0, 2, -1); /* Y, kept */
	v4(&a2, 10, 9, 0, 3, -1); /* Z, new */
	CHECK(rulecomp_modify_task(rc, &a2) == X1_OK);
	CHECK(rulecomp_rules_of_task(rc, a.xid, h2, 4) == 2);
	/* Y keeps its handle: it was never deleted (handles are not reused). */
	CHECK(h2[0] == h[1] && h2[1] != h[0] && h2[1] != h[1]);
	CHECK(!card_has(h[0]) && card_has(h2[0]) && card_has(h2[1]));
	CHECK(rulecomp_rule_count(rc) == 2 && rulecomp_task_count(rc) == 1 && n_host_rules() == 2);

	/* A refused modification leaves the task as it was. */
	task_init(&bad, 300);
	port(&bad, CLIFD_TGT_TCP_PORT, 80, 80);
	s1 = stats();
	CHECK(rulecomp_modify_task(rc, &bad) == X1_E_TARGET_COMBINATION);
	CHECK(rulecomp_rules_of_task(rc, a.xid, h, 4) == 2 && h[0] == h2[0] && h[1] == h2[1]);
	s = stats();
	CHECK(same_stats(&s, &s1));
	task_init(&bad, 301);
	v4(&bad, 10, 9, 0, 9, -1);
	CHECK(rulecomp_modify_task(rc, &bad) == X1_E_XID_UNKNOWN);
	CHECK(n_host_rules() == 2);

	CHECK(rulecomp_remove_task(rc, a.xid) == X1_OK);
	s = stats();
	CHECK(same_stats(&s, &s0));
}

/* ---- capacity: all or nothing ---- */

static int reason_is_fixed(const struct rulecomp *rc, const char *want)
{
	const char *why = rulecomp_last_reason(rc);

	return !strcmp(why, want) && !strstr(why, "10.") && !strchr(why, ':');
}

static void test_capacity_card(struct rulecomp *rc)
{
	struct clifd_task t, fail;
	struct clif_table_stats s0 = stats(), s1, s;
	uint32_t n_fill = 0, n_single = 0, i, d, room, k, hw, hf[RULECOMP_MAX_TASK_RULES];
	uint8_t xids[2][16];

	/* A wide range (1-65534) expands to many ternary entries: fill the table with them. */
	task_init(&t, 400);
	v4(&t, 10, 40, 0, 0, -1);
	port(&t, CLIFD_TGT_TCP_PORT_RANGE, 1, 65534);
	CHECK(rulecomp_add_task(rc, &t) == X1_OK);
	hw = one_handle(rc, t.xid);
	n_fill = 1;
	s = stats();
	d = s.ternary_used - s0.ternary_used;
	CHECK(d > 16);
	while (s.ternary_used + d <= s.ternary_capacity) {
		task_init(&t, 400 + n_fill);
		v4(&t, 10, 40, 0, (uint8_t)n_fill, -1);
		port(&t, CLIFD_TGT_TCP_PORT_RANGE, 1, 65534);
		CHECK(rulecomp_add_task(rc, &t) == X1_OK);
		n_fill++;
		s = stats();
	}
	if (s.ternary_used == s.ternary_capacity) { /* exactly full: make room for the singles */
		xid_of(xids[0], 400 + --n_fill);
		CHECK(rulecomp_remove_task(rc, xids[0]) == X1_OK);
		s = stats();
	}
	/* Then single ports (one entry each) until at most 5 entries are left, at least 1. */
	while (s.ternary_capacity - s.ternary_used > 5) {
		task_init(&t, 500 + n_single);
		v4(&t, 10, 41, 0, 1, -1);
		port(&t, CLIFD_TGT_UDP_PORT, (uint16_t)(2000 + n_single), 0);
		CHECK(rulecomp_add_task(rc, &t) == X1_OK);
		n_single++;
		s = stats();
	}
	room = s.ternary_capacity - s.ternary_used;
	CHECK(room >= 1 && room <= 5 && room < d);

	/* The failing task: `room` single ports that fit, the first filler's wide key (shared),
	 * then a new wide key that does not fit. */
	task_init(&fail, 600);
	v4(&fail, 10, 40, 0, 0, -1);
	for (k = 0; k < room; k++)
		port(&fail, CLIFD_TGT_TCP_PORT, (uint16_t)(3000 + k), 0);
	port(&fail, CLIFD_TGT_TCP_PORT_RANGE, 1, 65534);
	port(&fail, CLIFD_TGT_TCP_PORT_RANGE, 2, 65533);
	s1 = stats();
	i = n_host_rules();
	CHECK(rulecomp_add_task(rc, &fail) == X1_E_ACTIVATE);
	CHECK(reason_is_fixed(rc, RULECOMP_WHY_CAPACITY));
	CHECK(!rulecomp_has_task(rc, fail.xid));
	s = stats();
	CHECK(same_stats(&s, &s1));
	CHECK(n_host_rules() == i);
	CHECK(rulecomp_rule_count(rc) == i && rulecomp_orphan_count(rc) == 0);
	CHECK(card_has(hw));
	CHECK(rulecomp_tasks_of_handle(rc, hw, xids, 2) == 1);
	xid_of(xids[1], 400);
	CHECK(!memcmp(xids[0], xids[1], 16));

	/* After one filler goes, the same task fits. */
	xid_of(xids[0], 400 + --n_fill);
	CHECK(rulecomp_remove_task(rc, xids[0]) == X1_OK);
	CHECK(rulecomp_add_task(rc, &fail) == X1_OK);
	CHECK(rulecomp_rules_of_task(rc, fail.xid, hf, RULECOMP_MAX_TASK_RULES) == (int)room + 2);
	CHECK(hf[room] == hw);
	CHECK(rulecomp_tasks_of_handle(rc, hw, NULL, 0) == 2);
	CHECK(rulecomp_remove_task(rc, fail.xid) == X1_OK);

	for (i = 0; i < n_fill; i++) {
		xid_of(xids[0], 400 + i);
		CHECK(rulecomp_remove_task(rc, xids[0]) == X1_OK);
	}
	for (i = 0; i < n_single; i++) {
		xid_of(xids[0], 500 + i);
		CHECK(rulecomp_remove_task(rc, xids[0]) == X1_OK);
	}
	s = stats();
	CHECK(same_stats(&s, &s0));
	CHECK(rulecomp_rule_count(rc) == 0 && n_host_rules() == 0);
}

static void test_capacity_limit(void)
{
	struct rulecomp_opts o = { .snap_len = 0, .first_handle = 0x100000u, .max_rules = 3 };
	struct rulecomp *rc = rulecomp_new(card, &o);
	struct clifd_task a, b, c;
	struct clif_table_stats s1, s;
	uint32_t h[4];

	CHECK(rc != NULL);
	if (!rc)
		return;
	task_init(&a, 700);
	v4(&a, 10, 50, 0, 1, -1);
	v4(&a, 10, 50, 0, 2, -1);
	CHECK(rulecomp_add_task(rc, &a) == X1_OK);
	CHECK(rulecomp_rules_of_task(rc, a.xid, h, 4) == 2 && h[0] == 0x100000u && h[1] == 0x100001u);
	/* b: one shared key, one that fits, one over the limit. */
	task_init(&b, 701);
	v4(&b, 10, 50, 0, 1, -1);
	v4(&b, 10, 50, 0, 3, -1);
	v4(&b, 10, 50, 0, 4, -1);
	s1 = stats();
	CHECK(rulecomp_add_task(rc, &b) == X1_E_ACTIVATE);
	CHECK(reason_is_fixed(rc, RULECOMP_WHY_CAPACITY));
	s = stats();
	CHECK(same_stats(&s, &s1));
	CHECK(n_host_rules() == 2 && rulecomp_rule_count(rc) == 2);
	CHECK(rulecomp_tasks_of_handle(rc, h[0], NULL, 0) == 1);
	/* A modification that needs a rule over the limit: X1_E_MODIFY, the old task intact. */
	task_init(&c, 700);
	v4(&c, 10, 50, 0, 5, -1);
	v4(&c, 10, 50, 0, 6, -1);
	CHECK(rulecomp_modify_task(rc, &c) == X1_E_MODIFY);
	CHECK(reason_is_fixed(rc, RULECOMP_WHY_CAPACITY));
	CHECK(rulecomp_rules_of_task(rc, a.xid, h, 4) == 2 && card_has(h[0]) && card_has(h[1]));
	CHECK(n_host_rules() == 2);
	/* Within the limit, make-before-break needs room for the new key first: one key kept. */
	task_init(&c, 700);
	v4(&c, 10, 50, 0, 2, -1);
	v4(&c, 10, 50, 0, 7, -1);
	CHECK(rulecomp_modify_task(rc, &c) == X1_OK);
	CHECK(rulecomp_rules_of_task(rc, a.xid, h, 4) == 2 && h[0] == 0x100001u && h[1] > 0x100001u);
	CHECK(!card_has(0x100000u) && card_has(h[0]) && card_has(h[1]));
	CHECK(n_host_rules() == 2);
	CHECK(rulecomp_remove_task(rc, a.xid) == X1_OK);
	CHECK(n_host_rules() == 0);
	rulecomp_free(rc);
}

/* ---- reset and replay ---- */

static int resets_seen;
static int replay_rc = -1000;

static void on_reset_flag(struct clif_card *c, uint32_t gen, void *arg)
{
	(void)c;
	(void)gen;
	(void)arg;
	resets_seen++;
}

static void on_reset_replay(struct clif_card *c, uint32_t gen, void *arg)
{
	(void)c;
	(void)gen;
	resets_seen++;
	replay_rc = rulecomp_replay(arg);
}

static void test_replay(struct rulecomp *rc)
{
	static uint32_t before[MAX_H], after[MAX_H];
	struct clifd_task t[3];
	struct clif_table_stats s0 = stats(), s1, s;
	uint32_t n0, n1, i;

	task_init(&t[0], 800);
	v4(&t[0], 10, 60, 0, 1, -1);
	v6(&t[0], 0x2001, 0x60, 56);
	mac(&t[0], 0x60);
	task_init(&t[1], 801);
	v4(&t[1], 10, 60, 0, 1, -1);
	port(&t[1], CLIFD_TGT_TCP_PORT_RANGE, 8000, 8080);
	t[1].scope_type = CLIF_SCOPE_VLAN;
	t[1].scope_value = 100;
	task_init(&t[2], 802);
	v4(&t[2], 10, 60, 0, 1, -1); /* shares t[0]'s key */
	for (i = 0; i < 3; i++)
		CHECK(rulecomp_add_task(rc, &t[i]) == X1_OK);
	s1 = stats();
	n0 = card_handles(before);
	CHECK(n0 == 4 && rulecomp_rule_count(rc) == 4);

	clif_on_reset(card, on_reset_flag, NULL);
	resets_seen = 0;
	check_rc(clif_card_reset(card), "card reset");
	CHECK(resets_seen == 1);
	s = stats();
	CHECK(s.exact_used == 0 && s.prefix_used == 0 && s.ternary_used == 0 && s.rule_used == 0);
	CHECK(n_host_rules() == 0);
	CHECK(rulecomp_replay(rc) == 0);
	s = stats();
	CHECK(same_stats(&s, &s1));
	n1 = card_handles(after);
	CHECK(n1 == n0 && !memcmp(before, after, n0 * sizeof(before[0])));
	CHECK(rulecomp_rule_count(rc) == 4 && rulecomp_task_count(rc) == 3);

	/* The daemon's way: replay from the reset callback. */
	clif_on_reset(card, on_reset_replay, rc);
	resets_seen = 0;
	check_rc(clif_card_reset(card), "card reset");
	CHECK(resets_seen == 1 && replay_rc == 0);
	s = stats();
	CHECK(same_stats(&s, &s1));
	n1 = card_handles(after);
	CHECK(n1 == n0 && !memcmp(before, after, n0 * sizeof(before[0])));
	clif_on_reset(card, NULL, NULL);

	/* Sharing still counts after a replay. */
	CHECK(rulecomp_remove_task(rc, t[2].xid) == X1_OK);
	CHECK(n_host_rules() == 4);
	for (i = 0; i < 2; i++)
		CHECK(rulecomp_remove_task(rc, t[i].xid) == X1_OK);
	s = stats();
	CHECK(same_stats(&s, &s0));
}

/* ---- a restarted daemon: reconcile with what the previous run left ---- */

/* Whether the card holds the exact key of t's first (IPv4 host) target: a probe rule with the
 * same key shares the entry (the firmware counts references) instead of taking a new one. */
static int key_on_card(const struct clifd_task *t)
{
	struct clif_cmd_rule r;
	struct clif_table_stats s0 = stats(), s;

	memset(&r, 0, sizeof(r));
	r.handle = 0x7000000u;
	r.kind = CLIF_RULE_EXACT;
	r.addr_type = CLIF_ADDR_IPV4;
	memcpy(r.addr, t->targets[0].addr, 4);
	r.actions = CLIF_ACT_CAPTURE;
	check_rc(clif_rule_add(card, &r), "probe add");
	s = stats();
	check_rc(clif_rule_delete(card, r.handle), "probe delete");
	return s.exact_used == s0.exact_used;
}

static void test_reconcile(void)
{
	static uint32_t hc[MAX_H];
	struct rulecomp_opts o = { .snap_len = 64, .first_handle = 0x2000u, .max_rules = 0 };
	struct rulecomp *old = rulecomp_new(card, &o), *rc;
	struct clifd_task t[4];
	uint32_t h[4], n, i, j, found;

	for (i = 0; i < 4; i++) {
		task_init(&t[i], 900 + i);
		v4(&t[i], 10, 70, 0, (uint8_t)(1 + i), -1);
	}
	for (i = 0; i < 4; i++)
		CHECK(rulecomp_add_task(old, &t[i]) == X1_OK);
	rulecomp_free(old); /* the daemon died: its 4 rules stay on the card */
	CHECK(n_host_rules() == 4);

	/* The new run restores tasks 3 and 1 only (0 and 2 were deactivated meanwhile); its
	 * handles start again at 0x2000, so 0x2000 now means another key than the card's. */
	rc = rulecomp_new(card, &o);
	CHECK(rc != NULL);
	if (!rc)
		return;
	CHECK(rulecomp_add_task(rc, &t[3]) == X1_OK);
	CHECK(rulecomp_add_task(rc, &t[1]) == X1_OK);
	CHECK(rulecomp_reconcile(rc) == 0);
	n = card_handles(hc);
	CHECK(n == 2 && rulecomp_rule_count(rc) == 2);
	for (i = 0, found = 0; i < 2; i++) {
		CHECK(rulecomp_rules_of_task(rc, t[i == 0 ? 3 : 1].xid, h, 4) == 1);
		for (j = 0; j < n; j++)
			found += hc[j] == h[0];
	}
	CHECK(found == 2);
	/* The card now holds exactly the keys of tasks 1 and 3: one exact entry each. */
	{
		struct clif_table_stats s = stats();

		CHECK(s.exact_used == 2 && s.rule_used == 2);
	}
	for (i = 0; i < 4; i++)
		CHECK(key_on_card(&t[i]) == (i == 1 || i == 3));
	for (i = 1; i < 4; i += 2)
		CHECK(rulecomp_remove_task(rc, t[i].xid) == X1_OK);
	CHECK(n_host_rules() == 0);
	rulecomp_free(rc);
}

/* ---- traffic: what the compiled rules capture ---- */

static uint16_t csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static const uint8_t mac_other[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t mac_tgt[6] = { 0x02, 0x00, 0x5e, 0x10, 0x20, 0x07 };

/* An IPv4 UDP or TCP frame (60 bytes). */
static uint32_t ip_frame(uint8_t *f, const uint8_t *src_mac, uint8_t proto, const uint8_t src[4],
			 const uint8_t dst[4], uint16_t sport, uint16_t dport)
{
	uint8_t *ip = f + 14, *l4 = f + 34;
	uint16_t c;

	memset(f, 0, 80);
	memcpy(f, mac_other, 6);
	memcpy(f + 6, src_mac, 6);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[3] = proto == 6 ? 40 : 28;
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	c = csum(ip, 20);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	l4[0] = (uint8_t)(sport >> 8);
	l4[1] = (uint8_t)sport;
	l4[2] = (uint8_t)(dport >> 8);
	l4[3] = (uint8_t)dport;
	if (proto == 6) {
		l4[12] = 0x50;
		l4[13] = 0x10;
	} else {
		l4[5] = 8;
	}
	return 60;
}

/* An ARP request from the target MAC, sender 10.9.0.7. */
static uint32_t arp_frame(uint8_t *f)
{
	static const uint8_t spa[4] = { 10, 9, 0, 7 }, tpa[4] = { 10, 9, 0, 1 };

	memset(f, 0, 80);
	memset(f, 0xff, 6);
	memcpy(f + 6, mac_tgt, 6);
	f[12] = 0x08;
	f[13] = 0x06;
	f[15] = 1;    /* htype */
	f[16] = 0x08; /* ptype */
	f[18] = 6;
	f[19] = 4;
	f[21] = 1;    /* request */
	memcpy(f + 22, mac_tgt, 6);
	memcpy(f + 28, spa, 4);
	memcpy(f + 38, tpa, 4);
	return 60;
}

enum { F_HOST, F_TCP80, F_ARP, F_MACIP, F_OTHER, F_TCP81, N_FRAMES };

static void write_pcap(void)
{
	static const uint8_t a1[4] = { 10, 9, 0, 1 }, a2[4] = { 10, 9, 0, 2 }, a3[4] = { 10, 9, 0, 3 },
			     a4[4] = { 10, 9, 0, 4 }, a7[4] = { 10, 9, 0, 7 }, a8[4] = { 10, 9, 0, 8 },
			     o1[4] = { 10, 8, 0, 1 }, o2[4] = { 10, 8, 0, 2 };
	uint8_t f[80];
	uint32_t n, i;

	cardsim_pcap_open();
	for (i = 0; i < N_FRAMES; i++) {
		switch (i) {
		case F_HOST: n = ip_frame(f, mac_other, 17, a1, a2, 4000, 53); break;
		case F_TCP80: n = ip_frame(f, mac_other, 6, a3, a4, 80, 40000); break;
		case F_ARP: n = arp_frame(f); break;
		case F_MACIP: n = ip_frame(f, mac_tgt, 17, a7, a8, 5000, 5001); break;
		case F_OTHER: n = ip_frame(f, mac_other, 17, o1, o2, 1, 2); break;
		default: n = ip_frame(f, mac_other, 6, a3, a4, 81, 40000); break;
		}
		cardsim_pcap_add(f, n, 1700000000 + (long)i);
	}
	cardsim_pcap_close();
}

/* Which frame of the pcap a captured copy is (by its addresses and ports), or -1. */
static int frame_of(const struct clif_rec_view *v)
{
	const uint8_t *f = v->frame;

	if (v->hdr->cap_len < 38)
		return -1;
	if (f[12] == 0x08 && f[13] == 0x06)
		return F_ARP;
	if (f[26] == 10 && f[27] == 9 && f[29] == 1)
		return F_HOST;
	if (f[26] == 10 && f[27] == 9 && f[29] == 3)
		return f[35] == 80 ? F_TCP80 : F_TCP81;
	if (f[26] == 10 && f[27] == 9 && f[29] == 7)
		return F_MACIP;
	return F_OTHER;
}

static void test_traffic(struct rulecomp *rc)
{
	struct clifd_task host, p80, p81, m;
	struct clif_rec_view v[64];
	struct clif_learn_event ev[16];
	uint32_t h_host, h_80, h_81, h_mac, seen[N_FRAMES] = { 0 }, bad = 0, wrong_task = 0, learned = 0;
	uint32_t ne, i, j;
	uint64_t end;
	uint8_t xids[4][16];

	task_init(&host, 1000);
	v4(&host, 10, 9, 0, 1, -1);
	task_init(&p80, 1001);
	v4(&p80, 10, 9, 0, 3, -1);
	port(&p80, CLIFD_TGT_TCP_PORT, 80, 80);
	task_init(&p81, 1002); /* 10.9.0.3's UDP 81: the TCP frames from port 81 are not it */
	v4(&p81, 10, 9, 0, 3, -1);
	port(&p81, CLIFD_TGT_UDP_PORT, 81, 81);
	task_init(&m, 1003);
	mac(&m, 0x07);
	CHECK(rulecomp_add_task(rc, &host) == X1_OK);
	CHECK(rulecomp_add_task(rc, &p80) == X1_OK);
	CHECK(rulecomp_add_task(rc, &p81) == X1_OK);
	CHECK(rulecomp_add_task(rc, &m) == X1_OK);
	h_host = one_handle(rc, host.xid);
	h_80 = one_handle(rc, p80.xid);
	h_81 = one_handle(rc, p81.xid);
	h_mac = one_handle(rc, m.xid);

	/* Drop what was captured before these rules, then watch for a second. */
	for (;;) {
		int n = clif_c2h_dequeue(card, v, 64);

		if (n <= 0)
			break;
		clif_c2h_release(card, (uint32_t)n);
	}
	nap_us(20000);
	for (;;) {
		int n = clif_c2h_dequeue(card, v, 64);

		if (n <= 0)
			break;
		clif_c2h_release(card, (uint32_t)n);
	}
	end = now_ns() + 1000000000ull;
	while (now_ns() < end) {
		int n = clif_c2h_dequeue(card, v, 64), k;

		if (n < 0)
			die("dequeue: %s", clif_strerror(n));
		for (k = 0; k < n; k++) {
			int fr = frame_of(&v[k]);
			const struct clif_c2h_rec *r = v[k].hdr;

			if (fr < 0 || r->n_match == 0) {
				bad++;
				continue;
			}
			seen[fr]++;
			for (j = 0; j < r->n_match; j++) {
				uint32_t want = fr == F_HOST ? h_host : fr == F_TCP80 ? h_80 : h_mac;

				if (r->handle[j] != want ||
				    rulecomp_tasks_of_handle(rc, r->handle[j], xids, 4) != 1)
					wrong_task++;
			}
		}
		if (n > 0)
			clif_c2h_release(card, (uint32_t)n);
		else
			nap_us(2000);
	}
	CHECK(bad == 0 && wrong_task == 0);
	CHECK(seen[F_HOST] > 0 && seen[F_TCP80] > 0 && seen[F_ARP] > 0 && seen[F_MACIP] > 0);
	CHECK(seen[F_OTHER] == 0 && seen[F_TCP81] == 0);
	(void)h_81;

	/* The MAC rule punted the ARP: the card learned 10.9.0.7 for it. */
	for (i = 0; i < 20 && !learned; i++) {
		ne = 0;
		check_rc(clif_learn_drain(card, ev, 16, &ne), "learn drain");
		for (j = 0; j < ne; j++)
			if (ev[j].kind == CLIF_LEARN_BIND && ev[j].handle == h_mac && ev[j].addr_type == CLIF_ADDR_IPV4 &&
			    ev[j].addr[0] == 10 && ev[j].addr[3] == 7 && !memcmp(ev[j].mac, mac_tgt, 6))
				learned++;
		if (!learned)
			nap_us(50000);
	}
	CHECK(learned >= 1);
	CHECK(rulecomp_tasks_of_handle(rc, h_mac, xids, 4) == 1 && !memcmp(xids[0], m.xid, 16));

	CHECK(rulecomp_remove_task(rc, host.xid) == X1_OK);
	CHECK(rulecomp_remove_task(rc, p80.xid) == X1_OK);
	CHECK(rulecomp_remove_task(rc, p81.xid) == X1_OK);
	CHECK(rulecomp_remove_task(rc, m.xid) == X1_OK);
	CHECK(n_host_rules() == 0);
	{
		struct clif_table_stats s = stats();

		/* The MAC rule's learned address went with it. */
		CHECK(s.rule_used == 0 && s.exact_used == 0);
	}
}

/* ---- a card that stops answering: all or nothing, orphans retried ---- */

static volatile uint8_t *shm;

static void set_fault(uint32_t bits)
{
	__atomic_store_n((uint32_t *)(uintptr_t)(shm + offsetof(struct clif_sim_hdr, fault)), bits, __ATOMIC_RELEASE);
}

static uint64_t uptime(void)
{
	return __atomic_load_n((uint64_t *)(uintptr_t)(shm + CLIF_SIM_HDR_BYTES + CLIF_BAR0_OFF_IDENT +
						 offsetof(struct clif_ident, uptime_ns)),
			       __ATOMIC_ACQUIRE);
}

/* Mutes the mailbox and waits until the firmware has stopped (its uptime stands still). */
static void mute(void)
{
	uint64_t end = now_ns() + 5000000000ull, up;

	set_fault(CLIF_SIM_FAULT_MBOX_MUTE);
	for (;;) {
		up = uptime();
		nap_us(20000);
		if (uptime() == up)
			return;
		if (now_ns() > end)
			die("the firmware still runs 5 s after mbox-mute");
	}
}

static void test_card_error(void)
{
	struct clif_open_opts co = { 0, 50, 1 }; /* 50 ms per wait, one re-send */
	struct rulecomp_opts o = { .snap_len = 0, .first_handle = 0x200000u, .max_rules = 0 };
	struct clif_card *fc;
	struct rulecomp *rc;
	struct clifd_task a, b, c;
	uint32_t h[4];
	int fd = open(cardsim_shm_path, O_RDWR);
	void *m;

	if (fd < 0)
		die("open %s", cardsim_shm_path);
	m = mmap(NULL, CLIF_SIM_HDR_BYTES + CLIF_BAR0_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		die("mmap %s", cardsim_shm_path);
	shm = m;
	check_rc(clif_open_control(card_name, &co, &fc), "open control");
	rc = rulecomp_new(fc, &o);
	if (!rc)
		die("rulecomp_new");
	task_init(&a, 1200);
	v4(&a, 10, 12, 0, 1, -1);
	task_init(&b, 1201);
	v4(&b, 10, 12, 0, 1, -1); /* shared with a */
	v4(&b, 10, 12, 0, 2, -1);
	task_init(&c, 1202);
	v4(&c, 10, 12, 0, 3, -1);
	CHECK(rulecomp_add_task(rc, &a) == X1_OK);
	CHECK(rulecomp_rules_of_task(rc, a.xid, h, 4) == 1);

	mute();
	CHECK(rulecomp_add_task(rc, &b) == X1_E_ACTIVATE);
	CHECK(reason_is_fixed(rc, RULECOMP_WHY_CARD));
	CHECK(!rulecomp_has_task(rc, b.xid));
	/* The timed-out add may have run: its key is an orphan, serving nobody. */
	CHECK(rulecomp_rule_count(rc) == 1 && rulecomp_orphan_count(rc) == 1);
	CHECK(rulecomp_tasks_of_handle(rc, h[0], NULL, 0) == 1);
	CHECK(rulecomp_remove_task(rc, a.xid) == X1_E_DEACTIVATE);
	CHECK(!rulecomp_has_task(rc, a.xid));
	CHECK(rulecomp_rule_count(rc) == 0 && rulecomp_orphan_count(rc) == 2);
	CHECK(rulecomp_tasks_of_handle(rc, h[0], NULL, 0) == 0);
	set_fault(0);

	/* The next change sweeps the orphans off the card. */
	CHECK(rulecomp_add_task(rc, &c) == X1_OK);
	CHECK(rulecomp_orphan_count(rc) == 0 && rulecomp_rule_count(rc) == 1);
	CHECK(n_host_rules() == 1);
	CHECK(rulecomp_rules_of_task(rc, c.xid, h, 4) == 1 && card_has(h[0]));
	CHECK(rulecomp_remove_task(rc, c.xid) == X1_OK);
	CHECK(n_host_rules() == 0);
	rulecomp_free(rc);
	clif_close(fc);
	munmap(m, CLIF_SIM_HDR_BYTES + CLIF_BAR0_SIZE);
	shm = NULL;
}

/* ---- without a card ---- */

static void test_no_card(void)
{
	struct rulecomp *rc = rulecomp_new(NULL, NULL);
	struct rulecomp_opts o = { .snap_len = 9729, .first_handle = 0, .max_rules = 0 };
	struct clifd_task t;

	CHECK(rulecomp_new(NULL, &o) == NULL);
	o.snap_len = 0;
	o.first_handle = RULECOMP_HANDLE_LIMIT;
	CHECK(rulecomp_new(NULL, &o) == NULL);
	CHECK(rc != NULL);
	if (!rc)
		return;
	task_init(&t, 1100);
	v4(&t, 10, 11, 0, 1, -1);
	CHECK(rulecomp_add_task(rc, &t) == X1_OK);
	CHECK(rulecomp_rule_count(rc) == 1 && one_handle(rc, t.xid) == RULECOMP_FIRST_HANDLE);
	CHECK(rulecomp_replay(rc) == CLIF_E_NODEV);
	CHECK(rulecomp_remove_task(rc, t.xid) == X1_OK && rulecomp_rule_count(rc) == 0);
	rulecomp_free(rc);
	rulecomp_free(NULL);
}

/* ---- main ---- */

static int try_open(void *ctx)
{
	struct clif_card **c = ctx;
	int rc = clif_open(card_name, NULL, c);

	if (rc == CLIF_E_NODEV)
		return 0;
	check_rc(rc, "open");
	return 1;
}

int main(int argc, char **argv)
{
	const char *args[] = { "--pcap", cardsim_pcap_path, "--loop-forever", "--rate", "2000", "--wait-ring", NULL };
	struct rulecomp_opts o = { .snap_len = 128, .first_handle = 0, .max_rules = 0 };
	struct rulecomp *rc;
	uint32_t inst = 50000u + (uint32_t)getpid() % 5000u;

	cardsim_prog = "clifd-rulecomp";
	if (argc != 2)
		die("usage: clif-test-clifd-rulecomp BIN_DIR");
	setvbuf(stdout, NULL, _IOLBF, 0);
	cardsim_watchdog(120);
	cardsim_make_tmpdir("/tmp/clifd-rulecomp.XXXXXX");
	write_pcap();
	snprintf(card_name, sizeof(card_name), "sim:%u", inst);
	cardsim_start(argv[1], inst, args);
	cardsim_wait_up(try_open, &card, 10000, 10000);

	test_no_card();
	rc = rulecomp_new(card, &o);
	if (!rc)
		die("rulecomp_new");
	test_refusals(rc);
	test_kinds(rc);
	test_sharing(rc);
	test_modify(rc);
	test_capacity_card(rc);
	test_capacity_limit();
	test_replay(rc);
	test_reconcile();
	test_card_error();
	test_traffic(rc);
	CHECK(rulecomp_task_count(rc) == 0 && rulecomp_rule_count(rc) == 0 && rulecomp_orphan_count(rc) == 0);
	rulecomp_free(rc);
	clif_close(card);
	cardsim_cleanup();
	return check_done();
}
