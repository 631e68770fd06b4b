/* lifecircle run PARAMS.yml [-o RESULTS.h5]: the main job. */
#include <getopt.h>
#include <mpi.h>
#include <stdio.h>

#include "lifecircle/cli.h"
#include "lifecircle/log.h"
#include "lifecircle/run.h"
#include "lifecircle/status.h"

static void cmd_run_usage(void) {
  printf("usage: mpiexec -n N lifecircle run PARAMS.yml [-o RESULTS.h5]\n\n"
         "Loads the walking graph, facilities and population named by PARAMS.yml (see\n"
         "inputs/changning/xinhua.yml for every key, documented), partitions the graph with\n"
         "METIS over the N ranks, computes exact walking distances from every node to the\n"
         "facilities of every category, coverage per subdistrict x category x group, and\n"
         "writes the results file (HDF5; layout in the README). Paths in PARAMS.yml are\n"
         "relative to the current directory.\n\n"
         "options:\n"
         "  -o, --output FILE   results path (overrides Run:output)\n"
         "  -h, --help          this help\n");
}

int cmd_run(int argc, char **argv) {
  static const struct option opts[] = {
      {"output", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
  int c, rank;
  const char *output = NULL;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
    switch (c) {
    case 'o':
      output = optarg;
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
  struct run_ctx rc;
  int st = run_setup(&rc, argv[optind], output, MPI_COMM_WORLD);
  if (st == LC_OK)
    st = run_access(&rc);
  if (st == LC_OK)
    st = run_write(&rc);
  if (st == LC_OK)
    log_info("run %s: setup %.2f s, partition %.2f s, accessibility %.2f s, coverage %.2f s, "
             "write %.2f s, peak memory %.1f MiB on rank 0",
             rc.name, rc.t_setup, rc.t_partition, rc.t_access, rc.t_coverage, rc.t_write,
             (double)log_peak_rss() / 1048576.0);
  run_free(&rc);
  return st;
}
