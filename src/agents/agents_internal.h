/* Internal types of the agent simulation, shared by its phases (agents_*.c). Not installed. */
#ifndef LIFECIRCLE_AGENTS_INTERNAL_H
#define LIFECIRCLE_AGENTS_INTERNAL_H

#include <mpi.h>
#include <stdint.h>

#include "lifecircle/agents.h"

/* Purposes of the random draws (rng.h): each kind of draw has its own stream per agent. */
#define AGENTS_RNG_DO 1     /* index: activity (or its exclusive set's first activity). */
#define AGENTS_RNG_START 2  /* index: activity * 64 + attempt. */
#define AGENTS_RNG_CHOICE 3 /* index: trip index * 8 + try. */

/* Event kinds. */
#define AGENTS_EV_ARRIVE 1 /* Arrival at facility `fac` at time t (settled by its owner). */
#define AGENTS_EV_HOME 2   /* Back home at time t (processed at once by the home's owner). */

/* One agent in motion: its whole state travels in the event (80 bytes). */
struct agents_ev {
  int64_t agent;
  int64_t home;                        /* Home node, global. */
  int32_t t;                           /* Event time, seconds after midnight. */
  int32_t depart;                      /* Departure of the current trip. */
  int32_t fac;                         /* ARRIVE: the facility. */
  int32_t walk_cm;                     /* Walked on the current trip so far (all legs). */
  int32_t weight;                      /* Residents the agent stands for. */
  int32_t tried[AGENTS_MAX_TRIES - 1]; /* Facilities that turned it away on this trip. */
  uint32_t need;                       /* Categories it needed today (bit c). */
  uint32_t late;                       /* Categories served beyond the threshold on some trip. */
  uint32_t unmet[AGENTS_N_UNMET];      /* Categories with a trip not served, by the reason of the
                                     first such trip (bit c of unmet[reason - AGENTS_R_NONE]). */
  uint8_t kind, group;
  uint8_t act;  /* Activity index in the group's profile. */
  uint8_t done; /* Activities attempted so far today (= index of the current trip). */
  uint8_t ntry; /* Facilities that turned it away on this trip. */
  uint8_t redirected;
};

/* One planned activity of an agent's day. */
struct agents_slot {
  int32_t start;
  int32_t act;
};

/* Events of one time window, in chunks. */
#define AGENTS_EV_CHUNK 128
struct agents_chunk {
  struct agents_chunk *next;
  int32_t n;
  struct agents_ev ev[AGENTS_EV_CHUNK];
};
struct agents_bucket {
  struct agents_chunk *head;
  int64_t n;
};

/* Growable send buffer of events for one destination rank. */
struct agents_outbox {
  struct agents_ev *ev;
  int64_t n, cap;
};

/* State of one facility owned by this rank. */
struct agents_fstate {
  int32_t fac;   /* Facility row. */
  int32_t cap;   /* Seats, 0 unlimited. */
  int32_t *heap; /* cap server free times (a min-heap). */
  int32_t *q;    /* Ring of service start times of the agents waiting (FIFO). */
  int32_t qh, qn, qcap;
  int32_t bin;   /* Last bin whose peak queue was brought up to date. */
  int32_t *load; /* n_bins x AGENTS_LOAD: arrivals, served, peak queue, refused
                       persons, attempts turned away. */
  int64_t *ref;  /* Agents turned away in bin ref_bin (distinct), n_ref of cap_ref. */
  int32_t n_ref, cap_ref, ref_bin;
};

/* Everything a rank holds during the simulated day. */
struct agents_sim {
  const struct agents_input *in;
  const struct agents_config *cfg;
  MPI_Comm comm;
  int rank, size;
  int n_cat, n_group, n_sub, n_rows, n_bins;
  int k;
  int32_t window_s;
  int64_t n_windows;
  double *speed_cms; /* Per group: centimetres per second. */
  int32_t *dur_s;    /* Per group x AGENTS_MAX_ACTIVITIES: seat occupancy. */
  int32_t *thr_s;    /* Per category: threshold in seconds. */
  int32_t *floc;     /* Per facility row: index in fs[], -1 when not owned here. */
  struct agents_fstate *fs;
  int64_t n_fs;
  int32_t *seat_pool; /* All heaps. */
  int32_t *load_pool; /* All load rows. */
  struct agents_bucket *bucket;
  struct agents_chunk *free_chunks;
  int64_t n_chunks;
  struct agents_outbox *out; /* Per destination rank. */
  int64_t out_min;           /* Earliest window of an event in the outboxes. */
  MPI_Op agree_op;           /* Min of the first three values, sum of the rest. */
  int have_op;
  struct agents_ev *inbox; /* Received in the last exchange. */
  int64_t n_inbox, cap_inbox;
  struct agents_ev *scratch; /* A window's events, sorted. */
  int64_t cap_scratch;
  int64_t pending;  /* Events in buckets. */
  int64_t finished; /* Agents whose day is over (on this rank). */
  int64_t migrations;
  int64_t exchanges;
  int64_t violations;
  int64_t cur_window;               /* Window being settled (-1 before the first). */
  int64_t *needed, *covered;        /* rows x cats x groups, local sums. */
  int64_t *late, *unmet;            /* Likewise; unmet: AGENTS_N_UNMET blocks. */
  int64_t reason[AGENTS_N_REASONS]; /* Trips recorded here by reason. */
  struct agents_trips *trips;
  int64_t n_trips_local;
  int64_t outcome[4];
  int64_t peak_bytes;
};

