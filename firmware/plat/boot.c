/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The platform's C entry: finds the device tree, picks the console, maps memory, finds the
 * card's resources by compatible string, starts the firmware core, then either runs the boot
 * self-test and stops (test boards) or serves the host for good (production boards).
 *
 * What differs between boards is data: the device tree, and from boards/<board>/board.mk
 * FW_DTB_ADDR (where the loader leaves the tree when x0 does not say), FW_BOOT_SELFTEST,
 * FW_EARLY_UART_COMPAT/FW_EARLY_UART_BASE (a console for errors before the tree is read).
 *
 * A missing or malformed device tree or node is an error of the board's data: it is named
 * on the console and the firmware stops with status 5, never crashes.
 */
#include <libfdt.h>
#include <stdint.h>

#include "arch/aarch64.h"
#include "clif/bar.h"
#include "drivers/arm_timer.h"
#include "fw/fw.h"
#include "fw/log.h"
#include "fw/port.h"
#include "fw_build_id.h"
#include "plat/plat.h"

#ifndef FW_BOOT_SELFTEST
#define FW_BOOT_SELFTEST 0
#endif
#ifndef FW_SELFTEST_SEED
#define FW_SELFTEST_SEED 1u
#endif

#define STOP_BAD_DT 5
#define IDLE_WAKE_NS 10000u /* plat_idle() waits at most about this long */

#define STR_(x) #x
#define STR(x) STR_(x)

static struct fw fw;

