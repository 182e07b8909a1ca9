/* Identifier text forms and log-safe task handles. */
#include "model.h"

#include "hex.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <string.h>


int clifd_uuid_parse(const char *text, uint8_t out[16])
{
	static const unsigned dash[] = {8, 13, 18, 23};
	if (text == NULL || strlen(text) != 36)
		return -1;
	unsigned o = 0, d = 0;
	for (unsigned i = 0; i < 36;) {
		if (d < 4 && i == dash[d]) {
			if (text[i] != '-')
				return -1;
			d++;
			i++;
			continue;
		}
		int hi = clifd_hex_lower(text[i]), lo = clifd_hex_lower(text[i + 1]);
		if (hi < 0 || lo < 0 || (d < 4 && i + 1 == dash[d]))
			return -1;
		out[o++] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	return o == 16 ? 0 : -1;
}

void clifd_uuid_format(const uint8_t id[16], char out[37])
{
	static const char hexd[] = "0123456789abcdef";
	unsigned o = 0;
	for (unsigned i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hexd[id[i] >> 4];
		out[o++] = hexd[id[i] & 15];
	}
	out[o] = '\0';
}

static uint8_t ref_key[32];
static pthread_once_t ref_once = PTHREAD_ONCE_INIT;

static void ref_init(void)
{
	if (RAND_bytes(ref_key, sizeof(ref_key)) != 1)
		memset(ref_key, 0x5a, sizeof(ref_key)); /* still not reversible without the XID */
}

void clifd_task_ref(const uint8_t xid[16], char out[11])
{
	static const char hexd[] = "0123456789abcdef";
	uint8_t mac[EVP_MAX_MD_SIZE];
	unsigned mac_len = 0;
	pthread_once(&ref_once, ref_init);
	HMAC(EVP_sha256(), ref_key, sizeof(ref_key), xid, 16, mac, &mac_len);
	out[0] = 't';
	out[1] = '-';
	for (unsigned i = 0; i < 4; i++) {
		out[2 + 2 * i] = hexd[mac[i] >> 4];
		out[3 + 2 * i] = hexd[mac[i] & 15];
	}
	out[10] = '\0';
}
