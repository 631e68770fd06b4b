/* Per-node tables that a scenario shares with another table of the file: HDF5 virtual
 * datasets whose column blocks map either to a compact table of the blocks the scenario
 * recomputed or to the same block of the other table (or to nothing, reading as 0).
 *
 * A scenario that edits the facilities of a few categories leaves every other category's
 * columns equal to the baseline's; storing them again costs most of a scenario's writing
 * (compression of tens of columns per node). The virtual dataset keeps the table whole for
 * readers (h5py and HDF5 resolve it; this file resolves it for lifecircle's own parallel
 * readers, since parallel HDF5 1.10 cannot read virtual datasets) while only the changed
 * blocks are written. */
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifecircle/agree.h"
#include "lifecircle/alloc.h"
#include "lifecircle/results.h"
#include "lifecircle/status.h"
#include "results_internal.h"

void results_vmaps_free(struct results_vmap *m, int n) {
  for (int i = 0; m && i < n; i++)
    free(m[i].src);
  free(m);
}

/* The single block a selection covers: start and count per dimension. */
static int results_block_of(hid_t space, int nd, hsize_t *start, hsize_t *count) {
  hsize_t lo[2], hi[2];
  if (H5Sget_select_type(space) != H5S_SEL_HYPERSLABS || H5Sget_select_hyper_nblocks(space) != 1 ||
      H5Sget_select_bounds(space, lo, hi) < 0)
    return -1;
  for (int k = 0; k < nd; k++) {
    start[k] = lo[k];
    count[k] = hi[k] - lo[k] + 1;
  }
  return 0;
}

int results_vmaps_get(hid_t dset, const char *path, int *is_virtual, struct results_vmap **maps,
                      int *n, int64_t *fill) {
  *is_virtual = 0;
  *maps = NULL;
  *n = 0;
  *fill = 0;
  hid_t dcpl = H5Dget_create_plist(dset);
  if (dcpl < 0)
    LC_FAIL(LC_EHDF5, "cannot read the layout of %s", path);
  if (H5Pget_layout(dcpl) != H5D_VIRTUAL) {
    H5Pclose(dcpl);
    return LC_OK;
  }
  *is_virtual = 1;
  hid_t space = H5Dget_space(dset);
  int nd = H5Sget_simple_extent_ndims(space);
  H5Sclose(space);
  size_t count = 0;
  int rc = LC_OK;
  if (nd < 1 || nd > 2 || H5Pget_virtual_count(dcpl, &count) < 0 ||
      H5Pget_fill_value(dcpl, H5T_NATIVE_INT64, fill) < 0)
    rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                      "%s: a virtual dataset lifecircle cannot read (rank %d)", path, nd);
  struct results_vmap *m = calloc(count > 0 ? count : 1, sizeof *m);
  if (rc == LC_OK && !m)
    rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "%s: cannot read its mapping", path);
  for (size_t i = 0; i < count && rc == LC_OK; i++) {
    hid_t vs = H5Pget_virtual_vspace(dcpl, i), ss = H5Pget_virtual_srcspace(dcpl, i);
    char file[8] = "";
    ssize_t flen = H5Pget_virtual_filename(dcpl, i, file, sizeof file);
    ssize_t dlen = H5Pget_virtual_dsetname(dcpl, i, NULL, 0);
    m[i].src = dlen > 0 ? malloc((size_t)dlen + 1) : NULL;
    if (vs < 0 || ss < 0 || flen != 1 || strcmp(file, ".") || !m[i].src ||
        H5Pget_virtual_dsetname(dcpl, i, m[i].src, (size_t)dlen + 1) < 0 ||
        results_block_of(vs, nd, m[i].vstart, m[i].vcount) < 0 ||
        results_block_of(ss, nd, m[i].sstart, m[i].scount) < 0)
      rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                        "%s: mapping %zu is not a block of a dataset of the same file", path, i);
    if (vs >= 0)
      H5Sclose(vs);
    if (ss >= 0)
      H5Sclose(ss);
  }
  H5Pclose(dcpl);
  if (rc != LC_OK) {
    results_vmaps_free(m, (int)count);
    return rc;
  }
  *maps = m;
  *n = (int)count;
  return LC_OK;
}

