/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The card itself: the firmware core behind the host port (fw/port.h), its service thread
 * with the simulator's reset and fault knobs, and the data-plane model fed in bursts.
 *
 * The C2H ring's registers live in BAR0, where the host may rewrite them at any moment. The
 * data plane never works on them directly: each burst runs on a private copy whose memory
 * pointer has been checked against the DMA region (a ring the region cannot hold, or one under
 * the c2h-stall fault, is passed disabled, so every copy is dropped and counted), and what the
 * card owns (prod, seq, records, drops, bytes) is written back afterwards, prod last.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cardsim.h"
#include "fw/fw.h"
#include "fw/log.h"
#include "fw/port.h"

#if defined(__has_include)
#if __has_include("fw_build_id.h")
#include "fw_build_id.h"
#endif
#endif

static struct fw g_fw;
static pthread_t g_fw_tid;
static int g_fw_started;
static _Thread_local int t_is_fw; /* set on the firmware thread */

/* Frame buffers: one burst in, one burst forwarded (no allocation on the data path). */
static struct dp_beat g_in[CLIF_DP_BURST][CLIF_DP_MAX_BEATS];
static struct dp_beat g_fwd[CLIF_DP_BURST][CLIF_DP_MAX_BEATS];

uint8_t *cs_frame_buf(uint32_t i)
{
	return (uint8_t *)g_in[i];
}

const uint8_t *cs_fwd_buf(uint32_t i)
{
	return (const uint8_t *)g_fwd[i];
}

/* ---- the host port of the firmware (fw/port.h) ---- */

static char g_line[512];
static size_t g_line_len;

void plat_putc(char c)
{
	if (c == '\r')
		return;
	if (c != '\n' && g_line_len < sizeof(g_line) - 1u) {
		g_line[g_line_len++] = c;
		return;
	}
	g_line[g_line_len] = '\0';
	if (!g_cs.o.quiet || strstr(g_line, "panic") || strstr(g_line, "assert"))
		cs_info("%s", g_line);
	g_line_len = 0;
	if (c != '\n')
		plat_putc(c);
}

uint64_t plat_now_ns(void)
{
	return cs_mono_ns();
}

/*
 * The firmware stopped (assertion, panic). As on a card, the data plane keeps forwarding and
 * the host sees the identity status FAULT and a heartbeat that no longer ticks. During start-up
 * (fw_init on the main thread) clif-cardsim gives up instead.
 */
void plat_stop(int status)
{
	if (g_cs.ident)
		g_cs.ident->status = CLIF_STATUS_FAULT;
	if (t_is_fw) {
		cs_err("firmware stopped with status %d: the card stays up in FAULT, data plane running", status);
		__atomic_store_n(&g_cs.fw_stopped, 1, __ATOMIC_RELEASE);
		pthread_exit(NULL);
	}
	cs_err("firmware stopped with status %d during start-up", status);
	cs_shm_destroy(&g_cs);
	exit(1);
}

static void c2h_clear(volatile struct clif_ring_regs *r)
{
	static const struct clif_ring_regs zero;

	*r = zero;
}

/*
 * The window's RESET command is the card reset seen from the data plane: the firmware issues
 * it only from fw_reset() (a mailbox RESET or a reset_request) and at fw_init(). With the
 * tables, the C2H ring registers go back to zero, before the reset completes (before RESET's
 * completion or the new reset_gen is visible), so the host re-arms the ring after every reset.
 */
void plat_tw_doorbell(volatile struct clif_tblwin_regs *tw)
{
	pthread_mutex_lock(&g_cs.dp_lock); /* window commands run between frames */
	if (tw->cmd == CLIF_TW_CMD_RESET && g_cs.c2h)
		c2h_clear(&g_cs.c2h->ring[0]);
	clif_dp_tblwin(tw);
	pthread_mutex_unlock(&g_cs.dp_lock);
}

void plat_idle(void)
{
	struct timespec ts = { 0, CS_IDLE_NS };

	nanosleep(&ts, NULL);
}

/* ---- start-up ---- */

