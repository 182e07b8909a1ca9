/* The task store on SQLite: schema, file checks, the task body codec, and the CRUD calls. */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Every statement the store runs after opening, prepared once per store (on first use) and
 * kept: an ActivateTask costs about ten of them, and preparing each anew cost more than the
 * statement itself. */
enum stmt_id {
	Q_SAVEPOINT,
	Q_RELEASE,
	Q_ROLLBACK_TO,
	Q_BEGIN,
	Q_COMMIT,
	Q_ROLLBACK,
	Q_TASK_PUT,
	Q_TASK_REFS_CLEAR,
	Q_TASK_REF_ADD,
	Q_TASK_GET,
	Q_TASK_DELETE,
	Q_TASK_COUNT,
	Q_TASK_EXISTS,
	Q_TASK_EACH,
	Q_CIN_GET,
	Q_CIN_SET,
	Q_DEST_PUT,
	Q_DEST_GET,
	Q_DEST_DELETE,
	Q_DEST_COUNT,
	Q_DEST_EACH,
	Q_DEST_IN_USE,
	Q_META_GET,
	Q_META_SET,
	Q_COUNT
};

#define DEST_COLS "did, friendly_name, delivery, ip, port, transport, handover"

static const char *const stmt_sql[Q_COUNT] = {
	[Q_SAVEPOINT] = "SAVEPOINT w",
	[Q_RELEASE] = "RELEASE w",
	[Q_ROLLBACK_TO] = "ROLLBACK TO w",
	[Q_BEGIN] = "BEGIN IMMEDIATE",
	[Q_COMMIT] = "COMMIT",
	[Q_ROLLBACK] = "ROLLBACK",
	/* An upsert, not INSERT OR REPLACE, which deletes the old row first: that delete would run
	 * the foreign-key actions of a task removal. store_task_put() rebuilds the references. */
	[Q_TASK_PUT] = "INSERT INTO tasks(xid, body) VALUES (?, ?)"
		       " ON CONFLICT(xid) DO UPDATE SET body = excluded.body",
	[Q_TASK_REFS_CLEAR] = "DELETE FROM task_dest WHERE xid = ?",
	[Q_TASK_REF_ADD] = "INSERT OR IGNORE INTO task_dest(xid, did) VALUES (?, ?)",
	[Q_TASK_GET] = "SELECT xid, body FROM tasks WHERE xid = ?",
	[Q_TASK_DELETE] = "DELETE FROM tasks WHERE xid = ?",
	[Q_TASK_COUNT] = "SELECT count(*) FROM tasks",
	[Q_TASK_EXISTS] = "SELECT count(*) FROM tasks WHERE xid = ?",
	[Q_TASK_EACH] = "SELECT xid, body FROM tasks ORDER BY xid",
	[Q_CIN_GET] = "SELECT last_cin FROM task_cin WHERE xid = ?",
	[Q_CIN_SET] = "INSERT INTO task_cin(xid, last_cin) VALUES (?, ?)"
		      " ON CONFLICT(xid) DO UPDATE SET last_cin = excluded.last_cin",
	[Q_DEST_PUT] = "INSERT INTO destinations(" DEST_COLS ")"
		       " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(did) DO UPDATE SET"
		       " friendly_name = excluded.friendly_name, delivery = excluded.delivery,"
		       " ip = excluded.ip, port = excluded.port, transport = excluded.transport,"
		       " handover = excluded.handover",
	[Q_DEST_GET] = "SELECT " DEST_COLS " FROM destinations WHERE did = ?",
	/* task_dest's foreign key refuses the removal of a destination a task still uses. */
	[Q_DEST_DELETE] = "DELETE FROM destinations WHERE did = ?",
	[Q_DEST_COUNT] = "SELECT count(*) FROM destinations",
	[Q_DEST_EACH] = "SELECT " DEST_COLS " FROM destinations ORDER BY did",
	[Q_DEST_IN_USE] = "SELECT count(*) FROM task_dest WHERE did = ?",
	[Q_META_GET] = "SELECT value FROM meta WHERE key = ?",
	[Q_META_SET] = "INSERT INTO meta(key, value) VALUES (?, ?)"
		       " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
};

struct clifd_store {
	sqlite3 *db;
	int in_txn; /* store_begin() called, not yet committed or rolled back */
	sqlite3_stmt *stmt[Q_COUNT]; /* prepared on first use, finalized by store_close() */
};

/* ---- errors ---- */

