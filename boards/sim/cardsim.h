/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * clif-cardsim: a CLIF card as a host process (boards/sim/README.md). BAR0 and the DMA region
 * live in one POSIX shared-memory object (include/clif/simshm.h); the firmware core runs in
 * one thread, the data-plane model with its traffic source in another.
 */
#ifndef CARDSIM_H
#define CARDSIM_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "clif/bar.h"
#include "clif/c2h.h"
#include "clif/dpctr.h"
#include "clif/ident.h"
#include "clif/mbox.h"
#include "clif/simshm.h"
#include "clif/tblwin.h"
#include "dp.h"

#define CS_DMA_DEFAULT (64ull << 20)
#define CS_DMA_MAX (64ull << 30)
#define CS_PUNT_SIZE (256u << 10)
#define CS_ARENA_SIZE ((size_t)64 << 20)
#define CS_INSTANCE_MAX 65535u
#define CS_IDLE_NS 50000L            /* firmware loop sleep when a round found nothing to do */
#define CS_BUSY_NS 2000000ull        /* ... once this long has passed since the last round with work */
#define CS_DRAIN_WAIT_NS 5000000000ull /* --exit-after-source: bound on waiting for the host */

enum cs_source { CS_SRC_NONE, CS_SRC_PCAP, CS_SRC_GEN, CS_SRC_WIRE };

struct cs_opts {
	unsigned instance;
	uint64_t dma_size;
	enum cs_source src;
	const char *pcap;
	uint64_t loops;    /* pcap passes; 0 = forever */
	uint64_t rate;     /* frames per second; 0 = as fast as possible */
	uint64_t gen_frames; /* 0 = until stopped */
	uint64_t seed;
	const char *if_a, *if_b;
	uint32_t fault;
	int exit_after_source;
	int wait_ring;
	int hold;     /* --hold: the source waits for SIGUSR1 */
	int quiet;
};

/* The data plane's view of a traffic source's burst. */
struct cs_burst {
	uint32_t n;
	struct dp_meta meta[CLIF_DP_BURST];
	uint8_t side[CLIF_DP_BURST]; /* wire: 0 received on A, 1 on B */
};

struct cardsim {
	struct cs_opts o;

	/* shared memory */
	char shm_name[32];
	int shm_fd;
	void *map;
	size_t map_size;
	volatile struct clif_sim_hdr *hdr;
	volatile struct clif_ident *ident;
	volatile struct clif_mbox_block *mbox;
	volatile struct clif_c2h_block *c2h;
	volatile struct clif_dp_counters *dpctr;
	uint8_t *dma;

	/* card-internal resources */
	struct clif_tblwin_regs tw;
	struct clif_ring_regs punt;
	uint8_t *punt_mem;
	void *arena;

	pthread_mutex_t dp_lock; /* clif_dp_burst() against clif_dp_tblwin() and resets */
	int stop;                /* __atomic; set by main on a signal */
	int fw_stopped;          /* __atomic; the firmware called plat_stop() */
	unsigned released;       /* __atomic; --hold: SIGUSR1s main got, each one a play of the source */
	int source_done;         /* __atomic; --exit-after-source: the traffic thread's SIGUSR1 */

	/* traffic source state (wire sockets are opened before the card comes up) */
	int wire_fd[2];
	int wire_ifindex[2];

	/* statistics (traffic thread) */
	uint64_t frames_in, frames_out, oversize, tx_errors, short_caps;
	uint64_t last_ts;
};

extern struct cardsim g_cs;

/* main.c */
void cs_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cs_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cs_stopping(void);
void cs_sleep_ns(uint64_t ns); /* bounded sleep, returns early once stopping */
uint64_t cs_mono_ns(void);

/* shm.c: creates, fills (all but the magic) and maps the object; 0 or -1 (message printed). */
int cs_shm_create(struct cardsim *cs);
void cs_shm_publish(struct cardsim *cs); /* writes the magic */
void cs_shm_destroy(struct cardsim *cs);

/* card.c: the firmware and the data plane */
int cs_card_init(struct cardsim *cs);
int cs_fw_start(struct cardsim *cs); /* the firmware thread: fw_poll(), resets, fault knobs */
void cs_fw_join(void);
/* Input frames (CLIF_DP_MAX_BEATS beats each) sources fill, and the forwarded output. */
uint8_t *cs_frame_buf(uint32_t i);
const uint8_t *cs_fwd_buf(uint32_t i);
/* Runs b->n frames through the data plane (timestamps set here); updates frames_in. */
void cs_dp_run(struct cardsim *cs, struct cs_burst *b);
void cs_frames_out(struct cardsim *cs, uint64_t n);
/* --exit-after-source: waits (bounded) until the host consumed the C2H ring. */
void cs_wait_drained(struct cardsim *cs);
/* --wait-ring: waits until the host enabled the C2H ring; 0, or -1 when stopping. */
int cs_wait_armed(struct cardsim *cs);

/* source.c */
int cs_source_open(struct cardsim *cs);  /* validates the source before the card comes up */
void *cs_traffic_thread(void *arg);
void cs_source_close(struct cardsim *cs);
int cs_source_failed(void); /* the pcap could not be read to its end */

#endif /* CARDSIM_H */
