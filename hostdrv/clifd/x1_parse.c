/* X1Request documents: the container, each x1RequestMessage's xsi:type and header, and the
 * dispatch to the payload readers. */
#include "x1_int.h"

#include <string.h>

#include <libxml/parser.h>

static const struct {
	const char *local; /* xsi:type local name */
	enum x1_msg_type type;
} request_types[] = {
	{"ActivateTaskRequest", X1_MSG_ACTIVATE_TASK},
	{"ModifyTaskRequest", X1_MSG_MODIFY_TASK},
	{"DeactivateTaskRequest", X1_MSG_DEACTIVATE_TASK},
	{"DeactivateAllTasksRequest", X1_MSG_DEACTIVATE_ALL_TASKS},
	{"GetTaskDetailsRequest", X1_MSG_GET_TASK_DETAILS},
	{"GetAllTaskDetailsRequest", X1_MSG_GET_ALL_TASK_DETAILS},
	{"CreateDestinationRequest", X1_MSG_CREATE_DESTINATION},
	{"ModifyDestinationRequest", X1_MSG_MODIFY_DESTINATION},
	{"RemoveDestinationRequest", X1_MSG_REMOVE_DESTINATION},
	{"RemoveAllDestinationsRequest", X1_MSG_REMOVE_ALL_DESTINATIONS},
	{"GetDestinationDetailsRequest", X1_MSG_GET_DESTINATION_DETAILS},
	{"GetAllDestinationDetailsRequest", X1_MSG_GET_ALL_DESTINATION_DETAILS},
	{"GetNEStatusRequest", X1_MSG_GET_NE_STATUS},
	{"GetAllDetailsRequest", X1_MSG_GET_ALL_DETAILS},
	{"ListAllDetailsRequest", X1_MSG_LIST_ALL_DETAILS},
	{"PingRequest", X1_MSG_PING},
	{"KeepaliveRequest", X1_MSG_KEEPALIVE},
	{"CreateObjectRequest", X1_MSG_GENERIC},
	{"ModifyObjectRequest", X1_MSG_GENERIC},
	{"GetObjectRequest", X1_MSG_GENERIC},
	{"DeleteObjectRequest", X1_MSG_GENERIC},
	{"ListObjectsOfTypeRequest", X1_MSG_GENERIC},
	{"DeleteAllObjectsRequest", X1_MSG_GENERIC},
	{"GetAllGenericObjectDetailsRequest", X1_MSG_GENERIC},
	/* requests only an ADMF serves */
	{"ReportTaskIssueRequest", X1_MSG_UNKNOWN},
	{"ReportDestinationIssueRequest", X1_MSG_UNKNOWN},
	{"ReportNEIssueRequest", X1_MSG_UNKNOWN},
};

const char *x1_msg_type_name(enum x1_msg_type type)
{
	static const char *const names[X1_MSG_TYPE_COUNT] = {
		[X1_MSG_UNKNOWN] = "Unknown",
		[X1_MSG_ACTIVATE_TASK] = "ActivateTask",
		[X1_MSG_MODIFY_TASK] = "ModifyTask",
		[X1_MSG_DEACTIVATE_TASK] = "DeactivateTask",
		[X1_MSG_DEACTIVATE_ALL_TASKS] = "DeactivateAllTasks",
		[X1_MSG_GET_TASK_DETAILS] = "GetTaskDetails",
		[X1_MSG_GET_ALL_TASK_DETAILS] = "GetAllTaskDetails",
		[X1_MSG_CREATE_DESTINATION] = "CreateDestination",
		[X1_MSG_MODIFY_DESTINATION] = "ModifyDestination",
		[X1_MSG_REMOVE_DESTINATION] = "RemoveDestination",
		[X1_MSG_REMOVE_ALL_DESTINATIONS] = "RemoveAllDestinations",
		[X1_MSG_GET_DESTINATION_DETAILS] = "GetDestinationDetails",
		[X1_MSG_GET_ALL_DESTINATION_DETAILS] = "GetAllDestinationDetails",
		[X1_MSG_GET_NE_STATUS] = "GetNEStatus",
		[X1_MSG_GET_ALL_DETAILS] = "GetAllDetails",
		[X1_MSG_LIST_ALL_DETAILS] = "ListAllDetails",
		[X1_MSG_PING] = "Ping",
		[X1_MSG_KEEPALIVE] = "Keepalive",
		[X1_MSG_GENERIC] = "GenericObject",
	};
	if ((unsigned)type >= X1_MSG_TYPE_COUNT)
		return "Unknown";
	return names[type];
}

