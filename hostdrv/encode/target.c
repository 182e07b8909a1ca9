/* The target: one IPv4 or IPv6 prefix, and the X1 TargetIdentifier that names it. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "encode.h"

/* Decimal 1..max with no sign, no leading zero and nothing after it; -1 otherwise. */
static int parse_prefix(const char *s, unsigned max)
{
	unsigned v = 0;

	if (*s < '1' || *s > '9')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10u + (unsigned)(*s - '0');
		if (v > max)
			return -1;
	}
	return (int)v;
}

/* Clears the bits past the prefix: the card's prefix table keys carry them as zero. */
static void mask_host_bits(uint8_t *addr, unsigned bytes, unsigned prefix)
{
	for (unsigned i = 0; i < bytes; i++) {
		unsigned keep = prefix > 8u * i ? prefix - 8u * i : 0u;
		if (keep < 8u)
			addr[i] &= (uint8_t)(0xffu << (8u - keep));
	}
}

static int build_xml(struct enc_target *t)
{
	char text[INET6_ADDRSTRLEN];
	const char *kind;
	int n;

	if (inet_ntop(t->family == 4 ? AF_INET : AF_INET6, t->addr, text, sizeof(text)) == NULL)
		return -1;
	if (t->has_prefix) {
		kind = t->family == 4 ? "ipv4Cidr" : "ipv6Cidr";
		n = snprintf(t->xml, sizeof(t->xml), "<%s>%s/%u</%s>", kind, text, t->prefix, kind);
	} else {
		kind = t->family == 4 ? "ipv4Address" : "ipv6Address";
		n = snprintf(t->xml, sizeof(t->xml), "<%s>%s</%s>", kind, text, kind);
	}
	if (n < 0 || (size_t)n >= sizeof(t->xml))
		return -1;
	t->xml_len = (uint16_t)n;
	return 0;
}

int enc_target_parse(struct enc_target *t, const char *text)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(text, '/');
	size_t alen = slash ? (size_t)(slash - text) : strlen(text);
	int prefix;

	memset(t, 0, sizeof(*t));
	if (alen == 0 || alen >= sizeof(addr))
		return -1;
	memcpy(addr, text, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, t->addr) == 1)
		t->family = 4;
	else if (inet_pton(AF_INET6, addr, t->addr) == 1)
		t->family = 6;
	else
		return -1;
	unsigned bits = t->family == 4 ? 32u : 128u;
	if (slash) {
		prefix = parse_prefix(slash + 1, bits);
		if (prefix < 0)
			return -1;
		t->has_prefix = 1;
	} else {
		prefix = (int)bits;
	}
	t->prefix = (uint8_t)prefix;
	mask_host_bits(t->addr, bits / 8u, t->prefix);
	return build_xml(t);
}

static int in_prefix(const struct enc_target *t, const uint8_t *a)
{
	unsigned full = t->prefix / 8u, rest = t->prefix % 8u;

	if (memcmp(a, t->addr, full) != 0)
		return 0;
	return rest == 0 || (a[full] & (uint8_t)(0xffu << (8u - rest))) == t->addr[full];
}

unsigned enc_target_sides(const struct enc_target *t, const struct enc_dgram *d)
{
	unsigned sides = 0;

	if (d->family != t->family)
		return 0;
	if (in_prefix(t, d->src))
		sides |= ENC_SIDE_SRC;
	if (in_prefix(t, d->dst))
		sides |= ENC_SIDE_DST;
	return sides;
}
