// SPDX-License-Identifier: BSD-3-Clause
// Learner (fw/learn.h): DHCPv4 ACK, ARP and neighbour advertisements punted by a MAC target's
// rule bind the address; everything else is ignored; every malformed frame is counted and
// binds nothing; refresh, ageing, moves between targets, owner removal, limits and the event
// queue; and the learned rule really captures in the data plane.
#include <string.h>

#include <vector>

#include "fw_fixture.h"

#include <CppUTest/TestHarness.h>

namespace {

const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
const uint8_t ZERO4[4] = { 0, 0, 0, 0 };
const uint64_t S = 1000000000ull;

// Offsets in an untagged dhcp_frame().
const uint16_t IP_OFF = 14, UDP_OFF = 34;

// Options: ACK, then the given bytes, then END.
void dhcp_ack_opts(struct pkt_buf &f, const std::vector<uint8_t> &extra, bool end = true)
{
	std::vector<uint8_t> o = { 53, 1, 5 };

	o.insert(o.end(), extra.begin(), extra.end());
	if (end)
		o.push_back(255);
	dhcp_frame(f, TGT_MAC, TGT_MAC, TGT_IP, o.data(), o.size());
}

// Appends frame g's bytes to f.
void append(struct pkt_buf &f, const struct pkt_buf &g)
{
	pkt_bytes(&f, g.b, g.len);
}

// Outer Ethernet + IPv4 + UDP to dport around inner (VXLAN or Geneve header already in hdr).
void udp_overlay(struct pkt_buf &f, uint16_t dport, const struct pkt_buf &hdr_and_inner)
{
	pkt_reset(&f);
	pkt_eth(&f, MAC_D, MAC_S, 0x0800);
	pkt_ipv4(&f, V4_S, V4_D, 17, (uint16_t)(8 + hdr_and_inner.len), 0, 0);
	pkt_udp(&f, 49152, dport, hdr_and_inner.len);
	append(f, hdr_and_inner);
}

} // namespace

TEST_GROUP(Learn)
{
	struct pkt_buf f;
	struct fw &fw = g_card.fw;
	struct learner &l = g_card.fw.learn;

	void setup() override
	{
		card_start(RING_MEM_BYTES);
		pkt_reset(&f);
		add_rule(mac_rule(OWNER, TGT_MAC));
	}
	void teardown() override
	{
		card_stop();
	}

	uint32_t events(struct clif_learn_event *ev, uint32_t max)
	{
		return learn_drain(&l, ev, max);
	}
	// The frame was punted and read: counted once, as malformed, binding nothing.
	void check_malformed()
	{
		LONGS_EQUAL(1, g_ctr.punted);
		UNSIGNED_LONGLONGS_EQUAL(1, l.ctr.frames);
		UNSIGNED_LONGLONGS_EQUAL(1, l.ctr.malformed);
		UNSIGNED_LONGLONGS_EQUAL(0, l.ctr.ignored);
		UNSIGNED_LONGLONGS_EQUAL(0, l.ctr.binds);
		struct clif_learn_event ev[2];
		LONGS_EQUAL(0, events(ev, 2));
	}
	void check_ignored()
	{
		LONGS_EQUAL(1, g_ctr.punted);
		UNSIGNED_LONGLONGS_EQUAL(1, l.ctr.frames);
		UNSIGNED_LONGLONGS_EQUAL(0, l.ctr.malformed);
		UNSIGNED_LONGLONGS_EQUAL(1, l.ctr.ignored);
		UNSIGNED_LONGLONGS_EQUAL(0, l.ctr.binds);
		struct clif_learn_event ev[2];
		LONGS_EQUAL(0, events(ev, 2));
	}
	void check_one_bind(uint8_t source, uint8_t addr_type, const uint8_t *addr, uint32_t owner = OWNER,
			    const uint8_t *mac = TGT_MAC, uint16_t vport = 0, uint32_t scope_value = 0)
	{
		UNSIGNED_LONGLONGS_EQUAL(1, l.ctr.binds);
		UNSIGNED_LONGLONGS_EQUAL(0, l.ctr.malformed);
		struct clif_learn_event ev[2];
		LONGS_EQUAL(1, events(ev, 2));
		check_event(ev[0], CLIF_LEARN_BIND, source, addr_type, owner, mac, addr, vport, scope_value);
	}
	// Handle the data plane reports for a TCP frame from src (0: not captured).
	uint32_t capture_of(const uint8_t *src, int vid = -1, uint16_t vport = 0)
	{
		struct pkt_buf t;

		rings_init(RING_MEM_BYTES, RING_MEM_BYTES);
		start_tcp4(t, src, V4_D, vid, 0);
		run_frame(t, vport);
		return g_c2h.prod ? rec_at(g_c2h_mem, 0).handle[0] : 0;
	}
	// The record the data plane punts for f (ring fresh, nothing consumed).
	struct clif_c2h_rec punt_rec(const struct pkt_buf &fr)
	{
		rings_init(RING_MEM_BYTES, RING_MEM_BYTES);
		run_frame(fr);
		LONGS_EQUAL(1, g_ctr.punted);
		return rec_at(g_punt_mem, 0);
	}
	// learn_frame() on the first n bytes of f, from a buffer exactly that long.
	void learn_prefix(struct clif_c2h_rec rec, const struct pkt_buf &fr, uint16_t n)
	{
		std::vector<uint8_t> buf(fr.b, fr.b + n);

		rec.cap_len = n;
		learn_frame(&l, &rec, buf.data(), g_fake_now_ns);
	}
	void config(uint32_t key, uint64_t v)
	{
		struct clif_cmd_config c = cmd_config(key, v);
		LONGS_EQUAL(CLIF_MBOX_OK, post_status(&c));
	}
};

// ---- what binds ----

TEST(Learn, DhcpAckBinds)
{
	dhcp_ack(f);
	punt_frame(f, 4);
	check_one_bind(CLIF_LEARN_SRC_DHCPV4, CLIF_ADDR_IPV4, TGT_IP, OWNER, TGT_MAC, 4);
	UNSIGNED_LONGLONGS_EQUAL(1, l.ctr.frames);
}

