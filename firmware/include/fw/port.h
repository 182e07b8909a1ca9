/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The firmware's porting interface: everything the portable core (firmware/core) needs from a
 * platform. The aarch64 boards implement it in firmware/arch and firmware/drivers from what the
 * device tree describes; boards/sim implements it inside clif-cardsim. The core names no board.
 *
 * Error tiers (the same in every file of the firmware):
 *  - our own bugs: FW_ASSERT (stops the firmware with file and line);
 *  - anything from the host (mailbox commands) or the network (punted frames): validated,
 *    answered with an error status, counted; the firmware keeps running;
 *  - hardware that does not answer within its bound: fw_panic(), status FAULT;
 *  - no wait without a bound.
 */
#ifndef FW_PORT_H
#define FW_PORT_H

#include <stddef.h>
#include <stdint.h>

#include "clif/c2h.h"
#include "clif/ident.h"
#include "clif/mbox.h"
#include "clif/tblwin.h"

/* The card's resources, found by the platform (device tree) before the core starts. */
struct fw_resources {
	volatile struct clif_ident *ident;       /* BAR0 identity block */
	volatile struct clif_mbox_block *mbox;   /* BAR0 mailbox block */
	volatile struct clif_tblwin_regs *tw;    /* the data plane's table window */
	volatile struct clif_ring_regs *punt;    /* punt ring registers (the core consumes) */
	const uint8_t *punt_mem;                 /* punt->size bytes */
	void *arena;                             /* memory for the table manager and learner */
	size_t arena_size;
	const char *board_name;                  /* the device tree's model */
	const char *compatible;                  /* the device tree's first root compatible */
	uint32_t board_id;
};

/* ---- Mandatory: every platform provides these ---- */

/* Writes one character to the console; returns within a bounded time even if the UART is stuck. */
void plat_putc(char c);

/* Monotonic nanoseconds since some point before fw_init(). */
uint64_t plat_now_ns(void);

/*
 * Ends the firmware with a status. Test boards (QEMU) leave through semihosting so a test sees
 * the status; production boards park the core in a low-power wait (a debugger-less board must
 * never execute a semihosting trap). Which one a board gets is board data (board.mk).
 */
void plat_stop(int status) __attribute__((noreturn));

/* ---- Optional: weak defaults in firmware/core/port_default.c ---- */

/*
 * Called after the table window's command register is written. Hardware reacts to the write
 * by itself (default: nothing); boards whose table window is a model in memory (the QEMU test
 * boards, clif-cardsim) run the model here.
 */
void plat_tw_doorbell(volatile struct clif_tblwin_regs *tw);

/* Called when a service-loop round found nothing to do (default: nothing; aarch64: a short
 * wfe, woken by the timer, so the loop stays responsive without spinning flat out). */
void plat_idle(void);

#endif /* FW_PORT_H */
