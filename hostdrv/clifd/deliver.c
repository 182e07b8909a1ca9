/* The TS 102 232-1 / TS 103 221-2 sender for one destination: queue, resend buffer, TLS
 * client, keep-alive (see deliver.h for the behaviour). The two protocols share everything but
 * the keep-alive PDU built and the replies framed and recognised (d->x2x3). One sender
 * thread per destination owns the connection, the resend buffer and the keep-alive state;
 * submitters only touch the queue, under d->mu. */
#include "deliver.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "../etsi/etsi_pdu.h"
#include "../etsi/etsi_stream.h"
#include "../etsi/x2x3.h"
#include "spool.h"

#define DEFAULT_MAX_PDU (65535u + 256u)
#define RX_MAX_PDU 4096u /* the LEMF only sends keep-alive answers back */
/* PDUs are written in batches of up to this many bytes (one SSL_write: a few TLS records and
 * one system call instead of one of each per PDU), or one PDU when it alone is larger. */
#define BATCH_BYTES 65536u
#define BATCH_PDUS 512u
/* While PDUs flow, the socket is read (keep-alive answers) at most this often. */
#define READ_EVERY_MS 10u
/* A graceful close waits this long for the LEMF to close its side. */
#define CLOSE_WAIT_MS 1000u

/* A byte ring of records: a native u32 length, then that many bytes; both may wrap. */
struct ring {
	uint8_t *b;
	size_t cap, head, used;
};

static void ring_copy_in(struct ring *r, size_t pos, const void *src, size_t n)
{
	size_t first = r->cap - pos < n ? r->cap - pos : n;
	memcpy(r->b + pos, src, first);
	memcpy(r->b, (const uint8_t *)src + first, n - first);
}

static void ring_copy_out(const struct ring *r, size_t pos, void *dst, size_t n)
{
	size_t first = r->cap - pos < n ? r->cap - pos : n;
	memcpy(dst, r->b + pos, first);
	memcpy((uint8_t *)dst + first, r->b, n - first);
}

/* Appends one record; the caller made sure 4 + n <= r->cap - r->used. */
static void ring_push(struct ring *r, const uint8_t *p, size_t n)
{
	uint32_t len = (uint32_t)n;
	size_t tail = (r->head + r->used) % r->cap;
	ring_copy_in(r, tail, &len, 4);
	ring_copy_in(r, (tail + 4) % r->cap, p, n);
	r->used += 4 + n;
}

static uint32_t ring_len_at(const struct ring *r, size_t pos)
{
	uint32_t len;
	ring_copy_out(r, pos, &len, 4);
	return len;
}

static void ring_drop(struct ring *r)
{
	uint32_t len = ring_len_at(r, r->head);
	r->head = (r->head + 4 + len) % r->cap;
	r->used -= 4 + (size_t)len;
}

struct deliver {
	/* configuration (copied) */
	char host[256], server_name[256];
	char port[8];
	unsigned time1, time2, time3, backoff_init, backoff_max;
	size_t max_pdu;
	int x2x3;           /* protocol DELIVER_X2X3 */
	SSL_CTX *ctx;
	struct etsi_cc_ctx ka_ctx; /* TS 102 232-1 only */
	struct etsi_seq ka_seq;    /* keep-alive numbers, in either protocol */

	/* shared with submitters, under mu */
	pthread_mutex_t mu;
	pthread_cond_t drained;
	struct ring q;
	struct spool sp;    /* fd -1: no spool */
	int inflight, sleeping, stop;
	struct deliver_stats st;

	/* the sender thread's own */
	pthread_t thread;
	int evfd;
	int fd;
	SSL *ssl;
	struct etsi_stream rx;
	struct ring resend; /* cap 0: no resend buffer */
	uint8_t *scratch;   /* the batch taken from the queue (max(max_pdu, BATCH_BYTES)) */
	size_t scratch_cap;
	uint32_t batch_len[BATCH_PDUS]; /* the batch's PDU lengths */
	uint64_t last_read_ms;
	int ever_connected;
	uint64_t last_write_ms;
	int ka_waiting, ka_retried;
	uint64_t ka_first_ms, ka_last_ms;
	uint32_t ka_first_seq, ka_last_seq;
};

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t real_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int stopping(struct deliver *d)
{
	pthread_mutex_lock(&d->mu);
	int s = d->stop;
	pthread_mutex_unlock(&d->mu);
	return s;
}

