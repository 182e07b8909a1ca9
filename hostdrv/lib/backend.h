/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libclif's backends: how the library reaches a card's BAR0 and host memory the card can DMA
 * into. One ops table per backend, filled with designated initialisers (sim.c, xrt.c); the
 * rest of the library uses only these.
 */
#ifndef LIBCLIF_BACKEND_H
#define LIBCLIF_BACKEND_H

#include <stdint.h>

#include "libclif.h"

struct clif_backend_ops {
	const char *name;
	/* Opens device dev (the part after "name:"); sets c->be_priv. Returns 0 or CLIF_E_*. */
	int (*open)(struct clif_card *c, const char *dev);
	void (*close)(struct clif_card *c);
	/* BAR0 register access (offsets from include/clif/bar.h). */
	uint32_t (*read32)(struct clif_card *c, uint32_t off);
	void (*write32)(struct clif_card *c, uint32_t off, uint32_t v);
	/* Bulk BAR0 copies (identity block, mailbox command/completion/data). Return 0, CLIF_E_INVAL
	 * (outside BAR0) or CLIF_E_IO. */
	int (*read_block)(struct clif_card *c, uint32_t off, void *dst, uint32_t n);
	int (*write_block)(struct clif_card *c, uint32_t off, const void *src, uint32_t n);
	/* Host memory for the C2H ring: *host for the CPU, *dma for the card's ring registers. */
	int (*ring_alloc)(struct clif_card *c, uint32_t size, uint8_t **host, uint64_t *dma);
	void (*ring_free)(struct clif_card *c);
	/* Makes [off, off + len) of the ring the card wrote visible to the CPU (no-op when coherent). */
	int (*ring_sync)(struct clif_card *c, uint32_t off, uint32_t len);
};

extern const struct clif_backend_ops clif_sim_ops;
extern const struct clif_backend_ops clif_xrt_ops;

#endif /* LIBCLIF_BACKEND_H */
