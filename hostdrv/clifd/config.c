/* The configuration file reader; see config.h and clifd.conf.example. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "x1.h"

enum kind { K_STR, K_ID, K_PATH, K_LISTEN, K_VERSION, K_U32, K_LEVEL, K_URL, K_COUNTRY };

struct key {
	const char *name;
	enum kind kind;
	size_t off;  /* into struct clifd_config */
	size_t size; /* K_STR/K_ID/K_PATH: buffer size */
	uint32_t lo, hi;
};

#define STR(k, f, kd) { k, kd, offsetof(struct clifd_config, f), sizeof(((struct clifd_config *)0)->f), 0, 0 }
#define U32(k, f, l, h) { k, K_U32, offsetof(struct clifd_config, f), 0, l, h }

static const struct key keys[] = {
	STR("ne_identifier", ne_identifier, K_ID),
	STR("admf_identifier", admf_identifier, K_ID),
	{ "x1_listen", K_LISTEN, 0, 0, 0, 0 },
	STR("tls_cert", tls_cert, K_PATH),
	STR("tls_key", tls_key, K_PATH),
	STR("tls_ca", tls_ca, K_PATH),
	{ "x1_version", K_VERSION, 0, 0, 0, 0 },
	STR("state_dir", state_dir, K_PATH),
	STR("card", card, K_STR),
	U32("time_p2", time_p2, 0, 30u * 86400u),
	U32("max_body", max_body, 4096, X1_MAX_BODY),
	STR("mgmt_socket", mgmt_socket, K_PATH),
	{ "admf_report_url", K_URL, 0, 0, 0, 0 },
	STR("admf_report_ca", admf_report_ca, K_PATH),
	STR("admf_report_cert", admf_report_cert, K_PATH),
	STR("admf_report_key", admf_report_key, K_PATH),
	U32("card_poll_ms", card_poll_ms, 10, 10000),
	U32("card_heartbeat_ms", card_heartbeat_ms, 100, 600000),
	{ "log_level", K_LEVEL, 0, 0, 0, 0 },
	STR("handover_operator_id", handover_operator_id, K_ID),
	STR("handover_ne_id", handover_ne_id, K_ID),
	{ "handover_country", K_COUNTRY, 0, 0, 0, 0 },
	STR("lemf_ca", lemf_ca, K_PATH),
	STR("lemf_cert", lemf_cert, K_PATH),
	STR("lemf_key", lemf_key, K_PATH),
	U32("hi_time1_ms", hi_time1_ms, 10, 86400000u),
	U32("hi_time2_ms", hi_time2_ms, 1, 86400000u),
	U32("hi_time3_ms", hi_time3_ms, 2, 86400000u),
	U32("x2x3_time_p1_ms", x2x3_time_p1_ms, 10, 86400000u),
	U32("x2x3_time_p2_ms", x2x3_time_p2_ms, 1, 86400000u),
	U32("reconnect_min_ms", reconnect_min_ms, 1, 600000u),
	U32("reconnect_max_ms", reconnect_max_ms, 1, 3600000u),
	U32("delivery_queue_kib", delivery_queue_kib, 256, 4u << 20),
	U32("delivery_resend_kib", delivery_resend_kib, 0, 4u << 20),
	U32("spool_mib", spool_mib, 0, 1u << 20),
	U32("c2h_ring_kib", c2h_ring_kib, 4, 1u << 20),
	U32("capture_idle_us", capture_idle_us, 10, 1000000u),
};
#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

