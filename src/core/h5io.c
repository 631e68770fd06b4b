/* HDF5 helpers for self-describing files. */
#include "lifecircle/h5io.h"

#include <stdlib.h>
#include <string.h>

#include "lifecircle/agree.h"
#include "lifecircle/format.h"
#include "lifecircle/status.h"

#define H5IO_CHUNK_ROWS 65536

int h5io_create_serial(const char *path, hid_t *file) {
  *file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (*file < 0)
    LC_FAIL(LC_EHDF5, "%s: cannot create the HDF5 file", path);
  return LC_OK;
}

int h5io_open_serial(const char *path, hid_t *file) {
  FILE *f = fopen(path, "rb");
  if (!f)
    LC_FAIL(LC_EIO, "%s: cannot open", path);
  fclose(f);
  htri_t is = H5Fis_hdf5(path);
  if (is <= 0)
    LC_FAIL(LC_EFORMAT, "%s: not an HDF5 file", path);
  *file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (*file < 0)
    LC_FAIL(LC_EHDF5, "%s: cannot open the HDF5 file", path);
  return LC_OK;
}

int h5io_create_parallel(const char *path, MPI_Comm comm, hid_t *file) {
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (fapl < 0 || H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL) < 0) {
    if (fapl >= 0)
      H5Pclose(fapl);
    LC_FAIL(LC_EHDF5, "%s: cannot set up MPI-IO", path);
  }
  *file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  H5Pclose(fapl);
  if (*file < 0)
    LC_FAIL(LC_EHDF5, "%s: cannot create the HDF5 file", path);
  return LC_OK;
}

int h5io_group(hid_t loc, const char *path, hid_t *group) {
  if (h5io_exists(loc, path)) {
    *group = H5Gopen2(loc, path, H5P_DEFAULT);
  } else {
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    *group = H5Gcreate2(loc, path, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    H5Pclose(lcpl);
  }
  if (*group < 0)
    LC_FAIL(LC_EHDF5, "cannot create HDF5 group %s", path);
  return LC_OK;
}

int h5io_attr_str(hid_t obj, const char *name, const char *value) {
  hid_t type = H5Tcopy(H5T_C_S1);
  size_t len = strlen(value);
  H5Tset_size(type, len > 0 ? len : 1);
  H5Tset_cset(type, H5T_CSET_UTF8);
  H5Tset_strpad(type, H5T_STR_NULLPAD);
  hid_t space = H5Screate(H5S_SCALAR);
  if (H5Aexists(obj, name) > 0)
    H5Adelete(obj, name);
  hid_t attr = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  herr_t st = attr >= 0 ? H5Awrite(attr, type, len > 0 ? value : "") : -1;
  if (attr >= 0)
    H5Aclose(attr);
  H5Sclose(space);
  H5Tclose(type);
  if (st < 0)
    LC_FAIL(LC_EHDF5, "cannot write HDF5 attribute %s", name);
  return LC_OK;
}

static int h5io_attr_num(hid_t obj, const char *name, hid_t type, const void *value) {
  hid_t space = H5Screate(H5S_SCALAR);
  if (H5Aexists(obj, name) > 0)
    H5Adelete(obj, name);
  hid_t attr = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  herr_t st = attr >= 0 ? H5Awrite(attr, type, value) : -1;
  if (attr >= 0)
    H5Aclose(attr);
  H5Sclose(space);
  if (st < 0)
    LC_FAIL(LC_EHDF5, "cannot write HDF5 attribute %s", name);
  return LC_OK;
}

int h5io_attr_i64(hid_t obj, const char *name, int64_t value) {
  return h5io_attr_num(obj, name, H5T_NATIVE_INT64, &value);
}

int h5io_attr_f64(hid_t obj, const char *name, double value) {
  return h5io_attr_num(obj, name, H5T_NATIVE_DOUBLE, &value);
}

int h5io_read_attr_str(hid_t obj, const char *name, char **value) {
  *value = NULL;
  hid_t attr = H5Aopen(obj, name, H5P_DEFAULT);
  if (attr < 0)
    LC_FAIL(LC_EFORMAT, "HDF5 attribute %s is missing", name);
  hid_t ftype = H5Aget_type(attr);
  int rc = LC_OK;
  if (H5Tget_class(ftype) != H5T_STRING) {
    rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__, "HDF5 attribute %s is not a string", name);
  } else if (H5Tis_variable_str(ftype) > 0) {
    char *s = NULL;
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, H5T_VARIABLE);
    H5Tset_cset(mt, H5Tget_cset(ftype));
    if (H5Aread(attr, mt, &s) < 0 || !s)
      rc = lc_error_set(LC_EHDF5, __FILE__, __LINE__, "cannot read attribute %s", name);
    else {
      *value = strdup(s);
      H5free_memory(s);
    }
    H5Tclose(mt);
  } else {
    size_t len = H5Tget_size(ftype);
    char *s = calloc(len + 1, 1);
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, len + 1);
    H5Tset_strpad(mt, H5T_STR_NULLTERM);
    /* HDF5 does not convert between character sets: read in the attribute's own. */
    H5Tset_cset(mt, H5Tget_cset(ftype));
    if (!s || H5Aread(attr, mt, s) < 0) {
      free(s);
      rc = lc_error_set(LC_EHDF5, __FILE__, __LINE__, "cannot read attribute %s", name);
    } else {
      *value = s;
    }
    H5Tclose(mt);
  }
  H5Tclose(ftype);
  H5Aclose(attr);
  return rc;
}

