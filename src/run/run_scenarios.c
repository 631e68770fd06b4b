/* The main job's scenario loop: the baseline and every selected scenario, computed or
 * reused from an earlier results file, with a clean stop on SIGUSR1/SIGTERM. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "lifecircle/agree.h"
#include "lifecircle/compare.h"
#include "lifecircle/log.h"
#include "lifecircle/results.h"
#include "lifecircle/status.h"
#include "run.h"

/* Earlier results that complete scenarios may be copied from (open on rank 0 only). */
struct run_reuse {
  hid_t file[2];
  char *partial; /* The earlier partial file, moved aside while this run writes. */
};

/* Rank 0 opens the earlier final file and moves an earlier partial (.tmp) file aside, so
 * that the new file can be written under the temporary name. */
static int run_reuse_open(struct run_ctx *run, struct run_reuse *ru) {
  ru->file[0] = ru->file[1] = -1;
  ru->partial = NULL;
  int st = LC_OK;
  if (run->rank == 0) {
    size_t len = strlen(run->output);
    char *tmp = malloc(len + 8);
    ru->partial = malloc(len + 12);
    if (!tmp || !ru->partial) {
      free(tmp);
      st = LC_ENOMEM;
    } else {
      snprintf(tmp, len + 8, "%s.tmp", run->output);
      snprintf(ru->partial, len + 12, "%s.partial", run->output);
      if (access(tmp, F_OK) == 0 && rename(tmp, ru->partial) != 0)
        st = lc_error_set(LC_EIO, __FILE__, __LINE__, "cannot move %s aside", tmp);
      free(tmp);
      const char *names[2] = {run->output, ru->partial};
      for (int i = 0; i < 2 && st == LC_OK; i++)
        if (access(names[i], R_OK) == 0 && H5Fis_hdf5(names[i]) > 0)
          ru->file[i] = H5Fopen(names[i], H5F_ACC_RDONLY, H5P_DEFAULT);
    }
  }
  return lc_agree(run->comm, st);
}

static void run_reuse_close(struct run_ctx *run, struct run_reuse *ru, int success) {
  for (int i = 0; i < 2; i++)
    if (ru->file[i] >= 0)
      H5Fclose(ru->file[i]);
  if (run->rank == 0 && ru->partial && success)
    unlink(ru->partial);
  free(ru->partial);
}

/* 1 when `group` of file f carries the attribute complete = 1. */
static int run_group_complete(hid_t f, const char *group) {
  if (!h5io_exists(f, group))
    return 0;
  hid_t g = H5Gopen2(f, group, H5P_DEFAULT);
  if (g < 0)
    return 0;
  int64_t complete = 0;
  if (H5Aexists(g, "complete") > 0) {
    hid_t a = H5Aopen(g, "complete", H5P_DEFAULT);
    H5Aread(a, H5T_NATIVE_INT64, &complete);
    H5Aclose(a);
  }
  H5Gclose(g);
  return complete == 1;
}

/* 1 when `obj` of file f carries the string attribute `name` equal to `value`. */
static int run_attr_equals(hid_t f, const char *obj, const char *name, const char *value) {
  if (!h5io_exists(f, obj))
    return 0;
  hid_t o = H5Oopen(f, obj, H5P_DEFAULT);
  if (o < 0)
    return 0;
  char *v = NULL;
  int eq = H5Aexists(o, name) > 0 && h5io_read_attr_str(o, name, &v) == LC_OK && !strcmp(v, value);
  free(v);
  H5Oclose(o);
  return eq;
}

/* 1 when a copy of scenario `group` (and its comparison) has the datasets this version
 * writes that earlier versions did not: a copy of an older layout is computed again. */
static int run_has_current_layout(hid_t f, const char *group, const char *cmp_group) {
  static const char *const scen[] = {"Coverage/data_status", "Coverage/data_status_reason",
                                     "Coverage/e2sfca", "NodeAccess/e2sfca"};
  char name[640];
  for (size_t i = 0; i < sizeof scen / sizeof scen[0]; i++) {
    snprintf(name, sizeof name, "%s/%s", group, scen[i]);
    if (!h5io_exists(f, name))
      return 0;
  }
  snprintf(name, sizeof name, "%s/served_newly_covered", cmp_group ? cmp_group : "");
  return !cmp_group || h5io_exists(f, name);
}

/* 1 when group g (of an earlier file) was made from the input files `inputs`; otherwise says
 * which changed, once (*told). */
