/* The agent simulation of residents' daily trips (model in src/agents/agents_sim.c).
 *
 * Residents become agents on their home nodes (one per resident, or one per N residents);
 * each agent draws a daily plan from an activities file (inputs/activities.yml) with the
 * counter-based RNG keyed by (seed, agent id, purpose, index), walks to a facility chosen
 * from its home node's catchment list, queues there (facilities are FIFO servers with seats,
 * a service time and opening hours), falls back to another facility when the wait exceeds
 * its tolerance, and walks home. Times are integer seconds after midnight.
 *
 * Parallel scheme: a conservative parallel discrete-event simulation. An agent lives on the
 * rank owning its current node and migrates (batched per destination rank) when it moves.
 * Movement does not interact and runs ahead; arrivals at facilities are settled per time
 * window [w * window_s, (w + 1) * window_s) in (time, agent id) order, only once every rank
 * has agreed (an allreduce) that no earlier arrival exists anywhere. The model guarantees a
 * lookahead of window_s: an agent reaches a facility at least window_s after its previous
 * facility arrival (a departure is delayed, a redirect walk lengthened, when needed), so
 * settling one window cannot create an arrival inside it. Results are therefore identical
 * for any number of ranks and threads.
 *
 * Source files: agents_population.c (agents, ids, weights), agents_plan.c (activities file,
 * daily plans, opening hours), agents_sim.c (facilities as servers, destination choice, the
 * window loop, invariants), agents_exchange.c (all MPI traffic), agents_io.c (configuration
 * and the results datasets). */
#ifndef LIFECIRCLE_AGENTS_H
#define LIFECIRCLE_AGENTS_H

#include <mpi.h>
#include <stdint.h>

#include "lifecircle/access.h"
#include "lifecircle/categories.h"
#include "lifecircle/coverage.h"
#include "lifecircle/dgraph.h"
#include "lifecircle/facility.h"
#include "lifecircle/groups.h"
#include "lifecircle/params.h"
#include "lifecircle/population.h"
#include "lifecircle/results.h"

/* Most facilities one trip may try (Agents:max_tries). */
#define AGENTS_MAX_TRIES 4
/* Most activities per group in the activities file. */
#define AGENTS_MAX_ACTIVITIES 32
/* Most start-time windows of one activity. */
#define AGENTS_MAX_WINDOWS 8
/* Most categories the simulation handles (per-agent bit masks). */
#define AGENTS_MAX_CATEGORIES 32
/* Seconds in the simulated day (FacilityLoad bins cover 00:00 to 24:00). */
#define AGENTS_DAY_S 86400
/* FacilityLoad tables. */
#define AGENTS_LOAD 5

/* Trip outcomes (the Trips `outcome` column). */
enum agents_outcome {
  AGENTS_SERVED = 0,     /* Served at the first facility without waiting. */
  AGENTS_WAITED = 1,     /* Served at the first facility after waiting. */
  AGENTS_REDIRECTED = 2, /* Turned away at least once, then served elsewhere. */
  AGENTS_FAILED = 3      /* Not served (the reason column says why; reason "none within
                               radius" is an unmet need with no walk, not a failed trip). */
};

/* Why a need ended as it did (the Trips `reason` column; agents_reason_names). The first
 * three are served; the others are unmet needs. */
enum agents_reason {
  AGENTS_R_SERVED = 0,     /* Served at the first facility without waiting. */
  AGENTS_R_WAITED = 1,     /* Served at the first facility after waiting. */
  AGENTS_R_REDIRECTED = 2, /* Turned away at least once, then served elsewhere. */
  AGENTS_R_NONE = 3,       /* No facility of the category within its radius: no walk. */
  AGENTS_R_CLOSED = 4,     /* Closed on arrival: none open when it would arrive, service
                               could not start before closing, or the day was over. */
  AGENTS_R_FULL = 5,       /* Capacity full after K tries: Agents:max_tries facilities
                               turned it away, the last for a wait beyond its tolerance. */
  AGENTS_R_GAVE_UP = 6,    /* Gave up waiting: turned away for a wait beyond its tolerance
                               with no other facility open within the radius. */
  AGENTS_N_REASONS = 7
};
/* Unmet reasons are AGENTS_R_NONE .. AGENTS_N_REASONS - 1. */
#define AGENTS_N_UNMET (AGENTS_N_REASONS - AGENTS_R_NONE)

/* Names of the reasons (index = code), as written in the Trips group's attribute reason_names. */
extern const char *const agents_reason_names[AGENTS_N_REASONS];

/* Parameters of the sensitivity design (Agents:sensitivity). */
enum agents_param {
  AGENTS_P_CAPACITY = 0,
  AGENTS_P_SERVICE = 1,
  AGENTS_P_RATE = 2,
  AGENTS_N_PARAMS = 3
};
extern const char *const agents_param_names[AGENTS_N_PARAMS];
/* Most design points (one-at-a-time plus every corner of three parameters). */
#define AGENTS_MAX_DESIGN 32

