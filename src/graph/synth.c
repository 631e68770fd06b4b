/* Synthetic cities: a walking graph calibrated on the Xinhua Road network, and matching
 * facility and population files.
 *
 * Calibration (measured once, 2026, with /usr/bin/python3, xml.etree and networkx, from
 * /work/shared/data/changning/xinhua-walk.osm):
 *   - Walkable ways: every highway=* way except highway=construction/proposed/platform/
 *     motorway/motorway_link, foot=no, and access=no without a foot=yes/designated/
 *     permissive override; private service lanes are kept (residents walk inside their own
 *     compound). 683 of the 698 ways were kept (10 foot=no, 2 access=no, 1 construction,
 *     2 platform dropped).
 *   - Undirected multigraph of consecutive way nodes (2,596 nodes, 2,953 edges), segment
 *     lengths by the haversine formula; largest connected component kept (2,509 nodes,
 *     2,868 edges); chains of degree-2 nodes contracted into single edges with their lengths
 *     summed: 969 nodes, 1,328 edges (mean degree 2.74; 10 self-loops, 31 parallel edges).
 *   - Degree histogram (a self-loop counts twice): degree 1: 188 (19.40%), degree 2: 0,
 *     degree 3: 663 (68.42%), degree 4: 112 (11.56%), degree 5: 5 and 6: 1 (5+: 0.62%).
 *   - Edge lengths: median 53.72 m, quartiles 28.68 m and 103.19 m, 10th and 90th
 *     percentiles 15.08 m and 167.96 m, mean 77.14 m, range 0.38 to 628.89 m. Lognormal fit
 *     by the moments of ln(length): mu = 3.9468, sigma = 0.9401 (median e^mu = 51.8 m).
 *   - Residents per node: Xinhua's estimated 72,000 residents (population-facts.csv) over the
 *     511 contracted nodes inside xinhua-boundary.geojson gives 140.9 (the default).
 *
 * Generation reproduces the degree histogram exactly (node counts are the targets' shares of
 * the requested total, rounded; the degree-4 count may differ by one for parity) and the
 * length distribution approximately, by construction:
 *   1. Core: an R x C grid of street intersections. The gaps between grid lines are drawn
 *      from a lognormal (GAP_MU, GAP_SIGMA), stratified over its quantiles: narrow inner
 *      lanes and wide blocks between main roads. Every intersection is jittered by up to
 *      JITTER times its shorter adjacent gap.
 *   2. T-junctions: grid edges are visited in a random order (Fisher-Yates over the counter-
 *      based RNG) and an edge whose two ends both still have degree 4 is removed, until the
 *      planned number of degree-4 intersections is left. Each node loses at most one edge
 *      and the frame is never touched, so the removed edges form a matching that cannot cut
 *      the grid: the core stays connected (checked afterwards with a union-find anyway).
 *   3. Dead ends: most come from cul-de-sacs that split a street edge (a new degree-3
 *      junction at a random point of the edge, and a degree-1 end up to STUB_CAP of the
 *      block's depth away, its length drawn from a lognormal (STUB_MU, STUB_SIGMA));
 *      the rest are short lanes attached to an intersection (its four grid corners, the
 *      degree-5 nodes, and a few degree-3 nodes that fix the node count exactly).
 *   4. Diagonal footpaths across blocks between two degree-3 intersections (DIAG_PER_NODE).
 * Every edge is a straight segment; its length is the WGS84 geodesic distance between its
 * end nodes (geo.h), in whole centimetres. GAP_* and STUB_* were tuned so that the quartiles
 * and the lognormal fit of the result match the Xinhua figures above (tests/python/
 * test_synth.py checks them against an independent measurement). Result for 10^6 nodes
 * (seed 7): degree shares 0.1940 / 0.6842 / 0.1156 / 0.0062 (exact), edge length quartiles
 * 27.8 / 54.1 / 103.6 m, ln-length mean 3.977 and standard deviation 0.954. */
#include "lifecircle/synth.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lifecircle/geo.h"
#include "lifecircle/rng.h"
#include "lifecircle/status.h"

#define SYNTH_PI 3.14159265358979323846

/* Shape parameters (metres unless said). */
#define SYNTH_GAP_MU 4.35    /* ln of the median gap between grid lines (77.5 m). */
#define SYNTH_GAP_SIGMA 0.82 /* Spread of ln(gap). */
#define SYNTH_GAP_MIN 3.0    /* Floor of a gap, so that no intersections coincide. */
#define SYNTH_JITTER 0.10    /* Intersection jitter, share of the shorter adjacent gap. */
#define SYNTH_STUB_MU 3.62   /* ln of the median cul-de-sac length (37 m) before capping. */
#define SYNTH_STUB_SIGMA 0.9 /* Spread of ln(cul-de-sac length). */
#define SYNTH_STUB_CAP 0.45  /* A cul-de-sac reaches at most this share of the block depth. */
#define SYNTH_STUB_MIN 2.0   /* Floor of a cul-de-sac length. */
#define SYNTH_SPLIT_LO 0.2   /* A cul-de-sac leaves its street between 20% and 80% of it. */
#define SYNTH_SPLIT_HI 0.8
#define SYNTH_DIAG_PER_NODE 0.01 /* Diagonal footpaths per node. */
#define SYNTH_MAX_TRIES 100000   /* Draws tried before a selection step gives up. */

