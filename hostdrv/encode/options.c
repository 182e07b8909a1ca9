/* The command line. Error messages name the option, never its value: a value may be an LIID,
 * an XID or a target address. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encode.h"

static const char USAGE[] =
"Usage: clif-encode -r IN.pcap (-w OUT | --send HOST:PORT) --liid LIID --target ADDR[/PREFIX]\n"
"                   [--format hi|x2x3] [options]\n"
"\n"
"Turns a packet capture into the byte stream CLIF would deliver for one target, so that a\n"
"law enforcement receiver can be tested without a card. It uses libclif-etsi, the encoders of\n"
"CLIF's delivery path, and finds the IP datagram in each frame with the card's own parser.\n"
"\n"
"Input and output:\n"
"  -r, --read FILE        the capture (pcap or pcapng). Link types: EN10MB (Ethernet, with\n"
"                         up to two VLAN tags and VXLAN, Geneve or NVGRE overlays), RAW,\n"
"                         IPV4, IPV6 (raw IP), LINUX_SLL and LINUX_SLL2 (Linux cooked).\n"
"  -w, --write FILE       write the stream to FILE ('-': standard output)\n"
"      --send HOST:PORT   send the stream over TCP instead (HOST may be [IPv6]); gives up\n"
"                         after 30 s without progress. At the end it closes its side and\n"
"                         waits up to 5 s for the receiver to close: a receiver that\n"
"                         refuses the session or breaks the connection gives exit 1.\n"
"      --tls              with --send: TLS 1.2 or later; the server certificate must chain\n"
"                         to --ca (default: the system's trusted CAs) and carry the name\n"
"                         of --servername\n"
"      --cert FILE        with --tls: client certificate chain (PEM)\n"
"      --key FILE         with --tls: its private key (PEM; default: in the --cert file)\n"
"      --ca FILE          with --tls: CA certificates (PEM) that must sign the server's\n"
"      --servername NAME  with --tls: the name (or IP) the server certificate must carry\n"
"                         and the SNI sent (default: HOST)\n"
"\n"
"What is intercepted:\n"
"      --liid LIID        lawful interception identifier, 1..25 bytes\n"
"      --target ADDR[/PREFIX]\n"
"                         IPv4 or IPv6 address, or a CIDR prefix (1..32, 1..128); host\n"
"                         bits past the prefix are ignored. A datagram matches when its\n"
"                         source or destination lies within it.\n"
"\n"
"Format:\n"
"      --format hi|x2x3   hi (default): one TS 102 232-1 stream (TCP, no extra framing) of\n"
"                         BER PS-PDUs: an HI2 IPIRI BEGIN (startOfInterceptionWithSession-\n"
"                         Active, lAN) at the first matched datagram, one HI3 IPCC per\n"
"                         matched datagram (iPPackets), an HI2 IPIRI END (accessEnd, end\n"
"                         reason undefined, octetsReceived/Transmitted) after the last one,\n"
"                         all in capture order.\n"
"                         x2x3: TS 103 221-2 PDUs (version 5): one X3 per matched datagram\n"
"                         (payload format IPv4 or IPv6; attributes: sequence number,\n"
"                         timestamp, source and destination address, ports for TCP, UDP\n"
"                         and SCTP, IP protocol, matched target identifier as X1 XML), and\n"
"                         an X2 (payload format TS 102 232-1) carrying the same IRI BEGIN\n"
"                         before the first X3 and the IRI END after the last.\n"
"      --no-iri           no HI2 IRI (hi) or X2 (x2x3) PDUs: CC / X3 only\n"
"      --cin N            communicationIdentityNumber, 0..4294967295 (default 1); x2x3:\n"
"                         also the correlation ID\n"
"      --operator ID      operatorIdentifier, 1..16 bytes (default CLIF)\n"
"      --ne ID            networkElementIdentifier, 1..16 bytes (default: none)\n"
"      --country CC       authorization and delivery country code, two capital letters\n"
"                         (ISO 3166-1; default: none)\n"
"      --ipid ID          interceptionPointID, 1..8 printable characters (default: none)\n"
"      --timestamp micro|gt[:DIGITS]\n"
"                         PSHeader time: micro (default) = microSecondTimeStamp with\n"
"                         timeStampQualifier timeOfInterception; gt = GeneralizedTime\n"
"                         (UTC) with DIGITS fraction digits, 0..9 (default 6). IRI PDUs\n"
"                         always carry the GeneralizedTime too.\n"
"      --first-seq N      first sequence number of every counter (IRI, CC, X2, X3),\n"
"                         0..4294967295 (default 0); counters wrap after 4294967295\n"
"      --xid UUID         x2x3 (required there): the task's XID, as\n"
"                         xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx\n"
"  -h, --help             this text\n"
"      --version          the program's version\n"
"\n"
"What is delivered: the IP datagram as the target sent or received it, starting at its IP\n"
"header: the link layer, VLAN tags and overlay encapsulation removed (when an overlay\n"
"carries IP, the inner datagram is the one matched and delivered), Ethernet padding dropped.\n"
"A datagram the capture cut short is delivered as captured (counted as truncated).\n"
"Direction: source in the target -> fromTarget (X3: from target); destination -> toTarget\n"
"(X3: to target); both (the target talking to itself) -> indeterminate (X3: unknown), and\n"
"its length counts in both IRI octet counters; X2 says not applicable. The IRI octet\n"
"counters add each datagram's own length (from its IP header), even where the capture kept\n"
"less. Timestamps are the capture's. Sequence numbers count per kind (IRI, CC, X2, X3).\n"
"\n"
"What is not delivered: frames without an IPv4 or IPv6 datagram (ARP, LLDP, other\n"
"EtherTypes, more than two VLAN tags, a malformed IP header) produce nothing: IP access CC\n"
"carries IP datagrams only, so even a MAC-address warrant's non-IP frames are not part of\n"
"it. Frames whose captured part exceeds 9728 bytes (the card's largest frame; e.g. GRO/TSO\n"
"super-frames) are skipped too. If no datagram matches, nothing at all is written.\n"
"\n"
"At the end a summary goes to standard error: packets read, matched, skipped (non-IP,\n"
"not matching, oversize), truncated, PDUs written by kind, bytes written.\n"
"\n"
"Exit status: 0 success; 1 output, network or TLS failure; 2 bad usage or option value,\n"
"unreadable or invalid capture, unsupported link type. A capture damaged part-way gives 2\n"
"after delivering the PDUs of the frames before the damage (without the IRI END).\n";

enum long_only {
	OPT_SEND = 256,
	OPT_TLS,
	OPT_CERT,
	OPT_KEY,
	OPT_CA,
	OPT_SERVERNAME,
	OPT_LIID,
	OPT_TARGET,
	OPT_FORMAT,
	OPT_CIN,
	OPT_OPERATOR,
	OPT_NE,
	OPT_COUNTRY,
	OPT_IPID,
	OPT_TIMESTAMP,
	OPT_FIRST_SEQ,
	OPT_XID,
	OPT_NO_IRI,
	OPT_VERSION,
};

static const struct option LONGOPTS[] = {
	{"read", required_argument, NULL, 'r'},
	{"write", required_argument, NULL, 'w'},
	{"send", required_argument, NULL, OPT_SEND},
	{"tls", no_argument, NULL, OPT_TLS},
	{"cert", required_argument, NULL, OPT_CERT},
	{"key", required_argument, NULL, OPT_KEY},
	{"ca", required_argument, NULL, OPT_CA},
	{"servername", required_argument, NULL, OPT_SERVERNAME},
	{"liid", required_argument, NULL, OPT_LIID},
	{"target", required_argument, NULL, OPT_TARGET},
	{"format", required_argument, NULL, OPT_FORMAT},
	{"cin", required_argument, NULL, OPT_CIN},
	{"operator", required_argument, NULL, OPT_OPERATOR},
	{"ne", required_argument, NULL, OPT_NE},
	{"country", required_argument, NULL, OPT_COUNTRY},
	{"ipid", required_argument, NULL, OPT_IPID},
	{"timestamp", required_argument, NULL, OPT_TIMESTAMP},
	{"first-seq", required_argument, NULL, OPT_FIRST_SEQ},
	{"xid", required_argument, NULL, OPT_XID},
	{"no-iri", no_argument, NULL, OPT_NO_IRI},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, OPT_VERSION},
	{NULL, 0, NULL, 0},
};

static int usage_error(const char *msg)
{
	fprintf(stderr, ENC_NAME ": %s (see --help)\n", msg);
	return ENC_EXIT_USAGE;
}

/* Decimal 0..4294967295, digits only. */
static int parse_u32(const char *s, uint32_t *v)
{
	uint64_t x = 0;

	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		x = x * 10u + (uint64_t)(*s - '0');
		if (x > UINT32_MAX)
			return -1;
	}
	*v = (uint32_t)x;
	return 0;
}

