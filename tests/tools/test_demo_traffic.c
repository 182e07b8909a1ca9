/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * clif-demo-traffic and clif-cc-compare (hostdrv/tools), run as programs.
 *
 * The traffic: exact frame and per-target datagram counts (--repeat 1 and 3), the same bytes
 * on every run, increasing timestamps, every frame through the data plane's golden model
 * (hls/golden) without a parse exception, every IPv4 header, TCP, UDP and ICMPv6 checksum and
 * length right (VXLAN's inner packets too). The expected files: what the golden model copies
 * for each target, compiled as clifd's rule compiler does (exact IPv4 key scoped to VNI 5001,
 * exact MAC plus the address the card learns for it, exact IPv6, IPv4 prefix /24), each copy
 * cut to the datagram of the layer that matched, with the frame's timestamp; the first and
 * last datagrams of one target byte by byte.
 * clif-cc-compare: its exit status and lines on identical, one byte different, a packet
 * missing, one extra, two swapped, a missing GOT (against a full and an empty EXPECT), and
 * the malformed inputs (not a pcap, Ethernet link type, missing EXPECT, wrong arguments).
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define CHECK_PROG "demo-traffic"
#include "../clifd/check.h"
#include "clif/abi.h"
#include "clif/match.h"
#include "clif/mbox.h"
#include "golden/golden.h"

#define MAX_PKTS 1024
#define PKT_MAX 2048

static const char *bin = "build/bin";

struct pkt {
	uint64_t ts_ns;
	uint32_t len;
	uint8_t b[PKT_MAX];
};

/* Reads a whole capture; returns the packet count, -1 when it cannot be read. *dlt gets the
 * link type. */
static int read_pcap(const char *path, struct pkt *out, int max, int *dlt)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);
	struct pcap_pkthdr *h;
	const u_char *d;
	int n = 0;

	if (!p)
		return -1;
	*dlt = pcap_datalink(p);
	while (pcap_next_ex(p, &h, &d) == 1 && n < max) {
		out[n].ts_ns = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;
		out[n].len = h->caplen < PKT_MAX ? h->caplen : PKT_MAX;
		memcpy(out[n].b, d, out[n].len);
		n++;
	}
	pcap_close(p);
	return n;
}

/* Runs a shell command; its exit status (-1 if it did not exit), stdout's first 2 lines in out. */
static int run(char *out, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int run(char *out, size_t n, const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	FILE *f;
	size_t got = 0;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	if (out) {
		got = fread(out, 1, n - 1, f);
		out[got] = 0;
	}
	while (fgetc(f) != EOF)
		;
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* ---- checksums and lengths, written apart from the generator's ---- */

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i < n; i++)
		s += (i & 1u) ? p[i] : (uint32_t)p[i] << 8;
	return s;
}

static int folds_to_ffff(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffffu) + (s >> 16);
	return s == 0xffffu;
}

static uint32_t be16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

/* Checks an Ethernet frame's IP layer at off (limit end), and the inner frame of VXLAN.
 * Returns the bytes the frame's outermost datagram ends at, 0 for frames without IP. */
static size_t check_layer(const uint8_t *f, size_t off, size_t end, int depth)
{
	uint32_t type = be16(f + off + 12), proto, ps;
	const uint8_t *ip = f + off + 14, *l4;
	size_t hl, tl, l4len;

	if (type == 0x0806)
		return 0;
	CHECK_MSG(type == 0x0800 || type == 0x86dd, "frame with ethertype %#x", type);
	if (type == 0x0800) {
		hl = (size_t)(ip[0] & 15u) * 4u;
		tl = be16(ip + 2);
		CHECK_EQ(ip[0], 0x45);
		CHECK_MSG(folds_to_ffff(sum16(ip, hl, 0)), "bad IPv4 header checksum");
		proto = ip[9];
		ps = sum16(ip + 12, 8, 0);
	} else {
		hl = 40;
		tl = 40u + be16(ip + 4);
		proto = ip[6];
		ps = sum16(ip + 8, 32, 0);
	}
	CHECK_MSG(off + 14u + tl <= end, "IP length %zu past the frame", tl);
	if (off + 14u + tl > end)
		return 0;
	l4 = ip + hl;
	l4len = tl - hl;
	ps += proto + (uint32_t)(l4len >> 16) + (uint32_t)(l4len & 0xffffu);
	CHECK_MSG(proto == 6 || proto == 17 || proto == 58, "IP protocol %u", proto);
	CHECK_MSG(folds_to_ffff(sum16(l4, l4len, ps)), "bad checksum, protocol %u", proto);
	if (proto == 17) {
		CHECK_EQ(be16(l4 + 4), l4len);
		CHECK(be16(l4 + 6) != 0);
		if (be16(l4 + 2) == 4789u) {
			CHECK_EQ(depth, 0);
			CHECK_EQ(l4[8], 0x08);
			check_layer(f, (size_t)(l4 + 16 - f), (size_t)(l4 + l4len - f), 1);
		}
	} else if (proto == 6) {
		CHECK_MSG((l4[12] >> 4) * 4u <= l4len, "TCP header longer than the segment");
	}
	return off + 14u + tl;
}

