/* The main job, phase two: partition once, then accessibility and coverage per scenario. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lifecircle/agree.h"
#include "lifecircle/alloc.h"
#include "lifecircle/e2sfca.h"
#include "lifecircle/log.h"
#include "lifecircle/partition.h"
#include "lifecircle/status.h"
#include "run.h"

/* Vertex weights: one for the node itself, plus its residents and ten per facility on it
 * (the agent simulation's work follows residents and facility visits). */
static int run_weights(const struct run_ctx *run, int64_t **out) {
  int64_t n = run->g.n_nodes;
  int64_t *w = lc_malloc_array(n, sizeof *w);
  if (!w)
    return LC_ENOMEM;
  for (int64_t i = 0; i < n; i++)
    w[i] = 1 + run->pop.residents[i];
  for (int64_t f = 0; f < run->fac.n; f++)
    if (!run->fac.excluded[f])
      w[run->fac.node[f]] += 10;
  *out = w;
  return LC_OK;
}

int run_partition(struct run_ctx *run) {
  double t0 = MPI_Wtime();
  int64_t *w = NULL;
  int st = run_fault(run, "partition");
  run->part = lc_malloc_array(run->g.n_nodes, sizeof *run->part);
  if (st == LC_OK && !run->part)
    st = LC_ENOMEM;
  if (st == LC_OK && run->part_weights)
    st = run_weights(run, &w);
  st = lc_agree(run->comm, st);
  if (st == LC_OK)
    st = partition_build(&run->g, w, run->size, (int)run->part_seed, run->comm, run->part);
  free(w);
  if (st == LC_OK)
    st = dgraph_build(&run->g, run->part, run->comm, &run->dg);
  if (st != LC_OK)
    return st;
  run->t_partition = MPI_Wtime() - t0;
  log_info("partition: %d parts (METIS seed %ld), %d owned and %d ghost nodes on rank 0", run->size,
           run->part_seed, (int)run->dg.n_owned, (int)run->dg.n_ghost);
  return LC_OK;
}

/* Sources of the categories flagged in `which`, in facility row order. `cat_of` receives the
 * category of each source list. Returns the number of lists. */
static int run_sources(const struct facility_set *fs, int n_cat, const uint8_t *which,
                       struct access_sources *src, int *cat_of, int64_t **store) {
  int64_t n = fs->n;
  int64_t *buf = lc_malloc_array(n, 3 * sizeof *buf);
  if (!buf)
    return -1;
  int64_t *fac = buf, *node = buf + n, *off = buf + 2 * n;
  int64_t at = 0;
  int lists = 0;
  for (int c = 0; c < n_cat; c++) {
    if (!which[c])
      continue;
    int64_t start = at;
    for (int64_t f = 0; f < n; f++)
      if (fs->category[f] == c && !fs->excluded[f]) {
        fac[at] = f;
        node[at] = fs->node[f];
        off[at] = fs->snap_cm[f];
        at++;
      }
    src[lists] = (struct access_sources){at - start, node + start, fac + start, off + start};
    cat_of[lists++] = c;
  }
  *store = buf;
  return lists;
}

/* Runs the kernel for the categories flagged in `which` and stores their results in out's
 * slots; other slots are left alone. */
static int run_kernel(struct run_ctx *run, struct run_scen *s, const uint8_t *which,
                      struct access_result *out) {
  int C = run->cats.n;
  struct access_sources *src = lc_calloc_array(C, sizeof *src);
  int *cat_of = lc_malloc_array(C, sizeof *cat_of);
  int64_t *radius = lc_malloc_array(C, sizeof *radius);
  int64_t *store = NULL;
  int lists = (src && cat_of && radius) ? run_sources(s->facp, C, which, src, cat_of, &store) : -1;
  int st = lc_agree(run->comm, lists < 0 ? LC_ENOMEM : LC_OK);
  struct access_result part;
  memset(&part, 0, sizeof part);
  if (st == LC_OK && lists > 0) {
    for (int l = 0; l < lists; l++)
      radius[l] = run->radius_cm[cat_of[l]];
    st = access_run(s->dgp, lists, src, radius, (int)run->k, &part, run->comm);
    if (st == LC_OK) {
      for (int l = 0; l < lists; l++) {
        int c = cat_of[l];
        access_table_free(&out->t[c]);
        out->t[c] = part.t[l];
        memset(&part.t[l], 0, sizeof part.t[l]);
      }
      out->rounds += part.rounds;
      out->records += part.records;
    }
    access_result_free(&part);
  }
  free(store);
  free(src);
  free(cat_of);
  free(radius);
  return st;
}

