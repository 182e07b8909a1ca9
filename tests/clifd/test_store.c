/* clifd's task store: round trips of every model field, references, CIN allocation, atomic
 * transactions, durability across a SIGKILL, file permissions, and refusal of corrupt rows and
 * newer schemas (rows corrupted with raw SQL on a second connection), the destinations'
 * handover protocol and the migration of a version 1 database to it. The store's kept
 * statements: a walk whose callback walks and reads again, no read left open after a walk
 * stopped early or a refused write, and rows and schema changed by another connection seen. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store.h"

#define CHECK_PROG "clifd-store"
#include "check.h"

/* The hex of mkid(0x7b / 0xd0, n) for raw SQL; n is two hex digits. */
#define XID(n) "7b000000000000400000000000000" "0" n
#define DID(n) "d0000000000000400000000000000" "0" n


/* Distinct ids: the tag in the first byte, a counter in the last. */
static void mkid(uint8_t id[16], uint8_t tag, uint8_t n)
{
	memset(id, 0, 16);
	id[0] = tag;
	id[15] = n;
	id[7] = 0x40;
}

static void mkdest(struct clifd_destination *d, uint8_t n)
{
	memset(d, 0, sizeof *d);
	mkid(d->did, 0xd0, n);
	snprintf(d->friendly_name, sizeof d->friendly_name, "LEMF %u", n);
	d->delivery = CLIFD_X2_AND_X3;
	d->ip_len = n % 2 ? 16 : 4;
	for (unsigned i = 0; i < d->ip_len; i++)
		d->ip[i] = (uint8_t)(10 + i + n);
	d->port = (uint16_t)(40000 + n);
	d->transport = n % 3 ? CLIFD_TRANSPORT_TCP : CLIFD_TRANSPORT_UDP;
}

/* A task with every field of model.h filled to its maximum. */
static void full_task(struct clifd_task *t, uint8_t n)
{
	memset(t, 0, sizeof *t);
	mkid(t->xid, 0x7a, n);
	t->n_targets = CLIFD_MAX_TARGETS;
	for (unsigned i = 0; i < CLIFD_MAX_TARGETS; i++) {
		struct clifd_target *g = &t->targets[i];
		g->kind = (uint8_t)(1 + i % 9);
		g->prefix_len = (uint8_t)(i * 8);
		g->port_lo = (uint16_t)(1000 + i);
		g->port_hi = (uint16_t)(0xff00 + i);
		for (unsigned j = 0; j < 16; j++)
			g->addr[j] = (uint8_t)(i * 16 + j + n);
	}
	t->scope_type = 3;
	t->scope_value = 0x00abcdef;
	t->delivery = CLIFD_X2_AND_X3;
	t->n_dids = CLIFD_MAX_DIDS;
	for (unsigned i = 0; i < CLIFD_MAX_DIDS; i++)
		mkid(t->dids[i], 0xd0, (uint8_t)i);
	t->n_mediation = CLIFD_MAX_MEDIATION;
	for (unsigned i = 0; i < CLIFD_MAX_MEDIATION; i++) {
		struct clifd_mediation *m = &t->mediation[i];
		memset(m->liid, 'A' + (int)i, CLIFD_LIID_MAX); /* longest LIID */
		m->liid[0] = (char)('0' + n % 10);
		m->hi_delivery = (uint8_t)(1 + i % 3);
		m->n_dids = CLIFD_MAX_DIDS;
		for (unsigned j = 0; j < CLIFD_MAX_DIDS; j++)
			mkid(m->dids[j], 0xd0, (uint8_t)(8 + (i + j) % 4));
	}
	t->has_correlation = 1;
	t->correlation_id = 0x0123456789abcdefull;
	t->implicit_deactivation = 2;
}

/* A task with one target and one DID. */
static void small_task(struct clifd_task *t, uint8_t n, uint8_t did)
{
	memset(t, 0, sizeof *t);
	mkid(t->xid, 0x7b, n);
	t->n_targets = 1;
	t->targets[0].kind = CLIFD_TGT_IPV4;
	t->targets[0].prefix_len = 32;
	t->targets[0].addr[0] = 192;
	t->targets[0].addr[3] = n;
	t->delivery = CLIFD_X3_ONLY;
	t->n_dids = 1;
	mkid(t->dids[0], 0xd0, did);
}

static struct clifd_store *open_ok(const char *path)
{
	struct clifd_store *s = NULL;
	int e = store_open(path, &s);
	CHECK_EQ(e, 0);
	if (e) {
		fprintf(stderr, "clifd-store: cannot open the store (%s)\n", strerror(-e));
		exit(1);
	}
	return s;
}

static void put_dests(struct clifd_store *s, unsigned n)
{
	struct clifd_destination d;
	for (unsigned i = 0; i < n; i++) {
		mkdest(&d, (uint8_t)i);
		CHECK_EQ(store_dest_put(s, &d), 0);
	}
}

/* Raw SQL on a second connection, as a corrupting hand would. */
static void raw(const char *path, const char *fmt, ...)
{
	char sql[512];
	va_list ap;
	sqlite3 *db;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	CHECK_EQ(sqlite3_open(path, &db), SQLITE_OK);
	char *err = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
	if (rc != SQLITE_OK)
		fprintf(stderr, "clifd-store: raw SQL failed: %s\n", err ? err : "?");
	CHECK_EQ(rc, SQLITE_OK);
	sqlite3_free(err);
	sqlite3_close(db);
}

