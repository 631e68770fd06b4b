/* lifecircle: 15-minute community life-circle reachability. The only place that exits. */
#include <getopt.h>
#include <mpi.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lifecircle/h5io.h"
#include "lifecircle/log.h"
#include "lifecircle/revision.h"
#include "lifecircle/status.h"

struct main_command {
  const char *name;
  int (*fn)(int argc, char **argv);
  const char *summary;
};

static const struct main_command main_commands[] = {
    {"init", cmd_init, "a new area: parameter file, zones and inputs from one OSM file"},
    {"import", cmd_import, "OSM XML/PBF or DIMACS .gr to a walking graph file (HDF5)"},
    {"run", cmd_run, "the main job: partition, accessibility, coverage, results (HDF5)"},
    {"info", cmd_info, "summarise a graph or results file"},
    {"synth", cmd_synth, "synthetic city (graph, facilities, population) for scale tests"},
    {"compare", cmd_compare, "scenarios against the baseline: gains, losses, pass/fail"},
    {"optimize", cmd_optimize, "place k facilities of a category to cover the most residents"},
};

static void main_usage(FILE *out) {
  fprintf(out, "usage: lifecircle [--verbose N] COMMAND [ARGS]\n"
               "       mpiexec -n N lifecircle COMMAND [ARGS]\n\n"
               "Measures 15-minute community life-circle reachability on a walking network.\n\n"
               "commands:\n");
  for (size_t i = 0; i < sizeof main_commands / sizeof main_commands[0]; i++)
    fprintf(out, "  %-10s %s\n", main_commands[i].name, main_commands[i].summary);
  fprintf(out, "\noptions:\n"
               "  -h, --help        this help; 'lifecircle COMMAND --help' for a command\n"
               "  -V, --version     version, git revision and libraries\n"
               "  -v, --verbose N   0 errors only, 1 rank 0 informs (default), 2 all ranks, "
               "3 debug\n\n"
               "exit codes:\n");
#define XX(name, code, msg) fprintf(out, "  %2d  %s\n", code, msg);
  LC_STATUS_MAP(XX)
#undef XX
}

static void main_version(void) {
  unsigned maj, min, rel;
  H5get_libversion(&maj, &min, &rel);
  char mpi[MPI_MAX_LIBRARY_VERSION_STRING];
  int len = 0;
  MPI_Get_library_version(mpi, &len);
  char *nl = strchr(mpi, ',');
  if (nl)
    *nl = '\0';
  printf("lifecircle %s (git %s)\ncompiler %s\nHDF5 %u.%u.%u\n%s\n", LC_VERSION, lc_git_revision(),
         LC_COMPILER, maj, min, rel, mpi);
}

int main(int argc, char **argv) {
  int provided = 0, rank = 0;
  if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
    fprintf(stderr, "lifecircle: MPI_Init_thread failed\n");
    return lc_exit_code(LC_EMPI);
  }
  /* MPI failures come back as return codes, checked and passed up like any other status
   * (the rule is written in include/lifecircle/agree.h). */
  if (MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN) != MPI_SUCCESS) {
    fprintf(stderr, "lifecircle: cannot set the MPI error handler\n");
    MPI_Finalize();
    return lc_exit_code(LC_EMPI);
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  int verbosity = 1;
  const char *env = getenv("LIFECIRCLE_VERBOSE");
  if (env)
    verbosity = atoi(env);
  /* Global options stop at the first non-option word, the command. */
  int i = 1;
  int rc = LC_OK;
  const struct main_command *cmd = NULL;
  for (; i < argc; i++) {
    if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
      if (rank == 0)
        main_usage(stdout);
      MPI_Finalize();
      return 0;
    } else if (!strcmp(argv[i], "-V") || !strcmp(argv[i], "--version")) {
      if (rank == 0)
        main_version();
      MPI_Finalize();
      return 0;
    } else if ((!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) && i + 1 < argc) {
      char *end;
      long v = strtol(argv[++i], &end, 10);
      if (*end || v < 0 || v > 3) {
        rc = lc_error_set(LC_EUSAGE, __FILE__, __LINE__, "--verbose: '%s' is not a level in 0..3",
                          argv[i]);
        break;
      }
      verbosity = (int)v;
    } else if (argv[i][0] == '-') {
      rc = lc_error_set(LC_EUSAGE, __FILE__, __LINE__, "unknown option '%s' (see --help)", argv[i]);
      break;
    } else {
      break;
    }
  }
  log_init(rank, verbosity);
  h5io_quiet();
  if (rc == LC_OK) {
    if (i >= argc) {
      rc = lc_error_set(LC_EUSAGE, __FILE__, __LINE__, "no command given (see --help)");
    } else {
      for (size_t k = 0; k < sizeof main_commands / sizeof main_commands[0]; k++)
        if (!strcmp(argv[i], main_commands[k].name))
          cmd = &main_commands[k];
      if (!cmd)
        rc = lc_error_set(LC_EUSAGE, __FILE__, __LINE__, "unknown command '%s' (see --help)",
                          argv[i]);
    }
  }
  if (cmd) {
    optind = 1;
    opterr = rank == 0; /* getopt's own complaints come once, from rank 0. */
    rc = cmd->fn(argc - i, argv + i);
  }
  if (rc != LC_OK) {
    if (rank == 0 || !cmd)
      log_error("%s (%s)", lc_error_message()[0] ? lc_error_message() : lc_strerror(rc),
                lc_strerror(rc));
    MPI_Finalize();
    return lc_exit_code(rc);
  }
  MPI_Finalize();
  return 0;
}
