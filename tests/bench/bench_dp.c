/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Data-plane model throughput against the number of targets, and against libpcap's BPF
 * filter (what a plain server would run) on the same frames. One core, one process.
 * Prints "bench: <name> <value> <unit>" lines; everything else is prefixed "info:".
 *
 * Targets are exact IPv4 host rules (scope ANY, capture the whole frame), as BPF's
 * "host a or host b ..." expresses them. Traffic: a fixed pool of mixed frames (plain IPv4 and
 * IPv6 with and without a VLAN tag, VXLAN, Geneve and NVGRE overlays with inner IPv4/IPv6),
 * where about 1 IPv4 address in 20 is a target. A last run installs 1M targets of mixed kinds
 * (IPv4, IPv6, VNI-scoped IPv4, MAC) so that every key class is probed.
 */
#define _DEFAULT_SOURCE /* pcap.h needs the BSD u_int types; madvise */
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "dp.h"
#include "pktgen.h"
#include "placer.h"

#define POOL_FRAMES 32768u
#define TARGET_SHARE 20u /* 1 in TARGET_SHARE addresses is a target */

struct frame {
	uint16_t len;
	uint16_t vport;
	struct dp_beat beats[8]; /* bench frames stay under 512 bytes */
};

static struct frame *pool;
static uint8_t (*targets)[16];
static int mixed_kinds; /* target i is of kind i % 4: IPv4, IPv6, IPv4 in a VNI, MAC */

enum target_kind { KIND_V4, KIND_V6, KIND_V4_VNI, KIND_MAC };

static enum target_kind kind_of(uint32_t i)
{
	return mixed_kinds ? (enum target_kind)(i % 4u) : KIND_V4;
}

/*
 * The data plane's tables are its static arrays (64 MiB of exact entries in this build). Ask
 * for transparent huge pages over the program's BSS before the tables are first touched, as a
 * host process that embeds the data plane would: with 4 KiB pages every probe is also a TLB
 * miss, which measures the page walker rather than the model. __bss_start and _end are the
 * GNU linker's names for the segment.
 */
extern char __bss_start[], _end[];