/* Destination choice rules (Agents:choice). */
enum agents_choice { AGENTS_NEAREST = 0, AGENTS_LOGIT = 1 };

/* How an activity's preferred start time is drawn. */
enum agents_start_kind { AGENTS_START_NORMAL = 0, AGENTS_START_WINDOWS = 1 };

/* One activity of a group's daily profile. */
struct agents_activity {
  int cat;      /* Category index. */
  double p_day; /* Probability of doing it on the simulated day. */
  int start_kind;
  int32_t mean_s; /* Normal: mean start, seconds after midnight. */
  int32_t sd_s;   /* Normal: standard deviation in seconds (0: always the mean). */
  int n_win;      /* Windows: start drawn uniformly over their union. */
  int32_t win_lo[AGENTS_MAX_WINDOWS], win_hi[AGENTS_MAX_WINDOWS];
  int32_t duration_s; /* Seat occupancy in seconds (the category's service time when not given). */
  int32_t max_wait_s; /* Longest queue wait accepted before trying another facility. */
  int excl_first;     /* First activity of its `exclusive` set (itself when none): the set
                         shares one uniform draw, so at most one of its activities is done. */
  double excl_off;    /* Sum of p_day of the set's earlier activities. */
  int line;           /* Line of the entry in the activities file. */
};

/* The daily profiles of every group. */
struct agents_plans {
  int n_group;
  int *n_act;                   /* Per group. */
  struct agents_activity **act; /* Per group: n_act[g] activities. */
  char *file;
};

struct agents_config {
  int enabled;               /* Agents:enabled (default true). */
  const char *activities;    /* Agents:activities (default inputs/activities.yml). */
  long residents_per_agent;  /* Agents:residents_per_agent (default 1). */
  int choice;                /* Agents:choice: nearest (default) or logit. */
  double logit_beta;         /* Agents:logit_beta, per walking minute (default 0.3). */
  double logit_attraction;   /* Agents:logit_attraction, weight of ln(1 + seats) (default 0.5). */
  int max_tries;             /* Agents:max_tries K in 1..AGENTS_MAX_TRIES (default 3). */
  long bin_s;                /* Agents:bin_s, FacilityLoad bin width (default 900 s). */
  long window_s;             /* Agents:window_s, PDES window and lookahead (default 60 s). */
  int32_t day_start_s;       /* Agents:day_start "HH:MM" (default 00:00). */
  int32_t day_end_s;         /* Agents:day_end "HH:MM" (default 24:00). */
  int trips;                 /* Agents:trips: keep and write the Trips table (default true). */
  struct agents_plans plans; /* Filled by agents_prepare. */
  /* Agents:sensitivity: the design of factors applied to the assumed parameters. Point d
   * multiplies parameter p by design[d][p]; the central run (all 1) is not a point. */
  int sens_enabled;
  int n_design;
  double design[AGENTS_MAX_DESIGN][AGENTS_N_PARAMS];
};

/* What the simulation reads from the run; nothing is modified. */
struct agents_input {
  const struct agents_config *cfg;
  const struct dgraph *dg;         /* Owned nodes dg->global[0 .. n_owned). */
  const int32_t *part;             /* Owner rank of every global node. */
  const struct access_result *acc; /* Catchment lists of the owned nodes (k = acc->k). */
  const struct facility_set *fac;  /* Facilities in force (rows of Facilities). */
  const struct population *pop;    /* Whole population, every node. */
  const struct group_set *groups;
  const struct category_set *cats;
  const struct coverage_spec *cov;   /* Subdistricts and thresholds for realised coverage;
                                        NULL: pop->n_subdistricts and the categories'
                                        threshold_min. */
  uint64_t seed;                     /* Run:seed. */
  const struct population *base_pop; /* A housing scenario's baseline population (NULL:
                                        none): the baseline's agents keep their ids and
                                        draws (those of removed residents drop out), the
                                        added residents' agents are numbered after them. */
  int quiet;                         /* Log the day's summary at debug level (design runs). */
  double cap_factor;                 /* Seats of every limited facility times this, rounded,
                                        at least 1 (0 stands for 1: the central run). */
};

/* One trip as recorded (48 bytes). */
struct agents_trip {
  int64_t agent;
  int64_t origin;   /* Home node (global). */
  int32_t fac;      /* Facility row serving (or last tried), -1 when none was tried. */
  int32_t depart_s; /* Departure from home. */
  int32_t arrive_s; /* Arrival at the facility that served (or the last one tried). */
  int32_t wait_s;   /* Queue wait there. */
  int32_t walk_cm;  /* Walked from home to that facility (all legs). */
  int32_t end_s;    /* End of service, -1 when not served. */
  uint8_t group, cat, outcome, index;
  uint8_t reason; /* enum agents_reason. */
};

/* Trips held by one rank, in chunks (no per-trip allocation, no doubling copies). */
struct agents_trips {
  int64_t n;
  int n_chunks, cap_chunks;
  struct agents_trip **chunk;
};

