/* SPDX-License-Identifier: BSD-3-Clause */
/* The aarch64 platform's side of fw/port.h besides the console and plat_stop(). */
#include "arch/aarch64.h"
#include "drivers/arm_timer.h"
#include "fw/port.h"

uint64_t plat_now_ns(void)
{
	return arm_timer_ns();
}

/*
 * Nothing to do this round: wait for an event. The generic timer's event stream (turned on by
 * plat_main, PLAT_IDLE_NS) bounds the wait, so the service loop still polls the mailbox every
 * few microseconds while the core idles in low power.
 */
void plat_idle(void)
{
	wfe();
}