/* PrintableString's characters (X.680). */
static int printable(const char *s)
{
	for (; *s; s++) {
		char c = *s;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      strchr(" '()+,-./:=?", c) != NULL))
			return 0;
	}
	return 1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, in either case, into 16 bytes in network order. */
static int parse_uuid(const char *s, uint8_t out[16])
{
	unsigned n = 0;

	if (strlen(s) != 36)
		return -1;
	for (unsigned i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return -1;
			continue;
		}
		int h = hexval(s[i]), l = i + 1 < 36 ? hexval(s[i + 1]) : -1;
		if (h < 0 || l < 0)
			return -1;
		out[n++] = (uint8_t)(h << 4 | l);
		i++;
	}
	return 0;
}

static int parse_timestamp(struct enc_options *o, const char *s)
{
	if (strcmp(s, "micro") == 0) {
		o->ts_form = ETSI_CC_TS_MICRO;
		return 0;
	}
	if (strncmp(s, "gt", 2) != 0)
		return -1;
	o->ts_form = ETSI_CC_TS_GENERALIZED;
	o->ts_frac_digits = 6;
	if (s[2] == '\0')
		return 0;
	if (s[2] != ':' || s[3] < '0' || s[3] > '9' || s[4] != '\0')
		return -1;
	o->ts_frac_digits = (unsigned)(s[3] - '0');
	return 0;
}

