/* The whole chain, end to end (issue 7 item 4): clif-cardsim replays the demo traffic
 * (clif-demo-traffic), clifd takes warrants over X1 and delivers over mutual TLS to clif-lemf
 * receivers, and what they store is compared with what the traffic generator knows each target
 * sent (clif-cc-compare: byte for byte, in order).
 *
 * Usage: clif-test-clifd-e2e BIN_DIR. Everything runs on 127.0.0.1 in a temporary directory
 * (CLIFD_TEST_KEEP=1 keeps it). */
#define _GNU_SOURCE
#define CHECK_PROG "clifd-e2e"
#include "check.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

extern char **environ;

#define DID1 "d1000000-0000-4000-8000-000000000001" /* LEMF 1: TS 102 232-1 */
#define DID2 "d1000000-0000-4000-8000-000000000002" /* LEMF 2: X2/X3 */
#define DID3 "d1000000-0000-4000-8000-000000000003" /* a LEMF with a certificate from elsewhere */
#define XID_VNI "a1000000-0000-4000-8000-000000000001"
#define XID_MAC "a1000000-0000-4000-8000-000000000002"
#define XID_V6 "a1000000-0000-4000-8000-000000000003"
#define XID_CIDR "a1000000-0000-4000-8000-000000000004"
#define XID_BAD "a1000000-0000-4000-8000-000000000005"

struct lemf {
	const char *name;
	const char *cert;
	unsigned port;
	pid_t pid;
	char dir[200];
};

static struct lemf lemf1 = { "lemf1", "lemf", 0, 0, "" };
static struct lemf lemf2 = { "lemf2", "lemf", 0, 0, "" };
static struct lemf lemf3 = { "lemf3", "lemfforeign", 0, 0, "" };
static char traffic[200];

static void lemf_start(struct lemf *l)
{
	char bin[600], listen[32], crt[256], key[256], ca[256], raw[256], log[256];
	char *argv[] = { bin, "-o", l->dir, "-l", listen, "--tls-cert", crt, "--tls-key", key, "--tls-ca", ca,
			 "--raw", raw, "-q", NULL };
	posix_spawn_file_actions_t fa;

	if (!l->port)
		l->port = hx_free_port();
	snprintf(bin, sizeof(bin), "%s/clif-lemf", hx.bindir);
	snprintf(l->dir, sizeof(l->dir), "%s/%s", hx.dir, l->name);
	snprintf(listen, sizeof(listen), "127.0.0.1:%u", l->port);
	snprintf(crt, sizeof(crt), "%s/%s.crt", hx.dir, l->cert);
	snprintf(key, sizeof(key), "%s/%s.key", hx.dir, l->cert);
	snprintf(ca, sizeof(ca), "%s/ca.crt", hx.dir);
	snprintf(raw, sizeof(raw), "%s/%s-raw", hx.dir, l->name);
	snprintf(log, sizeof(log), "%s/%s.log", hx.dir, l->name);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	if (posix_spawn(&l->pid, bin, &fa, NULL, argv, environ) != 0)
		die("cannot start %s", bin);
	posix_spawn_file_actions_destroy(&fa);
	for (int i = 0; i < 500; i++) { /* up when it accepts (a bare connect is harmless) */
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)l->port),
					  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		int fd = socket(AF_INET, SOCK_STREAM, 0), ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
		close(fd);
		if (ok)
			return;
		nap_us(20000);
	}
	die("%s did not come up", l->name);
}

static void lemf_stop(struct lemf *l, int sig)
{
	int st;

	if (!l->pid)
		return;
	kill(l->pid, sig);
	waitpid(l->pid, &st, 0);
	l->pid = 0;
}

static void stop_all(void)
{
	lemf_stop(&lemf1, SIGKILL);
	lemf_stop(&lemf2, SIGKILL);
	lemf_stop(&lemf3, SIGKILL);
}

/* ---- X1 ---- */

static void x1_ok(const char *type, const char *payload, const char *what)
{
	struct hx_http h;
	char *doc = hx_doc(type, payload);

	hx_post("admf", doc, &h);
	free(doc);
	CHECK_MSG(h.status == 200 && h.body && strstr(h.body, "AcknowledgedAndCompleted"), "%s: HTTP %d: %.400s",
		  what, h.status, h.body ? h.body : "");
	hx_http_free(&h);
}

static void create_dest(const char *did, unsigned port, int x2x3)
{
	char *p;

	if (asprintf(&p,
		     "<x1:destinationDetails><x1:dId>%s</x1:dId><x1:friendlyName>LEMF</x1:friendlyName>"
		     "<x1:deliveryType>X2andX3</x1:deliveryType><x1:deliveryAddress><x1:ipAddressAndPort>"
		     "<c:address><c:IPv4Address>127.0.0.1</c:IPv4Address></c:address>"
		     "<c:port><c:TCPPort>%u</c:TCPPort></c:port></x1:ipAddressAndPort></x1:deliveryAddress>%s"
		     "</x1:destinationDetails>",
		     did, port,
		     x2x3 ? "<x1:destinationDetailsExtensions><x1:Owner>CLIF</x1:Owner>"
			    "<ho:handover xmlns:ho=\"urn:clif:x1:handover:1\">x2x3</ho:handover>"
			    "</x1:destinationDetailsExtensions>"
			  : "") < 0)
		die("out of memory");
	x1_ok("CreateDestination", p, "CreateDestination");
	free(p);
}

