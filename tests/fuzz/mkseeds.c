/* SPDX-License-Identifier: BSD-3-Clause */
/* Writes a seed corpus for the data-plane fuzzer: frames from the testbench generator,
 * each prefixed with its 2-byte vport. Usage: mkseeds DIR COUNT */
#include <stdio.h>
#include <stdlib.h>

#include "pktgen.h"

int main(int argc, char **argv)
{
	static uint8_t frame[CLIF_DP_MAX_FRAME];
	struct pkt_rng rng;
	struct pkt_pool pool;
	long i, count;

	if (argc != 3 || (count = strtol(argv[2], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: %s DIR COUNT\n", argv[0]);
		return 2;
	}
	pkt_rng_seed(&rng, 7);
	pkt_pool_init(&pool, &rng);
	for (i = 0; i < count; i++) {
		char path[4096];
		uint16_t vport, len = pkt_random(&rng, &pool, frame, &vport);
		uint8_t hdr[2] = { (uint8_t)vport, (uint8_t)(vport >> 8) };
		FILE *f;

		snprintf(path, sizeof(path), "%s/seed-%04ld", argv[1], i);
		f = fopen(path, "wb");
		if (!f || fwrite(hdr, 1, 2, f) != 2 || fwrite(frame, 1, len, f) != len || fclose(f)) {
			perror(path);
			return 1;
		}
	}
	return 0;
}
