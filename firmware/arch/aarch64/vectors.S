/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Exception vectors (VBAR_EL1): 16 entries of 0x80 bytes, 2 KiB aligned. Every entry calls
 * exc_report(vector, ESR, ELR, FAR, SPSR) on the exception stack (SP_EL1); it prints them and
 * stops the firmware. The firmware masks IRQ and FIQ, so any exception is unexpected.
 */
	.macro	ventry, idx
	.balign	0x80
	stp	x29, x30, [sp, #-16]!
	mov	x0, #\idx
	b	exc_common
	.endm

	.section .text.vectors, "ax"
	.balign	0x800
	.global	fw_vectors
fw_vectors:
	ventry	0	/* current EL, SP_EL0: synchronous */
	ventry	1	/* IRQ */
	ventry	2	/* FIQ */
	ventry	3	/* SError */
	ventry	4	/* current EL, SP_ELx: synchronous */
	ventry	5
	ventry	6
	ventry	7
	ventry	8	/* lower EL, AArch64 */
	ventry	9
	ventry	10
	ventry	11
	ventry	12	/* lower EL, AArch32 */
	ventry	13
	ventry	14
	ventry	15

exc_common:
	mrs	x1, esr_el1
	mrs	x2, elr_el1
	mrs	x3, far_el1
	mrs	x4, spsr_el1
	mov	x29, xzr
	bl	exc_report
1:	wfi				/* exc_report does not return */
	b	1b
