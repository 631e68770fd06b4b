/* The housing part of /Comparisons/<scenario> (see compare_io.h): do the residents a
 * scenario adds have a complete life circle? Their coverage is the scenario's coverage
 * (coverage_compute, the code behind every Coverage table) over the residents added, read
 * back from the results file so that `run` and `lifecircle compare` share it. */
#include <hdf5.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lifecircle/agree.h"
#include "lifecircle/alloc.h"
#include "lifecircle/compare_io.h"
#include "lifecircle/coverage.h"
#include "lifecircle/h5io.h"
#include "lifecircle/log.h"
#include "lifecircle/status.h"

/* Everything read from the file: run-wide tables on every rank, node tables for this rank's
 * block of nodes [lo, hi). */
struct housing_in {
  int64_t n_nodes, lo, hi;
  int C, G, S;
  int64_t *thr, *ess, *base, *scen, *sub64, *near;
  double *target, *speed, *radius;
  int64_t *serves;
  char **row_name;
  int64_t n_row_name;
  int illustrative;
};

static void housing_free(struct housing_in *x) {
  free(x->thr);
  free(x->ess);
  free(x->base);
  free(x->scen);
  free(x->sub64);
  free(x->near);
  free(x->target);
  free(x->speed);
  free(x->radius);
  free(x->serves);
  for (int64_t i = 0; x->row_name && i < x->n_row_name; i++)
    free(x->row_name[i]);
  free(x->row_name);
  memset(x, 0, sizeof *x);
}

/* A 1-D run-wide table of length n (n < 0: any, returned in *n). */
static int housing_vec(hid_t f, const char *name, enum h5io_type type, void **out, int64_t *n) {
  int64_t rows = 0, cols = 0;
  LC_CHECK(h5io_read(f, name, type, out, &rows, &cols));
  if (cols != 0 || (*n >= 0 && rows != *n))
    LC_FAIL(LC_EFORMAT, "%s is %" PRId64 " x %" PRId64 ", expected %" PRId64 " rows", name, rows,
            cols, *n);
  *n = rows;
  return LC_OK;
}

static int housing_read(hid_t f, const char *scenario, int rank, int size, struct housing_in *x) {
  char name[700];
  int64_t n = -1;
  LC_CHECK(housing_vec(f, "/Categories/threshold_min", H5IO_I64, (void **)&x->thr, &n));
  x->C = (int)n;
  LC_CHECK(housing_vec(f, "/Categories/essential", H5IO_I64, (void **)&x->ess, &n));
  LC_CHECK(housing_vec(f, "/Categories/target_share", H5IO_F64, (void **)&x->target, &n));
  LC_CHECK(housing_vec(f, "/Categories/radius_m", H5IO_F64, (void **)&x->radius, &n));
  n = -1;
  LC_CHECK(housing_vec(f, "/Groups/speed_m_s", H5IO_F64, (void **)&x->speed, &n));
  x->G = (int)n;
  LC_CHECK(compare_read_strings(f, "/Subdistricts/name", &x->row_name, &x->n_row_name));
  x->S = (int)x->n_row_name;
  size_t CG = (size_t)x->C * (size_t)x->G;
  x->serves = malloc((CG > 0 ? CG : 1) * sizeof *x->serves);
  if (!x->serves)
    return LC_ENOMEM;
  for (size_t k = 0; k < CG; k++)
    x->serves[k] = 1; /* Only per-group tables are written: the served share is not used. */
  hid_t d;
  int64_t rows = 0, cols = 0;
  LC_CHECK(h5io_open_shape(f, "/Population/residents", &d, &rows, &cols));
  H5Dclose(d);
  if (cols != x->G)
    LC_FAIL(LC_EFORMAT, "/Population/residents has %" PRId64 " columns, not %d groups", cols, x->G);
  x->n_nodes = rows;
  x->lo = rows * rank / size;
  x->hi = rows * (rank + 1) / size;
  size_t b = (size_t)(x->hi - x->lo > 0 ? x->hi - x->lo : 1);
  x->base = malloc(b * (size_t)(x->G > 0 ? x->G : 1) * sizeof *x->base);
  x->scen = malloc(b * (size_t)(x->G > 0 ? x->G : 1) * sizeof *x->scen);
  x->sub64 = malloc(b * sizeof *x->sub64);
  x->near = malloc(b * (size_t)(x->C > 0 ? x->C : 1) * sizeof *x->near);
  if (!x->base || !x->scen || !x->sub64 || !x->near)
    return LC_ENOMEM;
  LC_CHECK(results_read_rows(f, "/Population/residents", rows, x->G, x->lo, x->hi, x->base));
  snprintf(name, sizeof name, "/Scenarios/%s/Population/residents", scenario);
  LC_CHECK(results_read_rows(f, name, rows, x->G, x->lo, x->hi, x->scen));
  LC_CHECK(results_read_rows(f, "/Population/subdistrict", rows, 0, x->lo, x->hi, x->sub64));
  snprintf(name, sizeof name, "/Scenarios/%s/NodeAccess/nearest_cm", scenario);
  LC_CHECK(results_read_rows(f, name, rows, x->C, x->lo, x->hi, x->near));
  snprintf(name, sizeof name, "/Scenarios/%s/Population", scenario);
  if (H5Aexists_by_name(f, name, "illustrative", H5P_DEFAULT) > 0) {
    int64_t v = 0;
    hid_t a = H5Aopen_by_name(f, name, "illustrative", H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0 && H5Aread(a, H5T_NATIVE_INT64, &v) >= 0)
      x->illustrative = v == 1;
    if (a >= 0)
      H5Aclose(a);
  }
  return LC_OK;
}

