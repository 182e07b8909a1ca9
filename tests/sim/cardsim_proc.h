/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Running the real clif-cardsim from a C test or benchmark (tests/sim/e2e.c,
 * tests/sim/e2e_faults.c, tests/bench/bench_c2h.c): one card process at a time, a temporary
 * directory holding the pcap it replays, failing with a message and cleaning up.
 *
 * The program sets cardsim_prog (the prefix of its messages) first; cardsim_on_cleanup, when
 * set, runs first in cardsim_cleanup() (e.g. to unmap the card's shared memory).
 */
#ifndef CLIF_TESTS_CARDSIM_PROC_H
#define CLIF_TESTS_CARDSIM_PROC_H

#include <stdint.h>
#include <sys/types.h>

extern const char *cardsim_prog;         /* "libclif-e2e": messages are "<prog>: FAIL: ..." */
extern volatile pid_t cardsim_pid;       /* the running clif-cardsim, 0: none */
extern uint32_t cardsim_inst;            /* its instance */
extern char cardsim_shm_path[64];        /* /dev/shm/clif-card-N: its shared memory object */
extern char cardsim_tmpdir[64];          /* "" until cardsim_make_tmpdir() */
extern char cardsim_pcap_path[128];      /* cardsim_tmpdir/frames.pcap */
extern void (*cardsim_on_cleanup)(void); /* optional: runs first in cardsim_cleanup() */

/* Stops the card (SIGCONT, SIGTERM; SIGKILL when not gone within 5 s, and its object removed),
 * removes the pcap and the temporary directory. Safe to call more than once. */
void cardsim_cleanup(void);

/* Only the card: as cardsim_cleanup() does it. Nothing when no card runs. */
void cardsim_kill(void);

/* "<prog>: FAIL: <message>" on stdout, cardsim_cleanup(), exit status 1. */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* die("<what>: <libclif's message> (<rc>)") when rc is not 0. */
void check_rc(int rc, const char *what);

uint64_t now_ns(void); /* CLOCK_MONOTONIC */
void nap_us(long us);

/* mkdtemp(tmpl) into cardsim_tmpdir, cardsim_pcap_path inside it; dies on failure. */
void cardsim_make_tmpdir(const char *tmpl);

/* A pcap (Ethernet) at cardsim_pcap_path: open, one call per frame, close. Dies on failure. */
void cardsim_pcap_open(void);
void cardsim_pcap_add(const uint8_t *frame, uint32_t len, long ts_sec);
void cardsim_pcap_close(void);

/* Starts BIN_DIR/clif-cardsim --instance INST ARGS... --quiet (args NULL-terminated, at most 20)
 * and sets cardsim_pid, cardsim_inst and cardsim_shm_path. Dies when it cannot be started. */
void cardsim_start(const char *bindir, uint32_t inst, const char *const *args);

/* Calls up(ctx) every nap_us_each until it returns non-zero; dies when the card exits first or
 * after timeout_ms. */
void cardsim_wait_up(int (*up)(void *ctx), void *ctx, uint64_t timeout_ms, long nap_us_each);

#endif
