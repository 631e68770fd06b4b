/* lifecircle synth: a synthetic city (graph file, and optionally facility and population
 * files) for scale tests and benchmarks. Rank 0 does the work; the others wait for the
 * agreed status. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lifecircle/agree.h"
#include "lifecircle/categories.h"
#include "lifecircle/datadir.h"
#include "lifecircle/graph.h"
#include "lifecircle/graph_io.h"
#include "lifecircle/log.h"
#include "lifecircle/memcheck.h"
#include "lifecircle/status.h"
#include "lifecircle/synth.h"

static void synth_usage(void) {
  printf("usage: lifecircle synth --nodes N --seed S -o GRAPH.h5 [--facilities FILE.csv]\n"
         "                        [--categories FILE] [--per-category M] [--population-dir DIR]\n"
         "                        [--residents-per-node X] [--nodes-per-subdistrict K]\n\n"
         "Generates a connected synthetic walking network of exactly N nodes (1000 to 1e9) whose\n"
         "degree histogram and edge lengths are calibrated on the Xinhua Road OSM network, laid\n"
         "out around 121.43 E, 31.20 N, and writes it as a graph file like 'import' does.\n"
         "The same N and S give the same files.\n\n"
         "options:\n"
         "  -n, --nodes N                 number of nodes (exact)\n"
         "  -s, --seed S                  random seed, an integer >= 0\n"
         "  -o, --output GRAPH.h5         graph file to write\n"
         "  --facilities FILE.csv         also write facilities: M per category at random nodes,\n"
         "                                moved by up to 20 m (columns id,category,lon,lat,name)\n"
         "  --categories FILE             categories file (default: the shipped\n"
         "                                inputs/categories.yml)\n"
         "  --per-category M              facilities per category (default max(1, N / 2000))\n"
         "  --population-dir DIR          also write DIR/subdistricts.geojson, residents.csv,\n"
         "                                density.csv\n"
         "  --residents-per-node X        default %.1f (Xinhua: 72,000 estimated residents over\n"
         "                                511 graph nodes inside the subdistrict)\n"
         "  --nodes-per-subdistrict K     subdistrict grid side max(2, round(sqrt(N / K)));\n"
         "                                default %d\n",
         SYNTH_RESIDENTS_PER_NODE, SYNTH_NODES_PER_SUBDISTRICT);
}

/* Parses a whole decimal integer option value. */
static int synth_parse_i64(const char *opt, const char *s, int64_t *out) {
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || end == s || *end)
    LC_FAIL(LC_EUSAGE, "synth: %s: '%s' is not an integer", opt, s);
  *out = v;
  return LC_OK;
}

static int synth_parse_u64(const char *opt, const char *s, uint64_t *out) {
  char *end;
  errno = 0;
  if (s[0] == '-')
    LC_FAIL(LC_EUSAGE, "synth: %s: '%s' is not an integer >= 0", opt, s);
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || end == s || *end)
    LC_FAIL(LC_EUSAGE, "synth: %s: '%s' is not an integer >= 0", opt, s);
  *out = v;
  return LC_OK;
}

static int synth_parse_f64(const char *opt, const char *s, double *out) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno || end == s || *end || !isfinite(v))
    LC_FAIL(LC_EUSAGE, "synth: %s: '%s' is not a number", opt, s);
  *out = v;
  return LC_OK;
}

struct synth_options {
  struct synth_params params;
  int have_nodes, have_seed;
  const char *output, *facilities, *categories, *population_dir;
  int64_t per_category; /* 0: default. */
  double residents_per_node;
  int64_t nodes_per_subdistrict;
};

