/* clif-encode (hostdrv/encode, issue 5) end to end: captures written with libpcap in a
 * temporary folder, the program run on them, its output decoded (asn1c's BER decoder for
 * TS 102 232-1 streams, x2x3_parse for TS 103 221-2 ones) and compared field by field with
 * what each frame must give: PDU order, sequence numbers (including the 2^32 wrap),
 * directions, datagrams byte for byte (VLAN tags, VXLAN, Ethernet padding and SLL headers
 * removed, a short capture kept as captured), IRI times and octet counts, header fields.
 * Delivery over TCP and TLS (mutual, against certificates made here) must give the same bytes
 * as the file. Every malformed input gets exit 2 and a message naming no identifier.
 *
 * Usage: clif-test-encode [PATH-TO-clif-encode]   (default build/bin/clif-encode) */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <pcap/pcap.h>

#include "CCPayload.h"
#include "IPIRI.h"
#include "IRIPayload.h"
#include "PS-PDU.h"
#include "x2x3.h"

static int failures;
static long checks;
static char where[160] = "";

#define CHECK(cond)                                                                           \
	do {                                                                                  \
		checks++;                                                                     \
		if (!(cond)) {                                                                \
			if (failures++ < 40)                                                  \
				fprintf(stderr, "encode: %s:%d: check failed: %s (%s)\n",     \
					__FILE__, __LINE__, #cond, where);                    \
		}                                                                             \
	} while (0)

#define NS 1000000000ull

/* ---------------------------------------------------------------------------------------
 * Running the program
 * ------------------------------------------------------------------------------------- */

static const char *encoder = "build/bin/clif-encode";
static char tmpdir[64];
static char errtext[16384]; /* the last run's standard error */
static char outtext[16384]; /* and standard output */

static const char *path(const char *name)
{
	static char pool[32][128];
	static unsigned next;
	char *p = pool[next++ % 32];
	snprintf(p, 128, "%s/%s", tmpdir, name);
	return p;
}

static size_t slurp(const char *file, char *buf, size_t cap)
{
	int fd = open(file, O_RDONLY);
	size_t n = 0;
	ssize_t r;
	if (fd < 0) {
		buf[0] = '\0';
		return 0;
	}
	while (n + 1 < cap && (r = read(fd, buf + n, cap - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	close(fd);
	return n;
}

/* Starts the program with the NULL-terminated arguments; stdout and stderr go to files. */
static pid_t spawn(const char *const *args)
{
	const char *argv[64];
	size_t n = 0;
	argv[n++] = encoder;
	for (; *args && n < 63; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		int e = open(path("stderr.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int o = open(path("stdout.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (e < 0 || o < 0 || dup2(e, 2) < 0 || dup2(o, 1) < 0)
			_exit(126);
		execv(encoder, (char *const *)argv);
		_exit(127);
	}
	return pid;
}

static int finish(pid_t pid)
{
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	slurp(path("stderr.txt"), errtext, sizeof(errtext));
	slurp(path("stdout.txt"), outtext, sizeof(outtext));
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* args[] = first and the variadic strings up to NULL (at most 63), NULL-terminated. */
static void collect_args(const char *args[64], const char *first, va_list ap)
{
	size_t n = 0;
	for (const char *a = first; a && n < 63; a = va_arg(ap, const char *))
		args[n++] = a;
	args[n] = NULL;
}

/* Runs the program; the arguments end with NULL. Returns its exit status. */
static int run(const char *first, ...)
{
	const char *args[64];
	va_list ap;
	va_start(ap, first);
	collect_args(args, first, ap);
	va_end(ap);
	return finish(spawn(args));
}

static uint8_t *read_file(const char *file, size_t *len)
{
	FILE *f = fopen(file, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0, r;
	*len = 0;
	if (f == NULL)
		return NULL;
	do {
		if (cap - n < 65536) {
			cap = cap ? cap * 2 : 1 << 20;
			buf = realloc(buf, cap);
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	fclose(f);
	*len = n;
	return buf;
}

/* ---------------------------------------------------------------------------------------
 * Frames
 * ------------------------------------------------------------------------------------- */

enum { DIR_FROM = 0, DIR_TO = 1, DIR_BOTH = 2, DIR_NONE = -1 };

struct frame {
	uint64_t ts_ns;
	uint32_t caplen, len;
	int dir;            /* what clif-encode must make of it (DIR_NONE: nothing) */
	uint32_t dg_off;    /* the datagram to deliver: frame bytes [dg_off, dg_off + dg_len) */
	uint32_t dg_len;
	uint32_t wire_len;  /* the datagram's own length (octet counters) */
	int family;
	uint8_t proto;
	int ports;
	uint16_t sport, dport;
	uint8_t data[10000];
};

static struct frame eth_frames[16], raw_frames[8], sll_frames[4];
static size_t n_eth, n_raw, n_sll;

static const uint8_t T4[4] = {10, 0, 0, 5}, A4[4] = {192, 0, 2, 1}, B4[4] = {192, 0, 2, 7},
		     O1[4] = {198, 51, 100, 1}, O2[4] = {198, 51, 100, 2},
		     X4[4] = {203, 0, 113, 9}, Y4[4] = {203, 0, 113, 10};
static uint8_t T6a[16], T6b[16], T6c[16], P6[16], Q6[16], N6[16], N6b[16];

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Transport header for proto at p with room for plen bytes; returns its size. */
static uint32_t put_l4(uint8_t *p, uint8_t proto, uint32_t plen, uint16_t sport, uint16_t dport)
{
	if (proto == 6) {
		memset(p, 0, 20);
		put16(p, sport);
		put16(p + 2, dport);
		p[12] = 0x50;
		return 20;
	}
	if (proto == 17) {
		put16(p, sport);
		put16(p + 2, dport);
		put16(p + 4, plen);
		put16(p + 6, 0);
		return 8;
	}
	memset(p, 0, 8); /* ICMP echo */
	p[0] = 8;
	return 8;
}

static void fill(uint8_t *p, uint32_t n, unsigned seed)
{
	for (uint32_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 31u + seed);
}

/* An IPv4 datagram of total bytes; frag_off in 8-byte units (0: unfragmented). */
static uint32_t put_ipv4(uint8_t *p, const uint8_t *src, const uint8_t *dst, uint8_t proto,
			 uint32_t total, uint16_t sport, uint16_t dport, unsigned frag_off)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	put16(p + 2, total);
	put16(p + 4, 0x1234);
	put16(p + 6, frag_off);
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, src, 4);
	memcpy(p + 16, dst, 4);
	uint32_t l4 = frag_off ? 0 : put_l4(p + 20, proto, total - 20, sport, dport);
	fill(p + 20 + l4, total - 20 - l4, total);
	return total;
}

static uint32_t put_ipv6(uint8_t *p, const uint8_t *src, const uint8_t *dst, uint8_t nh,
			 uint32_t payload, uint16_t sport, uint16_t dport)
{
	memset(p, 0, 40);
	p[0] = 0x60;
	put16(p + 4, payload);
	p[6] = nh;
	p[7] = 64;
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
	uint32_t l4 = put_l4(p + 40, nh, payload, sport, dport);
	fill(p + 40 + l4, payload - l4, payload);
	return 40 + payload;
}

/* Ethernet header with tags (each a TPID), then ethertype. Returns its length. */
static uint32_t put_eth(uint8_t *p, const unsigned *tpids, unsigned ntags, unsigned ethertype)
{
	static const uint8_t macs[12] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};
	uint32_t off = 12;
	memcpy(p, macs, 12);
	for (unsigned i = 0; i < ntags; i++) {
		put16(p + off, tpids[i]);
		put16(p + off + 2, 100 + i);
		off += 4;
	}
	put16(p + off, ethertype);
	return off + 2;
}

static struct frame *next_frame(struct frame *arr, size_t *n, uint64_t base)
{
	struct frame *f = &arr[*n];
	memset(f, 0, sizeof(*f));
	/* Distinct microseconds and nanoseconds for every frame. */
	f->ts_ns = base + *n * 1000003ull;
	f->dir = DIR_NONE;
	(*n)++;
	return f;
}

static void expect(struct frame *f, int dir, uint32_t off, uint32_t dg_len, uint32_t wire,
		   int family, uint8_t proto, int ports, uint16_t sport, uint16_t dport)
{
	f->dir = dir;
	f->dg_off = off;
	f->dg_len = dg_len;
	f->wire_len = wire;
	f->family = family;
	f->proto = proto;
	f->ports = ports;
	f->sport = sport;
	f->dport = dport;
}

/* An Ethernet frame around one IPv4 datagram (tags optional). */
static struct frame *eth4(const unsigned *tpids, unsigned ntags, const uint8_t *src,
			  const uint8_t *dst, uint8_t proto, uint32_t total, uint16_t sport,
			  uint16_t dport, int dir)
{
	struct frame *f = next_frame(eth_frames, &n_eth, 1700000000ull * NS + 123456789ull);
	uint32_t h = put_eth(f->data, tpids, ntags, 0x0800);
	put_ipv4(f->data + h, src, dst, proto, total, sport, dport, 0);
	f->caplen = f->len = h + total;
	expect(f, dir, h, total, total, 4, proto, proto != 1, sport, dport);
	return f;
}

/* VXLAN: outer Ethernet/IPv4/UDP 4789/VXLAN, inner Ethernet/IPv4 ICMP. */
static struct frame *vxlan(const uint8_t *osrc, const uint8_t *odst, const uint8_t *isrc,
			   const uint8_t *idst, uint32_t inner_total, int dir)
{
	struct frame *f = next_frame(eth_frames, &n_eth, 1700000000ull * NS + 123456789ull);
	uint8_t *p = f->data;
	uint32_t h = put_eth(p, NULL, 0, 0x0800);
	uint32_t udp_len = 8 + 8 + 14 + inner_total;
	put_ipv4(p + h, osrc, odst, 17, 20 + udp_len, 12345, 4789, 0);
	uint8_t *u = p + h + 20;
	uint8_t *vx = u + 8;
	memset(vx, 0, 8);
	vx[0] = 0x08;
	vx[4] = 0x00;
	vx[5] = 0x13;
	vx[6] = 0x89; /* VNI 5001 */
	uint32_t ih = put_eth(vx + 8, NULL, 0, 0x0800);
	put_ipv4(vx + 8 + ih, isrc, idst, 1, inner_total, 0, 0, 0);
	f->caplen = f->len = h + 20 + udp_len;
	expect(f, dir, (uint32_t)(vx + 8 + ih - p), inner_total, inner_total, 4, 1, 0, 0, 0);
	return f;
}

static void build_eth_capture(void)
{
	static const unsigned q[] = {0x8100}, qinq[] = {0x88a8, 0x8100},
			      three[] = {0x88a8, 0x8100, 0x8100};
	struct frame *f;

	/* f0: ARP: no IP, nothing delivered. */
	f = next_frame(eth_frames, &n_eth, 1700000000ull * NS + 123456789ull);
	uint32_t h = put_eth(f->data, NULL, 0, 0x0806);
	fill(f->data + h, 28, 1);
	f->caplen = f->len = h + 28;
	/* f1: from the target, TCP. */
	eth4(NULL, 0, T4, A4, 6, 120, 40000, 80, DIR_FROM);
	/* f2: to the target, UDP, short: the frame is padded to 60 bytes, the CC is not. */
	f = eth4(NULL, 0, A4, T4, 17, 40, 53, 5353, DIR_TO);
	memset(f->data + f->caplen, 0, 60 - f->caplen);
	f->caplen = f->len = 60;
	/* f3: neither side is the target. */
	eth4(NULL, 0, X4, Y4, 17, 60, 1000, 2000, DIR_NONE);
	/* f4: IPv6, while the target is IPv4. */
	f = next_frame(eth_frames, &n_eth, 1700000000ull * NS + 123456789ull);
	h = put_eth(f->data, NULL, 0, 0x86dd);
	f->caplen = f->len = h + put_ipv6(f->data + h, P6, Q6, 17, 30, 1, 2);
	/* f5: 802.1Q, to the target. */
	eth4(q, 1, A4, T4, 6, 200, 443, 40001, DIR_TO);
	/* f6: QinQ, from the target. */
	eth4(qinq, 2, T4, B4, 17, 64, 5000, 6000, DIR_FROM);
	/* f7: VXLAN carrying the target's datagram: the CC is the inner datagram. */
	vxlan(O1, O2, T4, B4, 84, DIR_FROM);
	/* f8: the target to itself. */
	eth4(NULL, 0, T4, T4, 17, 30, 7, 7, DIR_BOTH);
	/* f9: to the target, 1000-byte datagram of which 200 bytes were captured. */
	f = eth4(NULL, 0, A4, T4, 6, 1000, 22, 50000, DIR_TO);
	f->caplen = f->dg_off + 200;
	f->dg_len = 200;
	/* f10: VXLAN whose outer source is the target but whose inner datagram is not. */
	vxlan(T4, O2, X4, Y4, 60, DIR_NONE);
	/* f11: 9729 bytes: larger than the card's largest frame. */
	f = eth4(NULL, 0, A4, T4, 17, 9729 - 14, 9, 9, DIR_NONE);
	/* f12: three VLAN tags: the card's parser stops (no IP). */
	eth4(three, 3, A4, T4, 17, 50, 1, 2, DIR_NONE);
	/* f13: a later fragment of a UDP datagram to the target: no ports. */
	f = next_frame(eth_frames, &n_eth, 1700000000ull * NS + 123456789ull);
	h = put_eth(f->data, NULL, 0, 0x0800);
	put_ipv4(f->data + h, A4, T4, 17, 100, 0, 0, 185);
	f->caplen = f->len = h + 100;
	expect(f, DIR_TO, h, 100, 100, 4, 17, 0, 0, 0);
}

static struct frame *raw6(const uint8_t *src, const uint8_t *dst, uint8_t nh, uint32_t payload,
			  uint16_t sport, uint16_t dport, int dir)
{
	struct frame *f = next_frame(raw_frames, &n_raw, 1800000000ull * NS + 5ull);
	uint32_t len = put_ipv6(f->data, src, dst, nh, payload, sport, dport);
	f->caplen = f->len = len;
	expect(f, dir, 0, len, len, 6, nh, 1, sport, dport);
	return f;
}

static void build_raw_capture(void)
{
	struct frame *f;
	raw6(T6a, N6, 17, 100, 1111, 2222, DIR_FROM);
	raw6(N6, T6b, 6, 300, 443, 3333, DIR_TO);
	raw6(N6b, N6, 17, 50, 1, 2, DIR_NONE); /* outside the /48 */
	f = next_frame(raw_frames, &n_raw, 1800000000ull * NS + 5ull);
	f->caplen = f->len = put_ipv4(f->data, T4, A4, 17, 40, 1, 2, 0);
	f = next_frame(raw_frames, &n_raw, 1800000000ull * NS + 5ull);
	fill(f->data, 40, 0); /* version nibble 0: not IP */
	f->data[0] = 0x00;
	f->caplen = f->len = 40;
	raw6(N6b, T6c, 17, 20, 7, 8, DIR_TO);
}

/* Linux cooked capture: 16-byte header, protocol last. */
static void build_sll_capture(void)
{
	struct frame *f = next_frame(sll_frames, &n_sll, 1600000000ull * NS + 654321000ull);
	memset(f->data, 0, 16);
	put16(f->data + 2, 1);
	put16(f->data + 4, 6);
	put16(f->data + 14, 0x0800);
	put_ipv4(f->data + 16, A4, T4, 17, 48, 100, 200, 0);
	f->caplen = f->len = 16 + 48;
	expect(f, DIR_TO, 16, 48, 48, 4, 17, 1, 100, 200);
	f = next_frame(sll_frames, &n_sll, 1600000000ull * NS + 654321000ull);
	memset(f->data, 0, 16);
	put16(f->data + 14, 0x0806);
	fill(f->data + 16, 28, 3);
	f->caplen = f->len = 16 + 28;
}

static void write_pcap(const char *file, int dlt, int nano, const struct frame *fr, size_t n)
{
	pcap_t *p = pcap_open_dead_with_tstamp_precision(
		dlt, 65535, nano ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
	pcap_dumper_t *d = p ? pcap_dump_open(p, file) : NULL;
	CHECK(d != NULL);
	if (d == NULL)
		exit(1);
	for (size_t i = 0; i < n; i++) {
		struct pcap_pkthdr h;
		memset(&h, 0, sizeof(h));
		h.ts.tv_sec = (time_t)(fr[i].ts_ns / NS);
		h.ts.tv_usec = (suseconds_t)(nano ? fr[i].ts_ns % NS : fr[i].ts_ns % NS / 1000);
		h.caplen = fr[i].caplen;
		h.len = fr[i].len;
		pcap_dump((u_char *)d, &h, fr[i].data);
	}
	pcap_dump_close(d);
	pcap_close(p);
}

/* ---------------------------------------------------------------------------------------
 * Decoding and expectations
 * ------------------------------------------------------------------------------------- */

#define MAX_PDUS 64
static PS_PDU_t *pdus[MAX_PDUS];
static size_t n_pdus;

static void free_pdus(void)
{
	for (size_t i = 0; i < n_pdus; i++)
		ASN_STRUCT_FREE(asn_DEF_PS_PDU, pdus[i]);
	n_pdus = 0;
}

static PS_PDU_t *decode_one(const uint8_t *buf, size_t len, size_t *used)
{
	PS_PDU_t *p = NULL;
	char err[256];
	size_t errlen = sizeof(err);
	asn_dec_rval_t r = ber_decode(0, &asn_DEF_PS_PDU, (void **)&p, buf, len);
	if (r.code != RC_OK || r.consumed == 0) {
		ASN_STRUCT_FREE(asn_DEF_PS_PDU, p);
		return NULL;
	}
	if (asn_check_constraints(&asn_DEF_PS_PDU, p, err, &errlen) != 0) {
		fprintf(stderr, "encode: constraints: %s (%s)\n", err, where);
		ASN_STRUCT_FREE(asn_DEF_PS_PDU, p);
		return NULL;
	}
	*used = r.consumed;
	return p;
}

/* A TS 102 232-1 stream: concatenated PS-PDUs, nothing else. */
static void decode_stream(const uint8_t *buf, size_t len)
{
	size_t off = 0, used;
	free_pdus();
	while (off < len && n_pdus < MAX_PDUS) {
		PS_PDU_t *p = decode_one(buf + off, len - off, &used);
		CHECK(p != NULL);
		if (p == NULL)
			return;
		pdus[n_pdus++] = p;
		off += used;
	}
	CHECK(off == len);
}

static int os_eq(const OCTET_STRING_t *os, const void *p, size_t n)
{
	return os && os->size == (int)n && (n == 0 || memcmp(os->buf, p, n) == 0);
}

static int str_eq(const OCTET_STRING_t *os, const char *s)
{
	return s ? os_eq(os, s, strlen(s)) : os == NULL;
}

static void expect_gt(char *buf, uint64_t ts_ns, unsigned frac)
{
	time_t t = (time_t)(ts_ns / NS);
	struct tm tm;
	gmtime_r(&t, &tm);
	size_t n = strftime(buf, 32, "%Y%m%d%H%M%S", &tm);
	if (frac) {
		char ns[16];
		snprintf(ns, sizeof(ns), "%09llu", (unsigned long long)(ts_ns % NS));
		buf[n++] = '.';
		memcpy(buf + n, ns, frac);
		n += frac;
	}
	buf[n++] = 'Z';
	buf[n] = '\0';
}

/* What every PSHeader of one run carries. */
struct hdr_want {
	const char *liid, *op, *ne, *country, *ipid;
	uint32_t cin;
	int gt_digits; /* -1: microsecond form */
};

static void check_header(const PS_PDU_t *pdu, const struct hdr_want *w, uint32_t seq,
			 uint64_t ts_ns, int iri)
{
	const PSHeader_t *h = &pdu->pSHeader;
	const CommunicationIdentifier_t *ci = &h->communicationIdentifier;
	char gt[40];

	CHECK(str_eq(&h->lawfulInterceptionIdentifier, w->liid));
	CHECK(str_eq(&ci->networkIdentifier.operatorIdentifier, w->op));
	CHECK(str_eq(ci->networkIdentifier.networkElementIdentifier, w->ne));
	CHECK(ci->communicationIdentityNumber && *ci->communicationIdentityNumber == w->cin);
	CHECK(str_eq(h->authorizationCountryCode, w->country));
	CHECK(str_eq(ci->deliveryCountryCode, w->country));
	CHECK(str_eq(h->interceptionPointID, w->ipid));
	CHECK(h->sequenceNumber == seq);
	if (w->gt_digits < 0) {
		CHECK(h->microSecondTimeStamp &&
		      (uint64_t)h->microSecondTimeStamp->seconds == ts_ns / NS &&
		      (uint64_t)h->microSecondTimeStamp->microSeconds == ts_ns % NS / 1000);
		CHECK(h->timeStampQualifier && *h->timeStampQualifier == 1);
		/* IRI: the mandatory GeneralizedTime too, to the microsecond. */
		if (iri) {
			expect_gt(gt, ts_ns, 6);
			CHECK(str_eq(h->timeStamp, gt));
		} else {
			CHECK(h->timeStamp == NULL);
		}
	} else {
		expect_gt(gt, ts_ns, (unsigned)w->gt_digits);
		CHECK(str_eq(h->timeStamp, gt));
		CHECK(h->microSecondTimeStamp == NULL);
	}
}

static void check_cc(const PS_PDU_t *pdu, const struct hdr_want *w, uint32_t seq,
		     const struct frame *f)
{
	check_header(pdu, w, seq, f->ts_ns, 0);
	CHECK(pdu->payload.present == Payload_PR_cCPayloadSequence);
	if (pdu->payload.present != Payload_PR_cCPayloadSequence)
		return;
	CHECK(pdu->payload.choice.cCPayloadSequence.list.count == 1);
	const CCPayload_t *cc = pdu->payload.choice.cCPayloadSequence.list.array[0];
	CHECK(cc->payloadDirection && *cc->payloadDirection == f->dir);
	CHECK(cc->cCContents.present == CCContents_PR_iPCC);
	const IPCC_t *ipcc = &cc->cCContents.choice.iPCC;
	CHECK(ipcc->iPCCContents.present == IPCCContents_PR_iPPackets);
	CHECK(os_eq(&ipcc->iPCCContents.choice.iPPackets, f->data + f->dg_off, f->dg_len));
}

struct iri_want {
	int type;            /* 1 BEGIN, 2 END */
	int family;
	const uint8_t *addr;
	int prefix;          /* 0: none */
	uint64_t start_ns, end_ns;
	long rx, tx;
	int gt_digits;       /* -1: micro form (6 digits in the IRI times) */
};

static const IPIRIContents_t *iri_contents(const PS_PDU_t *pdu, const IRIPayload_t **out)
{
	if (pdu->payload.present != Payload_PR_iRIPayloadSequence ||
	    pdu->payload.choice.iRIPayloadSequence.list.count != 1)
		return NULL;
	const IRIPayload_t *ip = pdu->payload.choice.iRIPayloadSequence.list.array[0];
	*out = ip;
	if (ip->iRIContents.present != IRIContents_PR_iPIRI)
		return NULL;
	return &ip->iRIContents.choice.iPIRI.iPIRIContents;
}

static void check_target_ip(const IPAddress_t *a, const struct iri_want *w)
{
	static const uint8_t mask20[4] = {255, 255, 240, 0};
	CHECK(a != NULL);
	if (a == NULL)
		return;
	CHECK(a->iP_type == (w->family == 4 ? 0 : 1));
	CHECK(a->iP_value.present == IP_value_PR_iPBinaryAddress &&
	      os_eq(&a->iP_value.choice.iPBinaryAddress, w->addr, w->family == 4 ? 4 : 16));
	CHECK(a->iP_assignment && *a->iP_assignment == 3);
	if (w->family == 6) {
		CHECK(a->iPv4SubnetMask == NULL);
		CHECK(w->prefix ? a->iPv6PrefixLength && *a->iPv6PrefixLength == w->prefix
				: a->iPv6PrefixLength == NULL);
	} else {
		CHECK(a->iPv6PrefixLength == NULL);
		CHECK(w->prefix ? os_eq(a->iPv4SubnetMask, mask20, 4) && w->prefix == 20
				: a->iPv4SubnetMask == NULL);
	}
}

static void check_iri(const PS_PDU_t *pdu, const struct hdr_want *hw, uint32_t seq,
		      uint64_t ts_ns, const struct iri_want *w)
{
	const IRIPayload_t *ip = NULL;
	char gt[40];
	unsigned frac = w->gt_digits < 0 ? 6u : (unsigned)w->gt_digits;

	check_header(pdu, hw, seq, ts_ns, 1);
	const IPIRIContents_t *c = iri_contents(pdu, &ip);
	CHECK(c != NULL);
	if (c == NULL)
		return;
	CHECK(ip->iRIType && *ip->iRIType == w->type);
	CHECK(c->accessEventType == (w->type == 1 ? 7 : 8));
	CHECK(c->targetUsername.size == 0);
	CHECK(c->internetAccessType == 4);
	CHECK(c->iPVersion == (w->family == 4 ? 1 : 2));
	check_target_ip(c->targetIPAddress, w);
	expect_gt(gt, w->start_ns, frac);
	CHECK(str_eq(c->startTime, gt));
	if (w->type == 1) {
		CHECK(c->endTime == NULL && c->endReason == NULL);
		CHECK(c->octetsReceived == NULL && c->octetsTransmitted == NULL);
		return;
	}
	expect_gt(gt, w->end_ns, frac);
	CHECK(str_eq(c->endTime, gt));
	CHECK(c->endReason && *c->endReason == 0);
	CHECK(c->octetsReceived && *c->octetsReceived == w->rx);
	CHECK(c->octetsTransmitted && *c->octetsTransmitted == w->tx);
}

/* The matched frames of a capture, in order, and the IRI figures they give. */
struct matched {
	const struct frame *f[16];
	size_t n;
	long rx, tx;
};

static void matched_of(const struct frame *fr, size_t n, struct matched *m)
{
	memset(m, 0, sizeof(*m));
	for (size_t i = 0; i < n; i++) {
		if (fr[i].dir == DIR_NONE)
			continue;
		m->f[m->n++] = &fr[i];
		if (fr[i].dir != DIR_FROM)
			m->rx += fr[i].wire_len;
		if (fr[i].dir != DIR_TO)
			m->tx += fr[i].wire_len;
	}
}

static int err_has(const char *s)
{
	return strstr(errtext, s) != NULL;
}

/* ---------------------------------------------------------------------------------------
 * hi format
 * ------------------------------------------------------------------------------------- */

static const char LIID[] = "LIID-ENC-0001";

static void test_hi_ethernet(void)
{
	struct hdr_want hw = {.liid = LIID, .op = "CLIF", .cin = 1, .gt_digits = -1};
	struct matched m;
	size_t len;

	snprintf(where, sizeof(where), "hi ethernet");
	matched_of(eth_frames, n_eth, &m);
	CHECK(m.n == 8);
	CHECK(run("-r", path("eth.pcap"), "-w", path("eth.hi"), "--liid", LIID, "--target",
		  "10.0.0.5", NULL) == 0);
	CHECK(err_has("clif-encode: 14 packets read, 8 matched, 2 skipped as non-IP, "
		      "3 skipped as not matching, 1 skipped as oversize, 1 truncated\n"));
	CHECK(!err_has(LIID) && !err_has("10.0.0.5"));
	uint8_t *buf = read_file(path("eth.hi"), &len);
	char line[96];
	snprintf(line, sizeof(line), "clif-encode: 2 IRI and 8 CC PDUs written, %zu bytes\n", len);
	CHECK(err_has(line));
	decode_stream(buf, len);
	CHECK(n_pdus == m.n + 2);
	if (n_pdus == m.n + 2) {
		struct iri_want iw = {.type = 1, .family = 4, .addr = T4,
				      .start_ns = m.f[0]->ts_ns, .gt_digits = -1};
		check_iri(pdus[0], &hw, 0, m.f[0]->ts_ns, &iw);
		for (size_t i = 0; i < m.n; i++) {
			snprintf(where, sizeof(where), "hi ethernet CC %zu", i);
			check_cc(pdus[1 + i], &hw, (uint32_t)i, m.f[i]);
		}
		snprintf(where, sizeof(where), "hi ethernet IRI END");
		iw.type = 2;
		iw.end_ns = m.f[m.n - 1]->ts_ns;
		iw.rx = m.rx;
		iw.tx = m.tx;
		check_iri(pdus[n_pdus - 1], &hw, 1, iw.end_ns, &iw);
	}
	/* The figures, worked out by hand from the frame list. */
	CHECK(m.rx == 40 + 200 + 30 + 1000 + 100 && m.tx == 120 + 64 + 84 + 30);
	free(buf);

	/* The same to standard output gives the same bytes. */
	snprintf(where, sizeof(where), "hi to stdout");
	size_t len2;
	uint8_t *file = read_file(path("eth.hi"), &len);
	CHECK(run("-r", path("eth.pcap"), "-w", "-", "--liid", LIID, "--target", "10.0.0.5",
		  NULL) == 0);
	uint8_t *out = read_file(path("stdout.txt"), &len2);
	CHECK(len2 == len && len > 0 && memcmp(out, file, len) == 0);
	free(out);
	free(file);
}

/* A CIDR target: the IRI carries the subnet mask; the same datagrams match. */
static void test_hi_cidr4(void)
{
	struct hdr_want hw = {.liid = LIID, .op = "CLIF", .cin = 1, .gt_digits = -1};
	struct matched m;
	size_t len;
	static const uint8_t net[4] = {10, 0, 0, 0};

	snprintf(where, sizeof(where), "hi cidr4");
	matched_of(eth_frames, n_eth, &m);
	CHECK(run("-r", path("eth.pcap"), "-w", path("cidr.hi"), "--liid", LIID, "--target",
		  "10.0.15.77/20", NULL) == 0);
	uint8_t *buf = read_file(path("cidr.hi"), &len);
	decode_stream(buf, len);
	CHECK(n_pdus == m.n + 2);
	if (n_pdus == m.n + 2) {
		struct iri_want iw = {.type = 1, .family = 4, .addr = net, .prefix = 20,
				      .start_ns = m.f[0]->ts_ns, .gt_digits = -1};
		check_iri(pdus[0], &hw, 0, m.f[0]->ts_ns, &iw);
		for (size_t i = 0; i < m.n; i++)
			check_cc(pdus[1 + i], &hw, (uint32_t)i, m.f[i]);
	}
	free(buf);
}

/* Every header option, the GeneralizedTime form, a raw-IP capture, an IPv6 prefix and the
 * wrap of the sequence numbers after 2^32-1. */
static void test_hi_raw_options(void)
{
	struct hdr_want hw = {.liid = "X", .op = "OPX", .ne = "NE-7", .country = "DE",
			      .ipid = "IPID1", .cin = 77, .gt_digits = 9};
	static const uint32_t cc_seq[] = {4294967295u, 0, 1};
	static uint8_t net[16];
	struct matched m;
	size_t len;

	snprintf(where, sizeof(where), "hi raw options");
	memcpy(net, T6a, 6);
	matched_of(raw_frames, n_raw, &m);
	CHECK(m.n == 3);
	CHECK(run("-r", path("raw.pcap"), "-w", path("raw.hi"), "--liid", "X", "--target",
		  "2001:db8:1:0:ffff::1/48", "--cin", "77", "--operator", "OPX", "--ne", "NE-7",
		  "--country", "DE", "--ipid", "IPID1", "--timestamp", "gt:9", "--first-seq",
		  "4294967295", NULL) == 0);
	CHECK(err_has("clif-encode: 6 packets read, 3 matched, 1 skipped as non-IP, "
		      "2 skipped as not matching, 0 skipped as oversize, 0 truncated\n"));
	uint8_t *buf = read_file(path("raw.hi"), &len);
	decode_stream(buf, len);
	CHECK(n_pdus == 5);
	if (n_pdus == 5) {
		struct iri_want iw = {.type = 1, .family = 6, .addr = net, .prefix = 48,
				      .start_ns = m.f[0]->ts_ns, .gt_digits = 9};
		check_iri(pdus[0], &hw, 4294967295u, m.f[0]->ts_ns, &iw);
		for (size_t i = 0; i < 3; i++)
			check_cc(pdus[1 + i], &hw, cc_seq[i], m.f[i]);
		iw.type = 2;
		iw.end_ns = m.f[2]->ts_ns;
		iw.rx = 340 + 60;
		iw.tx = 140;
		CHECK(m.rx == iw.rx && m.tx == iw.tx);
		check_iri(pdus[4], &hw, 0, iw.end_ns, &iw);
	}
	free(buf);
}

static void test_hi_no_iri(void)
{
	struct hdr_want hw = {.liid = LIID, .op = "CLIF", .cin = 1, .gt_digits = -1};
	struct matched m;
	size_t len;

	snprintf(where, sizeof(where), "hi --no-iri");
	matched_of(eth_frames, n_eth, &m);
	CHECK(run("-r", path("eth.pcap"), "-w", path("cc.hi"), "--liid", LIID, "--target",
		  "10.0.0.5", "--no-iri", NULL) == 0);
	CHECK(err_has("clif-encode: 0 IRI and 8 CC PDUs written"));
	uint8_t *buf = read_file(path("cc.hi"), &len);
	decode_stream(buf, len);
	CHECK(n_pdus == m.n);
	for (size_t i = 0; i < n_pdus && i < m.n; i++)
		check_cc(pdus[i], &hw, (uint32_t)i, m.f[i]);
	free(buf);
}

static void test_hi_no_match(void)
{
	size_t len = 1;

	snprintf(where, sizeof(where), "hi no match");
	CHECK(run("-r", path("eth.pcap"), "-w", path("none.hi"), "--liid", LIID, "--target",
		  "10.9.9.9", NULL) == 0);
	uint8_t *buf = read_file(path("none.hi"), &len);
	CHECK(len == 0);
	CHECK(err_has("no datagram matched the target: no PDU written"));
	CHECK(err_has("clif-encode: 0 IRI and 0 CC PDUs written, 0 bytes"));
	free(buf);
}

/* Linux cooked capture with microsecond timestamps. */
static void test_hi_sll(void)
{
	struct hdr_want hw = {.liid = LIID, .op = "CLIF", .cin = 1, .gt_digits = -1};
	size_t len;

	snprintf(where, sizeof(where), "hi sll");
	CHECK(run("-r", path("sll.pcap"), "-w", path("sll.hi"), "--liid", LIID, "--target",
		  "10.0.0.5", "--no-iri", NULL) == 0);
	CHECK(err_has("2 packets read, 1 matched, 1 skipped as non-IP"));
	uint8_t *buf = read_file(path("sll.hi"), &len);
	decode_stream(buf, len);
	CHECK(n_pdus == 1);
	if (n_pdus == 1)
		check_cc(pdus[0], &hw, 0, &sll_frames[0]);
	free(buf);
}

/* ---------------------------------------------------------------------------------------
 * x2x3 format
 * ------------------------------------------------------------------------------------- */

static const uint8_t XID[16] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
				0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10};
static const char XID_TEXT[] = "01234567-89AB-cdef-fedc-ba9876543210";

#define MAX_X 32
static struct x2x3_pdu xp[MAX_X];
static size_t n_x;

static void parse_x2x3(const uint8_t *buf, size_t len)
{
	size_t off = 0;
	n_x = 0;
	while (off < len && n_x < MAX_X) {
		long n = x2x3_frame_len(buf + off, len - off, X2X3_MAX_PDU);
		CHECK(n > 0 && (size_t)n <= len - off);
		if (n <= 0 || (size_t)n > len - off)
			return;
		CHECK(x2x3_parse(buf + off, (size_t)n, &xp[n_x]) == 0);
		CHECK(xp[n_x].unknown_attrs == 0 && xp[n_x].repeated_attrs == 0);
		n_x++;
		off += (size_t)n;
	}
	CHECK(off == len);
}

static int target_is(const struct x2x3_pdu *p, const char *xml)
{
	return (p->has & X2X3_HAS_MATCHED_TARGET) && p->matched_target_len == strlen(xml) &&
	       memcmp(p->matched_target, xml, strlen(xml)) == 0;
}

static void check_x3(const struct x2x3_pdu *p, uint32_t seq, uint64_t cid, const char *xml,
		     const struct frame *f)
{
	static const uint16_t x3dir[] = {3, 2, 1};
	unsigned alen = f->family == 4 ? 4u : 16u;
	const uint8_t *ip = f->data + f->dg_off;
	unsigned want = X2X3_HAS_SEQ | X2X3_HAS_TIMESTAMP | X2X3_HAS_SRC_IP | X2X3_HAS_DST_IP |
			X2X3_HAS_IP_PROTO | X2X3_HAS_MATCHED_TARGET;

	if (f->ports)
		want |= X2X3_HAS_SRC_PORT | X2X3_HAS_DST_PORT;
	CHECK(p->pdu_type == X2X3_PDU_X3);
	CHECK(p->payload_format == (f->family == 4 ? 5 : 6));
	CHECK(p->payload_dir == x3dir[f->dir]);
	CHECK(memcmp(p->xid, XID, 16) == 0);
	CHECK(p->correlation_id == cid);
	CHECK(p->has == want);
	CHECK(p->seq == seq);
	CHECK(p->ts_sec == f->ts_ns / NS && p->ts_nsec == f->ts_ns % NS);
	CHECK(p->ip_len == alen);
	CHECK(memcmp(p->src_ip, ip + (f->family == 4 ? 12 : 8), alen) == 0);
	CHECK(memcmp(p->dst_ip, ip + (f->family == 4 ? 16 : 24), alen) == 0);
	CHECK(p->ip_proto == f->proto);
	if (f->ports)
		CHECK(p->src_port == f->sport && p->dst_port == f->dport);
	CHECK(target_is(p, xml));
	CHECK(p->payload_len == f->dg_len && memcmp(p->payload, ip, f->dg_len) == 0);
}

/* An X2 carrying the IRI: fixed fields here, the PS-PDU with check_iri. */
static const PS_PDU_t *check_x2(const struct x2x3_pdu *p, uint32_t seq, uint64_t cid,
				const char *xml, uint64_t ts_ns)
{
	size_t used = 0;
	CHECK(p->pdu_type == X2X3_PDU_X2);
	CHECK(p->payload_format == 1);
	CHECK(p->payload_dir == 5);
	CHECK(memcmp(p->xid, XID, 16) == 0);
	CHECK(p->correlation_id == cid);
	CHECK(p->has == (X2X3_HAS_SEQ | X2X3_HAS_TIMESTAMP | X2X3_HAS_MATCHED_TARGET));
	CHECK(p->seq == seq);
	CHECK(p->ts_sec == ts_ns / NS && p->ts_nsec == ts_ns % NS);
	CHECK(target_is(p, xml));
	free_pdus();
	PS_PDU_t *pdu = decode_one(p->payload, p->payload_len, &used);
	CHECK(pdu != NULL && used == p->payload_len);
	if (pdu)
		pdus[n_pdus++] = pdu;
	return pdu;
}

static void test_x2x3_ethernet(void)
{
	struct hdr_want hw = {.liid = LIID, .op = "CLIF", .cin = 9, .gt_digits = -1};
	static const char xml[] = "<ipv4Address>10.0.0.5</ipv4Address>";
	struct matched m;
	size_t len;

	snprintf(where, sizeof(where), "x2x3 ethernet");
	matched_of(eth_frames, n_eth, &m);
	CHECK(run("-r", path("eth.pcap"), "-w", path("eth.x"), "--liid", LIID, "--target",
		  "10.0.0.5", "--format", "x2x3", "--xid", XID_TEXT, "--cin", "9", NULL) == 0);
	CHECK(err_has("clif-encode: 2 X2 and 8 X3 PDUs written"));
	CHECK(!err_has(LIID) && !err_has("10.0.0.5") && !err_has("01234567"));
	uint8_t *buf = read_file(path("eth.x"), &len);
	parse_x2x3(buf, len);
	CHECK(n_x == m.n + 2);
	if (n_x == m.n + 2) {
		struct iri_want iw = {.type = 1, .family = 4, .addr = T4,
				      .start_ns = m.f[0]->ts_ns, .gt_digits = -1};
		const PS_PDU_t *iri = check_x2(&xp[0], 0, 9, xml, m.f[0]->ts_ns);
		if (iri)
			check_iri(iri, &hw, 0, m.f[0]->ts_ns, &iw);
		for (size_t i = 0; i < m.n; i++) {
			snprintf(where, sizeof(where), "x2x3 ethernet X3 %zu", i);
			check_x3(&xp[1 + i], (uint32_t)i, 9, xml, m.f[i]);
		}
		snprintf(where, sizeof(where), "x2x3 ethernet X2 END");
		iw.type = 2;
		iw.end_ns = m.f[m.n - 1]->ts_ns;
		iw.rx = m.rx;
		iw.tx = m.tx;
		iri = check_x2(&xp[n_x - 1], 1, 9, xml, iw.end_ns);
		if (iri)
			check_iri(iri, &hw, 1, iw.end_ns, &iw);
	}
	free(buf);
}

static void test_x2x3_raw6(void)
{
	struct hdr_want hw = {.liid = "X", .op = "CLIF", .cin = 1, .gt_digits = -1};
	static const char xml[] = "<ipv6Cidr>2001:db8:1::/48</ipv6Cidr>";
	static const uint32_t seq3[] = {4294967295u, 0, 1};
	static uint8_t net[16];
	struct matched m;
	size_t len;

	snprintf(where, sizeof(where), "x2x3 raw ipv6");
	memcpy(net, T6a, 6);
	matched_of(raw_frames, n_raw, &m);
	CHECK(run("-r", path("raw.pcap"), "-w", path("raw.x"), "--liid", "X", "--target",
		  "2001:db8:1::/48", "--format", "x2x3", "--xid", XID_TEXT, "--first-seq",
		  "4294967295", NULL) == 0);
	uint8_t *buf = read_file(path("raw.x"), &len);
	parse_x2x3(buf, len);
	CHECK(n_x == 5);
	if (n_x == 5) {
		struct iri_want iw = {.type = 2, .family = 6, .addr = net, .prefix = 48,
				      .start_ns = m.f[0]->ts_ns, .end_ns = m.f[2]->ts_ns,
				      .rx = m.rx, .tx = m.tx, .gt_digits = -1};
		check_x2(&xp[0], 4294967295u, 1, xml, m.f[0]->ts_ns);
		for (size_t i = 0; i < 3; i++)
			check_x3(&xp[1 + i], seq3[i], 1, xml, m.f[i]);
		const PS_PDU_t *iri = check_x2(&xp[4], 0, 1, xml, m.f[2]->ts_ns);
		if (iri)
			check_iri(iri, &hw, 0, m.f[2]->ts_ns, &iw);
	}
	free(buf);
}

static void test_x2x3_cidr4_no_iri(void)
{
	static const char xml[] = "<ipv4Cidr>10.0.0.0/24</ipv4Cidr>";
	struct matched m;
	size_t len;

	snprintf(where, sizeof(where), "x2x3 cidr4 --no-iri");
	matched_of(eth_frames, n_eth, &m);
	CHECK(run("-r", path("eth.pcap"), "-w", path("cidr.x"), "--liid", LIID, "--target",
		  "10.0.0.0/24", "--format", "x2x3", "--xid", XID_TEXT, "--no-iri", NULL) == 0);
	uint8_t *buf = read_file(path("cidr.x"), &len);
	parse_x2x3(buf, len);
	CHECK(n_x == m.n);
	for (size_t i = 0; i < n_x && i < m.n; i++)
		check_x3(&xp[i], (uint32_t)i, 1, xml, m.f[i]);
	free(buf);
}

/* ---------------------------------------------------------------------------------------
 * Delivery over TCP and TLS
 * ------------------------------------------------------------------------------------- */

static int listener(unsigned *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 1) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &al) < 0)
		return -1;
	*port = ntohs(a.sin_port);
	return fd;
}

static int accept_within(int lfd, int seconds)
{
	struct pollfd p = {.fd = lfd, .events = POLLIN};
	if (poll(&p, 1, seconds * 1000) != 1)
		return -1;
	return accept(lfd, NULL, NULL);
}

struct rx {
	uint8_t *buf;
	size_t len, cap;
};

static void rx_add(struct rx *r, const void *p, size_t n)
{
	if (r->cap - r->len < n) {
		r->cap = (r->cap + n) * 2;
		r->buf = realloc(r->buf, r->cap);
	}
	memcpy(r->buf + r->len, p, n);
	r->len += n;
}

static void test_send_tcp(void)
{
	unsigned port;
	char hp[32];
	size_t flen;
	struct rx r = {0};
	uint8_t chunk[65536];
	ssize_t n;

	snprintf(where, sizeof(where), "send tcp");
	int lfd = listener(&port);
	CHECK(lfd >= 0);
	if (lfd < 0)
		return;
	snprintf(hp, sizeof(hp), "127.0.0.1:%u", port);
	const char *args[] = {"-r", path("eth.pcap"), "--send", hp, "--liid", LIID,
			      "--target", "10.0.0.5", NULL};
	pid_t pid = spawn(args);
	int c = accept_within(lfd, 20);
	CHECK(c >= 0);
	while (c >= 0 && (n = read(c, chunk, sizeof(chunk))) > 0)
		rx_add(&r, chunk, (size_t)n);
	if (c >= 0)
		close(c);
	CHECK(finish(pid) == 0);
	uint8_t *file = read_file(path("eth.hi"), &flen);
	CHECK(r.len == flen && flen > 0 && memcmp(r.buf, file, flen) == 0);
	free(file);
	free(r.buf);

	/* Nobody listening any more: a network failure, exit 1. */
	close(lfd);
	snprintf(where, sizeof(where), "send refused");
	CHECK(run("-r", path("eth.pcap"), "--send", hp, "--liid", LIID, "--target", "10.0.0.5",
		  NULL) == 1);
	CHECK(err_has("cannot connect to the receiver"));
}

static EVP_PKEY *key_and_cert(const char *name, const char *keyfile, const char *certfile,
			      X509 **cert_out)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509V3_CTX v3;
	char san[80];
	FILE *f;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, k);
	X509_NAME *n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)name, -1, -1, 0);
	X509_set_issuer_name(x, n);
	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	snprintf(san, sizeof(san), "DNS:%s", name);
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, san);
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	e = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints, "critical,CA:TRUE");
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	X509_sign(x, k, EVP_sha256());
	f = fopen(keyfile, "w");
	PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
	fclose(f);
	f = fopen(certfile, "w");
	PEM_write_X509(f, x);
	fclose(f);
	*cert_out = x;
	return k;
}

