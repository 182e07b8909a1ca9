/* Framing of handover byte streams with resynchronisation (see etsi_stream.h).
 *
 * Byte accounting. Every byte committed to a stream is, at any moment, in exactly one of:
 *   consumed PDU bytes  PDUs returned by etsi_stream_next() and consumed (by the following
 *                       next/feed/space call) without being rejected;
 *   s->skipped          bytes dropped: framing errors' regions, the one-byte advance of each
 *                       rejected PDU, and the bytes dropped while resynchronising after it;
 *   buffered            s->tail - s->head, which includes a returned PDU not yet consumed.
 * So fed == consumed PDU bytes + s->skipped + (s->tail - s->head), and s->offset (the stream
 * offset of buf[head]) == consumed PDU bytes + s->skipped.
 *
 * Error reporting: one error per bad region. The error that starts a region drops the byte
 * at its offset and scans for the next candidate start; it->skipped counts what was dropped
 * within that call, and bytes dropped later for the same region (the candidate was not in the
 * buffer yet) only add to s->skipped. A rejection is the caller's own report, so the scan
 * that follows it reports nothing.
 *
 * AUTO: until the first PDU frames, each start is recognised by its first byte (30 BER,
 * 00 X2/X3; anything else is ETSI_E_TAG) and resynchronisation accepts both kinds. The first
 * PDU returned fixes s->fmt before next() returns, so that the caller can pick its decoder
 * from s->fmt; a rejection does not undo that (a stream does not change kind). */
#include "etsi_stream.h"

#include <stdlib.h>
#include <string.h>

#include "x2x3.h"

#define MAX_PDU_LIMIT ((size_t)64 * 1024 * 1024)
#define MIN_PDU_LIMIT ((size_t)64)

/* ---- BER framing ---- */

/* A byte at index i belongs to the PDU being framed: past max_pdu the PDU is too big; past
 * avail more input is needed. */
#define NEED(i)                                                                               \
	do {                                                                                  \
		if ((i) >= max_pdu)                                                           \
			return ETSI_E_TOOBIG;                                                 \
		if ((i) >= avail)                                                             \
			return 0;                                                             \
	} while (0)

#define LEN_INDEF UINT64_MAX

/* Reads the length octets at buf[*pos]: sets *len (LEN_INDEF for 80) and advances *pos.
 * Returns 1, 0 (more input needed), ETSI_E_LENGTH or ETSI_E_TOOBIG. */
static int ber_len(const uint8_t *buf, size_t avail, size_t max_pdu, size_t *pos, uint64_t *len)
{
	size_t p = *pos;
	NEED(p);
	uint8_t b = buf[p++];
	if (b < 0x80) {
		*len = b;
	} else if (b == 0x80) {
		*len = LEN_INDEF;
	} else if (b <= 0x84) {
		uint64_t v = 0;
		for (unsigned i = 0; i < (b & 0x7fu); i++) {
			NEED(p);
			v = v << 8 | buf[p++];
		}
		*len = v;
	} else {
		return ETSI_E_LENGTH; /* 85..FE: more than 4 octets; FF: reserved */
	}
	*pos = p;
	return 1;
}

/* Walks the TLVs of an indefinite-length outer SEQUENCE whose contents start at buf[pos] to
 * its end-of-contents. Constructed children are entered (definite or not) so that a child
 * overrunning a definite parent, a misplaced end-of-contents and excessive depth are caught
 * here rather than by the decoder after a wrong cut; a primitive is skipped by its length.
 * ends[d] is the end offset of open level d (LEN_INDEF: waiting for 00 00); level 0 is the
 * outer SEQUENCE. Invariant: pos never passes the end of an open definite level. */
static long ber_walk(const uint8_t *buf, size_t avail, size_t max_pdu, size_t pos)
{
	uint64_t ends[ETSI_MAX_DEPTH];
	unsigned depth = 1;
	ends[0] = LEN_INDEF;
	for (;;) {
		while (ends[depth - 1] == pos) /* definite levels that end here */
			depth--;
		NEED(pos);
		uint8_t tag = buf[pos];
		size_t p = pos + 1;
		if (tag == 0x00) { /* end-of-contents */
			NEED(p);
			if (buf[p] != 0x00 || ends[depth - 1] != LEN_INDEF)
				return ETSI_E_INDEF;
			pos = p + 1;
			if (--depth == 0)
				return (long)pos;
			if (ends[depth - 1] != LEN_INDEF && pos > ends[depth - 1])
				return ETSI_E_LENGTH; /* the closed level overran its definite parent */
			continue;
		}
		if ((tag & 0x1fu) == 0x1fu) { /* high tag number: base-128 octets, last < 0x80 */
			uint8_t t;
			do {
				NEED(p);
				t = buf[p++];
			} while (t & 0x80u);
		}
		uint64_t len;
		int r = ber_len(buf, avail, max_pdu, &p, &len);
		if (r <= 0)
			return r;
		int constructed = (tag & 0x20u) != 0;
		uint64_t end = LEN_INDEF;
		if (len == LEN_INDEF) {
			if (!constructed)
				return ETSI_E_INDEF;
			if (ends[depth - 1] != LEN_INDEF && p > ends[depth - 1])
				return ETSI_E_LENGTH;
		} else {
			end = (uint64_t)p + len;
			if (ends[depth - 1] != LEN_INDEF && end > ends[depth - 1])
				return ETSI_E_LENGTH;
			if (end > max_pdu)
				return ETSI_E_TOOBIG;
		}
		if (constructed && depth == ETSI_MAX_DEPTH)
			return ETSI_E_DEPTH;
		if (!constructed || len == 0) {
			pos = (size_t)end;
			continue;
		}
		ends[depth++] = end;
		pos = p;
	}
}

