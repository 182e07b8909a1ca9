// SPDX-License-Identifier: BSD-3-Clause
// dp_parse(): exact results for well-formed and malformed frames (hls/SEMANTICS.md sections 1-2).
#include <string.h>

#include "dp_fixture.h"

#include <CppUTest/TestHarness.h>

namespace {

const uint8_t IMAC_D[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x0d };
const uint8_t IMAC_S[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x05 };
const uint8_t ZERO16[16] = { 0 };

const uint16_t ETH_IPV4 = 0x0800, ETH_IPV6 = 0x86dd, ETH_8021Q = 0x8100, ETH_8021AD = 0x88a8,
	       ETH_TEB = 0x6558;
const uint8_t P_HOP = 0, P_ICMP = 1, P_TCP = 6, P_UDP = 17, P_ROUTING = 43, P_FRAG = 44, P_GRE = 47,
	      P_AH = 51, P_ICMPV6 = 58, P_DSTOPTS = 60, P_SCTP = 132;

// The frame's first n bytes, every byte after them set to fill.
void parse_into(const struct pkt_buf &f, uint16_t n, uint8_t fill, struct dp_parsed *out)
{
	memset(g_in, fill, sizeof(g_in));
	memcpy(g_in, f.b, n);
	memset(out, 0xa5, sizeof(*out));
	dp_parse(g_in, n, out);
}

// ---- frame builders; lengths are fixed up once the payload is in place ----

void fix_ipv6_len(struct pkt_buf &f, uint16_t ip)
{
	pkt_put_be16(&f, (uint16_t)(ip + 4), (uint16_t)(f.len - ip - 40));
}

void fix_udp_len(struct pkt_buf &f, uint16_t udp)
{
	pkt_put_be16(&f, (uint16_t)(udp + 4), (uint16_t)(f.len - udp));
}

// Ethernet + IPv4 10.0.0.1 -> 10.0.0.2 carrying proto; returns the IPv4 header's offset.
uint16_t eth_ipv4(struct pkt_buf &f, uint8_t proto, uint16_t payload_len)
{
	pkt_eth(&f, MAC_D, MAC_S, ETH_IPV4);
	return pkt_ipv4(&f, V4_S, V4_D, proto, payload_len, 0, 0);
}

uint16_t eth_ipv6(struct pkt_buf &f, uint8_t next, uint16_t payload_len)
{
	pkt_eth(&f, MAC_D, MAC_S, ETH_IPV6);
	return pkt_ipv6(&f, V6_S, V6_D, next, payload_len);
}

void tcp4_frame(struct pkt_buf &f)
{
	eth_ipv4(f, P_TCP, 20);
	pkt_tcp(&f, 1234, 80, 5);
}

// IPv4 10.0.0.1 -> 10.0.0.2 TCP 1234 -> 80, after whatever L2 header f holds.
void ipv4_tcp(struct pkt_buf &f)
{
	pkt_ipv4(&f, V4_S, V4_D, P_TCP, 20, 0, 0);
	pkt_tcp(&f, 1234, 80, 5);
}

// Inner Ethernet + IPv4 192.168.7.1:4321 -> 192.168.7.2:443 TCP (54 bytes).
void inner_tcp4(struct pkt_buf &f)
{
	pkt_eth(&f, IMAC_D, IMAC_S, ETH_IPV4);
	pkt_ipv4(&f, IV4_S, IV4_D, P_TCP, 20, 0, 0);
	pkt_tcp(&f, 4321, 443, 5);
}

// Outer Ethernet/IPv4/UDP to dport; returns the UDP header's offset (the IPv4 one is 14).
uint16_t outer_udp(struct pkt_buf &f, uint16_t dport)
{
	uint16_t udp;

	eth_ipv4(f, P_UDP, 0);
	udp = f.len;
	pkt_udp(&f, 49152, dport, 0);
	return udp;
}

// Fixes the outer IPv4 (at 14) and UDP lengths to reach the end of the frame.
void close_outer_udp(struct pkt_buf &f, uint16_t udp)
{
	fix_udp_len(f, udp);
	fix_ipv4_len(f, 14);
}

// GRE header with explicit flags and protocol, optional fields as the flags say.
void gre(struct pkt_buf &f, uint16_t flags, uint16_t proto, uint32_t key)
{
	pkt_be16(&f, flags);
	pkt_be16(&f, proto);
	if (flags & 0x8000u)
		pkt_be32(&f, 0); // checksum + reserved1
	if (flags & 0x2000u)
		pkt_be32(&f, key);
	if (flags & 0x1000u)
		pkt_be32(&f, 7); // sequence number
}

// Outer Ethernet/IPv4 to VXLAN (vni) carrying inner_tcp4(), lengths closed; returns the UDP
// header's offset.
uint16_t vxlan_frame(struct pkt_buf &f, uint32_t vni)
{
	uint16_t udp = outer_udp(f, 4789);

	pkt_vxlan(&f, vni);
	inner_tcp4(f);
	close_outer_udp(f, udp);
	return udp;
}

// Outer Ethernet/IPv4 to GRE with flags and key, protocol transparent Ethernet bridging,
// carrying inner_tcp4(); the outer IPv4 length closed.
void nvgre_frame(struct pkt_buf &f, uint16_t flags, uint32_t key)
{
	uint16_t ip = eth_ipv4(f, P_GRE, 0);

	gre(f, flags, ETH_TEB, key);
	inner_tcp4(f);
	fix_ipv4_len(f, ip);
}

// ---- checks ----

void check_layer_empty(const struct dp_layer &l)
{
	static const struct dp_layer zero = {};

	MEMCMP_EQUAL(&zero, &l, sizeof(l));
}

void check_v4(const uint8_t *got, const uint8_t *ip)
{
	MEMCMP_EQUAL(ip, got, 4);
	MEMCMP_EQUAL(ZERO16, got + 4, 12);
}

void check_ports(const struct dp_layer &l, uint16_t sport, uint16_t dport)
{
	LONGS_EQUAL(1, l.ports_valid);
	LONGS_EQUAL(sport, l.sport);
	LONGS_EQUAL(dport, l.dport);
}

void check_no_ports(const struct dp_layer &l)
{
	LONGS_EQUAL(0, l.ports_valid);
	LONGS_EQUAL(0, l.sport);
	LONGS_EQUAL(0, l.dport);
}

void check_eth(const struct dp_layer &l, const uint8_t *dmac, const uint8_t *smac)
{
	LONGS_EQUAL(1, l.has_eth);
	MEMCMP_EQUAL(dmac, l.dmac, 6);
	MEMCMP_EQUAL(smac, l.smac, 6);
}

void check_no_l3(const struct dp_layer &l)
{
	LONGS_EQUAL(CLIF_L3_NONE, l.l3);
	LONGS_EQUAL(0, l.l3_off);
	LONGS_EQUAL(0, l.ip_proto);
	LONGS_EQUAL(0, l.frag);
	MEMCMP_EQUAL(ZERO16, l.src, 16);
	MEMCMP_EQUAL(ZERO16, l.dst, 16);
	check_no_ports(l);
}

void check_no_overlay(const struct dp_parsed &p)
{
	LONGS_EQUAL(CLIF_OVERLAY_NONE, p.overlay);
	LONGS_EQUAL(0, p.vni);
	check_layer_empty(p.layer[1]);
}

} // namespace