static int synth_parse(int argc, char **argv, struct synth_options *o, int *help) {
  enum { OPT_FAC = 256, OPT_CAT, OPT_PER, OPT_POP, OPT_RPN, OPT_NPS };
  static const struct option opts[] = {{"nodes", required_argument, NULL, 'n'},
                                       {"seed", required_argument, NULL, 's'},
                                       {"output", required_argument, NULL, 'o'},
                                       {"facilities", required_argument, NULL, OPT_FAC},
                                       {"categories", required_argument, NULL, OPT_CAT},
                                       {"per-category", required_argument, NULL, OPT_PER},
                                       {"population-dir", required_argument, NULL, OPT_POP},
                                       {"residents-per-node", required_argument, NULL, OPT_RPN},
                                       {"nodes-per-subdistrict", required_argument, NULL, OPT_NPS},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  memset(o, 0, sizeof *o);
  synth_params_default(&o->params);
  o->residents_per_node = SYNTH_RESIDENTS_PER_NODE;
  o->nodes_per_subdistrict = SYNTH_NODES_PER_SUBDISTRICT;
  int have_rpn = 0, have_nps = 0;
  *help = 0;
  int c;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":n:s:o:h", opts, NULL)) != -1) {
    switch (c) {
      case 'n':
        LC_CHECK(synth_parse_i64("--nodes", optarg, &o->params.n_nodes));
        o->have_nodes = 1;
        break;
      case 's':
        LC_CHECK(synth_parse_u64("--seed", optarg, &o->params.seed));
        o->have_seed = 1;
        break;
      case 'o':
        o->output = optarg;
        break;
      case OPT_FAC:
        o->facilities = optarg;
        break;
      case OPT_CAT:
        o->categories = optarg;
        break;
      case OPT_PER:
        LC_CHECK(synth_parse_i64("--per-category", optarg, &o->per_category));
        if (o->per_category < 1)
          LC_FAIL(LC_EUSAGE, "synth: --per-category: %lld; at least 1 needed",
                  (long long)o->per_category);
        break;
      case OPT_POP:
        o->population_dir = optarg;
        break;
      case OPT_RPN:
        LC_CHECK(synth_parse_f64("--residents-per-node", optarg, &o->residents_per_node));
        if (!(o->residents_per_node > 0.0))
          LC_FAIL(LC_EUSAGE, "synth: --residents-per-node: %s; must be positive", optarg);
        have_rpn = 1;
        break;
      case OPT_NPS:
        LC_CHECK(synth_parse_i64("--nodes-per-subdistrict", optarg, &o->nodes_per_subdistrict));
        if (o->nodes_per_subdistrict < 1)
          LC_FAIL(LC_EUSAGE, "synth: --nodes-per-subdistrict: %s; at least 1 needed", optarg);
        have_nps = 1;
        break;
      case 'h':
        *help = 1;
        return LC_OK;
      case ':':
        LC_FAIL(LC_EUSAGE, "synth: option '%s' needs a value (see lifecircle synth --help)",
                argv[optind - 1]);
      default:
        LC_FAIL(LC_EUSAGE, "synth: unknown option '%s' (see lifecircle synth --help)",
                argv[optind - 1]);
    }
  }
  if (optind != argc)
    LC_FAIL(LC_EUSAGE, "synth: unexpected argument '%s' (see lifecircle synth --help)",
            argv[optind]);
  if (!o->have_nodes || !o->have_seed || !o->output)
    LC_FAIL(LC_EUSAGE, "synth: --nodes, --seed and -o are required (see lifecircle synth "
                       "--help)");
  if (o->params.n_nodes < SYNTH_MIN_NODES || o->params.n_nodes > SYNTH_MAX_NODES)
    LC_FAIL(LC_EUSAGE, "synth: --nodes: %lld is outside %d..%lld", (long long)o->params.n_nodes,
            SYNTH_MIN_NODES, (long long)SYNTH_MAX_NODES);
  if (!o->facilities && (o->categories || o->per_category))
    LC_FAIL(LC_EUSAGE, "synth: --categories and --per-category need --facilities");
  if (!o->population_dir && (have_rpn || have_nps))
    LC_FAIL(LC_EUSAGE,
            "synth: --residents-per-node and --nodes-per-subdistrict need --population-dir");
  /* Refuse up front what cannot fit (generation takes minutes before it would fail):
   * about 100 bytes per node measured (nodes, edges, CSR, write buffers), 160 counted. */
  int64_t need = 64 << 20;
  char detail[128];
  memcheck_add(&need, o->params.n_nodes, 160);
  snprintf(detail, sizeof detail, "about 160 bytes per node for %lld nodes",
           (long long)o->params.n_nodes);
  LC_CHECK(memcheck_fits(need, "synth", detail));
  if (!o->categories && o->facilities)
    LC_CHECK(datadir_input("categories.yml", &o->categories));
  if (!o->per_category) {
    o->per_category = o->params.n_nodes / 2000;
    if (o->per_category < 1)
      o->per_category = 1;
  }
  return LC_OK;
}

