/* The output: one large buffer written out with write(2) (or SSL_write) in big chunks, to a
 * file, standard output, or a TCP connection with optional TLS (TS 102 232-1 §6.3.1 and
 * TS 103 221-2 both want TLS 1.2 or later). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "encode.h"

#define SINK_BUF (4u << 20)
/* A receiver that takes nothing for this long is given up on (connect, handshake, writes). */
#define SEND_TIMEOUT_S 30
/* How long the end of a session waits for the receiver to close its side. */
#define CLOSE_WAIT_S 5

static void tls_error(const char *what)
{
	char text[256];
	unsigned long e = ERR_get_error();

	if (e) {
		ERR_error_string_n(e, text, sizeof(text));
		fprintf(stderr, ENC_NAME ": %s: %s\n", what, text);
	} else {
		fprintf(stderr, ENC_NAME ": %s\n", what);
	}
	ERR_clear_error();
}

/* A failed TLS call: OpenSSL's reason if it queued one, else the system's. */
static void tls_failed(struct enc_sink *s, int ret, const char *what)
{
	int saved = errno;

	if (ERR_peek_error() == 0 && SSL_get_error(s->ssl, ret) == SSL_ERROR_SYSCALL) {
		fprintf(stderr, ENC_NAME ": %s: %s\n", what,
			saved == 0		      ? "the receiver closed the connection"
			: saved == EAGAIN || saved == EWOULDBLOCK ? "timed out"
								  : strerror(saved));
		return;
	}
	tls_error(what);
}

static int open_file(struct enc_sink *s, const char *path)
{
	if (strcmp(path, "-") == 0) {
		s->fd = STDOUT_FILENO;
		return 0;
	}
	s->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (s->fd < 0) {
		fprintf(stderr, ENC_NAME ": cannot create the output file: %s\n", strerror(errno));
		return -1;
	}
	s->close_fd = 1;
	return 0;
}

/* Splits HOST:PORT or [HOST]:PORT (IPv6 literals) in place. */
static int split_host_port(char *hp, char **host, char **port)
{
	char *colon;

	if (hp[0] == '[') {
		char *end = strchr(hp, ']');
		if (end == NULL || end[1] != ':')
			return -1;
		*end = '\0';
		*host = hp + 1;
		colon = end + 1;
	} else {
		colon = strrchr(hp, ':');
		if (colon == NULL)
			return -1;
		*colon = '\0';
		*host = hp;
	}
	*port = colon + 1;
	return **host && **port ? 0 : -1;
}

static int set_timeouts(int fd)
{
	struct timeval tv = {.tv_sec = SEND_TIMEOUT_S};

	return setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == 0 &&
			       setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0
		       ? 0
		       : -1;
}

