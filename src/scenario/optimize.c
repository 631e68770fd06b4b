/* Greedy maximal covering with lazy evaluation, distributed over the candidates' owners. */
#include "lifecircle/optimize.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifecircle/agree.h"
#include "lifecircle/alloc.h"
#include "lifecircle/dgraph.h"
#include "lifecircle/status.h"

void optimize_cover_free(struct optimize_cover *c) {
  if (!c)
    return;
  free(c->cand_id);
  free(c->off);
  free(c->node);
  free(c->dist_cm);
  memset(c, 0, sizeof *c);
}

/* A binary min-heap of (distance, node) for Dijkstra, with lazy deletion. */
struct opt_pq {
  int64_t *d, *v;
  int64_t n, cap;
};

static int pq_push(struct opt_pq *q, int64_t d, int64_t v) {
  if (q->n == q->cap) {
    int64_t nc = q->cap ? 2 * q->cap : 256;
    int64_t *nd = realloc(q->d, (size_t)nc * sizeof *nd);
    if (!nd)
      return LC_ENOMEM;
    q->d = nd;
    int64_t *nv = realloc(q->v, (size_t)nc * sizeof *nv);
    if (!nv)
      return LC_ENOMEM;
    q->v = nv;
    q->cap = nc;
  }
  int64_t i = q->n++;
  while (i > 0) {
    int64_t p = (i - 1) / 2;
    if (q->d[p] < d || (q->d[p] == d && q->v[p] <= v))
      break;
    q->d[i] = q->d[p];
    q->v[i] = q->v[p];
    i = p;
  }
  q->d[i] = d;
  q->v[i] = v;
  return LC_OK;
}

static void pq_pop(struct opt_pq *q, int64_t *d, int64_t *v) {
  *d = q->d[0];
  *v = q->v[0];
  int64_t ld = q->d[--q->n], lv = q->v[q->n], i = 0;
  for (;;) {
    int64_t c = 2 * i + 1;
    if (c >= q->n)
      break;
    if (c + 1 < q->n &&
        (q->d[c + 1] < q->d[c] || (q->d[c + 1] == q->d[c] && q->v[c + 1] < q->v[c])))
      c++;
    if (ld < q->d[c] || (ld == q->d[c] && lv <= q->v[c]))
      break;
    q->d[i] = q->d[c];
    q->v[i] = q->v[c];
    i = c;
  }
  if (q->n > 0) {
    q->d[i] = ld;
    q->v[i] = lv;
  }
}

/* Bounded Dijkstra from sources; dist must hold INT64_MAX for every node on entry and is
 * left with the settled distances; the settled nodes are appended to `seen` (growing it). */
static int opt_dijkstra(const struct graph *g, int64_t n_src, const int64_t *node,
                        const int64_t *offset, int64_t radius, int64_t *dist, struct opt_pq *q,
                        int64_t **seen, int64_t *n_seen, int64_t *cap_seen) {
  q->n = 0;
  for (int64_t s = 0; s < n_src; s++) {
    if (node[s] < 0 || node[s] >= g->n_nodes || offset[s] < 0)
      LC_FAIL(LC_EPARAM, "source %" PRId64 ": node %" PRId64 " or offset %" PRId64 " out of range",
              s, node[s], offset[s]);
    if (offset[s] <= radius && offset[s] < dist[node[s]]) {
      if (dist[node[s]] == INT64_MAX && seen) {
        if (*n_seen == *cap_seen) {
          int64_t nc = *cap_seen ? 2 * *cap_seen : 256;
          int64_t *p = realloc(*seen, (size_t)nc * sizeof *p);
          if (!p)
            return LC_ENOMEM;
          *seen = p;
          *cap_seen = nc;
        }
        (*seen)[(*n_seen)++] = node[s];
      }
      dist[node[s]] = offset[s];
      if (pq_push(q, offset[s], node[s]) != LC_OK)
        LC_FAIL(LC_ENOMEM, "out of memory in a shortest-path search");
    }
  }
  while (q->n > 0) {
    int64_t d, u;
    pq_pop(q, &d, &u);
    if (d > dist[u])
      continue;
    for (int64_t a = g->adj_off[u]; a < g->adj_off[u + 1]; a++) {
      int64_t w = g->adj_node[a], nd = d + g->adj_len_cm[a];
      if (nd > radius || nd >= dist[w])
        continue;
      if (dist[w] == INT64_MAX && seen) {
        if (*n_seen == *cap_seen) {
          int64_t nc = *cap_seen ? 2 * *cap_seen : 256;
          int64_t *p = realloc(*seen, (size_t)nc * sizeof *p);
          if (!p)
            return LC_ENOMEM;
          *seen = p;
          *cap_seen = nc;
        }
        (*seen)[(*n_seen)++] = w;
      }
      dist[w] = nd;
      if (pq_push(q, nd, w) != LC_OK)
        LC_FAIL(LC_ENOMEM, "out of memory in a shortest-path search");
    }
  }
  return LC_OK;
}

