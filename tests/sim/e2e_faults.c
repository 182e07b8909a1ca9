/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * clif-libclif-faults: libclif's fault handling against the real clif-cardsim.
 *
 *   clif-libclif-faults BIN_DIR
 *
 * Each scenario starts its own BIN_DIR/clif-cardsim (instances 65000..65479, one per scenario;
 * other tests use lower numbers), maps the card's shared memory itself to read the ring
 * registers and turn the test knobs (include/clif/simshm.h), and stops the card with SIGTERM
 * at its end (exit status 0, object removed):
 *
 *   overflow  a 4 KiB and an 8 KiB ring, filled while nothing is released: exactly the records
 *             that fit, whole and in order, every other copy dropped and counted (ring drops,
 *             data-plane capture_drops); once released, records continue at seq = records +
 *             drops, pads included; at the end the card's drops equal the seq gaps libclif saw
 *   reset     clif_card_reset() and a function-level reset (clif_sim_hdr.reset_request): the
 *             tables are empty, clif_c2h_dequeue() says CLIF_E_RESET until clif_poll(), the
 *             callback runs once per reset with the new reset_gen and replays the rules, and
 *             records for both rules arrive again from seq 0
 *   abi       an identity block with another ABI major: clif_open() and clif_open_control()
 *             refuse it with CLIF_E_ABI before any mailbox command; restored, clif_open() works
 *   mbox      CLIF_SIM_FAULT_MBOX_MUTE: a rule add with a 100 ms bound and one re-send gives
 *             CLIF_E_TIMEOUT within [200 ms, 1 s); fault cleared, the next call succeeds
 *   heartbeat CLIF_SIM_FAULT_NO_HEARTBEAT: clif_poll(c, 300) gives 0 until 300 ms after the
 *             last tick, then CLIF_E_TIMEOUT (the mailbox still served); cleared, 0 again after
 *             the next tick
 *
 * Bounded throughout: every wait has a limit and the whole run an alarm (120 s). Prints
 * "libclif-faults: ..." lines; exit 0 when everything held.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clif/bar.h"
#include "clif/simshm.h"
#include "libclif.h"
#include "tb/pktgen.h"

#include "cardsim_proc.h"
#include "cardsim_watchdog.h"

#define MAX_FRAMES 64u
#define IDX_OFF 54u     /* the frame's index in the file: 4 bytes after Ethernet, IPv4, TCP */
#define WATCHDOG_S 120u
#define MS 1000000ull

struct frame {
	uint8_t b[CLIF_DP_MAX_FRAME];
	uint16_t len;
	uint32_t handle; /* the rule that captures it */
};

static struct frame frames[MAX_FRAMES];
static uint32_t n_frames;
static struct clif_cmd_rule rule_a, rule_b, rule_x, rule_y, rule_z;

/* The card of the running scenario. */
static char card_name[32];
static uint8_t *shm_base;
static size_t shm_len;
static struct clif_sim_hdr *sim_hdr;
static struct clif_ident *ident;
static struct clif_mbox_block *mbox;
static struct clif_ring_regs *ring;

static char bindir[512];

/* ---- failing, cleaning up ---- */

static void unmap_card(void)
{
	if (shm_base)
		munmap(shm_base, shm_len);
	shm_base = NULL;
	sim_hdr = NULL;
	ident = NULL;
	mbox = NULL;
	ring = NULL;
}

static void expect_rc(int got, int want, const char *what)
{
	if (got != want)
		die("%s: got %s (%d), want %s (%d)", what, clif_strerror(got), got, clif_strerror(want), want);
}

#define EXPECT_EQ(what, got, want)                                                                       \
	do {                                                                                             \
		unsigned long long g_ = (unsigned long long)(got), w_ = (unsigned long long)(want);     \
		if (g_ != w_)                                                                            \
			die("%s: got %llu, want %llu", what, g_, w_);                                    \
	} while (0)

