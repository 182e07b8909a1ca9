/* X1Response and X1TopLevelErrorResponse documents, written with libxml2's xmlTextWriter so
 * that escaping and encoding are libxml2's job. The X1 namespace is bound to "x1", TS 103 280
 * to "c" and XML Schema instance to "xsi" once, on the root element. */
#define _POSIX_C_SOURCE 200809L
#include "x1_build.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlwriter.h>

struct x1_response {
	struct x1_doc doc;
	char *ne_id;
	char *version;
	unsigned n_msgs;
};

/* ---- the writer shared with x1_report.c ---- */

int x1_doc_begin(struct x1_doc *d, const char *root)
{
	x1_init();
	memset(d, 0, sizeof(*d));
	d->buf = xmlBufferCreate();
	if (d->buf == NULL)
		return -ENOMEM;
	d->w = xmlNewTextWriterMemory(d->buf, 0);
	if (d->w == NULL) {
		xmlBufferFree(d->buf);
		d->buf = NULL;
		return -ENOMEM;
	}
	xmlTextWriterSetIndent(d->w, 1);
	xmlTextWriterSetIndentString(d->w, (const xmlChar *)"  ");
	if (xmlTextWriterStartDocument(d->w, NULL, "UTF-8", NULL) < 0 ||
	    xmlTextWriterStartElement(d->w, (const xmlChar *)root) < 0 ||
	    xmlTextWriterWriteAttribute(d->w, (const xmlChar *)"xmlns:x1",
					(const xmlChar *)X1_NS) < 0 ||
	    xmlTextWriterWriteAttribute(d->w, (const xmlChar *)"xmlns:c",
					(const xmlChar *)X1_NS_COMMON) < 0 ||
	    xmlTextWriterWriteAttribute(d->w, (const xmlChar *)"xmlns:xsi",
					(const xmlChar *)X1_NS_XSI) < 0) {
		x1_doc_free(d);
		return -ENOMEM;
	}
	return 0;
}

void x1_doc_free(struct x1_doc *d)
{
	if (d->w != NULL)
		xmlFreeTextWriter(d->w);
	if (d->buf != NULL)
		xmlBufferFree(d->buf);
	d->w = NULL;
	d->buf = NULL;
}

int x1_doc_finish(struct x1_doc *d, char **out, size_t *out_len)
{
	if (d->failed)
		return -ENOMEM;
	if (xmlTextWriterEndDocument(d->w) < 0 || xmlTextWriterFlush(d->w) < 0) {
		d->failed = 1;
		return -ENOMEM;
	}
	size_t len = (size_t)xmlBufferLength(d->buf);
	char *copy = malloc(len + 1);
	if (copy == NULL)
		return -ENOMEM;
	memcpy(copy, xmlBufferContent(d->buf), len);
	copy[len] = '\0';
	*out = copy;
	*out_len = len;
	return 0;
}

void x1_start(struct x1_doc *d, const char *qname)
{
	if (!d->failed && xmlTextWriterStartElement(d->w, (const xmlChar *)qname) < 0)
		d->failed = 1;
}

void x1_attr(struct x1_doc *d, const char *qname, const char *value)
{
	if (!d->failed &&
	    xmlTextWriterWriteAttribute(d->w, (const xmlChar *)qname, (const xmlChar *)value) < 0)
		d->failed = 1;
}

void x1_stop(struct x1_doc *d)
{
	if (!d->failed && xmlTextWriterEndElement(d->w) < 0)
		d->failed = 1;
}

/* Length of the valid UTF-8 character at s (1..4), 0 if invalid. */
static size_t utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	size_t n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
	if (n == 0 || (s[0] >= 0xf0 && n != 4))
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	}
	uint32_t cp = n == 2 ? (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f)
		    : n == 3 ? (uint32_t)(s[0] & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f)
			     : (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3f) << 12 |
				       (uint32_t)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff) || cp >= 0xfffe)) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

