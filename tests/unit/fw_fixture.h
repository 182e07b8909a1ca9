// SPDX-License-Identifier: BSD-3-Clause
// Shared by the firmware-core suites (mailbox, learner, service loop): a card made of the real
// data plane (its table window served on every doorbell, dp_fixture's rings) and the firmware
// core on top, a mailbox driver as the host uses it, and builders for the frames the learner
// reads (DHCP, ARP, neighbour advertisements).
#ifndef CLIF_TESTS_UNIT_FW_FIXTURE_H
#define CLIF_TESTS_UNIT_FW_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

extern "C" {
#include "fw/fw.h"
#include "fw/log.h"
}

#include "dp_fixture.h"
#include "fw_port_fake.h"

// ---- addresses ----

inline constexpr uint8_t TGT_MAC[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };   // the target
inline constexpr uint8_t TGT2_MAC[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x66 };  // a second target
inline constexpr uint8_t OTHER_MAC[6] = { 0x02, 0x99, 0x88, 0x77, 0x66, 0x55 }; // nobody's
inline constexpr uint8_t SRV_MAC[6] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee };   // DHCP server, router
inline constexpr uint8_t TGT_IP[4] = { 10, 1, 2, 3 };
inline constexpr uint8_t SRV_IP[4] = { 10, 1, 2, 1 };
inline constexpr uint8_t TGT_IP6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34 };
inline constexpr uint8_t ROUTER_IP6[16] = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
inline constexpr uint32_t OWNER = 0x100;  // the MAC rule's handle
inline constexpr uint32_t OWNER2 = 0x200;

// ---- the card ----

struct card {
	struct clif_ident ident;
	struct clif_mbox_block mbox;
	struct fw_resources res;
	struct fw fw;
	uint32_t seq; // the host's last seq
};
extern struct card g_card;

// Power-on: data plane reset (its geometry registers served once), rings enabled (C2H
// RING_MEM_BYTES, punt punt_size), clock at 1 s, console empty, then fw_init() (checked OK).
void card_start(uint32_t punt_size = 4096);
// Teardown: no doorbell hook, the console's memory given back (CppUTest counts it as a leak).
void card_stop();

// The arena every suite uses (large enough for the default geometry and FW_MAX_RULES).
extern uint8_t *const g_arena;
extern const size_t g_arena_size;

// Posts a 64-byte command with the next seq (hdr.seq and doorbell), runs one fw_poll() and
// checks that done == seq. Returns the completion; the command's hdr.seq is overwritten.
struct clif_mbox_cpl post(void *cmd);
// Status of post().
uint16_t post_status(void *cmd);

// Commands.
struct clif_cmd_rule cmd_rule(uint32_t handle, uint8_t kind, uint8_t addr_type, const uint8_t *addr,
			      uint16_t actions = CLIF_ACT_CAPTURE, uint16_t snap = 0, uint8_t scope = CLIF_SCOPE_ANY,
			      uint32_t scope_value = 0);
struct clif_cmd_rule mac_rule(uint32_t handle, const uint8_t *mac, uint16_t snap = 0, uint8_t scope = CLIF_SCOPE_ANY,
			      uint32_t scope_value = 0);
struct clif_mbox_cmd cmd_plain(uint16_t opcode);
struct clif_cmd_config cmd_config(uint32_t key, uint64_t value);
// RULE_ADD through the mailbox, checked OK.
void add_rule(struct clif_cmd_rule r);
// LEARN_DRAIN through the mailbox: copies the events out (at most max), returns their number.
uint32_t drain(struct clif_learn_event *out, uint32_t max);

// ---- frames (Ethernet dst, src; vid >= 0 adds an 802.1Q tag, vid2 >= 0 a second one) ----

// A BOOTREPLY from SRV to yiaddr (UDP 67 -> 68) with chaddr and the given option bytes after
// the magic cookie. IPv4 and UDP lengths cover exactly what is there.
void dhcp_frame(struct pkt_buf &f, const uint8_t *eth_dst, const uint8_t *chaddr, const uint8_t *yiaddr,
		const uint8_t *opts, size_t n_opts, int vid = -1, int vid2 = -1);
// dhcp_frame with option 53 = type, [51 = lease when lease != 0], END.
void dhcp_msg(struct pkt_buf &f, uint8_t type, const uint8_t *eth_dst, const uint8_t *chaddr, const uint8_t *yiaddr,
	      uint32_t lease = 0, int vid = -1, int vid2 = -1);
// The DHCP ACK for TGT_MAC / TGT_IP, unicast to the target.
void dhcp_ack(struct pkt_buf &f, const uint8_t *yiaddr = TGT_IP, uint32_t lease = 0);
// Offset of the BOOTP header in frames from dhcp_frame() without tags.
inline constexpr uint16_t BOOTP_OFF = 14 + 20 + 8;

void arp_frame(struct pkt_buf &f, const uint8_t *eth_dst, const uint8_t *eth_src, uint16_t oper, const uint8_t *sha,
	       const uint8_t *spa, const uint8_t *tpa, int vid = -1);
// A neighbour advertisement for target from eth_src (hop limit hop), with a target link-layer
// address option holding tlla unless it is null.
void na_frame(struct pkt_buf &f, const uint8_t *eth_dst, const uint8_t *eth_src, const uint8_t *target,
	      const uint8_t *tlla, uint8_t hop = 255);
// Sets the IPv6 payload length of the header at ip to reach the end of the frame.
void fix_ipv6_len(struct pkt_buf &f, uint16_t ip);

// ---- running frames ----

// Through the data plane (punt and C2H rings), then one fw_poll().
void punt_frame(const struct pkt_buf &f, uint16_t vport = 0);
// The n-th BIND/UNBIND event helpers.
void check_event(const struct clif_learn_event &e, uint8_t kind, uint8_t source, uint8_t addr_type, uint32_t handle,
		 const uint8_t *mac, const uint8_t *addr, uint16_t vport = 0, uint32_t scope_value = 0);

#endif // CLIF_TESTS_UNIT_FW_FIXTURE_H
