/* SPDX-License-Identifier: BSD-3-Clause */
/* The firmware's <stdlib.h>: what firmware/lib/string.c provides (libfdt needs strtoul). */
#ifndef FW_LIB_STDLIB_H
#define FW_LIB_STDLIB_H

#include <stddef.h>

unsigned long strtoul(const char *restrict s, char **restrict end, int base);

#endif /* FW_LIB_STDLIB_H */
