/* NE-to-ADMF reports (TS 103 221-1 clause 6.5): the X1Request documents clifd POSTs to the
 * ADMF when a task, a destination or the NE itself has an issue, and the reading of the
 * ADMF's answer. */
#include "x1_build.h"

#include <errno.h>
#include <string.h>

#include <openssl/rand.h>

static const char *report_type_name(enum x1_report_type t)
{
	switch (t) {
	case X1_REPORT_ALL_CLEAR: return "AllClear";
	case X1_REPORT_WARNING: return "Warning";
	case X1_REPORT_NON_TERMINATING_FAULT: return "NonTerminatingFault";
	case X1_REPORT_TERMINATING_FAULT: return "TerminatingFault";
	case X1_REPORT_IMPLICIT_DEACTIVATION: return "ImplicitDeactivation";
	case X1_REPORT_FULLY_ACTIONED_SUCCESSFUL: return "FullyActionedAndSuccessful";
	case X1_REPORT_FULLY_ACTIONED_UNSUCCESSFUL: return "FullyActionedAndUnsuccessful";
	default: return NULL;
	}
}

static const char *ne_issue_name(enum x1_ne_issue_type t)
{
	switch (t) {
	case X1_NE_ISSUE_WARNING: return "Warning";
	case X1_NE_ISSUE_FAULT_CLEARED: return "FaultCleared";
	case X1_NE_ISSUE_FAULT_REPORT: return "FaultReport";
	case X1_NE_ISSUE_ALERT: return "Alert";
	default: return NULL;
	}
}

/* Opens the X1Request and its one message, after a fresh version 4 UUID for hdr->txid. */
static int begin_report(struct x1_doc *d, struct x1_report_hdr *hdr, const char *type)
{
	if (RAND_bytes(hdr->txid, sizeof(hdr->txid)) != 1)
		return -EIO;
	hdr->txid[6] = (uint8_t)((hdr->txid[6] & 0x0f) | 0x40);
	hdr->txid[8] = (uint8_t)((hdr->txid[8] & 0x3f) | 0x80);
	if (x1_doc_begin(d, "x1:X1Request") != 0)
		return -ENOMEM;
	x1_start(d, "x1:x1RequestMessage");
	x1_attr(d, "xsi:type", type);
	x1_header(d, hdr->admf_id, hdr->ne_id, hdr->version, hdr->txid);
	return 0;
}

static int end_report(struct x1_doc *d, char **out, size_t *out_len)
{
	x1_stop(d);
	int rc = x1_doc_finish(d, out, out_len);
	x1_doc_free(d);
	return rc;
}

static int hdr_ok(const struct x1_report_hdr *hdr, char **out, size_t *out_len)
{
	return hdr != NULL && hdr->admf_id != NULL && hdr->ne_id != NULL && hdr->version != NULL &&
	       out != NULL && out_len != NULL;
}

/* The two issue reports share a shape: id, report type, optional code, optional details. */
static int issue_report(struct x1_report_hdr *hdr, const char *xsi_type, const char *id_name,
			const uint8_t id[16], const char *type_name, const char *code_name,
			const char *details_name, enum x1_report_type type, int code,
			const char *details, char **out, size_t *out_len)
{
	struct x1_doc d;
	const char *tname = report_type_name(type);
	if (!hdr_ok(hdr, out, out_len) || id == NULL || tname == NULL || code < 0)
		return -EINVAL;
	int rc = begin_report(&d, hdr, xsi_type);
	if (rc != 0)
		return rc;
	x1_leaf_uuid(&d, id_name, id);
	x1_leaf(&d, type_name, tname);
	if (code != 0)
		x1_leaf_int(&d, code_name, code);
	if (details != NULL)
		x1_leaf(&d, details_name, details);
	return end_report(&d, out, out_len);
}

int x1_build_report_task_issue(struct x1_report_hdr *hdr, const uint8_t xid[16],
			       enum x1_report_type type, int code, const char *details,
			       char **out, size_t *out_len)
{
	return issue_report(hdr, "x1:ReportTaskIssueRequest", "x1:xId", xid, "x1:taskReportType",
			    "x1:taskIssueErrorCode", "x1:taskIssueDetails", type, code, details,
			    out, out_len);
}