/* Purposes of the random draws (rng.h): one per kind of draw. */
enum synth_purpose {
  SYNTH_RNG_ROW_GAP = 0x5301,
  SYNTH_RNG_COL_GAP,
  SYNTH_RNG_JITTER_X,
  SYNTH_RNG_JITTER_Y,
  SYNTH_RNG_SHUFFLE,
  SYNTH_RNG_SPLIT_EDGE,
  SYNTH_RNG_SPLIT_AT,
  SYNTH_RNG_SPLIT_SIDE,
  SYNTH_RNG_STUB_LEN,
  SYNTH_RNG_DEG5_NODE,
  SYNTH_RNG_EXTRA_NODE,
  SYNTH_RNG_ATTACH_DIR,
  SYNTH_RNG_ATTACH_X,
  SYNTH_RNG_ATTACH_Y,
  SYNTH_RNG_DIAG_BLOCK,
  SYNTH_RNG_FAC_NODE,
  SYNTH_RNG_FAC_RADIUS,
  SYNTH_RNG_FAC_ANGLE,
  SYNTH_RNG_ROW_PERM,
  SYNTH_RNG_COL_PERM
};

void synth_params_default(struct synth_params *p) {
  p->n_nodes = 0;
  p->seed = 1;
  p->lon0 = 121.43;
  p->lat0 = 31.20;
}

/* Metres per degree of latitude and of longitude at latitude lat (WGS84 meridian and prime
 * vertical radii of curvature), for the local plane the city is laid out in. */
static void synth_scale(double lat, double *m_per_deg_lat, double *m_per_deg_lon) {
  const double a = GEO_WGS84_A, f = GEO_WGS84_F, e2 = f * (2.0 - f);
  double s = sin(lat * SYNTH_PI / 180.0), w = 1.0 - e2 * s * s;
  double meridian = a * (1.0 - e2) / (w * sqrt(w)), prime = a / sqrt(w);
  *m_per_deg_lat = meridian * SYNTH_PI / 180.0;
  *m_per_deg_lon = prime * cos(lat * SYNTH_PI / 180.0) * SYNTH_PI / 180.0;
}

/* The plan of a city: grid size and how many of each construction step. */
struct synth_plan {
  int64_t rows, cols, core; /* Grid R x C, core = R * C intersections. */
  int64_t core_edges;       /* R (C - 1) horizontal, then (R - 1) C vertical. */
  int64_t n_deg1, n_deg4, n_deg5, n_diag;
  int64_t n_split, n_attach, n_extra; /* n_attach = 4 corners + n_deg5 + n_extra. */
  int64_t keep_deg4;                  /* Degree-4 intersections left after the removals. */
};

static int synth_make_plan(int64_t n, struct synth_plan *pl) {
  memset(pl, 0, sizeof *pl);
  pl->n_deg1 = llround(SYNTH_XINHUA_SHARE_DEG1 * (double)n);
  pl->n_deg4 = llround(SYNTH_XINHUA_SHARE_DEG4 * (double)n);
  pl->n_deg5 = llround(SYNTH_XINHUA_SHARE_DEG5 * (double)n);
  pl->n_diag = llround(SYNTH_DIAG_PER_NODE * (double)n);
  /* Nodes: core + 2 per split cul-de-sac + 1 per attached one; dead ends: one per
   * cul-de-sac. With the attached ones fixed to 4 + n_deg5 + n_extra, the core needs at
   * least k0 nodes and the rounding of R x C above k0 becomes n_extra. */
  int64_t k0 = n - 2 * pl->n_deg1 + 4 + pl->n_deg5;
  pl->rows = (int64_t)floor(sqrt((double)k0));
  pl->cols = (k0 + pl->rows - 1) / pl->rows;
  pl->core = pl->rows * pl->cols;
  pl->n_extra = pl->core - k0;
  pl->n_split = n - pl->core - pl->n_deg1;
  pl->n_attach = 2 * pl->n_deg1 - (n - pl->core);
  pl->keep_deg4 = pl->n_deg4 + pl->n_deg5 - pl->n_extra - 2 * pl->n_diag;
  pl->core_edges = pl->rows * (pl->cols - 1) + (pl->rows - 1) * pl->cols;
  if (pl->rows < 3 || pl->n_split < 0 || pl->n_attach != 4 + pl->n_deg5 + pl->n_extra ||
      pl->keep_deg4 < 0)
    LC_FAIL(LC_EINVARIANT, "synth: no construction plan for %lld nodes", (long long)n);
  return LC_OK;
}

/* End nodes of core edge e, and whether it runs north-south. */
static void synth_core_edge(const struct synth_plan *pl, int64_t e, int64_t *a, int64_t *b,
                            int *vertical) {
  int64_t nh = pl->rows * (pl->cols - 1);
  if (e < nh) {
    int64_t i = e / (pl->cols - 1), j = e % (pl->cols - 1);
    *a = i * pl->cols + j;
    *b = *a + 1;
    *vertical = 0;
  } else {
    *a = e - nh;
    *b = *a + pl->cols;
    *vertical = 1;
  }
}

static double synth_lognormal(uint64_t seed, uint64_t agent, uint32_t purpose, double mu,
                              double sigma) {
  return exp(mu + sigma * rng_normal(seed, agent, purpose, 0));
}

/* Root of x in a union-find forest, with path halving. */
static int32_t synth_find(int32_t *parent, int32_t x) {
  while (parent[x] != x) {
    parent[x] = parent[parent[x]];
    x = parent[x];
  }
  return x;
}

