/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * clif-simpeek: the tests' window onto a simulated card (include/clif/simshm.h), written
 * against the ABI headers alone, as a host would: reads the shared header, BAR0 and the C2H
 * ring, sets fault knobs and reset requests, sends mailbox commands, and writes test pcaps.
 * Not libclif: just enough to check clif-cardsim from shell scripts (tests/sim).
 *
 *   clif-simpeek wait N [SECONDS]        until card N is up (magic, identity READY, pid alive)
 *   clif-simpeek show N                  every field, one "key value" per line
 *   clif-simpeek get N KEY               one field (a key of show)
 *   clif-simpeek fault N LIST|0          set the fault knobs (no-heartbeat,mbox-mute,c2h-stall)
 *   clif-simpeek reset N                 request a reset; waits for the new reset_gen
 *   clif-simpeek mbox N hello|stats|nop|reset  one mailbox command (exit 3: no answer in 1 s)
 *   clif-simpeek rule N HANDLE A.B.C.D   an exact IPv4 capture rule (whole frames)
 *   clif-simpeek arm N SIZE [OFFSET]     arms the C2H ring at OFFSET of the DMA region
 *   clif-simpeek drain N                 consumes the ring: one line per record (seq, vport,
 *                                        lengths, first handle, flags, VLAN, timestamp)
 *   clif-simpeek inject IF VID A.B.C.D   sends a broadcast 802.1Q (VID) UDP frame to A.B.C.D on IF
 *   clif-simpeek mkpcap FILE N [LINKTYPE] N UDP frames 10.1.0.1 -> 10.1.0.2 (even) or
 *                                        10.1.0.3 -> 10.1.0.4 (odd), one 9800-byte frame
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clif/bar.h"
#include "clif/c2h.h"
#include "clif/dpctr.h"
#include "clif/ident.h"
#include "clif/match.h"
#include "clif/mbox.h"
#include "clif/simshm.h"

static volatile struct clif_sim_hdr *hdr;
static volatile struct clif_ident *ident;
static volatile struct clif_mbox_block *mbox;
static volatile struct clif_c2h_block *c2h;
static volatile struct clif_dp_counters *dpc;
static uint8_t *dma;
static void *g_map;
static size_t g_map_size;