/* ---- the golden model with the demo's four targets ---- */

enum { L_VNI, L_MAC, L_V6, L_CIDR, L_N };
static const char *const lname[L_N] = { "vni", "mac", "v6", "cidr" };

static struct pkt traffic[MAX_PKTS], got[MAX_PKTS], want[L_N][MAX_PKTS];
static int n_want[L_N], n_arp_copies;

static void golden_expect(int n)
{
	static const uint8_t ip5[4] = { 10, 0, 0, 5 }, mac[6] = { 0x52, 0x54, 0, 0xc0, 0, 3 },
			     v6[16] = { 0x20, 1, 0xd, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10 },
			     net[4] = { 198, 51, 100, 0 }, leased[4] = { 192, 0, 2, 50 };
	struct clif_exact_entry ex[4];
	struct clif_prefix_entry px[1];
	struct clif_rule_entry re[L_N];
	struct golden_tables t;
	int i, l;

	memset(ex, 0, sizeof(ex));
	memset(px, 0, sizeof(px));
	memset(re, 0, sizeof(re));
	for (l = 0; l < L_N; l++) {
		re[l].handle = 0x100u + (uint32_t)l;
		re[l].actions = CLIF_ACT_CAPTURE | (l == L_MAC ? CLIF_ACT_PUNT : 0);
		re[l].flags = CLIF_ENTRY_VALID;
	}
	ex[0].key.addr_type = CLIF_ADDR_IPV4, ex[0].key.scope_type = CLIF_SCOPE_VNI, ex[0].key.scope_value = 5001;
	memcpy(ex[0].key.addr, ip5, 4), ex[0].rule_slot = L_VNI;
	ex[1].key.addr_type = CLIF_ADDR_MAC, memcpy(ex[1].key.addr, mac, 6), ex[1].rule_slot = L_MAC;
	ex[2].key.addr_type = CLIF_ADDR_IPV6, memcpy(ex[2].key.addr, v6, 16), ex[2].rule_slot = L_V6;
	/* The firmware learns the MAC's address from DHCP and ARP and captures it for the MAC's
	 * handle: modelled on the MAC's slot, so a frame with that address but not the MAC
	 * would add a copy the generator does not expect. */
	ex[3].key.addr_type = CLIF_ADDR_IPV4, memcpy(ex[3].key.addr, leased, 4), ex[3].rule_slot = L_MAC;
	for (i = 0; i < 4; i++)
		ex[i].flags = CLIF_ENTRY_VALID;
	px[0].addr_type = CLIF_ADDR_IPV4, px[0].prefix_len = 24, px[0].flags = CLIF_ENTRY_VALID;
	memcpy(px[0].addr, net, 4), px[0].rule_slot = L_CIDR;
	t = (struct golden_tables){ ex, 4, px, 1, NULL, 0, re, L_N };

	for (i = 0; i < n; i++) {
		struct golden_result g;
		uint32_t h;

		golden_frame(&t, traffic[i].b, (uint16_t)traffic[i].len, 0, 0, &g);
		CHECK_MSG(g.parse_err == 0, "frame %d: parse exception %#x", i, g.parse_err);
		if (!g.capture)
			continue;
		for (h = 0; h < g.cap_rec.n_match; h++) {
			int inner = (g.cap_rec.side[h] & (CLIF_SIDE_INNER_SRC | CLIF_SIDE_INNER_DST)) &&
				    !(g.cap_rec.side[h] & (CLIF_SIDE_OUTER_SRC | CLIF_SIDE_OUTER_DST));
			uint32_t off = inner ? g.cap_rec.inner_l3_off : g.cap_rec.outer_l3_off;
			uint8_t kind = inner ? g.cap_rec.inner_l3 : g.cap_rec.outer_l3;
			const uint8_t *ip = traffic[i].b + off;
			struct pkt *w;

			l = (int)(g.cap_rec.handle[h] - 0x100u);
			if (kind == CLIF_L3_NONE) { /* ARP: copied, but no datagram to deliver */
				n_arp_copies++;
				continue;
			}
			w = &want[l][n_want[l]++];
			w->ts_ns = traffic[i].ts_ns;
			w->len = kind == CLIF_L3_IPV4 ? be16(ip + 2) : 40u + be16(ip + 4);
			memcpy(w->b, ip, w->len);
		}
	}
}

