/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * clif-libclif-e2e: libclif and clifctl against the real clif-cardsim.
 *
 *   clif-libclif-e2e BIN_DIR [FRAMES]
 *
 * Writes a pcap of FRAMES (default 600) random frames from the testbench's generator (overlays,
 * VLANs, damaged headers), starts BIN_DIR/clif-cardsim on it (--loop-forever --wait-ring: no
 * frame before the host arms its ring), adds exact (IPv4, IPv6, MAC, VLAN- and VNI-scoped) and
 * prefix rules through a control handle, then opens a data handle (which arms the ring: the
 * traffic starts). Every record of two passes over the file must be exactly what the golden
 * model (hls/golden) says for the frames in file order: header fields (all but the timestamp),
 * sequence numbers without gaps, frame bytes. Then the rules are deleted: while the card
 * plays the file twice more nothing more is captured, and what was already in the ring comes
 * out whole. clifctl then shows the card (info, stats, counters, rules) and adds and deletes a
 * rule. Prints "libclif-e2e: ..." summary lines; exit 0 when everything held.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "golden/golden.h"
#include "libclif.h"
#include "tb/pktgen.h"

#include "cardsim_proc.h"

#define MAX_FRAMES 4096u
#define N_RULES 6u
#define RATE_PPS "20000"

struct frame {
	uint8_t b[CLIF_DP_MAX_FRAME];
	uint16_t len;
	int capture;
	struct clif_c2h_rec rec; /* the golden model's record (seq, ts_ns zero) */
};

static struct frame frames[MAX_FRAMES];
static uint32_t n_frames;
static uint32_t expect[MAX_FRAMES]; /* frame index of the k-th record of a pass */
static uint32_t per_pass;
static uint32_t hits[N_RULES]; /* records per pass naming each rule */
static struct clif_cmd_rule rules[N_RULES];
static char card_name[32];
static char bindir[512];

/* ---- the rules, as the host sends them and as the golden model's tables ---- */

static struct clif_cmd_rule rule(uint32_t handle, uint8_t kind, uint8_t addr_type, const uint8_t *addr,
				 uint8_t plen, uint16_t snap, uint8_t scope, uint32_t scope_value)
{
	struct clif_cmd_rule r;
	uint32_t n = addr_type == CLIF_ADDR_IPV4 ? 4u : addr_type == CLIF_ADDR_MAC ? 6u : 16u, i;

	memset(&r, 0, sizeof(r));
	r.handle = handle;
	r.kind = kind;
	r.addr_type = addr_type;
	r.scope_type = scope;
	r.scope_value = scope_value;
	memcpy(r.addr, addr, n);
	if (kind == CLIF_RULE_PREFIX) {
		r.prefix_len = plen;
		for (i = plen; i < n * 8u; i++) /* the card wants the bits past the prefix clear */
			r.addr[i / 8u] &= (uint8_t)~(0x80u >> (i % 8u));
	}
	r.actions = CLIF_ACT_CAPTURE;
	r.snap_len = snap;
	return r;
}

static void make_rules(const struct pkt_pool *pool)
{
	rules[0] = rule(0x101, CLIF_RULE_EXACT, CLIF_ADDR_IPV4, pool->v4[0], 0, 0, CLIF_SCOPE_ANY, 0);
	rules[1] = rule(0x102, CLIF_RULE_EXACT, CLIF_ADDR_IPV4, pool->v4[1], 0, 0, CLIF_SCOPE_VLAN, pool->vid[0]);
	rules[2] = rule(0x103, CLIF_RULE_EXACT, CLIF_ADDR_IPV6, pool->v6[0], 0, 96, CLIF_SCOPE_ANY, 0);
	rules[3] = rule(0x104, CLIF_RULE_EXACT, CLIF_ADDR_MAC, pool->mac[0], 0, 64, CLIF_SCOPE_ANY, 0);
	rules[4] = rule(0x105, CLIF_RULE_PREFIX, CLIF_ADDR_IPV4, pool->v4[2], 16, 200, CLIF_SCOPE_ANY, 0);
	rules[5] = rule(0x106, CLIF_RULE_EXACT, CLIF_ADDR_IPV4, pool->v4[3], 0, 0, CLIF_SCOPE_VNI, pool->vni[0]);
}