static hid_t h5io_mem_type(enum h5io_type type) {
  switch (type) {
    case H5IO_I8:
      return H5T_NATIVE_INT8;
    case H5IO_I32:
      return H5T_NATIVE_INT32;
    case H5IO_I64:
      return H5T_NATIVE_INT64;
    case H5IO_F32:
      return H5T_NATIVE_FLOAT;
    default:
      return H5T_NATIVE_DOUBLE;
  }
}

hid_t h5io_file_type(enum h5io_type type) {
  switch (type) {
    case H5IO_I8:
      return H5T_STD_I8LE;
    case H5IO_I32:
      return H5T_STD_I32LE;
    case H5IO_I64:
      return H5T_STD_I64LE;
    case H5IO_F32:
      return H5T_IEEE_F32LE;
    default:
      return H5T_IEEE_F64LE;
  }
}

/* The table name of a dataset's type ("int64", "float64", "string"...), for the format
 * check. */
static const char *h5io_type_name(hid_t dset) {
  hid_t t = H5Dget_type(dset);
  const char *name = "unknown";
  if (t >= 0) {
    H5T_class_t c = H5Tget_class(t);
    size_t size = H5Tget_size(t);
    if (c == H5T_STRING)
      name = "string";
    else if (c == H5T_FLOAT && size == 8)
      name = "float64";
    else if (c == H5T_INTEGER && size == 8)
      name = "int64";
    else if (c == H5T_INTEGER && size == 4)
      name = "int32";
    else if (c == H5T_INTEGER && size == 1)
      name = "int8";
    H5Tclose(t);
  }
  return name;
}

int h5io_describe(hid_t dset, const char *name, const char *units, const char *description) {
  char path[1024];
  ssize_t len = H5Iget_name(dset, path, sizeof path);
  if (len <= 0 || (size_t)len >= sizeof path)
    return lc_error_set(LC_EHDF5, __FILE__, __LINE__, "cannot read the path of dataset %s", name);
  hid_t space = H5Dget_space(dset);
  int rank = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
  if (space >= 0)
    H5Sclose(space);
  LC_CHECK(format_check(path, h5io_type_name(dset), rank, units ? units : "1"));
  int rc = h5io_attr_str(dset, "units", units ? units : "1");
  if (rc == LC_OK)
    rc = h5io_attr_str(dset, "description", description ? description : name);
  return rc;
}

int64_t h5io_slab_rows(size_t row_bytes) {
  if (row_bytes == 0 || row_bytes >= H5IO_SLAB_BYTES)
    return 1;
  return (int64_t)(H5IO_SLAB_BYTES / row_bytes);
}

size_t h5io_type_size(enum h5io_type type) {
  switch (type) {
    case H5IO_I8:
      return 1;
    case H5IO_I32:
    case H5IO_F32:
      return 4;
    default:
      return 8;
  }
}

