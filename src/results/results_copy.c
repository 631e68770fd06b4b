/* Checksums of result groups and copies of complete scenarios from an earlier file. */
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifecircle/agree.h"
#include "lifecircle/alloc.h"
#include "lifecircle/results.h"
#include "lifecircle/status.h"
#include "results_internal.h"

/* The dataset paths and the subgroup paths under a group, in name order. */
struct results_list {
  int n, cap;
  char **path;
  int ng, gcap;
  char **gpath;
};

/* Appends a copy of s to a growable list of strings. Returns 0, or -1 when out of memory. */
static int results_list_push(char ***list, int *n, int *cap, const char *s) {
  if (*n == *cap) {
    int c = *cap ? 2 * *cap : 32;
    char **p = realloc(*list, (size_t)c * sizeof *p);
    if (!p)
      return -1;
    *list = p;
    *cap = c;
  }
  (*list)[*n] = strdup(s);
  return (*list)[(*n)++] ? 0 : -1;
}

static herr_t results_list_add(hid_t obj, const char *name, const H5O_info_t *oi, void *arg) {
  (void)obj;
  struct results_list *l = arg;
  if (oi->type == H5O_TYPE_DATASET)
    return results_list_push(&l->path, &l->n, &l->cap, name);
  if (oi->type == H5O_TYPE_GROUP && strcmp(name, ".") != 0)
    return results_list_push(&l->gpath, &l->ng, &l->gcap, name);
  return 0;
}

static void results_list_free(struct results_list *l) {
  for (int i = 0; i < l->n; i++)
    free(l->path[i]);
  for (int i = 0; i < l->ng; i++)
    free(l->gpath[i]);
  free(l->path);
  free(l->gpath);
  memset(l, 0, sizeof *l);
}

static int results_list_make(hid_t file, const char *group, struct results_list *l) {
  memset(l, 0, sizeof *l);
  hid_t g = H5Gopen2(file, group, H5P_DEFAULT);
  if (g < 0)
    LC_FAIL(LC_EHDF5, "cannot open group %s", group);
  herr_t st = H5Ovisit2(g, H5_INDEX_NAME, H5_ITER_INC, results_list_add, l, H5O_INFO_BASIC);
  H5Gclose(g);
  if (st < 0) {
    results_list_free(l);
    LC_FAIL(LC_EHDF5, "cannot list group %s", group);
  }
  return LC_OK;
}

/* Row bytes and slab rows of a dataset for the checksum (a scalar is one row). */
static int64_t results_slab_of(int nd, const hsize_t *dims, size_t size, size_t *row_bytes) {
  size_t rb = size;
  for (int k = 1; k < nd; k++)
    rb *= (size_t)dims[k];
  *row_bytes = rb;
  return h5io_slab_rows(rb);
}

/* The data digest of dataset d (see results.h), read slab by slab in the file's type. */
static int results_read_digest(hid_t d, hid_t type, int nd, const hsize_t *dims, const char *path,
                               uint8_t out[32]) {
  size_t row_bytes;
  int64_t slab = results_slab_of(nd, dims, H5Tget_size(type), &row_bytes);
  int64_t rows = nd > 0 ? (int64_t)dims[0] : 1;
  int64_t per = slab < rows ? slab : rows;
  char *buf = lc_malloc_array(per, row_bytes);
  if (!buf)
    LC_FAIL(LC_ENOMEM, "cannot read %s", path);
  struct sha256_ctx all, one;
  sha256_init(&all);
  int rc = LC_OK;
  hid_t fspace = H5Dget_space(d);
  for (int64_t s = 0; s < rows && rc == LC_OK; s += slab) {
    int64_t e = s + slab < rows ? s + slab : rows;
    herr_t st;
    if (nd == 0) {
      st = H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
    } else {
      hsize_t start[8] = {0}, count[8];
      for (int k = 0; k < nd; k++)
        count[k] = dims[k];
      start[0] = (hsize_t)s;
      count[0] = (hsize_t)(e - s);
      hid_t ms = H5Screate_simple(nd, count, NULL);
      st = H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL);
      if (st >= 0)
        st = H5Dread(d, type, ms, fspace, H5P_DEFAULT, buf);
      H5Sclose(ms);
    }
    if (st < 0) {
      rc = lc_error_set(LC_EHDF5, __FILE__, __LINE__, "cannot read %s", path);
      break;
    }
    uint8_t dig[32];
    sha256_init(&one);
    sha256_update(&one, (size_t)(e - s) * row_bytes, (const uint8_t *)buf);
    sha256_digest(&one, 32, dig);
    sha256_update(&all, 32, dig);
  }
  H5Sclose(fspace);
  free(buf);
  if (rc == LC_OK)
    sha256_digest(&all, 32, out);
  return rc;
}

