/* The layout of lifecircle's HDF5 files (graph files and results files): one table of every
 * dataset a writer may create (path, type, rank, shape, units, description), in the way
 * SWIFT's io_properties drive its snapshots. Every dataset writer checks its dataset against
 * the table (h5io), `lifecircle info --format` prints it, and src/FORMAT.md is generated from
 * it. */
#ifndef LIFECIRCLE_FORMAT_H
#define LIFECIRCLE_FORMAT_H

#include <stdio.h>

/* The version of the layout, written to /Header as `format_version`. The major number
 * changes when a dataset a reader relies on changes meaning, type or shape or disappears;
 * the minor number when datasets are added. */
#define FORMAT_VERSION "2.0"

struct format_entry {
  /* Absolute path; `*` stands for one path component (a scenario or comparison name). */
  const char *path;
  const char *type; /* "int8", "int32", "int64", "float64" or "string". */
  int rank;         /* Number of dimensions: 0 (scalar), 1 or 2. */
  /* Shape in the layout's symbols (N nodes, E edges, C categories, G groups, R rows:
   * subdistricts then all, F facilities, T trips, B time bins, K stored column blocks...). */
  const char *shape;
  const char *units;
  const char *description;
};

/* The number of entries and the i-th entry (0 <= i < format_count()). */
int format_count(void);
const struct format_entry *format_entry_at(int i);

/* The entry whose path matches `path`, or NULL. */
const struct format_entry *format_find(const char *path);

/* Checks a dataset about to be described against the table: returns LC_OK, or
 * LC_EINVARIANT naming the dataset when it is not in the table or its type, rank or units
 * differ. `type` is one of the table's type names. Local. */
int format_check(const char *path, const char *type, int rank, const char *units);

/* Turns the check off (0) or on (1, the default). Only the tests of the generic writers,
 * which write datasets of no layout, turn it off. */
void format_set_strict(int on);

/* Writes the table as Markdown (the body of src/FORMAT.md's dataset list) to `out`. */
void format_print_markdown(FILE *out);

#endif
