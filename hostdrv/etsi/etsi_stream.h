/* Framing of handover byte streams, issue 5: TS 102 232-1 §6.4 streams (concatenated BER
 * PS-PDUs, no extra length prefix) and TS 103 221-2 streams (X2/X3 PDUs framed by their
 * header lengths). Used by clif-lemf per connection and by the stream fuzz target.
 *
 * The framer only delimits PDUs; the caller decodes each one (asn1c for PS-PDUs,
 * x2x3_parse() for X2/X3) and calls etsi_stream_reject() when a framed PDU does not decode,
 * so that the stream looks for the next PDU from the byte after the bad one's start rather
 * than trusting its length. Every byte received is accounted for: it ends up in a returned
 * PDU, in a skipped run (reported with the error that caused the skip), or is still
 * buffered.
 *
 * BER rules (X.690): the outer tag must be 30 (universal SEQUENCE, constructed). Lengths may
 * be short form, long form with 1..4 octets (non-minimal accepted), or indefinite (80) on
 * constructed encodings only, closed by 00 00. For an indefinite outer length the framer
 * walks the nested TLVs to find the matching end-of-contents (depth <= ETSI_MAX_DEPTH). A
 * definite outer length is trusted for framing; the decoder checks the content.
 *
 * Resynchronisation after an error: the stream drops bytes until one that can start a PDU:
 * BER: 30 <valid length> A1 (the PSHeader); X2/X3: 00 05 00 0{1..4}.
 */
#ifndef CLIF_ETSI_STREAM_H
#define CLIF_ETSI_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "etsi_err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest PS-PDU a receiver buffers by default: a 65535-byte IP packet plus headers. */
#define ETSI_STREAM_DEFAULT_MAX_PDU (128u * 1024u)

enum etsi_stream_format {
	ETSI_STREAM_AUTO = 0, /* decided by the first byte: 30 -> BER, 00 -> X2/X3 */
	ETSI_STREAM_BER = 1,
	ETSI_STREAM_X2X3 = 2,
};

/* Frames one BER PS-PDU at buf[0..avail).
 * Returns its total length (> 0) when all of it is in buf; 0 when more bytes are needed;
 * ETSI_E_TAG (first octet not 30), ETSI_E_LENGTH (reserved length octet FF, or more than 4
 * length octets, or an inner TLV overrunning its indefinite-length parent), ETSI_E_INDEF
 * (indefinite length on a primitive, or an end-of-contents with a non-zero length octet),
 * ETSI_E_DEPTH (nesting deeper than ETSI_MAX_DEPTH), ETSI_E_TOOBIG (length over max_pdu). */
long etsi_ber_frame(const uint8_t *buf, size_t avail, size_t max_pdu);

/* One result of etsi_stream_next(). */
struct etsi_stream_item {
	const uint8_t *pdu;   /* the PDU's bytes (valid until the next feed/next/reject call) */
	size_t len;
	uint64_t offset;      /* stream offset of pdu[0] (or of the error) */
	int err;              /* 0, or the etsi_err that made the stream skip bytes */
	uint64_t skipped;     /* with err: bytes dropped before the next candidate start (so far;
				 more may follow if the candidate is not in the buffer yet) */
};

struct etsi_stream {
	uint8_t *buf;
	size_t cap;           /* 2 * max_pdu */
	size_t head, tail;    /* unconsumed bytes are buf[head..tail) */
	size_t max_pdu;
	size_t pending;       /* length of the PDU last returned, consumed at the next call */
	uint64_t offset;      /* stream offset of buf[head] */
	int fmt;              /* enum etsi_stream_format (AUTO until decided) */
	int resyncing;        /* dropping bytes until a candidate start */
	int ended;            /* etsi_stream_end() called: no more input */
	/* statistics */
	uint64_t pdus;        /* PDUs returned and not rejected */
	uint64_t rejected;    /* PDUs the caller rejected */
	uint64_t errors;      /* framing errors reported */
	uint64_t skipped;     /* bytes dropped while resynchronising */
};

/* Allocates the buffer. max_pdu 0 means ETSI_STREAM_DEFAULT_MAX_PDU.
 * Returns 0, ETSI_E_INVAL (NULL s, fmt unknown, max_pdu below 64 or above 64 MiB),
 * ETSI_E_NOMEM. */
int etsi_stream_init(struct etsi_stream *s, enum etsi_stream_format fmt, size_t max_pdu);

void etsi_stream_free(struct etsi_stream *s);

/* Where the next received bytes go: returns a pointer with *room >= 1 bytes free (the buffer
 * is compacted first if needed), or NULL with *room = 0 when the buffer is full of one
 * incomplete PDU (cannot happen: a PDU over max_pdu is an error, and cap is 2 * max_pdu). */
uint8_t *etsi_stream_space(struct etsi_stream *s, size_t *room);

/* Declares n bytes written at the pointer etsi_stream_space() returned. */
void etsi_stream_commit(struct etsi_stream *s, size_t n);

/* Copies data in (space + commit in a loop); returns the bytes taken (all of them unless the
 * stream has ended). */
size_t etsi_stream_feed(struct etsi_stream *s, const uint8_t *data, size_t n);

/* Next PDU or framing error.
 * Returns 1 with it->pdu/len/offset set (it->err 0) for a complete PDU;
 * 0 when more input is needed (or, after etsi_stream_end(), when nothing is left);
 * a negative etsi_err with it->err, it->offset and it->skipped set when bytes at the current
 * position do not frame (ETSI_E_TAG, ETSI_E_LENGTH, ETSI_E_INDEF, ETSI_E_DEPTH,
 * ETSI_E_TOOBIG; after etsi_stream_end() also ETSI_E_TRUNC for a PDU cut short). The stream
 * then resynchronises by itself; keep calling. */
int etsi_stream_next(struct etsi_stream *s, struct etsi_stream_item *it);

/* The PDU last returned by etsi_stream_next() did not decode: instead of skipping its length,
 * the stream resumes the search at its second byte. Counts it in s->rejected. */
void etsi_stream_reject(struct etsi_stream *s);

/* No more input (connection closed). Further etsi_stream_next() calls drain what is left:
 * a PDU cut short is reported as ETSI_E_TRUNC and the bytes after its start are searched for
 * further PDUs. Returns the bytes still buffered. */
size_t etsi_stream_end(struct etsi_stream *s);

#ifdef __cplusplus
}
#endif
#endif