TEST(Learn, DhcpAckInstallsAnExactCaptureRuleInTheOwnersScope)
{
	add_rule(mac_rule(OWNER2, TGT2_MAC, 300, CLIF_SCOPE_VPORT, 9));
	dhcp_msg(f, 5, TGT2_MAC, TGT2_MAC, TGT_IP);
	punt_frame(f, 9);
	struct clif_cmd_rule r;
	LONGS_EQUAL(CLIF_MBOX_OK, tm_get(&fw.tm, LEARN_HANDLE_BASE, &r));
	UNSIGNED_LONGS_EQUAL(LEARN_HANDLE_BASE, r.handle);
	LONGS_EQUAL(CLIF_RULE_EXACT, r.kind);
	LONGS_EQUAL(CLIF_ADDR_IPV4, r.addr_type);
	LONGS_EQUAL(CLIF_SCOPE_VPORT, r.scope_type);
	LONGS_EQUAL(9, r.scope_value);
	LONGS_EQUAL(CLIF_ACT_CAPTURE, r.actions);
	LONGS_EQUAL(300, r.snap_len);
	uint8_t a[16] = { 10, 1, 2, 3 };
	MEMCMP_EQUAL(a, r.addr, 16);
}

// The punted copy is the whole frame whatever the MAC rule's snap length: a DHCP ACK still binds
// when the target's captures are cut to 64 bytes.
TEST(Learn, DhcpAckBindsWhateverTheOwnersSnapLength)
{
	add_rule(mac_rule(OWNER2, TGT2_MAC, 64));
	dhcp_msg(f, 5, TGT2_MAC, TGT2_MAC, TGT_IP);
	CHECK(f.len > 4 * 64); /* the client address (BOOTP offset 28) lies far past 64 bytes */
	punt_frame(f);
	UNSIGNED_LONGLONGS_EQUAL(1, l.ctr.binds);
	UNSIGNED_LONGLONGS_EQUAL(0, l.ctr.malformed);
}

TEST(Learn, LearnedRuleCapturesWithTheOwnersHandleAndSnap)
{
	add_rule(mac_rule(OWNER2, TGT2_MAC, 200));
	arp_frame(f, BCAST, TGT2_MAC, 1, TGT2_MAC, TGT_IP, SRV_IP);
	punt_frame(f);
	UNSIGNED_LONGLONGS_EQUAL(1, l.ctr.binds);
	struct pkt_buf t;
	rings_init(RING_MEM_BYTES, RING_MEM_BYTES);
	uint16_t ip = start_tcp4(t, TGT_IP, V4_D, -1, 0);
	pkt_zeros(&t, 400);
	fix_ipv4_len(t, ip);
	run_frame(t);
	LONGS_EQUAL(1, g_ctr.captured);
	struct clif_c2h_rec r = rec_at(g_c2h_mem, 0);
	LONGS_EQUAL(1, r.n_match);
	UNSIGNED_LONGS_EQUAL(OWNER2, r.handle[0]);
	LONGS_EQUAL(CLIF_SIDE_OUTER_SRC, r.side[0]);
	LONGS_EQUAL(200, r.cap_len);
	// and the other direction
	rings_init(RING_MEM_BYTES, RING_MEM_BYTES);
	start_tcp4(t, V4_D, TGT_IP, -1, 0);
	run_frame(t);
	UNSIGNED_LONGS_EQUAL(OWNER2, rec_at(g_c2h_mem, 0).handle[0]);
	LONGS_EQUAL(CLIF_SIDE_OUTER_DST, rec_at(g_c2h_mem, 0).side[0]);
}

TEST(Learn, ArpRequestFromTheTargetBinds)
{
	arp_frame(f, BCAST, TGT_MAC, 1, TGT_MAC, TGT_IP, SRV_IP);
	punt_frame(f);
	check_one_bind(CLIF_LEARN_SRC_ARP, CLIF_ADDR_IPV4, TGT_IP);
	UNSIGNED_LONGS_EQUAL(OWNER, capture_of(TGT_IP));
}

TEST(Learn, ArpReplyFromTheTargetBinds)
{
	arp_frame(f, SRV_MAC, TGT_MAC, 2, TGT_MAC, TGT_IP, SRV_IP);
	punt_frame(f);
	check_one_bind(CLIF_LEARN_SRC_ARP, CLIF_ADDR_IPV4, TGT_IP);
}

TEST(Learn, NeighbourAdvertisementBindsTheTargetLinkLayerAddress)
{
	na_frame(f, SRV_MAC, TGT_MAC, TGT_IP6, TGT_MAC);
	punt_frame(f);
	check_one_bind(CLIF_LEARN_SRC_ND, CLIF_ADDR_IPV6, TGT_IP6);
	struct clif_cmd_rule r;
	LONGS_EQUAL(CLIF_MBOX_OK, tm_get(&fw.tm, LEARN_HANDLE_BASE, &r));
	LONGS_EQUAL(CLIF_ADDR_IPV6, r.addr_type);
	MEMCMP_EQUAL(TGT_IP6, r.addr, 16);
}

TEST(Learn, NeighbourAdvertisementWithoutOptionBindsTheEthernetSource)
{
	na_frame(f, SRV_MAC, TGT_MAC, TGT_IP6, nullptr);
	punt_frame(f);
	check_one_bind(CLIF_LEARN_SRC_ND, CLIF_ADDR_IPV6, TGT_IP6);
}

TEST(Learn, DhcpAckBehindAVlanTagBindsInTheVlanScope)
{
	add_rule(mac_rule(OWNER2, TGT2_MAC, 0, CLIF_SCOPE_VLAN, 100));
	dhcp_msg(f, 5, TGT2_MAC, TGT2_MAC, TGT_IP, 0, 100);
	punt_frame(f);
	check_one_bind(CLIF_LEARN_SRC_DHCPV4, CLIF_ADDR_IPV4, TGT_IP, OWNER2, TGT2_MAC, 0, 100);
	UNSIGNED_LONGS_EQUAL(OWNER2, capture_of(TGT_IP, 100));
	LONGS_EQUAL(0, capture_of(TGT_IP, 101));
	LONGS_EQUAL(0, capture_of(TGT_IP));
}

TEST(Learn, DhcpAckBehindTwoVlanTagsBinds)
{
	dhcp_msg(f, 5, TGT_MAC, TGT_MAC, TGT_IP, 0, 100, 200);
	punt_frame(f);
	check_one_bind(CLIF_LEARN_SRC_DHCPV4, CLIF_ADDR_IPV4, TGT_IP);
}

