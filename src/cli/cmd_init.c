/* lifecircle init: a runnable parameter file for a new area from one OSM file, with the
 * area's zones (OSM boundary relations, a user's polygons, or one zone around the network),
 * an ILLUSTRATIVE residents table, and copies of the categories, groups, activities and
 * walking profile. Rank 0 does the work; the others wait for the agreed status. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "lifecircle/agree.h"
#include "lifecircle/geom.h"
#include "lifecircle/init.h"
#include "lifecircle/log.h"
#include "lifecircle/path.h"
#include "lifecircle/status.h"

/* The illustrative density when no population is given: a round figure of the order of a
 * dense urban district, not a measurement of any area. */
#define INIT_DENSITY_DEFAULT 10000.0

static void init_usage(void) {
  printf("usage: lifecircle init --osm AREA.osm.pbf|AREA.osm -o DIR [--admin-level N]\n"
         "                       [--categories shanghai|international] [--zones FILE.geojson\n"
         "                       [--zone-name-property P]] [--density D] [--inputs DIR]\n\n"
         "Writes DIR/params.yml, a runnable parameter file with every key commented, and the\n"
         "files it names: DIR/zones.geojson (zones from the boundary=administrative relations\n"
         "at admin level N of the OSM file, or your polygons), DIR/residents-ILLUSTRATIVE.csv,\n"
         "and copies of the categories, groups, activities and walking profile. Then:\n"
         "  mpiexec -n 2 lifecircle run DIR/params.yml\n\n"
         "options:\n"
         "  --osm FILE                  the area's OSM file (walking network and POIs)\n"
         "  -o, --output DIR            directory to write (created; params.yml must not exist)\n"
         "  --admin-level N             admin_level of the zones' relations (default 8; an OSM\n"
         "                              file without any boundary relation gives one zone\n"
         "                              around the whole network, named after the file)\n"
         "  --categories SET            shanghai (inputs/categories.yml) or international\n"
         "                              (inputs/categories/international.yml; the default)\n"
         "  --zones FILE.geojson        your zone polygons instead of the OSM relations\n"
         "  --zone-name-property P      property naming each of your polygons (default name)\n"
         "  --density D                 ILLUSTRATIVE residents per km2 of zone area (default\n"
         "                              %.0f): replace the residents file with census figures\n"
         "  --inputs DIR                where the shipped inputs are (default inputs)\n",
         INIT_DENSITY_DEFAULT);
}

struct init_options {
  const char *osm, *out, *categories, *zones, *zone_prop, *inputs;
  int admin_level, level_given;
  double density;
};

