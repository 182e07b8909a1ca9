/* Lexical checks of the XSD simple types X1 uses (TS 103 221-1 and TS 103 280 patterns),
 * hand-written because libxml2's schema validator would need the ETSI XSDs at run time and
 * evaluates far more than clifd reads. Each check is exact: what the pattern refuses is
 * refused here, so a syntax error means the same as in a validating ADMF. */
#define _POSIX_C_SOURCE 200809L
#include "x1_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "hex.h"

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int x1_lex_uuid(const char *s, uint8_t out[16])
{
	return clifd_uuid_parse(s, out);
}

/* Reads one IPv4 dotted quad from *p, leaving *p after it. */
static int quad(const char **p, uint8_t out[4])
{
	const char *s = *p;
	for (int i = 0; i < 4; i++) {
		unsigned v = 0, n = 0;
		while (is_digit(*s) && n < 4) {
			v = v * 10 + (unsigned)(*s - '0');
			s++;
			n++;
		}
		if (n == 0 || n > 3 || v > 255)
			return -1;
		out[i] = (uint8_t)v;
		if (i < 3) {
			if (*s != '.')
				return -1;
			s++;
		}
	}
	*p = s;
	return 0;
}

int x1_lex_ipv4(const char *s, uint8_t out[4])
{
	if (quad(&s, out) != 0)
		return -1;
	return *s == '\0' ? 0 : -1;
}

static int groups8(const char **p, uint8_t out[16])
{
	const char *s = *p;
	for (int g = 0; g < 8; g++) {
		int v[4];
		for (int k = 0; k < 4; k++) {
			v[k] = clifd_hex_lower(s[k]);
			if (v[k] < 0)
				return -1;
		}
		out[2 * g] = (uint8_t)(v[0] << 4 | v[1]);
		out[2 * g + 1] = (uint8_t)(v[2] << 4 | v[3]);
		s += 4;
		if (g < 7) {
			if (*s != ':')
				return -1;
			s++;
		}
	}
	*p = s;
	return 0;
}

int x1_lex_ipv6(const char *s, uint8_t out[16])
{
	if (groups8(&s, out) != 0)
		return -1;
	return *s == '\0' ? 0 : -1;
}

/* A decimal prefix length without leading zeros, min..max, ending the string. */
static int prefix(const char *s, unsigned min, unsigned max, uint8_t *plen)
{
	unsigned v = 0, n = 0;
	if (s[0] == '0' && s[1] != '\0')
		return -1;
	while (is_digit(*s) && n < 4) {
		v = v * 10 + (unsigned)(*s - '0');
		s++;
		n++;
	}
	if (n == 0 || *s != '\0' || v < min || v > max)
		return -1;
	*plen = (uint8_t)v;
	return 0;
}

int x1_lex_ipv4_cidr(const char *s, uint8_t out[4], uint8_t *plen)
{
	if (quad(&s, out) != 0 || *s != '/')
		return -1;
	return prefix(s + 1, 0, 32, plen);
}

int x1_lex_ipv6_cidr(const char *s, uint8_t out[16], uint8_t *plen)
{
	if (groups8(&s, out) != 0 || *s != '/')
		return -1;
	return prefix(s + 1, 1, 128, plen);
}

int x1_lex_mac(const char *s, uint8_t out[6])
{
	for (int i = 0; i < 6; i++) {
		int hi = clifd_hex_lower(s[0]), lo = hi < 0 ? -1 : clifd_hex_lower(s[1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (i < 5) {
			if (*s != ':')
				return -1;
			s++;
		}
	}
	return *s == '\0' ? 0 : -1;
}

int x1_lex_uint(const char *s, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;
	int over = 0;
	if (*s == '+')
		s++;
	if (!is_digit(*s))
		return -1;
	for (; *s; s++) {
		if (!is_digit(*s))
			return -1;
		unsigned d = (unsigned)(*s - '0');
		if (x > (UINT64_MAX - d) / 10)
			over = 1;
		else
			x = x * 10 + d;
	}
	if (over || x > max)
		return 1;
	*v = x;
	return 0;
}

int x1_lex_bool(const char *s, int *v)
{
	if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0) {
		*v = 1;
		return 0;
	}
	if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0) {
		*v = 0;
		return 0;
	}
	return -1;
}