static int run_inputs_same(hid_t g, const char *group, const char *inputs, int *told) {
  char *earlier = NULL;
  int same = H5Aexists(g, "inputs") > 0 && h5io_read_attr_str(g, "inputs", &earlier) == LC_OK &&
             !strcmp(earlier, inputs);
  if (!same && !*told) {
    char why[2048];
    if (earlier)
      run_inputs_changed(earlier, inputs, why, sizeof why);
    log_info("%s: %s%s%s: computed again", group + strlen("/Scenarios/"),
             earlier ? "input files changed since the earlier results ("
                     : "the earlier results "
                       "do not record the SHA-256 of their input files",
             earlier ? why : "", earlier ? ")" : "");
    *told = 1;
  }
  free(earlier);
  return same;
}

/* Rank 0 looks for a complete copy of scenario `group` made with the same parameters and
 * input files (`inputs`: their SHA-256 lines) whose checksum verifies (and, for a scenario,
 * whose comparison `cmp_group` is complete in the same file, and, given base_sha, over a baseline of that checksum); *which receives the file
 * index or -1. Collective (the answer is broadcast). */
static int run_reuse_find(struct run_ctx *run, struct run_reuse *ru, const char *group,
                          const char *cmp_group, const char *base_sha, const char *inputs,
                          int *which) {
  *which = -1;
  int told = 0;
  if (run->rank == 0) {
    for (int i = 0; i < 2 && *which < 0; i++) {
      hid_t f = ru->file[i];
      if (f < 0 || !run_group_complete(f, group) ||
          (cmp_group && !run_group_complete(f, cmp_group)))
        continue;
      /* A scenario's tables may map to the baseline's: its copy is valid only over the same
       * baseline. */
      if (base_sha && !run_attr_equals(f, "/Scenarios/baseline", "checksum", base_sha)) {
        if (!told)
          log_info("%s: complete in the earlier results over another baseline (its inputs or "
                   "results changed): computed again",
                   group + strlen("/Scenarios/"));
        told = 1;
        continue;
      }
      if (!run_has_current_layout(f, group, cmp_group)) {
        log_info("%s in the earlier results lacks datasets this version writes: computed again",
                 group);
        continue;
      }
      hid_t g = H5Gopen2(f, group, H5P_DEFAULT);
      if (g < 0)
        continue;
      char *sha = NULL, *cfg = NULL;
      int64_t complete = 0;
      if (H5Aexists(g, "complete") > 0) {
        hid_t a = H5Aopen(g, "complete", H5P_DEFAULT);
        H5Aread(a, H5T_NATIVE_INT64, &complete);
        H5Aclose(a);
      }
      if (complete == 1 && H5Aexists(g, "checksum") > 0 && H5Aexists(g, "config_sha256") > 0 &&
          h5io_read_attr_str(g, "checksum", &sha) == LC_OK &&
          h5io_read_attr_str(g, "config_sha256", &cfg) == LC_OK && !strcmp(cfg, run->config_sha) &&
          run_inputs_same(g, group, inputs, &told)) {
        char now[65];
        if (results_checksum(f, group, 1, MPI_COMM_SELF, now) == LC_OK && !strcmp(now, sha))
          *which = i;
        else
          log_warn("%s in the earlier results fails its checksum: computed again", group);
      }
      free(sha);
      free(cfg);
      H5Gclose(g);
    }
  }
  LC_MPI_CHECK(MPI_Bcast(which, 1, MPI_INT, 0, run->comm));
  return LC_OK;
}

/* Writes one computed scenario, its comparison with the baseline, then its marks. */
static int run_write_one(struct run_ctx *run, struct results *res, struct run_scen *s,
                         const char *group) {
  /* The scenario's datasets are hashed while written: the checksum needs no read-back
   * (datasets written by other means are read back by results_checksum_written). */
  LC_CHECK(lc_agree(run->comm, results_digest_begin(res, group)));
  LC_CHECK(run_write_scenario(run, res, s, group));
  LC_CHECK(run_scenario_write_agents(run, res, s, group));
  char sha[65];
  LC_CHECK(results_checksum_written(res, group, sha));
  if (s->index > 0)
    LC_CHECK(run_write_comparison(run, res, s));
  LC_CHECK(results_attr_str(res, group, "checksum", sha));
  LC_CHECK(results_attr_str(res, group, "config_sha256", run->config_sha));
  LC_CHECK(results_attr_str(res, group, "inputs",
                            s->index > 0 ? run->inputs_scen[s->index - 1] : run->inputs_base));
  if (s->sc) {
    LC_CHECK(results_attr_str(res, group, "file", s->sc->file));
    LC_CHECK(results_attr_str(res, group, "description", s->sc->description));
    LC_CHECK(results_attr_i64(res, group, "illustrative", s->sc->illustrative));
  }
  return results_attr_i64(res, group, "complete", 1);
}