int x1_build_report_destination_issue(struct x1_report_hdr *hdr, const uint8_t did[16],
				      enum x1_report_type type, int code, const char *details,
				      char **out, size_t *out_len)
{
	return issue_report(hdr, "x1:ReportDestinationIssueRequest", "x1:dId", did,
			    "x1:destinationReportType", "x1:destinationIssueErrorCode",
			    "x1:destinationIssueDetails", type, code, details, out, out_len);
}

int x1_build_report_ne_issue(struct x1_report_hdr *hdr, enum x1_ne_issue_type type,
			     const char *description, int code, char **out, size_t *out_len)
{
	struct x1_doc d;
	const char *tname = ne_issue_name(type);
	if (!hdr_ok(hdr, out, out_len) || tname == NULL || description == NULL || code < 0)
		return -EINVAL;
	int rc = begin_report(&d, hdr, "x1:ReportNEIssueRequest");
	if (rc != 0)
		return rc;
	x1_leaf(&d, "x1:typeOfNeIssueMessage", tname);
	x1_leaf(&d, "x1:description", description);
	if (code != 0)
		x1_leaf_int(&d, "x1:issueCode", code);
	return end_report(&d, out, out_len);
}

/* The answer carried by one x1ResponseMessage for txid: 0 (oK), an errorCode, X1_E_SYNTAX, or
 * -1 when the message is for another transaction. */
static int answer_of(xmlNode *m, const uint8_t txid[16])
{
	static const char *const header[] = {"admfIdentifier", "neIdentifier", "messageTimestamp",
					     "version", "x1TransactionId"};
	struct x1_errs e = {0};
	struct x1_cur c;
	char buf[48];
	uint8_t id[16];
	uint64_t v = 0;
	xmlNode *n = NULL, *tx = NULL;
	x1_cur_init(&c, m, &e);
	for (unsigned i = 0; i < 5; i++) {
		n = x1_need(&c, X1_NS, header[i], "bad header");
		if (n == NULL)
			return X1_E_SYNTAX;
		tx = n;
	}
	if (x1_text(tx, X1_WS_COLLAPSE, buf, sizeof(buf), &e, "bad id") != 0 ||
	    x1_lex_uuid(buf, id) != 0)
		return X1_E_SYNTAX;
	if (memcmp(id, txid, 16) != 0)
		return -1;
	if ((n = x1_take(&c, X1_NS, "oK")) != NULL) {
		if (x1_text(n, X1_WS_PRESERVE, buf, sizeof(buf), &e, "bad oK") != 0 ||
		    (strcmp(buf, "AcknowledgedAndCompleted") != 0 && strcmp(buf, "Acknowledged") != 0))
			return X1_E_SYNTAX;
		x1_end(&c);
		return e.syn == NULL ? 0 : X1_E_SYNTAX;
	}
	if (x1_need(&c, X1_NS, "requestMessageType", "bad error") == NULL ||
	    (n = x1_need(&c, X1_NS, "errorInformation", "bad error")) == NULL)
		return X1_E_SYNTAX;
	struct x1_cur ci;
	x1_cur_init(&ci, n, &e);
	n = x1_need(&ci, X1_NS, "errorCode", "bad error");
	if (n == NULL || x1_text(n, X1_WS_COLLAPSE, buf, sizeof(buf), &e, "bad error") != 0 ||
	    x1_lex_uint(buf, INT32_MAX, &v) != 0 || v == 0)
		return X1_E_SYNTAX;
	return (int)v;
}

int x1_parse_report_response(const char *body, size_t len, const uint8_t txid[16])
{
	int code = X1_E_SYNTAX;
	const char *desc;
	if (body == NULL || txid == NULL)
		return X1_E_SYNTAX;
	xmlDocPtr doc = x1_xml_read(body, len, &code, &desc);
	if (doc == NULL)
		return X1_E_SYNTAX;
	xmlNode *root = xmlDocGetRootElement(doc);
	int result = X1_E_SYNTAX;
	if (x1_is(root, X1_NS, "X1Response")) {
		for (xmlNode *m = root->children; m != NULL; m = m->next) {
			if (!x1_is(m, X1_NS, "x1ResponseMessage"))
				continue;
			int r = answer_of(m, txid);
			if (r >= 0) {
				result = r;
				break;
			}
		}
	}
	xmlFreeDoc(doc);
	return result;
}
