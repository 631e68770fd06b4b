/* Configuration of the agent simulation (the Agents section of the parameter file) and its
 * results datasets (Trips, FacilityLoad, RealisedCoverage). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents_internal.h"
#include "lifecircle/alloc.h"
#include "lifecircle/datadir.h"
#include "lifecircle/status.h"

static int agents_io_time(struct params *p, const char *key, const char *def, int32_t *sec) {
  const char *v;
  LC_CHECK(params_get_string_or(p, key, def, &v));
  int32_t m;
  if (facility_parse_hhmm(v, &m) != LC_OK) {
    const struct ytree_node *n = ytree_path(p->tree.root, key);
    LC_FAIL(LC_EPARAM, "%s:%d:%d: %s '%s' is not a time HH:MM (00:00 to 24:00)", p->file,
            n ? n->line : 0, n ? n->column : 0, key, v);
  }
  *sec = m * 60;
  return LC_OK;
}

/* Agents:sensitivity: enabled, low, high, corners. The design: each parameter at low and at
 * high with the others at 1 (one at a time), plus the corners: `extreme` the two where every
 * parameter pushes realised coverage the same way (fewer seats, longer services, more visits;
 * and the reverse), `all` every combination of low and high, `none` no corner. */
static int agents_io_design(struct params *p, struct agents_config *cfg) {
  static const char *const corners[] = {"none", "extreme", "all"};
  int corner = 1;
  double lo = 0.5, hi = 2.0;
  LC_CHECK(params_get_bool_or(p, "Agents:sensitivity:enabled", 0, &cfg->sens_enabled));
  LC_CHECK(params_get_double_or(p, "Agents:sensitivity:low", 0.01, 1, "factor", 0.5, &lo));
  LC_CHECK(params_get_double_or(p, "Agents:sensitivity:high", 1, 100, "factor", 2.0, &hi));
  LC_CHECK(params_get_choice_or(p, "Agents:sensitivity:corners", corners, 3, 1, &corner));
  if (!(lo < 1.0 && hi > 1.0))
    LC_FAIL(LC_EPARAM, "%s: Agents:sensitivity: low (%g) must be below 1 and high (%g) above 1",
            p->file, lo, hi);
  int n = 0;
  for (int q = 0; q < AGENTS_N_PARAMS; q++)
    for (int h = 0; h < 2; h++) {
      for (int r = 0; r < AGENTS_N_PARAMS; r++)
        cfg->design[n][r] = 1.0;
      cfg->design[n++][q] = h ? hi : lo;
    }
  if (corner == 1) {
    /* Capacity works for coverage; service time and visit rate against it. */
    double against[AGENTS_N_PARAMS] = {lo, hi, hi}, with[AGENTS_N_PARAMS] = {hi, lo, lo};
    memcpy(cfg->design[n++], against, sizeof against);
    memcpy(cfg->design[n++], with, sizeof with);
  } else if (corner == 2) {
    for (int m = 0; m < 1 << AGENTS_N_PARAMS; m++, n++)
      for (int r = 0; r < AGENTS_N_PARAMS; r++)
        cfg->design[n][r] = m >> r & 1 ? hi : lo;
  }
  cfg->n_design = n;
  return LC_OK;
}

int agents_configure(struct params *p, struct agents_config *cfg) {
  static const char *const choices[] = {"nearest", "logit"};
  long tries = 3;
  memset(cfg, 0, sizeof *cfg);
  LC_CHECK(params_get_bool_or(p, "Agents:enabled", 1, &cfg->enabled));
  LC_CHECK(datadir_param(p, "Agents:activities", "activities.yml", &cfg->activities));
  LC_CHECK(params_get_int_or(p, "Agents:residents_per_agent", 1, 1000000, "residents", 1,
                             &cfg->residents_per_agent));
  LC_CHECK(params_get_choice_or(p, "Agents:choice", choices, 2, AGENTS_NEAREST, &cfg->choice));
  LC_CHECK(
      params_get_double_or(p, "Agents:logit_beta", 0, 100, "per minute", 0.3, &cfg->logit_beta));
  LC_CHECK(
      params_get_double_or(p, "Agents:logit_attraction", 0, 100, "", 0.5, &cfg->logit_attraction));
  LC_CHECK(params_get_int_or(p, "Agents:max_tries", 1, AGENTS_MAX_TRIES, "facilities", 3, &tries));
  cfg->max_tries = (int)tries;
  LC_CHECK(params_get_int_or(p, "Agents:bin_s", 60, AGENTS_DAY_S, "s", 900, &cfg->bin_s));
  LC_CHECK(params_get_int_or(p, "Agents:window_s", 1, 3600, "s", 60, &cfg->window_s));
  LC_CHECK(agents_io_time(p, "Agents:day_start", "00:00", &cfg->day_start_s));
  LC_CHECK(agents_io_time(p, "Agents:day_end", "24:00", &cfg->day_end_s));
  if (cfg->day_end_s <= cfg->day_start_s)
    LC_FAIL(LC_EPARAM,
            "%s: Agents:day_end (%02d:%02d) must be after Agents:day_start "
            "(%02d:%02d)",
            p->file, cfg->day_end_s / 3600, cfg->day_end_s / 60 % 60, cfg->day_start_s / 3600,
            cfg->day_start_s / 60 % 60);
  LC_CHECK(params_get_bool_or(p, "Agents:trips", 1, &cfg->trips));
  return agents_io_design(p, cfg);
}