static int init_parse(int argc, char **argv, struct init_options *o, int *help) {
  enum { OPT_OSM = 256, OPT_LEVEL, OPT_CAT, OPT_ZONES, OPT_PROP, OPT_DENS, OPT_INPUTS };
  static const struct option opts[] = {{"osm", required_argument, NULL, OPT_OSM},
                                       {"output", required_argument, NULL, 'o'},
                                       {"admin-level", required_argument, NULL, OPT_LEVEL},
                                       {"categories", required_argument, NULL, OPT_CAT},
                                       {"zones", required_argument, NULL, OPT_ZONES},
                                       {"zone-name-property", required_argument, NULL, OPT_PROP},
                                       {"density", required_argument, NULL, OPT_DENS},
                                       {"inputs", required_argument, NULL, OPT_INPUTS},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  memset(o, 0, sizeof *o);
  o->admin_level = 8;
  o->categories = "international";
  o->zone_prop = "name";
  o->inputs = "inputs";
  o->density = INIT_DENSITY_DEFAULT;
  *help = 0;
  int c;
  opterr = 0;
  char *end;
  while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
    switch (c) {
      case OPT_OSM:
        o->osm = optarg;
        break;
      case 'o':
        o->out = optarg;
        break;
      case OPT_CAT:
        o->categories = optarg;
        break;
      case OPT_ZONES:
        o->zones = optarg;
        break;
      case OPT_PROP:
        o->zone_prop = optarg;
        break;
      case OPT_INPUTS:
        o->inputs = optarg;
        break;
      case OPT_LEVEL: {
        errno = 0;
        long v = strtol(optarg, &end, 10);
        if (errno || end == optarg || *end || v < 1 || v > 15)
          LC_FAIL(LC_EUSAGE, "init: --admin-level: '%s' is not an OSM admin level (1..15)", optarg);
        o->admin_level = (int)v;
        o->level_given = 1;
        break;
      }
      case OPT_DENS:
        errno = 0;
        o->density = strtod(optarg, &end);
        if (errno || end == optarg || *end || !(o->density > 0) || o->density > 1e6)
          LC_FAIL(LC_EUSAGE, "init: --density: '%s' is not a density in (0, 1e6] per km2", optarg);
        break;
      case 'h':
        *help = 1;
        return LC_OK;
      case ':':
        LC_FAIL(LC_EUSAGE, "init: option '%s' needs a value (see lifecircle init --help)",
                argv[optind - 1]);
      default:
        LC_FAIL(LC_EUSAGE, "init: unknown option '%s' (see lifecircle init --help)",
                argv[optind - 1]);
    }
  }
  if (optind != argc)
    LC_FAIL(LC_EUSAGE, "init: unexpected argument '%s' (see lifecircle init --help)", argv[optind]);
  if (!o->osm || !o->out)
    LC_FAIL(LC_EUSAGE, "init: --osm and -o are required (see lifecircle init --help)");
  if (strcmp(o->categories, "shanghai") && strcmp(o->categories, "international"))
    LC_FAIL(LC_EUSAGE, "init: --categories: '%s' is not one of shanghai, international",
            o->categories);
  if (o->zones && o->level_given)
    LC_FAIL(LC_EUSAGE, "init: --zones and --admin-level exclude each other");
  return LC_OK;
}

/* Copies a file byte for byte. */
static int init_copy(const char *from, const char *to) {
  FILE *in = fopen(from, "rb");
  if (!in)
    LC_FAIL(LC_EIO, "%s: cannot read (%s); give --inputs with the project's inputs folder", from,
            strerror(errno));
  FILE *out = fopen(to, "wb");
  if (!out) {
    fclose(in);
    LC_FAIL(LC_EIO, "%s: cannot write (%s)", to, strerror(errno));
  }
  char buf[65536];
  size_t n;
  int ok = 1;
  while ((n = fread(buf, 1, sizeof buf, in)) > 0)
    ok &= fwrite(buf, 1, n, out) == n;
  ok &= !ferror(in);
  fclose(in);
  ok &= fclose(out) == 0;
  if (!ok)
    LC_FAIL(LC_EIO, "%s: cannot copy to %s", from, to);
  return LC_OK;
}

/* Writes the ILLUSTRATIVE residents table: residents = round(area x density) per zone. */
static int init_residents(const char *zones, const char *prop, double density, const char *path,
                          int64_t *total) {
  struct polygon_set ps;
  LC_CHECK(geom_load_polygons(zones, prop, &ps));
  FILE *f = fopen(path, "w");
  if (!f) {
    geom_free(&ps);
    LC_FAIL(LC_EIO, "%s: cannot write (%s)", path, strerror(errno));
  }
  *total = 0;
  fprintf(f, "subdistrict,residents,area_km2,status,method\n");
  for (int i = 0; i < ps.n; i++) {
    double area = geom_area_km2(&ps, i);
    int64_t r = (int64_t)llround(area * density);
    *total += r;
    /* Names are quoted, with quotes doubled (RFC 4180). */
    fputc('"', f);
    for (const char *p = ps.name[i]; *p; p++) {
      if (*p == '"')
        fputc('"', f);
      fputc(*p, f);
    }
    fprintf(f,
            "\",%" PRId64 ",%.6f,ILLUSTRATIVE,\"ILLUSTRATIVE: %.0f residents per km2 of zone "
            "area (spherical area of the polygon), not a count; replace with census figures\"\n",
            r, area, density);
  }
  geom_free(&ps);
  if (fclose(f) != 0)
    LC_FAIL(LC_EIO, "%s: cannot write", path);
  return LC_OK;
}

