/* etsi_strerror(): one table for the whole library. */
#include "etsi_err.h"

const char *etsi_strerror(int err)
{
	switch (err) {
	case 0:
		return "success";
	case ETSI_E_INVAL:
		return "invalid argument or field out of range";
	case ETSI_E_TOOBIG:
		return "payload too long";
	case ETSI_E_NOSPACE:
		return "output buffer too small";
	case ETSI_E_TAG:
		return "unexpected outer tag or version at the start of a PDU";
	case ETSI_E_LENGTH:
		return "malformed length";
	case ETSI_E_INDEF:
		return "invalid indefinite length or end-of-contents";
	case ETSI_E_DEPTH:
		return "nesting too deep";
	case ETSI_E_TRUNC:
		return "stream ended inside a PDU";
	case ETSI_E_DECODE:
		return "PDU does not decode against the ASN.1 module";
	case ETSI_E_NOMEM:
		return "out of memory";
	case ETSI_E_ATTR:
		return "malformed X2/X3 attribute";
	default:
		return "unknown error";
	}
}
