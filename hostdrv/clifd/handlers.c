/* X1 message handlers; see handlers.h.
 *
 * Group commit, the durability contract of one HTTP request (one X1Request of up to
 * X1_MAX_MESSAGES messages): every message's store writes go into ONE store transaction
 * (store_begin() before the first message, store_commit() after the last: one synchronous
 * SQLite commit), and each message's audit entry, with the audit head the store keeps, is
 * written before that commit. Only then is the answer sent. So when the ADMF reads an OK,
 * every change of the request is on disk (it survives SIGKILL or a power cut) and in the audit
 * log, and each message's rules are on the card; when clifd dies before the commit, the ADMF
 * has no answer, the store holds none of the request (the audit log may hold its messages:
 * what was asked), and the restarted clifd reconciles the card with the store. Later messages
 * of a request see the earlier ones' changes (one transaction, read back inside it). The
 * request's audit entries are appended without a sync and made durable together by one
 * fdatasync (clifd_daemon_audit_sync()) before the commit that records their head.
 *
 * When a store write, an audit entry, the audit sync or the commit fails, nothing of the
 * request is kept: the transaction is rolled back, the card is brought back in line with the
 * store for every task the request touched, each change that had been answered OK is answered
 * with its failure code instead (and audited as rolled back), errors stand, and the reads are
 * answered again from the store as it now is. */
#include "handlers.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "capture.h"
#include "daemon.h"
#include "log.h"
#include "model.h"
#include "rulecomp.h"
#include "store.h"
#include "x1.h"

/* ---- collecting the store's rows ---- */

struct task_list {
	struct clifd_task *v;
	size_t n, cap;
};

struct dest_list {
	struct clifd_destination *v;
	size_t n, cap;
};

/* Room for one more item of size bytes in a growing array of n used, *cap allocated: the
 * (possibly moved) array, or NULL when out of memory (v is then unchanged). */
static void *list_room(void *v, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return v;
	size_t c = *cap ? *cap * 2 : 16;
	void *nv = realloc(v, c * size);
	if (nv)
		*cap = c;
	return nv;
}

static int task_collect(const struct clifd_task *t, void *arg)
{
	struct task_list *l = arg;
	struct clifd_task *v = list_room(l->v, l->n, &l->cap, sizeof(*v));
	if (!v)
		return -ENOMEM;
	l->v = v;
	l->v[l->n++] = *t;
	return 0;
}

static int dest_collect(const struct clifd_destination *dst, void *arg)
{
	struct dest_list *l = arg;
	struct clifd_destination *v = list_room(l->v, l->n, &l->cap, sizeof(*v));
	if (!v)
		return -ENOMEM;
	l->v = v;
	l->v[l->n++] = *dst;
	return 0;
}

/* ---- status ---- */

static const struct x1_fault fault_no_rules = { X1_E_ACTIVATE, "rules not installed on the card" };
static const struct x1_fault fault_card = { X1_E_GENERIC, "card not answering: rules may be inactive" };

static void task_status(struct clifd_daemon *d, const struct clifd_task *t, struct x1_task_status *st)
{
	st->task = t;
	st->faults = NULL;
	st->n_faults = 0;
	if (!rulecomp_has_task(d->rc, t->xid)) {
		st->provisioning = X1_PROV_FAILED;
		st->faults = &fault_no_rules;
		st->n_faults = 1;
	} else {
		st->provisioning = X1_PROV_COMPLETE;
		if (d->card_state != CLIFD_CARD_OK) {
			st->faults = &fault_card;
			st->n_faults = 1;
		}
	}
}

static void ne_status(struct clifd_daemon *d, struct x1_ne_status *ne, struct x1_fault *faults)
{
	size_t n = 0;

	if (d->card_state == CLIFD_CARD_HEARTBEAT_LOST)
		faults[n++] = (struct x1_fault){ X1_E_GENERIC, "card heartbeat lost" };
	else if (d->card_state == CLIFD_CARD_FAULT)
		faults[n++] = (struct x1_fault){ X1_E_GENERIC, "card reports a fault" };
	if (d->replay_failed)
		faults[n++] = (struct x1_fault){ X1_E_ACTIVATE, "card rules not fully restored" };
	if (d->audit_failed)
		faults[n++] = (struct x1_fault){ X1_E_GENERIC, "audit log cannot be written" };
	ne->state = n ? X1_NE_FAULTS : X1_NE_OK;
	ne->faults = faults;
	ne->n_faults = n;
}

