/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An identity map of the first 512 GiB (39-bit addresses, 4 KiB granule, walks start at
 * level 1): memory ranges become normal write-back memory, everything else device memory
 * that is never executed. 1 GiB blocks, and 2 MiB blocks inside the gigabytes a range covers
 * only in part. With the MMU off every access is Device-nGnRnE: unaligned accesses (which
 * libfdt and the compiler emit) fault and nothing is cached; hence the map.
 */
#include <stdint.h>

#include "arch/aarch64.h"
#include "plat/plat.h"

#define L1_ENTRIES 512u
#define L2_ENTRIES 512u
#define L2_TABLES 8u             /* gigabytes that may hold a range boundary */
#define GIB (1ull << 30)
#define MIB2 (1ull << 21)
#define VA_LIMIT (1ull << 39)

static uint64_t l1[L1_ENTRIES] __attribute__((aligned(4096)));
static uint64_t l2[L2_TABLES][L2_ENTRIES] __attribute__((aligned(4096)));

#define BLOCK_NORMAL (PTE_TYPE_BLOCK | PTE_ATTRINDX(MAIR_IDX_NORMAL) | PTE_SH_INNER | PTE_AF)
#define BLOCK_DEVICE (PTE_TYPE_BLOCK | PTE_ATTRINDX(MAIR_IDX_DEVICE) | PTE_AF | PTE_PXN | PTE_UXN)

/* 2: [lo, hi) lies inside a range; 1: overlaps one; 0: touches none. */
static int coverage(const struct mem_range *r, unsigned n, uint64_t lo, uint64_t hi)
{
	int best = 0;

	for (unsigned i = 0; i < n; i++) {
		uint64_t end = r[i].base + r[i].size;

		if (r[i].base <= lo && end >= hi)
			return 2;
		if (r[i].base < hi && end > lo)
			best = 1;
	}
	return best;
}

int mmu_enable(const struct mem_range *ram, unsigned n)
{
	unsigned used = 0;
	uint64_t parange, tcr;

	for (unsigned i = 0; i < L1_ENTRIES; i++) {
		uint64_t lo = (uint64_t)i * GIB;
		int c = coverage(ram, n, lo, lo + GIB);

		if (c == 2) {
			l1[i] = lo | BLOCK_NORMAL;
		} else if (c == 0) {
			l1[i] = lo | BLOCK_DEVICE;
		} else {
			if (used == L2_TABLES)
				return -1;
			for (unsigned j = 0; j < L2_ENTRIES; j++) {
				uint64_t a = lo + (uint64_t)j * MIB2;

				l2[used][j] = a | (coverage(ram, n, a, a + MIB2) ? BLOCK_NORMAL : BLOCK_DEVICE);
			}
			l1[i] = (uint64_t)(uintptr_t)l2[used] | PTE_TYPE_TABLE;
			used++;
		}
	}

	parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;
	if (parange > 5)
		parange = 5;
	tcr = TCR_T0SZ_39 | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA | TCR_SH0_INNER | TCR_TG0_4K | TCR_EPD1 |
	      (parange << TCR_IPS_SHIFT);

	dsb_sy();
	write_sysreg(mair_el1, MAIR_VALUE);
	write_sysreg(tcr_el1, tcr);
	write_sysreg(ttbr0_el1, (uint64_t)(uintptr_t)l1);
	isb();
	__asm__ volatile("tlbi vmalle1\n\tdsb nsh\n\tisb" : : : "memory");
	write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) | SCTLR_M | SCTLR_C | SCTLR_I);
	isb();
	return 0;
}

_Static_assert(VA_LIMIT == (uint64_t)L1_ENTRIES * GIB, "level 1 covers the 39-bit space");