/* An absolute path (the parameter file works from any directory). */
static char *init_abs(const char *path) {
  char *r = realpath(path, NULL);
  return r;
}

static int init_write_params(const struct init_options *o, const char *dir, const char *osm,
                             const char *zones, const char *prop, const char *name, int shanghai,
                             int fallback) {
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/params.yml", dir);
  FILE *f = fopen(path, "w");
  if (!f)
    LC_FAIL(LC_EIO, "%s: cannot write (%s)", path, strerror(errno));
  fprintf(f,
          "# lifecircle run - parameters for %s, written by `lifecircle init`. Run with\n"
          "#   mpiexec -n 2 lifecircle run %s/params.yml\n"
          "# Every key is listed with its value; inputs/README.md describes each key and every\n"
          "# input format. Paths are absolute so the file runs from any directory.\n"
          "# ILLUSTRATIVE population: no population input was given, so every zone has %.0f\n"
          "# residents per km2 of its area, an assumption and not a count. Every result that\n"
          "# counts residents rests on it until Population:residents names real figures.\n\n",
          name, dir, o->density);
  fprintf(f,
          "Run:\n"
          "  name: \"%s\"                 # Run name, stored in /Header.\n"
          "  seed: 1                        # Seed of every random draw (agents).\n"
          "  output: %s/results.h5          # Results file; `-o` overrides it.\n"
          "  strict: true                   # Unknown keys are errors (false: warnings).\n\n",
          name, dir);
  fprintf(f,
          "Graph:\n"
          "  # Either `file:` (a graph file from `lifecircle import`; then no profile here: it\n"
          "  # was applied at import) or `osm:` (OSM files imported by every rank).\n"
          "  osm:\n"
          "    - %s   # Walking network and POIs.\n"
          "  profile: %s/walk.yml   # Walking profile (walkable ways, factors); with osm only.\n\n",
          osm, dir);
  fprintf(f,
          "Categories:\n"
          "  file: %s/categories.yml   # Facility categories (%s set), thresholds, OSM rules.\n\n"
          "Groups:\n"
          "  file: %s/groups.yml       # Population groups, shares and walking speeds.\n\n",
          dir, shanghai ? "Shanghai" : "international", dir);
  fprintf(f,
          "Facilities:\n"
          "  pois: true                     # Use the OSM POIs matched to the categories.\n"
          "  max_snap_m: 300                # Facilities farther from the network are excluded.\n"
          "  layers: []                     # Extra point layers (GeoJSON or CSV), e.g.\n"
          "  # layers:\n"
          "  #   - file: canteens.csv         # columns name, lon/lat (or 经度/纬度)\n"
          "  #     crs: wgs84                 # wgs84, gcj02 or bd09 (Chinese web maps: gcj02)\n"
          "  #     category: %s   # or category_column: the column naming each category\n\n",
          shanghai ? "elderly_canteen" : "pharmacy");
  fprintf(f,
          "Population:\n"
          "  subdistricts: %s   # Zone polygons (GeoJSON)%s.\n"
          "  name_property: %s                  # Property naming each zone.\n"
          "  residents: %s/residents-ILLUSTRATIVE.csv   # ILLUSTRATIVE residents per zone.\n"
          "  # density: samples.csv           # Optional weights (lon, lat, value columns),\n"
          "  # density_column: value          # spread residents within each zone.\n\n",
          zones,
          o->zones   ? ", as given"
          : fallback ? ", ONE zone around the whole network (no boundary in the OSM file)"
                     : ", from OSM boundary relations",
          prop, dir);
  fprintf(f,
          "Scenarios:\n"
          "  files: []                      # Scenario files (edits against the baseline).\n\n"
          "Accessibility:\n"
          "  k: 8                           # Facilities kept per node and category.\n\n"
          "Agents:\n"
          "  # The simulated day; activities of categories missing from the set are skipped\n"
          "  # with a note.\n"
          "  enabled: true\n"
          "  activities: %s/activities.yml\n"
          "  residents_per_agent: 1         # One agent per N residents.\n"
          "  choice: nearest                # nearest open facility, or logit.\n"
          "  logit_beta: 0.3                # Logit: utility per walking minute.\n"
          "  logit_attraction: 0.5          # Logit: weight of ln(1 + seats).\n"
          "  max_tries: 3                   # Facilities tried before giving up (1..4).\n"
          "  bin_s: 900                     # FacilityLoad time bin, seconds.\n"
          "  window_s: 60                   # PDES window and lookahead, seconds.\n"
          "  day_start: \"00:00\"             # Start of the simulated day.\n"
          "  day_end: \"24:00\"               # End of the simulated day.\n"
          "  trips: true                    # Write the Trips table.\n\n"
          "Partition:\n"
          "  seed: 1                        # METIS seed.\n"
          "  weights: true                  # Vertex weights from residents and facilities.\n\n",
          dir);
  if (shanghai)
    fprintf(f,
            "Report:\n"
            "  title: \"15分钟社区生活圈 15-minute community life circle: %s\"\n"
            "  life_circle: \"15分钟社区生活圈 15-minute community life circle\"\n"
            "  zone_label: \"subdistrict 街道\"  # What a zone is called in the report.\n"
            "  languages: [zh, en]           # Order of category names in the report.\n",
            name);
  else
    fprintf(f,
            "Report:\n"
            "  title: \"15-minute neighbourhood: %s\"   # Report title.\n"
            "  life_circle: \"15-minute neighbourhood\"  # Name of the life circle.\n"
            "  zone_label: zone                # What a zone is called in the report.\n"
            "  languages: [en]                 # Order of category names in the report.\n",
            name);
  if (fclose(f) != 0)
    LC_FAIL(LC_EIO, "%s: cannot write", path);
  return LC_OK;
}

