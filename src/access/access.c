/* The distributed multi-source bounded shortest-path kernel: the k best facilities of every
 * node within a radius, per category.
 *
 * Labels. Every local node (owned or ghost) holds up to k labels (distance, facility) of
 * distinct facilities, sorted by the key (distance, facility id). A label is packed in one
 * 64-bit word, distance << fbits | dense facility index, the dense index being the rank of
 * the facility id among the category's distinct ids: comparing words compares keys (empty
 * slots hold all ones and sort last). A word takes 32 bits when the category's radius and
 * its number of facilities allow (access_table_layout; 2 km in centimetres takes 18 bits,
 * leaving 14 for up to 16 383 facilities), else 64 bits. A label offered to a node
 * enters when its facility is absent and the node has fewer than k labels or the label beats
 * the worst one (which then leaves), or when its facility is present at a larger distance
 * (the label is replaced). A ghost's labels are the ones this rank has sent to its owner, so
 * a label that would not enter them is not sent again.
 *
 * Search. Per category, a search over a bucket queue of (label word, node) entries: bucket
 * b holds the entries whose distance lies in [b * 2^s, (b+1) * 2^s), the width 2^s being at
 * most the cost of all but the shortest 1 % of the edges, so that nearly every offer lands
 * in a later bucket and the search is Dijkstra's up to the order inside one bucket (Dial's
 * algorithm; an offer over a shorter edge may land in the current bucket and correct a
 * label there, which only costs a second expansion: the order of work never changes the
 * result, see Exactness). The buckets sit in a ring of at most ACCESS_RING slots over a
 * window of distances; entries beyond the window wait in an overflow list until the window
 * reaches them. A bucket's entries are taken as one run and
 * walked with software prefetching a few entries ahead (the node's labels and adjacency
 * offset, then its arcs, then its neighbours' labels), since the search is bound by memory
 * latency and, unlike a heap, a run tells which nodes come next. An entry still present at
 * its node is expanded over the node's edges while the distance stays within the radius.
 * Offers that enter a ghost's labels become records (owner's node, category, label) batched
 * per neighbour rank. A round is: every category runs its queue until it is empty (no
 * exchange in between, so the round's records are only the labels that survived the whole
 * local search), then one exchange sends all categories' records to each neighbour as one
 * stream while a non-blocking reduction sums the records sent by all ranks; the owners apply
 * the records as offers while they arrive, and those that enter start the next round's
 * search. The rounds end when no rank sent a record, which is quiescence: every queue is
 * empty and nothing is in flight. The rounds needed follow the number of times shortest
 * paths cross a part boundary, and the work stays about that of one rank (the extra
 * expansions are the labels corrected across boundaries). A rank that waits for its neighbours sleeps between polls, leaving
 * the core to ranks still computing when the machine runs more processes than it has cores.
 * With k = 1 a node has a single label and an offer enters exactly when its word is smaller.
 *
 * The label arrays, read at random, are aligned to 2 MiB and advised for transparent huge
 * pages, which saves page faults and TLB misses (the search is bound by memory latency).
 *
 * Output. The result allocates no memory of its own: the label array, owned part first, is
 * the result's table of the category (struct access_table), read through access_get: the
 * first touch of fresh memory is a large part of the kernel's cost, so 32-bit words where
 * they fit and no separate result entries keep it small (tests/bench/README.md has figures).
 * Radii and facility ids are limited to INT32_MAX (some 21 000 km of walking, 2^31 - 1
 * facility rows) so that every entry fits struct access_entry; checked up front.
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
 * Threads. OpenMP threads take whole categories (each has its own labels, queue and send
 * buffers); MPI is called only outside the parallel regions, on the master thread. */
#define _DEFAULT_SOURCE /* madvise() and MADV_HUGEPAGE from <sys/mman.h>. */
#include "lifecircle/access.h"

#include <limits.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>

#include "access_internal.h"
#include "lifecircle/agree.h"
#include "lifecircle/log.h"
#include "lifecircle/status.h"

/* Most slots in the ring of buckets of one category (a power of two). */
#define ACCESS_RING 16384
/* Entries per chunk of a bucket. */
#define ACCESS_CHUNK 256
/* Prefetch distances, in entries of a run: labels and offset, then arcs, then neighbours. */
#define ACCESS_AHEAD_NODE 16
#define ACCESS_AHEAD_ARCS 10
#define ACCESS_AHEAD_NBRS 4
/* Arrays of at least this many bytes are aligned to 2 MiB for transparent huge pages. */
#define ACCESS_HUGE ((size_t)2 << 20)

/* A queue entry: a label word and the owned node it labels. */
struct access_hent {
  uint64_t key;
  int32_t node;
  int32_t pad;
};

/* The local graph the search walks, shared by all categories: the arcs of local node i are
 * adj[off[i] .. off[i+1]) with costs cost[...] (the distributed graph's own arrays, read in
 * place: a copy would cost more in fresh memory than it saves in the search). */
struct access_graph {
  const int32_t *off; /* [n_local + 1] */
  const int32_t *adj;
  const uint32_t *cost;
  int step_bits; /* Bucket width 2^step_bits: at most all but the shortest 1 % of the arcs. */
};