/* Checks that the graph is connected (union-find over the edge list). */
static int synth_check_connected(const struct graph *g) {
  int32_t *parent = malloc((size_t)g->n_nodes * sizeof *parent);
  if (!parent)
    LC_FAIL(LC_ENOMEM, "synth: no memory for the connectivity check");
  for (int64_t i = 0; i < g->n_nodes; i++)
    parent[i] = (int32_t)i;
  int64_t comps = g->n_nodes;
  for (int64_t e = 0; e < g->n_edges; e++) {
    int32_t ra = synth_find(parent, (int32_t)g->u[e]), rb = synth_find(parent, (int32_t)g->v[e]);
    if (ra != rb) {
      parent[ra > rb ? ra : rb] = ra < rb ? ra : rb;
      comps--;
    }
  }
  free(parent);
  if (comps != 1)
    LC_FAIL(LC_EINVARIANT, "synth: the generated graph has %lld components", (long long)comps);
  return LC_OK;
}

/* Work arrays of one generation. */
struct synth_work {
  double *gap_y, *gap_x; /* Gaps between grid rows (R - 1) and columns (C - 1), metres. */
  uint8_t *deg;          /* Current degree of every core node. */
  uint8_t *state;        /* Core edge: 0 kept, 1 removed, 2 split by a cul-de-sac. */
  uint32_t *perm;        /* Visiting order of the core edges. */
  uint8_t *block_used;   /* Block already crossed by a diagonal. */
  int64_t *split_edge;   /* Core edge of each split cul-de-sac. */
  int64_t *attach_node;  /* Core node of each attached cul-de-sac. */
  int64_t *diag_a, *diag_b;
};

static void synth_work_free(struct synth_work *w) {
  free(w->gap_y);
  free(w->gap_x);
  free(w->deg);
  free(w->state);
  free(w->perm);
  free(w->block_used);
  free(w->split_edge);
  free(w->attach_node);
  free(w->diag_a);
  free(w->diag_b);
  memset(w, 0, sizeof *w);
}

/* Steps 1 (topology part) and 2: degrees of the grid, then the random removals. */
static int synth_remove_edges(const struct synth_plan *pl, uint64_t seed, struct synth_work *w) {
  int64_t R = pl->rows, C = pl->cols, E = pl->core_edges;
  for (int64_t i = 0; i < R; i++)
    for (int64_t j = 0; j < C; j++)
      w->deg[i * C + j] = (uint8_t)(4 - (i == 0) - (i == R - 1) - (j == 0) - (j == C - 1));
  for (int64_t e = 0; e < E; e++)
    w->perm[e] = (uint32_t)e;
  for (int64_t e = E - 1; e > 0; e--) {
    int64_t k = (int64_t)rng_below(seed, (uint64_t)e, SYNTH_RNG_SHUFFLE, 0, (uint64_t)e + 1);
    uint32_t t = w->perm[e];
    w->perm[e] = w->perm[k];
    w->perm[k] = t;
  }
  int64_t deg4 = (R - 2) * (C - 2);
  if (deg4 < pl->keep_deg4)
    LC_FAIL(LC_EINVARIANT, "synth: a %lld x %lld grid has fewer than %lld inner intersections",
            (long long)R, (long long)C, (long long)pl->keep_deg4);
  for (int64_t k = 0; k < E && deg4 > pl->keep_deg4 + 1; k++) {
    int64_t a, b;
    int vertical;
    synth_core_edge(pl, w->perm[k], &a, &b, &vertical);
    if (w->deg[a] == 4 && w->deg[b] == 4) {
      w->state[w->perm[k]] = 1;
      w->deg[a] = w->deg[b] = 3;
      deg4 -= 2;
    }
  }
  if (deg4 > pl->keep_deg4 + 1)
    LC_FAIL(LC_EINVARIANT,
            "synth: only %lld of the planned %lld degree-4 intersections could be turned into "
            "T-junctions",
            (long long)((R - 2) * (C - 2) - deg4), (long long)((R - 2) * (C - 2) - pl->keep_deg4));
  free(w->perm);
  w->perm = NULL;
  return LC_OK;
}

/* Steps 3 and 4 (topology): which edges are split, which nodes get attached cul-de-sacs,
 * which blocks get diagonals. */