static int sq_err(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
	case SQLITE_FORMAT:
		return -EBADMSG;
	default:
		return -EIO;
	}
}

static int exec(sqlite3 *db, const char *sql)
{
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : sq_err(rc);
}

/* The kept statement id, ready to bind. Should it be in use (a *_each() walk whose callback
 * reads with the same statement), a one-off copy is prepared instead; done() finalizes that.
 * A schema change needs no care: SQLite prepares a kept statement again by itself. */
static int prep(struct clifd_store *s, enum stmt_id id, sqlite3_stmt **st)
{
	int rc;
	if (s->stmt[id] != NULL && !sqlite3_stmt_busy(s->stmt[id])) {
		*st = s->stmt[id];
		return 0;
	}
	rc = sqlite3_prepare_v3(s->db, stmt_sql[id], -1,
				s->stmt[id] ? 0 : SQLITE_PREPARE_PERSISTENT, st, NULL);
	if (rc != SQLITE_OK)
		return sq_err(rc);
	if (s->stmt[id] == NULL)
		s->stmt[id] = *st;
	return 0;
}

/* Ends a use of a statement from prep(): a kept one is reset (a statement left stepping would
 * hold its read transaction open) and its bindings cleared (they may point at the caller's
 * buffers); a one-off is finalized. */
static void done(struct clifd_store *s, sqlite3_stmt *st)
{
	for (unsigned i = 0; i < Q_COUNT; i++) {
		if (s->stmt[i] == st) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return;
		}
	}
	sqlite3_finalize(st);
}

/* Runs a statement without parameters or rows (the transaction statements). */
static int exec_id(struct clifd_store *s, enum stmt_id id)
{
	sqlite3_stmt *st;
	int e = prep(s, id, &st);
	if (e)
		return e;
	int rc = sqlite3_step(st);
	done(s, st);
	return rc == SQLITE_DONE ? 0 : sq_err(rc);
}

/* Every write runs inside a savepoint: on its own it is a durable transaction (synchronous=FULL
 * syncs at RELEASE), inside store_begin() it nests, and a failure part-way leaves nothing. */
static int wr_begin(struct clifd_store *s)
{
	return exec_id(s, Q_SAVEPOINT);
}

static int wr_end(struct clifd_store *s, int err)
{
	if (err == 0) {
		int e = exec_id(s, Q_RELEASE);
		if (e == 0)
			return 0;
		err = e;
	}
	exec_id(s, Q_ROLLBACK_TO);
	exec_id(s, Q_RELEASE);
	return err;
}

/* ---- the task body codec ---- */

static int task_valid(const struct clifd_task *t)
{
	if (t->n_targets > CLIFD_MAX_TARGETS || t->n_dids > CLIFD_MAX_DIDS ||
	    t->n_mediation > CLIFD_MAX_MEDIATION || t->has_correlation > 1 ||
	    t->implicit_deactivation > 2)
		return 0;
	for (unsigned i = 0; i < t->n_targets; i++)
		if (t->targets[i].prefix_len > 128)
			return 0;
	for (unsigned i = 0; i < t->n_mediation; i++) {
		const struct clifd_mediation *m = &t->mediation[i];
		if (m->n_dids > CLIFD_MAX_DIDS || memchr(m->liid, 0, sizeof m->liid) == NULL)
			return 0;
	}
	return 1;
}

struct wbuf {
	uint8_t *p;
	size_t cap, len;
	int overflow;
};

static void put(struct wbuf *w, const void *src, size_t n)
{
	if (w->overflow || n > w->cap - w->len) {
		w->overflow = 1;
		return;
	}
	memcpy(w->p + w->len, src, n);
	w->len += n;
}

static void put_u8(struct wbuf *w, unsigned v)
{
	uint8_t b = (uint8_t)v;
	put(w, &b, 1);
}

