/* Hand-checked cases of the agent simulation on one rank: two agents and one seat, a redirect
 * when the queue is too long, failure after K tries, a closed facility skipped, one agent per
 * N residents, the activities file's validation, the opening_hours parser and the memory
 * refusal. Every expected value is worked out in the comments from the fixtures:
 * tests/fixtures/agents/categories.yml (shop: 1 seat, 10 min, threshold 5 min; clinic:
 * 08:00-17:00, threshold 10 min), groups.yml (adults walk 1.0 m/s). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "agents_internal.h"
#include "agents_world.h"

#define T0800 28800

static struct world W;

/* Two adults at node 0 go to the one-seat shop 100 m away at 08:00 (service 10 min). Both
 * arrive at 08:01:40 (28,900 s); agent 0 is served at once, agent 1 waits exactly one
 * service time (600 s). Door to service: 100 s and 700 s against the 300 s threshold. */
static void test_two_agents_one_seat(void) {
  world_init(&W, "agents/one_shop.yml", NULL);
  world_path(&W, 2, 10000);
  world_population(&W, 0);
  world_residents(&W, 0, "adult", 2);
  int64_t f = world_facility(&W, "shop", 1, 0, -1, NULL, NULL);
  CU_ASSERT_EQUAL_FATAL(world_run(&W, MPI_COMM_SELF, NULL, 4), LC_OK);
  int64_t n;
  struct agents_trip *t = world_trips(&W, MPI_COMM_SELF, &n);
  CU_ASSERT_EQUAL_FATAL(n, 2);
  CU_ASSERT_EQUAL(t[0].agent, 0);
  CU_ASSERT_EQUAL(t[0].fac, f);
  CU_ASSERT_EQUAL(t[0].depart_s, T0800);
  CU_ASSERT_EQUAL(t[0].arrive_s, T0800 + 100);
  CU_ASSERT_EQUAL(t[0].wait_s, 0);
  CU_ASSERT_EQUAL(t[0].outcome, AGENTS_SERVED);
  CU_ASSERT_EQUAL(t[0].walk_cm, 10000);
  CU_ASSERT_EQUAL(t[0].end_s, T0800 + 100 + 600);
  CU_ASSERT_EQUAL(t[1].agent, 1);
  CU_ASSERT_EQUAL(t[1].arrive_s, T0800 + 100);
  CU_ASSERT_EQUAL(t[1].wait_s, 600);
  CU_ASSERT_EQUAL(t[1].outcome, AGENTS_WAITED);
  CU_ASSERT_EQUAL(t[1].end_s, T0800 + 100 + 1200);
  /* Bin 32 covers 28,800-29,699 s: both arrive and start (28,900 and 29,500) in it. */
  CU_ASSERT_EQUAL(W.out.n_bins, 96);
  CU_ASSERT_EQUAL(world_load(&W, 0, f, 32), 2);
  CU_ASSERT_EQUAL(world_load(&W, 1, f, 32), 2);
  CU_ASSERT_EQUAL(world_load(&W, 2, f, 32), 1);
  CU_ASSERT_EQUAL(world_load(&W, 3, f, 32), 0);
  CU_ASSERT_EQUAL(world_load(&W, 0, f, 31) + world_load(&W, 0, f, 33), 0);
  CU_ASSERT_EQUAL(world_load(&W, 2, f, 33), 0);
  /* Realised coverage: rows sub 0 and all; shop is category 0, adult group 2 of 4. */
  int G = 4, C = W.cats.n;
  for (int r = 0; r < 2; r++) {
    int64_t at = ((int64_t)r * C + 0) * G + 2;
    CU_ASSERT_EQUAL(W.out.needed[at], 2);
    CU_ASSERT_EQUAL(W.out.covered[at], 1);
    CU_ASSERT_DOUBLE_EQUAL(W.out.share[at], 0.5, 1e-12);
    CU_ASSERT(isnan(W.out.share[((int64_t)r * C + 1) * G + 2]));
  }
  CU_ASSERT_EQUAL(W.out.stats.agents, 2);
  CU_ASSERT_EQUAL(W.out.stats.trips, 2);
  CU_ASSERT_EQUAL(W.out.stats.violations, 0);
  free(t);
  world_free(&W);
}

