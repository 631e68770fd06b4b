/* CSV tables read with libcsv (never a hand-written parser). The text is fed to the parser
 * one physical line at a time so that the end of every record can be tied to its line. */
#include "lifecircle/csvtab.h"

#include <csv.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lifecircle/status.h"

/* Most columns accepted (the layers and tables read here have about ten). */
#define CSVTAB_MAX_COLS 4096

struct csvtab_build {
  struct csvtab *t;
  char **fields; /* Fields of the record being read. */
  int n_fields, cap_fields;
  int64_t cap_rows;
  int64_t line; /* Line being fed. */
  int header_done;
  int status; /* First failure seen in a callback. */
  char msg[512];
};

static void build_fail(struct csvtab_build *b, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void build_fail(struct csvtab_build *b, int status, const char *fmt, ...) {
  if (b->status != LC_OK)
    return;
  b->status = status;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(b->msg, sizeof b->msg, fmt, ap);
  va_end(ap);
}

static void on_field(void *s, size_t len, void *data) {
  struct csvtab_build *b = data;
  if (b->status != LC_OK)
    return;
  if (b->n_fields == b->cap_fields) {
    int cap = b->cap_fields ? 2 * b->cap_fields : 16;
    char **f = realloc(b->fields, (size_t)cap * sizeof *f);
    if (!f) {
      build_fail(b, LC_ENOMEM, "%s:%lld: out of memory", b->t->file, (long long)b->line);
      return;
    }
    b->fields = f;
    b->cap_fields = cap;
  }
  char *copy = malloc(len + 1);
  if (!copy) {
    build_fail(b, LC_ENOMEM, "%s:%lld: out of memory", b->t->file, (long long)b->line);
    return;
  }
  if (len)
    memcpy(copy, s, len);
  copy[len] = '\0';
  b->fields[b->n_fields++] = copy;
}

static void drop_fields(struct csvtab_build *b) {
  for (int i = 0; i < b->n_fields; i++)
    free(b->fields[i]);
  b->n_fields = 0;
}

static void on_row(int c, void *data) {
  (void)c;
  struct csvtab_build *b = data;
  struct csvtab *t = b->t;
  if (b->status != LC_OK) {
    drop_fields(b);
    return;
  }
  if (!b->header_done) {
    t->header = b->fields;
    t->n_cols = b->n_fields;
    b->fields = NULL;
    b->n_fields = b->cap_fields = 0;
    b->header_done = 1;
    return;
  }
  if (b->n_fields != t->n_cols) {
    build_fail(b, LC_EFORMAT, "%s:%lld: %d fields where the header has %d", t->file,
               (long long)b->line, b->n_fields, t->n_cols);
    drop_fields(b);
    return;
  }
  if (t->n_rows == b->cap_rows) {
    int64_t cap = b->cap_rows ? 2 * b->cap_rows : 64;
    char **cell = realloc(t->cell, (size_t)(cap * t->n_cols) * sizeof *cell);
    int64_t *line = cell ? realloc(t->line, (size_t)cap * sizeof *line) : NULL;
    if (cell)
      t->cell = cell;
    if (!cell || !line) {
      build_fail(b, LC_ENOMEM, "%s:%lld: out of memory", t->file, (long long)b->line);
      drop_fields(b);
      return;
    }
    t->line = line;
    b->cap_rows = cap;
  }
  memcpy(t->cell + t->n_rows * t->n_cols, b->fields, (size_t)t->n_cols * sizeof(char *));
  t->line[t->n_rows++] = b->line;
  b->n_fields = 0;
}

void csvtab_free(struct csvtab *t) {
  if (!t)
    return;
  for (int i = 0; i < t->n_cols; i++)
    free(t->header ? t->header[i] : NULL);
  free(t->header);
  for (int64_t i = 0; t->cell && i < t->n_rows * t->n_cols; i++)
    free(t->cell[i]);
  free(t->cell);
  free(t->line);
  free(t->file);
  memset(t, 0, sizeof *t);
}

static int read_all(const char *path, char **text, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    LC_FAIL(LC_EIO, "%s: cannot open: %s", path, strerror(errno));
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  if (!buf) {
    fclose(f);
    LC_FAIL(LC_ENOMEM, "%s: out of memory", path);
  }
  for (;;) {
    if (n == cap) {
      char *nb = realloc(buf, cap * 2);
      if (!nb) {
        free(buf);
        fclose(f);
        LC_FAIL(LC_ENOMEM, "%s: out of memory", path);
      }
      buf = nb;
      cap *= 2;
    }
    size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (got == 0)
      break;
  }
  int bad = ferror(f);
  fclose(f);
  if (bad) {
    free(buf);
    LC_FAIL(LC_EIO, "%s: read error", path);
  }
  *text = buf;
  *len = n;
  return LC_OK;
}

/* Finds the first byte that is not part of well-formed UTF-8 (RFC 3629: no overlong forms,
 * no surrogates, at most U+10FFFF) or is NUL, from `pos`. Returns its offset, or len when the
 * text is clean; *why names the problem. CSV fields are names and ids that go into UTF-8
 * HDF5 strings, so malformed text is refused with its position rather than passed on. */
static size_t csvtab_bad_byte(const unsigned char *s, size_t pos, size_t len, const char **why) {
  size_t i = pos;
  while (i < len) {
    unsigned c = s[i];
    if (c == 0) {
      *why = "a NUL byte";
      return i;
    }
    if (c < 0x80) {
      i++;
      continue;
    }
    size_t n;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      if (c == 0xE0)
        lo = 0xA0;
      if (c == 0xED)
        hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      if (c == 0xF0)
        lo = 0x90;
      if (c == 0xF4)
        hi = 0x8F;
    } else {
      *why = "invalid UTF-8";
      return i;
    }
    if (i + n >= len) {
      *why = "invalid UTF-8 (a truncated sequence)";
      return i;
    }
    for (size_t k = 1; k <= n; k++) {
      unsigned d = s[i + k];
      if (d < (k == 1 ? lo : 0x80) || d > (k == 1 ? hi : 0xBF)) {
        *why = "invalid UTF-8";
        return i;
      }
    }
    i += n + 1;
  }
  return len;
}

