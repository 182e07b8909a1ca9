/* clifd's X1 message layer (ETSI TS 103 221-1): parsing the ADMF's X1Request documents into
 * the warrant model (model.h), building the X1Response / X1TopLevelErrorResponse answers, and
 * building the NE-to-ADMF report requests. Nothing here touches the network, the store or the
 * card: the server decides what to do with each message and tells the builder what to answer.
 *
 * Safety: libxml2 parses with no DTD loading, no entity substitution, no network and no
 * XInclude, and any document carrying a DOCTYPE (internal or external subset) is refused
 * before its declarations are read, which is what stops entity bombs and external entities.
 * Bodies over X1_MAX_BODY and requests with more than X1_MAX_MESSAGES messages are refused.
 * libxml2 quotes document bytes in its messages, so its error printing is off: per parse, and
 * for the generic handler of every thread that calls into this module (x1_init), so no
 * document text reaches stderr.
 *
 * No error description produced or accepted here names a target identifier, LIID or XID.
 *
 * Cloud-scope extension (clifd's own, since X1 has no "address inside tenant network N"
 * target; TR 101 567 clause 9.2.4): inside taskDetails, a taskDetailsExtensions element
 * whose Owner is "CLIF" and which holds one element cloudScope in namespace
 * X1_CLOUD_SCOPE_NS containing exactly one of
 *     <vni>0..16777215</vni>   -> CLIF_SCOPE_VNI
 *     <vlan>1..4094</vlan>     -> CLIF_SCOPE_VLAN
 *     <vport>0..65535</vport>  -> CLIF_SCOPE_VPORT
 * (children in the same namespace). It sets clifd_task.scope_type / scope_value; without it
 * the scope is CLIF_SCOPE_ANY. Extensions of other owners, and other elements of a CLIF
 * extension, are ignored; a malformed or repeated cloudScope is X1_E_SYNTAX. Example:
 *   <x1:taskDetailsExtensions>
 *     <x1:Owner>CLIF</x1:Owner>
 *     <cs:cloudScope xmlns:cs="urn:clif:x1:cloud-scope:1"><cs:vni>5001</cs:vni></cs:cloudScope>
 *   </x1:taskDetailsExtensions>
 *
 * Handover extension (clifd's own, since X1 gives a destination's address but not the
 * protocol its receiver speaks): inside destinationDetails, a destinationDetailsExtensions
 * element whose Owner is "CLIF" may hold one element handover in namespace X1_HANDOVER_NS
 * whose text (xs:token) is
 *     ts102232  -> CLIFD_HANDOVER_TS102232: TS 102 232-1 PS-PDUs, HI2/HI3 to a LEMF
 *     x2x3      -> CLIFD_HANDOVER_X2X3: TS 103 221-2 X2/X3 PDUs to an MDF
 * It sets clifd_destination.handover; without it the destination gets TS 102 232, and
 * GetDestinationDetails writes it back only for x2x3. A CreateDestination or
 * ModifyDestination (which replaces the whole destination) without it means TS 102 232.
 * Extensions of other owners, and elements of other namespaces in a CLIF extension, are
 * ignored. X1_E_SYNTAX: another text, element content, a second handover (in the same or
 * another extension), or any other element of X1_HANDOVER_NS in a CLIF extension. Example:
 *   <x1:destinationDetailsExtensions>
 *     <x1:Owner>CLIF</x1:Owner>
 *     <ho:handover xmlns:ho="urn:clif:x1:handover:1">x2x3</ho:handover>
 *   </x1:destinationDetailsExtensions>
 *
 * This header does not include libxml2: users need only model.h. Thread safety: every
 * function may be called from any thread on distinct objects (x1_init() first, once). */
#ifndef CLIFD_X1_H
#define CLIFD_X1_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

#define X1_NS "http://uri.etsi.org/03221/X1/2017/10"
#define X1_NS_COMMON "http://uri.etsi.org/03280/common/2017/07" /* TS 103 280 types */
#define X1_CLOUD_SCOPE_NS "urn:clif:x1:cloud-scope:1"
#define X1_CLOUD_SCOPE_OWNER "CLIF"
#define X1_HANDOVER_NS "urn:clif:x1:handover:1"
#define X1_HANDOVER_OWNER "CLIF"

