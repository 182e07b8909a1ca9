/* taskDetails (TS 103 221-1 clause 6.2.1.2) into struct clifd_task, following the XSD
 * sequence order strictly, and the CLIF cloud-scope extension (documented in x1.h). */
#include "x1_int.h"

#include <string.h>

/* The token text of a simple element into buf; a cut or element children is syntax. */
static int tok(const xmlNode *n, char *buf, size_t cap, struct x1_errs *e, const char *desc)
{
	int r = x1_text(n, X1_WS_COLLAPSE, buf, cap, e, desc);
	if (r == 1)
		x1_syn(e, desc);
	return r == 0 ? 0 : -1;
}

/* Preserved text (xs:string enumerations: no whitespace allowed around the value). */
static int str(const xmlNode *n, char *buf, size_t cap, struct x1_errs *e, const char *desc)
{
	int r = x1_text(n, X1_WS_PRESERVE, buf, cap, e, desc);
	if (r == 1)
		x1_syn(e, desc);
	return r == 0 ? 0 : -1;
}

static void uuid_of(const xmlNode *n, uint8_t out[16], struct x1_errs *e, const char *desc)
{
	char buf[48];
	if (tok(n, buf, sizeof(buf), e, desc) == 0 && x1_lex_uuid(buf, out) != 0)
		x1_syn(e, desc);
}

/* A port element: TCPPort is minExclusive 1 in TS 103 280, UDPPort minInclusive 0. */
static int port_of(const xmlNode *n, unsigned min, uint16_t *out, struct x1_errs *e,
		   const char *desc)
{
	char buf[32];
	uint64_t v = 0;
	if (tok(n, buf, sizeof(buf), e, desc) != 0)
		return -1;
	if (x1_lex_uint(buf, 65535, &v) != 0 || v < min) {
		x1_syn(e, desc);
		return -1;
	}
	*out = (uint16_t)v;
	return 0;
}

/* The delivery type enumeration; 0 when absent or wrong (a syntax error). */
static uint8_t delivery_of(const xmlNode *n, struct x1_errs *e)
{
	static const char *const names[] = {"X2Only", "X3Only", "X2andX3"};
	char buf[16];
	if (n == NULL || str(n, buf, sizeof(buf), e, "invalid deliveryType") != 0)
		return 0;
	for (unsigned i = 0; i < 3; i++) {
		if (strcmp(buf, names[i]) == 0)
			return (uint8_t)(CLIFD_X2_ONLY + i);
	}
	x1_syn(e, "invalid deliveryType");
	return 0;
}

void x1_parse_dids(xmlNode *list, uint8_t (*dids)[16], uint8_t *n, struct x1_errs *e)
{
	struct x1_cur c;
	xmlNode *d;
	uint8_t scratch[16];
	x1_cur_init(&c, list, e);
	*n = 0;
	while ((d = x1_take(&c, X1_NS, "dId")) != NULL) {
		if (*n < CLIFD_MAX_DIDS) {
			uuid_of(d, dids[*n], e, "invalid dId");
			(*n)++;
		} else {
			uuid_of(d, scratch, e, "invalid dId");
			x1_sem(e, X1_E_MULTI_DEST, "more destinations than supported");
		}
	}
	while ((d = x1_take(&c, X1_NS, "dSId")) != NULL) {
		uuid_of(d, scratch, e, "invalid dSId");
		x1_sem(e, X1_E_DELIVERY_COMBINATION, "destination sets are not supported");
	}
	x1_end(&c);
}

void x1_walk_extension(xmlNode *ext, const char *owner, const char *ns, x1_ext_fn fn, void *arg, struct x1_errs *e)
{
	struct x1_cur c;
	xmlNode *n, *o;
	char buf[16];
	int ours = 0;

	x1_cur_init(&c, ext, e);
	if ((o = x1_need(&c, X1_NS, "Owner", "extension without Owner")) == NULL)
		return;
	if (owner)
		ours = x1_text(o, X1_WS_PRESERVE, buf, sizeof(buf), e, "invalid Owner") == 0 && strcmp(buf, owner) == 0;
	/* xs:any namespace="##other": qualified, and not in the X1 namespace */
	while ((n = x1_peek(&c)) != NULL) {
		c.next = n->next;
		if (n->ns == NULL || strcmp((const char *)n->ns->href, X1_NS) == 0)
			x1_syn(e, "extension element not in another namespace");
		else if (ours && fn && strcmp((const char *)n->ns->href, ns) == 0)
			fn(n, arg, e);
	}
}

