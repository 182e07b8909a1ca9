/*
 * clifd-daemon: the real clifd against the real clif-cardsim, over X1 (HTTPS with client
 * certificates), its management socket and its files.
 *
 *   clif-test-clifd-daemon BIN_DIR
 *
 * Through tests/clifd/harness.h: makes a throwaway PKI with the openssl command (a CA; the
 * ADMF's client certificate with CN = the configured admfIdentifier; a second ADMF certificate
 * with another CN; a certificate of a foreign CA; the NE's server certificate for IP 127.0.0.1;
 * the ADMF's own server certificate for the reports), starts BIN_DIR/clif-cardsim and
 * BIN_DIR/clifd (config in a temporary directory, a free port); runs a small HTTPS server
 * standing in for the ADMF's /X1/ADMF, and checks:
 *   curl      the README's curl command answers a PingResponse
 *   HTTP/1.1  requests one after another on one kept-alive connection, answered in turn
 *   X1        every request type, with documents written from the XSD, answered and parsed
 *             back (oK, details, error codes); after ActivateTask/ModifyTask/DeactivateTask the
 *             card holds exactly the rules (clif_rule_counters through a control handle)
 *   refusals  no client certificate and a foreign CA (TLS fails), 1030, 1040, 1060, 1020,
 *             malformed XML and an entity bomb (X1TopLevelErrorResponse), oversized body (413),
 *             404, 405, 411 (no length, chunked), 2010/2020/2030/2040/3010/3040/7010/8010/8500;
 *             each audited, and a Ping works afterwards
 *   mgmt      status and tasks on the management socket, no XID in them
 *   reset     a card reset: the rules come back (replay), audited
 *   reports   heartbeat loss and recovery: ReportNEIssue FaultReport / FaultCleared reach the
 *             ADMF's server with our client certificate
 *   persist   SIGKILL, restart: same tasks, same rules, `clifctl audit verify` exits 0
 *   keepalive time_p2 = 2 s: every task deactivated, rules gone, audited, reported
 *   shutdown  SIGTERM: exit 0, socket removed; config errors exit 2 naming the key
 * Prints "clifd-daemon: N checks, 0 failures" and exits 0, or exits 1.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "harness.h"
#include "libclif.h"
#include "log.h"

#define PROG "clifd-daemon"
#define CHECK_PROG PROG
#include "check.h"

#define MAX_BODY 65536

static unsigned report_port;

/* clifd's configuration for these tests: short card poll and heartbeat, reports to our
 * server, debug logging (no_log_leak() reads it all). */
static void write_config(unsigned time_p2)
{
	struct hx_config c = { time_p2, MAX_BODY, report_port, 50, 1500, "debug", NULL };

	hx_write_config(&c);
}

/* ---- reading answers ---- */

struct x1ans {
	int status;
	xmlDocPtr doc;
	xmlXPathContextPtr xp;
};

static void ans_free(struct x1ans *a)
{
	if (a->xp)
		xmlXPathFreeContext(a->xp);
	if (a->doc)
		xmlFreeDoc(a->doc);
	memset(a, 0, sizeof(*a));
}

