/* Fuzzes OSM PBF import (import_osm through readosm) with the default profile and
 * categories. */
#include "fuzz_common.h"
#include "lifecircle/import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_quiet();
  const struct category_set *cats = fuzz_categories();
  const struct profile *prof = fuzz_profile();
  char *inputs[1] = {(char *)fuzz_file(0, data, size, ".pbf")};
  struct graph g;
  struct poi_set pois;
  struct graph_import_stats stats;
  graph_init(&g);
  poi_init(&pois);
  if (import_osm(inputs, 1, prof, cats, &g, &pois, &stats) == 0)
    graph_free(&g);
  poi_free(&pois);
  return 0;
}