static void golden_all(void)
{
	static struct clif_exact_entry ex[N_RULES];
	static struct clif_prefix_entry px[N_RULES];
	static struct clif_rule_entry re[N_RULES];
	struct golden_tables t;
	uint32_t i, ne = 0, np = 0;

	memset(ex, 0, sizeof(ex));
	memset(px, 0, sizeof(px));
	memset(re, 0, sizeof(re));
	for (i = 0; i < N_RULES; i++) {
		const struct clif_cmd_rule *r = &rules[i];

		re[i].handle = r->handle;
		re[i].actions = r->actions;
		re[i].snap_len = r->snap_len;
		re[i].flags = CLIF_ENTRY_VALID;
		if (r->kind == CLIF_RULE_EXACT) {
			ex[ne].key.addr_type = r->addr_type;
			ex[ne].key.scope_type = r->scope_type;
			ex[ne].key.scope_value = r->scope_value;
			memcpy(ex[ne].key.addr, r->addr, CLIF_ADDR_BYTES);
			ex[ne].rule_slot = i;
			ex[ne].flags = CLIF_ENTRY_VALID;
			ne++;
		} else {
			px[np].addr_type = r->addr_type;
			px[np].scope_type = r->scope_type;
			px[np].scope_value = r->scope_value;
			px[np].prefix_len = r->prefix_len;
			memcpy(px[np].addr, r->addr, CLIF_ADDR_BYTES);
			px[np].rule_slot = i;
			px[np].flags = CLIF_ENTRY_VALID;
			np++;
		}
	}
	t.exact = ex;
	t.n_exact = ne;
	t.prefix = px;
	t.n_prefix = np; /* one prefix rule: its place in the card's table cannot change hit order */
	t.ternary = NULL;
	t.n_ternary = 0;
	t.rules = re;
	t.n_rules = N_RULES;
	per_pass = 0;
	for (i = 0; i < n_frames; i++) {
		struct golden_result g;

		golden_frame(&t, frames[i].b, frames[i].len, 0, 0, &g); /* pcap frames: vport 0 */
		frames[i].capture = g.capture;
		frames[i].rec = g.cap_rec;
		if (g.capture) {
			uint32_t j, r;

			expect[per_pass++] = i;
			for (j = 0; j < g.cap_rec.n_match; j++)
				for (r = 0; r < N_RULES; r++)
					hits[r] += g.cap_rec.handle[j] == rules[r].handle;
		}
	}
	for (i = 0; i < N_RULES; i++)
		if (!hits[i])
			die("rule %#x captures nothing in the file: choose frames that exercise it", rules[i].handle);
}

/* ---- the pcap ---- */

/* Payload bytes that differ from frame to frame. */
static void payload(struct pkt_buf *b, uint32_t n, uint32_t salt)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		pkt_u8(b, (uint8_t)(i * 13u + salt));
}

/*
 * Frame i of the crafted share: one kind per rule (in turn), from or to the rule's address in
 * its scope, with lengths that vary. Valid headers; the random share brings the damaged ones.
 */
