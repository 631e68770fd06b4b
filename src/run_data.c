/* Data status of every category in a scenario: no data (no facility on the network), thin
 * (fewer facilities than the categories file's expected density or the official count of
 * the parameters) or ok, with the reason in words. Missing data is never reported as a
 * measured failure (coverage.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifecircle/log.h"
#include "lifecircle/run.h"
#include "lifecircle/status.h"

int run_read_official_counts(struct run_ctx *rc) {
  int C = rc->cats.n;
  rc->official = calloc((size_t)(C > 0 ? C : 1), sizeof *rc->official);
  if (!rc->official)
    return LC_ENOMEM;
  for (int c = 0; c < C; c++) {
    char key[160];
    long v = 0;
    snprintf(key, sizeof key, "Facilities:official_counts:%s", rc->cats.c[c].id);
    if (params_has(&rc->params, key))
      LC_CHECK(params_get_int(&rc->params, key, 0, 1000000000, "facilities", &v));
    rc->official[c] = v;
  }
  return LC_OK;
}

int run_data_status(const struct run_ctx *rc, const struct facility_set *fs, int8_t *status,
                    char **reason) {
  int C = rc->cats.n;
  int64_t *count = calloc((size_t)(C > 0 ? C : 1), sizeof *count);
  if (!count)
    return LC_ENOMEM;
  for (int64_t f = 0; f < fs->n; f++)
    if (!fs->excluded[f])
      count[fs->category[f]]++;
  int64_t people = 0;
  for (int64_t i = 0; i < rc->g.n_nodes; i++)
    people += rc->pop.residents[i];
  int st = LC_OK;
  for (int c = 0; c < C; c++) {
    const struct category *k = &rc->cats.c[c];
    double expected = k->expected_per_10k * (double)people / 1e4;
    char line[1024];
    line[0] = '\0';
    status[c] = COVERAGE_DATA_OK;
    if (count[c] == 0) {
      status[c] = COVERAGE_DATA_NONE;
      snprintf(line, sizeof line, "no data (no facility of the category on the network)");
    } else if (rc->official && rc->official[c] > count[c]) {
      status[c] = COVERAGE_DATA_THIN;
      snprintf(line, sizeof line,
               "thin data (%" PRId64 " facilities on the network, %" PRId64
               " in the official count Facilities:official_counts:%s)",
               count[c], rc->official[c], k->id);
    } else if (k->expected_per_10k > 0 && (double)count[c] < expected) {
      status[c] = COVERAGE_DATA_THIN;
      snprintf(line, sizeof line,
               "thin data (%" PRId64 " facilities on the network, %.1f expected: %g per "
               "10,000 residents x %" PRId64 " residents, source: %s)",
               count[c], expected, k->expected_per_10k, people,
               k->expected_source ? k->expected_source : "no source given");
    }
    if (!(reason[c] = strdup(line)))
      st = LC_ENOMEM;
  }
  free(count);
  return st;
}

void run_data_log(const struct run_ctx *rc, const char *scenario, char *const *reason) {
  for (int c = 0; c < rc->cats.n; c++)
    if (reason[c][0])
      log_info("%s: data status of %s: %s", scenario, rc->cats.c[c].id, reason[c]);
}
