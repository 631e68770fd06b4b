/* Fuzzes OSM PBF import (import_osm through readosm) with the default profile and
 * categories. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return fuzz_osm(data, size, ".pbf");
}
