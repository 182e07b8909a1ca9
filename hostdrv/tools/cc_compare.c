/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * clif-cc-compare: did the LEMF receive exactly the expected CC?
 *
 *   clif-cc-compare EXPECT.pcap GOT.pcap
 *
 * Compares two raw-IP captures (LINKTYPE_RAW, as clif-demo-traffic and clif-lemf write them)
 * packet by packet: the captured bytes only, not the timestamps. Prints
 * "N expected, N received, N identical" and, at the first difference, which packet (index from
 * 0) and at which byte offset. A GOT file that does not exist counts as nothing received (the
 * LEMF creates a file only when the first packet arrives).
 * Exit status: 0 identical in number, order and bytes; 1 different; 2 bad arguments, a file
 * that cannot be read, or one that is not a raw-IP pcap.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Opens a raw-IP capture; NULL (message printed) on any error. */
static pcap_t *open_raw(const char *path)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);
	int dlt;

	if (!p) {
		fprintf(stderr, "clif-cc-compare: cannot read %s as a pcap: %s\n", path, err);
		return NULL;
	}
	dlt = pcap_datalink(p);
	if (dlt != DLT_RAW) {
		const char *name = pcap_datalink_val_to_name(dlt);

		fprintf(stderr, "clif-cc-compare: %s: link type %d (%s) is not raw IP (LINKTYPE_RAW)\n", path, dlt,
			name ? name : "unknown");
		pcap_close(p);
		return NULL;
	}
	return p;
}

/* The next packet: 1 one, 0 end of file, -1 read error (message printed). */
static int next(pcap_t *p, const char *path, const u_char **data, size_t *len)
{
	struct pcap_pkthdr *h;
	int rc = pcap_next_ex(p, &h, data);

	if (rc == PCAP_ERROR_BREAK)
		return 0;
	if (rc != 1) {
		fprintf(stderr, "clif-cc-compare: %s: %s\n", path, rc == PCAP_ERROR ? pcap_geterr(p) : "read error");
		return -1;
	}
	if (h->caplen < h->len) {
		fprintf(stderr, "clif-cc-compare: %s: a packet was cut short by the capture's snap length\n", path);
		return -1;
	}
	*len = h->caplen;
	return 1;
}

int main(int argc, char **argv)
{
	unsigned long long n_exp = 0, n_got = 0, same = 0, idx = 0;
	const char *exp_path, *got_path;
	char diff[160] = "";
	pcap_t *exp, *got = NULL;
	struct stat st;
	int err = 0;

	if (argc != 3 || !*argv[1] || !*argv[2]) {
		fprintf(stderr, "Usage: clif-cc-compare EXPECT.pcap GOT.pcap\n");
		return 2;
	}
	exp_path = argv[1];
	got_path = argv[2];
	exp = open_raw(exp_path);
	if (!exp)
		return 2;
	if (stat(got_path, &st) == 0 || errno != ENOENT) {
		got = open_raw(got_path);
		if (!got) {
			pcap_close(exp);
			return 2;
		}
	}
	for (;; idx++) {
		const u_char *a = NULL, *b = NULL;
		size_t la = 0, lb = 0, off;
		int ra = next(exp, exp_path, &a, &la);
		int rb = got ? next(got, got_path, &b, &lb) : 0;

		if (ra < 0 || rb < 0) {
			err = 1;
			break;
		}
		n_exp += (unsigned)ra;
		n_got += (unsigned)rb;
		if (!ra && !rb)
			break;
		if (!ra || !rb) {
			if (!diff[0])
				snprintf(diff, sizeof(diff), "first difference: packet %llu %s", idx,
					 ra ? "is missing from the received file" : "was received but not expected");
			continue;
		}
		for (off = 0; off < la && off < lb && a[off] == b[off]; off++)
			;
		if (off == la && la == lb) {
			same++;
			continue;
		}
		if (!diff[0])
			snprintf(diff, sizeof(diff), "first difference: packet %llu at byte offset %zu (lengths %zu, %zu)",
				 idx, off, la, lb);
	}
	pcap_close(exp);
	if (got)
		pcap_close(got);
	if (err)
		return 2;
	printf("%llu expected, %llu received, %llu identical\n", n_exp, n_got, same);
	if (diff[0]) {
		printf("%s\n", diff);
		return 1;
	}
	return 0;
}
