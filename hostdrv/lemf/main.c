/* clif-lemf: options, the -r file mode, signals, the summary. */
#include "lemf.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "net.h"

#define MAX_FILES 256

struct lemf_opts lemf_opts = {.fmt = ETSI_STREAM_AUTO, .max_pdu = ETSI_STREAM_DEFAULT_MAX_PDU};

static const char USAGE[] =
"Usage: clif-lemf -o DIR (-l [ADDR:]PORT | -r FILE...) [options]\n"
"\n"
"A receiver for ETSI handover streams, for acceptance tests between CLIF and an agency:\n"
"it takes TS 102 232-1 streams (BER PS-PDUs carrying HI2 IRI, HI3 CC and TRI, concatenated\n"
"with no extra framing, TS 102 232-1 clause 6.4) and TS 103 221-2 X2/X3 streams, decodes\n"
"every PDU, answers keep-alives and checks sequence continuity.\n"
"\n"
"Input:\n"
"  -l, --listen [ADDR:]PORT  accept TCP connections (IPv6: [ADDR]:PORT; port 0 picks one)\n"
"  -r, --read FILE           decode a stored stream (e.g. from clif-encode or --raw); may be\n"
"                            given up to 256 times; each file is one input\n"
"      --format auto|hi|x2x3 stream kind; auto (default) decides per input from its first\n"
"                            byte (30: PS-PDU, 00: X2/X3 header)\n"
"      --tls-cert FILE       serve TLS (1.2 or later) with this certificate chain (PEM)...\n"
"      --tls-key FILE        ...and this private key (PEM)\n"
"      --tls-ca FILE         require a client certificate issued by this CA (PEM); without\n"
"                            it no client certificate is asked for\n"
"      --connections N       exit after N connections have ended (default: run until\n"
"                            SIGINT or SIGTERM)\n"
"      --port-file FILE      write the listening port number to FILE\n"
"      --max-pdu BYTES       largest PDU accepted (default 131072; 64..67108864)\n"
"\n"
"Output (in the folder given with -o, created if missing):\n"
"  cc-<LIID>.pcap            the CC of each LIID: IP datagrams as delivered (linktype RAW,\n"
"                            nanosecond timestamps from the PDU)\n"
"  x3-<XID>.pcap             X3 IPv4/IPv6 payloads per XID (x3-<XID>-eth.pcap: Ethernet)\n"
"  events.jsonl              one JSON object per line: each IRI (all decoded fields), each CC\n"
"                            and TRI (header, direction, length), each X2/X3 PDU, and every\n"
"                            anomaly: \"gap\", \"duplicate\", \"first_seq_not_zero\",\n"
"                            \"undecodable\", \"framing_error\", \"tls_refused\"\n"
"  Characters outside [A-Za-z0-9_-] in file names are written as %XX.\n"
"      --raw DIR             also store the bytes received on each connection as\n"
"                            DIR/conn-NNNNNN.raw (replayable with -r)\n"
"\n"
"Checks:\n"
"  Sequence numbers are followed per context: (LIID, operator, NE, CIN, delivery country,\n"
"  payload type) for PS-PDUs, with IRI, CC and each TRI kind counted apart, and (XID,\n"
"  correlation ID, X2 or X3) for X2/X3 (TS 102 232-1 clause 5.2.5, TS 103 221-2). A jump\n"
"  forward is a gap; a number at or behind the last one is a duplicate (a delivery function\n"
"  re-sends its buffer after a reconnect). Undecodable PDUs and framing errors are reported\n"
"  with their byte offset; the receiver resynchronises on the next PDU start and loses\n"
"  nothing it already decoded.\n"
"      --strict              stop at the first undecodable PDU or framing error (exit 3)\n"
"  -q, --quiet               no per-error messages on stderr (the summary stays)\n"
"\n"
"Replies: a TRI keep-alive is answered with a keep-aliveResponse carrying its sequence\n"
"number; an X2/X3 keepalive with a keepalive acknowledgement.\n"
"\n"
"Exit status: 0 done; 1 I/O or network set-up failure; 2 usage error; 3 --strict and\n"
"undecodable data was received.\n"
"  -h, --help                this text\n"
"      --version             the version\n";

static void on_signal(int sig)
{
	(void)sig;
	lemf_request_stop();
}

static int usage_error(const char *msg)
{
	fprintf(stderr, "clif-lemf: %s (see clif-lemf --help)\n", msg);
	return 2;
}

static int read_file(const char *path, unsigned id)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "clif-lemf: cannot open %s: %s\n", path, strerror(errno));
		return 1;
	}
	struct lemf_conn c = {.id = id, .peer = path};
	if (lemf_conn_open(&c) != 0) {
		fclose(f);
		return 1;
	}
	static uint8_t buf[65536];
	size_t n;
	int rc = 0;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (lemf_conn_input(&c, buf, n) != 0)
			break;
	if (ferror(f)) {
		fprintf(stderr, "clif-lemf: reading %s failed\n", path);
		rc = 1;
	}
	fclose(f);
	if (lemf_conn_close(&c) != 0 && lemf_opts.strict)
		rc = 3;
	return rc;
}

