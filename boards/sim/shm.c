/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shared-memory object of one simulated card (include/clif/simshm.h): created with O_EXCL,
 * held under an exclusive flock() for the process's life (so a live owner is told from a dead
 * one whatever became of its pid), filled, published by the magic, unlinked on exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cardsim.h"

#define SHM_DIR "/dev/shm"

static void blk_hdr(volatile struct clif_blk_hdr *h, uint16_t type, uint16_t version, uint32_t next, uint32_t size)
{
	h->type = type;
	h->version = version;
	h->next_off = next;
	h->size = size;
	h->rsvd = 0;
}

/* 1 when pid runs clif-cardsim (or /proc cannot tell), 0 when it does not run or runs something else. */
static int pid_is_cardsim(uint32_t pid)
{
	char path[64], comm[32] = "";
	FILE *f;

	if (!pid || (kill((pid_t)pid, 0) && errno == ESRCH))
		return 0;
	snprintf(path, sizeof(path), "/proc/%u/comm", pid);
	f = fopen(path, "r");
	if (!f)
		return 1;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	fclose(f);
	return strncmp(comm, "clif-cardsim", 12) == 0;
}

/* 1 if shm object name is the object open on fd. */
static int same_object(int fd, const char *name)
{
	char path[64];
	struct stat st_fd, st_name;

	snprintf(path, sizeof(path), SHM_DIR "%s", name);
	if (fstat(fd, &st_fd) || stat(path, &st_name))
		return 0;
	return st_fd.st_ino == st_name.st_ino && st_fd.st_dev == st_name.st_dev;
}

/* Reads the owner's pid from an object (0 if too small to hold a header). */
static uint32_t owner_pid(int fd)
{
	struct stat st;
	uint32_t pid = 0;

	if (fstat(fd, &st) || (size_t)st.st_size < sizeof(struct clif_sim_hdr))
		return 0;
	if (pread(fd, &pid, sizeof(pid), offsetof(struct clif_sim_hdr, cardsim_pid)) != (ssize_t)sizeof(pid))
		return 0;
	return pid;
}

/*
 * The name exists: 1 if a live clif-cardsim owns it (message printed), 0 if it was stale and is
 * now removed, -1 on an error (message printed).
 */
