/* The agent-simulation part of /Comparisons/<scenario> (see compare_io.h): realised coverage
 * gained and lost, compared agent by agent from the Trips of baseline and scenario, and the
 * change of every facility's load. Everything is read back from the results file, so `run`
 * (which has just written both scenarios) and `lifecircle compare` share the code. */
#include <hdf5.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lifecircle/agree.h"
#include "lifecircle/alloc.h"
#include "lifecircle/compare.h"
#include "lifecircle/compare_io.h"
#include "lifecircle/status.h"

/* Columns of the facility load tables. */
#define COMPARE_AGENTS_LOAD_COLS 4

/* Reads an int64 attribute of an object. Local. */
static int compare_agents_attr_i64(hid_t file, const char *obj, const char *name, int64_t *v) {
  if (H5Aexists_by_name(file, obj, name, H5P_DEFAULT) <= 0)
    LC_FAIL(LC_EFORMAT, "%s has no attribute %s", obj, name);
  hid_t a = H5Aopen_by_name(file, obj, name, H5P_DEFAULT, H5P_DEFAULT);
  herr_t h = a >= 0 ? H5Aread(a, H5T_NATIVE_INT64, v) : -1;
  if (a >= 0)
    H5Aclose(a);
  if (h < 0)
    LC_FAIL(LC_EHDF5, "cannot read attribute %s of %s", name, obj);
  return LC_OK;
}

/* Reads a whole int64 table and checks its shape (ncols 0: 1-D). Local. */
static int compare_agents_read_table(hid_t file, const char *name, int64_t rows, int64_t ncols,
                                     int64_t **out) {
  int64_t r = 0, c = 0;
  LC_CHECK(h5io_read(file, name, H5IO_I64, (void **)out, &r, &c));
  if ((rows >= 0 && r != rows) || c != ncols) {
    free(*out);
    *out = NULL;
    LC_FAIL(LC_EFORMAT, "%s is %" PRId64 " x %" PRId64 ", expected %" PRId64 " x %" PRId64, name, r,
            c, rows, ncols);
  }
  return LC_OK;
}

/* Length of a 1-D dataset. Local. */
static int compare_agents_length(hid_t file, const char *name, int64_t *n) {
  hid_t d = H5Dopen2(file, name, H5P_DEFAULT);
  if (d < 0)
    LC_FAIL(LC_EHDF5, "cannot open dataset %s", name);
  hid_t s = H5Dget_space(d);
  hsize_t dims[2] = {0, 0};
  int nd = H5Sget_simple_extent_ndims(s);
  if (nd == 1)
    H5Sget_simple_extent_dims(s, dims, NULL);
  H5Sclose(s);
  H5Dclose(d);
  if (nd != 1)
    LC_FAIL(LC_EFORMAT, "dataset %s is not 1-D", name);
  *n = (int64_t)dims[0];
  return LC_OK;
}

/* Reads rows [lo, hi) of a 1-D int64 dataset. Local (independent I/O). */
static int compare_agents_read_block(hid_t file, const char *name, int64_t lo, int64_t hi,
                                     int64_t *out) {
  if (hi <= lo)
    return LC_OK;
  hid_t d = H5Dopen2(file, name, H5P_DEFAULT);
  if (d < 0)
    LC_FAIL(LC_EHDF5, "cannot open dataset %s", name);
  hid_t fs = H5Dget_space(d);
  hsize_t start[1] = {(hsize_t)lo}, count[1] = {(hsize_t)(hi - lo)};
  hid_t ms = H5Screate_simple(1, count, NULL);
  herr_t h = H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL);
  if (h >= 0)
    h = H5Dread(d, H5T_NATIVE_INT64, ms, fs, H5P_DEFAULT, out);
  H5Sclose(ms);
  H5Sclose(fs);
  H5Dclose(d);
  if (h < 0)
    LC_FAIL(LC_EHDF5, "cannot read rows %" PRId64 "..%" PRId64 " of %s", lo, hi, name);
  return LC_OK;
}

