/* SPDX-License-Identifier: BSD-3-Clause */
/* Arm generic timer: the virtual counter as a nanosecond clock. */
#include "drivers/arm_timer.h"

#include "arch/aarch64.h"

static uint64_t timer_hz;

uint64_t arm_timer_init(uint32_t dt_hz)
{
	timer_hz = read_sysreg(cntfrq_el0) & 0xffffffffu;
	if (!timer_hz)
		timer_hz = dt_hz;
	return timer_hz;
}

uint64_t arm_timer_count(void)
{
	isb(); /* no earlier read of the counter */
	return read_sysreg(cntvct_el0);
}

uint64_t arm_timer_ns(void)
{
	uint64_t t, hz = timer_hz;

	if (!hz)
		return 0;
	t = arm_timer_count();
	/* Whole seconds and the remainder apart: no overflow for 584 years at any frequency. */
	return (t / hz) * 1000000000ull + (t % hz) * 1000000000ull / hz;
}

uint64_t arm_timer_event_stream(uint64_t period_ns)
{
	uint64_t ticks = timer_hz * period_ns / 1000000000ull, ctl;
	unsigned bit = 0;

	if (!timer_hz)
		return 0;
	/* bit b changes 0 -> 1 every 2^(b+1) ticks: the largest such period within period_ns */
	while (bit < 15 && (2ull << (bit + 1)) <= ticks)
		bit++;
	ctl = read_sysreg(cntkctl_el1) & ~(uint64_t)CNTKCTL_EVNTI_MASK;
	write_sysreg(cntkctl_el1, ctl | CNTKCTL_EVNTEN | ((uint64_t)bit << CNTKCTL_EVNTI_SHIFT));
	isb();
	return 2ull << bit;
}
