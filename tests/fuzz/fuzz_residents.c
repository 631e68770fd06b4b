/* Fuzzes the residents table (population_load_table) against the fixture polygons A, B, C. */
#include "fuzz_common.h"
#include "lifecircle/population.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_quiet();
  const struct polygon_set *ps = fuzz_polygons();
  struct population_table t;
  if (population_load_table(fuzz_file(0, data, size, ".csv"), ps, &t) == 0)
    population_table_free(&t);
  return 0;
}