TEST(Learn, ArpBehindAVlanTagBinds)
{
	arp_frame(f, BCAST, TGT_MAC, 1, TGT_MAC, TGT_IP, SRV_IP, 7);
	punt_frame(f);
	check_one_bind(CLIF_LEARN_SRC_ARP, CLIF_ADDR_IPV4, TGT_IP);
}

TEST(Learn, DhcpAckInsideVxlanBindsInTheVniScope)
{
	struct pkt_buf in, hdr;
	add_rule(mac_rule(OWNER2, TGT2_MAC, 0, CLIF_SCOPE_VNI, 5000));
	dhcp_msg(in, 5, TGT2_MAC, TGT2_MAC, TGT_IP);
	pkt_reset(&hdr);
	pkt_vxlan(&hdr, 5000);
	append(hdr, in);
	udp_overlay(f, 4789, hdr);
	struct clif_c2h_rec r = punt_rec(f);
	LONGS_EQUAL(CLIF_SIDE_INNER_DST, r.side[0]);
	fw_poll(&fw);
	check_one_bind(CLIF_LEARN_SRC_DHCPV4, CLIF_ADDR_IPV4, TGT_IP, OWNER2, TGT2_MAC, 0, 5000);
}

TEST(Learn, ArpInsideGeneveWithOptionsBinds)
{
	struct pkt_buf in, hdr;
	arp_frame(in, BCAST, TGT_MAC, 1, TGT_MAC, TGT_IP, SRV_IP);
	pkt_reset(&hdr);
	pkt_geneve(&hdr, 77, 3, 0x6558);
	append(hdr, in);
	udp_overlay(f, 6081, hdr);
	struct clif_c2h_rec r = punt_rec(f);
	LONGS_EQUAL(CLIF_SIDE_INNER_SRC, r.side[0]);
	fw_poll(&fw);
	check_one_bind(CLIF_LEARN_SRC_ARP, CLIF_ADDR_IPV4, TGT_IP);
}

TEST(Learn, NeighbourAdvertisementInsideNvgreBinds)
{
	struct pkt_buf in;
	na_frame(in, SRV_MAC, TGT_MAC, TGT_IP6, TGT_MAC);
	pkt_reset(&f);
	pkt_eth(&f, MAC_D, MAC_S, 0x0800);
	pkt_ipv4(&f, V4_S, V4_D, 47, (uint16_t)(8 + in.len), 0, 0);
	pkt_nvgre(&f, 0x1234, 1);
	append(f, in);
	struct clif_c2h_rec r = punt_rec(f);
	LONGS_EQUAL(CLIF_SIDE_INNER_SRC, r.side[0]);
	fw_poll(&fw);
	check_one_bind(CLIF_LEARN_SRC_ND, CLIF_ADDR_IPV6, TGT_IP6);
}

TEST(Learn, DhcpAckWithPadsAndEmptyOptionsBinds)
{
	dhcp_ack_opts(f, { 0, 0, 250, 0, 0, 12, 0, 0 }); // pads, an empty option 250, hostname ""
	punt_frame(f);
	check_one_bind(CLIF_LEARN_SRC_DHCPV4, CLIF_ADDR_IPV4, TGT_IP);
}

TEST(Learn, DhcpAckPaddedAfterEndBinds)
{
	dhcp_ack(f);
	uint16_t ip = IP_OFF;
	pkt_zeros(&f, 20);
	fix_ipv4_len(f, ip);
	pkt_put_be16(&f, UDP_OFF + 4, (uint16_t)(f.len - UDP_OFF));
	punt_frame(f);
	check_one_bind(CLIF_LEARN_SRC_DHCPV4, CLIF_ADDR_IPV4, TGT_IP);
}

// ---- what is ignored ----

TEST(Learn, DhcpNakIsIgnored)
{
	dhcp_msg(f, 6, TGT_MAC, TGT_MAC, TGT_IP);
	punt_frame(f);
	check_ignored();
}

TEST(Learn, DhcpOfferIsIgnored)
{
	dhcp_msg(f, 2, TGT_MAC, TGT_MAC, TGT_IP);
	punt_frame(f);
	check_ignored();
}

TEST(Learn, DhcpRequestFromTheTargetIsIgnored)
{
	const uint8_t o[] = { 53, 1, 3, 50, 4, 10, 1, 2, 3, 255 };
	dhcp_frame(f, BCAST, TGT_MAC, ZERO4, o, sizeof(o));
	memcpy(f.b + 6, TGT_MAC, 6);          // from the target
	pkt_put_be16(&f, UDP_OFF, 68);        // 68 -> 67
	pkt_put_be16(&f, UDP_OFF + 2, 67);
	f.b[BOOTP_OFF] = 1;                   // BOOTREQUEST
	punt_frame(f);
	check_ignored();
}

TEST(Learn, DhcpAckForAnotherClientIsIgnored)
{
	dhcp_msg(f, 5, TGT_MAC, OTHER_MAC, TGT_IP);
	punt_frame(f);
	check_ignored();
}

TEST(Learn, DhcpAckWithoutAddressIsIgnored)
{
	dhcp_msg(f, 5, TGT_MAC, TGT_MAC, ZERO4);
	punt_frame(f);
	check_ignored();
}

TEST(Learn, DhcpAckOfAMulticastAddressIsIgnored)
{
	const uint8_t mc[4] = { 239, 1, 1, 1 };
	dhcp_msg(f, 5, TGT_MAC, TGT_MAC, mc);
	punt_frame(f);
	check_ignored();
}

TEST(Learn, DhcpReplyWithoutMessageTypeIsIgnored)
{
	const uint8_t o[] = { 255 };
	dhcp_frame(f, TGT_MAC, TGT_MAC, TGT_IP, o, sizeof(o));
	punt_frame(f);
	check_ignored();
}

TEST(Learn, BootpReplyWithoutCookieIsIgnored)
{
	dhcp_ack(f);
	f.b[BOOTP_OFF + 236] = 0;
	punt_frame(f);
	check_ignored();
}

TEST(Learn, DhcpAckInAFragmentIsIgnored)
{
	dhcp_ack(f);
	pkt_put_be16(&f, IP_OFF + 6, 0x2000); // more fragments
	punt_frame(f);
	check_ignored();
}