static uint32_t ld32(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static uint64_t ld64(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void set_fault(uint32_t bits)
{
	__atomic_store_n(&sim_hdr->fault, bits, __ATOMIC_RELEASE);
}

/* ---- frames and rules ---- */

static struct clif_cmd_rule v4_rule(uint32_t handle, const uint8_t addr[4])
{
	struct clif_cmd_rule r;

	memset(&r, 0, sizeof(r));
	r.handle = handle;
	r.kind = CLIF_RULE_EXACT;
	r.addr_type = CLIF_ADDR_IPV4;
	r.scope_type = CLIF_SCOPE_ANY;
	memcpy(r.addr, addr, 4);
	r.actions = CLIF_ACT_CAPTURE;
	r.snap_len = 0; /* whole frames */
	return r;
}

static const uint8_t host_a[4] = { 10, 77, 0, 1 }, host_b[4] = { 10, 78, 0, 1 }, peer[4] = { 192, 0, 2, 9 };
static const uint8_t host_x[4] = { 10, 79, 0, 1 }, host_y[4] = { 10, 79, 0, 2 }, host_z[4] = { 10, 79, 0, 3 };

static void make_rules(void)
{
	rule_a = v4_rule(0xa1, host_a);
	rule_b = v4_rule(0xb2, host_b);
	rule_x = v4_rule(0xc1, host_x);
	rule_y = v4_rule(0xc2, host_y);
	rule_z = v4_rule(0xc3, host_z);
}

/*
 * n frames, TCP from peer to host A (or, with alternate, A and B in turn), len bytes each
 * (len 0: lengths that vary from 60 to about 1000), the frame's index at IDX_OFF.
 */
static void make_frames(uint32_t n, uint16_t len, int alternate)
{
	static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0x0f, 0x01 }, mac_b[6] = { 0x02, 0, 0, 0, 0x0f, 0x02 };
	static struct pkt_buf b;
	uint32_t i, j;

	if (n > MAX_FRAMES)
		die("make_frames: %u frames", n);
	for (i = 0; i < n; i++) {
		uint16_t total = len ? len : (uint16_t)(60u + (i * 97u) % 940u);
		uint16_t pay = (uint16_t)(total - 54u);
		int b_side = alternate && (i & 1u);

		pkt_reset(&b);
		pkt_eth(&b, mac_b, mac_a, 0x0800);
		pkt_ipv4(&b, peer, b_side ? host_b : host_a, 6, (uint16_t)(20u + pay), 0, 0);
		pkt_tcp(&b, 40000, 443, 5);
		pkt_be32(&b, i);
		for (j = 4; j < pay; j++)
			pkt_u8(&b, (uint8_t)(j * 7u + i));
		if (b.len != total || b.len < IDX_OFF + 4u)
			die("frame %u: %u bytes, want %u", i, b.len, total);
		memcpy(frames[i].b, b.b, b.len);
		frames[i].len = b.len;
		frames[i].handle = b_side ? rule_b.handle : rule_a.handle;
	}
	n_frames = n;
}

static void write_pcap(void)
{
	uint32_t i;

	cardsim_pcap_open();
	for (i = 0; i < n_frames; i++)
		cardsim_pcap_add(frames[i].b, frames[i].len, 1700000000 + (long)i);
	cardsim_pcap_close();
}

/* ---- the card ---- */

/* Maps the card's object once its magic is up and it is this card process's. 1: mapped. */
static int try_map(void *unused)
{
	char name[48];
	struct stat st;
	const size_t len = CLIF_SIM_HDR_BYTES + CLIF_BAR0_SIZE;
	const struct clif_sim_hdr *h;
	uint8_t *base;
	int fd;

	(void)unused;
	snprintf(name, sizeof(name), "%s%u", CLIF_SIM_SHM_PREFIX, cardsim_inst);
	fd = shm_open(name, O_RDWR, 0);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) < 0 || (uint64_t)st.st_size < len) {
		close(fd);
		return 0;
	}
	base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (base == MAP_FAILED)
		return 0;
	h = (const struct clif_sim_hdr *)(const void *)base;
	if (ld32(&h->magic) != CLIF_SIM_MAGIC || h->cardsim_pid != (uint32_t)cardsim_pid ||
	    h->bar0_off != CLIF_SIM_HDR_BYTES) {
		munmap(base, len);
		return 0;
	}
	shm_base = base;
	shm_len = len;
	sim_hdr = (struct clif_sim_hdr *)(void *)base;
	ident = (struct clif_ident *)(void *)(base + CLIF_SIM_HDR_BYTES + CLIF_BAR0_OFF_IDENT);
	mbox = (struct clif_mbox_block *)(void *)(base + CLIF_SIM_HDR_BYTES + CLIF_BAR0_OFF_MBOX);
	ring = &((struct clif_c2h_block *)(void *)(base + CLIF_SIM_HDR_BYTES + CLIF_BAR0_OFF_C2H))->ring[0];
	return 1;
}

/* Starts clif-cardsim on instance inst with args (NULL-terminated) and waits until it is up. */
static void start_card(uint32_t inst, const char *const *args)
{
	snprintf(card_name, sizeof(card_name), "sim:%u", inst);
	cardsim_start(bindir, inst, args);
	cardsim_wait_up(try_map, NULL, 10000, 2000);
}

/* SIGTERM: the card exits 0 within 10 s and removes its object. */
static void stop_card(void)
{
	uint64_t end = now_ns() + 10000 * MS;
	int st = 0;
	pid_t pid = cardsim_pid;

	unmap_card();
	kill(pid, SIGTERM);
	while (waitpid(pid, &st, WNOHANG) != pid) {
		if (now_ns() > end)
			die("clif-cardsim (instance %u) still running 10 s after SIGTERM", cardsim_inst);
		nap_us(2000);
	}
	cardsim_pid = 0;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		die("clif-cardsim (instance %u) ended with status %#x, want exit 0", cardsim_inst, st);
	if (access(cardsim_shm_path, F_OK) == 0 || errno != ENOENT)
		die("%s left behind", cardsim_shm_path);
}

