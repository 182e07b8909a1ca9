/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Console output and the error tiers' helpers. fw_printf() knows %s %c %d %u %x %lu %lx %llu
 * %llx %p and a width with 0 padding (%08x); nothing allocates.
 */
#ifndef FW_LOG_H
#define FW_LOG_H

#include <stdarg.h>
#include <stddef.h>

#include "clif/ident.h"

int fw_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int fw_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fw_snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The identity block a panic marks FAULT (set by fw_init()). */
extern volatile struct clif_ident *fw_panic_ident;

/* Unrecoverable hardware state: prints the reason, sets the identity status to FAULT, stops. */
void fw_panic(const char *why) __attribute__((noreturn));

/* Our own bugs. */
#define FW_ASSERT(c)                                                     \
	do {                                                             \
		if (!(c))                                                \
			fw_assert_failed(__FILE__, __LINE__, #c);        \
	} while (0)
void fw_assert_failed(const char *file, int line, const char *expr) __attribute__((noreturn));

#endif /* FW_LOG_H */