/* ---- the checks every message goes through ---- */

static int gate(struct clifd_daemon *d, const struct clifd_peer *peer, const struct x1_msg *m, const char **desc)
{
	if (m->admf_id[0]) {
		if (!clifd_peer_is(peer, m->admf_id)) {
			*desc = "admfIdentifier does not match the client certificate";
			return X1_E_ADMF_CERT;
		}
		if (strcmp(m->admf_id, d->cfg.admf_identifier) != 0) {
			*desc = "admfIdentifier is not the ADMF this NE serves";
			return X1_E_ADMF_UNEXPECTED;
		}
	}
	if (m->ne_id[0] && strcmp(m->ne_id, d->cfg.ne_identifier) != 0) {
		*desc = "neIdentifier is not this NE";
		return X1_E_NE_UNEXPECTED;
	}
	if (m->version[0] && m->version_minor > d->cfg.x1_minor) {
		*desc = "X1 version not supported by this NE";
		return X1_E_VERSION;
	}
	return X1_OK;
}

/* The destinations of t must exist, and together carry what the task delivers (each one
 * carrying some of it): X2 for X2Only, X3 for X3Only, both for X2andX3. */
static int check_dests(struct clifd_daemon *d, const struct clifd_task *t, int fail_code, const char **desc)
{
	unsigned covered = 0;
	struct clifd_destination dst;

	for (unsigned i = 0; i < t->n_dids; i++) {
		int r = store_dest_get(d->store, t->dids[i], &dst);
		if (r == -ENOENT) {
			*desc = "destination does not exist";
			return X1_E_DID_UNKNOWN;
		}
		if (r) {
			*desc = "task store read failed";
			return fail_code;
		}
		if ((dst.delivery & t->delivery) == 0) {
			*desc = "a destination's deliveryType does not match the task's";
			return X1_E_DELIVERY_COMBINATION;
		}
		covered |= dst.delivery;
	}
	if ((covered & t->delivery) != t->delivery) {
		*desc = "the destinations do not cover the task's deliveryType";
		return X1_E_DELIVERY_COMBINATION;
	}
	for (unsigned m = 0; m < t->n_mediation; m++)
		for (unsigned i = 0; i < t->mediation[m].n_dids; i++) {
			int r = store_dest_get(d->store, t->mediation[m].dids[i], &dst);
			if (r == -ENOENT) {
				*desc = "mediationDetails destination does not exist";
				return X1_E_DID_UNKNOWN;
			}
			if (r) {
				*desc = "task store read failed";
				return fail_code;
			}
		}
	return X1_OK;
}

/* ---- one request's group commit (see the top of this file) ---- */

struct req_ctx {
	int open;     /* store_begin() succeeded: the writes wait for the request's commit */
	int failed;   /* a store write failed: no change of this request may stay */
	unsigned n_touched;
	uint8_t touched[X1_MAX_MESSAGES][16]; /* tasks whose rules the request changed */
	int touched_all;                      /* DeactivateAllTasks: every task */
};

static const char desc_store_write[] = "task store write failed";

/* A store write of the request failed: what it did so far cannot be committed. */
static int store_failed(struct req_ctx *ctx, int fail_code, const char **desc)
{
	ctx->failed = 1;
	*desc = desc_store_write;
	return fail_code;
}

static void touch(struct req_ctx *ctx, const uint8_t xid[16])
{
	if (ctx->n_touched < X1_MAX_MESSAGES)
		memcpy(ctx->touched[ctx->n_touched++], xid, 16);
	else
		ctx->touched_all = 1; /* cannot happen: one entry per message */
}

static int writable(struct clifd_daemon *d, struct req_ctx *ctx, int fail_code, const char **desc)
{
	if (d->audit_failed) {
		*desc = "audit log unavailable: changes refused";
		return X1_E_GENERIC;
	}
	if (ctx->failed) {
		*desc = "task store write failed earlier in this request: change refused";
		return fail_code;
	}
	return X1_OK;
}

/* ---- the messages ---- */

