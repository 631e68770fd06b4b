/* Writing /Comparisons/<scenario> of a results file (see compare_io.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lifecircle/agree.h"
#include "lifecircle/alloc.h"
#include "lifecircle/compare_io.h"
#include "lifecircle/h5io.h"
#include "lifecircle/status.h"

/* The node-level change of category c at node i: the distance difference (0 unless both
 * reach a facility) and the reach flag (1 newly reached, -1 no longer, 0 both or neither). */
static inline int64_t compare_delta(int64_t a, int64_t b) { return (a >= 0 && b >= 0) ? b - a : 0; }

static inline int64_t compare_reach(int64_t a, int64_t b) {
  return (a >= 0) == (b >= 0) ? 0 : (b >= 0 ? 1 : -1);
}

/* Rows of delta_nearest_cm or reach_change for the categories cols[0 .. n_cols-1],
 * produced on demand from both distance tables. */
struct compare_cols {
  const int64_t *const *base, *const *scen;
  int n_cols, reach;
  const int *cols;
};

static void compare_row(void *ctx, int64_t i, void *out) {
  const struct compare_cols *x = ctx;
  int64_t *row = out;
  for (int j = 0; j < x->n_cols; j++) {
    int64_t a = x->base[x->cols[j]][i], b = x->scen[x->cols[j]][i];
    row[j] = x->reach ? compare_reach(a, b) : compare_delta(a, b);
  }
}

int compare_write(struct results *res, const char *scenario, const char *baseline,
                  const struct comparison *cmp, char *const *row_names, int64_t n_owned,
                  const int64_t *gid, const int64_t *const *base_nearest,
                  const int64_t *const *scen_nearest, const int8_t *pass_before,
                  const int8_t *pass_after) {
  int R = cmp->n_rows, C = cmp->n_cat, G = cmp->n_group;
  int64_t *pass = lc_malloc_array(4 * R * C, sizeof *pass);
  int64_t *serves = NULL;
  uint8_t *own = lc_calloc_array(C, 1);
  int *cols = lc_malloc_array(C, sizeof *cols);
  int st = pass && own && cols ? LC_OK : LC_ENOMEM;
  st = lc_agree(res->comm, st == LC_OK
                               ? LC_OK
                               : lc_error_set(LC_ENOMEM, __FILE__, __LINE__,
                                              "out of memory writing comparison %s", scenario));
  char base[512], name[640];
  snprintf(base, sizeof base, "/Comparisons/%s", scenario);
  if (st == LC_OK) {
    for (int k = 0; k < R * C; k++) {
      pass[k] = pass_before[k];
      pass[R * C + k] = pass_after[k];
    }
    /* Only the categories whose distances changed anywhere are stored; the node tables of
     * the others read as 0. */
    for (int c = 0; c < C; c++)
      own[c] = n_owned > 0 &&
               memcmp(base_nearest[c], scen_nearest[c], (size_t)n_owned * sizeof(int64_t)) != 0;
    if (MPI_Allreduce(MPI_IN_PLACE, own, C, MPI_UINT8_T, MPI_MAX, res->comm) != MPI_SUCCESS)
      st = lc_error_set(LC_EMPI, __FILE__, __LINE__, "comparison %s: cannot agree", scenario);
  }
  if (st == LC_OK)
    st = compare_read_serves(res->file, C, G, &serves);
  st = lc_agree(res->comm, st);
  int64_t *served_new = pass + 2 * R * C, *served_lost = pass + 3 * R * C;
  if (st == LC_OK) {
    compare_served_sum(R, C, G, cmp->newly_covered, serves, served_new);
    compare_served_sum(R, C, G, cmp->no_longer_covered, serves, served_lost);
  }
  int n_cols = 0;
  for (int c = 0; c < C && st == LC_OK; c++)
    if (own[c])
      cols[n_cols++] = c;
  struct compare_cols xd = {base_nearest, scen_nearest, n_cols, 0, cols};
  struct compare_cols xr = {base_nearest, scen_nearest, n_cols, 1, cols};
#define CMP_W(call) \
  if (st == LC_OK)  \
    st = (call);
  snprintf(name, sizeof name, "%s/newly_covered", base);
  CMP_W(results_write_global(res, name, H5IO_I64, cmp->newly_covered, R, (int64_t)C * G, "persons",
                             "residents within category c's threshold at their group's speed "
                             "in the scenario but not in the baseline (column c*G+g; rows: "
                             "subdistricts, then all)"))
  snprintf(name, sizeof name, "%s/no_longer_covered", base);
  CMP_W(results_write_global(res, name, H5IO_I64, cmp->no_longer_covered, R, (int64_t)C * G,
                             "persons",
                             "residents within the threshold in the baseline but not in the "
                             "scenario (column c*G+g; rows: subdistricts, then all)"))
  snprintf(name, sizeof name, "%s/served_newly_covered", base);
  CMP_W(results_write_global(res, name, H5IO_I64, served_new, R, C, "persons",
                             "residents of the groups category c serves (/Categories/serves) "
                             "newly within its threshold: newly_covered summed over those "
                             "groups only (columns: /Categories/id; rows: subdistricts, then "
                             "all)"))
  snprintf(name, sizeof name, "%s/served_no_longer_covered", base);
  CMP_W(results_write_global(res, name, H5IO_I64, served_lost, R, C, "persons",
                             "residents of the groups category c serves no longer within its "
                             "threshold: no_longer_covered summed over those groups only"))
  snprintf(name, sizeof name, "%s/delta_nearest_cm", base);
  CMP_W(results_write_nodes_mapped(
      res, name, H5IO_I64, n_owned, gid, C, 1, own, NULL, compare_row, &xd, "cm",
      "scenario minus baseline walking distance to the nearest facility "
      "(columns: /Categories/id); 0 when either has none within the "
      "radius (see reach_change)"))
  snprintf(name, sizeof name, "%s/reach_change", base);
  CMP_W(results_write_nodes_mapped(
      res, name, H5IO_I64, n_owned, gid, C, 1, own, NULL, compare_row, &xr, "1",
      "1: a facility within the radius only in the scenario; -1: only in "
      "the baseline; 0: in both or in neither (delta_nearest_cm is "
      "meaningful only where this is 0 and nearest_cm >= 0)"))
  snprintf(name, sizeof name, "%s/pass_before", base);
  CMP_W(results_write_global(res, name, H5IO_I64, pass, R, C, "1",
                             "Coverage/pass of the baseline: 1 pass, 0 fail, -1 no residents "
                             "or no data"))
  snprintf(name, sizeof name, "%s/pass_after", base);
  CMP_W(results_write_global(res, name, H5IO_I64, pass + R * C, R, C, "1",
                             "Coverage/pass of the scenario: 1 pass, 0 fail, -1 no residents "
                             "or no data"))
  snprintf(name, sizeof name, "%s/row_name", base);
  CMP_W(results_write_strings(res, name, row_names, R, "row names: subdistricts, then all"))
  CMP_W(compare_write_agents(res, scenario, baseline))
  CMP_W(compare_write_housing(res, scenario))
  CMP_W(results_attr_str(res, base, "baseline", baseline))
  CMP_W(results_attr_i64(res, base, "complete", 1))
#undef CMP_W
  free(pass);
  free(serves);
  free(own);
  free(cols);
  return st;
}
