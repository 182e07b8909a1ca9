/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * clifctl: a CLIF card's diagnostic command, on libclif.
 *
 *   clifctl [-d DEV] card info|counters|rules [FIRST]|stats|reset|heartbeat
 *   clifctl [-d DEV] rule add HANDLE ADDR[/LEN] [snap N] [scope vport|vlan|vni N] [punt] [nocapture]
 *   clifctl [-d DEV] rule del HANDLE
 *   clifctl audit verify [--key FILE] [--expect-seq N] LOG
 *   clifctl daemon [-s SOCKET] status|tasks
 *
 * DEV is "sim:N" or "xrt:N" (default: $CLIF_DEVICE, else sim:0). The card is opened for control
 * only: clifctl never takes the C2H ring a daemon consumes. Nothing prints a rule's address
 * (rules identify warrant targets): `card rules` shows handles and counters only.
 * Exit status 0 on success, 1 on any error (with clif_strerror()'s text on stderr).
 *
 * `audit verify` checks clifd's hash-chained audit log (hostdrv/clifd/audit.h) with its key
 * (default LOG.key) without touching a card: "audit: N entries, chain intact" and exit 0, or the
 * first bad line and why and exit 1. Removing whole entries at the end leaves a valid chain;
 * --expect-seq N (the sequence number clifd recorded as the head in its store) reports a log
 * that ends before entry N.
 *
 * `daemon` asks a running clifd over its management socket (default $CLIFD_SOCKET, else
 * /var/lib/clifd/clifd.sock) and prints its answer: counts, card state and task references
 * (t- and 8 hex digits), never an identifier. Exit 0 when clifd answers "ok", else 1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "../clifd/audit.h"
#include "libclif.h"

#define COUNTER_CHUNK 256u

static const char *prog = "clifctl";

static int usage(void)
{
	fprintf(stderr,
		"usage: %s [-d DEV] card info|counters|rules [FIRST]|stats|reset|heartbeat\n"
		"       %s [-d DEV] rule add HANDLE ADDR[/LEN] [snap N] [scope vport|vlan|vni N] [punt] [nocapture]\n"
		"       %s [-d DEV] rule del HANDLE\n"
		"       %s audit verify [--key FILE] [--expect-seq N] LOG\n"
		"       %s daemon [-s SOCKET] status|tasks\n"
		"DEV: sim:N or xrt:N (default $CLIF_DEVICE, else sim:0)\n",
		prog, prog, prog, prog, prog);
	return 1;
}

static int fail(const char *what, int err)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, clif_strerror(err));
	return 1;
}

static int parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static const char *status_name(uint32_t st)
{
	switch (st) {
	case CLIF_STATUS_BOOTING: return "booting";
	case CLIF_STATUS_READY: return "ready";
	case CLIF_STATUS_FAULT: return "FAULT";
	case CLIF_STATUS_RESET: return "resetting";
	default: return "unknown";
	}
}

static int card_info(struct clif_card *c, const char *dev)
{
	struct clif_ident id;
	char build[sizeof(id.build_id) + 1], board[sizeof(id.board_name) + 1];
	int rc = clif_identity(c, &id);

	if (rc)
		return fail("identity", rc);
	memcpy(build, id.build_id, sizeof(id.build_id));
	build[sizeof(id.build_id)] = 0;
	memcpy(board, id.board_name, sizeof(id.board_name));
	board[sizeof(id.board_name)] = 0;
	printf("card        %s (backend %s)\n", dev, clif_backend(c));
	printf("board       %s (id %" PRIu32 ")\n", board[0] ? board : "?", id.board_id);
	printf("firmware    %" PRIu32 ".%" PRIu32 ".%" PRIu32 " (build %s)\n", id.fw_version >> 16,
	       (id.fw_version >> 8) & 0xffu, id.fw_version & 0xffu, build[0] ? build : "unknown");
	printf("abi         %u.%u (library %u.%u)\n", (unsigned)id.abi_major, (unsigned)id.abi_minor,
	       (unsigned)CLIF_ABI_MAJOR, (unsigned)CLIF_ABI_MINOR);
	printf("status      %s\n", status_name(id.status));
	printf("heartbeat   %" PRIu32 "\n", id.heartbeat);
	printf("reset gen   %" PRIu32 "\n", id.reset_gen);
	printf("uptime      %" PRIu64 ".%03u s\n", (uint64_t)(id.uptime_ns / 1000000000u),
	       (unsigned)(id.uptime_ns / 1000000u % 1000u));
	return 0;
}

