/* SPDX-License-Identifier: BSD-3-Clause */
/* Running the real clif-cardsim from C tests and benchmarks: see cardsim_proc.h. */
#define _GNU_SOURCE
#include "cardsim_proc.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clif/simshm.h"
#include "libclif.h"

extern char **environ;

const char *cardsim_prog = "cardsim";
volatile pid_t cardsim_pid;
uint32_t cardsim_inst;
char cardsim_shm_path[64] = "";
char cardsim_tmpdir[64] = "";
char cardsim_pcap_path[128] = "";
void (*cardsim_on_cleanup)(void);

static pcap_t *pcap_dead;
static pcap_dumper_t *pcap_dumper;

void cardsim_kill(void)
{
	pid_t pid = cardsim_pid;
	int i;

	if (pid <= 0)
		return;
	kill(pid, SIGCONT); /* a benchmark may have stopped it */
	kill(pid, SIGTERM);
	for (i = 0; i < 500 && waitpid(pid, NULL, WNOHANG) == 0; i++)
		usleep(10000);
	if (i == 500) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	cardsim_pid = 0;
	if (cardsim_shm_path[0]) { /* left behind only by a card that had to be killed */
		char lock[64];
		unlink(cardsim_shm_path);
		snprintf(lock, sizeof(lock), CLIF_SIM_MBOX_LOCK_FMT, cardsim_inst);
		unlink(lock);
	}
}

void cardsim_cleanup(void)
{
	if (cardsim_on_cleanup)
		cardsim_on_cleanup();
	cardsim_kill();
	if (cardsim_pcap_path[0])
		unlink(cardsim_pcap_path);
	if (cardsim_tmpdir[0])
		rmdir(cardsim_tmpdir);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stdout, "%s: FAIL: ", cardsim_prog);
	vfprintf(stdout, fmt, ap);
	fprintf(stdout, "\n");
	va_end(ap);
	fflush(stdout);
	cardsim_cleanup();
	exit(1);
}

void check_rc(int rc, const char *what)
{
	if (rc)
		die("%s: %s (%d)", what, clif_strerror(rc), rc);
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void nap_us(long us)
{
	struct timespec ts = { us / 1000000L, (us % 1000000L) * 1000L };

	nanosleep(&ts, NULL);
}

void cardsim_make_tmpdir(const char *tmpl)
{
	snprintf(cardsim_tmpdir, sizeof(cardsim_tmpdir), "%s", tmpl);
	if (!mkdtemp(cardsim_tmpdir)) {
		cardsim_tmpdir[0] = 0;
		die("mkdtemp: %s", strerror(errno));
	}
	snprintf(cardsim_pcap_path, sizeof(cardsim_pcap_path), "%s/frames.pcap", cardsim_tmpdir);
}

void cardsim_pcap_open(void)
{
	pcap_dead = pcap_open_dead(DLT_EN10MB, 65535);
	if (!pcap_dead)
		die("pcap_open_dead");
	pcap_dumper = pcap_dump_open(pcap_dead, cardsim_pcap_path);
	if (!pcap_dumper)
		die("pcap_dump_open %s: %s", cardsim_pcap_path, pcap_geterr(pcap_dead));
}

void cardsim_pcap_add(const uint8_t *frame, uint32_t len, long ts_sec)
{
	struct pcap_pkthdr h;

	memset(&h, 0, sizeof(h));
	h.ts.tv_sec = ts_sec;
	h.caplen = len;
	h.len = len;
	pcap_dump((u_char *)pcap_dumper, &h, frame);
}

void cardsim_pcap_close(void)
{
	pcap_dump_close(pcap_dumper);
	pcap_close(pcap_dead);
	pcap_dumper = NULL;
	pcap_dead = NULL;
}

void cardsim_start(const char *bindir, uint32_t inst, const char *const *args)
{
	char path[600], inst_s[16];
	char *argv[24];
	uint32_t n = 0, i;
	pid_t pid;
	int rc;

	snprintf(path, sizeof(path), "%s/clif-cardsim", bindir);
	snprintf(inst_s, sizeof(inst_s), "%u", inst);
	argv[n++] = path;
	argv[n++] = "--instance";
	argv[n++] = inst_s;
	for (i = 0; args[i] && n < 22u; i++)
		argv[n++] = (char *)(uintptr_t)args[i];
	argv[n++] = "--quiet";
	argv[n] = NULL;
	cardsim_inst = inst;
	snprintf(cardsim_shm_path, sizeof(cardsim_shm_path), "/dev/shm%s%u", CLIF_SIM_SHM_PREFIX, inst);
	rc = posix_spawn(&pid, path, NULL, NULL, argv, environ);
	if (rc)
		die("cannot start %s: %s", path, strerror(rc));
	cardsim_pid = pid;
}

void cardsim_wait_up(int (*up)(void *ctx), void *ctx, uint64_t timeout_ms, long nap_us_each)
{
	uint64_t end = now_ns() + timeout_ms * 1000000ull;

	while (!up(ctx)) {
		if (waitpid(cardsim_pid, NULL, WNOHANG) == cardsim_pid) {
			cardsim_pid = 0;
			die("clif-cardsim (instance %u) exited before its card came up", cardsim_inst);
		}
		if (now_ns() > end)
			die("clif-cardsim (instance %u) not up after %llu ms", cardsim_inst,
			    (unsigned long long)timeout_ms);
		nap_us(nap_us_each);
	}
}