TEST(Learn, DhcpOnOtherPortsIsIgnored)
{
	dhcp_ack(f);
	pkt_put_be16(&f, UDP_OFF + 2, 69);
	punt_frame(f);
	check_ignored();
}

TEST(Learn, ArpReplyToTheTargetIsIgnored)
{
	arp_frame(f, TGT_MAC, SRV_MAC, 2, SRV_MAC, SRV_IP, TGT_IP);
	punt_frame(f);
	check_ignored();
}

TEST(Learn, ArpProbeIsIgnored)
{
	arp_frame(f, BCAST, TGT_MAC, 1, TGT_MAC, ZERO4, TGT_IP);
	punt_frame(f);
	check_ignored();
}

TEST(Learn, ArpOtherOperationIsIgnored)
{
	arp_frame(f, BCAST, TGT_MAC, 3, TGT_MAC, TGT_IP, SRV_IP);
	punt_frame(f);
	check_ignored();
}

TEST(Learn, ArpOfAnotherHardwareTypeIsIgnored)
{
	arp_frame(f, BCAST, TGT_MAC, 1, TGT_MAC, TGT_IP, SRV_IP);
	pkt_put_be16(&f, 14, 6);
	punt_frame(f);
	check_ignored();
}

TEST(Learn, NeighbourAdvertisementForAnotherLinkLayerAddressIsIgnored)
{
	na_frame(f, SRV_MAC, TGT_MAC, TGT_IP6, OTHER_MAC);
	punt_frame(f);
	check_ignored();
}

TEST(Learn, NeighbourAdvertisementNotFromTheLinkIsIgnored)
{
	na_frame(f, SRV_MAC, TGT_MAC, TGT_IP6, TGT_MAC, 64);
	punt_frame(f);
	check_ignored();
}

TEST(Learn, NeighbourSolicitationIsIgnored)
{
	na_frame(f, SRV_MAC, TGT_MAC, TGT_IP6, TGT_MAC);
	f.b[14 + 40] = 135;
	punt_frame(f);
	check_ignored();
}

TEST(Learn, NeighbourAdvertisementBehindAnExtensionHeaderIsIgnored)
{
	pkt_reset(&f);
	pkt_eth(&f, SRV_MAC, TGT_MAC, 0x86dd);
	uint16_t ip = pkt_ipv6(&f, TGT_IP6, ROUTER_IP6, 0, 0);
	f.b[ip + 7] = 255;
	pkt_v6_ext(&f, 58, 0);
	pkt_u8(&f, 136);
	pkt_u8(&f, 0);
	pkt_be16(&f, 0);
	pkt_be32(&f, 0);
	pkt_bytes(&f, TGT_IP6, 16);
	fix_ipv6_len(f, ip);
	punt_frame(f);
	check_ignored();
}

TEST(Learn, PuntByARuleThatIsNotAMacTargetIsIgnored)
{
	add_rule(cmd_rule(0x300, CLIF_RULE_EXACT, CLIF_ADDR_IPV4, SRV_IP, CLIF_ACT_PUNT));
	dhcp_msg(f, 5, OTHER_MAC, OTHER_MAC, TGT_IP);
	punt_frame(f);
	check_ignored();
}

TEST(Learn, RecordOfADeletedRuleIsIgnored)
{
	dhcp_ack(f);
	run_frame(f);
	struct clif_cmd_handle d;
	memset(&d, 0, sizeof(d));
	d.hdr.opcode = CLIF_OP_RULE_DELETE;
	d.handle = OWNER;
	LONGS_EQUAL(CLIF_MBOX_OK, post_status(&d)); // the same round then reads the ring
	UNSIGNED_LONGS_EQUAL(g_punt.prod, g_punt.cons);
	check_ignored();
}

// ---- malformed frames: counted, nothing bound ----

TEST(Learn, DhcpOptionRunsPastTheEnd)
{
	dhcp_ack_opts(f, { 12, 40, 'h', 'o', 's', 't' }, false);
	punt_frame(f);
	check_malformed();
}

TEST(Learn, DhcpOptionsWithoutEnd)
{
	dhcp_ack_opts(f, { 51, 4, 0, 0, 1, 0 }, false);
	punt_frame(f);
	check_malformed();
}

TEST(Learn, DhcpOptionCodeWithoutItsLength)
{
	dhcp_ack_opts(f, { 12 }, false);
	punt_frame(f);
	check_malformed();
}

TEST(Learn, DhcpMessageTypeOfTwoBytes)
{
	const uint8_t o[] = { 53, 2, 5, 5, 255 };
	dhcp_frame(f, TGT_MAC, TGT_MAC, TGT_IP, o, sizeof(o));
	punt_frame(f);
	check_malformed();
}

TEST(Learn, DhcpLeaseOfThreeBytes)
{
	dhcp_ack_opts(f, { 51, 3, 0, 0, 1 });
	punt_frame(f);
	check_malformed();
}

TEST(Learn, DhcpHardwareLengthNotSix)
{
	dhcp_ack(f);
	f.b[BOOTP_OFF + 2] = 16;
	punt_frame(f);
	check_malformed();
}

TEST(Learn, BootpCutShort)
{
	dhcp_ack(f);
	f.len = BOOTP_OFF + 200;
	fix_ipv4_len(f, IP_OFF);
	pkt_put_be16(&f, UDP_OFF + 4, (uint16_t)(f.len - UDP_OFF));
	punt_frame(f);
	check_malformed();
}

TEST(Learn, Ipv4VersionWrong)
{
	dhcp_ack(f);
	f.b[IP_OFF] = 0x55;
	punt_frame(f);
	check_malformed();
}

TEST(Learn, Ipv4IhlBelowFive)
{
	dhcp_ack(f);
	f.b[IP_OFF] = 0x44;
	punt_frame(f);
	check_malformed();
}

TEST(Learn, Ipv4IhlPastTheFrame)
{
	arp_frame(f, BCAST, TGT_MAC, 1, TGT_MAC, TGT_IP, SRV_IP);
	pkt_put_be16(&f, 12, 0x0800);
	f.b[IP_OFF] = 0x4f; // 60 bytes of header in a 28-byte packet
	f.len = IP_OFF + 28;
	punt_frame(f);
	check_malformed();
}

TEST(Learn, Ipv4TotalLengthPastTheFrame)
{
	dhcp_ack(f);
	pkt_put_be16(&f, IP_OFF + 2, (uint16_t)(f.len - IP_OFF + 1));
	punt_frame(f);
	check_malformed();
}

