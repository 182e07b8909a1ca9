/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Board glue for boards whose table window is memory served by the data-plane model
 * (hls/dataplane.c and friends, built into the image): the model executes the command on
 * every doorbell, as the hardware would on the register write.
 */
#include "dp.h"
#include "fw/port.h"

void plat_tw_doorbell(volatile struct clif_tblwin_regs *tw)
{
	clif_dp_tblwin(tw);
}