/* One Trips column from the sorted trips. */
static int agents_io_trip_column(struct results *res, const char *base, const char *field,
                                 const struct agents_trip *t, int64_t n, int which,
                                 const char *units, const char *desc) {
  int64_t *col = lc_malloc_array(n, sizeof *col);
  if (!col)
    return LC_ENOMEM;
  for (int64_t i = 0; i < n; i++) {
    const struct agents_trip *x = &t[i];
    int64_t v = 0;
    switch (which) {
      case 0:
        v = x->agent;
        break;
      case 1:
        v = x->group;
        break;
      case 2:
        v = x->cat;
        break;
      case 3:
        v = x->origin;
        break;
      case 4:
        v = x->fac;
        break;
      case 5:
        v = x->depart_s;
        break;
      case 6:
        v = x->arrive_s;
        break;
      case 7:
        v = x->wait_s;
        break;
      case 8:
        v = x->outcome;
        break;
      case 9:
        v = x->walk_cm;
        break;
      case 10:
        v = x->end_s;
        break;
      case 12:
        v = x->reason;
        break;
      default:
        v = x->index;
        break;
    }
    col[i] = v;
  }
  char name[512];
  snprintf(name, sizeof name, "%s/Trips/%s", base, field);
  /* Hashed while written (no read-back for the scenario checksum). */
  int st = results_write_dist(res, name, H5IO_I64, col, n, 0, units, desc);
  free(col);
  return st;
}

static int agents_io_trips(struct results *res, const char *base, const struct agents_output *out) {
  struct agents_trip *t;
  int64_t n;
  LC_CHECK(agents_exchange_trips(&out->trips, out->stats.agents, res->comm, &t, &n));
  static const struct {
    const char *field, *units, *desc;
  } cols[] = {
      {"agent", "1", "agent id (global: home nodes in /Graph/nodes order, then /Groups/id order)"},
      {"group", "1", "row of /Groups/id"},
      {"category", "1", "row of /Categories/id"},
      {"origin", "1", "home node (row of /Graph/nodes) the trip starts from"},
      {"facility", "1",
       "row of Facilities that served the agent (failed trips: the last one "
       "tried, -1 when no facility was open within the catchment list)"},
      {"depart_s", "s", "departure from home, seconds after midnight"},
      {"arrive_s", "s", "arrival at the facility, seconds after midnight"},
      {"wait_s", "s", "queue wait at the facility that served"},
      {"outcome", "1", "0 served, 1 served after waiting, 2 redirected then served, 3 failed"},
      {"walk_cm", "cm",
       "walked from home to the facility over all legs (snap distances "
       "included)"},
      {"end_s", "s", "end of service, seconds after midnight; -1 when not served"},
      {"trip_index", "1", "index of the trip in the agent's day"},
      {"reason", "1",
       "why the need ended as it did: 0 served, 1 served after waiting, 2 "
       "redirected then served, 3 none within radius (no facility of the "
       "category within its radius: an unmet need, no walk, facility -1), 4 "
       "closed on arrival, 5 capacity full after K tries, 6 gave up waiting; "
       "names in the Trips attribute `reason_names`"},
  };
  int st = LC_OK;
  for (int i = 0; i < (int)(sizeof cols / sizeof cols[0]) && st == LC_OK; i++)
    st = agents_io_trip_column(res, base, cols[i].field, t, n, i, cols[i].units, cols[i].desc);
  free(t);
  char name[512], names[512] = "";
  for (int r = 0; r < AGENTS_N_REASONS; r++)
    snprintf(names + strlen(names), sizeof names - strlen(names), "%s%d %s", r ? "; " : "", r,
             agents_reason_names[r]);
  /* On the group: a rerun's copy of a complete scenario keeps group attributes. */
  snprintf(name, sizeof name, "%s/Trips", base);
  if (st == LC_OK)
    st = results_attr_str(res, name, "reason_names", names);
  return st;
}