TEST(Learn, Ipv4TotalLengthBelowTheHeader)
{
	dhcp_ack(f);
	pkt_put_be16(&f, IP_OFF + 2, 19);
	punt_frame(f);
	check_malformed();
}

TEST(Learn, UdpLengthPastThePacket)
{
	dhcp_ack(f);
	pkt_put_be16(&f, UDP_OFF + 4, (uint16_t)(f.len - UDP_OFF + 1));
	punt_frame(f);
	check_malformed();
}

TEST(Learn, UdpLengthBelowItsHeader)
{
	dhcp_ack(f);
	pkt_put_be16(&f, UDP_OFF + 4, 7);
	punt_frame(f);
	check_malformed();
}

TEST(Learn, UdpHeaderCutShort)
{
	dhcp_ack(f);
	f.len = UDP_OFF + 6;
	fix_ipv4_len(f, IP_OFF);
	punt_frame(f);
	check_malformed();
}

TEST(Learn, ThreeVlanTags)
{
	pkt_reset(&f);
	pkt_eth(&f, TGT_MAC, SRV_MAC, 0x88a8);
	pkt_vlan(&f, 1, 0x8100);
	pkt_vlan(&f, 2, 0x8100);
	pkt_vlan(&f, 3, 0x0806);
	pkt_zeros(&f, 28);
	punt_frame(f);
	check_malformed();
}

TEST(Learn, ArpHardwareLengthNotSix)
{
	arp_frame(f, BCAST, TGT_MAC, 1, TGT_MAC, TGT_IP, SRV_IP);
	f.b[14 + 4] = 8;
	punt_frame(f);
	check_malformed();
}

TEST(Learn, ArpProtocolLengthNotFour)
{
	arp_frame(f, BCAST, TGT_MAC, 1, TGT_MAC, TGT_IP, SRV_IP);
	f.b[14 + 5] = 16;
	punt_frame(f);
	check_malformed();
}

TEST(Learn, ArpCutShort)
{
	arp_frame(f, BCAST, TGT_MAC, 1, TGT_MAC, TGT_IP, SRV_IP);
	f.len = 14 + 20;
	punt_frame(f);
	check_malformed();
}

TEST(Learn, NeighbourAdvertisementTooShort)
{
	na_frame(f, SRV_MAC, TGT_MAC, TGT_IP6, nullptr);
	f.len = 14 + 40 + 8; // type, code, checksum, flags: no target
	fix_ipv6_len(f, 14);
	punt_frame(f);
	check_malformed();
}

TEST(Learn, NeighbourAdvertisementOptionOfLengthZero)
{
	na_frame(f, SRV_MAC, TGT_MAC, TGT_IP6, TGT_MAC);
	f.b[14 + 40 + 24 + 1] = 0; // would never advance
	punt_frame(f);
	check_malformed();
}

TEST(Learn, NeighbourAdvertisementOptionPastTheEnd)
{
	na_frame(f, SRV_MAC, TGT_MAC, TGT_IP6, TGT_MAC);
	f.b[14 + 40 + 24 + 1] = 2; // 16 bytes, 8 there
	punt_frame(f);
	check_malformed();
}

TEST(Learn, NeighbourAdvertisementOptionHeaderCutShort)
{
	na_frame(f, SRV_MAC, TGT_MAC, TGT_IP6, nullptr);
	pkt_u8(&f, 2); // one byte of an option
	fix_ipv6_len(f, 14);
	punt_frame(f);
	check_malformed();
}

TEST(Learn, NeighbourAdvertisementCodeNotZero)
{
	na_frame(f, SRV_MAC, TGT_MAC, TGT_IP6, TGT_MAC);
	f.b[14 + 40 + 1] = 1;
	punt_frame(f);
	check_malformed();
}

TEST(Learn, NeighbourAdvertisementForAMulticastTarget)
{
	uint8_t mc[16] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	na_frame(f, SRV_MAC, TGT_MAC, mc, TGT_MAC);
	memcpy(f.b + 14 + 8, TGT_IP6, 16); // source address stays a unicast one
	punt_frame(f);
	check_malformed();
}

TEST(Learn, Ipv6PayloadLengthPastTheFrame)
{
	na_frame(f, SRV_MAC, TGT_MAC, TGT_IP6, TGT_MAC);
	pkt_put_be16(&f, 14 + 4, (uint16_t)(f.len - 14 - 40 + 8));
	punt_frame(f);
	check_malformed();
}

TEST(Learn, VxlanWithoutItsFlagInsideARecordThatSaysVxlan)
{
	struct pkt_buf in, hdr;
	dhcp_ack(in);
	pkt_reset(&hdr);
	pkt_vxlan(&hdr, 5000);
	append(hdr, in);
	udp_overlay(f, 4789, hdr);
	struct clif_c2h_rec r = punt_rec(f);
	f.b[14 + 20 + 8] = 0; // the I flag, after the data plane has seen it
	learn_prefix(r, f, f.len);
	UNSIGNED_LONGLONGS_EQUAL(1, l.ctr.malformed);
	UNSIGNED_LONGLONGS_EQUAL(0, l.ctr.binds);
}

TEST(Learn, RecordWhoseL3OffsetDisagreesWithTheFrame)
{
	dhcp_ack(f);
	struct clif_c2h_rec r = punt_rec(f);
	r.outer_l3_off = 18;
	learn_prefix(r, f, f.len);
	UNSIGNED_LONGLONGS_EQUAL(1, l.ctr.malformed);
	UNSIGNED_LONGLONGS_EQUAL(0, l.ctr.binds);
}

TEST(Learn, RecordWithInnerSideBitsButNoOverlay)
{
	dhcp_ack(f);
	struct clif_c2h_rec r = punt_rec(f);
	r.side[0] = CLIF_SIDE_INNER_DST;
	learn_prefix(r, f, f.len);
	UNSIGNED_LONGLONGS_EQUAL(1, l.ctr.malformed);
	UNSIGNED_LONGLONGS_EQUAL(0, l.ctr.binds);
}

