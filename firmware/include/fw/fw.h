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
#define FW_PUNT_BUDGET 64u /* punt records one fw_poll() round consumes at most */

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
	uint64_t heartbeat_ns;      /* heartbeat period (CLIF_CFG_HEARTBEAT_MS) */
	uint64_t boot_ns;
	uint32_t learn_enabled;
};

/*
 * Brings the core up on res: resets the tables, carves the table manager and learner from the
 * arena, fills the identity block (status READY). Returns CLIF_MBOX_OK or the table manager's
 * or learner's error (the arena is too small), CLIF_MBOX_ERANGE for a table window without
 * geometry. The window's geometry registers must be readable when it is called (a model
 * behind the window must have been served once).
 * The learner takes learn_arena_size() bytes at the start of the arena; the table manager the
 * rest, for FW_MAX_RULES rules or, if that does not fit, as many as fit (at least 1).
 * The punt ring's base and size are the platform's; fw_init() enables it (ctrl ENABLE) when
 * its size is valid and punt_mem is set. The identity block's build_id is FW_BUILD_ID (from
 * fw_build_id.h in the firmware build), copied as a string, zero-padded, cut at 20 bytes.
 */
int fw_init(struct fw *fw, const struct fw_resources *res);

/* One round of the service loop: a mailbox command, the punt ring (at most FW_PUNT_BUDGET
 * records), ageing, the heartbeat. Returns 1 if it served a command or consumed punt records,
 * 0 if there was nothing to do (the platform's loop then calls plat_idle()). */
int fw_poll(struct fw *fw);

/*
 * Serves the command in the mailbox, if there is a new one (doorbell neither CLIF_MBOX_NO_CMD
 * nor the last seq answered, and unchanged while the command was copied): validates it, runs
 * it, writes the completion and any data, then done. Returns the status, or
 * FW_MBOX_NOT_SERVED when there was nothing (complete) to serve.
 */
#define FW_MBOX_NOT_SERVED (-1)
int fw_mbox_serve(struct fw *fw);

/* Card reset: empties the tables and the learner, drops what the punt ring holds (punted by
 * rules that are gone), bumps reset_gen, status READY again. Configuration is kept. */
void fw_reset(struct fw *fw);

/* Boot self-test of the table manager against the table window (random inserts to 95% load,
 * deletes, re-inserts, prefix and ternary rules; tm_check() after each phase). Prints a
 * summary; returns 0 on success, the number of failures otherwise. Run it after fw_init()
 * and before serving the host: it empties the tables (tm_reset) before and after. Its rules
 * have no actions (the data plane only counts their hits while it runs). */
int fw_selftest(struct fw *fw, uint32_t seed);

#endif /* FW_FW_H */
