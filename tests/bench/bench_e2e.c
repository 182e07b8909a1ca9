/*
 * bench-e2e (issue 7): captured traffic through the whole chain, clif-cardsim -> clifd ->
 * mutual TLS -> a receiver, per clifd core, with 0 loss.
 *
 *   clif-bench-e2e BIN_DIR
 *
 * Runs the real clifd (BIN_DIR/clifd) and clif-cardsim through tests/clifd/harness.h. The
 * traffic is a pcap written here: PCAP_FRAMES frames of one UDP flow to the target address
 * (1500-byte IP datagrams in Ethernet, or 64-byte frames), replayed by clif-cardsim --pcap
 * --hold --loop N (every SIGUSR1 plays N passes). One X1 destination (TS 102 232-1, on
 * 127.0.0.1) and one task on the target address. clifd keeps its default delivery queue
 * (16 MiB), smaller than one play, and has no spool: a sender slower than the card shows as
 * `senders ... lost`, not as a queue that hides it for the length of a play.
 *
 * The receiver is a sink thread in this program, not clif-lemf: clif-lemf decodes every PDU
 * with asn1c, far slower than clifd encodes, so it would measure itself. The sink does what
 * a LEMF must do at least: TLS with the PKI's lemf certificate, the client (clifd) verified
 * against ca.crt, and framing with etsi_stream (hostdrv/etsi); it counts PS-PDUs whose
 * payload is a cCPayloadSequence, and the rest (IRI). Keep-alives are not answered: clifd's
 * TIME1 is set to a day, so it sends none.
 *
 * Per clifd core: bits of the targets' IP datagrams delivered, divided by the CPU time clifd
 * used (utime + stime of all its threads, /proc/PID/stat) over the measured window (SIGUSR1
 * to the last CC PDU at the sink); the wall-clock figure and the CPU seconds are printed too.
 * Loss: for every figure the sink's CC PDU count must equal clifd's `handover cc`, the card
 * rule's packet counter and the frames played, with `ring_lost 0` and `senders ... lost 0`;
 * when clifd loses at full speed, the card is paced (--rate) lower until nothing is lost,
 * and the highest lossless figure is reported with the pace.
 *
 * x1_to_first_cc_ms: with the traffic running (--loop-forever --rate 10000), ActivateTask
 * sent on a kept-alive X1 connection -> the first CC PDU of the task at the sink; N_TASKS
 * tasks one after the other (activate, first CC, deactivate, quiet).
 *
 * Comparator (the TLS floor): in this program, a TLS 1.3 connection over loopback TCP set up
 * as clifd's sender sets up its own (hostdrv/clifd/deliver.c), the same number of PDUs of the
 * CC PDU size measured, written as clifd writes them (whole PDUs, up to 64 KiB per SSL_write);
 * the sender thread's CPU time and the wall time until the receiver has read every byte. An
 * info line adds the same bytes written one SSL_write per PDU.
 *
 * Prints
 *   bench: e2e_gbps_1500B <Gb/s per clifd CPU second> Gb/s
 *   bench: e2e_mpps_64B <Mpps per clifd CPU second> Mpps
 *   bench: x1_to_first_cc_ms <median> ms
 *   bench: tls_floor_gbps_1500B <Gb/s per sender CPU second> Gb/s
 *   bench: e2e_vs_tls_floor_1500B <e2e / floor> x
 *   bench: tls_floor_mpps_64B, e2e_vs_tls_floor_64B: the same for the 64-byte frames
 * and info: lines (wall-clock figures, CPU seconds of clifd and clif-cardsim, the clifd
 * counters, the pace). Exit status 1 when a run cannot be counted (the chain does not
 * deliver, or the counts disagree in a way pacing does not cure).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "../clifd/harness.h"
#include "etsi_stream.h"
#include "libclif.h"

#define PROG "bench-e2e"
#define DID "d7000000-0000-4000-8000-00000000e2e1"
#define XID_BENCH "e7000000-0000-4000-8000-000000000001"
#define TARGET "10.77.0.2"
#define PCAP_FRAMES 4096u
#define N_TASKS 10
#define PLAY_MIN_S 2.0  /* measured plays per figure: until this much wall time ... */
#define PLAY_MAX 8      /* ... or this many */
#define MAX_TRIES 4     /* full speed, then paced lower */
#define FLOOR_BATCH_BYTES 65536u /* as deliver.c's BATCH_BYTES */
#define FLOOR_BATCH_PDUS 512u    /* as deliver.c's BATCH_PDUS */

static const uint8_t SRC_IP[4] = { 10, 77, 0, 1 }, DST_IP[4] = { 10, 77, 0, 2 };

/* ---- time ---- */

