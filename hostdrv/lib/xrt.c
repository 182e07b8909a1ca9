/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libclif's xrt backend: an Alveo card through Xilinx XRT's native C API (Debian libxrt-dev).
 *
 * Device string (the part after "xrt:"): "<index>[,<xclbin path>]".
 *   index   XRT device index (decimal)
 *   xclbin  loaded before the kernel is opened; without it the environment variable
 *           CLIF_XCLBIN names one; without either, the xclbin already loaded on the card is used
 *
 * Register access. The CLIF kernel is the HLS top clif_dp_top (hls/top.c). This backend
 * assumes that the kernel's AXI-lite control port is the card's BAR0 window as far as XRT lets
 * a host program see it: BAR0 offset N is register offset N of the compute unit, read and
 * written with xrtKernelReadRegister()/xrtKernelWriteRegister(). On a real card BAR0 would be
 * the PCIe BAR itself; XRT reaches it only through a compute unit's register space, which it
 * checks against the address range the xclbin gives that port. XRT allows register access only
 * to a kernel opened for exclusive access, so one process at a time holds the card.
 *
 * C2H ring. A buffer object in the memory bank the xclbin connects the kernel's c2h_mem
 * argument to (xrtKernelArgGroupId), mapped for the CPU; its device address (xrtBOAddress) is
 * what the library writes into the ring registers. ring_sync pulls [off, off + len) from the
 * device (XCL_BO_SYNC_BO_FROM_DEVICE).
 *
 * Errors. Every XRT failure gives CLIF_E_IO, an offset or length outside BAR0 or the ring
 * CLIF_E_INVAL (no XRT call is made). A library does not print: clif_xrt_last_error() holds
 * the text of this thread's last backend error. read32 and write32 cannot return a code: a
 * failed read32 returns 0xffffffff (what a PCIe read of a missing device gives), and both leave
 * their error in clif_xrt_last_error(). XRT itself prints its own error lines on stderr.
 *
 * XRT needs XILINX_XRT to name a folder whose lib/ holds the device library it is about to load
 * (libxrt_core.so.2 for a card, libxrt_<mode>.so.2 for XCL_EMULATION_MODE=<mode>); without it
 * XRT aborts the process with an uncaught C++ exception, so open checks this first and returns
 * CLIF_E_NODEV instead.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xrt.h>
#include <xrt/xrt_bo.h>
#include <xrt/xrt_device.h>
#include <xrt/xrt_kernel.h>

#include "clif/bar.h"

#include "backend.h"
#include "card.h"

/* The CLIF kernel and the index of its c2h_mem argument (hls/top.c, clif_dp_top). */
#define XRT_KERNEL_NAME "clif_dp_top"
#define XRT_ARG_C2H_MEM 6

/* What a failed read32 returns. */
#define XRT_BAD_READ 0xffffffffu

struct xrt_priv {
	xrtDeviceHandle dev;
	xrtKernelHandle krn;
	int c2h_group;          /* memory group of c2h_mem */
	xrtBufferHandle ring;   /* NULL until ring_alloc */
	uint32_t ring_size;
};

const char *clif_xrt_last_error(void);

static _Thread_local char xrt_err[256];

const char *clif_xrt_last_error(void)
{
	return xrt_err;
}

static int fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Records the error text and returns code. */
static int fail(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(xrt_err, sizeof(xrt_err), fmt, ap);
	va_end(ap);
	return code;
}

static struct xrt_priv *priv(struct clif_card *c)
{
	return c->be_priv;
}

/* Nonzero if [off, off + n) lies in BAR0 and off is 32-bit aligned. */
static int bar0_range_ok(uint32_t off, uint32_t n)
{
	return (off & 3u) == 0 && n <= CLIF_BAR0_SIZE && off <= CLIF_BAR0_SIZE - n;
}

/*
 * XRT loads its device library from $XILINX_XRT/lib and aborts the process when it cannot:
 * check first which one it will want and that it is there.
 */
static int xrt_env_ok(void)
{
	const char *root = getenv("XILINX_XRT");
	const char *mode = getenv("XCL_EMULATION_MODE");
	char path[PATH_MAX];
	int n;

	if (!root || !*root)
		return fail(CLIF_E_NODEV, "XILINX_XRT is not set (XRT would abort the process)");
	if (mode && *mode)
		n = snprintf(path, sizeof(path), "%s/lib/libxrt_%s.so.2",
			     root, !strcmp(mode, "hw_emu") ? "hwemu" : !strcmp(mode, "sw_emu") ? "swemu" : mode);
	else
		n = snprintf(path, sizeof(path), "%s/lib/libxrt_core.so.2", root);
	if (n < 0 || (size_t)n >= sizeof(path))
		return fail(CLIF_E_NODEV, "XILINX_XRT is too long");
	if (access(path, R_OK))
		return fail(CLIF_E_NODEV, "%s: %s (XILINX_XRT must hold XRT's lib/; XRT would abort the process)", path,
			    strerror(errno));
	return 0;
}

