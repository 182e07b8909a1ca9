/* SPDX-License-Identifier: BSD-3-Clause */
/* The firmware core's service loop: identity block, punt ring, ageing, heartbeat (fw/fw.h). */
#include <stddef.h>
#include <stdint.h>
#include "fw/mem.h"

#include "fw/fw.h"
#include "fw/log.h"

/* The firmware build generates fw_build_id.h (FW_BUILD_ID, the git commit); host builds have
 * none and leave build_id zero. A -DFW_BUILD_ID=... works too. */
#if !defined(FW_BUILD_ID) && defined(__has_include)
#if __has_include("fw_build_id.h")
#include "fw_build_id.h"
#endif
#endif

#define ARENA_ALIGN 64u

static int ring_size_ok(uint32_t size)
{
	return size >= CLIF_RING_MIN_SIZE && (size & (size - 1u)) == 0;
}

static void fill_ident(volatile struct clif_ident *id, const struct fw_resources *res)
{
#ifdef FW_BUILD_ID
	static const char build_id[] = FW_BUILD_ID;
#else
	static const char build_id[] = "";
#endif
	const char *name = res->board_name ? res->board_name : "";
	size_t i, n;

	id->hdr.type = CLIF_BLK_IDENT; /* next_off is the platform's: it knows the BAR layout */
	id->hdr.version = CLIF_IDENT_VERSION;
	id->hdr.size = sizeof(struct clif_ident);
	id->hdr.rsvd = 0;
	id->magic = CLIF_IDENT_MAGIC;
	id->abi_major = CLIF_ABI_MAJOR;
	id->abi_minor = CLIF_ABI_MINOR;
	id->fw_version = FW_VERSION_MAJOR << 16 | FW_VERSION_MINOR << 8 | FW_VERSION_PATCH;
	id->board_id = res->board_id;
	n = sizeof(build_id) - 1u;
	for (i = 0; i < sizeof(id->build_id); i++)
		id->build_id[i] = i < n ? (uint8_t)build_id[i] : 0u;
	for (n = 0; name[n] && n < sizeof(id->board_name) - 1u; n++)
		;
	for (i = 0; i < sizeof(id->board_name); i++)
		id->board_name[i] = i < n ? (uint8_t)name[i] : 0u;
	id->uptime_ns = 0;
	for (i = 0; i < sizeof(id->rsvd) / sizeof(id->rsvd[0]); i++)
		id->rsvd[i] = 0;
}

/* The most rules (<= FW_MAX_RULES) whose table manager state fits in avail bytes; 0: none. */
static uint32_t rules_that_fit(const struct tm_geometry *g, size_t avail)
{
	uint32_t lo = 0, hi = FW_MAX_RULES;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo + 1u) / 2u;

		if (tm_arena_size(g, mid) <= avail)
			lo = mid;
		else
			hi = mid - 1u;
	}
	return lo;
}

int fw_init(struct fw *fw, const struct fw_resources *res)
{
	volatile struct clif_ident *id = res->ident;
	uintptr_t a = (uintptr_t)res->arena, end = a + res->arena_size, p;
	size_t learn_bytes = (learn_arena_size() + ARENA_ALIGN - 1u) & ~(size_t)(ARENA_ALIGN - 1u);
	struct tm_geometry g;
	uint32_t max_rules;
	int rc;

	memset(fw, 0, sizeof(*fw));
	fw->res = *res;
	fw_panic_ident = id;
	id->status = CLIF_STATUS_BOOTING;
	fill_ident(id, res);
	fw->boot_ns = plat_now_ns();
	fw->heartbeat_ns = FW_HEARTBEAT_NS;
	fw->next_heartbeat_ns = fw->boot_ns + FW_HEARTBEAT_NS;
	fw->learn_enabled = 1;
	fw->last_seq = res->mbox->done; /* a command posted before boot (doorbell != done) is served */

	p = (a + ARENA_ALIGN - 1u) & ~(uintptr_t)(ARENA_ALIGN - 1u);
	if (!res->arena || p > end || end - p < learn_bytes) {
		fw_printf("fw: arena of %lu bytes too small\n", (unsigned long)res->arena_size);
		return CLIF_MBOX_EFULL;
	}
	tm_read_geometry(res->tw, &g);
	if (!g.ways || !g.way_size || !g.rule_slots) {
		fw_printf("fw: table window reports no tables\n");
		return CLIF_MBOX_ERANGE;
	}
	max_rules = rules_that_fit(&g, end - p - learn_bytes);
	if (!max_rules) {
		fw_printf("fw: arena of %lu bytes too small for the tables\n", (unsigned long)res->arena_size);
		return CLIF_MBOX_EFULL;
	}
	rc = tm_init(&fw->tm, res->tw, (void *)(p + learn_bytes), end - p - learn_bytes, max_rules);
	if (rc != CLIF_MBOX_OK) {
		fw_printf("fw: table manager: %s\n", clif_mbox_status_to_str((uint32_t)rc));
		return rc;
	}
	rc = learn_init(&fw->learn, &fw->tm, (void *)p, learn_bytes);
	if (rc != CLIF_MBOX_OK) {
		fw_printf("fw: learner: %s\n", clif_mbox_status_to_str((uint32_t)rc));
		return rc;
	}
	if (res->punt && res->punt_mem && ring_size_ok(res->punt->size))
		res->punt->ctrl = res->punt->ctrl | CLIF_RING_CTRL_ENABLE;
	else
		fw_printf("fw: no usable punt ring: address learning off\n");

	fw_printf("fw: CLIF firmware %u.%u.%u, ABI %u.%u, board %s (id %u)\n", FW_VERSION_MAJOR, FW_VERSION_MINOR,
		  FW_VERSION_PATCH, CLIF_ABI_MAJOR, CLIF_ABI_MINOR, res->board_name ? res->board_name : "?",
		  res->board_id);
	fw_printf("fw: tables exact %ux%u + stash %u, prefix %u, ternary %u, rule slots %u; max rules %u%s\n",
		  g.ways, g.way_size, g.stash, g.prefix, g.ternary, g.rule_slots, max_rules,
		  max_rules < FW_MAX_RULES ? " (arena-limited)" : "");
	id->status = CLIF_STATUS_READY;
	return CLIF_MBOX_OK;
}