static void open_card(const struct clif_open_opts *o, struct clif_card **c, int with_ring)
{
	int rc = with_ring ? clif_open(card_name, o, c) : clif_open_control(card_name, o, c);

	check_rc(rc, with_ring ? "clif_open" : "clif_open_control");
}

/* ---- records ---- */

struct track {
	struct clif_card *c;
	uint64_t records;
	uint64_t gaps;      /* copies lost, from the seq numbers */
	uint64_t of_a, of_b;
	uint32_t last_seq, last_idx;
	int have_seq;       /* last_seq holds: the ring was not re-armed since */
	int have_idx;       /* last_idx holds: the rules did not change since (every frame copied) */
	int strict;         /* no gap allowed */
	int64_t want_seq;   /* the next record's exact seq, or -1 */
	uint32_t idx_from;  /* copies from this seq on were made with every rule in place */
};

/* A record must be exactly the frame of the file it carries (its index at IDX_OFF). */
static uint32_t check_record(const struct track *t, const struct clif_rec_view *v)
{
	const struct clif_c2h_rec *h = v->hdr;
	const struct frame *f;
	uint32_t idx;

	if (v->frame != (const uint8_t *)h + CLIF_REC_HDR_BYTES)
		die("record %llu: frame not after its header", (unsigned long long)t->records);
	if (h->cap_len < IDX_OFF + 4u)
		die("record %llu (seq %u): cap_len %u", (unsigned long long)t->records, h->seq, h->cap_len);
	idx = (uint32_t)v->frame[IDX_OFF] << 24 | (uint32_t)v->frame[IDX_OFF + 1] << 16 |
	      (uint32_t)v->frame[IDX_OFF + 2] << 8 | v->frame[IDX_OFF + 3];
	if (idx >= n_frames)
		die("record %llu (seq %u): frame index %u", (unsigned long long)t->records, h->seq, idx);
	f = &frames[idx];
	if (h->rec_len != (CLIF_REC_HDR_BYTES + f->len + CLIF_REC_ALIGN - 1u) / CLIF_REC_ALIGN * CLIF_REC_ALIGN ||
	    h->flags != 0 || h->n_match != 1 || h->handle[0] != f->handle || h->side[0] != CLIF_SIDE_OUTER_DST ||
	    h->orig_len != f->len || h->cap_len != f->len || h->vport != 0 || h->outer_l3 != CLIF_L3_IPV4 ||
	    h->outer_l3_off != 14 || h->inner_l3_off != 0 || h->parse_err != 0)
		die("record %llu (seq %u, frame %u): rec_len %u flags %#x n_match %u handle %#x side %#x orig %u "
		    "cap %u vport %u l3 %u@%u parse_err %#x; want frame of %u bytes for rule %#x",
		    (unsigned long long)t->records, h->seq, idx, h->rec_len, h->flags, h->n_match, h->handle[0],
		    h->side[0], h->orig_len, h->cap_len, h->vport, h->outer_l3, h->outer_l3_off, h->parse_err, f->len,
		    f->handle);
	if (memcmp(v->frame, f->b, f->len))
		die("record %llu (seq %u, frame %u): frame bytes differ", (unsigned long long)t->records, h->seq, idx);
	return idx;
}

static void take(struct track *t, const struct clif_rec_view *v)
{
	uint32_t idx = check_record(t, v), seq = v->hdr->seq;

	if (t->want_seq >= 0 && seq != (uint32_t)t->want_seq)
		die("record %llu: seq %u, want %lld", (unsigned long long)t->records, seq, (long long)t->want_seq);
	t->want_seq = -1;
	if (t->have_seq) {
		uint32_t gap = seq - t->last_seq - 1u;

		if (gap >= 0x80000000u)
			die("record %llu: seq %u after %u", (unsigned long long)t->records, seq, t->last_seq);
		if (gap && t->strict)
			die("record %llu: seq %u after %u: %u copies lost", (unsigned long long)t->records, seq,
			    t->last_seq, gap);
		t->gaps += gap;
		/* every frame of the loop made a copy: the seq step is the step in the file */
		if (t->have_idx && t->last_seq - t->idx_from < 0x80000000u &&
		    idx != (t->last_idx + (seq - t->last_seq)) % n_frames)
			die("record %llu: seq %u carries frame %u; after seq %u with frame %u, want frame %u",
			    (unsigned long long)t->records, seq, idx, t->last_seq, t->last_idx,
			    (t->last_idx + (seq - t->last_seq)) % n_frames);
	}
	t->last_seq = seq;
	t->last_idx = idx;
	t->have_seq = 1;
	t->have_idx = 1;
	t->records++;
	if (v->hdr->handle[0] == rule_a.handle)
		t->of_a++;
	else
		t->of_b++;
}