static int synth_choose(const struct synth_plan *pl, uint64_t seed, struct synth_work *w) {
  int64_t R = pl->rows, C = pl->cols;
  for (int64_t k = 0; k < pl->n_split; k++) {
    uint32_t t = 0;
    for (;; t++) {
      if (t >= SYNTH_MAX_TRIES)
        LC_FAIL(LC_EINVARIANT, "synth: no free street left for cul-de-sac %lld", (long long)k);
      int64_t e =
          (int64_t)rng_below(seed, (uint64_t)k, SYNTH_RNG_SPLIT_EDGE, t, (uint64_t)pl->core_edges);
      if (w->state[e] == 0) {
        w->state[e] = 2;
        w->split_edge[k] = e;
        break;
      }
    }
  }
  int64_t corners[4] = {0, C - 1, (R - 1) * C, R * C - 1};
  for (int c = 0; c < 4; c++) {
    w->attach_node[c] = corners[c];
    w->deg[corners[c]]++;
  }
  /* Degree-5 nodes: a lane attached to a degree-4 intersection; then the extra lanes on
   * degree-3 intersections. */
  for (int64_t k = 0; k < pl->n_deg5 + pl->n_extra; k++) {
    int five = k < pl->n_deg5;
    uint32_t t = 0;
    for (;; t++) {
      if (t >= SYNTH_MAX_TRIES)
        LC_FAIL(LC_EINVARIANT, "synth: no degree-%d intersection left for a lane", five ? 4 : 3);
      int64_t u =
          (int64_t)rng_below(seed, (uint64_t)k, five ? SYNTH_RNG_DEG5_NODE : SYNTH_RNG_EXTRA_NODE,
                             t, (uint64_t)pl->core);
      if (w->deg[u] == (five ? 4 : 3)) {
        w->deg[u]++;
        w->attach_node[4 + k] = u;
        break;
      }
    }
  }
  uint64_t blocks = (uint64_t)((R - 1) * (C - 1));
  for (int64_t k = 0; k < pl->n_diag; k++) {
    uint32_t t = 0;
    for (;; t++) {
      if (t >= SYNTH_MAX_TRIES)
        LC_FAIL(LC_EINVARIANT, "synth: no block left for diagonal footpath %lld", (long long)k);
      uint64_t r = rng_u64(seed, (uint64_t)k, SYNTH_RNG_DIAG_BLOCK, t);
      int64_t blk = (int64_t)((r >> 1) % blocks); /* Bias below 2^-40: irrelevant here. */
      int64_t i = blk / (C - 1), j = blk % (C - 1);
      int64_t a = (r & 1) ? i * C + j + 1 : i * C + j;
      int64_t b = (r & 1) ? (i + 1) * C + j : (i + 1) * C + j + 1;
      if (!w->block_used[blk] && w->deg[a] == 3 && w->deg[b] == 3) {
        w->block_used[blk] = 1;
        w->deg[a]++;
        w->deg[b]++;
        w->diag_a[k] = a;
        w->diag_b[k] = b;
        break;
      }
    }
  }
  return LC_OK;
}

/* The standard normal quantile of u in (0, 1), by bisection on the C library's erfc
 * (Phi(x) = erfc(-x / sqrt 2) / 2) to double precision. */
static double synth_probit(double u) {
  double lo = -40.0, hi = 40.0;
  for (int it = 0; it < 200 && hi - lo > 1e-13; it++) {
    double mid = 0.5 * (lo + hi);
    if (0.5 * erfc(-mid / sqrt(2.0)) < u)
      lo = mid;
    else
      hi = mid;
  }
  return 0.5 * (lo + hi);
}

/* Draws m gaps from the lognormal (mu, sigma) by stratified sampling: gap i takes the
 * quantile (perm(i) + U_i) / m of a random permutation, so that even a small city's few
 * grid lines follow the distribution closely. `order` is scratch space for m entries. */
static void synth_gaps(uint64_t seed, uint32_t purpose_perm, uint32_t purpose_u, int64_t m,
                       double mu, double sigma, int64_t *order, double *gap) {
  for (int64_t i = 0; i < m; i++)
    order[i] = i;
  for (int64_t i = m - 1; i > 0; i--) {
    int64_t k = (int64_t)rng_below(seed, (uint64_t)i, purpose_perm, 0, (uint64_t)i + 1);
    int64_t t = order[i];
    order[i] = order[k];
    order[k] = t;
  }
  for (int64_t i = 0; i < m; i++) {
    double u = ((double)order[i] + rng_uniform(seed, (uint64_t)i, purpose_u, 0)) / (double)m;
    if (u <= 0.0)
      u = 0.5 / (double)m; /* rng_uniform may return exactly 0. */
    gap[i] = fmax(SYNTH_GAP_MIN, exp(mu + sigma * synth_probit(u)));
  }
}

/* Geometry of the core: gaps, then jittered intersections in degrees. `x_line` and `y_line`
 * are scratch space for C and R entries, `order` for max(R, C). */
static void synth_place_core(const struct synth_plan *pl, const struct synth_params *p,
                             struct synth_work *w, struct graph *g, double *x_line, double *y_line,
                             int64_t *order) {
  int64_t R = pl->rows, C = pl->cols;
  synth_gaps(p->seed, SYNTH_RNG_ROW_PERM, SYNTH_RNG_ROW_GAP, R - 1, SYNTH_GAP_MU, SYNTH_GAP_SIGMA,
             order, w->gap_y);
  synth_gaps(p->seed, SYNTH_RNG_COL_PERM, SYNTH_RNG_COL_GAP, C - 1, SYNTH_GAP_MU, SYNTH_GAP_SIGMA,
             order, w->gap_x);
  y_line[0] = 0.0;
  for (int64_t i = 0; i + 1 < R; i++)
    y_line[i + 1] = y_line[i] + w->gap_y[i];
  x_line[0] = 0.0;
  for (int64_t j = 0; j + 1 < C; j++)
    x_line[j + 1] = x_line[j] + w->gap_x[j];
  double yc = y_line[R - 1] / 2.0, xc = x_line[C - 1] / 2.0;
  double mlat, mlon;
  synth_scale(p->lat0, &mlat, &mlon);
#pragma omp parallel for schedule(static)
  for (int64_t u = 0; u < pl->core; u++) {
    int64_t i = u / C, j = u % C;
    double room_x = fmin(j > 0 ? w->gap_x[j - 1] : INFINITY, j + 1 < C ? w->gap_x[j] : INFINITY);
    double room_y = fmin(i > 0 ? w->gap_y[i - 1] : INFINITY, i + 1 < R ? w->gap_y[i] : INFINITY);
    double jx =
        SYNTH_JITTER * (2.0 * rng_uniform(p->seed, (uint64_t)u, SYNTH_RNG_JITTER_X, 0) - 1.0);
    double jy =
        SYNTH_JITTER * (2.0 * rng_uniform(p->seed, (uint64_t)u, SYNTH_RNG_JITTER_Y, 0) - 1.0);
    double x = x_line[j] - xc + jx * room_x, y = y_line[i] - yc + jy * room_y;
    g->lon[u] = p->lon0 + x / mlon;
    g->lat[u] = p->lat0 + y / mlat;
  }
}