int results_vmaps_create(hid_t file, const char *name, hid_t type, int nd, const hsize_t *dims,
                         const struct results_vmap *maps, int n, int64_t fill, hid_t *dset) {
  *dset = -1;
  hid_t vspace = H5Screate_simple(nd, dims, NULL), sspace = -1;
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE), lcpl = H5Pcreate(H5P_LINK_CREATE);
  herr_t st = vspace < 0 || dcpl < 0 || lcpl < 0 ? -1 : 0;
  if (st >= 0)
    st = H5Pset_fill_value(dcpl, H5T_NATIVE_INT64, &fill);
  for (int i = 0; i < n && st >= 0; i++) {
    /* The source's own extent is not known here (it may not exist yet): a space just large
     * enough to hold the block describes the selection. */
    hsize_t sdims[2];
    for (int k = 0; k < nd; k++)
      sdims[k] = maps[i].sstart[k] + maps[i].scount[k];
    sspace = H5Screate_simple(nd, sdims, NULL);
    st = sspace < 0 ? -1 : 0;
    /* One block each (count 1, block the size), as results_block_of expects. */
    static const hsize_t one[2] = {1, 1};
    if (st >= 0)
      st = H5Sselect_hyperslab(vspace, H5S_SELECT_SET, maps[i].vstart, NULL, one, maps[i].vcount);
    if (st >= 0)
      st = H5Sselect_hyperslab(sspace, H5S_SELECT_SET, maps[i].sstart, NULL, one, maps[i].scount);
    if (st >= 0)
      st = H5Pset_virtual(dcpl, vspace, ".", maps[i].src, sspace);
    if (sspace >= 0)
      H5Sclose(sspace);
  }
  if (st >= 0)
    st = H5Sselect_all(vspace);
  if (st >= 0)
    st = H5Pset_create_intermediate_group(lcpl, 1);
  if (st >= 0)
    *dset = H5Dcreate2(file, name, type, vspace, lcpl, dcpl, H5P_DEFAULT);
  if (vspace >= 0)
    H5Sclose(vspace);
  if (dcpl >= 0)
    H5Pclose(dcpl);
  if (lcpl >= 0)
    H5Pclose(lcpl);
  if (*dset < 0)
    LC_FAIL(LC_EHDF5, "cannot create the virtual dataset %s", name);
  return LC_OK;
}

int results_vmaps_digest(hid_t file, const char *group, const char *path, int nd,
                         const struct results_vmap *maps, int n, int64_t fill, uint8_t out[32]) {
  struct sha256_ctx h;
  sha256_init(&h);
  sha256_update(&h, sizeof fill, (const uint8_t *)&fill);
  size_t glen = strlen(group);
  for (int i = 0; i < n; i++) {
    const struct results_vmap *m = &maps[i];
    uint64_t b[8];
    for (int k = 0; k < nd; k++) {
      b[k] = m->vstart[k];
      b[2 + k] = m->vcount[k];
      b[4 + k] = m->sstart[k];
      b[6 + k] = m->scount[k];
    }
    for (int k = nd; k < 2; k++)
      b[k] = b[2 + k] = b[4 + k] = b[6 + k] = 0;
    sha256_update(&h, strlen(m->src) + 1, (const uint8_t *)m->src);
    sha256_update(&h, sizeof b, (const uint8_t *)b);
    if (!strncmp(m->src, group, glen) && m->src[glen] == '/')
      continue; /* Under the group: its own entry covers the data. */
    /* A source elsewhere is covered by the checksum of its scenario group (the first two
     * components of its path), which must be complete. */
    char owner[512];
    const char *slash = strchr(m->src + 1, '/');
    slash = slash ? strchr(slash + 1, '/') : NULL;
    size_t olen = slash ? (size_t)(slash - m->src) : strlen(m->src);
    if (olen >= sizeof owner)
      LC_FAIL(LC_EFORMAT, "%s: source %s has too long a name", path, m->src);
    memcpy(owner, m->src, olen);
    owner[olen] = '\0';
    char *sum = NULL;
    hid_t g = h5io_exists(file, owner) ? H5Oopen(file, owner, H5P_DEFAULT) : -1;
    int ok =
        g >= 0 && H5Aexists(g, "checksum") > 0 && h5io_read_attr_str(g, "checksum", &sum) == LC_OK;
    if (g >= 0)
      H5Oclose(g);
    if (!ok) {
      free(sum);
      LC_FAIL(LC_EFORMAT, "%s maps to %s, whose group %s has no checksum", path, m->src, owner);
    }
    sha256_update(&h, strlen(sum) + 1, (const uint8_t *)sum);
    free(sum);
  }
  sha256_digest(&h, 32, out);
  return LC_OK;
}