void x1_leaf(struct x1_doc *d, const char *qname, const char *text)
{
	/* Caller-supplied text (descriptions, friendly names) may hold bytes XML cannot carry:
	 * control characters and invalid UTF-8 become '?'. */
	char small[256];
	size_t len = strlen(text);
	char *clean = len < sizeof(small) ? small : malloc(len + 1);
	if (clean == NULL) {
		d->failed = 1;
		return;
	}
	size_t o = 0;
	for (size_t i = 0; i < len;) {
		const unsigned char *s = (const unsigned char *)text + i;
		size_t n = utf8_len(s);
		if (n == 0 || (n == 1 && s[0] < 0x20 && s[0] != '\t' && s[0] != '\n') ||
		    s[0] == 0x7f) {
			clean[o++] = '?';
			i++;
			continue;
		}
		memcpy(clean + o, s, n);
		o += n;
		i += n;
	}
	clean[o] = '\0';
	if (!d->failed && xmlTextWriterWriteElement(d->w, (const xmlChar *)qname,
						    (const xmlChar *)clean) < 0)
		d->failed = 1;
	if (clean != small)
		free(clean);
}

void x1_leaf_uuid(struct x1_doc *d, const char *qname, const uint8_t id[16])
{
	char text[37];
	clifd_uuid_format(id, text);
	x1_leaf(d, qname, text);
}

void x1_leaf_uint(struct x1_doc *d, const char *qname, uint64_t v)
{
	char text[24];
	snprintf(text, sizeof(text), "%llu", (unsigned long long)v);
	x1_leaf(d, qname, text);
}

void x1_leaf_int(struct x1_doc *d, const char *qname, long long v)
{
	char text[24];
	snprintf(text, sizeof(text), "%lld", v);
	x1_leaf(d, qname, text);
}

void x1_header(struct x1_doc *d, const char *admf_id, const char *ne_id, const char *version,
	       const uint8_t *txid)
{
	char now[28];
	x1_fmt_now(now);
	x1_leaf(d, "x1:admfIdentifier", admf_id);
	x1_leaf(d, "x1:neIdentifier", ne_id);
	x1_leaf(d, "x1:messageTimestamp", now);
	x1_leaf(d, "x1:version", version);
	if (txid != NULL)
		x1_leaf_uuid(d, "x1:x1TransactionId", txid);
	else
		x1_leaf(d, "x1:x1TransactionId", X1_NIL_UUID);
}

/* ---- model -> XML ---- */

static const char *delivery_name(uint8_t v)
{
	switch (v) {
	case CLIFD_X2_ONLY: return "X2Only";
	case CLIFD_X3_ONLY: return "X3Only";
	case CLIFD_X2_AND_X3: return "X2andX3";
	default: return NULL;
	}
}

static const char *hi_delivery_name(uint8_t v)
{
	switch (v) {
	case CLIFD_HI2_ONLY: return "HI2Only";
	case CLIFD_HI3_ONLY: return "HI3Only";
	case CLIFD_HI2_AND_HI3: return "HI2andHI3";
	default: return NULL;
	}
}

static int check_target(const struct clifd_target *tg)
{
	switch (tg->kind) {
	case CLIFD_TGT_IPV4_CIDR:
		return tg->prefix_len <= 32 ? 0 : -1;
	case CLIFD_TGT_IPV6_CIDR:
		return tg->prefix_len >= 1 && tg->prefix_len <= 128 ? 0 : -1;
	case CLIFD_TGT_TCP_PORT:
	case CLIFD_TGT_TCP_PORT_RANGE:
		return tg->port_lo >= 2 && tg->port_lo <= tg->port_hi ? 0 : -1;
	case CLIFD_TGT_UDP_PORT:
	case CLIFD_TGT_UDP_PORT_RANGE:
		return tg->port_lo <= tg->port_hi ? 0 : -1;
	case CLIFD_TGT_IPV4:
	case CLIFD_TGT_IPV6:
	case CLIFD_TGT_MAC:
		return 0;
	default:
		return -1;
	}
}

