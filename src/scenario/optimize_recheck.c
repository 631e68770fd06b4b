/* The agent-simulation re-check of optimize's chosen sites (see optimize_recheck.h): drives
 * the same phases as `lifecircle run` (run.h) on the baseline and on the scenario adding the
 * sites, then reads each site's load from FacilityLoad (rank 0) and from the trips settled at
 * it (all on the rank that owns its node), and compares realised coverage agent by agent. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "agents_internal.h"
#include "cli.h"
#include "lifecircle/agree.h"
#include "lifecircle/alloc.h"
#include "lifecircle/compare.h"
#include "lifecircle/log.h"
#include "lifecircle/optimize_recheck.h"
#include "lifecircle/status.h"

/* Trip-based sums (reduced by MPI_SUM) and maxima (MPI_MAX) per site. */
#define RECHECK_SUMS 5 /* waited, wait_sum_s, fallback_in, gave_up, busy_s */
#define RECHECK_MAXS 2 /* wait_max_s, peak_present */

void optimize_recheck_free(struct optimize_recheck *r) {
  free(r->site);
  memset(r, 0, sizeof *r);
}

static void recheck_scen_init(struct run_scen *s, struct run_ctx *run, int index,
                              const struct scenario *sc) {
  memset(s, 0, sizeof *s);
  s->index = index;
  s->sc = sc;
  s->name = sc ? sc->name : "baseline";
  s->facp = &run->fac;
  s->dgp = &run->dg;
}

struct recheck_mark {
  int32_t t, delta;
};

static int recheck_mark_cmp(const void *a, const void *b) {
  const struct recheck_mark *x = a, *y = b;
  if (x->t != y->t)
    return x->t < y->t ? -1 : 1;
  return x->delta - y->delta; /* Departures (-1) before arrivals (+1) at the same second. */
}

/* Sums and maxima over the trips this rank settled at the sites (rows first .. first+n-1). */
static int recheck_trip_stats(const struct agents_trips *tr, int64_t first, int n, int64_t *sums,
                              int64_t *maxs) {
  int64_t *cnt = calloc((size_t)n + 1, sizeof *cnt);
  if (!cnt)
    return LC_ENOMEM;
  for (int64_t i = 0; i < tr->n; i++) {
    const struct agents_trip *t = agents_trips_at(tr, i);
    int64_t k = (int64_t)t->fac - first;
    if (k < 0 || k >= n)
      continue;
    if (t->outcome == AGENTS_FAILED) {
      sums[k * RECHECK_SUMS + 3]++;
      continue;
    }
    cnt[k]++;
    int64_t *s = sums + k * RECHECK_SUMS, *m = maxs + k * RECHECK_MAXS;
    s[0] += t->wait_s > 0;
    s[1] += t->wait_s;
    s[2] += t->outcome == AGENTS_REDIRECTED;
    s[4] += (int64_t)t->end_s - ((int64_t)t->arrive_s + t->wait_s);
    if (t->wait_s > m[0])
      m[0] = t->wait_s;
  }
  /* Agents present at a site: from arrival to the end of service, served ones only. */
  for (int k = 0; k < n; k++) {
    if (cnt[k] == 0)
      continue;
    struct recheck_mark *mk = malloc((size_t)(2 * cnt[k]) * sizeof *mk);
    if (!mk) {
      free(cnt);
      return LC_ENOMEM;
    }
    int64_t at = 0;
    for (int64_t i = 0; i < tr->n; i++) {
      const struct agents_trip *t = agents_trips_at(tr, i);
      if ((int64_t)t->fac - first != k || t->outcome == AGENTS_FAILED)
        continue;
      mk[at++] = (struct recheck_mark){t->arrive_s, 1};
      mk[at++] = (struct recheck_mark){t->end_s, -1};
    }
    qsort(mk, (size_t)at, sizeof *mk, recheck_mark_cmp);
    int64_t cur = 0, peak = 0;
    for (int64_t i = 0; i < at; i++) {
      cur += mk[i].delta;
      if (cur > peak)
        peak = cur;
    }
    maxs[k * RECHECK_MAXS + 1] = peak;
    free(mk);
  }
  free(cnt);
  return LC_OK;
}

