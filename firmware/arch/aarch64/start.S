/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Entry of the firmware image. The loader (QEMU's ELF loader, U-Boot's bootelf, a debugger)
 * enters here on one or more cores, at EL3, EL2 or EL1, with the MMU off; x0 may hold the
 * device tree's address (0 when the loader passes none).
 *
 * The primary core (MPIDR affinity FW_PRIMARY_MPIDR, 0 by default) drops to EL1 if it came in
 * higher, enables FP/Advanced SIMD (libfdt and the compiler use the vector registers), installs
 * the exception vectors, sets up its stacks, zeroes .bss and calls plat_main(x0, entry EL). Every other
 * core parks in a wfe loop for good.
 *
 * Stacks: the firmware runs on SP_EL0 (__stack_top); SP_EL1 (__exc_stack_top) is kept for
 * exceptions only, so an exception taken with a broken stack still reports itself.
 */
#include "arch/aarch64.h"

#ifndef FW_PRIMARY_MPIDR
#define FW_PRIMARY_MPIDR 0
#endif

	.section .text.boot, "ax"
	.global _start
	.type _start, %function
_start:
	mov	x19, x0				/* device tree from the loader, or 0 */

	mrs	x1, mpidr_el1
	ldr	x2, =MPIDR_AFFINITY_MASK
	and	x1, x1, x2
	ldr	x2, =FW_PRIMARY_MPIDR
	cmp	x1, x2
	b.ne	park

	mrs	x1, CurrentEL
	lsr	x1, x1, #CURRENTEL_SHIFT
	mov	x20, x1				/* the exception level we came in at */
	cmp	x1, #3
	b.eq	from_el3
	cmp	x1, #2
	b.eq	from_el2
	b	at_el1

from_el3:
	/* Lower levels run AArch64; the firmware continues at (secure) EL1. */
	mov	x1, #(SCR_RES1 | SCR_RW)
	msr	scr_el3, x1
	msr	cptr_el3, xzr			/* FP/SIMD not trapped */
	ldr	x1, =SCTLR_EL1_BOOT
	msr	sctlr_el1, x1
	mov	x1, #SPSR_EL1H_MASKED
	msr	spsr_el3, x1
	adr	x1, at_el1
	msr	elr_el3, x1
	eret

from_el2:
	/* EL1 is AArch64, owns the counter and timer, sees the real CPU IDs; nothing trapped. */
	mov	x1, #HCR_RW
	msr	hcr_el2, x1
	mrs	x1, cnthctl_el2
	orr	x1, x1, #(CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN)
	msr	cnthctl_el2, x1
	msr	cntvoff_el2, xzr		/* cntvct == cntpct */
	mov	x1, #CPTR_EL2_RES1
	msr	cptr_el2, x1
	msr	hstr_el2, xzr
	mrs	x1, midr_el1
	msr	vpidr_el2, x1
	mrs	x1, mpidr_el1
	msr	vmpidr_el2, x1
	ldr	x1, =SCTLR_EL1_BOOT
	msr	sctlr_el1, x1
	mov	x1, #SPSR_EL1H_MASKED
	msr	spsr_el2, x1
	adr	x1, at_el1
	msr	elr_el2, x1
	eret

at_el1:
	ldr	x1, =SCTLR_EL1_BOOT		/* MMU and caches off until plat_main maps memory */
	msr	sctlr_el1, x1
	mov	x1, #CPACR_FPEN_NOTRAP
	msr	cpacr_el1, x1
	ldr	x1, =fw_vectors
	msr	vbar_el1, x1
	isb

	ldr	x1, =__exc_stack_top
	mov	sp, x1				/* SP_EL1: exceptions */
	ldr	x1, =__stack_top
	msr	sp_el0, x1
	msr	spsel, #0			/* run on SP_EL0 */

	ldr	x1, =__bss_start
	ldr	x2, =__bss_end
1:	cmp	x1, x2
	b.hs	2f
	stp	xzr, xzr, [x1], #16
	b	1b
2:
	msr	daifclr, #4			/* SError reported; IRQ and FIQ stay masked */
	mov	x29, xzr
	mov	x30, xzr
	mov	x0, x19
	mov	x1, x20
	bl	plat_main
	mov	w0, #4				/* plat_main does not return */
	bl	plat_stop

park:
	wfe
	b	park
	.size _start, . - _start
