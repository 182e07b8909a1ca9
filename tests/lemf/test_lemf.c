/* clif-lemf end to end (issue 5): streams built with the encoder library are fed to the real
 * clif-lemf program from files and over TCP and TLS; its pcaps, events.jsonl, raw copies,
 * replies and exit status are checked exactly. The malformed streams are the list:
 * truncated PDU, wrong outer tag, lying lengths (longer and shorter), indefinite lengths,
 * garbage between PDUs, a connection closed mid-PDU; each must give a clear report, no crash,
 * and lose nothing that was already decodable.
 *
 * usage: clif-test-lemf BIN_DIR */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "PS-PDU.h"
#include "etsi_cc.h"
#include "etsi_pdu.h"
#include "x2x3.h"

static int failures;
static long checks;
static char where[200] = "";

#define CHECK(cond)                                                                           \
	do {                                                                                  \
		checks++;                                                                     \
		if (!(cond)) {                                                                \
			if (failures++ < 40)                                                  \
				fprintf(stderr, "lemf: %s:%d: check failed: %s (%s)\n", __FILE__,  \
					__LINE__, #cond, where);                              \
		}                                                                             \
	} while (0)

static const char *bin;
static char tmp[256];

/* ---- building streams ---- */

struct stream {
	uint8_t *b;
	size_t len, cap;
	size_t starts[256]; /* offset of each PDU */
	unsigned n;
};

static void put(struct stream *s, const uint8_t *p, size_t n)
{
	if (s->len + n > s->cap) {
		s->cap = (s->len + n) * 2 + 4096;
		s->b = realloc(s->b, s->cap);
		if (s->b == NULL)
			abort();
	}
	memcpy(s->b + s->len, p, n);
	s->len += n;
}

static void put_pdu(struct stream *s, const uint8_t *p, long n)
{
	if (n <= 0) {
		fprintf(stderr, "lemf: encoding a test PDU failed: %ld\n", n);
		exit(1);
	}
	s->starts[s->n++] = s->len;
	put(s, p, (size_t)n);
}

static struct etsi_cc_ctx ctx_a, ctx_b;
static const uint64_t T0 = 1795000000123456000ull; /* 2026-11-18 */

static void init_ctx(struct etsi_cc_ctx *ctx, const char *liid, uint32_t cin)
{
	struct etsi_cc_config cfg = {0};
	cfg.liid = (const uint8_t *)liid;
	cfg.liid_len = strlen(liid);
	cfg.operator_id = (const uint8_t *)"OPER";
	cfg.operator_id_len = 4;
	cfg.ne_id = (const uint8_t *)"NE1";
	cfg.ne_id_len = 3;
	cfg.cin = cin;
	cfg.auth_country = "DE";
	cfg.delivery_country = "DE";
	cfg.ipid = "POI1";
	cfg.ts_form = ETSI_CC_TS_MICRO;
	cfg.ts_qualifier = 1;
	if (etsi_cc_init(ctx, &cfg) != 0)
		abort();
}

/* Test datagram i: IPv4 for even i, IPv6 for odd, 40 + 37 * i bytes, distinct content. */
static size_t make_packet(unsigned i, uint8_t *p)
{
	size_t n = 40 + 37u * i;
	for (size_t k = 0; k < n; k++)
		p[k] = (uint8_t)(k * 31 + i * 7);
	p[0] = i % 2 ? 0x60 : 0x45;
	return n;
}

static void add_cc(struct stream *s, const struct etsi_cc_ctx *ctx, uint32_t seq, unsigned pkt)
{
	uint8_t ip[2048], out[4096];
	size_t n = make_packet(pkt, ip);
	put_pdu(s, out, etsi_cc_encode(ctx, seq, T0 + pkt * 1000000ull, pkt % 2, ip, (uint32_t)n, out, sizeof(out)));
}

static void add_iri(struct stream *s, const struct etsi_cc_ctx *ctx, uint32_t seq, unsigned type)
{
	struct etsi_iri iri = {0};
	uint8_t out[ETSI_IRI_MAX_PDU];
	iri.iri_type = type;
	iri.event = type == ETSI_IRI_BEGIN ? ETSI_EV_START_WITH_SESSION_ACTIVE : ETSI_EV_ACCESS_END;
	iri.access_type = 4;
	iri.ip_version = 1;
	iri.has = ETSI_IRI_HAS_TARGET_IP | ETSI_IRI_HAS_START;
	iri.target_ip_len = 4;
	memcpy(iri.target_ip, "\xc0\x00\x02\x01", 4);
	iri.ip_assignment = 3;
	iri.start_ns = T0;
	if (type == ETSI_IRI_END) {
		iri.has |= ETSI_IRI_HAS_END | ETSI_IRI_HAS_END_REASON | ETSI_IRI_HAS_OCTETS;
		iri.end_ns = T0 + 9000000ull;
		iri.octets_rx = 1234;
		iri.octets_tx = 5678;
	}
	put_pdu(s, out, etsi_iri_encode(ctx, seq, T0, &iri, out, sizeof(out)));
}

static void add_tri(struct stream *s, const struct etsi_cc_ctx *ctx, uint32_t seq, enum etsi_tri_kind k)
{
	uint8_t out[ETSI_TRI_MAX_PDU];
	put_pdu(s, out, etsi_tri_encode(ctx, seq, T0, k, out, sizeof(out)));
}

/* The reference stream: LIID-A (IRI BEGIN, CC 0..5, keep-alive, IRI END), and two CCs of an
 * LIID whose characters need escaping in a file name. */
static void reference(struct stream *s)
{
	memset(s, 0, sizeof(*s));
	add_iri(s, &ctx_a, 0, ETSI_IRI_BEGIN);
	for (unsigned i = 0; i < 6; i++)
		add_cc(s, &ctx_a, i, i);
	add_tri(s, &ctx_a, 0, ETSI_TRI_KEEPALIVE);
	add_cc(s, &ctx_b, 0, 6);
	add_iri(s, &ctx_a, 1, ETSI_IRI_END);
	add_cc(s, &ctx_b, 1, 7);
}

/* ---- files and processes ---- */

static void write_file(const char *path, const uint8_t *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (f == NULL || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
		fprintf(stderr, "lemf: cannot write %s\n", path);
		exit(1);
	}
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		*len = 0;
		return NULL;
	}
	char *b = NULL;
	size_t cap = 0, n = 0, r;
	do {
		if (n + 65536 > cap) {
			cap = n + 65536 * 2;
			b = realloc(b, cap + 1);
		}
		r = fread(b + n, 1, 65536, f);
		n += r;
	} while (r > 0);
	fclose(f);
	b[n] = '\0';
	*len = n;
	return b;
}