void clifd_config_defaults(struct clifd_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	strcpy(cfg->x1_listen_host, "0.0.0.0");
	cfg->x1_listen_port = 8443;
	strcpy(cfg->x1_version, "v1.13.1");
	cfg->x1_major = 1;
	cfg->x1_minor = 13;
	strcpy(cfg->state_dir, "/var/lib/clifd");
	strcpy(cfg->card, "sim:0");
	cfg->time_p2 = 3600;
	cfg->max_body = 1u << 20;
	cfg->card_poll_ms = 100;
	cfg->card_heartbeat_ms = 3000;
	cfg->log_level = LOG_INFO;
	strcpy(cfg->handover_operator_id, "CLIF");
	cfg->hi_time1_ms = 120000;
	cfg->hi_time2_ms = 30000;
	cfg->hi_time3_ms = 60000;
	cfg->x2x3_time_p1_ms = 60000;
	cfg->x2x3_time_p2_ms = 180000;
	cfg->reconnect_min_ms = 100;
	cfg->reconnect_max_ms = 10000;
	cfg->delivery_queue_kib = 16384;
	cfg->delivery_resend_kib = 4096;
	cfg->spool_mib = 256;
	cfg->c2h_ring_kib = 16384;
	cfg->capture_idle_us = 1000;
}

int clifd_version_parse(const char *text, unsigned *major, unsigned *minor)
{
	unsigned v[3];
	const char *p = text;

	if (*p++ != 'v')
		return -1;
	for (int i = 0; i < 3; i++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		unsigned long n = 0;
		while (isdigit((unsigned char)*p)) {
			n = n * 10 + (unsigned long)(*p++ - '0');
			if (n > 65535)
				return -1;
		}
		v[i] = (unsigned)n;
		if (*p != (i < 2 ? '.' : '\0'))
			return -1;
		p++;
	}
	*major = v[0];
	*minor = v[1];
	return 0;
}

static int parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int parse_port(const char *s, uint16_t *out)
{
	uint32_t v;

	if (parse_u32(s, 1, 65535, &v))
		return -1;
	*out = (uint16_t)v;
	return 0;
}

/* "ADDR:PORT", "[ADDR6]:PORT" or "PORT" (all addresses, IPv4): numeric only, so that the
 * daemon never depends on name resolution at start. */
static int parse_listen(const char *s, struct clifd_config *cfg)
{
	char host[64];
	const char *colon;
	struct in6_addr a6;
	struct in_addr a4;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof(host))
			return -1;
		memcpy(host, s + 1, (size_t)(close - s - 1));
		host[close - s - 1] = '\0';
		if (inet_pton(AF_INET6, host, &a6) != 1)
			return -1;
		colon = close + 1;
	} else if ((colon = strrchr(s, ':')) != NULL) {
		if ((size_t)(colon - s) >= sizeof(host))
			return -1;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
		if (inet_pton(AF_INET, host, &a4) != 1)
			return -1;
	} else {
		strcpy(host, "0.0.0.0");
		colon = s - 1;
	}
	if (parse_port(colon + 1, &cfg->x1_listen_port))
		return -1;
	strcpy(cfg->x1_listen_host, host);
	return 0;
}

/* "[https://]HOST[:PORT][/PATH]"; HOST a name, an IPv4 address or a bracketed IPv6 one. */
static int parse_url(const char *s, struct clifd_config *cfg)
{
	const char *p = s, *host_end, *port = NULL, *path;
	size_t hl;

	if (strncmp(p, "https://", 8) == 0)
		p += 8;
	else if (strstr(p, "://"))
		return -1; /* only HTTPS: X1 forbids anything else */
	path = strchr(p, '/');
	if (!path)
		path = p + strlen(p);
	if (*p == '[') {
		host_end = memchr(p, ']', (size_t)(path - p));
		if (!host_end)
			return -1;
		hl = (size_t)(host_end - p - 1);
		p++;
		if (host_end[1] == ':')
			port = host_end + 2;
		else if (host_end + 1 != path)
			return -1;
	} else {
		const char *c = memchr(p, ':', (size_t)(path - p));
		hl = (size_t)((c ? c : path) - p);
		if (c)
			port = c + 1;
	}
	if (hl == 0 || hl >= sizeof(cfg->admf_report_host) || strlen(path) >= sizeof(cfg->admf_report_path))
		return -1;
	for (size_t i = 0; i < hl; i++)
		if (!isalnum((unsigned char)p[i]) && !strchr(".-:", p[i]))
			return -1;
	memcpy(cfg->admf_report_host, p, hl);
	cfg->admf_report_host[hl] = '\0';
	cfg->admf_report_port = 443;
	if (port) {
		char pb[8];
		size_t pl = (size_t)(path - port);
		if (pl == 0 || pl >= sizeof(pb))
			return -1;
		memcpy(pb, port, pl);
		pb[pl] = '\0';
		if (parse_port(pb, &cfg->admf_report_port))
			return -1;
	}
	strcpy(cfg->admf_report_path, *path ? path : "/X1/ADMF");
	for (const char *q = cfg->admf_report_path; *q; q++)
		if ((unsigned char)*q <= ' ' || (unsigned char)*q >= 0x7f)
			return -1;
	return 0;
}

