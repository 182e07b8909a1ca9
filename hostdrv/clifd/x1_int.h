/* Internals shared by the x1_*.c files: lexical checks of the XSD simple types, the XML
 * reader with DTDs refused, and an element cursor that follows an XSD sequence. Not for use
 * outside the x1 module. */
#ifndef CLIFD_X1_INT_H
#define CLIFD_X1_INT_H

#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>

#include "x1.h"

#define X1_NS_XSI "http://www.w3.org/2001/XMLSchema-instance"
#define X1_NIL_UUID "00000000-0000-0000-0000-000000000000"

/* ---- lexical forms (x1_lex.c); each returns 0 when s matches, -1 otherwise ---- */

/* etsi103280:UUID, lowercase. */
int x1_lex_uuid(const char *s, uint8_t out[16]);
/* etsi103280:IPv4Address: four decimal octets of 1..3 digits each <= 255. */
int x1_lex_ipv4(const char *s, uint8_t out[4]);
/* etsi103280:IPv6Address: eight groups of exactly four lowercase hex digits. */
int x1_lex_ipv6(const char *s, uint8_t out[16]);
/* etsi103280:IPv4CIDR: prefix 0..32 without leading zeros. */
int x1_lex_ipv4_cidr(const char *s, uint8_t out[4], uint8_t *plen);
/* etsi103280:IPv6CIDR: prefix 1..128 without leading zeros. */
int x1_lex_ipv6_cidr(const char *s, uint8_t out[16], uint8_t *plen);
/* etsi103280:MACAddress: six lowercase hex pairs separated by ':'. */
int x1_lex_mac(const char *s, uint8_t out[6]);
/* A non-negative xs:integer ("+"? digits). Returns 0 and *v when <= max; 1 when the lexical
 * form is right but the value exceeds max; -1 when the form is wrong. */
int x1_lex_uint(const char *s, uint64_t max, uint64_t *v);
/* xs:boolean: true/false/1/0 -> *v 1/0. */
int x1_lex_bool(const char *s, int *v);
/* etsi103280:QualifiedMicrosecondDateTime, with the date and time fields in range. */
int x1_lex_timestamp(const char *s);
/* Version pattern v1\.\d+\.\d+ (ASCII digits), minor and patch saturating at UINT32_MAX. */
int x1_lex_version(const char *s, uint32_t *minor, uint32_t *patch);

/* Text forms for the builder. */
void x1_fmt_ipv4(const uint8_t a[4], char out[16]);
void x1_fmt_ipv6(const uint8_t a[16], char out[40]);
void x1_fmt_mac(const uint8_t a[6], char out[18]);
/* Now as QualifiedMicrosecondDateTime in UTC ("...T..:..:...uuuuuuZ"), out: 28 bytes. */
void x1_fmt_now(char out[28]);

/* ---- XML reading (x1_xml.c) ---- */

/* Parses body with the safe options and refuses any DOCTYPE. Returns the document, or NULL
 * with *code X1_E_SYNTAX (not well-formed, DOCTYPE, too large) or X1_E_GENERIC (no memory)
 * and *desc a static text. */
xmlDocPtr x1_xml_read(const char *body, size_t len, int *code, const char **desc);

/* Whether node is an element named name in namespace ns. */
int x1_is(const xmlNode *node, const char *ns, const char *name);

/* The first error of each class found while reading one message. Schema (syntax) errors win
 * over semantic ones when the message's error is decided. */
struct x1_errs {
	const char *syn;   /* X1_E_SYNTAX description, NULL if none */
	int sem;           /* semantic code, 0 if none */
	const char *sem_desc;
};

void x1_syn(struct x1_errs *e, const char *desc);
void x1_sem(struct x1_errs *e, int code, const char *desc);

/* A walk over an element's child elements in document order, for an XSD sequence.
 * Comments and processing instructions are skipped; whitespace text is skipped; other
 * text between elements is a syntax error. */
struct x1_cur {
	xmlNode *next;
	struct x1_errs *errs;
};

void x1_cur_init(struct x1_cur *c, xmlNode *parent, struct x1_errs *errs);
/* The next element without consuming it, or NULL at the end. */
xmlNode *x1_peek(struct x1_cur *c);
/* Consumes and returns the next element if it is ns:name, else NULL. */
xmlNode *x1_take(struct x1_cur *c, const char *ns, const char *name);
/* As x1_take, but a missing element is a syntax error with desc. */
xmlNode *x1_need(struct x1_cur *c, const char *ns, const char *name, const char *desc);
/* Any element left is a syntax error ("unexpected element"). */
void x1_end(struct x1_cur *c);

enum x1_ws { X1_WS_PRESERVE, X1_WS_COLLAPSE };

/* The character content of a simple-typed element into buf (cap bytes with the NUL).
 * X1_WS_COLLAPSE applies xs:token's whitespace rule (trim, runs -> one space). Returns 0;
 * 1 when the text was cut at cap - 1 bytes (on a UTF-8 character boundary); -1 when the
 * element has element children (a syntax error, recorded in errs with desc). */
int x1_text(const xmlNode *node, enum x1_ws ws, char *buf, size_t cap, struct x1_errs *errs,
	    const char *desc);

/* ---- payloads (x1_task.c, x1_dest.c) ---- */

/* taskDetails into *t. fail_code: X1_E_ACTIVATE or X1_E_MODIFY for what clifd cannot hold. */
void x1_parse_task(xmlNode *details, struct clifd_task *t, int fail_code, struct x1_errs *e);
/* destinationDetails into *d. fail_code: X1_E_CREATE_DEST or X1_E_MODIFY_DEST. */
void x1_parse_dest(xmlNode *details, struct clifd_destination *d, int fail_code,
		   struct x1_errs *e);
/* A ListOfDids: up to CLIFD_MAX_DIDS dIds into dids (more: X1_E_MULTI_DEST; dSId:
 * X1_E_DELIVERY_COMBINATION). */
void x1_parse_dids(xmlNode *list, uint8_t (*dids)[16], uint8_t *n, struct x1_errs *e);
/* An Extension's content after Owner: elements of another namespace only. */
void x1_skip_extension(xmlNode *ext, struct x1_errs *e);
/* The same, and when the Owner is owner, fn for each element in namespace ns (the element,
 * arg, e). */
typedef void (*x1_ext_fn)(xmlNode *n, void *arg, struct x1_errs *e);
void x1_walk_extension(xmlNode *ext, const char *owner, const char *ns, x1_ext_fn fn, void *arg, struct x1_errs *e);

#endif
