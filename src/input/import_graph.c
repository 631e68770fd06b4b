/* OSM import: reading the inputs with the walking profile and the category rules, building
 * the raw walking graph, keeping its largest component and contracting degree-2 chains
 * (the rules are described in include/lifecircle/import.h). Memory is kept low for large
 * files (the budget is 200 bytes of peak memory per OSM node): the raw graph is the
 * walkable ways' node lists themselves (4 bytes of node index and 4 of segment length per
 * ref, no separate edge list), its nodes are the element store's node array compacted in
 * place (16 bytes: id and fixed-point coordinates), the rest of the store is freed as soon
 * as the raw graph exists, components come from a union-find of 4 bytes per node, and the
 * contraction's adjacency holds 32-bit edge positions. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifecircle/alloc.h"
#include "lifecircle/geo.h"
#include "lifecircle/import.h"
#include "lifecircle/log.h"
#include "lifecircle/status.h"

/* ---- Raw graph ------------------------------------------------------------------------- */

/* The raw walking graph, held as paths rather than as an edge list. Every walkable way with
 * node refs (in way id order, duplicates removed) is a path: positions
 * path_off[p] .. path_off[p+1] - 1 of `ref`, each holding a raw node index. The raw edge "at
 * position j" joins ref[j] and ref[j+1] when both positions lie in one path and the nodes
 * differ; len[j] is then its length in cm, else len[j] = -1. Numbering raw edges by position
 * gives the same order as the explicit edge list in way id order. Raw nodes are the store
 * nodes that walkable ways use, in id order, kept as (id, fixed-point coordinates). */
struct import_raw {
  int64_t n_nodes, n_edges, n_pos, n_paths;
  struct osm_node *node;
  int32_t *ref, *len;
  int64_t *path_off; /* n_paths + 1 entries. */
  int64_t *path_way;
  int32_t *path_cls;
  int64_t walkable_ways, degenerate;
};

static void import_raw_free(struct import_raw *r) {
  free(r->node);
  free(r->ref);
  free(r->len);
  free(r->path_off);
  free(r->path_way);
  free(r->path_cls);
  memset(r, 0, sizeof *r);
}

/* The input file a way came from, for messages. */
static const char *import_way_file(const struct osm_store *st, int64_t w, char *const *inputs,
                                   int n_inputs) {
  int f = st->way_file[w];
  return f >= 0 && f < n_inputs ? inputs[f] : "(input)";
}

/* Raw index of store node k: the used nodes before it (bitmap plus per-word prefix counts). */
static inline int64_t import_rank(const uint64_t *used, const int64_t *base, int64_t k) {
  uint64_t below = used[k >> 6] & ((UINT64_C(1) << (k & 63)) - 1);
  return base[k >> 6] + __builtin_popcountll(below);
}

/* Resolves the walkable ways' node refs against a finished store, in place (each ref becomes
 * the index of its store node), marking the nodes used in `used`. A missing node is an
 * error naming the file, the way and the node. */
static int import_resolve(struct osm_store *st, char *const *inputs, int n_inputs, uint64_t *used,
                          struct import_raw *r) {
  int64_t nn = st->n_node;
  const struct osm_node *node = st->node;
  for (int64_t i = 0; i < st->n_way_sorted; i++) {
    int64_t w = st->way_sorted[i];
    if (st->way_cls[w] < 0)
      continue;
    r->walkable_ways++;
    int32_t len = st->way_len[w];
    if (len <= 0)
      continue;
    r->n_paths++;
    r->n_pos += len;
    int64_t *ref = st->ref + st->way_off[w];
    int64_t hint = -2;
    for (int32_t j = 0; j < len; j++) {
      int64_t id = ref[j], k;
      /* Consecutive refs are often consecutive ids: try the next stored node first. */
      if (hint >= -1 && hint + 1 < nn && node[hint + 1].id == id)
        k = hint + 1;
      else if (hint >= 0 && node[hint].id == id)
        k = hint;
      else if (hint > 0 && node[hint - 1].id == id)
        k = hint - 1;
      else
        k = osm_node_find(st, id);
      if (k < 0)
        LC_FAIL(LC_EFORMAT,
                "%s: way %lld references node %lld, which no input file contains (a walkable "
                "way needs all its nodes; extract with complete ways, e.g. 'osmium extract "
                "--strategy complete_ways'; readosm also skips PBF nodes stored without "
                "DenseNodes)",
                import_way_file(st, w, inputs, n_inputs), (long long)st->way_id[w], (long long)id);
      hint = k;
      ref[j] = k;
      used[k >> 6] |= UINT64_C(1) << (k & 63);
    }
  }
  return LC_OK;
}