/* Shop A (1 seat) at node 1, shop B (unlimited) at node 2, 100 m apart; seats held 60 min,
 * tolerance 10 min. Agent 1 would wait 3,600 s at A: turned away at 28,900 s, it walks 100 m
 * (A's snap 0 + B's list distance from node 1) to B, arriving at 29,000 s, served at once:
 * redirected, 200 m walked, door to service 200 s (within 300 s). With max_tries 1 it fails
 * at A instead. */
static void redirect_case(int max_tries) {
  char extra[64];
  snprintf(extra, sizeof extra, "  max_tries: %d\n", max_tries);
  world_init(&W, "agents/short_wait.yml", extra);
  world_path(&W, 3, 10000);
  world_population(&W, 0);
  world_residents(&W, 0, "adult", 2);
  int64_t a = world_facility(&W, "shop", 1, 0, 1, NULL, NULL);
  int64_t b = world_facility(&W, "shop", 2, 0, 0, NULL, NULL);
  CU_ASSERT_EQUAL_FATAL(world_run(&W, MPI_COMM_SELF, NULL, 4), LC_OK);
  int64_t n;
  struct agents_trip *t = world_trips(&W, MPI_COMM_SELF, &n);
  CU_ASSERT_EQUAL_FATAL(n, 2);
  CU_ASSERT_EQUAL(t[0].fac, a);
  CU_ASSERT_EQUAL(t[0].outcome, AGENTS_SERVED);
  CU_ASSERT_EQUAL(t[0].end_s, T0800 + 100 + 3600);
  CU_ASSERT_EQUAL(world_load(&W, 3, a, 32), 1);
  CU_ASSERT_EQUAL(world_load(&W, 0, a, 32), 2);
  CU_ASSERT_EQUAL(world_load(&W, 1, a, 32), 1);
  int64_t at = (0 * (int64_t)W.cats.n + 0) * 4 + 2;
  if (max_tries > 1) {
    CU_ASSERT_EQUAL(t[1].fac, b);
    CU_ASSERT_EQUAL(t[1].outcome, AGENTS_REDIRECTED);
    CU_ASSERT_EQUAL(t[1].arrive_s, T0800 + 200);
    CU_ASSERT_EQUAL(t[1].wait_s, 0);
    CU_ASSERT_EQUAL(t[1].walk_cm, 20000);
    CU_ASSERT_EQUAL(t[1].end_s, T0800 + 200 + 3600);
    CU_ASSERT_EQUAL(world_load(&W, 0, b, 32), 1);
    CU_ASSERT_EQUAL(world_load(&W, 1, b, 32), 1);
    CU_ASSERT_EQUAL(W.out.covered[at], 2);
    CU_ASSERT_EQUAL(W.out.stats.outcome[AGENTS_REDIRECTED], 1);
    CU_ASSERT_EQUAL(t[1].reason, AGENTS_R_REDIRECTED);
  } else {
    CU_ASSERT_EQUAL(t[1].fac, a);
    CU_ASSERT_EQUAL(t[1].outcome, AGENTS_FAILED);
    CU_ASSERT_EQUAL(t[1].arrive_s, T0800 + 100);
    CU_ASSERT_EQUAL(t[1].end_s, -1);
    CU_ASSERT_EQUAL(t[1].walk_cm, 10000);
    CU_ASSERT_EQUAL(world_load(&W, 0, b, 32), 0);
    CU_ASSERT_EQUAL(W.out.covered[at], 1);
    CU_ASSERT_EQUAL(W.out.stats.outcome[AGENTS_FAILED], 1);
    /* K = 1 facility turned it away for its wait: capacity full after K tries, one person
     * unmet for that reason. */
    int64_t cells = (int64_t)W.out.n_rows * W.out.n_cat * W.out.n_group;
    CU_ASSERT_EQUAL(t[1].reason, AGENTS_R_FULL);
    CU_ASSERT_EQUAL(W.out.unmet[(AGENTS_R_FULL - AGENTS_R_NONE) * cells + at], 1);
    CU_ASSERT_EQUAL(W.out.unmet[(AGENTS_R_GAVE_UP - AGENTS_R_NONE) * cells + at], 0);
  }
  /* One person (agent 1) turned away at A once: one attempt. */
  CU_ASSERT_EQUAL(world_load(&W, 4, a, 32), 1);
  CU_ASSERT_EQUAL(W.out.late[at], 0);
  CU_ASSERT_EQUAL(W.out.needed[at], 2);
  free(t);
  world_free(&W);
}

