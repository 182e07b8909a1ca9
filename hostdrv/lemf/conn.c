/* One input's byte stream: raw copy, framing, decoding, error reports. */
#include "lemf.h"

#include <errno.h>
#include <string.h>

int lemf_conn_open(struct lemf_conn *c)
{
	int rc = etsi_stream_init(&c->stream, (enum etsi_stream_format)lemf_opts.fmt, lemf_opts.max_pdu);
	if (rc != 0) {
		fprintf(stderr, "clif-lemf: input %u: %s\n", c->id, etsi_strerror(rc));
		return -1;
	}
	if (lemf_opts.raw_dir) {
		char path[4200];
		snprintf(path, sizeof(path), "%s/conn-%06u.raw", lemf_opts.raw_dir, c->id);
		c->raw = fopen(path, "wb");
		if (c->raw == NULL) {
			fprintf(stderr, "clif-lemf: cannot create %s: %s\n", path, strerror(errno));
			etsi_stream_free(&c->stream);
			return -1;
		}
	}
	lemf_sink_count(LEMF_N_CONNS, 1);
	char j[256] = "";
	lemf_jcat(j, sizeof(j), "\"event\":\"open\",\"peer\":");
	lemf_jstr(j, sizeof(j), (const uint8_t *)c->peer, strlen(c->peer));
	lemf_sink_event(c, j);
	return 0;
}

static void framing_error(struct lemf_conn *c, const struct etsi_stream_item *it)
{
	char j[512] = "";
	lemf_sink_count(LEMF_N_FRAMING, 1);
	lemf_jcat(j, sizeof(j), "\"offset\":%llu,\"event\":\"framing_error\",\"reason\":\"%s\"",
		  (unsigned long long)it->offset, etsi_strerror(it->err));
	lemf_sink_event(c, j);
	if (!lemf_opts.quiet)
		fprintf(stderr, "clif-lemf: connection %u: byte %llu: %s; resynchronising\n", c->id,
			(unsigned long long)it->offset, etsi_strerror(it->err));
}

/* Frames and decodes everything buffered. Returns -1 when strict mode tripped. */
static int drain(struct lemf_conn *c)
{
	struct etsi_stream_item it;
	int r;
	while ((r = etsi_stream_next(&c->stream, &it)) != 0) {
		if (r < 0) {
			framing_error(c, &it);
			if (lemf_opts.strict)
				c->failed = 1;
		} else {
			int rc = c->stream.fmt == ETSI_STREAM_X2X3 ? lemf_x_pdu(c, it.pdu, it.len, it.offset)
								   : lemf_hi_pdu(c, it.pdu, it.len, it.offset);
			if (rc != 0) {
				lemf_sink_count(LEMF_N_UNDECODABLE, 1);
				if (!lemf_opts.quiet)
					fprintf(stderr, "clif-lemf: connection %u: byte %llu: undecodable PDU (%zu bytes): %s\n",
						c->id, (unsigned long long)it.offset, it.len, etsi_strerror(rc));
				etsi_stream_reject(&c->stream);
				if (lemf_opts.strict)
					c->failed = 1;
			}
		}
		if (c->failed)
			return -1;
	}
	return 0;
}

int lemf_conn_input(struct lemf_conn *c, const uint8_t *data, size_t n)
{
	if (c->raw && n && fwrite(data, 1, n, c->raw) != n)
		fprintf(stderr, "clif-lemf: connection %u: writing the raw copy failed\n", c->id);
	c->bytes += n;
	lemf_sink_count(LEMF_N_BYTES, n);
	while (n > 0) {
		size_t room;
		uint8_t *dst = etsi_stream_space(&c->stream, &room);
		if (dst == NULL)
			return -1;
		size_t take = n < room ? n : room;
		memcpy(dst, data, take);
		etsi_stream_commit(&c->stream, take);
		data += take;
		n -= take;
		if (drain(c) != 0)
			return -1;
	}
	return 0;
}

int lemf_conn_close(struct lemf_conn *c)
{
	int rc = 0;
	if (!c->failed) {
		etsi_stream_end(&c->stream);
		rc = drain(c);
	}
	char j[256] = "";
	lemf_jcat(j, sizeof(j), "\"event\":\"close\",\"bytes\":%llu", (unsigned long long)c->bytes);
	lemf_sink_event(c, j);
	lemf_sink_count(LEMF_N_SKIPPED_BYTES, c->stream.skipped);
	if (c->raw)
		fclose(c->raw);
	c->raw = NULL;
	etsi_stream_free(&c->stream);
	lemf_sink_flush();
	return c->failed ? -1 : rc;
}