#define X1_MAX_BODY (1u << 20)  /* bytes of one X1Request document */
#define X1_MAX_MESSAGES 64      /* x1RequestMessage elements per X1Request */
#define X1_IDENT_MAX 255        /* admfIdentifier / neIdentifier bytes kept (longer: syntax) */
#define X1_VERSION_MAX 31       /* version text bytes kept */
#define X1_TIMESTAMP_MAX 32     /* "2017-10-06T18:46:21.247432+01:00" */
#define X1_TYPE_NAME_MAX 32     /* requestMessageType text */

/* The request kinds clifd distinguishes. */
enum x1_msg_type {
	X1_MSG_UNKNOWN = 0, /* an X1 request type an NE does not serve (ReportTaskIssue, ...), or
			       an xsi:type that is no X1 request type at all */
	X1_MSG_ACTIVATE_TASK,
	X1_MSG_MODIFY_TASK,
	X1_MSG_DEACTIVATE_TASK,
	X1_MSG_DEACTIVATE_ALL_TASKS,
	X1_MSG_GET_TASK_DETAILS,
	X1_MSG_GET_ALL_TASK_DETAILS,
	X1_MSG_CREATE_DESTINATION,
	X1_MSG_MODIFY_DESTINATION,
	X1_MSG_REMOVE_DESTINATION,
	X1_MSG_REMOVE_ALL_DESTINATIONS,
	X1_MSG_GET_DESTINATION_DETAILS,
	X1_MSG_GET_ALL_DESTINATION_DETAILS,
	X1_MSG_GET_NE_STATUS,
	X1_MSG_GET_ALL_DETAILS,
	X1_MSG_LIST_ALL_DETAILS,
	X1_MSG_PING,
	X1_MSG_KEEPALIVE,
	X1_MSG_GENERIC,     /* CreateObject, ModifyObject, GetObject, DeleteObject,
			       ListObjectsOfType, DeleteAllObjects, GetAllGenericObjectDetails:
			       body not parsed, the caller answers X1_E_GENERIC_OBJECT */
	X1_MSG_TYPE_COUNT
};

/* One x1RequestMessage. The header fields are filled as far as they could be read even when
 * error is set, so that an ErrorResponse can echo them. */
struct x1_msg {
	enum x1_msg_type type;
	/* requestMessageType for an ErrorResponse: the xsi:type's local name without "Request"
	 * ("ActivateTask", "CreateObject", ...), or "ExtendedRequestMessageType" when the xsi:type
	 * is missing or names no X1 request type. */
	char request_type[X1_TYPE_NAME_MAX + 1];
	/* X1_OK, or the enum clifd_x1_error code this message must be answered with:
	 *   X1_E_SYNTAX: a header or payload element missing, misplaced, repeated, unknown, or
	 *     breaking its XSD type (UUID, version v1.N.N, QualifiedMicrosecondDateTime, address,
	 *     port, enumeration patterns); the xsi:type is no X1 request type; a malformed
	 *     cloudScope or handover extension.
	 *   X1_E_GENERIC: a request type only an ADMF accepts (Report...Issue).
	 *   X1_E_TARGET_TYPE: a TargetIdentifier kind clifd does not support (e164Number, imsi...).
	 *   X1_E_TARGET_COMBINATION: more than CLIFD_MAX_TARGETS targets, or only port qualifiers.
	 *   X1_E_MULTI_DEST: more than CLIFD_MAX_DIDS dIds in a listOfDIDs.
	 *   X1_E_DELIVERY_COMBINATION: no dId at all, or destination sets (dSId).
	 *   X1_E_SERVICE_TYPE: listOfServiceTypes other than "data", or serviceScopingOptions.
	 *   X1_E_ACTIVATE / X1_E_MODIFY: something valid clifd cannot hold (more than
	 *     CLIFD_MAX_MEDIATION mediationDetails, an LIID over CLIFD_LIID_MAX characters, a
	 *     mediation StartTime/EndTime, a correlationID over 2^64-1).
	 *   X1_E_DEST_ADDRESS_TYPE: a deliveryAddress other than ipAddressAndPort.
	 * Schema errors win over the others; among equals the first found wins. The version is
	 * only checked against its pattern: X1_E_VERSION, X1_E_ADMF_CERT and X1_E_NE_UNEXPECTED
	 * are the caller's decisions. */
	int error;
	const char *error_desc; /* static English text for errorDescription (names no
				   target/XID/LIID), NULL when error is X1_OK */

