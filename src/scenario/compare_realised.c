/* Realised comparison of a scenario with the baseline: agents compared one by one by id
 * (see compare.h). Trips are routed to the rank owning a contiguous block of agent ids, so
 * the result does not depend on how trips were spread over the ranks. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lifecircle/agree.h"
#include "lifecircle/alloc.h"
#include "lifecircle/compare.h"
#include "lifecircle/status.h"

/* Every trip travels as three int64: agent, origin, and the packed fields below. */
#define REALISED_WORDS 3

int compare_trip_ok(int64_t outcome, int64_t depart_s, int64_t arrive_s, int64_t wait_s,
                    int64_t threshold_min) {
  return outcome >= 0 && outcome <= 2 && arrive_s + wait_s - depart_s <= threshold_min * 60;
}

void compare_realised_free(struct compare_realised *r) {
  compare_free(&r->cmp);
  for (int w = 0; w < 2; w++) {
    free(r->needed[w]);
    free(r->covered[w]);
  }
  memset(r, 0, sizeof *r);
}

static int64_t realised_pack(const struct compare_trip *t) {
  return (int64_t)t->cat | (int64_t)t->group << 16 | (int64_t)(t->which & 1) << 32 |
         (int64_t)(t->ok ? 1 : 0) << 33;
}

static int realised_cmp(const void *a, const void *b) {
  const int64_t *x = a, *y = b;
  if (x[0] != y[0])
    return x[0] < y[0] ? -1 : 1;
  int64_t cx = x[2] & 0xffff, cy = y[2] & 0xffff;
  if (cx != cy)
    return cx < cy ? -1 : 1;
  return 0;
}

/* Rank owning agent a: blocks of ceil(n / size) consecutive agent ids. */
static int realised_owner(int64_t a, int64_t n, int size) {
  int64_t block = (n + size - 1) / size;
  return (int)(a / (block > 0 ? block : 1));
}

/* Agents of r residents at one agent per `per` residents. */
static int64_t realised_count(int64_t r, int64_t per) { return r <= 0 ? 0 : (r + per - 1) / per; }

