/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The mailbox lock. A card has one mailbox, and a second host process (clifctl next to
 * clifd) that rewrites the command while the first waits for its completion makes the first
 * read someone else's answer. So every handle takes an open-file-description lock on a file
 * named after the card, /dev/shm/clif-mbox-<backend>-<device>, for one command and its
 * completion. OFD locks belong to the open file, not the process, so two handles in one
 * process exclude each other too; the kernel drops the lock when a holder dies. Polling
 * waiters would lose to a holder that sends command after command, so a waiter says so (a
 * shared lock on a second byte) and the holder steps back for a moment after its command.
 *
 * Best effort by design: when the file cannot be opened (another user made it, mode 0600),
 * the handle works without the lock, as a single host would.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "card.h"

#define LOCK_DIR "/dev/shm"

void clif_mbox_lock_open_(struct clif_card *c, const char *name)
{
	char path[128];
	size_t n;

	c->mbox_lock_fd = -1;
	n = (size_t)snprintf(path, sizeof(path), LOCK_DIR "/clif-mbox-");
	for (const char *p = name; *p && n + 1 < sizeof(path); p++)
		path[n++] = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ? *p : '-';
	path[n] = '\0';
	c->mbox_lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
}

void clif_mbox_lock_close_(struct clif_card *c)
{
	if (c->mbox_lock_fd >= 0)
		close(c->mbox_lock_fd);
	c->mbox_lock_fd = -1;
}

static int range_lock(int fd, short type, off_t at)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = at, .l_len = 1 };

	return fcntl(fd, F_OFD_SETLK, &fl);
}

/* Takes the lock (byte 0), waiting until end_ns at most. A waiter holds a shared lock on byte
 * 1 meanwhile, so that a holder sending command after command sees it and lets it in (see
 * clif_mbox_unlock_). Returns 0, or CLIF_E_TIMEOUT. */
int clif_mbox_lock_(struct clif_card *c, uint64_t end_ns)
{
	const struct timespec nap = { 0, 20000 };
	int waiting = 0, rc = CLIF_OK;

	if (c->mbox_lock_fd < 0)
		return CLIF_OK;
	for (;;) {
		if (range_lock(c->mbox_lock_fd, F_WRLCK, 0) == 0)
			break;
		if (errno != EAGAIN && errno != EACCES && errno != EINTR)
			break; /* no locking on this file system: go on without */
		if (clif_now_ns_() >= end_ns) {
			rc = CLIF_E_TIMEOUT;
			break;
		}
		if (!waiting)
			waiting = range_lock(c->mbox_lock_fd, F_RDLCK, 1) == 0;
		nanosleep(&nap, NULL);
	}
	if (waiting)
		range_lock(c->mbox_lock_fd, F_UNLCK, 1);
	return rc;
}

void clif_mbox_unlock_(struct clif_card *c)
{
	const struct timespec let_in = { 0, 100000 };
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 1, .l_len = 1 };

	if (c->mbox_lock_fd < 0)
		return;
	range_lock(c->mbox_lock_fd, F_UNLCK, 0);
	/* Someone waits: give it a turn before this handle's next command can take the lock
	 * again (waiters look every 20 us), so that no host starves. */
	if (fcntl(c->mbox_lock_fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
		nanosleep(&let_in, NULL);
}
