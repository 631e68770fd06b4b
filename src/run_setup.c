/* The main job, phase one: parameters and inputs. */
#include <math.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "lifecircle/agree.h"
#include "lifecircle/cli.h"
#include "lifecircle/crs.h"
#include "lifecircle/facility_datum.h"
#include "lifecircle/datadir.h"
#include "lifecircle/import.h"
#include "lifecircle/log.h"
#include "lifecircle/path.h"
#include "lifecircle/memcheck.h"
#include "lifecircle/profile.h"
#include "lifecircle/run.h"
#include "lifecircle/status.h"
#include "agents_internal.h"

/* SHA-256 of a text, in hex. */
static int run_text_sha256(const char *text, size_t len, char *out) {
  struct sha256_ctx ctx;
  uint8_t d[SHA256_DIGEST_SIZE];
  sha256_init(&ctx);
  sha256_update(&ctx, len, (const uint8_t *)text);
  sha256_digest(&ctx, SHA256_DIGEST_SIZE, d);
  for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
    snprintf(out + 2 * i, 3, "%02x", d[i]);
  return LC_OK;
}

static int run_read_graph(struct run_ctx *rc) {
  struct params *p = &rc->params;
  int n_osm = 0;
  LC_CHECK(params_count(p, "Graph:osm", &n_osm));
  if (params_has(p, "Graph:file") == (n_osm > 0))
    LC_FAIL(LC_EPARAM, "%s: give exactly one of Graph:file (a graph file from lifecircle "
                       "import) and Graph:osm (a list of OSM files)", p->file);
  if (n_osm == 0) {
    /* The walking profile was applied when the graph file was imported: a profile given here
     * would change nothing, so it is refused with the reason rather than as an unknown key. */
    if (params_has(p, "Graph:profile"))
      LC_FAIL(LC_EPARAM, "%s: Graph:profile applies only with Graph:osm (OSM files imported "
                         "in the run); with Graph:file the profile was fixed at import: give "
                         "it to `lifecircle import --profile FILE` and remove Graph:profile",
              p->file);
    LC_CHECK(params_get_string(p, "Graph:file", &rc->graph_source));
    LC_CHECK(run_inputs_add(rc, "graph", rc->graph_source));
    return graph_io_read(rc->graph_source, &rc->g, &rc->pois, &rc->poi_categories,
                         &rc->n_poi_categories);
  }
  /* OSM inputs: every rank imports the same files (district-scale inputs take well under a
   * second; import large cities once with `lifecircle import` and give Graph:file). */
  const char *profile_path;
  LC_CHECK(datadir_param(p, "Graph:profile", "profiles/walk.yml", &profile_path));
  char **inputs = calloc((size_t)n_osm, sizeof *inputs);
  if (!inputs)
    return LC_ENOMEM;
  int st = LC_OK;
  for (int i = 0; i < n_osm && st == LC_OK; i++) {
    char key[64];
    snprintf(key, sizeof key, "Graph:osm:%d", i);
    const char *v;
    st = params_get_string(p, key, &v);
    inputs[i] = (char *)v;
    if (st == LC_OK)
      st = run_inputs_add(rc, "osm", v);
  }
  if (st == LC_OK)
    st = run_inputs_add(rc, "profile", profile_path);
  struct profile prof;
  if (st == LC_OK)
    st = profile_load(profile_path, &prof);
  if (st == LC_OK) {
    st = import_osm(inputs, n_osm, &prof, &rc->cats, &rc->g, &rc->pois, &rc->import_stats);
    profile_free(&prof);
  }
  if (st == LC_OK) {
    rc->graph_source = inputs[0];
    rc->n_poi_categories = rc->cats.n;
    rc->poi_categories = calloc((size_t)rc->cats.n, sizeof *rc->poi_categories);
    if (!rc->poi_categories)
      st = LC_ENOMEM;
    for (int c = 0; c < rc->cats.n && st == LC_OK; c++)
      if (!(rc->poi_categories[c] = strdup(rc->cats.c[c].id)))
        st = LC_ENOMEM;
  }
  free(inputs);
  return st;
}

