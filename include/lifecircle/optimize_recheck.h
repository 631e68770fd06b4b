/* Re-checking the sites chosen by `lifecircle optimize` with the agent simulation: the
 * baseline and the scenario adding the sites are simulated with the same agents and plans
 * (common random numbers), and each site's load is set against its capacity; the realised
 * coverage gain (agents served within the threshold, compared agent by agent) is set
 * against the static gain (residents within the threshold's walk). */
#ifndef LIFECIRCLE_OPTIMIZE_RECHECK_H
#define LIFECIRCLE_OPTIMIZE_RECHECK_H

#include <stdint.h>

#include "run.h"

/* The simulated day at one chosen site. Times in seconds. */
struct optimize_site_load {
  int64_t row;          /* Row of the scenario's Facilities. */
  int64_t node;         /* Graph node it snapped to. */
  int64_t capacity;     /* Seats (0: unlimited). */
  int64_t open_s;       /* Opening hours' length. */
  int64_t arrivals;     /* Agents arriving (FacilityLoad/arrivals over the day). */
  int64_t served;       /* Services started. */
  int64_t refused;      /* Agents turned away (they fell back to another facility or
                           failed). */
  int64_t peak_queue;   /* Largest queue in any FacilityLoad bin. */
  int64_t waited;       /* Agents served after waiting. */
  int64_t wait_sum_s;   /* Total wait of the agents served. */
  int64_t wait_max_s;   /* Longest wait of an agent served. */
  int64_t fallback_in;  /* Agents served here after being turned away elsewhere. */
  int64_t gave_up;      /* Trips that failed here (turned away with no facility left). */
  int64_t peak_present; /* Most agents at the site at once (in service or queueing). */
  int64_t busy_s;       /* Seat time used: the sum of service durations. */
  int over_capacity;    /* 1 when demand exceeded the seats: an agent queued or was turned
                           away (never for unlimited capacity). */
};

/* What the re-check found. Gains count residents of the groups the category serves, whole
 * area (every subdistrict and outside). */
struct optimize_recheck {
  int n_sites;
  struct optimize_site_load *site;
  int64_t static_newly, static_lost;     /* Within the threshold's walk: scenario vs base. */
  int64_t realised_newly, realised_lost; /* Served within the threshold, agent by agent. */
  int64_t realised_needed;               /* Residents with a trip of the category (base). */
  int64_t realised_covered_before, realised_covered_after;
  int64_t agents; /* Agents simulated. */
};

/* Simulates the baseline and the scenario file `scenario_path` (the chosen sites, added to
 * category `cat`, their rows being the last n_sites of the scenario's facilities) and fills
 * `out` (identical on every rank). Partitions the graph (rc must not be partitioned yet);
 * switches on the agent simulation and its Trips when the parameters switched them off.
 * `expect_node[i]` (the node each site was chosen at) is checked against the scenario's
 * snapping (a warning when it differs). The recount of realised coverage from the trips
 * must equal the simulation's own (LC_EINVARIANT otherwise). Returns LC_OK or a failure of
 * the phases (LC_EPARAM, LC_EIO, LC_ENOMEM, LC_EMPI, ...), agreed by all ranks.
 * Collective over rc->comm. */
int optimize_recheck_run(struct run_ctx *rc, const char *scenario_path, int cat, int n_sites,
                         const int64_t *expect_node, struct optimize_recheck *out);

/* Frees a re-check. Local. */
void optimize_recheck_free(struct optimize_recheck *r);

#endif