static unsigned count_str(const char *hay, const char *needle)
{
	unsigned n = 0;
	for (const char *p = hay; p && (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* Runs a shell command; returns its exit status (or 128+signal, -1 on failure to run). */
static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	int st = system(cmd);
	if (st == -1)
		return -1;
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

/* Packets of a pcap, compared with the test datagrams pkts[0..n). */
static void check_pcap(const char *path, const unsigned *pkts, unsigned n)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);
	CHECK(p != NULL);
	if (p == NULL)
		return;
	CHECK(pcap_datalink(p) == DLT_RAW);
	struct pcap_pkthdr *h;
	const u_char *data;
	unsigned got = 0;
	while (pcap_next_ex(p, &h, &data) == 1) {
		if (got < n) {
			uint8_t ip[2048];
			size_t len = make_packet(pkts[got], ip);
			CHECK(h->caplen == len && h->len == len);
			CHECK(h->caplen == len && memcmp(data, ip, len) == 0);
			uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;
			/* the micro form carries microseconds */
			CHECK(ts == (T0 + pkts[got] * 1000000ull) / 1000 * 1000);
		}
		got++;
	}
	CHECK(got == n);
	pcap_close(p);
}

static char *events(const char *dir)
{
	char path[512];
	size_t n;
	snprintf(path, sizeof(path), "%s/events.jsonl", dir);
	char *e = read_all(path, &n);
	CHECK(e != NULL);
	return e ? e : calloc(1, 1);
}

/* A fresh output folder under tmp. */
static const char *outdir(const char *name)
{
	static char d[400];
	snprintf(d, sizeof(d), "%s/%s", tmp, name);
	return d;
}

/* ---- 1: the reference stream from a file ---- */

static const unsigned A_PKTS[] = {0, 1, 2, 3, 4, 5}, B_PKTS[] = {6, 7};

static void test_file_ok(void)
{
	struct stream s;
	char path[400];
	reference(&s);
	snprintf(where, sizeof(where), "clean file");
	snprintf(path, sizeof(path), "%s/ok.bin", tmp);
	write_file(path, s.b, s.len);
	const char *o = outdir("ok");
	CHECK(run("%s/clif-lemf -q -o %s -r %s 2>%s/ok.err", bin, o, path, tmp) == 0);
	char pa[500];
	snprintf(pa, sizeof(pa), "%s/cc-LIID-A.pcap", o);
	check_pcap(pa, A_PKTS, 6);
	snprintf(pa, sizeof(pa), "%s/cc-B%%2Fx%%20y.pcap", o);
	check_pcap(pa, B_PKTS, 2);
	char *e = events(o);
	CHECK(count_str(e, "\"pdu\":\"IRI\"") == 2);
	CHECK(count_str(e, "\"pdu\":\"CC\"") == 8);
	CHECK(count_str(e, "\"pdu\":\"TRI\",\"tri\":\"keep-alive\"") == 1);
	CHECK(count_str(e, "\"iri_type\":\"BEGIN\",\"event\":\"startOfInterceptionWithSessionActive\"") == 1);
	CHECK(count_str(e, "\"iri_type\":\"END\",\"event\":\"accessEnd\"") == 1);
	CHECK(count_str(e, "\"target_ip\":\"192.0.2.1\"") == 2);
	CHECK(count_str(e, "\"octets_received\":1234,\"octets_transmitted\":5678") == 1);
	CHECK(count_str(e, "\"liid\":\"B/x y\"") == 2);
	CHECK(count_str(e, "\"direction\":\"toTarget\"") == 4);
	CHECK(count_str(e, "\"event\":\"gap\"") == 0);
	CHECK(count_str(e, "\"event\":\"duplicate\"") == 0);
	CHECK(count_str(e, "\"event\":\"undecodable\"") == 0);
	CHECK(count_str(e, "\"event\":\"framing_error\"") == 0);
	free(e);
	size_t n;
	snprintf(pa, sizeof(pa), "%s/ok.err", tmp);
	char *err = read_all(pa, &n);
	CHECK(err && strstr(err, "PDUs: 2 IRI, 8 CC, 1 TRI, 0 X2, 0 X3") != NULL);
	CHECK(err && strstr(err, "0 undecodable PDUs, 0 framing errors (0 bytes skipped), 0 sequence gaps") != NULL);
	/* no identifier reaches the terminal */
	CHECK(err && strstr(err, "LIID-A") == NULL && strstr(err, "192.0.2.1") == NULL);
	free(err);
	free(s.b);
}

/* ---- 2: sequence gaps and duplicates ---- */

static void test_sequence(void)
{
	struct stream s = {0};
	char path[400];
	snprintf(where, sizeof(where), "sequence");
	add_cc(&s, &ctx_a, 0, 0);
	add_cc(&s, &ctx_a, 1, 1);
	add_cc(&s, &ctx_a, 4, 2);  /* gap: 2 and 3 missing */
	add_cc(&s, &ctx_a, 4, 3);  /* duplicate */
	add_cc(&s, &ctx_a, 5, 4);
	add_iri(&s, &ctx_a, 0, ETSI_IRI_BEGIN); /* IRI counts apart from CC: no gap */
	add_cc(&s, &ctx_b, 0xffffffffu, 5);     /* first of its context: not zero */
	add_cc(&s, &ctx_b, 0, 6);               /* wraps: no gap */
	snprintf(path, sizeof(path), "%s/seq.bin", tmp);
	write_file(path, s.b, s.len);
	const char *o = outdir("seq");
	CHECK(run("%s/clif-lemf -q -o %s -r %s 2>/dev/null", bin, o, path) == 0);
	char *e = events(o);
	CHECK(count_str(e, "\"event\":\"gap\"") == 1);
	CHECK(count_str(e, "\"seq\":4,\"expected\":2,\"missing\":2") == 1);
	CHECK(count_str(e, "\"event\":\"duplicate\"") == 1);
	CHECK(count_str(e, "\"event\":\"duplicate\",\"context\":{\"type\":\"CC\",\"liid\":\"LIID-A\",\"cin\":7},\"seq\":4,\"expected\":5") == 1);
	CHECK(count_str(e, "\"event\":\"first_seq_not_zero\"") == 1);
	free(e);
	free(s.b);
}

/* ---- 3: malformed streams from files ---- */

struct damaged {
	const char *name;
	unsigned a_pkts_expected;      /* CC packets of LIID-A that must arrive */
	int framing_errors, undecodable; /* exact counts in the summary */
	long skipped;                    /* bytes dropped while resynchronising */
};

static void run_damaged(const struct damaged *d, const uint8_t *b, size_t n, const unsigned *pkts)
{
	char path[400], pa[500];
	snprintf(where, sizeof(where), "damaged: %s", d->name);
	snprintf(path, sizeof(path), "%s/%s.bin", tmp, d->name);
	write_file(path, b, n);
	const char *o = outdir(d->name);
	CHECK(run("%s/clif-lemf -q -o %s -r %s 2>%s/%s.err", bin, o, path, tmp, d->name) == 0);
	snprintf(pa, sizeof(pa), "%s/cc-LIID-A.pcap", o);
	check_pcap(pa, pkts, d->a_pkts_expected);
	snprintf(pa, sizeof(pa), "%s/%s.err", tmp, d->name);
	size_t len;
	char *err = read_all(pa, &len);
	char want[160];
	snprintf(want, sizeof(want), "%d undecodable PDUs, %d framing errors (%ld bytes skipped)", d->undecodable,
		 d->framing_errors, d->skipped);
	CHECK(err && strstr(err, want) != NULL);
	if (!(err && strstr(err, want)))
		fprintf(stderr, "lemf: %s: summary was: %s\n", d->name, err ? err : "(none)");
	free(err);
	/* strict mode stops with 3 on the same input */
	if (d->framing_errors > 0 || d->undecodable > 0)
		CHECK(run("%s/clif-lemf -q --strict -o %s-strict -r %s 2>/dev/null", bin, o, path) == 3);
}

/* The definite length at b[off] (after a tag): its value, and the octets it takes. */
static size_t len_at(const uint8_t *b, size_t off, size_t *octets)
{
	if (b[off] < 0x80) {
		*octets = 1;
		return b[off];
	}
	size_t n = b[off] & 0x7f, v = 0;
	for (size_t i = 1; i <= n; i++)
		v = v << 8 | b[off + i];
	*octets = 1 + n;
	return v;
}

/* Rewrites PDU [p, q) of src with an indefinite outer length (30 80 <content> 00 00) into
 * dst; returns the bytes written. With close 0 the end-of-contents is left out. */
static size_t make_indefinite(uint8_t *dst, const uint8_t *src, size_t p, size_t q, int close)
{
	size_t oct;
	len_at(src, p + 1, &oct);
	size_t hdr = 1 + oct, o = 0;
	dst[o++] = 0x30;
	dst[o++] = 0x80;
	memcpy(dst + o, src + p + hdr, q - p - hdr);
	o += q - p - hdr;
	if (close) {
		dst[o++] = 0;
		dst[o++] = 0;
	}
	return o;
}

static void test_damaged(void)
{
	struct stream s;
	uint8_t *b;
	/* reference PDU indices: 0 IRI, 1..6 CC A0..A5, 7 TRI, 8 CC B6, 9 IRI END, 10 CC B7 */
	static const unsigned all[] = {0, 1, 2, 3, 4, 5};
	static const unsigned but2[] = {0, 1, 3, 4, 5}; /* PDU 3 (A2) damaged */
	static const unsigned first4[] = {0, 1, 2, 3};

	reference(&s);
	b = malloc(s.len + 64);

	/* truncated: the stream ends inside CC A4 (PDU 5): A0..A3 arrive */
	{
		struct damaged d = {"truncated", 4, 1, 0, 20};
		run_damaged(&d, s.b, s.starts[5] + 20, first4);
	}
	/* A PDU lost to damage is skipped whole: its bytes are the skipped count. */
	long pdu3 = (long)(s.starts[4] - s.starts[3]);
	/* wrong outer tag on PDU 3 */
	{
		memcpy(b, s.b, s.len);
		b[s.starts[3]] = 0x31;
		struct damaged d = {"wrong-tag", 5, 1, 0, pdu3};
		run_damaged(&d, b, s.len, but2);
	}
	/* lying length, longer: PDU 3 claims 10 more bytes (runs into PDU 4); the last length
	 * octet changes, whatever the length form */
	size_t oct;
	len_at(s.b, s.starts[3] + 1, &oct);
	size_t last_len_octet = s.starts[3] + oct;
	{
		memcpy(b, s.b, s.len);
		b[last_len_octet] = (uint8_t)(b[last_len_octet] + 10);
		struct damaged d = {"lying-longer", 5, 0, 1, pdu3};
		run_damaged(&d, b, s.len, but2);
	}
	/* lying length, shorter: PDU 3 claims 10 fewer bytes */
	{
		memcpy(b, s.b, s.len);
		b[last_len_octet] = (uint8_t)(b[last_len_octet] - 10);
		struct damaged d = {"lying-shorter", 5, 0, 1, pdu3};
		run_damaged(&d, b, s.len, but2);
	}
	/* indefinite outer length on PDU 3 (valid BER: 30 80 ... 00 00): everything arrives */
	{
		size_t o = s.starts[3];
		memcpy(b, s.b, o);
		o += make_indefinite(b + o, s.b, s.starts[3], s.starts[4], 1);
		memcpy(b + o, s.b + s.starts[4], s.len - s.starts[4]);
		o += s.len - s.starts[4];
		struct damaged d = {"indefinite-ok", 6, 0, 0, 0};
		run_damaged(&d, b, o, all);
		/* the keep-alive (PDU 7) without its end-of-contents, at the end of the stream: cut
		 * short, and nothing before it lost */
		o = s.starts[7];
		memcpy(b, s.b, o);
		o += make_indefinite(b + o, s.b, s.starts[7], s.starts[8], 0);
		struct damaged d2 = {"indefinite-unclosed", 6, 1, 0, (long)(o - s.starts[7])};
		run_damaged(&d2, b, o, all);
	}
	/* indefinite length on a primitive inside PDU 3 (the LIID, 81 06 -> 81 80): invalid */
	{
		memcpy(b, s.b, s.len);
		size_t p = s.starts[3] + 1, n;
		len_at(b, p, &n);
		p += n;          /* at A1 */
		len_at(b, p + 1, &n);
		p += 1 + n + 9;  /* past A1 L and 80 07 <oid> */
		CHECK(b[p] == 0x81 && b[p + 1] == 6);
		b[p + 1] = 0x80;
		struct damaged d = {"indefinite-primitive", 5, 0, 1, pdu3};
		run_damaged(&d, b, s.len, but2);
	}
	/* garbage between PDU 2 and PDU 3, including a stray 30 */
	{
		static const uint8_t junk[] = {0xde, 0xad, 0x30, 0x05, 0x00, 0xbe, 0xef, 0x30, 0x82, 0xff};
		size_t p3 = s.starts[3];
		memcpy(b, s.b, p3);
		memcpy(b + p3, junk, sizeof(junk));
		memcpy(b + p3 + sizeof(junk), s.b + p3, s.len - p3);
		struct damaged d = {"garbage", 6, 1, 0, sizeof(junk)};
		run_damaged(&d, b, s.len + sizeof(junk), all);
	}
	free(b);
	free(s.b);
}

/* ---- sockets ---- */

struct lemf_proc {
	pid_t pid;
	int port;
};

static struct lemf_proc start_lemf(const char *out, const char *extra)
{
	struct lemf_proc lp = {0, 0};
	char portfile[500], cmd[2048];
	snprintf(portfile, sizeof(portfile), "%s.port", out);
	unlink(portfile);
	snprintf(cmd, sizeof(cmd), "exec %s/clif-lemf -q -o %s -l 127.0.0.1:0 --port-file %s %s 2>%s.err", bin,
		 out, portfile, extra, out);
	lp.pid = fork();
	if (lp.pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 500; i++) {
		FILE *f = fopen(portfile, "r");
		if (f) {
			int ok = fscanf(f, "%d", &lp.port) == 1;
			fclose(f);
			if (ok && lp.port > 0)
				break;
		}
		struct timespec ts = {0, 10000000};
		nanosleep(&ts, NULL);
	}
	CHECK(lp.port > 0);
	return lp;
}

static int wait_lemf(struct lemf_proc *lp)
{
	int st;
	for (int i = 0; i < 1000; i++) {
		pid_t r = waitpid(lp->pid, &st, WNOHANG);
		if (r == lp->pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		struct timespec ts = {0, 10000000};
		nanosleep(&ts, NULL);
	}
	kill(lp->pid, SIGKILL);
	waitpid(lp->pid, &st, 0);
	return -1;
}

static int connect_to(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {0};
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	struct timeval tv = {5, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* Reads one keep-aliveResponse PS-PDU and returns its sequence number, or -1. */
static long read_ka_response(int fd, SSL *ssl)
{
	uint8_t buf[1024];
	size_t n = 0;
	for (;;) {
		ssize_t r = ssl ? SSL_read(ssl, buf + n, (int)(sizeof(buf) - n)) : recv(fd, buf + n, sizeof(buf) - n, 0);
		if (r <= 0)
			return -1;
		n += (size_t)r;
		PS_PDU_t *p = NULL;
		asn_dec_rval_t rv = ber_decode(NULL, &asn_DEF_PS_PDU, (void **)&p, buf, n);
		if (rv.code == RC_OK) {
			long seq = -1;
			if (p->payload.present == Payload_PR_tRIPayload &&
			    p->payload.choice.tRIPayload.present == TRIPayload_PR_keep_aliveResponse)
				seq = (long)p->pSHeader.sequenceNumber;
			ASN_STRUCT_FREE(asn_DEF_PS_PDU, p);
			return seq;
		}
		ASN_STRUCT_FREE(asn_DEF_PS_PDU, p);
		if (rv.code != RC_WMORE || n == sizeof(buf))
			return -1;
	}
}

/* ---- 4: plain TCP: keep-alive answered, raw copy, a connection closed mid-PDU ---- */

static void test_tcp(void)
{
	struct stream s;
	snprintf(where, sizeof(where), "tcp");
	reference(&s);
	const char *o = outdir("tcp");
	char extra[600], raw[500];
	snprintf(raw, sizeof(raw), "%s/tcp-raw", tmp);
	snprintf(extra, sizeof(extra), "--connections 2 --raw %s", raw);
	struct lemf_proc lp = start_lemf(o, extra);

	/* connection 1: everything up to and including the keep-alive (PDU 7), then wait for the
	 * answer, then the rest */
	int fd = connect_to(lp.port);
	CHECK(fd >= 0);
	if (fd >= 0) {
		size_t cut = s.starts[8];
		CHECK(send(fd, s.b, cut, 0) == (ssize_t)cut);
		CHECK(read_ka_response(fd, NULL) == 0);
		CHECK(send(fd, s.b + cut, s.len - cut, 0) == (ssize_t)(s.len - cut));
		close(fd);
	}
	/* connection 2: one CC and half of the next, then closed */
	struct stream t = {0};
	add_cc(&t, &ctx_a, 6, 8);
	add_cc(&t, &ctx_a, 7, 9);
	fd = connect_to(lp.port);
	CHECK(fd >= 0);
	size_t half = t.starts[1] + (t.len - t.starts[1]) / 2;
	if (fd >= 0) {
		CHECK(send(fd, t.b, half, 0) == (ssize_t)half);
		close(fd);
	}
	CHECK(wait_lemf(&lp) == 0);

	static const unsigned pk[] = {0, 1, 2, 3, 4, 5, 8};
	char pa[600];
	snprintf(pa, sizeof(pa), "%s/cc-LIID-A.pcap", o);
	check_pcap(pa, pk, 7);
	char *e = events(o);
	CHECK(count_str(e, "\"event\":\"framing_error\",\"reason\":\"stream ended inside a PDU\"") == 1);
	CHECK(count_str(e, "\"event\":\"open\"") == 2);
	free(e);
	/* the raw copies are exactly what was sent */
	size_t n1, n2;
	snprintf(pa, sizeof(pa), "%s/conn-000001.raw", raw);
	char *r1 = read_all(pa, &n1);
	snprintf(pa, sizeof(pa), "%s/conn-000002.raw", raw);
	char *r2 = read_all(pa, &n2);
	CHECK(r1 && n1 == s.len && memcmp(r1, s.b, s.len) == 0);
	CHECK(r2 && n2 == half && memcmp(r2, t.b, half) == 0);
	free(r1);
	free(r2);
	snprintf(pa, sizeof(pa), "%s.err", o);
	char *err = read_all(pa, &n1);
	CHECK(err && strstr(err, "1 replies sent") != NULL);
	free(err);
	free(s.b);
	free(t.b);
}

/* ---- 5: X2/X3 over TCP ---- */

static void test_x2x3(void)
{
	snprintf(where, sizeof(where), "x2x3");
	const char *o = outdir("x2x3");
	struct lemf_proc lp = start_lemf(o, "--connections 1");
	struct stream s = {0};
	uint8_t out[4096], ip[2048];
	struct x2x3_pdu p = {0};
	memcpy(p.xid, "\x12\x34\x56\x78\x9a\xbc\x4d\xef\x80\x01\x02\x03\x04\x05\x06\x07", 16);
	p.pdu_type = X2X3_PDU_X3;
	p.has = X2X3_HAS_SEQ | X2X3_HAS_TIMESTAMP;
	p.correlation_id = 7;
	for (unsigned i = 0; i < 3; i++) {
		size_t n = make_packet(i, ip);
		p.payload_format = i % 2 ? X2X3_FMT_IPV6 : X2X3_FMT_IPV4;
		p.payload_dir = X2X3_DIR_TO_TARGET;
		p.seq = i;
		p.ts_sec = (uint32_t)(T0 / 1000000000u);
		p.ts_nsec = (uint32_t)(T0 % 1000000000u) + i * 1000000u;
		p.payload = ip;
		p.payload_len = (uint32_t)n;
		put_pdu(&s, out, x2x3_encode(&p, out, sizeof(out)));
	}
	struct x2x3_pdu ka = {0};
	ka.pdu_type = X2X3_PDU_KEEPALIVE;
	ka.has = X2X3_HAS_SEQ;
	ka.seq = 41;
	put_pdu(&s, out, x2x3_encode(&ka, out, sizeof(out)));
	int fd = connect_to(lp.port);
	CHECK(fd >= 0);
	if (fd >= 0) {
		CHECK(send(fd, s.b, s.len, 0) == (ssize_t)s.len);
		uint8_t ack[256];
		size_t got = 0;
		while (got < X2X3_FIXED_HDR + 8) {
			ssize_t r = recv(fd, ack + got, sizeof(ack) - got, 0);
			if (r <= 0)
				break;
			got += (size_t)r;
		}
		struct x2x3_pdu a;
		CHECK(got == X2X3_FIXED_HDR + 8 && x2x3_parse(ack, got, &a) == 0);
		CHECK(got == X2X3_FIXED_HDR + 8 && a.pdu_type == X2X3_PDU_KEEPALIVE_ACK && a.seq == 41);
		close(fd);
	}
	CHECK(wait_lemf(&lp) == 0);
	char pa[600];
	snprintf(pa, sizeof(pa), "%s/x3-12345678-9abc-4def-8001-020304050607.pcap", o);
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline_with_tstamp_precision(pa, PCAP_TSTAMP_PRECISION_NANO, err);
	CHECK(pc != NULL);
	unsigned n = 0;
	struct pcap_pkthdr *h;
	const u_char *d;
	while (pc && pcap_next_ex(pc, &h, &d) == 1) {
		size_t len = make_packet(n, ip);
		CHECK(h->caplen == len && memcmp(d, ip, len) == 0);
		CHECK((uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec == T0 + n * 1000000u);
		n++;
	}
	CHECK(n == 3);
	if (pc)
		pcap_close(pc);
	char *e = events(o);
	CHECK(count_str(e, "\"pdu\":\"X3\"") == 3);
	CHECK(count_str(e, "\"pdu\":\"X-keepalive\",\"seq\":41") == 1);
	free(e);
	free(s.b);
}

/* ---- 6: TLS with client certificates ---- */

static SSL *tls_connect(int fd, const char *cert, const char *key, const char *ca, SSL_CTX **out_ctx)
{
	SSL_CTX *c = SSL_CTX_new(TLS_client_method());
	SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION);
	if (cert && (SSL_CTX_use_certificate_file(c, cert, SSL_FILETYPE_PEM) != 1 ||
		     SSL_CTX_use_PrivateKey_file(c, key, SSL_FILETYPE_PEM) != 1))
		fprintf(stderr, "lemf: cannot load the client certificate\n");
	SSL_CTX_load_verify_locations(c, ca, NULL);
	SSL_CTX_set_verify(c, SSL_VERIFY_PEER, NULL);
	SSL *s = SSL_new(c);
	SSL_set_fd(s, fd);
	*out_ctx = c;
	return s;
}

/* Sends the stream over TLS; returns 1 when the server took it (keep-alive answered). */
static int tls_session(int port, const char *cert, const char *key, const char *ca, const struct stream *s)
{
	int fd = connect_to(port);
	if (fd < 0)
		return 0;
	SSL_CTX *c;
	SSL *ssl = tls_connect(fd, cert, key, ca, &c);
	int ok = 0;
	if (SSL_connect(ssl) == 1) {
		/* TLS 1.3: a refused client certificate shows up at the first read */
		size_t cut = s->starts[8];
		if (SSL_write(ssl, s->b, (int)cut) == (int)cut && read_ka_response(fd, ssl) == 0 &&
		    SSL_write(ssl, s->b + cut, (int)(s->len - cut)) == (int)(s->len - cut))
			ok = 1;
		SSL_shutdown(ssl);
	}
	ERR_clear_error();
	SSL_free(ssl);
	SSL_CTX_free(c);
	close(fd);
	return ok;
}

static void test_tls(void)
{
	snprintf(where, sizeof(where), "tls");
	char d[400];
	snprintf(d, sizeof(d), "%s/pki", tmp);
	/* a CA, a server and a client certificate from it, and a client from another CA */
	int rc = run("set -e; mkdir -p %s; cd %s; "
		     "gen() { openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
		     "-keyout $1.key -out $1.crt -subj /CN=$1 -days 2 2>/dev/null; }; "
		     "leaf() { openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout $1.key "
		     "-out $1.csr -subj /CN=$1 2>/dev/null; printf 'subjectAltName=IP:127.0.0.1\\n' >$1.ext; "
		     "openssl x509 -req -in $1.csr -CA $2.crt -CAkey $2.key -CAcreateserial -out $1.crt -days 2 "
		     "-extfile $1.ext 2>/dev/null; }; "
		     "gen ca; gen otherca; leaf server ca; leaf client ca; leaf stranger otherca",
		     d, d);
	CHECK(rc == 0);
	if (rc != 0)
		return;
	const char *o = outdir("tls");
	char extra[1600], cert[500], key[500], ca[500], ccert[500], ckey[500], scert[500], skey[500];
	snprintf(extra, sizeof(extra), "--connections 3 --tls-cert %s/server.crt --tls-key %s/server.key --tls-ca %s/ca.crt",
		 d, d, d);
	snprintf(ca, sizeof(ca), "%s/ca.crt", d);
	snprintf(cert, sizeof(cert), "%s/client.crt", d);
	snprintf(key, sizeof(key), "%s/client.key", d);
	snprintf(scert, sizeof(scert), "%s/stranger.crt", d);
	snprintf(skey, sizeof(skey), "%s/stranger.key", d);
	(void)ccert;
	(void)ckey;
	struct stream s;
	reference(&s);
	struct lemf_proc lp = start_lemf(o, extra);
	CHECK(tls_session(lp.port, NULL, NULL, ca, &s) == 0);     /* no client certificate */
	CHECK(tls_session(lp.port, scert, skey, ca, &s) == 0);    /* certificate from another CA */
	CHECK(tls_session(lp.port, cert, key, ca, &s) == 1);      /* the right one */
	CHECK(wait_lemf(&lp) == 0);
	char pa[600];
	snprintf(pa, sizeof(pa), "%s/cc-LIID-A.pcap", o);
	check_pcap(pa, A_PKTS, 6);
	char *e = events(o);
	CHECK(count_str(e, "\"event\":\"tls_refused\"") == 2);
	free(e);
	free(s.b);
}

/* ---- 7: the README's flow: clif-encode makes a stream from a capture, clif-lemf reads it
 * from a file and receives it over mutual TLS; the CC pcap holds the capture's datagrams ---- */

static size_t eth_frame(unsigned i, uint8_t *f, uint8_t *ip_out, size_t *ip_len)
{
	/* Ethernet + IPv4 UDP, target 192.0.2.1 as source for even i, destination for odd i */
	static const uint8_t mac[12] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};
	size_t payload = 20 + 50u * i, tot = 20 + 8 + payload;
	memcpy(f, mac, 12);
	f[12] = 0x08;
	f[13] = 0x00;
	uint8_t *ip = f + 14;
	memset(ip, 0, tot);
	ip[0] = 0x45;
	ip[2] = (uint8_t)(tot >> 8);
	ip[3] = (uint8_t)tot;
	ip[8] = 64;
	ip[9] = 17;
	static const uint8_t target[4] = {192, 0, 2, 1}, peer[4] = {198, 51, 100, 9};
	memcpy(ip + 12, i % 2 ? peer : target, 4);
	memcpy(ip + 16, i % 2 ? target : peer, 4);
	ip[20] = 0x30;
	ip[21] = 0x39;
	ip[22] = 0x00;
	ip[23] = 0x35;
	ip[24] = (uint8_t)((8 + payload) >> 8);
	ip[25] = (uint8_t)(8 + payload);
	for (size_t k = 0; k < payload; k++)
		ip[28 + k] = (uint8_t)(k ^ i);
	memcpy(ip_out, ip, tot);
	*ip_len = tot;
	return 14 + tot;
}

static void test_encode_to_lemf(void)
{
	snprintf(where, sizeof(where), "clif-encode to clif-lemf");
	char cap[400], stream[400], pa[700];
	snprintf(cap, sizeof(cap), "%s/capture.pcap", tmp);
	snprintf(stream, sizeof(stream), "%s/capture.hi", tmp);
	pcap_t *dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535, PCAP_TSTAMP_PRECISION_NANO);
	pcap_dumper_t *dump = pcap_dump_open(dead, cap);
	uint8_t frame[2048], ips[5][2048];
	size_t ip_lens[5];
	for (unsigned i = 0; i < 5; i++) {
		struct pcap_pkthdr h = {0};
		h.caplen = h.len = (bpf_u_int32)eth_frame(i, frame, ips[i], &ip_lens[i]);
		h.ts.tv_sec = (time_t)(T0 / 1000000000u);
		h.ts.tv_usec = (suseconds_t)(i * 1000u); /* ns in a nanosecond file */
		pcap_dump((u_char *)dump, &h, frame);
	}
	pcap_dump_close(dump);
	pcap_close(dead);

	CHECK(run("%s/clif-encode -r %s -w %s --liid ENC-1 --target 192.0.2.1 2>/dev/null", bin, cap, stream) == 0);
	const char *o = outdir("enc-file");
	CHECK(run("%s/clif-lemf -q --strict -o %s -r %s 2>/dev/null", bin, o, stream) == 0);
	for (int pass = 0; pass < 2; pass++) {
		snprintf(pa, sizeof(pa), "%s/cc-ENC-1.pcap", o);
		char err[PCAP_ERRBUF_SIZE];
		pcap_t *p = pcap_open_offline_with_tstamp_precision(pa, PCAP_TSTAMP_PRECISION_NANO, err);
		CHECK(p != NULL);
		struct pcap_pkthdr *h;
		const u_char *d;
		unsigned n = 0;
		while (p && pcap_next_ex(p, &h, &d) == 1) {
			CHECK(n < 5 && h->caplen == ip_lens[n] && memcmp(d, ips[n], ip_lens[n]) == 0);
			n++;
		}
		CHECK(n == 5);
		if (p)
			pcap_close(p);
		char *e = events(o);
		CHECK(count_str(e, "\"iri_type\":\"BEGIN\"") == 1);
		CHECK(count_str(e, "\"iri_type\":\"END\"") == 1);
		CHECK(count_str(e, "\"direction\":\"fromTarget\"") == 3);
		CHECK(count_str(e, "\"direction\":\"toTarget\"") == 2);
		free(e);
		if (pass == 1)
			break;
		/* the same over mutual TLS, with the PKI test_tls made */
		char d2[400], extra[1600];
		snprintf(d2, sizeof(d2), "%s/pki", tmp);
		o = outdir("enc-tls");
		snprintf(extra, sizeof(extra),
			 "--connections 1 --tls-cert %s/server.crt --tls-key %s/server.key --tls-ca %s/ca.crt", d2, d2, d2);
		struct lemf_proc lp = start_lemf(o, extra);
		CHECK(run("%s/clif-encode -r %s --send 127.0.0.1:%d --tls --ca %s/ca.crt --cert %s/client.crt "
			  "--key %s/client.key --liid ENC-1 --target 192.0.2.1 2>/dev/null",
			  bin, cap, lp.port, d2, d2, d2) == 0);
		CHECK(wait_lemf(&lp) == 0);
	}
}

/* ---- 8: usage errors ---- */

static void test_usage(void)
{
	snprintf(where, sizeof(where), "usage");
	CHECK(run("%s/clif-lemf --help >/dev/null", bin) == 0);
	CHECK(run("%s/clif-lemf -r x 2>/dev/null", bin) == 2);                    /* no -o */
	CHECK(run("%s/clif-lemf -o %s/u 2>/dev/null", bin, tmp) == 2);            /* no input */
	CHECK(run("%s/clif-lemf -o %s/u -r x --format ber 2>/dev/null", bin, tmp) == 2);
	CHECK(run("%s/clif-lemf -o %s/u -l 99999 2>/dev/null", bin, tmp) == 2);
	CHECK(run("%s/clif-lemf -o %s/u -l 0 --tls-cert a 2>/dev/null", bin, tmp) == 2);
	CHECK(run("%s/clif-lemf -o %s/u -r %s/does-not-exist 2>/dev/null", bin, tmp, tmp) == 1);
	CHECK(run("%s/clif-lemf -o %s/u -l 0 --tls-cert %s/none --tls-key %s/none 2>/dev/null", bin, tmp, tmp, tmp) == 1);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: clif-test-lemf BIN_DIR\n");
		return 2;
	}
	bin = argv[1];
	signal(SIGPIPE, SIG_IGN);
	snprintf(tmp, sizeof(tmp), "/tmp/clif-lemf-test.XXXXXX");
	if (mkdtemp(tmp) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	init_ctx(&ctx_a, "LIID-A", 7);
	init_ctx(&ctx_b, "B/x y", 8);
	test_file_ok();
	test_sequence();
	test_damaged();
	test_tcp();
	test_x2x3();
	test_tls();
	test_encode_to_lemf();
	test_usage();
	if (failures == 0 && getenv("CLIF_KEEP") == NULL)
		run("rm -rf %s", tmp);
	else
		fprintf(stderr, "lemf: outputs kept in %s\n", tmp);
	printf("lemf: %ld checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