TEST_GROUP(Parser)
{
	struct pkt_buf f;
	struct dp_parsed p;

	void setup() override
	{
		pkt_reset(&f);
	}
	void parse()
	{
		parse_into(f, f.len, 0x00, &p);
	}
	void parse_n(uint16_t n)
	{
		parse_into(f, n, 0x00, &p);
	}
};

// ---------------------------------------------------------------------------------------------
// Well-formed frames

TEST(Parser, PlainIpv4Tcp)
{
	tcp4_frame(f);
	parse();
	LONGS_EQUAL(0, p.perr);
	const struct dp_layer &l = p.layer[0];
	check_eth(l, MAC_D, MAC_S);
	LONGS_EQUAL(0, l.n_vlan);
	LONGS_EQUAL(0, l.vid);
	LONGS_EQUAL(CLIF_L3_IPV4, l.l3);
	LONGS_EQUAL(14, l.l3_off);
	LONGS_EQUAL(P_TCP, l.ip_proto);
	LONGS_EQUAL(0, l.frag);
	check_v4(l.src, V4_S);
	check_v4(l.dst, V4_D);
	check_ports(l, 1234, 80);
	check_no_overlay(p);
}

TEST(Parser, Ipv4OptionsAreSkipped)
{
	pkt_eth(&f, MAC_D, MAC_S, ETH_IPV4);
	pkt_ipv4(&f, V4_S, V4_D, P_TCP, 20, 3, 0);
	pkt_tcp(&f, 1234, 80, 5);
	parse();
	LONGS_EQUAL(0, p.perr);
	LONGS_EQUAL(CLIF_L3_IPV4, p.layer[0].l3);
	LONGS_EQUAL(14, p.layer[0].l3_off);
	check_ports(p.layer[0], 1234, 80);
}

TEST(Parser, Vlan8021Q)
{
	pkt_eth(&f, MAC_D, MAC_S, ETH_8021Q);
	pkt_vlan(&f, 100, ETH_IPV4);
	ipv4_tcp(f);
	parse();
	LONGS_EQUAL(0, p.perr);
	LONGS_EQUAL(1, p.layer[0].n_vlan);
	LONGS_EQUAL(100, p.layer[0].vid);
	LONGS_EQUAL(CLIF_L3_IPV4, p.layer[0].l3);
	LONGS_EQUAL(18, p.layer[0].l3_off);
	check_ports(p.layer[0], 1234, 80);
}

TEST(Parser, QinQVidIsTheFirstTag)
{
	pkt_eth(&f, MAC_D, MAC_S, ETH_8021AD);
	pkt_vlan(&f, 200, ETH_8021Q);
	pkt_vlan(&f, 300, ETH_IPV4);
	ipv4_tcp(f);
	parse();
	LONGS_EQUAL(0, p.perr);
	LONGS_EQUAL(2, p.layer[0].n_vlan);
	LONGS_EQUAL(200, p.layer[0].vid);
	LONGS_EQUAL(22, p.layer[0].l3_off);
	check_ports(p.layer[0], 1234, 80);
}

TEST(Parser, Tpid9100IsATag)
{
	pkt_eth(&f, MAC_D, MAC_S, 0x9100);
	pkt_vlan(&f, 5, ETH_IPV4);
	ipv4_tcp(f);
	parse();
	LONGS_EQUAL(0, p.perr);
	LONGS_EQUAL(1, p.layer[0].n_vlan);
	LONGS_EQUAL(5, p.layer[0].vid);
	LONGS_EQUAL(18, p.layer[0].l3_off);
}

TEST(Parser, VidExcludesPriorityBits)
{
	pkt_eth(&f, MAC_D, MAC_S, ETH_8021Q);
	pkt_be16(&f, 0xf07b); // PCP 7, DEI 1, VID 123
	pkt_be16(&f, ETH_IPV4);
	ipv4_tcp(f);
	parse();
	LONGS_EQUAL(0, p.perr);
	LONGS_EQUAL(123, p.layer[0].vid);
}

TEST(Parser, Ipv4FirstFragmentKeepsPorts)
{
	pkt_eth(&f, MAC_D, MAC_S, ETH_IPV4);
	pkt_ipv4(&f, V4_S, V4_D, P_TCP, 20, 0, 0x2000); // MF, offset 0
	pkt_tcp(&f, 1234, 80, 5);
	parse();
	LONGS_EQUAL(0, p.perr);
	LONGS_EQUAL(1, p.layer[0].frag);
	LONGS_EQUAL(P_TCP, p.layer[0].ip_proto);
	check_ports(p.layer[0], 1234, 80);
}