int results_write_nodes_mapped(struct results *res, const char *name, enum h5io_type type,
                               int64_t n_owned, const int64_t *gid, int n_blocks, int64_t width,
                               const uint8_t *own, const char *base, results_row_fn fill, void *ctx,
                               const char *units, const char *description) {
  int k = 0;
  for (int b = 0; b < n_blocks; b++)
    k += own[b] != 0;
  if (k == n_blocks)
    return results_write_nodes_fn(res, name, type, n_owned, gid, (int64_t)n_blocks * width, fill,
                                  ctx, units, description);
  const char *slash = strrchr(name, '/');
  if (!slash || strlen(name) > 400)
    LC_FAIL(LC_EPARAM, "results: bad table name %s", name);
  char stored[1024], blocks[1024], mapping[2048];
  snprintf(stored, sizeof stored, "%.*s/stored/%s", (int)(slash - name), name, slash + 1);
  snprintf(blocks, sizeof blocks, "%.900s_blocks", stored);
  int64_t *list = lc_malloc_array(k, sizeof *list);
  struct results_vmap *maps = lc_calloc_array(n_blocks, sizeof *maps);
  int rc = list && maps ? LC_OK : LC_ENOMEM;
  int agreed = lc_worst(res->comm, rc);
  if (agreed != LC_OK) {
    free(list);
    free(maps);
    return lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "%s: cannot map its columns", name);
  }
  int n = 0;
  for (int b = 0, j = 0; b < n_blocks; b++) {
    struct results_vmap *m = &maps[n];
    m->vstart[0] = m->sstart[0] = 0;
    m->vcount[0] = m->scount[0] = (hsize_t)res->n_nodes;
    m->vstart[1] = (hsize_t)(b * width);
    m->vcount[1] = m->scount[1] = (hsize_t)width;
    if (own[b]) {
      list[j] = b;
      m->src = stored;
      m->sstart[1] = (hsize_t)(j++ * width);
      n++;
    } else if (base) {
      m->src = (char *)base;
      m->sstart[1] = (hsize_t)(b * width);
      n++;
    }
  }
  snprintf(mapping, sizeof mapping,
           "virtual: the columns of %d of %d blocks (rows of /Categories/id in %.500s) are "
           "stored in "
           "%.500s; the others %s%.500s",
           k, n_blocks, blocks, stored, base ? "are those of " : "read as 0", base ? base : "");
  if (k > 0) {
    char desc[2048];
    snprintf(desc, sizeof desc, "%.1000s [only the column blocks listed in %.500s]", description,
             blocks);
    rc = results_write_nodes_fn(res, stored, type, n_owned, gid, (int64_t)k * width, fill, ctx,
                                units, desc);
    if (rc == LC_OK)
      rc = results_write_global(res, blocks, H5IO_I64, list, k, 0, "1",
                                "column blocks (rows of /Categories/id) stored in this table, "
                                "in its column order");
  }
  hid_t d = -1;
  if (rc == LC_OK) {
    hsize_t dims[2] = {(hsize_t)res->n_nodes, (hsize_t)(n_blocks * width)};
    rc = results_vmaps_create(res->file, name, h5io_file_type(type), 2, dims, maps, n, 0, &d);
  }
  if (rc == LC_OK)
    rc = h5io_describe(d, name, units, description);
  if (rc == LC_OK)
    rc = h5io_attr_str(d, "mapping", mapping);
  /* Its digest for the checksum (rank 0 keeps digests): taken now, since rank 0 alone may
   * not open the dataset later (that is collective for a virtual dataset). */
  if (rc == LC_OK && res->rank == 0 && results_digest_wanted(res, name)) {
    uint8_t dig[32];
    rc = results_vmaps_digest(res->file, res->digest_group, name, 2, maps, n, 0, dig);
    if (rc == LC_OK)
      rc = results_digest_add(res, name, dig);
  }
  int worst = lc_worst(res->comm, rc);
  if (worst != LC_OK && rc == LC_OK)
    rc = lc_error_set(worst, __FILE__, __LINE__, "%s: another rank failed", name);
  if (d >= 0 && H5Dclose(d) < 0 && rc == LC_OK)
    rc = lc_error_set(LC_EHDF5, __FILE__, __LINE__, "cannot close %s", name);
  free(list);
  free(maps);
  return rc;
}