/* Counters of one run, identical on every rank (global sums). */
struct agents_stats {
  int64_t agents, residents, trips;
  int64_t outcome[4];
  int64_t reason[AGENTS_N_REASONS]; /* Trips (needs) by reason. */
  int64_t windows, migrations, exchanges;
  int64_t violations; /* Invariant violations found (0 in a valid run). */
  double wall_s;      /* Wall time of the simulated day (maximum over ranks). */
  int64_t bytes;      /* Peak bytes of agent state and trips, summed over ranks. */
};

struct agents_output {
  int n_cat, n_group, n_rows, n_bins;
  int64_t n_fac;
  int32_t bin_s;
  struct agents_trips trips; /* This rank's trips (recorded where they were settled). */
  int64_t *load;             /* AGENTS_LOAD blocks of n_fac x n_bins (arrivals, served,
                                 peak queue, refused persons, attempts turned away), complete
                                 on rank 0 only (NULL elsewhere). */
  int64_t *needed;           /* rows x cats x groups: residents with a trip of the category. */
  int64_t *covered;          /* rows x cats x groups: of those, every such trip served with
                                 door-to-service time within the category threshold. */
  double *share;             /* covered / needed, NaN when none needed. */
  int64_t *late;             /* rows x cats x groups: every trip of c served, some beyond
                                 the threshold. */
  int64_t *unmet;            /* AGENTS_N_UNMET blocks of rows x cats x groups: some trip of c
                                 not served, by the reason of the first one not served. */
  /* Sensitivity design (cfg->sens_enabled): per point d, needed and covered (each
   * rows x cats x groups) at design_needed + d * cells, and unmet totals likewise. */
  int n_design;
  int64_t *design_needed, *design_covered, *design_unmet;
  struct agents_stats stats;
};

/* Reads the Agents section of the parameter file: enabled, activities, residents_per_agent,
 * choice, logit_beta, logit_attraction, max_tries, bin_s, window_s, day_start, day_end,
 * trips. Every value is range-checked (LC_EPARAM naming key, value, range and unit). Does not
 * read the activities file (see agents_prepare). Local; every rank reads the same values. */
int agents_configure(struct params *p, struct agents_config *cfg);

/* Loads and validates the activities file named by cfg->activities against the categories
 * and groups into cfg->plans. Errors name the file, line and entry: unknown category or group,
 * a category that does not serve the group, probabilities outside [0, 1], times that do not
 * parse, negative durations or tolerances (LC_EPARAM / LC_EFORMAT / LC_EIO). Call it before
 * anything is written. Local; every rank gets the same answer. */
int agents_prepare(struct agents_config *cfg, const struct category_set *cats,
                   const struct group_set *groups);

/* Frees what agents_prepare loaded. Local. */
void agents_config_free(struct agents_config *cfg);

/* Runs the simulated day: places the agents, simulates their trips and fills `out` (trips of
 * this rank, FacilityLoad on rank 0, RealisedCoverage and counters identical on every rank). Refuses (LC_ETOOBIG) an agent count whose estimated memory exceeds the
 * machine's (MemTotal of /proc/meminfo), LC_EPARAM for more than AGENTS_MAX_CATEGORIES
 * categories, LC_EINVARIANT when an invariant check fails (agents conserved across
 * migration, clocks monotone, capacity never exceeded). Returns the same status on every
 * rank. Collective over comm (the communicator of dg). */
int agents_run(const struct agents_input *in, MPI_Comm comm, struct agents_output *out);

/* Reruns the day over the sensitivity design of in->cfg (same agents, plans and random
 * streams; the Trips are not kept) and stores every point's needed, covered and unmet counts
 * in out (which agents_run filled). Nothing when the design is off. Collective. */
int agents_run_design(const struct agents_input *in, MPI_Comm comm, struct agents_output *out);

/* Writes scenario_base/Trips (rows sorted by agent and trip index: identical for any number
 * of ranks), scenario_base/FacilityLoad and scenario_base/RealisedCoverage. Collective. */
int agents_write(struct results *res, const char *scenario_base, const struct agents_input *in,
                 const struct agents_output *out);

/* Frees an output and zeroes it. Local. */
void agents_output_free(struct agents_output *out);

/* Gathers the trips of every rank sorted by (agent, trip index) into *all (malloc'ed, *n
 * rows) on every rank, for tests and small runs. Collective. */
int agents_trips_gather(const struct agents_output *out, MPI_Comm comm, struct agents_trip **all,
                        int64_t *n);

/* Parses a restricted OSM opening_hours value for the given weekday (0 Monday .. 6 Sunday):
 * "24/7", "HH:MM-HH:MM", or rules "DAYS HH:MM-HH:MM" separated by ';' where DAYS is a day
 * ("Mo"), a range ("Mo-Fr") or a comma list of those, and "off" closes the days; a later
 * rule overrides an earlier one for its days, as in OSM. Sets *open_min and *close_min
 * (minutes after midnight, close > open, at most 1440); *closed is 1 when the facility is
 * closed that day. Returns LC_OK or LC_EFORMAT (message names the value). Local. */
int agents_opening_hours(const char *value, int weekday, int32_t *open_min, int32_t *close_min,
                         int *closed);

#endif
