/* The main job, phase two: partition, distributed accessibility kernel, coverage. */
#include <stdlib.h>
#include <string.h>

#include "lifecircle/cli.h"
#include "lifecircle/log.h"
#include "lifecircle/partition.h"
#include "lifecircle/run.h"
#include "lifecircle/status.h"

/* Vertex weights: one for the node itself, plus its residents and ten per facility on it
 * (the agent simulation's work follows residents and facility visits). */
static int run_weights(const struct run_ctx *rc, int64_t **out) {
  int64_t n = rc->g.n_nodes;
  int64_t *w = malloc((size_t)(n > 0 ? n : 1) * sizeof *w);
  if (!w)
    return LC_ENOMEM;
  for (int64_t i = 0; i < n; i++)
    w[i] = 1 + rc->pop.residents[i];
  for (int64_t f = 0; f < rc->fac.n; f++)
    if (!rc->fac.excluded[f])
      w[rc->fac.node[f]] += 10;
  *out = w;
  return LC_OK;
}

/* Sources of every category: the facilities that were not excluded. */
static int run_sources(const struct run_ctx *rc, struct access_sources *src, int64_t **store) {
  int C = rc->cats.n;
  int64_t n = rc->fac.n;
  int64_t *buf = malloc((size_t)(3 * (n > 0 ? n : 1)) * sizeof *buf);
  if (!buf)
    return LC_ENOMEM;
  int64_t at = 0;
  for (int c = 0; c < C; c++) {
    int64_t start = at;
    for (int64_t f = 0; f < n; f++)
      if (rc->fac.category[f] == c && !rc->fac.excluded[f])
        buf[at++] = f;
    int64_t cnt = at - start;
    src[c].n = cnt;
    src[c].fac = buf + start;
    src[c].node = NULL;
    src[c].offset_cm = NULL;
  }
  /* Node and offset arrays follow the facility ids, in the same order. */
  int64_t *node = buf + n, *off = buf + 2 * n;
  for (int64_t k = 0; k < at; k++) {
    node[k] = rc->fac.node[buf[k]];
    off[k] = rc->fac.snap_cm[buf[k]];
  }
  at = 0;
  for (int c = 0; c < C; c++) {
    src[c].node = node + at;
    src[c].offset_cm = off + at;
    at += src[c].n;
  }
  *store = buf;
  return LC_OK;
}

int run_access(struct run_ctx *rc) {
  int st = LC_OK;
  double t0 = MPI_Wtime();
  int64_t *w = NULL;
  rc->part = malloc((size_t)(rc->g.n_nodes > 0 ? rc->g.n_nodes : 1) * sizeof *rc->part);
  if (!rc->part)
    st = LC_ENOMEM;
  if (st == LC_OK && rc->part_weights)
    st = run_weights(rc, &w);
  st = cli_agree(st);
  if (st == LC_OK)
    st = partition_build(&rc->g, w, rc->size, (int)rc->part_seed, rc->comm, rc->part);
  free(w);
  if (st == LC_OK)
    st = dgraph_build(&rc->g, rc->part, rc->comm, &rc->dg);
  if (st != LC_OK)
    return st;
  rc->t_partition = MPI_Wtime() - t0;
  log_info("partition: %d parts (METIS seed %ld), %d owned and %d ghost nodes on rank 0",
           rc->size, rc->part_seed, (int)rc->dg.n_owned, (int)rc->dg.n_ghost);

  t0 = MPI_Wtime();
  int C = rc->cats.n;
  struct access_sources *src = calloc((size_t)(C > 0 ? C : 1), sizeof *src);
  int64_t *store = NULL;
  st = src ? run_sources(rc, src, &store) : LC_ENOMEM;
  st = cli_agree(st);
  if (st == LC_OK)
    st = access_run(&rc->dg, C, src, rc->radius_cm, (int)rc->k, &rc->acc, rc->comm);
  free(store);
  free(src);
  if (st != LC_OK)
    return st;
  rc->t_access = MPI_Wtime() - t0;
  log_info("accessibility: %d categories, k = %ld, %lld rounds, %lld records exchanged, "
           "%.3f s",
           C, rc->k, (long long)rc->acc.rounds, (long long)rc->acc.records, rc->t_access);

  /* Coverage from the nearest facility of every owned node. */
  t0 = MPI_Wtime();
  int64_t n = rc->dg.n_owned;
  int G = rc->groups.n;
  rc->nearest = calloc((size_t)(C > 0 ? C : 1), sizeof *rc->nearest);
  int64_t *near = malloc((size_t)(C * n > 0 ? C * n : 1) * sizeof *near);
  int64_t *res = malloc((size_t)(n * G > 0 ? n * G : 1) * sizeof *res);
  int32_t *sub = malloc((size_t)(n > 0 ? n : 1) * sizeof *sub);
  int *thr = malloc((size_t)(C > 0 ? C : 1) * sizeof *thr);
  int *ess = malloc((size_t)(C > 0 ? C : 1) * sizeof *ess);
  double *target = malloc((size_t)(C > 0 ? C : 1) * sizeof *target);
  double *speed = malloc((size_t)(G > 0 ? G : 1) * sizeof *speed);
  st = rc->nearest && near && res && sub && thr && ess && target && speed ? LC_OK : LC_ENOMEM;
  int64_t max_r = 0;
  if (st == LC_OK) {
    for (int c = 0; c < C; c++) {
      rc->nearest[c] = near + (size_t)c * n;
      for (int64_t i = 0; i < n; i++)
        rc->nearest[c][i] = rc->acc.dist_cm[c][i * rc->k];
      thr[c] = rc->cats.c[c].threshold_min;
      ess[c] = rc->cats.c[c].essential;
      target[c] = rc->cats.c[c].target_share;
      if (rc->radius_cm[c] / 100 > max_r)
        max_r = rc->radius_cm[c] / 100;
    }
    for (int g = 0; g < G; g++)
      speed[g] = rc->groups.g[g].speed_m_s;
    for (int64_t i = 0; i < n; i++) {
      int64_t gid = rc->dg.global[i];
      sub[i] = rc->pop.subdistrict[gid];
      for (int g = 0; g < G; g++)
        res[i * G + g] = rc->pop.by_group[gid * G + g];
    }
  }
  st = cli_agree(st);
  if (st == LC_OK) {
    struct coverage_spec spec = {rc->subs.n, C, G, thr, target, ess, rc->serves, speed, max_r};
    const int64_t *const *nv = (const int64_t *const *)rc->nearest;
    st = coverage_compute(&spec, n, nv, res, sub, rc->comm, &rc->cov);
  }
  /* The nearest arrays stay for the results; the block they live in is freed with them. */
  if (st != LC_OK) {
    free(near);
    if (rc->nearest)
      rc->nearest[0] = NULL;
  }
  free(res);
  free(sub);
  free(thr);
  free(ess);
  free(target);
  free(speed);
  rc->t_coverage = MPI_Wtime() - t0;
  return st;
}