long etsi_ber_frame(const uint8_t *buf, size_t avail, size_t max_pdu)
{
	if (avail == 0)
		return 0;
	if (buf == NULL)
		return ETSI_E_INVAL;
	if (buf[0] != 0x30)
		return ETSI_E_TAG;
	size_t pos = 1;
	uint64_t len;
	int r = ber_len(buf, avail, max_pdu, &pos, &len);
	if (r <= 0)
		return r;
	if (len == LEN_INDEF)
		return ber_walk(buf, avail, max_pdu, pos);
	uint64_t total = pos + len;
	if (total > max_pdu)
		return ETSI_E_TOOBIG;
	return total <= avail ? (long)total : 0;
}

/* ---- candidate starts ---- */

enum { CAND_NO = 0, CAND_YES = 1, CAND_MAYBE = 2 };

/* 30 <definite or indefinite length> A1 */
static int ber_candidate(const uint8_t *p, size_t n)
{
	if (p[0] != 0x30)
		return CAND_NO;
	if (n < 2)
		return CAND_MAYBE;
	size_t at = 2;
	if (p[1] > 0x84)
		return CAND_NO;
	if (p[1] > 0x80)
		at += p[1] & 0x7fu;
	if (n <= at)
		return CAND_MAYBE;
	return p[at] == 0xa1 ? CAND_YES : CAND_NO;
}

/* 00 05 00 0{1..4}: header version 5 and a known PDU type */
static int x2x3_candidate(const uint8_t *p, size_t n)
{
	static const uint8_t want[3] = {0x00, X2X3_VERSION, 0x00};
	for (size_t i = 0; i < 3; i++) {
		if (i >= n)
			return CAND_MAYBE;
		if (p[i] != want[i])
			return CAND_NO;
	}
	if (n < 4)
		return CAND_MAYBE;
	return p[3] >= X2X3_PDU_X2 && p[3] <= X2X3_PDU_KEEPALIVE_ACK ? CAND_YES : CAND_NO;
}

static int candidate(const struct etsi_stream *s, const uint8_t *p, size_t n)
{
	switch (s->fmt) {
	case ETSI_STREAM_BER:
		return ber_candidate(p, n);
	case ETSI_STREAM_X2X3:
		return x2x3_candidate(p, n);
	default:
		return p[0] == 0x30 ? ber_candidate(p, n) : x2x3_candidate(p, n);
	}
}

/* ---- the stream ---- */

int etsi_stream_init(struct etsi_stream *s, enum etsi_stream_format fmt, size_t max_pdu)
{
	if (s == NULL)
		return ETSI_E_INVAL;
	memset(s, 0, sizeof(*s));
	if (max_pdu == 0)
		max_pdu = ETSI_STREAM_DEFAULT_MAX_PDU;
	if ((unsigned)fmt > ETSI_STREAM_X2X3 || max_pdu < MIN_PDU_LIMIT || max_pdu > MAX_PDU_LIMIT)
		return ETSI_E_INVAL;
	s->buf = malloc(2 * max_pdu);
	if (s->buf == NULL)
		return ETSI_E_NOMEM;
	s->cap = 2 * max_pdu;
	s->max_pdu = max_pdu;
	s->fmt = (int)fmt;
	return 0;
}

void etsi_stream_free(struct etsi_stream *s)
{
	if (s == NULL)
		return;
	free(s->buf);
	memset(s, 0, sizeof(*s));
}

static void drop(struct etsi_stream *s, size_t n)
{
	s->head += n;
	s->offset += n;
	s->skipped += n;
}

/* The PDU returned last was accepted: it leaves the buffer. */
static void consume_pending(struct etsi_stream *s)
{
	if (s->pending == 0)
		return;
	s->head += s->pending;
	s->offset += s->pending;
	s->pending = 0;
}

