/* SPDX-License-Identifier: BSD-3-Clause */
/* Mailbox commands: rules, table statistics, rule counters, configuration, learn events, reset. */
#include <string.h>

#include "card.h"

#define COUNTERS_PER_CALL (CLIF_MBOX_DATA_BYTES / sizeof(struct clif_rule_counter))

static int call(struct clif_card *c, void *cmd, void *data, uint32_t data_max, struct clif_mbox_cpl *cpl)
{
	return clif_mbox_call_(c, (struct clif_mbox_cmd *)cmd, cpl, data, data_max, 0);
}

static int rule_cmd(struct clif_card *c, const struct clif_cmd_rule *r, uint16_t opcode)
{
	struct clif_cmd_rule cmd;

	if (!c || !r)
		return CLIF_E_INVAL;
	cmd = *r;
	memset(&cmd.hdr, 0, sizeof(cmd.hdr));
	cmd.hdr.opcode = opcode;
	return call(c, &cmd, NULL, 0, NULL);
}

int clif_rule_add(struct clif_card *c, const struct clif_cmd_rule *r)
{
	return rule_cmd(c, r, CLIF_OP_RULE_ADD);
}

int clif_rule_modify(struct clif_card *c, const struct clif_cmd_rule *r)
{
	return rule_cmd(c, r, CLIF_OP_RULE_MODIFY);
}

int clif_rule_delete(struct clif_card *c, uint32_t handle)
{
	struct clif_cmd_handle cmd;

	if (!c)
		return CLIF_E_INVAL;
	memset(&cmd, 0, sizeof(cmd));
	cmd.hdr.opcode = CLIF_OP_RULE_DELETE;
	cmd.handle = handle;
	return call(c, &cmd, NULL, 0, NULL);
}

int clif_table_stats(struct clif_card *c, struct clif_table_stats *out)
{
	struct clif_mbox_cmd cmd;
	struct clif_mbox_cpl cpl;
	int rc;

	if (!c || !out)
		return CLIF_E_INVAL;
	memset(&cmd, 0, sizeof(cmd));
	memset(out, 0, sizeof(*out));
	cmd.hdr.opcode = CLIF_OP_TABLE_STATS;
	rc = call(c, &cmd, out, sizeof(*out), &cpl);
	if (!rc && cpl.data_len != sizeof(*out))
		return CLIF_E_IO;
	return rc;
}

int clif_rule_counters(struct clif_card *c, uint32_t first, struct clif_rule_counter *out, uint32_t max,
		       uint32_t *n)
{
	uint32_t total = 0;

	if (!c || !n || (max && !out))
		return CLIF_E_INVAL;
	*n = 0;
	while (total < max) {
		struct clif_cmd_counter_read cmd;
		struct clif_mbox_cpl cpl;
		uint32_t want = max - total < COUNTERS_PER_CALL ? max - total : (uint32_t)COUNTERS_PER_CALL;
		uint32_t got;
		int rc;

		memset(&cmd, 0, sizeof(cmd));
		cmd.hdr.opcode = CLIF_OP_COUNTER_READ;
		cmd.first_handle = first;
		cmd.max_count = want;
		rc = call(c, &cmd, out + total, want * (uint32_t)sizeof(*out), &cpl);
		if (rc)
			return rc;
		got = cpl.result;
		if (got > want || cpl.data_len != got * sizeof(*out))
			return CLIF_E_IO;
		total += got;
		*n = total;
		if (got < want || out[total - 1].handle == 0xffffffffu)
			break;
		first = out[total - 1].handle + 1u;
	}
	return CLIF_OK;
}

int clif_config(struct clif_card *c, uint32_t key, uint64_t value)
{
	struct clif_cmd_config cmd;

	if (!c)
		return CLIF_E_INVAL;
	memset(&cmd, 0, sizeof(cmd));
	cmd.hdr.opcode = CLIF_OP_CONFIG;
	cmd.key = key;
	cmd.value = value;
	return call(c, &cmd, NULL, 0, NULL);
}

/* Hands out spilled events (from an earlier answer) first. */
static uint32_t spill_take(struct clif_card *c, struct clif_learn_event *out, uint32_t max)
{
	uint32_t k = c->spill_n < max ? c->spill_n : max;

	memcpy(out, &c->spill[c->spill_head], k * sizeof(*out));
	c->spill_head += k;
	c->spill_n -= k;
	if (!c->spill_n)
		c->spill_head = 0;
	return k;
}

/* One LEARN_DRAIN answers up to CLIF_LEARN_SPILL events whatever the caller's room: what does not
 * fit is kept in the handle for the next call. */
int clif_learn_drain(struct clif_card *c, struct clif_learn_event *out, uint32_t max, uint32_t *n)
{
	uint32_t total;

	if (!c || !n || (max && !out))
		return CLIF_E_INVAL;
	total = spill_take(c, out, max);
	*n = total;
	while (total < max) {
		struct clif_mbox_cmd cmd;
		struct clif_mbox_cpl cpl;
		uint32_t got, k;
		int rc;

		memset(&cmd, 0, sizeof(cmd));
		cmd.hdr.opcode = CLIF_OP_LEARN_DRAIN;
		rc = call(c, &cmd, c->spill, sizeof(c->spill), &cpl);
		if (rc)
			return rc;
		got = cpl.result;
		if (got > CLIF_LEARN_SPILL || cpl.data_len != got * sizeof(struct clif_learn_event))
			return CLIF_E_IO;
		c->spill_head = 0;
		c->spill_n = got;
		k = spill_take(c, out + total, max - total);
		total += k;
		*n = total;
		if (got < CLIF_LEARN_SPILL)
			break;
	}
	return CLIF_OK;
}

int clif_card_reset(struct clif_card *c)
{
	struct clif_mbox_cmd cmd;
	struct clif_mbox_cpl cpl;
	int rc;

	if (!c)
		return CLIF_E_INVAL;
	memset(&cmd, 0, sizeof(cmd));
	cmd.hdr.opcode = CLIF_OP_RESET;
	rc = clif_mbox_call_(c, &cmd, &cpl, NULL, 0, 1);
	if (rc)
		return rc;
	return clif_after_reset_(c, cpl.result);
}