TEST(Parser, Ipv4NonFirstFragmentHasNoPorts)
{
	pkt_eth(&f, MAC_D, MAC_S, ETH_IPV4);
	pkt_ipv4(&f, V4_S, V4_D, P_TCP, 20, 0, 0x0010); // offset 16 units, last fragment
	pkt_tcp(&f, 1234, 80, 5);                        // bytes that must not be read as TCP
	parse();
	LONGS_EQUAL(0, p.perr);
	LONGS_EQUAL(CLIF_L3_IPV4, p.layer[0].l3);
	LONGS_EQUAL(1, p.layer[0].frag);
	LONGS_EQUAL(P_TCP, p.layer[0].ip_proto);
	check_no_ports(p.layer[0]);
}

TEST(Parser, Ipv6ExtensionChain)
{
	uint16_t ip = eth_ipv6(f, P_HOP, 0);
	pkt_v6_ext(&f, P_ROUTING, 0);  // hop-by-hop, 8 bytes
	pkt_v6_ext(&f, P_DSTOPTS, 1);  // routing, 16 bytes
	pkt_v6_ext(&f, P_TCP, 0);      // destination options, 8 bytes
	pkt_tcp(&f, 1234, 80, 5);
	fix_ipv6_len(f, ip);
	parse();
	LONGS_EQUAL(0, p.perr);
	const struct dp_layer &l = p.layer[0];
	LONGS_EQUAL(CLIF_L3_IPV6, l.l3);
	LONGS_EQUAL(14, l.l3_off);
	LONGS_EQUAL(P_TCP, l.ip_proto);
	LONGS_EQUAL(0, l.frag);
	MEMCMP_EQUAL(V6_S, l.src, 16);
	MEMCMP_EQUAL(V6_D, l.dst, 16);
	check_ports(l, 1234, 80);
	check_no_overlay(p);
}

TEST(Parser, Ipv6EightExtensionHeadersAreFollowed)
{
	uint16_t ip = eth_ipv6(f, P_DSTOPTS, 0);
	for (int i = 0; i < 8; i++)
		pkt_v6_ext(&f, i == 7 ? P_TCP : P_DSTOPTS, 0);
	pkt_tcp(&f, 1234, 80, 5);
	fix_ipv6_len(f, ip);
	parse();
	LONGS_EQUAL(0, p.perr);
	LONGS_EQUAL(P_TCP, p.layer[0].ip_proto);
	check_ports(p.layer[0], 1234, 80);
}

TEST(Parser, Ipv6FirstFragmentKeepsPorts)
{
	uint16_t ip = eth_ipv6(f, P_FRAG, 0);
	pkt_v6_frag(&f, P_TCP, 0, 1);
	pkt_tcp(&f, 1234, 80, 5);
	fix_ipv6_len(f, ip);
	parse();
	LONGS_EQUAL(0, p.perr);
	LONGS_EQUAL(1, p.layer[0].frag);
	LONGS_EQUAL(P_TCP, p.layer[0].ip_proto);
	check_ports(p.layer[0], 1234, 80);
}

TEST(Parser, Ipv6NonFirstFragmentHasNoPorts)
{
	uint16_t ip = eth_ipv6(f, P_FRAG, 0);
	pkt_v6_frag(&f, P_UDP, 100, 0);
	pkt_udp(&f, 53, 53, 8);
	pkt_zeros(&f, 8);
	fix_ipv6_len(f, ip);
	parse();
	LONGS_EQUAL(0, p.perr);
	LONGS_EQUAL(CLIF_L3_IPV6, p.layer[0].l3);
	LONGS_EQUAL(1, p.layer[0].frag);
	LONGS_EQUAL(P_UDP, p.layer[0].ip_proto);
	check_no_ports(p.layer[0]);
}

TEST(Parser, Ipv6AuthenticationHeader)
{
	uint16_t ip = eth_ipv6(f, P_AH, 0);
	pkt_u8(&f, P_TCP);
	pkt_u8(&f, 4);          // (4 + 2) * 4 = 24 bytes
	pkt_be16(&f, 0);
	pkt_be32(&f, 0x1000);   // SPI
	pkt_be32(&f, 1);        // sequence
	pkt_zeros(&f, 12);      // ICV
	pkt_tcp(&f, 1234, 80, 5);
	fix_ipv6_len(f, ip);
	parse();
	LONGS_EQUAL(0, p.perr);
	LONGS_EQUAL(P_TCP, p.layer[0].ip_proto);
	check_ports(p.layer[0], 1234, 80);
}

TEST(Parser, Ipv4AuthenticationHeaderIsNotFollowed)
{
	eth_ipv4(f, P_AH, 24 + 20);
	pkt_u8(&f, P_TCP);
	pkt_u8(&f, 4);
	pkt_zeros(&f, 22);
	pkt_tcp(&f, 1234, 80, 5);
	parse();
	LONGS_EQUAL(0, p.perr);
	LONGS_EQUAL(P_AH, p.layer[0].ip_proto);
	check_no_ports(p.layer[0]);
}

TEST(Parser, Udp)
{
	eth_ipv4(f, P_UDP, 8 + 10);
	pkt_udp(&f, 5353, 53, 10);
	pkt_zeros(&f, 10);
	parse();
	LONGS_EQUAL(0, p.perr);
	LONGS_EQUAL(P_UDP, p.layer[0].ip_proto);
	check_ports(p.layer[0], 5353, 53);
	check_no_overlay(p);
}

TEST(Parser, Sctp)
{
	eth_ipv4(f, P_SCTP, 12);
	pkt_sctp(&f, 2905, 2906);
	parse();
	LONGS_EQUAL(0, p.perr);
	LONGS_EQUAL(P_SCTP, p.layer[0].ip_proto);
	check_ports(p.layer[0], 2905, 2906);
}

TEST(Parser, IcmpHasNoPorts)
{
	eth_ipv4(f, P_ICMP, 8);
	pkt_icmp(&f, 8, 0);
	parse();
	LONGS_EQUAL(0, p.perr);
	LONGS_EQUAL(P_ICMP, p.layer[0].ip_proto);
	check_no_ports(p.layer[0]);
}

