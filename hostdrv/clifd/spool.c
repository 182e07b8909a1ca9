/* The on-disk ring of PDU records (see spool.h). Numbers are stored little-endian so that a
 * spool file means the same thing whatever wrote it.
 * File header: magic[8] version[4] reserved[4] ring_size[8] head[8] head_seq[8].
 * Record header: len[4] check[4] seq[8]; check is FNV-1a over len, seq and the PDU. */
#define _POSIX_C_SOURCE 200809L
#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SPOOL_MAGIC 0x4c4f4f5053464c43ull /* "CLFSPOOL" read as little-endian */
#define SPOOL_VERSION 1u
#define HEAD_AT 24u /* where head and head_seq live in the file header */

static void put_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* FNV-1a: enough to tell a torn or stale record from a good one; no defence against someone
 * who can write the file, who could as well rewrite all of it. */
static uint32_t fnv(uint32_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static uint32_t rec_check(const uint8_t *rh, const uint8_t *p, size_t n)
{
	uint32_t h = fnv(2166136261u, rh, 4);
	h = fnv(h, rh + 8, 8);
	return fnv(h, p, n);
}

/* Returns 0, -errno, or -EIO for a read past the end of the file. */
static int pio(int fd, int wr, void *buf, size_t n, uint64_t off)
{
	uint8_t *b = buf;
	while (n > 0) {
		ssize_t r = wr ? pwrite(fd, b, n, (off_t)off) : pread(fd, b, n, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EIO;
		b += r;
		n -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

/* Reads or writes n bytes at ring offset pos, wrapping at the end of the ring. */
static int ring_io(struct spool *s, int wr, void *buf, size_t n, uint64_t pos)
{
	uint64_t first = s->cap - pos < n ? s->cap - pos : n;
	int rc = pio(s->fd, wr, buf, (size_t)first, SPOOL_FILE_HDR + pos);
	if (rc == 0 && n > first)
		rc = pio(s->fd, wr, (uint8_t *)buf + first, n - (size_t)first, SPOOL_FILE_HDR);
	return rc;
}

static int write_head(struct spool *s)
{
	uint8_t h[16];
	put_le(h, s->head, 8);
	put_le(h + 8, s->head_seq, 8);
	return pio(s->fd, 1, h, sizeof h, HEAD_AT);
}

static void advance(struct spool *s, uint32_t len)
{
	s->head = (s->head + SPOOL_REC_HDR + len) % s->cap;
	s->used -= SPOOL_REC_HDR + (uint64_t)len;
	s->head_seq++;
	s->count--;
}

/* Checks the record at pos: sequence number seq, a plausible length within the free ring,
 * and a matching checksum. Returns its length, or -1. */
static long rec_valid(struct spool *s, uint64_t pos, uint64_t seq)
{
	uint8_t rh[SPOOL_REC_HDR], buf[4096];
	if (s->cap - s->used < SPOOL_REC_HDR || ring_io(s, 0, rh, sizeof rh, pos) != 0)
		return -1;
	uint64_t len = get_le(rh, 4);
	if (get_le(rh + 8, 8) != seq || len == 0 || len > s->max_pdu || len > s->cap - s->used - SPOOL_REC_HDR)
		return -1;
	uint32_t h = fnv(fnv(2166136261u, rh, 4), rh + 8, 8);
	uint64_t p = (pos + SPOOL_REC_HDR) % s->cap;
	for (uint64_t left = len; left > 0;) {
		size_t n = left < sizeof buf ? (size_t)left : sizeof buf;
		if (ring_io(s, 0, buf, n, p) != 0)
			return -1;
		h = fnv(h, buf, n);
		p = (p + n) % s->cap;
		left -= n;
	}
	return h == (uint32_t)get_le(rh + 4, 4) ? (long)len : -1;
}

static int recover(struct spool *s, uint64_t max_bytes, off_t size)
{
	uint8_t h[SPOOL_FILE_HDR];
	if (size == 0) {
		s->cap = max_bytes - SPOOL_FILE_HDR;
		memset(h, 0, sizeof h);
		put_le(h, SPOOL_MAGIC, 8);
		put_le(h + 8, SPOOL_VERSION, 4);
		put_le(h + 16, s->cap, 8);
		return pio(s->fd, 1, h, sizeof h, 0);
	}
	if ((uint64_t)size < SPOOL_FILE_HDR || pio(s->fd, 0, h, sizeof h, 0) != 0 || get_le(h, 8) != SPOOL_MAGIC ||
	    get_le(h + 8, 4) != SPOOL_VERSION)
		return -EPROTO;
	s->cap = get_le(h + 16, 8);
	s->head = get_le(h + HEAD_AT, 8);
	s->head_seq = get_le(h + HEAD_AT + 8, 8);
	if (s->cap < SPOOL_REC_HDR + s->max_pdu || s->head >= s->cap)
		return s->cap < SPOOL_REC_HDR + s->max_pdu && s->head < s->cap ? -EINVAL : -EPROTO;
	uint64_t pos = s->head;
	long len;
	while ((len = rec_valid(s, pos, s->head_seq + s->count)) > 0) {
		s->used += SPOOL_REC_HDR + (uint64_t)len;
		s->count++;
		pos = (pos + SPOOL_REC_HDR + (uint64_t)len) % s->cap;
	}
	return 0;
}

int spool_open(struct spool *s, const char *path, uint64_t max_bytes, size_t max_pdu)
{
	if (s == NULL || path == NULL || max_pdu == 0 || max_bytes < SPOOL_FILE_HDR + SPOOL_REC_HDR + max_pdu)
		return -EINVAL;
	memset(s, 0, sizeof *s);
	s->max_pdu = max_pdu;
	s->fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (s->fd < 0)
		return -errno;
	struct stat st;
	int rc = fstat(s->fd, &st) != 0 ? -errno : !S_ISREG(st.st_mode) ? -EPROTO : 0;
	if (rc == 0)
		rc = recover(s, max_bytes, st.st_size);
	/* a spool copied or made by hand with a wider mode: PDUs are for the LEMF only */
	if (rc == 0 && (st.st_mode & 07777) != 0600 && fchmod(s->fd, 0600) != 0)
		rc = -errno;
	if (rc != 0) {
		close(s->fd);
		s->fd = -1;
	}
	return rc;
}

int spool_push(struct spool *s, const uint8_t *p, size_t len, uint64_t *dropped)
{
	*dropped = 0;
	if (len == 0 || len > s->max_pdu)
		return -EMSGSIZE;
	uint64_t need = SPOOL_REC_HDR + (uint64_t)len;
	while (s->cap - s->used < need) {
		uint8_t rh[4];
		if (ring_io(s, 0, rh, sizeof rh, s->head) != 0) {
			*dropped += s->count; /* unreadable: start over */
			s->used = s->count = 0;
			break;
		}
		advance(s, (uint32_t)get_le(rh, 4));
		++*dropped;
	}
	/* the head must move on disk before the new record can overwrite the old one */
	int rc = *dropped ? write_head(s) : 0;
	uint8_t rh[SPOOL_REC_HDR];
	uint64_t tail = (s->head + s->used) % s->cap;
	put_le(rh, len, 4);
	put_le(rh + 8, s->head_seq + s->count, 8);
	put_le(rh + 4, rec_check(rh, p, len), 4);
	if (rc == 0)
		rc = ring_io(s, 1, rh, sizeof rh, tail);
	if (rc == 0)
		rc = ring_io(s, 1, (void *)p, len, (tail + SPOOL_REC_HDR) % s->cap);
	if (rc != 0)
		return rc;
	s->used += need;
	s->count++;
	return 0;
}

long spool_take(struct spool *s, uint8_t *out, uint64_t *lost)
{
	*lost = 0;
	if (s->count == 0)
		return 0;
	uint8_t rh[SPOOL_REC_HDR];
	uint64_t len = 0;
	if (ring_io(s, 0, rh, sizeof rh, s->head) == 0)
		len = get_le(rh, 4);
	if (len == 0 || len > s->max_pdu || get_le(rh + 8, 8) != s->head_seq ||
	    ring_io(s, 0, out, (size_t)len, (s->head + SPOOL_REC_HDR) % s->cap) != 0 ||
	    rec_check(rh, out, (size_t)len) != (uint32_t)get_le(rh + 4, 4)) {
		*lost = s->count;
		s->head = (s->head + s->used) % s->cap;
		s->head_seq += s->count;
		s->used = s->count = 0;
		write_head(s);
		return -EIO;
	}
	advance(s, (uint32_t)len);
	write_head(s); /* a failure here only means a duplicate after a restart */
	return (long)len;
}

void spool_close(struct spool *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}
