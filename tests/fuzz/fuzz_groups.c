/* Fuzzes the population groups file (group_load). */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_quiet();
  struct group_set gs;
  if (group_load(fuzz_file(0, data, size, ".yml"), &gs) != 0)
    return 0;
  (void)group_find(&gs, "elderly");
  group_free(&gs);
  return 0;
}
