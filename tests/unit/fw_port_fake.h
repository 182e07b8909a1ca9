// SPDX-License-Identifier: BSD-3-Clause
// The firmware's porting interface (fw/port.h) for the host-built core in the unit tests:
// console into a buffer, a clock the test sets, and the table window served by the real HLS
// data plane (clif_dp_tblwin) on every doorbell, as the QEMU boards and clif-cardsim do.
#ifndef CLIF_TESTS_UNIT_FW_PORT_FAKE_H
#define CLIF_TESTS_UNIT_FW_PORT_FAKE_H

#include <stdint.h>
#include <string>

extern uint64_t g_fake_now_ns;      // what plat_now_ns() returns
extern std::string g_fake_console;  // everything plat_putc() wrote since the last clear
extern uint64_t g_fake_doorbells;   // plat_tw_doorbell() calls

// Called after every window command the firmware sends (after the data plane served it);
// tests use it to check invariants between two window writes. nullptr: none.
extern void (*g_fake_after_doorbell)(void);

#endif
