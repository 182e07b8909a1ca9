/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * C2H consumer throughput: libclif's dequeue / release with a consumer that copies every byte
 * of every record out (header and frame), against a plain memcpy of the same bytes.
 *
 *   clif-bench-c2h BIN_DIR [ROUNDS]
 *
 * Feeding: the real clif-cardsim (BIN_DIR/clif-cardsim) replaying a pcap of 64-byte or
 * 1500-byte frames, every one captured whole by one exact rule, into a 128 MiB ring. Each
 * round lets the card fill the ring, stops the card (SIGSTOP: nothing competes with the
 * consumer, nothing is added while it runs), times the consumer draining the ring, and lets the
 * card go on (SIGCONT). The memcpy rounds copy the same fill's bytes, as laid in the ring,
 * with one memcpy per contiguous stretch, to the same destination. Best of ROUNDS (default 3)
 * each. The figures measure the host side only: the card's own speed does not enter them.
 *
 * Output: "bench: c2h_consume_{mpps,gbps}_{64B,1500B}" (records per second, frame bits per
 * second) and "bench: c2h_consume_vs_memcpy_{64B,1500B}" (consumer bytes per second over
 * memcpy's, 1.0 = libclif costs nothing beyond touching the bytes).
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
#include <time.h>
#include <unistd.h>

#include "clif/bar.h"
#include "clif/simshm.h"
#include "libclif.h"
#include "tb/pktgen.h"

#include "../sim/cardsim_proc.h"

#define RING_BYTES (128u << 20)
#define DMA_ARG "160M"
#define PCAP_FRAMES 1024u
#define DST_BYTES (8u << 20) /* the consumer's destination, reused: larger than the caches */
#define BATCH 256u

static const uint8_t SRC_IP[4] = { 10, 1, 0, 1 }, DST_IP[4] = { 10, 1, 0, 2 };
static const uint8_t MAC_A[6] = { 0x02, 0, 0, 0, 0, 0x0a }, MAC_B[6] = { 0x02, 0, 0, 0, 0, 0x0b };

static const char *bindir;
static uint8_t *dst;
static const volatile struct clif_ring_regs *ring_regs; /* the card's BAR0, mapped read-only */
static const uint8_t *ring_mem;

static void fail(const char *what, int rc)
{
	fprintf(stderr, "bench-c2h: %s: %s\n", what, rc ? clif_strerror(rc) : strerror(errno));
	cardsim_cleanup();
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* PCAP_FRAMES UDP frames of exactly len bytes, 10.1.0.1 -> 10.1.0.2. */
static void write_pcap(uint16_t len)
{
	static struct pkt_buf b;
	uint32_t i;

	cardsim_pcap_open();
	for (i = 0; i < PCAP_FRAMES; i++) {
		uint16_t pay = (uint16_t)(len - 14u - 20u - 8u);

		pkt_reset(&b);
		pkt_eth(&b, MAC_B, MAC_A, 0x0800);
		pkt_ipv4(&b, SRC_IP, DST_IP, 17, (uint16_t)(8u + pay), 0, 0);
		pkt_udp(&b, 4000, 5000, pay);
		while (b.len < len)
			pkt_u8(&b, (uint8_t)(b.len + i));
		cardsim_pcap_add(b.b, b.len, 0);
	}
	cardsim_pcap_close();
}

static void start_card(uint32_t inst)
{
	const char *args[] = { "--dma-size", DMA_ARG, "--pcap", cardsim_pcap_path, "--loop-forever", "--wait-ring", NULL };

	cardsim_start(bindir, inst, args);
}

/* The card's ring registers and ring memory, read-only, to see when a fill is complete and
 * where its bytes lie for the memcpy rounds (libclif does not show its ring). */
static void map_card(uint32_t inst)
{
	char name[64];
	struct stat st;
	uint8_t *base;
	const struct clif_sim_hdr *h;
	int fd;

	snprintf(name, sizeof(name), "%s%u", CLIF_SIM_SHM_PREFIX, inst);
	fd = shm_open(name, O_RDONLY, 0);
	if (fd < 0 || fstat(fd, &st) < 0)
		fail("shm_open", 0);
	base = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (base == MAP_FAILED)
		fail("mmap", 0);
	h = (const struct clif_sim_hdr *)(const void *)base;
	ring_regs = &((const volatile struct clif_c2h_block *)(const void *)(base + h->bar0_off + CLIF_BAR0_OFF_C2H))
			     ->ring[0];
	ring_mem = base + h->dma_off; /* the data handle's ring is the first allocation */
}

/* Lets the card fill the ring (until it drops: full), then stops it. */
static void fill(struct clif_card *c)
{
	struct clif_dp_counters d0, d;
	double end = now_s() + 60.0;
	int rc;

	kill(cardsim_pid, SIGCONT);
	rc = clif_dp_counters(c, &d0);
	if (rc)
		fail("counters", rc);
	do {
		nap_us(5 * 1000L);
		rc = clif_dp_counters(c, &d);
		if (rc)
			fail("counters", rc);
		if (now_s() > end) {
			errno = ETIMEDOUT;
			fail("the card did not fill the ring", 0);
		}
	} while (d.capture_drops == d0.capture_drops);
	kill(cardsim_pid, SIGSTOP);
	nap_us(20 * 1000L); /* stopped for sure */
}

/* Drains the ring through libclif, copying every record out. Returns seconds; counts. */
static double consume(struct clif_card *c, uint64_t *recs, uint64_t *frame_bytes, uint64_t *rec_bytes)
{
	struct clif_rec_view v[BATCH];
	uint64_t n_rec = 0, fb = 0, rb = 0;
	size_t pos = 0;
	double t0 = now_s();
	int n, i;

	while ((n = clif_c2h_dequeue(c, v, BATCH)) > 0) {
		for (i = 0; i < n; i++) {
			size_t len = CLIF_REC_HDR_BYTES + v[i].hdr->cap_len;

			if (pos + len > DST_BYTES)
				pos = 0;
			memcpy(dst + pos, v[i].hdr, len);
			pos += len;
			fb += v[i].hdr->cap_len;
			rb += len;
		}
		n_rec += (uint64_t)n;
		clif_c2h_release(c, (uint32_t)n);
	}
	if (n < 0)
		fail("dequeue", n);
	*recs = n_rec;
	*frame_bytes = fb;
	*rec_bytes = rb;
	return now_s() - t0;
}

/* bytes of a fill in ring order, copied to the same destination, one memcpy per contiguous
 * stretch (the ring wraps at most once; the destination wraps as the consumer's does). */
static double copy_plain(uint64_t bytes)
{
	uint32_t cons = ring_regs->cons, off = cons & (RING_BYTES - 1u);
	size_t pos = 0;
	double t0 = now_s();

	while (bytes) {
		size_t n = RING_BYTES - off < bytes ? RING_BYTES - off : (size_t)bytes;

		while (n) {
			size_t k = n < DST_BYTES - pos ? n : DST_BYTES - pos;

			memcpy(dst + pos, ring_mem + off, k);
			pos = (pos + k) % DST_BYTES;
			off = (off + (uint32_t)k) & (RING_BYTES - 1u);
			n -= k;
			bytes -= k;
		}
	}
	return now_s() - t0;
}

struct open_ctl {
	const char *name;
	struct clif_card *c;
};

static int try_open_control(void *ctx)
{
	struct open_ctl *oc = ctx;
	int rc = clif_open_control(oc->name, NULL, &oc->c);

	if (rc == CLIF_E_NODEV)
		return 0;
	if (rc)
		fail("open (control)", rc);
	return 1;
}

static void bench_size(uint16_t len, const char *tag, uint32_t rounds, uint32_t inst)
{
	struct clif_open_opts o = { RING_BYTES, 0, 0 };
	struct clif_card *ctl, *c;
	struct clif_cmd_rule r;
	double best_pps = 0, best_bps = 0, best_rec_bps = 0, best_copy_bps = 0;
	uint32_t i;
	char name[32];
	struct open_ctl oc = { name, NULL };
	int rc;

	write_pcap(len);
	start_card(inst);
	snprintf(name, sizeof(name), "sim:%u", inst);
	cardsim_wait_up(try_open_control, &oc, 10000, 10000);
	ctl = oc.c;
	memset(&r, 0, sizeof(r));
	r.handle = 1;
	r.kind = CLIF_RULE_EXACT;
	r.addr_type = CLIF_ADDR_IPV4;
	memcpy(r.addr, DST_IP, 4);
	r.actions = CLIF_ACT_CAPTURE;
	rc = clif_rule_add(ctl, &r);
	if (rc)
		fail("rule add", rc);
	rc = clif_open(name, &o, &c); /* arms the ring: the card starts */
	if (rc)
		fail("open", rc);
	map_card(inst);

	for (i = 0; i < rounds; i++) {
		uint64_t recs, fb, rb;
		double t;

		fill(c);
		t = consume(c, &recs, &fb, &rb);
		if (recs / t > best_pps)
			best_pps = (double)recs / t;
		if (fb * 8.0 / t > best_bps)
			best_bps = (double)fb * 8.0 / t;
		if (rb / t > best_rec_bps)
			best_rec_bps = (double)rb / t;
		if (i == 0)
			printf("c2h: %s: %llu records per fill (%llu MiB), %.3f ms to drain\n", tag,
			       (unsigned long long)recs, (unsigned long long)(rb >> 20), t * 1e3);

		/* memcpy of an equal fill: the ring's bytes where the card laid them */
		fill(c);
		{
			uint64_t avail = ring_regs->prod - ring_regs->cons, n = rb < avail ? rb : avail;
			double tc = copy_plain(n); /* as many bytes as the consumer copied */

			if (n / tc > best_copy_bps)
				best_copy_bps = (double)n / tc;
		}
		(void)consume(c, &recs, &fb, &rb); /* hand the fill back */
	}
	printf("bench: c2h_consume_mpps_%s %.3f Mpps\n", tag, best_pps / 1e6);
	printf("bench: c2h_consume_gbps_%s %.2f Gbps\n", tag, best_bps / 1e9);
	printf("bench: c2h_consume_vs_memcpy_%s %.2f x\n", tag, best_rec_bps / best_copy_bps);
	printf("c2h: %s: consumer %.2f GB/s of record bytes, memcpy %.2f GB/s\n", tag, best_rec_bps / 1e9,
	       best_copy_bps / 1e9);
	clif_close(c);
	clif_close(ctl);
	cardsim_kill();
}

int main(int argc, char **argv)
{
	uint32_t rounds = 3, inst = 65100u + (uint32_t)getpid() % 400u;

	cardsim_prog = "bench-c2h";
	static char path[600];

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: clif-bench-c2h BIN_DIR [ROUNDS]\n");
		return 1;
	}
	bindir = argv[1];
	if (argc == 3)
		rounds = (uint32_t)strtoul(argv[2], NULL, 0);
	if (!rounds)
		rounds = 1;
	snprintf(path, sizeof(path), "%s/clif-cardsim", bindir);
	if (access(path, X_OK)) {
		fprintf(stderr, "bench-c2h: %s: not built\n", path);
		return 1;
	}
	cardsim_make_tmpdir("/tmp/clif-bench-c2h.XXXXXX");
	dst = aligned_alloc(64, DST_BYTES);
	if (!dst)
		fail("aligned_alloc", 0);
	memset(dst, 0, DST_BYTES);
	printf("c2h: fed by clif-cardsim replaying a pcap (%u frames) into a %u MiB ring; consumer and "
	       "memcpy timed with the card stopped; best of %u\n",
	       PCAP_FRAMES, RING_BYTES >> 20, rounds);
	bench_size(64, "64B", rounds, inst);
	bench_size(1500, "1500B", rounds, inst);
	free(dst);
	cardsim_cleanup();
	return 0;
}