/*
 * The rules are all in place again (after a change or a replay): copies the card attempts from
 * now on (seq from the ring's count) cover every frame; before, some frames made none.
 */
static void rules_complete(struct track *t)
{
	t->have_idx = 0;
	t->idx_from = ld32(&ring->seq);
}

/* The ring was re-armed after a reset (and the rules replayed). */
static void ring_rearmed(struct track *t)
{
	t->have_seq = 0;
	t->want_seq = 0; /* the reset zeroed the ring registers: seq starts again */
	rules_complete(t);
}

/* Dequeues, checks and releases until `records` more records, at least `each` of each rule. */
static void consume(struct track *t, uint64_t records, uint64_t each, uint64_t timeout_ms)
{
	struct clif_rec_view v[64];
	uint64_t end = now_ns() + timeout_ms * MS, want = t->records + records;
	uint64_t a0 = t->of_a, b0 = t->of_b;

	while (t->records < want || t->of_a - a0 < each || t->of_b - b0 < each) {
		int n = clif_c2h_dequeue(t->c, v, 64), i;

		if (n < 0)
			die("dequeue: %s (%d) after %llu records", clif_strerror(n), n, (unsigned long long)t->records);
		for (i = 0; i < n; i++)
			take(t, &v[i]);
		clif_c2h_release(t->c, (uint32_t)n);
		if (now_ns() > end)
			die("%llu records (%llu of rule A, %llu of rule B) in %llu ms, want %llu (%llu of each)",
			    (unsigned long long)(t->records - (want - records)), (unsigned long long)(t->of_a - a0),
			    (unsigned long long)(t->of_b - b0), (unsigned long long)timeout_ms,
			    (unsigned long long)records, (unsigned long long)each);
		if (!n)
			nap_us(100);
	}
}

/* Everything left in the ring (no rule captures any more: one empty dequeue is the end). */
static void drain(struct track *t)
{
	struct clif_rec_view v[64];
	int n, i;

	do {
		n = clif_c2h_dequeue(t->c, v, 64);
		if (n < 0)
			die("dequeue (drain): %s (%d)", clif_strerror(n), n);
		for (i = 0; i < n; i++)
			take(t, &v[i]);
		clif_c2h_release(t->c, (uint32_t)n);
	} while (n);
}

/* ---- scenario: ring overflow ---- */

#define OVF_FRAMES 40u
#define OVF_LEN 200u  /* 64 + 200 bytes: 320-byte records */
#define OVF_REC 320u

