/* SPDX-License-Identifier: BSD-3-Clause */
/* Console output without libc: a small vsnprintf, and the error tiers' stop paths. */
#include <stdint.h>

#include "fw/log.h"
#include "fw/port.h"

struct out {
	char *buf;
	size_t size;
	size_t len; /* characters produced, even past size */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_uint(struct out *o, unsigned long long v, unsigned base, unsigned width, char pad)
{
	char digits[24];
	unsigned n = 0;

	do {
		unsigned d = (unsigned)(v % base);

		digits[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		v /= base;
	} while (v && n < sizeof(digits));
	while (width > n) {
		put(o, pad);
		width--;
	}
	while (n)
		put(o, digits[--n]);
}

int fw_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		unsigned width = 0, longs = 0;
		char pad = ' ';

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (unsigned)(*fmt++ - '0');
		while (*fmt == 'l' && longs < 2) {
			longs++;
			fmt++;
		}
		switch (*fmt) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			size_t n = 0;

			if (!s)
				s = "(null)";
			while (s[n])
				n++;
			while (width > n) {
				put(&o, pad);
				width--;
			}
			while (*s)
				put(&o, *s++);
			break;
		}
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case 'd': {
			long long v = longs == 2 ? va_arg(ap, long long) : longs ? va_arg(ap, long) : va_arg(ap, int);

			if (v < 0) {
				put(&o, '-');
				put_uint(&o, 0ull - (unsigned long long)v, 10, width ? width - 1 : 0, pad);
			} else {
				put_uint(&o, (unsigned long long)v, 10, width, pad);
			}
			break;
		}
		case 'u':
		case 'x': {
			unsigned long long v = longs == 2 ? va_arg(ap, unsigned long long)
					       : longs ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);

			put_uint(&o, v, *fmt == 'u' ? 10 : 16, width, pad);
			break;
		}
		case 'p':
			put(&o, '0');
			put(&o, 'x');
			put_uint(&o, (unsigned long long)(uintptr_t)va_arg(ap, void *), 16, 0, '0');
			break;
		case '%':
			put(&o, '%');
			break;
		default: /* unknown conversion: shown as is, so a wrong format is visible, not fatal */
			put(&o, '%');
			if (*fmt)
				put(&o, *fmt);
			else
				fmt--;
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int fw_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fw_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int fw_printf(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n, i;

	va_start(ap, fmt);
	n = fw_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	for (i = 0; line[i]; i++) {
		if (line[i] == '\n')
			plat_putc('\r');
		plat_putc(line[i]);
	}
	return n;
}

void fw_assert_failed(const char *file, int line, const char *expr)
{
	fw_printf("fw: assertion failed at %s:%d: %s\n", file, line, expr);
	plat_stop(3);
}

volatile struct clif_ident *fw_panic_ident;

void fw_panic(const char *why)
{
	fw_printf("fw: panic: %s\n", why);
	if (fw_panic_ident)
		fw_panic_ident->status = CLIF_STATUS_FAULT;
	plat_stop(2);
}
