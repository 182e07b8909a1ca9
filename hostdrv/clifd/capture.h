/* clifd's packet path (issue 7 item 1): the card's C2H copies become HI3 CC / X3 records and
 * the tasks' life cycle becomes HI2 IRI / X2 records, handed to one sender per destination
 * (deliver.h).
 *
 * Threads: everything here runs in clifd's event loop, like the card handle and the rule
 * compiler it reads (no locks). The ring is drained in bursts of at most CAPTURE_BURST records;
 * after CAPTURE_ROUNDS bursts the loop gets a turn (X1 requests, timers) and draining resumes at
 * once; an empty ring is looked at again after capture_idle_us.
 *
 * A record carries up to four rule handles. Each handle's tasks come from the rule compiler
 * (rulecomp_tasks_of_handle); a task reached through two handles of one record gets one copy.
 * The copied datagram is the one on the layer that matched (CLIF_SIDE_INNER_*: the overlay's
 * inner IP datagram, else the outer one), cut to its IP length (no Ethernet padding) or to what
 * the card copied. payloadDirection: matched as source only: fromTarget; as destination only:
 * toTarget; both: indeterminate. Frames without an IP datagram (ARP, for a MAC target) make no
 * CC record.
 *
 * Per task and destination ("stream"): what goes out follows the task's deliveryType (X2Only:
 * IRI only, X3Only: CC only, X2andX3: both), narrowed by the mediationDetails' HI delivery
 * type for that destination. The destination's handover protocol (model.h) picks the
 * encoding: TS 102 232-1 PS-PDUs (HI2 IRI, HI3 CC; the LIID comes from the mediationDetails
 * naming that destination, or naming none; a HI destination without an LIID gets nothing, and
 * that is logged once per task) or TS 103 221-2 X2/X3 PDUs (X3: the datagram, format IPv4 or
 * IPv6; X2: the IRI PS-PDU, with LIID "-" when no mediationDetails gives one). The X2/X3
 * correlation ID is the task's correlationID when X1 gave one, else the CIN.
 *
 * Sessions and CINs (TS 102 232-1 §5.2.4): a task's interception session starts when it is
 * activated (or restored at start) and ends when it is deactivated, modified (a modified task
 * starts a new session) or clifd stops. Each session takes a fresh CIN from the store
 * (store_cin_next: durable, never reused, across restarts). Its IRI: BEGIN
 * startOfInterceptionWithSessionActive at the start, END endOfInterceptionWithSessionActive at
 * the end, with the octets seen each way. An address the card learns for a MAC target
 * (DHCPv4, ARP, IPv6 ND; clif_learn_drain) is a session of its own with its own CIN: IRI BEGIN
 * accessAccept with the address when it is bound, END accessEnd (leaseExpired for DHCP,
 * connectionTimeout otherwise) when it ages out or is replaced; the CC of datagrams to or from
 * that address use its CIN, the others the task's. Sequence numbers: one counter per context
 * (CIN and destination) and payload type, from 0.
 *
 * Losses are counted and reported, never logged with an identifier: a destination whose
 * sender lost PDUs since the last look (queue and spool full, broken writes) gets an X1
 * ReportDestinationIssue (warning) and a log line naming its DID; copies the card dropped
 * (ring full) give a ReportNEIssue warning and a log line.
 *
 * Per packet: no allocation, no formatting, no lock; each PDU is encoded into its destination's
 * stage, and a stage is handed to the sender's queue once per burst of records
 * (deliver_submit_batch: one lock, one copy). */
#ifndef CLIFD_CAPTURE_H
#define CLIFD_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "model.h"

#define CAPTURE_BURST 256u
#define CAPTURE_ROUNDS 16u
#define CAPTURE_MAX_DESTS 64u     /* destinations with a sender */
#define CAPTURE_MAX_BINDINGS 4u   /* learned addresses per MAC task with their own session */
#define CAPTURE_MAX_RESERVED 64u  /* CINs reserved in one X1 request (X1_MAX_MESSAGES) */

struct event_base;
struct clif_card;
struct rulecomp;
struct clifd_store;
struct clifd_reporter;
struct clifd_capture;

struct capture_stats {
	uint64_t records;        /* C2H records taken from the ring */
	uint64_t unmatched;      /* records whose handles no task has (rule just removed) */
	uint64_t cc_pdus;        /* CC / X3 PDUs handed to senders */
	uint64_t iri_pdus;       /* IRI / X2 PDUs handed to senders */
	uint64_t no_ip;          /* copies without an IP datagram (no CC) */
	uint64_t submit_errors;  /* PDUs a sender refused (also in its lost_pdus) */
	uint64_t encode_errors;  /* PDUs that could not be encoded (should stay 0) */
	uint64_t no_liid;        /* PDUs not sent: HI destination without an LIID */
	uint64_t no_sender;      /* PDUs not sent: the destination's sender could not start */
	uint64_t ring_lost;      /* copies the card dropped (ring full) as the driver counts them */
	uint64_t learn_events;   /* learn events drained from the card */
	unsigned tasks;          /* tasks with a session */
	unsigned dests;          /* destinations with a sender */
	uint64_t sent_pdus, lost_pdus, queued_bytes, spooled_pdus; /* summed over the senders */
	unsigned connected;      /* senders with a connection up */
};

/* Creates the capture path. Nothing is read from the card until capture_start().
 * Returns the capture, or NULL with a message in err (out of memory, event set-up). */
struct clifd_capture *capture_new(struct event_base *base, struct clif_card *card, struct rulecomp *rc,
				  struct clifd_store *store, struct clifd_reporter *rep, const struct clifd_config *cfg,
				  char *err, size_t err_len);

/* Starts senders for the stored destinations, sessions for the tasks the rule compiler holds,
 * and the ring drain. Returns 0, or -ENOMEM. */
int capture_start(struct clifd_capture *c);

/* The store's destinations changed (or may have): senders are started for new ones, restarted
 * for changed ones (queued PDUs flushed first, for at most 2 s) and stopped for removed ones. */
void capture_sync_dests(struct clifd_capture *c);

/* A task may have changed (after a committed X1 request): a task in the store and in the rule
 * compiler gets a session (a new one when it differs from the one running); a task that is
 * not ends its session. */
void capture_sync_task(struct clifd_capture *c, const uint8_t xid[16]);

/* Inside an X1 request's store transaction, before its commit: when xid will need a new
 * session (capture_sync_task after the commit), its CIN is taken now, so that it is made
 * durable by the request's one commit rather than by a commit of its own. Returns 0, or the
 * store's negative errno (the request is then not to be committed). At most
 * CAPTURE_MAX_RESERVED per request; beyond that the session takes its CIN itself. */
int capture_reserve_cin(struct clifd_capture *c, const uint8_t xid[16]);

/* Forgets the CINs reserved and not used (the request was rolled back, or they were used). */
void capture_drop_reserved(struct clifd_capture *c);

/* capture_sync_task() for every task (after DeactivateAllTasks, keepalive expiry). */
void capture_sync_all(struct clifd_capture *c);

/* The card reset: the addresses it had learned are gone (it learns them again from traffic),
 * so their sessions end (IRI END accessEnd, endReason connectionLoss). */
void capture_card_reset(struct clifd_capture *c);

void capture_stats(struct clifd_capture *c, struct capture_stats *out);

/* Ends every session (IRI END), flushes the senders for at most flush_ms and frees
 * everything. NULL is a no-op. */
void capture_free(struct clifd_capture *c, unsigned flush_ms);

#endif