static int card_counters(struct clif_card *c)
{
	struct clif_dp_counters d;
	int rc = clif_dp_counters(c, &d);

	if (rc)
		return fail("counters", rc);
	printf("frames          %" PRIu64 "\n", d.frames);
	printf("bytes           %" PRIu64 "\n", d.bytes);
	printf("parse errors    %" PRIu64 "\n", d.parse_errors);
	printf("matched         %" PRIu64 "\n", d.matched);
	printf("captured        %" PRIu64 "\n", d.captured);
	printf("capture drops   %" PRIu64 "\n", d.capture_drops);
	printf("punted          %" PRIu64 "\n", d.punted);
	printf("punt drops      %" PRIu64 "\n", d.punt_drops);
	printf("match overflow  %" PRIu64 "\n", d.match_overflow);
	return 0;
}

static int card_rules(struct clif_card *c, uint32_t first)
{
	static struct clif_rule_counter buf[COUNTER_CHUNK];
	uint64_t total = 0;

	printf("%-12s %20s %20s\n", "handle", "packets", "bytes");
	for (;;) {
		uint32_t n = 0, i;
		int rc = clif_rule_counters(c, first, buf, COUNTER_CHUNK, &n);

		if (rc)
			return fail("rule counters", rc);
		for (i = 0; i < n; i++)
			printf("0x%08" PRIx32 "   %20" PRIu64 " %20" PRIu64 "\n", buf[i].handle, buf[i].packets,
			       buf[i].bytes);
		total += n;
		if (n < COUNTER_CHUNK || buf[n - 1].handle == 0xffffffffu)
			break;
		first = buf[n - 1].handle + 1u;
	}
	printf("%" PRIu64 " rule%s\n", total, total == 1 ? "" : "s");
	return 0;
}

static int card_stats(struct clif_card *c)
{
	struct clif_table_stats s;
	int rc = clif_table_stats(c, &s);

	if (rc)
		return fail("table stats", rc);
	printf("%-8s %10s %10s\n", "table", "used", "capacity");
	printf("%-8s %10" PRIu32 " %10" PRIu32 "  (stash %" PRIu32 ")\n", "exact", s.exact_used, s.exact_capacity,
	       s.exact_stash_used);
	printf("%-8s %10" PRIu32 " %10" PRIu32 "\n", "prefix", s.prefix_used, s.prefix_capacity);
	printf("%-8s %10" PRIu32 " %10" PRIu32 "\n", "ternary", s.ternary_used, s.ternary_capacity);
	printf("%-8s %10" PRIu32 " %10" PRIu32 "\n", "rules", s.rule_used, s.rule_capacity);
	return 0;
}