/* The work of rank 0. */
static int synth_run(const struct synth_options *o) {
  struct category_set cats;
  memset(&cats, 0, sizeof cats);
  /* Read the categories first, so that a bad file fails before minutes of generation. */
  if (o->facilities)
    LC_CHECK(categories_load(o->categories, &cats));
  struct graph g;
  graph_init(&g);
  double t0 = log_elapsed();
  int rc = synth_generate(&o->params, &g);
  if (rc != LC_OK)
    goto done;
  log_info("synth: %lld nodes, %lld edges generated in %.1f s", (long long)g.n_nodes,
           (long long)g.n_edges, log_elapsed() - t0);
  struct synth_stats st;
  LC_CHECK_GOTO(rc, synth_stats(&g, &st), done);
  log_info("synth: degree shares 1: %.4f  3: %.4f  4: %.4f  5+: %.4f  (Xinhua %.4f %.4f %.4f "
           "%.4f)",
           st.share_deg[1], st.share_deg[3], st.share_deg[4], st.share_deg[5],
           SYNTH_XINHUA_SHARE_DEG1, SYNTH_XINHUA_SHARE_DEG3, SYNTH_XINHUA_SHARE_DEG4,
           SYNTH_XINHUA_SHARE_DEG5);
  log_info("synth: edge length quartiles %.1f / %.1f / %.1f m, ln-length mean %.3f sd %.3f "
           "(Xinhua %.1f / %.1f / %.1f m, %.3f, %.3f)",
           st.len_q1_m, st.len_median_m, st.len_q3_m, st.log_mu, st.log_sigma,
           SYNTH_XINHUA_LEN_Q1_M, SYNTH_XINHUA_LEN_MEDIAN_M, SYNTH_XINHUA_LEN_Q3_M,
           SYNTH_XINHUA_LOG_MU, SYNTH_XINHUA_LOG_SIGMA);
  char profile[256];
  snprintf(profile, sizeof profile,
           "synthetic: lifecircle synth --nodes %lld --seed %" PRIu64
           " (centre %.4f E %.4f N; calibrated on xinhua-walk.osm)",
           (long long)o->params.n_nodes, o->params.seed, o->params.lon0, o->params.lat0);
  LC_CHECK_GOTO(rc, graph_io_write(o->output, &g, NULL, NULL, 0, NULL, 0, profile, NULL), done);
  log_info("synth: wrote %s", o->output);
  if (o->facilities) {
    LC_CHECK_GOTO(rc,
                  synth_write_facilities(o->facilities, &g, &cats, o->per_category, o->params.seed),
                  done);
    log_info("synth: wrote %s (%lld facilities for each of %d categories)", o->facilities,
             (long long)o->per_category, cats.n);
  }
  if (o->population_dir) {
    LC_CHECK_GOTO(rc,
                  synth_write_population(o->population_dir, &g, o->residents_per_node,
                                         o->nodes_per_subdistrict),
                  done);
    log_info("synth: wrote population files under %s (%.1f residents per node)", o->population_dir,
             o->residents_per_node);
  }
  log_info("synth: done in %.1f s, peak memory %.1f MB", log_elapsed() - t0,
           (double)log_peak_rss() / 1e6);
done:
  graph_free(&g);
  if (o->facilities)
    categories_free(&cats);
  return rc;
}

int cmd_synth(int argc, char **argv) {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  struct synth_options o;
  int help = 0;
  int rc = synth_parse(argc, argv, &o, &help);
  if (rc == LC_OK && help) {
    if (rank == 0)
      synth_usage();
    return LC_OK;
  }
  if (rc == LC_OK && rank == 0)
    rc = synth_run(&o);
  return lc_agree(MPI_COMM_WORLD, rc);
}
