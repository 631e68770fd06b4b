/* A small CSV table read whole with libcsv: a header row, then data rows of the same width,
 * each remembering the line it ends on, so that loaders can name file and line in messages.
 * UTF-8 with or without a byte-order mark; blank lines are skipped. */
#ifndef LIFECIRCLE_CSVTAB_H
#define LIFECIRCLE_CSVTAB_H

#include <stdint.h>

struct csvtab {
  char *file;     /* The path, for messages. */
  int n_cols;     /* Columns of the header. */
  char **header;  /* Column names as written (surrounding blanks trimmed by libcsv). */
  int64_t n_rows; /* Data rows (header excluded). */
  char **cell;    /* n_rows * n_cols strings, row-major, "" for empty fields (never NULL). */
  int64_t *line;  /* 1-based line of the file on which each data row ends. */
};

/* Reads a CSV file with a header row. Returns LC_OK, LC_EIO (cannot read), LC_EFORMAT (no
 * header, a row with a different number of fields than the header, a malformed quote; the
 * message names the file and line) or LC_ENOMEM. On failure `t` needs no csvtab_free. Local. */
int csvtab_load(const char *path, struct csvtab *t);

/* Frees a table. */
void csvtab_free(struct csvtab *t);

/* Index of the first column whose name equals one of the `n` names (case-insensitive), or -1. */
int csvtab_find(const struct csvtab *t, const char *const *names, int n);

/* The accepted names of a coordinate column, for every loader of point tables: longitude in
 * lon, lng, longitude, x, wgs84_lon or 经度; latitude in lat, latitude, y, wgs84_lat or 纬度. */
#define CSVTAB_LON_NAMES "lon, lng, longitude, x, wgs84_lon or 经度"
#define CSVTAB_LAT_NAMES "lat, latitude, y, wgs84_lat or 纬度"

/* Index of the longitude (lat == 0) or latitude (lat != 0) column, or -1. */
int csvtab_find_coord(const struct csvtab *t, int lat);

/* The field at (row, col). */
static inline const char *csvtab_get(const struct csvtab *t, int64_t row, int col) {
  return t->cell[row * t->n_cols + col];
}

#endif