/* utime + stime of one /proc stat file (seconds), its command name in comm[16]; -1 when gone. */
static double stat_cpu(const char *path, char *comm)
{
	static long hz;
	char *text = hx_read_file(path, NULL), *p, *q;
	unsigned long long ut = 0, st = 0;

	if (!hz)
		hz = sysconf(_SC_CLK_TCK);
	if (!text)
		return -1;
	p = strrchr(text, ')'); /* the command name may hold spaces */
	q = strchr(text, '(');
	if (!p || !q || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2) {
		free(text);
		return -1;
	}
	if (comm)
		snprintf(comm, 16, "%.*s", (int)(p - q - 1), q + 1);
	free(text);
	return (double)(ut + st) / (double)hz;
}

/* CPU seconds of every thread of pid (all threads, /proc/PID/stat); dies when it is gone. */
static double cpu_of(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	double c = stat_cpu(path, NULL);
	if (c < 0)
		die("cannot read %s", path);
	return c;
}

#define MAX_THREADS 32

/* The threads of a process and their CPU seconds. */
struct threads {
	int n;
	int tid[MAX_THREADS];
	char comm[MAX_THREADS][16];
	double cpu[MAX_THREADS];
};

static void threads_of(pid_t pid, struct threads *t)
{
	char path[80];
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	t->n = 0;
	if (!(d = opendir(path)))
		return;
	while ((e = readdir(d)) && t->n < MAX_THREADS) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%.12s/stat", (int)pid, e->d_name);
		double c = stat_cpu(path, t->comm[t->n]);
		if (c < 0)
			continue;
		t->tid[t->n] = atoi(e->d_name);
		t->cpu[t->n++] = c;
	}
	closedir(d);
}

/* "name(tid) cpu-s" for every thread that used CPU between a and b, into out. */
static void threads_diff(const struct threads *a, const struct threads *b, char *out, size_t cap)
{
	size_t len = 0;

	out[0] = '\0';
	for (int i = 0; i < b->n; i++) {
		double c0 = 0;
		for (int j = 0; j < a->n; j++)
			if (a->tid[j] == b->tid[i])
				c0 = a->cpu[j];
		if (b->cpu[i] - c0 < 0.005 || len + 48 > cap)
			continue;
		len += (size_t)snprintf(out + len, cap - len, "%s%s(%d) %.2f", len ? ", " : "", b->comm[i],
					b->tid[i], b->cpu[i] - c0);
	}
}

static double thread_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* ---- the traffic ---- */

