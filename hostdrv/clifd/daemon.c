/* clifd's state, start-up, timers and shutdown; see daemon.h. */
#include "daemon.h"

#include <errno.h>
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "capture.h"
#include "handlers.h"
#include "libclif.h"
#include "log.h"
#include "mgmt.h"
#include "report.h"
#include "rulecomp.h"
#include "server.h"
#include "store.h"
#include "x1.h"

#define ACTOR_LOCAL "local:clifd"
#define META_AUDIT_HEAD "audit_head"

const char *clifd_card_state_name(enum clifd_card_state s)
{
	switch (s) {
	case CLIFD_CARD_OK:
		return "ok";
	case CLIFD_CARD_HEARTBEAT_LOST:
		return "heartbeat-lost";
	default:
		return "fault";
	}
}

/* ---- audit ---- */

static void hex(const uint8_t *b, size_t n, char *out)
{
	static const char h[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = h[b[i] >> 4];
		out[2 * i + 1] = h[b[i] & 15];
	}
	out[2 * n] = '\0';
}

int clifd_daemon_audit(struct clifd_daemon *d, const char *actor, const char *action, const char *object,
		       const char *result)
{
	uint8_t mac[AUDIT_MAC_LEN];
	char head[32 + 2 * AUDIT_MAC_LEN];
	uint64_t seq;
	int r;

	if (!d->audit)
		return -EBADF;
	r = d->audit_batch ? audit_append_nosync(d->audit, actor, action, object, result)
			   : audit_append(d->audit, actor, action, object, result);
	if (r) {
		if (!d->audit_failed)
			clifd_log(LOG_ERR, "audit log append failed (%s): X1 changes are refused from now on",
				  strerror(-r));
		d->audit_failed = 1;
		return r;
	}
	/* The head in the store lets a verifier see entries cut from the end of the log. Inside an
	 * X1 request's transaction (handlers.c) it is committed with the request's changes: no
	 * sync of its own. It may lag behind the log (a crash before that commit), never lead it:
	 * in batch mode the entries are synced (clifd_daemon_audit_sync()) before that commit. */
	seq = audit_head(d->audit, mac);
	snprintf(head, sizeof(head), "%llu ", (unsigned long long)seq);
	hex(mac, AUDIT_MAC_LEN, head + strlen(head));
	r = store_meta_set(d->store, META_AUDIT_HEAD, head);
	if (r)
		clifd_log(LOG_ERR, "cannot record the audit head in the task store (%s)", strerror(-r));
	return r;
}

int clifd_daemon_audit_sync(struct clifd_daemon *d)
{
	int r;

	if (!d->audit)
		return -EBADF;
	r = audit_sync(d->audit);
	if (r) {
		if (!d->audit_failed)
			clifd_log(LOG_ERR, "audit log sync failed (%s): X1 changes are refused from now on", strerror(-r));
		d->audit_failed = 1;
	}
	return r;
}

static int parse_head(const char *text, struct audit_expect *exp)
{
	char *end;
	unsigned long long seq = strtoull(text, &end, 10);

	memset(exp, 0, sizeof(*exp));
	if (end == text || *end != ' ' || strlen(end + 1) != 2 * AUDIT_MAC_LEN)
		return -1;
	for (unsigned i = 0; i < AUDIT_MAC_LEN; i++) {
		unsigned v;
		if (sscanf(end + 1 + 2 * i, "%2x", &v) != 1)
			return -1;
		exp->mac[i] = (uint8_t)v;
	}
	exp->seq = seq;
	exp->have_mac = seq > 0;
	return 0;
}

