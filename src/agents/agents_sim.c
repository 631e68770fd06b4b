/* The simulated day: facilities as FIFO servers, destination choice and fall-back, the
 * conservative window loop and its invariant checks.
 *
 * Model (the parameters are documented in inputs/activities.yml and inputs/changning/xinhua.yml):
 * - An agent's day is its plan (agents_plan_day): activities sorted by preferred start. It
 *   departs from home at max(preferred start, time it got home from the previous trip).
 * - Destination: from the home node's catchment list of the category (sorted by walking
 *   distance, then facility row). Agents know opening hours: a facility counts as a candidate
 *   only when the agent would arrive while it is open (open <= arrival < close). `nearest`
 *   takes the first candidate; `logit` draws one with weights exp(-beta * walking minutes +
 *   attraction * ln(1 + seats)) (unlimited facilities: attraction term 0).
 * - At the facility (settled in (time, agent id) order): the wait is known on arrival
 *   (FIFO with c seats: the agent takes the seat that frees first). It is turned away when
 *   the wait exceeds its tolerance or service could not start before closing; it then walks
 *   to another facility chosen the same way from the catchment list of the facility's own
 *   node (always held by the rank the agent is on), excluding the facilities that turned it
 *   away, over the walking distance snap(current) + list distance. After K facilities have
 *   turned it away, or when no candidate is left, the trip fails.
 * - Back home: the agent walks back the way it came (the sum of its legs; exact for trips
 *   served at the first facility, an upper bound after a redirect) and starts its next
 *   activity.
 * - Lookahead: a redirected agent reaches its next facility, and an agent gets home, no
 *   earlier than window_s after its arrival at the facility; so an arrival settled in window
 *   w never creates an arrival in window w, which makes the windows exact.
 * - Times are integer seconds; walking time = ceil(distance / speed). */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents_internal.h"
#include "lifecircle/agree.h"
#include "lifecircle/alloc.h"
#include "lifecircle/log.h"
#include "lifecircle/rng.h"
#include "lifecircle/status.h"

/* ---- Trips. ---- */

/* ---- Small helpers. ---- */

static int32_t sim_walk_s(const struct agents_sim *s, int g, int64_t cm) {
  return (int32_t)ceil((double)cm / s->speed_cms[g]);
}

static int sim_open_at(const struct facility_set *fac, int32_t f, int64_t t) {
  return t >= (int64_t)fac->open_min[f] * 60 && t < (int64_t)fac->close_min[f] * 60;
}

static int sim_ev_cmp(const void *a, const void *b) {
  const struct agents_ev *x = a, *y = b;
  if (x->t != y->t)
    return x->t < y->t ? -1 : 1;
  return x->agent < y->agent ? -1 : (x->agent > y->agent);
}

static int64_t sim_bytes(const struct agents_sim *s) {
  int64_t b = s->n_chunks * (int64_t)sizeof(struct agents_chunk);
  for (int r = 0; r < s->size; r++)
    b += s->out[r].cap * (int64_t)sizeof(struct agents_ev);
  b += (s->cap_inbox + s->cap_scratch) * (int64_t)sizeof(struct agents_ev);
  b += (int64_t)s->trips->n_chunks * AGENTS_TRIP_CHUNK * (int64_t)sizeof(struct agents_trip);
  for (int64_t i = 0; i < s->n_fs; i++)
    b += (int64_t)s->fs[i].qcap * 4;
  return b;
}

/* Pushes an arrival into its window's bucket on this rank. */
static int sim_bucket_push(struct agents_sim *s, const struct agents_ev *ev) {
  int64_t w = ev->t / s->window_s;
  if (ev->t < 0 || w >= s->n_windows || w <= s->cur_window) {
    /* An arrival in the past or outside the day: the clock invariant failed. */
    s->violations++;
    log_debug("agent %lld: arrival at %d s in window %lld while settling window %lld",
              (long long)ev->agent, ev->t, (long long)w, (long long)s->cur_window);
    return LC_OK;
  }
  struct agents_bucket *b = &s->bucket[w];
  if (!b->head || b->head->n == AGENTS_EV_CHUNK) {
    struct agents_chunk *c = s->free_chunks;
    if (c) {
      s->free_chunks = c->next;
    } else {
      c = malloc(sizeof *c);
      if (!c)
        return LC_ENOMEM;
      s->n_chunks++;
    }
    c->n = 0;
    c->next = b->head;
    b->head = c;
  }
  b->head->ev[b->head->n++] = *ev;
  b->n++;
  s->pending++;
  return LC_OK;
}

static int sim_outbox_push(struct agents_sim *s, int rank, const struct agents_ev *ev) {
  struct agents_outbox *o = &s->out[rank];
  if (o->n == o->cap) {
    int64_t cap = o->cap ? 2 * o->cap : 1024;
    struct agents_ev *n = realloc(o->ev, (size_t)cap * sizeof *n);
    if (!n)
      return LC_ENOMEM;
    o->ev = n;
    o->cap = cap;
  }
  o->ev[o->n++] = *ev;
  int64_t w = ev->t / s->window_s;
  if (w < s->out_min)
    s->out_min = w;
  return LC_OK;
}

/* Sends an arrival to the rank owning the facility's node (or keeps it). */
static int sim_route_arrive(struct agents_sim *s, const struct agents_ev *ev) {
  int owner = s->in->part[s->in->fac->node[ev->fac]];
  if (owner == s->rank)
    return sim_bucket_push(s, ev);
  return sim_outbox_push(s, owner, ev);
}

const char *const agents_reason_names[AGENTS_N_REASONS] = {"served",
                                                           "served after waiting",
                                                           "redirected then served",
                                                           "none within radius",
                                                           "closed on arrival",
                                                           "capacity full after K tries",
                                                           "gave up waiting"};

static int sim_record(struct agents_sim *s, struct agents_ev *ev, int cat, int32_t fac,
                      int32_t arrive, int32_t wait, int32_t end, int reason) {
  int outcome = reason <= AGENTS_R_REDIRECTED ? reason : AGENTS_FAILED;
  s->outcome[outcome]++;
  s->reason[reason]++;
  s->n_trips_local++;
  if (reason >= AGENTS_R_NONE) {
    /* The person-level reason of a category is that of its first trip not served. */
    uint32_t any = 0;
    for (int u = 0; u < AGENTS_N_UNMET; u++)
      any |= ev->unmet[u];
    if (!(any >> cat & 1u))
      ev->unmet[reason - AGENTS_R_NONE] |= 1u << cat;
  }
  if (!s->cfg->trips)
    return LC_OK;
  struct agents_trip t = {
      ev->agent, ev->home,  fac,          ev->depart,       arrive,   wait,           ev->walk_cm,
      end,       ev->group, (uint8_t)cat, (uint8_t)outcome, ev->done, (uint8_t)reason};
  return agents_trips_push(s->trips, &t);
}

