/* clifd's X1 message layer (hostdrv/clifd/x1*.c): every request type parsed with exact
 * field values, every target kind, mediation details, the cloud-scope and handover extensions, several
 * messages per request; every response kind and the report requests built and read back
 * with libxml2 XPath; and each refusal with its exact code: malformed and hostile documents
 * (entity bombs, external entities, oversized bodies) and every schema rule clifd checks.
 * The request fixtures are written here from the XSD. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "x1.h"

#define CHECK_PROG "clifd-x1"
#define CHECK_SHOWN 40
#include "check.h"

/* ---- fixtures ---- */

#define NS_X1 "http://uri.etsi.org/03221/X1/2017/10"
#define NS_C "http://uri.etsi.org/03280/common/2017/07"
#define NS_CS "urn:clif:x1:cloud-scope:1"
#define NS_HO "urn:clif:x1:handover:1"

#define ADMF "admf-lab-1"
#define NE "clif-ne-7"
#define STAMP "2025-03-14T09:26:53.589793Z"
#define VERSION "v1.13.1"
#define TXID "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f0"
#define XID1 "6a0c3b52-1d4e-4f7a-9b8c-2d3e4f5a6b7c"
#define XID2 "c3d4e5f6-0718-4293-a4b5-c6d7e8f90a1b"
#define DID1 "b1b2b3b4-c5c6-47d8-89e0-f1f2f3f4f5f6"
#define DID2 "0a0b0c0d-1e1f-4a2b-bc3d-4e5f60718293"
#define LIID1 "LIID-ALPHA-0001"
#define LIID2 "LIID-BETA"

/* Texts that must never reach an error description (targets, XIDs, DIDs, LIIDs). */
static const char *const secrets[] = {
	XID1, XID2, DID1, DID2, LIID1, LIID2, "198.51.100.23", "2001:0db8", "10.20.0.0",
	"02:1a:2b:3c:4d:5e", "447700900123", "256.1.1.1", "ADMF-SECRET", "lawful.example",
};

static const char HDR[] = "<a:admfIdentifier>" ADMF "</a:admfIdentifier>"
			  "<a:neIdentifier>" NE "</a:neIdentifier>"
			  "<a:messageTimestamp>" STAMP "</a:messageTimestamp>"
			  "<a:version>" VERSION "</a:version>"
			  "<a:x1TransactionId>" TXID "</a:x1TransactionId>";

static char docbuf[1 << 17];

/* An X1Request with one message of xsi:type a:<type> and the given header and payload. */
static const char *mkh(const char *type, const char *hdr, const char *payload)
{
	snprintf(docbuf, sizeof(docbuf),
		 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		 "<a:X1Request xmlns:a=\"" NS_X1 "\" xmlns:k=\"" NS_C "\""
		 " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
		 "<a:x1RequestMessage xsi:type=\"a:%s\">%s%s</a:x1RequestMessage></a:X1Request>",
		 type, hdr, payload);
	return docbuf;
}

static const char *mk(const char *type, const char *payload)
{
	return mkh(type, HDR, payload);
}

static struct x1_request req;

static int parse(const char *doc)
{
	return x1_parse_request(doc, strlen(doc), &req);
}

/* No error description of the last parse names anything from secrets[]. */
static void check_clean(void)
{
	const char *descs[X1_MAX_MESSAGES + 1];
	unsigned n = 0;
	descs[n++] = req.error_desc;
	for (unsigned i = 0; i < req.n_msgs; i++)
		descs[n++] = req.msgs[i].error_desc;
	for (unsigned i = 0; i < n; i++) {
		if (descs[i] == NULL)
			continue;
		for (unsigned k = 0; k < sizeof(secrets) / sizeof(secrets[0]); k++)
			CHECK(strstr(descs[i], secrets[k]) == NULL);
	}
}

/* The one message of a parse expected to succeed at the top level. */
static const struct x1_msg *one(const char *doc)
{
	int rc = parse(doc);
	CHECK_EQ(rc, 0);
	CHECK_EQ(req.n_msgs, 1);
	check_clean();
	return &req.msgs[0];
}

/* A refusal of the only message with code. */
static void refused(const char *what, const char *doc, int code)
{
	int rc = parse(doc);
	checks++;
	if (rc != 0 || req.n_msgs != 1 || req.msgs[0].error != code)
		check_fail("%s: rc %d, msgs %u, error %d (%s), want %d", what, rc, req.n_msgs,
			   req.n_msgs ? req.msgs[0].error : 0,
			   req.n_msgs && req.msgs[0].error_desc ? req.msgs[0].error_desc : "-", code);
	CHECK(req.n_msgs != 1 || req.msgs[0].error_desc != NULL);
	check_clean();
}

/* A refusal of the whole document with code. */
static void refused_top(const char *what, const char *doc, size_t len, int code)
{
	int rc = x1_parse_request(doc, len, &req);
	checks++;
	if (rc != code)
		check_fail("%s: rc %d (%s), want %d", what, rc, req.error_desc ? req.error_desc : "-",
			   code);
	CHECK_EQ(req.n_msgs, 0);
	CHECK(req.error_desc != NULL);
	check_clean();
}

static void uuid(const char *text, uint8_t out[16])
{
	if (clifd_uuid_parse(text, out) != 0)
		abort();
}

static int id_is(const uint8_t id[16], const char *text)
{
	uint8_t want[16];
	uuid(text, want);
	return memcmp(id, want, 16) == 0;
}

/* ---- the full task ---- */

#define TGT(x) "<a:targetIdentifier>" x "</a:targetIdentifier>"
#define DIDS1 "<a:listOfDIDs><a:dId>" DID1 "</a:dId></a:listOfDIDs>"

static const char FULL_TASK[] =
	"<a:taskDetails>"
	"<a:xId>" XID1 "</a:xId>"
	"<a:targetIdentifiers>"
	TGT("<a:ipv4Address>198.51.100.23</a:ipv4Address>")
	TGT("<a:ipv6Address>2001:0db8:0000:0000:0000:0000:0000:00a1</a:ipv6Address>")
	TGT("<a:ipv4Cidr><k:IPv4CIDR>10.20.0.0/16</k:IPv4CIDR></a:ipv4Cidr>")
	TGT("<a:ipv6Cidr>2001:0db8:00ff:0000:0000:0000:0000:0000/48</a:ipv6Cidr>")
	TGT("<a:macAddress>02:1a:2b:3c:4d:5e</a:macAddress>")
	TGT("<a:tcpPort>443</a:tcpPort>")
	TGT("<a:udpPort>0</a:udpPort>")
	TGT("<a:tcpPortRange><k:start>8000</k:start><k:end>8080</k:end></a:tcpPortRange>")
	TGT("<a:udpPortRange><k:start>5060</k:start><k:end>5061</k:end></a:udpPortRange>")
	"</a:targetIdentifiers>"
	"<a:deliveryType>X2andX3</a:deliveryType>"
	"<a:listOfDIDs><a:dId>" DID1 "</a:dId><a:dId>" DID2 "</a:dId></a:listOfDIDs>"
	"<a:listOfMediationDetails>"
	"<a:mediationDetails><a:LIID>" LIID1 "</a:LIID><a:deliveryType>HI2andHI3</a:deliveryType>"
	"<a:listOfDIDs><a:dId>" DID2 "</a:dId></a:listOfDIDs></a:mediationDetails>"
	"<a:mediationDetails><a:LIID>" LIID2 "</a:LIID><a:deliveryType>HI3Only</a:deliveryType>"
	"</a:mediationDetails>"
	"</a:listOfMediationDetails>"
	"<a:correlationID>18446744073709551615</a:correlationID>"
	"<a:implicitDeactivationAllowed>false</a:implicitDeactivationAllowed>"
	"<a:taskDetailsExtensions><a:Owner>CLIF</a:Owner>"
	"<cs:cloudScope xmlns:cs=\"" NS_CS "\"><cs:vni>5001</cs:vni></cs:cloudScope>"
	"</a:taskDetailsExtensions>"
	"</a:taskDetails>";

static void check_full_task(const struct clifd_task *t)
{
	static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0xa1};
	static const uint8_t v6net[16] = {0x20, 0x01, 0x0d, 0xb8, 0x00, 0xff};
	static const uint8_t mac[6] = {0x02, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e};
	CHECK(id_is(t->xid, XID1));
	CHECK_EQ(t->n_targets, 9);
	CHECK_EQ(t->targets[0].kind, CLIFD_TGT_IPV4);
	CHECK_EQ(t->targets[0].prefix_len, 32);
	CHECK(memcmp(t->targets[0].addr, "\xc6\x33\x64\x17", 4) == 0);
	CHECK_EQ(t->targets[1].kind, CLIFD_TGT_IPV6);
	CHECK_EQ(t->targets[1].prefix_len, 128);
	CHECK(memcmp(t->targets[1].addr, v6, 16) == 0);
	CHECK_EQ(t->targets[2].kind, CLIFD_TGT_IPV4_CIDR);
	CHECK_EQ(t->targets[2].prefix_len, 16);
	CHECK(memcmp(t->targets[2].addr, "\x0a\x14\x00\x00", 4) == 0);
	CHECK_EQ(t->targets[3].kind, CLIFD_TGT_IPV6_CIDR);
	CHECK_EQ(t->targets[3].prefix_len, 48);
	CHECK(memcmp(t->targets[3].addr, v6net, 16) == 0);
	CHECK_EQ(t->targets[4].kind, CLIFD_TGT_MAC);
	CHECK_EQ(t->targets[4].prefix_len, 48);
	CHECK(memcmp(t->targets[4].addr, mac, 6) == 0);
	CHECK_EQ(t->targets[5].kind, CLIFD_TGT_TCP_PORT);
	CHECK_EQ(t->targets[5].port_lo, 443);
	CHECK_EQ(t->targets[5].port_hi, 443);
	CHECK_EQ(t->targets[6].kind, CLIFD_TGT_UDP_PORT);
	CHECK_EQ(t->targets[6].port_lo, 0);
	CHECK_EQ(t->targets[6].port_hi, 0);
	CHECK_EQ(t->targets[7].kind, CLIFD_TGT_TCP_PORT_RANGE);
	CHECK_EQ(t->targets[7].port_lo, 8000);
	CHECK_EQ(t->targets[7].port_hi, 8080);
	CHECK_EQ(t->targets[8].kind, CLIFD_TGT_UDP_PORT_RANGE);
	CHECK_EQ(t->targets[8].port_lo, 5060);
	CHECK_EQ(t->targets[8].port_hi, 5061);
	CHECK_EQ(t->delivery, CLIFD_X2_AND_X3);
	CHECK_EQ(t->n_dids, 2);
	CHECK(id_is(t->dids[0], DID1));
	CHECK(id_is(t->dids[1], DID2));
	CHECK_EQ(t->n_mediation, 2);
	CHECK_STR(t->mediation[0].liid, LIID1);
	CHECK_EQ(t->mediation[0].hi_delivery, CLIFD_HI2_AND_HI3);
	CHECK_EQ(t->mediation[0].n_dids, 1);
	CHECK(id_is(t->mediation[0].dids[0], DID2));
	CHECK_STR(t->mediation[1].liid, LIID2);
	CHECK_EQ(t->mediation[1].hi_delivery, CLIFD_HI3_ONLY);
	CHECK_EQ(t->mediation[1].n_dids, 0);
	CHECK_EQ(t->has_correlation, 1);
	CHECK(t->correlation_id == UINT64_MAX);
	CHECK_EQ(t->implicit_deactivation, 1);
	CHECK_EQ(t->scope_type, CLIF_SCOPE_VNI);
	CHECK_EQ(t->scope_value, 5001);
}

static void check_header(const struct x1_msg *m)
{
	CHECK_STR(m->admf_id, ADMF);
	CHECK_STR(m->ne_id, NE);
	CHECK_STR(m->timestamp, STAMP);
	CHECK_STR(m->version, VERSION);
	CHECK_EQ(m->version_minor, 13);
	CHECK_EQ(m->version_patch, 1);
	CHECK_EQ(m->has_txid, 1);
	CHECK(id_is(m->txid, TXID));
}

static void test_activate_full(void)
{
	const struct x1_msg *m = one(mk("ActivateTaskRequest", FULL_TASK));
	CHECK_EQ(m->type, X1_MSG_ACTIVATE_TASK);
	CHECK_STR(m->request_type, "ActivateTask");
	CHECK_EQ(m->error, X1_OK);
	CHECK(m->error_desc == NULL);
	check_header(m);
	check_full_task(&m->task);
}

/* A minimal task with the given target elements. */
static const char *task_with(const char *type, const char *targets, const char *tail)
{
	static char payload[1 << 15];
	snprintf(payload, sizeof(payload),
		 "<a:taskDetails><a:xId>" XID2 "</a:xId><a:targetIdentifiers>%s"
		 "</a:targetIdentifiers><a:deliveryType>X3Only</a:deliveryType>" DIDS1
		 "%s</a:taskDetails>",
		 targets, tail);
	return mk(type, payload);
}

static void test_modify_minimal(void)
{
	const struct x1_msg *m = one(
		task_with("ModifyTaskRequest", TGT("<a:ipv4Address> 203.0.113.9 </a:ipv4Address>"), ""));
	CHECK_EQ(m->type, X1_MSG_MODIFY_TASK);
	CHECK_STR(m->request_type, "ModifyTask");
	CHECK_EQ(m->error, X1_OK);
	check_header(m);
	CHECK(id_is(m->task.xid, XID2));
	CHECK_EQ(m->task.n_targets, 1);
	CHECK(memcmp(m->task.targets[0].addr, "\xcb\x00\x71\x09", 4) == 0);
	CHECK_EQ(m->task.delivery, CLIFD_X3_ONLY);
	CHECK_EQ(m->task.n_dids, 1);
	CHECK(id_is(m->task.dids[0], DID1));
	CHECK_EQ(m->task.n_mediation, 0);
	CHECK_EQ(m->task.has_correlation, 0);
	CHECK_EQ(m->task.implicit_deactivation, 0);
	CHECK_EQ(m->task.scope_type, CLIF_SCOPE_ANY);
	CHECK_EQ(m->task.scope_value, 0);
}

