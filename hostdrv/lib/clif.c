/* SPDX-License-Identifier: BSD-3-Clause */
/* libclif: open/close, identity, counters, reset detection (libclif.h). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "card.h"
#include "clif/bar.h"

/* Every backend the library knows, by the name before ':' in a card name. */
static const struct clif_backend_ops *const backends[] = {
	&clif_sim_ops,
	&clif_xrt_ops,
};

#define DEFAULT_RING_SIZE (4u << 20)
#define MAX_RING_SIZE (1u << 30)
#define DEFAULT_MBOX_TIMEOUT_MS 1000u
#define DEFAULT_MBOX_RETRIES 2u
#define DEFAULT_HEARTBEAT_TIMEOUT_MS 3000u

uint64_t clif_now_ns_(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

const char *clif_strerror(int err)
{
	switch (err) {
	case CLIF_OK: return "success";
	case CLIF_E_INVAL: return "invalid argument";
	case CLIF_E_NODEV: return "no such card";
	case CLIF_E_ABI: return "card speaks an unsupported ABI";
	case CLIF_E_TIMEOUT: return "card did not answer in time";
	case CLIF_E_NOMEM: return "out of memory";
	case CLIF_E_IO: return "I/O error";
	case CLIF_E_RESET: return "card reset during the command";
	case CLIF_E_CARD: return "card answered with an unknown status";
	case CLIF_E_NOENT: return "unknown rule handle";
	case CLIF_E_EXIST: return "rule handle in use";
	case CLIF_E_FULL: return "no room on the card";
	case CLIF_E_RANGE: return "field out of range or invalid";
	case CLIF_E_FAULT: return "card in FAULT";
	case CLIF_E_PERM: return "permission denied";
	default: return "unknown error";
	}
}

static int parse_name(const char *name, const struct clif_backend_ops **ops, const char **dev)
{
	const char *colon;
	size_t i, n;

	if (!name)
		return CLIF_E_INVAL;
	colon = strchr(name, ':');
	if (!colon || colon == name || !colon[1])
		return CLIF_E_INVAL;
	n = (size_t)(colon - name);
	for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
		if (strlen(backends[i]->name) == n && !memcmp(backends[i]->name, name, n)) {
			*ops = backends[i];
			*dev = colon + 1;
			return CLIF_OK;
		}
	}
	return CLIF_E_INVAL;
}

static int opts_fill(struct clif_open_opts *o, const struct clif_open_opts *in)
{
	if (in)
		*o = *in;
	else
		memset(o, 0, sizeof(*o));
	if (!o->ring_size)
		o->ring_size = DEFAULT_RING_SIZE;
	if (!o->mbox_timeout_ms)
		o->mbox_timeout_ms = DEFAULT_MBOX_TIMEOUT_MS;
	if (!o->mbox_retries)
		o->mbox_retries = DEFAULT_MBOX_RETRIES;
	if (o->ring_size < CLIF_RING_MIN_SIZE || o->ring_size > MAX_RING_SIZE || (o->ring_size & (o->ring_size - 1u)))
		return CLIF_E_INVAL;
	return CLIF_OK;
}

int clif_hello_(struct clif_card *c)
{
	struct clif_cmd_hello h;
	struct clif_mbox_cpl cpl;

	memset(&h, 0, sizeof(h));
	h.hdr.opcode = CLIF_OP_HELLO;
	h.host_abi_major = CLIF_ABI_MAJOR;
	h.host_abi_minor = CLIF_ABI_MINOR;
	return clif_mbox_call_(c, (struct clif_mbox_cmd *)(void *)&h, &cpl, NULL, 0, 0);
}

/* Waits (bounded by the mailbox timeout) for status READY. */
static int wait_ready(struct clif_card *c)
{
	uint64_t end = clif_now_ns_() + (uint64_t)c->opts.mbox_timeout_ms * 1000000ull;
	const struct timespec pause = { 0, 1000000 };

	for (;;) {
		uint32_t st = c->ops->read32(c, CLIF_OFF_IDENT_STATUS);

		if (st == CLIF_STATUS_READY)
			return CLIF_OK;
		if (st == CLIF_STATUS_FAULT)
			return CLIF_E_FAULT;
		if (clif_now_ns_() >= end)
			return CLIF_E_TIMEOUT;
		nanosleep(&pause, NULL);
	}
}

