/* SPDX-License-Identifier: BSD-3-Clause */
/* Unexpected exceptions: one line on the console with everything needed to find the cause. */
#include <stdint.h>

#include "arch/aarch64.h"
#include "fw/log.h"
#include "fw/port.h"
#include "plat/plat.h"

static const char *const vector_names[16] = {
	"synchronous, current EL with SP_EL0", "IRQ, current EL with SP_EL0",
	"FIQ, current EL with SP_EL0",         "SError, current EL with SP_EL0",
	"synchronous, current EL with SP_ELx", "IRQ, current EL with SP_ELx",
	"FIQ, current EL with SP_ELx",         "SError, current EL with SP_ELx",
	"synchronous, lower EL (AArch64)",     "IRQ, lower EL (AArch64)",
	"FIQ, lower EL (AArch64)",             "SError, lower EL (AArch64)",
	"synchronous, lower EL (AArch32)",     "IRQ, lower EL (AArch32)",
	"FIQ, lower EL (AArch32)",             "SError, lower EL (AArch32)",
};

static const char *ec_name(uint32_t ec)
{
	switch (ec) {
	case 0x00: return "unknown reason (undefined instruction)";
	case 0x01: return "WFI/WFE trapped";
	case 0x07: return "FP/SIMD access trapped";
	case 0x0e: return "illegal execution state";
	case 0x15: return "SVC";
	case 0x18: return "system register access trapped";
	case 0x20: return "instruction abort from a lower EL";
	case 0x21: return "instruction abort";
	case 0x22: return "PC alignment fault";
	case 0x24: return "data abort from a lower EL";
	case 0x25: return "data abort";
	case 0x26: return "SP alignment fault";
	case 0x2f: return "SError";
	case 0x3c: return "BRK";
	default: return "other";
	}
}

void exc_report(uint64_t vector, uint64_t esr, uint64_t elr, uint64_t far, uint64_t spsr)
{
	static volatile int entered;
	uint32_t ec = (uint32_t)(esr >> ESR_EC_SHIFT) & ESR_EC_MASK;

	if (entered) {
		/* An exception while reporting one (a dead console, a broken stop path): park. */
		daif_mask_all();
		for (;;)
			wfi();
	}
	entered = 1;
	fw_printf("\nexception: %s (vector %u)\n", vector < 16 ? vector_names[vector] : "?", (unsigned)vector);
	fw_printf("exception: ESR 0x%08llx (EC 0x%02x: %s) ELR 0x%016llx FAR 0x%016llx SPSR 0x%08llx\n",
		  (unsigned long long)esr, ec, ec_name(ec), (unsigned long long)elr, (unsigned long long)far,
		  (unsigned long long)spsr);
	plat_stop(4);
}
