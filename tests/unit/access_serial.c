/* The serial reference of the accessibility kernel, kept deliberately simple and separate
 * from access.c so that tests compare two independent computations: for every facility, a
 * plain bounded Dijkstra from all of its sources (binary heap, lazy deletion); then every
 * node reached within the radius offers (distance, facility id) to its sorted list of the k
 * best, and the lists are packed into the result's tables (access_table_pack). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lifecircle/access.h"
#include "lifecircle/status.h"

struct serial_item {
  int64_t dist;
  int64_t node;
};

struct serial_heap {
  struct serial_item *a;
  int64_t n, cap;
};

static int serial_push(struct serial_heap *h, int64_t dist, int64_t node) {
  if (h->n == h->cap) {
    int64_t c = h->cap ? 2 * h->cap : 256;
    struct serial_item *p = realloc(h->a, (size_t)c * sizeof *p);
    if (!p)
      return 1;
    h->a = p;
    h->cap = c;
  }
  int64_t i = h->n++;
  h->a[i] = (struct serial_item){dist, node};
  while (i > 0 && h->a[(i - 1) / 2].dist > h->a[i].dist) {
    struct serial_item t = h->a[i];
    h->a[i] = h->a[(i - 1) / 2];
    h->a[(i - 1) / 2] = t;
    i = (i - 1) / 2;
  }
  return 0;
}

static struct serial_item serial_pop(struct serial_heap *h) {
  struct serial_item top = h->a[0];
  h->a[0] = h->a[--h->n];
  int64_t i = 0;
  for (;;) {
    int64_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < h->n && h->a[l].dist < h->a[m].dist)
      m = l;
    if (r < h->n && h->a[r].dist < h->a[m].dist)
      m = r;
    if (m == i)
      break;
    struct serial_item t = h->a[i];
    h->a[i] = h->a[m];
    h->a[m] = t;
    i = m;
  }
  return top;
}

/* Inserts (d, f) into the sorted k-list of a node; f is not yet in the list because each
 * facility is searched once. */
static void serial_insert(struct access_entry *l, int k, int64_t d, int64_t f) {
  int p = k;
  while (p > 0 && (l[p - 1].dist_cm < 0 || d < l[p - 1].dist_cm ||
                   (d == l[p - 1].dist_cm && f < l[p - 1].fac)))
    p--;
  if (p >= k)
    return;
  for (int q = k - 1; q > p; q--)
    l[q] = l[q - 1];
  l[p] = (struct access_entry){(int32_t)d, (int32_t)f};
}

/* Sort of source indices by facility id. */
static const int64_t *serial_fac;
static int serial_cmp(const void *a, const void *b) {
  int64_t x = serial_fac[*(const int64_t *)a], y = serial_fac[*(const int64_t *)b];
  return (x > y) - (x < y);
}

int access_serial(const struct graph *g, int n_cat, const struct access_sources *src,
                  const int64_t *radius_cm, int k, struct access_result *out) {
  memset(out, 0, sizeof *out);
  if (n_cat < 1 || k < 1)
    LC_FAIL(LC_EPARAM, "access_serial: needs n_cat >= 1 and k >= 1 (got %d, %d)", n_cat, k);
  int64_t n = g->n_nodes;
  for (int c = 0; c < n_cat; c++) {
    /* The result holds distances and facility ids in 32 bits. */
    if (radius_cm[c] < 0 || radius_cm[c] > INT32_MAX)
      LC_FAIL(LC_EPARAM, "access_serial: category %d: radius %lld cm outside 0 .. INT32_MAX", c,
              (long long)radius_cm[c]);
    for (int64_t i = 0; i < src[c].n; i++)
      if (src[c].node[i] < 0 || src[c].node[i] >= n || src[c].fac[i] < 0 ||
          src[c].fac[i] > INT32_MAX || src[c].offset_cm[i] < 0)
        LC_FAIL(LC_EPARAM, "access_serial: category %d, source %lld is invalid", c, (long long)i);
  }
  int rc = LC_OK;
  struct serial_heap h = {NULL, 0, 0};
  int64_t *dist = malloc((size_t)(n + 1) * sizeof *dist);
  int64_t *touched = malloc((size_t)(n + 1) * sizeof *touched);
  out->n_cat = n_cat;
  out->k = k;
  out->n_nodes = n;
  out->t = calloc((size_t)n_cat, sizeof *out->t);
  struct access_entry *l = malloc((size_t)(n * k + 1) * sizeof *l);
  if (!dist || !touched || !out->t || !l)
    goto nomem;
  for (int64_t i = 0; i < n; i++)
    dist[i] = -1;
  for (int c = 0; c < n_cat; c++) {
    int64_t R = radius_cm[c], ns = src[c].n;
    int64_t *order = malloc((size_t)(ns + 1) * sizeof *order);
    if (!order) {
      free(order);
      goto nomem;
    }
    for (int64_t i = 0; i < n * k; i++)
      l[i] = (struct access_entry){-1, -1};
    for (int64_t i = 0; i < ns; i++)
      order[i] = i;
    serial_fac = src[c].fac;
    qsort(order, (size_t)ns, sizeof *order, serial_cmp);
    for (int64_t a = 0; a < ns;) {
      int64_t f = src[c].fac[order[a]], b = a;
      /* All sources of facility f: order[a .. b). */
      int64_t nt = 0;
      h.n = 0;
      for (; b < ns && src[c].fac[order[b]] == f; b++) {
        int64_t s = order[b], x = src[c].node[s], d = src[c].offset_cm[s];
        if (d > R)
          continue;
        if (serial_push(&h, d, x)) {
          free(order);
          goto nomem;
        }
      }
      a = b;
      /* Dijkstra with lazy deletion: dist[x] >= 0 marks x settled. */
      while (h.n > 0) {
        struct serial_item it = serial_pop(&h);
        if (dist[it.node] >= 0)
          continue;
        dist[it.node] = it.dist;
        touched[nt++] = it.node;
        for (int64_t e = g->adj_off[it.node]; e < g->adj_off[it.node + 1]; e++) {
          int64_t y = g->adj_node[e], nd = it.dist + g->adj_len_cm[e];
          if (nd <= R && dist[y] < 0 && serial_push(&h, nd, y)) {
            free(order);
            goto nomem;
          }
        }
      }
      for (int64_t t = 0; t < nt; t++) {
        int64_t x = touched[t];
        serial_insert(l + x * k, k, dist[x], f);
        dist[x] = -1;
      }
    }
    free(order);
    rc = access_table_pack(&out->t[c], l, n * k);
    if (rc != LC_OK) {
      access_result_free(out);
      goto done;
    }
  }
  goto done;
nomem:
  rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "access_serial: out of memory");
  access_result_free(out);
done:
  free(l);
  free(h.a);
  free(dist);
  free(touched);
  return rc;
}
