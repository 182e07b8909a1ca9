/* clifd's configuration file: INI-like "key = value" lines, '#' starts a comment line, blank
 * lines ignored, no sections. Every key, its default and its meaning are in
 * hostdrv/clifd/clifd.conf.example. */
#ifndef CLIFD_CONFIG_H
#define CLIFD_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define CLIFD_PATH_MAX 512
#define CLIFD_ID_MAX 256 /* admfIdentifier / neIdentifier bytes (xs:token, no limit in X1) */

struct clifd_config {
	char ne_identifier[CLIFD_ID_MAX];   /* required */
	char admf_identifier[CLIFD_ID_MAX]; /* required: the one ADMF we accept */
	char x1_listen_host[64];            /* numeric address, "0.0.0.0" */
	uint16_t x1_listen_port;            /* 8443 */
	char tls_cert[CLIFD_PATH_MAX];      /* required */
	char tls_key[CLIFD_PATH_MAX];       /* required */
	char tls_ca[CLIFD_PATH_MAX];        /* required: CA of ADMF client certificates */
	char x1_version[16];                /* "v1.13.1" */
	unsigned x1_major, x1_minor;        /* parsed from x1_version */
	char state_dir[CLIFD_PATH_MAX];     /* "/var/lib/clifd" */
	char card[64];                      /* "sim:0" */
	uint32_t time_p2;                   /* seconds, 3600; 0: keepalive off */
	uint32_t max_body;                  /* bytes, 1 MiB */
	char mgmt_socket[CLIFD_PATH_MAX];   /* "" means state_dir/clifd.sock */
	char admf_report_host[256];         /* "" when reports are off */
	uint16_t admf_report_port;          /* 443 when the URL has none */
	char admf_report_path[256];         /* "/X1/ADMF" when the URL has none */
	char admf_report_ca[CLIFD_PATH_MAX];   /* "" means tls_ca */
	char admf_report_cert[CLIFD_PATH_MAX]; /* "" means tls_cert */
	char admf_report_key[CLIFD_PATH_MAX];  /* "" means tls_key */
	uint32_t card_poll_ms;              /* 100 */
	uint32_t card_heartbeat_ms;         /* 3000 */
	int log_level;                      /* LOG_INFO */

	/* Handover (issue 7): the PSHeader of HI2/HI3 PDUs, the senders to the destinations and
	 * the capture ring. */
	char handover_operator_id[17];      /* operatorIdentifier, 1..16 bytes: "CLIF" */
	char handover_ne_id[17];            /* networkElementIdentifier; "" means the first 16
					       bytes of ne_identifier */
	char handover_country[3];           /* delivery and authorization country code; "":
					       omitted */
	char lemf_ca[CLIFD_PATH_MAX];       /* CA of the LEMFs' certificates; "" means tls_ca */
	char lemf_cert[CLIFD_PATH_MAX];     /* our client certificate towards LEMFs; "": tls_cert */
	char lemf_key[CLIFD_PATH_MAX];      /* "" means tls_key */
	uint32_t hi_time1_ms;               /* TS 102 232-1 TIME1: 120000 */
	uint32_t hi_time2_ms;               /* TIME2: 30000 */
	uint32_t hi_time3_ms;               /* TIME3: 60000 */
	uint32_t x2x3_time_p1_ms;           /* TS 103 221-2 TIME_P1: 60000 */
	uint32_t x2x3_time_p2_ms;           /* TIME_P2: 180000 */
	uint32_t reconnect_min_ms;          /* first reconnect delay: 100 */
	uint32_t reconnect_max_ms;          /* longest: 10000 */
	uint32_t delivery_queue_kib;        /* memory queue per destination: 16384 */
	uint32_t delivery_resend_kib;       /* resend buffer per destination: 4096 */
	uint32_t spool_mib;                 /* on-disk spool per destination (state_dir/spool/):
					       256; 0: none */
	uint32_t c2h_ring_kib;              /* capture ring: 16384 (a power of two) */
	uint32_t capture_idle_us;           /* re-look at an empty ring after: 1000 */
};

/* Fills cfg with the defaults (required keys empty). */
void clifd_config_defaults(struct clifd_config *cfg);

/*
 * Reads path over the defaults in cfg, then fills in the derived values (mgmt_socket, the
 * report credentials) and checks that the required keys are there. Returns 0, or -1 with a
 * message in err naming the file, line and key (never the value: it may be an identifier):
 * unreadable file, a line that is not "key = value", an unknown or repeated key, a bad value,
 * a required key missing.
 */
int clifd_config_load(struct clifd_config *cfg, const char *path, char *err, size_t err_len);

/* Parses "v1.13.1" into major and minor. Returns 0, or -1 when it is not "v<d>.<d>.<d>". */
int clifd_version_parse(const char *text, unsigned *major, unsigned *minor);

#endif