static void die(const char *msg)
{
	fprintf(stderr, "clif-simpeek: %s\n", msg);
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void nap_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000u, (long)(ms % 1000u) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Maps card n; 0, or -1 when it is not there (yet). */
static int map_card(const char *inst, int quiet)
{
	char name[64];
	struct stat st;
	uint8_t *m;
	int fd;

	snprintf(name, sizeof(name), CLIF_SIM_SHM_PREFIX "%s", inst);
	fd = shm_open(name, O_RDWR, 0);
	if (fd < 0 || fstat(fd, &st) || (size_t)st.st_size < CLIF_SIM_HDR_BYTES + CLIF_BAR0_SIZE) {
		if (!quiet)
			fprintf(stderr, "clif-simpeek: no card at /dev/shm%s\n", name);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		die("mmap failed");
	g_map = m;
	g_map_size = (size_t)st.st_size;
	hdr = (volatile struct clif_sim_hdr *)m;
	ident = (volatile struct clif_ident *)(m + CLIF_SIM_HDR_BYTES + CLIF_BAR0_OFF_IDENT);
	mbox = (volatile struct clif_mbox_block *)(m + CLIF_SIM_HDR_BYTES + CLIF_BAR0_OFF_MBOX);
	c2h = (volatile struct clif_c2h_block *)(m + CLIF_SIM_HDR_BYTES + CLIF_BAR0_OFF_C2H);
	dpc = (volatile struct clif_dp_counters *)(m + CLIF_SIM_HDR_BYTES + CLIF_BAR0_OFF_DPCTR);
	dma = m + CLIF_SIM_HDR_BYTES + CLIF_BAR0_SIZE;
	if ((uint64_t)st.st_size < CLIF_SIM_HDR_BYTES + CLIF_BAR0_SIZE + hdr->dma_size)
		die("the object is smaller than its header says");
	return 0;
}

/* "ident>mbox>c2h>dpctr" when the chain is as bar.h places it, else what was found. */
static void chain(char *out, size_t n)
{
	const uint8_t *bar0 = (const uint8_t *)(uintptr_t)ident;
	uint32_t off = 0, hops = 0;

	out[0] = '\0';
	do {
		struct clif_blk_hdr h;
		const char *t;

		memcpy(&h, bar0 + off, sizeof(h));
		t = h.type == CLIF_BLK_IDENT ? "ident" : h.type == CLIF_BLK_MBOX ? "mbox"
			: h.type == CLIF_BLK_C2H ? "c2h" : h.type == CLIF_BLK_DPCTR ? "dpctr" : "?";
		snprintf(out + strlen(out), n - strlen(out), "%s%s@%x/v%u/%u", hops ? ">" : "", t, off, h.version,
			 h.size);
		off = h.next_off;
	} while (off && off < CLIF_BAR0_SIZE && ++hops < 8);
}

struct field {
	const char *key;
	uint64_t v;
};

static size_t fields(struct field *f)
{
	volatile struct clif_ring_regs *r = &c2h->ring[0];
	size_t n = 0;

#define F(k, e) (f[n].key = (k), f[n].v = (uint64_t)(e), n++)
	F("magic", hdr->magic);
	F("version", hdr->version);
	F("bar0_off", hdr->bar0_off);
	F("bar0_size", hdr->bar0_size);
	F("dma_off", hdr->dma_off);
	F("dma_size", hdr->dma_size);
	F("pid", hdr->cardsim_pid);
	F("fault", hdr->fault);
	F("reset_request", hdr->reset_request);
	F("frames_in", hdr->frames_in);
	F("frames_out", hdr->frames_out);
	F("ident_magic", ident->magic);
	F("abi_major", ident->abi_major);
	F("status", ident->status);
	F("heartbeat", ident->heartbeat);
	F("reset_gen", ident->reset_gen);
	F("uptime_ns", ident->uptime_ns);
	F("mbox_doorbell", mbox->doorbell);
	F("mbox_done", mbox->done);
	F("ring_count", c2h->ring_count);
	F("c2h_ctrl", r->ctrl);
	F("c2h_base", (uint64_t)r->base_hi << 32 | r->base_lo);
	F("c2h_size", r->size);
	F("c2h_prod", r->prod);
	F("c2h_cons", r->cons);
	F("c2h_seq", r->seq);
	F("c2h_records", r->records);
	F("c2h_drops", r->drops);
	F("c2h_bytes", r->bytes);
	F("dp_frames", dpc->frames);
	F("dp_bytes", dpc->bytes);
	F("dp_parse_errors", dpc->parse_errors);
	F("dp_matched", dpc->matched);
	F("dp_captured", dpc->captured);
	F("dp_capture_drops", dpc->capture_drops);
	F("dp_punted", dpc->punted);
	F("dp_punt_drops", dpc->punt_drops);
#undef F
	return n;
}

static int cmd_show(const char *key)
{
	struct field f[64];
	char ch[256], name[40];
	size_t n = fields(f), i;

	chain(ch, sizeof(ch));
	memcpy(name, (const void *)(uintptr_t)ident->board_name, 32);
	name[32] = '\0';
	for (i = 0; i < n; i++) {
		if (!key)
			printf("%s %llu\n", f[i].key, (unsigned long long)f[i].v);
		else if (!strcmp(key, f[i].key)) {
			printf("%llu\n", (unsigned long long)f[i].v);
			return 0;
		}
	}
	if (!key) {
		printf("chain %s\n", ch);
		printf("board_name %s\n", name);
		return 0;
	}
	if (!strcmp(key, "chain")) {
		printf("%s\n", ch);
		return 0;
	}
	if (!strcmp(key, "board_name")) {
		printf("%s\n", name);
		return 0;
	}
	fprintf(stderr, "clif-simpeek: no field %s\n", key);
	return 1;
}

/* Sends cmd (64 bytes, opcode set); 0 with cpl, or 3 on a timeout. */
static int mbox_call(struct clif_mbox_cmd *cmd, struct clif_mbox_cpl *cpl)
{
	uint32_t seq = mbox->done + 1u, i, w;
	volatile uint32_t *dst = (volatile uint32_t *)(volatile void *)&mbox->cmd;
	uint64_t end;

	cmd->hdr.seq = seq;
	for (i = 0; i < sizeof(*cmd) / 4u; i++) {
		memcpy(&w, (const uint8_t *)cmd + 4u * i, 4);
		dst[i] = w;
	}
	__atomic_store_n(&mbox->doorbell, seq, __ATOMIC_RELEASE);
	end = now_ns() + 1000000000ull;
	while (__atomic_load_n(&mbox->done, __ATOMIC_ACQUIRE) != seq) {
		if (now_ns() > end) {
			fprintf(stderr, "clif-simpeek: mailbox: no answer to seq %u within 1 s\n", seq);
			return 3;
		}
		nap_ms(1);
	}
	memcpy(cpl, (const void *)(uintptr_t)&mbox->cpl, sizeof(*cpl));
	return 0;
}

static int cmd_mbox(const char *what, int argc, char **argv)
{
	struct clif_mbox_cmd cmd;
	struct clif_mbox_cpl cpl;
	int rc;

	memset(&cmd, 0, sizeof(cmd));
	if (!strcmp(what, "hello")) {
		struct clif_cmd_hello h;

		memset(&h, 0, sizeof(h));
		h.hdr.opcode = CLIF_OP_HELLO;
		h.host_abi_major = CLIF_ABI_MAJOR;
		h.host_abi_minor = CLIF_ABI_MINOR;
		memcpy(&cmd, &h, sizeof(cmd));
	} else if (!strcmp(what, "nop")) {
		cmd.hdr.opcode = CLIF_OP_NOP;
	} else if (!strcmp(what, "stats")) {
		cmd.hdr.opcode = CLIF_OP_TABLE_STATS;
	} else if (!strcmp(what, "reset")) {
		cmd.hdr.opcode = CLIF_OP_RESET;
	} else if (!strcmp(what, "rule") && argc >= 2) {
		struct clif_cmd_rule r;
		unsigned a, b, c, d;

		if (sscanf(argv[1], "%u.%u.%u.%u", &a, &b, &c, &d) != 4 || a > 255 || b > 255 || c > 255 || d > 255)
			die("rule: address A.B.C.D");
		memset(&r, 0, sizeof(r));
		r.hdr.opcode = CLIF_OP_RULE_ADD;
		r.handle = (uint32_t)strtoul(argv[0], NULL, 0);
		r.kind = CLIF_RULE_EXACT;
		r.addr_type = CLIF_ADDR_IPV4;
		r.scope_type = CLIF_SCOPE_ANY;
		r.addr[0] = (uint8_t)a;
		r.addr[1] = (uint8_t)b;
		r.addr[2] = (uint8_t)c;
		r.addr[3] = (uint8_t)d;
		r.actions = CLIF_ACT_CAPTURE;
		memcpy(&cmd, &r, sizeof(cmd));
	} else {
		die("mbox: hello, nop, stats, reset or rule HANDLE A.B.C.D");
	}
	rc = mbox_call(&cmd, &cpl);
	if (rc)
		return rc;
	printf("status %u (%s) result %u", cpl.status, clif_mbox_status_to_str(cpl.status), cpl.result);
	if (cmd.hdr.opcode == CLIF_OP_TABLE_STATS && cpl.status == CLIF_MBOX_OK) {
		struct clif_table_stats ts;

		memcpy(&ts, (const void *)(uintptr_t)mbox->data, sizeof(ts));
		printf(" rule_used %u exact_used %u", ts.rule_used, ts.exact_used);
	}
	printf("\n");
	return cpl.status == CLIF_MBOX_OK ? 0 : 1;
}

static int cmd_arm(uint32_t size, uint64_t off)
{
	volatile struct clif_ring_regs *r = &c2h->ring[0];

	r->ctrl = 0;
	r->base_lo = (uint32_t)off;
	r->base_hi = (uint32_t)(off >> 32);
	r->size = size;
	r->prod = 0;
	r->cons = 0;
	__atomic_store_n(&r->ctrl, CLIF_RING_CTRL_ENABLE, __ATOMIC_RELEASE);
	return 0;
}

/* Consumes every complete record: "seq S vport V cap C orig O match N handle H flags F". */
static int cmd_drain(void)
{
	volatile struct clif_ring_regs *r = &c2h->ring[0];
	uint64_t base = (uint64_t)r->base_hi << 32 | r->base_lo;
	uint32_t size = r->size, prod = __atomic_load_n(&r->prod, __ATOMIC_ACQUIRE), cons = r->cons;
	const uint8_t *ring;

	if (size < CLIF_RING_MIN_SIZE || (size & (size - 1u)) || base + size > hdr->dma_size)
		die("drain: the ring is not armed");
	ring = dma + base;
	while (cons != prod) {
		struct clif_c2h_rec h;
		uint32_t off = cons & (size - 1u);

		memcpy(&h, ring + off, sizeof(h));
		if (h.rec_len < CLIF_REC_HDR_BYTES || h.rec_len % CLIF_REC_ALIGN || h.rec_len > prod - cons ||
		    h.rec_len > size - off) {
			fprintf(stderr, "clif-simpeek: corrupt record at %u (rec_len %u)\n", cons, h.rec_len);
			return 1;
		}
		if (!(h.flags & CLIF_REC_F_PAD))
			printf("seq %u vport %u cap %u orig %u match %u handle %u flags %#x vlan %u ts %llu\n", h.seq,
			       h.vport, h.cap_len, h.orig_len, h.n_match, h.handle[0], h.flags,
			       (h.flags & CLIF_REC_F_VLAN) ? h.vlan : 0u, (unsigned long long)h.ts_ns);
		cons += h.rec_len;
	}
	__atomic_store_n(&r->cons, cons, __ATOMIC_RELEASE);
	return 0;
}

static int cmd_fault(const char *list)
{
	uint32_t f = 0;
	char buf[128], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "no-heartbeat"))
			f |= CLIF_SIM_FAULT_NO_HEARTBEAT;
		else if (!strcmp(tok, "mbox-mute"))
			f |= CLIF_SIM_FAULT_MBOX_MUTE;
		else if (!strcmp(tok, "c2h-stall"))
			f |= CLIF_SIM_FAULT_C2H_STALL;
		else if (strcmp(tok, "0"))
			die("fault: no-heartbeat, mbox-mute, c2h-stall or 0");
	}
	__atomic_store_n(&hdr->fault, f, __ATOMIC_RELEASE);
	return 0;
}