/* An empty result with a slot per category, to be filled by run_kernel or by copies. */
static int run_result_init(const struct run_ctx *run, const struct run_scen *s,
                           struct access_result *out) {
  int C = run->cats.n;
  memset(out, 0, sizeof *out);
  out->n_cat = C;
  out->k = (int)run->k;
  out->n_nodes = s->dgp->n_owned;
  out->t = lc_calloc_array(C, sizeof *out->t);
  if (!out->t) {
    access_result_free(out);
    return LC_ENOMEM;
  }
  return LC_OK;
}

/* Lends the baseline's result of category c to a scenario that does not change it: the
 * array is shared, never written, and not freed with the scenario. */
static void run_result_borrow(const struct run_ctx *run, int c, struct run_scen *s) {
  s->acc.t[c] = run->base.acc.t[c];
  s->borrowed[c] = 1;
}

/* E2SFCA of every category with data, per owned node and per row (e2sfca.h), warning where
 * Accessibility:k truncates catchments. */
static int run_e2sfca(struct run_ctx *run, struct run_scen *s, const int64_t *res,
                      const int32_t *sub, const int8_t *status) {
  int C = run->cats.n, R = run->subs.n + 1;
  int64_t n = s->dgp->n_owned;
  s->e2sfca = lc_malloc_array(n * C, sizeof *s->e2sfca);
  s->e2sfca_rows = lc_malloc_array(R * C, sizeof *s->e2sfca_rows);
  int64_t *trunc = lc_malloc_array(C, sizeof *trunc);
  int8_t *skip = lc_malloc_array(C, 1);
  int st = lc_agree(run->comm, s->e2sfca && s->e2sfca_rows && trunc && skip ? LC_OK : LC_ENOMEM);
  if (st == LC_OK) {
    for (int c = 0; c < C; c++)
      skip[c] = status[c] == COVERAGE_DATA_NONE;
    struct e2sfca_spec spec = {run->subs.n,    C,    run->groups.n, (int)run->k,      run->serves,
                               run->radius_cm, skip, s->facp->n,    s->facp->capacity};
    st = e2sfca_compute(&spec, n, s->acc.t, res, sub, run->comm, s->e2sfca, s->e2sfca_rows, trunc);
  }
  /* One line naming every category whose lists were full at some node with demand. */
  char line[2048];
  size_t at = 0;
  line[0] = '\0';
  for (int c = 0; c < C && st == LC_OK; c++)
    if (trunc[c] > 0 && at < sizeof line)
      at += (size_t)snprintf(line + at, sizeof line - at, "%s%s at %lld nodes", at ? ", " : "",
                             run->cats.c[c].id, (long long)trunc[c]);
  if (st == LC_OK && at > 0)
    log_warn("%s: E2SFCA: catchment lists full (Accessibility:k = %ld) at nodes with residents "
             "served: %s; facilities beyond the k nearest within the radius are left out there "
             "(raise Accessibility:k for the full catchments)",
             s->name, run->k, line);
  free(trunc);
  free(skip);
  return st;
}

/* Coverage of a scenario from its nearest distances; categories not flagged in `which`
 * (NULL: all are) reuse the baseline's tables. The nearest distances of a category are
 * copied out of the catchment lists (whose entries hold 32-bit distances) into near_store,
 * except for a category borrowed from the baseline, whose nearest distances are the
 * baseline's own array (the baseline lives for the whole run, on the same nodes). */