/* Geometry of the cul-de-sacs and the edge list. */
static void synth_place_rest(const struct synth_plan *pl, const struct synth_params *p,
                             const struct synth_work *w, struct graph *g) {
  int64_t R = pl->rows, C = pl->cols, K = pl->core;
  double mlat, mlon;
  synth_scale(p->lat0, &mlat, &mlon);
  /* Core edges that were kept whole, in index order. */
  int64_t m = 0;
  for (int64_t e = 0; e < pl->core_edges; e++) {
    if (w->state[e] != 0)
      continue;
    int vertical;
    synth_core_edge(pl, e, &g->u[m], &g->v[m], &vertical);
    m++;
  }
  int64_t base_split = m, base_attach = m + 3 * pl->n_split;
  int64_t base_diag = base_attach + pl->n_attach;
#pragma omp parallel for schedule(static)
  for (int64_t k = 0; k < pl->n_split; k++) {
    int64_t a, b;
    int vertical;
    synth_core_edge(pl, w->split_edge[k], &a, &b, &vertical);
    double xa = (g->lon[a] - p->lon0) * mlon, ya = (g->lat[a] - p->lat0) * mlat;
    double xb = (g->lon[b] - p->lon0) * mlon, yb = (g->lat[b] - p->lat0) * mlat;
    double at = SYNTH_SPLIT_LO + (SYNTH_SPLIT_HI - SYNTH_SPLIT_LO) *
                                     rng_uniform(p->seed, (uint64_t)k, SYNTH_RNG_SPLIT_AT, 0);
    double xm = xa + at * (xb - xa), ym = ya + at * (yb - ya);
    double dx = xb - xa, dy = yb - ya, len = hypot(dx, dy);
    /* Left of a->b is north for a west-east street and west for a south-north one. */
    double px = -dy / len, py = dx / len;
    int left = (rng_u64(p->seed, (uint64_t)k, SYNTH_RNG_SPLIT_SIDE, 0) & 1) != 0;
    int64_t line = vertical ? a % C : a / C;
    int64_t lines = vertical ? C : R;
    const double *gaps = vertical ? w->gap_x : w->gap_y;
    /* The block on the left of a vertical street lies west (lower column), of a horizontal
     * one north (higher row). */
    int left_low = vertical;
    int has_left = left_low ? line > 0 : line + 1 < lines;
    int has_right = left_low ? line + 1 < lines : line > 0;
    if (left && !has_left)
      left = 0;
    else if (!left && !has_right)
      left = 1;
    double depth = left == left_low ? gaps[line - 1] : gaps[line];
    double stub =
        synth_lognormal(p->seed, (uint64_t)k, SYNTH_RNG_STUB_LEN, SYNTH_STUB_MU, SYNTH_STUB_SIGMA);
    stub = fmax(SYNTH_STUB_MIN, fmin(stub, SYNTH_STUB_CAP * depth));
    double side = left ? 1.0 : -1.0;
    int64_t mid = K + 2 * k, end = mid + 1;
    g->lon[mid] = p->lon0 + xm / mlon;
    g->lat[mid] = p->lat0 + ym / mlat;
    g->lon[end] = p->lon0 + (xm + side * stub * px) / mlon;
    g->lat[end] = p->lat0 + (ym + side * stub * py) / mlat;
    int64_t q = base_split + 3 * k;
    g->u[q] = a;
    g->v[q] = mid;
    g->u[q + 1] = mid;
    g->v[q + 1] = b;
    g->u[q + 2] = mid;
    g->v[q + 2] = end;
  }
#pragma omp parallel for schedule(static)
  for (int64_t k = 0; k < pl->n_attach; k++) {
    int64_t u = w->attach_node[k], i = u / C, j = u % C;
    uint64_t r = rng_u64(p->seed, (uint64_t)k, SYNTH_RNG_ATTACH_DIR, 0);
    int sx = (r & 1) ? 1 : -1, sy = (r & 2) ? 1 : -1;
    if (sx > 0 && j + 1 >= C)
      sx = -1;
    if (sx < 0 && j == 0)
      sx = 1;
    if (sy > 0 && i + 1 >= R)
      sy = -1;
    if (sy < 0 && i == 0)
      sy = 1;
    double room_x = sx > 0 ? w->gap_x[j] : w->gap_x[j - 1];
    double room_y = sy > 0 ? w->gap_y[i] : w->gap_y[i - 1];
    double fx = 0.15 + 0.25 * rng_uniform(p->seed, (uint64_t)k, SYNTH_RNG_ATTACH_X, 0);
    double fy = 0.15 + 0.25 * rng_uniform(p->seed, (uint64_t)k, SYNTH_RNG_ATTACH_Y, 0);
    int64_t end = K + 2 * pl->n_split + k;
    g->lon[end] = g->lon[u] + sx * fx * room_x / mlon;
    g->lat[end] = g->lat[u] + sy * fy * room_y / mlat;
    g->u[base_attach + k] = u;
    g->v[base_attach + k] = end;
  }
  for (int64_t k = 0; k < pl->n_diag; k++) {
    g->u[base_diag + k] = w->diag_a[k];
    g->v[base_diag + k] = w->diag_b[k];
  }
}

