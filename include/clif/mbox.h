/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Mailbox: the host's command channel to the card's firmware.
 *
 * One command in flight. The host writes CLIF_MBOX_NO_CMD to doorbell, then the 64-byte command
 * (and, for commands with bulk input, the data area), then the command's seq to doorbell: the
 * doorbell is written last. The firmware reads doorbell, copies the command, reads doorbell
 * again and serves the copy only if both reads agree (and differ from CLIF_MBOX_NO_CMD and from
 * the last seq it served): a command the host rewrote while it was being copied (a re-send
 * after a timeout) is never served half old, half new. It then executes it, writes the 16-byte
 * completion (and bulk output in the data area), then writes seq to done. The host waits for
 * done == seq with a bound and treats a timeout as an error; seqs are never 0 and never reused
 * while a command could be outstanding. A command abandoned after a timeout may still have been
 * executed (a re-sent RULE_ADD can then answer EEXIST).
 */
#ifndef CLIF_MBOX_H
#define CLIF_MBOX_H

#include "abi.h"

#define CLIF_MBOX_CMD_BYTES 64u
#define CLIF_MBOX_CPL_BYTES 16u
#define CLIF_MBOX_DATA_BYTES 2048u
#define CLIF_MBOX_NO_CMD 0u /* doorbell value while the host writes a command */

enum clif_mbox_opcode {
	CLIF_OP_NOP = 0,
	CLIF_OP_HELLO = 1,        /* exchange ABI versions */
	CLIF_OP_RULE_ADD = 2,     /* clif_cmd_rule */
	CLIF_OP_RULE_MODIFY = 3,  /* clif_cmd_rule: same handle, new key/actions */
	CLIF_OP_RULE_DELETE = 4,  /* clif_cmd_handle */
	CLIF_OP_TABLE_STATS = 5,  /* data out: clif_table_stats */
	CLIF_OP_COUNTER_READ = 6, /* clif_cmd_counter_read; data out: clif_rule_counter[] */
	CLIF_OP_CONFIG = 7,       /* clif_cmd_config */
	CLIF_OP_LEARN_DRAIN = 8,  /* data out: clif_learn_event[] */
	CLIF_OP_HEARTBEAT = 9,
	CLIF_OP_RESET = 10,       /* clear tables, bump reset_gen */
	CLIF_OP_COUNT
};

enum clif_mbox_status {
	CLIF_MBOX_OK = 0,
	CLIF_MBOX_EBADOP = 1,    /* unknown opcode */
	CLIF_MBOX_EBADLEN = 2,   /* len does not fit the opcode */
	CLIF_MBOX_ERANGE = 3,    /* a field or index out of range */
	CLIF_MBOX_ENOENT = 4,    /* unknown rule handle */
	CLIF_MBOX_EEXIST = 5,    /* rule handle already in use */
	CLIF_MBOX_EFULL = 6,     /* no room in the table the rule needs */
	CLIF_MBOX_EINVAL = 7,    /* fields that do not make sense together */
	CLIF_MBOX_EABI = 8,      /* host ABI major not supported */
	CLIF_MBOX_EBUSY = 9,     /* card resetting */
	CLIF_MBOX_STATUS_COUNT
};

struct clif_mbox_cmd_hdr {
	uint16_t opcode;  /* enum clif_mbox_opcode */
	uint16_t len;     /* bytes of bulk input in the data area (0 for most commands) */
	uint32_t seq;     /* echoed in the completion */
};
_Static_assert(sizeof(struct clif_mbox_cmd_hdr) == 8, "clif_mbox_cmd_hdr is 8 bytes");

struct clif_mbox_cmd {
	struct clif_mbox_cmd_hdr hdr;
	uint8_t body[CLIF_MBOX_CMD_BYTES - 8u];
};
_Static_assert(sizeof(struct clif_mbox_cmd) == CLIF_MBOX_CMD_BYTES, "clif_mbox_cmd is 64 bytes");

struct clif_mbox_cpl {
	uint32_t seq;
	uint16_t status;   /* enum clif_mbox_status */
	uint16_t opcode;
	uint32_t result;   /* command-specific */
	uint16_t data_len; /* bytes of bulk output in the data area */
	uint16_t rsvd;
};
_Static_assert(sizeof(struct clif_mbox_cpl) == CLIF_MBOX_CPL_BYTES, "clif_mbox_cpl is 16 bytes");

