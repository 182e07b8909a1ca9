/* The X1 HTTPS server; see server.h. */
#include "server.h"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "log.h"

struct clifd_server {
	struct evhttp *http;
	struct evhttp_bound_socket *bound;
	SSL_CTX *ctx;
	clifd_x1_fn x1;
	clifd_refusal_fn refusal;
	void *arg;
	unsigned port;
	size_t max_body;             /* larger bodies: 413, audited */
	time_t tls_audit_sec;        /* rate limit of TLS refusal entries */
	unsigned tls_audit_n;
	unsigned long tls_unaudited;
};

#define TLS_AUDIT_PER_S 20
#define MAX_BODY_READ_FACTOR 4

/* Our SSL_CTX's ex-data slot for the server (the info callback needs it), and an SSL's slot
 * for the peer address, taken when its ClientHello arrives (the peer may be gone by the time
 * the handshake fails). */
static int ctx_index = -1;
static int ssl_index = -1;

static void addr_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
	(void)parent;
	(void)ad;
	(void)idx;
	(void)argl;
	(void)argp;
	free(ptr);
}

static void ssl_err(char *err, size_t err_len, const char *what, const char *path)
{
	unsigned long e = ERR_peek_last_error();
	char buf[256] = "";

	if (e)
		ERR_error_string_n(e, buf, sizeof(buf));
	snprintf(err, err_len, "%s%s%s: %s", what, path ? " " : "", path ? path : "", e ? buf : "failed");
	ERR_clear_error();
}

static void fd_peer_addr(int fd, char *out, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	snprintf(out, len, "?");
	if (fd < 0 || getpeername(fd, (struct sockaddr *)&ss, &sl) != 0)
		return;
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;
		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		port = ntohs(in->sin_port);
		snprintf(out, len, "%s:%u", host, port);
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		port = ntohs(in6->sin6_port);
		snprintf(out, len, "[%s]:%u", host, port);
	}
}

static int hello_cb(SSL *ssl, int *alert, void *arg)
{
	char *addr = malloc(72);
	int one = 1;

	(void)alert;
	(void)arg;
	/* evhttp writes an answer's headers and body as separate TLS records: with Nagle the body
	 * would wait for the ADMF's delayed ACK of the headers (40 ms on Linux). Each record
	 * goes out as it is written. Once per connection, here where its socket is first known. */
	setsockopt(SSL_get_fd(ssl), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (addr) {
		fd_peer_addr(SSL_get_fd(ssl), addr, 72);
		if (!SSL_set_ex_data(ssl, ssl_index, addr))
			free(addr);
	}
	return SSL_CLIENT_HELLO_SUCCESS;
}

/* A fatal alert we send during a handshake that got as far as a ClientHello is a refused
 * connection: report it once. (A TCP probe that sends nothing is only logged at debug.) */
static void info_cb(const SSL *ssl, int where, int ret)
{
	struct clifd_server *s;
	const char *addr;
	char actor[96], result[160];

	if (!(where & SSL_CB_ALERT) || !(where & SSL_CB_WRITE) || (ret >> 8) != SSL3_AL_FATAL ||
	    SSL_is_init_finished(ssl))
		return;
	s = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ctx_index);
	addr = SSL_get_ex_data(ssl, ssl_index);
	if (!addr) {
		clifd_log(LOG_DEBUG, "X1: connection closed before a TLS ClientHello");
		return;
	}
	if (!s || !s->refusal)
		return;
	snprintf(actor, sizeof(actor), "peer %s", addr);
	/* OpenSSL 3.0 has no text for TLS 1.3's certificate_required (116). */
	const char *why = (ret & 0xff) == 116 ? "certificate required" : SSL_alert_desc_string_long(ret);
	/* A flood of bad handshakes must not turn into a flood of synchronous audit writes:
	 * at most TLS_AUDIT_PER_S entries a second, the rest counted into the next entry. */
	time_t now = time(NULL);
	if (now != s->tls_audit_sec) {
		s->tls_audit_sec = now;
		s->tls_audit_n = 0;
	}
	if (s->tls_audit_n >= TLS_AUDIT_PER_S) {
		s->tls_unaudited++;
		return;
	}
	s->tls_audit_n++;
	if (s->tls_unaudited)
		snprintf(result, sizeof(result), "refused: %s (+%lu earlier refusals not audited)", why,
			 s->tls_unaudited);
	else
		snprintf(result, sizeof(result), "refused: %s", why);
	s->tls_unaudited = 0;
	clifd_log(LOG_NOTICE, "X1: TLS handshake from %s refused: %s", addr, why);
	s->refusal(s->arg, actor, "TLSHandshake", result);
}