/* One task: targets (targetIdentifier elements), the DIDs (dId elements), one mediationDetails
 * with liid for med_dids (dId elements, "" for all), and a VNI scope (0: none). */
static void activate(const char *xid, const char *targets, const char *dids, const char *liid, const char *med_dids,
		     unsigned vni)
{
	char *p, scope[256] = "", med[256] = "";

	if (vni)
		snprintf(scope, sizeof(scope),
			 "<x1:taskDetailsExtensions><x1:Owner>CLIF</x1:Owner><cs:cloudScope "
			 "xmlns:cs=\"urn:clif:x1:cloud-scope:1\"><cs:vni>%u</cs:vni></cs:cloudScope>"
			 "</x1:taskDetailsExtensions>",
			 vni);
	if (med_dids[0])
		snprintf(med, sizeof(med), "<x1:listOfDIDs>%s</x1:listOfDIDs>", med_dids);
	if (asprintf(&p,
		     "<x1:taskDetails><x1:xId>%s</x1:xId><x1:targetIdentifiers>%s</x1:targetIdentifiers>"
		     "<x1:deliveryType>X2andX3</x1:deliveryType><x1:listOfDIDs>%s</x1:listOfDIDs>"
		     "<x1:listOfMediationDetails><x1:mediationDetails><x1:LIID>%s</x1:LIID>"
		     "<x1:deliveryType>HI2andHI3</x1:deliveryType>%s</x1:mediationDetails></x1:listOfMediationDetails>"
		     "%s</x1:taskDetails>",
		     xid, targets, dids, liid, med, scope) < 0)
		die("out of memory");
	x1_ok("ActivateTask", p, "ActivateTask");
	free(p);
}

/* ---- outputs ---- */

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 255;
}

/* clif-cc-compare EXPECT GOT: 0 when identical. */
static int compare(const char *label, const struct lemf *l, const char *file)
{
	return run("'%s/clif-cc-compare' '%s/expect-%s.pcap' '%s/%s' >> '%s/compare.log' 2>&1", hx.bindir, traffic,
		   label, l->dir, file, hx.dir);
}

/* Lines of the LEMF's events.jsonl holding every needle (NULL-terminated list). */
static unsigned events(const struct lemf *l, const char *n1, const char *n2)
{
	char path[300];
	char *text, *line;
	unsigned n = 0;

	snprintf(path, sizeof(path), "%s/events.jsonl", l->dir);
	text = hx_read_file(path, NULL);
	if (!text)
		return 0;
	for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		if (strstr(line, n1) && (!n2 || strstr(line, n2)))
			n++;
	free(text);
	return n;
}

