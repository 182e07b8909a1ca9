/* The hash-chained audit log: line format, appending, and the verifier (format in audit.h). */
#include "audit.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hex.h"

#define N_FIELDS 7
#define TIME_LEN 24                       /* YYYY-MM-DDTHH:MM:SS.mmmZ */
#define SEQ_DIGITS_MAX 20
/* The longest line audit_append() can write: four fields escaped to 3 bytes a byte. */
#define LINE_MAX_BYTES (SEQ_DIGITS_MAX + TIME_LEN + 4 * 3 * AUDIT_FIELD_MAX + 2 * AUDIT_MAC_LEN + N_FIELDS)

struct mac_ctx {
	EVP_MAC *mac;
	EVP_MAC_CTX *ctx;
};

struct audit_log {
	int fd;
	off_t size;        /* bytes of complete entries: where a failed append is cut back to */
	int broken;        /* a failed append could not be cut back */
	int unsynced;      /* entries written since the last fdatasync */
	off_t unfinished;  /* bytes of an unfinished entry audit_open() cut */
	char *line;        /* LINE_MAX_BYTES + 2: audit_append()'s line, allocated once */
	uint64_t seq;
	uint8_t mac[AUDIT_MAC_LEN];
	struct mac_ctx hmac;
};

/* A parsed line: text_len counts the bytes the MAC covers (all but "\tMAC"). */
struct entry {
	uint64_t seq;
	size_t text_len;
	uint8_t mac[AUDIT_MAC_LEN];
};

/* ---- HMAC-SHA256 with one keyed context per log ---- */

static int mac_init(struct mac_ctx *m, const uint8_t key[AUDIT_KEY_LEN])
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
		OSSL_PARAM_construct_end(),
	};
	m->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	m->ctx = m->mac ? EVP_MAC_CTX_new(m->mac) : NULL;
	if (m->ctx == NULL || !EVP_MAC_init(m->ctx, key, AUDIT_KEY_LEN, params))
		return -ENOMEM;
	return 0;
}

static void mac_free(struct mac_ctx *m)
{
	EVP_MAC_CTX_free(m->ctx);
	EVP_MAC_free(m->mac);
	m->ctx = NULL;
	m->mac = NULL;
}

/* HMAC(key, prev || text); a NULL-key re-init restarts with the key already set. */
static int mac_entry(struct mac_ctx *m, const uint8_t prev[AUDIT_MAC_LEN], const char *text,
		     size_t len, uint8_t out[AUDIT_MAC_LEN])
{
	size_t outl = 0;
	if (!EVP_MAC_init(m->ctx, NULL, 0, NULL) || !EVP_MAC_update(m->ctx, prev, AUDIT_MAC_LEN) ||
	    !EVP_MAC_update(m->ctx, (const unsigned char *)text, len) ||
	    !EVP_MAC_final(m->ctx, out, &outl, AUDIT_MAC_LEN) || outl != AUDIT_MAC_LEN)
		return -EIO;
	return 0;
}

/* ---- line format ---- */

static const char hexdig[] = "0123456789ABCDEF";

static int must_escape(unsigned char c)
{
	return c < 0x20 || c == 0x7f || c == '%';
}

static char *escape_into(char *p, const char *v)
{
	for (const unsigned char *s = (const unsigned char *)v; *s; s++) {
		if (must_escape(*s)) {
			*p++ = '%';
			*p++ = hexdig[*s >> 4];
			*p++ = hexdig[*s & 15];
		} else {
			*p++ = (char)*s;
		}
	}
	return p;
}

int audit_unescape(const char *src, size_t len, char *dst, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)src[i];
		if (c == '%') {
			if (len - i < 3)
				return -EBADMSG;
			int hi = clifd_hex_upper(src[i + 1]), lo = clifd_hex_upper(src[i + 2]);
			if (hi < 0 || lo < 0)
				return -EBADMSG;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		} else if (must_escape(c)) {
			return -EBADMSG;
		}
		if (o + 1 >= cap)
			return -ENOSPC;
		dst[o++] = (char)c;
	}
	if (cap == 0)
		return -ENOSPC;
	dst[o] = 0;
	return (int)o;
}

/* An escaped field as written: no raw control byte, every '%' followed by two uppercase hex
 * digits. */
static int field_ok(const char *f, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)f[i];
		if (c == '%') {
			if (len - i < 3 || clifd_hex_upper(f[i + 1]) < 0 || clifd_hex_upper(f[i + 2]) < 0)
				return 0;
			i += 2;
		} else if (must_escape(c)) {
			return 0;
		}
	}
	return 1;
}