/* The log must be the one the store remembers: intact, and not shorter. */
static int audit_start(struct clifd_daemon *d, const char *path, char *err, size_t err_len)
{
	char head[128];
	struct audit_expect exp;
	struct audit_verify_result vr;
	struct stat st;
	int have_head, r;

	r = store_meta_get(d->store, META_AUDIT_HEAD, head, sizeof(head));
	have_head = r >= 0;
	if (r < 0 && r != -ENOENT) {
		snprintf(err, err_len, "task store: cannot read the audit head (%s)", strerror(-r));
		return -1;
	}
	if (have_head && parse_head(head, &exp) != 0) {
		snprintf(err, err_len, "task store: the recorded audit head is malformed");
		return -1;
	}
	if (stat(path, &st) != 0) {
		if (have_head && exp.seq > 0) {
			snprintf(err, err_len, "audit log %s is missing but the task store records %llu entries",
				 path, (unsigned long long)exp.seq);
			return -1;
		}
	} else {
		r = audit_verify_expect(path, NULL, have_head ? &exp : NULL, &vr);
		/* An unfinished last line after entries reaching the recorded head: a crash before
		 * the request's audit sync (handlers.c). audit_open() cuts it; nothing durable goes. */
		if (r == -EBADMSG && vr.fault == AUDIT_FAULT_TRUNCATED_LINE && (!have_head || vr.last_seq >= exp.seq))
			r = 0;
		if (r == -EBADMSG) {
			snprintf(err, err_len, "audit log %s does not verify: %s (line %llu); clifd will not append to it",
				 path, vr.reason ? vr.reason : audit_fault_text(vr.fault),
				 (unsigned long long)vr.bad_line);
			return -1;
		}
		if (r) {
			snprintf(err, err_len, "audit log %s: %s", path, strerror(-r));
			return -1;
		}
	}
	r = audit_open(path, NULL, &d->audit);
	if (r) {
		snprintf(err, err_len, "audit log %s: %s", path,
			 r == -EBADMSG ? "its last entry does not verify" : strerror(-r));
		return -1;
	}
	if (audit_open_cut(d->audit))
		clifd_log(LOG_WARNING, "audit log: cut %zu bytes of an unfinished last entry (written before a crash, never synced)",
			  audit_open_cut(d->audit));
	return 0;
}

/* ---- the card ---- */

static void reset_cb(struct clif_card *c, uint32_t gen, void *arg)
{
	struct clifd_daemon *d = arg;

	(void)c;
	d->reset_gen = gen;
	d->reset_pending = 1;
}

static void report_ne(struct clifd_daemon *d, enum x1_ne_issue_type type, const char *text, int code)
{
	int r = clifd_report_ne_issue(d->reporter, type, text, code);

	if (r && r != -ENOTCONN)
		clifd_log(LOG_WARNING, "cannot queue a ReportNEIssue (%s)", strerror(-r));
}

static void card_rules_back(struct clifd_daemon *d, const char *action, int n)
{
	char result[64];

	if (n == 0) {
		d->replay_failed = 0;
		snprintf(result, sizeof(result), "ok: %zu rules on the card", rulecomp_rule_count(d->rc));
		clifd_log(LOG_NOTICE, "card rules restored (%s): %zu rules", action, rulecomp_rule_count(d->rc));
	} else {
		d->replay_failed = n > 0 ? n : 1;
		if (n > 0)
			snprintf(result, sizeof(result), "error: %d rules not restored", n);
		else
			snprintf(result, sizeof(result), "error: %s", clif_strerror(n));
		clifd_log(LOG_ERR, "card rules not fully restored (%s): %s", action, result);
		report_ne(d, X1_NE_ISSUE_FAULT_REPORT, "card rules not fully restored after a card reset", X1_E_ACTIVATE);
	}
	clifd_daemon_audit(d, ACTOR_LOCAL, action, "", result);
}

