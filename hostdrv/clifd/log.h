/* clifd's log: syslog(3) (facility LOG_DAEMON, where journald picks it up) and, in the
 * foreground, stderr too. Nothing that identifies a warrant may be passed in: no target, LIID
 * or XID (use clifd_task_ref() for a task), no DID, no admfIdentifier taken from a message. */
#ifndef CLIFD_LOG_H
#define CLIFD_LOG_H

#include <syslog.h>

/* Opens syslog as "clifd"; also writes to stderr when to_stderr. level: a LOG_* priority,
 * messages less urgent than it are dropped. */
void clifd_log_open(int level, int to_stderr);

/* Changes where messages go after start-up (daemonised: stderr off). */
void clifd_log_set_stderr(int to_stderr);

/* One message at priority prio (LOG_ERR ... LOG_DEBUG). */
void clifd_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parses "err", "warning", "notice", "info", "debug" into a LOG_* priority. Returns it, or -1. */
int clifd_log_level_parse(const char *text);

void clifd_log_close(void);

#endif
