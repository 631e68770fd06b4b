/* The main job, phase one: parameters and inputs. */
#include <math.h>
#include <nettle/sha2.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents_internal.h"
#include "cli.h"
#include "lifecircle/agree.h"
#include "lifecircle/alloc.h"
#include "lifecircle/crs.h"
#include "lifecircle/datadir.h"
#include "lifecircle/facility_datum.h"
#include "lifecircle/import.h"
#include "lifecircle/log.h"
#include "lifecircle/memcheck.h"
#include "lifecircle/path.h"
#include "lifecircle/profile.h"
#include "lifecircle/status.h"
#include "run.h"

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

static int run_read_graph(struct run_ctx *run) {
  struct params *p = &run->params;
  int n_osm = 0;
  LC_CHECK(params_count(p, "Graph:osm", &n_osm));
  if (params_has(p, "Graph:file") == (n_osm > 0))
    LC_FAIL(LC_EPARAM,
            "%s: give exactly one of Graph:file (a graph file from lifecircle "
            "import) and Graph:osm (a list of OSM files)",
            p->file);
  if (n_osm == 0) {
    /* The walking profile was applied when the graph file was imported: a profile given here
     * would change nothing, so it is refused with the reason rather than as an unknown key. */
    if (params_has(p, "Graph:profile"))
      LC_FAIL(LC_EPARAM,
              "%s: Graph:profile applies only with Graph:osm (OSM files imported "
              "in the run); with Graph:file the profile was fixed at import: give "
              "it to `lifecircle import --profile FILE` and remove Graph:profile",
              p->file);
    LC_CHECK(params_get_string(p, "Graph:file", &run->graph_source));
    LC_CHECK(run_inputs_add(run, "graph", run->graph_source));
    return graph_io_read(run->graph_source, &run->g, &run->pois, &run->poi_categories,
                         &run->n_poi_categories);
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
      st = run_inputs_add(run, "osm", v);
  }
  if (st == LC_OK)
    st = run_inputs_add(run, "profile", profile_path);
  struct profile prof;
  if (st == LC_OK)
    st = profile_load(profile_path, &prof);
  if (st == LC_OK) {
    st = import_osm(inputs, n_osm, &prof, &run->cats, &run->g, &run->pois, &run->import_stats);
    profile_free(&prof);
  }
  if (st == LC_OK) {
    run->graph_source = inputs[0];
    run->n_poi_categories = run->cats.n;
    run->poi_categories = calloc((size_t)run->cats.n, sizeof *run->poi_categories);
    if (!run->poi_categories)
      st = LC_ENOMEM;
    for (int c = 0; c < run->cats.n && st == LC_OK; c++)
      if (!(run->poi_categories[c] = strdup(run->cats.c[c].id)))
        st = LC_ENOMEM;
  }
  free(inputs);
  return st;
}

/* Which groups each category serves, from the categories file's comma-separated lists. */
static int run_serves(struct run_ctx *run) {
  int C = run->cats.n, G = run->groups.n;
  run->serves = calloc((size_t)C * G, 1);
  if (!run->serves)
    return LC_ENOMEM;
  for (int c = 0; c < C; c++) {
    const char *list = run->cats.c[c].groups ? run->cats.c[c].groups : "";
    for (int g = 0; g < G; g++) {
      const char *id = run->groups.g[g].id;
      size_t len = strlen(id);
      for (const char *s = list; (s = strstr(s, id)) != NULL; s += len) {
        int starts = s == list || s[-1] == ',';
        int ends = s[len] == '\0' || s[len] == ',';
        if (starts && ends) {
          run->serves[c * G + g] = 1;
          break;
        }
      }
    }
  }
  return LC_OK;
}

/* The datum check of every layer (facility_datum.h): a warning, or a refusal under
 * Run: strict. */
