/* The results file (HDF5, written collectively by all ranks): created under a temporary name
 * and renamed when complete; helpers for global tables, per-node tables held by the ranks
 * that own the nodes, and text. See the README for the layout. */
#ifndef LIFECIRCLE_RESULTS_H
#define LIFECIRCLE_RESULTS_H

#include <hdf5.h>
#include <mpi.h>
#include <stdint.h>

#include "lifecircle/h5io.h"

struct results {
  char *path; /* Final name. */
  char *tmp;  /* Name while being written. */
  hid_t file;
  MPI_Comm comm;
  int rank, size;
  int64_t n_nodes; /* Global node count, for per-node tables. */
};

/* Creates `path`.tmp for parallel writing. Collective. */
int results_create(const char *path, int64_t n_nodes, MPI_Comm comm, struct results *res);

/* Closes the file; when `ok` (the same on every rank) renames it to its final name, else
 * removes it so that no half-written results remain. Returns ok's status or the first
 * failure. Collective. */
int results_finish(struct results *res, int ok);

/* Writes a global table held identically by every rank (rank 0 writes, the others take part
 * with empty selections). rows x ncols (ncols 0: 1-D). Collective. */
int results_write_global(struct results *res, const char *name, enum h5io_type type,
                         const void *data, int64_t rows, int64_t ncols, const char *units,
                         const char *description);

/* Writes an array of UTF-8 strings held identically by every rank as a fixed-length string
 * dataset. Collective. */
int results_write_strings(struct results *res, const char *name, char *const *data, int64_t n,
                          const char *description);

/* Writes a text (e.g. the parameter file) as a scalar string dataset. Collective. */
int results_write_text(struct results *res, const char *name, const char *text,
                       const char *description);

/* Writes a per-node table in global node order: this rank holds rows for its `n_owned`
 * nodes with global ids `gid` (any order), `ncols` int64 or double values each (ncols 0:
 * one value, 1-D dataset). Rows are redistributed to contiguous blocks and written at
 * exclusive-scan offsets. Collective. */
int results_write_nodes(struct results *res, const char *name, enum h5io_type type,
                        int64_t n_owned, const int64_t *gid, const void *data, int64_t ncols,
                        const char *units, const char *description);

/* Writes a dataset that every rank holds in full but that is large (e.g. the graph's edge
 * list): each rank writes one contiguous block of rows. Collective. */
int results_write_replicated(struct results *res, const char *name, enum h5io_type type,
                             const void *data, int64_t rows, int64_t ncols, const char *units,
                             const char *description);

/* Sets a string attribute on a group or dataset (created as a group when missing).
 * Collective. */
int results_attr_str(struct results *res, const char *obj, const char *name, const char *value);

/* Sets an integer attribute on a group (created when missing). Collective. */
int results_attr_i64(struct results *res, const char *obj, const char *name, int64_t value);

/* SHA-256 (hex) over every dataset under `group` of an open file, in name order: each
 * dataset's path, type class and size, shape, and raw data. Collective over `comm` (every
 * rank opens the same objects); only the rank with `reader` nonzero reads the data and the
 * result is broadcast from rank 0, which must be the reader. With MPI_COMM_SELF it is a
 * serial call. */
int results_checksum(hid_t file, const char *group, int reader, MPI_Comm comm, char out[65]);

/* Copies the datasets (with their units and description) and the attributes of `group` from
 * `src` — a file open on rank 0 only (other ranks pass -1) — into the results file, so that
 * the data are identical. Collective. */
int results_copy_group(struct results *res, hid_t src, const char *group);

#endif
