/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What stack-protected code (Debian's libfdt.a) needs: the guard and the function it calls
 * when a frame's copy of the guard was overwritten. The firmware's own code is built without
 * the protector.
 */
#include <stdint.h>

#include "fw/log.h"
#include "plat/plat.h"

uintptr_t __stack_chk_guard = 0x595e9fbd94fda766ul;

void __stack_chk_fail(void) __attribute__((noreturn));

void __stack_chk_fail(void)
{
	fw_panic("stack smashing detected");
}

void stack_guard_init(uint64_t seed)
{
	/* Never 0 and never a string terminator in its low byte. */
	__stack_chk_guard ^= (uintptr_t)(seed * 0x9e3779b97f4a7c15ull);
	__stack_chk_guard &= ~(uintptr_t)0xff;
	__stack_chk_guard |= 0x2a;
}