/* The catchment list of category c at owned node i (k <= 64 entries), decoded into kb. */
static const struct access_entry *sim_list(const struct access_result *acc, int c, int k, int64_t i,
                                           struct access_entry *kb) {
  access_row(&acc->t[c], k, i, kb);
  return kb;
}

/* Chooses a facility from a catchment list (kb: k entries) for an agent leaving at
 * t0 from a point base_cm away from the list's node: the candidates are the facilities not
 * yet tried (and not `cur`) that are open on arrival. Returns 1 and the choice, or 0. */
static int sim_choose(const struct agents_sim *s, const struct agents_ev *ev,
                      const struct access_entry *kb, int64_t base_cm, int32_t t0, int32_t cur,
                      int gap, uint32_t draw, int32_t *f_out, int64_t *leg_out, int32_t *arr_out) {
  const struct facility_set *fs = s->in->fac;
  int n = 0;
  double wsum = 0, umax = -INFINITY;
  double u[64];
  int idx[64];
  for (int j = 0; j < s->k; j++) {
    int64_t f = kb[j].fac;
    if (f < 0)
      break;
    if (f == cur)
      continue;
    int skip = 0;
    for (int m = 0; m < ev->ntry; m++)
      skip |= ev->tried[m] == f;
    if (skip)
      continue;
    int64_t leg = base_cm + kb[j].dist_cm;
    int64_t arr = (int64_t)t0 + sim_walk_s(s, ev->group, leg);
    if (gap && arr < (int64_t)t0 + s->window_s)
      arr = (int64_t)t0 + s->window_s;
    if (!sim_open_at(fs, (int32_t)f, arr))
      continue;
    if (s->cfg->choice == AGENTS_NEAREST) {
      *f_out = (int32_t)f;
      *leg_out = leg;
      *arr_out = (int32_t)arr;
      return 1;
    }
    double walk_min = (double)(arr - t0) / 60.0;
    int cap = fs->capacity[f];
    u[n] = -s->cfg->logit_beta * walk_min +
           (cap > 0 ? s->cfg->logit_attraction * log(1.0 + cap) : 0.0);
    if (u[n] > umax)
      umax = u[n];
    idx[n++] = j;
  }
  if (n == 0)
    return 0;
  for (int i = 0; i < n; i++) {
    u[i] = exp(u[i] - umax);
    wsum += u[i];
  }
  double x = rng_uniform(s->in->seed, (uint64_t)ev->agent, AGENTS_RNG_CHOICE, draw) * wsum;
  int pick = n - 1;
  double acc = 0;
  for (int i = 0; i < n; i++) {
    acc += u[i];
    if (x < acc) {
      pick = i;
      break;
    }
  }
  int j = idx[pick];
  int64_t leg = base_cm + kb[j].dist_cm;
  int64_t arr = (int64_t)t0 + sim_walk_s(s, ev->group, leg);
  if (gap && arr < (int64_t)t0 + s->window_s)
    arr = (int64_t)t0 + s->window_s;
  *f_out = kb[j].fac;
  *leg_out = leg;
  *arr_out = (int32_t)arr;
  return 1;
}

/* The agent's day is over: count it in realised coverage, person by person: a category it
 * needed is unmet (by the reason of its first trip not served), else served late (some trip
 * beyond the threshold), else served in time (covered). */
static void sim_finish(struct agents_sim *s, const struct agents_ev *ev) {
  int rows[2];
  int nr = coverage_rows(s->in->pop->subdistrict[ev->home], s->n_sub, rows);
  int C = s->n_cat, G = s->n_group;
  int64_t cells = (int64_t)s->n_rows * C * G;
  for (int c = 0; c < C; c++) {
    if (!(ev->need >> c & 1u))
      continue;
    int u = -1;
    for (int k = 0; k < AGENTS_N_UNMET; k++)
      if (ev->unmet[k] >> c & 1u)
        u = k;
    for (int r = 0; r < nr; r++) {
      int64_t at = ((int64_t)rows[r] * C + c) * G + ev->group;
      s->needed[at] += ev->weight;
      if (u >= 0)
        s->unmet[u * cells + at] += ev->weight;
      else if (ev->late >> c & 1u)
        s->late[at] += ev->weight;
      else
        s->covered[at] += ev->weight;
    }
  }
  s->finished++;
}

/* An agent at home (owned node hl) at time ev->t: starts its next activity or ends its day. */
static int sim_home(struct agents_sim *s, struct agents_ev *ev, int32_t hl) {
  struct agents_slot slot[AGENTS_MAX_ACTIVITIES];
  const struct agents_config *cfg = s->cfg;
  int n = agents_plan_day(cfg, s->in->seed, ev->agent, ev->group, slot);
  const struct access_result *acc = s->in->acc;
  struct access_entry kb[64];
  while (ev->done < n) {
    const struct agents_slot *sl = &slot[ev->done];
    const struct agents_activity *a = &cfg->plans.act[ev->group][sl->act];
    int c = a->cat;
    int32_t depart = sl->start > ev->t ? sl->start : ev->t;
    ev->act = (uint8_t)sl->act;
    ev->need |= 1u << c;
    ev->depart = depart;
    ev->walk_cm = 0;
    ev->ntry = 0;
    ev->redirected = 0;
    int32_t f = -1, arr = 0;
    int64_t leg = 0;
    sim_list(acc, c, s->k, hl, kb);
    if (kb[0].fac < 0) {
      /* No facility of the category within its radius: an unmet need, no walk. */
      LC_CHECK(sim_record(s, ev, c, -1, depart, 0, -1, AGENTS_R_NONE));
      ev->done++;
      continue;
    }
    if (depart < cfg->day_end_s &&
        sim_choose(s, ev, kb, 0, depart, -1, 0, (uint32_t)ev->done * 8u, &f, &leg, &arr)) {
      if (leg > INT32_MAX)
        LC_FAIL(LC_ETOOBIG, "walking distance %lld cm does not fit the trip record",
                (long long)leg);
      ev->kind = AGENTS_EV_ARRIVE;
      ev->fac = f;
      ev->t = arr;
      ev->walk_cm = (int32_t)leg;
      return sim_route_arrive(s, ev);
    }
    /* No facility open on arrival, or the day is over: the trip fails at home. */
    LC_CHECK(sim_record(s, ev, c, -1, depart, 0, -1, AGENTS_R_CLOSED));
    ev->done++;
  }
  sim_finish(s, ev);
  return LC_OK;
}

