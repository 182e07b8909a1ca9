/* SPDX-License-Identifier: BSD-3-Clause */
/* Arm PL011 UART, transmit side. Every wait is bounded by PL011_TX_POLLS. */
#include "drivers/pl011.h"

static inline uint32_t rd(uintptr_t base, uint32_t off)
{
	return *(volatile uint32_t *)(base + off);
}

static inline void wr(uintptr_t base, uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(base + off) = v;
}

int pl011_init(uintptr_t base)
{
	uint32_t cr = rd(base, PL011_CR);
	uint32_t want = PL011_CR_UARTEN | PL011_CR_TXE | PL011_CR_RXE;

	/* Keep the line settings the boot loader chose; only make sure it transmits. */
	if ((cr & want) != want)
		wr(base, PL011_CR, cr | want);
	return 0;
}

int pl011_putc(uintptr_t base, char c)
{
	for (uint32_t i = 0; i < PL011_TX_POLLS; i++) {
		if (!(rd(base, PL011_FR) & PL011_FR_TXFF)) {
			wr(base, PL011_DR, (uint8_t)c);
			return 0;
		}
	}
	return -1;
}

void pl011_flush(uintptr_t base)
{
	for (uint32_t i = 0; i < PL011_TX_POLLS && (rd(base, PL011_FR) & PL011_FR_BUSY); i++)
		;
}
