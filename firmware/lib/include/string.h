/* SPDX-License-Identifier: BSD-3-Clause */
/* The firmware's <string.h>: the functions firmware/lib/string.c provides (libfdt needs them). */
#ifndef FW_LIB_STRING_H
#define FW_LIB_STRING_H

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);

#endif /* FW_LIB_STRING_H */