static void parse_ans(struct hx_http *h, struct x1ans *a)
{
	memset(a, 0, sizeof(*a));
	a->status = h->status;
	if (h->body && h->len)
		a->doc = xmlReadMemory(h->body, (int)h->len, "answer.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS);
	if (a->doc) {
		a->xp = xmlXPathNewContext(a->doc);
		xmlXPathRegisterNs(a->xp, BAD_CAST "x1", BAD_CAST "http://uri.etsi.org/03221/X1/2017/10");
		xmlXPathRegisterNs(a->xp, BAD_CAST "c", BAD_CAST "http://uri.etsi.org/03280/common/2017/07");
		xmlXPathRegisterNs(a->xp, BAD_CAST "xsi", BAD_CAST "http://www.w3.org/2001/XMLSchema-instance");
	}
}

/* Sends body (freed) with certificate name and parses the answer. */
static void x1(const char *name, char *body, struct x1ans *a)
{
	struct hx_http h;

	hx_post(name, body, &h);
	free(body);
	parse_ans(&h, a);
	hx_http_free(&h);
}

/* string(expr) in the answer ("" if none). Valid until the next call. */
static const char *xs(struct x1ans *a, const char *expr)
{
	static char out[4096];
	char full[512];
	xmlXPathObjectPtr o;

	out[0] = '\0';
	if (!a->xp)
		return out;
	snprintf(full, sizeof(full), "string(%s)", expr);
	o = xmlXPathEvalExpression(BAD_CAST full, a->xp);
	if (o && o->stringval)
		snprintf(out, sizeof(out), "%s", (const char *)o->stringval);
	xmlXPathFreeObject(o);
	return out;
}

static int xn(struct x1ans *a, const char *expr)
{
	char full[512];
	xmlXPathObjectPtr o;
	int n = -1;

	if (!a->xp)
		return -1;
	snprintf(full, sizeof(full), "count(%s)", expr);
	o = xmlXPathEvalExpression(BAD_CAST full, a->xp);
	if (o)
		n = (int)o->floatval;
	xmlXPathFreeObject(o);
	return n;
}

#define M1 "/x1:X1Response/x1:x1ResponseMessage[1]"

/* The first message is RESPONSE_TYPE with oK AcknowledgedAndCompleted. */
static void expect_ok(struct x1ans *a, const char *type, const char *what)
{
	char xt[64];

	snprintf(xt, sizeof(xt), "x1:%sResponse", type);
	CHECK_MSG(a->status == 200, "%s: HTTP %d", what, a->status);
	CHECK_MSG(strcmp(xs(a, M1 "/@xsi:type"), xt) == 0, "%s: response type '%s'", what, xs(a, M1 "/@xsi:type"));
	CHECK_MSG(strcmp(xs(a, M1 "/x1:oK"), "AcknowledgedAndCompleted") == 0, "%s: oK '%s' (error %s: %s)", what,
	      xs(a, M1 "/x1:oK"), xs(a, M1 "/x1:errorInformation/x1:errorCode"),
	      xs(a, M1 "/x1:errorInformation/x1:errorDescription"));
}

static void expect_err(struct x1ans *a, const char *req_type, int code, const char *what)
{
	CHECK_MSG(a->status == 200, "%s: HTTP %d", what, a->status);
	CHECK_MSG(strcmp(xs(a, M1 "/@xsi:type"), "x1:ErrorResponse") == 0, "%s: response type '%s'", what,
	      xs(a, M1 "/@xsi:type"));
	CHECK_MSG(strcmp(xs(a, M1 "/x1:requestMessageType"), req_type) == 0, "%s: requestMessageType '%s'", what,
	      xs(a, M1 "/x1:requestMessageType"));
	CHECK_MSG(atoi(xs(a, M1 "/x1:errorInformation/x1:errorCode")) == code, "%s: errorCode '%s', want %d", what,
	      xs(a, M1 "/x1:errorInformation/x1:errorCode"), code);
}

static void ok_req(const char *type, const char *payload, const char *what)
{
	struct x1ans a;

	x1("admf", hx_doc(type, payload), &a);
	expect_ok(&a, type, what);
	ans_free(&a);
}

static void err_req(const char *type, const char *payload, int code, const char *what)
{
	struct x1ans a;

	x1("admf", hx_doc(type, payload), &a);
	expect_err(&a, type, code, what);
	ans_free(&a);
}

static void ping_works(const char *after)
{
	struct x1ans a;
	char what[128];

	snprintf(what, sizeof(what), "Ping after %s", after);
	x1("admf", hx_doc("Ping", NULL), &a);
	expect_ok(&a, "Ping", what);
	ans_free(&a);
	CHECK_MSG(hx_clifd_alive(), "clifd still running after %s", after);
}


/* ---- the tests ---- */

#define D1 "d1000000-0000-4000-8000-000000000001"
#define D2 "d1000000-0000-4000-8000-000000000002"
#define D9 "d1000000-0000-4000-8000-000000000099"
#define T1 "a1000000-0000-4000-8000-000000000001"
#define T2 "a1000000-0000-4000-8000-000000000002"
#define T3 "a1000000-0000-4000-8000-000000000003"
#define T9 "a1000000-0000-4000-8000-000000000099"

static void test_curl(void)
{
	char cmd[1024], path[300];
	char *out;
	FILE *f;

	snprintf(path, sizeof(path), "%s/ping.xml", hx.dir);
	f = fopen(path, "w");
	char *p = hx_doc("Ping", NULL);
	fputs(p, f);
	fclose(f);
	free(p);
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && curl -sS --cert admf.crt --key admf.key --cacert ca.crt -H 'Content-Type: text/xml' "
		 "--data-binary @ping.xml https://127.0.0.1:%u/X1/NE > curl.out 2> curl.err",
		 hx.dir, hx.port);
	CHECK_MSG(system(cmd) == 0, "curl exits 0 (see %s/curl.err)", hx.dir);
	snprintf(path, sizeof(path), "%s/curl.out", hx.dir);
	out = hx_read_file(path, NULL);
	CHECK_MSG(out && strstr(out, "PingResponse") && strstr(out, "<x1:oK>AcknowledgedAndCompleted</x1:oK>"),
	      "curl gets a PingResponse with oK");
	free(out);
}

/* An ADMF keeps its connection: several requests on one, each answered and none closing it. */
static void test_keepalive_connection(void)
{
	struct hx_conn *c = hx_conn_open("admf");
	const char *resp;
	size_t len;
	int closing = 1, st;

	CHECK_MSG(c != NULL, "keep-alive: TLS connection with the ADMF certificate");
	if (!c)
		return;
	for (int i = 0; i < 3; i++) {
		char *ping = hx_doc("Ping", NULL);
		st = hx_conn_post(c, ping, strlen(ping), &resp, &len, &closing);
		free(ping);
		CHECK_MSG(st == 200 && strstr(resp, "PingResponse") && strstr(resp, "<x1:oK>AcknowledgedAndCompleted</x1:oK>"),
		      "keep-alive: Ping %d on one connection answered (HTTP %d)", i + 1, st);
		CHECK_MSG(!closing, "keep-alive: the server keeps the connection after Ping %d", i + 1);
		if (st != 200)
			break;
	}
	hx_conn_close(c);
}

static void test_destinations(void)
{
	struct x1ans a;

	ok_req("CreateDestination", hx_dest_xml(D1, "X2andX3", "192.0.2.10", 5001), "CreateDestination D1");
	ok_req("CreateDestination", hx_dest_xml(D2, "X3Only", "192.0.2.11", 5002), "CreateDestination D2");
	err_req("CreateDestination", hx_dest_xml(D1, "X2andX3", "192.0.2.10", 5001), 2030, "CreateDestination dup DID");
	ok_req("ModifyDestination", hx_dest_xml(D2, "X3Only", "192.0.2.11", 6002), "ModifyDestination D2");
	err_req("ModifyDestination", hx_dest_xml(D9, "X3Only", "192.0.2.11", 6002), 2040, "ModifyDestination unknown");

	x1("admf", hx_doc("GetDestinationDetails", hx_tag("dId", D2)), &a);
	CHECK_MSG(strcmp(xs(&a, M1 "/@xsi:type"), "x1:GetDestinationDetailsResponse") == 0, "GetDestinationDetails type");
	CHECK_MSG(strcmp(xs(&a, M1 "//x1:destinationDetails/x1:dId"), D2) == 0, "GetDestinationDetails dId");
	CHECK_MSG(strcmp(xs(&a, M1 "//x1:destinationDetails/x1:deliveryType"), "X3Only") == 0, "GetDestinationDetails delivery");
	CHECK_MSG(strcmp(xs(&a, M1 "//c:IPv4Address"), "192.0.2.11") == 0, "GetDestinationDetails address");
	CHECK_MSG(strcmp(xs(&a, M1 "//c:TCPPort"), "6002") == 0, "GetDestinationDetails modified port '%s'",
	      xs(&a, M1 "//c:TCPPort"));
	CHECK_MSG(strcmp(xs(&a, M1 "//x1:destinationDeliveryStatus"), "activeAndWorking") == 0, "destination status");
	ans_free(&a);
	err_req("GetDestinationDetails", hx_tag("dId", D9), 2040, "GetDestinationDetails unknown DID");
	err_req("RemoveDestination", hx_tag("dId", D9), 2040, "RemoveDestination unknown DID");

	x1("admf", hx_doc("GetAllDestinationDetails", NULL), &a);
	CHECK_MSG(xn(&a, M1 "//x1:destinationResponseDetails") == 2, "GetAllDestinationDetails: 2 destinations");
	ans_free(&a);
}

