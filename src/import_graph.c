/* OSM import: reading the inputs with the walking profile and the category rules, building
 * the raw walking graph, keeping its largest component and contracting degree-2 chains
 * (the rules are described in include/lifecircle/import.h). Memory is kept low for large
 * files: the raw graph is held in flat arrays (32 bytes per raw edge, 24 per raw node), the
 * element store is freed as soon as the raw graph exists, components come from a union-find
 * over the edge list, and the contraction's adjacency holds edge ids only. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifecircle/geo.h"
#include "lifecircle/import.h"
#include "lifecircle/log.h"
#include "lifecircle/status.h"

/* ---- Raw graph ------------------------------------------------------------------------- */

/* The raw walking graph: nodes are the store nodes that walkable ways use (in id order),
 * edges the consecutive node pairs of walkable ways (in way id order). */
struct import_raw {
  int64_t n_nodes, n_edges;
  double *lon, *lat;
  int64_t *osm_id;
  int64_t *u, *v, *way;
  int32_t *len, *cls;
  int64_t walkable_ways, degenerate;
};

static void import_raw_free(struct import_raw *r) {
  free(r->lon);
  free(r->lat);
  free(r->osm_id);
  free(r->u);
  free(r->v);
  free(r->way);
  free(r->len);
  free(r->cls);
  memset(r, 0, sizeof *r);
}

/* Builds the raw graph from a finished store. A missing node is an error naming the file,
 * the way and the node. */
static int import_raw_build(const struct osm_store *st, char *const *inputs, int n_inputs,
                            struct import_raw *r) {
  memset(r, 0, sizeof *r);
  int64_t nn = st->n_node, n_refs = 0;
  for (int64_t i = 0; i < st->n_way_sorted; i++) {
    int64_t w = st->way_sorted[i];
    if (st->way_cls[w] >= 0) {
      r->walkable_ways++;
      n_refs += st->way_len[w];
    }
  }
  int rc = LC_OK;
  int64_t *rid = malloc((size_t)(nn > 0 ? nn : 1) * sizeof *rid);
  int64_t *kidx = malloc((size_t)(n_refs > 0 ? n_refs : 1) * sizeof *kidx);
  if (!rid || !kidx) {
    rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "cannot allocate the node map of %lld "
                      "nodes", (long long)nn);
    goto fail;
  }
  for (int64_t k = 0; k < nn; k++)
    rid[k] = -1;
  /* Resolve every ref once. */
  int64_t q = 0;
  for (int64_t i = 0; i < st->n_way_sorted; i++) {
    int64_t w = st->way_sorted[i];
    if (st->way_cls[w] < 0)
      continue;
    const int64_t *ref = st->ref + st->way_off[w];
    int64_t hint = -1;
    for (int32_t j = 0; j < st->way_len[w]; j++) {
      int64_t k;
      /* Consecutive refs are often consecutive ids: try the next stored node first. */
      if (hint >= 0 && hint + 1 < nn && st->node[hint + 1].id == ref[j])
        k = hint + 1;
      else
        k = osm_node_find(st, ref[j]);
      if (k < 0) {
        int f = st->way_file[w];
        rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                          "%s: way %lld references node %lld, which no input file contains (a "
                          "walkable way needs all its nodes; extract with complete ways, e.g. "
                          "'osmium extract --strategy complete_ways'; readosm also skips PBF "
                          "nodes stored without DenseNodes)",
                          f >= 0 && f < n_inputs ? inputs[f] : "(input)",
                          (long long)st->way_id[w], (long long)ref[j]);
        goto fail;
      }
      hint = k;
      kidx[q++] = k;
      rid[k] = 0;
    }
  }
  int64_t n = 0;
  for (int64_t k = 0; k < nn; k++)
    if (rid[k] == 0)
      rid[k] = n++;
  r->n_nodes = n;
  int64_t cap = n_refs - r->walkable_ways;
  if (cap < 1)
    cap = 1;
  size_t sn = (size_t)(n > 0 ? n : 1), se = (size_t)cap;
  r->lon = malloc(sn * sizeof *r->lon);
  r->lat = malloc(sn * sizeof *r->lat);
  r->osm_id = malloc(sn * sizeof *r->osm_id);
  r->u = malloc(se * sizeof *r->u);
  r->v = malloc(se * sizeof *r->v);
  r->way = malloc(se * sizeof *r->way);
  r->len = malloc(se * sizeof *r->len);
  r->cls = malloc(se * sizeof *r->cls);
  if (!r->lon || !r->lat || !r->osm_id || !r->u || !r->v || !r->way || !r->len || !r->cls) {
    rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "cannot allocate %lld raw edges",
                      (long long)cap);
    goto fail;
  }
  for (int64_t k = 0; k < nn; k++)
    if (rid[k] >= 0) {
      r->lon[rid[k]] = osm_deg(st->node[k].lon7);
      r->lat[rid[k]] = osm_deg(st->node[k].lat7);
      r->osm_id[rid[k]] = st->node[k].id;
    }
  q = 0;
  int64_t m = 0;
  for (int64_t i = 0; i < st->n_way_sorted; i++) {
    int64_t w = st->way_sorted[i];
    if (st->way_cls[w] < 0)
      continue;
    int32_t len = st->way_len[w];
    for (int32_t j = 0; j + 1 < len; j++) {
      int64_t a = rid[kidx[q + j]], b = rid[kidx[q + j + 1]];
      if (a == b) {
        r->degenerate++; /* The same node twice in a row: no segment. */
        continue;
      }
      int64_t cm;
      LC_CHECK_GOTO(rc, geo_distance_cm(r->lon[a], r->lat[a], r->lon[b], r->lat[b], &cm), fail);
      if (cm > INT32_MAX) {
        int f = st->way_file[w];
        rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                          "%s: way %lld has a segment of %.0f km between nodes %lld and %lld",
                          f >= 0 && f < n_inputs ? inputs[f] : "(input)",
                          (long long)st->way_id[w], cm / 1e5, (long long)r->osm_id[a],
                          (long long)r->osm_id[b]);
        goto fail;
      }
      r->u[m] = a;
      r->v[m] = b;
      r->len[m] = (int32_t)cm;
      r->way[m] = st->way_id[w];
      r->cls[m] = st->way_cls[w];
      m++;
    }
    q += len;
  }
  r->n_edges = m;
  free(kidx);
  free(rid);
  return LC_OK;