/* Routes the trips to the agent blocks; *recv receives REALISED_WORDS int64 per trip. */
static int realised_route(const struct compare_agents_spec *spec, int64_t n,
                          const struct compare_trip *trips, MPI_Comm comm, int64_t **recv,
                          int64_t *n_recv) {
  int size;
  MPI_Comm_size(comm, &size);
  int *sc = calloc((size_t)size, sizeof *sc), *rcnt = calloc((size_t)size, sizeof *rcnt);
  int *sd = calloc((size_t)size, sizeof *sd), *rd = calloc((size_t)size, sizeof *rd);
  int64_t *cnt = calloc((size_t)size, sizeof *cnt), *at = calloc((size_t)size, sizeof *at);
  int64_t *send = lc_malloc_array(n, REALISED_WORDS * sizeof *send);
  int st = sc && rcnt && sd && rd && cnt && at && send ? LC_OK : LC_ENOMEM;
  for (int64_t i = 0; st == LC_OK && i < n; i++) {
    const struct compare_trip *t = &trips[i];
    if (t->agent < 0 || t->agent >= spec->n_agents || t->origin < 0 || t->origin >= spec->n_nodes ||
        t->group < 0 || t->group >= spec->n_group || t->cat < 0 || t->cat >= spec->n_cat)
      st = lc_error_set(LC_EINVARIANT, __FILE__, __LINE__,
                        "realised comparison: a trip of agent %lld (home node %lld, group %d, "
                        "category %d) is outside the population (%lld agents, %lld nodes)",
                        (long long)t->agent, (long long)t->origin, (int)t->group, (int)t->cat,
                        (long long)spec->n_agents, (long long)spec->n_nodes);
    else
      cnt[realised_owner(t->agent, spec->n_agents, size)]++;
  }
  int64_t off = 0;
  for (int r = 0; st == LC_OK && r < size; r++) {
    if (cnt[r] * REALISED_WORDS > 0x7fffffff)
      st = lc_error_set(LC_ETOOBIG, __FILE__, __LINE__,
                        "realised comparison: too many trips for one rank's message");
    else {
      sc[r] = (int)(cnt[r] * REALISED_WORDS);
      sd[r] = (int)(off * REALISED_WORDS);
      at[r] = off;
      off += cnt[r];
    }
  }
  if (off * REALISED_WORDS > 0x7fffffff && st == LC_OK)
    st = lc_error_set(LC_ETOOBIG, __FILE__, __LINE__,
                      "realised comparison: too many trips on one rank");
  for (int64_t i = 0; st == LC_OK && i < n; i++) {
    const struct compare_trip *t = &trips[i];
    int64_t *w = send + REALISED_WORDS * at[realised_owner(t->agent, spec->n_agents, size)]++;
    w[0] = t->agent;
    w[1] = t->origin;
    w[2] = realised_pack(t);
  }
  st = lc_agree(comm, st);
  if (st == LC_OK && MPI_Alltoall(sc, 1, MPI_INT, rcnt, 1, MPI_INT, comm) != MPI_SUCCESS)
    st = lc_error_set(LC_EMPI, __FILE__, __LINE__, "realised comparison: MPI_Alltoall failed");
  int64_t total = 0;
  for (int r = 0; st == LC_OK && r < size; r++) {
    rd[r] = (int)total;
    total += rcnt[r];
    if (total > 0x7fffffff)
      st = lc_error_set(LC_ETOOBIG, __FILE__, __LINE__,
                        "realised comparison: too many trips for one rank");
  }
  st = lc_agree(comm, st);
  int64_t *buf = NULL;
  if (st == LC_OK) {
    buf = lc_malloc_array(total, sizeof *buf);
    st = lc_agree(comm, buf ? LC_OK : LC_ENOMEM);
  }
  if (st == LC_OK &&
      MPI_Alltoallv(send, sc, sd, MPI_INT64_T, buf, rcnt, rd, MPI_INT64_T, comm) != MPI_SUCCESS)
    st = lc_error_set(LC_EMPI, __FILE__, __LINE__, "realised comparison: MPI_Alltoallv failed");
  free(sc);
  free(rcnt);
  free(sd);
  free(rd);
  free(cnt);
  free(at);
  free(send);
  if (st != LC_OK) {
    free(buf);
    return st;
  }
  *recv = buf;
  *n_recv = total / REALISED_WORDS;
  return LC_OK;
}

/* Weight of agent a living at node o in group g: agents of a node and group are numbered
 * consecutively after those of the earlier nodes and groups; each stands for `per`
 * residents, the last one for the remainder. -1 when a is not an agent of (o, g). */
static int64_t realised_weight(const struct compare_agents_spec *spec, const int64_t *node_first,
                               int64_t a, int64_t o, int g) {
  int G = spec->n_group;
  int64_t per = spec->residents_per_agent;
  int64_t first = node_first[o];
  for (int h = 0; h < g; h++)
    first += realised_count(spec->by_group[o * G + h], per);
  int64_t r = spec->by_group[o * G + g], k = a - first;
  if (k < 0 || k >= realised_count(r, per))
    return -1;
  int64_t w = r - k * per;
  return w < per ? w : per;
}

