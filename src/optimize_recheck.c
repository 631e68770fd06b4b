/* The agent-simulation re-check of optimize's chosen sites (see optimize_recheck.h): drives
 * the same phases as `lifecircle run` (run.h) on the baseline and on the scenario adding the
 * sites, then reads each site's load from FacilityLoad (rank 0) and from the trips settled at
 * it (all on the rank that owns its node), and compares realised coverage agent by agent. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "agents_internal.h"
#include "lifecircle/agree.h"
#include "lifecircle/cli.h"
#include "lifecircle/compare.h"
#include "lifecircle/log.h"
#include "lifecircle/optimize_recheck.h"
#include "lifecircle/status.h"

/* Trip-based sums (reduced by MPI_SUM) and maxima (MPI_MAX) per site. */
#define RK_SUMS 5 /* waited, wait_sum_s, fallback_in, gave_up, busy_s */
#define RK_MAXS 2 /* wait_max_s, peak_present */

void optimize_recheck_free(struct optimize_recheck *r) {
  free(r->site);
  memset(r, 0, sizeof *r);
}

static void rk_scen_init(struct run_scen *s, struct run_ctx *rc, int index,
                         const struct scenario *sc) {
  memset(s, 0, sizeof *s);
  s->index = index;
  s->sc = sc;
  s->name = sc ? sc->name : "baseline";
  s->facp = &rc->fac;
  s->dgp = &rc->dg;
}

struct rk_mark {
  int32_t t, delta;
};

static int rk_mark_cmp(const void *a, const void *b) {
  const struct rk_mark *x = a, *y = b;
  if (x->t != y->t)
    return x->t < y->t ? -1 : 1;
  return x->delta - y->delta; /* Departures (-1) before arrivals (+1) at the same second. */
}

/* Sums and maxima over the trips this rank settled at the sites (rows first .. first+n-1). */
static int rk_trip_stats(const struct agents_trips *tr, int64_t first, int n, int64_t *sums,
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
      sums[k * RK_SUMS + 3]++;
      continue;
    }
    cnt[k]++;
    int64_t *s = sums + k * RK_SUMS, *m = maxs + k * RK_MAXS;
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
    struct rk_mark *mk = malloc((size_t)(2 * cnt[k]) * sizeof *mk);
    if (!mk) {
      free(cnt);
      return LC_ENOMEM;
    }
    int64_t at = 0;
    for (int64_t i = 0; i < tr->n; i++) {
      const struct agents_trip *t = agents_trips_at(tr, i);
      if ((int64_t)t->fac - first != k || t->outcome == AGENTS_FAILED)
        continue;
      mk[at++] = (struct rk_mark){t->arrive_s, 1};
      mk[at++] = (struct rk_mark){t->end_s, -1};
    }
    qsort(mk, (size_t)at, sizeof *mk, rk_mark_cmp);
    int64_t cur = 0, peak = 0;
    for (int64_t i = 0; i < at; i++) {
      cur += mk[i].delta;
      if (cur > peak)
        peak = cur;
    }
    maxs[k * RK_MAXS + 1] = peak;
    free(mk);
  }
  free(cnt);
  return LC_OK;
}

