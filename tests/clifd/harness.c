/* Running the real clifd from C tests and benchmarks: see harness.h. */
#define _GNU_SOURCE
#include "harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libclif.h"

extern char **environ;

struct hx_env hx;

static unsigned txn; /* x1TransactionIds handed out */

/* ---- set-up and clean-up ---- */

void hx_cleanup(void)
{
	char cmd[300];

	hx_stop_clifd(SIGKILL);
	if (hx.ctl) {
		clif_close(hx.ctl);
		hx.ctl = NULL;
	}
	cardsim_kill(); /* when called directly rather than from cardsim's own cleanup */
	if (hx.dir[0] && !getenv("CLIFD_TEST_KEEP")) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", hx.dir);
		if (system(cmd) != 0)
			printf("%s: cannot remove %s\n", cardsim_prog, hx.dir);
		hx.dir[0] = '\0';
	}
}

void hx_init(const char *prog, const char *bindir)
{
	char tmpl[64];

	cardsim_prog = prog;
	cardsim_on_cleanup = hx_cleanup;
	signal(SIGPIPE, SIG_IGN);
	snprintf(hx.bindir, sizeof(hx.bindir), "%s", bindir);
	snprintf(tmpl, sizeof(tmpl), "/tmp/%s-XXXXXX", prog);
	if (!mkdtemp(tmpl))
		die("mkdtemp: %s", strerror(errno));
	snprintf(hx.dir, sizeof(hx.dir), "%s", tmpl);
	snprintf(hx.conf, sizeof(hx.conf), "%s/clifd.conf", hx.dir);
	snprintf(hx.state, sizeof(hx.state), "%s/state", hx.dir);
	snprintf(hx.sock_path, sizeof(hx.sock_path), "%s/clifd.sock", hx.state);
	/* Away from the instances other suites pick, so that suites can run side by side. */
	hx.card_inst = 2000u + (uint32_t)getpid() % 20000u;
	snprintf(hx.card_name, sizeof(hx.card_name), "sim:%u", hx.card_inst);
	hx.port = hx_free_port();
}

/* ---- files and commands ---- */

int hx_run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 255;
}

void hx_sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		die("command failed: %s", cmd);
}

char *hx_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	size_t n = 0, cap = 0, r;

	if (!f)
		return NULL;
	do {
		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 65536;
			b = realloc(b, cap + 1);
			if (!b)
				die("out of memory");
		}
		r = fread(b + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	fclose(f);
	b[n] = '\0';
	if (len)
		*len = n;
	return b;
}

void hx_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		die("cannot write %s", path);
}

/* ---- the PKI ---- */

static void make_cert(const char *ca, const char *name, const char *subject, const char *ext)
{
	hx_sh("cd '%s' && openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout %s.key -out %s.csr "
	      "-subj '%s' 2>/dev/null && printf '%s' > %s.ext && openssl x509 -req -in %s.csr -CA %s.crt -CAkey %s.key "
	      "-CAcreateserial -out %s.crt -days 2 -extfile %s.ext 2>/dev/null",
	      hx.dir, name, name, subject, ext, name, name, ca, ca, name, name);
}

void hx_make_pki(void)
{
	hx_sh("cd '%s' && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt "
	      "-days 2 -subj '/CN=clifd test CA' 2>/dev/null && openssl req -x509 -newkey ec -pkeyopt "
	      "ec_paramgen_curve:P-256 -nodes -keyout foreign.key -out foreign.crt -days 2 -subj '/CN=foreign CA' 2>/dev/null",
	      hx.dir);
	make_cert("ca", "admf", "/O=Test Operator/CN=" HX_ADMF_ID, "extendedKeyUsage=clientAuth\n");
	make_cert("ca", "admf2", "/O=Test Operator/CN=admf-other", "extendedKeyUsage=clientAuth\n");
	make_cert("foreign", "stranger", "/CN=" HX_ADMF_ID, "extendedKeyUsage=clientAuth\n");
	/* The NE's certificate is also its client certificate for the reports. */
	make_cert("ca", "ne", "/CN=" HX_NE_ID, "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n");
	make_cert("ca", "admfsrv", "/CN=admf-report-server", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
	/* LEMFs clifd delivers to: the right one, one from a CA clifd does not trust, one whose
	 * certificate names another address. */
	make_cert("ca", "lemf", "/CN=lemf-test", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
	make_cert("foreign", "lemfforeign", "/CN=lemf-test", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
	make_cert("ca", "lemfname", "/CN=lemf-test", "subjectAltName=IP:127.0.0.2\nextendedKeyUsage=serverAuth\n");
}

unsigned hx_free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	unsigned p;

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl) != 0)
		die("no free port: %s", strerror(errno));
	p = ntohs(sa.sin_port);
	close(fd);
	return p;
}

