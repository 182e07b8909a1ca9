/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The xrt backend of libclif (hostdrv/lib/xrt.c) against XRT's no-op emulation
 * (XCL_EMULATION_MODE=noop): call order, arguments, buffers and error paths. No card is
 * touched. tests/xrt/run-noop builds the environment (XILINX_XRT, the xclbins) and runs each
 * scenario in its own process, because XRT reads its environment once per process:
 *
 *   noop GOOD NOKERNEL SMALL UNCONN GARBAGE
 *                                     noop device with metadata-only xclbins (clif-mkxclbin):
 *                                     GOOD has clif_dp_top, NOKERNEL another kernel, SMALL a
 *                                     control port of 0x1000 bytes, UNCONN no memory bank on
 *                                     c2h_mem; GARBAGE is not an xclbin
 *   noxclbin                          noop device, no xclbin given and none loaded
 *   nocard                            no emulation mode and no card: a device index no host has
 *   noenv GOOD                        XILINX_XRT unset or wrong: refused before XRT is called
 *
 * What noop does, as observed with Debian's XRT 2.13 (the assertions below hold exactly this):
 *   - any device index opens (there is no device list), so a missing index is tested in nocard;
 *   - xrtBOAlloc gives real host memory behind xrtBOMap; xrtBOAddress is always 0xdeadbeef;
 *     xrtBOSync does nothing and returns 0 (whatever the offset and size); xrtBOAlloc takes any
 *     memory group, so which group the ring went to cannot be seen;
 *   - register access has no memory behind it: the shim's xclRegRead/xclRegWrite return 1, so
 *     xrtKernelReadRegister/xrtKernelWriteRegister return -1 after XRT prints
 *     "failed to read ip(0): Operation not permitted" (or "write"). XRT's own bound check comes
 *     first: at or past the xclbin's control-port range it prints "Cannot read or write outside
 *     kernel register space" instead. Which of the two lines a register call produces shows
 *     which offset reached XRT, which is how the offsets are checked here;
 *   - two exclusive opens of the same compute unit in one process both succeed (not tested).
 *
 * Output: one line per failed check, then "xrt-noop <scenario>: N checks, M failed". The exit
 * status is the number of failed checks (at most 255).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clif/bar.h"

#include "backend.h"
#include "card.h"

/* hostdrv/lib/xrt.c: this thread's last backend error. */
const char *clif_xrt_last_error(void);

#define NOOP_BO_ADDRESS 0xdeadbeefull
#define XRT_MSG_READ "failed to read ip(0): Operation not permitted"
#define XRT_MSG_WRITE "failed to write ip(0): Operation not permitted"
#define XRT_MSG_RANGE "Cannot read or write outside kernel register space"

static unsigned int checks, failures;

static void check(int ok, const char *what, long long got, long long want, int line)
{
	checks++;
	if (ok)
		return;
	failures++;
	printf("FAIL line %d: %s: got %lld (0x%llx), want %lld (0x%llx); last error \"%s\"\n", line, what, got,
	       (unsigned long long)got, want, (unsigned long long)want, clif_xrt_last_error());
}

