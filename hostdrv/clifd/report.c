/* NE-to-ADMF reports over HTTPS; see report.h. */
#include "report.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/http.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define ATTEMPTS 3
#define TIMEOUT_S 10

struct report {
	struct report *next;
	char action[32];
	char object[37];
	char *body;
	size_t len;
	uint8_t txid[16];
	unsigned attempts;
};

struct clifd_reporter {
	struct event_base *base;
	struct evdns_base *dns;
	SSL_CTX *ctx;
	const struct clifd_config *cfg;
	int numeric_host;
	clifd_report_done_fn done;
	void *arg;
	struct report *head, *tail;
	unsigned queued;
	int in_flight;                  /* the head is being sent */
	struct event *retry_ev;
	struct evhttp_connection *conn; /* of the attempt in flight */
	struct clifd_report_stats st;
};

static void kick(struct clifd_reporter *r);

static void ssl_err(char *err, size_t err_len, const char *what, const char *path)
{
	unsigned long e = ERR_peek_last_error();
	char buf[256] = "";

	if (e)
		ERR_error_string_n(e, buf, sizeof(buf));
	snprintf(err, err_len, "%s %s: %s", what, path, e ? buf : "failed");
	ERR_clear_error();
}

static void pop(struct clifd_reporter *r)
{
	struct report *p = r->head;

	r->head = p->next;
	if (!r->head)
		r->tail = NULL;
	r->queued--;
	free(p->body);
	free(p);
}

static void finish(struct clifd_reporter *r, const char *result)
{
	struct report *p = r->head;

	if (r->done)
		r->done(r->arg, p->action, p->object, result);
	pop(r);
	r->in_flight = 0;
	kick(r);
}

static void retry_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	kick(arg);
}

static void attempt_failed(struct clifd_reporter *r, const char *why)
{
	struct report *p = r->head;

	if (p->attempts >= ATTEMPTS) {
		char result[128];
		clifd_log(LOG_WARNING, "report %s to the ADMF not delivered after %u attempts: %s", p->action,
			  p->attempts, why);
		snprintf(result, sizeof(result), "failed: %s", why);
		r->st.failed++;
		finish(r, result);
		return;
	}
	clifd_log(LOG_NOTICE, "report %s to the ADMF: attempt %u failed (%s), retrying", p->action, p->attempts, why);
	r->in_flight = 0;
	struct timeval tv = { 5 * (time_t)(p->attempts * 2 - 1), 0 }; /* 5 s, 15 s */
	evtimer_add(r->retry_ev, &tv);
}

static void response_cb(struct evhttp_request *req, void *arg)
{
	struct clifd_reporter *r = arg;
	struct report *p = r->head;
	int code = req ? evhttp_request_get_response_code(req) : 0;
	char why[64];

	r->conn = NULL; /* freed by libevent once this request is done (free_on_completion) */
	if (!p || !r->in_flight)
		return;
	if (code != 200) {
		snprintf(why, sizeof(why), code ? "HTTP status %d" : "no answer (connection or TLS failed)", code);
		attempt_failed(r, why);
		return;
	}
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in);
	int rc = x1_parse_report_response((const char *)evbuffer_pullup(in, -1), len, p->txid);
	if (rc == X1_E_SYNTAX) {
		attempt_failed(r, "the ADMF's answer is not a response to the report");
		return;
	}
	char result[32];
	if (rc == 0) {
		snprintf(result, sizeof(result), "ok");
		r->st.sent++;
	} else {
		snprintf(result, sizeof(result), "error %d", rc);
		r->st.failed++;
		clifd_log(LOG_WARNING, "report %s refused by the ADMF: error %d", p->action, rc);
	}
	finish(r, result);
}