static void test_redirect_on_queue(void) { redirect_case(3); }

/* Shop A alone (1 seat, 60 min): agent 1 is turned away for its wait with K = 3 but no other
 * shop within the radius: it gave up waiting (not "capacity full after K tries"). */
static void test_gave_up_waiting(void) {
  world_init(&W, "agents/short_wait.yml", NULL);
  world_path(&W, 3, 10000);
  world_population(&W, 0);
  world_residents(&W, 0, "adult", 2);
  int64_t a = world_facility(&W, "shop", 1, 0, 1, NULL, NULL);
  CU_ASSERT_EQUAL_FATAL(world_run(&W, MPI_COMM_SELF, NULL, 4), LC_OK);
  int64_t n;
  struct agents_trip *t = world_trips(&W, MPI_COMM_SELF, &n);
  CU_ASSERT_EQUAL_FATAL(n, 2);
  CU_ASSERT_EQUAL(t[0].reason, AGENTS_R_SERVED);
  CU_ASSERT_EQUAL(t[1].fac, a);
  CU_ASSERT_EQUAL(t[1].reason, AGENTS_R_GAVE_UP);
  CU_ASSERT_EQUAL(t[1].outcome, AGENTS_FAILED);
  int64_t cells = (int64_t)W.out.n_rows * W.out.n_cat * W.out.n_group;
  int64_t at = (0 * (int64_t)W.cats.n + 0) * 4 + 2;
  CU_ASSERT_EQUAL(W.out.unmet[(AGENTS_R_GAVE_UP - AGENTS_R_NONE) * cells + at], 1);
  CU_ASSERT_EQUAL(W.out.covered[at], 1);
  CU_ASSERT_EQUAL(world_load(&W, 3, a, 32), 1);
  free(t);
  world_free(&W);
}
static void test_fail_after_k(void) { redirect_case(1); }

/* Clinic A at node 1 opens at 09:00; clinic B at node 2 is open from 08:00. Leaving at 08:00,
 * the agent would reach A at 08:01:40, closed: it goes to B (200 m, arriving 08:03:20),
 * served without redirect. When B closes at 08:03 instead, no clinic is open on arrival and
 * the trip fails at home (facility -1). */
static void closed_case(const char *b_close) {
  world_init(&W, "agents/clinic_0800.yml", NULL);
  world_path(&W, 3, 10000);
  world_population(&W, 0);
  world_residents(&W, 0, "adult", 1);
  world_facility(&W, "clinic", 1, 0, -1, "09:00", NULL);
  int64_t b = world_facility(&W, "clinic", 2, 0, -1, NULL, b_close);
  CU_ASSERT_EQUAL_FATAL(world_run(&W, MPI_COMM_SELF, NULL, 4), LC_OK);
  int64_t n;
  struct agents_trip *t = world_trips(&W, MPI_COMM_SELF, &n);
  CU_ASSERT_EQUAL_FATAL(n, 1);
  int64_t at = (0 * (int64_t)W.cats.n + 1) * 4 + 2;
  if (!b_close) {
    CU_ASSERT_EQUAL(t[0].fac, b);
    CU_ASSERT_EQUAL(t[0].outcome, AGENTS_SERVED);
    CU_ASSERT_EQUAL(t[0].arrive_s, T0800 + 200);
    CU_ASSERT_EQUAL(t[0].walk_cm, 20000);
    CU_ASSERT_EQUAL(W.out.covered[at], 1);
  } else {
    CU_ASSERT_EQUAL(t[0].fac, -1);
    CU_ASSERT_EQUAL(t[0].outcome, AGENTS_FAILED);
    CU_ASSERT_EQUAL(t[0].walk_cm, 0);
    CU_ASSERT_EQUAL(W.out.covered[at], 0);
  }
  CU_ASSERT_EQUAL(W.out.needed[at], 1);
  free(t);
  world_free(&W);
}