/* One TLS session as the receiver: returns the bytes received, or -1 if the handshake fails. */
static long tls_receive(SSL_CTX *sctx, int lfd, struct rx *r, int *version)
{
	uint8_t chunk[65536];
	int n;
	long rc = -1;
	int c = accept_within(lfd, 20);
	if (c < 0)
		return -1;
	SSL *s = SSL_new(sctx);
	SSL_set_fd(s, c);
	if (SSL_accept(s) == 1) {
		*version = SSL_version(s);
		while ((n = SSL_read(s, chunk, sizeof(chunk))) > 0)
			rx_add(r, chunk, (size_t)n);
		rc = (long)r->len;
	}
	ERR_clear_error();
	SSL_free(s);
	close(c);
	return rc;
}

static void test_send_tls(void)
{
	X509 *scert, *ccert;
	unsigned port;
	char hp[32];
	size_t flen;
	int version = 0;
	struct rx r = {0};

	snprintf(where, sizeof(where), "send tls");
	EVP_PKEY *skey = key_and_cert("clif-lemf.test", path("server.key"), path("server.pem"), &scert);
	EVP_PKEY *ckey = key_and_cert("clif-mf.test", path("client.key"), path("client.pem"), &ccert);
	SSL_CTX *sctx = SSL_CTX_new(TLS_server_method());
	CHECK(sctx && SSL_CTX_use_certificate(sctx, scert) == 1 &&
	      SSL_CTX_use_PrivateKey(sctx, skey) == 1);
	X509_STORE_add_cert(SSL_CTX_get_cert_store(sctx), ccert);
	SSL_CTX_set_verify(sctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);

	int lfd = listener(&port);
	CHECK(lfd >= 0);
	snprintf(hp, sizeof(hp), "127.0.0.1:%u", port);
	const char *args[] = {"-r", path("eth.pcap"), "--send", hp, "--tls", "--ca",
			      path("server.pem"), "--servername", "clif-lemf.test", "--cert",
			      path("client.pem"), "--key", path("client.key"), "--liid", LIID,
			      "--target", "10.0.0.5", NULL};
	pid_t pid = spawn(args);
	long got = tls_receive(sctx, lfd, &r, &version);
	CHECK(finish(pid) == 0);
	uint8_t *file = read_file(path("eth.hi"), &flen);
	CHECK(got == (long)flen && flen > 0 && memcmp(r.buf, file, flen) == 0);
	CHECK(version >= TLS1_2_VERSION);
	free(file);

	/* The server's certificate does not carry the expected name: exit 1. */
	snprintf(where, sizeof(where), "send tls wrong name");
	r.len = 0;
	const char *bad[] = {"-r", path("eth.pcap"), "--send", hp, "--tls", "--ca",
			     path("server.pem"), "--servername", "other.test", "--cert",
			     path("client.pem"), "--key", path("client.key"), "--liid", LIID,
			     "--target", "10.0.0.5", NULL};
	pid = spawn(bad);
	got = tls_receive(sctx, lfd, &r, &version);
	CHECK(finish(pid) == 1);
	CHECK(got < 0 && r.len == 0);
	CHECK(err_has("TLS handshake failed"));

	/* No client certificate: the receiver refuses the session, exit 1. */
	snprintf(where, sizeof(where), "send tls no client cert");
	r.len = 0;
	/* One small PDU: it is written before the refusal arrives, so only the wait for the
	 * receiver's close can see it (TLS 1.3 refuses a client after the client's handshake). */
	const char *nocert[] = {"-r", path("sll.pcap"), "--send", hp, "--tls", "--ca",
				path("server.pem"), "--servername", "clif-lemf.test", "--liid",
				LIID, "--target", "10.0.0.5", "--no-iri", NULL};
	pid = spawn(nocert);
	got = tls_receive(sctx, lfd, &r, &version);
	CHECK(finish(pid) == 1);
	CHECK(got < 0 && r.len == 0);
	/* Seen while sending, or at the close, depending on when the refusal arrives. */
	CHECK(err_has("cannot send to the receiver (TLS)") ||
	      err_has("the receiver refused or ended the TLS session"));

	close(lfd);
	free(r.buf);
	SSL_CTX_free(sctx);
	X509_free(scert);
	X509_free(ccert);
	EVP_PKEY_free(skey);
	EVP_PKEY_free(ckey);
}

