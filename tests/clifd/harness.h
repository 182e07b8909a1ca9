/*
 * Running the real clifd from a C test or benchmark (tests/clifd/test_daemon.c,
 * tests/bench/bench_x1.c): a throwaway PKI made with the openssl command, a configuration in a
 * temporary directory, clif-cardsim and clifd as child processes, an HTTPS client with client
 * certificates (one connection per request, or one kept-alive connection), X1 request
 * documents written from the XSD, the management socket and the audit log.
 *
 * One harness per process (the global hx). Every helper that cannot do its job calls die()
 * (tests/sim/cardsim_proc.h): "<prog>: FAIL: ...", everything stopped and removed, exit 1.
 * CLIFD_TEST_KEEP=1 in the environment keeps the temporary directory for a post-mortem.
 *
 * Link with tests/sim/cardsim_proc.o, libclif and OpenSSL; nothing here needs libxml2.
 */
#ifndef CLIF_TESTS_CLIFD_HARNESS_H
#define CLIF_TESTS_CLIFD_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../sim/cardsim_proc.h"

/* The identities of the PKI and the configuration. */
#define HX_ADMF_ID "admf-test"
#define HX_NE_ID "ne-test"
#define HX_X1_VERSION "v1.13.1"

#define HX_NS_X1 "http://uri.etsi.org/03221/X1/2017/10"
#define HX_NS_COMMON "http://uri.etsi.org/03280/common/2017/07"
#define HX_NS_DECL                                                                                 \
	"xmlns:x1=\"" HX_NS_X1 "\" xmlns:c=\"" HX_NS_COMMON "\" "                                  \
	"xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""

struct clif_card;

struct hx_env {
	char bindir[512];
	char dir[64];          /* the temporary directory: PKI, configuration, logs */
	char conf[128];        /* dir/clifd.conf */
	char state[96];        /* dir/state: clifd's state_dir */
	char sock_path[108];   /* state/clifd.sock */
	char card_name[32];    /* "sim:N" */
	uint32_t card_inst;
	unsigned port;         /* clifd's X1 port (hx_init() picks a free one) */
	pid_t clifd_pid;       /* 0: not running */
	struct clif_card *ctl; /* control handle on the card (hx_card_start()) */
};

extern struct hx_env hx;

/* Sets up the harness for PROG ("clifd-daemon": the prefix of die()'s messages) with clifd,
 * clif-cardsim and clifctl in bindir: a new directory /tmp/PROG-XXXXXX, a card instance
 * derived from the pid, a free X1 port, SIGPIPE ignored, cleanup on die(). */
void hx_init(const char *prog, const char *bindir);

/* Stops clifd (SIGKILL) and the card, closes the control handle and removes the temporary
 * directory (unless CLIFD_TEST_KEEP is set). Safe to call more than once. */
void hx_cleanup(void);

/* ---- files and commands ---- */

/* system(printf(fmt, ...)); dies when the command fails. */
void hx_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* system(printf(fmt, ...)); returns the command's exit status (255 when it did not exit). */
int hx_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The whole file, NUL-terminated, malloc'd (*len its length; len may be NULL); NULL when it
 * cannot be opened. */
char *hx_read_file(const char *path, size_t *len);
/* Writes text to path (created or truncated); dies on failure. */
void hx_write_file(const char *path, const char *text);

/* ---- the PKI (in hx.dir, P-256 keys, valid 2 days) ----
 *   ca        the CA clifd trusts (tls_ca)
 *   admf      client certificate, CN = HX_ADMF_ID (the configured ADMF)
 *   admf2     client certificate, CN = admf-other (an ADMF this NE does not serve)
 *   stranger  CN = HX_ADMF_ID, but from the CA "foreign" that clifd does not trust
 *   ne        clifd's server (and report client) certificate, CN = HX_NE_ID, IP 127.0.0.1
 *   admfsrv   the ADMF's own HTTPS server for reports, IP 127.0.0.1
 *   lemf      a LEMF's server certificate, IP 127.0.0.1
 *   lemfforeign  the same from the CA "foreign"
 *   lemfname  from ca, but for IP 127.0.0.2 (not the address clifd connects to)
 * Files NAME.crt and NAME.key. */