static void drain_evfd(struct deliver *d)
{
	uint64_t v;
	if (read(d->evfd, &v, sizeof v) < 0 && errno != EAGAIN)
		return;
}

/* Waits for fd to be ready for ev (or the wake-up event) up to ms; returns poll's revents of
 * fd, 0 on timeout or wake-up, -1 on error. */
static int wait_fd(struct deliver *d, int fd, short ev, int ms)
{
	struct pollfd p[2] = {{.fd = fd, .events = ev}, {.fd = d->evfd, .events = POLLIN}};
	int n = poll(p, 2, ms);
	if (n < 0)
		return errno == EINTR ? 0 : -1;
	if (p[1].revents)
		drain_evfd(d);
	return p[0].revents;
}

static int read_service(struct deliver *d);

/* graceful: a best-effort close_notify (deliver_free); otherwise the peer is gone or
 * misbehaving and gets none. */
static void conn_close(struct deliver *d, int graceful)
{
	if (d->ssl) {
		if (graceful && SSL_is_init_finished(d->ssl)) {
			/* Bytes left unread here (a TLS 1.3 session ticket, say) would make close()
			 * send a reset, and a reset makes the LEMF's kernel drop what it has not yet
			 * read: the tail of the stream. So: read what came, close_notify, half-close,
			 * and wait (at most CLOSE_WAIT_MS) for the LEMF to close its side. */
			uint8_t junk[4096];
			uint64_t end = mono_ms() + CLOSE_WAIT_MS;
			struct pollfd p = { .fd = d->fd, .events = POLLIN };
			read_service(d);
			SSL_shutdown(d->ssl);
			shutdown(d->fd, SHUT_WR);
			for (uint64_t now = mono_ms(); now < end; now = mono_ms())
				if (poll(&p, 1, (int)(end - now)) <= 0 || read(d->fd, junk, sizeof(junk)) <= 0)
					break;
		}
		SSL_free(d->ssl);
		d->ssl = NULL;
	}
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
	ERR_clear_error();
	pthread_mutex_lock(&d->mu);
	d->st.connected = 0;
	pthread_mutex_unlock(&d->mu);
}

/* ---- connection set-up ---- */

static int tcp_connect(struct deliver *d)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV}, *res, *a;
	if (getaddrinfo(d->host, d->port, &hints, &res) != 0)
		return -1;
	int fd = -1;
	for (a = res; a && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		int rc = connect(fd, a->ai_addr, a->ai_addrlen);
		if (rc != 0 && errno == EINPROGRESS) {
			int err = 0;
			socklen_t el = sizeof err;
			rc = wait_fd(d, fd, POLLOUT, (int)d->time3) > 0 &&
					     getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == 0
				     ? 0
				     : -1;
		}
		if (rc != 0) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd >= 0) {
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	}
	return fd;
}

/* Drives a non-blocking SSL call that returned r: waits as OpenSSL asks, up to deadline.
 * Returns 1 to retry, 0 on failure. */
static int ssl_retry(struct deliver *d, int r, uint64_t deadline)
{
	int e = SSL_get_error(d->ssl, r);
	short ev = e == SSL_ERROR_WANT_READ ? POLLIN : e == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
	if (ev == 0)
		return 0;
	uint64_t now = mono_ms();
	if (now >= deadline || stopping(d))
		return 0;
	return wait_fd(d, d->fd, ev, (int)(deadline - now)) >= 0;
}