/* Segment lengths of the paths (len[j], or -1 where position j starts no edge); counts the
 * edges and the repeated consecutive refs. A segment longer than INT32_MAX cm is an error
 * naming the way and its nodes. The geodesic work runs on the OpenMP threads. */
static int import_lengths(struct import_raw *r, const int64_t *way_file_of_path,
                          char *const *inputs, int n_inputs) {
  int64_t bad = INT64_MAX, edges = 0, degenerate = 0;
  const struct osm_node *node = r->node;
#pragma omp parallel for schedule(dynamic, 256) reduction(+ : edges, degenerate) \
    reduction(min : bad)
  for (int64_t p = 0; p < r->n_paths; p++) {
    int64_t end = r->path_off[p + 1] - 1;
    r->len[end] = -1;
    for (int64_t j = r->path_off[p]; j < end; j++) {
      int32_t a = r->ref[j], b = r->ref[j + 1];
      r->len[j] = -1;
      if (a == b) {
        degenerate++; /* The same node twice in a row: no segment. */
        continue;
      }
      int64_t cm;
      if (geo_distance_cm(osm_deg(node[a].lon7), osm_deg(node[a].lat7), osm_deg(node[b].lon7),
                          osm_deg(node[b].lat7), &cm) != LC_OK ||
          cm > INT32_MAX) {
        if (j < bad)
          bad = j;
        break;
      }
      r->len[j] = (int32_t)cm;
      edges++;
    }
  }
  if (bad != INT64_MAX) {
    /* Report the first failing segment in edge order, as a serial pass would. */
    int64_t lo = 0, hi = r->n_paths;
    while (hi - lo > 1) {
      int64_t mid = lo + (hi - lo) / 2;
      if (r->path_off[mid] <= bad)
        lo = mid;
      else
        hi = mid;
    }
    int32_t a = r->ref[bad], b = r->ref[bad + 1];
    int64_t cm;
    LC_CHECK(geo_distance_cm(osm_deg(node[a].lon7), osm_deg(node[a].lat7), osm_deg(node[b].lon7),
                             osm_deg(node[b].lat7), &cm));
    int64_t f = way_file_of_path[lo];
    LC_FAIL(LC_EFORMAT, "%s: way %lld has a segment of %.0f km between nodes %lld and %lld",
            f >= 0 && f < n_inputs ? inputs[f] : "(input)", (long long)r->path_way[lo], cm / 1e5,
            (long long)node[a].id, (long long)node[b].id);
  }
  r->n_edges = edges;
  r->degenerate = degenerate;
  return LC_OK;
}

/* Builds the raw graph from a finished store and frees the store (taking its node array,
 * compacted to the raw nodes). */