/* Which groups each category serves, from the categories file's comma-separated lists. */
static int run_serves(struct run_ctx *rc) {
  int C = rc->cats.n, G = rc->groups.n;
  rc->serves = calloc((size_t)C * G, 1);
  if (!rc->serves)
    return LC_ENOMEM;
  for (int c = 0; c < C; c++) {
    const char *list = rc->cats.c[c].groups ? rc->cats.c[c].groups : "";
    for (int g = 0; g < G; g++) {
      const char *id = rc->groups.g[g].id;
      size_t len = strlen(id);
      for (const char *s = list; (s = strstr(s, id)) != NULL; s += len) {
        int starts = s == list || s[-1] == ',';
        int ends = s[len] == '\0' || s[len] == ',';
        if (starts && ends) {
          rc->serves[c * G + g] = 1;
          break;
        }
      }
    }
  }
  return LC_OK;
}

/* The datum check of every layer (facility_datum.h): a warning, or a refusal under
 * Run: strict. */
static int run_check_datums(struct run_ctx *rc, int n_layers) {
  struct params *p = &rc->params;
  int strict;
  LC_CHECK(params_get_bool_or(p, "Run:strict", 0, &strict));
  for (int i = 0; i < n_layers; i++) {
    char key[128];
    const char *file, *crs;
    snprintf(key, sizeof key, "Facilities:layers:%d:file", i);
    LC_CHECK(params_get_string(p, key, &file));
    snprintf(key, sizeof key, "Facilities:layers:%d:crs", i);
    LC_CHECK(params_get_string(p, key, &crs));
    struct datum_finding df;
    LC_CHECK(facility_datum_check(&rc->fac, &rc->g, i, crs, rc->max_snap_m, &df));
    if (!df.checked)
      continue;
    log_info("datum check of layer %d (%s): median distance to the network %.1f m as %s, "
             "%.1f m as %s (%lld points within %.0f m)",
             i, file, df.median_declared_m, crs_name(df.declared), df.median_best_m,
             crs_name(df.best), (long long)df.n_points, rc->max_snap_m);
    if (!df.fires)
      continue;
    if (strict)
      LC_FAIL(LC_EPARAM, "layer %d (%s) is declared crs: %s, but its points lie clearly closer "
              "to the network read as %s: median distance to the nearest node %.1f m as %s, "
              "%.1f m as %s (over %lld points); the file is most likely in %s: set crs: %s "
              "(or Run: strict: false to run with a warning)",
              i, file, crs, crs_name(df.best), df.median_declared_m, crs_name(df.declared),
              df.median_best_m, crs_name(df.best), (long long)df.n_points,
              crs_name(df.best), crs_name(df.best));
    log_warn("layer %d (%s) is declared crs: %s, but its points lie clearly closer to the "
             "network read as %s: median distance to the nearest node %.1f m as %s, %.1f m "
             "as %s (over %lld points); check the layer's crs",
             i, file, crs, crs_name(df.best), df.median_declared_m, crs_name(df.declared),
             df.median_best_m, crs_name(df.best), (long long)df.n_points);
  }
  return LC_OK;
}

