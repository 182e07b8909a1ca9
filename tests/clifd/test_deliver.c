/* clifd's TS 102 232-1 sender (hostdrv/clifd/deliver.c) against the real clif-lemf over mutual
 * TLS: in-order delivery, keep-alives answered, a LEMF killed and restarted (nothing lost,
 * duplicates only from the resend buffer), a LEMF with a certificate from another CA or for
 * another address (nothing sent), a LEMF that never answers keep-alives (TIME2 retry, TIME3
 * reconnect), queue overflow (counted as lost), and refused configurations. The same in
 * TS 103 221-2 (X2/X3) mode: X3 PDUs in order, X2/X3 Keepalives acknowledged, the restart,
 * and TIME_P2 without a retry. The on-disk spool: a backlog beyond the memory queue delivered
 * in order once the LEMF comes, a full spool dropping exactly its oldest PDUs, the file's
 * mode, and a new sender on a spool with a torn last record.
 * argv[1]: the folder holding clif-lemf. */
#define _GNU_SOURCE
#define CHECK_PROG "clifd-deliver"
#include "check.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "deliver.h"
#include "etsi_cc.h"
#include "x2x3.h"

static const char *bin;
static struct etsi_cc_ctx cc;
static const uint8_t LIID[] = "LIID-D";
static const uint8_t OPER[] = "CLIFOP";
static const uint8_t NEID[] = "clif-ne-1";
static const uint8_t XID[16] = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0x4d, 0xef,
				0x81, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};
#define X3_PCAP "x3-12345678-9abc-4def-8123-456789abcdef.pcap"
#define PAYLOAD 64u

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* An IPv4/UDP datagram whose payload starts with id (big endian). */
static void make_ip(uint32_t id, uint8_t ip[PAYLOAD])
{
	static const uint8_t hdr[20] = {0x45, 0, 0, PAYLOAD, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2};
	memset(ip, 0, PAYLOAD);
	memcpy(ip, hdr, sizeof hdr);
	ip[20] = 0x30;
	ip[22] = 0x30;
	ip[25] = PAYLOAD - 20;
	ip[28] = (uint8_t)(id >> 24);
	ip[29] = (uint8_t)(id >> 16);
	ip[30] = (uint8_t)(id >> 8);
	ip[31] = (uint8_t)id;
}

/* One X3 PDU (XID above, sequence number id) carrying the datagram make_ip() builds. */
static size_t make_x3(uint32_t id, uint8_t *out, size_t cap)
{
	uint8_t ip[PAYLOAD];
	make_ip(id, ip);
	struct x2x3_pdu p = {
		.pdu_type = X2X3_PDU_X3, .payload_format = X2X3_FMT_IPV4, .payload_dir = X2X3_DIR_FROM_TARGET,
		.correlation_id = 7, .has = X2X3_HAS_SEQ | X2X3_HAS_TIMESTAMP, .seq = id,
		.ts_sec = 1700000000u, .ts_nsec = id * 1000u, .payload = ip, .payload_len = PAYLOAD,
	};
	memcpy(p.xid, XID, 16);
	long n = x2x3_encode(&p, out, cap);
	return n > 0 ? (size_t)n : 0;
}

/* One CC PDU carrying the datagram make_ip() builds. */
static size_t make_pdu(uint32_t id, uint8_t *out, size_t cap)
{
	uint8_t ip[PAYLOAD];
	make_ip(id, ip);
	long n = etsi_cc_encode(&cc, id, 1700000000000000000ull + id * 1000ull, ETSI_CC_DIR_FROM_TARGET, ip,
				PAYLOAD, out, cap);
	return n > 0 ? (size_t)n : 0;
}

/* The ids of the packets in a clif-lemf CC pcap (nanosecond format), in file order; a record
 * cut short by a killed writer ends the list. Returns the count, -1 if the file is missing. */
