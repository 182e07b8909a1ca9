/* HI3 CC encoding throughput (issue 5): etsi_cc_encode (the fast path) writing PS-PDUs into an
 * in-cache ring on one core, against asn1c's der_encode_to_buffer of the same PDUs and against a
 * plain memcpy of the same bytes (the floor: no encoder can write a PDU faster than it copies
 * one).
 *
 *   clif-bench-hi3
 *
 * Workload: a realistic CC context (16-byte LIID, authorization and delivery country codes,
 * operator and network element ids, CIN, interception point id, microsecond timestamp with
 * its qualifier), IP datagrams of 64 or 1500 bytes drawn in turn from a pool of POOL distinct
 * packets, a sequence number and a timestamp that change with every record, the direction
 * alternating. PDUs go one after another into a RING_BYTES ring that stays in the cache,
 * which wraps to its start when the next PDU might not fit.
 *
 * Comparators, in the same run on the same records:
 *  - asn1c: one PS_PDU_t built once; per record only the sequence number, the two timestamp
 *    fields, the direction and the payload pointer and size change before der_encode_to_buffer
 *    into the same ring (how one would use asn1c at its best);
 *  - memcpy: the same header byte count (a PDU's length minus its payload) from a header
 *    template, then the payload, into the same ring.
 * Each is timed with CLOCK_MONOTONIC in batches until at least MIN_SECONDS have passed; best of
 * ROUNDS. The GeneralizedTime form (microsecond fraction) is measured too, against the
 * microsecond form.
 *
 * Before timing, the fast path and asn1c must produce byte-identical PDUs (microsecond form)
 * over a spread of sequence numbers, timestamps and payloads; the program exits 1 otherwise.
 *
 * Output: per size S in {64B, 1500B}
 *   bench: hi3_encode_mrecs_S, hi3_asn1c_mrecs_S (Mrec/s), hi3_encode_vs_asn1c_S (x),
 *   bench: hi3_memcpy_mrecs_S (Mrec/s), hi3_encode_pct_of_memcpy_S (%),
 *   bench: hi3_encode_mrecs_S_gt (Mrec/s), hi3_encode_gt_vs_micro_S (x);
 * other lines start with "info:".
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "PS-PDU.h"
#include "CCPayload.h"
#include "etsi_cc.h"

#define RING_BYTES (256u << 10)
#define POOL 16u
#define MAX_IP 1500u
#define BATCH 4096u
#define ROUNDS 3
#define MIN_SECONDS 0.3

/* Sequence numbers and times of a long-running stream: a 4-byte INTEGER for the sequence
 * number, consecutive records TS_STEP_NS apart (so the microseconds move every record). */
#define SEQ0 16777216u
#define TS0 1795904100123456789ull /* 2026-11-28 */
#define TS_STEP_NS 1237u

static _Alignas(64) uint8_t ring[RING_BYTES];
static _Alignas(64) uint8_t pool[POOL][MAX_IP];
static uint8_t hdr_tmpl[ETSI_CC_MAX_OVERHEAD];

static const uint8_t LIID[16] = "DE-LEA-26-000042";
static const uint8_t OPERATOR[] = "op-de-0001";
static const uint8_t NE[] = "clif-nic-07";

