/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * clif-mkxclbin: writes a metadata-only xclbin for XRT's no-op emulation (XCL_EMULATION_MODE=noop).
 * No bitstream: only what XRT reads to load an xclbin and open a kernel:
 *   MEM_TOPOLOGY       one DDR bank ("bank0")
 *   IP_LAYOUT          one compute unit "<kernel>:<kernel>_1" (ap_ctrl_hs)
 *   CONNECTIVITY       the kernel's m_axi arguments (c2h_mem, punt_mem) on bank0
 *   EMBEDDED_METADATA  the kernel XML: AXI-lite control port (range CLIF_BAR0_SIZE), arguments
 *                      with their register offsets, the instance
 * The kernel and its arguments follow hls/top.c (clif_dp_top); all s_axilite arguments are put
 * on the one control port XRT knows about. The xclbin's UUID is a hash of its contents, so two
 * different files never share one.
 *
 * Usage: clif-mkxclbin [--kernel NAME] [--range BYTES] [--unconnected] OUT.xclbin
 *   --kernel NAME  name of the kernel (default clif_dp_top; another name gives an xclbin that
 *                  loads but holds no CLIF kernel)
 *   --range BYTES  address range of the control port (default CLIF_BAR0_SIZE); XRT refuses
 *                  register access at or past it
 *   --unconnected  no connectivity: the m_axi arguments have no memory bank
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xclbin.h"

#include "clif/bar.h"

#define CU_BASE 0x1800000ull
#define BANK0_BASE 0x4000000000ull
#define BANK0_KB (16ull * 1024 * 1024) /* 16 GiB */

/* The arguments of clif_dp_top (hls/top.c), in order; index = position. */
struct karg {
	const char *name;
	int qual;          /* addressQualifier: 0 scalar, 1 global memory, 4 stream */
	const char *port;  /* AXI port */
	uint32_t offset;   /* register offset on the control port (0 for streams) */
	uint32_t size;
	const char *type;
};

static const struct karg kargs[] = {
	{"in", 4, "in", 0x00, 0x0, "stream&lt;dp_beat&gt;"},
	{"fwd", 4, "fwd", 0x00, 0x0, "stream&lt;dp_beat&gt;"},
	{"meta", 0, "S_AXI_CONTROL", 0x10, 0x8, "void*"},
	{"have_frame", 0, "S_AXI_CONTROL", 0x18, 0x4, "unsigned int"},
	{"tw", 0, "S_AXI_CONTROL", 0x20, 0x8, "void*"},
	{"c2h_regs", 0, "S_AXI_CONTROL", 0x28, 0x8, "void*"},
	{"c2h_mem", 1, "M_AXI_HOST", 0x30, 0x8, "unsigned char*"},
	{"punt_regs", 0, "S_AXI_CONTROL", 0x38, 0x8, "void*"},
	{"punt_mem", 1, "M_AXI_CARD", 0x40, 0x8, "unsigned char*"},
	{"ctr", 0, "S_AXI_CONTROL", 0x48, 0x8, "void*"},
};
#define NARGS (sizeof(kargs) / sizeof(kargs[0]))

struct buf {
	char *p;
	size_t len, cap;
};

static void put(struct buf *b, const void *src, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;

		while (cap < b->len + n)
			cap *= 2;
		b->p = realloc(b->p, cap);
		if (!b->p) {
			perror("clif-mkxclbin");
			exit(1);
		}
		b->cap = cap;
	}
	memcpy(b->p + b->len, src, n);
	b->len += n;
}

static void putf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void putf(struct buf *b, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line)) {
		fprintf(stderr, "clif-mkxclbin: XML line too long\n");
		exit(1);
	}
	put(b, line, (size_t)n);
}

