/* A bounded on-disk spool of PDUs for one delivery destination (issue 7): deliver.c puts PDUs
 * here while the LEMF is away and its memory queue is full, and takes them back, oldest first,
 * once connected.
 *
 * The file is a ring: a 40-byte header (magic, version, ring size, the offset and sequence
 * number of the oldest record) followed by the ring of records, each a 16-byte record header
 * (length, checksum, sequence number) and the PDU, either of which may wrap. Records carry
 * consecutive sequence numbers, so on reopen the records are those that follow the header's
 * oldest one with the expected number and a good checksum: stale data left behind in the ring
 * and a record torn by a crash (the last one) both fail the test and are ignored. When a new
 * record does not fit, the oldest records are dropped to make room (counted by the caller).
 * The header is rewritten (one small pwrite) after each take or drop; a crash between a take
 * and that write only delivers the record twice, which the LEMF tolerates. No fsync: the spool
 * survives a crash of clifd, not of the host.
 *
 * Not thread-safe: deliver.c calls it under its own mutex. Nothing is allocated per PDU. */
#ifndef CLIFD_SPOOL_H
#define CLIFD_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#define SPOOL_FILE_HDR 40u
#define SPOOL_REC_HDR 16u

struct spool {
	int fd;
	uint64_t cap;      /* ring bytes (file size minus the header) */
	uint64_t head;     /* ring offset of the oldest record */
	uint64_t used;     /* ring bytes in use */
	uint64_t head_seq; /* its sequence number */
	uint64_t count;    /* records in the spool */
	size_t max_pdu;
};

/* Opens or creates (mode 0600, not following a symbolic link) the spool file at path, whose
 * total size is max_bytes, and recovers the records it holds. An existing spool keeps the ring
 * size it was created with. Returns 0, -EINVAL (NULL s or path, max_bytes too small for one
 * max_pdu record), -EPROTO (the file exists but is not a spool), or -errno of open/read/write. */
int spool_open(struct spool *s, const char *path, uint64_t max_bytes, size_t max_pdu);

/* Appends one record, first dropping as many of the oldest records as needed; *dropped gets
 * their number. Returns 0, -EMSGSIZE (len 0 or over max_pdu), or -errno of the write (the
 * record is then not spooled; records dropped are still reported). */
int spool_push(struct spool *s, const uint8_t *p, size_t len, uint64_t *dropped);

/* Takes the oldest record into out (max_pdu bytes). Returns its length, 0 when the spool is
 * empty, or -EIO (unreadable or corrupt: the spool is emptied, *lost gets the records lost). */
long spool_take(struct spool *s, uint8_t *out, uint64_t *lost);

/* Closes the file (keeping it). */
void spool_close(struct spool *s);

#endif