void hx_make_pki(void);

/* A TCP port on 127.0.0.1 that was free a moment ago. */
unsigned hx_free_port(void);

/* ---- the card ---- */

/* Starts clif-cardsim as card hx.card_name with args (NULL-terminated, may be NULL) and waits
 * up to 10 s until hx.ctl (clif_open_control) is open. */
void hx_card_start(const char *const *args);

/* Host rules on the card (handles below the learned range), counted with clif_rule_counters. */
unsigned hx_card_rules(void);

/* hx_card_rules() until it is want, at most ms milliseconds; returns the last count. */
unsigned hx_wait_rules(unsigned want, unsigned ms);

/* ---- clifd ---- */

struct hx_config {
	unsigned time_p2;       /* seconds, 0: keepalive off */
	unsigned max_body;      /* bytes */
	unsigned report_port;   /* the ADMF's report server on 127.0.0.1; 0: reports off */
	unsigned card_poll_ms;
	unsigned card_heartbeat_ms;
	const char *log_level;  /* "debug", "info", ... */
	const char *extra;      /* more "key = value" lines (NULL: none) */
};

/* Writes hx.conf: the PKI above, X1 on 127.0.0.1:hx.port, state_dir hx.state, card
 * hx.card_name, and c's values. */
void hx_write_config(const struct hx_config *c);

/* Starts clifd -c hx.conf -f (stdout and stderr appended to hx.dir/clifd.log) and waits until
 * its X1 port accepts connections; dies when it exits first or is not up within 10 s. */
void hx_start_clifd(void);

/* Sends sig to clifd and reaps it (SIGKILL after 5 s). Nothing when it is not running. */
void hx_stop_clifd(int sig);

/* 1 while clifd runs. */
int hx_clifd_alive(void);

/* 1 when a TCP connection to the X1 port succeeds (it sends nothing). */
int hx_port_open(void);

/* One line sent to the management socket; the answer up to its closing "ok"/"error" line
 * (static buffer, "" when the socket cannot be reached). */
char *hx_mgmt(const char *cmd);

/* The number after " key " on the line of a management `status` answer that starts with
 * "line " (status NULL: asks clifd now). ~0 when there is no such line or key. */
unsigned long long hx_status_value(const char *status, const char *line, const char *key);

/* 1 when the audit log (hx.state/audit.log) contains needle. */
int hx_audit_has(const char *needle);

/* ---- the ADMF's report server (tests/clifd/report_server.c) ----
 * An HTTPS server on 127.0.0.1 with admfsrv.crt that requires a client certificate from ca,
 * keeps every request body (up to 32) and answers each with an OK response of the report's
 * type. */

/* Starts it in a thread; returns its port (for hx_config.report_port). Dies on failure. */
unsigned hx_report_server_start(void);
/* The number of reports received whose body contains a and b (b may be NULL). */
unsigned hx_reports_with(const char *a, const char *b);
/* hx_reports_with(), waiting up to ms milliseconds for the first one. */
unsigned hx_wait_report(const char *a, const char *b, unsigned ms);
/* The subject CN of the last report's client certificate ("" before the first). */
const char *hx_report_client(void);

/* ---- clif-lemf receivers ---- */

struct hx_lemf {
	const char *name; /* outputs in hx.dir/NAME, raw streams in hx.dir/NAME-raw, log NAME.log */
	const char *cert; /* its server certificate: hx.dir/CERT.crt and .key (the PKI's names) */
	unsigned port;    /* 127.0.0.1:port; 0: hx_lemf_start() picks a free one */
	pid_t pid;        /* 0: not running */
	char dir[200];
};

/* Starts clif-lemf for l (TLS, client certificates from ca required) and waits until it
 * accepts connections; dies when it does not come up within 10 s. */