int agents_write(struct results *res, const char *scenario_base, const struct agents_input *in,
                 const struct agents_output *out) {
  char name[512], grp[512];
  const struct agents_config *cfg = in->cfg;
  if (cfg->trips)
    LC_CHECK(agents_io_trips(res, scenario_base, out));
  static const char *const load_names[AGENTS_LOAD] = {"arrivals", "served", "peak_queue", "refused",
                                                      "attempts"};
  static const char *const load_desc[AGENTS_LOAD] = {
      "agents arriving at the facility (row of Facilities) in the time bin (column; bin b "
      "covers [b * bin_s, (b + 1) * bin_s) seconds after midnight)",
      "agents whose service started in the bin",
      "largest number of agents waiting in the queue during the bin",
      "persons (distinct agents) turned away in the bin: wait beyond their tolerance, closed on "
      "arrival, or service could not start before closing; never more than arrivals",
      "refusals in the bin (an agent turned away twice in the bin counts twice)"};
  int64_t FT = out->n_fac * out->n_bins;
  for (int q = 0; q < AGENTS_LOAD; q++) {
    snprintf(name, sizeof name, "%s/FacilityLoad/%s", scenario_base, load_names[q]);
    LC_CHECK(results_write_global(res, name, H5IO_I64, out->load ? out->load + q * FT : NULL,
                                  out->n_fac, out->n_bins, "1", load_desc[q]));
  }
  snprintf(grp, sizeof grp, "%s/FacilityLoad", scenario_base);
  LC_CHECK(results_attr_i64(res, grp, "bin_s", out->bin_s));
  int64_t R = out->n_rows, CG = (int64_t)out->n_cat * out->n_group;
  snprintf(name, sizeof name, "%s/RealisedCoverage/needed", scenario_base);
  LC_CHECK(results_write_global(res, name, H5IO_I64, out->needed, R, CG, "persons",
                                "residents (agent weights) with at least one trip of category c "
                                "on the simulated day (column c*G+g; rows: subdistricts, then "
                                "all)"));
  snprintf(name, sizeof name, "%s/RealisedCoverage/covered", scenario_base);
  LC_CHECK(results_write_global(res, name, H5IO_I64, out->covered, R, CG, "persons",
                                "of those, residents whose every trip of category c was served "
                                "with door-to-service time (walking, redirects and queue) "
                                "within the category's threshold (column c*G+g)"));
  snprintf(name, sizeof name, "%s/RealisedCoverage/share", scenario_base);
  LC_CHECK(results_write_global(res, name, H5IO_F64, out->share, R, CG, "1",
                                "covered / needed (column c*G+g); NaN where no resident needed "
                                "the category"));
  snprintf(name, sizeof name, "%s/RealisedCoverage/served_late", scenario_base);
  LC_CHECK(results_write_global(res, name, H5IO_I64, out->late, R, CG, "persons",
                                "residents with the need whose every trip of category c was "
                                "served, some beyond the threshold (column c*G+g)"));
  int64_t cells = R * CG;
  int64_t *tot = lc_calloc_array(cells, sizeof *tot);
  if (!tot)
    return LC_ENOMEM;
  for (int u = 0; u < AGENTS_N_UNMET; u++)
    for (int64_t k = 0; k < cells; k++)
      tot[k] += out->unmet[u * cells + k];
  snprintf(name, sizeof name, "%s/RealisedCoverage/unmet", scenario_base);
  int st = results_write_global(res, name, H5IO_I64, tot, R, CG, "persons",
                                "residents with the need for whom some trip of category c was "
                                "not served (column c*G+g); the sum of the unmet_<reason> "
                                "tables; needed = covered + served_late + unmet");
  free(tot);
  LC_CHECK(st);
  static const char *const unmet_names[AGENTS_N_UNMET] = {
      "unmet_none_within_radius", "unmet_closed_on_arrival", "unmet_capacity_full",
      "unmet_gave_up_waiting"};
  for (int u = 0; u < AGENTS_N_UNMET; u++) {
    char desc[256];
    snprintf(desc, sizeof desc,
             "residents unmet for category c whose first trip not served "
             "ended with reason '%s' (column c*G+g)",
             agents_reason_names[AGENTS_R_NONE + u]);
    snprintf(name, sizeof name, "%s/RealisedCoverage/%s", scenario_base, unmet_names[u]);
    LC_CHECK(
        results_write_global(res, name, H5IO_I64, out->unmet + u * cells, R, CG, "persons", desc));
  }
  if (out->n_design > 0)
    LC_CHECK(agents_write_design(res, scenario_base, in, out));
  snprintf(grp, sizeof grp, "%s/RealisedCoverage", scenario_base);
  const struct agents_stats *x = &out->stats;
  LC_CHECK(results_attr_i64(res, grp, "agents", x->agents));
  LC_CHECK(results_attr_i64(res, grp, "residents", x->residents));
  LC_CHECK(results_attr_i64(res, grp, "residents_per_agent", cfg->residents_per_agent));
  LC_CHECK(results_attr_i64(res, grp, "trips", x->trips));
  LC_CHECK(results_attr_i64(res, grp, "trips_written", cfg->trips ? 1 : 0));
  LC_CHECK(results_attr_i64(res, grp, "windows", x->windows));
  LC_CHECK(results_attr_i64(res, grp, "window_s", cfg->window_s));
  LC_CHECK(results_attr_i64(res, grp, "migrations", x->migrations));
  LC_CHECK(results_attr_i64(res, grp, "invariant_violations", x->violations));
  LC_CHECK(results_attr_str(res, grp, "choice", cfg->choice == AGENTS_LOGIT ? "logit" : "nearest"));
  return LC_OK;
}
