/* clifd's NE-to-ADMF reports (TS 103 221-1 6.5: ReportTaskIssue, ReportDestinationIssue,
 * ReportNEIssue): X1Request documents POSTed over HTTPS to admf_report_url, with our client
 * certificate (admf_report_cert/key) and the ADMF's server certificate verified against
 * admf_report_ca and the URL's host name or address.
 *
 * Asynchronous: a report is queued and sent from the event loop (one at a time, a 10 s timeout
 * per attempt, three attempts 5 s and 15 s apart); nothing here blocks the loop on the
 * network. At most CLIFD_REPORT_QUEUE reports wait: beyond that the oldest is dropped and
 * logged. Each report's outcome goes to the done callback (clifd audits it). */
#ifndef CLIFD_REPORT_H
#define CLIFD_REPORT_H

#include <stdint.h>

#include "config.h"
#include "x1.h"

#define CLIFD_REPORT_QUEUE 64

struct event_base;
struct clifd_reporter;

/* action: "ReportNEIssue", ...; object: the XID/DID text or ""; result: "ok", "error CODE"
 * (the ADMF's ErrorResponse), "failed: REASON" (not delivered after every attempt). */
typedef void (*clifd_report_done_fn)(void *arg, const char *action, const char *object, const char *result);

/* A reporter for cfg's admf_report_url, or NULL with a message in err (credentials that do not
 * load). When the URL is not configured, returns a reporter that drops every report
 * (clifd_reporter_enabled() says 0). */
struct clifd_reporter *clifd_reporter_new(struct event_base *base, const struct clifd_config *cfg,
					  clifd_report_done_fn done, void *arg, char *err, size_t err_len);

int clifd_reporter_enabled(const struct clifd_reporter *r);

/* Queue one report. The texts name no target (they go to the ADMF, but also to our logs).
 * Returns 0 (queued), -ENOTCONN (reports not configured), -ENOMEM, or the builder's error. */
int clifd_report_ne_issue(struct clifd_reporter *r, enum x1_ne_issue_type type, const char *description,
			  int code);
int clifd_report_task_issue(struct clifd_reporter *r, const uint8_t xid[16], enum x1_report_type type, int code,
			    const char *details);
int clifd_report_destination_issue(struct clifd_reporter *r, const uint8_t did[16], enum x1_report_type type,
				   int code, const char *details);

/* Counters for the management socket. */
struct clifd_report_stats {
	uint64_t sent, failed, dropped;
	unsigned queued;
};
void clifd_reporter_stats(const struct clifd_reporter *r, struct clifd_report_stats *out);

/* Drops what is queued (logged) and frees. NULL is allowed. */
void clifd_reporter_free(struct clifd_reporter *r);

#endif
