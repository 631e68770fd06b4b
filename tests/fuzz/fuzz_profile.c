/* Fuzzes the walking profile (profile_load) and way classification with it. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_quiet();
  struct profile p;
  if (profile_load(fuzz_file(0, data, size, ".yml"), &p) != 0)
    return 0;
  const char *keys[] = {"highway", "foot", "access", "footway"};
  const char *values[] = {"footway", "yes", "private", "crossing"};
  int32_t cls = -1;
  if (profile_classify(&p, 4, keys, values, &cls) == PROFILE_WALK)
    (void)profile_factor(&p, cls);
  profile_free(&p);
  return 0;
}