#define CHECK_EQ(got, want) \
	do { \
		long long g_ = (long long)(got), w_ = (long long)(want); \
		check(g_ == w_, #got " == " #want, g_, w_, __LINE__); \
	} while (0)
#define CHECK(cond) check(!!(cond), #cond, 0, 1, __LINE__)
/* The last backend error contains text. */
#define CHECK_ERR(text) check(strstr(clif_xrt_last_error(), text) != NULL, "last error has \"" text "\"", 0, 1, __LINE__)

/* ---- capture of what XRT prints on stderr ---- */

static FILE *cap_file;
static int cap_saved = -1;
static char cap_text[65536];

static void cap_begin(void)
{
	fflush(stderr);
	cap_file = tmpfile();
	if (!cap_file) {
		perror("tmpfile");
		exit(255);
	}
	cap_saved = dup(2);
	if (cap_saved < 0 || dup2(fileno(cap_file), 2) < 0) {
		perror("dup2");
		exit(255);
	}
}

/* Ends the capture; cap_text holds what was printed (and it is passed on to stderr). */
static void cap_end(void)
{
	size_t n;

	fflush(stderr);
	dup2(cap_saved, 2);
	close(cap_saved);
	rewind(cap_file);
	n = fread(cap_text, 1, sizeof(cap_text) - 1, cap_file);
	cap_text[n] = 0;
	fclose(cap_file);
	fputs(cap_text, stderr);
}

static unsigned int count(const char *text, const char *what)
{
	unsigned int n = 0;

	for (const char *p = strstr(text, what); p; p = strstr(p + 1, what))
		n++;
	return n;
}

/* ---- helpers ---- */

static int open_card(struct clif_card *c, const char *fmt, const char *arg)
{
	char dev[4096];

	memset(c, 0, sizeof(*c));
	c->ops = &clif_xrt_ops;
	c->be_priv = (void *)c; /* open must set it (NULL on failure) */
	snprintf(dev, sizeof(dev), fmt, arg);
	return c->ops->open(c, dev);
}

static const uint32_t block_offs[] = {CLIF_BAR0_OFF_IDENT, CLIF_BAR0_OFF_MBOX, CLIF_BAR0_OFF_C2H, CLIF_BAR0_OFF_DPCTR,
				      CLIF_BAR0_SIZE - 4};
#define NBLOCK_OFFS (sizeof(block_offs) / sizeof(block_offs[0]))

static void test_ring(struct clif_card *c)
{
	const uint32_t size = 65536;
	uint8_t *host = NULL;
	uint64_t dma = 0;

	CHECK_EQ(c->ops->ring_alloc(c, 0, &host, &dma), CLIF_E_INVAL);
	CHECK_EQ(c->ops->ring_sync(c, 0, 64), CLIF_E_INVAL); /* no ring yet */

	CHECK_EQ(c->ops->ring_alloc(c, size, &host, &dma), 0);
	CHECK(host != NULL);
	CHECK_EQ(dma, NOOP_BO_ADDRESS);
	if (host) {
		/* The mapping is host memory the whole ring long. */
		for (uint32_t i = 0; i < size; i++)
			host[i] = (uint8_t)(i * 7u + 1u);
		uint32_t bad = 0;
		for (uint32_t i = 0; i < size; i++)
			bad += host[i] != (uint8_t)(i * 7u + 1u);
		CHECK_EQ(bad, 0);
	}
	uint8_t *host2 = NULL;
	uint64_t dma2 = 0;
	CHECK_EQ(c->ops->ring_alloc(c, size, &host2, &dma2), CLIF_E_INVAL); /* one ring at a time */
	CHECK_ERR("already allocated");

	CHECK_EQ(c->ops->ring_sync(c, 0, size), 0);
	CHECK_EQ(c->ops->ring_sync(c, 4096, 4096), 0);
	CHECK_EQ(c->ops->ring_sync(c, size - 64, 64), 0);
	CHECK_EQ(c->ops->ring_sync(c, size, 0), 0);
	CHECK_EQ(c->ops->ring_sync(c, size - 64, 128), CLIF_E_INVAL);
	CHECK_ERR("outside the ring");
	CHECK_EQ(c->ops->ring_sync(c, size + 1, 0), CLIF_E_INVAL);
	CHECK_EQ(c->ops->ring_sync(c, 0xffffffffu, 2), CLIF_E_INVAL);
	CHECK_EQ(c->ops->ring_sync(c, 64, 0xffffffffu), CLIF_E_INVAL);

	c->ops->ring_free(c);
	c->ops->ring_free(c); /* twice is harmless */
	CHECK_EQ(c->ops->ring_sync(c, 0, 64), CLIF_E_INVAL);
	CHECK_ERR("no ring");

	/* A new ring after the old one is freed; close frees this one. */
	CHECK_EQ(c->ops->ring_alloc(c, 4096, &host, &dma), 0);
	CHECK_EQ(dma, NOOP_BO_ADDRESS);
	CHECK_EQ(c->ops->ring_sync(c, 0, 4096), 0);
}

/* Every in-range register call reaches XRT's register calls, which noop fails. */
static void test_regs_in_range(struct clif_card *c)
{
	char want[64];
	uint8_t buf[64];

	cap_begin();
	for (unsigned int i = 0; i < NBLOCK_OFFS; i++) {
		CHECK_EQ(c->ops->read32(c, block_offs[i]), 0xffffffffu);
		snprintf(want, sizeof(want), "xrtKernelReadRegister(0x%04x) failed", (unsigned int)block_offs[i]);
		CHECK(!strcmp(clif_xrt_last_error(), want));
		c->ops->write32(c, block_offs[i], 0x5a5a0000u + i);
		snprintf(want, sizeof(want), "xrtKernelWriteRegister(0x%04x) failed", (unsigned int)block_offs[i]);
		CHECK(!strcmp(clif_xrt_last_error(), want));
	}
	/* Blocks stop at the first failed word. */
	memset(buf, 0xa5, sizeof(buf));
	CHECK_EQ(c->ops->read_block(c, CLIF_BAR0_OFF_MBOX, buf, sizeof(buf)), CLIF_E_IO);
	CHECK(!strcmp(clif_xrt_last_error(), "xrtKernelReadRegister(0x1000) failed"));
	CHECK_EQ(c->ops->write_block(c, CLIF_BAR0_OFF_MBOX + 0x40, buf, sizeof(buf)), CLIF_E_IO);
	CHECK(!strcmp(clif_xrt_last_error(), "xrtKernelWriteRegister(0x1040) failed"));
	/* A tail shorter than a word is read back before it is written. */
	CHECK_EQ(c->ops->write_block(c, CLIF_BAR0_OFF_MBOX + 0x80, buf, 3), CLIF_E_IO);
	CHECK(!strcmp(clif_xrt_last_error(), "xrtKernelReadRegister(0x1080) failed"));
	CHECK_EQ(c->ops->read_block(c, CLIF_BAR0_SIZE - 4, buf, 4), CLIF_E_IO);
	/* Nothing to copy: no XRT call. */
	CHECK_EQ(c->ops->read_block(c, CLIF_BAR0_OFF_MBOX, buf, 0), 0);
	CHECK_EQ(c->ops->write_block(c, CLIF_BAR0_OFF_MBOX, buf, 0), 0);
	cap_end();

	CHECK_EQ(count(cap_text, XRT_MSG_READ), NBLOCK_OFFS + 3);
	CHECK_EQ(count(cap_text, XRT_MSG_WRITE), NBLOCK_OFFS + 1);
	CHECK_EQ(count(cap_text, XRT_MSG_RANGE), 0);
}

/* Offsets past BAR0 or unaligned are refused before XRT is called. */
static void test_regs_out_of_range(struct clif_card *c)
{
	uint8_t buf[64] = {0};

	cap_begin();
	CHECK_EQ(c->ops->read32(c, CLIF_BAR0_SIZE), 0xffffffffu);
	CHECK_ERR("outside BAR0");
	CHECK_EQ(c->ops->read32(c, 0xfffffffcu), 0xffffffffu);
	CHECK_ERR("outside BAR0");
	CHECK_EQ(c->ops->read32(c, CLIF_BAR0_OFF_MBOX + 2), 0xffffffffu);
	CHECK_ERR("unaligned");
	c->ops->write32(c, CLIF_BAR0_SIZE, 1);
	CHECK_ERR("write32: offset 0x4000 outside BAR0");
	c->ops->write32(c, CLIF_BAR0_SIZE - 2, 1);
	CHECK_ERR("write32: offset 0x3ffe");
	CHECK_EQ(c->ops->read_block(c, CLIF_BAR0_SIZE - 16, buf, 32), CLIF_E_INVAL);
	CHECK_ERR("read_block");
	CHECK_EQ(c->ops->read_block(c, CLIF_BAR0_SIZE - 4, buf, 5), CLIF_E_INVAL);
	CHECK_EQ(c->ops->read_block(c, 0, buf, CLIF_BAR0_SIZE + 4), CLIF_E_INVAL);
	CHECK_EQ(c->ops->read_block(c, 0xfffffff0u, buf, 32), CLIF_E_INVAL);
	CHECK_EQ(c->ops->read_block(c, 0, buf, 0xfffffffeu), CLIF_E_INVAL);
	CHECK_EQ(c->ops->read_block(c, 2, buf, 4), CLIF_E_INVAL);
	CHECK_EQ(c->ops->write_block(c, CLIF_BAR0_SIZE - 4, buf, 8), CLIF_E_INVAL);
	CHECK_ERR("write_block");
	CHECK_EQ(c->ops->write_block(c, 0xfffffffcu, buf, 8), CLIF_E_INVAL);
	CHECK_EQ(c->ops->write_block(c, 0, buf, 0xfffffffdu), CLIF_E_INVAL);
	CHECK_EQ(c->ops->write_block(c, 6, buf, 4), CLIF_E_INVAL);
	cap_end();
	CHECK_EQ(count(cap_text, "[XRT]"), 0);
}

/*
 * SMALL's control port is 0x1000 bytes: XRT reaches the shim for 0x0ffc and refuses 0x1000 by
 * its own bound. So the backend hands XRT BAR0 offsets unchanged.
 */
static void test_offsets_reach_xrt(const char *small)
{
	struct clif_card c;
	const char *p;

	CHECK_EQ(open_card(&c, "0,%s", small), 0);
	if (!c.be_priv)
		return;
	cap_begin();
	CHECK_EQ(c.ops->read32(&c, 0x0ffc), 0xffffffffu);
	CHECK_EQ(c.ops->read32(&c, 0x1000), 0xffffffffu);
	c.ops->write32(&c, 0x0ffc, 1);
	c.ops->write32(&c, 0x1000, 1);
	cap_end();
	CHECK_EQ(count(cap_text, XRT_MSG_READ), 1);
	CHECK_EQ(count(cap_text, XRT_MSG_WRITE), 1);
	CHECK_EQ(count(cap_text, XRT_MSG_RANGE), 2);
	/* In call order: read 0xffc, read 0x1000, write 0xffc, write 0x1000. */
	p = strstr(cap_text, XRT_MSG_READ);
	p = p ? strstr(p, XRT_MSG_RANGE) : NULL;
	p = p ? strstr(p, XRT_MSG_WRITE) : NULL;
	p = p ? strstr(p, XRT_MSG_RANGE) : NULL;
	CHECK(p != NULL);
	c.ops->close(&c);
}

static void test_dev_syntax(void)
{
	static const char *const bad[] = {"", "x", "0,", "-1", "+1", " 0", "0x1", "65536", "99999999999", "0;a", "0 ,a"};
	struct clif_card c;

	cap_begin();
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(open_card(&c, "%s", bad[i]), CLIF_E_INVAL);
		CHECK(c.be_priv == NULL);
	}
	CHECK_ERR("device \"0 ,a\"");
	cap_end();
	CHECK_EQ(count(cap_text, "[XRT]"), 0);
}