static void test_tasks(void)
{
	struct x1ans a;
	char *p;

	ok_req("ActivateTask", hx_task_xml(T1, HX_IP("10.1.2.3"), "X2andX3", HX_DID(D1)), "ActivateTask T1");
	CHECK_MSG(hx_card_rules() == 1, "after ActivateTask T1: 1 rule on the card (%u)", hx_card_rules());
	ok_req("ActivateTask",
	       hx_task_xml(T2,
			"<x1:targetIdentifier><x1:ipv4Cidr><c:IPv4CIDR>10.9.0.0/16</c:IPv4CIDR></x1:ipv4Cidr></x1:targetIdentifier>"
			"<x1:targetIdentifier><x1:ipv6Address>2001:0db8:0000:0000:0000:0000:0000:0001</x1:ipv6Address>"
			"</x1:targetIdentifier>",
			"X3Only", HX_DID(D1) HX_DID(D2)),
	       "ActivateTask T2 (CIDR + IPv6, two destinations)");
	CHECK_MSG(hx_card_rules() == 3, "after ActivateTask T2: 3 rules on the card (%u)", hx_card_rules());
	{
		struct clif_table_stats ts;
		check_rc(clif_table_stats(hx.ctl, &ts), "clif_table_stats");
		CHECK_MSG(ts.exact_used >= 2 && ts.prefix_used >= 1, "table stats: exact %u prefix %u", ts.exact_used,
		      ts.prefix_used);
	}

	/* refusals of ActivateTask */
	err_req("ActivateTask", hx_task_xml(T1, HX_IP("10.1.2.9"), "X2andX3", HX_DID(D1)), 2010, "ActivateTask dup XID");
	err_req("ActivateTask", hx_task_xml(T3, HX_IP("10.1.2.9"), "X2andX3", HX_DID(D9)), 2040, "ActivateTask unknown DID");
	err_req("ActivateTask",
		hx_task_xml(T3, "<x1:targetIdentifier><x1:e164Number>447700900000</x1:e164Number></x1:targetIdentifier>",
			 "X2andX3", HX_DID(D1)),
		3010, "ActivateTask e164Number");
	err_req("ActivateTask", hx_task_xml(T3, HX_IP("10.1.2.9"), "X2andX3", HX_DID(D2)), 3040,
		"ActivateTask X2andX3 to an X3Only destination");
	CHECK_MSG(hx_card_rules() == 3, "refused activations leave 3 rules (%u)", hx_card_rules());

	/* GetTaskDetails */
	x1("admf", hx_doc("GetTaskDetails", hx_tag("xId", T1)), &a);
	CHECK_MSG(strcmp(xs(&a, M1 "/@xsi:type"), "x1:GetTaskDetailsResponse") == 0, "GetTaskDetails type '%s'",
	      xs(&a, M1 "/@xsi:type"));
	CHECK_MSG(strcmp(xs(&a, M1 "//x1:taskDetails/x1:xId"), T1) == 0, "GetTaskDetails xId");
	CHECK_MSG(strcmp(xs(&a, M1 "//x1:ipv4Address"), "10.1.2.3") == 0, "GetTaskDetails target");
	CHECK_MSG(strcmp(xs(&a, M1 "//x1:taskDetails/x1:deliveryType"), "X2andX3") == 0, "GetTaskDetails deliveryType");
	CHECK_MSG(strcmp(xs(&a, M1 "//x1:taskDetails/x1:listOfDIDs/x1:dId"), D1) == 0, "GetTaskDetails dId");
	CHECK_MSG(strcmp(xs(&a, M1 "//x1:LIID"), "LIID-TEST-1") == 0, "GetTaskDetails LIID");
	CHECK_MSG(strcmp(xs(&a, M1 "//x1:provisioningStatus"), "complete") == 0, "GetTaskDetails provisioningStatus");
	ans_free(&a);
	err_req("GetTaskDetails", hx_tag("xId", T9), 2020, "GetTaskDetails unknown XID");

	/* ModifyTask: two new addresses instead of the old one */
	ok_req("ModifyTask", hx_task_xml(T1, HX_IP("10.1.2.4") HX_IP("10.1.2.5"), "X2andX3", HX_DID(D1)), "ModifyTask T1");
	CHECK_MSG(hx_card_rules() == 4, "after ModifyTask T1: 4 rules on the card (%u)", hx_card_rules());
	x1("admf", hx_doc("GetTaskDetails", hx_tag("xId", T1)), &a);
	CHECK_MSG(xn(&a, M1 "//x1:ipv4Address") == 2 && strcmp(xs(&a, M1 "//x1:targetIdentifier[2]/x1:ipv4Address"),
							   "10.1.2.5") == 0,
	      "GetTaskDetails after ModifyTask: the new targets");
	ans_free(&a);
	err_req("ModifyTask", hx_task_xml(T9, HX_IP("10.1.2.4"), "X2andX3", HX_DID(D1)), 2020, "ModifyTask unknown XID");

	/* listings */
	x1("admf", hx_doc("GetAllTaskDetails", NULL), &a);
	CHECK_MSG(strcmp(xs(&a, M1 "/@xsi:type"), "x1:GetAllTaskDetailsResponse") == 0, "GetAllTaskDetails type");
	CHECK_MSG(xn(&a, M1 "//x1:taskResponseDetails") == 2, "GetAllTaskDetails: 2 tasks");
	ans_free(&a);
	x1("admf", hx_doc("ListAllDetails", NULL), &a);
	CHECK_MSG(xn(&a, M1 "/x1:ListOfXIDs/x1:xId") == 2 && xn(&a, M1 "/x1:ListOfDIDs/x1:dId") == 2,
	      "ListAllDetails: 2 XIDs, 2 DIDs");
	CHECK_MSG(xn(&a, M1 "/x1:ListOfXIDs[x1:xId='" T1 "' and x1:xId='" T2 "']") == 1, "ListAllDetails names T1 and T2");
	ans_free(&a);
	x1("admf", hx_doc("GetAllDetails", NULL), &a);
	CHECK_MSG(strcmp(xs(&a, M1 "/x1:neStatusDetails/x1:neStatus"), "OK") == 0, "GetAllDetails neStatus OK");
	CHECK_MSG(xn(&a, M1 "//x1:taskResponseDetails") == 2 && xn(&a, M1 "//x1:destinationResponseDetails") == 2,
	      "GetAllDetails: 2 tasks, 2 destinations");
	ans_free(&a);
	x1("admf", hx_doc("GetNEStatus", NULL), &a);
	CHECK_MSG(strcmp(xs(&a, M1 "/@xsi:type"), "x1:GetNEStatusResponse") == 0 &&
		      strcmp(xs(&a, M1 "/x1:neStatusDetails/x1:neStatus"), "OK") == 0,
	      "GetNEStatus: OK");
	ans_free(&a);

	/* destinations in use */
	err_req("RemoveDestination", hx_tag("dId", D2), 7010, "RemoveDestination in use");
	err_req("RemoveAllDestinations", NULL, 8010, "RemoveAllDestinations in use");

	/* not served */
	err_req("CreateObject", "<x1:createObject xsi:type=\"x1:GenericObject\"><x1:objectId>"
				"0b000000-0000-4000-8000-000000000001</x1:objectId></x1:createObject>",
		8500, "CreateObject (generic objects)");
	err_req("GetAllGenericObjectDetails", NULL, 8500, "GetAllGenericObjectDetails");
	err_req("ReportNEIssue", "<x1:typeOfNeIssueMessage>Warning</x1:typeOfNeIssueMessage><x1:description>x</x1:description>",
		1000, "ReportNEIssue sent to an NE");

	/* two messages in one request, answered in order */
	p = hx_msg_x("Ping", HX_ADMF_ID, HX_NE_ID, "v1.13.1", NULL);
	char *p2 = hx_msg_x("GetTaskDetails", HX_ADMF_ID, HX_NE_ID, "v1.13.1", "<x1:xId>" T9 "</x1:xId>");
	char *both;
	if (asprintf(&both, "%s%s", p, p2) < 0)
		die("out of memory");
	free(p);
	free(p2);
	x1("admf", hx_doc_of(both), &a);
	CHECK_MSG(xn(&a, "/x1:X1Response/x1:x1ResponseMessage") == 2, "two messages: two answers");
	CHECK_MSG(strcmp(xs(&a, "/x1:X1Response/x1:x1ResponseMessage[2]/x1:errorInformation/x1:errorCode"), "2020") == 0,
	      "two messages: the second answered 2020");
	expect_ok(&a, "Ping", "two messages: the first");
	ans_free(&a);

	/* DeactivateTask */
	ok_req("DeactivateTask", hx_tag("xId", T2), "DeactivateTask T2");
	CHECK_MSG(hx_card_rules() == 2, "after DeactivateTask T2: 2 rules on the card (%u)", hx_card_rules());
	err_req("DeactivateTask", hx_tag("xId", T2), 2020, "DeactivateTask again");
	ok_req("RemoveDestination", hx_tag("dId", D2), "RemoveDestination D2 (now unused)");
	ok_req("Keepalive", NULL, "Keepalive");
}

