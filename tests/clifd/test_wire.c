/* Bump in the wire, end to end (issue 7 item 4): two network namespaces, "vm" (the target VM,
 * 10.77.0.2) and "up" (its uplink, 10.77.0.1), joined only through clif-cardsim --wire between
 * the root-namespace ends of their veth pairs: IF_A towards the VM, IF_B towards the uplink.
 * clifd takes a warrant for the VM's address over X1 and delivers its CC over mutual TLS to
 * clif-lemf. libpcap on IF_A and IF_B sees, per direction, what the card received and what it
 * sent. Checked with the task on and again after DeactivateTask:
 *   - ping and a TCP transfer (the test's own client and server) from the VM to the uplink;
 *   - every frame the card received on one port left the other port unchanged (the same
 *     frames; two captures on one interface may order them differently, see check_same_set);
 *   - task on: clif-lemf stored exactly the VM's IP datagrams, byte for byte, in the order the
 *     card forwarded them, per direction; task off: nothing more is captured or delivered.
 *
 * Usage: clif-test-clifd-wire BIN_DIR. Needs root and ip netns: without them it prints
 * "SKIP: ..." and passes. Names carry the pid; the namespaces, interfaces, processes and the
 * card's shared memory go at exit, also when the test dies (die() runs the cleanup).
 * CLIFD_TEST_KEEP=1 keeps the temporary directory. */
#define _GNU_SOURCE
#define CHECK_PROG "clifd-wire"
#include "check.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

extern char **environ;

#define VM_IP "10.77.0.2"
#define UP_IP "10.77.0.1"
#define LIID "LIID-WIRE"
#define DID "d7000000-0000-4000-8000-000000000001"
#define XID "a7000000-0000-4000-8000-000000000001"
#define PINGS 5
#define TCP_PORT 7077
#define TCP_BYTES 200000u

static char ns_vm[32], ns_up[32];              /* the network namespaces */
static char if_a[IFNAMSIZ], if_b[IFNAMSIZ];    /* their veths' root ends: the card's ports */
static char if_vm[IFNAMSIZ], if_up[IFNAMSIZ];  /* the ends inside */
static volatile pid_t kids[2];                 /* TCP server and client while they run */
static pid_t lemf_pid;
static unsigned lemf_port;
static char lemf_dir[200];

/* ---- clean-up: every path out (die() included) comes through here ---- */

static void lemf_stop(int sig)
{
	if (!lemf_pid)
		return;
	kill(lemf_pid, sig);
	waitpid(lemf_pid, NULL, 0);
	lemf_pid = 0;
}

static void wire_cleanup(void)
{
	for (int i = 0; i < 2; i++)
		if (kids[i] > 0) {
			kill(kids[i], SIGKILL);
			waitpid(kids[i], NULL, 0);
			kids[i] = 0;
		}
	lemf_stop(SIGKILL);
	hx_cleanup(); /* clifd, the card (and its shared memory), the temporary directory */
	/* A veth pair goes with either end, at once; a namespace's own teardown is deferred. */
	if (if_a[0])
		hx_run("ip link del %s >/dev/null 2>&1", if_a);
	if (if_b[0])
		hx_run("ip link del %s >/dev/null 2>&1", if_b);
	if (ns_vm[0])
		hx_run("ip netns del %s >/dev/null 2>&1", ns_vm);
	if (ns_up[0])
		hx_run("ip netns del %s >/dev/null 2>&1", ns_up);
	if_a[0] = if_b[0] = ns_vm[0] = ns_up[0] = '\0';
}

/* A test run stopped from outside (a runner's timeout) must not leave namespaces behind;
 * die() is not async-signal-safe, which a test that is going away anyway can afford. */
static void on_signal(int sig)
{
	die("stopped by signal %d", sig);
}

/* ---- the namespaces ---- */

/* Moves the calling process into network namespace ns: 0, or -1. */
static int enter_ns(const char *ns)
{
	char path[96];
	int fd, rc;

	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(path, sizeof(path), "/var/run/netns/%s", ns);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0)
		return -1;
	rc = setns(fd, CLONE_NEWNET);
	close(fd);
	return rc;
}