TEST(Parser, Icmpv6HasNoPorts)
{
	eth_ipv6(f, P_ICMPV6, 8);
	pkt_icmp(&f, 128, 0);
	parse();
	LONGS_EQUAL(0, p.perr);
	LONGS_EQUAL(CLIF_L3_IPV6, p.layer[0].l3);
	LONGS_EQUAL(P_ICMPV6, p.layer[0].ip_proto);
	check_no_ports(p.layer[0]);
}

TEST(Parser, VxlanInnerLayer)
{
	vxlan_frame(f, 0x123456);
	parse();
	LONGS_EQUAL(0, p.perr);
	LONGS_EQUAL(CLIF_OVERLAY_VXLAN, p.overlay);
	LONGS_EQUAL(0x123456, p.vni);
	LONGS_EQUAL(P_UDP, p.layer[0].ip_proto);
	check_ports(p.layer[0], 49152, 4789);
	const struct dp_layer &in = p.layer[1];
	check_eth(in, IMAC_D, IMAC_S);
	LONGS_EQUAL(0, in.n_vlan);
	LONGS_EQUAL(CLIF_L3_IPV4, in.l3);
	LONGS_EQUAL(64, in.l3_off);
	LONGS_EQUAL(P_TCP, in.ip_proto);
	check_v4(in.src, IV4_S);
	check_v4(in.dst, IV4_D);
	check_ports(in, 4321, 443);
}

TEST(Parser, GeneveOptionsInnerEthernet)
{
	uint16_t udp = outer_udp(f, 6081);
	pkt_geneve(&f, 0xabcde, 2, ETH_TEB);
	pkt_eth(&f, IMAC_D, IMAC_S, ETH_IPV4);
	pkt_ipv4(&f, IV4_S, IV4_D, P_UDP, 12, 0, 0);
	pkt_udp(&f, 53, 5353, 4);
	pkt_zeros(&f, 4);
	close_outer_udp(f, udp);
	parse();
	LONGS_EQUAL(0, p.perr);
	LONGS_EQUAL(CLIF_OVERLAY_GENEVE, p.overlay);
	LONGS_EQUAL(0xabcde, p.vni);
	check_eth(p.layer[1], IMAC_D, IMAC_S);
	LONGS_EQUAL(CLIF_L3_IPV4, p.layer[1].l3);
	LONGS_EQUAL(72, p.layer[1].l3_off);
	LONGS_EQUAL(P_UDP, p.layer[1].ip_proto);
	check_ports(p.layer[1], 53, 5353);
}

TEST(Parser, GeneveIpv4PayloadHasNoInnerEthernet)
{
	uint16_t udp = outer_udp(f, 6081);
	pkt_geneve(&f, 77, 1, ETH_IPV4);
	pkt_ipv4(&f, IV4_S, IV4_D, P_TCP, 20, 0, 0);
	pkt_tcp(&f, 4321, 443, 5);
	close_outer_udp(f, udp);
	parse();
	LONGS_EQUAL(0, p.perr);
	LONGS_EQUAL(CLIF_OVERLAY_GENEVE, p.overlay);
	LONGS_EQUAL(77, p.vni);
	const struct dp_layer &in = p.layer[1];
	LONGS_EQUAL(0, in.has_eth);
	MEMCMP_EQUAL(ZERO16, in.dmac, 6);
	MEMCMP_EQUAL(ZERO16, in.smac, 6);
	LONGS_EQUAL(CLIF_L3_IPV4, in.l3);
	LONGS_EQUAL(54, in.l3_off);
	check_v4(in.src, IV4_S);
	check_ports(in, 4321, 443);
}

TEST(Parser, GeneveIpv6PayloadHasNoInnerEthernet)
{
	uint16_t udp = outer_udp(f, 6081);
	pkt_geneve(&f, 78, 0, ETH_IPV6);
	pkt_ipv6(&f, V6_S, V6_D, P_TCP, 20);
	pkt_tcp(&f, 4321, 443, 5);
	close_outer_udp(f, udp);
	parse();
	LONGS_EQUAL(0, p.perr);
	LONGS_EQUAL(0, p.layer[1].has_eth);
	LONGS_EQUAL(CLIF_L3_IPV6, p.layer[1].l3);
	LONGS_EQUAL(50, p.layer[1].l3_off);
	check_ports(p.layer[1], 4321, 443);
}

TEST(Parser, GeneveUnknownProtocolHasNoInnerLayer)
{
	uint16_t udp = outer_udp(f, 6081);
	pkt_geneve(&f, 99, 0, 0x88b5);
	pkt_zeros(&f, 40);
	close_outer_udp(f, udp);
	parse();
	LONGS_EQUAL(0, p.perr);
	LONGS_EQUAL(CLIF_OVERLAY_GENEVE, p.overlay);
	LONGS_EQUAL(99, p.vni);
	check_layer_empty(p.layer[1]);
}

TEST(Parser, NvgreWithChecksumKeyAndSequence)
{
	nvgre_frame(f, 0xb000, 0xabcdef42u); // C, K, S; VSID 0xabcdef, flow 0x42
	parse();
	LONGS_EQUAL(0, p.perr);
	LONGS_EQUAL(CLIF_OVERLAY_NVGRE, p.overlay);
	LONGS_EQUAL(0xabcdef, p.vni);
	LONGS_EQUAL(P_GRE, p.layer[0].ip_proto);
	check_no_ports(p.layer[0]);
	check_eth(p.layer[1], IMAC_D, IMAC_S);
	LONGS_EQUAL(CLIF_L3_IPV4, p.layer[1].l3);
	LONGS_EQUAL(64, p.layer[1].l3_off);
	check_ports(p.layer[1], 4321, 443);
}