static int make_dir(const char *d)
{
	if (mkdir(d, 0750) != 0 && errno != EEXIST) {
		fprintf(stderr, "clif-lemf: cannot create %s: %s\n", d, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	enum { O_FORMAT = 256, O_CERT, O_KEY, O_CA, O_CONNS, O_PORTFILE, O_MAXPDU, O_RAW, O_STRICT, O_VERSION };
	static const struct option longopts[] = {
		{"listen", required_argument, NULL, 'l'},   {"read", required_argument, NULL, 'r'},
		{"out", required_argument, NULL, 'o'},      {"format", required_argument, NULL, O_FORMAT},
		{"tls-cert", required_argument, NULL, O_CERT}, {"tls-key", required_argument, NULL, O_KEY},
		{"tls-ca", required_argument, NULL, O_CA},  {"connections", required_argument, NULL, O_CONNS},
		{"port-file", required_argument, NULL, O_PORTFILE}, {"max-pdu", required_argument, NULL, O_MAXPDU},
		{"raw", required_argument, NULL, O_RAW},    {"strict", no_argument, NULL, O_STRICT},
		{"quiet", no_argument, NULL, 'q'},          {"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, O_VERSION},  {NULL, 0, NULL, 0}};
	const char *listen_spec = NULL, *cert = NULL, *key = NULL, *ca = NULL, *port_file = NULL;
	static const char *files[MAX_FILES];
	unsigned nfiles = 0, max_conns = 0;
	int opt;
	while ((opt = getopt_long(argc, argv, "l:r:o:qh", longopts, NULL)) != -1) {
		char *end;
		unsigned long v;
		switch (opt) {
		case 'l': listen_spec = optarg; break;
		case 'r':
			if (nfiles == MAX_FILES)
				return usage_error("too many -r files");
			files[nfiles++] = optarg;
			break;
		case 'o': lemf_opts.out_dir = optarg; break;
		case 'q': lemf_opts.quiet = 1; break;
		case O_RAW: lemf_opts.raw_dir = optarg; break;
		case O_STRICT: lemf_opts.strict = 1; break;
		case O_CERT: cert = optarg; break;
		case O_KEY: key = optarg; break;
		case O_CA: ca = optarg; break;
		case O_PORTFILE: port_file = optarg; break;
		case O_FORMAT:
			if (strcmp(optarg, "auto") == 0)
				lemf_opts.fmt = ETSI_STREAM_AUTO;
			else if (strcmp(optarg, "hi") == 0)
				lemf_opts.fmt = ETSI_STREAM_BER;
			else if (strcmp(optarg, "x2x3") == 0)
				lemf_opts.fmt = ETSI_STREAM_X2X3;
			else
				return usage_error("--format takes auto, hi or x2x3");
			break;
		case O_CONNS:
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || optarg[0] == '\0' || optarg[0] == '-' || v > 1000000)
				return usage_error("--connections takes a count (0..1000000)");
			max_conns = (unsigned)v;
			break;
		case O_MAXPDU:
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || optarg[0] == '\0' || optarg[0] == '-' || v < 64 || v > (64ul << 20))
				return usage_error("--max-pdu takes 64..67108864");
			lemf_opts.max_pdu = v;
			break;
		case 'h':
			fputs(USAGE, stdout);
			return 0;
		case O_VERSION:
			puts("clif-lemf 1.0 (TS 102 232-1 LI-PS-PDU version43, TS 102 232-3 version18, "
			     "TS 103 221-2 header version 5)");
			return 0;
		default:
			return usage_error("unknown option");
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument");
	if (lemf_opts.out_dir == NULL)
		return usage_error("-o DIR is required");
	if (listen_spec == NULL && nfiles == 0)
		return usage_error("give -l [ADDR:]PORT or -r FILE");
	if ((cert == NULL) != (key == NULL))
		return usage_error("--tls-cert and --tls-key go together");
	if (ca && cert == NULL)
		return usage_error("--tls-ca needs --tls-cert and --tls-key");
	if ((cert || port_file || max_conns) && listen_spec == NULL)
		return usage_error("--tls-*, --port-file and --connections need -l");
	if (make_dir(lemf_opts.out_dir) != 0 || (lemf_opts.raw_dir && make_dir(lemf_opts.raw_dir) != 0))
		return 1;
	if (cert && lemf_tls_setup(cert, key, ca) != 0)
		return 1;
	if (lemf_sink_open(lemf_opts.out_dir) != 0)
		return 1;

	struct sigaction sa = {0};
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	int rc = 0;
	for (unsigned i = 0; i < nfiles && rc == 0; i++)
		rc = read_file(files[i], i + 1);
	if (rc == 0 && listen_spec)
		rc = lemf_serve(listen_spec, port_file, max_conns, nfiles + 1);
	lemf_sink_close();
	lemf_sink_summary(stderr);
	return rc;
}