static int do_activate(struct clifd_daemon *d, struct req_ctx *ctx, const struct x1_msg *m, struct x1_response *resp,
		       const char **desc)
{
	const struct clifd_task *t = &m->task;
	struct clifd_task old;
	int code, r;

	if ((code = rulecomp_check(t, desc)) != X1_OK)
		return code;
	r = store_task_get(d->store, t->xid, &old);
	if (r == 0 || rulecomp_has_task(d->rc, t->xid)) {
		*desc = "XID already exists";
		return X1_E_XID_EXISTS;
	}
	if (r != -ENOENT) {
		*desc = "task store read failed";
		return X1_E_ACTIVATE;
	}
	if ((code = check_dests(d, t, X1_E_ACTIVATE, desc)) != X1_OK ||
	    (code = writable(d, ctx, X1_E_ACTIVATE, desc)) != X1_OK)
		return code;
	if (d->card_state != CLIFD_CARD_OK) {
		*desc = "card not available";
		return X1_E_ACTIVATE;
	}
	if ((code = rulecomp_add_task(d->rc, t)) != X1_OK) {
		*desc = rulecomp_last_reason(d->rc);
		return code;
	}
	if (store_task_put(d->store, t) != 0) {
		rulecomp_remove_task(d->rc, t->xid); /* never a live rule without a stored warrant */
		return store_failed(ctx, X1_E_ACTIVATE, desc);
	}
	touch(ctx, t->xid);
	return x1_resp_ok(resp, m) ? X1_E_GENERIC : X1_OK;
}

static int do_modify(struct clifd_daemon *d, struct req_ctx *ctx, const struct x1_msg *m, struct x1_response *resp,
		     const char **desc)
{
	const struct clifd_task *t = &m->task;
	struct clifd_task old;
	int code, r, had;

	r = store_task_get(d->store, t->xid, &old);
	if (r == -ENOENT) {
		*desc = "XID does not exist";
		return X1_E_XID_UNKNOWN;
	}
	if (r) {
		*desc = "task store read failed";
		return X1_E_MODIFY;
	}
	if ((code = rulecomp_check(t, desc)) != X1_OK || (code = check_dests(d, t, X1_E_MODIFY, desc)) != X1_OK ||
	    (code = writable(d, ctx, X1_E_MODIFY, desc)) != X1_OK)
		return code;
	if (d->card_state != CLIFD_CARD_OK) {
		*desc = "card not available";
		return X1_E_MODIFY;
	}
	/* A stored task whose rules could not be installed at start is compiled afresh. */
	had = rulecomp_has_task(d->rc, t->xid);
	code = had ? rulecomp_modify_task(d->rc, t) : rulecomp_add_task(d->rc, t);
	if (code != X1_OK) {
		*desc = rulecomp_last_reason(d->rc);
		return code == X1_E_ACTIVATE ? X1_E_MODIFY : code;
	}
	if (store_task_put(d->store, t) != 0) {
		if (had)
			rulecomp_modify_task(d->rc, &old);
		else
			rulecomp_remove_task(d->rc, t->xid);
		return store_failed(ctx, X1_E_MODIFY, desc);
	}
	touch(ctx, t->xid);
	return x1_resp_ok(resp, m) ? X1_E_GENERIC : X1_OK;
}

static int do_deactivate(struct clifd_daemon *d, struct req_ctx *ctx, const struct x1_msg *m,
			 struct x1_response *resp, const char **desc)
{
	struct clifd_task old;
	int code, r = store_task_get(d->store, m->xid, &old);

	if (r == -ENOENT) {
		*desc = "XID does not exist";
		return X1_E_XID_UNKNOWN;
	}
	if (r && r != -EBADMSG) {
		*desc = "task store read failed";
		return X1_E_DEACTIVATE;
	}
	if ((code = writable(d, ctx, X1_E_DEACTIVATE, desc)) != X1_OK)
		return code;
	/* The store first: a deactivation is durable even if the card is slow to follow. */
	if (store_task_delete(d->store, m->xid) != 0)
		return store_failed(ctx, X1_E_DEACTIVATE, desc);
	touch(ctx, m->xid);
	if (rulecomp_has_task(d->rc, m->xid) && rulecomp_remove_task(d->rc, m->xid) != X1_OK) {
		char ref[11];
		clifd_task_ref(m->xid, ref);
		clifd_log(LOG_WARNING, "task %s deactivated; a card rule could not be deleted yet (%s): retried",
			  ref, rulecomp_last_reason(d->rc));
	}
	return x1_resp_ok(resp, m) ? X1_E_GENERIC : X1_OK;
}

static int do_deactivate_all(struct clifd_daemon *d, struct req_ctx *ctx, const struct x1_msg *m,
			     struct x1_response *resp, const char **desc)
{
	unsigned n;
	int code;

