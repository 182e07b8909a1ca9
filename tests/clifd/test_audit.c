/* clifd's audit log: 1000 entries over a reopen verify; copies altered one way each (a byte of
 * a field, a middle line removed, two lines swapped, the last line removed, a line cut short, a
 * forged line, another key) are each caught at the exact line with the exact reason; escaped
 * values round-trip; modes are 0600; `clifctl audit verify` gives the same verdicts.
 * Group commit: entries appended without a sync and then synced verify; a process killed
 * (SIGKILL) before its sync leaves a log that verifies and continues; an unfinished last line
 * (no newline) is cut by audit_open() and the chain continues from the entry before it, unless
 * it is longer than any entry.
 * argv[1]: the folder holding clifctl (default build/bin). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "audit.h"

#define CHECK_PROG "clifd-audit"
#include "check.h"

#define N_ENTRIES 1000

static const char *bin = "build/bin";
static char log_path[128], key_path[128];

/* ---- file helpers ---- */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	*len = 0;
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
		buf[n] = 0;
		*len = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static void spit(const char *path, const char *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK_EQ(write(fd, buf, len), (long long)len);
	close(fd);
}

/* Offsets of the starts of the lines (1-based: starts[1] is line 1), and the total. */
static size_t line_starts(const char *buf, size_t len, size_t *starts, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		if ((i == 0 || buf[i - 1] == '\n') && n + 1 < max)
			starts[++n] = i;
	starts[n + 1] = len;
	return n;
}

static unsigned mode_of(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 ? (unsigned)(st.st_mode & 07777) : 0xffffu;
}

/* ---- the good log ---- */

/* Values with a newline, a TAB, '%' and a forged-looking tail: escaping must keep them inside
 * their field. */
static const char *nasty_object = "x\n1001\t2030-01-01T00:00:00.000Z\tadmf\tok\t%41\r\x7f";
static const char *nasty_actor = "CN=admf,O=Op\tunit=\"LI\"  \xc3\xa9";

static void object_of(unsigned i, char *buf, size_t cap)
{
	if (i % 100 == 50)
		snprintf(buf, cap, "%s", nasty_object);
	else
		snprintf(buf, cap, "8a1f%04x-1111-4222-8333-444455556666", i);
}

static void append_range(struct audit_log *a, unsigned from, unsigned to)
{
	char obj[128];
	int ok = 0;
	for (unsigned i = from; i <= to; i++) {
		object_of(i, obj, sizeof obj);
		ok += audit_append(a, i % 100 == 50 ? nasty_actor : "CN=admf.example", "ActivateTask",
				   obj, i % 7 ? "ok" : "error 2010") == 0;
	}
	CHECK_EQ(ok, to - from + 1);
}

