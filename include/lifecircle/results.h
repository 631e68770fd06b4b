/* The results file (HDF5, written collectively by all ranks): created under a temporary name
 * and renamed when complete; helpers for global tables, per-node tables held by the ranks
 * that own the nodes, and text. The layout is in src/results/FORMAT.md. */
#ifndef LIFECIRCLE_RESULTS_H
#define LIFECIRCLE_RESULTS_H

#include <hdf5.h>
#include <mpi.h>
#include <stdint.h>

#include "lifecircle/h5io.h"

/* The data digest of one dataset written under the group being hashed (see
 * results_digest_begin). */
struct results_digest {
  char *path;
  uint8_t sha[32];
};

struct results {
  char *path; /* Final name. */
  char *tmp;  /* Name while being written. */
  hid_t file;
  MPI_Comm comm;
  int rank, size;
  int64_t n_nodes; /* Global node count, for per-node tables. */
  /* Most bytes of rows a rank assembles and writes per collective round (0: 32 MiB). Tests
   * lower it to exercise many rounds; any value of at least one byte gives the same file. */
  size_t round_bytes;
  /* Datasets written under this group (NULL: none) are hashed while they are written, so
   * that results_checksum_written needs not read them back. Rank 0 keeps the digests. */
  char *digest_group;
  struct results_digest *digests;
  int n_digests, cap_digests;
  /* Reused row buffers of the writers (freed by results_finish). */
  void *buf[4];
  size_t buf_cap[4];
};

/* Fills the values of row `i` (a local row, 0 .. n_owned-1) of a per-node table into `out`
 * (ncols values, or one when ncols is 0, of the table's type). */
typedef void (*results_row_fn)(void *ctx, int64_t i, void *out);

/* Creates `path`.tmp for parallel writing. Collective. */
int results_create(const char *path, int64_t n_nodes, MPI_Comm comm, struct results *res);

/* Closes the file; when `ok` (the same on every rank) renames it to its final name, else
 * removes it so that no half-written results remain. Returns ok's status or the first
 * failure. Collective. */
int results_finish(struct results *res, int ok);

/* Flushes the file (so that a killed run leaves its complete scenarios readable). A storage
 * failure on any rank since results_create, or a disk too full for the flush, fails every
 * rank with LC_EIO and a message naming the file and the cause ("disk full"). Collective. */
int results_flush(struct results *res);

/* Before writing `bytes` more: fails every rank as results_flush does when a storage failure
 * happened or the disk has no room for them. Collective. */
int results_room(struct results *res, int64_t bytes);

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
 * nodes with global ids `gid` (any order; every node owned by exactly one rank), `ncols`
 * int64 or double values each (ncols 0: one value, 1-D dataset). Rows are redistributed to
 * chunk-aligned contiguous blocks (one per rank) and written in rounds of at most
 * res->round_bytes per rank; MPI counts are in rows (a contiguous datatype of the row
 * width), so no table size overflows them. Collective. */
int results_write_nodes(struct results *res, const char *name, enum h5io_type type, int64_t n_owned,
                        const int64_t *gid, const void *data, int64_t ncols, const char *units,
                        const char *description);

/* As results_write_nodes, but the rows are produced on demand by fill(ctx, i, out) while
 * the rounds are assembled, so that no full copy of the table is ever held. Collective. */
int results_write_nodes_fn(struct results *res, const char *name, enum h5io_type type,
                           int64_t n_owned, const int64_t *gid, int64_t ncols, results_row_fn fill,
                           void *ctx, const char *units, const char *description);

/* Writes a per-node table of n_blocks blocks of `width` columns (a block per category) of
 * which only the blocks with own[b] nonzero are produced: fill(ctx, i, out) fills those
 * blocks' columns, in block order, into `out`. When every block is owned this is
 * results_write_nodes_fn. Otherwise the owned blocks go to the compact table
 * DIR/stored/NAME (with the list of owned blocks in DIR/stored/NAME_blocks) and NAME becomes
 * a virtual dataset of the full shape that maps each owned block there and every other block
 * to the same block of the table `base` of this file (a scenario's unchanged categories read
 * the baseline's), or, with base NULL, to nothing (reading as 0). `own` must be the same on
 * every rank. Collective. */