int x1_check_task(const struct clifd_task *t)
{
	if (t == NULL || t->n_targets == 0 || t->n_targets > CLIFD_MAX_TARGETS ||
	    t->n_dids > CLIFD_MAX_DIDS || t->n_mediation > CLIFD_MAX_MEDIATION ||
	    delivery_name(t->delivery) == NULL || t->implicit_deactivation > 2)
		return -EINVAL;
	for (unsigned i = 0; i < t->n_targets; i++) {
		if (check_target(&t->targets[i]) != 0)
			return -EINVAL;
	}
	for (unsigned i = 0; i < t->n_mediation; i++) {
		const struct clifd_mediation *m = &t->mediation[i];
		if (hi_delivery_name(m->hi_delivery) == NULL || m->n_dids > CLIFD_MAX_DIDS ||
		    memchr(m->liid, '\0', sizeof(m->liid)) == NULL || m->liid[0] == '\0')
			return -EINVAL;
	}
	switch (t->scope_type) {
	case CLIF_SCOPE_ANY:
		return 0;
	case CLIF_SCOPE_VNI:
		return t->scope_value <= 16777215u ? 0 : -EINVAL;
	case CLIF_SCOPE_VLAN:
		return t->scope_value >= 1 && t->scope_value <= 4094 ? 0 : -EINVAL;
	case CLIF_SCOPE_VPORT:
		return t->scope_value <= 65535 ? 0 : -EINVAL;
	default:
		return -EINVAL;
	}
}

int x1_check_dest(const struct clifd_destination *dd)
{
	if (dd == NULL || delivery_name(dd->delivery) == NULL ||
	    (dd->ip_len != 4 && dd->ip_len != 16) ||
	    memchr(dd->friendly_name, '\0', sizeof(dd->friendly_name)) == NULL ||
	    (dd->transport == CLIFD_TRANSPORT_TCP ? dd->port < 2
						  : dd->transport != CLIFD_TRANSPORT_UDP) ||
	    (dd->handover != CLIFD_HANDOVER_TS102232 && dd->handover != CLIFD_HANDOVER_X2X3))
		return -EINVAL;
	return 0;
}

static void put_target(struct x1_doc *d, const struct clifd_target *tg)
{
	char text[48], addr[40];
	x1_start(d, "x1:targetIdentifier");
	switch (tg->kind) {
	case CLIFD_TGT_IPV4:
		x1_fmt_ipv4(tg->addr, addr);
		x1_leaf(d, "x1:ipv4Address", addr);
		break;
	case CLIFD_TGT_IPV6:
		x1_fmt_ipv6(tg->addr, addr);
		x1_leaf(d, "x1:ipv6Address", addr);
		break;
	case CLIFD_TGT_IPV4_CIDR:
		x1_fmt_ipv4(tg->addr, addr);
		snprintf(text, sizeof(text), "%s/%u", addr, tg->prefix_len);
		x1_start(d, "x1:ipv4Cidr");
		x1_leaf(d, "c:IPv4CIDR", text);
		x1_stop(d);
		break;
	case CLIFD_TGT_IPV6_CIDR:
		x1_fmt_ipv6(tg->addr, addr);
		snprintf(text, sizeof(text), "%s/%u", addr, tg->prefix_len);
		x1_leaf(d, "x1:ipv6Cidr", text);
		break;
	case CLIFD_TGT_MAC:
		x1_fmt_mac(tg->addr, addr);
		x1_leaf(d, "x1:macAddress", addr);
		break;
	case CLIFD_TGT_TCP_PORT:
		x1_leaf_uint(d, "x1:tcpPort", tg->port_lo);
		break;
	case CLIFD_TGT_UDP_PORT:
		x1_leaf_uint(d, "x1:udpPort", tg->port_lo);
		break;
	default:
		x1_start(d, tg->kind == CLIFD_TGT_TCP_PORT_RANGE ? "x1:tcpPortRange"
								 : "x1:udpPortRange");
		x1_leaf_uint(d, "c:start", tg->port_lo);
		x1_leaf_uint(d, "c:end", tg->port_hi);
		x1_stop(d);
		break;
	}
	x1_stop(d);
}

