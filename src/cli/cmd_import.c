/* lifecircle import: OSM XML/PBF (or a DIMACS .gr graph) to a walking graph file. The work
 * runs on rank 0; the other ranks wait and every rank returns the agreed status. */
#include <getopt.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"
#include "lifecircle/agree.h"
#include "lifecircle/alloc.h"
#include "lifecircle/categories.h"
#include "lifecircle/datadir.h"
#include "lifecircle/dimacs.h"
#include "lifecircle/graph_io.h"
#include "lifecircle/import.h"
#include "lifecircle/log.h"
#include "lifecircle/profile.h"
#include "lifecircle/status.h"

static void cmd_import_usage(FILE *out) {
  fprintf(out,
          "usage: lifecircle import INPUT... -o GRAPH.h5 [--profile FILE] [--categories FILE]\n"
          "\n"
          "Builds the walking graph file from OpenStreetMap data: OSM XML (.osm) or PBF (.pbf)\n"
          "files, merged (an element present in several inputs is kept once). Walkable ways\n"
          "follow the walking profile; edges are undirected with geodesic lengths in cm;\n"
          "degree-2 chains are contracted; the largest connected component is kept and the\n"
          "rest reported. POIs (nodes, way and multipolygon centroids) are matched to the\n"
          "categories' OSM tag rules. Compressed .osm.gz/.bz2 must be decompressed first.\n"
          "A DIMACS graph is imported instead with INPUT = FILE.gr [FILE.co] (no POIs).\n"
          "\n"
          "options:\n"
          "  -o, --output FILE     graph file to write (HDF5; written under a temporary name\n"
          "                        and renamed when complete)\n"
          "  --profile FILE        walking profile (default inputs/profiles/walk.yml, the\n"
          "                        installed copy in %s/inputs or the source tree's)\n"
          "  --categories FILE     facility categories (default inputs/categories.yml, as\n"
          "                        for --profile)\n"
          "  -h, --help            this help\n"
          "\n"
          "Runs on rank 0 under mpiexec; other ranks wait. Map data (c) OpenStreetMap\n"
          "contributors, ODbL 1.0.\n",
          LC_DATADIR);
}

static int cmd_import_suffix(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* DIMACS import: one .gr and at most one .co, no OSM input. */
static int cmd_import_dimacs(char **inputs, int n_inputs, const char *out) {
  const char *gr = NULL, *co = NULL;
  for (int i = 0; i < n_inputs; i++) {
    const char **slot = cmd_import_suffix(inputs[i], ".gr")   ? &gr
                        : cmd_import_suffix(inputs[i], ".co") ? &co
                                                              : NULL;
    if (!slot)
      LC_FAIL(LC_EUSAGE,
              "%s: a DIMACS import takes one .gr file and optionally one .co file, "
              "not OSM inputs",
              inputs[i]);
    if (*slot)
      LC_FAIL(LC_EUSAGE, "%s: only one %s file may be given", inputs[i],
              slot == &gr ? ".gr" : ".co");
    *slot = inputs[i];
  }
  if (!gr)
    LC_FAIL(LC_EUSAGE, "%s: a .co file needs its .gr graph", co);
  struct graph g;
  graph_init(&g);
  LC_CHECK(dimacs_read(gr, co, &g));
  struct graph_import_stats stats;
  memset(&stats, 0, sizeof stats);
  stats.raw_nodes = g.n_nodes;
  stats.raw_edges = g.n_edges;
  int rc = graph_build_csr(&g);
  int64_t *comp = lc_malloc_array(g.n_nodes, sizeof *comp);
  if (rc == LC_OK && !comp)
    rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "cannot allocate component labels");
  if (rc == LC_OK)
    rc = graph_components(&g, comp, &stats.components);
  free(comp);
  if (rc == LC_OK) {
    log_info("%s: %lld nodes, %lld edges, %lld components (all kept)", gr, (long long)g.n_nodes,
             (long long)g.n_edges, (long long)stats.components);
    rc = graph_io_write(out, &g, NULL, NULL, 0, inputs, n_inputs, "none (DIMACS input)", &stats);
  }
  graph_free(&g);
  return rc;
}