fail:
  free(kidx);
  free(rid);
  import_raw_free(r);
  return rc;
}

/* ---- Largest component ------------------------------------------------------------------ */

static int64_t import_find(int64_t *parent, int64_t x) {
  while (parent[x] != x) {
    parent[x] = parent[parent[x]]; /* Path halving. */
    x = parent[x];
  }
  return x;
}

/* Keeps the largest connected component of the raw graph (ties: the one holding the
 * lowest-numbered node), compacting nodes and edges in place in their order. */
static int import_largest(struct import_raw *r, struct graph_import_stats *stats) {
  int64_t n = r->n_nodes, m = r->n_edges;
  int64_t *parent = malloc((size_t)(n > 0 ? n : 1) * sizeof *parent);
  int64_t *size = calloc((size_t)(n > 0 ? n : 1), sizeof *size);
  if (!parent || !size) {
    free(parent);
    free(size);
    LC_FAIL(LC_ENOMEM, "cannot allocate the component labels of %lld nodes", (long long)n);
  }
  for (int64_t i = 0; i < n; i++)
    parent[i] = i;
  for (int64_t e = 0; e < m; e++) {
    int64_t a = import_find(parent, r->u[e]), b = import_find(parent, r->v[e]);
    if (a != b)
      parent[a < b ? b : a] = a < b ? a : b; /* The root is the lowest node. */
  }
  int64_t nc = 0, best = -1;
  for (int64_t i = 0; i < n; i++) {
    int64_t root = import_find(parent, i);
    if (root == i)
      nc++;
    size[root]++;
  }
  for (int64_t i = 0; i < n; i++) /* Roots in increasing order: ties keep the first. */
    if (parent[i] == i && (best < 0 || size[i] > size[best]))
      best = i;
  /* size[] becomes the new index of kept nodes. */
  int64_t kept_nodes = size[best], nk = 0;
  for (int64_t i = 0; i < n; i++) {
    if (parent[i] == best) { /* parent[] is fully compressed after the loop above. */
      size[i] = nk;
      r->lon[nk] = r->lon[i];
      r->lat[nk] = r->lat[i];
      r->osm_id[nk] = r->osm_id[i];
      nk++;
    } else {
      size[i] = -1;
    }
  }
  int64_t total = 0, kept_len = 0, ke = 0;
  for (int64_t e = 0; e < m; e++) {
    total += r->len[e];
    if (size[r->u[e]] < 0)
      continue;
    kept_len += r->len[e];
    r->u[ke] = size[r->u[e]];
    r->v[ke] = size[r->v[e]];
    r->len[ke] = r->len[e];
    r->cls[ke] = r->cls[e];
    r->way[ke] = r->way[e];
    ke++;
  }
  free(parent);
  free(size);
  if (nk != kept_nodes)
    LC_FAIL(LC_EINVARIANT, "largest component: %lld nodes kept of %lld", (long long)nk,
            (long long)kept_nodes);
  stats->components = nc;
  stats->raw_nodes = nk;
  stats->raw_edges = ke;
  stats->dropped_nodes = n - nk;
  stats->dropped_edges = m - ke;
  stats->dropped_length_cm = total - kept_len;
  r->n_nodes = nk;
  r->n_edges = ke;
  return LC_OK;
}