static void test_closed_skipped(void) { closed_case(NULL); }

/* No clinic at all: the need has no facility within the radius. It is recorded with reason
 * "none within radius", no facility and no walk, and counts as an unmet person; the agent
 * never leaves home (no arrival anywhere). */
static void test_none_within_radius(void) {
  world_init(&W, "agents/clinic_0800.yml", NULL);
  world_path(&W, 3, 10000);
  world_population(&W, 0);
  world_residents(&W, 0, "adult", 1);
  int64_t s = world_facility(&W, "shop", 1, 0, -1, NULL, NULL);
  CU_ASSERT_EQUAL_FATAL(world_run(&W, MPI_COMM_SELF, NULL, 4), LC_OK);
  int64_t n;
  struct agents_trip *t = world_trips(&W, MPI_COMM_SELF, &n);
  CU_ASSERT_EQUAL_FATAL(n, 1);
  CU_ASSERT_EQUAL(t[0].reason, AGENTS_R_NONE);
  CU_ASSERT_EQUAL(t[0].fac, -1);
  CU_ASSERT_EQUAL(t[0].walk_cm, 0);
  CU_ASSERT_EQUAL(t[0].end_s, -1);
  int64_t cells = (int64_t)W.out.n_rows * W.out.n_cat * W.out.n_group;
  int64_t at = (0 * (int64_t)W.cats.n + 1) * 4 + 2;
  CU_ASSERT_EQUAL(W.out.needed[at], 1);
  CU_ASSERT_EQUAL(W.out.unmet[at], 1); /* Block 0: none within radius. */
  CU_ASSERT_EQUAL(W.out.covered[at] + W.out.late[at], 0);
  CU_ASSERT_EQUAL(W.out.stats.reason[AGENTS_R_NONE], 1);
  int64_t arrivals = 0;
  for (int b = 0; b < W.out.n_bins; b++)
    arrivals += world_load(&W, 0, s, b);
  CU_ASSERT_EQUAL(arrivals, 0);
  (void)cells;
  free(t);
  world_free(&W);
}

/* A closed clinic on arrival (closed_case with B closing at 08:03) is "closed on arrival". */
static void test_closed_reason(void) {
  world_init(&W, "agents/clinic_0800.yml", NULL);
  world_path(&W, 3, 10000);
  world_population(&W, 0);
  world_residents(&W, 0, "adult", 1);
  world_facility(&W, "clinic", 1, 0, -1, "09:00", NULL);
  world_facility(&W, "clinic", 2, 0, -1, NULL, "08:03");
  CU_ASSERT_EQUAL_FATAL(world_run(&W, MPI_COMM_SELF, NULL, 4), LC_OK);
  int64_t n;
  struct agents_trip *t = world_trips(&W, MPI_COMM_SELF, &n);
  CU_ASSERT_EQUAL_FATAL(n, 1);
  CU_ASSERT_EQUAL(t[0].reason, AGENTS_R_CLOSED);
  int64_t cells = (int64_t)W.out.n_rows * W.out.n_cat * W.out.n_group;
  int64_t at = (0 * (int64_t)W.cats.n + 1) * 4 + 2;
  CU_ASSERT_EQUAL(W.out.unmet[(AGENTS_R_CLOSED - AGENTS_R_NONE) * cells + at], 1);
  free(t);
  world_free(&W);
}

/* The design's plans (agents_plans_scaled) on the shipped activities: rates times 2 are at
 * most 1, exclusive sets scaled back to sum 1 keep their proportions (pupils' schools stay
 * 0.667/0.333), seat times double; and with the same draws an agent doing an activity at a
 * lower rate does it at every higher rate (common random numbers), at the same start. */
static int in_set(const struct agents_config *cfg, int g, int a) {
  int in = cfg->plans.act[g][a].excl_first != a;
  for (int m = a + 1; m < cfg->plans.n_act[g]; m++)
    in |= cfg->plans.act[g][m].excl_first == a;
  return in;
}