/* Lengths: geodesic distance between the end nodes, in centimetres. */
static int synth_lengths(struct graph *g) {
  int64_t bad = -1;
#pragma omp parallel for schedule(static) reduction(max : bad)
  for (int64_t e = 0; e < g->n_edges; e++) {
    int64_t cm = 0;
    int64_t a = g->u[e], b = g->v[e];
    if (geo_distance_cm(g->lon[a], g->lat[a], g->lon[b], g->lat[b], &cm) != LC_OK || cm < 1)
      bad = bad > e ? bad : e;
    g->length_cm[e] = cm;
    g->cost_cm[e] = cm;
    g->way_id[e] = -1;
  }
  if (bad >= 0)
    LC_FAIL(LC_EINVARIANT, "synth: edge %lld has no valid positive length", (long long)bad);
  return LC_OK;
}

int synth_generate(const struct synth_params *p, struct graph *g) {
  if (p->n_nodes < SYNTH_MIN_NODES || p->n_nodes > SYNTH_MAX_NODES)
    LC_FAIL(LC_EPARAM, "synth: %lld nodes requested; allowed %d to %lld", (long long)p->n_nodes,
            SYNTH_MIN_NODES, (long long)SYNTH_MAX_NODES);
  if (!geo_valid(p->lon0, p->lat0) || fabs(p->lat0) > 80.0)
    LC_FAIL(LC_EPARAM, "synth: centre (%g, %g) is not a WGS84 position with |lat| <= 80", p->lon0,
            p->lat0);
  struct synth_plan pl;
  LC_CHECK(synth_make_plan(p->n_nodes, &pl));
  struct synth_work w;
  memset(&w, 0, sizeof w);
  double *x_line = NULL, *y_line = NULL;
  int64_t *order = NULL;
  int rc = LC_OK;
  size_t blocks = (size_t)((pl.rows - 1) * (pl.cols - 1));
  w.gap_y = malloc((size_t)pl.rows * sizeof *w.gap_y);
  w.gap_x = malloc((size_t)pl.cols * sizeof *w.gap_x);
  y_line = malloc((size_t)pl.rows * sizeof *y_line);
  x_line = malloc((size_t)pl.cols * sizeof *x_line);
  order = malloc((size_t)(pl.rows > pl.cols ? pl.rows : pl.cols) * sizeof *order);
  w.deg = malloc((size_t)pl.core);
  w.state = calloc((size_t)pl.core_edges, 1);
  w.perm = malloc((size_t)pl.core_edges * sizeof *w.perm);
  w.block_used = calloc(blocks, 1);
  w.split_edge = malloc((size_t)(pl.n_split + 1) * sizeof *w.split_edge);
  w.attach_node = malloc((size_t)pl.n_attach * sizeof *w.attach_node);
  w.diag_a = malloc((size_t)(pl.n_diag + 1) * sizeof *w.diag_a);
  w.diag_b = malloc((size_t)(pl.n_diag + 1) * sizeof *w.diag_b);
  if (!w.gap_y || !w.gap_x || !y_line || !x_line || !order || !w.deg || !w.state || !w.perm ||
      !w.block_used || !w.split_edge || !w.attach_node || !w.diag_a || !w.diag_b) {
    rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "synth: no memory for %lld nodes",
                      (long long)p->n_nodes);
    goto done;
  }
  LC_CHECK_GOTO(rc, synth_remove_edges(&pl, p->seed, &w), done);
  LC_CHECK_GOTO(rc, synth_choose(&pl, p->seed, &w), done);
  int64_t kept = 0;
  for (int64_t e = 0; e < pl.core_edges; e++)
    kept += w.state[e] != 1;
  int64_t m = kept + 2 * pl.n_split + pl.n_attach + pl.n_diag;
  LC_CHECK_GOTO(rc, graph_alloc(g, p->n_nodes, m), done);
  for (int64_t i = 0; i < p->n_nodes; i++)
    g->osm_id[i] = i;
  synth_place_core(&pl, p, &w, g, x_line, y_line, order);
  synth_place_rest(&pl, p, &w, g);
  LC_CHECK_GOTO(rc, synth_lengths(g), done);
  LC_CHECK_GOTO(rc, synth_check_connected(g), done);
done:
  free(x_line);
  free(y_line);
  free(order);
  synth_work_free(&w);
  if (rc != LC_OK)
    graph_free(g);
  return rc;
}

static int synth_cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

/* Quantile with linear interpolation between order statistics (numpy's default). */
static double synth_quantile(const int64_t *sorted, int64_t n, double q) {
  double pos = q * (double)(n - 1);
  int64_t lo = (int64_t)floor(pos);
  if (lo >= n - 1)
    return (double)sorted[n - 1];
  double frac = pos - (double)lo;
  return (double)sorted[lo] + frac * (double)(sorted[lo + 1] - sorted[lo]);
}