static void test_build(void)
{
	struct audit_log *a = NULL;
	uint8_t mac[AUDIT_MAC_LEN], zero[AUDIT_MAC_LEN] = {0};
	mode_t old = umask(0); /* the modes below must not come from the umask */
	CHECK_EQ(audit_open(log_path, NULL, &a), 0);
	umask(old);
	if (a == NULL)
		exit(1);
	CHECK_EQ(mode_of(log_path), 0600);
	CHECK_EQ(mode_of(key_path), 0600);
	struct stat st;
	CHECK(stat(key_path, &st) == 0 && st.st_size == AUDIT_KEY_LEN);
	CHECK_EQ(audit_head(a, mac), 0);
	CHECK(memcmp(mac, zero, sizeof mac) == 0);

	/* a second appender is refused */
	struct audit_log *b = NULL;
	CHECK_EQ(audit_open(log_path, NULL, &b), -EBUSY);

	append_range(a, 1, 500);
	CHECK_EQ(audit_head(a, NULL), 500);
	audit_close(a);

	a = NULL;
	CHECK_EQ(audit_open(log_path, NULL, &a), 0);
	if (a == NULL)
		exit(1);
	CHECK_EQ(audit_head(a, NULL), 500);
	append_range(a, 501, N_ENTRIES);
	CHECK_EQ(audit_head(a, mac), N_ENTRIES);

	/* refused values leave no entry */
	CHECK_EQ(audit_append(a, "", "Ping", NULL, "ok"), -EINVAL);
	CHECK_EQ(audit_append(a, NULL, "Ping", NULL, "ok"), -EINVAL);
	CHECK_EQ(audit_append(a, "local:root", "", NULL, "ok"), -EINVAL);
	static char big[AUDIT_FIELD_MAX + 2];
	memset(big, 'b', sizeof big - 1);
	CHECK_EQ(audit_append(a, "local:root", "Ping", big, "ok"), -EINVAL);
	CHECK_EQ(audit_head(a, NULL), N_ENTRIES);
	audit_close(a);

	struct audit_verify_result r;
	CHECK_EQ(audit_verify(log_path, NULL, &r), 0);
	CHECK_EQ(r.entries, N_ENTRIES);
	CHECK_EQ(r.last_seq, N_ENTRIES);
	CHECK(memcmp(r.last_mac, mac, sizeof mac) == 0);
	CHECK_EQ(r.fault, AUDIT_FAULT_NONE);
	CHECK_EQ(r.bad_line, 0);
	CHECK(strcmp(r.reason, "chain intact") == 0);
	/* with the head the store would hold */
	struct audit_expect exp = {.seq = N_ENTRIES, .have_mac = 1};
	memcpy(exp.mac, mac, sizeof mac);
	CHECK_EQ(audit_verify_expect(log_path, key_path, &exp, &r), 0);
	CHECK_EQ(mode_of(log_path), 0600);
}

/* Escaped values come back byte for byte and never add a line. */
static void test_escaping(void)
{
	size_t len, starts[N_ENTRIES + 8];
	char *buf = slurp(log_path, &len);
	CHECK(buf != NULL);
	if (buf == NULL)
		return;
	CHECK_EQ(line_starts(buf, len, starts, N_ENTRIES + 8), N_ENTRIES);
	/* line 150: fields 3 (actor) and 5 (object) hold the nasty values */
	const char *line = buf + starts[150];
	const char *f[7];
	size_t fl[7];
	unsigned n = 0;
	const char *p = line;
	while (n < 7) {
		const char *end = p + strcspn(p, "\t\n");
		f[n] = p;
		fl[n++] = (size_t)(end - p);
		if (*end != '\t')
			break;
		p = end + 1;
	}
	CHECK_EQ(n, 7);
	CHECK(strncmp(f[0], "150\t", 4) == 0);
	char out[256];
	CHECK_EQ(audit_unescape(f[2], fl[2], out, sizeof out), (long long)strlen(nasty_actor));
	CHECK(strcmp(out, nasty_actor) == 0);
	CHECK_EQ(audit_unescape(f[4], fl[4], out, sizeof out), (long long)strlen(nasty_object));
	CHECK(strcmp(out, nasty_object) == 0);
	CHECK(strncmp(f[4], "x%0A1001%092030", 15) == 0);
	CHECK(strncmp(f[3], "ActivateTask", fl[3]) == 0);
	CHECK(strncmp(f[5], "ok", fl[5]) == 0);
	/* an ordinary entry as the format says */
	line = buf + starts[7];
	CHECK(strncmp(line, "7\t", 2) == 0);
	CHECK(strstr(line, "\tCN=admf.example\tActivateTask\t8a1f0007-1111-4222-8333-444455556666"
			   "\terror 2010\t") != NULL);
	CHECK_EQ(starts[8] - starts[7], 2 + 24 + 1 + 15 + 1 + 12 + 1 + 36 + 1 + 10 + 1 + 64 + 1);
	/* the unescaper refuses what the writer never produces */
	CHECK_EQ(audit_unescape("a%4", 3, out, sizeof out), -EBADMSG);
	CHECK_EQ(audit_unescape("a%4g", 4, out, sizeof out), -EBADMSG);
	CHECK_EQ(audit_unescape("a%0a", 4, out, sizeof out), -EBADMSG);
	CHECK_EQ(audit_unescape("a\tb", 3, out, sizeof out), -EBADMSG);
	CHECK_EQ(audit_unescape("abc", 3, out, 3), -ENOSPC);
	free(buf);
}