static int import_raw_build(struct osm_store *st, char *const *inputs, int n_inputs,
                            struct import_raw *r) {
  memset(r, 0, sizeof *r);
  int64_t nn = st->n_node, nw = (nn + 63) / 64;
  uint64_t *used = lc_calloc_array(nw, sizeof *used);
  int64_t *base = lc_malloc_array(nw, sizeof *base);
  int64_t *file = NULL;
  int rc = LC_OK;
  if (!used || !base) {
    rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__,
                      "cannot allocate the node map of %lld "
                      "nodes",
                      (long long)nn);
    goto fail;
  }
  double t0 = log_elapsed();
  LC_CHECK_GOTO(rc, import_resolve(st, inputs, n_inputs, used, r), fail);
  if (r->n_pos >= INT32_MAX) {
    rc = lc_error_set(LC_ETOOBIG, __FILE__, __LINE__,
                      "walkable ways hold %lld node refs; the import handles at most %d",
                      (long long)r->n_pos, INT32_MAX - 1);
    goto fail;
  }
  int64_t n = 0;
  for (int64_t i = 0; i < nw; i++) {
    base[i] = n;
    n += __builtin_popcountll(used[i]);
  }
  r->n_nodes = n;
  size_t sp = (size_t)(r->n_pos > 0 ? r->n_pos : 1), sw = (size_t)r->n_paths + 1;
  r->ref = malloc(sp * sizeof *r->ref);
  r->len = malloc(sp * sizeof *r->len);
  r->path_off = malloc(sw * sizeof *r->path_off);
  r->path_way = malloc(sw * sizeof *r->path_way);
  r->path_cls = malloc(sw * sizeof *r->path_cls);
  file = malloc(sw * sizeof *file);
  if (!r->ref || !r->len || !r->path_off || !r->path_way || !r->path_cls || !file) {
    rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "cannot allocate %lld raw node refs",
                      (long long)r->n_pos);
    goto fail;
  }
  int64_t q = 0, p = 0;
  for (int64_t i = 0; i < st->n_way_sorted; i++) {
    int64_t w = st->way_sorted[i];
    if (st->way_cls[w] < 0 || st->way_len[w] <= 0)
      continue;
    r->path_off[p] = q;
    r->path_way[p] = st->way_id[w];
    r->path_cls[p] = st->way_cls[w];
    file[p] = st->way_file[w];
    p++;
    const int64_t *ref = st->ref + st->way_off[w];
    for (int32_t j = 0; j < st->way_len[w]; j++)
      r->ref[q++] = (int32_t)import_rank(used, base, ref[j]);
  }
  r->path_off[p] = q;
  /* The raw nodes: the used store nodes, compacted in place and kept. */
  struct osm_node *node = st->node;
  int64_t k = 0;
  for (int64_t i = 0; i < nw; i++)
    for (uint64_t bits = used[i]; bits; bits &= bits - 1)
      node[k++] = node[64 * i + __builtin_ctzll(bits)];
  st->node = NULL;
  osm_store_free(st); /* The raw graph holds all the graph needs. */
  free(used);
  free(base);
  used = NULL;
  base = NULL;
  struct osm_node *shrunk = realloc(node, (size_t)(n > 0 ? n : 1) * sizeof *node);
  r->node = shrunk ? shrunk : node;
  double t1 = log_elapsed();
  LC_CHECK_GOTO(rc, import_lengths(r, file, inputs, n_inputs), fail);
  log_debug("raw graph: refs resolved in %.3f s, %lld segment lengths in %.3f s", t1 - t0,
            (long long)r->n_edges, log_elapsed() - t1);
  free(file);
  return LC_OK;
fail:
  free(used);
  free(base);
  free(file);
  import_raw_free(r);
  return rc;
}

/* ---- Largest component ------------------------------------------------------------------ */

/* Root of x in a union-find forest where parent[x] < 0 marks a root of -parent[x] nodes
 * (path halving). */
static int32_t import_find(int32_t *parent, int32_t x) {
  while (parent[x] >= 0) {
    if (parent[parent[x]] >= 0)
      parent[x] = parent[parent[x]];
    x = parent[x];
  }
  return x;
}

/* Keeps the largest connected component of the raw graph (ties: the one holding the
 * lowest-numbered node), compacting nodes and paths in place in their order. A path lies in
 * one component (its consecutive nodes are joined or equal), so paths are kept or dropped
 * whole. */
