/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The console: the UART driver whose compatible string matches the device tree's stdout-path
 * node, from a table (one line per driver, designated initialisers). A UART that stops
 * answering is given up after one bounded wait, so a dead console never stalls the firmware.
 */
#include <string.h>

#include "drivers/cadence_uart.h"
#include "drivers/pl011.h"
#include "fw/port.h"
#include "plat/plat.h"

static const struct console_driver drivers[] = {
	{ .compatible = "arm,pl011", .init = pl011_init, .putc = pl011_putc, .flush = pl011_flush },
	{ .compatible = "cdns,uart-r1p12", .init = cdns_uart_init, .putc = cdns_uart_putc, .flush = cdns_uart_flush },
	{ .compatible = "xlnx,xuartps", .init = cdns_uart_init, .putc = cdns_uart_putc, .flush = cdns_uart_flush },
};

static const struct console_driver *console;
static uintptr_t console_base;
static int console_dead;

const struct console_driver *console_driver_find(const char *compatible)
{
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
		if (!strcmp(drivers[i].compatible, compatible))
			return &drivers[i];
	}
	return NULL;
}

const struct console_driver *console_driver_match(const char *compat_list, int len)
{
	while (len > 0) {
		size_t n = strnlen(compat_list, (size_t)len);
		const struct console_driver *d;

		if (n == (size_t)len) /* not NUL-terminated: malformed */
			return NULL;
		d = console_driver_find(compat_list);
		if (d)
			return d;
		compat_list += n + 1;
		len -= (int)n + 1;
	}
	return NULL;
}

int console_use(const struct console_driver *drv, uintptr_t base)
{
	int rc;

	console = NULL;
	rc = drv->init(base);
	if (rc == 0) {
		console = drv;
		console_base = base;
		console_dead = 0;
	}
	return rc;
}

void console_flush(void)
{
	if (console && !console_dead)
		console->flush(console_base);
}

void plat_putc(char c)
{
	if (!console || console_dead)
		return;
	if (console->putc(console_base, c))
		console_dead = 1;
}