/* ---- the card ---- */

static int try_open(void *ctx)
{
	(void)ctx;
	int rc = clif_open_control(hx.card_name, NULL, &hx.ctl);
	if (rc == CLIF_E_NODEV)
		return 0;
	check_rc(rc, "clif_open_control");
	return 1;
}

void hx_card_start(const char *const *args)
{
	static const char *const none[] = { NULL };

	cardsim_start(hx.bindir, hx.card_inst, args ? args : none);
	cardsim_wait_up(try_open, NULL, 10000, 10000);
}

unsigned hx_card_rules(void)
{
	struct clif_rule_counter rc[256];
	uint32_t n = 0, total = 0, first = 1;

	for (;;) {
		check_rc(clif_rule_counters(hx.ctl, first, rc, 256, &n), "clif_rule_counters");
		for (uint32_t i = 0; i < n; i++)
			if (rc[i].handle < 0x80000000u)
				total++;
		if (n < 256)
			break;
		first = rc[n - 1].handle + 1;
	}
	return total;
}

unsigned hx_wait_rules(unsigned want, unsigned ms)
{
	unsigned n = hx_card_rules();

	for (unsigned i = 0; i < ms / 20 && n != want; i++) {
		nap_us(20000);
		n = hx_card_rules();
	}
	return n;
}

/* ---- clifd ---- */

void hx_write_config(const struct hx_config *c)
{
	char text[4096], report[128] = "";

	if (c->report_port)
		snprintf(report, sizeof(report), "admf_report_url = https://127.0.0.1:%u/X1/ADMF\n", c->report_port);
	snprintf(text, sizeof(text),
		 "# clifd test configuration\n"
		 "ne_identifier = " HX_NE_ID "\n"
		 "admf_identifier = " HX_ADMF_ID "\n"
		 "x1_listen = 127.0.0.1:%u\n"
		 "tls_cert = %s/ne.crt\n"
		 "tls_key = %s/ne.key\n"
		 "tls_ca = %s/ca.crt\n"
		 "state_dir = %s\n"
		 "card = %s\n"
		 "time_p2 = %u\n"
		 "max_body = %u\n"
		 "%s"
		 "card_poll_ms = %u\n"
		 "card_heartbeat_ms = %u\n"
		 "log_level = %s\n%s",
		 hx.port, hx.dir, hx.dir, hx.dir, hx.state, hx.card_name, c->time_p2, c->max_body, report,
		 c->card_poll_ms, c->card_heartbeat_ms, c->log_level, c->extra ? c->extra : "");
	hx_write_file(hx.conf, text);
}

int hx_port_open(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)hx.port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

	ok = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

void hx_start_clifd(void)
{
	char path[600], log[300];
	char *argv[] = { path, "-c", hx.conf, "-f", NULL };
	posix_spawn_file_actions_t fa;
	int st;

	snprintf(path, sizeof(path), "%s/clifd", hx.bindir);
	snprintf(log, sizeof(log), "%s/clifd.log", hx.dir);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	if (posix_spawn(&hx.clifd_pid, path, &fa, NULL, argv, environ) != 0)
		die("cannot start %s", path);
	posix_spawn_file_actions_destroy(&fa);
	for (int i = 0; i < 1000; i++) {
		if (waitpid(hx.clifd_pid, &st, WNOHANG) == hx.clifd_pid) {
			hx.clifd_pid = 0;
			die("clifd exited during start-up (status %d); see %s", st, log);
		}
		if (hx_port_open())
			return;
		nap_us(10000);
	}
	die("clifd not listening after 10 s");
}