/* OSM import on one rank. */
static int cmd_import_osm(char **inputs, int n_inputs, const char *out, const char *profile_path,
                          const char *categories_path) {
  struct profile prof;
  LC_CHECK(profile_load(profile_path, &prof));
  struct category_set cats;
  int rc = categories_load(categories_path, &cats);
  if (rc != LC_OK) {
    profile_free(&prof);
    return rc;
  }
  struct graph g;
  struct poi_set pois;
  struct graph_import_stats stats;
  graph_init(&g);
  poi_init(&pois);
  char **ids = lc_calloc_array(cats.n, sizeof *ids);
  if (!ids) {
    rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "cannot allocate category ids");
    goto done;
  }
  for (int i = 0; i < cats.n; i++)
    ids[i] = cats.c[i].id;
  log_info("walking profile %s, categories %s (%d)", profile_path, categories_path, cats.n);
  LC_CHECK_GOTO(rc, import_osm(inputs, n_inputs, &prof, &cats, &g, &pois, &stats), done);
  LC_CHECK_GOTO(rc,
                graph_io_write(out, &g, &pois, ids, cats.n, inputs, n_inputs, profile_path, &stats),
                done);
  log_info("wrote %s: %lld nodes, %lld edges, %lld POIs", out, (long long)g.n_nodes,
           (long long)g.n_edges, (long long)pois.n);
done:
  free(ids);
  poi_free(&pois);
  graph_free(&g);
  categories_free(&cats);
  profile_free(&prof);
  return rc;
}

int cmd_import(int argc, char **argv) {
  static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                       {"profile", required_argument, NULL, 'p'},
                                       {"categories", required_argument, NULL, 'c'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  int rank = 0;
  if (MPI_Comm_rank(MPI_COMM_WORLD, &rank) != MPI_SUCCESS)
    LC_FAIL(LC_EMPI, "MPI_Comm_rank failed");
  const char *out = NULL, *profile_path = NULL, *categories_path = NULL;
  int rc = LC_OK, help = 0, c;
  opterr = 0;
  while (rc == LC_OK && (c = getopt_long(argc, argv, "+o:h", opts, NULL)) != -1) {
    switch (c) {
      case 'o':
        out = optarg;
        break;
      case 'p':
        profile_path = optarg;
        break;
      case 'c':
        categories_path = optarg;
        break;
      case 'h':
        help = 1;
        break;
      default:
        rc = lc_error_set(LC_EUSAGE, __FILE__, __LINE__,
                          "import: unknown option or missing value '%s' (see import --help)",
                          argv[optind - 1]);
    }
  }
  if (rc == LC_OK && help) {
    if (rank == 0)
      cmd_import_usage(stdout);
    return LC_OK;
  }
  /* Options may follow the inputs: gather the remaining words as inputs. */
  char **inputs = NULL;
  int n_inputs = 0;
  if (rc == LC_OK) {
    inputs = lc_calloc_array(argc, sizeof *inputs);
    if (!inputs)
      rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "cannot allocate the input list");
  }
  while (rc == LC_OK && optind < argc) {
    inputs[n_inputs++] = argv[optind++];
    while (rc == LC_OK && (c = getopt_long(argc, argv, "+o:h", opts, NULL)) != -1) {
      switch (c) {
        case 'o':
          out = optarg;
          break;
        case 'p':
          profile_path = optarg;
          break;
        case 'c':
          categories_path = optarg;
          break;
        case 'h':
          help = 1;
          break;
        default:
          rc = lc_error_set(LC_EUSAGE, __FILE__, __LINE__,
                            "import: unknown option or missing value '%s' (see import --help)",
                            argv[optind - 1]);
      }
    }
  }
  if (rc == LC_OK && help) {
    if (rank == 0)
      cmd_import_usage(stdout);
    free(inputs);
    return LC_OK;
  }
  if (rc == LC_OK && n_inputs == 0)
    rc = lc_error_set(LC_EUSAGE, __FILE__, __LINE__,
                      "import: no input file given (see lifecircle import --help)");
  if (rc == LC_OK && !out)
    rc = lc_error_set(LC_EUSAGE, __FILE__, __LINE__,
                      "import: the output graph file is required: -o GRAPH.h5");
  if (rc == LC_OK && rank == 0) {
    int dimacs = 0;
    for (int i = 0; i < n_inputs; i++)
      if (cmd_import_suffix(inputs[i], ".gr") || cmd_import_suffix(inputs[i], ".co"))
        dimacs = 1;
    if (!dimacs && !profile_path)
      rc = datadir_input("profiles/walk.yml", &profile_path);
    if (!dimacs && rc == LC_OK && !categories_path)
      rc = datadir_input("categories.yml", &categories_path);
    if (rc == LC_OK)
      rc = dimacs ? cmd_import_dimacs(inputs, n_inputs, out)
                  : cmd_import_osm(inputs, n_inputs, out, profile_path, categories_path);
  }
  free(inputs);
  return lc_agree(MPI_COMM_WORLD, rc);
}
