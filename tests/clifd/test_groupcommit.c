/*
 * clifd-groupcommit: one X1 request is one store transaction (hostdrv/clifd/handlers.c):
 * every change of a request is kept, or none is.
 *
 *   clif-test-clifd-groupcommit BIN_DIR
 *
 * Runs clifd's daemon in this process (clifd_daemon_start() on a real clif-cardsim, the PKI
 * and configuration of tests/clifd/harness.h) and hands X1 documents straight to its handler
 * (clifd_handle_x1() with the ADMF's certificate identity). The program is linked with
 * --wrap=store_commit,--wrap=store_task_put so that a commit or a task write can be made to
 * fail on demand. Checks:
 *   visibility  a later message of a request sees an earlier one's change (2010 for a repeated
 *               XID), and the request is kept once committed
 *   commit      the commit fails: every change of the request (CreateDestination, ActivateTask,
 *               ModifyTask, DeactivateTask, DeactivateAllTasks) is answered with its failure
 *               code, audited "rolled back", absent from the store, and the card holds exactly
 *               the rules it held before; the reads of the request are answered from the store
 *               as it is after the rollback; errors stand
 *   write       a task write fails part-way: the earlier changes of the request go too, and the
 *               later ones are refused
 * Prints "clifd-groupcommit: N checks, 0 failures" and exits 0, or exits 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "daemon.h"
#include "handlers.h"
#include "harness.h"
#include "libclif.h"
#include "log.h"
#include "store.h"

#define PROG "clifd-groupcommit"
#define CHECK_PROG PROG
#include "check.h"

#define D1 "d2000000-0000-4000-8000-000000000001"
#define D2 "d2000000-0000-4000-8000-000000000002"
#define T1 "a2000000-0000-4000-8000-000000000001"
#define T2 "a2000000-0000-4000-8000-000000000002"
#define T3 "a2000000-0000-4000-8000-000000000003"
#define T4 "a2000000-0000-4000-8000-000000000004"

static struct clifd_daemon daemon_;
static struct clifd_peer admf;

/* ---- the store, failing on demand ---- */

static int fail_commit;     /* the next store_commit() fails (rolled back, as store.h says) */
static int fail_put_after;  /* > 0: that many more store_task_put() calls work, then one fails */

int __real_store_commit(struct clifd_store *s);
int __real_store_task_put(struct clifd_store *s, const struct clifd_task *t);
int __wrap_store_commit(struct clifd_store *s);
int __wrap_store_task_put(struct clifd_store *s, const struct clifd_task *t);

int __wrap_store_commit(struct clifd_store *s)
{
	if (fail_commit) {
		fail_commit = 0;
		store_rollback(s);
		return -EIO;
	}
	return __real_store_commit(s);
}

int __wrap_store_task_put(struct clifd_store *s, const struct clifd_task *t)
{
	if (fail_put_after > 0 && --fail_put_after == 0)
		return -EIO;
	return __real_store_task_put(s, t);
}

static void stop_daemon(void)
{
	clifd_daemon_close(&daemon_);
	hx_cleanup();
}

/* ---- requests ---- */

static char answer[262144];

/* Concatenates the messages (each freed; NULL-terminated) into one request, hands it to the
 * handler and keeps the answer in answer[]. */
static const char *request(char *first, ...)
{
	char *msgs = strdup(""), *doc, *out = NULL;
	size_t out_len = 0;
	va_list ap;

	va_start(ap, first);
	for (char *m = first; m; m = va_arg(ap, char *)) {
		char *both;
		if (asprintf(&both, "%s%s", msgs, m) < 0)
			die("out of memory");
		free(msgs);
		free(m);
		msgs = both;
	}
	va_end(ap);
	doc = hx_doc_of(msgs);
	clifd_handle_x1(&daemon_, &admf, doc, strlen(doc), &out, &out_len);
	free(doc);
	if (!out)
		die("no answer from the handler");
	snprintf(answer, sizeof(answer), "%s", out);
	free(out);
	return answer;
}

/* The n-th (1-based) x1ResponseMessage of the answer: "ok", "error CODE", or the response's
 * type for a details answer. */
