/* The sink: every output file and the sequence-continuity table, behind one mutex (the
 * connection threads call in concurrently). */
#include "lemf.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t sink_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *events;
static char out_root[4096];
static uint64_t counts[LEMF_N_COUNTS];

/* ---- JSON helpers ---- */

void lemf_jcat(char *buf, size_t cap, const char *fmt, ...)
{
	size_t used = strnlen(buf, cap);
	if (used + 1 >= cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + used, cap - used, fmt, ap);
	va_end(ap);
}

void lemf_jstr(char *buf, size_t cap, const uint8_t *s, size_t n)
{
	size_t used = strnlen(buf, cap);
	/* worst case 6 bytes per input byte, plus quotes and NUL */
	if (used + 6 * n + 3 > cap)
		n = used + 9 < cap ? (cap - used - 9) / 6 : 0;
	char *p = buf + used;
	*p++ = '"';
	for (size_t i = 0; i < n; i++) {
		uint8_t ch = s[i];
		if (ch == '"' || ch == '\\') {
			*p++ = '\\';
			*p++ = (char)ch;
		} else if (ch < 0x20 || ch >= 0x7f) {
			static const char hexd[] = "0123456789abcdef";
			memcpy(p, "\\u00", 4);
			p[4] = hexd[ch >> 4];
			p[5] = hexd[ch & 15];
			p += 6;
		} else {
			*p++ = (char)ch;
		}
	}
	*p++ = '"';
	*p = '\0';
}

void lemf_jtime(char *buf, size_t cap, uint64_t ts_ns)
{
	time_t t = (time_t)(ts_ns / 1000000000u);
	struct tm tm;
	char tmp[48];
	if (gmtime_r(&t, &tm) == NULL) {
		lemf_jcat(buf, cap, "null");
		return;
	}
	size_t n = strftime(tmp, sizeof(tmp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(tmp + n, sizeof(tmp) - n, ".%09uZ", (unsigned)(ts_ns % 1000000000u));
	lemf_jcat(buf, cap, "\"%s\"", tmp);
}

/* ---- pcaps, one per key ---- */

struct pcap_out {
	struct pcap_out *next;
	char key[160];
	int linktype;
	pcap_t *dead;
	pcap_dumper_t *dump;
};

static struct pcap_out *pcaps;

/* File names keep [A-Za-z0-9_-] and escape every other byte as %XX, so no key can climb out
 * of the output folder or clash with another. */
static void safe_name(char *dst, size_t cap, const char *key)
{
	size_t o = 0;
	for (const char *k = key; *k && o + 4 < cap; k++) {
		unsigned char ch = (unsigned char)*k;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    ch == '-' || ch == '_') {
			dst[o++] = (char)ch;
		} else {
			o += (size_t)snprintf(dst + o, cap - o, "%%%02X", ch);
		}
	}
	dst[o] = '\0';
}

static struct pcap_out *pcap_for(const char *key, int linktype)
{
	for (struct pcap_out *p = pcaps; p; p = p->next)
		if (p->linktype == linktype && strcmp(p->key, key) == 0)
			return p;
	struct pcap_out *p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	snprintf(p->key, sizeof(p->key), "%s", key);
	p->linktype = linktype;
	char name[512], path[4800];
	safe_name(name, sizeof(name), key);
	snprintf(path, sizeof(path), "%s/%s%s.pcap", out_root, name, linktype == DLT_EN10MB ? "-eth" : "");
	p->dead = pcap_open_dead_with_tstamp_precision(linktype, 262144, PCAP_TSTAMP_PRECISION_NANO);
	p->dump = p->dead ? pcap_dump_open(p->dead, path) : NULL;
	if (p->dump == NULL) {
		fprintf(stderr, "clif-lemf: cannot create a pcap in %s: %s\n", out_root,
			p->dead ? pcap_geterr(p->dead) : "out of memory");
		if (p->dead)
			pcap_close(p->dead);
		free(p);
		return NULL;
	}
	p->next = pcaps;
	pcaps = p;
	return p;
}

void lemf_sink_packet(const char *key, int linktype, uint64_t ts_ns, const uint8_t *pkt, size_t len)
{
	pthread_mutex_lock(&sink_lock);
	struct pcap_out *p = pcap_for(key, linktype);
	if (p) {
		struct pcap_pkthdr h = {0};
		h.ts.tv_sec = (time_t)(ts_ns / 1000000000u);
		h.ts.tv_usec = (suseconds_t)(ts_ns % 1000000000u); /* nanosecond file */
		h.caplen = h.len = (bpf_u_int32)len;
		pcap_dump((u_char *)p->dump, &h, pkt);
	}
	pthread_mutex_unlock(&sink_lock);
}

/* ---- events ---- */

void lemf_sink_event(const struct lemf_conn *c, const char *members)
{
	pthread_mutex_lock(&sink_lock);
	if (events)
		fprintf(events, "{\"conn\":%u,%s}\n", c ? c->id : 0u, members);
	pthread_mutex_unlock(&sink_lock);
}

/* ---- sequence continuity ---- */

struct seq_ctx {
	struct seq_ctx *next;
	uint32_t expect;
	uint64_t pdus;
	size_t key_len;
	uint8_t key[];
};

#define SEQ_BUCKETS 4096u
static struct seq_ctx *seq_table[SEQ_BUCKETS];

static uint32_t hash_key(const uint8_t *k, size_t n)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ k[i]) * 16777619u;
	return h;
}