struct clif_cmd_hello {
	struct clif_mbox_cmd_hdr hdr;
	uint16_t host_abi_major;
	uint16_t host_abi_minor;
	uint32_t rsvd[13];
};
_Static_assert(sizeof(struct clif_cmd_hello) == CLIF_MBOX_CMD_BYTES, "clif_cmd_hello is 64 bytes");

/* Rule kinds (clif_cmd_rule.kind): which table the firmware places the key in. */
enum clif_rule_kind {
	CLIF_RULE_EXACT = 1,   /* host address or MAC in a scope */
	CLIF_RULE_PREFIX = 2,  /* CIDR in a scope */
	CLIF_RULE_TERNARY = 3, /* address under a prefix with protocol and port-range qualifiers */
};

/* clif_cmd_rule.qual: which qualifiers of a ternary rule apply. */
#define CLIF_QUAL_PROTO 0x01u
#define CLIF_QUAL_PORT_THIS 0x02u
#define CLIF_QUAL_PORT_PEER 0x04u

struct clif_cmd_rule {
	struct clif_mbox_cmd_hdr hdr;
	uint32_t handle;
	uint8_t kind;          /* enum clif_rule_kind */
	uint8_t addr_type;     /* enum clif_addr_type */
	uint8_t scope_type;    /* enum clif_scope_type */
	uint8_t prefix_len;    /* PREFIX and TERNARY */
	uint32_t scope_value;
	uint8_t addr[CLIF_ADDR_BYTES];
	uint16_t actions;      /* CLIF_ACT_* */
	uint16_t snap_len;
	uint8_t ip_proto;      /* TERNARY with CLIF_QUAL_PROTO */
	uint8_t qual;          /* CLIF_QUAL_* */
	uint16_t priority;     /* TERNARY */
	uint16_t port_this_lo; /* TERNARY, inclusive ranges */
	uint16_t port_this_hi;
	uint16_t port_peer_lo;
	uint16_t port_peer_hi;
	uint32_t rsvd[3];
};
_Static_assert(sizeof(struct clif_cmd_rule) == CLIF_MBOX_CMD_BYTES, "clif_cmd_rule is 64 bytes");
_Static_assert(offsetof(struct clif_cmd_rule, addr) == 20, "cmd_rule addr offset");
_Static_assert(offsetof(struct clif_cmd_rule, actions) == 36, "cmd_rule actions offset");

struct clif_cmd_handle {
	struct clif_mbox_cmd_hdr hdr;
	uint32_t handle;
	uint32_t rsvd[13];
};
_Static_assert(sizeof(struct clif_cmd_handle) == CLIF_MBOX_CMD_BYTES, "clif_cmd_handle is 64 bytes");

struct clif_cmd_counter_read {
	struct clif_mbox_cmd_hdr hdr;
	uint32_t first_handle; /* counters of rules with handle >= first_handle, in handle order */
	uint32_t max_count;
	uint32_t rsvd[12];
};
_Static_assert(sizeof(struct clif_cmd_counter_read) == CLIF_MBOX_CMD_BYTES,
	       "clif_cmd_counter_read is 64 bytes");

enum clif_config_key {
	CLIF_CFG_LEARN_AGE_S = 1,    /* seconds before an unrefreshed learned binding ages out */
	CLIF_CFG_HEARTBEAT_MS = 2,
	CLIF_CFG_LEARN_ENABLE = 3,
};

struct clif_cmd_config {
	struct clif_mbox_cmd_hdr hdr;
	uint32_t key;    /* enum clif_config_key */
	uint32_t rsvd0;
	uint64_t value;
	uint32_t rsvd[10];
};
_Static_assert(sizeof(struct clif_cmd_config) == CLIF_MBOX_CMD_BYTES, "clif_cmd_config is 64 bytes");

struct clif_table_stats {
	uint32_t exact_capacity;
	uint32_t exact_used;
	uint32_t exact_stash_used;
	uint32_t prefix_capacity;
	uint32_t prefix_used;
	uint32_t ternary_capacity;
	uint32_t ternary_used;
	uint32_t rule_capacity;
	uint32_t rule_used;
	uint32_t rsvd[7];
};
_Static_assert(sizeof(struct clif_table_stats) == 64, "clif_table_stats is 64 bytes");