static void put_dids(struct x1_doc *d, const uint8_t (*dids)[16], unsigned n)
{
	x1_start(d, "x1:listOfDIDs");
	for (unsigned i = 0; i < n; i++)
		x1_leaf_uuid(d, "x1:dId", dids[i]);
	x1_stop(d);
}

static void put_scope(struct x1_doc *d, const struct clifd_task *t)
{
	static const char *const names[] = {
		[CLIF_SCOPE_VPORT] = "cs:vport", [CLIF_SCOPE_VLAN] = "cs:vlan",
		[CLIF_SCOPE_VNI] = "cs:vni"};
	x1_start(d, "x1:taskDetailsExtensions");
	x1_leaf(d, "x1:Owner", X1_CLOUD_SCOPE_OWNER);
	x1_start(d, "cs:cloudScope");
	x1_attr(d, "xmlns:cs", X1_CLOUD_SCOPE_NS);
	x1_leaf_uint(d, names[t->scope_type], t->scope_value);
	x1_stop(d);
	x1_stop(d);
}

void x1_put_task(struct x1_doc *d, const struct clifd_task *t)
{
	x1_start(d, "x1:taskDetails");
	x1_leaf_uuid(d, "x1:xId", t->xid);
	x1_start(d, "x1:targetIdentifiers");
	for (unsigned i = 0; i < t->n_targets; i++)
		put_target(d, &t->targets[i]);
	x1_stop(d);
	x1_leaf(d, "x1:deliveryType", delivery_name(t->delivery));
	put_dids(d, (const uint8_t (*)[16])t->dids, t->n_dids);
	if (t->n_mediation > 0) {
		x1_start(d, "x1:listOfMediationDetails");
		for (unsigned i = 0; i < t->n_mediation; i++) {
			const struct clifd_mediation *m = &t->mediation[i];
			x1_start(d, "x1:mediationDetails");
			x1_leaf(d, "x1:LIID", m->liid);
			x1_leaf(d, "x1:deliveryType", hi_delivery_name(m->hi_delivery));
			if (m->n_dids > 0)
				put_dids(d, (const uint8_t (*)[16])m->dids, m->n_dids);
			x1_stop(d);
		}
		x1_stop(d);
	}
	if (t->has_correlation)
		x1_leaf_uint(d, "x1:correlationID", t->correlation_id);
	if (t->implicit_deactivation != 0)
		x1_leaf(d, "x1:implicitDeactivationAllowed",
			t->implicit_deactivation == 2 ? "true" : "false");
	if (t->scope_type != CLIF_SCOPE_ANY)
		put_scope(d, t);
	x1_stop(d);
}