static uint16_t ip_csum(const uint8_t *h)
{
	uint32_t s = 0;

	for (int i = 0; i < 20; i += 2)
		s += (uint32_t)(h[i] << 8 | h[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* PCAP_FRAMES UDP frames of frame_len bytes (Ethernet header included), SRC_IP -> DST_IP. */
static void write_pcap(const char *path, unsigned frame_len)
{
	static uint8_t f[1600];
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d = p ? pcap_dump_open(p, path) : NULL;
	unsigned ip_len = frame_len - 14;

	if (!d)
		die("cannot write %s", path);
	memset(f, 0, sizeof(f));
	memcpy(f, "\x02\x00\x00\x00\x00\x0b\x02\x00\x00\x00\x00\x0a\x08\x00", 14);
	for (unsigned i = 0; i < PCAP_FRAMES; i++) {
		uint8_t *ip = f + 14, *udp = ip + 20;
		struct pcap_pkthdr h = { .ts = { 1700000000, (suseconds_t)i }, .caplen = frame_len, .len = frame_len };
		uint16_t id = (uint16_t)i, sport = (uint16_t)(40000 + i % 16);

		ip[0] = 0x45;
		ip[2] = (uint8_t)(ip_len >> 8), ip[3] = (uint8_t)ip_len;
		ip[4] = (uint8_t)(id >> 8), ip[5] = (uint8_t)id;
		ip[8] = 64, ip[9] = 17;
		ip[10] = ip[11] = 0;
		memcpy(ip + 12, SRC_IP, 4);
		memcpy(ip + 16, DST_IP, 4);
		uint16_t c = ip_csum(ip);
		ip[10] = (uint8_t)(c >> 8), ip[11] = (uint8_t)c;
		udp[0] = (uint8_t)(sport >> 8), udp[1] = (uint8_t)sport;
		udp[2] = 0x13, udp[3] = 0x88; /* 5000 */
		udp[4] = (uint8_t)((ip_len - 20) >> 8), udp[5] = (uint8_t)(ip_len - 20);
		udp[6] = udp[7] = 0; /* no UDP checksum */
		for (unsigned k = 42; k < frame_len; k++)
			f[k] = (uint8_t)(i + k);
		pcap_dump((u_char *)d, &h, f);
	}
	pcap_dump_close(d);
	pcap_close(p);
}

/* ---- the sink: TLS server, etsi_stream framing, CC PDUs counted ---- */

static struct {
	int lfd;
	unsigned port;
	pthread_t th;
	SSL_CTX *ctx;
	atomic_int stop;
	atomic_ullong cc_pdus, cc_bytes, other_pdus, framing_errors, conns;
	atomic_ullong last_cc_ns;  /* arrival of the latest CC PDU */
	atomic_ullong first_cc_ns; /* the first CC PDU after sink_arm() */
	atomic_int armed;
	double cpu_s;              /* the sink thread's CPU time, updated per read */
	pthread_mutex_t cpu_mu;
} sink;

/* One BER identifier and length at p[*off..end): definite lengths only. 0 or -1. */
static int ber_tl(const uint8_t *p, size_t end, size_t *off, unsigned *tag, size_t *len)
{
	size_t o = *off;

	if (o + 2 > end)
		return -1;
	*tag = p[o++];
	if ((*tag & 0x1f) == 0x1f)
		return -1; /* multi-octet tags: not at the levels walked here */
	unsigned l = p[o++];
	if (l & 0x80) {
		unsigned k = l & 0x7f;
		if (k == 0 || k > 4 || o + k > end)
			return -1;
		for (l = 0; k--;)
			l = l << 8 | p[o++];
	}
	*off = o;
	*len = l;
	return 0;
}

/* 1 when the PS-PDU's payload is a cCPayloadSequence ([2] payload holding [1]). */
static int is_cc(const uint8_t *p, size_t n)
{
	size_t off = 0, len;
	unsigned tag;

	if (ber_tl(p, n, &off, &tag, &len) != 0 || tag != 0x30)
		return 0;
	while (off < n) {
		if (ber_tl(p, n, &off, &tag, &len) != 0)
			return 0;
		if (tag == 0xa2)
			return ber_tl(p, n, &off, &tag, &len) == 0 && tag == 0xa1;
		off += len;
	}
	return 0;
}

static void sink_arm(void)
{
	atomic_store(&sink.first_cc_ns, 0);
	atomic_store(&sink.armed, 1);
}

/* Reads one connection until it closes or the sink stops. */
static void sink_conn(SSL *ssl, int fd)
{
	struct etsi_stream s;
	struct etsi_stream_item it;

	if (etsi_stream_init(&s, ETSI_STREAM_BER, 0) != 0)
		return;
	while (!atomic_load(&sink.stop)) {
		size_t room;
		uint8_t *w = etsi_stream_space(&s, &room);
		if (!w)
			break;
		if (!SSL_pending(ssl)) {
			struct pollfd pf = { fd, POLLIN, 0 };
			if (poll(&pf, 1, 100) == 0)
				continue;
		}
		int r = SSL_read(ssl, w, room > INT32_MAX ? INT32_MAX : (int)room);
		if (r <= 0) {
			int e = SSL_get_error(ssl, r);
			if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
				continue;
			break;
		}
		etsi_stream_commit(&s, (size_t)r);
		uint64_t t = now_ns();
		int k;
		while ((k = etsi_stream_next(&s, &it)) != 0) {
			if (k < 0) {
				atomic_fetch_add(&sink.framing_errors, 1);
				continue;
			}
			if (is_cc(it.pdu, it.len)) {
				atomic_fetch_add(&sink.cc_bytes, it.len);
				atomic_fetch_add(&sink.cc_pdus, 1);
				atomic_store(&sink.last_cc_ns, t);
				if (atomic_load(&sink.armed)) {
					atomic_store(&sink.armed, 0);
					atomic_store(&sink.first_cc_ns, t);
				}
			} else {
				atomic_fetch_add(&sink.other_pdus, 1);
			}
		}
		pthread_mutex_lock(&sink.cpu_mu);
		sink.cpu_s = thread_cpu();
		pthread_mutex_unlock(&sink.cpu_mu);
	}
	etsi_stream_free(&s);
}

static void *sink_main(void *arg)
{
	(void)arg;
	while (!atomic_load(&sink.stop)) {
		struct pollfd pf = { sink.lfd, POLLIN, 0 };
		if (poll(&pf, 1, 100) <= 0)
			continue;
		int fd = accept(sink.lfd, NULL, NULL);
		if (fd < 0)
			continue;
		SSL *ssl = SSL_new(sink.ctx);
		if (ssl && SSL_set_fd(ssl, fd) == 1 && SSL_accept(ssl) == 1) {
			atomic_fetch_add(&sink.conns, 1);
			sink_conn(ssl, fd);
		}
		SSL_free(ssl);
		close(fd);
	}
	return NULL;
}

/* A listening TCP socket on 127.0.0.1, a free port; its port in *port. */
static int listen_loopback(unsigned *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 8) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl) != 0)
		die("cannot listen on 127.0.0.1: %s", strerror(errno));
	*port = ntohs(sa.sin_port);
	return fd;
}

