/* syslog plus stderr in the foreground; see log.h. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define SYSLOG_RETRY_S 10

static int log_level = LOG_INFO;
static int log_stderr;
/* glibc's syslog() tries to connect again for every message while no syslog daemon listens
 * (a socket, a failed connect and a close per line, about 10 us), and clifd logs a line per
 * X1 message. So when /dev/log cannot be reached at clifd_log_open(), messages skip syslog,
 * and it is tried again at most every SYSLOG_RETRY_S seconds (a journald started later is
 * found). */
static int syslog_down;
static time_t syslog_retry; /* CLOCK_MONOTONIC seconds */

static const struct {
	const char *name;
	int prio;
} levels[] = {
	{ "err", LOG_ERR }, { "warning", LOG_WARNING }, { "notice", LOG_NOTICE },
	{ "info", LOG_INFO }, { "debug", LOG_DEBUG },
};

static time_t mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* Whether a syslog daemon accepts connections on /dev/log (datagram or stream, as glibc). */
static int syslog_reachable(void)
{
	static const int types[] = { SOCK_DGRAM, SOCK_STREAM };
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", _PATH_LOG);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		int fd = socket(AF_UNIX, types[i] | SOCK_CLOEXEC, 0), ok;
		if (fd < 0)
			continue;
		ok = connect(fd, (const struct sockaddr *)&a, sizeof(a)) == 0;
		close(fd);
		if (ok)
			return 1;
	}
	return 0;
}

void clifd_log_open(int level, int to_stderr)
{
	log_level = level;
	log_stderr = to_stderr;
	openlog("clifd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	setlogmask(LOG_UPTO(level));
	syslog_down = !syslog_reachable();
	syslog_retry = mono_s() + SYSLOG_RETRY_S;
}

static int syslog_up(void)
{
	time_t now;

	if (!syslog_down)
		return 1;
	now = mono_s();
	if (now < syslog_retry)
		return 0;
	syslog_retry = now + SYSLOG_RETRY_S;
	syslog_down = !syslog_reachable();
	return !syslog_down;
}

void clifd_log_set_stderr(int to_stderr)
{
	log_stderr = to_stderr;
}

int clifd_log_level_parse(const char *text)
{
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (strcmp(text, levels[i].name) == 0)
			return levels[i].prio;
	return -1;
}

void clifd_log(int prio, const char *fmt, ...)
{
	va_list ap;

	if (prio > log_level)
		return;
	if (syslog_up()) {
		va_start(ap, fmt);
		vsyslog(prio, fmt, ap);
		va_end(ap);
	}
	if (log_stderr) {
		const char *name = "?";
		for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
			if (levels[i].prio == prio)
				name = levels[i].name;
		va_start(ap, fmt);
		fprintf(stderr, "clifd: %s: ", name);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		va_end(ap);
	}
}

void clifd_log_close(void)
{
	closelog();
}