TEST(Parser, GreOtherProtocolIsNotAnOverlay)
{
	uint16_t ip = eth_ipv4(f, P_GRE, 0);
	gre(f, 0x0000, ETH_IPV4, 0);
	pkt_ipv4(&f, IV4_S, IV4_D, P_TCP, 20, 0, 0);
	pkt_tcp(&f, 4321, 443, 5);
	fix_ipv4_len(f, ip);
	parse();
	LONGS_EQUAL(0, p.perr);
	LONGS_EQUAL(P_GRE, p.layer[0].ip_proto);
	check_no_overlay(p);
}

TEST(Parser, ArpHasNoL3)
{
	pkt_eth(&f, MAC_D, MAC_S, 0x0806);
	pkt_zeros(&f, 28);
	parse();
	LONGS_EQUAL(0, p.perr);
	check_eth(p.layer[0], MAC_D, MAC_S);
	check_no_l3(p.layer[0]);
	check_no_overlay(p);
}

TEST(Parser, Ieee8023LengthFrameHasNoL3)
{
	pkt_eth(&f, MAC_D, MAC_S, 46);
	pkt_u8(&f, 0x42); // LLC: STP
	pkt_u8(&f, 0x42);
	pkt_u8(&f, 0x03);
	pkt_zeros(&f, 43);
	parse();
	LONGS_EQUAL(0, p.perr);
	check_eth(p.layer[0], MAC_D, MAC_S);
	check_no_l3(p.layer[0]);
}

TEST(Parser, JumboFrameWellFormed)
{
	uint16_t ip = eth_ipv4(f, P_TCP, 0);
	pkt_tcp(&f, 1234, 80, 5);
	pkt_zeros(&f, 9600u - f.len);
	fix_ipv4_len(f, ip);
	LONGS_EQUAL(9600, f.len);
	parse();
	LONGS_EQUAL(0, p.perr);
	check_ports(p.layer[0], 1234, 80);
}

// The longest walk: two tags, IPv6 with eight extension headers, in both layers.
TEST(Parser, LongestWalkParsesCompletely)
{
	pkt_eth(&f, MAC_D, MAC_S, ETH_8021AD);
	pkt_vlan(&f, 1, ETH_8021Q);
	pkt_vlan(&f, 2, ETH_IPV6);
	uint16_t ip = pkt_ipv6(&f, V6_S, V6_D, P_DSTOPTS, 0);
	for (int i = 0; i < 8; i++)
		pkt_v6_ext(&f, i == 7 ? P_UDP : P_DSTOPTS, 0);
	uint16_t udp = f.len;
	pkt_udp(&f, 49152, 4789, 0);
	pkt_vxlan(&f, 42);
	pkt_eth(&f, IMAC_D, IMAC_S, ETH_8021AD);
	pkt_vlan(&f, 3, ETH_8021Q);
	pkt_vlan(&f, 4, ETH_IPV6);
	uint16_t iip = pkt_ipv6(&f, V6_D, V6_S, P_DSTOPTS, 0);
	for (int i = 0; i < 8; i++)
		pkt_v6_ext(&f, i == 7 ? P_TCP : P_DSTOPTS, 0);
	pkt_tcp(&f, 4321, 443, 5);
	fix_ipv6_len(f, iip);
	fix_udp_len(f, udp);
	fix_ipv6_len(f, ip);
	parse();
	LONGS_EQUAL(0, p.perr);
	LONGS_EQUAL(CLIF_OVERLAY_VXLAN, p.overlay);
	LONGS_EQUAL(2, p.layer[1].n_vlan);
	LONGS_EQUAL(3, p.layer[1].vid);
	LONGS_EQUAL(iip, p.layer[1].l3_off);
	LONGS_EQUAL(P_TCP, p.layer[1].ip_proto);
	check_ports(p.layer[1], 4321, 443);
}

// ---------------------------------------------------------------------------------------------
// Malformed frames

TEST(Parser, EmptyFrame)
{
	parse_n(0);
	LONGS_EQUAL(CLIF_PERR_L2_TRUNC, p.perr);
	check_layer_empty(p.layer[0]);
	check_no_overlay(p);
}

TEST(Parser, Runt13Bytes)
{
	tcp4_frame(f);
	parse_n(13);
	LONGS_EQUAL(CLIF_PERR_L2_TRUNC, p.perr);
	check_layer_empty(p.layer[0]);
}

TEST(Parser, VlanTagCutShort)
{
	pkt_eth(&f, MAC_D, MAC_S, ETH_8021Q);
	pkt_be16(&f, 100);
	parse();
	LONGS_EQUAL(CLIF_PERR_L2_TRUNC, p.perr);
	check_eth(p.layer[0], MAC_D, MAC_S);
	LONGS_EQUAL(0, p.layer[0].n_vlan);
	check_no_l3(p.layer[0]);
}

TEST(Parser, ThreeVlanTags)
{
	pkt_eth(&f, MAC_D, MAC_S, ETH_8021Q);
	pkt_vlan(&f, 10, ETH_8021Q);
	pkt_vlan(&f, 20, ETH_8021Q);
	pkt_vlan(&f, 30, ETH_IPV4);
	ipv4_tcp(f);
	parse();
	LONGS_EQUAL(CLIF_PERR_VLAN_DEPTH, p.perr);
	LONGS_EQUAL(2, p.layer[0].n_vlan);
	LONGS_EQUAL(10, p.layer[0].vid);
	check_no_l3(p.layer[0]);
}

TEST(Parser, Ipv4HeaderCutShort)
{
	tcp4_frame(f);
	parse_n(14 + 19);
	LONGS_EQUAL(CLIF_PERR_L3_TRUNC, p.perr);
	check_no_l3(p.layer[0]);
}

TEST(Parser, Ipv4Version5)
{
	tcp4_frame(f);
	f.b[14] = 0x55;
	parse();
	LONGS_EQUAL(CLIF_PERR_L3_HDR, p.perr);
	check_eth(p.layer[0], MAC_D, MAC_S);
	check_no_l3(p.layer[0]);
}

