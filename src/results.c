/* The results file: collective parallel writes under a temporary name. */
#include "lifecircle/results.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lifecircle/status.h"

int results_create(const char *path, int64_t n_nodes, MPI_Comm comm, struct results *res) {
  memset(res, 0, sizeof *res);
  res->comm = comm;
  res->n_nodes = n_nodes;
  res->file = -1;
  MPI_Comm_rank(comm, &res->rank);
  MPI_Comm_size(comm, &res->size);
  size_t len = strlen(path);
  res->path = strdup(path);
  res->tmp = malloc(len + 5);
  if (!res->path || !res->tmp) {
    free(res->path);
    free(res->tmp);
    LC_FAIL(LC_ENOMEM, "cannot allocate the results path");
  }
  snprintf(res->tmp, len + 5, "%s.tmp", path);
  int rc = h5io_create_parallel(res->tmp, comm, &res->file);
  if (rc != LC_OK) {
    free(res->path);
    free(res->tmp);
    res->path = res->tmp = NULL;
  }
  return rc;
}

int results_finish(struct results *res, int ok) {
  int rc = ok;
  if (res->file >= 0 && H5Fclose(res->file) < 0 && rc == LC_OK)
    rc = lc_error_set(LC_EHDF5, __FILE__, __LINE__, "%s: cannot close", res->tmp);
  res->file = -1;
  /* Every rank must know the close succeeded everywhere before rank 0 renames. */
  int worst = rc;
  MPI_Allreduce(&rc, &worst, 1, MPI_INT, MPI_MAX, res->comm);
  if (res->rank == 0 && res->tmp) {
    if (worst == LC_OK) {
      if (rename(res->tmp, res->path) != 0)
        worst = lc_error_set(LC_EIO, __FILE__, __LINE__, "%s: cannot rename to %s: %s",
                             res->tmp, res->path, strerror(errno));
    } else {
      unlink(res->tmp);
    }
  }
  MPI_Bcast(&worst, 1, MPI_INT, 0, res->comm);
  free(res->path);
  free(res->tmp);
  res->path = res->tmp = NULL;
  return rc != LC_OK ? rc : worst;
}

int results_write_global(struct results *res, const char *name, enum h5io_type type,
                         const void *data, int64_t rows, int64_t ncols, const char *units,
                         const char *description) {
  return h5io_write_dist(res->file, name, type, data, res->rank == 0 ? rows : 0, ncols, units,
                         description, res->comm);
}

int results_write_replicated(struct results *res, const char *name, enum h5io_type type,
                             const void *data, int64_t rows, int64_t ncols, const char *units,
                             const char *description) {
  int64_t lo = rows * res->rank / res->size, hi = rows * (res->rank + 1) / res->size;
  size_t width = (size_t)(ncols > 0 ? ncols : 1);
  size_t elem = type == H5IO_I8 ? 1 : (type == H5IO_I32 || type == H5IO_F32) ? 4 : 8;
  const char *p = (const char *)data + (size_t)lo * width * elem;
  return h5io_write_dist(res->file, name, type, p, hi - lo, ncols, units, description,
                         res->comm);
}

