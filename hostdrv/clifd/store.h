/* clifd's task store (issue 6): the warrants clifd holds must survive a crash, a SIGKILL or a
 * power cut, so every X1 change is written to an SQLite database before it is answered, and
 * read back at start to re-apply the rules to the card.
 *
 * The database (schema version STORE_SCHEMA_VERSION):
 *   schema_version(version)            one row; a newer version is refused, never downgraded
 *   tasks(xid, body)                   body: struct clifd_task in the versioned little-endian
 *                                      encoding of store_task_encode() (never a struct image)
 *   destinations(did, friendly_name, delivery, ip, port, transport, handover)
 *   task_dest(xid, did)                the destinations a task names (its DIDs and those of its
 *                                      mediation details); a destination cannot be deleted
 *                                      while referenced (foreign keys are on)
 *   task_cin(xid, last_cin)            the last CIN handed out per XID; kept after the task is
 *                                      deleted so that a re-activated XID never reuses a CIN
 *   meta(key, value)                   small text values (e.g. the audit log's head)
 *
 * The file is private to the daemon: store_open() creates it with mode 0600 and REFUSES (it
 * does not repair) a file, -wal or -shm that is group or world accessible or owned by another
 * user, because such a file may already have leaked warrants and an operator must look at it.
 * SQLite runs with journal_mode=WAL and synchronous=FULL: when a write call (or
 * store_commit()) returns 0, the change is on disk.
 *
 * Errors are negative errno values; no error path formats an identifier anywhere (the store
 * logs nothing). A row that cannot be decoded (a corrupt body, an unknown encoding version, a
 * field out of range, the key column disagreeing with the body) gives -EBADMSG, never a crash.
 *
 * A struct clifd_store is one SQLite connection: use it from one thread at a time. */
#ifndef CLIFD_STORE_H
#define CLIFD_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

#define STORE_SCHEMA_VERSION 2  /* 2: destinations.handover; a version 1 file is migrated */
#define STORE_TASK_ENCODING 1   /* first byte of a task body */
#define STORE_META_KEY_MAX 64   /* bytes of a meta key */
#define STORE_META_VALUE_MAX 4096

struct clifd_store;

/* Opens (creating if absent, mode 0600) the store at path and brings its schema to
 * STORE_SCHEMA_VERSION. Returns 0 and *out, or:
 *   -EINVAL   path or out NULL
 *   -EPERM    the file (or its -wal/-shm) is group/world accessible or not owned by us
 *   -ELOOP    path is a symbolic link; -EISDIR / -EINVAL: not a regular file
 *   -EPROTO   the database has a newer schema version than this clifd knows
 *   -EBADMSG  the file is not an SQLite database or is corrupt
 *   -ENOMEM, -EIO, or the errno of open()/fstat() */
int store_open(const char *path, struct clifd_store **out);

/* Closes the store (rolls back an open transaction). NULL is a no-op. */
void store_close(struct clifd_store *s);

/* ---- transactions ----
 * Without an explicit transaction every write call is its own durable transaction. Between
 * store_begin() and store_commit() the writes become visible and durable together at commit
 * (DeactivateAllTasks, RemoveAllDestinations); store_rollback() discards them all. Transactions
 * do not nest. */

/* Returns 0, -EBUSY (a transaction is already open), -EIO. */
int store_begin(struct clifd_store *s);
/* Returns 0, -EINVAL (no transaction open), -EIO (the transaction is rolled back). */
int store_commit(struct clifd_store *s);
/* Returns 0, -EINVAL (no transaction open), -EIO. */
int store_rollback(struct clifd_store *s);

/* ---- tasks ---- */

/* Inserts the task, or replaces the one with the same XID (its CIN counter is kept). Its
 * destination references become exactly t's DIDs plus its mediation details' DIDs.
 * Returns 0, or:
 *   -EINVAL   a count above its model.h maximum, or an unterminated LIID
 *   -ENOENT   a referenced DID is not in the store (nothing is written)
 *   -EIO */
int store_task_put(struct clifd_store *s, const struct clifd_task *t);

/* Reads the task with this XID into *out. Returns 0, -ENOENT, -EBADMSG (stored row
 * malformed), -EIO. */
int store_task_get(struct clifd_store *s, const uint8_t xid[16], struct clifd_task *out);