static void craft(struct pkt_buf *b, uint32_t i, struct pkt_rng *rng, const struct pkt_pool *pool)
{
	static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0x0e, 0x01 }, mac_b[6] = { 0x02, 0, 0, 0, 0x0e, 0x02 };
	uint16_t p = (uint16_t)pkt_rng_below(rng, 1400);
	const uint8_t *peer4 = pool->v4[10 + pkt_rng_below(rng, 40)];

	pkt_reset(b);
	switch (i % N_RULES) {
	case 0: /* 0x101: IPv4 host, either side */
		pkt_eth(b, mac_a, mac_b, 0x0800);
		if (i & 1)
			pkt_ipv4(b, pool->v4[0], peer4, 6, (uint16_t)(20u + p), 0, 0);
		else
			pkt_ipv4(b, peer4, pool->v4[0], 6, (uint16_t)(20u + p), 0, 0);
		pkt_tcp(b, 40000, 443, 5);
		break;
	case 1: /* 0x102: IPv4 host in a VLAN (and, every other time, outside it: no copy) */
		pkt_eth(b, mac_a, mac_b, 0x8100);
		pkt_vlan(b, (i & 2) ? pool->vid[0] : (uint16_t)(pool->vid[0] ^ 1u), 0x0800);
		pkt_ipv4(b, pool->v4[1], peer4, 17, (uint16_t)(8u + p), 0, 0);
		pkt_udp(b, 5060, 5060, p);
		break;
	case 2: /* 0x103: IPv6 host, 96-byte snap */
		pkt_eth(b, mac_a, mac_b, 0x86dd);
		pkt_ipv6(b, pool->v6[5], pool->v6[0], 6, (uint16_t)(20u + p));
		pkt_tcp(b, 1234, 80, 5);
		break;
	case 3: /* 0x104: MAC, 64-byte snap */
		pkt_eth(b, pool->mac[0], mac_b, 0x0800);
		pkt_ipv4(b, peer4, pool->v4[11], 17, (uint16_t)(8u + p), 0, 0);
		pkt_udp(b, 53, 53, p);
		break;
	case 4: /* 0x105: inside the /16 */
		pkt_eth(b, mac_a, mac_b, 0x0800);
		pkt_ipv4(b, peer4, pool->v4[2], 6, (uint16_t)(20u + p), 0, 0);
		pkt_tcp(b, 22, 50000, 5);
		break;
	default: /* 0x106: the inner host of a VXLAN in its VNI */
		pkt_eth(b, mac_a, mac_b, 0x0800);
		pkt_ipv4(b, pool->v4[12], pool->v4[13], 17, (uint16_t)(8u + 8u + 14u + 20u + 20u + p), 0, 0);
		pkt_udp(b, 49152, 4789, (uint16_t)(8u + 14u + 20u + 20u + p));
		pkt_vxlan(b, (i & 2) ? pool->vni[0] : pool->vni[1]);
		pkt_eth(b, mac_b, mac_a, 0x0800);
		pkt_ipv4(b, pool->v4[3], peer4, 6, (uint16_t)(20u + p), 0, 0);
		pkt_tcp(b, 8080, 40001, 5);
		break;
	}
	payload(b, p, i);
}

static void write_pcap(uint32_t n)
{
	struct pkt_rng rng;
	struct pkt_pool pool;
	uint32_t i;

	pkt_rng_seed(&rng, 20240611);
	pkt_pool_init(&pool, &rng);
	make_rules(&pool);
	cardsim_pcap_open();
	for (i = 0; i < n; i++) {
		uint16_t vport;

		if (i % 3 == 0) { /* a third crafted for the rules, the rest random */
			static struct pkt_buf b;

			craft(&b, i / 3, &rng, &pool);
			memcpy(frames[i].b, b.b, b.len);
			frames[i].len = b.len;
		} else {
			frames[i].len = pkt_random(&rng, &pool, frames[i].b, &vport);
		}
		cardsim_pcap_add(frames[i].b, frames[i].len, 1700000000 + (long)i);
	}
	cardsim_pcap_close();
	n_frames = n;
}

/* ---- the card ---- */

static void start_card(uint32_t inst)
{
	const char *args[] = { "--pcap", cardsim_pcap_path, "--loop-forever", "--rate", RATE_PPS, "--wait-ring", NULL };

	cardsim_start(bindir, inst, args);
}

