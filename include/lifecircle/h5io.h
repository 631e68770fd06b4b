/* HDF5 helpers: self-describing datasets (every one with `units` and `description`),
 * string attributes, whole-array reads, and collective distributed writes. */
#ifndef LIFECIRCLE_H5IO_H
#define LIFECIRCLE_H5IO_H

#include <hdf5.h>
#include <mpi.h>
#include <stdint.h>

/* Creates a file for writing by this process alone (sec2 driver), truncating it.
 * Returns LC_OK or LC_EHDF5 (message names the path). Local. */
int h5io_create_serial(const char *path, hid_t *file);

/* Opens a file read-only by this process alone. Returns LC_OK, LC_EIO or LC_EHDF5. Local. */
int h5io_open_serial(const char *path, hid_t *file);

/* Creates a file with the MPI-IO driver on `comm`. Collective. */
int h5io_create_parallel(const char *path, MPI_Comm comm, hid_t *file);

/* Creates a group (and missing parents). Collective in parallel files. */
int h5io_group(hid_t loc, const char *path, hid_t *group);

/* Writes a string attribute (UTF-8, fixed length). Collective in parallel files. */
int h5io_attr_str(hid_t obj, const char *name, const char *value);

/* Writes a 64-bit integer attribute. Collective in parallel files. */
int h5io_attr_i64(hid_t obj, const char *name, int64_t value);

/* Writes a double attribute. Collective in parallel files. */
int h5io_attr_f64(hid_t obj, const char *name, double value);

/* Reads a string attribute into a newly allocated string. Local. */
int h5io_read_attr_str(hid_t obj, const char *name, char **value);

/* Element types of the dataset writers and readers. */
enum h5io_type { H5IO_I8, H5IO_I32, H5IO_I64, H5IO_F32, H5IO_F64 };

/* Writes a whole 1-D (ncols == 0) or 2-D (rows x ncols) dataset from this process, chunked
 * and deflated when large, with `units` and `description` attributes. Serial files only. */
int h5io_write(hid_t loc, const char *name, enum h5io_type type, const void *data, int64_t rows,
               int64_t ncols, const char *units, const char *description);

/* Writes a 1-D dataset of variable-length UTF-8 strings. Serial files only. */
int h5io_write_strings(hid_t loc, const char *name, char *const *data, int64_t n,
                       const char *description);

/* Writes a dataset distributed over the ranks of `comm`: this rank contributes `local_rows`
 * rows (times ncols columns when ncols > 0) placed at the exclusive-scan offset of the
 * ranks before it. Chunked and deflated (h5io_dset_create), written collectively in rounds of
 * at most 32 MiB per rank so that HDF5's buffers stay small (a rank with no rows still takes
 * part). Collective. */
int h5io_write_dist(hid_t loc, const char *name, enum h5io_type type, const void *data,
                    int64_t local_rows, int64_t ncols, const char *units, const char *description,
                    MPI_Comm comm);

/* Bytes aimed at per chunk by the dataset writers; also the slab unit of the results
 * checksums (see results.h). */
#define H5IO_SLAB_BYTES ((size_t)1 << 20)

/* Rows per chunk and per checksum slab of a dataset whose rows have `row_bytes` bytes:
 * max(1, H5IO_SLAB_BYTES / row_bytes). Depends on the row width only, never on the number of
 * ranks. Local. */
int64_t h5io_slab_rows(size_t row_bytes);

/* Sets the filters of every chunked dataset on a dataset creation property list: integers
 * get the scale-offset filter (lossless, minimum bits per chunk) then deflate level 1,
 * floating-point values shuffle then deflate level 1; no fill value is ever written. The
 * scale-offset filter packs the small integers of the per-node tables, so that deflate
 * sees several times fewer bytes (2.4x less CPU and 2-3x smaller than shuffle + deflate on
 * the NodeAccess tables). Local. */
void h5io_set_filters(hid_t dcpl, int floating);

/* The HDF5 file type (little-endian) of `type`. Local. */
hid_t h5io_file_type(enum h5io_type type);