/* Deletes the task and its destination references (not its CIN counter). Returns 0, -ENOENT,
 * -EIO. */
int store_task_delete(struct clifd_store *s, const uint8_t xid[16]);

/* Returns the number of tasks (>= 0), or -EIO. */
int store_task_count(struct clifd_store *s);

/* Called once per task in XID order; a non-zero return stops the walk and is returned by
 * store_task_each(). It must not write to the store. */
typedef int (*store_task_fn)(const struct clifd_task *t, void *arg);

/* Visits every task. Malformed rows are skipped so that the rest can still be restored; the
 * walk then returns -EBADMSG at its end. Returns 0, the callback's non-zero value, -EBADMSG,
 * -EIO. */
int store_task_each(struct clifd_store *s, store_task_fn fn, void *arg);

/* Allocates the next CIN (communication identity number, TS 102 232-1) for the task: 1, 2, 3,
 * ... persisted before it returns, so that no CIN is handed out twice for an XID, across
 * restarts and re-activations. Returns 0 and *cin, -ENOENT (no such task), -EOVERFLOW (the
 * 32-bit space is used up), -EBADMSG, -EIO. */
int store_cin_next(struct clifd_store *s, const uint8_t xid[16], uint32_t *cin);

/* ---- destinations ---- */

/* Inserts or replaces the destination with the same DID. Returns 0, -EINVAL (ip_len not 4 or
 * 16, unterminated friendly name, handover not an enum clifd_handover), -EIO. */
int store_dest_put(struct clifd_store *s, const struct clifd_destination *d);

/* Returns 0, -ENOENT, -EBADMSG, -EIO. */
int store_dest_get(struct clifd_store *s, const uint8_t did[16], struct clifd_destination *out);

/* Returns 0, -ENOENT, -EBUSY (a task references it: X1 7010), -EIO. */
int store_dest_delete(struct clifd_store *s, const uint8_t did[16]);

/* Returns the number of destinations (>= 0), or -EIO. */
int store_dest_count(struct clifd_store *s);

typedef int (*store_dest_fn)(const struct clifd_destination *d, void *arg);

/* As store_task_each(), in DID order. */
int store_dest_each(struct clifd_store *s, store_dest_fn fn, void *arg);

/* Returns how many tasks reference the destination (>= 0; 0 also for an unknown DID), or
 * -EIO. */
int store_dest_in_use(struct clifd_store *s, const uint8_t did[16]);

/* ---- meta ---- */

/* Copies the NUL-terminated value of key into buf[cap]. Returns its length (>= 0), -ENOENT,
 * -ENOSPC (cap <= length), -EINVAL (key empty or longer than STORE_META_KEY_MAX), -EBADMSG,
 * -EIO. */
int store_meta_get(struct clifd_store *s, const char *key, char *buf, size_t cap);

/* Sets key to the NUL-terminated value. Returns 0, -EINVAL (key as above, value longer than
 * STORE_META_VALUE_MAX), -EIO. */
int store_meta_set(struct clifd_store *s, const char *key, const char *value);

/* ---- the task body encoding (exposed for tests and tools) ----
 * Version 1, all integers little-endian:
 *   u8 version (1) | xid[16] | u8 n_targets | n_targets x (u8 kind, u8 prefix_len,
 *   u16 port_lo, u16 port_hi, addr[16]) | u8 scope_type | u32 scope_value | u8 delivery |
 *   u8 n_dids | n_dids x did[16] | u8 n_mediation | n_mediation x (u8 liid_len, liid bytes
 *   (no NUL), u8 hi_delivery, u8 n_dids, n_dids x did[16]) | u8 has_correlation |
 *   u64 correlation_id | u8 implicit_deactivation
 * A decoder takes exactly this many bytes: anything short, long or out of range is refused. */

#define STORE_TASK_BODY_MAX 2048

/* Encodes t into buf[cap]. Returns the length, or -EINVAL (t out of range), -ENOSPC. */
int store_task_encode(const struct clifd_task *t, uint8_t *buf, size_t cap);

/* Decodes a body. Returns 0, or -EBADMSG. */
int store_task_decode(const uint8_t *buf, size_t len, struct clifd_task *out);

#ifdef __cplusplus
}
#endif
#endif