/* Makes interface ifname (in the caller's namespace) deterministic: no IPv6 (its ND and MLD
 * frames would cross the card at any moment), and no checksum, segmentation or receive
 * offloads: a frame a packet socket reads must be the frame on the wire, with its checksums
 * filled in and at most one MTU long. 0, or -1. */
static int tame_link(const char *ifname)
{
	static const uint32_t off[] = { ETHTOOL_STXCSUM, ETHTOOL_SSG, ETHTOOL_STSO, ETHTOOL_SGSO, ETHTOOL_SGRO };
	char path[128];
	int fd, rc = 0;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", ifname);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) { /* absent: a kernel without IPv6, which sends none */
		if (write(fd, "1", 1) != 1)
			rc = -1;
		close(fd);
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	for (size_t i = 0; i < sizeof(off) / sizeof(off[0]); i++) {
		struct ethtool_value ev = { .cmd = off[i], .data = 0 };
		struct ifreq ifr;

		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
		ifr.ifr_data = (void *)&ev;
		if (ioctl(fd, SIOCETHTOOL, &ifr) != 0)
			rc = -1;
	}
	close(fd);
	return rc;
}

/* tame_link() inside namespace ns (a child process enters it). */
static void tame_link_in(const char *ns, const char *ifname)
{
	int st;
	pid_t p = fork();

	if (p < 0)
		die("fork: %s", strerror(errno));
	if (p == 0)
		_exit(enter_ns(ns) == 0 && tame_link(ifname) == 0 ? 0 : 1);
	if (waitpid(p, &st, 0) != p || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		die("cannot switch IPv6 and the offloads off on %s", ifname);
}

static void setup_net(void)
{
	hx_sh("ip netns add %s", ns_up);
	hx_sh("ip link add %s type veth peer name %s netns %s", if_a, if_vm, ns_vm);
	hx_sh("ip link add %s type veth peer name %s netns %s", if_b, if_up, ns_up);
	if (tame_link(if_a) || tame_link(if_b))
		die("cannot switch IPv6 and the offloads off on the card's ports");
	tame_link_in(ns_vm, if_vm);
	tame_link_in(ns_up, if_up);
	hx_sh("ip -n %s addr add " VM_IP "/24 dev %s", ns_vm, if_vm);
	hx_sh("ip -n %s addr add " UP_IP "/24 dev %s", ns_up, if_up);
	hx_sh("ip link set %s up && ip link set %s up", if_a, if_b);
	hx_sh("ip -n %s link set %s up && ip -n %s link set %s up", ns_vm, if_vm, ns_up, if_up);
}

/* ---- clif-lemf (as in test_e2e.c) ---- */

static void lemf_start(void)
{
	char bin[600], listen[32], crt[256], key[256], ca[256], raw[256], log[256];
	char *argv[] = { bin, "-o", lemf_dir, "-l", listen, "--tls-cert", crt, "--tls-key", key, "--tls-ca", ca,
			 "--raw", raw, "-q", NULL };
	posix_spawn_file_actions_t fa;

	lemf_port = hx_free_port();
	snprintf(bin, sizeof(bin), "%s/clif-lemf", hx.bindir);
	snprintf(lemf_dir, sizeof(lemf_dir), "%s/lemf", hx.dir);
	snprintf(listen, sizeof(listen), "127.0.0.1:%u", lemf_port);
	snprintf(crt, sizeof(crt), "%s/lemf.crt", hx.dir);
	snprintf(key, sizeof(key), "%s/lemf.key", hx.dir);
	snprintf(ca, sizeof(ca), "%s/ca.crt", hx.dir);
	snprintf(raw, sizeof(raw), "%s/lemf-raw", hx.dir);
	snprintf(log, sizeof(log), "%s/lemf.log", hx.dir);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	if (posix_spawn(&lemf_pid, bin, &fa, NULL, argv, environ) != 0)
		die("cannot start %s", bin);
	posix_spawn_file_actions_destroy(&fa);
	for (int i = 0; i < 500; i++) { /* up when it accepts (a bare connect is harmless) */
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)lemf_port),
					  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		int ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;

		close(fd);
		if (ok)
			return;
		nap_us(20000);
	}
	die("clif-lemf did not come up");
}

