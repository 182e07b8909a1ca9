/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Mailbox server (include/clif/mbox.h). The command is copied out of the shared block once,
 * before anything looks at it; everything after works on that copy. Every field is validated
 * before any state changes. Statuses, in the order they are checked:
 *  EBADOP  opcode unknown;
 *  EBADLEN hdr.len != 0 (no ABI-1 command takes bulk input);
 *  EINVAL  hdr.seq differs from the doorbell; a reserved field or unused byte is not zero;
 *          flags outside their set (actions, qualifiers); fields that do not fit together;
 *  ERANGE  an enum or a value outside its range (kinds, address and scope types, scope
 *          values wider than the scope, prefix lengths, snap length, learned handles,
 *          config keys and values);
 *  EABI    HELLO from another ABI major;
 *  and the table manager's ENOENT / EEXIST / EFULL / EINVAL.
 * Logs name the opcode, the seq, the status and which check failed; never an address (rule
 * keys identify warrant targets).
 */
#include <stddef.h>
#include <stdint.h>
#include "fw/mem.h"

#include "clif/match.h"
#include "fw/fw.h"
#include "fw/log.h"

#define FW_MAX_SNAP 9728u              /* the MAC's largest frame */
#define FW_LEARN_AGE_MAX_S 604800u     /* a week */
#define FW_HEARTBEAT_MS_MAX 1000u      /* the identity block promises a tick a second */
#define COUNTERS_PER_CPL (CLIF_MBOX_DATA_BYTES / sizeof(struct clif_rule_counter))
#define EVENTS_PER_CPL (CLIF_MBOX_DATA_BYTES / sizeof(struct clif_learn_event))
#define CHUNK 16u                      /* entries gathered on the stack per data-area write */

struct reply {
	int status;
	uint32_t result;
	uint16_t data_len;
	const char *why; /* the failed check, for the log */
};

static int fail(struct reply *rp, int status, const char *why)
{
	rp->status = status;
	rp->why = why;
	return status;
}

