/* The distributed multi-source bounded shortest-path kernel: the k best facilities of every
 * node within a radius, per category.
 *
 * Labels. Every local node (owned or ghost) holds up to k labels (distance, facility) of
 * distinct facilities, sorted by the key (distance, facility id). A label is packed in one
 * 64-bit word, distance << fbits | dense facility index, the dense index being the rank of
 * the facility id among the category's distinct ids: comparing words compares keys, and a
 * label takes 8 bytes (empty slots hold all ones and sort last). A label offered to a node
 * enters when its facility is absent and the node has fewer than k labels or the label beats
 * the worst one (which then leaves), or when its facility is present at a larger distance
 * (the label is replaced). A ghost's labels are the ones this rank has sent to its owner, so
 * a label that would not enter them is not sent again.
 *
 * Search. Per category, a label-setting search with a 4-ary heap of label words: a popped
 * entry still present at its node is expanded over the node's edges while the distance
 * stays within the radius. Offers that enter a ghost's labels become records (owner's node,
 * label) batched per neighbour rank; once every heap is empty the records are exchanged,
 * applied by the owners as offers, and a new round starts. The rounds end when no rank sent
 * a record (a global sum), which is quiescence: every heap is empty and nothing is in
 * flight.
 *
 * Exactness. Distances are integer centimetres and ties are broken by facility id, so the
 * key order is total and exact. Let B(x) be the true k best facilities of node x (by key,
 * over all sources, within the radius). If f is in B(x) then f is in B(y) for every node y
 * on a shortest f -> x path: any facility g whose key at y beats f's also beats f at x,
 * since d(g,x) <= d(g,y) + d(y,x) and (d(g,y), g) < (d(f,y), f) give
 * (d(g,x), g) < (d(f,y) + d(y,x), f) = (d(f,x), f); so k facilities beating f at y would
 * keep f out of B(x). Also d(f,y) <= d(f,x) <= radius. A node's labels are always the k
 * best of all offers it ever received (the entry rule keeps exactly those), and every label
 * is the length of a real path, so no label is below the truth. By induction along the
 * path, each node's label for f reaches its true distance, is never evicted (f is in the
 * node's true k best and no offer is below the truth) and is therefore expanded (here, or by
 * the owner after an exchange), offering the true distance to the next node. Hence at the
 * fixed point every node holds exactly B(x) at the true distances, which does not depend on
 * the partition, the number of ranks, the number of threads or the order of work: the
 * result equals the serial reference bit for bit.
 *
 * Threads. OpenMP threads take whole categories (each has its own labels, heap and send
 * buffers); MPI is called only outside the parallel regions, on the master thread. */
#include "lifecircle/access.h"

#include <limits.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "access_internal.h"
#include "lifecircle/log.h"
#include "lifecircle/status.h"

/* An empty label slot: sorts after every real label, whose distance is below 2^(63-fbits). */
#define ACCESS_EMPTY UINT64_MAX

/* A heap entry: a label word and the owned node it labels. */
struct access_hent {
  uint64_t key;
  int32_t node;
  int32_t pad;
};

/* An arc of the compact adjacency the search walks: neighbour and cost side by side, so an
 * expansion touches one array (the costs are checked to fit 32 bits). */
struct access_arc {
  int32_t node;
  uint32_t cost_cm;
};

/* A source seeded on this rank: its label word on an owned node. */
struct access_seed {
  uint64_t key;
  int32_t node;
  int32_t pad;
};

/* The search state of one category on this rank. */
struct access_cat {
  int64_t radius; /* The category's radius, capped at the longest possible distance. */
  int fbits;      /* Bits of the dense facility index in a label word. */
  uint64_t fmask;
  int64_t n_fac;
  int64_t *fac_id; /* [n_fac] sorted distinct facility ids: dense index -> id. */
  int64_t n_seed;
  struct access_seed *seed;
  uint64_t *lab; /* [n_local * k] label words, sorted per node. */
  struct access_hent *heap;
  int64_t hn, hcap;
  struct access_buf *out; /* [n_nbr] records for each neighbour this round. */
  int64_t pops, expanded;
  int nomem; /* Set inside the parallel region; reported after it. */
};

