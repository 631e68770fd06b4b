/* Fuzzes CSV facility layers (facility_load_layer), read as GCJ-02 with a category column. */
#include "fuzz_common.h"
#include "lifecircle/facility.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_quiet();
  const struct category_set *cats = fuzz_categories();
  struct facility_set fs;
  facility_init(&fs);
  (void)facility_load_layer(fuzz_file(0, data, size, ".csv"), "gcj02", NULL, NULL, cats, 0, &fs);
  facility_free(&fs);
  return 0;
}
