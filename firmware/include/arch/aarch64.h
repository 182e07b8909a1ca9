/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AArch64 system-register fields the platform uses, shared by C and assembly (U()/UL() give
 * the constants their C suffix only in C), and register accessors for C.
 */
#ifndef FW_ARCH_AARCH64_H
#define FW_ARCH_AARCH64_H

#ifdef __ASSEMBLER__
#define U(x) x
#define UL(x) x
#else
#define U(x) x##u
#define UL(x) x##ul
#endif

/* MPIDR_EL1 */
#define MPIDR_AFFINITY_MASK UL(0xff00ffffff) /* Aff3..Aff0 */

/* CurrentEL */
#define CURRENTEL_SHIFT 2

/* SCTLR_EL1 */
#define SCTLR_M (U(1) << 0)          /* MMU enable */
#define SCTLR_A (U(1) << 1)          /* alignment check */
#define SCTLR_C (U(1) << 2)          /* data caches */
#define SCTLR_SA (U(1) << 3)         /* SP alignment check at EL1 */
#define SCTLR_I (U(1) << 12)         /* instruction cache */
#define SCTLR_EL1_RES1 U(0x30d00800) /* bits 11, 20, 22, 23, 28, 29 */
#define SCTLR_EL1_BOOT (SCTLR_EL1_RES1 | SCTLR_SA) /* MMU and caches off, little-endian */

/* CPACR_EL1 */
#define CPACR_FPEN_NOTRAP (U(3) << 20) /* FP/Advanced SIMD not trapped at EL0/EL1 */

/* HCR_EL2 */
#define HCR_RW (U(1) << 31)          /* EL1 is AArch64 */

/* CNTHCTL_EL2 */
#define CNTHCTL_EL1PCTEN (U(1) << 0) /* EL1 reads the physical counter */
#define CNTHCTL_EL1PCEN (U(1) << 1)  /* EL1 uses the physical timer */

/* CPTR_EL2 */
#define CPTR_EL2_RES1 U(0x33ff)      /* TFP (bit 10) clear: FP not trapped */

/* SCR_EL3 */
#define SCR_RES1 (U(3) << 4)
#define SCR_RW (U(1) << 10)          /* lower ELs are AArch64 */

/* SPSR_ELx: EL1h (SP_EL1), D, A, I, F masked */
#define SPSR_EL1H_MASKED U(0x3c5)

/* MAIR_EL1 attribute indices (the page-table AttrIndx field) */
#define MAIR_IDX_DEVICE 0            /* Device-nGnRE */
#define MAIR_IDX_NORMAL 1            /* Normal, write-back read/write-allocate */
#define MAIR_VALUE UL(0xff04)

/* TCR_EL1: TTBR0 only, 4 KiB granule, 39-bit addresses (the walk starts at level 1) */
#define TCR_T0SZ_39 U(25)
#define TCR_IRGN0_WBWA (U(1) << 8)
#define TCR_ORGN0_WBWA (U(1) << 10)
#define TCR_SH0_INNER (U(3) << 12)
#define TCR_TG0_4K (U(0) << 14)
#define TCR_EPD1 (U(1) << 23)        /* no TTBR1 walks */
#define TCR_IPS_SHIFT 32

/* Block and table descriptors (stage 1, 4 KiB granule) */
#define PTE_TYPE_BLOCK UL(0x1)
#define PTE_TYPE_TABLE UL(0x3)
#define PTE_ATTRINDX(i) ((unsigned long)(i) << 2)
#define PTE_SH_INNER (UL(3) << 8)
#define PTE_AF (UL(1) << 10)         /* access flag (no access-flag faults) */
#define PTE_PXN (UL(1) << 53)
#define PTE_UXN (UL(1) << 54)

/* ESR_ELx */
#define ESR_EC_SHIFT 26
#define ESR_EC_MASK U(0x3f)

#ifndef __ASSEMBLER__
#include <stdint.h>

#define read_sysreg(reg)                                              \
	({                                                            \
		uint64_t v_;                                          \
		__asm__ volatile("mrs %0, " #reg : "=r"(v_));         \
		v_;                                                   \
	})
#define write_sysreg(reg, v) __asm__ volatile("msr " #reg ", %0" : : "r"((uint64_t)(v)) : "memory")

static inline void isb(void)
{
	__asm__ volatile("isb" : : : "memory");
}

static inline void dsb_sy(void)
{
	__asm__ volatile("dsb sy" : : : "memory");
}

/* Masks D, A, I and F. */
static inline void daif_mask_all(void)
{
	__asm__ volatile("msr daifset, #0xf" : : : "memory");
}

static inline void wfi(void)
{
	__asm__ volatile("wfi" : : : "memory");
}

static inline void wfe(void)
{
	__asm__ volatile("wfe" : : : "memory");
}
#endif /* __ASSEMBLER__ */

#endif /* FW_ARCH_AARCH64_H */
