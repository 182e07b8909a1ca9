/* clifd's warrant model (issue 6): tasks and destinations as X1 (ETSI TS 103 221-1) carries
 * them, the X1 error codes, and the identifiers' text forms. Every clifd module (x1, store,
 * rule compiler, server) speaks these structs; none of them formats a target, LIID or XID into
 * a log line (clifd_task_ref() gives a log-safe handle instead). */
#ifndef CLIFD_MODEL_H
#define CLIFD_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "clif/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CLIFD_MAX_TARGETS 16  /* targetIdentifier elements per task */
#define CLIFD_MAX_DIDS 8      /* destinations per task, and DIDs per mediation details */
#define CLIFD_MAX_MEDIATION 8 /* mediationDetails per task */
#define CLIFD_LIID_MAX 25     /* TS 103 280 LIID */
#define CLIFD_NAME_MAX 128    /* friendlyName bytes kept */

/* ETSI TS 103 221-1 table 46 (the codes clifd sends). */
enum clifd_x1_error {
	X1_OK = 0,
	X1_E_GENERIC = 1000,
	X1_E_SYNTAX = 1010,          /* syntax or schema error */
	X1_E_VERSION = 1020,         /* unsupported version */
	X1_E_ADMF_CERT = 1030,       /* admfIdentifier does not match the client certificate */
	X1_E_ADMF_UNEXPECTED = 1040,
	X1_E_NE_CERT = 1050,
	X1_E_NE_UNEXPECTED = 1060,   /* neIdentifier is not ours */
	X1_E_KEEPALIVE_UNSUPPORTED = 1070,
	X1_E_XID_EXISTS = 2010,
	X1_E_XID_UNKNOWN = 2020,
	X1_E_DID_EXISTS = 2030,
	X1_E_DID_UNKNOWN = 2040,
	X1_E_GOID_EXISTS = 2050,
	X1_E_GOID_UNKNOWN = 2060,
	X1_E_ACTIVATE = 3000,        /* generic ActivateTask failure (capacity, card) */
	X1_E_MODIFY = 3001,
	X1_E_TARGET_TYPE = 3010,     /* unsupported TargetIdentifier type */
	X1_E_TARGET_COMBINATION = 3020,
	X1_E_MULTI_DEST = 3030,
	X1_E_DELIVERY_COMBINATION = 3040,
	X1_E_SERVICE_TYPE = 3050,
	X1_E_DEACTIVATE = 4000,
	X1_E_DEACTIVATE_ALL = 5000,
	X1_E_DEACTIVATE_ALL_DISABLED = 5010,
	X1_E_CREATE_DEST = 6000,
	X1_E_MODIFY_DEST = 6001,
	X1_E_DEST_ADDRESS_TYPE = 6020,
	X1_E_REMOVE_DEST = 7000,
	X1_E_DEST_IN_USE = 7010,
	X1_E_REMOVE_ALL_DEST = 8000,
	X1_E_DESTS_IN_USE = 8010,
	X1_E_REMOVE_ALL_DEST_DISABLED = 8020,
	X1_E_GENERIC_OBJECT = 8500,  /* generic objects: not supported by clifd */
};

/* A TargetIdentifier clifd supports (X1 element names in the comments). Other types are
 * refused with X1_E_TARGET_TYPE. */
enum clifd_target_kind {
	CLIFD_TGT_IPV4 = 1,           /* ipv4Address */
	CLIFD_TGT_IPV6 = 2,           /* ipv6Address */
	CLIFD_TGT_IPV4_CIDR = 3,      /* ipv4Cidr */
	CLIFD_TGT_IPV6_CIDR = 4,      /* ipv6Cidr */
	CLIFD_TGT_MAC = 5,            /* macAddress */
	CLIFD_TGT_TCP_PORT = 6,       /* tcpPort: qualifies the address targets of the task */
	CLIFD_TGT_UDP_PORT = 7,       /* udpPort */
	CLIFD_TGT_TCP_PORT_RANGE = 8, /* tcpPortRange */
	CLIFD_TGT_UDP_PORT_RANGE = 9, /* udpPortRange */
};