static int tls_connect(struct deliver *d)
{
	d->fd = tcp_connect(d);
	if (d->fd < 0)
		return -1;
	d->ssl = SSL_new(d->ctx);
	if (d->ssl == NULL || SSL_set_fd(d->ssl, d->fd) != 1)
		goto fail;
	const char *name = d->server_name;
	unsigned char ipbuf[16];
	if (inet_pton(AF_INET, name, ipbuf) == 1 || inet_pton(AF_INET6, name, ipbuf) == 1) {
		if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(d->ssl), name) != 1)
			goto fail;
	} else if (SSL_set1_host(d->ssl, name) != 1 || SSL_set_tlsext_host_name(d->ssl, name) != 1) {
		goto fail;
	}
	uint64_t deadline = mono_ms() + d->time3;
	int r;
	while ((r = SSL_connect(d->ssl)) != 1)
		if (!ssl_retry(d, r, deadline))
			goto fail;
	return 0;
fail:
	conn_close(d, 0);
	return -1;
}

/* ---- writing ---- */

/* Writes n bytes; a write that makes no progress for TIME3 fails. Returns 0 or -1. */
static int write_all(struct deliver *d, const uint8_t *p, size_t n)
{
	uint64_t deadline = mono_ms() + d->time3;
	while (n > 0) {
		int r = SSL_write(d->ssl, p, n > (size_t)1 << 30 ? 1 << 30 : (int)n);
		if (r > 0) {
			p += r;
			n -= (size_t)r;
			deadline = mono_ms() + d->time3;
		} else if (!ssl_retry(d, r, deadline)) {
			return -1;
		}
	}
	d->last_write_ms = mono_ms();
	return 0;
}

/* Writes every PDU of the resend buffer, oldest first. Returns 0 or -1. */
static int resend_all(struct deliver *d)
{
	struct ring *r = &d->resend;
	size_t pos = r->head, left = r->used;
	uint64_t n = 0;
	while (left > 0) {
		uint32_t len = ring_len_at(r, pos);
		size_t start = (pos + 4) % r->cap;
		size_t first = r->cap - start < len ? r->cap - start : len;
		if (write_all(d, r->b + start, first) != 0 || write_all(d, r->b, len - first) != 0)
			return -1;
		pos = (start + len) % r->cap;
		left -= 4 + (size_t)len;
		n++;
	}
	pthread_mutex_lock(&d->mu);
	d->st.resent_pdus += n;
	pthread_mutex_unlock(&d->mu);
	return 0;
}

/* Keeps a written PDU in the resend buffer, dropping the oldest ones to make room.
 * Returns 1 if kept, 0 if it is larger than the whole buffer. */
static int resend_keep(struct deliver *d, const uint8_t *p, size_t n)
{
	struct ring *r = &d->resend;
	if (r->cap < 4 + n)
		return 0;
	while (r->cap - r->used < 4 + n)
		ring_drop(r);
	ring_push(r, p, n);
	return 1;
}

/* Under mu. */
static void spool_stats(struct deliver *d)
{
	d->st.spooled_pdus = d->sp.count;
	d->st.spooled_bytes = d->sp.used;
}

/* Takes the next queued or spooled PDUs into d->scratch, their lengths into d->batch_len: at
 * least one, then more while they fit in BATCH_BYTES. Returns how many (0 if both are empty:
 * then, with may_sleep, marks the thread as sleeping so that a submit wakes it) and their
 * bytes in *bytes. The memory queue goes first: whatever it holds is older than everything
 * spooled, since once the spool holds anything every new PDU goes there too. */
static unsigned queue_take(struct deliver *d, int may_sleep, size_t *bytes)
{
	unsigned k = 0;
	size_t used = 0;

	pthread_mutex_lock(&d->mu);
	while (k < BATCH_PDUS) {
		size_t room = d->scratch_cap - used;
		if (d->q.used > 0) {
			uint32_t n = ring_len_at(&d->q, d->q.head);
			if (k && (n > room || used + n > BATCH_BYTES))
				break;
			ring_copy_out(&d->q, (d->q.head + 4) % d->q.cap, d->scratch + used, n);
			ring_drop(&d->q);
			d->batch_len[k++] = n;
			used += n;
			continue;
		}
		if (d->sp.count == 0 || (k && room < d->max_pdu) || (k && used >= BATCH_BYTES))
			break;
		uint64_t lost;
		long r = spool_take(&d->sp, d->scratch + used, &lost);
		d->st.lost_pdus += lost;
		spool_stats(d);
		if (r > 0) {
			d->batch_len[k++] = (uint32_t)r;
			used += (size_t)r;
		}
	}
	d->st.queued_bytes = d->q.used;
	if (k)
		d->inflight = 1;
	else if (may_sleep)
		d->sleeping = 1;
	pthread_mutex_unlock(&d->mu);
	*bytes = used;
	return k;
}