/* agents_population.c */

/* Agents of residents r at one agent per n residents: ceil(r / n). */
int64_t agents_count(int64_t residents, long per_agent);

/* Counts every agent and resident of the population (every rank computes the same).
 * Returns LC_OK or LC_ETOOBIG (overflow). Local. */
int agents_population_totals(const struct population *pop, long per_agent, int64_t *agents,
                             int64_t *residents);

/* First global agent id of every owned node of dg (ids follow nodes in global order, then
 * groups, then the agents of one node and group). first has dg->n_owned entries. Local. */
int agents_population_first(const struct population *pop, const struct dgraph *dg, long per_agent,
                            int64_t *first);

/* The residents of node i and group g as agents. Without a housing baseline
 * (in->base_pop NULL) base = kept = the residents and added = 0. With one, the baseline's
 * agents of (i, g) keep their ids (`base` residents' worth of ids stay reserved), the first
 * of them standing for the `kept` = min(baseline, scenario) residents; the `added` residents
 * beyond the baseline's become new agents. Local, pure. */
void agents_population_split(const struct agents_input *in, int64_t i, int g, int64_t *base,
                             int64_t *kept, int64_t *added);

/* Agents and residents of the population in force, and per owned node the first id of its
 * agents (first, the baseline's numbering) and of its added residents' agents (first_new:
 * after every agent of the baseline, in node then group order; with no housing baseline it
 * is left alone). Returns LC_OK, LC_ETOOBIG or LC_EINVARIANT. Local. */
int agents_population_layout(const struct agents_input *in, int64_t *first, int64_t *first_new,
                             int64_t *agents, int64_t *residents);

/* agents_plan.c */

/* Draws the agent's plan for the day: the activities it does, with preferred start times,
 * sorted by (start, activity). Returns how many (at most AGENTS_MAX_ACTIVITIES). Local,
 * pure. */
int agents_plan_day(const struct agents_config *cfg, uint64_t seed, int64_t agent, int group,
                    struct agents_slot *slots);

/* A copy of cfg for a sensitivity design point: every activity's daily probability times
 * `rate` (an exclusive set, or an activity alone, whose rates would sum beyond 1 is scaled
 * back to sum 1, keeping its proportions) and its
 * seat occupancy times `service` (rounded to seconds); the same draws then decide the plans
 * (agents_plan_day). Trips are kept as in cfg. Free with agents_config_free. Local. */
int agents_plans_scaled(const struct agents_config *cfg, double rate, double service,
                        struct agents_config *out);

/* agents_band.c */

/* Writes the sensitivity bands of one scenario beside its RealisedCoverage: share_low/high,
 * unmet_low/high, elasticity, design_factors, design_parameters and the design points'
 * needed, covered and unmet counts. Collective. */
int agents_write_design(struct results *res, const char *base, const struct agents_input *in,
                        const struct agents_output *out);

/* agents_exchange.c */

/* Sends every outbox to its rank and receives into s->inbox; clears the outboxes. Counts the
 * events sent to other ranks in s->migrations. Collective. */
int agents_exchange(struct agents_sim *s);

/* The per-window agreement: one allreduce of AGENTS_AGREE values, the first three reduced by
 * minimum (next window with arrivals, earliest window of an event waiting in an outbox,
 * minus the status) and the others by sum (pending, finished, violations, events in
 * outboxes). Collective. */
#define AGENTS_AGREE 7
int agents_exchange_agree(struct agents_sim *s, const int64_t *mine, int64_t *all);

/* Frees the reduction operator of agents_exchange_agree. Local. */
void agents_exchange_free(struct agents_sim *s);

/* Sums n int64 values over the ranks into out (may alias in). Collective. */
int agents_exchange_sum(struct agents_sim *s, const int64_t *in, int64_t *out, int n);

/* Redistributes trips to ranks by blocks of agent ids and sorts each block by (agent,
 * index): *mine receives this rank's sorted block. Collective over comm. */
int agents_exchange_trips(const struct agents_trips *trips, int64_t n_agents, MPI_Comm comm,
                          struct agents_trip **mine, int64_t *n_mine);

/* agents_sim.c */

/* Bytes one agent takes in the simulation: its event (with the queues' slack) and, when
 * Agents:trips, the trip records of the busiest group's expected day. cfg must have been
 * through agents_prepare. Local, pure. */
double agents_bytes_per_agent(const struct agents_config *cfg);

/* Appends a trip. Returns LC_OK or LC_ENOMEM. Local. */
int agents_trips_push(struct agents_trips *t, const struct agents_trip *trip);

/* Returns trip i. Local. */
const struct agents_trip *agents_trips_at(const struct agents_trips *t, int64_t i);

/* Frees the trips. Local. */
void agents_trips_free(struct agents_trips *t);

/* Rows per trip chunk. */
#define AGENTS_TRIP_CHUNK 65536

#endif