void x1_skip_extension(xmlNode *ext, struct x1_errs *e)
{
	x1_walk_extension(ext, NULL, NULL, NULL, NULL, e);
}

/* cloudScope: exactly one of vni, vlan, vport. */
static void parse_scope(xmlNode *scope, struct clifd_task *t, int *seen, struct x1_errs *e)
{
	static const struct {
		const char *name;
		uint8_t type;
		uint32_t min, max;
	} kinds[] = {
		{"vni", CLIF_SCOPE_VNI, 0, 16777215},
		{"vlan", CLIF_SCOPE_VLAN, 1, 4094},
		{"vport", CLIF_SCOPE_VPORT, 0, 65535},
	};
	static const char bad[] = "malformed cloudScope";
	struct x1_cur c;
	char buf[32];
	uint64_t v = 0;
	if (*seen) {
		x1_syn(e, "more than one cloudScope");
		return;
	}
	*seen = 1;
	x1_cur_init(&c, scope, e);
	xmlNode *k = x1_peek(&c);
	if (k == NULL) {
		x1_syn(e, bad);
		return;
	}
	c.next = k->next;
	if (x1_peek(&c) != NULL) {
		x1_syn(e, bad);
		return;
	}
	for (unsigned i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (!x1_is(k, X1_CLOUD_SCOPE_NS, kinds[i].name))
			continue;
		if (tok(k, buf, sizeof(buf), e, bad) != 0)
			return;
		if (x1_lex_uint(buf, kinds[i].max, &v) != 0 || v < kinds[i].min) {
			x1_syn(e, bad);
			return;
		}
		t->scope_type = kinds[i].type;
		t->scope_value = (uint32_t)v;
		return;
	}
	x1_syn(e, bad);
}

struct scope_walk {
	struct clifd_task *t;
	int *seen;
};

/* An element of the cloud-scope namespace in a CLIF taskDetailsExtensions. */
static void scope_elem(xmlNode *n, void *arg, struct x1_errs *e)
{
	struct scope_walk *w = arg;

	if (strcmp((const char *)n->name, "cloudScope") == 0)
		parse_scope(n, w->t, w->seen, e);
}

static void parse_task_ext(xmlNode *ext, struct clifd_task *t, int *seen, struct x1_errs *e)
{
	struct scope_walk w = { t, seen };

	x1_walk_extension(ext, X1_CLOUD_SCOPE_OWNER, X1_CLOUD_SCOPE_NS, scope_elem, &w, e);
}

/* ---- target identifiers ---- */

/* TargetIdentifier choices clifd does not support (refused with X1_E_TARGET_TYPE). */
static const char *const unsupported_targets[] = {
	"e164Number", "imsi", "imei", "emailAddress", "internationalizedEmailAddress", "sipUri",
	"telUri", "h323Uri", "impu", "impi", "nai", "radiusAttribute", "gtpuTunnelId",
	"gtpcTunnelId", "callPartyRole", "nonLocalIdentifier", "supiimsi", "supinai", "suci",
	"peiImei", "peiImeiCheckDigit", "peiImeisv", "gpsiMsisdn", "gpsiNai", "eui64",
	"hashedIdentifier", "targetIdentifierExtension",
};

/* An IPCIDR (choice of common:IPv4CIDR / common:IPv6CIDR) inside ipv4Cidr. */
static void parse_ipcidr(xmlNode *n, struct clifd_target *tg, struct x1_errs *e)
{
	static const char bad[] = "invalid CIDR target";
	struct x1_cur c;
	char buf[64];
	x1_cur_init(&c, n, e);
	xmlNode *k = x1_peek(&c);
	if (k == NULL) {
		x1_syn(e, bad);
		return;
	}
	c.next = k->next;
	x1_end(&c);
	if (x1_is(k, X1_NS_COMMON, "IPv4CIDR")) {
		tg->kind = CLIFD_TGT_IPV4_CIDR;
		if (tok(k, buf, sizeof(buf), e, bad) == 0 &&
		    x1_lex_ipv4_cidr(buf, tg->addr, &tg->prefix_len) != 0)
			x1_syn(e, bad);
	} else if (x1_is(k, X1_NS_COMMON, "IPv6CIDR")) {
		tg->kind = CLIFD_TGT_IPV6_CIDR;
		if (tok(k, buf, sizeof(buf), e, bad) == 0 &&
		    x1_lex_ipv6_cidr(buf, tg->addr, &tg->prefix_len) != 0)
			x1_syn(e, bad);
	} else {
		x1_syn(e, bad);
	}
}