static void kick(struct clifd_reporter *r)
{
	struct report *p = r->head;
	SSL *ssl;
	struct bufferevent *bev;
	struct evhttp_request *req;
	struct evkeyvalq *h;
	char hostport[300];

	if (!p || r->in_flight || evtimer_pending(r->retry_ev, NULL))
		return;
	p->attempts++;
	r->in_flight = 1;
	ssl = SSL_new(r->ctx);
	if (!ssl)
		goto fail;
	if (r->numeric_host) {
		X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), r->cfg->admf_report_host);
	} else {
		SSL_set_tlsext_host_name(ssl, r->cfg->admf_report_host);
		SSL_set1_host(ssl, r->cfg->admf_report_host);
	}
	bev = bufferevent_openssl_socket_new(r->base, -1, ssl, BUFFEREVENT_SSL_CONNECTING,
					     BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	if (!bev) {
		SSL_free(ssl);
		goto fail;
	}
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	r->conn = evhttp_connection_base_bufferevent_new(r->base, r->dns, bev, r->cfg->admf_report_host,
							 r->cfg->admf_report_port);
	if (!r->conn) {
		bufferevent_free(bev);
		goto fail;
	}
	evhttp_connection_set_timeout(r->conn, TIMEOUT_S);
	evhttp_connection_set_retries(r->conn, 0);
	req = evhttp_request_new(response_cb, r);
	if (!req) {
		evhttp_connection_free(r->conn);
		r->conn = NULL;
		goto fail;
	}
	h = evhttp_request_get_output_headers(req);
	snprintf(hostport, sizeof(hostport), "%s:%u", r->cfg->admf_report_host, r->cfg->admf_report_port);
	evhttp_add_header(h, "Host", hostport);
	evhttp_add_header(h, "Content-Type", "text/xml; charset=utf-8");
	evhttp_add_header(h, "Connection", "close");
	evbuffer_add(evhttp_request_get_output_buffer(req), p->body, p->len);
	if (evhttp_make_request(r->conn, req, EVHTTP_REQ_POST, r->cfg->admf_report_path) != 0) {
		/* libevent freed req */
		evhttp_connection_free(r->conn);
		r->conn = NULL;
		goto fail;
	}
	evhttp_connection_free_on_completion(r->conn);
	return;
fail:
	attempt_failed(r, "cannot start the connection");
}

static int enqueue(struct clifd_reporter *r, const char *action, const uint8_t *id, char *body, size_t len,
		   const uint8_t txid[16])
{
	struct report *p = calloc(1, sizeof(*p));

	if (!p) {
		free(body);
		return -ENOMEM;
	}
	snprintf(p->action, sizeof(p->action), "%s", action);
	if (id)
		clifd_uuid_format(id, p->object);
	p->body = body;
	p->len = len;
	memcpy(p->txid, txid, 16);
	if (r->queued >= CLIFD_REPORT_QUEUE) {
		/* drop the oldest that is not on the wire */
		struct report **pp = r->in_flight ? &r->head->next : &r->head;
		if (*pp) {
			struct report *old = *pp;
			clifd_log(LOG_WARNING, "report queue full: %s to the ADMF dropped", old->action);
			*pp = old->next;
			if (r->tail == old)
				r->tail = r->in_flight ? r->head : NULL;
			r->queued--;
			r->st.dropped++;
			free(old->body);
			free(old);
		}
	}
	if (r->tail)
		r->tail->next = p;
	else
		r->head = p;
	r->tail = p;
	r->queued++;
	kick(r);
	return 0;
}

/* Fills in the header every report carries. Returns 0, or -ENOTCONN when reports are off. */
static int hdr_init(struct clifd_reporter *r, struct x1_report_hdr *h)
{
	if (!r || !r->ctx)
		return -ENOTCONN;
	memset(h, 0, sizeof(*h));
	h->admf_id = r->cfg->admf_identifier;
	h->ne_id = r->cfg->ne_identifier;
	h->version = r->cfg->x1_version;
	return 0;
}

int clifd_report_ne_issue(struct clifd_reporter *r, enum x1_ne_issue_type type, const char *description, int code)
{
	struct x1_report_hdr h;
	char *body;
	size_t len;
	int rc;

	if ((rc = hdr_init(r, &h)) != 0 ||
	    (rc = x1_build_report_ne_issue(&h, type, description, code, &body, &len)) != 0)
		return rc;
	return enqueue(r, "ReportNEIssue", NULL, body, len, h.txid);
}

/* The X1 builders of the two reports about one object (task or destination). */
typedef int (*object_report_fn)(struct x1_report_hdr *hdr, const uint8_t id[16], enum x1_report_type type,
				int code, const char *details, char **out, size_t *out_len);