static int import_largest(struct import_raw *r, struct graph_import_stats *stats) {
  int64_t n = r->n_nodes, m = r->n_edges;
  int32_t *parent = lc_malloc_array(n, sizeof *parent);
  if (!parent)
    LC_FAIL(LC_ENOMEM, "cannot allocate the component labels of %lld nodes", (long long)n);
  for (int64_t i = 0; i < n; i++)
    parent[i] = -1;
  int64_t total = 0;
  for (int64_t j = 0; j < r->n_pos; j++) {
    if (r->len[j] < 0)
      continue;
    total += r->len[j];
    int32_t a = import_find(parent, r->ref[j]), b = import_find(parent, r->ref[j + 1]);
    if (a == b)
      continue;
    if (parent[a] > parent[b]) { /* Union by size: a becomes the larger root. */
      int32_t t = a;
      a = b;
      b = t;
    }
    parent[a] += parent[b];
    parent[b] = a;
  }
  /* Components are met by increasing lowest node: a strictly larger size wins, so ties
   * keep the component of the lowest node. */
  int64_t nc = 0, best_size = 0;
  int32_t best = -1;
  for (int64_t i = 0; i < n; i++) {
    int32_t root = import_find(parent, (int32_t)i);
    if (root == i)
      nc++;
    if (-(int64_t)parent[root] > best_size) {
      best_size = -(int64_t)parent[root];
      best = root;
    }
  }
  stats->components = nc;
  if (nc > 1) {
    for (int64_t i = 0; i < n; i++) /* Every node points at its root. */
      if (parent[i] >= 0)
        parent[i] = import_find(parent, (int32_t)i);
    int64_t nk = 0;
    for (int64_t i = 0; i < n; i++) { /* parent[] becomes the new index, or -1. */
      int keep = i == best || parent[i] == best;
      parent[i] = keep ? (int32_t)nk : -1;
      if (keep)
        r->node[nk++] = r->node[i];
    }
    int64_t q = 0, kp = 0, ke = 0;
    for (int64_t p = 0; p < r->n_paths; p++) {
      int64_t s = r->path_off[p], e = r->path_off[p + 1];
      if (parent[r->ref[s]] < 0)
        continue;
      r->path_off[kp] = q;
      r->path_way[kp] = r->path_way[p];
      r->path_cls[kp] = r->path_cls[p];
      kp++;
      for (int64_t j = s; j < e; j++, q++) {
        r->ref[q] = parent[r->ref[j]];
        r->len[q] = r->len[j];
        ke += r->len[q] >= 0;
      }
    }
    r->path_off[kp] = q;
    if (nk != best_size) {
      free(parent);
      LC_FAIL(LC_EINVARIANT, "largest component: %lld nodes kept of %lld", (long long)nk,
              (long long)best_size);
    }
    r->n_nodes = nk;
    r->n_edges = ke;
    r->n_pos = q;
    r->n_paths = kp;
  }
  free(parent);
  int64_t kept_len = 0;
  for (int64_t j = 0; j < r->n_pos; j++)
    if (r->len[j] > 0)
      kept_len += r->len[j];
  stats->raw_nodes = r->n_nodes;
  stats->raw_edges = r->n_edges;
  stats->dropped_nodes = n - r->n_nodes;
  stats->dropped_edges = m - r->n_edges;
  stats->dropped_length_cm = total - kept_len;
  return LC_OK;
}

/* ---- Contraction ----------------------------------------------------------------------- */

/* The contraction's view of the raw graph: arcs of node x are arc[off[x] .. off[x+1]), the
 * positions of its edges in increasing order; the neighbour over the edge at position j is
 * ref[j] ^ ref[j+1] ^ x. */
struct import_con {
  const struct import_raw *r;
  int64_t *off;
  int32_t *arc;
  uint8_t *kept;    /* Per raw node. */
  uint8_t *visited; /* Per position (edge). */
  double *fac;      /* Cost factor per path. */
};

/* The path holding position j. */
static int64_t import_path_of(const struct import_raw *r, int64_t j) {
  int64_t lo = 0, hi = r->n_paths;
  while (hi - lo > 1) {
    int64_t mid = lo + (hi - lo) / 2;
    if (r->path_off[mid] <= j)
      lo = mid;
    else
      hi = mid;
  }
  return lo;
}

/* The edge after e at the degree-2 node x. */
static inline int32_t import_next(const struct import_con *c, int32_t x, int32_t e) {
  int64_t a = c->off[x];
  return c->arc[a] == e ? c->arc[a + 1] : c->arc[a];
}

static inline int32_t import_other(const struct import_raw *r, int32_t j, int32_t x) {
  return r->ref[j] ^ r->ref[j + 1] ^ x;
}

