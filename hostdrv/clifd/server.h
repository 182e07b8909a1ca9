/* clifd's X1 NE server: HTTPS (libevent's evhttp over OpenSSL bufferevents) on x1_listen.
 *
 * HTTP: only POST /X1/NE is served (another path: 404; another method on it: 405); the
 * request must carry a Content-Length (missing, or a chunked transfer coding, which X1
 * forbids: 411) of at most max_body bytes (more: 413, answered by libevent before the body is
 * read). Everything that passes goes to the X1 handler, whose document is sent as 200
 * text/xml (X1 errors travel inside an HTTP 200).
 *
 * TLS: 1.2 at least (1.3 preferred: OpenSSL picks the highest both sides offer), a client
 * certificate required and verified against tls_ca (SSL_VERIFY_PEER |
 * SSL_VERIFY_FAIL_IF_NO_PEER_CERT), no renegotiation, no session resumption (every
 * connection presents its certificate). A handshake the server refuses (no certificate,
 * unknown CA, bad protocol) is reported to the refusal callback with the peer's address. */
#ifndef CLIFD_SERVER_H
#define CLIFD_SERVER_H

#include <stddef.h>

#include "config.h"

struct event_base;
struct clifd_server;

#define CLIFD_PEER_NAMES 8

/* The authenticated client of one request (its verified certificate). */
struct clifd_peer {
	char subject[512]; /* RFC 2253 one-line subject: the audit log's ACTOR */
	char cn[256];      /* subject commonName ("" if none) */
	unsigned n_names;  /* subjectAltName entries of type DNS and URI */
	char names[CLIFD_PEER_NAMES][256];
	char addr[64];     /* "ADDRESS:PORT" of the TCP peer */
};

/* 1 when the certificate carries identity as its subject CN or as one of its DNS / URI
 * subjectAltNames (exact, case-sensitive comparison), else 0. */
int clifd_peer_is(const struct clifd_peer *p, const char *identity);

/* Answers one X1 POST body: *out gets a malloc'd document of *out_len bytes (freed by the
 * server), or NULL for "500 Internal Server Error" (out of memory). */
typedef void (*clifd_x1_fn)(void *arg, const struct clifd_peer *peer, const char *body, size_t len,
			    char **out, size_t *out_len);

/* A request or connection refused below X1 (TLS handshake, HTTP method/path/length). actor:
 * the certificate subject, or "peer ADDRESS:PORT" when there is none; what: "TLSHandshake"
 * or "HTTP"; result: e.g. "refused: certificate required", "refused 405". */
typedef void (*clifd_refusal_fn)(void *arg, const char *actor, const char *what, const char *result);

/*
 * Sets up TLS from cfg (tls_cert, tls_key, tls_ca), binds x1_listen and starts serving on
 * base. Returns the server, or NULL with a message in err (a file that cannot be read, a key
 * that does not match the certificate, an address that cannot be bound).
 */
struct clifd_server *clifd_server_new(struct event_base *base, const struct clifd_config *cfg, clifd_x1_fn x1,
				      clifd_refusal_fn refusal, void *arg, char *err, size_t err_len);

/* The port actually bound (x1_listen may say 0 for "any free port"). */
unsigned clifd_server_port(const struct clifd_server *s);

/* Stops accepting connections; connections already open are served until they close or the
 * server is freed. */
void clifd_server_stop_accepting(struct clifd_server *s);

/* Closes every connection and frees the server. NULL is allowed. */
void clifd_server_free(struct clifd_server *s);

#endif