void x1_put_dest(struct x1_doc *d, const struct clifd_destination *dd)
{
	char addr[40];
	x1_start(d, "x1:destinationDetails");
	x1_leaf_uuid(d, "x1:dId", dd->did);
	if (dd->friendly_name[0] != '\0')
		x1_leaf(d, "x1:friendlyName", dd->friendly_name);
	x1_leaf(d, "x1:deliveryType", delivery_name(dd->delivery));
	x1_start(d, "x1:deliveryAddress");
	x1_start(d, "x1:ipAddressAndPort");
	x1_start(d, "c:address");
	if (dd->ip_len == 4) {
		x1_fmt_ipv4(dd->ip, addr);
		x1_leaf(d, "c:IPv4Address", addr);
	} else {
		x1_fmt_ipv6(dd->ip, addr);
		x1_leaf(d, "c:IPv6Address", addr);
	}
	x1_stop(d);
	x1_start(d, "c:port");
	x1_leaf_uint(d, dd->transport == CLIFD_TRANSPORT_TCP ? "c:TCPPort" : "c:UDPPort", dd->port);
	x1_stop(d);
	x1_stop(d);
	x1_stop(d);
	/* the default is left implicit, as a request without the extension gave it */
	if (dd->handover == CLIFD_HANDOVER_X2X3) {
		x1_start(d, "x1:destinationDetailsExtensions");
		x1_attr(d, "xmlns:ho", X1_HANDOVER_NS);
		x1_leaf(d, "x1:Owner", X1_HANDOVER_OWNER);
		x1_leaf(d, "ho:handover", "x2x3");
		x1_stop(d);
	}
	x1_stop(d);
}

static int check_faults(const struct x1_fault *f, size_t n)
{
	if (n > 0 && f == NULL)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (f[i].description == NULL)
			return -EINVAL;
	}
	return 0;
}

static void put_faults(struct x1_doc *d, const struct x1_fault *f, size_t n)
{
	x1_start(d, "x1:listOfFaults");
	for (size_t i = 0; i < n; i++) {
		x1_start(d, "x1:unresolvedFault");
		x1_leaf_int(d, "x1:errorCode", f[i].code);
		x1_leaf(d, "x1:errorDescription", f[i].description);
		x1_stop(d);
	}
	x1_stop(d);
}

static int check_task_status(const struct x1_task_status *st)
{
	if (st == NULL || st->provisioning < X1_PROV_AWAITING ||
	    st->provisioning > X1_PROV_COMPLETE)
		return -EINVAL;
	if (x1_check_task(st->task) != 0)
		return -EINVAL;
	return check_faults(st->faults, st->n_faults);
}

static void put_task_status(struct x1_doc *d, const struct x1_task_status *st)
{
	static const char *const prov[] = {[X1_PROV_AWAITING] = "awaitingProvisioning",
					   [X1_PROV_FAILED] = "failed",
					   [X1_PROV_COMPLETE] = "complete"};
	x1_start(d, "x1:taskResponseDetails");
	x1_put_task(d, st->task);
	x1_start(d, "x1:taskStatus");
	x1_leaf(d, "x1:provisioningStatus", prov[st->provisioning]);
	put_faults(d, st->faults, st->n_faults);
	x1_stop(d);
	x1_stop(d);
}

static int check_dest_status(const struct x1_dest_status *st)
{
	if (st == NULL || (st->status != X1_DEST_ACTIVE && st->status != X1_DEST_FAULT))
		return -EINVAL;
	if (x1_check_dest(st->dest) != 0)
		return -EINVAL;
	return check_faults(st->faults, st->n_faults);
}

static void put_dest_status(struct x1_doc *d, const struct x1_dest_status *st)
{
	x1_start(d, "x1:destinationResponseDetails");
	x1_put_dest(d, st->dest);
	x1_start(d, "x1:destinationStatus");
	x1_leaf(d, "x1:destinationDeliveryStatus",
		st->status == X1_DEST_ACTIVE ? "activeAndWorking" : "deliveryFault");
	put_faults(d, st->faults, st->n_faults);
	x1_stop(d);
	x1_stop(d);
}

static int check_ne(const struct x1_ne_status *ne)
{
	if (ne == NULL || (ne->state != X1_NE_OK && ne->state != X1_NE_FAULTS))
		return -EINVAL;
	return check_faults(ne->faults, ne->n_faults);
}

static void put_ne(struct x1_doc *d, const struct x1_ne_status *ne)
{
	x1_start(d, "x1:neStatusDetails");
	x1_leaf(d, "x1:neStatus", ne->state == X1_NE_OK ? "OK" : "Faults");
	put_faults(d, ne->faults, ne->n_faults);
	x1_stop(d);
}