/* Walks a chain from the kept node s along edge e0 through nodes that are not kept; marks
 * its edges visited, sets *n_in to its interior node count and *len to its length, and
 * returns the end node. With glon/glat, stores the interior points there, at most `room`
 * of them (returns -1 when there are more). */
static int32_t import_walk(const struct import_con *c, int32_t s, int32_t e0, int64_t *n_in,
                           int64_t *len, double *glon, double *glat, int64_t room) {
  const struct import_raw *r = c->r;
  int32_t e = e0, cur = import_other(r, e, s);
  int64_t ni = 0, sum = r->len[e];
  c->visited[e] = 1;
  while (!c->kept[cur]) {
    if (glon) {
      if (ni >= room)
        return -1;
      glon[ni] = osm_deg(r->node[cur].lon7);
      glat[ni] = osm_deg(r->node[cur].lat7);
    }
    ni++;
    e = import_next(c, cur, e);
    c->visited[e] = 1;
    sum += r->len[e];
    cur = import_other(r, e, cur);
  }
  *n_in = ni;
  *len = sum;
  return cur;
}

/* The k-th (from 0) interior node of the chain from s along e0. */
static int32_t import_nth(const struct import_con *c, int32_t s, int32_t e0, int64_t k) {
  int32_t e = e0, cur = import_other(c->r, e, s);
  for (int64_t i = 0; i < k; i++) {
    e = import_next(c, cur, e);
    cur = import_other(c->r, e, cur);
  }
  return cur;
}