static int try_open_control(void *ctx)
{
	struct clif_card **c = ctx;
	int rc = clif_open_control(card_name, NULL, c);

	if (rc == CLIF_E_NODEV)
		return 0;
	check_rc(rc, "open (control)");
	return 1;
}

/* A control handle once the card is up (it may take a moment to create its shared memory). */
static struct clif_card *open_control(void)
{
	struct clif_card *c = NULL;

	cardsim_wait_up(try_open_control, &c, 10000, 10000);
	return c;
}

/* ---- checking records ---- */

struct consumer {
	struct clif_card *c;
	uint64_t records;  /* records checked */
	uint64_t loose;    /* of them, captured while the rules were being deleted */
	uint32_t next_seq;
	int deleting;      /* rules are going: a record may name fewer of them than the model says */
};

/* A record captured while the rules were being deleted: some frame of the file, whole or cut at
 * a snap length, naming only our rules. */
static void check_loose(struct consumer *k, const struct clif_rec_view *v)
{
	const struct clif_c2h_rec *h = v->hdr;
	uint32_t i, j, r;

	if (h->n_match < 1 || h->n_match > CLIF_REC_MAX_MATCH || h->cap_len > h->orig_len)
		die("record %llu: n_match %u, cap %u of %u", (unsigned long long)k->records, h->n_match, h->cap_len,
		    h->orig_len);
	for (j = 0; j < h->n_match; j++) {
		for (r = 0; r < N_RULES && h->handle[j] != rules[r].handle; r++)
			;
		if (r == N_RULES)
			die("record %llu: handle %#x is none of ours", (unsigned long long)k->records, h->handle[j]);
	}
	for (i = 0; i < n_frames; i++)
		if (frames[i].len == h->orig_len && !memcmp(frames[i].b, v->frame, h->cap_len))
			break;
	if (i == n_frames)
		die("record %llu: its bytes are no frame of the file", (unsigned long long)k->records);
	k->records++;
	k->loose++;
	k->next_seq++;
}

static void check_record(struct consumer *k, const struct clif_rec_view *v)
{
	const struct frame *f = &frames[expect[k->records % per_pass]];
	struct clif_c2h_rec got = *v->hdr, want = f->rec;

	if (got.seq != k->next_seq)
		die("record %llu: seq %u, expected %u", (unsigned long long)k->records, got.seq, k->next_seq);
	if (k->deleting) {
		check_loose(k, v);
		return;
	}
	got.seq = 0;
	got.ts_ns = 0;
	want.ts_ns = 0;
	if (memcmp(&got, &want, sizeof(got)))
		die("record %llu (frame %u): header differs from the golden model (handle %#x/%#x, cap %u/%u, "
		    "flags %#x/%#x)",
		    (unsigned long long)k->records, expect[k->records % per_pass], got.handle[0], want.handle[0],
		    got.cap_len, want.cap_len, got.flags, want.flags);
	if (memcmp(v->frame, f->b, got.cap_len))
		die("record %llu: frame bytes differ", (unsigned long long)k->records);
	k->records++;
	k->next_seq++;
}

/* Consumes and checks records until `until` have been checked, or (until == 0) the ring is empty. */
static void consume(struct consumer *k, uint64_t until, uint64_t timeout_ns)
{
	struct clif_rec_view v[64];
	uint64_t end = now_ns() + timeout_ns;

	for (;;) {
		int n = clif_c2h_dequeue(k->c, v, 64), i;

		if (n < 0)
			check_rc(n, "dequeue");
		for (i = 0; i < n; i++)
			check_record(k, &v[i]);
		clif_c2h_release(k->c, (uint32_t)n);
		if (until ? k->records >= until : n == 0)
			return;
		if (now_ns() > end)
			die("%llu records after %llu ms, expected %llu", (unsigned long long)k->records,
			    (unsigned long long)(timeout_ns / 1000000u), (unsigned long long)until);
		if (!n)
			nap_us(200);
	}
}

