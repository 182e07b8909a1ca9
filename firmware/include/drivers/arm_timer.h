/* SPDX-License-Identifier: BSD-3-Clause */
/* Arm generic timer: the virtual counter (cntvct_el0) as the firmware's clock. */
#ifndef FW_DRIVERS_ARM_TIMER_H
#define FW_DRIVERS_ARM_TIMER_H

#include <stdint.h>

/*
 * Takes the counter frequency from cntfrq_el0 (set by the boot firmware), or dt_hz (the device
 * tree's "clock-frequency" of the arm,armv8-timer node, 0 if none) when cntfrq_el0 is 0.
 * Returns the frequency in Hz, 0 if neither gives one.
 */
uint64_t arm_timer_init(uint32_t dt_hz);

uint64_t arm_timer_count(void);

/* Nanoseconds since the counter started; 0 before arm_timer_init() found a frequency. */
uint64_t arm_timer_ns(void);

/*
 * Turns on the counter's event stream: an event (waking wfe) at least every period_ns.
 * Returns the period chosen, in counter ticks (a power of two), 0 without a frequency.
 */
uint64_t arm_timer_event_stream(uint64_t period_ns);

#define CNTKCTL_EVNTEN (1u << 2)      /* event stream enable */
#define CNTKCTL_EVNTI_SHIFT 4         /* counter bit whose 0-to-1 change is the event */
#define CNTKCTL_EVNTI_MASK (0xfu << 4)

#endif /* FW_DRIVERS_ARM_TIMER_H */