/* Appends this rank's block of one scenario's Trips to *t (which = 0 baseline, 1 scenario). */
static int compare_agents_read_trips(hid_t file, const char *scen_group, int which,
                                     const int64_t *thr, int n_cat, int rank, int size,
                                     struct compare_trip **t, int64_t *n) {
  static const char *const col[7] = {"agent",    "origin",   "group", "category",
                                     "depart_s", "arrive_s", "wait_s"};
  char name[1400];
  int64_t T = 0;
  snprintf(name, sizeof name, "%s/Trips/agent", scen_group);
  LC_CHECK(compare_agents_length(file, name, &T));
  int64_t lo = T * rank / size, hi = T * (rank + 1) / size, m = hi - lo;
  int64_t *buf = lc_malloc_array(m, 8 * sizeof *buf);
  struct compare_trip *grown = realloc(*t, (size_t)(*n + m + 1) * sizeof *grown);
  if (!buf || !grown) {
    free(buf);
    if (grown)
      *t = grown;
    LC_FAIL(LC_ENOMEM, "out of memory reading %s/Trips", scen_group);
  }
  *t = grown;
  int st = LC_OK;
  for (int k = 0; k < 8 && st == LC_OK; k++) {
    snprintf(name, sizeof name, "%s/Trips/%s", scen_group, k < 7 ? col[k] : "outcome");
    int64_t len = 0;
    st = compare_agents_length(file, name, &len);
    if (st == LC_OK && len != T)
      st = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                        "%s has %" PRId64 " rows, Trips/agent %" PRId64, name, len, T);
    if (st == LC_OK)
      st = compare_agents_read_block(file, name, lo, hi, buf + (size_t)k * (size_t)m);
  }
  for (int64_t i = 0; st == LC_OK && i < m; i++) {
    const int64_t *c = buf + i;
    int64_t cat = c[3 * m];
    if (cat < 0 || cat >= n_cat) {
      st = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                        "%s/Trips row %" PRId64 ": category %" PRId64 " is not a category",
                        scen_group, lo + i, cat);
      break;
    }
    struct compare_trip *x = &(*t)[*n + i];
    x->agent = c[0];
    x->origin = c[m];
    x->group = (int32_t)c[2 * m];
    x->cat = (int32_t)cat;
    x->which = which;
    x->ok = compare_trip_ok(c[7 * m], c[4 * m], c[5 * m], c[6 * m], thr[cat]);
  }
  free(buf);
  if (st == LC_OK)
    *n += m;
  return st;
}

/* The population and thresholds of a results file, replicated on every rank. */
struct compare_agents_pop {
  int64_t n_nodes;
  int n_cat, n_group, n_sub;
  int64_t *by_group, *thr;
  int32_t *sub;
};

static void compare_agents_pop_free(struct compare_agents_pop *p) {
  free(p->by_group);
  free(p->thr);
  free(p->sub);
  memset(p, 0, sizeof *p);
}

static int compare_agents_pop_read(hid_t file, int n_rows, struct compare_agents_pop *p) {
  memset(p, 0, sizeof *p);
  int64_t rows = 0, cols = 0, *sub = NULL;
  LC_CHECK(h5io_read(file, "/Categories/threshold_min", H5IO_I64, (void **)&p->thr, &rows, &cols));
  p->n_cat = (int)rows;
  int st = h5io_read(file, "/Population/residents", H5IO_I64, (void **)&p->by_group, &rows, &cols);
  p->n_nodes = rows;
  p->n_group = (int)cols;
  if (st == LC_OK)
    st = compare_agents_read_table(file, "/Population/subdistrict", p->n_nodes, 0, &sub);
  if (st == LC_OK && !(p->sub = lc_malloc_array(p->n_nodes, sizeof *p->sub)))
    st = LC_ENOMEM;
  for (int64_t i = 0; st == LC_OK && i < p->n_nodes; i++)
    p->sub[i] = (int32_t)sub[i];
  free(sub);
  p->n_sub = n_rows - 1;
  if (st != LC_OK)
    compare_agents_pop_free(p);
  return st;
}

