/* The management socket; see mgmt.h. */
#include "mgmt.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "config.h"
#include "capture.h"
#include "daemon.h"
#include "log.h"
#include "report.h"
#include "rulecomp.h"
#include "store.h"

#define MAX_CONNS 8
#define LINE_MAX_BYTES 256

struct clifd_mgmt {
	struct clifd_daemon *d;
	struct evconnlistener *lst;
	char path[CLIFD_PATH_MAX];
	struct bufferevent *conns[MAX_CONNS];
};

static void conn_close(struct clifd_mgmt *m, struct bufferevent *bev)
{
	for (unsigned i = 0; i < MAX_CONNS; i++)
		if (m->conns[i] == bev)
			m->conns[i] = NULL;
	bufferevent_free(bev);
}

struct tasks_ctx {
	struct clifd_daemon *d;
	struct evbuffer *out;
};

static int task_line(const struct clifd_task *t, void *arg)
{
	struct tasks_ctx *c = arg;
	char ref[11];
	int n = rulecomp_rules_of_task(c->d->rc, t->xid, NULL, 0);

	clifd_task_ref(t->xid, ref);
	evbuffer_add_printf(c->out, "%s rules %d %s\n", ref, n < 0 ? 0 : n, n < 0 ? "failed" : "complete");
	return 0;
}