int optimize_nearest(const struct graph *g, int64_t n_src, const int64_t *node,
                     const int64_t *offset_cm, int64_t radius_cm, int64_t *dist_cm) {
  if (!g->adj_off)
    LC_FAIL(LC_EPARAM, "optimize_nearest: the graph has no CSR");
  for (int64_t i = 0; i < g->n_nodes; i++)
    dist_cm[i] = INT64_MAX;
  struct opt_pq q = {NULL, NULL, 0, 0};
  int st = opt_dijkstra(g, n_src, node, offset_cm, radius_cm, dist_cm, &q, NULL, NULL, NULL);
  free(q.d);
  free(q.v);
  for (int64_t i = 0; i < g->n_nodes; i++)
    if (dist_cm[i] == INT64_MAX)
      dist_cm[i] = -1;
  return st;
}

/* One candidate's ball: (node, distance) of the relevant nodes within the radius. */
struct opt_ball {
  int64_t n;
  int64_t *node, *dist;
};

int optimize_covers(const struct graph *g, int64_t n_cand, const int64_t *cand_node,
                    const int64_t *cand_offset_cm, int64_t radius_cm, const uint8_t *relevant,
                    int rank, int size, struct optimize_cover *out) {
  memset(out, 0, sizeof *out);
  if (!g->adj_off)
    LC_FAIL(LC_EPARAM, "optimize_covers: the graph has no CSR");
  int64_t mine = n_cand > rank ? (n_cand - rank + size - 1) / size : 0;
  struct opt_ball *balls = lc_calloc_array(mine, sizeof *balls);
  out->cand_id = lc_malloc_array(mine, sizeof *out->cand_id);
  out->off = calloc((size_t)mine + 1, sizeof *out->off);
  if (!balls || !out->cand_id || !out->off) {
    free(balls);
    optimize_cover_free(out);
    LC_FAIL(LC_ENOMEM, "out of memory for %" PRId64 " candidate cover sets", mine);
  }
  int failed = LC_OK;
  /* The error message is thread-local: a failing thread hands its message over here. */
  char failed_msg[2048] = "";
#pragma omp parallel
  {
    int64_t *dist = lc_malloc_array(g->n_nodes, sizeof *dist);
    struct opt_pq q = {NULL, NULL, 0, 0};
    int64_t *seen = NULL, n_seen = 0, cap_seen = 0;
    int st = dist ? LC_OK : LC_ENOMEM;
    for (int64_t i = 0; dist && i < g->n_nodes; i++)
      dist[i] = INT64_MAX;
#pragma omp for schedule(dynamic, 4)
    for (int64_t j = 0; j < mine; j++) {
      if (st != LC_OK)
        continue;
      int64_t c = rank + j * size;
      n_seen = 0;
      st = opt_dijkstra(g, 1, cand_node + c, cand_offset_cm + c, radius_cm, dist, &q, &seen,
                        &n_seen, &cap_seen);
      int64_t keep = 0;
      for (int64_t s = 0; st == LC_OK && s < n_seen; s++)
        keep += !relevant || relevant[seen[s]];
      balls[j].node = lc_malloc_array(keep, sizeof *balls[j].node);
      balls[j].dist = lc_malloc_array(keep, sizeof *balls[j].dist);
      if (!balls[j].node || !balls[j].dist)
        st = LC_ENOMEM;
      for (int64_t s = 0; st == LC_OK && s < n_seen; s++) {
        int64_t x = seen[s];
        if (!relevant || relevant[x]) {
          balls[j].node[balls[j].n] = x;
          balls[j].dist[balls[j].n++] = dist[x];
        }
      }
      for (int64_t s = 0; s < n_seen; s++)
        dist[seen[s]] = INT64_MAX;
    }
    if (st != LC_OK) {
#pragma omp critical
      {
        failed = st;
        snprintf(failed_msg, sizeof failed_msg, "%s", lc_error_message());
      }
    }
    free(dist);
    free(q.d);
    free(q.v);
    free(seen);
  }
  if (failed != LC_OK && failed_msg[0])
    lc_error_set(failed, __FILE__, __LINE__, "%s", failed_msg);
  int64_t total = 0;
  for (int64_t j = 0; j < mine; j++) {
    out->cand_id[j] = rank + j * size;
    out->off[j] = total;
    total += balls[j].n;
  }
  out->off[mine] = total;
  out->n = mine;
  if (failed == LC_OK) {
    out->node = lc_malloc_array(total, sizeof *out->node);
    out->dist_cm = lc_malloc_array(total, sizeof *out->dist_cm);
    if (!out->node || !out->dist_cm)
      failed = LC_ENOMEM;
  }
  for (int64_t j = 0; j < mine; j++) {
    if (failed == LC_OK && balls[j].n > 0) {
      memcpy(out->node + out->off[j], balls[j].node, (size_t)balls[j].n * sizeof *out->node);
      memcpy(out->dist_cm + out->off[j], balls[j].dist, (size_t)balls[j].n * sizeof(int64_t));
    }
    free(balls[j].node);
    free(balls[j].dist);
  }
  free(balls);
  if (failed != LC_OK) {
    optimize_cover_free(out);
    if (failed == LC_ENOMEM)
      LC_FAIL(LC_ENOMEM, "out of memory computing candidate cover sets");
    return failed;
  }
  return LC_OK;
}