/* The batch of k PDUs (bytes) was written (ok), or not; kept of them are in the resend buffer
 * and go out again after the reconnect. */
static void queue_done(struct deliver *d, unsigned k, size_t bytes, int ok, unsigned kept)
{
	pthread_mutex_lock(&d->mu);
	d->inflight = 0;
	if (ok) {
		d->st.sent_pdus += k;
		d->st.sent_bytes += bytes;
	} else {
		size_t kept_bytes = 0;
		for (unsigned i = k - kept; i < k; i++)
			kept_bytes += d->batch_len[i];
		d->st.sent_pdus += kept;
		d->st.sent_bytes += kept_bytes;
		d->st.lost_pdus += k - kept;
	}
	pthread_cond_broadcast(&d->drained);
	pthread_mutex_unlock(&d->mu);
}

/* ---- keep-alive ---- */

/* A keep-alive with sequence number seq: a TRI keep-alive PS-PDU, or an X2/X3 Keepalive PDU.
 * Returns its length or a negative etsi_err. */
static long build_keepalive(struct deliver *d, uint32_t seq, uint8_t *out, size_t cap)
{
	if (d->x2x3) {
		struct x2x3_pdu k = {.pdu_type = X2X3_PDU_KEEPALIVE, .has = X2X3_HAS_SEQ, .seq = seq};
		return x2x3_encode(&k, out, cap);
	}
	return etsi_tri_encode(&d->ka_ctx, seq, real_ns(), ETSI_TRI_KEEPALIVE, out, cap);
}

static int send_keepalive(struct deliver *d, uint64_t now)
{
	uint8_t pdu[ETSI_TRI_MAX_PDU > X2X3_FIXED_HDR + 8 ? ETSI_TRI_MAX_PDU : X2X3_FIXED_HDR + 8];
	uint32_t seq = etsi_seq_take(&d->ka_seq, ETSI_SEQ_KEEPALIVE);
	long n = build_keepalive(d, seq, pdu, sizeof pdu);
	if (n <= 0 || write_all(d, pdu, (size_t)n) != 0)
		return -1;
	if (!d->ka_waiting) {
		d->ka_waiting = 1;
		d->ka_retried = d->x2x3; /* TS 103 221-2 has no TIME2 retry: TIME_P2 only */
		d->ka_first_ms = now;
		d->ka_first_seq = seq;
	}
	d->ka_last_ms = now;
	d->ka_last_seq = seq;
	pthread_mutex_lock(&d->mu);
	d->st.keepalives_sent++;
	pthread_mutex_unlock(&d->mu);
	return 0;
}

/* One BER TLV with a low tag number and a definite length inside p[*off..end).
 * Returns 0 with *tag, *len and *off at the contents, or -1. */
static int tlv(const uint8_t *p, size_t end, size_t *off, unsigned *tag, size_t *len)
{
	size_t o = *off;
	if (end - o < 2 || (p[o] & 0x1f) == 0x1f)
		return -1;
	*tag = p[o++];
	size_t l = p[o++];
	if (l & 0x80) {
		unsigned k = l & 0x7f;
		if (k == 0 || k > 4 || end - o < k)
			return -1;
		for (l = 0; k > 0; k--)
			l = l << 8 | p[o++];
	}
	if (l > end - o)
		return -1;
	*off = o;
	*len = l;
	return 0;
}

/* Returns 1 with *seq for a TRI keep-aliveResponse PS-PDU, else 0. The PSHeader's
 * sequenceNumber is [4] (84); the payload is [2] (A2) holding tRIPayload [2] (A2) holding
 * keep-aliveResponse [4] NULL (84 00). */