static int bounded(const char *s, size_t lo, size_t hi)
{
	size_t n = strlen(s);
	return n >= lo && n <= hi;
}

/* One option's value into *o. Returns -1 if accepted, else the exit code. */
static int take(struct enc_options *o, int c, const char *arg)
{
	switch (c) {
	case 'r':
		o->in_path = arg;
		break;
	case 'w':
		o->out_path = arg;
		break;
	case OPT_SEND:
		o->send_to = arg;
		break;
	case OPT_TLS:
		o->tls = 1;
		break;
	case OPT_CERT:
		o->cert = arg;
		break;
	case OPT_KEY:
		o->key = arg;
		break;
	case OPT_CA:
		o->ca = arg;
		break;
	case OPT_SERVERNAME:
		if (!bounded(arg, 1, 253))
			return usage_error("--servername: expected a host name or address");
		o->servername = arg;
		break;
	case OPT_LIID:
		if (!bounded(arg, 1, 25))
			return usage_error("--liid: the LIID must be 1 to 25 bytes");
		o->liid = (const uint8_t *)arg;
		o->liid_len = strlen(arg);
		break;
	case OPT_TARGET:
		if (enc_target_parse(&o->target, arg) < 0)
			return usage_error("--target: expected an IPv4 or IPv6 address, optionally "
					   "with /PREFIX (1..32 or 1..128)");
		break;
	case OPT_FORMAT:
		if (strcmp(arg, "hi") == 0)
			o->format = ENC_FMT_HI;
		else if (strcmp(arg, "x2x3") == 0)
			o->format = ENC_FMT_X2X3;
		else
			return usage_error("--format: expected hi or x2x3");
		break;
	case OPT_CIN:
		if (parse_u32(arg, &o->cin) < 0)
			return usage_error("--cin: expected a number 0..4294967295");
		break;
	case OPT_OPERATOR:
		if (!bounded(arg, 1, 16))
			return usage_error("--operator: the operator ID must be 1 to 16 bytes");
		o->operator_id = arg;
		break;
	case OPT_NE:
		if (!bounded(arg, 1, 16))
			return usage_error("--ne: the network element ID must be 1 to 16 bytes");
		o->ne_id = arg;
		break;
	case OPT_COUNTRY:
		if (strlen(arg) != 2 || arg[0] < 'A' || arg[0] > 'Z' || arg[1] < 'A' || arg[1] > 'Z')
			return usage_error("--country: expected two capital letters (ISO 3166-1)");
		o->country = arg;
		break;
	case OPT_IPID:
		if (!bounded(arg, 1, 8) || !printable(arg))
			return usage_error("--ipid: expected 1 to 8 printable characters");
		o->ipid = arg;
		break;
	case OPT_TIMESTAMP:
		if (parse_timestamp(o, arg) < 0)
			return usage_error("--timestamp: expected micro, gt or gt:DIGITS (0..9)");
		break;
	case OPT_FIRST_SEQ:
		if (parse_u32(arg, &o->first_seq) < 0)
			return usage_error("--first-seq: expected a number 0..4294967295");
		break;
	case OPT_XID:
		if (parse_uuid(arg, o->xid) < 0)
			return usage_error("--xid: expected a UUID, xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx");
		o->have_xid = 1;
		break;
	case OPT_NO_IRI:
		o->no_iri = 1;
		break;
	default:
		return usage_error("unknown option");
	}
	return -1;
}

