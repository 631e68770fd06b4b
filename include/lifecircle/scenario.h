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
#include "lifecircle/groups.h"
#include "lifecircle/population.h"

struct scenario_edit; /* Private to scenario.c and scenario_apply.c. */

/* Layer index (facility_set.layer, results' Facilities/source) of facilities added by a
 * scenario. */
#define SCENARIO_LAYER_ADDED (-2)

struct scenario {
  char *name;        /* Group name under /Scenarios (letters, digits, '-', '_'). */
  char *description; /* Free text, "" when none. */
  char *file;        /* The scenario file. */
  int illustrative;  /* `illustrative: true`: its inputs are examples, not plans; every log
                        line and results group of it says ILLUSTRATIVE. */
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
  int population_changed; /* 1 when residents are added or removed (housing). */
  int64_t residents_added, residents_removed;
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

/* Applies the scenario's population edits (population:add and population:remove, a housing
 * project at a point or in polygons) to the baseline population `base` on graph g (the
 * baseline's nodes). Removals come first, then additions, each in file order. A point
 * snaps to its nearest node like a facility (beyond max_snap_m: an error); a polygon's
 * residents go to the nodes inside it. An item's residents are split into groups by its
 * mix (`groups:`); without one, an addition takes the baseline's mix of the area (the
 * subdistrict holding the point's node, or most of the polygon's nodes, ties to the lower
 * subdistrict; the whole area when outside every subdistrict) and a removal the mix of the
 * residents at its nodes; then each group's residents are spread over the item's nodes,
 * equally for an addition and in proportion to the node's residents of the group for a
 * removal, both by largest remainder (ties to the lower index). A removal of more residents
 * of a group than the place has is an error naming the file, line and group, so no node
 * goes negative. When the scenario has no population edit, `out` is left zeroed and
 * effect->population_changed 0; else `out` receives a copy of base with the edited counts
 * (per node, per group, per subdistrict). Deterministic. Local. */
int scenario_apply_population(const struct scenario *sc, const struct graph *g,
                              const struct population *base, const struct group_set *groups,
                              double max_snap_m, struct population *out,
                              struct scenario_effect *effect);

/* Frees an effect. */
void scenario_effect_free(struct scenario_effect *e);

/* Copies a facility set (deep). Local. */
int facility_copy(const struct facility_set *src, struct facility_set *dst);

/* Copies a graph (deep, CSR rebuilt when the source has one). Local. */
int graph_copy(const struct graph *src, struct graph *dst);

#endif
