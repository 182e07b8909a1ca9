/*
 * bench-x1 (issue 6): how fast a warrant becomes a live card rule through clifd.
 *
 *   clif-bench-x1 BIN_DIR
 *
 * Runs the real clifd (BIN_DIR/clifd, production settings: log level info, its state on the
 * disk of /tmp, SQLite synchronous=FULL, audit log fsynced) against the real clif-cardsim,
 * through tests/clifd/harness.h, and talks X1 to it the way an ADMF does: ONE TLS 1.3
 * connection with the ADMF's client certificate, HTTP/1.1 kept alive, one request at a time
 * (X1 forbids pipelining). On that connection:
 *   ping      N_PING Ping round trips: the comparator (TLS, HTTP, XML, audit, no warrant)
 *   activate  N_SINGLE ActivateTask requests of one message each, every task one distinct
 *             IPv4 /32: clifd answers only once the rule is on the card and the task is
 *             durable, so a round trip is "ActivateTask sent -> rule live on the card"
 *   10k       N_BULK more tasks as fast as X1 allows: X1_MAX_MESSAGES ActivateTask messages
 *             per X1Request (the most clifd accepts), requests back to back
 *   deactivate  one DeactivateAllTasks
 * After each phase the card is asked (libclif: clif_table_stats, clif_rule_counters through a
 * control handle) how many rules it holds: exactly the expected count, or the run fails
 * (exit 1). Every answer must be oK for every message.
 *
 * Prints
 *   bench: x1_ping_ms_p50 <ms> ms
 *   bench: x1_activate_ms_p50 <ms> ms
 *   bench: x1_activate_ms_p99 <ms> ms
 *   bench: x1_activate_vs_ping <activate p50 / ping p50> x
 *   bench: x1_activate_10k_tasks_s <s> s
 * and info: lines (distributions, batch size, the state disk's fdatasync time, device flushes
 * and audit entries per phase). Goals (issue 6): p99 <= 5 ms, 10k tasks <= 2 s.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../clifd/harness.h"
#include "libclif.h"
#include "x1.h"

#define PROG "bench-x1"
#define N_WARM 50
#define N_PING 1000
#define N_SINGLE 1000
#define N_BULK 10000
#define BATCH X1_MAX_MESSAGES
#define DEST "d0000000-0000-4000-8000-00000000b001"
#define OK_TAG "<x1:oK>AcknowledgedAndCompleted</x1:oK>"

static struct hx_conn *conn;

/* ---- figures ---- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted v[n], in ms. */
static double pct_ms(const uint64_t *v, size_t n, unsigned p)
{
	size_t rank = (n * p + 99) / 100;
	return (double)v[rank ? rank - 1 : 0] / 1e6;
}

/* v sorted. */
static void info_dist(const char *what, const uint64_t *v, size_t n)
{
	printf("info: %s over %zu round trips: min %.3f, p50 %.3f, p90 %.3f, p99 %.3f, max %.3f ms\n", what, n,
	       (double)v[0] / 1e6, pct_ms(v, n, 50), pct_ms(v, n, 90), pct_ms(v, n, 99), (double)v[n - 1] / 1e6);
}

/* Flush requests the state directory's block device has completed (the 16th field of its
 * sysfs stat: every fdatasync of a written file costs one). Whole-device figure, -1 when the
 * device has none (tmpfs) or an older kernel does not count them. */
static long long dev_flushes(void)
{
	struct stat st;
	char path[96], *text;
	long long f[17];

	if (stat(hx.state, &st) != 0)
		return -1;
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/stat", major(st.st_dev), minor(st.st_dev));
	text = hx_read_file(path, NULL);
	if (!text)
		return -1;
	int n = sscanf(text, "%lld %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld",
		       &f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6], &f[7], &f[8], &f[9], &f[10], &f[11], &f[12],
		       &f[13], &f[14], &f[15], &f[16]);
	free(text);
	return n >= 16 ? f[15] : -1;
}

/* Entries in clifd's audit log (one line each). */
static long audit_entries(void)
{
	char path[160], *text;
	long n = 0;

	snprintf(path, sizeof(path), "%s/audit.log", hx.state);
	text = hx_read_file(path, NULL);
	if (!text)
		return -1;
	for (char *p = text; (p = strchr(p, '\n')); p++)
		n++;
	free(text);
	return n;
}

struct counts {
	long long flushes;
	long audit;
};

static struct counts counts_now(void)
{
	struct counts c = { dev_flushes(), audit_entries() };
	return c;
}

