/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * plat_stop() for production boards: says so on the console, masks every interrupt and parks
 * the core in wfi for good (a watchdog or the host's reset brings the card back). Never a
 * semihosting trap: without a debugger attached it would be an undefined instruction.
 */
#include "arch/aarch64.h"
#include "fw/log.h"
#include "fw/port.h"
#include "plat/plat.h"

void plat_stop(int status)
{
	fw_printf("fw: stop, status %d\n", status);
	console_flush();
	daif_mask_all();
	for (;;)
		wfi();
}