TEST(Learn, DhcpAckCutAtEveryOffsetBindsNothing)
{
	dhcp_ack(f, TGT_IP, 600);
	struct clif_c2h_rec r = punt_rec(f);
	for (uint16_t n = 0; n < f.len; n++)
		learn_prefix(r, f, n);
	UNSIGNED_LONGLONGS_EQUAL(f.len, l.ctr.malformed);
	UNSIGNED_LONGLONGS_EQUAL(0, l.ctr.binds);
	learn_prefix(r, f, f.len);
	UNSIGNED_LONGLONGS_EQUAL(1, l.ctr.binds);
}

TEST(Learn, ArpCutAtEveryOffsetBindsNothing)
{
	arp_frame(f, BCAST, TGT_MAC, 1, TGT_MAC, TGT_IP, SRV_IP, 5);
	struct clif_c2h_rec r = punt_rec(f);
	for (uint16_t n = 0; n < f.len; n++)
		learn_prefix(r, f, n);
	UNSIGNED_LONGLONGS_EQUAL(f.len, l.ctr.malformed);
	UNSIGNED_LONGLONGS_EQUAL(0, l.ctr.binds);
}

TEST(Learn, NeighbourAdvertisementCutAtEveryOffsetBindsNothing)
{
	na_frame(f, SRV_MAC, TGT_MAC, TGT_IP6, TGT_MAC);
	struct clif_c2h_rec r = punt_rec(f);
	for (uint16_t n = 0; n < f.len; n++)
		learn_prefix(r, f, n);
	UNSIGNED_LONGLONGS_EQUAL(f.len, l.ctr.malformed);
	UNSIGNED_LONGLONGS_EQUAL(0, l.ctr.binds);
}

TEST(Learn, VxlanDhcpAckCutAtEveryOffsetBindsNothing)
{
	struct pkt_buf in, hdr;
	dhcp_ack(in);
	pkt_reset(&hdr);
	pkt_vxlan(&hdr, 5000);
	append(hdr, in);
	udp_overlay(f, 4789, hdr);
	struct clif_c2h_rec r = punt_rec(f);
	for (uint16_t n = 0; n < f.len; n++)
		learn_prefix(r, f, n);
	UNSIGNED_LONGLONGS_EQUAL(f.len, l.ctr.malformed);
	UNSIGNED_LONGLONGS_EQUAL(0, l.ctr.binds);
	learn_prefix(r, f, f.len);
	UNSIGNED_LONGLONGS_EQUAL(1, l.ctr.binds);
}

// ---- refresh and ageing ----

TEST(Learn, SecondSightingRefreshes)
{
	dhcp_ack(f);
	punt_frame(f);
	arp_frame(f, BCAST, TGT_MAC, 1, TGT_MAC, TGT_IP, SRV_IP);
	punt_frame(f);
	UNSIGNED_LONGLONGS_EQUAL(1, l.ctr.binds);
	UNSIGNED_LONGLONGS_EQUAL(1, l.ctr.refreshes);
	struct clif_learn_event ev[4];
	LONGS_EQUAL(1, events(ev, 4));
	struct clif_table_stats s;
	tm_stats(&fw.tm, &s);
	LONGS_EQUAL(2, s.rule_used); // the MAC rule and one learned rule
}

TEST(Learn, BindingAgesOutAfterTheConfiguredAge)
{
	config(CLIF_CFG_LEARN_AGE_S, 10);
	uint64_t t0 = g_fake_now_ns;
	dhcp_ack(f);
	punt_frame(f);
	struct clif_learn_event ev[4];
	LONGS_EQUAL(1, events(ev, 4));
	g_fake_now_ns = t0 + 10 * S;
	fw_poll(&fw);
	UNSIGNED_LONGLONGS_EQUAL(0, l.ctr.unbinds);
	g_fake_now_ns = t0 + 10 * S + 1;
	fw_poll(&fw);
	UNSIGNED_LONGLONGS_EQUAL(1, l.ctr.unbinds);
	LONGS_EQUAL(1, events(ev, 4));
	check_event(ev[0], CLIF_LEARN_UNBIND, CLIF_LEARN_SRC_DHCPV4, CLIF_ADDR_IPV4, OWNER, TGT_MAC, TGT_IP);
	UNSIGNED_LONGLONGS_EQUAL(t0 + 10 * S + 1, ev[0].ts_ns);
	LONGS_EQUAL(0, capture_of(TGT_IP));
	struct clif_cmd_rule r;
	LONGS_EQUAL(CLIF_MBOX_ENOENT, tm_get(&fw.tm, LEARN_HANDLE_BASE, &r));
}

TEST(Learn, RefreshPostponesAgeing)
{
	config(CLIF_CFG_LEARN_AGE_S, 10);
	uint64_t t0 = g_fake_now_ns;
	dhcp_ack(f);
	punt_frame(f);
	g_fake_now_ns = t0 + 8 * S;
	punt_frame(f);
	g_fake_now_ns = t0 + 17 * S;
	fw_poll(&fw);
	UNSIGNED_LONGLONGS_EQUAL(0, l.ctr.unbinds);
	g_fake_now_ns = t0 + 18 * S + 1;
	fw_poll(&fw);
	UNSIGNED_LONGLONGS_EQUAL(1, l.ctr.unbinds);
}

TEST(Learn, ShorterDhcpLeaseSetsTheLife)
{
	uint64_t t0 = g_fake_now_ns;
	dhcp_ack(f, TGT_IP, 30);
	punt_frame(f);
	g_fake_now_ns = t0 + 30 * S;
	fw_poll(&fw);
	UNSIGNED_LONGLONGS_EQUAL(0, l.ctr.unbinds);
	g_fake_now_ns = t0 + 30 * S + 1;
	fw_poll(&fw);
	UNSIGNED_LONGLONGS_EQUAL(1, l.ctr.unbinds);
}

TEST(Learn, LongerDhcpLeaseKeepsTheConfiguredAge)
{
	uint64_t t0 = g_fake_now_ns;
	dhcp_ack(f, TGT_IP, 7200);
	punt_frame(f);
	g_fake_now_ns = t0 + LEARN_DEFAULT_AGE_S * S + 1;
	fw_poll(&fw);
	UNSIGNED_LONGLONGS_EQUAL(1, l.ctr.unbinds);
}

