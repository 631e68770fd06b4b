/* The trips container of the agent day (chunked, so that pushing never moves a trip) and
 * the output that holds it. */
#include <stdlib.h>
#include <string.h>

#include "agents_internal.h"
#include "lifecircle/status.h"

int agents_trips_push(struct agents_trips *t, const struct agents_trip *trip) {
  int64_t c = t->n / AGENTS_TRIP_CHUNK;
  if (c >= t->n_chunks) {
    if (t->n_chunks == t->cap_chunks) {
      int cap = t->cap_chunks ? 2 * t->cap_chunks : 16;
      struct agents_trip **nc = realloc(t->chunk, (size_t)cap * sizeof *nc);
      if (!nc)
        return LC_ENOMEM;
      t->chunk = nc;
      t->cap_chunks = cap;
    }
    t->chunk[t->n_chunks] = malloc(AGENTS_TRIP_CHUNK * sizeof(struct agents_trip));
    if (!t->chunk[t->n_chunks])
      return LC_ENOMEM;
    t->n_chunks++;
  }
  t->chunk[c][t->n % AGENTS_TRIP_CHUNK] = *trip;
  t->n++;
  return LC_OK;
}

const struct agents_trip *agents_trips_at(const struct agents_trips *t, int64_t i) {
  return &t->chunk[i / AGENTS_TRIP_CHUNK][i % AGENTS_TRIP_CHUNK];
}

void agents_trips_free(struct agents_trips *t) {
  for (int i = 0; i < t->n_chunks; i++)
    free(t->chunk[i]);
  free(t->chunk);
  memset(t, 0, sizeof *t);
}

void agents_output_free(struct agents_output *out) {
  agents_trips_free(&out->trips);
  free(out->load);
  free(out->needed);
  free(out->covered);
  free(out->share);
  free(out->late);
  free(out->unmet);
  free(out->design_needed);
  free(out->design_covered);
  free(out->design_unmet);
  memset(out, 0, sizeof *out);
}
