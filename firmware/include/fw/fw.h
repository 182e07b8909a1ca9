/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The firmware core: identity block, mailbox server, table manager, learner and health, run
 * from one service loop. Platforms call fw_init() once, then fw_poll() forever.
 */
#ifndef FW_FW_H
#define FW_FW_H

#include <stdint.h>

#include "learn.h"
#include "port.h"
#include "tblmgr.h"

#define FW_VERSION_MAJOR 0u
#define FW_VERSION_MINOR 1u
#define FW_VERSION_PATCH 0u
#define FW_HEARTBEAT_NS 100000000ull /* the identity block's heartbeat ticks every 100 ms */
#define FW_MAX_RULES 65536u

struct fw_counters {
	uint64_t commands;                          /* mailbox commands answered */
	uint64_t status[CLIF_MBOX_STATUS_COUNT];    /* answers by status */
	uint64_t punt_records;                      /* punt-ring records consumed */
	uint64_t punt_bad;                          /* punt-ring records that did not hold together */
	uint64_t resets;
};

struct fw {
	struct fw_resources res;
	struct tblmgr tm;
	struct learner learn;
	struct fw_counters ctr;
	uint32_t last_seq;          /* mailbox seq last answered */
	uint64_t next_heartbeat_ns;
	uint64_t boot_ns;
	uint32_t learn_enabled;
};

/*
 * Brings the core up on res: resets the tables, carves the table manager and learner from the
 * arena, fills the identity block (status READY). Returns CLIF_MBOX_OK or the table manager's
 * or learner's error (the arena is too small).
 */
int fw_init(struct fw *fw, const struct fw_resources *res);

/* One round of the service loop: a mailbox command, the punt ring, ageing, the heartbeat.
 * Returns 1 if it did some work, 0 if there was nothing to do. */
int fw_poll(struct fw *fw);

/*
 * Serves the command in the mailbox (the platform found doorbell != last answered seq):
 * validates it, runs it, writes the completion and any data, then done. Returns the status.
 */
int fw_mbox_serve(struct fw *fw);

/* Card reset: empties the tables and the learner, bumps reset_gen, status READY again. */
void fw_reset(struct fw *fw);

/* Boot self-test of the table manager against the table window (random inserts to 95% load,
 * deletes, re-inserts, prefix and ternary rules; tm_check() after each phase). Prints a
 * summary; returns 0 on success, the number of failures otherwise. */
int fw_selftest(struct fw *fw, uint32_t seed);

#endif /* FW_FW_H */