/* ---- X1 and the management socket ---- */

static void x1_ok(const char *type, char *payload)
{
	struct hx_http h;

	CHECK_MSG(hx_x1_ok(type, payload, &h), "%s: HTTP %d: %.400s", type, h.status, h.body ? h.body : "");
	free(payload);
	hx_http_free(&h);
}

static void activate(void)
{
	char *p;

	if (asprintf(&p,
		     "<x1:taskDetails><x1:xId>" XID "</x1:xId><x1:targetIdentifiers>" HX_IP(VM_IP)
		     "</x1:targetIdentifiers><x1:deliveryType>X2andX3</x1:deliveryType><x1:listOfDIDs>" HX_DID(DID)
		     "</x1:listOfDIDs><x1:listOfMediationDetails><x1:mediationDetails><x1:LIID>" LIID "</x1:LIID>"
		     "<x1:deliveryType>HI2andHI3</x1:deliveryType></x1:mediationDetails></x1:listOfMediationDetails>"
		     "</x1:taskDetails>") < 0)
		die("out of memory");
	x1_ok("ActivateTask", p);
}

/* ---- captures ---- */

struct frames {
	uint8_t **data;
	uint32_t *len;
	size_t n, cap;
	unsigned cut; /* frames longer than what was captured of them */
};

enum { A_IN, A_OUT, B_IN, B_OUT, TAPS };

static const char *const tap_name[TAPS] = { "IF_A in", "IF_A out", "IF_B in", "IF_B out" };
static pcap_t *tap[TAPS];
static struct frames seen[TAPS];
static pthread_mutex_t seen_mu = PTHREAD_MUTEX_INITIALIZER;
static atomic_int tap_stop;
static pthread_t tap_thread;

static void frames_add(struct frames *f, const uint8_t *b, uint32_t len)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 1024;
		f->data = realloc(f->data, f->cap * sizeof(*f->data));
		f->len = realloc(f->len, f->cap * sizeof(*f->len));
		if (!f->data || !f->len)
			die("out of memory");
	}
	f->data[f->n] = malloc(len ? len : 1);
	if (!f->data[f->n])
		die("out of memory");
	memcpy(f->data[f->n], b, len);
	f->len[f->n] = len;
	f->n++;
}

static void frames_free(struct frames *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->data[i]);
	free(f->data);
	free(f->len);
	memset(f, 0, sizeof(*f));
}

static void on_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct frames *f = (struct frames *)user;

	pthread_mutex_lock(&seen_mu);
	if (h->caplen != h->len)
		f->cut++;
	frames_add(f, bytes, h->caplen);
	pthread_mutex_unlock(&seen_mu);
}

static void *tap_run(void *arg)
{
	struct pollfd pf[TAPS];

	(void)arg;
	for (int i = 0; i < TAPS; i++)
		pf[i] = (struct pollfd){ pcap_get_selectable_fd(tap[i]), POLLIN, 0 };
	for (int last = 0; !last;) {
		last = atomic_load(&tap_stop);
		poll(pf, TAPS, 20);
		for (int i = 0; i < TAPS; i++)
			pcap_dispatch(tap[i], -1, on_frame, (u_char *)&seen[i]);
	}
	return NULL;
}

static pcap_t *tap_open(const char *ifname, pcap_direction_t dir)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_create(ifname, err);

	if (!p)
		die("pcap_create %s: %s", ifname, err);
	if (pcap_set_snaplen(p, 65535) || pcap_set_immediate_mode(p, 1) || pcap_set_buffer_size(p, 8 << 20) ||
	    pcap_activate(p) < 0 || pcap_setdirection(p, dir) || pcap_setnonblock(p, 1, err))
		die("libpcap on %s: %s", ifname, pcap_geterr(p));
	/* the ping and TCP children need not hold the capture */
	fcntl(pcap_get_selectable_fd(p), F_SETFD, FD_CLOEXEC);
	return p;
}