void hx_stop_clifd(int sig)
{
	int st;

	if (hx.clifd_pid <= 0)
		return;
	kill(hx.clifd_pid, sig);
	for (int i = 0; i < 500 && waitpid(hx.clifd_pid, &st, WNOHANG) == 0; i++)
		nap_us(10000);
	if (waitpid(hx.clifd_pid, &st, WNOHANG) == 0) {
		kill(hx.clifd_pid, SIGKILL);
		waitpid(hx.clifd_pid, &st, 0);
	}
	hx.clifd_pid = 0;
}

int hx_clifd_alive(void)
{
	return hx.clifd_pid > 0 && waitpid(hx.clifd_pid, NULL, WNOHANG) == 0;
}

char *hx_mgmt(const char *cmd)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	static char out[8192];
	size_t n = 0;

	out[0] = '\0';
	memcpy(sun.sun_path, hx.sock_path, sizeof(hx.sock_path));
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		if (fd >= 0)
			close(fd);
		return out;
	}
	if (write(fd, cmd, strlen(cmd)) < 0 || write(fd, "\n", 1) < 0) {
		close(fd);
		return out;
	}
	/* read until the closing "ok" / "error" line */
	for (int i = 0; i < 200 && n < sizeof(out) - 1; i++) {
		struct pollfd p = { fd, POLLIN, 0 };
		if (poll(&p, 1, 50) <= 0)
			continue;
		ssize_t r = read(fd, out + n, sizeof(out) - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
		out[n] = '\0';
		if (strstr(out, "ok\n") == out || strstr(out, "\nok\n") || strstr(out, "error "))
			break;
	}
	close(fd);
	return out;
}

unsigned long long hx_status_value(const char *status, const char *line, const char *key)
{
	const char *l, *end, *k;
	char pat[64];
	size_t ll = strlen(line);

	if (!status)
		status = hx_mgmt("status");
	snprintf(pat, sizeof(pat), " %s ", key);
	for (l = status; *l; l = end + 1) {
		end = strchr(l, '\n');
		if (!end)
			end = l + strlen(l) - 1;
		if (strncmp(l, line, ll) != 0 || l[ll] != ' ')
			continue;
		k = strstr(l + ll, pat);
		return k && k < end ? strtoull(k + strlen(pat), NULL, 10) : ~0ull;
	}
	return ~0ull;
}

int hx_audit_has(const char *needle)
{
	char path[300];
	char *log;
	int found;

	snprintf(path, sizeof(path), "%s/audit.log", hx.state);
	log = hx_read_file(path, NULL);
	found = log && strstr(log, needle) != NULL;
	free(log);
	return found;
}

/* ---- HTTPS ---- */

void hx_http_free(struct hx_http *h)
{
	free(h->body);
	memset(h, 0, sizeof(*h));
}

/* A client context trusting ca.crt, with NAME's certificate when name is set. */
static SSL_CTX *client_ctx(const char *name)
{
	char path[300], kpath[300];
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (!ctx)
		die("SSL_CTX_new");
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	snprintf(path, sizeof(path), "%s/ca.crt", hx.dir);
	if (SSL_CTX_load_verify_locations(ctx, path, NULL) != 1)
		die("load %s", path);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	if (name) {
		snprintf(path, sizeof(path), "%s/%s.crt", hx.dir, name);
		snprintf(kpath, sizeof(kpath), "%s/%s.key", hx.dir, name);
		if (SSL_CTX_use_certificate_file(ctx, path, SSL_FILETYPE_PEM) != 1 ||
		    SSL_CTX_use_PrivateKey_file(ctx, kpath, SSL_FILETYPE_PEM) != 1)
			die("load %s", path);
	}
	return ctx;
}