TEST(Parser, Ipv4Ihl4)
{
	tcp4_frame(f);
	f.b[14] = 0x44;
	parse();
	LONGS_EQUAL(CLIF_PERR_L3_HDR, p.perr);
	check_no_l3(p.layer[0]);
}

TEST(Parser, Ipv4OptionsCutShortKeepsL3)
{
	pkt_eth(&f, MAC_D, MAC_S, ETH_IPV4);
	pkt_ipv4(&f, V4_S, V4_D, P_TCP, 20, 3, 0); // IHL 8: 32 bytes
	pkt_tcp(&f, 1234, 80, 5);
	parse_n(14 + 24);
	LONGS_EQUAL(CLIF_PERR_L3_TRUNC, p.perr);
	LONGS_EQUAL(CLIF_L3_IPV4, p.layer[0].l3);
	LONGS_EQUAL(14, p.layer[0].l3_off);
	LONGS_EQUAL(P_TCP, p.layer[0].ip_proto);
	check_v4(p.layer[0].src, V4_S);
	check_v4(p.layer[0].dst, V4_D);
	check_no_ports(p.layer[0]);
}

TEST(Parser, Ipv4TotalLengthBeyondFrameStillParsesL4)
{
	eth_ipv4(f, P_TCP, 100);
	pkt_tcp(&f, 1234, 80, 5);
	parse();
	LONGS_EQUAL(CLIF_PERR_L3_LEN, p.perr);
	LONGS_EQUAL(CLIF_L3_IPV4, p.layer[0].l3);
	check_ports(p.layer[0], 1234, 80);
}

TEST(Parser, Ipv4TotalLengthBelowHeader)
{
	tcp4_frame(f);
	pkt_put_be16(&f, 16, 16);
	parse();
	LONGS_EQUAL(CLIF_PERR_L3_LEN, p.perr);
	LONGS_EQUAL(CLIF_L3_IPV4, p.layer[0].l3);
	check_ports(p.layer[0], 1234, 80);
}

TEST(Parser, Ipv6HeaderCutShort)
{
	eth_ipv6(f, P_TCP, 20);
	pkt_tcp(&f, 1234, 80, 5);
	parse_n(14 + 39);
	LONGS_EQUAL(CLIF_PERR_L3_TRUNC, p.perr);
	check_no_l3(p.layer[0]);
}

TEST(Parser, Ipv6BadVersion)
{
	eth_ipv6(f, P_TCP, 20);
	pkt_tcp(&f, 1234, 80, 5);
	f.b[14] = 0x40;
	parse();
	LONGS_EQUAL(CLIF_PERR_L3_HDR, p.perr);
	check_no_l3(p.layer[0]);
}

TEST(Parser, Ipv6PayloadLengthBeyondFrame)
{
	eth_ipv6(f, P_TCP, 100);
	pkt_tcp(&f, 1234, 80, 5);
	parse();
	LONGS_EQUAL(CLIF_PERR_L3_LEN, p.perr);
	LONGS_EQUAL(CLIF_L3_IPV6, p.layer[0].l3);
	check_ports(p.layer[0], 1234, 80);
}

TEST(Parser, Ipv6ExtensionLengthPastTheEnd)
{
	eth_ipv6(f, P_HOP, 8);
	pkt_u8(&f, P_TCP);
	pkt_u8(&f, 3); // claims 32 bytes, 8 present
	pkt_zeros(&f, 6);
	parse();
	LONGS_EQUAL(CLIF_PERR_EXT_TRUNC, p.perr);
	LONGS_EQUAL(CLIF_L3_IPV6, p.layer[0].l3);
	LONGS_EQUAL(P_HOP, p.layer[0].ip_proto);
	check_no_ports(p.layer[0]);
}

TEST(Parser, Ipv6ExtensionLimitIsThePayloadLength)
{
	eth_ipv6(f, P_HOP, 8);    // the header's 16 bytes reach past the payload
	pkt_v6_ext(&f, P_TCP, 1);
	pkt_tcp(&f, 1234, 80, 5); // trailing bytes past the IPv6 packet
	parse();
	LONGS_EQUAL(CLIF_PERR_EXT_TRUNC, p.perr);
	LONGS_EQUAL(P_HOP, p.layer[0].ip_proto);
	check_no_ports(p.layer[0]);
}

TEST(Parser, Ipv6NineExtensionHeaders)
{
	uint16_t ip = eth_ipv6(f, P_DSTOPTS, 0);
	for (int i = 0; i < 9; i++)
		pkt_v6_ext(&f, i == 8 ? P_TCP : P_DSTOPTS, 0);
	pkt_tcp(&f, 1234, 80, 5);
	fix_ipv6_len(f, ip);
	parse();
	LONGS_EQUAL(CLIF_PERR_EXT_DEPTH, p.perr);
	LONGS_EQUAL(CLIF_L3_IPV6, p.layer[0].l3);
	LONGS_EQUAL(P_DSTOPTS, p.layer[0].ip_proto);
	check_no_ports(p.layer[0]);
}

TEST(Parser, TcpDataOffset3KeepsPorts)
{
	eth_ipv4(f, P_TCP, 20);
	pkt_tcp(&f, 1234, 80, 3);
	parse();
	LONGS_EQUAL(CLIF_PERR_L4_HDR, p.perr);
	check_ports(p.layer[0], 1234, 80);
}

TEST(Parser, TcpCutShortHasNoPorts)
{
	eth_ipv4(f, P_TCP, 10); // the IP packet itself holds only 10 bytes of TCP
	pkt_tcp(&f, 1234, 80, 5);
	parse_n((uint16_t)(f.len - 10));
	LONGS_EQUAL(CLIF_PERR_L4_TRUNC, p.perr);
	LONGS_EQUAL(CLIF_L3_IPV4, p.layer[0].l3);
	check_no_ports(p.layer[0]);
}

TEST(Parser, TcpOptionsPastIpEndKeepPorts)
{
	eth_ipv4(f, P_TCP, 20);   // data offset 8 wants 32 bytes
	pkt_tcp(&f, 1234, 80, 8);
	parse();
	LONGS_EQUAL(CLIF_PERR_L4_TRUNC, p.perr);
	check_ports(p.layer[0], 1234, 80);
}