void hx_lemf_start(struct hx_lemf *l);
/* Sends sig and reaps it. Nothing when it is not running. */
void hx_lemf_stop(struct hx_lemf *l, int sig);
/* Lines of its events.jsonl that contain n1 and n2 (n2 may be NULL). */
unsigned hx_lemf_events(const struct hx_lemf *l, const char *n1, const char *n2);

/* ---- HTTPS ---- */

struct hx_http {
	int status;    /* 0: no HTTP answer (TLS or connection failed) */
	char *body;    /* malloc'd, NUL-terminated */
	size_t len;
};

void hx_http_free(struct hx_http *h);

/* One connection for one request: sends raw (a whole HTTP/1.1 request, normally with
 * "Connection: close") over TLS 1.2+ with client certificate NAME.crt (NULL: none), the
 * server checked against ca.crt and 127.0.0.1, and reads until the server closes. */
void hx_https_raw(const char *name, const char *raw, size_t raw_len, struct hx_http *h);

/* POST /X1/NE of body with "Connection: close" through hx_https_raw(). */
void hx_post(const char *name, const char *body, struct hx_http *h);

/* One kept-alive TLS connection (HTTP/1.1 persistent connection, TCP_NODELAY), the way an
 * ADMF sends request after request: one request at a time, no pipelining (TS 103 221-1
 * 7.2.2). */
struct hx_conn;

/* Connects with client certificate NAME. Returns NULL when TCP or TLS fails. */
struct hx_conn *hx_conn_open(const char *name);

/* POST /X1/NE of body[len] and reads exactly one answer (by its Content-Length). Returns the
 * HTTP status, or -1 when the connection failed or the answer is not HTTP/1.1 with a
 * Content-Length. *resp (NUL-terminated) and *resp_len: the body, in a buffer of the
 * connection valid until its next call. *closing (may be NULL): 1 when the server said
 * "Connection: close". */
int hx_conn_post(struct hx_conn *c, const char *body, size_t len, const char **resp, size_t *resp_len,
		 int *closing);

/* Closes the connection (close_notify first). NULL is allowed. */
void hx_conn_close(struct hx_conn *c);

/* ---- X1 documents (TS 103 221-1 XSD, X1 namespace prefix x1:, common types c:) ----
 * Every function returns a malloc'd string; dies when out of memory. */

/* One x1RequestMessage of xsi:type TYPE + "Request" from admf to ne in version, with a fresh
 * x1TransactionId and payload (NULL: none) after the header. */
char *hx_msg_x(const char *type, const char *admf, const char *ne, const char *version, const char *payload);

/* The same from HX_ADMF_ID to HX_NE_ID in HX_X1_VERSION. */
char *hx_msg(const char *type, const char *payload);

/* An X1Request document around msgs (the concatenated messages; freed). */
char *hx_doc_of(char *msgs);

/* An X1Request holding the one message hx_msg(type, payload). */
char *hx_doc(const char *type, const char *payload);

/* taskDetails: xId, targets (targetIdentifier elements), deliveryType, dids (dId elements) and
 * one mediationDetails (LIID "LIID-TEST-1", HI2andHI3). */
char *hx_task_xml(const char *xid, const char *targets, const char *delivery, const char *dids);

/* destinationDetails: dId, friendlyName "LEMF <port>", deliveryType, an IPv4 address and TCP
 * port. */
char *hx_dest_xml(const char *did, const char *delivery, const char *ip, unsigned tcp_port);

/* POSTs hx_doc(type, payload) with the ADMF's certificate into *h (hx_http_free() it).
 * Returns 1 when the answer is HTTP 200 with oK AcknowledgedAndCompleted, else 0. */
int hx_x1_ok(const char *type, const char *payload, struct hx_http *h);

/* <x1:NAME>VALUE</x1:NAME> */
char *hx_tag(const char *name, const char *value);

/* The ipv4Address targetIdentifier of a. */
#define HX_IP(a) "<x1:targetIdentifier><x1:ipv4Address>" a "</x1:ipv4Address></x1:targetIdentifier>"
/* A dId element. */
#define HX_DID(d) "<x1:dId>" d "</x1:dId>"

#endif