/* TCP to the X1 port and a TLS handshake; NULL (and *fd -1) when either fails. */
static SSL *tls_connect(SSL_CTX *ctx, int *fd)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)hx.port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	SSL *ssl;

	*fd = socket(AF_INET, SOCK_STREAM, 0);
	if (*fd < 0)
		return NULL;
	if (connect(*fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(*fd);
		*fd = -1;
		return NULL;
	}
	ssl = SSL_new(ctx);
	if (!ssl)
		die("SSL_new");
	X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), "127.0.0.1");
	SSL_set_fd(ssl, *fd);
	if (SSL_connect(ssl) != 1) {
		SSL_free(ssl);
		close(*fd);
		*fd = -1;
		ERR_clear_error();
		return NULL;
	}
	return ssl;
}

void hx_https_raw(const char *name, const char *raw, size_t raw_len, struct hx_http *h)
{
	SSL_CTX *ctx = client_ctx(name);
	int fd;
	SSL *ssl = tls_connect(ctx, &fd);
	char *buf = NULL;
	size_t n = 0, cap = 0;

	memset(h, 0, sizeof(*h));
	if (!ssl)
		goto out;
	for (size_t off = 0; off < raw_len;) {
		int w = SSL_write(ssl, raw + off, (int)(raw_len - off > 16384 ? 16384 : raw_len - off));
		if (w <= 0)
			break; /* the server may answer (413) before reading it all */
		off += (size_t)w;
	}
	for (;;) {
		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 16384;
			buf = realloc(buf, cap + 1);
			if (!buf)
				die("out of memory");
		}
		int r = SSL_read(ssl, buf + n, (int)(cap - n));
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	if (buf && n > 12 && strncmp(buf, "HTTP/1.1 ", 9) == 0) {
		buf[n] = '\0';
		h->status = atoi(buf + 9);
		char *b = strstr(buf, "\r\n\r\n");
		if (b) {
			h->len = n - (size_t)(b + 4 - buf);
			h->body = malloc(h->len + 1);
			if (!h->body)
				die("out of memory");
			memcpy(h->body, b + 4, h->len);
			h->body[h->len] = '\0';
		}
	}
out:
	free(buf);
	if (ssl)
		SSL_free(ssl);
	if (fd >= 0)
		close(fd);
	SSL_CTX_free(ctx);
	ERR_clear_error();
}

void hx_post(const char *name, const char *body, struct hx_http *h)
{
	size_t bl = strlen(body);
	char *raw = malloc(bl + 512);
	int hl;

	if (!raw)
		die("out of memory");
	hl = snprintf(raw, 512,
		      "POST /X1/NE HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nContent-Type: text/xml\r\n"
		      "Content-Length: %zu\r\nConnection: close\r\n\r\n",
		      hx.port, bl);
	memcpy(raw + hl, body, bl);
	hx_https_raw(name, raw, (size_t)hl + bl, h);
	free(raw);
}

struct hx_conn {
	SSL_CTX *ctx;
	SSL *ssl;
	int fd;
	char *out;        /* the request being sent */
	size_t out_cap;
	char *in;         /* the answer: headers, then body */
	size_t in_cap;
};

struct hx_conn *hx_conn_open(const char *name)
{
	struct hx_conn *c = calloc(1, sizeof(*c));
	int one = 1;

	if (!c)
		die("out of memory");
	c->ctx = client_ctx(name);
	c->ssl = tls_connect(c->ctx, &c->fd);
	if (!c->ssl) {
		SSL_CTX_free(c->ctx);
		free(c);
		return NULL;
	}
	/* A request is one write: nothing to gain from Nagle, a delayed ACK to lose. */
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return c;
}

static void grow(char **b, size_t *cap, size_t want)
{
	if (want <= *cap)
		return;
	size_t n = *cap ? *cap : 65536;
	while (n < want)
		n *= 2;
	*b = realloc(*b, n);
	if (!*b)
		die("out of memory");
	*cap = n;
}