/* ---- clifctl ---- */

static int clifctl(const char *args, const char *must_contain)
{
	char cmd[1200], line[512];
	int found = must_contain == NULL, st;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "%s/clifctl -d %s %s 2>&1", bindir, card_name, args);
	p = popen(cmd, "r");
	if (!p)
		die("popen clifctl");
	while (fgets(line, sizeof(line), p))
		if (must_contain && strstr(line, must_contain))
			found = 1;
	st = pclose(p);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		die("clifctl %s: exit status %d", args, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	if (!found)
		die("clifctl %s: no line with \"%s\"", args, must_contain);
	return 0;
}

/* Three processes with their own handles use the one mailbox at once (clifd, clifctl and a
 * monitor do): every command gets its own answer (libclif's mailbox lock). */
#define MBOX_HOSTS 3
#define MBOX_CALLS 10000
static void mailbox_hosts(struct clif_card *ctl)
{
	pid_t kids[MBOX_HOSTS - 1];
	unsigned bad = 0;

	for (int h = 0; h < MBOX_HOSTS - 1; h++) {
		kids[h] = fork();
		if (kids[h] < 0)
			die("fork: %s", strerror(errno));
		if (kids[h] == 0) {
			struct clif_card *own;
			struct clif_table_stats ts;
			struct clif_rule_counter rc[4];
			uint32_t n;
			int fails = 0;
			if (clif_open_control(card_name, NULL, &own) != 0)
				_exit(100);
			for (int i = 0; i < MBOX_CALLS; i++) {
				int r = i & 1 ? clif_table_stats(own, &ts) : clif_rule_counters(own, 0, rc, 4, &n);
				if (r) {
					fprintf(stderr, "libclif-e2e: host %d command %d: %s (card status %d)\n", h + 1, i,
						clif_strerror(r), clif_last_status(own));
					fails++;
				}
			}
			clif_close(own);
			_exit(fails > 99 ? 99 : fails);
		}
	}
	for (int i = 0; i < MBOX_CALLS; i++) {
		struct clif_table_stats ts;
		int r = clif_table_stats(ctl, &ts);
		if (r) {
			fprintf(stderr, "libclif-e2e: host 0 command %d: %s (card status %d)\n", i, clif_strerror(r),
				clif_last_status(ctl));
			bad++;
		}
	}
	for (int h = 0; h < MBOX_HOSTS - 1; h++) {
		int st;
		waitpid(kids[h], &st, 0);
		bad += WIFEXITED(st) ? (unsigned)WEXITSTATUS(st) : 1000u;
	}
	if (bad)
		die("%u mailbox commands failed with %d processes sharing the mailbox", bad, MBOX_HOSTS);
	printf("libclif-e2e: %d processes, %d mailbox commands each, at once: every one answered\n", MBOX_HOSTS,
	       MBOX_CALLS);
}

