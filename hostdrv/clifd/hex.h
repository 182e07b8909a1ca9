/* Hex digits in the text forms clifd reads. Each form allows one letter case only (X1's
 * patterns and the audit MAC: lowercase; the audit log's %HH escapes: uppercase), so a digit
 * in the other case is refused, not folded: what the writer never produces is malformed. */
#ifndef CLIFD_HEX_H
#define CLIFD_HEX_H

/* The value 0..15 of c as a hex digit whose letters are in the case of alpha ('a' or 'A'), or
 * -1 for anything else. */
static inline int clifd_hex_value(char c, char alpha)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= alpha && c <= alpha + 5)
		return c - alpha + 10;
	return -1;
}

/* 0..15 for '0'-'9' and 'a'-'f', else -1. */
static inline int clifd_hex_lower(char c)
{
	return clifd_hex_value(c, 'a');
}

/* 0..15 for '0'-'9' and 'A'-'F', else -1. */
static inline int clifd_hex_upper(char c)
{
	return clifd_hex_value(c, 'A');
}

#endif
