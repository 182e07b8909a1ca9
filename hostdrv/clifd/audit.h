/* clifd's audit log (issue 6): every X1 request and every local LI action, accepted or refused,
 * in an append-only file whose entries are chained with a keyed MAC, so that an altered,
 * removed, reordered or forged entry is found by audit_verify() / `clifctl audit verify`.
 *
 * The log is the one place identifiers (XIDs, DIDs) belong; it is created mode 0600.
 *
 * One entry is one line of seven TAB-separated fields:
 *   SEQ  TIME  ACTOR  ACTION  OBJECT  RESULT  MAC
 *   SEQ     decimal, 1 for the first entry, +1 for each next one
 *   TIME    UTC, "YYYY-MM-DDTHH:MM:SS.mmmZ"
 *   ACTOR   the client certificate's subject, or "local:<user>" for clifctl/management actions
 *   ACTION  e.g. the X1 message type ("ActivateTask")
 *   OBJECT  the XID/DID text, or "" when the request names none
 *   RESULT  e.g. "ok", "error 2020"
 *   MAC     64 lowercase hex digits: HMAC-SHA256(key, previous entry's MAC (32 raw bytes; all
 *           zero for the first entry) || the line's bytes before the TAB that precedes MAC)
 * ACTOR, ACTION, OBJECT and RESULT are escaped: '%', TAB, every byte below 0x20 and 0x7f are
 * written as %HH (uppercase hex), so a newline or TAB in a value cannot start a forged line or
 * field. Every other byte (UTF-8 included) is written as is. audit_unescape() undoes it.
 *
 * The key is 32 random bytes in a separate file (mode 0600, created at the first audit_open()),
 * so that whoever can edit the log but not read the key cannot re-chain it. Removing whole
 * entries at the end leaves a valid chain: the daemon therefore keeps the head (last SEQ and
 * MAC, audit_head()) in its store's meta table, and `clifctl audit verify --expect-seq N`
 * (struct audit_expect) reports a log that ends before entry N.
 *
 * Errors are negative errno values; no error text names an identifier. */
#ifndef CLIFD_AUDIT_H
#define CLIFD_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AUDIT_MAC_LEN 32
#define AUDIT_KEY_LEN 32
#define AUDIT_FIELD_MAX 8192   /* bytes of one raw ACTOR/ACTION/OBJECT/RESULT value */

struct audit_log;

/* Opens the log at path for appending, creating it (0600) if absent, and the key file at
 * keypath (NULL: path + ".key"), creating it (0600, 32 bytes from the OS RNG) if absent.
 * Reads the last two entries to continue the chain.
 *
 * Bytes after the last newline are an unfinished entry: its write or its sync was cut short
 * by a crash (audit_append_nosync() leaves entries unsynced until audit_sync()). No entry is
 * synced before its newline is written, so such bytes were never durable nor acknowledged:
 * audit_open() cuts them (ftruncate, fdatasync; audit_open_cut() tells how many) and continues
 * the chain from the complete entry before them. A tail cut out of a durable entry is then a
 * missing entry, which only the recorded head shows: the daemon checks the log against it
 * (audit_verify_expect()) before opening.
 *
 * Returns 0 and *out, or:
 *   -EINVAL   path or out NULL
 *   -EPERM    the log or key file is group/world accessible or not owned by us
 *   -EBADMSG  the log's tail does not verify (the last complete line malformed, out of
 *             sequence or its MAC wrong under this key, or more unfinished bytes than an entry
 *             can hold): clifd refuses to append and reports it (nothing is cut)
 *   -EKEYREJECTED  the key file is not exactly AUDIT_KEY_LEN bytes (a log exists but its key
 *             file does not: -ENOKEY, since a new key would break the chain)
 *   -EBUSY    another process holds the log open for appending (flock)
 *   -ENOMEM, -EIO, or the errno of open() */
int audit_open(const char *path, const char *keypath, struct audit_log **out);

/* Appends one entry with the current UTC time and fsyncs the file before returning (which
 * makes the entries audit_append_nosync() wrote before it durable too).
 * actor and action must be non-empty; object and result may be NULL (written as "").
 * Returns 0, or -EINVAL (a value NULL/empty where required or longer than AUDIT_FIELD_MAX),
 * -EIO (nothing of the entry is left in the file if it could be cut back; otherwise, or when
 * the sync failed with unsynced entries before this one, the handle refuses every later append
 * with -EIO), -EOVERFLOW (SEQ would wrap). */