/* A source seeded on this rank: its label word on an owned node. */
struct access_seed {
  uint64_t key;
  int32_t node;
  int32_t pad;
};

/* The bucket queue of one category. Bucket b (absolute: distance >> s) lives in ring slot
 * b % ring while base <= b < base + ring; its entries are in a list of chunks from the
 * queue's pool. Entries of later buckets wait in the overflow list. */
struct access_queue {
  int bshift;               /* A label word's bucket is word >> bshift (= fbits + s). */
  uint64_t base;            /* First bucket of the window. */
  uint64_t cur;             /* No bucket below cur holds an entry. */
  int64_t size;             /* Entries in the ring (not counting the overflow). */
  uint64_t ring;            /* Slots: a power of two, at most ACCESS_RING. */
  int32_t *head;            /* [ring] first chunk of each slot, -1 when empty. */
  int32_t *tail;            /* [ring] last chunk of each slot. */
  struct access_hent *pool; /* [n_chunk * ACCESS_CHUNK] */
  int32_t *next;            /* [n_chunk] next chunk of the same bucket, or of the free list. */
  int32_t *fill;            /* [n_chunk] entries used in each chunk. */
  int32_t n_chunk, cap_chunk, free_chunk;
  struct access_hent *over; /* Entries beyond the window. */
  int64_t n_over, cap_over;
  struct access_hent *run; /* The bucket being walked. */
  int64_t cap_run;
};

/* The search state of one category on this rank. */
struct access_cat {
  int64_t radius; /* The category's radius, capped at the longest possible distance. */
  int fbits;      /* Bits of the dense facility index in a label word. */
  int wide;       /* 64-bit label words when 1, 32-bit when 0 (access_table_layout). */
  uint64_t fmask;
  uint64_t empty; /* An empty slot's word: all ones of the word's width. */
  int64_t n_fac;
  int64_t *fac_id; /* [n_fac] sorted distinct facility ids: dense index -> id. */
  int64_t n_seed;
  struct access_seed *seed;
  void *lab; /* [n_local * k] label words (uint32_t or uint64_t), sorted per node. */
  struct access_queue q;
  struct access_buf *out; /* [n_nbr] records for each neighbour this round. */
  int index;              /* The category's index in the kernel's list (sent with records). */
  int64_t pops, expanded;
  int64_t final_labels; /* Owned labels at the end (for the debug log). */
  double cpu; /* Thread CPU seconds spent on this category's searches (for the debug log). */
  int nomem;  /* Set inside the parallel region; reported after it. */
};

/* Allocates n bytes; a large array is aligned to 2 MiB and advised for transparent huge
 * pages (the advice may be refused, which is harmless). Free with free(). Returns NULL when
 * out of memory. */
static void *access_alloc(size_t n) {
  if (n < ACCESS_HUGE)
    return malloc(n > 0 ? n : 1);
  void *p = NULL;
  size_t len = (n + ACCESS_HUGE - 1) / ACCESS_HUGE * ACCESS_HUGE;
  if (posix_memalign(&p, ACCESS_HUGE, len) != 0)
    return NULL;
#ifdef MADV_HUGEPAGE
  (void)madvise(p, len, MADV_HUGEPAGE);
#endif
  return p;
}

/* CPU seconds of the calling thread. */
static double access_thread_cpu(void) {
  struct timespec t;
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) != 0)
    return 0.0;
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* A snapshot of the process's clocks, for the per-rank profile in the debug log: wall time,
 * user and system CPU seconds (all threads) and minor page faults. */
struct access_clock {
  double wall, user, sys;
  long minflt;
};