static void advise_huge_pages(void)
{
	const uintptr_t huge = 2u << 20;
	uintptr_t start = ((uintptr_t)__bss_start + huge - 1u) & ~(huge - 1u);

	if ((uintptr_t)_end > start && madvise((void *)start, (uintptr_t)_end - start, MADV_HUGEPAGE))
		perror("info: madvise(MADV_HUGEPAGE)");
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void target_addr(uint32_t i, uint8_t *a)
{
	memset(a, 0, 16);
	if (kind_of(i) == KIND_MAC) {
		a[0] = 0x02;
		a[1] = 0xcf;
		a[3] = (uint8_t)(i >> 16);
		a[4] = (uint8_t)(i >> 8);
		a[5] = (uint8_t)i;
	} else if (kind_of(i) != KIND_V6) {
		a[0] = 10;
		a[1] = (uint8_t)(i >> 16);
		a[2] = (uint8_t)(i >> 8);
		a[3] = (uint8_t)i;
	} else {
		a[0] = 0x20;
		a[1] = 0x01;
		a[2] = 0x0d;
		a[3] = 0xb8;
		a[12] = (uint8_t)(i >> 24);
		a[13] = (uint8_t)(i >> 16);
		a[14] = (uint8_t)(i >> 8);
		a[15] = (uint8_t)i;
	}
}

/* An address of the given family: a target now and then, else one no target has. */
static void traffic_addr(struct pkt_rng *r, uint32_t n_targets, int v6, uint8_t *a)
{
	if (pkt_rng_below(r, TARGET_SHARE) == 0) {
		uint32_t i = pkt_rng_below(r, n_targets);

		if (mixed_kinds)
			i = (i & ~3u) | (v6 ? KIND_V6 : pkt_rng_below(r, 2) ? KIND_V4 : KIND_V4_VNI);
		if (i < n_targets && (kind_of(i) == KIND_V6) == (v6 != 0)) {
			memcpy(a, targets[i], 16);
			return;
		}
	}
	memset(a, 0, 16);
	if (v6) {
		a[0] = 0x20;
		a[1] = 0x01;
		a[2] = 0x0d;
		a[3] = 0xb9; /* outside the targets' /32 */
		a[15] = (uint8_t)pkt_rng_next(r);
		a[14] = (uint8_t)pkt_rng_next(r);
	} else {
		a[0] = 172;
		a[1] = 16;
		a[2] = (uint8_t)pkt_rng_next(r);
		a[3] = (uint8_t)pkt_rng_next(r);
	}
}

static void ip_l4(struct pkt_buf *b, struct pkt_rng *r, uint32_t n_targets, int v6, uint16_t payload)
{
	uint8_t s[16], d[16];
	int tcp = pkt_rng_below(r, 3) != 0;
	uint16_t l4 = (uint16_t)((tcp ? 20 : 8) + payload);

	traffic_addr(r, n_targets, v6, s);
	traffic_addr(r, n_targets, v6, d);
	if (v6)
		pkt_ipv6(b, s, d, tcp ? 6 : 17, l4);
	else
		pkt_ipv4(b, s, d, tcp ? 6 : 17, l4, 0, 0);
	if (tcp)
		pkt_tcp(b, (uint16_t)(1024 + pkt_rng_below(r, 60000)), 443, 5);
	else
		pkt_udp(b, (uint16_t)(1024 + pkt_rng_below(r, 60000)), 53, payload);
	pkt_zeros(b, payload);
}

static void build_pool(uint32_t n_targets)
{
	static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0xa }, mac_b[6] = { 0x02, 0, 0, 0, 0, 0xb };
	static struct pkt_buf b;
	struct pkt_rng r;
	uint32_t i;

	pkt_rng_seed(&r, 42);
	for (i = 0; i < POOL_FRAMES; i++) {
		uint32_t kind = pkt_rng_below(&r, 20);
		uint16_t payload = (uint16_t)pkt_rng_below(&r, 300);
		uint8_t s[16], d[16];

		pkt_reset(&b);
		if (kind < 6) { /* plain IPv4, a third tagged */
			pkt_eth(&b, mac_a, mac_b, kind < 2 ? 0x8100 : 0x0800);
			if (kind < 2)
				pkt_vlan(&b, 100, 0x0800);
			ip_l4(&b, &r, n_targets, 0, payload);
		} else if (kind < 11) { /* plain IPv6 */
			pkt_eth(&b, mac_a, mac_b, 0x86dd);
			ip_l4(&b, &r, n_targets, 1, payload);
		} else if (kind < 16) { /* VXLAN, inner IPv4 */
			traffic_addr(&r, n_targets, 0, s);
			traffic_addr(&r, n_targets, 0, d);
			pkt_eth(&b, mac_a, mac_b, 0x0800);
			pkt_ipv4(&b, s, d, 17, (uint16_t)(8 + 8 + 14 + 20 + 20 + payload), 0, 0);
			pkt_udp(&b, 49152, 4789, (uint16_t)(8 + 14 + 20 + 20 + payload));
			pkt_vxlan(&b, 5000 + pkt_rng_below(&r, 8));
			pkt_eth(&b, mac_b, mac_a, 0x0800);
			ip_l4(&b, &r, n_targets, 0, payload);
		} else if (kind < 19) { /* Geneve, inner IPv6 */
			traffic_addr(&r, n_targets, 0, s);
			traffic_addr(&r, n_targets, 0, d);
			pkt_eth(&b, mac_a, mac_b, 0x0800);
			pkt_ipv4(&b, s, d, 17, (uint16_t)(8 + 16 + 14 + 40 + 20 + payload), 0, 0);
			pkt_udp(&b, 49152, 6081, (uint16_t)(16 + 14 + 40 + 20 + payload));
			pkt_geneve(&b, 7000, 2, 0x6558);
			pkt_eth(&b, mac_b, mac_a, 0x86dd);
			ip_l4(&b, &r, n_targets, 1, payload);
		} else { /* NVGRE over IPv6, inner IPv4 */
			traffic_addr(&r, n_targets, 1, s);
			traffic_addr(&r, n_targets, 1, d);
			pkt_eth(&b, mac_a, mac_b, 0x86dd);
			pkt_ipv6(&b, s, d, 47, (uint16_t)(8 + 14 + 20 + 20 + payload));
			pkt_nvgre(&b, 9000, 1);
			pkt_eth(&b, mac_b, mac_a, 0x0800);
			ip_l4(&b, &r, n_targets, 0, payload);
		}
		if (b.len > sizeof(pool[i].beats))
			b.len = sizeof(pool[i].beats);
		pool[i].len = b.len;
		pool[i].vport = (uint16_t)pkt_rng_below(&r, 16);
		memcpy(pool[i].beats, b.b, b.len);
	}
}