/* The running state of one workload: every timed kind continues the same record stream. */
struct run {
	const struct etsi_cc_ctx *ctx;
	uint32_t ip_len;
	uint32_t hdr_len; /* memcpy: header bytes per record */
	uint64_t rec;     /* records so far */
	size_t off;       /* write offset in the ring */
	uint8_t sink;     /* one byte of every PDU, so no work can be dropped */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* POOL IPv4/UDP datagrams of len bytes, each with its own addresses, ports and bytes. */
static void make_pool(uint32_t len)
{
	for (uint32_t k = 0; k < POOL; k++) {
		uint8_t *p = pool[k];

		for (uint32_t i = 0; i < len; i++)
			p[i] = (uint8_t)(i * 31u + k * 17u + 1u);
		static const uint8_t v4[] = {0x45, 0x00, 0, 0, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11,
					     0x00, 0x00, 10, 1, 0, 1, 10, 2, 0, 2};
		memcpy(p, v4, sizeof(v4));
		p[2] = (uint8_t)(len >> 8);
		p[3] = (uint8_t)len;
		p[15] = (uint8_t)(k + 1);
		p[19] = (uint8_t)(k + 100);
		p[20] = 0x30;
		p[21] = (uint8_t)k; /* source port */
		p[22] = 0x13;
		p[23] = 0xc4; /* destination port 5060 */
	}
}

static uint32_t rec_seq(uint64_t r)
{
	return SEQ0 + (uint32_t)r;
}

static uint64_t rec_ts(uint64_t r)
{
	return TS0 + r * TS_STEP_NS;
}

/* The ring offset for the next record: back to the start when a PDU might not fit. */
static size_t ring_at(struct run *r)
{
	if (RING_BYTES - r->off < ETSI_CC_MAX_OVERHEAD + r->ip_len)
		r->off = 0;
	return r->off;
}

/* ---- asn1c: the PDU structure, built once ---- */

static uint8_t dom_arcs[] = {0x04, 0x00, 0x02, 0x02, 0x05, 0x01, 0x2b};
static uint8_t ipcc_arcs[] = {0x05, 0x03, 0x12, 0x02};
static uint8_t country[] = "DE", ipid_str[] = "clif0007";
static unsigned long cin_val = 0x00a1b2c3u;
static PrintableString_t auth_os, deliv_os, ipid_os;
static OCTET_STRING_t ne_os;
static MicroSecondTimeStamp_t msts;
static TimeStampQualifier_t tsq = TimeStampQualifier_timeOfInterception;
static PayloadDirection_t pdir;
static CCPayload_t ccp;
static CCPayload_t *ccp_list[1] = {&ccp};
static PS_PDU_t apdu;

static void asn1c_build(void)
{
	PSHeader_t *h = &apdu.pSHeader;

	h->li_psDomainId.buf = dom_arcs;
	h->li_psDomainId.size = sizeof(dom_arcs);
	h->lawfulInterceptionIdentifier.buf = (uint8_t *)LIID;
	h->lawfulInterceptionIdentifier.size = sizeof(LIID);
	auth_os.buf = country;
	auth_os.size = 2;
	h->authorizationCountryCode = &auth_os;
	h->communicationIdentifier.networkIdentifier.operatorIdentifier.buf = (uint8_t *)OPERATOR;
	h->communicationIdentifier.networkIdentifier.operatorIdentifier.size = sizeof(OPERATOR) - 1;
	ne_os.buf = (uint8_t *)NE;
	ne_os.size = sizeof(NE) - 1;
	h->communicationIdentifier.networkIdentifier.networkElementIdentifier = &ne_os;
	h->communicationIdentifier.communicationIdentityNumber = &cin_val;
	deliv_os.buf = country;
	deliv_os.size = 2;
	h->communicationIdentifier.deliveryCountryCode = &deliv_os;
	ipid_os.buf = ipid_str;
	ipid_os.size = sizeof(ipid_str) - 1;
	h->interceptionPointID = &ipid_os;
	h->microSecondTimeStamp = &msts;
	h->timeStampQualifier = &tsq;

	apdu.payload.present = Payload_PR_cCPayloadSequence;
	apdu.payload.choice.cCPayloadSequence.list.array = ccp_list;
	apdu.payload.choice.cCPayloadSequence.list.count = 1;
	apdu.payload.choice.cCPayloadSequence.list.size = 1;
	ccp.payloadDirection = &pdir;
	ccp.cCContents.present = CCContents_PR_iPCC;
	ccp.cCContents.choice.iPCC.iPCCObjId.buf = ipcc_arcs;
	ccp.cCContents.choice.iPCC.iPCCObjId.size = sizeof(ipcc_arcs);
	ccp.cCContents.choice.iPCC.iPCCContents.present = IPCCContents_PR_iPPackets;
}

static long asn1c_encode(uint32_t seq, uint64_t ts_ns, unsigned dir, const uint8_t *ip,
			 uint32_t ip_len, uint8_t *out, size_t cap)
{
	apdu.pSHeader.sequenceNumber = seq;
	msts.seconds = (long)(ts_ns / 1000000000u);
	msts.microSeconds = (long)(ts_ns % 1000000000u / 1000u);
	pdir = (PayloadDirection_t)dir;
	OCTET_STRING_t *pk = &ccp.cCContents.choice.iPCC.iPCCContents.choice.iPPackets;
	pk->buf = (uint8_t *)ip;
	pk->size = (int)ip_len;
	asn_enc_rval_t er = der_encode_to_buffer(&asn_DEF_PS_PDU, &apdu, out, cap);
	return (long)er.encoded;
}

/* ---- the timed loops: BATCH records each. One loop per method, written out, so that the
 * encoder call is direct (an indirect call per record would tax the fast path most). ---- */

static int batch_fast(struct run *r)
{
	for (uint32_t i = 0; i < BATCH; i++, r->rec++) {
		size_t off = ring_at(r);
		long n = etsi_cc_encode(r->ctx, rec_seq(r->rec), rec_ts(r->rec), (unsigned)r->rec & 1u,
					pool[r->rec % POOL], r->ip_len, ring + off, RING_BYTES - off);
		if (n <= 0)
			return -1;
		r->sink ^= ring[off + (size_t)n - 1] ^ (uint8_t)n;
		r->off = off + (size_t)n;
	}
	return 0;
}

static int batch_asn1c(struct run *r)
{
	for (uint32_t i = 0; i < BATCH; i++, r->rec++) {
		size_t off = ring_at(r);
		long n = asn1c_encode(rec_seq(r->rec), rec_ts(r->rec), (unsigned)r->rec & 1u,
				      pool[r->rec % POOL], r->ip_len, ring + off, RING_BYTES - off);
		if (n <= 0)
			return -1;
		r->sink ^= ring[off + (size_t)n - 1] ^ (uint8_t)n;
		r->off = off + (size_t)n;
	}
	return 0;
}

static int batch_memcpy(struct run *r)
{
	for (uint32_t i = 0; i < BATCH; i++, r->rec++) {
		size_t off = ring_at(r);
		memcpy(ring + off, hdr_tmpl, r->hdr_len);
		memcpy(ring + off + r->hdr_len, pool[r->rec % POOL], r->ip_len);
		size_t n = r->hdr_len + r->ip_len;
		r->sink ^= ring[off + n - 1] ^ (uint8_t)n;
		r->off = off + n;
	}
	return 0;
}

/* Records per second: best of ROUNDS, each at least MIN_SECONDS. */
static double measure(struct run *r, int (*batch)(struct run *), const char *what)
{
	double best = 0;

	if (batch(r) != 0) /* warm the ring, the pool and the code */
		goto fail;
	for (int k = 0; k < ROUNDS; k++) {
		uint64_t recs = 0;
		double t0 = now_s(), dt;

		do {
			if (batch(r) != 0)
				goto fail;
			recs += BATCH;
			dt = now_s() - t0;
		} while (dt < MIN_SECONDS);
		if (recs / dt > best)
			best = recs / dt;
	}
	return best;
fail:
	fprintf(stderr, "bench-hi3: %s encoder failed\n", what);
	exit(1);
}

/* The fast path and asn1c must agree byte for byte before either is timed. */
static void verify(const struct etsi_cc_ctx *ctx, uint32_t ip_len)
{
	static uint8_t a[ETSI_CC_MAX_OVERHEAD + MAX_IP], b[ETSI_CC_MAX_OVERHEAD + MAX_IP];
	static const uint32_t seqs[] = {0, 127, 128, 32767, 32768, 8388608, SEQ0, 2147483648u,
					4294967295u};
	static const uint64_t tss[] = {0, 999000, 1000000000, TS0, TS0 + 999999999u};

	for (size_t s = 0; s < sizeof(seqs) / sizeof(seqs[0]); s++)
		for (size_t t = 0; t < sizeof(tss) / sizeof(tss[0]); t++) {
			unsigned dir = (unsigned)(s + t) % 5;
			const uint8_t *ip = pool[(s + t) % POOL];
			long na = etsi_cc_encode(ctx, seqs[s], tss[t], dir, ip, ip_len, a, sizeof(a));
			long nb = asn1c_encode(seqs[s], tss[t], dir, ip, ip_len, b, sizeof(b));
			if (na <= 0 || na != nb || memcmp(a, b, (size_t)na) != 0) {
				fprintf(stderr,
					"bench-hi3: fast path and asn1c PDUs differ (%u-byte payload, "
					"case %zu/%zu: %ld vs %ld bytes)\n",
					ip_len, s, t, na, nb);
				exit(1);
			}
		}
}

static void bench_size(const struct etsi_cc_ctx *micro, const struct etsi_cc_ctx *gt,
		       uint32_t ip_len, const char *tag, uint8_t *sink)
{
	struct run r = {.ctx = micro, .ip_len = ip_len};

	make_pool(ip_len);
	verify(micro, ip_len);

	/* The memcpy floor copies as many header bytes as the first timed PDU has. */
	long n = etsi_cc_encode(micro, rec_seq(0), rec_ts(0), 0, pool[0], ip_len, ring,
				RING_BYTES);
	if (n <= (long)ip_len) {
		fprintf(stderr, "bench-hi3: encoder failed\n");
		exit(1);
	}
	r.hdr_len = (uint32_t)n - ip_len;
	memcpy(hdr_tmpl, ring, r.hdr_len);

	double fast = measure(&r, batch_fast, "fast-path");
	double asn1c = measure(&r, batch_asn1c, "asn1c");
	double copy = measure(&r, batch_memcpy, "memcpy");
	r.ctx = gt;
	double fast_gt = measure(&r, batch_fast, "fast-path (GeneralizedTime)");

	printf("info: hi3 %s: %u header bytes per PDU\n", tag, r.hdr_len);
	printf("bench: hi3_encode_mrecs_%s %.2f Mrec/s\n", tag, fast / 1e6);
	printf("bench: hi3_asn1c_mrecs_%s %.3f Mrec/s\n", tag, asn1c / 1e6);
	printf("bench: hi3_encode_vs_asn1c_%s %.1f x\n", tag, fast / asn1c);
	printf("bench: hi3_memcpy_mrecs_%s %.2f Mrec/s\n", tag, copy / 1e6);
	printf("bench: hi3_encode_pct_of_memcpy_%s %.1f %%\n", tag, 100.0 * fast / copy);
	printf("bench: hi3_encode_mrecs_%s_gt %.2f Mrec/s\n", tag, fast_gt / 1e6);
	printf("bench: hi3_encode_gt_vs_micro_%s %.2f x\n", tag, fast_gt / fast);
	fflush(stdout);
	*sink ^= r.sink;
}

int main(void)
{
	struct etsi_cc_config cfg = {
		.liid = LIID, .liid_len = sizeof(LIID),
		.auth_country = "DE",
		.operator_id = OPERATOR, .operator_id_len = sizeof(OPERATOR) - 1,
		.ne_id = NE, .ne_id_len = sizeof(NE) - 1,
		.cin = 0x00a1b2c3u,
		.delivery_country = "DE",
		.ipid = "clif0007",
		.ts_form = ETSI_CC_TS_MICRO,
		.ts_qualifier = 1,
	};
	struct etsi_cc_ctx micro, gt;
	uint8_t sink = 0;

	if (etsi_cc_init(&micro, &cfg) != 0)
		goto fail;
	cfg.ts_form = ETSI_CC_TS_GENERALIZED;
	cfg.ts_frac_digits = 6;
	if (etsi_cc_init(&gt, &cfg) != 0)
		goto fail;
	asn1c_build();

	bench_size(&micro, &gt, 64, "64B", &sink);
	bench_size(&micro, &gt, 1500, "1500B", &sink);
	printf("info: hi3 fast path and asn1c PDUs identical; sink 0x%02x\n", sink);
	return 0;
fail:
	fprintf(stderr, "bench-hi3: etsi_cc_init failed\n");
	return 1;
}