/* ---- responses ---- */

struct x1_response *x1_response_new(const char *ne_id, const char *version)
{
	if (ne_id == NULL || version == NULL)
		return NULL;
	struct x1_response *r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->ne_id = strdup(ne_id);
	r->version = strdup(version);
	if (r->ne_id == NULL || r->version == NULL ||
	    x1_doc_begin(&r->doc, "x1:X1Response") != 0) {
		free(r->ne_id);
		free(r->version);
		free(r);
		return NULL;
	}
	return r;
}

void x1_response_free(struct x1_response *r)
{
	if (r == NULL)
		return;
	x1_doc_free(&r->doc);
	free(r->ne_id);
	free(r->version);
	free(r);
}

/* Opens an x1ResponseMessage of xsi:type x1:<type>Response (or x1:ErrorResponse). */
static void begin_msg(struct x1_response *r, const struct x1_msg *req, const char *type)
{
	char xtype[64];
	snprintf(xtype, sizeof(xtype), "x1:%s", type);
	x1_start(&r->doc, "x1:x1ResponseMessage");
	x1_attr(&r->doc, "xsi:type", xtype);
	x1_header(&r->doc, req->admf_id, r->ne_id, r->version, req->has_txid ? req->txid : NULL);
}

static int end_msg(struct x1_response *r)
{
	x1_stop(&r->doc);
	if (r->doc.failed)
		return -ENOMEM;
	r->n_msgs++;
	return 0;
}

static int usable(const struct x1_response *r, const struct x1_msg *req,
		  enum x1_msg_type want)
{
	if (r == NULL || req == NULL || r->doc.finished)
		return -EINVAL;
	if (r->doc.failed)
		return -ENOMEM;
	/* A message parse refused is only ever answered with an ErrorResponse. */
	if (want != X1_MSG_TYPE_COUNT && (req->type != want || req->error != X1_OK))
		return -EINVAL;
	return 0;
}

int x1_resp_ok(struct x1_response *r, const struct x1_msg *req)
{
	static const char *const names[X1_MSG_TYPE_COUNT] = {
		[X1_MSG_ACTIVATE_TASK] = "ActivateTaskResponse",
		[X1_MSG_MODIFY_TASK] = "ModifyTaskResponse",
		[X1_MSG_DEACTIVATE_TASK] = "DeactivateTaskResponse",
		[X1_MSG_DEACTIVATE_ALL_TASKS] = "DeactivateAllTasksResponse",
		[X1_MSG_CREATE_DESTINATION] = "CreateDestinationResponse",
		[X1_MSG_MODIFY_DESTINATION] = "ModifyDestinationResponse",
		[X1_MSG_REMOVE_DESTINATION] = "RemoveDestinationResponse",
		[X1_MSG_REMOVE_ALL_DESTINATIONS] = "RemoveAllDestinationsResponse",
		[X1_MSG_PING] = "PingResponse",
		[X1_MSG_KEEPALIVE] = "KeepaliveResponse",
	};
	int rc = usable(r, req, X1_MSG_TYPE_COUNT);
	if (rc != 0)
		return rc;
	if ((unsigned)req->type >= X1_MSG_TYPE_COUNT || names[req->type] == NULL ||
	    req->error != X1_OK)
		return -EINVAL;
	begin_msg(r, req, names[req->type]);
	x1_leaf(&r->doc, "x1:oK", "AcknowledgedAndCompleted");
	return end_msg(r);
}

int x1_resp_task_details(struct x1_response *r, const struct x1_msg *req,
			 const struct x1_task_status *st)
{
	int rc = usable(r, req, X1_MSG_GET_TASK_DETAILS);
	if (rc != 0)
		return rc;
	if (check_task_status(st) != 0)
		return -EINVAL;
	begin_msg(r, req, "GetTaskDetailsResponse");
	put_task_status(&r->doc, st);
	return end_msg(r);
}

