/* Random and damaged frames through the whole chain: clif-cardsim's generator (the data-plane
 * testbench's: overlays, VLANs, IPv4 and IPv6, cut and lying headers) feeds clifd with tasks on
 * 0.0.0.0/0 and ::/1 + 8000::/1, so that every copy the card makes of any frame goes through clifd's
 * capture path to a clif-lemf over TLS. clifd must not crash or stall, every CC it sends must
 * decode at the LEMF, in sequence, and the counts on both sides must agree.
 *
 * Usage: clif-test-clifd-random BIN_DIR. */
#define _GNU_SOURCE
#define CHECK_PROG "clifd-random"
#include "check.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "libclif.h"

#define FRAMES "100000"
#define DID "d2000000-0000-4000-8000-000000000001"

static struct hx_lemf lemf = { "lemf", "lemf", 0, 0, "" };

static void stop_all(void)
{
	hx_lemf_stop(&lemf, SIGKILL);
	hx_cleanup();
}

static void x1_ok(const char *type, char *payload)
{
	struct hx_http h;

	CHECK_MSG(hx_x1_ok(type, payload, &h), "%s: HTTP %d: %.400s", type, h.status, h.body ? h.body : "");
	free(payload);
	hx_http_free(&h);
}

static char *task(const char *xid, const char *target, const char *liid)
{
	char *p;

	if (asprintf(&p,
		     "<x1:taskDetails><x1:xId>%s</x1:xId><x1:targetIdentifiers><x1:targetIdentifier>%s"
		     "</x1:targetIdentifier></x1:targetIdentifiers><x1:deliveryType>X2andX3</x1:deliveryType>"
		     "<x1:listOfDIDs>" HX_DID(DID) "</x1:listOfDIDs><x1:listOfMediationDetails><x1:mediationDetails>"
		     "<x1:LIID>%s</x1:LIID><x1:deliveryType>HI2andHI3</x1:deliveryType></x1:mediationDetails>"
		     "</x1:listOfMediationDetails></x1:taskDetails>",
		     xid, target, liid) < 0)
		die("out of memory");
	return p;
}

int main(int argc, char **argv)
{
	const char *args[] = { "--generate", FRAMES, "--seed", "11", "--rate", "50000", "--hold", NULL };
	unsigned long long records = 0, last = ~0ull, cc, lemf_cc;
	struct clif_dp_counters dp;

	if (argc != 2) {
		fprintf(stderr, "usage: %s BIN_DIR\n", argv[0]);
		return 2;
	}
	hx_init(CHECK_PROG, argv[1]);
	cardsim_on_cleanup = stop_all;
	hx_make_pki();
	hx_card_start(args);
	hx_lemf_start(&lemf);
	struct hx_config cfg = { .time_p2 = 0, .max_body = 1u << 20, .card_poll_ms = 50, .card_heartbeat_ms = 3000,
				 .log_level = "info", .extra = "handover_country = XX\n" };
	hx_write_config(&cfg);
	hx_start_clifd();
	x1_ok("CreateDestination", hx_dest_xml(DID, "X2andX3", "127.0.0.1", lemf.port));
	x1_ok("ActivateTask", task("b2000000-0000-4000-8000-000000000001",
				   "<x1:ipv4Cidr><c:IPv4CIDR>0.0.0.0/0</c:IPv4CIDR></x1:ipv4Cidr>", "ANY-V4"));
	/* X1's IPv6CIDR pattern has no /0: the two halves of the address space */
	x1_ok("ActivateTask", task("b2000000-0000-4000-8000-000000000002",
				   "<x1:ipv6Cidr>0000:0000:0000:0000:0000:0000:0000:0000/1</x1:ipv6Cidr></x1:targetIdentifier>"
				   "<x1:targetIdentifier><x1:ipv6Cidr>8000:0000:0000:0000:0000:0000:0000:0000/1</x1:ipv6Cidr>",
				   "ANY-V6"));

	kill(cardsim_pid, SIGUSR1);
	/* the generator's frames all through the card, then clifd's and the LEMF's counts still */
	for (int i = 0; i < 600; i++) {
		check_rc(clif_dp_counters(hx.ctl, &dp), "dp counters");
		records = hx_status_value(NULL, "capture", "records");
		cc = hx_status_value(NULL, "handover", "cc");
		lemf_cc = hx_lemf_events(&lemf, "\"pdu\":\"CC\"", NULL);
		if (dp.frames == strtoull(FRAMES, NULL, 10) && records == last && lemf_cc == cc)
			break;
		last = records;
		nap_us(100000);
	}
	CHECK(hx_clifd_alive());
	CHECK_EQ(dp.frames, strtoull(FRAMES, NULL, 10));
	CHECK_MSG(records > 1000, "only %llu copies", records);
	CHECK_EQ(records, dp.captured);
	CHECK_EQ(hx_status_value(NULL, "capture", "ring_lost"), 0);
	/* every copy either made CC (one per task it reached) or carried no IP datagram to give */
	cc = hx_status_value(NULL, "handover", "cc");
	CHECK(cc + hx_status_value(NULL, "capture", "no_ip") >= records);
	CHECK_EQ(hx_status_value(NULL, "handover_errors", "encode"), 0);
	CHECK_EQ(hx_status_value(NULL, "handover_errors", "submit"), 0);
	CHECK_EQ(hx_status_value(NULL, "senders", "lost"), 0);
	/* what the LEMF got: every CC, each decodable, in sequence */
	lemf_cc = hx_lemf_events(&lemf, "\"pdu\":\"CC\"", NULL);
	CHECK_EQ(lemf_cc, cc);
	CHECK_EQ(hx_lemf_events(&lemf, "\"pdu\":\"CC\",\"liid\":\"ANY-V4\"", NULL) +
			 hx_lemf_events(&lemf, "\"pdu\":\"CC\",\"liid\":\"ANY-V6\"", NULL),
		 lemf_cc);
	CHECK_EQ(hx_lemf_events(&lemf, "\"event\":\"undecodable\"", NULL), 0);
	CHECK_EQ(hx_lemf_events(&lemf, "\"event\":\"framing_error\"", NULL), 0);
	CHECK_EQ(hx_lemf_events(&lemf, "\"event\":\"gap\"", NULL), 0);
	CHECK_EQ(hx_lemf_events(&lemf, "\"event\":\"duplicate\"", NULL), 0);
	printf("%s: %s random frames (%llu parse errors), %llu copies, %llu CC decoded at the LEMF, %llu without IP\n",
	       CHECK_PROG, FRAMES, (unsigned long long)dp.parse_errors, records, lemf_cc,
	       hx_status_value(NULL, "capture", "no_ip"));
	hx_stop_clifd(SIGTERM);
	cardsim_cleanup(); /* stop_all() */
	return check_done();
}
