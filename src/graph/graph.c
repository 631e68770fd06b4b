/* The walking graph: allocation, CSR adjacency, components and subsets. */
#include "lifecircle/graph.h"

#include <stdlib.h>
#include <string.h>

#include "lifecircle/alloc.h"
#include "lifecircle/status.h"

void graph_init(struct graph *g) { memset(g, 0, sizeof *g); }

static void graph_free_csr(struct graph *g) {
  free(g->adj_off);
  free(g->adj_node);
  free(g->adj_len_cm);
  free(g->adj_edge);
  g->adj_off = g->adj_node = g->adj_len_cm = g->adj_edge = NULL;
}

void graph_free(struct graph *g) {
  free(g->lon);
  free(g->lat);
  free(g->osm_id);
  free(g->u);
  free(g->v);
  free(g->length_cm);
  free(g->cost_cm);
  free(g->way_id);
  free(g->geom_off);
  free(g->geom_lon);
  free(g->geom_lat);
  graph_free_csr(g);
  graph_init(g);
}

int graph_alloc(struct graph *g, int64_t n_nodes, int64_t n_edges) {
  graph_init(g);
  size_t nn = (size_t)(n_nodes > 0 ? n_nodes : 1), ne = (size_t)(n_edges > 0 ? n_edges : 1);
  g->n_nodes = n_nodes;
  g->n_edges = n_edges;
  g->lon = malloc(nn * sizeof *g->lon);
  g->lat = malloc(nn * sizeof *g->lat);
  g->osm_id = malloc(nn * sizeof *g->osm_id);
  g->u = malloc(ne * sizeof *g->u);
  g->v = malloc(ne * sizeof *g->v);
  g->length_cm = malloc(ne * sizeof *g->length_cm);
  g->cost_cm = malloc(ne * sizeof *g->cost_cm);
  g->way_id = malloc(ne * sizeof *g->way_id);
  if (!g->lon || !g->lat || !g->osm_id || !g->u || !g->v || !g->length_cm || !g->cost_cm ||
      !g->way_id) {
    graph_free(g);
    LC_FAIL(LC_ENOMEM, "cannot allocate a graph of %lld nodes and %lld edges", (long long)n_nodes,
            (long long)n_edges);
  }
  return LC_OK;
}

/* Sort key for the adjacency of one node. */
struct graph_arc {
  int64_t node, len, edge;
};

static int graph_arc_cmp(const void *a, const void *b) {
  const struct graph_arc *x = a, *y = b;
  if (x->node != y->node)
    return x->node < y->node ? -1 : 1;
  if (x->len != y->len)
    return x->len < y->len ? -1 : 1;
  return (x->edge > y->edge) - (x->edge < y->edge);
}

int graph_build_csr(struct graph *g) {
  graph_free_csr(g);
  int64_t n = g->n_nodes, m = g->n_edges;
  g->adj_off = calloc((size_t)n + 1, sizeof *g->adj_off);
  g->adj_node = malloc((size_t)(2 * m + 1) * sizeof *g->adj_node);
  g->adj_len_cm = malloc((size_t)(2 * m + 1) * sizeof *g->adj_len_cm);
  g->adj_edge = malloc((size_t)(2 * m + 1) * sizeof *g->adj_edge);
  int64_t *fill = calloc((size_t)n + 1, sizeof *fill);
  struct graph_arc *tmp = NULL;
  if (!g->adj_off || !g->adj_node || !g->adj_len_cm || !g->adj_edge || !fill)
    goto nomem;
  for (int64_t e = 0; e < m; e++) {
    g->adj_off[g->u[e] + 1]++;
    g->adj_off[g->v[e] + 1]++;
  }
  int64_t maxdeg = 0;
  for (int64_t i = 0; i < n; i++) {
    if (g->adj_off[i + 1] > maxdeg)
      maxdeg = g->adj_off[i + 1];
    g->adj_off[i + 1] += g->adj_off[i];
  }
  for (int64_t e = 0; e < m; e++) {
    int64_t a = g->u[e], b = g->v[e];
    int64_t pa = g->adj_off[a] + fill[a]++;
    g->adj_node[pa] = b;
    g->adj_len_cm[pa] = g->cost_cm[e];
    g->adj_edge[pa] = e;
    int64_t pb = g->adj_off[b] + fill[b]++;
    g->adj_node[pb] = a;
    g->adj_len_cm[pb] = g->cost_cm[e];
    g->adj_edge[pb] = e;
  }
  tmp = malloc((size_t)(maxdeg + 1) * sizeof *tmp);
  if (!tmp)
    goto nomem;
  for (int64_t i = 0; i < n; i++) {
    int64_t a = g->adj_off[i], d = g->adj_off[i + 1] - a;
    if (d < 2)
      continue;
    for (int64_t k = 0; k < d; k++)
      tmp[k] = (struct graph_arc){g->adj_node[a + k], g->adj_len_cm[a + k], g->adj_edge[a + k]};
    qsort(tmp, (size_t)d, sizeof *tmp, graph_arc_cmp);
    for (int64_t k = 0; k < d; k++) {
      g->adj_node[a + k] = tmp[k].node;
      g->adj_len_cm[a + k] = tmp[k].len;
      g->adj_edge[a + k] = tmp[k].edge;
    }
  }
  free(tmp);
  free(fill);
  return LC_OK;
nomem:
  free(tmp);
  free(fill);
  graph_free_csr(g);
  LC_FAIL(LC_ENOMEM, "cannot allocate the adjacency of %lld nodes", (long long)n);
}