/* Contracts the connected raw graph into g (see import.h for the rules). */
static int import_contract(const struct import_raw *r, const struct profile *prof, struct graph *g,
                           int64_t *zero_len) {
  int64_t n = r->n_nodes, m = r->n_edges, np_pos = r->n_pos;
  size_t sn = (size_t)(n > 0 ? n : 1), sm = (size_t)(m > 0 ? m : 1);
  struct import_con c = {r, NULL, NULL, NULL, NULL, NULL};
  int32_t *newid = NULL;
  c.off = calloc(sn + 1, sizeof *c.off);
  c.arc = malloc(2 * sm * sizeof *c.arc);
  c.kept = malloc(sn);
  c.visited = lc_calloc_array(np_pos, 1);
  c.fac = malloc(((size_t)r->n_paths + 1) * sizeof *c.fac);
  int rc = LC_OK;
  graph_init(g);
  if (!c.off || !c.arc || !c.kept || !c.visited || !c.fac) {
    rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__,
                      "cannot allocate the contraction of %lld "
                      "nodes",
                      (long long)n);
    goto done;
  }
  for (int64_t p = 0; p < r->n_paths; p++)
    c.fac[p] = profile_factor(prof, r->path_cls[p]);
  for (int64_t j = 0; j < np_pos; j++)
    if (r->len[j] >= 0) {
      c.off[r->ref[j] + 1]++;
      c.off[r->ref[j + 1] + 1]++;
    }
  for (int64_t i = 0; i < n; i++)
    c.off[i + 1] += c.off[i];
  for (int64_t j = 0; j < np_pos; j++) /* Fill, then shift the offsets back. */
    if (r->len[j] >= 0) {
      c.arc[c.off[r->ref[j]]++] = (int32_t)j;
      c.arc[c.off[r->ref[j + 1]]++] = (int32_t)j;
    }
  for (int64_t i = n; i > 0; i--)
    c.off[i] = c.off[i - 1];
  c.off[0] = 0;
  for (int64_t i = 0; i < n; i++) {
    int64_t a = c.off[i], d = c.off[i + 1] - a;
    /* Two consecutive positions are edges of one way, so of one factor. */
    c.kept[i] =
        d != 2 || (c.arc[a + 1] != c.arc[a] + 1 &&
                   c.fac[import_path_of(r, c.arc[a])] != c.fac[import_path_of(r, c.arc[a + 1])]);
  }
  /* Pass 1: split chains that return to their start (rings) at their middle node. */
  int64_t ni, len;
  for (int64_t s = 0; s < n; s++) {
    if (!c.kept[s])
      continue;
    for (int64_t k = c.off[s]; k < c.off[s + 1]; k++) {
      int32_t e = c.arc[k];
      if (!c.visited[e] && import_walk(&c, (int32_t)s, e, &ni, &len, NULL, NULL, 0) == s)
        c.kept[import_nth(&c, (int32_t)s, e, ni / 2)] = 1;
    }
  }
  for (int64_t s = 0; s < n; s++) { /* Bare rings: none of their nodes is kept yet. */
    if (c.kept[s] || c.visited[c.arc[c.off[s]]])
      continue;
    c.kept[s] = 1;
    int32_t e = c.arc[c.off[s]];
    import_walk(&c, (int32_t)s, e, &ni, &len, NULL, NULL, 0);
    c.kept[import_nth(&c, (int32_t)s, e, ni / 2)] = 1;
  }
  /* Sizes: every contracted edge has two ends at kept nodes, so it is half the kept
   * degrees; its polyline holds its raw edges plus one point. */
  int64_t nk = 0, ends = 0;
  for (int64_t i = 0; i < n; i++)
    if (c.kept[i]) {
      nk++;
      ends += c.off[i + 1] - c.off[i];
    }
  int64_t ne_want = ends / 2, np_want = m + ne_want;
  LC_CHECK_GOTO(rc, graph_alloc(g, nk, ne_want), done);
  g->geom_off = malloc((size_t)(ne_want + 1) * sizeof *g->geom_off);
  g->geom_lon = lc_malloc_array(np_want, sizeof *g->geom_lon);
  g->geom_lat = lc_malloc_array(np_want, sizeof *g->geom_lat);
  newid = malloc(sn * sizeof *newid);
  if (!g->geom_off || !g->geom_lon || !g->geom_lat || !newid) {
    rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "cannot allocate edge geometry");
    goto done;
  }
  /* Pass 2: the contracted edges, kept nodes renumbered in order. */
  nk = 0;
  for (int64_t i = 0; i < n; i++) {
    newid[i] = c.kept[i] ? (int32_t)nk++ : -1;
    if (c.kept[i]) {
      g->lon[newid[i]] = osm_deg(r->node[i].lon7);
      g->lat[newid[i]] = osm_deg(r->node[i].lat7);
      g->osm_id[newid[i]] = r->node[i].id;
    }
  }
  memset(c.visited, 0, (size_t)(np_pos > 0 ? np_pos : 1));
  int64_t ne = 0, np = 0;
  for (int64_t s = 0; s < n && rc == LC_OK; s++) {
    if (!c.kept[s])
      continue;
    double slon = osm_deg(r->node[s].lon7), slat = osm_deg(r->node[s].lat7);
    for (int64_t k = c.off[s]; k < c.off[s + 1]; k++) {
      int32_t e0 = c.arc[k];
      if (c.visited[e0])
        continue;
      int32_t t = -1;
      if (ne < ne_want && np + 2 <= np_want)
        t = import_walk(&c, (int32_t)s, e0, &ni, &len, g->geom_lon + np + 1, g->geom_lat + np + 1,
                        np_want - np - 2);
      if (t < 0 || t == s) {
        rc = lc_error_set(LC_EINVARIANT, __FILE__, __LINE__,
                          "contraction at node %lld: a ring survived its split or the sizes "
                          "are wrong",
                          (long long)r->node[s].id);
        break;
      }
      if (len == 0) {
        len = 1; /* Distinct nodes at identical coordinates. */
        (*zero_len)++;
      }
      int64_t p = import_path_of(r, e0);
      g->u[ne] = newid[s];
      g->v[ne] = newid[t];
      g->length_cm[ne] = len;
      int64_t cost = (int64_t)llround((double)len * c.fac[p]);
      g->cost_cm[ne] = cost < 1 ? 1 : cost;
      g->way_id[ne] = r->path_way[p];
      g->geom_off[ne] = np;
      g->geom_lon[np] = slon;
      g->geom_lat[np] = slat;
      np += ni + 1;
      g->geom_lon[np] = osm_deg(r->node[t].lon7);
      g->geom_lat[np++] = osm_deg(r->node[t].lat7);
      ne++;
    }
  }
  if (rc == LC_OK && (ne != ne_want || np != np_want))
    rc = lc_error_set(LC_EINVARIANT, __FILE__, __LINE__,
                      "contraction made %lld edges and %lld points, expected %lld and %lld",
                      (long long)ne, (long long)np, (long long)ne_want, (long long)np_want);
  if (rc == LC_OK)
    g->geom_off[ne] = np;