/* The digest recorded while writing `path`, or NULL. */
static const uint8_t *results_recorded(const struct results *res, const char *path) {
  for (int i = 0; res && i < res->n_digests; i++)
    if (!strcmp(res->digests[i].path, path))
      return res->digests[i].sha;
  return NULL;
}

/* The checksum of `group`; the reader takes data digests from `res` where recorded. */
static int results_checksum_impl(hid_t file, const char *group, int reader, MPI_Comm comm,
                                 const struct results *res, char out[65]) {
  struct results_list l;
  int rc = results_list_make(file, group, &l);
  struct sha256_ctx ctx;
  sha256_init(&ctx);
  for (int i = 0; i < l.n && rc == LC_OK; i++) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", group, l.path[i]);
    hid_t d = H5Dopen2(file, path, H5P_DEFAULT);
    if (d < 0) {
      rc = lc_error_set(LC_EHDF5, __FILE__, __LINE__, "cannot open %s", path);
      break;
    }
    hid_t type = H5Dget_type(d), space = H5Dget_space(d);
    hsize_t dims[8] = {0};
    int nd = H5Sget_simple_extent_ndims(space);
    if (nd > 8)
      nd = 8;
    if (nd > 0)
      H5Sget_simple_extent_dims(space, dims, NULL);
    hssize_t count = H5Sget_simple_extent_npoints(space);
    size_t size = H5Tget_size(type);
    /* Every rank reads the layout (reading a virtual dataset's is collective in a parallel
     * file); the reader hashes. */
    int virt = 0, nm = 0;
    int64_t fill = 0;
    struct results_vmap *maps = NULL;
    rc = results_vmaps_get(d, path, &virt, &maps, &nm, &fill);
    if (reader && rc == LC_OK) {
      int64_t head[4] = {(int64_t)H5Tget_class(type), (int64_t)size, nd, (int64_t)count};
      sha256_update(&ctx, strlen(l.path[i]) + 1, (const uint8_t *)l.path[i]);
      sha256_update(&ctx, sizeof head, (const uint8_t *)head);
      sha256_update(&ctx, (size_t)nd * sizeof dims[0], (const uint8_t *)dims);
      if (count > 0) {
        uint8_t dig[32];
        const uint8_t *known = results_recorded(res, path);
        if (!known) {
          if (virt)
            rc = results_vmaps_digest(file, group, path, nd, maps, nm, fill, dig);
          else
            rc = results_read_digest(d, type, nd, dims, path, dig);
          known = dig;
        }
        if (rc == LC_OK)
          sha256_update(&ctx, 32, known);
      }
    }
    results_vmaps_free(maps, nm);
    H5Tclose(type);
    H5Sclose(space);
    H5Dclose(d);
  }
  results_list_free(&l);
  uint8_t dig[SHA256_DIGEST_SIZE];
  sha256_digest(&ctx, SHA256_DIGEST_SIZE, dig);
  for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
    snprintf(out + 2 * i, 3, "%02x", dig[i]);
  int worst = lc_worst(comm, rc);
  if (MPI_Bcast(out, 65, MPI_CHAR, 0, comm) != MPI_SUCCESS && rc == LC_OK)
    rc = lc_error_set(LC_EMPI, __FILE__, __LINE__, "checksum of %s: MPI_Bcast failed", group);
  if (worst != LC_OK && rc == LC_OK)
    rc = lc_error_set(worst, __FILE__, __LINE__, "checksum of %s failed on another rank", group);
  return rc;
}

