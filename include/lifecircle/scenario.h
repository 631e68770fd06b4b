/* Scenarios: files of edits against the baseline (facilities added, removed, relocated,
 * changed; footpaths or crossings added; ways closed), validated against the baseline and
 * applied to copies of its facility set and graph. The format is described in
 * inputs/changning/scenarios/README.md. */
#ifndef LIFECIRCLE_SCENARIO_H
#define LIFECIRCLE_SCENARIO_H

#include <stdint.h>

#include "lifecircle/categories.h"
#include "lifecircle/facility.h"
#include "lifecircle/graph.h"

struct scenario_edit; /* Private to scenario.c and scenario_apply.c. */

/* Layer index (facility_set.layer, results' Facilities/source) of facilities added by a
 * scenario. */
#define SCENARIO_LAYER_ADDED (-2)

struct scenario {
  char *name;        /* Group name under /Scenarios (letters, digits, '-', '_'). */
  char *description; /* Free text, "" when none. */
  char *file;        /* The scenario file. */
  char **inputs;     /* The files it names (layers, polygons), resolved; n_inputs of them. */
  int n_inputs;
  int n_edits;
  struct scenario_edit *edits;
};

/* Reads and validates the syntax of a scenario file (YAML; geometry in GeoJSON files it
 * names). Errors name the file, line and key. Does not need the baseline. Local. */
int scenario_load(const char *path, const struct category_set *cats, struct scenario *sc);

/* Frees a scenario. */
void scenario_free(struct scenario *sc);

/* What applying a scenario changed. */
struct scenario_effect {
  uint8_t *category_changed; /* Per category: 1 when its facilities differ from the base in
                                what the static kernel sees (presence, node or snap
                                distance); capacity and hours changes count only in
                                facilities_changed. */
  int network_changed;       /* 1 when the graph differs (links added or ways closed). */
  int64_t facilities_added, facilities_removed, facilities_moved, facilities_changed;
  int64_t links_added, edges_closed;
};

/* Applies a scenario to the baseline. `fac_out` receives a new facility set: the baseline's
 * rows first, in order (removed ones are kept as rows with excluded = 1 so that rows stay
 * comparable between scenarios; relocated and changed ones are edited in place), then added
 * facilities (snapped with facility_snap at max_snap_m). When the scenario edits the
 * network, `g_out` receives a modified copy of the graph (same nodes, same node order;
 * added links snap their ends to the nearest nodes; closed ways lose their edges) with its
 * CSR built, else g_out is left zeroed. An edit naming a facility, way or category that does
 * not exist in the baseline is LC_EPARAM naming it and the scenario file. Deterministic.
 * Local. */
int scenario_apply(const struct scenario *sc, const struct category_set *cats,
                   const struct graph *g_base, const struct facility_set *fac_base,
                   double max_snap_m, struct graph *g_out, struct facility_set *fac_out,
                   struct scenario_effect *effect);

/* Frees an effect. */
void scenario_effect_free(struct scenario_effect *e);

/* Copies a facility set (deep). Local. */
int facility_copy(const struct facility_set *src, struct facility_set *dst);

/* Copies a graph (deep, CSR rebuilt when the source has one). Local. */
int graph_copy(const struct graph *src, struct graph *dst);

#endif