static int all_zero(const void *p, size_t n)
{
	const uint8_t *b = (const uint8_t *)p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

/* Copies n bytes (a multiple of 4) to the data area at off, as 32-bit words. */
static void data_write(volatile struct clif_mbox_block *mb, uint32_t off, const void *src, uint32_t n)
{
	volatile uint32_t *d = (volatile uint32_t *)(volatile void *)(mb->data + off);
	const uint8_t *s = (const uint8_t *)src;
	uint32_t i, w;

	for (i = 0; i < n / 4u; i++) {
		memcpy(&w, s + 4u * i, 4);
		d[i] = w;
	}
}

/* ---- validation ---- */

static uint32_t addr_bits(uint8_t addr_type)
{
	return addr_type == CLIF_ADDR_IPV4 ? 32u : addr_type == CLIF_ADDR_IPV6 ? 128u : 48u;
}

static int validate_rule(const struct clif_cmd_rule *r, struct reply *rp)
{
	static const uint32_t scope_max[CLIF_SCOPE_COUNT] = { 0u, 0xffffu, 0x0fffu, 0xffffffu };
	uint32_t bits, i;

	if (!all_zero(r->rsvd, sizeof(r->rsvd)))
		return fail(rp, CLIF_MBOX_EINVAL, "reserved field");
	if (r->handle >= LEARN_HANDLE_BASE)
		return fail(rp, CLIF_MBOX_ERANGE, "handle in the learned range");
	if (r->kind < CLIF_RULE_EXACT || r->kind > CLIF_RULE_TERNARY)
		return fail(rp, CLIF_MBOX_ERANGE, "kind");
	if (r->addr_type < CLIF_ADDR_IPV4 || r->addr_type > CLIF_ADDR_MAC)
		return fail(rp, CLIF_MBOX_ERANGE, "addr_type");
	if (r->scope_type >= CLIF_SCOPE_COUNT)
		return fail(rp, CLIF_MBOX_ERANGE, "scope_type");
	if (r->scope_value > scope_max[r->scope_type])
		return fail(rp, CLIF_MBOX_ERANGE, "scope_value wider than its scope");
	if (r->snap_len > FW_MAX_SNAP)
		return fail(rp, CLIF_MBOX_ERANGE, "snap_len");
	bits = addr_bits(r->addr_type);
	if (r->prefix_len > bits)
		return fail(rp, CLIF_MBOX_ERANGE, "prefix_len");
	if (r->actions & ~CLIF_ACT_ALL)
		return fail(rp, CLIF_MBOX_EINVAL, "unknown action bits");
	if (r->qual & ~(CLIF_QUAL_PROTO | CLIF_QUAL_PORT_THIS | CLIF_QUAL_PORT_PEER))
		return fail(rp, CLIF_MBOX_EINVAL, "unknown qualifier bits");
	if (!all_zero(r->addr + bits / 8u, CLIF_ADDR_BYTES - bits / 8u))
		return fail(rp, CLIF_MBOX_EINVAL, "address bytes past the address type");
	if (r->addr_type == CLIF_ADDR_MAC && r->kind != CLIF_RULE_EXACT)
		return fail(rp, CLIF_MBOX_EINVAL, "MAC key outside the exact table");
	if (r->kind == CLIF_RULE_EXACT) {
		if (r->prefix_len != 0u && r->prefix_len != bits)
			return fail(rp, CLIF_MBOX_EINVAL, "exact rule with a partial prefix_len");
	} else {
		for (i = r->prefix_len; i < bits; i++)
			if (r->addr[i / 8u] & (0x80u >> (i % 8u)))
				return fail(rp, CLIF_MBOX_EINVAL, "address bits past prefix_len");
	}
	if (r->kind != CLIF_RULE_TERNARY) {
		if (r->qual || r->ip_proto || r->priority || r->port_this_lo || r->port_this_hi || r->port_peer_lo ||
		    r->port_peer_hi)
			return fail(rp, CLIF_MBOX_EINVAL, "ternary fields on a non-ternary rule");
		return CLIF_MBOX_OK;
	}
	if (!(r->qual & CLIF_QUAL_PROTO) && r->ip_proto)
		return fail(rp, CLIF_MBOX_EINVAL, "ip_proto without its qualifier");
	if (!(r->qual & CLIF_QUAL_PORT_THIS) && (r->port_this_lo || r->port_this_hi))
		return fail(rp, CLIF_MBOX_EINVAL, "port_this without its qualifier");
	if (!(r->qual & CLIF_QUAL_PORT_PEER) && (r->port_peer_lo || r->port_peer_hi))
		return fail(rp, CLIF_MBOX_EINVAL, "port_peer without its qualifier");
	if (r->port_this_lo > r->port_this_hi || r->port_peer_lo > r->port_peer_hi)
		return fail(rp, CLIF_MBOX_EINVAL, "port range lo > hi");
	return CLIF_MBOX_OK;
}

/* ---- commands ---- */

static void do_hello(const struct clif_mbox_cmd *c, struct reply *rp)
{
	struct clif_cmd_hello h;

	memcpy(&h, c, sizeof(h));
	rp->result = CLIF_ABI_MAJOR << 16 | CLIF_ABI_MINOR;
	if (!all_zero(h.rsvd, sizeof(h.rsvd))) {
		fail(rp, CLIF_MBOX_EINVAL, "reserved field");
		return;
	}
	if (h.host_abi_major != CLIF_ABI_MAJOR) {
		fail(rp, CLIF_MBOX_EABI, "host ABI major");
		return;
	}
	fw_printf("mbox: hello from a host with ABI %u.%u\n", (unsigned)h.host_abi_major, (unsigned)h.host_abi_minor);
}

static void do_rule(struct fw *fw, const struct clif_mbox_cmd *c, struct reply *rp)
{
	struct clif_cmd_rule r;
	struct clif_cmd_rule old;
	int had_old;

	memcpy(&r, c, sizeof(r));
	if (validate_rule(&r, rp) != CLIF_MBOX_OK)
		return;
	rp->result = r.handle;
	if (r.hdr.opcode == CLIF_OP_RULE_ADD) {
		rp->status = tm_add(&fw->tm, &r, r.handle);
		return;
	}
	had_old = tm_get(&fw->tm, r.handle, &old) == CLIF_MBOX_OK;
	rp->status = tm_modify(&fw->tm, &r, r.handle);
	/* A changed MAC rule: what was learned for the old key, scope and snap length goes. */
	if (rp->status == CLIF_MBOX_OK && had_old && old.addr_type == CLIF_ADDR_MAC)
		learn_forget_owner(&fw->learn, r.handle, plat_now_ns());
}

static void do_delete(struct fw *fw, const struct clif_mbox_cmd *c, struct reply *rp)
{
	struct clif_cmd_handle h;

	memcpy(&h, c, sizeof(h));
	if (!all_zero(h.rsvd, sizeof(h.rsvd))) {
		fail(rp, CLIF_MBOX_EINVAL, "reserved field");
		return;
	}
	if (h.handle >= LEARN_HANDLE_BASE) {
		fail(rp, CLIF_MBOX_ERANGE, "handle in the learned range");
		return;
	}
	rp->result = h.handle;
	rp->status = tm_delete(&fw->tm, h.handle);
	if (rp->status == CLIF_MBOX_OK)
		learn_forget_owner(&fw->learn, h.handle, plat_now_ns());
}

static void do_stats(struct fw *fw, const struct clif_mbox_cmd *c, struct reply *rp)
{
	struct clif_table_stats s;

	if (!all_zero(c->body, sizeof(c->body))) {
		fail(rp, CLIF_MBOX_EINVAL, "reserved field");
		return;
	}
	memset(&s, 0, sizeof(s));
	rp->status = tm_stats(&fw->tm, &s);
	if (rp->status != CLIF_MBOX_OK)
		return;
	data_write(fw->res.mbox, 0, &s, sizeof(s));
	rp->data_len = sizeof(s);
}

static void do_counters(struct fw *fw, const struct clif_mbox_cmd *c, struct reply *rp)
{
	struct clif_cmd_counter_read q;
	struct clif_rule_counter buf[CHUNK];
	uint32_t max, total = 0, first, n, i;

	memcpy(&q, c, sizeof(q));
	if (!all_zero(q.rsvd, sizeof(q.rsvd))) {
		fail(rp, CLIF_MBOX_EINVAL, "reserved field");
		return;
	}
	max = q.max_count < COUNTERS_PER_CPL ? q.max_count : (uint32_t)COUNTERS_PER_CPL;
	first = q.first_handle;
	while (total < max) {
		uint32_t want = max - total < CHUNK ? max - total : CHUNK;

		n = 0;
		rp->status = tm_counters(&fw->tm, first, buf, want, &n);
		if (rp->status != CLIF_MBOX_OK)
			return;
		if (n > want)
			n = want;
		for (i = 0; i < n; i++)
			buf[i].rsvd = 0;
		data_write(fw->res.mbox, total * (uint32_t)sizeof(buf[0]), buf, n * (uint32_t)sizeof(buf[0]));
		total += n;
		if (n < want || buf[n - 1].handle == 0xffffffffu)
			break;
		first = buf[n - 1].handle + 1u;
	}
	rp->result = total;
	rp->data_len = (uint16_t)(total * sizeof(buf[0]));
}

static void do_config(struct fw *fw, const struct clif_mbox_cmd *c, struct reply *rp)
{
	struct clif_cmd_config k;

	memcpy(&k, c, sizeof(k));
	if (k.rsvd0 || !all_zero(k.rsvd, sizeof(k.rsvd))) {
		fail(rp, CLIF_MBOX_EINVAL, "reserved field");
		return;
	}
	switch (k.key) {
	case CLIF_CFG_LEARN_AGE_S:
		if (k.value < 1u || k.value > FW_LEARN_AGE_MAX_S) {
			fail(rp, CLIF_MBOX_ERANGE, "learn age");
			return;
		}
		fw->learn.age_s = (uint32_t)k.value;
		break;
	case CLIF_CFG_HEARTBEAT_MS:
		if (k.value < 1u || k.value > FW_HEARTBEAT_MS_MAX) {
			fail(rp, CLIF_MBOX_ERANGE, "heartbeat period");
			return;
		}
		fw->heartbeat_ns = k.value * 1000000ull;
		fw->next_heartbeat_ns = plat_now_ns() + fw->heartbeat_ns;
		break;
	case CLIF_CFG_LEARN_ENABLE:
		if (k.value > 1u) {
			fail(rp, CLIF_MBOX_ERANGE, "learn enable");
			return;
		}
		fw->learn_enabled = (uint32_t)k.value;
		fw->learn.enabled = (uint32_t)k.value;
		break;
	default:
		fail(rp, CLIF_MBOX_ERANGE, "config key");
		return;
	}
	rp->result = k.key;
}

static void do_drain(struct fw *fw, const struct clif_mbox_cmd *c, struct reply *rp)
{
	struct clif_learn_event buf[CHUNK];
	uint32_t total = 0, n;

	if (!all_zero(c->body, sizeof(c->body))) {
		fail(rp, CLIF_MBOX_EINVAL, "reserved field");
		return;
	}
	while (total < EVENTS_PER_CPL) {
		uint32_t want = EVENTS_PER_CPL - total < CHUNK ? (uint32_t)EVENTS_PER_CPL - total : CHUNK;

		n = learn_drain(&fw->learn, buf, want);
		data_write(fw->res.mbox, total * (uint32_t)sizeof(buf[0]), buf, n * (uint32_t)sizeof(buf[0]));
		total += n;
		if (n < want)
			break;
	}
	rp->result = total;
	rp->data_len = (uint16_t)(total * sizeof(buf[0]));
}

/* Commands without a body: every body byte is reserved. */
static int body_clear(const struct clif_mbox_cmd *c, struct reply *rp)
{
	if (!all_zero(c->body, sizeof(c->body)))
		return fail(rp, CLIF_MBOX_EINVAL, "reserved field");
	return CLIF_MBOX_OK;
}

/* ---- the server ---- */

static void read_cmd(volatile struct clif_mbox_block *mb, struct clif_mbox_cmd *out)
{
	const volatile uint32_t *src = (const volatile uint32_t *)(const volatile void *)&mb->cmd;
	uint32_t w[CLIF_MBOX_CMD_BYTES / 4u];
	uint32_t i;

	for (i = 0; i < CLIF_MBOX_CMD_BYTES / 4u; i++)
		w[i] = src[i];
	memcpy(out, w, sizeof(*out));
}

int fw_mbox_serve(struct fw *fw)
{
	volatile struct clif_mbox_block *mb = fw->res.mbox;
	volatile struct clif_mbox_cpl *cpl = &mb->cpl;
	struct clif_mbox_cmd c;
	struct reply rp = { CLIF_MBOX_OK, 0, 0, NULL };
	uint32_t seq = __atomic_load_n(&mb->doorbell, __ATOMIC_ACQUIRE);
	uint16_t op;

	if (seq == CLIF_MBOX_NO_CMD || seq == fw->last_seq)
		return FW_MBOX_NOT_SERVED;
	read_cmd(mb, &c); /* the doorbell was written after the command: read after it */
	if (__atomic_load_n(&mb->doorbell, __ATOMIC_ACQUIRE) != seq)
		return FW_MBOX_NOT_SERVED; /* the host rewrote the command meanwhile: next round */
	op = c.hdr.opcode;
	if (op >= CLIF_OP_COUNT)
		fail(&rp, CLIF_MBOX_EBADOP, "opcode");
	else if (c.hdr.len != 0u)
		fail(&rp, CLIF_MBOX_EBADLEN, "len");
	else if (c.hdr.seq != seq)
		fail(&rp, CLIF_MBOX_EINVAL, "seq differs from the doorbell");
	else {
		switch (op) {
		case CLIF_OP_NOP:
		case CLIF_OP_HEARTBEAT:
			if (body_clear(&c, &rp) == CLIF_MBOX_OK && op == CLIF_OP_HEARTBEAT)
				rp.result = fw->res.ident->heartbeat;
			break;
		case CLIF_OP_HELLO:
			do_hello(&c, &rp);
			break;
		case CLIF_OP_RULE_ADD:
		case CLIF_OP_RULE_MODIFY:
			do_rule(fw, &c, &rp);
			break;
		case CLIF_OP_RULE_DELETE:
			do_delete(fw, &c, &rp);
			break;
		case CLIF_OP_TABLE_STATS:
			do_stats(fw, &c, &rp);
			break;
		case CLIF_OP_COUNTER_READ:
			do_counters(fw, &c, &rp);
			break;
		case CLIF_OP_CONFIG:
			do_config(fw, &c, &rp);
			break;
		case CLIF_OP_LEARN_DRAIN:
			do_drain(fw, &c, &rp);
			break;
		case CLIF_OP_RESET:
			if (body_clear(&c, &rp) == CLIF_MBOX_OK) {
				fw_reset(fw);
				rp.result = fw->res.ident->reset_gen;
			}
			break;
		default:
			FW_ASSERT(0); /* every opcode below CLIF_OP_COUNT has a case */
		}
	}
	if (rp.status < 0 || rp.status >= (int)CLIF_MBOX_STATUS_COUNT)
		rp.status = CLIF_MBOX_EINVAL; /* a callee's bug must not reach the host as garbage */
	if (rp.status != CLIF_MBOX_OK)
		rp.data_len = 0;

	cpl->seq = seq;
	cpl->status = (uint16_t)rp.status;
	cpl->opcode = op;
	cpl->result = rp.result;
	cpl->data_len = rp.data_len;
	cpl->rsvd = 0;
	__atomic_store_n(&mb->done, seq, __ATOMIC_RELEASE); /* last: the host may read everything above */

	fw->last_seq = seq;
	fw->ctr.commands++;
	fw->ctr.status[rp.status]++;
	if (rp.status != CLIF_MBOX_OK)
		fw_printf("mbox: seq %u %s: %s (%s)\n", seq, clif_mbox_opcode_to_str(op),
			  clif_mbox_status_to_str((uint32_t)rp.status), rp.why ? rp.why : "table manager");
	return rp.status;
}