/* ---- Contraction ----------------------------------------------------------------------- */

/* Adjacency of the raw graph by edge ids: arcs of node x are arc[off[x] .. off[x+1]) in
 * increasing edge order; the neighbour over edge e is u[e] ^ v[e] ^ x. */
struct import_adj {
  int64_t *off, *arc;
};

/* Walks a chain from a kept node s along edge e0 through nodes that are not kept; marks its
 * edges visited, stores its interior nodes in buf (*n_in of them), its length in *len and
 * returns the end node. */
static int64_t import_walk(const struct import_raw *r, const struct import_adj *adj,
                           const uint8_t *kept, uint8_t *visited, int64_t s, int64_t e0,
                           int64_t *buf, int64_t *n_in, int64_t *len) {
  int64_t e = e0, cur = r->u[e] ^ r->v[e] ^ s;
  int64_t ni = 0, sum = r->len[e];
  visited[e] = 1;
  while (!kept[cur]) {
    buf[ni++] = cur;
    int64_t a = adj->off[cur];
    if (adj->arc[a] == e)
      a++;
    e = adj->arc[a];
    visited[e] = 1;
    sum += r->len[e];
    cur = r->u[e] ^ r->v[e] ^ cur;
  }
  *n_in = ni;
  *len = sum;
  return cur;
}

