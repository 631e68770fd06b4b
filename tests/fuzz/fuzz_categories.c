/* Fuzzes the categories file (categories_load) and tag matching with its rules. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_quiet();
  struct category_set cats;
  if (categories_load(fuzz_file(0, data, size, ".yml"), &cats) != 0)
    return 0;
  const char *keys[] = {"amenity", "name", "shop"};
  const char *values[] = {"school;kindergarten", "社区卫生服务中心", "supermarket"};
  int32_t out[8];
  (void)categories_match(&cats, 3, keys, values, out, 8);
  (void)categories_find(&cats, "school");
  categories_free(&cats);
  return 0;
}
