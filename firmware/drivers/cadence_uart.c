/* SPDX-License-Identifier: BSD-3-Clause */
/* Cadence UART (cdns,uart-r1p12 / xlnx,xuartps), transmit side. Every wait is bounded. */
#include "drivers/cadence_uart.h"

static inline uint32_t rd(uintptr_t base, uint32_t off)
{
	return *(volatile uint32_t *)(base + off);
}

static inline void wr(uintptr_t base, uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(base + off) = v;
}

int cdns_uart_init(uintptr_t base)
{
	uint32_t cr = rd(base, CDNS_UART_CR);

	cr &= ~(CDNS_UART_CR_TXDIS | CDNS_UART_CR_RXDIS);
	wr(base, CDNS_UART_CR, cr | CDNS_UART_CR_TXEN | CDNS_UART_CR_RXEN);
	return 0;
}

int cdns_uart_putc(uintptr_t base, char c)
{
	for (uint32_t i = 0; i < CDNS_UART_TX_POLLS; i++) {
		if (!(rd(base, CDNS_UART_SR) & CDNS_UART_SR_TXFULL)) {
			wr(base, CDNS_UART_FIFO, (uint8_t)c);
			return 0;
		}
	}
	return -1;
}

void cdns_uart_flush(uintptr_t base)
{
	for (uint32_t i = 0; i < CDNS_UART_TX_POLLS; i++) {
		uint32_t sr = rd(base, CDNS_UART_SR);

		if ((sr & CDNS_UART_SR_TXEMPTY) && !(sr & CDNS_UART_SR_TACTIVE))
			return;
	}
}