static void info_counts(const char *phase, struct counts a, unsigned requests, unsigned messages)
{
	struct counts b = counts_now();

	printf("info: %s: %u requests, %u messages, %ld audit entries", phase, requests, messages, b.audit - a.audit);
	if (a.flushes >= 0 && b.flushes >= 0)
		printf(", %lld device flushes (%.2f per request; whole device)", b.flushes - a.flushes,
		       (double)(b.flushes - a.flushes) / requests);
	printf("\n");
}

/* What one fdatasync of a small append costs on the state directory's file system: the floor
 * under every durable answer. */
static void info_fdatasync(void)
{
	char path[160];
	uint64_t t[50];
	int fd;

	snprintf(path, sizeof(path), "%s/../fsync-probe", hx.state);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (fd < 0)
		die("cannot create %s", path);
	for (int i = 0; i < 50; i++) {
		uint64_t t0 = now_ns();
		if (write(fd, "0123456789abcdef0123456789abcdef\n", 33) != 33 || fdatasync(fd) != 0)
			die("fdatasync probe failed");
		t[i] = now_ns() - t0;
	}
	close(fd);
	unlink(path);
	qsort(t, 50, sizeof(t[0]), cmp_u64);
	printf("info: write + fdatasync of 33 bytes on the state directory's file system: p50 %.3f ms\n",
	       pct_ms(t, 50, 50));
}

/* ---- requests ---- */

/* One round trip on the connection; dies unless HTTP 200 with want_ok oK answers and the
 * connection kept. Returns its time in ns. */
static uint64_t round_trip(const char *doc, size_t len, unsigned want_ok, const char *what)
{
	const char *resp;
	size_t rlen;
	int closing;
	uint64_t t0 = now_ns();
	int st = hx_conn_post(conn, doc, len, &resp, &rlen, &closing);
	uint64_t t = now_ns() - t0;
	unsigned oks = 0;

	if (st != 200)
		die("%s: HTTP %d (connection lost?)", what, st);
	for (const char *p = resp; (p = strstr(p, OK_TAG)); p += sizeof(OK_TAG) - 1)
		oks++;
	if (oks != want_ok) {
		const char *e = strstr(resp, "<x1:errorCode>");
		die("%s: %u of %u messages oK (first error code %.8s)", what, oks, want_ok, e ? e + 14 : "none");
	}
	if (closing)
		die("%s: the server closed the kept-alive connection", what);
	return t;
}

static char *task_msg(unsigned n)
{
	char xid[40], target[128], *p, *m;

	/* Tasks 0..10999: XID and address both from n, every address a distinct /32. */
	snprintf(xid, sizeof(xid), "b0000000-0000-4000-8000-%012x", n);
	snprintf(target, sizeof(target), "<x1:targetIdentifier><x1:ipv4Address>10.%u.%u.%u</x1:ipv4Address>"
		 "</x1:targetIdentifier>", 64u + n / 65536u, n / 256u % 256u, n % 256u);
	p = hx_task_xml(xid, target, "X2andX3", HX_DID(DEST));
	m = hx_msg("ActivateTask", p);
	free(p);
	return m;
}

/* The card must hold exactly want rules: host rules by handle, and the exact table's use. */
static void card_holds(unsigned want, const char *when)
{
	struct clif_table_stats ts;
	unsigned rules = hx_card_rules();

	check_rc(clif_table_stats(hx.ctl, &ts), "clif_table_stats");
	if (rules != want || ts.exact_used != want)
		die("%s: the card holds %u rules (exact table %u), want %u", when, rules, ts.exact_used, want);
	printf("info: %s: the card holds %u rules (exact table %u of %u)\n", when, rules, ts.exact_used,
	       ts.exact_capacity);
}

