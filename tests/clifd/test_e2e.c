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
#include <pcap/pcap.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clif/simshm.h"
#include "harness.h"
#include "libclif.h"

extern char **environ;

#define DID1 "d1000000-0000-4000-8000-000000000001" /* LEMF 1: TS 102 232-1 */
#define DID2 "d1000000-0000-4000-8000-000000000002" /* LEMF 2: X2/X3 */
#define DID3 "d1000000-0000-4000-8000-000000000003" /* a LEMF with a certificate from elsewhere */
#define DID4 "d1000000-0000-4000-8000-000000000004" /* a LEMF whose certificate names another address */
#define TGT_V6                                                                                     \
	"<x1:targetIdentifier><x1:ipv6Address>2001:0db8:0001:0000:0000:0000:0000:0010</x1:ipv6Address>"          \
	"</x1:targetIdentifier>"
#define XID_VNI "a1000000-0000-4000-8000-000000000001"
#define XID_MAC "a1000000-0000-4000-8000-000000000002"
#define XID_V6 "a1000000-0000-4000-8000-000000000003"
#define XID_CIDR "a1000000-0000-4000-8000-000000000004"
#define XID_BAD "a1000000-0000-4000-8000-000000000005"


static struct hx_lemf lemf1 = { "lemf1", "lemf", 0, 0, "" };
static struct hx_lemf lemf2 = { "lemf2", "lemf", 0, 0, "" };
static struct hx_lemf lemf3 = { "lemf3", "lemfforeign", 0, 0, "" };
static struct hx_lemf lemf4 = { "lemf4", "lemfname", 0, 0, "" };
static char traffic[200];

static void stop_all(void)
{
	hx_lemf_stop(&lemf1, SIGKILL);
	hx_lemf_stop(&lemf2, SIGKILL);
	hx_lemf_stop(&lemf3, SIGKILL);
	hx_lemf_stop(&lemf4, SIGKILL);
	hx_cleanup(); /* clifd, the card, the temporary directory */
}

/* ---- X1 ---- */

static void x1_ok(const char *type, const char *payload, const char *what)
{
	struct hx_http h;

	CHECK_MSG(hx_x1_ok(type, payload, &h), "%s: HTTP %d: %.400s", what, h.status, h.body ? h.body : "");
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

/* ActivateTask or ModifyTask (type) of one task: targets (targetIdentifier elements), the
 * DIDs (dId elements), one mediationDetails with liid for med_dids (dId elements, "" for all),
 * and a VNI scope (0: none). */
static void task_msg(const char *type, const char *xid, const char *targets, const char *dids, const char *liid,
		     const char *med_dids, unsigned vni)
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
	x1_ok(type, p, type);
	free(p);
}

static void activate(const char *xid, const char *targets, const char *dids, const char *liid, const char *med_dids,
		     unsigned vni)
{
	task_msg("ActivateTask", xid, targets, dids, liid, med_dids, vni);
}

/* ---- outputs ---- */