	char admf_id[X1_IDENT_MAX + 1];          /* "" if missing or invalid */
	char ne_id[X1_IDENT_MAX + 1];            /* "" if missing or invalid */
	char timestamp[X1_TIMESTAMP_MAX + 1];    /* messageTimestamp as sent, "" if invalid */
	char version[X1_VERSION_MAX + 1];        /* "" if missing or invalid */
	uint32_t version_minor, version_patch;   /* of v1.minor.patch (saturating) */
	uint8_t has_txid;                        /* x1TransactionId present and valid */
	uint8_t txid[16];

	/* The payload, by type (other types: none). */
	union {
		struct clifd_task task;          /* ACTIVATE_TASK, MODIFY_TASK */
		struct clifd_destination dest;   /* CREATE_DESTINATION, MODIFY_DESTINATION */
		uint8_t xid[16];                 /* DEACTIVATE_TASK, GET_TASK_DETAILS */
		uint8_t did[16];                 /* REMOVE_DESTINATION, GET_DESTINATION_DETAILS */
	};
};

/* A parsed X1Request: about 150 KiB, so allocate it on the heap or statically. It owns no
 * memory: nothing to free. */
struct x1_request {
	unsigned n_msgs;
	struct x1_msg msgs[X1_MAX_MESSAGES];
	const char *error_desc; /* static text when x1_parse_request returned non-zero */
};

/* Initialises libxml2 once per process and silences libxml2's generic and structured error
 * handlers on the calling thread (and as the default for threads started later). Thread-safe
 * and idempotent; every other function calls it too. */
void x1_init(void);

/* Parses an X1Request document of len bytes (need not be NUL-terminated) into *req.
 * Returns 0 when body is a well-formed X1Request with 1..X1_MAX_MESSAGES x1RequestMessage
 * elements: each req->msgs[i] then carries its own error (see struct x1_msg). Otherwise
 * returns a top-level code, to be answered with x1_build_top_level_error(), and sets
 * req->error_desc:
 *   X1_E_SYNTAX   not well-formed XML (or truncated), a DOCTYPE / entity declaration present,
 *                 len over X1_MAX_BODY, root not X1Request in X1_NS, no message, more than
 *                 X1_MAX_MESSAGES messages, a child of X1Request that is not x1RequestMessage.
 *   X1_E_GENERIC  libxml2 ran out of memory.
 * body == NULL or req == NULL: X1_E_GENERIC. */
int x1_parse_request(const char *body, size_t len, struct x1_request *req);

/* "ActivateTask", ..., "Keepalive", "GenericObject", "Unknown" (for logs). */
const char *x1_msg_type_name(enum x1_msg_type type);

/* ---- building responses ---- */

/* One unresolved fault (errorCode + errorDescription) for a status. */
struct x1_fault {
	int code;                /* enum clifd_x1_error or another TS 103 221-1 code */
	const char *description; /* UTF-8; names no target */
};

enum x1_provisioning { /* ProvisioningStatus */
	X1_PROV_AWAITING = 1, /* awaitingProvisioning */
	X1_PROV_FAILED = 2,   /* failed */
	X1_PROV_COMPLETE = 3, /* complete */
};

enum x1_dest_delivery_status { /* DestinationDeliveryStatus */
	X1_DEST_ACTIVE = 1, /* activeAndWorking */
	X1_DEST_FAULT = 2,  /* deliveryFault */
};

enum x1_ne_state { /* NeStatus */
	X1_NE_OK = 1,     /* OK */
	X1_NE_FAULTS = 2, /* Faults */
};

/* taskResponseDetails: the task as stored, and its status. */
struct x1_task_status {
	const struct clifd_task *task;
	enum x1_provisioning provisioning;
	const struct x1_fault *faults;
	size_t n_faults;
};