static int card_heartbeat(struct clif_card *c)
{
	struct clif_mbox_cmd cmd;
	struct clif_mbox_cpl cpl;
	struct timespec t0, t1;
	int rc;

	memset(&cmd, 0, sizeof(cmd));
	cmd.hdr.opcode = CLIF_OP_HEARTBEAT;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = clif_mbox_call(c, &cmd, &cpl, NULL, 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc)
		return fail("heartbeat", rc);
	printf("heartbeat %" PRIu32 " (answered in %ld us)\n", cpl.result,
	       (long)((t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000L));
	return 0;
}

static int card_cmd(struct clif_card *c, const char *dev, int argc, char **argv)
{
	uint32_t first = 0;
	int rc;

	if (argc < 1)
		return usage();
	if (!strcmp(argv[0], "info") && argc == 1)
		return card_info(c, dev);
	if (!strcmp(argv[0], "counters") && argc == 1)
		return card_counters(c);
	if (!strcmp(argv[0], "rules") && argc <= 2) {
		if (argc == 2 && parse_u32(argv[1], 0xffffffffu, &first))
			return usage();
		return card_rules(c, first);
	}
	if (!strcmp(argv[0], "stats") && argc == 1)
		return card_stats(c);
	if (!strcmp(argv[0], "heartbeat") && argc == 1)
		return card_heartbeat(c);
	if (!strcmp(argv[0], "reset") && argc == 1) {
		struct clif_ident id;

		rc = clif_card_reset(c);
		if (rc)
			return fail("reset", rc);
		rc = clif_identity(c, &id);
		if (rc)
			return fail("identity", rc);
		printf("card reset: generation %" PRIu32 ", tables empty\n", id.reset_gen);
		return 0;
	}
	return usage();
}

/* ADDR[/LEN]: IPv4, IPv6 or a MAC (aa:bb:cc:dd:ee:ff); a /LEN makes a prefix rule. */
static int parse_addr(const char *arg, struct clif_cmd_rule *r)
{
	char buf[64], *slash;
	unsigned m[6];
	uint32_t bits, len;
	char extra;

	if (strlen(arg) >= sizeof(buf))
		return -1;
	strcpy(buf, arg);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = 0;
	if (inet_pton(AF_INET, buf, r->addr) == 1) {
		r->addr_type = CLIF_ADDR_IPV4;
		bits = 32;
	} else if (inet_pton(AF_INET6, buf, r->addr) == 1) {
		r->addr_type = CLIF_ADDR_IPV6;
		bits = 128;
	} else if (sscanf(buf, "%2x:%2x:%2x:%2x:%2x:%2x%c", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5], &extra) == 6) {
		for (int i = 0; i < 6; i++)
			r->addr[i] = (uint8_t)m[i];
		r->addr_type = CLIF_ADDR_MAC;
		bits = 48;
	} else {
		return -1;
	}
	r->kind = CLIF_RULE_EXACT;
	if (slash) {
		if (r->addr_type == CLIF_ADDR_MAC || parse_u32(slash, bits, &len))
			return -1;
		r->kind = CLIF_RULE_PREFIX;
		r->prefix_len = (uint8_t)len;
	}
	return 0;
}

static int rule_cmd(struct clif_card *c, int argc, char **argv)
{
	struct clif_cmd_rule r;
	uint32_t handle, v;
	int i, rc;

	if (argc == 2 && !strcmp(argv[0], "del")) {
		if (parse_u32(argv[1], 0xffffffffu, &handle))
			return usage();
		rc = clif_rule_delete(c, handle);
		if (rc)
			return fail("rule del", rc);
		printf("rule 0x%08" PRIx32 " deleted\n", handle);
		return 0;
	}
	if (argc < 3 || strcmp(argv[0], "add"))
		return usage();
	memset(&r, 0, sizeof(r));
	if (parse_u32(argv[1], 0xffffffffu, &r.handle))
		return usage();
	if (parse_addr(argv[2], &r)) {
		fprintf(stderr, "%s: rule add: not an address (IPv4, IPv6 or MAC, optional /LEN)\n", prog);
		return 1;
	}
	r.actions = CLIF_ACT_CAPTURE;
	for (i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "snap") && i + 1 < argc) {
			if (parse_u32(argv[++i], 0xffffu, &v))
				return usage();
			r.snap_len = (uint16_t)v;
		} else if (!strcmp(argv[i], "scope") && i + 2 < argc) {
			const char *k = argv[++i];

			if (!strcmp(k, "vport"))
				r.scope_type = CLIF_SCOPE_VPORT;
			else if (!strcmp(k, "vlan"))
				r.scope_type = CLIF_SCOPE_VLAN;
			else if (!strcmp(k, "vni"))
				r.scope_type = CLIF_SCOPE_VNI;
			else
				return usage();
			if (parse_u32(argv[++i], 0xffffffffu, &r.scope_value))
				return usage();
		} else if (!strcmp(argv[i], "punt")) {
			r.actions |= CLIF_ACT_PUNT;
		} else if (!strcmp(argv[i], "nocapture")) {
			r.actions &= (uint16_t)~CLIF_ACT_CAPTURE;
		} else {
			return usage();
		}
	}
	rc = clif_rule_add(c, &r);
	if (rc)
		return fail("rule add", rc);
	printf("rule 0x%08" PRIx32 " added\n", r.handle);
	return 0;
}

/* audit verify [--key FILE] [--expect-seq N] LOG. The message names lines, never entries'
 * contents: the log holds identifiers, the terminal may not be an LI one. */
