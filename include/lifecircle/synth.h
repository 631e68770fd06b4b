/* Synthetic cities for scale tests and benchmarks: a walking graph whose degree histogram and
 * edge lengths are calibrated on the Xinhua Road network (see src/graph/synth.c for the figures and
 * how they were measured), with matching facility and population files. */
#ifndef LIFECIRCLE_SYNTH_H
#define LIFECIRCLE_SYNTH_H

#include <stdint.h>

#include "lifecircle/categories.h"
#include "lifecircle/graph.h"

/* Calibration targets measured on the contracted largest component of xinhua-walk.osm:
 * shares of nodes of degree 1, 3, 4 and 5 or more (no node of degree 2 is left after
 * contraction), and the lognormal fit of edge lengths (mean and standard deviation of the
 * natural logarithm of the length in metres) with its quartiles. */
#define SYNTH_XINHUA_SHARE_DEG1 0.1940
#define SYNTH_XINHUA_SHARE_DEG3 0.6842
#define SYNTH_XINHUA_SHARE_DEG4 0.1156
#define SYNTH_XINHUA_SHARE_DEG5 0.0062
#define SYNTH_XINHUA_LEN_Q1_M 28.68
#define SYNTH_XINHUA_LEN_MEDIAN_M 53.72
#define SYNTH_XINHUA_LEN_Q3_M 103.19
#define SYNTH_XINHUA_LOG_MU 3.9468
#define SYNTH_XINHUA_LOG_SIGMA 0.9401

/* Default residents per node: Xinhua Road's estimated 72,000 residents (population-facts.csv,
 * an estimate) over the 511 nodes of the contracted Xinhua graph inside the subdistrict
 * polygon (xinhua-boundary.geojson). */
#define SYNTH_RESIDENTS_PER_NODE (72000.0 / 511.0)

/* Default nodes per subdistrict cell of the population grid (about Xinhua's size). */
#define SYNTH_NODES_PER_SUBDISTRICT 1000

/* Smallest and largest node counts accepted. */
#define SYNTH_MIN_NODES 1000
#define SYNTH_MAX_NODES 1000000000LL

struct synth_params {
  int64_t n_nodes; /* Exact number of nodes wanted, SYNTH_MIN_NODES..SYNTH_MAX_NODES. */
  uint64_t seed;   /* Every random draw is a pure function of the seed (rng.h). */
  double lon0;     /* Centre of the city, degrees WGS84 (default 121.43). */
  double lat0;     /* Centre of the city, degrees WGS84 (default 31.20). */
};

/* Measured shape of a graph, for comparison with the calibration targets. */
struct synth_stats {
  int64_t n_nodes, n_edges;
  double share_deg[6]; /* Share of nodes of degree 0, 1, 2, 3, 4 and 5 or more. */
  double len_q1_m, len_median_m, len_q3_m; /* Edge length quartiles in metres. */
  double log_mu, log_sigma; /* Mean and standard deviation of ln(length in metres). */
};

/* Sets the defaults: no nodes, seed 1, centre 121.43 E, 31.20 N. */
void synth_params_default(struct synth_params *p);

/* Generates a connected synthetic walking graph with exactly p->n_nodes nodes into `g`
 * (which must be zeroed by graph_init; it is filled by graph_alloc). Node i gets
 * osm_id = i, every edge way_id = -1, length_cm = cost_cm = the geodesic length (WGS84,
 * geo.h) between its end nodes rounded to centimetres (every edge is straight; no geometry
 * is kept). Deterministic: the same parameters give the same graph bit for bit, for any
 * number of OpenMP threads. Returns LC_OK, LC_EPARAM (node count out of range, centre not
 * valid), LC_ENOMEM, or LC_EINVARIANT (a construction step failed its own check; the
 * message says which). Local. */
int synth_generate(const struct synth_params *p, struct graph *g);

/* Measures the degree histogram and the edge length distribution of `g` (edge list only;
 * a self-loop counts twice, as in networkx). Returns LC_OK, LC_EEMPTY (no nodes or no edges)
 * or LC_ENOMEM. Local. */
int synth_stats(const struct graph *g, struct synth_stats *s);

/* Writes a facility CSV (`id,category,lon,lat,name`, WGS84, header row) with `per_category`
 * facilities for every category of `cats`, each at a random node moved by up to 20 m in a
 * random direction (uniform over the disc). Ids are 1, 2, ... in file order. Returns LC_OK,
 * LC_EPARAM (per_category < 1), LC_EEMPTY (no nodes) or LC_EIO naming the file. Local. */
int synth_write_facilities(const char *path, const struct graph *g, const struct category_set *cats,
                           int64_t per_category, uint64_t seed);

/* Writes population files into directory `dir` (created when missing):
 * subdistricts.geojson: a gx x gy grid of rectangles covering the nodes' bounding box with a
 * margin of max(100 m, 2% of the span) on each side, features with property `name`
 * S00, S01, ... (row-major from the south-west; at least two digits);
 * residents.csv: `subdistrict,residents`, each cell's node count times residents_per_node,
 * rounded; density.csv: `lon,lat,density` samples (persons per km2) at the centres of a grid
 * of cells about 870 m wide (the spacing of the WorldPop samples), the residents of the nodes
 * in each cell over its area. `nodes_per_subdistrict` sets the grid: gx = gy =
 * max(2, round(sqrt(n_nodes / nodes_per_subdistrict))). Returns LC_OK, LC_EPARAM
 * (residents_per_node not positive or nodes_per_subdistrict < 1), LC_EEMPTY, LC_ENOMEM or
 * LC_EIO naming the file. Local. */
int synth_write_population(const char *dir, const struct graph *g, double residents_per_node,
                           int64_t nodes_per_subdistrict);

#endif