	if ((code = writable(d, ctx, X1_E_DEACTIVATE_ALL, desc)) != X1_OK)
		return code;
	/* Inside the request's transaction (clifd_daemon_deactivate_all joins it). */
	if ((code = clifd_daemon_deactivate_all(d, &n)) != X1_OK)
		return store_failed(ctx, code, desc);
	ctx->touched_all = 1;
	return x1_resp_ok(resp, m) ? X1_E_GENERIC : X1_OK;
}

static int do_create_dest(struct clifd_daemon *d, struct req_ctx *ctx, const struct x1_msg *m,
			  struct x1_response *resp, const char **desc)
{
	struct clifd_destination old;
	int code, r = store_dest_get(d->store, m->dest.did, &old);

	if (r == 0 || r == -EBADMSG) {
		*desc = "DID already exists";
		return X1_E_DID_EXISTS;
	}
	if (r != -ENOENT) {
		*desc = "task store read failed";
		return X1_E_CREATE_DEST;
	}
	if ((code = writable(d, ctx, X1_E_CREATE_DEST, desc)) != X1_OK)
		return code;
	if (store_dest_put(d->store, &m->dest) != 0)
		return store_failed(ctx, X1_E_CREATE_DEST, desc);
	return x1_resp_ok(resp, m) ? X1_E_GENERIC : X1_OK;
}

static int do_modify_dest(struct clifd_daemon *d, struct req_ctx *ctx, const struct x1_msg *m,
			  struct x1_response *resp, const char **desc)
{
	struct clifd_destination old;
	int code, r = store_dest_get(d->store, m->dest.did, &old);

	if (r == -ENOENT) {
		*desc = "DID does not exist";
		return X1_E_DID_UNKNOWN;
	}
	if (r && r != -EBADMSG) {
		*desc = "task store read failed";
		return X1_E_MODIFY_DEST;
	}
	if ((code = writable(d, ctx, X1_E_MODIFY_DEST, desc)) != X1_OK)
		return code;
	if (store_dest_put(d->store, &m->dest) != 0)
		return store_failed(ctx, X1_E_MODIFY_DEST, desc);
	return x1_resp_ok(resp, m) ? X1_E_GENERIC : X1_OK;
}

static int do_remove_dest(struct clifd_daemon *d, struct req_ctx *ctx, const struct x1_msg *m,
			  struct x1_response *resp, const char **desc)
{
	int code, r;

	if ((code = writable(d, ctx, X1_E_REMOVE_DEST, desc)) != X1_OK)
		return code;
	r = store_dest_delete(d->store, m->did);
	if (r == -ENOENT) {
		*desc = "DID does not exist";
		return X1_E_DID_UNKNOWN;
	}
	if (r == -EBUSY) {
		*desc = "destination in use by a task";
		return X1_E_DEST_IN_USE;
	}
	if (r)
		return store_failed(ctx, X1_E_REMOVE_DEST, desc);
	return x1_resp_ok(resp, m) ? X1_E_GENERIC : X1_OK;
}

static int do_remove_all_dests(struct clifd_daemon *d, struct req_ctx *ctx, const struct x1_msg *m,
			       struct x1_response *resp, const char **desc)
{
	struct dest_list l = { 0 };
	int code;

	if ((code = writable(d, ctx, X1_E_REMOVE_ALL_DEST, desc)) != X1_OK)
		return code;
	if (store_dest_each(d->store, dest_collect, &l) != 0) {
		free(l.v);
		*desc = "task store read failed";
		return X1_E_REMOVE_ALL_DEST;
	}
	for (size_t i = 0; i < l.n; i++)
		if (store_dest_in_use(d->store, l.v[i].did) != 0) {
			free(l.v);
			*desc = "destinations in use by tasks";
			return X1_E_DESTS_IN_USE;
		}
	/* All or none, inside the request's transaction: a failed delete fails the request. */
	for (size_t i = 0; i < l.n; i++)
		if (store_dest_delete(d->store, l.v[i].did) != 0) {
			free(l.v);
			return store_failed(ctx, X1_E_REMOVE_ALL_DEST, desc);
		}
	free(l.v);
	return x1_resp_ok(resp, m) ? X1_E_GENERIC : X1_OK;
}

