/* Comparison of a scenario with the baseline: residents newly covered and no longer covered
 * per subdistrict x category x group, from per-node nearest distances held by the ranks
 * that own the nodes (so `run` and `lifecircle compare` share it). */
#ifndef LIFECIRCLE_COMPARE_H
#define LIFECIRCLE_COMPARE_H

#include <mpi.h>
#include <stdint.h>

#include "lifecircle/coverage.h"

struct comparison {
  int n_rows, n_cat, n_group; /* Rows as in struct coverage (subdistricts, then all). */
  int64_t *newly_covered;     /* rows x categories x groups. */
  int64_t *no_longer_covered; /* rows x categories x groups. */
};

/* Counts, over this rank's n_owned nodes, the residents whose nearest facility of each
 * category moves inside (newly) or outside (no longer) the threshold at their group's speed
 * between `base` and `scen` (per category, per owned node; -1 means none within the radius),
 * and reduces over `comm`. Collective. */
int compare_compute(const struct coverage_spec *spec, int64_t n_owned, const int64_t *const *base,
                    const int64_t *const *scen, const int64_t *residents,
                    const int32_t *subdistrict, MPI_Comm comm, struct comparison *out);

/* Frees a comparison. */
void compare_free(struct comparison *cmp);

/* ---- Realised comparison (the agent simulation). ----
 * An agent counts as realised-covered for category c when it has at least one trip of c on
 * the simulated day and every such trip was served with door-to-service time (walking,
 * redirects and queue) within c's threshold: the rule of RealisedCoverage (agents.h).
 * Baseline and scenario simulate the same agents with the same plans (common random numbers),
 * so agents are compared one by one, by id. */

/* One trip, reduced to what the realised comparison needs. */
struct compare_trip {
  int64_t agent;  /* Global agent id (agents.h). */
  int64_t origin; /* Home node (global row of /Graph/nodes). */
  int32_t group;  /* Row of /Groups/id. */
  int32_t cat;    /* Row of /Categories/id. */
  int32_t which;  /* 0: a trip of the baseline, 1: of the scenario. */
  int32_t ok;     /* 1 when served within the threshold (compare_trip_ok). */
};

/* What the realised comparison needs to know of the population. */
struct compare_agents_spec {
  int n_sub, n_cat, n_group; /* Rows are the n_sub subdistricts, then all. */
  int64_t n_nodes;
  const int64_t *by_group;     /* n_nodes x n_group residents, every node. */
  const int32_t *subdistrict;  /* Per node: subdistrict, -1 outside. */
  int64_t residents_per_agent; /* Agents:residents_per_agent (agent weights follow from it). */
  int64_t n_agents;            /* Agents of the whole population. */
};

/* The realised comparison and the recounts it was made from. */
struct compare_realised {
  struct comparison cmp; /* Newly and no longer realised-covered residents. */
  int64_t *needed[2];    /* Recount of RealisedCoverage/needed: baseline, scenario. */
  int64_t *covered[2];   /* Recount of RealisedCoverage/covered: baseline, scenario. */
};

/* 1 when a trip counts as served within the threshold: outcome served, waited or redirected
 * (0..2) and arrive_s + wait_s - depart_s <= threshold_min * 60 seconds. Local, pure. */
int compare_trip_ok(int64_t outcome, int64_t depart_s, int64_t arrive_s, int64_t wait_s,
                    int64_t threshold_min);

/* Residents (agent weights) newly realised-covered and no longer realised-covered per row x
 * category x group, from the trips of baseline and scenario held by this rank (any rows, any
 * distribution over ranks: they are routed to the rank owning a block of agent ids).
 * An agent's weight is Agents:residents_per_agent, the last agent of a node and group
 * taking the remainder (agents.h). Also recounts needed and covered of both, so that callers
 * can check them against RealisedCoverage. Returns LC_OK, LC_EINVARIANT (a trip naming an
 * agent, node, group or category that does not exist), LC_ENOMEM, LC_ETOOBIG or LC_EMPI,
 * agreed by all ranks. Collective. */
int compare_realised_compute(const struct compare_agents_spec *spec, int64_t n,
                             const struct compare_trip *trips, MPI_Comm comm,
                             struct compare_realised *out);

/* Frees a realised comparison. Local. */
void compare_realised_free(struct compare_realised *r);

#endif