static void poll_cb(evutil_socket_t fd, short what, void *arg)
{
	struct clifd_daemon *d = arg;
	int r = clif_poll(d->card, d->cfg.card_heartbeat_ms);
	enum clifd_card_state s = r == 0 ? CLIFD_CARD_OK : r == CLIF_E_TIMEOUT ? CLIFD_CARD_HEARTBEAT_LOST
									    : CLIFD_CARD_FAULT;

	(void)fd;
	(void)what;
	if (s != d->card_state) {
		enum clifd_card_state was = d->card_state;
		d->card_state = s;
		if (s != CLIFD_CARD_OK) {
			/* Until the card is back, rule changes are bookkeeping only (no mailbox waits
			 * in the loop); the reconcile below brings the card in line. */
			rulecomp_set_card(d->rc, NULL);
			clifd_log(LOG_ERR, "card %s: %s (%s)", d->cfg.card, clifd_card_state_name(s), clif_strerror(r));
			clifd_daemon_audit(d, ACTOR_LOCAL, "CardFault", "", clifd_card_state_name(s));
			report_ne(d, X1_NE_ISSUE_FAULT_REPORT,
				  s == CLIFD_CARD_HEARTBEAT_LOST ? "card heartbeat lost" : "card reports a fault", 0);
		}
		if (was != CLIFD_CARD_OK && s == CLIFD_CARD_OK) {
			d->reset_pending = 0;
			rulecomp_set_card(d->rc, d->card);
			clifd_log(LOG_NOTICE, "card %s answers again", d->cfg.card);
			report_ne(d, X1_NE_ISSUE_FAULT_CLEARED, "card answers again", 0);
			card_rules_back(d, "CardRecovered", rulecomp_reconcile(d->rc));
		}
	}
	if (d->reset_pending && s == CLIFD_CARD_OK) {
		d->reset_pending = 0;
		d->card_resets++;
		clifd_log(LOG_WARNING, "card %s reset (generation %u): replaying rules", d->cfg.card, d->reset_gen);
		/* Copies in flight when the card reset are gone: the ADMF hears of it. */
		report_ne(d, X1_NE_ISSUE_WARNING, "card reset: copies in flight lost, rules replayed", 0);
		card_rules_back(d, "CardReset", rulecomp_replay(d->rc));
		if (d->cap)
			capture_card_reset(d->cap);
	} else if (s == CLIFD_CARD_OK && d->replay_failed) {
		card_rules_back(d, "CardReplayRetry", rulecomp_replay(d->rc));
	}
}

/* ---- keepalive (TS 103 221-1 6.6.2) ---- */

void clifd_daemon_x1_seen(struct clifd_daemon *d)
{
	struct timeval tv = { (time_t)d->cfg.time_p2, 0 };

	d->last_x1 = time(NULL);
	if (d->p2_ev && d->cfg.time_p2 && !d->stopping)
		evtimer_add(d->p2_ev, &tv); /* re-arming restarts it */
}

static int xid_collect(const struct clifd_task *t, void *arg)
{
	struct {
		uint8_t (*v)[16];
		size_t n, cap;
	} *l = arg;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		uint8_t(*v)[16] = realloc(l->v, cap * 16);
		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	memcpy(l->v[l->n++], t->xid, 16);
	return 0;
}

/* In its own store transaction, or, called while one is open (an X1 request's group commit:
 * store_begin() says -EBUSY), inside that one: the caller commits, or rolls back when this
 * fails part-way. */
int clifd_daemon_deactivate_all(struct clifd_daemon *d, unsigned *n)
{
	struct {
		uint8_t (*v)[16];
		size_t n, cap;
	} l = { NULL, 0, 0 };
	int r = store_task_each(d->store, xid_collect, &l), own;

	*n = 0;
	if (r && r != -EBADMSG)
		goto fail;
	own = store_begin(d->store);
	if (own != 0 && own != -EBUSY)
		goto fail;
	for (size_t i = 0; i < l.n; i++)
		if (store_task_delete(d->store, l.v[i]) != 0) {
			if (own == 0)
				store_rollback(d->store);
			goto fail;
		}
	if (own == 0 && store_commit(d->store) != 0)
		goto fail;
	for (size_t i = 0; i < l.n; i++)
		if (rulecomp_has_task(d->rc, l.v[i]) && rulecomp_remove_task(d->rc, l.v[i]) != X1_OK)
			clifd_log(LOG_WARNING, "a card rule could not be deleted yet (%s): retried",
				  rulecomp_last_reason(d->rc));
	*n = (unsigned)l.n;
	free(l.v);
	return X1_OK;
fail:
	free(l.v);
	return X1_E_DEACTIVATE_ALL;
}

