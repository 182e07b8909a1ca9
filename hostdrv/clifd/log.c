/* syslog plus stderr in the foreground; see log.h. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int log_level = LOG_INFO;
static int log_stderr;

static const struct {
	const char *name;
	int prio;
} levels[] = {
	{ "err", LOG_ERR }, { "warning", LOG_WARNING }, { "notice", LOG_NOTICE },
	{ "info", LOG_INFO }, { "debug", LOG_DEBUG },
};

void clifd_log_open(int level, int to_stderr)
{
	log_level = level;
	log_stderr = to_stderr;
	openlog("clifd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	setlogmask(LOG_UPTO(level));
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
	va_start(ap, fmt);
	vsyslog(prio, fmt, ap);
	va_end(ap);
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