TEST(Learn, ChangedAgeAppliesToExistingBindings)
{
	uint64_t t0 = g_fake_now_ns;
	dhcp_ack(f);
	punt_frame(f);
	g_fake_now_ns = t0 + 20 * S;
	fw_poll(&fw);
	UNSIGNED_LONGLONGS_EQUAL(0, l.ctr.unbinds);
	config(CLIF_CFG_LEARN_AGE_S, 5);
	UNSIGNED_LONGLONGS_EQUAL(1, l.ctr.unbinds);
}

// ---- moves, owners, limits ----

TEST(Learn, AddressMovesToAnotherTarget)
{
	add_rule(mac_rule(OWNER2, TGT2_MAC));
	dhcp_ack(f);
	punt_frame(f);
	dhcp_msg(f, 5, TGT2_MAC, TGT2_MAC, TGT_IP);
	punt_frame(f);
	struct clif_learn_event ev[4];
	LONGS_EQUAL(3, events(ev, 4));
	check_event(ev[0], CLIF_LEARN_BIND, CLIF_LEARN_SRC_DHCPV4, CLIF_ADDR_IPV4, OWNER, TGT_MAC, TGT_IP);
	check_event(ev[1], CLIF_LEARN_UNBIND, CLIF_LEARN_SRC_DHCPV4, CLIF_ADDR_IPV4, OWNER, TGT_MAC, TGT_IP);
	check_event(ev[2], CLIF_LEARN_BIND, CLIF_LEARN_SRC_DHCPV4, CLIF_ADDR_IPV4, OWNER2, TGT2_MAC, TGT_IP);
	UNSIGNED_LONGLONGS_EQUAL(2, l.ctr.binds);
	UNSIGNED_LONGLONGS_EQUAL(1, l.ctr.unbinds);
	UNSIGNED_LONGS_EQUAL(OWNER2, capture_of(TGT_IP));
	struct clif_table_stats s;
	tm_stats(&fw.tm, &s);
	LONGS_EQUAL(3, s.rule_used); // two MAC rules, one learned rule
}

TEST(Learn, SameAddressInAnotherScopeIsASecondBinding)
{
	add_rule(mac_rule(OWNER2, TGT_MAC, 0, CLIF_SCOPE_VPORT, 3));
	dhcp_ack(f);
	punt_frame(f, 3); // both rules punt it
	UNSIGNED_LONGLONGS_EQUAL(2, l.ctr.binds);
	struct clif_learn_event ev[4];
	LONGS_EQUAL(2, events(ev, 4));
}

TEST(Learn, DeletingTheOwnerUnbinds)
{
	dhcp_ack(f);
	punt_frame(f);
	na_frame(f, SRV_MAC, TGT_MAC, TGT_IP6, TGT_MAC);
	punt_frame(f);
	struct clif_learn_event ev[4];
	LONGS_EQUAL(2, events(ev, 4));
	struct clif_cmd_handle d;
	memset(&d, 0, sizeof(d));
	d.hdr.opcode = CLIF_OP_RULE_DELETE;
	d.handle = OWNER;
	LONGS_EQUAL(CLIF_MBOX_OK, post_status(&d));
	LONGS_EQUAL(2, events(ev, 4));
	LONGS_EQUAL(CLIF_LEARN_UNBIND, ev[0].kind);
	LONGS_EQUAL(CLIF_LEARN_UNBIND, ev[1].kind);
	LONGS_EQUAL(0, capture_of(TGT_IP));
	struct clif_table_stats s;
	tm_stats(&fw.tm, &s);
	LONGS_EQUAL(0, s.rule_used);
}

TEST(Learn, ModifyingTheOwnerUnbinds)
{
	dhcp_ack(f);
	punt_frame(f);
	struct clif_cmd_rule m = mac_rule(OWNER, TGT_MAC, 64);
	m.hdr.opcode = CLIF_OP_RULE_MODIFY;
	LONGS_EQUAL(CLIF_MBOX_OK, post_status(&m));
	UNSIGNED_LONGLONGS_EQUAL(1, l.ctr.unbinds);
	LONGS_EQUAL(0, capture_of(TGT_IP));
}

TEST(Learn, OneTargetHoldsAtMostItsLimitOfAddresses)
{
	uint8_t ip[4] = { 10, 1, 3, 0 };
	for (uint8_t i = 1; i <= LEARN_MAX_PER_OWNER + 1; i++) {
		ip[3] = i;
		dhcp_ack(f, ip);
		punt_frame(f);
	}
	UNSIGNED_LONGLONGS_EQUAL(LEARN_MAX_PER_OWNER, l.ctr.binds);
	UNSIGNED_LONGLONGS_EQUAL(1, l.ctr.table_full);
	LONGS_EQUAL(0, capture_of(ip));
}

TEST(Learn, BindingTableFull)
{
	uint8_t ip[4] = { 10, 2, 0, 0 };
	uint32_t owners = LEARN_MAX_BINDINGS / LEARN_MAX_PER_OWNER + 1;

	for (uint32_t t = 0; t < owners; t++) {
		uint8_t mac[6] = { 0x02, 0x77, 0, 0, (uint8_t)(t >> 8), (uint8_t)t };
		add_rule(mac_rule(0x1000 + t, mac));
		for (uint32_t i = 0; i < LEARN_MAX_PER_OWNER && l.ctr.binds + l.ctr.table_full <= LEARN_MAX_BINDINGS;
		     i++) {
			ip[2] = (uint8_t)t;
			ip[3] = (uint8_t)(i + 1);
			dhcp_msg(f, 5, mac, mac, ip);
			punt_frame(f);
		}
	}
	UNSIGNED_LONGLONGS_EQUAL(LEARN_MAX_BINDINGS, l.ctr.binds);
	UNSIGNED_LONGLONGS_EQUAL(1, l.ctr.table_full);
}