int cs_card_init(struct cardsim *cs)
{
	struct fw_resources res;
	int rc;

	clif_dp_reset();
	memset(&cs->tw, 0, sizeof(cs->tw));
	cs->tw.cmd = CLIF_TW_CMD_NONE;
	clif_dp_tblwin(&cs->tw); /* publishes the geometry fw_init() reads */

	cs->punt_mem = aligned_alloc(64, CS_PUNT_SIZE);
	cs->arena = malloc(CS_ARENA_SIZE);
	if (!cs->punt_mem || !cs->arena) {
		cs_err("out of memory for the firmware arena (%zu bytes)", CS_ARENA_SIZE);
		return -1;
	}
	memset(&cs->punt, 0, sizeof(cs->punt));
	cs->punt.size = CS_PUNT_SIZE; /* card memory: base is the model's pointer, not a DMA address */

	memset(&res, 0, sizeof(res));
	res.ident = cs->ident;
	res.mbox = cs->mbox;
	res.tw = &cs->tw;
	res.punt = &cs->punt;
	res.punt_mem = cs->punt_mem;
	res.arena = cs->arena;
	res.arena_size = CS_ARENA_SIZE;
	res.board_name = "clif-cardsim";
	res.compatible = "clif,sim";
	res.board_id = 0;
	cs_info("cardsim: firmware arena %zu MiB, punt ring %u KiB", CS_ARENA_SIZE >> 20, CS_PUNT_SIZE >> 10);
	rc = fw_init(&g_fw, &res);
	if (rc != CLIF_MBOX_OK) {
		cs_err("fw_init: %s (%d)", clif_mbox_status_to_str((uint32_t)rc), rc);
		return -1;
	}
#ifdef FW_BUILD_ID
	{
		/* The host build of the core has no build id; the card reports clif-cardsim's. */
		static const char id[] = FW_BUILD_ID;
		size_t i;

		for (i = 0; i < sizeof(cs->ident->build_id); i++)
			cs->ident->build_id[i] = i < sizeof(id) - 1u ? (uint8_t)id[i] : 0u;
	}
#endif
	return 0;
}

/* ---- the firmware thread ---- */

/*
 * A function-level reset (clif_sim_hdr.reset_request changed), served even while the firmware
 * is muted: the firmware's card reset (tables, learner, punt ring, reset_gen; the C2H ring
 * registers through plat_tw_doorbell). Data-plane counters and the mailbox registers keep
 * their values.
 */
static void card_flr(struct cardsim *cs)
{
	cs->ident->status = CLIF_STATUS_RESET;
	fw_reset(&g_fw);
}

/*
 * Adaptive polling. For CS_BUSY_NS after a round with work (a mailbox command, punted frames)
 * the loop goes round again at once, yielding the core in between, and only then falls back
 * to sleeping CS_IDLE_NS a round. A burst of commands (clifd adds one rule per ActivateTask,
 * up to 64 in one X1 request, each a mailbox round trip) is so served within microseconds,
 * while the host still spins for the answer, instead of after an idle sleep (50 us plus the
 * kernel's timer slack) and a nap of the host's. A card with nothing to do sleeps as before.
 */
static void *fw_thread(void *arg)
{
	struct cardsim *cs = arg;
	uint32_t last_rr = __atomic_load_n(&cs->hdr->reset_request, __ATOMIC_ACQUIRE);
	int hb_frozen = 0;
	uint64_t busy_until = 0; /* plat_now_ns() until which the loop does not sleep */

	t_is_fw = 1;
	while (!cs_stopping()) {
		uint32_t fault = __atomic_load_n(&cs->hdr->fault, __ATOMIC_ACQUIRE);
		uint32_t rr = __atomic_load_n(&cs->hdr->reset_request, __ATOMIC_ACQUIRE);

		if (rr != last_rr) {
			last_rr = rr;
			card_flr(cs);
		}
		if (fault & CLIF_SIM_FAULT_MBOX_MUTE) { /* a hung firmware: nothing runs */
			plat_idle();
			continue;
		}
		/* no-heartbeat: the loop runs, the tick never comes due; it resumes one period later. */
		if (fault & CLIF_SIM_FAULT_NO_HEARTBEAT) {
			g_fw.next_heartbeat_ns = UINT64_MAX;
			hb_frozen = 1;
		} else if (hb_frozen) {
			g_fw.next_heartbeat_ns = plat_now_ns() + g_fw.heartbeat_ns;
			hb_frozen = 0;
		}
		if (fw_poll(&g_fw))
			busy_until = plat_now_ns() + CS_BUSY_NS;
		else if (plat_now_ns() < busy_until)
			sched_yield();
		else
			plat_idle();
	}
	return NULL;
}

int cs_fw_start(struct cardsim *cs)
{
	int rc = pthread_create(&g_fw_tid, NULL, fw_thread, cs);

	if (rc) {
		cs_err("cannot start the firmware thread: %s", strerror(rc));
		return -1;
	}
	g_fw_started = 1;
	return 0;
}

void cs_fw_join(void)
{
	if (g_fw_started)
		pthread_join(g_fw_tid, NULL);
	g_fw_started = 0;
}

/* ---- the data plane ---- */

static int ring_size_ok(uint32_t size)
{
	return size >= CLIF_RING_MIN_SIZE && (size & (size - 1u)) == 0;
}

