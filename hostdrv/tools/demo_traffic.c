/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * clif-demo-traffic: writes the traffic of `make demo` and what the LEMF must receive of it.
 *
 *   clif-demo-traffic -o DIR [--repeat N]
 *
 * DIR/traffic.pcap: Ethernet frames of a small cloud host, deterministic (no randomness):
 *  - two tenants on VXLAN (VTEPs 192.168.100.1 and .2; tenant A VNI 5001, tenant B VNI 5002),
 *    both with a VM at 10.0.0.5 talking TCP and UDP to 10.0.0.9 of their own tenant, with the
 *    same inner 5-tuples: only the VNI tells them apart;
 *  - an untagged VM with MAC 52:54:00:c0:00:03 that gets 192.0.2.50 by DHCPv4 from 192.0.2.1,
 *    resolves its gateway by ARP, then talks TCP (HTTP-like) and DNS-like UDP to 198.51.100.7;
 *  - 192.0.2.60 to 198.51.100.8 (TCP: the CIDR target's second host), 192.0.2.70 to
 *    203.0.113.9 (TCP and NTP-like UDP: never a target), IPv6 neighbour advertisements, TCP
 *    between 2001:db8:1::10 (the IPv6 target) and 2001:db8:2::20, UDP between 2001:db8:1::11
 *    and 2001:db8:2::21 (never a target).
 * A setup phase (DHCP, ARP, ND, TCP handshakes), the data phase --repeat N times (default 1),
 * then the TCP closes. Timestamps start at 2026-01-01T00:00:00Z and advance 20 us a frame.
 *
 * DIR/expect-LABEL.pcap (LINKTYPE_RAW, nanosecond timestamps as clif-lemf writes its
 * cc-LIID.pcap) for the labels vni, mac, v6 and cidr: in traffic order, the IP datagram the
 * card copies as CC for every frame that target is in (demo_traffic_cc.c says which), with the
 * frame's timestamp. DIR/scenario.txt: "LABEL KIND VALUE SCOPE" per label, then "frames N".
 * Prints one summary line. Exit status 0, 1 on a file error, 2 on bad arguments.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "demo_traffic.h"

#define TS_START_NS 1767225600000000000ull /* 2026-01-01T00:00:00Z */
#define TS_STEP_NS 20000ull
#define REPEAT_MAX 100000ul

struct out {
	pcap_t *dead_eth, *dead_raw;
	pcap_dumper_t *traffic, *expect[DT_LABELS];
	uint64_t frames, bytes, expected[DT_LABELS];
	uint64_t ts_ns;
	int failed; /* a frame did not fit: a bug in this program */
};

static struct out g;

/* Writes one frame and, for each target it is in, the datagram the LEMF must receive. */
static void emit(const uint8_t *frame, size_t len)
{
	struct pcap_pkthdr h;
	int l;

	if (!len) {
		g.failed = 1;
		return;
	}
	memset(&h, 0, sizeof(h));
	h.ts.tv_sec = (time_t)(g.ts_ns / 1000000000ull);
	h.ts.tv_usec = (suseconds_t)(g.ts_ns % 1000000000ull); /* nanosecond files */
	h.caplen = h.len = (bpf_u_int32)len;
	pcap_dump((u_char *)g.traffic, &h, frame);
	for (l = 0; l < DT_LABELS; l++) {
		size_t off, dlen;

		if (!dt_cc_of((enum dt_label)l, frame, len, &off, &dlen))
			continue;
		h.caplen = h.len = (bpf_u_int32)dlen;
		pcap_dump((u_char *)g.expect[l], &h, frame + off);
		g.expected[l]++;
	}
	g.frames++;
	g.bytes += len;
	g.ts_ns += TS_STEP_NS;
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* ---- the host ---- */

static const struct dt_vxlan vx_a = { 5001, { { 2, 0, 0, 0, 1, 1 }, { 2, 0, 0, 0, 1, 2 } },
				      { { 192, 168, 100, 1 }, { 192, 168, 100, 2 } } };
static const struct dt_vxlan vx_b = { 5002, { { 2, 0, 0, 0, 1, 1 }, { 2, 0, 0, 0, 1, 2 } },
				      { { 192, 168, 100, 1 }, { 192, 168, 100, 2 } } };

#define MAC(x, y, z) { 0x52, 0x54, 0x00, x, y, z }
#define V4(a, b, c, d) { a, b, c, d }
#define V6(g2, last) { 0x20, 0x01, 0x0d, 0xb8, 0, g2, 0, 0, 0, 0, 0, 0, 0, 0, 0, last }

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t zero_mac[6];
static const uint8_t vm_mac[6] = MAC(0xc0, 0x00, 0x03);
static const uint8_t gw_mac[6] = MAC(0xc0, 0x00, 0x01);
static const uint8_t gw_ip[4] = V4(192, 0, 2, 1);
static const uint8_t vm_ip[4] = V4(192, 0, 2, 50);

enum { F_A_TCP, F_A_SSH, F_A_UDP, F_B_TCP, F_B_UDP, F_L_TCP, F_L_DNS, F_O_TCP, F_O_WEB, F_O_NTP, F_6_TCP, F_6_UDP,
       F_N };

static struct dt_flow flows[F_N] = {
	[F_A_TCP] = { { { MAC(0xa0, 0, 5), V4(10, 0, 0, 5) }, { MAC(0xa0, 0, 9), V4(10, 0, 0, 9) } }, 0, &vx_a,
		      { 40001, 443 }, { 0x1000, 0x2000 }, { 1000000, 5000000 }, 1 },
	[F_A_SSH] = { { { MAC(0xa0, 0, 9), V4(10, 0, 0, 9) }, { MAC(0xa0, 0, 5), V4(10, 0, 0, 5) } }, 0, &vx_a,
		      { 40100, 22 }, { 0x2100, 0x1100 }, { 7000000, 9000000 }, 2 },
	[F_A_UDP] = { { { MAC(0xa0, 0, 5), V4(10, 0, 0, 5) }, { MAC(0xa0, 0, 9), V4(10, 0, 0, 9) } }, 0, &vx_a,
		      { 5300, 8125 }, { 0x1200, 0x2200 }, { 0, 0 }, 3 },
	/* tenant B: the same inner addresses and ports as tenant A */
	[F_B_TCP] = { { { MAC(0xb0, 0, 5), V4(10, 0, 0, 5) }, { MAC(0xb0, 0, 9), V4(10, 0, 0, 9) } }, 0, &vx_b,
		      { 40001, 443 }, { 0x1000, 0x2000 }, { 3000000, 4000000 }, 4 },
	[F_B_UDP] = { { { MAC(0xb0, 0, 5), V4(10, 0, 0, 5) }, { MAC(0xb0, 0, 9), V4(10, 0, 0, 9) } }, 0, &vx_b,
		      { 5300, 8125 }, { 0x1200, 0x2200 }, { 0, 0 }, 5 },
	[F_L_TCP] = { { { MAC(0xc0, 0, 3), V4(192, 0, 2, 50) }, { MAC(0xc0, 0, 1), V4(198, 51, 100, 7) } }, 0, NULL,
		      { 41000, 80 }, { 0x3000, 0x4000 }, { 11000000, 12000000 }, 6 },
	[F_L_DNS] = { { { MAC(0xc0, 0, 3), V4(192, 0, 2, 50) }, { MAC(0xc0, 0, 1), V4(198, 51, 100, 7) } }, 0, NULL,
		      { 53001, 53 }, { 0x3100, 0x4100 }, { 0, 0 }, 7 },
	[F_O_TCP] = { { { MAC(0xd0, 0, 4), V4(192, 0, 2, 60) }, { MAC(0xc0, 0, 1), V4(198, 51, 100, 8) } }, 0, NULL,
		      { 42000, 443 }, { 0x5000, 0x6000 }, { 13000000, 14000000 }, 8 },
	[F_O_WEB] = { { { MAC(0xd0, 0, 7), V4(192, 0, 2, 70) }, { MAC(0xc0, 0, 1), V4(203, 0, 113, 9) } }, 0, NULL,
		      { 44000, 8080 }, { 0x5200, 0x6200 }, { 17000000, 18000000 }, 12 },
	[F_O_NTP] = { { { MAC(0xd0, 0, 7), V4(192, 0, 2, 70) }, { MAC(0xc0, 0, 1), V4(203, 0, 113, 9) } }, 0, NULL,
		      { 123, 123 }, { 0x5100, 0x6100 }, { 0, 0 }, 9 },
	[F_6_TCP] = { { { MAC(0xe0, 0, 0x10), V6(1, 0x10) }, { MAC(0xe0, 0, 1), V6(2, 0x20) } }, 1, NULL,
		      { 43000, 443 }, { 0, 0 }, { 15000000, 16000000 }, 10 },
	[F_6_UDP] = { { { MAC(0xe0, 0, 0x11), V6(1, 0x11) }, { MAC(0xe0, 0, 1), V6(2, 0x21) } }, 1, NULL,
		      { 5000, 5001 }, { 0, 0 }, { 0, 0 }, 11 },
};

static void tcp(int f, int from, uint8_t flags, size_t plen)
{
	uint8_t fr[DT_FRAME_MAX];

	emit(fr, dt_tcp(fr, &flows[f], from, flags, plen));
}

static void udp(int f, int from, const uint8_t *p, size_t n)
{
	uint8_t fr[DT_FRAME_MAX];

	emit(fr, dt_udp(fr, &flows[f], from, p, n));
}

/* ---- setup: DHCP, ARP, neighbour advertisements ---- */

/* A BOOTP message of DHCP type `type` between the VM and the server; returns its length. */
static size_t dhcp_msg(uint8_t *m, uint8_t type)
{
	size_t n = 240;

	memset(m, 0, 300);
	m[0] = (type == 1 || type == 3) ? 1 : 2; /* BOOTREQUEST / BOOTREPLY */
	m[1] = 1;
	m[2] = 6;
	m[4] = 0x5e, m[5] = 0xed, m[6] = 0x00, m[7] = 0x07; /* xid */
	if (type == 2 || type == 5)
		memcpy(m + 16, vm_ip, 4); /* yiaddr */
	if (type == 2 || type == 5)
		memcpy(m + 20, gw_ip, 4); /* siaddr */
	memcpy(m + 28, vm_mac, 6);          /* chaddr */
	m[236] = 0x63, m[237] = 0x82, m[238] = 0x53, m[239] = 0x63;
	m[n++] = 53, m[n++] = 1, m[n++] = type;
	if (type == 3) {
		m[n++] = 50, m[n++] = 4;
		memcpy(m + n, vm_ip, 4), n += 4;
	}
	if (type != 1) {
		m[n++] = 54, m[n++] = 4;
		memcpy(m + n, gw_ip, 4), n += 4;
	}
	if (type == 2 || type == 5) {
		static const uint8_t opts[] = { 51, 4, 0, 0, 0x0e, 0x10, 1, 4, 255, 255, 255, 0, 3, 4, 192, 0, 2, 1 };

		memcpy(m + n, opts, sizeof(opts));
		n += sizeof(opts);
	}
	m[n++] = 255;
	while (n < 300) /* BOOTP's minimum message */
		m[n++] = 0;
	return n;
}

static void dhcp(uint8_t type)
{
	static const uint8_t any[4], all[4] = { 255, 255, 255, 255 };
	struct dt_flow f = { { { MAC(0xc0, 0, 3), V4(192, 0, 2, 50) }, { MAC(0xc0, 0, 1), V4(192, 0, 2, 1) } },
			     0, NULL, { 68, 67 }, { 0, 0x4200 }, { 0, 0 }, 0 };
	uint8_t seg[8 + 320], fr[DT_FRAME_MAX];
	int from = (type == 1 || type == 3) ? 0 : 1;
	size_t n = dhcp_msg(seg + 8, type);

	f.ip_id[1] = (uint16_t)(0x4200 + type);
	put16(seg, f.port[from]);
	put16(seg + 2, f.port[!from]);
	put16(seg + 4, (uint32_t)(8u + n));
	put16(seg + 6, 0);
	/* the client has no address yet and broadcasts; the server answers to its MAC and lease */
	emit(fr, dt_ip_frame(fr, &f, from, 17, seg, 8u + n, from ? NULL : bcast, from ? NULL : any,
			     from ? NULL : all));
}

/* An unsolicited neighbour advertisement of flow f's end a, to all nodes. */
static void neigh_adv(int fi)
{
	static const uint8_t all_nodes[16] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	static const uint8_t all_nodes_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	struct dt_flow *f = &flows[fi];
	uint8_t na[32], fr[DT_FRAME_MAX];

	memset(na, 0, sizeof(na));
	na[0] = 136;
	na[4] = 0x20; /* override */
	memcpy(na + 8, f->e[0].ip, 16);
	na[24] = 2; /* target link-layer address */
	na[25] = 1;
	memcpy(na + 26, f->e[0].mac, 6);
	emit(fr, dt_ip_frame(fr, f, 0, 58, na, sizeof(na), all_nodes_mac, NULL, all_nodes));
}

static const int tcp_flows[] = { F_A_TCP, F_A_SSH, F_B_TCP, F_L_TCP, F_O_TCP, F_O_WEB, F_6_TCP };
#define N_TCP (sizeof(tcp_flows) / sizeof(tcp_flows[0]))

static void setup(void)
{
	uint8_t fr[DT_FRAME_MAX];
	size_t i;

	dhcp(1); /* DISCOVER */
	dhcp(2); /* OFFER */
	dhcp(3); /* REQUEST */
	dhcp(5); /* ACK */
	emit(fr, dt_arp(fr, 1, bcast, vm_mac, vm_ip, zero_mac, gw_ip));
	emit(fr, dt_arp(fr, 2, vm_mac, gw_mac, gw_ip, vm_mac, vm_ip));
	{
		static const uint8_t o_mac[6] = MAC(0xd0, 0, 4), o_ip[4] = V4(192, 0, 2, 60);

		emit(fr, dt_arp(fr, 1, bcast, o_mac, o_ip, zero_mac, gw_ip));
		emit(fr, dt_arp(fr, 2, o_mac, gw_mac, gw_ip, o_mac, o_ip));
	}
	neigh_adv(F_6_TCP);
	neigh_adv(F_6_UDP);
	for (i = 0; i < N_TCP; i++) {
		tcp(tcp_flows[i], 0, DT_TCP_SYN, 0);
		tcp(tcp_flows[i], 1, DT_TCP_SYN | DT_TCP_ACK, 0);
		tcp(tcp_flows[i], 0, DT_TCP_ACK, 0);
	}
}

/* ---- the data phase: each flow's steps, interleaved ---- */

struct step {
	int8_t from;  /* -1: end of the list */
	uint16_t len; /* TCP payload bytes (0: a bare ACK) */
};

/* Request, a large response in full-size segments, the ACKs in between. */
static const struct step web[] = { { 0, 312 }, { 1, 1400 }, { 1, 1400 }, { 0, 0 }, { 1, 1400 }, { 1, 977 },
				   { 0, 0 }, { -1, 0 } };
static const struct step ssh[] = { { 0, 36 }, { 1, 52 }, { 0, 0 }, { 1, 1400 }, { 0, 0 }, { -1, 0 } };
static const struct step http[] = { { 0, 421 }, { 1, 1400 }, { 1, 1400 }, { 0, 0 }, { 1, 1400 }, { 1, 1400 },
				    { 0, 0 }, { 1, 263 }, { 0, 0 }, { -1, 0 } };
static const struct step upload[] = { { 0, 1400 }, { 0, 1400 }, { 1, 0 }, { 0, 805 }, { 1, 0 }, { 1, 64 },
				      { -1, 0 } };

static const struct step *const plan[F_N] = {
	[F_A_TCP] = web, [F_A_SSH] = ssh, [F_B_TCP] = upload, [F_L_TCP] = http, [F_O_TCP] = web, [F_O_WEB] = ssh,
	[F_6_TCP] = http,
};

/* A DNS-like query for demo.example.net (A) and its answer. */
static size_t dns(uint8_t *p, int answer, uint16_t id)
{
	static const uint8_t qname[] = { 4, 'd', 'e', 'm', 'o', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'n', 'e', 't',
					 0, 0, 1, 0, 1 };
	static const uint8_t rr[] = { 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 1, 0x2c, 0, 4, 198, 51, 100, 80 };
	size_t n = 12;

	memset(p, 0, 12);
	put16(p, id);
	put16(p + 2, answer ? 0x8180 : 0x0100);
	put16(p + 4, 1);
	put16(p + 6, answer ? 1u : 0u);
	memcpy(p + n, qname, sizeof(qname));
	n += sizeof(qname);
	if (answer) {
		memcpy(p + n, rr, sizeof(rr));
		n += sizeof(rr);
	}
	return n;
}

/* A payload of n bytes that is the same for the same (seed, k). */
static void pattern(uint8_t *p, size_t n, unsigned seed, unsigned long k)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(seed * 37u + k * 11u + i * 3u);
}

static void udp_round(unsigned long r)
{
	uint8_t p[1500];
	size_t n;

	n = dns(p, 0, (uint16_t)(0x1000 + r));
	udp(F_L_DNS, 0, p, n);
	/* statsd-like metrics in both tenants: the same 5-tuple, different VNIs */
	n = (size_t)snprintf((char *)p, sizeof(p), "vm.cpu:%lu|g\nvm.mem:%lu|g\n", 20 + r % 50, 512 + r % 97);
	udp(F_A_UDP, 0, p, n);
	udp(F_B_UDP, 0, p, n);
	n = dns(p, 1, (uint16_t)(0x1000 + r));
	udp(F_L_DNS, 1, p, n);
	pattern(p, 48, 9, r); /* NTP-sized */
	udp(F_O_NTP, 0, p, 48);
	udp(F_O_NTP, 1, p, 48);
	pattern(p, 1200, 11, r);
	udp(F_6_UDP, 0, p, 1200);
	pattern(p, 200, 3, r);
	udp(F_A_UDP, 1, p, 200);
	pattern(p, 180, 5, r);
	udp(F_B_UDP, 1, p, 180);
	udp(F_6_UDP, 1, p, 64);
}

static void data_phase(unsigned long r)
{
	int k, any = 1;

	for (k = 0; any; k++) {
		size_t i;

		any = 0;
		for (i = 0; i < N_TCP; i++) {
			const struct step *s = plan[tcp_flows[i]];
			int j;

			for (j = 0; j < k && s[j].from >= 0; j++)
				;
			if (j < k || s[k].from < 0)
				continue;
			any = 1;
			tcp(tcp_flows[i], s[k].from, s[k].len ? DT_TCP_ACK | DT_TCP_PSH : DT_TCP_ACK, s[k].len);
		}
		if (k == 2)
			udp_round(r);
	}
}

static void teardown(void)
{
	size_t i;

	for (i = 0; i < N_TCP; i++) {
		tcp(tcp_flows[i], 0, DT_TCP_FIN | DT_TCP_ACK, 0);
		tcp(tcp_flows[i], 1, DT_TCP_FIN | DT_TCP_ACK, 0);
		tcp(tcp_flows[i], 0, DT_TCP_ACK, 0);
	}
}

/* ---- files ---- */

static pcap_dumper_t *open_dump(pcap_t *dead, const char *dir, const char *name)
{
	char path[4096];
	pcap_dumper_t *d;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	d = pcap_dump_open(dead, path);
	if (!d)
		fprintf(stderr, "clif-demo-traffic: %s\n", pcap_geterr(dead));
	return d;
}

static int close_dump(pcap_dumper_t *d)
{
	int bad = pcap_dump_flush(d) != 0 || ferror(pcap_dump_file(d));

	pcap_dump_close(d);
	return bad;
}

static int write_scenario(const char *dir)
{
	char path[4096];
	FILE *f;
	int l, bad;

	snprintf(path, sizeof(path), "%s/scenario.txt", dir);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "clif-demo-traffic: cannot create %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (l = 0; l < DT_LABELS; l++)
		fprintf(f, "%s\n", dt_label_line[l]);
	fprintf(f, "frames %llu\n", (unsigned long long)g.frames);
	bad = ferror(f);
	if (fclose(f) || bad) {
		fprintf(stderr, "clif-demo-traffic: cannot write %s\n", path);
		return -1;
	}
	return 0;
}

static void usage(const char *why)
{
	fprintf(stderr, "clif-demo-traffic: %s\nUsage: clif-demo-traffic -o DIR [--repeat N]\n", why);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *dir = NULL;
	unsigned long repeat = 1, r;
	int i, l, bad = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("Usage: clif-demo-traffic -o DIR [--repeat N]\n"
			       "Writes DIR/traffic.pcap (Ethernet), DIR/expect-{vni,mac,v6,cidr}.pcap (raw IP:\n"
			       "the CC datagrams each demo target must receive) and DIR/scenario.txt.\n"
			       "--repeat N plays the data phase N times (1 to %lu, default 1).\n", REPEAT_MAX);
			return 0;
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			dir = argv[++i];
		} else if (!strcmp(argv[i], "--repeat") && i + 1 < argc) {
			char *end;

			errno = 0;
			repeat = strtoul(argv[++i], &end, 10);
			if (errno || *end || argv[i][0] < '0' || argv[i][0] > '9' || repeat < 1 || repeat > REPEAT_MAX)
				usage("--repeat needs a number from 1 to 100000");
		} else {
			usage(argv[i][0] == '-' ? "unknown option or missing argument" : "unexpected argument");
		}
	}
	if (!dir || !*dir)
		usage("-o DIR is required");
	if (mkdir(dir, 0777) && errno != EEXIST) {
		fprintf(stderr, "clif-demo-traffic: cannot create %s: %s\n", dir, strerror(errno));
		return 1;
	}
	g.ts_ns = TS_START_NS;
	g.dead_eth = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535, PCAP_TSTAMP_PRECISION_NANO);
	g.dead_raw = pcap_open_dead_with_tstamp_precision(DLT_RAW, 65535, PCAP_TSTAMP_PRECISION_NANO);
	if (!g.dead_eth || !g.dead_raw) {
		fprintf(stderr, "clif-demo-traffic: out of memory\n");
		return 1;
	}
	g.traffic = open_dump(g.dead_eth, dir, "traffic.pcap");
	bad = !g.traffic;
	for (l = 0; l < DT_LABELS && !bad; l++) {
		char name[64];

		snprintf(name, sizeof(name), "expect-%s.pcap", dt_label_name[l]);
		g.expect[l] = open_dump(g.dead_raw, dir, name);
		bad = !g.expect[l];
	}
	if (!bad) {
		setup();
		for (r = 0; r < repeat; r++)
			data_phase(r);
		teardown();
	}
	if (g.traffic)
		bad |= close_dump(g.traffic);
	for (l = 0; l < DT_LABELS; l++)
		if (g.expect[l])
			bad |= close_dump(g.expect[l]);
	pcap_close(g.dead_eth);
	pcap_close(g.dead_raw);
	if (bad || write_scenario(dir)) {
		fprintf(stderr, "clif-demo-traffic: writing to %s failed\n", dir);
		return 1;
	}
	if (g.failed) {
		fprintf(stderr, "clif-demo-traffic: a frame did not fit (bug)\n");
		return 1;
	}
	printf("clif-demo-traffic: %llu frames, %llu bytes, repeat %lu; expected CC datagrams:", (unsigned long long)g.frames,
	       (unsigned long long)g.bytes, repeat);
	for (l = 0; l < DT_LABELS; l++)
		printf(" %s %llu", dt_label_name[l], (unsigned long long)g.expected[l]);
	printf("\n");
	return 0;
}