/* One integer from raw SQL on a second connection; -1 when there is no integer row. */
static long long raw_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long long v = -1;
	CHECK_EQ(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_INTEGER)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return v;
}

/* ---- the body codec ---- */

static void test_codec(void)
{
	struct clifd_task t, u;
	uint8_t buf[STORE_TASK_BODY_MAX];
	full_task(&t, 1);
	int len = store_task_encode(&t, buf, sizeof buf);
	/* 1 + 16 + 1 + 16*22 + 1 + 4 + 1 + 1 + 8*16 + 1 + 8*(1+25+1+1+8*16) + 1 + 8 + 1 */
	CHECK_EQ(len, 1 + 16 + 1 + 16 * 22 + 6 + 1 + 128 + 1 + 8 * 156 + 10);
	CHECK_EQ(buf[0], STORE_TASK_ENCODING);
	CHECK_EQ(buf[17], CLIFD_MAX_TARGETS);
	/* little-endian: port_lo 1000 = e8 03 at the first target's bytes 2..3 */
	CHECK_EQ(buf[20], 0xe8);
	CHECK_EQ(buf[21], 0x03);
	CHECK_EQ(store_task_decode(buf, (size_t)len, &u), 0);
	CHECK(memcmp(&t, &u, sizeof t) == 0);
	/* every truncation is refused, as is one byte too many */
	int short_ok = 0;
	for (int l = 0; l < len; l++)
		short_ok += store_task_decode(buf, (size_t)l, &u) == -EBADMSG;
	CHECK_EQ(short_ok, len);
	buf[len] = 0;
	CHECK_EQ(store_task_decode(buf, (size_t)len + 1, &u), -EBADMSG);
	CHECK_EQ(store_task_encode(&t, buf, 10), -ENOSPC);
	t.n_targets = CLIFD_MAX_TARGETS + 1;
	CHECK_EQ(store_task_encode(&t, buf, sizeof buf), -EINVAL);
	full_task(&t, 1);
	memset(t.mediation[2].liid, 'x', sizeof t.mediation[2].liid); /* unterminated */
	CHECK_EQ(store_task_encode(&t, buf, sizeof buf), -EINVAL);
}

/* ---- tasks and destinations ---- */

struct walk {
	int n;
	uint8_t last[16];
	int ordered;
	int stop_at;
};

static int walk_task(const struct clifd_task *t, void *arg)
{
	struct walk *w = arg;
	if (w->n && memcmp(w->last, t->xid, 16) >= 0)
		w->ordered = 0;
	memcpy(w->last, t->xid, 16);
	return ++w->n == w->stop_at ? 77 : 0;
}

static int walk_dest(const struct clifd_destination *d, void *arg)
{
	struct walk *w = arg;
	if (w->n && memcmp(w->last, d->did, 16) >= 0)
		w->ordered = 0;
	memcpy(w->last, d->did, 16);
	return ++w->n == w->stop_at ? 78 : 0;
}