static void scenario_overflow(uint32_t inst, uint32_t ring_size)
{
	const char *args[] = { "--pcap", cardsim_pcap_path, "--loop-forever", "--rate", "2000", "--wait-ring", NULL };
	struct clif_open_opts o = { ring_size, 0, 0 };
	struct clif_card *ctl, *data;
	struct clif_rec_view v[64];
	struct clif_c2h_stats cs;
	struct clif_dp_counters dc;
	struct track t;
	const uint32_t fit = ring_size / OVF_REC;
	uint64_t drops1, end, phase2;
	uint32_t seq1, i, settle;
	int n;

	make_frames(OVF_FRAMES, OVF_LEN, 0);
	write_pcap();
	start_card(inst, args);
	open_card(NULL, &ctl, 0);
	check_rc(clif_rule_add(ctl, &rule_a), "rule add");
	open_card(&o, &data, 1); /* arms the ring: the card starts playing the file */
	memset(&t, 0, sizeof(t));
	t.c = data;
	t.want_seq = -1;

	/* Nothing released: the ring fills, then every copy is dropped. */
	end = now_ns() + 10000 * MS;
	do {
		check_rc(clif_c2h_stats(data, &cs), "c2h stats");
		if (now_ns() > end)
			die("ring %u: %llu drops after 10 s", ring_size, (unsigned long long)cs.card_drops);
		nap_us(1000);
	} while (cs.card_drops < 2u * OVF_FRAMES);
	check_rc(clif_rule_delete(ctl, rule_a.handle), "rule delete"); /* copies stop: the counts hold */
	drops1 = ld64(&ring->drops);
	seq1 = ld32(&ring->seq);
	EXPECT_EQ("records the card wrote into the full ring", ld64(&ring->records), fit);
	EXPECT_EQ("ring prod", ld32(&ring->prod), fit * OVF_REC);
	EXPECT_EQ("ring cons before any release", ld32(&ring->cons), 0);
	EXPECT_EQ("ring seq (every copy attempted)", seq1, fit + drops1);
	check_rc(clif_dp_counters(data, &dc), "dp counters");
	EXPECT_EQ("data-plane capture_drops", dc.capture_drops, drops1);

	n = clif_c2h_dequeue(data, v, 64);
	EXPECT_EQ("records dequeued from the full ring", n, fit);
	for (i = 0; i < fit; i++) {
		EXPECT_EQ("seq in the full ring", v[i].hdr->seq, i);
		take(&t, &v[i]);
		EXPECT_EQ("frame of the k-th copy", t.last_idx, i % OVF_FRAMES);
	}
	expect_rc(clif_c2h_dequeue(data, v, 64), 0, "dequeue with everything held");
	check_rc(clif_c2h_stats(data, &cs), "c2h stats");
	EXPECT_EQ("records", cs.records, fit);
	EXPECT_EQ("seq gaps before the next record", cs.seq_gaps, 0);
	EXPECT_EQ("card drops", cs.card_drops, drops1);
	EXPECT_EQ("corrupt", cs.corrupt, 0);
	clif_c2h_release(data, (uint32_t)n);
	EXPECT_EQ("ring cons after the release", ld32(&ring->cons), ld32(&ring->prod));

	/* Released: the copies continue where the card's count is, through pads at the ring's end. */
	check_rc(clif_rule_add(ctl, &rule_a), "rule add again");
	rules_complete(&t);
	t.want_seq = seq1;
	consume(&t, 6u * fit, 0, 20000);
	phase2 = t.records - fit;
	/* Quiet the card and drain; a drop after the last record shows only as the gap before a
	 * later one, so until the counts meet: one more record, rule off, drain (bounded). */
	for (settle = 0;; settle++) {
		check_rc(clif_rule_delete(ctl, rule_a.handle), "rule delete");
		drain(&t);
		check_rc(clif_c2h_stats(data, &cs), "c2h stats");
		if (cs.card_drops == cs.seq_gaps)
			break;
		if (settle == 5)
			die("card drops %llu, seq gaps %llu after 5 more records", (unsigned long long)cs.card_drops,
			    (unsigned long long)cs.seq_gaps);
		check_rc(clif_rule_add(ctl, &rule_a), "rule add");
		rules_complete(&t);
		consume(&t, 1, 0, 10000);
	}
	EXPECT_EQ("seq gaps libclif counted vs the test's", cs.seq_gaps, t.gaps);
	EXPECT_EQ("records libclif counted", cs.records, t.records);
	EXPECT_EQ("corrupt", cs.corrupt, 0);
	EXPECT_EQ("records the card wrote", ld64(&ring->records), t.records);
	EXPECT_EQ("card drops", ld64(&ring->drops), cs.card_drops);
	EXPECT_EQ("ring seq = records + drops", ld32(&ring->seq), t.records + cs.card_drops);
	EXPECT_EQ("ring cons at the end", ld32(&ring->cons), ld32(&ring->prod));
	check_rc(clif_dp_counters(data, &dc), "dp counters");
	EXPECT_EQ("data-plane capture_drops", dc.capture_drops, cs.card_drops);
	if (cs.card_drops < drops1)
		die("card drops went back");
	printf("libclif-faults: overflow, %u-byte ring: %u records whole, %llu copies dropped (= seq gap, "
	       "capture_drops); released: next seq %u, %llu records more (%llu lost while consuming), drops %llu = "
	       "seq gaps %llu\n",
	       ring_size, fit, (unsigned long long)drops1, seq1, (unsigned long long)phase2,
	       (unsigned long long)(cs.card_drops - drops1), (unsigned long long)cs.card_drops,
	       (unsigned long long)cs.seq_gaps);
	clif_close(data);
	clif_close(ctl);
	stop_card();
	unlink(cardsim_pcap_path);
}

/* ---- scenario: resets ---- */

struct replay {
	struct clif_card *card;
	uint32_t calls;
	uint32_t gen;
	int rc;
	int other_card;
	int ring_off; /* the ring was not armed when the callback ran */
};

static void replay_rules(struct clif_card *c, uint32_t gen, void *arg)
{
	struct replay *r = arg;
	int rc;

	r->calls++;
	r->gen = gen;
	r->other_card |= c != r->card;
	r->ring_off |= !(ld32(&ring->ctrl) & CLIF_RING_CTRL_ENABLE);
	rc = clif_rule_add(c, &rule_a);
	r->rc = rc ? rc : clif_rule_add(c, &rule_b);
}

static void expect_replayed(const struct replay *r, uint32_t calls, uint32_t gen, const char *how)
{
	char what[96];

	snprintf(what, sizeof(what), "%s: callback runs", how);
	EXPECT_EQ(what, r->calls, calls);
	snprintf(what, sizeof(what), "%s: callback's reset_gen", how);
	EXPECT_EQ(what, r->gen, gen);
	snprintf(what, sizeof(what), "%s: replay", how);
	expect_rc(r->rc, 0, what);
	if (r->other_card || r->ring_off)
		die("%s: the callback had another handle (%d) or an unarmed ring (%d)", how, r->other_card,
		    r->ring_off);
}