static void p2_cb(evutil_socket_t fd, short what, void *arg)
{
	struct clifd_daemon *d = arg;
	char result[64];
	unsigned n = 0;
	int code;

	(void)fd;
	(void)what;
	d->keepalive_expiries++;
	code = clifd_daemon_deactivate_all(d, &n);
	if (code == X1_OK)
		snprintf(result, sizeof(result), "ok: %u tasks deactivated", n);
	else
		snprintf(result, sizeof(result), "error %d", code);
	clifd_log(LOG_WARNING, "no X1 request for TIME_P2 (%u s): keepalive expiry, %s", d->cfg.time_p2, result);
	clifd_daemon_audit(d, ACTOR_LOCAL, "KeepaliveExpiry", "", result);
	if (d->cap)
		capture_sync_all(d->cap);
	report_ne(d, X1_NE_ISSUE_WARNING, "no X1 request within TIME_P2: all tasks deactivated", 0);
	/* Re-armed by the next accepted X1 request. */
}

/* ---- reports ---- */

static void report_done(void *arg, const char *action, const char *object, const char *result)
{
	clifd_daemon_audit(arg, ACTOR_LOCAL, action, object, result);
}

/* ---- start-up ---- */

struct restore_ctx {
	struct clifd_daemon *d;
	unsigned ok, failed;
	uint8_t (*failed_xids)[16];
	size_t cap;
};

static int restore_one(const struct clifd_task *t, void *arg)
{
	struct restore_ctx *c = arg;
	int code = rulecomp_add_task(c->d->rc, t);

	if (code == X1_OK) {
		c->ok++;
		return 0;
	}
	char ref[11];
	clifd_task_ref(t->xid, ref);
	clifd_log(LOG_ERR, "task %s: rules not restored (%d: %s)", ref, code, rulecomp_last_reason(c->d->rc));
	if (c->failed == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		uint8_t(*v)[16] = realloc(c->failed_xids, cap * 16);
		if (v) {
			c->failed_xids = v;
			c->cap = cap;
		}
	}
	if (c->failed < c->cap)
		memcpy(c->failed_xids[c->failed], t->xid, 16);
	c->failed++;
	return 0;
}

static int state_dir(const char *dir, char *err, size_t err_len)
{
	struct stat st;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, err_len, "state_dir %s: %s", dir, strerror(errno));
		return -1;
	}
	if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, err_len, "state_dir %s is not a directory", dir);
		return -1;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 077)) {
		snprintf(err, err_len, "state_dir %s must be owned by the daemon's user with mode 0700 (it is %03o)",
			 dir, (unsigned)(st.st_mode & 0777));
		return -1;
	}
	return 0;
}

static void sig_cb(evutil_socket_t sig, short what, void *arg)
{
	(void)what;
	clifd_log(LOG_NOTICE, "signal %d: shutting down", (int)sig);
	clifd_daemon_stop(arg);
}