/* Consumes up to FW_PUNT_BUDGET records; returns how many records and pads it consumed. */
static uint32_t punt_poll(struct fw *fw, uint64_t now_ns)
{
	volatile struct clif_ring_regs *rg = fw->res.punt;
	const uint8_t *mem = fw->res.punt_mem;
	uint32_t size, prod, cons, done = 0;

	if (!rg || !mem)
		return 0;
	size = rg->size;
	if (!ring_size_ok(size))
		return 0;
	prod = __atomic_load_n(&rg->prod, __ATOMIC_ACQUIRE); /* the records below prod are written */
	cons = rg->cons;
	if (prod == cons)
		return 0;
	if (prod - cons > size || (prod | cons) % CLIF_REC_ALIGN) {
		fw->ctr.punt_bad++;
		cons = prod;
	}
	while (cons != prod && done < FW_PUNT_BUDGET) {
		uint32_t off = cons & (size - 1u), avail = prod - cons;
		struct clif_c2h_rec rec;

		if (avail < CLIF_REC_HDR_BYTES) {
			fw->ctr.punt_bad++;
			cons = prod;
			break;
		}
		memcpy(&rec, mem + off, sizeof(rec)); /* off is 64-aligned, size a multiple of 64 */
		if (rec.rec_len < CLIF_REC_HDR_BYTES || rec.rec_len % CLIF_REC_ALIGN || rec.rec_len > avail ||
		    rec.rec_len > size - off ||
		    ((rec.flags & CLIF_REC_F_PAD) ? rec.rec_len != size - off
						  : rec.cap_len > rec.rec_len - CLIF_REC_HDR_BYTES ||
							    rec.n_match > CLIF_REC_MAX_MATCH)) {
			fw->ctr.punt_bad++; /* resynchronise: everything up to prod is given up */
			cons = prod;
			break;
		}
		if (!(rec.flags & CLIF_REC_F_PAD)) {
			fw->ctr.punt_records++;
			if (fw->learn_enabled)
				learn_frame(&fw->learn, &rec, mem + off + CLIF_REC_HDR_BYTES, now_ns);
		}
		cons += rec.rec_len;
		done++;
	}
	__atomic_store_n(&rg->cons, cons, __ATOMIC_RELEASE); /* the card may reuse the bytes now */
	return done ? done : 1u;
}

int fw_poll(struct fw *fw)
{
	volatile struct clif_ident *id = fw->res.ident;
	int work = 0;
	uint64_t now;

	if (fw_mbox_serve(fw) != FW_MBOX_NOT_SERVED)
		work = 1;
	now = plat_now_ns();
	if (punt_poll(fw, now))
		work = 1;
	learn_age(&fw->learn, now);
	if (now >= fw->next_heartbeat_ns) {
		id->heartbeat = id->heartbeat + 1u;
		fw->next_heartbeat_ns += fw->heartbeat_ns;
		if (fw->next_heartbeat_ns <= now) /* late: one tick, then on time again */
			fw->next_heartbeat_ns = now + fw->heartbeat_ns;
	}
	id->uptime_ns = now - fw->boot_ns;
	return work;
}

void fw_reset(struct fw *fw)
{
	volatile struct clif_ident *id = fw->res.ident;
	volatile struct clif_ring_regs *rg = fw->res.punt;

	id->status = CLIF_STATUS_RESET;
	tm_reset(&fw->tm);
	learn_reset(&fw->learn);
	if (rg && fw->res.punt_mem && ring_size_ok(rg->size))
		__atomic_store_n(&rg->cons, __atomic_load_n(&rg->prod, __ATOMIC_ACQUIRE), __ATOMIC_RELEASE);
	fw->ctr.resets++;
	id->reset_gen = id->reset_gen + 1u;
	fw_printf("fw: card reset, generation %u\n", id->reset_gen);
	id->status = CLIF_STATUS_READY;
}