int hx_conn_post(struct hx_conn *c, const char *body, size_t len, const char **resp, size_t *resp_len,
		 int *closing)
{
	size_t n = 0, hl, want;
	char *end, *cl;
	int w;

	*resp = NULL;
	*resp_len = 0;
	if (closing)
		*closing = 0;
	grow(&c->out, &c->out_cap, len + 256);
	w = snprintf(c->out, 256, "POST /X1/NE HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nContent-Type: text/xml\r\n"
			       "Content-Length: %zu\r\n\r\n", hx.port, len);
	memcpy(c->out + w, body, len);
	/* One SSL_write: one TLS record (or a few for big bodies), one segment where it fits. */
	if (SSL_write(c->ssl, c->out, (int)((size_t)w + len)) != (int)((size_t)w + len))
		return -1;
	for (;;) {
		grow(&c->in, &c->in_cap, n + 16384 + 1);
		int r = SSL_read(c->ssl, c->in + n, (int)(c->in_cap - n - 1));
		if (r <= 0)
			return -1;
		n += (size_t)r;
		c->in[n] = '\0';
		end = strstr(c->in, "\r\n\r\n");
		if (end)
			break;
	}
	hl = (size_t)(end + 4 - c->in);
	*end = '\0'; /* header search stays inside the headers */
	cl = strcasestr(c->in, "\r\nContent-Length:");
	if (strncmp(c->in, "HTTP/1.1 ", 9) != 0 || !cl)
		return -1;
	want = hl + strtoul(cl + 17, NULL, 10);
	if (closing && strcasestr(c->in, "\r\nConnection: close"))
		*closing = 1;
	int status = atoi(c->in + 9);
	*end = '\r';
	grow(&c->in, &c->in_cap, want + 1);
	while (n < want) {
		int r = SSL_read(c->ssl, c->in + n, (int)(want - n));
		if (r <= 0)
			return -1;
		n += (size_t)r;
	}
	if (n != want) /* X1 forbids pipelining: nothing may follow the answer */
		return -1;
	c->in[n] = '\0';
	*resp = c->in + hl;
	*resp_len = want - hl;
	return status;
}

void hx_conn_close(struct hx_conn *c)
{
	if (!c)
		return;
	SSL_shutdown(c->ssl);
	SSL_free(c->ssl);
	close(c->fd);
	SSL_CTX_free(c->ctx);
	free(c->out);
	free(c->in);
	free(c);
	ERR_clear_error();
}

/* ---- X1 documents ---- */

char *hx_msg_x(const char *type, const char *admf, const char *ne, const char *version, const char *payload)
{
	char *m;

	txn++;
	if (asprintf(&m,
		     "<x1:x1RequestMessage xsi:type=\"x1:%sRequest\">"
		     "<x1:admfIdentifier>%s</x1:admfIdentifier><x1:neIdentifier>%s</x1:neIdentifier>"
		     "<x1:messageTimestamp>2025-01-02T03:04:05.123456Z</x1:messageTimestamp>"
		     "<x1:version>%s</x1:version>"
		     "<x1:x1TransactionId>7d1c0000-0000-4000-8000-%012x</x1:x1TransactionId>%s"
		     "</x1:x1RequestMessage>",
		     type, admf, ne, version, txn, payload ? payload : "") < 0)
		die("out of memory");
	return m;
}

char *hx_msg(const char *type, const char *payload)
{
	return hx_msg_x(type, HX_ADMF_ID, HX_NE_ID, HX_X1_VERSION, payload);
}

char *hx_doc_of(char *msgs)
{
	char *d;

	if (asprintf(&d, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<x1:X1Request " HX_NS_DECL ">%s</x1:X1Request>",
		     msgs) < 0)
		die("out of memory");
	free(msgs);
	return d;
}

char *hx_doc(const char *type, const char *payload)
{
	return hx_doc_of(hx_msg(type, payload));
}

int hx_x1_ok(const char *type, const char *payload, struct hx_http *h)
{
	char *doc = hx_doc(type, payload);

	hx_post("admf", doc, h);
	free(doc);
	return h->status == 200 && h->body && strstr(h->body, "AcknowledgedAndCompleted") != NULL;
}