int main(int argc, char **argv)
{
	static uint64_t t_ping[N_PING], t_act[N_SINGLE];
	struct hx_config cfg = { 3600, 1u << 20, 0, 100, 3000, "info", NULL };
	char *ping, *doc, **bulk;
	unsigned n_bulk_req = (N_BULK + BATCH - 1) / BATCH;
	struct counts c0;
	uint64_t t0, t_bulk, t_deact;

	if (argc != 2) {
		fprintf(stderr, "usage: %s BIN_DIR\n", argv[0]);
		return 2;
	}
	hx_init(PROG, argv[1]);
	hx_make_pki();
	/* One generated frame: the card needs a source; nothing competes with the mailbox after it. */
	const char *card_args[] = { "--generate", "1", NULL };
	hx_card_start(card_args);
	hx_write_config(&cfg);
	hx_start_clifd();
	conn = hx_conn_open("admf");
	if (!conn)
		die("no TLS connection to clifd");
	info_fdatasync();

	doc = hx_doc("CreateDestination", hx_dest_xml(DEST, "X2andX3", "192.0.2.10", 5001));
	round_trip(doc, strlen(doc), 1, "CreateDestination");
	free(doc);

	/* Ping: the same connection, the same TLS, HTTP and XML work, no warrant. */
	ping = hx_doc("Ping", NULL);
	for (int i = 0; i < N_WARM; i++)
		round_trip(ping, strlen(ping), 1, "Ping (warm-up)");
	c0 = counts_now();
	for (int i = 0; i < N_PING; i++)
		t_ping[i] = round_trip(ping, strlen(ping), 1, "Ping");
	info_counts("ping", c0, N_PING, N_PING);
	free(ping);

	/* ActivateTask, one message per request: sent -> rule on the card, durably stored. */
	c0 = counts_now();
	for (unsigned i = 0; i < N_SINGLE; i++) {
		doc = hx_doc_of(task_msg(i));
		t_act[i] = round_trip(doc, strlen(doc), 1, "ActivateTask");
		free(doc);
	}
	info_counts("activate", c0, N_SINGLE, N_SINGLE);
	card_holds(N_SINGLE, "after the single activations");

	/* 10k tasks: the documents are the ADMF's work, written before the clock starts. */
	bulk = calloc(n_bulk_req, sizeof(*bulk));
	if (!bulk)
		die("out of memory");
	for (unsigned r = 0; r < n_bulk_req; r++) {
		size_t cap = 0, len = 0;
		char *msgs = NULL;
		for (unsigned k = 0; k < BATCH && r * BATCH + k < N_BULK; k++) {
			char *m = task_msg(N_SINGLE + r * BATCH + k);
			size_t ml = strlen(m);
			if (len + ml + 1 > cap) {
				cap = (len + ml + 1) * 2;
				msgs = realloc(msgs, cap);
				if (!msgs)
					die("out of memory");
			}
			memcpy(msgs + len, m, ml + 1);
			len += ml;
			free(m);
		}
		bulk[r] = hx_doc_of(msgs);
	}
	c0 = counts_now();
	t0 = now_ns();
	for (unsigned r = 0; r < n_bulk_req; r++) {
		unsigned k = N_BULK - r * BATCH < BATCH ? N_BULK - r * BATCH : BATCH;
		round_trip(bulk[r], strlen(bulk[r]), k, "ActivateTask (batched)");
	}
	t_bulk = now_ns() - t0;
	info_counts("10k", c0, n_bulk_req, N_BULK);
	for (unsigned r = 0; r < n_bulk_req; r++)
		free(bulk[r]);
	free(bulk);
	card_holds(N_SINGLE + N_BULK, "after the 10k activations");

	doc = hx_doc("DeactivateAllTasks", NULL);
	t_deact = round_trip(doc, strlen(doc), 1, "DeactivateAllTasks");
	free(doc);
	card_holds(0, "after DeactivateAllTasks");
	hx_conn_close(conn);
	conn = NULL;

	qsort(t_ping, N_PING, sizeof(t_ping[0]), cmp_u64);
	qsort(t_act, N_SINGLE, sizeof(t_act[0]), cmp_u64);
	info_dist("Ping", t_ping, N_PING);
	info_dist("ActivateTask (1 message, 1 /32)", t_act, N_SINGLE);
	printf("info: 10k tasks in %u requests of up to %u ActivateTask messages (X1_MAX_MESSAGES), one "
	       "connection, %.3f ms per request\n",
	       n_bulk_req, BATCH, (double)t_bulk / 1e6 / n_bulk_req);
	printf("info: DeactivateAllTasks of %u tasks: %.3f s\n", N_SINGLE + N_BULK, (double)t_deact / 1e9);
	printf("bench: x1_ping_ms_p50 %.3f ms\n", pct_ms(t_ping, N_PING, 50));
	printf("bench: x1_activate_ms_p50 %.3f ms\n", pct_ms(t_act, N_SINGLE, 50));
	printf("bench: x1_activate_ms_p99 %.3f ms\n", pct_ms(t_act, N_SINGLE, 99));
	printf("bench: x1_activate_vs_ping %.2f x\n", pct_ms(t_act, N_SINGLE, 50) / pct_ms(t_ping, N_PING, 50));
	printf("bench: x1_activate_10k_tasks_s %.3f s\n", (double)t_bulk / 1e9);
	printf("info: goals (issue 6): x1_activate_ms_p99 <= 5 ms, x1_activate_10k_tasks_s <= 2 s\n");
	cardsim_cleanup();
	return 0;
}