/* Each site's load and the reductions of the trip statistics. */
static int recheck_sites(struct run_ctx *run, const struct run_scen *s, int cat, int n,
                         const int64_t *expect_node, struct optimize_recheck *out) {
  const struct facility_set *fs = &s->fac;
  int64_t first = fs->n - n;
  const struct agents_output *ao = &s->agents;
  int st = LC_OK;
  if (first < run->fac.n)
    st = lc_error_set(LC_EINVARIANT, __FILE__, __LINE__,
                      "optimize: the scenario has %" PRId64 " facilities, fewer than the "
                      "baseline's %" PRId64 " plus %d sites",
                      fs->n, run->fac.n, n);
  for (int i = 0; st == LC_OK && i < n; i++) {
    int64_t f = first + i;
    if (fs->category[f] != cat || fs->excluded[f])
      st = lc_error_set(LC_EINVARIANT, __FILE__, __LINE__,
                        "optimize: facility row %" PRId64 " of the scenario is not site %d", f,
                        i + 1);
  }
  st = lc_agree(run->comm, st);
  if (st != LC_OK)
    return st;
  out->n_sites = n;
  out->site = lc_calloc_array(n, sizeof *out->site);
  int64_t *sums = lc_calloc_array(n, RECHECK_SUMS * sizeof *sums);
  int64_t *maxs = lc_calloc_array(n, RECHECK_MAXS * sizeof *maxs);
  int64_t *load = lc_calloc_array(n, 4 * sizeof *load);
  st = out->site && sums && maxs && load ? LC_OK : LC_ENOMEM;
  if (st == LC_OK)
    st = recheck_trip_stats(&ao->trips, first, n, sums, maxs);
  st = lc_agree(run->comm, st);
  if (st == LC_OK && (MPI_Allreduce(MPI_IN_PLACE, sums, n * RECHECK_SUMS, MPI_INT64_T, MPI_SUM,
                                    run->comm) != MPI_SUCCESS ||
                      MPI_Allreduce(MPI_IN_PLACE, maxs, n * RECHECK_MAXS, MPI_INT64_T, MPI_MAX,
                                    run->comm) != MPI_SUCCESS))
    st = lc_error_set(LC_EMPI, __FILE__, __LINE__, "optimize: MPI_Allreduce failed");
  /* FacilityLoad is complete on rank 0: arrivals, served, peak queue, refused blocks. */
  if (st == LC_OK && run->rank == 0 && ao->load) {
    int64_t FT = ao->n_fac * ao->n_bins;
    for (int i = 0; i < n; i++)
      for (int b = 0; b < ao->n_bins; b++) {
        int64_t at = (first + i) * ao->n_bins + b;
        load[i * 4 + 0] += ao->load[at];
        load[i * 4 + 1] += ao->load[FT + at];
        if (ao->load[2 * FT + at] > load[i * 4 + 2])
          load[i * 4 + 2] = ao->load[2 * FT + at];
        load[i * 4 + 3] += ao->load[3 * FT + at];
      }
  }
  if (st == LC_OK && MPI_Bcast(load, 4 * n, MPI_INT64_T, 0, run->comm) != MPI_SUCCESS)
    st = lc_error_set(LC_EMPI, __FILE__, __LINE__, "optimize: MPI_Bcast failed");
  for (int i = 0; st == LC_OK && i < n; i++) {
    struct optimize_site_load *x = &out->site[i];
    int64_t f = first + i;
    x->row = f;
    x->node = fs->node[f];
    x->capacity = fs->capacity[f];
    x->open_s = ((int64_t)fs->close_min[f] - fs->open_min[f]) * 60;
    x->arrivals = load[i * 4 + 0];
    x->served = load[i * 4 + 1];
    x->peak_queue = load[i * 4 + 2];
    x->refused = load[i * 4 + 3];
    x->waited = sums[i * RECHECK_SUMS + 0];
    x->wait_sum_s = sums[i * RECHECK_SUMS + 1];
    x->fallback_in = sums[i * RECHECK_SUMS + 2];
    x->gave_up = sums[i * RECHECK_SUMS + 3];
    x->busy_s = sums[i * RECHECK_SUMS + 4];
    x->wait_max_s = maxs[i * RECHECK_MAXS + 0];
    x->peak_present = maxs[i * RECHECK_MAXS + 1];
    x->over_capacity = x->capacity > 0 && (x->peak_queue > 0 || x->refused > 0);
    if (expect_node && expect_node[i] != x->node && run->rank == 0)
      log_warn("optimize: site %d snapped to node %" PRId64 " in the scenario, chosen at node "
               "%" PRId64 " (its coordinates as written are nearer to another node)",
               i + 1, x->node, expect_node[i]);
  }
  free(sums);
  free(maxs);
  free(load);
  return st;
}