static void install_targets(struct placer *pl, volatile struct clif_tblwin_regs *tw, uint32_t n)
{
	uint32_t i;

	placer_fini(pl);
	if (placer_init(pl, tw)) {
		fprintf(stderr, "bench: out of memory\n");
		exit(1);
	}
	for (i = 0; i < n; i++) {
		struct clif_rule_entry r = { .handle = i, .actions = CLIF_ACT_CAPTURE, .flags = CLIF_ENTRY_VALID };
		struct clif_exact_entry e = { .rule_slot = i, .flags = CLIF_ENTRY_VALID };

		e.key.addr_type = kind_of(i) == KIND_V6 ? CLIF_ADDR_IPV6 : kind_of(i) == KIND_MAC ? CLIF_ADDR_MAC : CLIF_ADDR_IPV4;
		if (kind_of(i) == KIND_V4_VNI) {
			e.key.scope_type = CLIF_SCOPE_VNI;
			e.key.scope_value = 5000u + i % 8u; /* the VNIs the VXLAN traffic uses */
		}
		memcpy(e.key.addr, targets[i], 16);
		if (placer_rule(pl, i, &r) || placer_exact(pl, &e)) {
			fprintf(stderr, "bench: table full at %u targets\n", i);
			exit(1);
		}
	}
}

/* Frames per second of the data-plane model over the pool, in bursts of CLIF_DP_BURST as
 * clif-cardsim feeds it; *matched counts frames with hits. */
static double run_model(uint64_t frames, uint64_t *matched)
{
	static struct dp_beat in[CLIF_DP_BURST][8], fwd[CLIF_DP_BURST][CLIF_DP_MAX_BEATS];
	static struct clif_ring_regs ring;
	static uint8_t ring_mem[1u << 20];
	static struct clif_ring_regs punt;
	static struct clif_dp_counters ctr;
	const struct dp_beat *in_p[CLIF_DP_BURST];
	struct dp_beat *fwd_p[CLIF_DP_BURST];
	struct dp_meta meta[CLIF_DP_BURST];
	double t0, t1;
	uint64_t n = 0;
	uint32_t j;

	for (j = 0; j < CLIF_DP_BURST; j++) {
		in_p[j] = in[j];
		fwd_p[j] = fwd[j];
	}
	ring.size = sizeof(ring_mem);
	ring.ctrl = CLIF_RING_CTRL_ENABLE;
	memset(&ctr, 0, sizeof(ctr));
	t0 = now_s();
	while (n < frames) {
		for (j = 0; j < CLIF_DP_BURST; j++, n++) {
			const struct frame *f = &pool[n % POOL_FRAMES];

			meta[j] = (struct dp_meta){ .frame_len = f->len, .vport = f->vport, .ts_ns = n };
			memcpy(in[j], f->beats, (f->len + CLIF_DP_BEAT_BYTES - 1u) / CLIF_DP_BEAT_BYTES * CLIF_DP_BEAT_BYTES);
		}
		clif_dp_burst(in_p, fwd_p, meta, CLIF_DP_BURST, (struct dp_ring){ &ring, ring_mem },
			      (struct dp_ring){ &punt, NULL }, &ctr);
		ring.cons = ring.prod; /* the host keeps up */
	}
	t1 = now_s();
	*matched = ctr.matched;
	return (double)n / (t1 - t0);
}