static int run_read_facilities(struct run_ctx *rc) {
  struct params *p = &rc->params;
  int use_pois, n_layers;
  LC_CHECK(params_get_bool_or(p, "Facilities:pois", 1, &use_pois));
  LC_CHECK(params_get_double_or(p, "Facilities:max_snap_m", 1, 5000, "m", 300, &rc->max_snap_m));
  if (use_pois)
    LC_CHECK(facility_from_pois(&rc->pois, rc->poi_categories, rc->n_poi_categories, &rc->cats,
                                &rc->fac));
  LC_CHECK(params_count(p, "Facilities:layers", &n_layers));
  for (int i = 0; i < n_layers; i++) {
    char key[128];
    const char *file, *category = NULL, *column = NULL;
    const char *crs;
    snprintf(key, sizeof key, "Facilities:layers:%d:file", i);
    LC_CHECK(params_get_string(p, key, &file));
    snprintf(key, sizeof key, "Facilities:layers:%d:crs", i);
    LC_CHECK(params_get_string(p, key, &crs));
    snprintf(key, sizeof key, "Facilities:layers:%d:category", i);
    LC_CHECK(params_get_string_or(p, key, NULL, &category));
    snprintf(key, sizeof key, "Facilities:layers:%d:category_column", i);
    LC_CHECK(params_get_string_or(p, key, NULL, &column));
    LC_CHECK(facility_load_layer(file, crs, category, column, &rc->cats, i,
                                 &rc->fac));
    LC_CHECK(run_inputs_add(rc, "layer", file));
  }
  LC_CHECK(facility_snap(&rc->fac, &rc->g, rc->max_snap_m, &rc->n_excluded));
  LC_CHECK(run_check_datums(rc, n_layers));
  /* A category without facilities is reported, never dropped. */
  int64_t *count = calloc((size_t)rc->cats.n, sizeof *count);
  if (!count)
    return LC_ENOMEM;
  for (int64_t f = 0; f < rc->fac.n; f++)
    if (!rc->fac.excluded[f])
      count[rc->fac.category[f]]++;
  for (int c = 0; c < rc->cats.n; c++)
    if (count[c] == 0)
      log_warn("category %s (%s) has no facility in this run: no data (shares NaN, pass -1, "
               "left out of the complete life circle); feed it with a facility layer",
               rc->cats.c[c].id, rc->cats.c[c].name_en);
  free(count);
  log_info("facilities: %lld loaded, %lld beyond %.0f m of the network excluded",
           (long long)rc->fac.n, (long long)rc->n_excluded, rc->max_snap_m);
  return LC_OK;
}

/* Population from a raster's sub-pixel samples (analysis/prepare.py raster) instead of a
 * residents table: the raster's total inside the polygons is preserved exactly. */
static int run_read_raster_population(struct run_ctx *rc, const char *polys,
                                      const char *name_prop, const char *raster) {
  struct params *p = &rc->params;
  const char *table = NULL;
  LC_CHECK(params_get_string_or(p, "Population:residents", NULL, &table));
  if (table)
    LC_FAIL(LC_EPARAM, "Population: give either residents (a table) or raster_samples (%s), "
            "not both", raster);
  LC_CHECK(geom_load_polygons(polys, name_prop, &rc->subs));
  struct density_samples sm;
  LC_CHECK(population_load_density(raster, "persons", &sm));
  double *w = malloc(((size_t)rc->g.n_nodes + 1) * sizeof *w), outside = 0.0;
  int rcode = w ? LC_OK : lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "out of memory");
  if (rcode == LC_OK)
    rcode = population_raster_weights(&rc->g, &rc->subs, &sm, w, &rc->table, &outside);
  if (rcode == LC_OK)
    rcode = population_assign_weighted(&rc->g, &rc->subs, &rc->table, w, &rc->groups, &rc->pop);
  free(w);
  population_density_free(&sm);
  LC_CHECK(rcode);
  int64_t total = 0;
  for (int s = 0; s < rc->subs.n; s++)
    total += rc->pop.sub_residents[s];
  log_info("population: %lld residents from the raster samples %s (its persons inside the "
           "subdistricts, rounded once) in %d subdistricts on %lld nodes; %.1f persons of "
           "samples outside every subdistrict left out",
           (long long)total, raster, rc->subs.n, (long long)rc->g.n_nodes, outside);
  return LC_OK;
}

/* Nonzero when the file's text carries the mark ILLUSTRATIVE (a residents table written by
 * `lifecircle init`, or marked so by hand): the run says so in its log and its header. */
static int run_file_marked(const char *path, const char *mark) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return 0;
  enum { CHUNK = 4096 };
  char buf[CHUNK + 64];
  size_t len = strlen(mark), keep = 0, n;
  int found = 0;
  if (len == 0 || len > 63) {
    fclose(f);
    return 0;
  }
  /* Chunks overlap by len - 1 bytes so that a mark across a boundary is found. */
  while (!found && (n = fread(buf + keep, 1, CHUNK, f)) > 0) {
    size_t have = keep + n;
    buf[have] = '\0';
    found = strstr(buf, mark) != NULL; /* A text file: no NUL bytes. */
    keep = have < len - 1 ? have : len - 1;
    memmove(buf, buf + have - keep, keep);
  }
  fclose(f);
  return found;
}