/* Realised coverage gained and lost. Collective over res->comm. */
static int compare_agents_realised(struct results *res, const char *scenario, const char *baseline,
                                   const char *group) {
  hid_t f = res->file;
  char sg[2][600], name[1400];
  snprintf(sg[0], sizeof sg[0], "/Scenarios/%s", baseline);
  snprintf(sg[1], sizeof sg[1], "/Scenarios/%s", scenario);
  int have_rc = 1, have_trips = 1;
  for (int w = 0; w < 2; w++) {
    snprintf(name, sizeof name, "%s/RealisedCoverage/covered", sg[w]);
    have_rc &= h5io_exists(f, name) > 0;
    snprintf(name, sizeof name, "%s/Trips/agent", sg[w]);
    have_trips &= h5io_exists(f, name) > 0;
  }
  if (!have_rc)
    return results_attr_str(res, group, "realised",
                            "not simulated: the baseline or the scenario has no "
                            "RealisedCoverage (Agents:enabled false)");
  int64_t *needed[2] = {NULL, NULL}, *covered[2] = {NULL, NULL}, per[2] = {0, 0},
          agents[2] = {0, 0};
  int64_t R = 0, CG = 0;
  int st = LC_OK;
  for (int w = 0; w < 2 && st == LC_OK; w++) {
    char rc[1300];
    snprintf(rc, sizeof rc, "%s/RealisedCoverage", sg[w]);
    snprintf(name, sizeof name, "%s/covered", rc);
    st = h5io_read(f, name, H5IO_I64, (void **)&covered[w], &R, &CG);
    snprintf(name, sizeof name, "%s/needed", rc);
    if (st == LC_OK)
      st = compare_agents_read_table(f, name, R, CG, &needed[w]);
    /* A scenario copied from earlier results by a version before the copy kept subgroup
     * attributes lacks them: the other scenario's then stand for both (same parameters,
     * same population). */
    if (st == LC_OK && H5Aexists_by_name(f, rc, "residents_per_agent", H5P_DEFAULT) > 0 &&
        H5Aexists_by_name(f, rc, "agents", H5P_DEFAULT) > 0) {
      st = compare_agents_attr_i64(f, rc, "residents_per_agent", &per[w]);
      if (st == LC_OK)
        st = compare_agents_attr_i64(f, rc, "agents", &agents[w]);
    }
    if (st == LC_OK && w == 1) {
      int64_t r2 = 0, c2 = 0, *tmp = NULL;
      snprintf(name, sizeof name, "%s/RealisedCoverage/covered", sg[0]);
      st = h5io_read(f, name, H5IO_I64, (void **)&tmp, &r2, &c2);
      free(tmp);
      if (st == LC_OK && (r2 != R || c2 != CG))
        st = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                          "RealisedCoverage of %s and %s differ in shape", baseline, scenario);
    }
  }
  for (int w = 0; w < 2; w++)
    if (per[w] == 0) {
      per[w] = per[1 - w];
      agents[w] = agents[1 - w];
    }
  if (per[0] == 0)
    have_trips = 0; /* Neither says how many residents an agent stands for. */
  /* A housing scenario simulates the baseline's agents and new ones: only the net change
   * compares (the new residents' own figures are the housing_* tables). */
  snprintf(name, sizeof name, "%s/Population/residents", sg[1]);
  int housing = h5io_exists(f, name) > 0;
  if (housing) {
    have_trips = 0;
    agents[1] = agents[0];
  }
  if (st == LC_OK && (per[0] != per[1] || agents[0] != agents[1]))
    st = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                      "%s and %s simulated different agents (residents_per_agent %" PRId64
                      " and %" PRId64 ", %" PRId64 " and %" PRId64 " agents): not comparable",
                      baseline, scenario, per[0], per[1], agents[0], agents[1]);
  st = lc_agree(res->comm, st);
  size_t cells = (size_t)(R * CG > 0 ? R * CG : 1);
  int64_t *change = st == LC_OK ? malloc(cells * sizeof *change) : NULL;
  if (st == LC_OK)
    st = lc_agree(res->comm, change ? LC_OK : LC_ENOMEM);
  if (st == LC_OK) {
    for (int64_t k = 0; k < R * CG; k++)
      change[k] = covered[1][k] - covered[0][k];
    snprintf(name, sizeof name, "%s/realised_covered_change", group);
    st = results_write_global(res, name, H5IO_I64, change, R, CG, "persons",
                              "RealisedCoverage/covered of the scenario minus that of the "
                              "baseline (column c*G+g; rows: subdistricts, then all); equals "
                              "realised_newly_covered - realised_no_longer_covered");
  }
  struct compare_agents_pop pop;
  memset(&pop, 0, sizeof pop);
  struct compare_trip *trips = NULL;
  int64_t nt = 0;
  struct compare_realised cr;
  memset(&cr, 0, sizeof cr);
  if (st == LC_OK && have_trips) {
    st = compare_agents_pop_read(f, (int)R, &pop);
    if (st == LC_OK && (int64_t)pop.n_cat * pop.n_group != CG)
      st = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                        "RealisedCoverage has %" PRId64 " columns, not categories x groups", CG);
    for (int w = 0; w < 2 && st == LC_OK; w++)
      st = compare_agents_read_trips(f, sg[w], w, pop.thr, pop.n_cat, res->rank, res->size, &trips,
                                     &nt);
    st = lc_agree(res->comm, st);
    if (st == LC_OK) {
      struct compare_agents_spec spec = {pop.n_sub,    pop.n_cat, pop.n_group, pop.n_nodes,
                                         pop.by_group, pop.sub,   per[0],      agents[0]};
      st = compare_realised_compute(&spec, nt, trips, res->comm, &cr);
    }
    /* The recount must reproduce both RealisedCoverage tables exactly. */
    for (int w = 0; w < 2 && st == LC_OK; w++)
      for (int64_t k = 0; k < R * CG; k++)
        if (cr.needed[w][k] != needed[w][k] || cr.covered[w][k] != covered[w][k]) {
          st = lc_error_set(LC_EINVARIANT, __FILE__, __LINE__,
                            "%s: the agents recounted from Trips (needed %" PRId64
                            ", covered %" PRId64 ") differ from RealisedCoverage (needed %" PRId64
                            ", covered %" PRId64 ") at row %" PRId64 ", column %" PRId64,
                            sg[w], cr.needed[w][k], cr.covered[w][k], needed[w][k], covered[w][k],
                            k / CG, k % CG);
          break;
        }
    st = lc_agree(res->comm, st);
    snprintf(name, sizeof name, "%s/realised_newly_covered", group);
    if (st == LC_OK)
      st = results_write_global(res, name, H5IO_I64, cr.cmp.newly_covered, R, CG, "persons",
                                "residents (agent weights) realised-covered for category c in "
                                "the scenario but not in the baseline: every trip of c served "
                                "with door-to-service time within the threshold, compared "
                                "agent by agent (column c*G+g; rows: subdistricts, then all)");
    snprintf(name, sizeof name, "%s/realised_no_longer_covered", group);
    if (st == LC_OK)
      st = results_write_global(res, name, H5IO_I64, cr.cmp.no_longer_covered, R, CG, "persons",
                                "residents (agent weights) realised-covered for category c in "
                                "the baseline but not in the scenario (column c*G+g; rows: "
                                "subdistricts, then all)");
    int64_t *serves = NULL, *served = NULL;
    if (st == LC_OK) {
      st = compare_read_serves(f, pop.n_cat, pop.n_group, &serves);
      served = lc_malloc_array(2 * R * pop.n_cat, sizeof *served);
      if (st == LC_OK && !served)
        st = LC_ENOMEM;
    }
    st = lc_agree(res->comm, st);
    if (st == LC_OK) {
      compare_served_sum((int)R, pop.n_cat, pop.n_group, cr.cmp.newly_covered, serves, served);
      compare_served_sum((int)R, pop.n_cat, pop.n_group, cr.cmp.no_longer_covered, serves,
                         served + R * pop.n_cat);
    }
    snprintf(name, sizeof name, "%s/realised_served_newly_covered", group);
    if (st == LC_OK)
      st = results_write_global(res, name, H5IO_I64, served, R, pop.n_cat, "persons",
                                "realised_newly_covered summed over the groups category c "
                                "serves (/Categories/serves) only (columns: /Categories/id; "
                                "rows: subdistricts, then all)");
    snprintf(name, sizeof name, "%s/realised_served_no_longer_covered", group);
    if (st == LC_OK)
      st =
          results_write_global(res, name, H5IO_I64, served + R * pop.n_cat, R, pop.n_cat, "persons",
                               "realised_no_longer_covered summed over the groups category c "
                               "serves only");
    free(serves);
    free(served);
    if (st == LC_OK)
      st = results_attr_str(res, group, "realised",
                            "per agent, from the Trips of the baseline and the scenario");
  } else if (st == LC_OK && housing) {
    st = results_attr_str(res, group, "realised",
                          "net change only (realised_covered_change, new residents "
                          "included): the scenario changes the residents (housing), so its "
                          "agents are not the baseline's one for one");
  } else if (st == LC_OK) {
    st = results_attr_str(res, group, "realised",
                          "net change only (realised_covered_change): the Trips needed to "
                          "compare agent by agent were not written (Agents:trips false), or "
                          "RealisedCoverage lacks its residents_per_agent attribute");
  }
  compare_realised_free(&cr);
  free(trips);
  compare_agents_pop_free(&pop);
  free(change);
  for (int w = 0; w < 2; w++) {
    free(needed[w]);
    free(covered[w]);
  }
  return st;
}