static int access_heap_push(struct access_cat *cs, uint64_t key, int32_t node) {
  if (cs->hn == cs->hcap) {
    int64_t c = cs->hcap > 0 ? 2 * cs->hcap : 4096;
    struct access_hent *p = realloc(cs->heap, (size_t)c * sizeof *p);
    if (!p)
      return 1;
    cs->heap = p;
    cs->hcap = c;
  }
  struct access_hent *h = cs->heap;
  int64_t i = cs->hn++;
  while (i > 0) {
    int64_t parent = (i - 1) / 4;
    if (key >= h[parent].key)
      break;
    h[i] = h[parent];
    i = parent;
  }
  h[i] = (struct access_hent){key, node, 0};
  return 0;
}

static struct access_hent access_heap_pop(struct access_cat *cs) {
  struct access_hent *h = cs->heap;
  struct access_hent top = h[0], last = h[--cs->hn];
  int64_t n = cs->hn, i = 0;
  for (;;) {
    int64_t c = 4 * i + 1;
    if (c >= n)
      break;
    int64_t best = c, end = c + 4 < n ? c + 4 : n;
    for (int64_t t = c + 1; t < end; t++)
      if (h[t].key < h[best].key)
        best = t;
    if (h[best].key >= last.key)
      break;
    h[i] = h[best];
    i = best;
  }
  h[i] = last;
  return top;
}

/* Offers the label word key (facility key & fmask) to the k sorted slots of one node;
 * returns 1 when it entered. */
static inline int access_offer(uint64_t *lab, int k, uint64_t fmask, uint64_t key) {
  uint64_t f = key & fmask;
  int end = 0;
  while (end < k && lab[end] != ACCESS_EMPTY && (lab[end] & fmask) != f)
    end++;
  if (end < k && lab[end] != ACCESS_EMPTY) {
    if (lab[end] <= key)
      return 0; /* The facility is already there at least as near. */
  } else {
    end = k - 1; /* Absent: it must beat the worst slot (an empty slot loses to anything). */
    if (key >= lab[end])
      return 0;
  }
  /* Slot end leaves; the labels between the insertion point and it move down by one. */
  int p = end;
  while (p > 0 && key < lab[p - 1]) {
    lab[p] = lab[p - 1];
    p--;
  }
  lab[p] = key;
  return 1;
}

/* Offers a label to local node y and queues the consequence: a heap entry for an owned node,
 * a record for the owner of a ghost. Returns 1 on allocation failure. */
static inline int access_offer_node(const struct dgraph *dg, struct access_cat *cs, int k,
                                    int32_t y, uint64_t key) {
  if (!access_offer(cs->lab + (size_t)y * (size_t)k, k, cs->fmask, key))
    return 0;
  if (y < dg->n_owned)
    return access_heap_push(cs, key, y);
  int32_t gi = y - dg->n_owned, j = dg->ghost_nbr[gi];
  struct access_buf *b = &cs->out[j];
  if (b->n == b->cap) {
    int64_t c = b->cap > 0 ? 2 * b->cap : 1024;
    struct access_rec *p = realloc(b->rec, (size_t)c * sizeof *p);
    if (!p)
      return 1;
    b->rec = p;
    b->cap = c;
  }
  b->rec[b->n++] = (struct access_rec){key, gi - dg->recv_off[j], 0};
  return 0;
}

/* Runs the heap of one category until it is empty. Returns 1 on allocation failure. */
static int access_settle(const struct dgraph *dg, const struct access_arc *arcs,
                         struct access_cat *cs, int k) {
  const int64_t radius = cs->radius;
  const int fbits = cs->fbits;
  const int64_t *restrict adj_off = dg->adj_off;
  while (cs->hn > 0) {
    struct access_hent e = access_heap_pop(cs);
    cs->pops++;
    /* The search is bound by memory latency: start loading what the next pop will read. */
    if (cs->hn > 0) {
      __builtin_prefetch(cs->lab + (size_t)cs->heap[0].node * (size_t)k);
      __builtin_prefetch(adj_off + cs->heap[0].node);
    }
    const uint64_t *lab = cs->lab + (size_t)e.node * (size_t)k;
    int present = 0;
    for (int j = 0; j < k && lab[j] <= e.key; j++)
      if (lab[j] == e.key) {
        present = 1;
        break;
      }
    if (!present)
      continue; /* Replaced by a nearer label or evicted since it was pushed. */
    cs->expanded++;
    int64_t d = (int64_t)(e.key >> fbits), room = radius - d;
    for (int64_t a = adj_off[e.node]; a < adj_off[e.node + 1]; a++) {
      int64_t w = arcs[a].cost_cm;
      if (w > room)
        continue;
      if (access_offer_node(dg, cs, k, arcs[a].node, e.key + ((uint64_t)w << fbits)))
        return 1;
    }
    if (cs->hn > 0)
      __builtin_prefetch(arcs + adj_off[cs->heap[0].node]);
  }
  return 0;
}