/* Sends the agent home, arriving at h (at least window_s after its facility arrival t). */
static int sim_go_home(struct agents_sim *s, struct agents_ev *ev, int32_t t, int64_t h) {
  if (h < (int64_t)t + s->window_s)
    h = (int64_t)t + s->window_s;
  if (h > INT32_MAX)
    LC_FAIL(LC_ETOOBIG, "agent %lld gets home after the 32-bit clock ends", (long long)ev->agent);
  ev->kind = AGENTS_EV_HOME;
  ev->t = (int32_t)h;
  ev->done++;
  int owner = s->in->part[ev->home];
  if (owner != s->rank)
    return sim_outbox_push(s, owner, ev);
  int32_t hl = dgraph_local(s->in->dg, ev->home);
  if (hl < 0 || hl >= s->in->dg->n_owned) {
    s->violations++;
    return LC_OK;
  }
  return sim_home(s, ev, hl);
}

/* Brings the facility's queue up to time t, recording peak queues of the bins passed. */
static void sim_fac_advance(struct agents_sim *s, struct agents_fstate *F, int32_t t) {
  int32_t bin_s = (int32_t)s->cfg->bin_s;
  int32_t b = t / bin_s;
  if (b >= s->n_bins)
    b = s->n_bins - 1;
  while (F->bin < b) {
    if (F->qn == 0) {
      F->bin = b;
      break;
    }
    F->bin++;
    int32_t bs = F->bin * bin_s;
    while (F->qn > 0 && F->q[F->qh] <= bs) {
      F->qh = (F->qh + 1) % F->qcap;
      F->qn--;
    }
    int32_t *peak = &F->load[F->bin * AGENTS_LOAD + 2];
    if (F->qn > *peak)
      *peak = F->qn;
  }
  while (F->qn > 0 && F->q[F->qh] <= t) {
    F->qh = (F->qh + 1) % F->qcap;
    F->qn--;
  }
}

static int sim_fac_enqueue(struct agents_fstate *F, int32_t start) {
  if (F->qn == F->qcap) {
    int32_t cap = F->qcap ? 2 * F->qcap : 16;
    int32_t *q = malloc((size_t)cap * sizeof *q);
    if (!q)
      return LC_ENOMEM;
    for (int32_t i = 0; i < F->qn; i++)
      q[i] = F->q[(F->qh + i) % F->qcap];
    free(F->q);
    F->q = q;
    F->qh = 0;
    F->qcap = cap;
  }
  F->q[(F->qh + F->qn) % F->qcap] = start;
  F->qn++;
  return LC_OK;
}

/* Replaces the heap's minimum by v and restores the heap. */
static void sim_heap_replace_top(int32_t *h, int32_t n, int32_t v) {
  int32_t i = 0;
  for (;;) {
    int32_t l = 2 * i + 1, r = l + 1, m = i;
    int32_t mv = v;
    if (l < n && h[l] < mv) {
      m = l;
      mv = h[l];
    }
    if (r < n && h[r] < mv)
      m = r;
    if (m == i)
      break;
    h[i] = h[m];
    i = m;
  }
  h[i] = v;
}

/* Counts a refusal at facility F in bin b: an attempt, and a person unless this agent was
 * already turned away there in the same bin (arrivals are settled in time order, so the
 * agents of one bin are those since the bin began). */
static int sim_refuse(struct agents_fstate *F, int32_t b, int64_t agent) {
  F->load[b * AGENTS_LOAD + 4]++;
  if (F->ref_bin != b) {
    F->ref_bin = b;
    F->n_ref = 0;
  }
  for (int32_t i = 0; i < F->n_ref; i++)
    if (F->ref[i] == agent)
      return LC_OK;
  if (F->n_ref == F->cap_ref) {
    int32_t cap = F->cap_ref ? 2 * F->cap_ref : 16;
    int64_t *r = realloc(F->ref, (size_t)cap * sizeof *r);
    if (!r)
      return LC_ENOMEM;
    F->ref = r;
    F->cap_ref = cap;
  }
  F->ref[F->n_ref++] = agent;
  F->load[b * AGENTS_LOAD + 3]++;
  return LC_OK;
}

/* Settles one arrival at a facility owned by this rank. */
static int sim_settle(struct agents_sim *s, struct agents_ev *ev) {
  const struct facility_set *fac = s->in->fac;
  int32_t f = ev->fac;
  int32_t fi = s->floc[f];
  if (fi < 0) {
    s->violations++;
    return LC_OK;
  }
  struct agents_fstate *F = &s->fs[fi];
  const struct agents_activity *a = &s->cfg->plans.act[ev->group][ev->act];
  int c = a->cat;
  int32_t t = ev->t;
  if (t < ev->depart)
    s->violations++;
  sim_fac_advance(s, F, t);
  int32_t b = t / (int32_t)s->cfg->bin_s;
  if (b < 0 || b >= s->n_bins) {
    s->violations++;
    return LC_OK;
  }
  F->load[b * AGENTS_LOAD + 0]++;
  int32_t close_s = fac->close_min[f] * 60;
  int32_t wait = 0;
  if (F->cap > 0 && F->heap[0] > t)
    wait = F->heap[0] - t;
  int64_t start = (int64_t)t + wait;
  int closed = !sim_open_at(fac, f, t) || start >= close_s;
  if (closed || wait > a->max_wait_s) {
    LC_CHECK(sim_refuse(F, b, ev->agent));
    if (ev->ntry + 1 < s->cfg->max_tries) {
      int32_t nl = dgraph_local(s->in->dg, fac->node[f]);
      int32_t g = -1, arr = 0;
      int64_t leg = 0;
      const struct access_result *acc = s->in->acc;
      if (nl < 0 || nl >= s->in->dg->n_owned) {
        s->violations++;
        return LC_OK;
      }
      struct access_entry kb[64];
      if (sim_choose(s, ev, sim_list(acc, c, s->k, nl, kb), fac->snap_cm[f], t, f, 1,
                     (uint32_t)ev->done * 8u + ev->ntry + 1u, &g, &leg, &arr)) {
        if ((int64_t)ev->walk_cm + leg > INT32_MAX)
          LC_FAIL(LC_ETOOBIG, "walking distance does not fit the trip record");
        ev->tried[ev->ntry++] = f;
        ev->redirected = 1;
        ev->walk_cm += (int32_t)leg;
        ev->fac = g;
        ev->t = arr;
        return sim_route_arrive(s, ev);
      }
    }
    int reason = closed                              ? AGENTS_R_CLOSED
                 : ev->ntry + 1 >= s->cfg->max_tries ? AGENTS_R_FULL
                                                     : AGENTS_R_GAVE_UP;
    LC_CHECK(sim_record(s, ev, c, f, t, 0, -1, reason));
    return sim_go_home(s, ev, t, (int64_t)t + sim_walk_s(s, ev->group, ev->walk_cm));
  }
  int64_t end = start + a->duration_s;
  if (F->cap > 0)
    sim_heap_replace_top(F->heap, F->cap, (int32_t)end);
  if (wait > 0) {
    LC_CHECK(sim_fac_enqueue(F, (int32_t)start));
    int32_t *peak = &F->load[b * AGENTS_LOAD + 2];
    if (F->qn > *peak)
      *peak = F->qn;
  }
  F->load[(start / s->cfg->bin_s) * AGENTS_LOAD + 1]++;
  int reason = ev->redirected ? AGENTS_R_REDIRECTED : wait > 0 ? AGENTS_R_WAITED : AGENTS_R_SERVED;
  LC_CHECK(sim_record(s, ev, c, f, t, wait, (int32_t)end, reason));
  if (start - ev->depart > s->thr_s[c])
    ev->late |= 1u << c;
  return sim_go_home(s, ev, t, end + sim_walk_s(s, ev->group, ev->walk_cm));
}

