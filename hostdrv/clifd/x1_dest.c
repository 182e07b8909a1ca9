/* destinationDetails (TS 103 221-1 clause 6.3.1.2) into struct clifd_destination. clifd
 * delivers over TCP or UDP to an address and port, so ipAddressAndPort is the one
 * deliveryAddress it takes; the others are valid X1 but refused with X1_E_DEST_ADDRESS_TYPE.
 * The CLIF handover extension (documented in x1.h) picks the protocol spoken to it. */
#include "x1_int.h"

#include <string.h>

static const char bad_addr[] = "invalid delivery address";

/* The one element of a choice, or NULL (a syntax error). */
static xmlNode *choice(xmlNode *parent, struct x1_errs *e, const char *desc)
{
	struct x1_cur c;
	x1_cur_init(&c, parent, e);
	xmlNode *k = x1_peek(&c);
	if (k == NULL) {
		x1_syn(e, desc);
		return NULL;
	}
	c.next = k->next;
	if (x1_peek(&c) != NULL) {
		x1_syn(e, desc);
		return NULL;
	}
	return k;
}

static int token(const xmlNode *n, char *buf, size_t cap, struct x1_errs *e)
{
	int r = x1_text(n, X1_WS_COLLAPSE, buf, cap, e, bad_addr);
	if (r == 1)
		x1_syn(e, bad_addr);
	return r == 0 ? 0 : -1;
}

static void parse_ip_port(xmlNode *n, struct clifd_destination *d, int fail_code,
			  struct x1_errs *e)
{
	struct x1_cur c;
	char buf[64];
	uint64_t v = 0;
	x1_cur_init(&c, n, e);
	xmlNode *addr = x1_need(&c, X1_NS_COMMON, "address", bad_addr);
	xmlNode *port = x1_need(&c, X1_NS_COMMON, "port", bad_addr);
	x1_end(&c);
	xmlNode *k = addr != NULL ? choice(addr, e, bad_addr) : NULL;
	if (x1_is(k, X1_NS_COMMON, "IPv4Address")) {
		d->ip_len = 4;
		if (token(k, buf, sizeof(buf), e) == 0 && x1_lex_ipv4(buf, d->ip) != 0)
			x1_syn(e, bad_addr);
	} else if (x1_is(k, X1_NS_COMMON, "IPv6Address")) {
		d->ip_len = 16;
		if (token(k, buf, sizeof(buf), e) == 0 && x1_lex_ipv6(buf, d->ip) != 0)
			x1_syn(e, bad_addr);
	} else if (k != NULL) {
		x1_syn(e, bad_addr);
	}
	k = port != NULL ? choice(port, e, "invalid delivery port") : NULL;
	if (k == NULL)
		return;
	int tcp = x1_is(k, X1_NS_COMMON, "TCPPort");
	if (!tcp && !x1_is(k, X1_NS_COMMON, "UDPPort")) {
		x1_syn(e, "invalid delivery port");
		return;
	}
	d->transport = tcp ? CLIFD_TRANSPORT_TCP : CLIFD_TRANSPORT_UDP;
	if (token(k, buf, sizeof(buf), e) != 0)
		return;
	/* TS 103 280: TCPPort is minExclusive 1, UDPPort minInclusive 0 */
	if (x1_lex_uint(buf, 65535, &v) != 0 || v < (tcp ? 2u : 0u)) {
		x1_syn(e, "invalid delivery port");
		return;
	}
	d->port = (uint16_t)v;
	if (v == 0)
		x1_sem(e, fail_code, "delivery port 0 cannot be reached");
}

