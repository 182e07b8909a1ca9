/* clifd's packet path: C2H copies to CC/X3, task life cycle and learned bindings to IRI/X2.
 * See capture.h. */
#include "capture.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>

#include "deliver.h"
#include "../etsi/etsi_cc.h"
#include "../etsi/etsi_pdu.h"
#include "libclif.h"
#include "log.h"
#include "report.h"
#include "rulecomp.h"
#include "store.h"
#include "../etsi/x2x3.h"

#define TASK_BUCKETS 4096u
#define MAX_TASKS_PER_HANDLE 64u
#define PDU_SCRATCH (ETSI_CC_MAX_OVERHEAD + 65535u + X2X3_MAX_HDR + ETSI_IRI_MAX_PDU)
#define SLOW_TICK_NS 50000000ull   /* learn events */
#define LOSS_TICK_NS 1000000000ull /* loss reports */
#define LEARN_AFTER_PUNT_NS 500000000ull
/* PDUs for one destination wait in its stage until the end of the burst (or until the stage
 * cannot take one more): handed over under one lock, not one per PDU. */
#define STAGE_BYTES (512u << 10)
#define STAGE_PDUS 1024u

/* One context (TS 102 232-1: LIID, CIN, operator, NE, country) towards one destination. */
struct cap_ctx {
	struct etsi_cc_ctx hdr;
	struct etsi_seq seq;
	uint32_t x2_seq, x3_seq;
	uint32_t cin;
	uint64_t octets_rx, octets_tx; /* to / from the target, for the END */
};

/* A task's delivery to one destination. */
struct cap_stream {
	unsigned dest;    /* slot in c->dests */
	uint8_t did[16];
	uint8_t iri, cc;  /* what this stream carries */
	uint8_t has_liid;
	char liid[CLIFD_LIID_MAX + 1];
	struct cap_ctx base;
	struct cap_ctx *bind; /* MAC tasks: CAPTURE_MAX_BINDINGS contexts */
};

/* An address the card learned for a MAC task: a session with its own CIN. */
struct cap_binding {
	uint8_t used;
	uint8_t addr_type; /* CLIF_ADDR_IPV4 / CLIF_ADDR_IPV6 */
	uint8_t source;    /* enum clif_learn_source */
	uint8_t addr[16];
	uint64_t start_ns;
};

struct cap_task {
	struct cap_task *next; /* hash chain */
	struct clifd_task t;
	char ref[11];
	uint32_t cin;
	uint64_t start_ns;
	uint64_t stamp;        /* the record that last reached this task (one copy per record) */
	uint8_t mac;           /* has a MAC target: learned bindings */
	uint8_t n_bound;
	uint8_t no_liid_logged;
	struct cap_binding bind[CAPTURE_MAX_BINDINGS];
	unsigned n_streams;
	struct cap_stream s[CLIFD_MAX_DIDS];
};

struct stage {
	uint8_t *buf;             /* STAGE_BYTES */
	size_t used;
	unsigned n;
	uint32_t len[STAGE_PDUS];
	uint8_t iri[STAGE_PDUS];  /* 1: IRI / X2, 0: CC / X3 (the counters) */
	uint8_t ok[STAGE_PDUS];
};

struct cap_dest {
	uint8_t used;
	struct clifd_destination cfg;
	struct deliver *snd;
	struct stage stg;
	uint64_t lost_seen;     /* lost_pdus at the last report */
	int failed_logged;
};

struct clifd_capture {
	struct event_base *base;
	struct event *ev;
	struct clif_card *card;
	struct rulecomp *rc;
	struct clifd_store *store;
	struct clifd_reporter *rep;
	struct clifd_config cfg;
	struct etsi_cc_config hdr_cfg; /* operator, NE, countries; LIID and CIN per context */

	struct cap_task *buckets[TASK_BUCKETS];
	unsigned n_tasks, n_mac_tasks;
	struct cap_dest dests[CAPTURE_MAX_DESTS];
	uint64_t stamp;
	uint64_t last_slow_ns, last_loss_ns, last_learn_ns;
	uint64_t punted_seen;   /* the card's punt counter at the last look */
	uint64_t last_punt_ns;  /* when it last moved */
	uint64_t ring_lost_seen;
	int started;