TEST(Parser, IcmpCutShort)
{
	eth_ipv4(f, P_ICMP, 2);
	pkt_be16(&f, 0x0800);
	parse();
	LONGS_EQUAL(CLIF_PERR_L4_TRUNC, p.perr);
	LONGS_EQUAL(P_ICMP, p.layer[0].ip_proto);
}

TEST(Parser, UdpLength4IsNotAnOverlay)
{
	uint16_t udp = vxlan_frame(f, 5);
	pkt_put_be16(&f, (uint16_t)(udp + 4), 4);
	parse();
	LONGS_EQUAL(CLIF_PERR_L4_HDR, p.perr);
	check_ports(p.layer[0], 49152, 4789);
	check_no_overlay(p);
}

TEST(Parser, UdpLengthBeyondIpPayload)
{
	eth_ipv4(f, P_UDP, 16);
	pkt_udp(&f, 1000, 2000, 92);
	pkt_zeros(&f, 8);
	parse();
	LONGS_EQUAL(CLIF_PERR_L4_HDR, p.perr);
	check_ports(p.layer[0], 1000, 2000);
}

TEST(Parser, UdpFirstFragmentIsNotLengthCheckedNorAnOverlay)
{
	pkt_eth(&f, MAC_D, MAC_S, ETH_IPV4);
	pkt_ipv4(&f, V4_S, V4_D, P_UDP, 8 + 8 + 54, 0, 0x2000);
	pkt_udp(&f, 49152, 4789, 1000); // the datagram continues in later fragments
	pkt_vxlan(&f, 5);
	inner_tcp4(f);
	parse();
	LONGS_EQUAL(0, p.perr);
	LONGS_EQUAL(1, p.layer[0].frag);
	check_ports(p.layer[0], 49152, 4789);
	check_no_overlay(p);
}

TEST(Parser, VxlanWithoutIFlag)
{
	uint16_t udp = vxlan_frame(f, 5);
	f.b[udp + 8] = 0x00;
	parse();
	LONGS_EQUAL(CLIF_PERR_OVL_HDR, p.perr);
	check_no_overlay(p);
}

TEST(Parser, VxlanCutShortByFrame)
{
	uint16_t udp = outer_udp(f, 4789);
	pkt_be32(&f, 0x08000000u); // half a VXLAN header
	close_outer_udp(f, udp);
	parse();
	LONGS_EQUAL(CLIF_PERR_OVL_HDR, p.perr);
	check_ports(p.layer[0], 49152, 4789);
	check_no_overlay(p);
}

TEST(Parser, VxlanCutShortByUdpLength)
{
	uint16_t udp = vxlan_frame(f, 5);
	pkt_put_be16(&f, (uint16_t)(udp + 4), 8 + 4);
	parse();
	LONGS_EQUAL(CLIF_PERR_OVL_HDR, p.perr);
	check_no_overlay(p);
}

TEST(Parser, GeneveVersion1)
{
	uint16_t udp = outer_udp(f, 6081);
	pkt_geneve(&f, 5, 0x40, ETH_TEB); // version 1, no options
	inner_tcp4(f);
	close_outer_udp(f, udp);
	parse();
	LONGS_EQUAL(CLIF_PERR_OVL_HDR, p.perr);
	check_no_overlay(p);
}

TEST(Parser, GeneveOptionsPastTheEnd)
{
	uint16_t udp = outer_udp(f, 6081);
	pkt_u8(&f, 10); // 40 bytes of options claimed, 8 present
	pkt_u8(&f, 0);
	pkt_be16(&f, ETH_TEB);
	pkt_be32(&f, 5u << 8);
	pkt_zeros(&f, 8);
	close_outer_udp(f, udp);
	parse();
	LONGS_EQUAL(CLIF_PERR_OVL_HDR, p.perr);
	check_no_overlay(p);
}

TEST(Parser, NvgreRoutingBit)
{
	nvgre_frame(f, 0x6000, 0x00010000u);
	parse();
	LONGS_EQUAL(CLIF_PERR_OVL_HDR, p.perr);
	check_no_overlay(p);
}

TEST(Parser, NvgreVersion1)
{
	nvgre_frame(f, 0x2001, 0x00010000u);
	parse();
	LONGS_EQUAL(CLIF_PERR_OVL_HDR, p.perr);
	check_no_overlay(p);
}

TEST(Parser, NvgreWithoutKey)
{
	nvgre_frame(f, 0x0000, 0);
	parse();
	LONGS_EQUAL(CLIF_PERR_OVL_HDR, p.perr);
	check_no_overlay(p);
}

TEST(Parser, NvgreKeyCutShort)
{
	uint16_t ip = eth_ipv4(f, P_GRE, 0);
	pkt_be16(&f, 0x2000);
	pkt_be16(&f, ETH_TEB);
	pkt_be16(&f, 0x0001); // half a key
	fix_ipv4_len(f, ip);
	parse();
	LONGS_EQUAL(CLIF_PERR_OVL_HDR, p.perr);
	check_no_overlay(p);
}

TEST(Parser, GreCutShort)
{
	uint16_t ip = eth_ipv4(f, P_GRE, 0);
	pkt_be16(&f, 0x2000);
	fix_ipv4_len(f, ip);
	parse();
	LONGS_EQUAL(CLIF_PERR_L4_TRUNC, p.perr);
	check_no_overlay(p);
}

TEST(Parser, InnerEthernetCutShort)
{
	uint16_t udp = outer_udp(f, 4789);
	pkt_vxlan(&f, 9);
	pkt_zeros(&f, 10);
	close_outer_udp(f, udp);
	parse();
	LONGS_EQUAL(CLIF_PERR_L2_TRUNC, p.perr);
	LONGS_EQUAL(CLIF_OVERLAY_VXLAN, p.overlay);
	LONGS_EQUAL(9, p.vni);
	check_layer_empty(p.layer[1]);
}

