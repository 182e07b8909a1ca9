/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * clif-cardsim's shared memory: what a PCIe card exposes to its host (BAR0 and a window of host
 * memory the card writes by DMA), as one POSIX shared-memory object per simulated card,
 * named CLIF_SIM_SHM_PREFIX<instance> (e.g. "/clif-card-0"). libclif's sim backend maps it.
 *
 * Layout: [clif_sim_hdr, 4 KiB][BAR0, CLIF_BAR0_SIZE][DMA region, dma_size bytes].
 * A "DMA address" in this ABI (clif_ring_regs.base_lo/hi) is, on a simulated card, an offset
 * into the DMA region; the host driver owns the region's allocation.
 * The control block is the simulator's own (no real card has it): test fault knobs.
 */
#ifndef CLIF_SIMSHM_H
#define CLIF_SIMSHM_H

#include "abi.h"

#define CLIF_SIM_SHM_PREFIX "/clif-card-"
#define CLIF_SIM_MAGIC 0x4d495343u /* "CSIM" */
#define CLIF_SIM_VERSION 1u
#define CLIF_SIM_HDR_BYTES 4096u

/* clif_sim_hdr.fault: test fault knobs, set by tests (clif-cardsim --fault or libclif tests). */
/* Hosts serialise their mailbox commands with a lock file named after the card (libclif,
 * hostdrv/lib/mbox_lock.c: LOCK_DIR "/clif-mbox-" and the card name with ':' as '-'); for
 * card sim:N that is this path, which clif-cardsim removes when the card goes away. */
#define CLIF_SIM_MBOX_LOCK_FMT "/dev/shm/clif-mbox-sim-%u"

#define CLIF_SIM_FAULT_NO_HEARTBEAT 0x1u /* the firmware stops ticking the heartbeat */
#define CLIF_SIM_FAULT_MBOX_MUTE 0x2u    /* the firmware stops answering the mailbox */
#define CLIF_SIM_FAULT_C2H_STALL 0x4u    /* the data plane treats the C2H ring as full */

struct clif_sim_hdr {
	uint32_t magic;          /* CLIF_SIM_MAGIC, written last when the card is up */
	uint32_t version;        /* CLIF_SIM_VERSION */
	uint32_t bar0_off;       /* CLIF_SIM_HDR_BYTES */
	uint32_t bar0_size;      /* CLIF_BAR0_SIZE */
	uint64_t dma_off;        /* bar0_off + bar0_size */
	uint64_t dma_size;
	uint32_t cardsim_pid;
	uint32_t fault;          /* CLIF_SIM_FAULT_* */
	uint32_t reset_request;  /* a write of a new value asks the card to reset (like a PCIe FLR) */
	uint32_t rsvd0;
	uint64_t frames_in;      /* frames the traffic source delivered */
	uint64_t frames_out;     /* frames forwarded */
	uint32_t rsvd[1008];
};
_Static_assert(sizeof(struct clif_sim_hdr) == CLIF_SIM_HDR_BYTES, "clif_sim_hdr is 4 KiB");
_Static_assert(offsetof(struct clif_sim_hdr, fault) == 36, "sim fault offset");

#endif /* CLIF_SIMSHM_H */