/* destinationResponseDetails */
struct x1_dest_status {
	const struct clifd_destination *dest;
	enum x1_dest_delivery_status status;
	const struct x1_fault *faults;
	size_t n_faults;
};

/* neStatusDetails */
struct x1_ne_status {
	enum x1_ne_state state;
	const struct x1_fault *faults;
	size_t n_faults;
};

/* An X1Response document being built: one x1ResponseMessage per request message, added in
 * request order by the x1_resp_* calls. Only x1_resp_error() answers a message whose error
 * is set; the others refuse it with -EINVAL. Each message echoes the request's admfIdentifier and
 * x1TransactionId (the nil UUID if the request's was invalid), and carries our
 * neIdentifier and version and a messageTimestamp of now (UTC, microseconds). */
struct x1_response;

/* Starts a response. ne_id: our neIdentifier; version: ours ("v1.13.1"). Both are copied.
 * Returns NULL on allocation failure or when an argument is NULL. */
struct x1_response *x1_response_new(const char *ne_id, const char *version);

/* Frees a response (finished or not). NULL is ignored. */
void x1_response_free(struct x1_response *resp);

/* The answer "oK: AcknowledgedAndCompleted" to req (ActivateTaskResponse, ...). Valid for
 * ActivateTask, ModifyTask, DeactivateTask, DeactivateAllTasks, CreateDestination,
 * ModifyDestination, RemoveDestination, RemoveAllDestinations, Ping and Keepalive.
 * Returns 0, -EINVAL (another type, or a finished response), -ENOMEM. */
int x1_resp_ok(struct x1_response *resp, const struct x1_msg *req);

/* GetTaskDetailsResponse: taskResponseDetails for st->task. Returns 0, -EINVAL (req not
 * GetTaskDetails, st or st->task NULL, a finished response), -ENOMEM. */
int x1_resp_task_details(struct x1_response *resp, const struct x1_msg *req,
			 const struct x1_task_status *st);

/* GetAllTaskDetailsResponse with n tasks (0: an empty listOfTaskResponseDetails).
 * Returns 0, -EINVAL (req not GetAllTaskDetails, st NULL with n > 0), -ENOMEM. */
int x1_resp_all_task_details(struct x1_response *resp, const struct x1_msg *req,
			     const struct x1_task_status *st, size_t n);

/* GetDestinationDetailsResponse. Returns 0, -EINVAL (req not GetDestinationDetails, st or
 * st->dest NULL), -ENOMEM. */
int x1_resp_dest_details(struct x1_response *resp, const struct x1_msg *req,
			 const struct x1_dest_status *st);

/* GetAllDestinationDetailsResponse with n destinations. Returns 0, -EINVAL (req not
 * GetAllDestinationDetails, st NULL with n > 0), -ENOMEM. */
int x1_resp_all_dest_details(struct x1_response *resp, const struct x1_msg *req,
			     const struct x1_dest_status *st, size_t n);

/* GetNEStatusResponse. Returns 0, -EINVAL (req not GetNEStatus, ne NULL), -ENOMEM. */
int x1_resp_ne_status(struct x1_response *resp, const struct x1_msg *req,
		      const struct x1_ne_status *ne);

/* GetAllDetailsResponse: NE status, every task, every destination. Returns 0, -EINVAL (req
 * not GetAllDetails, ne NULL, a NULL array with a non-zero count), -ENOMEM. */
int x1_resp_all_details(struct x1_response *resp, const struct x1_msg *req,
			const struct x1_ne_status *ne, const struct x1_task_status *tasks,
			size_t n_tasks, const struct x1_dest_status *dests, size_t n_dests);

/* ListAllDetailsResponse: ListOfXIDs and ListOfDIDs. Returns 0, -EINVAL (req not
 * ListAllDetails, a NULL array with a non-zero count), -ENOMEM. */
int x1_resp_list_all(struct x1_response *resp, const struct x1_msg *req,
		     const uint8_t (*xids)[16], size_t n_xids, const uint8_t (*dids)[16],
		     size_t n_dids);

/* ErrorResponse to req (any type, UNKNOWN included): requestMessageType is
 * req->request_type, errorInformation carries code and description (NULL: a generic text
 * for the code; control characters are replaced by '?'). The description must name no
 * target, LIID or XID. Returns 0, -EINVAL (code <= 0, finished response), -ENOMEM. */