static int do_get_task(struct clifd_daemon *d, const struct x1_msg *m, struct x1_response *resp, const char **desc)
{
	struct clifd_task t;
	struct x1_task_status st;
	int r = store_task_get(d->store, m->xid, &t);

	if (r == -ENOENT) {
		*desc = "XID does not exist";
		return X1_E_XID_UNKNOWN;
	}
	if (r) {
		*desc = "task store read failed";
		return X1_E_GENERIC;
	}
	task_status(d, &t, &st);
	return x1_resp_task_details(resp, m, &st) ? X1_E_GENERIC : X1_OK;
}

static int do_get_dest(struct clifd_daemon *d, const struct x1_msg *m, struct x1_response *resp, const char **desc)
{
	struct clifd_destination dst;
	struct x1_dest_status st = { &dst, X1_DEST_ACTIVE, NULL, 0 };
	int r = store_dest_get(d->store, m->did, &dst);

	if (r == -ENOENT) {
		*desc = "DID does not exist";
		return X1_E_DID_UNKNOWN;
	}
	if (r) {
		*desc = "task store read failed";
		return X1_E_GENERIC;
	}
	return x1_resp_dest_details(resp, m, &st) ? X1_E_GENERIC : X1_OK;
}

/* GetAllTaskDetails, GetAllDestinationDetails, GetAllDetails, ListAllDetails. */
static int do_get_all(struct clifd_daemon *d, const struct x1_msg *m, struct x1_response *resp, const char **desc)
{
	struct task_list tl = { 0 };
	struct dest_list dl = { 0 };
	struct x1_task_status *ts = NULL;
	struct x1_dest_status *ds = NULL;
	uint8_t(*xids)[16] = NULL, (*dids)[16] = NULL;
	struct x1_fault faults[4];
	struct x1_ne_status ne;
	int r = 0, want_t = m->type != X1_MSG_GET_ALL_DESTINATION_DETAILS,
	    want_d = m->type != X1_MSG_GET_ALL_TASK_DETAILS;

	if ((want_t && store_task_each(d->store, task_collect, &tl) != 0) ||
	    (want_d && store_dest_each(d->store, dest_collect, &dl) != 0)) {
		*desc = "task store read failed";
		r = -EIO;
		goto out;
	}
	ts = calloc(tl.n + 1, sizeof(*ts));
	ds = calloc(dl.n + 1, sizeof(*ds));
	xids = calloc(tl.n + 1, sizeof(*xids));
	dids = calloc(dl.n + 1, sizeof(*dids));
	if (!ts || !ds || !xids || !dids) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < tl.n; i++) {
		task_status(d, &tl.v[i], &ts[i]);
		memcpy(xids[i], tl.v[i].xid, 16);
	}
	for (size_t i = 0; i < dl.n; i++) {
		ds[i] = (struct x1_dest_status){ &dl.v[i], X1_DEST_ACTIVE, NULL, 0 };
		memcpy(dids[i], dl.v[i].did, 16);
	}
	ne_status(d, &ne, faults);
	switch (m->type) {
	case X1_MSG_GET_ALL_TASK_DETAILS:
		r = x1_resp_all_task_details(resp, m, ts, tl.n);
		break;
	case X1_MSG_GET_ALL_DESTINATION_DETAILS:
		r = x1_resp_all_dest_details(resp, m, ds, dl.n);
		break;
	case X1_MSG_GET_ALL_DETAILS:
		r = x1_resp_all_details(resp, m, &ne, ts, tl.n, ds, dl.n);
		break;
	default:
		r = x1_resp_list_all(resp, m, (const uint8_t(*)[16])xids, tl.n, (const uint8_t(*)[16])dids, dl.n);
		break;
	}
out:
	free(tl.v);
	free(dl.v);
	free(ts);
	free(ds);
	free(xids);
	free(dids);
	return r ? X1_E_GENERIC : X1_OK;
}

