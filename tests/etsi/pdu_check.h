/* What the PS-PDU suites (test_etsi_cc.c, test_etsi_pdu.c) share: the CHECK counter, OCTET
 * STRING comparisons, a hex dump for failures, and the check of the PSHeader fields an
 * etsi_cc_config fixes. Define SUITE ("etsi-cc: ") before including it. */
#ifndef CLIF_TESTS_PDU_CHECK_H
#define CLIF_TESTS_PDU_CHECK_H

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "PS-PDU.h"
#include "etsi_cc.h"

static int failures;
static long checks;
static char where[200] = "";

#define CHECK(cond)                                                                           \
	do {                                                                                  \
		checks++;                                                                     \
		if (!(cond)) {                                                                \
			if (failures++ < 30)                                                  \
				fprintf(stderr, SUITE "%s:%d: check failed: %s (%s)\n",       \
					__FILE__, __LINE__, #cond, where);                    \
		}                                                                             \
	} while (0)

static inline int os_eq(const OCTET_STRING_t *os, const void *p, size_t n)
{
	return os && os->size == (int)n && (n == 0 || memcmp(os->buf, p, n) == 0);
}

static inline int str_eq(const OCTET_STRING_t *os, const char *s)
{
	return s ? os_eq(os, s, strlen(s)) : os == NULL;
}

static inline void hex(const char *what, const uint8_t *p, size_t n)
{
	fprintf(stderr, "%s (%zu bytes):", what, n);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s%02x", i % 32 ? " " : "\n  ", p[i]);
	fprintf(stderr, "\n");
}

/* The GeneralizedTime "YYYYMMDDhhmmss[.f{frac}]Z" an encoder must write, built independently
 * with gmtime_r (buf: at least 32 bytes). */
static inline void expect_gt(char *buf, uint64_t ts_ns, unsigned frac)
{
	time_t t = (time_t)(ts_ns / 1000000000u);
	struct tm tm;
	gmtime_r(&t, &tm);
	size_t n = strftime(buf, 32, "%Y%m%d%H%M%S", &tm);
	if (frac) {
		char ns[16];
		snprintf(ns, sizeof(ns), "%09llu", (unsigned long long)(ts_ns % 1000000000u));
		buf[n++] = '.';
		memcpy(buf + n, ns, frac);
		n += frac;
	}
	buf[n++] = 'Z';
	buf[n] = '\0';
}

/* li-psDomainId (version43), LIID, country codes, communicationIdentifier, sequence number,
 * interceptionPointID, and no extended IPID or network function id. Timestamps are the
 * caller's (they differ between CC and IRI/TRI). */
static inline void check_header_ids(const PSHeader_t *h, const struct etsi_cc_config *cfg, uint32_t seq)
{
	unsigned long arcs[16];
	static const unsigned long dom[] = {0, 4, 0, 2, 2, 5, 1, 43};
	CHECK(OBJECT_IDENTIFIER_get_arcs(&h->li_psDomainId, arcs, sizeof(arcs[0]), 16) == 8 &&
	      memcmp(arcs, dom, sizeof(dom)) == 0);
	CHECK(os_eq(&h->lawfulInterceptionIdentifier, cfg->liid, cfg->liid_len));
	CHECK(str_eq(h->authorizationCountryCode, cfg->auth_country));
	const CommunicationIdentifier_t *ci = &h->communicationIdentifier;
	CHECK(os_eq(&ci->networkIdentifier.operatorIdentifier, cfg->operator_id, cfg->operator_id_len));
	if (cfg->ne_id_len)
		CHECK(os_eq(ci->networkIdentifier.networkElementIdentifier, cfg->ne_id, cfg->ne_id_len));
	else
		CHECK(ci->networkIdentifier.networkElementIdentifier == NULL);
	CHECK(ci->communicationIdentityNumber && *ci->communicationIdentityNumber == cfg->cin);
	CHECK(str_eq(ci->deliveryCountryCode, cfg->delivery_country));
	CHECK(h->sequenceNumber == seq);
	CHECK(str_eq(h->interceptionPointID, cfg->ipid));
	CHECK(h->extendedInterceptionPointID == NULL && h->networkFunctionIdentifier == NULL);
}

/* The microsecond form: microSecondTimeStamp carries ts_ns to the microsecond, and the
 * context's timeStampQualifier follows it. */
static inline void check_micro(const PSHeader_t *h, const struct etsi_cc_config *cfg, uint64_t ts_ns)
{
	CHECK(h->microSecondTimeStamp && (uint64_t)h->microSecondTimeStamp->seconds == ts_ns / 1000000000u &&
	      (uint64_t)h->microSecondTimeStamp->microSeconds == ts_ns % 1000000000u / 1000u);
	CHECK(h->timeStampQualifier && *h->timeStampQualifier == (long)cfg->ts_qualifier);
}

#endif