/* ---- Set-up and tear-down. ---- */

static void sim_free(struct agents_sim *s) {
  agents_exchange_free(s);
  if (s->bucket)
    for (int64_t w = 0; w < s->n_windows; w++)
      while (s->bucket[w].head) {
        struct agents_chunk *c = s->bucket[w].head;
        s->bucket[w].head = c->next;
        free(c);
      }
  while (s->free_chunks) {
    struct agents_chunk *c = s->free_chunks;
    s->free_chunks = c->next;
    free(c);
  }
  if (s->out)
    for (int r = 0; r < s->size; r++)
      free(s->out[r].ev);
  if (s->fs)
    for (int64_t i = 0; i < s->n_fs; i++) {
      free(s->fs[i].q);
      free(s->fs[i].ref);
    }
  free(s->bucket);
  free(s->out);
  free(s->inbox);
  free(s->scratch);
  free(s->fs);
  free(s->floc);
  free(s->seat_pool);
  free(s->load_pool);
  free(s->speed_cms);
  free(s->thr_s);
  free(s->needed);
  free(s->covered);
  free(s->late);
  free(s->unmet);
}

/* Total memory of the machine in bytes (MemTotal), 0 when unknown. */
static int64_t sim_mem_total(void) {
  FILE *f = fopen("/proc/meminfo", "r");
  if (!f)
    return 0;
  char line[256];
  long long kb = 0;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "MemTotal: %lld kB", &kb) == 1)
      break;
  fclose(f);
  return (int64_t)kb * 1024;
}

double agents_bytes_per_agent(const struct agents_config *cfg) {
  double trips = 0;
  for (int g = 0; g < cfg->plans.n_group; g++) {
    double t = 0;
    for (int a = 0; a < cfg->plans.n_act[g]; a++)
      t += cfg->plans.act[g][a].p_day;
    if (t > trips)
      trips = t;
  }
  return (double)sizeof(struct agents_ev) * 1.25 +
         (cfg->trips ? trips * (double)sizeof(struct agents_trip) : 0.0);
}

/* Refuses an agent count whose memory would exceed the machine's. */
static int sim_memory_check(const struct agents_input *in, int64_t agents) {
  const struct agents_config *cfg = in->cfg;
  double per_agent = agents_bytes_per_agent(cfg);
  double need = per_agent * (double)agents;
  int64_t have = sim_mem_total();
  if (have > 0 && need > (double)have) {
    double per = need / (double)have * (double)cfg->residents_per_agent;
    LC_FAIL(LC_ETOOBIG,
            "%lld agents (Agents:residents_per_agent = %ld) need about %.1f GiB (%.0f bytes "
            "per agent), more than this machine's %.1f GiB (MemTotal); set "
            "Agents:residents_per_agent to at least %.0f or Agents:trips to false",
            (long long)agents, cfg->residents_per_agent, need / 1073741824.0, per_agent,
            (double)have / 1073741824.0, ceil(per));
  }
  return LC_OK;
}

/* Seats of facility row f in this run: its capacity (0: no limit), times the design's
 * capacity factor, rounded, at least 1. */
static int32_t sim_seats(const struct agents_input *in, int64_t f) {
  int32_t c = in->fac->capacity[f];
  if (c <= 0 || in->cap_factor <= 0 || in->cap_factor == 1.0)
    return c;
  double v = nearbyint((double)c * in->cap_factor);
  return v < 1 ? 1 : v > INT32_MAX ? INT32_MAX : (int32_t)v;
}