static int run_check_datums(struct run_ctx *run, int n_layers) {
  struct params *p = &run->params;
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
    LC_CHECK(facility_datum_check(&run->fac, &run->g, i, crs, run->max_snap_m, &df));
    if (!df.checked)
      continue;
    log_info("datum check of layer %d (%s): median distance to the network %.1f m as %s, "
             "%.1f m as %s (%lld points within %.0f m)",
             i, file, df.median_declared_m, crs_name(df.declared), df.median_best_m,
             crs_name(df.best), (long long)df.n_points, run->max_snap_m);
    if (!df.fires)
      continue;
    if (strict)
      LC_FAIL(LC_EPARAM,
              "layer %d (%s) is declared crs: %s, but its points lie clearly closer "
              "to the network read as %s: median distance to the nearest node %.1f m as %s, "
              "%.1f m as %s (over %lld points); the file is most likely in %s: set crs: %s "
              "(or Run: strict: false to run with a warning)",
              i, file, crs, crs_name(df.best), df.median_declared_m, crs_name(df.declared),
              df.median_best_m, crs_name(df.best), (long long)df.n_points, crs_name(df.best),
              crs_name(df.best));
    log_warn("layer %d (%s) is declared crs: %s, but its points lie clearly closer to the "
             "network read as %s: median distance to the nearest node %.1f m as %s, %.1f m "
             "as %s (over %lld points); check the layer's crs",
             i, file, crs, crs_name(df.best), df.median_declared_m, crs_name(df.declared),
             df.median_best_m, crs_name(df.best), (long long)df.n_points);
  }
  return LC_OK;
}

static int run_read_facilities(struct run_ctx *run) {
  struct params *p = &run->params;
  int use_pois, n_layers;
  LC_CHECK(params_get_bool_or(p, "Facilities:pois", 1, &use_pois));
  LC_CHECK(params_get_double_or(p, "Facilities:max_snap_m", 1, 5000, "m", 300, &run->max_snap_m));
  if (use_pois)
    LC_CHECK(facility_from_pois(&run->pois, run->poi_categories, run->n_poi_categories, &run->cats,
                                &run->fac));
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
    LC_CHECK(facility_load_layer(file, crs, category, column, &run->cats, i, &run->fac));
    LC_CHECK(run_inputs_add(run, "layer", file));
  }
  LC_CHECK(facility_snap(&run->fac, &run->g, run->max_snap_m, &run->n_excluded));
  LC_CHECK(run_check_datums(run, n_layers));
  /* A category without facilities is reported, never dropped. */
  int64_t *count = calloc((size_t)run->cats.n, sizeof *count);
  if (!count)
    return LC_ENOMEM;
  for (int64_t f = 0; f < run->fac.n; f++)
    if (!run->fac.excluded[f])
      count[run->fac.category[f]]++;
  for (int c = 0; c < run->cats.n; c++)
    if (count[c] == 0)
      log_warn("category %s (%s) has no facility in this run: no data (shares NaN, pass -1, "
               "left out of the complete life circle); feed it with a facility layer",
               run->cats.c[c].id, run->cats.c[c].name_en);
  free(count);
  log_info("facilities: %lld loaded, %lld beyond %.0f m of the network excluded",
           (long long)run->fac.n, (long long)run->n_excluded, run->max_snap_m);
  return LC_OK;
}

/* Population from a raster's sub-pixel samples (analysis/prepare.py raster) instead of a
 * residents table: the raster's total inside the polygons is preserved exactly. */
