/* The XML reader under every X1 document clifd reads, and the cursor that walks an XSD
 * sequence. The reader is where entity bombs and external entities are stopped: libxml2
 * runs without DTD loading, entity substitution, network or XInclude, and the parse is
 * halted the moment a DOCTYPE appears, before any declaration in it is read. */
#include "x1_int.h"

#include <pthread.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

/* libxml2's messages quote the document, which may hold targets: they go nowhere. */
static void quiet(void *ctx, xmlErrorPtr err)
{
	(void)ctx;
	(void)err;
}

static void quiet_generic(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
}

static void init_libxml(void)
{
	xmlInitParser();
	/* the defaults for threads that touch libxml2 later */
	xmlThrDefSetGenericErrorFunc(NULL, quiet_generic);
	xmlThrDefSetStructuredErrorFunc(NULL, quiet);
}

void x1_init(void)
{
	/* Errors without a parser context (the input encoding converters, the I/O layer, the
	 * writer) go to libxml2's per-thread generic handler, which prints to stderr with bytes
	 * of the document: silenced on every thread that uses the x1 module. */
	static _Thread_local int thread_quiet;
	pthread_once(&init_once, init_libxml);
	if (!thread_quiet) {
		xmlSetGenericErrorFunc(NULL, quiet_generic);
		xmlSetStructuredErrorFunc(NULL, quiet);
		thread_quiet = 1;
	}
}

/* Flags raised by the SAX hooks below. */
struct x1_guard {
	int doctype;
};

static void stop_doctype(void *ctx, const xmlChar *name, const xmlChar *ext_id,
			 const xmlChar *sys_id)
{
	(void)name;
	(void)ext_id;
	(void)sys_id;
	xmlParserCtxtPtr ctxt = ctx;
	((struct x1_guard *)ctxt->_private)->doctype = 1;
	xmlStopParser(ctxt);
}

static void stop_entity(void *ctx, const xmlChar *name, int type, const xmlChar *pub,
			const xmlChar *sys, xmlChar *content)
{
	(void)name;
	(void)type;
	(void)pub;
	(void)sys;
	(void)content;
	xmlParserCtxtPtr ctxt = ctx;
	((struct x1_guard *)ctxt->_private)->doctype = 1;
	xmlStopParser(ctxt);
}

xmlDocPtr x1_xml_read(const char *body, size_t len, int *code, const char **desc)
{
	*code = X1_E_SYNTAX;
	if (len > X1_MAX_BODY) {
		*desc = "request body too large";
		return NULL;
	}
	if (len == 0) {
		*desc = "empty request body";
		return NULL;
	}
	x1_init();
	xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
	if (ctxt == NULL || ctxt->sax == NULL) {
		xmlFreeParserCtxt(ctxt);
		*code = X1_E_GENERIC;
		*desc = "out of memory";
		return NULL;
	}
	struct x1_guard guard = {0};
	ctxt->_private = &guard;
	ctxt->sax->internalSubset = stop_doctype;
	ctxt->sax->externalSubset = stop_doctype;
	ctxt->sax->entityDecl = stop_entity;
	ctxt->sax->serror = quiet;
	/* Deliberately absent: XML_PARSE_NOENT, DTDLOAD, DTDATTR, DTDVALID, XINCLUDE, HUGE. */
	int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
	xmlDocPtr doc = xmlCtxtReadMemory(ctxt, body, (int)len, NULL, NULL, opts);
	int well_formed = ctxt->wellFormed;
	int nomem = ctxt->errNo == XML_ERR_NO_MEMORY;
	xmlFreeParserCtxt(ctxt);
	if (guard.doctype || (doc != NULL && (doc->intSubset != NULL || doc->extSubset != NULL))) {
		xmlFreeDoc(doc);
		*desc = "document type declarations are not accepted";
		return NULL;
	}
	if (doc == NULL || !well_formed) {
		xmlFreeDoc(doc);
		if (nomem) {
			*code = X1_E_GENERIC;
			*desc = "out of memory";
		} else {
			*desc = "request is not well-formed XML";
		}
		return NULL;
	}
	*code = X1_OK;
	*desc = NULL;
	return doc;
}

