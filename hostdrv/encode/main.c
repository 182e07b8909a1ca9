/* clif-encode: a pcap in, the handover byte stream CLIF would send for one target out
 * (see --help, and encode.h for the parts). */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <pcap/pcap.h>

#include "encode.h"

struct enc_counts {
	uint64_t read, matched, not_ip, not_matching, oversize, truncated;
};

static struct enc_options opts;
static struct enc_framer framer; /* about 10 KB of beats: kept off the stack */

static pcap_t *open_capture(const char *path)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);

	if (pc == NULL) {
		fprintf(stderr, ENC_NAME ": cannot read the capture: %s\n", err);
		return NULL;
	}
	int dlt = pcap_datalink(pc);
	if (enc_framer_init(&framer, dlt) < 0) {
		const char *name = pcap_datalink_val_to_name(dlt);
		fprintf(stderr,
			ENC_NAME ": the capture's link type %s (%d) is not supported: use EN10MB, "
				 "RAW, IPV4, IPV6, LINUX_SLL or LINUX_SLL2\n",
			name ? name : "unknown", dlt);
		pcap_close(pc);
		return NULL;
	}
	return pc;
}

/* Would writing out truncate the capture before it is read? */
static int same_file(const char *in, const char *out)
{
	struct stat a, b;

	if (out == NULL || strcmp(out, "-") == 0 || stat(in, &a) < 0 || stat(out, &b) < 0)
		return 0;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Reads every frame and emits the matched ones. Returns 0, ENC_EXIT_IO (output or encoder
 * failure) or ENC_EXIT_USAGE (the capture is damaged). */
static int run(pcap_t *pc, struct enc_emitter *em, struct enc_counts *n)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	struct enc_dgram d;
	int r;

	while ((r = pcap_next_ex(pc, &h, &data)) == 1) {
		n->read++;
		int kind = enc_frame(&framer, data, h->caplen, &d);
		if (kind == ENC_FRAME_NOT_IP) {
			n->not_ip++;
			continue;
		}
		if (kind == ENC_FRAME_OVERSIZE) {
			n->oversize++;
			continue;
		}
		unsigned sides = enc_target_sides(&opts.target, &d);
		if (sides == 0) {
			n->not_matching++;
			continue;
		}
		n->matched++;
		n->truncated += d.truncated;
		/* Nanosecond precision was asked for: tv_usec holds nanoseconds. */
		uint64_t ts_ns = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec;
		if (enc_emit_packet(em, &d, sides, ts_ns) < 0)
			return ENC_EXIT_IO;
	}
	if (r == PCAP_ERROR) {
		fprintf(stderr,
			ENC_NAME ": the capture is damaged after %" PRIu64 " packets (%s); the "
				 "output stops there, without the IRI END\n",
			n->read, pcap_geterr(pc));
		return ENC_EXIT_USAGE;
	}
	return enc_emit_finish(em) < 0 ? ENC_EXIT_IO : ENC_EXIT_OK;
}

static void summary(const struct enc_counts *n, const struct enc_emitter *em,
		    const struct enc_sink *out)
{
	int hi = opts.format == ENC_FMT_HI;

	fprintf(stderr,
		ENC_NAME ": %" PRIu64 " packets read, %" PRIu64 " matched, %" PRIu64
			 " skipped as non-IP, %" PRIu64 " skipped as not matching, %" PRIu64
			 " skipped as oversize, %" PRIu64 " truncated\n",
		n->read, n->matched, n->not_ip, n->not_matching, n->oversize, n->truncated);
	if (n->matched == 0)
		fprintf(stderr, ENC_NAME ": no datagram matched the target: no PDU written\n");
	fprintf(stderr, ENC_NAME ": %" PRIu64 " %s and %" PRIu64 " %s PDUs written, %" PRIu64 " bytes\n",
		em->pdus[hi ? ENC_PDU_IRI : ENC_PDU_X2], hi ? "IRI" : "X2",
		em->pdus[hi ? ENC_PDU_CC : ENC_PDU_X3], hi ? "CC" : "X3", out->bytes);
}

int main(int argc, char **argv)
{
	static struct enc_emitter em;
	struct enc_sink out;
	struct enc_counts n = {0};

	int rc = enc_options_parse(&opts, argc, argv);
	if (rc >= 0)
		return rc;
	/* A receiver that goes away must give a write error (exit 1), not kill us. */
	signal(SIGPIPE, SIG_IGN);

	if (same_file(opts.in_path, opts.out_path)) {
		fprintf(stderr, ENC_NAME ": -w names the capture itself (see --help)\n");
		return ENC_EXIT_USAGE;
	}
	pcap_t *pc = open_capture(opts.in_path);
	if (pc == NULL)
		return ENC_EXIT_USAGE;
	if (enc_emit_init(&em, &opts, &out) < 0) {
		pcap_close(pc);
		return ENC_EXIT_USAGE;
	}
	if (enc_sink_open(&out, &opts) < 0) {
		enc_sink_close(&out);
		pcap_close(pc);
		return ENC_EXIT_IO;
	}
	rc = run(pc, &em, &n);
	pcap_close(pc);
	if (enc_sink_close(&out) < 0 && rc == ENC_EXIT_OK)
		rc = ENC_EXIT_IO;
	summary(&n, &em, &out);
	return rc;
}