static void xml(struct buf *b, const char *kname, unsigned long range)
{
	putf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	putf(b, "<project name=\"clif\">\n");
	putf(b, "  <platform vendor=\"clif\" boardid=\"noop\" name=\"clif_noop\" featureRomTime=\"0\">\n");
	putf(b, "    <version major=\"1\" minor=\"0\"/>\n");
	putf(b, "    <device name=\"fpga0\" fpgaDevice=\"noop\" addrWidth=\"0\">\n");
	putf(b, "      <core name=\"OCL_REGION_0\" target=\"hw\" type=\"clc_region\" clockFreq=\"300MHz\" "
		"numComputeUnits=\"1\">\n");
	putf(b, "        <kernel name=\"%s\" language=\"c\" vlnv=\"clif:hls:%s:1.0\" "
		"preferredWorkGroupSizeMultiple=\"0\" workGroupSize=\"1\" interrupt=\"true\" "
		"hwControlProtocol=\"ap_ctrl_hs\">\n", kname, kname);
	putf(b, "          <port name=\"S_AXI_CONTROL\" mode=\"slave\" range=\"0x%lx\" dataWidth=\"32\" "
		"portType=\"addressable\" base=\"0x0\"/>\n", range);
	putf(b, "          <port name=\"M_AXI_HOST\" mode=\"master\" range=\"0xFFFFFFFFFFFFFFFF\" dataWidth=\"512\" "
		"portType=\"addressable\" base=\"0x0\"/>\n");
	putf(b, "          <port name=\"M_AXI_CARD\" mode=\"master\" range=\"0xFFFFFFFFFFFFFFFF\" dataWidth=\"512\" "
		"portType=\"addressable\" base=\"0x0\"/>\n");
	putf(b, "          <port name=\"in\" mode=\"read_only\" dataWidth=\"512\" portType=\"stream\"/>\n");
	putf(b, "          <port name=\"fwd\" mode=\"write_only\" dataWidth=\"512\" portType=\"stream\"/>\n");
	for (size_t i = 0; i < NARGS; i++) {
		const struct karg *a = &kargs[i];

		putf(b, "          <arg name=\"%s\" addressQualifier=\"%d\" id=\"%zu\" port=\"%s\" size=\"0x%x\" "
			"offset=\"0x%x\" hostOffset=\"0x0\" hostSize=\"0x%x\" type=\"%s\"/>\n",
		     a->name, a->qual, i, a->port, a->size, a->offset, a->size ? a->size : 0x40u, a->type);
	}
	putf(b, "          <instance name=\"%s_1\">\n", kname);
	putf(b, "            <addrRemap base=\"0x%llx\" range=\"0x%lx\" port=\"S_AXI_CONTROL\"/>\n",
	     (unsigned long long)CU_BASE, range);
	putf(b, "          </instance>\n");
	putf(b, "        </kernel>\n");
	putf(b, "      </core>\n");
	putf(b, "    </device>\n");
	putf(b, "  </platform>\n");
	putf(b, "</project>\n");
}

struct section {
	uint32_t kind;
	const char *name;
	struct buf data;
};

static void mem_topology(struct buf *b)
{
	int32_t count = 1;
	struct mem_data md;

	memset(&md, 0, sizeof(md));
	md.m_type = MEM_DDR4;
	md.m_used = 1;
	md.m_size = BANK0_KB;
	md.m_base_address = BANK0_BASE;
	memcpy(md.m_tag, "bank0", 6);
	put(b, &count, sizeof(count));
	put(b, "\0\0\0\0", 4); /* mem_data is 8-byte aligned */
	put(b, &md, sizeof(md));
}

static void ip_layout(struct buf *b, const char *kname)
{
	int32_t count = 1;
	struct ip_data ip;

	memset(&ip, 0, sizeof(ip));
	ip.m_type = IP_KERNEL;
	ip.properties = (uint32_t)AP_CTRL_HS << IP_CONTROL_SHIFT;
	ip.m_base_address = CU_BASE;
	if (snprintf((char *)ip.m_name, sizeof(ip.m_name), "%s:%s_1", kname, kname) >= (int)sizeof(ip.m_name)) {
		fprintf(stderr, "clif-mkxclbin: kernel name too long\n");
		exit(2);
	}
	put(b, &count, sizeof(count));
	put(b, "\0\0\0\0", 4);
	put(b, &ip, sizeof(ip));
}

static void connectivity(struct buf *b, int unconnected)
{
	int32_t count = 0;
	struct connection c[NARGS];

	for (size_t i = 0; i < NARGS && !unconnected; i++) {
		if (kargs[i].qual != 1)
			continue;
		c[count].arg_index = (int32_t)i;
		c[count].m_ip_layout_index = 0;
		c[count].mem_data_index = 0;
		count++;
	}
	put(b, &count, sizeof(count));
	put(b, c, (size_t)count * sizeof(c[0]));
}

