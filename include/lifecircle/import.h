/* Import of OSM files to a walking graph and its points of interest.
 *
 * Graph (import_graph.c): the walkable ways (by the walking profile) become an undirected
 * graph whose raw nodes are the ways' nodes and whose raw edges are consecutive node pairs,
 * each with its geodesic length (WGS84, Vincenty) rounded to whole centimetres. The largest
 * connected component is kept (ties: the component of the smallest node id); the rest is
 * counted in the stats. Then chains of degree-2 nodes are contracted:
 *   - a node is kept when its degree is not 2, or when its two edges have different cost
 *     factors (so an edge has one factor; chains may cross from one way to another of the
 *     same factor, and the edge keeps the way id of its first segment, counted from its
 *     lower-numbered end);
 *   - the edge length is the exact sum of its segments' centimetres, its cost
 *     round(length_cm * factor) (at least 1), and its polyline keeps every node of the chain,
 *     both ends included;
 *   - a chain that would return to its start node (a closed ring hanging on one node, or a
 *     component that is a bare ring) is split at its middle node into two parallel edges, so
 *     that the graph has no self-loops and keeps the ring's whole length;
 *   - parallel edges are kept (they are distinct streets);
 *   - an edge between distinct nodes at identical coordinates (0 cm) gets 1 cm, and is
 *     counted in a warning.
 * Nodes are numbered in increasing OSM id order, edges in order of their lower end.
 *
 * POIs (import_poi.c): nodes with tags, ways (centroid of the closed ring's area, or the
 * mean of an open way's vertices) and multipolygon relations (mean of the distinct nodes of
 * their outer member ways) matched to categories by the categories' tag rules; one POI row
 * per matched category; names from name, name:zh or name:en. A way or relation any of whose
 * nodes or member ways is missing is counted as unplaced, not an error. Duplicates (the same
 * element in two inputs) are kept once. POIs are sorted by (type, id, category). */
#ifndef LIFECIRCLE_IMPORT_H
#define LIFECIRCLE_IMPORT_H

#include <stdint.h>

#include "lifecircle/categories.h"
#include "lifecircle/graph.h"
#include "lifecircle/graph_io.h"
#include "lifecircle/osm.h"
#include "lifecircle/poi.h"
#include "lifecircle/profile.h"

/* A way or relation that matched a category and is placed once all nodes are read. */
struct import_poi_pending {
  int8_t osm_type; /* POI_WAY or POI_RELATION. */
  int64_t id;
  int64_t cat_off; /* Categories: cat[cat_off .. cat_off + n_cat). */
  int32_t n_cat;
  int64_t mem_off; /* Relations: outer member way ids mem[mem_off .. mem_off + n_mem). */
  int32_t n_mem;
  char *name;
};

/* POI collection state: the category set, the tag keys its rules mention (a node without
 * any of them is skipped at once), node POIs found so far and pending ways/relations. */
struct import_poi {
  const struct category_set *cats;
  int n_keys;
  char **keys;
  int32_t *match;
  int cap_match;
  struct poi_set pois;
  int64_t n_pending, cap_pending;
  struct import_poi_pending *pending;
  int64_t n_cat, cap_cat;
  int32_t *cat;
  int64_t n_mem, cap_mem;
  int64_t *mem;
};

/* Prepares POI collection for a category set (which must outlive it). Returns LC_OK or
 * LC_ENOMEM. Local. */
int import_poi_init(struct import_poi *ip, const struct category_set *cats);

/* Frees the collection state. Local. */
void import_poi_free(struct import_poi *ip);

/* Offers a tagged node: matched at once, one POI per category. Returns LC_OK or LC_ENOMEM.
 * Local. */
int import_poi_node(struct import_poi *ip, int64_t id, double lon, double lat, int n_tags,
                    const char *const *keys, const char *const *values);

/* Offers a way: remembered for placement when it matches a category. Local. */
int import_poi_way(struct import_poi *ip, int64_t id, int n_tags, const char *const *keys,
                   const char *const *values);

/* Offers a relation: a multipolygon (type=multipolygon) that matches a category is
 * remembered with its outer (and role-less) member ways. Local. */
int import_poi_relation(struct import_poi *ip, int64_t id, int n_tags, const char *const *keys,
                        const char *const *values, int n_members, const int *member_type,
                        const int64_t *member_id, const char *const *member_role);

/* Places pending ways and relations from a finished store, removes duplicates, sorts, and
 * moves the POIs into `out` (which must be initialised and empty). *unplaced receives the
 * number of ways and relations (not rows) that could not be placed. Returns LC_OK or
 * LC_ENOMEM. Local. */
int import_poi_place(struct import_poi *ip, const struct osm_store *st, struct poi_set *out,
                     int64_t *unplaced);

/* Builds the walking graph (see above) from a finished store whose ways carry the profile's
 * cost classes (way_cls >= 0 for walkable ways), and frees the store (osm_store_free) once
 * the raw graph is extracted, to lower the peak memory. `inputs` names the files read
 * (way_file indexes it) for messages. Fills the graph counts of `stats` (walkable_ways,
 * raw_*, components, dropped_*). Returns LC_OK, LC_EFORMAT (a walkable way references a
 * node that no input holds: the message names the file, the way and the node), LC_EEMPTY
 * (no walkable edge) or LC_ENOMEM. Local. */
int import_graph_build(struct osm_store *st, const struct profile *prof, char *const *inputs,
                       int n_inputs, struct graph *g, struct graph_import_stats *stats);

/* Reads the OSM files `inputs` (.osm or .pbf, merged), applies the walking profile and the
 * category rules, and produces the walking graph `g` (with geometry) and the POIs `pois`
 * (initialised by the caller; it may hold rows after a failure, to be freed by the caller);
 * fills `stats`. Logs what each input held. Returns LC_OK or
 * the first failure (LC_EIO, LC_EFORMAT, LC_EEMPTY, LC_ENOMEM), whose message names the
 * file and, where known, the element. Local: call it on one rank. */
int import_osm(char *const *inputs, int n_inputs, const struct profile *prof,
               const struct category_set *cats, struct graph *g, struct poi_set *pois,
               struct graph_import_stats *stats);

#endif