static void taps_start(void)
{
	tap[A_IN] = tap_open(if_a, PCAP_D_IN);
	tap[A_OUT] = tap_open(if_a, PCAP_D_OUT);
	tap[B_IN] = tap_open(if_b, PCAP_D_IN);
	tap[B_OUT] = tap_open(if_b, PCAP_D_OUT);
	atomic_store(&tap_stop, 0);
	if (pthread_create(&tap_thread, NULL, tap_run, NULL))
		die("pthread_create");
}

/* Waits until no frame is between the ports (each direction's in and out counts agree) and
 * nothing new came for 100 ms, at most 5 s; then stops the captures. Returns the frames
 * libpcap or the kernel dropped. */
static unsigned taps_stop(void)
{
	size_t last = (size_t)-1, total;
	unsigned drops = 0;
	int even;

	for (int i = 0; i < 50; i++) {
		nap_us(100000);
		pthread_mutex_lock(&seen_mu);
		total = seen[A_IN].n + seen[A_OUT].n + seen[B_IN].n + seen[B_OUT].n;
		even = seen[A_IN].n == seen[B_OUT].n && seen[B_IN].n == seen[A_OUT].n;
		pthread_mutex_unlock(&seen_mu);
		if (even && total == last)
			break;
		last = total;
	}
	atomic_store(&tap_stop, 1);
	pthread_join(tap_thread, NULL);
	for (int i = 0; i < TAPS; i++) {
		struct pcap_stat st;

		if (pcap_stats(tap[i], &st) == 0)
			drops += st.ps_drop + st.ps_ifdrop;
		pcap_close(tap[i]);
		tap[i] = NULL;
	}
	return drops;
}

/* ---- frames and datagrams ---- */

/* The IPv4 datagram of an untagged Ethernet frame, by its total length (NULL: none). */
static const uint8_t *ipv4_of(const uint8_t *f, uint32_t len, uint32_t *dlen)
{
	uint32_t tot;

	if (len < 14 + 20 || f[12] != 0x08 || f[13] != 0x00 || (f[14] >> 4) != 4)
		return NULL;
	tot = (uint32_t)f[16] << 8 | f[17];
	if (tot < 20 || tot > len - 14)
		return NULL;
	*dlen = tot;
	return f + 14;
}

static int ip_is(const uint8_t *d, int off, const char *addr)
{
	struct in_addr a;

	inet_pton(AF_INET, addr, &a);
	return memcmp(d + off, &a, 4) == 0;
}

/* 1 when datagram d comes from the target VM. */
static int from_vm(const uint8_t *d)
{
	return ip_is(d, 12, VM_IP);
}

/* 1 when datagram d comes from or goes to the target VM. */
static int involves_vm(const uint8_t *d)
{
	return ip_is(d, 12, VM_IP) || ip_is(d, 16, VM_IP);
}

/* The IPv4 datagrams involving the VM among frames f, appended to out. */
static void datagrams_of(const struct frames *f, struct frames *out)
{
	for (size_t i = 0; i < f->n; i++) {
		uint32_t dl;
		const uint8_t *d = ipv4_of(f->data[i], f->len[i], &dl);

		if (d && involves_vm(d))
			frames_add(out, d, dl);
	}
}

/* The datagrams of a LINKTYPE_RAW pcap that clif-lemf writes (micro or nanosecond
 * timestamps, this host's byte order), split by direction; a record still being written ends
 * the list. *others: datagrams neither from nor to the VM. Returns the number read, 0 when
 * the file does not exist yet, -1 when it is not such a pcap. */