static void test_design_plans(void) {
  const char *root = getenv("LC_ROOT");
  char cats_path[1024], groups_path[1024], text[1200];
  snprintf(cats_path, sizeof cats_path, "%s/inputs/categories.yml", root ? root : ".");
  snprintf(groups_path, sizeof groups_path, "%s/inputs/groups.yml", root ? root : ".");
  struct category_set cats;
  struct group_set groups;
  struct params p;
  struct agents_config cfg, lo, hi;
  CU_ASSERT_EQUAL_FATAL(categories_load(cats_path, &cats), LC_OK);
  CU_ASSERT_EQUAL_FATAL(group_load(groups_path, &groups), LC_OK);
  snprintf(text, sizeof text, "Agents:\n  activities: %s/inputs/activities.yml\n",
           root ? root : ".");
  CU_ASSERT_EQUAL_FATAL(params_from_string(text, "t.yml", &p), LC_OK);
  CU_ASSERT_EQUAL_FATAL(agents_configure(&p, &cfg), LC_OK);
  CU_ASSERT_EQUAL_FATAL(agents_prepare(&cfg, &cats, &groups), LC_OK);
  CU_ASSERT_EQUAL_FATAL(agents_plans_scaled(&cfg, 0.5, 1.0, &lo), LC_OK);
  CU_ASSERT_EQUAL_FATAL(agents_plans_scaled(&cfg, 2.0, 2.0, &hi), LC_OK);
  int pupil = group_find(&groups, "pupil");
  for (int g = 0; g < cfg.plans.n_group; g++)
    for (int a = 0; a < cfg.plans.n_act[g]; a++) {
      const struct agents_activity *c = &cfg.plans.act[g][a], *h = &hi.plans.act[g][a];
      CU_ASSERT(h->p_day <= 1.0 + 1e-12);
      CU_ASSERT_DOUBLE_EQUAL(lo.plans.act[g][a].p_day, c->p_day * 0.5, 1e-12);
      CU_ASSERT_EQUAL(h->duration_s, 2 * c->duration_s);
      CU_ASSERT_EQUAL(lo.plans.act[g][a].duration_s, c->duration_s);
      if (g == pupil && c->excl_first != a) /* The pupils' set sums to 1: unchanged. */
        CU_ASSERT_DOUBLE_EQUAL(h->excl_off, c->excl_off, 1e-9);
      if (g == pupil && (c->excl_first != a || h->excl_off > 0))
        CU_ASSERT_DOUBLE_EQUAL(h->p_day, c->p_day, 1e-9);
    }
  int64_t subset_bad = 0, done_lo = 0;
  for (int64_t agent = 0; agent < 3000; agent++)
    for (int g = 0; g < cfg.plans.n_group; g++) {
      struct agents_slot s0[AGENTS_MAX_ACTIVITIES], s1[AGENTS_MAX_ACTIVITIES],
          s2[AGENTS_MAX_ACTIVITIES];
      int n0 = agents_plan_day(&lo, 7, agent, g, s0), n1 = agents_plan_day(&cfg, 7, agent, g, s1),
          n2 = agents_plan_day(&hi, 7, agent, g, s2);
      done_lo += n0;
      /* Activities outside exclusive sets: lo subset of central subset of hi. */
      for (int i = 0; i < n0; i++) {
        int a = s0[i].act, in1 = 0;
        if (in_set(&cfg, g, a))
          continue;
        for (int j = 0; j < n1; j++)
          in1 |= s1[j].act == a && s1[j].start == s0[i].start;
        subset_bad += !in1;
      }
      for (int i = 0; i < n1; i++) {
        int a = s1[i].act, in2 = 0;
        if (in_set(&cfg, g, a))
          continue;
        for (int j = 0; j < n2; j++)
          in2 |= s2[j].act == a && s2[j].start == s1[i].start;
        subset_bad += !in2;
      }
    }
  CU_ASSERT(done_lo > 1000);
  CU_ASSERT_EQUAL(subset_bad, 0);
  agents_config_free(&lo);
  agents_config_free(&hi);
  agents_config_free(&cfg);
  params_free(&p);
  group_free(&groups);
  categories_free(&cats);
}
static void test_closed_fails(void) { closed_case("08:03"); }

/* Five adults at one agent per two residents: three agents of weights 2, 2 and 1, whose
 * weights add up to the five residents in realised coverage. */
