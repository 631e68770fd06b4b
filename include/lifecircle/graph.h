/* The walking graph in memory: nodes with coordinates, undirected edges with integer lengths,
 * the geometry of contracted edges, and an optional CSR adjacency. */
#ifndef LIFECIRCLE_GRAPH_H
#define LIFECIRCLE_GRAPH_H

#include <stdint.h>

struct graph {
  int64_t n_nodes;
  double *lon;     /* Degrees WGS84 (or DIMACS x / 1e6 when no .co). */
  double *lat;     /* Degrees WGS84. */
  int64_t *osm_id; /* OSM node id, or the DIMACS node number. */

  int64_t n_edges; /* Each undirected edge stored once, u < v is not required. */
  int64_t *u;
  int64_t *v;
  int64_t *length_cm; /* Exact integer length in centimetres, >= 1. */
  int64_t *cost_cm;   /* Walking cost: length times the profile's class factor (steps are
                         slower, crossings cost more), in centimetres of flat walking, >= 1.
                         Shortest paths use it; equals length_cm when no factor applies. */
  int64_t *way_id;    /* OSM way id the edge comes from, or -1. */

  /* Polyline of every edge (both end nodes included), for maps: points of edge e are
   * geom_lon/geom_lat[geom_off[e] .. geom_off[e+1]). NULL when not kept. */
  int64_t *geom_off;
  double *geom_lon;
  double *geom_lat;

  /* CSR adjacency built by graph_build_csr: the neighbours of node i are
   * adj_node[adj_off[i] .. adj_off[i+1]) with walking costs adj_len_cm (from cost_cm) and
   * edge ids adj_edge. */
  int64_t *adj_off;
  int64_t *adj_node;
  int64_t *adj_len_cm;
  int64_t *adj_edge;
};

/* Zeroes a graph. */
void graph_init(struct graph *g);

/* Frees every array of a graph and zeroes it. */
void graph_free(struct graph *g);

/* Allocates node and edge arrays (contents uninitialised; geometry not allocated).
 * Returns LC_OK or LC_ENOMEM. */
int graph_alloc(struct graph *g, int64_t n_nodes, int64_t n_edges);

/* Builds the CSR adjacency from the edge list (both directions). Neighbours of a node are
 * sorted by (neighbour, length, edge) so that the result does not depend on input order.
 * Returns LC_OK or LC_ENOMEM. Local. */
int graph_build_csr(struct graph *g);

/* Labels connected components: comp[i] in [0, n_comp). Needs the CSR. Returns LC_OK or
 * LC_ENOMEM. */
int graph_components(const struct graph *g, int64_t *comp, int64_t *n_comp);

/* Keeps only the nodes with keep[i] != 0 and the edges between them, renumbering nodes in
 * their original order. Frees and rebuilds the CSR if it existed. Returns LC_OK or
 * LC_ENOMEM. */
int graph_subset(struct graph *g, const uint8_t *keep);

/* Sum of all edge lengths in centimetres. */
int64_t graph_total_length_cm(const struct graph *g);

#endif
