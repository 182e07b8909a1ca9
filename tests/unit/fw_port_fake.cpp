// SPDX-License-Identifier: BSD-3-Clause
#include "fw_port_fake.h"

#include <stdio.h>
#include <stdlib.h>

extern "C" {
#include "dp.h"
#include "fw/port.h"
}

uint64_t g_fake_now_ns;
std::string g_fake_console;
uint64_t g_fake_doorbells;
void (*g_fake_after_doorbell)(void);

extern "C" void plat_putc(char c)
{
	g_fake_console += c;
}

extern "C" uint64_t plat_now_ns(void)
{
	return g_fake_now_ns;
}

// A firmware stop in a unit test is a failure of that test run: say why and end it.
extern "C" void plat_stop(int status)
{
	fprintf(stderr, "firmware stopped with status %d; console:\n%s\n", status, g_fake_console.c_str());
	abort();
}

extern "C" void plat_tw_doorbell(volatile struct clif_tblwin_regs *tw)
{
	g_fake_doorbells++;
	clif_dp_tblwin(tw);
	if (g_fake_after_doorbell)
		g_fake_after_doorbell();
}