static void test_tasks(void)
{
	const char *path = check_path("tasks.db");
	struct clifd_store *s = open_ok(path);
	struct clifd_task t, u;
	struct clifd_destination d, e;

	/* a task naming a destination that does not exist is refused whole */
	full_task(&t, 1);
	CHECK_EQ(store_task_put(s, &t), -ENOENT);
	CHECK_EQ(store_task_get(s, t.xid, &u), -ENOENT);
	CHECK_EQ(store_task_count(s), 0);

	put_dests(s, 12);
	CHECK_EQ(store_dest_count(s), 12);
	mkdest(&d, 5);
	CHECK_EQ(store_dest_get(s, d.did, &e), 0);
	CHECK(memcmp(&d, &e, sizeof d) == 0);

	CHECK_EQ(store_task_put(s, &t), 0);
	memset(&u, 0xee, sizeof u);
	CHECK_EQ(store_task_get(s, t.xid, &u), 0);
	CHECK(memcmp(&t, &u, sizeof t) == 0);
	CHECK_EQ(store_task_count(s), 1);
	/* DIDs 0..7 from the task, 8..11 from the mediation details */
	for (unsigned i = 0; i < 12; i++) {
		mkdest(&d, (uint8_t)i);
		CHECK_EQ(store_dest_in_use(s, d.did), 1);
	}

	/* replace: same XID, other content, fewer references */
	small_task(&u, 0, 3);
	memcpy(u.xid, t.xid, 16);
	CHECK_EQ(store_task_put(s, &u), 0);
	CHECK_EQ(store_task_count(s), 1);
	CHECK_EQ(store_task_get(s, t.xid, &t), 0);
	CHECK(memcmp(&t, &u, sizeof t) == 0);
	mkdest(&d, 3);
	CHECK_EQ(store_dest_in_use(s, d.did), 1);
	mkdest(&d, 9);
	CHECK_EQ(store_dest_in_use(s, d.did), 0);

	/* more tasks on destination 3: in-use counts them */
	for (uint8_t i = 1; i <= 20; i++) {
		small_task(&t, i, i % 2 ? 3 : 4);
		CHECK_EQ(store_task_put(s, &t), 0);
	}
	CHECK_EQ(store_task_count(s), 21);
	mkdest(&d, 3);
	CHECK_EQ(store_dest_in_use(s, d.did), 11);
	mkdest(&d, 4);
	CHECK_EQ(store_dest_in_use(s, d.did), 10);
	mkdest(&d, 250);
	CHECK_EQ(store_dest_in_use(s, d.did), 0);

	/* a destination in use cannot go; an unused one can */
	mkdest(&d, 3);
	CHECK_EQ(store_dest_delete(s, d.did), -EBUSY);
	CHECK_EQ(store_dest_get(s, d.did, &e), 0);
	mkdest(&d, 11);
	CHECK_EQ(store_dest_delete(s, d.did), 0);
	CHECK_EQ(store_dest_delete(s, d.did), -ENOENT);
	CHECK_EQ(store_dest_get(s, d.did, &e), -ENOENT);
	CHECK_EQ(store_dest_count(s), 11);

	/* destination replace keeps its references */
	mkdest(&d, 4);
	snprintf(d.friendly_name, sizeof d.friendly_name, "renamed");
	d.port = 9;
	CHECK_EQ(store_dest_put(s, &d), 0);
	CHECK_EQ(store_dest_get(s, d.did, &e), 0);
	CHECK(memcmp(&d, &e, sizeof d) == 0);
	CHECK_EQ(store_dest_in_use(s, d.did), 10);
	CHECK_EQ(store_dest_count(s), 11);
	d.ip_len = 6;
	CHECK_EQ(store_dest_put(s, &d), -EINVAL);
	mkdest(&d, 4);
	memset(d.friendly_name, 'n', sizeof d.friendly_name);
	CHECK_EQ(store_dest_put(s, &d), -EINVAL);

	/* delete */
	small_task(&t, 1, 3);
	CHECK_EQ(store_task_delete(s, t.xid), 0);
	CHECK_EQ(store_task_delete(s, t.xid), -ENOENT);
	CHECK_EQ(store_task_get(s, t.xid, &u), -ENOENT);
	CHECK_EQ(store_task_count(s), 20);
	mkdest(&d, 3);
	CHECK_EQ(store_dest_in_use(s, d.did), 10);

	/* walks: all, in key order; a non-zero callback return stops and is returned */
	struct walk w = {.ordered = 1};
	CHECK_EQ(store_task_each(s, walk_task, &w), 0);
	CHECK_EQ(w.n, 20);
	CHECK(w.ordered);
	w = (struct walk){.ordered = 1, .stop_at = 5};
	CHECK_EQ(store_task_each(s, walk_task, &w), 77);
	CHECK_EQ(w.n, 5);
	w = (struct walk){.ordered = 1};
	CHECK_EQ(store_dest_each(s, walk_dest, &w), 0);
	CHECK_EQ(w.n, 11);
	CHECK(w.ordered);
	w = (struct walk){.ordered = 1, .stop_at = 2};
	CHECK_EQ(store_dest_each(s, walk_dest, &w), 78);
	CHECK_EQ(w.n, 2);

	/* out-of-range task refused before anything is written */
	small_task(&t, 99, 3);
	t.n_dids = CLIFD_MAX_DIDS + 1;
	CHECK_EQ(store_task_put(s, &t), -EINVAL);
	CHECK_EQ(store_task_count(s), 20);

	/* everything is there after reopening */
	store_close(s);
	s = open_ok(path);
	CHECK_EQ(store_task_count(s), 20);
	CHECK_EQ(store_dest_count(s), 11);
	small_task(&t, 2, 4);
	CHECK_EQ(store_task_get(s, t.xid, &u), 0);
	CHECK(memcmp(&t, &u, sizeof t) == 0);
	store_close(s);
}

/* ---- meta ---- */

static void test_meta(void)
{
	struct clifd_store *s = open_ok(check_path("meta.db"));
	char buf[16];
	CHECK_EQ(store_meta_get(s, "audit.head", buf, sizeof buf), -ENOENT);
	CHECK_EQ(store_meta_set(s, "audit.head", "12 abcdef"), 0);
	CHECK_EQ(store_meta_get(s, "audit.head", buf, sizeof buf), 9);
	CHECK(strcmp(buf, "12 abcdef") == 0);
	CHECK_EQ(store_meta_set(s, "audit.head", "13 0123456789"), 0);
	CHECK_EQ(store_meta_get(s, "audit.head", buf, sizeof buf), 13);
	CHECK(strcmp(buf, "13 0123456789") == 0);
	CHECK_EQ(store_meta_get(s, "audit.head", buf, 13), -ENOSPC);
	CHECK_EQ(store_meta_get(s, "", buf, sizeof buf), -EINVAL);
	CHECK_EQ(store_meta_set(s, "", "x"), -EINVAL);
	char longkey[STORE_META_KEY_MAX + 2];
	memset(longkey, 'k', sizeof longkey - 1);
	longkey[sizeof longkey - 1] = 0;
	CHECK_EQ(store_meta_set(s, longkey, "x"), -EINVAL);
	static char longval[STORE_META_VALUE_MAX + 2];
	memset(longval, 'v', sizeof longval - 1);
	CHECK_EQ(store_meta_set(s, "k", longval), -EINVAL);
	store_close(s);
}

