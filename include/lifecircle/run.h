/* The main job (`lifecircle run PARAMS.yml`): load the inputs named by a parameter file,
 * partition the walking graph, compute static accessibility and coverage, and write the
 * results file. Split by phase: run_setup.c (parameters and inputs), run_access.c
 * (partition, kernel, coverage), run_write.c (results). Every function is collective over
 * the context's communicator and returns the same status on every rank. */
#ifndef LIFECIRCLE_RUN_H
#define LIFECIRCLE_RUN_H

#include <mpi.h>
#include <stdint.h>

#include "lifecircle/access.h"
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
  const char *graph_source; /* The graph file, or the first OSM input. */

  struct graph g;
  struct poi_set pois;
  char **poi_categories;
  int n_poi_categories;
  struct graph_import_stats import_stats;
  struct category_set cats;
  struct group_set groups;
  uint8_t *serves; /* n_cat x n_group. */
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
  struct access_result acc;
  int64_t **nearest;  /* Per category: nearest distance per owned node (views into acc). */
  struct coverage cov;
  double t_setup, t_partition, t_access, t_coverage, t_write;
};

/* Reads the parameter file and loads the graph, categories, groups, facilities and the
 * population; validates their consistency. `output_override` (may be NULL) replaces
 * Run:output. */
int run_setup(struct run_ctx *rc, const char *params_path, const char *output_override,
              MPI_Comm comm);

/* Partitions the graph with METIS, builds the distributed graph, runs the accessibility
 * kernel and the coverage reduction. */
int run_access(struct run_ctx *rc);

/* Writes the results file (under a temporary name, renamed when complete). */
int run_write(struct run_ctx *rc);

/* Frees everything the context holds. Local. */
void run_free(struct run_ctx *rc);

#endif
