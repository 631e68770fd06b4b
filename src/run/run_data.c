/* Data status of every category in a scenario: no data (no facility on the network), thin
 * (fewer facilities than the categories file's expected density, per 10,000 residents or
 * per km2 of the zones, or than the official count of the parameters) or ok, with the reason in words. Missing data is never reported as a
 * measured failure (coverage.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifecircle/alloc.h"
#include "lifecircle/geom.h"
#include "lifecircle/log.h"
#include "lifecircle/status.h"
#include "run.h"

int run_read_official_counts(struct run_ctx *run) {
  int C = run->cats.n;
  run->official = lc_calloc_array(C, sizeof *run->official);
  if (!run->official)
    return LC_ENOMEM;
  for (int c = 0; c < C; c++) {
    char key[160];
    long v = 0;
    snprintf(key, sizeof key, "Facilities:official_counts:%s", run->cats.c[c].id);
    if (params_has(&run->params, key))
      LC_CHECK(params_get_int(&run->params, key, 0, 1000000000, "facilities", &v));
    run->official[c] = v;
  }
  return LC_OK;
}

int run_data_status(const struct run_ctx *run, const struct facility_set *fs, int8_t *status,
                    char **reason) {
  int C = run->cats.n;
  int64_t *count = lc_calloc_array(C, sizeof *count);
  if (!count)
    return LC_ENOMEM;
  for (int64_t f = 0; f < fs->n; f++)
    if (!fs->excluded[f])
      count[fs->category[f]]++;
  int64_t people = 0;
  for (int64_t i = 0; i < run->g.n_nodes; i++)
    people += run->pop.residents[i];
  double area_km2 = 0;
  for (int s = 0; s < run->subs.n; s++)
    area_km2 += geom_area_km2(&run->subs, s);
  int st = LC_OK;
  for (int c = 0; c < C; c++) {
    const struct category *k = &run->cats.c[c];
    double expected = k->expected_per_10k * (double)people / 1e4;
    double expected_area = k->expected_per_km2 * area_km2;
    char line[1024];
    line[0] = '\0';
    status[c] = COVERAGE_DATA_OK;
    if (count[c] == 0) {
      status[c] = COVERAGE_DATA_NONE;
      snprintf(line, sizeof line, "no data (no facility of the category on the network)");
    } else if (run->official && run->official[c] > count[c]) {
      status[c] = COVERAGE_DATA_THIN;
      snprintf(line, sizeof line,
               "thin data (%" PRId64 " facilities on the network, %" PRId64
               " in the official count Facilities:official_counts:%s)",
               count[c], run->official[c], k->id);
    } else if (k->expected_per_10k > 0 && (double)count[c] < expected) {
      status[c] = COVERAGE_DATA_THIN;
      snprintf(line, sizeof line,
               "thin data (%" PRId64 " facilities on the network, %.1f expected: %g per "
               "10,000 residents x %" PRId64 " residents, source: %s)",
               count[c], expected, k->expected_per_10k, people,
               k->expected_source ? k->expected_source : "no source given");
    } else if (k->expected_per_km2 > 0 && (double)count[c] < expected_area) {
      status[c] = COVERAGE_DATA_THIN;
      snprintf(line, sizeof line,
               "thin data (%" PRId64 " facilities on the network, %.1f expected: %g per km2 x "
               "%.2f km2 of the zones, source: %s)",
               count[c], expected_area, k->expected_per_km2, area_km2,
               k->expected_source ? k->expected_source : "no source given");
    }
    if (!(reason[c] = strdup(line)))
      st = LC_ENOMEM;
  }
  free(count);
  return st;
}

void run_data_log(const struct run_ctx *run, const char *scenario, char *const *reason) {
  for (int c = 0; c < run->cats.n; c++)
    if (reason[c][0])
      log_info("%s: data status of %s: %s", scenario, run->cats.c[c].id, reason[c]);
}