/* ---- CIN ---- */

static void test_cin(void)
{
	const char *path = check_path("cin.db");
	struct clifd_store *s = open_ok(path);
	struct clifd_task t, o;
	uint32_t cin = 0;
	put_dests(s, 2);
	small_task(&t, 1, 0);
	small_task(&o, 2, 1);
	CHECK_EQ(store_cin_next(s, t.xid, &cin), -ENOENT);
	CHECK_EQ(store_task_put(s, &t), 0);
	CHECK_EQ(store_task_put(s, &o), 0);
	int mono = 0;
	for (uint32_t i = 1; i <= 100; i++)
		mono += store_cin_next(s, t.xid, &cin) == 0 && cin == i;
	CHECK_EQ(mono, 100);
	CHECK_EQ(store_cin_next(s, o.xid, &cin), 0);
	CHECK_EQ(cin, 1); /* per task */
	/* a replace keeps the counter */
	t.delivery = CLIFD_X2_ONLY;
	CHECK_EQ(store_task_put(s, &t), 0);
	CHECK_EQ(store_cin_next(s, t.xid, &cin), 0);
	CHECK_EQ(cin, 101);
	store_close(s);

	s = open_ok(path);
	CHECK_EQ(store_cin_next(s, t.xid, &cin), 0);
	CHECK_EQ(cin, 102);
	/* deactivated and activated again: the XID still never reuses a CIN */
	CHECK_EQ(store_task_delete(s, t.xid), 0);
	CHECK_EQ(store_cin_next(s, t.xid, &cin), -ENOENT);
	CHECK_EQ(store_task_put(s, &t), 0);
	CHECK_EQ(store_cin_next(s, t.xid, &cin), 0);
	CHECK_EQ(cin, 103);
	/* a CIN allocated in a rolled-back transaction is not remembered as used */
	CHECK_EQ(store_begin(s), 0);
	CHECK_EQ(store_cin_next(s, t.xid, &cin), 0);
	CHECK_EQ(cin, 104);
	CHECK_EQ(store_rollback(s), 0);
	CHECK_EQ(store_cin_next(s, t.xid, &cin), 0);
	CHECK_EQ(cin, 104);
	store_close(s);

	/* the 32-bit space ends */
	raw(path, "UPDATE task_cin SET last_cin = 4294967294 WHERE xid = x'" XID("02") "'");
	s = open_ok(path);
	CHECK_EQ(store_cin_next(s, o.xid, &cin), 0);
	CHECK_EQ(cin, 4294967295u);
	CHECK_EQ(store_cin_next(s, o.xid, &cin), -EOVERFLOW);
	store_close(s);
	raw(path, "UPDATE task_cin SET last_cin = 'x' WHERE xid = x'" XID("02") "'");
	s = open_ok(path);
	CHECK_EQ(store_cin_next(s, o.xid, &cin), -EBADMSG);
	store_close(s);
}

/* ---- transactions ---- */

static int count_cb(const struct clifd_task *t, void *arg)
{
	(void)t;
	(*(int *)arg)++;
	return 0;
}

static void deactivate_all(struct clifd_store *s)
{
	struct clifd_task t;
	for (uint8_t i = 1; i <= 10; i++) {
		small_task(&t, i, 0);
		CHECK_EQ(store_task_delete(s, t.xid), 0);
	}
}

static void test_txn(void)
{
	const char *path = check_path("txn.db");
	struct clifd_store *s = open_ok(path);
	struct clifd_task t;
	struct clifd_destination d;
	put_dests(s, 2);
	for (uint8_t i = 1; i <= 10; i++) {
		small_task(&t, i, 0);
		CHECK_EQ(store_task_put(s, &t), 0);
	}
	CHECK_EQ(store_commit(s), -EINVAL);
	CHECK_EQ(store_rollback(s), -EINVAL);

	CHECK_EQ(store_begin(s), 0);
	CHECK_EQ(store_begin(s), -EBUSY);
	deactivate_all(s);
	CHECK_EQ(store_task_count(s), 0);
	mkdest(&d, 1);
	CHECK_EQ(store_dest_delete(s, d.did), 0);
	small_task(&t, 50, 0);
	CHECK_EQ(store_task_put(s, &t), 0);
	CHECK_EQ(store_meta_set(s, "k", "v"), 0);
	CHECK_EQ(store_rollback(s), 0);
	/* nothing of it is left, before and after reopening */
	CHECK_EQ(store_task_count(s), 10);
	CHECK_EQ(store_dest_count(s), 2);
	CHECK_EQ(store_task_get(s, t.xid, &t), -ENOENT);
	char buf[8];
	CHECK_EQ(store_meta_get(s, "k", buf, sizeof buf), -ENOENT);
	store_close(s);
	s = open_ok(path);
	CHECK_EQ(store_task_count(s), 10);

	/* a failing write inside a transaction undoes only itself */
	CHECK_EQ(store_begin(s), 0);
	small_task(&t, 1, 0);
	CHECK_EQ(store_task_delete(s, t.xid), 0);
	small_task(&t, 60, 200); /* unknown destination */
	CHECK_EQ(store_task_put(s, &t), -ENOENT);
	CHECK_EQ(store_commit(s), 0);
	CHECK_EQ(store_task_count(s), 9);

	/* closing with a transaction open rolls it back */
	CHECK_EQ(store_begin(s), 0);
	small_task(&t, 2, 0);
	CHECK_EQ(store_task_delete(s, t.xid), 0);
	store_close(s);
	s = open_ok(path);
	CHECK_EQ(store_task_count(s), 9);

	/* commit makes it all durable */
	CHECK_EQ(store_begin(s), 0);
	int n = 0;
	CHECK_EQ(store_task_each(s, count_cb, &n), 0);
	CHECK_EQ(n, 9);
	for (uint8_t i = 2; i <= 10; i++) {
		small_task(&t, i, 0);
		CHECK_EQ(store_task_delete(s, t.xid), 0);
	}
	CHECK_EQ(store_commit(s), 0);
	store_close(s);
	s = open_ok(path);
	CHECK_EQ(store_task_count(s), 0);
	store_close(s);
}