static struct access_clock access_clock_now(void) {
  struct access_clock c = {MPI_Wtime(), 0.0, 0.0, 0};
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) == 0) {
    c.user = (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec;
    c.sys = (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
    c.minflt = ru.ru_minflt;
  }
  return c;
}

/* Adds the time from a to b to the phase total p. */
static void access_clock_add(struct access_clock *p, struct access_clock a, struct access_clock b) {
  p->wall += b.wall - a.wall;
  p->user += b.user - a.user;
  p->sys += b.sys - a.sys;
  p->minflt += b.minflt - a.minflt;
}

/* Grows an entry array to hold at least n entries. Returns 1 when out of memory. */
static int access_hent_grow(struct access_hent **a, int64_t *cap, int64_t n) {
  if (n <= *cap)
    return 0;
  int64_t c = *cap > 0 ? *cap : 1024;
  while (c < n)
    c *= 2;
  struct access_hent *p = realloc(*a, (size_t)c * sizeof *p);
  if (!p)
    return 1;
  *a = p;
  *cap = c;
  return 0;
}

/* Prepares an empty queue whose buckets are 2^step_bits centimetres wide. Returns 1 when
 * out of memory. */
static int access_queue_init(struct access_queue *q, int fbits, int step_bits, int64_t radius) {
  memset(q, 0, sizeof *q);
  q->bshift = fbits + step_bits < 63 ? fbits + step_bits : 63;
  /* Enough slots for every bucket up to the radius when that takes at most ACCESS_RING. */
  uint64_t last = ((uint64_t)radius << fbits) >> q->bshift;
  q->ring = 16;
  while (q->ring < ACCESS_RING && q->ring <= last)
    q->ring *= 2;
  q->head = malloc(q->ring * sizeof *q->head);
  q->tail = malloc(q->ring * sizeof *q->tail);
  if (!q->head || !q->tail)
    return 1;
  for (uint64_t i = 0; i < q->ring; i++)
    q->head[i] = q->tail[i] = -1;
  q->free_chunk = -1;
  return 0;
}

static void access_queue_free(struct access_queue *q) {
  free(q->head);
  free(q->tail);
  free(q->pool);
  free(q->next);
  free(q->fill);
  free(q->over);
  free(q->run);
  memset(q, 0, sizeof *q);
}

/* A free chunk (from the free list, or a new one), or -1 when out of memory. */
static int32_t access_chunk_get(struct access_queue *q) {
  int32_t c = q->free_chunk;
  if (c >= 0) {
    q->free_chunk = q->next[c];
    return c;
  }
  if (q->n_chunk == q->cap_chunk) {
    int64_t cap = q->cap_chunk > 0 ? 2 * (int64_t)q->cap_chunk : 16;
    if (cap > INT32_MAX)
      return -1;
    struct access_hent *p = realloc(q->pool, (size_t)cap * ACCESS_CHUNK * sizeof *p);
    if (!p)
      return -1;
    q->pool = p;
    int32_t *nx = realloc(q->next, (size_t)cap * sizeof *nx);
    if (!nx)
      return -1;
    q->next = nx;
    int32_t *fl = realloc(q->fill, (size_t)cap * sizeof *fl);
    if (!fl)
      return -1;
    q->fill = fl;
    q->cap_chunk = (int32_t)cap;
  }
  return q->n_chunk++;
}

/* Queues an entry: in its bucket's slot when the bucket is in the window, else in the
 * overflow. The bucket must not be below the window. Returns 1 when out of memory. */
static inline int access_queue_push(struct access_queue *q, uint64_t key, int32_t node) {
  uint64_t b = key >> q->bshift;
  if (b - q->base >= q->ring) {
    if (q->n_over == q->cap_over && access_hent_grow(&q->over, &q->cap_over, q->n_over + 1))
      return 1;
    q->over[q->n_over++] = (struct access_hent){key, node, 0};
    return 0;
  }
  size_t s = (size_t)(b & (q->ring - 1));
  int32_t t = q->tail[s];
  if (t < 0 || q->fill[t] == ACCESS_CHUNK) {
    int32_t c = access_chunk_get(q);
    if (c < 0)
      return 1;
    q->next[c] = -1;
    q->fill[c] = 0;
    if (t < 0)
      q->head[s] = c;
    else
      q->next[t] = c;
    q->tail[s] = t = c;
  }
  q->pool[(size_t)t * ACCESS_CHUNK + (size_t)q->fill[t]++] = (struct access_hent){key, node, 0};
  q->size++;
  if (b < q->cur)
    q->cur = b;
  return 0;
}

/* Moves the window to the first overflow bucket and the entries now inside it into the
 * ring. Call only when the ring is empty and the overflow is not. Returns 1 when out of
 * memory. */
static int access_queue_slide(struct access_queue *q) {
  uint64_t lo = UINT64_MAX;
  for (int64_t i = 0; i < q->n_over; i++)
    if ((q->over[i].key >> q->bshift) < lo)
      lo = q->over[i].key >> q->bshift;
  q->base = q->cur = lo;
  int64_t m = 0, n = q->n_over;
  q->n_over = 0;
  for (int64_t i = 0; i < n; i++) {
    struct access_hent e = q->over[i];
    if ((e.key >> q->bshift) - lo < q->ring) {
      if (access_queue_push(q, e.key, e.node))
        return 1;
    } else {
      q->over[m++] = e;
    }
  }
  q->n_over = m;
  return 0;
}

/* Takes the entries of the first non-empty bucket into q->run; *n is their number, 0 when
 * the queue is empty. Returns 1 when out of memory. */
static int access_queue_take(struct access_queue *q, int64_t *n) {
  *n = 0;
  if (q->size == 0) {
    if (q->n_over == 0)
      return 0;
    if (access_queue_slide(q))
      return 1;
  }
  size_t s = (size_t)(q->cur & (q->ring - 1));
  while (q->head[s] < 0) {
    q->cur++;
    s = (size_t)(q->cur & (q->ring - 1));
  }
  int64_t m = 0;
  for (int32_t c = q->head[s]; c >= 0; c = q->next[c])
    m += q->fill[c];
  if (access_hent_grow(&q->run, &q->cap_run, m))
    return 1;
  m = 0;
  int32_t c = q->head[s];
  while (c >= 0) {
    memcpy(q->run + m, q->pool + (size_t)c * ACCESS_CHUNK, (size_t)q->fill[c] * sizeof *q->run);
    m += q->fill[c];
    int32_t nx = q->next[c];
    q->next[c] = q->free_chunk;
    q->free_chunk = c;
    c = nx;
  }
  q->head[s] = q->tail[s] = -1;
  q->size -= m;
  *n = m;
  return 0;
}

/* Makes the queue empty, with the window at distance 0 (between rounds). */
static void access_queue_reset(struct access_queue *q) { q->base = q->cur = 0; }

/* Label word i of a label array of either width (wide: 64 bits, else 32), as 64 bits; a
 * 32-bit empty slot reads as UINT32_MAX, above every real 32-bit word. Forced inline so that
 * a constant width removes the test. */
__attribute__((always_inline)) static inline uint64_t access_lab_get(const void *lab, int wide,
                                                                     size_t i) {
  return wide ? ((const uint64_t *)lab)[i] : ((const uint32_t *)lab)[i];
}

__attribute__((always_inline)) static inline void access_lab_set(void *lab, int wide, size_t i,
                                                                 uint64_t w) {
  if (wide)
    ((uint64_t *)lab)[i] = w;
  else
    ((uint32_t *)lab)[i] = (uint32_t)w;
}

/* The address of label word i, for prefetching. */
__attribute__((always_inline)) static inline const void *access_lab_at(const void *lab, int wide,
                                                                       size_t i) {
  return wide ? (const void *)((const uint64_t *)lab + i)
              : (const void *)((const uint32_t *)lab + i);
}

/* Offers the label word key (facility key & fmask) to the k sorted slots of node x of the
 * label array lab of category cs; returns 1 when it entered. */
static inline int access_offer(const struct access_cat *cs, int k, int32_t x, uint64_t key) {
  void *lab = cs->lab;
  const int wide = cs->wide;
  const uint64_t fmask = cs->fmask, empty = cs->empty, f = key & fmask;
  size_t b = (size_t)x * (size_t)k;
  int end = 0;
  uint64_t w;
  while (end < k && (w = access_lab_get(lab, wide, b + end)) != empty && (w & fmask) != f)
    end++;
  if (end < k && (w = access_lab_get(lab, wide, b + end)) != empty) {
    if (w <= key)
      return 0; /* The facility is already there at least as near. */
  } else {
    end = k - 1; /* Absent: it must beat the worst slot (an empty slot loses to anything). */
    if (key >= access_lab_get(lab, wide, b + end))
      return 0;
  }
  /* Slot end leaves; the labels between the insertion point and it move down by one. */
  int p = end;
  while (p > 0 && key < (w = access_lab_get(lab, wide, b + p - 1))) {
    access_lab_set(lab, wide, b + p, w);
    p--;
  }
  access_lab_set(lab, wide, b + p, key);
  return 1;
}

/* Queues the consequence of a label that entered local node y: a queue entry for an owned
 * node, a record for the owner of a ghost. Returns 1 when out of memory. */
static inline int access_entered(const struct dgraph *dg, struct access_cat *cs, int32_t y,
                                 uint64_t key) {
  if (y < dg->n_owned)
    return access_queue_push(&cs->q, key, y);
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
  b->rec[b->n++] = (struct access_rec){key, gi - dg->recv_off[j], cs->index};
  return 0;
}

/* Offers a label to local node y and queues the consequence. Returns 1 when out of
 * memory. */
static inline int access_offer_node(const struct dgraph *dg, struct access_cat *cs, int k,
                                    int32_t y, uint64_t key) {
  if (!access_offer(cs, k, y, key))
    return 0;
  return access_entered(dg, cs, y, key);
}

/* Starts loading what the entries ahead of run[i] will read: their labels and offsets, then
 * their arcs, then their neighbours' labels, each stage relying on the loads of the one
 * before. With k = 1 an entry whose label has changed (it will be skipped) gets no further
 * stage. Forced inline: a function made only of prefetches looks free of effects to GCC,
 * which then deletes the calls before inlining them. */
__attribute__((always_inline)) static inline void access_prefetch(const struct access_graph *ag,
                                                                  const void *lab, int wide, int k,
                                                                  const struct access_hent *run,
                                                                  int64_t i, int64_t n) {
  if (i + ACCESS_AHEAD_NODE < n) {
    int32_t x = run[i + ACCESS_AHEAD_NODE].node;
    __builtin_prefetch(access_lab_at(lab, wide, (size_t)x * (size_t)k));
    __builtin_prefetch(ag->off + x);
  }
  if (i + ACCESS_AHEAD_ARCS < n) {
    const struct access_hent *e = &run[i + ACCESS_AHEAD_ARCS];
    if (k > 1 || access_lab_get(lab, wide, (size_t)e->node) == e->key) {
      int64_t a = ag->off[e->node];
      __builtin_prefetch(ag->adj + a);
      __builtin_prefetch(ag->cost + a);
    }
  }
  if (i + ACCESS_AHEAD_NBRS < n) {
    const struct access_hent *e = &run[i + ACCESS_AHEAD_NBRS];
    if (k > 1 || access_lab_get(lab, wide, (size_t)e->node) == e->key)
      for (int64_t a = ag->off[e->node]; a < ag->off[e->node + 1]; a++)
        __builtin_prefetch(access_lab_at(lab, wide, (size_t)ag->adj[a] * (size_t)k), 1);
  }
}

/* Expands the entries of one run with k = 1: a node's only label is present when its word
 * equals the entry's, and an offer enters when its word is smaller than the node's. Forced
 * inline so that access_scan1 gets one copy per label width. Returns 1 when out of memory. */
__attribute__((always_inline)) static inline int
access_scan1_w(const struct dgraph *dg, const struct access_graph *ag, struct access_cat *cs,
               const struct access_hent *run, int64_t n, const int wide) {
  void *restrict lab = cs->lab;
  const int32_t *restrict off = ag->off;
  const int32_t *restrict adj = ag->adj;
  const uint32_t *restrict cost = ag->cost;
  const uint64_t radius = (uint64_t)cs->radius;
  const int fbits = cs->fbits;
  int64_t expanded = 0;
  for (int64_t i = 0; i < n; i++) {
    access_prefetch(ag, lab, wide, 1, run, i, n);
    uint64_t key = run[i].key;
    int32_t x = run[i].node;
    if (access_lab_get(lab, wide, (size_t)x) != key)
      continue; /* Replaced by a nearer label since it was queued. */
    expanded++;
    uint64_t room = radius - (key >> fbits);
    for (int64_t a = off[x]; a < off[x + 1]; a++) {
      uint64_t w = cost[a];
      int32_t y = adj[a];
      uint64_t nk = key + (w << fbits);
      if (w > room || nk >= access_lab_get(lab, wide, (size_t)y))
        continue;
      access_lab_set(lab, wide, (size_t)y, nk);
      if (access_entered(dg, cs, y, nk))
        return 1;
    }
  }
  cs->expanded += expanded;
  return 0;
}

static int access_scan1(const struct dgraph *dg, const struct access_graph *ag,
                        struct access_cat *cs, const struct access_hent *run, int64_t n) {
  return cs->wide ? access_scan1_w(dg, ag, cs, run, n, 1) : access_scan1_w(dg, ag, cs, run, n, 0);
}

/* Expands the entries of one run for any k. Returns 1 when out of memory. */
static int access_scan(const struct dgraph *dg, const struct access_graph *ag,
                       struct access_cat *cs, int k, const struct access_hent *run, int64_t n) {
  const int64_t radius = cs->radius;
  const int fbits = cs->fbits;
  for (int64_t i = 0; i < n; i++) {
    access_prefetch(ag, cs->lab, cs->wide, k, run, i, n);
    uint64_t key = run[i].key, w;
    int32_t x = run[i].node;
    size_t b = (size_t)x * (size_t)k;
    int present = 0;
    for (int j = 0; j < k && (w = access_lab_get(cs->lab, cs->wide, b + j)) <= key; j++)
      if (w == key) {
        present = 1;
        break;
      }
    if (!present)
      continue; /* Replaced by a nearer label or evicted since it was queued. */
    cs->expanded++;
    int64_t room = radius - (int64_t)(key >> fbits);
    for (int64_t a = ag->off[x]; a < ag->off[x + 1]; a++) {
      int64_t w = ag->cost[a];
      if (w > room)
        continue;
      if (access_offer_node(dg, cs, k, ag->adj[a], key + ((uint64_t)w << fbits)))
        return 1;
    }
  }
  return 0;
}

/* Runs the queue of one category until it is empty. Returns 1 when out of memory. */
static int access_settle(const struct dgraph *dg, const struct access_graph *ag,
                         struct access_cat *cs, int k) {
  for (;;) {
    int64_t n = 0;
    if (access_queue_take(&cs->q, &n))
      return 1;
    if (n == 0)
      return 0;
    cs->pops += n;
    if (k == 1 ? access_scan1(dg, ag, cs, cs->q.run, n) : access_scan(dg, ag, cs, k, cs->q.run, n))
      return 1;
  }
}

/* One category's work in one round: the seeds (round 0), then the search from them and
 * from the records applied during the last exchange. The queue is left empty, with its
 * window back at distance 0 for the next records. */
static void access_round_cat(const struct dgraph *dg, const struct access_graph *ag,
                             struct access_cat *cs, int k, int64_t round) {
  for (int j = 0; j < dg->n_nbr; j++)
    cs->out[j].n = 0;
  if (cs->nomem)
    return;
  if (round == 0) {
    /* First touch of the labels by the thread that searches them. */
    size_t nl = (size_t)dg->n_local * (size_t)k;
    memset(cs->lab, 0xff, nl * (cs->wide ? 8 : 4));
    for (int64_t s = 0; s < cs->n_seed; s++)
      if (access_offer_node(dg, cs, k, cs->seed[s].node, cs->seed[s].key)) {
        cs->nomem = 1;
        return;
      }
  }
  if (access_settle(dg, ag, cs, k))
    cs->nomem = 1;
  access_queue_reset(&cs->q);
}

/* What the exchange needs to apply received records. */
struct access_apply_ctx {
  const struct dgraph *dg;
  struct access_cat *cat;
  int n_cat, k;
  int64_t bad; /* Records naming no category or no node of the send list (none expected). */
};

/* Applies records received from neighbour j: each is an offer to an owned node (the one at
 * its position in the send list to j), queued for the next round's search when it enters. */
static void access_apply(void *ctx, int j, const struct access_rec *rec, int64_t n) {
  struct access_apply_ctx *a = ctx;
  const struct dgraph *dg = a->dg;
  const int32_t *sidx = dg->send_idx + dg->send_off[j];
  int32_t ns = dg->send_off[j + 1] - dg->send_off[j];
  for (int64_t r = 0; r < n; r++) {
    int c = rec[r].cat;
    if (c < 0 || c >= a->n_cat || rec[r].pos < 0 || rec[r].pos >= ns) {
      a->bad++;
      continue;
    }
    struct access_cat *cs = &a->cat[c];
    if (!cs->nomem && access_offer_node(dg, cs, a->k, sidx[rec[r].pos], rec[r].key))
      cs->nomem = 1;
  }
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
    if (radius_cm[c] > INT32_MAX)
      LC_FAIL(LC_EPARAM,
              "access: category %d: the radius (%lld cm) is above the largest distance the "
              "result holds (INT32_MAX = %ld cm)",
              c, (long long)radius_cm[c], (long)INT32_MAX);
    if (src[c].n < 0 || (src[c].n > 0 && (!src[c].node || !src[c].fac || !src[c].offset_cm)))
      LC_FAIL(LC_EPARAM, "access: category %d: bad source list (%lld sources)", c,
              (long long)src[c].n);
    for (int64_t i = 0; i < src[c].n; i++) {
      if (src[c].node[i] < 0 || src[c].node[i] >= dg->n_global)
        LC_FAIL(LC_EPARAM, "access: category %d, source %lld: node %lld is outside [0, %lld)", c,
                (long long)i, (long long)src[c].node[i], (long long)dg->n_global);
      if (src[c].fac[i] < 0)
        LC_FAIL(LC_EPARAM, "access: category %d, source %lld: facility id %lld is negative", c,
                (long long)i, (long long)src[c].fac[i]);
      if (src[c].fac[i] > INT32_MAX)
        LC_FAIL(LC_EPARAM,
                "access: category %d, source %lld: facility id %lld is above the largest id "
                "the result holds (INT32_MAX = %ld facility rows)",
                c, (long long)i, (long long)src[c].fac[i], (long)INT32_MAX);
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
static int access_cat_init(const struct dgraph *dg, const struct access_graph *ag,
                           const struct access_sources *s, int64_t radius, int64_t max_path, int k,
                           int c, struct access_cat *cs) {
  memset(cs, 0, sizeof *cs);
  size_t nl = (size_t)dg->n_local * (size_t)k;
  cs->fac_id = malloc(((size_t)s->n + 1) * sizeof *cs->fac_id);
  cs->seed = malloc(((size_t)s->n + 1) * sizeof *cs->seed);
  cs->out = calloc((size_t)dg->n_nbr + 1, sizeof *cs->out);
  cs->index = c;
  if (!cs->fac_id || !cs->seed || !cs->out)
    LC_FAIL(LC_ENOMEM, "access: category %d: cannot allocate the state of %lld sources", c,
            (long long)s->n);
  memcpy(cs->fac_id, s->fac, (size_t)s->n * sizeof *cs->fac_id);
  qsort(cs->fac_id, (size_t)s->n, sizeof *cs->fac_id, access_sort_i64);
  int64_t nf = 0;
  for (int64_t i = 0; i < s->n; i++)
    if (nf == 0 || cs->fac_id[nf - 1] != cs->fac_id[i])
      cs->fac_id[nf++] = cs->fac_id[i];
  cs->n_fac = nf;
  /* No distance beyond the longest possible path (max_path plus the largest offset) can
   * occur, so the radius is capped there; the label layout follows from it and the number
   * of facilities (access_table_layout: 32-bit words when they fit). */
  int64_t max_off = 0;
  for (int64_t i = 0; i < s->n; i++)
    if (s->offset_cm[i] > max_off)
      max_off = s->offset_cm[i];
  int64_t longest = max_path > INT64_MAX - max_off ? INT64_MAX : max_path + max_off;
  cs->radius = radius < longest ? radius : longest;
  if (access_table_layout(cs->radius, nf, &cs->fbits, &cs->wide) != LC_OK)
    LC_FAIL(LC_ETOOBIG,
            "access: category %d: a distance of up to %lld cm and %lld facilities do not fit "
            "one 63-bit label (distance bits + facility bits); use a smaller radius",
            c, (long long)cs->radius, (long long)nf);
  cs->fmask = ((uint64_t)1 << cs->fbits) - 1;
  cs->empty = cs->wide ? UINT64_MAX : UINT32_MAX;
  cs->lab = access_alloc((nl + 1) * (cs->wide ? sizeof(uint64_t) : sizeof(uint32_t)));
  if (!cs->lab)
    LC_FAIL(LC_ENOMEM, "access: category %d: cannot allocate labels for %lld local nodes", c,
            (long long)dg->n_local);
  if (access_queue_init(&cs->q, cs->fbits, ag->step_bits, cs->radius))
    LC_FAIL(LC_ENOMEM, "access: category %d: cannot allocate the bucket queue", c);
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
  access_queue_free(&cs->q);
  if (cs->out)
    for (int j = 0; j < dg->n_nbr; j++)
      free(cs->out[j].rec);
  free(cs->out);
  memset(cs, 0, sizeof *cs);
}

/* Hands the owned labels of category c to the result: the label array, sorted per node and
 * empty slots all ones, is already the table's words (its ghost tail unused), and the dense
 * index's facility ids are the table's; nothing is copied or allocated. */
static void access_cat_output(const struct dgraph *dg, struct access_cat *cs, int k, int c,
                              struct access_result *out) {
  size_t no = (size_t)dg->n_owned * (size_t)k;
  int64_t found = 0;
  for (size_t i = 0; i < no; i++)
    found += access_lab_get(cs->lab, cs->wide, i) != cs->empty;
  out->t[c] = (struct access_table){cs->lab, cs->fac_id, cs->n_fac, cs->fbits, cs->wide};
  cs->final_labels = found;
  cs->lab = NULL;
  cs->fac_id = NULL;
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
                      "distributed graph (rank %d of %d)",
                      rank, size, dg->rank, dg->size);
  if (rc == LC_OK)
    rc = access_validate(dg, n_cat, src, radius_cm, k);
  rc = lc_agree(comm, rc);
  if (rc != LC_OK)
    return rc;

  /* MPI is called from the master thread only, outside parallel regions, which needs
   * MPI_THREAD_FUNNELED; below it the categories run on one thread. */
  int threads = omp_get_max_threads();
  if (level < MPI_THREAD_FUNNELED && threads > 1) {
    log_warn("access: MPI provides no thread support (level %d), running on one thread", level);
    threads = 1;
  }
  double t0 = MPI_Wtime();
  struct access_clock c_start = access_clock_now();
  /* The longest possible path: the sum of every edge cost (each edge appears in the
   * adjacency of an owned end somewhere), saturated; and the positive arc costs by bit
   * length, for the bucket width. */
  int64_t n_arc = dg->adj_off[dg->n_local], local_cost = 0, max_path = 0;
  struct access_graph ag = {dg->adj_off, dg->adj, dg->adj_cost_cm, 0};
  int64_t by_bits[65] = {0}, n_pos = 0;
  for (int64_t a = 0; a < n_arc; a++) {
    int64_t w = dg->adj_cost_cm[a]; /* >= 0 (dgraph_build). */
    local_cost = local_cost > INT64_MAX / 2 - w ? INT64_MAX / 2 : local_cost + w;
    by_bits[w > 0 ? 64 - __builtin_clzll((unsigned long long)w) : 0]++;
    n_pos += w > 0;
  }
  /* The bucket width: the largest power of two not above the cost of all but the shortest
   * 1 % of the positive arcs (an arc of bit length b costs at least 2^(b-1)). */
  for (int64_t seen = 0, b = 1; b <= 64 && n_pos > 0; b++) {
    seen += by_bits[b];
    if (seen * 100 > n_pos) {
      ag.step_bits = (int)b - 1;
      break;
    }
  }
  if (MPI_Allreduce(&local_cost, &max_path, 1, MPI_INT64_T, MPI_MAX, comm) != MPI_SUCCESS)
    LC_FAIL(LC_EMPI, "access: MPI_Allreduce failed");
  /* The largest local sum bounds no path on its own; size times it does. */
  max_path = max_path > INT64_MAX / 2 / size ? INT64_MAX / 2 : max_path * size;

  struct access_cat *cat = calloc((size_t)n_cat, sizeof *cat);
  struct access_buf *outv = calloc((size_t)n_cat * (size_t)dg->n_nbr + 1, sizeof *outv);
  struct access_xch xch;
  memset(&xch, 0, sizeof xch);
  out->n_cat = n_cat;
  out->k = k;
  out->n_nodes = dg->n_owned;
  out->t = calloc((size_t)n_cat, sizeof *out->t);
  if (!cat || !outv || !out->t)
    rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__,
                      "access: cannot allocate the state of %d categories", n_cat);
  for (int c = 0; c < n_cat && rc == LC_OK; c++)
    rc = access_cat_init(dg, &ag, &src[c], radius_cm[c], max_path, k, c, &cat[c]);
  if (rc == LC_OK)
    rc = access_xch_init(&xch, dg);
  rc = lc_agree(comm, rc);
  if (rc != LC_OK)
    goto done;

  /* Rounds: every category searches until its queue is empty (threads take categories),
   * then one exchange carries the records of all categories to each neighbour and tests
   * quiescence; received records are applied during the exchange. */
  struct access_apply_ctx actx = {dg, cat, n_cat, k, 0};
  int64_t round = 0, records_total = 0;
  struct access_clock ph_init = {0}, ph_search = {0}, ph_exchange = {0}, ph_output = {0};
  access_clock_add(&ph_init, c_start, access_clock_now());
  for (;; round++) {
    struct access_clock ca = access_clock_now();
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (int c = 0; c < n_cat; c++) {
      double u0 = access_thread_cpu();
      access_round_cat(dg, &ag, &cat[c], k, round);
      cat[c].cpu += access_thread_cpu() - u0;
    }
    struct access_clock cb = access_clock_now();
    access_clock_add(&ph_search, ca, cb);

    int nomem = actx.bad > 0;
    for (int c = 0; c < n_cat; c++) {
      nomem |= cat[c].nomem;
      for (int j = 0; j < dg->n_nbr; j++)
        outv[(size_t)c * dg->n_nbr + j] = cat[c].out[j];
    }
    int fail = LC_OK;
    if (actx.bad > 0)
      fail = lc_error_set(LC_EINVARIANT, __FILE__, __LINE__,
                          "access: %lld records received in round %lld name no category or "
                          "node",
                          (long long)actx.bad, (long long)round);
    else if (nomem)
      fail = lc_error_set(LC_ENOMEM, __FILE__, __LINE__,
                          "access: out of memory in the search (round %lld)", (long long)round);
    int64_t sent_all = 0, failed_all = 0;
    LC_CHECK_GOTO(
        rc,
        access_xch_round(&xch, dg, n_cat, outv, access_apply, &actx, &fail, &sent_all, &failed_all),
        done);
    access_clock_add(&ph_exchange, cb, access_clock_now());
    if (failed_all > 0) {
      rc = lc_agree(comm, fail);
      goto done;
    }
    if (sent_all == 0)
      break;
    records_total += sent_all;
    log_debug("access: round %lld: %lld records exchanged", (long long)round, (long long)sent_all);
  }
  out->rounds = round + 1;
  out->records = records_total;

  /* Results: the label arrays become the result's tables, by the threads that own them. */
  struct access_clock co = access_clock_now();
  int64_t work[2] = {0, 0}, work_all[2], final_labels = 0;
  double cpu_cat = 0.0;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (int c = 0; c < n_cat; c++)
    access_cat_output(dg, &cat[c], k, c, out);
  for (int c = 0; c < n_cat; c++) {
    work[0] += cat[c].pops;
    work[1] += cat[c].expanded;
    cpu_cat += cat[c].cpu;
    final_labels += cat[c].final_labels;
  }
  access_clock_add(&ph_output, co, access_clock_now());
  /* The profile of this rank: where its time went (wall, user and system CPU seconds, minor
   * page faults per phase; the exchange's wall time is mostly waiting for the neighbours),
   * and the work: queue pops, label expansions (a label expanded again after a nearer one
   * replaced it counts twice: expansions minus final labels), records and bytes sent. */
  log_debug("access: rank %d profile: %lld rounds; wall/user/sys s (minor faults): init "
            "%.3f/%.3f/%.3f (%ld), search %.3f/%.3f/%.3f (%ld; thread cpu in categories "
            "%.3f), exchange %.3f/%.3f/%.3f (%ld; %lld naps), output %.3f/%.3f/%.3f (%ld); "
            "owned %d ghost %d; pops %lld, expansions %lld, re-expansions %lld, records sent "
            "%lld received %lld (%lld messages, %lld bytes)",
            dg->rank, (long long)(round + 1), ph_init.wall, ph_init.user, ph_init.sys,
            ph_init.minflt, ph_search.wall, ph_search.user, ph_search.sys, ph_search.minflt,
            cpu_cat, ph_exchange.wall, ph_exchange.user, ph_exchange.sys, ph_exchange.minflt,
            (long long)xch.st.sleeps, ph_output.wall, ph_output.user, ph_output.sys,
            ph_output.minflt, (int)dg->n_owned, (int)dg->n_ghost, (long long)work[0],
            (long long)work[1], (long long)(work[1] - final_labels), (long long)xch.st.rec_sent,
            (long long)xch.st.rec_recv, (long long)xch.st.msg_sent, (long long)xch.st.bytes_sent);
  if (MPI_Allreduce(work, work_all, 2, MPI_INT64_T, MPI_SUM, comm) != MPI_SUCCESS) {
    rc = lc_error_set(LC_EMPI, __FILE__, __LINE__, "access: MPI_Allreduce failed");
    goto done;
  }
  /* CPU seconds (user + system, all threads) of every rank in this call: their sum against
   * the one-rank figure tells the work added by the distribution, whatever the load. */
  struct access_clock c_end = access_clock_now();
  double cpu_mine = c_end.user + c_end.sys - c_start.user - c_start.sys, cpu_max = 0, cpu_sum = 0;
  if (MPI_Allreduce(&cpu_mine, &cpu_max, 1, MPI_DOUBLE, MPI_MAX, comm) != MPI_SUCCESS ||
      MPI_Allreduce(&cpu_mine, &cpu_sum, 1, MPI_DOUBLE, MPI_SUM, comm) != MPI_SUCCESS) {
    rc = lc_error_set(LC_EMPI, __FILE__, __LINE__, "access: MPI_Allreduce failed");
    goto done;
  }
  log_info("access: %d categories, k = %d, %d ranks x %d threads: %lld rounds, %lld records "
           "exchanged, %lld labels settled (%lld queue pops); on rank 0: search %.3f s, "
           "exchange %.3f s, output %.3f s, total %.3f s; CPU per rank %.3f s at most, "
           "%.3f s over all ranks",
           n_cat, k, size, threads, (long long)out->rounds, (long long)records_total,
           (long long)work_all[1], (long long)work_all[0], ph_search.wall, ph_exchange.wall,
           ph_output.wall, c_end.wall - t0, cpu_max, cpu_sum);
done:
  if (cat)
    for (int c = 0; c < n_cat; c++)
      access_cat_free(dg, &cat[c]);
  free(cat);
  free(outv);
  access_xch_free(&xch);
  if (rc != LC_OK)
    access_result_free(out);
  return rc;
}