/* Resolves xsi:type against the namespaces in scope at m. */
static void resolve_type(xmlNode *m, struct x1_msg *msg, struct x1_errs *e)
{
	static const char extended[] = "ExtendedRequestMessageType";
	char qname[96];
	msg->type = X1_MSG_UNKNOWN;
	memcpy(msg->request_type, extended, sizeof(extended));
	xmlChar *attr = xmlGetNsProp(m, (const xmlChar *)"type", (const xmlChar *)X1_NS_XSI);
	if (attr == NULL) {
		x1_syn(e, "message without xsi:type");
		return;
	}
	/* QName: whitespace collapsed, then prefix:local or local (default namespace) */
	const char *s = (const char *)attr;
	size_t a = 0, b = strlen(s);
	while (a < b && (s[a] == ' ' || s[a] == '\t' || s[a] == '\r' || s[a] == '\n'))
		a++;
	while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r' || s[b - 1] == '\n'))
		b--;
	if (b - a >= sizeof(qname)) {
		xmlFree(attr);
		x1_syn(e, "unknown request type");
		return;
	}
	memcpy(qname, s + a, b - a);
	qname[b - a] = '\0';
	xmlFree(attr);
	char *colon = strchr(qname, ':');
	const char *local = qname;
	const xmlChar *prefix = NULL;
	if (colon != NULL) {
		*colon = '\0';
		prefix = (const xmlChar *)qname;
		local = colon + 1;
	}
	xmlNsPtr ns = xmlSearchNs(m->doc, m, prefix);
	if (ns == NULL || strcmp((const char *)ns->href, X1_NS) != 0) {
		x1_syn(e, "unknown request type");
		return;
	}
	for (unsigned i = 0; i < sizeof(request_types) / sizeof(request_types[0]); i++) {
		if (strcmp(local, request_types[i].local) != 0)
			continue;
		msg->type = request_types[i].type;
		size_t n = strlen(local) - strlen("Request");
		memcpy(msg->request_type, local, n);
		msg->request_type[n] = '\0';
		if (msg->type == X1_MSG_UNKNOWN)
			x1_sem(e, X1_E_GENERIC, "request type not served by a network element");
		return;
	}
	x1_syn(e, "unknown request type");
}

/* A header token into out (cap bytes); "" and a syntax error when too long or not text. */
static int header_token(xmlNode *n, char *out, size_t cap, struct x1_errs *e, const char *desc)
{
	int r = x1_text(n, X1_WS_COLLAPSE, out, cap, e, desc);
	if (r != 0) {
		x1_syn(e, desc);
		out[0] = '\0';
		return -1;
	}
	return 0;
}

static void parse_header(struct x1_cur *c, struct x1_msg *msg, struct x1_errs *e)
{
	xmlNode *n;
	char buf[64];
	if ((n = x1_need(c, X1_NS, "admfIdentifier", "missing admfIdentifier")) != NULL)
		header_token(n, msg->admf_id, sizeof(msg->admf_id), e, "invalid admfIdentifier");
	if ((n = x1_need(c, X1_NS, "neIdentifier", "missing neIdentifier")) != NULL)
		header_token(n, msg->ne_id, sizeof(msg->ne_id), e, "invalid neIdentifier");
	if ((n = x1_need(c, X1_NS, "messageTimestamp", "missing messageTimestamp")) != NULL &&
	    header_token(n, msg->timestamp, sizeof(msg->timestamp), e,
			 "invalid messageTimestamp") == 0 &&
	    x1_lex_timestamp(msg->timestamp) != 0) {
		x1_syn(e, "invalid messageTimestamp");
		msg->timestamp[0] = '\0';
	}
	if ((n = x1_need(c, X1_NS, "version", "missing version")) != NULL) {
		/* xs:string: no whitespace folding before the pattern */
		int r = x1_text(n, X1_WS_PRESERVE, buf, sizeof(buf), e, "invalid version");
		if (r != 0 || x1_lex_version(buf, &msg->version_minor, &msg->version_patch) != 0) {
			x1_syn(e, "invalid version");
		} else if (strlen(buf) > X1_VERSION_MAX) {
			x1_sem(e, X1_E_VERSION, "unsupported version");
		} else {
			memcpy(msg->version, buf, strlen(buf) + 1);
		}
	}
	if ((n = x1_need(c, X1_NS, "x1TransactionId", "missing x1TransactionId")) != NULL) {
		int r = x1_text(n, X1_WS_COLLAPSE, buf, sizeof(buf), e, "invalid x1TransactionId");
		if (r != 0 || x1_lex_uuid(buf, msg->txid) != 0) {
			x1_syn(e, "invalid x1TransactionId");
			memset(msg->txid, 0, sizeof(msg->txid));
		} else {
			msg->has_txid = 1;
		}
	}
}