TEST(Parser, VxlanInsideVxlan)
{
	uint16_t udp = outer_udp(f, 4789);
	pkt_vxlan(&f, 100);
	pkt_eth(&f, IMAC_D, IMAC_S, ETH_IPV4);
	uint16_t iip = pkt_ipv4(&f, IV4_S, IV4_D, P_UDP, 0, 0, 0);
	uint16_t iudp = f.len;
	pkt_udp(&f, 2000, 4789, 0);
	pkt_vxlan(&f, 200);
	inner_tcp4(f);
	fix_udp_len(f, iudp);
	fix_ipv4_len(f, iip);
	close_outer_udp(f, udp);
	parse();
	LONGS_EQUAL(CLIF_PERR_OVL_NESTED, p.perr);
	LONGS_EQUAL(CLIF_OVERLAY_VXLAN, p.overlay);
	LONGS_EQUAL(100, p.vni);
	check_eth(p.layer[1], IMAC_D, IMAC_S);
	LONGS_EQUAL(CLIF_L3_IPV4, p.layer[1].l3);
	LONGS_EQUAL(64, p.layer[1].l3_off);
	LONGS_EQUAL(P_UDP, p.layer[1].ip_proto);
	check_v4(p.layer[1].src, IV4_S);
	check_ports(p.layer[1], 2000, 4789);
}

TEST(Parser, NvgreInsideGeneve)
{
	uint16_t udp = outer_udp(f, 6081);
	pkt_geneve(&f, 300, 0, ETH_TEB);
	pkt_eth(&f, IMAC_D, IMAC_S, ETH_IPV4);
	uint16_t iip = pkt_ipv4(&f, IV4_S, IV4_D, P_GRE, 0, 0, 0);
	pkt_nvgre(&f, 400, 0);
	inner_tcp4(f);
	fix_ipv4_len(f, iip);
	close_outer_udp(f, udp);
	parse();
	LONGS_EQUAL(CLIF_PERR_OVL_NESTED, p.perr);
	LONGS_EQUAL(CLIF_OVERLAY_GENEVE, p.overlay);
	LONGS_EQUAL(300, p.vni);
	LONGS_EQUAL(CLIF_L3_IPV4, p.layer[1].l3);
	LONGS_EQUAL(64, p.layer[1].l3_off);
	LONGS_EQUAL(P_GRE, p.layer[1].ip_proto);
	check_no_ports(p.layer[1]);
}

TEST(Parser, HeadersPastTheParseWindow)
{
	uint16_t udp = outer_udp(f, 6081);
	pkt_geneve(&f, 0x5555, 63, ETH_TEB);             // ends at 302
	pkt_eth(&f, IMAC_D, IMAC_S, ETH_IPV6);           // inner IPv6 at 316
	uint16_t iip = pkt_ipv6(&f, V6_S, V6_D, P_HOP, 0);
	pkt_v6_ext(&f, P_ROUTING, 10);                   // 356..444
	pkt_v6_ext(&f, P_TCP, 10);                       // 444..532: past 512
	pkt_tcp(&f, 4321, 443, 5);
	fix_ipv6_len(f, iip);
	close_outer_udp(f, udp);
	LONGS_EQUAL(316, iip);
	parse();
	LONGS_EQUAL(CLIF_PERR_WINDOW, p.perr);
	LONGS_EQUAL(CLIF_OVERLAY_GENEVE, p.overlay);
	LONGS_EQUAL(0x5555, p.vni);
	LONGS_EQUAL(CLIF_L3_IPV6, p.layer[1].l3);
	LONGS_EQUAL(316, p.layer[1].l3_off);
	LONGS_EQUAL(P_ROUTING, p.layer[1].ip_proto);
	MEMCMP_EQUAL(V6_S, p.layer[1].src, 16);
	check_no_ports(p.layer[1]);
}

// Cutting a rich frame at every length: no byte past the frame is read (the result does not
// depend on what follows it), every cut header is an error, and the whole frame is not.
TEST(Parser, TruncateAtEveryOffset)
{
	pkt_eth(&f, MAC_D, MAC_S, ETH_8021Q);
	pkt_vlan(&f, 10, ETH_IPV6);
	uint16_t ip = pkt_ipv6(&f, V6_S, V6_D, P_HOP, 0);
	pkt_v6_ext(&f, P_DSTOPTS, 0);
	pkt_v6_ext(&f, P_UDP, 1);
	uint16_t udp = f.len;
	pkt_udp(&f, 49152, 6081, 0);
	pkt_geneve(&f, 0x777, 2, ETH_TEB);
	pkt_eth(&f, IMAC_D, IMAC_S, ETH_8021Q);
	pkt_vlan(&f, 20, ETH_IPV4);
	uint16_t iip = pkt_ipv4(&f, IV4_S, IV4_D, P_TCP, 20 + 16, 2, 0);
	pkt_tcp(&f, 4321, 443, 5);
	const uint16_t tcp_end = f.len;
	pkt_zeros(&f, 16);
	fix_udp_len(f, udp);
	fix_ipv6_len(f, ip);
	const uint16_t full = f.len;

	struct dp_parsed zero_fill, ones_fill;
	for (uint16_t n = 0; n <= full; n++) {
		parse_into(f, n, 0x00, &zero_fill);
		parse_into(f, n, 0xff, &ones_fill);
		MEMCMP_EQUAL(&zero_fill, &ones_fill, sizeof(zero_fill));
		if (n < tcp_end)
			CHECK_TEXT(zero_fill.perr != 0, "a cut header must be an error");
	}
	LONGS_EQUAL(0, zero_fill.perr);
	LONGS_EQUAL(CLIF_OVERLAY_GENEVE, zero_fill.overlay);
	LONGS_EQUAL(iip, zero_fill.layer[1].l3_off);
	LONGS_EQUAL(20, zero_fill.layer[1].vid);
	check_ports(zero_fill.layer[1], 4321, 443);
}