static const char *nth(unsigned n)
{
	static char what[64];
	const char *p = answer;

	for (unsigned i = 0; i < n; i++) {
		p = strstr(p, "<x1:x1ResponseMessage ");
		if (!p)
			return "missing";
		p++;
	}
	const char *end = strstr(p, "</x1:x1ResponseMessage>"), *e = strstr(p, "<x1:errorCode>"),
		   *ok = strstr(p, "<x1:oK>AcknowledgedAndCompleted</x1:oK>"), *t = strstr(p, "xsi:type=\"x1:");
	if (!end)
		return "unterminated";
	if (e && e < end)
		snprintf(what, sizeof(what), "error %d", atoi(e + 14));
	else if (ok && ok < end)
		snprintf(what, sizeof(what), "ok");
	else if (t && t < end)
		snprintf(what, sizeof(what), "%.*s", (int)strcspn(t + 13, "\""), t + 13);
	else
		snprintf(what, sizeof(what), "?");
	return what;
}

static char *activate(const char *xid, const char *targets)
{
	char *p = hx_task_xml(xid, targets, "X2andX3", HX_DID(D1)), *m = hx_msg("ActivateTask", p);

	free(p);
	return m;
}

static char *modify(const char *xid, const char *targets)
{
	char *p = hx_task_xml(xid, targets, "X2andX3", HX_DID(D1)), *m = hx_msg("ModifyTask", p);

	free(p);
	return m;
}

static char *by_id(const char *type, const char *name, const char *id)
{
	char *p = hx_tag(name, id), *m = hx_msg(type, p);

	free(p);
	return m;
}

static int stored_tasks(void)
{
	return store_task_count(daemon_.store);
}

static void expect(unsigned n, const char *want, const char *what)
{
	const char *got = nth(n);

	CHECK_MSG(strcmp(got, want) == 0, "%s: message %u answered '%s', want '%s'", what, n, got, want);
}

/* ---- the tests ---- */

static void test_visibility(void)
{
	request(hx_msg("CreateDestination", hx_dest_xml(D1, "X2andX3", "192.0.2.10", 5001)), NULL);
	expect(1, "ok", "CreateDestination D1");
	request(activate(T1, HX_IP("10.2.0.1")), activate(T1, HX_IP("10.2.0.2")), by_id("GetTaskDetails", "xId", T1),
		NULL);
	expect(1, "ok", "ActivateTask T1");
	expect(2, "error 2010", "the same XID again in the same request");
	expect(3, "GetTaskDetailsResponse", "GetTaskDetails sees the request's own activation");
	CHECK_MSG(stored_tasks() == 1 && hx_card_rules() == 1, "committed: 1 task stored (%d), 1 rule (%u)", stored_tasks(),
	      hx_card_rules());
}