static int take_over(const struct cardsim *cs)
{
	char path[64];
	uint32_t pid = 0;
	int fd, tries;

	snprintf(path, sizeof(path), SHM_DIR "%s", cs->shm_name);
	fd = shm_open(cs->shm_name, O_RDWR | O_CLOEXEC, 0);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0; /* gone meanwhile: just try again */
		cs_err("%s exists and cannot be opened: %s", path, strerror(errno));
		return -1;
	}
	/* A creator takes its lock right after O_EXCL and then writes its pid: give it that time. */
	for (tries = 0; tries < 10; tries++) {
		if (flock(fd, LOCK_EX | LOCK_NB)) {
			int e = errno;

			pid = owner_pid(fd);
			close(fd);
			if (e != EWOULDBLOCK) {
				cs_err("%s: flock: %s", path, strerror(e));
				return -1;
			}
			cs_err("instance %u is in use: %s belongs to a running clif-cardsim (pid %u)", cs->o.instance,
			       path, pid);
			return 1;
		}
		pid = owner_pid(fd);
		if (pid)
			break;
		flock(fd, LOCK_UN);
		cs_sleep_ns(20000000ull);
	}
	if (pid_is_cardsim(pid) && pid != (uint32_t)getpid()) {
		close(fd);
		cs_err("instance %u is in use: %s belongs to clif-cardsim pid %u, which is still running", cs->o.instance,
		       path, pid);
		return 1;
	}
	/* Remove the name only if it still names the object we hold locked. */
	if (!same_object(fd, cs->shm_name)) {
		close(fd);
		return 0;
	}
	if (pid)
		cs_info("cardsim: replacing stale %s (its clif-cardsim, pid %u, is gone)", path, pid);
	else
		cs_info("cardsim: replacing stale %s (no owner)", path);
	if (shm_unlink(cs->shm_name) && errno != ENOENT) {
		cs_err("cannot remove stale %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int cs_shm_create(struct cardsim *cs)
{
	volatile struct clif_sim_hdr *h;
	volatile uint8_t *bar0;
	int fd = -1, attempt, rc;

	snprintf(cs->shm_name, sizeof(cs->shm_name), CLIF_SIM_SHM_PREFIX "%u", cs->o.instance);
	cs->map_size = CLIF_SIM_HDR_BYTES + CLIF_BAR0_SIZE + (size_t)cs->o.dma_size;
	for (attempt = 0; attempt < 5 && fd < 0; attempt++) {
		fd = shm_open(cs->shm_name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0)
			break;
		if (errno != EEXIST) {
			cs_err("cannot create shared memory " SHM_DIR "%s: %s", cs->shm_name, strerror(errno));
			return -1;
		}
		rc = take_over(cs);
		if (rc)
			return -1;
	}
	if (fd < 0) {
		cs_err("cannot create shared memory " SHM_DIR "%s: it keeps coming back", cs->shm_name);
		return -1;
	}
	cs->shm_fd = fd;
	if (flock(fd, LOCK_EX)) { /* blocks only while another starter looks at the new object */
		cs_err("flock " SHM_DIR "%s: %s", cs->shm_name, strerror(errno));
		goto fail;
	}
	if (fchmod(fd, 0600) || ftruncate(fd, (off_t)cs->map_size)) {
		cs_err("cannot size shared memory " SHM_DIR "%s to %zu bytes: %s", cs->shm_name, cs->map_size,
		       strerror(errno));
		goto fail;
	}
	cs->map = mmap(NULL, cs->map_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (cs->map == MAP_FAILED) {
		cs->map = NULL;
		cs_err("cannot map " SHM_DIR "%s (%zu bytes): %s", cs->shm_name, cs->map_size, strerror(errno));
		goto fail;
	}

	h = (volatile struct clif_sim_hdr *)cs->map;
	h->cardsim_pid = (uint32_t)getpid();
	h->version = CLIF_SIM_VERSION;
	h->bar0_off = CLIF_SIM_HDR_BYTES;
	h->bar0_size = CLIF_BAR0_SIZE;
	h->dma_off = CLIF_SIM_HDR_BYTES + CLIF_BAR0_SIZE;
	h->dma_size = cs->o.dma_size;
	h->fault = cs->o.fault;
	h->reset_request = 0;
	h->frames_in = 0;
	h->frames_out = 0;
	cs->hdr = h;

	bar0 = (volatile uint8_t *)cs->map + CLIF_SIM_HDR_BYTES;
	cs->ident = (volatile struct clif_ident *)(bar0 + CLIF_BAR0_OFF_IDENT);
	cs->mbox = (volatile struct clif_mbox_block *)(bar0 + CLIF_BAR0_OFF_MBOX);
	cs->c2h = (volatile struct clif_c2h_block *)(bar0 + CLIF_BAR0_OFF_C2H);
	cs->dpctr = (volatile struct clif_dp_counters *)(bar0 + CLIF_BAR0_OFF_DPCTR);
	cs->dma = (uint8_t *)cs->map + CLIF_SIM_HDR_BYTES + CLIF_BAR0_SIZE;

	/* The block chain; fw_init() fills the rest of the identity block. */
	blk_hdr(&cs->ident->hdr, CLIF_BLK_IDENT, CLIF_IDENT_VERSION, CLIF_BAR0_OFF_MBOX, sizeof(struct clif_ident));
	blk_hdr(&cs->mbox->hdr, CLIF_BLK_MBOX, 1, CLIF_BAR0_OFF_C2H, sizeof(struct clif_mbox_block));
	blk_hdr(&cs->c2h->hdr, CLIF_BLK_C2H, 1, CLIF_BAR0_OFF_DPCTR, sizeof(struct clif_c2h_block));
	cs->c2h->ring_count = 1;
	blk_hdr(&cs->dpctr->hdr, CLIF_BLK_DPCTR, 1, 0, sizeof(struct clif_dp_counters));
	return 0;

fail:
	cs_shm_destroy(cs);
	return -1;
}

void cs_shm_publish(struct cardsim *cs)
{
	__atomic_store_n(&cs->hdr->magic, CLIF_SIM_MAGIC, __ATOMIC_RELEASE);
}

void cs_shm_destroy(struct cardsim *cs)
{
	if (cs->shm_fd < 0)
		return;
	/* Unlinked while still locked, so no starter mistakes it for stale meanwhile; and only
	 * if the name is still ours (someone may have removed it by hand and started another). */
	if (same_object(cs->shm_fd, cs->shm_name)) {
		char lock[64];
		shm_unlink(cs->shm_name);
		snprintf(lock, sizeof(lock), CLIF_SIM_MBOX_LOCK_FMT, cs->o.instance);
		unlink(lock); /* the hosts' mailbox lock: the next card of this number starts afresh */
	}
	if (cs->map) {
		__atomic_store_n(&cs->hdr->magic, 0u, __ATOMIC_RELEASE); /* hosts still mapping it: the card is gone */
		munmap(cs->map, cs->map_size);
		cs->map = NULL;
		cs->hdr = NULL;
	}
	close(cs->shm_fd);
	cs->shm_fd = -1;
}
