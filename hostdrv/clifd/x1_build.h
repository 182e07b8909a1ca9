/* Internals of the X1 document writers (x1_build.c, x1_report.c): a libxml2 text writer
 * with a sticky failure flag, so a sequence of element calls is checked once at the end.
 * Not for use outside the x1 module. */
#ifndef CLIFD_X1_BUILD_H
#define CLIFD_X1_BUILD_H

#include "x1_int.h"

#include <libxml/xmlwriter.h>

struct x1_doc {
	xmlBufferPtr buf;
	xmlTextWriterPtr w;
	int failed;   /* a libxml2 call failed (out of memory): the document is lost */
	int finished; /* handed over */
};

/* Starts a document whose root is qname, with x1, c and xsi bound. 0 or -ENOMEM. */
int x1_doc_begin(struct x1_doc *d, const char *root);
/* Ends the document and copies it out (malloc'd, NUL-terminated). 0 or -ENOMEM. */
int x1_doc_finish(struct x1_doc *d, char **out, size_t *out_len);
void x1_doc_free(struct x1_doc *d);

void x1_start(struct x1_doc *d, const char *qname);
void x1_attr(struct x1_doc *d, const char *qname, const char *value);
void x1_stop(struct x1_doc *d);
/* <qname>text</qname>, control characters and invalid UTF-8 in text replaced by '?'. */
void x1_leaf(struct x1_doc *d, const char *qname, const char *text);
void x1_leaf_uuid(struct x1_doc *d, const char *qname, const uint8_t id[16]);
void x1_leaf_uint(struct x1_doc *d, const char *qname, uint64_t v);
void x1_leaf_int(struct x1_doc *d, const char *qname, long long v);
/* The five header elements; txid NULL writes the nil UUID. */
void x1_header(struct x1_doc *d, const char *admf_id, const char *ne_id, const char *version,
	       const uint8_t *txid);

/* Whether a task / destination can be written as valid X1: 0 or -EINVAL. */
int x1_check_task(const struct clifd_task *t);
int x1_check_dest(const struct clifd_destination *d);
void x1_put_task(struct x1_doc *d, const struct clifd_task *t);
void x1_put_dest(struct x1_doc *d, const struct clifd_destination *dd);

#endif