static int is_ka_response(const uint8_t *p, size_t n, uint32_t *seq)
{
	size_t off = 0, len, end;
	unsigned tag;
	int have_seq = 0, is_resp = 0;
	if (tlv(p, n, &off, &tag, &len) != 0 || tag != 0x30)
		return 0;
	end = off + len;
	while (off < end) {
		if (tlv(p, end, &off, &tag, &len) != 0)
			return 0;
		size_t cend = off + len, o = off;
		if (tag == 0xA1) { /* PSHeader */
			while (o < cend) {
				unsigned t;
				size_t l;
				if (tlv(p, cend, &o, &t, &l) != 0)
					return 0;
				if (t == 0x84 && l >= 1 && l <= 5 && (l < 5 || p[o] == 0)) {
					uint64_t v = 0;
					for (size_t i = 0; i < l; i++)
						v = v << 8 | p[o + i];
					if (v <= UINT32_MAX) {
						*seq = (uint32_t)v;
						have_seq = 1;
					}
				}
				o += l;
			}
		} else if (tag == 0xA2) { /* Payload */
			unsigned t;
			size_t l;
			if (tlv(p, cend, &o, &t, &l) == 0 && t == 0xA2 && tlv(p, o + l, &o, &t, &l) == 0 &&
			    t == 0x84 && l == 0)
				is_resp = 1;
		}
		off = cend;
	}
	return have_seq && is_resp;
}

/* Returns 1 with *seq for an X2/X3 Keepalive Acknowledgement carrying a sequence number,
 * else 0. */
static int is_x_ack(const uint8_t *p, size_t n, uint32_t *seq)
{
	struct x2x3_pdu a;
	if (x2x3_parse(p, n, &a) != 0 || a.pdu_type != X2X3_PDU_KEEPALIVE_ACK || !(a.has & X2X3_HAS_SEQ))
		return 0;
	*seq = a.seq;
	return 1;
}

static void on_response(struct deliver *d, uint32_t seq)
{
	if (!d->ka_waiting || (uint32_t)(seq - d->ka_first_seq) > (uint32_t)(d->ka_last_seq - d->ka_first_seq))
		return; /* not one we are waiting for (late answer to an abandoned connection's) */
	d->ka_waiting = 0;
	pthread_mutex_lock(&d->mu);
	d->st.keepalives_answered++;
	pthread_mutex_unlock(&d->mu);
}

/* Reads what the LEMF sent. Returns 0, or -1 when the connection is closed or broken. */
static int read_service(struct deliver *d)
{
	for (;;) {
		size_t room;
		uint8_t *sp = etsi_stream_space(&d->rx, &room);
		if (sp == NULL)
			return -1;
		int r = SSL_read(d->ssl, sp, room > INT32_MAX ? INT32_MAX : (int)room);
		if (r > 0) {
			etsi_stream_commit(&d->rx, (size_t)r);
			continue;
		}
		int e = SSL_get_error(d->ssl, r);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
			break;
		return -1;
	}
	struct etsi_stream_item it;
	int r;
	while ((r = etsi_stream_next(&d->rx, &it)) != 0) {
		uint32_t seq = 0;
		if (r == 1 && (d->x2x3 ? is_x_ack(it.pdu, it.len, &seq) : is_ka_response(it.pdu, it.len, &seq)))
			on_response(d, seq);
	}
	return 0;
}

/* Keep-alive duties at time now. Returns 0, or -1 when the connection is to be dropped. */
static int keepalive_tick(struct deliver *d, uint64_t now)
{
	if (d->ka_waiting) {
		if (now - d->ka_first_ms >= d->time3) {
			pthread_mutex_lock(&d->mu);
			d->st.keepalive_timeouts++;
			pthread_mutex_unlock(&d->mu);
			return -1;
		}
		if (!d->ka_retried && now - d->ka_last_ms >= d->time2) {
			d->ka_retried = 1;
			return send_keepalive(d, now);
		}
		return 0;
	}
	if (now - d->last_write_ms >= d->time1)
		return send_keepalive(d, now);
	return 0;
}