void h5io_set_filters(hid_t dcpl, int floating) {
  if (floating)
    H5Pset_shuffle(dcpl);
  else
    H5Pset_scaleoffset(dcpl, H5Z_SO_INT, H5Z_SO_INT_MINBITS_DEFAULT);
  H5Pset_deflate(dcpl, 1);
  H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER);
}

/* Creates a dataset of rows x ncols; chunked and deflated when `chunked`. Chunks hold
 * h5io_slab_rows rows (about 1 MiB) with every column. No fill value is ever written: every
 * writer covers every element, and in parallel files (where HDF5 allocates chunks at
 * creation) this saves compressing and writing fill chunks. */
static hid_t h5io_create_dset(hid_t loc, const char *name, enum h5io_type type, int64_t rows,
                              int64_t ncols, int chunked) {
  int rank = ncols > 0 ? 2 : 1;
  hsize_t dims[2] = {(hsize_t)rows, (hsize_t)(ncols > 0 ? ncols : 1)};
  hid_t space = H5Screate_simple(rank, dims, NULL);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  if (chunked && rows > 0) {
    int64_t per = h5io_slab_rows(h5io_type_size(type) * (size_t)dims[1]);
    hsize_t chunk[2] = {(hsize_t)(rows < per ? rows : per), dims[1]};
    H5Pset_chunk(dcpl, rank, chunk);
    h5io_set_filters(dcpl, type == H5IO_F32 || type == H5IO_F64);
  }
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  hid_t dset = H5Dcreate2(loc, name, h5io_file_type(type), space, lcpl, dcpl, H5P_DEFAULT);
  H5Pclose(lcpl);
  H5Pclose(dcpl);
  H5Sclose(space);
  return dset;
}

int h5io_dset_create(hid_t loc, const char *name, enum h5io_type type, int64_t rows, int64_t ncols,
                     hid_t *dset) {
  *dset = h5io_create_dset(loc, name, type, rows, ncols, 1);
  if (*dset < 0)
    LC_FAIL(LC_EHDF5, "cannot create HDF5 dataset %s", name);
  return LC_OK;
}

int h5io_dset_write_rows(hid_t dset, const char *name, enum h5io_type type, int64_t start,
                         int64_t count, int64_t ncols, const void *data, int collective) {
  int nd = ncols > 0 ? 2 : 1;
  hsize_t off[2] = {(hsize_t)start, 0};
  hsize_t cnt[2] = {(hsize_t)(count > 0 ? count : 1), (hsize_t)(ncols > 0 ? ncols : 1)};
  hid_t fspace = H5Dget_space(dset);
  hid_t mspace = H5Screate_simple(nd, cnt, NULL);
  hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
  herr_t st = fspace < 0 || mspace < 0 || dxpl < 0 ? -1 : 0;
  if (st == 0 && count > 0) {
    st = H5Sselect_hyperslab(fspace, H5S_SELECT_SET, off, NULL, cnt, NULL);
  } else if (st == 0) {
    H5Sselect_none(fspace);
    H5Sselect_none(mspace);
  }
  if (st >= 0 && collective)
    st = H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE);
  static const char empty[8];
  if (st >= 0 && (collective || count > 0))
    st = H5Dwrite(dset, h5io_mem_type(type), mspace, fspace, dxpl,
                  count > 0 ? data : (const void *)empty);
  if (dxpl >= 0)
    H5Pclose(dxpl);
  if (mspace >= 0)
    H5Sclose(mspace);
  if (fspace >= 0)
    H5Sclose(fspace);
  if (st < 0)
    LC_FAIL(LC_EHDF5, "cannot write rows %lld..%lld of dataset %s", (long long)start,
            (long long)(start + count - 1), name);
  return LC_OK;
}

int h5io_dset_finish(hid_t dset, const char *name, const char *units, const char *description,
                     int ok) {
  int rc = ok;
  if (rc == LC_OK)
    rc = h5io_describe(dset, name, units, description);
  if (H5Dclose(dset) < 0 && rc == LC_OK)
    rc = lc_error_set(LC_EHDF5, __FILE__, __LINE__, "cannot close dataset %s", name);
  return rc;
}

