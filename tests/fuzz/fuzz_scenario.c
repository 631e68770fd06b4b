/* Fuzzes scenario files (scenario_load) against the default categories. */
#include "fuzz_common.h"
#include "lifecircle/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_quiet();
  const struct category_set *cats = fuzz_categories();
  struct scenario sc;
  if (scenario_load(fuzz_file(0, data, size, ".yml"), cats, &sc) == 0)
    scenario_free(&sc);
  return 0;
}