static int run_read_population(struct run_ctx *rc) {
  struct params *p = &rc->params;
  const char *polys, *name_prop, *table, *density = NULL, *density_col = NULL;
  LC_CHECK(params_get_string(p, "Population:subdistricts", &polys));
  LC_CHECK(params_get_string_or(p, "Population:name_property", "name", &name_prop));
  const char *raster = NULL;
  LC_CHECK(params_get_string_or(p, "Population:raster_samples", NULL, &raster));
  if (raster)
    return run_read_raster_population(rc, polys, name_prop, raster);
  LC_CHECK(params_get_string(p, "Population:residents", &table));
  LC_CHECK(params_get_string_or(p, "Population:density", NULL, &density));
  LC_CHECK(params_get_string_or(p, "Population:density_column", NULL, &density_col));
  LC_CHECK(geom_load_polygons(polys, name_prop, &rc->subs));
  LC_CHECK(run_inputs_add(rc, "subdistricts", polys));
  LC_CHECK(population_load_table(table, &rc->subs, &rc->table));
  rc->pop_illustrative = run_file_marked(table, "ILLUSTRATIVE");
  if (rc->pop_illustrative)
    log_warn("population: %s is marked ILLUSTRATIVE: the residents are not counts, and every "
             "result that counts residents rests on that assumption",
             table);
  LC_CHECK(run_inputs_add(rc, "residents", table));
  if (density) {
    LC_CHECK(population_load_density(density, density_col, &rc->dens));
    LC_CHECK(run_inputs_add(rc, "density", density));
    rc->have_dens = 1;
  }
  LC_CHECK(population_assign(&rc->g, &rc->subs, &rc->table, rc->have_dens ? &rc->dens : NULL,
                             &rc->groups, &rc->pop));
  int64_t total = 0;
  for (int s = 0; s < rc->subs.n; s++)
    total += rc->pop.sub_residents[s];
  log_info("population: %lld residents in %d subdistricts on %lld nodes", (long long)total,
           rc->subs.n, (long long)rc->g.n_nodes);
  return LC_OK;
}

/* Every category's radius must reach its threshold at the fastest group's speed, or coverage
 * would count reachable residents as not covered. */
static int run_check_radii(struct run_ctx *rc) {
  double vmax = 0;
  for (int g = 0; g < rc->groups.n; g++)
    vmax = fmax(vmax, rc->groups.g[g].speed_m_s);
  rc->radius_cm = malloc((size_t)(rc->cats.n > 0 ? rc->cats.n : 1) * sizeof *rc->radius_cm);
  if (!rc->radius_cm)
    return LC_ENOMEM;
  for (int c = 0; c < rc->cats.n; c++) {
    const struct category *cat = &rc->cats.c[c];
    rc->radius_cm[c] = (int64_t)llround(cat->radius_m * 100.0);
    int64_t need = coverage_limit_cm(cat->threshold_min, vmax);
    if (rc->radius_cm[c] < need)
      LC_FAIL(LC_EPARAM,
              "%s: category %s has radius_m = %.0f m, shorter than its %d-minute threshold at "
              "the fastest group's %.2f m/s (%.0f m); raise radius_m to at least %.0f m",
              rc->cats.file, cat->id, cat->radius_m, cat->threshold_min, vmax,
              (double)need / 100.0, ceil((double)need / 100.0));
  }
  return LC_OK;
}