/* Source under --inputs (Shanghai set, international set) and name in DIR of each copy. */
static const char *const init_copies[4][3] = {
    {"categories.yml", "categories/international.yml", "categories.yml"},
    {"groups.yml", "groups.yml", "groups.yml"},
    {"activities.yml", "categories/international-activities.yml", "activities.yml"},
    {"profiles/walk.yml", "profiles/walk.yml", "walk.yml"}};

/* The files init writes in DIR: none may exist beforehand, and all are removed again when
 * init fails (no half-written area). */
static const char *const init_written[] = {"categories.yml", "groups.yml",
                                           "activities.yml", "walk.yml",
                                           "zones.geojson",  "residents-ILLUSTRATIVE.csv",
                                           "params.yml"};
#define INIT_N_WRITTEN (sizeof init_written / sizeof init_written[0])

static void init_remove(const char *dir, int made_dir) {
  char path[PATH_MAX];
  for (size_t i = 0; i < INIT_N_WRITTEN; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, init_written[i]);
    unlink(path);
  }
  if (made_dir)
    rmdir(dir);
}

static int init_run(const struct init_options *o) {
  if (access(o->osm, R_OK) != 0)
    LC_FAIL(LC_EIO, "%s: cannot read the OSM file (%s)", o->osm, strerror(errno));
  if (o->zones && access(o->zones, R_OK) != 0)
    LC_FAIL(LC_EIO, "%s: cannot read the zones (%s)", o->zones, strerror(errno));
  char path[PATH_MAX], from[PATH_MAX];
  for (size_t i = 0; i < INIT_N_WRITTEN; i++) {
    snprintf(path, sizeof path, "%s/%s", o->out, init_written[i]);
    if (access(path, F_OK) == 0)
      LC_FAIL(LC_EIO, "%s exists: init never overwrites a file; choose another -o", path);
  }
  int shanghai = !strcmp(o->categories, "shanghai");
  /* Every source is checked before anything is written. */
  for (int i = 0; i < 4; i++) {
    snprintf(from, sizeof from, "%s/%s", o->inputs, init_copies[i][shanghai ? 0 : 1]);
    if (access(from, R_OK) != 0)
      LC_FAIL(LC_EIO,
              "%s: cannot read (%s); run from the project root or give --inputs with "
              "the project's inputs folder",
              from, strerror(errno));
  }
  int made_dir = mkdir(o->out, 0777) == 0;
  if (!made_dir && errno != EEXIST)
    LC_FAIL(LC_EIO, "%s: cannot create the directory (%s)", o->out, strerror(errno));
  char *dir = init_abs(o->out), *osm = init_abs(o->osm);
  char *stem = path_stem(o->osm);
  int rc = dir && osm && stem ? LC_OK : LC_ENOMEM;
  /* path_stem leaves ".osm" of "x.osm.pbf". */
  if (stem && strlen(stem) > 4 && !strcmp(stem + strlen(stem) - 4, ".osm"))
    stem[strlen(stem) - 4] = '\0';
  for (int i = 0; i < 4 && rc == LC_OK; i++) {
    const char *src = init_copies[i][shanghai ? 0 : 1];
    snprintf(from, sizeof from, "%s/%s", o->inputs, src);
    snprintf(path, sizeof path, "%s/%s", dir, init_copies[i][2]);
    rc = init_copy(from, path);
  }
  char *zones = NULL;
  int n_zones = 0, fallback = 0;
  if (rc == LC_OK && !o->zones) {
    snprintf(path, sizeof path, "%s/zones.geojson", dir);
    rc = init_zones_from_osm(o->osm, o->admin_level, o->level_given, stem, path, &n_zones,
                             &fallback);
    if (rc == LC_OK && !(zones = strdup(path)))
      rc = LC_ENOMEM;
  } else if (rc == LC_OK) {
    if (!(zones = init_abs(o->zones)))
      rc = LC_ENOMEM;
  }
  const char *prop = o->zones ? o->zone_prop : "name";
  int64_t total = 0;
  if (rc == LC_OK) {
    snprintf(path, sizeof path, "%s/residents-ILLUSTRATIVE.csv", dir);
    rc = init_residents(zones, prop, o->density, path, &total);
  }
  if (rc == LC_OK)
    rc = init_write_params(o, dir, osm, zones, prop, stem, shanghai, fallback);
  if (rc == LC_OK) {
    log_info("init: %s: %s, %s categories; residents ILLUSTRATIVE (%.0f per km2 of zone area, "
             "%" PRId64 " in all)",
             dir,
             o->zones   ? "zones as given"
             : fallback ? "one zone around the whole network"
                        : "zones from OSM boundary relations",
             shanghai ? "Shanghai" : "international", o->density, total);
    if (!o->zones && !fallback)
      log_info("init: %d zones at admin_level %d", n_zones, o->admin_level);
    log_info("init: next: mpiexec -n 2 lifecircle run %s/params.yml", dir);
  }
  if (rc != LC_OK)
    init_remove(o->out, made_dir);
  free(zones);
  free(stem);
  free(osm);
  free(dir);
  return rc;
}

int cmd_init(int argc, char **argv) {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  struct init_options o;
  int help = 0;
  int rc = init_parse(argc, argv, &o, &help);
  if (rc == LC_OK && help) {
    if (rank == 0)
      init_usage();
    return LC_OK;
  }
  if (rc == LC_OK && rank == 0)
    rc = init_run(&o);
  return lc_agree(MPI_COMM_WORLD, rc);
}
