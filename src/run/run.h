/* The main job (`lifecircle run PARAMS.yml`): load the inputs named by a parameter file,
 * partition the walking graph, then for the baseline and every scenario compute static
 * accessibility and coverage and write them to the results file. Split by phase:
 * run_setup.c (parameters and inputs), run_access.c (partition, kernel, coverage per
 * scenario), run_write.c (results datasets), run_scenarios.c (the scenario loop, resume,
 * clean stop, reuse of complete scenarios from earlier results). Every function is
 * collective over the context's communicator and returns the same status on every rank. */
#ifndef LIFECIRCLE_RUN_H
#define LIFECIRCLE_RUN_H

#include <mpi.h>
#include <stdint.h>

#include "lifecircle/access.h"
#include "lifecircle/agents.h"
#include "lifecircle/categories.h"
#include "lifecircle/coverage.h"
#include "lifecircle/dgraph.h"
#include "lifecircle/facility.h"
#include "lifecircle/geom.h"
#include "lifecircle/graph.h"
#include "lifecircle/graph_io.h"
#include "lifecircle/groups.h"
#include "lifecircle/params.h"
#include "lifecircle/poi.h"
#include "lifecircle/population.h"
#include "lifecircle/results.h"
#include "lifecircle/scenario.h"

/* One scenario being evaluated (index 0 is the baseline, which has no edits). */
struct run_scen {
  const char *name;
  int index;                       /* 0 baseline, else 1 + position in Scenarios:files. */
  const struct scenario *sc;       /* NULL for the baseline. */
  struct facility_set fac;         /* Scenarios: the edited facilities. */
  const struct facility_set *facp; /* The facilities in force (baseline: the run's). */
  struct graph g;                  /* Scenarios that edit the network: the edited graph. */
  struct dgraph dg;
  const struct dgraph *dgp; /* The distributed graph in force. */
  struct scenario_effect eff;
  struct population pop;         /* Housing scenarios: the edited population. */
  const struct population *popp; /* The population in force (else the run's). */
  struct access_result acc;
  uint8_t *borrowed;   /* Per category: acc's arrays are the baseline's (not freed). */
  int64_t *near_store; /* Owned nodes x the categories not borrowed. */
  int64_t **nearest;   /* Per category: nearest distance per owned node (in
                                   * near_store, or the baseline's for a borrowed one). */
  struct coverage cov;
  char **data_reason;          /* Per category: why its data are thin or missing ("" ok). */
  double *e2sfca;              /* Owned nodes x categories: E2SFCA accessibility (e2sfca.h). */
  double *e2sfca_rows;         /* Rows x categories: its demand-weighted mean. */
  struct agents_output agents; /* The simulated day (when Agents:enabled). */
  int agents_done;
};

/* Everything one run holds. */
struct run_ctx {
  MPI_Comm comm;
  int rank, size, threads;
  struct params params;
  int params_loaded;
  const char *name;   /* Run name (Run:name). */
  const char *output; /* Results path (Run:output or -o). */
  long seed;          /* Run:seed, for the agent simulation and provenance. */
  long part_seed;     /* Partition:seed. */
  int part_weights;   /* Partition:weights: vertex weights from residents and facilities. */
  long k;             /* Accessibility:k, entries of every catchment list. */
  double max_snap_m;  /* Facilities:max_snap_m. */
  /* Report wording (Report:title, life_circle, zone_label, languages), for /Header. */
  const char *report_title, *life_circle, *zone_label;
  char *languages;          /* Comma-separated language codes, the report's order of names. */
  int pop_illustrative;     /* The residents table is marked ILLUSTRATIVE. */
  const char *graph_source; /* The graph file, or the first OSM input. */

  struct graph g;
  struct poi_set pois;
  char **poi_categories;
  int n_poi_categories;
  struct graph_import_stats import_stats;
  struct category_set cats;
  struct group_set groups;
  uint8_t *serves;   /* n_cat x n_group. */
  int64_t *official; /* Per category: Facilities:official_counts:<id>, 0 when not given. */
  struct facility_set fac;
  int64_t n_excluded;
  struct polygon_set subs;
  struct population_table table;
  struct density_samples dens;
  int have_dens;
  struct population pop;

  int32_t *part;
  struct dgraph dg;
  int64_t *radius_cm; /* Per category. */
  int n_scen;         /* Scenarios in the parameter file (the baseline not counted). */
  struct scenario *scen;
  uint8_t *selected; /* Per scenario: evaluated in this run (--scenarios). */
  char *config_sha;  /* SHA-256 of the parameters as given: complete scenarios of an earlier
                         file are reused only when it matches. */
  char **input_role, **input_path; /* The common input files (every scenario depends on
                                      them), n_inputs of them, in load order. */
  int n_inputs;
  char *inputs_base;           /* "SHA-256  role  path" lines of the common inputs (every rank). */
  char **inputs_scen;          /* Per scenario: inputs_base, then its scenario file and the files it
                         names. An earlier complete scenario is reused only when its
                         `inputs` attribute equals this. */
  struct run_scen base;        /* The baseline, kept for comparisons and reuse. */
  struct agents_config agents; /* Agents section of the parameters. */
  int agents_loaded;
  double t_setup, t_partition, t_access, t_coverage, t_agents, t_write;
};