/* ---- tampered copies ---- */

struct tamper {
	const char *name;
	enum audit_fault fault;
	uint64_t line;
	uint64_t expect_seq;   /* 0: no expectation */
	int open_refused;      /* audit_open() on the copy gives -EBADMSG (tail checks) */
};

static char *good;
static size_t good_len;
static size_t starts[N_ENTRIES + 8];

/* Writes the copy named t->name; returns its path. */
static const char *make_copy(const char *name)
{
	const char *out = check_path(name);
	char *buf = malloc(good_len + 256);
	size_t len = good_len;
	memcpy(buf, good, good_len);
	if (!strcmp(name, "byte")) {
		/* one byte of line 500's object field */
		char *obj = strstr(buf + starts[500], "\t8a1f");
		obj[5] ^= 1;
	} else if (!strcmp(name, "result")) {
		/* "ok" -> "OK" in line 2's result field */
		char *res = strstr(buf + starts[2], "\tok\t");
		res[1] = 'O';
	} else if (!strcmp(name, "delete-middle")) {
		memmove(buf + starts[500], buf + starts[501], good_len - starts[501]);
		len -= starts[501] - starts[500];
	} else if (!strcmp(name, "swap")) {
		size_t a = starts[301] - starts[300], b = starts[302] - starts[301];
		char *tmp = malloc(a + b);
		memcpy(tmp, good + starts[301], b);
		memcpy(tmp + b, good + starts[300], a);
		memcpy(buf + starts[300], tmp, a + b);
		free(tmp);
	} else if (!strcmp(name, "delete-last") || !strcmp(name, "delete-last-noexp")) {
		len = starts[N_ENTRIES];
	} else if (!strcmp(name, "cut")) {
		len -= 10;
	} else if (!strcmp(name, "forged")) {
		len += (size_t)sprintf(buf + len, "%u\t2030-01-01T00:00:00.000Z\tCN=admf.example\t"
					  "DeactivateAllTasks\t\tok\t%064d\n", N_ENTRIES + 1, 7);
	} else if (!strcmp(name, "garbage")) {
		memmove(buf + starts[10] + 8, buf + starts[11], good_len - starts[11]);
		memcpy(buf + starts[10], "garbage\n", 8);
		len -= starts[11] - starts[10] - 8;
	} else if (!strcmp(name, "renumbered")) {
		/* line 500 removed and the rest renumbered: the MACs give it away */
		memmove(buf + starts[500], buf + starts[501], good_len - starts[501]);
		len -= starts[501] - starts[500];
		char *p = buf + starts[500];
		memcpy(p, "500", 3); /* "501" -> "500": same length */
	}
	spit(out, buf, len);
	free(buf);
	return out;
}

static const struct tamper tampers[] = {
	{"byte", AUDIT_FAULT_MAC, 500, 0, 0},
	{"result", AUDIT_FAULT_MAC, 2, 0, 0},
	{"delete-middle", AUDIT_FAULT_SEQ_GAP, 500, 0, 0},
	{"renumbered", AUDIT_FAULT_MAC, 500, 0, 0},
	{"swap", AUDIT_FAULT_ORDER, 300, 0, 0},
	{"delete-last", AUDIT_FAULT_MISSING_TAIL, N_ENTRIES, N_ENTRIES, 0},
	{"cut", AUDIT_FAULT_TRUNCATED_LINE, N_ENTRIES, 0, 0}, /* audit_open() cuts it: test_cut() */
	{"forged", AUDIT_FAULT_MAC, N_ENTRIES + 1, 0, 1},
	{"garbage", AUDIT_FAULT_MALFORMED, 10, 0, 0},
};

static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int file_has(const char *path, const char *text)
{
	size_t len;
	char *buf = slurp(path, &len);
	int ok = buf && strstr(buf, text) != NULL;
	free(buf);
	return ok;
}

static void test_cut(void);
static void test_cut_too_long(void);

