/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libclif: the host driver for CLIF cards. One API whichever backend carries the card:
 *   "sim:<n>"  a simulated card (clif-cardsim instance n, shared memory /clif-card-<n>)
 *   "xrt:<n>"  an Alveo card through Xilinx XRT (device index n)
 *
 * Errors: every function that can fail returns 0 or a negative CLIF_E_* code (clif_strerror()
 * turns it into text). A card that answered a mailbox command with an error status gives the
 * CLIF_E_* code that status maps to; clif_last_status() has the raw CLIF_MBOX_* status.
 * Threads: one card handle is used by one thread at a time.
 */
#ifndef LIBCLIF_H
#define LIBCLIF_H

#include <stddef.h>
#include <stdint.h>

#include "clif/c2h.h"
#include "clif/dpctr.h"
#include "clif/ident.h"
#include "clif/match.h"
#include "clif/mbox.h"

#ifdef __cplusplus
extern "C" {
/* clif_dp_counters() and others are named like the structs they fill: C++ -Wshadow says so. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
#endif

enum clif_err {
	CLIF_OK = 0,
	CLIF_E_INVAL = -1,    /* bad argument */
	CLIF_E_NODEV = -2,    /* no such card, or the backend cannot reach it */
	CLIF_E_ABI = -3,      /* the card speaks an ABI major this library does not */
	CLIF_E_TIMEOUT = -4,  /* the card did not answer within the bound (after the retries) */
	CLIF_E_NOMEM = -5,
	CLIF_E_IO = -6,       /* the backend failed (mapping, XRT call) */
	CLIF_E_RESET = -7,    /* the card reset while a command was outstanding: replay and retry */
	CLIF_E_CARD = -8,     /* the card answered with a status that maps to nothing below */
	CLIF_E_NOENT = -9,    /* unknown rule handle */
	CLIF_E_EXIST = -10,   /* rule handle in use */
	CLIF_E_FULL = -11,    /* no room on the card */
	CLIF_E_RANGE = -12,   /* a field the card refuses as out of range or invalid */
	CLIF_E_FAULT = -13,   /* the card reports itself in FAULT */
	CLIF_E_PERM = -14,    /* no permission to open the card */
};

/* Text for a CLIF_E_* code (never NULL). */
const char *clif_strerror(int err);

struct clif_card;

struct clif_open_opts {
	uint32_t ring_size;        /* C2H ring bytes (power of two, >= 4096); 0: 4 MiB */
	uint32_t mbox_timeout_ms;  /* one mailbox wait; 0: 1000 */
	uint32_t mbox_retries;     /* re-sends after a timeout; 0: 2 */
};

/*
 * Opens a card ("sim:0", "xrt:0"), checks its identity (magic, ABI major), says hello, and sets
 * up the C2H ring. opts may be NULL. Returns 0 and *out, or CLIF_E_INVAL (bad name or options),
 * CLIF_E_NODEV, CLIF_E_PERM, CLIF_E_ABI, CLIF_E_FAULT, CLIF_E_TIMEOUT, CLIF_E_NOMEM, CLIF_E_IO.
 */
int clif_open(const char *name, const struct clif_open_opts *opts, struct clif_card **out);
/*
 * Like clif_open() without the C2H ring: for tools (clifctl) that talk to a card whose ring
 * another process consumes. clif_c2h_dequeue() on such a handle returns CLIF_E_INVAL.
 */
int clif_open_control(const char *name, const struct clif_open_opts *opts, struct clif_card **out);
void clif_close(struct clif_card *c);

/* The backend's name ("sim" or "xrt"). */
const char *clif_backend(const struct clif_card *c);

/* A copy of the identity block. Returns 0 or CLIF_E_IO. */
int clif_identity(struct clif_card *c, struct clif_ident *out);

/* A copy of the data-plane counters. Returns 0 or CLIF_E_IO. */
int clif_dp_counters(struct clif_card *c, struct clif_dp_counters *out);