void lemf_sink_seq(const struct lemf_conn *c, const void *ctx, size_t ctx_len, const char *desc,
		   uint32_t seq)
{
	char line[1024];
	line[0] = '\0';
	pthread_mutex_lock(&sink_lock);
	uint32_t b = hash_key(ctx, ctx_len) % SEQ_BUCKETS;
	struct seq_ctx *s = seq_table[b];
	while (s && !(s->key_len == ctx_len && memcmp(s->key, ctx, ctx_len) == 0))
		s = s->next;
	if (s == NULL) {
		s = malloc(sizeof(*s) + ctx_len);
		if (s == NULL)
			goto out;
		s->key_len = ctx_len;
		memcpy(s->key, ctx, ctx_len);
		s->pdus = 0;
		s->next = seq_table[b];
		seq_table[b] = s;
		if (seq != 0)
			lemf_jcat(line, sizeof(line),
				  "\"event\":\"first_seq_not_zero\",\"context\":%s,\"seq\":%u", desc, seq);
		s->expect = seq + 1u;
	} else if (seq == s->expect) {
		s->expect = seq + 1u;
	} else if ((uint32_t)(s->expect - seq) <= 0x80000000u) {
		/* behind the next expected number: already seen or re-sent after a reconnect */
		counts[LEMF_N_DUPS]++;
		lemf_jcat(line, sizeof(line),
			  "\"event\":\"duplicate\",\"context\":%s,\"seq\":%u,\"expected\":%u", desc, seq,
			  s->expect);
	} else {
		uint32_t missing = seq - s->expect;
		counts[LEMF_N_GAPS]++;
		counts[LEMF_N_MISSING] += missing;
		lemf_jcat(line, sizeof(line),
			  "\"event\":\"gap\",\"context\":%s,\"seq\":%u,\"expected\":%u,\"missing\":%u", desc,
			  seq, s->expect, missing);
		s->expect = seq + 1u;
	}
	s->pdus++;
out:
	if (line[0] && events)
		fprintf(events, "{\"conn\":%u,%s}\n", c ? c->id : 0u, line);
	pthread_mutex_unlock(&sink_lock);
}

/* ---- counts ---- */

void lemf_sink_count(enum lemf_count k, uint64_t n)
{
	pthread_mutex_lock(&sink_lock);
	counts[k] += n;
	pthread_mutex_unlock(&sink_lock);
}

uint64_t lemf_sink_get(enum lemf_count k)
{
	pthread_mutex_lock(&sink_lock);
	uint64_t v = counts[k];
	pthread_mutex_unlock(&sink_lock);
	return v;
}

void lemf_sink_summary(FILE *f)
{
	pthread_mutex_lock(&sink_lock);
	uint64_t *n = counts;
	fprintf(f,
		"clif-lemf: %llu connections/inputs, %llu bytes; PDUs: %llu IRI, %llu CC, %llu TRI, "
		"%llu X2, %llu X3, %llu X2/X3 keepalive, %llu other; %llu replies sent\n",
		(unsigned long long)n[LEMF_N_CONNS], (unsigned long long)n[LEMF_N_BYTES],
		(unsigned long long)n[LEMF_N_IRI], (unsigned long long)n[LEMF_N_CC],
		(unsigned long long)n[LEMF_N_TRI], (unsigned long long)n[LEMF_N_X2],
		(unsigned long long)n[LEMF_N_X3], (unsigned long long)n[LEMF_N_XKEEP],
		(unsigned long long)n[LEMF_N_OTHER], (unsigned long long)n[LEMF_N_REPLIES]);
	fprintf(f,
		"clif-lemf: %llu undecodable PDUs, %llu framing errors (%llu bytes skipped), "
		"%llu sequence gaps (%llu PDUs missing), %llu duplicates\n",
		(unsigned long long)n[LEMF_N_UNDECODABLE], (unsigned long long)n[LEMF_N_FRAMING],
		(unsigned long long)n[LEMF_N_SKIPPED_BYTES], (unsigned long long)n[LEMF_N_GAPS],
		(unsigned long long)n[LEMF_N_MISSING], (unsigned long long)n[LEMF_N_DUPS]);
	pthread_mutex_unlock(&sink_lock);
}

/* ---- lifetime ---- */

int lemf_sink_open(const char *out_dir)
{
	snprintf(out_root, sizeof(out_root), "%s", out_dir);
	char path[4200];
	snprintf(path, sizeof(path), "%s/events.jsonl", out_dir);
	events = fopen(path, "a");
	if (events == NULL) {
		fprintf(stderr, "clif-lemf: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

void lemf_sink_close(void)
{
	pthread_mutex_lock(&sink_lock);
	for (struct pcap_out *p = pcaps, *nx; p; p = nx) {
		nx = p->next;
		pcap_dump_close(p->dump);
		pcap_close(p->dead);
		free(p);
	}
	pcaps = NULL;
	if (events)
		fclose(events);
	events = NULL;
	for (unsigned b = 0; b < SEQ_BUCKETS; b++) {
		for (struct seq_ctx *s = seq_table[b], *nx; s; s = nx) {
			nx = s->next;
			free(s);
		}
		seq_table[b] = NULL;
	}
	pthread_mutex_unlock(&sink_lock);
}

void lemf_sink_flush(void)
{
	pthread_mutex_lock(&sink_lock);
	for (struct pcap_out *p = pcaps; p; p = p->next)
		pcap_dump_flush(p->dump);
	if (events)
		fflush(events);
	pthread_mutex_unlock(&sink_lock);
}
