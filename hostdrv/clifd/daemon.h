/* clifd's state and life cycle: the task store, the audit log, the card and its rule compiler,
 * the X1 server, the management socket, the NE-to-ADMF reporter and the timers, all driven by
 * one libevent loop in one thread (so no locks: every handler runs to completion).
 *
 * Start-up (clifd_daemon_start): the state directory (created 0700; refused when group or
 * world accessible or not ours), the store (state_dir/tasks.db), the audit log
 * (state_dir/audit.log, key audit.log.key) which must verify against the head recorded in the
 * store (a broken chain or a log shorter than recorded: clifd refuses to start, see the
 * README), the card (clif_open), every stored task compiled and reconciled with what the card
 * holds, then the X1 server and the management socket.
 *
 * Timers: the card poll (card_poll_ms: clif_poll(), reset replay, heartbeat and fault
 * reports) and TIME_P2 (no accepted X1 request for time_p2 seconds: every task deactivated,
 * audited as the local action "KeepaliveExpiry", ReportNEIssue sent). */
#ifndef CLIFD_DAEMON_H
#define CLIFD_DAEMON_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config.h"

struct event_base;
struct event;
struct clifd_store;
struct audit_log;
struct rulecomp;
struct clif_card;
struct clifd_server;
struct clifd_mgmt;
struct clifd_reporter;
struct clifd_capture;
struct x1_request;

enum clifd_card_state {
	CLIFD_CARD_OK = 0,
	CLIFD_CARD_HEARTBEAT_LOST, /* clif_poll(): CLIF_E_TIMEOUT */
	CLIFD_CARD_FAULT,          /* clif_poll(): CLIF_E_FAULT or another error */
};

struct clifd_daemon {
	struct clifd_config cfg;
	struct event_base *base;
	struct clifd_store *store;
	struct audit_log *audit;
	struct clif_card *card;
	struct rulecomp *rc;
	struct clifd_server *server;
	struct clifd_mgmt *mgmt;
	struct clifd_reporter *reporter;
	struct clifd_capture *cap; /* C2H copies to CC/IRI, the senders (capture.h) */
	struct event *poll_ev, *p2_ev, *sig_ev[2], *exit_ev;
	struct x1_request *req; /* the one request being handled (about 150 KiB) */

	enum clifd_card_state card_state;
	uint32_t reset_gen;        /* set by the reset callback, handled after clif_poll() */
	int reset_pending;
	int replay_failed;         /* keys the card did not take at the last replay */
	int audit_failed;          /* an append or sync failed: LI changes are refused (1000) */
	int stopping;
	time_t started, last_x1;   /* last accepted X1 request (0: none) */
	uint64_t x1_messages, x1_refused, keepalive_expiries, card_resets;
	int audit_batch;           /* entries wait for clifd_daemon_audit_sync() (group commit) */
};

/* Brings the daemon up as described above. Returns 0, or -1 with a message in err (nothing
 * left open). */
int clifd_daemon_start(struct clifd_daemon *d, const struct clifd_config *cfg, char *err, size_t err_len);

/* Runs the event loop until SIGTERM/SIGINT (or clifd_daemon_stop()). Returns 0. */
int clifd_daemon_run(struct clifd_daemon *d);

/* Stops accepting X1 connections and ends the loop once the answers in flight are written
 * (at most 2 s). */
void clifd_daemon_stop(struct clifd_daemon *d);

/* Closes everything clifd_daemon_start() opened. */
void clifd_daemon_close(struct clifd_daemon *d);

/* Appends one audit entry and records the new head in the store. On failure the daemon
 * refuses further LI changes (d->audit_failed) and logs it. Returns 0 or a negative errno. */
int clifd_daemon_audit(struct clifd_daemon *d, const char *actor, const char *action, const char *object,
		       const char *result);

/* Makes the entries appended while d->audit_batch was set durable (one fdatasync). Returns 0,
 * -EBADF (no audit log open), or -EIO (the sync failed, or the log refuses appends: the daemon
 * then refuses further LI changes, d->audit_failed). */
int clifd_daemon_audit_sync(struct clifd_daemon *d);

/* An accepted X1 request arrived: TIME_P2 starts again. */
void clifd_daemon_x1_seen(struct clifd_daemon *d);

/*
 * Deactivates every task: removed from the store in one transaction, then their rules from the
 * card. *n gets how many. Returns X1_OK, or X1_E_DEACTIVATE_ALL when the store could not be
 * written (nothing changed).
 */
int clifd_daemon_deactivate_all(struct clifd_daemon *d, unsigned *n);

/* Card state text for status lines: "ok", "heartbeat-lost", "fault". */
const char *clifd_card_state_name(enum clifd_card_state s);

#endif