static void test_target_kinds(void)
{
	/* an IPv6 CIDR may also come inside ipv4Cidr (the XSD's IPCIDR choice) */
	const struct x1_msg *m = one(task_with(
		"ActivateTaskRequest",
		TGT("<a:ipv4Cidr><k:IPv6CIDR>fd00:0000:0000:0000:0000:0000:0000:0000/8</k:IPv6CIDR></a:ipv4Cidr>")
		TGT("<a:ipv4Cidr><k:IPv4CIDR>0.0.0.0/0</k:IPv4CIDR></a:ipv4Cidr>")
		TGT("<a:ipv4Address>009.00.0.255</a:ipv4Address>")
		TGT("<a:tcpPort>+2</a:tcpPort>")
		TGT("<a:udpPort>65535</a:udpPort>"),
		""));
	CHECK_EQ(m->error, X1_OK);
	CHECK_EQ(m->task.n_targets, 5);
	CHECK_EQ(m->task.targets[0].kind, CLIFD_TGT_IPV6_CIDR);
	CHECK_EQ(m->task.targets[0].prefix_len, 8);
	CHECK_EQ(m->task.targets[0].addr[0], 0xfd);
	CHECK_EQ(m->task.targets[1].kind, CLIFD_TGT_IPV4_CIDR);
	CHECK_EQ(m->task.targets[1].prefix_len, 0);
	CHECK_EQ(m->task.targets[2].kind, CLIFD_TGT_IPV4);
	CHECK(memcmp(m->task.targets[2].addr, "\x09\x00\x00\xff", 4) == 0);
	CHECK_EQ(m->task.targets[3].port_lo, 2);
	CHECK_EQ(m->task.targets[4].port_hi, 65535);

	/* each kind alone, as the rule compiler sees it */
	static const struct {
		const char *xml;
		uint8_t kind;
	} kinds[] = {
		{TGT("<a:ipv4Address>198.51.100.23</a:ipv4Address>"), CLIFD_TGT_IPV4},
		{TGT("<a:ipv6Address>2001:0db8:0000:0000:0000:0000:0000:00a1</a:ipv6Address>"),
		 CLIFD_TGT_IPV6},
		{TGT("<a:ipv4Cidr><k:IPv4CIDR>10.20.0.0/16</k:IPv4CIDR></a:ipv4Cidr>"),
		 CLIFD_TGT_IPV4_CIDR},
		{TGT("<a:ipv6Cidr>2001:0db8:0000:0000:0000:0000:0000:0000/128</a:ipv6Cidr>"),
		 CLIFD_TGT_IPV6_CIDR},
		{TGT("<a:macAddress>02:1a:2b:3c:4d:5e</a:macAddress>"), CLIFD_TGT_MAC},
	};
	for (unsigned i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		m = one(task_with("ActivateTaskRequest", kinds[i].xml, ""));
		CHECK_EQ(m->error, X1_OK);
		CHECK_EQ(m->task.n_targets, 1);
		CHECK_EQ(m->task.targets[0].kind, kinds[i].kind);
	}
}

static void test_simple_types(void)
{
	static const struct {
		const char *xsi;
		enum x1_msg_type type;
		const char *name;
	} simple[] = {
		{"DeactivateAllTasksRequest", X1_MSG_DEACTIVATE_ALL_TASKS, "DeactivateAllTasks"},
		{"GetAllTaskDetailsRequest", X1_MSG_GET_ALL_TASK_DETAILS, "GetAllTaskDetails"},
		{"RemoveAllDestinationsRequest", X1_MSG_REMOVE_ALL_DESTINATIONS,
		 "RemoveAllDestinations"},
		{"GetAllDestinationDetailsRequest", X1_MSG_GET_ALL_DESTINATION_DETAILS,
		 "GetAllDestinationDetails"},
		{"GetNEStatusRequest", X1_MSG_GET_NE_STATUS, "GetNEStatus"},
		{"GetAllDetailsRequest", X1_MSG_GET_ALL_DETAILS, "GetAllDetails"},
		{"ListAllDetailsRequest", X1_MSG_LIST_ALL_DETAILS, "ListAllDetails"},
		{"PingRequest", X1_MSG_PING, "Ping"},
		{"KeepaliveRequest", X1_MSG_KEEPALIVE, "Keepalive"},
	};
	for (unsigned i = 0; i < sizeof(simple) / sizeof(simple[0]); i++) {
		const struct x1_msg *m = one(mk(simple[i].xsi, ""));
		CHECK_EQ(m->type, simple[i].type);
		CHECK_STR(m->request_type, simple[i].name);
		CHECK_EQ(m->error, X1_OK);
		check_header(m);
		/* the same types take no payload */
		refused(simple[i].xsi, mk(simple[i].xsi, "<a:xId>" XID1 "</a:xId>"), X1_E_SYNTAX);
	}

	static const struct {
		const char *xsi;
		enum x1_msg_type type;
		const char *name, *payload, *id;
	} ided[] = {
		{"DeactivateTaskRequest", X1_MSG_DEACTIVATE_TASK, "DeactivateTask",
		 "<a:xId>" XID1 "</a:xId>", XID1},
		{"GetTaskDetailsRequest", X1_MSG_GET_TASK_DETAILS, "GetTaskDetails",
		 "<a:xId>\n  " XID2 "\n</a:xId>", XID2},
		{"RemoveDestinationRequest", X1_MSG_REMOVE_DESTINATION, "RemoveDestination",
		 "<a:dId>" DID1 "</a:dId>", DID1},
		{"GetDestinationDetailsRequest", X1_MSG_GET_DESTINATION_DETAILS,
		 "GetDestinationDetails", "<a:dId>" DID2 "</a:dId>", DID2},
	};
	for (unsigned i = 0; i < sizeof(ided) / sizeof(ided[0]); i++) {
		const struct x1_msg *m = one(mk(ided[i].xsi, ided[i].payload));
		CHECK_EQ(m->type, ided[i].type);
		CHECK_STR(m->request_type, ided[i].name);
		CHECK_EQ(m->error, X1_OK);
		check_header(m);
		CHECK(id_is(m->xid, ided[i].id));
		refused(ided[i].xsi, mk(ided[i].xsi, ""), X1_E_SYNTAX);
	}
	refused("xId in DeactivateTask uppercase",
		mk("DeactivateTaskRequest", "<a:xId>6A0C3B52-1D4E-4F7A-9B8C-2D3E4F5A6B7C</a:xId>"),
		X1_E_SYNTAX);
	refused("dId where xId is due", mk("DeactivateTaskRequest", "<a:dId>" DID1 "</a:dId>"),
		X1_E_SYNTAX);

	static const char *const generic[] = {
		"CreateObject", "ModifyObject", "GetObject", "DeleteObject",
		"ListObjectsOfType", "DeleteAllObjects", "GetAllGenericObjectDetails",
	};
	for (unsigned i = 0; i < sizeof(generic) / sizeof(generic[0]); i++) {
		char xsi[64];
		snprintf(xsi, sizeof(xsi), "%sRequest", generic[i]);
		const struct x1_msg *m = one(mk(xsi, "<a:objectType>anything</a:objectType>"));
		CHECK_EQ(m->type, X1_MSG_GENERIC);
		CHECK_STR(m->request_type, generic[i]);
		CHECK_EQ(m->error, X1_OK);
		check_header(m);
	}

	static const char *const reports[] = {"ReportTaskIssue", "ReportDestinationIssue",
					      "ReportNEIssue"};
	for (unsigned i = 0; i < 3; i++) {
		char xsi[64];
		snprintf(xsi, sizeof(xsi), "%sRequest", reports[i]);
		const struct x1_msg *m = one(mk(xsi, ""));
		CHECK_EQ(m->type, X1_MSG_UNKNOWN);
		CHECK_STR(m->request_type, reports[i]);
		CHECK_EQ(m->error, X1_E_GENERIC);
		check_header(m);
	}
}

static void test_type_resolution(void)
{
	/* the default namespace, and another prefix for the X1 namespace */
	const struct x1_msg *m = one(
		"<X1Request xmlns=\"" NS_X1 "\" xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\">"
		"<x1RequestMessage i:type=\" PingRequest \"><admfIdentifier>" ADMF
		"</admfIdentifier><neIdentifier>" NE "</neIdentifier><messageTimestamp>" STAMP
		"</messageTimestamp><version>" VERSION "</version><x1TransactionId>" TXID
		"</x1TransactionId></x1RequestMessage></X1Request>");
	CHECK_EQ(m->type, X1_MSG_PING);
	CHECK_EQ(m->error, X1_OK);
	check_header(m);
	m = one("<q:X1Request xmlns:q=\"" NS_X1 "\" xmlns:r=\"" NS_X1 "\" "
		"xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
		"<q:x1RequestMessage xsi:type=\"r:KeepaliveRequest\">"
		"<r:admfIdentifier>" ADMF "</r:admfIdentifier><q:neIdentifier>" NE
		"</q:neIdentifier><q:messageTimestamp>2025-03-14T10:26:53.000001+01:00"
		"</q:messageTimestamp><q:version>v1.0.0</q:version><q:x1TransactionId>" TXID
		"</q:x1TransactionId></q:x1RequestMessage></q:X1Request>");
	CHECK_EQ(m->type, X1_MSG_KEEPALIVE);
	CHECK_EQ(m->error, X1_OK);
	CHECK_STR(m->timestamp, "2025-03-14T10:26:53.000001+01:00");
	CHECK_EQ(m->version_minor, 0);

	/* an xsi:type outside the X1 namespace, unknown, unbound or missing */
	m = one("<a:X1Request xmlns:a=\"" NS_X1 "\" xmlns:o=\"urn:other\" "
		"xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
		"<a:x1RequestMessage xsi:type=\"o:PingRequest\">" "<a:admfIdentifier>" ADMF
		"</a:admfIdentifier></a:x1RequestMessage></a:X1Request>");
	CHECK_EQ(m->type, X1_MSG_UNKNOWN);
	CHECK_STR(m->request_type, "ExtendedRequestMessageType");
	CHECK_EQ(m->error, X1_E_SYNTAX);
	CHECK_STR(m->admf_id, ADMF);
	refused("unknown xsi:type", mk("FrobnicateRequest", ""), X1_E_SYNTAX);
	CHECK_EQ(req.msgs[0].type, X1_MSG_UNKNOWN);
	refused("unbound prefix",
		"<a:X1Request xmlns:a=\"" NS_X1 "\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
		"<a:x1RequestMessage xsi:type=\"zz:PingRequest\"/></a:X1Request>",
		X1_E_SYNTAX);
	refused("no xsi:type",
		"<a:X1Request xmlns:a=\"" NS_X1 "\"><a:x1RequestMessage/></a:X1Request>", X1_E_SYNTAX);
}

static void test_destinations(void)
{
	const struct x1_msg *m = one(mk(
		"CreateDestinationRequest",
		"<a:destinationDetails><a:dId>" DID1 "</a:dId>"
		"<a:friendlyName>LEMF one &amp; only</a:friendlyName>"
		"<a:deliveryType>X2Only</a:deliveryType><a:deliveryAddress><a:ipAddressAndPort>"
		"<k:address><k:IPv4Address>192.0.2.44</k:IPv4Address></k:address>"
		"<k:port><k:TCPPort>6514</k:TCPPort></k:port>"
		"</a:ipAddressAndPort></a:deliveryAddress></a:destinationDetails>"));
	CHECK_EQ(m->type, X1_MSG_CREATE_DESTINATION);
	CHECK_STR(m->request_type, "CreateDestination");
	CHECK_EQ(m->error, X1_OK);
	check_header(m);
	CHECK(id_is(m->dest.did, DID1));
	CHECK_STR(m->dest.friendly_name, "LEMF one & only");
	CHECK_EQ(m->dest.delivery, CLIFD_X2_ONLY);
	CHECK_EQ(m->dest.ip_len, 4);
	CHECK(memcmp(m->dest.ip, "\xc0\x00\x02\x2c", 4) == 0);
	CHECK_EQ(m->dest.port, 6514);
	CHECK_EQ(m->dest.transport, CLIFD_TRANSPORT_TCP);

	m = one(mk("ModifyDestinationRequest",
		   "<a:destinationDetails><a:dId>" DID2 "</a:dId>"
		   "<a:deliveryType>X3Only</a:deliveryType><a:deliveryAddress><a:ipAddressAndPort>"
		   "<k:address><k:IPv6Address>2001:0db8:0000:0000:0000:0000:0000:0002</k:IPv6Address>"
		   "</k:address><k:port><k:UDPPort>4789</k:UDPPort></k:port>"
		   "</a:ipAddressAndPort></a:deliveryAddress>"
		   "<a:destinationDetailsExtensions><a:Owner>someone</a:Owner><o:x xmlns:o=\"urn:o\"/>"
		   "</a:destinationDetailsExtensions></a:destinationDetails>"));
	CHECK_EQ(m->type, X1_MSG_MODIFY_DESTINATION);
	CHECK_EQ(m->error, X1_OK);
	CHECK(id_is(m->dest.did, DID2));
	CHECK_STR(m->dest.friendly_name, "");
	CHECK_EQ(m->dest.delivery, CLIFD_X3_ONLY);
	CHECK_EQ(m->dest.ip_len, 16);
	CHECK_EQ(m->dest.ip[0], 0x20);
	CHECK_EQ(m->dest.ip[15], 0x02);
	CHECK_EQ(m->dest.port, 4789);
	CHECK_EQ(m->dest.transport, CLIFD_TRANSPORT_UDP);

	/* a friendlyName over CLIFD_NAME_MAX bytes is kept cut, on a character boundary */
	char name[400], payload[1024];
	memset(name, 0, sizeof(name));
	for (unsigned i = 0; i < 127; i++)
		name[i] = 'n';
	strcat(name, "\xc3\xa9\xc3\xa9\xc3\xa9"); /* é at bytes 127..132 */
	snprintf(payload, sizeof(payload),
		 "<a:destinationDetails><a:dId>" DID1 "</a:dId><a:friendlyName>%s</a:friendlyName>"
		 "<a:deliveryType>X2Only</a:deliveryType><a:deliveryAddress><a:ipAddressAndPort>"
		 "<k:address><k:IPv4Address>192.0.2.44</k:IPv4Address></k:address>"
		 "<k:port><k:TCPPort>6514</k:TCPPort></k:port>"
		 "</a:ipAddressAndPort></a:deliveryAddress></a:destinationDetails>",
		 name);
	m = one(mk("CreateDestinationRequest", payload));
	CHECK_EQ(m->error, X1_OK);
	CHECK_EQ(strlen(m->dest.friendly_name), 127);
}

/* A destination with the given deliveryAddress content. */
static const char *dest_with(const char *address)
{
	static char payload[2048];
	snprintf(payload, sizeof(payload),
		 "<a:destinationDetails><a:dId>" DID1 "</a:dId><a:deliveryType>X2andX3</a:deliveryType>"
		 "<a:deliveryAddress>%s</a:deliveryAddress></a:destinationDetails>",
		 address);
	return mk("CreateDestinationRequest", payload);
}

#define IPP(addr, port)                                                                       \
	"<a:ipAddressAndPort><k:address>" addr "</k:address><k:port>" port                    \
	"</k:port></a:ipAddressAndPort>"