static uint32_t rules_on_card(struct clif_card *c)
{
	struct clif_table_stats ts;

	check_rc(clif_table_stats(c, &ts), "table stats");
	return ts.rule_used;
}

static void scenario_reset(uint32_t inst)
{
	const char *args[] = { "--pcap", cardsim_pcap_path, "--loop-forever", "--rate", "3000", "--wait-ring", NULL };
	struct clif_card *c;
	struct clif_ident id;
	struct clif_c2h_stats cs;
	struct clif_rec_view v[4];
	struct replay rp;
	struct track t;
	uint32_t gen0;
	uint64_t end, before;

	make_frames(24, 0, 1);
	write_pcap();
	start_card(inst, args);
	open_card(NULL, &c, 1);
	memset(&rp, 0, sizeof(rp));
	rp.card = c;
	clif_on_reset(c, replay_rules, &rp);
	check_rc(clif_rule_add(c, &rule_a), "rule add A");
	check_rc(clif_rule_add(c, &rule_b), "rule add B");
	memset(&t, 0, sizeof(t));
	t.c = c;
	t.strict = 1;
	t.want_seq = -1;
	rules_complete(&t);
	consume(&t, 30, 10, 10000);
	expect_rc(clif_poll(c, 0), 0, "poll before any reset");
	EXPECT_EQ("callback runs before any reset", rp.calls, 0);
	check_rc(clif_identity(c, &id), "identity");
	gen0 = id.reset_gen;

	/* 1: the host asks (mailbox RESET): the replay runs inside clif_card_reset(). */
	check_rc(clif_card_reset(c), "clif_card_reset");
	expect_replayed(&rp, 1, gen0 + 1u, "clif_card_reset");
	check_rc(clif_identity(c, &id), "identity");
	EXPECT_EQ("reset_gen after clif_card_reset", id.reset_gen, gen0 + 1u);
	EXPECT_EQ("status after clif_card_reset", id.status, CLIF_STATUS_READY);
	EXPECT_EQ("rules on the card after the replay", rules_on_card(c), 2);
	expect_rc(clif_poll(c, 0), 0, "poll after clif_card_reset");
	EXPECT_EQ("callback runs after a poll (same reset)", rp.calls, 1);
	ring_rearmed(&t);
	before = t.records;
	consume(&t, 30, 10, 10000);
	expect_rc(clif_poll(c, 0), 0, "poll");
	EXPECT_EQ("callback runs after more polls", rp.calls, 1);
	printf("libclif-faults: reset by clif_card_reset: generation %u, callback once, 2 rules replayed, %llu "
	       "records of both rules from seq 0\n",
	       gen0 + 1u, (unsigned long long)(t.records - before));

	/* 2: a function-level reset (reset_request): clif_poll() finds it. */
	__atomic_add_fetch(&sim_hdr->reset_request, 1u, __ATOMIC_ACQ_REL);
	end = now_ns() + 5000 * MS;
	do {
		check_rc(clif_identity(c, &id), "identity");
		if (now_ns() > end)
			die("FLR: reset_gen %u, status %u after 5 s", id.reset_gen, id.status);
		nap_us(500);
	} while (id.reset_gen != gen0 + 2u || id.status != CLIF_STATUS_READY);
	EXPECT_EQ("rules on the card after the FLR", rules_on_card(c), 0);
	EXPECT_EQ("ring ctrl after the FLR", ld32(&ring->ctrl), 0);
	expect_rc(clif_c2h_dequeue(c, v, 4), CLIF_E_RESET, "dequeue after the FLR, before clif_poll");
	EXPECT_EQ("callback runs before clif_poll", rp.calls, 1);
	expect_rc(clif_poll(c, 0), 0, "poll after the FLR");
	expect_replayed(&rp, 2, gen0 + 2u, "FLR");
	EXPECT_EQ("ring ctrl after clif_poll", ld32(&ring->ctrl), CLIF_RING_CTRL_ENABLE);
	EXPECT_EQ("rules on the card after the replay", rules_on_card(c), 2);
	expect_rc(clif_poll(c, 0), 0, "poll again");
	EXPECT_EQ("callback runs after another poll", rp.calls, 2);
	ring_rearmed(&t);
	before = t.records;
	consume(&t, 30, 10, 10000);
	expect_rc(clif_poll(c, 0), 0, "poll");
	EXPECT_EQ("callback runs at the end", rp.calls, 2);
	check_rc(clif_c2h_stats(c, &cs), "c2h stats");
	EXPECT_EQ("seq gaps", cs.seq_gaps, 0);
	EXPECT_EQ("card drops (this ring)", cs.card_drops, 0);
	EXPECT_EQ("corrupt", cs.corrupt, 0);
	printf("libclif-faults: reset by reset_request: CLIF_E_RESET from dequeue, clif_poll: generation %u, "
	       "callback once, 2 rules replayed, %llu records of both rules from seq 0\n",
	       gen0 + 2u, (unsigned long long)(t.records - before));
	clif_close(c);
	stop_card();
	unlink(cardsim_pcap_path);
}