/* ---- durability: a child writes and is SIGKILLed ---- */

/* full_task() with two DIDs and no mediation details (the unused parts zero, as decoded). */
static void kill_task(struct clifd_task *t, uint8_t n)
{
	full_task(t, n);
	t->n_mediation = 0;
	memset(t->mediation, 0, sizeof t->mediation);
	t->n_dids = 2;
	memset(t->dids[2], 0, sizeof t->dids - 2 * sizeof t->dids[0]);
}

static void child_writes(const char *path, int commit)
{
	struct clifd_store *s;
	struct clifd_task t;
	if (store_open(path, &s) != 0)
		_exit(3);
	if (store_begin(s) != 0)
		_exit(4);
	for (uint8_t i = 1; i <= 30; i++) {
		kill_task(&t, i);
		if (store_task_put(s, &t) != 0)
			_exit(5);
	}
	if (commit && store_commit(s) != 0)
		_exit(6);
	uint32_t cin;
	full_task(&t, 1);
	if (commit && store_cin_next(s, t.xid, &cin) != 0)
		_exit(7);
	kill(getpid(), SIGKILL);
	_exit(8);
}

static void test_kill(void)
{
	const char *path = check_path("kill.db");
	struct clifd_store *s = open_ok(path);
	put_dests(s, 2);
	store_close(s);

	for (int commit = 0; commit <= 1; commit++) {
		pid_t pid = fork();
		if (pid == 0)
			child_writes(path, commit);
		int st = 0;
		CHECK_EQ(waitpid(pid, &st, 0), pid);
		CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
		s = open_ok(path);
		CHECK_EQ(store_task_count(s), commit ? 30 : 0);
		if (commit) {
			struct clifd_task t, u;
			uint32_t cin = 0;
			kill_task(&t, 17);
			CHECK_EQ(store_task_get(s, t.xid, &u), 0);
			CHECK(memcmp(&t, &u, sizeof t) == 0);
			full_task(&t, 1);
			CHECK_EQ(store_cin_next(s, t.xid, &cin), 0);
			CHECK_EQ(cin, 2);
		}
		store_close(s);
	}
}

/* ---- file permissions ---- */

static unsigned mode_of(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 ? (unsigned)(st.st_mode & 07777) : 0xffffu;
}

static void test_modes(void)
{
	const char *path = check_path("mode.db");
	struct clifd_store *s = NULL;
	mode_t old = umask(0);
	s = open_ok(path);
	umask(old);
	put_dests(s, 1);
	CHECK_EQ(mode_of(path), 0600);
	char side[160];
	snprintf(side, sizeof side, "%s-wal", path);
	CHECK_EQ(mode_of(side), 0600);
	snprintf(side, sizeof side, "%s-shm", path);
	CHECK_EQ(mode_of(side), 0600);
	store_close(s);

	/* a readable store is refused, not repaired */
	CHECK_EQ(chmod(path, 0640), 0);
	CHECK_EQ(store_open(path, &s), -EPERM);
	CHECK(s == NULL);
	CHECK_EQ(mode_of(path), 0640);
	CHECK_EQ(chmod(path, 0604), 0);
	CHECK_EQ(store_open(path, &s), -EPERM);
	CHECK_EQ(chmod(path, 0600), 0);
	s = open_ok(path);
	store_close(s);

	/* a readable -wal beside a private store too */
	s = open_ok(path);
	put_dests(s, 2);
	snprintf(side, sizeof side, "%s-wal", path);
	struct stat st;
	if (stat(side, &st) == 0) {
		CHECK_EQ(chmod(side, 0644), 0);
		struct clifd_store *s2 = NULL;
		CHECK_EQ(store_open(path, &s2), -EPERM);
		CHECK_EQ(chmod(side, 0600), 0);
	} else {
		CHECK(0); /* WAL mode keeps a -wal file while a connection is open */
	}
	store_close(s);

	/* a symbolic link is not followed */
	const char *link = check_path("link.db");
	CHECK_EQ(symlink(path, link), 0);
	CHECK_EQ(store_open(link, &s), -ELOOP);
	CHECK_EQ(store_open(check_dir, &s), -EISDIR);
	CHECK_EQ(store_open(NULL, &s), -EINVAL);
}

