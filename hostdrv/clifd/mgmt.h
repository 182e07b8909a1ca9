/* clifd's management socket: AF_UNIX stream at mgmt_socket (mode 0600, so only the daemon's
 * user and root connect), a line protocol for clifctl and operators (`socat - UNIX:PATH`).
 *
 * A request is one line (at most 256 bytes, LF-terminated). The answer is zero or more lines
 * and then one line "ok" or "error REASON". Commands:
 *   status   "key value" lines: tasks, destinations, rules, orphans, card (device and state:
 *            ok / heartbeat-lost / fault), card_resets, last_x1 (UTC or "never"), x1_messages,
 *            x1_refused, time_p2, keepalive_expiries, audit_entries, reports (sent failed
 *            dropped queued)
 *   tasks    one line per task: "t-NNNNNNNN rules N complete|failed" (log-safe references,
 *            never an XID or a target)
 *   help     the command list
 * Connections idle for 30 s are closed; at most 8 at once. */
#ifndef CLIFD_MGMT_H
#define CLIFD_MGMT_H

#include <stddef.h>

struct clifd_daemon;
struct clifd_mgmt;

/* Binds d->cfg.mgmt_socket (a stale socket file there is replaced; any other file is not)
 * and serves it on d->base. Returns the socket, or NULL with a message in err. */
struct clifd_mgmt *clifd_mgmt_new(struct clifd_daemon *d, char *err, size_t err_len);

/* Closes the listener and every connection, removes the socket file. NULL is allowed. */
void clifd_mgmt_free(struct clifd_mgmt *m);

#endif