static int dispatch(struct clifd_daemon *d, struct req_ctx *ctx, const struct x1_msg *m, struct x1_response *resp,
		    const char **desc)
{
	struct x1_fault faults[4];
	struct x1_ne_status ne;

	switch (m->type) {
	case X1_MSG_ACTIVATE_TASK:
		return do_activate(d, ctx, m, resp, desc);
	case X1_MSG_MODIFY_TASK:
		return do_modify(d, ctx, m, resp, desc);
	case X1_MSG_DEACTIVATE_TASK:
		return do_deactivate(d, ctx, m, resp, desc);
	case X1_MSG_DEACTIVATE_ALL_TASKS:
		return do_deactivate_all(d, ctx, m, resp, desc);
	case X1_MSG_CREATE_DESTINATION:
		return do_create_dest(d, ctx, m, resp, desc);
	case X1_MSG_MODIFY_DESTINATION:
		return do_modify_dest(d, ctx, m, resp, desc);
	case X1_MSG_REMOVE_DESTINATION:
		return do_remove_dest(d, ctx, m, resp, desc);
	case X1_MSG_REMOVE_ALL_DESTINATIONS:
		return do_remove_all_dests(d, ctx, m, resp, desc);
	case X1_MSG_GET_TASK_DETAILS:
		return do_get_task(d, m, resp, desc);
	case X1_MSG_GET_DESTINATION_DETAILS:
		return do_get_dest(d, m, resp, desc);
	case X1_MSG_GET_ALL_TASK_DETAILS:
	case X1_MSG_GET_ALL_DESTINATION_DETAILS:
	case X1_MSG_GET_ALL_DETAILS:
	case X1_MSG_LIST_ALL_DETAILS:
		return do_get_all(d, m, resp, desc);
	case X1_MSG_GET_NE_STATUS:
		ne_status(d, &ne, faults);
		return x1_resp_ne_status(resp, m, &ne) ? X1_E_GENERIC : X1_OK;
	case X1_MSG_PING:
		return x1_resp_ok(resp, m) ? X1_E_GENERIC : X1_OK;
	case X1_MSG_KEEPALIVE:
		if (d->cfg.time_p2 == 0) {
			*desc = "Keepalive is not enabled on this NE";
			return X1_E_KEEPALIVE_UNSUPPORTED;
		}
		return x1_resp_ok(resp, m) ? X1_E_GENERIC : X1_OK;
	case X1_MSG_GENERIC:
		*desc = "generic objects are not supported by this NE";
		return X1_E_GENERIC_OBJECT;
	default:
		*desc = "request type not served by this NE";
		return X1_E_GENERIC;
	}
}

/* The XID or DID a message names, for the audit log (the one place identifiers belong). */
static const uint8_t *msg_object(const struct x1_msg *m)
{
	static const uint8_t zero[16];
	const uint8_t *id;

	switch (m->type) {
	case X1_MSG_ACTIVATE_TASK:
	case X1_MSG_MODIFY_TASK:
		id = m->task.xid;
		break;
	case X1_MSG_DEACTIVATE_TASK:
	case X1_MSG_GET_TASK_DETAILS:
		id = m->xid;
		break;
	case X1_MSG_CREATE_DESTINATION:
	case X1_MSG_MODIFY_DESTINATION:
		id = m->dest.did;
		break;
	case X1_MSG_REMOVE_DESTINATION:
	case X1_MSG_GET_DESTINATION_DETAILS:
		id = m->did;
		break;
	default:
		return NULL;
	}
	return memcmp(id, zero, 16) ? id : NULL;
}

static int is_task_msg(enum x1_msg_type t)
{
	return t == X1_MSG_ACTIVATE_TASK || t == X1_MSG_MODIFY_TASK || t == X1_MSG_DEACTIVATE_TASK ||
	       t == X1_MSG_GET_TASK_DETAILS;
}

/* The error a change answers when its store write fails; 0 for the messages that change
 * nothing. */
static int change_fail_code(enum x1_msg_type t)
{
	switch (t) {
	case X1_MSG_ACTIVATE_TASK:
		return X1_E_ACTIVATE;
	case X1_MSG_MODIFY_TASK:
		return X1_E_MODIFY;
	case X1_MSG_DEACTIVATE_TASK:
		return X1_E_DEACTIVATE;
	case X1_MSG_DEACTIVATE_ALL_TASKS:
		return X1_E_DEACTIVATE_ALL;
	case X1_MSG_CREATE_DESTINATION:
		return X1_E_CREATE_DEST;
	case X1_MSG_MODIFY_DESTINATION:
		return X1_E_MODIFY_DEST;
	case X1_MSG_REMOVE_DESTINATION:
		return X1_E_REMOVE_DEST;
	case X1_MSG_REMOVE_ALL_DESTINATIONS:
		return X1_E_REMOVE_ALL_DEST;
	default:
		return 0;
	}
}

/* How one message was answered. */
struct outcome {
	int code;
	const char *desc;
	int changed; /* a change answered OK: undone when the request cannot be committed */
};

/* Audits one message (actor: the certificate) and logs it by task reference. An audit entry
 * that cannot be written (or its head not recorded) inside the request's transaction fails
 * the request: no change is kept that the audit log does not hold. */