/* The LEMF's side: its certificate, the peer's required and checked against ca.crt. */
static SSL_CTX *server_ctx(void)
{
	char crt[160], key[160], ca[160];
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	snprintf(crt, sizeof(crt), "%s/lemf.crt", hx.dir);
	snprintf(key, sizeof(key), "%s/lemf.key", hx.dir);
	snprintf(ca, sizeof(ca), "%s/ca.crt", hx.dir);
	if (!ctx || SSL_CTX_use_certificate_chain_file(ctx, crt) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1)
		die("cannot set up the receiver's TLS");
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	return ctx;
}

/* clifd's sender's SSL_CTX (hostdrv/clifd/deliver.c: load_tls), with the ne certificate. */
static SSL_CTX *sender_ctx(void)
{
	char crt[160], key[160], ca[160];
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	snprintf(crt, sizeof(crt), "%s/ne.crt", hx.dir);
	snprintf(key, sizeof(key), "%s/ne.key", hx.dir);
	snprintf(ca, sizeof(ca), "%s/ca.crt", hx.dir);
	if (!ctx)
		die("SSL_CTX_new failed");
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_clear_mode(ctx, SSL_MODE_AUTO_RETRY);
	if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1 || SSL_CTX_use_certificate_chain_file(ctx, crt) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1)
		die("cannot set up the sender's TLS");
	return ctx;
}

static void sink_start(void)
{
	sink.lfd = listen_loopback(&sink.port);
	sink.ctx = server_ctx();
	pthread_mutex_init(&sink.cpu_mu, NULL);
	if (pthread_create(&sink.th, NULL, sink_main, NULL) != 0)
		die("cannot start the sink thread");
}

static void sink_stop(void)
{
	if (!sink.ctx)
		return;
	atomic_store(&sink.stop, 1);
	pthread_join(sink.th, NULL);
	close(sink.lfd);
	SSL_CTX_free(sink.ctx);
	sink.ctx = NULL;
}

static double sink_cpu(void)
{
	pthread_mutex_lock(&sink.cpu_mu);
	double c = sink.cpu_s;
	pthread_mutex_unlock(&sink.cpu_mu);
	return c;
}

static void on_cleanup(void)
{
	hx_cleanup();
	sink_stop();
}

/* ---- clifd and the card ---- */

static void x1_ok(struct hx_conn *c, const char *type, char *payload)
{
	char *doc = hx_doc(type, payload);
	const char *resp;
	size_t rlen;
	int st = hx_conn_post(c, doc, strlen(doc), &resp, &rlen, NULL);

	if (st != 200 || !strstr(resp, "AcknowledgedAndCompleted"))
		die("%s: HTTP %d: %.300s", type, st, st > 0 ? resp : "");
	free(doc);
	free(payload);
}

static char *task(const char *xid)
{
	return hx_task_xml(xid, HX_IP(TARGET), "X2andX3", HX_DID(DID));
}

/* Packets the card's host rules matched. */
static unsigned long long card_packets(void)
{
	struct clif_rule_counter rc[64];
	uint32_t n = 0;
	unsigned long long p = 0;

	check_rc(clif_rule_counters(hx.ctl, 1, rc, 64, &n), "clif_rule_counters");
	for (uint32_t i = 0; i < n; i++)
		if (rc[i].handle < 0x80000000u)
			p += rc[i].packets;
	return p;
}

/* A fresh card (args) and clifd with empty state, the destination on the sink created; the
 * X1 connection in *conn. */
static void session(const char *const *card_args, struct hx_conn **conn)
{
	/* clifd's default delivery queue (16 MiB) and no spool (see the top); TIME1 a day: no
	 * keep-alives for the sink to answer */
	static const char extra[] = "handover_country = XX\n"
				    "hi_time1_ms = 86400000\n"
				    "spool_mib = 0\n"
				    "c2h_ring_kib = 32768\n"
				    "reconnect_min_ms = 20\n"
				    "reconnect_max_ms = 200\n";
	struct hx_config cfg = { 0, 1u << 20, 0, 50, 3000, "info", extra };

	if (*conn)
		hx_conn_close(*conn);
	*conn = NULL;
	hx_stop_clifd(SIGTERM);
	if (hx.ctl) {
		clif_close(hx.ctl);
		hx.ctl = NULL;
	}
	cardsim_kill();
	hx_sh("rm -rf '%s'", hx.state);
	hx_card_start(card_args);
	hx_write_config(&cfg);
	hx_start_clifd();
	*conn = hx_conn_open("admf");
	if (!*conn)
		die("no X1 connection to clifd");
	x1_ok(*conn, "CreateDestination", hx_dest_xml(DID, "X2andX3", "127.0.0.1", sink.port));
}