int graph_components(const struct graph *g, int64_t *comp, int64_t *n_comp) {
  int64_t n = g->n_nodes;
  int64_t *stack = lc_malloc_array(n, sizeof *stack);
  if (!stack)
    LC_FAIL(LC_ENOMEM, "cannot allocate the component stack");
  for (int64_t i = 0; i < n; i++)
    comp[i] = -1;
  int64_t c = 0;
  for (int64_t s = 0; s < n; s++) {
    if (comp[s] >= 0)
      continue;
    int64_t top = 0;
    stack[top++] = s;
    comp[s] = c;
    while (top > 0) {
      int64_t x = stack[--top];
      for (int64_t k = g->adj_off[x]; k < g->adj_off[x + 1]; k++) {
        int64_t y = g->adj_node[k];
        if (comp[y] < 0) {
          comp[y] = c;
          stack[top++] = y;
        }
      }
    }
    c++;
  }
  free(stack);
  *n_comp = c;
  return LC_OK;
}

int graph_subset(struct graph *g, const uint8_t *keep) {
  int had_csr = g->adj_off != NULL;
  int64_t n = g->n_nodes;
  int64_t *map = lc_malloc_array(n, sizeof *map);
  if (!map)
    LC_FAIL(LC_ENOMEM, "cannot allocate the node map");
  int64_t nn = 0;
  for (int64_t i = 0; i < n; i++) {
    map[i] = keep[i] ? nn : -1;
    if (keep[i]) {
      g->lon[nn] = g->lon[i];
      g->lat[nn] = g->lat[i];
      g->osm_id[nn] = g->osm_id[i];
      nn++;
    }
  }
  int64_t ne = 0, gp = 0;
  for (int64_t e = 0; e < g->n_edges; e++) {
    int64_t a = map[g->u[e]], b = map[g->v[e]];
    if (a < 0 || b < 0)
      continue;
    g->u[ne] = a;
    g->v[ne] = b;
    g->length_cm[ne] = g->length_cm[e];
    g->cost_cm[ne] = g->cost_cm[e];
    g->way_id[ne] = g->way_id[e];
    if (g->geom_off) {
      int64_t s = g->geom_off[e], t = g->geom_off[e + 1];
      int64_t start = gp;
      for (int64_t k = s; k < t; k++, gp++) {
        g->geom_lon[gp] = g->geom_lon[k];
        g->geom_lat[gp] = g->geom_lat[k];
      }
      g->geom_off[ne] = start;
    }
    ne++;
  }
  if (g->geom_off)
    g->geom_off[ne] = gp;
  g->n_nodes = nn;
  g->n_edges = ne;
  free(map);
  if (had_csr)
    return graph_build_csr(g);
  return LC_OK;
}

int64_t graph_total_length_cm(const struct graph *g) {
  int64_t s = 0;
  for (int64_t e = 0; e < g->n_edges; e++)
    s += g->length_cm[e];
  return s;
}