int audit_append(struct audit_log *a, const char *actor, const char *action, const char *object,
		 const char *result);

/* As audit_append() without the fdatasync: the entry is in the file and in the chain (the
 * next entry's MAC covers it) but not yet durable. audit_sync() (or the next audit_append())
 * makes every entry written so far durable: group commit, one sync for the entries of one X1
 * request, before anything that depends on them (the store's record of the head, the answer).
 * A crash before that sync may lose those entries or leave the last one unfinished (cut at the
 * next audit_open()); the synced entries stay and verify. Returns as audit_append(). */
int audit_append_nosync(struct audit_log *a, const char *actor, const char *action,
			const char *object, const char *result);

/* fdatasyncs the entries audit_append_nosync() wrote (none: 0 at once). Returns 0, -EINVAL (a
 * NULL), -EIO (the sync failed, or an earlier append left the handle refusing appends: what
 * reached the disk is unknown, so every later append is refused with -EIO). */
int audit_sync(struct audit_log *a);

/* Bytes of an unfinished last entry audit_open() cut from the log (0: none), for the caller
 * to report. */
size_t audit_open_cut(const struct audit_log *a);

/* The last entry written: its SEQ (= the entry count; 0 for an empty log) and MAC (all zero
 * for an empty log). mac may be NULL. */
uint64_t audit_head(const struct audit_log *a, uint8_t mac[AUDIT_MAC_LEN]);

/* Closes the log. NULL is a no-op. */
void audit_close(struct audit_log *a);

/* ---- verification ---- */

enum audit_fault {
	AUDIT_FAULT_NONE = 0,
	AUDIT_FAULT_TRUNCATED_LINE,  /* the last line has no newline (cut mid-entry) */
	AUDIT_FAULT_MALFORMED,       /* not seven well-formed fields */
	AUDIT_FAULT_SEQ_GAP,         /* SEQ skips ahead: an entry was removed */
	AUDIT_FAULT_ORDER,           /* SEQ out of order: entries were reordered */
	AUDIT_FAULT_MAC,             /* MAC wrong: entry altered, forged, or wrong key */
	AUDIT_FAULT_MISSING_TAIL,    /* fewer entries than expected: entries removed at the end */
	AUDIT_FAULT_HEAD_MISMATCH,   /* the entry at the expected SEQ is not the recorded one */
};

struct audit_verify_result {
	uint64_t entries;        /* entries that verified (all of them when no fault) */
	uint64_t last_seq;       /* SEQ of the last verified entry (0: none) */
	uint8_t last_mac[AUDIT_MAC_LEN];
	enum audit_fault fault;
	uint64_t bad_line;       /* 1-based line of the first fault (0: none); for
				    AUDIT_FAULT_MISSING_TAIL the first missing line */
	const char *reason;      /* static text naming the fault, no identifiers */
};

/* What the reader knows of the head from elsewhere (the store's meta table). */
struct audit_expect {
	uint64_t seq;            /* the log must reach at least this SEQ */
	int have_mac;            /* and, if set, the entry with that SEQ must carry mac */
	uint8_t mac[AUDIT_MAC_LEN];
};

/* Checks every line of the log at path with the key at keypath (NULL: path + ".key"), stopping
 * at the first fault. Returns 0 (intact; r->entries, r->last_seq, r->last_mac set), -EBADMSG
 * (r->fault, r->bad_line, r->reason say where and why; r->entries counts the entries before),
 * -EKEYREJECTED (key file not AUDIT_KEY_LEN bytes), -EINVAL, -ENOMEM, or the errno of open()
 * / read(). An empty log is intact with 0 entries. The files' modes are not checked: an
 * auditor may verify a copy. */
int audit_verify(const char *path, const char *keypath, struct audit_verify_result *r);

/* As audit_verify(), also checking the log against exp (NULL: no expectation). */
int audit_verify_expect(const char *path, const char *keypath, const struct audit_expect *exp,
			struct audit_verify_result *r);

/* The fixed text for a fault ("chain intact" for AUDIT_FAULT_NONE). */
const char *audit_fault_text(enum audit_fault f);

/* Undoes the field escaping of src[len] into dst[cap] (NUL-terminated). Returns the decoded
 * length, -EBADMSG (a bad %HH, or a byte that must have been escaped), -ENOSPC. */
int audit_unescape(const char *src, size_t len, char *dst, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