static void test_commit_fails(void)
{
	fail_commit = 1;
	request(hx_msg("CreateDestination", hx_dest_xml(D2, "X3Only", "192.0.2.11", 5002)),
		activate(T2, HX_IP("10.2.0.3") HX_IP("10.2.0.4")), hx_msg("Ping", NULL),
		by_id("GetTaskDetails", "xId", T2), activate(T1, HX_IP("10.2.0.9")), NULL);
	expect(1, "error 6000", "commit failed: CreateDestination");
	expect(2, "error 3000", "commit failed: ActivateTask");
	expect(3, "ok", "commit failed: Ping still answered");
	expect(4, "error 2020", "commit failed: GetTaskDetails answered from the rolled-back store");
	expect(5, "error 2010", "commit failed: an error stands");
	CHECK_MSG(strstr(answer, "no change of this request was kept") != NULL, "the description says nothing was kept");
	request(by_id("GetDestinationDetails", "dId", D2), NULL);
	expect(1, "error 2040", "commit failed: the destination is not there");
	CHECK_MSG(stored_tasks() == 1 && hx_card_rules() == 1, "commit failed: 1 task (%d), 1 rule (%u) as before",
	      stored_tasks(), hx_card_rules());
	CHECK_MSG(hx_audit_has("\tActivateTask\t" T2 "\tok") && hx_audit_has("\tActivateTask\t" T2 "\trolled back: error 3000"),
	      "audit: the activation, then its rollback");
	CHECK_MSG(hx_audit_has("\tCreateDestination\t" D2 "\trolled back: error 6000"), "audit: CreateDestination rolled back");

	fail_commit = 1;
	request(modify(T1, HX_IP("10.2.0.5") HX_IP("10.2.0.6")), NULL);
	expect(1, "error 3001", "commit failed: ModifyTask");
	CHECK_MSG(hx_card_rules() == 1, "ModifyTask rolled back: 1 rule (%u)", hx_card_rules());
	request(by_id("GetTaskDetails", "xId", T1), NULL);
	CHECK_MSG(strstr(answer, "10.2.0.1") && !strstr(answer, "10.2.0.5"), "ModifyTask rolled back: the old target");

	fail_commit = 1;
	request(by_id("DeactivateTask", "xId", T1), NULL);
	expect(1, "error 4000", "commit failed: DeactivateTask");
	CHECK_MSG(stored_tasks() == 1 && hx_card_rules() == 1, "DeactivateTask rolled back: task (%d) and rule (%u) back",
	      stored_tasks(), hx_card_rules());

	fail_commit = 1;
	request(hx_msg("DeactivateAllTasks", NULL), NULL);
	expect(1, "error 5000", "commit failed: DeactivateAllTasks");
	CHECK_MSG(stored_tasks() == 1 && hx_card_rules() == 1, "DeactivateAllTasks rolled back: task (%d) and rule (%u) back",
	      stored_tasks(), hx_card_rules());
	request(by_id("GetTaskDetails", "xId", T1), NULL);
	CHECK_MSG(strstr(answer, "<x1:provisioningStatus>complete<") != NULL, "T1 provisioned again after the rollback");
}

static void test_write_fails(void)
{
	fail_put_after = 2; /* T3's write works, T4's fails */
	request(activate(T3, HX_IP("10.2.0.7")), activate(T4, HX_IP("10.2.0.8")),
		by_id("DeactivateTask", "xId", T1), NULL);
	fail_put_after = 0;
	expect(1, "error 3000", "a later write failed: the earlier ActivateTask is undone");
	expect(2, "error 3000", "the failing ActivateTask");
	expect(3, "error 4000", "a change after the failure is refused");
	CHECK_MSG(stored_tasks() == 1 && hx_card_rules() == 1, "after the failed write: 1 task (%d), 1 rule (%u)",
	      stored_tasks(), hx_card_rules());

	request(activate(T3, HX_IP("10.2.0.7")), by_id("DeactivateTask", "xId", T1), NULL);
	expect(1, "ok", "afterwards requests commit again: ActivateTask");
	expect(2, "ok", "afterwards requests commit again: DeactivateTask");
	CHECK_MSG(stored_tasks() == 1 && hx_card_rules() == 1, "T3 only: 1 task (%d), 1 rule (%u)", stored_tasks(),
	      hx_card_rules());
}

int main(int argc, char **argv)
{
	struct hx_config hc = { 3600, 65536, 0, 100, 3000, "info", NULL };
	struct clifd_config cfg;
	char err[512] = "";
	const char *card_args[] = { "--generate", "1", NULL };

	if (argc != 2) {
		fprintf(stderr, "usage: %s BIN_DIR\n", argv[0]);
		return 2;
	}
	hx_init(PROG, argv[1]);
	cardsim_on_cleanup = stop_daemon;
	hx_make_pki();
	hx_card_start(card_args);
	hx_write_config(&hc);
	clifd_config_defaults(&cfg);
	if (clifd_config_load(&cfg, hx.conf, err, sizeof(err)) != 0)
		die("configuration: %s", err);
	clifd_log_open(LOG_WARNING, 0);
	if (clifd_daemon_start(&daemon_, &cfg, err, sizeof(err)) != 0)
		die("clifd_daemon_start: %s", err);
	snprintf(admf.subject, sizeof(admf.subject), "CN=" HX_ADMF_ID ",O=Test Operator");
	snprintf(admf.cn, sizeof(admf.cn), HX_ADMF_ID);
	snprintf(admf.addr, sizeof(admf.addr), "127.0.0.1:9");

	test_visibility();
	test_commit_fails();
	test_write_fails();

	cardsim_cleanup();
	return check_done();
}