/* clif-cc-compare EXPECT GOT: 0 when identical. */
static int compare(const char *label, const struct hx_lemf *l, const char *file)
{
	return hx_run("'%s/clif-cc-compare' '%s/expect-%s.pcap' '%s/%s' >> '%s/compare.log' 2>&1", hx.bindir, traffic,
		   label, l->dir, file, hx.dir);
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

/* ---- the phases ---- */

static void provision(void)
{
	create_dest(DID1, lemf1.port, 0);
	create_dest(DID2, lemf2.port, 1);
	create_dest(DID3, lemf3.port, 0);
	create_dest(DID4, lemf4.port, 0);
	activate(XID_VNI, HX_IP("10.0.0.5"), HX_DID(DID1), "LIID-VNI", "", 5001);
	activate(XID_MAC, "<x1:targetIdentifier><x1:macAddress>52:54:00:c0:00:03</x1:macAddress></x1:targetIdentifier>",
		 HX_DID(DID1), "LIID-MAC", "", 0);
	activate(XID_V6, TGT_V6, HX_DID(DID1), "LIID-V6", "", 0);
	/* Two destinations: LEMF 1 gets HI2/HI3 under the LIID, LEMF 2 X2/X3. */
	activate(XID_CIDR,
		 "<x1:targetIdentifier><x1:ipv4Cidr><c:IPv4CIDR>198.51.100.0/24</c:IPv4CIDR></x1:ipv4Cidr>"
		 "</x1:targetIdentifier>",
		 HX_DID(DID1) HX_DID(DID2), "LIID-CIDR", HX_DID(DID1), 0);
	activate(XID_BAD, HX_IP("10.0.0.9"), HX_DID(DID3) HX_DID(DID4), "LIID-BAD", "", 5002);
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
	/* the LEMFs whose certificate clifd does not trust, or that names another address, got
	 * nothing */
	CHECK_EQ(files_with_prefix(lemf3.dir, "cc-"), 0);
	CHECK_EQ(hx_lemf_events(&lemf3, "\"pdu\":", NULL), 0);
	CHECK_EQ(files_with_prefix(lemf4.dir, "cc-"), 0);
	CHECK_EQ(hx_lemf_events(&lemf4, "\"pdu\":", NULL), 0);
	CHECK(hx_status_value(NULL, "senders", "connected") == 2);
	/* IRI: a BEGIN per task on LEMF 1, and the MAC target's learned address */
	CHECK_EQ(hx_lemf_events(&lemf1, "\"iri_type\":\"BEGIN\"", "startOfInterceptionWithSessionActive"), 4);
	for (int i = 0; i < 50 && !hx_lemf_events(&lemf1, "\"iri_type\":\"BEGIN\"", "accessAccept"); i++)
		nap_us(100000); /* the firmware learns the address a little after the frames pass */
	CHECK_EQ(hx_lemf_events(&lemf1, "\"iri_type\":\"BEGIN\"", "accessAccept"), 1);
	CHECK_EQ(hx_lemf_events(&lemf1, "accessAccept", "\"target_ip\":\"192.0.2.50\""), 1);
	CHECK_EQ(hx_lemf_events(&lemf2, "\"pdu\":\"X2\"", NULL), 1);
	/* sequence numbers continuous, nothing undecodable */
	CHECK_EQ(hx_lemf_events(&lemf1, "\"event\":\"gap\"", NULL), 0);
	CHECK_EQ(hx_lemf_events(&lemf1, "\"event\":\"undecodable\"", NULL), 0);
	CHECK_EQ(hx_lemf_events(&lemf1, "\"event\":\"framing_error\"", NULL), 0);
	CHECK_EQ(hx_lemf_events(&lemf2, "\"event\":\"gap\"", NULL), 0);
	CHECK_EQ(hx_status_value(NULL, "handover_errors", "submit"), 0);
	CHECK_EQ(hx_status_value(NULL, "handover_errors", "encode"), 0);
	CHECK_EQ(hx_status_value(NULL, "capture", "ring_lost"), 0);
}

/* ---- counting ---- */

/* Packets in traffic/NAME.pcap (the traffic, or the generator's expect-LABEL). */
static unsigned pcap_count(const char *name)
{
	char path[300], eb[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	unsigned n = 0;
	pcap_t *p;

	snprintf(path, sizeof(path), "%s/%s.pcap", traffic, name);
	if (!(p = pcap_open_offline(path, eb)))
		die("%s: %s", path, eb);
	while (pcap_next_ex(p, &h, &d) == 1)
		n++;
	pcap_close(p);
	return n;
}

/* CC records of an LIID the LEMF decoded, without the ones it reported as duplicates. */
static unsigned distinct_cc(const struct hx_lemf *l, const char *liid)
{
	char a[96], b[128];

	snprintf(a, sizeof(a), "\"pdu\":\"CC\",\"liid\":\"%s\"", liid);
	snprintf(b, sizeof(b), "\"context\":{\"type\":\"CC\",\"liid\":\"%s\"", liid);
	return hx_lemf_events(l, a, NULL) - hx_lemf_events(l, "\"event\":\"duplicate\"", b);
}

static const char *const liids[4] = { "LIID-VNI", "LIID-MAC", "LIID-V6", "LIID-CIDR" };
static const char *const labels[4] = { "vni", "mac", "v6", "cidr" };
static unsigned per_play[4], frames_per_play;
static unsigned plays = 1; /* traffic plays so far (test_demo_chain's) */

static void play(void)
{
	kill(cardsim_pid, SIGUSR1);
	plays++;
}

/* Plays the traffic once more and waits (30 s at most) until every LIID has exactly its
 * records of that play on top of before[]. Returns 1 if so. */
static int play_once_whole(const unsigned before[4])
{
	int ok = 0;

	kill(cardsim_pid, SIGUSR1);
	for (int t = 0; t < 300 && !ok; t++) {
		ok = 1;
		for (int i = 0; i < 4; i++)
			ok &= distinct_cc(&lemf1, liids[i]) == before[i] + per_play[i];
		if (!ok)
			nap_us(100000);
	}
	return ok;
}

/* The CC records (LIID, CIN, sequence number) in a LEMF's events.jsonl. */
struct cc_key {
	char liid[16];
	unsigned long cin, seq;
};

static int key_cmp(const void *a, const void *b)
{
	const struct cc_key *x = a, *y = b;
	int c = strcmp(x->liid, y->liid);

	if (c)
		return c;
	if (x->cin != y->cin)
		return x->cin < y->cin ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static size_t cc_keys(const struct hx_lemf *l, struct cc_key **v, size_t n)
{
	char path[300], *text, *line;

	snprintf(path, sizeof(path), "%s/events.jsonl", l->dir);
	if (!(text = hx_read_file(path, NULL)))
		return n;
	for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		char *p = strstr(line, "\"pdu\":\"CC\",\"liid\":\"");
		struct cc_key k;
		if (!p || sscanf(p, "\"pdu\":\"CC\",\"liid\":\"%15[^\"]\",\"cin\":%lu,\"seq\":%lu", k.liid, &k.cin, &k.seq) != 3)
			continue;
		if (!(*v = realloc(*v, (n + 1) * sizeof(**v))))
			die("out of memory");
		(*v)[n++] = k;
	}
	free(text);
	return n;
}

/* The LEMF stopped for 30 s under steady traffic (the sender finds it gone, the queue overflows
 * into the spool), then started again (a new process, new output folder): every CC record
 * reached one of the two, each context's sequence numbers run from 0 without a hole, and the
 * only records both got are the ones the resend buffer sent again. */
static void test_lemf_outage(void)
{
	struct hx_lemf before = lemf1;
	struct cc_key *k = NULL;
	size_t n = 0, uniq = 0, dups = 0, holes = 0;
	unsigned want = 0, plays0 = plays, spooled_max = 0;
	uint64_t t0;

	hx_lemf_stop(&lemf1, SIGTERM);
	t0 = now_ns();
	while (now_ns() - t0 < 30000000000ull) {
		play();
		nap_us(500000);
		unsigned long long q = hx_status_value(NULL, "senders", "spooled_pdus");
		if (q != ~0ull && q > spooled_max)
			spooled_max = (unsigned)q;
	}
	CHECK_EQ(hx_status_value(NULL, "senders", "connected"), 1); /* only LEMF 2 */
	lemf1.name = "lemf1b"; /* the restarted LEMF: same address and port, new output folder */
	hx_lemf_start(&lemf1);
	for (int i = 0; i < 4; i++)
		want += per_play[i] * plays;
	for (int t = 0; t < 600; t++) {
		free(k);
		k = NULL;
		n = cc_keys(&lemf1, &k, cc_keys(&before, &k, 0));
		qsort(k, n, sizeof(*k), key_cmp);
		uniq = dups = holes = 0;
		for (size_t i = 0; i < n; i++) {
			if (i && key_cmp(&k[i - 1], &k[i]) == 0) {
				dups++;
				continue;
			}
			int same_ctx = i && strcmp(k[i - 1].liid, k[i].liid) == 0 && k[i - 1].cin == k[i].cin;
			if ((same_ctx && k[i].seq != k[i - 1].seq + 1) || (!same_ctx && k[i].seq != 0))
				holes++;
			uniq++;
		}
		if (uniq >= want && holes == 0)
			break;
		nap_us(100000);
	}
	free(k);
	CHECK_MSG(uniq == want, "after the outage: %zu distinct CC records, want %u", uniq, want);
	CHECK_EQ(holes, 0);
	CHECK_EQ(hx_lemf_events(&lemf1, "\"event\":\"undecodable\"", NULL), 0);
	CHECK_EQ(hx_lemf_events(&lemf1, "\"event\":\"gap\"", NULL), 0);
	/* Duplicates within the new LEMF's stream would be a sender bug: only across the two. */
	CHECK_EQ(hx_lemf_events(&lemf1, "\"event\":\"duplicate\"", NULL), 0);
	CHECK_MSG(spooled_max > 0, "the spool was never used during the outage");
	CHECK_EQ(hx_status_value(NULL, "senders", "lost"), 0);
	CHECK_EQ(hx_status_value(NULL, "senders", "connected"), 2);
	printf("%s: LEMF down 30 s under %u plays of the traffic: %zu CC records, all arrived, %zu sent again "
	       "by the resend buffer, up to %u PDUs in the spool, 0 holes\n",
	       CHECK_PROG, plays - plays0, uniq, dups, spooled_max);
	/* From here on the per-play counts are taken as deltas on the new LEMF. */
}

/* clifd SIGKILLed while the traffic plays, started again: its tasks come back, each with a new
 * CIN (IRI BEGIN again), nothing undecodable reaches the LEMF, and the next play arrives
 * whole. */
static void test_clifd_killed(void)
{
	unsigned begins = hx_lemf_events(&lemf1, "\"iri_type\":\"BEGIN\"", "startOfInterceptionWithSessionActive");

	kill(cardsim_pid, SIGUSR1);
	nap_us(2000);
	hx_stop_clifd(SIGKILL);
	hx_start_clifd();
	CHECK_EQ(hx_status_value(NULL, "handover", "sessions"), 5);
	for (int i = 0; i < 100 && hx_lemf_events(&lemf1, "\"iri_type\":\"BEGIN\"", "startOfInterceptionWithSessionActive") <
					begins + 4; i++)
		nap_us(100000);
	CHECK_EQ(hx_lemf_events(&lemf1, "\"iri_type\":\"BEGIN\"", "startOfInterceptionWithSessionActive"), begins + 4);
	/* a new CIN per session: the VNI task had CIN 1, now 2 */
	CHECK_EQ(hx_lemf_events(&lemf1, "\"liid\":\"LIID-VNI\",\"cin\":2,\"seq\":0", "\"iri_type\":\"BEGIN\""), 1);
	CHECK_EQ(hx_lemf_events(&lemf1, "\"event\":\"undecodable\"", NULL), 0);
	/* The killed clifd may have been writing a PDU: its connection can end inside it (that PDU
	 * is lost with the process); nothing else may be out of frame. */
	CHECK(hx_lemf_events(&lemf1, "\"event\":\"framing_error\"", "stream ended inside a PDU") <= 1);
	CHECK_EQ(hx_lemf_events(&lemf1, "\"event\":\"framing_error\"", NULL),
		 hx_lemf_events(&lemf1, "\"event\":\"framing_error\"", "stream ended inside a PDU"));
	/* What the card copied while clifd was down is not counted: start from what arrived. */
	nap_us(500000);
	unsigned before[4];
	for (int i = 0; i < 4; i++)
		before[i] = distinct_cc(&lemf1, liids[i]);
	play_once_whole(before);
	for (int i = 0; i < 4; i++)
		CHECK_MSG(distinct_cc(&lemf1, liids[i]) == before[i] + per_play[i], "after the restart: %s: %u, want %u",
			  liids[i], distinct_cc(&lemf1, liids[i]), before[i] + per_play[i]);
	CHECK_EQ(hx_lemf_events(&lemf1, "\"event\":\"gap\"", NULL), 0);
}

/* A card reset: clifd sees it, replays the rules, audits it, and the copies flow again. */
static void test_card_reset(void)
{
	unsigned rules = hx_card_rules(), before[4];

	for (int i = 0; i < 4; i++)
		before[i] = distinct_cc(&lemf1, liids[i]);
	CHECK_EQ(clif_card_reset(hx.ctl), 0);
	for (int i = 0; i < 100 && !strstr(hx_mgmt("status"), "\ncard_resets 1\n"); i++)
		nap_us(50000);
	CHECK(strstr(hx_mgmt("status"), "\ncard_resets 1\n") != NULL);
	CHECK_EQ(hx_wait_rules(rules, 5000), rules);
	CHECK(hx_audit_has("CardReset"));
	CHECK(hx_wait_report("ReportNEIssueRequest", "card reset", 5000) == 1);
	/* the card forgot the MAC target's learned address: that session ends */
	for (int i = 0; i < 50 && !hx_lemf_events(&lemf1, "\"event\":\"accessEnd\"", "\"end_reason\":\"connectionLoss\""); i++)
		nap_us(100000);
	CHECK_EQ(hx_lemf_events(&lemf1, "\"event\":\"accessEnd\"", "\"end_reason\":\"connectionLoss\""), 1);
	nap_us(300000);
	CHECK_MSG(play_once_whole(before), "after a card reset the next play did not arrive whole");
}

/* The ring "full" (cardsim's c2h-stall fault): every copy of one play is dropped by the card,
 * counted by clifd and logged; forwarding goes on; the next play arrives whole. */
static void test_ring_overflow(void)
{
	int fd = open(cardsim_shm_path, O_RDWR);
	struct clif_sim_hdr *sh;
	struct clif_dp_counters dp0, dp1;
	unsigned before[4];
	unsigned long long lost0 = hx_status_value(NULL, "capture", "ring_lost");

	if (fd < 0)
		die("%s: %s", cardsim_shm_path, strerror(errno));
	sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (sh == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	for (int i = 0; i < 4; i++)
		before[i] = distinct_cc(&lemf1, liids[i]);
	check_rc(clif_dp_counters(hx.ctl, &dp0), "dp counters");
	__atomic_store_n(&sh->fault, CLIF_SIM_FAULT_C2H_STALL, __ATOMIC_RELEASE);
	kill(cardsim_pid, SIGUSR1);
	for (int i = 0; i < 100; i++) {
		check_rc(clif_dp_counters(hx.ctl, &dp1), "dp counters");
		if (dp1.frames >= dp0.frames + frames_per_play)
			break;
		nap_us(50000);
	}
	__atomic_store_n(&sh->fault, 0, __ATOMIC_RELEASE);
	munmap(sh, 4096);
	/* forwarding unaffected: every frame of the play went through (the card forwards every frame
	 * it sees), and the copies the card dropped are exactly the ones clifd counts below */
	CHECK_EQ(dp1.frames - dp0.frames, frames_per_play);
	CHECK_EQ(dp1.captured, dp0.captured);
	for (int i = 0; i < 30 && hx_status_value(NULL, "capture", "ring_lost") == lost0; i++)
		nap_us(100000);
	unsigned long long lost = hx_status_value(NULL, "capture", "ring_lost") - lost0;
	CHECK_MSG(lost > 0, "no ring loss counted");
	CHECK_EQ(lost, dp1.capture_drops - dp0.capture_drops);
	CHECK(hx_run("grep -q 'capture ring: %llu copies lost' '%s/clifd.log'", lost, hx.dir) == 0);
	CHECK(hx_wait_report("ReportNEIssueRequest", "capture ring overflow", 5000) == 1);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(distinct_cc(&lemf1, liids[i]), before[i]);
	CHECK_MSG(play_once_whole(before), "after the overflow the next play did not arrive whole");
	CHECK_EQ(hx_lemf_events(&lemf1, "\"event\":\"gap\"", NULL), 0);
	CHECK_EQ(hx_lemf_events(&lemf1, "\"event\":\"undecodable\"", NULL), 0);
	printf("%s: ring overflow: %llu copies dropped by the card, counted and logged by clifd; forwarding "
	       "unaffected\n",
	       CHECK_PROG, lost);
}

/* The learned address ages out on the card (its age set to 1 s): that session ends with an
 * IRI END accessEnd, leaseExpired (it came from DHCP). */
static void test_binding_ages_out(void)
{
	const char *aged = "\"end_reason\":\"leaseExpired\"";

	CHECK_EQ(clif_config(hx.ctl, CLIF_CFG_LEARN_AGE_S, 1), 0);
	for (int i = 0; i < 100 && !hx_lemf_events(&lemf1, "\"event\":\"accessEnd\"", aged); i++)
		nap_us(100000);
	CHECK_EQ(hx_lemf_events(&lemf1, "\"event\":\"accessEnd\"", aged), 1);
	CHECK_EQ(hx_lemf_events(&lemf1, "\"liid\":\"LIID-MAC\"", aged), 1);
}

/* Deactivation ends the sessions (IRI END, the learned address's accessEnd first). Then only
 * the task whose LEMFs clifd refuses is left: its queue and spool fill up, the oldest PDUs go,
 * and the loss is counted, logged (by DID) and reported to the ADMF. */
static void test_deactivate_and_loss(void)
{
	static const char *const xids[4] = { XID_VNI, XID_MAC, XID_V6, XID_CIDR };
	unsigned long long lost0 = hx_status_value(NULL, "senders", "lost");
	unsigned n = 0;

	/* A modified task starts a new session: END under the old LIID, BEGIN under the new. */
	unsigned cin_v6b;
	task_msg("ModifyTask", XID_V6, TGT_V6, HX_DID(DID1), "LIID-V6B", "", 0);
	for (int i = 0; i < 50 && !hx_lemf_events(&lemf1, "\"liid\":\"LIID-V6B\"", "\"iri_type\":\"BEGIN\""); i++)
		nap_us(100000);
	CHECK_EQ(hx_lemf_events(&lemf1, "\"liid\":\"LIID-V6\"", "\"iri_type\":\"END\""), 1);
	CHECK_EQ(hx_lemf_events(&lemf1, "\"liid\":\"LIID-V6B\"", "\"iri_type\":\"BEGIN\""), 1);
	cin_v6b = hx_lemf_events(&lemf1, "\"liid\":\"LIID-V6B\",\"cin\":3,", "\"iri_type\":\"BEGIN\"");
	CHECK_MSG(cin_v6b == 1, "the modified task's new session has CIN 3 (activation 1, restart 2)");
	for (int i = 0; i < 4; i++) {
		char *p = hx_tag("xId", xids[i]);
		x1_ok("DeactivateTask", p, "DeactivateTask");
		free(p);
	}
	for (int i = 0; i < 50 && hx_lemf_events(&lemf1, "\"iri_type\":\"END\"", "endOfInterceptionWithSessionActive") < 5; i++)
		nap_us(100000);
	/* one END per session on LEMF 1 since the restart (the SIGKILLed clifd sent none): the
	 * modification's and the four deactivations' */
	CHECK_EQ(hx_lemf_events(&lemf1, "\"iri_type\":\"END\"", "endOfInterceptionWithSessionActive"), 5);
	/* The learned address's sessions: the first (cut short by the SIGKILL, no END), the one the
	 * restarted clifd saw (ended by the card reset), and the one learned again after it (aged
	 * out). */
	CHECK_EQ(hx_lemf_events(&lemf1, "\"iri_type\":\"BEGIN\"", "\"event\":\"accessAccept\""), 3);
	CHECK_EQ(hx_lemf_events(&lemf1, "\"iri_type\":\"END\"", "\"event\":\"accessEnd\""), 2);
	CHECK_EQ(hx_lemf_events(&lemf1, "\"liid\":\"LIID-VNI\"", "\"octets_received\""), 1);
	CHECK_EQ(hx_status_value(NULL, "handover", "sessions"), 1);
	while (hx_status_value(NULL, "senders", "lost") == lost0 && n < 3000) {
		kill(cardsim_pid, SIGUSR1);
		n++;
		nap_us(5000);
	}
	unsigned long long lost = hx_status_value(NULL, "senders", "lost") - lost0;
	CHECK_MSG(lost > 0, "no loss after %u plays to a LEMF that is never reached", n);
	for (int i = 0; i < 40 && hx_run("grep -q 'destination " DID3 ": [0-9]* PDUs lost' '%s/clifd.log'", hx.dir); i++)
		nap_us(100000);
	CHECK(hx_run("grep -q 'destination " DID3 ": [0-9]* PDUs lost' '%s/clifd.log'", hx.dir) == 0);
	CHECK(hx_wait_report("ReportDestinationIssueRequest", DID3, 5000) >= 1);
	printf("%s: a LEMF never reached: queue and spool full after %u plays, the oldest PDUs dropped, counted, "
	       "logged and reported\n",
	       CHECK_PROG, n);
}

/* No identifier in clifd's log: LIIDs, XIDs, target addresses. */
static void no_identifiers_logged(void)
{
	static const char *const secrets[] = { "LIID-", "a1000000-", "10.0.0.5", "10.0.0.9", "52:54:00:c0:00:03",
					       "2001:db8", "198.51.100", "192.0.2.50" };

	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		CHECK_MSG(hx_run("grep -qi -- '%s' '%s/clifd.log'", secrets[i], hx.dir) == 1, "clifd.log names '%s'",
			  secrets[i]);
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
	hx_lemf_start(&lemf1);
	hx_lemf_start(&lemf2);
	hx_lemf_start(&lemf3);
	hx_lemf_start(&lemf4);
	struct hx_config cfg = { .time_p2 = 0, .report_port = hx_report_server_start(), .max_body = 1u << 20, .card_poll_ms = 50, .card_heartbeat_ms = 3000,
				 .log_level = "info",
				 .extra = "handover_country = XX\nspool_mib = 4\nreconnect_min_ms = 50\n"
					  "reconnect_max_ms = 500\ndelivery_queue_kib = 256\nhi_time1_ms = 1000\n"
					  "hi_time2_ms = 500\nhi_time3_ms = 2000\n" };
	hx_write_config(&cfg);
	hx_start_clifd();
	provision();

	for (int i = 0; i < 4; i++) {
		char name[32];
		snprintf(name, sizeof(name), "expect-%s", labels[i]);
		per_play[i] = pcap_count(name);
	}
	frames_per_play = pcap_count("traffic");
	test_demo_chain();
	test_lemf_outage();
	test_clifd_killed();
	test_card_reset();
	test_ring_overflow();
	test_binding_ages_out();
	test_deactivate_and_loss();
	no_identifiers_logged();

	printf("%s: demo traffic through cardsim, clifd and 4 LEMFs on %s\n", CHECK_PROG, hx.card_name);
	hx_stop_clifd(SIGTERM);
	cardsim_cleanup(); /* stop_all() */
	return check_done();
}