/* ---- throughput ---- */

struct run {
	unsigned rate;            /* the card's pace, frames/s (0: as fast as it can) */
	unsigned long long pkts;  /* frames played in the measured plays */
	unsigned long long cc_bytes;
	double wall_s, clifd_cpu_s, card_cpu_s, sink_cpu_s;
	int lossless;
	double seen_pps;          /* CC PDUs per wall second in a play that lost some */
	char threads[512];        /* clifd's threads' CPU seconds over the measured plays */
	char why[200];            /* when not lossless */
};

/* Waits until the sink holds want CC PDUs, or nothing new arrived for 2 s. 1 when complete. */
static int wait_cc(unsigned long long want)
{
	unsigned long long last = atomic_load(&sink.cc_pdus);
	uint64_t t_prog = now_ns();

	for (;;) {
		unsigned long long n = atomic_load(&sink.cc_pdus);
		if (n >= want)
			return n == want;
		if (n != last) {
			last = n;
			t_prog = now_ns();
		} else if (now_ns() - t_prog > 2000000000ull) {
			return 0;
		}
		nap_us(200);
	}
}

/* One figure: a card playing pcap (loops passes per SIGUSR1) at rate, clifd, one task; a
 * warm-up play, then measured plays. */
static void run_once(const char *pcap, unsigned loops, unsigned rate, struct run *r, struct hx_conn **conn)
{
	char loops_s[16], rate_s[16];
	const char *args[] = { "--pcap", pcap, "--dma-size", "128M", "--hold", "--loop", loops_s, NULL, NULL, NULL };
	unsigned long long per_play = (unsigned long long)loops * PCAP_FRAMES, base, plays = 0, played = per_play;

	snprintf(loops_s, sizeof(loops_s), "%u", loops);
	if (rate) {
		snprintf(rate_s, sizeof(rate_s), "%u", rate);
		args[7] = "--rate";
		args[8] = rate_s;
	}
	memset(r, 0, sizeof(*r));
	r->rate = rate;
	session(args, conn);
	x1_ok(*conn, "ActivateTask", task(XID_BENCH));
	if (hx_wait_rules(1, 2000) != 1)
		die("the task's rule is not on the card");

	/* warm-up: connection to the sink, caches, page faults */
	base = atomic_load(&sink.cc_pdus);
	unsigned long long other0 = atomic_load(&sink.other_pdus);
	uint64_t tw = now_ns();
	kill(cardsim_pid, SIGUSR1);
	if (!wait_cc(base + per_play)) {
		uint64_t tl = atomic_load(&sink.last_cc_ns);
		if (tl > tw)
			r->seen_pps = (double)(atomic_load(&sink.cc_pdus) - base) * 1e9 / (double)(tl - tw);
		snprintf(r->why, sizeof(r->why), "warm-up play: %llu of %llu CC PDUs arrived",
			 atomic_load(&sink.cc_pdus) - base, per_play);
	} else {
		unsigned long long bytes0 = atomic_load(&sink.cc_bytes);
		struct threads th0, th1;
		threads_of(hx.clifd_pid, &th0);
		while (plays < PLAY_MAX && r->wall_s < PLAY_MIN_S) {
			unsigned long long want = atomic_load(&sink.cc_pdus) + per_play;
			double c0 = cpu_of(hx.clifd_pid), k0 = cpu_of(cardsim_pid), s0 = sink_cpu();
			uint64_t t0 = now_ns();
			kill(cardsim_pid, SIGUSR1);
			played += per_play;
			int ok = wait_cc(want);
			double c1 = cpu_of(hx.clifd_pid), k1 = cpu_of(cardsim_pid);
			uint64_t t1 = atomic_load(&sink.last_cc_ns);
			if (!ok) {
				if (t1 > t0)
					r->seen_pps = (double)(atomic_load(&sink.cc_pdus) - (want - per_play)) * 1e9 /
						      (double)(t1 - t0);
				snprintf(r->why, sizeof(r->why), "play %llu: %llu of %llu CC PDUs arrived", plays + 1,
					 atomic_load(&sink.cc_pdus) - (want - per_play), per_play);
				break;
			}
			plays++;
			r->pkts += per_play;
			r->wall_s += (double)(t1 - t0) / 1e9;
			r->clifd_cpu_s += c1 - c0;
			r->card_cpu_s += k1 - k0;
			r->sink_cpu_s += sink_cpu() - s0;
		}
		r->cc_bytes = atomic_load(&sink.cc_bytes) - bytes0;
		threads_of(hx.clifd_pid, &th1);
		threads_diff(&th0, &th1, r->threads, sizeof(r->threads));
	}
	nap_us(100000); /* anything late */

	/* every count must agree */
	char *st = hx_mgmt("status");
	unsigned long long got = atomic_load(&sink.cc_pdus) - base;
	unsigned long long cc = hx_status_value(st, "handover", "cc"), lost_ring = hx_status_value(st, "capture", "ring_lost");
	unsigned long long lost_send = hx_status_value(st, "senders", "lost"), card = card_packets();
	unsigned long long records = hx_status_value(st, "capture", "records");
	printf("info:   pace %s%s: card rule %llu packets, clifd capture records %llu ring_lost %llu, handover cc %llu,"
	       " senders lost %llu, sink CC PDUs %llu (of %llu played), other PDUs %llu, framing errors %llu\n",
	       rate ? rate_s : "full speed", rate ? " frames/s" : "", card, records, lost_ring, cc, lost_send, got,
	       played, atomic_load(&sink.other_pdus) - other0, atomic_load(&sink.framing_errors));
	if (!r->why[0] && (got != played || cc != played || card != played || lost_ring || lost_send))
		snprintf(r->why, sizeof(r->why), "counts disagree");
	r->lossless = !r->why[0] && plays > 0;
	if (!r->lossless)
		printf("info:   not lossless: %s\n", r->why);
	x1_ok(*conn, "DeactivateAllTasks", NULL);
}