/* Reads the parameter file and loads the graph, categories, groups, facilities, the
 * population and the scenario files; validates their consistency. `output_override` (may be
 * NULL) replaces Run:output; `only` (may be NULL) is a comma-separated list of the scenarios
 * to evaluate (the baseline always is). */
int run_setup(struct run_ctx *run, const char *params_path, const char *output_override,
              const char *only, MPI_Comm comm);

/* Partitions the graph with METIS and builds the distributed graph. */
int run_partition(struct run_ctx *run);

/* Computes a scenario's accessibility (only the categories it changes, unless it edits the
 * network) and coverage. The baseline must be computed first. */
int run_scenario_compute(struct run_ctx *run, struct run_scen *s);

/* Runs the agent simulation of a computed scenario (when Agents:enabled). */
int run_scenario_agents(struct run_ctx *run, struct run_scen *s);

/* Writes the agent simulation's Trips, FacilityLoad and RealisedCoverage under group. */
int run_scenario_write_agents(struct run_ctx *run, struct results *res, const struct run_scen *s,
                              const char *group);

/* Frees what a scenario computed (not the baseline's shared inputs). Local. */
void run_scenario_free(struct run_scen *s);

/* Writes the run-wide groups of the results file: header, code, parameters, graph,
 * categories, groups, subdistricts, population. */
int run_write_common(struct run_ctx *run, struct results *res);

/* Writes a scenario's Facilities, NodeAccess (with E2SFCA) and Coverage (with the data
 * status and E2SFCA per row) under base. */
int run_write_scenario(struct run_ctx *run, struct results *res, const struct run_scen *s,
                       const char *base);

/* Writes /Comparisons/<scenario>: residents newly covered and no longer covered (per group
 * and over the groups each category serves), the node-level delta of nearest_cm, and
 * pass/fail before and after. */
int run_write_comparison(struct run_ctx *run, struct results *res, const struct run_scen *s);

/* Evaluates the baseline and the selected scenarios and writes the results file, reusing
 * complete scenarios of an earlier file at the same path, stopping cleanly on SIGUSR1 or
 * SIGTERM (LC_ESTOPPED). */
int run_scenarios(struct run_ctx *run);

/* Installs the SIGUSR1/SIGTERM handler that asks the run to stop cleanly. Local. */
void run_signals_install(void);

/* Sets *any nonzero on every rank when some rank received SIGUSR1 or SIGTERM. Collective.
 * Returns LC_OK or LC_EMPI. */
int run_signal_any(struct run_ctx *run, int *any);

/* Returns LC_ESTOPPED on every rank when any rank received SIGUSR1 or SIGTERM, else LC_OK.
 * `phase` names where the run is, for the log. Collective. */
int run_stop_check(struct run_ctx *run, const char *phase);

/* Makes this rank fail at `phase` when LIFECIRCLE_FAULT is "RANK:PHASE" naming it (fault
 * injection for tests). Returns LC_OK or LC_EFAULT. Local. */
int run_fault(const struct run_ctx *run, const char *phase);

/* Reads Facilities:official_counts:<category id> (optional) into run->official. Local. */
int run_read_official_counts(struct run_ctx *run);

/* Data status of every category with the facilities fs in force: COVERAGE_DATA_NONE when no
 * facility of the category is on the network, _THIN when fewer than the official count or
 * the categories file's expected density times the residents, else _OK; reason[c] (newly
 * allocated, freed by the caller) says why in words, "" when ok. Local. */
int run_data_status(const struct run_ctx *run, const struct facility_set *fs, int8_t *status,
                    char **reason);

/* Logs the reasons of the categories whose data are thin or missing. Local. */
void run_data_log(const struct run_ctx *run, const char *scenario, char *const *reason);
/* Records an input file every scenario depends on (`role` names it in the log). Local. */
int run_inputs_add(struct run_ctx *run, const char *role, const char *path);

/* Rank 0 hashes (SHA-256) every input recorded and every scenario's files, and broadcasts
 * run->inputs_base and run->inputs_scen. Collective. */
int run_inputs_digest(struct run_ctx *run);

/* The input lines of `now` absent from `earlier` (the files changed, added or removed
 * since), as "role path" items joined by "; " into why (at most len bytes). */
void run_inputs_changed(const char *earlier, const char *now, char *why, size_t len);

/* Frees everything the context holds. Local. */
void run_free(struct run_ctx *run);

#endif