static void test_tampered(void)
{
	good = slurp(log_path, &good_len);
	CHECK(good != NULL);
	if (good == NULL)
		return;
	CHECK_EQ(line_starts(good, good_len, starts, N_ENTRIES + 8), N_ENTRIES);
	for (size_t i = 0; i < sizeof tampers / sizeof tampers[0]; i++) {
		const struct tamper *t = &tampers[i];
		const char *copy = make_copy(t->name);
		struct audit_verify_result r;
		struct audit_expect exp = {.seq = t->expect_seq};
		int e = audit_verify_expect(copy, key_path, t->expect_seq ? &exp : NULL, &r);
		if (e != -EBADMSG || r.fault != t->fault || r.bad_line != t->line)
			fprintf(stderr, "clifd-audit: %s: got %d, fault %d at line %llu\n", t->name,
				e, (int)r.fault, (unsigned long long)r.bad_line);
		CHECK_EQ(e, -EBADMSG);
		CHECK_EQ(r.fault, t->fault);
		CHECK_EQ(r.bad_line, t->line);
		CHECK(strcmp(r.reason, audit_fault_text(t->fault)) == 0);
		CHECK_EQ(r.entries, t->line - 1);
		/* the daemon refuses to continue a chain whose tail is broken */
		if (t->open_refused) {
			struct audit_log *a = NULL;
			char kp[160];
			snprintf(kp, sizeof kp, "%s", key_path);
			CHECK_EQ(audit_open(copy, kp, &a), -EBADMSG);
			CHECK(a == NULL);
		}
	}

	/* the last line removed is only visible against the recorded head */
	const char *copy = make_copy("delete-last-noexp");
	struct audit_verify_result r;
	CHECK_EQ(audit_verify(copy, key_path, &r), 0);
	CHECK_EQ(r.entries, N_ENTRIES - 1);
	CHECK_EQ(r.last_seq, N_ENTRIES - 1);
	/* a recorded head MAC that the entry at that SEQ does not carry */
	struct audit_expect exp = {.seq = 20, .have_mac = 1};
	memset(exp.mac, 0x5a, sizeof exp.mac);
	CHECK_EQ(audit_verify_expect(log_path, key_path, &exp, &r), -EBADMSG);
	CHECK_EQ(r.fault, AUDIT_FAULT_HEAD_MISMATCH);
	CHECK_EQ(r.bad_line, 20);

	/* another key: the first line fails */
	char other_key[160];
	snprintf(other_key, sizeof other_key, "%s", check_path("other.key"));
	spit(other_key, "0123456789abcdef0123456789abcdef", AUDIT_KEY_LEN);
	CHECK_EQ(audit_verify(log_path, other_key, &r), -EBADMSG);
	CHECK_EQ(r.fault, AUDIT_FAULT_MAC);
	CHECK_EQ(r.bad_line, 1);
	CHECK_EQ(r.entries, 0);
	struct audit_log *a = NULL;
	CHECK_EQ(audit_open(log_path, other_key, &a), -EBADMSG);
	/* a key file of the wrong size */
	const char *short_key = check_path("short.key");
	spit(short_key, "0123456789abcdef0123456789abcde", AUDIT_KEY_LEN - 1);
	CHECK_EQ(audit_verify(log_path, short_key, &r), -EKEYREJECTED);
	CHECK_EQ(audit_open(log_path, short_key, &a), -EKEYREJECTED);
	CHECK_EQ(audit_verify(check_path("absent.log"), key_path, &r), -ENOENT);

	/* clifctl: the same verdicts as exit codes */
	char outp[160];
	snprintf(outp, sizeof outp, "%s", check_path("clifctl.out"));
	CHECK_EQ(sh("%s/clifctl audit verify --key %s %s >%s 2>&1", bin, key_path, log_path, outp), 0);
	CHECK(file_has(outp, "audit: 1000 entries, chain intact\n"));
	CHECK_EQ(sh("%s/clifctl audit verify %s >%s 2>&1", bin, log_path, outp), 0); /* LOG.key */
	CHECK_EQ(sh("%s/clifctl audit verify --key %s --expect-seq 1000 %s >%s 2>&1", bin, key_path,
		    log_path, outp), 0);
	CHECK_EQ(sh("%s/clifctl audit verify --key %s %s >%s 2>&1", bin, key_path,
		    check_path("swap"), outp), 1);
	CHECK(file_has(outp, "audit: line 300: sequence out of order"));
	CHECK_EQ(sh("%s/clifctl audit verify --key %s %s >%s 2>&1", bin, key_path,
		    check_path("byte"), outp), 1);
	CHECK(file_has(outp, "audit: line 500: MAC mismatch"));
	CHECK_EQ(sh("%s/clifctl audit verify --key %s %s >%s 2>&1", bin, key_path,
		    check_path("delete-last-noexp"), outp), 0);
	CHECK_EQ(sh("%s/clifctl audit verify --key %s --expect-seq 1000 %s >%s 2>&1", bin, key_path,
		    check_path("delete-last-noexp"), outp), 1);
	CHECK(file_has(outp, "audit: line 1000: log ends before the expected sequence"));
	CHECK_EQ(sh("%s/clifctl audit verify --key %s %s >%s 2>&1", bin, other_key, log_path, outp), 1);
	CHECK(file_has(outp, "audit: line 1: MAC mismatch"));
	CHECK_EQ(sh("%s/clifctl audit verify --expect-seq x %s >/dev/null 2>&1", bin, log_path), 1);
	test_cut();
	test_cut_too_long();
	free(good);
}