struct clif_rule_counter {
	uint32_t handle;
	uint32_t rsvd;
	uint64_t packets;
	uint64_t bytes;
};
_Static_assert(sizeof(struct clif_rule_counter) == 24, "clif_rule_counter is 24 bytes");

enum clif_learn_kind {
	CLIF_LEARN_BIND = 1,   /* ip now belongs to the MAC target of rule handle */
	CLIF_LEARN_UNBIND = 2, /* the binding aged out or was replaced */
};

enum clif_learn_source {
	CLIF_LEARN_SRC_DHCPV4 = 1,
	CLIF_LEARN_SRC_ARP = 2,
	CLIF_LEARN_SRC_ND = 3,
};

struct clif_learn_event {
	uint8_t kind;       /* enum clif_learn_kind */
	uint8_t source;     /* enum clif_learn_source */
	uint8_t addr_type;  /* CLIF_ADDR_IPV4 or CLIF_ADDR_IPV6 */
	uint8_t rsvd0;
	uint32_t handle;    /* the MAC target's rule */
	uint64_t ts_ns;
	uint8_t mac[6];
	uint16_t vport;
	uint32_t scope_value;
	uint32_t rsvd1;
	uint8_t addr[CLIF_ADDR_BYTES];
};
_Static_assert(sizeof(struct clif_learn_event) == 48, "clif_learn_event is 48 bytes");

struct clif_mbox_block {
	struct clif_blk_hdr hdr;  /* type CLIF_BLK_MBOX */
	uint32_t doorbell;        /* host writes the command's seq here, last */
	uint32_t done;            /* firmware writes the seq it completed */
	uint32_t rsvd0[2];
	struct clif_mbox_cmd cmd;
	struct clif_mbox_cpl cpl;
	uint32_t rsvd1[4];
	uint8_t data[CLIF_MBOX_DATA_BYTES];
};
_Static_assert(sizeof(struct clif_mbox_block) == 2176, "clif_mbox_block is 2176 bytes");
_Static_assert(offsetof(struct clif_mbox_block, doorbell) == 16, "mbox doorbell offset");
_Static_assert(offsetof(struct clif_mbox_block, cmd) == 32, "mbox cmd offset");
_Static_assert(offsetof(struct clif_mbox_block, cpl) == 96, "mbox cpl offset");
_Static_assert(offsetof(struct clif_mbox_block, data) == 128, "mbox data offset");

static inline const char *clif_mbox_opcode_to_str(uint32_t op)
{
	switch (op) {
	case CLIF_OP_NOP: return "nop";
	case CLIF_OP_HELLO: return "hello";
	case CLIF_OP_RULE_ADD: return "rule-add";
	case CLIF_OP_RULE_MODIFY: return "rule-modify";
	case CLIF_OP_RULE_DELETE: return "rule-delete";
	case CLIF_OP_TABLE_STATS: return "table-stats";
	case CLIF_OP_COUNTER_READ: return "counter-read";
	case CLIF_OP_CONFIG: return "config";
	case CLIF_OP_LEARN_DRAIN: return "learn-drain";
	case CLIF_OP_HEARTBEAT: return "heartbeat";
	case CLIF_OP_RESET: return "reset";
	default: return "unknown-opcode";
	}
}

static inline const char *clif_mbox_status_to_str(uint32_t st)
{
	switch (st) {
	case CLIF_MBOX_OK: return "ok";
	case CLIF_MBOX_EBADOP: return "unknown opcode";
	case CLIF_MBOX_EBADLEN: return "bad length";
	case CLIF_MBOX_ERANGE: return "field out of range";
	case CLIF_MBOX_ENOENT: return "unknown rule handle";
	case CLIF_MBOX_EEXIST: return "rule handle in use";
	case CLIF_MBOX_EFULL: return "table full";
	case CLIF_MBOX_EINVAL: return "invalid field combination";
	case CLIF_MBOX_EABI: return "ABI major not supported";
	case CLIF_MBOX_EBUSY: return "card busy";
	default: return "unknown status";
	}
}

#endif /* CLIF_MBOX_H */
