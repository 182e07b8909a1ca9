/* The clifd suites' checks (tests/clifd/test_NAME.c): counting, reporting the first failures,
 * the closing "<prog>: N checks, M failures" line and exit status, and a scratch folder.
 *
 * Define CHECK_PROG (the message prefix, e.g. "clifd-store") before including this, and
 * CHECK_SHOWN (default 30) to print more or fewer failures: a suite that breaks wholesale
 * would otherwise bury the first, telling one. One suite per program: the state is static. */
#ifndef CLIFD_TESTS_CHECK_H
#define CLIFD_TESTS_CHECK_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef CHECK_PROG
#error "define CHECK_PROG before including check.h"
#endif
#ifndef CHECK_SHOWN
#define CHECK_SHOWN 30
#endif

static long checks;
static int failures;
static char check_dir[64]; /* the scratch folder, "" until check_tmpdir() */

/* Counts a failure and prints "<prog>: <message>" on stderr for the first CHECK_SHOWN. The
 * caller counts the check itself. */
__attribute__((format(printf, 1, 2))) static inline void check_fail(const char *fmt, ...)
{
	va_list ap;

	if (failures++ >= CHECK_SHOWN)
		return;
	fprintf(stderr, "%s: ", CHECK_PROG);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* One check with its own printf-style message (evaluated only when it fails). */
#define CHECK_MSG(ok, ...)                                                                    \
	do {                                                                                  \
		checks++;                                                                     \
		if (!(ok))                                                                    \
			check_fail(__VA_ARGS__);                                              \
	} while (0)

#define CHECK(cond)                                                                           \
	do {                                                                                  \
		checks++;                                                                     \
		if (!(cond))                                                                  \
			check_fail("%s:%d: check failed: %s", __FILE__, __LINE__, #cond);     \
	} while (0)

#define CHECK_EQ(got, want)                                                                   \
	do {                                                                                  \
		long long g_ = (long long)(got), w_ = (long long)(want);                      \
		checks++;                                                                     \
		if (g_ != w_)                                                                 \
			check_fail("%s:%d: %s = %lld, want %lld", __FILE__, __LINE__, #got,   \
				   g_, w_);                                                   \
	} while (0)

/* got may be NULL (a failure); want may not. */
#define CHECK_STR(got, want)                                                                  \
	do {                                                                                  \
		const char *g_ = (got), *w_ = (want);                                         \
		checks++;                                                                     \
		if (g_ == NULL || strcmp(g_, w_) != 0)                                        \
			check_fail("%s:%d: %s = \"%s\", want \"%s\"", __FILE__, __LINE__,     \
				   #got, g_ ? g_ : "(null)", w_);                             \
	} while (0)

/* Makes the scratch folder from a mkdtemp() template ("/tmp/clifd-NAME-XXXXXX"); on failure
 * prints why and exits 1. */
static inline void check_tmpdir(const char *tmpl)
{
	snprintf(check_dir, sizeof check_dir, "%s", tmpl);
	if (mkdtemp(check_dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
}

/* check_dir/name, in one of four static buffers used in turn: a call may take a few. */
static inline const char *check_path(const char *name)
{
	static char p[4][128];
	static int k;
	k = (k + 1) % 4;
	snprintf(p[k], sizeof p[k], "%s/%s", check_dir, name);
	return p[k];
}

/* Removes the scratch folder if there is one and every check passed (a failing run keeps it
 * to be looked at), prints "<prog>: N checks, M failures" on stdout and returns the exit
 * status: 0 when nothing failed, else 1. */
static inline int check_done(void)
{
	if (check_dir[0] && failures == 0) {
		char cmd[128];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", check_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "%s: could not remove %s\n", CHECK_PROG, check_dir);
	}
	printf("%s: %ld checks, %d failures\n", CHECK_PROG, checks, failures);
	return failures ? 1 : 0;
}

#endif
