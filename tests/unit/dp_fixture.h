// SPDX-License-Identifier: BSD-3-Clause
// Shared by the unit suites: the addresses their frames use, the frame and table-entry builders
// more than one suite needs, and the data plane's buffers, rings and counters. The state is
// shared between suites, so every test sets up whatever of it the test reads.
#ifndef CLIF_TESTS_UNIT_DP_FIXTURE_H
#define CLIF_TESTS_UNIT_DP_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

extern "C" {
#include "dp.h"
#include "tb/pktgen.h"
#include "tb/placer.h"
}

// ---- addresses ----

inline constexpr uint8_t MAC_D[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0d };
inline constexpr uint8_t MAC_S[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x05 };
inline constexpr uint8_t V4_S[4] = { 10, 0, 0, 1 };
inline constexpr uint8_t V4_D[4] = { 10, 0, 0, 2 };
inline constexpr uint8_t V4_FAR[4] = { 172, 16, 0, 2 };
inline constexpr uint8_t IV4_S[4] = { 192, 168, 7, 1 };
inline constexpr uint8_t IV4_D[4] = { 192, 168, 7, 2 };
inline constexpr uint8_t V6_S[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01 };
inline constexpr uint8_t V6_D[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02 };

// ---- shared state ----

inline constexpr uint32_t RING_MEM_BYTES = 16384; // each ring memory; a ring may use less
inline constexpr uint8_t RING_SENTINEL = 0xee;    // fills ring memory that nothing wrote yet

extern struct clif_tblwin_regs g_tw;
extern struct dp_beat g_in[CLIF_DP_MAX_BEATS];  // the frame going in
extern struct dp_beat g_fwd[CLIF_DP_MAX_BEATS]; // the frame forwarded
extern uint8_t g_c2h_mem[RING_MEM_BYTES];       // 64-byte aligned
extern uint8_t g_punt_mem[RING_MEM_BYTES];      // 64-byte aligned
extern struct clif_ring_regs g_c2h, g_punt;
extern struct clif_dp_counters g_ctr;

// ---- frames ----

// Sets the IPv4 total length of the header at ip to reach the end of the frame.
void fix_ipv4_len(struct pkt_buf &f, uint16_t ip);

// Starts f afresh with Ethernet [+ 802.1Q vid] + IPv4 src -> dst (fragment field frag) + TCP
// 1234 -> 80; returns the IPv4 header's offset. Its total length is left for fix_ipv4_len()
// once any payload is in place.
uint16_t start_tcp4(struct pkt_buf &f, const uint8_t *src, const uint8_t *dst, int vid, uint16_t frag);

// Starts f afresh with outer 10.0.0.1 -> 10.0.0.2 UDP to VXLAN (vni), inner Ethernet + IPv4
// 192.168.7.1 -> 192.168.7.2 (fragment field inner_frag) TCP 4321 -> 443; inner IPv4 at 64.
void vxlan_tcp4(struct pkt_buf &f, uint32_t vni, uint16_t inner_frag = 0);

// ---- table entries ----

struct clif_rule_entry rule(uint32_t handle, uint16_t actions = 0, uint16_t snap_len = 0);
struct clif_exact_entry exact(uint8_t addr_type, const uint8_t *addr, uint8_t scope, uint32_t value,
			      uint32_t slot);
struct clif_prefix_entry prefix4(const uint8_t *addr, uint8_t len, uint32_t slot);

// ---- running the data plane ----

// Resets the data plane and starts pl on a cleared table window (placer_init sends
// CLIF_TW_CMD_RESET), so tests are independent. Stop it with placer_fini().
void start_placer(struct placer &pl);

// Enables both rings with the given sizes over memory full of RING_SENTINEL; zeroes g_ctr.
void rings_init(uint32_t c2h_size, uint32_t punt_size);

// g_in holds the frame, zeros after it.
void load_frame(const struct pkt_buf &f);

// One clif_dp_frame() of f from g_in to g_fwd, with the g_c2h and g_punt rings and g_ctr.
void run_frame(const struct pkt_buf &f, uint16_t vport = 0, uint64_t ts = 0);

// The record header at off in a ring memory.
struct clif_c2h_rec rec_at(const uint8_t *mem, uint32_t off);

#endif // CLIF_TESTS_UNIT_DP_FIXTURE_H