/* ---- the traffic ---- */

static void check_run(const char *dir, unsigned repeat, int frames, const int *per_label)
{
	char out[512], path[256], want_line[256];
	int dlt = 0, n, i, l;

	snprintf(want_line, sizeof(want_line),
		 "clif-demo-traffic: %d frames, ", frames);
	CHECK_EQ(run(out, sizeof(out), "%s/clif-demo-traffic -o %s --repeat %u", bin, dir, repeat), 0);
	CHECK_MSG(strncmp(out, want_line, strlen(want_line)) == 0, "summary: %s", out);
	snprintf(want_line, sizeof(want_line), "expected CC datagrams: vni %d mac %d v6 %d cidr %d\n", per_label[0],
		 per_label[1], per_label[2], per_label[3]);
	CHECK_MSG(strstr(out, want_line) != NULL, "summary: %s", out);

	snprintf(path, sizeof(path), "%s/traffic.pcap", dir);
	n = read_pcap(path, traffic, MAX_PKTS, &dlt);
	CHECK_EQ(n, frames);
	CHECK_EQ(dlt, DLT_EN10MB);
	for (i = 0; i < n; i++) {
		size_t end = check_layer(traffic[i].b, 0, traffic[i].len, 0);

		CHECK_MSG(traffic[i].len >= 60, "frame %d: %u bytes", i, traffic[i].len);
		/* padded only up to the Ethernet minimum */
		CHECK_MSG(!end || end == traffic[i].len || (traffic[i].len == 60 && end < 60), "frame %d: %u bytes, IP ends at %zu",
			  i, traffic[i].len, end);
		if (i)
			CHECK_MSG(traffic[i].ts_ns > traffic[i - 1].ts_ns, "frame %d: timestamp not increasing", i);
	}

	memset(n_want, 0, sizeof(n_want));
	n_arp_copies = 0;
	golden_expect(n);
	CHECK_EQ(n_arp_copies, 2); /* the VM's ARP request and the reply to it */
	for (l = 0; l < L_N; l++) {
		snprintf(path, sizeof(path), "%s/expect-%s.pcap", dir, lname[l]);
		n = read_pcap(path, got, MAX_PKTS, &dlt);
		CHECK_EQ(dlt, DLT_RAW);
		CHECK_MSG(n == per_label[l], "%s: %d datagrams, want %d", lname[l], n, per_label[l]);
		CHECK_MSG(n == n_want[l], "%s: %d datagrams, the golden model copies %d", lname[l], n, n_want[l]);
		for (i = 0; i < n && i < n_want[l]; i++) {
			CHECK_MSG(got[i].len == want[l][i].len && !memcmp(got[i].b, want[l][i].b, got[i].len),
				  "%s: datagram %d differs from the golden model's copy", lname[l], i);
			CHECK_MSG(got[i].ts_ns == want[l][i].ts_ns, "%s: datagram %d: timestamp", lname[l], i);
		}
	}
	snprintf(path, sizeof(path), "%s/scenario.txt", dir);
	{
		FILE *f = fopen(path, "r");
		size_t k = f ? fread(out, 1, sizeof(out) - 1, f) : 0;

		out[k] = 0;
		if (f)
			fclose(f);
		snprintf(want_line, sizeof(want_line),
			 "vni ipv4 10.0.0.5 vni:5001\nmac mac 52:54:00:c0:00:03 any\nv6 ipv6 2001:db8:1::10 any\n"
			 "cidr ipv4cidr 198.51.100.0/24 any\nframes %d\n", frames);
		CHECK_STR(out, want_line);
	}
}