int x1_resp_error(struct x1_response *resp, const struct x1_msg *req, int code,
		  const char *description);

/* Finishes the document and hands it over: *out is a malloc'd UTF-8 buffer of *out_len
 * bytes plus a NUL, freed by the caller with free(). At least one message must have been
 * added. Returns 0, -EINVAL (no message, already finished), -ENOMEM. */
int x1_response_finish(struct x1_response *resp, char **out, size_t *out_len);

/* A standalone X1TopLevelErrorResponse document (admfIdentifier, neIdentifier,
 * messageTimestamp now, version), for a request x1_parse_request refused as a whole.
 * admf_id: the peer's identity as far as known ("" if none). *out as x1_response_finish.
 * Returns 0, -EINVAL (a NULL argument), -ENOMEM. */
int x1_build_top_level_error(const char *admf_id, const char *ne_id, const char *version,
			     char **out, size_t *out_len);

/* ---- NE-to-ADMF reports (X1Request documents clifd POSTs to the ADMF's /X1/ADMF) ---- */

enum x1_report_type { /* TaskReportType (also used for destinationReportType) */
	X1_REPORT_ALL_CLEAR = 1,
	X1_REPORT_WARNING,
	X1_REPORT_NON_TERMINATING_FAULT,
	X1_REPORT_TERMINATING_FAULT,
	X1_REPORT_IMPLICIT_DEACTIVATION,
	X1_REPORT_FULLY_ACTIONED_SUCCESSFUL,
	X1_REPORT_FULLY_ACTIONED_UNSUCCESSFUL,
};

enum x1_ne_issue_type { /* TypeOfNeIssueMessage */
	X1_NE_ISSUE_WARNING = 1,
	X1_NE_ISSUE_FAULT_CLEARED,
	X1_NE_ISSUE_FAULT_REPORT,
	X1_NE_ISSUE_ALERT,
};

/* The header of a report request. txid is filled by the builder with a fresh random
 * (version 4) UUID, which the ADMF's response echoes. */
struct x1_report_hdr {
	const char *admf_id; /* the ADMF's admfIdentifier */
	const char *ne_id;   /* ours */
	const char *version; /* ours */
	uint8_t txid[16];    /* out */
};

/* ReportTaskIssueRequest: xId, taskReportType, taskIssueErrorCode (omitted when code is 0),
 * taskIssueDetails (omitted when details is NULL; it must name no target). *out as
 * x1_response_finish. Returns 0, -EINVAL (NULL hdr field or out, bad type, code < 0),
 * -ENOMEM, -EIO (no randomness for the transaction id). */
int x1_build_report_task_issue(struct x1_report_hdr *hdr, const uint8_t xid[16],
			       enum x1_report_type type, int code, const char *details,
			       char **out, size_t *out_len);

/* ReportDestinationIssueRequest: dId, destinationReportType, destinationIssueErrorCode
 * (omitted when 0), destinationIssueDetails (omitted when NULL). Returns as
 * x1_build_report_task_issue. */
int x1_build_report_destination_issue(struct x1_report_hdr *hdr, const uint8_t did[16],
				      enum x1_report_type type, int code, const char *details,
				      char **out, size_t *out_len);

/* ReportNEIssueRequest: typeOfNeIssueMessage, description (required, names no target),
 * issueCode (omitted when 0). Returns as x1_build_report_task_issue (description NULL:
 * -EINVAL). */
int x1_build_report_ne_issue(struct x1_report_hdr *hdr, enum x1_ne_issue_type type,
			     const char *description, int code, char **out, size_t *out_len);

/* Reads the ADMF's answer to a report whose transaction id was txid. Returns 0 when it is an
 * X1Response whose first message has that x1TransactionId and an oK element; the ADMF's
 * errorCode (> 0) when it is an ErrorResponse for it; X1_E_SYNTAX when the document is
 * anything else (unparseable, a DOCTYPE, an X1TopLevelErrorResponse, another transaction,
 * over X1_MAX_BODY). */
int x1_parse_report_response(const char *body, size_t len, const uint8_t txid[16]);

#ifdef __cplusplus
}
#endif
#endif