done:
  if (rc != LC_OK)
    graph_free(g);
  free(newid);
  free(c.off);
  free(c.arc);
  free(c.kept);
  free(c.visited);
  free(c.fac);
  return rc;
}

int import_graph_build(struct osm_store *st, const struct profile *prof, char *const *inputs,
                       int n_inputs, struct graph *g, struct graph_import_stats *stats) {
  graph_init(g);
  if (!st->finished)
    LC_FAIL(LC_EINVARIANT, "import_graph_build needs a finished store");
  struct import_raw r;
  int64_t n_ways = st->n_way_sorted;
  int rc = import_raw_build(st, inputs, n_inputs, &r);
  osm_store_free(st); /* Whatever import_raw_build left (all of it after a failure). */
  LC_CHECK(rc);
  stats->walkable_ways = r.walkable_ways;
  if (r.n_edges == 0) {
    char names[1024] = "";
    for (int i = 0; i < n_inputs; i++) {
      size_t l = strlen(names);
      snprintf(names + l, sizeof names - l, "%s%s", i ? ", " : "", inputs[i]);
    }
    rc = lc_error_set(LC_EEMPTY, __FILE__, __LINE__,
                      "%s: no walkable edge after applying the walking profile %s (%lld "
                      "walkable ways of %lld ways)",
                      names, prof->file ? prof->file : "", (long long)r.walkable_ways,
                      (long long)n_ways);
    goto done;
  }
  if (r.degenerate > 0)
    log_warn("%lld repeated consecutive node refs in walkable ways ignored",
             (long long)r.degenerate);
  int64_t raw_nodes = r.n_nodes, raw_edges = r.n_edges;
  double t0 = log_elapsed();
  LC_CHECK_GOTO(rc, import_largest(&r, stats), done);
  double t1 = log_elapsed();
  int64_t zero_len = 0;
  LC_CHECK_GOTO(rc, import_contract(&r, prof, g, &zero_len), done);
  log_debug("walking graph: largest component in %.3f s, contraction in %.3f s, peak memory "
            "%.1f MiB",
            t1 - t0, log_elapsed() - t1, (double)log_peak_rss() / 1048576.0);
  if (zero_len > 0)
    log_warn("%lld edges join distinct nodes at identical coordinates: stored as 1 cm",
             (long long)zero_len);
  log_info("walking graph: %lld walkable ways, %lld raw nodes and %lld raw edges in %lld "
           "components; largest kept: %lld raw nodes, %lld raw edges, %.3f km; dropped %lld "
           "nodes, %lld edges, %.3f km; contracted to %lld nodes and %lld edges",
           (long long)r.walkable_ways, (long long)raw_nodes, (long long)raw_edges,
           (long long)stats->components, (long long)stats->raw_nodes, (long long)stats->raw_edges,
           graph_total_length_cm(g) / 1e5, (long long)stats->dropped_nodes,
           (long long)stats->dropped_edges, stats->dropped_length_cm / 1e5, (long long)g->n_nodes,
           (long long)g->n_edges);
done:
  import_raw_free(&r);
  return rc;
}

/* ---- Reading the inputs -------------------------------------------------------------- */

struct import_hooks_arg {
  const struct profile *prof;
  struct import_poi *poi;
  int64_t verdicts[PROFILE_N_VERDICTS];
};

static int import_on_node(void *arg, int64_t id, double lon, double lat, int n_tags,
                          const char *const *keys, const char *const *values) {
  struct import_hooks_arg *a = arg;
  return import_poi_node(a->poi, id, lon, lat, n_tags, keys, values);
}