/* The first and last CC of the VNI target, field by field. */
static void check_vni_ends(const char *dir)
{
	static const uint8_t a[4] = { 10, 0, 0, 5 }, b[4] = { 10, 0, 0, 9 };
	char path[256];
	int dlt, n;
	const uint8_t *p;

	snprintf(path, sizeof(path), "%s/expect-vni.pcap", dir);
	n = read_pcap(path, got, MAX_PKTS, &dlt);
	CHECK(n > 1);
	if (n <= 1)
		return;
	p = got[0].b; /* tenant A's first SYN, 10.0.0.5:40001 -> 10.0.0.9:443, with an MSS option */
	CHECK_EQ(got[0].len, 44);
	CHECK_EQ(p[0], 0x45);
	CHECK_EQ(be16(p + 2), 44);
	CHECK_EQ(p[9], 6);
	CHECK(!memcmp(p + 12, a, 4) && !memcmp(p + 16, b, 4));
	CHECK_EQ(be16(p + 20), 40001);
	CHECK_EQ(be16(p + 22), 443);
	CHECK_EQ(p[33], 0x02);
	CHECK_EQ(p[32] >> 4, 6);
	p = got[n - 1].b; /* the last ACK of the session 10.0.0.9 opened to 10.0.0.5:22 */
	CHECK_EQ(got[n - 1].len, 40);
	CHECK(!memcmp(p + 12, b, 4) && !memcmp(p + 16, a, 4));
	CHECK_EQ(be16(p + 20), 40100);
	CHECK_EQ(be16(p + 22), 22);
	CHECK_EQ(p[33], 0x10);
}

static int same_file(const char *x, const char *y)
{
	return run(NULL, 0, "cmp -s %s %s", x, y) == 0;
}

/* ---- clif-cc-compare ---- */

static void write_raw(const char *path, int n, int flip_pkt, int flip_at, int swap, int dlt)
{
	pcap_t *dead = pcap_open_dead_with_tstamp_precision(dlt, 65535, PCAP_TSTAMP_PRECISION_NANO);
	pcap_dumper_t *d = dead ? pcap_dump_open(dead, path) : NULL;
	int i, k;

	CHECK(d != NULL);
	if (!d) {
		if (dead)
			pcap_close(dead);
		return;
	}
	for (k = 0; k < n; k++) {
		struct pcap_pkthdr h;
		uint8_t b[64];

		i = swap && k < 2 ? 1 - k : k;
		memset(&h, 0, sizeof(h));
		h.ts.tv_sec = 100 + k;
		h.caplen = h.len = (bpf_u_int32)(28 + i);
		for (size_t j = 0; j < sizeof(b); j++)
			b[j] = (uint8_t)(i * 13 + (int)j);
		b[0] = 0x45;
		if (k == flip_pkt)
			b[flip_at] ^= 1;
		pcap_dump((u_char *)d, &h, b);
	}
	pcap_dump_close(d);
	pcap_close(dead);
}

static void compare_case(const char *what, const char *e, const char *g, int want_rc, const char *want_out)
{
	char out[512];
	int rc = run(out, sizeof(out), "%s/clif-cc-compare %s %s 2>&1", bin, e, g);

	CHECK_MSG(rc == want_rc, "cc-compare %s: exit %d, want %d (%s)", what, rc, want_rc, out);
	CHECK_MSG(strstr(out, want_out) != NULL, "cc-compare %s: output lacks '%s': %s", what, want_out, out);
}

