/* Display width of UTF-8 text (see textwidth.h). The wide ranges are those of Unicode's
 * East Asian Width property W and F (UAX #11) that matter for Chinese text, as in Markus
 * Kuhn's wcwidth: Hangul Jamo, CJK radicals to Yi, Hangul syllables, CJK compatibility
 * ideographs, vertical and compatibility forms, fullwidth forms, and the supplementary
 * ideographic planes. */
#include "lifecircle/textwidth.h"

#include <stddef.h>

int textwidth_cp(unsigned long cp) {
  if (cp == 0 || (cp >= 0x0300 && cp <= 0x036F) || cp == 0x200B || (cp >= 0xFE00 && cp <= 0xFE0F))
    return 0;
  if ((cp >= 0x1100 && cp <= 0x115F) || cp == 0x2329 || cp == 0x232A ||
      (cp >= 0x2E80 && cp <= 0x303E) || (cp >= 0x3041 && cp <= 0x33FF) ||
      (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
      (cp >= 0xA000 && cp <= 0xA4CF) || (cp >= 0xAC00 && cp <= 0xD7A3) ||
      (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE10 && cp <= 0xFE19) ||
      (cp >= 0xFE30 && cp <= 0xFE6F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
      (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x2FFFD) ||
      (cp >= 0x30000 && cp <= 0x3FFFD))
    return 2;
  return 1;
}

int textwidth(const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  int w = 0;
  while (*p) {
    unsigned long cp;
    int n;
    if (*p < 0x80) {
      cp = *p;
      n = 1;
    } else if ((*p & 0xE0) == 0xC0) {
      cp = *p & 0x1F;
      n = 2;
    } else if ((*p & 0xF0) == 0xE0) {
      cp = *p & 0x0F;
      n = 3;
    } else if ((*p & 0xF8) == 0xF0) {
      cp = *p & 0x07;
      n = 4;
    } else {
      w++;
      p++;
      continue;
    }
    int ok = 1;
    for (int i = 1; i < n; i++) {
      if ((p[i] & 0xC0) != 0x80) {
        ok = 0;
        break;
      }
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (!ok) {
      w++;
      p++;
      continue;
    }
    w += textwidth_cp(cp);
    p += n;
  }
  return w;
}

void textwidth_pad(FILE *out, const char *s, int width) {
  fputs(s, out);
  for (int w = textwidth(s); w < width; w++)
    fputc(' ', out);
}

void textwidth_rpad(FILE *out, const char *s, int width) {
  for (int w = textwidth(s); w < width; w++)
    fputc(' ', out);
  fputs(s, out);
}