/* Logs the share of the added residents of every group with a complete life circle. */
static void housing_log(const char *scenario, const struct housing_in *x,
                        const struct coverage *cov, char **group_id, int64_t n_group_id) {
  char line[1024];
  size_t at = 0;
  int R = cov->n_rows;
  line[0] = '\0';
  for (int g = 0; g < x->G && at < sizeof line; g++) {
    int64_t added = cov->residents[(size_t)(R - 1) * x->G + g];
    if (added == 0)
      continue;
    at += (size_t)snprintf(line + at, sizeof line - at, "%s%s %.1f%% of %" PRId64, at ? ", " : "",
                           g < n_group_id ? group_id[g] : "?",
                           100.0 * cov->complete_share[(size_t)(R - 1) * x->G + g], added);
  }
  log_info("%s%s: residents added by housing with a complete life circle: %s "
           "(/Comparisons/%s/housing_*)",
           scenario, x->illustrative ? " (ILLUSTRATIVE)" : "", at ? line : "none added", scenario);
}

int compare_write_housing(struct results *res, const char *scenario) {
  hid_t f = res->file;
  char name[700], base[640];
  snprintf(name, sizeof name, "/Scenarios/%s/Population/residents", scenario);
  if (!h5io_exists(f, name))
    return LC_OK;
  snprintf(base, sizeof base, "/Comparisons/%s", scenario);
  struct housing_in x;
  memset(&x, 0, sizeof x);
  struct coverage cov;
  memset(&cov, 0, sizeof cov);
  int st = housing_read(f, scenario, res->rank, res->size, &x);
  st = lc_agree(res->comm, st);
  int64_t nb = x.hi - x.lo;
  size_t R = (size_t)x.S + 1;
  int64_t *added = NULL, *removed = NULL, **near = NULL, *col = NULL;
  int32_t *sub = NULL;
  int *thr = NULL, *ess = NULL;
  uint8_t *serves = NULL;
  if (st == LC_OK) {
    size_t cells = (size_t)(nb > 0 ? nb : 1) * (size_t)(x.G > 0 ? x.G : 1);
    added = malloc(cells * sizeof *added);
    removed = calloc(R * (size_t)(x.G > 0 ? x.G : 1), sizeof *removed);
    near = lc_malloc_array(x.C, sizeof *near);
    sub = lc_malloc_array(nb, sizeof *sub);
    thr = lc_malloc_array(x.C, sizeof *thr);
    ess = lc_malloc_array(x.C, sizeof *ess);
    serves = lc_malloc_array(x.C * x.G, 1);
    col = lc_malloc_array(nb, (size_t)(x.C > 0 ? x.C : 1) * sizeof *col);
    st = added && removed && near && sub && thr && ess && serves && col ? LC_OK : LC_ENOMEM;
    if (st == LC_OK) {
      /* Per-category columns of the nearest distances, as coverage_compute reads them. */
      for (int c = 0; c < x.C; c++) {
        near[c] = col + (size_t)c * (size_t)(nb > 0 ? nb : 1);
        for (int64_t i = 0; i < nb; i++)
          near[c][i] = x.near[i * x.C + c];
        thr[c] = (int)x.thr[c];
        ess[c] = (int)x.ess[c];
        for (int g = 0; g < x.G; g++)
          serves[c * x.G + g] = (uint8_t)x.serves[c * x.G + g];
      }
      for (int64_t i = 0; i < nb; i++) {
        sub[i] = (int32_t)x.sub64[i];
        int rows[2];
        int nr = coverage_rows(sub[i], x.S, rows);
        for (int g = 0; g < x.G; g++) {
          int64_t d = x.scen[i * x.G + g] - x.base[i * x.G + g];
          added[i * x.G + g] = d > 0 ? d : 0;
          for (int r = 0; r < nr && d < 0; r++)
            removed[(size_t)rows[r] * x.G + g] -= d;
        }
      }
    }
  }
  st = lc_agree(res->comm, st);
  if (st == LC_OK && MPI_Allreduce(MPI_IN_PLACE, removed, (int)(R * (size_t)x.G), MPI_INT64_T,
                                   MPI_SUM, res->comm) != MPI_SUCCESS)
    st = lc_error_set(LC_EMPI, __FILE__, __LINE__, "%s: cannot sum the residents removed", base);
  if (st == LC_OK) {
    double max_r = 0;
    for (int c = 0; c < x.C; c++)
      max_r = x.radius[c] > max_r ? x.radius[c] : max_r;
    /* The scenario's data status: a category with no data stays out of the new residents'
     * complete life circle, as in the scenario's own coverage. */
    int8_t *status = NULL;
    snprintf(name, sizeof name, "/Scenarios/%s/Coverage/data_status", scenario);
    if (h5io_exists(f, name)) {
      int64_t *st64 = NULL, n = x.C;
      st = housing_vec(f, name, H5IO_I64, (void **)&st64, &n);
      status = st == LC_OK ? malloc((size_t)x.C) : NULL;
      if (st == LC_OK && !status)
        st = LC_ENOMEM;
      for (int c = 0; st == LC_OK && c < x.C; c++)
        status[c] = (int8_t)st64[c];
      free(st64);
    }
    st = lc_agree(res->comm, st);
    struct coverage_spec spec = {
        x.S, x.C, x.G, thr, x.target, ess, serves, x.speed, (int64_t)max_r, status};
    if (st == LC_OK)
      st = coverage_compute(&spec, nb, (const int64_t *const *)near, added, sub, res->comm, &cov);
    free(status);
  }
  int64_t CG = (int64_t)x.C * x.G;
#define HOUSING_W(field, type, data, cols, units, desc)                              \
  if (st == LC_OK) {                                                                 \
    snprintf(name, sizeof name, "%s/" field, base);                                  \
    st = results_write_global(res, name, type, data, (int64_t)R, cols, units, desc); \
  }
  HOUSING_W("housing_added", H5IO_I64, cov.residents, x.G, "persons",
            "residents the scenario adds (its Population/residents above the baseline's, per node "
            "and group), per row (subdistricts, then all) and group")
  HOUSING_W("housing_removed", H5IO_I64, removed, x.G, "persons",
            "residents the scenario removes (the baseline's above its Population/residents), per "
            "row and group")
  HOUSING_W("housing_covered", H5IO_I64, cov.covered, CG, "persons",
            "added residents within category c's threshold at their group's speed in the "
            "scenario (column c*G+g)")
  HOUSING_W("housing_share", H5IO_F64, cov.share, CG, "1",
            "housing_covered / housing_added (column c*G+g); NaN where none were added")
  HOUSING_W("housing_complete", H5IO_I64, cov.complete, x.G, "persons",
            "added residents with every essential category within its threshold (the complete "
            "life circle, as in Coverage/complete)")
  HOUSING_W("housing_complete_share", H5IO_F64, cov.complete_share, x.G, "1",
            "housing_complete / housing_added per group; NaN where none were added")
#undef HOUSING_W
  if (st == LC_OK)
    st = results_attr_i64(res, base, "illustrative", x.illustrative);
  if (st == LC_OK) {
    char **gid = NULL;
    int64_t ng = 0;
    if (compare_read_strings(f, "/Groups/id", &gid, &ng) == LC_OK) {
      housing_log(scenario, &x, &cov, gid, ng);
      for (int64_t k = 0; k < ng; k++)
        free(gid[k]);
      free(gid);
    }
  }
  free(col);
  free(near);
  coverage_free(&cov);
  free(added);
  free(removed);
  free(sub);
  free(thr);
  free(ess);
  free(serves);
  housing_free(&x);
  return lc_agree(res->comm, st);
}