int clifd_daemon_start(struct clifd_daemon *d, const struct clifd_config *cfg, char *err, size_t err_len)
{
	char path[CLIFD_PATH_MAX + 32];
	struct clif_open_opts oo = { cfg->c2h_ring_kib << 10, 250, 2 }; /* a dead card costs the loop 750 ms at most */
	struct rulecomp_opts ro = { 0, 0, 0 };
	struct restore_ctx rctx;
	struct timeval poll_tv;
	char result[96];
	int r;

	memset(d, 0, sizeof(*d));
	memset(&rctx, 0, sizeof(rctx));
	d->cfg = *cfg;
	d->started = time(NULL);
	umask(077);
	/* libclif naps 20 us at a time while it waits for a mailbox completion; with the default
	 * 50 us of timer slack each nap lasts 70 us, which is most of a rule's installation time.
	 * 1 us: the loop's waits end when they are due (a few more wake-ups, nothing else). */
	prctl(PR_SET_TIMERSLACK, 1000UL, 0UL, 0UL, 0UL);
	x1_init();
	d->req = calloc(1, sizeof(*d->req));
	d->base = event_base_new();
	if (!d->req || !d->base) {
		snprintf(err, err_len, "out of memory");
		goto fail;
	}
	if (state_dir(cfg->state_dir, err, err_len) != 0)
		goto fail;

	snprintf(path, sizeof(path), "%s/tasks.db", cfg->state_dir);
	r = store_open(path, &d->store);
	if (r) {
		snprintf(err, err_len, "task store %s: %s%s", path, strerror(-r),
			 r == -EPERM ? " (must be the daemon user's, mode 0600)" : "");
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/audit.log", cfg->state_dir);
	if (audit_start(d, path, err, err_len) != 0)
		goto fail;

	r = clif_open(cfg->card, &oo, &d->card);
	if (r) {
		snprintf(err, err_len, "card %s: %s", cfg->card, clif_strerror(r));
		goto fail;
	}
	clif_on_reset(d->card, reset_cb, d);

	d->reporter = clifd_reporter_new(d->base, &d->cfg, report_done, d, err, err_len);
	if (!d->reporter)
		goto fail;

	/* Compile every stored task without the card, then make the card hold exactly that:
	 * rules a previous run left behind are rewritten or deleted, missing ones installed. */
	d->rc = rulecomp_new(NULL, &ro);
	if (!d->rc) {
		snprintf(err, err_len, "out of memory");
		goto fail;
	}
	rctx.d = d;
	r = store_task_each(d->store, restore_one, &rctx);
	if (r == -EBADMSG)
		clifd_log(LOG_ERR, "task store: some tasks could not be read back (corrupt rows skipped)");
	else if (r) {
		snprintf(err, err_len, "task store: cannot read the tasks (%s)", strerror(-r));
		goto fail;
	}
	rulecomp_set_card(d->rc, d->card);
	r = rulecomp_reconcile(d->rc);
	if (r < 0) {
		snprintf(err, err_len, "card %s: rules cannot be installed (%s)", cfg->card, clif_strerror(r));
		goto fail;
	}
	d->replay_failed = r;
	snprintf(result, sizeof(result), "ok: %u tasks restored, %u not, %zu rules%s", rctx.ok, rctx.failed,
		 rulecomp_rule_count(d->rc), r ? ", some not on the card" : "");
	clifd_daemon_audit(d, ACTOR_LOCAL, "Start", "", result);
	for (unsigned i = 0; i < rctx.failed && i < rctx.cap; i++)
		clifd_report_task_issue(d->reporter, rctx.failed_xids[i], X1_REPORT_NON_TERMINATING_FAULT,
					X1_E_ACTIVATE, "rules could not be installed when the NE started");
	free(rctx.failed_xids);
	rctx.failed_xids = NULL;

	/* The packet path: senders for the stored destinations, a session per restored task. */
	d->cap = capture_new(d->base, d->card, d->rc, d->store, d->reporter, &d->cfg, err, err_len);
	if (!d->cap)
		goto fail;
	if (capture_start(d->cap) != 0) {
		snprintf(err, err_len, "out of memory");
		goto fail;
	}

	d->server = clifd_server_new(d->base, &d->cfg, clifd_handle_x1, clifd_handle_refusal, d, err, err_len);
	if (!d->server)
		goto fail;
	d->mgmt = clifd_mgmt_new(d, err, err_len);
	if (!d->mgmt)
		goto fail;

	d->poll_ev = event_new(d->base, -1, EV_PERSIST, poll_cb, d);
	d->p2_ev = evtimer_new(d->base, p2_cb, d);
	d->sig_ev[0] = evsignal_new(d->base, SIGTERM, sig_cb, d);
	d->sig_ev[1] = evsignal_new(d->base, SIGINT, sig_cb, d);
	if (!d->poll_ev || !d->p2_ev || !d->sig_ev[0] || !d->sig_ev[1]) {
		snprintf(err, err_len, "out of memory");
		goto fail;
	}
	poll_tv.tv_sec = cfg->card_poll_ms / 1000;
	poll_tv.tv_usec = (suseconds_t)(cfg->card_poll_ms % 1000) * 1000;
	event_add(d->poll_ev, &poll_tv);
	event_add(d->sig_ev[0], NULL);
	event_add(d->sig_ev[1], NULL);
	if (cfg->time_p2) { /* TIME_P2 runs from the start: restored tasks need an ADMF too */
		struct timeval tv = { (time_t)cfg->time_p2, 0 };
		evtimer_add(d->p2_ev, &tv);
	}
	clifd_log(LOG_NOTICE, "clifd up: X1 on %s:%u, card %s, %u tasks, %zu rules, reports %s",
		  cfg->x1_listen_host, clifd_server_port(d->server), cfg->card, rctx.ok + rctx.failed,
		  rulecomp_rule_count(d->rc), clifd_reporter_enabled(d->reporter) ? "on" : "off");
	return 0;
fail:
	free(rctx.failed_xids);
	clifd_daemon_close(d);
	return -1;
}

int clifd_daemon_run(struct clifd_daemon *d)
{
	event_base_dispatch(d->base);
	return 0;
}

static void exit_cb(evutil_socket_t fd, short what, void *arg)
{
	struct clifd_daemon *d = arg;

	(void)fd;
	(void)what;
	event_base_loopbreak(d->base);
}

void clifd_daemon_stop(struct clifd_daemon *d)
{
	struct timeval grace = { 0, 500000 };

	if (d->stopping)
		return;
	d->stopping = 1;
	clifd_server_stop_accepting(d->server);
	if (d->poll_ev)
		event_del(d->poll_ev);
	if (d->p2_ev)
		event_del(d->p2_ev);
	/* Handlers run to completion in the loop, so what is in flight is only answers being
	 * written (and reports): half a second for them, then the loop ends. */
	d->exit_ev = evtimer_new(d->base, exit_cb, d);
	if (!d->exit_ev || evtimer_add(d->exit_ev, &grace) != 0)
		event_base_loopbreak(d->base);
}

void clifd_daemon_close(struct clifd_daemon *d)
{
	if (d->audit && d->store && d->server)
		clifd_daemon_audit(d, ACTOR_LOCAL, "Stop", "", "ok");
	clifd_mgmt_free(d->mgmt);
	clifd_server_free(d->server);
	clifd_reporter_free(d->reporter);
	if (d->exit_ev)
		event_free(d->exit_ev);
	if (d->poll_ev)
		event_free(d->poll_ev);
	if (d->p2_ev)
		event_free(d->p2_ev);
	for (int i = 0; i < 2; i++)
		if (d->sig_ev[i])
			event_free(d->sig_ev[i]);
	/* Sessions end (IRI END) and what is queued gets 2 s to reach the LEMFs. */
	capture_free(d->cap, 2000);
	/* The rules stay on the card: a restarted clifd reconciles them with the store. */
	rulecomp_free(d->rc);
	if (d->card)
		clif_close(d->card);
	audit_close(d->audit);
	store_close(d->store);
	if (d->base)
		event_base_free(d->base);
	free(d->req);
	memset(d, 0, sizeof(*d));
}
