/* Error codes of the ETSI handover library (libclif-etsi): every function that can fail
 * returns one of these negative values, and etsi_strerror() turns any of them into text.
 * The texts name no LIID, XID or target: they may go to ordinary logs. */
#ifndef CLIF_ETSI_ERR_H
#define CLIF_ETSI_ERR_H

#ifdef __cplusplus
extern "C" {
#endif

enum etsi_err {
	ETSI_E_INVAL = -1,    /* an argument or field outside its ASN.1 / wire range */
	ETSI_E_TOOBIG = -2,   /* payload longer than the format carries (or than the caller allows) */
	ETSI_E_NOSPACE = -3,  /* output buffer too small */
	ETSI_E_TAG = -4,      /* stream: a PDU does not start with the expected outer tag/version */
	ETSI_E_LENGTH = -5,   /* stream: a length field is malformed (reserved 0xFF, more than 4
				 length octets, inner TLV overruns its parent, header lengths
				 inconsistent) */
	ETSI_E_INDEF = -6,    /* stream: indefinite length where BER forbids it (primitive), or an
				 end-of-contents that is not 00 00 */
	ETSI_E_DEPTH = -7,    /* stream: constructed nesting deeper than ETSI_MAX_DEPTH */
	ETSI_E_TRUNC = -8,    /* stream ended (connection closed) inside a PDU */
	ETSI_E_DECODE = -9,   /* the asn1c decoder or constraint check refused a framed PDU */
	ETSI_E_NOMEM = -10,   /* allocation failed (never on an encode path) */
	ETSI_E_ATTR = -11,    /* X2/X3: a conditional attribute overruns the header or has the
				 wrong length for its type */
};

/* Constructed-nesting limit for the stream framer (ETSI PS-PDUs nest about 12 deep). */
#define ETSI_MAX_DEPTH 32

/* Text for an etsi_err value (or "unknown error" for anything else). Never NULL. */
const char *etsi_strerror(int err);

#ifdef __cplusplus
}
#endif
#endif