/* ---------------------------------------------------------------------------------------
 * Bad input: exit 2 and a message, never an identifier in it
 * ------------------------------------------------------------------------------------- */

static void bad(const char *what, const char *msg, const char *first, ...)
{
	const char *args[64];
	va_list ap;
	va_start(ap, first);
	collect_args(args, first, ap);
	va_end(ap);
	snprintf(where, sizeof(where), "bad input: %s", what);
	unlink(path("bad.out"));
	CHECK(finish(spawn(args)) == 2);
	CHECK(err_has(msg));
	CHECK(!err_has(LIID) && !err_has("10.0.0.5"));
	/* Nothing is created for a usage error. */
	CHECK(access(path("bad.out"), F_OK) != 0);
}

static void test_bad_inputs(void)
{
	static const char liid26[] = "LIID-ENC-0001-ABCDEFGHIJK"; /* 25 ... */
	char long_liid[32];
	FILE *f;

	snprintf(long_liid, sizeof(long_liid), "%sZ", liid26);
	CHECK(strlen(liid26) == 25 && strlen(long_liid) == 26);
	f = fopen(path("text.pcap"), "w");
	fputs("this is not a capture file, just some text long enough for libpcap\n", f);
	fclose(f);
	write_pcap(path("ppp.pcap"), DLT_PPP, 0, eth_frames, 2);
	/* A capture cut in the middle of its second record. */
	size_t len;
	uint8_t *whole = read_file(path("eth.pcap"), &len);
	f = fopen(path("cut.pcap"), "w");
	fwrite(whole, 1, 24 + 16 + eth_frames[0].caplen + 16 + 10, f);
	fclose(f);
	free(whole);

	bad("missing file", "cannot read the capture", "-r", path("missing.pcap"), "-w",
	    path("bad.out"), "--liid", LIID, "--target", "10.0.0.5", NULL);
	bad("not a pcap", "cannot read the capture", "-r", path("text.pcap"), "-w",
	    path("bad.out"), "--liid", LIID, "--target", "10.0.0.5", NULL);
	bad("link type", "link type PPP (9) is not supported", "-r", path("ppp.pcap"), "-w",
	    path("bad.out"), "--liid", LIID, "--target", "10.0.0.5", NULL);
	bad("26-byte LIID", "--liid: the LIID must be 1 to 25 bytes", "-r", path("eth.pcap"),
	    "-w", path("bad.out"), "--liid", long_liid, "--target", "10.0.0.5", NULL);
	CHECK(!err_has(long_liid));
	bad("empty LIID", "--liid: the LIID must be 1 to 25 bytes", "-r", path("eth.pcap"), "-w",
	    path("bad.out"), "--liid", "", "--target", "10.0.0.5", NULL);
	bad("target 10.0.0.300", "--target: expected an IPv4 or IPv6 address", "-r",
	    path("eth.pcap"), "-w", path("bad.out"), "--liid", LIID, "--target", "10.0.0.300",
	    NULL);
	CHECK(!err_has("10.0.0.300"));
	bad("target /33", "--target: expected an IPv4 or IPv6 address", "-r", path("eth.pcap"),
	    "-w", path("bad.out"), "--liid", LIID, "--target", "10.0.0.0/33", NULL);
	CHECK(!err_has("10.0.0.0"));
	bad("target /0", "--target:", "-r", path("eth.pcap"), "-w", path("bad.out"), "--liid",
	    LIID, "--target", "10.0.0.0/0", NULL);
	bad("target v6 /129", "--target:", "-r", path("eth.pcap"), "-w", path("bad.out"),
	    "--liid", LIID, "--target", "2001:db8::/129", NULL);
	bad("format", "--format: expected hi or x2x3", "-r", path("eth.pcap"), "-w",
	    path("bad.out"), "--liid", LIID, "--target", "10.0.0.5", "--format", "x3", NULL);
	bad("x2x3 without xid", "--format x2x3 needs --xid", "-r", path("eth.pcap"), "-w",
	    path("bad.out"), "--liid", LIID, "--target", "10.0.0.5", "--format", "x2x3", NULL);
	bad("short xid", "--xid: expected a UUID", "-r", path("eth.pcap"), "-w", path("bad.out"),
	    "--liid", LIID, "--target", "10.0.0.5", "--format", "x2x3", "--xid", "1234", NULL);
	bad("xid not hex", "--xid: expected a UUID", "-r", path("eth.pcap"), "-w",
	    path("bad.out"), "--liid", LIID, "--target", "10.0.0.5", "--format", "x2x3", "--xid",
	    "0123456g-89ab-cdef-fedc-ba9876543210", NULL);
	CHECK(!err_has("0123456g"));
	bad("cin", "--cin: expected a number", "-r", path("eth.pcap"), "-w", path("bad.out"),
	    "--liid", LIID, "--target", "10.0.0.5", "--cin", "4294967296", NULL);
	bad("first-seq", "--first-seq: expected a number", "-r", path("eth.pcap"), "-w",
	    path("bad.out"), "--liid", LIID, "--target", "10.0.0.5", "--first-seq", "-1", NULL);
	bad("timestamp", "--timestamp: expected micro", "-r", path("eth.pcap"), "-w",
	    path("bad.out"), "--liid", LIID, "--target", "10.0.0.5", "--timestamp", "gt:10",
	    NULL);
	bad("country", "--country: expected two capital letters", "-r", path("eth.pcap"), "-w",
	    path("bad.out"), "--liid", LIID, "--target", "10.0.0.5", "--country", "de", NULL);
	bad("ipid", "--ipid: expected 1 to 8 printable", "-r", path("eth.pcap"), "-w",
	    path("bad.out"), "--liid", LIID, "--target", "10.0.0.5", "--ipid", "123456789", NULL);
	bad("operator", "--operator: the operator ID must be 1 to 16 bytes", "-r",
	    path("eth.pcap"), "-w", path("bad.out"), "--liid", LIID, "--target", "10.0.0.5",
	    "--operator", "ABCDEFGHIJKLMNOPQ", NULL);
	bad("output is the input", "-w names the capture itself", "-r", path("eth.pcap"), "-w",
	    path("eth.pcap"), "--liid", LIID, "--target", "10.0.0.5", NULL);
	bad("no output", "give exactly one of -w FILE and --send HOST:PORT", "-r",
	    path("eth.pcap"), "--liid", LIID, "--target", "10.0.0.5", NULL);
	bad("no target", "--target is required", "-r", path("eth.pcap"), "-w", path("bad.out"),
	    "--liid", LIID, NULL);
	bad("tls without send", "--tls applies to --send only", "-r", path("eth.pcap"), "-w",
	    path("bad.out"), "--liid", LIID, "--target", "10.0.0.5", "--tls", NULL);
	bad("unknown option", "unknown option --bogus", "-r", path("eth.pcap"), "-w",
	    path("bad.out"), "--liid", LIID, "--target", "10.0.0.5", "--bogus=10.0.0.5", NULL);
	bad("value for a flag", "the option --no-iri takes no value", "-r", path("eth.pcap"),
	    "-w", path("bad.out"), "--liid", LIID, "--target", "10.0.0.5", "--no-iri=LIID-ENC-0001",
	    NULL);

	/* A damaged capture is bad input too: what was read is delivered, then exit 2. */
	snprintf(where, sizeof(where), "bad input: cut capture");
	CHECK(run("-r", path("cut.pcap"), "-w", path("cut.hi"), "--liid", LIID, "--target",
		  "10.0.0.5", NULL) == 2);
	CHECK(err_has("the capture is damaged after 1 packets"));
	CHECK(err_has("1 packets read, 0 matched, 1 skipped as non-IP"));

	/* An output that cannot be created is an I/O failure: exit 1. */
	snprintf(where, sizeof(where), "unwritable output");
	CHECK(run("-r", path("eth.pcap"), "-w", path("no-such-dir/out"), "--liid", LIID,
		  "--target", "10.0.0.5", NULL) == 1);
	CHECK(err_has("cannot create the output file"));
}

