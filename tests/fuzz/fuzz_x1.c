/* libFuzzer target for clifd's X1 message layer (hostdrv/clifd/x1*.c): arbitrary bytes go
 * to x1_parse_request; a refused document gets an X1TopLevelErrorResponse, and every parsed
 * message gets its matching response and an ErrorResponse. The invariants, checked with
 * abort() so libFuzzer reports them:
 *   - a top-level refusal has no message and a description; a parse has 1..X1_MAX_MESSAGES;
 *   - a message has a description exactly when it has an error;
 *   - every task and destination the parser accepts can be written back (the builder's
 *     model checks agree with the parser), and the written taskDetails parse back to the
 *     same task;
 *   - every built document is well-formed XML.
 * ASan's leak check covers the frees. Built with -DFUZZ_X1_MKSEEDS the same file is the seed
 * generator: `fuzz-x1-mkseeds DIR` writes a request of every kind and a libFuzzer dictionary. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "x1.h"

#define NS_X1 "http://uri.etsi.org/03221/X1/2017/10"
#define NS_C "http://uri.etsi.org/03280/common/2017/07"

#define HDR                                                                                   \
	"<x:admfIdentifier>admf-seed</x:admfIdentifier><x:neIdentifier>ne-seed</x:neIdentifier>" \
	"<x:messageTimestamp>2025-06-01T12:00:00.000001Z</x:messageTimestamp>"                   \
	"<x:version>v1.13.1</x:version>"                                                          \
	"<x:x1TransactionId>11111111-2222-4333-8444-555555555555</x:x1TransactionId>"
#define XID "<x:xId>aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee</x:xId>"
#define DID "<x:dId>dddddddd-0000-4000-8000-000000000001</x:dId>"
#define TGT(x) "<x:targetIdentifier>" x "</x:targetIdentifier>"

#ifdef FUZZ_X1_MKSEEDS

/* Message bodies (xsi:type, content) the seeds are made of. */
static const struct {
	const char *type, *body;
} seed_msgs[] = {
	{"ActivateTaskRequest",
	 "<x:taskDetails>" XID "<x:targetIdentifiers>"
	 TGT("<x:ipv4Address>192.0.2.10</x:ipv4Address>")
	 TGT("<x:ipv6Address>2001:0db8:0000:0000:0000:0000:0000:0010</x:ipv6Address>")
	 TGT("<x:ipv4Cidr><c:IPv4CIDR>198.51.100.0/24</c:IPv4CIDR></x:ipv4Cidr>")
	 TGT("<x:ipv6Cidr>2001:0db8:0001:0000:0000:0000:0000:0000/64</x:ipv6Cidr>")
	 TGT("<x:macAddress>0a:0b:0c:0d:0e:0f</x:macAddress>")
	 TGT("<x:tcpPort>22</x:tcpPort>") TGT("<x:udpPort>500</x:udpPort>")
	 TGT("<x:tcpPortRange><c:start>1000</c:start><c:end>2000</c:end></x:tcpPortRange>")
	 TGT("<x:udpPortRange><c:start>3000</c:start><c:end>3001</c:end></x:udpPortRange>")
	 "</x:targetIdentifiers><x:deliveryType>X2andX3</x:deliveryType><x:listOfDIDs>" DID
	 "</x:listOfDIDs><x:listOfMediationDetails><x:mediationDetails><x:LIID>SEED-LIID</x:LIID>"
	 "<x:deliveryType>HI2andHI3</x:deliveryType><x:listOfDIDs>" DID "</x:listOfDIDs>"
	 "</x:mediationDetails></x:listOfMediationDetails><x:correlationID>7</x:correlationID>"
	 "<x:implicitDeactivationAllowed>true</x:implicitDeactivationAllowed>"
	 "<x:taskDetailsExtensions><x:Owner>CLIF</x:Owner><s:cloudScope "
	 "xmlns:s=\"urn:clif:x1:cloud-scope:1\"><s:vni>100</s:vni></s:cloudScope>"
	 "</x:taskDetailsExtensions></x:taskDetails>"},
	{"ModifyTaskRequest",
	 "<x:taskDetails>" XID "<x:targetIdentifiers>" TGT("<x:e164Number>123</x:e164Number>")
	 "</x:targetIdentifiers><x:deliveryType>X2Only</x:deliveryType><x:listOfDIDs>" DID
	 "</x:listOfDIDs><x:taskDetailsExtensions><x:Owner>CLIF</x:Owner><s:cloudScope "
	 "xmlns:s=\"urn:clif:x1:cloud-scope:1\"><s:vlan>10</s:vlan></s:cloudScope>"
	 "</x:taskDetailsExtensions></x:taskDetails>"},
	{"DeactivateTaskRequest", XID},
	{"DeactivateAllTasksRequest", ""},
	{"GetTaskDetailsRequest", XID},
	{"GetAllTaskDetailsRequest", ""},
	{"CreateDestinationRequest",
	 "<x:destinationDetails>" DID "<x:friendlyName>seed</x:friendlyName>"
	 "<x:deliveryType>X2Only</x:deliveryType><x:deliveryAddress><x:ipAddressAndPort>"
	 "<c:address><c:IPv4Address>192.0.2.1</c:IPv4Address></c:address>"
	 "<c:port><c:TCPPort>9000</c:TCPPort></c:port></x:ipAddressAndPort></x:deliveryAddress>"
	 "<x:destinationDetailsExtensions><x:Owner>CLIF</x:Owner><h:handover "
	 "xmlns:h=\"urn:clif:x1:handover:1\">x2x3</h:handover></x:destinationDetailsExtensions>"
	 "</x:destinationDetails>"},
	{"ModifyDestinationRequest",
	 "<x:destinationDetails>" DID "<x:deliveryType>X3Only</x:deliveryType><x:deliveryAddress>"
	 "<x:ipAddressAndPort><c:address><c:IPv6Address>2001:0db8:0000:0000:0000:0000:0000:0001"
	 "</c:IPv6Address></c:address><c:port><c:UDPPort>9001</c:UDPPort></c:port>"
	 "</x:ipAddressAndPort></x:deliveryAddress></x:destinationDetails>"},
	{"RemoveDestinationRequest", DID},
	{"RemoveAllDestinationsRequest", ""},
	{"GetDestinationDetailsRequest", DID},
	{"GetAllDestinationDetailsRequest", ""},
	{"GetNEStatusRequest", ""},
	{"GetAllDetailsRequest", ""},
	{"ListAllDetailsRequest", ""},
	{"PingRequest", ""},
	{"KeepaliveRequest", ""},
	{"CreateObjectRequest", "<x:object/>"},
	{"ReportNEIssueRequest", ""},
};

