/* lifecircle run PARAMS.yml [-o RESULTS.h5]: the main job. */
#include <getopt.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lifecircle/agree.h"
#include "lifecircle/log.h"
#include "lifecircle/results_lock.h"
#include "lifecircle/status.h"
#include "run.h"

static void cmd_run_usage(void) {
  printf(
      "usage: mpiexec -n N lifecircle run PARAMS.yml [-o RESULTS.h5]\n\n"
      "Loads the walking graph, facilities and population named by PARAMS.yml (see\n"
      "inputs/changning/xinhua.yml for every key, documented), partitions the graph with\n"
      "METIS over the N ranks, computes exact walking distances from every node to the\n"
      "facilities of every category, coverage per subdistrict x category x group, and\n"
      "writes the results file (HDF5; layout in src/results/FORMAT.md). Paths in PARAMS.yml are\n"
      "relative to the current directory.\n\n"
      "options:\n"
      "  -o, --output FILE   results path (overrides Run:output)\n"
      "  -s, --scenarios A,B evaluate only these scenarios (and the baseline)\n\n"
      "While it runs, RESULTS.h5.lock names this job (host, pid, Slurm job, start);\n"
      "another run or compare of the same output is refused. A lock whose process is\n"
      "gone (same host) or older than LIFECIRCLE_LOCK_STALE_H hours (default 24) is\n"
      "taken over with a warning.\n"
      "Scenarios already complete in an earlier file at the output path (or its .tmp)\n"
      "with the same parameters and a verified checksum are kept, not recomputed.\n"
      "SIGUSR1 or SIGTERM stops the run cleanly after the current scenario (exit 14).\n"
      "LIFECIRCLE_FAULT=RANK:PHASE makes RANK fail at PHASE (import, partition,\n"
      "accessibility, agents, write), for tests.\n\n"
      "  -h, --help          this help\n");
}

int cmd_run(int argc, char **argv) {
  static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                       {"scenarios", required_argument, NULL, 's'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  int c, rank;
  const char *output = NULL, *only = NULL;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  while ((c = getopt_long(argc, argv, "o:s:h", opts, NULL)) != -1) {
    switch (c) {
      case 'o':
        output = optarg;
        break;
      case 's':
        only = optarg;
        break;
      case 'h':
        if (rank == 0)
          cmd_run_usage();
        return LC_OK;
      default:
        LC_FAIL(LC_EUSAGE, "run: unknown option (see lifecircle run --help)");
    }
  }
  if (optind + 1 != argc)
    LC_FAIL(LC_EUSAGE, "run: expected exactly one PARAMS.yml (see lifecircle run --help)");
  struct run_ctx run;
  run_signals_install();
  struct results_lock lock = {NULL, NULL};
  int st = run_setup(&run, argv[optind], output, only, MPI_COMM_WORLD);
  if (st == LC_OK)
    st = results_lock_take(run.output, "run", MPI_COMM_WORLD, &lock);
  if (st == LC_OK)
    st = run_stop_check(&run, "setup");
  if (st == LC_OK)
    st = run_partition(&run);
  if (st == LC_OK)
    st = run_stop_check(&run, "partition");
  if (st == LC_OK)
    st = run_scenarios(&run);
  results_lock_release(&lock);
  /* Peak memory of every rank, for job logs. */
  double peak = (double)log_peak_rss() / 1048576.0;
  double *peaks = rank == 0 ? malloc((size_t)run.size * sizeof *peaks) : NULL;
  int gathered = MPI_Gather(&peak, 1, MPI_DOUBLE, peaks, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  if (gathered != MPI_SUCCESS && st == LC_OK)
    st = lc_mpi_fail(gathered, "MPI_Gather of the peak memory");
  if (rank == 0 && peaks && gathered == MPI_SUCCESS) {
    char line[1024] = "";
    for (int r = 0; r < run.size && strlen(line) < sizeof line - 32; r++)
      snprintf(line + strlen(line), sizeof line - strlen(line), "%s%d: %.1f", r ? ", " : "", r,
               peaks[r]);
    log_info("run %s: setup %.2f s, partition %.2f s, accessibility %.2f s, coverage %.2f s, "
             "agents %.2f s, writing %.2f s; peak memory per rank (MiB) %s",
             run.name ? run.name : "", run.t_setup, run.t_partition, run.t_access, run.t_coverage,
             run.t_agents, run.t_write, line);
  }
  free(peaks);
  run_free(&run);
  return st;
}