/* The lazy heap: a max-heap of (upper bound, candidate) ordered by bound, then lower id. */
struct opt_heap {
  int64_t *ub;   /* Per local candidate: last evaluated gain (an upper bound later). */
  int64_t *iter; /* Per local candidate: the step at which ub was evaluated. */
  int64_t *h;    /* Heap of local candidate indices. */
  int64_t n;
  const int64_t *id;
};

static int heap_before(const struct opt_heap *hp, int64_t a, int64_t b) {
  return hp->ub[a] > hp->ub[b] || (hp->ub[a] == hp->ub[b] && hp->id[a] < hp->id[b]);
}

static void heap_down(struct opt_heap *hp, int64_t i) {
  for (;;) {
    int64_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < hp->n && heap_before(hp, hp->h[l], hp->h[m]))
      m = l;
    if (r < hp->n && heap_before(hp, hp->h[r], hp->h[m]))
      m = r;
    if (m == i)
      return;
    int64_t t = hp->h[i];
    hp->h[i] = hp->h[m];
    hp->h[m] = t;
    i = m;
  }
}

/* Marginal gain of local candidate j given what is covered. */
static int64_t opt_gain(const struct optimize_cover *cov, int64_t j, int G, const int64_t *weight,
                        const int64_t *limit, const uint8_t *covered) {
  int64_t s = 0;
  for (int64_t e = cov->off[j]; e < cov->off[j + 1]; e++) {
    int64_t x = cov->node[e], d = cov->dist_cm[e];
    for (int g = 0; g < G; g++)
      if (d <= limit[g] && !covered[x * G + g])
        s += weight[x * G + g];
  }
  return s;
}