/* Creates a fixed-length string dataset of n strings that rank 0 fills. */
static int results_string_dset(struct results *res, const char *name, char *const *data,
                               int64_t n, int scalar, const char *description) {
  size_t width = 1;
  for (int64_t i = 0; i < n; i++) {
    size_t l = strlen(data[i]);
    if (l > width)
      width = l;
  }
  hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, width);
  H5Tset_cset(type, H5T_CSET_UTF8);
  H5Tset_strpad(type, H5T_STR_NULLPAD);
  hsize_t dims[1] = {(hsize_t)n};
  hid_t space = scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, dims, NULL);
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  hid_t dset = H5Dcreate2(res->file, name, type, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  H5Pclose(lcpl);
  char *buf = calloc((size_t)(n > 0 ? n : 1), width);
  herr_t st = dset < 0 || !buf ? -1 : 0;
  if (st == 0) {
    for (int64_t i = 0; i < n; i++)
      memcpy(buf + (size_t)i * width, data[i], strlen(data[i]));
    hid_t fspace = H5Dget_space(dset);
    hid_t mspace = H5Scopy(space);
    if (res->rank != 0 || n == 0) {
      H5Sselect_none(fspace);
      H5Sselect_none(mspace);
    }
    hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
    H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE);
    st = H5Dwrite(dset, type, mspace, fspace, dxpl, buf);
    H5Pclose(dxpl);
    H5Sclose(mspace);
    H5Sclose(fspace);
  }
  free(buf);
  int rc = LC_OK;
  if (st < 0)
    rc = lc_error_set(LC_EHDF5, __FILE__, __LINE__, "cannot write string dataset %s", name);
  if (rc == LC_OK)
    rc = h5io_attr_str(dset, "units", "1");
  if (rc == LC_OK)
    rc = h5io_attr_str(dset, "description", description);
  if (dset >= 0)
    H5Dclose(dset);
  H5Sclose(space);
  H5Tclose(type);
  return rc;
}

int results_write_strings(struct results *res, const char *name, char *const *data, int64_t n,
                          const char *description) {
  return results_string_dset(res, name, data, n, 0, description);
}

int results_write_text(struct results *res, const char *name, const char *text,
                       const char *description) {
  char *one[1] = {(char *)text};
  return results_string_dset(res, name, one, 1, 1, description);
}

int results_write_nodes(struct results *res, const char *name, enum h5io_type type,
                        int64_t n_owned, const int64_t *gid, const void *data, int64_t ncols,
                        const char *units, const char *description) {
  int P = res->size;
  int64_t N = res->n_nodes;
  size_t width = (size_t)(ncols > 0 ? ncols : 1), elem = 8;
  if (type != H5IO_I64 && type != H5IO_F64)
    LC_FAIL(LC_EINVARIANT, "results_write_nodes: %s must be int64 or float64", name);
  size_t rec = elem * (width + 1); /* Global id, then the values. */
  int *scount = calloc((size_t)P, sizeof *scount), *rcount = calloc((size_t)P, sizeof *rcount);
  int *sdispl = calloc((size_t)P, sizeof *sdispl), *rdispl = calloc((size_t)P, sizeof *rdispl);
  char *sbuf = malloc((size_t)(n_owned > 0 ? n_owned : 1) * rec);
  int64_t lo = N * res->rank / P, hi = N * (res->rank + 1) / P;
  char *block = malloc((size_t)(hi - lo > 0 ? hi - lo : 1) * width * elem);
  char *rbuf = NULL;
  int rc = LC_OK;
  if (!scount || !rcount || !sdispl || !rdispl || !sbuf || !block) {
    rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "cannot allocate buffers for %s", name);
    goto agree;
  }
  /* The owner of block row g is the largest r with N*r/P <= g. */
  int64_t *fill = calloc((size_t)P, sizeof *fill);
  if (!fill) {
    rc = LC_ENOMEM;
    goto agree;
  }
  int *dest = malloc((size_t)(n_owned > 0 ? n_owned : 1) * sizeof *dest);
  if (!dest) {
    free(fill);
    rc = LC_ENOMEM;
    goto agree;
  }
  for (int64_t i = 0; i < n_owned; i++) {
    int r = (int)((gid[i] * P + P - 1) / (N > 0 ? N : 1));
    while (r > 0 && N * r / P > gid[i])
      r--;
    while (r + 1 < P && N * (r + 1) / P <= gid[i])
      r++;
    dest[i] = r;
    fill[r]++;
  }
  for (int r = 0; r < P; r++) {
    if (fill[r] * (int64_t)rec > 2147483647) {
      rc = lc_error_set(LC_ETOOBIG, __FILE__, __LINE__,
                        "%s: %lld rows to one rank exceed MPI's int counts", name,
                        (long long)fill[r]);
      break;
    }
    scount[r] = (int)(fill[r] * (int64_t)rec);
    sdispl[r] = r ? sdispl[r - 1] + scount[r - 1] : 0;
  }
  if (rc == LC_OK) {
    memset(fill, 0, (size_t)P * sizeof *fill);
    for (int64_t i = 0; i < n_owned; i++) {
      char *p = sbuf + (size_t)sdispl[dest[i]] + (size_t)fill[dest[i]]++ * rec;
      memcpy(p, &gid[i], elem);
      memcpy(p + elem, (const char *)data + (size_t)i * width * elem, width * elem);
    }
  }
  free(dest);
  free(fill);
