/* Fuzzes subdistrict polygons (geom_load_polygons) and point location in them. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_quiet();
  struct polygon_set ps;
  if (geom_load_polygons(fuzz_file(0, data, size, ".geojson"), "name", &ps) != 0)
    return 0;
  (void)geom_locate(&ps, 121.43, 31.2);
  (void)geom_locate(&ps, 5, 5);
  (void)geom_find(&ps, "A");
  geom_free(&ps);
  return 0;
}