static int run_coverage(struct run_ctx *run, struct run_scen *s, const uint8_t *which) {
  int C = run->cats.n, G = run->groups.n;
  int64_t n = s->dgp->n_owned, n_copy = 0;
  for (int c = 0; c < C; c++)
    n_copy += !(s->borrowed && s->borrowed[c]);
  s->nearest = lc_calloc_array(C, sizeof *s->nearest);
  s->near_store = lc_malloc_array(n_copy * n, sizeof *s->near_store);
  int64_t *res = lc_malloc_array(n * G, sizeof *res);
  int32_t *sub = lc_malloc_array(n, sizeof *sub);
  int *thr = lc_malloc_array(C, sizeof *thr);
  int *ess = lc_malloc_array(C, sizeof *ess);
  double *target = lc_malloc_array(C, sizeof *target);
  double *speed = lc_malloc_array(G, sizeof *speed);
  int st = s->nearest && s->near_store && res && sub && thr && ess && target && speed ? LC_OK
                                                                                      : LC_ENOMEM;
  int64_t max_r = 0;
  if (st == LC_OK) {
    for (int c = 0, slot = 0; c < C; c++) {
      if (s->borrowed && s->borrowed[c]) {
        s->nearest[c] = run->base.nearest[c];
      } else {
        s->nearest[c] = s->near_store + (size_t)slot++ * (size_t)n;
        for (int64_t i = 0; i < n; i++)
          s->nearest[c][i] = access_get(&s->acc.t[c], i * run->k).dist_cm;
      }
      thr[c] = run->cats.c[c].threshold_min;
      ess[c] = run->cats.c[c].essential;
      target[c] = run->cats.c[c].target_share;
      if (run->radius_cm[c] / 100 > max_r)
        max_r = run->radius_cm[c] / 100;
    }
    for (int g = 0; g < G; g++)
      speed[g] = run->groups.g[g].speed_m_s;
    for (int64_t i = 0; i < n; i++) {
      int64_t gid = s->dgp->global[i];
      sub[i] = s->popp->subdistrict[gid];
      for (int g = 0; g < G; g++)
        res[i * G + g] = s->popp->by_group[gid * G + g];
    }
  }
  int8_t *status = lc_malloc_array(C, 1);
  s->data_reason = lc_calloc_array(C, sizeof *s->data_reason);
  if (st == LC_OK)
    st = status && s->data_reason ? run_data_status(run, s->facp, status, s->data_reason)
                                  : LC_ENOMEM;
  if (st == LC_OK)
    run_data_log(run, s->name, s->data_reason);
  st = lc_agree(run->comm, st);
  if (st == LC_OK) {
    struct coverage_spec spec = {run->subs.n, C,           G,     thr,   target,
                                 ess,         run->serves, speed, max_r, status};
    st = coverage_compute_partial(&spec, n, (const int64_t *const *)s->nearest, res, sub, which,
                                  which ? &run->base.cov : NULL, run->comm, &s->cov);
  }
  if (st == LC_OK)
    st = run_e2sfca(run, s, res, sub, status);
  free(res);
  free(sub);
  free(thr);
  free(ess);
  free(target);
  free(speed);
  free(status);
  return st;
}

/* The label a scenario's log lines carry when its file says `illustrative: true`. */
static const char *run_illustrative(const struct run_scen *s) {
  return s->sc && s->sc->illustrative ? " (ILLUSTRATIVE)" : "";
}

int run_scenario_compute(struct run_ctx *run, struct run_scen *s) {
  int C = run->cats.n;
  double t0 = MPI_Wtime();
  int st = run_fault(run, "accessibility");
  uint8_t *which = lc_calloc_array(C, 1);
  if (!s->popp)
    s->popp = &run->pop;
  if (st == LC_OK && !which)
    st = LC_ENOMEM;
  if (st == LC_OK && s->index > 0) {
    /* Apply the edits; every rank applies them identically. */
    st = scenario_apply(s->sc, &run->cats, &run->g, &run->fac, run->max_snap_m, &s->g, &s->fac,
                        &s->eff);
    if (st == LC_OK) {
      s->facp = &s->fac;
      s->dgp = &run->dg;
      st = scenario_apply_population(s->sc, &run->g, &run->pop, &run->groups, run->max_snap_m,
                                     &s->pop, &s->eff);
    }
    if (st == LC_OK && s->eff.population_changed) {
      s->popp = &s->pop;
      log_info("%s%s: %lld residents added and %lld removed by housing edits", s->name,
               run_illustrative(s), (long long)s->eff.residents_added,
               (long long)s->eff.residents_removed);
    }
  }
  st = lc_agree(run->comm, st);
  if (st == LC_OK && s->index > 0 && s->eff.network_changed) {
    st = dgraph_build(&s->g, run->part, run->comm, &s->dg);
    if (st == LC_OK)
      s->dgp = &s->dg;
  }
  if (st == LC_OK) {
    s->borrowed = lc_calloc_array(C, 1);
    st = lc_agree(run->comm, s->borrowed ? run_result_init(run, s, &s->acc) : LC_ENOMEM);
  }
  int recomputed = 0;
  if (st == LC_OK) {
    for (int c = 0; c < C; c++) {
      which[c] = s->index == 0 || s->eff.network_changed || s->eff.category_changed[c];
      recomputed += which[c];
      if (!which[c])
        run_result_borrow(run, c, s);
    }
  }
  if (st == LC_OK)
    st = run_kernel(run, s, which, &s->acc);
  if (st != LC_OK) {
    free(which);
    return st;
  }
  double t_acc = MPI_Wtime() - t0;
  run->t_access += t_acc;
  log_info("%s%s: accessibility of %d of %d categories recomputed (the rest reused), "
           "%lld rounds, %lld records exchanged, %.3f s",
           s->name, run_illustrative(s), recomputed, C, (long long)s->acc.rounds,
           (long long)s->acc.records, t_acc);
  t0 = MPI_Wtime();
  /* Changed residents change every category's coverage (not its accessibility). */
  st = run_coverage(run, s, s->index > 0 && !s->eff.population_changed ? which : NULL);
  free(which);
  run->t_coverage += MPI_Wtime() - t0;
  return st;
}

