/* SPDX-License-Identifier: BSD-3-Clause */
/* Arm PrimeCell UART (PL011), device-tree compatible "arm,pl011": transmit side only. */
#ifndef FW_DRIVERS_PL011_H
#define FW_DRIVERS_PL011_H

#include <stdint.h>

#define PL011_DR 0x000u              /* data register */
#define PL011_FR 0x018u              /* flag register */
#define PL011_FR_BUSY (1u << 3)      /* transmitting (FIFO or shift register not empty) */
#define PL011_FR_TXFF (1u << 5)      /* transmit FIFO full */
#define PL011_CR 0x030u              /* control register */
#define PL011_CR_UARTEN (1u << 0)    /* UART enable */
#define PL011_CR_TXE (1u << 8)       /* transmit enable */
#define PL011_CR_RXE (1u << 9)       /* receive enable */

#define PL011_TX_POLLS 1000000u      /* flag-register reads before a character is given up */

int pl011_init(uintptr_t base);
int pl011_putc(uintptr_t base, char c);
void pl011_flush(uintptr_t base);

#endif /* FW_DRIVERS_PL011_H */