/* Milliseconds until keepalive_tick() has something to do. */
static int keepalive_wait(struct deliver *d, uint64_t now)
{
	uint64_t due;
	if (d->ka_waiting)
		due = d->ka_retried ? d->ka_first_ms + d->time3 : d->ka_last_ms + d->time2;
	else
		due = d->last_write_ms + d->time1;
	return due > now ? (int)(due - now) : 0;
}

/* ---- the sender thread ---- */

/* Runs one established connection until it breaks or the sender stops. */
static void run_connection(struct deliver *d)
{
	d->last_write_ms = mono_ms();
	d->ka_waiting = 0;
	etsi_stream_free(&d->rx);
	if (etsi_stream_init(&d->rx, d->x2x3 ? ETSI_STREAM_X2X3 : ETSI_STREAM_BER, RX_MAX_PDU) != 0)
		return;
	if (d->resend.cap && resend_all(d) != 0)
		return;
	d->last_read_ms = 0;
	while (!stopping(d)) {
		uint64_t now = mono_ms();
		if (now - d->last_read_ms >= READ_EVERY_MS) {
			d->last_read_ms = now;
			if (read_service(d) != 0)
				return;
		}
		if (keepalive_tick(d, now) != 0)
			return;
		size_t bytes;
		unsigned k = queue_take(d, 1, &bytes), kept = 0;
		if (k > 0) {
			/* Into the resend buffer first: what a broken write cuts is sent again. */
			size_t off = 0, tail = 0;
			for (unsigned i = 0; i < k; i++) {
				if (d->resend.cap)
					resend_keep(d, d->scratch + off, d->batch_len[i]);
				off += d->batch_len[i];
			}
			/* The buffer keeps the newest PDUs that fit: the batch's last ones. */
			while (d->resend.cap && kept < k && tail + 4 + d->batch_len[k - 1 - kept] <= d->resend.cap)
				tail += 4 + d->batch_len[k - 1 - kept++];
			int ok = write_all(d, d->scratch, bytes) == 0;
			queue_done(d, k, bytes, ok, kept);
			if (!ok)
				return;
			continue;
		}
		d->last_read_ms = 0; /* idle: the poll below reads as soon as something comes */
		int w = wait_fd(d, d->fd, POLLIN, keepalive_wait(d, mono_ms()));
		pthread_mutex_lock(&d->mu);
		d->sleeping = 0;
		pthread_mutex_unlock(&d->mu);
		if (w < 0)
			return;
	}
}

static void *sender(void *arg)
{
	struct deliver *d = arg;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE); /* a peer gone mid-write: EPIPE, not the signal */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	unsigned backoff = d->backoff_init;
	while (!stopping(d)) {
		if (tls_connect(d) != 0) {
			pthread_mutex_lock(&d->mu);
			d->st.connect_failures++;
			pthread_mutex_unlock(&d->mu);
			wait_fd(d, -1, 0, (int)backoff);
			backoff = backoff > d->backoff_max / 2 ? d->backoff_max : backoff * 2;
			continue;
		}
		backoff = d->backoff_init;
		pthread_mutex_lock(&d->mu);
		d->st.connects++;
		d->st.reconnects += d->ever_connected;
		d->st.connected = 1;
		pthread_mutex_unlock(&d->mu);
		d->ever_connected = 1;
		run_connection(d);
		conn_close(d, stopping(d));
	}
	return NULL;
}

/* ---- public ---- */