char *hx_task_xml(const char *xid, const char *targets, const char *delivery, const char *dids)
{
	char *p;

	if (asprintf(&p,
		     "<x1:taskDetails><x1:xId>%s</x1:xId><x1:targetIdentifiers>%s</x1:targetIdentifiers>"
		     "<x1:deliveryType>%s</x1:deliveryType><x1:listOfDIDs>%s</x1:listOfDIDs>"
		     "<x1:listOfMediationDetails><x1:mediationDetails><x1:LIID>LIID-TEST-1</x1:LIID>"
		     "<x1:deliveryType>HI2andHI3</x1:deliveryType></x1:mediationDetails></x1:listOfMediationDetails>"
		     "</x1:taskDetails>",
		     xid, targets, delivery, dids) < 0)
		die("out of memory");
	return p;
}

char *hx_dest_xml(const char *did, const char *delivery, const char *ip, unsigned tcp_port)
{
	char *p;

	if (asprintf(&p,
		     "<x1:destinationDetails><x1:dId>%s</x1:dId><x1:friendlyName>LEMF %u</x1:friendlyName>"
		     "<x1:deliveryType>%s</x1:deliveryType><x1:deliveryAddress><x1:ipAddressAndPort>"
		     "<c:address><c:IPv4Address>%s</c:IPv4Address></c:address>"
		     "<c:port><c:TCPPort>%u</c:TCPPort></c:port></x1:ipAddressAndPort></x1:deliveryAddress>"
		     "</x1:destinationDetails>",
		     did, tcp_port, delivery, ip, tcp_port) < 0)
		die("out of memory");
	return p;
}

char *hx_tag(const char *name, const char *value)
{
	char *p;

	if (asprintf(&p, "<x1:%s>%s</x1:%s>", name, value, name) < 0)
		die("out of memory");
	return p;
}

/* ---- clif-lemf receivers ---- */

void hx_lemf_start(struct hx_lemf *l)
{
	char bin[600], listen[32], crt[256], key[256], ca[256], raw[256], log[256];
	char *argv[] = { bin, "-o", l->dir, "-l", listen, "--tls-cert", crt, "--tls-key", key, "--tls-ca", ca,
			 "--raw", raw, "-q", NULL };
	posix_spawn_file_actions_t fa;

	if (!l->port)
		l->port = hx_free_port();
	snprintf(bin, sizeof(bin), "%s/clif-lemf", hx.bindir);
	snprintf(l->dir, sizeof(l->dir), "%s/%s", hx.dir, l->name);
	snprintf(listen, sizeof(listen), "127.0.0.1:%u", l->port);
	snprintf(crt, sizeof(crt), "%s/%s.crt", hx.dir, l->cert);
	snprintf(key, sizeof(key), "%s/%s.key", hx.dir, l->cert);
	snprintf(ca, sizeof(ca), "%s/ca.crt", hx.dir);
	snprintf(raw, sizeof(raw), "%s/%s-raw", hx.dir, l->name);
	snprintf(log, sizeof(log), "%s/%s.log", hx.dir, l->name);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	if (posix_spawn(&l->pid, bin, &fa, NULL, argv, environ) != 0)
		die("cannot start %s", bin);
	posix_spawn_file_actions_destroy(&fa);
	for (int i = 0; i < 500; i++) { /* up when it accepts (a bare connect is harmless) */
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)l->port),
					  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		int fd = socket(AF_INET, SOCK_STREAM, 0), ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
		close(fd);
		if (ok)
			return;
		nap_us(20000);
	}
	die("%s did not come up", l->name);
}

void hx_lemf_stop(struct hx_lemf *l, int sig)
{
	int st;

	if (!l->pid)
		return;
	kill(l->pid, sig);
	waitpid(l->pid, &st, 0);
	l->pid = 0;
}

unsigned hx_lemf_events(const struct hx_lemf *l, const char *n1, const char *n2)
{
	char path[300];
	char *text, *line;
	unsigned n = 0;

	snprintf(path, sizeof(path), "%s/events.jsonl", l->dir);
	text = hx_read_file(path, NULL);
	if (!text)
		return 0;
	for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		if (strstr(line, n1) && (!n2 || strstr(line, n2)))
			n++;
	free(text);
	return n;
}
