/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The mem* functions the core uses. The host build (unit tests, clif-cardsim) takes them from
 * <string.h>; the freestanding aarch64 build has no C library headers, so they are declared
 * here and the platform links an implementation (GCC emits calls to memcpy and memset for
 * struct copies and clears even under -fno-builtin, so every platform needs them anyway).
 */
#ifndef FW_MEM_H
#define FW_MEM_H

#include <stddef.h>

#if __STDC_HOSTED__
#include <string.h>
#else
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
#endif

#endif /* FW_MEM_H */