static int cmd_reset(void)
{
	uint32_t gen = ident->reset_gen;
	uint64_t end = now_ns() + 2000000000ull;

	__atomic_store_n(&hdr->reset_request, hdr->reset_request + 1u, __ATOMIC_RELEASE);
	while (ident->reset_gen == gen || ident->status != CLIF_STATUS_READY) {
		if (now_ns() > end) {
			fprintf(stderr, "clif-simpeek: no reset within 2 s\n");
			return 3;
		}
		nap_ms(1);
	}
	printf("%u\n", ident->reset_gen);
	return 0;
}

static int cmd_wait(const char *inst, unsigned secs)
{
	uint64_t end = now_ns() + (uint64_t)secs * 1000000000ull;

	for (;;) {
		if (!map_card(inst, 1)) {
			/* A SIGKILLed cardsim leaves its object (magic and all): its pid tells. */
			if (__atomic_load_n(&hdr->magic, __ATOMIC_ACQUIRE) == CLIF_SIM_MAGIC &&
			    ident->status == CLIF_STATUS_READY && (!kill((pid_t)hdr->cardsim_pid, 0) || errno == EPERM))
				return 0;
			munmap(g_map, g_map_size); /* maybe a stale object about to be replaced */
		}
		if (now_ns() > end) {
			fprintf(stderr, "clif-simpeek: card %s not up within %u s\n", inst, secs);
			return 1;
		}
		nap_ms(10);
	}
}