/* ---- group commit: entries synced together, crashes before the sync ---- */

static off_t size_of(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 ? st.st_size : -1;
}

static void append_bytes(const char *path, const char *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_APPEND);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK_EQ(write(fd, buf, len), (long long)len);
	close(fd);
}

/* Opens path, appends one synced entry, closes, and returns the entry count that verifies
 * (-1: the open or the append failed). */
static long long continue_and_verify(const char *path)
{
	struct audit_log *a = NULL;
	struct audit_verify_result r;
	if (audit_open(path, NULL, &a) != 0)
		return -1;
	int e = audit_append(a, "local:root", "Ping", "", "ok");
	audit_close(a);
	if (e != 0 || audit_verify(path, NULL, &r) != 0)
		return -1;
	return (long long)r.entries;
}

static void test_batch(void)
{
	const char *path = check_path("batch.log");
	struct audit_log *a = NULL;
	struct audit_verify_result r;
	uint8_t mac[AUDIT_MAC_LEN];
	CHECK_EQ(audit_sync(NULL), -EINVAL);
	CHECK_EQ(audit_open(path, NULL, &a), 0);
	if (a == NULL)
		return;
	CHECK_EQ(audit_sync(a), 0); /* nothing written: nothing to sync */
	int ok = 0;
	for (unsigned i = 0; i < 64; i++)
		ok += audit_append_nosync(a, "CN=admf.example", "ActivateTask", nasty_object, "ok") == 0;
	CHECK_EQ(ok, 64);
	CHECK_EQ(audit_head(a, NULL), 64);
	CHECK_EQ(audit_sync(a), 0);
	CHECK_EQ(audit_sync(a), 0);
	/* refused values leave no entry, as with audit_append() */
	CHECK_EQ(audit_append_nosync(a, "", "Ping", NULL, "ok"), -EINVAL);
	CHECK_EQ(audit_append_nosync(a, "local:root", NULL, NULL, "ok"), -EINVAL);
	CHECK_EQ(audit_append_nosync(NULL, "local:root", "Ping", NULL, "ok"), -EINVAL);
	/* synced and unsynced entries mixed, the last ones synced by a synced append */
	CHECK_EQ(audit_append(a, "local:root", "Ping", NULL, "ok"), 0);
	CHECK_EQ(audit_append_nosync(a, "local:root", "Ping", NULL, "ok"), 0);
	CHECK_EQ(audit_append(a, "local:root", "Ping", NULL, "ok"), 0);
	CHECK_EQ(audit_sync(a), 0);
	CHECK_EQ(audit_head(a, mac), 67);
	CHECK_EQ(audit_open_cut(a), 0);
	audit_close(a);
	CHECK_EQ(audit_verify(path, NULL, &r), 0);
	CHECK_EQ(r.entries, 67);
	CHECK(memcmp(r.last_mac, mac, sizeof mac) == 0);
	CHECK_EQ(continue_and_verify(path), 68);
}

