/* Readers shared by the comparison writers: the groups each category serves, the sums
 * over them, and string tables. */
#include <hdf5.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lifecircle/alloc.h"
#include "lifecircle/compare_io.h"
#include "lifecircle/h5io.h"
#include "lifecircle/status.h"

void compare_free_strings(char **s, int64_t n) {
  for (int64_t i = 0; s && i < n; i++)
    free(s[i]);
  free(s);
}

int compare_read_serves(hid_t file, int n_cat, int n_group, int64_t **serves) {
  int64_t rows = 0, cols = 0;
  *serves = NULL;
  if (!h5io_exists(file, "/Categories/serves"))
    LC_FAIL(LC_EFORMAT,
            "the results file lacks /Categories/serves (the groups each category serves; "
            "files written before it was recorded cannot be compared): rerun lifecircle run");
  LC_CHECK(h5io_read(file, "/Categories/serves", H5IO_I64, (void **)serves, &rows, &cols));
  if (rows != n_cat || cols != n_group) {
    free(*serves);
    *serves = NULL;
    LC_FAIL(LC_EFORMAT,
            "/Categories/serves is %" PRId64 " x %" PRId64 ", not %d categories x "
            "%d groups",
            rows, cols, n_cat, n_group);
  }
  return LC_OK;
}

void compare_served_sum(int n_rows, int n_cat, int n_group, const int64_t *table,
                        const int64_t *serves, int64_t *out) {
  for (int r = 0; r < n_rows; r++)
    for (int c = 0; c < n_cat; c++) {
      int64_t t = 0;
      for (int g = 0; g < n_group; g++)
        if (serves[c * n_group + g])
          t += table[((size_t)r * n_cat + c) * n_group + g];
      out[(size_t)r * n_cat + c] = t;
    }
}

int compare_read_strings(hid_t file, const char *name, char ***out, int64_t *n) {
  *out = NULL;
  *n = 0;
  if (!h5io_exists(file, name))
    LC_FAIL(LC_EFORMAT, "dataset %s is missing", name);
  hid_t dset = H5Dopen2(file, name, H5P_DEFAULT);
  hid_t ftype = dset >= 0 ? H5Dget_type(dset) : -1;
  if (ftype < 0) {
    if (dset >= 0)
      H5Dclose(dset);
    LC_FAIL(LC_EHDF5, "cannot open dataset %s", name);
  }
  if (H5Tis_variable_str(ftype) > 0) {
    H5Tclose(ftype);
    H5Dclose(dset);
    return h5io_read_strings(file, name, out, n);
  }
  hid_t space = H5Dget_space(dset);
  hsize_t dims[1] = {0};
  int nd = H5Sget_simple_extent_ndims(space);
  if (nd == 1)
    H5Sget_simple_extent_dims(space, dims, NULL);
  H5Sclose(space);
  size_t width = H5Tget_size(ftype);
  hid_t mtype = H5Tcopy(H5T_C_S1);
  H5Tset_size(mtype, width);
  H5Tset_cset(mtype, H5T_CSET_UTF8);
  H5Tset_strpad(mtype, H5T_STR_NULLPAD);
  char *buf = lc_calloc_array(dims[0], width + 1);
  char **s = calloc((size_t)dims[0] + 1, sizeof *s);
  int st = LC_OK;
  if (nd != 1)
    st = lc_error_set(LC_EFORMAT, __FILE__, __LINE__, "dataset %s is not 1-D", name);
  else if (!buf || !s)
    st = lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "out of memory reading %s", name);
  else if (dims[0] > 0 && H5Dread(dset, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
    st = lc_error_set(LC_EHDF5, __FILE__, __LINE__, "cannot read dataset %s", name);
  for (hsize_t i = 0; st == LC_OK && i < dims[0]; i++) {
    s[i] = calloc(width + 1, 1);
    if (!s[i])
      st = LC_ENOMEM;
    else
      memcpy(s[i], buf + i * width, width);
  }
  free(buf);
  H5Tclose(mtype);
  H5Tclose(ftype);
  H5Dclose(dset);
  if (st != LC_OK) {
    compare_free_strings(s, (int64_t)dims[0]);
    return st;
  }
  *out = s;
  *n = (int64_t)dims[0];
  return LC_OK;
}