/* One category's work in one round: the seeds (round 0) or the received records, then the
 * search. */
static void access_round_cat(const struct dgraph *dg, const struct access_arc *arcs,
                             struct access_cat *cs, int c, int n_cat, int k, int64_t round,
                             const struct access_inbox *in) {
  for (int j = 0; j < dg->n_nbr; j++)
    cs->out[j].n = 0;
  if (round == 0) {
    /* First touch of the labels by the thread that searches them. */
    size_t nl = (size_t)dg->n_local * (size_t)k;
    for (size_t i = 0; i < nl; i++)
      cs->lab[i] = ACCESS_EMPTY;
    for (int64_t s = 0; s < cs->n_seed; s++)
      if (access_offer_node(dg, cs, k, cs->seed[s].node, cs->seed[s].key)) {
        cs->nomem = 1;
        return;
      }
  } else {
    for (int j = 0; j < dg->n_nbr; j++) {
      int64_t lo = in->off[(size_t)j * n_cat + c], hi = in->off[(size_t)j * n_cat + c + 1];
      const int32_t *sidx = dg->send_idx + dg->send_off[j];
      for (int64_t r = lo; r < hi; r++)
        if (access_offer_node(dg, cs, k, sidx[in->rec[r].pos], in->rec[r].key)) {
          cs->nomem = 1;
          return;
        }
    }
  }
  if (access_settle(dg, arcs, cs, k))
    cs->nomem = 1;
}

/* The owned node whose adjacency holds arc a. */
static int32_t access_arc_node(const struct dgraph *dg, int64_t a) {
  int32_t lo = 0, hi = dg->n_owned - 1;
  while (lo < hi) {
    int32_t mid = lo + (hi - lo + 1) / 2;
    if (dg->adj_off[mid] <= a)
      lo = mid;
    else
      hi = mid - 1;
  }
  return lo;
}

static int access_sort_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

/* Checks the arguments; the same verdict on every rank since the inputs are replicated. */
static int access_validate(const struct dgraph *dg, int n_cat, const struct access_sources *src,
                           const int64_t *radius_cm, int k) {
  if (n_cat < 1)
    LC_FAIL(LC_EPARAM, "access: the number of categories must be >= 1, got %d", n_cat);
  if (k < 1 || k > 4096)
    LC_FAIL(LC_EPARAM, "access: k (facilities kept per node) must be in 1..4096, got %d", k);
  for (int c = 0; c < n_cat; c++) {
    if (radius_cm[c] < 0)
      LC_FAIL(LC_EPARAM, "access: category %d: the radius (%lld cm) is negative", c,
              (long long)radius_cm[c]);
    if (src[c].n < 0 || (src[c].n > 0 && (!src[c].node || !src[c].fac || !src[c].offset_cm)))
      LC_FAIL(LC_EPARAM, "access: category %d: bad source list (%lld sources)", c,
              (long long)src[c].n);
    for (int64_t i = 0; i < src[c].n; i++) {
      if (src[c].node[i] < 0 || src[c].node[i] >= dg->n_global)
        LC_FAIL(LC_EPARAM, "access: category %d, source %lld: node %lld is outside [0, %lld)",
                c, (long long)i, (long long)src[c].node[i], (long long)dg->n_global);
      if (src[c].fac[i] < 0)
        LC_FAIL(LC_EPARAM, "access: category %d, source %lld: facility id %lld is negative", c,
                (long long)i, (long long)src[c].fac[i]);
      if (src[c].offset_cm[i] < 0)
        LC_FAIL(LC_EPARAM, "access: category %d, source %lld: offset %lld cm is negative", c,
                (long long)i, (long long)src[c].offset_cm[i]);
    }
  }
  return LC_OK;
}

/* Prepares one category: dense facility ids, the label word layout, the seeds on owned
 * nodes, the label array (filled by its thread in round 0). max_path is an upper bound of
 * any path's cost in the whole graph, the same on every rank. */