/* ---- corrupt rows and foreign files ---- */

static void test_corrupt(void)
{
	const char *path = check_path("corrupt.db");
	struct clifd_store *s = open_ok(path);
	struct clifd_task t, u;
	struct clifd_destination d;
	put_dests(s, 8);
	for (uint8_t i = 1; i <= 8; i++) {
		small_task(&t, i, 0);
		CHECK_EQ(store_task_put(s, &t), 0);
	}
	CHECK_EQ(store_meta_set(s, "m", "v"), 0);
	/* task 1..7 corrupted one way each, task 8 stays good */
	raw(path, "UPDATE tasks SET body = substr(body, 1, 20) WHERE xid = x'" XID("01") "'");
	raw(path, "UPDATE tasks SET body = x'02' || substr(body, 2) WHERE xid = x'" XID("02") "'");
	raw(path, "UPDATE tasks SET body = substr(body, 1, 17) || x'11' || substr(body, 19)"
		  " WHERE xid = x'" XID("03") "'");
	raw(path, "UPDATE tasks SET body = body || x'00' WHERE xid = x'" XID("04") "'");
	raw(path, "UPDATE tasks SET body = 'text' WHERE xid = x'" XID("05") "'");
	raw(path, "UPDATE tasks SET body = (SELECT body FROM tasks WHERE xid = x'" XID("08") "')"
		  " WHERE xid = x'" XID("06") "'");
	raw(path, "UPDATE tasks SET body = x'' WHERE xid = x'" XID("07") "'");
	store_close(s);
	s = open_ok(path);
	for (uint8_t i = 1; i <= 7; i++) {
		small_task(&t, i, 0);
		CHECK_EQ(store_task_get(s, t.xid, &u), -EBADMSG);
	}
	small_task(&t, 8, 0);
	CHECK_EQ(store_task_get(s, t.xid, &u), 0);
	/* a walk still delivers the good task, then reports the bad ones */
	struct walk w = {.ordered = 1};
	CHECK_EQ(store_task_each(s, walk_task, &w), -EBADMSG);
	CHECK_EQ(w.n, 1);
	CHECK(memcmp(w.last, t.xid, 16) == 0);
	store_close(s);

	raw(path, "UPDATE destinations SET ip = x'0102030405' WHERE did = x'" DID("01") "'");
	raw(path, "UPDATE destinations SET port = 70000 WHERE did = x'" DID("02") "'");
	raw(path, "UPDATE destinations SET friendly_name = x'4142' WHERE did = x'" DID("03") "'");
	raw(path, "UPDATE destinations SET delivery = 'x' WHERE did = x'" DID("04") "'");
	raw(path, "UPDATE destinations SET transport = -1 WHERE did = x'" DID("05") "'");
	raw(path, "UPDATE destinations SET friendly_name = '%0130d' WHERE did = x'" DID("06") "'", 0);
	raw(path, "UPDATE meta SET value = x'00' WHERE key = 'm'");
	s = open_ok(path);
	for (uint8_t i = 1; i <= 6; i++) {
		mkdest(&d, i);
		CHECK_EQ(store_dest_get(s, d.did, &d), -EBADMSG);
	}
	mkdest(&d, 7);
	CHECK_EQ(store_dest_get(s, d.did, &d), 0);
	w = (struct walk){.ordered = 1};
	CHECK_EQ(store_dest_each(s, walk_dest, &w), -EBADMSG);
	CHECK_EQ(w.n, 2); /* 0 and 7 */
	char buf[8];
	CHECK_EQ(store_meta_get(s, "m", buf, sizeof buf), -EBADMSG);
	store_close(s);
}

/* ---- kept statements ---- */

struct nested {
	struct clifd_store *s;
	int want, outer, inner_ok, get_ok;
};

/* Inside a walk: the same walk again, and a read of the task being visited. */
static int nested_cb(const struct clifd_task *t, void *arg)
{
	struct nested *n = arg;
	struct clifd_task u;
	int inner = 0;
	n->outer++;
	if (store_task_each(n->s, count_cb, &inner) == 0 && inner == n->want)
		n->inner_ok++;
	if (store_task_get(n->s, t->xid, &u) == 0 && memcmp(t, &u, sizeof u) == 0)
		n->get_ok++;
	return 0;
}

/* The busy column of a TRUNCATE checkpoint from a second connection: 1 while another
 * connection holds a read transaction (a statement not reset after use), else 0. */
static int checkpoint_busy(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st;
	int busy = -1;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "PRAGMA wal_checkpoint(TRUNCATE)", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			busy = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return busy;
}

