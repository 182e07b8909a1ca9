/* SPDX-License-Identifier: BSD-3-Clause */
/* clif-cardsim: command line, start-up, signals and shutdown (boards/sim/README.md). */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cardsim.h"

struct cardsim g_cs = { .shm_fd = -1, .wire_fd = { -1, -1 } };

static const char usage_text[] =
	"Usage: clif-cardsim [--instance N] [--dma-size BYTES] SOURCE [OPTIONS]\n"
	"\n"
	"A CLIF card as a host process: BAR0 and a DMA region in the shared-memory object\n"
	"/dev/shm/clif-card-N (include/clif/simshm.h), the card firmware's core serving the\n"
	"mailbox, and the HLS data-plane model capturing into the C2H ring the host arms.\n"
	"libclif reaches it as card \"sim:N\". It runs until SIGINT or SIGTERM (exit status 0).\n"
	"\n"
	"Card:\n"
	"  --instance N          card number N (0-65535, default 0): /dev/shm/clif-card-N;\n"
	"                        refused while another clif-cardsim runs it, replaced if stale\n"
	"  --dma-size BYTES      DMA region the host carves its C2H ring from (default 64M;\n"
	"                        a multiple of 4096 up to 64G; K, M, G suffixes)\n"
	"\n"
	"Traffic source (exactly one):\n"
	"  --pcap FILE           frames of an Ethernet (DLT_EN10MB) pcap or pcapng file, vport 0;\n"
	"                        frames longer than 9728 bytes are counted and skipped\n"
	"    --rate PPS          deliver PPS frames per second (default: as fast as possible)\n"
	"    --loop N            play the file N times (default 1)\n"
	"    --loop-forever      play it until stopped\n"
	"  --generate N          N random frames from the data-plane testbench's generator\n"
	"                        (hls/tb/pktgen.c: overlays, VLANs, damaged headers), with its\n"
	"                        vports; 0: until stopped. --rate applies too\n"
	"    --seed S            generator seed (default 1)\n"
	"  --wire IF_A IF_B      bump in the wire between two network interfaces: every frame\n"
	"                        received on one is sent unchanged on the other and runs through\n"
	"                        the data plane (from IF_A: vport 1, from IF_B: vport 2). Needs\n"
	"                        CAP_NET_RAW (root); the interfaces must be up; turn off GRO/LRO\n"
	"                        and TSO/GSO on them (ethtool -K IF gro off lro off tso off gso off)\n"
	"\n"
	"Options:\n"
	"  --fault LIST          start with test faults set (comma-separated; hosts may change\n"
	"                        them in the shared header at any time):\n"
	"                          no-heartbeat  the identity block's heartbeat stops ticking\n"
	"                          mbox-mute     the firmware stops (mailbox unanswered)\n"
	"                          c2h-stall     every C2H copy is dropped as if the ring were full\n"
	"  --hold                with --pcap or --generate: start the traffic only when the\n"
	"                        process gets SIGUSR1 (the mailbox is served meanwhile: a host\n"
	"                        opens the card and adds its rules first); each later SIGUSR1\n"
	"                        plays the source once more (with --loop N: N passes)\n"
	"  --wait-ring           hold the traffic until the host enables the C2H ring\n"
	"                        (add the rules first, arm the ring last)\n"
	"  --exit-after-source   exit once the pcap or generator is done and the host has\n"
	"                        consumed the C2H ring (waits at most 5 s for that)\n"
	"  --quiet               print errors only\n"
	"  -h, --help            this text\n"
	"\n"
	"Examples:\n"
	"  clif-cardsim --pcap capture.pcap --rate 1000 --loop-forever\n"
	"  clif-cardsim --instance 1 --generate 100000 --seed 7 --exit-after-source\n"
	"  clif-cardsim --pcap demo.pcap --hold &  ...add rules...;  kill -USR1 $!\n"
	"  sudo clif-cardsim --wire veth-a veth-b\n"
	"\n"
	"Exit status: 0 after SIGINT/SIGTERM or --exit-after-source, 1 on an error (file,\n"
	"instance in use, permissions, a pcap read error), 2 on bad arguments.\n";