static unsigned files_with_prefix(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

/* A "key N" value on the management socket's status line starting with line_key. */
static unsigned long long status_value(const char *line_key, const char *key)
{
	char *s = hx_mgmt("status"), *l = strstr(s, line_key), *k;
	char pat[64];

	if (!l)
		return ~0ull;
	snprintf(pat, sizeof(pat), " %s ", key);
	k = strstr(l, pat);
	return k ? strtoull(k + strlen(pat), NULL, 10) : ~0ull;
}

/* ---- the phases ---- */

static void provision(void)
{
	create_dest(DID1, lemf1.port, 0);
	create_dest(DID2, lemf2.port, 1);
	create_dest(DID3, lemf3.port, 0);
	activate(XID_VNI, HX_IP("10.0.0.5"), HX_DID(DID1), "LIID-VNI", "", 5001);
	activate(XID_MAC, "<x1:targetIdentifier><x1:macAddress>52:54:00:c0:00:03</x1:macAddress></x1:targetIdentifier>",
		 HX_DID(DID1), "LIID-MAC", "", 0);
	activate(XID_V6,
		 "<x1:targetIdentifier><x1:ipv6Address>2001:0db8:0001:0000:0000:0000:0000:0010</x1:ipv6Address>"
		 "</x1:targetIdentifier>",
		 HX_DID(DID1), "LIID-V6", "", 0);
	/* Two destinations: LEMF 1 gets HI2/HI3 under the LIID, LEMF 2 X2/X3. */
	activate(XID_CIDR,
		 "<x1:targetIdentifier><x1:ipv4Cidr><c:IPv4CIDR>198.51.100.0/24</c:IPv4CIDR></x1:ipv4Cidr>"
		 "</x1:targetIdentifier>",
		 HX_DID(DID1) HX_DID(DID2), "LIID-CIDR", HX_DID(DID1), 0);
	activate(XID_BAD, HX_IP("10.0.0.9"), HX_DID(DID3), "LIID-BAD", "", 5002);
}

static int all_arrived(void)
{
	return compare("vni", &lemf1, "cc-LIID-VNI.pcap") == 0 && compare("mac", &lemf1, "cc-LIID-MAC.pcap") == 0 &&
	       compare("v6", &lemf1, "cc-LIID-V6.pcap") == 0 && compare("cidr", &lemf1, "cc-LIID-CIDR.pcap") == 0 &&
	       compare("cidr", &lemf2, "x3-" XID_CIDR ".pcap") == 0;
}

static void test_demo_chain(void)
{
	int ok = 0;

	kill(cardsim_pid, SIGUSR1); /* the traffic starts */
	for (int i = 0; i < 200 && !(ok = all_arrived()); i++)
		nap_us(100000);
	CHECK_MSG(ok, "the targets' datagrams did not all arrive byte-identical (see compare.log)");
	CHECK_EQ(compare("vni", &lemf1, "cc-LIID-VNI.pcap"), 0);
	CHECK_EQ(compare("mac", &lemf1, "cc-LIID-MAC.pcap"), 0);
	CHECK_EQ(compare("v6", &lemf1, "cc-LIID-V6.pcap"), 0);
	CHECK_EQ(compare("cidr", &lemf1, "cc-LIID-CIDR.pcap"), 0);
	CHECK_EQ(compare("cidr", &lemf2, "x3-" XID_CIDR ".pcap"), 0);
	/* nothing for anyone else */
	CHECK_EQ(files_with_prefix(lemf1.dir, "cc-"), 4);
	CHECK_EQ(files_with_prefix(lemf2.dir, "cc-"), 0);
	CHECK_EQ(files_with_prefix(lemf2.dir, "x3-"), 1);
	/* the LEMF whose certificate clifd does not trust got nothing */
	CHECK_EQ(files_with_prefix(lemf3.dir, "cc-"), 0);
	CHECK_EQ(events(&lemf3, "\"pdu\":", NULL), 0);
	CHECK(status_value("senders", "connected") == 2);
	/* IRI: a BEGIN per task on LEMF 1, and the MAC target's learned address */
	CHECK_EQ(events(&lemf1, "\"iri_type\":\"BEGIN\"", "startOfInterceptionWithSessionActive"), 4);
	CHECK_EQ(events(&lemf1, "\"iri_type\":\"BEGIN\"", "accessAccept"), 1);
	CHECK_EQ(events(&lemf1, "accessAccept", "\"target_ip\":\"192.0.2.50\""), 1);
	CHECK_EQ(events(&lemf2, "\"pdu\":\"X2\"", NULL), 1);
	/* sequence numbers continuous, nothing undecodable */
	CHECK_EQ(events(&lemf1, "\"event\":\"gap\"", NULL), 0);
	CHECK_EQ(events(&lemf1, "\"event\":\"undecodable\"", NULL), 0);
	CHECK_EQ(events(&lemf1, "\"event\":\"framing_error\"", NULL), 0);
	CHECK_EQ(events(&lemf2, "\"event\":\"gap\"", NULL), 0);
	CHECK_EQ(status_value("handover_errors", "submit"), 0);
	CHECK_EQ(status_value("handover_errors", "encode"), 0);
	CHECK_EQ(status_value("capture", "ring_lost"), 0);
}

int main(int argc, char **argv)
{
	const char *args[] = { "--pcap", NULL, "--hold", NULL };
	char pcap[300];

	if (argc != 2) {
		fprintf(stderr, "usage: %s BIN_DIR\n", argv[0]);
		return 2;
	}
	hx_init(CHECK_PROG, argv[1]);
	cardsim_on_cleanup = stop_all;
	hx_make_pki();
	snprintf(traffic, sizeof(traffic), "%s/traffic", hx.dir);
	hx_sh("'%s/clif-demo-traffic' -o '%s' > /dev/null", hx.bindir, traffic);
	snprintf(pcap, sizeof(pcap), "%s/traffic.pcap", traffic);
	args[1] = pcap;
	hx_card_start(args);
	lemf_start(&lemf1);
	lemf_start(&lemf2);
	lemf_start(&lemf3);
	struct hx_config cfg = { .time_p2 = 0, .max_body = 1u << 20, .card_poll_ms = 50, .card_heartbeat_ms = 3000,
				 .log_level = "info",
				 .extra = "handover_country = XX\nspool_mib = 4\nreconnect_min_ms = 50\n"
					  "reconnect_max_ms = 500\n" };
	hx_write_config(&cfg);
	hx_start_clifd();
	provision();

	test_demo_chain();

	printf("%s: demo traffic through cardsim, clifd and 3 LEMFs on %s\n", CHECK_PROG, hx.card_name);
	hx_stop_clifd(SIGTERM);
	stop_all();
	cardsim_cleanup();
	return check_done();
}