static void test_kept(void)
{
	const char *path = check_path("kept.db");
	struct clifd_store *s = open_ok(path);
	struct clifd_task t, u;
	struct clifd_destination d;
	char buf[16];
	put_dests(s, 2);
	for (uint8_t i = 1; i <= 5; i++) {
		small_task(&t, i, 1);
		CHECK_EQ(store_task_put(s, &t), 0);
	}
	struct nested n = {.s = s, .want = 5};
	CHECK_EQ(store_task_each(s, nested_cb, &n), 0);
	CHECK_EQ(n.outer, 5);
	CHECK_EQ(n.inner_ok, 5);
	CHECK_EQ(n.get_ok, 5);

	/* walks stopped by their callback, reads, a refused write: none leaves a read open */
	struct walk w = {.ordered = 1, .stop_at = 2};
	CHECK_EQ(store_task_each(s, walk_task, &w), 77);
	w = (struct walk){.ordered = 1, .stop_at = 1};
	CHECK_EQ(store_dest_each(s, walk_dest, &w), 78);
	small_task(&t, 3, 1);
	CHECK_EQ(store_task_get(s, t.xid, &u), 0);
	mkdest(&d, 1);
	CHECK_EQ(store_dest_in_use(s, d.did), 5);
	CHECK_EQ(store_meta_get(s, "absent", buf, sizeof buf), -ENOENT);
	small_task(&t, 9, 7); /* destination 7 does not exist */
	CHECK_EQ(store_task_put(s, &t), -ENOENT);
	CHECK_EQ(store_begin(s), 0);
	CHECK_EQ(store_task_count(s), 5);
	CHECK_EQ(store_rollback(s), 0);
	CHECK_EQ(checkpoint_busy(path), 0);

	/* another connection changes rows and the schema: the kept statements follow */
	raw(path, "INSERT INTO meta(key, value) VALUES ('k2', 'v2')");
	CHECK_EQ(store_meta_get(s, "k2", buf, sizeof buf), 2);
	CHECK_STR(buf, "v2");
	raw(path, "CREATE INDEX tasks_body ON tasks(body)");
	small_task(&t, 6, 0);
	CHECK_EQ(store_task_put(s, &t), 0);
	CHECK_EQ(store_task_get(s, t.xid, &u), 0);
	CHECK(memcmp(&t, &u, sizeof t) == 0);
	CHECK_EQ(store_task_count(s), 6);
	raw(path, "DELETE FROM task_dest WHERE xid = x'" XID("06") "'");
	raw(path, "DELETE FROM tasks WHERE xid = x'" XID("06") "'");
	CHECK_EQ(store_task_get(s, t.xid, &u), -ENOENT);
	CHECK_EQ(checkpoint_busy(path), 0);
	store_close(s);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	CHECK(fd >= 0);
	if (fd >= 0) {
		CHECK_EQ(write(fd, text, strlen(text)), (long long)strlen(text));
		close(fd);
	}
}

static void test_schema(void)
{
	struct clifd_store *s = NULL;
	const char *path = check_path("newer.db");
	s = open_ok(path);
	store_close(s);
	raw(path, "UPDATE schema_version SET version = %d", STORE_SCHEMA_VERSION + 1);
	CHECK_EQ(store_open(path, &s), -EPROTO);
	CHECK(s == NULL);
	raw(path, "UPDATE schema_version SET version = 'one'");
	CHECK_EQ(store_open(path, &s), -EBADMSG);
	raw(path, "DELETE FROM schema_version");
	CHECK_EQ(store_open(path, &s), -EBADMSG);

	/* an SQLite database that is not ours */
	const char *other = check_path("other.db");
	raw(other, "CREATE TABLE t(x)");
	CHECK_EQ(chmod(other, 0600), 0);
	CHECK_EQ(store_open(other, &s), -EBADMSG);

	/* not a database at all */
	const char *junk = check_path("junk.db");
	write_file(junk, "this is not an SQLite database, not even close to one....\n", 0600);
	CHECK_EQ(store_open(junk, &s), -EBADMSG);
}

/* ---- the handover protocol of a destination ---- */

static void test_handover(void)
{
	const char *path = check_path("handover.db");
	struct clifd_store *s = open_ok(path);
	struct clifd_destination d, e;
	put_dests(s, 3);
	mkdest(&d, 1);
	d.handover = CLIFD_HANDOVER_X2X3;
	CHECK_EQ(store_dest_put(s, &d), 0);
	memset(&e, 0xee, sizeof e);
	CHECK_EQ(store_dest_get(s, d.did, &e), 0);
	CHECK_EQ(e.handover, CLIFD_HANDOVER_X2X3);
	CHECK(memcmp(&d, &e, sizeof d) == 0);
	/* the others kept the default */
	mkdest(&d, 2);
	CHECK_EQ(store_dest_get(s, d.did, &e), 0);
	CHECK_EQ(e.handover, CLIFD_HANDOVER_TS102232);
	/* a value outside the enum is refused and changes nothing */
	mkdest(&d, 1);
	d.handover = 2;
	CHECK_EQ(store_dest_put(s, &d), -EINVAL);
	CHECK_EQ(store_dest_get(s, d.did, &e), 0);
	CHECK_EQ(e.handover, CLIFD_HANDOVER_X2X3);
	/* a replace without it goes back to the default, and back again */
	d.handover = CLIFD_HANDOVER_TS102232;
	CHECK_EQ(store_dest_put(s, &d), 0);
	CHECK_EQ(store_dest_get(s, d.did, &e), 0);
	CHECK_EQ(e.handover, CLIFD_HANDOVER_TS102232);
	d.handover = CLIFD_HANDOVER_X2X3;
	CHECK_EQ(store_dest_put(s, &d), 0);
	store_close(s);

	/* it survives reopening */
	s = open_ok(path);
	CHECK_EQ(store_dest_get(s, d.did, &e), 0);
	CHECK(memcmp(&d, &e, sizeof d) == 0);
	store_close(s);
	CHECK_EQ(raw_int(path, "SELECT handover FROM destinations WHERE did = x'" DID("01") "'"), 1);

	/* out-of-range column values written past the CHECK are refused on reading */
	raw(path, "PRAGMA ignore_check_constraints = ON;"
		  " UPDATE destinations SET handover = 2 WHERE did = x'" DID("00") "'");
	raw(path, "PRAGMA ignore_check_constraints = ON;"
		  " UPDATE destinations SET handover = 'x2x3' WHERE did = x'" DID("02") "'");
	s = open_ok(path);
	mkdest(&d, 0);
	CHECK_EQ(store_dest_get(s, d.did, &e), -EBADMSG);
	mkdest(&d, 2);
	CHECK_EQ(store_dest_get(s, d.did, &e), -EBADMSG);
	store_close(s);
}