int results_checksum(hid_t file, const char *group, int reader, MPI_Comm comm, char out[65]) {
  return results_checksum_impl(file, group, reader, comm, NULL, out);
}

int results_checksum_written(struct results *res, const char *group, char out[65]) {
  /* Rank 0 looks for datasets written without a digest: those are read back, after a flush
   * so that rank 0 sees what every rank wrote. (Virtual datasets always have a digest: rank
   * 0 alone must not open one, which is collective in a parallel file.) */
  int missing = 0, rc = LC_OK;
  if (res->rank == 0) {
    struct results_list l;
    rc = results_list_make(res->file, group, &l);
    for (int i = 0; i < l.n && rc == LC_OK && !missing; i++) {
      char path[1024];
      snprintf(path, sizeof path, "%s/%s", group, l.path[i]);
      if (!results_recorded(res, path)) {
        hid_t d = H5Dopen2(res->file, path, H5P_DEFAULT);
        hid_t sp = d >= 0 ? H5Dget_space(d) : -1;
        missing = sp < 0 || H5Sget_simple_extent_npoints(sp) > 0;
        if (sp >= 0)
          H5Sclose(sp);
        if (d >= 0)
          H5Dclose(d);
      }
    }
    if (rc == LC_OK)
      results_list_free(&l);
  }
  int flags[2] = {rc, missing};
  LC_MPI_CHECK(MPI_Bcast(flags, 2, MPI_INT, 0, res->comm));
  if (flags[0] != LC_OK)
    return rc != LC_OK ? rc : lc_error_set(flags[0], __FILE__, __LINE__, "cannot list %s", group);
  if (flags[1]) {
    if (H5Fflush(res->file, H5F_SCOPE_GLOBAL) < 0)
      rc = lc_error_set(LC_EHDF5, __FILE__, __LINE__, "%s: cannot flush", res->tmp);
    int worst = lc_worst(res->comm, rc);
    if (worst != LC_OK)
      return rc != LC_OK ? rc
                         : lc_error_set(worst, __FILE__, __LINE__, "%s: flush failed", res->tmp);
  }
  if (rc == LC_OK)
    rc = results_checksum_impl(res->file, group, res->rank == 0, res->comm, res, out);
  int st = results_digest_begin(res, NULL);
  return rc != LC_OK ? rc : st;
}

/* A growable byte blob for broadcasting the structure of a group. */
struct results_blob {
  char *data;
  size_t len, cap;
};

static int results_blob_put(struct results_blob *b, const void *p, size_t n) {
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? 2 * b->cap : 4096;
    while (cap < b->len + n)
      cap *= 2;
    char *q = realloc(b->data, cap);
    if (!q)
      return LC_ENOMEM;
    b->data = q;
    b->cap = cap;
  }
  memcpy(b->data + b->len, p, n);
  b->len += n;
  return LC_OK;
}

static int results_blob_str(struct results_blob *b, const char *s) {
  uint64_t n = strlen(s) + 1;
  LC_CHECK(results_blob_put(b, &n, sizeof n));
  return results_blob_put(b, s, n);
}

static const char *results_blob_get(const char **p, size_t *len) {
  uint64_t n;
  memcpy(&n, *p, sizeof n);
  *p += sizeof n;
  const char *s = *p;
  *p += n;
  if (len)
    *len = n;
  return s;
}

/* Reads a string attribute or returns "". */
static char *results_attr_or_empty(hid_t obj, const char *name) {
  char *v = NULL;
  if (H5Aexists(obj, name) > 0 && h5io_read_attr_str(obj, name, &v) == LC_OK)
    return v;
  return strdup("");
}

/* Puts the attributes (integer or string) of object g into the description: their number,
 * then name, kind (1: string) and value of each. */