/* Applies one key; returns 0, or -1 with a reason in why (which never quotes the value). */
static int apply(struct clifd_config *cfg, const struct key *k, const char *v, const char **why)
{
	char *field = (char *)cfg + k->off;

	switch (k->kind) {
	case K_ID:
		for (const char *q = v; *q; q++)
			if ((unsigned char)*q < 0x21 || *q == 0x7f) {
				*why = "must be one token without spaces or control characters";
				return -1;
			}
		/* fall through */
	case K_STR:
	case K_PATH:
		if (*v == '\0') {
			*why = "is empty";
			return -1;
		}
		if (strlen(v) >= k->size) {
			*why = "is too long";
			return -1;
		}
		if (k->kind == K_PATH && v[0] != '/') {
			*why = "must be an absolute path";
			return -1;
		}
		strcpy(field, v);
		return 0;
	case K_U32:
		if (parse_u32(v, k->lo, k->hi, (uint32_t *)(void *)field)) {
			static char buf[96];
			snprintf(buf, sizeof(buf), "must be a whole number from %u to %u", k->lo, k->hi);
			*why = buf;
			return -1;
		}
		return 0;
	case K_LISTEN:
		if (parse_listen(v, cfg)) {
			*why = "must be ADDRESS:PORT with a numeric address ([ADDRESS]:PORT for IPv6)";
			return -1;
		}
		return 0;
	case K_VERSION:
		if (strlen(v) >= sizeof(cfg->x1_version) || clifd_version_parse(v, &cfg->x1_major, &cfg->x1_minor) ||
		    cfg->x1_major != 1) {
			*why = "must be v1.MINOR.PATCH";
			return -1;
		}
		strcpy(cfg->x1_version, v);
		return 0;
	case K_LEVEL:
		if ((cfg->log_level = clifd_log_level_parse(v)) < 0) {
			*why = "must be err, warning, notice, info or debug";
			return -1;
		}
		return 0;
	case K_COUNTRY: /* ISO 3166-1 alpha-2, as the PSHeader's country codes are */
		if (strlen(v) != 2 || !isupper((unsigned char)v[0]) || !isupper((unsigned char)v[1])) {
			*why = "must be two capital letters (ISO 3166-1 alpha-2)";
			return -1;
		}
		strcpy(cfg->handover_country, v);
		return 0;
	case K_URL:
		if (parse_url(v, cfg)) {
			*why = "must be [https://]HOST[:PORT][/PATH]";
			return -1;
		}
		return 0;
	}
	return -1;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

int clifd_config_load(struct clifd_config *cfg, const char *path, char *err, size_t err_len)
{
	char line[2048];
	unsigned seen[N_KEYS] = { 0 };
	unsigned lineno = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *s, *eq, *name, *value;
		size_t i;
		const char *why = NULL;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			snprintf(err, err_len, "%s:%u: line too long", path, lineno);
			goto fail;
		}
		s = trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		eq = strchr(s, '=');
		if (!eq) {
			snprintf(err, err_len, "%s:%u: not a \"key = value\" line", path, lineno);
			goto fail;
		}
		*eq = '\0';
		name = trim(s);
		value = trim(eq + 1);
		for (i = 0; i < N_KEYS; i++)
			if (strcmp(keys[i].name, name) == 0)
				break;
		if (i == N_KEYS) {
			/* The name is printed only when it looks like a key, never arbitrary bytes. */
			int plain = *name != '\0' && strlen(name) < 40;
			for (const char *q = name; *q; q++)
				if (!islower((unsigned char)*q) && !isdigit((unsigned char)*q) && *q != '_')
					plain = 0;
			snprintf(err, err_len, "%s:%u: unknown key%s%s", path, lineno, plain ? " " : "",
				 plain ? name : "");
			goto fail;
		}
		if (seen[i]++) {
			snprintf(err, err_len, "%s:%u: %s given twice", path, lineno, keys[i].name);
			goto fail;
		}
		if (apply(cfg, &keys[i], value, &why)) {
			snprintf(err, err_len, "%s:%u: %s %s", path, lineno, keys[i].name, why);
			goto fail;
		}
	}
	if (ferror(f)) {
		snprintf(err, err_len, "%s: read error", path);
		goto fail;
	}
	fclose(f);

	static const char *const required[] = { "ne_identifier", "admf_identifier", "tls_cert", "tls_key", "tls_ca" };
	for (size_t r = 0; r < sizeof(required) / sizeof(required[0]); r++)
		for (size_t i = 0; i < N_KEYS; i++)
			if (strcmp(keys[i].name, required[r]) == 0 && !seen[i]) {
				snprintf(err, err_len, "%s: %s missing (required)", path, required[r]);
				return -1;
			}
	if (!cfg->mgmt_socket[0] &&
	    snprintf(cfg->mgmt_socket, sizeof(cfg->mgmt_socket), "%s/clifd.sock", cfg->state_dir) >=
		    (int)sizeof(cfg->mgmt_socket)) {
		snprintf(err, err_len, "%s: state_dir is too long", path);
		return -1;
	}
	if (strlen(cfg->mgmt_socket) >= 108) { /* sun_path */
		snprintf(err, err_len, "%s: mgmt_socket is too long for a socket path", path);
		return -1;
	}
	if (!cfg->admf_report_ca[0])
		strcpy(cfg->admf_report_ca, cfg->tls_ca);
	if (!cfg->admf_report_cert[0])
		strcpy(cfg->admf_report_cert, cfg->tls_cert);
	if (!cfg->admf_report_key[0])
		strcpy(cfg->admf_report_key, cfg->tls_key);
	if (!cfg->lemf_ca[0])
		strcpy(cfg->lemf_ca, cfg->tls_ca);
	if (!cfg->lemf_cert[0])
		strcpy(cfg->lemf_cert, cfg->tls_cert);
	if (!cfg->lemf_key[0])
		strcpy(cfg->lemf_key, cfg->tls_key);
	if (!cfg->handover_ne_id[0]) {
		memcpy(cfg->handover_ne_id, cfg->ne_identifier, sizeof(cfg->handover_ne_id) - 1);
		cfg->handover_ne_id[sizeof(cfg->handover_ne_id) - 1] = '\0';
	}
	if (cfg->hi_time3_ms <= cfg->hi_time2_ms) {
		snprintf(err, err_len, "%s: hi_time3_ms must be greater than hi_time2_ms", path);
		return -1;
	}
	if (cfg->reconnect_max_ms < cfg->reconnect_min_ms) {
		snprintf(err, err_len, "%s: reconnect_max_ms must not be less than reconnect_min_ms", path);
		return -1;
	}
	if (cfg->c2h_ring_kib & (cfg->c2h_ring_kib - 1)) {
		snprintf(err, err_len, "%s: c2h_ring_kib must be a power of two", path);
		return -1;
	}
	return 0;
fail:
	fclose(f);
	return -1;
}
