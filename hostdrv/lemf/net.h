/* clif-lemf's network side (net.c). */
#ifndef CLIF_LEMF_NET_H
#define CLIF_LEMF_NET_H

/* Loads the server certificate and key; with ca, client certificates are required and
 * checked against it. Returns 0 or -1 (message printed). */
int lemf_tls_setup(const char *cert, const char *key, const char *ca);

/* Listens on listen_spec ("PORT", "ADDR:PORT", "[V6]:PORT") and serves connections until a
 * stop is requested, or until max_conns connections (0: no limit) have ended. Connection ids
 * start at first_id. Writes the bound port to port_file if given.
 * Returns the process exit status: 0, 1 (cannot listen), 2 (bad address), 3 (strict mode
 * saw undecodable data). */
int lemf_serve(const char *listen_spec, const char *port_file, unsigned max_conns, unsigned first_id);

/* Async-signal-safe: ends lemf_serve() (open connections are shut down and drained). */
void lemf_request_stop(void);

int lemf_strict_tripped(void);

#endif