static int sim_setup(struct agents_sim *s, const struct agents_input *in, MPI_Comm comm,
                     struct agents_trips *trips) {
  memset(s, 0, sizeof *s);
  s->in = in;
  s->cfg = in->cfg;
  s->comm = comm;
  s->trips = trips;
  if (MPI_Comm_rank(comm, &s->rank) != MPI_SUCCESS || MPI_Comm_size(comm, &s->size) != MPI_SUCCESS)
    LC_FAIL(LC_EMPI, "agents: cannot query the communicator");
  const struct agents_config *cfg = in->cfg;
  s->n_cat = in->cats->n;
  s->n_group = in->groups->n;
  s->n_sub = in->cov ? in->cov->n_sub : in->pop->n_subdistricts;
  s->n_rows = s->n_sub + 1;
  s->k = in->acc->k;
  s->window_s = (int32_t)cfg->window_s;
  s->n_windows = (AGENTS_DAY_S + s->window_s - 1) / s->window_s;
  s->n_bins = (int)((AGENTS_DAY_S + cfg->bin_s - 1) / cfg->bin_s);
  s->cur_window = -1;
  s->out_min = INT64_MAX;
  if (s->n_cat > AGENTS_MAX_CATEGORIES)
    LC_FAIL(LC_EPARAM, "the agent simulation handles at most %d categories (%d given)",
            AGENTS_MAX_CATEGORIES, s->n_cat);
  if (cfg->plans.n_group != s->n_group || !cfg->plans.act)
    LC_FAIL(LC_EPARAM,
            "agents: the activities were not prepared for these %d groups "
            "(call agents_prepare)",
            s->n_group);
  if (s->k < 1 || s->k > 64 || in->acc->n_nodes != in->dg->n_owned || in->acc->n_cat != s->n_cat)
    LC_FAIL(LC_EPARAM,
            "agents: the catchment lists do not match the graph (k %d, %lld nodes, "
            "%d categories)",
            s->k, (long long)in->acc->n_nodes, in->acc->n_cat);
  int64_t F = in->fac->n;
  s->speed_cms = lc_malloc_array(s->n_group, sizeof *s->speed_cms);
  s->thr_s = lc_malloc_array(s->n_cat, sizeof *s->thr_s);
  s->floc = lc_malloc_array(F, sizeof *s->floc);
  s->bucket = calloc((size_t)s->n_windows, sizeof *s->bucket);
  s->out = calloc((size_t)s->size, sizeof *s->out);
  size_t cells = (size_t)s->n_rows * (size_t)s->n_cat * (size_t)s->n_group;
  s->needed = calloc(cells > 0 ? cells : 1, sizeof *s->needed);
  s->covered = calloc(cells > 0 ? cells : 1, sizeof *s->covered);
  s->late = calloc(cells > 0 ? cells : 1, sizeof *s->late);
  s->unmet = calloc(cells > 0 ? AGENTS_N_UNMET * cells : 1, sizeof *s->unmet);
  if (!s->speed_cms || !s->thr_s || !s->floc || !s->bucket || !s->out || !s->needed ||
      !s->covered || !s->late || !s->unmet)
    return LC_ENOMEM;
  for (int g = 0; g < s->n_group; g++)
    s->speed_cms[g] = in->groups->g[g].speed_m_s * 100.0;
  for (int c = 0; c < s->n_cat; c++)
    s->thr_s[c] = (in->cov ? in->cov->threshold_min[c] : in->cats->c[c].threshold_min) * 60;
  /* Facilities owned here: those on owned nodes. */
  int64_t seats = 0;
  for (int64_t f = 0; f < F; f++) {
    s->floc[f] = -1;
    if (in->fac->excluded[f] || in->fac->node[f] < 0 || in->part[in->fac->node[f]] != s->rank)
      continue;
    if (in->fac->capacity[f] < 0)
      LC_FAIL(LC_EPARAM, "facility row %lld has a negative capacity", (long long)f);
    s->floc[f] = (int32_t)s->n_fs++;
    seats += sim_seats(in, f);
  }
  s->fs = lc_calloc_array(s->n_fs, sizeof *s->fs);
  s->seat_pool = lc_malloc_array(seats, sizeof *s->seat_pool);
  s->load_pool = lc_calloc_array(s->n_fs, (size_t)s->n_bins * AGENTS_LOAD * sizeof *s->load_pool);
  if (!s->fs || !s->seat_pool || !s->load_pool)
    return LC_ENOMEM;
  int64_t at = 0;
  for (int64_t f = 0; f < F; f++) {
    int32_t i = s->floc[f];
    if (i < 0)
      continue;
    struct agents_fstate *x = &s->fs[i];
    x->fac = (int32_t)f;
    x->cap = sim_seats(in, f);
    x->ref_bin = -1;
    x->heap = s->seat_pool + at;
    for (int32_t j = 0; j < x->cap; j++)
      x->heap[j] = INT32_MIN;
    at += x->cap;
    x->load = s->load_pool + (int64_t)i * s->n_bins * AGENTS_LOAD;
  }
  return LC_OK;
}

/* Handles what the last exchange delivered. */
static int sim_inbox(struct agents_sim *s) {
  for (int64_t i = 0; i < s->n_inbox; i++) {
    struct agents_ev *ev = &s->inbox[i];
    if (ev->kind == AGENTS_EV_ARRIVE) {
      LC_CHECK(sim_bucket_push(s, ev));
    } else if (ev->kind == AGENTS_EV_HOME) {
      int32_t hl = dgraph_local(s->in->dg, ev->home);
      if (hl < 0 || hl >= s->in->dg->n_owned) {
        s->violations++;
        continue;
      }
      LC_CHECK(sim_home(s, ev, hl));
    } else {
      s->violations++;
    }
  }
  s->n_inbox = 0;
  return LC_OK;
}

static int64_t sim_outbox_total(const struct agents_sim *s) {
  int64_t n = 0;
  for (int r = 0; r < s->size; r++)
    n += s->out[r].n;
  return n;
}

static int64_t sim_next_local(const struct agents_sim *s) {
  for (int64_t w = s->cur_window + 1; w < s->n_windows; w++)
    if (s->bucket[w].n > 0)
      return w;
  return -1;
}

/* Settles window w. */
static int sim_window(struct agents_sim *s, int64_t w) {
  struct agents_bucket *b = &s->bucket[w];
  s->cur_window = w;
  if (b->n > s->cap_scratch) {
    free(s->scratch);
    s->scratch = malloc((size_t)b->n * sizeof *s->scratch);
    if (!s->scratch) {
      s->cap_scratch = 0;
      return LC_ENOMEM;
    }
    s->cap_scratch = b->n;
  }
  int64_t n = 0;
  while (b->head) {
    struct agents_chunk *c = b->head;
    memcpy(s->scratch + n, c->ev, (size_t)c->n * sizeof *c->ev);
    n += c->n;
    b->head = c->next;
    c->next = s->free_chunks;
    s->free_chunks = c;
  }
  b->n = 0;
  s->pending -= n;
  if (n > 1) /* qsort's array may not be NULL, even when empty. */
    qsort(s->scratch, (size_t)n, sizeof *s->scratch, sim_ev_cmp);
  for (int64_t i = 0; i < n; i++) {
    if (s->scratch[i].t / s->window_s != w)
      s->violations++;
    LC_CHECK(sim_settle(s, &s->scratch[i]));
  }
  return LC_OK;
}