static void parse_range(xmlNode *n, unsigned min, struct clifd_target *tg, struct x1_errs *e)
{
	static const char bad[] = "invalid port range target";
	struct x1_cur c;
	x1_cur_init(&c, n, e);
	xmlNode *s = x1_need(&c, X1_NS_COMMON, "start", bad);
	xmlNode *en = x1_need(&c, X1_NS_COMMON, "end", bad);
	x1_end(&c);
	if (s == NULL || en == NULL || port_of(s, min, &tg->port_lo, e, bad) != 0 ||
	    port_of(en, min, &tg->port_hi, e, bad) != 0)
		return;
	if (tg->port_lo > tg->port_hi)
		x1_syn(e, bad);
}

/* One supported target element k into *tg; returns 0 if k is a supported kind. */
static int parse_target(xmlNode *k, struct clifd_target *tg, struct x1_errs *e)
{
	char buf[64];
	const char *name = (const char *)k->name;
	memset(tg, 0, sizeof(*tg));
	if (strcmp(name, "ipv4Address") == 0) {
		tg->kind = CLIFD_TGT_IPV4;
		tg->prefix_len = 32;
		if (tok(k, buf, sizeof(buf), e, "invalid IPv4 target") == 0 &&
		    x1_lex_ipv4(buf, tg->addr) != 0)
			x1_syn(e, "invalid IPv4 target");
	} else if (strcmp(name, "ipv6Address") == 0) {
		tg->kind = CLIFD_TGT_IPV6;
		tg->prefix_len = 128;
		if (tok(k, buf, sizeof(buf), e, "invalid IPv6 target") == 0 &&
		    x1_lex_ipv6(buf, tg->addr) != 0)
			x1_syn(e, "invalid IPv6 target");
	} else if (strcmp(name, "ipv4Cidr") == 0) {
		parse_ipcidr(k, tg, e);
	} else if (strcmp(name, "ipv6Cidr") == 0) {
		tg->kind = CLIFD_TGT_IPV6_CIDR;
		if (tok(k, buf, sizeof(buf), e, "invalid CIDR target") == 0 &&
		    x1_lex_ipv6_cidr(buf, tg->addr, &tg->prefix_len) != 0)
			x1_syn(e, "invalid CIDR target");
	} else if (strcmp(name, "macAddress") == 0) {
		tg->kind = CLIFD_TGT_MAC;
		tg->prefix_len = 48;
		if (tok(k, buf, sizeof(buf), e, "invalid MAC target") == 0 &&
		    x1_lex_mac(buf, tg->addr) != 0)
			x1_syn(e, "invalid MAC target");
	} else if (strcmp(name, "tcpPort") == 0 || strcmp(name, "udpPort") == 0) {
		int tcp = name[0] == 't';
		tg->kind = tcp ? CLIFD_TGT_TCP_PORT : CLIFD_TGT_UDP_PORT;
		if (port_of(k, tcp ? 2 : 0, &tg->port_lo, e, "invalid port target") == 0)
			tg->port_hi = tg->port_lo;
	} else if (strcmp(name, "tcpPortRange") == 0 || strcmp(name, "udpPortRange") == 0) {
		int tcp = name[0] == 't';
		tg->kind = tcp ? CLIFD_TGT_TCP_PORT_RANGE : CLIFD_TGT_UDP_PORT_RANGE;
		parse_range(k, tcp ? 2 : 0, tg, e);
	} else {
		return -1;
	}
	return 0;
}

static int is_port_kind(uint8_t kind)
{
	return kind >= CLIFD_TGT_TCP_PORT && kind <= CLIFD_TGT_UDP_PORT_RANGE;
}