/* Parses "<index>[,<xclbin>]". *xclbin gets NULL when no path is given. */
static int parse_dev(const char *dev, unsigned int *index, const char **xclbin)
{
	unsigned long v = 0;
	const char *p = dev;

	if (!dev || *p < '0' || *p > '9')
		return fail(CLIF_E_INVAL, "xrt: device \"%s\": expected <index>[,<xclbin>]", dev ? dev : "(null)");
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (unsigned long)(*p++ - '0');
		if (v > 0xffffu)
			return fail(CLIF_E_INVAL, "xrt: device \"%s\": index too large", dev);
	}
	*xclbin = NULL;
	if (*p == ',') {
		if (!p[1])
			return fail(CLIF_E_INVAL, "xrt: device \"%s\": empty xclbin path", dev);
		*xclbin = p + 1;
	} else if (*p) {
		return fail(CLIF_E_INVAL, "xrt: device \"%s\": expected <index>[,<xclbin>]", dev);
	}
	*index = (unsigned int)v;
	return 0;
}

static int errno_to_clif(int e)
{
	switch (e) {
	case EACCES:
	case EPERM:
		return CLIF_E_PERM;
	case ENOMEM:
		return CLIF_E_NOMEM;
	default:
		return CLIF_E_NODEV;
	}
}

static void xrt_ring_free(struct clif_card *c);

static void xrt_close(struct clif_card *c)
{
	struct xrt_priv *p = priv(c);

	if (!p)
		return;
	xrt_ring_free(c);
	if (p->krn)
		xrtKernelClose(p->krn);
	if (p->dev)
		xrtDeviceClose(p->dev);
	free(p);
	c->be_priv = NULL;
}

static int xrt_open(struct clif_card *c, const char *dev)
{
	struct xrt_priv *p;
	const char *xclbin = NULL;
	unsigned int index = 0;
	xuid_t uuid;
	static const xuid_t no_uuid;
	int err;

	c->be_priv = NULL;
	err = parse_dev(dev, &index, &xclbin);
	if (err)
		return err;
	if (!xclbin) {
		xclbin = getenv("CLIF_XCLBIN");
		if (xclbin && !*xclbin)
			xclbin = NULL;
	}
	err = xrt_env_ok();
	if (err)
		return err;

	p = calloc(1, sizeof(*p));
	if (!p)
		return fail(CLIF_E_NOMEM, "xrt: out of memory");
	c->be_priv = p;

	errno = 0;
	p->dev = xrtDeviceOpen(index);
	if (!p->dev) {
		int e = errno;

		err = fail(errno_to_clif(e), "xrtDeviceOpen(%u): %s", index, e ? strerror(e) : "failed");
		goto out;
	}
	if (xclbin && xrtDeviceLoadXclbinFile(p->dev, xclbin)) {
		err = fail(CLIF_E_IO, "xrtDeviceLoadXclbinFile(%u, %s) failed", index, xclbin);
		goto out;
	}
	if (xrtDeviceGetXclbinUUID(p->dev, uuid)) {
		err = fail(CLIF_E_IO, "xrtDeviceGetXclbinUUID(%u) failed", index);
		goto out;
	}
	if (!memcmp(uuid, no_uuid, sizeof(uuid))) {
		err = fail(CLIF_E_NODEV, "xrt device %u has no xclbin loaded (give xrt:%u,<xclbin> or CLIF_XCLBIN)", index,
			   index);
		goto out;
	}
	p->krn = xrtPLKernelOpenExclusive(p->dev, uuid, XRT_KERNEL_NAME);
	if (!p->krn) {
		err = fail(CLIF_E_NODEV, "xrtPLKernelOpenExclusive(%s) on device %u failed (no such kernel, or in use)",
			   XRT_KERNEL_NAME, index);
		goto out;
	}
	p->c2h_group = xrtKernelArgGroupId(p->krn, XRT_ARG_C2H_MEM);
	if (p->c2h_group < 0) {
		err = fail(CLIF_E_NODEV, "xrtKernelArgGroupId(%s, c2h_mem) failed: the xclbin connects no memory to it",
			   XRT_KERNEL_NAME);
		goto out;
	}
	return 0;
out:
	xrt_close(c);
	return err;
}

static int reg_read(struct xrt_priv *p, uint32_t off, uint32_t *v)
{
	if (xrtKernelReadRegister(p->krn, off, v))
		return fail(CLIF_E_IO, "xrtKernelReadRegister(0x%04x) failed", (unsigned int)off);
	return 0;
}

static int reg_write(struct xrt_priv *p, uint32_t off, uint32_t v)
{
	if (xrtKernelWriteRegister(p->krn, off, v))
		return fail(CLIF_E_IO, "xrtKernelWriteRegister(0x%04x) failed", (unsigned int)off);
	return 0;
}

static uint32_t xrt_read32(struct clif_card *c, uint32_t off)
{
	uint32_t v;

	if (!bar0_range_ok(off, 4)) {
		fail(CLIF_E_INVAL, "read32: offset 0x%x outside BAR0 or unaligned", (unsigned int)off);
		return XRT_BAD_READ;
	}
	if (reg_read(priv(c), off, &v))
		return XRT_BAD_READ;
	return v;
}