static int results_describe_attrs(hid_t g, struct results_blob *b) {
  H5O_info_t info;
  H5Oget_info(g, &info);
  uint64_t na = info.num_attrs;
  int rc = results_blob_put(b, &na, sizeof na);
  for (uint64_t a = 0; a < na && rc == LC_OK; a++) {
    char name[256];
    H5Aget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, a, name, sizeof name, H5P_DEFAULT);
    hid_t at = H5Aopen(g, name, H5P_DEFAULT);
    hid_t t = H5Aget_type(at);
    int64_t kind = H5Tget_class(t) == H5T_STRING ? 1 : 0;
    rc = results_blob_str(b, name);
    if (rc == LC_OK)
      rc = results_blob_put(b, &kind, sizeof kind);
    if (rc == LC_OK && kind) {
      char *v = NULL;
      rc = h5io_read_attr_str(g, name, &v);
      if (rc == LC_OK)
        rc = results_blob_str(b, v);
      free(v);
    } else if (rc == LC_OK) {
      int64_t v = 0;
      H5Aread(at, H5T_NATIVE_INT64, &v);
      rc = results_blob_put(b, &v, sizeof v);
    }
    H5Tclose(t);
    H5Aclose(at);
  }
  return rc;
}

/* Sets the attributes of a description block at *p on object g and moves *p past the block:
 * all of them (which = 2), all but `complete` (0), only `complete` (1) or none (-1: only
 * moves *p). */
static int results_apply_attrs(hid_t g, const char **p, int which) {
  uint64_t na;
  memcpy(&na, *p, sizeof na);
  *p += sizeof na;
  int rc = LC_OK;
  for (uint64_t a = 0; a < na; a++) {
    const char *name = results_blob_get(p, NULL);
    int64_t kind;
    memcpy(&kind, *p, sizeof kind);
    *p += sizeof kind;
    int wanted = which == 2 || (which >= 0 && which == !strcmp(name, "complete"));
    if (kind) {
      const char *v = results_blob_get(p, NULL);
      if (wanted && rc == LC_OK)
        rc = h5io_attr_str(g, name, v);
    } else {
      int64_t v;
      memcpy(&v, *p, sizeof v);
      *p += sizeof v;
      if (wanted && rc == LC_OK)
        rc = h5io_attr_i64(g, name, v);
    }
  }
  return rc;
}

/* Rank 0 describes the group: its attributes, then the datasets, then every subgroup's path
 * and attributes. */