/* FNV-1a, twice with different seeds, for a 16-byte UUID. */
static uint64_t fnv(const void *p, size_t n, uint64_t h)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

int main(int argc, char **argv)
{
	const char *kname = "clif_dp_top";
	const char *out = NULL;
	unsigned long range = CLIF_BAR0_SIZE;
	char *end;
	int usage = 0, unconnected = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--kernel") && i + 1 < argc)
			kname = argv[++i];
		else if (!strcmp(argv[i], "--range") && i + 1 < argc) {
			range = strtoul(argv[++i], &end, 0);
			usage |= *end || range < 0x100 || range > 0x10000000;
		} else if (!strcmp(argv[i], "--unconnected")) {
			unconnected = 1;
		} else if (argv[i][0] != '-' && !out)
			out = argv[i];
		else
			usage = 1;
	}
	if (usage || !out) {
		fprintf(stderr, "usage: clif-mkxclbin [--kernel NAME] [--range BYTES] [--unconnected] OUT.xclbin\n");
		return 2;
	}

	struct section sec[4] = {
		{MEM_TOPOLOGY, "mem_topology", {0}},
		{IP_LAYOUT, "ip_layout", {0}},
		{CONNECTIVITY, "connectivity", {0}},
		{EMBEDDED_METADATA, "metadata", {0}},
	};
	const uint32_t nsec = 4;

	mem_topology(&sec[0].data);
	ip_layout(&sec[1].data, kname);
	connectivity(&sec[2].data, unconnected);
	xml(&sec[3].data, kname, range);

	size_t hdr_len = sizeof(struct axlf) + (nsec - 1) * sizeof(struct axlf_section_header);
	struct axlf *top = calloc(1, hdr_len);
	size_t off = (hdr_len + 7) & ~(size_t)7;
	uint64_t h1 = 0xcbf29ce484222325ull, h2 = 0x84222325cbf29ce4ull;

	if (!top) {
		perror("clif-mkxclbin");
		return 1;
	}
	for (uint32_t i = 0; i < nsec; i++) {
		struct axlf_section_header *s = &top->m_sections[i];

		s->m_sectionKind = sec[i].kind;
		snprintf(s->m_sectionName, sizeof(s->m_sectionName), "%s", sec[i].name);
		s->m_sectionOffset = off;
		s->m_sectionSize = sec[i].data.len;
		off = (off + sec[i].data.len + 7) & ~(size_t)7;
		h1 = fnv(sec[i].data.p, sec[i].data.len, h1);
		h2 = fnv(sec[i].data.p, sec[i].data.len, h2);
	}
	memcpy(top->m_magic, "xclbin2", 8);
	top->m_signature_length = -1;
	memset(top->reserved, 0xff, sizeof(top->reserved));
	memset(top->m_keyBlock, 0xff, sizeof(top->m_keyBlock));
	top->m_uniqueId = h1;
	top->m_header.m_length = off;
	top->m_header.m_versionMajor = 2;
	top->m_header.m_versionMinor = 13;
	top->m_header.m_mode = XCLBIN_PR;
	snprintf((char *)top->m_header.m_platformVBNV, sizeof(top->m_header.m_platformVBNV), "clif_noop_1_0");
	memcpy(top->m_header.uuid, &h1, 8);
	memcpy(top->m_header.uuid + 8, &h2, 8);
	top->m_header.m_numSections = nsec;

	FILE *f = fopen(out, "wb");
	static const char zeros[8];
	int bad = !f;

	if (f) {
		size_t at = hdr_len;

		bad |= fwrite(top, hdr_len, 1, f) != 1;
		for (uint32_t i = 0; i < nsec; i++) {
			size_t pad = top->m_sections[i].m_sectionOffset - at;

			bad |= pad && fwrite(zeros, pad, 1, f) != 1;
			bad |= fwrite(sec[i].data.p, sec[i].data.len, 1, f) != 1;
			at = top->m_sections[i].m_sectionOffset + sec[i].data.len;
		}
		if (off > at)
			bad |= fwrite(zeros, off - at, 1, f) != 1;
		bad |= fclose(f) != 0;
	}
	if (bad) {
		perror(out);
		return 1;
	}
	for (uint32_t i = 0; i < nsec; i++)
		free(sec[i].data.p);
	free(top);
	return 0;
}
