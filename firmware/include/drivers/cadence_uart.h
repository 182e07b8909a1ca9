/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cadence UART (Zynq / Zynq UltraScale+ "UART0/1"), device-tree compatible "cdns,uart-r1p12"
 * or "xlnx,xuartps": transmit side only. The baud rate is left as the boot loader set it.
 */
#ifndef FW_DRIVERS_CADENCE_UART_H
#define FW_DRIVERS_CADENCE_UART_H

#include <stdint.h>

#define CDNS_UART_CR 0x00u               /* control register */
#define CDNS_UART_CR_RXEN (1u << 2)      /* receiver enable */
#define CDNS_UART_CR_RXDIS (1u << 3)     /* receiver disable */
#define CDNS_UART_CR_TXEN (1u << 4)      /* transmitter enable */
#define CDNS_UART_CR_TXDIS (1u << 5)     /* transmitter disable */
#define CDNS_UART_SR 0x2cu               /* channel status register */
#define CDNS_UART_SR_TXEMPTY (1u << 3)   /* transmit FIFO empty */
#define CDNS_UART_SR_TXFULL (1u << 4)    /* transmit FIFO full */
#define CDNS_UART_SR_TACTIVE (1u << 11)  /* transmitter state machine active */
#define CDNS_UART_FIFO 0x30u             /* transmit and receive FIFO */

#define CDNS_UART_TX_POLLS 1000000u      /* status reads before a character is given up */

int cdns_uart_init(uintptr_t base);
int cdns_uart_putc(uintptr_t base, char c);
void cdns_uart_flush(uintptr_t base);

#endif /* FW_DRIVERS_CADENCE_UART_H */
