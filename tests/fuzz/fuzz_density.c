/* Fuzzes density samples (population_load_density). */
#include "fuzz_common.h"
#include "lifecircle/population.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_quiet();
  struct density_samples d;
  if (population_load_density(fuzz_file(0, data, size, ".csv"), NULL, &d) == 0)
    population_density_free(&d);
  return 0;
}