/* Contracts the connected raw graph into g (see import.h for the rules). */
static int import_contract(const struct import_raw *r, const struct profile *prof,
                           struct graph *g, int64_t *zero_len) {
  int64_t n = r->n_nodes, m = r->n_edges;
  size_t sn = (size_t)(n > 0 ? n : 1), sm = (size_t)(m > 0 ? m : 1);
  struct import_adj adj;
  adj.off = calloc(sn + 1, sizeof *adj.off);
  adj.arc = malloc(2 * sm * sizeof *adj.arc);
  uint8_t *kept = calloc(sn, 1);
  uint8_t *visited = calloc(sm, 1);
  int64_t *buf = malloc(sn * sizeof *buf);
  int rc = LC_OK;
  graph_init(g);
  if (!adj.off || !adj.arc || !kept || !visited || !buf) {
    rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "cannot allocate the contraction of %lld "
                      "nodes", (long long)n);
    goto done;
  }
  for (int64_t e = 0; e < m; e++) {
    adj.off[r->u[e] + 1]++;
    adj.off[r->v[e] + 1]++;
  }
  for (int64_t i = 0; i < n; i++)
    adj.off[i + 1] += adj.off[i];
  for (int64_t e = 0; e < m; e++) { /* Fill, then shift the offsets back. */
    adj.arc[adj.off[r->u[e]]++] = e;
    adj.arc[adj.off[r->v[e]]++] = e;
  }
  for (int64_t i = n; i > 0; i--)
    adj.off[i] = adj.off[i - 1];
  adj.off[0] = 0;
  for (int64_t i = 0; i < n; i++) {
    int64_t a = adj.off[i], d = adj.off[i + 1] - a;
    kept[i] = d != 2 || profile_factor(prof, r->cls[adj.arc[a]]) !=
                            profile_factor(prof, r->cls[adj.arc[a + 1]]);
  }
  /* Pass 1: split chains that return to their start (rings) at their middle node. */
  int64_t ni, len;
  for (int64_t s = 0; s < n; s++) {
    if (!kept[s])
      continue;
    for (int64_t k = adj.off[s]; k < adj.off[s + 1]; k++)
      if (!visited[adj.arc[k]] &&
          import_walk(r, &adj, kept, visited, s, adj.arc[k], buf, &ni, &len) == s)
        kept[buf[ni / 2]] = 1;
  }
  for (int64_t s = 0; s < n; s++) { /* Bare rings: none of their nodes is kept yet. */
    if (kept[s] || visited[adj.arc[adj.off[s]]])
      continue;
    kept[s] = 1;
    import_walk(r, &adj, kept, visited, s, adj.arc[adj.off[s]], buf, &ni, &len);
    kept[buf[ni / 2]] = 1;
  }
  /* Sizes: every contracted edge has two ends at kept nodes, so it is half the kept
   * degrees; its polyline holds its raw edges plus one point. */
  int64_t nk = 0, ends = 0;
  for (int64_t i = 0; i < n; i++)
    if (kept[i]) {
      nk++;
      ends += adj.off[i + 1] - adj.off[i];
    }
  int64_t ne_want = ends / 2, np_want = m + ne_want;
  LC_CHECK_GOTO(rc, graph_alloc(g, nk, ne_want), done);
  g->geom_off = malloc((size_t)(ne_want + 1) * sizeof *g->geom_off);
  g->geom_lon = malloc((size_t)(np_want > 0 ? np_want : 1) * sizeof *g->geom_lon);
  g->geom_lat = malloc((size_t)(np_want > 0 ? np_want : 1) * sizeof *g->geom_lat);
  if (!g->geom_off || !g->geom_lon || !g->geom_lat) {
    rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "cannot allocate edge geometry");
    goto done;
  }
  /* Pass 2: the contracted edges, kept nodes renumbered in order. */
  int64_t *newid = malloc(sn * sizeof *newid);
  if (!newid) {
    rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "cannot allocate the node renumbering");
    goto done;
  }
  nk = 0;
  for (int64_t i = 0; i < n; i++) {
    newid[i] = kept[i] ? nk++ : -1;
    if (kept[i]) {
      g->lon[newid[i]] = r->lon[i];
      g->lat[newid[i]] = r->lat[i];
      g->osm_id[newid[i]] = r->osm_id[i];
    }
  }
  memset(visited, 0, sm);
  int64_t ne = 0, np = 0;
  for (int64_t s = 0; s < n && rc == LC_OK; s++) {
    if (!kept[s])
      continue;
    for (int64_t k = adj.off[s]; k < adj.off[s + 1]; k++) {
      int64_t e0 = adj.arc[k];
      if (visited[e0])
        continue;
      int64_t t = import_walk(r, &adj, kept, visited, s, e0, buf, &ni, &len);
      if (t == s || ne >= ne_want || np + ni + 2 > np_want) {
        rc = lc_error_set(LC_EINVARIANT, __FILE__, __LINE__,
                          "contraction at node %lld: a ring survived its split or the sizes "
                          "are wrong", (long long)r->osm_id[s]);
        break;
      }
      if (len == 0) {
        len = 1; /* Distinct nodes at identical coordinates. */
        (*zero_len)++;
      }
      g->u[ne] = newid[s];
      g->v[ne] = newid[t];
      g->length_cm[ne] = len;
      int64_t cost = (int64_t)llround((double)len * profile_factor(prof, r->cls[e0]));
      g->cost_cm[ne] = cost < 1 ? 1 : cost;
      g->way_id[ne] = r->way[e0];
      g->geom_off[ne] = np;
      g->geom_lon[np] = r->lon[s];
      g->geom_lat[np++] = r->lat[s];
      for (int64_t j = 0; j < ni; j++) {
        g->geom_lon[np] = r->lon[buf[j]];
        g->geom_lat[np++] = r->lat[buf[j]];
      }
      g->geom_lon[np] = r->lon[t];
      g->geom_lat[np++] = r->lat[t];
      ne++;
    }
  }
  free(newid);
  if (rc == LC_OK && (ne != ne_want || np != np_want))
    rc = lc_error_set(LC_EINVARIANT, __FILE__, __LINE__,
                      "contraction made %lld edges and %lld points, expected %lld and %lld",
                      (long long)ne, (long long)np, (long long)ne_want, (long long)np_want);
  if (rc == LC_OK)
    g->geom_off[ne] = np;