/* Per-facility totals over the day of one scenario (rank 0): arrivals, served, refused
 * (sums over the bins) and the largest peak queue; with categories and source ids. */
static int compare_agents_load_totals(hid_t f, const char *sg, int64_t *n_fac, int64_t **tot,
                                      int64_t **cat, char ***sid, int64_t *n_sid) {
  static const char *const field[COMPARE_AGENTS_LOAD_COLS] = {"arrivals", "served", "refused",
                                                              "peak_queue"};
  char name[1400];
  int64_t rows = 0, bins = 0;
  snprintf(name, sizeof name, "%s/Facilities/category", sg);
  LC_CHECK(h5io_read(f, name, H5IO_I64, (void **)cat, n_fac, &bins));
  snprintf(name, sizeof name, "%s/Facilities/source_id", sg);
  LC_CHECK(compare_read_strings(f, name, sid, n_sid));
  if (*n_sid != *n_fac)
    LC_FAIL(LC_EFORMAT, "%s/Facilities: %" PRId64 " source ids for %" PRId64 " facilities", sg,
            *n_sid, *n_fac);
  *tot = lc_calloc_array(*n_fac, COMPARE_AGENTS_LOAD_COLS * sizeof **tot);
  if (!*tot)
    return LC_ENOMEM;
  for (int q = 0; q < COMPARE_AGENTS_LOAD_COLS; q++) {
    int64_t *v = NULL;
    snprintf(name, sizeof name, "%s/FacilityLoad/%s", sg, field[q]);
    LC_CHECK(h5io_read(f, name, H5IO_I64, (void **)&v, &rows, &bins));
    if (rows != *n_fac) {
      free(v);
      LC_FAIL(LC_EFORMAT, "%s has %" PRId64 " rows, Facilities %" PRId64, name, rows, *n_fac);
    }
    int64_t nb = bins > 0 ? bins : 1;
    for (int64_t i = 0; i < rows; i++)
      for (int64_t b = 0; b < nb; b++) {
        int64_t x = v[i * nb + b], *t = &(*tot)[i * COMPARE_AGENTS_LOAD_COLS + q];
        if (q == 3)
          *t = x > *t ? x : *t;
        else
          *t += x;
      }
    free(v);
  }
  return LC_OK;
}