static void audit_msg(struct clifd_daemon *d, struct req_ctx *ctx, const struct clifd_peer *peer,
		      const struct x1_msg *m, const char *result, int code)
{
	const uint8_t *obj = msg_object(m);
	char object[37] = "", ref[24] = "";

	if (obj) {
		clifd_uuid_format(obj, object);
		if (is_task_msg(m->type)) {
			char r10[11];
			clifd_task_ref(obj, r10);
			snprintf(ref, sizeof(ref), " task %s", r10);
		}
	}
	if (clifd_daemon_audit(d, peer->subject, m->request_type[0] ? m->request_type : "Unknown", object, result) != 0 &&
	    ctx->open)
		ctx->failed = 1;
	clifd_log(code == X1_OK ? LOG_INFO : LOG_NOTICE, "X1 %s%s from %s: %s", x1_msg_type_name(m->type), ref,
		  peer->addr, result);
}

static void handle_msg(struct clifd_daemon *d, struct req_ctx *ctx, const struct clifd_peer *peer,
		       const struct x1_msg *m, struct x1_response *resp, struct outcome *res)
{
	const char *desc = NULL;
	char result[32];
	int code = gate(d, peer, m, &desc);

	d->x1_messages++;
	if (code == X1_OK) {
		if (m->admf_id[0]) /* from our ADMF, as its certificate says: TIME_P2 restarts */
			clifd_daemon_x1_seen(d);
		if (m->error != X1_OK) {
			code = m->error;
			desc = m->error_desc;
		} else {
			code = dispatch(d, ctx, m, resp, &desc);
		}
	}
	if (code != X1_OK) {
		d->x1_refused++;
		if (x1_resp_error(resp, m, code, desc) != 0)
			clifd_log(LOG_ERR, "X1: cannot build an ErrorResponse (out of memory)");
		snprintf(result, sizeof(result), "error %d", code);
	} else {
		snprintf(result, sizeof(result), "ok");
	}
	res->code = code;
	res->desc = desc;
	res->changed = code == X1_OK && change_fail_code(m->type) != 0;
	audit_msg(d, ctx, peer, m, result, code);
}

/* ---- the packet path follows the store ---- */

/* After the commit (or the roll-back): destinations first, so that a task activated with a
 * new destination finds its sender, then the tasks the request touched. */
static void sync_capture(struct clifd_daemon *d, const struct req_ctx *ctx, const struct x1_request *req,
			 const struct outcome *res)
{
	int changed = 0;

	if (!d->cap)
		return;
	if (ctx->failed) /* rolled back: the CINs reserved in the transaction were never stored */
		capture_drop_reserved(d->cap);
	for (unsigned i = 0; i < req->n_msgs; i++)
		changed |= res[i].changed;
	if (changed)
		capture_sync_dests(d->cap);
	if (ctx->touched_all)
		capture_sync_all(d->cap);
	else
		for (unsigned i = 0; i < ctx->n_touched; i++)
			capture_sync_task(d->cap, ctx->touched[i]);
	capture_drop_reserved(d->cap);
}

/* ---- a request that cannot be committed ---- */

/* Makes the card hold what the store holds for one task (the store was rolled back). */
static void resync_task(struct clifd_daemon *d, const uint8_t xid[16])
{
	struct clifd_task t;
	int r = store_task_get(d->store, xid, &t), code = X1_OK;

	if (r == 0)
		code = rulecomp_has_task(d->rc, xid) ? rulecomp_modify_task(d->rc, &t) : rulecomp_add_task(d->rc, &t);
	else if (r == -ENOENT && rulecomp_has_task(d->rc, xid))
		code = rulecomp_remove_task(d->rc, xid);
	if (code != X1_OK) {
		char ref[11];
		clifd_task_ref(xid, ref);
		clifd_log(LOG_ERR, "task %s: card rules not brought back in line with the store (%s)", ref,
			  rulecomp_last_reason(d->rc));
	}
}

/* After a rolled-back DeactivateAllTasks: every stored task gets its rules back. */
static int resync_missing(const struct clifd_task *t, void *arg)
{
	struct clifd_daemon *d = arg;

	if (!rulecomp_has_task(d->rc, t->xid))
		resync_task(d, t->xid);
	return 0;
}

/* The store holds none of the request: the card follows it, every change that was answered OK
 * is answered (and audited) as failed, the errors stand, and the reads are answered again from
 * the store as it now is. Returns the new answer (resp freed), or NULL when out of memory. */