/* Places this rank's agents (owned nodes j0 .. j1-1) and starts their days. */
static int sim_place(struct agents_sim *s, const int64_t *first, const int64_t *first_new,
                     int32_t j0, int32_t j1) {
  long per = s->cfg->residents_per_agent;
  int G = s->n_group;
  for (int32_t j = j0; j < j1; j++) {
    int64_t node = s->in->dg->global[j];
    int64_t id = first[j], id_new = s->in->base_pop ? first_new[j] : 0;
    for (int g = 0; g < G; g++) {
      /* The baseline's agents of (node, g), then those of residents added by housing. */
      int64_t base, kept, added;
      agents_population_split(s->in, node, g, &base, &kept, &added);
      for (int part = 0; part < 2; part++) {
        int64_t r = part ? added : kept, na = agents_count(r, per);
        int64_t next = part ? id_new : id;
        for (int64_t a = 0; a < na; a++) {
          struct agents_ev ev;
          memset(&ev, 0, sizeof ev);
          ev.agent = next + a;
          ev.home = node;
          ev.t = INT32_MIN;
          ev.fac = -1;
          int64_t wgt = r - a * per;
          ev.weight = (int32_t)(wgt < per ? wgt : per);
          ev.group = (uint8_t)g;
          LC_CHECK(sim_home(s, &ev, j));
        }
        if (part)
          id_new += na;
      }
      id += agents_count(base, per);
    }
  }
  return LC_OK;
}

/* End-of-day check, independent of the seat heaps: a sweep over the service intervals of
 * the trips settled here; returns the number of facilities whose concurrent services
 * exceeded their seats. */
struct sim_mark {
  int32_t fac, t, delta;
};
static int sim_mark_cmp(const void *a, const void *b) {
  const struct sim_mark *x = a, *y = b;
  if (x->fac != y->fac)
    return x->fac < y->fac ? -1 : 1;
  if (x->t != y->t)
    return x->t < y->t ? -1 : 1;
  return x->delta < y->delta ? -1 : (x->delta > y->delta); /* Ends before starts. */
}
static int sim_capacity_sweep(struct agents_sim *s, int64_t *bad) {
  int64_t n = 0;
  for (int64_t i = 0; i < s->trips->n; i++) {
    const struct agents_trip *t = agents_trips_at(s->trips, i);
    if (t->end_s >= 0 && sim_seats(s->in, t->fac) > 0)
      n++;
  }
  struct sim_mark *m = lc_malloc_array(2 * n, sizeof *m);
  if (!m)
    return LC_ENOMEM;
  int64_t at = 0;
  for (int64_t i = 0; i < s->trips->n; i++) {
    const struct agents_trip *t = agents_trips_at(s->trips, i);
    if (t->end_s < 0 || sim_seats(s->in, t->fac) <= 0)
      continue;
    m[at++] = (struct sim_mark){t->fac, t->arrive_s + t->wait_s, +1};
    m[at++] = (struct sim_mark){t->fac, t->end_s, -1};
  }
  qsort(m, (size_t)at, sizeof *m, sim_mark_cmp);
  int64_t busy = 0;
  for (int64_t i = 0; i < at; i++) {
    if (i > 0 && m[i].fac != m[i - 1].fac)
      busy = 0;
    busy += m[i].delta;
    if (busy > sim_seats(s->in, m[i].fac)) {
      (*bad)++;
      while (i + 1 < at && m[i + 1].fac == m[i].fac)
        i++;
      busy = 0;
    }
  }
  free(m);
  return LC_OK;
}

/* Collects FacilityLoad on rank 0 and realised coverage on every rank. */
static int sim_outputs(struct agents_sim *s, struct agents_output *out) {
  int64_t F = s->in->fac->n, T = s->n_bins;
  size_t cells = (size_t)s->n_rows * (size_t)s->n_cat * (size_t)s->n_group;
  out->n_cat = s->n_cat;
  out->n_group = s->n_group;
  out->n_rows = s->n_rows;
  out->n_bins = s->n_bins;
  out->n_fac = F;
  out->bin_s = (int32_t)s->cfg->bin_s;
  out->needed = calloc(cells > 0 ? cells : 1, sizeof *out->needed);
  out->covered = calloc(cells > 0 ? cells : 1, sizeof *out->covered);
  out->share = calloc(cells > 0 ? cells : 1, sizeof *out->share);
  out->late = calloc(cells > 0 ? cells : 1, sizeof *out->late);
  out->unmet = calloc(cells > 0 ? AGENTS_N_UNMET * cells : 1, sizeof *out->unmet);
  int64_t *load = lc_calloc_array(AGENTS_LOAD * F * T, sizeof *load);
  if (!out->needed || !out->covered || !out->share || !out->late || !out->unmet || !load) {
    free(load);
    return LC_ENOMEM;
  }
  for (int64_t i = 0; i < s->n_fs; i++) {
    const struct agents_fstate *x = &s->fs[i];
    for (int64_t b = 0; b < T; b++)
      for (int q = 0; q < AGENTS_LOAD; q++)
        load[((int64_t)q * F + x->fac) * T + b] = x->load[b * AGENTS_LOAD + q];
  }
  /* Every facility has one owner, so a sum puts each row together. */
  int64_t total = AGENTS_LOAD * F * T, chunk = (int64_t)1 << 26;
  for (int64_t o = 0; o < total; o += chunk) {
    int cnt = (int)(total - o < chunk ? total - o : chunk);
    int rc = s->rank == 0
                 ? MPI_Reduce(MPI_IN_PLACE, load + o, cnt, MPI_INT64_T, MPI_SUM, 0, s->comm)
                 : MPI_Reduce(load + o, NULL, cnt, MPI_INT64_T, MPI_SUM, 0, s->comm);
    if (rc != MPI_SUCCESS) {
      free(load);
      LC_FAIL(LC_EMPI, "agents: cannot reduce FacilityLoad");
    }
  }
  if (s->rank == 0) {
    out->load = load;
  } else {
    free(load);
    out->load = NULL;
  }
  LC_CHECK(agents_exchange_sum(s, s->needed, out->needed, (int)cells));
  LC_CHECK(agents_exchange_sum(s, s->covered, out->covered, (int)cells));
  LC_CHECK(agents_exchange_sum(s, s->late, out->late, (int)cells));
  for (int u = 0; u < AGENTS_N_UNMET; u++)
    LC_CHECK(agents_exchange_sum(s, s->unmet + u * cells, out->unmet + u * cells, (int)cells));
  for (size_t i = 0; i < cells; i++)
    out->share[i] = out->needed[i] > 0 ? (double)out->covered[i] / (double)out->needed[i] : NAN;
  return LC_OK;
}

/* The invariants of the outcomes (identical on every rank: global sums): every person with a
 * need is served in time, served late or unmet for one reason; FacilityLoad's services are
 * the served trips; nowhere are more persons turned away than arrived or were refused. */