int csvtab_load(const char *path, struct csvtab *t) {
  memset(t, 0, sizeof *t);
  char *text = NULL;
  size_t len = 0;
  LC_CHECK(read_all(path, &text, &len));
  t->file = strdup(path);
  if (!t->file) {
    free(text);
    LC_FAIL(LC_ENOMEM, "%s: out of memory", path);
  }
  size_t pos = 0;
  if (len >= 3 && (unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB &&
      (unsigned char)text[2] == 0xBF)
    pos = 3;
  const char *why = NULL;
  size_t bad = csvtab_bad_byte((const unsigned char *)text, pos, len, &why);
  if (bad < len) {
    long long line = 1, col = 1;
    for (size_t i = 0; i < bad; i++) {
      if (text[i] == '\n') {
        line++;
        col = 1;
      } else {
        col++;
      }
    }
    unsigned byte = (unsigned char)text[bad];
    free(text);
    csvtab_free(t);
    LC_FAIL(LC_EFORMAT, "%s:%lld:%lld: %s (byte 0x%02x); save the file as UTF-8", path, line, col,
            why, byte);
  }
  struct csv_parser p;
  struct csvtab_build b = {.t = t, .status = LC_OK};
  if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
    free(text);
    csvtab_free(t);
    LC_FAIL(LC_ENOMEM, "%s: cannot initialise the CSV parser", path);
  }
  b.line = 1;
  while (pos < len && b.status == LC_OK) {
    const char *nl = memchr(text + pos, '\n', len - pos);
    size_t end = nl ? (size_t)(nl - text) + 1 : len;
    if (csv_parse(&p, text + pos, end - pos, on_field, on_row, &b) != end - pos)
      build_fail(&b, LC_EFORMAT, "%s:%lld: CSV syntax error: %s", path, (long long)b.line,
                 csv_strerror(csv_error(&p)));
    pos = end;
    if (nl && pos < len)
      b.line++;
  }
  if (b.status == LC_OK && csv_fini(&p, on_field, on_row, &b) != 0)
    build_fail(&b, LC_EFORMAT, "%s:%lld: CSV syntax error at the end of the file: %s", path,
               (long long)b.line, csv_strerror(csv_error(&p)));
  csv_free(&p);
  free(text);
  drop_fields(&b);
  free(b.fields);
  if (b.status == LC_OK && !b.header_done)
    build_fail(&b, LC_EFORMAT, "%s:1: empty file: a header row is needed", path);
  if (b.status == LC_OK && t->n_cols > CSVTAB_MAX_COLS)
    build_fail(&b, LC_EFORMAT, "%s:1: the header has %d columns, more than the %d accepted", path,
               t->n_cols, CSVTAB_MAX_COLS);
  /* A column named twice would make every lookup by name ambiguous. */
  for (int i = 0; b.status == LC_OK && i < t->n_cols; i++)
    for (int j = 0; j < i && b.status == LC_OK; j++)
      if (t->header[i][0] && strcasecmp(t->header[i], t->header[j]) == 0)
        build_fail(&b, LC_EFORMAT,
                   "%s:1: duplicate column '%s' in the header (columns %d and "
                   "%d)",
                   path, t->header[i], j + 1, i + 1);
  if (b.status != LC_OK) {
    csvtab_free(t);
    return lc_error_set(b.status, __FILE__, __LINE__, "%s", b.msg);
  }
  return LC_OK;
}

int csvtab_find(const struct csvtab *t, const char *const *names, int n) {
  for (int c = 0; c < t->n_cols; c++)
    for (int k = 0; k < n; k++)
      if (strcasecmp(t->header[c], names[k]) == 0)
        return c;
  return -1;
}

int csvtab_find_coord(const struct csvtab *t, int lat) {
  static const char *const lon_names[] = {"lon", "lng", "longitude", "x", "wgs84_lon", "经度"};
  static const char *const lat_names[] = {"lat", "latitude", "y", "wgs84_lat", "纬度"};
  return lat ? csvtab_find(t, lat_names, 5) : csvtab_find(t, lon_names, 6);
}
