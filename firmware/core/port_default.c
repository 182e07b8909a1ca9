/* SPDX-License-Identifier: BSD-3-Clause */
/* Defaults of the porting interface's optional part (fw/port.h). */
#include "fw/port.h"

__attribute__((weak)) void plat_tw_doorbell(volatile struct clif_tblwin_regs *tw)
{
	(void)tw; /* hardware executes the command on the register write */
}

__attribute__((weak)) void plat_idle(void)
{
}