static struct bufferevent *bev_cb(struct event_base *base, void *arg)
{
	struct clifd_server *s = arg;
	SSL *ssl = SSL_new(s->ctx);
	struct bufferevent *bev;

	if (!ssl)
		return NULL;
	bev = bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	if (!bev) {
		SSL_free(ssl);
		return NULL;
	}
	/* An ADMF that closes without close_notify after its answer is not an error. */
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	return bev;
}

int clifd_peer_is(const struct clifd_peer *p, const char *identity)
{
	if (!identity[0])
		return 0;
	if (p->cn[0] && strcmp(p->cn, identity) == 0)
		return 1;
	for (unsigned i = 0; i < p->n_names; i++)
		if (strcmp(p->names[i], identity) == 0)
			return 1;
	return 0;
}

/* Copies an ASN.1 string into out when it is printable ASCII without NULs, else "". */
static void asn1_copy(const ASN1_STRING *a, char *out, size_t len)
{
	const unsigned char *d = ASN1_STRING_get0_data(a);
	int n = ASN1_STRING_length(a);

	out[0] = '\0';
	if (n <= 0 || (size_t)n >= len)
		return;
	for (int i = 0; i < n; i++)
		if (d[i] < 0x20 || d[i] >= 0x7f)
			return;
	memcpy(out, d, (size_t)n);
	out[n] = '\0';
}

static int peer_of(struct evhttp_request *req, struct clifd_peer *p)
{
	struct evhttp_connection *conn = evhttp_request_get_connection(req);
	struct bufferevent *bev = conn ? evhttp_connection_get_bufferevent(conn) : NULL;
	SSL *ssl = bev ? bufferevent_openssl_get_ssl(bev) : NULL;
	X509 *cert;
	X509_NAME *name;
	BIO *mem;
	GENERAL_NAMES *sans;
	int idx;

	memset(p, 0, sizeof(*p));
	if (!ssl)
		return -1;
	fd_peer_addr(SSL_get_fd(ssl), p->addr, sizeof(p->addr));
	cert = SSL_get0_peer_certificate(ssl);
	if (!cert || SSL_get_verify_result(ssl) != X509_V_OK)
		return -1;
	name = X509_get_subject_name(cert);
	mem = BIO_new(BIO_s_mem());
	if (!mem)
		return -1;
	X509_NAME_print_ex(mem, name, 0, XN_FLAG_RFC2253);
	idx = BIO_read(mem, p->subject, sizeof(p->subject) - 1);
	p->subject[idx > 0 ? idx : 0] = '\0';
	BIO_free(mem);
	idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
	if (idx >= 0 && X509_NAME_get_index_by_NID(name, NID_commonName, idx) < 0) /* exactly one CN */
		asn1_copy(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx)), p->cn, sizeof(p->cn));
	sans = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans) && p->n_names < CLIFD_PEER_NAMES; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(sans, i);
		if (g->type == GEN_DNS || g->type == GEN_URI) {
			asn1_copy(g->d.ia5, p->names[p->n_names], sizeof(p->names[0]));
			if (p->names[p->n_names][0])
				p->n_names++;
		}
	}
	GENERAL_NAMES_free(sans);
	if (!p->subject[0])
		snprintf(p->subject, sizeof(p->subject), "(empty subject)");
	return 0;
}

