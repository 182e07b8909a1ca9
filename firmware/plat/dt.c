/* SPDX-License-Identifier: BSD-3-Clause */
/* Small device-tree helpers over libfdt: nodes by compatible, reg entries, cells. */
#include <libfdt.h>

#include "plat/plat.h"

static int node_enabled(const void *fdt, int node)
{
	int len;
	const char *st = fdt_getprop(fdt, node, "status", &len);

	if (!st)
		return 1;
	return len > 0 && st[len - 1] == '\0' && (!strcmp(st, "okay") || !strcmp(st, "ok"));
}

int dt_find_compatible(const void *fdt, const char *compat)
{
	int node = -1;

	for (;;) {
		node = fdt_node_offset_by_compatible(fdt, node, compat);
		if (node < 0 || node_enabled(fdt, node))
			return node;
	}
}

static uint64_t cells(const fdt32_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = (v << 32) | fdt32_ld(&p[i]);
	return v;
}

int dt_reg(const void *fdt, int node, int idx, uint64_t *base, uint64_t *size, const char **why)
{
	int parent = fdt_parent_offset(fdt, node);
	int ac, sc, len;
	const fdt32_t *reg;

	if (parent < 0) {
		*why = "no parent node";
		return -1;
	}
	for (int p = parent; p > 0; p = fdt_parent_offset(fdt, p)) {
		int rlen;

		if (fdt_getprop(fdt, p, "ranges", &rlen) && rlen != 0) {
			*why = "a parent bus translates addresses (non-empty ranges): not supported";
			return -1;
		}
	}
	ac = fdt_address_cells(fdt, parent);
	sc = fdt_size_cells(fdt, parent);
	if (ac < 1 || ac > 2 || sc < 1 || sc > 2) {
		*why = "#address-cells and #size-cells must be 1 or 2";
		return -1;
	}
	reg = fdt_getprop(fdt, node, "reg", &len);
	if (!reg) {
		*why = "no reg property";
		return -1;
	}
	if (len % (4 * (ac + sc)) || (idx + 1) * 4 * (ac + sc) > len) {
		*why = len % (4 * (ac + sc)) ? "reg length does not match #address-cells/#size-cells"
					     : "reg has too few entries";
		return -1;
	}
	reg += idx * (ac + sc);
	*base = cells(reg, ac);
	*size = cells(reg + ac, sc);
	if (*size == 0 || *base + *size < *base) {
		*why = "reg is empty or wraps around";
		return -1;
	}
	return 0;
}

uint32_t dt_u32(const void *fdt, int node, const char *name, uint32_t dflt)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);

	return p && len == 4 ? fdt32_ld(p) : dflt;
}