static int do_open(const char *name, const struct clif_open_opts *opts, struct clif_card **out, int with_ring)
{
	const struct clif_backend_ops *ops;
	struct clif_ident id;
	struct clif_card *c;
	const char *dev;
	int rc;

	if (!out)
		return CLIF_E_INVAL;
	*out = NULL;
	rc = parse_name(name, &ops, &dev);
	if (rc)
		return rc;
	c = calloc(1, sizeof(*c));
	if (!c)
		return CLIF_E_NOMEM;
	c->ops = ops;
	c->with_ring = with_ring;
	c->mbox_lock_fd = -1;
	c->last_status = CLIF_MBOX_OK;
	rc = opts_fill(&c->opts, opts);
	if (rc) {
		free(c);
		return rc;
	}
	rc = ops->open(c, dev);
	if (rc) {
		free(c);
		return rc;
	}
	clif_mbox_lock_open_(c, name); /* only for a card that is there: no stray lock files */
	/* Identity first: a card that is not CLIF, or speaks another ABI major, is left alone. */
	rc = ops->read_block(c, CLIF_BAR0_OFF_IDENT, &id, sizeof(id));
	if (rc)
		goto fail;
	if (id.magic != CLIF_IDENT_MAGIC) {
		rc = CLIF_E_NODEV;
		goto fail;
	}
	if (id.abi_major != CLIF_ABI_MAJOR) {
		rc = CLIF_E_ABI;
		goto fail;
	}
	rc = wait_ready(c);
	if (rc)
		goto fail;
	c->reset_gen = c->ops->read32(c, CLIF_OFF_IDENT_RESET_GEN);
	c->hb_last = c->ops->read32(c, CLIF_OFF_IDENT_HEARTBEAT);
	c->hb_seen_ns = clif_now_ns_();
	rc = clif_hello_(c);
	if (rc)
		goto fail;
	if (with_ring) {
		rc = clif_ring_arm_(c);
		if (rc)
			goto fail;
	}
	*out = c;
	return CLIF_OK;
fail:
	clif_ring_disarm_(c);
	ops->close(c);
	clif_mbox_lock_close_(c);
	free(c);
	return rc;
}

int clif_open(const char *name, const struct clif_open_opts *opts, struct clif_card **out)
{
	return do_open(name, opts, out, 1);
}

int clif_open_control(const char *name, const struct clif_open_opts *opts, struct clif_card **out)
{
	return do_open(name, opts, out, 0);
}

void clif_close(struct clif_card *c)
{
	if (!c)
		return;
	clif_ring_disarm_(c);
	c->ops->close(c);
	clif_mbox_lock_close_(c);
	free(c);
}

const char *clif_backend(const struct clif_card *c)
{
	return c ? c->ops->name : "";
}

int clif_identity(struct clif_card *c, struct clif_ident *out)
{
	if (!c || !out)
		return CLIF_E_INVAL;
	return c->ops->read_block(c, CLIF_BAR0_OFF_IDENT, out, sizeof(*out)) ? CLIF_E_IO : CLIF_OK;
}

int clif_dp_counters(struct clif_card *c, struct clif_dp_counters *out)
{
	if (!c || !out)
		return CLIF_E_INVAL;
	return c->ops->read_block(c, CLIF_BAR0_OFF_DPCTR, out, sizeof(*out)) ? CLIF_E_IO : CLIF_OK;
}

int clif_last_status(const struct clif_card *c)
{
	return c ? c->last_status : CLIF_MBOX_OK;
}

void clif_on_reset(struct clif_card *c, clif_reset_cb cb, void *arg)
{
	if (!c)
		return;
	c->reset_cb = cb;
	c->reset_arg = arg;
}

/* The card came back from a reset of generation gen: ring, hello, then the caller's replay. */
int clif_after_reset_(struct clif_card *c, uint32_t gen)
{
	int rc;

	c->reset_gen = gen;
	c->in_reset = 0;
	c->spill_n = 0;
	c->spill_head = 0;
	if (c->with_ring) {
		rc = clif_ring_arm_(c);
		if (rc)
			goto again;
	}
	rc = clif_hello_(c);
	if (rc)
		goto again;
	if (c->reset_cb)
		c->reset_cb(c, gen, c->reset_arg);
	return CLIF_OK;
again:
	c->in_reset = 1; /* the next clif_poll() tries again */
	return rc;
}

int clif_poll(struct clif_card *c, uint32_t heartbeat_timeout_ms)
{
	uint64_t now, limit;
	uint32_t st, gen, hb;

	if (!c)
		return CLIF_E_INVAL;
	if (!heartbeat_timeout_ms)
		heartbeat_timeout_ms = DEFAULT_HEARTBEAT_TIMEOUT_MS;
	st = c->ops->read32(c, CLIF_OFF_IDENT_STATUS);
	gen = c->ops->read32(c, CLIF_OFF_IDENT_RESET_GEN);
	hb = c->ops->read32(c, CLIF_OFF_IDENT_HEARTBEAT);
	now = clif_now_ns_();
	limit = (uint64_t)heartbeat_timeout_ms * 1000000ull;

	if (hb != c->hb_last) {
		c->hb_last = hb;
		c->hb_seen_ns = now;
	}
	if (st == CLIF_STATUS_FAULT)
		return CLIF_E_FAULT;
	if (st != CLIF_STATUS_READY) {
		c->in_reset = 1; /* RESET or BOOTING: wait for READY */
	} else if (gen != c->reset_gen || c->in_reset) {
		int rc = clif_after_reset_(c, gen);

		if (rc)
			return rc;
		c->hb_seen_ns = now; /* a reset may restart the heartbeat */
	} else if (c->with_ring &&
		   (!(c->ops->read32(c, CLIF_OFF_RING_REG(ctrl)) & CLIF_RING_CTRL_ENABLE) ||
		    c->ops->read32(c, CLIF_OFF_RING_REG(size)) != c->ring_size)) {
		/* The card cleared the ring registers without a new generation (yet): arm again. */
		int rc = clif_ring_arm_(c);

		if (rc)
			return rc;
	}
	if (now - c->hb_seen_ns > limit)
		return CLIF_E_TIMEOUT;
	return CLIF_OK;
}