static void parse_targets(xmlNode *list, struct clifd_task *t, struct x1_errs *e)
{
	struct x1_cur c;
	xmlNode *n;
	unsigned count = 0, addresses = 0;
	x1_cur_init(&c, list, e);
	while ((n = x1_take(&c, X1_NS, "targetIdentifier")) != NULL) {
		struct x1_cur ci;
		struct clifd_target tg;
		count++;
		x1_cur_init(&ci, n, e);
		xmlNode *k = x1_peek(&ci);
		if (k == NULL) {
			x1_syn(e, "empty targetIdentifier");
			continue;
		}
		ci.next = k->next;
		x1_end(&ci); /* a choice: exactly one element */
		if (k->ns == NULL || strcmp((const char *)k->ns->href, X1_NS) != 0) {
			x1_syn(e, "unknown target identifier type");
			continue;
		}
		if (parse_target(k, &tg, e) == 0) {
			if (!is_port_kind(tg.kind))
				addresses++;
			if (t->n_targets < CLIFD_MAX_TARGETS)
				t->targets[t->n_targets++] = tg;
			else
				x1_sem(e, X1_E_TARGET_COMBINATION, "more target identifiers than supported");
			continue;
		}
		unsigned i, nu = sizeof(unsupported_targets) / sizeof(unsupported_targets[0]);
		for (i = 0; i < nu; i++) {
			if (strcmp((const char *)k->name, unsupported_targets[i]) == 0)
				break;
		}
		if (i < nu)
			x1_sem(e, X1_E_TARGET_TYPE, "unsupported target identifier type");
		else
			x1_syn(e, "unknown target identifier type");
	}
	x1_end(&c);
	if (count == 0)
		x1_syn(e, "no targetIdentifier");
	else if (t->n_targets > 0 && addresses == 0)
		x1_sem(e, X1_E_TARGET_COMBINATION, "port qualifiers without an address target");
}

/* ---- mediation details ---- */

static void parse_liid(xmlNode *n, struct clifd_mediation *md, int fail_code, struct x1_errs *e)
{
	static const char bad[] = "invalid LIID";
	char buf[64];
	/* normalizedString: tabs and line breaks become spaces, which the pattern refuses */
	if (str(n, buf, sizeof(buf), e, bad) != 0)
		return;
	size_t len = strlen(buf), printable = 0, hex = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)buf[i];
		printable += ch >= '!' && ch <= '~';
		hex += (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
	}
	if (len >= 1 && len <= CLIFD_LIID_MAX && printable == len) {
		memcpy(md->liid, buf, len + 1);
	} else if (len >= 26 && len <= 50 && hex == len) {
		x1_sem(e, fail_code, "LIID longer than supported");
	} else {
		x1_syn(e, bad);
	}
}

static void parse_mediation(xmlNode *list, struct clifd_task *t, int fail_code,
			    struct x1_errs *e)
{
	static const char *const kinds[] = {"HI2Only", "HI3Only", "HI2andHI3"};
	struct x1_cur c;
	xmlNode *m;
	x1_cur_init(&c, list, e);
	while ((m = x1_take(&c, X1_NS, "mediationDetails")) != NULL) {
		struct clifd_mediation scratch, *md = &scratch;
		struct x1_cur cm;
		xmlNode *n;
		char buf[16], ts[64];
		if (t->n_mediation < CLIFD_MAX_MEDIATION)
			md = &t->mediation[t->n_mediation++];
		else
			x1_sem(e, fail_code, "more mediationDetails than supported");
		memset(md, 0, sizeof(*md));
		x1_cur_init(&cm, m, e);
		if ((n = x1_need(&cm, X1_NS, "LIID", "missing LIID")) != NULL)
			parse_liid(n, md, fail_code, e);
		if ((n = x1_need(&cm, X1_NS, "deliveryType", "missing mediation deliveryType")) !=
			    NULL &&
		    str(n, buf, sizeof(buf), e, "invalid mediation deliveryType") == 0) {
			for (unsigned i = 0; i < 3; i++) {
				if (strcmp(buf, kinds[i]) == 0)
					md->hi_delivery = (uint8_t)(CLIFD_HI2_ONLY + i);
			}
			if (md->hi_delivery == 0)
				x1_syn(e, "invalid mediation deliveryType");
		}
		static const char *const times[] = {"StartTime", "EndTime"};
		for (unsigned i = 0; i < 2; i++) {
			if ((n = x1_take(&cm, X1_NS, times[i])) == NULL)
				continue;
			if (tok(n, ts, sizeof(ts), e, "invalid mediation time") == 0 &&
			    x1_lex_timestamp(ts) != 0)
				x1_syn(e, "invalid mediation time");
			/* clifd has no interception window: accepting and ignoring one would
			 * intercept outside the warrant's time. */
			x1_sem(e, fail_code, "mediation start and end times are not supported");
		}
		if ((n = x1_take(&cm, X1_NS, "listOfDIDs")) != NULL)
			x1_parse_dids(n, md->dids, &md->n_dids, e);
		while ((n = x1_take(&cm, X1_NS, "mediationDetailsExtensions")) != NULL)
			x1_skip_extension(n, e);
		if (x1_take(&cm, X1_NS, "serviceScopingOptions") != NULL)
			x1_sem(e, X1_E_SERVICE_TYPE, "service scoping is not supported");
		x1_end(&cm);
	}
	x1_end(&c);
}