/* The combination of options, once all are read. */
static int check_combination(const struct enc_options *o)
{
	if (o->in_path == NULL)
		return usage_error("-r FILE is required");
	if ((o->out_path == NULL) == (o->send_to == NULL))
		return usage_error("give exactly one of -w FILE and --send HOST:PORT");
	if (o->liid == NULL)
		return usage_error("--liid is required");
	if (o->target.family == 0)
		return usage_error("--target is required");
	if (o->format == ENC_FMT_X2X3 && !o->have_xid)
		return usage_error("--format x2x3 needs --xid");
	if (o->format == ENC_FMT_HI && o->have_xid)
		return usage_error("--xid applies to --format x2x3 only");
	if (o->tls && o->send_to == NULL)
		return usage_error("--tls applies to --send only");
	if (!o->tls && (o->cert || o->key || o->ca || o->servername))
		return usage_error("--cert, --key, --ca and --servername need --tls");
	if (o->key && !o->cert)
		return usage_error("--key needs --cert");
	return -1;
}

/* The option as typed, without any "=value" (which could be an identifier). */
static void name_of(const char *arg, char *buf, size_t cap)
{
	size_t n = strcspn(arg, "=");
	if (n >= cap)
		n = cap - 1;
	memcpy(buf, arg, n);
	buf[n] = '\0';
}

int enc_options_parse(struct enc_options *o, int argc, char **argv)
{
	int c, rc;
	char name[40], msg[96];

	memset(o, 0, sizeof(*o));
	o->format = ENC_FMT_HI;
	o->cin = 1;
	o->operator_id = "CLIF";
	o->ts_form = ETSI_CC_TS_MICRO;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:w:h", LONGOPTS, NULL)) != -1) {
		if (c == 'h') {
			fputs(USAGE, stdout);
			return ENC_EXIT_OK;
		}
		if (c == OPT_VERSION) {
			printf(ENC_NAME " " ENC_VERSION "\n");
			return ENC_EXIT_OK;
		}
		if (c == ':' || c == '?') {
			const char *typed = argv[optind - 1];
			/* "--tls=x": a known long option given a value it does not take. */
			int no_value = c == '?' && optopt != 0 && strncmp(typed, "--", 2) == 0 &&
				       strchr(typed, '=') != NULL;
			/* A short option by its letter; a long option as typed, without any
			 * value (getopt has moved past it). */
			if (!no_value && optopt > 0 && optopt < OPT_SEND)
				snprintf(name, sizeof(name), "-%c", optopt);
			else
				name_of(typed, name, sizeof(name));
			if (c == ':')
				snprintf(msg, sizeof(msg), "the option %s needs a value", name);
			else if (no_value)
				snprintf(msg, sizeof(msg), "the option %s takes no value", name);
			else
				snprintf(msg, sizeof(msg), "unknown option %s", name);
			return usage_error(msg);
		}
		rc = take(o, c, optarg);
		if (rc >= 0)
			return rc;
	}
	if (optind < argc)
		return usage_error("unexpected argument");
	return check_combination(o);
}