/* Delivery time: CLOCK_REALTIME, never going backwards. */
static uint64_t delivery_ts(struct cardsim *cs)
{
	struct timespec ts;
	uint64_t t;

	clock_gettime(CLOCK_REALTIME, &ts);
	t = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	if (t < cs->last_ts)
		t = cs->last_ts;
	cs->last_ts = t;
	return t;
}

void cs_dp_run(struct cardsim *cs, struct cs_burst *b)
{
	static const struct dp_beat *in[CLIF_DP_BURST];
	static struct dp_beat *fwd[CLIF_DP_BURST];
	volatile struct clif_ring_regs *r = &cs->c2h->ring[0];
	struct clif_ring_regs s, p;
	struct dp_ring c2h, punt;
	uint64_t base;
	uint32_t i, fault;

	if (!b->n)
		return;
	if (!in[0])
		for (i = 0; i < CLIF_DP_BURST; i++) {
			in[i] = g_in[i];
			fwd[i] = g_fwd[i];
		}
	for (i = 0; i < b->n; i++)
		b->meta[i].ts_ns = delivery_ts(cs);
	fault = __atomic_load_n(&cs->hdr->fault, __ATOMIC_ACQUIRE);

	pthread_mutex_lock(&cs->dp_lock);
	memset(&s, 0, sizeof(s));
	s.base_lo = r->base_lo;
	s.base_hi = r->base_hi;
	s.size = r->size;
	s.ctrl = r->ctrl;
	s.prod = r->prod;
	s.seq = r->seq;
	s.records = r->records;
	s.drops = r->drops;
	s.bytes = r->bytes;
	s.cons = __atomic_load_n(&r->cons, __ATOMIC_ACQUIRE);
	p = s;
	base = (uint64_t)s.base_hi << 32 | s.base_lo;
	c2h.regs = &p;
	c2h.mem = cs->dma; /* never used unless the ring below is enabled and inside the region */
	if ((fault & CLIF_SIM_FAULT_C2H_STALL) || !ring_size_ok(s.size) || base > cs->o.dma_size ||
	    s.size > cs->o.dma_size - base)
		p.ctrl &= ~CLIF_RING_CTRL_ENABLE;
	else
		c2h.mem = cs->dma + base;
	punt.regs = &cs->punt;
	punt.mem = cs->punt_mem;

	clif_dp_burst(in, fwd, b->meta, b->n, c2h, punt, cs->dpctr);

	if (p.seq != s.seq)
		r->seq = r->seq + (p.seq - s.seq);
	if (p.records != s.records)
		r->records = r->records + (p.records - s.records);
	if (p.drops != s.drops)
		r->drops = r->drops + (p.drops - s.drops);
	if (p.bytes != s.bytes)
		r->bytes = r->bytes + (p.bytes - s.bytes);
	if (p.prod != s.prod)
		__atomic_store_n(&r->prod, p.prod, __ATOMIC_RELEASE); /* last: the records below it are written */
	pthread_mutex_unlock(&cs->dp_lock);

	cs->frames_in += b->n;
	__atomic_store_n(&cs->hdr->frames_in, cs->frames_in, __ATOMIC_RELEASE);
}

void cs_frames_out(struct cardsim *cs, uint64_t n)
{
	cs->frames_out += n;
	__atomic_store_n(&cs->hdr->frames_out, cs->frames_out, __ATOMIC_RELEASE);
}

void cs_wait_drained(struct cardsim *cs)
{
	volatile struct clif_ring_regs *r = &cs->c2h->ring[0];
	uint64_t end = cs_mono_ns() + CS_DRAIN_WAIT_NS;

	while (!cs_stopping() && cs_mono_ns() < end) {
		if (!(r->ctrl & CLIF_RING_CTRL_ENABLE) ||
		    __atomic_load_n(&r->cons, __ATOMIC_ACQUIRE) == __atomic_load_n(&r->prod, __ATOMIC_ACQUIRE))
			return;
		cs_sleep_ns(1000000ull);
	}
	if (!cs_stopping())
		cs_info("cardsim: the host left %u bytes in the C2H ring", r->prod - r->cons);
}

int cs_wait_armed(struct cardsim *cs)
{
	volatile struct clif_ring_regs *r = &cs->c2h->ring[0];

	cs_info("cardsim: holding the traffic until the host enables the C2H ring");
	while (!(__atomic_load_n(&r->ctrl, __ATOMIC_ACQUIRE) & CLIF_RING_CTRL_ENABLE)) {
		if (cs_stopping())
			return -1;
		cs_sleep_ns(1000000ull);
	}
	return 0;
}