void cs_info(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	if (g_cs.o.quiet)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1u, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2u)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(STDOUT_FILENO, line, (size_t)n) < 0)
		return;
}

void cs_err(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n, m;

	m = snprintf(line, sizeof(line), "clif-cardsim: ");
	va_start(ap, fmt);
	n = vsnprintf(line + m, sizeof(line) - (size_t)m - 1u, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	n += m;
	if ((size_t)n > sizeof(line) - 2u)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}

int cs_stopping(void)
{
	return __atomic_load_n(&g_cs.stop, __ATOMIC_ACQUIRE);
}

uint64_t cs_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void cs_sleep_ns(uint64_t ns)
{
	while (ns && !cs_stopping()) {
		uint64_t step = ns > 10000000ull ? 10000000ull : ns;
		struct timespec ts = { 0, (long)step };

		nanosleep(&ts, NULL);
		ns -= step;
	}
}

/* ---- arguments ---- */

static void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("clif-cardsim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'clif-cardsim --help'.\n", stderr);
	exit(2);
}

/* A decimal number, with K/M/G (binary) suffixes when sizes is set. */
static uint64_t parse_u64(const char *opt, const char *s, int sizes)
{
	uint64_t v, mul = 1;
	char *end;

	if (!s || !*s || *s < '0' || *s > '9')
		usage_error("%s needs a number, not '%s'", opt, s ? s : "");
	errno = 0;
	v = strtoull(s, &end, 10);
	if (sizes && *end && !end[1]) {
		switch (*end) {
		case 'k': case 'K': mul = 1ull << 10; end++; break;
		case 'm': case 'M': mul = 1ull << 20; end++; break;
		case 'g': case 'G': mul = 1ull << 30; end++; break;
		default: break;
		}
	}
	if (errno || *end || (mul > 1 && v > UINT64_MAX / mul))
		usage_error("%s needs a number%s, not '%s'", opt, sizes ? " (K, M, G suffixes allowed)" : "", s);
	return v * mul;
}

static uint32_t parse_faults(const char *s)
{
	char buf[256], *tok, *save = NULL;
	uint32_t f = 0;

	if (strlen(s) >= sizeof(buf))
		usage_error("--fault: list too long");
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "no-heartbeat"))
			f |= CLIF_SIM_FAULT_NO_HEARTBEAT;
		else if (!strcmp(tok, "mbox-mute"))
			f |= CLIF_SIM_FAULT_MBOX_MUTE;
		else if (!strcmp(tok, "c2h-stall"))
			f |= CLIF_SIM_FAULT_C2H_STALL;
		else
			usage_error("--fault: unknown fault '%s' (no-heartbeat, mbox-mute, c2h-stall)", tok);
	}
	if (!f)
		usage_error("--fault needs at least one of no-heartbeat, mbox-mute, c2h-stall");
	return f;
}

static void set_source(struct cs_opts *o, enum cs_source src)
{
	if (o->src != CS_SRC_NONE && o->src != src)
		usage_error("choose one traffic source: --pcap, --generate or --wire");
	if (o->src == src)
		usage_error("the traffic source is given twice");
	o->src = src;
}