static void check_compare(void)
{
	char e[128], g[128];

	snprintf(e, sizeof(e), "%s/e.pcap", check_dir);
	write_raw(e, 3, -1, 0, 0, DLT_RAW);
	write_raw(check_path("same.pcap"), 3, -1, 0, 0, DLT_RAW);
	compare_case("identical", e, check_path("same.pcap"), 0, "3 expected, 3 received, 3 identical\n");
	write_raw(check_path("flip.pcap"), 3, 1, 5, 0, DLT_RAW);
	compare_case("one byte", e, check_path("flip.pcap"), 1,
		     "3 expected, 3 received, 2 identical\nfirst difference: packet 1 at byte offset 5 (lengths 29, 29)");
	write_raw(check_path("short.pcap"), 2, -1, 0, 0, DLT_RAW);
	compare_case("missing packet", e, check_path("short.pcap"), 1,
		     "3 expected, 2 received, 2 identical\nfirst difference: packet 2 is missing");
	write_raw(check_path("long.pcap"), 4, -1, 0, 0, DLT_RAW);
	compare_case("extra packet", e, check_path("long.pcap"), 1,
		     "3 expected, 4 received, 3 identical\nfirst difference: packet 3 was received but not expected");
	write_raw(check_path("swap.pcap"), 3, -1, 0, 1, DLT_RAW);
	compare_case("swapped", e, check_path("swap.pcap"), 1,
		     "3 expected, 3 received, 1 identical\nfirst difference: packet 0");
	compare_case("missing GOT", e, check_path("none.pcap"), 1, "3 expected, 0 received, 0 identical\n");
	write_raw(check_path("empty.pcap"), 0, -1, 0, 0, DLT_RAW);
	snprintf(g, sizeof(g), "%s", check_path("empty.pcap"));
	compare_case("empty EXPECT, missing GOT", g, check_path("none.pcap"), 0, "0 expected, 0 received, 0 identical\n");
	compare_case("empty EXPECT, empty GOT", g, g, 0, "0 expected, 0 received, 0 identical\n");
	run(NULL, 0, "echo not a capture > %s", check_path("junk.pcap"));
	compare_case("GOT not a pcap", e, check_path("junk.pcap"), 2, "cannot read");
	compare_case("EXPECT not a pcap", check_path("junk.pcap"), e, 2, "cannot read");
	write_raw(check_path("eth.pcap"), 3, -1, 0, 0, DLT_EN10MB);
	compare_case("Ethernet GOT", e, check_path("eth.pcap"), 2, "is not raw IP");
	compare_case("missing EXPECT", check_path("none.pcap"), e, 2, "cannot read");
	compare_case("one argument", e, "", 2, "Usage: clif-cc-compare EXPECT.pcap GOT.pcap");
	compare_case("three arguments", e, "a b", 2, "Usage:");
}

int main(int argc, char **argv)
{
	static const int one[4] = { 26, 21, 16, 30 }, three[4] = { 54, 43, 34, 66 };
	char d1[128], d2[128], d3[128];
	char out[512];

	if (argc > 1)
		bin = argv[1];
	check_tmpdir("/tmp/clif-demo-traffic-XXXXXX");
	snprintf(d1, sizeof(d1), "%s/r1", check_dir);
	snprintf(d2, sizeof(d2), "%s/r1again", check_dir);
	snprintf(d3, sizeof(d3), "%s/r3", check_dir);

	check_run(d1, 1, 110, one);
	check_vni_ends(d1);
	check_run(d3, 3, 226, three);
	/* deterministic: a second run writes the same bytes */
	CHECK_EQ(run(NULL, 0, "%s/clif-demo-traffic -o %s >/dev/null", bin, d2), 0);
	CHECK(same_file(check_path("r1/traffic.pcap"), check_path("r1again/traffic.pcap")));
	CHECK(same_file(check_path("r1/expect-mac.pcap"), check_path("r1again/expect-mac.pcap")));
	CHECK(!same_file(check_path("r1/traffic.pcap"), check_path("r3/traffic.pcap")));
	/* the generator's own expected files pass clif-cc-compare against themselves */
	CHECK_EQ(run(out, sizeof(out), "%s/clif-cc-compare %s/expect-cidr.pcap %s/expect-cidr.pcap", bin, d3, d3), 0);
	CHECK_STR(out, "66 expected, 66 received, 66 identical\n");
	/* usage errors */
	CHECK_EQ(run(NULL, 0, "%s/clif-demo-traffic 2>/dev/null", bin), 2);
	CHECK_EQ(run(NULL, 0, "%s/clif-demo-traffic -o %s --repeat 0 2>/dev/null", bin, d2), 2);
	CHECK_EQ(run(NULL, 0, "%s/clif-demo-traffic -o %s --repeat 2x 2>/dev/null", bin, d2), 2);
	CHECK_EQ(run(NULL, 0, "%s/clif-demo-traffic -o %s --bogus 2>/dev/null", bin, d2), 2);
	CHECK_EQ(run(NULL, 0, "%s/clif-demo-traffic -o /proc/nonexistent/x 2>/dev/null", bin), 1);

	check_compare();
	return check_done();
}