static int sim_check_outcomes(const struct agents_output *out, int64_t served_load,
                              int64_t served_trips, int64_t over) {
  int64_t cells = (int64_t)out->n_rows * out->n_cat * out->n_group;
  for (int64_t k = 0; k < cells; k++) {
    int64_t sum = out->covered[k] + out->late[k];
    for (int u = 0; u < AGENTS_N_UNMET; u++)
      sum += out->unmet[u * cells + k];
    if (sum != out->needed[k])
      LC_FAIL(LC_EINVARIANT,
              "agents: row %lld, column %lld: %lld residents with the need but "
              "%lld served in time, late or unmet",
              (long long)(k / (out->n_cat * out->n_group)),
              (long long)(k % (out->n_cat * out->n_group)), (long long)out->needed[k],
              (long long)sum);
  }
  if (served_load != served_trips)
    LC_FAIL(LC_EINVARIANT, "agents: FacilityLoad counts %lld services, the trips %lld served",
            (long long)served_load, (long long)served_trips);
  if (over > 0)
    LC_FAIL(LC_EINVARIANT, "agents: %lld facility bins turned away more persons than arrived",
            (long long)over);
  return LC_OK;
}

/* The one-line summary of the day: persons by outcome, then the trips. */
static void sim_log(const struct agents_output *out, int64_t n_res, int64_t windows, double wall,
                    int quiet) {
  const struct agents_stats *x = &out->stats;
  int64_t cells = (int64_t)out->n_rows * out->n_cat * out->n_group;
  int64_t all0 = (int64_t)(out->n_rows - 1) * out->n_cat * out->n_group; /* Row "all". */
  int64_t need = 0, ok = 0, late = 0, un[AGENTS_N_UNMET] = {0};
  for (int64_t k = all0; k < cells; k++) {
    need += out->needed[k];
    ok += out->covered[k];
    late += out->late[k];
    for (int u = 0; u < AGENTS_N_UNMET; u++)
      un[u] += out->unmet[u * cells + k];
  }
  (quiet ? log_debug : log_info)(
      "agents: %lld agents (%lld residents); needs (resident x category) %lld: served in "
      "time %lld, served late %lld, unmet %lld (%s %lld, %s %lld, %s %lld, %s %lld); %lld "
      "trips walked (served %lld, waited %lld, redirected %lld, not served %lld), %lld "
      "windows, %lld migrations, %.3f s, %.0f bytes per agent",
      (long long)x->agents, (long long)n_res, (long long)need, (long long)ok, (long long)late,
      (long long)(un[0] + un[1] + un[2] + un[3]), agents_reason_names[AGENTS_R_NONE],
      (long long)un[0], agents_reason_names[AGENTS_R_CLOSED], (long long)un[1],
      agents_reason_names[AGENTS_R_FULL], (long long)un[2], agents_reason_names[AGENTS_R_GAVE_UP],
      (long long)un[3], (long long)(x->trips - x->reason[AGENTS_R_NONE]), (long long)x->outcome[0],
      (long long)x->outcome[1], (long long)x->outcome[2],
      (long long)(x->outcome[3] - x->reason[AGENTS_R_NONE]), (long long)windows,
      (long long)x->migrations, wall, x->agents > 0 ? (double)x->bytes / (double)x->agents : 0.0);
}