static struct x1_response *roll_back(struct clifd_daemon *d, struct req_ctx *ctx, const struct clifd_peer *peer,
				     const struct x1_request *req, const struct outcome *res,
				     struct x1_response *resp)
{
	struct req_ctx ro = { .failed = 1 }; /* the reads run again; nothing may write */
	struct x1_response *again;
	unsigned changed = 0;

	if (ctx->touched_all)
		store_task_each(d->store, resync_missing, d);
	for (unsigned i = 0; i < ctx->n_touched; i++)
		resync_task(d, ctx->touched[i]);
	for (unsigned i = 0; i < req->n_msgs; i++)
		changed += res[i].changed;
	clifd_log(LOG_ERR, "X1 request from %s: task store transaction failed, %u changes undone", peer->addr,
		  changed);
	if (!changed)
		return resp;
	x1_response_free(resp);
	again = x1_response_new(d->cfg.ne_identifier, d->cfg.x1_version);
	if (!again)
		return NULL;
	for (unsigned i = 0; i < req->n_msgs; i++) {
		const struct x1_msg *m = &req->msgs[i];
		const char *desc = res[i].desc;
		int code = res[i].code;
		char result[48];

		if (res[i].changed) {
			code = change_fail_code(m->type);
			desc = "task store write failed: no change of this request was kept";
			snprintf(result, sizeof(result), "rolled back: error %d", code);
			d->x1_refused++;
			audit_msg(d, &ro, peer, m, result, code);
		} else if (code == X1_OK) {
			code = dispatch(d, &ro, m, again, &desc);
		}
		if (code != X1_OK && x1_resp_error(again, m, code, desc) != 0) {
			x1_response_free(again);
			return NULL;
		}
	}
	return again;
}

void clifd_handle_x1(void *arg, const struct clifd_peer *peer, const char *body, size_t len, char **out,
		     size_t *out_len)
{
	struct clifd_daemon *d = arg;
	struct x1_request *req = d->req;
	struct x1_response *resp;
	struct outcome res[X1_MAX_MESSAGES];
	struct req_ctx ctx;
	int code;

	*out = NULL;
	*out_len = 0;
	code = x1_parse_request(body, len, req);
	if (code != 0) {
		char result[32];
		snprintf(result, sizeof(result), "error %d", code);
		d->x1_refused++;
		clifd_daemon_audit(d, peer->subject, "X1Request", "", result);
		clifd_log(LOG_NOTICE, "X1 request from %s refused: %s (%d)", peer->addr,
			  req->error_desc ? req->error_desc : "invalid", code);
		if (x1_build_top_level_error(peer->cn, d->cfg.ne_identifier, d->cfg.x1_version, out, out_len) != 0)
			*out = NULL;
		return;
	}
	resp = x1_response_new(d->cfg.ne_identifier, d->cfg.x1_version);
	if (!resp)
		return;
	/* One transaction for the whole request (group commit; see the top of this file). No
	 * transaction, no change: each one is refused. */
	memset(&ctx, 0, sizeof(ctx));
	ctx.open = store_begin(d->store) == 0;
	ctx.failed = !ctx.open;
	d->audit_batch = ctx.open;
	for (unsigned i = 0; i < req->n_msgs; i++)
		handle_msg(d, &ctx, peer, &req->msgs[i], resp, &res[i]);
	d->audit_batch = 0;
	/* The new sessions' CINs go into the same commit (capture.h). */
	if (ctx.open && !ctx.failed && d->cap && !ctx.touched_all)
		for (unsigned i = 0; i < ctx.n_touched && !ctx.failed; i++)
			if (capture_reserve_cin(d->cap, ctx.touched[i]) != 0)
				ctx.failed = 1;
	if (clifd_daemon_audit_sync(d) != 0 && ctx.open)
		ctx.failed = 1; /* entries not durable: their head may not be committed */
	if (ctx.open) {
		if (ctx.failed)
			store_rollback(d->store);
		else if (store_commit(d->store) != 0) /* rolled back by store_commit() */
			ctx.failed = 1;
		if (ctx.failed)
			resp = roll_back(d, &ctx, peer, req, res, resp);
	}
	sync_capture(d, &ctx, req, res);
	if (resp && x1_response_finish(resp, out, out_len) != 0)
		*out = NULL;
	x1_response_free(resp);
}

void clifd_handle_refusal(void *arg, const char *actor, const char *what, const char *result)
{
	clifd_daemon_audit(arg, actor, what, "", result);
}