static int doc_of(char *out, size_t cap, unsigned first, unsigned n)
{
	int o = snprintf(out, cap,
			 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<x:X1Request xmlns:x=\"" NS_X1
			 "\" xmlns:c=\"" NS_C "\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">");
	for (unsigned i = 0; i < n; i++) {
		unsigned k = (first + i) % (sizeof(seed_msgs) / sizeof(seed_msgs[0]));
		o += snprintf(out + o, cap - (size_t)o,
			      "<x:x1RequestMessage xsi:type=\"x:%s\">" HDR "%s</x:x1RequestMessage>",
			      seed_msgs[k].type, seed_msgs[k].body);
	}
	o += snprintf(out + o, cap - (size_t)o, "</x:X1Request>\n");
	return o;
}


static int put(const char *dir, const char *name, const char *data, size_t len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (f == NULL || fwrite(data, 1, len, f) != len) {
		perror(path);
		if (f != NULL)
			fclose(f);
		return -1;
	}
	return fclose(f) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	static char doc[1 << 16];
	unsigned n = sizeof(seed_msgs) / sizeof(seed_msgs[0]);
	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	for (unsigned i = 0; i < n; i++) {
		char name[32];
		int len = doc_of(doc, sizeof(doc), i, 1);
		snprintf(name, sizeof(name), "seed-%02u", i);
		if (put(argv[1], name, doc, (size_t)len) != 0)
			return 1;
	}
	int len = doc_of(doc, sizeof(doc), 0, n < X1_MAX_MESSAGES ? n : X1_MAX_MESSAGES);
	if (put(argv[1], "seed-multi", doc, (size_t)len) != 0)
		return 1;
	static const char *const words[] = {
		"<!DOCTYPE", "<!ENTITY", "xmlns:", "xsi:type=\"", "urn:clif:x1:cloud-scope:1",
		"urn:clif:x1:handover:1", "handover", "x2x3", "ts102232", "destinationDetailsExtensions",
		NS_X1, NS_C, "X1Request", "x1RequestMessage", "taskDetails", "targetIdentifier",
		"ipv4Address", "ipv6Address", "ipv4Cidr", "ipv6Cidr", "IPv4CIDR", "IPv6CIDR",
		"macAddress", "tcpPortRange", "udpPortRange", "start", "end", "deliveryType",
		"listOfDIDs", "dSId", "listOfMediationDetails", "mediationDetails", "LIID",
		"StartTime", "correlationID", "implicitDeactivationAllowed", "productID",
		"listOfServiceTypes", "serviceType", "taskDetailsExtensions", "Owner", "cloudScope",
		"vni", "vlan", "vport", "destinationDetails", "friendlyName", "deliveryAddress",
		"ipAddressAndPort", "address", "port", "TCPPort", "UDPPort", "IPv4Address",
		"IPv6Address", "uri", "X2andX3", "HI2Only", "CLIF", "e164Number",
	};
	char dict[8192];
	int o = 0;
	for (unsigned i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		o += snprintf(dict + o, sizeof(dict) - (size_t)o, "\"%s\"\n", words[i]);
	/* the dictionary sits next to the corpus, not in it */
	char parent[512];
	snprintf(parent, sizeof(parent), "%s/..", argv[1]);
	return put(parent, "x1.dict", dict, (size_t)o) == 0 ? 0 : 1;
}

#else

#include <libxml/parser.h>

#define MUST(cond)                                                                            \
	do {                                                                                  \
		if (!(cond)) {                                                                \
			fprintf(stderr, "fuzz-x1: invariant failed: %s (line %d)\n", #cond,   \
				__LINE__);                                                    \
			abort();                                                              \
		}                                                                             \
	} while (0)

static struct x1_request req, again;

static void well_formed(const char *text, size_t len)
{
	xmlDocPtr doc = xmlReadMemory(text, (int)len, NULL, NULL,
				      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	MUST(doc != NULL);
	xmlFreeDoc(doc);
}

/* A stored task and destination for the Get... answers. */
static struct clifd_task fixed_task;
static struct clifd_destination fixed_dest;

static void init_fixed(void)
{
	memset(&fixed_task, 0, sizeof(fixed_task));
	fixed_task.xid[0] = 1;
	fixed_task.n_targets = 1;
	fixed_task.targets[0].kind = CLIFD_TGT_IPV4;
	fixed_task.targets[0].prefix_len = 32;
	fixed_task.delivery = CLIFD_X2_AND_X3;
	fixed_task.n_dids = 1;
	memset(&fixed_dest, 0, sizeof(fixed_dest));
	fixed_dest.delivery = CLIFD_X2_ONLY;
	fixed_dest.ip_len = 4;
	fixed_dest.port = 80;
	fixed_dest.transport = CLIFD_TRANSPORT_TCP;
}

/* The parsed task written as taskDetails and read back must be the same task. */
static void round_trip(const struct x1_msg *m)
{
	struct x1_msg get = *m;
	struct x1_task_status st = {&m->task, X1_PROV_COMPLETE, NULL, 0};
	char *out = NULL, *doc = NULL;
	size_t len = 0;
	get.type = X1_MSG_GET_TASK_DETAILS;
	struct x1_response *r = x1_response_new("ne", "v1.13.1");
	MUST(r != NULL);
	MUST(x1_resp_task_details(r, &get, &st) == 0);
	MUST(x1_response_finish(r, &out, &len) == 0);
	x1_response_free(r);
	const char *a = strstr(out, "<x1:taskDetails>"), *b = strstr(out, "</x1:taskDetails>");
	MUST(a != NULL && b != NULL);
	size_t cap = len + 1024;
	doc = malloc(cap);
	MUST(doc != NULL);
	int n = snprintf(doc, cap,
			 "<x1:X1Request xmlns:x1=\"" NS_X1 "\" xmlns:c=\"" NS_C "\" xmlns:x=\"" NS_X1
			 "\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
			 "<x1:x1RequestMessage xsi:type=\"x1:ActivateTaskRequest\">" HDR "%.*s"
			 "</x1:x1RequestMessage></x1:X1Request>",
			 (int)(b - a + (long)strlen("</x1:taskDetails>")), a);
	MUST(x1_parse_request(doc, (size_t)n, &again) == 0);
	MUST(again.n_msgs == 1 && again.msgs[0].error == X1_OK);
	MUST(memcmp(&again.msgs[0].task, &m->task, sizeof(m->task)) == 0);
	free(doc);
	free(out);
}

static void answer(struct x1_response *r, const struct x1_msg *m, int *tripped)
{
	struct x1_task_status ts = {&fixed_task, X1_PROV_AWAITING, NULL, 0};
	struct x1_dest_status ds = {&fixed_dest, X1_DEST_ACTIVE, NULL, 0};
	struct x1_fault f = {X1_E_GENERIC, "fault"};
	struct x1_ne_status ne = {X1_NE_FAULTS, &f, 1};
	const uint8_t ids[1][16] = {{0}};
	int rc = 0;
	switch (m->type) {
	case X1_MSG_ACTIVATE_TASK:
	case X1_MSG_MODIFY_TASK: {
		struct x1_msg get = *m;
		struct x1_task_status st = {&m->task, X1_PROV_COMPLETE, NULL, 0};
		get.type = X1_MSG_GET_TASK_DETAILS;
		MUST(x1_resp_ok(r, m) == 0);
		rc = x1_resp_task_details(r, &get, &st);
		if (!*tripped) {
			*tripped = 1;
			round_trip(m);
		}
		break;
	}
	case X1_MSG_CREATE_DESTINATION:
	case X1_MSG_MODIFY_DESTINATION: {
		struct x1_msg get = *m;
		struct x1_dest_status st = {&m->dest, X1_DEST_FAULT, &f, 1};
		get.type = X1_MSG_GET_DESTINATION_DETAILS;
		MUST(x1_resp_ok(r, m) == 0);
		rc = x1_resp_dest_details(r, &get, &st);
		break;
	}
	case X1_MSG_GET_TASK_DETAILS:
		rc = x1_resp_task_details(r, m, &ts);
		break;
	case X1_MSG_GET_ALL_TASK_DETAILS:
		rc = x1_resp_all_task_details(r, m, &ts, 1);
		break;
	case X1_MSG_GET_DESTINATION_DETAILS:
		rc = x1_resp_dest_details(r, m, &ds);
		break;
	case X1_MSG_GET_ALL_DESTINATION_DETAILS:
		rc = x1_resp_all_dest_details(r, m, &ds, 1);
		break;
	case X1_MSG_GET_NE_STATUS:
		rc = x1_resp_ne_status(r, m, &ne);
		break;
	case X1_MSG_GET_ALL_DETAILS:
		rc = x1_resp_all_details(r, m, &ne, &ts, 1, &ds, 1);
		break;
	case X1_MSG_LIST_ALL_DETAILS:
		rc = x1_resp_list_all(r, m, ids, 1, ids, 1);
		break;
	case X1_MSG_GENERIC:
		rc = x1_resp_error(r, m, X1_E_GENERIC_OBJECT, NULL);
		break;
	case X1_MSG_UNKNOWN:
		MUST(0); /* UNKNOWN always carries an error */
		break;
	default:
		rc = x1_resp_ok(r, m);
		break;
	}
	MUST(rc == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int inited;
	char *out = NULL;
	size_t len = 0;
	if (!inited) {
		x1_init();
		init_fixed();
		inited = 1;
	}
	int rc = x1_parse_request((const char *)data, size, &req);
	if (rc != X1_OK) {
		MUST(rc == X1_E_SYNTAX || rc == X1_E_GENERIC);
		MUST(req.n_msgs == 0 && req.error_desc != NULL);
		MUST(x1_build_top_level_error("", "ne", "v1.13.1", &out, &len) == 0);
		well_formed(out, len);
		free(out);
		return 0;
	}
	MUST(req.n_msgs >= 1 && req.n_msgs <= X1_MAX_MESSAGES);
	struct x1_response *r = x1_response_new("ne-fuzz", "v1.13.1");
	MUST(r != NULL);
	int tripped = 0;
	for (unsigned i = 0; i < req.n_msgs; i++) {
		const struct x1_msg *m = &req.msgs[i];
		MUST((m->error == X1_OK) == (m->error_desc == NULL));
		MUST(m->request_type[0] != '\0');
		if (m->error == X1_OK)
			answer(r, m, &tripped);
		else
			MUST(x1_resp_ok(r, m) == -EINVAL);
		MUST(x1_resp_error(r, m, m->error != X1_OK ? m->error : X1_E_GENERIC,
				   m->error_desc) == 0);
	}
	MUST(x1_response_finish(r, &out, &len) == 0);
	x1_response_free(r);
	well_formed(out, len);
	free(out);
	return 0;
}

#endif