static int results_describe(hid_t src, const char *group, struct results_list *l,
                            struct results_blob *b) {
  hid_t g = H5Gopen2(src, group, H5P_DEFAULT);
  if (g < 0)
    LC_FAIL(LC_EHDF5, "cannot open group %s of the earlier results", group);
  int rc = results_describe_attrs(g, b);
  H5Gclose(g);
  uint64_t nd = (uint64_t)l->n;
  if (rc == LC_OK)
    rc = results_blob_put(b, &nd, sizeof nd);
  for (int i = 0; i < l->n && rc == LC_OK; i++) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", group, l->path[i]);
    hid_t d = H5Dopen2(src, path, H5P_DEFAULT);
    if (d < 0)
      LC_FAIL(LC_EHDF5, "cannot open %s of the earlier results", path);
    hid_t t = H5Dget_type(d), sp = H5Dget_space(d);
    size_t tlen = 0;
    H5Tencode(t, NULL, &tlen);
    char *tbuf = malloc(tlen);
    hsize_t dims[8] = {0};
    int64_t rank = H5Sget_simple_extent_ndims(sp);
    if (rank > 0)
      H5Sget_simple_extent_dims(sp, dims, NULL);
    char *units = results_attr_or_empty(d, "units"),
         *desc = results_attr_or_empty(d, "description");
    char *mapping = results_attr_or_empty(d, "mapping");
    int virt = 0, nm = 0;
    int64_t fill = 0;
    struct results_vmap *maps = NULL;
    rc = results_vmaps_get(d, path, &virt, &maps, &nm, &fill);
    if (rc != LC_OK) {
      /* Reported as is. */
    } else if (!tbuf || H5Tencode(t, tbuf, &tlen) < 0) {
      rc = LC_ENOMEM;
    } else {
      uint64_t tl = tlen;
      rc = results_blob_str(b, path);
      if (rc == LC_OK)
        rc = results_blob_put(b, &tl, sizeof tl);
      if (rc == LC_OK)
        rc = results_blob_put(b, tbuf, tlen);
      if (rc == LC_OK)
        rc = results_blob_put(b, &rank, sizeof rank);
      if (rc == LC_OK)
        rc = results_blob_put(b, dims, sizeof dims);
      if (rc == LC_OK)
        rc = results_blob_str(b, units ? units : "");
      if (rc == LC_OK)
        rc = results_blob_str(b, desc ? desc : "");
      /* A virtual dataset travels as its mapping (see results_vmap). */
      int64_t vhead[3] = {virt, fill, nm};
      if (rc == LC_OK)
        rc = results_blob_put(b, vhead, sizeof vhead);
      for (int i = 0; i < nm && rc == LC_OK; i++) {
        rc = results_blob_str(b, maps[i].src);
        hsize_t box[8] = {maps[i].vstart[0], maps[i].vstart[1], maps[i].vcount[0],
                          maps[i].vcount[1], maps[i].sstart[0], maps[i].sstart[1],
                          maps[i].scount[0], maps[i].scount[1]};
        if (rc == LC_OK)
          rc = results_blob_put(b, box, sizeof box);
      }
      if (rc == LC_OK && virt)
        rc = results_blob_str(b, mapping ? mapping : "");
    }
    results_vmaps_free(maps, nm);
    free(mapping);
    free(units);
    free(desc);
    free(tbuf);
    H5Tclose(t);
    H5Sclose(sp);
    H5Dclose(d);
  }
  uint64_t ng = (uint64_t)l->ng;
  if (rc == LC_OK)
    rc = results_blob_put(b, &ng, sizeof ng);
  for (int i = 0; i < l->ng && rc == LC_OK; i++) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", group, l->gpath[i]);
    hid_t sg = H5Gopen2(src, path, H5P_DEFAULT);
    if (sg < 0)
      LC_FAIL(LC_EHDF5, "cannot open %s of the earlier results", path);
    rc = results_blob_str(b, l->gpath[i]);
    if (rc == LC_OK)
      rc = results_describe_attrs(sg, b);
    H5Gclose(sg);
  }
  return rc;
}

/* Recreates a virtual dataset from its description (mappings, then the mapping text) at *p,
 * which it moves past them. Collective. */
static int results_copy_virtual(struct results *res, const char *path, hid_t type, int nd,
                                const hsize_t *dims, int64_t fill, int nm, const char **p,
                                const char *units, const char *desc) {
  struct results_vmap *maps = lc_calloc_array(nm, sizeof *maps);
  if (!maps)
    LC_FAIL(LC_ENOMEM, "cannot copy %s", path);
  for (int i = 0; i < nm; i++) {
    maps[i].src = (char *)results_blob_get(p, NULL);
    hsize_t box[8];
    memcpy(box, *p, sizeof box);
    *p += sizeof box;
    for (int k = 0; k < 2; k++) {
      maps[i].vstart[k] = box[k];
      maps[i].vcount[k] = box[2 + k];
      maps[i].sstart[k] = box[4 + k];
      maps[i].scount[k] = box[6 + k];
    }
  }
  const char *mapping = results_blob_get(p, NULL);
  hid_t d = -1;
  int rc = results_vmaps_create(res->file, path, type, nd, dims, maps, nm, fill, &d);
  free(maps); /* The source names live in the description. */
  if (rc == LC_OK)
    rc = h5io_describe(d, path, units, desc);
  if (rc == LC_OK)
    rc = h5io_attr_str(d, "mapping", mapping);
  if (d >= 0)
    H5Dclose(d);
  return rc;
}