static void parse_service_types(xmlNode *list, struct x1_errs *e)
{
	static const char *const known[] = {"voice", "data", "messaging", "pushToTalk", "LALS",
					    "RCS"};
	struct x1_cur c;
	xmlNode *n;
	unsigned count = 0;
	char buf[16];
	x1_cur_init(&c, list, e);
	while ((n = x1_take(&c, X1_NS, "serviceType")) != NULL) {
		count++;
		if (str(n, buf, sizeof(buf), e, "invalid serviceType") != 0)
			continue;
		unsigned i;
		for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
			if (strcmp(buf, known[i]) == 0)
				break;
		}
		if (i == sizeof(known) / sizeof(known[0]))
			x1_syn(e, "invalid serviceType");
		else if (strcmp(buf, "data") != 0)
			x1_sem(e, X1_E_SERVICE_TYPE, "only the data service type is supported");
	}
	x1_end(&c);
	if (count == 0)
		x1_syn(e, "empty listOfServiceTypes");
}

void x1_parse_task(xmlNode *details, struct clifd_task *t, int fail_code, struct x1_errs *e)
{
	struct x1_cur c;
	xmlNode *n;
	char buf[48];
	uint64_t v = 0;
	int v_bool = 0, scope_seen = 0;
	uint8_t product[16];
	memset(t, 0, sizeof(*t));
	t->scope_type = CLIF_SCOPE_ANY;
	x1_cur_init(&c, details, e);
	if ((n = x1_need(&c, X1_NS, "xId", "missing xId")) != NULL)
		uuid_of(n, t->xid, e, "invalid xId");
	if ((n = x1_need(&c, X1_NS, "targetIdentifiers", "missing targetIdentifiers")) != NULL)
		parse_targets(n, t, e);
	n = x1_need(&c, X1_NS, "deliveryType", "missing deliveryType");
	t->delivery = delivery_of(n, e);
	if ((n = x1_need(&c, X1_NS, "listOfDIDs", "missing listOfDIDs")) != NULL) {
		x1_parse_dids(n, t->dids, &t->n_dids, e);
		if (t->n_dids == 0)
			x1_sem(e, X1_E_DELIVERY_COMBINATION, "task without a destination");
	}
	if ((n = x1_take(&c, X1_NS, "listOfMediationDetails")) != NULL)
		parse_mediation(n, t, fail_code, e);
	if ((n = x1_take(&c, X1_NS, "correlationID")) != NULL &&
	    tok(n, buf, sizeof(buf), e, "invalid correlationID") == 0) {
		int r = x1_lex_uint(buf, UINT64_MAX, &v);
		if (r < 0)
			x1_syn(e, "invalid correlationID");
		else if (r > 0)
			x1_sem(e, fail_code, "correlationID larger than supported");
		else {
			t->has_correlation = 1;
			t->correlation_id = v;
		}
	}
	if ((n = x1_take(&c, X1_NS, "implicitDeactivationAllowed")) != NULL &&
	    tok(n, buf, sizeof(buf), e, "invalid implicitDeactivationAllowed") == 0) {
		if (x1_lex_bool(buf, &v_bool) != 0)
			x1_syn(e, "invalid implicitDeactivationAllowed");
		else
			t->implicit_deactivation = (uint8_t)(v_bool ? 2 : 1);
	}
	if ((n = x1_take(&c, X1_NS, "productID")) != NULL)
		uuid_of(n, product, e, "invalid productID");
	if ((n = x1_take(&c, X1_NS, "listOfServiceTypes")) != NULL)
		parse_service_types(n, e);
	while ((n = x1_take(&c, X1_NS, "taskDetailsExtensions")) != NULL)
		parse_task_ext(n, t, &scope_seen, e);
	x1_end(&c);
}