int h5io_write(hid_t loc, const char *name, enum h5io_type type, const void *data, int64_t rows,
               int64_t ncols, const char *units, const char *description) {
  hid_t dset = h5io_create_dset(loc, name, type, rows, ncols, rows >= 1024);
  if (dset < 0)
    LC_FAIL(LC_EHDF5, "cannot create HDF5 dataset %s", name);
  herr_t st = 0;
  if (rows > 0)
    st = H5Dwrite(dset, h5io_mem_type(type), H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
  int rc = st < 0 ? lc_error_set(LC_EHDF5, __FILE__, __LINE__, "cannot write dataset %s", name)
                  : h5io_describe(dset, name, units, description);
  H5Dclose(dset);
  return rc;
}

int h5io_write_strings(hid_t loc, const char *name, char *const *data, int64_t n,
                       const char *description) {
  hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  hsize_t dims[1] = {(hsize_t)n};
  hid_t space = H5Screate_simple(1, dims, NULL);
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  hid_t dset = H5Dcreate2(loc, name, type, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  H5Pclose(lcpl);
  herr_t st = dset < 0 ? -1 : 0;
  if (dset >= 0 && n > 0)
    st = H5Dwrite(dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
  int rc = st < 0 ? lc_error_set(LC_EHDF5, __FILE__, __LINE__, "cannot write dataset %s", name)
                  : h5io_describe(dset, name, "1", description);
  if (dset >= 0)
    H5Dclose(dset);
  H5Sclose(space);
  H5Tclose(type);
  return rc;
}

/* Rows each rank writes per collective call of h5io_write_dist: HDF5 keeps the compressed
 * chunks of one call in memory until the call ends. */
#define H5IO_ROUND_BYTES ((size_t)32 << 20)

int h5io_write_dist(hid_t loc, const char *name, enum h5io_type type, const void *data,
                    int64_t local_rows, int64_t ncols, const char *units, const char *description,
                    MPI_Comm comm) {
  long long mine = local_rows, before = 0, total = 0;
  int rank;
  if (MPI_Comm_rank(comm, &rank) != MPI_SUCCESS ||
      MPI_Exscan(&mine, &before, 1, MPI_LONG_LONG, MPI_SUM, comm) != MPI_SUCCESS ||
      MPI_Allreduce(&mine, &total, 1, MPI_LONG_LONG, MPI_SUM, comm) != MPI_SUCCESS)
    LC_FAIL(LC_EMPI, "cannot compute the offsets of dataset %s", name);
  if (rank == 0)
    before = 0; /* MPI_Exscan leaves rank 0's result undefined. */
  hid_t dset;
  LC_CHECK(h5io_dset_create(loc, name, type, total, ncols, &dset));
  size_t row_bytes = h5io_type_size(type) * (size_t)(ncols > 0 ? ncols : 1);
  int64_t per = (int64_t)(H5IO_ROUND_BYTES / row_bytes);
  if (per < 1)
    per = 1;
  long long rounds = (local_rows + per - 1) / per, most = 0;
  int rc = LC_OK;
  if (MPI_Allreduce(&rounds, &most, 1, MPI_LONG_LONG, MPI_MAX, comm) != MPI_SUCCESS)
    rc = lc_error_set(LC_EMPI, __FILE__, __LINE__, "cannot agree on the rounds of %s", name);
  for (long long r = 0; r < most && rc == LC_OK; r++) {
    int64_t a = r * per < local_rows ? r * per : local_rows;
    int64_t b = a + per < local_rows ? a + per : local_rows;
    rc = h5io_dset_write_rows(dset, name, type, before + a, b - a, ncols,
                              (const char *)data + (size_t)a * row_bytes, 1);
    /* A rank that failed stops every rank before the next collective write. */
    int worst = lc_worst(comm, rc);
    if (worst != LC_OK && rc == LC_OK)
      rc = lc_error_set(worst, __FILE__, __LINE__, "%s: another rank failed to write", name);
  }
  return h5io_dset_finish(dset, name, units, description, rc);
}

int h5io_open_shape(hid_t loc, const char *name, hid_t *dset, int64_t *rows, int64_t *ncols) {
  *dset = -1;
  if (!h5io_exists(loc, name))
    LC_FAIL(LC_EFORMAT, "HDF5 dataset %s is missing", name);
  hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
  if (d < 0)
    LC_FAIL(LC_EHDF5, "cannot open HDF5 dataset %s", name);
  hid_t space = H5Dget_space(d);
  int nd = space < 0 ? -1 : H5Sget_simple_extent_ndims(space);
  hsize_t dims[2] = {0, 0};
  if (nd < 1 || nd > 2) {
    if (space >= 0)
      H5Sclose(space);
    H5Dclose(d);
    LC_FAIL(LC_EFORMAT, "HDF5 dataset %s has %d dimensions, expected 1 or 2", name, nd);
  }
  H5Sget_simple_extent_dims(space, dims, NULL);
  H5Sclose(space);
  *dset = d;
  *rows = (int64_t)dims[0];
  *ncols = nd == 2 ? (int64_t)dims[1] : 0;
  return LC_OK;
}

int h5io_read(hid_t loc, const char *name, enum h5io_type type, void **data, int64_t *rows,
              int64_t *ncols) {
  *data = NULL;
  hid_t dset;
  int64_t nr = 0, nc = 0;
  LC_CHECK(h5io_open_shape(loc, name, &dset, &nr, &nc));
  size_t count = (size_t)nr * (nc > 0 ? (size_t)nc : 1);
  void *buf = malloc((count > 0 ? count : 1) * h5io_type_size(type));
  if (!buf) {
    H5Dclose(dset);
    LC_FAIL(LC_ENOMEM, "cannot allocate dataset %s", name);
  }
  herr_t st =
      count > 0 ? H5Dread(dset, h5io_mem_type(type), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) : 0;
  H5Dclose(dset);
  if (st < 0) {
    free(buf);
    LC_FAIL(LC_EHDF5, "cannot read HDF5 dataset %s", name);
  }
  *data = buf;
  *rows = nr;
  *ncols = nc;
  return LC_OK;
}

int h5io_read_strings(hid_t loc, const char *name, char ***data, int64_t *n) {
  *data = NULL;
  *n = 0;
  if (!h5io_exists(loc, name))
    LC_FAIL(LC_EFORMAT, "HDF5 dataset %s is missing", name);
  hid_t dset = H5Dopen2(loc, name, H5P_DEFAULT);
  hid_t space = H5Dget_space(dset);
  hsize_t dims[1] = {0};
  H5Sget_simple_extent_dims(space, dims, NULL);
  hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  hid_t ftype = H5Dget_type(dset);
  H5Tset_cset(type, H5Tget_cset(ftype));
  H5Tclose(ftype);
  char **raw = calloc(dims[0] + 1, sizeof *raw);
  char **out = calloc(dims[0] + 1, sizeof *out);
  int rc = LC_OK;
  if (!raw || !out) {
    rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "cannot allocate dataset %s", name);
  } else if (dims[0] > 0 && H5Dread(dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) < 0) {
    rc = lc_error_set(LC_EHDF5, __FILE__, __LINE__, "cannot read HDF5 dataset %s", name);
  } else {
    for (hsize_t i = 0; i < dims[0]; i++) {
      out[i] = strdup(raw[i] ? raw[i] : "");
      if (!out[i])
        rc = LC_ENOMEM;
    }
    if (dims[0] > 0)
      H5Dvlen_reclaim(type, space, H5P_DEFAULT, raw);
  }
  free(raw);
  H5Tclose(type);
  H5Sclose(space);
  H5Dclose(dset);
  if (rc != LC_OK) {
    if (out)
      for (hsize_t i = 0; i < dims[0]; i++)
        free(out[i]);
    free(out);
    return rc;
  }
  *data = out;
  *n = (int64_t)dims[0];
  return LC_OK;
}

int h5io_exists(hid_t loc, const char *path) {
  /* Check every prefix: H5Lexists fails when an intermediate group is missing. */
  char buf[1024];
  size_t len = strlen(path);
  if (len >= sizeof buf)
    return 0;
  memcpy(buf, path, len + 1);
  for (size_t i = 1; i <= len; i++) {
    if (buf[i] == '/' || buf[i] == '\0') {
      char saved = buf[i];
      buf[i] = '\0';
      if (H5Lexists(loc, buf, H5P_DEFAULT) <= 0)
        return 0;
      buf[i] = saved;
    }
  }
  return 1;
}
