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

/* Appends to a growing string; returns LC_OK or LC_ENOMEM. */
static int run_data_append(char **buf, size_t *len, size_t *cap, const char *text) {
  size_t n = strlen(text);
  if (*len + n + 1 > *cap) {
    size_t nc = (*cap ? 2 * *cap : 256) + n;
    char *p = realloc(*buf, nc);
    if (!p)
      return LC_ENOMEM;
    *buf = p;
    *cap = nc;
  }
  memcpy(*buf + *len, text, n + 1);
  *len += n;
  return LC_OK;
}

int run_data_status(const struct run_ctx *rc, const struct facility_set *fs, int8_t *status,
                    char **reason) {
  int C = rc->cats.n;
  int64_t *count = calloc((size_t)(C > 0 ? C : 1), sizeof *count);
  char *buf = NULL;
  size_t len = 0, cap = 0;
  *reason = NULL;
  if (!count)
    return LC_ENOMEM;
  for (int64_t f = 0; f < fs->n; f++)
    if (!fs->excluded[f])
      count[fs->category[f]]++;
  int64_t people = 0;
  for (int64_t i = 0; i < rc->g.n_nodes; i++)
    people += rc->pop.residents[i];
  int st = run_data_append(&buf, &len, &cap, "");
  for (int c = 0; c < C && st == LC_OK; c++) {
    const struct category *k = &rc->cats.c[c];
    double expected = k->expected_per_10k * (double)people / 1e4;
    char line[1024];
    line[0] = '\0';
    status[c] = COVERAGE_DATA_OK;
    if (count[c] == 0) {
      status[c] = COVERAGE_DATA_NONE;
      snprintf(line, sizeof line, "%s: no data (no facility of the category on the network)",
               k->id);
    } else if (rc->official && rc->official[c] > count[c]) {
      status[c] = COVERAGE_DATA_THIN;
      snprintf(line, sizeof line,
               "%s: thin data (%" PRId64 " facilities on the network, %" PRId64
               " in the official count Facilities:official_counts:%s)",
               k->id, count[c], rc->official[c], k->id);
    } else if (k->expected_per_10k > 0 && (double)count[c] < expected) {
      status[c] = COVERAGE_DATA_THIN;
      snprintf(line, sizeof line,
               "%s: thin data (%" PRId64 " facilities on the network, %.1f expected: %g per "
               "10,000 residents x %" PRId64 " residents, source: %s)",
               k->id, count[c], expected, k->expected_per_10k, people,
               k->expected_source ? k->expected_source : "no source given");
    }
    /* Entries are separated by "; ", which no entry contains. */
    if (line[0] && len > 0)
      st = run_data_append(&buf, &len, &cap, "; ");
    if (line[0] && st == LC_OK)
      st = run_data_append(&buf, &len, &cap, line);
  }
  free(count);
  if (st != LC_OK) {
    free(buf);
    return st;
  }
  *reason = buf;
  return LC_OK;
}