/* A child appends `synced` entries one by one, then `unsynced` without a sync, and is killed
 * before it syncs them. Returns 0 when it died of the SIGKILL. */
static int crash_child(const char *path, unsigned synced, unsigned unsynced)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct audit_log *a = NULL;
		if (audit_open(path, NULL, &a) != 0)
			_exit(2);
		for (unsigned i = 0; i < synced; i++)
			if (audit_append(a, "CN=admf.example", "ActivateTask", "", "ok") != 0)
				_exit(3);
		for (unsigned i = 0; i < unsynced; i++)
			if (audit_append_nosync(a, "CN=admf.example", "ActivateTask", "", "ok") != 0)
				_exit(4);
		kill(getpid(), SIGKILL);
		_exit(5);
	}
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL ? 0 : -1;
}

static void test_crash(void)
{
	const char *path = check_path("crash.log");
	struct audit_verify_result r;
	CHECK_EQ(crash_child(path, 5, 3), 0);
	/* A process crash loses no written line (the kernel holds them); a power cut could lose
	 * the 3 unsynced ones, never the 5 synced. Either way the log verifies. */
	CHECK_EQ(audit_verify(path, NULL, &r), 0);
	CHECK_EQ(r.entries, 8);
	CHECK_EQ(r.last_seq, 8);
	CHECK_EQ(continue_and_verify(path), 9);

	/* What a kill inside write() or a power cut before the sync can leave: the start of the
	 * next entry without its newline. The verifier reports it; audit_open() cuts it. */
	CHECK_EQ(crash_child(path, 1, 2), 0);
	off_t whole = size_of(path);
	static const char part[] = "13\t2030-01-01T00:00:00.000Z\tCN=admf.exa";
	append_bytes(path, part, sizeof part - 1);
	CHECK_EQ(audit_verify(path, NULL, &r), -EBADMSG);
	CHECK_EQ(r.fault, AUDIT_FAULT_TRUNCATED_LINE);
	CHECK_EQ(r.bad_line, 13);
	CHECK_EQ(r.entries, 12);
	struct audit_log *a = NULL;
	CHECK_EQ(audit_open(path, NULL, &a), 0);
	if (a) {
		CHECK_EQ(audit_open_cut(a), sizeof part - 1);
		CHECK_EQ(audit_head(a, NULL), 12);
		CHECK_EQ(size_of(path), whole);
		CHECK_EQ(audit_append_nosync(a, "local:root", "Ping", "", "ok"), 0);
		CHECK_EQ(audit_sync(a), 0);
		audit_close(a);
	}
	CHECK_EQ(audit_verify(path, NULL, &r), 0);
	CHECK_EQ(r.entries, 13);
}

/* The tamper copy "cut" (its last 10 bytes gone): audit_open() takes the rest of the line for
 * an unfinished entry, cuts it and continues from line 999. That the line was durable only
 * the recorded head can tell (the daemon checks it before opening). */