int results_copy_group(struct results *res, hid_t src, const char *group) {
  struct results_blob b = {0};
  struct results_list l = {0};
  int rc = LC_OK;
  LC_CHECK(results_room(res, 0));
  if (res->rank == 0) {
    rc = results_list_make(src, group, &l);
    if (rc == LC_OK)
      rc = results_describe(src, group, &l, &b);
  }
  uint64_t len = rc == LC_OK ? b.len : 0;
  /* The description (names, types, shapes, attributes; never data) travels as one
   * broadcast counted in int. */
  if (rc == LC_OK && len > 2147483647u)
    rc = lc_error_set(LC_ETOOBIG, __FILE__, __LINE__, "the description of %s is too large", group);
  int worst = lc_worst(res->comm, rc);
  if (worst != LC_OK) {
    free(b.data);
    results_list_free(&l);
    return rc != LC_OK ? rc : lc_error_set(worst, __FILE__, __LINE__, "copy of %s failed", group);
  }
  int mrc = MPI_Bcast(&len, 1, MPI_UINT64_T, 0, res->comm);
  if (mrc != MPI_SUCCESS) {
    free(b.data);
    results_list_free(&l);
    return lc_mpi_fail(mrc, "MPI_Bcast of a group description's length");
  }
  if (res->rank != 0) {
    b.data = malloc(len > 0 ? len : 1);
    b.len = len;
  }
  int ok = b.data != NULL, all = 0;
  mrc = MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, res->comm);
  if (mrc == MPI_SUCCESS && all)
    mrc = MPI_Bcast(b.data, (int)len, MPI_BYTE, 0, res->comm);
  if (mrc != MPI_SUCCESS) {
    free(b.data);
    results_list_free(&l);
    return lc_mpi_fail(mrc, "MPI broadcast of a group description");
  }
  if (!all) {
    free(b.data);
    results_list_free(&l);
    LC_FAIL(LC_ENOMEM, "cannot allocate the description of %s", group);
  }
  const char *p = b.data;
  hid_t g;
  rc = h5io_group(res->file, group, &g);
  /* Attributes are set at the end, so that `complete` comes last. */
  const char *attr_at = p;
  results_apply_attrs(-1, &p, -1);
  uint64_t nd;
  memcpy(&nd, p, sizeof nd);
  p += sizeof nd;
  for (uint64_t i = 0; i < nd && rc == LC_OK; i++) {
    const char *path = results_blob_get(&p, NULL);
    uint64_t tl;
    memcpy(&tl, p, sizeof tl);
    p += sizeof tl;
    hid_t type = H5Tdecode(p);
    p += tl;
    int64_t rank;
    memcpy(&rank, p, sizeof rank);
    p += sizeof rank;
    hsize_t dims[8];
    memcpy(dims, p, sizeof dims);
    p += sizeof dims;
    const char *units = results_blob_get(&p, NULL);
    const char *desc = results_blob_get(&p, NULL);
    int64_t vhead[3];
    memcpy(vhead, p, sizeof vhead);
    p += sizeof vhead;
    if (vhead[0]) {
      rc = results_copy_virtual(res, path, type, (int)rank, dims, vhead[1], (int)vhead[2], &p,
                                units, desc);
      H5Tclose(type);
      continue;
    }
    hid_t space = rank > 0 ? H5Screate_simple((int)rank, dims, NULL) : H5Screate(H5S_SCALAR);
    hssize_t count = H5Sget_simple_extent_npoints(space);
    size_t row_bytes;
    int64_t slab = results_slab_of((int)rank, dims, H5Tget_size(type), &row_bytes);
    int big = rank > 0 && count >= 1024 && H5Tget_class(type) != H5T_STRING;
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (big) {
      /* The writers' chunking: slabs of about 1 MiB with every column. */
      hsize_t chunk[8];
      for (int k = 0; k < rank; k++)
        chunk[k] = dims[k] > 0 ? dims[k] : 1;
      if (chunk[0] > (hsize_t)slab)
        chunk[0] = (hsize_t)slab;
      H5Pset_chunk(dcpl, (int)rank, chunk);
      h5io_set_filters(dcpl, H5Tget_class(type) != H5T_INTEGER);
    }
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    hid_t d = H5Dcreate2(res->file, path, type, space, lcpl, dcpl, H5P_DEFAULT);
    H5Pclose(lcpl);
    H5Pclose(dcpl);
    int local = d >= 0 ? LC_OK : LC_EHDF5;
    rc = lc_worst(res->comm, local);
    /* Rank 0 reads and every rank writes collectively (the others select nothing), in
     * rounds of at most 32 MiB so that neither side holds the whole dataset. */
    int64_t rows = rank > 0 ? (int64_t)dims[0] : 1;
    int64_t per = big ? (int64_t)(((size_t)32 << 20) / row_bytes) : rows;
    if (per < 1)
      per = 1;
    hid_t sd = -1;
    if (rc == LC_OK && res->rank == 0 && count > 0) {
      sd = H5Dopen2(src, path, H5P_DEFAULT);
      local = sd >= 0 ? LC_OK : LC_EHDF5;
    }
    void *buf = NULL;
    if (local == LC_OK && res->rank == 0 && count > 0) {
      buf = malloc((size_t)(per < rows ? per : rows) * row_bytes);
      local = buf ? LC_OK : LC_ENOMEM;
    }
    if (rc == LC_OK)
      rc = lc_worst(res->comm, local);
    for (int64_t a = 0; a < rows && count > 0 && rc == LC_OK; a += per) {
      int64_t b = a + per < rows ? a + per : rows;
      hsize_t start[8] = {0}, cnt[8];
      for (int k = 0; k < rank; k++)
        cnt[k] = dims[k];
      start[0] = (hsize_t)a;
      if (rank > 0)
        cnt[0] = (hsize_t)(b - a);
      hid_t fs = H5Dget_space(d);
      hid_t ms = rank > 0 ? H5Screate_simple((int)rank, cnt, NULL) : H5Screate(H5S_SCALAR);
      local = LC_OK;
      if (res->rank == 0) {
        hid_t ss = H5Dget_space(sd);
        if (rank > 0 && (H5Sselect_hyperslab(ss, H5S_SELECT_SET, start, NULL, cnt, NULL) < 0 ||
                         H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, cnt, NULL) < 0))
          local = LC_EHDF5;
        if (local == LC_OK && H5Dread(sd, type, ms, ss, H5P_DEFAULT, buf) < 0)
          local = LC_EHDF5;
        H5Sclose(ss);
      } else {
        H5Sselect_none(fs);
        H5Sselect_none(ms);
      }
      rc = lc_worst(res->comm, local);
      if (rc == LC_OK) {
        hid_t dx = H5Pcreate(H5P_DATASET_XFER);
        H5Pset_dxpl_mpio(dx, H5FD_MPIO_COLLECTIVE);
        static const char empty[64];
        local = H5Dwrite(d, type, ms, fs, dx, res->rank == 0 ? buf : (const void *)empty) < 0
                    ? LC_EHDF5
                    : LC_OK;
        H5Pclose(dx);
        rc = lc_worst(res->comm, local);
      }
      H5Sclose(ms);
      H5Sclose(fs);
    }
    if (sd >= 0)
      H5Dclose(sd);
    if (rc == LC_OK && d >= 0) {
      rc = h5io_describe(d, path, units, desc);
    }
    free(buf);
    if (d >= 0)
      H5Dclose(d);
    H5Sclose(space);
    H5Tclose(type);
    if (rc != LC_OK)
      rc = lc_error_set(rc, __FILE__, __LINE__, "cannot copy %s from the earlier results", path);
  }
  /* Every subgroup's attributes (the datasets made the subgroups; an empty one is made
   * here), then the group's own, `complete` last. */
  uint64_t ng = 0;
  if (rc == LC_OK) {
    memcpy(&ng, p, sizeof ng);
    p += sizeof ng;
  }
  for (uint64_t i = 0; i < ng && rc == LC_OK; i++) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", group, results_blob_get(&p, NULL));
    hid_t sg;
    rc = h5io_group(res->file, path, &sg);
    if (rc == LC_OK) {
      rc = results_apply_attrs(sg, &p, 2);
      H5Gclose(sg);
    }
  }
  for (int pass = 0; pass < 2 && rc == LC_OK; pass++) {
    const char *q = attr_at;
    rc = results_apply_attrs(g, &q, pass);
  }
  if (g >= 0)
    H5Gclose(g);
  free(b.data);
  results_list_free(&l);
  return rc;
}