int synth_stats(const struct graph *g, struct synth_stats *s) {
  memset(s, 0, sizeof *s);
  if (g->n_nodes < 1 || g->n_edges < 1)
    LC_FAIL(LC_EEMPTY, "synth: statistics of a graph without nodes or edges");
  int32_t *deg = calloc((size_t)g->n_nodes, sizeof *deg);
  int64_t *len = malloc((size_t)g->n_edges * sizeof *len);
  if (!deg || !len) {
    free(deg);
    free(len);
    LC_FAIL(LC_ENOMEM, "synth: no memory for statistics");
  }
  double sum = 0.0, sum2 = 0.0;
  for (int64_t e = 0; e < g->n_edges; e++) {
    deg[g->u[e]]++;
    deg[g->v[e]]++;
    len[e] = g->length_cm[e];
    double l = log((double)g->length_cm[e] / 100.0);
    sum += l;
    sum2 += l * l;
  }
  int64_t hist[6] = {0, 0, 0, 0, 0, 0};
  for (int64_t i = 0; i < g->n_nodes; i++)
    hist[deg[i] < 5 ? deg[i] : 5]++;
  for (int k = 0; k < 6; k++)
    s->share_deg[k] = (double)hist[k] / (double)g->n_nodes;
  qsort(len, (size_t)g->n_edges, sizeof *len, synth_cmp_i64);
  s->len_q1_m = synth_quantile(len, g->n_edges, 0.25) / 100.0;
  s->len_median_m = synth_quantile(len, g->n_edges, 0.5) / 100.0;
  s->len_q3_m = synth_quantile(len, g->n_edges, 0.75) / 100.0;
  double m = (double)g->n_edges;
  s->log_mu = sum / m;
  s->log_sigma = sqrt(fmax(0.0, sum2 / m - s->log_mu * s->log_mu));
  s->n_nodes = g->n_nodes;
  s->n_edges = g->n_edges;
  free(deg);
  free(len);
  return LC_OK;
}

int synth_write_facilities(const char *path, const struct graph *g, const struct category_set *cats,
                           int64_t per_category, uint64_t seed) {
  if (per_category < 1)
    LC_FAIL(LC_EPARAM, "synth: %lld facilities per category requested; at least 1 needed",
            (long long)per_category);
  if (g->n_nodes < 1)
    LC_FAIL(LC_EEMPTY, "synth: facilities for a graph without nodes");
  FILE *f = fopen(path, "w");
  if (!f)
    LC_FAIL(LC_EIO, "%s: cannot create: %s", path, strerror(errno));
  int ok = fprintf(f, "id,category,lon,lat,name\n") > 0;
  int64_t id = 0;
  for (int c = 0; c < cats->n && ok; c++) {
    for (int64_t k = 0; k < per_category && ok; k++) {
      uint64_t agent = (uint64_t)c * (uint64_t)per_category + (uint64_t)k;
      int64_t u = (int64_t)rng_below(seed, agent, SYNTH_RNG_FAC_NODE, 0, (uint64_t)g->n_nodes);
      /* Uniform over a disc of 20 m: radius 20 sqrt(U). */
      double r = 20.0 * sqrt(rng_uniform(seed, agent, SYNTH_RNG_FAC_RADIUS, 0));
      double th = 2.0 * SYNTH_PI * rng_uniform(seed, agent, SYNTH_RNG_FAC_ANGLE, 0);
      double mlat, mlon;
      synth_scale(g->lat[u], &mlat, &mlon);
      double lon = g->lon[u] + r * cos(th) / mlon, lat = g->lat[u] + r * sin(th) / mlat;
      id++;
      ok = fprintf(f, "%lld,%s,%.7f,%.7f,synthetic %s %lld\n", (long long)id, cats->c[c].id, lon,
                   lat, cats->c[c].id, (long long)(k + 1)) > 0;
    }
  }
  if (fclose(f) != 0)
    ok = 0;
  if (!ok)
    LC_FAIL(LC_EIO, "%s: write error", path);
  return LC_OK;
}

/* Cell boundaries rounded to 1e-7 degree, so that the GeoJSON text holds exactly the values
 * nodes were binned with. */
static double synth_round7(double x) { return round(x * 1e7) / 1e7; }

/* Index of the cell [edges[c], edges[c+1]) that holds x (edges has n + 1 entries). */
static int64_t synth_cell(const double *edges, int64_t n, double x) {
  int64_t c = (int64_t)floor((x - edges[0]) / (edges[n] - edges[0]) * (double)n);
  if (c < 0)
    c = 0;
  if (c > n - 1)
    c = n - 1;
  while (c > 0 && x < edges[c])
    c--;
  while (c < n - 1 && x >= edges[c + 1])
    c++;
  return c;
}

/* Bins the nodes into an nx x ny grid of cells with the given boundaries. */
static void synth_bin(const struct graph *g, const double *ex, int64_t nx, const double *ey,
                      int64_t ny, int64_t *count) {
  memset(count, 0, (size_t)(nx * ny) * sizeof *count);
  for (int64_t i = 0; i < g->n_nodes; i++)
    count[synth_cell(ey, ny, g->lat[i]) * nx + synth_cell(ex, nx, g->lon[i])]++;
}

static int synth_open(const char *dir, const char *name, FILE **f, char *path, size_t size) {
  if (snprintf(path, size, "%s/%s", dir, name) >= (int)size)
    LC_FAIL(LC_EIO, "%s/%s: path too long", dir, name);
  *f = fopen(path, "w");
  if (!*f)
    LC_FAIL(LC_EIO, "%s: cannot create: %s", path, strerror(errno));
  return LC_OK;
}

static int synth_close(FILE *f, int ok, const char *path) {
  if (fclose(f) != 0 || !ok)
    LC_FAIL(LC_EIO, "%s: write error", path);
  return LC_OK;
}