static void test_destination_refusals(void)
{
	refused("uri address", dest_with("<a:uri>https://lawful.example/x2</a:uri>"),
		X1_E_DEST_ADDRESS_TYPE);
	CHECK_EQ(req.msgs[0].type, X1_MSG_CREATE_DESTINATION);
	refused("e164 address", dest_with("<a:e164Number>447700900123</a:e164Number>"),
		X1_E_DEST_ADDRESS_TYPE);
	refused("email address", dest_with("<a:emailAddress>li@lawful.example</a:emailAddress>"),
		X1_E_DEST_ADDRESS_TYPE);
	refused("unknown address element", dest_with("<a:carrierPigeon>1</a:carrierPigeon>"),
		X1_E_SYNTAX);
	refused("two addresses",
		dest_with(IPP("<k:IPv4Address>192.0.2.1</k:IPv4Address>", "<k:TCPPort>80</k:TCPPort>")
				  "<a:uri>https://lawful.example/</a:uri>"),
		X1_E_SYNTAX);
	refused("bad destination IPv4",
		dest_with(IPP("<k:IPv4Address>256.1.1.1</k:IPv4Address>", "<k:TCPPort>80</k:TCPPort>")),
		X1_E_SYNTAX);
	refused("bad destination IPv6",
		dest_with(IPP("<k:IPv6Address>2001:db8::2</k:IPv6Address>", "<k:TCPPort>80</k:TCPPort>")),
		X1_E_SYNTAX);
	refused("destination TCP port 1 (minExclusive 1)",
		dest_with(IPP("<k:IPv4Address>192.0.2.1</k:IPv4Address>", "<k:TCPPort>1</k:TCPPort>")),
		X1_E_SYNTAX);
	refused("destination TCP port 65536",
		dest_with(IPP("<k:IPv4Address>192.0.2.1</k:IPv4Address>", "<k:TCPPort>65536</k:TCPPort>")),
		X1_E_SYNTAX);
	refused("destination UDP port 0",
		dest_with(IPP("<k:IPv4Address>192.0.2.1</k:IPv4Address>", "<k:UDPPort>0</k:UDPPort>")),
		X1_E_CREATE_DEST);
	refused("address in the X1 namespace",
		dest_with("<a:ipAddressAndPort><a:address><k:IPv4Address>192.0.2.1</k:IPv4Address>"
			  "</a:address><k:port><k:TCPPort>80</k:TCPPort></k:port></a:ipAddressAndPort>"),
		X1_E_SYNTAX);
	refused("port missing",
		dest_with("<a:ipAddressAndPort><k:address><k:IPv4Address>192.0.2.1</k:IPv4Address>"
			  "</k:address></a:ipAddressAndPort>"),
		X1_E_SYNTAX);
	refused("destination deliveryType unknown",
		mk("CreateDestinationRequest",
		   "<a:destinationDetails><a:dId>" DID1 "</a:dId><a:deliveryType>X2andX4</a:deliveryType>"
		   "<a:deliveryAddress>" IPP("<k:IPv4Address>192.0.2.1</k:IPv4Address>",
					     "<k:TCPPort>80</k:TCPPort>") "</a:deliveryAddress>"
		   "</a:destinationDetails>"),
		X1_E_SYNTAX);
	refused("friendlyName after deliveryType",
		mk("CreateDestinationRequest",
		   "<a:destinationDetails><a:dId>" DID1 "</a:dId><a:deliveryType>X2Only</a:deliveryType>"
		   "<a:friendlyName>late</a:friendlyName>"
		   "<a:deliveryAddress>" IPP("<k:IPv4Address>192.0.2.1</k:IPv4Address>",
					     "<k:TCPPort>80</k:TCPPort>") "</a:deliveryAddress>"
		   "</a:destinationDetails>"),
		X1_E_SYNTAX);
	refused("modify with an unsupported address",
		mk("ModifyDestinationRequest",
		   "<a:destinationDetails><a:dId>" DID1 "</a:dId><a:deliveryType>X2Only</a:deliveryType>"
		   "<a:deliveryAddress><a:uri>https://lawful.example/</a:uri></a:deliveryAddress>"
		   "</a:destinationDetails>"),
		X1_E_DEST_ADDRESS_TYPE);
	CHECK_EQ(req.msgs[0].type, X1_MSG_MODIFY_DESTINATION);
}

/* A destination of the given request type whose details end with ext (extensions). */
static const char *ext_dest(const char *type, const char *ext)
{
	static char payload[4096];
	snprintf(payload, sizeof(payload),
		 "<a:destinationDetails><a:dId>" DID1 "</a:dId><a:deliveryType>X2andX3</a:deliveryType>"
		 "<a:deliveryAddress>" IPP("<k:IPv4Address>192.0.2.9</k:IPv4Address>",
					   "<k:TCPPort>7001</k:TCPPort>") "</a:deliveryAddress>%s"
		 "</a:destinationDetails>",
		 ext);
	return mk(type, payload);
}

/* A CLIF destinationDetailsExtensions with the given content after Owner. */
#define HOX(body)                                                                             \
	"<a:destinationDetailsExtensions><a:Owner>CLIF</a:Owner>" body                        \
	"</a:destinationDetailsExtensions>"
#define HO(text) "<h:handover xmlns:h=\"" NS_HO "\">" text "</h:handover>"

static void test_handover(void)
{
	static const struct {
		const char *type, *ext;
		uint8_t handover;
	} good[] = {
		{"CreateDestinationRequest", "", CLIFD_HANDOVER_TS102232},
		{"CreateDestinationRequest", HOX(HO("ts102232")), CLIFD_HANDOVER_TS102232},
		{"CreateDestinationRequest", HOX(HO("x2x3")), CLIFD_HANDOVER_X2X3},
		{"ModifyDestinationRequest", HOX(HO("x2x3")), CLIFD_HANDOVER_X2X3},
		{"ModifyDestinationRequest", "", CLIFD_HANDOVER_TS102232},
		{"CreateDestinationRequest", HOX(HO(" x2x3\n")), CLIFD_HANDOVER_X2X3}, /* xs:token */
		/* other namespaces in our extension, and another owner's extension, are skipped */
		{"CreateDestinationRequest",
		 HOX("<o:x xmlns:o=\"urn:o\">y</o:x>" HO("x2x3") "<o:z xmlns:o=\"urn:o\"/>"),
		 CLIFD_HANDOVER_X2X3},
		{"CreateDestinationRequest",
		 "<a:destinationDetailsExtensions><a:Owner>Vendor</a:Owner>" HO("x2x3")
		 "</a:destinationDetailsExtensions>",
		 CLIFD_HANDOVER_TS102232},
		{"CreateDestinationRequest",
		 "<a:destinationDetailsExtensions><a:Owner>Vendor</a:Owner>" HO("bogus")
		 "</a:destinationDetailsExtensions>" HOX(HO("x2x3")),
		 CLIFD_HANDOVER_X2X3},
	};
	for (unsigned i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const struct x1_msg *m = one(ext_dest(good[i].type, good[i].ext));
		CHECK_MSG(m->error == X1_OK, "handover case %u: error %d", i, m->error);
		CHECK_MSG(m->dest.handover == good[i].handover, "handover case %u: %u, want %u", i,
			  m->dest.handover, good[i].handover);
		CHECK_EQ(m->dest.port, 7001); /* the rest of the destination is still read */
	}
	static const struct {
		const char *ext, *desc;
	} bad[] = {
		{HOX(HO("X2X3")), "unknown handover protocol"},
		{HOX(HO("x2")), "unknown handover protocol"},
		{HOX(HO("")), "unknown handover protocol"},
		{HOX(HO("x2 x3")), "unknown handover protocol"},
		{HOX(HO("ts102232ts102232")), "unknown handover protocol"},
		{HOX(HO("<h:x2x3/>")), "malformed handover"},
		{HOX(HO("x2x3") HO("x2x3")), "more than one handover"},
		{HOX(HO("x2x3")) HOX(HO("ts102232")), "more than one handover"},
		{HOX("<h:protocol xmlns:h=\"" NS_HO "\">x2x3</h:protocol>"), "malformed handover"},
		{HOX("<a:handover>x2x3</a:handover>"), "extension element not in another namespace"},
		{HOX("<handover>x2x3</handover>"), "extension element not in another namespace"},
		{"<a:destinationDetailsExtensions>" HO("x2x3") "</a:destinationDetailsExtensions>",
		 "extension without Owner"},
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char what[40];
		snprintf(what, sizeof(what), "malformed handover %u", i);
		refused(what, ext_dest("CreateDestinationRequest", bad[i].ext), X1_E_SYNTAX);
		CHECK_STR(req.msgs[0].error_desc, bad[i].desc);
	}
	refused("malformed handover in a modify",
		ext_dest("ModifyDestinationRequest", HOX(HO("hi2"))), X1_E_SYNTAX);
	CHECK_EQ(req.msgs[0].type, X1_MSG_MODIFY_DESTINATION);
	CHECK_STR(req.msgs[0].error_desc, "unknown handover protocol");
	/* the extension comes last in destinationDetails */
	refused("handover extension before deliveryAddress",
		mk("CreateDestinationRequest",
		   "<a:destinationDetails><a:dId>" DID1 "</a:dId><a:deliveryType>X2Only</a:deliveryType>"
		   HOX(HO("x2x3")) "<a:deliveryAddress>" IPP("<k:IPv4Address>192.0.2.1</k:IPv4Address>",
							     "<k:TCPPort>80</k:TCPPort>")
		   "</a:deliveryAddress></a:destinationDetails>"),
		X1_E_SYNTAX);
}

static void test_target_refusals(void)
{
	refused("e164Number", task_with("ActivateTaskRequest", TGT("<a:e164Number>447700900123</a:e164Number>"), ""),
		X1_E_TARGET_TYPE);
	CHECK_EQ(req.msgs[0].type, X1_MSG_ACTIVATE_TASK);
	CHECK_STR(req.msgs[0].request_type, "ActivateTask");
	CHECK_STR(req.msgs[0].admf_id, ADMF);
	CHECK(id_is(req.msgs[0].task.xid, XID2));
	refused("imsi next to a supported target",
		task_with("ModifyTaskRequest",
			  TGT("<a:ipv4Address>198.51.100.23</a:ipv4Address>")
			  TGT("<a:imsi>001010123456789</a:imsi>"), ""),
		X1_E_TARGET_TYPE);
	CHECK_EQ(req.msgs[0].type, X1_MSG_MODIFY_TASK);
	refused("unsupported type but a schema error later",
		task_with("ActivateTaskRequest", TGT("<a:e164Number>447700900123</a:e164Number>"),
			  "<a:correlationID>-1</a:correlationID>"),
		X1_E_SYNTAX);
	refused("unknown target element",
		task_with("ActivateTaskRequest", TGT("<a:ipv9Address>1</a:ipv9Address>"), ""), X1_E_SYNTAX);
	refused("target in another namespace",
		task_with("ActivateTaskRequest", TGT("<k:ipv4Address>198.51.100.23</k:ipv4Address>"), ""),
		X1_E_SYNTAX);
	refused("two elements in one targetIdentifier",
		task_with("ActivateTaskRequest",
			  TGT("<a:ipv4Address>198.51.100.23</a:ipv4Address><a:tcpPort>80</a:tcpPort>"), ""),
		X1_E_SYNTAX);
	refused("empty targetIdentifiers", task_with("ActivateTaskRequest", "", ""), X1_E_SYNTAX);

	static const char *const bad[] = {
		TGT("<a:ipv4Address>256.1.1.1</a:ipv4Address>"),
		TGT("<a:ipv4Address>1.2.3</a:ipv4Address>"),
		TGT("<a:ipv4Address>1.2.3.4.5</a:ipv4Address>"),
		TGT("<a:ipv4Address>1.2.3.0004</a:ipv4Address>"),
		TGT("<a:ipv4Address>1. 2.3.4</a:ipv4Address>"),
		TGT("<a:ipv4Address></a:ipv4Address>"),
		TGT("<a:ipv4Address><k:IPv4Address>1.2.3.4</k:IPv4Address></a:ipv4Address>"),
		TGT("<a:ipv6Address>2001:db8::1</a:ipv6Address>"),
		TGT("<a:ipv6Address>2001:0DB8:0000:0000:0000:0000:0000:00a1</a:ipv6Address>"),
		TGT("<a:ipv6Address>2001:0db8:0000:0000:0000:0000:0000</a:ipv6Address>"),
		TGT("<a:ipv6Address>2001:0db8:0000:0000:0000:0000:0000:00a1:0000</a:ipv6Address>"),
		TGT("<a:macAddress>02:1A:2B:3C:4D:5E</a:macAddress>"),
		TGT("<a:macAddress>02-1a-2b-3c-4d-5e</a:macAddress>"),
		TGT("<a:macAddress>02:1a:2b:3c:4d</a:macAddress>"),
		TGT("<a:ipv4Cidr><k:IPv4CIDR>10.20.0.0/33</k:IPv4CIDR></a:ipv4Cidr>"),
		TGT("<a:ipv4Cidr><k:IPv4CIDR>10.20.0.0/016</k:IPv4CIDR></a:ipv4Cidr>"),
		TGT("<a:ipv4Cidr><k:IPv4CIDR>10.20.0.0</k:IPv4CIDR></a:ipv4Cidr>"),
		TGT("<a:ipv4Cidr>10.20.0.0/16</a:ipv4Cidr>"),
		TGT("<a:ipv4Cidr><a:IPv4CIDR>10.20.0.0/16</a:IPv4CIDR></a:ipv4Cidr>"),
		TGT("<a:ipv6Cidr>2001:0db8:0000:0000:0000:0000:0000:0000/0</a:ipv6Cidr>"),
		TGT("<a:ipv6Cidr>2001:0db8:0000:0000:0000:0000:0000:0000/129</a:ipv6Cidr>"),
		TGT("<a:ipv6Cidr>2001:db8::/32</a:ipv6Cidr>"),
		TGT("<a:tcpPort>0</a:tcpPort>"),
		TGT("<a:tcpPort>1</a:tcpPort>"),
		TGT("<a:tcpPort>65536</a:tcpPort>"),
		TGT("<a:tcpPort>-80</a:tcpPort>"),
		TGT("<a:tcpPort>80x</a:tcpPort>"),
		TGT("<a:udpPort>65536</a:udpPort>"),
		TGT("<a:udpPort>99999999999999999999999</a:udpPort>"),
		TGT("<a:tcpPortRange><k:start>9000</k:start><k:end>8000</k:end></a:tcpPortRange>"),
		TGT("<a:tcpPortRange><k:end>9000</k:end><k:start>8000</k:start></a:tcpPortRange>"),
		TGT("<a:udpPortRange><k:start>1</k:start></a:udpPortRange>"),
		TGT("<a:udpPortRange><k:start>1</k:start><k:end>70000</k:end></a:udpPortRange>"),
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char what[48];
		snprintf(what, sizeof(what), "bad target value %u", i);
		refused(what, task_with("ActivateTaskRequest", bad[i], ""), X1_E_SYNTAX);
	}

	/* combinations */
	char many[4096] = "";
	for (unsigned i = 0; i < CLIFD_MAX_TARGETS + 1; i++)
		strcat(many, TGT("<a:ipv4Address>198.51.100.23</a:ipv4Address>"));
	refused("too many targets", task_with("ActivateTaskRequest", many, ""),
		X1_E_TARGET_COMBINATION);
	refused("ports only",
		task_with("ActivateTaskRequest",
			  TGT("<a:tcpPort>443</a:tcpPort>") TGT("<a:udpPort>53</a:udpPort>"), ""),
		X1_E_TARGET_COMBINATION);
}

static const char *task_tail(const char *type, const char *dids_and_after)
{
	static char payload[1 << 14];
	snprintf(payload, sizeof(payload),
		 "<a:taskDetails><a:xId>" XID1 "</a:xId><a:targetIdentifiers>"
		 TGT("<a:ipv4Address>198.51.100.23</a:ipv4Address>") "</a:targetIdentifiers>"
		 "<a:deliveryType>X2Only</a:deliveryType>%s</a:taskDetails>",
		 dids_and_after);
	return mk(type, payload);
}