static void test_residents_per_agent(void) {
  world_init(&W, "agents/one_shop.yml", "  residents_per_agent: 2\n");
  world_path(&W, 2, 10000);
  world_population(&W, 0);
  world_residents(&W, 0, "adult", 5);
  world_facility(&W, "shop", 1, 0, 0, NULL, NULL);
  CU_ASSERT_EQUAL_FATAL(world_run(&W, MPI_COMM_SELF, NULL, 4), LC_OK);
  CU_ASSERT_EQUAL(W.out.stats.agents, 3);
  CU_ASSERT_EQUAL(W.out.stats.residents, 5);
  CU_ASSERT_EQUAL(W.out.needed[2], 5);
  CU_ASSERT_EQUAL(W.out.covered[2], 5);
  world_free(&W);
}

/* 10^12 residents at one agent each cannot fit in memory: refused before anything is
 * allocated, with advice on Agents:residents_per_agent. */
static void test_memory_refusal(void) {
  world_init(&W, "agents/one_shop.yml", NULL);
  world_path(&W, 2, 10000);
  world_population(&W, 0);
  world_residents(&W, 0, "adult", 1000000000000LL);
  world_facility(&W, "shop", 1, 0, 0, NULL, NULL);
  CU_ASSERT_EQUAL(world_run(&W, MPI_COMM_SELF, NULL, 4), LC_ETOOBIG);
  CU_ASSERT_PTR_NOT_NULL(strstr(lc_error_message(), "residents_per_agent"));
  world_free(&W);
}

/* Loads the fixture `file` and expects `status` with a message naming the file, `where`
 * (":line:") and `what`. */
static void bad_case(const char *file, int status, const char *where, const char *what) {
  struct category_set cats;
  struct group_set groups;
  struct params p;
  struct agents_config cfg;
  char text[512];
  CU_ASSERT_EQUAL_FATAL(categories_load(lc_fixture("agents/categories.yml"), &cats), LC_OK);
  CU_ASSERT_EQUAL_FATAL(group_load(lc_fixture("agents/groups.yml"), &groups), LC_OK);
  snprintf(text, sizeof text, "Agents:\n  activities: %s\n", lc_fixture(file));
  CU_ASSERT_EQUAL_FATAL(params_from_string(text, "t.yml", &p), LC_OK);
  CU_ASSERT_EQUAL_FATAL(agents_configure(&p, &cfg), LC_OK);
  int st = agents_prepare(&cfg, &cats, &groups);
  CU_ASSERT_EQUAL(st, status);
  const char *m = lc_error_message();
  const char *base = strrchr(file, '/') + 1;
  CU_ASSERT_PTR_NOT_NULL(strstr(m, base));
  CU_ASSERT_PTR_NOT_NULL(strstr(m, where));
  CU_ASSERT_PTR_NOT_NULL(strstr(m, what));
  if (!strstr(m, where) || !strstr(m, what))
    fprintf(stderr, "message: %s\n", m);
  CU_ASSERT_EQUAL(cfg.plans.n_act, NULL);
  agents_config_free(&cfg);
  params_free(&p);
  group_free(&groups);
  categories_free(&cats);
}

static void test_activities_errors(void) {
  bad_case("agents/bad_group.yml", LC_EPARAM, ".yml:3:", "unknown group 'tourist'");
  bad_case("agents/bad_probability.yml", LC_EPARAM, ".yml:4:", "per_day '1.5'");
  bad_case("agents/bad_time.yml", LC_EFORMAT, ".yml:5:", "'25:00-26:00'");
  bad_case("agents/bad_negative.yml", LC_EPARAM, ".yml:6:", "duration_min '-5'");
  bad_case("agents/bad_serves.yml", LC_EPARAM, ".yml:3:", "does not serve group 'adult'");
  bad_case("agents/bad_exclusive.yml", LC_EPARAM, ".yml:9:", "exclusive set 'a'");
  bad_case("agents/missing.yml", LC_EIO, "missing.yml", "missing.yml");
}

/* An activity naming a category missing from the run's set is skipped with a note; the
 * group keeps its other activities, in order. */