static void test_cut(void)
{
	const char *copy = check_path("cut");
	struct audit_log *a = NULL;
	struct audit_verify_result r;
	size_t last_len = starts[N_ENTRIES + 1] - starts[N_ENTRIES];
	CHECK_EQ(audit_open(copy, key_path, &a), 0);
	if (a) {
		CHECK_EQ(audit_open_cut(a), last_len - 10);
		CHECK_EQ(audit_head(a, NULL), N_ENTRIES - 1);
		audit_close(a);
	}
	CHECK_EQ(size_of(copy), (off_t)starts[N_ENTRIES]);
	CHECK_EQ(audit_verify(copy, key_path, &r), 0);
	CHECK_EQ(r.entries, N_ENTRIES - 1);
	struct audit_expect exp = {.seq = N_ENTRIES};
	CHECK_EQ(audit_verify_expect(copy, key_path, &exp, &r), -EBADMSG);
	CHECK_EQ(r.fault, AUDIT_FAULT_MISSING_TAIL);

	/* nothing but an unfinished first entry: cut to an empty log, the chain starts anew */
	const char *frag = check_path("frag.log");
	spit(frag, "1\t2030-01-01T00:00", 18);
	a = NULL;
	CHECK_EQ(audit_open(frag, key_path, &a), 0);
	if (a) {
		CHECK_EQ(audit_open_cut(a), 18);
		CHECK_EQ(audit_head(a, NULL), 0);
		CHECK_EQ(audit_append(a, "local:root", "Ping", "", "ok"), 0);
		audit_close(a);
	}
	CHECK_EQ(audit_verify(frag, key_path, &r), 0);
	CHECK_EQ(r.entries, 1);
}

/* More bytes without a newline than any entry holds: not an entry cut short; refused, kept. */
static void test_cut_too_long(void)
{
	const char *copy = check_path("long-tail");
	size_t extra = 200000;
	char *buf = malloc(good_len + extra);
	CHECK(buf != NULL);
	if (buf == NULL)
		return;
	memcpy(buf, good, good_len);
	memset(buf + good_len, 'x', extra);
	spit(copy, buf, good_len + extra);
	free(buf);
	struct audit_log *a = NULL;
	CHECK_EQ(audit_open(copy, key_path, &a), -EBADMSG);
	CHECK(a == NULL);
	CHECK_EQ(size_of(copy), (off_t)(good_len + extra));
}

/* ---- opening refusals ---- */

static void test_open_refusals(void)
{
	struct audit_log *a = NULL;
	/* a log with entries but no key file: a new key would break the chain */
	const char *lonely = check_path("lonely.log");
	spit(lonely, "x\n", 2);
	CHECK_EQ(audit_open(lonely, check_path("lonely.key"), &a), -ENOKEY);
	CHECK_EQ(access(check_path("lonely.key"), F_OK), -1);

	/* a readable log or key is refused */
	CHECK_EQ(chmod(log_path, 0644), 0);
	CHECK_EQ(audit_open(log_path, NULL, &a), -EPERM);
	CHECK_EQ(chmod(log_path, 0600), 0);
	CHECK_EQ(chmod(key_path, 0640), 0);
	CHECK_EQ(audit_open(log_path, NULL, &a), -EPERM);
	CHECK_EQ(chmod(key_path, 0600), 0);

	/* an empty log: the chain starts from zero again under the existing key */
	const char *fresh = check_path("fresh.log");
	spit(fresh, "", 0);
	CHECK_EQ(audit_open(fresh, key_path, &a), 0);
	if (a) {
		CHECK_EQ(audit_append(a, "local:root", "DeactivateAllTasks", NULL, "ok"), 0);
		audit_close(a);
	}
	struct audit_verify_result r;
	CHECK_EQ(audit_verify(fresh, key_path, &r), 0);
	CHECK_EQ(r.entries, 1);

	/* the good log still continues after all the above */
	a = NULL;
	CHECK_EQ(audit_open(log_path, NULL, &a), 0);
	if (a) {
		CHECK_EQ(audit_head(a, NULL), N_ENTRIES);
		CHECK_EQ(audit_append(a, "local:root", "Ping", "", "ok"), 0);
		audit_close(a);
	}
	CHECK_EQ(audit_verify(log_path, NULL, &r), 0);
	CHECK_EQ(r.entries, N_ENTRIES + 1);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		bin = argv[1];
	check_tmpdir("/tmp/clifd-audit-XXXXXX");
	snprintf(log_path, sizeof log_path, "%s", check_path("audit.log"));
	snprintf(key_path, sizeof key_path, "%s", check_path("audit.log.key"));
	test_build();
	test_escaping();
	test_tampered();
	test_batch();
	test_crash();
	test_open_refusals();
	return check_done();
}
