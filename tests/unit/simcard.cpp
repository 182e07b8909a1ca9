// SPDX-License-Identifier: BSD-3-Clause
// The libclif suites' simulated card (simcard.h).
#include "simcard.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

extern "C" {
#include "clif/bar.h"
}

#include "fw_fixture.h"
#include "fw_port_fake.h"

#include <CppUTest/TestHarness.h>

namespace {

const uint32_t QUEUE = 64; // frames in flight between the test and the card thread
const uint32_t PUNT_BYTES = 16384;

struct queued {
	struct pkt_buf f;
	uint16_t vport;
};

struct state {
	char shm_name[64];
	char card_name[64];
	uint8_t *base;
	size_t len;
	struct simcard_view v;
	struct fw_resources res;
	struct fw fw;
	struct clif_tblwin_regs tw;
	struct clif_ring_regs punt;
	alignas(64) uint8_t punt_mem[PUNT_BYTES];
	pthread_t th;
	// test -> card
	uint32_t stop, paused, inject; // inject: status + 1, 0 for none
	// the frame queue: the test writes q_tail, the card q_head
	struct queued q[QUEUE];
	uint32_t q_head, q_tail;
	// card -> test
	uint32_t rounds, paused_seen;
	uint32_t last_reset_request;
	alignas(64) struct dp_beat in[CLIF_DP_MAX_BEATS];
	alignas(64) struct dp_beat fwd[CLIF_DP_MAX_BEATS];
};

state s;

uint64_t now_ns()
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint32_t ld(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

void st(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

void clear_c2h_regs()
{
	volatile struct clif_ring_regs *r = s.v.c2h;

	r->ctrl = 0;
	r->base_lo = 0;
	r->base_hi = 0;
	r->size = 0;
	r->prod = 0;
	r->cons = 0;
	r->seq = 0;
	r->records = 0;
	r->drops = 0;
	r->bytes = 0;
}

// One frame through the data plane, into the C2H ring where the host put it.
void run_frame(const struct queued &q)
{
	volatile struct clif_ring_regs *regs = s.v.c2h;
	uint64_t base = (uint64_t)regs->base_hi << 32 | regs->base_lo;
	uint32_t size = regs->size;
	struct clif_ring_regs off;
	struct dp_meta meta;
	struct dp_ring c2h, punt = { &s.punt, s.punt_mem };
	uint32_t beats = (q.f.len + CLIF_DP_BEAT_BYTES - 1u) / CLIF_DP_BEAT_BYTES;

	memset(s.in, 0, (beats < CLIF_DP_MAX_BEATS ? beats + 1u : beats) * sizeof(s.in[0]));
	memcpy(s.in, q.f.b, q.f.len);
	memset(&meta, 0, sizeof(meta));
	meta.frame_len = q.f.len;
	meta.vport = q.vport;
	meta.ts_ns = now_ns();
	if (base % CLIF_REC_ALIGN == 0 && base <= s.v.dma_size && size <= s.v.dma_size - base) {
		c2h.regs = regs;
		c2h.mem = s.v.dma + base;
		clif_dp_frame(s.in, s.fwd, &meta, c2h, punt, s.v.ctr);
		return;
	}
	// A ring outside the DMA region: the card drops (a DMA to nowhere would fault).
	memset(&off, 0, sizeof(off));
	off.seq = regs->seq;
	off.drops = regs->drops;
	c2h.regs = &off;
	c2h.mem = nullptr;
	clif_dp_frame(s.in, s.fwd, &meta, c2h, punt, s.v.ctr);
	regs->seq = off.seq;
	regs->drops = off.drops;
}

void answer_injected(uint32_t status)
{
	volatile struct clif_mbox_block *mb = s.v.mbox;
	uint32_t seq = __atomic_load_n(&mb->doorbell, __ATOMIC_ACQUIRE);

	mb->cpl.seq = seq;
	mb->cpl.status = (uint16_t)status;
	mb->cpl.opcode = mb->cmd.hdr.opcode;
	mb->cpl.result = 0;
	mb->cpl.data_len = 0;
	mb->cpl.rsvd = 0;
	__atomic_store_n(&mb->done, seq, __ATOMIC_RELEASE);
	s.fw.last_seq = seq;
}

void *card_thread(void *)
{
	while (!ld(&s.stop)) {
		volatile struct clif_mbox_block *mb = s.v.mbox;
		uint32_t req = __atomic_load_n(&s.v.hdr->reset_request, __ATOMIC_ACQUIRE);
		uint32_t fault = __atomic_load_n(&s.v.hdr->fault, __ATOMIC_ACQUIRE);
		uint32_t paused = ld(&s.paused);
		uint32_t inject = ld(&s.inject); // before the doorbell: see simcard_inject_status()
		bool pending = __atomic_load_n(&mb->doorbell, __ATOMIC_ACQUIRE) != s.fw.last_seq;
		int work = 0;

		g_fake_now_ns = now_ns();
		if (req != s.last_reset_request) { // a function-level reset: ring registers and tables
			s.last_reset_request = req;
			s.v.ident->status = CLIF_STATUS_RESET;
			clear_c2h_regs();
			fw_reset(&s.fw);
			work = 1;
		}
		if (inject) { // the firmware sits out while an answer is armed
			if (pending) {
				answer_injected(inject - 1u);
				st(&s.inject, 0);
				work = 1;
			}
		} else if (!paused && !(fault & (CLIF_SIM_FAULT_MBOX_MUTE | CLIF_SIM_FAULT_NO_HEARTBEAT))) {
			// A RESET command clears the ring registers as a reset does, before it completes.
			if (pending && mb->cmd.hdr.opcode == CLIF_OP_RESET)
				clear_c2h_regs();
			work |= fw_poll(&s.fw);
		}
		while (ld(&s.q_head) != ld(&s.q_tail)) {
			uint32_t h = ld(&s.q_head);

			if (!(fault & CLIF_SIM_FAULT_C2H_STALL))
				run_frame(s.q[h % QUEUE]);
			__atomic_add_fetch(&s.v.hdr->frames_in, 1, __ATOMIC_RELAXED);
			st(&s.q_head, h + 1u);
			work = 1;
		}
		st(&s.paused_seen, paused);
		__atomic_add_fetch(&s.rounds, 1, __ATOMIC_ACQ_REL);
		if (!work) {
			struct timespec nap = { 0, 20000 };

			nanosleep(&nap, nullptr);
		}
	}
	return nullptr;
}

void wait_rounds(uint32_t n)
{
	uint32_t r0 = ld(&s.rounds);

	while (ld(&s.rounds) - r0 < n)
		sched_yield();
}

} // namespace

void simcard_start(uint64_t dma_size)
{
	uint8_t *bar0;
	int fd;

	memset(&s, 0, sizeof(s));
	snprintf(s.shm_name, sizeof(s.shm_name), "%s%u", CLIF_SIM_SHM_PREFIX, 900000u + (unsigned)getpid() % 90000u);
	snprintf(s.card_name, sizeof(s.card_name), "sim:%u", 900000u + (unsigned)getpid() % 90000u);
	shm_unlink(s.shm_name);
	fd = shm_open(s.shm_name, O_RDWR | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0);
	s.len = CLIF_SIM_HDR_BYTES + CLIF_BAR0_SIZE + dma_size;
	CHECK(ftruncate(fd, (off_t)s.len) == 0);
	s.base = (uint8_t *)mmap(nullptr, s.len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	CHECK(s.base != MAP_FAILED);

	bar0 = s.base + CLIF_SIM_HDR_BYTES;
	s.v.hdr = (struct clif_sim_hdr *)(void *)s.base;
	s.v.ident = (volatile struct clif_ident *)(void *)(bar0 + CLIF_BAR0_OFF_IDENT);
	s.v.mbox = (volatile struct clif_mbox_block *)(void *)(bar0 + CLIF_BAR0_OFF_MBOX);
	s.v.c2h = &((volatile struct clif_c2h_block *)(void *)(bar0 + CLIF_BAR0_OFF_C2H))->ring[0];
	s.v.ctr = (volatile struct clif_dp_counters *)(void *)(bar0 + CLIF_BAR0_OFF_DPCTR);
	s.v.dma = bar0 + CLIF_BAR0_SIZE;
	s.v.dma_size = dma_size;
	s.v.fw = &s.fw;

	// The BAR's block chain, as a platform lays it out.
	s.v.ident->hdr.next_off = CLIF_BAR0_OFF_MBOX;
	s.v.mbox->hdr.type = CLIF_BLK_MBOX;
	s.v.mbox->hdr.size = sizeof(struct clif_mbox_block);
	s.v.mbox->hdr.next_off = CLIF_BAR0_OFF_C2H;
	volatile struct clif_c2h_block *c2h = (volatile struct clif_c2h_block *)(void *)(bar0 + CLIF_BAR0_OFF_C2H);
	c2h->hdr.type = CLIF_BLK_C2H;
	c2h->hdr.size = sizeof(struct clif_c2h_block);
	c2h->hdr.next_off = CLIF_BAR0_OFF_DPCTR;
	c2h->ring_count = 1;
	s.v.ctr->hdr.type = CLIF_BLK_DPCTR;
	s.v.ctr->hdr.size = sizeof(struct clif_dp_counters);

	// The data plane (its geometry served once) and the firmware on top.
	clif_dp_reset();
	clif_dp_tblwin(&s.tw);
	s.punt.size = PUNT_BYTES;
	g_fake_after_doorbell = nullptr;
	g_fake_console.clear();
	g_fake_console.reserve(1u << 20); // the card thread appends without allocating
	g_fake_now_ns = now_ns();
	s.res.ident = s.v.ident;
	s.res.mbox = s.v.mbox;
	s.res.tw = &s.tw;
	s.res.punt = &s.punt;
	s.res.punt_mem = s.punt_mem;
	s.res.arena = g_arena;
	s.res.arena_size = g_arena_size;
	s.res.board_name = "libclif-test-card";
	s.res.compatible = "clif,unit";
	s.res.board_id = 7;
	LONGS_EQUAL(CLIF_MBOX_OK, fw_init(&s.fw, &s.res));

	s.v.hdr->version = CLIF_SIM_VERSION;
	s.v.hdr->bar0_off = CLIF_SIM_HDR_BYTES;
	s.v.hdr->bar0_size = CLIF_BAR0_SIZE;
	s.v.hdr->dma_off = CLIF_SIM_HDR_BYTES + CLIF_BAR0_SIZE;
	s.v.hdr->dma_size = dma_size;
	s.v.hdr->cardsim_pid = (uint32_t)getpid();
	__atomic_store_n(&s.v.hdr->magic, CLIF_SIM_MAGIC, __ATOMIC_RELEASE); // last: the card is up
	LONGS_EQUAL(0, pthread_create(&s.th, nullptr, card_thread, nullptr));
}

void simcard_stop()
{
	st(&s.stop, 1);
	pthread_join(s.th, nullptr);
	munmap(s.base, s.len);
	shm_unlink(s.shm_name);
	// libclif's mailbox lock file goes with the card, as clif-cardsim removes it.
	char lock[64];
	snprintf(lock, sizeof(lock), CLIF_SIM_MBOX_LOCK_FMT, 900000u + (unsigned)getpid() % 90000u);
	unlink(lock);
	g_fake_after_doorbell = nullptr;
	std::string().swap(g_fake_console);
}

const char *simcard_name()
{
	return s.card_name;
}

struct simcard_view simcard()
{
	return s.v;
}

void simcard_frame(const struct pkt_buf &f, uint16_t vport)
{
	uint32_t t = ld(&s.q_tail);

	while (t - ld(&s.q_head) >= QUEUE)
		sched_yield();
	s.q[t % QUEUE].f = f;
	s.q[t % QUEUE].vport = vport;
	st(&s.q_tail, t + 1u);
}

void simcard_idle()
{
	while (ld(&s.q_head) != ld(&s.q_tail))
		sched_yield();
	wait_rounds(2);
}

void simcard_pause(bool paused)
{
	st(&s.paused, paused ? 1u : 0u);
	while (ld(&s.paused_seen) != (paused ? 1u : 0u))
		sched_yield();
	wait_rounds(1);
}

void simcard_inject_status(int status)
{
	st(&s.inject, status < 0 ? 0u : (uint32_t)status + 1u);
	wait_rounds(2); // every round from now on sees it before it looks at the doorbell
}

void simcard_flr()
{
	uint32_t gen = s.v.ident->reset_gen;

	__atomic_add_fetch(&s.v.hdr->reset_request, 1, __ATOMIC_ACQ_REL);
	while (s.v.ident->reset_gen == gen)
		sched_yield();
	wait_rounds(1);
}