static void test_activities_skip_missing_category(void) {
  struct category_set cats;
  struct group_set groups;
  struct params p;
  struct agents_config cfg;
  char text[512];
  CU_ASSERT_EQUAL_FATAL(categories_load(lc_fixture("agents/categories.yml"), &cats), LC_OK);
  CU_ASSERT_EQUAL_FATAL(group_load(lc_fixture("agents/groups.yml"), &groups), LC_OK);
  snprintf(text, sizeof text, "Agents:\n  activities: %s\n", lc_fixture("agents/bad_category.yml"));
  CU_ASSERT_EQUAL_FATAL(params_from_string(text, "t.yml", &p), LC_OK);
  CU_ASSERT_EQUAL_FATAL(agents_configure(&p, &cfg), LC_OK);
  CU_ASSERT_EQUAL_FATAL(agents_prepare(&cfg, &cats, &groups), LC_OK);
  int adult = group_find(&groups, "adult");
  CU_ASSERT_FATAL(adult >= 0);
  CU_ASSERT_EQUAL(cfg.plans.n_act[adult], 1);
  CU_ASSERT_EQUAL(cfg.plans.act[adult][0].cat, categories_find(&cats, "shop"));
  CU_ASSERT(cfg.plans.act[adult][0].p_day == 1.0);
  agents_config_free(&cfg);
  params_free(&p);
  group_free(&groups);
  categories_free(&cats);
}

/* The shipped activities file loads against the shipped categories and groups. */
static void test_activities_shipped(void) {
  const char *root = getenv("LC_ROOT");
  char cats_path[1024], groups_path[1024], text[1200];
  snprintf(cats_path, sizeof cats_path, "%s/inputs/categories.yml", root ? root : ".");
  snprintf(groups_path, sizeof groups_path, "%s/inputs/groups.yml", root ? root : ".");
  struct category_set cats;
  struct group_set groups;
  struct params p;
  struct agents_config cfg;
  CU_ASSERT_EQUAL_FATAL(categories_load(cats_path, &cats), LC_OK);
  CU_ASSERT_EQUAL_FATAL(group_load(groups_path, &groups), LC_OK);
  snprintf(text, sizeof text, "Agents:\n  activities: %s/inputs/activities.yml\n",
           root ? root : ".");
  CU_ASSERT_EQUAL_FATAL(params_from_string(text, "t.yml", &p), LC_OK);
  CU_ASSERT_EQUAL_FATAL(agents_configure(&p, &cfg), LC_OK);
  int st = agents_prepare(&cfg, &cats, &groups);
  if (st != LC_OK)
    fprintf(stderr, "%s\n", lc_error_message());
  CU_ASSERT_EQUAL(st, LC_OK);
  CU_ASSERT(cfg.plans.n_act[group_find(&groups, "elderly")] >= 5);
  agents_config_free(&cfg);
  params_free(&p);
  group_free(&groups);
  categories_free(&cats);
}

/* Parameters out of range are refused with the key named. */
static void test_configure_errors(void) {
  static const char *const bad[] = {"Agents:\n  residents_per_agent: 0\n",
                                    "Agents:\n  choice: random\n",
                                    "Agents:\n  max_tries: 9\n",
                                    "Agents:\n  day_start: \"7h\"\n",
                                    "Agents:\n  day_start: \"10:00\"\n  day_end: \"09:00\"\n",
                                    "Agents:\n  bin_s: 0\n"};
  static const char *const key[] = {"residents_per_agent", "choice",  "max_tries",
                                    "day_start",           "day_end", "bin_s"};
  for (int i = 0; i < 6; i++) {
    struct params p;
    struct agents_config cfg;
    CU_ASSERT_EQUAL_FATAL(params_from_string(bad[i], "t.yml", &p), LC_OK);
    CU_ASSERT_EQUAL(agents_configure(&p, &cfg), LC_EPARAM);
    CU_ASSERT_PTR_NOT_NULL(strstr(lc_error_message(), key[i]));
    params_free(&p);
  }
}

