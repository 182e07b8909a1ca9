/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sim backend: a simulated card (clif-cardsim) as the POSIX shared-memory object
 * CLIF_SIM_SHM_PREFIX<dev> (include/clif/simshm.h): BAR0 at bar0_off, the DMA region at
 * dma_off. The ring is carved from the DMA region; its DMA address is its offset there.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "card.h"
#include "clif/simshm.h"

#define RING_ALIGN 4096u

struct sim_priv {
	uint8_t *base;
	size_t map_len;
	uint8_t *bar0;
	uint32_t bar0_size;
	uint8_t *dma;
	uint64_t dma_size;
	uint64_t bump; /* next free byte of the DMA region */
};

static struct sim_priv *priv(struct clif_card *c)
{
	return (struct sim_priv *)c->be_priv;
}

static int errno_to_err(int e)
{
	switch (e) {
	case ENOENT: return CLIF_E_NODEV;
	case EACCES:
	case EPERM: return CLIF_E_PERM;
	case ENOMEM: return CLIF_E_NOMEM;
	default: return CLIF_E_IO;
	}
}

static int sim_open(struct clif_card *c, const char *dev)
{
	char name[64];
	struct sim_priv *p;
	struct stat st;
	const struct clif_sim_hdr *h;
	uint64_t end;
	size_t i;
	int fd, rc;

	for (i = 0; dev[i]; i++)
		if (dev[i] < '0' || dev[i] > '9' || i >= 9)
			return CLIF_E_INVAL;
	if (!i)
		return CLIF_E_INVAL;
	snprintf(name, sizeof(name), "%s%s", CLIF_SIM_SHM_PREFIX, dev);
	fd = shm_open(name, O_RDWR, 0);
	if (fd < 0)
		return errno_to_err(errno);
	if (fstat(fd, &st) < 0) {
		rc = errno_to_err(errno);
		close(fd);
		return rc;
	}
	if ((uint64_t)st.st_size < CLIF_SIM_HDR_BYTES + CLIF_BAR0_SIZE) {
		close(fd); /* created, not yet sized: the card is not up */
		return CLIF_E_NODEV;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		close(fd);
		return CLIF_E_NOMEM;
	}
	p->map_len = (size_t)st.st_size;
	p->base = mmap(NULL, p->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	rc = errno;
	close(fd);
	if (p->base == MAP_FAILED) {
		free(p);
		return errno_to_err(rc);
	}
	h = (const struct clif_sim_hdr *)(const void *)p->base;
	rc = CLIF_OK;
	if (__atomic_load_n(&h->magic, __ATOMIC_ACQUIRE) != CLIF_SIM_MAGIC)
		rc = CLIF_E_NODEV; /* not a simulated card, or not up yet */
	else if (h->version != CLIF_SIM_VERSION)
		rc = CLIF_E_ABI;
	else if (h->cardsim_pid && kill((pid_t)h->cardsim_pid, 0) && errno == ESRCH)
		rc = CLIF_E_NODEV; /* left behind by a card process that was killed */
	else if (h->bar0_off != CLIF_SIM_HDR_BYTES || h->bar0_size < CLIF_BAR0_SIZE || h->bar0_size % 4u ||
		 h->dma_off < (uint64_t)h->bar0_off + h->bar0_size || h->dma_off % 64u ||
		 __builtin_add_overflow(h->dma_off, h->dma_size, &end) || end > p->map_len)
		rc = CLIF_E_IO;
	if (rc) {
		munmap(p->base, p->map_len);
		free(p);
		return rc;
	}
	p->bar0 = p->base + h->bar0_off;
	p->bar0_size = h->bar0_size;
	p->dma = p->base + h->dma_off;
	p->dma_size = h->dma_size;
	c->be_priv = p;
	return CLIF_OK;
}

static void sim_close(struct clif_card *c)
{
	struct sim_priv *p = priv(c);

	if (!p)
		return;
	munmap(p->base, p->map_len);
	free(p);
	c->be_priv = NULL;
}

static int in_bar(const struct sim_priv *p, uint32_t off, uint32_t n)
{
	return off <= p->bar0_size && n <= p->bar0_size - off;
}

static uint32_t sim_read32(struct clif_card *c, uint32_t off)
{
	struct sim_priv *p = priv(c);

	if (off % 4u || !in_bar(p, off, 4))
		return 0xffffffffu; /* what a PCIe read of nothing returns */
	return __atomic_load_n((const uint32_t *)(const void *)(p->bar0 + off), __ATOMIC_ACQUIRE);
}

static void sim_write32(struct clif_card *c, uint32_t off, uint32_t v)
{
	struct sim_priv *p = priv(c);

	if (off % 4u || !in_bar(p, off, 4))
		return;
	__atomic_store_n((uint32_t *)(void *)(p->bar0 + off), v, __ATOMIC_RELEASE);
}

/* Word by word, as a BAR is read: the card writes the same words one at a time. */
static int sim_read_block(struct clif_card *c, uint32_t off, void *dst, uint32_t n)
{
	struct sim_priv *p = priv(c);
	uint8_t *d = dst;
	uint32_t i;

	if (off % 4u || !in_bar(p, off, n))
		return CLIF_E_IO;
	for (i = 0; i + 4u <= n; i += 4u) {
		uint32_t w = __atomic_load_n((const uint32_t *)(const void *)(p->bar0 + off + i), __ATOMIC_RELAXED);

		memcpy(d + i, &w, 4);
	}
	if (i < n) {
		uint32_t w = __atomic_load_n((const uint32_t *)(const void *)(p->bar0 + off + i), __ATOMIC_RELAXED);

		memcpy(d + i, &w, n - i);
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return CLIF_OK;
}

static int sim_write_block(struct clif_card *c, uint32_t off, const void *src, uint32_t n)
{
	struct sim_priv *p = priv(c);
	const uint8_t *s = src;
	uint32_t i;

	if (off % 4u || n % 4u || !in_bar(p, off, n))
		return CLIF_E_IO;
	for (i = 0; i < n; i += 4u) {
		uint32_t w;

		memcpy(&w, s + i, 4);
		__atomic_store_n((uint32_t *)(void *)(p->bar0 + off + i), w, __ATOMIC_RELAXED);
	}
	__atomic_thread_fence(__ATOMIC_RELEASE);
	return CLIF_OK;
}

static int sim_ring_alloc(struct clif_card *c, uint32_t size, uint8_t **host, uint64_t *dma)
{
	struct sim_priv *p = priv(c);
	uint64_t off = (p->bump + RING_ALIGN - 1u) & ~(uint64_t)(RING_ALIGN - 1u);

	if (off > p->dma_size || size > p->dma_size - off)
		return CLIF_E_NOMEM;
	memset(p->dma + off, 0, size);
	p->bump = off + size;
	*host = p->dma + off;
	*dma = off;
	return CLIF_OK;
}

static void sim_ring_free(struct clif_card *c)
{
	priv(c)->bump = 0;
}

static int sim_ring_sync(struct clif_card *c, uint32_t off, uint32_t len)
{
	(void)c;
	(void)off;
	(void)len;
	return CLIF_OK; /* shared memory is coherent */
}

const struct clif_backend_ops clif_sim_ops = {
	.name = "sim",
	.open = sim_open,
	.close = sim_close,
	.read32 = sim_read32,
	.write32 = sim_write32,
	.read_block = sim_read_block,
	.write_block = sim_write_block,
	.ring_alloc = sim_ring_alloc,
	.ring_free = sim_ring_free,
	.ring_sync = sim_ring_sync,
};