/* BPF over the pool: optimize 0 is the filter as PLATFORM.md measured it, 1 runs libpcap's
 * optimizer (what tcpdump does by default), which takes minutes to compile 1k hosts. */
static double run_bpf(uint32_t n_targets, int optimize, uint64_t frames, uint64_t *matched, double *compile_s)
{
	size_t cap = (size_t)n_targets * 48u + 16u, len = 0;
	char *expr = malloc(cap), text[64];
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
	struct bpf_program prog;
	double t0, best = 0;
	int rep;
	uint64_t n;
	uint32_t i;

	if (!expr || !p) {
		fprintf(stderr, "bench: out of memory\n");
		exit(1);
	}
	for (i = 0; i < n_targets; i++) {
		const uint8_t *a = targets[i];

		snprintf(text, sizeof(text), "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
		len += (size_t)snprintf(expr + len, cap - len, "%shost %s", i ? " or " : "", text);
	}
	t0 = now_s();
	if (pcap_compile(p, &prog, expr, optimize, PCAP_NETMASK_UNKNOWN)) {
		fprintf(stderr, "bench: pcap_compile: %s\n", pcap_geterr(p));
		exit(1);
	}
	*compile_s = now_s() - t0;
	/* best of three, as for the model */
	for (rep = 0; rep < 3; rep++) {
		double r;

		*matched = 0;
		t0 = now_s();
		for (n = 0; n < frames; n++) {
			const struct frame *f = &pool[n % POOL_FRAMES];
			struct pcap_pkthdr h = { .caplen = f->len, .len = f->len };

			*matched += pcap_offline_filter(&prog, &h, (const u_char *)f->beats) != 0;
		}
		r = (double)frames / (now_s() - t0);
		if (r > best)
			best = r;
	}
	pcap_freecode(&prog);
	pcap_close(p);
	free(expr);
	return best;
}

static double measure_model(const char *prefix, const char *name, uint32_t n_targets, struct placer *pl,
			    volatile struct clif_tblwin_regs *tw)
{
	uint64_t dp_matched, frames = 1000000;
	double mpps;
	int rep;

	build_pool(n_targets);
	install_targets(pl, tw, n_targets);
	run_model(POOL_FRAMES, &dp_matched); /* warm the caches and the branch predictors */
	/* best of three: the figure is the model's cost, not the machine's other tenants' */
	mpps = 0;
	for (rep = 0; rep < 3; rep++) {
		double r = run_model(frames, &dp_matched) / 1e6;

		if (r > mpps)
			mpps = r;
	}
	printf("bench: %s_mpps_%s %.3f Mpps\n", prefix, name, mpps);
	printf("info: %s %s: data plane matched %" PRIu64 " of %" PRIu64 " frames\n", prefix, name, dp_matched, frames);
	fflush(stdout);
	return mpps;
}

/* BPF figures of a run other than the main one ("dp_model") carry its name, so that every
 * bench line of `make bench` has a name of its own. */
static void compare_bpf(const char *prefix, const char *name, uint32_t n_targets, int optimize, double model_mpps)
{
	static const char *const variant[2] = { "", "optimized_" };
	const char *run = strcmp(prefix, "dp_model") ? prefix : NULL;
	uint64_t bpf_matched, bpf_frames = n_targets > 100 ? 20000 : 500000;
	double compile_s, bpf_mpps = run_bpf(n_targets, optimize, bpf_frames, &bpf_matched, &compile_s) / 1e6;

	printf("bench: bpf_%smpps_%s%s%s %.4f Mpps\n", variant[optimize], name, run ? "_in_" : "", run ? run : "",
	       bpf_mpps);
	printf("bench: bpf_%scompile_s_%s%s%s %.3f s\n", variant[optimize], name, run ? "_in_" : "", run ? run : "",
	       compile_s);
	printf("bench: %s_vs_bpf_%s%s %.1f x\n", prefix, variant[optimize], name, model_mpps / bpf_mpps);
	printf("info: %s: BPF matched %" PRIu64 " of %" PRIu64 " frames (outer headers of untagged frames only)\n",
	       name, bpf_matched, bpf_frames);
	fflush(stdout);
}

/*
 * Usage: clif-bench-dp PREFIX [--optimized-bpf] [--mixed]
 * Runs every target count that fits half the exact table, compares with BPF at 1 and 1k
 * targets (and with libpcap's optimizer when asked), and with --mixed a last run of 1M targets
 * of mixed kinds.
 */
int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		uint32_t n;
	} sizes[] = {
		{ "1targets", 1 }, { "1ktargets", 1000 }, { "10ktargets", 10000 }, { "100ktargets", 100000 },
		{ "1Mtargets", 1000000 },
	};
	static struct clif_tblwin_regs tw;
	const uint32_t capacity = CLIF_DP_EXACT_WAYS * CLIF_DP_EXACT_WAY_SIZE / 2u;
	struct placer pl = { 0 };
	const char *prefix;
	int optimized_bpf = 0, mixed = 0, a;
	double first = 0, last = 0;
	uint32_t i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s PREFIX [--optimized-bpf] [--mixed]\n", argv[0]);
		return 2;
	}
	prefix = argv[1];
	for (a = 2; a < argc; a++) {
		if (!strcmp(argv[a], "--optimized-bpf"))
			optimized_bpf = 1;
		else if (!strcmp(argv[a], "--mixed"))
			mixed = 1;
		else {
			fprintf(stderr, "%s: unknown option %s\n", argv[0], argv[a]);
			return 2;
		}
	}
	advise_huge_pages();
	pool = calloc(POOL_FRAMES, sizeof(*pool));
	targets = calloc(1000000, sizeof(*targets));
	if (!pool || !targets) {
		fprintf(stderr, "bench: out of memory\n");
		return 1;
	}
	for (i = 0; i < 1000000; i++)
		target_addr(i, targets[i]);
	printf("info: %s: data plane built with %u x %u exact entries, %u rule slots; %u-frame traffic pool, "
	       "bursts of %u\n", prefix, CLIF_DP_EXACT_WAYS, CLIF_DP_EXACT_WAY_SIZE, CLIF_DP_RULE_SLOTS, POOL_FRAMES,
	       CLIF_DP_BURST);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]) && sizes[i].n <= capacity; i++) {
		double mpps = measure_model(prefix, sizes[i].name, sizes[i].n, &pl, &tw);

		if (i == 0)
			first = mpps;
		last = mpps;
		if (sizes[i].n <= 1000) {
			compare_bpf(prefix, sizes[i].name, sizes[i].n, 0, mpps);
			if (optimized_bpf)
				compare_bpf(prefix, sizes[i].name, sizes[i].n, 1, mpps);
		}
	}
	printf("bench: %s_%s_vs_1targets %.2f x\n", prefix, sizes[i - 1].name, last / first);

	if (mixed) {
		double mpps;

		mixed_kinds = 1;
		for (i = 0; i < 1000000; i++)
			target_addr(i, targets[i]);
		mpps = measure_model(prefix, "1Mtargets_mixedkinds", 1000000, &pl, &tw);
		printf("bench: %s_1Mtargets_mixedkinds_vs_ipv4 %.2f x\n", prefix, mpps / last);
	}
	placer_fini(&pl);
	free(pool);
	free(targets);
	return 0;
}
