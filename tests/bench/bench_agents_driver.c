/* Benchmark driver of the agent simulation (built and run by tests/bench/bench_agents.sh):
 * loads a run the way `lifecircle run` does (run_setup, run_partition, the baseline's
 * accessibility), then times agents_run on the baseline and prints one line of figures.
 * It is also the reference for integrating the agents into `run` (see the report).
 *
 * usage: bench_agents_driver RUN.yml AGENTS.yml [RESULTS.h5]
 * RUN.yml is a run parameter file; AGENTS.yml holds the Agents section. With RESULTS.h5 a
 * results file like run's is written (common groups, the baseline's static datasets, then the
 * agents' datasets under /Scenarios/baseline). */
#include <mpi.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "lifecircle/agents.h"
#include "lifecircle/agree.h"
#include "lifecircle/log.h"
#include "lifecircle/status.h"
#include "run.h"

int main(int argc, char **argv) {
  int provided;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  log_init(rank, 1);
  if (argc < 3) {
    if (rank == 0)
      fprintf(stderr, "usage: %s RUN.yml AGENTS.yml [RESULTS.h5]\n", argv[0]);
    MPI_Finalize();
    return 2;
  }
  struct run_ctx run;
  struct params ap;
  struct agents_config cfg;
  struct agents_output out;
  memset(&cfg, 0, sizeof cfg);
  memset(&out, 0, sizeof out);
  int have_ap = 0;
  double t0 = MPI_Wtime();
  int st = run_setup(&run, argv[1], NULL, NULL, MPI_COMM_WORLD);
  if (st == LC_OK)
    st = run_partition(&run);
  if (st == LC_OK) {
    run.base.index = 0;
    run.base.name = "baseline";
    run.base.facp = &run.fac;
    run.base.dgp = &run.dg;
    st = run_scenario_compute(&run, &run.base);
  }
  double t_static = MPI_Wtime() - t0;
  if (st == LC_OK) {
    st = params_read(argv[2], MPI_COMM_WORLD, &ap);
    have_ap = st == LC_OK;
  }
  if (st == LC_OK)
    st = agents_configure(&ap, &cfg);
  if (st == LC_OK)
    st = agents_prepare(&cfg, &run.cats, &run.groups);
  st = lc_agree(MPI_COMM_WORLD, st);
  struct agents_input in = {&cfg,     &run.dg,     run.part,  &run.base.acc, &run.fac,
                            &run.pop, &run.groups, &run.cats, NULL,          (uint64_t)run.seed,
                            NULL,     0,           1.0};
  struct rusage r0, r1;
  getrusage(RUSAGE_SELF, &r0);
  if (st == LC_OK)
    st = agents_run(&in, MPI_COMM_WORLD, &out);
  getrusage(RUSAGE_SELF, &r1);
  /* CPU seconds of the simulation, summed over ranks: wall time on a shared machine
   * includes waiting for cores. */
  double cpu = (double)(r1.ru_utime.tv_sec - r0.ru_utime.tv_sec) +
               1e-6 * (double)(r1.ru_utime.tv_usec - r0.ru_utime.tv_usec) +
               (double)(r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) +
               1e-6 * (double)(r1.ru_stime.tv_usec - r0.ru_stime.tv_usec);
  double cpu_sum = 0, cpu_max = 0;
  MPI_Allreduce(&cpu, &cpu_sum, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  MPI_Allreduce(&cpu, &cpu_max, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  double t_write = 0;
  if (st == LC_OK && argc > 3) {
    double tw = MPI_Wtime();
    struct results res;
    st = results_create(argv[3], run.g.n_nodes, MPI_COMM_WORLD, &res);
    if (st == LC_OK) {
      st = run_write_common(&run, &res);
      if (st == LC_OK)
        st = run_write_scenario(&run, &res, &run.base, "/Scenarios/baseline");
      if (st == LC_OK)
        st = agents_write(&res, "/Scenarios/baseline", &in, &out);
      st = results_finish(&res, st);
    }
    t_write = MPI_Wtime() - tw;
  }
  int64_t rss = log_peak_rss(), rss_max = 0;
  MPI_Allreduce(&rss, &rss_max, 1, MPI_INT64_T, MPI_MAX, MPI_COMM_WORLD);
  if (st == LC_OK && rank == 0) {
    const struct agents_stats *x = &out.stats;
    int size;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    printf("ranks=%d threads=%d nodes=%lld agents=%lld residents=%lld trips=%lld "
           "served=%lld waited=%lld redirected=%lld failed=%lld windows=%lld exchanges=%lld "
           "migrations=%lld "
           "sim_s=%.3f sim_cpu_s_sum=%.3f sim_cpu_s_max=%.3f trips_per_s=%.0f bytes_per_agent=%.1f "
           "static_s=%.2f write_s=%.2f "
           "peak_rss_mb_per_rank=%.0f\n",
           size, omp_get_max_threads(), (long long)run.g.n_nodes, (long long)x->agents,
           (long long)x->residents, (long long)x->trips, (long long)x->outcome[0],
           (long long)x->outcome[1], (long long)x->outcome[2], (long long)x->outcome[3],
           (long long)x->windows, (long long)x->exchanges, (long long)x->migrations, x->wall_s,
           cpu_sum, cpu_max, x->wall_s > 0 ? (double)x->trips / x->wall_s : 0.0,
           x->agents > 0 ? (double)x->bytes / (double)x->agents : 0.0, t_static, t_write,
           (double)rss_max / 1048576.0);
  }
  if (st != LC_OK && rank == 0)
    fprintf(stderr, "error: %s: %s\n", lc_strerror(st), lc_error_message());
  agents_output_free(&out);
  agents_config_free(&cfg);
  if (have_ap)
    params_free(&ap);
  run_free(&run);
  MPI_Finalize();
  return st == LC_OK ? 0 : 1;
}