/* ---- scenario: ABI major ---- */

static const char *const quiet_traffic[] = { "--generate", "0", "--rate", "200", NULL };

static void scenario_abi(uint32_t inst)
{
	static const uint16_t wrong[] = { CLIF_ABI_MAJOR + 1u, CLIF_ABI_MAJOR - 1u, 0xffffu };
	struct clif_card *c;
	struct clif_ident id;
	uint16_t orig;
	uint32_t bell, i;

	start_card(inst, quiet_traffic);
	orig = __atomic_load_n(&ident->abi_major, __ATOMIC_ACQUIRE);
	EXPECT_EQ("card's ABI major", orig, CLIF_ABI_MAJOR);
	bell = ld32(&mbox->doorbell);
	for (i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
		char what[64];

		__atomic_store_n(&ident->abi_major, wrong[i], __ATOMIC_RELEASE);
		c = (struct clif_card *)(uintptr_t)1;
		snprintf(what, sizeof(what), "clif_open, ABI major %u", wrong[i]);
		expect_rc(clif_open(card_name, NULL, &c), CLIF_E_ABI, what);
		if (c)
			die("%s: handle not NULL", what);
		snprintf(what, sizeof(what), "clif_open_control, ABI major %u", wrong[i]);
		expect_rc(clif_open_control(card_name, NULL, &c), CLIF_E_ABI, what);
		EXPECT_EQ("mailbox doorbell (no command sent)", ld32(&mbox->doorbell), bell);
		EXPECT_EQ("ring ctrl (not armed)", ld32(&ring->ctrl), 0);
	}
	__atomic_store_n(&ident->abi_major, orig, __ATOMIC_RELEASE);
	open_card(NULL, &c, 1);
	check_rc(clif_identity(c, &id), "identity");
	EXPECT_EQ("ABI major restored", id.abi_major, CLIF_ABI_MAJOR);
	EXPECT_EQ("ring ctrl (armed)", ld32(&ring->ctrl), CLIF_RING_CTRL_ENABLE);
	expect_rc(clif_poll(c, 0), 0, "poll");
	clif_close(c);
	printf("libclif-faults: ABI major %u, %u, %u: CLIF_E_ABI from clif_open and clif_open_control, no "
	       "command sent; restored: opens\n",
	       wrong[0], wrong[1], wrong[2]);
	stop_card();
}

/* ---- scenario: mailbox mute ---- */

/* Waits until the firmware's rounds have stopped: its uptime stands still for 20 ms. */
static void wait_fw_still(void)
{
	uint64_t end = now_ns() + 5000 * MS, up;

	for (;;) {
		up = ld64(&ident->uptime_ns);
		nap_us(20000);
		if (ld64(&ident->uptime_ns) == up)
			return;
		if (now_ns() > end)
			die("the firmware still runs 5 s after mbox-mute");
	}
}

static void scenario_mbox(uint32_t inst)
{
	struct clif_open_opts o = { 0, 100, 1 };
	struct clif_card *c;
	uint64_t t0, ms;
	uint32_t bell;
	int rc, y_there;

	start_card(inst, quiet_traffic);
	open_card(&o, &c, 1);
	check_rc(clif_rule_add(c, &rule_x), "rule add before the fault");
	set_fault(CLIF_SIM_FAULT_MBOX_MUTE);
	wait_fw_still();
	bell = ld32(&mbox->doorbell);
	t0 = now_ns();
	rc = clif_rule_add(c, &rule_y);
	ms = (now_ns() - t0) / MS;
	EXPECT_EQ("doorbells rung for the muted add (one send, one re-send)", ld32(&mbox->doorbell), bell + 2u);
	expect_rc(rc, CLIF_E_TIMEOUT, "rule add, mailbox muted");
	if (ms < 200 || ms >= 1000)
		die("rule add, mailbox muted: CLIF_E_TIMEOUT after %llu ms, want [200, 1000) (100 ms, one re-send)",
		    (unsigned long long)ms);
	if (ld32(&mbox->done) == ld32(&mbox->doorbell))
		die("the muted firmware answered");
	set_fault(0);
	check_rc(clif_rule_add(c, &rule_z), "rule add, fault cleared");
	expect_rc(clif_rule_add(c, &rule_x), CLIF_E_EXIST, "rule add of a rule the card has");
	/* The re-sent add the host gave up on may still run once the firmware resumes. */
	rc = clif_rule_delete(c, rule_y.handle);
	if (rc != 0 && rc != CLIF_E_NOENT)
		die("rule delete of the timed-out add: %s", clif_strerror(rc));
	y_there = rc == 0;
	check_rc(clif_rule_delete(c, rule_z.handle), "rule delete");
	check_rc(clif_rule_delete(c, rule_x.handle), "rule delete");
	clif_close(c);
	printf("libclif-faults: mbox-mute: CLIF_E_TIMEOUT after %llu ms (100 ms bound, one re-send); cleared: "
	       "next call ok (the timed-out add %s)\n",
	       (unsigned long long)ms, y_there ? "ran when the firmware resumed" : "never ran");
	stop_card();
}