/* ---- test pcaps ---- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static int cmd_mkpcap(const char *file, unsigned n, unsigned linktype)
{
	static uint8_t frame[9800];
	uint32_t gh[6] = { 0xa1b2c3d4u, 0x00040002u, 0, 0, 65535u, linktype };
	FILE *f = fopen(file, "wb");
	unsigned i;

	if (!f)
		die("mkpcap: cannot create the file");
	fwrite(gh, sizeof(gh), 1, f);
	for (i = 0; i <= n; i++) {
		uint32_t len = i < n ? 60u + i % 7u * 100u : (uint32_t)sizeof(frame);
		uint32_t rh[4] = { 1700000000u + i, 0, len, len };
		uint8_t odd = (uint8_t)(i & 1u);

		memset(frame, 0, len);
		memcpy(frame, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
		put16(frame + 12, 0x0800);
		frame[14] = 0x45;
		put16(frame + 16, (uint16_t)(len - 14u > 0xffffu ? 0xffffu : len - 14u));
		frame[22] = 64;
		frame[23] = 17;
		memcpy(frame + 26, odd ? "\x0a\x01\x00\x03\x0a\x01\x00\x04" : "\x0a\x01\x00\x01\x0a\x01\x00\x02", 8);
		put16(frame + 34, 4000);
		put16(frame + 36, 5000);
		put16(frame + 38, (uint16_t)(len - 34u > 0xffffu ? 0xffffu : len - 34u));
		fwrite(rh, sizeof(rh), 1, f);
		fwrite(frame, len, 1, f);
	}
	return fclose(f) ? 1 : 0;
}

/* One 802.1Q-tagged UDP frame to a broadcast MAC, sent raw on an interface. */
static int cmd_inject(const char *ifname, unsigned vid, const char *ip)
{
	uint8_t f[64];
	struct sockaddr_ll sll;
	unsigned a, b, c, d;
	int fd;

	if (sscanf(ip, "%u.%u.%u.%u", &a, &b, &c, &d) != 4 || a > 255 || b > 255 || c > 255 || d > 255 || vid > 4095)
		die("inject IF VID A.B.C.D");
	memset(f, 0, sizeof(f));
	memset(f, 0xff, 6);
	memcpy(f + 6, "\x02\x00\x00\x00\x00\x09", 6);
	put16(f + 12, 0x8100);
	put16(f + 14, (uint16_t)vid);
	put16(f + 16, 0x0800);
	f[18] = 0x45;
	put16(f + 20, 46 - 4);
	f[26] = 64;
	f[27] = 17;
	memcpy(f + 30, "\x0a\x00\x00\x09", 4);
	f[34] = (uint8_t)a;
	f[35] = (uint8_t)b;
	f[36] = (uint8_t)c;
	f[37] = (uint8_t)d;
	put16(f + 38, 4000);
	put16(f + 40, 5000);
	put16(f + 42, 46 - 24);
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	sll.sll_halen = 6;
	memset(sll.sll_addr, 0xff, 6);
	if (!sll.sll_ifindex)
		die("inject: no such interface");
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0 || sendto(fd, f, sizeof(f), 0, (struct sockaddr *)&sll, sizeof(sll)) != (ssize_t)sizeof(f))
		die("inject: cannot send (root?)");
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (!strcmp(cmd, "mkpcap") && argc >= 4)
		return cmd_mkpcap(argv[2], (unsigned)strtoul(argv[3], NULL, 0),
				  argc > 4 ? (unsigned)strtoul(argv[4], NULL, 0) : 1u);
	if (!strcmp(cmd, "inject") && argc >= 5)
		return cmd_inject(argv[2], (unsigned)strtoul(argv[3], NULL, 0), argv[4]);
	if (argc < 3) {
		fprintf(stderr, "usage: clif-simpeek wait|show|get|fault|reset|mbox|rule|arm|drain N ... "
				"(see tests/sim/simpeek.c)\n");
		return 2;
	}
	if (!strcmp(cmd, "wait"))
		return cmd_wait(argv[2], argc > 3 ? (unsigned)strtoul(argv[3], NULL, 0) : 5u);
	if (map_card(argv[2], 0))
		return 1;
	if (!strcmp(cmd, "show"))
		return cmd_show(NULL);
	if (!strcmp(cmd, "get") && argc > 3)
		return cmd_show(argv[3]);
	if (!strcmp(cmd, "fault") && argc > 3)
		return cmd_fault(argv[3]);
	if (!strcmp(cmd, "reset"))
		return cmd_reset();
	if (!strcmp(cmd, "mbox") && argc > 3)
		return cmd_mbox(argv[3], argc - 4, argv + 4);
	if (!strcmp(cmd, "rule") && argc > 4)
		return cmd_mbox("rule", argc - 3, argv + 3);
	if (!strcmp(cmd, "arm") && argc > 3)
		return cmd_arm((uint32_t)strtoul(argv[3], NULL, 0), argc > 4 ? strtoull(argv[4], NULL, 0) : 0);
	if (!strcmp(cmd, "drain"))
		return cmd_drain();
	fprintf(stderr, "clif-simpeek: unknown command or missing arguments: %s\n", cmd);
	return 2;
}