static int access_cat_init(const struct dgraph *dg, const struct access_sources *s,
                           int64_t radius, int64_t max_path, int k, int c,
                           struct access_cat *cs) {
  memset(cs, 0, sizeof *cs);
  size_t nl = (size_t)dg->n_local * (size_t)k;
  cs->fac_id = malloc(((size_t)s->n + 1) * sizeof *cs->fac_id);
  cs->seed = malloc(((size_t)s->n + 1) * sizeof *cs->seed);
  cs->lab = malloc((nl + 1) * sizeof *cs->lab);
  cs->out = calloc((size_t)dg->n_nbr + 1, sizeof *cs->out);
  if (!cs->fac_id || !cs->seed || !cs->lab || !cs->out)
    LC_FAIL(LC_ENOMEM, "access: category %d: cannot allocate labels for %lld local nodes", c,
            (long long)dg->n_local);
  memcpy(cs->fac_id, s->fac, (size_t)s->n * sizeof *cs->fac_id);
  qsort(cs->fac_id, (size_t)s->n, sizeof *cs->fac_id, access_sort_i64);
  int64_t nf = 0;
  for (int64_t i = 0; i < s->n; i++)
    if (nf == 0 || cs->fac_id[nf - 1] != cs->fac_id[i])
      cs->fac_id[nf++] = cs->fac_id[i];
  cs->n_fac = nf;
  /* The dense index takes fbits bits with 2^fbits > n_fac, so that the index part of an
   * empty slot (all ones) is no facility. No distance beyond the longest possible path
   * (max_path plus the largest offset) can occur, so the radius is capped there; the
   * distance must then fit the remaining 63 - fbits bits. */
  cs->fbits = 1;
  while (cs->fbits < 62 && ((int64_t)1 << cs->fbits) <= nf)
    cs->fbits++;
  cs->fmask = ((uint64_t)1 << cs->fbits) - 1;
  int64_t max_off = 0;
  for (int64_t i = 0; i < s->n; i++)
    if (s->offset_cm[i] > max_off)
      max_off = s->offset_cm[i];
  int64_t longest = max_path > INT64_MAX - max_off ? INT64_MAX : max_path + max_off;
  cs->radius = radius < longest ? radius : longest;
  if (cs->fbits >= 62 || cs->radius >= ((int64_t)1 << (63 - cs->fbits)))
    LC_FAIL(LC_ETOOBIG,
            "access: category %d: a distance of up to %lld cm and %lld facilities do not fit "
            "one 63-bit label (distance bits + facility bits); use a smaller radius",
            c, (long long)cs->radius, (long long)nf);
  for (int64_t i = 0; i < s->n; i++) {
    if (s->offset_cm[i] > cs->radius)
      continue;
    int32_t l = dgraph_local(dg, s->node[i]);
    if (l < 0 || l >= dg->n_owned)
      continue; /* Seeded by the owner. */
    int64_t lo = 0, hi = nf;
    while (lo < hi) {
      int64_t mid = lo + (hi - lo) / 2;
      if (cs->fac_id[mid] < s->fac[i])
        lo = mid + 1;
      else
        hi = mid;
    }
    uint64_t key = ((uint64_t)s->offset_cm[i] << cs->fbits) | (uint64_t)lo;
    cs->seed[cs->n_seed++] = (struct access_seed){key, l, 0};
  }
  return LC_OK;
}

static void access_cat_free(const struct dgraph *dg, struct access_cat *cs) {
  free(cs->fac_id);
  free(cs->seed);
  free(cs->lab);
  free(cs->heap);
  if (cs->out)
    for (int j = 0; j < dg->n_nbr; j++)
      free(cs->out[j].rec);
  free(cs->out);
  memset(cs, 0, sizeof *cs);
}

void access_result_free(struct access_result *out) {
  for (int c = 0; c < out->n_cat; c++) {
    if (out->dist_cm)
      free(out->dist_cm[c]);
    if (out->fac)
      free(out->fac[c]);
  }
  free(out->dist_cm);
  free(out->fac);
  memset(out, 0, sizeof *out);
}

/* Moves the owned labels of category c into the result: the label words become distances in
 * place, the dense indices facility ids, empty slots -1. Returns 1 on allocation failure. */