/* Loads the scenario files and marks those selected by `only` (all when NULL). */
static int run_read_scenarios(struct run_ctx *rc, const char *only) {
  struct params *p = &rc->params;
  LC_CHECK(params_count(p, "Scenarios:files", &rc->n_scen));
  rc->scen = calloc((size_t)(rc->n_scen > 0 ? rc->n_scen : 1), sizeof *rc->scen);
  rc->selected = calloc((size_t)(rc->n_scen > 0 ? rc->n_scen : 1), 1);
  if (!rc->scen || !rc->selected)
    return LC_ENOMEM;
  for (int i = 0; i < rc->n_scen; i++) {
    char key[64];
    const char *file;
    snprintf(key, sizeof key, "Scenarios:files:%d", i);
    LC_CHECK(params_get_string(p, key, &file));
    int st = scenario_load(file, &rc->cats, &rc->scen[i]);
    if (st != LC_OK) {
      rc->n_scen = i; /* Only the loaded ones are freed. */
      return st;
    }
    if (!strcmp(rc->scen[i].name, "baseline"))
      LC_FAIL(LC_EPARAM, "%s: a scenario may not be named 'baseline'", file);
    for (int j = 0; j < i; j++)
      if (!strcmp(rc->scen[i].name, rc->scen[j].name))
        LC_FAIL(LC_EPARAM, "%s: scenario name '%s' is already used by %s", file,
                rc->scen[i].name, rc->scen[j].file);
    rc->selected[i] = only == NULL;
  }
  if (only) {
    char *list = strdup(only), *save = NULL;
    if (!list)
      return LC_ENOMEM;
    int st = LC_OK;
    for (char *t = strtok_r(list, ",", &save); t && st == LC_OK; t = strtok_r(NULL, ",", &save)) {
      if (!strcmp(t, "baseline"))
        continue;
      int found = 0;
      for (int i = 0; i < rc->n_scen; i++)
        if (!strcmp(rc->scen[i].name, t))
          rc->selected[i] = found = 1;
      if (!found)
        st = lc_error_set(LC_EUSAGE, __FILE__, __LINE__,
                          "--scenarios: '%s' is not a scenario of %s", t, p->file);
    }
    free(list);
    LC_CHECK(st);
  }
  return LC_OK;
}

/* The report's wording and the language order of category names. Defaults: a generic life
 * circle and "zone"; the languages in which the categories are named, in order of first
 * appearance. */
static int run_read_report(struct run_ctx *rc) {
  struct params *p = &rc->params;
  int n_lang = 0;
  LC_CHECK(params_get_string_or(p, "Report:life_circle", "15-minute life circle",
                                &rc->life_circle));
  LC_CHECK(params_get_string_or(p, "Report:title", rc->life_circle, &rc->report_title));
  LC_CHECK(params_get_string_or(p, "Report:zone_label", "zone", &rc->zone_label));
  LC_CHECK(params_count(p, "Report:languages", &n_lang));
  size_t cap = 1;
  for (int c = 0; c < rc->cats.n; c++)
    for (int i = 0; i < rc->cats.c[c].n_names; i++)
      cap += strlen(rc->cats.c[c].name_lang[i]) + 1;
  for (int i = 0; i < n_lang; i++) {
    char key[64];
    const char *v;
    snprintf(key, sizeof key, "Report:languages:%d", i);
    LC_CHECK(params_get_string(p, key, &v));
    cap += strlen(v) + 1;
  }
  rc->languages = calloc(cap, 1);
  if (!rc->languages)
    return LC_ENOMEM;
  for (int i = 0; i < n_lang; i++) {
    char key[64];
    const char *v;
    snprintf(key, sizeof key, "Report:languages:%d", i);
    LC_CHECK(params_get_string(p, key, &v));
    /* A code no category is named in (a typo such as "eng") would show empty names. */
    int named = 0;
    for (int c = 0; c < rc->cats.n && !named; c++)
      named = categories_name(&rc->cats.c[c], v)[0] != '\0';
    if (!named || strchr(v, ','))
      LC_FAIL(LC_EPARAM, "%s: %s = '%s': no category of %s is named in that language (give "
                         "codes used in the categories' names, e.g. en, zh)",
              p->file, key, v, rc->cats.file);
    if (rc->languages[0])
      strcat(rc->languages, ",");
    strcat(rc->languages, v);
  }
  if (n_lang == 0)
    for (int c = 0; c < rc->cats.n; c++)
      for (int i = 0; i < rc->cats.c[c].n_names; i++) {
        const char *l = rc->cats.c[c].name_lang[i];
        size_t len = strlen(l);
        int seen = 0;
        for (const char *s = rc->languages; (s = strstr(s, l)) != NULL; s += len)
          seen |= (s == rc->languages || s[-1] == ',') && (s[len] == ',' || !s[len]);
        if (seen)
          continue;
        if (rc->languages[0])
          strcat(rc->languages, ",");
        strcat(rc->languages, l);
      }
  return LC_OK;
}

