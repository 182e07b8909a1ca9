/* clifd's X1 message handlers: each x1RequestMessage of a POST is checked (who sent it, for
 * whom, which version) and carried out against the store, the rule compiler and the card, then
 * answered, in request order, and audited (actor: the client certificate's subject).
 *
 * Checks, first failing wins (each answered with an ErrorResponse inside HTTP 200):
 *   1030  admfIdentifier is neither the certificate's subject CN nor one of its DNS/URI
 *         subjectAltNames
 *   1040  admfIdentifier matches the certificate but is not the configured admf_identifier
 *   1060  neIdentifier is not our ne_identifier
 *   1020  version v1.N.x with N above the minor version of our x1_version
 *   the message's own error from the X1 layer (1010 schema, 3010 target type, ...)
 * A message that passes the first four with an admfIdentifier (so: from our ADMF, as its
 * certificate shows) restarts TIME_P2, whatever its own outcome.
 *
 * Effects are durable and on the card before the OK: ActivateTask validates (target
 * combination 3010/3020, XID unused 2010, every DID known 2040, the destinations' delivery
 * types cover the task's 3040), installs the rules (3000 with the compiler's reason), writes
 * the store (on failure the rules are removed again, 3000) and answers. Generic-object
 * messages (CreateObject ... GetAllGenericObjectDetails) are answered 8500: clifd holds no
 * generic objects. When the audit log cannot be written any more, every request that would
 * change a task or destination is refused with 1000. */
#ifndef CLIFD_HANDLERS_H
#define CLIFD_HANDLERS_H

#include <stddef.h>

#include "server.h"

/* The server's X1 callback; arg is the struct clifd_daemon. A document that is no valid
 * X1Request is answered with an X1TopLevelErrorResponse. *out is NULL only when out of
 * memory. */
void clifd_handle_x1(void *arg, const struct clifd_peer *peer, const char *body, size_t len, char **out,
		     size_t *out_len);

/* The server's refusal callback (TLS handshakes, HTTP method/path/length): audited. */
void clifd_handle_refusal(void *arg, const char *actor, const char *what, const char *result);

#endif