/* The inputs of the agent simulation for a computed scenario. */
static void run_agents_input(struct run_ctx *run, const struct run_scen *s,
                             struct agents_input *in) {
  memset(in, 0, sizeof *in);
  in->cfg = &run->agents;
  in->dg = s->dgp;
  in->part = run->part;
  in->acc = &s->acc;
  in->fac = s->facp;
  in->pop = s->popp;
  in->base_pop = s->popp != &run->pop ? &run->pop : NULL;
  in->groups = &run->groups;
  in->cats = &run->cats;
  in->cov = NULL;
  in->seed = (uint64_t)run->seed;
}

int run_scenario_agents(struct run_ctx *run, struct run_scen *s) {
  if (!run->agents.enabled)
    return lc_agree(run->comm, run_fault(run, "agents"));
  double t0 = MPI_Wtime();
  LC_CHECK(lc_agree(run->comm, run_fault(run, "agents")));
  struct agents_input in;
  run_agents_input(run, s, &in);
  LC_CHECK(agents_run(&in, run->comm, &s->agents));
  s->agents_done = 1;
  LC_CHECK(agents_run_design(&in, run->comm, &s->agents));
  double t = MPI_Wtime() - t0;
  run->t_agents += t;
  log_info("%s%s: agent day simulated in %.2f s", s->name, run_illustrative(s), t);
  return LC_OK;
}

int run_scenario_write_agents(struct run_ctx *run, struct results *res, const struct run_scen *s,
                              const char *group) {
  if (!s->agents_done)
    return LC_OK;
  struct agents_input in;
  run_agents_input(run, s, &in);
  return agents_write(res, group, &in, &s->agents);
}

void run_scenario_free(struct run_scen *s) {
  if (s->agents_done)
    agents_output_free(&s->agents);
  s->agents_done = 0;
  coverage_free(&s->cov);
  for (int c = 0; s->data_reason && c < s->acc.n_cat; c++)
    free(s->data_reason[c]);
  free(s->data_reason);
  s->data_reason = NULL;
  free(s->e2sfca);
  free(s->e2sfca_rows);
  s->e2sfca = s->e2sfca_rows = NULL;
  free(s->nearest);
  free(s->near_store);
  for (int c = 0; s->borrowed && c < s->acc.n_cat; c++)
    if (s->borrowed[c])
      memset(&s->acc.t[c], 0, sizeof s->acc.t[c]);
  free(s->borrowed);
  s->borrowed = NULL;
  access_result_free(&s->acc);
  if (s->dgp == &s->dg)
    dgraph_free(&s->dg);
  if (s->index > 0) {
    if (s->popp == &s->pop)
      population_free(&s->pop);
    s->popp = NULL;
    facility_free(&s->fac);
    graph_free(&s->g);
    scenario_effect_free(&s->eff);
  }
  s->nearest = NULL;
  s->near_store = NULL;
  s->dgp = NULL;
}