int main(int argc, char **argv)
{
	struct clif_card *ctl, *data;
	struct consumer k;
	struct clif_dp_counters d0, d1;
	struct clif_c2h_stats cs;
	uint32_t n = 600, inst = 60000u + (uint32_t)getpid() % 5000u, i;
	uint64_t end;

	cardsim_prog = "libclif-e2e";
	if (argc < 2 || argc > 3)
		die("usage: clif-libclif-e2e BIN_DIR [FRAMES]");
	snprintf(bindir, sizeof(bindir), "%s", argv[1]);
	if (argc == 3)
		n = (uint32_t)strtoul(argv[2], NULL, 0);
	if (n < 16 || n > MAX_FRAMES)
		die("FRAMES: 16..%u", MAX_FRAMES);
	cardsim_make_tmpdir("/tmp/clif-e2e.XXXXXX");
	snprintf(card_name, sizeof(card_name), "sim:%u", inst);
	write_pcap(n);
	golden_all();
	if (per_pass < 8)
		die("only %u of %u frames captured by the golden model: the rules miss the pool", per_pass, n);
	printf("libclif-e2e: %u frames, %u captured per pass (golden model); records naming each of the %u rules:",
	       n_frames, per_pass, N_RULES);
	for (i = 0; i < N_RULES; i++)
		printf(" %u", hits[i]);
	printf("\n");

	start_card(inst);
	ctl = open_control();
	for (i = 0; i < N_RULES; i++)
		check_rc(clif_rule_add(ctl, &rules[i]), "rule add");
	check_rc(clif_dp_counters(ctl, &d0), "counters");
	if (d0.frames)
		die("the card played %llu frames before the ring was armed", (unsigned long long)d0.frames);

	/* The data handle arms the ring: the card starts playing the file. Two whole passes. */
	check_rc(clif_open(card_name, NULL, &data), "open");
	memset(&k, 0, sizeof(k));
	k.c = data;
	consume(&k, 2ull * per_pass, 30000000000ull);
	check_rc(clif_poll(data, 0), "poll");
	printf("libclif-e2e: two passes: %llu records exactly as the golden model says, seq without gaps\n",
	       (unsigned long long)k.records);

	/* Deleted: no more copies while the card plays the file twice more. */
	k.deleting = 1;
	for (i = 0; i < N_RULES; i++)
		check_rc(clif_rule_delete(data, rules[i].handle), "rule delete");
	check_rc(clif_dp_counters(data, &d0), "counters");
	end = now_ns() + 30000000000ull;
	do {
		consume(&k, 0, 30000000000ull); /* keep the ring drained meanwhile */
		check_rc(clif_dp_counters(data, &d1), "counters");
		if (now_ns() > end)
			die("the card played %llu frames in 30 s", (unsigned long long)(d1.frames - d0.frames));
		nap_us(1000);
	} while (d1.frames < d0.frames + 2ull * n_frames);
	if (d1.captured != d0.captured || d1.matched != d0.matched)
		die("captured %llu -> %llu, matched %llu -> %llu after every rule was deleted",
		    (unsigned long long)d0.captured, (unsigned long long)d1.captured, (unsigned long long)d0.matched,
		    (unsigned long long)d1.matched);
	consume(&k, 0, 1000000000ull);
	check_rc(clif_c2h_stats(data, &cs), "c2h stats");
	if (cs.records != d1.captured || cs.seq_gaps || cs.card_drops || cs.corrupt || d1.capture_drops)
		die("records %llu of %llu captured, gaps %llu, card drops %llu, corrupt %llu",
		    (unsigned long long)cs.records, (unsigned long long)d1.captured, (unsigned long long)cs.seq_gaps,
		    (unsigned long long)cs.card_drops, (unsigned long long)cs.corrupt);
	printf("libclif-e2e: rules deleted: %llu more frames, none captured; %llu records in all (%llu while "
	       "deleting), none lost\n",
	       (unsigned long long)(d1.frames - d0.frames), (unsigned long long)k.records,
	       (unsigned long long)k.loose);

	/* clifctl beside the running consumer (a control handle: the ring stays armed). */
	clifctl("card info", "status      ready");
	clifctl("card stats", "rules");
	clifctl("card counters", "captured");
	clifctl("rule add 0x777 10.9.0.0/16 snap 128", "rule 0x00000777 added");
	clifctl("card rules", "0x00000777");
	clifctl("card heartbeat", "heartbeat");
	clifctl("rule del 0x777", "rule 0x00000777 deleted");
	clifctl("card rules", "0 rules");
	check_rc(clif_poll(data, 0), "poll after clifctl");
	printf("libclif-e2e: clifctl info, stats, counters, rules, heartbeat, rule add/del on the live card\n");

	mailbox_hosts(ctl);

	clif_close(data);
	clif_close(ctl);
	cardsim_cleanup();
	printf("libclif-e2e: ok\n");
	return 0;
}