/* The schema of version 1, as the first clifd created it: destinations without handover. */
static const char *const schema_v1[] = {
	"CREATE TABLE schema_version(version INTEGER NOT NULL)",
	"CREATE TABLE tasks(xid BLOB PRIMARY KEY NOT NULL CHECK(length(xid) = 16),"
	" body BLOB NOT NULL) WITHOUT ROWID",
	"CREATE TABLE destinations(did BLOB PRIMARY KEY NOT NULL CHECK(length(did) = 16),"
	" friendly_name TEXT NOT NULL, delivery INTEGER NOT NULL, ip BLOB NOT NULL,"
	" port INTEGER NOT NULL, transport INTEGER NOT NULL) WITHOUT ROWID",
	"CREATE TABLE task_dest(xid BLOB NOT NULL REFERENCES tasks(xid) ON DELETE CASCADE,"
	" did BLOB NOT NULL REFERENCES destinations(did), PRIMARY KEY(xid, did)) WITHOUT ROWID",
	"CREATE INDEX task_dest_did ON task_dest(did)",
	"CREATE TABLE task_cin(xid BLOB PRIMARY KEY NOT NULL, last_cin INTEGER NOT NULL)"
	" WITHOUT ROWID",
	"CREATE TABLE meta(key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID",
	"INSERT INTO schema_version(version) VALUES (1)",
};

static void test_migrate_v1(void)
{
	const char *path = check_path("v1.db");
	struct clifd_store *s;
	struct clifd_destination d, e;
	for (size_t i = 0; i < sizeof schema_v1 / sizeof schema_v1[0]; i++)
		raw(path, "%s", schema_v1[i]);
	raw(path, "INSERT INTO destinations(did, friendly_name, delivery, ip, port, transport)"
		  " VALUES (x'" DID("01") "', 'old LEMF', 3, x'c0000201', 6514, 6)");
	CHECK_EQ(chmod(path, 0600), 0);
	CHECK_EQ(raw_int(path, "SELECT count(*) FROM pragma_table_info('destinations')"
			       " WHERE name = 'handover'"), 0);

	s = open_ok(path);
	CHECK_EQ(raw_int(path, "SELECT version FROM schema_version"), STORE_SCHEMA_VERSION);
	CHECK_EQ(raw_int(path, "SELECT count(*) FROM schema_version"), 1);
	mkid(d.did, 0xd0, 1);
	memset(&e, 0xee, sizeof e);
	CHECK_EQ(store_dest_get(s, d.did, &e), 0);
	CHECK_EQ(e.handover, CLIFD_HANDOVER_TS102232);
	CHECK_STR(e.friendly_name, "old LEMF");
	CHECK_EQ(e.delivery, CLIFD_X2_AND_X3);
	CHECK_EQ(e.ip_len, 4);
	CHECK(memcmp(e.ip, "\xc0\x00\x02\x01", 4) == 0);
	CHECK_EQ(e.port, 6514);
	CHECK_EQ(e.transport, CLIFD_TRANSPORT_TCP);
	/* the added column takes the new value and keeps its CHECK */
	e.handover = CLIFD_HANDOVER_X2X3;
	CHECK_EQ(store_dest_put(s, &e), 0);
	CHECK_EQ(store_dest_get(s, e.did, &d), 0);
	CHECK(memcmp(&d, &e, sizeof d) == 0);
	store_close(s);
	CHECK_EQ(raw_int(path, "SELECT count(*) FROM destinations WHERE handover NOT IN (0, 1)"),
		 0);

	/* a second opening finds version 2 and changes nothing */
	s = open_ok(path);
	CHECK_EQ(store_dest_get(s, e.did, &d), 0);
	CHECK_EQ(d.handover, CLIFD_HANDOVER_X2X3);
	CHECK_EQ(store_dest_count(s), 1);
	store_close(s);
	CHECK_EQ(raw_int(path, "SELECT version FROM schema_version"), STORE_SCHEMA_VERSION);
}

int main(void)
{
	check_tmpdir("/tmp/clifd-store-XXXXXX");
	test_codec();
	test_tasks();
	test_meta();
	test_cin();
	test_txn();
	test_kill();
	test_modes();
	test_corrupt();
	test_kept();
	test_schema();
	test_handover();
	test_migrate_v1();
	return check_done();
}