/* Static and realised gains of category `cat` over the served groups, whole area. */
static int recheck_gains(struct run_ctx *run, const struct run_scen *b, const struct run_scen *s,
                         int cat, struct optimize_recheck *out) {
  int C = run->cats.n, G = run->groups.n, S = run->pop.n_subdistricts, R = S + 1;
  int64_t nb = b->agents.trips.n, ns = s->agents.trips.n, n = b->dgp->n_owned;
  struct compare_trip *t = malloc((size_t)(nb + ns + 1) * sizeof *t);
  int *thr = lc_malloc_array(C, sizeof *thr);
  double *speed = lc_malloc_array(G, sizeof *speed);
  int64_t *res = lc_malloc_array(n * G, sizeof *res);
  int32_t *sub = lc_malloc_array(n, sizeof *sub);
  int st = t && thr && speed && res && sub ? LC_OK : LC_ENOMEM;
  struct comparison sc;
  struct compare_realised cr;
  memset(&sc, 0, sizeof sc);
  memset(&cr, 0, sizeof cr);
  if (st == LC_OK) {
    for (int c = 0; c < C; c++)
      thr[c] = run->cats.c[c].threshold_min;
    for (int g = 0; g < G; g++)
      speed[g] = run->groups.g[g].speed_m_s;
    for (int64_t i = 0; i < n; i++) {
      int64_t gid = b->dgp->global[i];
      sub[i] = run->pop.subdistrict[gid];
      for (int g = 0; g < G; g++)
        res[i * G + g] = run->pop.by_group[gid * G + g];
    }
    for (int w = 0; w < 2; w++) {
      const struct agents_trips *tr = w ? &s->agents.trips : &b->agents.trips;
      for (int64_t i = 0; i < tr->n; i++) {
        const struct agents_trip *x = agents_trips_at(tr, i);
        struct compare_trip *y = &t[w ? nb + i : i];
        y->agent = x->agent;
        y->origin = x->origin;
        y->group = x->group;
        y->cat = x->cat;
        y->which = w;
        y->ok = compare_trip_ok(x->outcome, x->depart_s, x->arrive_s, x->wait_s, thr[x->cat]);
      }
    }
  }
  st = lc_agree(run->comm, st);
  if (st == LC_OK) {
    struct coverage_spec spec = {S, C, G, thr, NULL, NULL, run->serves, speed, 0, NULL};
    st = compare_compute(&spec, n, (const int64_t *const *)b->nearest,
                         (const int64_t *const *)s->nearest, res, sub, run->comm, &sc);
  }
  if (st == LC_OK) {
    struct compare_agents_spec spec = {S,
                                       C,
                                       G,
                                       run->g.n_nodes,
                                       run->pop.by_group,
                                       run->pop.subdistrict,
                                       run->agents.residents_per_agent,
                                       b->agents.stats.agents};
    st = compare_realised_compute(&spec, nb + ns, t, run->comm, &cr);
  }
  /* The recount from the trips must equal the simulation's own realised coverage. */
  size_t cells = (size_t)R * C * G;
  for (int w = 0; st == LC_OK && w < 2; w++) {
    const struct agents_output *ao = w ? &s->agents : &b->agents;
    for (size_t k = 0; k < cells; k++)
      if (cr.needed[w][k] != ao->needed[k] || cr.covered[w][k] != ao->covered[k]) {
        st = lc_error_set(LC_EINVARIANT, __FILE__, __LINE__,
                          "optimize: realised coverage recounted from the trips of the %s "
                          "differs from the simulation's (cell %zu)",
                          w ? "scenario" : "baseline", k);
        break;
      }
  }
  if (st == LC_OK) {
    out->agents = b->agents.stats.agents;
    for (int g = 0; g < G; g++) {
      if (!run->serves[cat * G + g])
        continue;
      size_t k = ((size_t)(R - 1) * C + cat) * G + g;
      out->static_newly += sc.newly_covered[k];
      out->static_lost += sc.no_longer_covered[k];
      out->realised_newly += cr.cmp.newly_covered[k];
      out->realised_lost += cr.cmp.no_longer_covered[k];
      out->realised_needed += cr.needed[0][k];
      out->realised_covered_before += cr.covered[0][k];
      out->realised_covered_after += cr.covered[1][k];
    }
  }
  compare_free(&sc);
  compare_realised_free(&cr);
  free(t);
  free(thr);
  free(speed);
  free(res);
  free(sub);
  return st;
}

int optimize_recheck_run(struct run_ctx *run, const char *scenario_path, int cat, int n_sites,
                         const int64_t *expect_node, struct optimize_recheck *out) {
  memset(out, 0, sizeof *out);
  if (!run->agents.enabled) {
    log_info("optimize --recheck-agents: Agents:enabled is false in the parameters; the "
             "agent simulation runs for the re-check only");
    run->agents.enabled = 1;
    LC_CHECK(lc_agree(run->comm, agents_prepare(&run->agents, &run->cats, &run->groups)));
  }
  run->agents.trips = 1; /* Waits and peaks per site come from the trips. */
  struct scenario sc;
  memset(&sc, 0, sizeof sc);
  int st = lc_agree(run->comm, scenario_load(scenario_path, &run->cats, &sc));
  if (st != LC_OK)
    return st;
  struct run_scen s;
  recheck_scen_init(&s, run, 1, &sc);
  recheck_scen_init(&run->base, run, 0, NULL);
  st = run_partition(run);
  if (st == LC_OK)
    st = run_scenario_compute(run, &run->base);
  if (st == LC_OK)
    st = run_scenario_agents(run, &run->base);
  if (st == LC_OK)
    st = run_scenario_compute(run, &s);
  if (st == LC_OK)
    st = run_scenario_agents(run, &s);
  if (st == LC_OK)
    st = recheck_sites(run, &s, cat, n_sites, expect_node, out);
  if (st == LC_OK)
    st = recheck_gains(run, &run->base, &s, cat, out);
  run_scenario_free(&s);
  scenario_free(&sc);
  if (st != LC_OK)
    optimize_recheck_free(out);
  return st;
}