/* Facility load before and after, per row of the scenario's Facilities. Collective. */
static int compare_agents_load(struct results *res, const char *scenario, const char *baseline,
                               const char *group) {
  hid_t f = res->file;
  char sg[2][600], name[1400];
  snprintf(sg[0], sizeof sg[0], "/Scenarios/%s", baseline);
  snprintf(sg[1], sizeof sg[1], "/Scenarios/%s", scenario);
  int have = 1;
  for (int w = 0; w < 2; w++) {
    snprintf(name, sizeof name, "%s/FacilityLoad/arrivals", sg[w]);
    have &= h5io_exists(f, name) > 0;
  }
  if (!have)
    return results_attr_str(res, group, "facility_load",
                            "not simulated: the baseline or the scenario has no FacilityLoad");
  int64_t nf[2] = {0, 0}, *tot[2] = {NULL, NULL}, *cat[2] = {NULL, NULL}, nsid[2] = {0, 0};
  char **sid[2] = {NULL, NULL};
  int64_t *out = NULL, F = 0;
  int st = LC_OK;
  if (res->rank == 0) {
    for (int w = 0; w < 2 && st == LC_OK; w++)
      st = compare_agents_load_totals(f, sg[w], &nf[w], &tot[w], &cat[w], &sid[w], &nsid[w]);
    F = nf[1];
    out = st == LC_OK ? lc_malloc_array(F, (3 * COMPARE_AGENTS_LOAD_COLS + 1) * sizeof *out) : NULL;
    if (st == LC_OK && !out)
      st = LC_ENOMEM;
    for (int64_t i = 0; st == LC_OK && i < F; i++) {
      /* Rows stay comparable between scenarios (scenario.h): row i of the baseline when it
       * is the same facility (category and source id), else none. */
      int64_t b = i < nf[0] && cat[0][i] == cat[1][i] && !strcmp(sid[0][i], sid[1][i]) ? i : -1;
      for (int q = 0; q < COMPARE_AGENTS_LOAD_COLS; q++) {
        int64_t before = b >= 0 ? tot[0][b * COMPARE_AGENTS_LOAD_COLS + q] : 0;
        int64_t after = tot[1][i * COMPARE_AGENTS_LOAD_COLS + q];
        out[i * COMPARE_AGENTS_LOAD_COLS + q] = before;
        out[F * COMPARE_AGENTS_LOAD_COLS + i * COMPARE_AGENTS_LOAD_COLS + q] = after;
        out[2 * F * COMPARE_AGENTS_LOAD_COLS + i * COMPARE_AGENTS_LOAD_COLS + q] = after - before;
      }
      out[3 * F * COMPARE_AGENTS_LOAD_COLS + i] = b;
    }
  }
  st = lc_agree(res->comm, st);
  if (st == LC_OK && MPI_Bcast(&F, 1, MPI_INT64_T, 0, res->comm) != MPI_SUCCESS)
    st = lc_error_set(LC_EMPI, __FILE__, __LINE__, "MPI_Bcast failed");
  static const char *const cols =
      "columns: arrivals (agents arriving over the day), served (services started), refused "
      "(agents turned away), peak_queue (largest queue in any bin); see "
      "facility_load_column";
  char desc[1024];
  int64_t FC = F * COMPARE_AGENTS_LOAD_COLS;
#define COMPARE_AGENTS_W(field, off, units, text)                               \
  if (st == LC_OK) {                                                            \
    snprintf(name, sizeof name, "%s/" field, group);                            \
    snprintf(desc, sizeof desc, "%s; %s", text, cols);                          \
    st = results_write_global(res, name, H5IO_I64, out ? out + (off) : NULL, F, \
                              COMPARE_AGENTS_LOAD_COLS, units, desc);           \
  }
  COMPARE_AGENTS_W(
      "facility_load_before", 0, "agents",
      "the baseline's load of the same facility per row of the scenario's Facilities (0 for "
      "rows the baseline does not have: facility_baseline_row -1)")
  COMPARE_AGENTS_W("facility_load_after", FC, "agents",
                   "the scenario's load per row of its Facilities")
  COMPARE_AGENTS_W("facility_load_change", 2 * FC, "agents",
                   "facility_load_after - facility_load_before")
#undef COMPARE_AGENTS_W
  snprintf(name, sizeof name, "%s/facility_baseline_row", group);
  if (st == LC_OK)
    st = results_write_global(res, name, H5IO_I64, out ? out + 3 * FC : NULL, F, 0, "1",
                              "row of the baseline's Facilities holding the same facility "
                              "(same category and source id), -1 when the baseline has none "
                              "(added by the scenario)");
  char *colnames[COMPARE_AGENTS_LOAD_COLS] = {"arrivals", "served", "refused", "peak_queue"};
  snprintf(name, sizeof name, "%s/facility_load_column", group);
  if (st == LC_OK)
    st = results_write_strings(res, name, colnames, COMPARE_AGENTS_LOAD_COLS,
                               "column names of facility_load_before, _after and _change");
  free(out);
  for (int w = 0; w < 2; w++) {
    free(tot[w]);
    free(cat[w]);
    compare_free_strings(sid[w], nsid[w]);
  }
  return st;
}

int compare_write_agents(struct results *res, const char *scenario, const char *baseline) {
  char group[600];
  snprintf(group, sizeof group, "/Comparisons/%s", scenario);
  /* Both scenarios may just have been written: make them visible to every rank. */
  if (H5Fflush(res->file, H5F_SCOPE_GLOBAL) < 0)
    LC_FAIL(LC_EHDF5, "cannot flush the results file");
  if (MPI_Barrier(res->comm) != MPI_SUCCESS)
    LC_FAIL(LC_EMPI, "MPI_Barrier failed");
  LC_CHECK(compare_agents_realised(res, scenario, baseline, group));
  LC_CHECK(compare_agents_load(res, scenario, baseline, group));
  return compare_band_write(res, scenario, baseline);
}