/* Size in bytes of one element of `type`. Local. */
size_t h5io_type_size(enum h5io_type type);

/* Creates a rows x ncols dataset (ncols 0: 1-D) to be written in pieces: chunks of
 * h5io_slab_rows rows with every column, the filters of h5io_set_filters, no fill value ever
 * written (every element must be written). Collective in parallel files. */
int h5io_dset_create(hid_t loc, const char *name, enum h5io_type type, int64_t rows, int64_t ncols,
                     hid_t *dset);

/* Writes rows [start, start + count) of a dataset made by h5io_dset_create from `data`
 * (count x max(ncols, 1) values, row-major). With `collective` nonzero (parallel files) every
 * rank must call it the same number of times, a rank with nothing to write passing count 0;
 * with 0 the write is independent (serial files). */
int h5io_dset_write_rows(hid_t dset, const char *name, enum h5io_type type, int64_t start,
                         int64_t count, int64_t ncols, const void *data, int collective);

/* Checks a dataset against the file format table (include/lifecircle/format.h: its path,
 * type, rank and units must be listed) and sets its `units` ("1" when NULL) and
 * `description` (its name when NULL) attributes. Every writer of a dataset calls it. */
int h5io_describe(hid_t dset, const char *name, const char *units, const char *description);

/* Sets `units` and `description` on a dataset made by h5io_dset_create and closes it (also
 * on failure, when it only closes). Pass ok = LC_OK to describe, a failure status to only
 * close; returns the first failure. Collective in parallel files. */
int h5io_dset_finish(hid_t dset, const char *name, const char *units, const char *description,
                     int ok);

/* Opens the 1-D or 2-D dataset `name` under loc into *dset (close it with H5Dclose); *rows
 * and *ncols (0 for 1-D) receive its shape. Returns LC_OK, LC_EFORMAT (missing, or another
 * rank) or LC_EHDF5. Local (collective for a virtual dataset in a parallel file). */
int h5io_open_shape(hid_t loc, const char *name, hid_t *dset, int64_t *rows, int64_t *ncols);

/* Reads a whole dataset of `type` into a newly allocated array; *rows and *ncols (0 for 1-D)
 * receive its shape. Local. */
int h5io_read(hid_t loc, const char *name, enum h5io_type type, void **data, int64_t *rows,
              int64_t *ncols);

/* Reads a 1-D dataset of variable-length strings into a newly allocated array of newly
 * allocated strings. Local. */
int h5io_read_strings(hid_t loc, const char *name, char ***data, int64_t *n);

/* Nonzero when `path` exists under `loc`. */
int h5io_exists(hid_t loc, const char *path);

/* Silences HDF5's own error stack printing (our messages name what failed) and records,
 * from the stack of every failing call, a storage failure's cause for h5io_fail_cause. */
void h5io_quiet(void);

/* The errno (ENOSPC, EDQUOT, EIO, EROFS, EFBIG) of the first storage failure HDF5 reported
 * on this process since h5io_fail_reset, or 0. Local. */
int h5io_fail_cause(void);
void h5io_fail_reset(void);
void h5io_fail_set(int err);

/* ENOSPC when the file system holding `path` has less room than `need` bytes, the metadata
 * cache of `file` (an upper bound of what a flush writes) and a margin, else 0: HDF5 1.10
 * cannot recover from a write that fails inside a collective call or a metadata flush, so
 * a full disk is detected before each write. Local. */
int h5io_fail_room(hid_t file, const char *path, int64_t need);

/* The words for a cause of h5io_fail_cause ("disk full" for ENOSPC). */
const char *h5io_fail_text(int err);

/* Points this process's descriptors of `path` at an anonymous in-memory file, so that closing
 * an HDF5 file whose writes fail can succeed: HDF5 1.10 frees a file whose close fails yet
 * keeps its id, which crashes the library's shutdown in MPI_Finalize (CVE-2020-10812). The
 * file is to be removed afterwards. Local. */
void h5io_fail_detach(const char *path);

#endif