/* Builds a report about the object id with build and queues it as action. Returns as
 * clifd_report_task_issue(). */
static int report_object(struct clifd_reporter *r, const char *action, object_report_fn build, const uint8_t id[16],
			 enum x1_report_type type, int code, const char *details)
{
	struct x1_report_hdr h;
	char *body;
	size_t len;
	int rc;

	if ((rc = hdr_init(r, &h)) != 0 || (rc = build(&h, id, type, code, details, &body, &len)) != 0)
		return rc;
	return enqueue(r, action, id, body, len, h.txid);
}

int clifd_report_task_issue(struct clifd_reporter *r, const uint8_t xid[16], enum x1_report_type type, int code,
			    const char *details)
{
	return report_object(r, "ReportTaskIssue", x1_build_report_task_issue, xid, type, code, details);
}

int clifd_report_destination_issue(struct clifd_reporter *r, const uint8_t did[16], enum x1_report_type type,
				   int code, const char *details)
{
	return report_object(r, "ReportDestinationIssue", x1_build_report_destination_issue, did, type, code,
			     details);
}

struct clifd_reporter *clifd_reporter_new(struct event_base *base, const struct clifd_config *cfg,
					  clifd_report_done_fn done, void *arg, char *err, size_t err_len)
{
	struct clifd_reporter *r = calloc(1, sizeof(*r));
	struct in6_addr a;

	if (!r) {
		snprintf(err, err_len, "out of memory");
		return NULL;
	}
	r->base = base;
	r->cfg = cfg;
	r->done = done;
	r->arg = arg;
	if (!cfg->admf_report_host[0])
		return r; /* reports off */
	r->retry_ev = evtimer_new(base, retry_cb, r);
	r->ctx = SSL_CTX_new(TLS_client_method());
	if (!r->retry_ev || !r->ctx) {
		snprintf(err, err_len, "out of memory");
		goto fail;
	}
	SSL_CTX_set_min_proto_version(r->ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(r->ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
	SSL_CTX_set_verify(r->ctx, SSL_VERIFY_PEER, NULL);
	if (SSL_CTX_load_verify_locations(r->ctx, cfg->admf_report_ca, NULL) != 1) {
		ssl_err(err, err_len, "admf_report_ca", cfg->admf_report_ca);
		goto fail;
	}
	if (SSL_CTX_use_certificate_chain_file(r->ctx, cfg->admf_report_cert) != 1) {
		ssl_err(err, err_len, "admf_report_cert", cfg->admf_report_cert);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(r->ctx, cfg->admf_report_key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(r->ctx) != 1) {
		ssl_err(err, err_len, "admf_report_key", cfg->admf_report_key);
		goto fail;
	}
	r->numeric_host = inet_pton(AF_INET, cfg->admf_report_host, &a) == 1 ||
			  inet_pton(AF_INET6, cfg->admf_report_host, &a) == 1;
	if (!r->numeric_host) {
		r->dns = evdns_base_new(base, EVDNS_BASE_INITIALIZE_NAMESERVERS);
		if (!r->dns) {
			snprintf(err, err_len, "admf_report_url: no name servers for its host name");
			goto fail;
		}
	}
	return r;
fail:
	clifd_reporter_free(r);
	return NULL;
}

int clifd_reporter_enabled(const struct clifd_reporter *r)
{
	return r && r->ctx;
}

void clifd_reporter_stats(const struct clifd_reporter *r, struct clifd_report_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!r)
		return;
	*out = r->st;
	out->queued = r->queued;
}

void clifd_reporter_free(struct clifd_reporter *r)
{
	if (!r)
		return;
	if (r->queued)
		clifd_log(LOG_WARNING, "%u report(s) to the ADMF not sent at shutdown", r->queued);
	if (r->conn)
		evhttp_connection_free(r->conn);
	while (r->head)
		pop(r);
	if (r->retry_ev)
		event_free(r->retry_ev);
	if (r->dns)
		evdns_base_free(r->dns, 0);
	if (r->ctx)
		SSL_CTX_free(r->ctx);
	free(r);
}