/*
 * Mailbox RPC: sends cmd (hdr.opcode set by the caller; seq is the library's), waits for the
 * completion within the bound, re-sends after a timeout up to the retry count, copies the
 * completion to cpl and up to data_max bytes of output data to data. Returns 0 if the card
 * answered CLIF_MBOX_OK, its status mapped to CLIF_E_* otherwise, or CLIF_E_TIMEOUT,
 * CLIF_E_RESET, CLIF_E_INVAL.
 */
int clif_mbox_call(struct clif_card *c, struct clif_mbox_cmd *cmd, struct clif_mbox_cpl *cpl, void *data,
		   uint32_t data_max);

/* The CLIF_MBOX_* status of the last mailbox answer (CLIF_MBOX_OK if none yet). */
int clif_last_status(const struct clif_card *c);

/* Rules (the hdr part of r is ignored). Each returns 0 or a CLIF_E_* code. */
int clif_rule_add(struct clif_card *c, const struct clif_cmd_rule *r);
int clif_rule_modify(struct clif_card *c, const struct clif_cmd_rule *r);
int clif_rule_delete(struct clif_card *c, uint32_t handle);
int clif_table_stats(struct clif_card *c, struct clif_table_stats *out);
/* Counters of rules with handle >= first, in handle order; *n gets how many (<= max). */
int clif_rule_counters(struct clif_card *c, uint32_t first, struct clif_rule_counter *out, uint32_t max,
		       uint32_t *n);
int clif_config(struct clif_card *c, uint32_t key, uint64_t value);
/* Learn events, oldest first; *n gets how many (<= max). */
int clif_learn_drain(struct clif_card *c, struct clif_learn_event *out, uint32_t max, uint32_t *n);
/* Asks the card to reset (tables empty afterwards; the reset callback runs). */
int clif_card_reset(struct clif_card *c);

/*
 * C2H ring consumer. clif_c2h_dequeue() returns up to max records as zero-copy views into the
 * ring (pads skipped), valid until released; clif_c2h_release() hands the first n dequeued
 * records back to the card, oldest first. Returns the number of views (0: none yet) or a
 * CLIF_E_* code (CLIF_E_IO: a record that does not hold together; the ring is resynchronised
 * and the loss counted; CLIF_E_RESET: the card reset and cleared the ring, clif_poll() re-arms
 * it; CLIF_E_INVAL: a handle from clif_open_control()).
 */
struct clif_rec_view {
	const struct clif_c2h_rec *hdr;
	const uint8_t *frame; /* hdr->cap_len bytes */
};
int clif_c2h_dequeue(struct clif_card *c, struct clif_rec_view *views, uint32_t max);
void clif_c2h_release(struct clif_card *c, uint32_t n);

struct clif_c2h_stats {
	uint64_t records;    /* records dequeued */
	uint64_t bytes;      /* frame bytes dequeued */
	uint64_t seq_gaps;   /* copies the card dropped, seen as gaps in the sequence numbers */
	uint64_t card_drops; /* the card's own count (ring registers) */
	uint64_t corrupt;    /* records that did not hold together */
};
int clif_c2h_stats(struct clif_card *c, struct clif_c2h_stats *out);

/*
 * Reset detection: clif_poll() checks the identity block (reset generation, status,
 * heartbeat). After a reset it re-arms the C2H ring, says hello again and calls the reset
 * callback, which should replay the caller's rules. Returns 0, CLIF_E_FAULT (card in FAULT),
 * CLIF_E_TIMEOUT (heartbeat stopped for longer than heartbeat_timeout_ms; 0: 3000).
 */
typedef void (*clif_reset_cb)(struct clif_card *c, uint32_t reset_gen, void *arg);
void clif_on_reset(struct clif_card *c, clif_reset_cb cb, void *arg);
int clif_poll(struct clif_card *c, uint32_t heartbeat_timeout_ms);

#ifdef __cplusplus
#pragma GCC diagnostic pop
}
#endif

#endif /* LIBCLIF_H */