static int run_setup_local(struct run_ctx *rc, const char *params_path,
                           const char *output_override, const char *only) {
  struct params *p = &rc->params;
  const char *cats_path, *groups_path, *name = NULL;
  LC_CHECK(params_get_string_or(p, "Run:name", NULL, &name));
  if (name) {
    rc->name = strdup(name);
  } else {
    rc->name = path_stem(params_path);
  }
  if (!rc->name)
    return LC_ENOMEM;
  LC_CHECK(params_get_int_or(p, "Run:seed", 0, 2147483647, "", 1, &rc->seed));
  LC_CHECK(params_get_string_or(p, "Run:output", "results/run.h5", &rc->output));
  if (output_override)
    rc->output = output_override;
  LC_CHECK(params_get_int_or(p, "Partition:seed", 0, 2147483647, "", 1, &rc->part_seed));
  LC_CHECK(params_get_bool_or(p, "Partition:weights", 1, &rc->part_weights));
  LC_CHECK(params_get_int_or(p, "Accessibility:k", 1, 64, "facilities", 8, &rc->k));
  LC_CHECK(datadir_param(p, "Categories:file", "categories.yml", &cats_path));
  LC_CHECK(datadir_param(p, "Groups:file", "groups.yml", &groups_path));
  LC_CHECK(categories_load(cats_path, &rc->cats));
  LC_CHECK(run_read_report(rc));
  LC_CHECK(run_inputs_add(rc, "categories", cats_path));
  LC_CHECK(group_load(groups_path, &rc->groups));
  LC_CHECK(run_inputs_add(rc, "groups", groups_path));
  LC_CHECK(run_serves(rc));
  LC_CHECK(run_read_official_counts(rc));
  LC_CHECK(run_check_radii(rc));
  LC_CHECK(run_read_graph(rc));
  LC_CHECK(graph_build_csr(&rc->g));
  log_info("graph: %lld nodes, %lld edges, %.3f km from %s", (long long)rc->g.n_nodes,
           (long long)rc->g.n_edges, (double)graph_total_length_cm(&rc->g) / 1e5,
           rc->graph_source);
  LC_CHECK(run_read_facilities(rc));
  LC_CHECK(run_read_population(rc));
  LC_CHECK(run_read_scenarios(rc, only));
  LC_CHECK(agents_configure(p, &rc->agents));
  rc->agents_loaded = 1;
  if (rc->agents.enabled) {
    LC_CHECK(agents_prepare(&rc->agents, &rc->cats, &rc->groups));
    LC_CHECK(run_inputs_add(rc, "activities", rc->agents.activities));
  }
  rc->config_sha = malloc(65);
  if (!rc->config_sha)
    return LC_ENOMEM;
  LC_CHECK(run_text_sha256(rc->params.text, rc->params.text_len, rc->config_sha));
  int strict;
  LC_CHECK(params_get_bool_or(p, "Run:strict", 0, &strict));
  LC_CHECK(params_report_unused(p, strict));
  return LC_OK;
}

/* Bytes per node every rank holds whatever the partition: the graph (nodes, edges, CSR,
 * polylines), population and node tables are loaded whole on every rank. Measured on the
 * Xinhua run (about 35 MiB peak per rank for 995 nodes is mostly libraries; synth graphs
 * take about 100 bytes per node), rounded up. */
#define RUN_BYTES_PER_NODE 256

/* Refuses, before the partition and the accessibility phase allocate, a run that cannot fit:
 * each rank keeps k entries of 16 bytes per owned node and category for the baseline and
 * once more for a scenario, and the search needs about as much again; every rank also holds
 * the whole graph; and when Agents:enabled, the agents (agents_bytes_per_agent each, spread
 * over the ranks) live beside the catchment lists. The ranks sharing this machine
 * (MPI_COMM_TYPE_SHARED) are summed and compared with MemAvailable (or
 * LIFECIRCLE_MEM_AVAILABLE). Collective; every rank returns the same status. */