int compare_realised_compute(const struct compare_agents_spec *spec, int64_t n,
                             const struct compare_trip *trips, MPI_Comm comm,
                             struct compare_realised *out) {
  memset(out, 0, sizeof *out);
  int R = spec->n_sub + 1, C = spec->n_cat, G = spec->n_group;
  size_t cells = (size_t)R * (size_t)C * (size_t)G;
  if (spec->residents_per_agent < 1)
    LC_FAIL(LC_EPARAM, "realised comparison: residents_per_agent %lld is not positive",
            (long long)spec->residents_per_agent);
  int64_t *recv = NULL, nr = 0;
  LC_CHECK(realised_route(spec, n, trips, comm, &recv, &nr));
  /* Tables: newly, no longer, needed (2), covered (2). */
  int64_t *tab = calloc(6 * cells + 1, sizeof *tab);
  int64_t *node_first = malloc((size_t)(spec->n_nodes + 1) * sizeof *node_first);
  int st = tab && node_first ? LC_OK : LC_ENOMEM;
  if (st == LC_OK) {
    node_first[0] = 0;
    for (int64_t i = 0; i < spec->n_nodes; i++) {
      int64_t k = 0;
      for (int g = 0; g < G; g++)
        k += realised_count(spec->by_group[i * G + g], spec->residents_per_agent);
      node_first[i + 1] = node_first[i] + k;
    }
    qsort(recv, (size_t)nr, REALISED_WORDS * sizeof *recv, realised_cmp);
  }
  int64_t *gain = tab, *loss = tab + cells, *need = tab + 2 * cells, *cov = tab + 4 * cells;
  for (int64_t i = 0; st == LC_OK && i < nr;) {
    const int64_t *t = recv + REALISED_WORDS * i;
    int64_t a = t[0], o = t[1];
    int c = (int)(t[2] & 0xffff), g = (int)(t[2] >> 16 & 0xffff);
    int present[2] = {0, 0}, ok[2] = {1, 1};
    int64_t j = i;
    for (; j < nr; j++) {
      const int64_t *u = recv + REALISED_WORDS * j;
      if (u[0] != a || (u[2] & 0xffff) != c)
        break;
      if (u[1] != o || (u[2] >> 16 & 0xffff) != g) {
        st = lc_error_set(LC_EINVARIANT, __FILE__, __LINE__,
                          "realised comparison: agent %lld has trips from two homes or groups",
                          (long long)a);
        break;
      }
      int w = (int)(u[2] >> 32 & 1);
      present[w] = 1;
      ok[w] &= (int)(u[2] >> 33 & 1);
    }
    if (st != LC_OK)
      break;
    int64_t wt = realised_weight(spec, node_first, a, o, g);
    if (wt < 0) {
      st = lc_error_set(LC_EINVARIANT, __FILE__, __LINE__,
                        "realised comparison: agent %lld is not an agent of node %lld, group %d",
                        (long long)a, (long long)o, g);
      break;
    }
    int rows[2];
    int nrow = coverage_rows(spec->subdistrict[o], spec->n_sub, rows);
    int in[2] = {present[0] && ok[0], present[1] && ok[1]};
    for (int r = 0; r < nrow; r++) {
      size_t k = ((size_t)rows[r] * C + c) * G + g;
      for (int w = 0; w < 2; w++) {
        need[w * cells + k] += present[w] ? wt : 0;
        cov[w * cells + k] += in[w] ? wt : 0;
      }
      if (in[1] && !in[0])
        gain[k] += wt;
      if (in[0] && !in[1])
        loss[k] += wt;
    }
    i = j;
  }
  free(recv);
  free(node_first);
  st = lc_agree(comm, st);
  if (st == LC_OK &&
      MPI_Allreduce(MPI_IN_PLACE, tab, (int)(6 * cells), MPI_INT64_T, MPI_SUM, comm) != MPI_SUCCESS)
    st = lc_error_set(LC_EMPI, __FILE__, __LINE__, "realised comparison: MPI_Allreduce failed");
  if (st == LC_OK) {
    size_t bytes = (cells > 0 ? cells : 1) * sizeof *tab;
    out->cmp.n_rows = R;
    out->cmp.n_cat = C;
    out->cmp.n_group = G;
    out->cmp.newly_covered = malloc(bytes);
    out->cmp.no_longer_covered = malloc(bytes);
    for (int w = 0; w < 2; w++) {
      out->needed[w] = malloc(bytes);
      out->covered[w] = malloc(bytes);
    }
    if (!out->cmp.newly_covered || !out->cmp.no_longer_covered || !out->needed[0] ||
        !out->needed[1] || !out->covered[0] || !out->covered[1]) {
      st = LC_ENOMEM;
    } else {
      memcpy(out->cmp.newly_covered, gain, cells * sizeof *tab);
      memcpy(out->cmp.no_longer_covered, loss, cells * sizeof *tab);
      for (int w = 0; w < 2; w++) {
        memcpy(out->needed[w], need + w * cells, cells * sizeof *tab);
        memcpy(out->covered[w], cov + w * cells, cells * sizeof *tab);
      }
    }
  }
  free(tab);
  st = lc_agree(comm, st);
  if (st != LC_OK)
    compare_realised_free(out);
  return st;
}