static int audit_cmd(int argc, char **argv)
{
	const char *key = NULL, *log = NULL;
	struct audit_expect exp = {0};
	struct audit_verify_result r;
	int i, have_exp = 0;

	if (argc < 1 || strcmp(argv[0], "verify"))
		return usage();
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--key") && i + 1 < argc) {
			key = argv[++i];
		} else if (!strcmp(argv[i], "--expect-seq") && i + 1 < argc) {
			char *end;
			const char *v = argv[++i];
			errno = 0;
			exp.seq = strtoull(v, &end, 10);
			if (!*v || *v == '-' || *end || errno)
				return usage();
			have_exp = 1;
		} else if (argv[i][0] != '-' && !log) {
			log = argv[i];
		} else {
			return usage();
		}
	}
	if (!log)
		return usage();
	int e = audit_verify_expect(log, key, have_exp ? &exp : NULL, &r);
	if (e == 0) {
		printf("audit: %" PRIu64 " entries, chain intact\n", r.entries);
		return 0;
	}
	if (e == -EBADMSG) {
		printf("audit: line %" PRIu64 ": %s\n", r.bad_line, r.reason);
		return 1;
	}
	fprintf(stderr, "%s: audit verify: %s\n", prog,
		e == -EKEYREJECTED ? "the key file is not a 32-byte key" : strerror(-e));
	return 1;
}

/* daemon [-s SOCKET] status|tasks: one request line to clifd's management socket, its answer
 * copied to stdout up to the final "ok" / "error REASON" line. */
static int daemon_cmd(int argc, char **argv)
{
	const char *path = getenv("CLIFD_SOCKET");
	int i = 0;
	if (!path || !*path)
		path = "/var/lib/clifd/clifd.sock";
	if (i + 1 < argc && !strcmp(argv[i], "-s")) {
		path = argv[i + 1];
		i += 2;
	}
	if (i + 1 != argc || (strcmp(argv[i], "status") && strcmp(argv[i], "tasks")))
		return usage();
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "%s: daemon: socket path too long\n", prog);
		return 1;
	}
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		fprintf(stderr, "%s: daemon: cannot reach clifd at %s: %s\n", prog, path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return 1;
	}
	struct timeval tv = {10, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	char req[16];
	int n = snprintf(req, sizeof(req), "%s\n", argv[i]);
	if (write(fd, req, (size_t)n) != n) {
		fprintf(stderr, "%s: daemon: write failed\n", prog);
		close(fd);
		return 1;
	}
	FILE *f = fdopen(fd, "r");
	char line[512];
	int rc = 1;
	while (f && fgets(line, sizeof(line), f)) {
		if (!strcmp(line, "ok\n")) {
			rc = 0;
			break;
		}
		if (!strncmp(line, "error ", 6)) {
			fprintf(stderr, "%s: daemon: %s", prog, line + 6);
			break;
		}
		fputs(line, stdout);
	}
	if (rc && f && feof(f))
		fprintf(stderr, "%s: daemon: clifd closed the connection\n", prog);
	if (f)
		fclose(f);
	else
		close(fd);
	return rc;
}

int main(int argc, char **argv)
{
	const char *dev = getenv("CLIF_DEVICE");
	struct clif_card *c;
	int i = 1, rc;

	if (!dev || !*dev)
		dev = "sim:0";
	if (i + 1 < argc && !strcmp(argv[i], "-d")) {
		dev = argv[i + 1];
		i += 2;
	}
	if (i < argc && !strcmp(argv[i], "audit"))
		return audit_cmd(argc - i - 1, argv + i + 1);
	if (i < argc && !strcmp(argv[i], "daemon"))
		return daemon_cmd(argc - i - 1, argv + i + 1);
	if (i >= argc || (strcmp(argv[i], "card") && strcmp(argv[i], "rule")))
		return usage();
	rc = clif_open_control(dev, NULL, &c);
	if (rc) {
		fprintf(stderr, "%s: %s: %s\n", prog, dev, clif_strerror(rc));
		return 1;
	}
	if (!strcmp(argv[i], "card"))
		rc = card_cmd(c, dev, argc - i - 1, argv + i + 1);
	else
		rc = rule_cmd(c, argc - i - 1, argv + i + 1);
	clif_close(c);
	return rc;
}