static int run_read_raster_population(struct run_ctx *run, const char *polys, const char *name_prop,
                                      const char *raster) {
  struct params *p = &run->params;
  const char *table = NULL;
  LC_CHECK(params_get_string_or(p, "Population:residents", NULL, &table));
  if (table)
    LC_FAIL(LC_EPARAM,
            "Population: give either residents (a table) or raster_samples (%s), "
            "not both",
            raster);
  LC_CHECK(geom_load_polygons(polys, name_prop, &run->subs));
  struct density_samples sm;
  LC_CHECK(population_load_density(raster, "persons", &sm));
  double *w = malloc(((size_t)run->g.n_nodes + 1) * sizeof *w), outside = 0.0;
  int rcode = w ? LC_OK : lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "out of memory");
  if (rcode == LC_OK)
    rcode = population_raster_weights(&run->g, &run->subs, &sm, w, &run->table, &outside);
  if (rcode == LC_OK)
    rcode =
        population_assign_weighted(&run->g, &run->subs, &run->table, w, &run->groups, &run->pop);
  free(w);
  population_density_free(&sm);
  LC_CHECK(rcode);
  int64_t total = 0;
  for (int s = 0; s < run->subs.n; s++)
    total += run->pop.sub_residents[s];
  log_info("population: %lld residents from the raster samples %s (its persons inside the "
           "subdistricts, rounded once) in %d subdistricts on %lld nodes; %.1f persons of "
           "samples outside every subdistrict left out",
           (long long)total, raster, run->subs.n, (long long)run->g.n_nodes, outside);
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

static int run_read_population(struct run_ctx *run) {
  struct params *p = &run->params;
  const char *polys, *name_prop, *table, *density = NULL, *density_col = NULL;
  LC_CHECK(params_get_string(p, "Population:subdistricts", &polys));
  LC_CHECK(params_get_string_or(p, "Population:name_property", "name", &name_prop));
  const char *raster = NULL;
  LC_CHECK(params_get_string_or(p, "Population:raster_samples", NULL, &raster));
  if (raster)
    return run_read_raster_population(run, polys, name_prop, raster);
  LC_CHECK(params_get_string(p, "Population:residents", &table));
  LC_CHECK(params_get_string_or(p, "Population:density", NULL, &density));
  LC_CHECK(params_get_string_or(p, "Population:density_column", NULL, &density_col));
  LC_CHECK(geom_load_polygons(polys, name_prop, &run->subs));
  LC_CHECK(run_inputs_add(run, "subdistricts", polys));
  LC_CHECK(population_load_table(table, &run->subs, &run->table));
  run->pop_illustrative = run_file_marked(table, "ILLUSTRATIVE");
  if (run->pop_illustrative)
    log_warn("population: %s is marked ILLUSTRATIVE: the residents are not counts, and every "
             "result that counts residents rests on that assumption",
             table);
  LC_CHECK(run_inputs_add(run, "residents", table));
  if (density) {
    LC_CHECK(population_load_density(density, density_col, &run->dens));
    LC_CHECK(run_inputs_add(run, "density", density));
    run->have_dens = 1;
  }
  LC_CHECK(population_assign(&run->g, &run->subs, &run->table, run->have_dens ? &run->dens : NULL,
                             &run->groups, &run->pop));
  int64_t total = 0;
  for (int s = 0; s < run->subs.n; s++)
    total += run->pop.sub_residents[s];
  log_info("population: %lld residents in %d subdistricts on %lld nodes", (long long)total,
           run->subs.n, (long long)run->g.n_nodes);
  return LC_OK;
}

/* Every category's radius must reach its threshold at the fastest group's speed, or coverage
 * would count reachable residents as not covered. */
static int run_check_radii(struct run_ctx *run) {
  double vmax = 0;
  for (int g = 0; g < run->groups.n; g++)
    vmax = fmax(vmax, run->groups.g[g].speed_m_s);
  run->radius_cm = lc_malloc_array(run->cats.n, sizeof *run->radius_cm);
  if (!run->radius_cm)
    return LC_ENOMEM;
  for (int c = 0; c < run->cats.n; c++) {
    const struct category *cat = &run->cats.c[c];
    run->radius_cm[c] = (int64_t)llround(cat->radius_m * 100.0);
    int64_t need = coverage_limit_cm(cat->threshold_min, vmax);
    if (run->radius_cm[c] < need)
      LC_FAIL(LC_EPARAM,
              "%s: category %s has radius_m = %.0f m, shorter than its %d-minute threshold at "
              "the fastest group's %.2f m/s (%.0f m); raise radius_m to at least %.0f m",
              run->cats.file, cat->id, cat->radius_m, cat->threshold_min, vmax,
              (double)need / 100.0, ceil((double)need / 100.0));
  }
  return LC_OK;
}