static void test_task_refusals(void)
{
	refused("unknown deliveryType",
		mk("ActivateTaskRequest",
		   "<a:taskDetails><a:xId>" XID1 "</a:xId><a:targetIdentifiers>"
		   TGT("<a:ipv4Address>198.51.100.23</a:ipv4Address>") "</a:targetIdentifiers>"
		   "<a:deliveryType>X4Only</a:deliveryType>" DIDS1 "</a:taskDetails>"),
		X1_E_SYNTAX);
	refused("deliveryType with spaces (xs:string enumeration)",
		mk("ActivateTaskRequest",
		   "<a:taskDetails><a:xId>" XID1 "</a:xId><a:targetIdentifiers>"
		   TGT("<a:ipv4Address>198.51.100.23</a:ipv4Address>") "</a:targetIdentifiers>"
		   "<a:deliveryType> X2Only</a:deliveryType>" DIDS1 "</a:taskDetails>"),
		X1_E_SYNTAX);
	refused("deliveryType before targetIdentifiers",
		mk("ActivateTaskRequest",
		   "<a:taskDetails><a:xId>" XID1 "</a:xId><a:deliveryType>X2Only</a:deliveryType>"
		   "<a:targetIdentifiers>" TGT("<a:ipv4Address>198.51.100.23</a:ipv4Address>")
		   "</a:targetIdentifiers>" DIDS1 "</a:taskDetails>"),
		X1_E_SYNTAX);
	refused("missing xId",
		mk("ActivateTaskRequest",
		   "<a:taskDetails><a:targetIdentifiers>"
		   TGT("<a:ipv4Address>198.51.100.23</a:ipv4Address>") "</a:targetIdentifiers>"
		   "<a:deliveryType>X2Only</a:deliveryType>" DIDS1 "</a:taskDetails>"),
		X1_E_SYNTAX);
	refused("missing taskDetails", mk("ActivateTaskRequest", ""), X1_E_SYNTAX);
	refused("two taskDetails", mk("ActivateTaskRequest", "<a:taskDetails/><a:taskDetails/>"),
		X1_E_SYNTAX);
	refused("missing listOfDIDs", task_tail("ActivateTaskRequest", ""), X1_E_SYNTAX);
	refused("no destination", task_tail("ActivateTaskRequest", "<a:listOfDIDs/>"),
		X1_E_DELIVERY_COMBINATION);
	refused("destination set",
		task_tail("ActivateTaskRequest",
			  "<a:listOfDIDs><a:dId>" DID1 "</a:dId><a:dSId>" DID2 "</a:dSId></a:listOfDIDs>"),
		X1_E_DELIVERY_COMBINATION);
	char dids[2048] = "<a:listOfDIDs>";
	for (unsigned i = 0; i < CLIFD_MAX_DIDS + 1; i++)
		strcat(dids, "<a:dId>" DID1 "</a:dId>");
	strcat(dids, "</a:listOfDIDs>");
	refused("too many destinations", task_tail("ActivateTaskRequest", dids), X1_E_MULTI_DEST);
	refused("bad dId", task_tail("ActivateTaskRequest", "<a:listOfDIDs><a:dId>b1b2</a:dId></a:listOfDIDs>"),
		X1_E_SYNTAX);
	refused("correlationID negative", task_tail("ActivateTaskRequest", DIDS1 "<a:correlationID>-1</a:correlationID>"),
		X1_E_SYNTAX);
	refused("correlationID over 64 bits",
		task_tail("ActivateTaskRequest", DIDS1 "<a:correlationID>18446744073709551616</a:correlationID>"),
		X1_E_ACTIVATE);
	refused("implicitDeactivationAllowed yes",
		task_tail("ActivateTaskRequest", DIDS1 "<a:implicitDeactivationAllowed>yes</a:implicitDeactivationAllowed>"),
		X1_E_SYNTAX);
	const struct x1_msg *m = one(task_tail(
		"ActivateTaskRequest", DIDS1 "<a:implicitDeactivationAllowed> 1 </a:implicitDeactivationAllowed>"
				       "<a:productID>" XID2 "</a:productID>"
				       "<a:listOfServiceTypes><a:serviceType>data</a:serviceType></a:listOfServiceTypes>"));
	CHECK_EQ(m->error, X1_OK);
	CHECK_EQ(m->task.implicit_deactivation, 2);
	refused("voice service", task_tail("ActivateTaskRequest",
					   DIDS1 "<a:listOfServiceTypes><a:serviceType>voice</a:serviceType>"
						 "</a:listOfServiceTypes>"),
		X1_E_SERVICE_TYPE);
	refused("unknown service", task_tail("ActivateTaskRequest",
					     DIDS1 "<a:listOfServiceTypes><a:serviceType>fax</a:serviceType>"
						   "</a:listOfServiceTypes>"),
		X1_E_SYNTAX);
	refused("implicitDeactivationAllowed before correlationID",
		task_tail("ActivateTaskRequest", DIDS1 "<a:implicitDeactivationAllowed>true</a:implicitDeactivationAllowed>"
						      "<a:correlationID>5</a:correlationID>"),
		X1_E_SYNTAX);
	refused("unknown element at the end", task_tail("ActivateTaskRequest", DIDS1 "<a:colour>red</a:colour>"),
		X1_E_SYNTAX);
	refused("text between elements", task_tail("ActivateTaskRequest", DIDS1 "stray"), X1_E_SYNTAX);
}

#define MED(x) "<a:listOfMediationDetails>" x "</a:listOfMediationDetails>"

static void test_mediation(void)
{
	const struct x1_msg *m = one(task_tail(
		"ActivateTaskRequest",
		DIDS1 MED("<a:mediationDetails><a:LIID>!~x</a:LIID><a:deliveryType>HI2Only</a:deliveryType>"
			  "<a:mediationDetailsExtensions><a:Owner>v</a:Owner><o:e xmlns:o=\"urn:o\"/>"
			  "</a:mediationDetailsExtensions></a:mediationDetails>")));
	CHECK_EQ(m->error, X1_OK);
	CHECK_EQ(m->task.n_mediation, 1);
	CHECK_STR(m->task.mediation[0].liid, "!~x");
	CHECK_EQ(m->task.mediation[0].hi_delivery, CLIFD_HI2_ONLY);

	refused("mediation deliveryType unknown",
		task_tail("ActivateTaskRequest",
			  DIDS1 MED("<a:mediationDetails><a:LIID>L1</a:LIID><a:deliveryType>HI4Only</a:deliveryType>"
				    "</a:mediationDetails>")),
		X1_E_SYNTAX);
	refused("LIID with a space",
		task_tail("ActivateTaskRequest",
			  DIDS1 MED("<a:mediationDetails><a:LIID>L 1</a:LIID><a:deliveryType>HI2Only</a:deliveryType>"
				    "</a:mediationDetails>")),
		X1_E_SYNTAX);
	refused("LIID empty",
		task_tail("ActivateTaskRequest",
			  DIDS1 MED("<a:mediationDetails><a:LIID></a:LIID><a:deliveryType>HI2Only</a:deliveryType>"
				    "</a:mediationDetails>")),
		X1_E_SYNTAX);
	refused("LIID of 26 printable characters",
		task_tail("ActivateTaskRequest",
			  DIDS1 MED("<a:mediationDetails><a:LIID>ABCDEFGHIJKLMNOPQRSTUVWXYZ</a:LIID>"
				    "<a:deliveryType>HI2Only</a:deliveryType></a:mediationDetails>")),
		X1_E_SYNTAX);
	refused("hex LIID longer than clifd holds",
		task_tail("ActivateTaskRequest",
			  DIDS1 MED("<a:mediationDetails><a:LIID>0123456789abcdef0123456789abcdef</a:LIID>"
				    "<a:deliveryType>HI2Only</a:deliveryType></a:mediationDetails>")),
		X1_E_ACTIVATE);
	refused("hex LIID longer than clifd holds, in ModifyTask",
		task_tail("ModifyTaskRequest",
			  DIDS1 MED("<a:mediationDetails><a:LIID>0123456789abcdef0123456789abcdef</a:LIID>"
				    "<a:deliveryType>HI2Only</a:deliveryType></a:mediationDetails>")),
		X1_E_MODIFY);
	refused("mediation StartTime",
		task_tail("ActivateTaskRequest",
			  DIDS1 MED("<a:mediationDetails><a:LIID>L1</a:LIID><a:deliveryType>HI2Only</a:deliveryType>"
				    "<a:StartTime>2025-03-14T09:26:53.589793Z</a:StartTime></a:mediationDetails>")),
		X1_E_ACTIVATE);
	refused("mediation StartTime malformed",
		task_tail("ActivateTaskRequest",
			  DIDS1 MED("<a:mediationDetails><a:LIID>L1</a:LIID><a:deliveryType>HI2Only</a:deliveryType>"
				    "<a:StartTime>yesterday</a:StartTime></a:mediationDetails>")),
		X1_E_SYNTAX);
	refused("mediation serviceScopingOptions",
		task_tail("ActivateTaskRequest",
			  DIDS1 MED("<a:mediationDetails><a:LIID>L1</a:LIID><a:deliveryType>HI2Only</a:deliveryType>"
				    "<a:serviceScopingOptions/></a:mediationDetails>")),
		X1_E_SERVICE_TYPE);
	refused("mediation LIID missing",
		task_tail("ActivateTaskRequest",
			  DIDS1 MED("<a:mediationDetails><a:deliveryType>HI2Only</a:deliveryType>"
				    "</a:mediationDetails>")),
		X1_E_SYNTAX);
	char many[8192] = "";
	for (unsigned i = 0; i < CLIFD_MAX_MEDIATION + 1; i++)
		strcat(many, "<a:mediationDetails><a:LIID>L1</a:LIID><a:deliveryType>HI2Only"
			     "</a:deliveryType></a:mediationDetails>");
	char tail[9000];
	snprintf(tail, sizeof(tail), DIDS1 "<a:listOfMediationDetails>%s</a:listOfMediationDetails>", many);
	refused("too many mediationDetails", task_tail("ActivateTaskRequest", tail), X1_E_ACTIVATE);
}

/* A task carrying one taskDetailsExtensions element with the given content. */
static const char *ext_task(const char *ext)
{
	static char tail[4096];
	snprintf(tail, sizeof(tail), DIDS1 "%s", ext);
	return task_tail("ActivateTaskRequest", tail);
}

#define CSX(body)                                                                             \
	"<a:taskDetailsExtensions><a:Owner>CLIF</a:Owner><cs:cloudScope xmlns:cs=\"" NS_CS    \
	"\">" body "</cs:cloudScope></a:taskDetailsExtensions>"

static void test_cloud_scope(void)
{
	static const struct {
		const char *xml;
		uint8_t type;
		uint32_t value;
	} good[] = {
		{CSX("<cs:vni>0</cs:vni>"), CLIF_SCOPE_VNI, 0},
		{CSX("<cs:vni>16777215</cs:vni>"), CLIF_SCOPE_VNI, 16777215},
		{CSX("<cs:vlan>1</cs:vlan>"), CLIF_SCOPE_VLAN, 1},
		{CSX("<cs:vlan> 4094 </cs:vlan>"), CLIF_SCOPE_VLAN, 4094},
		{CSX("<cs:vport>0</cs:vport>"), CLIF_SCOPE_VPORT, 0},
		{CSX("<cs:vport>65535</cs:vport>"), CLIF_SCOPE_VPORT, 65535},
		/* another owner's extension, and other elements of ours, are ignored */
		{"<a:taskDetailsExtensions><a:Owner>Vendor</a:Owner><cs:cloudScope xmlns:cs=\"" NS_CS
		 "\"><cs:vni>7</cs:vni></cs:cloudScope></a:taskDetailsExtensions>" CSX("<cs:vlan>12</cs:vlan>"),
		 CLIF_SCOPE_VLAN, 12},
		{"<a:taskDetailsExtensions><a:Owner>CLIF</a:Owner><o:note xmlns:o=\"urn:o\">x</o:note>"
		 "</a:taskDetailsExtensions>",
		 CLIF_SCOPE_ANY, 0},
	};
	for (unsigned i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const struct x1_msg *m = one(ext_task(good[i].xml));
		CHECK_EQ(m->error, X1_OK);
		CHECK_EQ(m->task.scope_type, good[i].type);
		CHECK_EQ(m->task.scope_value, good[i].value);
	}
	static const char *const bad[] = {
		CSX("<cs:vni>16777216</cs:vni>"),
		CSX("<cs:vlan>0</cs:vlan>"),
		CSX("<cs:vlan>4095</cs:vlan>"),
		CSX("<cs:vport>65536</cs:vport>"),
		CSX("<cs:vni>-1</cs:vni>"),
		CSX("<cs:vni>five</cs:vni>"),
		CSX(""),
		CSX("<cs:vni>1</cs:vni><cs:vlan>2</cs:vlan>"),
		CSX("<cs:tenant>1</cs:tenant>"),
		CSX("<a:vni>1</a:vni>"),
		CSX("<cs:vni><cs:vni>1</cs:vni></cs:vni>"),
		CSX("<cs:vni>1</cs:vni>") CSX("<cs:vni>2</cs:vni>"),
		"<a:taskDetailsExtensions><cs:cloudScope xmlns:cs=\"" NS_CS
		"\"><cs:vni>1</cs:vni></cs:cloudScope></a:taskDetailsExtensions>",
		"<a:taskDetailsExtensions><a:Owner>CLIF</a:Owner><a:cloudScope/></a:taskDetailsExtensions>",
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char what[40];
		snprintf(what, sizeof(what), "malformed cloudScope %u", i);
		refused(what, ext_task(bad[i]), X1_E_SYNTAX);
	}
}