static void test_help(void)
{
	static const char *const opts[] = {
		"-r, --read", "-w, --write", "--send HOST:PORT", "--tls", "--cert FILE",
		"--key FILE", "--ca FILE", "--servername NAME", "--liid LIID",
		"--target ADDR[/PREFIX]", "--format hi|x2x3", "--no-iri", "--cin N",
		"--operator ID", "--ne ID", "--country CC", "--ipid ID",
		"--timestamp micro|gt[:DIGITS]", "--first-seq N", "--xid UUID", "-h, --help",
		"--version", "Exit status", "non-IP", "ARP",
	};
	snprintf(where, sizeof(where), "--help");
	CHECK(run("--help", NULL) == 0);
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		CHECK(strstr(outtext, opts[i]) != NULL);
		if (!strstr(outtext, opts[i]))
			fprintf(stderr, "encode: --help lacks \"%s\"\n", opts[i]);
	}
	CHECK(errtext[0] == '\0');
	snprintf(where, sizeof(where), "--version");
	CHECK(run("--version", NULL) == 0);
	CHECK(strncmp(outtext, "clif-encode ", 12) == 0);
}

/* ---------------------------------------------------------------------------------------
 * main
 * ------------------------------------------------------------------------------------- */

static void make_addresses(void)
{
	inet_pton(AF_INET6, "2001:db8:1::10", T6a);
	inet_pton(AF_INET6, "2001:db8:1:abcd::20", T6b);
	inet_pton(AF_INET6, "2001:db8:1::30", T6c);
	inet_pton(AF_INET6, "2001:db8::1", P6);
	inet_pton(AF_INET6, "2001:db8::2", Q6);
	inet_pton(AF_INET6, "2001:db8:99::1", N6);
	inet_pton(AF_INET6, "2001:db8:2::1", N6b);
}

