/* Reader of the 9th DIMACS Implementation Challenge shortest-path format (.gr arcs, .co
 * coordinates), for benchmarks on standard road networks such as rome99. */
#ifndef LIFECIRCLE_DIMACS_H
#define LIFECIRCLE_DIMACS_H

#include "lifecircle/graph.h"

/* Reads a DIMACS graph into an undirected graph.
 *
 * The .gr file has comment lines "c ...", one problem line "p sp N M" and M arc lines
 * "a U V W" with 1-based node numbers U, V in 1..N and an integer weight W >= 1; blank lines
 * are ignored. The challenge graphs are directed but (for road networks) nearly symmetric,
 * and lifecircle walks on undirected graphs: every unordered pair {U, V} with at least one
 * arc becomes ONE undirected edge whose weight is the smallest weight of the arcs between
 * them, in either direction. Pairs that are not symmetric (an arc in one direction only, or
 * different smallest weights in the two directions) are counted and reported in a log line;
 * self-loops (U = V) are dropped and counted in the same line. Weights are taken as metres:
 * length_cm = cost_cm = W * 100. Edges are stored in the order of (min(U,V), max(U,V)), with
 * u = min - 1 and v = max - 1 (0-based), way_id = -1 and no geometry; osm_id of node i is
 * the DIMACS node number i + 1.
 *
 * co_path, when not NULL, names a .co file: comments, "p aux sp co N" (N must equal the
 * graph's), and exactly one "v ID X Y" line per node, X and Y being longitude and latitude
 * times 10^6, so lon = X / 1e6, lat = Y / 1e6. Without it every lon/lat is 0.
 *
 * Parameters: gr_path, co_path (or NULL), g (initialised by this call; free with graph_free).
 * Returns LC_OK, LC_EIO (cannot open or read), LC_EFORMAT (malformed line, missing or
 * duplicate "p" line, node id out of 1..N, weight < 1 or too large, arc count != M, .co
 * inconsistent), or LC_ENOMEM; every message names the file and the line. On failure g is
 * left empty. Local (no MPI). */
int dimacs_read(const char *gr_path, const char *co_path, struct graph *g);

#endif