static long read_cc(const char *path, struct frames *from, struct frames *to, unsigned *others)
{
	size_t len, off = 24;
	char *b = hx_read_file(path, &len);
	uint32_t magic, linktype;
	long n = 0;

	*others = 0;
	if (!b)
		return 0;
	if (len < 24) {
		free(b);
		return 0;
	}
	memcpy(&magic, b, 4);
	memcpy(&linktype, b + 20, 4);
	if ((magic != 0xa1b2c3d4u && magic != 0xa1b23c4du) || linktype != 101) {
		free(b);
		return -1;
	}
	while (off + 16 <= len) {
		uint32_t incl, orig;

		memcpy(&incl, b + off + 8, 4);
		memcpy(&orig, b + off + 12, 4);
		if (off + 16 + incl > len)
			break;
		const uint8_t *d = (const uint8_t *)b + off + 16;
		if (incl != orig || incl < 20)
			(*others)++;
		else if (from_vm(d))
			frames_add(from, d, incl);
		else if (involves_vm(d))
			frames_add(to, d, incl);
		else
			(*others)++;
		n++;
		off += 16 + incl;
	}
	free(b);
	return n;
}

/* got must be want: the same number of frames, each byte for byte, in order. */
static void check_same(const char *what, const struct frames *want, const struct frames *got)
{
	size_t i, n = want->n < got->n ? want->n : got->n;

	for (i = 0; i < n; i++)
		if (want->len[i] != got->len[i] || memcmp(want->data[i], got->data[i], want->len[i]) != 0)
			break;
	CHECK_MSG(want->n == got->n, "%s: %zu frames, want %zu", what, got->n, want->n);
	CHECK_MSG(i == n, "%s: frame %zu differs (%u bytes, want %u)", what, i, i < n ? got->len[i] : 0,
		  i < n ? want->len[i] : 0);
}

struct frame_ref {
	const uint8_t *data;
	uint32_t len;
};

static int frame_cmp(const void *a, const void *b)
{
	const struct frame_ref *x = a, *y = b;

	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->data, y->data, x->len);
}

static struct frame_ref *sorted(const struct frames *f)
{
	struct frame_ref *r = calloc(f->n ? f->n : 1, sizeof(*r));

	if (!r)
		die("out of memory");
	for (size_t i = 0; i < f->n; i++)
		r[i] = (struct frame_ref){ f->data[i], f->len[i] };
	qsort(r, f->n, sizeof(*r), frame_cmp);
	return r;
}

/* got must hold want's frames, byte for byte, in any order: packet sockets on one interface
 * may see two frames in either order when two CPUs receive them at once (a TCP server's
 * ACKs, say, from its process and from a softirq), so a capture's order and the card's may
 * differ. Returns the frames at a different place in the two sequences. */
static size_t check_same_set(const char *what, const struct frames *want, const struct frames *got)
{
	struct frame_ref *w = sorted(want), *g = sorted(got);
	size_t i, n = want->n < got->n ? want->n : got->n, moved = 0;

	for (i = 0; i < n; i++)
		if (frame_cmp(&w[i], &g[i]) != 0)
			break;
	CHECK_MSG(want->n == got->n, "%s: %zu frames, want %zu", what, got->n, want->n);
	CHECK_MSG(i == n, "%s: %zu frames, but not the same (sorted, the first difference is at %zu)", what, got->n,
		  i);
	for (i = 0; i < n; i++)
		if (want->len[i] != got->len[i] || memcmp(want->data[i], got->data[i], want->len[i]) != 0)
			moved++;
	free(w);
	free(g);
	return moved;
}

/* ---- traffic ---- */

static uint8_t pattern(uint32_t i)
{
	return (uint8_t)(((i * 2654435761u) >> 24) ^ i);
}

/* The TCP server in the uplink's namespace (a child; its exit status says how it went). */
static void tcp_server(int ready)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(TCP_PORT) };
	uint8_t buf[16384];
	uint32_t got = 0;
	int ls, c, bad = 0, one = 1;

	alarm(30);
	inet_pton(AF_INET, UP_IP, &sa.sin_addr);
	if (enter_ns(ns_up))
		_exit(10);
	ls = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) || listen(ls, 1))
		_exit(11);
	if (write(ready, "R", 1) != 1)
		_exit(12);
	c = accept(ls, NULL, NULL);
	if (c < 0)
		_exit(13);
	for (;;) {
		ssize_t n = read(c, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			_exit(14);
		if (n == 0)
			break;
		for (ssize_t k = 0; k < n; k++)
			if (got + (uint32_t)k >= TCP_BYTES || buf[k] != pattern(got + (uint32_t)k))
				bad = 1;
		got += (uint32_t)n;
	}
	close(c);
	_exit(got != TCP_BYTES ? 15 : bad ? 16 : 0);
}