static void cleanup(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "encode: could not remove %s\n", tmpdir);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		encoder = argv[1];
	if (access(encoder, X_OK) != 0) {
		fprintf(stderr, "encode: %s: not found (build it first)\n", encoder);
		return 1;
	}
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/clif-test-encode-XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		perror("encode: mkdtemp");
		return 1;
	}
	/* The receivers here write to clients that may have gone: an error, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	make_addresses();
	build_eth_capture();
	build_raw_capture();
	build_sll_capture();
	write_pcap(path("eth.pcap"), DLT_EN10MB, 1, eth_frames, n_eth);
	write_pcap(path("raw.pcap"), DLT_RAW, 1, raw_frames, n_raw);
	write_pcap(path("sll.pcap"), DLT_LINUX_SLL, 0, sll_frames, n_sll);

	test_hi_ethernet();
	test_hi_cidr4();
	test_hi_raw_options();
	test_hi_no_iri();
	test_hi_no_match();
	test_hi_sll();
	test_x2x3_ethernet();
	test_x2x3_raw6();
	test_x2x3_cidr4_no_iri();
	test_send_tcp();
	test_send_tls();
	test_bad_inputs();
	test_help();
	free_pdus();

	if (failures == 0)
		cleanup();
	else
		fprintf(stderr, "encode: files kept in %s\n", tmpdir);
	printf("encode: %ld checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
