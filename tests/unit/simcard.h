// SPDX-License-Identifier: BSD-3-Clause
// An in-process simulated card for the libclif suites: the shared-memory object of
// include/clif/simshm.h (so libclif's sim backend maps it as it maps clif-cardsim), served by a
// thread that runs the real firmware core (fw_poll) and the real data plane (clif_dp_frame into
// the C2H ring in the shared DMA region). Fast and deterministic: frames go through the data
// plane in the card thread between two firmware rounds, in the order the test queued them.
// The firmware's port is fw_port_fake.cpp; while the card runs, its thread owns the firmware
// clock (g_fake_now_ns follows CLOCK_MONOTONIC) and the console.
#ifndef CLIF_TESTS_UNIT_SIMCARD_H
#define CLIF_TESTS_UNIT_SIMCARD_H

#include <stdint.h>

extern "C" {
#include "clif/simshm.h"
#include "dp.h"
#include "fw/fw.h"
#include "tb/pktgen.h"
}

struct simcard_view {
	struct clif_sim_hdr *hdr;
	volatile struct clif_ident *ident;
	volatile struct clif_mbox_block *mbox;
	volatile struct clif_ring_regs *c2h;
	volatile struct clif_dp_counters *ctr;
	uint8_t *dma;
	uint64_t dma_size;
	struct fw *fw; // the firmware's state (read it only while the card is paused)
};

// Creates the shared memory (dma_size bytes of DMA region), boots the firmware and starts the
// card thread. The card's name for clif_open() is simcard_name() ("sim:<n>", n unique to the
// process). Checks everything with CppUTest macros.
void simcard_start(uint64_t dma_size = 8u << 20);
// Stops the thread, unlinks the shared memory, gives the console's memory back.
void simcard_stop();
const char *simcard_name();
struct simcard_view simcard();

// Queues a frame (copied) for the data plane; blocks while the queue is full.
void simcard_frame(const struct pkt_buf &f, uint16_t vport = 0);
// Returns once every queued frame went through the data plane and the firmware ran a round.
void simcard_idle();
// Firmware paused (no mailbox answers, no heartbeat) or running again; returns once the card
// thread saw it. Frames and resets (the hardware) go on while the firmware is paused.
void simcard_pause(bool paused);
// The card itself answers the next command with this status (-1: the firmware answers).
void simcard_inject_status(int status);
// A function-level reset through the control block (reset_request); returns once the card's
// reset generation moved. The C2H ring registers are cleared, the tables emptied.
void simcard_flr();

#endif // CLIF_TESTS_UNIT_SIMCARD_H