static void test_opening_hours(void) {
  int32_t o, c;
  int closed;
  CU_ASSERT_EQUAL(agents_opening_hours("Mo-Su 06:00-20:00", 2, &o, &c, &closed), LC_OK);
  CU_ASSERT(!closed && o == 360 && c == 1200);
  CU_ASSERT_EQUAL(agents_opening_hours("07:00-19:00", 6, &o, &c, &closed), LC_OK);
  CU_ASSERT(!closed && o == 420 && c == 1140);
  CU_ASSERT_EQUAL(agents_opening_hours("24/7", 0, &o, &c, &closed), LC_OK);
  CU_ASSERT(!closed && o == 0 && c == 1440);
  const char *v = "Mo-Fr 08:00-17:00; Sa 09:00-12:00";
  CU_ASSERT_EQUAL(agents_opening_hours(v, 4, &o, &c, &closed), LC_OK);
  CU_ASSERT(!closed && o == 480 && c == 1020);
  CU_ASSERT_EQUAL(agents_opening_hours(v, 5, &o, &c, &closed), LC_OK);
  CU_ASSERT(!closed && o == 540 && c == 720);
  CU_ASSERT_EQUAL(agents_opening_hours(v, 6, &o, &c, &closed), LC_OK);
  CU_ASSERT(closed);
  CU_ASSERT_EQUAL(agents_opening_hours("Mo-Fr 08:00-17:00; We off", 2, &o, &c, &closed), LC_OK);
  CU_ASSERT(closed);
  CU_ASSERT_EQUAL(agents_opening_hours("Mo,We,Fr-Su 10:00-24:00", 5, &o, &c, &closed), LC_OK);
  CU_ASSERT(!closed && o == 600 && c == 1440);
  CU_ASSERT_EQUAL(agents_opening_hours("Mo,We,Fr-Su 10:00-24:00", 1, &o, &c, &closed), LC_OK);
  CU_ASSERT(closed);
  CU_ASSERT_EQUAL(agents_opening_hours("Su-Tu 10:00-11:00", 0, &o, &c, &closed), LC_OK);
  CU_ASSERT(!closed && o == 600);
  CU_ASSERT_EQUAL(agents_opening_hours("Mo-Fr 08:00-12:00,14:00-18:00", 0, &o, &c, &closed),
                  LC_EFORMAT);
  CU_ASSERT_EQUAL(agents_opening_hours("PH off", 0, &o, &c, &closed), LC_EFORMAT);
  CU_ASSERT_EQUAL(agents_opening_hours("19:00-07:00", 0, &o, &c, &closed), LC_EFORMAT);
  CU_ASSERT_EQUAL(agents_opening_hours("Mo-Fr 8:00-17:00", 0, &o, &c, &closed), LC_EFORMAT);
  CU_ASSERT_PTR_NOT_NULL(strstr(lc_error_message(), "Mo-Fr 8:00-17:00"));
}

int lc_test_register(void) {
  CU_pSuite s = CU_add_suite("agents", NULL, NULL);
  if (!s)
    return 1;
  CU_add_test(s, "two agents, one seat: the second waits one service time",
              test_two_agents_one_seat);
  CU_add_test(s, "queue beyond tolerance: redirected to the next facility", test_redirect_on_queue);
  CU_add_test(s, "max_tries 1: the turned-away agent fails", test_fail_after_k);
  CU_add_test(s, "no other facility: the turned-away agent gave up waiting", test_gave_up_waiting);
  CU_add_test(s, "no facility within the radius: an unmet need, no walk", test_none_within_radius);
  CU_add_test(s, "no facility open on arrival: closed on arrival", test_closed_reason);
  CU_add_test(s, "design plans: rates and seat times scaled, common random numbers",
              test_design_plans);
  CU_add_test(s, "closed facility skipped for the next open one", test_closed_skipped);
  CU_add_test(s, "no facility open on arrival: failed at home", test_closed_fails);
  CU_add_test(s, "one agent per N residents, weights add up", test_residents_per_agent);
  CU_add_test(s, "memory refusal", test_memory_refusal);
  CU_add_test(s, "activities file errors name file, line, entry", test_activities_errors);
  CU_add_test(s, "an activity of a category missing from the set is skipped",
              test_activities_skip_missing_category);
  CU_add_test(s, "shipped activities file loads", test_activities_shipped);
  CU_add_test(s, "Agents parameters out of range", test_configure_errors);
  CU_add_test(s, "opening_hours parser", test_opening_hours);
  return 0;
}