static void test_header_refusals(void)
{
	static const struct {
		const char *what, *hdr;
	} bad[] = {
		{"version v2", "<a:admfIdentifier>A</a:admfIdentifier><a:neIdentifier>N</a:neIdentifier>"
			       "<a:messageTimestamp>" STAMP "</a:messageTimestamp><a:version>v2.0.1</a:version>"
			       "<a:x1TransactionId>" TXID "</a:x1TransactionId>"},
		{"version without v", "<a:admfIdentifier>A</a:admfIdentifier><a:neIdentifier>N</a:neIdentifier>"
				      "<a:messageTimestamp>" STAMP "</a:messageTimestamp><a:version>1.13.1</a:version>"
				      "<a:x1TransactionId>" TXID "</a:x1TransactionId>"},
		{"version two parts", "<a:admfIdentifier>A</a:admfIdentifier><a:neIdentifier>N</a:neIdentifier>"
				      "<a:messageTimestamp>" STAMP "</a:messageTimestamp><a:version>v1.13</a:version>"
				      "<a:x1TransactionId>" TXID "</a:x1TransactionId>"},
		{"version padded", "<a:admfIdentifier>A</a:admfIdentifier><a:neIdentifier>N</a:neIdentifier>"
				   "<a:messageTimestamp>" STAMP "</a:messageTimestamp><a:version> v1.13.1</a:version>"
				   "<a:x1TransactionId>" TXID "</a:x1TransactionId>"},
		{"transaction id uppercase", "<a:admfIdentifier>A</a:admfIdentifier><a:neIdentifier>N</a:neIdentifier>"
					     "<a:messageTimestamp>" STAMP "</a:messageTimestamp><a:version>v1.1.1</a:version>"
					     "<a:x1TransactionId>0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F0</a:x1TransactionId>"},
		{"transaction id short", "<a:admfIdentifier>A</a:admfIdentifier><a:neIdentifier>N</a:neIdentifier>"
					 "<a:messageTimestamp>" STAMP "</a:messageTimestamp><a:version>v1.1.1</a:version>"
					 "<a:x1TransactionId>0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f</a:x1TransactionId>"},
		{"missing neIdentifier", "<a:admfIdentifier>A</a:admfIdentifier>"
					 "<a:messageTimestamp>" STAMP "</a:messageTimestamp><a:version>v1.1.1</a:version>"
					 "<a:x1TransactionId>" TXID "</a:x1TransactionId>"},
		{"header out of order", "<a:neIdentifier>N</a:neIdentifier><a:admfIdentifier>A</a:admfIdentifier>"
					"<a:messageTimestamp>" STAMP "</a:messageTimestamp><a:version>v1.1.1</a:version>"
					"<a:x1TransactionId>" TXID "</a:x1TransactionId>"},
		{"timestamp without microseconds", "<a:admfIdentifier>A</a:admfIdentifier><a:neIdentifier>N</a:neIdentifier>"
						   "<a:messageTimestamp>2025-03-14T09:26:53Z</a:messageTimestamp>"
						   "<a:version>v1.1.1</a:version><a:x1TransactionId>" TXID "</a:x1TransactionId>"},
		{"timestamp without zone", "<a:admfIdentifier>A</a:admfIdentifier><a:neIdentifier>N</a:neIdentifier>"
					   "<a:messageTimestamp>2025-03-14T09:26:53.589793</a:messageTimestamp>"
					   "<a:version>v1.1.1</a:version><a:x1TransactionId>" TXID "</a:x1TransactionId>"},
		{"timestamp 30 February", "<a:admfIdentifier>A</a:admfIdentifier><a:neIdentifier>N</a:neIdentifier>"
					  "<a:messageTimestamp>2025-02-30T09:26:53.589793Z</a:messageTimestamp>"
					  "<a:version>v1.1.1</a:version><a:x1TransactionId>" TXID "</a:x1TransactionId>"},
		{"admfIdentifier with an element", "<a:admfIdentifier><b/></a:admfIdentifier><a:neIdentifier>N</a:neIdentifier>"
						   "<a:messageTimestamp>" STAMP "</a:messageTimestamp>"
						   "<a:version>v1.1.1</a:version><a:x1TransactionId>" TXID "</a:x1TransactionId>"},
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		refused(bad[i].what, mkh("PingRequest", bad[i].hdr, ""), X1_E_SYNTAX);
		CHECK_EQ(req.msgs[0].type, X1_MSG_PING);
		CHECK_STR(req.msgs[0].request_type, "Ping");
	}
	/* what could be read is kept for the ErrorResponse */
	refused("missing neIdentifier (echo)", mkh("PingRequest", bad[6].hdr, ""), X1_E_SYNTAX);
	CHECK_STR(req.msgs[0].admf_id, "A");
	CHECK_STR(req.msgs[0].ne_id, "");
	CHECK_EQ(req.msgs[0].has_txid, 1);
	refused("bad transaction id (echo)", mkh("PingRequest", bad[4].hdr, ""), X1_E_SYNTAX);
	CHECK_EQ(req.msgs[0].has_txid, 0);
	CHECK_STR(req.msgs[0].version, "v1.1.1");
	/* the version is only checked against the pattern: v1.99.0 is for the caller to judge */
	const struct x1_msg *m = one(mkh("PingRequest",
					 "<a:admfIdentifier>A</a:admfIdentifier><a:neIdentifier>N</a:neIdentifier>"
					 "<a:messageTimestamp>2024-02-29T23:59:59.999999-14:00</a:messageTimestamp>"
					 "<a:version>v1.99.0</a:version><a:x1TransactionId>" TXID "</a:x1TransactionId>",
					 ""));
	CHECK_EQ(m->error, X1_OK);
	CHECK_EQ(m->version_minor, 99);
	CHECK_EQ(m->version_patch, 0);
	/* admfIdentifier over X1_IDENT_MAX */
	char hdr[1024], admf[400];
	memset(admf, 'A', 300);
	admf[300] = '\0';
	snprintf(hdr, sizeof(hdr),
		 "<a:admfIdentifier>%s</a:admfIdentifier><a:neIdentifier>N</a:neIdentifier>"
		 "<a:messageTimestamp>" STAMP "</a:messageTimestamp><a:version>v1.1.1</a:version>"
		 "<a:x1TransactionId>" TXID "</a:x1TransactionId>",
		 admf);
	refused("admfIdentifier too long", mkh("PingRequest", hdr, ""), X1_E_SYNTAX);
	CHECK_STR(req.msgs[0].admf_id, "");
}

static void test_multiple(void)
{
	static char doc[1 << 15];
	snprintf(doc, sizeof(doc),
		 "<a:X1Request xmlns:a=\"" NS_X1 "\" xmlns:k=\"" NS_C "\" "
		 "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n"
		 "<!-- comments and blank text between messages are fine -->\n"
		 "<a:x1RequestMessage xsi:type=\"a:CreateDestinationRequest\">%s"
		 "<a:destinationDetails><a:dId>" DID1 "</a:dId><a:deliveryType>X2andX3</a:deliveryType>"
		 "<a:deliveryAddress>" IPP("<k:IPv4Address>192.0.2.44</k:IPv4Address>", "<k:TCPPort>6514</k:TCPPort>")
		 "</a:deliveryAddress></a:destinationDetails></a:x1RequestMessage>\n"
		 "<a:x1RequestMessage xsi:type=\"a:ActivateTaskRequest\">%s%s</a:x1RequestMessage>\n"
		 "<a:x1RequestMessage xsi:type=\"a:DeactivateTaskRequest\">%s<a:xId>BAD</a:xId></a:x1RequestMessage>\n"
		 "<a:x1RequestMessage xsi:type=\"a:PingRequest\">%s</a:x1RequestMessage>\n"
		 "</a:X1Request>",
		 HDR, HDR, FULL_TASK, HDR, HDR);
	CHECK_EQ(parse(doc), 0);
	CHECK_EQ(req.n_msgs, 4);
	CHECK_EQ(req.msgs[0].type, X1_MSG_CREATE_DESTINATION);
	CHECK_EQ(req.msgs[0].error, X1_OK);
	CHECK(id_is(req.msgs[0].dest.did, DID1));
	CHECK_EQ(req.msgs[1].type, X1_MSG_ACTIVATE_TASK);
	CHECK_EQ(req.msgs[1].error, X1_OK);
	check_full_task(&req.msgs[1].task);
	CHECK_EQ(req.msgs[2].type, X1_MSG_DEACTIVATE_TASK);
	CHECK_EQ(req.msgs[2].error, X1_E_SYNTAX);
	CHECK_EQ(req.msgs[3].type, X1_MSG_PING);
	CHECK_EQ(req.msgs[3].error, X1_OK);
	check_clean();
}

/* ---- whole-document refusals ---- */

