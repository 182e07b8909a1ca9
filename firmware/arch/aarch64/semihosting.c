/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * plat_stop() for test boards: ends the run through Arm semihosting (SYS_EXIT with
 * ADP_Stopped_ApplicationExit and the status), so QEMU -semihosting exits with that status.
 * Only for boards that always run under QEMU or a debugger: without one, the hlt traps.
 */
#include <stdint.h>

#include "arch/aarch64.h"
#include "fw/log.h"
#include "fw/port.h"
#include "plat/plat.h"

#define SEMIHOSTING_SYS_EXIT 0x18u
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u

static void sys_exit(int status)
{
	uint64_t block[2] = { ADP_STOPPED_APPLICATION_EXIT, (uint64_t)(uint32_t)status };
	/* set right before the trap: a call in between would reuse x0 and x1 */
	register uint64_t x0 __asm__("x0") = SEMIHOSTING_SYS_EXIT;
	register uint64_t x1 __asm__("x1") = (uint64_t)(uintptr_t)block;

	__asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
}

void plat_stop(int status)
{
	fw_printf("fw: stop, status %d\n", status);
	console_flush();
	sys_exit(status);
	/* The debugger let the firmware go on: park. */
	daif_mask_all();
	for (;;)
		wfi();
}
