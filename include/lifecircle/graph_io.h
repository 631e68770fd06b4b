/* The graph file (HDF5): the walking graph, its POIs, the categories they were matched to,
 * and provenance. Layout (every dataset has `units` and `description` attributes):
 *   /Header            attributes kind="graph", created (ISO 8601 UTC), profile, command
 *   /Code              attributes version, git_revision, compiler, hdf5, mpi
 *   /Inputs/path, /Inputs/sha256             strings, one per input file
 *   /Graph/nodes/{lon,lat} float64 degrees, /Graph/nodes/osm_id int64
 *   /Graph/edges/{u,v} int64 0-based node indices, /Graph/edges/length_cm int64,
 *   /Graph/edges/cost_cm int64 (length times class factor),
 *   /Graph/edges/osm_way_id int64, /Graph/edges/geom_offset int64 (n_edges+1),
 *   /Graph/edges/geom_lon, /Graph/edges/geom_lat float64 (polyline points of every edge)
 *   /Categories/id     strings: category ids in the order of the category index
 *   /POIs/{lon,lat} float64, /POIs/osm_type int8 (0 node, 1 way, 2 relation),
 *   /POIs/osm_id int64, /POIs/category int32 (row of /Categories/id), /POIs/name strings
 *   /Import            attributes with counts (raw nodes, ways, components dropped, ...) */
#ifndef LIFECIRCLE_GRAPH_IO_H
#define LIFECIRCLE_GRAPH_IO_H

#include <hdf5.h>
#include <stdint.h>

#include "lifecircle/graph.h"
#include "lifecircle/poi.h"

/* Counts reported by an import, stored under /Import. */
struct graph_import_stats {
  int64_t osm_nodes, osm_ways, osm_relations; /* Elements read. */
  int64_t walkable_ways;                      /* Ways kept by the walking profile. */
  int64_t raw_nodes, raw_edges;               /* Before contraction. */
  int64_t components;                         /* Connected components found. */
  int64_t dropped_nodes, dropped_edges;       /* Outside the largest component. */
  int64_t dropped_length_cm;
  int64_t pois_unplaced; /* POIs whose geometry could not be resolved. */
};

/* Writes a graph file at `path` (through a temporary name renamed on success; nothing is
 * left at `path` on failure). `inputs` are the files the graph came from (their sha256 is
 * stored); `category_ids` names the categories POIs refer to; `profile` names the walking
 * profile file. Local: call it on one rank. */
int graph_io_write(const char *path, const struct graph *g, const struct poi_set *pois,
                   char *const *category_ids, int n_categories, char *const *inputs, int n_inputs,
                   const char *profile, const struct graph_import_stats *stats);

/* Reads the graph (nodes, edges, geometry when present) and, when `pois` is not NULL, the
 * POIs and the category ids (newly allocated array of newly allocated strings).
 * Local: any rank may call it. */
int graph_io_read(const char *path, struct graph *g, struct poi_set *pois, char ***category_ids,
                  int *n_categories);

/* Writes the /Code group (version, git revision, compiler, HDF5 and MPI versions) into an
 * open file. Collective when the file is parallel. */
int graph_io_write_code(hid_t file);

/* Hex SHA-256 of a file into out[65]. Returns LC_OK or LC_EIO. */
int graph_io_sha256(const char *path, char out[65]);

#endif
