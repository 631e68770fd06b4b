/* Configuration of the agent simulation (the Agents section of the parameter file) and its
 * results datasets (Trips, FacilityLoad, RealisedCoverage). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents_internal.h"
#include "lifecircle/datadir.h"
#include "lifecircle/status.h"

static int io_time(struct params *p, const char *key, const char *def, int32_t *sec) {
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

int agents_configure(struct params *p, struct agents_config *cfg) {
  static const char *const choices[] = {"nearest", "logit"};
  long tries = 3;
  memset(cfg, 0, sizeof *cfg);
  LC_CHECK(params_get_bool_or(p, "Agents:enabled", 1, &cfg->enabled));
  LC_CHECK(datadir_param(p, "Agents:activities", "activities.yml", &cfg->activities));
  LC_CHECK(params_get_int_or(p, "Agents:residents_per_agent", 1, 1000000, "residents", 1,
                             &cfg->residents_per_agent));
  LC_CHECK(params_get_choice_or(p, "Agents:choice", choices, 2, AGENTS_NEAREST, &cfg->choice));
  LC_CHECK(params_get_double_or(p, "Agents:logit_beta", 0, 100, "per minute", 0.3,
                                &cfg->logit_beta));
  LC_CHECK(params_get_double_or(p, "Agents:logit_attraction", 0, 100, "", 0.5,
                                &cfg->logit_attraction));
  LC_CHECK(params_get_int_or(p, "Agents:max_tries", 1, AGENTS_MAX_TRIES, "facilities", 3, &tries));
  cfg->max_tries = (int)tries;
  LC_CHECK(params_get_int_or(p, "Agents:bin_s", 60, AGENTS_DAY_S, "s", 900, &cfg->bin_s));
  LC_CHECK(params_get_int_or(p, "Agents:window_s", 1, 3600, "s", 60, &cfg->window_s));
  LC_CHECK(io_time(p, "Agents:day_start", "00:00", &cfg->day_start_s));
  LC_CHECK(io_time(p, "Agents:day_end", "24:00", &cfg->day_end_s));
  if (cfg->day_end_s <= cfg->day_start_s)
    LC_FAIL(LC_EPARAM, "%s: Agents:day_end (%02d:%02d) must be after Agents:day_start "
            "(%02d:%02d)", p->file, cfg->day_end_s / 3600, cfg->day_end_s / 60 % 60,
            cfg->day_start_s / 3600, cfg->day_start_s / 60 % 60);
  LC_CHECK(params_get_bool_or(p, "Agents:trips", 1, &cfg->trips));
  return LC_OK;
}

void agents_output_free(struct agents_output *out) {
  agents_trips_free(&out->trips);
  free(out->load);
  free(out->needed);
  free(out->covered);
  free(out->share);
  memset(out, 0, sizeof *out);
}

/* One Trips column from the sorted trips. */
static int io_trip_column(struct results *res, const char *base, const char *field,
                          const struct agents_trip *t, int64_t n, int which, const char *units,
                          const char *desc) {
  int64_t *col = malloc((size_t)(n > 0 ? n : 1) * sizeof *col);
  if (!col)
    return LC_ENOMEM;
  for (int64_t i = 0; i < n; i++) {
    const struct agents_trip *x = &t[i];
    int64_t v = 0;
    switch (which) {
    case 0: v = x->agent; break;
    case 1: v = x->group; break;
    case 2: v = x->cat; break;
    case 3: v = x->origin; break;
    case 4: v = x->fac; break;
    case 5: v = x->depart_s; break;
    case 6: v = x->arrive_s; break;
    case 7: v = x->wait_s; break;
    case 8: v = x->outcome; break;
    case 9: v = x->walk_cm; break;
    case 10: v = x->end_s; break;
    default: v = x->index; break;
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

static int io_trips(struct results *res, const char *base, const struct agents_output *out) {
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
      {"facility", "1", "row of Facilities that served the agent (failed trips: the last one "
                        "tried, -1 when no facility was open within the catchment list)"},
      {"depart_s", "s", "departure from home, seconds after midnight"},
      {"arrive_s", "s", "arrival at the facility, seconds after midnight"},
      {"wait_s", "s", "queue wait at the facility that served"},
      {"outcome", "1", "0 served, 1 served after waiting, 2 redirected then served, 3 failed"},
      {"walk_cm", "cm", "walked from home to the facility over all legs (snap distances "
                        "included)"},
      {"end_s", "s", "end of service, seconds after midnight; -1 when not served"},
      {"trip_index", "1", "index of the trip in the agent's day"},
  };
  int st = LC_OK;
  for (int i = 0; i < (int)(sizeof cols / sizeof cols[0]) && st == LC_OK; i++)
    st = io_trip_column(res, base, cols[i].field, t, n, i, cols[i].units, cols[i].desc);
  free(t);
  return st;
}

int agents_write(struct results *res, const char *scenario_base, const struct agents_input *in,
                 const struct agents_output *out) {
  char name[512], grp[512];
  const struct agents_config *cfg = in->cfg;
  if (cfg->trips)
    LC_CHECK(io_trips(res, scenario_base, out));
  static const char *const load_names[4] = {"arrivals", "served", "peak_queue", "refused"};
  static const char *const load_desc[4] = {
      "agents arriving at the facility (row of Facilities) in the time bin (column; bin b "
      "covers [b * bin_s, (b + 1) * bin_s) seconds after midnight)",
      "agents whose service started in the bin",
      "largest number of agents waiting in the queue during the bin",
      "agents turned away in the bin (wait beyond their tolerance, or service could not start "
      "before closing)"};
  int64_t FT = out->n_fac * out->n_bins;
  for (int q = 0; q < 4; q++) {
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