static void put_le(struct wbuf *w, uint64_t v, unsigned bytes)
{
	uint8_t b[8];
	for (unsigned i = 0; i < bytes; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	put(w, b, bytes);
}

int store_task_encode(const struct clifd_task *t, uint8_t *buf, size_t cap)
{
	if (t == NULL || buf == NULL || !task_valid(t))
		return -EINVAL;
	struct wbuf w = {buf, cap, 0, 0};
	put_u8(&w, STORE_TASK_ENCODING);
	put(&w, t->xid, 16);
	put_u8(&w, t->n_targets);
	for (unsigned i = 0; i < t->n_targets; i++) {
		const struct clifd_target *g = &t->targets[i];
		put_u8(&w, g->kind);
		put_u8(&w, g->prefix_len);
		put_le(&w, g->port_lo, 2);
		put_le(&w, g->port_hi, 2);
		put(&w, g->addr, 16);
	}
	put_u8(&w, t->scope_type);
	put_le(&w, t->scope_value, 4);
	put_u8(&w, t->delivery);
	put_u8(&w, t->n_dids);
	for (unsigned i = 0; i < t->n_dids; i++)
		put(&w, t->dids[i], 16);
	put_u8(&w, t->n_mediation);
	for (unsigned i = 0; i < t->n_mediation; i++) {
		const struct clifd_mediation *m = &t->mediation[i];
		size_t l = strlen(m->liid);
		put_u8(&w, (unsigned)l);
		put(&w, m->liid, l);
		put_u8(&w, m->hi_delivery);
		put_u8(&w, m->n_dids);
		for (unsigned j = 0; j < m->n_dids; j++)
			put(&w, m->dids[j], 16);
	}
	put_u8(&w, t->has_correlation);
	put_le(&w, t->correlation_id, 8);
	put_u8(&w, t->implicit_deactivation);
	if (w.overflow)
		return -ENOSPC;
	return (int)w.len;
}

struct rbuf {
	const uint8_t *p;
	size_t len, off;
	int bad;
};

static void get(struct rbuf *r, void *dst, size_t n)
{
	if (r->bad || n > r->len - r->off) {
		r->bad = 1;
		memset(dst, 0, n);
		return;
	}
	memcpy(dst, r->p + r->off, n);
	r->off += n;
}

static uint8_t get_u8(struct rbuf *r)
{
	uint8_t b;
	get(r, &b, 1);
	return b;
}

static uint64_t get_le(struct rbuf *r, unsigned bytes)
{
	uint8_t b[8];
	uint64_t v = 0;
	get(r, b, bytes);
	for (unsigned i = 0; i < bytes; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

int store_task_decode(const uint8_t *buf, size_t len, struct clifd_task *t)
{
	struct rbuf r = {buf, len, 0, buf == NULL};
	memset(t, 0, sizeof *t);
	if (get_u8(&r) != STORE_TASK_ENCODING)
		return -EBADMSG;
	get(&r, t->xid, 16);
	t->n_targets = get_u8(&r);
	if (t->n_targets > CLIFD_MAX_TARGETS)
		return -EBADMSG;
	for (unsigned i = 0; i < t->n_targets; i++) {
		struct clifd_target *g = &t->targets[i];
		g->kind = get_u8(&r);
		g->prefix_len = get_u8(&r);
		g->port_lo = (uint16_t)get_le(&r, 2);
		g->port_hi = (uint16_t)get_le(&r, 2);
		get(&r, g->addr, 16);
	}
	t->scope_type = get_u8(&r);
	t->scope_value = (uint32_t)get_le(&r, 4);
	t->delivery = get_u8(&r);
	t->n_dids = get_u8(&r);
	if (t->n_dids > CLIFD_MAX_DIDS)
		return -EBADMSG;
	for (unsigned i = 0; i < t->n_dids; i++)
		get(&r, t->dids[i], 16);
	t->n_mediation = get_u8(&r);
	if (t->n_mediation > CLIFD_MAX_MEDIATION)
		return -EBADMSG;
	for (unsigned i = 0; i < t->n_mediation; i++) {
		struct clifd_mediation *m = &t->mediation[i];
		unsigned l = get_u8(&r);
		if (l > CLIFD_LIID_MAX)
			return -EBADMSG;
		get(&r, m->liid, l);
		if (memchr(m->liid, 0, l) != NULL)
			return -EBADMSG;
		m->hi_delivery = get_u8(&r);
		m->n_dids = get_u8(&r);
		if (m->n_dids > CLIFD_MAX_DIDS)
			return -EBADMSG;
		for (unsigned j = 0; j < m->n_dids; j++)
			get(&r, m->dids[j], 16);
	}
	t->has_correlation = get_u8(&r);
	t->correlation_id = get_le(&r, 8);
	t->implicit_deactivation = get_u8(&r);
	if (r.bad || r.off != r.len || !task_valid(t))
		return -EBADMSG;
	return 0;
}

/* ---- opening ---- */

/* Every file of the database must be ours and private. */
static int check_private(const struct stat *st)
{
	if (!S_ISREG(st->st_mode))
		return -EINVAL;
	if (st->st_uid != geteuid() || (st->st_mode & 077))
		return -EPERM;
	return 0;
}

static int check_sidecar(const char *path, const char *suffix)
{
	char p[PATH_MAX];
	struct stat st;
	if ((size_t)snprintf(p, sizeof p, "%s%s", path, suffix) >= sizeof p)
		return -ENAMETOOLONG;
	if (lstat(p, &st) != 0)
		return errno == ENOENT ? 0 : -errno;
	return check_private(&st) == 0 ? 0 : -EPERM;
}

/* Creates the file 0600 ourselves (SQLite would use 0644 less umask) and checks an existing
 * one; symbolic links are refused so that the daemon cannot be pointed at another file. */
static int open_file(const char *path, struct stat *st)
{
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0) {
		if (fchmod(fd, 0600) != 0) {
			int e = -errno;
			close(fd);
			return e;
		}
	} else if (errno == EEXIST) {
		fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0)
		return -errno;
	int e = fstat(fd, st) != 0 ? -errno : check_private(st);
	close(fd);
	if (e == 0)
		e = check_sidecar(path, "-wal");
	if (e == 0)
		e = check_sidecar(path, "-shm");
	return e;
}

/* The current schema, created in an empty database. */
static const char *const schema_new[] = {
	"CREATE TABLE schema_version(version INTEGER NOT NULL)",
	"CREATE TABLE tasks(xid BLOB PRIMARY KEY NOT NULL CHECK(length(xid) = 16),"
	" body BLOB NOT NULL) WITHOUT ROWID",
	"CREATE TABLE destinations(did BLOB PRIMARY KEY NOT NULL CHECK(length(did) = 16),"
	" friendly_name TEXT NOT NULL, delivery INTEGER NOT NULL, ip BLOB NOT NULL,"
	" port INTEGER NOT NULL, transport INTEGER NOT NULL,"
	" handover INTEGER NOT NULL DEFAULT 0 CHECK(handover IN (0,1))) WITHOUT ROWID",
	"CREATE TABLE task_dest(xid BLOB NOT NULL REFERENCES tasks(xid) ON DELETE CASCADE,"
	" did BLOB NOT NULL REFERENCES destinations(did), PRIMARY KEY(xid, did)) WITHOUT ROWID",
	"CREATE INDEX task_dest_did ON task_dest(did)",
	"CREATE TABLE task_cin(xid BLOB PRIMARY KEY NOT NULL, last_cin INTEGER NOT NULL)"
	" WITHOUT ROWID",
	"CREATE TABLE meta(key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID",
	"INSERT INTO schema_version(version) VALUES (2)",
};

/* Version 1 to 2: destinations gained the handover protocol. Every destination of a version 1
 * database was sent TS 102 232, which the column's default keeps. The version is bumped with
 * it so that an older clifd refuses the file (-EPROTO) instead of rewriting destinations
 * without the column and silently switching them back to TS 102 232. */
static const char *const migrate_v2[] = {
	"ALTER TABLE destinations ADD COLUMN"
	" handover INTEGER NOT NULL DEFAULT 0 CHECK(handover IN (0,1))",
	"UPDATE schema_version SET version = 2",
};

/* A statement run once, at opening. */
static int prep_once(sqlite3 *db, const char *sql, sqlite3_stmt **st)
{
	int rc = sqlite3_prepare_v2(db, sql, -1, st, NULL);
	return rc == SQLITE_OK ? 0 : sq_err(rc);
}

/* Creates the schema in an empty database, or checks the version of an existing one and
 * migrates an older one to STORE_SCHEMA_VERSION, all in one transaction. A database holding
 * other tables but no schema_version is not ours: -EBADMSG. */
static int schema(struct clifd_store *s)
{
	sqlite3_stmt *st;
	int e = exec(s->db, "BEGIN IMMEDIATE");
	if (e)
		return e;
	e = prep_once(s->db, "SELECT (SELECT count(*) FROM sqlite_master),"
			     " (SELECT count(*) FROM sqlite_master WHERE name = 'schema_version')", &st);
	if (e)
		goto out;
	if (sqlite3_step(st) != SQLITE_ROW) {
		e = sq_err(sqlite3_errcode(s->db));
		sqlite3_finalize(st);
		goto out;
	}
	int objects = sqlite3_column_int(st, 0), has_version = sqlite3_column_int(st, 1);
	sqlite3_finalize(st);
	if (objects == 0) {
		for (size_t i = 0; i < sizeof schema_new / sizeof schema_new[0] && !e; i++)
			e = exec(s->db, schema_new[i]);
		goto out;
	}
	if (!has_version) {
		e = -EBADMSG;
		goto out;
	}
	e = prep_once(s->db, "SELECT version FROM schema_version", &st);
	if (e)
		goto out;
	sqlite3_int64 version = 0;
	if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_type(st, 0) != SQLITE_INTEGER ||
	    (version = sqlite3_column_int64(st, 0)) < 1)
		e = -EBADMSG;
	else if (version > STORE_SCHEMA_VERSION)
		e = -EPROTO;
	sqlite3_finalize(st);
	for (size_t i = 0; e == 0 && version == 1 && i < sizeof migrate_v2 / sizeof migrate_v2[0];
	     i++)
		e = exec(s->db, migrate_v2[i]);
out:
	if (e == 0)
		return exec(s->db, "COMMIT");
	exec(s->db, "ROLLBACK");
	return e;
}

static int pragmas(sqlite3 *db)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return sq_err(rc);
	rc = sqlite3_step(st);
	int wal = rc == SQLITE_ROW &&
		  !sqlite3_stricmp((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return sq_err(sqlite3_errcode(db));
	if (!wal)
		return -EIO;
	/* secure_delete: a deactivated warrant's targets do not linger in free pages. */
	int e = exec(db, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
			 " PRAGMA secure_delete = ON; PRAGMA trusted_schema = OFF");
	if (e == 0)
		sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
	return e;
}

int store_open(const char *path, struct clifd_store **out)
{
	struct stat st, st2;
	if (path == NULL || out == NULL)
		return -EINVAL;
	*out = NULL;
	int e = open_file(path, &st);
	if (e)
		return e;
	struct clifd_store *s = calloc(1, sizeof *s);
	if (s == NULL)
		return -ENOMEM;
	int rc = sqlite3_open_v2(path, &s->db,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX,
				 NULL);
	if (rc != SQLITE_OK) {
		e = sq_err(rc);
		goto fail;
	}
	/* The file SQLite opened must be the one checked above. */
	if (stat(path, &st2) != 0 || st2.st_dev != st.st_dev || st2.st_ino != st.st_ino) {
		e = -EIO;
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, 5000);
	e = pragmas(s->db);
	if (e == 0)
		e = schema(s);
	if (e)
		goto fail;
	*out = s;
	return 0;
fail:
	sqlite3_close(s->db);
	free(s);
	return e;
}

void store_close(struct clifd_store *s)
{
	if (s == NULL)
		return;
	if (s->in_txn)
		exec_id(s, Q_ROLLBACK);
	for (unsigned i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	sqlite3_close(s->db);
	free(s);
}

/* ---- transactions ---- */

int store_begin(struct clifd_store *s)
{
	if (s->in_txn)
		return -EBUSY;
	int e = exec_id(s, Q_BEGIN);
	if (e == 0)
		s->in_txn = 1;
	return e;
}

int store_commit(struct clifd_store *s)
{
	if (!s->in_txn)
		return -EINVAL;
	s->in_txn = 0;
	int e = exec_id(s, Q_COMMIT);
	if (e) {
		exec_id(s, Q_ROLLBACK);
		return -EIO;
	}
	return 0;
}

int store_rollback(struct clifd_store *s)
{
	if (!s->in_txn)
		return -EINVAL;
	s->in_txn = 0;
	return exec_id(s, Q_ROLLBACK) ? -EIO : 0;
}

/* ---- small statement helpers ---- */

/* Steps a statement that returns no rows and ends its use. Returns 0 or the (extended) SQLite
 * code, which callers map: some of them give a foreign-key failure its own meaning. */
static int run(struct clifd_store *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	done(s, st);
	return rc == SQLITE_DONE ? 0 : rc;
}

/* SELECT count(*)-style query with one optional blob parameter. */
static int count_query(struct clifd_store *s, enum stmt_id q, const uint8_t *id)
{
	sqlite3_stmt *st;
	int e = prep(s, q, &st);
	if (e)
		return e;
	if (id)
		sqlite3_bind_blob(st, 1, id, 16, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_int64 n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	done(s, st);
	if (rc != SQLITE_ROW)
		return sq_err(rc);
	return n > INT_MAX ? INT_MAX : (int)n;
}

/* Decodes the current row of a statement into a task or a destination. */
typedef int (*row_decode_fn)(sqlite3_stmt *st, void *out);

/* Runs a SELECT keyed by a 16-byte id and decodes its row. Returns 0, -ENOENT for no row, the
 * decoder's error, or -ENOMEM, -EBADMSG, -EIO. */
static int get_by_id(struct clifd_store *s, enum stmt_id q, const uint8_t id[16],
		     row_decode_fn decode, void *out)
{
	sqlite3_stmt *st;
	int e = prep(s, q, &st);
	if (e)
		return e;
	sqlite3_bind_blob(st, 1, id, 16, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		e = decode(st, out);
	else
		e = rc == SQLITE_DONE ? -ENOENT : sq_err(rc);
	done(s, st);
	return e;
}

/* Runs a DELETE keyed by a 16-byte id as one write. fk_err, when non-zero, is returned for a
 * foreign-key refusal. Returns 0, -ENOENT when no row went, fk_err, or -ENOMEM, -EBADMSG,
 * -EIO. */
static int delete_by_id(struct clifd_store *s, enum stmt_id q, const uint8_t id[16], int fk_err)
{
	sqlite3_stmt *st;
	int e = wr_begin(s);
	if (e)
		return e;
	if ((e = prep(s, q, &st)) == 0) {
		sqlite3_bind_blob(st, 1, id, 16, SQLITE_STATIC);
		int rc = run(s, st);
		if (fk_err && rc == SQLITE_CONSTRAINT_FOREIGNKEY)
			e = fk_err;
		else
			e = rc ? sq_err(rc) : sqlite3_changes(s->db) == 0 ? -ENOENT : 0;
	}
	return wr_end(s, e);
}

/* A walk over the rows of a SELECT, for the *_each() calls. */
struct walk {
	struct clifd_store *s;
	sqlite3_stmt *st;
	int rc;	 /* the last sqlite3_step() result */
	int bad; /* a row did not decode and was skipped */
};

static int walk_begin(struct clifd_store *s, enum stmt_id q, struct walk *w)
{
	w->s = s;
	w->rc = SQLITE_DONE;
	w->bad = 0;
	return prep(s, q, &w->st);
}

/* Decodes the next row that decodes into out, skipping (and noting) the others. Returns 1 with
 * a row, 0 at the end or on a step error. */
static int walk_next(struct walk *w, row_decode_fn decode, void *out)
{
	while ((w->rc = sqlite3_step(w->st)) == SQLITE_ROW) {
		if (decode(w->st, out) == 0)
			return 1;
		w->bad = 1;
	}
	return 0;
}

/* Ends the walk. ret is the caller's callback value that stopped it, or 0. Returns ret, else
 * the step error (-ENOMEM, -EBADMSG, -EIO), else -EBADMSG if a row was skipped, else 0. */
static int walk_end(struct walk *w, int ret)
{
	done(w->s, w->st);
	if (ret)
		return ret;
	if (w->rc != SQLITE_DONE)
		return sq_err(w->rc);
	return w->bad ? -EBADMSG : 0;
}

/* ---- tasks ---- */

static int add_ref(struct clifd_store *s, const uint8_t xid[16], const uint8_t did[16])
{
	sqlite3_stmt *st;
	int e = prep(s, Q_TASK_REF_ADD, &st);
	if (e)
		return e;
	sqlite3_bind_blob(st, 1, xid, 16, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, did, 16, SQLITE_STATIC);
	int rc = run(s, st);
	if (rc == 0)
		return 0;
	return rc == SQLITE_CONSTRAINT_FOREIGNKEY ? -ENOENT : sq_err(rc);
}

int store_task_put(struct clifd_store *s, const struct clifd_task *t)
{
	uint8_t body[STORE_TASK_BODY_MAX];
	sqlite3_stmt *st;
	int len = store_task_encode(t, body, sizeof body);
	if (len < 0)
		return len == -ENOSPC ? -EINVAL : len;
	int e = wr_begin(s);
	if (e)
		return e;
	e = prep(s, Q_TASK_PUT, &st);
	if (e == 0) {
		sqlite3_bind_blob(st, 1, t->xid, 16, SQLITE_STATIC);
		sqlite3_bind_blob(st, 2, body, len, SQLITE_STATIC);
		int rc = run(s, st);
		e = rc ? sq_err(rc) : 0;
	}
	/* the references are rebuilt */
	if (e == 0 && (e = prep(s, Q_TASK_REFS_CLEAR, &st)) == 0) {
		sqlite3_bind_blob(st, 1, t->xid, 16, SQLITE_STATIC);
		int rc = run(s, st);
		e = rc ? sq_err(rc) : 0;
	}
	for (unsigned i = 0; e == 0 && i < t->n_dids; i++)
		e = add_ref(s, t->xid, t->dids[i]);
	for (unsigned i = 0; e == 0 && i < t->n_mediation; i++)
		for (unsigned j = 0; e == 0 && j < t->mediation[i].n_dids; j++)
			e = add_ref(s, t->xid, t->mediation[i].dids[j]);
	return wr_end(s, e);
}

/* Decodes one (xid, body) row into a struct clifd_task; the key must agree with the body. */
static int task_row(sqlite3_stmt *st, void *task)
{
	struct clifd_task *out = task;
	if (sqlite3_column_type(st, 0) != SQLITE_BLOB || sqlite3_column_bytes(st, 0) != 16 ||
	    sqlite3_column_type(st, 1) != SQLITE_BLOB)
		return -EBADMSG;
	const uint8_t *key = sqlite3_column_blob(st, 0);
	const uint8_t *body = sqlite3_column_blob(st, 1);
	int e = store_task_decode(body, (size_t)sqlite3_column_bytes(st, 1), out);
	if (e == 0 && memcmp(out->xid, key, 16) != 0)
		e = -EBADMSG;
	return e;
}

int store_task_get(struct clifd_store *s, const uint8_t xid[16], struct clifd_task *out)
{
	return get_by_id(s, Q_TASK_GET, xid, task_row, out);
}

int store_task_delete(struct clifd_store *s, const uint8_t xid[16])
{
	return delete_by_id(s, Q_TASK_DELETE, xid, 0);
}

int store_task_count(struct clifd_store *s)
{
	return count_query(s, Q_TASK_COUNT, NULL);
}

int store_task_each(struct clifd_store *s, store_task_fn fn, void *arg)
{
	struct walk w;
	struct clifd_task t;
	int ret = 0;
	int e = walk_begin(s, Q_TASK_EACH, &w);
	if (e)
		return e;
	while (ret == 0 && walk_next(&w, task_row, &t))
		ret = fn(&t, arg);
	return walk_end(&w, ret);
}

int store_cin_next(struct clifd_store *s, const uint8_t xid[16], uint32_t *cin)
{
	sqlite3_stmt *st;
	int e = wr_begin(s);
	if (e)
		return e;
	int n = count_query(s, Q_TASK_EXISTS, xid);
	sqlite3_int64 last = 0;
	e = n < 0 ? n : n == 0 ? -ENOENT : 0;
	if (e == 0 && (e = prep(s, Q_CIN_GET, &st)) == 0) {
		sqlite3_bind_blob(st, 1, xid, 16, SQLITE_STATIC);
		int rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			last = sqlite3_column_int64(st, 0);
			if (sqlite3_column_type(st, 0) != SQLITE_INTEGER || last < 1 ||
			    last > UINT32_MAX)
				e = -EBADMSG;
			else if (last == UINT32_MAX)
				e = -EOVERFLOW;
		} else if (rc != SQLITE_DONE) {
			e = sq_err(rc);
		}
		done(s, st);
	}
	if (e == 0 && (e = prep(s, Q_CIN_SET, &st)) == 0) {
		sqlite3_bind_blob(st, 1, xid, 16, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, last + 1);
		int rc = run(s, st);
		e = rc ? sq_err(rc) : 0;
	}
	e = wr_end(s, e);
	if (e == 0)
		*cin = (uint32_t)(last + 1);
	return e;
}

/* ---- destinations ---- */

int store_dest_put(struct clifd_store *s, const struct clifd_destination *d)
{
	sqlite3_stmt *st;
	if (d == NULL || (d->ip_len != 4 && d->ip_len != 16) ||
	    memchr(d->friendly_name, 0, sizeof d->friendly_name) == NULL ||
	    (d->handover != CLIFD_HANDOVER_TS102232 && d->handover != CLIFD_HANDOVER_X2X3))
		return -EINVAL;
	int e = wr_begin(s);
	if (e)
		return e;
	e = prep(s, Q_DEST_PUT, &st);
	if (e == 0) {
		sqlite3_bind_blob(st, 1, d->did, 16, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, d->friendly_name, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, d->delivery);
		sqlite3_bind_blob(st, 4, d->ip, d->ip_len, SQLITE_STATIC);
		sqlite3_bind_int(st, 5, d->port);
		sqlite3_bind_int(st, 6, d->transport);
		sqlite3_bind_int(st, 7, d->handover);
		int rc = run(s, st);
		e = rc ? sq_err(rc) : 0;
	}
	return wr_end(s, e);
}

static int int_col(sqlite3_stmt *st, int col, int max, int *out)
{
	if (sqlite3_column_type(st, col) != SQLITE_INTEGER)
		return -1;
	sqlite3_int64 v = sqlite3_column_int64(st, col);
	if (v < 0 || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

/* Decodes one DEST_COLS row into a struct clifd_destination. */
static int dest_row(sqlite3_stmt *st, void *dest)
{
	struct clifd_destination *d = dest;
	int delivery, port, transport, handover;
	memset(d, 0, sizeof *d);
	if (sqlite3_column_type(st, 0) != SQLITE_BLOB || sqlite3_column_bytes(st, 0) != 16 ||
	    sqlite3_column_type(st, 1) != SQLITE_TEXT || sqlite3_column_type(st, 3) != SQLITE_BLOB ||
	    int_col(st, 2, 255, &delivery) || int_col(st, 4, 65535, &port) ||
	    int_col(st, 5, 255, &transport) || int_col(st, 6, CLIFD_HANDOVER_X2X3, &handover))
		return -EBADMSG;
	const char *name = (const char *)sqlite3_column_text(st, 1);
	size_t name_len = (size_t)sqlite3_column_bytes(st, 1);
	size_t ip_len = (size_t)sqlite3_column_bytes(st, 3);
	if (name == NULL || name_len > CLIFD_NAME_MAX || strlen(name) != name_len ||
	    (ip_len != 4 && ip_len != 16))
		return -EBADMSG;
	memcpy(d->did, sqlite3_column_blob(st, 0), 16);
	memcpy(d->friendly_name, name, name_len);
	d->delivery = (uint8_t)delivery;
	d->ip_len = (uint8_t)ip_len;
	memcpy(d->ip, sqlite3_column_blob(st, 3), ip_len);
	d->port = (uint16_t)port;
	d->transport = (uint8_t)transport;
	d->handover = (uint8_t)handover;
	return 0;
}

int store_dest_get(struct clifd_store *s, const uint8_t did[16], struct clifd_destination *out)
{
	return get_by_id(s, Q_DEST_GET, did, dest_row, out);
}

int store_dest_delete(struct clifd_store *s, const uint8_t did[16])
{
	return delete_by_id(s, Q_DEST_DELETE, did, -EBUSY);
}

int store_dest_count(struct clifd_store *s)
{
	return count_query(s, Q_DEST_COUNT, NULL);
}

int store_dest_each(struct clifd_store *s, store_dest_fn fn, void *arg)
{
	struct walk w;
	struct clifd_destination d;
	int ret = 0;
	int e = walk_begin(s, Q_DEST_EACH, &w);
	if (e)
		return e;
	while (ret == 0 && walk_next(&w, dest_row, &d))
		ret = fn(&d, arg);
	return walk_end(&w, ret);
}

int store_dest_in_use(struct clifd_store *s, const uint8_t did[16])
{
	return count_query(s, Q_DEST_IN_USE, did);
}

/* ---- meta ---- */

static int key_ok(const char *key)
{
	return key != NULL && *key && strlen(key) <= STORE_META_KEY_MAX;
}

int store_meta_get(struct clifd_store *s, const char *key, char *buf, size_t cap)
{
	sqlite3_stmt *st;
	if (!key_ok(key) || buf == NULL)
		return -EINVAL;
	int e = prep(s, Q_META_GET, &st);
	if (e)
		return e;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		size_t n = (size_t)sqlite3_column_bytes(st, 0);
		if (sqlite3_column_type(st, 0) != SQLITE_TEXT || v == NULL || strlen(v) != n ||
		    n > STORE_META_VALUE_MAX)
			e = -EBADMSG;
		else if (n >= cap)
			e = -ENOSPC;
		else {
			memcpy(buf, v, n + 1);
			e = (int)n;
		}
	} else {
		e = rc == SQLITE_DONE ? -ENOENT : sq_err(rc);
	}
	done(s, st);
	return e;
}

int store_meta_set(struct clifd_store *s, const char *key, const char *value)
{
	sqlite3_stmt *st;
	if (!key_ok(key) || value == NULL || strlen(value) > STORE_META_VALUE_MAX)
		return -EINVAL;
	int e = wr_begin(s);
	if (e)
		return e;
	if ((e = prep(s, Q_META_SET, &st)) == 0) {
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
		int rc = run(s, st);
		e = rc ? sq_err(rc) : 0;
	}
	return wr_end(s, e);
}
