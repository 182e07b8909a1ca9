/* The network side: a TCP listener, optional TLS (OpenSSL, TLS 1.2 or later, client
 * certificates checked against a CA when one is configured), one thread per connection. */
#include "lemf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"

static SSL_CTX *tls_ctx;
static int wake_pipe[2] = {-1, -1};
static atomic_int stop_requested;
static atomic_int strict_tripped;

struct conn_thread {
	struct conn_thread *next;
	struct lemf_conn c;
	pthread_t th;
	int fd;
	SSL *ssl;
	atomic_int done;
	char peer[INET6_ADDRSTRLEN + 8];
};

static pthread_mutex_t list_lock = PTHREAD_MUTEX_INITIALIZER;
static struct conn_thread *threads;

static void tls_error(const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256];
	ERR_error_string_n(e, buf, sizeof(buf));
	fprintf(stderr, "clif-lemf: %s: %s\n", what, e ? buf : "no detail");
	ERR_clear_error();
}

int lemf_tls_setup(const char *cert, const char *key, const char *ca)
{
	tls_ctx = SSL_CTX_new(TLS_server_method());
	if (tls_ctx == NULL) {
		tls_error("TLS context");
		return -1;
	}
	SSL_CTX_set_min_proto_version(tls_ctx, TLS1_2_VERSION);
	if (SSL_CTX_use_certificate_chain_file(tls_ctx, cert) != 1) {
		tls_error("loading the server certificate");
		return -1;
	}
	if (SSL_CTX_use_PrivateKey_file(tls_ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(tls_ctx) != 1) {
		tls_error("loading the server key");
		return -1;
	}
	if (ca) {
		if (SSL_CTX_load_verify_locations(tls_ctx, ca, NULL) != 1) {
			tls_error("loading the client CA");
			return -1;
		}
		SSL_CTX_set_verify(tls_ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	}
	return 0;
}

void lemf_request_stop(void)
{
	atomic_store(&stop_requested, 1);
	if (wake_pipe[1] >= 0) {
		char b = 's';
		ssize_t r = write(wake_pipe[1], &b, 1);
		(void)r;
	}
}

int lemf_strict_tripped(void)
{
	return atomic_load(&strict_tripped);
}

static int send_all(struct lemf_conn *c, const uint8_t *buf, size_t len)
{
	struct conn_thread *t = c->io;
	while (len > 0) {
		ssize_t n;
		if (t->ssl) {
			int w = SSL_write(t->ssl, buf, (int)len);
			n = w > 0 ? w : -1;
		} else {
			n = send(t->fd, buf, len, MSG_NOSIGNAL);
			if (n < 0 && errno == EINTR)
				continue;
		}
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static void *conn_main(void *arg)
{
	struct conn_thread *t = arg;
	uint8_t buf[65536];
	if (tls_ctx) {
		t->ssl = SSL_new(tls_ctx);
		if (t->ssl == NULL || SSL_set_fd(t->ssl, t->fd) != 1 || SSL_accept(t->ssl) != 1) {
			char what[96];
			snprintf(what, sizeof(what), "connection %u: TLS handshake failed", t->c.id);
			tls_error(what);
			char j[128] = "";
			lemf_jcat(j, sizeof(j), "\"event\":\"tls_refused\"");
			lemf_sink_event(&t->c, j);
			goto out;
		}
	}
	if (lemf_conn_open(&t->c) != 0)
		goto out;
	for (;;) {
		ssize_t n;
		if (t->ssl) {
			int r = SSL_read(t->ssl, buf, sizeof(buf));
			n = r > 0 ? r : (SSL_get_error(t->ssl, r) == SSL_ERROR_ZERO_RETURN ? 0 : -1);
		} else {
			n = recv(t->fd, buf, sizeof(buf), 0);
			if (n < 0 && errno == EINTR)
				continue;
		}
		if (n <= 0)
			break;
		if (lemf_conn_input(&t->c, buf, (size_t)n) != 0)
			break;
	}
	if (lemf_conn_close(&t->c) != 0 && lemf_opts.strict) {
		atomic_store(&strict_tripped, 1);
		lemf_request_stop();
	}
out:
	if (t->ssl) {
		SSL_shutdown(t->ssl);
		SSL_free(t->ssl);
		t->ssl = NULL;
	}
	atomic_store(&t->done, 1);
	if (wake_pipe[1] >= 0) {
		char b = 'c';
		ssize_t r = write(wake_pipe[1], &b, 1);
		(void)r;
	}
	return NULL;
}

/* "PORT", "ADDR:PORT" or "[V6ADDR]:PORT". */
static int open_listener(const char *spec, int *port_out)
{
	char host[256] = "", port[16];
	const char *colon = strrchr(spec, ':');
	if (spec[0] == '[') {
		const char *end = strchr(spec, ']');
		if (end == NULL || end[1] != ':' || (size_t)(end - spec - 1) >= sizeof(host))
			return -2;
		memcpy(host, spec + 1, (size_t)(end - spec - 1));
		snprintf(port, sizeof(port), "%s", end + 2);
	} else if (colon) {
		if ((size_t)(colon - spec) >= sizeof(host))
			return -2;
		memcpy(host, spec, (size_t)(colon - spec));
		snprintf(port, sizeof(port), "%s", colon + 1);
	} else {
		snprintf(port, sizeof(port), "%s", spec);
	}
	char *endp;
	long pv = strtol(port, &endp, 10);
	if (port[0] == '\0' || *endp != '\0' || pv < 0 || pv > 65535)
		return -2;
	struct addrinfo hints = {0}, *res = NULL;
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
	int g = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
	if (g != 0) {
		fprintf(stderr, "clif-lemf: listen address: %s\n", gai_strerror(g));
		return -2;
	}
	int fd = -1;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 64) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		fprintf(stderr, "clif-lemf: cannot listen on %s: %s\n", spec, strerror(errno));
		return -1;
	}
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	*port_out = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
						   : ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

static void peer_text(const struct sockaddr_storage *ss, char *out, size_t cap)
{
	char a[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		port = ntohs(s4->sin_port);
		snprintf(out, cap, "%s:%u", a, port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		port = ntohs(s6->sin6_port);
		snprintf(out, cap, "[%s]:%u", a, port);
	} else {
		snprintf(out, cap, "?");
	}
}

/* Joins finished threads; returns how many ended. */
static unsigned reap(int all)
{
	unsigned ended = 0;
	pthread_mutex_lock(&list_lock);
	struct conn_thread **pp = &threads;
	while (*pp) {
		struct conn_thread *t = *pp;
		if (all && !atomic_load(&t->done))
			shutdown(t->fd, SHUT_RDWR);
		if (all || atomic_load(&t->done)) {
			pthread_mutex_unlock(&list_lock);
			pthread_join(t->th, NULL);
			pthread_mutex_lock(&list_lock);
			*pp = t->next;
			close(t->fd);
			free(t);
			ended++;
		} else {
			pp = &t->next;
		}
	}
	pthread_mutex_unlock(&list_lock);
	return ended;
}

int lemf_serve(const char *listen_spec, const char *port_file, unsigned max_conns, unsigned first_id)
{
	int port = 0;
	int lfd = open_listener(listen_spec, &port);
	if (lfd < 0)
		return lfd == -2 ? 2 : 1;
	if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		close(lfd);
		return 1;
	}
	if (!lemf_opts.quiet)
		fprintf(stderr, "clif-lemf: listening on port %d%s\n", port, tls_ctx ? " (TLS)" : "");
	if (port_file) {
		FILE *f = fopen(port_file, "w");
		if (f == NULL || fprintf(f, "%d\n", port) < 0 || fclose(f) != 0) {
			fprintf(stderr, "clif-lemf: cannot write the port file\n");
			close(lfd);
			return 1;
		}
	}
	unsigned next_id = first_id, ended = 0;
	while (!atomic_load(&stop_requested) && (max_conns == 0 || ended < max_conns)) {
		/* the wake pipe first, so that a full house polls only it */
		struct pollfd pf[2] = {{.fd = wake_pipe[0], .events = POLLIN}, {.fd = lfd, .events = POLLIN}};
		int accepting = max_conns == 0 || next_id - first_id < max_conns;
		/* Every 200 ms without a new connection the outputs are flushed, so that what has
		 * arrived can be read while connections stay open (a demo, a test waiting for data). */
		int pr = poll(pf, accepting ? 2 : 1, 200);
		if (pr < 0 && errno != EINTR)
			break;
		if (pr == 0) {
			lemf_sink_flush();
			continue;
		}
		if (pf[0].revents & POLLIN) {
			char drainbuf[64];
			while (read(wake_pipe[0], drainbuf, sizeof(drainbuf)) > 0)
				;
		}
		ended += reap(0);
		if (!accepting || !(pf[1].revents & POLLIN))
			continue;
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		struct conn_thread *t = calloc(1, sizeof(*t));
		if (t == NULL) {
			close(fd);
			continue;
		}
		t->fd = fd;
		peer_text(&ss, t->peer, sizeof(t->peer));
		t->c.id = next_id++;
		t->c.peer = t->peer;
		t->c.reply = send_all;
		t->c.io = t;
		if (pthread_create(&t->th, NULL, conn_main, t) != 0) {
			close(fd);
			free(t);
			continue;
		}
		pthread_mutex_lock(&list_lock);
		t->next = threads;
		threads = t;
		pthread_mutex_unlock(&list_lock);
	}
	close(lfd);
	reap(1);
	close(wake_pipe[0]);
	close(wake_pipe[1]);
	wake_pipe[0] = wake_pipe[1] = -1;
	if (tls_ctx)
		SSL_CTX_free(tls_ctx);
	return atomic_load(&strict_tripped) ? 3 : 0;
}