agree:;
  /* Every rank reaches this agreement, so an allocation failure on one cannot hang others. */
  int bad = rc != LC_OK;
  MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX, res->comm);
  if (bad) {
    if (rc == LC_OK)
      rc = lc_error_set(LC_ETOOBIG, __FILE__, __LINE__, "%s: another rank failed", name);
    goto done;
  }
  if (MPI_Alltoall(scount, 1, MPI_INT, rcount, 1, MPI_INT, res->comm) != MPI_SUCCESS) {
    rc = lc_error_set(LC_EMPI, __FILE__, __LINE__, "%s: MPI_Alltoall failed", name);
    goto done;
  }
  int64_t total = 0;
  for (int r = 0; r < P; r++) {
    rdispl[r] = (int)total;
    total += rcount[r];
  }
  if (total != (hi - lo) * (int64_t)rec) {
    rc = lc_error_set(LC_EINVARIANT, __FILE__, __LINE__,
                      "%s: rank %d received %lld rows for a block of %lld", name, res->rank,
                      (long long)(total / (int64_t)rec), (long long)(hi - lo));
  }
  rbuf = malloc((size_t)(total > 0 ? total : 1));
  if (!rbuf && rc == LC_OK)
    rc = LC_ENOMEM;
  if (rc == LC_OK &&
      MPI_Alltoallv(sbuf, scount, sdispl, MPI_BYTE, rbuf, rcount, rdispl, MPI_BYTE,
                    res->comm) != MPI_SUCCESS)
    rc = lc_error_set(LC_EMPI, __FILE__, __LINE__, "%s: MPI_Alltoallv failed", name);
  if (rc == LC_OK) {
    for (int64_t k = 0; k < total / (int64_t)rec; k++) {
      int64_t g;
      memcpy(&g, rbuf + (size_t)k * rec, elem);
      memcpy(block + (size_t)(g - lo) * width * elem, rbuf + (size_t)k * rec + elem,
             width * elem);
    }
  }
  bad = rc != LC_OK;
  MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX, res->comm);
  if (bad) {
    if (rc == LC_OK)
      rc = lc_error_set(LC_EINVARIANT, __FILE__, __LINE__, "%s: another rank failed", name);
    goto done;
  }
  rc = h5io_write_dist(res->file, name, type, block, hi - lo, ncols, units, description,
                       res->comm);
done:
  free(scount);
  free(rcount);
  free(sdispl);
  free(rdispl);
  free(sbuf);
  free(rbuf);
  free(block);
  return rc;
}

static int results_object(struct results *res, const char *obj, hid_t *id) {
  if (h5io_exists(res->file, obj)) {
    *id = H5Oopen(res->file, obj, H5P_DEFAULT);
    if (*id < 0)
      LC_FAIL(LC_EHDF5, "cannot open %s", obj);
    return LC_OK;
  }
  return h5io_group(res->file, obj, id);
}

int results_attr_str(struct results *res, const char *obj, const char *name, const char *value) {
  hid_t id;
  LC_CHECK(results_object(res, obj, &id));
  int rc = h5io_attr_str(id, name, value);
  H5Oclose(id);
  return rc;
}

int results_attr_i64(struct results *res, const char *obj, const char *name, int64_t value) {
  hid_t id;
  LC_CHECK(results_object(res, obj, &id));
  int rc = h5io_attr_i64(id, name, value);
  H5Oclose(id);
  return rc;
}
