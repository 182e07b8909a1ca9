/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frame builder and random frame generator for the data-plane testbench, unit tests, fuzz
 * seeds and the benchmark. Frames are built into a caller's buffer of CLIF_DP_MAX_FRAME bytes.
 */
#ifndef CLIF_PKTGEN_H
#define CLIF_PKTGEN_H

#include <stddef.h>
#include <stdint.h>

#include "../dp_config.h"

/* xorshift64* generator: deterministic from its seed. */
struct pkt_rng {
	uint64_t s;
};
void pkt_rng_seed(struct pkt_rng *r, uint64_t seed);
uint64_t pkt_rng_next(struct pkt_rng *r);
uint32_t pkt_rng_below(struct pkt_rng *r, uint32_t n); /* uniform in [0, n), n > 0 */

/* Addresses and contexts random frames and random rules draw from, so they meet often. */
#define PKT_POOL_ADDRS 64u
#define PKT_POOL_CTX 8u
struct pkt_pool {
	uint8_t v4[PKT_POOL_ADDRS][4];
	uint8_t v6[PKT_POOL_ADDRS][16];
	uint8_t mac[PKT_POOL_ADDRS][6];
	uint32_t vni[PKT_POOL_CTX];  /* 24-bit */
	uint16_t vid[PKT_POOL_CTX];  /* 12-bit */
	uint16_t vport[PKT_POOL_CTX];
};
/* Fills a pool; addresses share prefixes (a few /16s and /48s) so CIDR rules cover several. */
void pkt_pool_init(struct pkt_pool *p, struct pkt_rng *r);

/*
 * A random frame: Ethernet with 0-3 VLAN tags, IPv4 (options, fragments) or IPv6 (extension
 * chains, fragments) or ARP/other, TCP/UDP/SCTP/ICMP/ICMPv6/GRE, and VXLAN/Geneve/NVGRE overlays
 * with an inner frame; a share of frames is damaged (lying lengths, cut short at a random
 * offset, bad versions, deep chains, nested overlays). Writes at most CLIF_DP_MAX_FRAME bytes
 * to buf, sets *vport, returns the length (0 possible).
 */
uint16_t pkt_random(struct pkt_rng *r, const struct pkt_pool *p, uint8_t *buf, uint16_t *vport);

/* Builder: headers appended in order at b->len. Checksums are not computed (the data plane
 * does not read them). Appending past CLIF_DP_MAX_FRAME truncates silently (the builder is
 * for tests; callers check len). */
struct pkt_buf {
	uint8_t b[CLIF_DP_MAX_FRAME];
	uint16_t len;
};
void pkt_reset(struct pkt_buf *b);
void pkt_bytes(struct pkt_buf *b, const void *data, size_t n);
void pkt_zeros(struct pkt_buf *b, size_t n);
void pkt_u8(struct pkt_buf *b, uint8_t v);
void pkt_be16(struct pkt_buf *b, uint16_t v);
void pkt_be32(struct pkt_buf *b, uint32_t v);
void pkt_put_be16(struct pkt_buf *b, uint16_t off, uint16_t v); /* patch in place */

void pkt_eth(struct pkt_buf *b, const uint8_t dst[6], const uint8_t src[6], uint16_t type);
/* A VLAN tag after a header whose type field was a TPID: VID, then the next type. */
void pkt_vlan(struct pkt_buf *b, uint16_t vid, uint16_t type);
/* IPv4 header with IHL = 5 + opt_words (options filled with NOP), total length = 20 +
 * 4*opt_words + payload_len, flags/fragment field as given. Returns the header's offset. */
uint16_t pkt_ipv4(struct pkt_buf *b, const uint8_t src[4], const uint8_t dst[4], uint8_t proto,
		  uint16_t payload_len, uint8_t opt_words, uint16_t frag_field);
/* IPv6 header, payload length = payload_len. Returns the header's offset. */
uint16_t pkt_ipv6(struct pkt_buf *b, const uint8_t src[16], const uint8_t dst[16], uint8_t next,
		  uint16_t payload_len);
/* Generic IPv6 extension header (hop-by-hop, routing, destination options): 8*(hlen+1) bytes. */
void pkt_v6_ext(struct pkt_buf *b, uint8_t next, uint8_t hlen);
void pkt_v6_frag(struct pkt_buf *b, uint8_t next, uint16_t offset_units, int more);
void pkt_tcp(struct pkt_buf *b, uint16_t sport, uint16_t dport, uint8_t doff);
void pkt_udp(struct pkt_buf *b, uint16_t sport, uint16_t dport, uint16_t payload_len);
void pkt_sctp(struct pkt_buf *b, uint16_t sport, uint16_t dport);
void pkt_icmp(struct pkt_buf *b, uint8_t type, uint8_t code);
void pkt_vxlan(struct pkt_buf *b, uint32_t vni);
/* Geneve with opt_words 4-byte words of options and the given protocol type. */
void pkt_geneve(struct pkt_buf *b, uint32_t vni, uint8_t opt_words, uint16_t proto);
/* GRE header with key (NVGRE): flags 0x2000, protocol 0x6558, key = vsid << 8 | flow. */
void pkt_nvgre(struct pkt_buf *b, uint32_t vsid, uint8_t flow);

#endif /* CLIF_PKTGEN_H */