/* Each site's load and the reductions of the trip statistics. */
static int rk_sites(struct run_ctx *rc, const struct run_scen *s, int cat, int n,
                    const int64_t *expect_node, struct optimize_recheck *out) {
  const struct facility_set *fs = &s->fac;
  int64_t first = fs->n - n;
  const struct agents_output *ao = &s->agents;
  int st = LC_OK;
  if (first < rc->fac.n)
    st = lc_error_set(LC_EINVARIANT, __FILE__, __LINE__,
                      "optimize: the scenario has %" PRId64 " facilities, fewer than the "
                      "baseline's %" PRId64 " plus %d sites", fs->n, rc->fac.n, n);
  for (int i = 0; st == LC_OK && i < n; i++) {
    int64_t f = first + i;
    if (fs->category[f] != cat || fs->excluded[f])
      st = lc_error_set(LC_EINVARIANT, __FILE__, __LINE__,
                        "optimize: facility row %" PRId64 " of the scenario is not site %d",
                        f, i + 1);
  }
  st = lc_agree(rc->comm, st);
  if (st != LC_OK)
    return st;
  out->n_sites = n;
  out->site = calloc((size_t)(n > 0 ? n : 1), sizeof *out->site);
  int64_t *sums = calloc((size_t)(n > 0 ? n : 1) * RK_SUMS, sizeof *sums);
  int64_t *maxs = calloc((size_t)(n > 0 ? n : 1) * RK_MAXS, sizeof *maxs);
  int64_t *load = calloc((size_t)(n > 0 ? n : 1) * 4, sizeof *load);
  st = out->site && sums && maxs && load ? LC_OK : LC_ENOMEM;
  if (st == LC_OK)
    st = rk_trip_stats(&ao->trips, first, n, sums, maxs);
  st = lc_agree(rc->comm, st);
  if (st == LC_OK &&
      (MPI_Allreduce(MPI_IN_PLACE, sums, n * RK_SUMS, MPI_INT64_T, MPI_SUM, rc->comm) !=
           MPI_SUCCESS ||
       MPI_Allreduce(MPI_IN_PLACE, maxs, n * RK_MAXS, MPI_INT64_T, MPI_MAX, rc->comm) !=
           MPI_SUCCESS))
    st = lc_error_set(LC_EMPI, __FILE__, __LINE__, "optimize: MPI_Allreduce failed");
  /* FacilityLoad is complete on rank 0: arrivals, served, peak queue, refused blocks. */
  if (st == LC_OK && rc->rank == 0 && ao->load) {
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
  if (st == LC_OK && MPI_Bcast(load, 4 * n, MPI_INT64_T, 0, rc->comm) != MPI_SUCCESS)
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
    x->waited = sums[i * RK_SUMS + 0];
    x->wait_sum_s = sums[i * RK_SUMS + 1];
    x->fallback_in = sums[i * RK_SUMS + 2];
    x->gave_up = sums[i * RK_SUMS + 3];
    x->busy_s = sums[i * RK_SUMS + 4];
    x->wait_max_s = maxs[i * RK_MAXS + 0];
    x->peak_present = maxs[i * RK_MAXS + 1];
    x->over_capacity = x->capacity > 0 && (x->peak_queue > 0 || x->refused > 0);
    if (expect_node && expect_node[i] != x->node && rc->rank == 0)
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
static int rk_gains(struct run_ctx *rc, const struct run_scen *b, const struct run_scen *s,
                    int cat, struct optimize_recheck *out) {
  int C = rc->cats.n, G = rc->groups.n, S = rc->pop.n_subdistricts, R = S + 1;
  int64_t nb = b->agents.trips.n, ns = s->agents.trips.n, n = b->dgp->n_owned;
  struct compare_trip *t = malloc((size_t)(nb + ns + 1) * sizeof *t);
  int *thr = malloc((size_t)(C > 0 ? C : 1) * sizeof *thr);
  double *speed = malloc((size_t)(G > 0 ? G : 1) * sizeof *speed);
  int64_t *res = malloc((size_t)(n * G > 0 ? n * G : 1) * sizeof *res);
  int32_t *sub = malloc((size_t)(n > 0 ? n : 1) * sizeof *sub);
  int st = t && thr && speed && res && sub ? LC_OK : LC_ENOMEM;
  struct comparison sc;
  struct compare_realised cr;
  memset(&sc, 0, sizeof sc);
  memset(&cr, 0, sizeof cr);
  if (st == LC_OK) {
    for (int c = 0; c < C; c++)
      thr[c] = rc->cats.c[c].threshold_min;
    for (int g = 0; g < G; g++)
      speed[g] = rc->groups.g[g].speed_m_s;
    for (int64_t i = 0; i < n; i++) {
      int64_t gid = b->dgp->global[i];
      sub[i] = rc->pop.subdistrict[gid];
      for (int g = 0; g < G; g++)
        res[i * G + g] = rc->pop.by_group[gid * G + g];
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
  st = lc_agree(rc->comm, st);
  if (st == LC_OK) {
    struct coverage_spec spec = {S, C, G, thr, NULL, NULL, rc->serves, speed, 0, NULL};
    st = compare_compute(&spec, n, (const int64_t *const *)b->nearest,
                         (const int64_t *const *)s->nearest, res, sub, rc->comm, &sc);
  }
  if (st == LC_OK) {
    struct compare_agents_spec spec = {S, C, G, rc->g.n_nodes, rc->pop.by_group,
                                       rc->pop.subdistrict, rc->agents.residents_per_agent,
                                       b->agents.stats.agents};
    st = compare_realised_compute(&spec, nb + ns, t, rc->comm, &cr);
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
      if (!rc->serves[cat * G + g])
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

int optimize_recheck_run(struct run_ctx *rc, const char *scenario_path, int cat, int n_sites,
                         const int64_t *expect_node, struct optimize_recheck *out) {
  memset(out, 0, sizeof *out);
  if (!rc->agents.enabled) {
    log_info("optimize --recheck-agents: Agents:enabled is false in the parameters; the "
             "agent simulation runs for the re-check only");
    rc->agents.enabled = 1;
    LC_CHECK(lc_agree(rc->comm, agents_prepare(&rc->agents, &rc->cats, &rc->groups)));
  }
  rc->agents.trips = 1; /* Waits and peaks per site come from the trips. */
  struct scenario sc;
  memset(&sc, 0, sizeof sc);
  int st = lc_agree(rc->comm, scenario_load(scenario_path, &rc->cats, &sc));
  if (st != LC_OK)
    return st;
  struct run_scen s;
  rk_scen_init(&s, rc, 1, &sc);
  rk_scen_init(&rc->base, rc, 0, NULL);
  st = run_partition(rc);
  if (st == LC_OK)
    st = run_scenario_compute(rc, &rc->base);
  if (st == LC_OK)
    st = run_scenario_agents(rc, &rc->base);
  if (st == LC_OK)
    st = run_scenario_compute(rc, &s);
  if (st == LC_OK)
    st = run_scenario_agents(rc, &s);
  if (st == LC_OK)
    st = rk_sites(rc, &s, cat, n_sites, expect_node, out);
  if (st == LC_OK)
    st = rk_gains(rc, &rc->base, &s, cat, out);
  run_scenario_free(&s);
  scenario_free(&sc);
  if (st != LC_OK)
    optimize_recheck_free(out);
  return st;
}