/* The highest lossless figure: full speed, then paced at fractions of what arrived. */
static struct run measure(const char *label, const char *pcap, unsigned loops, struct hx_conn **conn)
{
	struct run best = { 0 }, r;
	unsigned hi = 0, lo = 0; /* lossy and lossless paces seen */

	printf("info: %s:\n", label);
	for (int t = 0; t < MAX_TRIES; t++) {
		unsigned rate;
		if (t == 0)
			rate = 0;
		else if (t == 1)
			rate = hi / 4 * 3; /* just under what arrived at full speed */
		else if (!lo)
			rate = hi / 2;
		else
			rate = (lo + hi) / 2;
		run_once(pcap, loops, rate, &r, conn);
		if (r.lossless && (!best.lossless || r.pkts / r.wall_s > best.pkts / best.wall_s))
			best = r;
		if (r.lossless && rate == 0)
			break;
		if (r.lossless) {
			lo = rate;
		} else {
			hi = rate ? rate : r.seen_pps >= 1000 ? (unsigned)r.seen_pps : 100000;
		}
		if (lo && hi && hi - lo < hi / 8)
			break;
	}
	if (!best.lossless)
		die("%s: no lossless run (see the info lines)", label);
	return best;
}

/* ---- ActivateTask -> first CC PDU ---- */

static void x1_latency(const char *pcap, struct hx_conn **conn, uint64_t *lat, uint64_t *answer)
{
	const char *args[] = { "--pcap", pcap, "--dma-size", "128M", "--loop-forever", "--rate", "10000", NULL };

	session(args, conn);
	for (int i = 0; i < N_TASKS; i++) {
		char xid[40];
		snprintf(xid, sizeof(xid), "e7000000-0000-4000-8000-1000000000%02d", i);
		char *doc = hx_doc("ActivateTask", task(xid));
		const char *resp;
		size_t rlen;
		sink_arm();
		uint64_t t0 = now_ns();
		if (hx_conn_post(*conn, doc, strlen(doc), &resp, &rlen, NULL) != 200 ||
		    !strstr(resp, "AcknowledgedAndCompleted"))
			die("ActivateTask %d refused", i);
		answer[i] = now_ns() - t0;
		free(doc);
		for (int w = 0; w < 5000 && !atomic_load(&sink.first_cc_ns); w++)
			nap_us(100);
		uint64_t t1 = atomic_load(&sink.first_cc_ns);
		if (!t1)
			die("no CC PDU within 0.5 s of ActivateTask %d", i);
		lat[i] = t1 - t0;
		x1_ok(*conn, "DeactivateTask", hx_tag("xId", xid));
		/* quiet: the PDUs already on their way arrive before the next task */
		unsigned long long n = atomic_load(&sink.cc_pdus);
		do {
			n = atomic_load(&sink.cc_pdus);
			nap_us(30000);
		} while (atomic_load(&sink.cc_pdus) != n);
	}
}

/* ---- the TLS floor ---- */

static struct {
	int fd;
	size_t rec, count;
	double cpu_s;
} floor_tx;