static int run_check_memory(struct run_ctx *rc) {
  MPI_Comm node;
  int local = 1;
  if (MPI_Comm_split_type(rc->comm, MPI_COMM_TYPE_SHARED, rc->rank, MPI_INFO_NULL, &node) ==
      MPI_SUCCESS) {
    if (MPI_Comm_size(node, &local) != MPI_SUCCESS)
      local = 1;
    MPI_Comm_free(&node);
  }
  int64_t n = rc->g.n_nodes, owned = (n + rc->size - 1) / rc->size;
  int64_t per_owned = 0, need = 0;
  memcheck_add(&per_owned, (int64_t)rc->cats.n * rc->k, 16 * 3);
  memcheck_add(&per_owned, (int64_t)rc->cats.n, 8 + 16 * (int64_t)rc->groups.n);
  memcheck_add(&need, owned, per_owned);
  memcheck_add(&need, n, RUN_BYTES_PER_NODE);
  int64_t machine = 0;
  memcheck_add(&machine, need, local);
  char detail[320];
  snprintf(detail, sizeof detail,
           "%lld nodes x %d categories x k = %ld catchment entries, on %d ranks of this machine",
           (long long)n, rc->cats.n, rc->k, local);
  int st = memcheck_fits(machine, "this run", detail);
  if (st == LC_OK && rc->agents_loaded && rc->agents.enabled) {
    int64_t agents = 0, residents = 0;
    st = agents_population_totals(&rc->pop, rc->agents.residents_per_agent, &agents,
                                  &residents);
    if (st == LC_OK) {
      double per_agent = agents_bytes_per_agent(&rc->agents);
      double bytes = per_agent * (double)agents * (double)local / (double)rc->size;
      int64_t total = machine;
      if (bytes >= (double)(INT64_MAX - machine))
        total = INT64_MAX;
      else
        total += (int64_t)bytes;
      snprintf(detail, sizeof detail,
               "%lld agents for %lld residents at Agents:residents_per_agent = %ld, about %.0f "
               "bytes each, beside the catchment lists; on %d ranks of this machine",
               (long long)agents, (long long)residents, rc->agents.residents_per_agent,
               per_agent, local);
      st = memcheck_fits(total, "this run's agent simulation", detail);
    }
  }
  return lc_agree(rc->comm, st);
}

int run_setup(struct run_ctx *rc, const char *params_path, const char *output_override,
              const char *only, MPI_Comm comm) {
  memset(rc, 0, sizeof *rc);
  rc->comm = comm;
  MPI_Comm_rank(comm, &rc->rank);
  MPI_Comm_size(comm, &rc->size);
  rc->threads = omp_get_max_threads();
  double t0 = MPI_Wtime();
  LC_CHECK(params_read(params_path, comm, &rc->params));
  rc->params_loaded = 1;
  /* Every rank loads the same inputs; the status is agreed so all ranks fail together. */
  int st = run_fault(rc, "import");
  if (st == LC_OK)
    st = run_setup_local(rc, params_path, output_override, only);
  st = lc_agree(comm, st);
  if (st == LC_OK)
    st = run_inputs_digest(rc);
  if (st == LC_OK)
    st = run_check_memory(rc);
  rc->t_setup = MPI_Wtime() - t0;
  return st;
}

void run_free(struct run_ctx *rc) {
  run_scenario_free(&rc->base);
  if (rc->agents_loaded)
    agents_config_free(&rc->agents);
  for (int i = 0; i < rc->n_scen; i++)
    scenario_free(&rc->scen[i]);
  free(rc->scen);
  free(rc->selected);
  free(rc->config_sha);
  free(rc->languages);
  for (int i = 0; i < rc->n_inputs; i++) {
    free(rc->input_role[i]);
    free(rc->input_path[i]);
  }
  free(rc->input_role);
  free(rc->input_path);
  free(rc->inputs_base);
  for (int i = 0; rc->inputs_scen && i < rc->n_scen; i++)
    free(rc->inputs_scen[i]);
  free(rc->inputs_scen);
  free(rc->radius_cm);
  if (rc->dg.n_local || rc->dg.global)
    dgraph_free(&rc->dg);
  free(rc->part);
  population_free(&rc->pop);
  if (rc->have_dens)
    population_density_free(&rc->dens);
  population_table_free(&rc->table);
  geom_free(&rc->subs);
  facility_free(&rc->fac);
  free(rc->serves);
  free(rc->official);
  group_free(&rc->groups);
  categories_free(&rc->cats);
  for (int c = 0; c < rc->n_poi_categories; c++)
    free(rc->poi_categories ? rc->poi_categories[c] : NULL);
  free(rc->poi_categories);
  poi_free(&rc->pois);
  graph_free(&rc->g);
  free((char *)rc->name);
  if (rc->params_loaded)
    params_free(&rc->params);
  memset(rc, 0, sizeof *rc);
}