static int import_on_way(void *arg, int64_t id, int n_tags, const char *const *keys,
                         const char *const *values, int32_t *cls) {
  struct import_hooks_arg *a = arg;
  int verdict = profile_classify(a->prof, n_tags, keys, values, cls);
  a->verdicts[verdict]++;
  return import_poi_way(a->poi, id, n_tags, keys, values);
}

static int import_on_relation(void *arg, int64_t id, int n_tags, const char *const *keys,
                              const char *const *values, int n_members, const int *member_type,
                              const int64_t *member_id, const char *const *member_role) {
  struct import_hooks_arg *a = arg;
  return import_poi_relation(a->poi, id, n_tags, keys, values, n_members, member_type, member_id,
                             member_role);
}

int import_osm(char *const *inputs, int n_inputs, const struct profile *prof,
               const struct category_set *cats, struct graph *g, struct poi_set *pois,
               struct graph_import_stats *stats) {
  memset(stats, 0, sizeof *stats);
  graph_init(g);
  struct osm_store st;
  osm_store_init(&st);
  struct import_poi ip;
  LC_CHECK(import_poi_init(&ip, cats));
  struct import_hooks_arg arg;
  memset(&arg, 0, sizeof arg);
  arg.prof = prof;
  arg.poi = &ip;
  struct osm_hooks hooks = {&arg, import_on_node, import_on_way, import_on_relation};
  int rc = LC_OK;
  for (int i = 0; i < n_inputs; i++) {
    struct osm_counts c;
    double t0 = log_elapsed();
    LC_CHECK_GOTO(rc, osm_read(inputs[i], &st, &hooks, &c), done);
    double dt = log_elapsed() - t0;
    log_info("%s: read %lld nodes, %lld ways, %lld relations in %.2f s (%.2f M nodes/s)", inputs[i],
             (long long)c.nodes, (long long)c.ways, (long long)c.relations, dt,
             dt > 0 ? c.nodes / dt / 1e6 : 0.0);
    if (c.nodes == 0 && c.ways > 0)
      log_warn("%s: no nodes read although it has ways (readosm skips PBF nodes that are not "
               "stored as DenseNodes; convert with 'osmium cat' to get them)",
               inputs[i]);
    stats->osm_nodes += c.nodes;
    stats->osm_ways += c.ways;
    stats->osm_relations += c.relations;
  }
  rc = osm_store_finish(&st);
  if (rc != LC_OK) {
    char msg[512];
    snprintf(msg, sizeof msg, "%s", lc_error_message());
    rc = lc_error_set(rc, __FILE__, __LINE__, "%s%s: %s", inputs[0],
                      n_inputs > 1 ? " (and the other inputs)" : "", msg);
    goto done;
  }
  if (st.dup_nodes > 0 || st.dup_ways > 0)
    log_info("duplicates across inputs kept once: %lld nodes, %lld ways", (long long)st.dup_nodes,
             (long long)st.dup_ways);
  log_info("ways: %lld walkable, %lld without highway, %lld highway value not walkable, %lld "
           "forbidden by foot, %lld forbidden by access",
           (long long)arg.verdicts[PROFILE_WALK], (long long)arg.verdicts[PROFILE_NO_HIGHWAY],
           (long long)arg.verdicts[PROFILE_NOT_LISTED],
           (long long)arg.verdicts[PROFILE_FOOT_FORBIDS],
           (long long)arg.verdicts[PROFILE_ACCESS_FORBIDS]);
  /* POIs first: the graph build frees the store. */
  LC_CHECK_GOTO(rc, import_poi_place(&ip, &st, pois, &stats->pois_unplaced), done);
  import_poi_free(&ip);
  LC_CHECK_GOTO(rc, import_graph_build(&st, prof, inputs, n_inputs, g, stats), done);
  log_info("POIs: %lld rows matched to categories, %lld ways/relations unplaced (nodes "
           "missing)",
           (long long)pois->n, (long long)stats->pois_unplaced);
done:
  if (rc != LC_OK)
    graph_free(g);
  import_poi_free(&ip);
  osm_store_free(&st);
  return rc;
}