/* The value of n characters at s, already known to be ASCII digits. */
static int dig(const char *s, int n)
{
	int x = 0;
	for (int i = 0; i < n; i++)
		x = x * 10 + (s[i] - '0');
	return x;
}

int x1_lex_timestamp(const char *s)
{
	/* YYYY-MM-DDThh:mm:ss.uuuuuu then Z or +hh:mm / -hh:mm */
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddddd";
	static const char tz[] = "+dd:dd";
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	size_t n = strlen(shape);
	for (size_t i = 0; i < n; i++) {
		if (shape[i] == 'd' ? !is_digit(s[i]) : s[i] != shape[i])
			return -1;
	}
	int tzh = 0, tzm = 0;
	const char *z = s + n;
	if (z[0] == 'Z') {
		if (z[1] != '\0')
			return -1;
	} else if (z[0] == '+' || z[0] == '-') {
		for (size_t i = 1; i < sizeof(tz) - 1; i++) {
			if (tz[i] == 'd' ? !is_digit(z[i]) : z[i] != tz[i])
				return -1;
		}
		if (z[sizeof(tz) - 1] != '\0')
			return -1;
		tzh = dig(z + 1, 2);
		tzm = dig(z + 4, 2);
	} else {
		return -1;
	}
	int year = dig(s, 4), mon = dig(s + 5, 2), day = dig(s + 8, 2);
	int hour = dig(s + 11, 2), min = dig(s + 14, 2), sec = dig(s + 17, 2);
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	if (year == 0 || mon < 1 || mon > 12 || day < 1 ||
	    day > mdays[mon - 1] + (mon == 2 && leap) || hour > 23 || min > 59 || sec > 59 ||
	    tzh > 14 || tzm > 59 || (tzh == 14 && tzm != 0))
		return -1;
	return 0;
}

/* Decimal digits at *p into a saturating uint32. */
static int number(const char **p, uint32_t *v)
{
	const char *s = *p;
	uint64_t x = 0;
	if (!is_digit(*s))
		return -1;
	while (is_digit(*s)) {
		x = x * 10 + (uint64_t)(*s - '0');
		if (x > UINT32_MAX)
			x = UINT32_MAX;
		s++;
	}
	*v = (uint32_t)x;
	*p = s;
	return 0;
}

int x1_lex_version(const char *s, uint32_t *minor, uint32_t *patch)
{
	if (s[0] != 'v' || s[1] != '1' || s[2] != '.')
		return -1;
	s += 3;
	if (number(&s, minor) != 0 || *s != '.')
		return -1;
	s++;
	if (number(&s, patch) != 0 || *s != '\0')
		return -1;
	return 0;
}

void x1_fmt_ipv4(const uint8_t a[4], char out[16])
{
	snprintf(out, 16, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
}

void x1_fmt_ipv6(const uint8_t a[16], char out[40])
{
	static const char hexd[] = "0123456789abcdef";
	unsigned o = 0;
	for (unsigned i = 0; i < 16; i++) {
		if (i > 0 && i % 2 == 0)
			out[o++] = ':';
		out[o++] = hexd[a[i] >> 4];
		out[o++] = hexd[a[i] & 15];
	}
	out[o] = '\0';
}

void x1_fmt_mac(const uint8_t a[6], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", a[0], a[1], a[2], a[3], a[4], a[5]);
}

void x1_fmt_now(char out[28])
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(out, 28, "%04u-%02u-%02uT%02u:%02u:%02u.%06uZ",
		 (unsigned)(tm.tm_year + 1900) % 10000u, (unsigned)(tm.tm_mon + 1) % 100u,
		 (unsigned)tm.tm_mday % 100u, (unsigned)tm.tm_hour % 100u,
		 (unsigned)tm.tm_min % 100u, (unsigned)tm.tm_sec % 100u,
		 (unsigned)(ts.tv_nsec / 1000) % 1000000u);
}
