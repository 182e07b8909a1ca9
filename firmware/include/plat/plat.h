/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inside the aarch64 platform: what firmware/plat, firmware/arch and firmware/drivers call
 * between themselves. The core sees none of it; its porting interface is fw/port.h.
 */
#ifndef FW_PLAT_PLAT_H
#define FW_PLAT_PLAT_H

#include <stddef.h>
#include <stdint.h>

/*
 * The C entry (start.S), on the primary core at EL1, MMU off; fdt_addr is the loader's x0,
 * entry_el the exception level the core came in at (start.S dropped to EL1 from it).
 */
void plat_main(uintptr_t fdt_addr, uint64_t entry_el) __attribute__((noreturn));

/* Called by the vectors (vectors.S): prints the exception and stops with status 4. */
void exc_report(uint64_t vector, uint64_t esr, uint64_t elr, uint64_t far, uint64_t spsr)
	__attribute__((noreturn));

/* ---- console (plat/console.c): a UART driver picked by compatible string ---- */

struct console_driver {
	const char *compatible;
	int (*init)(uintptr_t base);            /* 0 or -1 (the UART does not answer) */
	int (*putc)(uintptr_t base, char c);    /* 0, or -1 when its bounded wait ran out */
	void (*flush)(uintptr_t base);          /* waits (bounded) until the last bit left */
};

/* The driver for a compatible string, or NULL. */
const struct console_driver *console_driver_find(const char *compatible);

/* The first driver matching a node's compatible list (len bytes of NUL-separated strings). */
const struct console_driver *console_driver_match(const char *compat_list, int len);

/* Makes drv at base the console. Returns the driver's init status. */
int console_use(const struct console_driver *drv, uintptr_t base);

/* Waits (bounded) until the console has sent everything; plat_stop() calls it. */
void console_flush(void);

/* ---- memory map (arch/aarch64/mmu.c) ---- */

struct mem_range {
	uint64_t base;
	uint64_t size;
};

#define MMU_MAX_RANGES 8u

/*
 * Identity-maps the 39-bit physical space: the ranges as normal write-back memory, the rest
 * as device memory (never executed), then turns the MMU and the caches on.
 * Returns 0, or -1 when the ranges need more translation tables than the platform has.
 */
int mmu_enable(const struct mem_range *ram, unsigned n);

/* ---- device tree (plat/dt.c), over libfdt ---- */

/* The first node compatible with compat whose status is "okay" (or absent); <0 if none. */
int dt_find_compatible(const void *fdt, const char *compat);

/*
 * Entry idx of a node's reg, with the parent's #address-cells/#size-cells (1 or 2 each).
 * Every ancestor must map 1:1 (no ranges, or an empty one). Returns 0, or -1 and *why.
 */
int dt_reg(const void *fdt, int node, int idx, uint64_t *base, uint64_t *size, const char **why);

/* A 32-bit cell property, or dflt when absent or malformed. */
uint32_t dt_u32(const void *fdt, int node, const char *name, uint32_t dflt);

/* ---- stack protector (lib/stack_protector.c) ---- */

/* Sets the guard libfdt's stack-protected functions check; before the first libfdt call. */
void stack_guard_init(uint64_t seed);

#endif /* FW_PLAT_PLAT_H */