/* The client in the VM's namespace: sends TCP_BYTES and waits for the server to close, so
 * that when it exits the server has everything. */
static void tcp_client(void)
{
	static uint8_t data[TCP_BYTES];
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(TCP_PORT) };
	size_t off = 0;
	ssize_t n;
	char c;
	int fd;

	alarm(30);
	inet_pton(AF_INET, UP_IP, &sa.sin_addr);
	for (uint32_t i = 0; i < TCP_BYTES; i++)
		data[i] = pattern(i);
	if (enter_ns(ns_vm))
		_exit(20);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		_exit(21);
	while (off < TCP_BYTES) {
		n = write(fd, data + off, TCP_BYTES - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(22);
		off += (size_t)n;
	}
	shutdown(fd, SHUT_WR);
	while ((n = read(fd, &c, 1)) > 0)
		;
	_exit(n == 0 ? 0 : 23);
}

static int reap(int k)
{
	int st;
	pid_t p = kids[k];

	if (p <= 0 || waitpid(p, &st, 0) != p)
		return -1;
	kids[k] = 0;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* TCP_BYTES from the VM to the uplink, checked by the server: 0, or the failing side's exit
 * status (10-16 the server, 20-23 the client). */
static int tcp_transfer(void)
{
	struct pollfd pf;
	int p[2], rs, rc;
	char r;

	if (pipe2(p, O_CLOEXEC))
		die("pipe: %s", strerror(errno));
	kids[0] = fork();
	if (kids[0] < 0)
		die("fork: %s", strerror(errno));
	if (kids[0] == 0)
		tcp_server(p[1]);
	close(p[1]);
	pf = (struct pollfd){ p[0], POLLIN, 0 };
	if (poll(&pf, 1, 10000) != 1 || read(p[0], &r, 1) != 1) {
		close(p[0]);
		kill(kids[0], SIGKILL);
		rs = reap(0);
		return rs ? rs : 99;
	}
	close(p[0]);
	kids[1] = fork();
	if (kids[1] < 0)
		die("fork: %s", strerror(errno));
	if (kids[1] == 0)
		tcp_client();
	rc = reap(1);
	rs = reap(0);
	return rs ? rs : rc;
}

/* ping from the VM to the uplink: 1 when every echo came back. */
static int ping_ok(const char *label)
{
	char path[200], *out;
	int rc, ok;

	snprintf(path, sizeof(path), "%s/ping-%s.log", hx.dir, label);
	rc = hx_run("ip netns exec %s ping -c %d -i 0.2 -W 2 " UP_IP " > '%s' 2>&1", ns_vm, PINGS, path);
	out = hx_read_file(path, NULL);
	ok = rc == 0 && out && strstr(out, " 0% packet loss");
	if (!ok)
		check_fail("ping (%s): exit %d: %s", label, rc, out ? out : "");
	free(out);
	return ok;
}

/* What crossed the card from the VM: its echo requests, and the TCP payload to the server. */
static void count_vm_traffic(const struct frames *f, unsigned *echoes, uint64_t *payload)
{
	*echoes = 0;
	*payload = 0;
	for (size_t i = 0; i < f->n; i++) {
		uint32_t dl, ihl;
		const uint8_t *d = ipv4_of(f->data[i], f->len[i], &dl);

		if (!d || !from_vm(d) || !ip_is(d, 16, UP_IP))
			continue;
		ihl = (d[0] & 15u) * 4;
		if (d[9] == 1 && dl > ihl && d[ihl] == 8)
			(*echoes)++;
		if (d[9] == 6 && dl >= ihl + 20 && ((uint32_t)d[ihl + 2] << 8 | d[ihl + 3]) == TCP_PORT)
			*payload += dl - ihl - (d[ihl + 12] >> 4) * 4u;
	}
}

static unsigned count_replies(const struct frames *f)
{
	unsigned n = 0;

	for (size_t i = 0; i < f->n; i++) {
		uint32_t dl;
		const uint8_t *d = ipv4_of(f->data[i], f->len[i], &dl);

		if (d && ip_is(d, 12, UP_IP) && ip_is(d, 16, VM_IP) && d[9] == 1 && dl > (d[0] & 15u) * 4 &&
		    d[(d[0] & 15u) * 4] == 0)
			n++;
	}
	return n;
}

/* ---- the phases ---- */

/* Ping and the TCP transfer with the captures on, and the checks of forwarding. seen[] holds
 * the frames afterwards. */
static void traffic(const char *label)
{
	unsigned drops, echoes, replies;
	size_t moved;
	uint64_t payload;
	char what[96];
	int rc;

	taps_start();
	ping_ok(label);
	rc = tcp_transfer();
	CHECK_MSG(rc == 0, "TCP transfer (%s): exit status %d", label, rc);
	drops = taps_stop();
	CHECK_MSG(drops == 0, "%s: the captures dropped %u frames", label, drops);
	for (int i = 0; i < TAPS; i++)
		CHECK_MSG(seen[i].cut == 0, "%s: %s: %u frames cut short", label, tap_name[i], seen[i].cut);
	/* The card forwards every frame it receives, unchanged. */
	snprintf(what, sizeof(what), "%s: VM to uplink (IF_B out vs IF_A in)", label);
	moved = check_same_set(what, &seen[A_IN], &seen[B_OUT]);
	snprintf(what, sizeof(what), "%s: uplink to VM (IF_A out vs IF_B in)", label);
	moved += check_same_set(what, &seen[B_IN], &seen[A_OUT]);
	/* and the traffic did go through it */
	count_vm_traffic(&seen[A_IN], &echoes, &payload);
	replies = count_replies(&seen[B_IN]);
	CHECK_MSG(echoes == PINGS && replies == PINGS, "%s: %u echo requests and %u replies crossed, want %d", label,
		  echoes, replies, PINGS);
	CHECK_MSG(payload == TCP_BYTES, "%s: %llu bytes of TCP payload crossed, want %u", label,
		  (unsigned long long)payload, TCP_BYTES);
	printf("%s: %s: %zu frames VM to uplink, %zu back, all forwarded (%zu seen in another order)\n", CHECK_PROG,
	       label, seen[A_IN].n, seen[B_IN].n, moved);
}

static void taps_clear(void)
{
	for (int i = 0; i < TAPS; i++)
		frames_free(&seen[i]);
}

/* Task on: what clif-lemf stores under the LIID is the VM's datagrams as they crossed. */
static long phase_on(void)
{
	struct frames want_from = { 0 }, want_to = { 0 }, got_from = { 0 }, got_to = { 0 };
	char path[300];
	unsigned others = 0;
	long n = 0, want;

	snprintf(path, sizeof(path), "%s/cc-" LIID ".pcap", lemf_dir);
	traffic("task on");
	/* The card captures a frame where it forwards it, and its sending is seen in order: what
	 * it sent out of each port is what it captured, in that order. */
	datagrams_of(&seen[B_OUT], &want_from);
	datagrams_of(&seen[A_OUT], &want_to);
	want = (long)(want_from.n + want_to.n);
	for (int i = 0; i < 100; i++) { /* clif-lemf writes out at least every 200 ms */
		frames_free(&got_from);
		frames_free(&got_to);
		n = read_cc(path, &got_from, &got_to, &others);
		if (n < 0 || n >= want)
			break;
		nap_us(100000);
	}
	CHECK_MSG(n == want, "cc-" LIID ".pcap: %ld datagrams, want %ld", n, want);
	CHECK_EQ(others, 0);
	check_same("CC from the VM (vs IF_B out)", &want_from, &got_from);
	check_same("CC to the VM (vs IF_A out)", &want_to, &got_to);
	CHECK_EQ(hx_status_value(NULL, "handover", "cc"), (unsigned long long)want);
	CHECK_EQ(hx_status_value(NULL, "handover_errors", "submit"), 0);
	CHECK_EQ(hx_status_value(NULL, "capture", "ring_lost"), 0);
	frames_free(&want_from);
	frames_free(&want_to);
	frames_free(&got_from);
	frames_free(&got_to);
	taps_clear();
	return n;
}

/* Task off: forwarding as before, and nothing captured or delivered. */
static void phase_off(long delivered)
{
	struct frames from = { 0 }, to = { 0 };
	unsigned long long cc0 = hx_status_value(NULL, "handover", "cc"), rec0 = hx_status_value(NULL, "capture", "records");
	char path[300];
	unsigned others;
	long n;

	snprintf(path, sizeof(path), "%s/cc-" LIID ".pcap", lemf_dir);
	traffic("task off");
	taps_clear();
	nap_us(1000000); /* what clifd would still deliver, and clif-lemf write out */
	n = read_cc(path, &from, &to, &others);
	CHECK_MSG(n == delivered, "task off: cc-" LIID ".pcap has %ld datagrams, had %ld", n, delivered);
	CHECK_EQ(hx_status_value(NULL, "handover", "cc"), cc0);
	CHECK_EQ(hx_status_value(NULL, "capture", "records"), rec0);
	frames_free(&from);
	frames_free(&to);
}

int main(int argc, char **argv)
{
	const char *args[] = { "--wire", if_a, if_b, NULL };
	long delivered;
	int pid = (int)getpid();

	if (argc != 2) {
		fprintf(stderr, "usage: %s BIN_DIR\n", argv[0]);
		return 2;
	}
	if (geteuid() != 0) {
		printf("SKIP: clifd-wire needs root (network namespaces, CAP_NET_RAW)\n");
		return 0;
	}
	hx_init(CHECK_PROG, argv[1]);
	cardsim_on_cleanup = wire_cleanup;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	snprintf(ns_vm, sizeof(ns_vm), "clifvm-%d", pid);
	if (hx_run("ip netns add %s >/dev/null 2>&1", ns_vm) != 0) {
		ns_vm[0] = '\0';
		wire_cleanup();
		printf("SKIP: ip netns is unavailable\n");
		return 0;
	}
	snprintf(ns_up, sizeof(ns_up), "clifup-%d", pid);
	snprintf(if_a, sizeof(if_a), "cwa%d", pid);
	snprintf(if_b, sizeof(if_b), "cwb%d", pid);
	snprintf(if_vm, sizeof(if_vm), "cwv%d", pid);
	snprintf(if_up, sizeof(if_up), "cwu%d", pid);
	if (hx_run("command -v ping >/dev/null 2>&1") != 0)
		die("ping is missing (scripts/install-deps installs iputils-ping)");
	setup_net();
	CHECK_MSG(hx_run("ip netns exec %s ping -c 1 -W 1 " UP_IP " >/dev/null 2>&1", ns_vm) != 0,
		  "the namespaces reach each other without the card");
	/* That ping left the uplink's address unresolved (FAILED) in the VM: forget it, or the
	 * first echoes through the card would be refused. */
	hx_sh("ip -n %s neigh flush dev %s", ns_vm, if_vm);

	hx_make_pki();
	hx_card_start(args);
	lemf_start();
	struct hx_config cfg = { .time_p2 = 0, .max_body = 1u << 20, .card_poll_ms = 50, .card_heartbeat_ms = 3000,
				 .log_level = "info",
				 .extra = "handover_country = XX\nspool_mib = 4\nreconnect_min_ms = 50\n"
					  "reconnect_max_ms = 500\n" };
	hx_write_config(&cfg);
	hx_start_clifd();
	x1_ok("CreateDestination", hx_dest_xml(DID, "X2andX3", "127.0.0.1", lemf_port));
	activate();
	CHECK_EQ(hx_wait_rules(1, 5000), 1);

	delivered = phase_on();
	x1_ok("DeactivateTask", hx_tag("xId", XID));
	CHECK_EQ(hx_wait_rules(0, 5000), 0);
	phase_off(delivered);

	printf("%s: %ld datagrams of the VM delivered across the wire on %s\n", CHECK_PROG, delivered, hx.card_name);
	hx_stop_clifd(SIGTERM);
	cardsim_cleanup();
	return check_done();
}