uint8_t *etsi_stream_space(struct etsi_stream *s, size_t *room)
{
	if (room == NULL)
		return NULL;
	*room = 0;
	if (s == NULL || s->buf == NULL || s->ended)
		return NULL;
	consume_pending(s);
	/* Moving the unconsumed bytes to the front once less than max_pdu is free means that a
	 * drained stream (less than max_pdu buffered) always offers more than max_pdu of room.
	 * Returns NULL after etsi_stream_end() too. */
	if (s->head == s->tail) {
		s->head = s->tail = 0;
	} else if (s->head > 0 && s->cap - s->tail < s->max_pdu) {
		memmove(s->buf, s->buf + s->head, s->tail - s->head);
		s->tail -= s->head;
		s->head = 0;
	}
	*room = s->cap - s->tail;
	return *room ? s->buf + s->tail : NULL;
}

void etsi_stream_commit(struct etsi_stream *s, size_t n)
{
	if (s == NULL || s->ended)
		return;
	s->tail += n <= s->cap - s->tail ? n : s->cap - s->tail;
}

size_t etsi_stream_feed(struct etsi_stream *s, const uint8_t *data, size_t n)
{
	size_t taken = 0;
	while (taken < n) {
		size_t room;
		uint8_t *p = etsi_stream_space(s, &room);
		if (p == NULL)
			break;
		size_t k = n - taken < room ? n - taken : room;
		memcpy(p, data + taken, k);
		etsi_stream_commit(s, k);
		taken += k;
	}
	return taken;
}

/* Drops bytes until a candidate start is at the head. Returns 1 when one is, 0 when the
 * buffer ran out or (before the end) a possible candidate needs more bytes to decide. */
static int resync(struct etsi_stream *s)
{
	while (s->head < s->tail) {
		int c = candidate(s, s->buf + s->head, s->tail - s->head);
		if (c == CAND_YES) {
			s->resyncing = 0;
			return 1;
		}
		if (c == CAND_MAYBE && !s->ended)
			return 0;
		drop(s, 1);
	}
	return 0;
}

/* Length of the PDU at the head when complete, 0 when more input is needed, or the framing
 * error. */
static long frame(const struct etsi_stream *s)
{
	const uint8_t *p = s->buf + s->head;
	size_t avail = s->tail - s->head;
	int fmt = s->fmt;
	if (fmt == ETSI_STREAM_AUTO) {
		if (p[0] == 0x30)
			fmt = ETSI_STREAM_BER;
		else if (p[0] == 0x00)
			fmt = ETSI_STREAM_X2X3;
		else
			return ETSI_E_TAG;
	}
	if (fmt == ETSI_STREAM_BER)
		return etsi_ber_frame(p, avail, s->max_pdu);
	/* x2x3_frame_len() waits for 12 bytes; a wrong version or type is known after 4. */
	int c = x2x3_candidate(p, avail);
	if (c != CAND_YES)
		return c == CAND_NO ? ETSI_E_TAG : 0;
	long r = x2x3_frame_len(p, avail, s->max_pdu);
	return r > 0 && (size_t)r > avail ? 0 : r;
}

int etsi_stream_next(struct etsi_stream *s, struct etsi_stream_item *it)
{
	if (s == NULL || it == NULL || s->buf == NULL)
		return ETSI_E_INVAL;
	memset(it, 0, sizeof(*it));
	consume_pending(s);
	if (s->resyncing && !resync(s))
		return 0;
	if (s->head == s->tail)
		return 0;
	long r = frame(s);
	if (r > 0) {
		it->pdu = s->buf + s->head;
		it->len = (size_t)r;
		it->offset = s->offset;
		s->pending = (size_t)r;
		s->pdus++;
		if (s->fmt == ETSI_STREAM_AUTO)
			s->fmt = it->pdu[0] == 0x30 ? ETSI_STREAM_BER : ETSI_STREAM_X2X3;
		return 1;
	}
	if (r == 0) {
		if (!s->ended)
			return 0;
		r = ETSI_E_TRUNC;
	}
	/* A bad region starts here: report it once, drop its first byte, and look for the next
	 * start with what is buffered. */
	it->err = (int)r;
	it->offset = s->offset;
	s->errors++;
	uint64_t before = s->skipped;
	drop(s, 1);
	s->resyncing = 1;
	resync(s);
	it->skipped = s->skipped - before;
	return (int)r;
}

void etsi_stream_reject(struct etsi_stream *s)
{
	if (s == NULL || s->pending == 0)
		return;
	s->pending = 0;
	s->pdus--;
	s->rejected++;
	drop(s, 1);
	s->resyncing = 1;
}

size_t etsi_stream_end(struct etsi_stream *s)
{
	if (s == NULL)
		return 0;
	s->ended = 1;
	return s->tail - s->head;
}