static void *floor_sender(void *arg)
{
	SSL_CTX *ctx = arg;
	SSL *ssl = SSL_new(ctx);
	uint8_t *buf = malloc(floor_tx.rec);

	if (!ssl || !buf || SSL_set_fd(ssl, floor_tx.fd) != 1 ||
	    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), "127.0.0.1") != 1 || SSL_connect(ssl) != 1)
		die("TLS floor: the sender cannot connect");
	for (size_t i = 0; i < floor_tx.rec; i++)
		buf[i] = (uint8_t)(i * 7);
	double c0 = thread_cpu();
	for (size_t i = 0; i < floor_tx.count; i++) {
		size_t off = 0;
		while (off < floor_tx.rec) {
			int r = SSL_write(ssl, buf + off, (int)(floor_tx.rec - off));
			if (r <= 0)
				die("TLS floor: SSL_write failed");
			off += (size_t)r;
		}
	}
	floor_tx.cpu_s = thread_cpu() - c0;
	SSL_shutdown(ssl);
	SSL_free(ssl);
	free(buf);
	return NULL;
}

/* count records of rec bytes; *wall_s until the receiver has them all, *cpu_s the sender's. */
static void tls_floor(size_t rec, size_t count, double *wall_s, double *cpu_s)
{
	unsigned port;
	int lfd = listen_loopback(&port), one = 1;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	SSL_CTX *sctx = server_ctx(), *cctx = sender_ctx();
	pthread_t th;
	static uint8_t in[1 << 16];
	size_t want = rec * count, got = 0;

	floor_tx.fd = socket(AF_INET, SOCK_STREAM, 0);
	floor_tx.rec = rec;
	floor_tx.count = count;
	if (floor_tx.fd < 0 || connect(floor_tx.fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		die("TLS floor: cannot connect");
	setsockopt(floor_tx.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)); /* as deliver.c's tcp_connect */
	int fd = accept(lfd, NULL, NULL);
	SSL *ssl = SSL_new(sctx);
	uint64_t t0;
	if (fd < 0 || pthread_create(&th, NULL, floor_sender, cctx) != 0)
		die("TLS floor: cannot start");
	if (!ssl || SSL_set_fd(ssl, fd) != 1 || SSL_accept(ssl) != 1)
		die("TLS floor: the receiver's handshake failed");
	t0 = now_ns();
	while (got < want) {
		int r = SSL_read(ssl, in, sizeof(in));
		if (r <= 0)
			die("TLS floor: SSL_read failed after %zu of %zu bytes", got, want);
		got += (size_t)r;
	}
	*wall_s = (double)(now_ns() - t0) / 1e9;
	pthread_join(th, NULL);
	*cpu_s = floor_tx.cpu_s;
	SSL_free(ssl);
	close(fd);
	close(floor_tx.fd);
	close(lfd);
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
}

int main(int argc, char **argv)
{
	char pcap1500[160], pcap64[160];
	struct hx_conn *conn = NULL;
	static uint64_t lat[N_TASKS], answer[N_TASKS];

	if (argc != 2) {
		fprintf(stderr, "usage: %s BIN_DIR\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	hx_init(PROG, argv[1]);
	cardsim_on_cleanup = on_cleanup;
	hx_make_pki();
	snprintf(pcap1500, sizeof(pcap1500), "%s/udp-1500.pcap", hx.dir);
	snprintf(pcap64, sizeof(pcap64), "%s/udp-64.pcap", hx.dir);
	write_pcap(pcap1500, 1514);
	write_pcap(pcap64, 64);
	sink_start();

	/* plays of 32768 and 131072 frames: 53 MB and 20 MB of PDUs, more than clifd's queue */
	uint64_t t_start = now_ns();
	struct run big = measure("1500-byte IP datagrams (1514-byte frames)", pcap1500, 8, &conn);
	struct run small = measure("64-byte frames", pcap64, 32, &conn);
	x1_latency(pcap1500, &conn, lat, answer);
	hx_conn_close(conn);
	hx_stop_clifd(SIGTERM);
	clif_close(hx.ctl);
	hx.ctl = NULL;
	cardsim_kill(); /* nothing else runs during the floor */

	/* The floor: the same bytes (the CC PDU size of the 1500 B run, as many PDUs), written the
	 * way clifd's sender writes them: as many whole PDUs per SSL_write as fit in 64 KiB
	 * (deliver.c, BATCH_BYTES and BATCH_PDUS). An info line adds one SSL_write per PDU. */
	size_t rec = (size_t)(big.cc_bytes / big.pkts), rec64 = (size_t)(small.cc_bytes / small.pkts);
	size_t per = FLOOR_BATCH_BYTES / rec, per64 = FLOOR_BATCH_BYTES / rec64;
	if (per64 > FLOOR_BATCH_PDUS)
		per64 = FLOOR_BATCH_PDUS;
	if (!per)
		per = 1;
	double f_wall, f_cpu, o_wall, o_cpu, s_wall, s_cpu;
	unsigned long long f_pkts = big.pkts / per * per, s_pkts = small.pkts / per64 * per64;
	tls_floor(rec * per, (size_t)(big.pkts / per), &f_wall, &f_cpu);
	tls_floor(rec, (size_t)big.pkts, &o_wall, &o_cpu);
	tls_floor(rec64 * per64, (size_t)(small.pkts / per64), &s_wall, &s_cpu);

	double bits = (double)big.pkts * 1500.0 * 8.0, f_bits = (double)f_pkts * 1500.0 * 8.0;
	double e2e = bits / big.clifd_cpu_s / 1e9, e2e_wall = bits / big.wall_s / 1e9;
	double fl = f_bits / f_cpu / 1e9, fl_wall = f_bits / f_wall / 1e9;
	double mpps = (double)small.pkts / small.clifd_cpu_s / 1e6, mpps_wall = (double)small.pkts / small.wall_s / 1e6;
	double fl64 = (double)s_pkts / s_cpu / 1e6;
	qsort(lat, N_TASKS, sizeof(lat[0]), cmp_u64);
	qsort(answer, N_TASKS, sizeof(answer[0]), cmp_u64);

	printf("info: 1500 B: %llu datagrams (%zu-byte CC PDUs) in %.3f s wall, clifd %.3f CPU s, clif-cardsim %.3f "
	       "CPU s, sink %.3f CPU s; pace %u frames/s (0: full speed); wall-clock %.3f Gb/s\n",
	       big.pkts, rec, big.wall_s, big.clifd_cpu_s, big.card_cpu_s, big.sink_cpu_s, big.rate, e2e_wall);
	printf("info: 64 B: %llu frames (%.0f-byte CC PDUs) in %.3f s wall, clifd %.3f CPU s, clif-cardsim %.3f CPU s, "
	       "sink %.3f CPU s; pace %u frames/s (0: full speed); wall-clock %.3f Mpps\n",
	       small.pkts, (double)small.cc_bytes / (double)small.pkts, small.wall_s, small.clifd_cpu_s,
	       small.card_cpu_s, small.sink_cpu_s, small.rate, mpps_wall);
	printf("info: TLS floor: %llu PDUs of %zu bytes, %zu per SSL_write, sender %.3f CPU s, %.3f s wall; wall-clock "
	       "%.3f Gb/s\n",
	       f_pkts, rec, per, f_cpu, f_wall, fl_wall);
	printf("info: TLS floor, one SSL_write per PDU: sender %.3f CPU s, %.3f s wall; %.3f Gb/s per sender CPU "
	       "second, %.3f Gb/s wall-clock\n",
	       o_cpu, o_wall, bits / o_cpu / 1e9, bits / o_wall / 1e9);
	printf("info: TLS floor, 64 B: %llu PDUs of %zu bytes, %zu per SSL_write, sender %.3f CPU s, %.3f s wall; %.3f "
	       "Mpps per sender CPU second, %.3f Mpps wall-clock\n",
	       s_pkts, rec64, per64, s_cpu, s_wall, fl64, (double)s_pkts / s_wall / 1e6);
	printf("info: clifd threads' CPU seconds, 1500 B: %s\n", big.threads);
	printf("info: clifd threads' CPU seconds, 64 B: %s\n", small.threads);
	printf("info: ActivateTask -> first CC PDU over %d tasks at 10,000 frames/s: min %.3f, p50 %.3f, p90 %.3f, max "
	       "%.3f ms\n",
	       N_TASKS, (double)lat[0] / 1e6, (double)lat[N_TASKS / 2 - 1] / 1e6, (double)lat[(N_TASKS * 9 + 9) / 10 - 1] / 1e6,
	       (double)lat[N_TASKS - 1] / 1e6);
	printf("info: ActivateTask -> its answer (the rule on the card, the task durable) over the same tasks: p50 "
	       "%.3f ms\n",
	       (double)answer[N_TASKS / 2 - 1] / 1e6);
	printf("info: Gb/s count the targets' IP datagrams (1500 B each) per CPU second of clifd (all threads) or of "
	       "the floor's sender thread\n");
	printf("bench: e2e_gbps_1500B %.3f Gb/s\n", e2e);
	printf("bench: e2e_mpps_64B %.3f Mpps\n", mpps);
	printf("bench: x1_to_first_cc_ms %.3f ms\n", (double)lat[N_TASKS / 2 - 1] / 1e6);
	printf("bench: tls_floor_gbps_1500B %.3f Gb/s\n", fl);
	printf("bench: e2e_vs_tls_floor_1500B %.3f x\n", e2e / fl);
	printf("bench: tls_floor_mpps_64B %.3f Mpps\n", fl64);
	printf("bench: e2e_vs_tls_floor_64B %.3f x\n", mpps / fl64);
	printf("info: the benchmark ran %.1f s\n", (double)(now_ns() - t_start) / 1e9);
	printf("info: goal (issue 7): e2e_gbps_1500B >= 10 Gb/s per clifd core, 0 loss\n");
	sink_stop();
	cardsim_cleanup();
	return 0;
}