int synth_write_population(const char *dir, const struct graph *g, double residents_per_node,
                           int64_t nodes_per_subdistrict) {
  if (!(residents_per_node > 0.0) || !isfinite(residents_per_node))
    LC_FAIL(LC_EPARAM, "synth: residents per node must be positive, got %g", residents_per_node);
  if (nodes_per_subdistrict < 1)
    LC_FAIL(LC_EPARAM, "synth: nodes per subdistrict must be at least 1, got %lld",
            (long long)nodes_per_subdistrict);
  if (g->n_nodes < 1)
    LC_FAIL(LC_EEMPTY, "synth: population for a graph without nodes");
  if (mkdir(dir, 0777) != 0 && errno != EEXIST)
    LC_FAIL(LC_EIO, "%s: cannot create the directory: %s", dir, strerror(errno));
  struct stat st;
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
    LC_FAIL(LC_EIO, "%s: not a directory", dir);

  double w = INFINITY, e = -INFINITY, s = INFINITY, n = -INFINITY;
  for (int64_t i = 0; i < g->n_nodes; i++) {
    w = fmin(w, g->lon[i]);
    e = fmax(e, g->lon[i]);
    s = fmin(s, g->lat[i]);
    n = fmax(n, g->lat[i]);
  }
  double mlat, mlon;
  synth_scale(0.5 * (s + n), &mlat, &mlon);
  double mx = fmax(100.0 / mlon, 0.02 * (e - w)), my = fmax(100.0 / mlat, 0.02 * (n - s));
  w -= mx;
  e += mx;
  s -= my;
  n += my;
  int64_t side = llround(sqrt((double)g->n_nodes / (double)nodes_per_subdistrict));
  if (side < 2)
    side = 2;
  /* Density cells about 870 m wide, as the WorldPop samples of the real data. */
  int64_t dnx = (int64_t)ceil((e - w) * mlon / 870.0), dny = (int64_t)ceil((n - s) * mlat / 870.0);
  int64_t maxn = side > dnx ? side : dnx;
  maxn = maxn > dny ? maxn : dny;
  double *ex = malloc((size_t)(maxn + 1) * sizeof *ex),
         *ey = malloc((size_t)(maxn + 1) * sizeof *ey);
  int64_t cells = side * side > dnx * dny ? side * side : dnx * dny;
  int64_t *count = malloc((size_t)cells * sizeof *count);
  int rc = LC_OK;
  FILE *f = NULL;
  char path[4096];
  if (!ex || !ey || !count) {
    rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "synth: no memory for population grid");
    goto done;
  }

  /* Subdistricts: a side x side grid, names S00.. row-major from the south-west. */
  for (int64_t k = 0; k <= side; k++) {
    ex[k] = synth_round7(w + (e - w) * (double)k / (double)side);
    ey[k] = synth_round7(s + (n - s) * (double)k / (double)side);
  }
  synth_bin(g, ex, side, ey, side, count);
  int digits = 2;
  for (int64_t v = side * side - 1; v >= 100; v /= 10)
    digits++;
  LC_CHECK_GOTO(rc, synth_open(dir, "subdistricts.geojson", &f, path, sizeof path), done);
  int ok = fprintf(f, "{\"type\": \"FeatureCollection\", \"features\": [\n") > 0;
  for (int64_t r = 0; r < side && ok; r++)
    for (int64_t c = 0; c < side && ok; c++) {
      int64_t id = r * side + c;
      ok = fprintf(f,
                   "{\"type\": \"Feature\", \"properties\": {\"name\": \"S%0*lld\"}, "
                   "\"geometry\": {\"type\": \"Polygon\", \"coordinates\": [[[%.7f, %.7f], "
                   "[%.7f, %.7f], [%.7f, %.7f], [%.7f, %.7f], [%.7f, %.7f]]]}}%s\n",
                   digits, (long long)id, ex[c], ey[r], ex[c + 1], ey[r], ex[c + 1], ey[r + 1],
                   ex[c], ey[r + 1], ex[c], ey[r], id + 1 < side * side ? "," : "") > 0;
    }
  ok = ok && fprintf(f, "]}\n") > 0;
  LC_CHECK_GOTO(rc, synth_close(f, ok, path), done);
  LC_CHECK_GOTO(rc, synth_open(dir, "residents.csv", &f, path, sizeof path), done);
  ok = fprintf(f, "subdistrict,residents\n") > 0;
  for (int64_t id = 0; id < side * side && ok; id++)
    ok = fprintf(f, "S%0*lld,%lld\n", digits, (long long)id,
                 (long long)llround((double)count[id] * residents_per_node)) > 0;
  LC_CHECK_GOTO(rc, synth_close(f, ok, path), done);

  /* Density samples at cell centres, persons per km2. */
  for (int64_t k = 0; k <= dnx; k++)
    ex[k] = w + (e - w) * (double)k / (double)dnx;
  for (int64_t k = 0; k <= dny; k++)
    ey[k] = s + (n - s) * (double)k / (double)dny;
  synth_bin(g, ex, dnx, ey, dny, count);
  double area_km2 = (e - w) / (double)dnx * mlon * (n - s) / (double)dny * mlat / 1e6;
  LC_CHECK_GOTO(rc, synth_open(dir, "density.csv", &f, path, sizeof path), done);
  ok = fprintf(f, "lon,lat,density\n") > 0;
  for (int64_t r = 0; r < dny && ok; r++)
    for (int64_t c = 0; c < dnx && ok; c++)
      ok = fprintf(f, "%.7f,%.7f,%.1f\n", 0.5 * (ex[c] + ex[c + 1]), 0.5 * (ey[r] + ey[r + 1]),
                   (double)count[r * dnx + c] * residents_per_node / area_km2) > 0;
  LC_CHECK_GOTO(rc, synth_close(f, ok, path), done);
done:
  free(ex);
  free(ey);
  free(count);
  return rc;
}