static void test_refusals(void)
{
	struct x1ans a;
	struct hx_http h;
	char *big, raw[1024];
	int n;

	/* identity, NE, version */
	x1("admf2", hx_doc_of(hx_msg_x("Ping", HX_ADMF_ID, HX_NE_ID, "v1.13.1", NULL)), &a);
	expect_err(&a, "Ping", 1030, "admfIdentifier not the certificate's");
	ans_free(&a);
	x1("admf", hx_doc_of(hx_msg_x("Ping", "admf-other", HX_NE_ID, "v1.13.1", NULL)), &a);
	expect_err(&a, "Ping", 1030, "admfIdentifier of another certificate");
	ans_free(&a);
	x1("admf2", hx_doc_of(hx_msg_x("Ping", "admf-other", HX_NE_ID, "v1.13.1", NULL)), &a);
	expect_err(&a, "Ping", 1040, "an ADMF this NE does not serve");
	ans_free(&a);
	x1("admf", hx_doc_of(hx_msg_x("ActivateTask", HX_ADMF_ID, "ne-other", "v1.13.1",
				 hx_task_xml(T3, HX_IP("10.7.7.7"), "X2andX3", HX_DID(D1)))),
	   &a);
	expect_err(&a, "ActivateTask", 1060, "wrong neIdentifier");
	ans_free(&a);
	x1("admf", hx_doc_of(hx_msg_x("Ping", HX_ADMF_ID, HX_NE_ID, "v1.99.0", NULL)), &a);
	expect_err(&a, "Ping", 1020, "version v1.99.0");
	ans_free(&a);
	CHECK_MSG(hx_card_rules() == 2, "refused requests change no rule (%u)", hx_card_rules());

	/* documents refused as a whole */
	x1("admf", strdup("<x1:X1Request xmlns:x1=\"http://uri.etsi.org/03221/X1/2017/10\"><x1:x1RequestMessage>"), &a);
	CHECK_MSG(a.status == 200 && xn(&a, "/x1:X1TopLevelErrorResponse") == 1, "malformed XML: X1TopLevelErrorResponse");
	CHECK_MSG(strcmp(xs(&a, "/x1:X1TopLevelErrorResponse/x1:neIdentifier"), HX_NE_ID) == 0, "top-level error names the NE");
	ans_free(&a);
	uint64_t t0 = now_ns();
	x1("admf",
	   strdup("<?xml version=\"1.0\"?>\n<!DOCTYPE x1:X1Request [\n<!ENTITY a \"aaaaaaaaaa\">\n"
		  "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n"
		  "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n<!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">\n"
		  "<!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">\n<!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">\n"
		  "<!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\">\n<!ENTITY i \"&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;\">\n]>\n"
		  "<x1:X1Request xmlns:x1=\"http://uri.etsi.org/03221/X1/2017/10\"><x1:x1RequestMessage>&i;"
		  "</x1:x1RequestMessage></x1:X1Request>"),
	   &a);
	CHECK_MSG(a.status == 200 && xn(&a, "/x1:X1TopLevelErrorResponse") == 1, "entity bomb: X1TopLevelErrorResponse");
	printf("%s: entity bomb refused in %.1f ms\n", PROG, (double)(now_ns() - t0) / 1e6);
	ans_free(&a);

	/* HTTP level */
	big = malloc(2 * MAX_BODY + 1024);
	n = snprintf(big, 1024, "POST /X1/NE HTTP/1.1\r\nHost: x\r\nContent-Length: %u\r\nConnection: close\r\n\r\n",
		     2 * MAX_BODY);
	memset(big + n, 'a', 2 * MAX_BODY);
	hx_https_raw("admf", big, (size_t)n + 2 * MAX_BODY, &h);
	CHECK_MSG(h.status == 413, "oversized body: HTTP %d, want 413", h.status);
	CHECK_MSG(hx_audit_has("\tHTTP\t") && hx_audit_has("refused 413"), "oversized body audited");
	hx_http_free(&h);
	free(big);
	n = snprintf(raw, sizeof(raw), "GET /X1/NE HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	hx_https_raw("admf", raw, (size_t)n, &h);
	CHECK_MSG(h.status == 405, "GET /X1/NE: HTTP %d, want 405", h.status);
	hx_http_free(&h);
	n = snprintf(raw, sizeof(raw), "POST /X1/ADMF HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nab");
	hx_https_raw("admf", raw, (size_t)n, &h);
	CHECK_MSG(h.status == 404, "POST /X1/ADMF: HTTP %d, want 404", h.status);
	hx_http_free(&h);
	n = snprintf(raw, sizeof(raw), "POST /X1/NE HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	hx_https_raw("admf", raw, (size_t)n, &h);
	CHECK_MSG(h.status == 411, "POST without Content-Length: HTTP %d, want 411", h.status);
	hx_http_free(&h);
	n = snprintf(raw, sizeof(raw),
		     "POST /X1/NE HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
		     "4\r\n<a/>\r\n0\r\n\r\n");
	hx_https_raw("admf", raw, (size_t)n, &h);
	CHECK_MSG(h.status == 411, "chunked POST: HTTP %d, want 411", h.status);
	hx_http_free(&h);

	/* TLS level */
	char *ping = hx_doc("Ping", NULL);
	hx_post(NULL, ping, &h);
	CHECK_MSG(h.status == 0, "no client certificate: no HTTP answer (got %d)", h.status);
	hx_http_free(&h);
	hx_post("stranger", ping, &h);
	CHECK_MSG(h.status == 0, "certificate of a foreign CA: no HTTP answer (got %d)", h.status);
	hx_http_free(&h);
	free(ping);

	ping_works("the refusals");

	/* every refusal is in the audit log, with who asked */
	CHECK_MSG(hx_audit_has("CN=" HX_ADMF_ID ",O=Test Operator\tActivateTask\t" T1 "\tok"), "audit: ActivateTask T1 ok, actor");
	CHECK_MSG(hx_audit_has("\tActivateTask\t" T1 "\terror 2010"), "audit: duplicate XID");
	CHECK_MSG(hx_audit_has("\tGetTaskDetails\t" T9 "\terror 2020"), "audit: unknown XID");
	CHECK_MSG(hx_audit_has("\tCreateDestination\t" D1 "\terror 2030"), "audit: duplicate DID");
	CHECK_MSG(hx_audit_has("\tRemoveDestination\t" D2 "\terror 7010"), "audit: destination in use");
	CHECK_MSG(hx_audit_has("CN=admf-other,O=Test Operator\tPing\t\terror 1030"), "audit: 1030 with the certificate");
	CHECK_MSG(hx_audit_has("\tPing\t\terror 1040"), "audit: 1040");
	CHECK_MSG(hx_audit_has("\tActivateTask\t" T3 "\terror 1060"), "audit: 1060");
	CHECK_MSG(hx_audit_has("\tPing\t\terror 1020"), "audit: 1020");
	CHECK_MSG(hx_audit_has("\tX1Request\t\terror 1010"), "audit: malformed document");
	CHECK_MSG(hx_audit_has("\tHTTP\t\trefused 405") && hx_audit_has("\tHTTP\t\trefused 404") &&
		      hx_audit_has("\tHTTP\t\trefused 411"),
	      "audit: HTTP refusals");
	CHECK_MSG(hx_audit_has("\tTLSHandshake\t\trefused: certificate required"), "audit: TLS without a certificate");
	CHECK_MSG(hx_audit_has("\tTLSHandshake\t\trefused: unknown CA"), "audit: TLS with a foreign CA");
	/* hx_start_clifd()'s TCP probes send no ClientHello: not refusals worth an entry */
	CHECK_MSG(!hx_audit_has("peer ?") && !hx_audit_has("decode error"), "audit: no entry for a bare TCP connect");
}

static void test_mgmt(void)
{
	char *s = hx_mgmt("status");

	CHECK_MSG(strstr(s, "tasks 1\n") != NULL, "mgmt status: tasks 1");
	CHECK_MSG(strstr(s, "destinations 1\n") != NULL, "mgmt status: destinations 1");
	CHECK_MSG(strstr(s, "rules 2\n") != NULL, "mgmt status: rules 2");
	char want[64];
	snprintf(want, sizeof(want), "card %s ok\n", hx.card_name);
	CHECK_MSG(strstr(s, want) != NULL, "mgmt status: card ok");
	CHECK_MSG(strstr(s, "last_x1 2") != NULL, "mgmt status: last X1 time");
	CHECK_MSG(strstr(s, "\nok\n") != NULL, "mgmt status ends with ok");
	s = hx_mgmt("tasks");
	CHECK_MSG(strncmp(s, "t-", 2) == 0 && strstr(s, " rules 2 complete\nok\n") != NULL, "mgmt tasks: one log-safe line");
	CHECK_MSG(strstr(s, "a1000000") == NULL, "mgmt tasks: no XID");
	s = hx_mgmt("frobnicate");
	CHECK_MSG(strncmp(s, "error ", 6) == 0, "mgmt: unknown command refused");
	struct stat st;
	CHECK_MSG(stat(hx.sock_path, &st) == 0 && (st.st_mode & 0777) == 0600, "mgmt socket mode 0600");
	CHECK_MSG(stat(hx.state, &st) == 0 && (st.st_mode & 0777) == 0700, "state_dir mode 0700");
}

static void test_reset(void)
{
	unsigned before = hx_card_rules();

	check_rc(clif_card_reset(hx.ctl), "clif_card_reset");
	/* the control handle sees the reset too: poll it so its own calls work again */
	for (int i = 0; i < 100; i++) {
		if (clif_poll(hx.ctl, 3000) == 0 && hx_card_rules() == before)
			break;
		nap_us(20000);
	}
	CHECK_MSG(hx_card_rules() == before, "after a card reset the rules are back (%u of %u)", hx_card_rules(), before);
	CHECK_MSG(hx_audit_has("local:clifd\tCardReset\t\tok"), "audit: CardReset replay");
	ping_works("a card reset");
}

static void test_reports(void)
{
	kill(cardsim_pid, SIGSTOP); /* the heartbeat stops */
	CHECK_MSG(hx_wait_report("ReportNEIssueRequest", "FaultReport", 8000) == 1, "heartbeat loss: ReportNEIssue FaultReport");
	CHECK_MSG(strstr(hx_mgmt("status"), "heartbeat-lost") != NULL, "mgmt status: heartbeat-lost");
	kill(cardsim_pid, SIGCONT);
	CHECK_MSG(hx_wait_report("ReportNEIssueRequest", "FaultCleared", 5000) == 1, "recovery: ReportNEIssue FaultCleared");
	CHECK_MSG(hx_reports_with("<x1:admfIdentifier>" HX_ADMF_ID "<", "<x1:neIdentifier>" HX_NE_ID "<") >= 2,
	      "reports carry our identifiers");
	CHECK_MSG(strcmp(hx_report_client(), HX_NE_ID) == 0, "reports sent with our client certificate (CN '%s')",
		  hx_report_client());
	for (int i = 0; i < 100 && !hx_audit_has("\tReportNEIssue\t\tok"); i++)
		nap_us(20000);
	CHECK_MSG(hx_audit_has("local:clifd\tCardFault\t\theartbeat-lost"), "audit: CardFault");
	CHECK_MSG(hx_audit_has("\tReportNEIssue\t\tok"), "audit: report delivered");
	CHECK_MSG(hx_wait_rules(2, 2000) == 2, "rules still on the card after recovery (%u)", hx_card_rules());
	ping_works("a heartbeat loss");
}

static void test_persistence(void)
{
	struct x1ans a;
	char cmd[1200];

	ok_req("ActivateTask",
	       hx_task_xml(T3, "<x1:targetIdentifier><x1:macAddress>00:11:22:33:44:55</x1:macAddress></x1:targetIdentifier>",
			"X2andX3", HX_DID(D1)),
	       "ActivateTask T3 (MAC)");
	CHECK_MSG(hx_card_rules() == 3, "3 rules before the kill (%u)", hx_card_rules());
	hx_stop_clifd(SIGKILL);
	hx_start_clifd();
	x1("admf", hx_doc("GetAllTaskDetails", NULL), &a);
	CHECK_MSG(xn(&a, M1 "//x1:taskResponseDetails") == 2, "after SIGKILL and restart: 2 tasks");
	CHECK_MSG(xn(&a, M1 "//x1:taskDetails[x1:xId='" T1 "']//x1:ipv4Address") == 2 &&
		      strcmp(xs(&a, M1 "//x1:taskDetails[x1:xId='" T3 "']//x1:macAddress"), "00:11:22:33:44:55") == 0,
	      "after restart: the same targets");
	CHECK_MSG(xn(&a, M1 "//x1:provisioningStatus[.='complete']") == 2, "after restart: both provisioned");
	ans_free(&a);
	CHECK_MSG(hx_wait_rules(3, 2000) == 3, "after restart: the same 3 rules on the card (%u)", hx_card_rules());
	x1("admf", hx_doc("GetDestinationDetails", hx_tag("dId", D1)), &a);
	CHECK_MSG(strcmp(xs(&a, M1 "//c:TCPPort"), "5001") == 0, "after restart: destination D1 kept");
	ans_free(&a);
	snprintf(cmd, sizeof(cmd), "'%s/clifctl' audit verify '%s/audit.log' > '%s/verify.out' 2>&1", hx.bindir, hx.state, hx.dir);
	CHECK_MSG(system(cmd) == 0, "clifctl audit verify exits 0 after SIGKILL (see %s/verify.out)", hx.dir);
	CHECK_MSG(hx_audit_has("local:clifd\tStart\t\tok: 2 tasks restored"), "audit: restart restored 2 tasks");
}

static void test_keepalive(void)
{
	struct x1ans a;
	int st;

	/* a clean stop first */
	kill(hx.clifd_pid, SIGTERM);
	for (int i = 0; i < 500 && waitpid(hx.clifd_pid, &st, WNOHANG) == 0; i++)
		nap_us(10000);
	CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 0, "SIGTERM: clifd exits 0");
	hx.clifd_pid = 0;
	CHECK_MSG(access(hx.sock_path, F_OK) != 0, "SIGTERM: management socket removed");
	CHECK_MSG(hx_audit_has("local:clifd\tStop\t\tok"), "audit: Stop");

	write_config(2);
	hx_start_clifd();
	CHECK_MSG(hx_wait_rules(3, 2000) == 3, "time_p2 = 2: tasks restored first (%u rules)", hx_card_rules());
	for (int i = 0; i < 300 && !strstr(hx_mgmt("status"), "keepalive_expiries 1"); i++)
		nap_us(20000);
	CHECK_MSG(strstr(hx_mgmt("status"), "keepalive_expiries 1") != NULL, "keepalive expiry within 6 s");
	CHECK_MSG(hx_card_rules() == 0, "keepalive expiry: no rule left on the card (%u)", hx_card_rules());
	CHECK_MSG(hx_audit_has("local:clifd\tKeepaliveExpiry\t\tok: 2 tasks deactivated"), "audit: KeepaliveExpiry");
	CHECK_MSG(hx_wait_report("ReportNEIssueRequest", "TIME_P2", 3000) == 1, "keepalive expiry: ReportNEIssue");
	x1("admf", hx_doc("GetAllTaskDetails", NULL), &a);
	CHECK_MSG(xn(&a, M1 "//x1:taskResponseDetails") == 0, "keepalive expiry: no task left (GetAllTaskDetails)");
	ans_free(&a);
	ok_req("RemoveAllDestinations", NULL, "RemoveAllDestinations (nothing in use)");
	x1("admf", hx_doc("ListAllDetails", NULL), &a);
	CHECK_MSG(xn(&a, M1 "//x1:dId") == 0 && xn(&a, M1 "//x1:xId") == 0, "ListAllDetails: empty");
	ans_free(&a);
	ok_req("DeactivateAllTasks", NULL, "DeactivateAllTasks (none left)");
}

static void test_config_errors(void)
{
	char path[300], cmd[1200], *out;
	int rc;

	snprintf(path, sizeof(path), "%s/bad.conf", hx.dir);
	hx_write_file(path, "ne_identifier = x\nadmf_identifier = y\ntls_cert = /a\ntls_key = /b\ntls_ca = /c\nfrobnicate = 1\n");
	snprintf(cmd, sizeof(cmd), "'%s/clifd' -c '%s' --check-config > '%s/bad.out' 2>&1", hx.bindir, path, hx.dir);
	rc = system(cmd);
	snprintf(path, sizeof(path), "%s/bad.out", hx.dir);
	out = hx_read_file(path, NULL);
	CHECK_MSG(WIFEXITED(rc) && WEXITSTATUS(rc) == 2 && out && strstr(out, "unknown key frobnicate"),
	      "unknown key: exit 2 naming it");
	free(out);
	snprintf(path, sizeof(path), "%s/bad.conf", hx.dir);
	hx_write_file(path, "ne_identifier = x\nadmf_identifier = secret admf\n");
	snprintf(cmd, sizeof(cmd), "'%s/clifd' -c '%s' --check-config > '%s/bad.out' 2>&1", hx.bindir, path, hx.dir);
	rc = system(cmd);
	snprintf(path, sizeof(path), "%s/bad.out", hx.dir);
	out = hx_read_file(path, NULL);
	CHECK_MSG(WIFEXITED(rc) && WEXITSTATUS(rc) == 2 && out && strstr(out, "admf_identifier") && !strstr(out, "secret"),
	      "bad identifier: exit 2 naming the key, not the value");
	/* the handover keys: each malformed value refused with exit 2, naming the key */
	static const struct {
		const char *line, *says;
	} bad_handover[] = {
		{ "handover_country = de", "handover_country" },
		{ "handover_country = DEU", "handover_country" },
		{ "handover_operator_id = 01234567890123456", "handover_operator_id" },
		{ "handover_ne_id = has space", "handover_ne_id" },
		{ "hi_time1_ms = 9", "hi_time1_ms" },
		{ "hi_time2_ms = 5000\nhi_time3_ms = 5000", "hi_time3_ms must be greater than hi_time2_ms" },
		{ "reconnect_min_ms = 500\nreconnect_max_ms = 400", "reconnect_max_ms must not be less" },
		{ "c2h_ring_kib = 3000", "c2h_ring_kib must be a power of two" },
		{ "delivery_queue_kib = 255", "delivery_queue_kib" },
		{ "lemf_ca = relative.crt", "lemf_ca must be an absolute path" },
	};
	for (size_t i = 0; i < sizeof(bad_handover) / sizeof(bad_handover[0]); i++) {
		char text[512];
		snprintf(path, sizeof(path), "%s/bad.conf", hx.dir);
		snprintf(text, sizeof(text),
			 "ne_identifier = x\nadmf_identifier = y\ntls_cert = /a\ntls_key = /b\ntls_ca = /c\n%s\n",
			 bad_handover[i].line);
		hx_write_file(path, text);
		snprintf(cmd, sizeof(cmd), "'%s/clifd' -c '%s' --check-config > '%s/bad.out' 2>&1", hx.bindir, path,
			 hx.dir);
		rc = system(cmd);
		free(out);
		snprintf(path, sizeof(path), "%s/bad.out", hx.dir);
		out = hx_read_file(path, NULL);
		CHECK_MSG(WIFEXITED(rc) && WEXITSTATUS(rc) == 2 && out && strstr(out, bad_handover[i].says),
			  "bad handover config '%s': exit 2 saying '%s' (got '%s')", bad_handover[i].line,
			  bad_handover[i].says, out ? out : "");
	}
	free(out);
	snprintf(cmd, sizeof(cmd), "'%s/clifd' -c '%s' --check-config > /dev/null 2>&1", hx.bindir, hx.conf);
	CHECK_MSG(system(cmd) == 0, "the test configuration checks out");
	snprintf(cmd, sizeof(cmd), "'%s/clifd' --help > /dev/null 2>&1", hx.bindir);
	CHECK_MSG(system(cmd) == 0, "--help exits 0");
}

/* The documented example must load, and say the defaults the code has. */
static void test_example_config(void)
{
	char path[700], err[512];
	struct clifd_config ex, def;

	snprintf(path, sizeof(path), "%s/../../hostdrv/clifd/clifd.conf.example", hx.bindir);
	if (access(path, R_OK) != 0)
		snprintf(path, sizeof(path), "hostdrv/clifd/clifd.conf.example");
	clifd_config_defaults(&def);
	clifd_config_defaults(&ex);
	err[0] = '\0';
	CHECK_MSG(clifd_config_load(&ex, path, err, sizeof(err)) == 0, "clifd.conf.example loads (%s)", err);
	CHECK_MSG(ex.x1_listen_port == def.x1_listen_port && strcmp(ex.x1_listen_host, def.x1_listen_host) == 0 &&
		      strcmp(ex.x1_version, def.x1_version) == 0 && ex.max_body == def.max_body &&
		      strcmp(ex.state_dir, def.state_dir) == 0 && strcmp(ex.card, def.card) == 0 &&
		      ex.time_p2 == def.time_p2 && ex.card_poll_ms == def.card_poll_ms &&
		      ex.card_heartbeat_ms == def.card_heartbeat_ms && ex.log_level == def.log_level &&
		      strcmp(ex.mgmt_socket, "/var/lib/clifd/clifd.sock") == 0 && ex.admf_report_host[0] == '\0',
	      "clifd.conf.example states the defaults");
	CHECK_MSG(strcmp(ex.handover_operator_id, def.handover_operator_id) == 0 && ex.hi_time1_ms == def.hi_time1_ms &&
		      ex.hi_time2_ms == def.hi_time2_ms && ex.hi_time3_ms == def.hi_time3_ms &&
		      ex.x2x3_time_p1_ms == def.x2x3_time_p1_ms && ex.x2x3_time_p2_ms == def.x2x3_time_p2_ms &&
		      ex.reconnect_min_ms == def.reconnect_min_ms && ex.reconnect_max_ms == def.reconnect_max_ms &&
		      ex.delivery_queue_kib == def.delivery_queue_kib &&
		      ex.delivery_resend_kib == def.delivery_resend_kib && ex.spool_mib == def.spool_mib &&
		      ex.c2h_ring_kib == def.c2h_ring_kib && ex.capture_idle_us == def.capture_idle_us &&
		      strcmp(ex.handover_ne_id, "ne-dc1-host17") == 0 && strcmp(ex.lemf_ca, ex.tls_ca) == 0,
	      "clifd.conf.example states the handover defaults");
	CHECK_MSG(def.log_level == LOG_INFO, "default log level info");
}

static void no_log_leak(void)
{
	char path[300];
	char *log;

	snprintf(path, sizeof(path), "%s/clifd.log", hx.dir);
	log = hx_read_file(path, NULL);
	CHECK_MSG(log && strstr(log, "X1 ActivateTask task t-") != NULL, "clifd's log names tasks by reference");
	CHECK_MSG(log && !strstr(log, "a1000000-") && !strstr(log, "10.1.2.") && !strstr(log, "LIID-TEST") &&
		      !strstr(log, "00:11:22:33:44:55"),
	      "clifd's log holds no XID, target or LIID");
	free(log);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s BIN_DIR\n", argv[0]);
		return 2;
	}
	hx_init(PROG, argv[1]);
	hx_make_pki();
	report_port = hx_report_server_start();
	const char *args[] = { "--generate", "0", "--rate", "20", NULL };
	hx_card_start(args);
	write_config(3600);
	hx_start_clifd();

	test_curl();
	test_keepalive_connection();
	test_destinations();
	test_tasks();
	test_refusals();
	test_mgmt();
	test_reset();
	test_reports();
	test_persistence();
	test_keepalive();
	test_config_errors();
	test_example_config();
	no_log_leak();

	printf("%s: X1 conformance, refusals, mgmt, card reset, reports, persistence, keepalive on %s\n", PROG,
	       hx.card_name);
	cardsim_cleanup();
	return check_done();
}