int x1_is(const xmlNode *node, const char *ns, const char *name)
{
	return node != NULL && node->type == XML_ELEMENT_NODE && node->ns != NULL &&
	       strcmp((const char *)node->name, name) == 0 &&
	       strcmp((const char *)node->ns->href, ns) == 0;
}

void x1_syn(struct x1_errs *e, const char *desc)
{
	if (e->syn == NULL)
		e->syn = desc;
}

void x1_sem(struct x1_errs *e, int code, const char *desc)
{
	if (e->sem == 0) {
		e->sem = code;
		e->sem_desc = desc;
	}
}

static int blank(const xmlChar *s)
{
	for (; s != NULL && *s; s++) {
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return 0;
	}
	return 1;
}

void x1_cur_init(struct x1_cur *c, xmlNode *parent, struct x1_errs *errs)
{
	c->next = parent != NULL ? parent->children : NULL;
	c->errs = errs;
}

xmlNode *x1_peek(struct x1_cur *c)
{
	for (; c->next != NULL; c->next = c->next->next) {
		xmlNode *n = c->next;
		if (n->type == XML_ELEMENT_NODE)
			return n;
		if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) &&
		    !blank(n->content))
			x1_syn(c->errs, "text where elements are expected");
		else if (n->type != XML_TEXT_NODE && n->type != XML_CDATA_SECTION_NODE &&
			 n->type != XML_COMMENT_NODE && n->type != XML_PI_NODE)
			x1_syn(c->errs, "unexpected node");
	}
	return NULL;
}

xmlNode *x1_take(struct x1_cur *c, const char *ns, const char *name)
{
	xmlNode *n = x1_peek(c);
	if (!x1_is(n, ns, name))
		return NULL;
	c->next = n->next;
	return n;
}

xmlNode *x1_need(struct x1_cur *c, const char *ns, const char *name, const char *desc)
{
	xmlNode *n = x1_take(c, ns, name);
	if (n == NULL)
		x1_syn(c->errs, desc);
	return n;
}

void x1_end(struct x1_cur *c)
{
	if (x1_peek(c) != NULL)
		x1_syn(c->errs, "unexpected element");
}

static int space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

int x1_text(const xmlNode *node, enum x1_ws ws, char *buf, size_t cap, struct x1_errs *errs,
	    const char *desc)
{
	size_t o = 0;
	int cut = 0, pending_space = 0;
	buf[0] = '\0';
	for (const xmlNode *n = node->children; n != NULL; n = n->next) {
		if (n->type == XML_COMMENT_NODE || n->type == XML_PI_NODE)
			continue;
		if (n->type != XML_TEXT_NODE && n->type != XML_CDATA_SECTION_NODE) {
			x1_syn(errs, desc);
			return -1;
		}
		for (const char *s = (const char *)n->content; s != NULL && *s && !cut; s++) {
			char ch = *s;
			if (ws == X1_WS_COLLAPSE && space(ch)) {
				pending_space = o > 0;
				continue;
			}
			if (pending_space) {
				if (o + 1 >= cap) {
					cut = 1;
					break;
				}
				buf[o++] = ' ';
				pending_space = 0;
			}
			if (o + 1 >= cap) {
				cut = 1;
				break;
			}
			buf[o++] = ch;
		}
	}
	if (cut) {
		/* Do not leave half a UTF-8 character at the end. */
		size_t k = o;
		while (k > 0 && ((unsigned char)buf[k - 1] & 0xc0) == 0x80)
			k--;
		if (k > 0 && ((unsigned char)buf[k - 1] & 0x80)) {
			unsigned char lead = (unsigned char)buf[k - 1];
			size_t want = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
			if (o - (k - 1) < want)
				o = k - 1;
		}
	}
	buf[o] = '\0';
	return cut;
}