/* ---- scenario: heartbeat ---- */

static void scenario_heartbeat(uint32_t inst)
{
	struct clif_card *c;
	uint64_t t0, end, ms_to, ms_back;
	uint32_t hb0, hb, polls = 0;
	int rc;

	start_card(inst, quiet_traffic);
	open_card(NULL, &c, 1);
	expect_rc(clif_poll(c, 300), 0, "poll");
	/* Right after a tick (ticks every 100 ms), stop the heartbeat and let libclif see it last. */
	hb0 = ld32(&ident->heartbeat);
	end = now_ns() + 2000 * MS;
	while ((hb = ld32(&ident->heartbeat)) == hb0) {
		if (now_ns() > end)
			die("heartbeat stands at %u for 2 s", hb0);
		nap_us(200);
	}
	t0 = now_ns();
	expect_rc(clif_poll(c, 300), 0, "poll at a tick");
	set_fault(CLIF_SIM_FAULT_NO_HEARTBEAT);
	for (;;) {
		rc = clif_poll(c, 300);
		polls++;
		if (rc)
			break;
		if (now_ns() - t0 > 2000 * MS)
			die("clif_poll(300) still 0 2 s after the heartbeat stopped");
		nap_us(5000);
	}
	ms_to = (now_ns() - t0) / MS;
	expect_rc(rc, CLIF_E_TIMEOUT, "poll, heartbeat stopped");
	if (ms_to < 300 || ms_to >= 500)
		die("clif_poll(300): CLIF_E_TIMEOUT %llu ms after the last tick, want [300, 500)",
		    (unsigned long long)ms_to);
	EXPECT_EQ("heartbeat while stopped", ld32(&ident->heartbeat), hb);
	check_rc(clif_rule_add(c, &rule_x), "rule add, heartbeat stopped (mailbox still served)");
	expect_rc(clif_poll(c, 300), CLIF_E_TIMEOUT, "poll, heartbeat stopped");

	t0 = now_ns(); /* before the firmware can see the fault go: its next tick is >= 100 ms after */
	set_fault(0);
	for (;;) {
		rc = clif_poll(c, 300);
		if (rc != CLIF_E_TIMEOUT)
			break;
		if (now_ns() - t0 > 2000 * MS)
			die("clif_poll(300) still CLIF_E_TIMEOUT 2 s after the heartbeat fault was cleared");
		nap_us(5000);
	}
	ms_back = (now_ns() - t0) / MS;
	expect_rc(rc, 0, "poll, heartbeat back");
	if (ms_back < 100 || ms_back >= 1000)
		die("clif_poll: 0 again %llu ms after the fault was cleared, want [100, 1000) (one period)",
		    (unsigned long long)ms_back);
	check_rc(clif_rule_delete(c, rule_x.handle), "rule delete");
	clif_close(c);
	printf("libclif-faults: no-heartbeat: clif_poll(300) 0 for %u polls, CLIF_E_TIMEOUT %llu ms after the last "
	       "tick (mailbox still served); cleared: 0 after %llu ms\n",
	       polls - 1u, (unsigned long long)ms_to, (unsigned long long)ms_back);
	stop_card();
}

int main(int argc, char **argv)
{
	uint32_t base = 65000u + (uint32_t)getpid() % 80u * 6u;

	cardsim_prog = "libclif-faults";
	cardsim_on_cleanup = unmap_card;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 2)
		die("usage: clif-libclif-faults BIN_DIR");
	snprintf(bindir, sizeof(bindir), "%s", argv[1]);
	cardsim_watchdog(WATCHDOG_S);
	cardsim_make_tmpdir("/tmp/clif-faults.XXXXXX");
	make_rules();

	scenario_overflow(base, 4096);
	scenario_overflow(base + 1u, 8192);
	scenario_reset(base + 2u);
	scenario_abi(base + 3u);
	scenario_mbox(base + 4u);
	scenario_heartbeat(base + 5u);

	cardsim_cleanup();
	printf("libclif-faults: ok\n");
	return 0;
}