static int time_ok(const char *f, size_t len)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:dd.dddZ";
	if (len != TIME_LEN)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (pat[i] == 'd' ? f[i] < '0' || f[i] > '9' : f[i] != pat[i])
			return 0;
	return 1;
}

static int seq_parse(const char *f, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	if (len == 0 || len > SEQ_DIGITS_MAX || f[0] == '0')
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (f[i] < '0' || f[i] > '9')
			return -1;
		unsigned d = (unsigned)(f[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* Parses one line (without its newline). Returns 0, or -1 when it is not an entry. */
static int parse_line(const char *line, size_t len, struct entry *e)
{
	const char *f[N_FIELDS];
	size_t fl[N_FIELDS];
	size_t start = 0;
	unsigned n = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && line[i] != '\t')
			continue;
		if (n == N_FIELDS)
			return -1;
		f[n] = line + start;
		fl[n++] = i - start;
		start = i + 1;
	}
	if (n != N_FIELDS || seq_parse(f[0], fl[0], &e->seq) || !time_ok(f[1], fl[1]) ||
	    fl[2] == 0 || fl[3] == 0 || fl[6] != 2 * AUDIT_MAC_LEN)
		return -1;
	for (unsigned i = 2; i < 6; i++)
		if (!field_ok(f[i], fl[i]))
			return -1;
	for (unsigned i = 0; i < AUDIT_MAC_LEN; i++) {
		int hi = clifd_hex_lower(f[6][2 * i]), lo = clifd_hex_lower(f[6][2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		e->mac[i] = (uint8_t)(hi << 4 | lo);
	}
	e->text_len = (size_t)(f[6] - line) - 1;
	return 0;
}

/* ---- files ---- */

static int check_private(int fd)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if (st.st_uid != geteuid() || (st.st_mode & 077))
		return -EPERM;
	return 0;
}

/* Makes a newly created file's directory entry durable too. */
static void sync_dir(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;
	if (slash == NULL) {
		strcpy(dir, ".");
	} else if (n == 0) {
		strcpy(dir, "/");
	} else if (n < sizeof dir) {
		memcpy(dir, path, n);
		dir[n] = 0;
	} else {
		return;
	}
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

static int key_path(const char *path, const char *keypath, char *buf, size_t cap)
{
	if (keypath)
		return snprintf(buf, cap, "%s", keypath) < (int)cap ? 0 : -ENAMETOOLONG;
	return snprintf(buf, cap, "%s.key", path) < (int)cap ? 0 : -ENAMETOOLONG;
}

static int read_key(int fd, uint8_t key[AUDIT_KEY_LEN])
{
	uint8_t buf[AUDIT_KEY_LEN + 1];
	size_t got = 0;
	while (got < sizeof buf) {
		ssize_t n = read(fd, buf + got, sizeof buf - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got != AUDIT_KEY_LEN)
		return -EKEYREJECTED;
	memcpy(key, buf, AUDIT_KEY_LEN);
	return 0;
}

static int write_all(int fd, const void *p, size_t len)
{
	const char *c = p;
	while (len) {
		ssize_t n = write(fd, c, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		c += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Loads the key for appending; creates it when the log is empty (a log without its key cannot
 * be continued: -ENOKEY). */
static int load_key(const char *kp, int log_empty, uint8_t key[AUDIT_KEY_LEN])
{
	int fd = open(kp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		if (!log_empty)
			return -ENOKEY;
		fd = open(kp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			return -errno;
		int e = RAND_priv_bytes(key, AUDIT_KEY_LEN) == 1 ? 0 : -EIO;
		if (e == 0 && fchmod(fd, 0600) != 0)
			e = -errno;
		if (e == 0)
			e = write_all(fd, key, AUDIT_KEY_LEN);
		if (e == 0 && fsync(fd) != 0)
			e = -errno;
		close(fd);
		if (e) {
			unlink(kp);
			return e;
		}
		sync_dir(kp);
		return 0;
	}
	if (fd < 0)
		return -errno;
	int e = check_private(fd);
	if (e == 0)
		e = read_key(fd, key);
	close(fd);
	return e;
}

/* Continues the chain from the last complete entry, after checking that entry against the one
 * before it (or against the all-zero start when it is the first). The bytes after the last
 * newline are an entry whose write did not finish (audit.h, audit_open()): a->unfinished gets
 * their count and a->size ends before them. */
static int read_tail(struct audit_log *a)
{
	struct entry last, prev = {0};
	off_t size = a->size;
	if (size == 0)
		return 0;
	/* room for an unfinished entry and the two complete ones before it */
	size_t cap = 3 * (LINE_MAX_BYTES + 1);
	size_t want = size < (off_t)cap ? (size_t)size : cap;
	char *buf = malloc(want);
	if (buf == NULL)
		return -ENOMEM;
	int e = 0;
	ssize_t n = pread(a->fd, buf, want, size - (off_t)want);
	if (n != (ssize_t)want) {
		e = -EIO;
		goto out;
	}
	int whole = (off_t)want == size; /* the buffer starts at the file's start */
	size_t end = want;               /* one past the last newline */
	while (end > 0 && buf[end - 1] != '\n')
		end--;
	if (want - end > LINE_MAX_BYTES || (end == 0 && !whole)) {
		e = -EBADMSG; /* longer than any entry: not one of ours cut short */
		goto out;
	}
	a->unfinished = (off_t)(want - end);
	if (end == 0) { /* nothing but an unfinished first entry */
		a->size = 0;
		goto out;
	}
	end--;
	size_t i = end;
	while (i > 0 && buf[i - 1] != '\n')
		i--;
	if ((i == 0 && !whole) || parse_line(buf + i, end - i, &last)) {
		e = -EBADMSG;
		goto out;
	}
	if (i > 0) {
		size_t j = i - 1;
		while (j > 0 && buf[j - 1] != '\n')
			j--;
		if ((j == 0 && !whole) || parse_line(buf + j, i - 1 - j, &prev)) {
			e = -EBADMSG;
			goto out;
		}
	}
	uint8_t mac[AUDIT_MAC_LEN];
	e = mac_entry(&a->hmac, prev.mac, buf + i, last.text_len, mac);
	if (e == 0 && (last.seq != prev.seq + 1 || memcmp(mac, last.mac, AUDIT_MAC_LEN)))
		e = -EBADMSG;
	if (e == 0) {
		a->seq = last.seq;
		memcpy(a->mac, last.mac, AUDIT_MAC_LEN);
		a->size = size - a->unfinished;
	}
out:
	free(buf);
	return e;
}

int audit_open(const char *path, const char *keypath, struct audit_log **out)
{
	char kp[PATH_MAX];
	uint8_t key[AUDIT_KEY_LEN];
	struct stat st;
	if (path == NULL || out == NULL)
		return -EINVAL;
	*out = NULL;
	int e = key_path(path, keypath, kp, sizeof kp);
	if (e)
		return e;
	struct audit_log *a = calloc(1, sizeof *a);
	if (a == NULL)
		return -ENOMEM;
	a->line = malloc(LINE_MAX_BYTES + 2);
	if (a->line == NULL) {
		free(a);
		return -ENOMEM;
	}
	int created = 1;
	a->fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (a->fd >= 0) {
		if (fchmod(a->fd, 0600) != 0) {
			e = -errno;
			goto fail;
		}
		sync_dir(path);
	} else if (errno == EEXIST) {
		created = 0;
		a->fd = open(path, O_RDWR | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
	}
	if (a->fd < 0) {
		e = -errno;
		goto fail;
	}
	if ((e = check_private(a->fd)) != 0)
		goto fail;
	if (flock(a->fd, LOCK_EX | LOCK_NB) != 0) {
		e = errno == EWOULDBLOCK ? -EBUSY : -errno;
		goto fail;
	}
	if (fstat(a->fd, &st) != 0) {
		e = -errno;
		goto fail;
	}
	a->size = st.st_size;
	if ((e = load_key(kp, a->size == 0, key)) != 0)
		goto fail;
	e = mac_init(&a->hmac, key);
	OPENSSL_cleanse(key, sizeof key);
	if (e == 0)
		e = read_tail(a);
	/* Cut the unfinished entry: the next one must follow the last complete line. */
	if (e == 0 && a->unfinished && (ftruncate(a->fd, a->size) != 0 || fdatasync(a->fd) != 0))
		e = -EIO;
	if (e)
		goto fail;
	*out = a;
	return 0;
fail:
	if (a->fd >= 0) {
		close(a->fd);
		if (created && e != -EBUSY)
			unlink(path);
	}
	mac_free(&a->hmac);
	free(a->line);
	free(a);
	return e;
}

static int format_time(char out[TIME_LEN + 1])
{
	struct timespec ts;
	struct tm tm;
	char date[32];
	if (clock_gettime(CLOCK_REALTIME, &ts) != 0 || gmtime_r(&ts.tv_sec, &tm) == NULL ||
	    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm) != TIME_LEN - 5)
		return -EIO; /* a year outside 0000..9999 would not verify */
	memcpy(out, date, TIME_LEN - 5);
	unsigned ms = (unsigned)(ts.tv_nsec / 1000000) % 1000;
	out[TIME_LEN - 5] = '.';
	out[TIME_LEN - 4] = (char)('0' + ms / 100);
	out[TIME_LEN - 3] = (char)('0' + ms / 10 % 10);
	out[TIME_LEN - 2] = (char)('0' + ms % 10);
	out[TIME_LEN - 1] = 'Z';
	out[TIME_LEN] = 0;
	return 0;
}

static int append(struct audit_log *a, const char *actor, const char *action, const char *object,
		  const char *result, int sync)
{
	const char *v[4] = {actor, action, object ? object : "", result ? result : ""};
	char tbuf[TIME_LEN + 1];
	if (a == NULL || actor == NULL || !*actor || action == NULL || !*action)
		return -EINVAL;
	for (unsigned i = 0; i < 4; i++)
		if (strlen(v[i]) > AUDIT_FIELD_MAX)
			return -EINVAL;
	if (a->broken)
		return -EIO;
	if (a->seq == UINT64_MAX)
		return -EOVERFLOW;
	int e = format_time(tbuf);
	if (e)
		return e;
	char *line = a->line;
	char *p = line + sprintf(line, "%llu\t%s", (unsigned long long)(a->seq + 1), tbuf);
	for (unsigned i = 0; i < 4; i++) {
		*p++ = '\t';
		p = escape_into(p, v[i]);
	}
	uint8_t mac[AUDIT_MAC_LEN];
	e = mac_entry(&a->hmac, a->mac, line, (size_t)(p - line), mac);
	if (e == 0) {
		static const char lx[] = "0123456789abcdef";
		*p++ = '\t';
		for (unsigned i = 0; i < AUDIT_MAC_LEN; i++) {
			*p++ = lx[mac[i] >> 4];
			*p++ = lx[mac[i] & 15];
		}
		*p++ = '\n';
		size_t len = (size_t)(p - line);
		int sync_failed = 0;
		e = write_all(a->fd, line, len);
		if (e == 0 && sync && fdatasync(a->fd) != 0)
			e = sync_failed = -EIO;
		if (e == 0) {
			a->size += (off_t)len;
			a->unsynced = !sync;
			a->seq++;
			memcpy(a->mac, mac, AUDIT_MAC_LEN);
		} else {
			/* Leave no partial entry behind: the next one would not verify. A failed
			 * sync also leaves the unsynced entries before this one in doubt. */
			if (ftruncate(a->fd, a->size) != 0 || fdatasync(a->fd) != 0 ||
			    (sync_failed && a->unsynced))
				a->broken = 1;
			else
				a->unsynced = 0;
			e = -EIO;
		}
	}
	return e;
}

int audit_append(struct audit_log *a, const char *actor, const char *action, const char *object,
		 const char *result)
{
	/* Entries written without a sync before this one become durable with it. */
	return append(a, actor, action, object, result, 1);
}

int audit_append_nosync(struct audit_log *a, const char *actor, const char *action,
			const char *object, const char *result)
{
	return append(a, actor, action, object, result, 0);
}

int audit_sync(struct audit_log *a)
{
	if (a == NULL)
		return -EINVAL;
	if (a->broken)
		return -EIO;
	if (!a->unsynced)
		return 0;
	if (fdatasync(a->fd) != 0) {
		a->broken = 1; /* what is on disk is unknown: no more appends */
		return -EIO;
	}
	a->unsynced = 0;
	return 0;
}

size_t audit_open_cut(const struct audit_log *a)
{
	return (size_t)a->unfinished;
}

uint64_t audit_head(const struct audit_log *a, uint8_t mac[AUDIT_MAC_LEN])
{
	if (mac)
		memcpy(mac, a->mac, AUDIT_MAC_LEN);
	return a->seq;
}

void audit_close(struct audit_log *a)
{
	if (a == NULL)
		return;
	close(a->fd);
	mac_free(&a->hmac);
	free(a->line);
	free(a);
}

/* ---- verification ---- */

const char *audit_fault_text(enum audit_fault f)
{
	switch (f) {
	case AUDIT_FAULT_NONE:
		return "chain intact";
	case AUDIT_FAULT_TRUNCATED_LINE:
		return "last line truncated (no newline)";
	case AUDIT_FAULT_MALFORMED:
		return "malformed entry";
	case AUDIT_FAULT_SEQ_GAP:
		return "sequence gap: entry removed";
	case AUDIT_FAULT_ORDER:
		return "sequence out of order: entries reordered";
	case AUDIT_FAULT_MAC:
		return "MAC mismatch: entry altered or forged, or wrong key";
	case AUDIT_FAULT_MISSING_TAIL:
		return "log ends before the expected sequence: trailing entries removed";
	case AUDIT_FAULT_HEAD_MISMATCH:
		return "entry differs from the recorded head";
	}
	return "unknown fault";
}

/* After SEQ jumped ahead of `want`: does a later line carry `want`? Then entries were moved,
 * not removed. Only the SEQ field of the rest is looked at. */
static int seq_later(FILE *f, uint64_t want)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int found = 0;
	while (!found && (n = getline(&line, &cap, f)) > 0) {
		const char *tab = memchr(line, '\t', (size_t)n);
		uint64_t seq;
		if (tab && seq_parse(line, (size_t)(tab - line), &seq) == 0 && seq == want)
			found = 1;
	}
	free(line);
	return found;
}

static int verify_stream(FILE *f, struct mac_ctx *m, const struct audit_expect *exp,
			 struct audit_verify_result *r)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	uint64_t lineno = 0;
	int e = 0;
	while (r->fault == AUDIT_FAULT_NONE && (n = getline(&line, &cap, f)) > 0) {
		struct entry ent;
		uint8_t mac[AUDIT_MAC_LEN];
		lineno++;
		if (line[n - 1] != '\n')
			r->fault = AUDIT_FAULT_TRUNCATED_LINE;
		else if ((size_t)n - 1 > LINE_MAX_BYTES || parse_line(line, (size_t)n - 1, &ent))
			r->fault = AUDIT_FAULT_MALFORMED;
		else if (ent.seq <= r->last_seq)
			r->fault = AUDIT_FAULT_ORDER;
		else if (ent.seq > r->last_seq + 1)
			r->fault = seq_later(f, r->last_seq + 1) ? AUDIT_FAULT_ORDER
								 : AUDIT_FAULT_SEQ_GAP;
		else if ((e = mac_entry(m, r->last_mac, line, ent.text_len, mac)) != 0)
			break;
		else if (memcmp(mac, ent.mac, AUDIT_MAC_LEN))
			r->fault = AUDIT_FAULT_MAC;
		else if (exp && exp->have_mac && ent.seq == exp->seq &&
			 memcmp(ent.mac, exp->mac, AUDIT_MAC_LEN))
			r->fault = AUDIT_FAULT_HEAD_MISMATCH;
		if (r->fault != AUDIT_FAULT_NONE) {
			r->bad_line = lineno;
			break;
		}
		r->entries++;
		r->last_seq = ent.seq;
		memcpy(r->last_mac, ent.mac, AUDIT_MAC_LEN);
	}
	free(line);
	if (e == 0 && ferror(f))
		e = -EIO;
	if (e == 0 && r->fault == AUDIT_FAULT_NONE && exp && r->last_seq < exp->seq) {
		r->fault = AUDIT_FAULT_MISSING_TAIL;
		r->bad_line = lineno + 1;
	}
	return e;
}

int audit_verify_expect(const char *path, const char *keypath, const struct audit_expect *exp,
			struct audit_verify_result *r)
{
	char kp[PATH_MAX];
	uint8_t key[AUDIT_KEY_LEN];
	struct mac_ctx m = {0};
	if (path == NULL || r == NULL)
		return -EINVAL;
	memset(r, 0, sizeof *r);
	r->reason = audit_fault_text(AUDIT_FAULT_NONE);
	int e = key_path(path, keypath, kp, sizeof kp);
	if (e)
		return e;
	int kfd = open(kp, O_RDONLY | O_CLOEXEC);
	if (kfd < 0)
		return -errno;
	e = read_key(kfd, key);
	close(kfd);
	if (e)
		return e;
	e = mac_init(&m, key);
	OPENSSL_cleanse(key, sizeof key);
	FILE *f = NULL;
	if (e == 0 && (f = fopen(path, "re")) == NULL)
		e = -errno;
	if (e == 0)
		e = verify_stream(f, &m, exp, r);
	if (f)
		fclose(f);
	mac_free(&m);
	if (e)
		return e;
	r->reason = audit_fault_text(r->fault);
	return r->fault == AUDIT_FAULT_NONE ? 0 : -EBADMSG;
}

int audit_verify(const char *path, const char *keypath, struct audit_verify_result *r)
{
	return audit_verify_expect(path, keypath, NULL, r);
}