static void xrt_write32(struct clif_card *c, uint32_t off, uint32_t v)
{
	if (!bar0_range_ok(off, 4)) {
		fail(CLIF_E_INVAL, "write32: offset 0x%x outside BAR0 or unaligned", (unsigned int)off);
		return;
	}
	reg_write(priv(c), off, v);
}

/* Word by word; a tail shorter than a word takes the first bytes of the last word. */
static int xrt_read_block(struct clif_card *c, uint32_t off, void *dst, uint32_t n)
{
	uint8_t *d = dst;
	uint32_t i, v;
	int err;

	if (!bar0_range_ok(off, (n + 3u) & ~3u) || n > CLIF_BAR0_SIZE)
		return fail(CLIF_E_INVAL, "read_block: [0x%x, +0x%x) outside BAR0 or unaligned", (unsigned int)off,
			    (unsigned int)n);
	for (i = 0; i < n; i += 4) {
		err = reg_read(priv(c), off + i, &v);
		if (err)
			return err;
		memcpy(d + i, &v, n - i < 4 ? n - i : 4);
	}
	return 0;
}

/* Word by word; a tail shorter than a word is merged into the word read back first. */
static int xrt_write_block(struct clif_card *c, uint32_t off, const void *src, uint32_t n)
{
	const uint8_t *s = src;
	uint32_t i, v;
	int err;

	if (!bar0_range_ok(off, (n + 3u) & ~3u) || n > CLIF_BAR0_SIZE)
		return fail(CLIF_E_INVAL, "write_block: [0x%x, +0x%x) outside BAR0 or unaligned", (unsigned int)off,
			    (unsigned int)n);
	for (i = 0; i < n; i += 4) {
		if (n - i < 4) {
			err = reg_read(priv(c), off + i, &v);
			if (err)
				return err;
			memcpy(&v, s + i, n - i);
		} else {
			memcpy(&v, s + i, 4);
		}
		err = reg_write(priv(c), off + i, v);
		if (err)
			return err;
	}
	return 0;
}

static int xrt_ring_alloc(struct clif_card *c, uint32_t size, uint8_t **host, uint64_t *dma)
{
	struct xrt_priv *p = priv(c);
	uint64_t addr;
	void *map;

	if (p->ring)
		return fail(CLIF_E_INVAL, "ring_alloc: a ring is already allocated");
	if (!size)
		return fail(CLIF_E_INVAL, "ring_alloc: size 0");
	errno = 0;
	p->ring = xrtBOAlloc(p->dev, size, XRT_BO_FLAGS_NONE, (xrtMemoryGroup)p->c2h_group);
	if (!p->ring)
		return fail(errno == ENOMEM ? CLIF_E_NOMEM : CLIF_E_IO, "xrtBOAlloc(%u bytes, group %d) failed",
			    (unsigned int)size, p->c2h_group);
	map = xrtBOMap(p->ring);
	addr = xrtBOAddress(p->ring);
	if (!map || !addr || addr == (uint64_t)LLONG_MAX || addr == UINT64_MAX) {
		xrtBOFree(p->ring);
		p->ring = NULL;
		return fail(CLIF_E_IO, "%s failed", map ? "xrtBOAddress" : "xrtBOMap");
	}
	p->ring_size = size;
	*host = map;
	*dma = addr;
	return 0;
}

static void xrt_ring_free(struct clif_card *c)
{
	struct xrt_priv *p = priv(c);

	if (!p || !p->ring)
		return;
	xrtBOFree(p->ring);
	p->ring = NULL;
	p->ring_size = 0;
}

static int xrt_ring_sync(struct clif_card *c, uint32_t off, uint32_t len)
{
	struct xrt_priv *p = priv(c);

	if (!p->ring)
		return fail(CLIF_E_INVAL, "ring_sync: no ring");
	if (len > p->ring_size || off > p->ring_size - len)
		return fail(CLIF_E_INVAL, "ring_sync: [0x%x, +0x%x) outside the ring (0x%x bytes)", (unsigned int)off,
			    (unsigned int)len, (unsigned int)p->ring_size);
	if (!len)
		return 0;
	if (xrtBOSync(p->ring, XCL_BO_SYNC_BO_FROM_DEVICE, len, off))
		return fail(CLIF_E_IO, "xrtBOSync(from device, 0x%x, +0x%x) failed", (unsigned int)off,
			    (unsigned int)len);
	return 0;
}

const struct clif_backend_ops clif_xrt_ops = {
	.name = "xrt",
	.open = xrt_open,
	.close = xrt_close,
	.read32 = xrt_read32,
	.write32 = xrt_write32,
	.read_block = xrt_read_block,
	.write_block = xrt_write_block,
	.ring_alloc = xrt_ring_alloc,
	.ring_free = xrt_ring_free,
	.ring_sync = xrt_ring_sync,
};