int agents_run(const struct agents_input *in, MPI_Comm comm, struct agents_output *out) {
  memset(out, 0, sizeof *out);
  double t0 = MPI_Wtime();
  struct agents_sim s;
  int64_t n_agents = 0, n_res = 0;
  int64_t *first = NULL;
  int st = sim_setup(&s, in, comm, &out->trips);
  if (st == LC_OK)
    st = agents_population_totals(in->pop, in->cfg->residents_per_agent, &n_agents, &n_res);
  if (st == LC_OK)
    st = sim_memory_check(in, n_agents);
  if (st == LC_OK) {
    size_t no = (size_t)(in->dg->n_owned > 0 ? in->dg->n_owned : 1);
    first = malloc(2 * no * sizeof *first);
    st = first ? agents_population_layout(in, first, first + no, &n_agents, &n_res) : LC_ENOMEM;
  }
  st = lc_agree(comm, st);
  if (st != LC_OK)
    goto done;
  /* Place the agents in batches of about a million per rank, delivering migrations between
   * batches so that the send buffers stay small. */
  int64_t mine = 0;
  for (int32_t j = 0; j < in->dg->n_owned; j++)
    for (int g = 0; g < s.n_group; g++) {
      int64_t base, kept, added;
      agents_population_split(in, in->dg->global[j], g, &base, &kept, &added);
      mine += agents_count(kept, in->cfg->residents_per_agent) +
              agents_count(added, in->cfg->residents_per_agent);
    }
  int64_t batches = mine / 1000000 + 1, nb = 0;
  if (MPI_Allreduce(&batches, &nb, 1, MPI_INT64_T, MPI_MAX, comm) != MPI_SUCCESS) {
    st = LC_EMPI;
    goto done;
  }
  for (int64_t bi = 0; bi < nb; bi++) {
    int32_t j0 = (int32_t)((int64_t)in->dg->n_owned * bi / nb);
    int32_t j1 = (int32_t)((int64_t)in->dg->n_owned * (bi + 1) / nb);
    if (st == LC_OK)
      st = sim_place(&s, first, first + (in->dg->n_owned > 0 ? in->dg->n_owned : 1), j0, j1);
    /* Every rank takes part in the exchange whatever its status (the exchange agrees on
     * failures before its point-to-point traffic). */
    int xs = agents_exchange(&s);
    if (xs != LC_OK) {
      st = xs;
      goto done;
    }
    if (st == LC_OK)
      st = sim_inbox(&s);
  }
  /* The window loop. Each pass agrees (one allreduce) on the next window holding arrivals,
   * the earliest event still waiting in an outbox, the status and the invariant counters.
   * Outboxes are delivered only when one holds an event no later than the next window (an
   * arrival, or a return home whose next departure could be); otherwise that window is
   * settled at once: nothing undelivered can reach it. */
  int64_t windows = 0;
  for (;;) {
    int64_t mine[AGENTS_AGREE] = {sim_next_local(&s) < 0 ? INT64_MAX : sim_next_local(&s),
                                  s.out_min,
                                  -(int64_t)st,
                                  s.pending,
                                  s.finished,
                                  s.violations,
                                  sim_outbox_total(&s)};
    int64_t g[AGENTS_AGREE];
    int ast = agents_exchange_agree(&s, mine, g);
    if (ast != LC_OK) {
      st = ast;
      break;
    }
    if (g[2] != 0) {
      if (st == LC_OK)
        st = lc_error_set((int)-g[2], __FILE__, __LINE__, "agents: another rank failed");
      break;
    }
    if (g[5] > 0) {
      st = lc_error_set(LC_EINVARIANT, __FILE__, __LINE__,
                        "%lld invariant violations (a clock going backwards, an arrival in a "
                        "settled window, or an agent on a rank that does not own its node) "
                        "after %lld windows",
                        (long long)g[5], (long long)windows);
      break;
    }
    /* Conservation: every agent is pending, in flight or done for the day. */
    if (g[3] + g[4] + g[6] != n_agents) {
      st = lc_error_set(LC_EINVARIANT, __FILE__, __LINE__,
                        "agents not conserved after %lld windows: %lld pending + %lld in "
                        "flight + %lld done != %lld agents",
                        (long long)windows, (long long)g[3], (long long)g[6], (long long)g[4],
                        (long long)n_agents);
      break;
    }
    int64_t bytes = sim_bytes(&s);
    if (bytes > s.peak_bytes)
      s.peak_bytes = bytes;
    if (g[6] > 0 && g[1] <= g[0]) {
      st = agents_exchange(&s);
      if (st == LC_OK)
        st = sim_inbox(&s);
      else
        break;
      continue;
    }
    if (g[0] == INT64_MAX)
      break;
    windows++;
    st = sim_window(&s, g[0]);
  }
  st = lc_agree(comm, st);
  if (st != LC_OK)
    goto done;
  /* Queues of the bins after the last arrival. */
  for (int64_t i = 0; i < s.n_fs; i++)
    sim_fac_advance(&s, &s.fs[i], AGENTS_DAY_S - 1);
  int64_t bad = 0;
  if (in->cfg->trips)
    st = sim_capacity_sweep(&s, &bad);
  st = lc_agree(comm, st);
  if (st == LC_OK)
    st = lc_agree(comm, sim_outputs(&s, out));
  if (st != LC_OK)
    goto done;
  /* Served services counted in FacilityLoad, and bins where more persons were turned away
   * than arrived, on the facilities of this rank. */
  int64_t served_load = 0, over = 0;
  for (int64_t i = 0; i < s.n_fs; i++)
    for (int b = 0; b < s.n_bins; b++) {
      const int32_t *l = &s.fs[i].load[b * AGENTS_LOAD];
      served_load += l[1];
      over += l[3] > l[0] || l[3] > l[4];
    }
  enum { NL = 10 + AGENTS_N_REASONS };
  int64_t loc[NL] = {s.n_trips_local, s.outcome[0],       s.outcome[1], s.outcome[2], s.outcome[3],
                     s.migrations,    bad + s.violations, s.peak_bytes, served_load,  over};
  for (int r = 0; r < AGENTS_N_REASONS; r++)
    loc[10 + r] = s.reason[r];
  int64_t glob[NL];
  st = agents_exchange_sum(&s, loc, glob, NL);
  double wall = MPI_Wtime() - t0, wmax = wall;
  if (st == LC_OK && MPI_Allreduce(&wall, &wmax, 1, MPI_DOUBLE, MPI_MAX, comm) != MPI_SUCCESS)
    st = LC_EMPI;
  if (st != LC_OK)
    goto done;
  struct agents_stats *x = &out->stats;
  x->agents = n_agents;
  x->residents = n_res;
  x->trips = glob[0];
  for (int i = 0; i < 4; i++)
    x->outcome[i] = glob[1 + i];
  x->windows = windows;
  x->exchanges = s.exchanges;
  x->migrations = glob[5];
  x->violations = glob[6];
  x->bytes = glob[7];
  x->wall_s = wmax;
  for (int r = 0; r < AGENTS_N_REASONS; r++)
    x->reason[r] = glob[10 + r];
  if (x->violations > 0)
    st = lc_error_set(LC_EINVARIANT, __FILE__, __LINE__,
                      "capacity exceeded at %lld facilities (sweep over the served trips)",
                      (long long)glob[6]);
  if (st == LC_OK)
    st = sim_check_outcomes(out, glob[8], x->outcome[0] + x->outcome[1] + x->outcome[2], glob[9]);
  if (st == LC_OK)
    sim_log(out, n_res, windows, wmax, in->quiet);
done:
  free(first);
  sim_free(&s);
  if (st != LC_OK)
    agents_output_free(out);
  return st;
}

const char *const agents_param_names[AGENTS_N_PARAMS] = {"capacity", "service_time", "visit_rate"};

int agents_run_design(const struct agents_input *in, MPI_Comm comm, struct agents_output *out) {
  const struct agents_config *cfg = in->cfg;
  if (!cfg->sens_enabled || cfg->n_design == 0)
    return LC_OK;
  int D = cfg->n_design;
  int64_t cells = (int64_t)out->n_rows * out->n_cat * out->n_group;
  size_t n = (size_t)D * (size_t)(cells > 0 ? cells : 1);
  out->design_needed = calloc(n, sizeof *out->design_needed);
  out->design_covered = calloc(n, sizeof *out->design_covered);
  out->design_unmet = calloc(n, sizeof *out->design_unmet);
  if (!out->design_needed || !out->design_covered || !out->design_unmet)
    LC_FAIL(LC_ENOMEM, "agents: out of memory for the sensitivity design");
  out->n_design = D;
  double t0 = MPI_Wtime();
  for (int d = 0; d < D; d++) {
    const double *f = cfg->design[d];
    struct agents_config c2;
    LC_CHECK(agents_plans_scaled(cfg, f[AGENTS_P_RATE], f[AGENTS_P_SERVICE], &c2));
    /* The same agents, plans and random streams; only the assumed parameters change. */
    c2.trips = 0;
    c2.sens_enabled = 0;
    struct agents_input i2 = *in;
    i2.cfg = &c2;
    i2.cap_factor = f[AGENTS_P_CAPACITY];
    i2.quiet = 1;
    struct agents_output o2;
    int st = agents_run(&i2, comm, &o2);
    agents_config_free(&c2);
    LC_CHECK(st);
    for (int64_t k = 0; k < cells; k++) {
      int64_t u = 0;
      for (int r = 0; r < AGENTS_N_UNMET; r++)
        u += o2.unmet[r * cells + k];
      out->design_needed[d * cells + k] = o2.needed[k];
      out->design_covered[d * cells + k] = o2.covered[k];
      out->design_unmet[d * cells + k] = u;
    }
    agents_output_free(&o2);
  }
  log_info("agents: sensitivity design of %d points (capacity, service time, visit rate "
           "factors) simulated in %.2f s",
           D, MPI_Wtime() - t0);
  return LC_OK;
}