static void refuse(struct clifd_server *s, struct evhttp_request *req, const struct clifd_peer *p, int code,
		   const char *reason)
{
	char result[48];

	snprintf(result, sizeof(result), "refused %d", code);
	clifd_log(LOG_NOTICE, "X1: HTTP request from %s refused: %d %s", p->addr, code, reason);
	if (s->refusal)
		s->refusal(s->arg, p->subject[0] ? p->subject : "peer", "HTTP", result);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
	evhttp_send_error(req, code, reason);
}

static void free_doc(const void *data, size_t len, void *extra)
{
	(void)len;
	(void)extra;
	free((void *)data);
}

static void request_cb(struct evhttp_request *req, void *arg)
{
	struct clifd_server *s = arg;
	struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	struct evbuffer *body = evhttp_request_get_input_buffer(req);
	const char *uri = evhttp_request_get_uri(req);
	const char *te = evhttp_find_header(in, "Transfer-Encoding");
	const char *cl = evhttp_find_header(in, "Content-Length");
	struct clifd_peer peer;
	char *out = NULL;
	size_t out_len = 0, len;
	struct evbuffer *resp;

	if (peer_of(req, &peer) != 0) { /* cannot happen after the handshake: refuse anyway */
		refuse(s, req, &peer, HTTP_BADREQUEST, "No verified client certificate");
		return;
	}
	if (!uri || strcmp(uri, "/X1/NE") != 0) {
		refuse(s, req, &peer, HTTP_NOTFOUND, "Not Found");
		return;
	}
	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "POST");
		refuse(s, req, &peer, HTTP_BADMETHOD, "Method Not Allowed");
		return;
	}
	if (te || !cl) { /* X1 (TS 103 221-1 7.2.2) forbids transfer codings */
		refuse(s, req, &peer, 411, "Length Required");
		return;
	}
	len = evbuffer_get_length(body);
	if (len > s->max_body) {
		refuse(s, req, &peer, 413, "Payload Too Large");
		return;
	}
	resp = evbuffer_new();
	if (!resp) {
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	s->x1(s->arg, &peer, (const char *)evbuffer_pullup(body, -1), len, &out, &out_len);
	if (!out) {
		evbuffer_free(resp);
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	/* The buffer is handed over: libevent frees it once written. */
	if (evbuffer_add_reference(resp, out, out_len, free_doc, NULL) != 0) {
		free(out);
		evbuffer_free(resp);
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "text/xml; charset=utf-8");
	evhttp_send_reply(req, HTTP_OK, "OK", resp);
	evbuffer_free(resp);
}

struct clifd_server *clifd_server_new(struct event_base *base, const struct clifd_config *cfg, clifd_x1_fn x1,
				      clifd_refusal_fn refusal, void *arg, char *err, size_t err_len)
{
	struct clifd_server *s = calloc(1, sizeof(*s));
	STACK_OF(X509_NAME) *cas;

	if (!s) {
		snprintf(err, err_len, "out of memory");
		return NULL;
	}
	s->x1 = x1;
	s->refusal = refusal;
	s->arg = arg;
	if (ctx_index < 0)
		ctx_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	if (ssl_index < 0)
		ssl_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, addr_free);
	s->ctx = SSL_CTX_new(TLS_server_method());
	if (!s->ctx) {
		ssl_err(err, err_len, "TLS context", NULL);
		goto fail;
	}
	SSL_CTX_set_ex_data(s->ctx, ctx_index, s);
	SSL_CTX_set_min_proto_version(s->ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(s->ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET | SSL_OP_CIPHER_SERVER_PREFERENCE |
					    SSL_OP_NO_COMPRESSION);
	SSL_CTX_set_session_cache_mode(s->ctx, SSL_SESS_CACHE_OFF);
	/* TLS 1.2: forward-secret AEAD suites only (TLS 1.3's are all of that kind). */
	if (SSL_CTX_set_cipher_list(s->ctx, "ECDHE+AESGCM:ECDHE+CHACHA20") != 1) {
		ssl_err(err, err_len, "TLS cipher list", NULL);
		goto fail;
	}
	if (SSL_CTX_use_certificate_chain_file(s->ctx, cfg->tls_cert) != 1) {
		ssl_err(err, err_len, "tls_cert", cfg->tls_cert);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(s->ctx, cfg->tls_key, SSL_FILETYPE_PEM) != 1) {
		ssl_err(err, err_len, "tls_key", cfg->tls_key);
		goto fail;
	}
	if (SSL_CTX_check_private_key(s->ctx) != 1) {
		snprintf(err, err_len, "tls_key does not match tls_cert");
		goto fail;
	}
	if (SSL_CTX_load_verify_locations(s->ctx, cfg->tls_ca, NULL) != 1) {
		ssl_err(err, err_len, "tls_ca", cfg->tls_ca);
		goto fail;
	}
	cas = SSL_load_client_CA_file(cfg->tls_ca);
	if (!cas) {
		ssl_err(err, err_len, "tls_ca (no certificate in it)", cfg->tls_ca);
		goto fail;
	}
	SSL_CTX_set_client_CA_list(s->ctx, cas);
	SSL_CTX_set_verify(s->ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	SSL_CTX_set_verify_depth(s->ctx, 4);
	SSL_CTX_set_info_callback(s->ctx, info_cb);
	SSL_CTX_set_client_hello_cb(s->ctx, hello_cb, NULL);

	s->http = evhttp_new(base);
	if (!s->http) {
		snprintf(err, err_len, "evhttp_new failed");
		goto fail;
	}
	evhttp_set_bevcb(s->http, bev_cb, s);
	evhttp_set_gencb(s->http, request_cb, s);
	/* libevent refuses a body over its limit (413) before any of our code runs, so nothing
	 * could audit it: its limit is a multiple of ours, and a body between the two reaches
	 * request_cb, which refuses it with 413 and audits it. Only a body over
	 * MAX_BODY_READ_FACTOR x max_body is refused unaudited (and is still refused). */
	s->max_body = cfg->max_body;
	evhttp_set_max_body_size(s->http, (ev_ssize_t)cfg->max_body * MAX_BODY_READ_FACTOR);
	evhttp_set_max_headers_size(s->http, 16384);
	evhttp_set_timeout(s->http, 30);
	/* An oversized body is read and dropped before the 413, so that the client sees the
	 * answer instead of a reset connection. */
	evhttp_set_flags(s->http, EVHTTP_SERVER_LINGERING_CLOSE);
	/* Other methods than these get 501 from libevent; these get our 405 on /X1/NE. */
	evhttp_set_allowed_methods(s->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT |
						    EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS);
	s->bound = evhttp_bind_socket_with_handle(s->http, cfg->x1_listen_host, cfg->x1_listen_port);
	if (!s->bound) {
		snprintf(err, err_len, "x1_listen: cannot listen on %s port %u", cfg->x1_listen_host,
			 cfg->x1_listen_port);
		goto fail;
	}
	{
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int fd = evhttp_bound_socket_get_fd(s->bound);
		s->port = cfg->x1_listen_port;
		if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
			s->port = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
							   : ntohs(((struct sockaddr_in *)&ss)->sin_port);
	}
	return s;
fail:
	clifd_server_free(s);
	return NULL;
}

unsigned clifd_server_port(const struct clifd_server *s)
{
	return s->port;
}

void clifd_server_stop_accepting(struct clifd_server *s)
{
	if (s && s->bound) {
		evhttp_del_accept_socket(s->http, s->bound);
		s->bound = NULL;
	}
}

void clifd_server_free(struct clifd_server *s)
{
	if (!s)
		return;
	if (s->http)
		evhttp_free(s->http);
	if (s->ctx)
		SSL_CTX_free(s->ctx);
	free(s);
}
