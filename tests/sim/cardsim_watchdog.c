/* SPDX-License-Identifier: BSD-3-Clause */
/* The cardsim tests' watchdog: see cardsim_watchdog.h. */
#define _POSIX_C_SOURCE 200809L
#include "cardsim_watchdog.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cardsim_proc.h"

static char watchdog_msg[128];
static size_t watchdog_msg_len;

/* Only async-signal-safe calls: no cardsim_cleanup() (it waits and sleeps), SIGKILL at once. */
static void on_signal(int sig)
{
	ssize_t w;

	(void)sig;
	w = write(1, watchdog_msg, watchdog_msg_len);
	(void)w;
	if (cardsim_pid > 0) {
		kill(cardsim_pid, SIGKILL);
		unlink(cardsim_shm_path);
	}
	if (cardsim_pcap_path[0])
		unlink(cardsim_pcap_path);
	if (cardsim_tmpdir[0])
		rmdir(cardsim_tmpdir);
	_exit(1);
}

void cardsim_watchdog(unsigned seconds)
{
	struct sigaction sa;
	int n = snprintf(watchdog_msg, sizeof(watchdog_msg), "%s: FAIL: watchdog or signal: stopping\n",
			 cardsim_prog);

	if (n < 0) {
		n = 0;
	} else if ((size_t)n >= sizeof(watchdog_msg)) {
		/* a prefix too long for the buffer still ends the line */
		n = (int)sizeof(watchdog_msg) - 1;
		watchdog_msg[n - 1] = '\n';
	}
	watchdog_msg_len = (size_t)n;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	alarm(seconds);
}