static void __attribute__((noreturn)) dt_fail(const char *what, const char *detail)
{
	fw_printf("device tree: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	plat_stop(STOP_BAD_DT);
}

/* An address from the device tree as a pointer. Address 0 is RAM on some boards. */
static void *phys(uint64_t a)
{
	uintptr_t p = (uintptr_t)a;

	__asm__("" : "+r"(p)); /* the compiler may not assume anything about it (not even != NULL) */
	return (void *)p;
}

/* 1 if a valid tree header is at addr. The tree may sit at address 0: no NULL tests on it. */
static int fdt_at(uintptr_t addr, const void **fdt)
{
	*fdt = phys(addr);
	return fdt_check_header(*fdt) == 0;
}

static int find_fdt(uintptr_t x0, const void **fdt, const char **from)
{
	if (x0 && (x0 & 7) == 0 && fdt_at(x0, fdt)) {
		*from = "x0";
		return 1;
	}
#ifdef FW_DTB_ADDR
	if (fdt_at(FW_DTB_ADDR, fdt)) {
		*from = "board default";
		return 1;
	}
#endif
	return 0;
}

static void early_console(void)
{
#if defined(FW_EARLY_UART_COMPAT) && defined(FW_EARLY_UART_BASE)
	const struct console_driver *d = console_driver_find(FW_EARLY_UART_COMPAT);

	if (d)
		console_use(d, FW_EARLY_UART_BASE);
#endif
}

/* The console named by /chosen stdout-path ("path-or-alias[:options]"). */
static void dt_console(const void *fdt)
{
	int chosen = fdt_path_offset(fdt, "/chosen");
	const char *path = NULL, *colon;
	const char *compat, *why;
	const struct console_driver *drv;
	int len, node, clen;
	uint64_t base, size;

	if (chosen >= 0) {
		path = fdt_getprop(fdt, chosen, "stdout-path", &len);
		if (!path)
			path = fdt_getprop(fdt, chosen, "linux,stdout-path", &len);
	}
	if (!path || len < 2 || path[len - 1] != '\0')
		dt_fail("/chosen has no stdout-path", NULL);
	colon = strchr(path, ':');
	node = fdt_path_offset_namelen(fdt, path, colon ? (int)(colon - path) : (int)strlen(path));
	if (node < 0)
		dt_fail("stdout-path names no node", path);
	compat = fdt_getprop(fdt, node, "compatible", &clen);
	drv = compat ? console_driver_match(compat, clen) : NULL;
	if (!drv)
		dt_fail("no console driver for the stdout-path node's compatible", compat ? compat : "(none)");
	if (dt_reg(fdt, node, 0, &base, &size, &why))
		dt_fail("stdout-path node reg", why);
	if (console_use(drv, (uintptr_t)base))
		dt_fail("console does not answer", drv->compatible);
}

static void dt_clock(const void *fdt)
{
	int node = dt_find_compatible(fdt, "arm,armv8-timer");
	uint32_t dt_hz = node >= 0 ? dt_u32(fdt, node, "clock-frequency", 0) : 0;

	if (!arm_timer_init(dt_hz))
		dt_fail("the counter frequency is unknown (cntfrq_el0 is 0, no timer clock-frequency)", NULL);
	arm_timer_event_stream(IDLE_WAKE_NS);
}

extern char __image_start[], __image_end[];

static void dt_memory(const void *fdt)
{
	struct mem_range ram[MMU_MAX_RANGES];
	unsigned n = 0;
	int node = -1;

	while ((node = fdt_node_offset_by_prop_value(fdt, node, "device_type", "memory", 7)) >= 0) {
		for (int i = 0; n < MMU_MAX_RANGES - 1; i++) {
			const char *why;

			if (dt_reg(fdt, node, i, &ram[n].base, &ram[n].size, &why))
				break;
			fw_printf("memory: 0x%llx size 0x%llx\n", (unsigned long long)ram[n].base,
				  (unsigned long long)ram[n].size);
			n++;
		}
	}
	if (!n)
		dt_fail("no memory node (device_type = \"memory\" with reg)", NULL);
	/* The image itself is always mapped as memory, whatever the tree says. */
	ram[n].base = (uintptr_t)__image_start;
	ram[n].size = (uintptr_t)__image_end - (uintptr_t)__image_start;
	n++;
	if (mmu_enable(ram, n))
		dt_fail("memory ranges need more translation tables than the platform has", NULL);
}

/* The first okay node compatible with compat, its reg as a window of at least min bytes. */
static uint64_t resource(const void *fdt, const char *compat, uint64_t min, uint64_t *size)
{
	int node = dt_find_compatible(fdt, compat);
	const char *why;
	uint64_t base;

	if (node < 0) {
		fw_printf("device tree: no node compatible with \"%s\"\n", compat);
		plat_stop(STOP_BAD_DT);
	}
	if (dt_reg(fdt, node, 0, &base, size, &why)) {
		fw_printf("device tree: %s (%s) reg: %s\n", fdt_get_name(fdt, node, NULL), compat, why);
		plat_stop(STOP_BAD_DT);
	}
	if (*size < min || (base & 63)) {
		fw_printf("device tree: %s (%s) reg 0x%llx size 0x%llx: needs 64-byte alignment and at least 0x%llx bytes\n",
			  fdt_get_name(fdt, node, NULL), compat, (unsigned long long)base, (unsigned long long)*size,
			  (unsigned long long)min);
		plat_stop(STOP_BAD_DT);
	}
	return base;
}

static void dt_resources(const void *fdt, struct fw_resources *res)
{
	uint64_t bar0, bar0_size, tw, tw_size, punt, punt_size, ring, arena, arena_size, dma, dma_size;
	volatile struct clif_tblwin_regs *w;
	int node;

	bar0 = resource(fdt, "clif,bar0", CLIF_BAR0_SIZE, &bar0_size);
	fw_printf("clif,bar0: 0x%llx size 0x%llx (identity 0x%llx, mailbox 0x%llx)\n", (unsigned long long)bar0,
		  (unsigned long long)bar0_size, (unsigned long long)(bar0 + CLIF_BAR0_OFF_IDENT),
		  (unsigned long long)(bar0 + CLIF_BAR0_OFF_MBOX));
	res->ident = phys(bar0 + CLIF_BAR0_OFF_IDENT);
	res->mbox = phys(bar0 + CLIF_BAR0_OFF_MBOX);
	res->board_id = dt_u32(fdt, dt_find_compatible(fdt, "clif,bar0"), "clif,board-id", 0);

	tw = resource(fdt, "clif,table-window", sizeof(struct clif_tblwin_regs), &tw_size);
	w = phys(tw);
	/* A model-backed window publishes its geometry on a doorbell; hardware ignores cmd NONE. */
	w->cmd = CLIF_TW_CMD_NONE;
	plat_tw_doorbell(w);
	fw_printf("clif,table-window: 0x%llx size 0x%llx (exact %ux%u + %u stash, prefix %u, ternary %u, rule slots %u)\n",
		  (unsigned long long)tw, (unsigned long long)tw_size, w->exact_ways, w->exact_way_size,
		  w->exact_stash_entries, w->prefix_entries, w->ternary_entries, w->rule_slots);
	res->tw = w;

	punt = resource(fdt, "clif,punt-ring", sizeof(struct clif_ring_regs) + CLIF_RING_MIN_SIZE, &punt_size);
	ring = punt + sizeof(struct clif_ring_regs);
	punt_size -= sizeof(struct clif_ring_regs);
	if (punt_size & (punt_size - 1) || punt_size > 0x80000000ull) {
		fw_printf("device tree: clif,punt-ring: ring of 0x%llx bytes (reg size - 64) is not a power of two up to 2 GiB\n",
			  (unsigned long long)punt_size);
		plat_stop(STOP_BAD_DT);
	}
	fw_printf("clif,punt-ring: 0x%llx size 0x%llx (registers 0x%llx, ring 0x%llx size 0x%llx)\n",
		  (unsigned long long)punt, (unsigned long long)(punt_size + sizeof(struct clif_ring_regs)),
		  (unsigned long long)punt, (unsigned long long)ring, (unsigned long long)punt_size);
	res->punt = phys(punt);
	res->punt_mem = phys(ring);
	/* Where the data plane writes punted frames: the ring memory the tree gives. */
	res->punt->base_lo = (uint32_t)ring;
	res->punt->base_hi = (uint32_t)(ring >> 32);
	res->punt->size = (uint32_t)punt_size;

	node = dt_find_compatible(fdt, "clif,dma");
	if (node >= 0) {
		dma = resource(fdt, "clif,dma", 64, &dma_size);
		fw_printf("clif,dma: 0x%llx size 0x%llx (host DMA window)\n", (unsigned long long)dma,
			  (unsigned long long)dma_size);
	} else {
		fw_printf("clif,dma: none\n");
	}

	arena = resource(fdt, "clif,fw-arena", 4096, &arena_size);
	fw_printf("clif,fw-arena: 0x%llx size 0x%llx\n", (unsigned long long)arena, (unsigned long long)arena_size);
	res->arena = phys(arena);
	res->arena_size = (size_t)arena_size;
}

static void dt_board(const void *fdt, struct fw_resources *res)
{
	int mlen, clen;
	const char *model = fdt_getprop(fdt, 0, "model", &mlen);
	const char *compat = fdt_getprop(fdt, 0, "compatible", &clen);

	if (!model || !compat || mlen < 2 || clen < 2 || model[mlen - 1] || compat[clen - 1])
		dt_fail("the root node needs model and compatible strings", NULL);
	res->board_name = model;
	res->compatible = compat;
	fw_printf("board: %s (%s)\n", model, compat);
}

void plat_main(uintptr_t x0, uint64_t entry_el)
{
	struct fw_resources res = { 0 };
	const char *from = NULL;
	const void *fdt;
	int rc;

	stack_guard_init(read_sysreg(cntpct_el0) ^ x0);
	early_console();
	if (!find_fdt(x0, &fdt, &from)) {
		fw_printf("device tree: none found (x0 0x%llx"
#ifdef FW_DTB_ADDR
			  ", board default " STR(FW_DTB_ADDR)
#endif
			  ")\n", (unsigned long long)x0);
		plat_stop(STOP_BAD_DT);
	}
	/* The whole structure, before anything walks it (a console may already be there). */
	rc = fdt_check_full(fdt, fdt_totalsize(fdt));
	if (rc)
		dt_fail("malformed", fdt_strerror(rc));
	dt_console(fdt);
	fw_printf("\nCLIF firmware %u.%u.%u build %s\n", FW_VERSION_MAJOR, FW_VERSION_MINOR, FW_VERSION_PATCH,
		  FW_BUILD_ID);
	dt_board(fdt, &res);
	fw_printf("cpu: MIDR 0x%08llx MPIDR 0x%llx, entered at EL%u, runs at EL1\n",
		  (unsigned long long)read_sysreg(midr_el1), (unsigned long long)read_sysreg(mpidr_el1),
		  (unsigned)entry_el);
	fw_printf("device tree: 0x%llx (%s), %u bytes\n", (unsigned long long)(uintptr_t)fdt, from,
		  fdt_totalsize(fdt));
	dt_clock(fdt);
	dt_memory(fdt);
	dt_resources(fdt, &res);

	rc = fw_init(&fw, &res);
	if (rc) {
		fw_printf("fw_init: %s (%d): is clif,fw-arena large enough?\n", clif_mbox_status_to_str((uint32_t)rc), rc);
		plat_stop(STOP_BAD_DT);
	}
	if (FW_BOOT_SELFTEST) {
		int failures;

		fw_printf("selftest: seed %u\n", FW_SELFTEST_SEED);
		failures = fw_selftest(&fw, FW_SELFTEST_SEED);
		if (failures)
			fw_printf("selftest: FAILED, %d failures\n", failures);
		else
			fw_printf("selftest: passed\n");
		plat_stop(failures ? 1 : 0);
	}
	fw_printf("fw: serving\n");
	for (;;) {
		if (!fw_poll(&fw))
			plat_idle();
	}
}