static void parse_args(int argc, char **argv, struct cs_opts *o)
{
	enum { O_INSTANCE = 256, O_DMA, O_PCAP, O_RATE, O_LOOP, O_LOOP_FOREVER, O_GENERATE, O_SEED, O_WIRE,
	       O_FAULT, O_EXIT_AFTER, O_WAIT_RING, O_HOLD, O_QUIET };
	static const struct option longopts[] = {
		{ "instance", required_argument, NULL, O_INSTANCE },
		{ "dma-size", required_argument, NULL, O_DMA },
		{ "pcap", required_argument, NULL, O_PCAP },
		{ "rate", required_argument, NULL, O_RATE },
		{ "loop", required_argument, NULL, O_LOOP },
		{ "loop-forever", no_argument, NULL, O_LOOP_FOREVER },
		{ "generate", required_argument, NULL, O_GENERATE },
		{ "seed", required_argument, NULL, O_SEED },
		{ "wire", required_argument, NULL, O_WIRE },
		{ "fault", required_argument, NULL, O_FAULT },
		{ "exit-after-source", no_argument, NULL, O_EXIT_AFTER },
		{ "wait-ring", no_argument, NULL, O_WAIT_RING },
		{ "hold", no_argument, NULL, O_HOLD },
		{ "quiet", no_argument, NULL, O_QUIET },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int have_loop = 0, have_rate = 0, have_seed = 0, c;
	uint64_t v;

	memset(o, 0, sizeof(*o));
	o->dma_size = CS_DMA_DEFAULT;
	o->loops = 1;
	o->seed = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		case O_INSTANCE:
			v = parse_u64("--instance", optarg, 0);
			if (v > CS_INSTANCE_MAX)
				usage_error("--instance must be 0 to %u", CS_INSTANCE_MAX);
			o->instance = (unsigned)v;
			break;
		case O_DMA:
			v = parse_u64("--dma-size", optarg, 1);
			if (v < CLIF_RING_MIN_SIZE || v % 4096u || v > CS_DMA_MAX)
				usage_error("--dma-size must be a multiple of 4096 from 4096 to 64G, not %s", optarg);
			o->dma_size = v;
			break;
		case O_PCAP:
			set_source(o, CS_SRC_PCAP);
			if (!*optarg)
				usage_error("--pcap needs a file name");
			o->pcap = optarg;
			break;
		case O_RATE:
			o->rate = parse_u64("--rate", optarg, 0);
			if (!o->rate)
				usage_error("--rate must be at least 1 frame per second");
			have_rate = 1;
			break;
		case O_LOOP:
			if (have_loop)
				usage_error("--loop and --loop-forever are given more than once");
			o->loops = parse_u64("--loop", optarg, 0);
			if (!o->loops)
				usage_error("--loop must be at least 1 (or use --loop-forever)");
			have_loop = 1;
			break;
		case O_LOOP_FOREVER:
			if (have_loop)
				usage_error("--loop and --loop-forever are given more than once");
			o->loops = 0;
			have_loop = 1;
			break;
		case O_GENERATE:
			set_source(o, CS_SRC_GEN);
			o->gen_frames = parse_u64("--generate", optarg, 0);
			break;
		case O_SEED:
			o->seed = parse_u64("--seed", optarg, 0);
			have_seed = 1;
			break;
		case O_WIRE:
			set_source(o, CS_SRC_WIRE);
			if (optind >= argc || argv[optind][0] == '-')
				usage_error("--wire needs two interfaces: --wire IF_A IF_B");
			o->if_a = optarg;
			o->if_b = argv[optind++];
			if (!*o->if_a || !*o->if_b || strlen(o->if_a) >= IFNAMSIZ || strlen(o->if_b) >= IFNAMSIZ)
				usage_error("--wire: interface names are 1 to %d characters", IFNAMSIZ - 1);
			if (!strcmp(o->if_a, o->if_b))
				usage_error("--wire needs two different interfaces");
			break;
		case O_FAULT:
			o->fault |= parse_faults(optarg);
			break;
		case O_EXIT_AFTER:
			o->exit_after_source = 1;
			break;
		case O_WAIT_RING:
			o->wait_ring = 1;
			break;
		case O_HOLD:
			o->hold = 1;
			break;
		case O_QUIET:
			o->quiet = 1;
			break;
		case ':':
			usage_error("%s needs an argument", argv[optind - 1]);
		default:
			if (optopt > 0 && optopt < 256)
				usage_error("unknown option '-%c'", optopt);
			usage_error("unknown or malformed option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (o->src == CS_SRC_NONE)
		usage_error("no traffic source: give --pcap FILE, --generate N or --wire IF_A IF_B");
	if (have_loop && o->src != CS_SRC_PCAP)
		usage_error("--loop and --loop-forever go with --pcap");
	if (have_rate && o->src == CS_SRC_WIRE)
		usage_error("--rate goes with --pcap or --generate (the wire sets its own pace)");
	if (have_seed && o->src != CS_SRC_GEN)
		usage_error("--seed goes with --generate");
	/* the wire's traffic comes when it comes: there is nothing to hold back */
	if (o->hold && o->src == CS_SRC_WIRE)
		usage_error("--hold goes with --pcap or --generate");
	if (o->exit_after_source &&
	    (o->src == CS_SRC_WIRE || (o->src == CS_SRC_PCAP && !o->loops) || (o->src == CS_SRC_GEN && !o->gen_frames)))
		usage_error("--exit-after-source needs a source that ends (a pcap played N times, --generate N > 0)");
}

static const char *source_text(const struct cs_opts *o, char *buf, size_t n)
{
	switch (o->src) {
	case CS_SRC_PCAP:
		snprintf(buf, n, "pcap %s", o->pcap);
		break;
	case CS_SRC_GEN:
		snprintf(buf, n, "generator, seed %llu", (unsigned long long)o->seed);
		break;
	default:
		snprintf(buf, n, "wire %s (vport 1) <-> %s (vport 2)", o->if_a, o->if_b);
		break;
	}
	return buf;
}

int main(int argc, char **argv)
{
	struct cardsim *cs = &g_cs;
	pthread_t traffic;
	sigset_t sigs;
	char src[128];
	int sig = 0, rc;

	/* Every thread inherits the mask; main takes the signals with sigwait(). */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	parse_args(argc, argv, &cs->o);
	rc = pthread_mutex_init(&cs->dp_lock, NULL);
	if (rc) {
		cs_err("pthread_mutex_init: %s", strerror(rc));
		return 1;
	}
	if (cs_source_open(cs))
		return 1;
	if (cs_shm_create(cs)) {
		cs_source_close(cs);
		return 1;
	}
	if (cs_card_init(cs) || cs_fw_start(cs)) {
		cs_shm_destroy(cs);
		cs_source_close(cs);
		return 1;
	}
	rc = pthread_create(&traffic, NULL, cs_traffic_thread, cs);
	if (rc) {
		cs_err("cannot start the traffic thread: %s", strerror(rc));
		__atomic_store_n(&cs->stop, 1, __ATOMIC_RELEASE);
		cs_fw_join();
		cs_shm_destroy(cs);
		cs_source_close(cs);
		return 1;
	}
	cs_shm_publish(cs);
	cs_info("cardsim: card sim:%u up: /dev/shm%s (BAR0 %u KiB, DMA region %llu MiB), pid %d", cs->o.instance,
		cs->shm_name, CLIF_BAR0_SIZE >> 10, (unsigned long long)(cs->o.dma_size >> 20), (int)getpid());
	cs_info("cardsim: traffic: %s%s", source_text(&cs->o, src, sizeof(src)),
		cs->o.fault ? "; faults set at start" : "");

	if (cs->o.hold)
		cs_info("cardsim: traffic held until SIGUSR1 (kill -USR1 %d)", (int)getpid());
	/* SIGUSR1 means "play" to a held card (counted: each one plays the source once more)
	 * and "source done" from the traffic thread (--exit-after-source). */
	while (sigwait(&sigs, &sig) == 0) {
		if (sig != SIGUSR1)
			break;
		if (__atomic_load_n(&cs->source_done, __ATOMIC_ACQUIRE) || !cs->o.hold)
			break;
		if (__atomic_add_fetch(&cs->released, 1, __ATOMIC_RELEASE) == 1)
			cs_info("cardsim: SIGUSR1: traffic starts");
		else
			cs_info("cardsim: SIGUSR1: the source is played once more after the current run");
	}
	__atomic_store_n(&cs->stop, 1, __ATOMIC_RELEASE);
	pthread_join(traffic, NULL);
	cs_fw_join();
	cs_info("cardsim: stopping (%s): %llu frames in, %llu out, %llu captured, %llu capture drops%s",
		sig == SIGUSR1 ? "source done" : strsignal(sig), (unsigned long long)cs->frames_in,
		(unsigned long long)cs->frames_out, (unsigned long long)cs->dpctr->captured,
		(unsigned long long)cs->dpctr->capture_drops, __atomic_load_n(&cs->fw_stopped, __ATOMIC_ACQUIRE)
		? "; the firmware had stopped" : "");
	if (cs->tx_errors)
		cs_info("cardsim: %llu frames could not be sent", (unsigned long long)cs->tx_errors);
	cs_source_close(cs);
	cs_shm_destroy(cs);
	free(cs->arena);
	free(cs->punt_mem);
	return cs_source_failed() ? 1 : 0;
}