static int tcp_connect(const char *host, const char *port)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	struct addrinfo *res, *ai;
	int fd = -1, err = 0;

	int rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		fprintf(stderr, ENC_NAME ": cannot resolve the receiver's address: %s\n",
			gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		/* On Linux the send timeout bounds connect() as well. */
		if (set_timeouts(fd) == 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		err = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		fprintf(stderr, ENC_NAME ": cannot connect to the receiver: %s\n",
			err == EAGAIN || err == EINPROGRESS ? "timed out" : strerror(err));
	return fd;
}

static int is_ip_literal(const char *name)
{
	uint8_t a[16];

	return inet_pton(AF_INET, name, a) == 1 || inet_pton(AF_INET6, name, a) == 1;
}

static int tls_context(struct enc_sink *s, const struct enc_options *o)
{
	s->ctx = SSL_CTX_new(TLS_client_method());
	if (s->ctx == NULL || !SSL_CTX_set_min_proto_version(s->ctx, TLS1_2_VERSION)) {
		tls_error("cannot set up TLS");
		return -1;
	}
	if (o->cert) {
		const char *key = o->key ? o->key : o->cert;
		if (SSL_CTX_use_certificate_chain_file(s->ctx, o->cert) != 1) {
			tls_error("cannot load the client certificate");
			return -1;
		}
		if (SSL_CTX_use_PrivateKey_file(s->ctx, key, SSL_FILETYPE_PEM) != 1 ||
		    SSL_CTX_check_private_key(s->ctx) != 1) {
			tls_error("cannot load the client key, or it does not match the certificate");
			return -1;
		}
	}
	int ok = o->ca ? SSL_CTX_load_verify_locations(s->ctx, o->ca, NULL)
		       : SSL_CTX_set_default_verify_paths(s->ctx);
	if (ok != 1) {
		tls_error("cannot load the CA certificates");
		return -1;
	}
	SSL_CTX_set_verify(s->ctx, SSL_VERIFY_PEER, NULL);
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
	/* A receiver that closes TCP without close_notify after taking everything is fine. */
	SSL_CTX_set_options(s->ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
#endif
	return 0;
}

/* The name the server's certificate must carry: a DNS name (also sent as SNI) or an IP. */
static int tls_expect_name(SSL *ssl, const char *name)
{
	if (is_ip_literal(name))
		return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name) == 1 ? 0 : -1;
	if (SSL_set_tlsext_host_name(ssl, name) != 1 || SSL_set1_host(ssl, name) != 1)
		return -1;
	return 0;
}

static int tls_start(struct enc_sink *s, const struct enc_options *o, const char *host)
{
	if (tls_context(s, o) < 0)
		return -1;
	s->ssl = SSL_new(s->ctx);
	if (s->ssl == NULL || SSL_set_fd(s->ssl, s->fd) != 1 ||
	    tls_expect_name(s->ssl, o->servername ? o->servername : host) < 0) {
		tls_error("cannot set up TLS");
		return -1;
	}
	errno = 0;
	int rc = SSL_connect(s->ssl);
	if (rc != 1) {
		long v = SSL_get_verify_result(s->ssl);
		if (v != X509_V_OK) {
			fprintf(stderr, ENC_NAME ": TLS handshake failed: server certificate: %s\n",
				X509_verify_cert_error_string(v));
			ERR_clear_error();
		} else {
			tls_failed(s, rc, "TLS handshake failed");
		}
		return -1;
	}
	s->tls_up = 1;
	return 0;
}

static int open_send(struct enc_sink *s, const struct enc_options *o)
{
	char hp[512], *host, *port;

	if (strlen(o->send_to) >= sizeof(hp)) {
		fprintf(stderr, ENC_NAME ": --send: HOST:PORT too long\n");
		return -1;
	}
	strcpy(hp, o->send_to);
	if (split_host_port(hp, &host, &port) < 0) {
		fprintf(stderr, ENC_NAME ": --send: expected HOST:PORT or [IPv6]:PORT\n");
		return -1;
	}
	s->fd = tcp_connect(host, port);
	if (s->fd < 0)
		return -1;
	s->close_fd = 1;
	s->net = 1;
	return o->tls ? tls_start(s, o, host) : 0;
}

int enc_sink_open(struct enc_sink *s, const struct enc_options *o)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->cap = SINK_BUF;
	s->buf = malloc(s->cap);
	if (s->buf == NULL) {
		fprintf(stderr, ENC_NAME ": out of memory\n");
		return -1;
	}
	return o->send_to ? open_send(s, o) : open_file(s, o->out_path);
}

static int put_all(struct enc_sink *s, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w;
		if (s->ssl) {
			errno = 0;
			int k = SSL_write(s->ssl, p, n > 0x40000000u ? 0x40000000 : (int)n);
			if (k <= 0) {
				tls_failed(s, k, "cannot send to the receiver (TLS)");
				return -1;
			}
			w = k;
		} else {
			w = write(s->fd, p, n);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				fprintf(stderr, ENC_NAME ": cannot write the output: %s\n",
					errno == EAGAIN ? "timed out" : strerror(errno));
				return -1;
			}
		}
		p += w;
		n -= (size_t)w;
		s->bytes += (uint64_t)w;
	}
	return 0;
}

