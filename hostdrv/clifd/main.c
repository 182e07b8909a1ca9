/* clifd: the CLIF host daemon (X1 network element, task store, audit log, rule compiler).
 *
 *   clifd -c FILE [-f] [--check-config]
 *
 * Exit status: 0 after a clean stop (SIGTERM/SIGINT) or a good --check-config; 1 when the
 * daemon could not start (state directory, store, audit log, card, TLS, sockets: the reason
 * goes to stderr and syslog); 2 for a usage or configuration error. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "daemon.h"
#include "log.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: clifd -c FILE [-f] [--check-config]\n"
		   "\n"
		   "The CLIF host daemon: the X1 network element (ETSI TS 103 221-1) of a CLIF card.\n"
		   "\n"
		   "  -c, --config FILE   configuration file (see clifd.conf.example for every key)\n"
		   "  -f, --foreground    stay in the foreground and log to stderr as well as syslog\n"
		   "      --check-config  read and check the configuration, then exit (0: good, 2: not)\n"
		   "  -h, --help          this text\n"
		   "\n"
		   "Exit status: 0 clean stop, 1 could not start, 2 usage or configuration error.\n");
}

/* The files the configuration names must be readable before anything starts. */
static int check_files(const struct clifd_config *cfg, char *err, size_t err_len)
{
	const struct {
		const char *key, *path;
	} files[] = {
		{ "tls_cert", cfg->tls_cert },
		{ "tls_key", cfg->tls_key },
		{ "tls_ca", cfg->tls_ca },
		{ "admf_report_ca", cfg->admf_report_host[0] ? cfg->admf_report_ca : NULL },
		{ "admf_report_cert", cfg->admf_report_host[0] ? cfg->admf_report_cert : NULL },
		{ "admf_report_key", cfg->admf_report_host[0] ? cfg->admf_report_key : NULL },
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (files[i].path && access(files[i].path, R_OK) != 0) {
			snprintf(err, err_len, "%s %s: %s", files[i].key, files[i].path, strerror(errno));
			return -1;
		}
	return 0;
}

/* Detaches; the parent waits for the child's word that it started (or why it did not), so that
 * "clifd -c FILE" fails visibly. Returns the write end of that pipe in the child. */
static int detach(void)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) != 0) {
		perror("clifd: pipe");
		exit(1);
	}
	pid = fork();
	if (pid < 0) {
		perror("clifd: fork");
		exit(1);
	}
	if (pid > 0) {
		char msg[1024];
		ssize_t n, total = 0;
		close(p[1]);
		while (total < (ssize_t)sizeof(msg) - 1 && (n = read(p[0], msg + total, sizeof(msg) - 1 - (size_t)total)) > 0)
			total += n;
		msg[total] = '\0';
		if (total == 0 || msg[0] != '+') {
			fprintf(stderr, "clifd: %s\n", total ? msg : "exited during start-up");
			_exit(1);
		}
		_exit(0);
	}
	close(p[0]);
	if (setsid() < 0)
		_exit(1);
	pid = fork(); /* never a session leader: no controlling terminal again */
	if (pid < 0)
		_exit(1);
	if (pid > 0)
		_exit(0);
	if (chdir("/") != 0)
		_exit(1);
	return p[1];
}

static void tell(int fd, const char *msg)
{
	if (fd < 0)
		return;
	if (write(fd, msg, strlen(msg)) < 0) { /* the parent is gone: nothing to tell */
	}
	close(fd);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL;
	int foreground = 0, check = 0, c, fd = -1;
	struct clifd_config cfg;
	static struct clifd_daemon d;

	/* Each X1 request builds and frees documents and buffers of a few hundred KiB; with
	 * glibc's moving thresholds that became mmap/munmap and heap trims, a page fault for
	 * every page of every request. Fixed thresholds keep that memory in the heap. */
	mallopt(M_MMAP_THRESHOLD, 8 << 20);
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	char err[1024];

	while ((c = getopt_long(argc, argv, "c:fh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'f':
			foreground = 1;
			break;
		case 'C':
			check = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!path || optind != argc) {
		usage(stderr);
		return 2;
	}
	clifd_config_defaults(&cfg);
	if (clifd_config_load(&cfg, path, err, sizeof(err)) != 0 || check_files(&cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "clifd: %s\n", err);
		return 2;
	}
	if (check) {
		printf("clifd: %s: configuration OK\n", path);
		return 0;
	}
	signal(SIGPIPE, SIG_IGN); /* a peer gone mid-answer is an error return, not a signal */
	if (!foreground)
		fd = detach();
	clifd_log_open(cfg.log_level, foreground);
	if (clifd_daemon_start(&d, &cfg, err, sizeof(err)) != 0) {
		clifd_log(LOG_ERR, "cannot start: %s", err);
		if (fd >= 0)
			tell(fd, err);
		else if (!foreground)
			fprintf(stderr, "clifd: %s\n", err);
		return 1;
	}
	if (fd >= 0) {
		int null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
			if (null > 2)
				close(null);
		}
		tell(fd, "+");
	}
	clifd_daemon_run(&d);
	clifd_daemon_close(&d);
	clifd_log(LOG_NOTICE, "clifd stopped");
	clifd_log_close();
	return 0;
}