done:
  if (rc != LC_OK)
    graph_free(g);
  free(adj.off);
  free(adj.arc);
  free(kept);
  free(visited);
  free(buf);
  return rc;
}

int import_graph_build(struct osm_store *st, const struct profile *prof, char *const *inputs,
                       int n_inputs, struct graph *g, struct graph_import_stats *stats) {
  graph_init(g);
  if (!st->finished)
    LC_FAIL(LC_EINVARIANT, "import_graph_build needs a finished store");
  struct import_raw r;
  int rc = import_raw_build(st, inputs, n_inputs, &r);
  int64_t n_ways = st->n_way_sorted;
  osm_store_free(st); /* The raw graph holds all the graph needs. */
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
  LC_CHECK_GOTO(rc, import_largest(&r, stats), done);
  int64_t zero_len = 0;
  LC_CHECK_GOTO(rc, import_contract(&r, prof, g, &zero_len), done);
  if (zero_len > 0)
    log_warn("%lld edges join distinct nodes at identical coordinates: stored as 1 cm",
             (long long)zero_len);
  log_info("walking graph: %lld walkable ways, %lld raw nodes and %lld raw edges in %lld "
           "components; largest kept: %lld raw nodes, %lld raw edges, %.3f km; dropped %lld "
           "nodes, %lld edges, %.3f km; contracted to %lld nodes and %lld edges",
           (long long)r.walkable_ways, (long long)raw_nodes, (long long)raw_edges,
           (long long)stats->components, (long long)stats->raw_nodes,
           (long long)stats->raw_edges, graph_total_length_cm(g) / 1e5,
           (long long)stats->dropped_nodes, (long long)stats->dropped_edges,
           stats->dropped_length_cm / 1e5, (long long)g->n_nodes, (long long)g->n_edges);
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
  return import_poi_relation(a->poi, id, n_tags, keys, values, n_members, member_type,
                             member_id, member_role);
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
    log_info("%s: read %lld nodes, %lld ways, %lld relations in %.2f s (%.2f M nodes/s)",
             inputs[i], (long long)c.nodes, (long long)c.ways, (long long)c.relations, dt,
             dt > 0 ? c.nodes / dt / 1e6 : 0.0);
    if (c.nodes == 0 && c.ways > 0)
      log_warn("%s: no nodes read although it has ways (readosm skips PBF nodes that are not "
               "stored as DenseNodes; convert with 'osmium cat' to get them)",
               inputs[i]);
    stats->osm_nodes += c.nodes;
    stats->osm_ways += c.ways;
    stats->osm_relations += c.relations;
  }
  LC_CHECK_GOTO(rc, osm_store_finish(&st), done);
  if (st.dup_nodes > 0 || st.dup_ways > 0)
    log_info("duplicates across inputs kept once: %lld nodes, %lld ways",
             (long long)st.dup_nodes, (long long)st.dup_ways);
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