/* The checksum attribute of a complete group of the results file, read by every rank. */
static int run_read_checksum(struct results *res, const char *group, char out[65]) {
  hid_t g = H5Gopen2(res->file, group, H5P_DEFAULT);
  char *v = NULL;
  int st = g >= 0 ? h5io_read_attr_str(g, "checksum", &v) : LC_EHDF5;
  if (g >= 0)
    H5Gclose(g);
  if (st == LC_OK && strlen(v) == 64)
    memcpy(out, v, 65);
  else if (st == LC_OK)
    st = lc_error_set(LC_EINVARIANT, __FILE__, __LINE__, "%s: malformed checksum", group);
  free(v);
  return lc_agree(res->comm, st);
}

static void run_scen_init(struct run_scen *s, struct run_ctx *run, int index) {
  memset(s, 0, sizeof *s);
  s->index = index;
  s->sc = index > 0 ? &run->scen[index - 1] : NULL;
  s->name = index > 0 ? s->sc->name : "baseline";
  s->facp = &run->fac;
  s->popp = &run->pop;
  s->dgp = &run->dg;
}

int run_scenarios(struct run_ctx *run) {
  double t0 = MPI_Wtime();
  struct run_reuse ru;
  LC_CHECK(run_reuse_open(run, &ru));
  struct results res;
  int st = results_create(run->output, run->g.n_nodes, run->comm, &res);
  if (st != LC_OK) {
    run_reuse_close(run, &ru, 0);
    return st;
  }
  st = run_write_common(run, &res);
  int total = 1, done = 0, reused = 0;
  for (int i = 0; i < run->n_scen; i++)
    total += run->selected[i];
  struct log_progress prog;
  log_progress_begin(&prog, "scenarios", total);
  int stopped = 0;
  char base_sha[65] = "";
  for (int index = 0; index <= run->n_scen && st == LC_OK; index++) {
    if (index > 0 && !run->selected[index - 1])
      continue;
    /* A signal on any rank stops every rank at the same scenario boundary. */
    int any = 0;
    st = run_signal_any(run, &any);
    if (st == LC_OK && any) {
      stopped = 1;
      break;
    }
    struct run_scen local, *s = index == 0 ? &run->base : &local;
    run_scen_init(s, run, index);
    char group[512], cmp_group[512];
    snprintf(group, sizeof group, "/Scenarios/%s", s->name);
    snprintf(cmp_group, sizeof cmp_group, "/Comparisons/%s", s->name);
    int which = -1;
    st = run_reuse_find(run, &ru, group, index > 0 ? cmp_group : NULL, index > 0 ? base_sha : NULL,
                        index > 0 ? run->inputs_scen[index - 1] : run->inputs_base, &which);
    /* The baseline is always computed (scenarios reuse and compare with it); when its
     * earlier copy verifies, that copy is written, identical by determinism. */
    if (st == LC_OK && (which < 0 || index == 0))
      st = run_scenario_compute(run, s);
    if (st == LC_OK && which < 0)
      st = run_scenario_agents(run, s);
    if (st == LC_OK && which >= 0) {
      st = results_copy_group(&res, run->rank == 0 ? ru.file[which] : -1, group);
      if (st == LC_OK && index > 0)
        st = results_copy_group(&res, run->rank == 0 ? ru.file[which] : -1, cmp_group);
      reused++;
      log_info("%s: complete in the earlier results with a verified checksum: kept", s->name);
    } else if (st == LC_OK) {
      st = run_write_one(run, &res, s, group);
    }
    if (st == LC_OK)
      st = results_flush(&res);
    if (st == LC_OK && index == 0)
      st = run_read_checksum(&res, group, base_sha);
    if (index > 0)
      run_scenario_free(s);
    done++;
    log_progress(&prog, done);
  }
  if (st == LC_OK)
    st = run_fault(run, "write");
  st = lc_agree(run->comm, st);
  if (st == LC_OK)
    st = results_attr_str(&res, "/Header", "status", stopped ? "partial" : "complete");
  if (st == LC_OK)
    st = results_attr_i64(&res, "/Header", "scenarios_complete", done);
  st = results_finish(&res, st);
  run_reuse_close(run, &ru, st == LC_OK && !stopped);
  run->t_write = MPI_Wtime() - t0 - run->t_access - run->t_coverage - run->t_agents;
  if (st == LC_OK && stopped) {
    log_info("stopped by signal before the time limit: %d of %d scenarios complete in %s "
             "(run again with the same output to resume)",
             done, total, run->output);
    LC_FAIL(LC_ESTOPPED, "stopped by a signal: %d of %d scenarios complete in %s", done, total,
            run->output);
  }
  if (st == LC_OK)
    log_info("results: %s (%d scenarios, %d kept from earlier results)", run->output, done, reused);
  return st;
}