static int flush(struct enc_sink *s)
{
	if (s->failed)
		return -1;
	if (s->len && put_all(s, s->buf, s->len) < 0) {
		s->failed = 1;
		return -1;
	}
	s->len = 0;
	return 0;
}

uint8_t *enc_sink_reserve(struct enc_sink *s, size_t n)
{
	if (s->failed || n > s->cap)
		return NULL;
	if (s->cap - s->len < n && flush(s) < 0)
		return NULL;
	return s->buf + s->len;
}

void enc_sink_commit(struct enc_sink *s, size_t n)
{
	s->len += n;
}

static int timed_out(void)
{
	return errno == EAGAIN || errno == EWOULDBLOCK;
}

/* TLS: close_notify, then read until the receiver closes too. An alert instead means the
 * receiver refused the session: TLS 1.3 reports a rejected client certificate only after
 * the client's handshake has completed, so without this such a run would pass silently. */
static int tls_finish(struct enc_sink *s, time_t deadline)
{
	uint8_t scratch[4096];

	errno = 0;
	if (SSL_shutdown(s->ssl) < 0) {
		tls_failed(s, -1, "the receiver refused or ended the TLS session");
		return -1;
	}
	for (;;) {
		errno = 0;
		int k = SSL_read(s->ssl, scratch, sizeof(scratch));
		if (k > 0 && time(NULL) < deadline)
			continue; /* anything the receiver says is not part of the stream */
		if (k > 0)
			return 0;
		int e = SSL_get_error(s->ssl, k);
		if (e == SSL_ERROR_ZERO_RETURN || e == SSL_ERROR_WANT_READ ||
		    (e == SSL_ERROR_SYSCALL && timed_out())) {
			ERR_clear_error();
			return 0;
		}
		tls_failed(s, k, "the receiver refused or ended the TLS session");
		return -1;
	}
}

/* After the last byte: tell the receiver and wait briefly for it to close its side, so that a
 * receiver that broke the connection is reported. One that keeps it open is not waited for
 * longer than CLOSE_WAIT_S: everything was handed over. */
static int finish_send(struct enc_sink *s)
{
	struct timeval tv = {.tv_sec = CLOSE_WAIT_S};
	time_t deadline = time(NULL) + CLOSE_WAIT_S; /* also for one that keeps talking */
	uint8_t scratch[4096];

	(void)setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (s->ssl)
		return tls_finish(s, deadline);
	if (shutdown(s->fd, SHUT_WR) < 0) {
		fprintf(stderr, ENC_NAME ": cannot close the connection: %s\n", strerror(errno));
		return -1;
	}
	for (;;) {
		ssize_t r = read(s->fd, scratch, sizeof(scratch));
		if ((r > 0 || (r < 0 && errno == EINTR)) && time(NULL) < deadline)
			continue;
		if (r >= 0 || timed_out() || errno == EINTR)
			return 0;
		fprintf(stderr, ENC_NAME ": the receiver broke the connection: %s\n", strerror(errno));
		return -1;
	}
}

int enc_sink_close(struct enc_sink *s)
{
	int rc = flush(s);

	if (rc == 0 && s->net && (s->ssl == NULL || s->tls_up))
		rc = finish_send(s);
	if (s->ssl)
		SSL_free(s->ssl);
	if (s->ctx)
		SSL_CTX_free(s->ctx);
	if (s->close_fd && close(s->fd) < 0 && rc == 0) {
		fprintf(stderr, ENC_NAME ": cannot write the output: %s\n", strerror(errno));
		rc = -1;
	}
	free(s->buf);
	s->buf = NULL;
	s->ssl = NULL;
	s->ctx = NULL;
	return rc;
}