static void test_top_refusals(void)
{
	static char doc[X1_MAX_MESSAGES * 1024];
	refused_top("not XML", "hello, world", 12, X1_E_SYNTAX);
	refused_top("empty", "", 0, X1_E_SYNTAX);
	const char *ping = mk("PingRequest", "");
	refused_top("truncated", ping, strlen(ping) - 20, X1_E_SYNTAX);
	const char *wrong_ns = "<a:X1Request xmlns:a=\"http://uri.etsi.org/03221/X1/2017/11\"/>";
	refused_top("wrong namespace", wrong_ns, strlen(wrong_ns), X1_E_SYNTAX);
	snprintf(doc, sizeof(doc), "%s", mk("PingRequest", ""));
	memcpy(strstr(doc, "a:X1Request"), "a:X1Respons", 11);
	memcpy(strstr(doc, "/a:X1Request"), "/a:X1Respons", 12);
	refused_top("wrong root", doc, strlen(doc), X1_E_SYNTAX);
	const char *no_ns = "<X1Request><x1RequestMessage/></X1Request>";
	refused_top("no namespace", no_ns, strlen(no_ns), X1_E_SYNTAX);
	const char *none = "<a:X1Request xmlns:a=\"" NS_X1 "\"> </a:X1Request>";
	refused_top("no messages", none, strlen(none), X1_E_SYNTAX);
	const char *other = "<a:X1Request xmlns:a=\"" NS_X1 "\"><a:x1ResponseMessage/></a:X1Request>";
	refused_top("a response message in a request", other, strlen(other), X1_E_SYNTAX);
	const char *text = "<a:X1Request xmlns:a=\"" NS_X1 "\">words</a:X1Request>";
	refused_top("text in X1Request", text, strlen(text), X1_E_SYNTAX);

	/* X1_MAX_MESSAGES is accepted, one more is not */
	for (unsigned n = X1_MAX_MESSAGES; n <= X1_MAX_MESSAGES + 1; n++) {
		size_t o = (size_t)snprintf(doc, sizeof(doc),
					    "<a:X1Request xmlns:a=\"" NS_X1 "\" "
					    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">");
		for (unsigned i = 0; i < n; i++)
			o += (size_t)snprintf(doc + o, sizeof(doc) - o,
					      "<a:x1RequestMessage xsi:type=\"a:PingRequest\">%s"
					      "</a:x1RequestMessage>", HDR);
		o += (size_t)snprintf(doc + o, sizeof(doc) - o, "</a:X1Request>");
		CHECK(o < sizeof(doc)); /* the whole document, not cut short */
		if (n == X1_MAX_MESSAGES) {
			CHECK_EQ(parse(doc), 0);
			CHECK_EQ(req.n_msgs, X1_MAX_MESSAGES);
			CHECK_EQ(req.msgs[X1_MAX_MESSAGES - 1].type, X1_MSG_PING);
		} else {
			refused_top("too many messages", doc, strlen(doc), X1_E_SYNTAX);
		}
	}

	/* a body of exactly X1_MAX_BODY bytes is read, one byte more is not */
	char *big = malloc(X1_MAX_BODY + 2);
	for (size_t total = X1_MAX_BODY; total <= X1_MAX_BODY + 1; total++) {
		const char *tail = "</a:X1Request>";
		snprintf(big, X1_MAX_BODY, "%s", mk("PingRequest", ""));
		size_t head = strlen(big) - strlen(tail);
		memset(big + head, ' ', total - head - strlen(tail));
		memcpy(big + total - strlen(tail), tail, strlen(tail));
		if (total == X1_MAX_BODY) {
			CHECK_EQ(x1_parse_request(big, total, &req), 0);
			CHECK_EQ(req.n_msgs, 1);
		} else {
			refused_top("body over the limit", big, total, X1_E_SYNTAX);
			CHECK_STR(req.error_desc, "request body too large");
		}
	}
	free(big);

	CHECK_EQ(x1_parse_request(NULL, 5, &req), X1_E_GENERIC);
	CHECK_EQ(x1_parse_request("<a/>", 4, NULL), X1_E_GENERIC);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long maxrss_kib(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static void test_entities(void)
{
	/* billion laughs: 10^9 "lol"s if expanded */
	static char bomb[4096];
	size_t o = (size_t)snprintf(bomb, sizeof(bomb),
				    "<?xml version=\"1.0\"?>\n<!DOCTYPE a:X1Request [\n"
				    "<!ENTITY l0 \"lol\">\n");
	for (int i = 1; i <= 9; i++)
		o += (size_t)snprintf(bomb + o, sizeof(bomb) - o,
				      "<!ENTITY l%d \"&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;\">\n",
				      i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
	snprintf(bomb + o, sizeof(bomb) - o,
		 "]>\n<a:X1Request xmlns:a=\"" NS_X1 "\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
		 "<a:x1RequestMessage xsi:type=\"a:PingRequest\"><a:admfIdentifier>&l9;</a:admfIdentifier>"
		 "</a:x1RequestMessage></a:X1Request>");
	long rss0 = maxrss_kib();
	double t0 = now_s();
	for (int i = 0; i < 100; i++)
		refused_top("billion laughs", bomb, strlen(bomb), X1_E_SYNTAX);
	double dt = now_s() - t0;
	long grew = maxrss_kib() - rss0;
	CHECK(dt < 2.0);    /* 100 refusals; one expansion would take minutes */
	CHECK(grew < 8192); /* KiB; one expansion needs gigabytes */
	CHECK_STR(req.error_desc, "document type declarations are not accepted");

	/* an external entity, on a file clifd could read: never opened. The file is a FIFO
	 * with no writer, so opening it would block; a child process gives up after 10 s. */
	char dir[] = "/tmp/clif-x1-XXXXXX", fifo[64], doc[1024];
	CHECK(mkdtemp(dir) != NULL);
	snprintf(fifo, sizeof(fifo), "%s/secret", dir);
	CHECK_EQ(mkfifo(fifo, 0600), 0);
	static const char *const forms[] = {
		"<!DOCTYPE a:X1Request [<!ENTITY x SYSTEM \"file://%s\">]>",
		"<!DOCTYPE a:X1Request SYSTEM \"file://%s\">",
		"<!DOCTYPE a:X1Request [<!ENTITY %% p SYSTEM \"file://%s\"> %%p;]>",
	};
	for (unsigned f = 0; f < 3; f++) {
		char dtd[256];
		snprintf(dtd, sizeof(dtd), forms[f], fifo);
		snprintf(doc, sizeof(doc),
			 "%s<a:X1Request xmlns:a=\"" NS_X1 "\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
			 "<a:x1RequestMessage xsi:type=\"a:PingRequest\"><a:admfIdentifier>&x;</a:admfIdentifier>"
			 "</a:x1RequestMessage></a:X1Request>",
			 dtd);
		pid_t pid = fork();
		if (pid == 0) {
			alarm(10);
			int rc = x1_parse_request(doc, strlen(doc), &req);
			_exit(rc == X1_E_SYNTAX && req.n_msgs == 0 ? 0 : 1);
		}
		int status = -1;
		waitpid(pid, &status, 0);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	/* and the file:///etc/passwd classic, in-process */
	const char *xxe = "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
			  "<a:X1Request xmlns:a=\"" NS_X1 "\"><a:x1RequestMessage>&x;</a:x1RequestMessage>"
			  "</a:X1Request>";
	refused_top("external entity", xxe, strlen(xxe), X1_E_SYNTAX);
	/* an undeclared entity without a DOCTYPE is not well-formed */
	const char *undeclared = "<a:X1Request xmlns:a=\"" NS_X1 "\">&x;</a:X1Request>";
	refused_top("undeclared entity", undeclared, strlen(undeclared), X1_E_SYNTAX);
	/* XInclude is not processed: the element is just unknown content */
	const char *xi = "<a:X1Request xmlns:a=\"" NS_X1 "\" xmlns:xi=\"http://www.w3.org/2001/XInclude\">"
			 "<xi:include href=\"file:///etc/passwd\" parse=\"text\"/></a:X1Request>";
	refused_top("xinclude", xi, strlen(xi), X1_E_SYNTAX);
	unlink(fifo);
	rmdir(dir);
}

/* Nothing a hostile document makes libxml2 say reaches stderr (it would quote the document). */
static void test_quiet(void)
{
	static const char *const docs[] = {
		"<?xml version=\"1.0\" encoding=\"EUC-JP\"?><a:X1Request xmlns:a=\"" NS_X1 "\">"
		"\x94\xb6\x9b\x9a 198.51.100.23</a:X1Request>",
		"<?xml version=\"1.0\" encoding=\"UTF-16\"?><a:X1Request/>",
		"<?xml version=\"1.0\" encoding=\"no-such-charset\"?><a:X1Request/>",
		"<a:X1Request xmlns:a=\"" NS_X1 "\"><a:x1RequestMessage>198.51.100.23</a:X1Request>",
		"<a:X1Request xmlns:a=\"" NS_X1 "\">\xff\xfe 198.51.100.23</a:X1Request>",
		"<!DOCTYPE r [<!ENTITY x \"198.51.100.23\">]><r>&x;</r>",
	};
	char path[] = "/tmp/clif-x1-stderr-XXXXXX";
	int fd = mkstemp(path), saved = dup(2);
	CHECK(fd >= 0 && saved >= 0);
	if (fd < 0 || saved < 0)
		return;
	fflush(stderr);
	dup2(fd, 2);
	int refusals = 0;
	for (unsigned i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		refusals += x1_parse_request(docs[i], strlen(docs[i]), &req) == X1_E_SYNTAX;
	uint8_t txid[16] = {0};
	refusals += x1_parse_report_response(docs[0], strlen(docs[0]), txid) == X1_E_SYNTAX;
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	struct stat st;
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 0);
	CHECK_EQ(refusals, (int)(sizeof(docs) / sizeof(docs[0])) + 1);
	close(fd);
	unlink(path);
}

/* ---- responses, read back with XPath ---- */

static xmlDocPtr rdoc;
static xmlXPathContextPtr rctx;

static int load(const char *text, size_t len)
{
	if (rctx != NULL)
		xmlXPathFreeContext(rctx);
	if (rdoc != NULL)
		xmlFreeDoc(rdoc);
	rctx = NULL;
	rdoc = xmlReadMemory(text, (int)len, NULL, NULL, XML_PARSE_NONET);
	if (rdoc == NULL)
		return -1;
	rctx = xmlXPathNewContext(rdoc);
	xmlXPathRegisterNs(rctx, (const xmlChar *)"x", (const xmlChar *)NS_X1);
	xmlXPathRegisterNs(rctx, (const xmlChar *)"c", (const xmlChar *)NS_C);
	xmlXPathRegisterNs(rctx, (const xmlChar *)"s", (const xmlChar *)NS_CS);
	xmlXPathRegisterNs(rctx, (const xmlChar *)"xsi",
			   (const xmlChar *)"http://www.w3.org/2001/XMLSchema-instance");
	return 0;
}

/* The string value of an XPath expression on the loaded document. */
static const char *xp(const char *fmt, ...)
{
	static char out[4][512];
	static int k;
	char expr[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(expr, sizeof(expr), fmt, ap);
	va_end(ap);
	k = (k + 1) % 4;
	out[k][0] = '\0';
	if (rctx == NULL)
		return out[k];
	xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, rctx);
	if (o != NULL) {
		xmlChar *s = xmlXPathCastToString(o);
		snprintf(out[k], sizeof(out[k]), "%s", (const char *)s);
		xmlFree(s);
		xmlXPathFreeObject(o);
	}
	return out[k];
}

/* The number of nodes an XPath expression (printf format) selects. */
static int count(const char *fmt, ...)
{
	char expr[512], e[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(expr, sizeof(expr), fmt, ap);
	va_end(ap);
	snprintf(e, sizeof(e), "count(%s)", expr);
	return atoi(xp("%s", e));
}

static int is_timestamp(const char *s)
{
	/* UTC with microseconds, e.g. 2025-03-14T09:26:53.589793Z */
	if (strlen(s) != 27 || s[26] != 'Z' || s[10] != 'T' || s[19] != '.')
		return 0;
	return 1;
}

/* The five header elements of response message i (1-based). */
static void check_resp_header(int i, const char *type)
{
	char m[64];
	snprintf(m, sizeof(m), "/x:X1Response/x:x1ResponseMessage[%d]", i);
	CHECK_STR(xp("string(%s/@xsi:type)", m), type);
	CHECK_STR(xp("string(%s/x:admfIdentifier)", m), ADMF);
	CHECK_STR(xp("string(%s/x:neIdentifier)", m), "ne-under-test");
	CHECK(is_timestamp(xp("string(%s/x:messageTimestamp)", m)));
	CHECK_STR(xp("string(%s/x:version)", m), "v1.13.1");
	CHECK_STR(xp("string(%s/x:x1TransactionId)", m), TXID);
	CHECK_EQ(count("%s/*[position() <= 5]", m), 5);
	CHECK_STR(xp("local-name(%s/*[1])", m), "admfIdentifier");
	CHECK_STR(xp("local-name(%s/*[5])", m), "x1TransactionId");
}

static int finish(struct x1_response *r)
{
	char *out = NULL;
	size_t len = 0;
	int rc = x1_response_finish(r, &out, &len);
	CHECK_EQ(rc, 0);
	if (rc != 0)
		return -1;
	CHECK_EQ(strlen(out), len);
	CHECK(strncmp(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 38) == 0);
	rc = load(out, len);
	CHECK_EQ(rc, 0);
	free(out);
	return rc;
}

/* A parsed request message of the given type with the fixture header. */
static struct x1_msg *msg_of(const char *xsi, const char *payload)
{
	static struct x1_msg m[8];
	static int k;
	k = (k + 1) % 8;
	CHECK_EQ(parse(mk(xsi, payload)), 0);
	m[k] = req.msgs[0];
	CHECK_EQ(m[k].error, X1_OK);
	return &m[k];
}

static void test_ok_responses(void)
{
	static const struct {
		const char *xsi, *payload, *resp;
	} oks[] = {
		{"ActivateTaskRequest", FULL_TASK, "x1:ActivateTaskResponse"},
		{"ModifyTaskRequest", FULL_TASK, "x1:ModifyTaskResponse"},
		{"DeactivateTaskRequest", "<a:xId>" XID1 "</a:xId>", "x1:DeactivateTaskResponse"},
		{"DeactivateAllTasksRequest", "", "x1:DeactivateAllTasksResponse"},
		{"CreateDestinationRequest",
		 "<a:destinationDetails><a:dId>" DID1 "</a:dId><a:deliveryType>X2Only</a:deliveryType>"
		 "<a:deliveryAddress>" IPP("<k:IPv4Address>192.0.2.1</k:IPv4Address>", "<k:TCPPort>80</k:TCPPort>")
		 "</a:deliveryAddress></a:destinationDetails>",
		 "x1:CreateDestinationResponse"},
		{"ModifyDestinationRequest",
		 "<a:destinationDetails><a:dId>" DID1 "</a:dId><a:deliveryType>X2Only</a:deliveryType>"
		 "<a:deliveryAddress>" IPP("<k:IPv4Address>192.0.2.1</k:IPv4Address>", "<k:TCPPort>80</k:TCPPort>")
		 "</a:deliveryAddress></a:destinationDetails>",
		 "x1:ModifyDestinationResponse"},
		{"RemoveDestinationRequest", "<a:dId>" DID1 "</a:dId>", "x1:RemoveDestinationResponse"},
		{"RemoveAllDestinationsRequest", "", "x1:RemoveAllDestinationsResponse"},
		{"PingRequest", "", "x1:PingResponse"},
		{"KeepaliveRequest", "", "x1:KeepaliveResponse"},
	};
	struct x1_response *all = x1_response_new("ne-under-test", "v1.13.1");
	CHECK(all != NULL);
	for (unsigned i = 0; i < sizeof(oks) / sizeof(oks[0]); i++) {
		struct x1_msg *m = msg_of(oks[i].xsi, oks[i].payload);
		CHECK_EQ(x1_resp_ok(all, m), 0);
	}
	/* types that need more than oK are refused, and so is a message with an error */
	struct x1_msg *g = msg_of("GetNEStatusRequest", "");
	CHECK_EQ(x1_resp_ok(all, g), -EINVAL);
	struct x1_msg bad = *msg_of("PingRequest", "");
	bad.error = X1_E_SYNTAX;
	CHECK_EQ(x1_resp_ok(all, &bad), -EINVAL);
	if (finish(all) == 0) {
		CHECK_EQ(count("/x:X1Response/x:x1ResponseMessage"), 10);
		for (unsigned i = 0; i < sizeof(oks) / sizeof(oks[0]); i++) {
			check_resp_header((int)i + 1, oks[i].resp);
			CHECK_STR(xp("string(/x:X1Response/x:x1ResponseMessage[%u]/x:oK)", i + 1),
				  "AcknowledgedAndCompleted");
			CHECK_EQ(count("/x:X1Response/x:x1ResponseMessage[%u]/*", i + 1), 6);
		}
	}
	/* finishing twice, adding after finishing, finishing an empty response */
	char *out;
	size_t len;
	CHECK_EQ(x1_response_finish(all, &out, &len), -EINVAL);
	CHECK_EQ(x1_resp_ok(all, msg_of("PingRequest", "")), -EINVAL);
	x1_response_free(all);
	struct x1_response *empty = x1_response_new("n", "v1.0.0");
	CHECK_EQ(x1_response_finish(empty, &out, &len), -EINVAL);
	x1_response_free(empty);
	x1_response_free(NULL);
	CHECK(x1_response_new(NULL, "v1.0.0") == NULL);
}

#define TASKD "/x:X1Response/x:x1ResponseMessage[1]/x:taskResponseDetails/x:taskDetails"

static void check_task_xml(const char *base)
{
	CHECK_STR(xp("string(%s/x:xId)", base), XID1);
	CHECK_EQ(count("%s/x:targetIdentifiers/x:targetIdentifier", base), 9);
	CHECK_STR(xp("string(%s/x:targetIdentifiers/x:targetIdentifier[1]/x:ipv4Address)", base),
		  "198.51.100.23");
	CHECK_STR(xp("string(%s/x:targetIdentifiers/x:targetIdentifier[2]/x:ipv6Address)", base),
		  "2001:0db8:0000:0000:0000:0000:0000:00a1");
	CHECK_STR(xp("string(%s/x:targetIdentifiers/x:targetIdentifier[3]/x:ipv4Cidr/c:IPv4CIDR)", base),
		  "10.20.0.0/16");
	CHECK_STR(xp("string(%s/x:targetIdentifiers/x:targetIdentifier[4]/x:ipv6Cidr)", base),
		  "2001:0db8:00ff:0000:0000:0000:0000:0000/48");
	CHECK_STR(xp("string(%s/x:targetIdentifiers/x:targetIdentifier[5]/x:macAddress)", base),
		  "02:1a:2b:3c:4d:5e");
	CHECK_STR(xp("string(%s/x:targetIdentifiers/x:targetIdentifier[6]/x:tcpPort)", base), "443");
	CHECK_STR(xp("string(%s/x:targetIdentifiers/x:targetIdentifier[7]/x:udpPort)", base), "0");
	CHECK_STR(xp("string(%s/x:targetIdentifiers/x:targetIdentifier[8]/x:tcpPortRange/c:start)", base),
		  "8000");
	CHECK_STR(xp("string(%s/x:targetIdentifiers/x:targetIdentifier[8]/x:tcpPortRange/c:end)", base),
		  "8080");
	CHECK_STR(xp("string(%s/x:targetIdentifiers/x:targetIdentifier[9]/x:udpPortRange/c:start)", base),
		  "5060");
	CHECK_STR(xp("string(%s/x:deliveryType)", base), "X2andX3");
	CHECK_STR(xp("string(%s/x:listOfDIDs/x:dId[1])", base), DID1);
	CHECK_STR(xp("string(%s/x:listOfDIDs/x:dId[2])", base), DID2);
	CHECK_STR(xp("string(%s/x:listOfMediationDetails/x:mediationDetails[1]/x:LIID)", base), LIID1);
	CHECK_STR(xp("string(%s/x:listOfMediationDetails/x:mediationDetails[1]/x:deliveryType)", base),
		  "HI2andHI3");
	CHECK_STR(xp("string(%s/x:listOfMediationDetails/x:mediationDetails[1]/x:listOfDIDs/x:dId)", base),
		  DID2);
	CHECK_STR(xp("string(%s/x:listOfMediationDetails/x:mediationDetails[2]/x:LIID)", base), LIID2);
	CHECK_EQ(count("%s/x:listOfMediationDetails/x:mediationDetails[2]/x:listOfDIDs", base), 0);
	CHECK_STR(xp("string(%s/x:correlationID)", base), "18446744073709551615");
	CHECK_STR(xp("string(%s/x:implicitDeactivationAllowed)", base), "false");
	CHECK_STR(xp("string(%s/x:taskDetailsExtensions/x:Owner)", base), "CLIF");
	CHECK_STR(xp("string(%s/x:taskDetailsExtensions/s:cloudScope/s:vni)", base), "5001");
	/* XSD order */
	CHECK_STR(xp("local-name(%s/*[3])", base), "deliveryType");
	CHECK_STR(xp("local-name(%s/*[last()])", base), "taskDetailsExtensions");
}

static void test_task_responses(void)
{
	static struct clifd_task task;
	CHECK_EQ(parse(mk("ActivateTaskRequest", FULL_TASK)), 0);
	task = req.msgs[0].task;
	struct x1_fault faults[2] = {{X1_E_ACTIVATE, "card table full"},
				     {3001, "ctl\x01 char & <markup>"}};
	struct x1_task_status st = {&task, X1_PROV_FAILED, faults, 2};

	struct x1_response *r = x1_response_new("ne-under-test", "v1.13.1");
	struct x1_msg *get = msg_of("GetTaskDetailsRequest", "<a:xId>" XID1 "</a:xId>");
	CHECK_EQ(x1_resp_task_details(r, get, &st), 0);
	if (finish(r) == 0) {
		check_resp_header(1, "x1:GetTaskDetailsResponse");
		check_task_xml(TASKD);
		const char *stp = "/x:X1Response/x:x1ResponseMessage[1]/x:taskResponseDetails/x:taskStatus";
		CHECK_STR(xp("string(%s/x:provisioningStatus)", stp), "failed");
		CHECK_EQ(count("%s/x:listOfFaults/x:unresolvedFault", stp), 2);
		CHECK_STR(xp("string(%s/x:listOfFaults/x:unresolvedFault[1]/x:errorCode)", stp), "3000");
		CHECK_STR(xp("string(%s/x:listOfFaults/x:unresolvedFault[1]/x:errorDescription)", stp),
			  "card table full");
		CHECK_STR(xp("string(%s/x:listOfFaults/x:unresolvedFault[2]/x:errorDescription)", stp),
			  "ctl? char & <markup>");
	}
	x1_response_free(r);

	/* the written taskDetails read back by the parser give the same task */
	r = x1_response_new("ne-under-test", "v1.13.1");
	CHECK_EQ(x1_resp_task_details(r, get, &st), 0);
	char *out;
	size_t len;
	CHECK_EQ(x1_response_finish(r, &out, &len), 0);
	x1_response_free(r);
	const char *a = strstr(out, "<x1:taskDetails>"), *b = strstr(out, "</x1:taskDetails>");
	CHECK(a != NULL && b != NULL);
	if (a != NULL && b != NULL) {
		static char again[1 << 15];
		snprintf(again, sizeof(again),
			 "<x1:X1Request xmlns:x1=\"" NS_X1 "\" xmlns:c=\"" NS_C "\" xmlns:a=\"" NS_X1
			 "\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
			 "<x1:x1RequestMessage xsi:type=\"x1:ActivateTaskRequest\">%s%.*s"
			 "</x1:x1RequestMessage></x1:X1Request>",
			 HDR, (int)(b - a + strlen("</x1:taskDetails>")), a);
		CHECK_EQ(parse(again), 0);
		CHECK_EQ(req.msgs[0].error, X1_OK);
		CHECK(memcmp(&req.msgs[0].task, &task, sizeof(task)) == 0);
	}
	free(out);

	/* GetAllTaskDetails: two tasks, and none */
	static struct clifd_task second;
	second = task;
	uuid(XID2, second.xid);
	second.n_mediation = 0;
	second.has_correlation = 0;
	second.implicit_deactivation = 2;
	second.scope_type = CLIF_SCOPE_VLAN;
	second.scope_value = 100;
	struct x1_task_status two[2] = {{&task, X1_PROV_COMPLETE, NULL, 0},
					{&second, X1_PROV_AWAITING, NULL, 0}};
	r = x1_response_new("ne-under-test", "v1.13.1");
	struct x1_msg *all = msg_of("GetAllTaskDetailsRequest", "");
	CHECK_EQ(x1_resp_all_task_details(r, all, two, 2), 0);
	CHECK_EQ(x1_resp_all_task_details(r, all, NULL, 0), 0);
	CHECK_EQ(x1_resp_all_task_details(r, all, NULL, 1), -EINVAL);
	CHECK_EQ(x1_resp_task_details(r, all, &st), -EINVAL); /* wrong request type */
	if (finish(r) == 0) {
		const char *l = "/x:X1Response/x:x1ResponseMessage[1]/x:listOfTaskResponseDetails";
		check_resp_header(1, "x1:GetAllTaskDetailsResponse");
		check_resp_header(2, "x1:GetAllTaskDetailsResponse");
		CHECK_EQ(count("%s/x:taskResponseDetails", l), 2);
		char base[256];
		snprintf(base, sizeof(base), "%s/x:taskResponseDetails[1]/x:taskDetails", l);
		check_task_xml(base);
		CHECK_STR(xp("string(%s/x:taskResponseDetails[1]/x:taskStatus/x:provisioningStatus)", l),
			  "complete");
		CHECK_EQ(count("%s/x:taskResponseDetails[1]/x:taskStatus/x:listOfFaults", l), 1);
		CHECK_EQ(count("%s/x:taskResponseDetails[1]/x:taskStatus/x:listOfFaults/*", l), 0);
		CHECK_STR(xp("string(%s/x:taskResponseDetails[2]/x:taskDetails/x:xId)", l), XID2);
		CHECK_STR(xp("string(%s/x:taskResponseDetails[2]/x:taskDetails/x:implicitDeactivationAllowed)", l),
			  "true");
		CHECK_STR(xp("string(%s/x:taskResponseDetails[2]/x:taskDetails/x:taskDetailsExtensions/s:cloudScope/s:vlan)", l),
			  "100");
		CHECK_EQ(count("%s/x:taskResponseDetails[2]/x:taskDetails/x:correlationID", l), 0);
		CHECK_STR(xp("string(%s/x:taskResponseDetails[2]/x:taskStatus/x:provisioningStatus)", l),
			  "awaitingProvisioning");
		CHECK_EQ(count("/x:X1Response/x:x1ResponseMessage[2]/x:listOfTaskResponseDetails/*"), 0);
	}
	x1_response_free(r);

	/* a task the model forbids is not written */
	static struct clifd_task broken;
	broken = task;
	broken.targets[0].kind = 42;
	struct x1_task_status bs = {&broken, X1_PROV_COMPLETE, NULL, 0};
	r = x1_response_new("ne-under-test", "v1.13.1");
	CHECK_EQ(x1_resp_task_details(r, get, &bs), -EINVAL);
	broken = task;
	broken.scope_type = CLIF_SCOPE_VLAN;
	broken.scope_value = 4095;
	CHECK_EQ(x1_resp_task_details(r, get, &bs), -EINVAL);
	x1_response_free(r);
}

static void test_dest_responses(void)
{
	static struct clifd_destination d4, d6;
	CHECK_EQ(parse(mk("CreateDestinationRequest",
			  "<a:destinationDetails><a:dId>" DID1 "</a:dId>"
			  "<a:friendlyName>LEMF &lt;north&gt;</a:friendlyName><a:deliveryType>X2Only</a:deliveryType>"
			  "<a:deliveryAddress>" IPP("<k:IPv4Address>192.0.2.44</k:IPv4Address>", "<k:TCPPort>6514</k:TCPPort>")
			  "</a:deliveryAddress></a:destinationDetails>")), 0);
	d4 = req.msgs[0].dest;
	CHECK_EQ(parse(mk("CreateDestinationRequest",
			  "<a:destinationDetails><a:dId>" DID2 "</a:dId><a:deliveryType>X3Only</a:deliveryType>"
			  "<a:deliveryAddress>" IPP("<k:IPv6Address>2001:0db8:0000:0000:0000:0000:0000:0002</k:IPv6Address>",
						    "<k:UDPPort>4789</k:UDPPort>")
			  "</a:deliveryAddress></a:destinationDetails>")), 0);
	d6 = req.msgs[0].dest;
	struct x1_fault f = {X1_E_GENERIC, "peer unreachable"};
	struct x1_dest_status s4 = {&d4, X1_DEST_FAULT, &f, 1}, s6 = {&d6, X1_DEST_ACTIVE, NULL, 0};

	struct x1_response *r = x1_response_new("ne-under-test", "v1.13.1");
	CHECK_EQ(x1_resp_dest_details(r, msg_of("GetDestinationDetailsRequest", "<a:dId>" DID1 "</a:dId>"), &s4), 0);
	struct x1_dest_status both[2] = {s4, s6};
	CHECK_EQ(x1_resp_all_dest_details(r, msg_of("GetAllDestinationDetailsRequest", ""), both, 2), 0);
	if (finish(r) == 0) {
		const char *d = "/x:X1Response/x:x1ResponseMessage[1]/x:destinationResponseDetails";
		check_resp_header(1, "x1:GetDestinationDetailsResponse");
		CHECK_STR(xp("string(%s/x:destinationDetails/x:dId)", d), DID1);
		CHECK_STR(xp("string(%s/x:destinationDetails/x:friendlyName)", d), "LEMF <north>");
		CHECK_STR(xp("string(%s/x:destinationDetails/x:deliveryType)", d), "X2Only");
		CHECK_STR(xp("string(%s/x:destinationDetails/x:deliveryAddress/x:ipAddressAndPort/c:address/c:IPv4Address)", d),
			  "192.0.2.44");
		CHECK_STR(xp("string(%s/x:destinationDetails/x:deliveryAddress/x:ipAddressAndPort/c:port/c:TCPPort)", d),
			  "6514");
		CHECK_STR(xp("string(%s/x:destinationStatus/x:destinationDeliveryStatus)", d), "deliveryFault");
		CHECK_STR(xp("string(%s/x:destinationStatus/x:listOfFaults/x:unresolvedFault/x:errorCode)", d), "1000");
		CHECK_STR(xp("string(%s/x:destinationStatus/x:listOfFaults/x:unresolvedFault/x:errorDescription)", d),
			  "peer unreachable");
		const char *l = "/x:X1Response/x:x1ResponseMessage[2]/x:listOfDestinationResponseDetails";
		check_resp_header(2, "x1:GetAllDestinationDetailsResponse");
		CHECK_EQ(count("%s/x:destinationResponseDetails", l), 2);
		CHECK_STR(xp("string(%s/x:destinationResponseDetails[2]/x:destinationDetails/x:dId)", l), DID2);
		CHECK_EQ(count("%s/x:destinationResponseDetails[2]/x:destinationDetails/x:friendlyName", l), 0);
		CHECK_STR(xp("string(%s/x:destinationResponseDetails[2]/x:destinationDetails/x:deliveryAddress/x:ipAddressAndPort/c:address/c:IPv6Address)", l),
			  "2001:0db8:0000:0000:0000:0000:0000:0002");
		CHECK_STR(xp("string(%s/x:destinationResponseDetails[2]/x:destinationDetails/x:deliveryAddress/x:ipAddressAndPort/c:port/c:UDPPort)", l),
			  "4789");
		CHECK_STR(xp("string(%s/x:destinationResponseDetails[2]/x:destinationStatus/x:destinationDeliveryStatus)", l),
			  "activeAndWorking");
	}
	x1_response_free(r);

	/* NE status, GetAllDetails, ListAllDetails */
	static struct clifd_task task;
	CHECK_EQ(parse(mk("ActivateTaskRequest", FULL_TASK)), 0);
	task = req.msgs[0].task;
	struct x1_task_status ts = {&task, X1_PROV_COMPLETE, NULL, 0};
	struct x1_fault nf[1] = {{X1_E_GENERIC, "card reset"}};
	struct x1_ne_status ok = {X1_NE_OK, NULL, 0}, faulty = {X1_NE_FAULTS, nf, 1};
	uint8_t xids[2][16], dids[1][16];
	uuid(XID1, xids[0]);
	uuid(XID2, xids[1]);
	uuid(DID1, dids[0]);
	r = x1_response_new("ne-under-test", "v1.13.1");
	CHECK_EQ(x1_resp_ne_status(r, msg_of("GetNEStatusRequest", ""), &ok), 0);
	CHECK_EQ(x1_resp_ne_status(r, msg_of("GetNEStatusRequest", ""), &faulty), 0);
	CHECK_EQ(x1_resp_all_details(r, msg_of("GetAllDetailsRequest", ""), &faulty, &ts, 1, both, 2), 0);
	CHECK_EQ(x1_resp_list_all(r, msg_of("ListAllDetailsRequest", ""), (const uint8_t (*)[16])xids, 2,
				  (const uint8_t (*)[16])dids, 1), 0);
	CHECK_EQ(x1_resp_list_all(r, msg_of("ListAllDetailsRequest", ""), NULL, 0, NULL, 0), 0);
	CHECK_EQ(x1_resp_ne_status(r, msg_of("GetNEStatusRequest", ""), NULL), -EINVAL);
	if (finish(r) == 0) {
		const char *m1 = "/x:X1Response/x:x1ResponseMessage[1]", *m2 = "/x:X1Response/x:x1ResponseMessage[2]";
		const char *m3 = "/x:X1Response/x:x1ResponseMessage[3]", *m4 = "/x:X1Response/x:x1ResponseMessage[4]";
		check_resp_header(1, "x1:GetNEStatusResponse");
		CHECK_STR(xp("string(%s/x:neStatusDetails/x:neStatus)", m1), "OK");
		CHECK_EQ(count("%s/x:neStatusDetails/x:listOfFaults", m1), 1);
		CHECK_EQ(count("%s/x:neStatusDetails/x:listOfFaults/*", m1), 0);
		CHECK_STR(xp("string(%s/x:neStatusDetails/x:neStatus)", m2), "Faults");
		CHECK_STR(xp("string(%s/x:neStatusDetails/x:listOfFaults/x:unresolvedFault/x:errorDescription)", m2),
			  "card reset");
		check_resp_header(3, "x1:GetAllDetailsResponse");
		CHECK_STR(xp("local-name(%s/*[6])", m3), "neStatusDetails");
		CHECK_STR(xp("local-name(%s/*[7])", m3), "listOfTaskResponseDetails");
		CHECK_STR(xp("local-name(%s/*[8])", m3), "listOfDestinationResponseDetails");
		CHECK_EQ(count("%s/*", m3), 8);
		char base[256];
		snprintf(base, sizeof(base), "%s/x:listOfTaskResponseDetails/x:taskResponseDetails[1]/x:taskDetails", m3);
		check_task_xml(base);
		CHECK_EQ(count("%s/x:listOfDestinationResponseDetails/x:destinationResponseDetails", m3), 2);
		check_resp_header(4, "x1:ListAllDetailsResponse");
		CHECK_EQ(count("%s/x:ListOfXIDs/x:xId", m4), 2);
		CHECK_STR(xp("string(%s/x:ListOfXIDs/x:xId[1])", m4), XID1);
		CHECK_STR(xp("string(%s/x:ListOfXIDs/x:xId[2])", m4), XID2);
		CHECK_STR(xp("string(%s/x:ListOfDIDs/x:dId)", m4), DID1);
		CHECK_EQ(count("/x:X1Response/x:x1ResponseMessage[5]/x:ListOfXIDs/*"), 0);
		CHECK_EQ(count("/x:X1Response/x:x1ResponseMessage[5]/x:ListOfDIDs/*"), 0);
	}
	x1_response_free(r);
}

/* The handover extension written back: only for x2x3, last in destinationDetails, and read
 * by the parser as it was written. */
static void test_handover_responses(void)
{
	static struct clifd_destination dx, dt;
	static struct clifd_task task;
	CHECK_EQ(parse(ext_dest("CreateDestinationRequest", HOX(HO("x2x3")))), 0);
	dx = req.msgs[0].dest;
	CHECK_EQ(dx.handover, CLIFD_HANDOVER_X2X3);
	CHECK_EQ(parse(ext_dest("CreateDestinationRequest", HOX(HO("ts102232")))), 0);
	dt = req.msgs[0].dest;
	CHECK_EQ(dt.handover, CLIFD_HANDOVER_TS102232);
	CHECK_EQ(parse(mk("ActivateTaskRequest", FULL_TASK)), 0);
	task = req.msgs[0].task;
	struct x1_task_status ts = {&task, X1_PROV_COMPLETE, NULL, 0};
	struct x1_ne_status ne = {X1_NE_OK, NULL, 0};
	struct x1_dest_status sx = {&dx, X1_DEST_ACTIVE, NULL, 0}, st = {&dt, X1_DEST_ACTIVE, NULL, 0};
	struct x1_dest_status both[2] = {st, sx};

	struct x1_response *r = x1_response_new("ne-under-test", "v1.13.1");
	CHECK_EQ(x1_resp_dest_details(r, msg_of("GetDestinationDetailsRequest", "<a:dId>" DID1 "</a:dId>"), &sx), 0);
	CHECK_EQ(x1_resp_dest_details(r, msg_of("GetDestinationDetailsRequest", "<a:dId>" DID1 "</a:dId>"), &st), 0);
	CHECK_EQ(x1_resp_all_dest_details(r, msg_of("GetAllDestinationDetailsRequest", ""), both, 2), 0);
	CHECK_EQ(x1_resp_all_details(r, msg_of("GetAllDetailsRequest", ""), &ne, &ts, 1, both, 2), 0);
	/* a value outside the enum cannot be written */
	static struct clifd_destination broken;
	broken = dx;
	broken.handover = 2;
	struct x1_dest_status sb = {&broken, X1_DEST_ACTIVE, NULL, 0};
	CHECK_EQ(x1_resp_dest_details(r, msg_of("GetDestinationDetailsRequest", "<a:dId>" DID1 "</a:dId>"), &sb),
		 -EINVAL);
	if (finish(r) == 0) {
		xmlXPathRegisterNs(rctx, (const xmlChar *)"h", (const xmlChar *)NS_HO);
		const char *d1 = "/x:X1Response/x:x1ResponseMessage[1]/x:destinationResponseDetails/x:destinationDetails";
		const char *d2 = "/x:X1Response/x:x1ResponseMessage[2]/x:destinationResponseDetails/x:destinationDetails";
		CHECK_EQ(count("/x:X1Response/x:x1ResponseMessage"), 4);
		CHECK_EQ(count("%s/x:destinationDetailsExtensions", d1), 1);
		CHECK_STR(xp("local-name(%s/*[last()])", d1), "destinationDetailsExtensions");
		CHECK_STR(xp("local-name(%s/*[last() - 1])", d1), "deliveryAddress");
		CHECK_EQ(count("%s/x:destinationDetailsExtensions/*", d1), 2);
		CHECK_STR(xp("string(%s/x:destinationDetailsExtensions/*[1]/self::x:Owner)", d1), "CLIF");
		CHECK_STR(xp("string(%s/x:destinationDetailsExtensions/*[2]/self::h:handover)", d1), "x2x3");
		CHECK_STR(xp("string(%s/x:deliveryAddress/x:ipAddressAndPort/c:port/c:TCPPort)", d1), "7001");
		/* the default is left implicit */
		CHECK_EQ(count("%s/x:destinationDetailsExtensions", d2), 0);
		CHECK_EQ(count("%s/*", d2), 3);
		const char *l = "/x:X1Response/x:x1ResponseMessage[3]/x:listOfDestinationResponseDetails";
		CHECK_EQ(count("%s/x:destinationResponseDetails[1]/x:destinationDetails/x:destinationDetailsExtensions", l), 0);
		CHECK_STR(xp("string(%s/x:destinationResponseDetails[2]/x:destinationDetails/x:destinationDetailsExtensions/h:handover)", l),
			  "x2x3");
		const char *a = "/x:X1Response/x:x1ResponseMessage[4]/x:listOfDestinationResponseDetails";
		CHECK_EQ(count("%s/x:destinationResponseDetails/x:destinationDetails/x:destinationDetailsExtensions", a), 1);
		CHECK_STR(xp("string(%s/x:destinationResponseDetails[2]/x:destinationDetails/x:destinationDetailsExtensions/h:handover)", a),
			  "x2x3");
		CHECK_EQ(count("//h:handover"), 3);

		/* the written destinationDetails, sent back in a ModifyDestination, parse to the
		 * same destination */
		xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)d1, rctx);
		CHECK(o != NULL && o->nodesetval != NULL && o->nodesetval->nodeNr == 1);
		if (o != NULL && o->nodesetval != NULL && o->nodesetval->nodeNr == 1) {
			xmlBufferPtr b = xmlBufferCreate();
			xmlNodeDump(b, rdoc, o->nodesetval->nodeTab[0], 0, 0);
			/* the dump keeps the x1:/c: prefixes; the fixture binds them on the root */
			static char payload[4096];
			snprintf(payload, sizeof(payload), "%s", (const char *)xmlBufferContent(b));
			xmlBufferFree(b);
			snprintf(docbuf, sizeof(docbuf),
				 "<x1:X1Request xmlns:x1=\"" NS_X1 "\" xmlns:c=\"" NS_C "\""
				 " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
				 "<x1:x1RequestMessage xsi:type=\"x1:ModifyDestinationRequest\">"
				 "<x1:admfIdentifier>" ADMF "</x1:admfIdentifier>"
				 "<x1:neIdentifier>" NE "</x1:neIdentifier>"
				 "<x1:messageTimestamp>" STAMP "</x1:messageTimestamp>"
				 "<x1:version>" VERSION "</x1:version>"
				 "<x1:x1TransactionId>" TXID "</x1:x1TransactionId>"
				 "%s</x1:x1RequestMessage></x1:X1Request>",
				 payload);
			const struct x1_msg *m = one(docbuf);
			CHECK_EQ(m->type, X1_MSG_MODIFY_DESTINATION);
			CHECK_EQ(m->error, X1_OK);
			CHECK(memcmp(&m->dest, &dx, sizeof(dx)) == 0);
		}
		xmlXPathFreeObject(o);
	}
	x1_response_free(r);
}

static void test_error_responses(void)
{
	struct x1_response *r = x1_response_new("ne-under-test", "v1.13.1");
	/* a refused message: its own code and text, its request type */
	refused("e164Number", task_with("ActivateTaskRequest", TGT("<a:e164Number>447700900123</a:e164Number>"), ""),
		X1_E_TARGET_TYPE);
	struct x1_msg e164 = req.msgs[0];
	CHECK_EQ(x1_resp_error(r, &e164, e164.error, e164.error_desc), 0);
	/* a generic object request answered "not supported" with the default text */
	struct x1_msg *gen = msg_of("CreateObjectRequest", "");
	CHECK_EQ(x1_resp_error(r, gen, X1_E_GENERIC_OBJECT, NULL), 0);
	/* an unknown type, with a bad transaction id: ExtendedRequestMessageType, nil UUID */
	parse(mkh("FrobnicateRequest",
		  "<a:admfIdentifier>" ADMF "</a:admfIdentifier><a:neIdentifier>N</a:neIdentifier>"
		  "<a:messageTimestamp>" STAMP "</a:messageTimestamp><a:version>v1.1.1</a:version>"
		  "<a:x1TransactionId>nope</a:x1TransactionId>", ""));
	struct x1_msg unk = req.msgs[0];
	CHECK_EQ(x1_resp_error(r, &unk, unk.error, unk.error_desc), 0);
	CHECK_EQ(x1_resp_error(r, &unk, 0, "x"), -EINVAL);
	if (finish(r) == 0) {
		const char *m1 = "/x:X1Response/x:x1ResponseMessage[1]";
		check_resp_header(1, "x1:ErrorResponse");
		CHECK_STR(xp("string(%s/x:requestMessageType)", m1), "ActivateTask");
		CHECK_STR(xp("string(%s/x:errorInformation/x:errorCode)", m1), "3010");
		CHECK_STR(xp("string(%s/x:errorInformation/x:errorDescription)", m1),
			  "unsupported target identifier type");
		CHECK(strstr(xp("string(%s/x:errorInformation/x:errorDescription)", m1), "447700900123") == NULL);
		CHECK(strstr(xp("string(%s/x:errorInformation/x:errorDescription)", m1), XID2) == NULL);
		CHECK_STR(xp("local-name(%s/*[6])", m1), "requestMessageType");
		CHECK_STR(xp("local-name(%s/*[7])", m1), "errorInformation");
		const char *m2 = "/x:X1Response/x:x1ResponseMessage[2]";
		CHECK_STR(xp("string(%s/x:requestMessageType)", m2), "CreateObject");
		CHECK_STR(xp("string(%s/x:errorInformation/x:errorCode)", m2), "8500");
		CHECK_STR(xp("string(%s/x:errorInformation/x:errorDescription)", m2),
			  "generic objects are not supported");
		const char *m3 = "/x:X1Response/x:x1ResponseMessage[3]";
		CHECK_STR(xp("string(%s/x:requestMessageType)", m3), "ExtendedRequestMessageType");
		CHECK_STR(xp("string(%s/x:errorInformation/x:errorCode)", m3), "1010");
		CHECK_STR(xp("string(%s/x:x1TransactionId)", m3), "00000000-0000-0000-0000-000000000000");
		CHECK_STR(xp("string(%s/x:admfIdentifier)", m3), ADMF);
	}
	x1_response_free(r);

	/* X1TopLevelErrorResponse */
	char *out = NULL;
	size_t len = 0;
	CHECK_EQ(x1_build_top_level_error("admf <&> one", "ne-under-test", "v1.13.1", &out, &len), 0);
	if (out != NULL && load(out, len) == 0) {
		CHECK_EQ(count("/x:X1TopLevelErrorResponse"), 1);
		CHECK_EQ(count("/x:X1TopLevelErrorResponse/*"), 4);
		CHECK_STR(xp("string(/x:X1TopLevelErrorResponse/x:admfIdentifier)"), "admf <&> one");
		CHECK_STR(xp("string(/x:X1TopLevelErrorResponse/x:neIdentifier)"), "ne-under-test");
		CHECK(is_timestamp(xp("string(/x:X1TopLevelErrorResponse/x:messageTimestamp)")));
		CHECK_STR(xp("string(/x:X1TopLevelErrorResponse/x:version)"), "v1.13.1");
		CHECK_STR(xp("local-name(/x:X1TopLevelErrorResponse/*[3])"), "messageTimestamp");
	}
	free(out);
	CHECK_EQ(x1_build_top_level_error(NULL, "n", "v1.0.0", &out, &len), -EINVAL);
}

/* ---- reports ---- */

static void test_reports(void)
{
	struct x1_report_hdr hdr = {"admf-central", "ne-under-test", "v1.13.1", {0}};
	uint8_t xid[16], did[16];
	char *out = NULL, txt[37];
	size_t len = 0;
	uuid(XID1, xid);
	uuid(DID1, did);

	CHECK_EQ(x1_build_report_task_issue(&hdr, xid, X1_REPORT_TERMINATING_FAULT, X1_E_ACTIVATE,
					    "card lost the rule", &out, &len), 0);
	clifd_uuid_format(hdr.txid, txt);
	CHECK_EQ(hdr.txid[6] >> 4, 4);
	CHECK_EQ(hdr.txid[8] >> 6, 2);
	if (out != NULL && load(out, len) == 0) {
		const char *m = "/x:X1Request/x:x1RequestMessage";
		CHECK_STR(xp("string(%s/@xsi:type)", m), "x1:ReportTaskIssueRequest");
		CHECK_STR(xp("string(%s/x:admfIdentifier)", m), "admf-central");
		CHECK_STR(xp("string(%s/x:neIdentifier)", m), "ne-under-test");
		CHECK_STR(xp("string(%s/x:version)", m), "v1.13.1");
		CHECK_STR(xp("string(%s/x:x1TransactionId)", m), txt);
		CHECK_STR(xp("string(%s/x:xId)", m), XID1);
		CHECK_STR(xp("string(%s/x:taskReportType)", m), "TerminatingFault");
		CHECK_STR(xp("string(%s/x:taskIssueErrorCode)", m), "3000");
		CHECK_STR(xp("string(%s/x:taskIssueDetails)", m), "card lost the rule");
		CHECK_STR(xp("local-name(%s/*[6])", m), "xId");
		CHECK_EQ(count("%s/*", m), 9);
		/* and our own parser finds the header valid (a report is not for an NE) */
		CHECK_EQ(x1_parse_request(out, len, &req), 0);
		CHECK_EQ(req.msgs[0].error, X1_E_GENERIC);
		CHECK_STR(req.msgs[0].request_type, "ReportTaskIssue");
	}
	free(out);
	out = NULL;

	uint8_t first[16];
	memcpy(first, hdr.txid, 16);
	CHECK_EQ(x1_build_report_destination_issue(&hdr, did, X1_REPORT_ALL_CLEAR, 0, NULL, &out, &len), 0);
	CHECK(memcmp(first, hdr.txid, 16) != 0);
	if (out != NULL && load(out, len) == 0) {
		const char *m = "/x:X1Request/x:x1RequestMessage";
		CHECK_STR(xp("string(%s/@xsi:type)", m), "x1:ReportDestinationIssueRequest");
		CHECK_STR(xp("string(%s/x:dId)", m), DID1);
		CHECK_STR(xp("string(%s/x:destinationReportType)", m), "AllClear");
		CHECK_EQ(count("%s/*", m), 7);
		CHECK_EQ(x1_parse_request(out, len, &req), 0);
		CHECK_EQ(req.msgs[0].error, X1_E_GENERIC);
	}
	free(out);
	out = NULL;

	CHECK_EQ(x1_build_report_ne_issue(&hdr, X1_NE_ISSUE_FAULT_REPORT, "card unreachable", 1000, &out, &len), 0);
	if (out != NULL && load(out, len) == 0) {
		const char *m = "/x:X1Request/x:x1RequestMessage";
		CHECK_STR(xp("string(%s/@xsi:type)", m), "x1:ReportNEIssueRequest");
		CHECK_STR(xp("string(%s/x:typeOfNeIssueMessage)", m), "FaultReport");
		CHECK_STR(xp("string(%s/x:description)", m), "card unreachable");
		CHECK_STR(xp("string(%s/x:issueCode)", m), "1000");
		CHECK_STR(xp("local-name(%s/*[last()])", m), "issueCode");
	}
	free(out);
	out = NULL;
	CHECK_EQ(x1_build_report_ne_issue(&hdr, X1_NE_ISSUE_ALERT, NULL, 0, &out, &len), -EINVAL);
	CHECK_EQ(x1_build_report_task_issue(&hdr, xid, 99, 0, NULL, &out, &len), -EINVAL);
	CHECK_EQ(x1_build_report_task_issue(&hdr, xid, X1_REPORT_WARNING, -5, NULL, &out, &len), -EINVAL);

	/* the ADMF's answers */
	char ans[2048];
	clifd_uuid_format(hdr.txid, txt);
	snprintf(ans, sizeof(ans),
		 "<X1Response xmlns=\"" NS_X1 "\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
		 "<x1ResponseMessage xsi:type=\"ReportNEIssueResponse\"><admfIdentifier>admf-central</admfIdentifier>"
		 "<neIdentifier>ne-under-test</neIdentifier><messageTimestamp>" STAMP "</messageTimestamp>"
		 "<version>v1.13.1</version><x1TransactionId>%s</x1TransactionId>"
		 "<oK>AcknowledgedAndCompleted</oK></x1ResponseMessage></X1Response>", txt);
	CHECK_EQ(x1_parse_report_response(ans, strlen(ans), hdr.txid), 0);
	uint8_t other[16];
	uuid(TXID, other);
	CHECK_EQ(x1_parse_report_response(ans, strlen(ans), other), X1_E_SYNTAX);
	snprintf(ans, sizeof(ans),
		 "<X1Response xmlns=\"" NS_X1 "\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
		 "<x1ResponseMessage xsi:type=\"ErrorResponse\"><admfIdentifier>admf-central</admfIdentifier>"
		 "<neIdentifier>ne-under-test</neIdentifier><messageTimestamp>" STAMP "</messageTimestamp>"
		 "<version>v1.13.1</version><x1TransactionId>%s</x1TransactionId>"
		 "<requestMessageType>ReportNEIssue</requestMessageType><errorInformation><errorCode>1060"
		 "</errorCode><errorDescription>who?</errorDescription></errorInformation>"
		 "</x1ResponseMessage></X1Response>", txt);
	CHECK_EQ(x1_parse_report_response(ans, strlen(ans), hdr.txid), X1_E_NE_UNEXPECTED);
	const char *tle = "<X1TopLevelErrorResponse xmlns=\"" NS_X1 "\"/>";
	CHECK_EQ(x1_parse_report_response(tle, strlen(tle), hdr.txid), X1_E_SYNTAX);
	CHECK_EQ(x1_parse_report_response("<<<", 3, hdr.txid), X1_E_SYNTAX);
}

int main(void)
{
	x1_init();
	test_activate_full();
	test_modify_minimal();
	test_target_kinds();
	test_simple_types();
	test_type_resolution();
	test_destinations();
	test_destination_refusals();
	test_handover();
	test_target_refusals();
	test_task_refusals();
	test_mediation();
	test_cloud_scope();
	test_header_refusals();
	test_multiple();
	test_top_refusals();
	test_entities();
	test_quiet();
	test_ok_responses();
	test_task_responses();
	test_dest_responses();
	test_handover_responses();
	test_error_responses();
	test_reports();
	if (rctx != NULL)
		xmlXPathFreeContext(rctx);
	if (rdoc != NULL)
		xmlFreeDoc(rdoc);
	return check_done();
}