TEST(Learn, EventQueueDropsTheOldest)
{
	uint8_t ip[4] = { 10, 3, 0, 0 };
	uint32_t n = 0;

	for (uint32_t t = 0; n < LEARN_EVENT_QUEUE + 3; t++) {
		uint8_t mac[6] = { 0x02, 0x66, 0, 0, 0, (uint8_t)t };
		add_rule(mac_rule(0x2000 + t, mac));
		for (uint32_t i = 0; i < LEARN_MAX_PER_OWNER && n < LEARN_EVENT_QUEUE + 3; i++, n++) {
			ip[2] = (uint8_t)t;
			ip[3] = (uint8_t)(i + 1);
			dhcp_msg(f, 5, mac, mac, ip);
			punt_frame(f);
		}
	}
	UNSIGNED_LONGLONGS_EQUAL(LEARN_EVENT_QUEUE + 3, l.ctr.binds);
	UNSIGNED_LONGLONGS_EQUAL(3, l.ctr.events_lost);
	struct clif_learn_event ev[LEARN_EVENT_QUEUE + 1];
	LONGS_EQUAL(LEARN_EVENT_QUEUE, events(ev, LEARN_EVENT_QUEUE + 1));
	const uint8_t fourth[4] = { 10, 3, 0, 4 };
	MEMCMP_EQUAL(fourth, ev[0].addr, 4);
	const uint8_t last[4] = { 10, 3, (uint8_t)((LEARN_EVENT_QUEUE + 2) / LEARN_MAX_PER_OWNER),
				  (uint8_t)((LEARN_EVENT_QUEUE + 2) % LEARN_MAX_PER_OWNER + 1) };
	MEMCMP_EQUAL(last, ev[LEARN_EVENT_QUEUE - 1].addr, 4);
}

TEST(Learn, LearnedHandlesSkipThoseInUse)
{
	const uint8_t ip2[4] = { 10, 1, 2, 4 };
	dhcp_ack(f);
	punt_frame(f);
	l.next_handle = LEARN_HANDLE_BASE; // as after a wrap
	dhcp_ack(f, ip2);
	punt_frame(f);
	UNSIGNED_LONGLONGS_EQUAL(2, l.ctr.binds);
	struct clif_cmd_rule r;
	LONGS_EQUAL(CLIF_MBOX_OK, tm_get(&fw.tm, LEARN_HANDLE_BASE + 1, &r));
	MEMCMP_EQUAL(ip2, r.addr, 4);
}

TEST(Learn, LearnedHandlesWrapToTheBase)
{
	const uint8_t ip2[4] = { 10, 1, 2, 4 };
	l.next_handle = 0xffffffffu;
	dhcp_ack(f);
	punt_frame(f);
	dhcp_ack(f, ip2);
	punt_frame(f);
	struct clif_cmd_rule r;
	LONGS_EQUAL(CLIF_MBOX_OK, tm_get(&fw.tm, 0xffffffffu, &r));
	MEMCMP_EQUAL(TGT_IP, r.addr, 4);
	LONGS_EQUAL(CLIF_MBOX_OK, tm_get(&fw.tm, LEARN_HANDLE_BASE, &r));
	MEMCMP_EQUAL(ip2, r.addr, 4);
}

TEST(Learn, DisabledLearnerReadsNothing)
{
	config(CLIF_CFG_LEARN_ENABLE, 0);
	dhcp_ack(f);
	punt_frame(f);
	UNSIGNED_LONGLONGS_EQUAL(0, l.ctr.frames);
	UNSIGNED_LONGLONGS_EQUAL(0, l.ctr.binds);
}

TEST(Learn, NothingLearnedIsLogged)
{
	dhcp_ack(f);
	punt_frame(f);
	na_frame(f, SRV_MAC, TGT_MAC, TGT_IP6, TGT_MAC);
	punt_frame(f);
	UNSIGNED_LONGLONGS_EQUAL(2, l.ctr.binds);
	CHECK(g_fake_console.find("10.1.2.3") == std::string::npos);
	CHECK(g_fake_console.find("11:22:33") == std::string::npos);
	CHECK(g_fake_console.find("112233") == std::string::npos);
}

// Frames the learner reads, damaged at random (bytes changed, cut short, side bits moved):
// nothing crashes or reads past the record (the sanitizer build), every frame is counted once,
// and the tables stay consistent with the bindings.
TEST(Learn, DamagedFramesNeverCorruptTheTables)
{
	struct pkt_buf base[5], in, hdr;
	struct clif_c2h_rec rec[5];
	struct pkt_rng rng;

	dhcp_ack(base[0], TGT_IP, 600);
	arp_frame(base[1], BCAST, TGT_MAC, 1, TGT_MAC, TGT_IP, SRV_IP, 9);
	na_frame(base[2], SRV_MAC, TGT_MAC, TGT_IP6, TGT_MAC);
	dhcp_ack(in);
	pkt_reset(&hdr);
	pkt_vxlan(&hdr, 5000);
	append(hdr, in);
	udp_overlay(base[3], 4789, hdr);
	arp_frame(in, BCAST, TGT_MAC, 1, TGT_MAC, TGT_IP, SRV_IP);
	pkt_reset(&hdr);
	pkt_geneve(&hdr, 77, 2, 0x6558);
	append(hdr, in);
	udp_overlay(base[4], 6081, hdr);
	for (int i = 0; i < 5; i++)
		rec[i] = punt_rec(base[i]);

	pkt_rng_seed(&rng, 12345);
	const uint32_t N = 20000;
	for (uint32_t n = 0; n < N; n++) {
		uint32_t b = pkt_rng_below(&rng, 5);
		struct pkt_buf m = base[b];
		struct clif_c2h_rec r = rec[b];
		uint32_t flips = pkt_rng_below(&rng, 4);

		for (uint32_t k = 0; k < flips; k++) {
			uint32_t at = pkt_rng_below(&rng, m.len);
			m.b[at] = (uint8_t)(pkt_rng_below(&rng, 3) ? pkt_rng_next(&rng) : m.b[at] ^ 0xff);
		}
		if (pkt_rng_below(&rng, 8) == 0)
			r.side[0] = (uint8_t)pkt_rng_below(&rng, 16);
		if (pkt_rng_below(&rng, 3) == 0)
			m.len = (uint16_t)pkt_rng_below(&rng, m.len);
		g_fake_now_ns += 1000;
		learn_prefix(r, m, m.len);
	}
	UNSIGNED_LONGLONGS_EQUAL(N, l.ctr.frames);
	CHECK(l.ctr.malformed > N / 4);
	CHECK(l.ctr.binds > 0);
	UNSIGNED_LONGS_EQUAL(0, tm_check(&fw.tm));
	struct clif_table_stats s;
	tm_stats(&fw.tm, &s);
	UNSIGNED_LONGLONGS_EQUAL(1 + l.ctr.binds - l.ctr.unbinds, s.rule_used);
	CHECK(l.ctr.binds - l.ctr.unbinds <= LEARN_MAX_PER_OWNER);
}