int results_read_rows(hid_t file, const char *name, int64_t rows, int64_t ncols, int64_t lo,
                      int64_t hi, int64_t *out) {
  hid_t dset;
  int64_t nr = 0, nc = 0;
  LC_CHECK(h5io_open_shape(file, name, &dset, &nr, &nc));
  int st = LC_OK, nd = nc > 0 ? 2 : 1;
  if (nr != rows || nc != (ncols > 0 ? ncols : 0)) {
    H5Dclose(dset);
    LC_FAIL(LC_EFORMAT, "dataset %s has the wrong shape (expected %lld x %lld)", name,
            (long long)rows, (long long)ncols);
  }
  int virt = 0, n = 0;
  int64_t fill = 0;
  struct results_vmap *maps = NULL;
  st = results_vmaps_get(dset, name, &virt, &maps, &n, &fill);
  int64_t w = ncols > 0 ? ncols : 1;
  if (st == LC_OK && hi > lo && !virt) {
    hsize_t start[2] = {(hsize_t)lo, 0}, count[2] = {(hsize_t)(hi - lo), (hsize_t)w};
    hid_t ms = H5Screate_simple(nd, count, NULL), fs = H5Dget_space(dset);
    if (H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) < 0 ||
        H5Dread(dset, H5T_NATIVE_INT64, ms, fs, H5P_DEFAULT, out) < 0)
      st = lc_error_set(LC_EHDF5, __FILE__, __LINE__, "cannot read dataset %s", name);
    H5Sclose(ms);
    H5Sclose(fs);
  } else if (st == LC_OK && hi > lo) {
    /* Resolved here: fill, then every mapping's rows within [lo, hi) from its source. */
    for (int64_t i = 0; i < (hi - lo) * w; i++)
      out[i] = fill;
    for (int i = 0; i < n && st == LC_OK; i++) {
      const struct results_vmap *m = &maps[i];
      int64_t a = lo > (int64_t)m->vstart[0] ? lo : (int64_t)m->vstart[0];
      int64_t b = (int64_t)(m->vstart[0] + m->vcount[0]);
      b = hi < b ? hi : b;
      if (a >= b)
        continue;
      hsize_t cols = nd == 2 ? m->vcount[1] : 1;
      hsize_t start[2] = {m->sstart[0] + (hsize_t)(a - (int64_t)m->vstart[0]),
                          nd == 2 ? m->sstart[1] : 0};
      hsize_t count[2] = {(hsize_t)(b - a), cols};
      /* Memory: rows a-lo .. b-lo of out, columns vstart[1] .. + cols. */
      hsize_t mdims[2] = {(hsize_t)(hi - lo), (hsize_t)w};
      hsize_t mstart[2] = {(hsize_t)(a - lo), nd == 2 ? m->vstart[1] : 0};
      hid_t src = H5Dopen2(file, m->src, H5P_DEFAULT);
      hid_t ss = src >= 0 ? H5Dget_space(src) : -1;
      hid_t ms = H5Screate_simple(nd, mdims, NULL);
      if (src < 0 || ss < 0 || ms < 0 ||
          H5Sselect_hyperslab(ss, H5S_SELECT_SET, start, NULL, count, NULL) < 0 ||
          H5Sselect_hyperslab(ms, H5S_SELECT_SET, mstart, NULL, count, NULL) < 0 ||
          H5Dread(src, H5T_NATIVE_INT64, ms, ss, H5P_DEFAULT, out) < 0)
        st = lc_error_set(LC_EHDF5, __FILE__, __LINE__, "cannot read %s (mapped from %s)", name,
                          m->src);
      if (ms >= 0)
        H5Sclose(ms);
      if (ss >= 0)
        H5Sclose(ss);
      if (src >= 0)
        H5Dclose(src);
    }
  }
  results_vmaps_free(maps, n);
  H5Dclose(dset);
  return st;
}