static int access_cat_output(const struct dgraph *dg, struct access_cat *cs, int k, int c,
                             struct access_result *out) {
  size_t no = (size_t)dg->n_owned * (size_t)k;
  int64_t *fac = malloc((no + 1) * sizeof *fac);
  if (!fac)
    return 1;
  int64_t *dist = (int64_t *)cs->lab;
  for (size_t i = 0; i < no; i++) {
    uint64_t key = cs->lab[i];
    if (key == ACCESS_EMPTY) {
      fac[i] = -1;
      dist[i] = -1;
    } else {
      fac[i] = cs->fac_id[key & cs->fmask];
      dist[i] = (int64_t)(key >> cs->fbits);
    }
  }
  int64_t *shrunk = realloc(dist, (no + 1) * sizeof *shrunk);
  out->dist_cm[c] = shrunk ? shrunk : dist;
  out->fac[c] = fac;
  cs->lab = NULL;
  return 0;
}

int access_run(const struct dgraph *dg, int n_cat, const struct access_sources *src,
               const int64_t *radius_cm, int k, struct access_result *out, MPI_Comm comm) {
  memset(out, 0, sizeof *out);
  int rc = LC_OK, size = 0, rank = 0, level = MPI_THREAD_SINGLE;
  if (MPI_Comm_size(comm, &size) != MPI_SUCCESS || MPI_Comm_rank(comm, &rank) != MPI_SUCCESS ||
      MPI_Query_thread(&level) != MPI_SUCCESS)
    LC_FAIL(LC_EMPI, "access: cannot query the communicator");
  if (size != dg->size || rank != dg->rank)
    rc = lc_error_set(LC_EPARAM, __FILE__, __LINE__,
                      "access: the communicator (rank %d of %d) is not the one of the "
                      "distributed graph (rank %d of %d)", rank, size, dg->rank, dg->size);
  if (rc == LC_OK)
    rc = access_validate(dg, n_cat, src, radius_cm, k);
  rc = dgraph_agree(comm, rc);
  if (rc != LC_OK)
    return rc;

  /* MPI is called from the master thread only, outside parallel regions, which needs
   * MPI_THREAD_FUNNELED; below it the categories run on one thread. */
  int threads = omp_get_max_threads();
  if (level < MPI_THREAD_FUNNELED && threads > 1) {
    log_warn("access: MPI provides no thread support (level %d), running on one thread",
             level);
    threads = 1;
  }
  double t0 = MPI_Wtime();
  /* The compact adjacency, and the longest possible path: the sum of every edge cost (each
   * edge appears in the adjacency of an owned end somewhere), saturated. */
  int64_t n_arc = dg->adj_off[dg->n_local], local_cost = 0, max_path = 0, bad_arc = -1;
  struct access_arc *arcs = malloc(((size_t)n_arc + 1) * sizeof *arcs);
  if (!arcs)
    rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "access: cannot allocate %lld arcs",
                      (long long)n_arc);
  for (int64_t a = 0; a < n_arc && arcs; a++) {
    int64_t w = dg->adj_cost_cm[a];
    if (w < 0 || w > (int64_t)UINT32_MAX) {
      bad_arc = a;
      break;
    }
    arcs[a] = (struct access_arc){dg->adj[a], (uint32_t)w};
    local_cost = local_cost > INT64_MAX / 2 - w ? INT64_MAX / 2 : local_cost + w;
  }
  if (bad_arc >= 0)
    rc = lc_error_set(LC_ETOOBIG, __FILE__, __LINE__,
                      "access: an edge at node %lld costs %lld cm, outside [0, 2^32-1] cm",
                      (long long)dg->global[access_arc_node(dg, bad_arc)],
                      (long long)dg->adj_cost_cm[bad_arc]);
  rc = dgraph_agree(comm, rc);
  if (rc != LC_OK) {
    free(arcs);
    return rc;
  }
  if (MPI_Allreduce(&local_cost, &max_path, 1, MPI_INT64_T, MPI_MAX, comm) != MPI_SUCCESS) {
    free(arcs);
    LC_FAIL(LC_EMPI, "access: MPI_Allreduce failed");
  }
  /* The largest local sum bounds no path on its own; size times it does. */
  max_path = max_path > INT64_MAX / 2 / size ? INT64_MAX / 2 : max_path * size;

  struct access_cat *cat = calloc((size_t)n_cat, sizeof *cat);
  struct access_buf *outv = calloc((size_t)n_cat * (size_t)dg->n_nbr + 1, sizeof *outv);
  struct access_inbox in;
  memset(&in, 0, sizeof in);
  out->n_cat = n_cat;
  out->k = k;
  out->n_nodes = dg->n_owned;
  out->dist_cm = calloc((size_t)n_cat, sizeof *out->dist_cm);
  out->fac = calloc((size_t)n_cat, sizeof *out->fac);
  if (!cat || !outv || !out->dist_cm || !out->fac)
    rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__,
                      "access: cannot allocate the state of %d categories", n_cat);
  for (int c = 0; c < n_cat && rc == LC_OK; c++)
    rc = access_cat_init(dg, &src[c], radius_cm[c], max_path, k, c, &cat[c]);
  if (rc == LC_OK)
    rc = access_inbox_init(&in, dg->n_nbr, n_cat);
  rc = dgraph_agree(comm, rc);
  if (rc != LC_OK)
    goto done;

  double t_search = 0.0, t_exchange = 0.0;
  int64_t round = 0, records_total = 0;
  for (;; round++) {
    double ta = MPI_Wtime();
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (int c = 0; c < n_cat; c++)
      access_round_cat(dg, arcs, &cat[c], c, n_cat, k, round, &in);
    double tb = MPI_Wtime();
    t_search += tb - ta;

    /* Gather the send buffers (category-major) and announce the counts. */
    int64_t sent = 0, nomem = 0;
    for (int c = 0; c < n_cat; c++) {
      nomem |= cat[c].nomem;
      for (int j = 0; j < dg->n_nbr; j++) {
        outv[(size_t)c * dg->n_nbr + j] = cat[c].out[j];
        sent += cat[c].out[j].n;
      }
    }
    int fail = LC_OK;
    if (nomem)
      fail = lc_error_set(LC_ENOMEM, __FILE__, __LINE__,
                          "access: out of memory in the search (round %lld)", (long long)round);
    else
      LC_CHECK_GOTO(rc, access_exchange_counts(dg, n_cat, outv, &in, &fail), done);
    /* Quiescence test and failure check in one reduction. */
    int64_t mine[2] = {sent, fail != LC_OK}, all[2];
    if (MPI_Allreduce(mine, all, 2, MPI_INT64_T, MPI_SUM, comm) != MPI_SUCCESS) {
      rc = lc_error_set(LC_EMPI, __FILE__, __LINE__, "access: MPI_Allreduce failed");
      goto done;
    }
    if (all[1] > 0) {
      rc = dgraph_agree(comm, fail);
      goto done;
    }
    if (all[0] == 0)
      break;
    records_total += all[0];
    LC_CHECK_GOTO(rc, access_exchange_records(dg, n_cat, outv, &in), done);
    t_exchange += MPI_Wtime() - tb;
    log_debug("access: round %lld: %lld records exchanged", (long long)round,
              (long long)all[0]);
  }
  out->rounds = round + 1;
  out->records = records_total;

  /* Results, converted by the threads that own the labels. */
  double tc = MPI_Wtime();
  int64_t work[3] = {0, 0, 0}, work_all[3];
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (int c = 0; c < n_cat; c++)
    if (access_cat_output(dg, &cat[c], k, c, out))
      cat[c].nomem = 1;
  for (int c = 0; c < n_cat; c++) {
    work[0] += cat[c].pops;
    work[1] += cat[c].expanded;
    work[2] += cat[c].nomem;
  }
  if (MPI_Allreduce(work, work_all, 3, MPI_INT64_T, MPI_SUM, comm) != MPI_SUCCESS) {
    rc = lc_error_set(LC_EMPI, __FILE__, __LINE__, "access: MPI_Allreduce failed");
    goto done;
  }
  if (work_all[2] > 0) {
    rc = dgraph_agree(comm, work[2] > 0 ? lc_error_set(LC_ENOMEM, __FILE__, __LINE__,
                                                       "access: cannot allocate the result")
                                        : LC_OK);
    goto done;
  }
  log_info("access: %d categories, k = %d, %d ranks x %d threads: %lld rounds, %lld records "
           "exchanged, %lld labels settled (%lld heap pops); search %.3f s, exchange %.3f s, "
           "output %.3f s, total %.3f s",
           n_cat, k, size, threads, (long long)out->rounds, (long long)records_total,
           (long long)work_all[1], (long long)work_all[0], t_search, t_exchange,
           MPI_Wtime() - tc, MPI_Wtime() - t0);
done:
  if (cat)
    for (int c = 0; c < n_cat; c++)
      access_cat_free(dg, &cat[c]);
  free(cat);
  free(arcs);
  free(outv);
  access_inbox_free(&in);
  if (rc != LC_OK)
    access_result_free(out);
  return rc;
}