int x1_resp_all_task_details(struct x1_response *r, const struct x1_msg *req,
			     const struct x1_task_status *st, size_t n)
{
	int rc = usable(r, req, X1_MSG_GET_ALL_TASK_DETAILS);
	if (rc != 0)
		return rc;
	if (n > 0 && st == NULL)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (check_task_status(&st[i]) != 0)
			return -EINVAL;
	}
	begin_msg(r, req, "GetAllTaskDetailsResponse");
	x1_start(&r->doc, "x1:listOfTaskResponseDetails");
	for (size_t i = 0; i < n; i++)
		put_task_status(&r->doc, &st[i]);
	x1_stop(&r->doc);
	return end_msg(r);
}

int x1_resp_dest_details(struct x1_response *r, const struct x1_msg *req,
			 const struct x1_dest_status *st)
{
	int rc = usable(r, req, X1_MSG_GET_DESTINATION_DETAILS);
	if (rc != 0)
		return rc;
	if (check_dest_status(st) != 0)
		return -EINVAL;
	begin_msg(r, req, "GetDestinationDetailsResponse");
	put_dest_status(&r->doc, st);
	return end_msg(r);
}

int x1_resp_all_dest_details(struct x1_response *r, const struct x1_msg *req,
			     const struct x1_dest_status *st, size_t n)
{
	int rc = usable(r, req, X1_MSG_GET_ALL_DESTINATION_DETAILS);
	if (rc != 0)
		return rc;
	if (n > 0 && st == NULL)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (check_dest_status(&st[i]) != 0)
			return -EINVAL;
	}
	begin_msg(r, req, "GetAllDestinationDetailsResponse");
	x1_start(&r->doc, "x1:listOfDestinationResponseDetails");
	for (size_t i = 0; i < n; i++)
		put_dest_status(&r->doc, &st[i]);
	x1_stop(&r->doc);
	return end_msg(r);
}

int x1_resp_ne_status(struct x1_response *r, const struct x1_msg *req,
		      const struct x1_ne_status *ne)
{
	int rc = usable(r, req, X1_MSG_GET_NE_STATUS);
	if (rc != 0)
		return rc;
	if (check_ne(ne) != 0)
		return -EINVAL;
	begin_msg(r, req, "GetNEStatusResponse");
	put_ne(&r->doc, ne);
	return end_msg(r);
}

int x1_resp_all_details(struct x1_response *r, const struct x1_msg *req,
			const struct x1_ne_status *ne, const struct x1_task_status *tasks,
			size_t n_tasks, const struct x1_dest_status *dests, size_t n_dests)
{
	int rc = usable(r, req, X1_MSG_GET_ALL_DETAILS);
	if (rc != 0)
		return rc;
	if (check_ne(ne) != 0 || (n_tasks > 0 && tasks == NULL) || (n_dests > 0 && dests == NULL))
		return -EINVAL;
	for (size_t i = 0; i < n_tasks; i++) {
		if (check_task_status(&tasks[i]) != 0)
			return -EINVAL;
	}
	for (size_t i = 0; i < n_dests; i++) {
		if (check_dest_status(&dests[i]) != 0)
			return -EINVAL;
	}
	begin_msg(r, req, "GetAllDetailsResponse");
	put_ne(&r->doc, ne);
	x1_start(&r->doc, "x1:listOfTaskResponseDetails");
	for (size_t i = 0; i < n_tasks; i++)
		put_task_status(&r->doc, &tasks[i]);
	x1_stop(&r->doc);
	x1_start(&r->doc, "x1:listOfDestinationResponseDetails");
	for (size_t i = 0; i < n_dests; i++)
		put_dest_status(&r->doc, &dests[i]);
	x1_stop(&r->doc);
	return end_msg(r);
}

