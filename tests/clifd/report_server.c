/* The ADMF's HTTPS server for clifd's NE-to-ADMF reports, in a thread of the test (see
 * harness.h). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"


#define MAX_REPORTS 32
static pthread_mutex_t rep_lock = PTHREAD_MUTEX_INITIALIZER;
static char *reports[MAX_REPORTS];
static unsigned n_reports;
static char report_client[256]; /* subject CN of the last report's client certificate */
static int rep_fd = -1;

static void *report_server(void *arg)
{
	SSL_CTX *ctx = arg;

	for (;;) {
		int fd = accept(rep_fd, NULL, NULL);
		if (fd < 0)
			return NULL;
		SSL *ssl = SSL_new(ctx);
		char buf[65536];
		size_t n = 0;
		SSL_set_fd(ssl, fd);
		if (SSL_accept(ssl) != 1)
			goto next;
		for (;;) {
			int r = SSL_read(ssl, buf + n, (int)(sizeof(buf) - 1 - n));
			if (r <= 0)
				goto next;
			n += (size_t)r;
			buf[n] = '\0';
			char *hdr_end = strstr(buf, "\r\n\r\n"), *cl = strcasestr(buf, "Content-Length:");
			if (hdr_end && cl && n >= (size_t)(hdr_end + 4 - buf) + (size_t)atoi(cl + 15))
				break;
		}
		char *body = strstr(buf, "\r\n\r\n") + 4;
		/* Answer with the report's type and transaction id. */
		char type[64] = "", tx[40] = "", resp[2048], out[2300];
		char *t = strstr(body, "xsi:type=\"");
		if (t) {
			t = strchr(t, ':');
			t = t ? strchr(t + 1, ':') : NULL;
		}
		if (t)
			sscanf(t + 1, "%63[A-Za-z]", type);
		char *x = strstr(body, "x1TransactionId>");
		if (x)
			sscanf(x + 16, "%36[0-9a-f-]", tx);
		if (strlen(type) > 7)
			type[strlen(type) - 7] = '\0'; /* drop "Request" */
		int bl = snprintf(resp, sizeof(resp),
				  "<?xml version=\"1.0\"?><x1:X1Response " HX_NS_DECL "><x1:x1ResponseMessage xsi:type=\"x1:%sResponse\">"
				  "<x1:admfIdentifier>" HX_ADMF_ID "</x1:admfIdentifier><x1:neIdentifier>" HX_NE_ID "</x1:neIdentifier>"
				  "<x1:messageTimestamp>2025-01-02T03:04:05.000000Z</x1:messageTimestamp><x1:version>v1.13.1</x1:version>"
				  "<x1:x1TransactionId>%s</x1:x1TransactionId><x1:oK>AcknowledgedAndCompleted</x1:oK>"
				  "</x1:x1ResponseMessage></x1:X1Response>",
				  type, tx);
		int ol = snprintf(out, sizeof(out), "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n"
				  "Connection: close\r\n\r\n%s", bl, resp);
		SSL_write(ssl, out, ol);
		X509 *peer = SSL_get0_peer_certificate(ssl);
		pthread_mutex_lock(&rep_lock);
		if (peer)
			X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, report_client,
						  sizeof(report_client));
		if (n_reports < MAX_REPORTS)
			reports[n_reports++] = strdup(body);
		pthread_mutex_unlock(&rep_lock);
		SSL_shutdown(ssl);
	next:
		SSL_free(ssl);
		close(fd);
	}
}

unsigned hx_report_server_start(void)
{
	char c[300], k[300], ca[300];
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	pthread_t th;
	int one = 1;

	snprintf(c, sizeof(c), "%s/admfsrv.crt", hx.dir);
	snprintf(k, sizeof(k), "%s/admfsrv.key", hx.dir);
	snprintf(ca, sizeof(ca), "%s/ca.crt", hx.dir);
	if (!ctx || SSL_CTX_use_certificate_file(ctx, c, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, k, SSL_FILETYPE_PEM) != 1 || SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1)
		die("report server TLS set-up");
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	rep_fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(rep_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (rep_fd < 0 || bind(rep_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(rep_fd, 8) != 0 ||
	    getsockname(rep_fd, (struct sockaddr *)&sa, &sl) != 0)
		die("report server socket: %s", strerror(errno));
	if (pthread_create(&th, NULL, report_server, ctx) != 0)
		die("pthread_create");
	pthread_detach(th);
	return ntohs(sa.sin_port);
}

unsigned hx_reports_with(const char *a, const char *b)
{
	unsigned n = 0;

	pthread_mutex_lock(&rep_lock);
	for (unsigned i = 0; i < n_reports; i++)
		if (strstr(reports[i], a) && (!b || strstr(reports[i], b)))
			n++;
	pthread_mutex_unlock(&rep_lock);
	return n;
}

unsigned hx_wait_report(const char *a, const char *b, unsigned ms)
{
	unsigned n = hx_reports_with(a, b);

	for (unsigned i = 0; i < ms / 20 && n == 0; i++) {
		nap_us(20000);
		n = hx_reports_with(a, b);
	}
	return n;
}

const char *hx_report_client(void)
{
	static char copy[sizeof(report_client)];

	pthread_mutex_lock(&rep_lock);
	memcpy(copy, report_client, sizeof(copy));
	pthread_mutex_unlock(&rep_lock);
	return copy;
}