/* A payload that is one UUID element. */
static void parse_id(struct x1_cur *c, const char *name, uint8_t out[16], struct x1_errs *e,
		     const char *missing, const char *bad)
{
	char buf[48];
	xmlNode *n = x1_need(c, X1_NS, name, missing);
	if (n == NULL)
		return;
	int r = x1_text(n, X1_WS_COLLAPSE, buf, sizeof(buf), e, bad);
	if (r != 0 || x1_lex_uuid(buf, out) != 0)
		x1_syn(e, bad);
}

static void parse_msg(xmlNode *m, struct x1_msg *msg)
{
	struct x1_errs e = {0};
	struct x1_cur c;
	xmlNode *n;
	memset(msg, 0, sizeof(*msg));
	resolve_type(m, msg, &e);
	x1_cur_init(&c, m, &e);
	parse_header(&c, msg, &e);
	switch (msg->type) {
	case X1_MSG_ACTIVATE_TASK:
	case X1_MSG_MODIFY_TASK:
		if ((n = x1_need(&c, X1_NS, "taskDetails", "missing taskDetails")) != NULL)
			x1_parse_task(n, &msg->task,
				      msg->type == X1_MSG_ACTIVATE_TASK ? X1_E_ACTIVATE : X1_E_MODIFY,
				      &e);
		x1_end(&c);
		break;
	case X1_MSG_DEACTIVATE_TASK:
	case X1_MSG_GET_TASK_DETAILS:
		parse_id(&c, "xId", msg->xid, &e, "missing xId", "invalid xId");
		x1_end(&c);
		break;
	case X1_MSG_CREATE_DESTINATION:
	case X1_MSG_MODIFY_DESTINATION:
		if ((n = x1_need(&c, X1_NS, "destinationDetails", "missing destinationDetails")) !=
		    NULL)
			x1_parse_dest(n, &msg->dest,
				      msg->type == X1_MSG_CREATE_DESTINATION ? X1_E_CREATE_DEST
									     : X1_E_MODIFY_DEST,
				      &e);
		x1_end(&c);
		break;
	case X1_MSG_REMOVE_DESTINATION:
	case X1_MSG_GET_DESTINATION_DETAILS:
		parse_id(&c, "dId", msg->did, &e, "missing dId", "invalid dId");
		x1_end(&c);
		break;
	case X1_MSG_GENERIC:
	case X1_MSG_UNKNOWN:
		break; /* content not read: answered with an error anyway */
	default:
		x1_end(&c); /* the requests with an empty sequence */
		break;
	}
	if (e.syn != NULL) {
		msg->error = X1_E_SYNTAX;
		msg->error_desc = e.syn;
	} else if (e.sem != 0) {
		msg->error = e.sem;
		msg->error_desc = e.sem_desc;
	}
}

int x1_parse_request(const char *body, size_t len, struct x1_request *req)
{
	int code = X1_E_GENERIC;
	if (req == NULL)
		return X1_E_GENERIC;
	req->n_msgs = 0;
	req->error_desc = "invalid arguments";
	if (body == NULL)
		return X1_E_GENERIC;
	xmlDocPtr doc = x1_xml_read(body, len, &code, &req->error_desc);
	if (doc == NULL)
		return code;
	xmlNode *root = xmlDocGetRootElement(doc);
	struct x1_errs e = {0};
	struct x1_cur c;
	xmlNode *msgs[X1_MAX_MESSAGES], *n;
	unsigned count = 0;
	code = X1_E_SYNTAX;
	if (!x1_is(root, X1_NS, "X1Request")) {
		req->error_desc = "root element is not an X1Request";
		goto out;
	}
	x1_cur_init(&c, root, &e);
	while ((n = x1_peek(&c)) != NULL) {
		c.next = n->next;
		if (!x1_is(n, X1_NS, "x1RequestMessage")) {
			req->error_desc = "unexpected element in X1Request";
			goto out;
		}
		if (count == X1_MAX_MESSAGES) {
			req->error_desc = "too many messages in one request";
			goto out;
		}
		msgs[count++] = n;
	}
	if (e.syn != NULL) {
		req->error_desc = e.syn;
		goto out;
	}
	if (count == 0) {
		req->error_desc = "request without messages";
		goto out;
	}
	for (unsigned i = 0; i < count; i++)
		parse_msg(msgs[i], &req->msgs[i]);
	req->n_msgs = count;
	req->error_desc = NULL;
	code = X1_OK;
out:
	xmlFreeDoc(doc);
	return code;
}