int optimize_greedy(int64_t n_nodes, int n_group, const int64_t *weight, const int64_t *limit_cm,
                    const struct optimize_cover *cov, int k, MPI_Comm comm, int64_t *pick,
                    int64_t *gain, int *n_picked) {
  *n_picked = 0;
  if (k < 1)
    LC_FAIL(LC_EPARAM, "optimize: k must be at least 1 (got %d)", k);
  int rank;
  MPI_Comm_rank(comm, &rank);
  int G = n_group;
  int64_t n = cov->n;
  struct opt_heap hp;
  hp.ub = lc_malloc_array(n, sizeof *hp.ub);
  hp.iter = lc_malloc_array(n, sizeof *hp.iter);
  hp.h = lc_malloc_array(n, sizeof *hp.h);
  hp.n = n;
  hp.id = cov->cand_id;
  uint8_t *covered = lc_calloc_array(n_nodes * G, 1);
  int64_t *bnode = NULL, *bdist = NULL;
  int st = hp.ub && hp.iter && hp.h && covered ? LC_OK : LC_ENOMEM;
  st = lc_agree(comm, st == LC_OK ? LC_OK
                                  : lc_error_set(LC_ENOMEM, __FILE__, __LINE__,
                                                 "out of memory for the greedy heap"));
  if (st != LC_OK)
    goto done;
    /* Step 0: every gain evaluated exactly (in parallel over threads). */
#pragma omp parallel for schedule(dynamic, 16)
  for (int64_t j = 0; j < n; j++) {
    hp.ub[j] = opt_gain(cov, j, G, weight, limit_cm, covered);
    hp.iter[j] = 0;
    hp.h[j] = j;
  }
  for (int64_t i = n / 2 - 1; i >= 0; i--)
    heap_down(&hp, i);
  for (int step = 0; step < k; step++) {
    /* Re-evaluate stale tops until the top is fresh: its gain then bounds every other
     * candidate's of this rank (gains only shrink as coverage grows). */
    while (hp.n > 0 && hp.iter[hp.h[0]] != step) {
      int64_t j = hp.h[0];
      hp.ub[j] = opt_gain(cov, j, G, weight, limit_cm, covered);
      hp.iter[j] = step;
      heap_down(&hp, 0);
    }
    int64_t my_gain = hp.n > 0 ? hp.ub[hp.h[0]] : -1;
    int64_t my_id = hp.n > 0 ? hp.id[hp.h[0]] : INT64_MAX;
    int64_t best_gain, best_id, cand_id;
    if (MPI_Allreduce(&my_gain, &best_gain, 1, MPI_INT64_T, MPI_MAX, comm) != MPI_SUCCESS) {
      st = lc_error_set(LC_EMPI, __FILE__, __LINE__, "optimize: MPI_Allreduce failed");
      goto done;
    }
    cand_id = my_gain == best_gain ? my_id : INT64_MAX;
    if (MPI_Allreduce(&cand_id, &best_id, 1, MPI_INT64_T, MPI_MIN, comm) != MPI_SUCCESS) {
      st = lc_error_set(LC_EMPI, __FILE__, __LINE__, "optimize: MPI_Allreduce failed");
      goto done;
    }
    if (best_gain <= 0)
      break; /* Nothing left to cover (or no candidate at all). */
    int owner_mine = hp.n > 0 && my_id == best_id ? rank : -1, owner = -1;
    if (MPI_Allreduce(&owner_mine, &owner, 1, MPI_INT, MPI_MAX, comm) != MPI_SUCCESS) {
      st = lc_error_set(LC_EMPI, __FILE__, __LINE__, "optimize: MPI_Allreduce failed");
      goto done;
    }
    /* The owner hands the winner's cover set to every rank. */
    int64_t len = 0;
    int64_t j = -1;
    if (rank == owner) {
      j = hp.h[0];
      len = cov->off[j + 1] - cov->off[j];
      hp.h[0] = hp.h[--hp.n];
      heap_down(&hp, 0);
    }
    if (MPI_Bcast(&len, 1, MPI_INT64_T, owner, comm) != MPI_SUCCESS) {
      st = lc_error_set(LC_EMPI, __FILE__, __LINE__, "optimize: MPI_Bcast failed");
      goto done;
    }
    free(bnode);
    free(bdist);
    bnode = lc_malloc_array(len, sizeof *bnode);
    bdist = lc_malloc_array(len, sizeof *bdist);
    st = lc_agree(comm, bnode && bdist ? LC_OK : LC_ENOMEM);
    if (st != LC_OK)
      goto done;
    if (rank == owner) {
      memcpy(bnode, cov->node + cov->off[j], (size_t)len * sizeof *bnode);
      memcpy(bdist, cov->dist_cm + cov->off[j], (size_t)len * sizeof *bdist);
    }
    if (len > INT32_MAX) {
      st =
          lc_error_set(LC_ETOOBIG, __FILE__, __LINE__,
                       "optimize: a cover set of %" PRId64 " nodes is too large to broadcast", len);
      goto done;
    }
    if (MPI_Bcast(bnode, (int)len, MPI_INT64_T, owner, comm) != MPI_SUCCESS ||
        MPI_Bcast(bdist, (int)len, MPI_INT64_T, owner, comm) != MPI_SUCCESS) {
      st = lc_error_set(LC_EMPI, __FILE__, __LINE__, "optimize: MPI_Bcast failed");
      goto done;
    }
    for (int64_t e = 0; e < len; e++)
      for (int g = 0; g < G; g++)
        if (bdist[e] <= limit_cm[g])
          covered[bnode[e] * G + g] = 1;
    pick[*n_picked] = best_id;
    gain[*n_picked] = best_gain;
    (*n_picked)++;
  }
done:
  free(hp.ub);
  free(hp.iter);
  free(hp.h);
  free(covered);
  free(bnode);
  free(bdist);
  return st;
}