	struct capture_stats st;
	unsigned n_reserved;  /* capture_reserve_cin() */
	struct {
		struct clifd_task task; /* as the request stored it */
		uint32_t cin;
	} reserved[CAPTURE_MAX_RESERVED];
	uint8_t (*xids)[16];  /* MAX_TASKS_PER_HANDLE */
	struct clif_rec_view views[CAPTURE_BURST];
	uint8_t iri[ETSI_IRI_MAX_PDU]; /* an IRI PS-PDU on its way into an X2 PDU */
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static unsigned bucket_of(const uint8_t xid[16])
{
	uint32_t h = 2166136261u;

	for (int i = 0; i < 16; i++)
		h = (h ^ xid[i]) * 16777619u;
	return h % TASK_BUCKETS;
}

static struct cap_task *task_find(struct clifd_capture *c, const uint8_t xid[16])
{
	for (struct cap_task *t = c->buckets[bucket_of(xid)]; t; t = t->next)
		if (memcmp(t->t.xid, xid, 16) == 0)
			return t;
	return NULL;
}

/* ---- destinations ---- */

static int dest_find(const struct clifd_capture *c, const uint8_t did[16])
{
	for (unsigned i = 0; i < CAPTURE_MAX_DESTS; i++)
		if (c->dests[i].used && memcmp(c->dests[i].cfg.did, did, 16) == 0)
			return (int)i;
	return -1;
}

static void did_text(const uint8_t did[16], char out[37])
{
	clifd_uuid_format(did, out);
}

static void dest_start(struct clifd_capture *c, struct cap_dest *ds)
{
	const struct clifd_destination *d = &ds->cfg;
	struct deliver_config dc;
	char host[64], did[37], spool[CLIFD_PATH_MAX + 64];
	int x2x3 = d->handover == CLIFD_HANDOVER_X2X3;

	memset(&dc, 0, sizeof(dc));
	did_text(d->did, did);
	if (d->transport != CLIFD_TRANSPORT_TCP) {
		if (!ds->failed_logged++)
			clifd_log(LOG_ERR, "destination %s: only TCP delivery is supported; nothing is sent to it", did);
		return;
	}
	if (!inet_ntop(d->ip_len == 4 ? AF_INET : AF_INET6, d->ip, host, sizeof(host)))
		return;
	dc.protocol = x2x3 ? DELIVER_X2X3 : DELIVER_TS102232;
	dc.host = host;
	dc.port = d->port;
	dc.server_name = host; /* the LEMF's certificate must carry this IP address */
	dc.ca_file = c->cfg.lemf_ca;
	dc.cert_file = c->cfg.lemf_cert;
	dc.key_file = c->cfg.lemf_key;
	dc.time1_ms = x2x3 ? c->cfg.x2x3_time_p1_ms : c->cfg.hi_time1_ms;
	dc.time2_ms = x2x3 ? 0 : c->cfg.hi_time2_ms;
	dc.time3_ms = x2x3 ? c->cfg.x2x3_time_p2_ms : c->cfg.hi_time3_ms;
	dc.backoff_initial_ms = c->cfg.reconnect_min_ms;
	dc.backoff_max_ms = c->cfg.reconnect_max_ms;
	dc.resend_bytes = (size_t)c->cfg.delivery_resend_kib << 10;
	dc.queue_bytes = (size_t)c->cfg.delivery_queue_kib << 10;
	dc.max_pdu = ETSI_CC_MAX_OVERHEAD + 65535u + X2X3_MAX_HDR;
	if (c->cfg.spool_mib) {
		snprintf(spool, sizeof(spool), "%s/spool", c->cfg.state_dir);
		if (mkdir(spool, 0700) != 0 && errno != EEXIST)
			clifd_log(LOG_ERR, "cannot create %s: %s", spool, strerror(errno));
		snprintf(spool, sizeof(spool), "%s/spool/%s.spool", c->cfg.state_dir, did);
		dc.spool_path = spool;
		dc.spool_bytes = (uint64_t)c->cfg.spool_mib << 20;
	}
	dc.operator_id = (const uint8_t *)c->cfg.handover_operator_id;
	dc.operator_id_len = strlen(c->cfg.handover_operator_id);
	dc.ne_id = (const uint8_t *)c->hdr_cfg.ne_id;
	dc.ne_id_len = c->hdr_cfg.ne_id_len;
	dc.delivery_country = c->hdr_cfg.delivery_country;
	ds->snd = deliver_new(&dc);
	if (!ds->snd) {
		int e = errno;
		if (!ds->failed_logged++)
			clifd_log(LOG_ERR, "destination %s: sender not started (%s)", did, strerror(e));
		if (c->rep)
			clifd_report_destination_issue(c->rep, d->did, X1_REPORT_NON_TERMINATING_FAULT, 0,
						       "delivery to this destination cannot start");
		return;
	}
	ds->failed_logged = 0;
	clifd_log(LOG_INFO, "destination %s: %s sender started", did, x2x3 ? "X2/X3" : "TS 102 232-1");
}

static void stage_flush(struct clifd_capture *c, struct cap_dest *ds);

/* Stops the destination's sender once what it was given (its stage included) is written or
 * flush_ms have passed. */
static void dest_stop(struct clifd_capture *c, struct cap_dest *ds, unsigned flush_ms)
{
	if (ds->snd) {
		stage_flush(c, ds);
		deliver_flush(ds->snd, flush_ms);
		deliver_free(ds->snd);
		ds->snd = NULL;
	}
}

static int dest_same(const struct clifd_destination *a, const struct clifd_destination *b)
{
	return a->ip_len == b->ip_len && memcmp(a->ip, b->ip, a->ip_len) == 0 && a->port == b->port &&
	       a->transport == b->transport && a->handover == b->handover;
}

struct dest_walk {
	struct clifd_capture *c;
	uint8_t seen[CAPTURE_MAX_DESTS];
	int slots_changed; /* a destination came or went: streams look their slot up again */
};

static int dest_visit(const struct clifd_destination *d, void *arg)
{
	struct dest_walk *w = arg;
	struct clifd_capture *c = w->c;
	int i = dest_find(c, d->did);

	if (i >= 0) {
		w->seen[i] = 1;
		if (!dest_same(&c->dests[i].cfg, d) || !c->dests[i].snd) {
			dest_stop(c, &c->dests[i], 2000);
			c->dests[i].cfg = *d;
			dest_start(c, &c->dests[i]);
		} else {
			c->dests[i].cfg = *d; /* the name or delivery type */
		}
		return 0;
	}
	for (i = 0; i < (int)CAPTURE_MAX_DESTS && c->dests[i].used; i++)
		;
	if (i == (int)CAPTURE_MAX_DESTS) {
		clifd_log(LOG_ERR, "more than %u destinations: the newest gets no sender", CAPTURE_MAX_DESTS);
		return 0;
	}
	memset(&c->dests[i], 0, sizeof(c->dests[i]));
	c->dests[i].used = 1;
	c->dests[i].cfg = *d;
	if (!(c->dests[i].stg.buf = malloc(STAGE_BYTES)))
		clifd_log(LOG_ERR, "out of memory: a destination gets nothing");
	w->seen[i] = 1;
	w->slots_changed = 1;
	dest_start(c, &c->dests[i]);
	return 0;
}

void capture_sync_dests(struct clifd_capture *c)
{
	struct dest_walk w;

	memset(&w, 0, sizeof(w));
	w.c = c;
	if (store_dest_each(c->store, dest_visit, &w) != 0)
		return; /* unreadable: keep what runs */
	for (unsigned i = 0; i < CAPTURE_MAX_DESTS; i++)
		if (c->dests[i].used && !w.seen[i]) {
			dest_stop(c, &c->dests[i], 2000);
			free(c->dests[i].stg.buf);
			c->dests[i].stg.buf = NULL;
			c->dests[i].used = 0;
			w.slots_changed = 1;
		}
	if (!w.slots_changed)
		return;
	/* Streams find their destination by slot: look them up again. */
	for (unsigned b = 0; b < TASK_BUCKETS; b++)
		for (struct cap_task *t = c->buckets[b]; t; t = t->next)
			for (unsigned k = 0; k < t->n_streams; k++) {
				int i = dest_find(c, t->s[k].did);
				t->s[k].dest = i < 0 ? CAPTURE_MAX_DESTS : (unsigned)i;
			}
}

/* ---- encoding and submission ---- */

/* Hands the destination's staged PDUs to its sender. */
static void stage_flush(struct clifd_capture *c, struct cap_dest *ds)
{
	struct stage *g = &ds->stg;

	if (!g->n)
		return;
	if (deliver_submit_batch(ds->snd, g->buf, g->len, g->n, g->ok) < 0) {
		c->st.submit_errors += g->n;
	} else {
		for (unsigned i = 0; i < g->n; i++) {
			if (!g->ok[i])
				c->st.submit_errors++;
			else if (g->iri[i])
				c->st.iri_pdus++;
			else
				c->st.cc_pdus++;
		}
	}
	g->used = 0;
	g->n = 0;
}

static void flush_all(struct clifd_capture *c)
{
	for (unsigned i = 0; i < CAPTURE_MAX_DESTS; i++)
		if (c->dests[i].used && c->dests[i].snd)
			stage_flush(c, &c->dests[i]);
}

/* Where to encode the next PDU of stream s: PDU_SCRATCH bytes in its destination's stage
 * (handed over first when it could not take one more), or NULL when the destination has no
 * sender (counted; nothing is encoded, no sequence number taken). */
static uint8_t *pdu_space(struct clifd_capture *c, const struct cap_stream *s)
{
	struct cap_dest *ds = s->dest < CAPTURE_MAX_DESTS ? &c->dests[s->dest] : NULL;

	if (!ds || !ds->snd || !ds->stg.buf) {
		c->st.no_sender++;
		return NULL;
	}
	if (STAGE_BYTES - ds->stg.used < PDU_SCRATCH || ds->stg.n == STAGE_PDUS)
		stage_flush(c, ds);
	return ds->stg.buf + ds->stg.used;
}

/* The PDU pdu_space() gave room for is n bytes long (negative: the encoder's error). */
static void pdu_done(struct clifd_capture *c, const struct cap_stream *s, long n, int iri)
{
	struct stage *g = &c->dests[s->dest].stg;

	if (n < 0) {
		c->st.encode_errors++;
		return;
	}
	g->len[g->n] = (uint32_t)n;
	g->iri[g->n++] = (uint8_t)iri;
	g->used += (size_t)n;
}

static int stream_is_x2x3(const struct clifd_capture *c, const struct cap_stream *s)
{
	return s->dest < CAPTURE_MAX_DESTS && c->dests[s->dest].cfg.handover == CLIFD_HANDOVER_X2X3;
}

static uint64_t task_correlation(const struct cap_task *t, const struct cap_ctx *x)
{
	return t->t.has_correlation ? t->t.correlation_id : x->cin;
}

/* The fixed part and the sequence and timestamp attributes of an X2 or X3 PDU of task t on
 * context x. */
static void x2x3_head(struct x2x3_pdu *p, unsigned type, unsigned format, unsigned dir, const struct cap_task *t,
		      const struct cap_ctx *x, uint32_t seq, uint64_t ts_ns)
{
	memset(p, 0, sizeof(*p));
	p->pdu_type = (uint16_t)type;
	p->payload_format = (uint16_t)format;
	p->payload_dir = (uint16_t)dir;
	memcpy(p->xid, t->t.xid, 16);
	p->correlation_id = task_correlation(t, x);
	p->has = X2X3_HAS_SEQ | X2X3_HAS_TIMESTAMP;
	p->seq = seq;
	p->ts_sec = (uint32_t)(ts_ns / 1000000000ull);
	p->ts_nsec = (uint32_t)(ts_ns % 1000000000ull);
}

/* One IRI record on context x of stream s. */
static void send_iri(struct clifd_capture *c, struct cap_task *t, struct cap_stream *s, struct cap_ctx *x,
		     const struct etsi_iri *iri, uint64_t ts_ns)
{
	struct x2x3_pdu p;
	uint8_t *out;
	long ilen;

	if (!s->iri)
		return;
	if (!stream_is_x2x3(c, s) && !s->has_liid) {
		c->st.no_liid++;
		return;
	}
	if (!(out = pdu_space(c, s)))
		return;
	if (!stream_is_x2x3(c, s)) {
		pdu_done(c, s, etsi_iri_encode(&x->hdr, etsi_seq_take(&x->seq, ETSI_SEQ_IRI), ts_ns, iri, out, PDU_SCRATCH),
			 1);
		return;
	}
	ilen = etsi_iri_encode(&x->hdr, etsi_seq_take(&x->seq, ETSI_SEQ_IRI), ts_ns, iri, c->iri, sizeof(c->iri));
	if (ilen < 0) {
		c->st.encode_errors++;
		return;
	}
	x2x3_head(&p, X2X3_PDU_X2, X2X3_FMT_ETSI_102232, X2X3_DIR_NOT_APPLICABLE, t, x, x->x2_seq++, ts_ns);
	p.payload = c->iri;
	p.payload_len = (uint32_t)ilen;
	pdu_done(c, s, x2x3_encode(&p, out, PDU_SCRATCH), 1);
}

/* (Re)initialises a context for stream s with the given CIN. Returns 0 or -1. */
static int ctx_init(struct clifd_capture *c, const struct cap_stream *s, struct cap_ctx *x, uint32_t cin)
{
	struct etsi_cc_config hc = c->hdr_cfg;
	static const uint8_t dash = '-';

	memset(x, 0, sizeof(*x));
	x->cin = cin;
	if (s->has_liid) {
		hc.liid = (const uint8_t *)s->liid;
		hc.liid_len = strlen(s->liid);
	} else {
		hc.liid = &dash; /* X2 payloads without mediation details: the MF assigns the LIID */
		hc.liid_len = 1;
	}
	hc.cin = cin;
	return etsi_cc_init(&x->hdr, &hc) == 0 ? 0 : -1;
}

/* The task's IP version and, with exactly one IP target, that target (IRI fields). */
static void iri_task_fields(const struct cap_task *t, struct etsi_iri *iri)
{
	unsigned v4 = 0, v6 = 0, n_ip = 0;
	const struct clifd_target *one = NULL;

	for (unsigned i = 0; i < t->t.n_targets; i++) {
		const struct clifd_target *g = &t->t.targets[i];
		if (g->kind == CLIFD_TGT_IPV4 || g->kind == CLIFD_TGT_IPV4_CIDR)
			v4 = 1;
		else if (g->kind == CLIFD_TGT_IPV6 || g->kind == CLIFD_TGT_IPV6_CIDR)
			v6 = 1;
		else
			continue;
		n_ip++;
		one = g;
	}
	iri->ip_version = v4 && v6 ? 3 : v6 ? 2 : 1;
	if (n_ip == 1) {
		int is4 = one->kind == CLIFD_TGT_IPV4 || one->kind == CLIFD_TGT_IPV4_CIDR;
		unsigned full = is4 ? 32 : 128;
		iri->has |= ETSI_IRI_HAS_TARGET_IP;
		iri->target_ip_len = is4 ? 4 : 16;
		memcpy(iri->target_ip, one->addr, iri->target_ip_len);
		iri->ip_assignment = 1; /* static: the warrant names it */
		if (one->prefix_len && one->prefix_len < full)
			iri->prefix_len = one->prefix_len;
	}
}

static void iri_session(struct clifd_capture *c, struct cap_task *t, int begin, unsigned end_event)
{
	uint64_t now = real_ns();

	for (unsigned k = 0; k < t->n_streams; k++) {
		struct cap_stream *s = &t->s[k];
		struct etsi_iri iri;

		memset(&iri, 0, sizeof(iri));
		iri.iri_type = begin ? ETSI_IRI_BEGIN : ETSI_IRI_END;
		iri.event = begin ? ETSI_EV_START_WITH_SESSION_ACTIVE : end_event;
		iri.access_type = 4; /* lAN */
		iri_task_fields(t, &iri);
		iri.has |= ETSI_IRI_HAS_START;
		iri.start_ns = t->start_ns;
		if (!begin) {
			iri.has |= ETSI_IRI_HAS_END | ETSI_IRI_HAS_OCTETS;
			iri.end_ns = now;
			iri.octets_rx = s->base.octets_rx;
			iri.octets_tx = s->base.octets_tx;
		}
		send_iri(c, t, s, &s->base, &iri, now);
	}
}

static void iri_binding(struct clifd_capture *c, struct cap_task *t, unsigned b, int begin, unsigned end_reason)
{
	const struct cap_binding *bd = &t->bind[b];
	uint64_t now = real_ns();

	for (unsigned k = 0; k < t->n_streams; k++) {
		struct cap_stream *s = &t->s[k];
		struct etsi_iri iri;

		if (!s->bind)
			continue;
		memset(&iri, 0, sizeof(iri));
		iri.iri_type = begin ? ETSI_IRI_BEGIN : ETSI_IRI_END;
		iri.event = begin ? ETSI_EV_ACCESS_ACCEPT : ETSI_EV_ACCESS_END;
		iri.access_type = 4;
		iri.ip_version = bd->addr_type == CLIF_ADDR_IPV6 ? 2 : 1;
		iri.has = ETSI_IRI_HAS_TARGET_IP | ETSI_IRI_HAS_START;
		iri.target_ip_len = bd->addr_type == CLIF_ADDR_IPV6 ? 16 : 4;
		memcpy(iri.target_ip, bd->addr, iri.target_ip_len);
		iri.ip_assignment = bd->source == CLIF_LEARN_SRC_DHCPV4 ? 2 : 3; /* dynamic, notKnown */
		iri.start_ns = bd->start_ns;
		if (!begin) {
			iri.has |= ETSI_IRI_HAS_END | ETSI_IRI_HAS_END_REASON | ETSI_IRI_HAS_OCTETS;
			iri.end_ns = now;
			iri.end_reason = end_reason;
			iri.octets_rx = s->bind[b].octets_rx;
			iri.octets_tx = s->bind[b].octets_tx;
		}
		send_iri(c, t, s, &s->bind[b], &iri, now);
	}
}

/* ---- sessions ---- */

/* What stream s of task t carries, from the deliveryType and the mediation details. */
static void stream_setup(const struct clifd_task *task, struct cap_stream *s)
{
	unsigned hi = CLIFD_HI2_AND_HI3;

	s->iri = task->delivery != CLIFD_X3_ONLY;
	s->cc = task->delivery != CLIFD_X2_ONLY;
	for (unsigned m = 0; m < task->n_mediation; m++) {
		const struct clifd_mediation *md = &task->mediation[m];
		int names = md->n_dids == 0;
		for (unsigned i = 0; i < md->n_dids; i++)
			if (memcmp(md->dids[i], s->did, 16) == 0)
				names = 1;
		if (!names || s->has_liid)
			continue;
		s->has_liid = 1;
		snprintf(s->liid, sizeof(s->liid), "%s", md->liid);
		hi = md->hi_delivery;
	}
	if (hi == CLIFD_HI2_ONLY)
		s->cc = 0;
	else if (hi == CLIFD_HI3_ONLY)
		s->iri = 0;
}

static void task_free(struct cap_task *t)
{
	for (unsigned k = 0; k < t->n_streams; k++)
		free(t->s[k].bind);
	free(t);
}

/* The reservation capture_reserve_cin() made for xid, or -1. */
static int reserved_of(const struct clifd_capture *c, const uint8_t xid[16])
{
	for (unsigned i = 0; i < c->n_reserved; i++)
		if (memcmp(c->reserved[i].task.xid, xid, 16) == 0)
			return (int)i;
	return -1;
}

/* A CIN capture_reserve_cin() took for xid: 1 and *cin (no longer reserved), or 0. */
static int reserved_cin(struct clifd_capture *c, const uint8_t xid[16], uint32_t *cin)
{
	int i = reserved_of(c, xid);

	if (i < 0)
		return 0;
	*cin = c->reserved[i].cin;
	c->reserved[i] = c->reserved[--c->n_reserved];
	return 1;
}

/* Starts the session of a task the rule compiler holds. */
static void session_start(struct clifd_capture *c, const struct clifd_task *task)
{
	struct cap_task *t = calloc(1, sizeof(*t));
	unsigned b;
	int r;

	if (!t) {
		clifd_log(LOG_ERR, "out of memory: a task's records are not delivered");
		return;
	}
	t->t = *task;
	clifd_task_ref(task->xid, t->ref);
	for (unsigned i = 0; i < task->n_targets; i++)
		if (task->targets[i].kind == CLIFD_TGT_MAC)
			t->mac = 1;
	r = reserved_cin(c, task->xid, &t->cin) ? 0 : store_cin_next(c->store, task->xid, &t->cin);
	if (r) {
		clifd_log(LOG_ERR, "task %s: no CIN (%s): its records are not delivered", t->ref, strerror(-r));
		free(t);
		return;
	}
	t->start_ns = real_ns();
	for (unsigned k = 0; k < task->n_dids; k++) {
		struct cap_stream *s = &t->s[t->n_streams];
		int i = dest_find(c, task->dids[k]);

		memcpy(s->did, task->dids[k], 16);
		s->dest = i < 0 ? CAPTURE_MAX_DESTS : (unsigned)i;
		stream_setup(task, s);
		if (ctx_init(c, s, &s->base, t->cin) != 0) {
			c->st.encode_errors++;
			continue;
		}
		if (t->mac && !(s->bind = calloc(CAPTURE_MAX_BINDINGS, sizeof(*s->bind)))) {
			clifd_log(LOG_ERR, "out of memory: task %s misses a destination", t->ref);
			continue;
		}
		if (!stream_is_x2x3(c, s) && !s->has_liid && !t->no_liid_logged++)
			clifd_log(LOG_WARNING, "task %s: no LIID for a TS 102 232-1 destination: nothing is sent there",
				  t->ref);
		t->n_streams++;
	}
	b = bucket_of(task->xid);
	t->next = c->buckets[b];
	c->buckets[b] = t;
	c->n_tasks++;
	c->n_mac_tasks += t->mac;
	iri_session(c, t, 1, 0);
}

static void session_end(struct clifd_capture *c, const uint8_t xid[16], unsigned event)
{
	struct cap_task **pp = &c->buckets[bucket_of(xid)], *t;

	while (*pp && memcmp((*pp)->t.xid, xid, 16) != 0)
		pp = &(*pp)->next;
	if (!(t = *pp))
		return;
	for (unsigned b = 0; b < CAPTURE_MAX_BINDINGS; b++)
		if (t->bind[b].used)
			iri_binding(c, t, b, 0, ETSI_END_UNDEFINED);
	iri_session(c, t, 0, event);
	*pp = t->next;
	c->n_tasks--;
	c->n_mac_tasks -= t->mac;
	task_free(t);
}

void capture_sync_task(struct clifd_capture *c, const uint8_t xid[16])
{
	struct cap_task *t = task_find(c, xid);
	struct clifd_task now;
	int i = reserved_of(c, xid), r = 0;
	int live;

	/* A reservation holds the task as its request committed it: no second read. */
	if (i >= 0)
		now = c->reserved[i].task;
	else
		r = store_task_get(c->store, xid, &now);
	live = r == 0 && rulecomp_has_task(c->rc, xid);

	if (t && live && memcmp(&t->t, &now, sizeof(now)) == 0)
		return;
	if (t)
		session_end(c, xid, ETSI_EV_END_WITH_SESSION_ACTIVE);
	if (live)
		session_start(c, &now);
	flush_all(c);
}

/* Whether capture_sync_task() would start a session for xid now; the task as stored in *now. */
static int needs_session(struct clifd_capture *c, const uint8_t xid[16], struct clifd_task *now)
{
	struct cap_task *t = task_find(c, xid);

	if (store_task_get(c->store, xid, now) != 0 || !rulecomp_has_task(c->rc, xid))
		return 0;
	return !t || memcmp(&t->t, now, sizeof(*now)) != 0;
}

int capture_reserve_cin(struct clifd_capture *c, const uint8_t xid[16])
{
	uint32_t cin;
	int r;

	/* touched twice in one request: one session */
	if (c->n_reserved == CAPTURE_MAX_RESERVED || reserved_of(c, xid) >= 0 ||
	    !needs_session(c, xid, &c->reserved[c->n_reserved].task))
		return 0;
	if ((r = store_cin_next(c->store, xid, &cin)) != 0)
		return r;
	c->reserved[c->n_reserved++].cin = cin;
	return 0;
}

void capture_drop_reserved(struct clifd_capture *c)
{
	c->n_reserved = 0;
}

static int sync_visit(const struct clifd_task *task, void *arg)
{
	struct clifd_capture *c = arg;

	if (!task_find(c, task->xid) && rulecomp_has_task(c->rc, task->xid))
		session_start(c, task);
	return 0;
}

void capture_sync_all(struct clifd_capture *c)
{
	/* First the sessions that end or change, then the stored tasks without one. */
	for (unsigned b = 0; b < TASK_BUCKETS; b++) {
		struct cap_task *t = c->buckets[b];
		while (t) {
			uint8_t xid[16];
			memcpy(xid, t->t.xid, 16);
			t = t->next; /* capture_sync_task may free the current one */
			capture_sync_task(c, xid);
		}
	}
	store_task_each(c->store, sync_visit, c);
	flush_all(c);
}

/* ---- learned bindings ---- */

static void learn_one(struct clifd_capture *c, const struct clif_learn_event *ev)
{
	size_t n = rulecomp_tasks_of_handle(c->rc, ev->handle, c->xids, MAX_TASKS_PER_HANDLE);
	unsigned alen = ev->addr_type == CLIF_ADDR_IPV6 ? 16 : 4;

	if (n > MAX_TASKS_PER_HANDLE)
		n = MAX_TASKS_PER_HANDLE;
	for (size_t i = 0; i < n; i++) {
		struct cap_task *t = task_find(c, c->xids[i]);
		unsigned b, freeb = CAPTURE_MAX_BINDINGS;

		if (!t || !t->mac)
			continue;
		for (b = 0; b < CAPTURE_MAX_BINDINGS; b++) {
			if (!t->bind[b].used) {
				if (freeb == CAPTURE_MAX_BINDINGS)
					freeb = b;
				continue;
			}
			if (t->bind[b].addr_type == ev->addr_type && memcmp(t->bind[b].addr, ev->addr, alen) == 0)
				break;
		}
		if (ev->kind == CLIF_LEARN_UNBIND) {
			if (b == CAPTURE_MAX_BINDINGS)
				continue;
			iri_binding(c, t, b, 0,
				    t->bind[b].source == CLIF_LEARN_SRC_DHCPV4 ? ETSI_END_LEASE_EXPIRED
									      : ETSI_END_CONNECTION_TIMEOUT);
			t->bind[b].used = 0;
			t->n_bound--;
			continue;
		}
		if (ev->kind != CLIF_LEARN_BIND || b != CAPTURE_MAX_BINDINGS)
			continue; /* already bound: the same session goes on */
		if (freeb == CAPTURE_MAX_BINDINGS)
			continue; /* more addresses than sessions: their CC stay on the task's CIN */
		struct cap_binding *bd = &t->bind[freeb];
		uint32_t cin;
		int r = store_cin_next(c->store, t->t.xid, &cin);
		if (r) {
			clifd_log(LOG_ERR, "task %s: no CIN for a learned address (%s)", t->ref, strerror(-r));
			continue;
		}
		memset(bd, 0, sizeof(*bd));
		bd->used = 1;
		bd->addr_type = ev->addr_type;
		bd->source = ev->source;
		memcpy(bd->addr, ev->addr, alen);
		bd->start_ns = real_ns();
		for (unsigned k = 0; k < t->n_streams; k++)
			if (t->s[k].bind && ctx_init(c, &t->s[k], &t->s[k].bind[freeb], cin) != 0)
				c->st.encode_errors++;
		t->n_bound++;
		iri_binding(c, t, freeb, 1, 0);
	}
}

static void learn_drain(struct clifd_capture *c)
{
	struct clif_learn_event ev[32];
	uint32_t n;

	for (int rounds = 0; rounds < 8; rounds++) {
		if (clif_learn_drain(c->card, ev, 32, &n) != 0 || n == 0)
			return;
		c->st.learn_events += n;
		for (uint32_t i = 0; i < n; i++)
			learn_one(c, &ev[i]);
		if (n < 32)
			return;
	}
}

/* ---- the ring ---- */

struct dgram {
	const uint8_t *ip;
	uint32_t len;
	uint8_t v6;
};

/* The IP datagram of the layer that matched, cut to its IP length. Returns 0, or -1 (none). */
static int datagram_of(const struct clif_rec_view *v, uint8_t side, struct dgram *g)
{
	const struct clif_c2h_rec *h = v->hdr;
	int inner = (side & (CLIF_SIDE_INNER_SRC | CLIF_SIDE_INNER_DST)) != 0;
	uint32_t off = inner ? h->inner_l3_off : h->outer_l3_off;
	uint8_t l3 = inner ? h->inner_l3 : h->outer_l3;
	uint32_t avail, iplen;

	if (l3 == CLIF_L3_NONE || off == 0 || off >= h->cap_len)
		return -1;
	g->ip = v->frame + off;
	avail = h->cap_len - off;
	if (l3 == CLIF_L3_IPV4) {
		if (avail < 20)
			return -1;
		iplen = (uint32_t)g->ip[2] << 8 | g->ip[3];
		g->v6 = 0;
	} else {
		if (avail < 40)
			return -1;
		iplen = 40u + ((uint32_t)g->ip[4] << 8 | g->ip[5]);
		g->v6 = 1;
	}
	g->len = iplen < avail ? iplen : avail;
	return 0;
}

static unsigned direction_of(uint8_t side)
{
	int src = (side & (CLIF_SIDE_OUTER_SRC | CLIF_SIDE_INNER_SRC)) != 0;
	int dst = (side & (CLIF_SIDE_OUTER_DST | CLIF_SIDE_INNER_DST)) != 0;

	return src && !dst ? ETSI_CC_DIR_FROM_TARGET : dst && !src ? ETSI_CC_DIR_TO_TARGET
								 : ETSI_CC_DIR_INDETERMINATE;
}

/* The binding whose address the datagram carries, or CAPTURE_MAX_BINDINGS. */
static unsigned binding_of(const struct cap_task *t, const struct dgram *g)
{
	unsigned alen = g->v6 ? 16 : 4, so = g->v6 ? 8 : 12, dof = g->v6 ? 24 : 16;
	uint8_t at = g->v6 ? CLIF_ADDR_IPV6 : CLIF_ADDR_IPV4;

	for (unsigned b = 0; b < CAPTURE_MAX_BINDINGS; b++) {
		const struct cap_binding *bd = &t->bind[b];
		if (bd->used && bd->addr_type == at &&
		    (memcmp(g->ip + so, bd->addr, alen) == 0 || memcmp(g->ip + dof, bd->addr, alen) == 0))
			return b;
	}
	return CAPTURE_MAX_BINDINGS;
}

static void x3_fields(const struct dgram *g, struct x2x3_pdu *p)
{
	uint32_t l4;
	uint8_t proto;

	p->ip_len = g->v6 ? 16 : 4;
	memcpy(p->src_ip, g->ip + (g->v6 ? 8 : 12), p->ip_len);
	memcpy(p->dst_ip, g->ip + (g->v6 ? 24 : 16), p->ip_len);
	p->has |= X2X3_HAS_SRC_IP | X2X3_HAS_DST_IP | X2X3_HAS_IP_PROTO;
	if (g->v6) {
		proto = g->ip[6];
		l4 = 40;
	} else {
		proto = g->ip[9];
		l4 = (uint32_t)(g->ip[0] & 0x0f) * 4u;
		if ((g->ip[6] & 0x3f) || g->ip[7]) /* a fragment past the first, or with more to come */
			l4 = 0;
	}
	p->ip_proto = proto;
	if (l4 && (proto == 6 || proto == 17) && g->len >= l4 + 4) {
		p->src_port = (uint16_t)(g->ip[l4] << 8 | g->ip[l4 + 1]);
		p->dst_port = (uint16_t)(g->ip[l4 + 2] << 8 | g->ip[l4 + 3]);
		p->has |= X2X3_HAS_SRC_PORT | X2X3_HAS_DST_PORT;
	}
}

static void cc_one(struct clifd_capture *c, struct cap_task *t, const struct dgram *g, unsigned dir, uint64_t ts)
{
	unsigned b = t->n_bound ? binding_of(t, g) : CAPTURE_MAX_BINDINGS;

	for (unsigned k = 0; k < t->n_streams; k++) {
		struct cap_stream *s = &t->s[k];
		struct cap_ctx *x = b < CAPTURE_MAX_BINDINGS && s->bind ? &s->bind[b] : &s->base;
		long n;

		if (dir == ETSI_CC_DIR_TO_TARGET)
			x->octets_rx += g->len;
		else if (dir == ETSI_CC_DIR_FROM_TARGET)
			x->octets_tx += g->len;
		if (!s->cc)
			continue;
		if (!stream_is_x2x3(c, s) && !s->has_liid) {
			c->st.no_liid++;
			continue;
		}
		uint8_t *out = pdu_space(c, s);
		if (!out)
			continue;
		if (!stream_is_x2x3(c, s)) {
			n = etsi_cc_encode(&x->hdr, etsi_seq_take(&x->seq, ETSI_SEQ_CC), ts, dir, g->ip, g->len, out,
					   PDU_SCRATCH);
		} else {
			struct x2x3_pdu p;
			unsigned xdir = dir == ETSI_CC_DIR_FROM_TARGET ? X2X3_DIR_FROM_TARGET
					: dir == ETSI_CC_DIR_TO_TARGET ? X2X3_DIR_TO_TARGET
								      : X2X3_DIR_UNKNOWN;
			x2x3_head(&p, X2X3_PDU_X3, g->v6 ? X2X3_FMT_IPV6 : X2X3_FMT_IPV4, xdir, t, x, x->x3_seq++, ts);
			x3_fields(g, &p);
			p.payload = g->ip;
			p.payload_len = g->len;
			n = x2x3_encode(&p, out, PDU_SCRATCH);
		}
		pdu_done(c, s, n, 0);
	}
}

static void record_one(struct clifd_capture *c, const struct clif_rec_view *v)
{
	const struct clif_c2h_rec *h = v->hdr;
	unsigned reached = 0;

	c->stamp++;
	for (unsigned i = 0; i < h->n_match && i < CLIF_REC_MAX_MATCH; i++) {
		size_t n = rulecomp_tasks_of_handle(c->rc, h->handle[i], c->xids, MAX_TASKS_PER_HANDLE);
		struct dgram g = { NULL, 0, 0 };
		int has_ip;

		if (n == 0)
			continue;
		if (n > MAX_TASKS_PER_HANDLE)
			n = MAX_TASKS_PER_HANDLE;
		has_ip = datagram_of(v, h->side[i], &g) == 0;
		for (size_t k = 0; k < n; k++) {
			struct cap_task *t = task_find(c, c->xids[k]);
			if (!t || t->stamp == c->stamp)
				continue;
			t->stamp = c->stamp;
			reached++;
			if (!has_ip) {
				c->st.no_ip++;
				continue;
			}
			cc_one(c, t, &g, direction_of(h->side[i]), h->ts_ns);
		}
	}
	if (!reached)
		c->st.unmatched++;
}

/* Drains up to CAPTURE_ROUNDS bursts. Returns 1 if the ring may hold more. */
static int drain(struct clifd_capture *c)
{
	for (unsigned round = 0; round < CAPTURE_ROUNDS; round++) {
		int n = clif_c2h_dequeue(c->card, c->views, CAPTURE_BURST);

		if (n <= 0)
			return 0; /* empty, or a reset the card poll deals with */
		for (int i = 0; i < n; i++)
			record_one(c, &c->views[i]);
		flush_all(c);
		clif_c2h_release(c->card, (uint32_t)n);
		c->st.records += (uint64_t)n;
		if ((unsigned)n < CAPTURE_BURST)
			return 0;
	}
	return 1;
}

static void loss_check(struct clifd_capture *c)
{
	struct clif_c2h_stats cs;

	if (clif_c2h_stats(c->card, &cs) == 0) {
		uint64_t lost = cs.seq_gaps > cs.card_drops ? cs.seq_gaps : cs.card_drops;
		c->st.ring_lost = lost;
		if (lost > c->ring_lost_seen) {
			clifd_log(LOG_WARNING, "capture ring: %llu copies lost (ring full; %llu in total)",
				  (unsigned long long)(lost - c->ring_lost_seen), (unsigned long long)lost);
			if (c->rep)
				clifd_report_ne_issue(c->rep, X1_NE_ISSUE_WARNING,
						      "capture ring overflow: intercepted copies were lost", 0);
			c->ring_lost_seen = lost;
		}
	}
	for (unsigned i = 0; i < CAPTURE_MAX_DESTS; i++) {
		struct cap_dest *ds = &c->dests[i];
		struct deliver_stats st;
		char did[37];

		if (!ds->used || !ds->snd)
			continue;
		deliver_stats(ds->snd, &st);
		if (st.lost_pdus > ds->lost_seen) {
			did_text(ds->cfg.did, did);
			clifd_log(LOG_WARNING, "destination %s: %llu PDUs lost (%llu in total)", did,
				  (unsigned long long)(st.lost_pdus - ds->lost_seen), (unsigned long long)st.lost_pdus);
			if (c->rep)
				clifd_report_destination_issue(c->rep, ds->cfg.did, X1_REPORT_WARNING, 0,
							       "records for this destination were lost");
			ds->lost_seen = st.lost_pdus;
		}
	}
}

static void tick(evutil_socket_t fd, short what, void *arg)
{
	struct clifd_capture *c = arg;
	int more = drain(c);
	uint64_t now = mono_ns();

	(void)fd;
	(void)what;
	if (c->n_mac_tasks && now - c->last_slow_ns >= SLOW_TICK_NS) {
		/* The mailbox is one for every host (clifctl too), so it is only used when the card
		 * punted frames since the last look (a binding may have come), or once a second (an
		 * age-out comes without a punt). The punt counter is a plain register read. */
		struct clif_dp_counters dp;
		int read = clif_dp_counters(c->card, &dp) == 0;
		c->last_slow_ns = now;
		if (read && dp.punted != c->punted_seen) {
			c->punted_seen = dp.punted;
			c->last_punt_ns = now;
		}
		/* The firmware learns from a punt a little later: look for a while after one. */
		if (now - c->last_punt_ns < LEARN_AFTER_PUNT_NS || now - c->last_learn_ns >= LOSS_TICK_NS) {
			c->last_learn_ns = now;
			learn_drain(c);
			flush_all(c);
		}
	}
	if (now - c->last_loss_ns >= LOSS_TICK_NS) {
		c->last_loss_ns = now;
		loss_check(c);
	}
	if (more) {
		event_active(c->ev, EV_TIMEOUT, 0);
	} else {
		struct timeval tv = { 0, (suseconds_t)c->cfg.capture_idle_us };
		evtimer_add(c->ev, &tv);
	}
}

/* ---- life cycle ---- */

struct clifd_capture *capture_new(struct event_base *base, struct clif_card *card, struct rulecomp *rc,
				  struct clifd_store *store, struct clifd_reporter *rep, const struct clifd_config *cfg,
				  char *err, size_t err_len)
{
	struct clifd_capture *c = calloc(1, sizeof(*c));
	struct etsi_cc_ctx probe;

	if (!c || !(c->xids = calloc(MAX_TASKS_PER_HANDLE, sizeof(*c->xids))) ||
	    !(c->ev = evtimer_new(base, tick, c))) {
		snprintf(err, err_len, "out of memory");
		capture_free(c, 0);
		return NULL;
	}
	c->base = base;
	c->card = card;
	c->rc = rc;
	c->store = store;
	c->rep = rep;
	c->cfg = *cfg;
	if (!c->cfg.handover_ne_id[0])
		snprintf(c->cfg.handover_ne_id, sizeof(c->cfg.handover_ne_id), "%.16s", c->cfg.ne_identifier);
	if (!c->cfg.handover_operator_id[0])
		snprintf(c->cfg.handover_operator_id, sizeof(c->cfg.handover_operator_id), "CLIF");
	c->hdr_cfg.operator_id = (const uint8_t *)c->cfg.handover_operator_id;
	c->hdr_cfg.operator_id_len = strlen(c->cfg.handover_operator_id);
	c->hdr_cfg.ne_id = (const uint8_t *)c->cfg.handover_ne_id;
	c->hdr_cfg.ne_id_len = strlen(c->cfg.handover_ne_id);
	c->hdr_cfg.auth_country = c->cfg.handover_country[0] ? c->cfg.handover_country : NULL;
	c->hdr_cfg.delivery_country = c->hdr_cfg.auth_country;
	c->hdr_cfg.ts_form = ETSI_CC_TS_MICRO;
	c->hdr_cfg.ts_qualifier = 1; /* timeOfInterception */
	c->hdr_cfg.liid = (const uint8_t *)"-";
	c->hdr_cfg.liid_len = 1;
	if (etsi_cc_init(&probe, &c->hdr_cfg) != 0) {
		snprintf(err, err_len, "handover_operator_id or handover_ne_id is not 1 to 16 bytes");
		capture_free(c, 0);
		return NULL;
	}
	return c;
}

int capture_start(struct clifd_capture *c)
{
	struct timeval tv = { 0, 0 };

	capture_sync_dests(c);
	/* Every restored task takes a CIN: one commit for all of them. */
	int txn = store_begin(c->store) == 0;
	capture_sync_all(c);
	if (txn && store_commit(c->store) != 0)
		clifd_log(LOG_ERR, "task store: the restored sessions' CINs could not be committed");
	c->last_slow_ns = c->last_loss_ns = mono_ns();
	c->started = 1;
	return evtimer_add(c->ev, &tv) == 0 ? 0 : -ENOMEM;
}

void capture_card_reset(struct clifd_capture *c)
{
	for (unsigned k = 0; k < TASK_BUCKETS; k++)
		for (struct cap_task *t = c->buckets[k]; t; t = t->next)
			for (unsigned b = 0; b < CAPTURE_MAX_BINDINGS && t->n_bound; b++)
				if (t->bind[b].used) {
					iri_binding(c, t, b, 0, ETSI_END_CONNECTION_LOSS);
					t->bind[b].used = 0;
					t->n_bound--;
				}
	flush_all(c);
}

void capture_stats(struct clifd_capture *c, struct capture_stats *out)
{
	*out = c->st;
	out->tasks = c->n_tasks;
	out->dests = 0;
	out->connected = 0;
	for (unsigned i = 0; i < CAPTURE_MAX_DESTS; i++) {
		struct deliver_stats st;
		if (!c->dests[i].used || !c->dests[i].snd)
			continue;
		deliver_stats(c->dests[i].snd, &st);
		out->dests++;
		out->connected += st.connected != 0;
		out->sent_pdus += st.sent_pdus;
		out->lost_pdus += st.lost_pdus;
		out->queued_bytes += st.queued_bytes;
		out->spooled_pdus += st.spooled_pdus;
	}
}

void capture_free(struct clifd_capture *c, unsigned flush_ms)
{
	if (!c)
		return;
	if (c->ev)
		event_free(c->ev);
	if (c->started) /* what the ring still holds, then the sessions' ends */
		while (drain(c))
			;
	for (unsigned b = 0; b < TASK_BUCKETS; b++)
		while (c->buckets[b]) {
			uint8_t xid[16];
			memcpy(xid, c->buckets[b]->t.xid, 16);
			session_end(c, xid, ETSI_EV_END_WITH_SESSION_ACTIVE);
		}
	/* One deadline for all: a LEMF that is away costs the stop flush_ms, not flush_ms each. */
	uint64_t end = mono_ns() + (uint64_t)flush_ms * 1000000ull;
	for (unsigned i = 0; i < CAPTURE_MAX_DESTS; i++)
		if (c->dests[i].used) {
			uint64_t now = mono_ns();
			dest_stop(c, &c->dests[i], now < end ? (unsigned)((end - now) / 1000000ull) : 0);
			free(c->dests[i].stg.buf);
		}
	free(c->xids);
	free(c);
}