int x1_resp_list_all(struct x1_response *r, const struct x1_msg *req,
		     const uint8_t (*xids)[16], size_t n_xids, const uint8_t (*dids)[16],
		     size_t n_dids)
{
	int rc = usable(r, req, X1_MSG_LIST_ALL_DETAILS);
	if (rc != 0)
		return rc;
	if ((n_xids > 0 && xids == NULL) || (n_dids > 0 && dids == NULL))
		return -EINVAL;
	begin_msg(r, req, "ListAllDetailsResponse");
	x1_start(&r->doc, "x1:ListOfXIDs");
	for (size_t i = 0; i < n_xids; i++)
		x1_leaf_uuid(&r->doc, "x1:xId", xids[i]);
	x1_stop(&r->doc);
	x1_start(&r->doc, "x1:ListOfDIDs");
	for (size_t i = 0; i < n_dids; i++)
		x1_leaf_uuid(&r->doc, "x1:dId", dids[i]);
	x1_stop(&r->doc);
	return end_msg(r);
}

/* A neutral text for a code when the caller gives none. */
static const char *code_text(int code)
{
	switch (code) {
	case X1_E_SYNTAX: return "syntax or schema error";
	case X1_E_VERSION: return "unsupported version";
	case X1_E_ADMF_CERT: return "admfIdentifier does not match the certificate";
	case X1_E_NE_UNEXPECTED: return "unexpected neIdentifier";
	case X1_E_XID_EXISTS: return "XID already exists";
	case X1_E_XID_UNKNOWN: return "XID does not exist";
	case X1_E_DID_EXISTS: return "DID already exists";
	case X1_E_DID_UNKNOWN: return "DID does not exist";
	case X1_E_TARGET_TYPE: return "unsupported target identifier type";
	case X1_E_DEST_ADDRESS_TYPE: return "unsupported delivery address type";
	case X1_E_DEST_IN_USE: return "destination in use";
	case X1_E_GENERIC_OBJECT: return "generic objects are not supported";
	default: return "request failed";
	}
}

int x1_resp_error(struct x1_response *r, const struct x1_msg *req, int code,
		  const char *description)
{
	int rc = usable(r, req, X1_MSG_TYPE_COUNT);
	if (rc != 0)
		return rc;
	if (code <= 0)
		return -EINVAL;
	begin_msg(r, req, "ErrorResponse");
	x1_leaf(&r->doc, "x1:requestMessageType",
		req->request_type[0] != '\0' ? req->request_type : "ExtendedRequestMessageType");
	x1_start(&r->doc, "x1:errorInformation");
	x1_leaf_int(&r->doc, "x1:errorCode", code);
	x1_leaf(&r->doc, "x1:errorDescription", description != NULL ? description : code_text(code));
	x1_stop(&r->doc);
	return end_msg(r);
}

int x1_response_finish(struct x1_response *r, char **out, size_t *out_len)
{
	if (r == NULL || out == NULL || out_len == NULL || r->doc.finished || r->n_msgs == 0)
		return -EINVAL;
	int rc = x1_doc_finish(&r->doc, out, out_len);
	if (rc == 0)
		r->doc.finished = 1;
	return rc;
}

int x1_build_top_level_error(const char *admf_id, const char *ne_id, const char *version,
			     char **out, size_t *out_len)
{
	struct x1_doc d;
	char now[28];
	if (admf_id == NULL || ne_id == NULL || version == NULL || out == NULL || out_len == NULL)
		return -EINVAL;
	if (x1_doc_begin(&d, "x1:X1TopLevelErrorResponse") != 0)
		return -ENOMEM;
	x1_fmt_now(now);
	x1_leaf(&d, "x1:admfIdentifier", admf_id);
	x1_leaf(&d, "x1:neIdentifier", ne_id);
	x1_leaf(&d, "x1:messageTimestamp", now);
	x1_leaf(&d, "x1:version", version);
	int rc = x1_doc_finish(&d, out, out_len);
	x1_doc_free(&d);
	return rc;
}
