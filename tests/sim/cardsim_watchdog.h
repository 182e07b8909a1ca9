/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The watchdog of a C test that runs clif-cardsim (tests/sim/cardsim_proc.h): a hung test or
 * an interrupted one must not leave a card process or its files behind.
 */
#ifndef CLIF_TESTS_CARDSIM_WATCHDOG_H
#define CLIF_TESTS_CARDSIM_WATCHDOG_H

/* Catches SIGALRM, SIGINT and SIGTERM and starts alarm(seconds). On any of them the handler
 * writes "<cardsim_prog>: FAIL: watchdog or signal: stopping" on stdout, kills the card with
 * SIGKILL, removes its shared memory object, the pcap and the temporary directory, and exits
 * with status 1. Set cardsim_prog first: the message is composed here, since the handler may
 * only make async-signal-safe calls. Cannot fail. */
void cardsim_watchdog(unsigned seconds);

#endif