int results_write_nodes_mapped(struct results *res, const char *name, enum h5io_type type,
                               int64_t n_owned, const int64_t *gid, int n_blocks, int64_t width,
                               const uint8_t *own, const char *base, results_row_fn fill, void *ctx,
                               const char *units, const char *description);

/* Reads rows [lo, hi) of an int64 table of `rows` x `ncols` (ncols 0: 1-D) into `out`,
 * checking the shape; a virtual table written by results_write_nodes_mapped is resolved
 * from its sources (parallel HDF5 cannot read virtual datasets). Independent: any rank may
 * call it on a file open for parallel access. */
int results_read_rows(hid_t file, const char *name, int64_t rows, int64_t ncols, int64_t lo,
                      int64_t hi, int64_t *out);

/* Writes a dataset distributed over the ranks like h5io_write_dist (this rank's
 * `local_rows` rows follow those of the lower ranks), but through the chunk-aligned rounds
 * of the per-node writer, so that it is hashed while written under the digest group (see
 * results_digest_begin) and no chunk is shared by two ranks. Any type. Collective. */
int results_write_dist(struct results *res, const char *name, enum h5io_type type, const void *data,
                       int64_t local_rows, int64_t ncols, const char *units,
                       const char *description);

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

/* The checksum of a group: SHA-256 (hex) over every dataset under `group`, in the order of
 * H5Ovisit by increasing name, each contributing its path relative to the group with its
 * terminating NUL, four int64 (type class, type size, number of dimensions, number of
 * elements), its dimensions (uint64 each) and, when it has elements, its 32-byte data
 * digest: the SHA-256 over the SHA-256 digests of its raw data (file order, the file's type)
 * cut in consecutive slabs of h5io_slab_rows(row bytes) rows, where a row is the type size
 * times the product of every dimension but the first (a scalar is one row). Slabs depend on
 * the shape only, so that writers holding chunk-aligned blocks can hash their own part.
 * A virtual dataset (results_write_nodes_mapped) contributes, as its data digest, the
 * SHA-256 over its fill value (int64) and, per mapping in order, the source path with its
 * NUL, eight uint64 (virtual start and count, source start and count, two dimensions each,
 * zero-padded) and, for a source outside `group`, the `checksum` attribute (with its NUL) of
 * the source's group /A/B (first two path components), which must exist: the data of a
 * source under `group` are covered by its own entry, those of an outside source by that
 * group's checksum.
 *
 * This function computes it by reading the file. Collective over `comm` (every rank opens
 * the same objects); only the rank with `reader` nonzero reads the data and the result is
 * broadcast from rank 0, which must be the reader. With MPI_COMM_SELF it is a serial call. */
int results_checksum(hid_t file, const char *group, int reader, MPI_Comm comm, char out[65]);

/* Starts hashing the datasets that the writers of this file put under `group` (replacing
 * any earlier group and its digests). Collective (every rank must agree on the group). */
int results_digest_begin(struct results *res, const char *group);

/* The checksum of `group` (as results_checksum) from the digests taken while writing;
 * datasets written by other means (e.g. h5io_write_dist on res->file) are read back after a
 * flush. Ends the hashing of the group. Collective; the result is the same on every rank. */
int results_checksum_written(struct results *res, const char *group, char out[65]);

/* Copies the datasets (with their units and description) and the attributes of `group` from
 * `src` — a file open on rank 0 only (other ranks pass -1) — into the results file, so that
 * the data are identical. Collective. */
int results_copy_group(struct results *res, hid_t src, const char *group);

#endif