static void cmd_status(struct clifd_daemon *d, struct evbuffer *out)
{
	char when[32] = "never";
	struct clifd_report_stats rs;

	if (d->last_x1) {
		struct tm tm;
		gmtime_r(&d->last_x1, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	clifd_reporter_stats(d->reporter, &rs);
	evbuffer_add_printf(out, "tasks %d\n", store_task_count(d->store));
	evbuffer_add_printf(out, "destinations %d\n", store_dest_count(d->store));
	evbuffer_add_printf(out, "rules %zu\n", rulecomp_rule_count(d->rc));
	evbuffer_add_printf(out, "orphans %zu\n", rulecomp_orphan_count(d->rc));
	evbuffer_add_printf(out, "card %s %s\n", d->cfg.card, clifd_card_state_name(d->card_state));
	evbuffer_add_printf(out, "card_resets %llu\n", (unsigned long long)d->card_resets);
	evbuffer_add_printf(out, "last_x1 %s\n", when);
	evbuffer_add_printf(out, "x1_messages %llu\n", (unsigned long long)d->x1_messages);
	evbuffer_add_printf(out, "x1_refused %llu\n", (unsigned long long)d->x1_refused);
	evbuffer_add_printf(out, "time_p2 %u\n", d->cfg.time_p2);
	evbuffer_add_printf(out, "keepalive_expiries %llu\n", (unsigned long long)d->keepalive_expiries);
	evbuffer_add_printf(out, "audit_entries %llu%s\n", (unsigned long long)audit_head(d->audit, NULL),
			    d->audit_failed ? " failed" : "");
	if (clifd_reporter_enabled(d->reporter))
		evbuffer_add_printf(out, "reports sent %llu failed %llu dropped %llu queued %u\n",
				    (unsigned long long)rs.sent, (unsigned long long)rs.failed,
				    (unsigned long long)rs.dropped, rs.queued);
	else
		evbuffer_add_printf(out, "reports off\n");
	if (d->cap) {
		struct capture_stats cs;
		capture_stats(d->cap, &cs);
		evbuffer_add_printf(out, "capture records %llu unmatched %llu no_ip %llu ring_lost %llu learn_events %llu\n",
				    (unsigned long long)cs.records, (unsigned long long)cs.unmatched,
				    (unsigned long long)cs.no_ip, (unsigned long long)cs.ring_lost,
				    (unsigned long long)cs.learn_events);
		evbuffer_add_printf(out, "handover cc %llu iri %llu sessions %u\n", (unsigned long long)cs.cc_pdus,
				    (unsigned long long)cs.iri_pdus, cs.tasks);
		evbuffer_add_printf(out, "handover_errors submit %llu encode %llu no_liid %llu no_sender %llu\n",
				    (unsigned long long)cs.submit_errors, (unsigned long long)cs.encode_errors,
				    (unsigned long long)cs.no_liid, (unsigned long long)cs.no_sender);
		evbuffer_add_printf(out, "senders %u connected %u sent %llu lost %llu queued_bytes %llu spooled_pdus %llu\n",
				    cs.dests, cs.connected, (unsigned long long)cs.sent_pdus,
				    (unsigned long long)cs.lost_pdus, (unsigned long long)cs.queued_bytes,
				    (unsigned long long)cs.spooled_pdus);
	}
	evbuffer_add_printf(out, "ok\n");
}

static void read_cb(struct bufferevent *bev, void *arg)
{
	struct clifd_mgmt *m = arg;
	struct evbuffer *in = bufferevent_get_input(bev), *out = bufferevent_get_output(bev);
	char *line;
	size_t n;

	while ((line = evbuffer_readln(in, &n, EVBUFFER_EOL_LF)) != NULL) {
		if (n && line[n - 1] == '\r')
			line[--n] = '\0';
		if (strcmp(line, "status") == 0) {
			cmd_status(m->d, out);
		} else if (strcmp(line, "tasks") == 0) {
			struct tasks_ctx c = { m->d, out };
			if (store_task_each(m->d->store, task_line, &c) == 0)
				evbuffer_add_printf(out, "ok\n");
			else
				evbuffer_add_printf(out, "error task store read failed\n");
		} else if (strcmp(line, "help") == 0) {
			evbuffer_add_printf(out, "status\ntasks\nhelp\nok\n");
		} else if (n == 0) {
			/* blank line: nothing */
		} else {
			evbuffer_add_printf(out, "error unknown command (try help)\n");
		}
		free(line);
	}
	if (evbuffer_get_length(in) > LINE_MAX_BYTES)
		conn_close(m, bev); /* not a client of this protocol */
}

static void event_cb(struct bufferevent *bev, short what, void *arg)
{
	(void)what;
	conn_close(arg, bev);
}

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen, void *arg)
{
	struct clifd_mgmt *m = arg;
	struct bufferevent *bev;
	struct timeval idle = { 30, 0 };
	unsigned slot;

	(void)l;
	(void)sa;
	(void)salen;
	for (slot = 0; slot < MAX_CONNS && m->conns[slot]; slot++)
		;
	if (slot == MAX_CONNS) {
		static const char busy[] = "error too many connections\n";
		if (write(fd, busy, sizeof(busy) - 1) < 0) { /* best effort */
		}
		close(fd);
		return;
	}
	bev = bufferevent_socket_new(m->d->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (!bev) {
		close(fd);
		return;
	}
	m->conns[slot] = bev;
	bufferevent_setcb(bev, read_cb, NULL, event_cb, m);
	bufferevent_set_timeouts(bev, &idle, &idle);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
}

struct clifd_mgmt *clifd_mgmt_new(struct clifd_daemon *d, char *err, size_t err_len)
{
	struct clifd_mgmt *m = calloc(1, sizeof(*m));
	struct sockaddr_un sun;
	struct stat st;
	int fd = -1;

	if (!m) {
		snprintf(err, err_len, "out of memory");
		return NULL;
	}
	m->d = d;
	snprintf(m->path, sizeof(m->path), "%s", d->cfg.mgmt_socket);
	if (lstat(m->path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, err_len, "mgmt_socket %s exists and is not a socket", m->path);
			goto fail;
		}
		unlink(m->path); /* left by a previous run */
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(m->path) >= sizeof(sun.sun_path)) {
		snprintf(err, err_len, "mgmt_socket path too long");
		goto fail;
	}
	memcpy(sun.sun_path, m->path, strlen(m->path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(err, err_len, "mgmt_socket: %s", strerror(errno));
		goto fail;
	}
	/* umask 077 is set by the daemon: the socket is born 0600; chmod makes sure of it. */
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 || chmod(m->path, 0600) != 0 || listen(fd, 8) != 0) {
		snprintf(err, err_len, "mgmt_socket %s: %s", m->path, strerror(errno));
		goto fail;
	}
	m->lst = evconnlistener_new(d->base, accept_cb, m, LEV_OPT_CLOSE_ON_FREE, -1, fd);
	if (!m->lst) {
		snprintf(err, err_len, "mgmt_socket: evconnlistener_new failed");
		goto fail;
	}
	return m;
fail:
	if (fd >= 0)
		close(fd);
	free(m);
	return NULL;
}

void clifd_mgmt_free(struct clifd_mgmt *m)
{
	if (!m)
		return;
	for (unsigned i = 0; i < MAX_CONNS; i++)
		if (m->conns[i])
			bufferevent_free(m->conns[i]);
	if (m->lst) {
		evconnlistener_free(m->lst);
		unlink(m->path);
	}
	free(m);
}