static int scenario_noop(char **argv)
{
	const char *good = argv[0], *nokernel = argv[1], *small = argv[2], *unconn = argv[3], *garbage = argv[4];
	struct clif_card c;

	test_dev_syntax();

	CHECK_EQ(open_card(&c, "0,%s", good), 0);
	CHECK(c.be_priv != NULL && c.be_priv != (void *)&c);
	if (c.be_priv) {
		CHECK(!strcmp(c.ops->name, "xrt"));
		test_ring(&c);
		test_regs_in_range(&c);
		test_regs_out_of_range(&c);
		c.ops->close(&c);
		CHECK(c.be_priv == NULL);
	}

	test_offsets_reach_xrt(small);

	/* An xclbin without the CLIF kernel: no CLIF card there. */
	CHECK_EQ(open_card(&c, "0,%s", nokernel), CLIF_E_NODEV);
	CHECK(c.be_priv == NULL);
	CHECK_ERR("xrtPLKernelOpenExclusive(clif_dp_top)");

	/* c2h_mem connected to no memory bank: nowhere to put the ring. */
	CHECK_EQ(open_card(&c, "0,%s", unconn), CLIF_E_NODEV);
	CHECK(c.be_priv == NULL);
	CHECK_ERR("xrtKernelArgGroupId(clif_dp_top, c2h_mem) failed");

	/* xclbins that cannot be loaded. */
	CHECK_EQ(open_card(&c, "0,%s", "/nonexistent/clif.xclbin"), CLIF_E_IO);
	CHECK(c.be_priv == NULL);
	CHECK_ERR("xrtDeviceLoadXclbinFile(0, /nonexistent/clif.xclbin) failed");
	CHECK_EQ(open_card(&c, "0,%s", garbage), CLIF_E_IO);
	CHECK(c.be_priv == NULL);
	CHECK_ERR("xrtDeviceLoadXclbinFile");

	/* CLIF_XCLBIN when the device string names none. */
	setenv("CLIF_XCLBIN", good, 1);
	CHECK_EQ(open_card(&c, "%s", "0"), 0);
	if (c.be_priv)
		c.ops->close(&c);
	setenv("CLIF_XCLBIN", "/nonexistent/clif.xclbin", 1);
	CHECK_EQ(open_card(&c, "%s", "0"), CLIF_E_IO);
	/* ... and the device string's xclbin wins over it. */
	CHECK_EQ(open_card(&c, "0,%s", good), 0);
	if (c.be_priv)
		c.ops->close(&c);
	unsetenv("CLIF_XCLBIN");

	/* Observed noop quirk: every device index opens (so nocard tests a missing index). */
	CHECK_EQ(open_card(&c, "1000,%s", good), 0);
	if (c.be_priv)
		c.ops->close(&c);
	return 0;
}