/* handover: one per destination, its text one of the enum clifd_handover names. */
static void parse_handover(xmlNode *n, struct clifd_destination *d, int *seen,
			   struct x1_errs *e)
{
	static const struct {
		const char *name;
		uint8_t value;
	} protos[] = {
		{"ts102232", CLIFD_HANDOVER_TS102232},
		{"x2x3", CLIFD_HANDOVER_X2X3},
	};
	static const char unknown[] = "unknown handover protocol";
	char buf[16];
	if (*seen) {
		x1_syn(e, "more than one handover");
		return;
	}
	*seen = 1;
	int r = x1_text(n, X1_WS_COLLAPSE, buf, sizeof(buf), e, "malformed handover");
	if (r != 0) {
		if (r == 1) /* longer than any name */
			x1_syn(e, unknown);
		return;
	}
	for (unsigned i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		if (strcmp(buf, protos[i].name) == 0) {
			d->handover = protos[i].value;
			return;
		}
	}
	x1_syn(e, unknown);
}

struct handover_walk {
	struct clifd_destination *d;
	int *seen;
};

/* An element of X1_HANDOVER_NS in a CLIF destinationDetailsExtensions: it must be a handover,
 * so that a misspelt one is refused rather than leaving the destination on the default
 * protocol. */
static void handover_elem(xmlNode *n, void *arg, struct x1_errs *e)
{
	struct handover_walk *w = arg;

	if (strcmp((const char *)n->name, "handover") == 0)
		parse_handover(n, w->d, w->seen, e);
	else
		x1_syn(e, "malformed handover");
}

static void parse_dest_ext(xmlNode *ext, struct clifd_destination *d, int *seen, struct x1_errs *e)
{
	struct handover_walk w = { d, seen };

	x1_walk_extension(ext, X1_HANDOVER_OWNER, X1_HANDOVER_NS, handover_elem, &w, e);
}

void x1_parse_dest(xmlNode *details, struct clifd_destination *d, int fail_code,
		   struct x1_errs *e)
{
	static const char *const kinds[] = {"X2Only", "X3Only", "X2andX3"};
	static const char *const other_addrs[] = {"e164Number", "uri", "emailAddress"};
	struct x1_cur c;
	xmlNode *n;
	char buf[48];
	int handover_seen = 0;
	memset(d, 0, sizeof(*d)); /* handover: CLIFD_HANDOVER_TS102232 unless the extension says */
	x1_cur_init(&c, details, e);
	if ((n = x1_need(&c, X1_NS, "dId", "missing dId")) != NULL) {
		int r = x1_text(n, X1_WS_COLLAPSE, buf, sizeof(buf), e, "invalid dId");
		if (r == 1 || (r == 0 && x1_lex_uuid(buf, d->did) != 0))
			x1_syn(e, "invalid dId");
	}
	if ((n = x1_take(&c, X1_NS, "friendlyName")) != NULL) /* kept cut to CLIFD_NAME_MAX */
		x1_text(n, X1_WS_PRESERVE, d->friendly_name, sizeof(d->friendly_name), e,
			"invalid friendlyName");
	if ((n = x1_need(&c, X1_NS, "deliveryType", "missing deliveryType")) != NULL) {
		int r = x1_text(n, X1_WS_PRESERVE, buf, sizeof(buf), e, "invalid deliveryType");
		for (unsigned i = 0; r == 0 && i < 3; i++) {
			if (strcmp(buf, kinds[i]) == 0)
				d->delivery = (uint8_t)(CLIFD_X2_ONLY + i);
		}
		if (d->delivery == 0)
			x1_syn(e, "invalid deliveryType");
	}
	if ((n = x1_need(&c, X1_NS, "deliveryAddress", "missing deliveryAddress")) != NULL) {
		xmlNode *k = choice(n, e, bad_addr);
		if (x1_is(k, X1_NS, "ipAddressAndPort")) {
			parse_ip_port(k, d, fail_code, e);
		} else if (k != NULL) {
			unsigned i;
			for (i = 0; i < 3; i++) {
				if (x1_is(k, X1_NS, other_addrs[i]))
					break;
			}
			if (i < 3)
				x1_sem(e, X1_E_DEST_ADDRESS_TYPE, "unsupported delivery address type");
			else
				x1_syn(e, bad_addr);
		}
	}
	while ((n = x1_take(&c, X1_NS, "destinationDetailsExtensions")) != NULL)
		parse_dest_ext(n, d, &handover_seen, e);
	x1_end(&c);
}
