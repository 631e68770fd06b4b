/* Display width of UTF-8 text in a terminal, wcwidth-style: East Asian wide and fullwidth
 * characters (Chinese, fullwidth forms) take two columns, combining marks none, the rest
 * one; so that tables with Chinese names stay aligned. */
#ifndef LIFECIRCLE_TEXTWIDTH_H
#define LIFECIRCLE_TEXTWIDTH_H

#include <stdio.h>

/* Columns of one code point: 0 (combining marks, zero-width), 2 (East Asian Wide or
 * Fullwidth) or 1. Local, pure. */
int textwidth_cp(unsigned long cp);

/* Columns of a UTF-8 string; a malformed byte counts as one column. Local, pure. */
int textwidth(const char *s);

/* Prints s left-aligned in `width` columns (padding with spaces; nothing is cut). Local. */
void textwidth_pad(FILE *out, const char *s, int width);

/* Prints s right-aligned in `width` columns. Local. */
void textwidth_rpad(FILE *out, const char *s, int width);

#endif