static long pcap_ids(const char *path, uint32_t *ids, long max)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return -1;
	uint8_t gh[24], rh[16], data[PAYLOAD];
	long n = 0;
	if (fread(gh, 1, 24, f) == 24) {
		while (n < max && fread(rh, 1, 16, f) == 16) {
			uint32_t incl;
			memcpy(&incl, rh + 8, 4);
			if (incl != PAYLOAD || fread(data, 1, PAYLOAD, f) != PAYLOAD)
				break;
			ids[n++] = (uint32_t)data[28] << 24 | (uint32_t)data[29] << 16 | (uint32_t)data[30] << 8 | data[31];
		}
	}
	fclose(f);
	return n;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	static char buf[1 << 20];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static int count_str(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; p && (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* ---- clif-lemf ---- */

struct lemf {
	pid_t pid;
	int port;
	char dir[128];
};

/* Starts clif-lemf with output in check_dir/name, on port (0: any), TLS with the given server
 * certificate (a file stem in the PKI folder), requiring client certificates from ca; with
 * conns > 0 it exits by itself after that many connections have ended. */
static struct lemf lemf_start(const char *name, int port, const char *server, int conns)
{
	struct lemf l = {0, 0, ""};
	char pf[160], cmd[1024];
	snprintf(l.dir, sizeof l.dir, "%s", check_path(name));
	snprintf(pf, sizeof pf, "%s.port", l.dir);
	unlink(pf);
	const char *pki = check_path("pki");
	snprintf(cmd, sizeof cmd,
		 "exec %s/clif-lemf -q -o %s -l 127.0.0.1:%d --port-file %s --tls-cert %s/%s.crt --tls-key %s/%s.key "
		 "--tls-ca %s/ca.crt %s%.0d 2>%s.err",
		 bin, l.dir, port, pf, pki, server, pki, server, pki, conns ? "--connections " : "", conns, l.dir);
	l.pid = fork();
	if (l.pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 500 && l.port <= 0; i++) {
		FILE *f = fopen(pf, "r");
		if (f) {
			if (fscanf(f, "%d", &l.port) != 1)
				l.port = 0;
			fclose(f);
		}
		if (l.port <= 0)
			sleep_ms(10);
	}
	CHECK(l.port > 0);
	return l;
}

/* Stops it (SIGTERM: it writes its summary; SIGKILL: nothing flushed; 0: waits for it to
 * exit by itself, at most 10 s). Returns the exit status (128 + signal when killed). */
static int lemf_stop(struct lemf *l, int sig)
{
	int st = 0;
	for (int i = 0; sig == 0 && i < 1000; i++) {
		if (waitpid(l->pid, &st, WNOHANG) == l->pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		sleep_ms(10);
	}
	kill(l->pid, sig ? sig : SIGKILL);
	if (waitpid(l->pid, &st, 0) != l->pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static const char *lemf_file(const struct lemf *l, const char *name)
{
	static char p[2][200];
	static int k;
	k ^= 1;
	snprintf(p[k], sizeof p[k], "%s/%s", l->dir, name);
	return p[k];
}

/* A number from the summary on clif-lemf's stderr: the value right before label. */
static long long summary_value(const struct lemf *l, const char *label)
{
	char p[200];
	snprintf(p, sizeof p, "%s.err", l->dir);
	const char *s = slurp(p);
	const char *at = s ? strstr(s, label) : NULL;
	if (at == NULL)
		return -1;
	while (at > s && at[-1] == ' ')
		at--;
	while (at > s && at[-1] >= '0' && at[-1] <= '9')
		at--;
	return atoll(at);
}

/* ---- the sender's configuration ---- */

static struct deliver_config config(int port)
{
	static char ca[128], crt[128], key[128];
	snprintf(ca, sizeof ca, "%s/ca.crt", check_path("pki"));
	snprintf(crt, sizeof crt, "%s/client.crt", check_path("pki"));
	snprintf(key, sizeof key, "%s/client.key", check_path("pki"));
	struct deliver_config c = {
		.host = "127.0.0.1", .port = (uint16_t)port, .ca_file = ca, .cert_file = crt, .key_file = key,
		.time1_ms = 10000, .time2_ms = 2000, .time3_ms = 4000,
		.backoff_initial_ms = 50, .backoff_max_ms = 400,
		.resend_bytes = 64 * 1024, .queue_bytes = 4 * 1024 * 1024,
		.operator_id = OPER, .operator_id_len = sizeof OPER - 1, .ne_id = NEID, .ne_id_len = sizeof NEID - 1,
		.delivery_country = "XX",
	};
	return c;
}

/* X2/X3 mode: no PSHeader fields, no TIME2. */
static struct deliver_config config_x(int port)
{
	struct deliver_config c = config(port);
	c.protocol = DELIVER_X2X3;
	c.operator_id = NULL;
	c.operator_id_len = 0;
	c.ne_id = NULL;
	c.ne_id_len = 0;
	c.delivery_country = NULL;
	c.time2_ms = 0;
	return c;
}

/* Submits PDUs 0..n-1 built by make, each accepted; returns their total bytes. */
static size_t submit_all(struct deliver *d, uint32_t n, size_t (*make)(uint32_t, uint8_t *, size_t))
{
	uint8_t pdu[512];
	size_t bytes = 0;
	for (uint32_t i = 0; i < n; i++) {
		size_t len = make(i, pdu, sizeof pdu);
		bytes += len;
		CHECK_EQ(deliver_submit(d, pdu, len), 0);
	}
	return bytes;
}

/* The pcap at path holds exactly the PDUs 0..n-1 (make_pdu's ids), in that order. */
static void expect_ids_in_order(const char *path, long n)
{
	static uint32_t ids[4096];
	long got = pcap_ids(path, ids, (long)(sizeof(ids) / sizeof(ids[0])));
	long inorder = 0;

	CHECK_EQ(got, n);
	for (long i = 0; i < got; i++)
		inorder += ids[i] == (uint32_t)i;
	CHECK_EQ(inorder, n);
}

/* ---- 1: N PDUs arrive once each, in order, no gap ---- */

static void test_in_order(void)
{
	enum { N = 1000 };
	struct lemf l = lemf_start("order", 0, "server", 1);
	struct deliver_config c = config(l.port);
	struct deliver *d = deliver_new(&c);
	CHECK(d != NULL);
	if (d == NULL)
		return;
	size_t bytes = submit_all(d, N, make_pdu);
	CHECK_EQ(deliver_flush(d, 10000), 0);
	struct deliver_stats s;
	deliver_stats(d, &s);
	CHECK_EQ(s.sent_pdus, N);
	CHECK_EQ(s.sent_bytes, bytes);
	CHECK_EQ(s.connects, 1);
	CHECK_EQ(s.reconnects, 0);
	CHECK_EQ(s.lost_pdus, 0);
	CHECK_EQ(s.queued_bytes, 0);
	CHECK_EQ(s.connected, 1);
	deliver_free(d); /* the connection ends: clif-lemf drains it and exits */
	CHECK_EQ(lemf_stop(&l, 0), 0);
	expect_ids_in_order(lemf_file(&l, "cc-LIID-D.pcap"), N);
	const char *e = slurp(lemf_file(&l, "events.jsonl"));
	CHECK(e != NULL);
	CHECK_EQ(count_str(e, "\"event\":\"gap\""), 0);
	CHECK_EQ(count_str(e, "\"event\":\"duplicate\""), 0);
	CHECK_EQ(summary_value(&l, "CC,"), N);
}

/* ---- 1b: the same through deliver_submit_batch, 100 PDUs a batch, with refusals ---- */

static void test_batch(void)
{
	enum { N = 1000, PER = 100 };
	struct lemf l = lemf_start("batch", 0, "server", 1);
	struct deliver_config c = config(l.port);
	struct deliver *d = deliver_new(&c);
	static uint8_t buf[PER * 512 + 8];
	uint32_t lens[PER + 2];
	uint8_t ok[PER + 2];
	size_t bytes = 0;
	CHECK(d != NULL);
	if (d == NULL)
		return;
	CHECK_EQ(deliver_submit_batch(NULL, buf, lens, 1, ok), -EINVAL);
	CHECK_EQ(deliver_submit_batch(d, NULL, lens, 1, ok), -EINVAL);
	CHECK_EQ(deliver_submit_batch(d, buf, lens, 1, NULL), -EINVAL);
	CHECK_EQ(deliver_submit_batch(d, buf, lens, 0, ok), 0);
	for (uint32_t b = 0; b < N / PER; b++) {
		size_t off = 0;
		for (uint32_t i = 0; i < PER; i++) {
			lens[i] = (uint32_t)make_pdu(b * PER + i, buf + off, 512);
			off += lens[i];
		}
		bytes += off;
		CHECK_EQ(deliver_submit_batch(d, buf, lens, PER, ok), 0);
		for (uint32_t i = 0; i < PER; i++)
			CHECK_EQ(ok[i], 1);
	}
	/* a zero length and one over max_pdu (the default: 65535 + 256) are refused, not read */
	lens[0] = 0;
	lens[1] = 65535u + 256u + 1u;
	CHECK_EQ(deliver_submit_batch(d, buf, lens, 2, ok), 2);
	CHECK_EQ(ok[0], 0);
	CHECK_EQ(ok[1], 0);
	CHECK_EQ(deliver_flush(d, 10000), 0);
	struct deliver_stats s;
	deliver_stats(d, &s);
	CHECK_EQ(s.sent_pdus, N);
	CHECK_EQ(s.sent_bytes, bytes);
	CHECK_EQ(s.lost_pdus, 0);
	deliver_free(d);
	CHECK_EQ(lemf_stop(&l, 0), 0);
	expect_ids_in_order(lemf_file(&l, "cc-LIID-D.pcap"), N);
}

/* ---- 2: keep-alives while idle, every one answered ---- */

static void test_keepalive(void)
{
	struct lemf l = lemf_start("keepalive", 0, "server", 1);
	struct deliver_config c = config(l.port);
	c.time1_ms = 1000;
	c.time2_ms = 500;
	c.time3_ms = 1500;
	struct deliver *d = deliver_new(&c);
	CHECK(d != NULL);
	if (d == NULL)
		return;
	sleep_ms(3500); /* keep-alives at about 1, 2 and 3 s */
	struct deliver_stats s;
	deliver_stats(d, &s);
	CHECK_EQ(s.keepalives_sent, 3);
	CHECK_EQ(s.keepalives_answered, 3);
	CHECK_EQ(s.keepalive_timeouts, 0);
	CHECK_EQ(s.connects, 1);
	CHECK_EQ(s.sent_pdus, 0);
	deliver_free(d);
	CHECK_EQ(lemf_stop(&l, 0), 0);
	CHECK_EQ(summary_value(&l, "replies sent"), 3);
	CHECK_EQ(summary_value(&l, "TRI,"), 3);
	const char *e = slurp(lemf_file(&l, "events.jsonl"));
	CHECK_EQ(count_str(e, "\"tri\":\"keep-alive\""), 3);
	CHECK_EQ(count_str(e, "\"event\":\"gap\""), 0);
}

/* ---- 2x: X2/X3 mode: N X3 PDUs in order, then keepalives while idle, each acknowledged ---- */

static void test_x_in_order(void)
{
	enum { N = 500 };
	struct lemf l = lemf_start("x-order", 0, "server", 1);
	struct deliver_config c = config_x(l.port);
	struct deliver *d = deliver_new(&c);
	CHECK(d != NULL);
	if (d == NULL)
		return;
	size_t bytes = submit_all(d, N, make_x3);
	CHECK_EQ(deliver_flush(d, 10000), 0);
	struct deliver_stats s;
	deliver_stats(d, &s);
	CHECK_EQ(s.sent_pdus, N);
	CHECK_EQ(s.sent_bytes, bytes);
	CHECK_EQ(s.connects, 1);
	CHECK_EQ(s.lost_pdus, 0);
	deliver_free(d);
	CHECK_EQ(lemf_stop(&l, 0), 0);
	expect_ids_in_order(lemf_file(&l, X3_PCAP), N);
	const char *e = slurp(lemf_file(&l, "events.jsonl"));
	CHECK(e != NULL);
	CHECK_EQ(count_str(e, "\"pdu\":\"X3\""), N);
	CHECK_EQ(count_str(e, "\"event\":\"gap\""), 0);
	CHECK_EQ(count_str(e, "\"event\":\"duplicate\""), 0);
	CHECK_EQ(count_str(e, "\"event\":\"undecodable\""), 0);
	CHECK_EQ(summary_value(&l, "X3,"), N);
	CHECK_EQ(summary_value(&l, "CC,"), 0);
}

static void test_x_keepalive(void)
{
	struct lemf l = lemf_start("x-keepalive", 0, "server", 1);
	struct deliver_config c = config_x(l.port);
	c.time1_ms = 1000;
	c.time3_ms = 1500;
	struct deliver *d = deliver_new(&c);
	CHECK(d != NULL);
	if (d == NULL)
		return;
	sleep_ms(3500); /* keepalives at about 1, 2 and 3 s */
	struct deliver_stats s;
	deliver_stats(d, &s);
	CHECK_EQ(s.keepalives_sent, 3);
	CHECK_EQ(s.keepalives_answered, 3);
	CHECK_EQ(s.keepalive_timeouts, 0);
	CHECK_EQ(s.connects, 1);
	CHECK_EQ(s.sent_pdus, 0);
	deliver_free(d);
	CHECK_EQ(lemf_stop(&l, 0), 0);
	CHECK_EQ(summary_value(&l, "replies sent"), 3);
	CHECK_EQ(summary_value(&l, "X2/X3 keepalive,"), 3);
	CHECK_EQ(summary_value(&l, "TRI,"), 0);
	const char *e = slurp(lemf_file(&l, "events.jsonl"));
	CHECK_EQ(count_str(e, "\"pdu\":\"X-keepalive\","), 3);
	CHECK_EQ(count_str(e, "\"pdu\":\"X-keepalive\",\"seq\":0}"), 1);
	CHECK_EQ(count_str(e, "\"pdu\":\"X-keepalive\",\"seq\":1}"), 1);
	CHECK_EQ(count_str(e, "\"pdu\":\"X-keepalive\",\"seq\":2}"), 1);
	CHECK_EQ(count_str(e, "\"event\":\"gap\""), 0);
}

/* ---- 3: the LEMF killed mid-stream and restarted on the same port ---- */

static void test_restart(int x)
{
	enum { N = 3000, BATCH = 50 };
	size_t (*make)(uint32_t, uint8_t *, size_t) = x ? make_x3 : make_pdu;
	const char *pcap = x ? X3_PCAP : "cc-LIID-D.pcap";
	struct lemf a = lemf_start(x ? "x-run-a" : "run-a", 0, "server", 0);
	int port = a.port;
	struct deliver_config c = x ? config_x(port) : config(port);
	struct deliver *d = deliver_new(&c);
	CHECK(d != NULL);
	if (d == NULL)
		return;
	uint8_t pdu[512];
	size_t pdu_len = 0;
	struct lemf b = {0, 0, ""};
	int rc_a = -1;
	for (uint32_t i = 0; i < N; i++) {
		if (i == N / 3)
			rc_a = lemf_stop(&a, SIGKILL);
		if (i == 2 * N / 3) /* 20 batches (about 2 s) later */
			b = lemf_start(x ? "x-run-b" : "run-b", port, "server", 1);
		pdu_len = make(i, pdu, sizeof pdu);
		CHECK_MSG(deliver_submit(d, pdu, pdu_len) == 0, "restart: submit %u refused", i);
		if (i % BATCH == BATCH - 1)
			sleep_ms(100);
	}
	CHECK_EQ(rc_a, 128 + SIGKILL);
	CHECK_EQ(deliver_flush(d, 20000), 0);
	struct deliver_stats s;
	deliver_stats(d, &s);
	CHECK(s.reconnects >= 1);
	CHECK_EQ(s.lost_pdus, 0);
	CHECK_EQ(s.sent_pdus, N);
	CHECK(s.resent_pdus >= 1);
	deliver_free(d);
	if (b.pid > 0)
		CHECK_EQ(lemf_stop(&b, 0), 0);
	static uint32_t ia[2 * N], ib[2 * N];
	long na = pcap_ids(lemf_file(&a, pcap), ia, 2 * N);
	long nb = pcap_ids(lemf_file(&b, pcap), ib, 2 * N);
	CHECK(na > 0 && nb > 0);
	if (na <= 0 || nb <= 0)
		return;
	/* run A: 0, 1, 2, ... as far as it got to store; run B: one ascending run up to N - 1 */
	long a_ok = 0, b_ok = 0;
	for (long i = 0; i < na; i++)
		a_ok += ia[i] == (uint32_t)i;
	CHECK_EQ(a_ok, na);
	for (long i = 0; i < nb; i++)
		b_ok += ib[i] == ib[0] + (uint32_t)i;
	CHECK_EQ(b_ok, nb);
	CHECK_EQ(ib[nb - 1], N - 1);
	/* together: every PDU, and the overlap no more than the resend buffer holds */
	CHECK_MSG(ib[0] <= (uint32_t)na, "restart: ids %ld..%u lost (run B starts at %u)", na, ib[0] - 1, ib[0]);
	long dups = na - (long)ib[0];
	CHECK(dups >= 0);
	CHECK_MSG((size_t)dups * (pdu_len + 4) <= c.resend_bytes, "restart: %ld duplicates, more than the resend buffer",
		  dups);
	const char *e = slurp(lemf_file(&b, "events.jsonl"));
	CHECK_EQ(count_str(e, "\"event\":\"gap\""), 0);
	CHECK_EQ(count_str(e, "\"event\":\"duplicate\""), 0); /* B sees each once */
}

/* ---- 4: a LEMF whose certificate comes from another CA, or names another address, gets
 * nothing ---- */

static void test_refused(const char *name, const char *server_cert, const char *server_name)
{
	struct lemf l = lemf_start(name, 0, server_cert, 0);
	struct deliver_config c = config(l.port);
	c.server_name = server_name;
	struct deliver *d = deliver_new(&c);
	CHECK(d != NULL);
	if (d == NULL)
		return;
	uint8_t pdu[512];
	for (uint32_t i = 0; i < 10; i++) {
		size_t n = make_pdu(i, pdu, sizeof pdu);
		CHECK_EQ(deliver_submit(d, pdu, n), 0);
	}
	CHECK_EQ(deliver_flush(d, 1500), -ETIMEDOUT);
	struct deliver_stats s;
	deliver_stats(d, &s);
	CHECK_EQ(s.sent_pdus, 0);
	CHECK_EQ(s.connects, 0);
	CHECK(s.connect_failures >= 2); /* and it kept trying */
	CHECK_EQ(s.connected, 0);
	deliver_free(d);
	CHECK_EQ(lemf_stop(&l, SIGTERM), 0);
	CHECK(access(lemf_file(&l, "cc-LIID-D.pcap"), F_OK) != 0);
	CHECK_EQ(summary_value(&l, "CC,"), 0);
}

/* ---- 5: queue overflow while no LEMF is reachable ---- */

static int closed_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof sa;
	int port = 0;
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 && getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
		port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

static void test_overflow(void)
{
	struct deliver_config c = config(closed_port());
	c.max_pdu = 512;
	c.queue_bytes = 4096;
	struct deliver *d = deliver_new(&c);
	CHECK(d != NULL);
	if (d == NULL)
		return;
	uint8_t pdu[600];
	size_t n = make_pdu(0, pdu, sizeof pdu);
	long fits = (long)(4096 / (n + 4)), ok = 0, nospc = 0;
	for (int i = 0; i < 100; i++) {
		int rc = deliver_submit(d, pdu, n);
		ok += rc == 0;
		nospc += rc == -ENOSPC;
	}
	CHECK_EQ(ok, fits);
	CHECK_EQ(nospc, 100 - fits);
	CHECK_EQ(deliver_submit(d, pdu, 513), -EMSGSIZE);
	CHECK_EQ(deliver_submit(d, pdu, 0), -EINVAL);
	struct deliver_stats s;
	deliver_stats(d, &s);
	CHECK_EQ(s.lost_pdus, 100 - fits);
	CHECK_EQ(s.queued_bytes, (unsigned long long)fits * (n + 4));
	CHECK_EQ(s.sent_pdus, 0);
	deliver_free(d);
}

/* ---- 5b: the on-disk spool ---- */

/* A sender to a closed port with a 4096-byte queue and a spool of spool_bytes at check_dir/name;
 * submits ids first..first+count-1, all accepted. Returns it, *fits the PDUs the queue holds. */
static struct deliver *spool_sender(int port, const char *name, uint64_t spool_bytes, uint32_t first, uint32_t count,
				    long *fits, size_t *pdu_len)
{
	struct deliver_config c = config(port);
	c.max_pdu = 512;
	c.queue_bytes = 4096;
	c.spool_path = check_path(name);
	c.spool_bytes = spool_bytes;
	struct deliver *d = deliver_new(&c);
	CHECK(d != NULL);
	if (d == NULL)
		return NULL;
	uint8_t pdu[600];
	long sizes_differ = 0, refused = 0;
	size_t n0 = make_pdu(first, pdu, sizeof pdu);
	for (uint32_t i = first; i < first + count; i++) {
		size_t n = make_pdu(i, pdu, sizeof pdu);
		sizes_differ += n != n0;
		refused += deliver_submit(d, pdu, n) != 0;
	}
	CHECK_EQ(sizes_differ, 0); /* the arithmetic below assumes one PDU size */
	CHECK_EQ(refused, 0);
	*fits = (long)(4096 / (n0 + 4));
	*pdu_len = n0;
	return d;
}

/* Checks that the LEMF's pcap holds exactly ids [a0, a1) then [b0, b1). */
static void check_ids(const struct lemf *l, const char *what, uint32_t a0, uint32_t a1, uint32_t b0, uint32_t b1)
{
	static uint32_t ids[1000];
	long want = (long)(a1 - a0) + (long)(b1 - b0);
	long n = pcap_ids(lemf_file(l, "cc-LIID-D.pcap"), ids, 1000);
	CHECK_MSG(n == want, "%s: %ld PDUs arrived, want %ld", what, n, want);
	long ok = 0;
	for (long i = 0; i < n && i < want; i++)
		ok += ids[i] == (i < (long)(a1 - a0) ? a0 + (uint32_t)i : b0 + (uint32_t)(i - (long)(a1 - a0)));
	CHECK_MSG(ok == want, "%s: %ld of %ld ids in place", what, ok, want);
	const char *e = slurp(lemf_file(l, "events.jsonl"));
	CHECK(e != NULL);
	CHECK_EQ(count_str(e, "\"event\":\"duplicate\""), 0);
}

/* More than the queue holds, less than the spool: nothing refused, all delivered in order. */
static void test_spool_order(void)
{
	enum { N = 200, B = 1000 }; /* ids 1000..1199 all encode to the same length */
	int port = closed_port();
	long fits;
	size_t len;
	struct deliver *d = spool_sender(port, "spool-order.spool", 1 << 20, B, N, &fits, &len);
	if (d == NULL)
		return;
	struct deliver_stats s;
	deliver_stats(d, &s);
	CHECK(fits < N);
	CHECK_EQ(s.spooled_pdus, N - fits);
	CHECK_EQ(s.spooled_bytes, (unsigned long long)(N - fits) * (len + 16));
	CHECK_EQ(s.queued_bytes, (unsigned long long)fits * (len + 4));
	CHECK_EQ(s.lost_pdus, 0);
	struct stat st;
	CHECK(stat(check_path("spool-order.spool"), &st) == 0 && (st.st_mode & 07777) == 0600);
	CHECK_EQ(deliver_flush(d, 300), -ETIMEDOUT); /* nobody to deliver to yet */
	struct lemf l = lemf_start("spool-order", port, "server", 1);
	CHECK_EQ(deliver_flush(d, 10000), 0);
	deliver_stats(d, &s);
	CHECK_EQ(s.sent_pdus, N);
	CHECK_EQ(s.lost_pdus, 0);
	CHECK_EQ(s.spool_dropped_pdus, 0);
	CHECK_EQ(s.spooled_pdus, 0);
	CHECK_EQ(s.spooled_bytes, 0);
	CHECK_EQ(s.queued_bytes, 0);
	deliver_free(d);
	CHECK_EQ(lemf_stop(&l, 0), 0);
	check_ids(&l, "spool-order", B, B + N, 0, 0);
}

/* A spool of exactly SP PDUs and far more submitted: the queue's PDUs and the newest SP arrive,
 * exactly the oldest spooled ones are dropped and counted. */
static void test_spool_full(void)
{
	enum { N = 100, SP = 10 };
	int port = closed_port();
	uint8_t pdu[600];
	size_t len = make_pdu(0, pdu, sizeof pdu);
	long fits;
	struct deliver *d = spool_sender(port, "spool-full.spool", 40 + SP * (16 + len), 0, N, &fits, &len);
	if (d == NULL)
		return;
	struct deliver_stats s;
	deliver_stats(d, &s);
	long dropped = N - fits - SP;
	CHECK(dropped > 0);
	CHECK_EQ(s.spool_dropped_pdus, dropped);
	CHECK_EQ(s.lost_pdus, dropped);
	CHECK_EQ(s.spooled_pdus, SP);
	struct lemf l = lemf_start("spool-full", port, "server", 1);
	CHECK_EQ(deliver_flush(d, 10000), 0);
	deliver_stats(d, &s);
	CHECK_EQ(s.sent_pdus, fits + SP);
	CHECK_EQ(s.lost_pdus, dropped);
	CHECK_EQ(s.spool_dropped_pdus, dropped);
	CHECK_EQ(s.spooled_pdus, 0);
	deliver_free(d);
	CHECK_EQ(lemf_stop(&l, 0), 0);
	/* missing: ids fits .. N - SP - 1, the oldest of those that overflowed the queue */
	check_ids(&l, "spool-full", 0, (uint32_t)fits, N - SP, N);
}

/* A sender stopped with PDUs spooled, garbage appended to its spool (a torn last record), a new
 * sender on the same file: the spooled PDUs arrive, the garbage is ignored. */
static void test_spool_torn(void)
{
	enum { N = 40 };
	int port = closed_port();
	long fits;
	size_t len;
	struct deliver *d = spool_sender(port, "spool-torn.spool", 1 << 20, 0, N, &fits, &len);
	if (d == NULL)
		return;
	deliver_free(d); /* the memory queue's PDUs go, the spooled ones stay on disk */
	FILE *f = fopen(check_path("spool-torn.spool"), "ab");
	CHECK(f != NULL);
	if (f == NULL)
		return;
	static const uint8_t torn[37] = {0x40, 0x01, 0, 0, 0xde, 0xad, 0xbe, 0xef, 0x1e, 0, 0, 0, 0, 0, 0, 0, 0x30, 0x82};
	CHECK_EQ(fwrite(torn, 1, sizeof torn, f), sizeof torn);
	fclose(f);
	struct deliver_config c = config(port);
	c.max_pdu = 512;
	c.spool_path = check_path("spool-torn.spool");
	c.spool_bytes = 1 << 20;
	d = deliver_new(&c);
	CHECK(d != NULL);
	if (d == NULL)
		return;
	struct deliver_stats s;
	deliver_stats(d, &s);
	CHECK_EQ(s.spooled_pdus, N - fits);
	CHECK_EQ(s.spooled_bytes, (unsigned long long)(N - fits) * (len + 16));
	struct lemf l = lemf_start("spool-torn", port, "server", 1);
	CHECK_EQ(deliver_flush(d, 10000), 0);
	deliver_stats(d, &s);
	CHECK_EQ(s.sent_pdus, N - fits);
	CHECK_EQ(s.lost_pdus, 0);
	CHECK_EQ(s.spooled_pdus, 0);
	deliver_free(d);
	CHECK_EQ(lemf_stop(&l, 0), 0);
	check_ids(&l, "spool-torn", (uint32_t)fits, N, 0, 0);
}

/* ---- 6: a LEMF that takes everything and never answers a keep-alive: TIME3 ---- */

struct mute {
	int lfd;
	SSL_CTX *ctx;
	int accepted;
};

/* Accepts connections one after the other, completes the handshake and reads until the
 * client goes away; never writes. Ends when the listening socket is shut down. */
static void *mute_server(void *arg)
{
	struct mute *m = arg;
	for (;;) {
		int fd = accept(m->lfd, NULL, NULL);
		if (fd < 0)
			return NULL;
		SSL *ssl = SSL_new(m->ctx);
		SSL_set_fd(ssl, fd);
		if (SSL_accept(ssl) == 1) {
			__atomic_add_fetch(&m->accepted, 1, __ATOMIC_SEQ_CST);
			char buf[4096];
			while (SSL_read(ssl, buf, sizeof buf) > 0)
				;
		}
		SSL_free(ssl);
		ERR_clear_error();
		close(fd);
	}
}

static void test_time3(int x)
{
	struct mute m = {socket(AF_INET, SOCK_STREAM, 0), SSL_CTX_new(TLS_server_method()), 0};
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof sa;
	char crt[160], key[160], ca[160];
	snprintf(crt, sizeof crt, "%s/server.crt", check_path("pki"));
	snprintf(key, sizeof key, "%s/server.key", check_path("pki"));
	snprintf(ca, sizeof ca, "%s/ca.crt", check_path("pki"));
	int ok = m.ctx && SSL_CTX_use_certificate_chain_file(m.ctx, crt) == 1 &&
		 SSL_CTX_use_PrivateKey_file(m.ctx, key, SSL_FILETYPE_PEM) == 1 &&
		 SSL_CTX_load_verify_locations(m.ctx, ca, NULL) == 1 &&
		 bind(m.lfd, (struct sockaddr *)&sa, sizeof sa) == 0 && listen(m.lfd, 4) == 0 &&
		 getsockname(m.lfd, (struct sockaddr *)&sa, &sl) == 0;
	CHECK(ok);
	if (m.ctx)
		SSL_CTX_set_verify(m.ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	pthread_t t;
	if (!ok || pthread_create(&t, NULL, mute_server, &m) != 0) {
		close(m.lfd);
		SSL_CTX_free(m.ctx);
		return;
	}
	struct deliver_config c = x ? config_x(ntohs(sa.sin_port)) : config(ntohs(sa.sin_port));
	c.time1_ms = 200;
	c.time2_ms = x ? 0 : 200;
	c.time3_ms = 500;
	struct deliver *d = deliver_new(&c);
	CHECK(d != NULL);
	if (d != NULL) {
		sleep_ms(1800); /* keep-alive at ~0.2 s, retry ~0.4, dropped ~0.7, again ~0.9/1.1/1.4 */
		struct deliver_stats s;
		deliver_stats(d, &s);
		CHECK(s.keepalive_timeouts >= 2);
		CHECK(s.reconnects >= 2);
		if (x) /* TS 103 221-2: no retry, one keepalive per connection (the last may be pending) */
			CHECK(s.keepalives_sent <= s.keepalive_timeouts + 1);
		else /* one retry after TIME2 each */
			CHECK(s.keepalives_sent >= 2 * s.keepalive_timeouts);
		CHECK_EQ(s.keepalives_answered, 0);
		deliver_free(d);
	}
	CHECK(__atomic_load_n(&m.accepted, __ATOMIC_SEQ_CST) >= 2);
	shutdown(m.lfd, SHUT_RDWR);
	pthread_join(t, NULL);
	close(m.lfd);
	SSL_CTX_free(m.ctx);
}

/* ---- 7: configurations refused ---- */

static void test_config(void)
{
	struct deliver_config c = config(1);
	c.time3_ms = c.time2_ms;
	errno = 0;
	CHECK(deliver_new(&c) == NULL && errno == EINVAL);
	c = config(1);
	c.queue_bytes = 1000; /* less than one default-size PDU */
	errno = 0;
	CHECK(deliver_new(&c) == NULL && errno == EINVAL);
	c = config(1);
	c.operator_id_len = 0;
	errno = 0;
	CHECK(deliver_new(&c) == NULL && errno == EINVAL);
	c = config(1);
	c.key_file = check_path("pki/ca.key"); /* not the certificate's key */
	errno = 0;
	CHECK(deliver_new(&c) == NULL && errno == EPROTO);
	c = config(1);
	c.ca_file = check_path("pki/missing.crt");
	errno = 0;
	CHECK(deliver_new(&c) == NULL && errno == EPROTO);
	c = config(1);
	c.protocol = (enum deliver_protocol)2;
	errno = 0;
	CHECK(deliver_new(&c) == NULL && errno == EINVAL);
	c = config_x(1);
	c.time3_ms = 0; /* TIME_P2 */
	errno = 0;
	CHECK(deliver_new(&c) == NULL && errno == EINVAL);
	c = config(1);
	c.spool_path = check_path("small.spool");
	c.spool_bytes = 40 + 16 + 65535 + 256 - 1; /* one byte short of one default-size PDU */
	errno = 0;
	CHECK(deliver_new(&c) == NULL && errno == EINVAL);
	CHECK(access(c.spool_path, F_OK) != 0);
	c.spool_path = check_path("pki/ca.crt"); /* exists, not a spool: left alone */
	c.spool_bytes = 1 << 20;
	struct stat st0, st1;
	CHECK(stat(c.spool_path, &st0) == 0);
	errno = 0;
	CHECK(deliver_new(&c) == NULL && errno == EPROTO);
	CHECK(stat(c.spool_path, &st1) == 0 && st1.st_mode == st0.st_mode && st1.st_size == st0.st_size);
	c = config_x(1); /* no operator id and no TIME2: fine for X2/X3 */
	struct deliver *d = deliver_new(&c);
	CHECK(d != NULL);
	deliver_free(d);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s BIN_DIR\n", argv[0]);
		return 2;
	}
	bin = argv[1];
	signal(SIGPIPE, SIG_IGN);
	check_tmpdir("/tmp/clifd-deliver-XXXXXX");
	char cmd[2048];
	snprintf(cmd, sizeof cmd,
		 "set -e; mkdir -p %s; cd %s; "
		 "gen() { openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
		 "-keyout $1.key -out $1.crt -subj /CN=$1 -days 2 2>/dev/null; }; "
		 "leaf() { openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout $1.key "
		 "-out $1.csr -subj /CN=$1 2>/dev/null; printf 'subjectAltName=IP:127.0.0.1\\n' >$1.ext; "
		 "openssl x509 -req -in $1.csr -CA $2.crt -CAkey $2.key -CAcreateserial -out $1.crt -days 2 "
		 "-extfile $1.ext 2>/dev/null; }; "
		 "gen ca; gen otherca; leaf server ca; leaf client ca; leaf stranger otherca",
		 check_path("pki"), check_path("pki"));
	int rc = system(cmd);
	CHECK_EQ(rc, 0);
	struct etsi_cc_config cfg = {
		.liid = LIID, .liid_len = sizeof LIID - 1, .operator_id = OPER, .operator_id_len = sizeof OPER - 1,
		.ne_id = NEID, .ne_id_len = sizeof NEID - 1, .cin = 7, .delivery_country = "XX",
		.ts_form = ETSI_CC_TS_MICRO, .ts_qualifier = 1,
	};
	CHECK_EQ(etsi_cc_init(&cc, &cfg), 0);
	if (rc == 0) {
		test_config();
		test_overflow();
		test_spool_order();
		test_spool_full();
		test_spool_torn();
		test_in_order();
		test_batch();
		test_keepalive();
		test_refused("wrongca", "stranger", NULL);
		test_refused("wrongname", "server", "127.0.0.2");
		test_time3(0);
		test_restart(0);
		test_x_in_order();
		test_x_keepalive();
		test_time3(1);
		test_restart(1);
	}
	return check_done();
}