/* Nothing loaded and no xclbin named: the device has no CLIF kernel to open. */
static int scenario_noxclbin(void)
{
	struct clif_card c;

	CHECK_EQ(open_card(&c, "%s", "0"), CLIF_E_NODEV);
	CHECK(c.be_priv == NULL);
	CHECK_ERR("has no xclbin loaded");
	return 0;
}

/* No emulation, no card. Index 4095 so that a host with a card is never touched either. */
static int scenario_nocard(void)
{
	struct clif_card c;

	CHECK_EQ(open_card(&c, "%s", "4095,/nonexistent/clif.xclbin"), CLIF_E_NODEV);
	CHECK(c.be_priv == NULL);
	CHECK_ERR("xrtDeviceOpen(4095)");
	return 0;
}

/* XRT would abort the process: the backend refuses first. */
static int scenario_noenv(const char *good)
{
	struct clif_card c;

	unsetenv("XILINX_XRT");
	CHECK_EQ(open_card(&c, "0,%s", good), CLIF_E_NODEV);
	CHECK(c.be_priv == NULL);
	CHECK_ERR("XILINX_XRT is not set");
	setenv("XILINX_XRT", "/nonexistent", 1);
	CHECK_EQ(open_card(&c, "0,%s", good), CLIF_E_NODEV);
	CHECK_ERR("/nonexistent/lib/libxrt_");
	return 0;
}

int main(int argc, char **argv)
{
	const char *s = argc > 1 ? argv[1] : "";

	if (!strcmp(s, "noop") && argc == 7)
		scenario_noop(argv + 2);
	else if (!strcmp(s, "noxclbin") && argc == 2)
		scenario_noxclbin();
	else if (!strcmp(s, "nocard") && argc == 2)
		scenario_nocard();
	else if (!strcmp(s, "noenv") && argc == 3)
		scenario_noenv(argv[2]);
	else {
		fprintf(stderr, "usage: %s noop GOOD NOKERNEL SMALL UNCONN GARBAGE | noxclbin | nocard | noenv GOOD\n", argv[0]);
		return 255;
	}
	printf("xrt-noop %s: %u checks, %u failed\n", s, checks, failures);
	return failures > 255 ? 255 : (int)failures;
}