/* Loads the scenario files and marks those selected by `only` (all when NULL). */
static int run_read_scenarios(struct run_ctx *run, const char *only) {
  struct params *p = &run->params;
  LC_CHECK(params_count(p, "Scenarios:files", &run->n_scen));
  run->scen = lc_calloc_array(run->n_scen, sizeof *run->scen);
  run->selected = lc_calloc_array(run->n_scen, 1);
  if (!run->scen || !run->selected)
    return LC_ENOMEM;
  for (int i = 0; i < run->n_scen; i++) {
    char key[64];
    const char *file;
    snprintf(key, sizeof key, "Scenarios:files:%d", i);
    LC_CHECK(params_get_string(p, key, &file));
    int st = scenario_load(file, &run->cats, &run->scen[i]);
    if (st != LC_OK) {
      run->n_scen = i; /* Only the loaded ones are freed. */
      return st;
    }
    if (!strcmp(run->scen[i].name, "baseline"))
      LC_FAIL(LC_EPARAM, "%s: a scenario may not be named 'baseline'", file);
    for (int j = 0; j < i; j++)
      if (!strcmp(run->scen[i].name, run->scen[j].name))
        LC_FAIL(LC_EPARAM, "%s: scenario name '%s' is already used by %s", file, run->scen[i].name,
                run->scen[j].file);
    run->selected[i] = only == NULL;
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
      for (int i = 0; i < run->n_scen; i++)
        if (!strcmp(run->scen[i].name, t))
          run->selected[i] = found = 1;
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
static int run_read_report(struct run_ctx *run) {
  struct params *p = &run->params;
  int n_lang = 0;
  LC_CHECK(
      params_get_string_or(p, "Report:life_circle", "15-minute life circle", &run->life_circle));
  LC_CHECK(params_get_string_or(p, "Report:title", run->life_circle, &run->report_title));
  LC_CHECK(params_get_string_or(p, "Report:zone_label", "zone", &run->zone_label));
  LC_CHECK(params_count(p, "Report:languages", &n_lang));
  size_t cap = 1;
  for (int c = 0; c < run->cats.n; c++)
    for (int i = 0; i < run->cats.c[c].n_names; i++)
      cap += strlen(run->cats.c[c].name_lang[i]) + 1;
  for (int i = 0; i < n_lang; i++) {
    char key[64];
    const char *v;
    snprintf(key, sizeof key, "Report:languages:%d", i);
    LC_CHECK(params_get_string(p, key, &v));
    cap += strlen(v) + 1;
  }
  run->languages = calloc(cap, 1);
  if (!run->languages)
    return LC_ENOMEM;
  for (int i = 0; i < n_lang; i++) {
    char key[64];
    const char *v;
    snprintf(key, sizeof key, "Report:languages:%d", i);
    LC_CHECK(params_get_string(p, key, &v));
    /* A code no category is named in (a typo such as "eng") would show empty names. */
    int named = 0;
    for (int c = 0; c < run->cats.n && !named; c++)
      named = categories_name(&run->cats.c[c], v)[0] != '\0';
    if (!named || strchr(v, ','))
      LC_FAIL(LC_EPARAM,
              "%s: %s = '%s': no category of %s is named in that language (give "
              "codes used in the categories' names, e.g. en, zh)",
              p->file, key, v, run->cats.file);
    if (run->languages[0])
      strcat(run->languages, ",");
    strcat(run->languages, v);
  }
  if (n_lang == 0)
    for (int c = 0; c < run->cats.n; c++)
      for (int i = 0; i < run->cats.c[c].n_names; i++) {
        const char *l = run->cats.c[c].name_lang[i];
        size_t len = strlen(l);
        int seen = 0;
        for (const char *s = run->languages; (s = strstr(s, l)) != NULL; s += len)
          seen |= (s == run->languages || s[-1] == ',') && (s[len] == ',' || !s[len]);
        if (seen)
          continue;
        if (run->languages[0])
          strcat(run->languages, ",");
        strcat(run->languages, l);
      }
  return LC_OK;
}

static int run_setup_local(struct run_ctx *run, const char *params_path,
                           const char *output_override, const char *only) {
  struct params *p = &run->params;
  const char *cats_path, *groups_path, *name = NULL;
  LC_CHECK(params_get_string_or(p, "Run:name", NULL, &name));
  if (name) {
    run->name = strdup(name);
  } else {
    run->name = path_stem(params_path);
  }
  if (!run->name)
    return LC_ENOMEM;
  LC_CHECK(params_get_int_or(p, "Run:seed", 0, 2147483647, "", 1, &run->seed));
  LC_CHECK(params_get_string_or(p, "Run:output", "results/run.h5", &run->output));
  if (output_override)
    run->output = output_override;
  LC_CHECK(params_get_int_or(p, "Partition:seed", 0, 2147483647, "", 1, &run->part_seed));
  LC_CHECK(params_get_bool_or(p, "Partition:weights", 1, &run->part_weights));
  LC_CHECK(params_get_int_or(p, "Accessibility:k", 1, 64, "facilities", 8, &run->k));
  LC_CHECK(datadir_param(p, "Categories:file", "categories.yml", &cats_path));
  LC_CHECK(datadir_param(p, "Groups:file", "groups.yml", &groups_path));
  LC_CHECK(categories_load(cats_path, &run->cats));
  LC_CHECK(run_read_report(run));
  LC_CHECK(run_inputs_add(run, "categories", cats_path));
  LC_CHECK(group_load(groups_path, &run->groups));
  LC_CHECK(run_inputs_add(run, "groups", groups_path));
  LC_CHECK(run_serves(run));
  LC_CHECK(run_read_official_counts(run));
  LC_CHECK(run_check_radii(run));
  LC_CHECK(run_read_graph(run));
  LC_CHECK(graph_build_csr(&run->g));
  log_info("graph: %lld nodes, %lld edges, %.3f km from %s", (long long)run->g.n_nodes,
           (long long)run->g.n_edges, (double)graph_total_length_cm(&run->g) / 1e5,
           run->graph_source);
  LC_CHECK(run_read_facilities(run));
  LC_CHECK(run_read_population(run));
  LC_CHECK(run_read_scenarios(run, only));
  LC_CHECK(agents_configure(p, &run->agents));
  run->agents_loaded = 1;
  if (run->agents.enabled) {
    LC_CHECK(agents_prepare(&run->agents, &run->cats, &run->groups));
    LC_CHECK(run_inputs_add(run, "activities", run->agents.activities));
  }
  run->config_sha = malloc(65);
  if (!run->config_sha)
    return LC_ENOMEM;
  LC_CHECK(run_text_sha256(run->params.text, run->params.text_len, run->config_sha));
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
static int run_check_memory(struct run_ctx *run) {
  MPI_Comm node;
  int local = 1;
  if (MPI_Comm_split_type(run->comm, MPI_COMM_TYPE_SHARED, run->rank, MPI_INFO_NULL, &node) ==
      MPI_SUCCESS) {
    if (MPI_Comm_size(node, &local) != MPI_SUCCESS)
      local = 1;
    MPI_Comm_free(&node);
  }
  int64_t n = run->g.n_nodes, owned = (n + run->size - 1) / run->size;
  int64_t per_owned = 0, need = 0;
  memcheck_add(&per_owned, (int64_t)run->cats.n * run->k, 16 * 3);
  memcheck_add(&per_owned, (int64_t)run->cats.n, 8 + 16 * (int64_t)run->groups.n);
  memcheck_add(&need, owned, per_owned);
  memcheck_add(&need, n, RUN_BYTES_PER_NODE);
  int64_t machine = 0;
  memcheck_add(&machine, need, local);
  char detail[320];
  snprintf(detail, sizeof detail,
           "%lld nodes x %d categories x k = %ld catchment entries, on %d ranks of this machine",
           (long long)n, run->cats.n, run->k, local);
  int st = memcheck_fits(machine, "this run", detail);
  if (st == LC_OK && run->agents_loaded && run->agents.enabled) {
    int64_t agents = 0, residents = 0;
    st = agents_population_totals(&run->pop, run->agents.residents_per_agent, &agents, &residents);
    if (st == LC_OK) {
      double per_agent = agents_bytes_per_agent(&run->agents);
      double bytes = per_agent * (double)agents * (double)local / (double)run->size;
      int64_t total = machine;
      if (bytes >= (double)(INT64_MAX - machine))
        total = INT64_MAX;
      else
        total += (int64_t)bytes;
      snprintf(detail, sizeof detail,
               "%lld agents for %lld residents at Agents:residents_per_agent = %ld, about %.0f "
               "bytes each, beside the catchment lists; on %d ranks of this machine",
               (long long)agents, (long long)residents, run->agents.residents_per_agent, per_agent,
               local);
      st = memcheck_fits(total, "this run's agent simulation", detail);
    }
  }
  return lc_agree(run->comm, st);
}

int run_setup(struct run_ctx *run, const char *params_path, const char *output_override,
              const char *only, MPI_Comm comm) {
  memset(run, 0, sizeof *run);
  run->comm = comm;
  MPI_Comm_rank(comm, &run->rank);
  MPI_Comm_size(comm, &run->size);
  run->threads = omp_get_max_threads();
  double t0 = MPI_Wtime();
  LC_CHECK(params_read(params_path, comm, &run->params));
  run->params_loaded = 1;
  /* Every rank loads the same inputs; the status is agreed so all ranks fail together. */
  int st = run_fault(run, "import");
  if (st == LC_OK)
    st = run_setup_local(run, params_path, output_override, only);
  st = lc_agree(comm, st);
  if (st == LC_OK)
    st = run_inputs_digest(run);
  if (st == LC_OK)
    st = run_check_memory(run);
  run->t_setup = MPI_Wtime() - t0;
  return st;
}

void run_free(struct run_ctx *run) {
  run_scenario_free(&run->base);
  if (run->agents_loaded)
    agents_config_free(&run->agents);
  for (int i = 0; i < run->n_scen; i++)
    scenario_free(&run->scen[i]);
  free(run->scen);
  free(run->selected);
  free(run->config_sha);
  free(run->languages);
  for (int i = 0; i < run->n_inputs; i++) {
    free(run->input_role[i]);
    free(run->input_path[i]);
  }
  free(run->input_role);
  free(run->input_path);
  free(run->inputs_base);
  for (int i = 0; run->inputs_scen && i < run->n_scen; i++)
    free(run->inputs_scen[i]);
  free(run->inputs_scen);
  free(run->radius_cm);
  if (run->dg.n_local || run->dg.global)
    dgraph_free(&run->dg);
  free(run->part);
  population_free(&run->pop);
  if (run->have_dens)
    population_density_free(&run->dens);
  population_table_free(&run->table);
  geom_free(&run->subs);
  facility_free(&run->fac);
  free(run->serves);
  free(run->official);
  group_free(&run->groups);
  categories_free(&run->cats);
  for (int c = 0; c < run->n_poi_categories; c++)
    free(run->poi_categories ? run->poi_categories[c] : NULL);
  free(run->poi_categories);
  poi_free(&run->pois);
  graph_free(&run->g);
  free((char *)run->name);
  if (run->params_loaded)
    params_free(&run->params);
  memset(run, 0, sizeof *run);
}