struct clifd_target {
	uint8_t kind;       /* enum clifd_target_kind */
	uint8_t prefix_len; /* CIDR kinds: 0..32 / 0..128; host kinds: 32 / 128; MAC: 48 */
	uint16_t port_lo;   /* port kinds: inclusive range (single port: lo == hi) */
	uint16_t port_hi;
	uint8_t addr[16];   /* IPv4 in the first 4 bytes, MAC in the first 6, network order */
};

enum clifd_delivery { /* DeliveryType */
	CLIFD_X2_ONLY = 1,
	CLIFD_X3_ONLY = 2,
	CLIFD_X2_AND_X3 = 3,
};

enum clifd_hi_delivery { /* MediationDeliveryType */
	CLIFD_HI2_ONLY = 1,
	CLIFD_HI3_ONLY = 2,
	CLIFD_HI2_AND_HI3 = 3,
};

/* mediationDetails: clifd is point of interception and mediation function together, so the
 * LIID to put on the HI2/HI3 streams of the listed destinations (all the task's DIDs when the
 * list is empty) comes from here. */
struct clifd_mediation {
	char liid[CLIFD_LIID_MAX + 1];    /* NUL-terminated */
	uint8_t hi_delivery;              /* enum clifd_hi_delivery */
	uint8_t n_dids;
	uint8_t dids[CLIFD_MAX_DIDS][16];
};

/* The cloud scope: X1 has no target type for "this address inside tenant network N" (TR 101
 * 567 clause 9.2.4 names the gap), so clifd takes it from a taskDetailsExtensions element, see
 * the README. scope_type is the card ABI's enum clif_scope_type. */
struct clifd_task {
	uint8_t xid[16];
	uint8_t n_targets;
	struct clifd_target targets[CLIFD_MAX_TARGETS];
	uint8_t scope_type;               /* enum clif_scope_type, CLIF_SCOPE_ANY if absent */
	uint32_t scope_value;             /* vport (16 bit), VLAN ID (12 bit), VNI (24 bit) */
	uint8_t delivery;                 /* enum clifd_delivery */
	uint8_t n_dids;
	uint8_t dids[CLIFD_MAX_DIDS][16];
	uint8_t n_mediation;
	struct clifd_mediation mediation[CLIFD_MAX_MEDIATION];
	uint8_t has_correlation;
	uint64_t correlation_id;
	uint8_t implicit_deactivation;    /* 0 absent, 1 false, 2 true */
};

enum clifd_transport { CLIFD_TRANSPORT_TCP = 6, CLIFD_TRANSPORT_UDP = 17 };

/* The handover protocol a destination's receiver speaks. X1 names the receiver's address but
 * not its protocol, and a LEMF (HI2/HI3) cannot read X2/X3 PDUs nor an MDF the reverse. */
enum clifd_handover {
	CLIFD_HANDOVER_TS102232 = 0, /* TS 102 232-1 PS-PDUs (HI2/HI3), the default */
	CLIFD_HANDOVER_X2X3 = 1,     /* TS 103 221-2 X2/X3 PDUs */
};

struct clifd_destination {
	uint8_t did[16];
	char friendly_name[CLIFD_NAME_MAX + 1]; /* NUL-terminated, "" if absent */
	uint8_t delivery;                        /* enum clifd_delivery */
	uint8_t ip_len;                          /* 4 or 16 (ipAddressAndPort, the one address
						    type clifd delivers to; others: 6020) */
	uint8_t ip[16];
	uint16_t port;
	uint8_t transport;                       /* enum clifd_transport */
	uint8_t handover;                        /* enum clifd_handover: what the sender puts
						    on this stream; from clifd's X1 extension
						    (x1.h), TS 102 232 when it is absent */
};

/* ---- identifiers ---- */

/* Parses a UUID in the X1 pattern (lowercase hex, 8-4-4-4-12). Returns 0, or -1. */
int clifd_uuid_parse(const char *text, uint8_t out[16]);

/* Writes the 36-character lowercase text form and a NUL into out[37]. */
void clifd_uuid_format(const uint8_t id[16], char out[37]);

/* A short handle for logs that cannot be turned back into the XID: the first 8 hex digits of
 * a keyed hash of it (key: a per-process random secret), "t-" and 8 hex digits, e.g. "t-3f9a06c2". out: 11 bytes. */
void clifd_task_ref(const uint8_t xid[16], char out[11]);

#ifdef __cplusplus
}
#endif
#endif