static int load_tls(struct deliver *d, const struct deliver_config *c)
{
	d->ctx = SSL_CTX_new(TLS_client_method());
	if (d->ctx == NULL)
		return -ENOMEM;
	SSL_CTX_set_min_proto_version(d->ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(d->ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_mode(d->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_clear_mode(d->ctx, SSL_MODE_AUTO_RETRY);
	if (SSL_CTX_load_verify_locations(d->ctx, c->ca_file, NULL) != 1 ||
	    SSL_CTX_use_certificate_chain_file(d->ctx, c->cert_file) != 1 ||
	    SSL_CTX_use_PrivateKey_file(d->ctx, c->key_file, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(d->ctx) != 1) {
		ERR_clear_error();
		return -EPROTO;
	}
	return 0;
}

struct deliver *deliver_new(const struct deliver_config *c)
{
	int err = EINVAL;
	if (c == NULL || (c->protocol != DELIVER_TS102232 && c->protocol != DELIVER_X2X3))
		goto fail_early;
	int x2x3 = c->protocol == DELIVER_X2X3;
	if (c->host == NULL || c->port == 0 || !c->ca_file || !c->cert_file || !c->key_file || c->time1_ms < 10 ||
	    (x2x3 ? c->time3_ms == 0 : c->time2_ms == 0 || c->time3_ms <= c->time2_ms) || c->backoff_initial_ms == 0 ||
	    c->backoff_max_ms < c->backoff_initial_ms || strlen(c->host) >= 256 ||
	    (c->server_name && strlen(c->server_name) >= 256))
		goto fail_early;
	size_t max_pdu = c->max_pdu ? c->max_pdu : DEFAULT_MAX_PDU;
	if (max_pdu > UINT32_MAX || c->queue_bytes < max_pdu + 4)
		goto fail_early;
	struct deliver *d = calloc(1, sizeof *d);
	if (d == NULL) {
		err = ENOMEM;
		goto fail_early;
	}
	d->fd = -1;
	d->evfd = -1;
	d->sp.fd = -1;
	snprintf(d->host, sizeof d->host, "%s", c->host);
	snprintf(d->server_name, sizeof d->server_name, "%s", c->server_name ? c->server_name : c->host);
	snprintf(d->port, sizeof d->port, "%u", (unsigned)c->port);
	d->time1 = c->time1_ms;
	d->time2 = c->time2_ms;
	d->time3 = c->time3_ms;
	d->backoff_init = c->backoff_initial_ms;
	d->backoff_max = c->backoff_max_ms;
	d->max_pdu = max_pdu;
	d->x2x3 = x2x3;

	static const uint8_t dash[] = "-";
	struct etsi_cc_config kc = {
		.liid = dash, .liid_len = 1, .operator_id = c->operator_id, .operator_id_len = c->operator_id_len,
		.ne_id = c->ne_id, .ne_id_len = c->ne_id_len, .cin = 0, .delivery_country = c->delivery_country,
		.ts_form = ETSI_CC_TS_GENERALIZED, .ts_frac_digits = 3,
	};
	if (!x2x3 && etsi_cc_init(&d->ka_ctx, &kc) != 0)
		goto fail;
	int rc = load_tls(d, c);
	if (rc != 0) {
		err = -rc;
		goto fail;
	}
	err = ENOMEM;
	d->q.cap = c->queue_bytes;
	d->q.b = malloc(d->q.cap);
	d->resend.cap = c->resend_bytes;
	d->resend.b = c->resend_bytes ? malloc(c->resend_bytes) : NULL;
	d->scratch_cap = max_pdu > BATCH_BYTES ? max_pdu : BATCH_BYTES;
	d->scratch = malloc(d->scratch_cap);
	if (!d->q.b || (c->resend_bytes && !d->resend.b) || !d->scratch)
		goto fail;
	if (c->spool_path && c->spool_bytes) {
		rc = spool_open(&d->sp, c->spool_path, c->spool_bytes, max_pdu);
		if (rc != 0) {
			err = -rc;
			goto fail;
		}
		spool_stats(d);
	}
	d->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (d->evfd < 0) {
		err = errno;
		goto fail;
	}
	pthread_mutex_init(&d->mu, NULL);
	pthread_cond_init(&d->drained, NULL);
	rc = pthread_create(&d->thread, NULL, sender, d);
	if (rc != 0) {
		err = rc;
		pthread_mutex_destroy(&d->mu);
		pthread_cond_destroy(&d->drained);
		goto fail;
	}
	return d;
fail:
	spool_close(&d->sp);
	if (d->evfd >= 0)
		close(d->evfd);
	SSL_CTX_free(d->ctx);
	free(d->q.b);
	free(d->resend.b);
	free(d->scratch);
	free(d);
fail_early:
	errno = err;
	return NULL;
}

/* Queues or spools one PDU; under mu. Returns 0, -ENOSPC or -EIO (then counted as lost). */
static int put_locked(struct deliver *d, const uint8_t *pdu, size_t len)
{
	int full = d->q.cap - d->q.used < 4 + len;

	if (d->sp.fd >= 0 && (full || d->sp.count > 0)) {
		uint64_t dropped;
		int r = spool_push(&d->sp, pdu, len, &dropped);
		d->st.spool_dropped_pdus += dropped;
		d->st.lost_pdus += dropped + (r != 0);
		spool_stats(d);
		return r != 0 ? -EIO : 0;
	}
	if (full) {
		d->st.lost_pdus++;
		return -ENOSPC;
	}
	ring_push(&d->q, pdu, len);
	d->st.queued_bytes = d->q.used;
	return 0;
}

/* Wakes a sleeping sender; under mu. */
static void wake_locked(struct deliver *d)
{
	uint64_t one = 1;

	if (!d->sleeping)
		return;
	d->sleeping = 0;
	if (write(d->evfd, &one, sizeof one) < 0) {
		/* the counter cannot overflow here; nothing to do */
	}
}

int deliver_submit(struct deliver *d, const uint8_t *pdu, size_t len)
{
	if (d == NULL || pdu == NULL || len == 0)
		return -EINVAL;
	if (len > d->max_pdu)
		return -EMSGSIZE;
	pthread_mutex_lock(&d->mu);
	int rc = put_locked(d, pdu, len);
	if (rc == 0)
		wake_locked(d);
	pthread_mutex_unlock(&d->mu);
	return rc;
}

int deliver_submit_batch(struct deliver *d, const uint8_t *buf, const uint32_t *lens, unsigned n, uint8_t *ok)
{
	unsigned refused = 0, queued = 0;
	size_t off = 0;

	if (d == NULL || (n && (buf == NULL || lens == NULL || ok == NULL)))
		return -EINVAL;
	pthread_mutex_lock(&d->mu);
	for (unsigned i = 0; i < n; off += lens[i++]) {
		ok[i] = lens[i] > 0 && lens[i] <= d->max_pdu && put_locked(d, buf + off, lens[i]) == 0;
		refused += !ok[i];
		queued += ok[i];
	}
	if (queued)
		wake_locked(d);
	pthread_mutex_unlock(&d->mu);
	return (int)refused;
}

int deliver_flush(struct deliver *d, unsigned timeout_ms)
{
	if (d == NULL)
		return -EINVAL;
	struct timespec dl;
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += timeout_ms / 1000;
	dl.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (dl.tv_nsec >= 1000000000L) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000L;
	}
	int rc = 0;
	pthread_mutex_lock(&d->mu);
	while ((d->q.used > 0 || d->sp.count > 0 || d->inflight) && rc == 0)
		if (pthread_cond_timedwait(&d->drained, &d->mu, &dl) == ETIMEDOUT)
			rc = -ETIMEDOUT;
	if (rc && d->q.used == 0 && d->sp.count == 0 && !d->inflight)
		rc = 0;
	pthread_mutex_unlock(&d->mu);
	return rc;
}

void deliver_stats(struct deliver *d, struct deliver_stats *out)
{
	pthread_mutex_lock(&d->mu);
	*out = d->st;
	pthread_mutex_unlock(&d->mu);
}

void deliver_free(struct deliver *d)
{
	if (d == NULL)
		return;
	uint64_t one = 1;
	pthread_mutex_lock(&d->mu);
	d->stop = 1;
	pthread_mutex_unlock(&d->mu);
	if (write(d->evfd, &one, sizeof one) < 0) {
		/* cannot fail for an eventfd below its maximum */
	}
	pthread_join(d->thread, NULL);
	conn_close(d, 0);
	etsi_stream_free(&d->rx);
	close(d->evfd);
	SSL_CTX_free(d->ctx);
	pthread_mutex_destroy(&d->mu);
	pthread_cond_destroy(&d->drained);
	spool_close(&d->sp);
	free(d->q.b);
	free(d->resend.b);
	free(d->scratch);
	free(d);
}
